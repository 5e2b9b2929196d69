//! The grading report's rows for its script: `report/rows.js`, one compact record per
//! published postmortem, which the theme's `static/report.js` sorts and filters in
//! the browser on the report's first page (the pages themselves are plain tables that
//! read without JavaScript). Written like the search index ([`super::search`]): a
//! script rather than a `.json`, so it works from disk, with every `<`, `>`, `&`,
//! U+2028 and U+2029 a `\u` escape.
//!
//! A record is an array, its fields named once in `fields`; the collection is a number
//! into `collections`, and the failing checks are one number, bit `i` set when the
//! `i`th of `checks` (the 13, in rubric order) fails. `copies` is the row's
//! near-duplicates, each `[row, percent]` (empty unless the site shows copied work).

use super::search::{SafeWriter, script};
use crate::grades::GradeRow;
use crate::words::Fx;
use rayon::prelude::*;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;
use std::sync::Arc;

/// Where the rows are written, from the site root.
pub const ROWS_FILE: &str = "report/rows.js";

/// The format of a record: bump with any change to `FIELDS` (the script reads `v`).
pub const VERSION: u32 = 2;

/// What each record holds, in order.
pub const FIELDS: [&str; 11] = [
    "slug",
    "title",
    "file",
    "author",
    "collection",
    "passed",
    "optional",
    "percent",
    "failing",
    "words",
    "copies",
];

type Record<'a> = (
    &'a str,
    Cow<'a, str>,
    &'a str,
    Option<Cow<'a, str>>,
    Option<u32>,
    usize,
    u8,
    f64,
    u32,
    usize,
    Vec<(usize, u32)>,
);

#[derive(Serialize)]
struct Rows<'a> {
    v: u32,
    checks: Vec<&'static str>,
    fields: &'static [&'static str],
    collections: Vec<&'a str>,
    rows: Vec<Record<'a>>,
}

const PREFIX: &str = "self.hindsightGrades = ";

/// The rows' script, in the listings' order.
pub fn render(rows: &[GradeRow]) -> String {
    let fps = vec![0; rows.len()];
    render_keeping(rows, &fps, None)
}

/// [`render`], taking from `kept` the records of the rows whose fingerprint (in `fps`,
/// one a row, covering its near-duplicates' places) it holds, and keeping there the
/// records written (see [`script_of_records`]).
pub fn render_keeping(rows: &[GradeRow], fps: &[u64], kept: Option<&mut Kept>) -> String {
    let collections: BTreeMap<&str, u32> = rows
        .iter()
        .filter_map(|r| r.collection.as_deref())
        .map(|c| (c, 0))
        .collect();
    let collections: BTreeMap<&str, u32> = collections
        .into_keys()
        .enumerate()
        .map(|(i, c)| (c, i as u32))
        .collect();
    let excerpt = super::search::excerpt;
    let table = Fx::default().hash_one(&collections);
    let head = Rows {
        v: VERSION,
        checks: crate::grades::mandatory_ids().map(|c| c.as_str()).collect(),
        fields: &FIELDS,
        collections: collections.keys().copied().collect(),
        rows: Vec::new(),
    };
    let numbered: Vec<(&GradeRow, u64)> = rows.iter().zip(fps.iter().copied()).collect();
    script_of_records(
        PREFIX,
        &head,
        &numbered,
        |&(_, fp)| Fx::default().hash_one((table, fp)),
        |&(r, _)| -> Record {
            (
                r.slug.as_str(),
                excerpt(&r.title, 300),
                r.file.as_str(),
                r.author.as_deref().map(|a| excerpt(a, 120)),
                r.collection.as_deref().map(|c| collections[c]),
                r.passed,
                u8::from(r.optional),
                r.percent,
                r.failing.iter().fold(0u32, |m, c| m | 1 << (*c as u32)),
                r.words,
                r.near_duplicates
                    .iter()
                    .map(|n| (n.row, n.percent))
                    .collect(),
            )
        },
        kept,
    )
}

/// The records of the last script written, each by a fingerprint of what it was made
/// from, so that the next one serializes only the records that changed.
#[derive(Default)]
pub struct Kept(HashMap<u64, Arc<[u8]>, Fx>);

