//! `hindsight export FILE`

use super::Term;
use super::build::{plural, report};
use hindsight::error::Result;
use hindsight::export::{self, ExportOptions};
use hindsight::render::budget::guarded;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The postmortem file to export.
    file: PathBuf,
    /// Where to write the page (`-` for standard output); `<slug>.html` in the current
    /// folder by default.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Which postmortem of a file that holds several, from 1.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    entry: u32,
    /// Override base_url: where the page's links to the gallery lead (left out unless
    /// it is an address, like https://example.org/gallery/).
    #[arg(long, value_name = "URL", value_parser = base_url)]
    base_url: Option<String>,
}

pub fn run(root: &Path, args: &Args, term: Term) -> Result<ExitCode> {
    let opts = ExportOptions {
        entry: args.entry as usize - 1,
        base_url: args.base_url.clone(),
    };
    // Under the watchdog, as a build is: a template that never finishes fails the
    // export, naming it, instead of hanging it.
    let (root_owned, file) = (root.to_owned(), args.file.clone());
    let exported = guarded(
        move |dog| export::export(&root_owned, &file, &opts, dog),
        || false,
    )??;
    let to_stdout = args.output.as_deref() == Some(Path::new("-"));
    let output = match &args.output {
        Some(p) if !to_stdout => p.clone(),
        _ => export::default_output(&exported),
    };
    // Written (or refused) first: a refusal is the only thing said.
    if to_stdout {
        super::write_out_with(|out| out.write_all(exported.html.as_bytes()));
    } else {
        export::write(&exported, &output)?;
    }
    let shown = args.file.display().to_string();
    for d in &exported.diagnostics {
        report(term, &shown, d);
    }
    if !term.quiet {
        let mut what = vec![format!("{} KiB", exported.html.len().div_ceil(1024))];
        if exported.images > 0 {
            what.push(format!(
                "{} image{} inlined",
                exported.images,
                plural(exported.images)
            ));
        }
        let line = format!(
            "Exported \"{}\" to {} ({})",
            exported.title,
            if to_stdout {
                "standard output".to_owned()
            } else {
                output.display().to_string()
            },
            what.join(", ")
        );
        let more = (exported.entries > 1 && args.entry == 1).then(|| {
            format!(
                "{shown} holds {} postmortems: this is the first; --entry 2 exports the next",
                exported.entries
            )
        });
        // When the page itself goes to standard output, what is said about it does not.
        for l in std::iter::once(line).chain(more) {
            if to_stdout {
                eprintln!("{l}");
            } else {
                outln!("{l}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn base_url(s: &str) -> std::result::Result<String, String> {
    hindsight::config::check_base_url(s).map(|()| s.to_owned())
}
