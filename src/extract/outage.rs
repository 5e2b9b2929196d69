//! The outage window, its zone and duration, and the share of users affected, read
//! from the summary the way a reviewer reads it.

use super::Context;
use super::para::{Paragraph, paragraphs};
use super::text::{EXPERIENCE, sentences};
use super::time::{self, DateMention, TimeMention, Zone};
use crate::document::{Line, LineKind};
use crate::model::{Local, Moment, Outage};
use chrono::{NaiveDate, NaiveTime, Timelike};
use regex::Regex;
use std::sync::LazyLock;

/// Evidence lines found while reading the summary, for the checks.
#[derive(Clone, Debug, Default)]
pub struct Evidence {
    pub percent_line: Option<u32>,
    pub experience_line: Option<u32>,
    pub duration_line: Option<u32>,
    /// An end written before the start: its line and what to tell the writer.
    pub backwards: Option<(u32, String)>,
    /// A share of users over 100%: the share and its line.
    pub over_share: Option<(f64, u32)>,
}

/// A time mention with the paragraph it was read in and the line it starts on.
#[derive(Clone, Debug)]
struct Found<'a> {
    m: TimeMention,
    /// The paragraph's text (hard-wrapped lines joined); `m.span` indexes it.
    text: &'a str,
    line: &'a Line,
}

pub fn read(ctx: &Context) -> (Outage, Evidence) {
    let region = ctx.summary_lines();
    let mut ev = Evidence::default();
    let mut outage = Outage::default();

    let year_hint = ctx.year_hint();
    let paras = paragraphs(&region);
    let (start, end) = window(&paras);
    // A date for a window written without one: the summary's, else the title's or the
    // date line under it ("Outage of November 8, 2023").
    let date_in = |lines: &mut dyn Iterator<Item = &Line>| {
        lines
            .filter(|l| !matches!(l.kind, LineKind::Code) && !l.boilerplate)
            .flat_map(|l| time::scan_dates(&l.text))
            .find_map(|d| date_of(&d, year_hint))
    };
    let region_date =
        date_in(&mut region.iter().copied()).or_else(|| date_in(&mut ctx.preamble().iter()));

    let start_date = start
        .as_ref()
        .and_then(|s| attached_date(s, year_hint))
        .or(region_date);
    // The zone of the window, or written beside it, or the timeline's; none without a window.
    let zone = if start.is_none() && end.is_none() {
        None
    } else {
        start
            .as_ref()
            .and_then(|s| s.m.zone.clone())
            .or_else(|| end.as_ref().and_then(|e| e.m.zone.clone()))
            .or_else(|| zone_in_lines(start.iter().chain(end.iter()).map(|f| f.line)))
            .or_else(|| ctx.timeline_zone())
    };
    let zone = zone.map(|z| {
        let z = time::resolve_zone(&z, start_date);
        let line = start.as_ref().or(end.as_ref()).map_or("", |f| f.text);
        prefer_abbreviation(z, line)
    });

    let offset = zone.as_ref().and_then(|z| z.offset_minutes);
    if let Some(s) = &start {
        let local = local_of(s.m.time, start_date);
        outage.start = Some(Moment::new(
            local,
            offset,
            snippet(s.text, &s.m),
            s.line.number,
        ));
    }
    let mut rolled = false;
    if let Some(e) = &end {
        let start_time = start.as_ref().map(|s| s.m.time);
        let end_time = noon_not_midnight(start_time, e);
        // The end's own date when the text attaches one to it; otherwise the start's,
        // a day later when the clock rolled over midnight.
        let own =
            e.m.date
                .as_ref()
                .and_then(|d| date_of(d, year_hint))
                .filter(|_| end_time == e.m.time);
        let rolls = start_time.is_some_and(|st| end_time < st);
        let date = own.or_else(|| {
            let sd = start_date.or_else(|| attached_date(e, year_hint))?;
            Some(if rolls {
                sd.succ_opt().unwrap_or(sd)
            } else {
                sd
            })
        });
        // Read as running past midnight (here or by the range reader) on one written date.
        let dates_written =
            |f: &Found| time::scan_dates(f.text.get(f.m.span.clone()).unwrap_or("")).len();
        rolled = rolls
            && start
                .as_ref()
                .is_some_and(|s| dates_written(s) + dates_written(e) < 2);
        let local = local_of(end_time, date);
        outage.end = Some(Moment::new(
            local,
            offset,
            snippet(e.text, &e.m),
            e.line.number,
        ));
    }
    if let Some(z) = &zone {
        outage.timezone = Some(z.text.clone());
        outage.utc_offset_minutes = z.offset_minutes;
        outage.timezone_note = z.note.map(str::to_owned);
    }

    // A duration stated in words, preferably on a "Duration:" line.
    let window_line = start.as_ref().map(|s| s.line.number);
    let stated = region
        .iter()
        .filter(|l| !matches!(l.kind, LineKind::Code) && !l.boilerplate)
        .flat_map(|l| {
            time::scan_durations(&l.text)
                .into_iter()
                .map(move |d| (*l, d))
        })
        .filter(|(l, d)| d.minutes > 0 && !not_the_outage(l, d))
        .enumerate()
        .max_by_key(|(i, (l, d))| (duration_score(l, d, window_line), std::cmp::Reverse(*i)))
        .map(|(_, found)| found);
    if let Some((l, d)) = stated {
        outage.stated_duration_minutes = Some(d.minutes);
        ev.duration_line = Some(l.number);
    }
    if let (Some(s), Some(e), Some(found)) = (&outage.start, &outage.end, &end) {
        let span = s.local.minutes_until(e.local);
        let stated_span = outage
            .stated_duration_minutes
            .is_some_and(|d| (d - span).abs() <= 5.max(span / 20));
        let backwards = match (s.local, e.local) {
            (Local::DateTime(a), Local::DateTime(b)) => b < a,
            _ => false,
        } || (rolled
            && (12 * 60..24 * 60).contains(&span)
            && !stated_span
            && !tells_next_day(found.text));
        if backwards {
            ev.backwards = Some((
                e.line,
                format!("the outage ends ({}) before it starts ({})", e.text, s.text),
            ));
            outage.end = None;
        }
    }
    outage.duration_minutes = match (&outage.start, &outage.end) {
        (Some(s), Some(e)) => Some(s.local.minutes_until(e.local)),
        _ => outage.stated_duration_minutes,
    };

    // Share of users: the impact lines first, then the rest of the summary.
    let share = super::users::users_affected(&region);
    match share {
        Some(s) if s.percent > 100.0 => ev.over_share = Some((s.percent, s.line)),
        _ => {
            outage.users_affected_percent = share.map(|s| s.percent);
            ev.percent_line = share.map(|s| s.line);
        }
    }
    ev.experience_line = region
        .iter()
        .filter(|l| l.is_content())
        .find(|l| tells_experience(&l.text))
        .map(|l| l.number);
    outage.service = ev
        .experience_line
        .and_then(|n| region.iter().find(|l| l.number == n))
        .and_then(|l| sentences(&l.text).into_iter().find(|s| tells_experience(s)))
        .map(|s| truncate(s, 200));
    (outage, ev)
}

