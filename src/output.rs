//! Writing the site so that nothing is lost and nothing is leaked: a failed or killed
//! build leaves a complete site (the previous one or the new one), nothing Hindsight did
//! not write is ever deleted or overwritten, and nothing outside the output folder is
//! ever written.
//!
//! - **Manifest.** The marker file [`MARKER`] lists every file Hindsight wrote into the
//!   folder. A build replaces and removes only files on that list; anything else (a
//!   `CNAME` for GitHub Pages, a folder of the user's own, a `.git`) stays as it is, and a
//!   page that would overwrite such a file is an error naming it.
//! - **Staging and journal.** Pages are written into a staging folder inside the output
//!   folder. When every page rendered, [`Output::commit`] writes a journal (what to
//!   install, what to remove) and only then moves the staged files in, one rename each,
//!   over the old ones; the manifest is switched once all are in place, and the pages
//!   that are gone are removed after that. At every instant each file on the manifest
//!   in force exists. A build killed before the journal leaves the previous site as it
//!   was; one killed after it is finished by the next build ([`recover`]), which also
//!   clears a staging folder left behind.
//! - **Lock.** A build holds an exclusive lock on [`LOCK`] inside the folder from
//!   [`Output::prepare`] on; the preview server keeps it (through [`Published`]) for as
//!   long as it runs. A second build into the same folder fails at once.

use crate::error::{Error, Result};
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Written into every output folder: the list of the files Hindsight wrote there, so a
/// later build knows what it may replace (and that the folder is its own).
pub const MARKER: &str = ".hindsight-output";
/// Locked by the build or preview that is writing the folder.
pub const LOCK: &str = ".hindsight-lock";
/// The new site, while it is being written.
const STAGING: &str = ".hindsight-staging";
/// Written when the new site is complete, before its files are moved in.
const JOURNAL: &str = ".hindsight-swap";
/// Files being written, before they are renamed into place.
const TMP: &str = ".hindsight-tmp";
/// What each file of the last build was made from (a fingerprint of its inputs) and
/// its size and time as written, so the next build can leave unchanged files alone.
const FINGERPRINTS: &str = ".hindsight-fingerprints";
/// What the last build read (see [`crate::readings`]).
pub(crate) const READINGS: &str = ".hindsight-readings";
/// Every name Hindsight keeps for itself at the top of the output folder starts so.
const RESERVED: &str = ".hindsight-";
/// What older versions left behind when killed mid-swap (the old site's entries, moved
/// aside), and their staging folders.
const LEGACY_OLD: &str = ".hindsight-old-";
const LEGACY_STAGING: &str = ".hindsight-staging-";

/// Held while a build or a preview writes an output folder (released when dropped, and
/// by the system when the process dies, so a killed build leaves no stale lock).
pub struct Lock {
    _file: std::fs::File,
    dir: PathBuf,
}

/// Takes the lock of the output folder `dir` (which must exist), or fails at once when
/// another build or preview holds it: waiting could mean waiting for a preview server
/// that runs all day.
pub fn lock(dir: &Path) -> Result<Lock> {
    let path = dir.join(LOCK);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io(&path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(Lock {
            _file: file,
            dir: dir.to_owned(),
        }),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::Usage(format!(
            "another build is writing {} (a `hindsight build` or `serve`); try again when it has finished, or build into another folder with --output",
            dir.display()
        ))),
        Err(std::fs::TryLockError::Error(e)) => Err(Error::io(&path, e)),
    }
}

/// A site being written into the staging folder of an output folder.
pub struct Output {
    dir: PathBuf,
    staging: PathBuf,
    lock: Option<Arc<Lock>>,
    written: Mutex<BTreeSet<String>>,
    /// Once the journal is written the swap must be finished, by this build or the next.
    journaled: bool,
}

impl Output {
    /// Checks that `dir` is safe to write, locks it, finishes or clears what a killed
    /// build left there, and opens a staging folder inside it.
    ///
    /// The output may not be the site folder `root` or contain it, and may not be, be
    /// inside or contain any folder in `reads` (what the build reads: content,
    /// templates, themes, static), or the next build would read its own pages.
    pub fn prepare(dir: &Path, root: &Path, reads: &[(&str, PathBuf)]) -> Result<Output> {
        Output::prepare_holding(dir, root, reads, None)
    }

