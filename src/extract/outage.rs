//! The outage window, its zone and duration, and the share of users affected, read
//! from the summary the way a reviewer reads it.

use super::Context;
use super::text::{EXPERIENCE, sentences};
use super::time::{self, DateMention, TimeMention, Zone};
use crate::document::{HeadingKind, Line, LineKind};
use crate::model::{Local, Moment, Outage};
use chrono::NaiveDate;
use regex::Regex;
use std::sync::LazyLock;

/// Evidence lines found while reading the summary, for the checks.
#[derive(Clone, Debug, Default)]
pub struct Evidence {
    pub percent_line: Option<u32>,
    pub experience_line: Option<u32>,
    pub duration_line: Option<u32>,
}

/// A time mention with the line it sits on and the line's text.
#[derive(Clone, Debug)]
struct Found<'a> {
    m: TimeMention,
    line: &'a Line,
}

pub fn read(ctx: &Context) -> (Outage, Evidence) {
    let region = ctx.summary_lines();
    let mut ev = Evidence::default();
    let mut outage = Outage::default();

    let year_hint = ctx.year_hint();
    let (start, end) = window(&region);
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
        let line = start
            .as_ref()
            .or(end.as_ref())
            .map(|f| f.line.text.as_str())
            .unwrap_or("");
        prefer_abbreviation(z, line)
    });

    let offset = zone.as_ref().and_then(|z| z.offset_minutes);
    if let Some(s) = &start {
        let local = local_of(s.m.time, start_date);
        outage.start = Some(Moment::new(
            local,
            offset,
            snippet(&s.line.text, &s.m),
            s.line.number,
        ));
    }
    if let Some(e) = &end {
        let own = attached_date(e, year_hint);
        let date = own.or_else(|| {
            let sd = start_date?;
            let st = start.as_ref()?.m.time;
            Some(if e.m.time < st {
                sd.succ_opt().unwrap_or(sd)
            } else {
                sd
            })
        });
        let local = local_of(e.m.time, date);
        outage.end = Some(Moment::new(
            local,
            offset,
            snippet(&e.line.text, &e.m),
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
        .filter(|(_, d)| d.minutes > 0)
        .enumerate()
        .max_by_key(|(i, (l, d))| (duration_score(l, d, window_line), std::cmp::Reverse(*i)))
        .map(|(_, found)| found);
    if let Some((l, d)) = stated {
        outage.stated_duration_minutes = Some(d.minutes);
        ev.duration_line = Some(l.number);
    }
    outage.duration_minutes = match (&outage.start, &outage.end) {
        (Some(s), Some(e)) => Some(s.local.minutes_until(e.local)),
        _ => outage.stated_duration_minutes,
    };

    // Share of users: the impact lines first, then the rest of the summary.
    let (pct, pct_line) = users_percent(&region);
    outage.users_affected_percent = pct;
    ev.percent_line = pct_line;
    ev.experience_line = region
        .iter()
        .filter(|l| l.is_content())
        .find(|l| EXPERIENCE.matches(&l.text))
        .map(|l| l.number);
    outage.service = ev
        .experience_line
        .and_then(|n| region.iter().find(|l| l.number == n))
        .and_then(|l| {
            sentences(&l.text)
                .into_iter()
                .find(|s| EXPERIENCE.matches(s))
        })
        .map(|s| truncate(s, 200));
    (outage, ev)
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
            // A date written elsewhere on the same line: "On May 5, 2024 the API ... at 10:00".
            time::scan_dates(&f.line.text)
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

static START_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:start(?:ed|ing)?(?: time| date)?|began|begin(?:ning)?|from|since|commenc\w*|outage start\w*|first (?:detected|noticed|reported))\b").unwrap()
});
static END_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:end(?:ed|ing)?(?: time| date)?|until|till|to|through|resolved|restored|recovered|fixed|back|and|ended|finish\w*|concluded|lasting until)\b|[-–—]|\bby\b").unwrap()
});

