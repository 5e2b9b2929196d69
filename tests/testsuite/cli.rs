//! The command line: init, new, version, errors.

use crate::common::TestSite;
use std::process::Command;

fn hindsight(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .args(["--color", "never"])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn init_makes_a_site_that_builds_at_once() {
    let tmp = TestSite::new("init");
    let dir = tmp.dir.join("new-site");
    let out = hindsight(&["init", dir.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = hindsight(&["--root", dir.to_str().unwrap(), "build"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        dir.join("public/incidents/example-postmortem/index.html")
            .is_file()
    );
    // The example passes the rubric, so `check` is happy too.
    let out = hindsight(&["--root", dir.to_str().unwrap(), "check"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // A second init refuses to overwrite.
    let out = hindsight(&["init", dir.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already"));
}

#[test]
fn new_writes_a_postmortem_from_the_template() {
    let site = TestSite::new("new");
    let out = site.run(&[
        "new",
        "Cache Stampede at Noon",
        "--collection",
        "Cohort 9",
        "--author",
        "Ada",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = site.dir.join("content/cohort-9/cache-stampede-at-noon.md");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("title = \"Cache Stampede at Noon\"") && text.contains("author = \"Ada\"")
    );
    assert!(text.contains("draft = true"));
    assert!(
        !site
            .run(&["new", "Cache Stampede at Noon", "--collection", "Cohort 9"])
            .status
            .success()
    );
    // The template is a draft: it builds without being published.
    let out = site.run(&["build"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn version_and_help() {
    let out = hindsight(&["--version"]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("hindsight "));
    let out = hindsight(&["--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    for word in [
        "build",
        "check",
        "init",
        "new",
        "--root",
        "--quiet",
        "--verbose",
    ] {
        assert!(help.contains(word), "help lacks {word}");
    }
}

#[test]
fn errors_name_the_file() {
    let out = hindsight(&["check", "/no/such/file.md"]);
    assert_eq!(out.status.code(), Some(1));
    // Reported like any unreadable file: in the report, naming the file and why.
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        report.contains("/no/such/file.md") && report.contains("no such file"),
        "{report}"
    );
    let site = TestSite::new("bad-config").file("site.toml", "sort_by = \"sideways\"\n");
    let out = site.run(&["build"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("site.toml:1") && err.contains("sideways"),
        "{err}"
    );
}

#[test]
fn build_reports_files_without_a_postmortem_and_strict_fails() {
    let site = TestSite::new("strict")
        .file("content/a.md", crate::common::good_postmortem("A"))
        .file("content/link.md", "https://example.com/my-postmortem\n");
    let out = site.run(&["build"]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("link.md") && err.contains("not a postmortem"),
        "{err}"
    );
    assert_eq!(site.run(&["build", "--strict"]).status.code(), Some(1));
    let quiet = site.run(&["build", "--quiet"]);
    assert!(quiet.stdout.is_empty());
}

/// A site long enough for the progress bar (its threshold is 200 files).
fn long_site(name: &str) -> TestSite {
    // Published at an address, so that the build has nothing to warn of.
    let site = TestSite::new(name).file("site.toml", "base_url = \"https://example.org/\"\n");
    for i in 0..240 {
        site.put(
            &format!("content/pm-{i:03}.md"),
            crate::common::good_postmortem(&format!("Outage {i}")),
        );
    }
    site
}

#[test]
fn a_long_build_prints_no_progress_when_stderr_is_not_a_terminal() {
    let site = long_site("progress-pipe");
    for args in [&["build"][..], &["check", "--format", "json"]] {
        let out = site.run(args);
        assert!(out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.is_empty(), "{args:?} wrote to stderr:\n{err}");
    }
    let out = site.run(&["build"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("Built 240 postmortems from 240 files"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(!text.contains('\r') && !text.contains('\x1b'), "{text:?}");
}

/// Runs `hindsight` with its stderr (and stdout) on a pseudo-terminal, through
/// util-linux's `script`; `None` where there is none.
#[cfg(target_os = "linux")]
fn on_a_terminal(site: &TestSite, args: &str) -> Option<String> {
    let command = format!(
        "{} --root {} --color never {args}",
        env!("CARGO_BIN_EXE_hindsight"),
        site.dir.display()
    );
    let out = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        // indicatif draws nothing on a terminal called dumb, or with no TERM at all.
        .env("TERM", "xterm")
        .stdin(std::process::Stdio::null())
        .output()
        .ok()?;
    assert!(out.status.success(), "{command}");
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
#[cfg(target_os = "linux")]
fn a_terminal_sees_the_bar_of_a_long_build_unless_quiet() {
    let site = long_site("progress-tty");
    let Some(built) = on_a_terminal(&site, "build") else {
        eprintln!("skipped: no `script` to give the build a terminal");
        return;
    };
    assert!(
        built.contains("Analysing") && built.contains("/240 files"),
        "{built}"
    );
    assert!(
        built.contains("Rendering") && built.contains("pages written"),
        "{built}"
    );
    // The bar is cleared before the summary, which stands alone on its line.
    let summary = built
        .rsplit('\r')
        .find(|s| s.contains("Built 240"))
        .unwrap_or("");
    assert!(
        summary
            .trim_start_matches("\x1b[2K")
            .starts_with("Built 240 postmortems"),
        "{built:?}"
    );

    let quiet = on_a_terminal(&site, "--quiet build").unwrap_or_default();
    assert!(
        !quiet.contains("Analysing") && !quiet.contains("Rendering"),
        "{quiet}"
    );
    let checked = on_a_terminal(&site, "check --format json").unwrap_or_default();
    assert!(checked.contains("Analysing"), "{checked}");

    // A short build has no bar.
    let short =
        TestSite::new("progress-short").file("content/a.md", crate::common::good_postmortem("A"));
    let built = on_a_terminal(&short, "build").unwrap_or_default();
    assert!(
        !built.contains("Analysing") && !built.contains("Rendering"),
        "{built}"
    );
}
