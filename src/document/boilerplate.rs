//! Course boilerplate: the assignment page that students paste around their postmortem
//! (requirements, scores, navigation). RUBRIC.md says text that is not part of any
//! postmortem is not part of the entry, and these lines would otherwise satisfy checks
//! ("how was the issue detected (monitoring alert...)") that the writer never met.
//!
//! Recognition works on short phrases of the course page, matched case-insensitively,
//! then spreads to the neighbouring lines of the same pasted block.

use super::heading::HeadingKind;
use super::lines::{Heading, HeadingStyle, Line, LineKind};

/// Short, distinctive phrases of the course page. A line containing one is boilerplate.
const PHRASES: &[&str] = &[
    "must contain",
    "that is often what executives will read",
    "format bullet point",
    "keep it short, 1 or 2 sentences",
    "what parts of the system were investigated",
    "misleading investigation/debugging paths that were taken",
    "which team/individuals was the incident escalated",
    "explain in detail what was causing the issue",
    "explain in detail how the issue was fixed",
    "what are the things that can be improved/fixed",
    "a list of tasks to address the issue (be very specific",
    "be brief and straight to the point",
    "while postmortem format can vary",
    "so that you can get properly reviewed",
    "make your post-mortem attractive",
    "we are constantly stormed",
    "it’s tough to get people to read you",
    "it's tough to get people to read you",
    "any software system will eventually fail",
    "failing is normal and failing is actually",
    "failing twice because of the same issue",
    "a postmortem is a tool widely used in the tech industry",
    "the team(s) in charge of the system will write a summary",
    "to provide the rest of the company",
    "to ensure that the root cause(s) of the outage",
    "manual qa review",
    "mandatory & ",
    "altogether:",
    "calculation:",
    "checks completed",
    "add urls here",
    "github repository: alx",
    "directory: 0x19",
    "all rights reserved",
    "using one of the web stack debugging project issue",
    "most of you will never have faced an outage",
    "just get creative and invent your own",
    "these blogs must be written in english",
    "further your technical ability in a variety of settings",
    "it is your responsibility to request a review",
    "if no peers have been reviewed",
    "toggle navigation",
    "you just released the advanced tasks",
    "project over - took place from",
    "for this project, we expect you to look at this concept",
    "duration of the outage with start and end times",
    "what was the impact (what service was down",
    "how many % of the users were affected",
    "how was the issue detected (monitoring alert",
    "actions taken (what parts",
    "incident report, also referred to as a postmortem",
    "the importance of an incident postmortem process",
    "what is an incident postmortem?",
    "self-paced manual review",
];

/// Lines that are whole short headings of the course page; boilerplate only when they
/// sit inside a pasted block (a student's own "Requirements" heading is left alone).
const BLOCK_LINES: &[&str] = &[
    "requirements",
    "resources",
    "read or watch",
    "background context",
    "more info",
    "concepts",
    "on-call",
    "tasks",
    "repo",
    "mandatory",
    "advanced",
    "#advanced",
    "devops",
    "sysadmin",
    "in a nutshell…",
    "in a nutshell...",
    "in a nutshell",
    "0x19. postmortem",
    "0. my first postmortem",
    "1. make people want to read your postmortem",
    "my first postmortem",
    "make people want to read your postmortem",
    "weight: 1",
    "file: readme.md",
];

fn has_phrase(lower: &str) -> bool {
    PHRASES.iter().any(|p| lower.contains(p))
}

/// Requirement phrases that name a section; a student who answers the requirements one
/// by one (Q&A style) uses them as headings.
const IMPLIED: &[(&str, HeadingKind)] = &[
    ("duration of the outage", HeadingKind::Duration),
    ("what was the impact", HeadingKind::Impact),
    ("what was the root cause", HeadingKind::RootCause),
    ("when was the issue detected", HeadingKind::Timeline),
    ("how was the issue detected", HeadingKind::Timeline),
    ("actions taken", HeadingKind::Timeline),
    ("misleading investigation", HeadingKind::Timeline),
    ("which team/individuals", HeadingKind::Timeline),
    ("how the incident was resolved", HeadingKind::Timeline),
    ("explain in detail what was causing", HeadingKind::RootCause),
    (
        "explain in detail how the issue was fixed",
        HeadingKind::Resolution,
    ),
    (
        "what are the things that can be improved",
        HeadingKind::Measures,
    ),
    ("a list of tasks to address the issue", HeadingKind::Tasks),
];

/// Marks boilerplate lines in place.
pub fn mark(lines: &mut [Line]) {
    let mut anchors = Vec::new();
    for (i, line) in lines.iter_mut().enumerate() {
        if line.text.is_empty() || matches!(line.kind, LineKind::Code) {
            continue;
        }
        let lower = line.text.to_lowercase();
        if has_phrase(&lower) || is_score_line(&lower) || bare_requirement(&lower) {
            line.boilerplate = true;
            anchors.push(i);
        }
    }
    if anchors.is_empty() {
        return;
    }
    // Spread across short gaps between anchors: the pasted page's headings, short lines
    // and links between its distinctive sentences. Longer prose is the writer's own (an
    // answer under a quoted requirement) and stays.
    for w in anchors.windows(2) {
        let (a, b) = (w[0], w[1]);
        let gap = lines[a + 1..b].iter().filter(|l| !l.is_blank()).count();
        if gap <= 6 {
            for l in &mut lines[a + 1..b] {
                if course_like(l) {
                    l.boilerplate = true;
                }
            }
        }
    }
    // Course headings right next to a block.
    for &a in &anchors {
        for dir in [-1i64, 1] {
            let mut i = a as i64 + dir;
            let mut steps = 0;
            while i >= 0 && (i as usize) < lines.len() && steps < 8 {
                let l = &mut lines[i as usize];
                if l.is_blank() {
                    i += dir;
                    continue;
                }
                let lower = l.text.to_lowercase();
                let lower = lower.trim_end_matches(':').trim();
                if BLOCK_LINES.contains(&lower) || requirement_bullet(lower, l.kind) {
                    l.boilerplate = true;
                    steps += 1;
                    i += dir;
                } else {
                    break;
                }
            }
        }
    }
    answer_headings(lines);
}

