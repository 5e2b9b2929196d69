//! Pages worth sharing: the Atom feeds, sitemap.xml, robots.txt, canonical links, the
//! incidents/ listing, and the warning when `base_url` is not an address.

use crate::common::{TestSite, good_postmortem, manifest};
use crate::incremental::{assert_same_as_full_build, touch, tree};
use hindsight::BuildOptions;
use hindsight::session::Session;
use roxmltree::{Document, Node};
use std::collections::{BTreeMap, BTreeSet};

const ATOM: &str = "http://www.w3.org/2005/Atom";
const SITEMAP: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const BASE: &str = "https://postmortems.example.org/class/";
/// What the hostile postmortem is called (a bell character in it, which XML cannot hold).
const HOSTILE_TITLE: &str = "<script>alert(1)</script> & \"quotes\" \u{7}";

fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A postmortem with front matter: its date (`None`: no date anywhere in it), tags,
/// author and summary.
fn postmortem(
    title: &str,
    date: Option<&str>,
    tags: &[&str],
    author: Option<&str>,
    summary: Option<&str>,
) -> String {
    let mut text = format!("+++\ntitle = {}\n", toml_string(title));
    if let Some(d) = date {
        text.push_str(&format!("date = {d}\n"));
    }
    let tags: Vec<String> = tags.iter().map(|t| toml_string(t)).collect();
    text.push_str(&format!("tags = [{}]\n", tags.join(", ")));
    if let Some(a) = author {
        text.push_str(&format!("author = {}\n", toml_string(a)));
    }
    if let Some(s) = summary {
        text.push_str(&format!("summary = {}\n", toml_string(s)));
    }
    text.push_str("+++\n");
    let body = good_postmortem("Outage").replace(" on May 2, 2024", "");
    text.push_str(&body);
    text
}

/// Five postmortems: four dated, one not; two in a collection; three tagged `dns`.
fn sharing_site(name: &str, settings: &str) -> TestSite {
    TestSite::new(name)
        .file("site.toml", settings)
        .file(
            "content/a-dns.md",
            postmortem(
                "Resolver outage",
                Some("2024-03-01"),
                &["dns"],
                Some("Ada"),
                None,
            ),
        )
        .file(
            "content/b-disk.md",
            postmortem("Disk full", Some("2024-06-15"), &["disk"], None, None),
        )
        .file(
            "content/cohort-x/c-pool.md",
            postmortem("Pool exhausted", Some("2024-01-20"), &["dns"], None, None),
        )
        .file(
            "content/cohort-x/d-undated.md",
            postmortem("Undated outage", None, &["dns"], None, None),
        )
        .file(
            "content/e-hostile.md",
            postmortem(
                HOSTILE_TITLE,
                Some("2023-12-31"),
                &["security"],
                Some("Eve <eve@example.org>"),
                Some("<b>bold</b> & <script>x</script>"),
            ),
        )
}

fn settings(base_url: &str) -> String {
    format!(
        "title = \"Class & <Co>\"\nbase_url = \"{base_url}\"\nfeed_limit = 3\npaginate_by = 2\n"
    )
}

fn child<'a, 'i>(n: Node<'a, 'i>, name: &str) -> Node<'a, 'i> {
    n.children()
        .find(|c| c.tag_name().name() == name)
        .unwrap_or_else(|| panic!("<{}> has no <{name}>", n.tag_name().name()))
}

fn text_of<'a>(n: Node<'a, '_>, name: &str) -> &'a str {
    child(n, name).text().unwrap_or("")
}

fn children<'a, 'i>(n: Node<'a, 'i>, name: &str) -> Vec<Node<'a, 'i>> {
    n.children()
        .filter(|c| c.tag_name().name() == name)
        .collect()
}

/// What a feed says, checked for what Atom requires of it and of every entry.
struct Atom {
    id: String,
    title: String,
    updated: String,
    /// rel → href
    links: BTreeMap<String, String>,
    entries: Vec<AtomEntry>,
}