    /// [`Output::prepare`] by a process that already holds the folder's lock (`held`),
    /// as a preview does when it starts over after giving up on a build: the lock passes
    /// from the old build to the new one instead of being refused to it.
    pub fn prepare_holding(
        dir: &Path,
        root: &Path,
        reads: &[(&str, PathBuf)],
        held: Option<Arc<Lock>>,
    ) -> Result<Output> {
        let abs = absolute(dir);
        check_place(&abs, root, reads)?;
        check_owner(&abs)?;
        crate::error::fs::create_dir_all(&abs)?;
        let abs = abs.canonicalize().map_err(|e| Error::io(&abs, e))?;
        let lock = match held.filter(|l| l.dir == abs) {
            Some(l) => l,
            None => Arc::new(lock(&abs)?),
        };
        recover(&abs)?;
        let staging = abs.join(STAGING);
        crate::error::fs::create_dir_all(&staging)?;
        Ok(Output {
            dir: abs,
            staging,
            lock: Some(lock),
            written: Mutex::new(BTreeSet::new()),
            journaled: false,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn target(&self, rel: &str) -> Result<PathBuf> {
        let target = inside(&self.staging, rel)?;
        self.written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(rel.to_owned());
        Ok(target)
    }

    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) -> Result<()> {
        let target = self.target(rel)?;
        crate::error::fs::write(&target, bytes)
    }

    /// Whether the folder holds a file of the user's at `rel`: there, and not on the
    /// manifest of the build that made the folder (an older Hindsight's marker without
    /// a list counts every file a build writes as its own).
    pub fn users(&self, rel: &str) -> bool {
        let there = inside(&self.dir, rel).is_ok_and(|p| std::fs::symlink_metadata(p).is_ok());
        there
            && match read_manifest(&self.dir) {
                Previous::Listed(files) => !files.contains(rel),
                Previous::Unlisted => false,
                Previous::None => true,
            }
    }

    pub fn copy(&self, rel: &str, from: &Path) -> Result<()> {
        let target = self.target(rel)?;
        if let Some(parent) = target.parent() {
            crate::error::fs::create_dir_all(parent)?;
        }
        std::fs::copy(from, &target).map_err(|e| Error::io(from, e))?;
        Ok(())
    }

    /// Moves the staged site in. Before anything in the folder changes, every staged
    /// file is checked against what is there: a file (or folder) Hindsight did not write
    /// where a page goes is an error naming it, and the previous site stays as it was.
    pub fn commit(self) -> Result<Published> {
        self.commit_keeping(BTreeSet::new())
    }

    /// [`Output::commit`] of a site of which only the changed files were staged: `keep`
    /// are the files of the new site that the previous build wrote as they are now (each
    /// must be on its manifest and in place), and stay.
    pub fn commit_keeping(mut self, keep: BTreeSet<String>) -> Result<Published> {
        let install = std::mem::take(&mut *self.written.lock().unwrap_or_else(|e| e.into_inner()));
        let previous = read_manifest(&self.dir);
        let listed = |rel: &str| matches!(&previous, Previous::Listed(old) if old.contains(rel));
        // (Each kept file is looked for on disk: thousands of `stat`s, in parallel.)
        if let Some(rel) = keep
            .par_iter()
            .find_first(|r| install.contains(*r) || !listed(r) || !self.dir.join(r).is_file())
        {
            return Err(Error::Output {
                path: self.dir.join(rel),
                message: "was to be kept from the last build, but that build did not write it"
                    .into(),
            });
        }
        let remove: Vec<String> = match previous {
            Previous::Listed(old) => {
                for rel in &install {
                    let staged = self.staging.join(rel);
                    make_way(&self.dir, rel, &|r| old.contains(r), &|r| {
                        old.contains(r) && !install.contains(r) && !keep.contains(r)
                    })
                    .check(&staged)?;
                }
                old.iter()
                    .filter(|r| !install.contains(*r) && !keep.contains(*r))
                    .cloned()
                    .collect()
            }
            // An older Hindsight's marker without a list: what is at a path this build
            // writes was its page; everything else is kept, as it may be the user's.
            Previous::Unlisted => {
                for rel in &install {
                    make_way(&self.dir, rel, &|_| true, &|_| false)
                        .check(&self.staging.join(rel))?;
                }
                Vec::new()
            }
            Previous::None => {
                for rel in &install {
                    make_way(&self.dir, rel, &|_| false, &|_| false)
                        .check(&self.staging.join(rel))?;
                }
                Vec::new()
            }
        };
        let journal = Journal {
            install: install.iter().cloned().collect(),
            keep: keep.iter().cloned().collect(),
            remove,
        };
        let text = serde_json::to_string(&journal).map_err(|e| Error::Output {
            path: self.dir.join(JOURNAL),
            message: e.to_string(),
        })?;
        crash_point();
        write_atomic(&self.dir, JOURNAL, text.as_bytes(), true)?;
        self.journaled = true;
        roll_forward(&self.dir, &journal)?;
        let mut manifest = install;
        manifest.extend(keep);
        Ok(Published {
            dir: self.dir.clone(),
            lock: self.lock.take(),
            manifest: Mutex::new(manifest),
            seq: AtomicUsize::new(0),
        })
    }
}

impl Drop for Output {
    /// A build that did not reach its journal leaves the old output as it was; one that
    /// did but could not finish leaves the swap to the next build.
    fn drop(&mut self) {
        if !self.journaled {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

/// An output folder after a build: its lock, still held, and its manifest, so a preview
/// can keep writing pages into it in place ([`Published::write`]), each file atomically
/// (written aside, then renamed over the old one), so a page being served is never half
/// written.
pub struct Published {
    dir: PathBuf,
    lock: Option<Arc<Lock>>,
    manifest: Mutex<BTreeSet<String>>,
    seq: AtomicUsize,
}

impl Published {
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The folder's lock, for a build of the same process to take over.
    pub fn lock(&self) -> Option<Arc<Lock>> {
        self.lock.clone()
    }

    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        self.replace(rel, |tmp| std::fs::write(tmp, bytes))
    }

    pub fn copy(&self, rel: &str, from: &Path) -> Result<()> {
        self.replace(rel, |tmp| std::fs::copy(from, tmp).map(|_| ()))
    }

    /// Whether the folder holds a file of the user's at `rel` (there, and not on the
    /// manifest).
    pub fn users(&self, rel: &str) -> bool {
        inside(&self.dir, rel).is_ok_and(|p| std::fs::symlink_metadata(p).is_ok())
            && !self
                .manifest
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .contains(rel)
    }

    /// Removes a file Hindsight wrote (a file not on the manifest is never removed),
    /// and the folders that removal emptied.
    pub fn remove(&self, rel: &str) -> Result<()> {
        let target = inside(&self.dir, rel)?;
        let mut manifest = self.manifest.lock().unwrap_or_else(|e| e.into_inner());
        if !manifest.contains(rel) {
            return Ok(());
        }
        remove_file(&self.dir, &target)?;
        // The file goes first: a file listed but missing is harmless, one present but
        // unlisted would be taken for the user's by the next build.
        manifest.remove(rel);
        write_manifest(&self.dir, &manifest, false)
    }

    fn replace(&self, rel: &str, fill: impl FnOnce(&Path) -> std::io::Result<()>) -> Result<()> {
        let target = inside(&self.dir, rel)?;
        let tmp_dir = self.dir.join(TMP);
        crate::error::fs::create_dir_all(&tmp_dir)?;
        let tmp = tmp_dir.join(self.seq.fetch_add(1, Ordering::Relaxed).to_string());
        let result = (|| {
            fill(&tmp).map_err(|e| Error::io(&tmp, e))?;
            {
                let mut manifest = self.manifest.lock().unwrap_or_else(|e| e.into_inner());
                if !manifest.contains(rel) {
                    make_way(&self.dir, rel, &|_| false, &|_| false).check(&tmp)?;
                    // Listed before it is written, so a kill in between leaves nothing
                    // that the next build would take for the user's.
                    manifest.insert(rel.to_owned());
                    write_manifest(&self.dir, &manifest, false)?;
                }
            }
            if let Some(parent) = target.parent() {
                crate::error::fs::create_dir_all(parent)?;
            }
            std::fs::rename(&tmp, &target).map_err(|e| Error::io(&target, e))
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }
}

/// Refuses output folders that a build must never fill: a filesystem root or top-level
/// folder, the home folder, the site folder (or one that contains it), and any folder
/// the build reads, inside one or containing one.
pub fn check_place(dir: &Path, root: &Path, reads: &[(&str, PathBuf)]) -> Result<()> {
    let abs = absolute(dir);
    let abs = abs.as_path();
    let refuse = |message: String| {
        Err(Error::Output {
            path: abs.to_owned(),
            message,
        })
    };
    if abs.parent().is_none() || abs.components().count() <= 2 {
        return refuse(
            "refusing to use a filesystem root or top-level folder as the output folder".into(),
        );
    }
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from)
        && absolute(&home) == abs
    {
        return refuse("refusing to use the home folder as the output folder".into());
    }
    let root = absolute(root);
    if root == abs {
        return refuse("the output folder cannot be the site folder".into());
    }
    if root.starts_with(abs) {
        return refuse(format!(
            "the output folder contains the site folder {}",
            root.display()
        ));
    }
    for (what, p) in reads {
        let p = absolute(p);
        let why = "which the build reads: the next build would read its own output";
        if p == abs {
            return refuse(format!(
                "the output folder cannot be the {what} {}, {why}",
                p.display()
            ));
        }
        if abs.starts_with(&p) {
            return refuse(format!(
                "the output folder cannot be inside the {what} {}, {why}",
                p.display()
            ));
        }
        if p.starts_with(abs) {
            return refuse(format!(
                "the output folder contains the {what} {}, {why}",
                p.display()
            ));
        }
    }
    Ok(())
}

/// A folder that exists must be Hindsight's (it holds one of its `.hindsight-` files),
/// or hold only hidden entries (a `.git` of a `gh-pages` checkout), which are kept.
fn check_owner(abs: &Path) -> Result<()> {
    let entries = match std::fs::read_dir(abs) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(abs, e)),
    };
    let mut foreign = None;
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with(RESERVED) {
            return Ok(());
        }
        if !name.starts_with('.') {
            foreign.get_or_insert(name);
        }
    }
    match foreign {
        Some(name) => Err(Error::Output {
            path: abs.to_owned(),
            message: format!(
                "the output folder already holds files that Hindsight did not write (such as {name}); choose another folder or empty it"
            ),
        }),
        None => Ok(()),
    }
}

/// What the previous build left listed.
enum Previous {
    /// No marker: a new folder (or one holding only hidden entries).
    None,
    /// A marker from an older Hindsight, without a list.
    Unlisted,
    Listed(BTreeSet<String>),
}

#[derive(serde::Deserialize)]
struct ManifestFile {
    files: BTreeSet<String>,
}

fn read_manifest(dir: &Path) -> Previous {
    match std::fs::read_to_string(dir.join(MARKER)) {
        Err(_) => Previous::None,
        Ok(text) => match serde_json::from_str::<ManifestFile>(&text) {
            Ok(m) => Previous::Listed(m.files),
            Err(_) => Previous::Unlisted,
        },
    }
}

/// Writes the manifest whole; `sync` waits for the disk too (a swap's, not a preview's
/// rewrites: a kill cannot tear an atomic rename, only a power cut could lose it).
fn write_manifest(dir: &Path, files: &BTreeSet<String>, sync: bool) -> Result<()> {
    /// The marker as written: the note first, for whoever opens it.
    #[derive(serde::Serialize)]
    struct Marker<'a> {
        generator: &'a str,
        note: &'a str,
        files: &'a BTreeSet<String>,
    }
    let text = serde_json::to_string_pretty(&Marker {
        generator: "Hindsight",
        note: "Hindsight writes, replaces and removes only the files listed here; anything else in this folder is left as it is.",
        files,
    })
    .unwrap_or_default();
    write_atomic(dir, MARKER, format!("{text}\n").as_bytes(), sync)
}

/// The swap still to do: every staged file to move in, then the old pages to remove.
#[derive(serde::Serialize, serde::Deserialize)]
struct Journal {
    install: Vec<String>,
    /// Files of the new site left as the last build wrote them (none in journals of
    /// older versions, which staged every file).
    #[serde(default)]
    keep: Vec<String>,
    remove: Vec<String>,
}

/// Finishes a swap whose journal is written. Every step can be done again: a file
/// already moved in is no longer in the staging folder, a file already removed is not
/// there, so a build killed here is finished by the next one.
fn roll_forward(dir: &Path, journal: &Journal) -> Result<()> {
    let staging = dir.join(STAGING);
    let retiring: BTreeSet<&str> = journal.remove.iter().map(String::as_str).collect();
    for rel in &journal.install {
        let from = staging.join(rel);
        if std::fs::symlink_metadata(&from).is_err() {
            continue;
        }
        make_way(dir, rel, &|_| true, &|r| retiring.contains(r)).clear()?;
        let to = dir.join(rel);
        if let Some(parent) = to.parent() {
            crate::error::fs::create_dir_all(parent)?;
        }
        crash_point();
        std::fs::rename(&from, &to).map_err(|e| Error::io(&to, e))?;
    }
    crash_point();
    let manifest = journal
        .install
        .iter()
        .chain(&journal.keep)
        .cloned()
        .collect();
    write_manifest(dir, &manifest, true)?;
    for rel in &journal.remove {
        crash_point();
        remove_file(dir, &dir.join(rel))?;
    }
    crash_point();
    std::fs::remove_file(dir.join(JOURNAL)).map_err(|e| Error::io(dir.join(JOURNAL), e))?;
    let _ = std::fs::remove_dir_all(&staging);
    let _ = std::fs::remove_dir(dir.join(TMP));
    Ok(())
}

/// What a killed build left: a journal means the new site was complete, so its swap is
/// finished; a staging folder without one is a build cut short, and goes.
pub fn recover(dir: &Path) -> Result<()> {
    let journal_path = dir.join(JOURNAL);
    match std::fs::read_to_string(&journal_path) {
        Ok(text) => {
            let journal: Journal = serde_json::from_str(&text).map_err(|e| Error::Output {
                path: journal_path.clone(),
                message: format!("the journal of an interrupted build does not read: {e}"),
            })?;
            roll_forward(dir, &journal)?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(journal_path, e)),
    }
    for name in [STAGING, TMP] {
        match std::fs::remove_dir_all(dir.join(name)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(Error::io(dir.join(name), e));
            }
            _ => {}
        }
    }
    // An older Hindsight killed mid-swap had moved the old site's entries aside: put
    // back what the new site had not yet replaced, so the folder is whole again.
    for e in std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .flatten()
    {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with(LEGACY_OLD) {
            for old in std::fs::read_dir(e.path())
                .map_err(|err| Error::io(e.path(), err))?
                .flatten()
            {
                let back = dir.join(old.file_name());
                if std::fs::symlink_metadata(&back).is_err() {
                    std::fs::rename(old.path(), &back).map_err(|err| Error::io(&back, err))?;
                }
            }
        }
        if name.starts_with(LEGACY_OLD) || name.starts_with(LEGACY_STAGING) {
            std::fs::remove_dir_all(e.path()).map_err(|err| Error::io(e.path(), err))?;
        }
    }
    Ok(())
}

