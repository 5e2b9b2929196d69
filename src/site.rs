//! The build: sources → postmortems → pages → output.
//!
//! Per-file work (decode, parse, extract, check) runs in parallel; listings are built
//! from compact [`Card`]s; each postmortem page is rendered and written in parallel
//! and dropped at once, so memory does not grow with the rendered site.

use crate::analyze::{Analyzer, Entry, FileResult};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::output::Output;
use crate::pages::{self, Inputs, RenderState};
use crate::render::templates::Templates;
use crate::source::{self, Discovered};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

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

    /// Reads and checks every content file, in parallel, in path order.
    pub fn analyze(&self) -> Result<Analysis> {
        let content = self.content_dir();
        if !content.is_dir() {
            return Err(Error::Usage(format!(
                "no content folder at {} (set content_dir in {})",
                content.display(),
                crate::config::CONFIG_FILE
            )));
        }
        let discovered = source::discover(&content);
        let analyzer = Analyzer::new(&self.config);
        let files: Vec<FileResult> = discovered
            .sources
            .par_iter()
            .map(|s| analyzer.analyze(s))
            .collect();
        Ok(Analysis { files, discovered })
    }

    /// Builds the site into its output folder.
    pub fn build(&self, opts: &BuildOptions) -> Result<(BuildSummary, Analysis)> {
        let started = Instant::now();
        let analysis = self.analyze()?;
        let mut config = self.config.clone();
        if let Some(b) = &opts.base_url {
            config.base_url = b.clone();
        }
        let drafts = opts.drafts || config.drafts;
        let templates = Templates::load(&self.root, &config.theme)?;
        let out_dir = self.output_dir(opts);
        let output = Output::prepare(
            &out_dir,
            &[&self.root, &self.content_dir()],
            Some(&self.content_dir()),
        )?;
        let inputs = Inputs {
            root: &self.root,
            config: &config,
            templates: &templates,
            templates_id: 0,
            files: analysis.files.iter().collect(),
            assets: &analysis.discovered.assets,
            drafts,
        };
        let report = pages::render(&inputs, &mut RenderState::default(), &output)?;
        let pages = report.pages;
        let output_path = output.dir().to_owned();
        output.commit()?;
        let published = |f: &&FileResult| drafts || !f.is_draft();
        let summary = BuildSummary {
            output: output_path,
            files: analysis.files.len(),
            postmortems: analysis
                .files
                .iter()
                .filter(published)
                .map(|f| f.entries.len())
                .sum(),
            drafts_skipped: analysis
                .files
                .iter()
                .filter(|f| !drafts && f.is_draft())
                .map(|f| f.entries.len())
                .sum(),
            pages,
            elapsed: started.elapsed(),
        };
        Ok((summary, analysis))
    }
}
