//! `hindsight report`: the instructor's grades, one row per postmortem.

use super::Term;
use super::progress::Bar;
use hindsight::Site;
use hindsight::analyze::{Analyzer, FileResult};
use hindsight::error::{Error, Result};
use hindsight::grades::Grades;
use hindsight::model::Level;
use hindsight::progress::{Progress, Stage};
use hindsight::source::discover;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    format: Format,
    /// Write to this file instead of standard output (`-` for standard output).
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Grade drafts too (they are listed as not graded otherwise).
    #[arg(long)]
    drafts: bool,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum, PartialEq, Eq)]
enum Format {
    /// RFC 4180 CSV with a header row, one row per postmortem.
    Csv,
    /// The grades, the files not graded and the most-missed checks.
    Json,
    /// Tables to paste into an issue or a wiki page.
    Markdown,
}

pub fn run(root: &Path, args: &Args, term: Term) -> Result<ExitCode> {
    let site = Site::load(root)?;
    let content = site.content_dir();
    if !content.is_dir() {
        return Err(Error::Usage(format!(
            "nothing to report: no content folder at {}",
            content.display()
        )));
    }
    let output = args.output.as_ref().filter(|p| p.as_os_str() != "-");
    if let Some(path) = output {
        if path.is_dir() {
            return Err(Error::Output {
                path: path.clone(),
                message: "is a folder: name the file to write, e.g. grades.csv".into(),
            });
        }
        let published = [
            content.clone(),
            root.join(&site.config.static_dir),
            root.join(&site.config.output_dir),
        ];
        refuse_inside(
            path,
            &published,
            "the grades would be published with the site",
        )?;
    }
    let found = discover(&content);
    // What the walk could not read (a link that leads outside, an unreadable folder)
    // is a file not graded; what it leaves out on purpose (hidden files) is not a
    // submission.
    let unread = found
        .skipped
        .into_iter()
        .filter(|(_, d)| d.level >= Level::Warning)
        .map(|(rel, d)| FileResult::unread(rel, None, d));
    let analyzer = Analyzer::new(&site.config);
    let bar = Bar::new(term);
    bar.begin(Stage::Analysing, found.sources.len());
    let analyzed: Vec<FileResult> = found
        .sources
        .par_iter()
        .map(|s| {
            let f = analyzer.analyze(s);
            bar.step();
            f
        })
        .collect();
    bar.clear();
    let mut files: Vec<FileResult> = unread.chain(analyzed).collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let grades = Grades::new(&files, args.drafts || site.config.drafts);
    if args.format == Format::Csv && !term.quiet {
        // The CSV holds postmortems only; the files that held none are said here.
        for u in &grades.ungraded {
            let at = u.line.map(|l| format!(":{l}")).unwrap_or_default();
            term.warning(&format!("{}{at}: not graded: {}", u.file, u.reason));
        }
    }
    let mut bytes = Vec::new();
    match args.format {
        Format::Csv => grades.write_csv(&mut bytes),
        Format::Json => grades.write_json(&mut bytes),
        Format::Markdown => {
            bytes = grades.to_markdown().into_bytes();
            Ok(())
        }
    }
    .map_err(|e| Error::Usage(format!("could not write the report: {e}")))?;
    match output {
        Some(path) => {
            hindsight::error::fs::write_whole(path, &bytes)?;
            if !term.quiet {
                eprintln!(
                    "Wrote {} postmortem{} ({} file{} not graded) to {}",
                    grades.rows.len(),
                    super::build::plural(grades.rows.len()),
                    grades.ungraded.len(),
                    super::build::plural(grades.ungraded.len()),
                    path.display()
                );
            }
        }
        None => super::write_out_with(|out| out.write_all(&bytes)),
    }
    Ok(ExitCode::SUCCESS)
}

/// Refuses `path` (a file or folder to write) when it is, or would be, inside one of
/// `dirs`, or is a folder where a file is wanted: `why` says what would go wrong.
pub(super) fn refuse_inside(path: &Path, dirs: &[PathBuf], why: &str) -> Result<()> {
    // The nearest part of the path that exists, made absolute through its links.
    let absolute = std::path::absolute(path).map_err(|e| Error::io(path, e))?;
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        let Some(parent) = existing.parent() else {
            break;
        };
        rest.push(existing.file_name().unwrap_or_default().to_owned());
        existing = parent;
    }
    let mut real = existing
        .canonicalize()
        .map_err(|e| Error::io(existing, e))?;
    real.extend(rest.iter().rev());
    for dir in dirs {
        if let Ok(dir) = dir.canonicalize()
            && real.starts_with(&dir)
        {
            return Err(Error::Output {
                path: path.to_owned(),
                message: format!(
                    "is inside {}: {why}; name a place outside it",
                    dir.display()
                ),
            });
        }
    }
    Ok(())
}
