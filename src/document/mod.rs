//! From text to structure: lines, headings and sections, and the split of a file into
//! the postmortems it holds (a plain one and a humorous rewrite are two), leaving out
//! the course text pasted around them.

pub mod course;
pub mod heading;
pub mod lines;
pub mod prose;

pub use heading::HeadingKind;
pub use lines::{Heading, HeadingStyle, Line, LineKind};

use crate::model::SectionKind;
use std::collections::HashMap;

/// A file's body read into lines, with boilerplate marked.
#[derive(Debug)]
pub struct Document {
    pub lines: Vec<Line>,
    /// Whether the body is written in markdown (otherwise it is rendered as plain text).
    pub markdown: bool,
    /// Lines still holding the placeholders of `hindsight new`.
    pub placeholders: Vec<u32>,
}

impl Document {
    /// `first_line` is the file line on which `body` starts (after front matter);
    /// `markdown_hint` is what the file extension suggests.
    pub fn parse(body: &str, first_line: u32, markdown_hint: bool) -> Document {
        let mut lines = lines::read_lines(body, first_line);
        let placeholders = course::mark(&mut lines);
        let markdown = looks_like_markdown(&lines, markdown_hint);
        Document {
            lines,
            markdown,
            placeholders,
        }
    }

    /// Lines `a..b`, clamped to the document; empty when `a >= b`.
    pub fn range(&self, a: usize, b: usize) -> &[Line] {
        let b = b.min(self.lines.len());
        &self.lines[a.min(b)..b]
    }

    /// Splits the document into candidate postmortems.
    pub fn parts(&self) -> Vec<Part> {
        split(&self.lines)
    }
}

/// Markdown signals: headings, emphasis, links, fences, tables and `-` lists. A `.md`
/// file with none is plain text in disguise, and a `.txt` file full of them is markdown.
fn looks_like_markdown(lines: &[Line], hint: bool) -> bool {
    let mut signals = 0;
    let mut strong = 0;
    for l in lines.iter().take(400) {
        match l.kind {
            LineKind::Heading(h)
                if h.style == HeadingStyle::Markup || h.style == HeadingStyle::Bold =>
            {
                strong += 1
            }
            LineKind::Fence | LineKind::TableRule => strong += 1,
            LineKind::Bullet { .. } => signals += 1,
            _ => {}
        }
    }
    if hint {
        strong + signals > 0
    } else {
        strong >= 2
    }
}

/// A section of a postmortem: its heading (if it has one) and the lines below it.
#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    pub kind: SectionKind,
    /// Index (into the document's lines) of the heading; `None` for an unheaded summary.
    pub heading: Option<usize>,
    /// Index of the first line after the heading.
    pub start: usize,
    /// Index one past the last line.
    pub end: usize,
    /// Headings inside the section that name a part of it ("Impact:", "Resolution").
    pub subs: Vec<Sub>,
    level: u8,
    /// Given by the role of its paragraphs in a report written as prose, not by a heading.
    pub inferred: bool,
}

