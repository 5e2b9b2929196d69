//! Markdown for people to paste: a student's feedback (`hindsight check --format
//! markdown`), and the escaping every markdown Hindsight writes puts student text
//! through, so a `|`, a backtick, a `#` or an HTML tag in a title or a quoted line
//! stays text and never breaks the table or the document around it.

use crate::analyze::FileResult;
use crate::model::{Level, Status};
use std::fmt::Write;

/// `text` as one line of inline markdown that shows as written: every character
/// markdown gives a meaning to is backslash-escaped (CommonMark lets any ASCII
/// punctuation be), line breaks become spaces and control characters are dropped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if needs_escape(c) => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' | '\u{2028}' | '\u{2029}' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// The punctuation that can start or end markdown of some kind inside a line or at
/// its start (a heading, a list, a table cell, a link, emphasis, code, an entity, raw
/// HTML); the rest (`.`, `,`, `:`...) is left as it is, so sentences read normally.
fn needs_escape(c: char) -> bool {
    matches!(
        c,
        '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '&' | '!'
    )
}

/// The feedback for one file: its postmortems' failing checks with the line, the line
/// itself and how to fix it, then what passes; a file without a postmortem says why.
/// Every word of it is the check's own (the same message and help as `check` prints).
pub fn feedback(f: &FileResult) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## Feedback on {}\n", code(&f.path));
    let problems: Vec<_> = f
        .problems
        .iter()
        .filter(|p| p.level >= Level::Warning)
        .collect();
    if f.entries.is_empty() {
        let reason = problems
            .first()
            .map_or("no postmortem was found in it", |p| p.message.as_str());
        let _ = writeln!(
            out,
            "No postmortem to grade: {}{}.\n",
            escape(reason.trim_end_matches('.')),
            problems
                .first()
                .and_then(|p| p.line)
                .map(|l| format!(" (line {l})"))
                .unwrap_or_default()
        );
        return out;
    }
    if !problems.is_empty() {
        let _ = writeln!(out, "**About the file**\n");
        for p in &problems {
            let at = p.line.map(|l| format!(" (line {l})")).unwrap_or_default();
            let _ = writeln!(out, "- {}{at}", escape(&p.message));
        }
        out.push('\n');
    }
    let several = f.entries.len() > 1;
    for e in &f.entries {
        let pm = &e.postmortem;
        let s = &pm.score;
        if several {
            let _ = writeln!(out, "### {}\n", escape(&pm.title));
        }
        let _ = writeln!(
            out,
            "**{}**: {}/{} mandatory checks pass{} ({}% of 200%).\n",
            escape(&pm.title),
            s.passed,
            s.of,
            if s.optional_passed > 0 {
                ", optional task done"
            } else {
                ", optional task not done"
            },
            crate::check::human::fmt_percent(s.percent)
        );
        let failing = |level: Level| {
            pm.checks
                .iter()
                .filter(move |c| c.status == Status::Fail && c.level == level)
        };
        for (level, heading) in [
            (Level::Error, "To fix"),
            (Level::Warning, "Worth fixing"),
            (Level::Info, "To go further"),
        ] {
            let list: Vec<_> = failing(level).collect();
            if list.is_empty() {
                continue;
            }
            let _ = writeln!(out, "**{heading}** ({})\n", list.len());
            for c in list {
                let at = c.line.map(|l| format!(", line {l}")).unwrap_or_default();
                let _ = writeln!(out, "- [ ] `{}`{at}: {}", c.id, escape(&c.message));
                if let Some(text) = c.line.and_then(|l| f.line_text(l)) {
                    let text: String = text.trim().chars().take(200).collect();
                    if !text.is_empty() {
                        let _ = writeln!(out, "  > {}", escape(&text));
                    }
                }
                if let Some(help) = &c.help {
                    let _ = writeln!(out, "  \n  How to fix: {}", escape(help));
                }
            }
            out.push('\n');
        }
        let passing: Vec<_> = pm.checks.iter().filter(|c| c.passed()).collect();
        if !passing.is_empty() {
            let _ = writeln!(out, "**Passing** ({})\n", passing.len());
            for c in passing {
                let at = c.line.map(|l| format!(", line {l}")).unwrap_or_default();
                let _ = writeln!(out, "- [x] `{}`{at}: {}", c.id, escape(&c.message));
            }
            out.push('\n');
        }
    }
    out
}

