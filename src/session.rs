//! A build that stays alive: the site read once, then kept up to date as files change.
//!
//! `serve` and `build --watch` hold a [`Session`]. A content edit re-reads only the files
//! whose size or modification time changed; a template or theme edit reloads the
//! templates; a `site.toml` edit reloads everything. Rendering then writes only the
//! output files whose inputs changed (see [`crate::pages`]), in place and each one
//! atomically, so the output equals what a full build of the same content would write.
//! A session holds the output folder's lock for as long as it lives.

use crate::analyze::{Analyzer, FileResult};
use crate::config::{CONFIG_FILE, Config};
use crate::error::{Error, Result};
use crate::model::{Diagnostic, Level};
use crate::output::{Output, Published};
use crate::pages::{self, Inputs, RenderReport, RenderState, Sink};
use crate::progress::{Progress, Silent, Stage};
use crate::render::budget::Watchdog;
use crate::render::templates::Templates;
use crate::site::{BuildOptions, BuildSummary, Site};
use crate::source::{self, SourcePath};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

/// What a rebuild had to redo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Only content files changed.
    Content,
    /// Templates, themes or static files changed: every page is re-rendered.
    Templates,
    /// `site.toml` changed: the site is read again from scratch.
    Config,
}

#[derive(Debug)]
pub struct Rebuild {
    pub scope: Scope,
    /// Content files read again.
    pub analyzed: usize,
    pub render: RenderReport,
    pub elapsed: Duration,
}

/// A file's identity for change detection: length and modification time.
type Stamp = (u64, Option<SystemTime>);

fn stamp(path: &Path) -> Stamp {
    std::fs::metadata(path)
        .map(|m| (m.len(), m.modified().ok()))
        .unwrap_or((0, None))
}

/// A stamp as the readings kept for the next build record it (none without a time).
fn exact((len, time): Stamp) -> Option<crate::readings::Stamp> {
    Some((len, crate::output::nanos(time?)?))
}

pub struct Session {
    pub root: PathBuf,
    pub opts: BuildOptions,
    pub config: Config,
    pub output: PathBuf,
    templates: Templates,
    templates_id: u64,
    files: BTreeMap<String, (FileResult, Stamp)>,
    assets: Vec<SourcePath>,
    skipped: Vec<(String, Diagnostic)>,
    /// The postmortem files the last walk of the content folder found, by path.
    sources: HashMap<PathBuf, SourcePath>,
    /// The settings' tag rules, compiled (again when the settings change).
    tagger: Option<crate::taxonomy::Tagger>,
    state: RenderState,
    /// See [`Session::keep_last_good`]: files whose new version is broken, with its
    /// problems, while their last good version is what is published.
    held: BTreeMap<String, Vec<Diagnostic>>,
    keep_last_good: bool,
    /// The output folder, locked, once the first build is in; rebuilds write into it.
    published: Option<Arc<Published>>,
    /// What the last build into the output folder read (see [`crate::readings`]),
    /// until the first walk of the content folder takes what still holds.
    kept: crate::readings::Kept,
    /// The files whose reading was taken from `kept`.
    reused: std::collections::HashSet<String>,
}

impl Session {
    /// Reads the site and builds it into its output folder (atomically, like `build`).
    /// With [`BuildOptions::strict`], a file with a problem (a warning or worse) stops the
    /// build before the output folder is touched: [`Error::Strict`] lists them.
    pub fn start(root: &Path, opts: BuildOptions) -> Result<(Session, BuildSummary)> {
        Session::start_within(root, opts, &Watchdog::default())
    }

    /// [`Session::start`], its pages followed by `watchdog` (see [`crate::render::budget`]).
    pub fn start_within(
        root: &Path,
        opts: BuildOptions,
        watchdog: &Watchdog,
    ) -> Result<(Session, BuildSummary)> {
        Session::start_holding(root, opts, watchdog, None)
    }

    /// [`Session::start_within`], telling `progress` of each file analysed and each page
    /// rendered (rebuilds tell nothing: they are short).
    pub fn start_with_progress(
        root: &Path,
        opts: BuildOptions,
        watchdog: &Watchdog,
        progress: &dyn Progress,
    ) -> Result<(Session, BuildSummary)> {
        Session::open(root, opts, watchdog, None, progress)
    }

    /// [`Session::start_within`] by a process that already holds the output folder's
    /// lock (see [`Output::prepare_holding`]): a preview starting over after it gave up
    /// on a build whose session still holds it.
    pub fn start_holding(
        root: &Path,
        opts: BuildOptions,
        watchdog: &Watchdog,
        held: Option<Arc<crate::output::Lock>>,
    ) -> Result<(Session, BuildSummary)> {
        Session::open(root, opts, watchdog, held, &Silent)
    }

