//! The loop shared by `serve` and `build --watch`: watch the site, rebuild what
//! changed, say what happened, and hand the current problems to the caller (the
//! preview server shows them over the page).
//!
//! Every build runs on a thread of its own under a watchdog ([`guarded`]), on threads
//! that belong to the session: a change that comes while a build runs cancels it (the
//! next build does its work too), and a template that never finishes is reported and
//! left behind with its threads, so the loop keeps watching and the next build starts
//! afresh.

use super::Term;
use super::build::{plural, report, report_session, warn_of_base_url};
use hindsight::BuildOptions;
use hindsight::config::Config;
use hindsight::error::{Error, Result};
use hindsight::render::budget::{self, Watchdog, guarded};
use hindsight::serve::Problem;
use hindsight::session::{self, Scope, Session};
use hindsight::watch::Watcher;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// How long the file system must be quiet before a batch of changes is rebuilt:
/// long enough to gather one save's events (an editor's write, or its write of a
/// temporary file and rename, comes within a few milliseconds), short enough not to be
/// felt. A change that comes later is a batch of its own.
const QUIET: Duration = Duration::from_millis(20);

pub struct Live {
    root: PathBuf,
    opts: BuildOptions,
    /// `None` while the site cannot be built at all (say, site.toml is broken).
    session: Option<Session>,
    /// The error that stopped the last build, if it did.
    error: Option<Problem>,
    /// Changes a failed rebuild could not take in; tried again with the next batch, so
    /// a broken template keeps its overlay until it is the template that is fixed.
    pending: Vec<PathBuf>,
    /// The threads the session renders on: its own, not rayon's global ones, since a
    /// build given up on keeps its threads for good.
    pool: Arc<rayon::ThreadPool>,
    /// The last build was given up on (a template that never finished): only a change
    /// to templates, themes or site.toml can make the next one end.
    stuck: bool,
    /// The output folder's lock, kept from a session given up on (its thread still holds
    /// it), so the next start takes it over rather than being refused it.
    held: Option<Arc<hindsight::output::Lock>>,
    /// The first build that succeeds warns when `base_url` is not an absolute address
    /// (`build --watch`; a preview is built with "/" on purpose).
    warn_of_base_url: bool,
}

fn new_pool() -> Result<Arc<rayon::ThreadPool>> {
    rayon::ThreadPoolBuilder::new()
        .thread_name(|i| format!("hindsight-render-{i}"))
        .build()
        .map(Arc::new)
        .map_err(|e| Error::Usage(format!("cannot start rendering threads: {e}")))
}

impl Live {
    /// Builds the site once. A site that does not build is not fatal: its error is
    /// shown and the next change tries again.
    pub fn start(
        root: &Path,
        opts: BuildOptions,
        term: Term,
        warn_of_base_url: bool,
    ) -> Result<Live> {
        let root = root.canonicalize().map_err(|e| Error::io(root, e))?;
        let mut live = Live {
            root,
            opts,
            session: None,
            error: None,
            pending: Vec::new(),
            pool: new_pool()?,
            stuck: false,
            held: None,
            warn_of_base_url,
        };
        live.try_start(term);
        Ok(live)
    }

    fn try_start(&mut self, term: Term) {
        let (root, opts, pool) = (self.root.clone(), self.opts.clone(), self.pool.clone());
        let held = self.held.clone();
        let started = self.run_guarded(
            move |dog| pool.install(|| Session::start_holding(&root, opts, dog, held)),
            || false,
            term,
        );
        match started {
            None => {}
            Some(Ok((mut session, summary))) => {
                if std::mem::take(&mut self.warn_of_base_url) {
                    warn_of_base_url(term, &session);
                }
                report_session(term, &session, &summary);
                session.keep_last_good(true);
                self.held = None;
                self.session = Some(session);
                self.error = None;
                self.pending.clear();
            }
            Some(Err(e)) => {
                term.error(&e.to_string());
                self.error = Some(Problem::from_error(&e, &self.root));
            }
        }
    }

