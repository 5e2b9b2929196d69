//! Times of day, dates, timezones and durations read out of free text.
//!
//! Postmortems are written by students, by hand, in many styles: `10:00 AM (UTC)`,
//! `2100hrs`, `8.40 AM GMT`, `August 10, 2023, 15:45 WAT`, `from 10 PM to 2 AM`,
//! `3 hours and 15 minutes`. This module turns such text into values and knows nothing
//! about sections or files; callers decide what a mention means in its context.
//!
//! Everything here works on byte offsets into the original text and only ever slices at
//! ASCII positions or at offsets that regexes returned, so any UTF-8 input is safe.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Weekday};
use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

// ---------------------------------------------------------------------------------------
// Zones
// ---------------------------------------------------------------------------------------

/// A timezone as the writer wrote it, with its UTC offset where that is unambiguous.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Zone {
    /// As written, trimmed, brackets removed: "UTC", "WAT", "GMT+1", "East Africa Time".
    pub text: String,
    /// Minutes east of UTC; `None` when unknown or ambiguous.
    pub offset_minutes: Option<i32>,
    /// Why `offset_minutes` is `None`, when there is a reason worth showing a reader.
    pub note: Option<&'static str>,
}

const NOTE_IST: &str = "IST is ambiguous: India (UTC+5:30), Ireland (UTC+1) or Israel (UTC+2)";
const NOTE_CST: &str = "CST is ambiguous: US Central (UTC-6), China (UTC+8) or Cuba (UTC-5)";
const NOTE_AST: &str = "AST is ambiguous: Atlantic (UTC-4) or Arabia (UTC+3)";
const NOTE_PACIFIC: &str = "Pacific Time is UTC-8 in winter and UTC-7 in summer: the date decides";
const NOTE_MOUNTAIN: &str =
    "Mountain Time is UTC-7 in winter and UTC-6 in summer: the date decides";
const NOTE_CENTRAL: &str = "Central Time is UTC-6 in winter and UTC-5 in summer: the date decides";
const NOTE_EASTERN: &str = "Eastern Time is UTC-5 in winter and UTC-4 in summer: the date decides";
const NOTE_DST_PLACE: &str =
    "this place observes daylight saving time: its offset depends on the date";
const NOTE_UNKNOWN_PLACE: &str = "unknown place: its UTC offset is not known";

/// Uppercase abbreviations. Only an all-uppercase word counts, so English words such as
/// "est" or "cat" never read as zones. UTC and GMT are handled separately (any case).
const ABBREVIATIONS: &[(&str, Option<i32>, Option<&str>)] = &[
    ("WAT", Some(60), None),
    ("CAT", Some(120), None),
    ("EAT", Some(180), None),
    ("SAST", Some(120), None),
    ("WAST", Some(120), None),
    ("CET", Some(60), None),
    ("CEST", Some(120), None),
    ("EET", Some(120), None),
    ("EEST", Some(180), None),
    ("WET", Some(0), None),
    ("WEST", Some(60), None),
    ("BST", Some(60), None),
    ("MSK", Some(180), None),
    ("TRT", Some(180), None),
    ("GST", Some(240), None),
    ("PKT", Some(300), None),
    ("NPT", Some(345), None),
    ("ICT", Some(420), None),
    ("WIB", Some(420), None),
    ("SGT", Some(480), None),
    ("HKT", Some(480), None),
    ("PHT", Some(480), None),
    ("MYT", Some(480), None),
    ("AWST", Some(480), None),
    ("JST", Some(540), None),
    ("KST", Some(540), None),
    ("ACST", Some(570), None),
    ("ACDT", Some(630), None),
    ("AEST", Some(600), None),
    ("AEDT", Some(660), None),
    ("NZST", Some(720), None),
    ("NZDT", Some(780), None),
    ("HST", Some(-600), None),
    ("AKST", Some(-540), None),
    ("AKDT", Some(-480), None),
    ("PST", Some(-480), None),
    ("PDT", Some(-420), None),
    ("MST", Some(-420), None),
    ("MDT", Some(-360), None),
    ("CDT", Some(-300), None),
    ("EST", Some(-300), None),
    ("EDT", Some(-240), None),
    ("NST", Some(-210), None),
    ("NDT", Some(-150), None),
    ("ADT", Some(-180), None),
    ("BRT", Some(-180), None),
    ("ART", Some(-180), None),
    ("IST", None, Some(NOTE_IST)),
    ("CST", None, Some(NOTE_CST)),
    ("AST", None, Some(NOTE_AST)),
    ("PT", None, Some(NOTE_PACIFIC)),
    ("MT", None, Some(NOTE_MOUNTAIN)),
    ("CT", None, Some(NOTE_CENTRAL)),
    ("ET", None, Some(NOTE_EASTERN)),
];

/// Zone names written out in words, matched without regard to case (longest wins).
const FULL_NAMES: &[(&str, Option<i32>, Option<&str>)] = &[
    ("coordinated universal time", Some(0), None),
    ("universal coordinated time", Some(0), None),
    ("greenwich mean time", Some(0), None),
    ("west africa standard time", Some(60), None),
    ("west african standard time", Some(60), None),
    ("west africa time", Some(60), None),
    ("west african time", Some(60), None),
    ("central africa time", Some(120), None),
    ("central african time", Some(120), None),
    ("central africa standard time", Some(120), None),
    ("east africa time", Some(180), None),
    ("east african time", Some(180), None),
    ("eastern africa time", Some(180), None),
    ("eastern african time", Some(180), None),
    ("east africa standard time", Some(180), None),
    ("east african standard time", Some(180), None),
    ("south africa standard time", Some(120), None),
    ("south african standard time", Some(120), None),
    ("south africa time", Some(120), None),
    ("south african time", Some(120), None),
    ("central european summer time", Some(120), None),
    ("central european standard time", Some(60), None),
    ("central european time", Some(60), None),
    ("eastern european summer time", Some(180), None),
    ("eastern european time", Some(120), None),
    ("western european summer time", Some(60), None),
    ("western european time", Some(0), None),
    ("british summer time", Some(60), None),
    ("india standard time", Some(330), None),
    ("indian standard time", Some(330), None),
    ("arabia standard time", Some(180), None),
    ("arabian standard time", Some(180), None),
    ("gulf standard time", Some(240), None),
    ("moscow standard time", Some(180), None),
    ("china standard time", Some(480), None),
    ("japan standard time", Some(540), None),
    ("pacific standard time", Some(-480), None),
    ("pacific daylight time", Some(-420), None),
    ("pacific time", None, Some(NOTE_PACIFIC)),
    ("mountain standard time", Some(-420), None),
    ("mountain daylight time", Some(-360), None),
    ("mountain time", None, Some(NOTE_MOUNTAIN)),
    ("central standard time", Some(-360), None),
    ("central daylight time", Some(-300), None),
    ("central time", None, Some(NOTE_CENTRAL)),
    ("eastern standard time", Some(-300), None),
    ("eastern daylight time", Some(-240), None),
    ("eastern time", None, Some(NOTE_EASTERN)),
    ("atlantic standard time", Some(-240), None),
    ("alaska standard time", Some(-540), None),
    ("hawaii standard time", Some(-600), None),
];

/// Places written as "<place> time" ("Kigali time", "Nigerian time"). `None` offsets are
/// places with daylight saving time; `resolve_zone` settles some of them from a date.
const PLACES: &[(&str, Option<i32>)] = &[
    ("lagos", Some(60)),
    ("abuja", Some(60)),
    ("nigeria", Some(60)),
    ("nigerian", Some(60)),
    ("nairobi", Some(180)),
    ("kenya", Some(180)),
    ("kenyan", Some(180)),
    ("kigali", Some(120)),
    ("rwanda", Some(120)),
    ("rwandan", Some(120)),
    ("cairo", Some(120)),
    ("egypt", Some(120)),
    ("egyptian", Some(120)),
    ("accra", Some(0)),
    ("ghana", Some(0)),
    ("ghanaian", Some(0)),
    ("casablanca", Some(60)),
    ("rabat", Some(60)),
    ("morocco", Some(60)),
    ("moroccan", Some(60)),
    ("addis ababa", Some(180)),
    ("ethiopia", Some(180)),
    ("ethiopian", Some(180)),
    ("kampala", Some(180)),
    ("uganda", Some(180)),
    ("ugandan", Some(180)),
    ("dar es salaam", Some(180)),
    ("tanzania", Some(180)),
    ("tanzanian", Some(180)),
    ("mogadishu", Some(180)),
    ("somalia", Some(180)),
    ("johannesburg", Some(120)),
    ("cape town", Some(120)),
    ("pretoria", Some(120)),
    ("lusaka", Some(120)),
    ("zambia", Some(120)),
    ("zambian", Some(120)),
    ("harare", Some(120)),
    ("zimbabwe", Some(120)),
    ("lilongwe", Some(120)),
    ("malawi", Some(120)),
    ("gaborone", Some(120)),
    ("windhoek", Some(120)),
    ("maputo", Some(120)),
    ("khartoum", Some(120)),
    ("bujumbura", Some(120)),
    ("kinshasa", Some(60)),
    ("douala", Some(60)),
    ("yaounde", Some(60)),
    ("cameroon", Some(60)),
    ("luanda", Some(60)),
    ("niamey", Some(60)),
    ("tunis", Some(60)),
    ("tunisia", Some(60)),
    ("algiers", Some(60)),
    ("algeria", Some(60)),
    ("dakar", Some(0)),
    ("senegal", Some(0)),
    ("abidjan", Some(0)),
    ("freetown", Some(0)),
    ("monrovia", Some(0)),
    ("bamako", Some(0)),
    ("dubai", Some(240)),
    ("riyadh", Some(180)),
    ("doha", Some(180)),
    ("istanbul", Some(180)),
    ("moscow", Some(180)),
    ("karachi", Some(300)),
    ("mumbai", Some(330)),
    ("new delhi", Some(330)),
    ("delhi", Some(330)),
    ("kolkata", Some(330)),
    ("dhaka", Some(360)),
    ("bangkok", Some(420)),
    ("jakarta", Some(420)),
    ("singapore", Some(480)),
    ("manila", Some(480)),
    ("beijing", Some(480)),
    ("shanghai", Some(480)),
    ("tokyo", Some(540)),
    ("seoul", Some(540)),
    ("london", None),
    ("dublin", None),
    ("lisbon", None),
    ("paris", None),
    ("berlin", None),
    ("madrid", None),
    ("rome", None),
    ("amsterdam", None),
    ("brussels", None),
    ("new york", None),
    ("toronto", None),
    ("chicago", None),
    ("denver", None),
    ("los angeles", None),
    ("san francisco", None),
    ("seattle", None),
];

/// Capitalised words that stand before "Time" in brackets without naming a place.
const NOT_PLACES: &[&str] = &[
    "local",
    "server",
    "system",
    "machine",
    "your",
    "my",
    "our",
    "their",
    "standard",
    "real",
    "same",
    "every",
    "any",
    "this",
    "that",
    "the",
    "peak",
    "down",
    "up",
    "uptime",
    "downtime",
    "response",
    "run",
    "lead",
    "wait",
    "total",
    "start",
    "end",
    "current",
    "business",
    "office",
    "working",
    "work",
    "night",
    "day",
    "morning",
    "evening",
    "afternoon",
    "estimated",
    "approximate",
    "exact",
    "actual",
    "reported",
    "detection",
    "resolution",
    "recovery",
    "outage",
    "incident",
    "event",
    "log",
    "logged",
    "build",
    "boot",
    "load",
    "query",
    "page",
    "all",
    "times",
    "approx",
];

/// How a zone is being looked for: right after a time (where `-11:00` more likely starts a
/// range than names an offset) or on its own.
#[derive(Clone, Copy)]
struct ZoneCtx {
    /// The text right after a time of day (not `parse_zone` on its own).
    after_time: bool,
    /// The time was ISO-like (`T08:19:34`, or had seconds), where `-05:00` is an offset.
    iso: bool,
}

const STANDALONE: ZoneCtx = ZoneCtx {
    after_time: false,
    iso: true,
};

/// Recognises a zone at the START of `s` (after optional spaces and one opening
/// parenthesis/bracket); returns it and the bytes consumed (including the closing bracket).
///
/// A second, offset-bearing zone right after the first (`EAT (UTC+3)`,
/// `South African Standard Time, UTC+2`) is consumed too; it fills in the offset when the
/// first zone's is unknown, while `text` stays the first zone as written.
pub fn parse_zone(s: &str) -> Option<(Zone, usize)> {
    parse_zone_ctx(s, STANDALONE)
}

fn parse_zone_ctx(s: &str, ctx: ZoneCtx) -> Option<(Zone, usize)> {
    let b = s.as_bytes();
    let mut i = skip_blanks(b, 0);
    let spaced = i > 0;
    let mut close = None;
    if let Some(&c) = b.get(i)
        && (c == b'(' || c == b'[')
    {
        close = Some(if c == b'(' { b')' } else { b']' });
        i = skip_blanks(b, i + 1);
    }
    let word_ctx = WordCtx {
        ctx,
        spaced: spaced || close.is_some(),
        bracketed: close.is_some(),
    };
    let (mut zone, len) = parse_zone_word(&s[i..], word_ctx)?;
    let mut end = i + len;
    if let Some((second, second_end)) = parse_second_zone(s, end) {
        if zone.offset_minutes.is_none() && second.offset_minutes.is_some() {
            zone.offset_minutes = second.offset_minutes;
            zone.note = None;
        }
        end = second_end;
    }
    if let Some(c) = close {
        let j = skip_blanks(b, end);
        if b.get(j) == Some(&c) {
            end = j + 1;
        }
    }
    Some((zone, end))
}

/// A zone that restates the one just read: `(UTC+3)` in brackets (any zone), or
/// `, UTC+2` / `/ GMT+1` (only zones with an explicit offset).
fn parse_second_zone(s: &str, pos: usize) -> Option<(Zone, usize)> {
    let b = s.as_bytes();
    let j = skip_blanks(b, pos);
    match b.get(j) {
        Some(&c) if c == b'(' || c == b'[' => {
            let closer = if c == b'(' { b')' } else { b']' };
            let k = skip_blanks(b, j + 1);
            let ctx = WordCtx {
                ctx: STANDALONE,
                spaced: true,
                bracketed: true,
            };
            let (zone, len) = parse_zone_word(&s[k..], ctx)?;
            let e = skip_blanks(b, k + len);
            (b.get(e) == Some(&closer)).then_some((zone, e + 1))
        }
        Some(b',' | b'/') => {
            let k = skip_blanks(b, j + 1);
            let ctx = WordCtx {
                ctx: STANDALONE,
                spaced: true,
                bracketed: false,
            };
            let (zone, len) = parse_zone_word(&s[k..], ctx)?;
            let explicit = zone.text.len() > 3 || zone.text.starts_with(['+', '-']);
            (explicit && zone.offset_minutes.is_some()).then_some((zone, k + len))
        }
        _ => None,
    }
}

#[derive(Clone, Copy)]
struct WordCtx {
    ctx: ZoneCtx,
    /// Blank or bracket between the time and the zone.
    spaced: bool,
    bracketed: bool,
}

/// A zone starting exactly at the start of `s`.
fn parse_zone_word(s: &str, wc: WordCtx) -> Option<(Zone, usize)> {
    let first = *s.as_bytes().first()?;
    if first == b'+' || first == b'-' || s.starts_with('\u{2212}') {
        return parse_numeric_offset(s, wc);
    }
    if let Some(head) = s.get(..3)
        && (head.eq_ignore_ascii_case("utc") || head.eq_ignore_ascii_case("gmt"))
    {
        // "UTCnow" is a word, not a zone.
        return (!is_word_char_at(s, 3))
            .then(|| parse_utc_offset(s, wc))
            .map(|z| {
                let len = z.text.len();
                (z, len)
            });
    }
    if let Some(found) = parse_full_name(s) {
        return Some(found);
    }
    if let Some(found) = parse_place(s, wc.bracketed) {
        return Some(found);
    }
    parse_abbreviation(s)
}

/// `+0100`, `+01:00`, `-0500`. Right after a time, `-HH:MM` is only an offset in ISO-like
/// text (`T08:19:34-05:00`): elsewhere `10:00-11:00` is a range.
fn parse_numeric_offset(s: &str, wc: WordCtx) -> Option<(Zone, usize)> {
    let b = s.as_bytes();
    let (negative, sign_len) = match b[0] {
        b'+' => (false, 1),
        b'-' => (true, 1),
        _ => (true, '\u{2212}'.len_utf8()),
    };
    let (h, m, len, colon) = read_offset_digits(b, sign_len)?;
    if wc.ctx.after_time {
        if colon && (negative && !wc.ctx.iso || wc.spaced) {
            return None;
        }
        if !colon && len != 4 {
            return None;
        }
    } else if !colon && len != 4 {
        // A lone "+1" is arithmetic, not a zone.
        return None;
    }
    let end = sign_len + len;
    let minutes = (h * 60 + m) as i32;
    Some((
        Zone {
            text: s[..end].to_string(),
            offset_minutes: Some(if negative { -minutes } else { minutes }),
            note: None,
        },
        end,
    ))
}

