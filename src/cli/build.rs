//! `hindsight build`

use super::Term;
use hindsight::error::Result;
use hindsight::model::Level;
use hindsight::{BuildOptions, Site};
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
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Fail (exit 1) when any file has a problem: unreadable, not a postmortem, bad front matter.
    #[arg(long)]
    strict: bool,
}

pub fn run(root: &Path, args: &Args, term: Term) -> Result<ExitCode> {
    let site = Site::load(root)?;
    let opts = BuildOptions {
        output: args.output.clone(),
        drafts: args.drafts,
        base_url: args.base_url.clone(),
    };
    let (summary, analysis) = site.build(&opts)?;
    let mut problems = 0;
    for (path, d) in &analysis.discovered.skipped {
        report(
            term,
            &format!("{}/{path}", site.config.content_dir.display()),
            d.level,
            &d.message,
            d.line,
        );
        problems += usize::from(d.level >= Level::Warning);
    }
    for f in &analysis.files {
        for p in &f.problems {
            report(
                term,
                &format!("{}/{}", site.config.content_dir.display(), f.path),
                p.level,
                &p.message,
                p.line,
            );
            problems += usize::from(p.level >= Level::Warning);
        }
    }
    if !term.quiet {
        let not_pm = analysis
            .files
            .iter()
            .filter(|f| f.entries.is_empty())
            .count();
        let mut extra = Vec::new();
        if not_pm > 0 {
            extra.push(format!("{not_pm} not a postmortem"));
        }
        if summary.drafts_skipped > 0 {
            extra.push(format!(
                "{} draft{} skipped",
                summary.drafts_skipped,
                if summary.drafts_skipped == 1 { "" } else { "s" }
            ));
        }
        let extra = if extra.is_empty() {
            String::new()
        } else {
            format!(" ({})", extra.join(", "))
        };
        println!(
            "Built {} postmortem{} from {} file{}{extra} into {} ({} pages) in {} ms",
            summary.postmortems,
            if summary.postmortems == 1 { "" } else { "s" },
            summary.files,
            if summary.files == 1 { "" } else { "s" },
            summary.output.display(),
            summary.pages,
            summary.elapsed.as_millis()
        );
    }
    Ok(if args.strict && problems > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn report(term: Term, path: &str, level: Level, message: &str, line: Option<u32>) {
    let show = match level {
        Level::Error => true,
        Level::Warning => !term.quiet,
        _ => term.verbose,
    };
    if !show {
        return;
    }
    let (word, code) = match level {
        Level::Error => ("error", "1;31"),
        Level::Warning => ("warning", "1;33"),
        _ => ("note", "1;36"),
    };
    let word = if term.color_err {
        format!("\x1b[{code}m{word}\x1b[0m")
    } else {
        word.to_owned()
    };
    match line {
        Some(l) => eprintln!("{word}: {path}:{l}: {message}"),
        None => eprintln!("{word}: {path}: {message}"),
    }
}