    /// Runs `work` under a watchdog; `None` when a page never finished and the work
    /// was given up on (its error is then the problem shown, and the session's
    /// threads are replaced).
    fn run_guarded<T: Send + 'static>(
        &mut self,
        work: impl FnOnce(&Watchdog) -> T + Send + 'static,
        supersede: impl FnMut() -> bool,
        term: Term,
    ) -> Option<T> {
        match guarded(work, supersede) {
            Ok(done) => {
                self.stuck = false;
                Some(done)
            }
            Err(e) => {
                term.error(&e.to_string());
                if !term.quiet {
                    outln!(
                        "the build was given up; the last good pages are kept until this is fixed"
                    );
                }
                self.error = Some(Problem::from_error(&e, &self.root));
                self.session = None;
                self.stuck = true;
                match new_pool() {
                    Ok(pool) => self.pool = pool,
                    Err(e) => term.error(&e.to_string()),
                }
                None
            }
        }
    }

    /// Whether a change to `paths` can make a build that was given up on finish.
    fn could_unstick(&self, paths: &[PathBuf]) -> bool {
        let dirs = [self.root.join("templates"), self.root.join("themes")];
        paths.iter().any(|p| {
            dirs.iter().any(|d| p.starts_with(d))
                || *p == self.root.join(hindsight::config::CONFIG_FILE)
        })
    }

    /// What is wrong now: the error that stopped the last build, else the files that
    /// could not be read.
    pub fn problems(&self) -> Vec<Problem> {
        let mut out: Vec<Problem> = self.error.iter().cloned().collect();
        if let Some(s) = &self.session {
            out.extend(
                s.problems()
                    .iter()
                    .map(|(place, d)| Problem::from_diagnostic(place, d)),
            );
        }
        out
    }

    /// Where the site is written.
    pub fn output(&self) -> PathBuf {
        match &self.session {
            Some(s) => s.output.clone(),
            None => self.opts.output.clone().unwrap_or_else(|| {
                self.root.join(
                    Config::load(&self.root).map_or_else(|_| "public".into(), |c| c.output_dir),
                )
            }),
        }
    }

    fn watched(&self) -> Vec<PathBuf> {
        match &self.session {
            Some(s) => s.watched(),
            // site.toml does not load: follow the default folders (and site.toml itself).
            None => session::watched(&self.root, &Config::load(&self.root).unwrap_or_default()),
        }
    }

    /// Watches and rebuilds until the watcher stops; `after` runs after every rebuild,
    /// successful or not, with the problems as they now stand.
    pub fn run(mut self, term: Term, mut after: impl FnMut(&[Problem])) -> Result<()> {
        let mut watched = self.watched();
        let mut watcher = Watcher::new(&self.root, &watched, &[self.output()])?;
        if !term.quiet {
            outln!("Watching for changes (Ctrl+C to stop)");
        }
        while let Some(batch) = watcher.next_batch(QUIET) {
            if !self.rebuild(batch, term, &mut watcher) {
                continue;
            }
            after(&self.problems());
            let now = self.watched();
            if now != watched {
                let mut renewed = Watcher::new(&self.root, &now, &[self.output()])?;
                renewed.take_over(watcher);
                watcher = renewed;
                watched = now;
            }
        }
        Err(Error::Usage("the file watcher stopped".into()))
    }

    /// Rebuilds after `batch`; false when nothing was built (a newer change cancelled
    /// the build, or only a template fix can help).
    fn rebuild(&mut self, batch: Vec<PathBuf>, term: Term, watcher: &mut Watcher) -> bool {
        let mut paths = std::mem::take(&mut self.pending);
        paths.extend(batch.iter().cloned());
        let what = describe(&self.root, &batch);
        if self.stuck && !self.could_unstick(&batch) {
            if !term.quiet {
                outln!("{what} changed: waiting for the template that never finished to be fixed");
            }
            self.pending = paths;
            return false;
        }
        let Some(mut session) = self.session.take() else {
            self.try_start(term);
            return true;
        };
        let (work, pool) = (paths.clone(), self.pool.clone());
        // Kept here too: if this rebuild is given up on, its session (and the lock it
        // holds) stays with the stuck thread.
        self.held = session.lock();
        let rebuilt = self.run_guarded(
            move |dog| {
                let r = pool.install(|| session.rebuild_within(&work, dog));
                (session, r)
            },
            || watcher.poll(),
            term,
        );
        let Some((session, result)) = rebuilt else {
            self.pending = paths;
            return true;
        };
        self.held = None;
        let session = self.session.insert(session);
        match result {
            // A newer change came in: the next build does this one's work too.
            Err(e) if budget::is_cancelled(&e) => {
                self.pending = paths;
                return false;
            }
            Ok(r) => {
                self.error = None;
                for (place, d) in session.problems() {
                    report(term, &place, &d);
                }
                if !term.quiet {
                    let scope = match r.scope {
                        Scope::Content => "",
                        Scope::Templates => ", templates reloaded",
                        Scope::Config => ", site.toml reloaded",
                    };
                    let written = r.render.written.len();
                    let removed = r.render.removed.len();
                    let mut line = format!(
                        "{what} changed: read {} file{}{scope}, wrote {written} file{}",
                        r.analyzed,
                        plural(r.analyzed),
                        plural(written)
                    );
                    if removed > 0 {
                        line.push_str(&format!(", removed {removed}"));
                    }
                    outln!("{line} in {} ms", r.elapsed.as_millis());
                }
            }
            Err(e) => {
                term.error(&e.to_string());
                if !term.quiet {
                    outln!("{what} changed: the last good pages are kept until this is fixed");
                }
                self.error = Some(Problem::from_error(&e, &self.root));
                self.pending = paths;
            }
        }
        true
    }
}

/// "content/a.md" or "content/a.md and 2 more", relative to the site.
fn describe(root: &Path, paths: &[PathBuf]) -> String {
    let rel = |p: &Path| {
        p.strip_prefix(root)
            .unwrap_or(p)
            .to_string_lossy()
            .replace('\\', "/")
    };
    // Files that still exist first: an editor's temporary file is rarely the news.
    let mut paths: Vec<&PathBuf> = paths.iter().collect();
    paths.sort_by_key(|p| !p.exists());
    match paths.as_slice() {
        [] => "nothing".into(),
        [one] => rel(one),
        [first, rest @ ..] => format!("{} and {} more", rel(first), rest.len()),
    }
}