impl Section {
    /// A section given by the role of its paragraphs, with no heading.
    pub(crate) fn inferred(kind: SectionKind, start: usize, end: usize) -> Section {
        Section {
            kind,
            heading: None,
            start,
            end,
            subs: Vec::new(),
            level: 9,
            inferred: true,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sub {
    pub kind: HeadingKind,
    pub line: usize,
    /// One past the last line of the subsection.
    pub end: usize,
}

/// A candidate postmortem: a run of sections, with the title above them.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    pub start: usize,
    pub end: usize,
    pub title: Option<usize>,
    pub sections: Vec<Section>,
}

impl Part {
    pub fn has(&self, kinds: &[SectionKind]) -> bool {
        self.sections.iter().any(|s| kinds.contains(&s.kind))
    }

    /// How many of the rubric's four sections are present.
    pub fn core_sections(&self) -> usize {
        self.count_core(None)
    }

    /// How many of the rubric's four sections the writer marked as such and wrote
    /// something under (not inferred from the role of prose paragraphs). A heading with
    /// nothing under it names a section, in an outline, a checklist or a blank
    /// template; it is not one.
    pub fn written_core_sections(&self, lines: &[Line]) -> usize {
        self.count_core(Some(lines))
    }

    fn count_core(&self, written: Option<&[Line]>) -> usize {
        use SectionKind::*;
        let filled = |s: &Section, lines: &[Line]| {
            lines
                .get(s.start..s.end.min(lines.len()))
                .is_some_and(|ls| {
                    ls.iter()
                        .any(|l| l.is_content() || l.kind == LineKind::Code)
                })
        };
        let sections: Vec<&Section> = self
            .sections
            .iter()
            .filter(|s| written.is_none_or(|lines| !s.inferred && filled(s, lines)))
            .collect();
        let has = |kinds: &[SectionKind]| sections.iter().any(|s| kinds.contains(&s.kind));
        [
            &[Summary][..],
            &[Timeline][..],
            &[RootCause, Resolution, RootCauseResolution][..],
            &[Measures, Tasks][..],
        ]
        .iter()
        .filter(|kinds| has(kinds))
        .count()
    }

    pub fn sections_of<'a>(
        &'a self,
        kinds: &'a [SectionKind],
    ) -> impl Iterator<Item = &'a Section> + 'a {
        self.sections
            .iter()
            .filter(move |s| kinds.contains(&s.kind))
    }
}

fn section_kind(kind: HeadingKind) -> SectionKind {
    match kind {
        HeadingKind::Summary | HeadingKind::Impact | HeadingKind::Duration => SectionKind::Summary,
        HeadingKind::Timeline => SectionKind::Timeline,
        HeadingKind::RootCause => SectionKind::RootCause,
        HeadingKind::Resolution => SectionKind::Resolution,
        HeadingKind::RootCauseResolution => SectionKind::RootCauseResolution,
        HeadingKind::Measures => SectionKind::Measures,
        HeadingKind::Tasks => SectionKind::Tasks,
        HeadingKind::TimelinePart => SectionKind::Timeline,
        HeadingKind::Title | HeadingKind::Other => SectionKind::Other,
    }
}

fn is_rca(kind: SectionKind) -> bool {
    matches!(
        kind,
        SectionKind::RootCause | SectionKind::Resolution | SectionKind::RootCauseResolution
    )
}

struct Builder {
    start: usize,
    title: Option<usize>,
    sections: Vec<Section>,
    /// How many sections of each kind `sections` holds, so that asking what was seen
    /// does not walk them all (a file of thousands of headings asks at each one).
    counts: HashMap<SectionKind, usize>,
    /// How many root-cause and measures sections follow the first timeline section.
    after_timeline: usize,
}

impl Builder {
    fn new(start: usize, title: Option<usize>) -> Self {
        Builder {
            start,
            title,
            sections: Vec::new(),
            counts: HashMap::new(),
            after_timeline: 0,
        }
    }

    fn seen(&self, f: impl Fn(SectionKind) -> bool) -> bool {
        self.counts.iter().any(|(k, n)| *n > 0 && f(*k))
    }

    /// Whether the part opens with paragraphs of its own before its first section (an
    /// unheaded summary).
    fn opened_on_prose(&self, lines: &[Line]) -> bool {
        let from = self.title.map_or(self.start, |t| t + 1);
        let to = self
            .sections
            .first()
            .map_or(from, |s| s.heading.unwrap_or(s.start));
        lines::words_of(&lines[from.min(to)..to]) >= 15
    }

    /// Whether a root cause or the measures come after a timeline section.
    fn timeline_then_more(&self) -> bool {
        self.after_timeline > 0
    }

    /// Whether a section of `kind` at the end counts towards [`Builder::after_timeline`].
    fn follows_timeline(&self, kind: SectionKind) -> bool {
        (is_rca(kind) || kind == SectionKind::Measures)
            && self
                .counts
                .get(&SectionKind::Timeline)
                .is_some_and(|n| *n > 0)
    }

    fn push(&mut self, section: Section) {
        if self.follows_timeline(section.kind) {
            self.after_timeline += 1;
        }
        *self.counts.entry(section.kind).or_default() += 1;
        self.sections.push(section);
    }

    fn pop(&mut self) {
        if let Some(s) = self.sections.pop() {
            if let Some(n) = self.counts.get_mut(&s.kind) {
                *n -= 1;
            }
            if self.follows_timeline(s.kind) {
                self.after_timeline -= 1;
            }
        }
    }

    fn clear(&mut self) {
        self.sections.clear();
        self.counts.clear();
        self.after_timeline = 0;
    }

    fn has_core(&self) -> bool {
        self.seen(|k| k != SectionKind::Other)
    }