/// Whether a text tells what people went through: the words of a failure seen from
/// outside ("could not", "timed out"), or the people themselves, named by any agent noun
/// ("Students pushed their code and the checker stayed queued", "riders saw an empty map").
fn tells_experience(text: &str) -> bool {
    EXPERIENCE.matches(text)
        || crate::words::words(text)
            .iter()
            .any(|w| super::users::is_people(w))
}

static DURATION_CUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:duration|lasted|lasting|for|total|approximately|approx|about|around|roughly|nearly|over|outage of|downtime of|\()\W*$").unwrap()
});

/// How surely a duration mention is the outage's length: on a "Duration:" line, after
/// "lasted"/"for", or on the line that gives the window.
fn duration_score(line: &Line, d: &time::DurationMention, window_line: Option<u32>) -> u8 {
    let lower = line.text.to_lowercase();
    let before = &line.text[..d.span.start.min(line.text.len())];
    let before = &before[floor_char(before, before.len().saturating_sub(30))..];
    let mut score = 0;
    if lower.starts_with("duration") || lower.contains("outage duration") {
        score += 4;
    }
    if DURATION_CUE.is_match(before) {
        score += 2;
    }
    if window_line == Some(line.number) {
        score += 2;
    }
    if lower.contains("outage") || lower.contains("downtime") || lower.contains("down for") {
        score += 1;
    }
    score
}