/// What stands where `rel` goes in `dir`: the folders above it must be folders (not
/// files, not symbolic links, which would lead the write elsewhere) or not exist yet, and
/// the place itself must be free, or hold a file Hindsight wrote.
struct Way<'a> {
    dir: &'a Path,
    rel: &'a str,
    /// Files Hindsight wrote (and may replace).
    ours: &'a dyn Fn(&str) -> bool,
    /// Files Hindsight wrote that this build no longer writes (and may remove).
    retiring: &'a dyn Fn(&str) -> bool,
}

fn make_way<'a>(
    dir: &'a Path,
    rel: &'a str,
    ours: &'a dyn Fn(&str) -> bool,
    retiring: &'a dyn Fn(&str) -> bool,
) -> Way<'a> {
    Way {
        dir,
        rel,
        ours,
        retiring,
    }
}

/// What is in the way of a write.
enum Obstacle {
    /// A retiring file of ours where a folder is needed, or a folder holding only
    /// retiring files where a file goes: removed when the file moves in.
    Ours(PathBuf),
    /// Anything else: never touched.
    Foreign(PathBuf, &'static str),
}

impl Way<'_> {
    fn obstacles(&self, staged: Option<&Path>) -> Vec<Obstacle> {
        let mut found = Vec::new();
        let mut at = String::new();
        let parts: Vec<&str> = self.rel.split('/').collect();
        for part in &parts[..parts.len() - 1] {
            if !at.is_empty() {
                at.push('/');
            }
            at.push_str(part);
            let p = self.dir.join(&at);
            match std::fs::symlink_metadata(&p) {
                Err(_) => return found,
                Ok(m) if m.is_dir() => {}
                Ok(m) if m.is_file() && (self.retiring)(&at) => {
                    found.push(Obstacle::Ours(p));
                    return found;
                }
                Ok(_) => {
                    found.push(Obstacle::Foreign(p, "a page goes inside it"));
                    return found;
                }
            }
        }
        let p = self.dir.join(self.rel);
        match std::fs::symlink_metadata(&p) {
            Err(_) => {}
            Ok(m) if m.is_dir() => {
                if self.only_retiring(&p) {
                    found.push(Obstacle::Ours(p));
                } else {
                    found.push(Obstacle::Foreign(p, "a page goes where this folder is"));
                }
            }
            Ok(_) if (self.ours)(self.rel) => {}
            Ok(m) if m.is_file() && staged.is_some_and(|s| same_bytes(s, &p)) => {}
            Ok(_) => found.push(Obstacle::Foreign(p, "this build would overwrite it")),
        }
        found
    }

