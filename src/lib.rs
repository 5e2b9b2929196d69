//! Hindsight: a static-site generator for galleries of incident postmortems.
//!
//! The pipeline, one module per stage:
//! [`source`] (walk, decode, front matter) → [`document`] (lines, headings, sections,
//! several postmortems per file) → [`extract`] (outage window, impact, timeline, root
//! cause, tasks) → [`check`] (the rubric's checks with evidence) → [`taxonomy`] (tags)
//! → [`render`] (templates, markdown, highlighting) → [`output`] (atomic replacement).
//! [`analyze`] runs the per-file stages for one file; [`site`] runs the whole build;
//! [`session`] keeps a build alive for [`watch`] and the preview server in [`serve`];
//! [`export`] writes one postmortem's page as one self-contained file;
//! [`progress`] tells a caller how far a long build has got; [`import`] turns a class's
//! repositories into content files; [`copies`] finds the postmortems that are
//! near-duplicates of each other.

pub mod analyze;
pub mod causes;
pub mod check;
pub mod config;
pub mod copies;
pub mod document;
pub mod error;
pub mod export;
pub mod extract;
pub mod grades;
pub mod import;
pub mod insights;
pub mod model;
pub mod output;
pub mod packed;
pub mod pages;
pub mod progress;
pub mod readings;
pub mod related;
pub mod render;
pub mod serve;
pub mod session;
pub mod site;
pub mod slug;
pub mod source;
pub mod taxonomy;
pub mod watch;
pub mod words;

pub use config::Config;
pub use error::{Error, Result};
pub use site::{BuildOptions, Site};
