//! `hindsight build` end to end on fixture sites.

use crate::common::{
    RUNAWAY_TEMPLATE, TestSite, bundled_content, good_postmortem, leftovers, silent_loop_template,
};
use regex::Regex;
use std::collections::BTreeSet;
use std::time::Duration;

fn hrefs(html: &str) -> Vec<String> {
    Regex::new(r#"href="([^"]*)""#)
        .unwrap()
        .captures_iter(html)
        .map(|c| c[1].to_owned())
        .collect()
}

/// Incident slugs linked from a page (not the pages of the `incidents/` listing).
fn incident_links(html: &str) -> BTreeSet<String> {
    hrefs(html)
        .iter()
        .filter_map(|h| {
            let s = h.split("incidents/").nth(1)?;
            (!s.starts_with("page/")).then(|| {
                s.trim_end_matches('/')
                    .split(['/', '#'])
                    .next()
                    .unwrap_or("")
                    .to_owned()
            })
        })
        .filter(|s| !s.is_empty())
        .collect()
}

#[test]
fn every_bundled_sample_has_its_page_and_the_listings_link_them_all() {
    let site = TestSite::with_content_from("bundled", &bundled_content())
        .file("site.toml", "paginate_by = 5\n");
    let (summary, analysis) = site.built();
    let published: BTreeSet<String> = analysis
        .files
        .iter()
        .filter(|f| !f.is_draft())
        .flat_map(|f| f.entries.iter().map(|e| e.postmortem.slug.clone()))
        .collect();
    assert!(
        published.len() >= 15,
        "only {} postmortems in the bundled content",
        published.len()
    );
    assert_eq!(summary.postmortems, published.len());
    for slug in &published {
        assert!(
            site.out(&format!("incidents/{slug}/index.html")).is_file(),
            "no page for {slug}"
        );
    }
    // The paginated listing at incidents/ links every postmortem.
    let mut linked = BTreeSet::new();
    let mut page = 1;
    loop {
        let rel = if page == 1 {
            "incidents/index.html".to_owned()
        } else {
            format!("incidents/page/{page}/index.html")
        };
        if !site.out(&rel).exists() {
            break;
        }
        linked.extend(incident_links(&site.read(&rel)));
        page += 1;
    }
    assert!(page > 2, "5 per page should paginate");
    assert_eq!(linked, published, "incidents/ must link every postmortem");
    // Tag pages together link every tagged postmortem.
    let mut tagged = BTreeSet::new();
    for f in analysis.files.iter().filter(|f| !f.is_draft()) {
        for e in &f.entries {
            for t in &e.postmortem.tags {
                let html = site.read(&format!("tags/{t}/index.html"));
                if incident_links(&html).contains(&e.postmortem.slug) {
                    tagged.insert(e.postmortem.slug.clone());
                }
            }
        }
    }
    let with_tags: BTreeSet<String> = analysis
        .files
        .iter()
        .filter(|f| !f.is_draft())
        .flat_map(|f| f.entries.iter())
        .filter(|e| !e.postmortem.tags.is_empty())
        .map(|e| e.postmortem.slug.clone())
        .collect();
    assert_eq!(tagged, with_tags);
    // The grading report lists every postmortem, and the link-only file as not one.
    let report = site.read("report/index.html");
    assert_eq!(incident_links(&report), published);
    assert!(
        report.contains("medium-link-only.md"),
        "the report names files without a postmortem"
    );
    // The draft is not published.
    assert!(
        !published
            .iter()
            .any(|s| s.contains("carrier-nat-rate-limit"))
    );
    assert!(site.read("404.html").contains("<html"));
    assert!(site.out("static/style.css").is_file() && site.out("static/syntax.css").is_file());
}

#[test]
fn collections_come_from_subfolders_and_front_matter() {
    let site = TestSite::new("collections")
        .file("content/cohort-a/one.md", good_postmortem("One"))
        .file(
            "content/two.md",
            format!(
                "+++\ncollection = \"Cohort B\"\n+++\n{}",
                good_postmortem("Two")
            ),
        );
    site.built();
    assert!(incident_links(&site.read("collections/cohort-a/index.html")).contains("cohort-a-one"));
    assert!(incident_links(&site.read("collections/cohort-b/index.html")).contains("two"));
    let index = site.read("index.html");
    assert!(index.contains("collections/cohort-a/") && index.contains("collections/cohort-b/"));
}

#[test]
fn a_large_class_gets_a_paged_report_and_pagers_that_stay_short() {
    let mut site = TestSite::new("large-class");
    for i in 0..260 {
        site = site.file(
            &format!("content/pm-{i:03}.md"),
            good_postmortem(&format!("Outage {i}")),
        );
    }
    site.built();
    // Every postmortem is on exactly one page of the report.
    let first = site.read("report/index.html");
    let second = site.read("report/page/2/index.html");
    let (a, b) = (incident_links(&first), incident_links(&second));
    assert_eq!(a.len() + b.len(), 260, "{} + {}", a.len(), b.len());
    assert!(a.is_disjoint(&b));
    assert!(first.contains("Rows 1–250 of 260."), "{first}");
    assert!(second.contains("page 2 of 2") && second.contains("report/\""));
    // The listing's pager links the ends and the pages around the current one only.
    let page5 = site.read("incidents/page/5/index.html");
    let pager = &page5[page5.find("class=\"pagination\"").expect("a pager")..];
    let pager = &pager[..pager.find("</nav>").unwrap()];
    let links = hrefs(pager);
    assert!(links.len() <= 8, "{links:?}");
    assert!(pager.contains("class=\"gap\""));
    // 260 postmortems at the default twelve a page: 22 pages.
    assert!(
        links.iter().any(|h| h.ends_with("incidents/page/22/")),
        "the last page: {links:?}"
    );
}

#[test]
fn two_postmortems_in_one_file_get_two_pages() {
    let text = format!(
        "{}\n\n{}",
        good_postmortem("Postmortem: The plain version"),
        good_postmortem("Postmortem: The fun version")
    );
    let site = TestSite::new("two").file("content/double.md", text);
    let (summary, _) = site.built();
    assert_eq!(summary.postmortems, 2);
    assert!(
        site.read("incidents/double/index.html")
            .contains("The plain version")
    );
    assert!(
        site.read("incidents/double-2/index.html")
            .contains("The fun version")
    );
}

#[test]
fn front_matter_overrides_what_extraction_guesses() {
    let text = format!(
        "---\ntitle: \"Chosen title\"\nauthor: Ada Obi\nslug: my-incident\ntags: [Payments, db]\ndate: 2024-05-02\n---\n{}",
        good_postmortem("Guessed title")
    );
    let site = TestSite::new("front").file("content/x.md", text);
    site.built();
    let page = site.read("incidents/my-incident/index.html");
    assert!(page.contains("Chosen title") && page.contains("Ada Obi"));
    assert!(
        site.out("tags/payments/index.html").is_file() && site.out("tags/db/index.html").is_file()
    );
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let site = TestSite::new("drafts").file(
        "content/d.md",
        format!("+++\ndraft = true\n+++\n{}", good_postmortem("Draft")),
    );
    let (summary, _) = site.built();
    assert_eq!((summary.postmortems, summary.drafts_skipped), (0, 1));
    assert!(!site.out("incidents/d/index.html").exists());
    let out = site.run(&["build", "--drafts"]);
    assert!(out.status.success());
    assert!(site.out("incidents/d/index.html").exists());
}

#[test]
fn student_html_never_runs() {
    let hostile = good_postmortem("Hostile").replace(
        "## Timeline",
        "<script>alert('x')</script>\n<img src=x onerror=\"alert(1)\">\n<a href=\"javascript:alert(2)\">click</a>\n<iframe src=\"https://evil.example\"></iframe>\n<div style=\"position:fixed\" onclick=\"steal()\">d</div>\n\n## Timeline",
    );
    let site = TestSite::new("xss")
        .file("content/h.md", hostile)
        .file("content/t.txt", "Issue Summary:\n<script>alert(3)</script> the site was down for 50% of users from 10:00 to 11:00 UTC.\n");
    site.built();
    for page in ["incidents/h/index.html", "index.html"] {
        let html = site.read(page).to_lowercase();
        assert!(!html.contains("<script"), "{page} has a script");
        assert!(
            !html.contains("onerror") && !html.contains("onclick"),
            "{page} has a handler"
        );
        assert!(
            !html.contains("javascript:"),
            "{page} has a javascript: URL"
        );
        assert!(!html.contains("<iframe"), "{page} has an iframe");
    }
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let site = TestSite::new("atomic").file("content/a.md", good_postmortem("First"));
    site.built();
    let before = site.read("incidents/a/index.html");
    let site = site
        .file("content/a.md", good_postmortem("Second"))
        .file("templates/postmortem.html", "{% if %}");
    let err = site
        .build()
        .err()
        .expect("a broken template fails the build")
        .to_string();
    assert!(err.contains("postmortem.html"), "{err}");
    assert_eq!(site.read("incidents/a/index.html"), before);
    let left = leftovers(&site.dir.join("public"));
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_render_error_also_leaves_the_previous_output_untouched() {
    let site = TestSite::new("atomic-render").file("content/a.md", good_postmortem("First"));
    site.built();
    let before = site.read("index.html");
    // Parses, but fails at render time on an unknown variable.
    let site = site.file("templates/index.html", "{{ no_such_variable.field }}");
    assert!(site.build().is_err());
    assert_eq!(site.read("index.html"), before);
}

#[test]
fn refuses_an_output_folder_holding_other_files() {
    let site = TestSite::new("foreign")
        .file("content/a.md", good_postmortem("A"))
        .file("public/precious.txt", "mine");
    let err = site.build().err().expect("refused").to_string();
    assert!(err.contains("did not write"), "{err}");
    assert_eq!(
        std::fs::read_to_string(site.dir.join("public/precious.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn site_templates_override_the_theme() {
    let site = TestSite::new("override")
        .file("content/a.md", good_postmortem("A"))
        .file(
            "templates/404.html",
            "<html><body>custom not found for {{ site.title }}</body></html>",
        )
        .file("site.toml", "title = \"My Class\"\n");
    site.built();
    assert_eq!(
        site.read("404.html"),
        "<html><body>custom not found for My Class</body></html>"
    );
}

#[test]
fn a_theme_folder_is_used_and_a_missing_theme_is_an_error() {
    let site = TestSite::new("theme")
        .file("content/a.md", good_postmortem("A"))
        .file(
            "themes/plain/templates/index.html",
            "PLAIN INDEX {{ stats.postmortems }}",
        )
        .file("themes/plain/static/extra.css", "body{}")
        .file("site.toml", "theme = \"plain\"\n");
    site.built();
    assert_eq!(site.read("index.html"), "PLAIN INDEX 1");
    assert!(site.out("static/extra.css").is_file());
    let site = site.file("site.toml", "theme = \"nope\"\n");
    assert!(site.build().err().unwrap().to_string().contains("nope"));
}

#[test]
fn pagination_splits_the_incidents_listing_and_the_index_shows_its_first_page() {
    let mut site = TestSite::new("paginate").file("site.toml", "paginate_by = 2\n");
    for i in 0..5 {
        site = site.file(
            &format!("content/p{i}.md"),
            good_postmortem(&format!("P{i}")),
        );
    }
    site.built();
    let page = |n: usize| format!("incidents/page/{n}/index.html");
    assert!(site.out(&page(2)).is_file() && site.out(&page(3)).is_file());
    assert!(!site.out(&page(4)).exists());
    assert_eq!(incident_links(&site.read(&page(3))).len(), 1);
    let index = site.read("index.html");
    assert_eq!(incident_links(&index).len(), 2);
    assert_eq!(
        incident_links(&index),
        incident_links(&site.read("incidents/index.html"))
    );
    assert!(!site.out("page/2/index.html").exists());
}

#[test]
fn assets_are_copied_and_relative_images_point_at_them() {
    let text = good_postmortem("With diagram")
        .replace("## Timeline", "![diagram](diagram.png)\n\n## Timeline");
    let site = TestSite::new("assets")
        .file("content/c1/a.md", text)
        .file("content/c1/diagram.png", b"\x89PNG\r\n\x1a\n");
    site.built();
    assert!(site.out("files/c1/diagram.png").is_file());
    assert!(
        site.read("incidents/c1-a/index.html")
            .contains("src=\"../../files/c1/diagram.png\"")
    );
}

#[test]
fn bad_files_are_reported_and_the_rest_builds() {
    let site = TestSite::new("bad")
        .file("content/good.md", good_postmortem("Good"))
        .file("content/binary.md", b"\x00\x01\x02\x03binary")
        .file(
            "content/bad-front.md",
            format!(
                "+++\ntitle = \"unclosed\n+++\n{}",
                good_postmortem("Bad front")
            ),
        )
        .file("content/empty.md", "")
        .file(
            "content/link.md",
            "See https://medium.com/@me/my-postmortem\n",
        );
    let (summary, analysis) = site.built();
    assert_eq!(
        summary.postmortems, 2,
        "good.md and bad-front.md (its body still builds)"
    );
    let problems = |name: &str| {
        analysis
            .files
            .iter()
            .find(|f| f.path == name)
            .unwrap()
            .problems
            .clone()
    };
    assert!(problems("binary.md")[0].message.contains("binary"));
    let front = problems("bad-front.md");
    assert!(
        front
            .iter()
            .any(|p| p.message.contains("front matter") && p.line.is_some()),
        "{front:?}"
    );
    assert!(problems("empty.md")[0].message.contains("not a postmortem"));
    assert!(problems("link.md")[0].message.contains("link"));
}

#[test]
fn config_errors_name_the_key_and_line() {
    let site = TestSite::new("config")
        .file("content/a.md", good_postmortem("A"))
        .file("site.toml", "title = \"x\"\npaginate = 3\n");
    let err = site.build().err().unwrap().to_string();
    assert!(
        err.contains("site.toml:2") && err.contains("paginate"),
        "{err}"
    );
}

#[test]
fn plain_text_and_extensionless_files_build() {
    let plain = "Postmortem: queue stuck\n\nIssue Summary:\nFrom 9:00 AM to 10:00 AM WAT the queue was stuck and 20% of users saw no emails. The root cause was a poison message.\n\nTimeline:\n9:00 AM - Alert fired.\n9:30 AM - Escalated to the platform team.\n10:00 AM - Message removed, queue resolved.\n\nRoot Cause and Resolution:\nA message the worker could not parse was retried forever and blocked the queue for everyone else; we removed it and added a dead letter queue so the worker moves on.\n\nCorrective and Preventative Measures:\n- Add a dead letter queue.\n- Add an alert on queue age.\n";
    let site = TestSite::new("plain")
        .file("content/q.txt", plain)
        .file("content/README", plain);
    let (summary, _) = site.built();
    assert_eq!(summary.postmortems, 2);
    let page = site.read("incidents/q/index.html");
    assert!(
        page.contains("<h2 id=\"issue-summary\">Issue Summary</h2>"),
        "plain-text section names become headings"
    );
}

/// Runs `build` (killed if it hangs) and returns its errors, which must name the
/// template `postmortem.html` and fail the build.
fn build_fails_naming_the_template(site: &TestSite) -> String {
    let out = site.run_within(&["build"], Duration::from_secs(120));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("template postmortem.html"), "{err}");
    assert!(!site.out("index.html").exists(), "nothing published");
    err
}

#[test]
fn a_runaway_template_fails_the_build_naming_the_template_and_line() {
    let site = TestSite::new("build-runaway")
        .file("content/a.md", good_postmortem("Checkout outage"))
        .file("templates/postmortem.html", RUNAWAY_TEMPLATE);
    // The default budget (10 s and 50 MB a page) stops it.
    let err = build_fails_naming_the_template(&site);
    assert!(err.contains("postmortem.html:3"), "{err}");
    assert!(err.contains("the limit per page"), "{err}");
}

#[test]
fn a_template_that_never_returns_fails_the_build_instead_of_hanging() {
    let site = TestSite::new("build-stuck")
        .file("site.toml", "[limits]\npage_seconds = 1\n")
        .file("content/a.md", good_postmortem("Checkout outage"))
        .file("templates/postmortem.html", silent_loop_template());
    let err = build_fails_naming_the_template(&site);
    assert!(err.contains("given up"), "{err}");
}

#[test]
fn the_page_budget_is_read_from_site_toml() {
    let site = TestSite::new("build-budget")
        .file("site.toml", "[limits]\npage_megabytes = 0.5\n")
        .file("content/a.md", good_postmortem("Checkout outage"))
        .file("templates/postmortem.html", RUNAWAY_TEMPLATE);
    let err = site.build().err().expect("over budget");
    assert!(err.to_string().contains("passed 0.5 MB"), "{err}");
    // Within its budget the same site builds.
    std::fs::remove_file(site.dir.join("templates/postmortem.html")).unwrap();
    site.built();
}
