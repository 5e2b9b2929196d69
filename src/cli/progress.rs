//! The progress bar of a long `build` or `check`, on stderr: files analysed, then pages
//! written. It is drawn only on a terminal, never with `--quiet`, and only for a stage of
//! at least [`MIN_STEPS`] steps (a smaller one is over before a bar could be read).
//! `serve` and `build --watch` have none.

use super::Term;
use hindsight::progress::{Progress, Stage};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// A stage with fewer steps than this shows no bar.
pub const MIN_STEPS: usize = 200;

/// A progress bar, hidden until a long stage begins. Clones are the same bar.
#[derive(Clone)]
pub struct Bar {
    bar: ProgressBar,
    /// Whether a long stage may draw at all: stderr is a terminal and not `--quiet`.
    drawable: bool,
    color: bool,
}

impl Bar {
    pub fn new(term: Term) -> Bar {
        Bar {
            bar: ProgressBar::hidden(),
            drawable: !term.quiet && std::io::stderr().is_terminal(),
            color: term.color_err,
        }
    }

    /// Takes the bar off the terminal, before anything else is printed there.
    pub fn clear(&self) {
        self.bar.finish_and_clear();
    }
}

impl Progress for Bar {
    fn begin(&self, stage: Stage, total: usize) {
        let (prefix, unit) = match stage {
            Stage::Analysing => ("Analysing", "files"),
            Stage::Rendering => ("Rendering", "pages written"),
        };
        let template = if self.color {
            "{prefix:>9.cyan.bold} [{bar:40}] {pos}/{len} {msg}"
        } else {
            "{prefix:>9} [{bar:40}] {pos}/{len} {msg}"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            self.bar.set_style(style.progress_chars("=> "));
        }
        self.bar.reset();
        self.bar.set_length(total as u64);
        self.bar.set_prefix(prefix);
        self.bar.set_message(unit);
        self.bar
            .set_draw_target(if self.drawable && total >= MIN_STEPS {
                ProgressDrawTarget::stderr_with_hz(10)
            } else {
                ProgressDrawTarget::hidden()
            });
    }

    fn step(&self) {
        self.bar.inc(1);
    }
}
