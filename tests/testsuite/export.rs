//! `hindsight export FILE`: one postmortem as one HTML file that loads nothing from
//! anywhere, looks like its page, and never writes over what it was made from.

use crate::common::{TestSite, bundled_content};
use crate::html_scan::{executable, script_elements, tags};
use std::collections::BTreeSet;
use std::path::Path;

/// The repository's `site.toml` with drafts published (so every export has a page to
/// be held against).
fn bundled_site(name: &str) -> TestSite {
    let toml = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("site.toml"))
        .expect("reading site.toml");
    TestSite::with_content_from(name, &bundled_content())
        .file("site.toml", format!("drafts = true\n{toml}"))
}

/// Everything in an exported page that would make the browser ask for something: a
/// URL (not `data:`, not an anchor) that an element loads, a script of any kind, a
/// missing Content-Security-Policy. Empty when the page stands alone.
fn requests(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for t in tags(html) {
        let loading: &[&str] = match t.name.as_str() {
            "link" | "base" => &["href"],
            "script" | "iframe" | "frame" | "embed" | "track" | "audio" | "input" => &["src"],
            "img" | "source" => &["src", "srcset"],
            "video" => &["src", "poster"],
            "object" => &["data"],
            "image" | "use" | "feimage" => &["href", "xlink:href"],
            _ => &[],
        };
        for (name, value) in &t.attrs {
            let v = value.trim().to_ascii_lowercase();
            if loading.contains(&name.as_str()) && !v.starts_with("data:") && !v.starts_with('#') {
                found.push(format!("<{} {name}=\"{value}\">", t.name));
            }
            if name == "style" && v.contains("url(") {
                found.push(format!("<{} style=\"{value}\">", t.name));
            }
        }
    }
    for s in script_elements(html) {
        found.push(format!("a script: {}", &s[..s.len().min(80)]));
    }
    let lower = html.to_ascii_lowercase();
    for (at, _) in lower.match_indices("url(") {
        let arg = lower[at + 4..].trim_start().trim_start_matches(['"', '\'']);
        if !arg.starts_with("data:") && !arg.starts_with('#') {
            found.push(format!("a CSS {}", &html[at..(at + 40).min(html.len())]));
        }
    }
    if lower.contains("@import") {
        found.push("a CSS @import".into());
    }
    let csp = tags(html).into_iter().find(|t| {
        t.name == "meta"
            && t.attrs.iter().any(|(n, v)| {
                n == "http-equiv" && v.eq_ignore_ascii_case("content-security-policy")
            })
    });
    match csp.and_then(|t| t.attrs.into_iter().find(|(n, _)| n == "content")) {
        Some((_, policy))
            if policy.starts_with("default-src 'none'") && policy.contains("img-src data:") => {}
        other => found.push(format!("no strict Content-Security-Policy: {other:?}")),
    }
    found
}

/// What in the page could run (the hostile suite's scan), but for the page's own
/// favicon, an SVG shown as an icon.
fn runs(html: &str) -> Vec<String> {
    executable(html, &BTreeSet::new())
        .into_iter()
        .filter(|f| !(f.starts_with("a script URL: <link href=\"data:image/svg+xml;base64,")))
        .collect()
}

