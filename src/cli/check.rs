//! `hindsight check`

use super::Term;
use super::progress::Bar;
use hindsight::analyze::{Analyzer, FileResult};
use hindsight::check::human::{self, Options, Style, Tally};
use hindsight::check::report::Report;
use hindsight::error::{Error, Result};
use hindsight::model::{Level, Status};
use hindsight::progress::{Progress, Stage};
use hindsight::source::{SourcePath, discover};
use hindsight::{Config, Site};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Files or folders to check; the site's content folder when none are given.
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Also fail (exit 1) on warnings.
    #[arg(long)]
    strict: bool,
    /// With `--format markdown`: write one feedback file per file checked,
    /// DIR/<its path>.feedback.md, instead of one document to standard output.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum, PartialEq, Eq)]
enum Format {
    /// rustc-style diagnostics.
    Human,
    /// The report of spec/check-output.schema.json.
    Json,
    /// GitHub Actions workflow commands (::error file=...,line=...::message).
    Github,
    /// Feedback for students, to paste into a review: per file, what fails (the line,
    /// how to fix it) and what passes.
    Markdown,
}

pub fn run(root: &Path, args: &Args, term: Term) -> Result<ExitCode> {
    if args.out_dir.is_some() && args.format != Format::Markdown {
        return Err(Error::Usage(
            "--out-dir writes feedback files: use it with --format markdown".into(),
        ));
    }
    // site.toml supplies check levels when there is one; a lone file needs none.
    let config = if root.join(hindsight::config::CONFIG_FILE).exists() {
        Site::load(root)?.config
    } else {
        Config::default()
    };
    // What a walk of a folder left out (links that lead outside, hidden files) is
    // reported like a file that could not be read, in every format.
    let mut left_out: Vec<FileResult> = Vec::new();
    let sources = if args.paths.is_empty() {
        let dir = root.join(&config.content_dir);
        if !dir.is_dir() {
            return Err(Error::Usage(format!(
                "nothing to check: no paths given and no content folder at {}",
                dir.display()
            )));
        }
        walk(&dir, &mut left_out)
    } else {
        let mut all = Vec::new();
        for p in &args.paths {
            if p.is_dir() {
                all.extend(walk(p, &mut left_out));
            } else {
                // A file named on the command line is checked against the rubric
                // however thin it is; one that cannot be read is reported like any
                // unreadable file, in every format.
                let named = SourcePath {
                    path: p.clone(),
                    rel: p.to_string_lossy().into_owned(),
                    collection: None,
                };
                all.push((named, true));
            }
        }
        all
    };
    if sources.is_empty() {
        if args.format == Format::Json {
            outln!("{}", Report::new(&[]).to_json());
        }
        let place = if args.paths.is_empty() {
            root.join(&config.content_dir).display().to_string()
        } else {
            args.paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(Error::Usage(format!(
            "nothing to check: no postmortem files (.md, .txt) in {place}"
        )));
    }
    let analyzer = Analyzer::new(&config).without_prints();
    let bar = Bar::new(term);
    bar.begin(Stage::Analysing, sources.len());
    let analyzed: Vec<FileResult> = sources
        .par_iter()
        .map(|(s, named)| {
            let result = analyzer.analyze_as(s, *named);
            bar.step();
            result
        })
        .collect();
    bar.clear();
    let skipped = left_out.len();
    let files: Vec<FileResult> = left_out.into_iter().chain(analyzed).collect();

    let failing = |level: Level| {
        files.iter().any(|f| {
            f.problems.iter().any(|p| p.level == level)
                || f.entries.iter().any(|e| {
                    e.postmortem
                        .checks
                        .iter()
                        .any(|c| c.status == Status::Fail && c.level == level)
                })
        })
    };
    let failed = failing(Level::Error) || (args.strict && failing(Level::Warning));
    // A file left out with a note only (a hidden file, such as an import's record) is
    // nobody's submission: shown only with --verbose, like every note, and given no
    // feedback.
    let noted = |i: usize, f: &FileResult| {
        i < skipped && f.problems.iter().all(|p| p.level < Level::Warning)
    };
    match args.format {
        Format::Json => super::write_out_with(|out| Report::new(&files).write_json(out)),
        Format::Github => out!("{}", github(&files)),
        Format::Markdown => {
            let submitted: Vec<&FileResult> = (files.iter().enumerate())
                .filter(|&(i, f)| !noted(i, f))
                .map(|(_, f)| f)
                .collect();
            feedback(&submitted, args, &config, root, term)?
        }
        Format::Human => {
            let opts = Options {
                style: Style {
                    color: term.color_out,
                },
                verbose: term.verbose,
                quiet: term.quiet,
            };
            let mut tally = Tally::default();
            let mut out = String::new();
            for (i, f) in files.iter().enumerate() {
                if noted(i, f) && !term.verbose {
                    continue;
                }
                let mut one = String::new();
                human::write_file(&mut one, f, opts, &mut tally);
                if !one.is_empty() {
                    out.push_str(&one);
                    out.push('\n');
                }
            }
            if !term.quiet || tally.errors > 0 {
                out.push_str(&human::summary(&tally, opts.style));
            }
            outln!("{}", out.trim_end());
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The postmortem files under `dir`, named by their path from here; what the walk left
/// out goes to `left_out`, named the same way.
fn walk(dir: &Path, left_out: &mut Vec<FileResult>) -> Vec<(SourcePath, bool)> {
    let found = discover(dir);
    let name = |rel: &str| dir.join(rel).to_string_lossy().replace('\\', "/");
    left_out.extend(
        found
            .skipped
            .into_iter()
            .map(|(rel, d)| FileResult::unread(name(&rel), None, d)),
    );
    found
        .sources
        .into_iter()
        .map(|mut s| {
            s.rel = name(&s.rel);
            (s, false)
        })
        .collect()
}

/// `--format markdown`: a feedback section per file, to standard output (between
/// rules) or, with `--out-dir`, a file each.
fn feedback(
    files: &[&FileResult],
    args: &Args,
    config: &Config,
    root: &Path,
    term: Term,
) -> Result<()> {
    use hindsight::check::markdown::feedback;
    let Some(dir) = &args.out_dir else {
        let all: Vec<String> = files.iter().map(|f| feedback(f)).collect();
        outln!("{}", all.join("\n---\n\n").trim_end());
        return Ok(());
    };
    // Feedback files are markdown: inside a folder that is read (or published) they
    // would be read as postmortems, or published, on the next run.
    let mut read: Vec<PathBuf> = args.paths.iter().filter(|p| p.is_dir()).cloned().collect();
    read.push(root.join(&config.content_dir));
    read.push(root.join(&config.static_dir));
    super::report::refuse_inside(
        dir,
        &read,
        "feedback files there would be read as postmortems or published",
    )?;
    // Each file by its path in the folder it was found in (a file named alone, by its
    // name).
    let walked: Vec<String> = if args.paths.is_empty() {
        vec![root.join(&config.content_dir)]
    } else {
        args.paths.iter().filter(|p| p.is_dir()).cloned().collect()
    }
    .iter()
    .map(|d| d.to_string_lossy().replace('\\', "/"))
    .collect();
    for f in files {
        let rel = walked
            .iter()
            .find_map(|d| f.path.strip_prefix(d.as_str())?.strip_prefix('/'))
            .or_else(|| Path::new(&f.path).file_name()?.to_str())
            .unwrap_or(&f.path);
        let target = dir.join(feedback_name(rel));
        hindsight::error::fs::write_whole(&target, feedback(f).as_bytes())?;
    }
    if !term.quiet {
        eprintln!(
            "Wrote {} feedback file{} into {}",
            files.len(),
            super::build::plural(files.len()),
            dir.display()
        );
    }
    Ok(())
}

/// Where a file's feedback goes inside the feedback folder: its path with
/// `.feedback.md` added, only its plain parts kept (no root, no `..`), so it stays inside.
fn feedback_name(path: &str) -> PathBuf {
    let mut name: PathBuf = Path::new(path)
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(p) => Some(p),
            _ => None,
        })
        .collect();
    let file = name
        .file_name()
        .map(|n| format!("{}.feedback.md", n.to_string_lossy()))
        .unwrap_or_else(|| "feedback.md".into());
    name.set_file_name(file);
    name
}

/// GitHub Actions annotations: failing checks become `::error`/`::warning` lines.
fn github(files: &[FileResult]) -> String {
    let mut out = String::new();
    // A message is escaped as a command's data; a file name and a title as its
    // properties, where `,` and `:` would end the value (a file named
    // `x,line=1::error::y.md` must not write a command of its own).
    let esc = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let prop = |s: &str| esc(s).replace(':', "%3A").replace(',', "%2C");
    let mut line = |level: Level, path: &str, l: Option<u32>, title: &str, msg: &str| {
        let kind = match level {
            Level::Error => "error",
            Level::Warning => "warning",
            _ => "notice",
        };
        let at = l.map(|l| format!(",line={l}")).unwrap_or_default();
        out.push_str(&format!(
            "::{kind} file={}{at},title={}::{}\n",
            prop(path),
            prop(title),
            esc(msg)
        ));
    };
    for f in files {
        for p in f.problems.iter().filter(|p| p.level >= Level::Warning) {
            line(p.level, &f.path, p.line, "hindsight", &p.message);
        }
        for e in &f.entries {
            for c in e
                .postmortem
                .checks
                .iter()
                .filter(|c| c.status == Status::Fail && c.level >= Level::Warning)
            {
                let msg = match &c.help {
                    Some(h) => format!("{} (help: {h})", c.message),
                    None => c.message.clone(),
                };
                line(c.level, &f.path, c.line, c.id.as_str(), &msg);
            }
        }
    }
    out
}