/// Digits of an offset after its sign: `H`, `HH`, `H:MM`, `HH:MM`, `HHMM`.
/// Returns hours, minutes, bytes read and whether a colon was used.
fn read_offset_digits(b: &[u8], start: usize) -> Option<(u32, u32, usize, bool)> {
    let run = digit_run(b, start);
    let value = |from: usize, to: usize| -> u32 {
        b[from..to]
            .iter()
            .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
    };
    let (h, m, len, colon) = match run {
        1 | 2 => {
            let h = value(start, start + run);
            let after = start + run;
            if b.get(after) == Some(&b':') && digit_run(b, after + 1) == 2 {
                (h, value(after + 1, after + 3), run + 3, true)
            } else {
                (h, 0, run, false)
            }
        }
        4 => (
            value(start, start + 2),
            value(start + 2, start + 4),
            4,
            false,
        ),
        _ => return None,
    };
    let end = start + len;
    if b.get(end).is_some_and(|c| c.is_ascii_digit())
        || (b.get(end) == Some(&b':') && b.get(end + 1).is_some_and(u8::is_ascii_digit))
    {
        return None;
    }
    (h <= 14 && m <= 59).then_some((h, m, len, colon))
}

/// `UTC`, `GMT`, `UTC+1`, `GMT +1`, `UTC-05:00`, `UTC+05:30` (UTC and GMT in any case).
fn parse_utc_offset(s: &str, wc: WordCtx) -> Zone {
    let b = s.as_bytes();
    let plain = || Zone {
        text: s[..3].to_string(),
        offset_minutes: Some(0),
        note: None,
    };
    let mut i = 3;
    let blank = b.get(i) == Some(&b' ');
    if blank {
        i += 1;
    }
    let (negative, sign_len) = match b.get(i) {
        Some(b'+') => (false, 1),
        Some(b'-') => (true, 1),
        _ if s[i.min(s.len())..].starts_with('\u{2212}') => (true, '\u{2212}'.len_utf8()),
        _ => return plain(),
    };
    // "GMT + 1": a blank after a plus sign (never after a minus, which could be a dash).
    let digits_at = if !negative && b.get(i + sign_len) == Some(&b' ') {
        i + sign_len + 1
    } else {
        i + sign_len
    };
    let Some((h, m, len, colon)) = read_offset_digits(b, digits_at) else {
        return plain();
    };
    // "10:00 UTC -11:00" more likely continues a range than names UTC-11.
    if blank && negative && colon && wc.ctx.after_time {
        return plain();
    }
    let end = digits_at + len;
    // "UTC+1h", "14:00 UTC + 1 hour later": arithmetic, not an offset.
    if is_word_char_at(s, end) || parse_hours_word(s, skip_blanks(b, end), false).is_some() {
        return plain();
    }
    let minutes = (h * 60 + m) as i32;
    Zone {
        text: s[..end].to_string(),
        offset_minutes: Some(if negative { -minutes } else { minutes }),
        note: None,
    }
}

fn parse_full_name(s: &str) -> Option<(Zone, usize)> {
    let (name, offset, note) = FULL_NAMES
        .iter()
        .filter(|(name, ..)| starts_with_words_ci(s, name))
        .max_by_key(|(name, ..)| name.len())?;
    let len = name.len();
    Some((
        Zone {
            text: s[..len].to_string(),
            offset_minutes: *offset,
            note: *note,
        },
        len,
    ))
}

/// "<place> time" / "<place> standard time"; in brackets also an unknown capitalised
/// place ("(Abuja Time)"), whose offset stays unknown.
fn parse_place(s: &str, bracketed: bool) -> Option<(Zone, usize)> {
    let known = PLACES
        .iter()
        .filter(|(name, _)| starts_with_words_ci(s, name))
        .max_by_key(|(name, _)| name.len());
    let (name_len, offset, note) = match known {
        Some((name, offset)) => (
            name.len(),
            *offset,
            offset.is_none().then_some(NOTE_DST_PLACE),
        ),
        None if bracketed => {
            let b = s.as_bytes();
            let len = b.iter().take_while(|c| c.is_ascii_alphabetic()).count();
            let word = &s[..len];
            let capitalised = len >= 3
                && b[0].is_ascii_uppercase()
                && b[1..len].iter().all(u8::is_ascii_lowercase);
            let excluded = NOT_PLACES.iter().any(|w| w.eq_ignore_ascii_case(word));
            if !capitalised || excluded {
                return None;
            }
            (len, None, Some(NOTE_UNKNOWN_PLACE))
        }
        None => return None,
    };
    let rest = &s[name_len..];
    let suffix = [" standard time", " time"]
        .into_iter()
        .find(|suffix| starts_with_words_ci(rest, suffix))?;
    let len = name_len + suffix.len();
    Some((
        Zone {
            text: s[..len].to_string(),
            offset_minutes: offset,
            note,
        },
        len,
    ))
}

fn parse_abbreviation(s: &str) -> Option<(Zone, usize)> {
    let b = s.as_bytes();
    let len = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    if !(2..=5).contains(&len) || is_word_char_at(s, len) {
        return None;
    }
    let word = &s[..len];
    let (_, offset, note) = ABBREVIATIONS.iter().find(|(abbr, ..)| *abbr == word)?;
    Some((
        Zone {
            text: word.to_string(),
            offset_minutes: *offset,
            note: *note,
        },
        len,
    ))
}

/// US (and a few European) zones whose offset follows daylight saving time.
#[derive(Clone, Copy)]
enum DstRule {
    /// US rules with the standard offset: second Sunday of March to first Sunday of November.
    Us(i32),
    /// EU rules with the standard offset: last Sunday of March to last Sunday of October.
    Eu(i32),
}

fn dst_rule(text: &str) -> Option<DstRule> {
    let lower = text.trim().to_ascii_lowercase();
    let name = lower.strip_suffix(" time").unwrap_or(&lower).trim_end();
    let rule = match name {
        "pt" | "pacific" | "los angeles" | "san francisco" | "seattle" => DstRule::Us(-480),
        "mt" | "mountain" | "denver" => DstRule::Us(-420),
        "ct" | "central" | "chicago" => DstRule::Us(-360),
        "et" | "eastern" | "new york" | "toronto" => DstRule::Us(-300),
        "london" | "dublin" | "lisbon" | "uk" => DstRule::Eu(0),
        "paris" | "berlin" | "madrid" | "rome" | "amsterdam" | "brussels" => DstRule::Eu(60),
        _ => return None,
    };
    Some(rule)
}

/// Resolves zones whose offset depends on the date (PT/Pacific Time, ET/Eastern Time, CT,
/// MT, and a few cities): US daylight saving time runs from the second Sunday of March to
/// the first Sunday of November (European cities: last Sunday of March to last Sunday of
/// October). Returns a zone with the offset filled when `date` settles it; otherwise a copy.
pub fn resolve_zone(zone: &Zone, date: Option<NaiveDate>) -> Zone {
    let (Some(date), None) = (date, zone.offset_minutes) else {
        return zone.clone();
    };
    let Some(rule) = dst_rule(&zone.text) else {
        return zone.clone();
    };
    let year = date.year();
    let (standard, dst_start, dst_end) = match rule {
        DstRule::Us(standard) => (
            standard,
            NaiveDate::from_weekday_of_month_opt(year, 3, Weekday::Sun, 2),
            NaiveDate::from_weekday_of_month_opt(year, 11, Weekday::Sun, 1),
        ),
        DstRule::Eu(standard) => (standard, last_sunday(year, 3), last_sunday(year, 10)),
    };
    let (Some(dst_start), Some(dst_end)) = (dst_start, dst_end) else {
        return zone.clone();
    };
    let summer = date >= dst_start && date < dst_end;
    Zone {
        text: zone.text.clone(),
        offset_minutes: Some(standard + if summer { 60 } else { 0 }),
        note: None,
    }
}

fn last_sunday(year: i32, month: u32) -> Option<NaiveDate> {
    NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Sun, 5)
        .or_else(|| NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Sun, 4))
}

// ---------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------

/// A date as written; the year may be missing ("August 10").
///
/// `span` covers the date as written, including a weekday in front ("Monday, March 11, 2024").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateMention {
    pub span: Range<usize>,
    pub year: Option<i32>,
    pub month: u32,
    pub day: u32,
}

impl DateMention {
    /// The calendar date, when the year was written.
    pub fn date(&self) -> Option<NaiveDate> {
        self.year.and_then(|y| self.with_year(y))
    }

    /// The calendar date in `year` (for dates written without one).
    pub fn with_year(&self, year: i32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(year, self.month, self.day)
    }

    /// The same mention moved by `days` (the year stays unknown when it was).
    fn shifted(&self, days: i64) -> Option<DateMention> {
        // A stand-in year when none was written: non-leap, unless the date needs a leap year.
        let stand_in = if (self.month, self.day) == (2, 29) {
            2000
        } else {
            2001
        };
        let moved = self
            .with_year(self.year.unwrap_or(stand_in))?
            .checked_add_signed(Duration::days(days))?;
        Some(DateMention {
            span: self.span.clone(),
            year: self.year.map(|_| moved.year()),
            month: moved.month(),
            day: moved.day(),
        })
    }
}

static MONTH_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?-u:\b)(?P<mon>[A-Za-z]{3,10})(?P<sep>\.?,?[ \t]+|)(?P<day>\d{1,2})(?:st|nd|rd|th)?(?-u:\b)(?:[,.]?[ \t]*(?P<year>\d{4})(?-u:\b))?",
    )
    .expect("valid regex")
});

static DAY_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i-u:\b)(?P<day>\d{1,2})(?i:st|nd|rd|th)?(?:[ \t]+(?:(?i:of)[ \t]+)?|(?P<dsep>[-/]))(?P<mon>[A-Za-z]{3,10})(?-u:\b)\.?(?:,?[ \t]*(?P<year>\d{4})(?-u:\b)|[-/](?P<yy>\d{4}|\d{2})(?-u:\b))?",
    )
    .expect("valid regex")
});

static COMMA_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(?P<a>\d{1,2}),[ \t]*(?P<b>\d{1,2}),[ \t]*(?P<year>\d{4})(?-u:\b)")
        .expect("valid regex")
});

static NUMERIC_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(?P<a>\d{1,4})(?P<s1>[-/.])(?P<b>\d{1,2})(?P<s2>[-/.])(?P<c>\d{1,4})")
        .expect("valid regex")
});

static WEEKDAY_ORDINAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i-u:\b)(?P<wd>[A-Za-z]{3,9})\.?,?[ \t]+(?:the[ \t]+)?(?P<day>\d{1,2})(?:st|nd|rd|th)(?-u:\b)")
        .expect("valid regex")
});

/// The month a text names on its own ("October 2023", "in March"), with its year.
fn month_named(text: &str) -> Option<(u32, Option<i32>)> {
    let mut words = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .peekable();
    while let Some(w) = words.next() {
        if w.len() < 3 || w == "may" || !w.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
            continue;
        }
        if let Some(m) = month_from_word(w) {
            let year = words
                .peek()
                .and_then(|y| y.parse::<i32>().ok())
                .filter(|y| valid_year(*y));
            return Some((m, year));
        }
    }
    None
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// The month a word names: full names, three-letter abbreviations, "sept", and common
/// misspellings ("Febrauary"). Lowercase "may" is the verb, never the month.
fn month_from_word(word: &str) -> Option<u32> {
    if word == "may" {
        return None;
    }
    let mut buf = [0u8; 10];
    let len = word.len();
    if !(3..=10).contains(&len) {
        return None;
    }
    for (dst, src) in buf.iter_mut().zip(word.bytes()) {
        *dst = src.to_ascii_lowercase();
    }
    let lower = &buf[..len];
    for (index, full) in MONTHS.iter().enumerate() {
        let full = full.as_bytes();
        let month = index as u32 + 1;
        if lower == full || lower == &full[..3] || (month == 9 && lower == b"sept") {
            return Some(month);
        }
        if len >= 5 && lower[..3] == full[..3] {
            let allowed = if full.len() >= 7 { 2 } else { 1 };
            if crate::words::edit_distance(
                std::str::from_utf8(lower).unwrap_or(""),
                std::str::from_utf8(full).unwrap_or(""),
            ) <= allowed
            {
                return Some(month);
            }
        }
    }
    None
}

/// Whether a lowercase word names a weekday or a month ("monday", "sept").
pub fn names_a_day_or_month(word: &str) -> bool {
    month_from_word(word).is_some() || WEEKDAYS.contains(&word)
}