static NOT_LENGTH_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:every|each|within|under|less than|up to|after|before|per|in the (?:last|past|next)|once|twice|than)\W*$").unwrap()
});
static NOT_LENGTH_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\W*(?:s(?-u:\b)\W*)?(?:prior|earlier|ago|later|before|after|apart|beforehand|of (?:data|logs|work|history|retention|uptime|notice|warning)|old|window|interval|ttl|cache|timeout|late|notice|warning|heads-up|in advance|advance|grace|sla|retention|expiry|validity|lifetime)(?-u:\b)").unwrap()
});
static NOT_OUTAGE_SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:postmortem|post-mortem|analysis|investigation|review|meeting|retrospective|debugging|migration|maintenance window|project)(?-u:\b)[^.]{0,30}(?-u:\b)(?:lasted|took|ran)(?-u:\b)").unwrap()
});

/// Durations that are not the outage's length: "a day prior", "every 5 minutes",
/// "under 3 hours", "the postmortem lasted 12 hours".
fn not_the_outage(line: &Line, d: &time::DurationMention) -> bool {
    let text = &line.text;
    let before = &text[..d.span.start.min(text.len())];
    let after = &text[d.span.end.min(text.len())..];
    NOT_LENGTH_BEFORE.is_match(&before[floor_char(before, before.len().saturating_sub(20))..])
        || NOT_LENGTH_AFTER.is_match(after)
        || NOT_OUTAGE_SUBJECT.is_match(text)
}

/// "From 11 AM to 12:30 AM" means half past noon: a writer who starts in the morning
/// and ends "12:30 AM" fourteen hours later has mixed up the twelve o'clock meridiem.
fn noon_not_midnight(start: Option<NaiveTime>, end: &Found) -> NaiveTime {
    let t = end.m.time;
    let written = end
        .text
        .get(end.m.span.clone())
        .unwrap_or("")
        .to_ascii_lowercase();
    match start {
        Some(st) if t.hour() == 0 && written.starts_with("12") && (6..12).contains(&st.hour()) => {
            t + chrono::Duration::hours(12)
        }
        _ => t,
    }
}

/// "Central African Time (CAT)" is written down as "CAT", as a reader would.
fn prefer_abbreviation(mut zone: Zone, line: &str) -> Zone {
    if !zone.text.contains(' ') {
        return zone;
    }
    let Some(at) = line.find(&zone.text) else {
        return zone;
    };
    let rest = line[at + zone.text.len()..].trim_start();
    let Some(inner) = rest.strip_prefix(['(', '[']) else {
        return zone;
    };
    let abbr: String = inner
        .chars()
        .take_while(|c| c.is_ascii_uppercase())
        .collect();
    if (2..=5).contains(&abbr.len()) && inner[abbr.len()..].trim_start().starts_with([')', ']']) {
        zone.text = abbr;
    }
    zone
}

/// Whether a paragraph says that its times run into another day ("the next morning",
/// "overnight"), so an end earlier on the clock than the start is a day later.
fn tells_next_day(text: &str) -> bool {
    crate::words::words(text).iter().any(|w| {
        matches!(
            w.as_str(),
            "next" | "following" | "overnight" | "tomorrow" | "midnight" | "later"
        )
    })
}

fn local_of(t: chrono::NaiveTime, date: Option<NaiveDate>) -> Local {
    match date {
        Some(d) => Local::DateTime(d.and_time(t)),
        None => Local::Time(t),
    }
}

fn date_of(d: &DateMention, year_hint: Option<i32>) -> Option<NaiveDate> {
    d.date().or_else(|| year_hint.and_then(|y| d.with_year(y)))
}

fn attached_date(f: &Found, year_hint: Option<i32>) -> Option<NaiveDate> {
    f.m.date
        .as_ref()
        .and_then(|d| date_of(d, year_hint))
        .or_else(|| {
            // A date written elsewhere in the paragraph: "On May 5, 2024 the API ... at 10:00".
            time::scan_dates(f.text)
                .iter()
                .find_map(|d| date_of(d, year_hint))
        })
}

fn zone_in_lines<'a>(lines: impl Iterator<Item = &'a Line>) -> Option<Zone> {
    lines.into_iter().find_map(|l| find_zone(&l.text))
}