    fn open(
        root: &Path,
        opts: BuildOptions,
        watchdog: &Watchdog,
        held: Option<Arc<crate::output::Lock>>,
        progress: &dyn Progress,
    ) -> Result<(Session, BuildSummary)> {
        let started = Instant::now();
        // Absolute from here on: watchers report absolute paths.
        let root = &root.canonicalize().map_err(|e| Error::io(root, e))?;
        let site = Site::load(root)?;
        let mut config = site.config.clone();
        if let Some(b) = &opts.base_url {
            config.base_url = b.clone();
        }
        let reading_salt = reading_salt(root, &opts);
        let output_dir = site.output_dir(&opts);
        // What the last build read is decoded while the templates load and the content
        // folder is walked.
        let content = root.join(&config.content_dir);
        let ((templates, walked), kept) = rayon::join(
            || {
                let templates = Templates::load(root, &config.theme);
                (
                    templates,
                    content.is_dir().then(|| source::discover(&content)),
                )
            },
            || crate::readings::previous(&output_dir, reading_salt),
        );
        let templates = templates?;
        let salt = build_salt(reading_salt, &opts, &templates);
        let mut session = Session {
            kept,
            reused: Default::default(),
            root: root.to_owned(),
            output: output_dir,
            opts,
            config,
            templates,
            templates_id: salt,
            files: BTreeMap::new(),
            assets: Vec::new(),
            skipped: Vec::new(),
            sources: HashMap::new(),
            tagger: None,
            state: RenderState::default(),
            held: BTreeMap::new(),
            keep_last_good: false,
            published: None,
        };
        let read = session.refresh_content(true, &[], walked, progress)?;
        if session.opts.strict {
            let problems = session.diagnostics();
            if problems.iter().any(|(_, d)| d.level >= Level::Warning) {
                return Err(Error::Strict {
                    output: session.output.clone(),
                    problems,
                });
            }
        }
        let output = Output::prepare_holding(
            &session.output,
            &session.root,
            &read_folders(&session.root, &session.config),
            held,
        )?;
        // What the last build wrote and is still as it wrote it is not written again.
        let recorded = crate::output::previous_fingerprints(
            output.dir(),
            salt,
            program_id(),
            crate::render::preview::is_image,
        );
        session.state.remember(recorded.fingerprints());
        session.state.remember_related(recorded.related.clone());
        let report = session.render(&output, watchdog, progress)?;
        session.output = output.dir().to_owned();
        let written: std::collections::HashSet<&str> =
            report.written.iter().map(String::as_str).collect();
        let keep = session
            .state
            .fingerprints()
            .keys()
            .filter(|rel| !written.contains(rel.as_str()))
            .cloned()
            .collect();
        session.published = Some(Arc::new(output.commit_keeping(keep)?));
        // Only caches: without them (or if they cannot be written) the next build reads
        // and writes every file, as it would the first time.
        let readings: Vec<_> = session
            .files
            .values()
            .filter(|(r, _)| session.keepable(r))
            .filter_map(|(r, st)| Some((exact(*st)?, r)))
            .collect();
        let _ = crate::readings::record(
            &session.output,
            reading_salt,
            &session.kept,
            &readings,
            |r| !session.reused.contains(&r.path),
        );
        // Of use only to this first build.
        session.kept = Default::default();
        session.reused = Default::default();
        let _ = crate::output::record_fingerprints(
            &session.output,
            (salt, program_id()),
            session.state.fingerprints(),
            session.state.related(),
            &recorded,
            &written,
        );
        let drafts = session.drafts();
        let summary = BuildSummary {
            output: session.output.clone(),
            files: session.files.len(),
            postmortems: session
                .files
                .values()
                .filter(|(f, _)| drafts || !f.is_draft())
                .map(|(f, _)| f.entries.len())
                .sum(),
            drafts_skipped: session
                .files
                .values()
                .filter(|(f, _)| !drafts && f.is_draft())
                .map(|(f, _)| f.entries.len())
                .sum(),
            pages: report.pages,
            read,
            written: report.written.len(),
            elapsed: started.elapsed(),
        };
        Ok((session, summary))
    }

    pub fn content_dir(&self) -> PathBuf {
        self.root.join(&self.config.content_dir)
    }

    fn drafts(&self) -> bool {
        self.opts.drafts || self.config.drafts
    }

