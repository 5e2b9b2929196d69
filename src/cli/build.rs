//! `hindsight build`

use super::Term;
use super::live::Live;
use super::progress::Bar;
use hindsight::BuildOptions;
use hindsight::analyze::FileResult;
use hindsight::error::{Error, Result};
use hindsight::model::{Diagnostic, Level};
use hindsight::render::budget::guarded;
use hindsight::session::Session;
use hindsight::site::BuildSummary;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Write the site here instead of the configured output folder.
    #[arg(long, short, value_name = "DIR")]
    output: Option<PathBuf>,
    /// Publish postmortems marked as drafts.
    #[arg(long)]
    drafts: bool,
    /// Override base_url (for permalinks and link previews).
    #[arg(long, value_name = "URL", value_parser = base_url)]
    base_url: Option<String>,
    /// Fail (exit 1) when any file has a problem: unreadable, not a postmortem, bad front
    /// matter. The published site is then left as it was.
    #[arg(long)]
    strict: bool,
    /// Keep running: rebuild what changed whenever content, templates, themes, static
    /// files or site.toml change (for serving the output with another server).
    #[arg(long, short, conflicts_with = "strict")]
    watch: bool,
}

pub fn run(root: &Path, args: &Args, term: Term) -> Result<ExitCode> {
    let opts = BuildOptions {
        output: args.output.clone(),
        drafts: args.drafts,
        base_url: args.base_url.clone(),
        strict: args.strict,
    };
    if args.watch {
        let live = Live::start(root, opts, term, true)?;
        live.run(term, |_| {})?;
        return Ok(ExitCode::SUCCESS);
    }
    // On a thread of its own under the watchdog: a template that never finishes fails
    // the build, naming it, instead of hanging it (the process ends with its thread).
    let root = root.to_owned();
    let bar = Bar::new(term);
    let shown = bar.clone();
    let built = guarded(
        move |dog| Session::start_with_progress(&root, opts, dog, &shown),
        || false,
    );
    bar.clear();
    match built? {
        Ok((session, summary)) => {
            warn_of_base_url(term, &session);
            report_session(term, &session, &summary);
            session.finish();
            Ok(ExitCode::SUCCESS)
        }
        Err(e @ Error::Strict { .. }) => {
            if let Error::Strict { problems, .. } = &e {
                for (path, d) in problems {
                    report(term, path, d);
                }
            }
            Err(e)
        }
        Err(e) => Err(e),
    }
}

/// Prints every file's problems and the one-line summary of a build.
pub(super) fn report_session(term: Term, session: &Session, summary: &BuildSummary) {
    for (path, d) in session.diagnostics() {
        report(term, &path, &d);
    }
    let files: Vec<&FileResult> = session.files().collect();
    if term.verbose {
        let content = session.config.content_dir.display().to_string();
        for f in &files {
            for e in &f.entries {
                let pm = &e.postmortem;
                let page = if f.is_draft() && summary.drafts_skipped > 0 {
                    "a draft, not published".to_owned()
                } else {
                    format!("→ {}/", pm.slug)
                };
                outln!(
                    "{content}/{}: \"{}\" ({}/{} checks) {page}",
                    f.path,
                    pm.title,
                    pm.score.passed,
                    pm.score.of,
                );
            }
        }
    }
    if !term.quiet {
        let not_pm = files.iter().filter(|f| f.entries.is_empty()).count();
        let mut extra = Vec::new();
        if not_pm > 0 {
            extra.push(format!("{not_pm} not a postmortem"));
        }
        if summary.drafts_skipped > 0 {
            extra.push(format!(
                "{} draft{} skipped",
                summary.drafts_skipped,
                plural(summary.drafts_skipped)
            ));
        }
        let extra = if extra.is_empty() {
            String::new()
        } else {
            format!(" ({})", extra.join(", "))
        };
        outln!(
            "Built {} postmortem{} from {} file{}{extra} into {} ({} pages; {} file{} read, {} written) in {} ms",
            summary.postmortems,
            plural(summary.postmortems),
            summary.files,
            plural(summary.files),
            summary.output.display(),
            summary.pages,
            summary.read,
            plural(summary.read),
            summary.written,
            summary.elapsed.as_millis()
        );
    }
}

/// Warns when the site's address is not an absolute one: feeds, the sitemap and link
/// previews need it. Told once a command (after the first build of `--watch`, not at
/// every rebuild), and never a failure, not even with `--strict`: a path is a valid
/// `base_url`, and the default.
pub(super) fn warn_of_base_url(term: Term, session: &Session) {
    let settings = std::fs::read_to_string(session.root.join(hindsight::config::CONFIG_FILE))
        .unwrap_or_default();
    if let Some((path, d)) = hindsight::config::base_url_warning(
        &session.config.base_url,
        &settings,
        session.opts.base_url.is_some(),
    ) {
        report(term, &path, &d);
    }
}

fn base_url(s: &str) -> std::result::Result<String, String> {
    hindsight::config::check_base_url(s).map(|()| s.to_owned())
}

pub(super) fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Prints one problem at the level the terminal settings want.
pub(super) fn report(term: Term, path: &str, d: &Diagnostic) {
    let show = match d.level {
        Level::Error => true,
        Level::Warning => !term.quiet,
        _ => term.verbose,
    };
    if show {
        let (word, code) = match d.level {
            Level::Error => ("error", "1;31"),
            Level::Warning => ("warning", "1;33"),
            _ => ("note", "1;36"),
        };
        let word = if term.color_err {
            format!("\x1b[{code}m{word}\x1b[0m")
        } else {
            word.to_owned()
        };
        match d.line {
            Some(l) => eprintln!("{word}: {path}:{l}: {}", d.message),
            None => eprintln!("{word}: {path}: {}", d.message),
        }
    }
}