struct AtomEntry {
    id: String,
    title: String,
    updated: String,
    link: String,
    categories: Vec<String>,
    author: Option<String>,
    summary: Option<String>,
}

fn atom(xml: &str) -> Atom {
    let doc = Document::parse(xml).unwrap_or_else(|e| panic!("not XML ({e}):\n{xml}"));
    let feed = doc.root_element();
    assert_eq!(feed.tag_name().name(), "feed");
    assert_eq!(feed.tag_name().namespace(), Some(ATOM));
    let links = |n: Node| -> BTreeMap<String, String> {
        children(n, "link")
            .iter()
            .map(|l| {
                (
                    l.attribute("rel").unwrap_or("alternate").to_owned(),
                    l.attribute("href").unwrap().to_owned(),
                )
            })
            .collect()
    };
    let entries = children(feed, "entry")
        .into_iter()
        .map(|e| {
            let updated = text_of(e, "updated").to_owned();
            assert!(
                chrono::DateTime::parse_from_rfc3339(&updated).is_ok(),
                "{updated}"
            );
            AtomEntry {
                id: text_of(e, "id").to_owned(),
                title: text_of(e, "title").to_owned(),
                updated,
                link: links(e)["alternate"].clone(),
                categories: children(e, "category")
                    .iter()
                    .map(|c| c.attribute("term").unwrap().to_owned())
                    .collect(),
                author: children(e, "author")
                    .first()
                    .map(|a| text_of(*a, "name").to_owned()),
                summary: children(e, "summary")
                    .first()
                    .map(|s| s.text().unwrap_or("").to_owned()),
            }
        })
        .collect();
    let a = Atom {
        id: text_of(feed, "id").to_owned(),
        title: text_of(feed, "title").to_owned(),
        updated: text_of(feed, "updated").to_owned(),
        links: links(feed),
        entries,
    };
    assert!(!a.id.is_empty() && !a.title.is_empty());
    assert!(chrono::DateTime::parse_from_rfc3339(&a.updated).is_ok());
    a
}

/// Every `<loc>` of a sitemap with its `<lastmod>`.
fn sitemap(xml: &str) -> BTreeMap<String, Option<String>> {
    let doc = Document::parse(xml).unwrap_or_else(|e| panic!("not XML ({e}):\n{xml}"));
    let set = doc.root_element();
    assert_eq!(set.tag_name().name(), "urlset");
    assert_eq!(set.tag_name().namespace(), Some(SITEMAP));
    let mut out = BTreeMap::new();
    for url in children(set, "url") {
        let loc = text_of(url, "loc").to_owned();
        let lastmod = children(url, "lastmod")
            .first()
            .map(|l| l.text().unwrap().to_owned());
        assert!(out.insert(loc.clone(), lastmod).is_none(), "{loc} twice");
    }
    out
}

/// The HTML pages of a built site, as their paths from the root ("", "tags/dns/").
fn page_paths(out: &std::path::Path) -> BTreeSet<String> {
    walkdir::WalkDir::new(out)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == "index.html")
        .map(|e| {
            let rel = e.path().strip_prefix(out).unwrap().to_string_lossy();
            rel.trim_end_matches("index.html").to_owned()
        })
        .collect()
}

/// Title → page path, of every published postmortem.
fn slugs(analysis: &hindsight::site::Analysis) -> BTreeMap<String, String> {
    analysis
        .postmortems()
        .map(|(_, e)| {
            (
                e.postmortem.title.clone(),
                format!("incidents/{}/", e.postmortem.slug),
            )
        })
        .collect()
}

