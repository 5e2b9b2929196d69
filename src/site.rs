//! A site folder, its settings and a build: sources → postmortems → pages → output.
//!
//! A build is the first run of a [`Session`]: per-file work (decode, parse, extract,
//! check) in parallel, then [`crate::pages`] renders every page into a staging folder
//! that replaces the output only when the whole site rendered.

use crate::analyze::{Entry, FileResult};
use crate::config::Config;
use crate::error::Result;
use crate::session::Session;
use crate::source::Discovered;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A site folder and its settings.
pub struct Site {
    pub root: PathBuf,
    pub config: Config,
}

/// What a build may change from `site.toml`.
#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    pub output: Option<PathBuf>,
    pub drafts: bool,
    pub base_url: Option<String>,
    /// Any file-level problem (a warning or worse) fails the build before the output
    /// folder is touched, so the published site stays as it was.
    pub strict: bool,
}

/// Every file read, with what was found in it.
pub struct Analysis {
    pub files: Vec<FileResult>,
    pub discovered: Discovered,
}

impl Analysis {
    pub fn postmortems(&self) -> impl Iterator<Item = (&FileResult, &Entry)> {
        self.files
            .iter()
            .flat_map(|f| f.entries.iter().map(move |e| (f, e)))
    }
}

/// What a build did, for the command line to report.
#[derive(Debug)]
pub struct BuildSummary {
    pub output: PathBuf,
    pub files: usize,
    pub postmortems: usize,
    pub drafts_skipped: usize,
    pub pages: usize,
    /// Content files read this time: all of them the first time, those that changed
    /// when the output folder keeps the last build's readings (see [`crate::readings`]).
    pub read: usize,
    /// Files written this time: all of them the first time, those whose inputs changed
    /// when the folder holds the last build of the same site.
    pub written: usize,
    pub elapsed: Duration,
}

impl Site {
    pub fn load(root: &Path) -> Result<Site> {
        let config = Config::load(root)?;
        Ok(Site {
            root: root.to_owned(),
            config,
        })
    }

    pub fn content_dir(&self) -> PathBuf {
        self.root.join(&self.config.content_dir)
    }

    pub fn output_dir(&self, opts: &BuildOptions) -> PathBuf {
        opts.output
            .clone()
            .unwrap_or_else(|| self.root.join(&self.config.output_dir))
    }

    /// Builds the site into its output folder (the first build of a [`Session`]).
    pub fn build(&self, opts: &BuildOptions) -> Result<(BuildSummary, Analysis)> {
        let (session, summary) = Session::start(&self.root, opts.clone())?;
        Ok((summary, session.into_analysis()))
    }
}
