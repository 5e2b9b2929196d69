//! `hindsight check --format json`: the contract of `spec/check-output.schema.json`.

use crate::analyze::FileResult;
use crate::model::{Diagnostic, Postmortem};
use crate::source::Encoding;
use serde::Serialize;
use std::borrow::Cow;

#[derive(Serialize)]
pub struct Report<'a> {
    pub version: u8,
    pub files: Vec<FileReport<'a>>,
}

#[derive(Serialize)]
pub struct FileReport<'a> {
    pub path: &'a str,
    pub encoding: EncodingReport,
    pub problems: &'a [Diagnostic],
    pub postmortems: Vec<&'a Postmortem>,
}

#[derive(Serialize)]
pub struct EncodingReport {
    pub detected: Cow<'static, str>,
    pub repaired: bool,
}

/// The schema (the course's, copied in `spec/`) names four encodings: a legacy code page
/// it does not name (windows-1251, ISO-8859-2...) is reported as "unknown" until it does.
fn schema_label(encoding: Encoding) -> Cow<'static, str> {
    match encoding {
        Encoding::Legacy(_) => Encoding::Unknown.label(),
        known => known.label(),
    }
}

impl<'a> Report<'a> {
    pub fn new(files: &'a [FileResult]) -> Report<'a> {
        Report {
            version: 1,
            files: files
                .iter()
                .map(|f| FileReport {
                    path: &f.path,
                    encoding: EncodingReport {
                        detected: schema_label(f.encoding),
                        repaired: f.repaired,
                    },
                    problems: &f.problems,
                    postmortems: f.entries.iter().map(|e| &e.postmortem).collect(),
                })
                .collect(),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }
}
