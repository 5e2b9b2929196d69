//! Issue 9's "input that is silently accepted" and "a CLI that never surprises": each
//! case a user met, with what they should see instead.

use crate::common::{TestSite, good_postmortem, read_stderr};
use serde_json::Value;
use std::io::Read;
use std::process::{Command, Stdio};

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(out)))
}

/// The first postmortem of the first file of a `check --format json` report.
fn first_postmortem(report: &Value) -> &Value {
    &report["files"][0]["postmortems"][0]
}

fn check_of<'a>(pm: &'a Value, id: &str) -> &'a Value {
    pm["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}"))
}

/// A good postmortem with one line replaced.
fn good_with(from: &str, to: &str) -> String {
    let good = good_postmortem("Checkout errors");
    assert!(good.contains(from), "the good postmortem lacks {from:?}");
    good.replace(from, to)
}

#[test]
fn impossible_times_and_dates_are_told_at_their_line() {
    let site = TestSite::new("impossible").file(
        "content/pm.md",
        good_with("- 10:05 AM", "- 25:99").replace("- 10:20 AM", "- February 30, 2024 10:20"),
    );
    let out = site.run(&["check", "--format", "json", "content/pm.md"]);
    let report = json(&out);
    let format = check_of(first_postmortem(&report), "timeline-format");
    assert_eq!(format["status"], "fail", "{format}");
    let message = format["message"].as_str().unwrap();
    assert!(
        message.contains("\"25:99\" is not a time of day") && message.contains("1 more"),
        "{message}"
    );
    assert_eq!(format["line"], 10, "the line of 25:99");
    // In the summary, where no check covers it, a diagnostic at its line.
    let site = TestSite::new("impossible-summary").file(
        "content/pm.md",
        good_with("on May 2, 2024", "on February 30, 2024"),
    );
    let report = json(&site.run(&["check", "--format", "json", "content/pm.md"]));
    let problems = report["files"][0]["problems"].as_array().unwrap();
    assert!(
        problems.iter().any(|p| p["line"] == 5
            && p["message"]
                .as_str()
                .unwrap()
                .contains("\"February 30, 2024\" is not a date: February 2024 has 29 days")),
        "{problems:?}"
    );
}

#[test]
fn an_end_before_the_start_is_an_error_and_nothing_negative_is_shown() {
    let site = TestSite::new("backwards").file(
        "content/pm.md",
        good_with(
            "From 10:00 AM to 11:30 AM UTC on May 2, 2024",
            "From 10:30 AM to 8:00 AM UTC on May 2, 2024",
        ),
    );
    let out = site.run(&["check", "--format", "json", "content/pm.md"]);
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    let pm = first_postmortem(&report);
    let duration = check_of(pm, "summary-duration");
    assert_eq!(duration["status"], "fail");
    assert!(
        duration["message"]
            .as_str()
            .unwrap()
            .contains("ends (8:00 AM UTC on May 2, 2024) before it starts (10:30 AM)"),
        "{duration}"
    );
    assert_eq!(pm["outage"]["duration_minutes"], Value::Null, "{pm}");
    for key in ["time_to_detect_minutes", "time_to_resolve_minutes"] {
        assert!(
            pm[key].as_i64().is_none_or(|m| m >= 0),
            "{key} is negative: {}",
            pm[key]
        );
    }
    // Both ends dated, the end first.
    let site = TestSite::new("backwards-dated").file(
        "content/pm.md",
        good_with(
            "From 10:00 AM to 11:30 AM UTC on May 2, 2024",
            "From May 3, 2024 10:00 AM to May 2, 2024 11:30 AM UTC",
        ),
    );
    let report = json(&site.run(&["check", "--format", "json", "content/pm.md"]));
    let pm = first_postmortem(&report);
    assert_eq!(check_of(pm, "summary-duration")["status"], "fail");
    assert_eq!(pm["outage"]["duration_minutes"], Value::Null);
    // The published page shows no negative time.
    let site = site.file("content/pm.md", {
        let mut t = good_with(
            "From 10:00 AM to 11:30 AM UTC on May 2, 2024",
            "From 10:30 AM to 8:00 AM UTC on May 2, 2024",
        );
        t.push('\n');
        t
    });
    site.built();
    let page = site.read("incidents/pm/index.html");
    assert!(!page.contains(">-"), "a negative figure on the page");
    assert!(
        !regex::Regex::new(r"-\d+ (min|h|d)\b")
            .unwrap()
            .is_match(&page),
        "a negative duration on the page"
    );
}

