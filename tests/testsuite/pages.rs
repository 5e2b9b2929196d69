//! The structure of the pages a reader shares: one timeline block per postmortem, the
//! insights table most missed first, `/incidents/` listing every published postmortem
//! across its pages while the index shows the first of them, related postmortems, and
//! alt text on every student image.

use crate::common::{TestSite, bundled_content, good_postmortem};
use regex::Regex;
use std::collections::BTreeSet;

/// Slugs of the postmortems linked from `html` (`incidents/<slug>/`).
fn linked(html: &str) -> BTreeSet<String> {
    Regex::new(r#"href="[^"]*incidents/([^"/#]+)/""#)
        .unwrap()
        .captures_iter(html)
        .map(|c| c[1].to_owned())
        .collect()
}

/// The HTML of the related block of a postmortem page (None: the page has none).
fn related_block(html: &str) -> Option<&str> {
    let start = html.find("<section class=\"related\"")?;
    let end = start + html[start..].find("</section>")?;
    Some(&html[start..end])
}

/// A postmortem with its own title, root cause and tags.
fn postmortem(title: &str, cause: &str, tags: &[&str]) -> String {
    let tags: Vec<String> = tags.iter().map(|t| format!("\"{t}\"")).collect();
    format!(
        "+++\ntags = [{}]\n+++\n{}",
        tags.join(", "),
        good_postmortem(title).replace(
            "The root cause was a database connection pool that was too small for the new worker count.",
            &format!("The root cause was {cause}."),
        )
    )
}

/// Six postmortems in three pairs, and a draft that would pair with the first.
fn paired_site(name: &str) -> TestSite {
    TestSite::new(name)
        .file("site.toml", "paginate_by = 2\n")
        .file(
            "content/tls-login.md",
            postmortem(
                "Expired TLS certificate on the login page",
                "an expired TLS certificate that nobody renewed",
                &["tls"],
            ),
        )
        .file(
            "content/tls-renewal.md",
            postmortem(
                "Certificate renewal job failed silently",
                "the certificate renewal cron job that failed without alerting",
                &["tls", "cron"],
            ),
        )
        .file(
            "content/disk-logs.md",
            postmortem(
                "Disk filled by unrotated logs",
                "log files that were never rotated and filled the disk",
                &["storage"],
            ),
        )
        .file(
            "content/disk-backups.md",
            postmortem(
                "Backups filled the shared disk",
                "old backups that filled the shared disk volume",
                &["storage"],
            ),
        )
        .file(
            "content/kafka-lag.md",
            postmortem(
                "Kafka consumer lag delayed orders",
                "a kafka consumer rebalance storm",
                &["queue"],
            ),
        )
        .file(
            "content/kafka-partition.md",
            postmortem(
                "Kafka partition leader election stalled",
                "a kafka broker stuck in partition leader election",
                &["queue"],
            ),
        )
        .file(
            "content/draft-tls.md",
            format!(
                "+++\ndraft = true\n+++\n{}",
                postmortem(
                    "Expired TLS certificate again on the login page",
                    "an expired TLS certificate, again",
                    &["tls"],
                )
            ),
        )
}

#[test]
fn a_postmortem_page_has_one_timeline_block() {
    let site = TestSite::with_content_from("pages-timeline", &bundled_content());
    let (_, analysis) = site.built();
    let mut seen = 0;
    for f in analysis.files.iter().filter(|f| !f.is_draft()) {
        for e in &f.entries {
            let pm = &e.postmortem;
            let html = site.read(&format!("incidents/{}/index.html", pm.slug));
            if pm.timeline.is_empty() {
                assert!(!html.contains("timeline-list"), "{}", pm.slug);
                continue;
            }
            seen += 1;
            assert_eq!(
                html.matches("class=\"tl-figure timeline-list\"").count(),
                1,
                "{}",
                pm.slug
            );
            assert_eq!(
                html.matches("timeline-list").count(),
                1,
                "{}: a second timeline",
                pm.slug
            );
            let start = html.find("class=\"tl-figure timeline-list\"").unwrap();
            let block = &html[start..start + html[start..].find("</section>").unwrap()];
            // The diagram, wide and tall, then its events as text in one closed toggle.
            assert_eq!(block.matches("<svg").count(), 2, "{}", pm.slug);
            assert_eq!(block.matches("<details").count(), 1, "{}", pm.slug);
            assert!(!block.contains("<details open"), "{}", pm.slug);
            assert_eq!(block.matches("<ol>").count(), 1, "{}", pm.slug);
            let items = block.matches("<li class=\"kind-").count();
            assert_eq!(items, pm.timeline.len(), "{}", pm.slug);
            // Nowhere else on the page are the events listed again.
            assert_eq!(
                html.matches("<li class=\"kind-").count(),
                items,
                "{}",
                pm.slug
            );
        }
    }
    assert!(seen >= 10, "only {seen} postmortems with a timeline");
}

#[test]
fn the_insights_table_lists_the_checks_most_missed_first() {
    // Two of three have no measures (and so no tasks).
    let no_measures = |t: &str| {
        let s = good_postmortem(t);
        s[..s.find("## Corrective").unwrap()].to_owned()
    };
    let site = TestSite::new("pages-insights")
        .file("content/a.md", good_postmortem("Alpha"))
        .file("content/b.md", no_measures("Bravo"))
        .file("content/c.md", no_measures("Charlie"));
    site.built();
    let html = site.read("insights/index.html");
    let start = html.find("id=\"h-checks\"").unwrap();
    let table = &html[start..start + html[start..].find("</tbody>").unwrap()];
    let rates: Vec<(String, f64)> =
        Regex::new(r#"<tr><td><code>([a-z-]+)</code></td>.*?<td class="num">([0-9.]+)%</td></tr>"#)
            .unwrap()
            .captures_iter(table)
            .map(|c| (c[1].to_owned(), c[2].parse().unwrap()))
            .collect();
    assert_eq!(rates.len(), 13, "every mandatory check: {rates:?}");
    assert!(rates.windows(2).all(|w| w[0].1 <= w[1].1), "{rates:?}");
    let mut first: Vec<&str> = rates.iter().take(2).map(|r| r.0.as_str()).collect();
    first.sort();
    assert_eq!(
        first,
        ["measures-improvements", "measures-tasks"],
        "{rates:?}"
    );
    assert_eq!(rates[0].1, 33.3, "{rates:?}");
    assert!(rates[2..].iter().all(|r| r.1 == 100.0), "{rates:?}");
}

#[test]
fn incidents_lists_every_published_postmortem_and_the_index_only_the_first_page() {
    let site = paired_site("pages-incidents");
    let (summary, analysis) = site.built();
    let published: BTreeSet<String> = analysis
        .files
        .iter()
        .filter(|f| !f.is_draft())
        .flat_map(|f| f.entries.iter().map(|e| e.postmortem.slug.clone()))
        .collect();
    assert_eq!((published.len(), summary.postmortems), (6, 6));
    // Two a page: three pages, each postmortem on exactly one of them.
    let mut listed = Vec::new();
    for rel in [
        "incidents/index.html",
        "incidents/page/2/index.html",
        "incidents/page/3/index.html",
    ] {
        let html = site.read(rel);
        let mut on_page: Vec<String> = linked(&html).into_iter().collect();
        assert_eq!(on_page.len(), 2, "{rel}: {on_page:?}");
        listed.append(&mut on_page);
    }
    assert!(!site.out("incidents/page/4/index.html").exists());
    let unique: BTreeSet<String> = listed.iter().cloned().collect();
    assert_eq!(unique.len(), listed.len(), "{listed:?}");
    assert_eq!(unique, published);
    // The index: the first page's cards, and the way to all of them; no pages of its own.
    let index = site.read("index.html");
    assert_eq!(linked(&index), linked(&site.read("incidents/index.html")));
    assert!(
        index.contains("href=\"./incidents/\">All 6 incidents"),
        "no link to all incidents"
    );
    assert!(
        !site.out("page/2/index.html").exists(),
        "the index is one page"
    );
    assert!(!index.contains("class=\"pagination\""));
}

#[test]
fn each_postmortem_lists_related_ones_that_share_tags_and_words() {
    let site = paired_site("pages-related");
    let (_, analysis) = site.built();
    let pair = [
        ("tls-login", "tls-renewal"),
        ("disk-logs", "disk-backups"),
        ("kafka-lag", "kafka-partition"),
    ];
    let slugs: BTreeSet<String> = analysis
        .files
        .iter()
        .filter(|f| !f.is_draft())
        .flat_map(|f| f.entries.iter().map(|e| e.postmortem.slug.clone()))
        .collect();
    let link = Regex::new(r#"href="\.\./\.\./incidents/([^"/]+)/""#).unwrap();
    for (a, b) in pair.iter().flat_map(|&(a, b)| [(a, b), (b, a)]) {
        let html = site.read(&format!("incidents/{a}/index.html"));
        let block = related_block(&html).unwrap_or_else(|| panic!("{a}: no related block"));
        assert!(block.contains("<h2 id=\"related-title\">Related postmortems</h2>"));
        let order: Vec<String> = link.captures_iter(block).map(|c| c[1].to_owned()).collect();
        assert_eq!(order.first().map(String::as_str), Some(b), "{a}: {order:?}");
        assert!(order.len() <= 5, "{a}: {order:?}");
        assert!(!order.iter().any(|s| s == a), "{a} is related to itself");
        assert!(
            order.iter().all(|s| slugs.contains(s)),
            "{a}: {order:?} (a draft?)"
        );
        let unique: BTreeSet<&String> = order.iter().collect();
        assert_eq!(unique.len(), order.len(), "{a}: {order:?}");
    }
    // Why: the tags the two share.
    let html = site.read("incidents/tls-login/index.html");
    let block = related_block(&html).unwrap();
    assert!(block.contains("#tls"), "{block}");
    assert!(
        !block.contains("#cron"),
        "only shared tags are named: {block}"
    );
    // A site of one postmortem has nothing to relate.
    let alone = TestSite::new("pages-related-alone").file("content/a.md", good_postmortem("Alone"));
    alone.built();
    assert!(related_block(&alone.read("incidents/a/index.html")).is_none());
}

#[test]
fn student_images_have_alt_text() {
    let text = good_postmortem("With images").replace(
        "## Timeline",
        "![](error-rate_graph.png)\n\n![The pool, full](pool.png)\n\n<img src=\"pool.png\">\n\n## Timeline",
    );
    let site = TestSite::new("pages-alt")
        .file("content/imgs.md", text)
        .file("content/error-rate_graph.png", b"\x89PNG\r\n\x1a\n")
        .file("content/pool.png", b"\x89PNG\r\n\x1a\n")
        // A .txt file written in markdown is read as markdown.
        .file(
            "content/plain.txt",
            good_postmortem("Plain with a picture")
                .replace("## Timeline", "![](https://x.org/cpu.png)\n\n## Timeline"),
        );
    site.built();
    let alts = |page: &str| -> Vec<String> {
        let html = site.read(page);
        let prose = &html[html.find("class=\"prose\"").unwrap()..];
        Regex::new(r"<img\b[^>]*>")
            .unwrap()
            .find_iter(prose)
            .map(|tag| {
                let alt = Regex::new(r#"\salt="([^"]*)""#)
                    .unwrap()
                    .captures(tag.as_str())
                    .unwrap_or_else(|| panic!("{page}: no alt on {}", tag.as_str()));
                alt[1].to_owned()
            })
            .collect()
    };
    assert_eq!(alts("incidents/plain/index.html"), ["cpu"]);
    let alts = alts("incidents/imgs/index.html");
    // (The HTML image's relative `src` is not kept: it shows nothing, described as such.)
    assert_eq!(alts, ["error rate graph", "The pool, full", ""]);
}

#[test]
fn emoji_shortcodes_show_as_emoji_but_not_in_code_or_times() {
    let text = good_postmortem(":rocket: The pool that ran dry")
        .replace(
            "The root cause was a database connection pool",
            ":small_orange_diamond: The root cause was a database connection pool",
        )
        .replace(
            "- 10:40 AM - Escalated to the database team.",
            "- 10:40 AM - Escalated :fire: to the database team.",
        )
        .replace(
            "## Corrective and Preventative Measures\n",
            "## Corrective and Preventative Measures\n\n<p>&emsp;:white_check_mark:Done at 10:30:45, <code>:fire:</code> as code, :not_a_known_one:</p>\n\n:wink: and `:tada:`\n",
        );
    let site = TestSite::new("pages-emoji").file("content/pool.md", &text);
    let (_, analysis) = site.built();
    let pm = &analysis.files[0].entries[0].postmortem;
    // What is read stays as written.
    assert!(pm.title.starts_with(":rocket: "), "{}", pm.title);
    assert!(pm.timeline.iter().any(|e| e.text.contains(":fire:")));
    let page = site.read(&format!("incidents/{}/index.html", pm.slug));
    assert!(page.contains("<h1 itemprop=\"headline\">🚀 The pool that ran dry</h1>"));
    assert!(
        page.contains("<title>🚀 The pool that ran dry"),
        "the tab's title"
    );
    // The summary (facts panel, meta description), the timeline, the body.
    assert!(
        page.contains("<p>About 40% of users were affected. 🔸 The root cause was"),
        "the facts panel's root cause"
    );
    assert!(page.contains("<span class=\"tl-text\">Escalated 🔥 to the database team.</span>"));
    assert!(page.contains(">Escalated 🔥 to"), "the diagram's label");
    assert!(page.contains("🔸 The root cause was"), "the body");
    assert!(page.contains(
        "\u{2003}✅Done at 10:30:45, <code>:fire:</code> as code, :not_a_known_one:</p>"
    ));
    assert!(page.contains("<p>😉 and <code>:tada:</code></p>"));
    assert!(
        !page.contains(":rocket:") && !page.contains(":wink:"),
        "no shortcode left"
    );
    // The cards show the title as the page does.
    assert!(site.read("index.html").contains("🚀 The pool that ran dry"));
}

#[test]
fn the_course_percentage_is_shown_with_its_scale() {
    // The escalation left out: 12 of 13 mandatory checks, 92.3% of the 200% the
    // course's score reaches with the optional task.
    let text = good_postmortem("The pool that ran dry")
        .replace("- 10:40 AM - Escalated to the database team.\n", "");
    for theme in ["default", "terminal"] {
        let site = TestSite::new("pages-course")
            .file("site.toml", format!("theme = \"{theme}\"\n"))
            .file("content/pool.md", &text);
        let (_, analysis) = site.built();
        let pm = &analysis.files[0].entries[0].postmortem;
        assert_eq!((pm.score.passed, pm.score.percent), (12, 92.3), "{theme}");
        let shown = "92.3% of 200%";
        let page = site.read(&format!("incidents/{}/index.html", pm.slug));
        assert!(
            page.contains(&format!(">{shown}</span>")),
            "{theme}: the facts panel"
        );
        let report = site.read("report/index.html");
        assert!(
            report.contains(">Course, of 200%</th>"),
            "{theme}: the report's column"
        );
        let out = site.dir.join("pool.html");
        let run = site.run(&["export", "content/pool.md", "-o", out.to_str().unwrap()]);
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let exported = std::fs::read_to_string(&out).unwrap();
        assert!(
            exported.contains(&format!(">{shown}</span>")),
            "{theme}: the export"
        );
        let check = site.run(&["check", "content/pool.md"]);
        let said = String::from_utf8_lossy(&check.stdout);
        assert!(
            said.contains(&format!("12/13 checks pass ({shown})")),
            "{said}"
        );
    }
}
