//! Line by line, what each line of a postmortem is: a heading (of any of the many ways
//! students write one), a bullet, a table row, code, or text. Markdown and plain text
//! go through the same reader, because real files mix both freely.

use super::heading::{HeadingKind, classify_heading, is_strong_title};
use crate::words::opens_shortcode;
use std::sync::LazyLock;

/// How a heading was written; the order is from strongest to weakest signal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum HeadingStyle {
    /// `# Title`, `#Title`, `<h2>`, or an underlined (setext) line.
    Markup,
    /// A line that is only bold text: `**Issue Summary**`.
    Bold,
    /// A short line ending in a colon: `Timeline:`.
    Label,
    /// A plain line that is exactly a known section name: `Root cause and resolution`.
    Plain,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Heading {
    /// 1–6 for markup headings; 7 bold, 8 label, 9 plain, so deeper means weaker.
    pub level: u8,
    pub style: HeadingStyle,
    pub kind: HeadingKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    Blank,
    Heading(Heading),
    /// A list item; `depth` counts indentation steps.
    Bullet {
        ordered: bool,
        depth: u8,
    },
    TableRow,
    /// `|---|:---:|`
    TableRule,
    /// Inside a fenced code block.
    Code,
    /// A ``` or ~~~ fence line.
    Fence,
    /// `---`, `***`, `___` on their own.
    Rule,
    /// The `====` / `----` under a setext heading.
    Underline,
    Text,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// 1-based line number in the file.
    pub number: u32,
    /// Byte range of the raw line (without newline) within the body text.
    pub start: usize,
    pub end: usize,
    /// The words of the line with markup removed: what a reader sees.
    pub text: String,
    pub kind: LineKind,
    /// Course boilerplate (assignment text, scores), not the writer's own words.
    pub boilerplate: bool,
    /// The line shows an image (`![..](..)`, `<img>`, `<svg>`).
    pub media: bool,
    /// Leading whitespace, in columns (a tab counts four).
    pub indent: u16,
}

impl Line {
    pub fn is_blank(&self) -> bool {
        self.kind == LineKind::Blank
    }

    pub fn heading(&self) -> Option<Heading> {
        match self.kind {
            LineKind::Heading(h) => Some(h),
            _ => None,
        }
    }

    pub fn is_bullet(&self) -> bool {
        matches!(self.kind, LineKind::Bullet { .. })
    }

    /// Lines that carry the writer's prose: text, bullets and table rows.
    pub fn is_content(&self) -> bool {
        matches!(
            self.kind,
            LineKind::Text | LineKind::Bullet { .. } | LineKind::TableRow
        ) && !self.boilerplate
    }
}

/// How many words the writer's prose holds in `lines` (its text, bullets and rows).
pub fn words_of(lines: &[Line]) -> usize {
    lines
        .iter()
        .filter(|l| l.is_content())
        .map(|l| l.text.split_whitespace().count())
        .sum()
}

/// Reads every line of `body`; `first_line` is the file line number of its first line.
pub fn read_lines(body: &str, first_line: u32) -> Vec<Line> {
    let mut lines = Vec::with_capacity(body.len() / 40 + 1);
    // The open fence: its character, length and indentation (a fence under a list item
    // is indented, and so is its closing line).
    let mut fence: Option<(char, usize, usize)> = None;
    let mut offset = 0;
    for (i, raw_nl) in body.split_inclusive('\n').enumerate() {
        let raw = raw_nl.trim_end_matches(['\n', '\r']);
        let start = offset;
        offset += raw_nl.len();
        let number = first_line + i as u32;
        let trimmed = raw.trim();
        // Fenced code is opaque: a `# comment` inside it is not a heading.
        if let Some((ch, len, open_indent)) = fence {
            let closes = trimmed.len() >= len
                && trimmed.chars().all(|c| c == ch)
                && raw.len() - raw.trim_start().len() < open_indent.max(1) + 4;
            let kind = if closes {
                fence = None;
                LineKind::Fence
            } else {
                LineKind::Code
            };
            lines.push(Line {
                number,
                start,
                end: start + raw.len(),
                text: if kind == LineKind::Code {
                    raw.to_owned()
                } else {
                    String::new()
                },
                kind,
                boilerplate: false,
                media: false,
                indent: 0,
            });
            continue;
        }
        if let Some((ch, len)) = fence_open(trimmed) {
            fence = Some((ch, len, raw.len() - raw.trim_start().len()));
            lines.push(Line {
                number,
                start,
                end: start + raw.len(),
                text: String::new(),
                kind: LineKind::Fence,
                boilerplate: false,
                media: false,
                indent: 0,
            });
            continue;
        }
        // "a<br>b": lines joined by HTML breaks are lines.
        for (at, piece) in split_breaks(raw) {
            push_line(&mut lines, number, start + at, piece);
        }
    }
    unfence_prose(body, &mut lines);
    promote_setext(&mut lines);
    demote_wrapped(&mut lines);
    lines
}

