//! Real input: the course's seeds and 250 real submissions (`../shared`). Ignored by a
//! plain `cargo test`; `.ci/run` runs them with `--include-ignored`.

use crate::common::{TestSite, shared};
use std::collections::HashMap;

#[test]
#[ignore = "needs ../shared beside the checkout"]
fn the_real_corpus_builds_with_one_entry_per_postmortem_and_reports_the_rest() {
    let shared = shared();
    let corpus = shared.join("corpus/alx");
    let site = TestSite::with_content_from("corpus", &corpus);
    // The labels are data for measuring, not content.
    let site = site
        .remove("content/labels.jsonl")
        .remove("content/README.md")
        .remove("content/SOURCES.tsv");
    let (summary, analysis) = site.built();
    let labels: HashMap<String, serde_json::Value> =
        std::fs::read_to_string(corpus.join("labels.jsonl"))
            .unwrap()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                (v["file"].as_str().unwrap().to_owned(), v)
            })
            .collect();
    assert_eq!(analysis.files.len(), labels.len());
    let mut agree = 0;
    for f in &analysis.files {
        let label = &labels[&f.path];
        let is_pm = label["is_postmortem"].as_bool().unwrap();
        agree += usize::from(is_pm != f.entries.is_empty());
        if f.entries.is_empty() {
            assert!(
                f.problems
                    .iter()
                    .any(|p| p.level >= hindsight::model::Level::Warning),
                "{} has no postmortem and no report saying why",
                f.path
            );
        }
        assert!(
            !f.problems
                .iter()
                .any(|p| p.message.contains("internal error")),
            "{}: {:?}",
            f.path,
            f.problems
        );
    }
    let ratio = agree as f64 / labels.len() as f64;
    assert!(ratio >= 0.97, "is-a-postmortem agreement {ratio:.3} < 0.97");
    assert!(
        summary.postmortems >= 130,
        "{} postmortems",
        summary.postmortems
    );
    let broken = crate::links::broken_links(&site.dir.join("public"));
    assert!(broken.is_empty(), "{broken:#?}");
}

#[test]
#[ignore = "needs ../shared beside the checkout"]
fn the_seeds_build_and_the_two_versions_are_two_entries() {
    let shared = shared();
    let site = TestSite::with_content_from("seeds", &shared.join("seeds"));
    let (summary, analysis) = site.built();
    assert_eq!(analysis.files.len(), 5);
    assert!(
        analysis.files.iter().all(|f| !f.entries.is_empty()),
        "every seed holds a postmortem"
    );
    let first = analysis
        .files
        .iter()
        .find(|f| f.path.starts_with("000_"))
        .unwrap();
    assert_eq!(first.entries.len(), 2, "a plain and a humorous version");
    assert!(first.repaired, "seed 000 has mojibake");
    assert!(summary.postmortems >= 6);
    // Assignment text pasted around the postmortem is not part of it.
    for f in &analysis.files {
        for e in &f.entries {
            let md = &e.markdown.text(&f.text);
            assert!(
                !md.contains("must contain:"),
                "{}: assignment text in the postmortem",
                f.path
            );
            assert!(
                !md.contains("Manual QA review"),
                "{}: scores in the postmortem",
                f.path
            );
        }
    }
}