/// `html[from..to]` between the first `from` marker and the next `to` after it.
fn between<'a>(html: &'a str, from: &str, to: &str) -> &'a str {
    let a = html
        .find(from)
        .unwrap_or_else(|| panic!("no {from:?} in the page"));
    let b = html[a..]
        .find(to)
        .map_or_else(|| panic!("no {to:?} after {from:?}"), |b| a + b);
    &html[a..b]
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn every_bundled_postmortem_exports_as_its_page_with_nothing_to_load() {
    let site = bundled_site("export-bundled");
    site.built();
    let content = site.dir.join("content");
    let sources = hindsight::source::discover(&content).sources;
    assert!(sources.len() >= 18, "{} files", sources.len());
    let (mut exported, mut refused) = (0, Vec::new());
    for src in &sources {
        let before = std::fs::read(&src.path).unwrap();
        let path = src.path.to_str().unwrap();
        for entry in 1.. {
            let out = site.dir.join(format!(
                "exports/{}-{entry}.html",
                src.rel.replace('/', "-")
            ));
            let n = entry.to_string();
            let run = site.run(&["export", path, "--entry", &n, "-o", out.to_str().unwrap()]);
            if !run.status.success() {
                let err = stderr(&run);
                assert_eq!(run.status.code(), Some(1), "{}: {err}", src.rel);
                if entry == 1 {
                    assert!(
                        err.contains(": nothing to export: not a postmortem"),
                        "{}: {err}",
                        src.rel
                    );
                    refused.push(src.rel.clone());
                } else {
                    assert!(
                        err.contains(&format!("there is no postmortem {entry} in it")),
                        "{err}"
                    );
                }
                assert!(!out.exists(), "{}: a refused export wrote {out:?}", src.rel);
                break;
            }
            exported += 1;
            let html = std::fs::read_to_string(&out).unwrap();
            let where_ = format!("{} (postmortem {entry})", src.rel);
            assert_eq!(requests(&html), Vec::<String>::new(), "{where_}");
            assert_eq!(runs(&html), Vec::<String>::new(), "{where_}");
            assert!(
                html.contains("<style>"),
                "{where_}: the theme's styles are inlined"
            );
            // The page it is: the same title, diagram, facts, timeline, text and checks as
            // its page in the built site.
            let slug = between(
                &html,
                "<meta property=\"og:url\" content=\"https://example.org/gallery/incidents/",
                "/\"",
            )
            .rsplit('/')
            .next()
            .unwrap()
            .to_owned();
            let page = site.read(&format!("incidents/{slug}/index.html"));
            let h1 = |h: &str| between(h, "<h1 itemprop=\"headline\">", "</h1>").to_owned();
            assert_eq!(h1(&html), h1(&page), "{where_}");
            assert!(
                html.contains(&format!(
                    "<title>{}",
                    &h1(&page)["<h1 itemprop=\"headline\">".len()..]
                )),
                "{where_}"
            );
            let has_diagram = page.contains("<svg class=\"tl-svg tl-h\"");
            assert_eq!(
                html.contains("<svg class=\"tl-svg tl-h\""),
                has_diagram,
                "{where_}"
            );
            if has_diagram {
                assert!(
                    html.contains(".tl-svg{"),
                    "{where_}: the diagram's styles are inlined"
                );
            }
            let region = |h: &str| {
                let body = between(h, "<div class=\"pm-layout\">", "<footer class=\"pm-foot\">");
                // The site's related postmortems: links the export leaves out.
                let body = body
                    .split("<section class=\"related\"")
                    .next()
                    .unwrap_or("");
                body.trim_end()
                    // A source's `<img src=x onerror=…>` is an empty <img> on the site
                    // and nothing in the export.
                    .replace("<img alt=\"\">", "")
            };
            assert_eq!(
                region(&html),
                region(&page),
                "{where_}: the page's body differs"
            );
            if has_diagram {
                assert_eq!(
                    between(&html, "<section class=\"tl-figure", "</details>"),
                    between(&page, "<section class=\"tl-figure", "</details>"),
                    "{where_}"
                );
            }
            // base_url is an address: links to the gallery lead there, none is relative.
            for t in tags(&html).iter().filter(|t| t.name == "a") {
                if let Some((_, href)) = t.attrs.iter().find(|(n, _)| n == "href") {
                    assert!(
                        href.starts_with('#')
                            || href.starts_with("https://")
                            || href.starts_with("http://")
                            || href.starts_with("mailto:"),
                        "{where_}: a relative link {href:?}"
                    );
                }
            }
        }
        assert_eq!(
            std::fs::read(&src.path).unwrap(),
            before,
            "{}: the source changed",
            src.rel
        );
    }
    assert_eq!(refused, ["medium-link-only.md"]);
    assert!(exported >= 18, "{exported} exported");
}

/// A 1x1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// A postmortem that shows an image beside it, one from another site, one outside the
/// content folder and one missing, links out, and tries a script.
const HOSTILE: &str = "# The pool that ran dry

## Issue Summary

From 10:00 AM to 11:30 AM UTC on May 2, 2024, the checkout API returned errors and 40% of users could not pay. The root cause was a database connection pool that was too small.

