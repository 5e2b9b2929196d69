//! `hindsight check`: human diagnostics (snapshots), the JSON contract, exit codes.

use crate::common::{TestSite, bundled_content, good_postmortem, shared};
use std::path::Path;

fn fixtures() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check")
}

/// Compares `actual` with the snapshot file; `UPDATE_SNAPSHOTS=1` rewrites it.
fn assert_snapshot(name: &str, actual: &str) {
    let path = fixtures().join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        expected == actual,
        "snapshot {name} differs (rerun with UPDATE_SNAPSHOTS=1 to accept)\n--- expected\n{expected}\n--- actual\n{actual}"
    );
}

/// Runs `hindsight check` in the fixtures folder on each fixture that has a snapshot.
#[test]
fn human_diagnostics_match_their_snapshots() {
    let dir = fixtures();
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap().filter_map(Result::ok) {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with(".expected") {
            continue;
        }
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_hindsight"))
            .current_dir(&dir)
            .args(["--color", "never", "check", &name])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let code = out.status.code().unwrap_or(-1);
        assert_snapshot(
            &format!("{name}.expected"),
            &format!("exit status: {code}\n{text}"),
        );
        n += 1;
    }
    assert!(n >= 3, "expected at least 3 check fixtures, found {n}");
}

/// The schema kept in the repository (`spec/`, the contract the README points to).
pub(crate) fn schema_validator() -> jsonschema::Validator {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("spec/check-output.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

/// Runs `check --format json` on `dir` and returns the schema errors of its report.
fn schema_errors(validator: &jsonschema::Validator, dir: &std::path::Path) -> Vec<String> {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .args(["check", "--format", "json"])
        .arg(dir)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert!(!report["files"].as_array().unwrap().is_empty());
    validator
        .iter_errors(&report)
        .take(10)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn json_report_validates_against_the_schema() {
    let validator = schema_validator();
    let site = TestSite::with_content_from("json", &bundled_content())
        .file("content/x/binary.md", b"\x00\x01binary");
    for dir in [
        site.dir.join("content"),
        site.dir.join("content/cohort-2024"),
    ] {
        let errors = schema_errors(&validator, &dir);
        assert!(errors.is_empty(), "schema errors:\n{}", errors.join("\n"));
    }
    // The reading fixtures: messy input exercises every field.
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reading");
    let errors = schema_errors(&validator, &fixtures);
    assert!(
        errors.is_empty(),
        "fixtures: schema errors:\n{}",
        errors.join("\n")
    );
}

#[test]
#[ignore = "needs ../shared beside the checkout"]
fn the_corpus_and_seeds_validate_and_the_schema_copy_is_the_courses() {
    let shared = shared();
    assert_eq!(
        std::fs::read_to_string(shared.join("spec/check-output.schema.json")).unwrap(),
        std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("spec/check-output.schema.json")
        )
        .unwrap(),
        "spec/check-output.schema.json differs from the course's copy in ../shared/spec"
    );
    let validator = schema_validator();
    for dir in ["corpus/alx", "seeds"] {
        let errors = schema_errors(&validator, &shared.join(dir));
        assert!(
            errors.is_empty(),
            "{dir}: schema errors:\n{}",
            errors.join("\n")
        );
    }
}

#[test]
fn exit_status_follows_levels() {
    let site = TestSite::new("exit").file("content/good.md", good_postmortem("Good"));
    let out = site.run(&["check"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // A missing section is an error-level failure.
    let text = good_postmortem("Bad");
    let without_measures = &text[..text.find("## Corrective").unwrap()];
    let site = site.file("content/bad.md", without_measures);
    assert_eq!(site.run(&["check"]).status.code(), Some(1));
    // Allowing the failing checks in site.toml makes it pass again.
    let site = site.file(
        "site.toml",
        "[checks]\nmeasures-improvements = \"allow\"\nmeasures-tasks = \"allow\"\n",
    );
    let out = site.run(&["check"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // --strict fails on warnings: the short file is a length warning.
    assert_eq!(site.run(&["check", "--strict"]).status.code(), Some(1));
}

#[test]
fn front_matter_levels_override_the_site() {
    let text = format!("+++\n[checks]\nmeasures-tasks = \"allow\"\n+++\n{}", good_postmortem("X").replace("- Add monitoring on database connection pool usage.\n- Add a load test to the release checklist.\n- Document the pool size in the runbook.\n", ""));
    let site = TestSite::new("fm-levels").file("content/x.md", text);
    let out = site.run(&["check", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let check = report["files"][0]["postmortems"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "measures-tasks")
        .unwrap()
        .clone();
    assert_eq!(
        (check["status"].as_str(), check["level"].as_str()),
        (Some("fail"), Some("allow"))
    );
    assert!(out.status.success());
}

#[test]
fn github_format_annotates_failures() {
    let site = TestSite::new("gh").file("content/bad.md", "# Outage\n\n## Issue Summary\nThe site was down for a while and users were sad about it, very sad indeed, all of them, for a long time. The cause was a bug.\n\n## Timeline\n- 10:00 - it broke\n- 11:00 - we fixed it and service was restored\n\n## Root cause\nA bug in the code that nobody tested before the release went out to production on a Friday.\n");
    let out = site.run(&["check", "--format", "github", "content"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("::error file=content/bad.md,line="), "{text}");
    assert!(text.contains("title=summary-duration::"), "{text}");
}