/// Finds the outage's start and end among the summary's time mentions.
fn window<'a>(region: &[&'a Line]) -> (Option<Found<'a>>, Option<Found<'a>>) {
    let mut all: Vec<Found<'a>> = Vec::new();
    for &line in region {
        if matches!(line.kind, LineKind::Code) || line.boilerplate {
            continue;
        }
        for m in time::scan_times(&line.text) {
            all.push(Found { m, line });
        }
    }
    if all.is_empty() {
        return (None, None);
    }
    // 1. Labelled lines: "Start Time: ...", "End: ...".
    let label_of = |f: &Found| -> Option<bool> {
        let before = &f.line.text[..f.m.span.start.min(f.line.text.len())];
        let lower = before.to_lowercase();
        let label = lower.trim_end_matches([' ', ':', '-', '*']).trim();
        let last_words: String = label.rsplit(['.', ';']).next().unwrap_or("").to_owned();
        let lw = last_words.trim();
        if lw.ends_with("start time")
            || lw.ends_with("start")
            || lw.ends_with("started")
            || lw.ends_with("began")
            || lw.ends_with("start date")
            || lw.ends_with("began at")
            || lw.ends_with("started at")
            || lw.ends_with("start of outage")
        {
            Some(true)
        } else if lw.ends_with("end time")
            || lw.ends_with("end")
            || lw.ends_with("ended")
            || lw.ends_with("ended at")
            || lw.ends_with("end date")
            || lw.ends_with("resolved at")
            || lw.ends_with("restored at")
            || lw.ends_with("resolution time")
            || lw.ends_with("end of outage")
            || lw.ends_with("recovered at")
        {
            Some(false)
        } else {
            None
        }
    };
    let labelled_start = all.iter().find(|f| label_of(f) == Some(true));
    let labelled_end = all.iter().find(|f| label_of(f) == Some(false));
    if labelled_start.is_some() || labelled_end.is_some() {
        return (labelled_start.cloned(), labelled_end.cloned());
    }
    // 2. A range on one line: "10:00 AM - 2:30 PM", "from 10 PM to 2 AM", "between ... and ...".
    for w in all.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        if !std::ptr::eq(a.line, b.line) {
            continue;
        }
        let between = &a.line.text[a.m.span.end.min(b.m.span.start)..b.m.span.start];
        if between.len() <= 40 && END_LABEL.is_match(between) {
            return (Some(a.clone()), Some(b.clone()));
        }
    }
    // 3. The first time, and a later one introduced as an end.
    let start = all[0].clone();
    let end = all[1..]
        .iter()
        .find(|f| {
            let before = &f.line.text[..f.m.span.start.min(f.line.text.len())];
            let tail: String = before
                .chars()
                .rev()
                .take(40)
                .collect::<String>()
                .chars()
                .rev()
                .collect();
            END_LABEL.is_match(&tail)
                && !START_LABEL.is_match(&tail[tail.len().saturating_sub(12)..])
        })
        .cloned();
    (Some(start), end)
}

/// The words a moment was read from: the mention itself, from the line.
fn snippet(text: &str, m: &TimeMention) -> String {
    text.get(m.span.clone()).unwrap_or(text).trim().to_owned()
}

static PERCENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:(\d{1,3}(?:[.,]\d+)?)\s*(?:%|percent|per cent)?\s*(?:-|–|to)\s*)?(\d{1,3}(?:[.,]\d+)?)\s*(?:%|percent\b|per cent\b)").unwrap()
});
static USER_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:users?|customers?|clients?|visitors?|requests?|traffic|subscribers?|people|members?|students?|accounts?|players?|transactions?|shoppers?|buyers?|patients?|merchants?|learners?|user ?base|audience|sessions?|logins?|orders?|callers?|employees?|staff|teachers?|viewers?|readers?|attendees?|drivers?|riders?|tenants?|sites?|websites?|pages?|api calls?|calls?)\b").unwrap()
});
static RESOURCE_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:error rate|errors? rates?|failure rate|cpu|memory|ram|disk|storage|utili[sz]ation|capacity|bandwidth|usage|load|space|battery|heap|swap|inodes?|threshold|uptime|sla|availability|coverage|discount|growth|increase|decrease|drop in (?:revenue|sales)|revenue|sales|conversion)\b").unwrap()
});
static ALL_USERS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:all (?:of )?(?:our |the |its |their )?(?:\w+ ){0,2}(?:users|customers|clients|visitors|subscribers|traffic|requests|branches|employees|members|students|staff|patients|players|shoppers)|every (?:single )?(?:user|customer|client|visitor|request|branch)|entire (?:user ?base|customer base|client base)|(?:the )?whole (?:user ?base|customer base)|no (?:one|user|customer) (?:could|was able)|nobody (?:could|was able)|none of (?:our |the )?users|(?:for|by|affecting|to) (?:anyone|everyone|everybody)|anyone (?:trying|attempting|who tried|wanting|accessing|visiting)|everyone (?:trying|attempting|who)|the (?:only|sole) (?:one |user )?affected|sole user|completely (?:inaccessible|unavailable|down) (?:to|for) (?:all )?users)").unwrap()
});
static CHANGE_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:\w+\s+)?(?:degradation|degraded|decrease|drop|increase|reduction|slowdown|loss|spike|surge|rise|decline|slower|faster|higher|lower|more|less|growth|jump)\b").unwrap()
});
static REMAINING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:the )?(?:remaining|other|rest of the) (\d{1,3}(?:\.\d+)?)\s*%").unwrap()
});
static SERVICE_SHARE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:of )?(?:the |our |its )?(?:service|platform|system|site|website|web ?app|application|app|api|servers?)\b").unwrap()
});
static FRACTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(half|a third|one third|a quarter|one quarter|two thirds|two-thirds|three quarters|three-quarters)\s+of\s+(?:our |the |all )?(?:active )?(?:users|customers|clients|visitors|requests|traffic)").unwrap()
});