/// Short structural lines of a pasted page: headings, bullets of few words, bare links.
fn course_like(l: &Line) -> bool {
    let words = l.text.split_whitespace().count();
    let lower = l.text.to_lowercase();
    let lower = lower.trim_end_matches(':').trim();
    BLOCK_LINES.contains(&lower)
        || words <= 4
        || (words <= 2 && l.text.contains("://"))
        || (l.text.starts_with("http") && words == 1)
}

/// Q&A style: a quoted requirement followed by the writer's answer becomes a heading for
/// that answer, so the answers land in the right sections.
fn answer_headings(lines: &mut [Line]) {
    for i in 0..lines.len() {
        if !lines[i].boilerplate {
            continue;
        }
        let lower = lines[i].text.to_lowercase();
        let Some(&(_, kind)) = IMPLIED
            .iter()
            .find(|(p, _)| lower.starts_with(p) || lower.starts_with(&format!("- {p}")))
        else {
            continue;
        };
        let next = lines[i + 1..].iter().find(|l| !l.is_blank());
        let answered = next.is_some_and(|n| {
            !n.boilerplate
                && matches!(n.kind, LineKind::Text | LineKind::Bullet { .. })
                && n.text.split_whitespace().count() >= 2
        });
        if answered {
            lines[i].boilerplate = false;
            lines[i].kind = LineKind::Heading(Heading {
                level: 8,
                style: HeadingStyle::Label,
                kind,
            });
        }
    }
}

/// A requirement line standing alone, exactly as the course words it.
fn bare_requirement(lower: &str) -> bool {
    let t = lower
        .trim()
        .trim_start_matches(['-', '*', '•'])
        .trim()
        .trim_end_matches(['?', ':', '.', ' ']);
    matches!(
        t,
        "when was the issue detected"
            | "what was the root cause"
            | "how the incident was resolved"
            | "actions taken"
            | "misleading investigation/debugging paths that were taken"
            | "which team/individuals was the incident escalated to"
            | "explain in detail what was causing the issue"
            | "explain in detail how the issue was fixed"
    )
}

/// "Score: 100.0% (Checks completed: 100.0%)", "13.0/13 mandatory".
fn is_score_line(lower: &str) -> bool {
    (lower.starts_with("score:") && lower.contains('%'))
        || (lower.contains("/13") && lower.contains("mandatory"))
        || lower.starts_with("mandatory:") && lower.contains('%')
        || lower.starts_with("optional:") && lower.contains('%')
}

/// The requirement list items of the assignment ("when was the issue detected").
fn requirement_bullet(lower: &str, kind: LineKind) -> bool {
    let starts = [
        "when was the issue",
        "how was the issue",
        "what was the root cause",
        "what was the impact",
        "what are the things",
        "misleading investigation",
        "which team",
        "how the incident was resolved",
        "explain in detail",
        "actions taken",
        "a list of tasks",
        "duration of the outage",
        "issue summary (",
        "timeline (format",
        "root cause and resolution must",
        "corrective and preventative measures must",
    ];
    (matches!(
        kind,
        LineKind::Bullet { .. } | LineKind::Text | LineKind::Heading(_)
    )) && starts.iter().any(|s| lower.starts_with(s))
}

#[cfg(test)]
mod tests {
    use super::super::lines::read_lines;
    use super::*;

    #[test]
    fn requirement_block_is_marked_and_postmortem_is_not() {
        let text = "Requirements:\n\nIssue Summary (that is often what executives will read) must contain:\n    duration of the outage with start and end times (including timezone)\n    what was the root cause\nTimeline (format bullet point, format: time - keep it short, 1 or 2 sentences) must contain:\n    when was the issue detected\n\nIssue Summary\nThe API was down from 10:00 to 11:00 UTC.\n";
        let mut lines = read_lines(text, 1);
        mark(&mut lines);
        let marked: Vec<_> = lines
            .iter()
            .filter(|l| l.boilerplate)
            .map(|l| l.number)
            .collect();
        assert_eq!(marked, [1, 3, 4, 5, 6, 7]);
    }

    #[test]
    fn score_lines_are_boilerplate() {
        let mut lines = read_lines(
            "Manual QA review: 13.0/13 mandatory & 1.0/1 optional\nAltogether:  200.0%\n",
            1,
        );
        mark(&mut lines);
        assert!(lines.iter().all(|l| l.boilerplate));
    }

    #[test]
    fn ordinary_text_is_untouched() {
        let mut lines = read_lines("## Requirements\nThe service must scale.\n", 1);
        mark(&mut lines);
        assert!(lines.iter().all(|l| !l.boilerplate));
    }
}
