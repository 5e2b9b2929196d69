//! Timeline entries: bullets, time-led lines, table rows and run-together timestamps,
//! each with its time (dated from the outage where the entry gives no date, rolling
//! over midnight) and its kind.

use super::Context;
use super::text::{DETECTION, INVESTIGATION, MITIGATION, RESOLUTION, sentences};
use super::time::{self, TimeMention};
use crate::document::{Line, LineKind};
use crate::model::{EntryKind, Local, TimelineEntry};
use chrono::{NaiveDate, NaiveTime};
use regex::Regex;
use std::sync::LazyLock;

/// A raw entry before dating: its first line, its text, and the time written on it.
struct Raw {
    line: u32,
    text: String,
    mention: Option<TimeMention>,
    /// Whether the writer put it as its own item (bullet, row, time-led line).
    itemized: bool,
}

pub fn read(ctx: &Context, outage_start: Option<Local>) -> Vec<TimelineEntry> {
    let lines = join_wrapped(ctx.timeline_lines());
    // Paragraphs joined from several wrapped lines tell their events sentence by sentence.
    let joined: Vec<bool> = lines
        .iter()
        .map(|l| matches!(l, std::borrow::Cow::Owned(_)))
        .collect();
    let lines: Vec<&Line> = lines.iter().map(|l| l.as_ref()).collect();
    // Paragraphs of prose: several short ones are one event each; one or two long ones
    // tell their events sentence by sentence.
    let paragraphs = lines
        .iter()
        .enumerate()
        .filter(|(i, l)| {
            l.kind == LineKind::Text && !l.boilerplate && (*i == 0 || lines[i - 1].is_blank())
        })
        .count();
    // A timeline written as a preformatted block ("```" around its stamped lines) when
    // nothing outside the block is stamped; otherwise code under a timeline is a log or
    // a command quoted under an entry.
    let stamped = |l: &Line| opens_on_time(&l.text);
    let block_is_timeline = !lines.iter().any(|l| l.is_content() && stamped(l))
        && lines
            .iter()
            .filter(|l| l.kind == LineKind::Code && stamped(l))
            .count()
            >= 2;
    let mut raws: Vec<Raw> = Vec::new();
    let mut prev_blank = true;
    let mut prev_text: Option<&str> = None;
    // Indentation of the line that opened the current entry; deeper lines continue it.
    let mut entry_indent: Option<u16> = None;
    let mut last_bullet_depth = 0u8;
    // Date sub-headings ("**Saturday 4 March**"): the date of the entries under them.
    let mut dated: Vec<(usize, time::DateMention)> = Vec::new();
    for (idx, l) in lines.iter().enumerate() {
        if l.boilerplate {
            continue;
        }
        if let Some(d) = date_line(l) {
            dated.push((raws.len(), d));
            prev_blank = true;
            prev_text = None;
            continue;
        }
        let entries_before = raws.len();
        // "### 10:05 UTC" or "**10:05**" with the event on the lines under it.
        if let LineKind::Heading(_) = l.kind
            && let Some(m) = time_heading(&l.text)
        {
            raws.push(Raw {
                line: l.number,
                text: String::new(),
                mention: Some(m),
                itemized: true,
            });
            prev_blank = false;
            prev_text = None;
            entry_indent = Some(l.indent);
            continue;
        }
        if block_is_timeline && l.kind == LineKind::Code && !l.text.trim().is_empty() {
            if stamped(l) || raws.is_empty() {
                push_line(&mut raws, l, &l.text, true);
            } else {
                append(&mut raws, &l.text);
            }
            continue;
        }
        match l.kind {
            LineKind::Blank
            | LineKind::Heading(_)
            | LineKind::Fence
            | LineKind::Code
            | LineKind::Rule
            | LineKind::Underline => {
                prev_blank = true;
                prev_text = None;
                continue;
            }
            LineKind::TableRule => continue,
            LineKind::TableRow => {
                // The row above a |---| rule is the header.
                let is_header = lines
                    .get(idx + 1)
                    .is_some_and(|n| n.kind == LineKind::TableRule);
                if is_header {
                    continue;
                }
                let text = l
                    .text
                    .trim_matches('|')
                    .split('|')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .collect::<Vec<_>>()
                    .join(" - ");
                push_line(&mut raws, l, &text, true);
            }
            LineKind::Bullet { .. } if sets_the_zone(&l.text) => continue,
            LineKind::Bullet { depth, .. } => {
                let has_time = time::has_times(&l.text);
                let parent_timed = raws.last().is_some_and(|r| r.mention.is_some());
                let awaiting = raws
                    .last()
                    .is_some_and(|r| r.text.is_empty() && r.mention.is_some());
                // A sub-bullet is part of its step unless it opens on a time of its
                // own ("- Acknowledged at 23:55." is the step's detail).
                if (awaiting && !has_time)
                    || (depth > last_bullet_depth
                        && !opens_on_time(&l.text)
                        && parent_timed
                        && !prev_blank)
                {
                    append(&mut raws, &l.text);
                } else {
                    push_line(&mut raws, l, &l.text, true);
                    last_bullet_depth = depth;
                }
            }
            LineKind::Text => {
                let mentions = time::scan_times(&l.text);
                let leads = mentions.first().is_some_and(|m| leads_line(&l.text, m));
                // A hard-wrapped line carries on the previous one; a line led by a
                // bracketed stamp ("[05-06] ...") is an item of its own.
                let stamped = l.text.starts_with('[');
                let wrapped = !prev_blank
                    && !stamped
                    && (prev_text.is_some_and(|p: &str| {
                        !p.trim_end().ends_with(['.', '!', '?', ':', ')', ';'])
                    }) || l.text.starts_with(|c: char| c.is_lowercase())
                        || entry_indent.is_some_and(|i| l.indent > i));
                // A stamp under the text it dates ("Resolved — ...\nJun 3 - 16:20 UTC").
                if crate::document::prose::is_stamp(&l.text)
                    && !prev_blank
                    && raws.last().is_some_and(|r| r.mention.is_none())
                {
                    if let Some(last) = raws.last_mut() {
                        last.mention = mentions.into_iter().next();
                    }
                    prev_text = None;
                    continue;
                }
                // The event under a time written as a heading.
                let awaiting = raws
                    .last()
                    .is_some_and(|r| r.text.is_empty() && r.mention.is_some());
                let told = joined[idx]
                    .then(|| sentences(&l.text))
                    .filter(|s| s.len() >= 2 && !mentions.is_empty());
                if awaiting && mentions.is_empty() {
                    append(&mut raws, &l.text);
                } else if let Some(told) = told {
                    for s in told {
                        if time::has_times(s) || raws.is_empty() {
                            push_line(&mut raws, l, s, false);
                        } else {
                            append(&mut raws, s);
                        }
                    }
                } else if leads {
                    push_line(&mut raws, l, &l.text, true);
                } else if !mentions.is_empty() && starts_with_time_phrase(&l.text) && !wrapped {
                    for s in sentences(&l.text) {
                        if starts_with_time_phrase(s) || raws.is_empty() {
                            push_line(&mut raws, l, s, false);
                        } else {
                            append(&mut raws, s);
                        }
                    }
                } else if wrapped && !raws.is_empty() {
                    append(&mut raws, &l.text);
                } else if stamped && l.text.split_whitespace().count() >= 3 {
                    push_line(&mut raws, l, &l.text, true);
                } else if label_item(&l.text) {
                    // "Actions taken: the team checked the logs." is an event of its own.
                    push_line(&mut raws, l, &l.text, true);
                } else if !mentions.is_empty() {
                    // A paragraph that tells time in the middle: one entry per timed sentence.
                    for s in sentences(&l.text) {
                        if time::has_times(s) {
                            push_line(&mut raws, l, s, false);
                        } else if !raws.is_empty() {
                            append(&mut raws, s);
                        }
                    }
                } else if !prev_blank && raws.last().is_some_and(|r| r.itemized) {
                    // A line of its own under itemized events is another event (not a
                    // question answered in place: "What service was down? MySQL").
                    if l.text.split_whitespace().count() >= 4
                        && !sentences(&l.text).first().is_some_and(|s| s.ends_with('?'))
                    {
                        push_line(&mut raws, l, &l.text, true);
                    }
                } else if raws.iter().any(|r| r.itemized) {
                    // A paragraph after itemized entries: another event when it tells
                    // something done or found ("The incident was escalated to ..."),
                    // else a note ("All times are approximate.").
                    // After a list of timed entries, untimed paragraphs retell it.
                    let timed = raws.iter().filter(|r| r.mention.is_some()).count();
                    if timed < 3
                        && l.text.split_whitespace().count() >= 5
                        && tells_an_event(&l.text)
                    {
                        push_line(&mut raws, l, &l.text, true);
                    }
                } else if l.text.split_whitespace().count() >= 4 {
                    // Prose timelines without times: each paragraph tells an event, or
                    // in one or two long paragraphs each sentence does (a hard-wrapped
                    // sentence goes on from the line before).
                    let by_sentence = paragraphs <= 2;
                    let pieces = if by_sentence {
                        sentences(&l.text)
                    } else {
                        vec![l.text.as_str()]
                    };
                    for (k, s) in pieces.into_iter().enumerate() {
                        if k == 0 && wrapped && !raws.is_empty() {
                            append(&mut raws, s);
                        } else if s.split_whitespace().count() >= 4 {
                            push_line(&mut raws, l, s, false);
                        } else if !raws.is_empty() {
                            append(&mut raws, s);
                        }
                    }
                }
            }
        }
        if raws.len() > entries_before {
            entry_indent = Some(l.indent);
        }
        prev_text = match l.kind {
            LineKind::Text | LineKind::Bullet { .. } => Some(l.text.as_str()),
            _ => None,
        };
        prev_blank = false;
    }
    for (k, (from, d)) in dated.iter().enumerate() {
        let to = dated.get(k + 1).map_or(raws.len(), |n| n.0);
        for r in &mut raws[*from..to] {
            if let Some(m) = r.mention.as_mut()
                && m.date.is_none()
            {
                m.date = Some(d.clone());
            }
        }
    }
    // Drop prose "entries" that are introductions ("All times are UTC.") when the rest is itemized.
    if raws.iter().filter(|r| r.itemized).count() >= 2 {
        raws.retain(|r| r.itemized || r.mention.is_some());
    }
    // Status updates are written newest first: read them in the order they happened.
    let stamps: Vec<(u32, u32)> = raws
        .iter()
        .filter_map(|r| r.mention.as_ref())
        .map(|m| {
            let d = m.date.as_ref().map_or(0, |d| d.month * 32 + d.day);
            (
                d,
                chrono::Timelike::hour(&m.time) * 60 + chrono::Timelike::minute(&m.time),
            )
        })
        .collect();
    if stamps.len() >= 3 && stamps.len() == raws.len() && stamps.windows(2).all(|w| w[0] > w[1]) {
        raws.reverse();
    }
    date_entries(raws, outage_start)
}