/// A hard-wrapped sentence whose next line happens to be a section word ("... changed
/// its name to the\ncorrect name manually.") goes on; that line is not a heading.
fn demote_wrapped(lines: &mut [Line]) {
    for i in 1..lines.len() {
        let Some(h) = lines[i].heading() else {
            continue;
        };
        if h.style < HeadingStyle::Label {
            continue;
        }
        let prev = &lines[i - 1];
        let open_sentence = matches!(prev.kind, LineKind::Text | LineKind::Bullet { .. })
            && !prev.text.trim_end().ends_with(['.', '!', '?', ':', ';']);
        let t = lines[i].text.trim();
        let reads_on = t.starts_with(|c: char| c.is_lowercase())
            || (h.style == HeadingStyle::Plain && t.ends_with(['.', ',', ';']));
        if open_sentence && reads_on {
            lines[i].kind = LineKind::Text;
        }
    }
}

/// Classifies one line (or piece of a line) and adds it.
fn push_line(lines: &mut Vec<Line>, number: u32, start: usize, raw: &str) {
    let (kind, text) = classify(raw);
    // "Issue Summary: On May 5 the API ...": a section opened on the line of its
    // first sentence becomes the heading and the text under it.
    if kind == LineKind::Text
        && let Some((at, heading, name)) = section_label(raw)
    {
        lines.push(Line {
            number,
            start,
            end: start + at,
            text: name,
            kind: LineKind::Heading(heading),
            boilerplate: false,
            media: false,
            indent: indent_of(raw),
        });
        let rest = &raw[at + 1..];
        lines.push(Line {
            number,
            start: start + at + 1,
            end: start + raw.len(),
            text: clean_inline(rest.trim()),
            kind: LineKind::Text,
            boilerplate: false,
            media: rest.contains("![") || rest.contains("<img"),
            indent: indent_of(raw),
        });
        return;
    }
    lines.push(Line {
        number,
        start,
        end: start + raw.len(),
        text,
        kind,
        boilerplate: false,
        media: raw.contains("![") || raw.contains("<img") || raw.contains("<svg"),
        indent: indent_of(raw),
    });
}

/// The pieces of a line between `<br>` tags (any case, `<br/>`, `<br />`), each with
/// its offset in the line. A line without one is one piece.
fn split_breaks(raw: &str) -> Vec<(usize, &str)> {
    let lower = raw.to_ascii_lowercase();
    if !lower.contains("<br") {
        return vec![(0, raw)];
    }
    let mut out = Vec::new();
    let mut from = 0;
    let mut search = 0;
    while let Some(i) = lower[search..].find("<br").map(|i| i + search) {
        let Some(close) = lower[i..].find('>').map(|c| i + c + 1) else {
            break;
        };
        let tag = &lower[i + 3..close - 1];
        if tag.trim().trim_end_matches('/').trim().is_empty() {
            if !raw[from..i].trim().is_empty() {
                out.push((from, &raw[from..i]));
            }
            from = close;
        }
        search = close;
    }
    if !raw[from..].trim().is_empty() || out.is_empty() {
        out.push((from, &raw[from..]));
    }
    out
}