    fn top(&self) -> Option<&Section> {
        self.sections.last()
    }

    fn open(&mut self, kind: SectionKind, line: usize, level: u8) {
        self.push(Section {
            kind,
            heading: Some(line),
            start: line + 1,
            end: line + 1,
            subs: Vec::new(),
            level,
            inferred: false,
        });
    }

    fn sub(&mut self, kind: HeadingKind, line: usize) {
        if let Some(top) = self.sections.last_mut() {
            top.subs.push(Sub {
                kind,
                line,
                end: line + 1,
            });
        }
    }

    fn finish(mut self, end: usize, lines: &[Line]) -> Part {
        // Each section runs to the next one's heading; subsections to the next subsection.
        let n = self.sections.len();
        for i in 0..n {
            let next = if i + 1 < n {
                self.sections[i + 1]
                    .heading
                    .unwrap_or(self.sections[i + 1].start)
            } else {
                end
            };
            let s = &mut self.sections[i];
            s.end = next.max(s.start);
            let m = s.subs.len();
            for j in 0..m {
                s.subs[j].end = if j + 1 < m { s.subs[j + 1].line } else { s.end };
            }
        }
        let mut part = Part {
            start: self.start,
            end,
            title: self.title,
            sections: self.sections,
        };
        infer_title(&mut part, lines);
        add_unheaded_summary(&mut part, lines);
        prose::infer_sections(&mut part, lines);
        prose::infer_timeline(&mut part, lines);
        trim(&mut part, lines);
        part
    }
}

/// Splits lines into candidate postmortems; see the module docs.
pub fn split(lines: &[Line]) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut cur = Builder::new(0, None);
    for (i, line) in lines.iter().enumerate() {
        if line.boilerplate {
            continue;
        }
        let Some(h) = line.heading() else { continue };
        retitle(&mut cur, h, i, lines);
        match h.kind {
            HeadingKind::Title => {
                let strong = h.style <= HeadingStyle::Bold
                    || line.text.to_lowercase().starts_with("post")
                    || heading::is_task_marker(&heading::normalize(&line.text));
                if cur.has_core() && strong {
                    let (boundary, _) = pull_back(&mut cur, i, lines);
                    parts.push(
                        std::mem::replace(&mut cur, Builder::new(boundary, Some(i)))
                            .finish(boundary, lines),
                    );
                } else if cur.sections.is_empty() && cur.title.is_none() {
                    cur.title = Some(i);
                } else {
                    open_other(&mut cur, h, i, lines);
                }
            }
            HeadingKind::Summary => {
                // A summary after later sections begins the next postmortem, unless
                // this one has told no summary yet and only one of the later parts:
                // its sections are then out of order ("Root cause" first).
                let later = [
                    cur.seen(|k| k == SectionKind::Timeline),
                    cur.seen(is_rca),
                    cur.seen(|k| k == SectionKind::Measures || k == SectionKind::Tasks),
                ];
                let out_of_order = later.iter().filter(|&&b| b).count() == 1
                    && !cur.seen(|k| k == SectionKind::Summary)
                    && !cur.opened_on_prose(lines);
                if later.iter().any(|&b| b) && !out_of_order {
                    let (boundary, title) = pull_back(&mut cur, i, lines);
                    parts.push(
                        std::mem::replace(&mut cur, Builder::new(boundary, title))
                            .finish(boundary, lines),
                    );
                }
                match cur.top() {
                    // "Summary" inside an unheaded summary opened by "Impact:" or "Duration:".
                    Some(top) if top.kind == SectionKind::Summary && h.level > top.level => {
                        cur.sub(h.kind, i)
                    }
                    _ => cur.open(SectionKind::Summary, i, h.level),
                }
            }
            // "Duration:" and "Impact:" belong to the summary; before any later section
            // they open one (several summary pieces are read together).
            HeadingKind::Impact | HeadingKind::Duration => match cur.top() {
                Some(top) if top.kind == SectionKind::Summary => cur.sub(h.kind, i),
                _ if !cur.seen(|k| {
                    k == SectionKind::Timeline || is_rca(k) || k == SectionKind::Measures
                }) =>
                {
                    cur.open(SectionKind::Summary, i, h.level)
                }
                _ => cur.sub(h.kind, i),
            },
            HeadingKind::Timeline => {
                if cur.timeline_then_more() {
                    let (boundary, title) = pull_back(&mut cur, i, lines);
                    parts.push(
                        std::mem::replace(&mut cur, Builder::new(boundary, title))
                            .finish(boundary, lines),
                    );
                }
                match cur.top() {
                    Some(top) if top.kind == SectionKind::Timeline && h.level > top.level => {
                        cur.sub(h.kind, i)
                    }
                    _ => cur.open(SectionKind::Timeline, i, h.level),
                }
            }
            // "Detection", "Escalation": parts of the timeline.
            HeadingKind::TimelinePart => match cur.top() {
                Some(top) if top.kind == SectionKind::Timeline => cur.sub(h.kind, i),
                _ if !cur.seen(|k| {
                    k == SectionKind::Timeline || is_rca(k) || k == SectionKind::Measures
                }) =>
                {
                    cur.open(SectionKind::Timeline, i, h.level)
                }
                _ => open_other(&mut cur, h, i, lines),
            },
            // "Resolution" among a timeline's parts is the last of them.
            HeadingKind::Resolution
                if cur.top().is_some_and(|t| {
                    t.kind == SectionKind::Timeline
                        && t.subs.iter().any(|s| s.kind == HeadingKind::TimelinePart)
                }) =>
            {
                cur.sub(HeadingKind::Resolution, i)
            }
            HeadingKind::RootCause | HeadingKind::Resolution | HeadingKind::RootCauseResolution => {
                let top = cur.top().map(|t| (t.kind, t.level));
                match top {
                    // "Root Cause:" inside the summary, before any timeline.
                    Some((SectionKind::Summary, level))
                        if h.kind == HeadingKind::RootCause
                            && !cur.seen(|k| k == SectionKind::Timeline || is_rca(k))
                            && (h.level > level
                                || (h.level == level && h.style >= HeadingStyle::Bold)) =>
                    {
                        cur.sub(h.kind, i)
                    }
                    Some((k, level)) if is_rca(k) && h.level > level => cur.sub(h.kind, i),
                    Some((SectionKind::RootCauseResolution, level))
                        if h.level >= level && h.kind != HeadingKind::RootCauseResolution =>
                    {
                        cur.sub(h.kind, i)
                    }
                    _ => cur.open(section_kind(h.kind), i, h.level),
                }
            }
            // "Improvements:" or "Preventive measures" inside the measures section.
            HeadingKind::Measures => match cur.top() {
                Some(top) if top.kind == SectionKind::Measures => cur.sub(h.kind, i),
                _ => cur.open(SectionKind::Measures, i, h.level),
            },
            HeadingKind::Tasks => match cur.top() {
                Some(top) if matches!(top.kind, SectionKind::Measures | SectionKind::Tasks) => {
                    cur.sub(h.kind, i)
                }
                Some(top) if top.kind == SectionKind::Summary => cur.sub(h.kind, i),
                _ => cur.open(SectionKind::Tasks, i, h.level),
            },
            HeadingKind::Other => {
                if cur.sections.is_empty()
                    && cur.title.is_none()
                    && h.style == HeadingStyle::Markup
                    && h.level <= 2
                {
                    cur.title = Some(i);
                } else {
                    open_other(&mut cur, h, i, lines);
                }
            }
        }
    }
    parts.push(cur.finish(lines.len(), lines));
    parts
}