/// Hard-wrapped prose read as the lines the writer meant: a text line that carries on
/// the sentence of the one above ("... recovered at 1:18 PM PDT. At" / "1:54 PM PDT,
/// LIST requests were re-enabled") joins it, so a time split from its sentence by the
/// wrap stays in it. A line that opens on a time starts an item of its own, unless the
/// line above broke off in the middle of a phrase ("At" / "9:58 AM PDT, ...").
fn join_wrapped(lines: Vec<&Line>) -> Vec<std::borrow::Cow<'_, Line>> {
    use std::borrow::Cow;
    let mut out: Vec<Cow<Line>> = Vec::with_capacity(lines.len());
    let mut prev_raw: Option<&Line> = None;
    for l in lines {
        let carries_on = l.kind == LineKind::Text && !l.boilerplate;
        let above = prev_raw.replace(l);
        if let (true, Some(prev), Some(above)) = (carries_on, out.last_mut(), above)
            && prev.kind == LineKind::Text
            && !prev.boilerplate
            && (!prev.text.trim_end().ends_with(['.', '!', '?', ':', ';', ')'])
                || l.text.starts_with(|c: char| c.is_lowercase())
                // Prose wrapped at a width: a sentence may end just at the edge.
                || ((60..=100).contains(&above.text.chars().count()) && !label_item(&l.text)))
        {
            // "[05-06] ...": a bracketed stamp opens an item too.
            let stamped = l.text.starts_with('[');
            if !(opens_on_time(&l.text) || stamped) || broke_off(&above.text) {
                let joined = prev.to_mut();
                joined.text.push(' ');
                joined.text.push_str(l.text.trim_start());
                joined.end = l.end;
                continue;
            }
        }
        out.push(Cow::Borrowed(l));
    }
    out
}