/// A fenced block without a language that holds a postmortem (students paste their text
/// into ``` to keep its line breaks) is read as text, not as code.
fn unfence_prose(body: &str, lines: &mut [Line]) {
    let mut i = 0;
    while i < lines.len() {
        if lines[i].kind != LineKind::Fence {
            i += 1;
            continue;
        }
        let open = i;
        let close = (open + 1..lines.len()).find(|&j| lines[j].kind == LineKind::Fence);
        let end = close.unwrap_or(lines.len());
        let info = body[lines[open].start..lines[open].end]
            .trim()
            .trim_start_matches(['`', '~'])
            .trim()
            .to_ascii_lowercase();
        let prose_info = matches!(
            info.as_str(),
            "" | "text" | "txt" | "markdown" | "md" | "plain" | "plaintext"
        );
        if prose_info && end > open + 1 {
            let inner: Vec<(LineKind, String)> = lines[open + 1..end]
                .iter()
                .map(|l| classify(&body[l.start..l.end]))
                .collect();
            let sections = inner
                .iter()
                .filter(|(k, _)| matches!(k, LineKind::Heading(h) if h.kind.is_section()))
                .count();
            let words: usize = inner
                .iter()
                .map(|(_, t)| t.split_whitespace().count())
                .sum();
            if sections >= 2 && words >= 80 {
                for (l, (kind, text)) in lines[open + 1..end].iter_mut().zip(inner) {
                    l.kind = kind;
                    l.text = text;
                    l.media = body[l.start..l.end].contains("![")
                        || body[l.start..l.end].contains("<img");
                }
                lines[open].kind = LineKind::Blank;
                if let Some(c) = close {
                    lines[c].kind = LineKind::Blank;
                }
            }
        }
        i = end + 1;
    }
}

fn fence_open(trimmed: &str) -> Option<(char, usize)> {
    let ch = trimmed.chars().next()?;
    if ch != '`' && ch != '~' {
        return None;
    }
    let len = trimmed.chars().take_while(|&c| c == ch).count();
    // A backtick fence's info string may not contain backticks (that is inline code).
    (len >= 3 && !(ch == '`' && trimmed[len..].contains('`'))).then_some((ch, len))
}

static BULLET: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"^(\s*)(?:([-*+•●▪◦·‣⁃➢➤►→✓✔☐☑]|–)|(\d{1,3}|[a-zA-Z])[.)])(?:\s+|$)")
        .unwrap()
});
static ATX: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"^ {0,3}(#{1,6})(?:\s+|([^\s#!]))(.*?)(?:\s+#+)?\s*$").unwrap()
});
static HTML_HEADING: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"(?i)^\s*<h([1-6])(?:\s[^>]*)?>(.*?)(?:</h[1-6]>)?\s*$").unwrap()
});
static BOLD_LINE: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"^\s*(?:\*\*|__)([^*_].*?)(?:\*\*|__)\s*[:;.,!\-–—]*\s*$").unwrap()
});
static RULE: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"^ {0,3}(?:(?:\*\s*){3,}|(?:-\s*){3,}|(?:_\s*){3,})$").unwrap()
});
static TABLE_RULE: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$").unwrap()
});