    /// Whether the output folder may keep a reading for the next build: only of a
    /// postmortem it publishes.
    fn keepable(&self, reading: &FileResult) -> bool {
        !reading.entries.is_empty()
            && !reading.is_broken()
            && (self.drafts() || !reading.is_draft())
    }

    /// The folders and files a watcher should follow.
    pub fn watched(&self) -> Vec<PathBuf> {
        watched(&self.root, &self.config)
    }

    /// Every file read, in path order.
    pub fn files(&self) -> impl Iterator<Item = &FileResult> {
        self.files.values().map(|(f, _)| f)
    }

    /// When a file that was fine is saved broken (unreadable, or its front matter
    /// malformed), keep publishing its last good version and report the problem, until
    /// a save fixes it: what a live preview wants. Off by default, so that rebuilds
    /// write exactly what a full build of the files as they are would.
    pub fn keep_last_good(&mut self, keep: bool) {
        self.keep_last_good = keep;
    }

    /// Files skipped while walking the content folder, with why.
    pub fn skipped(&self) -> &[(String, Diagnostic)] {
        &self.skipped
    }

    /// File-level problems worth interrupting the writer for: unreadable files and
    /// malformed front matter (not "this file is only a link", which is a warning).
    pub fn problems(&self) -> Vec<(String, Diagnostic)> {
        self.file_diagnostics(Level::Error, true)
    }

    /// Every file-level diagnostic of the files as they were read (skipped files
    /// first), each with its path in the site: what a build reports.
    pub fn diagnostics(&self) -> Vec<(String, Diagnostic)> {
        self.file_diagnostics(Level::Allow, false)
    }

    /// Diagnostics at `min` or above; `held` takes the problems of a file whose last
    /// good version is kept (see [`Session::keep_last_good`]).
    fn file_diagnostics(&self, min: Level, held: bool) -> Vec<(String, Diagnostic)> {
        let content = self.config.content_dir.to_string_lossy().replace('\\', "/");
        let mut out: Vec<(String, Diagnostic)> = self
            .skipped
            .iter()
            .filter(|(_, d)| d.level >= min)
            .map(|(p, d)| (format!("{content}/{p}"), d.clone()))
            .collect();
        for f in self.files() {
            let problems = match self.held.get(&f.path).filter(|_| held) {
                Some(held) => held,
                None => &f.problems,
            };
            for p in problems.iter().filter(|p| p.level >= min) {
                out.push((format!("{content}/{}", f.path), p.clone()));
            }
        }
        // Slug clashes are warnings: not worth working out for errors alone.
        if min <= Level::Warning {
            let files: Vec<&FileResult> = self.files().collect();
            for (path, d) in pages::slug_clashes(&files, self.drafts()) {
                if d.level >= min {
                    out.push((format!("{content}/{path}"), d));
                }
            }
        }
        out
    }

    /// What was read, for reports (ends the session).
    pub fn into_analysis(self) -> crate::site::Analysis {
        crate::site::Analysis {
            files: self.files.into_values().map(|(f, _)| f).collect(),
            discovered: source::Discovered {
                sources: Vec::new(),
                assets: self.assets,
                skipped: self.skipped,
            },
        }
    }

    /// The output folder's lock, held for as long as the session lives.
    pub fn lock(&self) -> Option<Arc<crate::output::Lock>> {
        self.published.as_ref().and_then(|p| p.lock())
    }

    /// Ends the session of a process about to exit: the output folder's lock is let
    /// go, and what was read is left for the process's end to free at once rather than
    /// taken apart piece by piece (a tenth of a build that had little to do).
    pub fn finish(mut self) {
        drop(self.published.take());
        std::mem::forget(self);
    }

    /// Brings the output up to date after changes to `paths`.
    pub fn rebuild(&mut self, paths: &[PathBuf]) -> Result<Rebuild> {
        self.rebuild_within(paths, &Watchdog::default())
    }