/// Whether a line ends on a word that cannot end a phrase: a preposition, an article
/// or a conjunction (closed classes of English).
fn broke_off(text: &str) -> bool {
    let last = text
        .trim_end()
        .rsplit(char::is_whitespace)
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    matches!(
        last.as_str(),
        "at" | "by"
            | "around"
            | "about"
            | "from"
            | "to"
            | "until"
            | "till"
            | "since"
            | "before"
            | "after"
            | "and"
            | "or"
            | "the"
            | "a"
            | "an"
            | "of"
            | "in"
            | "on"
            | "with"
            | "for"
            | "between"
            | "approximately"
            | "roughly"
            | "nearly"
            | "then"
    )
}

/// Pushes one entry per time mention that starts an item, for lines with several
/// run-together timestamps ("10:00 - alert; 10:15 - paged").
fn push_line(raws: &mut Vec<Raw>, line: &Line, text: &str, itemized: bool) {
    let mentions = time::scan_times(text);
    // The end of a range ("10:03 - 10:10 AM: ...") belongs to its entry.
    let range_ends: Vec<usize> = time::scan_time_ranges(text)
        .iter()
        .map(|r| r.end.span.start)
        .collect();
    let mentions: Vec<TimeMention> = mentions
        .into_iter()
        .filter(|m| !range_ends.contains(&m.span.start))
        .collect();
    let leads = mentions.first().is_some_and(|m| m.span.start <= 8);
    // Stamps run together without separators ("10:00 deploy done 10:05 alerts fired
    // 10:20 rolled back"): three or more times, each followed by words of its own.
    let run_together = leads
        && mentions.len() >= 3
        && mentions
            .windows(2)
            .all(|w| crate::extract::text::word_count(&text[w[0].span.end..w[1].span.start]) >= 2);
    let splits: Vec<&TimeMention> = mentions
        .iter()
        .enumerate()
        .filter(|(i, m)| *i == 0 || run_together || starts_item(text, m))
        .map(|(_, m)| m)
        .collect();
    let multiple = splits.len() >= 2
        && (run_together || splits.iter().skip(1).all(|m| starts_item(text, m)))
        && leads;
    if !multiple {
        raws.push(Raw {
            line: line.number,
            text: strip_time(text, mentions.first()),
            mention: mentions.into_iter().next(),
            itemized,
        });
        return;
    }
    for (i, m) in splits.iter().enumerate() {
        let end = splits.get(i + 1).map_or(text.len(), |n| n.span.start);
        let piece = &text[m.span.start..end];
        let rel = TimeMention {
            span: 0..(m.span.end - m.span.start),
            ..(*m).clone()
        };
        raws.push(Raw {
            line: line.number,
            text: strip_time(piece, Some(&rel)),
            mention: Some((*m).clone()),
            itemized: true,
        });
    }
}