fn classify(raw: &str) -> (LineKind, String) {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return (LineKind::Blank, String::new());
    }
    // Each form of line is told by its first visible character; the patterns run only
    // where it fits.
    let first = trimmed.as_bytes()[0];
    if let Some(c) = (first == b'#').then(|| ATX.captures(raw)).flatten() {
        let level = c[1].len() as u8;
        let mut t = String::new();
        if let Some(first) = c.get(2) {
            t.push_str(first.as_str());
        }
        t.push_str(&c[3]);
        let text = clean_inline(&t);
        let text = without_end_colon(&text).to_owned();
        if !text.is_empty() {
            let kind = classify_heading(&text);
            return (
                LineKind::Heading(Heading {
                    level,
                    style: HeadingStyle::Markup,
                    kind,
                }),
                text,
            );
        }
    }
    if let Some(c) = (first == b'<')
        .then(|| HTML_HEADING.captures(raw))
        .flatten()
    {
        let level = c[1].parse().unwrap_or(2);
        let text = without_end_colon(&clean_inline(&c[2])).to_owned();
        if !text.is_empty() {
            return (
                LineKind::Heading(Heading {
                    level,
                    style: HeadingStyle::Markup,
                    kind: classify_heading(&text),
                }),
                text,
            );
        }
    }
    if matches!(first, b'*' | b'-' | b'_') && RULE.is_match(raw) {
        return (LineKind::Rule, String::new());
    }
    if trimmed.starts_with('|') || (trimmed.matches('|').count() >= 2 && trimmed.contains(" | ")) {
        if TABLE_RULE.is_match(trimmed) {
            return (LineKind::TableRule, String::new());
        }
        return (LineKind::TableRow, clean_inline(trimmed));
    }
    if let Some(c) = matches!(first, b'*' | b'_')
        .then(|| BOLD_LINE.captures(raw))
        .flatten()
    {
        let inner = clean_inline(&c[1]);
        let text = without_end_colon(&inner).to_owned();
        if !text.is_empty() && text.split_whitespace().count() <= 12 && !text.ends_with('.') {
            return (
                LineKind::Heading(Heading {
                    level: 7,
                    style: HeadingStyle::Bold,
                    kind: classify_heading(&text),
                }),
                text,
            );
        }
    }
    if let Some(item) = trimmed.strip_prefix("<li>").or_else(|| {
        trimmed
            .strip_prefix("<li ")
            .and_then(|r| r.split_once('>').map(|(_, x)| x))
    }) {
        return (
            LineKind::Bullet {
                ordered: false,
                depth: 0,
            },
            clean_inline(item),
        );
    }
    if let Some(c) = may_be_bullet(trimmed)
        .then(|| BULLET.captures(raw))
        .flatten()
    {
        let marker_end = c.get(0).map_or(0, |m| m.end());
        let indent = c[1]
            .chars()
            .map(|ch| if ch == '\t' { 4 } else { 1 })
            .sum::<usize>();
        let ordered = c.get(3).is_some();
        let rest = &raw[marker_end..];
        let text = clean_inline(rest);
        // "1. Issue Summary" and "- **Timeline:**" are headings written as list items.
        if let Some(h) = list_heading(rest, &text, ordered) {
            return (LineKind::Heading(h), heading_text(&text));
        }
        // A letter followed by a dot is only a list marker in "a) item"/"A. item" style
        // with real text after it; "I. " style roman numerals are common in headings.
        if c.get(3)
            .is_some_and(|m| m.as_str().chars().all(char::is_alphabetic))
            && text.is_empty()
        {
            return (LineKind::Text, clean_inline(trimmed));
        }
        return (
            LineKind::Bullet {
                ordered,
                depth: (indent / 2).min(8) as u8,
            },
            text,
        );
    }
    let text = clean_inline(trimmed);
    if let Some(h) = label_heading(&text) {
        return (LineKind::Heading(h), heading_text(&text));
    }
    (LineKind::Text, text)
}

/// Whether a trimmed line can start with a list marker: a bullet sign, or one to three
/// digits or a letter before `.` or `)` (a necessary condition of [`BULLET`]).
fn may_be_bullet(trimmed: &str) -> bool {
    let b = trimmed.as_bytes();
    match b[0] {
        b'-' | b'*' | b'+' => true,
        c if c.is_ascii_digit() => {
            let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
            digits <= 3 && matches!(b.get(digits), Some(b'.' | b')'))
        }
        c if c.is_ascii_alphabetic() => matches!(b.get(1), Some(b'.' | b')')),
        c if c >= 0x80 => trimmed
            .chars()
            .next()
            .is_some_and(|c| "•●▪◦·‣⁃➢➤►→✓✔☐☑–".contains(c)),
        _ => false,
    }
}

fn indent_of(raw: &str) -> u16 {
    raw.chars()
        .take_while(|c| c.is_whitespace())
        .map(|c| if c == '\t' { 4 } else { 1 })
        .sum::<u16>()
}

/// A list item's text after its marker (`- `, `1. `, `• `), raw.
pub fn strip_marker(raw: &str) -> &str {
    match BULLET.find(raw) {
        Some(m) => &raw[m.end()..],
        None => raw.trim_start(),
    }
}

fn heading_text(text: &str) -> String {
    without_end_colon(text).to_owned()
}

/// `text` without the colons that end a label or heading (`Timeline:`), though not one
/// that closes a shortcode ending it (`Checkout down :fire:`).
pub fn without_end_colon(text: &str) -> &str {
    let t = text.trim();
    let last = t.rsplit(char::is_whitespace).next().unwrap_or(t);
    // The word's shortcodes, run together or alone, take it to its end.
    let mut rest = last;
    while opens_shortcode(rest) {
        let end = 1 + rest[1..].find(':').unwrap_or(0);
        rest = &rest[end + 1..];
        if rest.is_empty() {
            return t;
        }
    }
    t.trim_end_matches(':').trim_end()
}