/// "# Resolved: the queue that ate Friday" directly above "## Issue Summary" is the
/// document's title, though its words name a section: a lone top-level heading with
/// nothing under it, followed by a summary at a deeper level, titles what follows.
fn retitle(cur: &mut Builder, h: Heading, i: usize, lines: &[Line]) {
    if cur.title.is_some()
        || !matches!(
            h.kind,
            HeadingKind::Summary | HeadingKind::Impact | HeadingKind::Duration
        )
    {
        return;
    }
    let [first] = cur.sections.as_slice() else {
        return;
    };
    let Some(j) = first.heading else { return };
    let Some(top) = lines[j].heading() else {
        return;
    };
    if top.style == HeadingStyle::Markup
        && top.level == 1
        && h.level > 1
        && first.subs.is_empty()
        && first.kind != SectionKind::Summary
        && lines[j + 1..i].iter().all(|l| {
            // Nothing under it, or only the document's particulars: a table of fields,
            // a byline (no sentence).
            l.is_blank()
                || l.boilerplate
                || matches!(l.kind, LineKind::TableRow | LineKind::TableRule)
                || l.heading().is_some_and(|h| {
                    h.kind == HeadingKind::Other && h.style != HeadingStyle::Markup
                })
                || (l.kind == LineKind::Text
                    && l.text.split_whitespace().count() <= 12
                    && !l.text.trim_end().ends_with(['.', '!', '?']))
        })
    {
        cur.title = Some(j);
        cur.clear();
    }
}

