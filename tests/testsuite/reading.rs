//! Reading that generalises: the project's own labelled postmortems
//! (`tests/fixtures/reading`, written for the project in the shapes real writers use, see
//! its LABELING.md) scored field by field the way the course's scorer scores the corpus,
//! against floors; and industry templates read with all their parts. These run on a
//! fresh clone.

use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn check_json(dir: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .args(["--quiet", "check", "--format", "json"])
        .arg(dir)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).expect("a JSON report")
}

/// The fields of the course's scorer, with the same rules: times compare as written
/// (the time of day alone when the label has no date), zones without spaces or
/// brackets, durations within a minute, shares within half a point, timeline entries
/// within one.
fn score(labels: &[Value], report: &Value) -> HashMap<&'static str, (usize, usize)> {
    let by_name: HashMap<String, &Value> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let path = f["path"].as_str().unwrap();
            (path.rsplit('/').next().unwrap().to_owned(), f)
        })
        .collect();
    let mut fields: HashMap<&'static str, (usize, usize)> = HashMap::new();
    let mut tally = |field: &'static str, ok: bool| {
        let e = fields.entry(field).or_default();
        e.1 += 1;
        e.0 += usize::from(ok);
    };
    let time_eq = |label: &Value, got: &Value| match (label.as_str(), got.as_str()) {
        (None, None) => true,
        (Some(l), Some(g)) if l.contains('T') => l == g,
        (Some(l), Some(g)) => g.ends_with(l),
        _ => false,
    };
    let zone = |v: &Value| {
        v.as_str()
            .map(|s| {
                s.chars()
                    .filter(|c| !" ()[]".contains(*c))
                    .collect::<String>()
                    .to_uppercase()
            })
            .filter(|s| !s.is_empty())
    };
    let close = |l: &Value, g: &Value, within: f64| match (l.as_f64(), g.as_f64()) {
        (None, None) => true,
        (Some(a), Some(b)) => (a - b).abs() <= within,
        _ => false,
    };
    for label in labels {
        let name = label["file"].as_str().unwrap();
        let file = by_name.get(name).copied();
        let pms = file
            .and_then(|f| f["postmortems"].as_array().cloned())
            .unwrap_or_default();
        let is_pm = label["is_postmortem"].as_bool().unwrap();
        tally("is_postmortem", pms.is_empty() != is_pm);
        if !is_pm {
            continue;
        }
        tally(
            "postmortem_count",
            pms.len() as u64 == label["postmortems"].as_u64().unwrap(),
        );
        let pm = pms.first().cloned().unwrap_or(Value::Null);
        let outage = &pm["outage"];
        tally("start", time_eq(&label["start"], &outage["start"]["local"]));
        tally("end", time_eq(&label["end"], &outage["end"]["local"]));
        tally(
            "timezone",
            zone(&label["timezone"]) == zone(&outage["timezone"]),
        );
        tally(
            "duration_minutes",
            close(&label["duration_minutes"], &outage["duration_minutes"], 1.0),
        );
        tally(
            "users_affected_percent",
            close(
                &label["users_affected_percent"],
                &outage["users_affected_percent"],
                0.49,
            ),
        );
        let entries = pm["timeline"].as_array().map_or(0, Vec::len) as i64;
        let wanted = label["timeline_entries"].as_i64().unwrap_or(0);
        tally("timeline_entries_pm1", (entries - wanted).abs() <= 1);
        let got: HashMap<&str, bool> = pm["checks"]
            .as_array()
            .map(|cs| {
                cs.iter()
                    .map(|c| (c["id"].as_str().unwrap(), c["status"] == "pass"))
                    .collect()
            })
            .unwrap_or_default();
        for (id, want) in label["checks"].as_object().unwrap() {
            tally(
                "checks",
                got.get(id.as_str()).copied().unwrap_or(false) == want.as_bool().unwrap(),
            );
        }
    }
    fields
}

/// Field → floor on the whole fixture set. Keep in step with the README.
const FLOORS: &[(&str, f64)] = &[
    ("is_postmortem", 0.96),
    ("postmortem_count", 0.95),
    ("start", 0.87),
    ("end", 0.86),
    ("timezone", 0.93),
    ("duration_minutes", 0.92),
    ("users_affected_percent", 0.88),
    ("timeline_entries_pm1", 0.86),
    ("checks", 0.90),
];

#[test]
fn reading_fixtures_meet_their_floors() {
    let dir = repo().join("tests/fixtures/reading");
    let mut labels = Vec::new();
    for set in std::fs::read_dir(&dir).unwrap().flatten() {
        let path = set.path().join("labels.jsonl");
        if let Ok(text) = std::fs::read_to_string(&path) {
            labels.extend(
                text.lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(|l| serde_json::from_str::<Value>(l).unwrap()),
            );
        }
    }
    assert!(labels.len() >= 70, "{} labelled fixtures", labels.len());
    let fields = score(&labels, &check_json(&dir));
    let mut table = String::new();
    let mut below = Vec::new();
    for (field, floor) in FLOORS {
        let (ok, n) = fields[field];
        let ratio = ok as f64 / n as f64;
        table.push_str(&format!("{field:24} {ratio:.3} ({ok}/{n})\n"));
        if ratio < *floor {
            below.push(format!("{field} {ratio:.3} < {floor}"));
        }
    }
    println!("{table}");
    assert!(below.is_empty(), "below the floors: {below:?}\n{table}");
}

#[test]
fn industry_templates_are_postmortems_with_all_their_parts() {
    let report = check_json(&repo().join("tests/fixtures/industry"));
    let files = report["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    for f in files {
        let path = f["path"].as_str().unwrap();
        let pms = f["postmortems"].as_array().unwrap();
        assert_eq!(pms.len(), 1, "{path}");
        let pm = &pms[0];
        let failed: Vec<&str> = pm["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["level"] == "error" && c["status"] == "fail")
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        assert!(failed.is_empty(), "{path}: {failed:?}");
        assert_eq!(pm["timeline"].as_array().unwrap().len(), 7, "{path}");
    }
}