/// A zone anywhere in text, e.g. "(all times in WAT)".
pub fn find_zone(text: &str) -> Option<Zone> {
    for (i, _) in text.char_indices() {
        let prev = text[..i].chars().next_back();
        if prev.is_some_and(char::is_alphanumeric) {
            continue;
        }
        if let Some((z, _)) = time::parse_zone(&text[i..]) {
            return Some(z);
        }
    }
    None
}

/// What starts an outage, and what ends one, said just before its time: "Start Time:",
/// "started failing at about", "until it was fixed around". A few words may stand
/// between the word and the time's preposition.
static START_CUE: LazyLock<Regex> = LazyLock::new(|| {
    cue_regex(
        r"start(?:ed|s|ing)?|began|begins?|beginning|commenc\w*|since|kicked off|first (?:detected|noticed|reported)|time of start",
    )
});
static END_CUE: LazyLock<Regex> = LazyLock::new(|| {
    cue_regex(
        r"end(?:ed|s|ing)?|until|till|through|resolved|restored|recovered|fixed|mitigated|back|finish(?:ed)?|concluded|resumed|returned|resolution time|time of end",
    )
});

fn cue_regex(words: &str) -> Regex {
    let prep = r"(?:at|on|around|about|approximately|approx\.?|roughly|circa|~|by|from)";
    Regex::new(&format!(
        r"(?i)(?-u:\b)(?:{words})(?-u:\b)(?:[\s\-]+[a-z'-]+){{0,3}}?\W+{prep}(?:\W+(?:around|about|approximately|roughly|~))?\W*$|(?i)(?-u:\b)(?:{words})(?-u:\b)(?:[\s\-]+[a-z'-]+){{0,2}}?\W*$"
    ))
    .expect("cue regex")
}

/// Finds the outage's start and end among the summary's time mentions: labelled ones
/// ("Start Time:", "ended at"), else a range ("10 PM to 2 AM"), else the first time and
/// a later one plainly introduced as the end. An end is never guessed from a time that
/// merely follows ("the alert fired at 10:07").
fn window<'a>(paras: &'a [Paragraph<'a>]) -> (Option<Found<'a>>, Option<Found<'a>>) {
    let mut all: Vec<Found<'a>> = Vec::new();
    let mut ranges: Vec<(Found<'a>, Found<'a>)> = Vec::new();
    for p in paras {
        let found = |m: TimeMention| Found {
            line: p.line_at(m.span.start),
            text: &p.text,
            m,
        };
        for m in time::scan_times(&p.text) {
            all.push(found(m));
        }
        for r in time::scan_time_ranges(&p.text) {
            ranges.push((found(r.start), found(r.end)));
        }
    }
    if all.is_empty() {
        return (None, None);
    }
    let cue = |f: &Found, re: &Regex| {
        // The words before the time, with any date between label and time taken out
        // ("End Time: 03/14/2024, 12:30 PM").
        let text = f.text;
        let mut before = text[..f.m.span.start.min(text.len())].to_owned();
        for d in time::scan_dates(&before).iter().rev() {
            before.replace_range(d.span.clone(), "");
        }
        // ISO's "T" before a bare time: "End Time: T17:21".
        if before.ends_with('T')
            && !before[..before.len() - 1].ends_with(|c: char| c.is_alphanumeric())
        {
            before.pop();
        }
        let tail = &before[floor_char(&before, before.len().saturating_sub(60))..];
        // Only the clause the time is in: "... at 16:50 and stayed broken until it was
        // fixed around 18:05" gives the end its own cue.
        let tail = last_clause(tail);
        re.is_match(tail)
    };
    let same = |a: &Found, b: &Found| std::ptr::eq(a.text, b.text) && a.m.span == b.m.span;
    let labelled_start = all.iter().find(|f| cue(f, &START_CUE)).cloned();
    let labelled_end = all
        .iter()
        .filter(|f| labelled_start.as_ref().is_none_or(|s| !same(s, f)))
        .find(|f| cue(f, &END_CUE))
        .cloned();
    if let (Some(s), Some(e)) = (&labelled_start, &labelled_end) {
        return (Some(s.clone()), Some(e.clone()));
    }
    // A range, preferably the one the labelled end closes or the labelled start opens.
    let chosen = ranges
        .iter()
        .find(|(a, b)| {
            labelled_start.as_ref().is_some_and(|s| same(s, a))
                || labelled_end.as_ref().is_some_and(|e| same(e, b))
        })
        .or_else(|| ranges.iter().find(|(a, _)| !in_a_plan(a)))
        .or(ranges.first());
    if let Some((a, b)) = chosen {
        return (Some(a.clone()), Some(b.clone()));
    }
    match (labelled_start, labelled_end) {
        (Some(s), None) => {
            // A later sentence that says when service came back: "By 3:40 p.m. EAT
            // everything was back".
            let end = all
                .iter()
                .skip_while(|f| !same(f, &s))
                .skip(1)
                .find(|f| recovered_at(f))
                .cloned();
            (Some(s), end)
        }
        (None, Some(e)) => {
            let start = all
                .iter()
                .take_while(|f| !same(f, &e))
                .filter(|f| std::ptr::eq(f.text, e.text))
                .last()
                .cloned();
            (start, Some(e))
        }
        (None, None) => {
            let first = all[0].clone();
            let end = all[1..].iter().find(|f| recovered_at(f)).cloned();
            (Some(first), end)
        }
        (Some(_), Some(_)) => unreachable!("handled above"),
    }
}

