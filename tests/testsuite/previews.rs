//! Link previews: Open Graph and Twitter metadata on every page, and the preview images
//! they name (one per postmortem, one for the site), written like every other file of
//! the output: only when what they show changed, byte for byte as a full build writes
//! them, served by `serve`.

use crate::common::{TestSite, good_postmortem, manifest};
use crate::incremental::{assert_same_as_full_build, touch};
use hindsight::BuildOptions;
use hindsight::session::Session;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::SystemTime;

const BASE: &str = "https://postmortems.example.org/class/";
const HOSTILE_TITLE: &str = "<script>alert(1)</script> & \"quotes\" 'apostrophes'";

/// A postmortem with front matter: its title, and its date when it has one.
fn postmortem(title: &str, date: Option<&str>, tags: &[&str]) -> String {
    let quoted = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let mut text = format!("+++\ntitle = {}\n", quoted(title));
    if let Some(d) = date {
        text.push_str(&format!("date = {d}\n"));
    }
    let tags: Vec<String> = tags.iter().map(|t| quoted(t)).collect();
    text.push_str(&format!("tags = [{}]\n+++\n", tags.join(", ")));
    text.push_str(&good_postmortem("Outage").replace(" on May 2, 2024", ""));
    text
}

/// Four postmortems: three dated, one not (and no date in its text either); one in a
/// collection; one with a hostile title.
fn preview_site(name: &str, settings: &str) -> TestSite {
    TestSite::new(name)
        .file("site.toml", settings)
        .file(
            "content/a-dns.md",
            postmortem("Resolver outage", Some("2024-03-01"), &["dns"]),
        )
        .file(
            "content/b-disk.md",
            postmortem("Disk full", Some("2024-06-15"), &["disk"]),
        )
        .file(
            "content/cohort-x/c-undated.md",
            postmortem("Undated outage", None, &["dns"]),
        )
        .file(
            "content/d-hostile.md",
            postmortem(HOSTILE_TITLE, Some("2023-12-31"), &["security"]),
        )
}

fn settings(base_url: &str) -> String {
    format!("title = \"Class & <Co>\"\nbase_url = \"{base_url}\"\npaginate_by = 2\n")
}

/// An attribute's value as a browser reads it.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&#x2F;", "/")
        .replace("&#47;", "/")
        .replace("&amp;", "&")
}

/// The `<meta>` tags of a page's head: (`property` or `name`, `content` as read), in
/// order (a key may come more than once, as `article:tag` does).
fn metas(html: &str) -> Vec<(String, String)> {
    let head = &html[..html.find("</head>").expect("a head")];
    let attr = |tag: &str, name: &str| -> Option<String> {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        let end = tag[at..].find('"')? + at;
        Some(tag[at..end].to_owned())
    };
    head.match_indices("<meta ")
        .filter_map(|(at, _)| {
            let tag = &head[at..at + head[at..].find('>')?];
            let key = attr(tag, "property").or_else(|| attr(tag, "name"))?;
            Some((key, unescape(&attr(tag, "content")?)))
        })
        .collect()
}

fn meta<'a>(tags: &'a [(String, String)], key: &str) -> Option<&'a str> {
    tags.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// The width and height in a PNG's header (its signature, then the IHDR chunk).
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "not a PNG: {:?}",
        &bytes[..bytes.len().min(8)]
    );
    assert_eq!(&bytes[12..16], b"IHDR", "IHDR comes first");
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

/// Every page of the output folder: its path, and its metadata.
fn pages(out: &Path) -> BTreeMap<String, Vec<(String, String)>> {
    walkdir::WalkDir::new(out)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == "index.html")
        .map(|e| {
            let rel = e.path().strip_prefix(out).unwrap().to_string_lossy();
            let html = std::fs::read_to_string(e.path()).unwrap();
            (rel.trim_end_matches("index.html").to_owned(), metas(&html))
        })
        .collect()
}

/// Every PNG of the output folder, with its size and modification time.
fn pngs(out: &Path) -> BTreeMap<String, (u64, SystemTime)> {
    walkdir::WalkDir::new(out)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "png"))
        .map(|e| {
            let m = e.metadata().unwrap();
            (
                e.path()
                    .strip_prefix(out)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                (m.len(), m.modified().unwrap()),
            )
        })
        .collect()
}