#[test]
fn a_share_over_all_users_is_told() {
    let site = TestSite::new("over").file(
        "content/pm.md",
        good_with("About 40% of users", "About 150% of users"),
    );
    let report = json(&site.run(&["check", "--format", "json", "content/pm.md"]));
    let pm = first_postmortem(&report);
    let impact = check_of(pm, "summary-impact");
    assert_eq!(impact["status"], "fail");
    assert!(
        impact["message"]
            .as_str()
            .unwrap()
            .contains("150% of users affected, more than all of them"),
        "{impact}"
    );
    assert_eq!(impact["line"], 5);
    assert_eq!(pm["outage"]["users_affected_percent"], Value::Null);
    // A rise in traffic over 100% is not a share of users.
    let site = TestSite::new("over-traffic").file(
        "content/pm.md",
        good_with(
            "About 40% of users were affected.",
            "About 40% of users were affected while traffic rose by 150%.",
        ),
    );
    let report = json(&site.run(&["check", "--format", "json", "content/pm.md"]));
    let pm = first_postmortem(&report);
    assert_eq!(pm["outage"]["users_affected_percent"], 40.0);
}

const THIN_DRAFT: &str = "# Database outage

## Issue Summary
The database went down at 10:00 UTC.

## Timeline
- 10:00 AM - it broke

## Root cause and resolution
A disk filled up. We cleaned it.

## Corrective and preventative measures
- add disk alerts
";

#[test]
fn a_declared_or_named_draft_is_checked_and_published_with_its_failures() {
    let site = TestSite::new("thin")
        .file("content/named.md", THIN_DRAFT)
        .file(
            "content/declared.md",
            "---\ntitle: Cache outage\ntags: [cache]\n---\n\nThe cache fell over at 10:00 UTC. We restarted it.\n",
        )
        .file("content/good.md", good_postmortem("Good"));
    // Named on the command line: the rubric runs, exit 1 on its errors.
    let out = site.run(&["check", "content/named.md"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("checked against the rubric although it reads as a draft"),
        "{t}"
    );
    assert!(
        t.contains("error[summary-impact]") && t.contains("checks pass"),
        "{t}"
    );
    // Front matter with a title: published with its failing checks.
    site.built();
    let page = site.read("incidents/declared/index.html");
    assert!(page.contains("Cache outage"));
    let report = json(&site.run(&["check", "--format", "json"]));
    let declared = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with("/declared.md"))
        .unwrap();
    assert_eq!(declared["postmortems"].as_array().unwrap().len(), 1);
    // A folder is read as a gallery: a thin file without front matter is still not one.
    let named = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with("/named.md"))
        .unwrap();
    assert!(named["postmortems"].as_array().unwrap().is_empty());
}