fn days_in_month(month: u32, year: Option<i32>) -> u32 {
    match month {
        2 => match year {
            Some(y) if NaiveDate::from_ymd_opt(y, 2, 29).is_none() => 28,
            _ => 29,
        },
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn valid_year(y: i32) -> bool {
    (1900..=2099).contains(&y)
}

/// A four-digit number followed by "hrs"/"hours"/"h" is a time (`2030 hrs`), not a year.
fn followed_by_hours_word(text: &str, pos: usize) -> bool {
    let b = text.as_bytes();
    parse_hours_word(text, skip_blanks(b, pos), false).is_some()
        || parse_hours_word(text, pos, true).is_some()
}

fn make_date(
    text: &str,
    start: usize,
    day_end: usize,
    year: Option<(i32, usize)>,
    month: u32,
    day: u32,
) -> Option<DateMention> {
    let year = year.filter(|&(y, end)| valid_year(y) && !followed_by_hours_word(text, end));
    if day == 0 || day > days_in_month(month, year.map(|(y, _)| y)) {
        return None;
    }
    let end = year.map_or(day_end, |(_, end)| end);
    Some(DateMention {
        span: start..end,
        year: year.map(|(y, _)| y),
        month,
        day,
    })
}

/// A day number must not continue into a time or a decimal ("August 10:00", "May 1.5").
fn day_is_clean(text: &str, day_end: usize) -> bool {
    let b = text.as_bytes();
    !(matches!(b.get(day_end), Some(b':' | b'.' | b'/'))
        && b.get(day_end + 1).is_some_and(u8::is_ascii_digit))
}

/// Every date in `text`, in order of appearance, not overlapping.
///
/// Numeric dates with both parts ≤ 12 are read month/day (`05/04/2020` is May 4) when
/// written with `/` or `-`, as the course's writers and readers do, and day/month when
/// written with dots (`05.04.2020` is 5 April), the European habit.
pub fn scan_dates(text: &str) -> Vec<DateMention> {
    if !text.bytes().any(|b| b.is_ascii_digit()) {
        return Vec::new();
    }
    let excluded = excluded_spans(text);
    let mut found: Vec<DateMention> = Vec::new();
    let year_of = |caps: &regex::Captures| -> Option<(i32, usize)> {
        caps.name("year")
            .and_then(|m| m.as_str().parse().ok().map(|y| (y, m.end())))
    };
    for caps in MONTH_FIRST.captures_iter(text) {
        let (Some(mon), Some(day)) = (caps.name("mon"), caps.name("day")) else {
            continue;
        };
        let Some(month) = month_from_word(mon.as_str()) else {
            continue;
        };
        // "January23, 2021": without a space only a full month name counts.
        if caps.name("sep").is_some_and(|m| m.is_empty()) && mon.len() < 5 {
            continue;
        }
        if !day_is_clean(text, day.end()) {
            continue;
        }
        let day_value: u32 = day.as_str().parse().unwrap_or(0);
        // The end of the day number with its ordinal suffix.
        let day_end = text.as_bytes()[day.end()..]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .count()
            + day.end();
        let year = year_of(&caps);
        if let Some(d) = make_date(text, mon.start(), day_end, year, month, day_value) {
            found.push(d);
        }
    }
    for caps in DAY_FIRST.captures_iter(text) {
        let (Some(mon), Some(day)) = (caps.name("mon"), caps.name("day")) else {
            continue;
        };
        let Some(month) = month_from_word(mon.as_str()) else {
            continue;
        };
        if !prev_allows_number(text, day.start()) {
            continue;
        }
        let day_value: u32 = day.as_str().parse().unwrap_or(0);
        let mon_end = if text.as_bytes().get(mon.end()) == Some(&b'.') && mon.len() <= 4 {
            mon.end() + 1
        } else {
            mon.end()
        };
        // "14/Mar/2021", "14-Mar-21".
        let year = year_of(&caps).or_else(|| {
            let yy = caps.name("yy").filter(|_| caps.name("dsep").is_some())?;
            let v: i32 = yy.as_str().parse().ok()?;
            Some((if yy.len() == 2 { 2000 + v } else { v }, yy.end()))
        });
        if let Some(d) = make_date(text, day.start(), mon_end, year, month, day_value) {
            found.push(d);
        }
    }
    for caps in NUMERIC_DATE.captures_iter(text) {
        if let Some(d) = numeric_date(text, &caps) {
            found.push(d);
        }
    }
    // "03, 14, 2024": month, day and a four-digit year separated by commas.
    for caps in COMMA_DATE.captures_iter(text) {
        let (Some(a), Some(b), Some(y)) = (caps.name("a"), caps.name("b"), caps.name("year"))
        else {
            continue;
        };
        let (Ok(month), Ok(day), Ok(year)) = (
            a.as_str().parse::<u32>(),
            b.as_str().parse::<u32>(),
            y.as_str().parse::<i32>(),
        ) else {
            continue;
        };
        if (1..=12).contains(&month)
            && prev_allows_number(text, a.start())
            && let Some(d) = make_date(text, a.start(), b.end(), Some((year, y.end())), month, day)
        {
            found.push(d);
        }
    }
    // "Tue 3rd", "Friday the 6th": a weekday and an ordinal, in the month (and year) the
    // text names elsewhere ("Tue 3rd to Fri 6th (October 2023)").
    if let Some((month, year)) = month_named(text) {
        for caps in WEEKDAY_ORDINAL.captures_iter(text) {
            let (Some(w), Some(day)) = (caps.name("wd"), caps.name("day")) else {
                continue;
            };
            if !WEEKDAYS.iter().any(|x| x.eq_ignore_ascii_case(w.as_str())) {
                continue;
            }
            let end = caps.get(0).map_or(day.end(), |m| m.end());
            // "Saturday 12th August 2023" names its own month: read as such above.
            let next = text[end..]
                .trim_start_matches([' ', '\t', ','])
                .trim_start_matches("of ")
                .split(|c: char| !c.is_ascii_alphabetic())
                .next()
                .unwrap_or("");
            if month_from_word(next).is_some() {
                continue;
            }
            let day_value: u32 = day.as_str().parse().unwrap_or(0);
            if let Some(mut d) = make_date(text, w.start(), end, None, month, day_value) {
                d.year = year;
                found.push(d);
            }
        }
    }
    found.retain(|d| !overlaps_any(&excluded, &d.span));
    found.sort_by_key(|d| (d.span.start, std::cmp::Reverse(d.span.end)));
    let mut chosen: Vec<DateMention> = Vec::with_capacity(found.len());
    for d in found {
        if chosen
            .last()
            .is_none_or(|last| d.span.start >= last.span.end)
        {
            chosen.push(d);
        }
    }
    for d in &mut chosen {
        d.span.start = weekday_start(text, d.span.start);
    }
    chosen
}

/// Whether a numeric date puts its year last ("05/04/2020", "03/04/24"), so that its
/// first two numbers are a day and a month in one order or the other: one separator
/// throughout, and a two-digit year only with slashes or dashes (dots make versions:
/// "20.10.12").
fn year_last(caps: &regex::Captures) -> bool {
    match (
        caps.name("a"),
        caps.name("s1"),
        caps.name("s2"),
        caps.name("c"),
    ) {
        (Some(a), Some(s1), Some(s2), Some(c)) => {
            s1.as_str() == s2.as_str()
                && a.len() <= 2
                && (c.len() == 4 || (c.len() == 2 && s1.as_str() != "."))
        }
        _ => false,
    }
}

fn numeric_date(text: &str, caps: &regex::Captures) -> Option<DateMention> {
    let (a, s1, b, s2, c) = (
        caps.name("a")?,
        caps.name("s1")?,
        caps.name("b")?,
        caps.name("s2")?,
        caps.name("c")?,
    );
    if s1.as_str() != s2.as_str() || !prev_allows_number(text, a.start()) {
        return None;
    }
    let bytes = text.as_bytes();
    // No more digits or separators-with-digits after: "1.18.0.1", "2023-05-155".
    match bytes.get(c.end()) {
        Some(d) if d.is_ascii_digit() => return None,
        Some(b'.' | b'/' | b'-' | b':')
            if bytes.get(c.end() + 1).is_some_and(u8::is_ascii_digit) =>
        {
            return None;
        }
        Some(&l) if l.is_ascii_alphabetic() && l != b'T' => return None,
        _ => {}
    }
    let num = |m: &regex::Match| m.as_str().parse::<u32>().ok();
    let (av, bv, cv) = (num(&a)?, num(&b)?, num(&c)?);
    let (year, month, day) = if a.len() == 4 && c.len() <= 2 {
        (av as i32, bv, cv)
    } else if year_last(caps) {
        let year = if c.len() == 2 {
            2000 + cv as i32
        } else {
            cv as i32
        };
        let day_first = if av > 12 {
            true
        } else if bv > 12 {
            false
        } else if let Some(w) = weekday_in(text) {
            // A weekday written with the date settles which number is the day.
            let as_day_first = NaiveDate::from_ymd_opt(year, bv, av).map(|d| d.weekday());
            let as_month_first = NaiveDate::from_ymd_opt(year, av, bv).map(|d| d.weekday());
            if as_day_first == Some(w) && as_month_first != Some(w) {
                true
            } else if as_month_first == Some(w) {
                false
            } else {
                s1.as_str() == "."
            }
        } else {
            DOCUMENT_DAY_FIRST.get().unwrap_or(s1.as_str() == ".")
        };
        let cv = year as u32;
        if day_first {
            (cv as i32, bv, av)
        } else {
            (cv as i32, av, bv)
        }
    } else {
        return None;
    };
    if !(1..=12).contains(&month) {
        return None;
    }
    make_date(text, a.start(), c.end(), None, month, day)
        .and_then(|mut d| {
            valid_year(year).then(|| {
                d.year = Some(year);
                d
            })
        })
        .filter(|d| d.date().is_some())
}

/// The one weekday a text names, if it names exactly one.
fn weekday_in(text: &str) -> Option<chrono::Weekday> {
    let mut found = None;
    for word in text.split(|c: char| !c.is_ascii_alphabetic()) {
        if word.len() < 3 {
            continue;
        }
        let Some(i) = WEEKDAYS.iter().position(|w| w.eq_ignore_ascii_case(word)) else {
            continue;
        };
        let day = WEEKDAY_OF[i];
        if found.is_some_and(|f| f != day) {
            return None;
        }
        found = Some(day);
    }
    found
}

const WEEKDAY_OF: [chrono::Weekday; 17] = {
    use chrono::Weekday::*;
    [
        Mon, Tue, Wed, Thu, Fri, Sat, Sun, Mon, Tue, Tue, Wed, Thu, Thu, Thu, Fri, Sat, Sun,
    ]
};

const WEEKDAYS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "mon",
    "tue",
    "tues",
    "wed",
    "thu",
    "thur",
    "thurs",
    "fri",
    "sat",
    "sun",
];

/// Extends a date's start over a weekday written in front of it ("Monday, March 11").
fn weekday_start(text: &str, start: usize) -> usize {
    let before = text[..start].trim_end_matches([' ', '\t', ',']);
    let bytes = before.as_bytes();
    let word_len = bytes
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    let word_start = before.len() - word_len;
    let word = &before[word_start..];
    let boundary = !is_word_char_before(text, word_start);
    if word_len >= 3
        && boundary
        && before.len() < start
        && WEEKDAYS.iter().any(|w| w.eq_ignore_ascii_case(word))
    {
        word_start
    } else {
        start
    }
}

// ---------------------------------------------------------------------------------------
// Times
// ---------------------------------------------------------------------------------------

/// A time of day found in text, with the date and zone the text attaches to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeMention {
    /// Bytes covering the time, its meridiem and zone, and its date when the date is
    /// attached directly ("August 10, 2023, 15:45", "10:00 AM on May 15, 2023").
    pub span: Range<usize>,
    /// Local wall time, seconds dropped.
    pub time: NaiveTime,
    /// The attached date, if any (for the end of a range, the start's date, moved to the
    /// next day when the range rolls over midnight).
    pub date: Option<DateMention>,
    pub zone: Option<Zone>,
    /// AM/PM was written or propagated from the other end of a range (`noon` and
    /// `midnight` count as written).
    pub meridiem: bool,
}

impl TimeMention {
    /// Date and time together, when the date has a year.
    pub fn datetime(&self) -> Option<NaiveDateTime> {
        Some(NaiveDateTime::new(self.date.as_ref()?.date()?, self.time))
    }

    /// "YYYY-MM-DDTHH:MM" when a full date is attached, else "HH:MM" (the labels' format).
    pub fn label(&self) -> String {
        match self.datetime() {
            Some(dt) => dt.format("%Y-%m-%dT%H:%M").to_string(),
            None => self.time.format("%H:%M").to_string(),
        }
    }
}

/// Two time mentions written as one range ("10:00 AM - 2:30 PM (UTC)"), after the zone,
/// meridiem and date of each end have been shared with the other.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeRange {
    pub start: TimeMention,
    pub end: TimeMention,
}

impl TimeRange {
    /// Bytes from the start mention to the end mention.
    pub fn span(&self) -> Range<usize> {
        self.start.span.start..self.end.span.end
    }

    /// Minutes from start to end (see [`minutes_between`]).
    pub fn minutes(&self) -> Option<i64> {
        minutes_between(&self.start, &self.end)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    /// `10:00`, `9:05`, `10:30:45`
    Colon,
    /// `8.40 AM`
    Dot,
    /// `14h30`
    Letter,
    /// `2100hrs`, `1400 UTC`
    Four,
    /// `10 AM`
    Bare,
    /// `noon`, `midnight`
    Word,
}

/// A time as read, before ranges share zones, meridiems and dates.
#[derive(Clone, Debug)]
struct Raw {
    core_start: usize,
    /// End of the time with its meridiem, hours word and zone.
    end: usize,
    /// Hour as written (0..=24).
    hour: u32,
    minute: u32,
    form: Form,
    pm: Option<bool>,
    zone: Option<Zone>,
    date: Option<DateMention>,
    date_after: bool,
    span_start: usize,
    span_end: usize,
}

impl Raw {
    /// Hour and minute on the 24-hour clock (24:00 reads as 00:00).
    fn clock(&self) -> (u32, u32) {
        (to_24(self.hour, self.pm) % 24, self.minute)
    }

    /// Hour and minute for ordering within a day, where "2400 hours" ends the day.
    fn order_key(&self) -> (u32, u32) {
        (to_24(self.hour, self.pm), self.minute)
    }

    /// Whether a meridiem from the other end of a range could change this time.
    fn open_to_meridiem(&self) -> bool {
        self.pm.is_none() && self.form != Form::Word && (1..=12).contains(&self.hour)
    }

    fn next_day(&self) -> bool {
        self.hour == 24
    }
}

fn to_24(hour: u32, pm: Option<bool>) -> u32 {
    match pm {
        Some(pm) if (1..=12).contains(&hour) => hour % 12 + if pm { 12 } else { 0 },
        _ => hour,
    }
}

static NOON_MIDNIGHT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i-u:\b)(noon|midnight)(?-u:\b)").expect("valid regex"));

/// A number before "-11 AM" / "to 2400 hrs": the start of a range marked at its end.
static RANGE_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i-u:\b)(\d{1,4})[ \t]*(?:-|–|—|to)[ \t]*$").expect("valid regex")
});

static DATE_BEFORE_GAP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:T|[ \t,.;:*_]*(?:(?:at|from|between|starting|started|beginning|since|around|about|approximately|approx\.?|roughly|circa|by|@|~|-|–|—)[ \t,.;:*_]*){0,3})$",
    )
    .expect("valid regex")
});

static DATE_AFTER_GAP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^[ \t,*_]*(?:(?:on|of)[ \t*_]+)?$").expect("valid regex"));

static RANGE_GAP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^[ \t*_]*(?:-|–|—|−|~|→|⟶|->|=>|to|till|til|until|through|thru|and|up to)[ \t*_]*(?:(?:approximately|approx\.?|around|about|roughly|~)[ \t]*)?$",
    )
    .expect("valid regex")
});

/// Every time of day in `text`, in order of appearance.
///
/// Ranges share what was written once: a zone written at either end applies to both, a
/// meridiem on the end applies to the start when that keeps the order (and vice versa), a
/// date at either end applies to both, and the end moves to the next day when the range
/// rolls over midnight. Zones whose offset depends on the date (PT, Eastern Time) are
/// resolved when a dated year is attached.
pub fn scan_times(text: &str) -> Vec<TimeMention> {
    scan(text).0.clone()
}

/// Whether `text` mentions a time at all (what [`scan_times`] finds, without copying it).
pub fn has_times(text: &str) -> bool {
    !scan(text).0.is_empty()
}

/// The ranges among [`scan_times`]'s mentions ("from 10:00 PM to 2:00 AM WAT").
pub fn scan_time_ranges(text: &str) -> Vec<TimeRange> {
    let scanned = scan(text);
    let (mentions, pairs) = &*scanned;
    pairs
        .iter()
        .map(|&(a, b)| TimeRange {
            start: mentions[a].clone(),
            end: mentions[b].clone(),
        })
        .collect()
}

type Scanned = (Vec<TimeMention>, Vec<(usize, usize)>);

thread_local! {
    /// Texts already scanned on this thread: a line is read for times by the timeline,
    /// the outage window, the headline and several checks, and a scan is the dearest
    /// step of reading it.
    static SCANNED: crate::words::TextMemo<Scanned> = Default::default();
}

thread_local! {
    /// Whether the document being read writes its numeric dates day first, when it
    /// shows which; `None` leaves an ambiguous date to its separator.
    static DOCUMENT_DAY_FIRST: std::cell::Cell<Option<bool>> = const { std::cell::Cell::new(None) };
}

/// Begins reading a new document on this thread: forgets the last one's texts and
/// notes the order its numeric dates are written in, so that "12/09/2023" in a
/// document that also writes "25/09/2023", or "14h30", or "(UTC+2)", is 12 September.
pub fn begin(document: &str) {
    SCANNED.with(crate::words::TextMemo::clear);
    DOCUMENT_DAY_FIRST.set(date_order(document));
}

/// The order a document writes its numeric dates in, judged only when one of them is
/// ambiguous: by its unambiguous numeric dates, then by the conventions of its times
/// (the French-style "14h30") and zones (US zones write the month first; the rest of
/// the world, which names its zones by offset or by other abbreviations, the day).
fn date_order(text: &str) -> Option<bool> {
    if !text.contains(['/', '-', '.']) {
        return None;
    }
    let (mut day_first, mut month_first, mut ambiguous) = (0, 0, false);
    for caps in NUMERIC_DATE.captures_iter(text) {
        let (Some(a), Some(b)) = (caps.name("a"), caps.name("b")) else {
            continue;
        };
        if !year_last(&caps) {
            continue;
        }
        let (Ok(av), Ok(bv)) = (a.as_str().parse::<u32>(), b.as_str().parse::<u32>()) else {
            continue;
        };
        match (av, bv) {
            (13..=31, 1..=12) => day_first += 1,
            (1..=12, 13..=31) => month_first += 1,
            (1..=12, 1..=12) => ambiguous = true,
            _ => {}
        }
    }
    if !ambiguous {
        return None;
    }
    if day_first != month_first {
        return Some(day_first > month_first);
    }
    if H_NOTATION.is_match(text) {
        return Some(true);
    }
    let (mut us, mut elsewhere) = (0, 0);
    for caps in ZONE_AFTER_TIME.captures_iter(text) {
        let Some(zone) = caps.name("zone").and_then(|m| parse_zone(m.as_str())) else {
            continue;
        };
        let text = zone.0.text.to_ascii_uppercase();
        if US_ZONES.contains(&text.as_str()) {
            us += 1;
        } else if zone.0.offset_minutes.is_some_and(|m| m != 0) {
            elsewhere += 1;
        }
    }
    (us != elsewhere).then_some(elsewhere > us)
}

/// Times written "14h30", the way much of Europe and Africa writes them.
static H_NOTATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(?:[01]?\d|2[0-3])h[0-5]\d(?-u:\b)").expect("valid regex")
});

/// A zone written right after a time ("14:30 (UTC+2)", "9 AM PST").
static ZONE_AFTER_TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\d(?:[ \t]*[AaPp]\.?[Mm]\.?)?[ \t]*\(?(?P<zone>[A-Z][A-Za-z]{1,4}(?:[+-−]\d{1,2}(?::?\d\d)?)?)")
        .expect("valid regex")
});

/// The zones of the United States and Canada, where dates are written month first.
const US_ZONES: &[&str] = &[
    "PST", "PDT", "PT", "EST", "EDT", "ET", "CST", "CDT", "CT", "MST", "MDT", "MT", "AKST", "AKDT",
    "HST", "HAST",
];

/// [`scan_uncached`], remembered per text.
fn scan(text: &str) -> std::rc::Rc<Scanned> {
    SCANNED.with(|m| m.get_or(text, || scan_uncached(text)))
}

fn scan_uncached(text: &str) -> Scanned {
    let has_digit = text.bytes().any(|b| b.is_ascii_digit());
    if !has_digit && !TIME_WORDS.is_match(text) {
        return (Vec::new(), Vec::new());
    }
    let dates = if has_digit {
        scan_dates(text)
    } else {
        Vec::new()
    };
    let excluded = excluded_spans(text);
    let mut raws = read_cores(text, &dates, &excluded);
    if raws.is_empty() {
        return (Vec::new(), Vec::new());
    }
    attach_dates(text, &mut raws, &dates);
    let pairs = link_ranges(text, &mut raws);
    let mentions = raws.iter().map(finish).collect();
    (mentions, pairs)
}

fn finish(raw: &Raw) -> TimeMention {
    let (h, m) = raw.clock();
    let date = match (&raw.date, raw.next_day()) {
        (Some(d), true) => d.shifted(1).or_else(|| Some(d.clone())),
        (d, _) => d.clone(),
    };
    let zone = raw.zone.as_ref().map(|z| match z.offset_minutes {
        None => resolve_zone(z, date.as_ref().and_then(DateMention::date)),
        Some(_) => z.clone(),
    });
    TimeMention {
        span: raw.span_start..raw.span_end,
        time: NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN),
        date,
        zone,
        meridiem: raw.pm.is_some() || raw.form == Form::Word,
    }
}

