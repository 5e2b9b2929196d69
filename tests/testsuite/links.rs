//! Every internal link and image in a built site points at a file that exists, and every
//! `#fragment` at an id on its page.

use crate::common::{TestSite, bundled_content};
use regex::Regex;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Checks every `href`/`src` of every HTML page under `out`; returns the broken ones.
pub fn broken_links(out: &Path) -> Vec<String> {
    let tag = Regex::new(r#"<[a-zA-Z][^>]*>"#).unwrap();
    let attr = Regex::new(r#"\s(?:href|src)="([^"]*)""#).unwrap();
    let id = Regex::new(r#"\bid="([^"]*)""#).unwrap();
    let pages: Vec<PathBuf> = walkdir::WalkDir::new(out)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| e.path().to_owned())
        .collect();
    let mut ids: HashMap<PathBuf, HashSet<String>> = HashMap::new();
    for p in &pages {
        let html = std::fs::read_to_string(p).unwrap();
        ids.insert(
            p.canonicalize().unwrap(),
            id.captures_iter(&html).map(|c| c[1].to_owned()).collect(),
        );
    }
    let mut broken = Vec::new();
    for p in &pages {
        // The 404 page links from the site root, wherever it is served.
        if p.file_name().is_some_and(|n| n == "404.html") {
            continue;
        }
        let html = std::fs::read_to_string(p).unwrap();
        for c in tag
            .find_iter(&html)
            .flat_map(|t| attr.captures_iter(t.as_str()))
        {
            let url = c[1].replace("&amp;", "&");
            if url.contains("://") || url.starts_with("mailto:") || url.starts_with("data:") {
                continue;
            }
            let (path, fragment) = match url.split_once('#') {
                Some((a, b)) => (a.to_owned(), Some(b.to_owned())),
                None => (url.clone(), None),
            };
            let path = path.split('?').next().unwrap_or("").to_owned();
            let mut target = if path.is_empty() {
                p.clone()
            } else if let Some(abs) = path.strip_prefix('/') {
                // Root-relative (base_url "/"): from the site root.
                out.join(abs)
            } else {
                p.parent().unwrap().join(&path)
            };
            if path.ends_with('/') || target.is_dir() {
                target = target.join("index.html");
            }
            let Ok(real) = target.canonicalize() else {
                broken.push(format!("{}: {url}", p.display()));
                continue;
            };
            if !real.starts_with(out.canonicalize().unwrap()) {
                broken.push(format!("{}: {url} leaves the site", p.display()));
                continue;
            }
            if let Some(f) = fragment.filter(|f| !f.is_empty())
                && let Some(known) = ids.get(&real)
                && !known.contains(&f)
            {
                broken.push(format!("{}: {url} (no id {f})", p.display()));
            }
        }
    }
    broken
}

#[test]
fn the_bundled_gallery_has_no_broken_internal_links() {
    let site = TestSite::with_content_from("links", &bundled_content())
        .file("site.toml", "paginate_by = 4\n");
    site.built();
    let broken = broken_links(&site.dir.join("public"));
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn the_link_checker_finds_broken_links() {
    let site = TestSite::new("links-neg").file("content/a.md", crate::common::good_postmortem("A"));
    site.built();
    std::fs::write(
        site.out("extra.html"),
        r#"<a href="nowhere/">x</a> <a href="index.html#no-such-id">y</a>"#,
    )
    .unwrap();
    let broken = broken_links(&site.dir.join("public"));
    assert_eq!(broken.len(), 2, "{broken:?}");
}