/// The output file an image URL of the site leads to.
fn image_file(site: &TestSite, url: &str, base: &str) -> Vec<u8> {
    let rel = url
        .strip_prefix(base)
        .unwrap_or_else(|| panic!("{url} is not under {base}"));
    std::fs::read(site.out(rel)).unwrap_or_else(|e| panic!("{url}: {e}"))
}

#[test]
fn every_page_names_a_1200_by_630_preview_image_that_is_there() {
    for theme in ["default", "terminal"] {
        let site = preview_site(
            &format!("previews-{theme}"),
            &format!("{}theme = \"{theme}\"\n", settings(BASE)),
        );
        let (_, analysis) = site.built();
        let out = site.dir.join("public");
        let all = pages(&out);
        assert!(all.len() > 10, "{theme}: {:?}", all.keys());
        let mut incidents = 0;
        for (path, tags) in &all {
            let m = |key: &str| {
                meta(tags, key).unwrap_or_else(|| panic!("{theme}: {path} has no {key}"))
            };
            let url = m("og:image");
            let png = image_file(&site, url, BASE);
            assert_eq!(png_size(&png), (1200, 630), "{theme}: {url}");
            assert_eq!(m("og:image:width"), "1200", "{theme}: {path}");
            assert_eq!(m("og:image:height"), "630", "{theme}: {path}");
            assert_eq!(m("og:image:type"), "image/png", "{theme}: {path}");
            assert!(!m("og:image:alt").is_empty(), "{theme}: {path}");
            assert_eq!(m("twitter:card"), "summary_large_image", "{theme}: {path}");
            assert_eq!(m("twitter:image"), url, "{theme}: {path}");
            assert_eq!(m("twitter:image:alt"), m("og:image:alt"), "{theme}: {path}");
            assert_eq!(m("twitter:title"), m("og:title"), "{theme}: {path}");
            assert_eq!(
                m("twitter:description"),
                m("og:description"),
                "{theme}: {path}"
            );
            assert_eq!(m("og:url"), format!("{BASE}{path}"), "{theme}: {path}");
            let incident = path.starts_with("incidents/") && path.matches('/').count() == 2;
            if incident {
                incidents += 1;
                // Its own image, beside its page.
                assert_eq!(url, format!("{BASE}{path}preview.png"), "{theme}");
                assert_eq!(m("og:type"), "article", "{theme}: {path}");
            } else {
                // Listings and the rest: the site's image.
                assert_eq!(url, format!("{BASE}preview.png"), "{theme}: {path}");
                assert_eq!(m("og:type"), "website", "{theme}: {path}");
            }
        }
        assert_eq!(incidents, 4, "{theme}");
        // A postmortem's date is its article's; one without a date has none.
        for (file, entry) in analysis.postmortems() {
            let pm = &entry.postmortem;
            let tags = &all[&format!("incidents/{}/", pm.slug)];
            let published = meta(tags, "article:published_time");
            match pm.date {
                Some(d) => assert_eq!(published, Some(d.to_string().as_str()), "{}", file.path),
                None => assert_eq!(published, None, "{}", file.path),
            }
            let alt = meta(tags, "og:image:alt").unwrap();
            assert!(alt.starts_with(&format!("{}: date ", pm.title)), "{alt}");
            assert!(
                alt.contains(&format!("checks {}/{}", pm.score.passed, pm.score.of)),
                "{alt}"
            );
        }
        assert_eq!(
            meta(
                &all["incidents/cohort-x-c-undated/"],
                "article:published_time"
            ),
            None
        );
        // The 404 page, served anywhere, names the site's image by its absolute address.
        let notfound = metas(&site.read("404.html"));
        assert_eq!(
            meta(&notfound, "og:image"),
            Some(&*format!("{BASE}preview.png"))
        );
        // The images are Hindsight's files, on its manifest.
        let listed = manifest(&out);
        assert!(listed.contains("preview.png"));
        assert!(listed.contains("incidents/b-disk/preview.png"));
    }
}