/// Reads every time core (digits or noon/midnight) with its meridiem and zone.
fn read_cores(text: &str, dates: &[DateMention], excluded: &[Range<usize>]) -> Vec<Raw> {
    let b = text.as_bytes();
    let mut raws: Vec<Raw> = Vec::new();
    let blocked = |r: &Range<usize>| {
        overlaps_any(excluded, r) || overlaps_sorted(dates, |d| d.span.clone(), r)
    };
    let core = |raw: &Raw| raw.core_start..raw.end;
    let mut last_end = 0;
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() || (i > 0 && b[i - 1].is_ascii_digit()) || i < last_end {
            i += 1;
            continue;
        }
        if let Some(raw) = read_numeric(text, i)
            && !blocked(&(raw.core_start..raw.end))
        {
            if matches!(raw.form, Form::Bare | Form::Four)
                && let Some(start) = range_start(text, raw.form, raw.core_start, last_end)
                && !blocked(&start.range())
            {
                raws.push(start.into_raw());
            }
            last_end = raw.end;
            i = raw.end;
            raws.push(raw);
            continue;
        }
        i += 1;
    }
    if contains_ci(text, "noon") || contains_ci(text, "midnight") {
        // The times read so far, in order; of those added below, each overlaps none
        // before it, so only the last one added can overlap the next.
        let read = raws.len();
        for m in NOON_MIDNIGHT.find_iter(text) {
            let r = m.range();
            if blocked(&r)
                || overlaps_sorted(&raws[..read], core, &r)
                || raws[read..]
                    .last()
                    .is_some_and(|raw| overlaps(&core(raw), &r))
            {
                continue;
            }
            let noon = m.as_str().eq_ignore_ascii_case("noon");
            let ctx = ZoneCtx {
                after_time: true,
                iso: false,
            };
            let (zone, end) = tail_zone(text, m.end(), ctx);
            raws.push(Raw {
                core_start: m.start(),
                end,
                hour: if noon { 12 } else { 0 },
                minute: 0,
                form: Form::Word,
                pm: None,
                zone,
                date: None,
                date_after: false,
                span_start: m.start(),
                span_end: end,
            });
        }
        raws.sort_by_key(|r| r.core_start);
    }
    // Times in words: "half past eleven", "quarter to five", "ten o'clock".
    if contains_ci(text, "clock") || contains_ci(text, " past ") || contains_ci(text, "quarter to")
    {
        let read = raws.len();
        for c in WORD_TIME.captures_iter(text) {
            let whole = c.get(0).expect("match");
            let r = whole.range();
            if blocked(&r)
                || overlaps_sorted(&raws[..read], core, &r)
                || raws[read..]
                    .last()
                    .is_some_and(|raw| overlaps(&core(raw), &r))
            {
                continue;
            }
            let Some(hour) = c
                .name("hour")
                .or(c.name("hour2"))
                .and_then(|h| hour_word(h.as_str()))
            else {
                continue;
            };
            let (hour, minute) = match (
                c.name("part").map(|m| m.as_str().to_ascii_lowercase()),
                c.name("dir").map(|m| m.as_str().to_ascii_lowercase()),
            ) {
                (Some(p), Some(d)) => {
                    let m = if p == "half" { 30 } else { 15 };
                    if d == "past" {
                        (hour, m)
                    } else {
                        ((hour + 10) % 12 + 1, 60 - m)
                    }
                }
                _ => (hour, 0),
            };
            let (pm, mut end) = match parse_oclock(text, r.end).or_else(|| day_part(text, r.end)) {
                Some((pm, e)) => (pm, e),
                None => (None, r.end),
            };
            if pm.is_none()
                && let Some((is_pm, e)) =
                    parse_meridiem(text, skip_blanks_limited(text.as_bytes(), end, 1))
            {
                raws.push(word_raw(r.start, e, hour, minute, Some(is_pm), None));
                continue;
            }
            let (zone, zend) = tail_zone(
                text,
                end,
                ZoneCtx {
                    after_time: true,
                    iso: false,
                },
            );
            if zone.is_some() {
                end = zend;
            }
            raws.push(word_raw(r.start, end, hour, minute, pm, zone));
        }
        raws.sort_by_key(|r| r.core_start);
    }
    raws
}

static WORD_TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i-u:\b)(?:(?P<part>half|quarter)[ \t]+(?P<dir>past|to)[ \t]+(?P<hour>one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d{1,2})|(?P<hour2>one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)[ \t]+o['’]?clock)")
        .expect("valid regex")
});

fn hour_word(w: &str) -> Option<u32> {
    let words = [
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
        "twelve",
    ];
    words
        .iter()
        .position(|x| x.eq_ignore_ascii_case(w))
        .map(|i| i as u32 + 1)
        .or_else(|| w.parse().ok().filter(|h| (1..=12).contains(h)))
}

/// "in the morning" / "in the afternoon" / "in the evening" / "at night" at `pos`.
fn day_part(text: &str, pos: usize) -> Option<(Option<bool>, usize)> {
    let after = text[pos..].trim_start();
    let skipped = text.len() - pos - after.len();
    [
        ("in the morning", false),
        ("in the afternoon", true),
        ("in the evening", true),
        ("at night", true),
    ]
    .iter()
    .find(|(w, _)| starts_with_ci(after, w))
    .map(|(w, pm)| (Some(*pm), pos + skipped + w.len()))
}

fn word_raw(
    start: usize,
    end: usize,
    hour: u32,
    minute: u32,
    pm: Option<bool>,
    zone: Option<Zone>,
) -> Raw {
    Raw {
        core_start: start,
        end,
        hour,
        minute,
        form: Form::Bare,
        pm,
        zone,
        date: None,
        date_after: false,
        span_start: start,
        span_end: end,
    }
}

/// The start of a range whose marker is written only after its end: a bare hour
/// ("10-11 AM", "from 9 to 11 AM") or a four-digit time ("2200 to 2400 hrs").
struct RangeStart {
    start: usize,
    end: usize,
    form: Form,
    hour: u32,
    minute: u32,
}

impl RangeStart {
    fn range(&self) -> Range<usize> {
        self.start..self.end
    }

    fn into_raw(self) -> Raw {
        Raw {
            core_start: self.start,
            end: self.end,
            hour: self.hour,
            minute: self.minute,
            form: self.form,
            pm: None,
            zone: None,
            date: None,
            date_after: false,
            span_start: self.start,
            span_end: self.end,
        }
    }
}

fn range_start(text: &str, form: Form, core_start: usize, last_end: usize) -> Option<RangeStart> {
    let mut lo = core_start.saturating_sub(14).max(last_end);
    while !text.is_char_boundary(lo) {
        lo += 1;
    }
    let caps = RANGE_START.captures(&text[lo..core_start])?;
    let digits = caps.get(1)?;
    let start = lo + digits.start();
    let value: u32 = digits.as_str().parse().ok()?;
    let (hour, minute, valid) = match (form, digits.len()) {
        (Form::Bare, 1 | 2) => (value, 0, (1..=12).contains(&value)),
        (Form::Four, 4) => (
            value / 100,
            value % 100,
            value / 100 <= 23 && value % 100 <= 59,
        ),
        _ => return None,
    };
    (valid && prev_allows_number(text, start)).then_some(RangeStart {
        start,
        end: lo + digits.end(),
        form,
        hour,
        minute,
    })
}

/// Reads a time starting at the digit run at `i`.
fn read_numeric(text: &str, i: usize) -> Option<Raw> {
    let b = text.as_bytes();
    if !prev_allows_time(text, i) {
        return None;
    }
    let iso = i > 0 && b[i - 1] == b'T';
    let run = digit_run(b, i);
    let j = i + run;
    let two = |k: usize| -> Option<u32> {
        (digit_run(b, k) == 2).then(|| u32::from(b[k] - b'0') * 10 + u32::from(b[k + 1] - b'0'))
    };
    let num = |from: usize, to: usize| -> u32 {
        b[from..to]
            .iter()
            .fold(0, |acc, d| acc * 10 + u32::from(d - b'0'))
    };
    // Typed loosely: "3: 15 am" (a space after the colon), "3:AM" (no minutes). Only
    // with a meridiem or zone after it, so "step 3: 15 users" stays a number.
    let mut loose = false;
    let (form, hour, minute, mut k, seconds) = match run {
        1 | 2 => {
            let hour = num(i, j);
            match b.get(j) {
                Some(b':') if b.get(j + 1) == Some(&b' ') && two(j + 2).is_some() => {
                    loose = true;
                    (Form::Colon, hour, two(j + 2)?, j + 4, false)
                }
                Some(b':') if parse_meridiem(text, skip_blanks_limited(b, j + 1, 1)).is_some() => {
                    loose = true;
                    (Form::Colon, hour, 0, j + 1, false)
                }
                Some(&sep @ (b':' | b'.')) if two(j + 1).is_some() => {
                    let minute = two(j + 1)?;
                    let mut k = j + 3;
                    let mut seconds = false;
                    if sep == b':' && b.get(k) == Some(&b':') && two(k + 1).is_some() {
                        k += 3;
                        seconds = true;
                        if b.get(k) == Some(&b'.') && b.get(k + 1).is_some_and(u8::is_ascii_digit) {
                            k += 1 + digit_run(b, k + 1);
                        }
                    }
                    if matches!(b.get(k), Some(b':' | b'.'))
                        && b.get(k + 1).is_some_and(u8::is_ascii_digit)
                    {
                        return None;
                    }
                    let form = if sep == b':' { Form::Colon } else { Form::Dot };
                    (form, hour, minute, k, seconds)
                }
                Some(b'h' | b'H') if two(j + 1).is_some() => {
                    if is_word_char_at(text, j + 3) {
                        return None;
                    }
                    (Form::Letter, hour, two(j + 1)?, j + 3, false)
                }
                _ => (Form::Bare, hour, 0, j, false),
            }
        }
        4 => (Form::Four, num(i, i + 2), num(i + 2, i + 4), j, false),
        _ => return None,
    };
    if minute > 59 || hour > 24 || (hour == 24 && minute != 0) {
        return None;
    }
    if form != Form::Bare && b.get(k).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let mut zone = None;
    // "1400Z", "10:00:00Z"
    if matches!(form, Form::Colon | Form::Four)
        && b.get(k) == Some(&b'Z')
        && !is_word_char_at(text, k + 1)
    {
        zone = Some(Zone {
            text: "Z".to_string(),
            offset_minutes: Some(0),
            note: None,
        });
        k += 1;
    }
    let mut pm = None;
    let mut word_hour = None;
    let mut hours_word = false;
    let mut oclock = false;
    if zone.is_none() {
        let m = skip_blanks_limited(b, k, 3);
        if form != Form::Four
            && let Some((is_pm, end)) = parse_meridiem(text, m)
        {
            pm = Some(is_pm);
            k = end;
        } else if hour == 12
            && matches!(form, Form::Bare | Form::Colon)
            && minute == 0
            && let Some((noon, end)) = parse_noon_word(text, m)
        {
            word_hour = Some(if noon { 12 } else { 0 });
            k = end;
        } else if form == Form::Bare
            && let Some((is_pm, end)) = parse_oclock(text, m)
        {
            // "9 o'clock in the morning".
            pm = is_pm;
            oclock = true;
            k = end;
        } else if let Some(end) = parse_hours_word(text, m, m == k) {
            hours_word = true;
            if matches!(form, Form::Colon | Form::Dot) && is_hmm_duration(text, i, run) {
                return None;
            }
            k = end;
        }
    }
    if hours_word && matches!(form, Form::Bare) {
        return None;
    }
    if zone.is_none() {
        let ctx = ZoneCtx {
            after_time: true,
            iso: iso || seconds,
        };
        let (z, end) = tail_zone(text, k, ctx);
        if z.is_some() {
            zone = z;
            k = end;
        }
    }
    let accepted = match form {
        Form::Colon if loose => pm.is_some() || zone.is_some(),
        Form::Colon | Form::Letter => true,
        Form::Dot => pm.is_some() || zone.is_some() || hours_word,
        // "0700" is a time (no year starts with 0); "1430" is one after "at" or "from"
        // when nothing but a connector follows it.
        Form::Four => {
            hours_word
                || zone.is_some()
                || (b[i] == b'0' && !is_word_char_at(text, k))
                || (!(1900..=2099).contains(&num(i, i + 4))
                    && after_time_word(text, i)
                    && connector_or_end(text, k))
        }
        // "2pm to 5 GMT": a bare hour with a zone, at the end of a range.
        Form::Bare => {
            (pm.is_some() && (1..=12).contains(&hour))
                || word_hour.is_some()
                || (oclock && hour <= 12)
                || (zone.is_some() && hour <= 23 && after_range_connector(text, i))
        }
        Form::Word => false,
    };
    if !accepted || (pm.is_some() && hour == 24) {
        return None;
    }
    let (hour, form, pm) = match word_hour {
        Some(h) => (h, Form::Word, None),
        None => (hour, form, pm),
    };
    Some(Raw {
        core_start: i,
        end: k,
        hour,
        minute,
        form,
        pm,
        zone,
        date: None,
        date_after: false,
        span_start: i,
        span_end: k,
    })
}

/// A zone after a time: blanks, an optional comma ("9:00 AM, UTC"), then the zone.
fn tail_zone(text: &str, pos: usize, ctx: ZoneCtx) -> (Option<Zone>, usize) {
    match zone_at(text, pos, ctx) {
        // "00:30 on Monday, UTC-5": the weekday of a time does not part it from its zone.
        (None, _) => match weekday_after(text, pos) {
            Some(k) => match zone_at(text, k, ctx) {
                (Some(zone), end) => (Some(zone), end),
                (None, _) => (None, pos),
            },
            None => (None, pos),
        },
        found => found,
    }
}

/// The end of a weekday written right after a time ("on Sunday", ", Mon"), if one is.
fn weekday_after(text: &str, pos: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = skip_blanks(b, pos);
    if b.get(i) == Some(&b',') {
        i = skip_blanks(b, i + 1);
    }
    if starts_with_words_ci(&text[i..], "on") {
        i = skip_blanks(b, i + 2);
    }
    let len = text[i..]
        .bytes()
        .take_while(u8::is_ascii_alphabetic)
        .count();
    let word = &text[i..i + len];
    let dot = usize::from(len <= 4 && b.get(i + len) == Some(&b'.'));
    (len >= 3 && WEEKDAYS.iter().any(|w| w.eq_ignore_ascii_case(word))).then_some(i + len + dot)
}

/// A zone at `pos`, or after a comma there ("10:00, WAT").
fn zone_at(text: &str, pos: usize, ctx: ZoneCtx) -> (Option<Zone>, usize) {
    let b = text.as_bytes();
    let rest = &text[pos..];
    if let Some((zone, len)) = parse_zone_ctx(rest, ctx) {
        return (Some(zone), pos + len);
    }
    let j = skip_blanks(b, pos);
    if b.get(j) == Some(&b',') {
        let k = skip_blanks(b, j + 1);
        if let Some((zone, len)) = parse_zone_ctx(&text[k..], ctx)
            && !zone.text.starts_with(['+', '-'])
        {
            return (Some(zone), k + len);
        }
    }
    (None, pos)
}

/// `AM`, `am`, `a.m.`, `A.M.`, `a. m.` at `pos`; returns (is PM, end).
fn parse_meridiem(text: &str, pos: usize) -> Option<(bool, usize)> {
    let b = text.as_bytes();
    let first = b.get(pos)?.to_ascii_lowercase();
    if first != b'a' && first != b'p' {
        return None;
    }
    let mut j = pos + 1;
    let dotted = b.get(j) == Some(&b'.');
    if dotted {
        j += 1;
        if b.get(j) == Some(&b' ') {
            j += 1;
        }
    }
    if !b.get(j)?.eq_ignore_ascii_case(&b'm') {
        return None;
    }
    j += 1;
    if is_word_char_at(text, j) {
        return None;
    }
    if dotted && b.get(j) == Some(&b'.') {
        j += 1;
    }
    Some((first == b'p', j))
}

/// "o'clock", with "in the morning" / "in the afternoon" / "in the evening" / "at night"
/// after it: (whether PM, if said; end).
fn parse_oclock(text: &str, pos: usize) -> Option<(Option<bool>, usize)> {
    let rest = &text[pos..];
    let len = ["o'clock", "o’clock", "oclock"]
        .iter()
        .find(|w| starts_with_ci(rest, w))?
        .len();
    let end = pos + len;
    Some(day_part(text, end).unwrap_or((None, end)))
}

fn parse_noon_word(text: &str, pos: usize) -> Option<(bool, usize)> {
    ["noon", "midnight"].into_iter().find_map(|w| {
        let end = pos + w.len();
        (text
            .get(pos..end)
            .is_some_and(|s| s.eq_ignore_ascii_case(w))
            && !is_word_char_at(text, end))
        .then_some((w == "noon", end))
    })
}

/// `hours`, `hour`, `hrs`, `hr` (and `h` when `attached` to the digits) at `pos`.
fn parse_hours_word(text: &str, pos: usize, attached: bool) -> Option<usize> {
    ["hours", "hour", "hrs", "hr", "h"]
        .into_iter()
        .find_map(|w| {
            let end = pos + w.len();
            let matches = text
                .get(pos..end)
                .is_some_and(|s| s.eq_ignore_ascii_case(w))
                && !is_word_char_at(text, end)
                && (w != "h" || attached);
            matches.then_some(end)
        })
}

/// Whether the word before `pos` introduces a time: "at 1430", "from 0930", "by 2200".
fn after_time_word(text: &str, pos: usize) -> bool {
    let before = text[..pos].trim_end_matches([' ', '\t', '~', '(']);
    before.ends_with('@')
        || matches!(
            last_ascii_word(before).to_ascii_lowercase().as_str(),
            "at" | "from" | "between" | "by" | "until" | "till" | "to" | "and" | "around" | "since"
        )
}

/// Whether the word before `pos` ends a range's start: "to", "until", "-".
fn after_range_connector(text: &str, pos: usize) -> bool {
    let before = text[..pos].trim_end_matches([' ', '\t', '~']);
    before.ends_with(['-', '–', '—'])
        || matches!(
            last_ascii_word(before).to_ascii_lowercase().as_str(),
            "to" | "until" | "till" | "and" | "through"
        )
}

