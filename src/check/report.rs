//! `hindsight check --format json`: the contract of `spec/check-output.schema.json`.

use crate::analyze::FileResult;
use crate::model::{Diagnostic, Postmortem};
use serde::Serialize;

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
    pub detected: &'static str,
    pub repaired: bool,
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
                        detected: f.encoding.as_str(),
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