/// A list item that is really a section heading: a known section name and nothing more.
fn list_heading(rest: &str, text: &str, ordered: bool) -> Option<Heading> {
    let bold = BOLD_LINE.is_match(rest);
    let colon = text.trim_end().ends_with(':');
    if !(ordered || bold || colon) {
        return None;
    }
    let t = heading_text(text);
    if t.is_empty() || t.split_whitespace().count() > 8 {
        return None;
    }
    let kind = classify_heading(&t);
    if kind == HeadingKind::Other || kind == HeadingKind::Title {
        return None;
    }
    Some(Heading {
        level: if bold { 7 } else { 8 },
        style: if bold {
            HeadingStyle::Bold
        } else {
            HeadingStyle::Label
        },
        kind,
    })
}

/// "Issue Summary: On May 5, 2024 the checkout API ...": a major section's name, a colon
/// (or dash), then its first sentence. Returns where the colon is, the heading and its
/// name. Fields of a section ("Root cause: a full disk", "Impact: 40% of users") are not
/// sections, and a short annotation ("Timeline: all times in WAT") leaves the whole line
/// a heading (see [`label_heading`]).
fn section_label(raw: &str) -> Option<(usize, Heading, String)> {
    let indent = raw.len() - raw.trim_start().len();
    if indent > 3 {
        return None;
    }
    // "Summary: ..." or, as status pages write it, "Root cause. Our SSH frontends ..."
    // (the mark may sit inside bold: "**Summary.** From ...").
    let b = raw.as_bytes();
    let (at, dot) = (0..b.len()).find_map(|i| {
        if !matches!(b[i], b'.' | b':') {
            return None;
        }
        let mut j = i + 1;
        while j < b.len() && matches!(b[j], b'*' | b'_') {
            j += 1;
        }
        (j < b.len() && b[j] == b' ').then_some((i, b[i] == b'.'))
    })?;
    let dot = dot.then_some(at);
    let name = clean_inline(&raw[..at]);
    let name = name.trim_matches(|c: char| c == '*' || c == '_' || c.is_whitespace());
    let words = name.split_whitespace().count();
    if words == 0 || words > if dot.is_some() { 3 } else { 6 } {
        return None;
    }
    let kind = classify_heading(name);
    let section = matches!(
        kind,
        HeadingKind::Summary
            | HeadingKind::Timeline
            | HeadingKind::RootCauseResolution
            | HeadingKind::Measures
            | HeadingKind::Tasks
    );
    // A name and a full stop lead a section of their own, a root cause or resolution too;
    // "Root cause: ..." with a colon is a field of the summary.
    let capital_after = clean_inline(&raw[at + 1..])
        .trim_start()
        .starts_with(|c: char| c.is_uppercase());
    let led = dot.is_some()
        && matches!(kind, HeadingKind::RootCause | HeadingKind::Resolution)
        && capital_after;
    if !section && !led {
        return None;
    }
    if dot.is_some() && !capital_after {
        return None;
    }
    let rest = clean_inline(&raw[at + 1..]);
    let sentence =
        rest.split_whitespace().count() >= 8 || rest.trim_end().ends_with(['.', '!', '?']);
    // A time right after the colon is a timeline entry ("Timeline: 10:00 alert").
    let starts_with_time = rest.trim_start().starts_with(|c: char| c.is_ascii_digit());
    (sentence && !starts_with_time).then(|| {
        (
            at,
            Heading {
                level: 8,
                style: HeadingStyle::Label,
                kind,
            },
            name.to_owned(),
        )
    })
}

