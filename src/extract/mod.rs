//! From a candidate postmortem (a [`Part`] of a [`Document`]) to facts: the outage
//! window, impact, timeline, root cause, tasks, word count, and whether it is a
//! postmortem at all.

pub mod headline;
pub mod outage;
pub mod para;
pub mod roles;
pub mod text;
pub mod time;
pub mod timeline;
pub mod users;

use crate::document::{Document, HeadingKind, HeadingStyle, Line, LineKind, Part};
use crate::model::{EntryKind, Local, Outage, SectionKind, TimelineEntry};
use text::{CAUSE, instructs, sentences, word_count};

/// The lines of one candidate postmortem and the document they belong to.
pub struct Context<'a> {
    pub doc: &'a Document,
    pub part: &'a Part,
}

impl<'a> Context<'a> {
    pub fn new(doc: &'a Document, part: &'a Part) -> Self {
        Context { doc, part }
    }

    pub fn lines(&self) -> &'a [Line] {
        self.doc.range(self.part.start, self.part.end)
    }

    /// Lines of every section of these kinds, headings included.
    pub fn section_lines(&self, kinds: &[SectionKind]) -> Vec<&'a Line> {
        let mut out = Vec::new();
        for s in self.part.sections_of(kinds) {
            let from = s.heading.unwrap_or(s.start);
            out.extend(self.doc.range(from, s.end).iter());
        }
        out
    }

    /// Where the outage is described: the summary (with any untitled-kind sections that
    /// follow it before the timeline, like "## 10/02/2022 from 11 AM to 12:30"), or
    /// failing that, the lines before the first section; with no sections at all, the
    /// top of the text.
    pub fn summary_lines(&self) -> Vec<&'a Line> {
        let mut out = Vec::new();
        let mut in_summary = false;
        for s in &self.part.sections {
            match s.kind {
                SectionKind::Summary => in_summary = true,
                SectionKind::Other if in_summary => {}
                _ => {
                    in_summary = false;
                    continue;
                }
            }
            out.extend(self.doc.range(s.heading.unwrap_or(s.start), s.end).iter());
        }
        if !out.is_empty() {
            return out;
        }
        match self.part.sections.first() {
            Some(first) => self
                .doc
                .range(self.part.start, first.heading.unwrap_or(first.start))
                .iter()
                .collect(),
            None => self.lines().iter().take(15).collect(),
        }
    }

    /// Lines before the first section: title, byline, a date line.
    pub fn preamble(&self) -> &'a [Line] {
        let first = self
            .part
            .sections
            .first()
            .map_or(self.part.end, |s| s.heading.unwrap_or(s.start));
        self.doc.range(self.part.start, first)
    }

    /// The timeline's lines, leaving out parts headed as something else ("Impact
    /// assessment" written under the timeline).
    pub fn timeline_lines(&self) -> Vec<&'a Line> {
        let mut out = Vec::new();
        for s in self.part.sections_of(&[SectionKind::Timeline]) {
            let from = s.heading.unwrap_or(s.start);
            for (i, l) in self.doc.range(from, s.end).iter().enumerate() {
                let at = from + i;
                let foreign = s.subs.iter().any(|sub| {
                    !matches!(
                        sub.kind,
                        HeadingKind::TimelinePart
                            | HeadingKind::Timeline
                            | HeadingKind::Resolution
                            | HeadingKind::Other
                            | HeadingKind::Title
                    ) && (sub.line..sub.end).contains(&at)
                });
                if !foreign {
                    out.push(l);
                }
            }
        }
        out
    }

    /// A zone given for the whole timeline ("Timeline (all times WAT)") or by its entries.
    pub fn timeline_zone(&self) -> Option<time::Zone> {
        let lines = self.timeline_lines();
        lines
            .iter()
            .filter(|l| l.heading().is_some())
            .find_map(|l| outage::find_zone(&l.text))
            .or_else(|| {
                lines
                    .iter()
                    .filter(|l| l.is_content())
                    .take(4)
                    .flat_map(|l| time::scan_times(&l.text))
                    .find_map(|m| m.zone)
            })
    }

    /// A year for dates written without one, from any dated mention in the postmortem.
    pub fn year_hint(&self) -> Option<i32> {
        self.lines()
            .iter()
            .filter(|l| !matches!(l.kind, LineKind::Code))
            .flat_map(|l| time::scan_dates(&l.text))
            .find_map(|d| d.year)
    }
}

