//! Property-based fuzzing of every stage that reads what a writer wrote (issue 9), on
//! stable Rust with proptest: decoding, front matter, structure, times and dates, the
//! whole per-file analysis, and markdown rendering. The inputs are postmortem-like
//! (headings, bullets, times such as `10:05 AM`, dates, percentages, front matter
//! fences, fences and HTML, random unicode and control characters), not only random
//! bytes. The properties: nothing panics, every offset and line reported lies within the
//! input, and rendered HTML holds nothing that runs.
//!
//! 256 cases per property by default; a longer run:
//! `PROPTEST_CASES=20000 cargo test --release --test fuzz`.

#[path = "testsuite/html_scan.rs"]
mod html_scan;

use hindsight::Config;
use hindsight::analyze::Analyzer;
use hindsight::document::Document;
use hindsight::extract::time;
use hindsight::render::markdown::{self, Links};
use hindsight::source::{decode, front_matter, load_bytes};
use proptest::prelude::*;
use proptest::sample::select;
use std::collections::{BTreeSet, HashSet};
use std::ops::Range;

/// The default number of cases (256, or `PROPTEST_CASES`); failing inputs are printed,
/// not written to a file beside the tests.
fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// --- generators ---------------------------------------------------------------------

const ZONES: &[&str] = &[
    "",
    " UTC",
    " GMT",
    " WAT",
    " EAT",
    " PST",
    " IST",
    " CST",
    " GMT+1",
    " UTC-5",
    " UTC+14",
    " GMT+99",
    " (UTC)",
    " East Africa Time",
    " Pacific Time",
    " CET",
];

const CLOCK_WORDS: &[&str] = &[
    "noon",
    "midnight",
    "half past ten",
    "quarter to five",
    "ten o'clock in the morning",
    "3:AM",
    "11: 05pm",
    "2100hrs WAT",
    "8.40 AM GMT",
];

const SHARES: &[&str] = &[
    "nine in ten riders",
    "12,000 of our 48,000 riders",
    "half of the students",
    "all developers",
    "none of our customers",
    "100%.",
    "-40% of users",
];

const HEADINGS: &[&str] = &[
    "# Postmortem",
    "## Issue Summary",
    "Issue Summary:",
    "## Timeline",
    "Timeline",
    "Timline:",
    "**Root Cause**",
    "## Root Cause and Resolution",
    "Resolution:",
    "## Corrective and Preventative Measures",
    "Tasks:",
    "Impact:",
    "Duration:",
    "#Heading",
    "<h2>Timeline</h2>",
    "1. Root cause",
    "Postmortem: The Disk That Ate Everything",
    "### The humorous version",
    "=====",
    "-----",
    "## Conclusion",
    "Detection",
    "Escalation",
];

const MARKUP: &[&str] = &[
    "+++",
    "---",
    "...",
    "title = \"x\"",
    "title: [unclosed",
    "tags: [a, b]",
    "draft: true",
    "[checks]",
    "length = \"allow\"",
    "```",
    "```rust",
    "```\"><script>alert(1)</script>",
    "~~~ onmouseover=alert(1)",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "![i](diagram.png)",
    "![i](../../etc/passwd)",
    "<a href=\"javascript:alert(1)\">a</a>",
    "<svg onload=alert(1)>",
    "<iframe src=x></iframe>",
    "> quoted",
    ">>>> deep",
    "| a | b |",
    "|---|---|",
    "- [ ] task",
    "[^1]: note",
    "<!-- comment -->",
    "{{ 7 * 6 }}",
    "{% for x in [1] %}loop{% endfor %}",
    "<br>",
    "\u{E000}0\u{E000}",
    "a<br>b",
    "https://medium.com/@x/y",
    "<details open ontoggle=alert(1)>",
];

const WORDS: &[&str] = &[
    "the checkout API returned errors",
    "users could not pay",
    "an alert fired",
    "the on-call engineer investigated",
    "we assumed a bad deploy, but it was not",
    "escalated to the database team",
    "the root cause was a full disk",
    "we restarted nginx and the site was back",
    "add monitoring on the connection pool",
    "improve our alerting",
    "Murphy paged the infra lead, Devon",
    "café — “quoted” ’ • …",
    "wonâ€™t ðŸš€",
    "日本語のテキスト",
    "Ελληνικά русский",
];

