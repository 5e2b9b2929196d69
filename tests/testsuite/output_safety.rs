//! The output folder: nothing the user put there is lost, nothing that is not the site's
//! is published, two builds never write it at once, and `--strict` never replaces it.

use crate::common::{TestSite, assert_complete, good_postmortem, leftovers, manifest};
use crate::serve::Server;
use hindsight::BuildOptions;
use hindsight::session::Session;
use std::process::{Command, Stdio};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn built(site: &TestSite, args: &[&str]) -> std::process::Output {
    let out = site.run(args);
    assert!(out.status.success(), "{args:?} failed: {}", stderr(&out));
    out
}

#[test]
fn files_put_into_the_output_folder_survive_the_next_build() {
    // Published at an address, so that the build has nothing to warn of.
    let site = TestSite::new("keep")
        .file("site.toml", "base_url = \"https://example.org/\"\n")
        .file("content/a.md", good_postmortem("Alpha"))
        .file("content/b.md", good_postmortem("Beta"));
    built(&site, &["build"]);
    // What a user adds after a build: a CNAME for GitHub Pages, a folder of their own,
    // a note inside a folder of Hindsight's.
    let site = site
        .file("public/CNAME", "postmortems.example.org\n")
        .file("public/slides/deck.html", "<p>mine</p>")
        .file("public/incidents/a/notes.txt", "mine too")
        .remove("content/a.md");
    let out = built(&site, &["build"]);
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    assert_eq!(site.read("CNAME"), "postmortems.example.org\n");
    assert_eq!(site.read("slides/deck.html"), "<p>mine</p>");
    assert_eq!(site.read("incidents/a/notes.txt"), "mine too");
    // The page of the removed postmortem went; what the user put beside it did not.
    assert!(!site.out("incidents/a/index.html").exists());
    let files = assert_complete(&site.dir.join("public"), "after the build");
    assert!(!files.contains("CNAME") && !files.contains("incidents/a/index.html"));
}

#[test]
fn a_page_that_would_overwrite_a_users_file_is_an_error_naming_it() {
    let site = TestSite::new("clash").file("content/a.md", good_postmortem("Alpha"));
    built(&site, &["build"]);
    let before = site.read("index.html");
    // (Not robots.txt: Hindsight writes one when the site has none, so a robots.txt in
    // the output folder is its own.)
    let site = site
        .file("public/humans.txt", "Team: mine\n")
        .file("static/humans.txt", "Team: the site's\n")
        .file("content/b.md", good_postmortem("Beta"));
    let out = site.run(&["build"]);
    assert!(!out.status.success(), "the build must not overwrite it");
    let err = stderr(&out);
    assert!(
        err.starts_with("error: ") && err.contains("humans.txt") && err.contains("did not write"),
        "{err}"
    );
    assert_eq!(site.read("humans.txt"), "Team: mine\n");
    assert_eq!(site.read("index.html"), before, "the previous site stays");
    // The same bytes in the static folder: the file is taken as the site's own.
    let site = site.file("static/humans.txt", "Team: mine\n");
    built(&site, &["build"]);
    assert!(manifest(&site.dir.join("public")).contains("humans.txt"));
    // A file where a page's folder goes is named too.
    let site = site
        .file("public/collections/cohort-x", "a file of mine")
        .file("content/cohort-x/c.md", good_postmortem("C"));
    let err = stderr(&site.run(&["build"]));
    assert!(
        err.contains("collections/cohort-x") && err.contains("did not write"),
        "{err}"
    );
    assert_eq!(site.read("collections/cohort-x"), "a file of mine");
}

#[test]
fn a_folder_holding_only_hidden_entries_is_built_into_and_they_are_kept() {
    // A gh-pages checkout: only its .git.
    let site = TestSite::new("hidden")
        .file("content/a.md", good_postmortem("Alpha"))
        .file("public/.git/HEAD", "ref: refs/heads/gh-pages\n");
    built(&site, &["build"]);
    built(&site, &["build"]);
    assert_eq!(site.read(".git/HEAD"), "ref: refs/heads/gh-pages\n");
    assert_complete(&site.dir.join("public"), "after two builds");
}