/// What extraction found, before the checks judge it.
#[derive(Clone, Debug)]
pub struct Facts {
    pub title: Option<String>,
    pub outage: Outage,
    pub evidence: outage::Evidence,
    pub timeline: Vec<TimelineEntry>,
    pub time_to_detect_minutes: Option<i64>,
    pub time_to_resolve_minutes: Option<i64>,
    pub root_cause: Option<(String, u32)>,
    pub tasks: Vec<(String, u32)>,
    pub word_count: usize,
    /// The summary's opening, for cards and link previews.
    pub blurb: Option<String>,
    pub humorous: bool,
    /// "Author: Ada" or "By Ada" near the top.
    pub author: Option<String>,
    /// Times and dates in the summary and the timeline that cannot be ("25:99",
    /// "February 30"), with their lines.
    pub impossible: Vec<(u32, time::Impossible)>,
}

pub fn extract(ctx: &Context) -> Facts {
    let (outage, evidence) = outage::read(ctx);
    let timeline = timeline::read(ctx, outage.start.as_ref().map(|m| m.local));
    let origin = outage
        .start
        .as_ref()
        .map(|m| m.local)
        .or_else(|| timeline.iter().find_map(|e| e.time));
    let first_of = |kind: EntryKind| {
        timeline
            .iter()
            .find(|e| e.kind == kind)
            .and_then(|e| e.time)
    };
    let last_of = |kind: EntryKind| {
        timeline
            .iter()
            .rev()
            .find(|e| e.kind == kind)
            .and_then(|e| e.time)
    };
    let between = |a: Option<Local>, b: Option<Local>| match (a, b) {
        // Never negative: an entry dated before the start is a misread, not a time.
        (Some(a), Some(b)) => Some(a.minutes_until(b)).filter(|m| (0..14 * 24 * 60).contains(m)),
        _ => None,
    };
    // Time to detect: from the outage's start to the first sign that someone or
    // something noticed (an alert, a report, a person seeing it), not to the change
    // that caused it. When the writer dated the outage from its detection, the two are
    // the same moment and the time it went unnoticed is not told.
    let noticed = timeline
        .iter()
        .filter(|e| e.time.is_some())
        .find(|e| {
            (text::DETECTED_BY.matches(&e.text) || roles::noticed(&e.text))
                && !roles::escalation(&e.text)
        })
        .and_then(|e| e.time)
        .or_else(|| first_of(EntryKind::Detection));
    // Noticed after the outage ended, or a day later, is a misread clock, not a delay.
    let longest = outage
        .duration_minutes
        .filter(|d| *d > 0)
        .unwrap_or(12 * 60);
    let time_to_detect_minutes =
        between(origin, noticed).filter(|&m| m > 0 && m <= longest.min(24 * 60));
    let time_to_resolve_minutes = between(
        origin,
        last_of(EntryKind::Resolution).or_else(|| outage.end.as_ref().map(|m| m.local)),
    );
    let word_count = ctx
        .lines()
        .iter()
        .filter(|l| !l.boilerplate && !matches!(l.kind, LineKind::Code | LineKind::Fence))
        .map(|l| word_count(&l.text))
        .sum();
    let impossible = impossible_readings(ctx, &timeline);
    Facts {
        impossible,
        title: title(ctx),
        root_cause: root_cause(ctx),
        tasks: tasks(ctx),
        blurb: blurb(ctx),
        humorous: humorous(ctx),
        author: byline(ctx),
        outage,
        evidence,
        timeline,
        time_to_detect_minutes,
        time_to_resolve_minutes,
        word_count,
    }
}

/// Times and dates that cannot be, where the outage and its timeline are told.
fn impossible_readings(ctx: &Context, timeline: &[TimelineEntry]) -> Vec<(u32, time::Impossible)> {
    let mut told: std::collections::HashSet<u32> =
        ctx.summary_lines().iter().map(|l| l.number).collect();
    told.extend(timeline.iter().map(|e| e.line));
    ctx.lines()
        .iter()
        .filter(|l| l.is_content() && told.contains(&l.number))
        .flat_map(|l| time::impossible(&l.text).into_iter().map(|i| (l.number, i)))
        .collect()
}