/// A time in a clause that tells a plan ("a planned maintenance window from 01:00 to
/// 03:00", "the upgrade was scheduled between 2 and 4 AM"): when another range follows,
/// that one is the outage, not the window that was announced.
fn in_a_plan(f: &Found) -> bool {
    PLANNED.in_text(last_clause(&f.text[..f.m.span.start]))
}

/// Words that say an event was announced ahead of time.
static PLANNED: LazyLock<crate::words::Lexicon> =
    LazyLock::new(|| crate::words::Lexicon::list("planned, scheduled, maintenance, announced"));

/// The last clause of `text`: after its last sentence end or conjunction ("and", "but",
/// ";").
fn last_clause(text: &str) -> &str {
    // Punctuation right before the time belongs to its label ("end ? 03:10").
    let body = text.trim_end_matches(|c: char| !c.is_alphanumeric());
    let mut cut = 0;
    for (i, _) in body.match_indices([';', '.', '!', '?']) {
        // "p.m." and "a.m." are not the end of a sentence.
        let lower = text[..i].to_ascii_lowercase();
        let meridiem = lower.ends_with(".m")
            || ((lower.ends_with('a') || lower.ends_with('p'))
                && !lower[..lower.len() - 1].ends_with(|c: char| c.is_ascii_alphabetic()));
        if !meridiem {
            cut = i + 1;
        }
    }
    for w in [" and ", " but "] {
        if let Some(i) = body.rfind(w) {
            cut = cut.max(i + w.len());
        }
    }
    &text[cut..]
}

/// A time in a clause that says service came back: "by 3:40 p.m. everything was back",
/// "service was restored at 11:00".
fn recovered_at(f: &Found) -> bool {
    let text = f.text;
    let start = text[..f.m.span.start]
        .rfind(['.', ';', '!', '?'])
        .map_or(0, |i| i + 1);
    let end = text[f.m.span.end..]
        .find(['.', ';', '!', '?'])
        .map_or(text.len(), |i| f.m.span.end + i);
    let clause = &text[start..end];
    let before = &text[start..f.m.span.start];
    // "at" or "by" the time, and a recovery said of the service in the same sentence.
    let introduced = before.split_whitespace().last().is_some_and(|w| {
        matches!(
            w.to_ascii_lowercase().as_str(),
            "by" | "at" | "around" | "until"
        )
    });
    introduced && RECOVERED.in_text(clause) && !super::text::DETECTION.matches(clause)
}

/// Words that say a service is well again.
static RECOVERED: LazyLock<crate::words::Lexicon> = LazyLock::new(|| {
    crate::words::Lexicon::list(
        "restored, recovered, resolved, back, normal, fixed, operational, working again, \
         up and running, stable, mitigated, returned, resumed",
    )
});