/// Whether what follows `pos` ends a time: punctuation, the end, or a range connector.
fn connector_or_end(text: &str, pos: usize) -> bool {
    let rest = text[pos..].trim_start();
    let word: String = rest
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect::<String>()
        .to_ascii_lowercase();
    word.is_empty() || matches!(word.as_str(), "to" | "and" | "until" | "till" | "through")
}

/// Whether `H:MM hours` at `start` is a duration ("1:30 hours") rather than a time
/// ("18:46 hours", "at 9:30 hrs"): a one-digit hour not introduced by a time preposition.
fn is_hmm_duration(text: &str, start: usize, hour_digits: usize) -> bool {
    if hour_digits != 1 {
        return false;
    }
    let before = text[..start].trim_end_matches([' ', '\t', '~', '@']);
    if before.len() < start && text[before.len()..start].contains('@') {
        return false;
    }
    let word = last_ascii_word(before).to_ascii_lowercase();
    !matches!(
        word.as_str(),
        "at" | "by" | "from" | "to" | "until" | "till" | "since" | "before" | "after" | "on"
    )
}

/// Attaches dates written right before a time ("August 10, 2023, 15:45", "2023-05-15T10:00",
/// "On June 9th, 2024 from 10:05 AM") or right after it ("10:00 AM on May 15, 2023").
fn attach_dates(text: &str, raws: &mut [Raw], dates: &[DateMention]) {
    if dates.is_empty() {
        return;
    }
    let mut used = vec![false; dates.len()];
    for raw in raws.iter_mut() {
        let idx = dates.partition_point(|d| d.span.end <= raw.core_start);
        if idx == 0 {
            continue;
        }
        let d = &dates[idx - 1];
        let gap = &text[d.span.end..raw.core_start];
        if gap.len() <= 40 && DATE_BEFORE_GAP.is_match(gap) {
            raw.date = Some(d.clone());
            raw.span_start = d.span.start;
            used[idx - 1] = true;
        }
    }
    // A date right after one time but right before the next belongs to the next one.
    let next_starts: Vec<usize> = raws.iter().map(|r| r.span_start).collect();
    for (n, raw) in raws.iter_mut().enumerate() {
        if raw.date.is_some() {
            continue;
        }
        let idx = dates.partition_point(|d| d.span.start < raw.end);
        let Some(d) = dates.get(idx) else { continue };
        if used[idx] || next_starts.get(n + 1).is_some_and(|&s| s < d.span.end) {
            continue;
        }
        let gap = &text[raw.end..d.span.start];
        if gap.len() <= 12 && DATE_AFTER_GAP.is_match(gap) {
            raw.date = Some(d.clone());
            raw.date_after = true;
            raw.span_end = d.span.end;
            used[idx] = true;
        }
    }
}

/// Finds pairs of neighbouring times that form a range and shares meridiem, zone and date.
fn link_ranges(text: &str, raws: &mut [Raw]) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    let mut i = 0;
    while i + 1 < raws.len() {
        let (a, b) = (&raws[i], &raws[i + 1]);
        if a.span_end > b.span_start {
            i += 1;
            continue;
        }
        // "from 21:40 on Sunday to 00:30": a weekday after the start is the start's.
        let gap_start = weekday_after(text, a.span_end)
            .filter(|&k| k <= b.span_start)
            .unwrap_or(a.span_end);
        let gap = &text[gap_start..b.span_start];
        let is_range = gap.len() <= 30
            && RANGE_GAP.is_match(gap)
            && (!gap.trim().eq_ignore_ascii_case("and") || follows_between(text, a.core_start));
        if !is_range {
            i += 1;
            continue;
        }
        let (left, right) = raws.split_at_mut(i + 1);
        share_range(&mut left[i], &mut right[0]);
        pairs.push((i, i + 1));
        i += 2;
    }
    pairs
}

/// "between 10:00 and 11:30", "between the hours of 09:00 and 11:20": "between" a few
/// words before the first time, in the same clause.
fn follows_between(text: &str, pos: usize) -> bool {
    let mut lo = pos.saturating_sub(32);
    while !text.is_char_boundary(lo) {
        lo += 1;
    }
    let before = &text[lo..pos];
    let clause = before.rsplit(['.', ';', ',', '(']).next().unwrap_or(before);
    clause
        .split_whitespace()
        .rev()
        .take(5)
        .any(|w| w.eq_ignore_ascii_case("between"))
}

fn share_range(a: &mut Raw, b: &mut Raw) {
    // Meridiem: "10:00 - 11:30 AM", "9:00 AM - 11:00".
    if a.open_to_meridiem() && b.pm.is_some() && (1..=12).contains(&b.hour) {
        let candidate = (to_24(a.hour, b.pm), a.minute);
        if candidate <= b.order_key() {
            a.pm = b.pm;
        }
    } else if b.open_to_meridiem() && a.pm.is_some() && (1..=12).contains(&a.hour) {
        let start = a.order_key();
        let same = a.pm;
        let other = a.pm.map(|pm| !pm);
        for pm in [same, other] {
            if (to_24(b.hour, pm), b.minute) >= start {
                b.pm = pm;
                break;
            }
        }
    }
    // Zone written once.
    match (&a.zone, &b.zone) {
        (None, Some(z)) => a.zone = Some(z.clone()),
        (Some(z), None) => b.zone = Some(z.clone()),
        _ => {}
    }
    // Date written once; the end rolls over midnight when it is earlier in the day.
    let rolls = b.order_key() < a.order_key();
    match (&a.date, &b.date) {
        (Some(d), None) => {
            b.date = if rolls { d.shifted(1) } else { Some(d.clone()) };
        }
        (None, Some(d)) if b.date_after => {
            // "from 10 PM to 2 AM on March 10": the trailing date is the range's date.
            a.date = Some(d.clone());
            if rolls {
                b.date = d.shifted(1);
            }
        }
        (None, Some(d)) => {
            a.date = if rolls {
                d.shifted(-1)
            } else {
                Some(d.clone())
            };
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------
// Impossible readings
// ---------------------------------------------------------------------------------------

/// A time of day or a calendar date as written that cannot be: `25:99`, `February 30`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Impossible {
    /// The text as written.
    pub written: String,
    /// Byte offset in the text scanned.
    pub at: usize,
    /// Why it cannot be, for a diagnostic: "is not a time of day".
    pub why: String,
}

static CLOCK_SHAPE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\d:.,])(\d{1,2}) ?: ?(\d{2})(?::(\d{2}))?(?-u:\b)").expect("clock regex")
});

static NAMED_DAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:([A-Z][a-z]{2,9})\.? +(\d{1,2})(?:st|nd|rd|th)?|(\d{1,2})(?:st|nd|rd|th)? +(?:of +)?([A-Z][a-z]{2,9})\b\.?)(?:,? +(\d{4}))?\b",
    )
    .expect("named-day regex")
});

static ISO_SHAPE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?-u:\b)(\d{4})-(\d{2})-(\d{2})(?-u:\b)").expect("iso regex"));

/// Times of day and dates in `text` that no clock or calendar has. A clock-shaped
/// number counts only where a time is meant: at the start of the text (a timeline
/// entry), after a word that introduces a time ("at", "from", "until"), or before a
/// meridiem or zone, so a ratio such as "a 70:30 split" is not read as one.
pub fn impossible(text: &str) -> Vec<Impossible> {
    let mut out = Vec::new();
    for c in CLOCK_SHAPE.captures_iter(text) {
        let (h, m) = (&c[1], &c[2]);
        let (Ok(hour), Ok(minute)) = (h.parse::<u32>(), m.parse::<u32>()) else {
            continue;
        };
        let second = c.get(3).and_then(|s| s.as_str().parse::<u32>().ok());
        let bad = hour > 24 || (hour == 24 && minute > 0) || minute > 59 || second > Some(59);
        let whole = c.get(1).map_or(0, |g| g.start())..c.get(0).map_or(0, |g| g.end());
        if bad && meant_as_time(text, whole.start, whole.end) {
            out.push(Impossible {
                written: text[whole.clone()].to_owned(),
                at: whole.start,
                why: "is not a time of day".into(),
            });
        }
    }
    for c in NAMED_DAY.captures_iter(text) {
        let (month_word, day) = match (c.get(1), c.get(2), c.get(3), c.get(4)) {
            (Some(m), Some(d), _, _) => (m.as_str(), d.as_str()),
            (_, _, Some(d), Some(m)) => (m.as_str(), d.as_str()),
            _ => continue,
        };
        // A number past 31 beside a month name is not a day ("in May 45 users").
        let (Some(month), Some(day)) = (
            month_from_word(month_word),
            day.parse::<u32>().ok().filter(|d| (1..=31).contains(d)),
        ) else {
            continue;
        };
        let year = c.get(5).and_then(|y| y.as_str().parse::<i32>().ok());
        let whole = c.get(0).map_or(0..0, |g| g.range());
        if let Some(why) = impossible_day(year, month, day) {
            out.push(Impossible {
                written: text[whole.clone()].trim_end_matches([',', '.']).to_owned(),
                at: whole.start,
                why,
            });
        }
    }
    for c in ISO_SHAPE.captures_iter(text) {
        let parse = |i: usize| c[i].parse::<u32>().unwrap_or(0);
        let (year, month, day) = (parse(1) as i32, parse(2), parse(3));
        let why = if !(1..=12).contains(&month) {
            Some(format!("is not a date: there is no month {month}"))
        } else {
            impossible_day(Some(year), month, day)
        };
        if let (Some(why), Some(whole)) = (why, c.get(0)) {
            out.push(Impossible {
                written: whole.as_str().to_owned(),
                at: whole.start(),
                why,
            });
        }
    }
    out.sort_by_key(|i| i.at);
    out
}

fn impossible_day(year: Option<i32>, month: u32, day: u32) -> Option<String> {
    let last = days_in_month(month, year);
    if (1..=last).contains(&day) {
        return None;
    }
    let name = MONTHS[month as usize - 1];
    let name = format!("{}{}", name[..1].to_ascii_uppercase(), &name[1..]);
    Some(match year {
        _ if day == 0 => "is not a date: days start at 1".to_owned(),
        Some(y) => format!("is not a date: {name} {y} has {last} days"),
        None => format!("is not a date: {name} has at most {last} days"),
    })
}

/// Whether a clock-shaped number at `start..end` of `text` is meant as a time of day.
fn meant_as_time(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].trim_end_matches([' ', '[', '(', '*', '-', '•', '>', '|']);
    let first = before.trim().is_empty();
    let after = text[end..].trim_start();
    let marked = parse_meridiem(text, text.len() - after.len()).is_some()
        || parse_abbreviation(after).is_some();
    let introduced = before
        .rsplit(|c: char| !c.is_alphabetic())
        .next()
        .is_some_and(|w| {
            matches!(
                w.to_lowercase().as_str(),
                "at" | "from"
                    | "to"
                    | "until"
                    | "till"
                    | "by"
                    | "since"
                    | "around"
                    | "about"
                    | "between"
                    | "and"
                    | "before"
                    | "after"
            )
        });
    first || marked || introduced
}

// ---------------------------------------------------------------------------------------
// Durations
// ---------------------------------------------------------------------------------------

/// A duration stated in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DurationMention {
    pub span: Range<usize>,
    pub minutes: i64,
}

const NUMBER_WORDS: &[(&str, u32)] = &[
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
    ("thirteen", 13),
    ("fourteen", 14),
    ("fifteen", 15),
    ("sixteen", 16),
    ("seventeen", 17),
    ("eighteen", 18),
    ("nineteen", 19),
    ("twenty", 20),
    ("thirty", 30),
    ("forty", 40),
    ("fifty", 50),
    ("sixty", 60),
    ("ninety", 90),
    ("an", 1),
    ("a", 1),
];

static DURATION: LazyLock<Regex> = LazyLock::new(|| duration_regex(r"(?i-u)\b"));

/// The same, anchored at the start and without a word boundary, for glued pieces.
static DURATION_NEXT: LazyLock<Regex> = LazyLock::new(|| duration_regex(r"(?i-u)^"));

fn duration_regex(lead: &str) -> Regex {
    let units = r"(?P<unit>weeks|week|wks|wk|days|day|d|hours|hour|hrs|hr|h|minutes|minute|mins|min|m|seconds|second|secs|sec)";
    let words = r"(?:twenty|thirty|forty|fifty|sixty)(?:[ \t-]+(?:one|two|three|four|five|six|seven|eight|nine))?|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|eleven|twelve|ninety|one|two|three|four|five|six|seven|eight|nine|ten|an|a";
    let pattern = format!(
        r"{lead}(?:(?P<hm_h>\d{{1,2}}):(?P<hm_m>[0-5]\d)[ \t]*(?:hours|hour|hrs|hr)\b|(?P<half>half)[ \t-]+(?:an?[ \t]+)?(?P<half_unit>hour|day|minute|week)\b|(?:a[ \t]+)?(?P<quarter>quarter)[ \t-]+(?:of[ \t]+)?(?:an[ \t]+)?hour\b|(?P<num>\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+|,\d{{1,2}}\b)?|{words})(?P<andhalf1>[ \t]+and[ \t]+(?:a[ \t]+)?half)?(?P<sep>[ \t]*-?[ \t]*){units}(?P<andhalf2>[ \t]+and[ \t]+a[ \t]+half)?)"
    );
    Regex::new(&pattern).expect("valid regex")
}

/// One piece of a duration: its size in seconds, the ranks of its largest and smallest
/// units (weeks 4 … seconds 0) and where it ends.
struct Piece {
    start: usize,
    end: usize,
    seconds: f64,
    rank: u8,
    last_rank: u8,
}

fn unit_of(unit: &str) -> Option<(f64, u8)> {
    let u = unit.to_ascii_lowercase();
    let found = match u.as_str() {
        "weeks" | "week" | "wks" | "wk" => (604_800.0, 4),
        "days" | "day" | "d" => (86_400.0, 3),
        "hours" | "hour" | "hrs" | "hr" | "h" => (3_600.0, 2),
        "minutes" | "minute" | "mins" | "min" | "m" => (60.0, 1),
        "seconds" | "second" | "secs" | "sec" => (1.0, 0),
        _ => return None,
    };
    Some(found)
}

fn word_number(word: &str) -> Option<f64> {
    let lower = word.to_ascii_lowercase();
    let mut total = 0u32;
    for part in lower.split([' ', '\t', '-']).filter(|p| !p.is_empty()) {
        total += NUMBER_WORDS.iter().find(|(w, _)| *w == part)?.1;
    }
    Some(f64::from(total))
}

/// Reads the next piece of a duration phrase, starting exactly at `pos` (which may be
/// glued to the previous piece: "2h30m").
fn piece_at(text: &str, pos: usize) -> Option<Piece> {
    let caps = DURATION_NEXT.captures(text.get(pos..)?)?;
    piece_from(text, &caps, pos, true)
}

/// A piece from regex captures over `text[base..]`; `chained` pieces follow another piece.
fn piece_from(text: &str, caps: &regex::Captures, base: usize, chained: bool) -> Option<Piece> {
    let whole = caps.get(0)?;
    let (start, end) = (base + whole.start(), base + whole.end());
    if let (Some(h), Some(m)) = (caps.name("hm_h"), caps.name("hm_m")) {
        let h_start = base + h.start();
        if !is_hmm_duration(text, h_start, h.len()) || !prev_allows_time(text, h_start) {
            return None;
        }
        let hours: f64 = h.as_str().parse().ok()?;
        let minutes: f64 = m.as_str().parse().ok()?;
        return Some(Piece {
            start,
            end,
            seconds: hours * 3600.0 + minutes * 60.0,
            rank: 2,
            last_rank: 1,
        });
    }
    if let Some(unit) = caps.name("half_unit") {
        let (size, rank) = unit_of(unit.as_str())?;
        return Some(Piece {
            start,
            end,
            seconds: size / 2.0,
            rank,
            last_rank: rank,
        });
    }
    if caps.name("quarter").is_some() {
        return Some(Piece {
            start,
            end,
            seconds: 900.0,
            rank: 1,
            last_rank: 1,
        });
    }
    let num = caps.name("num")?;
    let unit = caps.name("unit")?;
    let sep = caps.name("sep").map_or("", |m| m.as_str());
    let numeric = num.as_str().as_bytes()[0].is_ascii_digit();
    let unit_str = unit.as_str();
    let single = unit_str.len() == 1;
    // "2h", "30m": single-letter units only lowercase and glued to digits.
    if single && (!numeric || !sep.is_empty() || unit_str.as_bytes()[0].is_ascii_uppercase()) {
        return None;
    }
    if !numeric && sep.is_empty() {
        return None;
    }
    // After the unit: no letters ("3 months"); digits only start another piece ("2h30m").
    if let Some(c) = text[base + unit.end()..].chars().next()
        && ((c.is_alphanumeric() && !c.is_ascii_digit()) || c == '_')
    {
        return None;
    }
    if numeric && !chained && !prev_allows_number(text, base + num.start()) {
        return None;
    }
    let value = if numeric {
        let s = num.as_str();
        if s.len() > 4 && s.contains(',') {
            s.replace(',', "").parse::<f64>().ok()?
        } else {
            s.replace(',', ".").parse::<f64>().ok()?
        }
    } else {
        word_number(num.as_str())?
    };
    let half = caps.name("andhalf1").is_some() || caps.name("andhalf2").is_some();
    let (size, rank) = unit_of(unit_str)?;
    // "2100hrs", "0900 hours" are clock times (military style), not durations.
    if rank == 2 && num.len() == 4 && numeric {
        let n: u32 = num.as_str().parse().ok()?;
        if n / 100 <= 24 && n % 100 <= 59 {
            return None;
        }
    }
    Some(Piece {
        start,
        end,
        seconds: (value + if half { 0.5 } else { 0.0 }) * size,
        rank,
        last_rank: rank,
    })
}

