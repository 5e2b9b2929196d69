//! `hindsight init DIR`

use super::Term;
use hindsight::error::{Error, Result, fs};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Folder for the new site (created if missing), inside `--root` when relative.
    #[arg(default_value = ".")]
    dir: PathBuf,
}

/// A first postmortem for the new site, so it builds into a gallery at once.
const EXAMPLE: &str = include_str!("example-postmortem.md");

pub fn run(root: &Path, args: &Args, term: Term) -> Result<ExitCode> {
    let joined = root.join(&args.dir);
    let dir = if args.dir == Path::new(".") {
        root
    } else {
        &joined
    };
    let config = dir.join(hindsight::config::CONFIG_FILE);
    if config.exists() {
        return Err(Error::Usage(format!(
            "{} already exists: this folder is already a site",
            config.display()
        )));
    }
    fs::write(&config, hindsight::config::TEMPLATE)?;
    fs::write(&dir.join("content/example-postmortem.md"), EXAMPLE)?;
    fs::create_dir_all(&dir.join("templates"))?;
    let gitignore = dir.join(".gitignore");
    if !gitignore.exists() {
        fs::write(&gitignore, "/public/\n")?;
    }
    if !term.quiet {
        outln!("Created a new site in {}", dir.display());
        outln!("  {}  settings", config.display());
        outln!(
            "  {}  your postmortems (one example inside)",
            dir.join("content").display()
        );
        outln!(
            "  {}  templates that override the theme's",
            dir.join("templates").display()
        );
        outln!("Next: hindsight --root {} build", dir.display());
    }
    Ok(ExitCode::SUCCESS)
}