/// A line that is only a date ("**Saturday 4 March 2023**", "### Day 2 - 5 May"): a
/// sub-heading dating the entries under it.
fn date_line(l: &Line) -> Option<time::DateMention> {
    if !matches!(l.kind, LineKind::Heading(_) | LineKind::Text) || time::has_times(&l.text) {
        return None;
    }
    let dates = time::scan_dates(&l.text);
    let [d] = dates.as_slice() else { return None };
    (super::text::words_besides(&l.text, d.span.clone()) <= 3).then(|| d.clone())
}

/// A list item that only names the zone the timeline's times are in ("Timezone: PST",
/// "Times: UTC+1"): a note on the list, not an event.
fn sets_the_zone(text: &str) -> bool {
    let Some((label, rest)) = text.split_once(':') else {
        return false;
    };
    let rest = rest.trim().trim_end_matches(['.', ';']);
    label.split_whitespace().count() <= 3
        && !rest.is_empty()
        && !time::has_times(rest)
        && time::parse_zone(rest).is_some_and(|(_, used)| rest[used..].trim().is_empty())
}

/// Whether a line tells something done or found during the incident.
fn tells_an_event(text: &str) -> bool {
    INVESTIGATION.matches(text)
        || MITIGATION.matches(text)
        || RESOLUTION.matches(text)
        || DETECTION.matches(text)
        || super::roles::escalation(text)
}