/// The share of users affected, with its line. Ranges take the larger number, "all
/// users" is 100, vague words give nothing.
fn users_percent(region: &[&Line]) -> (Option<f64>, Option<u32>) {
    // Impact lines first: those under an "Impact" heading or labelled "Impact:".
    let mut ordered: Vec<&Line> = Vec::with_capacity(region.len());
    ordered.extend(
        region
            .iter()
            .copied()
            .filter(|l| l.text.to_lowercase().contains("impact")),
    );
    ordered.extend(
        region
            .iter()
            .copied()
            .filter(|l| !l.text.to_lowercase().contains("impact")),
    );
    for l in ordered
        .iter()
        .filter(|l| l.is_content() || l.heading().is_some_and(|h| h.kind == HeadingKind::Impact))
    {
        for s in sentences(&l.text) {
            if let Some(p) = percent_in(s) {
                // "70% could not log in; the remaining 30% saw slow pages": everyone.
                let rest = region
                    .iter()
                    .filter(|r| r.is_content())
                    .find_map(|r| {
                        REMAINING
                            .captures(&r.text)
                            .and_then(|c| c[1].parse::<f64>().ok())
                    })
                    .unwrap_or(0.0);
                let p = if rest > 0.0 && rest + p <= 100.5 {
                    (p + rest).min(100.0)
                } else {
                    p
                };
                return (Some(p), Some(l.number));
            }
        }
    }
    for l in ordered.iter().filter(|l| l.is_content()) {
        if ALL_USERS.is_match(&l.text) {
            return (Some(100.0), Some(l.number));
        }
        if let Some(c) = FRACTION.captures(&l.text) {
            let v = match c[1].to_lowercase().as_str() {
                "half" => 50.0,
                "a third" | "one third" => 33.3,
                "a quarter" | "one quarter" => 25.0,
                "two thirds" | "two-thirds" => 66.7,
                _ => 75.0,
            };
            return (Some(v), Some(l.number));
        }
    }
    (None, None)
}

fn percent_in(sentence: &str) -> Option<f64> {
    for c in PERCENT.captures_iter(sentence) {
        let whole = c.get(0)?;
        // Context: a few words either side of the number.
        let from = floor_char(sentence, whole.start().saturating_sub(60));
        let to = ceil_char(sentence, (whole.end() + 60).min(sentence.len()));
        let ctx = &sentence[from..to];
        let near_after =
            &sentence[whole.end()..ceil_char(sentence, (whole.end() + 30).min(sentence.len()))];
        // "a 30% drop in engagement" measures a change, not a share of users.
        if CHANGE_AFTER.is_match(&sentence[whole.end()..]) {
            continue;
        }
        let resource = RESOURCE_WORDS.is_match(near_after)
            || RESOURCE_WORDS.is_match(
                &sentence[floor_char(sentence, whole.start().saturating_sub(25))..whole.start()],
            );
        let share_of_service = SERVICE_SHARE.is_match(&sentence[whole.end()..]);
        let users = USER_WORDS.is_match(ctx) || share_of_service;
        let users_after = USER_WORDS.is_match(near_after) || share_of_service;
        if !users || (resource && !users_after) {
            continue;
        }
        let parse = |s: &str| s.replace(',', ".").parse::<f64>().ok();
        let hi = parse(&c[2])?;
        let value = match c.get(1).and_then(|m| parse(m.as_str())) {
            Some(lo) => lo.max(hi),
            None => hi,
        };
        if (0.0..=100.0).contains(&value) {
            return Some(value);
        }
    }
    None
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char(s: &str, mut i: usize) -> usize {
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
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

    #[test]
    fn percentages_need_users_nearby() {
        assert_eq!(
            percent_in("Approximately 40% of users were affected."),
            Some(40.0)
        );
        assert_eq!(
            percent_in("About 20-30% of customers saw errors"),
            Some(30.0)
        );
        assert_eq!(percent_in("CPU usage hit 100% on the database host"), None);
        assert_eq!(percent_in("users saw disk at 95% capacity"), None);
        assert_eq!(
            percent_in("It affected 12.5 percent of requests"),
            Some(12.5)
        );
    }

    #[test]
    fn truncates_at_words() {
        assert_eq!(truncate("one two three four", 9), "one two…");
        assert_eq!(truncate("short", 9), "short");
    }
}