/// An unknown markup heading at the level of the current section or above closes it
/// ("## Conclusion"); weaker or deeper ones are part of the current section.
/// Before any section, one closes the opening paragraphs (the unheaded summary) when
/// there are some.
fn open_other(cur: &mut Builder, h: Heading, i: usize, lines: &[Line]) {
    if h.style != HeadingStyle::Markup {
        return;
    }
    match cur.top() {
        Some(top) if h.level <= top.level => cur.open(SectionKind::Other, i, h.level),
        None => {
            let from = cur.title.map_or(cur.start, |t| t + 1);
            if lines::words_of(&lines[from.min(i)..i]) >= 15 {
                cur.open(SectionKind::Other, i, h.level);
            }
        }
        _ => {}
    }
}

/// Where the next postmortem begins when a section restarts at `i`, and its title: a
/// heading just above it that opens nothing of the current one ("## The humorous
/// version"), with any headings stacked right above that one ("# Humour" over
/// "# Postmortem: ..."). A heading that outranks every section of the current one, as a
/// document's title does, stays its title over a short paragraph of introduction
/// between it and the restart.
fn pull_back(cur: &mut Builder, i: usize, lines: &[Line]) -> (usize, Option<usize>) {
    // The highest rank of the rubric's sections above line `j`.
    let outranked = |cur: &Builder, j: usize| {
        cur.sections
            .iter()
            .filter(|s| s.kind != SectionKind::Other && s.heading.is_some_and(|h| h < j))
            .map(|s| s.level)
            .min()
    };
    let mut title = None;
    let mut boundary = i;
    let mut prose = 0;
    let mut j = i;
    while j > cur.start {
        j -= 1;
        let l = &lines[j];
        if l.is_blank() || l.boilerplate || matches!(l.kind, LineKind::Rule | LineKind::Underline) {
            continue;
        }
        match l.heading() {
            Some(h) if matches!(h.kind, HeadingKind::Title | HeadingKind::Other) => {
                if prose > 0 && outranked(cur, j).is_none_or(|level| h.level >= level) {
                    break;
                }
                if cur.sections.last().is_some_and(|s| s.heading == Some(j)) {
                    cur.pop();
                }
                title.get_or_insert(j);
                boundary = j;
            }
            None if title.is_none() && l.kind == LineKind::Text && prose < 4 => prose += 1,
            _ => break,
        }
    }
    (boundary, title)
}

/// A short first line standing alone above the sections is the title, even without
/// markup: plain-text files open with one ("DISK FULL ON THE BILLING HOST").
fn infer_title(part: &mut Part, lines: &[Line]) {
    if part.title.is_some() {
        return;
    }
    let first_section = part
        .sections
        .first()
        .map_or(part.end, |s| s.heading.unwrap_or(s.start));
    let Some(i) =
        (part.start..first_section).find(|&i| !lines[i].is_blank() && !lines[i].boilerplate)
    else {
        return;
    };
    let l = &lines[i];
    let words = l.text.split_whitespace().count();
    let byline = |t: &str| {
        let t = t.to_lowercase();
        t.starts_with('(')
            || t.starts_with("author")
            || t.starts_with("by ")
            || t.starts_with("by:")
            || t.starts_with("written by")
            || t.starts_with("date")
    };
    let alone = lines.get(i + 1).is_none_or(|n| {
        n.is_blank() || n.heading().is_some() || n.kind == LineKind::Text && byline(&n.text)
    });
    // A full stop is a sentence's, unless the line is a headline written as one: a
    // few words with no time in them ("Web server 02 down."), alone above the sections.
    let headline_sentence = words <= 8
        && l.text.ends_with('.')
        && !l.text.ends_with("..")
        && !l.text[..l.text.len() - 1].contains(['.', ',', ';', ':', '!', '?'])
        && !crate::extract::time::has_times(&l.text);
    if l.kind == LineKind::Text
        && (2..=16).contains(&words)
        && (!l.text.ends_with(['.', ',', ';', ':']) || headline_sentence)
        && alone
        && !l.text.contains("://")
    {
        part.title = Some(i);
    }
}