/// A heading that is only a time ("### 10:05 UTC", "**14:30**"): the entry's stamp.
fn time_heading(text: &str) -> Option<TimeMention> {
    let mentions = time::scan_times(text);
    let m = mentions.first()?;
    (super::text::words_besides(text, m.span.clone()) <= 2).then(|| m.clone())
}

/// "Detection method: a customer complained." — a short label, then the event.
fn label_item(text: &str) -> bool {
    text.split_once(':').is_some_and(|(label, rest)| {
        let words = label.split_whitespace().count();
        (1..=4).contains(&words)
            && label.chars().next().is_some_and(char::is_uppercase)
            && !label.chars().any(|c| c.is_ascii_digit())
            && rest.split_whitespace().count() >= 3
    })
}

fn append(raws: &mut [Raw], text: &str) {
    if let Some(last) = raws.last_mut() {
        // A time on a wrapped line belongs to the entry that had none yet.
        if last.mention.is_none() {
            last.mention = time::scan_times(text).into_iter().next();
        }
        if !last.text.is_empty() {
            last.text.push(' ');
        }
        last.text.push_str(text.trim());
    }
}

static SEPARATOR_AFTER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(?:\)|\])?\s*(?:[-–—:|,>]|=>|->)").unwrap());
static TIME_PHRASE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\W*(?:at|by|around|about|approximately|approx\.?|on|from|shortly after|after|then|until|between|\d)").unwrap()
});

/// Whether a line opens on a time ("10:00 AM: ...", "At 9:41 AM PDT, ...").
pub(crate) fn opens_on_time(text: &str) -> bool {
    time::scan_times(text)
        .first()
        .is_some_and(|m| leads_line(text, m))
}

/// A time that opens its line: "10:00 AM: ...", "**14:30** - ...", "[10:00] ...".
fn leads_line(text: &str, m: &TimeMention) -> bool {
    let before = &text[..m.span.start.min(text.len())];
    before.chars().all(|c| !c.is_alphanumeric())
        || (m.date.is_some() && before.trim().chars().count() <= 3)
        || SEPARATOR_AFTER.is_match(&text[m.span.end.min(text.len())..])
            && before.split_whitespace().count() <= 2
}

/// A time in the middle of a line that starts a new item: followed by a separator and
/// preceded by the end of the previous item.
fn starts_item(text: &str, m: &TimeMention) -> bool {
    let after = &text[m.span.end.min(text.len())..];
    let mut before = text[..m.span.start.min(text.len())].trim_end();
    // "... normal levels. At 1:54 PM PDT, LIST requests ...": a sentence opening on
    // its time starts an item.
    if let Some((head, word)) = before.rsplit_once(char::is_whitespace)
        && matches!(
            word.to_ascii_lowercase().as_str(),
            "at" | "by" | "around" | "until"
        )
        && head.ends_with(['.', ';'])
    {
        before = head;
    }
    SEPARATOR_AFTER.is_match(after)
        && (before.is_empty()
            || before.ends_with(['.', ';', ',', '|', ')', '•'])
            || before.ends_with(" -")
            || before.ends_with('–'))
}