    /// [`Session::rebuild`], its pages followed by `watchdog`. A rebuild cancelled
    /// halfway leaves the session consistent: the next one writes what it did not.
    pub fn rebuild_within(&mut self, paths: &[PathBuf], watchdog: &Watchdog) -> Result<Rebuild> {
        let started = Instant::now();
        let scope = self.scope(paths);
        let analyzed = match scope {
            Scope::Config => {
                let mut config = Config::load(&self.root)?;
                if let Some(b) = &self.opts.base_url {
                    config.base_url = b.clone();
                }
                crate::output::check_place(
                    &self.output,
                    &self.root,
                    &read_folders(&self.root, &config),
                )?;
                let templates = Templates::load(&self.root, &config.theme)?;
                self.config = config;
                self.tagger = None;
                self.templates = templates;
                self.templates_id += 1;
                self.state.forget_readings();
                self.refresh_content(true, paths, None, &Silent)?
            }
            Scope::Templates => {
                self.templates = Templates::load(&self.root, &self.config.theme)?;
                self.templates_id += 1;
                self.refresh_content(false, paths, None, &Silent)?
            }
            Scope::Content => self.refresh_content(false, paths, None, &Silent)?,
        };
        let sink = self
            .published
            .clone()
            .ok_or_else(|| Error::Usage("the site was never built".into()))?;
        let render = self.render(&*sink, watchdog, &Silent)?;
        Ok(Rebuild {
            scope,
            analyzed,
            render,
            elapsed: started.elapsed(),
        })
    }

    fn scope(&self, paths: &[PathBuf]) -> Scope {
        let config_file = self.root.join(CONFIG_FILE);
        let in_dir = |p: &Path, dir: &Path| p.starts_with(dir);
        if paths.iter().any(|p| {
            *p == config_file
                || p.file_name().is_some_and(|n| n == CONFIG_FILE) && p.parent() == Some(&self.root)
        }) {
            Scope::Config
        } else if paths.iter().any(|p| {
            in_dir(p, &self.root.join("templates"))
                || in_dir(p, &self.root.join("themes"))
                || in_dir(p, &self.root.join(&self.config.static_dir))
        }) {
            Scope::Templates
        } else {
            Scope::Content
        }
    }

    /// Walks the content folder again and re-reads what changed (everything when
    /// `all`), telling `progress` of each file read; returns how many were read.
    fn refresh_content(
        &mut self,
        all: bool,
        touched: &[PathBuf],
        walked: Option<source::Discovered>,
        progress: &dyn Progress,
    ) -> Result<usize> {
        if self.tagger.is_none() {
            self.tagger = Some(crate::taxonomy::Tagger::new(&self.config.tags));
        }
        let content = self.content_dir();
        if !content.is_dir() {
            return Err(Error::Usage(format!(
                "no content folder at {} (set content_dir in {CONFIG_FILE})",
                content.display()
            )));
        }
        // Saves of files already known (plain files, still there) need no walk of the
        // folder: only they are read again. Anything else (a new, removed or renamed
        // file, a folder, a link) walks the whole folder.
        let known: Option<Vec<&SourcePath>> = (!all && !touched.is_empty())
            .then(|| {
                touched
                    .iter()
                    .map(|p| {
                        let plain = std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file());
                        self.sources.get(p).filter(|_| plain)
                    })
                    .collect()
            })
            .flatten();
        if let Some(known) = known {
            let stale: Vec<(&SourcePath, Stamp)> =
                known.into_iter().map(|s| (s, stamp(&s.path))).collect();
            let fresh = self.analyze_all(&stale, progress);
            return Ok(self.take_in(fresh));
        }
        let found = walked.unwrap_or_else(|| source::discover(&content));
        // What the last build read of a file still as it was is taken as it is.
        let mut kept = std::mem::take(&mut self.kept.readings);
        let mut reused = Vec::new();
        let stamped: Vec<(&SourcePath, Stamp)> = found
            .sources
            .par_iter()
            .map(|s| (s, stamp(&s.path)))
            .collect();
        let stale: Vec<(&SourcePath, Stamp)> = stamped
            .into_iter()
            .filter(|(s, st)| {
                all || touched.contains(&s.path)
                    || self.files.get(&s.rel).is_none_or(|(_, old)| old != st)
            })
            .filter(|(s, st)| match kept.remove(&s.rel) {
                Some((was, reading)) if exact(*st) == Some(was) && reading.still_holds() => {
                    reused.push((s.rel.clone(), reading, *st));
                    false
                }
                _ => true,
            })
            .collect();
        let fresh = self.analyze_all(&stale, progress);
        for (rel, reading, st) in reused {
            self.reused.insert(rel.clone());
            self.files.insert(rel, (reading, st));
        }
        let keep: std::collections::HashSet<&str> =
            found.sources.iter().map(|s| s.rel.as_str()).collect();
        self.files.retain(|rel, _| keep.contains(rel.as_str()));
        self.held.retain(|rel, _| keep.contains(rel.as_str()));
        let read = self.take_in(fresh);
        self.sources = found
            .sources
            .into_iter()
            .map(|s| (s.path.clone(), s))
            .collect();
        self.assets = found.assets;
        self.skipped = found.skipped;
        Ok(read)
    }

    /// Reads and analyses `stale`, in parallel, telling `progress` of each file read.
    fn analyze_all(
        &self,
        stale: &[(&SourcePath, Stamp)],
        progress: &dyn Progress,
    ) -> Vec<(String, FileResult, Stamp)> {
        // The tag rules are compiled once per settings (see `refresh_content`), not once
        // per save.
        let tagger = self
            .tagger
            .clone()
            .unwrap_or_else(|| crate::taxonomy::Tagger::new(&self.config.tags));
        let analyzer = Analyzer {
            config: &self.config,
            tagger,
            prints: true,
        };
        progress.begin(Stage::Analysing, stale.len());
        stale
            .par_iter()
            .map(|(s, st)| {
                let result = analyzer.analyze(s);
                progress.step();
                (s.rel.clone(), result, *st)
            })
            .collect()
    }

    /// Takes in what [`Session::analyze_all`] read; returns how many files that was.
    fn take_in(&mut self, fresh: Vec<(String, FileResult, Stamp)>) -> usize {
        let read = fresh.len();
        for (rel, result, st) in fresh {
            if self.keep_last_good
                && result.is_broken()
                && let Some((old, old_stamp)) = self.files.get_mut(&rel)
                && !old.is_broken()
            {
                *old_stamp = st;
                self.held.insert(rel, result.problems);
                continue;
            }
            self.held.remove(&rel);
            self.files.insert(rel, (result, st));
        }
        read
    }

    fn render(
        &mut self,
        sink: &dyn Sink,
        watchdog: &Watchdog,
        progress: &dyn Progress,
    ) -> Result<RenderReport> {
        let inputs = Inputs {
            root: &self.root,
            config: &self.config,
            templates: &self.templates,
            templates_id: self.templates_id,
            files: self.files.values().map(|(f, _)| f).collect(),
            assets: &self.assets,
            drafts: self.opts.drafts || self.config.drafts,
            watchdog,
            progress,
        };
        pages::render(&inputs, &mut self.state, sink)
    }
}

