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

    /// Writes the report as [`Report::to_json`] gives it, without holding it whole (at
    /// 100,000 postmortems it is about a gigabyte).
    pub fn write_json(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        use std::io::Write;
        let mut buffered = std::io::BufWriter::with_capacity(1 << 16, out);
        serde_json::to_writer_pretty(&mut buffered, self)?;
        buffered.write_all(b"\n")?;
        buffered.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::Analyzer;
    use crate::config::Config;

    #[test]
    fn the_written_report_is_the_report_and_a_newline() {
        let config = Config::default();
        let text =
            "# Disk full\n\n## Summary\nFrom 10:00 to 11:00 UTC the API failed for all users.\n";
        let files = [Analyzer::new(&config).analyze_bytes("a.md", None, text.as_bytes())];
        let report = Report::new(&files);
        let mut written = Vec::new();
        report.write_json(&mut written).unwrap();
        assert_eq!(String::from_utf8(written).unwrap(), report.to_json() + "\n");
    }
}