/// Whether a candidate is a postmortem of an incident, or a reason why not: a link to
/// one elsewhere, a stub, the assignment text, or a guide to writing postmortems.
pub fn qualify(ctx: &Context) -> Result<(), String> {
    let content: Vec<&Line> = ctx.lines().iter().filter(|l| l.is_content()).collect();
    let words: usize = content.iter().map(|l| word_count(&l.text)).sum();
    // Sections the writer marked count; those read from the role of prose paragraphs
    // do not make a postmortem of a text that tells no incident.
    let core = ctx.part.written_core_sections(&ctx.doc.lines);
    // Counted by sentence, so a report written as one paragraph tells as much as one
    // written line by line.
    let told: Vec<&str> = content.iter().flat_map(|l| sentences(&l.text)).collect();
    let times = told.iter().filter(|s| time::has_times(s)).count();
    let thin = match core {
        4 | 3 => words < 25,
        _ => words < 60,
    };
    if thin {
        let link = ctx
            .doc
            .lines
            .iter()
            .any(|d| d.text.contains("http") || d.text.contains("docs.google"));
        return Err(if link && core < 2 {
            "only a link or a few words: the postmortem itself is not in this file".into()
        } else {
            format!("a stub of {words} words, not a postmortem")
        });
    }
    // Guides and templates: section headings over instructions, no incident. Tasks are
    // written as imperatives in any postmortem, so the measures are not asked.
    let planned: std::collections::HashSet<u32> = ctx
        .part
        .sections_of(&[SectionKind::Measures, SectionKind::Tasks])
        .flat_map(|s| ctx.doc.range(s.start, s.end))
        .map(|l| l.number)
        .collect();
    let story: Vec<&Line> = content
        .iter()
        .copied()
        .filter(|l| !planned.contains(&l.number))
        .collect();
    // Each test below is asked only where its answer can matter: a text with times in
    // it is no template, and one with many is no guide.
    let instructions = || {
        story
            .iter()
            .filter(|l| {
                sentences(&l.text).into_iter().any(instructs) || l.text.trim_end().ends_with('?')
            })
            .count()
    };
    if times == 0 && instructions() * 3 >= content.len() {
        return Err(
            "a template or guide to writing postmortems, not a postmortem of an incident".into(),
        );
    }
    // A guide, a template or a reflection about postmortems tells no incident: it
    // speaks to the reader or about postmortems in general, and names nothing particular
    // (no time, date, duration, figure or system name of an event).
    if times < 5 && speaks_in_general(&story) && specifics(&content) < 10 {
        return Err("a guide or reflection on postmortems, not a postmortem of an incident".into());
    }
    let incident_words = || {
        told.iter()
            .filter(|s| {
                text::RESOLUTION.matches(s) || text::DETECTION.matches(s) || CAUSE.matches(s)
            })
            .count()
    };
    // An outage of a system, not a project retrospective.
    let technical = || told.iter().filter(|s| text::TECHNICAL.matches(s)).count();
    if times < 2 && technical() < 2 {
        return Err("no system or outage is described: this reads as a retrospective, not an incident postmortem".into());
    }
    if std::env::var_os("HINDSIGHT_DEBUG_QUALIFY").is_some() {
        let (sentences_n, general) = generality(&content);
        eprintln!(
            "QUALIFY core={core} words={words} times={times} incident={} technical={} instructions={} content={} specifics={} general={}",
            incident_words(),
            technical(),
            instructions(),
            content.len(),
            specifics(&content),
            general as f64 / sentences_n.max(1) as f64
        );
    }
    let ok = match core {
        4 => words >= 100 || times > 0,
        3 => words >= 60 || times > 0 || incident_words() >= 2,
        2 => words >= 120 && (times >= 1 || incident_words() >= 6),
        1 => words >= 60 && times >= 3 && incident_words() >= 2,
        _ => words >= 250 && times >= 3 && incident_words() >= 4,
    };
    if ok {
        Ok(())
    } else if core == 0 {
        Err(
            "no postmortem sections (summary, timeline, root cause, measures) and no incident told"
                .into(),
        )
    } else {
        Err(format!(
            "too little of a postmortem: {core} of the 4 sections, {words} words, {times} timestamped lines"
        ))
    }
}

/// How many particulars of an event the lines name: times, dates, durations, figures
/// and identifiers ("web-01", "nginx.conf", "502").
/// What is quoted or bracketed is an example or a placeholder ("From 14:05 to 15:20
/// UTC" is good; `[YYYY-MM-DD]`), not a particular.
fn specifics(content: &[&Line]) -> usize {
    content
        .iter()
        .map(|l| {
            let t = &without_examples(&l.text);
            time::scan_times(t).len()
                + time::scan_dates(t).len()
                + time::scan_durations(t).len()
                + t.split_whitespace()
                    .filter(|w| {
                        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
                        w.len() >= 2
                            && w.chars().any(|c| c.is_ascii_digit())
                            && !w.chars().all(|c| c.is_ascii_digit() && w.len() == 1)
                    })
                    .count()
        })
        .sum()
}