/// `Timeline:` alone on a line, or a bare known section name like `Root Cause and Resolution`.
fn label_heading(text: &str) -> Option<Heading> {
    let t = text.trim();
    let words = t.split_whitespace().count();
    if words == 0 || words > 20 || t.contains("://") {
        return None;
    }
    let name = t.trim_end_matches([':', '.']).trim();
    let kind = classify_heading(name);
    if t.ends_with(':')
        && !name.contains(':')
        && (words <= 10 || (words <= 20 && kind.is_section()))
    {
        // Short labels with nothing after the colon: "Impact:", "Tasks to address the issue:".
        return Some(Heading {
            level: 8,
            style: HeadingStyle::Label,
            kind,
        });
    }
    // "Timeline: all times in WAT", "Timeline - UTC": a section name with a short
    // annotation is the heading (a sentence after the colon is split off instead).
    if let Some((head, note)) = t.split_once(':').or_else(|| t.split_once(" - "))
        && matches!(
            classify_heading(head),
            HeadingKind::Timeline
                | HeadingKind::Summary
                | HeadingKind::RootCauseResolution
                | HeadingKind::Measures
                | HeadingKind::Tasks
        )
        && head.split_whitespace().count() <= 6
        && (1..8).contains(&note.split_whitespace().count())
        && !note.trim_end().ends_with('.')
        && !note.trim_start().starts_with(|c: char| c.is_ascii_digit())
    {
        return Some(Heading {
            level: 8,
            style: HeadingStyle::Label,
            kind: classify_heading(head),
        });
    }
    // "Timeline (unless noted, all times are on 8 June 2024, UTC)": a section name
    // followed by a note in brackets that closes the line is the heading, however long
    // the note; the name alone is weighed, not the note's words.
    if let Some((head, note)) = t.split_once('(')
        && t.ends_with(')')
        && !note.contains('(')
        && !head.contains(':')
        && (1..=6).contains(&head.split_whitespace().count())
    {
        let kind = classify_heading(head.trim());
        if kind.is_section() && kind != HeadingKind::Title {
            return Some(Heading {
                level: 9,
                style: HeadingStyle::Plain,
                kind,
            });
        }
    }
    // A plain line that is a section name and nothing else; "Impact: 40% of users" is a
    // field of the summary, not a heading. Titles may carry a colon: "Postmortem: Disk full".
    let colon_before = name.split_once(':').map(|(head, _)| classify_heading(head));
    let plain = match kind {
        HeadingKind::Other => false,
        HeadingKind::Title => is_strong_title(name.split(':').next().unwrap_or(name)),
        _ => colon_before.is_none(),
    };
    let max_words = if kind == HeadingKind::Title { 16 } else { 8 };
    // "TIMELINE." is a heading too; a sentence is not.
    let ends_ok =
        !t.ends_with(['.', ',', ';']) || (t.ends_with('.') && words <= 5 && kind.is_section());
    (plain && words <= max_words && ends_ok).then_some(Heading {
        level: 9,
        style: HeadingStyle::Plain,
        kind,
    })
}

/// Setext headings: a text line underlined with `===` or `---`.
fn promote_setext(lines: &mut [Line]) {
    for i in 1..lines.len() {
        let raw_is_underline = matches!(
            lines[i].kind,
            LineKind::Rule | LineKind::Text | LineKind::TableRule
        ) && is_underline(&lines[i].text, lines[i].kind);
        if !raw_is_underline {
            continue;
        }
        let prev = &lines[i - 1];
        let prev_ok = matches!(prev.kind, LineKind::Text)
            || matches!(prev.kind, LineKind::Heading(h) if h.style >= HeadingStyle::Label);
        if !prev_ok || prev.text.is_empty() {
            continue;
        }
        let level = if lines[i].text.starts_with('=') { 1 } else { 2 };
        let text = heading_text(&lines[i - 1].text);
        let kind = classify_heading(&text);
        lines[i - 1].kind = LineKind::Heading(Heading {
            level,
            style: HeadingStyle::Markup,
            kind,
        });
        lines[i - 1].text = text;
        lines[i].kind = LineKind::Underline;
        lines[i].text.clear();
    }
}

fn is_underline(text: &str, kind: LineKind) -> bool {
    // A Rule line has its text cleared; recognise `---` rules by kind, `===` by text.
    kind == LineKind::Rule
        || (!text.is_empty() && text.chars().all(|c| c == '=') && text.len() >= 2)
}

static LINK: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"!?\[([^\]]*)\]\([^)]*\)").unwrap());
static TAG: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"</?[a-zA-Z][^>]*>").unwrap());

