//! The output folder: nothing that is not the site's is published.

use crate::common::{TestSite, good_postmortem};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn built(site: &TestSite, args: &[&str]) -> std::process::Output {
    let out = site.run(args);
    assert!(out.status.success(), "{args:?} failed: {}", stderr(&out));
    out
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