#[test]
fn the_feeds_hold_the_newest_postmortems_with_what_atom_requires() {
    let site = sharing_site("feeds", &settings(BASE));
    let (_, analysis) = site.built();
    let page = slugs(&analysis);
    assert_eq!(page.len(), 5, "{page:?}");
    let url = |title: &str| format!("{BASE}{}", page[title]);

    // The site's: the newest three, newest first.
    let feed = atom(&site.read("feed.xml"));
    assert_eq!(feed.id, BASE);
    assert_eq!(feed.title, "Class & <Co>");
    assert_eq!(feed.updated, "2024-06-15T00:00:00+00:00");
    assert_eq!(feed.links["self"], format!("{BASE}feed.xml"));
    assert_eq!(feed.links["alternate"], BASE);
    let titles: Vec<&str> = feed.entries.iter().map(|e| e.title.as_str()).collect();
    assert_eq!(titles, ["Disk full", "Resolver outage", "Pool exhausted"]);
    for e in &feed.entries {
        assert_eq!(e.id, url(&e.title), "an entry's id is its permalink");
        assert_eq!(e.link, url(&e.title));
    }
    let first = &feed.entries[0];
    assert_eq!(first.updated, "2024-06-15T00:00:00+00:00");
    assert!(
        first.categories.contains(&"disk".to_owned()),
        "{:?}",
        first.categories
    );
    assert_eq!(feed.entries[1].author.as_deref(), Some("Ada"));
    assert!(first.summary.as_deref().is_some_and(|s| !s.is_empty()));

    // Newest first whatever order the listings are in.
    let by_title = sharing_site(
        "feeds-by-title",
        &format!("{}sort_by = \"title\"\n", settings(BASE)),
    );
    by_title.built();
    assert_eq!(by_title.read("feed.xml"), site.read("feed.xml"));

    // A tag's: its own postmortems only, the undated one last (at the epoch).
    let dns = atom(&site.read("tags/dns/feed.xml"));
    assert_eq!(dns.id, format!("{BASE}tags/dns/"));
    assert_eq!(dns.title, "Class & <Co>: #dns");
    assert_eq!(dns.links["self"], format!("{BASE}tags/dns/feed.xml"));
    assert_eq!(dns.links["alternate"], format!("{BASE}tags/dns/"));
    let titles: Vec<&str> = dns.entries.iter().map(|e| e.title.as_str()).collect();
    assert_eq!(
        titles,
        ["Resolver outage", "Pool exhausted", "Undated outage"]
    );
    assert_eq!(dns.entries[2].updated, "1970-01-01T00:00:00+00:00");
    assert!(
        dns.entries
            .iter()
            .all(|e| e.categories.contains(&"dns".to_owned()))
    );

    // A collection's.
    let cohort = atom(&site.read("collections/cohort-x/feed.xml"));
    assert_eq!(cohort.id, format!("{BASE}collections/cohort-x/"));
    let titles: Vec<&str> = cohort.entries.iter().map(|e| e.title.as_str()).collect();
    assert_eq!(titles, ["Pool exhausted", "Undated outage"]);
    assert_eq!(cohort.updated, "2024-01-20T00:00:00+00:00");

    // Student text is text: escaped, never markup, and without what XML cannot hold.
    let security = site.read("tags/security/feed.xml");
    assert!(!security.contains("<script>") && !security.contains('\u{7}'));
    let hostile = &atom(&security).entries[0];
    assert!(
        hostile
            .title
            .starts_with("<script>alert(1)</script> & \"quotes\""),
        "{}",
        hostile.title
    );
    assert_eq!(hostile.author.as_deref(), Some("Eve <eve@example.org>"));
    assert_eq!(
        hostile.summary.as_deref(),
        Some("<b>bold</b> & <script>x</script>")
    );

    // Every page's head points at the site's feed, a listing's at its own too.
    let alternate = |html: &str| -> Vec<String> {
        regex::Regex::new(
            r#"<link rel="alternate" type="application/atom\+xml" title="[^"]*" href="([^"]*)">"#,
        )
        .unwrap()
        .captures_iter(html)
        .map(|c| c[1].to_owned())
        .collect()
    };
    assert_eq!(alternate(&site.read("index.html")), ["./feed.xml"]);
    assert_eq!(
        alternate(&site.read(&format!("{}index.html", page["Disk full"]))),
        ["../../feed.xml"]
    );
    assert_eq!(
        alternate(&site.read("tags/dns/index.html")),
        ["../../feed.xml", "../../tags/dns/feed.xml"]
    );
    assert_eq!(
        alternate(&site.read("tags/dns/page/2/index.html")),
        ["../../../../feed.xml", "../../../../tags/dns/feed.xml"]
    );
}