/// A text with its quoted and bracketed spans, and its "(for example ...)" asides, taken
/// out.
fn without_examples(text: &str) -> std::borrow::Cow<'_, str> {
    static EXAMPLES: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r#"(?i)"[^"]*"|“[^”]*”|`[^`]*`|\[[^\]]*\]|\((?:for example|for instance|e\.g\.|eg|like|such as)\b[^)]*\)"#,
        )
        .expect("valid regex")
    });
    EXAMPLES.replace_all(text, " ")
}

/// Whether the writing is general rather than a story: it addresses the reader ("you",
/// "your"), instructs ("write it within a week"), or is about postmortems and their
/// parts themselves ("a good summary says ...").
fn speaks_in_general(content: &[&Line]) -> bool {
    let (n, general) = generality(content);
    n >= 4 && general * 5 >= n
}

/// Sentences, and how many of them speak in general.
fn generality(content: &[&Line]) -> (usize, usize) {
    let mut n = 0;
    let mut general = 0;
    for l in content {
        for s in sentences(&l.text) {
            n += 1;
            let t = crate::words::Tokens::of(s);
            let second_person = t.words.iter().any(|w| w == "you" || w == "your");
            let about_the_document = ABOUT_POSTMORTEMS.matches(&t) && !time::has_times(s);
            if second_person || about_the_document || instructs(s) {
                general += 1;
            }
        }
    }
    (n, general)
}

/// Words about postmortems as documents: what guides and reflections talk about.
static ABOUT_POSTMORTEMS: std::sync::LazyLock<crate::words::Lexicon> =
    std::sync::LazyLock::new(|| {
        crate::words::Lexicon::list(
            "postmortem, postmortems, post-mortem, blameless, section, document, template, \
             write, writing, written, writer, reader, readers, reviewer, executive, \
             executives, audience",
        )
        .fuzzy()
    });

/// Titles that say nothing about the incident.
/// Titles that say nothing about the incident: words for a postmortem or a write-up,
/// numbers (a project's "0x19", "Task 0"), and the course's own names (its
/// organisation, its project: the words the assignment writes capitalised).
fn generic_title(t: &str) -> bool {
    let n = crate::document::heading::normalize(t);
    let course = crate::document::course::CourseText::builtin();
    n.split(' ').all(|w| {
        w.is_empty()
            || crate::words::near(w, "postmortem")
            || crate::words::near(w, "postmortems")
            || w.chars().any(|c| c.is_ascii_digit())
            || course.names(w)
            || GENERIC_TITLE_WORDS.in_text(w)
    })
}

/// Words that name the document, not the incident.
static GENERIC_TITLE_WORDS: std::sync::LazyLock<crate::words::Lexicon> =
    std::sync::LazyLock::new(|| {
        crate::words::Lexicon::list(
            "my, first, a, an, the, report, post, mortem, incident, writeup, write, up, project, \
             readme, of, for, and, outage, blog, task",
        )
    });

fn title(ctx: &Context) -> Option<String> {
    let clean = |t: &str| tidy_title(t);
    if let Some(t) = ctx.part.title {
        let text = clean(&ctx.doc.lines[t].text);
        if !generic_title(&text) {
            return Some(text);
        }
    }
    // A specific heading above the first section: "## 504 Error while accessing a URL".
    let first = ctx
        .part
        .sections
        .first()
        .map_or(ctx.part.end, |s| s.heading.unwrap_or(s.start));
    for l in ctx.doc.range(ctx.part.start, first) {
        if let Some(h) = l.heading()
            && matches!(h.kind, HeadingKind::Other | HeadingKind::Title)
            && h.style <= HeadingStyle::Bold
            && !l.boilerplate
            && !generic_title(&l.text)
            && l.text.split_whitespace().count() <= 14
        {
            return Some(clean(&l.text));
        }
    }
    // No title written: name the incident by what the summary says broke
    // ("Impact: Database Service Outage - users ...") or by its cause.
    let summary = ctx.summary_lines();
    let clause = |s: &str| -> Option<String> {
        let first = s
            .split([':', ';', '.', '(', '—', '–'])
            .next()
            .unwrap_or(s)
            .split(" - ")
            .next()
            .unwrap_or(s)
            .trim();
        let words = first.split_whitespace().count();
        (2..=10).contains(&words).then(|| capitalize(first))
    };
    let labelled = |name: &str| {
        summary.iter().filter(|l| l.is_content()).find_map(|l| {
            let (label, rest) = l.text.split_once(':')?;
            label
                .trim()
                .eq_ignore_ascii_case(name)
                .then(|| clause(rest.trim()))
                .flatten()
        })
    };
    let told: Vec<&str> = summary
        .iter()
        .filter(|l| l.is_content())
        .map(|l| l.text.as_str())
        .collect();
    labelled("impact")
        .or_else(|| labelled("issue"))
        .or_else(|| headline::from_summary(&told))
        .or_else(|| labelled("root cause"))
        .or_else(|| labelled("cause"))
        .or_else(|| root_cause(ctx).and_then(|(c, _)| headline::from_cause(&c)))
}