/// Prose between the title and the first section is the summary when the writer gave
/// it no heading (a common shape: an opening paragraph, then "## Timeline").
fn add_unheaded_summary(part: &mut Part, lines: &[Line]) {
    let from = part.title.map_or(part.start, |t| t + 1);
    // With a summary headed later ("## What happened"), an opening paragraph still
    // leads when it tells the incident's when (a blog's first paragraph).
    if part.has(&[SectionKind::Summary]) {
        let to = part
            .sections
            .first()
            .map_or(part.end, |s| s.heading.unwrap_or(s.start));
        let tells_when = lines[from.min(to)..to]
            .iter()
            .any(|l| l.is_content() && crate::extract::time::has_times(&l.text));
        if !tells_when {
            return;
        }
    }
    let to = part
        .sections
        .first()
        .map_or(part.end, |s| s.heading.unwrap_or(s.start));
    if from >= to {
        return;
    }
    if lines::words_of(&lines[from..to]) >= 15 {
        part.sections.insert(
            0,
            Section {
                kind: SectionKind::Summary,
                heading: None,
                start: from,
                end: to,
                subs: Vec::new(),
                level: 9,
                inferred: false,
            },
        );
    }
}

/// Drops blank and boilerplate lines at either end of a part.
fn trim(part: &mut Part, lines: &[Line]) {
    let skip = |l: &Line| l.is_blank() || l.boilerplate || matches!(l.kind, LineKind::Rule);
    while part.start < part.end && skip(&lines[part.start]) {
        part.start += 1;
    }
    while part.end > part.start && skip(&lines[part.end - 1]) {
        part.end -= 1;
    }
    if let Some(t) = part.title
        && (t < part.start || t >= part.end)
    {
        part.title = None;
    }
    for s in &mut part.sections {
        if s.heading.is_none() {
            s.start = s.start.max(part.start);
        }
        s.end = s.end.min(part.end).max(s.start);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> (Document, Vec<Part>) {
        let d = Document::parse(text, 1, true);
        let p = d.parts();
        (d, p)
    }

    #[test]
    fn a_section_in_the_writers_words_led_by_times_is_the_timeline() {
        let text = "# We lost the queue. Here is what happened.\n\nOn 3 May 2024 the orders queue stopped from 09:00 to 10:10 UTC, and about a third of our customers could not check out.\n\n## How the morning went\n\n- 09:00 - the broker ran out of disk\n- 09:12 - checkout errors reported by a customer\n- 09:40 - old segments deleted\n- 10:10 - orders flowing again\n\n## Why it broke\n\nRetention had been switched off during a migration.\n";
        let (d, p) = parts(text);
        assert_eq!(p.len(), 1);
        assert_eq!(
            p[0].title,
            Some(0),
            "a heading of two sentences is a headline"
        );
        assert!(p[0].has(&[Timeline]), "{:?}", kinds(&p[0]));
        // The writer did not name it: it does not make a postmortem of a text by itself.
        assert_eq!(p[0].written_core_sections(&d.lines), 2);
    }

    #[test]
    fn a_root_cause_before_the_summary_is_one_postmortem_out_of_order() {
        let text = "# Slow launch day\n\n## Why it broke\n\nA purge emptied the CDN cache and the origin could not carry the load.\n\n## Summary\n\nOn 10 Oct 2024 from 11:02 to 12:15 EST the site was slow for most visitors.\n\n## Timeline\n\n- 11:02 - cache purged\n- 12:15 - back to normal\n";
        let (_, p) = parts(text);
        assert_eq!(p.len(), 1, "{p:#?}");
        assert_eq!(kinds(&p[0]), [RootCause, Summary, Timeline]);
        // A complete postmortem, then a summary: the next one begins.
        let two = "# Outage\n\n## Summary\n\nIt broke.\n\n## Root cause\n\nA typo.\n\n## Summary\n\nThe funny version.\n\n## Root cause\n\nStill a typo.\n";
        assert_eq!(parts(two).1.len(), 2);
    }

    #[test]
    fn a_top_heading_over_a_table_of_fields_titles_the_document() {
        let text = "# Root Cause Analysis: INC-4411\n\n**Platform team, shared with customers**\n\n| Field | Value |\n|---|---|\n| Start | 2024-02-01 09:00 UTC |\n| End | 2024-02-01 10:00 UTC |\n\n## 1. Summary\n\nA bad config push broke the API for an hour.\n\n## 2. Timeline\n\n- 09:00 - push\n";
        let (_, p) = parts(text);
        assert_eq!(p[0].title, Some(0));
        assert_eq!(kinds(&p[0]), [Summary, Summary, Timeline]);
    }

    #[test]
    fn a_heading_with_nothing_under_it_is_not_a_written_section() {
        let (d, p) = parts("# Plan\n\n## Summary\n## Timeline\n## Root cause\n## Measures\n");
        assert_eq!(p[0].core_sections(), 4);
        assert_eq!(p[0].written_core_sections(&d.lines), 0);
        let (d, p) =
            parts("# Plan\n\n## Summary\nIt broke.\n## Timeline\n## Root cause\nA typo.\n");
        assert_eq!(p[0].written_core_sections(&d.lines), 2);
    }

    fn kinds(p: &Part) -> Vec<SectionKind> {
        p.sections.iter().map(|s| s.kind).collect()
    }

    use SectionKind::*;

    #[test]
    fn a_second_telling_keeps_its_headline_over_its_introduction() {
        let text = "# Billing API outage\n\n**Summary**\nInvoices failed for an hour.\n\n**Timeline**\n- 09:00 alert\n\n**Root cause**\nA full disk.\n\n**Measures**\n- add a disk alert\n\n# Just for fun\n# The Day The Invoices Stood Still\n\nGather round, for this is a tale of a very full disk.\n\n**Summary**\nThe invoices, alas, did not go out.\n\n**Timeline**\n- 09:00 the pager wailed\n";
        let (d, p) = parts(text);
        assert_eq!(p.len(), 2);
        assert_eq!(
            d.lines[p[1].title.unwrap()].text,
            "The Day The Invoices Stood Still"
        );
        assert_eq!(d.lines[p[1].start].text, "Just for fun");
        assert_eq!(kinds(&p[0]), [Summary, Timeline, RootCause, Measures]);
        // A closing section of the first, with a paragraph under it, stays its own.
        let text = "## Summary\nInvoices failed.\n\n## Timeline\n- 09:00 alert\n\n## Root cause\nA full disk.\n\n## Thanks\n\nThanks to the team.\n\n## Summary\nThe second one.\n\n## Timeline\n- 10:00 alert\n";
        let (d, p) = parts(text);
        assert_eq!(p.len(), 2);
        assert_eq!(d.lines[p[1].start].text, "Summary");
    }

    #[test]
    fn four_markdown_sections() {
        let (d, p) = parts(
            "# Outage of the API\n\n## Issue Summary\nThe API was down.\n\n## Timeline\n- 10:00 alert\n\n## Root Cause and Resolution\nA bad config.\n\n## Corrective and Preventative Measures\n- add tests\n",
        );
        assert_eq!(p.len(), 1);
        assert_eq!(
            kinds(&p[0]),
            [Summary, Timeline, RootCauseResolution, Measures]
        );
        assert_eq!(d.lines[p[0].title.unwrap()].text, "Outage of the API");
        assert_eq!(p[0].sections[1].start, 6);
        assert_eq!(p[0].sections[1].end, 8);
    }

    #[test]
    fn a_short_headline_with_a_full_stop_titles_a_plain_file() {
        let text = "Web server 02 down.\n\nSummary of issues:\n    - Duration: 47 minutes from 4:14 pm to 5:01 pm.\n    - Impact: 100% of users affected.\nTimeline:\n    - The problem was detected 5 minutes after the crash.\n";
        let d = Document::parse(text, 1, false);
        let p = d.parts();
        assert_eq!(d.lines[p[0].title.unwrap()].text, "Web server 02 down.");
        // A sentence of the story, with a time in it, is not a title.
        let d = Document::parse(
            "The site went down at 10:00.\n\nSummary:\nIt was down.\n",
            1,
            false,
        );
        assert!(d.parts().first().is_none_or(|p| p.title.is_none()));
    }

    #[test]
    fn a_title_that_sounds_like_a_section_is_still_the_title() {
        for title in [
            "Resolved: the queue that ate Friday",
            "Root cause of a slow login",
        ] {
            let (d, p) = parts(&format!(
                "# {title}\n\n## Issue Summary\nThe API was down.\n\n## Timeline\n- 10:00 alert\n\n## Root Cause and Resolution\nA bad config.\n"
            ));
            assert_eq!(p.len(), 1, "{title}");
            assert_eq!(kinds(&p[0]), [Summary, Timeline, RootCauseResolution]);
            assert_eq!(d.lines[p[0].title.unwrap()].text, title);
        }
        // A real top-level section with text under it stays a section.
        let (_, p) = parts("# Root Cause\nA bad config.\n\n## Issue Summary\nThe API was down.\n");
        assert!(p.iter().any(|p| kinds(p).contains(&RootCause)));
    }

    #[test]
    fn plain_text_labels_and_summary_subsections() {
        let text = "Issue Summary:\nDuration:\nStart Time: 10:00 AM (UTC)\nImpact:\nUsers could not log in.\nRoot Cause:\nA bad deploy.\nTimeline:\n10:00 AM: alert\nRoot Cause and Resolution:\nRoot Cause:\nThe deploy.\nResolution:\nRollback.\nCorrective and Preventative Measures:\nImprovements:\nBetter tests.\nTasks:\nAdd a check.\n";
        let (_, p) = parts(text);
        assert_eq!(p.len(), 1);
        assert_eq!(
            kinds(&p[0]),
            [Summary, Timeline, RootCauseResolution, Measures]
        );
        let subs: Vec<_> = p[0].sections[0].subs.iter().map(|s| s.kind).collect();
        assert_eq!(
            subs,
            [
                HeadingKind::Duration,
                HeadingKind::Impact,
                HeadingKind::RootCause
            ]
        );
        let subs: Vec<_> = p[0].sections[2].subs.iter().map(|s| s.kind).collect();
        assert_eq!(subs, [HeadingKind::RootCause, HeadingKind::Resolution]);
    }

    #[test]
    fn two_postmortems_in_one_file() {
        let text = "Postmortem: Disk full\n\nIssue Summary:\nx\nTimeline:\n- 10:00 a\nRoot Cause and Resolution:\nb\nCorrective and Preventative Measures:\n- c\n\nPostmortem: The Disk That Ate Everything\n\nIssue Summary:\nx\nTimeline:\n- 10:00 a\nRoot Cause and Resolution:\nb\nCorrective and Preventative Measures:\n- c\n";
        let (d, p) = parts(text);
        assert_eq!(p.len(), 2);
        assert_eq!(
            d.lines[p[1].title.unwrap()].text,
            "Postmortem: The Disk That Ate Everything"
        );
        assert_eq!(
            kinds(&p[1]),
            [Summary, Timeline, RootCauseResolution, Measures]
        );
        assert_eq!(p[0].end, 10);
    }

    #[test]
    fn a_restarted_summary_under_an_unknown_heading_starts_a_new_postmortem() {
        let text = "## Summary\na\n## Timeline\nb\n## Root cause\nc\n## The fun version\n## Summary\nd\n## Timeline\ne\n";
        let (d, p) = parts(text);
        assert_eq!(p.len(), 2);
        assert_eq!(d.lines[p[1].title.unwrap()].text, "The fun version");
    }

    #[test]
    fn unheaded_opening_paragraph_is_the_summary() {
        let text = "# Postmortem\n\nOn Monday at 06:05 the web server returned errors for every request made to it by our users.\n\n## Debugging Process\n1. Checked processes.\n## Prevention\n- Test more.\n";
        let (_, p) = parts(text);
        assert_eq!(kinds(&p[0]), [Summary, Timeline, Measures]);
        assert_eq!(p[0].sections[0].heading, None);
    }

    #[test]
    fn conclusion_closes_the_measures_section() {
        let text = "## Corrective measures\n- a\n## Conclusion\nWe learned.\n";
        let (_, p) = parts(text);
        assert_eq!(kinds(&p[0]), [Measures, Other]);
        assert_eq!(p[0].sections[0].end, 2);
    }

    #[test]
    fn markdown_detection() {
        assert!(Document::parse("# Title\ntext\n", 1, true).markdown);
        assert!(!Document::parse("Title:\ntext\n", 1, true).markdown);
        assert!(!Document::parse("- a\n- b\n", 1, false).markdown);
        assert!(Document::parse("# a\n## b\n", 1, false).markdown);
    }
}