/// The visible words of a line of markdown or HTML: emphasis, code ticks, link targets
/// and tags removed, common entities decoded.
pub fn clean_inline(s: &str) -> String {
    let mut s = std::borrow::Cow::Borrowed(s);
    if s.contains("](") {
        s = LINK.replace_all(&s, "$1").into_owned().into();
    }
    if s.contains('<') {
        s = TAG.replace_all(&s, "").into_owned().into();
    }
    let mut out = String::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'*' | b'`' => {
                i += 1;
                continue;
            }
            // `__bold__` markers, but not snake_case names.
            b'_' if (i + 1 < b.len() && b[i + 1] == b'_')
                || i == 0
                || i + 1 == b.len()
                || !b[i - 1].is_ascii_alphanumeric()
                || !b[i + 1].is_ascii_alphanumeric() =>
            {
                i += 1;
                continue;
            }
            b'&' => {
                let rest = &s[i..];
                if let Some((ent, len)) = [
                    ("&nbsp;", 6),
                    ("&amp;", 5),
                    ("&lt;", 4),
                    ("&gt;", 4),
                    ("&quot;", 6),
                    ("&#39;", 5),
                ]
                .iter()
                .find(|(e, _)| rest.starts_with(e))
                {
                    out.push(match *ent {
                        "&nbsp;" => ' ',
                        "&amp;" => '&',
                        "&lt;" => '<',
                        "&gt;" => '>',
                        "&quot;" => '"',
                        _ => '\'',
                    });
                    i += len;
                    continue;
                }
            }
            b'\\' if i + 1 < b.len() && b[i + 1].is_ascii_punctuation() => {
                i += 1;
                continue;
            }
            _ => {}
        }
        // Copy one whole UTF-8 character.
        let len = utf8_len(c);
        out.push_str(&s[i..(i + len).min(s.len())]);
        i += len;
    }
    let collapsed: String = out.split_whitespace().collect::<Vec<_>>().join(" ");
    collapsed
}