#[test]
fn the_sitemap_lists_every_page_and_robots_points_at_it() {
    let site = sharing_site("sitemap", &settings(BASE));
    let (_, analysis) = site.built();
    let out = site.dir.join("public");
    let listed = sitemap(&site.read("sitemap.xml"));
    let pages = page_paths(&out);
    let expected: BTreeSet<String> = pages.iter().map(|p| format!("{BASE}{p}")).collect();
    let locs: BTreeSet<String> = listed.keys().cloned().collect();
    assert_eq!(locs, expected, "every page, and only pages");
    for must in [
        "",
        "incidents/",
        "incidents/page/3/",
        "tags/",
        "tags/dns/",
        "tags/dns/page/2/",
        "collections/",
        "collections/cohort-x/",
        "insights/",
        "report/",
    ] {
        assert!(
            locs.contains(&format!("{BASE}{must}")),
            "{must} is not listed"
        );
    }
    for (_, path) in slugs(&analysis) {
        assert!(
            locs.contains(&format!("{BASE}{path}")),
            "{path} is not listed"
        );
    }
    assert!(!locs.iter().any(|l| l.contains("404")));
    // A postmortem's page is dated by its postmortem, a listing's page by the newest
    // it shows; an undated postmortem's page is not.
    let page = slugs(&analysis);
    assert_eq!(
        listed[&format!("{BASE}{}", page["Disk full"])].as_deref(),
        Some("2024-06-15")
    );
    assert_eq!(listed[&format!("{BASE}{}", page["Undated outage"])], None);
    assert_eq!(
        listed[&format!("{BASE}tags/dns/")].as_deref(),
        Some("2024-03-01")
    );

    assert_eq!(
        site.read("robots.txt"),
        format!(
            "# Written by Hindsight: every page may be crawled.\nUser-agent: *\nAllow: /\n\nSitemap: {BASE}sitemap.xml\n"
        )
    );
    let files = manifest(&out);
    for f in ["sitemap.xml", "robots.txt", "feed.xml", "tags/dns/feed.xml"] {
        assert!(files.contains(f), "{f} is not Hindsight's");
    }
}

#[test]
fn every_page_but_404_names_its_absolute_canonical_address() {
    for theme in ["default", "terminal"] {
        let site = sharing_site(
            &format!("canonical-{theme}"),
            &format!("{}theme = \"{theme}\"\n", settings(BASE)),
        );
        site.built();
        let out = site.dir.join("public");
        for path in page_paths(&out) {
            let html = site.read(&format!("{path}index.html"));
            let want = format!("<link rel=\"canonical\" href=\"{BASE}{path}\">");
            assert!(html.contains(&want), "{theme}: {path} lacks {want}");
            assert!(
                html.contains(&format!(
                    "<meta property=\"og:url\" content=\"{BASE}{path}\">"
                )),
                "{theme}: {path}"
            );
            assert!(
                html.contains("type=\"application/atom+xml\""),
                "{theme}: {path}"
            );
        }
        let notfound = site.read("404.html");
        assert!(!notfound.contains("rel=\"canonical\""), "{theme}: 404");
        assert!(
            notfound.contains(&format!("href=\"{BASE}feed.xml\"")),
            "{theme}: 404"
        );
    }
}