pub(crate) fn starts_with_time_phrase(s: &str) -> bool {
    let mentions = time::scan_times(s);
    let Some(m) = mentions.first() else {
        return false;
    };
    m.span.start <= 25 && TIME_PHRASE.is_match(s)
}

/// The entry's words without its leading time and separator.
fn strip_time(text: &str, m: Option<&TimeMention>) -> String {
    let Some(m) = m else {
        return text.trim().to_owned();
    };
    let before = &text[..m.span.start.min(text.len())];
    if before.chars().any(char::is_alphanumeric) && before.split_whitespace().count() > 2 {
        return text.trim().to_owned();
    }
    let rest = &text[m.span.end.min(text.len())..];
    // What parts the time from the event, though not a shortcode opening it.
    let mut rest = rest;
    while let Some(c) = rest.chars().next()
        && (c.is_whitespace() || "-–—:|,)]>=".contains(c))
        && !crate::words::opens_shortcode(rest)
    {
        rest = &rest[c.len_utf8()..];
    }
    let rest = rest.trim();
    if rest.is_empty() {
        text.trim().to_owned()
    } else {
        rest.to_owned()
    }
}

/// Gives each entry a local time: its own date, or the running date (outage start's,
/// then the last one written), moved a day on when times go backwards past midnight.
fn date_entries(raws: Vec<Raw>, outage_start: Option<Local>) -> Vec<TimelineEntry> {
    let mut current: Option<NaiveDate> = outage_start.and_then(Local::date);
    let mut prev_time: Option<NaiveTime> =
        outage_start.map(Local::time).filter(|_| current.is_some());
    let mut out = Vec::with_capacity(raws.len());
    for r in raws {
        let time = r.mention.as_ref().map(|m| {
            if let Some(d) = m.date.as_ref().and_then(|d| {
                d.date()
                    .or_else(|| current.and_then(|c| d.with_year(chrono::Datelike::year(&c))))
            }) {
                current = Some(d);
            } else if let (Some(c), Some(p)) = (current, prev_time)
                && m.time < p
                && (p - m.time).num_hours() >= 6
            {
                current = Some(c.succ_opt().unwrap_or(c));
            }
            prev_time = Some(m.time);
            match current {
                Some(d) => Local::DateTime(d.and_time(m.time)),
                None => Local::Time(m.time),
            }
        });
        let kind = classify(&r.text, out.len());
        out.push(TimelineEntry {
            time,
            text: r.text,
            kind,
            line: r.line,
        });
    }
    out
}