/// The script of `head` (whose last field is an empty list) with that list holding a
/// record of each of `items`, as serializing it whole writes it. A record `kept` holds
/// under an item's `key` is taken as it is; the records written are kept there.
pub(crate) fn script_of_records<H: Serialize, T: Sync, R: Serialize>(
    prefix: &str,
    head: &H,
    items: &[T],
    key: impl Fn(&T) -> u64 + Sync,
    record: impl Fn(&T) -> R + Sync,
    kept: Option<&mut Kept>,
) -> String {
    let old = kept.as_ref().map(|k| &k.0);
    let records: Vec<(u64, Arc<[u8]>)> = items
        .par_iter()
        .map(|item| {
            let k = key(item);
            match old.and_then(|o| o.get(&k)) {
                Some(r) => (k, r.clone()),
                None => {
                    let mut out = SafeWriter(Vec::with_capacity(600));
                    // Plain data into memory: serializing it cannot fail.
                    let _ = serde_json::to_writer(&mut out, &record(item));
                    (k, Arc::from(out.0))
                }
            }
        })
        .collect();
    let bytes: usize = records.iter().map(|r| r.1.len() + 1).sum();
    let mut out = script(prefix, head, bytes + 1024).into_bytes();
    let tail = b"]};\n";
    debug_assert!(
        out.ends_with(b"[]};\n"),
        "the head ends with its empty list"
    );
    out.truncate(out.len() - tail.len());
    for (i, (_, r)) in records.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(r);
    }
    out.extend_from_slice(tail);
    if let Some(kept) = kept {
        kept.0 = records.into_iter().collect();
    }
    // Only whole characters and ASCII escapes were written.
    String::from_utf8(out).unwrap_or_default()
}

/// The JSON inside the rows' script (for tests and tools).
pub fn json_of(script: &str) -> Option<&str> {
    script.strip_prefix(PREFIX)?.trim_end().strip_suffix(';')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CheckId;

    fn row(title: &str, failing: Vec<CheckId>) -> GradeRow {
        GradeRow {
            author: Some("</script>Ada".into()),
            file: "cohort/a.md".into(),
            entry: 1,
            title: title.into(),
            slug: "cohort-a".into(),
            collection: Some("cohort".into()),
            passed: 13 - failing.len(),
            of: 13,
            optional: true,
            percent: 0.0,
            failing,
            words: 500,
            draft: false,
            near_duplicates: Vec::new(),
        }
    }

    #[test]
    fn failing_checks_are_bits_and_markup_is_escaped() {
        let out = render(&[
            row(
                "<b>x</b> & y",
                vec![CheckId::SummaryDuration, CheckId::MeasuresTasks],
            ),
            row("ok", vec![]),
        ]);
        assert!(
            !out.contains('<') && !out.contains('>') && !out.contains('&'),
            "{out}"
        );
        let v: serde_json::Value = serde_json::from_str(json_of(&out).unwrap()).unwrap();
        assert_eq!(v["checks"][0], "summary-duration");
        assert_eq!(v["checks"][12], "measures-tasks");
        assert_eq!(v["rows"][0][8], 1 | (1 << 12));
        assert_eq!(v["rows"][1][8], 0);
        assert_eq!(v["rows"][0][1], "<b>x</b> & y");
        assert_eq!(v["collections"], serde_json::json!(["cohort"]));
        assert_eq!(v["rows"][0][4], 0);
        assert_eq!(v["fields"].as_array().unwrap().len(), FIELDS.len());
    }

    #[test]
    fn kept_records_make_the_rows_a_whole_serialization_makes() {
        let mut rows = vec![row("a", vec![]), row("b", vec![CheckId::MeasuresTasks])];
        // Each row's fingerprint from what it holds, as the build makes them.
        let fps = |rows: &[GradeRow]| -> Vec<u64> {
            rows.iter()
                .map(|r| Fx::default().hash_one((&r.title, r.failing.len(), &r.collection)))
                .collect()
        };
        // The whole rows serialized as one value.
        let whole = |rows: &[GradeRow]| -> serde_json::Value {
            serde_json::from_str(json_of(&render(rows)).unwrap()).unwrap()
        };
        let mut kept = Kept::default();
        for step in 0..4 {
            match step {
                1 => rows[1].title = "b, edited".into(),
                // A new collection renumbers every row's.
                2 => rows[0].collection = Some("another".into()),
                _ => {}
            }
            let out = render_keeping(&rows, &fps(&rows), Some(&mut kept));
            assert_eq!(out, render(&rows), "step {step}");
            let v: serde_json::Value = serde_json::from_str(json_of(&out).unwrap()).unwrap();
            assert_eq!(v, whole(&rows));
            assert_eq!(kept.0.len(), rows.len());
        }
        assert_eq!(
            whole(&rows)["collections"],
            serde_json::json!(["another", "cohort"])
        );
    }
}