#[test]
fn incidents_is_a_paged_listing_that_the_navigation_leads_to() {
    for theme in ["default", "terminal"] {
        let site = sharing_site(
            &format!("incidents-{theme}"),
            &format!("{}theme = \"{theme}\"\n", settings(BASE)),
        );
        site.built();
        let cards = |html: &str| html.matches("<article class=\"card").count();
        let first = site.read("incidents/index.html");
        assert_eq!(cards(&first), 2, "{theme}: paginate_by cards");
        assert!(first.contains("All incidents"), "{theme}");
        assert_eq!(
            cards(&site.read("incidents/page/2/index.html")),
            2,
            "{theme}"
        );
        assert_eq!(
            cards(&site.read("incidents/page/3/index.html")),
            1,
            "{theme}"
        );
        assert!(!site.out("incidents/page/4").exists(), "{theme}");
        // The navigation's "Incidents", from any page.
        assert!(
            site.read("index.html").contains("href=\"./incidents/\""),
            "{theme}: index"
        );
        assert!(
            site.read("tags/dns/index.html")
                .contains("href=\"../../incidents/\""),
            "{theme}: tag page"
        );
    }
    // Every link of the site, incidents/ and its pages among them, leads somewhere.
    let relative = sharing_site("incidents-links", &settings("/"));
    relative.built();
    let broken = crate::links::broken_links(&relative.dir.join("public"));
    assert!(broken.is_empty(), "{broken:?}");
}

#[test]
fn a_second_build_is_byte_identical_and_an_edit_rewrites_the_feeds_that_show_it() {
    let site = sharing_site("feeds-again", &settings(BASE));
    let (first, _) = site.built();
    let out = site.dir.join("public");
    let before = tree(&out);
    let (again, _) = site.built();
    assert_eq!(again.written, 0, "nothing changed, nothing written");
    assert_eq!(tree(&out), before, "the same bytes");
    assert!(first.written > again.written);
    assert_same_as_full_build(&site, "unchanged");

    // In a session, as serve and build --watch rebuild: an edit that makes a postmortem
    // the newest moves it to the top of its feeds.
    let (mut session, _) = Session::start(&site.dir, BuildOptions::default()).unwrap();
    let p = touch(
        &site,
        "content/cohort-x/c-pool.md",
        postmortem(
            "Pool exhausted again",
            Some("2024-09-09"),
            &["dns"],
            None,
            None,
        ),
    );
    let r = session.rebuild(&[p]).unwrap();
    for feed in [
        "feed.xml",
        "tags/dns/feed.xml",
        "collections/cohort-x/feed.xml",
    ] {
        assert!(
            r.render.written.iter().any(|w| w == feed),
            "{feed}: {:?}",
            r.render.written
        );
        assert_eq!(
            atom(&site.read(feed)).entries[0].title,
            "Pool exhausted again"
        );
    }
    assert!(
        !r.render.written.iter().any(|w| w == "tags/disk/feed.xml"),
        "a feed that does not show it stays"
    );
    assert!(
        r.render.written.iter().any(|w| w == "sitemap.xml"),
        "its day changed"
    );
    assert_same_as_full_build(&site, "edit");

    // A new tag: a new feed; the last of a tag gone: its feed goes too.
    let p = touch(
        &site,
        "content/b-disk.md",
        postmortem("Disk full", Some("2024-06-15"), &["storage"], None, None),
    );
    let r = session.rebuild(&[p]).unwrap();
    assert!(r.render.removed.iter().any(|w| w == "tags/disk/feed.xml"));
    assert!(site.out("tags/storage/feed.xml").is_file());
    assert!(!site.out("tags/disk").exists());
    assert_same_as_full_build(&site, "retagged");

    // The site's own robots.txt, in its static folder, wins over Hindsight's.
    let p = touch(
        &site,
        "static/robots.txt",
        "User-agent: *\nDisallow: /report/\n",
    );
    session.rebuild(std::slice::from_ref(&p)).unwrap();
    assert_eq!(
        site.read("robots.txt"),
        "User-agent: *\nDisallow: /report/\n"
    );
    assert_same_as_full_build(&site, "static robots.txt");
    std::fs::remove_file(&p).unwrap();
    session.rebuild(&[p]).unwrap();
    assert!(
        site.read("robots.txt")
            .starts_with("# Written by Hindsight")
    );
    assert_same_as_full_build(&site, "static robots.txt removed");
}