/// The folders a site's build reads, each with what it is: the output may be none of
/// them, nor inside or around one.
pub fn read_folders(root: &Path, config: &Config) -> Vec<(&'static str, PathBuf)> {
    vec![
        ("content folder", root.join(&config.content_dir)),
        ("templates folder", root.join("templates")),
        ("themes folder", root.join("themes")),
        ("static folder", root.join(&config.static_dir)),
    ]
}

/// The folders and files a site's build reads, for a watcher to follow.
pub fn watched(root: &Path, config: &Config) -> Vec<PathBuf> {
    let mut paths = vec![root.join(CONFIG_FILE)];
    paths.extend(read_folders(root, config).into_iter().map(|(_, p)| p));
    paths
}

/// What every page's fingerprint also depends on, from one build to the next: what
/// the readings do (see [`reading_salt`]), whether drafts are published, and the
/// templates.
fn build_salt(reading_salt: u64, opts: &BuildOptions, templates: &Templates) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::default().hash_one((
        reading_salt,
        opts.drafts,
        templates.fingerprint(),
    ))
}

/// What a file's reading depends on besides the file, from one build to the next: this
/// program (its version, and the executable itself, by size and time), the site's
/// folder, and the settings (`site.toml` as written, and the command line's).
fn reading_salt(root: &Path, opts: &BuildOptions) -> u64 {
    use std::hash::{BuildHasher, Hash, Hasher};
    let mut h = foldhash::fast::FixedState::default().build_hasher();
    program_id().hash(&mut h);
    root.hash(&mut h);
    std::fs::read(root.join(CONFIG_FILE)).ok().hash(&mut h);
    opts.base_url.hash(&mut h);
    h.finish()
}

/// This program, from one build to the next: its version, and the executable itself,
/// by size and time (what a preview image depends on besides what it shows).
fn program_id() -> u64 {
    use std::hash::{BuildHasher, Hash, Hasher};
    static ID: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *ID.get_or_init(|| {
        let mut h = foldhash::fast::FixedState::default().build_hasher();
        env!("CARGO_PKG_VERSION").hash(&mut h);
        if let Some(m) = std::env::current_exe()
            .ok()
            .and_then(|p| std::fs::metadata(p).ok())
        {
            m.len().hash(&mut h);
            m.modified().ok().hash(&mut h);
        } else {
            // Not knowing the program, never trust an old record.
            std::time::SystemTime::now().hash(&mut h);
        }
        h.finish()
    })
}