#[test]
fn a_hostile_title_is_text_in_every_tag_and_in_the_image() {
    let site = preview_site("previews-hostile", &settings(BASE));
    site.built();
    let page = site
        .dir
        .join("public/incidents")
        .read_dir()
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.ends_with("d-hostile"))
        .expect("the hostile postmortem's page");
    let html = std::fs::read_to_string(page.join("index.html")).unwrap();
    let head = &html[..html.find("</head>").unwrap()];
    assert!(!head.contains("<script"), "{head}");
    assert!(!head.contains("\"quotes\""), "quotes close no attribute");
    let tags = metas(&html);
    for key in ["og:title", "twitter:title"] {
        assert_eq!(meta(&tags, key), Some(HOSTILE_TITLE), "{key}");
    }
    for key in ["og:image:alt", "twitter:image:alt"] {
        assert!(
            meta(&tags, key).unwrap().starts_with(HOSTILE_TITLE),
            "{key}: {tags:?}"
        );
    }
    let png = std::fs::read(page.join("preview.png")).unwrap();
    assert_eq!(png_size(&png), (1200, 630));
}

#[test]
fn a_second_build_draws_nothing_and_a_changed_title_redraws_only_its_image() {
    let site = preview_site("previews-again", &settings(BASE));
    site.built();
    let out = site.dir.join("public");
    let first = pngs(&out);
    assert_eq!(first.len(), 5, "four postmortems and the site: {first:?}");

    let (again, _) = site.built();
    assert_eq!(again.written, 0);
    assert_eq!(pngs(&out), first, "no image written again");
    assert_same_as_full_build(&site, "unchanged");

    // A title changed: its image is drawn again, and no other (the site's image does
    // not show titles).
    touch(
        &site,
        "content/b-disk.md",
        postmortem("Disk full, again", Some("2024-06-15"), &["disk"]),
    );
    site.built();
    let now = pngs(&out);
    let changed: Vec<&String> = now
        .iter()
        .filter(|(rel, stamp)| first.get(*rel) != Some(stamp))
        .map(|(rel, _)| rel)
        .collect();
    assert_eq!(changed, ["incidents/b-disk/preview.png"], "{now:?}");
    assert_same_as_full_build(&site, "retitled");

    // A template edited (which rewrites every page): no image is drawn again, as none
    // shows a template.
    let before = pngs(&out);
    touch(
        &site,
        "templates/404.html",
        "{% extends \"base.html\" %}{% block content %}<h1>Nothing here</h1>{% endblock content %}",
    );
    let (templated, _) = site.built();
    assert!(templated.written > 10, "every page: {}", templated.written);
    assert_eq!(pngs(&out), before, "no image written again");
    assert_same_as_full_build(&site, "template edited");

    // In a session, as serve and build --watch rebuild: only the retitled one.
    let (mut session, _) = Session::start(&site.dir, BuildOptions::default()).unwrap();
    let p = touch(
        &site,
        "content/a-dns.md",
        postmortem("Resolver outage, retold", Some("2024-03-01"), &["dns"]),
    );
    let r = session.rebuild(&[p]).unwrap();
    let drawn: Vec<&String> = r
        .render
        .written
        .iter()
        .filter(|w| w.ends_with(".png"))
        .collect();
    assert_eq!(drawn, ["incidents/a-dns/preview.png"]);
    assert_same_as_full_build(&site, "session edit");
    // A new postmortem: its image, and the site's (which counts them).
    let p = touch(
        &site,
        "content/e-new.md",
        postmortem("Queue backlog", Some("2024-07-01"), &["queue"]),
    );
    let r = session.rebuild(std::slice::from_ref(&p)).unwrap();
    let mut drawn: Vec<&String> = r
        .render
        .written
        .iter()
        .filter(|w| w.ends_with(".png"))
        .collect();
    drawn.sort();
    assert_eq!(drawn, ["incidents/e-new/preview.png", "preview.png"]);
    // And removed with it.
    std::fs::remove_file(&p).unwrap();
    let r = session.rebuild(&[p]).unwrap();
    assert!(
        r.render
            .removed
            .iter()
            .any(|w| w == "incidents/e-new/preview.png"),
        "{:?}",
        r.render.removed
    );
    assert!(!site.out("incidents/e-new").exists());
    drop(session);
    assert_same_as_full_build(&site, "session add and remove");
}