    /// Whether every file under `folder` is a retiring file of ours.
    fn only_retiring(&self, folder: &Path) -> bool {
        walkdir::WalkDir::new(folder).into_iter().all(|e| match e {
            Ok(e) if e.file_type().is_dir() => true,
            Ok(e) if e.file_type().is_file() => e
                .path()
                .strip_prefix(self.dir)
                .ok()
                .and_then(|r| r.to_str())
                .is_some_and(|r| (self.retiring)(&r.replace('\\', "/"))),
            _ => false,
        })
    }

    /// Refuses, naming it, anything in the way that Hindsight did not write; a file
    /// with the very bytes of the `staged` one counts as written.
    fn check(&self, staged: &Path) -> Result<()> {
        for o in self.obstacles(Some(staged)) {
            if let Obstacle::Foreign(path, why) = o {
                return Err(Error::Output {
                    path,
                    message: format!(
                        "{why}, and Hindsight did not write it; move it away or delete it (files to publish as they are belong in the static folder)"
                    ),
                });
            }
        }
        Ok(())
    }

    /// Removes what of ours is in the way (anything else is refused as in `check`).
    fn clear(&self) -> Result<()> {
        for o in self.obstacles(None) {
            match o {
                Obstacle::Ours(p) if p.is_dir() => {
                    std::fs::remove_dir_all(&p).map_err(|e| Error::io(&p, e))?
                }
                Obstacle::Ours(p) => std::fs::remove_file(&p).map_err(|e| Error::io(&p, e))?,
                Obstacle::Foreign(path, why) => {
                    return Err(Error::Output {
                        path,
                        message: format!("{why}, and Hindsight did not write it"),
                    });
                }
            }
        }
        Ok(())
    }
}

