//! Writing the site so that a failed build leaves the previous output as it was, and
//! nothing outside the output folder is ever written or deleted.
//!
//! Pages are written into a staging folder inside the output folder; only when every
//! page is rendered does [`Output::commit`] swap the new files in. A folder that holds
//! files Hindsight did not make is refused rather than replaced.

use crate::error::{Error, Result};
use std::path::{Component, Path, PathBuf};

/// Written into every output folder, so a later build knows the folder is its own.
pub const MARKER: &str = ".hindsight-output";
const STAGING_PREFIX: &str = ".hindsight-staging-";
const OLD_PREFIX: &str = ".hindsight-old-";

pub struct Output {
    dir: PathBuf,
    staging: PathBuf,
    committed: bool,
}

impl Output {
    /// Checks that `dir` is safe to replace and opens a staging folder inside it.
    /// `protected` are folders the output may not be or contain (the site root and the
    /// content folder); the output may not sit inside `content` either, or the next
    /// build would read its own pages.
    pub fn prepare(dir: &Path, protected: &[&Path], content: Option<&Path>) -> Result<Output> {
        let refuse = |message: String| Error::Output {
            path: dir.to_owned(),
            message,
        };
        let abs = absolute(dir);
        if abs.parent().is_none() || abs.components().count() <= 2 {
            return Err(refuse(
                "refusing to use a filesystem root or top-level folder as the output folder".into(),
            ));
        }
        if let Some(home) = std::env::var_os("HOME").map(PathBuf::from)
            && absolute(&home) == abs
        {
            return Err(refuse(
                "refusing to use the home folder as the output folder".into(),
            ));
        }
        for p in protected {
            let p = absolute(p);
            if p == abs {
                return Err(refuse(format!(
                    "the output folder cannot be {}",
                    p.display()
                )));
            }
            if p.starts_with(&abs) {
                return Err(refuse(format!(
                    "the output folder contains {}, which a build would replace",
                    p.display()
                )));
            }
        }
        if let Some(c) = content
            && abs.starts_with(absolute(c))
        {
            return Err(refuse(format!(
                "the output folder cannot be inside the content folder {}",
                c.display()
            )));
        }
        match std::fs::read_dir(&abs) {
            Ok(entries) => {
                let mut foreign = false;
                let mut marked = false;
                for e in entries.flatten() {
                    let name = e.file_name();
                    let name = name.to_string_lossy();
                    if name == MARKER {
                        marked = true;
                    } else if !name.starts_with(STAGING_PREFIX) && !name.starts_with(OLD_PREFIX) {
                        foreign = true;
                    }
                }
                if foreign && !marked {
                    return Err(refuse(
                        "the output folder already holds files that Hindsight did not write; choose another folder or empty it".into(),
                    ));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(&abs, e)),
        }
        crate::error::fs::create_dir_all(&abs)?;
        let abs = abs.canonicalize().map_err(|e| Error::io(&abs, e))?;
        // Leftovers of a build that was killed.
        if let Ok(entries) = std::fs::read_dir(&abs) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.starts_with(STAGING_PREFIX) || name.starts_with(OLD_PREFIX) {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
        let staging = abs.join(format!("{STAGING_PREFIX}{}", std::process::id()));
        crate::error::fs::create_dir_all(&staging)?;
        Ok(Output {
            dir: abs,
            staging,
            committed: false,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where `rel` goes in the staging folder; refuses paths that would leave it.
    fn target(&self, rel: &str) -> Result<PathBuf> {
        let p = Path::new(rel);
        let safe = !rel.is_empty()
            && p.components().all(|c| matches!(c, Component::Normal(_)))
            && !rel.contains('\\');
        if !safe {
            return Err(Error::Output {
                path: self.dir.join(rel),
                message: "refusing to write outside the output folder".into(),
            });
        }
        Ok(self.staging.join(p))
    }

    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) -> Result<()> {
        let target = self.target(rel)?;
        crate::error::fs::write(&target, bytes)
    }

    pub fn copy(&self, rel: &str, from: &Path) -> Result<()> {
        let target = self.target(rel)?;
        if let Some(parent) = target.parent() {
            crate::error::fs::create_dir_all(parent)?;
        }
        std::fs::copy(from, &target).map_err(|e| Error::io(from, e))?;
        Ok(())
    }

    /// Swaps the staged site in for the old one.
    pub fn commit(mut self) -> Result<()> {
        std::fs::write(
            self.staging.join(MARKER),
            "Generated by Hindsight. This folder is replaced on every build.\n",
        )
        .map_err(|e| Error::io(self.staging.join(MARKER), e))?;
        let old = self.dir.join(format!("{OLD_PREFIX}{}", std::process::id()));
        crate::error::fs::create_dir_all(&old)?;
        let staging_name = self.staging.file_name().map(|n| n.to_owned());
        let old_name = old.file_name().map(|n| n.to_owned());
        for e in std::fs::read_dir(&self.dir)
            .map_err(|e| Error::io(&self.dir, e))?
            .flatten()
        {
            let name = e.file_name();
            if Some(&name) == staging_name.as_ref() || Some(&name) == old_name.as_ref() {
                continue;
            }
            std::fs::rename(e.path(), old.join(&name)).map_err(|err| Error::io(e.path(), err))?;
        }
        for e in std::fs::read_dir(&self.staging)
            .map_err(|e| Error::io(&self.staging, e))?
            .flatten()
        {
            std::fs::rename(e.path(), self.dir.join(e.file_name()))
                .map_err(|err| Error::io(e.path(), err))?;
        }
        let _ = std::fs::remove_dir_all(&old);
        let _ = std::fs::remove_dir_all(&self.staging);
        self.committed = true;
        Ok(())
    }
}

impl Drop for Output {
    /// A build that did not commit leaves the old output as it was.
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

/// An absolute, lexically normalised path (without touching the file system, so it
/// works for folders that do not exist yet).
pub fn absolute(p: &Path) -> PathBuf {
    let base = if p.is_absolute() {
        PathBuf::new()
    } else {
        std::env::current_dir().unwrap_or_default()
    };
    let joined = base.join(p);
    // Resolve symlinks of the part that exists, so /tmp and /private/tmp compare equal.
    let mut existing = joined.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (
            existing.file_name().map(|n| n.to_owned()),
            existing.parent(),
        ) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                existing = parent.to_owned();
            }
            _ => break,
        }
    }
    let mut out = existing.canonicalize().unwrap_or(existing);
    for name in rest.into_iter().rev() {
        out.push(name);
    }
    let mut norm = PathBuf::new();
    for c in out.components() {
        match c {
            Component::ParentDir => {
                norm.pop();
            }
            Component::CurDir => {}
            other => norm.push(other),
        }
    }
    norm
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("hindsight-out-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn commit_replaces_and_abort_keeps() {
        let site = tmp("commit");
        let out = site.join("public");
        let o = Output::prepare(&out, &[&site.join("content")], None).unwrap();
        o.write("index.html", "one").unwrap();
        o.write("a/b/index.html", "deep").unwrap();
        o.commit().unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "one"
        );
        assert!(out.join(MARKER).exists());

        // A build that fails before commit leaves the old site untouched.
        let o = Output::prepare(&out, &[], None).unwrap();
        o.write("index.html", "two").unwrap();
        drop(o);
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "one"
        );
        assert!(out.join("a/b/index.html").exists());

        // A new build removes pages that are gone.
        let o = Output::prepare(&out, &[], None).unwrap();
        o.write("index.html", "three").unwrap();
        o.commit().unwrap();
        assert!(!out.join("a").exists());
        let names: Vec<_> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
        std::fs::remove_dir_all(&site).unwrap();
    }