#[test]
fn a_second_build_into_a_folder_being_written_fails_with_a_clear_message() {
    let site = TestSite::new("lock").file("content/a.md", good_postmortem("Alpha"));
    // A live session (what `serve` and `build --watch` run) holds the folder.
    let (session, _) = Session::start(&site.dir, BuildOptions::default()).unwrap();
    let before = site.read("index.html");
    let site = site.file("content/a.md", good_postmortem("Changed"));
    let out = site.run(&["build"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.starts_with("error: another build is writing ") && err.contains("public"),
        "{err}"
    );
    assert_eq!(site.read("index.html"), before);
    drop(session);
    built(&site, &["build"]);
    assert!(site.read("index.html").contains("Changed"));
}

#[test]
fn a_build_into_the_folder_a_preview_serves_is_refused() {
    let site = TestSite::new("lock-serve").file("content/a.md", good_postmortem("Alpha"));
    let server = Server::start(&site, &[]);
    let err = stderr(&site.run(&["build"]));
    assert!(err.contains("another build is writing"), "{err}");
    drop(server);
    built(&site, &["build"]);
}

#[test]
fn two_builds_at_once_leave_one_complete_site() {
    let mut site = TestSite::new("two-at-once");
    for i in 0..8 {
        site = site.file(
            &format!("content/p{i}.md"),
            good_postmortem(&format!("P{i}")),
        );
    }
    built(&site, &["build"]);
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_hindsight"))
            .args(["--color", "never", "--root"])
            .arg(&site.dir)
            .arg("build")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    for round in 0..3 {
        let (a, b) = (spawn(), spawn());
        let results = [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()];
        for r in &results {
            assert!(
                r.status.success() || stderr(r).contains("another build is writing"),
                "round {round}: {}",
                stderr(r)
            );
        }
        assert!(results.iter().any(|r| r.status.success()), "round {round}");
        assert_complete(&site.dir.join("public"), &format!("round {round}"));
        let left = leftovers(&site.dir.join("public"));
        assert!(left.is_empty(), "round {round}: {left:?}");
    }
}

#[test]
fn a_strict_build_with_problems_keeps_the_published_site_and_says_why() {
    let site = TestSite::new("strict").file("content/a.md", good_postmortem("Alpha"));
    built(&site, &["build", "--strict"]);
    let before = site.read("index.html");
    let site = site
        .file("content/b.md", good_postmortem("Beta"))
        .file("content/binary.md", b"\x00\x01\x02\x03binary");
    let out = site.run(&["build", "--strict"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("content/binary.md"),
        "the problem itself: {err}"
    );
    let last = err.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("error: 1 problem") && last.contains("was not replaced"),
        "{err}"
    );
    assert_eq!(site.read("index.html"), before);
    assert!(!site.out("incidents/b/index.html").exists());
    // Without --strict the same files build, with the problem reported.
    built(&site, &["build"]);
    assert!(site.out("incidents/b/index.html").is_file());
}

#[test]
fn an_output_folder_the_build_reads_is_refused() {
    let site = TestSite::new("reads")
        .file("content/a.md", good_postmortem("Alpha"))
        .file("templates/404.html", "<html>{{ site.title }}</html>")
        .file("themes/mine/theme.toml", "name = \"mine\"\n")
        .file("static/favicon.ico", "icon");
    for (output, settings) in [
        ("templates", ""),
        ("templates/out", ""),
        ("themes", ""),
        ("themes/mine", ""),
        ("static", ""),
        ("static/out", ""),
        ("content", ""),
        ("content/out", ""),
        (".", ""),
        ("web", "static_dir = \"web/static\"\n"),
        ("assets", "static_dir = \"assets\"\n"),
    ] {
        site.put(
            "site.toml",
            format!("output_dir = \"{output}\"\n{settings}"),
        );
        let out = site.run(&["build"]);
        assert!(
            !out.status.success(),
            "output_dir = {output:?} was accepted"
        );
        assert!(
            stderr(&out).starts_with("error: "),
            "{output}: {}",
            stderr(&out)
        );
        assert!(
            !site.dir.join(output).join("index.html").exists(),
            "{output}: written"
        );
        let flag = site.run(&["build", "--output", output]);
        assert!(!flag.status.success(), "--output {output} was accepted");
    }
    assert_eq!(
        std::fs::read_to_string(site.dir.join("templates/404.html")).unwrap(),
        "<html>{{ site.title }}</html>"
    );
}

#[test]
fn a_static_folder_outside_the_site_or_the_site_itself_is_refused() {
    let outside = TestSite::new("outside").file("passwd", "root:x:0:0\n");
    let site = TestSite::new("static-out").file("content/a.md", good_postmortem("Alpha"));
    let outside_dir = outside.dir.display().to_string();
    for value in [
        "/etc",
        ".",
        "",
        "..",
        "../x",
        "static/../..",
        "content",
        outside_dir.as_str(),
    ] {
        site.put(
            "site.toml",
            format!("title = \"x\"\nstatic_dir = \"{value}\"\n"),
        );
        let out = site.run(&["build"]);
        assert!(!out.status.success(), "static_dir = {value:?} was accepted");
        let err = stderr(&out);
        assert!(
            err.contains("site.toml:2") && err.contains("static_dir"),
            "{value}: {err}"
        );
        assert!(!site.out("passwd").exists() && !site.out("site.toml").exists());
    }
    // A static folder that is a symbolic link out of the site.
    site.put("site.toml", "title = \"x\"\n");
    std::os::unix::fs::symlink(&outside.dir, site.dir.join("static")).unwrap();
    let err = stderr(&site.run(&["build"]));
    assert!(
        err.contains("static_dir") && err.contains("outside"),
        "{err}"
    );
    assert!(!site.out("passwd").exists());
}

#[test]
fn static_files_never_include_hidden_files_links_or_settings() {
    let outside = TestSite::new("outside-file").file("secret.txt", "secret");
    let site = TestSite::new("static-filter")
        .file("content/a.md", good_postmortem("Alpha"))
        .file("static/robots.txt", "User-agent: *\n")
        .file("static/img/logo.svg", "<svg/>")
        .file("static/.env", "TOKEN=secret")
        .file("static/.git/config", "[core]")
        .file("static/site.toml", "title = \"private\"\n")
        .file("static/img/site.toml", "title = \"private\"\n");
    std::os::unix::fs::symlink(
        outside.dir.join("secret.txt"),
        site.dir.join("static/secret.txt"),
    )
    .unwrap();
    std::os::unix::fs::symlink(&outside.dir, site.dir.join("static/linked")).unwrap();
    built(&site, &["build"]);
    assert!(site.out("robots.txt").is_file() && site.out("img/logo.svg").is_file());
    for hidden in [
        ".env",
        ".git",
        "site.toml",
        "img/site.toml",
        "secret.txt",
        "linked",
    ] {
        assert!(!site.out(hidden).exists(), "{hidden} was published");
    }
}