#[test]
fn a_robots_txt_of_the_users_own_in_the_output_folder_is_kept() {
    let site = sharing_site("robots-own", &settings(BASE));
    site.built();
    // An output folder from before Hindsight wrote robots.txt, where the user put one.
    let out = site.dir.join("public");
    let marker = out.join(hindsight::output::MARKER);
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&marker).unwrap()).unwrap();
    json["files"]
        .as_array_mut()
        .unwrap()
        .retain(|f| f != "robots.txt");
    std::fs::write(&marker, serde_json::to_string(&json).unwrap()).unwrap();
    site.put("public/robots.txt", "User-agent: *\nDisallow: /mine/\n");
    let (built, _) = site.built();
    assert!(built.pages > 0);
    assert_eq!(site.read("robots.txt"), "User-agent: *\nDisallow: /mine/\n");
    assert!(!manifest(&out).contains("robots.txt"), "still the user's");
    assert!(site.out("sitemap.xml").is_file());
}

#[test]
fn a_base_url_that_is_no_address_is_warned_once_and_fails_nothing() {
    let count = |err: &str| {
        err.lines()
            .filter(|l| l.contains("base_url") || l.contains("--base-url"))
            .count()
    };
    let stderr = |out: &std::process::Output| String::from_utf8_lossy(&out.stderr).into_owned();

    let site = sharing_site("warn-relative", &settings("/gallery/"));
    let out = site.run(&["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(count(&err), 1, "{err}");
    assert!(
        err.lines().any(|l| l.starts_with(
            "warning: site.toml:2: base_url `/gallery/` is not an absolute http(s) address"
        )),
        "{err}"
    );
    // Not a failure, not even with --strict.
    let strict = site.run(&["build", "--strict"]);
    assert!(strict.status.success(), "{}", stderr(&strict));
    assert_eq!(count(&stderr(&strict)), 1);
    // The feeds still parse, with ids that are no addresses.
    let feed = atom(&site.read("feed.xml"));
    assert_eq!(feed.id, "urn:hindsight:index");
    assert!(!site.read("robots.txt").contains("Sitemap:"));
    // Unset: the default "/" is warned of too.
    site.put("site.toml", "title = \"Class\"\n");
    let err = stderr(&site.run(&["build"]));
    assert_eq!(count(&err), 1, "{err}");
    assert!(
        err.contains("warning: site.toml: base_url is not set"),
        "{err}"
    );
    // --quiet: nothing.
    assert_eq!(count(&stderr(&site.run(&["build", "--quiet"]))), 0);

    let site = sharing_site("warn-absolute", &settings(BASE));
    let out = site.run(&["build"]);
    assert!(out.status.success());
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    // A path on the command line is warned of as the command line's.
    let err = stderr(&site.run(&["build", "--base-url", "/preview/"]));
    assert_eq!(count(&err), 1, "{err}");
    assert!(
        err.starts_with("warning: --base-url: `/preview/` is not"),
        "{err}"
    );
}

#[test]
fn serve_serves_the_feeds_the_sitemap_and_robots_and_keeps_them_current() {
    let site = sharing_site("feeds-serve", &settings(BASE));
    let server = crate::serve::Server::start(&site, &[]);
    let feed = server.get("/feed.xml");
    assert_eq!(feed.status, 200);
    assert_eq!(feed.header("content-type"), Some("application/xml"));
    // A preview is built with base_url "/": root-relative links, URN ids.
    let parsed = atom(&feed.body);
    assert_eq!(parsed.links["self"], "/feed.xml");
    for path in ["/tags/dns/feed.xml", "/collections/cohort-x/feed.xml"] {
        let r = server.get(path);
        assert_eq!(r.status, 200, "{path}");
        atom(&r.body);
    }
    let map = sitemap(&server.get("/sitemap.xml").body);
    assert!(map.contains_key("/incidents/"), "{map:?}");
    assert_eq!(server.get("/robots.txt").status, 200);
    assert_eq!(server.get("/incidents/").status, 200);

    // A save reaches the feed.
    std::fs::write(
        site.dir.join("content/b-disk.md"),
        postmortem(
            "Disk full, renamed",
            Some("2024-06-15"),
            &["disk"],
            None,
            None,
        ),
    )
    .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let body = server.get("/feed.xml").body;
        if atom(&body).entries[0].title == "Disk full, renamed" {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the feed never showed the save:\n{body}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}