/// A path or name in a code span that no backtick in it can close.
pub fn code(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let longest = text
        .split(|c| c != '`')
        .map(str::len)
        .max()
        .unwrap_or_default();
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::Analyzer;
    use crate::config::Config;

    #[test]
    fn markup_in_student_text_stays_text() {
        assert_eq!(escape("a | b"), "a \\| b");
        assert_eq!(escape("# not a heading"), "\\# not a heading");
        assert_eq!(escape("`rm -rf`"), "\\`rm -rf\\`");
        assert_eq!(escape("<script>x</script>"), "\\<script\\>x\\</script\\>");
        assert_eq!(escape("[a](b) *c* &amp;"), "\\[a\\](b) \\*c\\* \\&amp;");
        assert_eq!(escape("two\nlines\r\u{0}"), "two lines ");
        assert_eq!(escape("10:00 UTC, 40%."), "10:00 UTC, 40%.");
    }

    #[test]
    fn a_code_span_outlasts_the_backticks_inside() {
        assert_eq!(code("a.md"), "`a.md`");
        assert_eq!(code("a`b.md"), "``a`b.md``");
        assert_eq!(code("`x`"), "`` `x` ``");
    }

    #[test]
    fn feedback_names_the_failing_line_and_how_to_fix_it() {
        let config = Config::default();
        let text = "# Disk | full\n\n## Issue Summary\n\nThe API was slow for a while for all users because the disk on db-01 was full of logs.\n\n## Timeline\n\n- 10:00 AM - an `alert` fired for disk usage on db-01\n- 10:30 AM - the on-call engineer deleted old logs and the API recovered\n\n## Root Cause and Resolution\n\nLog rotation was never configured on db-01, so logs filled the disk. We deleted old logs.\n\n## Corrective and Preventative Measures\n\n- Configure logrotate on db-01.\n";
        let f = Analyzer::new(&config).analyze_bytes("cohort/a|b.md", None, text.as_bytes());
        assert_eq!(f.entries.len(), 1, "{:?}", f.problems);
        let md = feedback(&f);
        assert!(md.starts_with("## Feedback on `cohort/a|b.md`\n"), "{md}");
        assert!(md.contains("**Disk \\| full**: "), "{md}");
        assert!(md.contains("**To fix**"), "{md}");
        let duration = f.entries[0]
            .postmortem
            .checks
            .iter()
            .find(|c| c.id == crate::model::CheckId::SummaryDuration)
            .unwrap();
        let line = duration.line.unwrap();
        assert!(
            md.contains(&format!(
                "- [ ] `summary-duration`, line {line}: {}",
                escape(&duration.message)
            )),
            "{md}"
        );
        assert!(
            md.contains(&format!(
                "How to fix: {}",
                escape(duration.help.as_deref().unwrap())
            )),
            "{md}"
        );
        // Every table-breaking character of the quoted lines is escaped.
        for l in md.lines().filter(|l| l.trim_start().starts_with('>')) {
            assert!(!l.contains(" | ") && !l.contains("`alert`"), "{l}");
        }
    }

    #[test]
    fn a_file_without_a_postmortem_says_why() {
        let config = Config::default();
        let f = Analyzer::new(&config).analyze_bytes(
            "link.md",
            None,
            b"https://medium.com/@x/my-postmortem\n",
        );
        let md = feedback(&f);
        assert!(md.contains("No postmortem to grade: "), "{md}");
    }
}