fn same_bytes(a: &Path, b: &Path) -> bool {
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(ma), Ok(mb)) if ma.len() == mb.len() => {
            matches!((std::fs::read(a), std::fs::read(b)), (Ok(x), Ok(y)) if x == y)
        }
        _ => false,
    }
}

/// Removes `target` (if it is there) and the folders its removal emptied, up to `dir`
/// (a folder that still holds anything, the user's files included, stays).
fn remove_file(dir: &Path, target: &Path) -> Result<()> {
    match std::fs::remove_file(target) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(target, e)),
    }
    let mut folder = target.parent();
    while let Some(d) = folder {
        if d == dir || !d.starts_with(dir) || std::fs::remove_dir(d).is_err() {
            break;
        }
        folder = d.parent();
    }
    Ok(())
}

/// Writes `dir/name` whole or not at all: into the temporary folder, then renamed.
pub(crate) fn write_atomic(dir: &Path, name: &str, bytes: &[u8], sync: bool) -> Result<()> {
    use std::io::Write;
    write_atomic_with(dir, name, |f| {
        f.write_all(bytes)?;
        if sync {
            f.flush()?;
            f.get_ref().sync_all()?;
        }
        Ok(())
    })
    .map_err(|e| Error::io(dir.join(name), e))
}

/// Writes `dir/name` atomically with what `write` writes into it (buffered).
pub(crate) fn write_atomic_with(
    dir: &Path,
    name: &str,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let tmp_dir = dir.join(TMP);
    std::fs::create_dir_all(&tmp_dir)?;
    let tmp = tmp_dir.join(name);
    let mut f = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
    write(&mut f)?;
    std::io::Write::flush(&mut f)?;
    drop(f);
    std::fs::rename(&tmp, dir.join(name))
}