/// Durations stated in words, one per contiguous phrase ("3 hours and 15 minutes" is one
/// mention of 195). Context such as "every 5 minutes" is the caller's to judge.
pub fn scan_durations(text: &str) -> Vec<DurationMention> {
    let has_digit = text.bytes().any(|b| b.is_ascii_digit());
    let worded = ["hour", "min", "day", "week", "sec"]
        .iter()
        .any(|w| contains_ci(text, w));
    if !has_digit && !worded {
        return Vec::new();
    }
    let excluded = excluded_spans(text);
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < text.len() {
        let Some(caps) = DURATION.captures_at(text, pos) else {
            break;
        };
        let Some(whole) = caps.get(0) else { break };
        let Some(first) = piece_from(text, &caps, 0, false) else {
            pos = next_boundary(text, whole.start());
            continue;
        };
        let mut seconds = first.seconds;
        let mut rank = first.last_rank;
        let start = first.start;
        let mut end = first.end;
        loop {
            // Joiners: "3 hours 15 minutes", "1 hour, 30 minutes", "1 day and 3 hours", "2h30m".
            let mut j = skip_blanks(b, end);
            if b.get(j) == Some(&b',') {
                j = skip_blanks(b, j + 1);
            }
            if text
                .get(j..j + 3)
                .is_some_and(|w| w.eq_ignore_ascii_case("and"))
                && matches!(b.get(j + 3), Some(b' ' | b'\t'))
            {
                j = skip_blanks(b, j + 3);
            }
            match piece_at(text, j) {
                Some(next) if next.rank < rank => {
                    seconds += next.seconds;
                    rank = next.last_rank;
                    end = next.end;
                }
                _ => break,
            }
        }
        // Digits glued on that did not read as another piece: "14h30" is a time of day.
        let glued = b.get(end).is_some_and(u8::is_ascii_digit);
        let minutes = (seconds / 60.0).round() as i64;
        // Seconds-only phrases ("13 seconds ago", "a second server") say nothing in minutes.
        if !glued && minutes > 0 && !overlaps_any(&excluded, &(start..end)) {
            out.push(DurationMention {
                span: start..end,
                minutes,
            });
        }
        pos = end.max(next_boundary(text, whole.start()));
    }
    out
}

// ---------------------------------------------------------------------------------------
// Arithmetic
// ---------------------------------------------------------------------------------------

/// Minutes from `start` to `end`.
///
/// With a date on both, the exact difference (may span days, may be negative); a missing
/// year is borrowed from the other end. Otherwise, times of day only: an end earlier than
/// the start rolls over midnight (+24h). When both zones have known offsets (after
/// [`resolve_zone`] with the dates) their difference is accounted for.
pub fn minutes_between(start: &TimeMention, end: &TimeMention) -> Option<i64> {
    let start_date = start.date.as_ref();
    let end_date = end.date.as_ref();
    let naive = |m: &TimeMention, d: Option<NaiveDate>| -> Option<i32> {
        let zone = m.zone.as_ref()?;
        resolve_zone(zone, d).offset_minutes
    };
    let dates = match (start_date, end_date) {
        (Some(s), Some(e)) => {
            let (sy, ey) = match (s.year, e.year) {
                (Some(a), Some(b)) => (a, b),
                (Some(a), None) => (a, a),
                (None, Some(b)) => (b, b),
                (None, None) => (2001, 2001),
            };
            Some((s.with_year(sy)?, e.with_year(ey)?))
        }
        _ => None,
    };
    let offsets = match (
        naive(start, dates.map(|d| d.0)),
        naive(end, dates.map(|d| d.1)),
    ) {
        (Some(a), Some(b)) => i64::from(b) - i64::from(a),
        _ => 0,
    };
    match dates {
        Some((sd, ed)) => {
            let from = NaiveDateTime::new(sd, start.time);
            let to = NaiveDateTime::new(ed, end.time);
            Some((to - from).num_minutes() - offsets)
        }
        None => {
            let minutes = |t: NaiveTime| i64::from(t.hour() * 60 + t.minute());
            Some((minutes(end.time) - minutes(start.time) - offsets).rem_euclid(1440))
        }
    }
}

// ---------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------

fn skip_blanks(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    i
}

fn skip_blanks_limited(b: &[u8], i: usize, max: usize) -> usize {
    let mut j = i;
    while j < b.len() && j - i < max && (b[j] == b' ' || b[j] == b'\t') {
        j += 1;
    }
    j
}

fn digit_run(b: &[u8], i: usize) -> usize {
    b.get(i..).map_or(0, |rest| {
        rest.iter().take_while(|c| c.is_ascii_digit()).count()
    })
}

/// Whether the character starting at byte `i` is a letter, digit or underscore.
fn is_word_char_at(text: &str, i: usize) -> bool {
    text.get(i..)
        .and_then(|s| s.chars().next())
        .is_some_and(|c| c.is_alphanumeric() || c == '_')
}

fn is_word_char_before(text: &str, i: usize) -> bool {
    text.get(..i)
        .and_then(|s| s.chars().next_back())
        .is_some_and(|c| c.is_alphanumeric() || c == '_')
}

fn next_boundary(text: &str, i: usize) -> usize {
    let mut j = i + 1;
    while j < text.len() && !text.is_char_boundary(j) {
        j += 1;
    }
    j
}

/// The run of ASCII letters at the end of `s`.
fn last_ascii_word(s: &str) -> &str {
    let len = s.bytes().rev().take_while(u8::is_ascii_alphabetic).count();
    &s[s.len() - len..]
}

/// Whether `s` starts with `words` (ASCII, any case) followed by a non-word character.
fn starts_with_words_ci(s: &str, words: &str) -> bool {
    starts_with_ci(s, words) && !is_word_char_at(s, words.len())
}

/// `s.to_ascii_lowercase().starts_with(prefix)` for a lowercase `prefix`, without
/// lowercasing the whole rest of a text at every time in it.
fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.as_bytes()
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// The words that make a time without digits ("noon", "half past ten"), found in one
/// pass.
static TIME_WORDS: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
    aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(["noon", "midnight", "clock", " past ", "quarter to"])
        .expect("a few literal words")
});

fn contains_ci(text: &str, needle: &str) -> bool {
    let n = needle.as_bytes();
    text.as_bytes()
        .windows(n.len())
        .any(|w| w.eq_ignore_ascii_case(n))
}

/// Whether the character before a number lets it start a time: not part of a word, a
/// version or address (`1.18`, `0.0.0.0:3000`), a path or URL, money or an offset.
fn prev_allows_time(text: &str, i: usize) -> bool {
    let b = text.as_bytes();
    if i == 0 {
        return true;
    }
    let before_prev_is = |f: fn(&u8) -> bool| i >= 2 && f(&b[i - 2]);
    match b[i - 1] {
        b'T' => i < 2 || b[i - 2].is_ascii_digit() || !is_word_char_before(text, i - 1),
        c if c.is_ascii_alphanumeric() => false,
        b'_' => !before_prev_is(u8::is_ascii_alphanumeric),
        b'.' | b',' | b':' => !before_prev_is(u8::is_ascii_digit),
        b'/' | b'\\' | b'$' | b'#' | b'+' | b'%' | b'^' => false,
        // "UTC-05:00" is an offset; a letter right before the dash makes a word ("x-10:00").
        b'-' => !before_prev_is(u8::is_ascii_alphabetic),
        c if c >= 0x80 => !text[..i].chars().next_back().is_some_and(|c| {
            c.is_alphanumeric() || matches!(c, '\u{2212}' | '€' | '£' | '¥' | '₦' | '₹')
        }),
        _ => true,
    }
}

/// Like [`prev_allows_time`] but for day numbers and durations, where `T` means nothing.
fn prev_allows_number(text: &str, i: usize) -> bool {
    i == 0 || (text.as_bytes()[i - 1] != b'T' && prev_allows_time(text, i))
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// Whether `r` overlaps one of `spans`, which are in order and do not overlap each other.
fn overlaps_any(spans: &[Range<usize>], r: &Range<usize>) -> bool {
    overlaps_sorted(spans, Range::clone, r)
}

/// Whether `r` overlaps the span of one of `items`, whose spans are in order and do not
/// overlap each other (so their ends are in order too): a binary search rather than a
/// walk, since a line of thousands of times asks it for each one.
fn overlaps_sorted<T>(items: &[T], span: impl Fn(&T) -> Range<usize>, r: &Range<usize>) -> bool {
    let i = items.partition_point(|t| span(t).end <= r.start);
    items.get(i).is_some_and(|t| overlaps(&span(t), r))
}

static URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(?:https?://|www\.)[^\s<>"'\)\]]+|\]\([^)\s]*\)"#).expect("valid regex")
});

