//! Command-line interface: one file per command. Only this layer knows about the
//! terminal (colours, exit codes, progress lines).

/// `print!` to stdout that ends the process quietly when the reader has gone away
/// (`hindsight check | head`), as Unix tools do, instead of panicking on the closed pipe.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::write_out(format_args!($($arg)*), false)
    };
}

/// `println!` to stdout, quiet on a closed pipe like [`out!`].
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::write_out(format_args!($($arg)*), true)
    };
}

mod build;
mod check;
mod export;
mod import;
mod init;
mod live;
mod new;
mod progress;
mod report;
mod serve;

use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "hindsight",
    version,
    about = "Publish a gallery of incident postmortems: read, checked and rendered.",
    long_about = None,
    propagate_version = true
)]
pub struct Cli {
    /// The site folder (where site.toml lives).
    #[arg(long, global = true, value_name = "DIR", default_value = ".")]
    root: PathBuf,
    /// Print only errors.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Print more: passing checks with their evidence, notes, timings.
    #[arg(long, short, global = true)]
    verbose: bool,
    /// When to use colour.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Build the gallery from the content folder into the output folder.
    Build(build::Args),
    /// Check postmortems against the course's rubric (the site's content by default).
    Check(check::Args),
    /// Build, serve on 127.0.0.1, rebuild on every change and reload the browser.
    Serve(serve::Args),
    /// Create a new site that builds at once.
    Init(init::Args),
    /// Create a new postmortem from the template.
    New(new::Args),
    /// Write one postmortem's page as one self-contained HTML file (styles and images
    /// inside, nothing loaded from elsewhere).
    Export(export::Args),
    /// Import a class: one content file per student from a folder of their clones.
    Import(import::Args),
    /// Write the grades: one row per postmortem (author, file, collection, score,
    /// course-style percentage, failing checks, words), and the files not graded.
    Report(report::Args),
}

/// Terminal settings shared by the commands.
#[derive(Clone, Copy, Debug)]
pub struct Term {
    pub quiet: bool,
    pub verbose: bool,
    pub color_out: bool,
    pub color_err: bool,
}

impl Term {
    fn new(cli: &Cli) -> Term {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let decide = |tty: bool| match cli.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && !no_color,
        };
        Term {
            quiet: cli.quiet,
            verbose: cli.verbose && !cli.quiet,
            color_out: decide(std::io::stdout().is_terminal()),
            color_err: decide(std::io::stderr().is_terminal()),
        }
    }

    pub fn error(&self, message: &str) {
        if self.color_err {
            eprintln!("\x1b[1;31merror\x1b[0m: {message}");
        } else {
            eprintln!("error: {message}");
        }
    }

    pub fn warning(&self, message: &str) {
        if self.quiet {
            return;
        }
        if self.color_err {
            eprintln!("\x1b[1;33mwarning\x1b[0m: {message}");
        } else {
            eprintln!("warning: {message}");
        }
    }
}

pub(crate) fn write_out(args: std::fmt::Arguments, newline: bool) {
    write_out_with(|stdout| {
        stdout.write_fmt(args)?;
        if newline {
            stdout.write_all(b"\n")?;
        }
        Ok(())
    });
}

/// Writes to standard output with `write`; a closed pipe ends the process quietly, any
/// other failure with an error.
pub(crate) fn write_out_with(write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let written = write(&mut stdout).and_then(|()| stdout.flush());
    if let Err(e) = written {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: could not write the output: {e}");
        std::process::exit(1);
    }
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let term = Term::new(&cli);
    // Every command but `init` works in an existing site folder.
    if !matches!(cli.command, Command::Init(_)) && !cli.root.is_dir() {
        term.error(&format!(
            "the site folder {} does not exist (create a site there with `hindsight --root {0} init`)",
            cli.root.display()
        ));
        return ExitCode::FAILURE;
    }
    let needs_site = matches!(
        cli.command,
        Command::Build(_) | Command::Serve(_) | Command::Export(_)
    );
    if needs_site && !cli.root.join(hindsight::config::CONFIG_FILE).is_file() {
        term.warning(&format!(
            "no {} in {}: {} with the default settings (`hindsight init` creates a site)",
            hindsight::config::CONFIG_FILE,
            cli.root.display(),
            if matches!(cli.command, Command::Export(_)) {
                "exporting"
            } else {
                "building"
            }
        ));
    }
    let result = match &cli.command {
        Command::Build(args) => build::run(&cli.root, args, term),
        Command::Check(args) => check::run(&cli.root, args, term),
        Command::Serve(args) => serve::run(&cli.root, args, term),
        Command::Init(args) => init::run(&cli.root, args, term),
        Command::New(args) => new::run(&cli.root, args, term),
        Command::Export(args) => export::run(&cli.root, args, term),
        Command::Import(args) => import::run(&cli.root, args, term),
        Command::Report(args) => report::run(&cli.root, args, term),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            term.error(&e.to_string());
            ExitCode::FAILURE
        }
    }
}
