//! The instructor's grades: `hindsight report` (CSV, JSON, markdown), the feedback of
//! `check --format markdown`, and the `report/` pages with their rows for sorting and
//! filtering. The browser test sorts and filters the page in headless Chromium
//! (`tests/browser/report.mjs`).

use crate::common::{TestSite, good_postmortem};
use hindsight::render::report::{FIELDS, ROWS_FILE, json_of};
use serde_json::Value;

const HOSTILE_TITLE: &str = "</script><img src=x onerror=alert(1)> | `tick` # hash";

/// Five files in two collections: one passing all 13 (by Ada), one missing its
/// escalation (its author a spreadsheet formula), one whose title and author are
/// markup, a link that is not a postmortem, and a draft.
pub fn fixture(name: &str) -> TestSite {
    TestSite::new(name)
        .file("site.toml", "title = \"Grades fixture\"\n")
        .file(
            "content/cohort-a/pool.md",
            format!(
                "+++\nauthor = \"Ada Lovelace\"\n+++\n{}",
                good_postmortem("The pool that ran dry")
            ),
        )
        .file(
            "content/cohort-a/zebra.md",
            format!(
                "+++\nauthor = \"=HYPERLINK(\\\"http://x\\\")\"\n+++\n{}",
                good_postmortem("The night the queue overflowed")
                    .replace("- 10:40 AM - Escalated to the database team.\n", "")
            ),
        )
        .file(
            "content/cohort-b/hostile.md",
            format!(
                "+++\ntitle = {}\nauthor = \"<b>Mallory</b>\"\ntags = [\"queue\"]\n+++\n\n## Issue Summary\n\nThe queue stopped for a while and nobody knows why.\n",
                toml::Value::String(HOSTILE_TITLE.into())
            ),
        )
        .file(
            "content/cohort-b/link.md",
            "https://medium.com/@someone/my-postmortem-about-the-outage-123\n",
        )
        .file(
            "content/cohort-b/draft.md",
            format!("+++\ndraft = true\n+++\n{}", good_postmortem("A draft nobody sees")),
        )
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

#[test]
fn the_csv_has_one_row_per_postmortem_and_names_the_files_not_graded() {
    let site = fixture("grades-csv");
    let out = site.run(&["report"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut rd = csv::Reader::from_reader(out.stdout.as_slice());
    let header: Vec<String> = rd.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(header, hindsight::grades::CSV_HEADER);
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.expect("a CSV row")).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let files: Vec<&str> = rows.iter().map(|r| &r[col("file")]).collect();
    // One row per postmortem the gallery publishes: the same as `build` finds.
    let (summary, _) = site.built();
    assert_eq!(rows.len(), summary.postmortems, "{files:?}");
    assert_eq!(
        files,
        [
            "cohort-a/pool.md",
            "cohort-a/zebra.md",
            "cohort-b/hostile.md"
        ]
    );
    let pool = &rows[0];
    assert_eq!(&pool[col("author")], "Ada Lovelace");
    assert_eq!(&pool[col("collection")], "cohort-a");
    assert_eq!((&pool[col("passed")], &pool[col("of")]), ("13", "13"));
    assert_eq!(&pool[col("failing")], "");
    assert!(pool[col("words")].parse::<usize>().unwrap() > 200);
    let zebra = &rows[1];
    assert_eq!(
        &zebra[col("author")],
        "'=HYPERLINK(\"http://x\")",
        "a formula is kept as text"
    );
    assert!(
        zebra[col("failing")]
            .split(' ')
            .any(|id| id == "timeline-escalation"),
        "{zebra:?}"
    );
    for r in &rows {
        let passed: usize = r[col("passed")].parse().unwrap();
        let failing = r[col("failing")].split_whitespace().count();
        assert_eq!(passed + failing, 13, "{r:?}");
        let percent: f64 = r[col("percent")].parse().unwrap();
        let optional: f64 = r[col("optional")].parse().unwrap();
        let ratio = passed as f64 / 13.0;
        assert!(
            (percent - 100.0 * (ratio + ratio * optional)).abs() < 0.06,
            "{r:?}"
        );
    }
    assert_eq!(&rows[2][col("title")], HOSTILE_TITLE);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("warning: cohort-b/link.md:") && stderr.contains("not graded"),
        "{stderr}"
    );
    assert!(
        stderr.contains("cohort-b/draft.md: not graded: a draft"),
        "{stderr}"
    );
    // With --drafts the draft is graded too.
    let out = site.run(&["report", "--drafts"]);
    let n = csv::Reader::from_reader(out.stdout.as_slice())
        .records()
        .count();
    assert_eq!(n, 4);
}

#[test]
fn json_and_markdown_hold_the_same_grades_and_the_files_not_graded() {
    let site = fixture("grades-json");
    let out = site.run(&["report", "--format", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["version"], 1);
    let rows = v["postmortems"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    let not = v["not_graded"].as_array().unwrap();
    let link = not
        .iter()
        .find(|u| u["file"] == "cohort-b/link.md")
        .expect("the link is not graded");
    assert!(
        link["reason"]
            .as_str()
            .unwrap()
            .contains("not a postmortem"),
        "{link}"
    );
    let missed = v["most_missed"].as_array().unwrap();
    assert_eq!(missed.len(), 13);
    let counts: Vec<u64> = missed
        .iter()
        .map(|m| m["missed"].as_u64().unwrap())
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");

    let out = site.run(&["report", "--format", "markdown"]);
    let md = text(&out.stdout);
    let table: Vec<&str> = md
        .lines()
        .skip_while(|l| !l.starts_with("## Postmortems"))
        .filter(|l| l.starts_with("| "))
        .take_while(|l| !l.starts_with("| file"))
        .collect();
    // The header and the three rows.
    assert_eq!(table.len(), 4, "{md}");
    assert!(
        table.iter().any(|l| l.contains("\\<b\\>Mallory\\</b\\>")),
        "{md}"
    );
    assert!(
        md.contains("## Not graded") && md.contains("`cohort-b/link.md:1`"),
        "{md}"
    );
}

#[test]
fn the_report_is_written_whole_to_a_file_and_never_into_the_site() {
    let site = fixture("grades-file");
    let target = site.dir.join("grades/class.csv");
    let out = site.run(&["report", "-o", target.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(&target).unwrap();
    assert_eq!(
        csv::Reader::from_reader(written.as_bytes())
            .records()
            .count(),
        3
    );
    assert!(
        text(&out.stderr).contains("Wrote 3 postmortems"),
        "{}",
        text(&out.stderr)
    );
    for inside in [
        "content/grades.csv",
        "public/grades.csv",
        "static/grades.csv",
    ] {
        std::fs::create_dir_all(site.dir.join(inside).parent().unwrap()).unwrap();
        let out = site.run(&["report", "-o", site.dir.join(inside).to_str().unwrap()]);
        assert!(!out.status.success(), "{inside}");
        let err = text(&out.stderr);
        assert!(
            err.contains("grades.csv") && err.contains("published"),
            "{err}"
        );
        assert!(!site.dir.join(inside).exists(), "{inside} was written");
    }
}

#[test]
fn markdown_feedback_gives_each_file_its_failing_lines_and_how_to_fix_them() {
    let site = fixture("grades-feedback");
    let zebra = site.dir.join("content/cohort-a/zebra.md");
    let out = site.run(&["check", "--format", "markdown", zebra.to_str().unwrap()]);
    assert!(
        !out.status.success(),
        "a failing check fails the run, as in every format"
    );
    let md = text(&out.stdout);
    assert!(md.starts_with("## Feedback on `"), "{md}");
    // The human output's words for the same failure, reused.
    let human = text(&site.run(&["check", zebra.to_str().unwrap()]).stdout);
    let help = human
        .lines()
        .find(|l| l.contains("= help:") && l.contains("escalation"))
        .and_then(|l| l.split_once("help: "))
        .map(|(_, h)| h)
        .expect("the human output's help for the escalation");
    assert!(md.contains("`timeline-escalation`, line "), "{md}");
    assert!(
        md.contains(&format!(
            "How to fix: {}",
            hindsight::check::markdown::escape(help)
        )),
        "{md}"
    );
    assert!(md.contains("**Passing** ("), "{md}");

    // A folder: one section per file, and --out-dir writes one file each. A hidden
    // file (an import's record) is nobody's submission and gets no feedback.
    let content = site.dir.join("content");
    std::fs::write(content.join(".hindsight-import.json"), "{}\n").unwrap();
    let out = site.run(&["check", "--format", "markdown", content.to_str().unwrap()]);
    let md = text(&out.stdout);
    assert_eq!(md.matches("## Feedback on ").count(), 5, "{md}");
    assert!(md.contains("No postmortem to grade"), "{md}");
    assert!(!md.contains(".hindsight-import.json"), "{md}");
    let dir = site.dir.join("feedback");
    let out = site.run(&[
        "check",
        "--format",
        "markdown",
        "--out-dir",
        dir.to_str().unwrap(),
    ]);
    let err = text(&out.stderr);
    assert!(err.contains("Wrote 5 feedback files"), "{err}");
    let written: Vec<_> = walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        written.contains(&"zebra.md.feedback.md".to_owned()),
        "{written:?}"
    );
    assert_eq!(written.len(), 5, "{written:?}");
    // Never into the content folder, where they would be read as postmortems.
    let inside = site.dir.join("content/feedback");
    let out = site.run(&[
        "check",
        "--format",
        "markdown",
        "--out-dir",
        inside.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("read as postmortems"),
        "{}",
        text(&out.stderr)
    );
    assert!(!inside.exists());
}

/// Rows of the report page's table body, as (title, cells).
fn body_rows(html: &str) -> Vec<String> {
    let body = html
        .split_once("<table class=\"report grades\"")
        .and_then(|(_, t)| t.split_once("<tbody>"))
        .and_then(|(_, t)| t.split_once("</tbody>"))
        .map(|(b, _)| b)
        .expect("the grades table");
    body.split("<tr").skip(1).map(str::to_owned).collect()
}

#[test]
fn the_report_page_is_a_table_of_the_grades_with_the_most_missed_checks() {
    let site = fixture("grades-page");
    site.built();
    let html = site.read("report/index.html");
    let heads: Vec<&str> = html
        .match_indices("data-key=\"")
        .map(|(i, _)| {
            let rest = &html[i + 10..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect();
    assert_eq!(
        heads,
        [
            "title",
            "author",
            "collection",
            "passed",
            "percent",
            "failing",
            "words"
        ]
    );
    let rows = body_rows(&html);
    assert_eq!(rows.len(), 3, "one row per published postmortem");
    assert!(
        !html.contains("A draft nobody sees"),
        "a draft is not published"
    );
    assert!(html.contains("<code>timeline-escalation</code>"));
    assert!(html.contains("Ada Lovelace"));
    // Student text is escaped.
    assert!(
        !html.contains("<img src=x") && !html.contains("<b>Mallory"),
        "markup escaped"
    );
    assert!(html.contains("&lt;b&gt;Mallory&lt;&#x2F;b&gt;") || html.contains("&lt;b&gt;Mallory"));
    // The most-missed list: the checks missed, each filtering the table.
    let missed: Vec<&str> = html
        .match_indices("data-fails=\"")
        .map(|(i, _)| {
            let rest = &html[i + 12..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect();
    // Most missed first: two of the three miss the escalation.
    assert_eq!(missed.first(), Some(&"timeline-escalation"), "{missed:?}");
    assert!(html.contains("id=\"report-filters\"") && html.contains("static/report.js"));
    // The file without a postmortem, with why.
    let not = html
        .split_once("id=\"not-graded\"")
        .expect("the files not graded")
        .1;
    assert!(
        not.contains("cohort-b/link.md") && not.contains("not a postmortem"),
        "{not}"
    );
    assert!(site.out("static/report.js").is_file());

    // The rows for the script: the same postmortems, in the table's order.
    let script = site.read(ROWS_FILE);
    assert!(!script.contains('<'), "{script}");
    let v: Value = serde_json::from_str(json_of(&script).unwrap()).unwrap();
    let recs = v["rows"].as_array().unwrap();
    assert_eq!(recs.len(), 3);
    let title = FIELDS.iter().position(|f| *f == "title").unwrap();
    let slug = FIELDS.iter().position(|f| *f == "slug").unwrap();
    for (rec, row) in recs.iter().zip(&rows) {
        let s = rec[slug].as_str().unwrap();
        assert!(row.contains(&format!("incidents/{s}/")), "{row}");
        assert!(site.out(&format!("incidents/{s}/index.html")).is_file());
    }
    assert!(recs.iter().any(|r| r[title] == HOSTILE_TITLE));
}

#[test]
fn a_long_report_is_paged_and_only_its_first_page_sorts_the_whole_class() {
    let mut site = TestSite::new("grades-paged");
    for i in 0..260 {
        site = site.file(
            &format!("content/c/p{i:03}.md"),
            good_postmortem(&format!("Outage number {i}")),
        );
    }
    site.built();
    let first = site.read("report/index.html");
    let second = site.read("report/page/2/index.html");
    assert_eq!(body_rows(&first).len(), 250);
    assert_eq!(body_rows(&second).len(), 10);
    assert!(first.contains("class=\"pagination\"") && second.contains("class=\"pagination\""));
    assert!(
        !second.contains("static/report.js") && second.contains("Sort and filter the whole class")
    );
    let v: Value = serde_json::from_str(json_of(&site.read(ROWS_FILE)).unwrap()).unwrap();
    assert_eq!(v["rows"].as_array().unwrap().len(), 260);
}

#[test]
#[ignore = "needs Chromium and `npm ci` in tests/browser"]
fn the_report_sorts_and_filters_in_chromium_in_both_themes() {
    let chromium = crate::browser::chromium();
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let shots = repo.join("target/screenshots/report");
    let mut failed = Vec::new();
    for theme in ["default", "terminal"] {
        let site = fixture("grades-browser").file(
            "site.toml",
            format!("title = \"Grades fixture\"\ntheme = \"{theme}\"\n"),
        );
        site.built();
        let page = site.out("report/index.html");
        let args = [page.as_os_str(), shots.as_os_str(), theme.as_ref()];
        if let Err(out) = crate::browser::run_script("report.mjs", &args, &chromium) {
            failed.push(format!("theme `{theme}`:\n{out}"));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