/// The writer's name from a byline in the first lines: "Author: Ada", "By: Ada Obi".
fn byline(ctx: &Context) -> Option<String> {
    ctx.doc.lines[..ctx.part.end.min(ctx.doc.lines.len())]
        .iter()
        .skip(ctx.part.start)
        .take(8)
        .filter(|l| l.kind == LineKind::Text && !l.boilerplate)
        .find_map(|l| {
            let t = l.text.trim();
            let lower = t.to_lowercase();
            let rest = [
                "author:",
                "authors:",
                "by:",
                "written by:",
                "written by",
                "by ",
            ]
            .iter()
            .find(|p| lower.starts_with(*p))
            .map(|p| t[p.len()..].trim())?;
            (!rest.is_empty() && rest.split_whitespace().count() <= 6 && !rest.contains("://"))
                .then(|| rest.to_owned())
        })
}

/// Display form of a title: no "Postmortem:" prefix when words follow it, and no
/// shouting (an all-caps title is recased).
pub fn tidy_title(t: &str) -> String {
    let t = crate::document::lines::without_end_colon(t);
    // A headline written as a sentence keeps its words, not its full stop.
    let t = match t.strip_suffix('.') {
        Some(head) if !head.ends_with('.') && !head.contains(['.', '!', '?']) => head.trim_end(),
        _ => t,
    };
    let lower = t.to_lowercase();
    let mut rest = t;
    for prefix in [
        "postmortem",
        "post-mortem",
        "post mortem",
        "incident postmortem",
        "incident report",
        "outage postmortem",
    ] {
        if lower.starts_with(prefix) {
            let after = t[prefix.len()..].trim_start();
            if let Some(r) = after.strip_prefix([':', '-', '–', '—', '|']) {
                let r = r.trim();
                if r.split_whitespace().count() >= 2 {
                    rest = r;
                }
            }
            break;
        }
    }
    let letters: Vec<char> = rest.chars().filter(|c| c.is_alphabetic()).collect();
    let upper = letters.iter().filter(|c| c.is_uppercase()).count();
    if letters.len() >= 8 && upper * 10 >= letters.len() * 9 {
        return rest
            .split(' ')
            .enumerate()
            .map(|(i, w)| {
                let lw = w.to_lowercase();
                let small = matches!(
                    lw.as_str(),
                    "a" | "an"
                        | "the"
                        | "of"
                        | "on"
                        | "in"
                        | "at"
                        | "to"
                        | "for"
                        | "and"
                        | "or"
                        | "by"
                        | "not"
                );
                let acronym = matches!(
                    lw.trim_matches(|c: char| !c.is_alphanumeric()),
                    "dns"
                        | "api"
                        | "sms"
                        | "tls"
                        | "ssl"
                        | "db"
                        | "cpu"
                        | "ram"
                        | "aws"
                        | "cdn"
                        | "vpn"
                        | "http"
                        | "https"
                        | "sql"
                        | "ui"
                        | "os"
                        | "ip"
                        | "url"
                );
                if acronym {
                    w.to_owned()
                } else if small && i > 0 {
                    lw
                } else {
                    capitalize(&lw)
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
    }
    capitalize(rest)
}

fn capitalize(s: &str) -> String {
    let mut cs = s.chars();
    match cs.next() {
        Some(f) => f.to_uppercase().collect::<String>() + cs.as_str(),
        None => String::new(),
    }
}

fn root_cause(ctx: &Context) -> Option<(String, u32)> {
    let pick = |lines: &[&Line]| -> Option<(String, u32)> {
        for l in lines.iter().filter(|l| l.is_content()) {
            for s in sentences(&l.text) {
                let s = strip_label(s);
                if word_count(s) >= 4 && CAUSE.matches(s) {
                    return Some((outage::truncate(s, 280), l.number));
                }
            }
        }
        None
    };
    // The summary's "Root Cause:" part, then any summary sentence about a cause, then
    // the first sentence of the root cause section.
    let summary = ctx.summary_lines();
    if let Some(sub) = ctx
        .part
        .sections
        .iter()
        .filter(|s| s.kind == SectionKind::Summary)
        .flat_map(|s| s.subs.iter())
        .find(|s| s.kind == HeadingKind::RootCause)
    {
        let lines: Vec<&Line> = ctx.doc.range(sub.line + 1, sub.end).iter().collect();
        if let Some(l) = lines.iter().find(|l| l.is_content())
            && let Some(s) = sentences(&l.text).first()
        {
            return Some((outage::truncate(strip_label(s), 280), l.number));
        }
    }
    if let Some(l) = summary
        .iter()
        .find(|l| l.is_content() && label(&l.text).is_some_and(|lb| lb.contains("cause")))
    {
        let s = strip_label(&l.text);
        if word_count(s) >= 3 {
            let first = sentences(s).first().copied().unwrap_or(s);
            return Some((outage::truncate(first, 280), l.number));
        }
    }
    if let Some(found) = pick(&summary) {
        return Some(found);
    }
    let rca = ctx.section_lines(&[SectionKind::RootCause, SectionKind::RootCauseResolution]);
    pick(&rca).or_else(|| {
        rca.iter()
            .find(|l| l.is_content() && word_count(&l.text) >= 5)
            .and_then(|l| {
                sentences(&l.text)
                    .first()
                    .map(|s| (outage::truncate(strip_label(s), 280), l.number))
            })
    })
}

/// The `Label` of a `Label: text` line, lowercased, when it is short.
fn label(text: &str) -> Option<String> {
    let (l, rest) = text.split_once(':')?;
    (l.chars().any(char::is_alphabetic)
        && l.split_whitespace().count() <= 4
        && !rest.trim().is_empty()
        && !l.chars().any(|c| c.is_ascii_digit()))
    .then(|| l.trim().to_lowercase())
}

fn strip_label(s: &str) -> &str {
    match s.split_once(':') {
        // A line opening with a colon (`:warning: Checkout down`) has no label.
        Some((l, rest))
            if l.chars().any(char::is_alphabetic)
                && l.split_whitespace().count() <= 4
                && !l.chars().any(|c| c.is_ascii_digit())
                && !rest.trim().is_empty() =>
        {
            rest.trim()
        }
        _ => s.trim(),
    }
}

fn tasks(ctx: &Context) -> Vec<(String, u32)> {
    let items = |lines: &[&Line]| -> Vec<(String, u32)> {
        lines
            .iter()
            .filter(|l| l.is_content() && (l.is_bullet() || l.kind == LineKind::TableRow))
            .map(|l| {
                let t = l
                    .text
                    .trim_start_matches("[ ]")
                    .trim_start_matches("[x]")
                    .trim_start_matches("[X]")
                    .trim();
                let t = t
                    .strip_prefix("TODO:")
                    .or_else(|| t.strip_prefix("To do:"))
                    .unwrap_or(t)
                    .trim();
                (t.to_owned(), l.number)
            })
            .filter(|(t, _)| word_count(t) >= 2)
            .collect()
    };
    // A "Tasks" subsection or section wins; otherwise the measures' list items.
    let mut task_lines: Vec<&Line> = Vec::new();
    for s in &ctx.part.sections {
        if s.kind == SectionKind::Tasks {
            task_lines.extend(ctx.doc.range(s.start, s.end).iter());
        }
        for sub in s.subs.iter().filter(|sub| sub.kind == HeadingKind::Tasks) {
            task_lines.extend(ctx.doc.range(sub.line + 1, sub.end).iter());
        }
    }
    let mut found = items(&task_lines);
    if found.is_empty() && !task_lines.is_empty() {
        // Plain-text task lists: one task per line under the "Tasks:" label.
        found = task_lines
            .iter()
            .filter(|l| l.is_content() && word_count(&l.text) >= 2 && roles::task(&l.text))
            .map(|l| (l.text.clone(), l.number))
            .collect();
    }
    if found.is_empty() {
        let measures = ctx.section_lines(&[SectionKind::Measures]);
        found = items(&measures);
    }
    found
}

fn blurb(ctx: &Context) -> Option<String> {
    let lines = ctx.summary_lines();
    let mut text = String::new();
    for l in lines
        .iter()
        .filter(|l| l.is_content() && l.kind == LineKind::Text)
    {
        let s = strip_label(&l.text);
        if word_count(s) < 6 {
            continue;
        }
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(s);
        if text.len() > 240 {
            break;
        }
    }
    if text.is_empty() {
        return None;
    }
    let first_two: Vec<&str> = sentences(&text).into_iter().take(2).collect();
    Some(outage::truncate(&first_two.join(" "), 240))
}

/// The advanced task's "make people want to read it": jokes, emoji, exclamations.
fn humorous(ctx: &Context) -> bool {
    let mut emoji = 0;
    let mut exclaim = 0;
    let mut playful = 0;

    for l in ctx.lines().iter().filter(|l| !l.boilerplate) {
        emoji += l
            .text
            .chars()
            .filter(|c| (*c as u32) >= 0x1F300 || ('\u{2600}'..='\u{27BF}').contains(c))
            .count();
        exclaim += l.text.matches('!').count();
        if text::PLAYFUL.matches(&l.text) {
            playful += 1;
        }
    }
    emoji >= 3 || playful >= 4 || (exclaim >= 4 && playful >= 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(text: &str) -> (Facts, Result<(), String>) {
        let doc = Document::parse(text, 1, true);
        let parts = doc.parts();
        let ctx = Context::new(&doc, &parts[0]);
        (extract(&ctx), qualify(&ctx))
    }

    #[test]
    fn tidy_titles() {
        assert_eq!(
            tidy_title("Postmortem: Disk full on the billing host"),
            "Disk full on the billing host"
        );
        assert_eq!(tidy_title("Postmortem"), "Postmortem");
        assert_eq!(tidy_title("Web server 02 down."), "Web server 02 down");
        assert_eq!(tidy_title("Node.js v1.2 outage."), "Node.js v1.2 outage.");
        assert_eq!(
            tidy_title("POSTMORTEM - CLINIC BOOKINGS: SMS CODES NOT DELIVERED"),
            "Clinic Bookings: SMS Codes not Delivered"
        );
        // A shortcode closing the title keeps its colon; a label's goes.
        assert_eq!(
            tidy_title(":zap: Search down :zap:"),
            ":zap: Search down :zap:"
        );
        assert_eq!(tidy_title("Billing outage:"), "Billing outage");
    }

    #[test]
    fn a_line_opening_with_a_shortcode_has_no_label() {
        assert_eq!(strip_label(":bulb: Queue full"), ":bulb: Queue full");
        assert_eq!(strip_label("Impact: queue full"), "queue full");
        assert_eq!(label(":bulb: Queue full"), None);
        assert_eq!(label("Impact: queue full").as_deref(), Some("impact"));
    }

    #[test]
    fn generic_titles() {
        assert!(generic_title("0x19. Postmortem"));
        assert!(generic_title("My first postmortem"));
        assert!(!generic_title("Postmortem: the day the cache forgot"));
    }

    #[test]
    fn a_guide_to_writing_postmortems_is_not_one() {
        let guide = "# Writing a useful incident review\n\n## Summary\n\nKeep your summary short. Say when the outage started and ended, and what your users saw. A reader should get the cause from one sentence.\n\n## Timeline\n\nList each event with its time. You will want one timezone for the whole document, so convert every entry before you write it down.\n\n## Root cause and resolution\n\nExplain what broke and why, then how it was fixed. Avoid blaming people: a blameless document talks about the system.\n\n## Corrective and preventative measures\n\nWrite tasks that someone can pick up tomorrow. Give each one an owner.\n";
        let (_, q) = facts(guide);
        assert!(q.unwrap_err().contains("guide"), "a guide");
        // An essay that ends with a worked incident is a postmortem.
        let essay = "# Why boring systems win\n\nReliability comes from dull habits: small changes, rehearsed rollbacks and alerts people trust. Most outages we have seen were ordinary mistakes that a checklist would have caught. Teams that practise restoring from backup restore faster; teams that never practise discover on the worst night of the year that the backup was never taken. The same goes for runbooks, dashboards and the humble disk-space alert, which is the cheapest insurance a service can buy and the first thing to be switched off during a migration.\n\n## The night the queue stopped\n\nOn 4 March 2024 from 22:10 to 23:05 UTC the order queue on mq-02 stopped accepting messages and about 30% of customers could not check out. The disk holding the queue's journal was full because log rotation had been disabled during a migration.\n\n- 22:10 - the checkout error rate alert fired\n- 22:25 - the on-call engineer suspected the load balancer; its health checks were green\n- 22:40 - escalated to the platform team, who found the full disk\n- 23:05 - old journals removed, queue restarted, orders flowing\n";
        let (_, q) = facts(essay);
        assert!(q.is_ok(), "{q:?}");
    }

    #[test]
    fn quoted_examples_a_blank_template_and_notes_are_not_postmortems() {
        // A guide whose times and figures are all quoted examples.
        let guide = "# Getting your incident write-up right\n\n## Summary\n\nPut the window first. \"From 08:10 to 09:45 WAT\" works; \"most of the morning\" does not. Name the share of people hit, like \"roughly 25% of riders\", never a CPU figure.\n\n## Timeline\n\nOne line per event, such as `08:12 WAT - pager fires for api-3`. Keep the wrong guesses in: they teach the most.\n\n## Root cause\n\nKeep asking why until you reach something a team can change. Describe the fix with the same care.\n\n## Follow-up\n\nWrite each task as a verb and a thing: \"rotate the key on vault-2\", \"cap the pool at 40 on db-7\". Leave out anything nobody could close.\n";
        let (_, q) = facts(guide);
        assert!(q.is_err(), "a guide with quoted examples");
        // A template: guidance in imperatives and bracketed placeholders.
        let template = "# Incident review template\n\n> Copy this page for each incident and delete the guidance as you go. A review is due within three working days of any SEV-1 or SEV-2 incident.\n\n# Incident review: [service] [what broke]\n\n**Incident:** INC-[number]\n**Severity:** [SEV-1 / SEV-2 / SEV-3]\n**Date:** [YYYY-MM-DD]\n**Owner:** [name]\n\n## Summary\n\n*Describe the impact in two sentences. Give the start and end with a zone (for example \"from 14:05 to 15:20 UTC\") and the share of users hit (for example \"about 20% of users\"). Name the cause.*\n\n## Timeline\n\n*All times in UTC. Include when it was detected and how, what was tried, and who was brought in.*\n\n- HH:MM - [event]\n- HH:MM - [event]\n\n## Root cause and resolution\n\n*Explain the cause so that a newcomer follows it. Then explain the fix.*\n\n## Corrective and preventative measures\n\n| Task | Owner | Ticket |\n|---|---|---|\n| [an action on a named system, e.g. \"add an alert when disk on db-2 passes 85%\"] | [name] | [OPS-123] |\n";
        let (_, q) = facts(template);
        assert!(q.is_err(), "a template");
        // Notes that list the sections to write, with nothing under them.
        let notes = "plans for the write-up (project 0x19)\n\nideas:\n- maybe the redis one from last term? not sure i remember enough of it\n- or the dns thing from the hackathon, invent the numbers and the company\n- the wifi router at home dying is not a web stack so no\n\nneeds:\nsummary (window + zone!!, who was hit %, cause)\ntimeline \"time - event\" lines\nroot cause and resolution\nmeasures + a real TASK list\n500 words max, a diagram for extra marks\n\ndue monday 18:00, ask Kofi to proofread before I post it\n";
        let (_, q) = facts(notes);
        assert!(q.is_err(), "notes");
    }

    #[test]
    fn a_postmortem_whose_tasks_are_imperatives_is_not_a_guide() {
        let pm = "# Login outage\n\n## Summary\n\nOn a Monday morning our login page stopped working for everyone for about two hours, because the session store ran out of memory after a change to how long sessions were kept.\n\n## Timeline\n\n- 09:00 - users reported that login failed\n- 09:20 - we restarted the app, which did not help\n- 10:30 - the team lead found the session store full and cleared it\n\n## Root cause and resolution\n\nSessions were kept for thirty days instead of one, so the store filled up. We set the expiry back and cleared old sessions.\n\n## Corrective and preventative measures\n\n- Add an alert on the store's memory.\n- Review every change to the session settings.\n- Document the expiry in the runbook.\n- Test the login page after each deploy.\n- Keep the store's memory under watch.\n- Limit the session lifetime in the config.\n";
        let (_, q) = facts(pm);
        assert!(q.is_ok(), "{q:?}");
    }

    #[test]
    fn a_partial_report_in_one_paragraph_is_a_postmortem() {
        let (_, q) = facts(
            "# Postmortem\n\n## Issue Summary\n\nOn 2 March 2024 at about 09:40 UTC the booking site started returning 502 errors to every visitor. At 10:05 UTC the on-call engineer found that the upstream pool pointed at a retired host after a config change. At 10:20 UTC the pool was corrected and the site came back. About 35% of the day's bookings were lost while it was down, and support answered forty calls from customers who could not pay.\n",
        );
        assert!(q.is_ok(), "{q:?}");
    }

    #[test]
    fn link_only_file_is_not_a_postmortem() {
        let (_, q) = facts(
            "# Postmortem\n\nRead it on Medium: https://medium.com/@someone/postmortem-123\n",
        );
        assert!(q.unwrap_err().contains("link"));
    }
}
