//! Finding the postmortems: a walk of the content folder that takes text files, keeps
//! other files as assets to copy, and says why it left anything out.

use crate::model::Diagnostic;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// A text file to read as one or more postmortems.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SourcePath {
    /// Where to read it.
    pub path: PathBuf,
    /// Relative to the content folder, with `/` separators: the stable name of the file.
    pub rel: String,
    /// The subfolder it sits in (`cohort-2024`), if any.
    pub collection: Option<String>,
}

/// Everything under the content folder, sorted by path so builds are reproducible.
#[derive(Debug, Default)]
pub struct Discovered {
    pub sources: Vec<SourcePath>,
    /// Images and other files postmortems may link to; copied beside the pages.
    pub assets: Vec<SourcePath>,
    /// What was passed over on purpose or could not be read, with the reason.
    pub skipped: Vec<(String, Diagnostic)>,
}

/// Extensions read as postmortems. Files without an extension are read too: students
/// often save `README` or `postmortem` bare.
const TEXT_EXTENSIONS: &[&str] = &["md", "markdown", "mdown", "mkd", "txt", "text"];

/// Extensions that are never content nor worth copying: editor and OS leftovers.
const JUNK_EXTENSIONS: &[&str] = &[
    "swp",
    "swo",
    "swx",
    "bak",
    "tmp",
    "temp",
    "orig",
    "rej",
    "part",
    "crdownload",
];

pub fn discover(content_dir: &Path) -> Discovered {
    let mut found = Discovered::default();
    let root_real = content_dir.canonicalize().ok();
    let mut walker = WalkDir::new(content_dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                let path = err
                    .path()
                    .map(|p| rel_name(content_dir, p))
                    .unwrap_or_default();
                let msg = err
                    .io_error()
                    .map_or_else(|| err.to_string(), |e| e.to_string());
                found.skipped.push((
                    path,
                    Diagnostic::error(format!("could not be read: {msg}"), None),
                ));
                continue;
            }
        };
        let path = entry.path();
        let file_type = entry.file_type();
        let rel = rel_name(content_dir, path);
        // Hidden files and folders (`.git`, `.secret.md`) are never read nor published;
        // a note says so, once for a whole folder.
        if entry.depth() > 0 && is_hidden(entry.file_name()) {
            if file_type.is_dir() {
                walker.skip_current_dir();
            }
            let what = if file_type.is_dir() { "folder" } else { "file" };
            found.skipped.push((
                rel,
                Diagnostic::info(
                    format!("skipped: a hidden {what}, never read nor published"),
                    None,
                ),
            ));
            continue;
        }
        if file_type.is_dir() {
            continue;
        }
        if file_type.is_symlink() {
            // A link is followed only when it stays inside the content folder, so a
            // stray link can never publish a file from elsewhere on the machine.
            let why = match (path.canonicalize(), &root_real) {
                (Ok(target), Some(root)) if !target.starts_with(root) => {
                    Some("leads outside the content folder")
                }
                (Ok(target), Some(_)) if !target.is_file() => {
                    Some("leads to a folder (links to folders are not followed)")
                }
                (Ok(_), Some(_)) => None,
                _ => Some("leads nowhere (its target is missing, or it loops)"),
            };
            if let Some(why) = why {
                found.skipped.push((
                    rel,
                    Diagnostic::warning(format!("skipped: a symbolic link that {why}"), None),
                ));
                continue;
            }
        }
        let name = entry.file_name().to_string_lossy();
        if is_junk(&name) {
            found.skipped.push((
                rel,
                Diagnostic::info(
                    "skipped: an editor backup or temporary file, never read nor published",
                    None,
                ),
            ));
            continue;
        }
        let collection = Path::new(&rel)
            .parent()
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .filter(|p| !p.is_empty());
        let item = SourcePath {
            path: path.to_owned(),
            rel,
            collection,
        };
        if is_text(path) {
            found.sources.push(item);
        } else {
            found.assets.push(item);
        }
    }
    found
}

/// Whether a file is read as a postmortem (a text extension or none) rather than
/// copied as an asset.
fn is_text(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_none_or(|ext| TEXT_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()))
}

