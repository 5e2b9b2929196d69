//! `hindsight import SRC --into content/COLLECTION`

use super::Term;
use hindsight::Config;
use hindsight::error::{Error, Result};
use hindsight::import::{self, Action, Kind, Options, Report, Summary};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The folder of students' clones (or plain folders), one per student.
    src: PathBuf,
    /// The collection folder to write into (inside `--root` when relative), such as
    /// `content/cohort-12`.
    #[arg(long, value_name = "DIR")]
    into: PathBuf,
    /// The submission's path inside each clone; `[import] path` in site.toml by default.
    #[arg(long, value_name = "PATH")]
    path: Option<String>,
    /// Summary format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Say what would be written, and write nothing.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum, PartialEq, Eq)]
enum Format {
    Human,
    Json,
}

pub fn run(root: &Path, args: &Args, term: Term) -> Result<ExitCode> {
    let config = Config::load(root)?;
    let path = args.path.clone().or(config.import.path).ok_or_else(|| {
        Error::Usage(
            "which file to import from each clone? Give --path (such as \
                 --path 0x19-postmortem/README.md) or set `path` under [import] in site.toml"
                .into(),
        )
    })?;
    if !args.src.is_dir() {
        return Err(Error::Usage(format!(
            "{} is not a folder of clones",
            args.src.display()
        )));
    }
    let into = root.join(&args.into);
    if into.exists() && !into.is_dir() {
        return Err(Error::Usage(format!(
            "{} is a file, not a collection folder",
            into.display()
        )));
    }
    let options = Options {
        src: args.src.clone(),
        into,
        path,
        today: super::new::today_date().unwrap_or_default(),
    };
    let plan = import::plan(&options)?;
    let summary = if args.dry_run {
        plan.summary
    } else {
        import::apply(plan)?
    };
    match args.format {
        Format::Json => {
            let json = serde_json::to_string_pretty(&summary).expect("the summary serializes");
            outln!("{json}");
        }
        Format::Human => print_human(&summary, &args.src, args.dry_run, term),
    }
    Ok(if summary.count_kind(Kind::Unreadable) > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn print_human(summary: &Summary, src: &Path, dry_run: bool, term: Term) {
    let kept = summary.count(Action::KeptEdited)
        + summary.count(Action::KeptDeleted)
        + summary.count(Action::KeptForeign);
    for r in &summary.students {
        let problem = matches!(r.kind, Kind::Unreadable);
        let warn = matches!(r.kind, Kind::LinkOnly | Kind::Empty | Kind::Missing)
            || matches!(
                r.action,
                Action::KeptEdited | Action::KeptDeleted | Action::KeptForeign
            );
        let line = line(r);
        if problem {
            term.error(&line);
        } else if warn {
            term.warning(&line);
        } else if term.verbose || (!term.quiet && !r.notes.is_empty()) {
            outln!("  {line}");
        }
    }
    for name in &summary.ignored {
        if term.verbose {
            outln!("  {name}: not a folder, ignored");
        }
    }
    if term.quiet {
        return;
    }
    let would = if dry_run { "would be " } else { "" };
    outln!(
        "{} {} student{} from {} into {}: {} {would}added, {} {would}updated, {} unchanged, \
         {} left as they were edited, {} link only, {} empty, {} with no submission, {} unreadable",
        if dry_run { "Read" } else { "Imported" },
        summary.students.len(),
        if summary.students.len() == 1 { "" } else { "s" },
        src.display(),
        summary.into.display(),
        summary.count(Action::Added),
        summary.count(Action::Updated),
        summary.count(Action::Unchanged),
        kept,
        summary.count_kind(Kind::LinkOnly),
        summary.count_kind(Kind::Empty),
        summary.count_kind(Kind::Missing),
        summary.count_kind(Kind::Unreadable),
    );
}

/// One student's line: `ada (ada-pm) → ada.md: added; README.md points to...`.
fn line(r: &Report) -> String {
    let what = match (r.kind, r.action) {
        (Kind::LinkOnly, Action::Added | Action::Updated | Action::Unchanged) => {
            format!("link only, {}", action(r.action))
        }
        (Kind::Empty, _) => "empty".into(),
        (Kind::Missing, _) => "no submission".into(),
        (Kind::Unreadable, _) => "could not be read".into(),
        (_, a) => action(a).into(),
    };
    let folder = if r.folder == r.student {
        String::new()
    } else {
        format!(" ({})", r.folder)
    };
    let file = r
        .file
        .as_deref()
        .map_or_else(String::new, |f| format!(" → {f}"));
    let notes = if r.notes.is_empty() {
        String::new()
    } else {
        format!("; {}", r.notes.join("; "))
    };
    format!("{}{folder}{file}: {what}{notes}", r.student)
}

fn action(a: Action) -> &'static str {
    match a {
        Action::Added => "added",
        Action::Updated => "updated",
        Action::Unchanged => "unchanged",
        Action::KeptEdited => "edited by hand, left as it is",
        Action::KeptDeleted => "deleted by hand, not written again",
        Action::KeptForeign => "not written by an import, left as it is",
        Action::NotWritten => "not imported",
    }
}
