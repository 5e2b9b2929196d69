//! The bundled gallery in a real browser: `tests/browser/check.mjs` loads the index,
//! `incidents/`, a postmortem page (with its related postmortems), the report, the tag
//! list, search and the insights page in
//! headless Chromium at 375 px and 1280 px, light and dark, and fails on console errors,
//! horizontal overflow or a timeline diagram drawn for the wrong width. Screenshots go to
//! `target/screenshots/browser/<theme>-<page>-<width>.png`.
//!
//! Ignored by a plain `cargo test` (a fresh clone has no Chromium); `.ci/run` installs
//! Chromium, runs `npm ci` in tests/browser and runs them with `--include-ignored`.

use crate::common::{TestSite, bundled_content, copy_dir, good_postmortem};
use crate::serve::Server;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Themes checked in the browser: each must exist and pass.
const THEMES: &[&str] = &["default", "terminal"];

/// Themes still being built: checked as soon as `themes/<name>` exists in the repository.
/// Once one has landed, move it into THEMES so that losing it is a failure.
const THEMES_WHEN_PRESENT: &[&str] = &[];

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The repository's `site.toml` with `theme = "<name>"` set (replacing any top-level
/// `theme` line; it goes first, before any `[table]`, so it stays a top-level key).
fn site_toml_for(theme: &str) -> String {
    let base = std::fs::read_to_string(repo().join("site.toml")).expect("reading site.toml");
    let mut out = format!("theme = \"{theme}\"\n");
    let mut in_table = false;
    for line in base.lines() {
        let t = line.trim_start();
        in_table |= t.starts_with('[');
        let is_theme = t
            .strip_prefix("theme")
            .is_some_and(|rest| rest.trim_start().starts_with('='));
        if !in_table && is_theme {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The bundled gallery in `theme` (the repository's copy of it, so an edit shows at
/// once), with `settings` before the repository's `site.toml`, built.
fn themed_site(name: &str, theme: &str, settings: &str) -> TestSite {
    let site = TestSite::with_content_from(name, &bundled_content())
        .file("site.toml", format!("{settings}{}", site_toml_for(theme)));
    let theme_dir = repo().join("themes").join(theme);
    if theme_dir.is_dir() {
        copy_dir(&theme_dir, &site.dir.join("themes").join(theme));
    }
    site.built();
    site
}

/// Runs `tests/browser/<script>` with `args` under node, printing what it printed; its
/// output as the error when it fails.
pub(crate) fn run_script(
    script: &str,
    args: &[&std::ffi::OsStr],
    chromium: &Path,
) -> Result<(), String> {
    let out = Command::new("node")
        .arg(repo().join("tests/browser").join(script))
        .args(args)
        .env("CHROMIUM", chromium)
        .output()
        .expect("running node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    eprint!("{stderr}");
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{stdout}{stderr}"))
    }
}

/// What is missing to run the browser check, as install hints.
fn missing_prerequisites(chromium: &Path) -> Vec<String> {
    let mut missing = Vec::new();
    let node_ok = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !node_ok {
        missing.push("node (Node.js 20 or newer) on PATH: apt-get install -y nodejs npm".into());
    }
    if !repo()
        .join("tests/browser/node_modules/playwright-core")
        .is_dir()
    {
        missing.push(
            "tests/browser/node_modules: run `npm ci --no-audit --no-fund` in tests/browser".into(),
        );
    }
    if !chromium.is_file() {
        missing.push(format!(
            "Chromium at {} (or set CHROMIUM): apt-get install -y --no-install-recommends \
             chromium fonts-dejavu-core fonts-noto-color-emoji",
            chromium.display()
        ));
    }
    missing
}

/// Chromium's path. The browser tests are `#[ignore]`d (a fresh clone has no Chromium);
/// `.ci/run` installs what they need and runs them with `--include-ignored`, where
/// anything missing is a failure that says what to install.
pub(crate) fn chromium() -> PathBuf {
    let chromium = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    let missing = missing_prerequisites(&chromium);
    assert!(
        missing.is_empty(),
        "the browser test cannot run; install:\n  {}",
        missing.join("\n  ")
    );
    chromium
}

#[test]
#[ignore = "needs Chromium and `npm ci` in tests/browser"]
fn pages_load_cleanly_in_chromium_at_phone_and_desktop_widths() {
    let chromium = chromium();

    let themes: Vec<&str> = THEMES
        .iter()
        .copied()
        .chain(
            THEMES_WHEN_PRESENT
                .iter()
                .copied()
                .filter(|t| repo().join("themes").join(t).is_dir()),
        )
        .collect();
    let shots = repo().join("target/screenshots/browser");
    std::fs::create_dir_all(&shots).unwrap();

    let started = Instant::now();
    let mut failed = Vec::new();
    for theme in &themes {
        let site = themed_site("browser", theme, "");
        let public = site.out("");
        let args = [public.as_os_str(), shots.as_os_str(), theme.as_ref()];
        if let Err(out) = run_script("check.mjs", &args, &chromium) {
            failed.push(format!("theme `{theme}`:\n{out}"));
        }
    }
    println!(
        "browser test: {} theme(s) ({}) in {:.1} s; screenshots in {}",
        themes.len(),
        themes.join(", "),
        started.elapsed().as_secs_f64(),
        shots.display()
    );
    assert!(
        failed.is_empty(),
        "the browser check failed:\n{}",
        failed.join("\n")
    );
}

/// A page open in Chromium follows the writer's saves: an edit shows up, a broken file
/// brings up the overlay, the fix takes it away, and the test never reloads the page.
#[test]
#[ignore = "needs Chromium and `npm ci` in tests/browser"]
fn an_open_page_updates_itself_as_the_file_is_edited() {
    let chromium = chromium();
    let site = TestSite::new("browser-live")
        .file("site.toml", "title = \"Live\"\n")
        .file("content/cache.md", good_postmortem("The cache that forgot"));
    let server = Server::start(&site, &[]);
    let shots = repo().join("target/screenshots/browser");
    std::fs::create_dir_all(&shots).unwrap();
    let mut node = Command::new("node")
        .arg(repo().join("tests/browser/live.mjs"))
        .arg(format!("http://{}/", server.addr))
        .arg("The cache that remembered")
        .arg("The cache, fixed for good")
        .arg(&shots)
        .env("CHROMIUM", &chromium)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running node");
    let file = site.dir.join("content/cache.md");
    let mut steps = Vec::new();
    for line in BufReader::new(node.stdout.take().unwrap())
        .lines()
        .map_while(Result::ok)
    {
        match line.as_str() {
            "READY" => std::fs::write(&file, good_postmortem("The cache that remembered")),
            "UPDATED" => std::fs::write(&file, "+++\ntitle = [\n+++\nhalf written\n"),
            "OVERLAY" => std::fs::write(&file, good_postmortem("The cache, fixed for good")),
            _ => Ok(()),
        }
        .unwrap();
        steps.push(line);
    }
    let status = node.wait().unwrap();
    let mut err = String::new();
    node.stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(
        status.success(),
        "live reload in the browser failed after {steps:?}:\n{err}"
    );
    assert_eq!(steps, ["READY", "UPDATED", "OVERLAY", "CLEARED"]);
}

/// A chart for the export's fixture: big enough to see in a screenshot.
const ERROR_RATE_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="480" height="120" viewBox="0 0 480 120"><rect width="480" height="120" fill="#eef2f7"/><polyline fill="none" stroke="#c0392b" stroke-width="3" points="0,100 80,96 120,30 200,24 260,28 300,90 480,96"/><text x="10" y="18" font-family="sans-serif" font-size="13">error rate, 10:00-11:30 UTC</text></svg>"##;

/// Every bundled postmortem exported (`hindsight export`) and opened from disk in
/// Chromium, in both themes: `tests/browser/export.mjs` records every request (and
/// refuses any to the network) and fails on one that is not the file itself, on a
/// console error (a load the page's Content-Security-Policy blocked is one), on
/// horizontal overflow, or on a part of the page (title, facts, timeline, text, checks,
/// diagram) laid out otherwise than on its page in the built site. Screenshots of each
/// export, its site page and the two side by side go to
/// `target/screenshots/export/<theme>-<slug>-{export,site,side-by-side}.png`.
#[test]
#[ignore = "needs Chromium and `npm ci` in tests/browser"]
fn exported_postmortems_load_nothing_and_look_like_their_pages_in_chromium() {
    let chromium = chromium();
    let shots = repo().join("target/screenshots/export");
    std::fs::create_dir_all(&shots).unwrap();
    let mut failed = Vec::new();
    for theme in THEMES {
        let site = themed_site("browser-export", theme, "drafts = true\n");
        let theme_dir = repo().join("themes").join(theme);
        let mut pairs = Vec::new();
        for src in hindsight::source::discover(&site.dir.join("content")).sources {
            for entry in 1.. {
                let out = site.dir.join(format!(
                    "exports/{}-{entry}.html",
                    src.rel.replace('/', "-")
                ));
                let run = site.run(&[
                    "export",
                    src.path.to_str().unwrap(),
                    "--entry",
                    &entry.to_string(),
                    "-o",
                    out.to_str().unwrap(),
                ]);
                if !run.status.success() {
                    break;
                }
                let html = std::fs::read_to_string(&out).unwrap();
                let marker = "incidents/";
                let at = html
                    .find("<meta property=\"og:url\" content=\"")
                    .and_then(|a| html[a..].find(marker).map(|b| a + b + marker.len()))
                    .expect("the export's og:url");
                let slug = &html[at..at + html[at..].find('/').unwrap()];
                pairs.push(serde_json::json!({
                    "name": slug,
                    "export": out,
                    "page": site.out(&format!("incidents/{slug}/index.html")),
                }));
            }
        }
        assert!(pairs.len() >= 18, "{theme}: {} exports", pairs.len());
        // And one checked alone, from a site whose base_url is "/" (no links to the
        // gallery): an image beside it, one from another site, one missing, a script.
        let alone = TestSite::new("browser-export-alone")
            .file("site.toml", format!("theme = \"{theme}\"\n"))
            .file("content/cohort/errors.md", format!(
                "{}\n![The error rate](graphs/errors.svg)\n\n![Grafana](https://grafana.example/panel.png)\n\n![Gone](gone.png)\n\n<script>alert(1)</script>\n",
                good_postmortem("The pool that ran dry")
            ))
            .file("content/cohort/graphs/errors.svg", ERROR_RATE_SVG);
        if theme_dir.is_dir() {
            copy_dir(&theme_dir, &alone.dir.join("themes").join(theme));
        }
        let out = site.dir.join("exports/alone.html");
        let run = alone.run(&[
            "export",
            "content/cohort/errors.md",
            "-o",
            out.to_str().unwrap(),
        ]);
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        pairs.push(serde_json::json!({ "name": "fixture-images", "export": out, "page": null }));
        let manifest = site.dir.join("exports/manifest.json");
        std::fs::write(&manifest, serde_json::to_string_pretty(&pairs).unwrap()).unwrap();
        let args = [manifest.as_os_str(), shots.as_os_str(), theme.as_ref()];
        if let Err(out) = run_script("export.mjs", &args, &chromium) {
            failed.push(format!("theme `{theme}`:\n{out}"));
        }
    }
    assert!(
        failed.is_empty(),
        "the export check failed:\n{}",
        failed.join("\n")
    );
}
