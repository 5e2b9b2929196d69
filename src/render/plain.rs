//! The markdown a postmortem page shows: the postmortem's own lines (its title, which
//! the page shows separately, and course boilerplate left out). Plain-text files are
//! turned into markdown that keeps their line breaks and shows their section names as
//! headings, instead of running every line into one paragraph.

use crate::document::{Document, Line, LineKind, Part};

/// A part's markdown: what [`markdown_lines`] keeps of a markdown file, each piece
/// followed by a line break; a plain file's converted.
pub fn part_markdown(body: &str, doc: &Document, part: &Part) -> String {
    if doc.markdown {
        return join_lines(body, &markdown_lines(body, doc, part));
    }
    let lines = doc.range(part.start, part.end);
    let mut out = String::with_capacity(lines.iter().map(|l| l.end - l.start + 1).sum());
    let skip_title = |l: &Line| part.title.is_some_and(|t| std::ptr::eq(l, &doc.lines[t]));
    let mut prev_text = false;
    // The indentation of the open list's items, outermost first: a plain file's
    // bullets are nested by how they are indented relative to the list's first item,
    // never by the page's margin (four spaces before a list's first bullet would make
    // it a code block in markdown).
    let mut list: Vec<u16> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if l.boilerplate || skip_title(l) {
            continue;
        }
        let raw = &body[l.start..l.end];
        if !matches!(l.kind, LineKind::Bullet { .. } | LineKind::Blank) {
            list.clear();
        }
        match l.kind {
            LineKind::Blank => {
                out.push('\n');
                prev_text = false;
            }
            LineKind::Heading(h) => {
                if prev_text {
                    out.push('\n');
                }
                use crate::document::HeadingKind::*;
                let hashes = match h.kind {
                    Summary | Timeline | RootCause | Resolution | RootCauseResolution
                    | Measures => "##",
                    _ => "###",
                };
                out.push_str(hashes);
                out.push(' ');
                out.push_str(&escape_inline(&l.text));
                out.push_str("\n\n");
                prev_text = false;
            }
            LineKind::Underline | LineKind::Rule => {
                if l.kind == LineKind::Rule {
                    out.push_str("\n---\n\n");
                }
                prev_text = false;
            }
            LineKind::Bullet { ordered, .. } => {
                if prev_text {
                    out.push('\n');
                }
                while list.last().is_some_and(|&d| d > l.indent) {
                    list.pop();
                }
                if list.last().is_none_or(|&d| d < l.indent) {
                    list.push(l.indent);
                }
                // Four spaces a level: past the marker above ("- " or "1. "), short of
                // what would make code of it.
                for _ in 1..list.len() {
                    out.push_str("    ");
                }
                out.push_str(if ordered { "1. " } else { "- " });
                out.push_str(&escape_inline(
                    crate::document::lines::strip_marker(raw).trim(),
                ));
                out.push('\n');
                prev_text = false;
            }
            LineKind::Fence | LineKind::Code | LineKind::TableRow | LineKind::TableRule => {
                out.push_str(raw);
                out.push('\n');
                prev_text = false;
            }
            // An HTML line (an image, a <br>) in a plain file is meant as HTML; it is
            // sanitized like any other.
            LineKind::Text if raw.trim().starts_with('<') && raw.trim().ends_with('>') => {
                out.push('\n');
                out.push_str(raw.trim());
                out.push_str("\n\n");
                prev_text = false;
            }
            LineKind::Text => {
                let next_is_text = lines
                    .get(i + 1)
                    .is_some_and(|n| n.kind == LineKind::Text && !n.boilerplate);
                out.push_str(&escape_inline(raw.trim()));
                // A hard break keeps the writer's line structure inside a paragraph.
                out.push_str(if next_is_text { "\\\n" } else { "\n" });
                prev_text = true;
            }
        }
    }
    out
}

/// Escapes what markdown would read as markup in plain text.
fn escape_inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for (i, c) in s.char_indices() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '#' | '+' | '-' | '=' if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    // "1. Foo" at the start of a line would become a list.
    if let Some(dot) = out.find(['.', ')'])
        && dot > 0
        && out[..dot].chars().all(|c| c.is_ascii_digit())
    {
        out.insert(dot, '\\');
    }
    out
}