#[test]
fn without_preview_images_every_page_names_the_sites_image() {
    let site = preview_site(
        "previews-off",
        &format!("{}preview_images = false\n", settings(BASE)),
    );
    site.built();
    let out = site.dir.join("public");
    assert_eq!(pngs(&out).keys().collect::<Vec<_>>(), ["preview.png"]);
    for (path, tags) in pages(&out) {
        assert_eq!(
            meta(&tags, "og:image"),
            Some(&*format!("{BASE}preview.png")),
            "{path}"
        );
    }
    // Turned on: the images appear; off again: they go.
    site.put("site.toml", settings(BASE));
    site.built();
    assert_eq!(pngs(&out).len(), 5);
    assert_same_as_full_build(&site, "turned on");
    site.put(
        "site.toml",
        format!("{}preview_images = false\n", settings(BASE)),
    );
    site.built();
    assert_eq!(pngs(&out).len(), 1);
    assert!(!manifest(&out).contains("incidents/b-disk/preview.png"));
    assert_same_as_full_build(&site, "turned off");
}

#[test]
fn a_base_url_that_is_a_path_draws_no_images_unless_asked() {
    // By default ("auto") a site not yet given its absolute address draws none: no other
    // site could fetch them. Every page names the site's image.
    let site = preview_site("previews-path", &settings("/gallery/"));
    site.built();
    assert_eq!(pngs(&site.dir.join("public")).len(), 1);
    let tags = metas(&site.read("incidents/b-disk/index.html"));
    assert_eq!(meta(&tags, "og:image"), Some("/gallery/preview.png"));
    // Asked for, they are drawn and named from the path.
    let site = preview_site(
        "previews-path-on",
        &format!("{}preview_images = true\n", settings("/gallery/")),
    );
    site.built();
    let tags = metas(&site.read("incidents/b-disk/index.html"));
    assert_eq!(
        meta(&tags, "og:image"),
        Some("/gallery/incidents/b-disk/preview.png")
    );
    assert_eq!(
        png_size(&std::fs::read(site.out("incidents/b-disk/preview.png")).unwrap()),
        (1200, 630)
    );
}

#[test]
fn the_sites_own_preview_png_wins_over_the_drawn_one() {
    let site = preview_site("previews-own", &settings(BASE));
    site.built();
    // Any PNG of the user's: here one of the drawn ones.
    let theirs = std::fs::read(site.out("incidents/b-disk/preview.png")).unwrap();
    site.put("static/preview.png", &theirs);
    site.built();
    assert_eq!(std::fs::read(site.out("preview.png")).unwrap(), theirs);
    let tags = metas(&site.read("index.html"));
    assert_eq!(
        meta(&tags, "og:image"),
        Some(&*format!("{BASE}preview.png"))
    );
    // Of a size Hindsight does not know: none is stated.
    assert_eq!(meta(&tags, "og:image:width"), None);
    assert_eq!(meta(&tags, "og:image:alt"), Some("Class & <Co>"));
    assert_same_as_full_build(&site, "own preview.png");
    std::fs::remove_file(site.dir.join("static/preview.png")).unwrap();
    site.built();
    assert_ne!(std::fs::read(site.out("preview.png")).unwrap(), theirs);
    assert_same_as_full_build(&site, "own preview.png removed");
}

#[test]
fn serve_serves_the_images() {
    // A preview is built with base_url "/", so its images are drawn only when asked for.
    let site = preview_site(
        "previews-serve",
        &format!("{}preview_images = true\n", settings(BASE)),
    );
    let server = crate::serve::Server::start(&site, &[]);
    for path in ["/preview.png", "/incidents/b-disk/preview.png"] {
        let raw = server.raw(
            format!(
                "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
                server.addr
            )
            .as_bytes(),
        );
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a head");
        let head = String::from_utf8_lossy(&raw[..split]).to_lowercase();
        assert!(head.starts_with("http/1.1 200"), "{path}: {head}");
        assert!(head.contains("content-type: image/png"), "{path}: {head}");
        assert_eq!(png_size(&raw[split + 4..]), (1200, 630), "{path}");
    }
    // A preview is built with base_url "/": the image's address is the site's path.
    let page = server.get("/incidents/b-disk/");
    assert!(
        page.body
            .contains("<meta property=\"og:image\" content=\"/incidents/b-disk/preview.png\">"),
        "{}",
        page.body
    );
}
