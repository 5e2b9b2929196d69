//! Extraction accuracy on the course's real submissions, measured by the course's own
//! scorer (`../shared/tools/score-extraction`) against `labels.jsonl`. The floors are
//! what the README promises; the scorer exits non-zero when one is not met.

use crate::common::shared;
use std::process::Command;

/// Field → floor. Keep in step with the accuracy table in README.md.
pub const FLOORS: &[(&str, f64)] = &[
    ("is_postmortem", 0.98),
    ("postmortem_count", 0.97),
    ("start", 0.97),
    ("end", 0.97),
    ("timezone", 0.97),
    ("duration_minutes", 0.97),
    ("users_affected_percent", 0.96),
    ("timeline_entries_pm1", 0.94),
    ("checks", 0.93),
];

#[test]
#[ignore = "needs ../shared beside the checkout"]
fn extraction_meets_the_floors_on_the_real_corpus() {
    let shared = shared();
    let corpus = shared.join("corpus/alx");
    let out = Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .args(["check", "--format", "json"])
        .arg(&corpus)
        .output()
        .unwrap();
    let report =
        std::env::temp_dir().join(format!("hindsight-accuracy-{}.json", std::process::id()));
    std::fs::write(&report, &out.stdout).unwrap();
    let mut scorer = Command::new("python3");
    scorer
        .arg(shared.join("tools/score-extraction"))
        .arg(corpus.join("labels.jsonl"))
        .arg(&report);
    for (field, floor) in FLOORS {
        scorer.arg("--min").arg(format!("{field}={floor}"));
    }
    let scored = scorer.output().expect("python3 runs the course's scorer");
    let table = String::from_utf8_lossy(&scored.stdout);
    println!("{table}");
    let _ = std::fs::remove_file(&report);
    assert!(
        scored.status.success(),
        "accuracy below the floors:\n{table}{}",
        String::from_utf8_lossy(&scored.stderr)
    );
    // Every floor was measured (a renamed field must not pass silently).
    for (field, _) in FLOORS {
        assert!(
            table.lines().any(|l| l.starts_with(field)),
            "the scorer reported no `{field}`"
        );
    }
}
