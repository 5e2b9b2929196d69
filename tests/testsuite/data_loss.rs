//! A build killed at any instant leaves a complete site, the previous one or the new
//! one, and the next build succeeds without anyone cleaning up.
//!
//! The binary builds a larger site over a smaller one and is stopped: by `kill -9`
//! after varied delays (wherever that lands), and deterministically inside the swap
//! through the library's `HINDSIGHT_TEST_CRASH_AT=swap:N` hook, which aborts the
//! process just before the Nth change the swap makes. Only what is on disk afterwards
//! is asserted, never how long anything took.

use crate::common::{TestSite, assert_complete, copy_dir, good_postmortem, leftovers};
use std::collections::BTreeSet;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::Duration;

const CNAME: &str = "postmortems.example.org\n";

fn build(site: &TestSite, crash_at: Option<usize>) -> std::process::Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hindsight"));
    cmd.args(["--quiet", "--color", "never", "--root"])
        .arg(&site.dir)
        .arg("build")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    match crash_at {
        Some(n) => cmd.env("HINDSIGHT_TEST_CRASH_AT", format!("swap:{n}")),
        None => cmd.env_remove("HINDSIGHT_TEST_CRASH_AT"),
    };
    cmd.spawn().unwrap()
}

fn finish(child: std::process::Child) -> (ExitStatus, String) {
    let out = child.wait_with_output().unwrap();
    (
        out.status,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Builds to the end; returns the manifest of the complete site it leaves.
fn build_ok(site: &TestSite, when: &str) -> BTreeSet<String> {
    let (status, err) = finish(build(site, None));
    assert!(status.success(), "{when}: the build failed: {err}");
    let out = site.dir.join("public");
    let files = assert_complete(&out, when);
    let left = leftovers(&out);
    assert!(left.is_empty(), "{when}: {left:?}");
    assert_eq!(site.read("CNAME"), CNAME, "{when}: the user's file");
    files
}

/// The content folder of the small site (two postmortems) or the larger one (fourteen,
/// in two collections, with tags); both have a page at `incidents/shared/`.
fn content(site: &TestSite, large: bool) {
    std::fs::remove_dir_all(site.dir.join("content")).unwrap();
    if large {
        for i in 0..14 {
            site.put(
                &format!("content/cohort-{}/m{i}.md", i % 2),
                format!(
                    "+++\ntags = [\"tag-{}\"]\n+++\n{}",
                    i % 5,
                    good_postmortem(&format!("More {i}"))
                ),
            );
        }
    } else {
        for name in ["s1", "s2"] {
            site.put(&format!("content/{name}.md"), good_postmortem(name));
        }
    }
    site.put(
        "content/shared.md",
        good_postmortem(&format!("Shared, large: {large}")),
    );
}

/// After a kill: the site on disk is the small one or the large one, whole.
fn assert_one_whole_site(site: &TestSite, sites: [&BTreeSet<String>; 2], when: &str) {
    let out = site.dir.join("public");
    let files = assert_complete(&out, when);
    assert!(
        sites.contains(&&files),
        "{when}: the manifest is neither the previous site's nor the new one's"
    );
    assert_eq!(site.read("CNAME"), CNAME, "{when}: the user's file");
}

fn aborted(status: ExitStatus) -> bool {
    status.signal() == Some(6)
}

#[test]
fn a_build_killed_at_any_point_leaves_a_complete_site_and_the_next_build_finishes() {
    let site = TestSite::new("data-loss");
    content(&site, false);
    site.put("site.toml", "title = \"Data loss\"\n");
    let (status, err) = finish(build(&site, None));
    assert!(status.success(), "{err}");
    site.put("public/CNAME", CNAME);
    let small = build_ok(&site, "the small site");
    content(&site, true);
    let large = build_ok(&site, "the large site");
    // Each swap's steps: the journal, a rename per file, the manifest, a removal per
    // page that is gone, the journal's removal. Stopped at each kind of step, going from
    // the small site to the large one and back: the first round with every file
    // written (the record of the last build's files removed, so the count of renames
    // is known), the second with only the changed files written and the rest kept, at
    // its first steps (the journal, the first renames).
    let steps = |from: &BTreeSet<String>, to: &BTreeSet<String>| {
        1 + to.len() + 1 + from.difference(to).count() + 1
    };
    let forget_record = || {
        let _ = std::fs::remove_file(site.dir.join("public/.hindsight-fingerprints"));
    };
    let picks: [fn(usize, usize) -> usize; 8] = [
        |_, _| 1,
        |_, _| 2,
        |to, _| to / 2,
        |to, _| to + 1,
        |to, _| to + 2,
        |to, _| to + 3,
        |_, all| all - 1,
        |_, all| all,
    ];
    let mut now_large = true;
    for (i, pick) in picks.iter().chain(picks.iter()).enumerate() {
        let (from, to) = if now_large {
            (&large, &small)
        } else {
            (&small, &large)
        };
        let all = steps(from, to);
        let kept = i >= picks.len();
        let n = if kept {
            pick(to.len(), all).min(1 + i % 3)
        } else {
            forget_record();
            pick(to.len(), all)
        };
        content(&site, !now_large);
        let (status, err) = finish(build(&site, Some(n)));
        let when = format!(
            "killed at swap:{n} of {all}, to the large site: {}, unchanged files kept: {kept}",
            !now_large
        );
        assert!(
            aborted(status),
            "{when}: the hook did not stop the build: {err}"
        );
        assert_one_whole_site(&site, [&small, &large], &when);
        // Every other time the next build is killed too, while it finishes this swap.
        if i % 2 == 1 {
            let (status, _) = finish(build(&site, Some(2)));
            if aborted(status) {
                assert_one_whole_site(&site, [&small, &large], &format!("{when}, then 2"));
            }
        }
        assert_eq!(&build_ok(&site, &format!("after {when}")), to);
        now_large = !now_large;
    }
    // One step past the last the swap makes, the hook never fires.
    assert!(now_large);
    forget_record();
    content(&site, false);
    let (status, err) = finish(build(&site, Some(steps(&large, &small) + 1)));
    assert!(status.success(), "{err}");
    assert_eq!(
        assert_complete(&site.dir.join("public"), "hook missed"),
        small
    );
    // kill -9 after varied delays, wherever they land.
    for (i, ms) in [0u64, 2, 5, 10, 25, 50, 100, 200, 350, 500]
        .iter()
        .enumerate()
    {
        let large_now = i % 2 == 0;
        content(&site, large_now);
        let mut child = build(&site, None);
        std::thread::sleep(Duration::from_millis(*ms));
        let _ = child.kill();
        finish(child);
        let when = format!("killed after {ms} ms");
        assert_one_whole_site(&site, [&small, &large], &when);
        let expected = if large_now { &large } else { &small };
        assert_eq!(&build_ok(&site, &when), expected, "{when}: the next build");
    }
}

#[test]
fn what_an_older_version_left_when_killed_mid_swap_is_put_back() {
    let site = TestSite::new("legacy-swap").file("content/a.md", good_postmortem("Alpha"));
    site.built();
    // Hindsight before the journal moved every entry aside, then the new ones in; killed
    // in between, it left the old site's entries in `.hindsight-old-PID` and no marker
    // beside the one new entry it had moved in.
    let out = site.dir.join("public");
    let old = out.join(".hindsight-old-4242");
    std::fs::create_dir_all(&old).unwrap();
    for e in std::fs::read_dir(&out).unwrap() {
        let e = e.unwrap();
        if e.path() != old {
            std::fs::rename(e.path(), old.join(e.file_name())).unwrap();
        }
    }
    std::fs::remove_file(old.join(".hindsight-lock")).unwrap();
    std::fs::write(
        old.join(".hindsight-output"),
        "Generated by Hindsight. This folder is replaced on every build.\n",
    )
    .unwrap();
    copy_dir(&old.join("incidents"), &out.join("incidents"));
    std::fs::create_dir_all(out.join(".hindsight-staging-4242/static")).unwrap();
    assert!(!out.join("index.html").exists());
    let built = site.run(&["build"]);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    assert_complete(&out, "after the build");
    let left = leftovers(&out);
    assert!(left.is_empty(), "{left:?}");
    assert!(Path::new(&out.join("incidents/a/index.html")).is_file());
}