/// One of `items`, as an owned string.
fn pick(items: &'static [&'static str]) -> impl Strategy<Value = String> {
    select(items).prop_map(String::from)
}

fn hour_minute() -> impl Strategy<Value = String> {
    (0u32..=30, 0u32..=99, 0usize..10).prop_map(|(h, m, shape)| match shape {
        0 => format!("{h}:{m:02}"),
        1 => format!("{h}:{m:02} AM"),
        2 => format!("{h}:{m:02}pm"),
        3 => format!("{h}.{m:02} PM"),
        4 => format!("{h:02}{m:02}hrs"),
        5 => format!("{h}: {m} am"),
        6 => format!("{h}:{m:02}:{:02}", m % 61),
        7 => format!("{h}{}", if m % 2 == 0 { "am" } else { "pm" }),
        8 => format!("{h:02}:{m:02}Z"),
        _ => format!("[{h}:{m:02}]"),
    })
}

fn zone() -> impl Strategy<Value = String> {
    pick(ZONES)
}

fn time_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (hour_minute(), zone()).prop_map(|(t, z)| format!("{t}{z}")),
        1 => pick(CLOCK_WORDS),
    ]
}

fn date_text() -> impl Strategy<Value = String> {
    const MONTHS: &[&str] = &[
        "January", "February", "March", "Apr", "May", "June", "Jul", "August", "Sept", "October",
        "Nov", "December", "Febuary", "Smarch",
    ];
    (0usize..MONTHS.len(), 0u32..=40, 1890i32..=2110, 0usize..7).prop_map(|(m, d, y, shape)| {
        let month = MONTHS[m];
        match shape {
            0 => format!("{month} {d}, {y}"),
            1 => format!("{d} {month} {y}"),
            2 => format!("{y}-{:02}-{d:02}", m + 1),
            3 => format!("{d}/{}/{}", m + 1, y % 100),
            4 => format!("{d}/{}/{y}", &month[..3]),
            5 => format!("Tue {d}th to Fri {}th ({month} {y})", d + 3),
            _ => format!("Monday, {month} {d}"),
        }
    })
}

fn share_text() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..=1000, 0u32..10).prop_map(|(n, d)| format!("{n}.{d}% of users")),
        (0u32..=300).prop_map(|n| format!("about {n}% of our customers")),
        pick(SHARES),
    ]
}

fn duration_text() -> impl Strategy<Value = String> {
    (0i64..=10_000, 0i64..=200, 0usize..6).prop_map(|(a, b, shape)| match shape {
        0 => format!("for {a} hours and {b} minutes"),
        1 => format!("{}:{b:02} hours", a % 10),
        2 => format!("{a} min"),
        3 => format!("{a}h{b}m"),
        4 => format!("lasted {a} seconds"),
        _ => format!("a {a}-day outage"),
    })
}

fn heading() -> impl Strategy<Value = String> {
    pick(HEADINGS)
}

fn markup() -> impl Strategy<Value = String> {
    pick(MARKUP)
}

fn words() -> impl Strategy<Value = String> {
    pick(WORDS)
}

/// One piece of a postmortem-like text.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => heading(),
        3 => (select(vec!["- ", "* ", "1. ", "  - ", "", "\t"]), time_text(), words())
            .prop_map(|(b, t, w)| format!("{b}{t} - {w}")),
        3 => words(),
        2 => time_text(),
        2 => date_text(),
        2 => share_text(),
        1 => duration_text(),
        3 => markup(),
        // Random unicode, control characters, surrogates' neighbours, BOMs, bidi marks.
        1 => "\\PC{0,12}",
        1 => "[\\x00-\\x1f\\x7f\\u{80}-\\u{9f}\\u{FEFF}\\u{FFFD}\\u{202E}\\u{200B}]{1,4}",
        1 => any::<String>(),
    ]
}

fn separator() -> impl Strategy<Value = &'static str> {
    select(vec!["\n", "\n", "\n\n", " ", ": ", "\r\n", "\r", ""])
}

/// A postmortem-like text of up to `n` pieces.
fn text(n: usize) -> impl Strategy<Value = String> {
    prop::collection::vec((fragment(), separator()), 0..n)
        .prop_map(|parts| parts.into_iter().map(|(f, s)| f + s).collect::<String>())
}