/// Links and link targets, where numbers are paths and ports, not times or dates.
fn excluded_spans(text: &str) -> Vec<Range<usize>> {
    if !(text.contains("://") || contains_ci(text, "www.") || text.contains("](")) {
        return Vec::new();
    }
    URL.find_iter(text).map(|m| m.range()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impossible_times_and_dates_are_found_where_a_time_is_meant() {
        let found = |t: &str| -> Vec<String> {
            impossible(t)
                .into_iter()
                .map(|i| format!("{} {}", i.written, i.why))
                .collect()
        };
        assert_eq!(
            found("25:99 - An engineer noticed errors"),
            ["25:99 is not a time of day"]
        );
        assert_eq!(
            found("- [10:75 UTC] alert fired"),
            ["10:75 is not a time of day"]
        );
        assert_eq!(
            found("it started at 24:30 and ended at 24:00"),
            ["24:30 is not a time of day"]
        );
        assert_eq!(
            found("from 9:30 to 12:61 pm"),
            ["12:61 is not a time of day"]
        );
        assert_eq!(
            found("February 30, 2024 09:00 - alert"),
            ["February 30, 2024 is not a date: February 2024 has 29 days"]
        );
        assert_eq!(
            found("on 31st of April"),
            ["31st of April is not a date: April has at most 30 days"]
        );
        assert_eq!(
            found("on 2023-02-29 at noon"),
            ["2023-02-29 is not a date: February 2023 has 28 days"]
        );
        assert_eq!(
            found("on 2023-13-01"),
            ["2023-13-01 is not a date: there is no month 13"]
        );
        // Ratios, scores, versions and real dates are not times or dates that cannot be.
        for fine in [
            "traffic was split 70:30 between the regions",
            "10:30 - alert fired; 23:59:59 was the last write",
            "March 31, 2024 and February 29, 2024",
            "version 1.25:99 of the tool",
            "May 45 users",
        ] {
            assert!(found(fine).is_empty(), "{fine}: {:?}", found(fine));
        }
    }

    /// Labels of every time in `s` ("HH:MM" or "YYYY-MM-DDTHH:MM").
    fn labels(s: &str) -> Vec<String> {
        scan_times(s).iter().map(TimeMention::label).collect()
    }

    fn only(s: &str) -> TimeMention {
        let found = scan_times(s);
        assert_eq!(found.len(), 1, "expected one time in {s:?}, got {found:?}");
        found.into_iter().next().expect("one time")
    }

    fn zone_of(s: &str) -> (String, Option<i32>) {
        let zone = only(s).zone.unwrap_or_else(|| panic!("no zone in {s:?}"));
        (zone.text, zone.offset_minutes)
    }

    fn range(s: &str) -> TimeRange {
        let found = scan_time_ranges(s);
        assert_eq!(found.len(), 1, "expected one range in {s:?}, got {found:?}");
        found.into_iter().next().expect("one range")
    }

    fn durations(s: &str) -> Vec<i64> {
        scan_durations(s).iter().map(|d| d.minutes).collect()
    }

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    fn date_of(s: &str) -> (Option<i32>, u32, u32) {
        let found = scan_dates(s);
        assert_eq!(found.len(), 1, "expected one date in {s:?}, got {found:?}");
        (found[0].year, found[0].month, found[0].day)
    }

    #[test]
    fn twelve_hour_clock() {
        for s in [
            "10:00 AM",
            "10:00AM",
            "10:00 am",
            "10:00 a.m.",
            "10 AM",
            "10am",
            "10 A.M.",
        ] {
            let t = only(s);
            assert_eq!(t.label(), "10:00", "{s}");
            assert!(t.meridiem, "{s}");
            assert_eq!(t.span, 0..s.len(), "{s}");
        }
        assert_eq!(labels("12:00 AM"), ["00:00"]);
        assert_eq!(labels("12 PM"), ["12:00"]);
        assert_eq!(labels("12:30 am"), ["00:30"]);
        assert_eq!(labels("3:45 PM"), ["15:45"]);
        assert_eq!(labels("7:30pm"), ["19:30"]);
        assert_eq!(labels("6PM"), ["18:00"]);
        assert_eq!(labels("2:30 p.m."), ["14:30"]);
        assert_eq!(labels("14:15pm"), ["14:15"]);
    }

    #[test]
    fn twenty_four_hour_clock() {
        assert_eq!(labels("00:00"), ["00:00"]);
        assert_eq!(labels("9:05"), ["09:05"]);
        assert_eq!(labels("at 10:30:45 the job ran"), ["10:30"]);
        assert!(!only("13:00").meridiem);
        assert_eq!(labels("23:59 and 24:00"), ["23:59", "00:00"]);
        assert!(labels("24:30 25:00 10:60").is_empty());
    }

    #[test]
    fn dot_form_needs_a_marker() {
        assert_eq!(labels("8.40 AM"), ["08:40"]);
        assert_eq!(labels("8.40am"), ["08:40"]);
        assert_eq!(labels("15.25 PST"), ["15:25"]);
        assert_eq!(labels("20.45 hrs"), ["20:45"]);
        assert!(labels("costs 8.40 dollars").is_empty());
        assert!(labels("8.40").is_empty());
    }

    #[test]
    fn four_digit_form() {
        assert_eq!(labels("2100hrs"), ["21:00"]);
        assert_eq!(labels("2100 hrs"), ["21:00"]);
        assert_eq!(labels("0900 hours"), ["09:00"]);
        assert_eq!(labels("1400 UTC"), ["14:00"]);
        assert_eq!(labels("1400Z"), ["14:00"]);
        assert_eq!(labels("1400h"), ["14:00"]);
        assert!(labels("2460 hrs 1299 hours").is_empty());
        assert!(labels("port 8080 and 1400 users").is_empty());
        let t = only("1100 hours (West Africa Time)");
        assert_eq!(t.zone.map(|z| z.offset_minutes), Some(Some(60)));
    }

    #[test]
    fn letter_h_form() {
        assert_eq!(labels("14h30"), ["14:30"]);
        assert_eq!(labels("14H30"), ["14:30"]);
        assert!(labels("2h30m").is_empty());
    }

    #[test]
    fn noon_and_midnight() {
        assert_eq!(labels("at midnight"), ["00:00"]);
        assert_eq!(labels("around noon"), ["12:00"]);
        assert_eq!(labels("12 noon"), ["12:00"]);
        assert_eq!(labels("12:00 midnight"), ["00:00"]);
        assert!(labels("in the afternoon").is_empty());
        assert!(labels("nothing here").is_empty());
        let t = only("at midnight (PST)");
        assert!(t.meridiem);
        assert_eq!(t.zone.map(|z| z.text), Some("PST".to_string()));
    }

    #[test]
    fn zones_after_times() {
        assert_eq!(zone_of("14:30 UTC"), ("UTC".into(), Some(0)));
        assert_eq!(zone_of("10:00 AM (UTC)"), ("UTC".into(), Some(0)));
        assert_eq!(zone_of("10:00 AM [WAT]"), ("WAT".into(), Some(60)));
        assert_eq!(zone_of("15:45 WAT"), ("WAT".into(), Some(60)));
        assert_eq!(zone_of("8:00 PM GMT+1"), ("GMT+1".into(), Some(60)));
        assert_eq!(zone_of("09:00 UTC-5"), ("UTC-5".into(), Some(-300)));
        assert_eq!(zone_of("10:00 UTC+01:00"), ("UTC+01:00".into(), Some(60)));
        assert_eq!(zone_of("10:00 UTC+05:30"), ("UTC+05:30".into(), Some(330)));
        assert_eq!(zone_of("10:00 +0100"), ("+0100".into(), Some(60)));
        assert_eq!(zone_of("T08:19:34+0100"), ("+0100".into(), Some(60)));
        assert_eq!(
            zone_of("2023-05-15T10:00:00-05:00"),
            ("-05:00".into(), Some(-300))
        );
        assert_eq!(
            zone_of("11:00 East Africa Time"),
            ("East Africa Time".into(), Some(180))
        );
        assert_eq!(zone_of("9 AM Pacific Time"), ("Pacific Time".into(), None));
        assert_eq!(zone_of("10:00 AM EAT (UTC+3)"), ("EAT".into(), Some(180)));
        assert_eq!(zone_of("3pm PST"), ("PST".into(), Some(-480)));
        assert_eq!(zone_of("13:00 GMT"), ("GMT".into(), Some(0)));
        assert_eq!(zone_of("13:00 gmt"), ("gmt".into(), Some(0)));
        assert_eq!(zone_of("10:00Z"), ("Z".into(), Some(0)));
        assert_eq!(zone_of("4:00 GMT + 1"), ("GMT + 1".into(), Some(60)));
        assert_eq!(
            zone_of("3:45 PM (Kigali Time)"),
            ("Kigali Time".into(), Some(120))
        );
        assert_eq!(
            zone_of("3:00 PM Eastern time"),
            ("Eastern time".into(), None)
        );
        assert_eq!(zone_of("9:00 AM, UTC"), ("UTC".into(), Some(0)));
        assert_eq!(
            zone_of("12:30 PM (South African Standard Time, UTC+2)"),
            ("South African Standard Time".into(), Some(120))
        );
        assert_eq!(zone_of("7:30 pm (CST)"), ("CST".into(), None));
        assert_eq!(zone_of("7:30 pm IST (UTC+5:30)"), ("IST".into(), Some(330)));
    }

    #[test]
    fn words_that_only_look_like_zones() {
        for s in [
            "10:00 CATastrophe",
            "10:00 ESTimate",
            "10:00 UTCnow",
            "10:00 est",
            "10:00 cat",
        ] {
            assert_eq!(only(s).zone, None, "{s}");
        }
        assert_eq!(only("10:00 ETA").zone, None);
        assert_eq!(only("10:00 (Local Time)").zone, None);
        assert_eq!(only("10:00 The team").zone, None);
        // A dash after a time starts a range, not a negative offset.
        assert_eq!(scan_times("10:00-11:00").len(), 2);
        assert_eq!(scan_times("10:00 UTC -11:00 UTC").len(), 2);
    }

    #[test]
    fn parse_zone_on_its_own() {
        let p = |s: &str| parse_zone(s).map(|(z, n)| (z.text, z.offset_minutes, n));
        assert_eq!(p("UTC"), Some(("UTC".into(), Some(0), 3)));
        assert_eq!(p("  (UTC+3) rest"), Some(("UTC+3".into(), Some(180), 9)));
        assert_eq!(p("[WAT]"), Some(("WAT".into(), Some(60), 5)));
        assert_eq!(p("GMT +1"), Some(("GMT +1".into(), Some(60), 6)));
        assert_eq!(p("GMT-05:00"), Some(("GMT-05:00".into(), Some(-300), 9)));
        assert_eq!(p("UTC+0"), Some(("UTC+0".into(), Some(0), 5)));
        assert_eq!(p("UTC +3"), Some(("UTC +3".into(), Some(180), 6)));
        assert_eq!(p("+0100"), Some(("+0100".into(), Some(60), 5)));
        assert_eq!(p("+01:00"), Some(("+01:00".into(), Some(60), 6)));
        assert_eq!(p("-0530"), Some(("-0530".into(), Some(-330), 5)));
        assert_eq!(p("+1"), None);
        assert_eq!(
            p("East African Time"),
            Some(("East African Time".into(), Some(180), 17))
        );
        assert_eq!(
            p("Central African Time"),
            Some(("Central African Time".into(), Some(120), 20))
        );
        assert_eq!(
            p("West Africa Time"),
            Some(("West Africa Time".into(), Some(60), 16))
        );
        assert_eq!(
            p("South Africa Standard Time"),
            Some(("South Africa Standard Time".into(), Some(120), 26))
        );
        assert_eq!(
            p("Coordinated Universal Time"),
            Some(("Coordinated Universal Time".into(), Some(0), 26))
        );
        assert_eq!(
            p("Greenwich Mean Time"),
            Some(("Greenwich Mean Time".into(), Some(0), 19))
        );
        assert_eq!(
            p("Pacific Standard Time"),
            Some(("Pacific Standard Time".into(), Some(-480), 21))
        );
        assert_eq!(
            p("Eastern Standard Time"),
            Some(("Eastern Standard Time".into(), Some(-300), 21))
        );
        assert_eq!(
            p("Central European Time"),
            Some(("Central European Time".into(), Some(60), 21))
        );
        assert_eq!(p("Lagos time"), Some(("Lagos time".into(), Some(60), 10)));
        assert_eq!(
            p("Nairobi Time"),
            Some(("Nairobi Time".into(), Some(180), 12))
        );
        assert_eq!(p("Accra time"), Some(("Accra time".into(), Some(0), 10)));
        assert_eq!(
            p("Casablanca time"),
            Some(("Casablanca time".into(), Some(60), 15))
        );
        assert_eq!(p("Cairo time"), Some(("Cairo time".into(), Some(120), 10)));
        assert_eq!(p("London time").map(|z| z.1), Some(None));
        assert_eq!(
            p("(Abuja Time)").map(|z| (z.0, z.1)),
            Some(("Abuja Time".into(), Some(60)))
        );
        assert_eq!(
            p("(Bamenda Time)").map(|z| (z.0, z.1)),
            Some(("Bamenda Time".into(), None))
        );
        assert_eq!(p("Bamenda Time"), None);
        assert_eq!(p("(Local Time)"), None);
        for (abbr, offset) in [
            ("WAT", 60),
            ("CAT", 120),
            ("EAT", 180),
            ("SAST", 120),
            ("CEST", 120),
            ("BST", 60),
            ("NPT", 345),
            ("ACST", 570),
            ("NZDT", 780),
            ("HST", -600),
            ("AKDT", -480),
            ("PDT", -420),
            ("MDT", -360),
            ("CDT", -300),
            ("EDT", -240),
            ("NST", -210),
            ("ART", -180),
        ] {
            assert_eq!(
                p(abbr),
                Some((abbr.into(), Some(offset), abbr.len())),
                "{abbr}"
            );
        }
        for ambiguous in ["IST", "CST", "AST", "PT", "ET", "CT", "MT"] {
            let (zone, _) = parse_zone(ambiguous).expect("zone");
            assert_eq!(zone.offset_minutes, None, "{ambiguous}");
            assert!(zone.note.is_some(), "{ambiguous}");
        }
        assert!(
            parse_zone("IST")
                .and_then(|z| z.0.note)
                .is_some_and(|n| n.contains("India"))
        );
        for not_zone in [
            "est",
            "cat",
            "Est",
            "CATastrophe",
            "ESTimate",
            "UTCnow",
            "ETA",
            "hello",
            "",
        ] {
            assert_eq!(parse_zone(not_zone), None, "{not_zone}");
        }
    }

    #[test]
    fn resolve_zone_by_date() {
        let pt = parse_zone("PT").expect("zone").0;
        assert_eq!(
            resolve_zone(&pt, Some(ymd(2024, 1, 15))).offset_minutes,
            Some(-480)
        );
        assert_eq!(
            resolve_zone(&pt, Some(ymd(2024, 7, 15))).offset_minutes,
            Some(-420)
        );
        assert_eq!(resolve_zone(&pt, None).offset_minutes, None);
        // 2024: DST from 10 March to 3 November.
        assert_eq!(
            resolve_zone(&pt, Some(ymd(2024, 3, 9))).offset_minutes,
            Some(-480)
        );
        assert_eq!(
            resolve_zone(&pt, Some(ymd(2024, 3, 10))).offset_minutes,
            Some(-420)
        );
        assert_eq!(
            resolve_zone(&pt, Some(ymd(2024, 11, 2))).offset_minutes,
            Some(-420)
        );
        assert_eq!(
            resolve_zone(&pt, Some(ymd(2024, 11, 3))).offset_minutes,
            Some(-480)
        );
        let et = parse_zone("Eastern Time").expect("zone").0;
        assert_eq!(
            resolve_zone(&et, Some(ymd(2023, 6, 1))).offset_minutes,
            Some(-240)
        );
        assert_eq!(
            resolve_zone(&et, Some(ymd(2023, 12, 1))).offset_minutes,
            Some(-300)
        );
        let ct = parse_zone("CT").expect("zone").0;
        assert_eq!(
            resolve_zone(&ct, Some(ymd(2023, 12, 1))).offset_minutes,
            Some(-360)
        );
        let mt = parse_zone("Mountain time").expect("zone").0;
        assert_eq!(
            resolve_zone(&mt, Some(ymd(2023, 8, 1))).offset_minutes,
            Some(-360)
        );
        let london = parse_zone("London time").expect("zone").0;
        assert_eq!(
            resolve_zone(&london, Some(ymd(2023, 8, 1))).offset_minutes,
            Some(60)
        );
        assert_eq!(
            resolve_zone(&london, Some(ymd(2023, 1, 1))).offset_minutes,
            Some(0)
        );
        // Fixed and ambiguous zones stay as they are.
        let pst = parse_zone("PST").expect("zone").0;
        assert_eq!(resolve_zone(&pst, Some(ymd(2023, 7, 1))), pst);
        let cst = parse_zone("CST").expect("zone").0;
        assert_eq!(resolve_zone(&cst, Some(ymd(2023, 7, 1))), cst);
        // scan_times resolves with an attached dated year.
        let t = only("July 4, 2023, 9 AM PT");
        assert_eq!(t.zone.and_then(|z| z.offset_minutes), Some(-420));
    }

    #[test]
    fn standalone_dates() {
        assert_eq!(date_of("2023-05-15"), (Some(2023), 5, 15));
        assert_eq!(date_of("May 15, 2023"), (Some(2023), 5, 15));
        assert_eq!(date_of("May 15th 2023"), (Some(2023), 5, 15));
        assert_eq!(date_of("15 May 2023"), (Some(2023), 5, 15));
        assert_eq!(date_of("15th of May, 2023"), (Some(2023), 5, 15));
        assert_eq!(date_of("Sept 5, 2023"), (Some(2023), 9, 5));
        assert_eq!(date_of("Sep. 5"), (None, 9, 5));
        assert_eq!(date_of("August 10"), (None, 8, 10));
        assert_eq!(date_of("15/05/2023"), (Some(2023), 5, 15));
        assert_eq!(date_of("05/15/2023"), (Some(2023), 5, 15));
        assert_eq!(date_of("2023/05/15"), (Some(2023), 5, 15));
        assert_eq!(date_of("15.05.2023"), (Some(2023), 5, 15));
        assert_eq!(date_of("29 april 2022"), (Some(2022), 4, 29));
        assert_eq!(date_of("Oct 22rd 2022"), (Some(2022), 10, 22));
        assert_eq!(date_of("Febrauary 14th, 2024."), (Some(2024), 2, 14));
        assert_eq!(date_of("Novemeber 8th, 2023"), (Some(2023), 11, 8));
        assert_eq!(date_of("20th December, 2023"), (Some(2023), 12, 20));
        assert_eq!(date_of("8/23/2023"), (Some(2023), 8, 23));
        assert_eq!(date_of("Thur 2023-11-09"), (Some(2023), 11, 9));
    }

    #[test]
    fn ambiguous_numeric_dates() {
        // Slashes and dashes: month/day, as in this course's postmortems.
        assert_eq!(date_of("05/04/2020"), (Some(2020), 5, 4));
        assert_eq!(date_of("04-12-2022"), (Some(2022), 4, 12));
        // Dots: day/month, the European habit.
        assert_eq!(date_of("05.04.2020"), (Some(2020), 4, 5));
    }

    #[test]
    fn the_document_settles_the_order_of_an_ambiguous_date() {
        let read = |document: &str, line: &str| {
            begin(&format!("{document}\n{line}"));
            let d = scan_dates(line).into_iter().next().expect("a date");
            begin("");
            (d.month, d.day)
        };
        let line = "Down since 04/07/2024.";
        // Its other numeric dates say which number is the day.
        assert_eq!(read("Fixed on 19/07/2024.", line), (7, 4));
        assert_eq!(read("Fixed on 07/19/2024.", line), (4, 7));
        // Its way of writing times and zones says where the writer is.
        assert_eq!(read("It began at 9h15 and ended at 10h05.", line), (7, 4));
        assert_eq!(read("From 10:00 (UTC+3) to 11:00.", line), (7, 4));
        assert_eq!(read("From 10:00 AM PDT to 11:00 AM.", line), (4, 7));
        // Nothing to go on: the separator decides, and a version is not a date.
        assert_eq!(read("From 10:00 UTC on nginx 20.10.12.", line), (4, 7));
        assert_eq!(read("", "Down since 04.07.2024."), (7, 4));
        // A weekday written beside the date outranks the document.
        assert_eq!(read("Fixed on 19/07/2024.", "Sunday 04/07/2024"), (4, 7));
    }

    #[test]
    fn not_dates() {
        for s in [
            "it may 10 times",
            "14.04",
            "Ubuntu 20.04",
            "nginx 1.18.0",
            "127.0.0.1",
            "Decided 10 servers",
            "February 30, 2023",
            "13/13 mandatory",
            "within 5 minutes",
            "version 2023-05",
            "31/31/2023",
        ] {
            assert!(scan_dates(s).is_empty(), "{s}: {:?}", scan_dates(s));
        }
    }

    #[test]
    fn date_mention_helpers() {
        let d = &scan_dates("Monday, March 11, 2024 is here")[0];
        assert_eq!(d.span, 0..22);
        assert_eq!(d.date(), Some(ymd(2024, 3, 11)));
        let no_year = &scan_dates("on August 10 we")[0];
        assert_eq!(no_year.date(), None);
        assert_eq!(no_year.with_year(2023), Some(ymd(2023, 8, 10)));
        let leap = &scan_dates("February 29")[0];
        assert_eq!(leap.with_year(2023), None);
        assert_eq!(leap.with_year(2024), Some(ymd(2024, 2, 29)));
    }

    #[test]
    fn dates_attached_to_times() {
        let cases = [
            ("2023-05-15 10:00 AM (UTC)", "2023-05-15T10:00"),
            ("2023-05-15T10:00", "2023-05-15T10:00"),
            ("August 10, 2023, 15:45 WAT", "2023-08-10T15:45"),
            ("Aug 10, 2023 at 3:45 PM", "2023-08-10T15:45"),
            ("10 August 2023 15:45", "2023-08-10T15:45"),
            ("10th August 2023, 3 PM", "2023-08-10T15:00"),
            ("August 10th, 2023 - 10:00", "2023-08-10T10:00"),
            ("Monday, March 11, 2024 2:00 AM", "2024-03-11T02:00"),
            ("15/05/2023 10:00", "2023-05-15T10:00"),
            ("10:00 AM on May 15, 2023", "2023-05-15T10:00"),
            ("10:00 AM, May 15, 2023", "2023-05-15T10:00"),
            ("15.25 PST 29 april 2022", "2022-04-29T15:25"),
            ("Thur 2023-11-09 01:20:40 EAT", "2023-11-09T01:20"),
            ("On June 9th, 2024 from 10:05 AM", "2024-06-09T10:05"),
            (
                "On September 11th, 2018, at midnight (PST)",
                "2018-09-11T00:00",
            ),
            ("Date: Tue, 1 Nov 2022 07:32:16 GMT", "2022-11-01T07:32"),
            ("On 2023-11-12 at 11:00am PST", "2023-11-12T11:00"),
        ];
        for (s, want) in cases {
            assert_eq!(labels(s), [want], "{s}");
        }
        let t = only("Monday, March 11, 2024 2:00 AM");
        assert_eq!(t.span, 0..30);
        // A date without a year is still attached.
        let d = scan_dates("on January23, 2021 the API");
        assert_eq!((d[0].year, d[0].month, d[0].day), (Some(2021), 1, 23));
        assert!(scan_dates("Ubuntu20 and Jan5").is_empty());
        let d = scan_dates("Start Time: 03, 14, 2024, 10:00 AM UTC.");
        assert_eq!((d[0].year, d[0].month, d[0].day), (Some(2024), 3, 14));
        let t = only("January 16, 8:00 AM EST");
        assert_eq!(
            t.date.map(|d| (d.year, d.month, d.day)),
            Some((None, 1, 16))
        );
        // A date on another line is not.
        assert_eq!(only("Date: May 10, 2023\n10:00 AM").date, None);
    }

    #[test]
    fn a_date_between_two_times_belongs_to_the_second() {
        let found = labels("August 10, 2023, 15:45 WAT, August 11, 2023, 01:30 WAT: escalated");
        assert_eq!(found, ["2023-08-10T15:45", "2023-08-11T01:30"]);
    }

    #[test]
    fn ranges_share_zone() {
        let r = range("10:00 AM - 2:30 PM (UTC)");
        assert_eq!(
            (r.start.label(), r.end.label()),
            ("10:00".into(), "14:30".into())
        );
        assert_eq!(r.start.zone.as_ref().map(|z| z.text.as_str()), Some("UTC"));
        assert_eq!(r.minutes(), Some(270));
        let r = range("10:00 to 14:30 UTC");
        assert_eq!(r.start.zone.map(|z| z.offset_minutes), Some(Some(0)));
        let r = range("14:00–16:30 GMT");
        assert_eq!(r.minutes(), Some(150));
        assert!(r.start.zone.is_some());
        let r = range("10:00 AM – 11:30 AM EAT");
        assert_eq!(r.start.zone.map(|z| z.offset_minutes), Some(Some(180)));
        let r = range("14:30 UTC to 16:00");
        assert_eq!(r.end.zone.map(|z| z.text), Some("UTC".into()));
        let r = range("Between 09:00 AM and 10:20 AM, requests failed");
        assert_eq!(r.minutes(), Some(80));
        assert_eq!(range("from 10:00 until 11:00").minutes(), Some(60));
        assert_eq!(range("**10:00 AM** - **11:00 AM**").minutes(), Some(60));
        assert!(scan_time_ranges("10:00 and 11:00").is_empty());
        // A weekday after each end does not part them, nor the zone from its time.
        let r = range("failing from 21:40 on Sunday to 00:30 on Monday, UTC-5.");
        assert_eq!(r.minutes(), Some(170));
        assert_eq!(r.start.zone.map(|z| z.text), Some("UTC-5".into()));
        assert_eq!(range("from 9:00 Fri. until 11:00").minutes(), Some(120));
    }

    #[test]
    fn ranges_share_meridiem_when_the_order_allows() {
        let r = range("10:00 - 11:30 AM");
        assert_eq!(
            (r.start.label(), r.end.label()),
            ("10:00".into(), "11:30".into())
        );
        assert!(r.start.meridiem);
        let r = range("between 9:00 and 11:00 AM Pacific Time");
        assert_eq!(r.start.label(), "09:00");
        let r = range("from 1:00 to 3:30 PM");
        assert_eq!(
            (r.start.label(), r.end.label()),
            ("13:00".into(), "15:30".into())
        );
        let r = range("12:00-12:30 AM (UTC)");
        assert_eq!(
            (r.start.label(), r.end.label()),
            ("00:00".into(), "00:30".into())
        );
        // 10:30 AM would come after 2:30 AM: the meridiem is not shared.
        let r = range("(10:30 to 2:30 AM)");
        assert_eq!(
            (r.start.label(), r.end.label()),
            ("10:30".into(), "02:30".into())
        );
        assert!(!r.start.meridiem);
        // 11 PM would come after 1 PM: keep 11:00.
        let r = range("11:00 to 1:00 PM");
        assert_eq!(
            (r.start.label(), r.end.label()),
            ("11:00".into(), "13:00".into())
        );
        // From the start to the end: "9:00 AM - 11:00", "11:00 AM - 1:30".
        assert_eq!(range("9:00 AM - 11:00").end.label(), "11:00");
        assert_eq!(range("11:00 AM - 1:30").end.label(), "13:30");
        // 24-hour times are left alone.
        assert_eq!(range("14:00 - 4:00 PM").start.label(), "14:00");
    }

    #[test]
    fn ranges_share_dates_and_roll_over_midnight() {
        let r = range("March 10, 2024, 10:00 PM to March 11, 2024, 2:00 AM (UTC)");
        assert_eq!(r.start.label(), "2024-03-10T22:00");
        assert_eq!(r.end.label(), "2024-03-11T02:00");
        assert_eq!(r.minutes(), Some(240));
        assert_eq!(r.start.zone.map(|z| z.text), Some("UTC".into()));
        let r = range("March 10, 2024 from 10:00 PM to 2:00 AM WAT");
        assert_eq!(r.end.label(), "2024-03-11T02:00");
        assert_eq!(r.minutes(), Some(240));
        let r = range("May 10, 2024, 10:00 AM - 12:30 PM (South African Standard Time, UTC+2)");
        assert_eq!(r.end.label(), "2024-05-10T12:30");
        // A date after the range is the range's date.
        let r = range("from 10:00 AM to 12:00 PM UTC on February 10, 2023");
        assert_eq!(r.start.label(), "2023-02-10T10:00");
        let r = range("(14:23-17:00 UTC, Feb 18, 2025)");
        assert_eq!(r.start.label(), "2025-02-18T14:23");
        let r = range("from 10 PM to 2 AM on March 10, 2024");
        assert_eq!(
            (r.start.label(), r.end.label()),
            ("2024-03-10T22:00".into(), "2024-03-11T02:00".into())
        );
        // A date given only once, without a year, also moves to the next day.
        let r = range("December 31, 11 PM - 1 AM");
        assert_eq!(
            r.end.date.map(|d| (d.year, d.month, d.day)),
            Some((None, 1, 1))
        );
        let r =
            range("Duration: Thursday, May 9, 2024, 17:30 PST - Friday, May 10, 2024, 01:00 PST");
        assert_eq!(r.minutes(), Some(450));
        let r = range("10/02/2022 From ~11 AM to 12:30 PM");
        assert_eq!(r.start.label(), "2022-10-02T11:00");
        assert_eq!(r.minutes(), Some(90));
        let r = range("On 05/04/2020 Starting from 8.35 AM GMT until 8.55 AM GMT");
        assert_eq!(r.start.label(), "2020-05-04T08:35");
        assert_eq!(r.minutes(), Some(20));
    }

    #[test]
    fn bare_hour_ranges() {
        let r = range("10-11 AM");
        assert_eq!(
            (r.start.label(), r.end.label()),
            ("10:00".into(), "11:00".into())
        );
        let r = range("From 6PM to 7PM GMT");
        assert_eq!(r.minutes(), Some(60));
        let r = range("from 9 to 11 AM");
        assert_eq!(r.start.label(), "09:00");
        assert!(scan_times("10-11 people").is_empty());
    }

    #[test]
    fn several_timestamps_on_one_line() {
        let s = "10:00 AM - alert fired; 10:15 AM - engineer paged; 10:30 AM - fixed";
        assert_eq!(labels(s), ["10:00", "10:15", "10:30"]);
        assert!(scan_time_ranges(s).is_empty());
        let s = "- 10:50 AM: I alerted the team. - 11:00 AM: The team began.";
        assert_eq!(labels(s), ["10:50", "11:00"]);
    }

    #[test]
    fn things_that_are_not_times() {
        for s in [
            "Ubuntu 14.04",
            "PHP 7.4",
            "nginx 1.18.0",
            "127.0.0.1:8080",
            "localhost:80",
            "0.0.0.0:3000",
            "192.168.10.15 AM",
            "13/13 mandatory",
            "a ratio of 3:1",
            "40.5%",
            "$10.50",
            "HTTP/1.1",
            "in 2023",
            "error 500 and 502",
            "x.x.x.x",
            "see [the log](https://example.com/logs/10:30)",
            "https://example.com/at/10:30",
            "PT1H30M",
            "it took 1:30 hours of downtime",
            "2:30 hrs in total",
            "UTC-05:00",
            "v1:30",
            "docker run -p 80:80",
            "3000:3000",
            "12:345",
            "1:2:3",
            "10:30:45:12",
        ] {
            assert!(scan_times(s).is_empty(), "{s}: {:?}", scan_times(s));
        }
    }

    #[test]
    fn hmm_hours_reads_as_a_time_when_it_is_one() {
        assert_eq!(labels("Close to 10:00 hours of July 2nd"), ["10:00"]);
        assert_eq!(labels("at 18:46 hours (West Africa Time)"), ["18:46"]);
        assert_eq!(labels("at 9:30 hrs"), ["09:30"]);
        assert_eq!(durations("at 9:30 hrs"), Vec::<i64>::new());
        assert_eq!(durations("it took 1:30 hrs"), [90]);
    }

    #[test]
    fn twenty_four_hundred_is_the_end_of_the_day() {
        let t = only("by Saturday 25th February, 2023 2400 hours (West Africa Time)");
        assert_eq!(t.label(), "2023-02-26T00:00");
        let r = range("February 25, 2023 2200 to 2400 hrs");
        assert_eq!(r.end.label(), "2023-02-26T00:00");
        assert_eq!(r.minutes(), Some(120));
    }

    #[test]
    fn durations_in_words() {
        let cases: &[(&str, &[i64])] = &[
            ("3 hours 15 minutes", &[195]),
            ("3 hours and 15 minutes", &[195]),
            ("3 hrs 15 mins", &[195]),
            ("2h 30m", &[150]),
            ("2h30m", &[150]),
            ("2h", &[120]),
            ("45 min", &[45]),
            ("90 minutes", &[90]),
            ("1.5 hours", &[90]),
            ("1,5 hours", &[90]),
            ("an hour", &[60]),
            ("half an hour", &[30]),
            ("a half hour", &[30]),
            ("an hour and a half", &[90]),
            ("one hour", &[60]),
            ("two hours", &[120]),
            ("twenty minutes", &[20]),
            ("twenty-five minutes", &[25]),
            ("a 30-minute outage", &[30]),
            ("a 2-hour outage", &[120]),
            ("a day", &[1440]),
            ("2 days", &[2880]),
            ("1 day and 3 hours", &[1620]),
            ("1 hour, 30 minutes", &[90]),
            ("(13 hours and 15 minutes)", &[795]),
            ("approximately 4.5 hours", &[270]),
            ("2:30 hours", &[150]),
            ("1:30 hrs", &[90]),
            ("2 and half hours", &[150]),
            ("two and a half hours", &[150]),
            ("a quarter of an hour", &[15]),
            ("2 weeks", &[20160]),
            ("7 days a week", &[10080, 10080]),
            ("every 5 minutes", &[5]),
            ("1hr30mins", &[90]),
            ("5 minutes 30 seconds", &[6]),
            ("down for 47 minutes from 4:14 pm", &[47]),
        ];
        for (s, want) in cases {
            assert_eq!(durations(s), *want, "{s}");
        }
        let d = &scan_durations("lasting 3 hours and 15 minutes.")[0];
        assert_eq!(d.span, 8..30);
    }

    #[test]
    fn not_durations() {
        for s in [
            "24/7",
            "3 months",
            "500ms",
            "5M users",
            "14h30",
            "2100hrs",
            "0900 hours",
            "13 seconds ago",
            "a few minutes",
            "several hours",
            "often",
            "1,000 hoursx",
            "10:00 hours",
        ] {
            assert!(scan_durations(s).is_empty(), "{s}: {:?}", scan_durations(s));
        }
    }

    #[test]
    fn minutes_between_mentions() {
        let t = |s: &str| only(s);
        // Times of day only: roll over midnight.
        assert_eq!(minutes_between(&t("10:00 PM"), &t("2:00 AM")), Some(240));
        assert_eq!(minutes_between(&t("10:00"), &t("10:00")), Some(0));
        assert_eq!(minutes_between(&t("09:00"), &t("11:30")), Some(150));
        // Dates: exact, over days.
        assert_eq!(
            minutes_between(&t("July 29, 2023, 09:00 AM"), &t("Aug 04, 2023, 04:30 AM")),
            Some(8370)
        );
        assert_eq!(
            minutes_between(&t("May 10, 2023 10:00"), &t("May 9, 2023 10:00")),
            Some(-1440)
        );
        // A missing year is borrowed from the other end.
        assert_eq!(
            minutes_between(&t("Aug 3 10:00"), &t("Aug 4, 2023, 10:00")),
            Some(1440)
        );
        // Different known offsets.
        assert_eq!(minutes_between(&t("10:00 UTC"), &t("12:00 WAT")), Some(60));
        assert_eq!(minutes_between(&t("23:00 UTC"), &t("03:00 EAT")), Some(60));
        assert_eq!(
            minutes_between(&t("2024-01-10 10:00 PT"), &t("2024-01-10 14:00 EST")),
            Some(60)
        );
        // An unknown offset on one side: wall-clock difference.
        assert_eq!(minutes_between(&t("10:00 CST"), &t("12:00 UTC")), Some(120));
    }

    #[test]
    fn spans_cover_what_was_read() {
        let s = "Start: August 10, 2023, 14:30 UTC | End";
        let t = only(s);
        assert_eq!(&s[t.span.clone()], "August 10, 2023, 14:30 UTC");
        let s = "at 10:00 AM (UTC): detected";
        assert_eq!(&s[only(s).span], "10:00 AM (UTC)");
        let s = "by 7:25 a.m. PST on January 31st, 2009, you";
        assert_eq!(&s[only(s).span], "7:25 a.m. PST on January 31st, 2009");
    }

    #[test]
    fn no_panics_on_odd_text() {
        let odd = "🚀 10:00 AM — café 14h30 «UTC+3» ünïcödé 2023‐05‐15 10:00\u{2212}05:00 
            Ω 12:30 p.m. (Kigali Time) 5 ½ hours 3 hours 🕐 éNoon midnight… 1:30 hrs 0:00 \
            99:99 1400Z 2400hrs May 🎉 31st, 2023 −0500 UTC−5 GMT+ GMT+99 ~11 AM 10-11 PM";
        let mut starts: Vec<usize> = odd.char_indices().map(|(i, _)| i).collect();
        starts.push(odd.len());
        for &a in &starts {
            let piece = &odd[a..];
            let _ = scan_times(piece);
            let _ = scan_time_ranges(piece);
            let _ = scan_dates(piece);
            let _ = scan_durations(piece);
            let _ = parse_zone(piece);
            let piece = &odd[..a];
            let _ = scan_times(piece);
            let _ = scan_durations(piece);
        }
        for s in [
            "", "1", ":", "1:", "12:3", "T", "T1", "+", "UTC+", "a.m.", "10 a.", "10 p", "(",
            "(UTC",
        ] {
            let _ = scan_times(s);
            let _ = scan_durations(s);
            let _ = scan_dates(s);
            let _ = parse_zone(s);
        }
        // UTC−5 with a real minus sign.
        assert_eq!(
            zone_of("10:00 UTC\u{2212}5"),
            ("UTC\u{2212}5".into(), Some(-300))
        );
    }

    #[test]
    fn times_typed_loosely() {
        assert_eq!(labels("[ 3: 15 am PST ] runner logs"), ["03:15"]);
        assert_eq!(labels("Start-time: 11: 05pm"), ["23:05"]);
        assert_eq!(labels("from 3:AM to 5:45 AM"), ["03:00", "05:45"]);
        assert_eq!(labels("at 09:00:00 sharp"), ["09:00"]);
        // A colon and a number that is not a time stays a number.
        assert!(labels("Step 3: 15 users could not log in").is_empty());
    }

    #[test]
    fn military_and_bare_hour_ranges() {
        let r = range("between 0700 and 0930 the queue stalled");
        assert_eq!(
            (r.start.label(), r.end.label()),
            ("07:00".into(), "09:30".into())
        );
        let r = range("from 2pm to 5 GMT");
        assert_eq!(
            (r.start.label(), r.end.label()),
            ("14:00".into(), "17:00".into())
        );
        assert_eq!(r.start.zone.map(|z| z.text), Some("GMT".into()));
        let r = range("between the hours of 09:00:00 and 11:20:45 EAT");
        assert_eq!(r.end.label(), "11:20");
        // Years are not times.
        assert!(labels("in 2023 and 2024").is_empty());
        assert!(labels("between 2019 and 2021").is_empty());
    }

    #[test]
    fn dates_with_month_words_between_slashes_and_two_digit_years() {
        let d = &scan_dates("On Sunday 14/Mar/2021 the portal")[0];
        assert_eq!((d.year, d.month, d.day), (Some(2021), 3, 14));
        let d = &scan_dates("on 14-Mar-21")[0];
        assert_eq!((d.year, d.month, d.day), (Some(2021), 3, 14));
        // The weekday settles which number is the day.
        let d = &scan_dates("On 03/04/24 (it was a Wednesday)")[0];
        assert_eq!((d.year, d.month, d.day), (Some(2024), 4, 3));
        let d = &scan_dates("Wednesday, 11/02/22")[0];
        assert_eq!((d.year, d.month, d.day), (Some(2022), 11, 2));
        // Without one, slashes read month first.
        let d = &scan_dates("on 03/04/24")[0];
        assert_eq!((d.month, d.day), (3, 4));
        // Versions are not dates.
        assert!(scan_dates("nginx 1.24.02").is_empty());
    }

    #[test]
    fn weekday_and_ordinal_take_the_month_the_text_names() {
        let r = range("Tue 3rd, 22:00 GMT+1 to Fri 6th, 08:30 GMT+1 (October 2023)");
        assert_eq!(r.start.label(), "2023-10-03T22:00");
        assert_eq!(r.end.label(), "2023-10-06T08:30");
        assert_eq!(r.minutes(), Some(3510));
        // Without a month there is no date to make of it.
        assert!(scan_dates("Tue 3rd was a long day").is_empty());
    }

    #[test]
    fn o_clock_with_the_part_of_the_day() {
        assert_eq!(
            labels("at 9 o'clock in the morning, East Africa Time"),
            ["09:00"]
        );
        assert_eq!(labels("until 4 o'clock in the afternoon"), ["16:00"]);
        assert!(labels("at 9 in the morning").is_empty());
        assert_eq!(
            labels("It came back at around half past eleven."),
            ["11:30"]
        );
        let r = range("from ten o'clock in the morning until quarter to one");
        assert_eq!(
            (r.start.label(), r.end.label()),
            ("10:00".into(), "12:45".into())
        );
        assert!(labels("we went past 10 users").is_empty());
    }

    #[test]
    fn text_without_digits_is_cheap_and_empty() {
        assert!(scan_times("Nothing to see here, just words.").is_empty());
        assert!(scan_dates("Nothing to see here").is_empty());
        assert!(scan_durations("no numbers at all").is_empty());
    }

    #[test]
    #[ignore = "needs ../shared beside the checkout"]
    fn corpus_scan_does_not_panic() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/alx");
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let (mut files, mut times, mut ranges, mut durs) = (0, 0, 0, 0);
        for entry in entries.flatten() {
            let Ok(bytes) = std::fs::read(entry.path()) else {
                continue;
            };
            let text = String::from_utf8_lossy(&bytes);
            files += 1;
            for line in text.lines() {
                times += scan_times(line).len();
                ranges += scan_time_ranges(line).len();
                durs += scan_durations(line).len();
                let _ = scan_dates(line);
            }
            // Whole files too: the scanners must not depend on line breaks for safety.
            let _ = scan_times(&text);
            let _ = scan_durations(&text);
        }
        println!("corpus: {files} files, {times} times, {ranges} ranges, {durs} durations");
        assert!(files > 0 && times > 0);
    }
}
