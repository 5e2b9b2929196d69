//! A test site in a temporary folder, driven like a user story:
//! `TestSite::new("x").file("content/a.md", "...").build()`.

#![allow(dead_code)]

use hindsight::site::{Analysis, BuildSummary};
use hindsight::{BuildOptions, Site};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

pub struct TestSite {
    pub dir: PathBuf,
}

impl TestSite {
    pub fn new(name: &str) -> TestSite {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let dir =
            std::env::temp_dir().join(format!("hindsight-it-{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("content")).unwrap();
        // A site folder: the default settings, written down.
        std::fs::write(
            dir.join("site.toml"),
            "# a test site: the default settings\n",
        )
        .unwrap();
        TestSite { dir }
    }

    /// A site whose content is a copy of `src` (all files, recursively).
    pub fn with_content_from(name: &str, src: &Path) -> TestSite {
        let site = TestSite::new(name);
        copy_dir(src, &site.dir.join("content"));
        site
    }

    pub fn file(self, rel: &str, text: impl AsRef<[u8]>) -> TestSite {
        self.put(rel, text);
        self
    }

    /// Writes a file of the site (as `file` does) without taking the site.
    pub fn put(&self, rel: &str, text: impl AsRef<[u8]>) {
        let p = self.dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    pub fn remove(self, rel: &str) -> TestSite {
        std::fs::remove_file(self.dir.join(rel)).unwrap();
        self
    }

    pub fn build(&self) -> hindsight::Result<(BuildSummary, Analysis)> {
        Site::load(&self.dir)?.build(&BuildOptions::default())
    }

    pub fn built(&self) -> (BuildSummary, Analysis) {
        self.build().unwrap_or_else(|e| panic!("build failed: {e}"))
    }

    pub fn out(&self, rel: &str) -> PathBuf {
        self.dir.join("public").join(rel)
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.out(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_hindsight"));
        cmd.current_dir(&self.dir)
            .arg("--root")
            .arg(&self.dir)
            .arg("--color")
            .arg("never")
            .args(args);
        cmd
    }

    /// Runs the `hindsight` binary with `--root` at this site.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// [`TestSite::run`], killed and failed if it has not ended within `limit` (for
    /// what used to hang).
    pub fn run_within(&self, args: &[&str], limit: Duration) -> Output {
        let log = |name: &str| self.dir.join(format!(".run-{name}"));
        let mut child = self
            .command(args)
            .stdout(std::fs::File::create(log("stdout")).unwrap())
            .stderr(std::fs::File::create(log("stderr")).unwrap())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + limit;
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("hindsight {args:?} was still running after {limit:?}");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        Output {
            status,
            stdout: std::fs::read(log("stdout")).unwrap(),
            stderr: std::fs::read(log("stderr")).unwrap(),
        }
    }
}

impl Drop for TestSite {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn copy_dir(src: &Path, dst: &Path) {
    for e in walkdir::WalkDir::new(src)
        .into_iter()
        .filter_map(Result::ok)
    {
        let rel = e.path().strip_prefix(src).unwrap();
        let target = dst.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else if e.file_type().is_file() {
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// The repository's bundled sample content.
pub fn bundled_content() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("content")
}

/// `../shared` beside the checkout. Tests that call this are `#[ignore]`d (so a fresh
/// clone shows them as skipped) and `.ci/run` runs them with `--include-ignored`; run
/// that way, a missing `../shared` is a failure.
pub fn shared() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    assert!(
        p.join("corpus/alx/labels.jsonl").is_file(),
        "this test needs ../shared beside the checkout: {} is missing",
        p.display()
    );
    p
}

/// A postmortem template that never finishes: ten billion x's (issue 9's example).
/// Line 3 is the loop.
pub const RUNAWAY_TEMPLATE: &str = "{% extends \"base.html\" %}\n{% block content %}\n{% for a in range(end=100000) %}{% for b in range(end=100000) %}x{% endfor %}{% endfor %}\n{% endblock content %}\n";

/// A postmortem template that loops ten billion times without writing or calling
/// anything: no check inside rendering sees it, only the watchdog.
pub fn silent_loop_template() -> String {
    let xs: Vec<String> = (0..100).map(|i| i.to_string()).collect();
    format!(
        "{{% extends \"base.html\" %}}{{% block content %}}{{% set xs = [{}] %}}{}{{% set y = v4 %}}{}{{% endblock content %}}",
        xs.join(","),
        (0..5)
            .map(|i| format!("{{% for v{i} in xs %}}"))
            .collect::<String>(),
        "{% endfor %}".repeat(5)
    )
}

/// A minimal postmortem that passes every mandatory check.
pub fn good_postmortem(title: &str) -> String {
    format!(
        "# {title}

## Issue Summary

From 10:00 AM to 11:30 AM UTC on May 2, 2024, the checkout API returned errors and users could not pay. About 40% of users were affected. The root cause was a database connection pool that was too small for the new worker count.

## Timeline

- 10:00 AM - A monitoring alert fired for the checkout error rate.
- 10:05 AM - The on-call engineer investigated the API logs and assumed a bad deploy.
- 10:20 AM - Misleading path: the team rolled back the deploy, but errors did not stop.
- 10:40 AM - Escalated to the database team.
- 11:10 AM - The database team found the pool exhausted and raised its size.
- 11:30 AM - Error rate back to normal; incident resolved.

## Root Cause and Resolution

The root cause was the connection pool size: the new release doubled the number of API workers, and each worker held connections for the whole request, so the pool of 50 connections was exhausted under normal lunch traffic and requests waited until they timed out.

We fixed it by raising the pool size to 200 connections, changing the workers to release connections after each query, and restarting the API servers one by one while watching the error rate.

## Corrective and Preventative Measures

We will improve capacity planning and alerting on database resources.

- Add monitoring on database connection pool usage.
- Add a load test to the release checklist.
- Document the pool size in the runbook.
"
    )
}

/// The files Hindsight lists as its own in an output folder (its marker's manifest).
pub fn manifest(out: &Path) -> std::collections::BTreeSet<String> {
    let path = out.join(hindsight::output::MARKER);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let json: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?} is no manifest: {e}"));
    json["files"]
        .as_array()
        .unwrap_or_else(|| panic!("{path:?} lists no files"))
        .iter()
        .map(|f| f.as_str().unwrap().to_owned())
        .collect()
}

/// Panics unless `out` holds a complete site: its manifest lists index.html and every
/// file it lists is there. Returns the manifest.
pub fn assert_complete(out: &Path, when: &str) -> std::collections::BTreeSet<String> {
    let files = manifest(out);
    assert!(files.contains("index.html"), "{when}: no index.html listed");
    for f in &files {
        assert!(out.join(f).is_file(), "{when}: {f} is listed but missing");
    }
    files
}

/// What a build in progress keeps in an output folder (staging, journal, an older
/// version's aside folder): none of it may be left once a build has finished.
pub fn leftovers(out: &Path) -> Vec<String> {
    std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("staging") || n.contains("swap") || n.contains("old"))
        .collect()
}

/// Everything a spawned child writes to stderr, once it has finished writing.
pub fn read_stderr(child: &mut std::process::Child) -> String {
    use std::io::Read;
    let mut err = String::new();
    if let Some(mut stream) = child.stderr.take() {
        stream.read_to_string(&mut err).unwrap();
    }
    err
}
