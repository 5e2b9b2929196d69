//! Watching the site for changes: notify, debounced into batches.
//!
//! Editors save in many ways (write in place, write a temporary file and rename it over
//! the old one, delete and re-create, several events per save); all of them become one
//! batch of paths once the file system has been quiet for a moment. Editor litter
//! (swap files, backups) and the output folder are ignored.

use crate::error::{Error, Result};
use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher as _};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

pub struct Watcher {
    watcher: RecommendedWatcher,
    events: Receiver<notify::Result<notify::Event>>,
    root: PathBuf,
    /// Folders followed recursively (and watched again if they are re-created).
    dirs: Vec<PathBuf>,
    ignore: Vec<PathBuf>,
    /// Changes taken in by [`Watcher::poll`], for the next batch.
    early: BTreeSet<PathBuf>,
}

impl Watcher {
    /// Follows `root` itself (for `site.toml` and new folders) and the folders in `dirs`
    /// that exist; paths under `ignore` (the output) never count as changes.
    pub fn new(root: &Path, dirs: &[PathBuf], ignore: &[PathBuf]) -> Result<Watcher> {
        let (tx, events) = channel();
        let mut watcher = notify::recommended_watcher(tx)
            .map_err(|e| Error::Usage(format!("cannot watch files: {e}")))?;
        watcher
            .watch(root, RecursiveMode::NonRecursive)
            .map_err(|e| Error::Usage(format!("cannot watch {}: {e}", root.display())))?;
        let mut w = Watcher {
            watcher,
            events,
            root: root.to_owned(),
            dirs: dirs
                .iter()
                .filter(|d| d.starts_with(root) && *d != root)
                .cloned()
                .collect(),
            ignore: ignore.to_vec(),
            early: BTreeSet::new(),
        };
        for d in w.dirs.clone() {
            w.follow(&d);
        }
        Ok(w)
    }

    fn follow(&mut self, dir: &Path) {
        if dir.is_dir() {
            // A folder that cannot be watched is reported once and otherwise skipped.
            if let Err(e) = self.watcher.watch(dir, RecursiveMode::Recursive) {
                eprintln!("warning: cannot watch {}: {e}", dir.display());
            }
        }
    }

    /// Waits for the next batch of changes: the first event, then everything until the
    /// file system has been quiet for `quiet` (at most a second in all). `None` when
    /// the watcher has stopped.
    pub fn next_batch(&mut self, quiet: Duration) -> Option<Vec<PathBuf>> {
        loop {
            let mut paths = std::mem::take(&mut self.early);
            if paths.is_empty() {
                let first = self.events.recv().ok()?;
                self.collect(first, &mut paths);
            }
            let started = Instant::now();
            loop {
                let left = Duration::from_secs(1).saturating_sub(started.elapsed());
                match self.events.recv_timeout(quiet.min(left)) {
                    Ok(ev) => self.collect(ev, &mut paths),
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => return None,
                }
                if left.is_zero() {
                    break;
                }
            }
            // A watched folder created (or re-created) since: follow it.
            for d in self.dirs.clone() {
                if paths.contains(&d) {
                    self.follow(&d);
                }
            }
            if !paths.is_empty() {
                return Some(paths.into_iter().collect());
            }
        }
    }

    /// Takes in the changes that have come, without waiting; true when there are some
    /// (the next [`Watcher::next_batch`] starts with them).
    pub fn poll(&mut self) -> bool {
        let mut early = std::mem::take(&mut self.early);
        while let Ok(ev) = self.events.try_recv() {
            self.collect(ev, &mut early);
        }
        self.early = early;
        !self.early.is_empty()
    }

    /// Takes over what `old` (the watcher this one replaces) has seen and not yet
    /// handed out, so that no change is lost in between.
    pub fn take_over(&mut self, mut old: Watcher) {
        old.poll();
        self.early.append(&mut old.early);
    }

    fn collect(&self, event: notify::Result<notify::Event>, into: &mut BTreeSet<PathBuf>) {
        let Ok(event) = event else { return };
        if matches!(event.kind, EventKind::Access(_)) {
            return;
        }
        for p in event.paths {
            if self.ignore.iter().any(|i| p.starts_with(i)) || litter(&p) {
                continue;
            }
            // Only the root's own files that matter (site.toml) and the watched folders.
            if p.parent() == Some(&self.root)
                && !self.dirs.contains(&p)
                && p.file_name()
                    .is_some_and(|n| n != crate::config::CONFIG_FILE)
            {
                continue;
            }
            into.insert(p);
        }
    }
}

/// Swap files, backups and temporary files editors write beside the real one.
fn litter(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return true;
    };
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || (name.starts_with('#') && name.ends_with('#'))
        || name == "4913"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_litter_is_ignored() {
        for n in [".x.md.swp", "x.md~", "#x.md#", "4913", ".#x.md", "x.tmp"] {
            assert!(litter(Path::new(n)), "{n}");
        }
        assert!(!litter(Path::new("content/x.md")));
    }

    #[test]
    fn changes_seen_early_come_in_the_next_batch_even_of_a_new_watcher() {
        let dir = std::env::temp_dir().join(format!("hindsight-poll-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("content")).unwrap();
        let dir = dir.canonicalize().unwrap();
        let content = dir.join("content");
        let mut w = Watcher::new(&dir, std::slice::from_ref(&content), &[]).unwrap();
        std::fs::write(content.join("a.md"), "one").unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while !w.poll() {
            assert!(Instant::now() < deadline, "no change seen");
            std::thread::sleep(Duration::from_millis(20));
        }
        let mut renewed = Watcher::new(&dir, std::slice::from_ref(&content), &[]).unwrap();
        renewed.take_over(w);
        let batch = renewed.next_batch(Duration::from_millis(50)).unwrap();
        assert!(batch.contains(&content.join("a.md")), "{batch:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_save_by_rename_is_one_batch() {
        let dir = std::env::temp_dir().join(format!("hindsight-watch-{}", std::process::id()));
        let content = dir.join("content");
        std::fs::create_dir_all(&content).unwrap();
        let dir = dir.canonicalize().unwrap();
        let content = dir.join("content");
        std::fs::write(content.join("a.md"), "one").unwrap();
        let mut w =
            Watcher::new(&dir, std::slice::from_ref(&content), &[dir.join("public")]).unwrap();
        // What many editors do: write a temporary file, then rename it over the old one.
        std::fs::write(content.join(".a.md.tmp"), "two").unwrap();
        std::fs::rename(content.join(".a.md.tmp"), content.join("a.md")).unwrap();
        std::fs::write(dir.join("site.toml"), "title = \"x\"\n").unwrap();
        let batch = w.next_batch(Duration::from_millis(150)).unwrap();
        assert!(batch.contains(&content.join("a.md")), "{batch:?}");
        assert!(batch.contains(&dir.join("site.toml")), "{batch:?}");
        assert!(batch.iter().all(|p| !litter(p)), "{batch:?}");
        // Others delete the file and create it again.
        std::fs::remove_file(content.join("a.md")).unwrap();
        std::fs::write(content.join("a.md"), "three").unwrap();
        let batch = w.next_batch(Duration::from_millis(150)).unwrap();
        assert_eq!(batch, [content.join("a.md")]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