/// Bytes as files arrive: the text in every encoding (UTF-8 with or without BOM, UTF-16
/// both ways with or without BOM, Latin-1 where it can be, mojibake), or random bytes.
fn file_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => text(40).prop_map(String::into_bytes),
        1 => text(40).prop_map(|t| [b"\xEF\xBB\xBF".as_slice(), t.as_bytes()].concat()),
        1 => (text(30), any::<bool>(), any::<bool>()).prop_map(|(t, le, bom)| {
            let mut b: Vec<u8> = if bom { if le { vec![0xFF, 0xFE] } else { vec![0xFE, 0xFF] } } else { Vec::new() };
            for u in t.encode_utf16() {
                b.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
            }
            b
        }),
        1 => text(30).prop_map(|t| t.chars().map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')).collect()),
        1 => text(30).prop_map(|t| t.bytes().map(char::from).collect::<String>().into_bytes()),
        1 => prop::collection::vec(any::<u8>(), 0..600),
    ]
}

// --- helpers --------------------------------------------------------------------------

/// Lines in a decoded text, as an editor numbers them (an empty text has one).
fn line_count(text: &str) -> u32 {
    text.split('\n').count() as u32
}

fn assert_span(text: &str, span: &Range<usize>, what: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what} {span:?} is outside the text of {} bytes",
        text.len()
    );
    prop_assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what} {span:?} cuts a character"
    );
    Ok(())
}

fn assert_line(line: u32, lines: u32, what: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        (1..=lines).contains(&line),
        "{what} at line {line} of {lines}"
    );
    Ok(())
}

/// What in rendered HTML could run: nothing may.
fn assert_inert(html: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        !html.to_ascii_lowercase().contains("<script"),
        "a script in {html}"
    );
    let found = html_scan::executable(html, &BTreeSet::new());
    prop_assert!(found.is_empty(), "{found:?} in {html}");
    Ok(())
}

fn render(md: &str) -> markdown::Rendered {
    let assets = HashSet::from(["diagram.png".to_owned()]);
    markdown::render(
        md,
        &Links {
            source_dir: "",
            assets: &assets,
            root: "../../",
        },
    )
}