fn utf8_len(first: u8) -> usize {
    match first {
        0..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn heading_colons_go_but_not_a_closing_shortcode() {
        assert_eq!(without_end_colon("Timeline: "), "Timeline");
        assert_eq!(without_end_colon("Impact ::"), "Impact");
        assert_eq!(
            without_end_colon("Root cause :wrench:"),
            "Root cause :wrench:"
        );
        assert_eq!(
            without_end_colon("Done :tada::rocket:"),
            "Done :tada::rocket:"
        );
        assert_eq!(without_end_colon("Ratio 3:1:"), "Ratio 3:1");
        assert!(opens_shortcode(":small_orange_diamond:Start"));
        assert!(!opens_shortcode(": Start:"));
        assert!(!opens_shortcode(":Start:"));
    }
    use super::*;

    fn kinds(text: &str) -> Vec<LineKind> {
        read_lines(text, 1).into_iter().map(|l| l.kind).collect()
    }

    fn heading(text: &str) -> Option<(u8, HeadingStyle, HeadingKind, String)> {
        let l = read_lines(text, 1).remove(0);
        l.heading().map(|h| (h.level, h.style, h.kind, l.text))
    }

    #[test]
    fn atx_headings_with_and_without_space() {
        assert_eq!(
            heading("## Issue Summary"),
            Some((
                2,
                HeadingStyle::Markup,
                HeadingKind::Summary,
                "Issue Summary".into()
            ))
        );
        assert_eq!(
            heading("#Timeline"),
            Some((
                1,
                HeadingStyle::Markup,
                HeadingKind::Timeline,
                "Timeline".into()
            ))
        );
        assert_eq!(
            heading("### Root Cause and Resolution: ###"),
            Some((
                3,
                HeadingStyle::Markup,
                HeadingKind::RootCauseResolution,
                "Root Cause and Resolution".into()
            ))
        );
        assert_eq!(heading("#!/bin/bash"), None);
    }

    #[test]
    fn bold_label_plain_and_html_headings() {
        assert_eq!(
            heading("**Corrective and Preventative Measures**").map(|h| (h.1, h.2)),
            Some((HeadingStyle::Bold, HeadingKind::Measures))
        );
        assert_eq!(
            heading("Timeline:").map(|h| (h.1, h.2)),
            Some((HeadingStyle::Label, HeadingKind::Timeline))
        );
        assert_eq!(
            heading("Root cause and resolution").map(|h| (h.1, h.2)),
            Some((HeadingStyle::Plain, HeadingKind::RootCauseResolution))
        );
        assert_eq!(
            heading("<h2>Timeline</h2>").map(|h| (h.0, h.2)),
            Some((2, HeadingKind::Timeline))
        );
        assert_eq!(
            heading("1. Issue Summary").map(|h| h.2),
            Some(HeadingKind::Summary)
        );
        // A sentence that mentions a section is not a heading.
        assert_eq!(heading("The timeline below shows what happened."), None);
        assert_eq!(heading("Root Cause: a bad deploy."), None);
    }

    #[test]
    fn headings_with_trailing_punctuation_or_their_text_on_the_same_line() {
        assert_eq!(
            heading("**TIMELINE**;").map(|h| (h.1, h.2)),
            Some((HeadingStyle::Bold, HeadingKind::Timeline))
        );
        assert_eq!(
            heading("Timeline: all times in WAT").map(|h| (h.2, h.3)),
            Some((HeadingKind::Timeline, "Timeline: all times in WAT".into()))
        );
        // A section opened on the line of its first sentence: a heading, then the text.
        let lines = read_lines(
            "Issue Summary: On May 5 the checkout API returned errors for two hours.\n",
            1,
        );
        assert_eq!(lines.len(), 2);
        assert_eq!(
            lines[0].heading().map(|h| h.kind),
            Some(HeadingKind::Summary)
        );
        assert_eq!(lines[1].kind, LineKind::Text);
        assert!(lines[1].text.starts_with("On May 5"));
        assert_eq!((lines[0].number, lines[1].number), (1, 1));
        // A field of a section stays a line of text.
        assert_eq!(
            heading("Root cause: a full disk on the database host."),
            None
        );
    }

    #[test]
    fn a_section_name_with_a_long_note_in_brackets_is_a_heading() {
        for (line, kind) in [
            (
                "Timeline (unless noted, all times are on 8 June 2024, UTC)",
                HeadingKind::Timeline,
            ),
            (
                "Chronology (every time below is local to the Nairobi office, EAT)",
                HeadingKind::Timeline,
            ),
            (
                "Corrective measures (agreed with the platform team on Monday morning)",
                HeadingKind::Measures,
            ),
        ] {
            assert_eq!(
                heading(line).map(|h| (h.1, h.2)),
                Some((HeadingStyle::Plain, kind)),
                "{line}"
            );
        }
        // A sentence with brackets is not a heading, nor is a name with a field after it.
        assert_eq!(
            heading("We restarted the database (it took a while to come back)"),
            None
        );
        assert_eq!(heading("Impact: slow pages (about 20% of users)"), None);
    }

    #[test]
    fn a_wrapped_line_with_a_section_word_is_not_a_heading() {
        let lines = read_lines(
            "- 04:15 Detected the invalid file name and changed it to the\ncorrect name manually.\n",
            1,
        );
        assert_eq!(lines[1].kind, LineKind::Text);
    }

    #[test]
    fn a_code_block_indented_under_a_list_item_closes() {
        let kinds = kinds("- 10:00 ran:\n    ```\n    # not a heading\n    ```\n## Root cause\n");
        assert_eq!(kinds[3], LineKind::Fence);
        assert!(matches!(kinds[4], LineKind::Heading(_)));
    }

    #[test]
    fn setext_headings() {
        let lines = read_lines("Timeline\n--------\n- 10:00 alert\n\nSummary\n=======\n", 1);
        assert_eq!(
            lines[0].heading().map(|h| (h.level, h.kind)),
            Some((2, HeadingKind::Timeline))
        );
        assert_eq!(lines[1].kind, LineKind::Underline);
        assert_eq!(lines[4].heading().map(|h| h.level), Some(1));
    }

    #[test]
    fn bullets_tables_code_rules() {
        assert_eq!(
            kinds(
                "- a\n  * b\n1. c\n• d\n| a | b |\n|---|---|\n```\n# not a heading\n```\n---\ntext"
            ),
            [
                LineKind::Bullet {
                    ordered: false,
                    depth: 0
                },
                LineKind::Bullet {
                    ordered: false,
                    depth: 1
                },
                LineKind::Bullet {
                    ordered: true,
                    depth: 0
                },
                LineKind::Bullet {
                    ordered: false,
                    depth: 0
                },
                LineKind::TableRow,
                LineKind::TableRule,
                LineKind::Fence,
                LineKind::Code,
                LineKind::Fence,
                LineKind::Rule,
                LineKind::Text,
            ]
        );
    }

    #[test]
    fn line_numbers_and_ranges() {
        let body = "a\r\nbb\nccc";
        let lines = read_lines(body, 5);
        assert_eq!(
            lines.iter().map(|l| l.number).collect::<Vec<_>>(),
            [5, 6, 7]
        );
        assert_eq!(&body[lines[1].start..lines[1].end], "bb");
    }

    #[test]
    fn inline_markup_is_cleaned() {
        assert_eq!(
            clean_inline("**10:00 AM** - [Alert](http://x) fired in `nginx_conf` &amp; <b>db</b>"),
            "10:00 AM - Alert fired in nginx_conf & db"
        );
        assert_eq!(
            clean_inline("__bold__ and snake_case_name"),
            "bold and snake_case_name"
        );
    }
}