/// A file's size and modification time, in nanoseconds: how the next build knows the
/// file is still as this one wrote it.
fn stamp_of(path: &Path) -> Option<(u64, u64)> {
    let m = std::fs::symlink_metadata(path)
        .ok()
        .filter(|m| m.is_file())?;
    Some((m.len(), nanos(m.modified().ok()?)?))
}

/// A modification time as stamps record it: nanoseconds since the epoch.
pub(crate) fn nanos(time: std::time::SystemTime) -> Option<u64> {
    let since = time.duration_since(std::time::UNIX_EPOCH).ok()?;
    Some(since.as_nanos() as u64)
}

#[derive(serde::Serialize, serde::Deserialize)]
struct FingerprintFile {
    /// What every fingerprint also depends on (the program, the settings, the
    /// templates): another salt and none of them counts.
    salt: u64,
    /// What the fingerprints of files made from their own inputs alone (the preview
    /// images) also depend on: the program. Under another salt but this program, those
    /// still count (see [`previous_fingerprints`]).
    #[serde(default)]
    program: u64,
    /// File → (fingerprint of its inputs, its size, its modification time).
    files: std::collections::BTreeMap<String, (u64, u64, u64)>,
    /// The related postmortems' lists, by the fingerprint of what they were found from
    /// (see [`crate::pages::RelatedLists`]): made by the program alone.
    #[serde(default)]
    related: Option<crate::pages::RelatedLists>,
}

/// What the last build of an output folder recorded of the files it wrote (see
/// [`previous_fingerprints`]).
#[derive(Default)]
pub struct Recorded {
    /// File → (fingerprint of its inputs, its size, its modification time).
    files: std::collections::HashMap<String, (u64, u64, u64)>,
    /// Whether the record was made under the same salt (else it holds only the files
    /// made from their own inputs alone).
    whole: bool,
    /// The related lists the last build found, when the same program recorded them.
    pub related: Option<crate::pages::RelatedLists>,
}

impl Recorded {
    /// Each file's fingerprint.
    pub fn fingerprints(&self) -> crate::pages::Fingerprints {
        self.files
            .iter()
            .map(|(rel, (fp, ..))| (rel.clone(), *fp))
            .collect()
    }
}

