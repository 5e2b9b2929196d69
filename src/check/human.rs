//! Diagnostics for people, in the style of rustc: what failed, where, the line itself,
//! and how to fix it, then one line of score per postmortem.

use crate::analyze::FileResult;
use crate::model::{Level, Status};
use std::fmt::Write;

/// ANSI styling, or none.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn level(&self, level: Level) -> String {
        match level {
            Level::Error => self.paint("1;31", "error"),
            Level::Warning => self.paint("1;33", "warning"),
            Level::Info => self.paint("1;36", "note"),
            Level::Allow => self.paint("2", "allowed"),
        }
    }

    fn bold(&self, t: &str) -> String {
        self.paint("1", t)
    }

    fn blue(&self, t: &str) -> String {
        self.paint("1;34", t)
    }

    fn green(&self, t: &str) -> String {
        self.paint("1;32", t)
    }
}

/// What to show.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub style: Style,
    /// Show passing checks with their evidence, and notes.
    pub verbose: bool,
    /// Show errors only (warnings are still counted).
    pub quiet: bool,
}

/// Counts for the final summary line and the exit status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub errors: usize,
    pub warnings: usize,
    pub postmortems: usize,
    pub files: usize,
}

/// Writes the diagnostics of one file.
pub fn write_file(out: &mut String, f: &FileResult, opts: Options, tally: &mut Tally) {
    let s = opts.style;
    tally.files += 1;
    for p in &f.problems {
        if p.level == Level::Info && !opts.verbose {
            continue;
        }
        count(tally, p.level);
        if opts.quiet && p.level < Level::Error {
            continue;
        }
        let _ = writeln!(out, "{}: {}", s.level(p.level), s.bold(&p.message));
        location(out, f, p.line, s);
        out.push('\n');
    }
    for e in &f.entries {
        let pm = &e.postmortem;
        tally.postmortems += 1;
        for c in &pm.checks {
            let shown = match c.status {
                Status::Fail => c.level != Level::Allow || opts.verbose,
                Status::Pass => opts.verbose,
                Status::Skip => false,
            };
            if !shown {
                continue;
            }
            if c.status == Status::Fail {
                count(tally, c.level);
                if opts.quiet && c.level < Level::Error {
                    continue;
                }
                let _ = writeln!(
                    out,
                    "{}[{}]: {}",
                    s.level(c.level),
                    c.id,
                    s.bold(&c.message)
                );
            } else {
                let _ = writeln!(out, "{}[{}]: {}", s.green("pass"), c.id, c.message);
            }
            let width = location(out, f, c.line, s);
            if let Some(help) = &c.help {
                let _ = writeln!(
                    out,
                    "{:width$} {} {}: {help}",
                    "",
                    s.blue("="),
                    s.bold("help")
                );
            }
            out.push('\n');
        }
        if opts.quiet {
            continue;
        }
        let score = &pm.score;
        let verdict = if score.is_perfect() {
            s.green(&format!("{}/{}", score.passed, score.of))
        } else {
            s.bold(&format!("{}/{}", score.passed, score.of))
        };
        let _ = writeln!(
            out,
            "{}: \"{}\" — {verdict} checks pass ({}% of 200%{})",
            s.bold(&f.path),
            pm.title,
            fmt_percent(score.percent),
            if score.optional_passed > 0 {
                ", optional task done"
            } else {
                ""
            }
        );
    }
    if f.entries.is_empty() && !opts.quiet {
        let _ = writeln!(out, "{}: no postmortem found", s.bold(&f.path));
    }
}

pub fn fmt_percent(p: f64) -> String {
    if p.fract() == 0.0 {
        format!("{p:.0}")
    } else {
        format!("{p:.1}")
    }
}

fn count(t: &mut Tally, level: Level) {
    match level {
        Level::Error => t.errors += 1,
        Level::Warning => t.warnings += 1,
        _ => {}
    }
}

/// `  --> path:line` and the quoted line, rustc style; returns the gutter width.
fn location(out: &mut String, f: &FileResult, line: Option<u32>, s: Style) -> usize {
    let width = line.map_or(1, |n| n.to_string().len());
    match line {
        Some(n) => {
            let _ = writeln!(out, "{:width$}{} {}:{n}", "", s.blue("-->"), f.path);
            if let Some(text) = f.line_text(n) {
                let shown: String = text.chars().take(120).collect();
                let ellipsis = if text.chars().count() > 120 {
                    "…"
                } else {
                    ""
                };
                let _ = writeln!(out, "{:width$} {}", "", s.blue("|"));
                let _ = writeln!(
                    out,
                    "{} {} {}{ellipsis}",
                    s.blue(&n.to_string()),
                    s.blue("|"),
                    shown.trim_end()
                );
                let _ = writeln!(out, "{:width$} {}", "", s.blue("|"));
            }
        }
        None => {
            let _ = writeln!(out, "{:width$}{} {}", "", s.blue("-->"), f.path);
        }
    }
    width
}

/// The closing line: how many files, postmortems, errors and warnings.
pub fn summary(t: &Tally, s: Style) -> String {
    let plural = |n: usize, w: &str| {
        if n == 1 {
            format!("{n} {w}")
        } else {
            format!("{n} {w}s")
        }
    };
    let head = if t.errors > 0 {
        s.level(Level::Error)
    } else if t.warnings > 0 {
        s.level(Level::Warning)
    } else {
        s.green("ok")
    };
    format!(
        "{head}: {} checked, {} found; {}, {}",
        plural(t.files, "file"),
        plural(t.postmortems, "postmortem"),
        plural(t.errors, "error"),
        plural(t.warnings, "warning")
    )
}
