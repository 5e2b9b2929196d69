//! The loop shared by `serve` and `build --watch`: watch the site, rebuild what
//! changed, say what happened, and hand the current problems to the caller (the
//! preview server shows them over the page).

use super::Term;
use super::build::{plural, report, report_session};
use hindsight::BuildOptions;
use hindsight::config::Config;
use hindsight::error::{Error, Result};
use hindsight::serve::Problem;
use hindsight::session::{self, Scope, Session};
use hindsight::watch::Watcher;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long the file system must be quiet before a batch of changes is rebuilt:
/// long enough to gather one save's events, short enough not to be felt.
const QUIET: Duration = Duration::from_millis(50);

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
}

impl Live {
    /// Builds the site once. A site that does not build is not fatal: its error is
    /// shown and the next change tries again.
    pub fn start(root: &Path, opts: BuildOptions, term: Term) -> Result<Live> {
        let root = root.canonicalize().map_err(|e| Error::io(root, e))?;
        let mut live = Live {
            root,
            opts,
            session: None,
            error: None,
            pending: Vec::new(),
        };
        live.try_start(term);
        Ok(live)
    }

    fn try_start(&mut self, term: Term) {
        match Session::start(&self.root, self.opts.clone()) {
            Ok((mut session, summary)) => {
                report_session(term, &session, &summary);
                session.keep_last_good(true);
                self.session = Some(session);
                self.error = None;
            }
            Err(e) => {
                term.error(&e.to_string());
                self.error = Some(Problem::from_error(&e, &self.root));
            }
        }
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
            self.rebuild(batch, term);
            after(&self.problems());
            let now = self.watched();
            if now != watched {
                watcher = Watcher::new(&self.root, &now, &[self.output()])?;
                watched = now;
            }
        }
        Err(Error::Usage("the file watcher stopped".into()))
    }

    fn rebuild(&mut self, batch: Vec<PathBuf>, term: Term) {
        let Some(session) = &mut self.session else {
            self.try_start(term);
            return;
        };
        let mut paths = std::mem::take(&mut self.pending);
        paths.extend(batch.iter().cloned());
        let what = describe(&self.root, &batch);
        match session.rebuild(&paths) {
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