![The connection pool graph](graphs/pool.png)

![Grafana panel](https://grafana.example/render/panel.png)

![Secret](../../secret.png)

![Gone](missing.png)

See [the runbook](https://wiki.example/runbook) and [the notes](notes.pdf).

<script>alert('export')</script><img src=\"https://tracker.example/p.gif\" onerror=\"alert(2)\">

## Timeline

- 10:00 AM - A monitoring alert fired for the checkout error rate.
- 10:40 AM - Escalated to the database team.
- 11:30 AM - Error rate back to normal; incident resolved.

## Root Cause and Resolution

The pool of 50 connections was exhausted under lunch traffic; we raised it to 200.

## Corrective and Preventative Measures

- Add monitoring on database connection pool usage.
";

fn hostile_site(name: &str) -> TestSite {
    let site = TestSite::new(name)
        .file("content/cohort/pool.md", HOSTILE)
        .file("content/cohort/notes.pdf", "%PDF-1.4 notes")
        .file("secret.png", b"SECRET-BYTES-NOT-TO-BE-READ");
    site.put("content/cohort/graphs/pool.png", PNG);
    site
}

#[test]
fn a_postmortem_with_images_links_and_a_script_exports_alone() {
    let site = hostile_site("export-hostile");
    let input = site.dir.join("content/cohort/pool.md");
    let run = site.run(&["export", "content/cohort/pool.md"]);
    let err = stderr(&run);
    assert!(run.status.success(), "{err}");
    // Written as <slug>.html in the current folder.
    let out = site.dir.join("cohort-pool.html");
    let html = std::fs::read_to_string(&out).unwrap_or_else(|e| panic!("{out:?}: {e}\n{err}"));
    assert!(
        String::from_utf8_lossy(&run.stdout)
            .starts_with("Exported \"The pool that ran dry\" to cohort-pool.html ("),
        "{}",
        String::from_utf8_lossy(&run.stdout)
    );
    assert_eq!(requests(&html), Vec::<String>::new());
    assert_eq!(runs(&html), Vec::<String>::new());
    assert!(!html.contains("alert("), "the script attempt is gone");
    // The image beside it is in the page; the one outside the content folder was never read.
    use base64::Engine as _;
    let png = base64::engine::general_purpose::STANDARD.encode(PNG);
    assert!(
        html.contains(&format!(
            "<img src=\"data:image/png;base64,{png}\" alt=\"The connection pool graph\">"
        )),
        "{html}"
    );
    let secret = base64::engine::general_purpose::STANDARD.encode(b"SECRET-BYTES-NOT-TO-BE-READ");
    assert!(
        !html.contains(&secret[..16]),
        "a file outside the content folder was read"
    );
    // The remote image is a link to it; the others keep their alt text.
    assert!(html.contains("<a class=\"image-link\" href=\"https://grafana.example/render/panel.png\" rel=\"noopener noreferrer nofollow ugc\">[image: Grafana panel]</a>"), "{html}");
    assert!(
        html.contains("<span class=\"image-left-out\">[image: Secret]</span>"),
        "{html}"
    );
    assert!(
        html.contains("<span class=\"image-left-out\">[image: Gone]</span>"),
        "{html}"
    );
    assert!(
        !html.contains("<img src=\"https://tracker"),
        "the tracker image is no <img>"
    );
    // Links out stay links; a link to a file beside it leads nowhere (base_url is "/").
    assert!(
        html.contains("<a href=\"https://wiki.example/runbook\""),
        "{html}"
    );
    assert!(
        html.contains(">the notes</a>") && !html.contains("notes.pdf\""),
        "{html}"
    );
    assert!(
        !html.contains("href=\"/"),
        "no link to a gallery a file from disk cannot reach"
    );
    // Each image left out is told with its file and line.
    let shown = "content/cohort/pool.md";
    for (line, what) in [
        (
            9,
            "the image \"https://grafana.example/render/panel.png\" is on another site: the export does not fetch it, and links to it instead",
        ),
        (
            11,
            "the image \"../../secret.png\" is left out of the export (it leads outside the content folder): its alt text is shown instead",
        ),
        (
            13,
            "the image \"missing.png\" is left out of the export (there is no such file): its alt text is shown instead",
        ),
        (
            17,
            "the image \"https://tracker.example/p.gif\" is on another site: the export does not fetch it, and links to it instead",
        ),
    ] {
        assert!(
            err.contains(&format!("warning: {shown}:{line}: {what}\n")),
            "line {line}:\n{err}"
        );
    }
    assert_eq!(err.matches("missing.png").count(), 1, "told once:\n{err}");
    assert_eq!(
        std::fs::read_to_string(&input).unwrap(),
        HOSTILE,
        "the source is unchanged"
    );

    // To standard output, the same page; what is said about it goes to stderr.
    let piped = site.run(&["export", "content/cohort/pool.md", "-o", "-", "-q"]);
    assert!(piped.status.success(), "{}", stderr(&piped));
    assert_eq!(String::from_utf8_lossy(&piped.stdout), html);

    // With base_url an address, the gallery's pages and the file beside it are linked to.
    let linked = site.run(&[
        "export",
        "content/cohort/pool.md",
        "-o",
        "linked.html",
        "--base-url",
        "https://example.org/class",
    ]);
    assert!(linked.status.success(), "{}", stderr(&linked));
    let linked = std::fs::read_to_string(site.dir.join("linked.html")).unwrap();
    assert!(
        linked.contains("href=\"https://example.org/class/files/cohort/notes.pdf\""),
        "{linked}"
    );
    assert!(linked.contains("href=\"https://example.org/class/collections/cohort/\""));
    assert_eq!(requests(&linked), Vec::<String>::new());
}

#[test]
fn the_export_never_writes_over_its_source_or_the_content() {
    let site = hostile_site("export-refuse");
    let input = site.dir.join("content/cohort/pool.md");
    for (target, says) in [
        ("content/cohort/pool.md", "is the postmortem being exported"),
        (
            "./content/cohort/../cohort/pool.md",
            "is the postmortem being exported",
        ),
        (
            "content/cohort/notes.pdf",
            "is a file in the site's content folder",
        ),
        ("content", "is a folder"),
    ] {
        let run = site.run(&["export", "content/cohort/pool.md", "-o", target]);
        let err = stderr(&run);
        assert_eq!(run.status.code(), Some(1), "{target}: {err}");
        assert!(
            err.contains(&format!("error: {target}: {says}")),
            "{target}: {err}"
        );
        assert!(
            !err.contains("warning:"),
            "a refusal is all that is said: {err}"
        );
    }
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&input, site.dir.join("alias.html")).unwrap();
        std::fs::hard_link(&input, site.dir.join("hard.html")).unwrap();
        for alias in ["alias.html", "hard.html"] {
            let run = site.run(&["export", "content/cohort/pool.md", "-o", alias]);
            assert!(
                stderr(&run).contains("is the postmortem being exported"),
                "{alias}: {}",
                stderr(&run)
            );
        }
    }
    assert_eq!(std::fs::read_to_string(&input).unwrap(), HOSTILE);
    assert_eq!(
        std::fs::read(site.dir.join("content/cohort/notes.pdf")).unwrap(),
        b"%PDF-1.4 notes"
    );
    // Nothing half-written is left beside the refused or written files.
    let left: Vec<String> = std::fs::read_dir(&site.dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".hindsight-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_missing_or_unreadable_input_is_an_error_naming_it() {
    let site = TestSite::new("export-missing").file("content/empty.md", "");
    for (file, says) in [
        (
            "content/nope.md",
            "error: content/nope.md: no such file or folder",
        ),
        (
            "content",
            "error: content is a folder: name the one postmortem file to export",
        ),
        (
            "content/empty.md",
            "error: content/empty.md:1: nothing to export: not a postmortem: the file is empty",
        ),
    ] {
        let run = site.run(&["export", file]);
        let err = stderr(&run);
        assert_eq!(run.status.code(), Some(1), "{file}: {err}");
        assert!(err.starts_with(says), "{file}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let none: Vec<_> = std::fs::read_dir(&site.dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .collect();
    assert!(none.is_empty(), "nothing written: {none:?}");
}
