//! The instructor's grades: one [`GradeRow`] per postmortem, built from the analysis,
//! and the files that held none, with why ([`Ungraded`]). `hindsight report` writes
//! them as CSV, JSON or a markdown table; the site's `report/` pages show the same rows.
//!
//! The course-style percentage is the course's own (RUBRIC.md, "The course's score"):
//! mandatory ratio + mandatory ratio × optional ratio, so 13/13 with the optional task
//! done is 200% and 12/13 without it is 92.3% ([`crate::model::Score`]).

use crate::analyze::{Entry, FileResult};
use crate::check::markdown::{code, escape};
use crate::model::{CheckId, Level};
use serde::Serialize;
use std::fmt::Write as _;

/// The format of `hindsight report --format json`: bump with any change to its shape.
pub const VERSION: u32 = 1;

/// One postmortem's grade.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GradeRow {
    /// Who wrote it: the front matter's `author`, else a byline in the text.
    pub author: Option<String>,
    /// Its file, from the content folder.
    pub file: String,
    /// Which postmortem of the file, from 1 (a file may hold a plain and a humorous one).
    pub entry: usize,
    pub title: String,
    /// Its page's slug (as the site gives it: a clash makes it `-2`).
    pub slug: String,
    pub collection: Option<String>,
    /// Mandatory checks passed, of [`CheckId::MANDATORY`].
    pub passed: usize,
    pub of: usize,
    /// Whether the optional task (`engaging`) is done.
    pub optional: bool,
    /// The course-style percentage (200 at best).
    pub percent: f64,
    /// The mandatory checks it does not pass, in rubric order: `passed + failing.len()`
    /// is always `of`.
    pub failing: Vec<CheckId>,
    pub words: usize,
    /// A draft (graded only with `--drafts`).
    pub draft: bool,
    /// The postmortems it is a near-duplicate of (see [`crate::copies`]), most similar
    /// first.
    pub near_duplicates: Vec<NearDup>,
}

/// A postmortem another is a near-duplicate of, as the grades name it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NearDup {
    /// Its place among the rows.
    #[serde(skip)]
    pub row: usize,
    pub file: String,
    pub entry: usize,
    /// Its shingles' Jaccard similarity with the row's, in percent.
    pub percent: u32,
}

impl NearDup {
    /// As a cell names it: "cohort/b.md 87%" ("#2" after the file for its second
    /// postmortem).
    pub fn label(&self) -> String {
        let entry = if self.entry > 1 {
            format!(" #{}", self.entry)
        } else {
            String::new()
        };
        format!("{}{entry} {}%", self.file, self.percent)
    }
}

/// Fills each row's near-duplicates from `found`, whose documents are `rows` in order.
pub fn add_near_duplicates(rows: &mut [GradeRow], found: &crate::copies::Copies) {
    let lists: Vec<Vec<NearDup>> = (0..rows.len())
        .map(|i| {
            let mut list: Vec<NearDup> = found
                .of(i)
                .map(|pair| {
                    let j = pair.partner(i);
                    NearDup {
                        row: j,
                        file: rows[j].file.clone(),
                        entry: rows[j].entry,
                        percent: pair.percent(),
                    }
                })
                .collect();
            list.sort_by(|a, b| b.percent.cmp(&a.percent).then(a.row.cmp(&b.row)));
            list
        })
        .collect();
    for (row, list) in rows.iter_mut().zip(lists) {
        row.near_duplicates = list;
    }
}

impl GradeRow {
    pub fn new(file: &FileResult, entry: &Entry) -> GradeRow {
        let pm = &entry.postmortem;
        GradeRow {
            author: pm.author.clone(),
            file: file.path.clone(),
            entry: pm.index + 1,
            title: pm.title.clone(),
            slug: pm.slug.clone(),
            collection: pm.collection.clone(),
            passed: pm.score.passed,
            of: pm.score.of,
            optional: pm.score.optional_passed > 0,
            percent: pm.score.percent,
            failing: pm
                .checks
                .iter()
                .filter(|c| c.id.is_mandatory() && !c.passed())
                .map(|c| c.id)
                .collect(),
            words: pm.word_count,
            draft: file.is_draft(),
            near_duplicates: Vec::new(),
        }
    }