    #[test]
    fn refuses_dangerous_folders() {
        let site = tmp("danger");
        std::fs::write(site.join("notes.txt"), "mine").unwrap();
        assert!(Output::prepare(Path::new("/"), &[], None).is_err());
        assert!(Output::prepare(&site, &[], None).is_err(), "foreign files");
        let content = site.join("content");
        std::fs::create_dir_all(&content).unwrap();
        assert!(Output::prepare(&content, &[&content], None).is_err());
        assert!(Output::prepare(&site.join("content/out"), &[], Some(&content)).is_err());
        let other = site.join("other");
        std::fs::create_dir_all(other.join("content")).unwrap();
        assert!(
            Output::prepare(&other, &[&other.join("content")], None).is_err(),
            "contains content"
        );
        assert!(Output::prepare(&site.join("public"), &[&content], Some(&content)).is_ok());
        assert!(std::fs::read_to_string(site.join("notes.txt")).is_ok());
        std::fs::remove_dir_all(&site).unwrap();
    }

    #[test]
    fn refuses_paths_that_climb_out() {
        let site = tmp("climb");
        let o = Output::prepare(&site.join("public"), &[], None).unwrap();
        assert!(o.write("../evil.html", "x").is_err());
        assert!(o.write("/etc/evil", "x").is_err());
        assert!(o.write("a/../../evil", "x").is_err());
        assert!(!site.join("evil.html").exists());
        std::fs::remove_dir_all(&site).unwrap();
    }
}