/// Whether the file at `rel` (relative to the content folder, `/`-separated) is copied
/// into the site as an asset: not hidden, not an editor leftover, not a postmortem.
pub fn is_asset(rel: &str) -> bool {
    let hidden = rel
        .split('/')
        .any(|part| part.starts_with('.') && part != "." && part != "..");
    let name = rel.rsplit('/').next().unwrap_or(rel);
    !hidden && !is_junk(name) && !is_text(Path::new(rel))
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_some_and(|n| n.starts_with('.'))
}

/// Editor backups and temporary files: `notes.md~`, `#notes.md#`, `.#notes.md`, `x.swp`.
fn is_junk(name: &str) -> bool {
    if name.ends_with('~') || (name.starts_with('#') && name.ends_with('#')) {
        return true;
    }
    if matches!(name, "Thumbs.db" | "desktop.ini") {
        return true;
    }
    Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| JUNK_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

fn rel_name(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Level;

    #[test]
    fn walks_text_files_collections_and_assets() {
        let dir = tempdir("discover");
        let files = [
            "a.md",
            "b.txt",
            "README",
            "notes.markdown",
            "cohort-1/c.md",
            "cohort-1/diagram.png",
            ".hidden.md",
            ".git/config",
            "d.md~",
            "#e.md#",
            "f.swp",
        ];
        for f in files {
            let p = dir.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, "x").unwrap();
        }
        let found = discover(&dir);
        let names: Vec<_> = found.sources.iter().map(|s| s.rel.as_str()).collect();
        assert_eq!(
            names,
            ["README", "a.md", "b.txt", "cohort-1/c.md", "notes.markdown"]
        );
        assert_eq!(found.sources[3].collection.as_deref(), Some("cohort-1"));
        assert_eq!(found.sources[0].collection, None);
        let assets: Vec<_> = found.assets.iter().map(|s| s.rel.as_str()).collect();
        assert_eq!(assets, ["cohort-1/diagram.png"]);
        // What was left out is told, at the note level: once for a hidden folder.
        let skipped: Vec<_> = found.skipped.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(skipped, ["#e.md#", ".git", ".hidden.md", "d.md~", "f.swp"]);
        assert!(found.skipped.iter().all(|(_, d)| d.level == Level::Info));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn links_leading_outside_are_skipped_with_a_reason() {
        let dir = tempdir("discover-links");
        let outside = tempdir("discover-outside");
        std::fs::write(outside.join("secret.md"), "x").unwrap();
        std::fs::write(dir.join("inside.md"), "x").unwrap();
        std::os::unix::fs::symlink(outside.join("secret.md"), dir.join("leak.md")).unwrap();
        std::os::unix::fs::symlink(dir.join("inside.md"), dir.join("alias.md")).unwrap();
        std::os::unix::fs::symlink(dir.join("loop-b.md"), dir.join("loop-a.md")).unwrap();
        std::os::unix::fs::symlink(dir.join("loop-a.md"), dir.join("loop-b.md")).unwrap();
        std::os::unix::fs::symlink(dir.join("gone.md"), dir.join("dangling.md")).unwrap();
        std::os::unix::fs::symlink(&dir, dir.join("again")).unwrap();
        let found = discover(&dir);
        let names: Vec<_> = found.sources.iter().map(|s| s.rel.as_str()).collect();
        assert_eq!(names, ["alias.md", "inside.md"]);
        let skipped: Vec<_> = found
            .skipped
            .iter()
            .map(|(p, d)| format!("{p}: {}", d.message))
            .collect();
        assert_eq!(
            skipped,
            [
                "again: skipped: a symbolic link that leads to a folder (links to folders are not followed)",
                "dangling.md: skipped: a symbolic link that leads nowhere (its target is missing, or it loops)",
                "leak.md: skipped: a symbolic link that leads outside the content folder",
                "loop-a.md: skipped: a symbolic link that leads nowhere (its target is missing, or it loops)",
                "loop-b.md: skipped: a symbolic link that leads nowhere (its target is missing, or it loops)",
            ]
        );
        assert!(found.skipped.iter().all(|(_, d)| d.level == Level::Warning));
        std::fs::remove_dir_all(&dir).unwrap();
        std::fs::remove_dir_all(&outside).unwrap();
    }

    fn tempdir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("hindsight-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }
}