    pub fn passes_all(&self) -> bool {
        self.passed == self.of
    }
}

/// A file with no postmortem in it, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ungraded {
    pub file: String,
    pub reason: String,
    pub line: Option<u32>,
}

impl Ungraded {
    /// Why `file` holds no postmortem: its first warning or error (not a postmortem,
    /// unreadable, binary...), in the words `check` and `build` use.
    pub fn new(file: &FileResult) -> Ungraded {
        let problem = file.problems.iter().find(|p| p.level >= Level::Warning);
        Ungraded {
            file: file.path.clone(),
            reason: problem.map_or_else(|| "no postmortem found".to_owned(), |p| p.message.clone()),
            line: problem.and_then(|p| p.line),
        }
    }
}

/// How often one mandatory check is missed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Missed {
    pub id: CheckId,
    pub section: &'static str,
    /// Postmortems that do not pass it.
    pub missed: usize,
    /// Of all postmortems, in percent (one decimal).
    pub share: f64,
}

/// Every postmortem's grade and every file that held none.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Grades {
    pub rows: Vec<GradeRow>,
    pub ungraded: Vec<Ungraded>,
}

impl Grades {
    /// The grades of `files` (in their order). Drafts are graded only with `drafts`,
    /// as the gallery publishes them; without it each draft is listed as ungraded, so
    /// none is left out silently.
    pub fn new<'a>(files: impl IntoIterator<Item = &'a FileResult>, drafts: bool) -> Grades {
        let mut g = Grades::default();
        let mut graded: Vec<(&FileResult, &Entry)> = Vec::new();
        for f in files {
            if f.entries.is_empty() {
                g.ungraded.push(Ungraded::new(f));
            } else if f.is_draft() && !drafts {
                g.ungraded.push(Ungraded {
                    file: f.path.clone(),
                    reason:
                        "a draft (draft = true in its front matter): not graded without --drafts"
                            .into(),
                    line: None,
                });
            } else {
                graded.extend(f.entries.iter().map(|e| (f, e)));
            }
        }
        g.rows = graded.iter().map(|(f, e)| GradeRow::new(f, e)).collect();
        let docs: Vec<crate::copies::Doc> = graded
            .iter()
            .map(|(f, e)| crate::copies::Doc {
                file: &f.path,
                version: f.fingerprint,
                print: &e.print,
            })
            .collect();
        let found = crate::copies::detect(&docs, |i| graded[i].0.text.unpack());
        add_near_duplicates(&mut g.rows, &found);
        g
    }

    /// The mandatory checks, most missed first (then in rubric order).
    pub fn most_missed(&self) -> Vec<Missed> {
        most_missed(&self.rows)
    }

    /// RFC 4180 CSV with a header row, one row per postmortem. A text cell that a
    /// spreadsheet would read as a formula (one starting with `=`, `+`, `-`, `@`, a tab
    /// or a carriage return) gets a leading apostrophe, which spreadsheets show as text.
    pub fn write_csv(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(CSV_HEADER)?;
        for r in &self.rows {
            let failing: Vec<&str> = r.failing.iter().map(|c| c.as_str()).collect();
            w.write_record([
                cell(r.author.as_deref().unwrap_or("")).as_str(),
                &cell(&r.file),
                &r.entry.to_string(),
                &cell(&r.title),
                &cell(r.collection.as_deref().unwrap_or("")),
                &r.passed.to_string(),
                &r.of.to_string(),
                if r.optional { "1" } else { "0" },
                &crate::check::human::fmt_percent(r.percent),
                &failing.join(" "),
                &r.words.to_string(),
                if r.draft { "1" } else { "0" },
                &cell(&near_duplicates(r).join("; ")),
            ])?;
        }
        w.flush()
    }

    /// The report as JSON: `{"version", "checks", "postmortems", "not_graded",
    /// "most_missed"}` (see the README).
    pub fn write_json(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        #[derive(Serialize)]
        struct Doc<'a> {
            version: u32,
            checks: Vec<&'static str>,
            postmortems: &'a [GradeRow],
            not_graded: &'a [Ungraded],
            most_missed: Vec<Missed>,
        }
        let doc = Doc {
            version: VERSION,
            checks: mandatory_ids().map(CheckId::as_str).collect(),
            postmortems: &self.rows,
            not_graded: &self.ungraded,
            most_missed: self.most_missed(),
        };
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        out.write_all(b"\n")
    }

    /// The report as markdown: the most-missed checks, a table of the grades, and the
    /// files that held no postmortem. Student text is escaped so it stays in its cell.
    pub fn to_markdown(&self) -> String {
        let mut out = String::from("# Grades\n\n");
        let perfect = self.rows.iter().filter(|r| r.passes_all()).count();
        let _ = writeln!(
            out,
            "{} postmortem{}, {perfect} passing all {} mandatory checks; {} file{} not graded.\n",
            self.rows.len(),
            plural(self.rows.len()),
            CheckId::MANDATORY,
            self.ungraded.len(),
            plural(self.ungraded.len()),
        );
        let missed: Vec<Missed> = self
            .most_missed()
            .into_iter()
            .filter(|m| m.missed > 0)
            .collect();
        if !missed.is_empty() {
            out.push_str(
                "## Most missed checks\n\n| check | missed by | share |\n|---|---:|---:|\n",
            );
            for m in &missed {
                let _ = writeln!(out, "| `{}` | {} | {}% |", m.id, m.missed, m.share);
            }
            out.push('\n');
        }
        out.push_str("## Postmortems\n\n| author | file | title | collection | score | course % (of 200) | failing | words | near-duplicates |\n|---|---|---|---|---:|---:|---|---:|---|\n");
        for r in &self.rows {
            let failing: Vec<String> = r.failing.iter().map(|c| format!("`{c}`")).collect();
            let entry = if r.entry > 1 {
                format!(" (#{})", r.entry)
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "| {} | {}{entry} | {}{} | {} | {}/{}{} | {}% | {} | {} | {} |",
                escape(r.author.as_deref().unwrap_or("")),
                code(&r.file).replace('|', "\\|"),
                escape(&r.title),
                if r.draft { " (draft)" } else { "" },
                escape(r.collection.as_deref().unwrap_or("")),
                r.passed,
                r.of,
                if r.optional { " +1" } else { "" },
                crate::check::human::fmt_percent(r.percent),
                failing.join(" "),
                r.words,
                near_duplicates(r)
                    .iter()
                    .map(|n| escape(n))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        if !self.ungraded.is_empty() {
            out.push_str("\n## Not graded\n\n| file | why |\n|---|---|\n");
            for u in &self.ungraded {
                let at = u.line.map(|l| format!(":{l}")).unwrap_or_default();
                let _ = writeln!(
                    out,
                    "| {} | {} |",
                    code(&format!("{}{at}", u.file)).replace('|', "\\|"),
                    escape(&u.reason)
                );
            }
        }
        out
    }
}

/// The CSV's columns.
pub const CSV_HEADER: [&str; 13] = [
    "author",
    "file",
    "entry",
    "title",
    "collection",
    "passed",
    "of",
    "optional",
    "percent",
    "failing",
    "words",
    "draft",
    "near_duplicates",
];

/// A row's near-duplicates, each as its cell names it.
fn near_duplicates(r: &GradeRow) -> Vec<String> {
    r.near_duplicates.iter().map(NearDup::label).collect()
}

/// The mandatory checks in rubric order.
pub fn mandatory_ids() -> impl Iterator<Item = CheckId> {
    CheckId::ALL.into_iter().filter(|c| c.is_mandatory())
}

/// The mandatory checks, most missed first (then in rubric order), over `rows`.
pub fn most_missed(rows: &[GradeRow]) -> Vec<Missed> {
    let mut counts = [0usize; CheckId::MANDATORY];
    for r in rows {
        for c in &r.failing {
            counts[*c as usize] += 1;
        }
    }
    let mut missed: Vec<Missed> = mandatory_ids()
        .map(|id| Missed {
            id,
            section: id.section(),
            missed: counts[id as usize],
            share: if rows.is_empty() {
                0.0
            } else {
                (counts[id as usize] as f64 * 1000.0 / rows.len() as f64).round() / 10.0
            },
        })
        .collect();
    missed.sort_by(|a, b| b.missed.cmp(&a.missed).then(a.id.cmp(&b.id)));
    missed
}

/// A text cell a spreadsheet reads as text: one that would start a formula is
/// prefixed with an apostrophe (OWASP's advice for CSV injection).
pub fn cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::Analyzer;
    use crate::config::Config;

    const GOOD: &str = "# The pool that ran dry\n\n## Issue Summary\n\nFrom 10:00 AM to 11:30 AM UTC on May 2, 2024, the checkout API returned errors and users could not pay. About 40% of users were affected. The root cause was a database connection pool that was too small.\n\n## Timeline\n\n- 10:00 AM - A monitoring alert fired for the checkout error rate.\n- 10:05 AM - The on-call engineer investigated the API logs and assumed a bad deploy.\n- 10:20 AM - Misleading path: the team rolled back the deploy, but errors did not stop.\n- 10:40 AM - Escalated to the database team.\n- 11:30 AM - The database team raised the pool size; incident resolved.\n\n## Root Cause and Resolution\n\nThe new release doubled the API workers and each held connections for the whole request, so the pool of 50 was exhausted and requests timed out.\n\nWe raised the pool size to 200 and made workers release connections after each query.\n\n## Corrective and Preventative Measures\n\nWe will improve capacity planning.\n\n- Add monitoring on database connection pool usage.\n- Add a load test to the release checklist.\n";

    fn analyzed(files: &[(&str, &str)]) -> Vec<FileResult> {
        let config = Config::default();
        let a = Analyzer::new(&config);
        files
            .iter()
            .map(|(path, text)| a.analyze_bytes(path, Some("cohort".into()), text.as_bytes()))
            .collect()
    }

    #[test]
    fn a_row_holds_the_grade_and_its_failing_checks() {
        let text = format!("+++\nauthor = \"=HYPERLINK(\\\"x\\\")\"\n+++\n{GOOD}");
        let files = analyzed(&[("cohort/pool.md", &text)]);
        let g = Grades::new(&files, false);
        assert_eq!(g.rows.len(), 1);
        let r = &g.rows[0];
        let pm = &files[0].entries[0].postmortem;
        assert_eq!(r.author.as_deref(), Some("=HYPERLINK(\"x\")"));
        assert_eq!((r.file.as_str(), r.entry), ("cohort/pool.md", 1));
        assert_eq!(r.collection.as_deref(), Some("cohort"));
        assert_eq!((r.passed, r.of), (pm.score.passed, 13));
        assert_eq!(r.passed + r.failing.len(), r.of);
        assert_eq!(r.percent, pm.score.percent);
        assert_eq!(r.words, pm.word_count);
        for c in &pm.checks {
            let listed = r.failing.contains(&c.id);
            assert_eq!(listed, c.id.is_mandatory() && !c.passed(), "{}", c.id);
        }
    }

    #[test]
    fn files_without_a_postmortem_and_drafts_are_listed_with_why() {
        let draft = format!("+++\ndraft = true\n+++\n{GOOD}");
        let files = analyzed(&[
            (
                "cohort/link.md",
                "https://medium.com/@someone/my-postmortem-123\n",
            ),
            ("cohort/draft.md", &draft),
            ("cohort/pool.md", GOOD),
        ]);
        let g = Grades::new(&files, false);
        assert_eq!(g.rows.len(), 1);
        let files_of: Vec<&str> = g.ungraded.iter().map(|u| u.file.as_str()).collect();
        assert_eq!(files_of, ["cohort/link.md", "cohort/draft.md"]);
        assert!(
            g.ungraded[0].reason.contains("not a postmortem"),
            "{:?}",
            g.ungraded
        );
        assert!(g.ungraded[1].reason.contains("draft"), "{:?}", g.ungraded);
        let with = Grades::new(&files, true);
        assert_eq!(with.rows.len(), 2);
        assert!(with.rows[0].draft && !with.rows[1].draft);
    }

    #[test]
    fn csv_is_rfc_4180_and_formulas_stay_text() {
        assert_eq!(cell("=1+1"), "'=1+1");
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("-x"), "'-x");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("Ada"), "Ada");
        let text = format!(
            "+++\ntitle = \"Quotes \\\"and\\\", commas\\nand lines\"\nauthor = \"@evil\"\n+++\n{GOOD}"
        );
        let files = analyzed(&[("cohort/a,b.md", &text)]);
        let g = Grades::new(&files, false);
        let mut out = Vec::new();
        g.write_csv(&mut out).unwrap();
        let mut rd = csv::Reader::from_reader(out.as_slice());
        assert_eq!(rd.headers().unwrap().iter().collect::<Vec<_>>(), CSV_HEADER);
        let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 1);
        assert_eq!(&rows[0][0], "'@evil");
        assert_eq!(&rows[0][1], "cohort/a,b.md");
        assert_eq!(&rows[0][3], "Quotes \"and\", commas\nand lines");
        assert_eq!(rows[0][5].parse::<usize>().unwrap(), g.rows[0].passed);
        let failing: Vec<&str> = rows[0][9].split_whitespace().collect();
        assert_eq!(failing.len(), 13 - g.rows[0].passed);
    }

    #[test]
    fn json_has_its_documented_shape() {
        let files = analyzed(&[("cohort/pool.md", GOOD), ("cohort/x.md", "hello\n")]);
        let mut out = Vec::new();
        Grades::new(&files, false).write_json(&mut out).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["version"], VERSION);
        assert_eq!(v["checks"].as_array().unwrap().len(), 13);
        let row = &v["postmortems"][0];
        for key in [
            "author",
            "file",
            "entry",
            "title",
            "slug",
            "collection",
            "passed",
            "of",
            "optional",
            "percent",
            "failing",
            "words",
            "draft",
        ] {
            assert!(row.get(key).is_some(), "{key} in {row}");
        }
        assert_eq!(v["not_graded"][0]["file"], "cohort/x.md");
        assert_eq!(v["most_missed"].as_array().unwrap().len(), 13);
    }

    #[test]
    fn most_missed_comes_first_with_its_share() {
        let thin = GOOD.replace("- 10:40 AM - Escalated to the database team.\n", "");
        let files = analyzed(&[("cohort/a.md", GOOD), ("cohort/b.md", &thin)]);
        let g = Grades::new(&files, false);
        let m = g.most_missed();
        assert!(m.windows(2).all(|w| w[0].missed >= w[1].missed), "{m:?}");
        let esc = m
            .iter()
            .find(|m| m.id == CheckId::TimelineEscalation)
            .unwrap();
        let expected = g
            .rows
            .iter()
            .filter(|r| r.failing.contains(&CheckId::TimelineEscalation))
            .count();
        assert_eq!(esc.missed, expected);
        assert_eq!(esc.share, expected as f64 * 50.0);
    }

    #[test]
    fn markdown_keeps_student_text_in_its_cell() {
        let text =
            format!("+++\ntitle = \"A | B `c` # d <b>e</b>\"\nauthor = \"x|y\"\n+++\n{GOOD}");
        let files = analyzed(&[("cohort/p|q.md", &text), ("cohort/x.md", "hello\n")]);
        let md = Grades::new(&files, false).to_markdown();
        let row = md
            .lines()
            .find(|l| l.contains("A \\| B"))
            .unwrap_or_else(|| panic!("{md}"));
        // Nine cells: ten unescaped pipes.
        let pipes = row
            .match_indices("|")
            .filter(|(i, _)| *i == 0 || row.as_bytes()[i - 1] != b'\\');
        assert_eq!(pipes.count(), 10, "{row}");
        assert!(
            row.contains("\\<b\\>e\\</b\\>") && row.contains("\\`c\\`"),
            "{row}"
        );
        assert!(md.contains("## Not graded"), "{md}");
    }
}