/// The fingerprints the last build of the folder `dir` recorded with `salt`, of the
/// files still on its manifest and still exactly as it wrote them (a file changed or
/// removed by hand since is made again). Empty when there is no record to trust.
///
/// A record made under another salt (other templates, settings or command line) but by
/// the same `program` still gives the files for which `alone` is true: files whose
/// fingerprint covers everything they are made from but the program (the preview
/// images, which no template or setting draws), so that editing a template does not
/// draw every image again.
pub fn previous_fingerprints(
    dir: &Path,
    salt: u64,
    program: u64,
    alone: impl Fn(&str) -> bool + Sync,
) -> Recorded {
    let Previous::Listed(listed) = read_manifest(dir) else {
        return Recorded::default();
    };
    let record = std::fs::read_to_string(dir.join(FINGERPRINTS))
        .ok()
        .and_then(|t| serde_json::from_str::<FingerprintFile>(&t).ok())
        .filter(|f| f.salt == salt || f.program == program);
    let Some(record) = record else {
        return Recorded::default();
    };
    let whole = record.salt == salt;
    let related = record.related.filter(|_| record.program == program);
    let files = record
        .files
        .into_par_iter()
        .filter(|(rel, (_, len, time))| {
            (whole || alone(rel))
                && listed.contains(rel)
                && inside(dir, rel).is_ok_and(|p| stamp_of(&p) == Some((*len, *time)))
        })
        .collect();
    Recorded {
        files,
        whole,
        related,
    }
}

/// Records, for the next build, what each file of the site just committed into `dir`
/// was made from, given what the last build recorded (`previous`) and which files this
/// one wrote (the others are as `previous` found them). Without a record (or with a
/// stale one: every file's size and time are checked) the next build writes every file.
pub fn record_fingerprints(
    dir: &Path,
    (salt, program): (u64, u64),
    fingerprints: &crate::pages::Fingerprints,
    related: Option<&crate::pages::RelatedLists>,
    previous: &Recorded,
    written: &std::collections::HashSet<&str>,
) -> Result<()> {
    let unchanged = |rel: &str, fp: u64| {
        (!written.contains(rel))
            .then(|| previous.files.get(rel))
            .flatten()
            .filter(|(was, ..)| *was == fp)
    };
    if previous.whole
        && written.is_empty()
        && previous.related.as_ref().map(|r| r.0) == related.map(|r| r.0)
        && fingerprints.len() == previous.files.len()
        && fingerprints
            .iter()
            .all(|(rel, fp)| unchanged(rel, *fp).is_some())
    {
        let _ = std::fs::remove_dir(dir.join(TMP));
        return Ok(());
    }
    let files = fingerprints
        .iter()
        .filter_map(|(rel, fp)| {
            let (len, time) = match unchanged(rel, *fp) {
                Some(&(_, len, time)) => (len, time),
                None => stamp_of(&inside(dir, rel).ok()?)?,
            };
            Some((rel.clone(), (*fp, len, time)))
        })
        .collect();
    let record = FingerprintFile {
        salt,
        program,
        files,
        related: related.cloned(),
    };
    let text = serde_json::to_string(&record).unwrap_or_default();
    write_atomic(dir, FINGERPRINTS, text.as_bytes(), false)?;
    let _ = std::fs::remove_dir(dir.join(TMP));
    Ok(())
}

/// `dir/rel`, refusing paths that would leave `dir` and the names Hindsight keeps for
/// itself.
fn inside(dir: &Path, rel: &str) -> Result<PathBuf> {
    let p = Path::new(rel);
    let safe = !rel.is_empty()
        && p.components().all(|c| matches!(c, Component::Normal(_)))
        && !rel.contains('\\')
        && !rel.starts_with(RESERVED);
    if !safe {
        return Err(Error::Output {
            path: dir.join(rel),
            message: "refusing to write outside the output folder".into(),
        });
    }
    Ok(dir.join(p))
}