#[test]
fn dead_relative_links_are_reported_and_fail_strict_builds() {
    let body = good_postmortem("Links").replace(
        "## Timeline",
        "See ![the diagram](diagram.png), [the log](logs/app.log) and [my notes](notes.md).\n\n## Timeline",
    );
    let site = TestSite::new("dead-links")
        .file("content/pm.md", body)
        .file("content/logs/app.log", "log\n");
    let out = site.run(&["check", "content"]);
    let t = text(&out);
    assert!(
        t.contains("the link to \"diagram.png\" leads nowhere: there is no such file")
            && t.contains("content/pm.md:7"),
        "{t}"
    );
    assert!(t.contains("the link to \"notes.md\" leads nowhere"), "{t}");
    assert!(!t.contains("logs/app.log\" leads nowhere"), "{t}");
    let out = site.run(&["build", "--strict"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("diagram.png"));
    let out = site.run(&["build"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("warning: content/pm.md:7: the link to \"diagram.png\" leads nowhere"),
        "{}",
        text(&out)
    );
    // The 404 page carries its own styles, so it is styled opened from disk too.
    let notfound = site.read("404.html");
    assert!(notfound.contains("<style>"), "404 without inline styles");
    assert!(
        !notfound.contains("static/style.css"),
        "404 links its stylesheet"
    );
}

#[test]
fn a_missing_root_is_an_error_and_init_honours_root() {
    let tmp = TestSite::new("roots");
    let nope = tmp.dir.join("nope");
    let root = nope.to_str().unwrap();
    for args in [
        vec!["new", "X"],
        vec!["build"],
        vec!["check"],
        vec!["serve"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_hindsight"))
            .args(["--color", "never", "--root", root])
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let t = text(&out);
        assert!(
            t.contains(&format!("the site folder {root} does not exist")),
            "{t}"
        );
        assert!(!t.contains("os error"), "{t}");
        assert!(!nope.exists(), "{args:?} created {root}");
    }
    let site_dir = tmp.dir.join("fresh");
    let out = Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .current_dir(&tmp.dir)
        .args(["--root", site_dir.to_str().unwrap(), "init"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(site_dir.join("site.toml").is_file());
    assert!(site_dir.join("content/example-postmortem.md").is_file());
}

#[test]
fn check_output_options_do_what_they_say() {
    let site = TestSite::new("check-options")
        .file(
            "content/bad.md",
            good_with("About 40% of users", "Some users"),
        )
        .file("content/good.md", good_postmortem("Good"))
        .file("empty/.keep", "");
    // -q: errors only.
    let out = site.run(&["check", "-q"]);
    let t = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(t.contains("error[summary-impact]"), "{t}");
    assert!(!t.contains("warning["), "-q printed a warning: {t}");
    assert!(!t.contains("checks pass"), "-q printed scores: {t}");
    // -q with -v is a contradiction.
    let out = site.run(&["-q", "-v", "check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("cannot be used with"));
    // Nothing to check is not "ok".
    let out = site.run(&["check", "empty"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("nothing to check"), "{}", text(&out));
    // A missing file in JSON is in the JSON.
    let out = site.run(&["check", "--format", "json", "missing.md"]);
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    assert_eq!(report["files"][0]["path"], "missing.md");
    assert_eq!(report["files"][0]["problems"][0]["level"], "error");
    // A reader that stops early (`| head`) ends the output quietly, without a panic.
    let mut child = Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .args(["--color", "never", "--root"])
        .arg(&site.dir)
        .args(["check", "-v"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The read end is dropped here: further writes hit a closed pipe.
    let err = read_stderr(&mut child);
    child.wait().unwrap();
    assert!(!err.contains("panicked"), "{err}");
    // build -v lists what it made; --base-url must be an address.
    let out = site.run(&["-v", "build"]);
    let t = text(&out);
    assert!(
        t.contains("content/good.md: \"Good\" (13/13 checks) → good/"),
        "{t}"
    );
    let out = site.run(&["build", "--base-url", "notaurl"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("is not an address"), "{}", text(&out));
    let site = site.file("site.toml", "base_url = \"notaurl\"\n");
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("site.toml:1"), "{}", text(&out));
}

#[test]
fn front_matter_names_and_site_folders_are_read_as_users_mean() {
    let site = TestSite::new("yaml").file(
        "content/pm.md",
        format!(
            "---\ndate: 2024-05-02\ntitle: [unclosed\n---\n{}",
            good_postmortem("Body")
        ),
    );
    let out = site.run(&["check", "content/pm.md"]);
    let t = text(&out);
    assert!(t.contains("front matter is not valid YAML"), "{t}");
    assert!(
        t.contains("content/pm.md:3") || t.contains("content/pm.md:4"),
        "{t}"
    );
    // A title in another script gets a file name it can be found by.
    let out = site.run(&["new", "日本語 タイトル"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(site.dir.join("content/ri-ben-yu-taitoru.md").is_file());
    // A folder without site.toml builds with the defaults, and says so.
    let site = site.remove("site.toml");
    let out = site.run(&["build"]);
    assert!(text(&out).contains("no site.toml in") && text(&out).contains("hindsight init"));
}

#[test]
fn the_new_postmortem_template_fails_until_its_placeholders_are_replaced() {
    let site = TestSite::new("placeholders");
    let out = site.run(&["new", "Cache outage"]);
    assert!(out.status.success(), "{}", text(&out));
    let path = site.dir.join("content/cache-outage.md");
    let out = site.run(&["check", "--format", "json", "content/cache-outage.md"]);
    let report = json(&out);
    let pm = first_postmortem(&report);
    assert_eq!(
        pm["score"]["passed"], 0,
        "untouched template: {}",
        pm["score"]
    );
    let problems = report["files"][0]["problems"].to_string();
    assert!(
        problems.contains("placeholders of `hindsight new`"),
        "{problems}"
    );
    // Filled in but for the escalation line: only what is still a placeholder fails.
    let template = std::fs::read_to_string(&path).unwrap();
    let head: String = template
        .split("## Issue Summary")
        .next()
        .unwrap()
        .to_owned();
    let body = good_postmortem("Cache outage");
    let body = body.split_once("## Issue Summary").unwrap().1.replace(
        "- 10:40 AM - Escalated to the database team.",
        "- HH:MM AM - Escalated to THE TEAM OR PEOPLE.",
    );
    std::fs::write(&path, format!("{head}## Issue Summary{body}")).unwrap();
    let report = json(&site.run(&["check", "--format", "json", "content/cache-outage.md"]));
    let pm = first_postmortem(&report);
    assert_eq!(
        check_of(pm, "timeline-escalation")["status"],
        "fail",
        "{pm}"
    );
    assert_eq!(check_of(pm, "timeline-resolution")["status"], "pass");
    assert_eq!(check_of(pm, "measures-tasks")["status"], "pass");
}