// --- properties -----------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    #[test]
    fn decoding_keeps_every_line_and_never_panics(bytes in file_bytes()) {
        match decode::decode(&bytes) {
            Ok(d) => {
                prop_assert!(!d.text.contains('\r'));
                let bom = d.text.starts_with('\u{FEFF}');
                prop_assert!(!bom, "a byte-order mark was kept");
                // Valid UTF-8 keeps one line per line ending (CRLF, CR or LF); with NULs
                // in it, it is read as UTF-16 (whose `\r\n` is `\0\r\0\n`).
                if let Ok(s) = std::str::from_utf8(&bytes).map(|s| s.trim_start_matches('\u{FEFF}'))
                    && !s.contains('\0')
                {
                    let endings = s.matches("\r\n").count()
                        + s.matches('\r').count() - s.matches("\r\n").count()
                        + s.matches('\n').count() - s.matches("\r\n").count();
                    prop_assert_eq!(d.text.matches('\n').count(), endings);
                }
            }
            Err(decode::DecodeError::Binary { line }) => {
                let lines = bytes.split(|&b| b == b'\n' || b == b'\r').count();
                prop_assert!(line >= 1 && line <= lines, "line {} of {}", line, lines);
            }
        }
    }

    #[test]
    fn loading_places_the_body_and_its_problems_within_the_file(bytes in file_bytes()) {
        if let Ok(l) = load_bytes(&bytes) {
            prop_assert!(l.body_start <= l.text.len() && l.text.is_char_boundary(l.body_start));
            let lines = line_count(&l.text);
            prop_assert!(l.body_line >= 1 && l.body_line <= lines + 1);
            for p in &l.problems {
                if let Some(n) = p.line {
                    assert_line(n, lines, &p.message)?;
                }
            }
        }
    }

    #[test]
    fn front_matter_splits_at_a_line_inside_the_text(t in text(30)) {
        let s = front_matter::split(&t);
        prop_assert!(t.ends_with(s.body), "the body is not the end of the text");
        let before = &t[..t.len() - s.body.len()];
        let newlines = before.matches('\n').count() as u32;
        if s.body.is_empty() {
            prop_assert!(s.body_line >= 1 && s.body_line <= newlines + 2);
        } else {
            prop_assert_eq!(s.body_line, newlines + 1, "body line");
        }
        for p in &s.problems {
            if let Some(n) = p.line {
                assert_line(n, line_count(&t), &p.message)?;
            }
        }
    }

    #[test]
    fn structure_stays_within_the_lines(t in text(50), first in 1u32..500, hint in any::<bool>()) {
        let doc = Document::parse(&t, first, hint);
        let n = doc.lines.len();
        for l in &doc.lines {
            assert_span(&t, &(l.start..l.end), "a line")?;
            prop_assert!(l.number >= first && l.number < first + line_count(&t));
        }
        for p in doc.parts() {
            prop_assert!(p.start <= p.end && p.end <= n, "part {}..{} of {n}", p.start, p.end);
            if let Some(title) = p.title {
                prop_assert!(title >= p.start && title < p.end, "title {title} outside the part");
            }
            for s in &p.sections {
                prop_assert!(s.start <= s.end && s.end <= n, "section {}..{} of {n}", s.start, s.end);
                if let Some(h) = s.heading {
                    prop_assert!(h < n);
                }
                for sub in &s.subs {
                    prop_assert!(sub.line < n && sub.end <= n);
                }
            }
        }
    }

    #[test]
    fn times_dates_and_durations_are_found_within_the_text(t in text(20)) {
        for m in time::scan_times(&t) {
            assert_span(&t, &m.span, "a time")?;
        }
        for r in time::scan_time_ranges(&t) {
            assert_span(&t, &r.start.span, "a range's start")?;
            assert_span(&t, &r.end.span, "a range's end")?;
        }
        for d in time::scan_dates(&t) {
            assert_span(&t, &d.span, "a date")?;
            prop_assert!((1..=12).contains(&d.month), "month {}", d.month);
        }
        for d in time::scan_durations(&t) {
            assert_span(&t, &d.span, "a duration")?;
            prop_assert!(d.minutes >= 0, "{} minutes", d.minutes);
        }
        for i in time::impossible(&t) {
            prop_assert!(i.at <= t.len() && t.is_char_boundary(i.at), "at {} of {}", i.at, t.len());
            prop_assert!(!i.written.is_empty() && t.contains(&i.written), "{:?}", i.written);
        }
    }

    #[test]
    fn a_whole_file_is_analysed_within_its_lines(bytes in file_bytes()) {
        let config = Config::default();
        let f = Analyzer::new(&config).analyze_bytes("x.md", None, &bytes);
        // A file that could not be decoded keeps no text: its problem is placed in its
        // bytes, where a line ends at any newline or carriage return byte.
        let raw_lines = bytes.iter().filter(|&&b| b == b'\n' || b == b'\r').count() as u32 + 1;
        let lines = line_count(&f.text.unpack()).max(raw_lines);
        for p in &f.problems {
            if let Some(n) = p.line {
                assert_line(n, lines, &p.message)?;
            }
        }
        for e in &f.entries {
            let pm = &e.postmortem;
            assert_line(pm.lines[0], lines, "a postmortem's start")?;
            assert_line(pm.lines[1], lines, "a postmortem's end")?;
            prop_assert!(pm.lines[0] <= pm.lines[1]);
            for c in &pm.checks {
                if let Some(n) = c.line {
                    assert_line(n, lines, c.id.as_str())?;
                }
            }
            for t in &pm.timeline {
                assert_line(t.line, lines, "a timeline entry")?;
            }
            for m in [&pm.outage.start, &pm.outage.end].into_iter().flatten() {
                assert_line(m.line, lines, "the outage window")?;
            }
            for s in &pm.sections {
                prop_assert!(s.line <= lines && s.end_line <= lines, "section {}..{}", s.line, s.end_line);
            }
            for minutes in [
                pm.outage.duration_minutes,
                pm.time_to_detect_minutes,
                pm.time_to_resolve_minutes,
            ]
            .into_iter()
            .flatten()
            {
                prop_assert!(minutes >= 0, "{minutes} minutes");
            }
            if let Some(p) = pm.outage.users_affected_percent {
                prop_assert!((0.0..=100.0).contains(&p), "{p}% of users");
            }
            assert_inert(&render(&e.markdown.text(&f.text)).html)?;
        }
    }

    #[test]
    fn rendered_markdown_never_runs_anything(t in text(40)) {
        assert_inert(&render(&t).html)?;
    }
}