/// The kind of an entry, by its words. Earlier entries lean to detection.
pub fn classify(text: &str, position: usize) -> EntryKind {
    if super::roles::lead(text) == Some(super::roles::Lead::Misleading) {
        return EntryKind::Misleading;
    }
    let lower = text.to_lowercase();
    // The first entries that tell someone noticing are the detection, though a report
    // is sent somewhere ("first customer email to the helpdesk").
    if position <= 1 && (super::text::DETECTED_BY.matches(text) || super::roles::noticed(text)) {
        return EntryKind::Detection;
    }
    if super::roles::escalation(text) && !lower.contains("resolved") {
        return EntryKind::Escalation;
    }
    let resolved = [
        "resolved",
        "restored",
        "back online",
        "back to normal",
        "fully operational",
        "fully functional",
        "recovered",
        "closed",
        "operational again",
        "normal operation",
        "up and running",
        "working again",
        "working normally",
        "all clear",
        "stable",
        "stabilized",
        "stabilised",
    ];
    if resolved.iter().any(|w| lower.contains(w)) {
        return EntryKind::Resolution;
    }
    if DETECTION.matches(text)
        && (position <= 1
            || lower.contains("detect")
            || lower.contains("alert")
            || lower.contains("noticed")
            || lower.contains("reported")
            || lower.contains("complain"))
    {
        return EntryKind::Detection;
    }
    if MITIGATION.matches(text) {
        return EntryKind::Mitigation;
    }
    if RESOLUTION.matches(text) {
        return EntryKind::Resolution;
    }
    if INVESTIGATION.matches(text) {
        return EntryKind::Investigation;
    }
    EntryKind::Other
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_list_item_naming_the_zone_is_not_an_event() {
        assert!(sets_the_zone("Timezone: PST"));
        assert!(sets_the_zone("All times: UTC+1."));
        assert!(sets_the_zone("Zone: EAT (UTC+3)"));
        assert!(!sets_the_zone("Time zone: PST, the alert fired"));
        assert!(!sets_the_zone("09:10 UTC: the alert fired"));
        assert!(!sets_the_zone("Detection: a customer wrote in"));
    }

    #[test]
    fn a_shortcode_after_the_time_stays_with_the_event() {
        let m = super::time::scan_times("09:40 - :bell: Pager went off");
        assert_eq!(
            strip_time("09:40 - :bell: Pager went off", m.first()),
            ":bell: Pager went off"
        );
        let m = super::time::scan_times("09:40: Pager went off");
        assert_eq!(
            strip_time("09:40: Pager went off", m.first()),
            "Pager went off"
        );
    }
    use super::*;

    /// The timeline entries of a postmortem whose timeline is `body`.
    fn entries(body: &str) -> Vec<String> {
        let text = format!(
            "# T\n\n## Summary\nOn 5 May 2024 from 10:00 to 11:00 UTC the API failed for 40% of users because of a bad config.\n\n## Timeline\n{body}\n## Root cause and resolution\nA bad config push broke the API; we rolled it back.\n"
        );
        let doc = crate::document::Document::parse(&text, 1, true);
        let parts = doc.parts();
        read(&Context::new(&doc, &parts[0]), None)
            .into_iter()
            .map(|e| {
                format!(
                    "{} {}",
                    e.time.map_or("-".into(), |t| t.to_string()),
                    e.text
                )
            })
            .collect()
    }

    #[test]
    fn timelines_of_every_shape_give_one_entry_per_event() {
        let cases: &[(&str, usize)] = &[
            (
                "10:00\nThe deploy finished.\n\n10:05\nAlerts fired on 5xx.\n\n10:20\nWe rolled back.\n",
                3,
            ),
            (
                "### 10:00 UTC\nThe deploy finished.\n\n### 10:05 UTC\nAlerts fired on 5xx.\n\n### 10:20 UTC\nWe rolled back.\n",
                3,
            ),
            (
                "1. 10:00 - deploy finished\n   - pushed by CI\n   - no warnings\n2. 10:05 - alerts fired\n   - 5xx at 30%\n3. 10:20 - rolled back\n",
                3,
            ),
            (
                "- 10:00 - deploy finished\n  - acknowledged by the on-call at 10:02\n- 10:05 - alerts fired\n  - the log showed the job ended at 09:58\n- 10:20 - rolled back\n",
                3,
            ),
            (
                "10:00 deploy finished 10:05 alerts fired on 5xx 10:20 we rolled back 10:40 all clear\n",
                4,
            ),
            (
                "- 10:03 - 10:10 AM: alerts fired and were acknowledged\n- 10:12 - 10:20 AM: we rolled back\n- 10:40 AM: all clear\n",
                3,
            ),
            (
                "The deploy finished just before ten. A few minutes later alerts fired on 5xx. The on-call engineer looked at the logs and suspected the database, which was fine. We then rolled back the config and the errors stopped.\n",
                4,
            ),
            (
                "Detection:\n10:05 - alerts fired on 5xx\n\nInvestigation:\n10:10 - checked the database; it was fine\n\nResolution:\n10:20 - rolled back the config\n10:40 - all clear\n",
                4,
            ),
            (
                "10:00 - deploy finished<br>10:05 - alerts fired<br>10:20 - rolled back<br>10:40 - all clear\n",
                4,
            ),
            (
                "2024-05-05 10:00 deploy finished\n2024-05-05 10:05 alerts fired on 5xx\n2024-05-05 10:20 rolled back\n",
                3,
            ),
            (
                "[05-05] 10:00 UTC - deploy finished\n[05-05] alerts fired later that morning\n[05-06] 09:00 UTC - config rolled back\n[05-06] all clear, caches warm\n",
                4,
            ),
        ];
        for (body, n) in cases {
            let got = entries(body);
            assert_eq!(got.len(), *n, "{body}\n{got:#?}");
        }
    }

    #[test]
    fn hard_wrapped_prose_tells_its_events_sentence_by_sentence() {
        // Wrapped at a width, with a time split from its sentence by the wrap, and a
        // sentence that ends just at the edge.
        let prose = "At 9:12 AM PDT, a routine cleanup job began deleting old index segments on\nthe search cluster, following the usual runbook. The job was stopped at\n9:40 AM PDT. Deleting a live segment forced every node to rebuild its cache.\nQueries slowed down across the region while the rebuild ran. At\n10:05 AM PDT, the team moved read traffic to the standby cluster, and at\n10:30 AM PDT the standby was serving all queries.\n";
        let got = entries(prose);
        assert_eq!(got.len(), 3, "{got:#?}");
        assert!(got[1].starts_with("09:40"), "{got:#?}");
        assert!(got[2].starts_with("10:05"), "{got:#?}");
        // Stamped lines, short or long, stay one entry each.
        let lines = "10:00 - deploy 4.2 went out to all web nodes and the error rate climbed\n10:05 - the on-call engineer was paged by the error-rate alert on api\n10:20 - rolled back to 4.1 and the errors stopped\n";
        assert_eq!(entries(lines).len(), 3);
    }

    #[test]
    fn a_preformatted_block_is_the_timeline_when_nothing_else_is_stamped() {
        let block = "All times UTC.\n\n```\n[10:00] deploy 4.2 finished\n[10:05] 5xx alerts on api-1\n        (paged the on-call)\n[10:20] rolled back to 4.1\n```\n";
        let got = entries(block);
        assert_eq!(got.len(), 3, "{got:#?}");
        assert!(got[1].contains("paged the on-call"), "{got:#?}");
        // Code under stamped entries is a log quoted under one of them.
        let logs = "- 10:00 - deploy finished\n- 10:05 - errors in the log:\n\n```\n10:05:01 ERROR pool exhausted\n10:05:02 ERROR pool exhausted\n```\n\n- 10:20 - rolled back\n";
        assert_eq!(entries(logs).len(), 3);
    }

    #[test]
    fn a_date_sub_heading_dates_the_entries_under_it() {
        let got = entries(
            "**Friday 3 March 2023**\n- 22:00 - deploy\n- 23:30 - alerts\n\n**Saturday 4 March 2023**\n- 01:15 - rolled back\n",
        );
        assert_eq!(got.len(), 3);
        assert!(got[0].starts_with("2023-03-03T22:00"), "{got:?}");
        assert!(got[2].starts_with("2023-03-04T01:15"), "{got:?}");
    }

    #[test]
    fn kinds_by_words() {
        assert_eq!(
            classify("Monitoring alert fired for 5xx errors", 0),
            EntryKind::Detection
        );
        assert_eq!(
            classify("Escalated to the database team", 3),
            EntryKind::Escalation
        );
        assert_eq!(
            classify("Misleading path: blamed the network", 2),
            EntryKind::Misleading
        );
        assert_eq!(classify("Service fully restored", 6), EntryKind::Resolution);
        assert_eq!(classify("Rolled back the deploy", 5), EntryKind::Mitigation);
        assert_eq!(
            classify("Engineers examined the logs", 2),
            EntryKind::Investigation
        );
    }
}