/// The words a moment was read from: the mention itself, from the line.
fn snippet(text: &str, m: &TimeMention) -> String {
    text.get(m.span.clone()).unwrap_or(text).trim().to_owned()
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let cut: String = s.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    format!("{}…", cut.trim_end_matches([',', ';', ':', ' ']))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The outage window read from a summary, as labels ("HH:MM" or with the date).
    fn window_of(summary: &str) -> (Option<String>, Option<String>, Option<String>) {
        let text = format!("## Issue Summary\n{summary}\n\n## Timeline\n- 10:00 - alert\n");
        let doc = crate::document::Document::parse(&text, 1, true);
        let parts = doc.parts();
        let (o, _) = read(&Context::new(&doc, &parts[0]));
        let label = |m: Option<Moment>| m.map(|m| m.local.to_string().replace(' ', "T"));
        (label(o.start), label(o.end), o.timezone)
    }

    #[test]
    fn windows_written_other_than_from_to() {
        // The two ends in different clauses of a hard-wrapped paragraph.
        let (s, e, z) = window_of(
            "On 12 August 2023 checkout started failing at about 16:50 WAT\nand stayed broken until it was fixed around 18:05.",
        );
        assert_eq!(s.as_deref(), Some("2023-08-12T16:50"));
        assert_eq!(e.as_deref(), Some("2023-08-12T18:05"));
        assert_eq!(z.as_deref(), Some("WAT"));
        // The end told by a later sentence that says service came back.
        let (s, e, _) = window_of(
            "The portal went down at 2:10 p.m. EAT after a bad deploy. Students could not log in.\nBy 3:40 p.m. EAT everything was back.",
        );
        assert_eq!((s.as_deref(), e.as_deref()), (Some("14:10"), Some("15:40")));
        // "between the hours of", seconds and all.
        let (s, e, _) =
            window_of("The site was down between the hours of 09:00:00 and 11:20:45 EAT.");
        assert_eq!((s.as_deref(), e.as_deref()), (Some("09:00"), Some("11:20")));
        // Labels with a few words before the colon.
        let (s, e, _) =
            window_of("Outage start time: 10:05 UTC\nService restored fully at: 11:45 UTC");
        assert_eq!((s.as_deref(), e.as_deref()), (Some("10:05"), Some("11:45")));
    }

    #[test]
    fn people_named_by_any_agent_noun_tell_the_experience() {
        for s in [
            "Students pushed their code and the checker stayed on Queued forever.",
            "Riders saw an empty map all morning.",
            "Shop assistants kept selling jackets that were out of stock.",
        ] {
            assert!(tells_experience(s), "{s}");
        }
        for s in [
            "The disk filled with old images.",
            "A config file was overwritten during the upgrade.",
        ] {
            assert!(!tells_experience(s), "{s}");
        }
    }

    #[test]
    fn an_announced_maintenance_window_is_not_the_outage() {
        for (summary, start, end) in [
            (
                "Users were told of a planned maintenance window on 8 June 2024 from 01:00 to 03:00 UTC. The outage came later: from 06:10 to 08:30 UTC downloads failed for 35% of users.",
                "2024-06-08T06:10",
                "2024-06-08T08:30",
            ),
            (
                "The database upgrade was scheduled between 2 AM and 4 AM EAT and went fine, but between 7 AM and 9:15 AM EAT every checkout failed.",
                "07:00",
                "09:15",
            ),
            // The only range, even in a maintenance, is the window.
            (
                "During a maintenance from 22:00 to 23:30 UTC the API was down for all users.",
                "22:00",
                "23:30",
            ),
        ] {
            let (s, e, _) = window_of(summary);
            assert_eq!(
                (s.as_deref(), e.as_deref()),
                (Some(start), Some(end)),
                "{summary}"
            );
        }
    }

    #[test]
    fn a_notice_period_is_not_the_outage_length() {
        let text = "## Issue Summary\nThe provider gave a 72 hour notice before retiring the old API. Our sync job then failed for 2 hours, from 09:00 to 11:00 UTC.\n\n## Timeline\n- 09:00 - alerts\n";
        let doc = crate::document::Document::parse(text, 1, true);
        let parts = doc.parts();
        let (o, _) = read(&Context::new(&doc, &parts[0]));
        assert_eq!(o.stated_duration_minutes, Some(120));
    }

    #[test]
    fn a_detection_time_is_not_an_end() {
        let (s, e, _) = window_of(
            "The queue stopped at 09:12 UTC. The alert fired at 09:30 UTC and the team was paged.",
        );
        assert_eq!((s.as_deref(), e), (Some("09:12"), None));
    }

    #[test]
    fn truncates_at_words() {
        assert_eq!(truncate("one two three four", 9), "one two…");
        assert_eq!(truncate("short", 9), "short");
    }
}