/// The byte ranges of `body` (which `doc` was read from) a markdown file's part is, its lines in order: its title
/// and course boilerplate left out, a line read as several pieces once, a blank line (or
/// a pasted block's fence read as text) empty. Lines that follow one another in the text
/// are one range, so a part is a few ranges rather than a copy of its text.
pub fn markdown_lines(body: &str, doc: &Document, part: &Part) -> Vec<(usize, usize)> {
    let lines = doc.range(part.start, part.end);
    let skip_title = |l: &Line| part.title.is_some_and(|t| std::ptr::eq(l, &doc.lines[t]));
    let mut out: Vec<(usize, usize)> = Vec::new();
    let push = |start: usize, end: usize, out: &mut Vec<(usize, usize)>| match out.last_mut() {
        // Right after the last range and its line break: the same range, longer.
        Some(last) if last.1 + 1 == start && body.as_bytes().get(last.1) == Some(&b'\n') => {
            last.1 = end
        }
        _ => out.push((start, end)),
    };
    for (i, l) in lines.iter().enumerate() {
        if l.boilerplate || skip_title(l) {
            // Keep an underline's partner from turning the next line into a heading.
            continue;
        }
        if l.kind == LineKind::Underline && i > 0 && skip_title(&lines[i - 1]) {
            continue;
        }
        // A line read as several pieces ("a<br>b", "Summary: text") is written once,
        // as the writer wrote it.
        if i > 0 && lines[i - 1].number == l.number {
            continue;
        }
        let end = lines[i..]
            .iter()
            .take_while(|p| p.number == l.number)
            .last()
            .map_or(l.end, |p| p.end);
        // Blank includes the fences of a pasted block that is read as text.
        if l.is_blank() {
            push(l.start, l.start, &mut out);
        } else {
            push(l.start, end, &mut out);
        }
    }
    out
}

/// The `ranges` of `text`, each followed by a line break.
pub fn join_lines(text: &str, ranges: &[(usize, usize)]) -> String {
    let mut out = String::with_capacity(ranges.iter().map(|r| r.1 - r.0 + 1).sum());
    for &(start, end) in ranges {
        out.push_str(text.get(start..end).unwrap_or(""));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(text: &str, markdown: bool) -> String {
        let doc = Document::parse(text, 1, markdown);
        let parts = doc.parts();
        part_markdown(text, &doc, &parts[0])
    }

    #[test]
    fn plain_text_keeps_lines_and_shows_headings() {
        let out = md(
            "Issue Summary:\nDuration: 10:00 to 11:00 UTC\nImpact: 50% of users <b>saw</b> errors\n\nTimeline:\n• 10:00 - alert *fired*\n",
            false,
        );
        assert!(out.contains("## Issue Summary"), "{out}");
        assert!(out.contains("Duration: 10:00 to 11:00 UTC\\\n"), "{out}");
        assert!(out.contains("\\<b\\>"), "{out}");
        assert!(out.contains("- 10:00 - alert \\*fired\\*"), "{out}");
    }

    #[test]
    fn indented_plain_text_is_lists_and_prose_never_code() {
        let text = "Web server 02 down.\n\nSummary of issues:\n    - Duration: 47 minutes from 4:14 pm to 5:01 pm.\n    - Impact: 100% of users.\n        - nested detail\n    - Root cause: a firewall rule.\nTimeline:\n    The alert fired at 4:14 pm.\n    1. We checked the ports.\n";
        let out = md(text, false);
        let html = crate::render::markdown::render(
            &out,
            &crate::render::markdown::Links {
                source_dir: "",
                assets: &Default::default(),
                root: "",
            },
        )
        .html;
        assert!(
            !html.contains("<pre") && !html.contains("<code"),
            "{out}\n{html}"
        );
        assert!(html.contains("<li>Duration: 47 minutes"), "{html}");
        assert!(html.contains("<ul>\n<li>nested detail</li>"), "{html}");
        assert!(
            html.contains("<p>The alert fired at 4:14 pm.</p>"),
            "{html}"
        );
        assert!(html.contains("<ol>"), "{html}");
    }

    #[test]
    fn markdown_is_kept_but_title_and_boilerplate_go() {
        let out = md(
            "# Postmortem: Disk full\n\n## Summary\nText **bold**\n",
            true,
        );
        assert!(!out.contains("Disk full"), "{out}");
        assert!(out.contains("## Summary\nText **bold**"), "{out}");
    }

    #[test]
    fn a_markdown_part_is_a_few_ranges_of_its_text() {
        // Blank lines (one of spaces), a line break inside a line, Windows line ends.
        let text = "# Postmortem: Disk full\n\n## Summary\nThe disk <br> filled.\n   \nIt was *logs*.\r\n## Timeline\r\n- 10:00 alert\n";
        let doc = Document::parse(text, 1, true);
        let part = &doc.parts()[0];
        let ranges = markdown_lines(text, &doc, part);
        assert_eq!(
            join_lines(text, &ranges),
            "\n## Summary\nThe disk <br> filled.\n\nIt was *logs*.\n## Timeline\n- 10:00 alert\n"
        );
        assert_eq!(join_lines(text, &ranges), part_markdown(text, &doc, part));
        assert!(
            ranges.len() <= 4,
            "lines in a row are one range: {ranges:?}"
        );
    }
}