/// Test hook, read by nothing but the data-loss test: `HINDSIGHT_TEST_CRASH_AT=swap:N`
/// aborts the process just before the Nth change a swap makes to the output folder
/// (1: writing the journal; then each rename, the manifest, each removal, and removing
/// the journal), the way a `kill -9` at that instant would.
fn crash_point() {
    static AT: std::sync::OnceLock<Option<usize>> = std::sync::OnceLock::new();
    static STEPS: AtomicUsize = AtomicUsize::new(0);
    let at = AT.get_or_init(|| {
        std::env::var("HINDSIGHT_TEST_CRASH_AT")
            .ok()?
            .strip_prefix("swap:")?
            .parse()
            .ok()
    });
    if let Some(at) = at
        && STEPS.fetch_add(1, Ordering::SeqCst) + 1 == *at
    {
        std::process::abort();
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

    fn names(dir: &Path) -> BTreeSet<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn commit_replaces_and_abort_keeps() {
        let site = tmp("commit");
        let out = site.join("public");
        let o = Output::prepare(&out, &site, &[]).unwrap();
        o.write("index.html", "one").unwrap();
        o.write("a/b/index.html", "deep").unwrap();
        drop(o.commit().unwrap());
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "one"
        );
        assert!(matches!(read_manifest(&out), Previous::Listed(m) if m.len() == 2));

        // A build that fails before commit leaves the old site untouched.
        let o = Output::prepare(&out, &site, &[]).unwrap();
        o.write("index.html", "two").unwrap();
        drop(o);
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "one"
        );
        assert!(out.join("a/b/index.html").exists());

        // A new build removes pages that are gone, and keeps what it did not write.
        std::fs::write(out.join("CNAME"), "example.org").unwrap();
        let o = Output::prepare(&out, &site, &[]).unwrap();
        o.write("index.html", "three").unwrap();
        drop(o.commit().unwrap());
        assert!(!out.join("a").exists());
        assert_eq!(
            names(&out),
            BTreeSet::from(["CNAME", "index.html", MARKER, LOCK].map(|s| s.to_owned()))
        );
        std::fs::remove_dir_all(&site).unwrap();
    }

    #[test]
    fn a_second_writer_is_refused_while_the_first_holds_the_lock() {
        let site = tmp("lock");
        let out = site.join("public");
        let first = Output::prepare(&out, &site, &[]).unwrap();
        let err = Output::prepare(&out, &site, &[]).err().unwrap().to_string();
        assert!(err.contains("another build is writing"), "{err}");
        let published = first.commit().unwrap();
        assert!(
            Output::prepare(&out, &site, &[]).is_err(),
            "the preview keeps it"
        );
        drop(published);
        assert!(Output::prepare(&out, &site, &[]).is_ok());
        std::fs::remove_dir_all(&site).unwrap();
    }

    #[test]
    fn in_place_writes_keep_the_manifest() {
        let site = tmp("inplace");
        let out = site.join("public");
        let o = Output::prepare(&out, &site, &[]).unwrap();
        o.write("index.html", "one").unwrap();
        let live = o.commit().unwrap();
        std::fs::write(out.join("mine.txt"), "mine").unwrap();
        live.write("new/index.html", b"new").unwrap();
        assert!(live.write("mine.txt", b"page").is_err(), "not ours");
        live.write("index.html", b"two").unwrap();
        live.remove("mine.txt").unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("mine.txt")).unwrap(),
            "mine"
        );
        assert!(matches!(read_manifest(&out), Previous::Listed(m) if m.len() == 2));
        live.remove("new/index.html").unwrap();
        assert!(!out.join("new").exists());
        assert!(matches!(read_manifest(&out), Previous::Listed(m) if m.len() == 1));
        std::fs::remove_dir_all(&site).unwrap();
    }

    #[test]
    fn refuses_dangerous_folders() {
        let site = tmp("danger");
        std::fs::write(site.join("notes.txt"), "mine").unwrap();
        let content = site.join("content");
        std::fs::create_dir_all(&content).unwrap();
        let reads = [("content folder", content.clone())];
        let parent = site.parent().unwrap();
        assert!(Output::prepare(Path::new("/"), &site, &[]).is_err());
        assert!(
            Output::prepare(&site, &site, &[]).is_err(),
            "the site itself"
        );
        assert!(
            Output::prepare(parent, &site, &[]).is_err(),
            "contains the site"
        );
        let other = tmp("danger-other");
        std::fs::write(other.join("notes.txt"), "mine").unwrap();
        let err = Output::prepare(&other, &site, &[])
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("notes.txt"), "foreign files are named: {err}");
        assert!(Output::prepare(&content, &site, &reads).is_err());
        assert!(Output::prepare(&content.join("out"), &site, &reads).is_err());
        let contains = [("content folder", site.join("build/content"))];
        assert!(
            Output::prepare(&site.join("build"), &site, &contains).is_err(),
            "contains content"
        );
        assert!(Output::prepare(&site.join("public"), &site, &reads).is_ok());
        assert!(std::fs::read_to_string(site.join("notes.txt")).is_ok());
        std::fs::remove_dir_all(&site).unwrap();
        std::fs::remove_dir_all(&other).unwrap();
    }

    #[test]
    fn refuses_paths_that_climb_out() {
        let site = tmp("climb");
        let o = Output::prepare(&site.join("public"), &site, &[]).unwrap();
        assert!(o.write("../evil.html", "x").is_err());
        assert!(o.write("/etc/evil", "x").is_err());
        assert!(o.write("a/../../evil", "x").is_err());
        assert!(o.write(".hindsight-output", "x").is_err());
        assert!(!site.join("evil.html").exists());
        std::fs::remove_dir_all(&site).unwrap();
    }
}
