//! The timeline diagram on every postmortem page, drawn at build time as inline SVG so
//! it needs no JavaScript: a wide chart over a time axis, and a narrow list-like drawing
//! for phones; the page's CSS shows one or the other.
//!
//! Both are pure functions of the [`Postmortem`]. Every entry gets exactly one marker
//! whose shape (not only its colour) tells its kind and which carries the entry's
//! number, so it can be matched with the text list the page always shows. All text is
//! student-written and escaped; every coordinate, including the estimated extent of
//! every piece of text, stays inside the `viewBox`.

use crate::model::{EntryKind, Local, Postmortem};
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use std::fmt::Write as _;

/// A timeline drawn two ways; the page shows one or the other by width (CSS).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagram {
    pub horizontal: String,
    pub vertical: String,
}

/// `id` makes element ids unique on the page (aria-labelledby). None when the
/// postmortem has no timeline entries.
///
/// Both drawings sit on the same page, so their own ids get a suffix: `{id}-h-title`,
/// `{id}-h-desc` for the horizontal one and `{id}-v-…` for the vertical one.
pub fn draw(pm: &Postmortem, id: &str) -> Option<Diagram> {
    draw_in(pm, id, false)
}

/// [`draw`], with its text set (and measured) in a monospace font when `mono`: for
/// themes whose type is monospace (`[diagram] font = "monospace"` in `theme.toml`).
pub fn draw_in(pm: &Postmortem, id: &str, mono: bool) -> Option<Diagram> {
    if pm.timeline.is_empty() {
        return None;
    }
    let mut frame = Frame::new(pm);
    frame.mono = mono;
    let id = escape(id);
    Some(Diagram {
        horizontal: horizontal(&frame, &format!("{id}-h")),
        vertical: vertical(&frame, &format!("{id}-v")),
    })
}

/// The timeline reduced to a strip, for the link-preview image
/// ([`crate::render::preview`]): where each entry and the outage window fall on the
/// diagram's axis, in thousandths of its length, and its first and last moments in
/// words. Placed as the diagram places them (rollover, undated entries, a window
/// closed by a stated duration), so the two never disagree.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Strip {
    /// Each entry's place (0 to 1000) and kind, in the order written.
    pub events: Vec<(u16, EntryKind)>,
    /// The outage window's start and end (0 to 1000), and whether its end is known.
    pub window: Option<(u16, u16, bool)>,
    /// The first moment drawn and where it is ("10:00"; "no times given" when no entry
    /// has a time).
    pub from: (u16, String),
    /// The last moment drawn and where it is, with the zone ("11:30 UTC").
    pub to: (u16, String),
}

/// The [`Strip`] of `pm`'s timeline; None when it has no entries.
pub fn strip(pm: &Postmortem) -> Option<Strip> {
    if pm.timeline.is_empty() {
        return None;
    }
    let f = Frame::new(pm);
    let place = |v: f64| (((v - f.lo) / (f.hi - f.lo)).clamp(0.0, 1.0) * 1000.0).round() as u16;
    let (a, b) = f.span;
    let (from, to) = if f.timed() {
        let zone = pm
            .outage
            .timezone
            .as_deref()
            .map(|z| format!(" {}", truncate(&clean(z), 16)))
            .unwrap_or_default();
        (f.moment(a), format!("{}{zone}", f.moment(b)))
    } else {
        ("no times given".to_owned(), String::new())
    };
    Some(Strip {
        events: f.events.iter().map(|e| (place(e.at), e.kind)).collect(),
        window: f
            .window
            .as_ref()
            .map(|w| (place(w.start), place(w.end), w.end_known)),
        from: (place(a), from),
        to: (place(b), to),
    })
}

// ---------------------------------------------------------------------------------
// Placing times on one axis

const DAY: i64 = 24 * 60;

/// A time of day earlier than the one before it is read as the next day only when that
/// makes a gap of at most this; a bigger jump back is an entry written out of order.
const ROLLOVER_MAX: i64 = 12 * 60;

/// Minutes since 0001-01-01, so dated readings of different days share one axis.
fn absolute(dt: NaiveDateTime) -> i64 {
    i64::from(dt.date().num_days_from_ce()) * DAY + Local::DateTime(dt).minute_of_day()
}

/// A time of day read after `prev`: the same day, or the next when the clock rolled over.
fn after(prev: i64, minute_of_day: i64) -> i64 {
    let same_day = prev.div_euclid(DAY) * DAY + minute_of_day;
    if same_day >= prev || same_day + DAY - prev > ROLLOVER_MAX {
        same_day
    } else {
        same_day + DAY
    }
}

/// A time of day read before `next`: the mirror of [`after`].
fn before(next: i64, minute_of_day: i64) -> i64 {
    let same_day = next.div_euclid(DAY) * DAY + minute_of_day;
    if same_day <= next || next - (same_day - DAY) > ROLLOVER_MAX {
        same_day
    } else {
        same_day - DAY
    }
}

/// Minutes on one axis for a sequence of readings in the order they were written.
/// Dates anchor the axis where there are any (the first dated reading); times of day
/// are then read forwards and backwards from it, rolling over midnight as needed.
fn place_times(seq: &[Option<Local>]) -> Vec<Option<i64>> {
    let mut out = vec![None; seq.len()];
    let anchor = seq
        .iter()
        .position(|l| matches!(l, Some(Local::DateTime(_))))
        .or_else(|| seq.iter().position(Option::is_some));
    let Some(a) = anchor else {
        return out;
    };
    let base = match seq[a] {
        Some(Local::DateTime(dt)) => absolute(dt),
        Some(l) => l.minute_of_day(),
        None => return out,
    };
    let value = |l: Local, near: i64, forwards: bool| match l {
        Local::DateTime(dt) => absolute(dt),
        Local::Time(_) if forwards => after(near, l.minute_of_day()),
        Local::Time(_) => before(near, l.minute_of_day()),
    };
    out[a] = Some(base);
    let mut near = base;
    for (slot, l) in out.iter_mut().zip(seq).skip(a + 1) {
        if let Some(l) = *l {
            near = value(l, near, true);
            *slot = Some(near);
        }
    }
    near = base;
    for (slot, l) in out[..a].iter_mut().zip(&seq[..a]).rev() {
        if let Some(l) = *l {
            near = value(l, near, false);
            *slot = Some(near);
        }
    }
    out
}

/// Positions for every entry: timed ones where they happened, untimed ones spread
/// evenly between their timed neighbours so the written order is kept.
fn fill_untimed(at: &[Option<i64>], window: Option<&Window>) -> Vec<f64> {
    let known: Vec<f64> = at.iter().flatten().map(|&v| v as f64).collect();
    let (min, max) = bounds(known.iter().copied()).unwrap_or((0.0, 0.0));
    // Beyond the first or last timed entry there is no neighbour to share the space
    // with: step by an even share of the timed span instead.
    let step = ((max - min) / at.len() as f64).max(5.0);
    let mut out: Vec<f64> = at.iter().map(|v| v.map_or(0.0, |v| v as f64)).collect();
    let mut i = 0;
    while i < at.len() {
        if at[i].is_some() {
            i += 1;
            continue;
        }
        let first = i;
        while i < at.len() && at[i].is_none() {
            i += 1;
        }
        let len = (i - first) as f64;
        let prev = first.checked_sub(1).map(|p| out[p]);
        let next = at.get(i).copied().flatten().map(|v| v as f64);
        let (a, b) = match (prev, next) {
            (Some(p), Some(q)) => (p, q),
            (None, Some(q)) => {
                let start = window.map(|w| w.start).filter(|&s| s < q);
                (start.unwrap_or(q - step * (len + 1.0)), q)
            }
            (Some(p), None) => {
                let end = window.map(|w| w.end).filter(|&e| e > p);
                (p, end.unwrap_or(p + step * (len + 1.0)))
            }
            (None, None) => (0.0, len + 1.0),
        };
        for (k, slot) in out[first..i].iter_mut().enumerate() {
            *slot = a + (b - a) * (k as f64 + 1.0) / (len + 1.0);
        }
    }
    out
}

fn bounds(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values.fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

// ---------------------------------------------------------------------------------
// What is drawn, independent of the layout

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Axis {
    /// Minutes since 0001-01-01: dates were given.
    Dated,
    /// Minutes from the first day's midnight: only times of day were given.
    TimeOfDay,
    /// No entry has a time: positions are the entries' ordinals.
    Ordinal,
}

struct Event {
    n: usize,
    kind: EntryKind,
    /// Whitespace collapsed, not yet escaped.
    text: String,
    time: Option<Local>,
    at: f64,
    timed: bool,
}

/// The outage window on the axis; an unknown end is drawn as an open (fading) edge at
/// the last entry.
struct Window {
    start: f64,
    end: f64,
    end_known: bool,
}

/// From the outage's origin to when it was detected or resolved.
struct Milestone {
    from: f64,
    to: f64,
    minutes: i64,
}

struct Frame<'a> {
    pm: &'a Postmortem,
    /// Text is drawn in a monospace font (the theme asks for it).
    mono: bool,
    axis: Axis,
    events: Vec<Event>,
    window: Option<Window>,
    detect: Option<Milestone>,
    resolve: Option<Milestone>,
    /// The data's extent (events and window), before padding.
    span: (f64, f64),
    /// The axis domain, padded.
    lo: f64,
    hi: f64,
}

impl<'a> Frame<'a> {
    fn new(pm: &'a Postmortem) -> Self {
        let n = pm.timeline.len();
        let start = pm.outage.start.as_ref().map(|m| m.local);
        let end = pm.outage.end.as_ref().map(|m| m.local);
        let mut seq = Vec::with_capacity(n + 2);
        seq.push(start);
        seq.extend(pm.timeline.iter().map(|e| e.time));
        seq.push(end);
        let placed = place_times(&seq);
        let entry_at = &placed[1..=n];
        let axis = axis_of(&seq, entry_at);
        let start_at = placed[0];
        // The end is measured from the start the way the extractor measures the
        // duration, so the band agrees with the figures stated beside it.
        let end_at = match (start, end, start_at) {
            (Some(s), Some(e), Some(sa)) => Some(sa + s.minutes_until(e)).filter(|&v| v > sa),
            (None, Some(_), _) => placed[n + 1],
            _ => None,
        };
        let timed: Vec<f64> = entry_at.iter().flatten().map(|&v| v as f64).collect();
        let (window, ats) = if axis == Axis::Ordinal {
            (None, (0..n).map(|i| i as f64).collect())
        } else {
            let window = outage_window(pm, start_at, end_at, &timed);
            let ats = fill_untimed(entry_at, window.as_ref());
            (window, ats)
        };
        let events: Vec<Event> = pm
            .timeline
            .iter()
            .zip(ats)
            .zip(entry_at)
            .enumerate()
            .map(|(i, ((e, at), t))| Event {
                n: i + 1,
                kind: e.kind,
                text: clean(&e.text),
                time: e.time,
                at,
                timed: t.is_some(),
            })
            .collect();
        let (span, (lo, hi)) = domain(axis, &events, window.as_ref());
        let (detect, resolve) = if axis == Axis::Ordinal {
            (None, None)
        } else {
            milestones(pm, entry_at, start_at, end_at)
        };
        Frame {
            pm,
            mono: false,
            axis,
            events,
            window,
            detect,
            resolve,
            span,
            lo,
            hi,
        }
    }

    fn timed(&self) -> bool {
        self.axis != Axis::Ordinal
    }

    /// `base` as this drawing's text is set: in monospace when the theme's is.
    fn font(&self, base: Font) -> Font {
        Font {
            mono: base.mono || self.mono,
            ..base
        }
    }

    fn kinds(&self) -> Vec<EntryKind> {
        EntryKind::ALL
            .into_iter()
            .filter(|k| self.events.iter().any(|e| e.kind == *k))
            .collect()
    }

    /// Whether the data covers more than one calendar day.
    fn multi_day(&self) -> bool {
        self.timed() && day_of(self.span.0) != day_of(self.span.1)
    }

    /// A point of the axis in words: "22:00", or "Mar 11 02:00" when days matter.
    fn moment(&self, v: f64) -> String {
        if self.multi_day() {
            format!("{} {}", self.day_name(day_of(v)), clock(v))
        } else {
            clock(v)
        }
    }

    fn day_name(&self, day: i64) -> String {
        match self.axis {
            Axis::Dated => i32::try_from(day)
                .ok()
                .and_then(NaiveDate::from_num_days_from_ce_opt)
                .map(|d| d.format("%b %-d").to_string())
                .unwrap_or_default(),
            _ => match day - day_of(self.span.0) {
                0 => "first day".to_owned(),
                1 => "next day".to_owned(),
                k => format!("day {}", k + 1),
            },
        }
    }

    fn title(&self) -> String {
        let title = clean(&self.pm.title);
        if title.is_empty() {
            "Timeline".to_owned()
        } else {
            format!("Timeline of {title}")
        }
    }

    /// The whole diagram in one sentence, for screen readers.
    fn desc(&self) -> String {
        let n = self.events.len();
        let count = if n == 1 {
            "1 event".to_owned()
        } else {
            format!("{n} events")
        };
        let mut s = if self.timed() {
            let (a, b) = self.span;
            let zone = self
                .pm
                .outage
                .timezone
                .as_deref()
                .map(|z| format!(" {}", truncate(&clean(z), 40)))
                .unwrap_or_default();
            let mut s = if a == b {
                format!("{count} at {}{zone}", self.moment(a))
            } else {
                format!(
                    "{count} from {} to {}{zone}",
                    self.moment(a),
                    self.moment(b)
                )
            };
            if let Some(off) = self.pm.outage.utc_offset_minutes.filter(|&o| o != 0) {
                let utc = |v: f64| clock(v - f64::from(off));
                if a == b {
                    let _ = write!(s, " ({} UTC)", utc(a));
                } else {
                    let _ = write!(s, " ({} to {} UTC)", utc(a), utc(b));
                }
            }
            s
        } else {
            format!("{count} in order (no times given)")
        };
        if let Some(w) = self.window.as_ref().filter(|w| w.end_known) {
            let _ = write!(s, "; outage {}", duration(w.end - w.start));
        }
        let facts: Vec<String> = [
            self.pm
                .time_to_detect_minutes
                .map(|m| format!("detected after {}", duration(m as f64))),
            self.pm
                .time_to_resolve_minutes
                .map(|m| format!("resolved after {}", duration(m as f64))),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !facts.is_empty() {
            let _ = write!(s, "; {}", facts.join(", "));
        }
        s
    }

    /// "times in WAT (UTC+01:00)", "times in IST (offset unknown)", "no timezone given".
    fn zone_caption(&self) -> String {
        if !self.timed() {
            return "order of events (no times given)".to_owned();
        }
        let o = &self.pm.outage;
        let zone = o.timezone.as_deref().map(|z| truncate(&clean(z), 40));
        let mut s = match (zone, o.utc_offset_minutes) {
            (None, _) => "no timezone given".to_owned(),
            (Some(z), Some(0)) if is_utc_name(&z) => format!("times in {z}"),
            (Some(z), Some(off)) => format!("times in {z} ({})", utc_offset(off)),
            (Some(z), None) => format!("times in {z} (offset unknown)"),
        };
        // "UTC shown where known": the instant the outage began, when date and zone
        // make one and the zone is not UTC already.
        let began = o.start.as_ref().and_then(|m| m.utc.as_deref());
        if let (Some(u), Some(off)) = (began, o.utc_offset_minutes)
            && off != 0
            && let (Some(date), Some(time)) = (u.get(..10), u.get(11..16))
        {
            let _ = write!(s, "; began {date} {time} UTC");
        }
        s
    }

    fn window_caption(&self) -> Option<String> {
        let w = self.window.as_ref()?;
        Some(if w.end_known {
            format!("outage {}", duration(w.end - w.start))
        } else {
            "outage (end not given)".to_owned()
        })
    }
}

fn axis_of(seq: &[Option<Local>], entry_at: &[Option<i64>]) -> Axis {
    if entry_at.iter().all(Option::is_none) {
        Axis::Ordinal
    } else if seq
        .iter()
        .flatten()
        .any(|l| matches!(l, Local::DateTime(_)))
    {
        Axis::Dated
    } else {
        Axis::TimeOfDay
    }
}

/// Time to detect and time to resolve as brackets. The origin and targets are those the
/// extractor measured from (the start, else the first timed entry; the first detection;
/// the last resolution, else the end), so a bracket shows the very interval its label
/// states.
fn milestones(
    pm: &Postmortem,
    entry_at: &[Option<i64>],
    start_at: Option<i64>,
    end_at: Option<i64>,
) -> (Option<Milestone>, Option<Milestone>) {
    let origin = start_at.or_else(|| entry_at.iter().flatten().next().copied());
    let first_detection = pm
        .timeline
        .iter()
        .position(|e| e.kind == EntryKind::Detection)
        .and_then(|i| entry_at[i]);
    let last_resolution = pm
        .timeline
        .iter()
        .rposition(|e| e.kind == EntryKind::Resolution)
        .and_then(|i| entry_at[i])
        .or(end_at);
    (
        milestone(origin, first_detection, pm.time_to_detect_minutes),
        milestone(origin, last_resolution, pm.time_to_resolve_minutes),
    )
}

fn is_utc_name(zone: &str) -> bool {
    let z: String = zone.chars().filter(|c| !c.is_whitespace()).collect();
    matches!(
        z.to_ascii_uppercase().as_str(),
        "UTC" | "GMT" | "Z" | "UTC+0" | "GMT+0" | "UTC+00:00" | "GMT+00:00"
    )
}

fn utc_offset(minutes: i32) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    let m = minutes.unsigned_abs();
    format!("UTC{sign}{:02}:{:02}", m / 60, m % 60)
}

fn outage_window(
    pm: &Postmortem,
    start_at: Option<i64>,
    end_at: Option<i64>,
    timed: &[f64],
) -> Option<Window> {
    let start = start_at? as f64;
    if let Some(end) = end_at {
        return Some(Window {
            start,
            end: end as f64,
            end_known: true,
        });
    }
    // Without an end time, a stated duration still closes the window.
    if let Some(d) = pm.outage.duration_minutes.filter(|&d| d > 0) {
        return Some(Window {
            start,
            end: start + d as f64,
            end_known: true,
        });
    }
    let last = bounds(timed.iter().copied())?.1;
    (last > start).then_some(Window {
        start,
        end: last,
        end_known: false,
    })
}

/// The data's extent and the padded axis domain; a single moment gets ten minutes
/// around it so it sits centred.
fn domain(axis: Axis, events: &[Event], window: Option<&Window>) -> ((f64, f64), (f64, f64)) {
    if axis == Axis::Ordinal {
        let n = events.len() as f64;
        return ((0.0, n - 1.0), (-0.5, n - 0.5));
    }
    let values = events
        .iter()
        .map(|e| e.at)
        .chain(window.into_iter().flat_map(|w| [w.start, w.end]));
    let (a, b) = bounds(values).unwrap_or((0.0, 0.0));
    let (mut lo, mut hi) = (a, b);
    if hi - lo < 10.0 {
        let mid = (lo + hi) / 2.0;
        (lo, hi) = (mid - 5.0, mid + 5.0);
    }
    let pad = (hi - lo) * 0.04;
    ((a, b), (lo - pad, hi + pad))
}

fn milestone(origin: Option<i64>, target: Option<i64>, stated: Option<i64>) -> Option<Milestone> {
    let (from, to, minutes) = (origin?, target?, stated?);
    // Drawn only where this axis agrees with the stated figure: where the extractor
    // rolled a clock over midnight that is drawn here as an entry out of order, a
    // bracket would point at the wrong place.
    (to >= from && (to - from - minutes).abs() <= 1).then_some(Milestone {
        from: from as f64,
        to: to as f64,
        minutes,
    })
}

// ---------------------------------------------------------------------------------
// Axis helpers

fn day_of(v: f64) -> i64 {
    (v.round() as i64).div_euclid(DAY)
}

/// "HH:MM" of a point on a timed axis.
fn clock(v: f64) -> String {
    let m = (v.round() as i64).rem_euclid(DAY);
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// "15 min", "4 h 30 min", "3 d 4 h".
fn duration(minutes: f64) -> String {
    let m = minutes.round().max(0.0) as i64;
    match (m / DAY, m % DAY / 60, m % 60) {
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

/// Tick steps in minutes; round numbers a reader expects on a clock or calendar.
const STEPS: [i64; 14] = [
    1,
    2,
    5,
    10,
    15,
    30,
    60,
    120,
    180,
    360,
    720,
    DAY,
    2 * DAY,
    7 * DAY,
];
const MAX_TICKS: f64 = 8.0;

fn tick_step(span: f64) -> i64 {
    STEPS
        .into_iter()
        .find(|&s| span / s as f64 <= MAX_TICKS)
        .unwrap_or_else(|| {
            let weeks = (span / (MAX_TICKS * (7 * DAY) as f64)).ceil() as i64;
            weeks.max(1) * 7 * DAY
        })
}

/// The step and the ticks within `lo..=hi`, on multiples of the step so they fall on
/// round clock times (and midnight for whole days).
fn ticks(lo: f64, hi: f64) -> (i64, Vec<i64>) {
    let step = tick_step(hi - lo);
    let mut t = (lo / step as f64).ceil() as i64 * step;
    let mut out = Vec::new();
    while (t as f64) <= hi {
        out.push(t);
        t += step;
    }
    (step, out)
}

/// Maps axis values to x (or y) pixels.
struct Scale {
    lo: f64,
    hi: f64,
    from: f64,
    to: f64,
}

impl Scale {
    fn at(&self, v: f64) -> f64 {
        self.from + (v - self.lo) / (self.hi - self.lo) * (self.to - self.from)
    }
}

/// Spreads markers along a line so that none overlap: each run of crowded markers is
/// centred on the times it stands for and kept within `lo..=hi`. Ties keep their order.
/// Returns the positions and the gap used (smaller than asked only when they cannot fit).
fn dodge(wanted: &[f64], gap: f64, lo: f64, hi: f64) -> (Vec<f64>, f64) {
    let n = wanted.len();
    let gap = if n > 1 {
        gap.min((hi - lo) / (n - 1) as f64)
    } else {
        gap
    };
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| wanted[a].total_cmp(&wanted[b]));
    let place = |sum: f64, k: usize| {
        let k = k as f64;
        let first = sum / k - (k - 1.0) * gap / 2.0;
        first.clamp(lo, (hi - (k - 1.0) * gap).max(lo))
    };
    // (first position, members, sum of wanted positions)
    let mut runs: Vec<(f64, usize, f64)> = Vec::new();
    for &i in &order {
        let mut run = (place(wanted[i], 1), 1, wanted[i]);
        while let Some(&(first, k, sum)) = runs.last() {
            if first + k as f64 * gap <= run.0 + 1e-6 {
                break;
            }
            runs.pop();
            let (k, sum) = (k + run.1, sum + run.2);
            run = (place(sum, k), k, sum);
        }
        runs.push(run);
    }
    let mut out = vec![0.0; n];
    let mut members = order.iter();
    for (first, k, _) in runs {
        for j in 0..k {
            if let Some(&i) = members.next() {
                out[i] = first + j as f64 * gap;
            }
        }
    }
    (out, gap)
}

// ---------------------------------------------------------------------------------
// Text

/// One line of the student's text: whitespace collapsed.
fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Escapes for XML text and attributes, on one line.
fn escape(s: &str) -> String {
    super::markdown::escape(&s.replace(['\t', '\n', '\r'], " "))
}

/// At most `max` characters, cut at a word where one is near, ending in "…".
fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let cut: String = s.chars().take(max.saturating_sub(1)).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if cut[..i].chars().count() >= max * 2 / 3 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([' ', ',', ';', ':', '-', '.']))
}

/// Words in lines no wider than `width` px, at most `max_lines`, the last one cut
/// with "…" when the text goes on. Words too long for a line (a URL, a path) are
/// broken where they must be.
fn wrap(s: &str, font: Font, width: f64, max_lines: usize) -> Vec<String> {
    wrap_by(s, &|t| text_width(t, font), width, max_lines)
}

/// [`wrap`] with widths measured by `measure` (the link-preview image measures with
/// the font it draws in).
pub(crate) fn wrap_by(
    s: &str,
    measure: &dyn Fn(&str) -> f64,
    width: f64,
    max_lines: usize,
) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in s.split_whitespace() {
        let joined = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if measure(&joined) <= width {
            line = joined;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        let mut rest = word;
        while measure(rest) > width {
            let fit = rest
                .char_indices()
                .map(|(i, c)| i + c.len_utf8())
                .take_while(|&end| measure(&rest[..end]) <= width)
                .last()
                .unwrap_or_else(|| rest.chars().next().map_or(rest.len(), char::len_utf8));
            lines.push(rest[..fit].to_owned());
            rest = &rest[fit..];
        }
        line = rest.to_owned();
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            *last = fit_with_ellipsis_by(last, measure, width);
        }
    }
    lines
}

/// `s` followed by "…", shortened (at a word where one is near) until it fits `width`.
fn fit_with_ellipsis(s: &str, font: Font, width: f64) -> String {
    fit_with_ellipsis_by(s, &|t| text_width(t, font), width)
}

/// [`fit_with_ellipsis`] with widths measured by `measure`.
pub(crate) fn fit_with_ellipsis_by(s: &str, measure: &dyn Fn(&str) -> f64, width: f64) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut keep = chars.len();
    loop {
        let head: String = chars[..keep].iter().collect();
        let candidate = format!("{}…", head.trim_end());
        if measure(&candidate) <= width || keep == 0 {
            // Back up to a word boundary when one is close, rather than cut a word.
            return match head.rfind(' ') {
                Some(i) if keep > 0 && head[..i].chars().count() * 4 >= keep * 3 => {
                    format!("{}…", head[..i].trim_end())
                }
                _ => candidate,
            };
        }
        keep -= 1;
    }
}

/// A text style of the diagram, for estimating how wide a text will be drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Font {
    size: f64,
    mono: bool,
    bold: bool,
}

const LABEL: Font = Font {
    size: 11.0,
    mono: false,
    bold: false,
};
const SMALL: Font = Font {
    size: 10.0,
    mono: false,
    bold: false,
};
const SMALL_MONO: Font = Font {
    size: 10.0,
    mono: true,
    bold: false,
};
const NUM: Font = Font {
    size: 9.0,
    mono: false,
    bold: true,
};

/// Advance widths in em, generous enough for DejaVu Sans, the widest common fallback
/// for `system-ui`, so estimated text never runs out of its box.
fn char_em(c: char, mono: bool) -> f64 {
    if (c as u32) >= 0x2E80 {
        return 1.1; // CJK and emoji: a full em and a bit
    }
    if mono {
        return if c == '…' { 1.0 } else { 0.62 };
    }
    match c {
        'i' | 'j' | 'l' | 'I' | 'J' | '\'' | '|' | '.' | ',' | ':' | ';' | '!' | ' ' => 0.33,
        'f' | 't' | 'r' | '(' | ')' | '[' | ']' | '/' | '\\' | '-' | '"' | '`' | '{' | '}' => 0.43,
        'm' | 'M' | 'W' | '@' | '%' | '…' | '—' => 1.0,
        'w' | '&' => 0.83,
        'c' | 's' | 'z' | 'k' | 'v' | 'x' | 'y' | '_' | '*' => 0.6,
        'a'..='z' | '0'..='9' | '$' => 0.64,
        'F' | 'L' | 'P' | 'T' | 'Y' => 0.62,
        'A'..='Z' => 0.8,
        _ => 0.85,
    }
}

fn text_width(s: &str, font: Font) -> f64 {
    let em: f64 = s.chars().map(|c| char_em(c, font.mono)).sum();
    em * font.size * if font.bold { 1.1 } else { 1.0 }
}

// ---------------------------------------------------------------------------------
// SVG pieces

/// Numbers with at most one decimal, and no "-0".
/// A coordinate as written in the drawing: to a tenth, without a trailing `.0`.
/// Written straight into the drawing (no string of its own).
fn num(v: f64) -> Num {
    Num(v)
}

struct Num(f64);

impl std::fmt::Display for Num {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let r = (self.0 * 10.0).round() / 10.0;
        if r == 0.0 {
            f.write_str("0")
        } else if r.fract() == 0.0 {
            write!(f, "{}", r as i64)
        } else {
            write!(f, "{r:.1}")
        }
    }
}

/// The diagrams' stylesheet: colours per kind, a dark variant, and print friendliness,
/// scoped to `.tl-svg` (pages may override these classes). Written once as
/// `static/timeline.css` and linked by the pages that show a diagram (inlined in each
/// drawing, it was a tenth of every page).
pub const STYLE: &str = "\
.tl-svg{font-family:system-ui,sans-serif;font-size:11px}\
.tl-svg text{fill:#1f2937}\
.tl-svg .tm,.tl-svg.mono{font-family:ui-monospace,'SFMono-Regular',Menlo,Consolas,'DejaVu Sans Mono',monospace}\
.tl-svg .lbl .tm{font-weight:700}\
.tl-svg .sm{font-size:10px}\
.tl-svg .mut{fill:#6b7280}\
.tl-svg .num{font-size:9px;font-weight:700;fill:#fff}\
.tl-svg .axis{stroke:#4b5563;stroke-width:1.5}\
.tl-svg .tick{stroke:#4b5563}\
.tl-svg .grid{stroke:#9ca3af;stroke-dasharray:2 3}\
.tl-svg .stem,.tl-svg .pole{stroke:#9ca3af}\
.tl-svg .stem.untimed{stroke-dasharray:2 2}\
.tl-svg .untimed .shape{stroke-dasharray:2 1.5}\
.tl-svg .band{fill:#e03131;fill-opacity:.1}\
.tl-svg .swatch{stroke:#e03131;stroke-opacity:.5}\
.tl-svg .fade-a{stop-color:#e03131;stop-opacity:.1}\
.tl-svg .fade-b{stop-color:#e03131;stop-opacity:0}\
.tl-svg .edge{stroke:#e03131;stroke-opacity:.5}\
.tl-svg .edge.open{stroke-dasharray:3 3}\
.tl-svg .bracket{stroke:#4b5563;stroke-width:1.2;fill:none}\
.tl-svg .arrow{fill:#4b5563}\
.tl-svg .shape{stroke:#fff;stroke-width:1}\
.tl-svg .k-detection{fill:#d9480f}\
.tl-svg .k-investigation{fill:#1c64c8}\
.tl-svg .k-misleading{fill:#9c36b5}\
.tl-svg .k-escalation{fill:#a0720b}\
.tl-svg .k-mitigation{fill:#0b7285}\
.tl-svg .k-resolution{fill:#2b8a3e}\
.tl-svg .k-other{fill:#868e96}\
.tl-svg .k-other .shape{fill:#f1f3f5;stroke:#868e96;stroke-width:1.5}\
.tl-svg .k-other .num{fill:#495057}\
@media (prefers-color-scheme:dark){\
.tl-svg text{fill:#e5e7eb}\
.tl-svg .mut{fill:#9ca3af}\
.tl-svg .num{fill:#111827}\
.tl-svg .axis,.tl-svg .tick,.tl-svg .bracket{stroke:#9ca3af}\
.tl-svg .arrow{fill:#9ca3af}\
.tl-svg .stem,.tl-svg .pole,.tl-svg .grid{stroke:#6b7280}\
.tl-svg .shape{stroke:#111827}\
.tl-svg .band{fill:#ff6b6b;fill-opacity:.16}\
.tl-svg .fade-a{stop-color:#ff6b6b;stop-opacity:.16}\
.tl-svg .fade-b{stop-color:#ff6b6b}\
.tl-svg .k-detection{fill:#ff8a4c}\
.tl-svg .k-investigation{fill:#74a7f7}\
.tl-svg .k-misleading{fill:#d08ae0}\
.tl-svg .k-escalation{fill:#e0b23c}\
.tl-svg .k-mitigation{fill:#3bc9db}\
.tl-svg .k-resolution{fill:#69db7c}\
.tl-svg .k-other{fill:#adb5bd}\
.tl-svg .k-other .shape{fill:#343a40;stroke:#adb5bd}\
.tl-svg .k-other .num{fill:#dee2e6}}\
@media print{\
.tl-svg text,.tl-svg .mut,.tl-svg .k-other .num{fill:#000}\
.tl-svg .num{fill:#fff}\
.tl-svg .axis,.tl-svg .tick,.tl-svg .bracket,.tl-svg .stem,.tl-svg .pole{stroke:#000}\
.tl-svg .arrow{fill:#000}\
.tl-svg .shape,.tl-svg .k-other .shape{stroke:#000}\
.tl-svg .k-other .shape{fill:#fff}\
.tl-svg .band{fill:#000;fill-opacity:.07}\
.tl-svg .edge{stroke:#000}}";

fn svg(class: &str, id: &str, size: (f64, f64), frame: &Frame, body: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"tl-svg {class}{mono}\" \
         viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\">\
         <title id=\"{id}-title\">{title}</title><desc id=\"{id}-desc\">{desc}</desc>\
         {body}</svg>",
        w = num(size.0),
        h = num(size.1.ceil()),
        title = escape(&frame.title()),
        desc = escape(&frame.desc()),
        mono = if frame.mono { " mono" } else { "" },
    )
}

fn text(out: &mut String, class: &str, x: f64, y: f64, anchor: &str, content: &str) {
    let _ = write!(
        out,
        "<text class=\"{class}\" x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\">{}</text>",
        num(x),
        num(y),
        escape(content)
    );
}

fn line(out: &mut String, class: &str, (x1, y1): (f64, f64), (x2, y2): (f64, f64)) {
    let _ = write!(
        out,
        "<line class=\"{class}\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
        num(x1),
        num(y1),
        num(x2),
        num(y2)
    );
}

fn rect(out: &mut String, class: &str, x: f64, y: f64, w: f64, h: f64, fill: Option<&str>) {
    let fill = fill.map(|f| format!(" fill=\"{f}\"")).unwrap_or_default();
    let _ = write!(
        out,
        "<rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"{fill}/>",
        num(x),
        num(y),
        num(w.max(0.0)),
        num(h.max(0.0))
    );
}

/// A gradient for a window whose end is unknown: the band fades out towards it.
fn fade(out: &mut String, id: &str, vertical: bool) {
    let (x2, y2) = if vertical { (0, 1) } else { (1, 0) };
    let _ = write!(
        out,
        "<defs><linearGradient id=\"{id}-fade\" x1=\"0\" y1=\"0\" x2=\"{x2}\" y2=\"{y2}\">\
         <stop offset=\"0\" class=\"fade-a\"/><stop offset=\"0.6\" class=\"fade-a\"/>\
         <stop offset=\"1\" class=\"fade-b\"/></linearGradient></defs>"
    );
}

/// How far a marker's shape reaches from its centre, in radii.
const EXTENT: f64 = 1.4;

/// The shape of a kind, so colour is never the only cue: detection a warning triangle,
/// investigation a circle, misleading a diamond, escalation a square, mitigation a
/// hexagon, resolution a rosette, other a pale circle.
pub(crate) fn shape(kind: EntryKind, cx: f64, cy: f64, r: f64) -> String {
    let poly = |pts: &[(f64, f64)]| {
        let pts: Vec<String> = pts
            .iter()
            .map(|(x, y)| format!("{},{}", num(cx + x * r), num(cy + y * r)))
            .collect();
        format!("<polygon class=\"shape\" points=\"{}\"/>", pts.join(" "))
    };
    let around = |n: usize, radius: &dyn Fn(usize) -> f64| -> Vec<(f64, f64)> {
        (0..n)
            .map(|i| {
                let a = std::f64::consts::TAU * i as f64 / n as f64 - std::f64::consts::FRAC_PI_2;
                (radius(i) * a.cos(), radius(i) * a.sin())
            })
            .collect()
    };
    match kind {
        EntryKind::Detection => poly(&[(0.0, -1.35), (1.3, 0.95), (-1.3, 0.95)]),
        EntryKind::Investigation => circle(cx, cy, r),
        EntryKind::Misleading => poly(&[(0.0, -1.3), (1.3, 0.0), (0.0, 1.3), (-1.3, 0.0)]),
        EntryKind::Escalation => {
            poly(&[(-0.92, -0.92), (0.92, -0.92), (0.92, 0.92), (-0.92, 0.92)])
        }
        EntryKind::Mitigation => poly(&around(6, &|_| 1.15)),
        EntryKind::Resolution => poly(&around(20, &|i| if i % 2 == 0 { 1.38 } else { 1.08 })),
        EntryKind::Other => circle(cx, cy, r * 0.95),
    }
}

fn circle(cx: f64, cy: f64, r: f64) -> String {
    format!(
        "<circle class=\"shape\" cx=\"{}\" cy=\"{}\" r=\"{}\"/>",
        num(cx),
        num(cy),
        num(r)
    )
}

/// Where a marker's number sits: lower in the triangle, whose room is at its base.
fn number_baseline(kind: EntryKind, cy: f64, r: f64, size: f64) -> f64 {
    let centre = if kind == EntryKind::Detection {
        cy + 0.3 * r
    } else {
        cy
    };
    centre + size * 0.36
}

/// An entry's one marker: its shape, its number, and a `<title>` with the full text
/// so hovering shows it.
fn marker(out: &mut String, e: &Event, cx: f64, cy: f64, r: f64) {
    let when = match e.time {
        Some(Local::DateTime(dt)) => dt.format("%b %-d %H:%M").to_string(),
        Some(Local::Time(t)) => t.format("%H:%M").to_string(),
        None => "time not given".to_owned(),
    };
    let size = NUM.size * (r / MARKER_R).min(1.0);
    let _ = write!(
        out,
        "<g class=\"marker k-{kind}{untimed}\"><title>{n}. {when}, {kind}: {text}</title>{shape}\
         <text class=\"num\" x=\"{x}\" y=\"{y}\" text-anchor=\"middle\"{font}>{n}</text></g>",
        kind = e.kind.as_str(),
        untimed = if e.timed { "" } else { " untimed" },
        n = e.n,
        text = escape(&e.text),
        shape = shape(e.kind, cx, cy, r),
        x = num(cx),
        y = num(number_baseline(e.kind, cy, r, size)),
        font = if size < NUM.size {
            format!(" font-size=\"{}\"", num(size))
        } else {
            String::new()
        },
    );
}

/// The kinds present, each with its shape and name, wrapped to `left..right`.
/// Returns the y below it.
fn legend(out: &mut String, f: &Frame, left: f64, right: f64, mut y: f64) -> f64 {
    const R: f64 = 5.5;
    let kinds = f.kinds();
    let reach = R * EXTENT;
    let mut x = left;
    y += 16.0;
    for kind in kinds {
        let name = kind.as_str();
        let w = 2.0 * reach + 5.0 + text_width(name, f.font(LABEL));
        if x > left && x + w > right {
            x = left;
            y += 18.0;
        }
        let _ = write!(
            out,
            "<g class=\"key k-{name}\">{}</g>",
            shape(kind, x + reach, y - 4.0, R)
        );
        text(out, "", x + 2.0 * reach + 5.0, y, "start", name);
        x += w + 16.0;
    }
    y
}

// ---------------------------------------------------------------------------------
// The horizontal drawing

const H_WIDTH: f64 = 880.0;
const PAD: f64 = 8.0;
const MARKER_R: f64 = 9.0;
/// Centre to centre where events crowd: markers spread this far apart (less only when
/// they cannot fit), so their labels can sit side by side rather than stack up.
const SPREAD_GAP: f64 = 46.0;
/// Line height of a label's lines.
const LINE_H: f64 = 13.0;
/// Space kept between two labels, across and along the axis.
const LABEL_GAP: f64 = 8.0;
/// Space between a pole and the text it carries.
const POLE_GAP: f64 = 4.0;
/// The widths a label's lines may take, widest first: the layout that is least tall wins.
const LABEL_WIDTHS: [f64; 5] = [210.0, 170.0, 140.0, 116.0, 96.0];
/// A label's lines at most (the marker's hover title and the list hold the rest).
const LABEL_LINES: usize = 4;
/// For long timelines, fewer lines a label, so the drawing stays a drawing.
const CROWDED: usize = 24;

/// Which side of the axis a label hangs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Above,
    Below,
}

/// A placed label: its lines (the first led by the time), its side, how far from the
/// markers it sits (`off`, px, to its near edge), its box across the axis and whether
/// its text runs leftwards from its pole (near the right edge).
#[derive(Clone, Debug, PartialEq)]
struct Placed {
    time: Option<String>,
    lines: Vec<String>,
    side: Side,
    off: f64,
    left: f64,
    right: f64,
    leftwards: bool,
}

impl Placed {
    fn height(&self) -> f64 {
        self.lines.len() as f64 * LINE_H
    }
}

/// The labels of a horizontal drawing, in entry order: every entry gets one.
#[derive(Default)]
struct LabelLayout {
    labels: Vec<Placed>,
}

impl LabelLayout {
    /// How far the labels of a side reach from the markers.
    fn reach(&self, side: Side) -> f64 {
        self.labels
            .iter()
            .filter(|l| l.side == side)
            .map(|l| l.off + l.height())
            .fold(0.0, f64::max)
    }
}

/// An entry's label in lines no wider than `width`: the time (monospace) leads the
/// first line, the words follow and wrap; at most `max_lines`, the last cut with "…"
/// only when the text goes on past them.
fn label_lines(e: &Event, axis: Axis, font: Font, width: f64, max_lines: usize) -> Label {
    let time = (e.timed && axis != Axis::Ordinal).then(|| clock(e.at));
    // The time takes the first line's start: wrap as if it were a word of that width.
    let lead = time.as_ref().map_or(String::new(), |t| {
        let w = text_width(t, Font { mono: true, ..font }) + text_width(" ", font);
        // A run of narrowest characters as wide as the time, replaced after wrapping.
        // (A private-use character: not a space, so the wrap keeps the run whole.)
        let n = (w / text_width("\u{E000}", font)).ceil() as usize;
        "\u{E000}".repeat(n.max(1))
    });
    let text = if lead.is_empty() {
        e.text.clone()
    } else {
        format!("{lead} {}", e.text)
    };
    let mut lines = wrap(&text, font, width, max_lines);
    if !lead.is_empty()
        && let Some(first) = lines.first_mut()
    {
        *first = first
            .strip_prefix(lead.as_str())
            .map_or_else(|| first.clone(), |r| r.trim_start().to_owned());
    }
    (time, lines)
}

type Label = (Option<String>, Vec<String>);

fn label_width((time, lines): &Label, font: Font) -> f64 {
    let lead = time.as_ref().map_or(0.0, |t| {
        text_width(t, Font { mono: true, ..font }) + text_width(" ", font)
    });
    lines
        .iter()
        .enumerate()
        .map(|(k, l)| text_width(l, font) + if k == 0 { lead } else { 0.0 })
        .fold(0.0, f64::max)
}

/// Places every label, alternately above and below the axis in the markers' order
/// from left to right. Each hangs from a pole at its marker, its text to the right of
/// the pole (to the left where the right edge is too near). Each label takes the
/// nearest distance from the markers where it clears every label already placed on its
/// side that it would touch or whose pole it would cover; a label is placed after every
/// label whose pole it covers would be (right to left for labels that run right), so
/// no pole ever runs through a nearer label. No two labels overlap, none is left out,
/// and the drawing grows taller instead.
fn place_labels(
    poles: &[f64],
    labels: Vec<Label>,
    font: Font,
    (x_min, x_max): (f64, f64),
) -> LabelLayout {
    let n = poles.len();
    let mut by_x: Vec<usize> = (0..n).collect();
    by_x.sort_by(|&a, &b| poles[a].total_cmp(&poles[b]).then(a.cmp(&b)));
    let mut side = vec![Side::Above; n];
    for (rank, &i) in by_x.iter().enumerate() {
        if rank % 2 == 1 {
            side[i] = Side::Below;
        }
    }
    // Each label's extent across the axis, fixed before any is placed.
    let spans: Vec<(f64, f64, bool)> = (0..n)
        .map(|i| {
            let w = label_width(&labels[i], font);
            let x = poles[i];
            if x + POLE_GAP + w <= x_max {
                (x + POLE_GAP, x + POLE_GAP + w, false)
            } else if x - POLE_GAP - w >= x_min {
                (x - POLE_GAP - w, x - POLE_GAP, true)
            } else {
                let l = (x_max - w).max(x_min);
                (l, l + w, false)
            }
        })
        .collect();
    let reaches = |p: usize, q: usize| {
        p != q && poles[q] >= spans[p].0 - POLE_GAP && poles[q] <= spans[p].1 + POLE_GAP
    };
    // Two labels on one side that face each other (each over the other's pole) cannot
    // both be clear of the other's pole: the later one moves to the other side, as long
    // as that makes no new such pair there.
    for q in by_x.iter().copied() {
        let facing =
            |side: &[Side], s: Side| (0..n).any(|p| side[p] == s && reaches(p, q) && reaches(q, p));
        if facing(&side, side[q]) {
            let other = match side[q] {
                Side::Above => Side::Below,
                Side::Below => Side::Above,
            };
            if !facing(&side, other) {
                side[q] = other;
            }
        }
    }
    let covers = |p: usize, q: usize| side[p] == side[q] && reaches(p, q);
    // The order: a label whose pole another covers goes first (that other then goes
    // beyond it); among those free to go, the rightmost. Two labels covering each
    // other's poles cannot both be clear; the one nearer the right goes first.
    let mut order = Vec::with_capacity(n);
    let mut done = vec![false; n];
    for _ in 0..n {
        let free = by_x
            .iter()
            .rev()
            .copied()
            .filter(|&q| !done[q])
            .find(|&q| !(0..n).any(|p| !done[p] && covers(q, p)))
            .or_else(|| by_x.iter().rev().copied().find(|&q| !done[q]));
        let Some(q) = free else { break };
        done[q] = true;
        order.push(q);
    }
    let mut placed: Vec<Option<Placed>> = vec![None; n];
    let mut labels: Vec<Option<Label>> = labels.into_iter().map(Some).collect();
    for i in order {
        let (time, lines) = labels[i].take().unwrap_or_default();
        let (left, right, leftwards) = spans[i];
        let mut off: f64 = 0.0;
        for (j, p) in placed.iter().enumerate() {
            let Some(p) = p else { continue };
            if p.side != side[i] {
                continue;
            }
            let touches = left < p.right + LABEL_GAP && p.left < right + LABEL_GAP;
            if touches || covers(i, j) {
                off = off.max(p.off + p.height() + LABEL_GAP / 2.0);
            }
        }
        placed[i] = Some(Placed {
            time,
            lines,
            side: side[i],
            off,
            left,
            right,
            leftwards,
        });
    }
    LabelLayout {
        labels: placed.into_iter().flatten().collect(),
    }
}

/// Labels and their places, for each width a label's lines may take; the layout that
/// is least tall wins (the wider one on a tie).
fn layout_labels(f: &Frame, xs: &[f64]) -> LabelLayout {
    let font = f.font(LABEL);
    let max_lines = if xs.len() > CROWDED { 2 } else { LABEL_LINES };
    // The fewest labels cut short first, then the least tall, then the widest.
    let mut best: Option<((usize, f64), LabelLayout)> = None;
    for width in LABEL_WIDTHS {
        let labels: Vec<Label> = f
            .events
            .iter()
            .map(|e| label_lines(e, f.axis, font, width, max_lines))
            .collect();
        let cut = labels
            .iter()
            .filter(|(_, l)| l.last().is_some_and(|w| w.ends_with('…')))
            .count();
        let layout = place_labels(xs, labels, font, (PAD, H_WIDTH - PAD));
        let tall = layout.reach(Side::Above) + layout.reach(Side::Below);
        let better = best
            .as_ref()
            .is_none_or(|((c, t), _)| cut < *c || (cut == *c && tall < *t - 0.5));
        if better {
            best = Some(((cut, tall), layout));
        }
    }
    best.map(|(_, layout)| layout).unwrap_or_default()
}

fn horizontal(f: &Frame, id: &str) -> String {
    let mut body = String::new();
    let x_from = PAD + MARKER_R * EXTENT + 4.0;
    let scale = Scale {
        lo: f.lo,
        hi: f.hi,
        from: x_from,
        to: H_WIDTH - x_from,
    };
    let wanted: Vec<f64> = f.events.iter().map(|e| scale.at(e.at)).collect();
    let (xs, gap) = dodge(&wanted, SPREAD_GAP, scale.from, scale.to);
    let r = MARKER_R.min(gap / 3.0);
    let layout = layout_labels(f, &xs);

    // Top to bottom: the window's caption, the labels above, the markers on the event
    // line, the labels below; then the time axis (ticks at the events' true times,
    // joined to their markers by stems), the brackets, the captions and the legend.
    let band_caption = f.window.is_some().then_some(PAD + 12.0);
    let top = if band_caption.is_some() {
        PAD + 20.0
    } else {
        PAD
    };
    let above = layout.reach(Side::Above);
    let below = layout.reach(Side::Below);
    let marker_y = top + above + LABEL_GAP + MARKER_R * EXTENT;
    let near_above = marker_y - MARKER_R * EXTENT - LABEL_GAP / 2.0;
    let near_below = marker_y + MARKER_R * EXTENT + LABEL_GAP / 2.0;
    let bottom = near_below + below;
    let axis_y = bottom + 14.0;

    if let Some(w) = &f.window {
        band(&mut body, id, &scale, w, (top - 4.0, axis_y));
    }
    line(
        &mut body,
        "axis event-line",
        (PAD, marker_y),
        (H_WIDTH - PAD, marker_y),
    );
    line(&mut body, "axis", (PAD, axis_y), (H_WIDTH - PAD, axis_y));
    let mut y = if f.timed() {
        time_axis(&mut body, f, &scale, (axis_y - 6.0, axis_y))
    } else {
        axis_y
    };
    // Where each label's lines go and its pole's far end.
    let boxes: Vec<(f64, f64)> = layout
        .labels
        .iter()
        .map(|l| match l.side {
            Side::Above => (near_above - l.off - l.height(), near_above - l.off),
            Side::Below => (near_below + l.off, near_below + l.off + l.height()),
        })
        .collect();
    if f.timed() {
        // A tick at each event's true time on the axis (markers are spread apart on
        // the event line where events crowd).
        for (e, &want) in f.events.iter().zip(&wanted) {
            let class = if e.timed { "stem" } else { "stem untimed" };
            line(&mut body, class, (want, axis_y), (want, axis_y - 5.0));
        }
    }
    for ((l, &x), &(t, b)) in layout.labels.iter().zip(&xs).zip(&boxes) {
        match l.side {
            Side::Above => line(&mut body, "pole", (x, marker_y - r), (x, t + 2.0)),
            Side::Below => line(&mut body, "pole", (x, marker_y + r), (x, b - 2.0)),
        }
    }
    for (e, &x) in f.events.iter().zip(&xs) {
        marker(&mut body, e, x, marker_y, r);
    }
    labels(&mut body, &layout, &boxes);
    if let (Some(w), Some(cy), Some(caption)) = (&f.window, band_caption, f.window_caption()) {
        let width = text_width(&caption, f.font(SMALL));
        let x = (scale.at(w.start) + 4.0).clamp(PAD, H_WIDTH - PAD - width);
        text(&mut body, "sm mut", x, cy, "start", &caption);
    }
    for (m, verb) in [(&f.detect, "detected"), (&f.resolve, "resolved")] {
        if let Some(m) = m {
            y += 18.0;
            let caption = format!("{verb} after {}", duration(m.minutes as f64));
            y += bracket(&mut body, f, &scale, m, y, &caption);
        }
    }
    y = captions(&mut body, f, y + 18.0);
    y = legend(&mut body, f, PAD, H_WIDTH - PAD, y + 4.0);
    svg("tl-h", id, (H_WIDTH, y + PAD), f, &body)
}

/// The outage window as a shaded band from `top` down to the axis; an unknown end
/// fades out behind a dashed edge.
fn band(out: &mut String, id: &str, scale: &Scale, w: &Window, (top, axis_y): (f64, f64)) {
    let (a, b) = (scale.at(w.start), scale.at(w.end));
    let fill = (!w.end_known).then(|| {
        fade(out, id, false);
        format!("url(#{id}-fade)")
    });
    rect(out, "band", a, top, b - a, axis_y - top, fill.as_deref());
    line(out, "edge", (a, top), (a, axis_y));
    let end_class = if w.end_known { "edge" } else { "edge open" };
    line(out, end_class, (b, top), (b, axis_y));
}

/// The placed labels: the time in monospace, then the words, line under line (a
/// `<text>` a line, in a group per label).
fn labels(out: &mut String, layout: &LabelLayout, boxes: &[(f64, f64)]) {
    for (l, &(top, _)) in layout.labels.iter().zip(boxes) {
        let (x, anchor) = if l.leftwards {
            (l.right, "end")
        } else {
            (l.left, "start")
        };
        out.push_str("<g class=\"lbl\">");
        for (k, words) in l.lines.iter().enumerate() {
            let _ = write!(
                out,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\">",
                num(x),
                num(top + (k + 1) as f64 * LINE_H - 3.0),
            );
            if k == 0
                && let Some(t) = &l.time
            {
                let _ = write!(out, "<tspan class=\"tm\">{t}</tspan> ");
            }
            let _ = write!(out, "{}</text>", escape(words));
        }
        out.push_str("</g>");
    }
}

/// The zone, at the left. Returns its baseline.
fn captions(out: &mut String, f: &Frame, y: f64) -> f64 {
    let zone = fit_with_room(&f.zone_caption(), f.font(SMALL), H_WIDTH - 2.0 * PAD);
    text(out, "sm mut", PAD, y, "start", &zone);
    y
}

/// Ticks with clock labels, dates where the day changes, dashed lines at midnight.
/// Returns the y below the labels.
fn time_axis(out: &mut String, f: &Frame, scale: &Scale, (top, axis_y): (f64, f64)) -> f64 {
    let (step, ticks) = ticks(f.lo, f.hi);
    let days = step >= DAY;
    let mut last_day = None;
    let mut dated = false;
    let tick_font = f.font(if days { SMALL } else { SMALL_MONO });
    for &t in &ticks {
        let x = scale.at(t as f64);
        line(out, "tick", (x, axis_y), (x, axis_y + 5.0));
        let day = t.div_euclid(DAY);
        let label = if days {
            f.day_name(day)
        } else {
            clock(t as f64)
        };
        let w = text_width(&label, tick_font);
        let lx = x.clamp(PAD + w / 2.0, H_WIDTH - PAD - w / 2.0);
        let class = if days { "sm" } else { "tm sm" };
        text(out, class, lx, axis_y + 17.0, "middle", &label);
        // Dates under the clock where the day changes, and under the first tick when
        // dates were written ("next day" needs no first day to refer to).
        let show_day =
            !days && last_day != Some(day) && (last_day.is_some() || f.axis == Axis::Dated);
        if show_day {
            let name = f.day_name(day);
            let w = text_width(&name, f.font(SMALL));
            let lx = x.clamp(PAD + w / 2.0, H_WIDTH - PAD - w / 2.0);
            text(out, "sm mut", lx, axis_y + 29.0, "middle", &name);
            dated = true;
        }
        last_day = Some(day);
    }
    if !days {
        let midnights: Vec<i64> = (day_of(f.lo) + 1..=day_of(f.hi))
            .map(|d| d * DAY)
            .filter(|&m| (m as f64) > f.lo && (m as f64) < f.hi)
            .collect();
        if midnights.len() <= 6 {
            for m in midnights {
                let x = scale.at(m as f64);
                line(out, "grid", (x, top), (x, axis_y));
            }
        }
    }
    axis_y + if dated { 29.0 } else { 17.0 }
}

/// A thin arrow below the axis from the origin to a milestone, with its caption beside
/// it where there is room, else under it. Returns the extra height taken.
fn bracket(
    out: &mut String,
    f: &Frame,
    scale: &Scale,
    m: &Milestone,
    baseline: f64,
    caption: &str,
) -> f64 {
    let (a, b) = (scale.at(m.from), scale.at(m.to));
    let ly = baseline - 4.0;
    line(out, "bracket", (a, ly - 4.0), (a, ly + 4.0));
    line(out, "bracket", (a, ly), (b, ly));
    if b - a >= 8.0 {
        let _ = write!(
            out,
            "<polygon class=\"arrow\" points=\"{},{} {},{} {},{}\"/>",
            num(b),
            num(ly),
            num(b - 6.0),
            num(ly - 3.5),
            num(b - 6.0),
            num(ly + 3.5)
        );
    } else {
        line(out, "bracket", (b, ly - 4.0), (b, ly + 4.0));
    }
    let w = text_width(caption, f.font(SMALL));
    if b + 6.0 + w <= H_WIDTH - PAD {
        text(out, "sm", b + 6.0, baseline, "start", caption);
        0.0
    } else if a - 6.0 - w >= PAD {
        text(out, "sm", a - 6.0, baseline, "end", caption);
        0.0
    } else {
        // No room beside it: under the arrow's middle, which is then wide enough.
        let x = ((a + b) / 2.0).clamp(PAD + w / 2.0, H_WIDTH - PAD - w / 2.0);
        text(out, "sm", x, baseline + 13.0, "middle", caption);
        13.0
    }
}

/// `s`, cut with "…" when wider than `room`.
fn fit_with_room(s: &str, font: Font, room: f64) -> String {
    if text_width(s, font) <= room {
        s.to_owned()
    } else {
        fit_with_ellipsis(s, font, room)
    }
}

// ---------------------------------------------------------------------------------
// The vertical drawing, for phones

const V_WIDTH: f64 = 360.0;
const V_AXIS_X: f64 = 70.0;
const V_TEXT_X: f64 = 90.0;
const V_LINE_H: f64 = 14.0;
const V_MAX_LINES: usize = 5;
/// A pause between two timed entries long enough to be pointed out.
const V_LONG_GAP: f64 = 60.0;

struct VRow {
    cy: f64,
    time: Option<String>,
    day: Option<String>,
    lines: Vec<String>,
    gap_note: Option<(f64, String)>,
}

fn vertical(f: &Frame, id: &str) -> String {
    let mut body = String::new();
    let top = vertical_head(&mut body, f, id);
    let (rows, bottom) = vertical_rows(f, top);
    if let Some(w) = &f.window {
        vertical_band(&mut body, f, w, &rows, id);
    }
    if let (Some(first), Some(last)) = (rows.first(), rows.last()) {
        line(&mut body, "axis", (V_AXIS_X, first.cy), (V_AXIS_X, last.cy));
    }
    for (e, row) in f.events.iter().zip(&rows) {
        if let Some((gy, note)) = &row.gap_note {
            text(&mut body, "sm mut", V_TEXT_X, *gy, "start", note);
        }
        match &row.time {
            Some(t) => text(&mut body, "tm", PAD, row.cy + 4.0, "start", t),
            // An untimed entry among timed ones says so; when none has a time, the
            // caption does.
            None if f.timed() => text(&mut body, "tm mut", PAD, row.cy + 4.0, "start", "–"),
            None => {}
        }
        if let Some(d) = &row.day {
            let d = fit_with_room(d, f.font(SMALL), V_AXIS_X - MARKER_R * EXTENT - PAD - 4.0);
            text(&mut body, "sm mut", PAD, row.cy + 17.0, "start", &d);
        }
        marker(&mut body, e, V_AXIS_X, row.cy, MARKER_R);
        for (k, l) in row.lines.iter().enumerate() {
            let baseline = row.cy + 4.0 + k as f64 * V_LINE_H;
            text(&mut body, "lbl", V_TEXT_X, baseline, "start", l);
        }
    }
    svg("tl-v", id, (V_WIDTH, bottom + PAD), f, &body)
}

/// The legend and the captions: zone, outage, time to detect and to resolve. Returns
/// the y where the rows begin.
fn vertical_head(out: &mut String, f: &Frame, id: &str) -> f64 {
    let open_end = f.window.as_ref().is_some_and(|w| !w.end_known);
    if open_end {
        fade(out, id, true);
    }
    let room = V_WIDTH - 2.0 * PAD;
    let mut y = legend(out, f, PAD, V_WIDTH - PAD, PAD - 4.0) + 18.0;
    let zone = fit_with_room(&f.zone_caption(), f.font(SMALL), room);
    text(out, "sm mut", PAD, y, "start", &zone);
    if let Some(caption) = f.window_caption() {
        y += 16.0;
        let fill = open_end.then(|| format!("url(#{id}-fade)"));
        rect(
            out,
            "band swatch",
            PAD,
            y - 9.0,
            12.0,
            11.0,
            fill.as_deref(),
        );
        let caption = fit_with_room(&caption, f.font(SMALL), room - 18.0);
        text(out, "sm", PAD + 18.0, y, "start", &caption);
    }
    for (m, verb) in [(&f.detect, "detected"), (&f.resolve, "resolved")] {
        if let Some(m) = m {
            y += 15.0;
            let fact = format!("{verb} after {}", duration(m.minutes as f64));
            text(
                out,
                "sm",
                PAD,
                y,
                "start",
                &fit_with_room(&fact, f.font(SMALL), room),
            );
        }
    }
    y + 12.0
}

/// One row per entry from `y` down, with a note before a long pause. Returns the rows
/// and the y below the last.
fn vertical_rows(f: &Frame, mut y: f64) -> (Vec<VRow>, f64) {
    let text_room = V_WIDTH - PAD - V_TEXT_X;
    let mut rows: Vec<VRow> = Vec::with_capacity(f.events.len());
    let mut prev: Option<&Event> = None;
    let mut shown_day = None;
    for e in &f.events {
        let gap_note = prev
            .filter(|p| p.timed && e.timed && e.at - p.at >= V_LONG_GAP)
            .map(|p| {
                y += 16.0;
                (y - 2.0, format!("⋯ {} later", duration(e.at - p.at)))
            });
        let lines = wrap(&e.text, f.font(LABEL), text_room, V_MAX_LINES);
        let time = (e.timed && f.timed()).then(|| clock(e.at));
        // The day under the time wherever it changes, when the timeline spans days.
        let day = (e.timed && f.multi_day() && shown_day != Some(day_of(e.at))).then(|| {
            shown_day = Some(day_of(e.at));
            f.day_name(day_of(e.at))
        });
        let least = if day.is_some() { 38.0 } else { 30.0 };
        let tall = (lines.len() as f64 * V_LINE_H + 12.0).max(least);
        rows.push(VRow {
            cy: y + 12.0,
            time,
            day,
            lines,
            gap_note,
        });
        y += tall;
        prev = Some(e);
    }
    (rows, y)
}

/// The outage window along the axis, over the rows of the entries inside it.
fn vertical_band(out: &mut String, f: &Frame, w: &Window, rows: &[VRow], id: &str) {
    let inside = f
        .events
        .iter()
        .zip(rows)
        .filter(|(e, _)| e.at >= w.start - 0.5 && e.at <= w.end + 0.5)
        .map(|(_, r)| r.cy);
    if let Some((a, b)) = bounds(inside) {
        let fill = (!w.end_known).then(|| format!("url(#{id}-fade)"));
        let (top, bottom) = (a - 14.0, b + 14.0);
        rect(
            out,
            "band",
            V_AXIS_X - 9.0,
            top,
            18.0,
            bottom - top,
            fill.as_deref(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Moment, Outage, Score, Severity, TimelineEntry};
    use chrono::NaiveTime;
    use std::path::Path;

    fn t(h: u32, m: u32) -> Local {
        Local::Time(NaiveTime::from_hms_opt(h, m, 0).expect("valid time"))
    }

    /// "2024-03-10 22:00"
    fn dt(s: &str) -> Local {
        Local::DateTime(
            NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("valid date-time"),
        )
    }

    fn moment(local: Local, offset: Option<i32>) -> Moment {
        Moment::new(local, offset, local.to_string(), 1)
    }

    /// A postmortem with these entries and every other field empty.
    fn pm(entries: &[(Option<Local>, EntryKind, &str)]) -> Postmortem {
        Postmortem {
            index: 0,
            slug: "test".into(),
            title: "Test outage".into(),
            lines: [1, 1],
            word_count: 0,
            outage: Outage::default(),
            timeline: entries
                .iter()
                .enumerate()
                .map(|(i, &(time, kind, text))| TimelineEntry {
                    time,
                    text: text.into(),
                    kind,
                    line: i as u32 + 1,
                })
                .collect(),
            time_to_detect_minutes: None,
            time_to_resolve_minutes: None,
            root_cause: None,
            tasks: Vec::new(),
            tags: Vec::new(),
            checks: Vec::new(),
            score: Score::default(),
            sections: Vec::new(),
            author: None,
            origin: None,
            date: None,
            collection: None,
            summary: None,
            severity: Severity::Unknown,
            severity_basis: String::new(),
            category: None,
            humorous: false,
        }
    }

    fn with_window(mut p: Postmortem, start: Option<Local>, end: Option<Local>) -> Postmortem {
        let off = p.outage.utc_offset_minutes;
        p.outage.start = start.map(|l| moment(l, off));
        p.outage.end = end.map(|l| moment(l, off));
        p
    }

    const KINDS: [EntryKind; 7] = EntryKind::ALL;

    /// A numeric attribute, written with at most one decimal.
    fn attr(n: roxmltree::Node, name: &str) -> Option<f64> {
        n.attribute(name).map(|v| {
            assert!(one_decimal(v), "{name}=\"{v}\" has more than one decimal");
            v.parse()
                .unwrap_or_else(|_| panic!("{name}=\"{v}\" is not a number"))
        })
    }

    fn one_decimal(v: &str) -> bool {
        v.split_once('.').is_none_or(|(_, d)| d.len() <= 1)
    }

    fn has_class(n: roxmltree::Node, class: &str) -> bool {
        n.attribute("class")
            .is_some_and(|c| c.split_whitespace().any(|t| t == class))
    }

    /// The font a text element or tspan is drawn in, from its classes.
    fn font_of(n: roxmltree::Node, inherited: Option<Font>) -> Font {
        let mut font = if has_class(n, "num") {
            NUM
        } else {
            match (has_class(n, "tm"), has_class(n, "sm")) {
                (true, true) => SMALL_MONO,
                (true, false) => Font {
                    size: inherited.map_or(11.0, |f| f.size),
                    mono: true,
                    bold: false,
                },
                (false, true) => SMALL,
                (false, false) => inherited.unwrap_or(LABEL),
            }
        };
        if let Some(size) = attr(n, "font-size") {
            font.size = size;
        }
        font
    }

    /// The estimated box of a `<text>`: x from its anchor and estimated width, y from
    /// its baseline.
    fn text_box(n: roxmltree::Node) -> (f64, f64, f64, f64) {
        let font = font_of(n, None);
        let width: f64 = n
            .children()
            .map(|c| {
                if c.is_text() {
                    text_width(c.text().unwrap_or(""), font)
                } else {
                    let inner = font_of(c, Some(font));
                    text_width(c.text().unwrap_or(""), inner)
                }
            })
            .sum();
        let x = attr(n, "x").expect("text has x");
        let y = attr(n, "y").expect("text has y");
        let left = match n.attribute("text-anchor") {
            Some("middle") => x - width / 2.0,
            Some("end") => x - width,
            _ => x,
        };
        (
            left,
            y - font.size * 0.8,
            left + width,
            y + font.size * 0.25,
        )
    }

    fn overlap(a: (f64, f64, f64, f64), b: (f64, f64, f64, f64)) -> bool {
        a.0 < b.2 - 0.05 && b.0 < a.2 - 0.05 && a.1 < b.3 - 0.05 && b.1 < a.3 - 0.05
    }

    /// The bounding box of a marker's shape.
    fn shape_box(g: roxmltree::Node) -> (f64, f64, f64, f64) {
        let mut xs = Vec::new();
        let mut ys = Vec::new();
        for s in g.children().filter(|c| has_class(*c, "shape")) {
            if let (Some(cx), Some(cy), Some(r)) = (attr(s, "cx"), attr(s, "cy"), attr(s, "r")) {
                xs.extend([cx - r, cx + r]);
                ys.extend([cy - r, cy + r]);
            }
            for p in s.attribute("points").unwrap_or("").split_whitespace() {
                let (x, y) = p.split_once(',').expect("x,y");
                xs.push(x.parse().expect("number"));
                ys.push(y.parse().expect("number"));
            }
        }
        let (x0, x1) = bounds(xs.into_iter()).expect("marker has a shape");
        let (y0, y1) = bounds(ys.into_iter()).expect("marker has a shape");
        (x0, y0, x1, y1)
    }

    /// Well-formed, one marker per entry, everything inside the viewBox, no text over
    /// other text, no marker over another.
    fn assert_valid(svg: &str, entries: usize) {
        let doc = roxmltree::Document::parse(svg)
            .unwrap_or_else(|e| panic!("not well-formed: {e}\n{svg}"));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert!(root.attribute("width").is_none() && root.attribute("height").is_none());
        let labelled = root.attribute("aria-labelledby").expect("aria-labelledby");
        for id in labelled.split_whitespace() {
            assert!(
                doc.descendants().any(|n| n.attribute("id") == Some(id)),
                "no #{id}"
            );
        }
        let vb: Vec<f64> = root
            .attribute("viewBox")
            .expect("viewBox")
            .split_whitespace()
            .map(|v| v.parse().expect("number"))
            .collect();
        let (w, h) = (vb[2], vb[3]);
        assert!(!svg.contains("<script"), "raw <script in {svg}");

        let markers: Vec<_> = doc
            .descendants()
            .filter(|n| n.attribute("class").is_some_and(|c| c.contains("marker")))
            .collect();
        assert_eq!(markers.len(), entries, "one marker per entry");
        for m in &markers {
            assert!(
                m.children().any(|c| c.has_tag_name("title")),
                "marker has a title"
            );
        }

        let in_x = |v: f64, what: &str| {
            assert!((-0.05..=w + 0.05).contains(&v), "{what}={v} outside 0..{w}")
        };
        let in_y = |v: f64, what: &str| {
            assert!((-0.05..=h + 0.05).contains(&v), "{what}={v} outside 0..{h}")
        };
        let mut texts = Vec::new();
        for n in doc.descendants().filter(|n| n.is_element()) {
            if n.ancestors().any(|a| a.has_tag_name("linearGradient")) {
                continue; // gradient vectors are fractions of the box they fill
            }
            for a in ["x", "x1", "x2", "cx"] {
                if let Some(v) = attr(n, a) {
                    in_x(v, a);
                }
            }
            for a in ["y", "y1", "y2", "cy"] {
                if let Some(v) = attr(n, a) {
                    in_y(v, a);
                }
            }
            if let (Some(x), Some(width)) = (attr(n, "x"), attr(n, "width")) {
                in_x(x + width, "x+width");
            }
            if let (Some(y), Some(height)) = (attr(n, "y"), attr(n, "height")) {
                in_y(y + height, "y+height");
            }
            if let (Some(cx), Some(cy), Some(r)) = (attr(n, "cx"), attr(n, "cy"), attr(n, "r")) {
                in_x(cx - r, "cx-r");
                in_x(cx + r, "cx+r");
                in_y(cy - r, "cy-r");
                in_y(cy + r, "cy+r");
            }
            for p in n.attribute("points").unwrap_or("").split_whitespace() {
                let (x, y) = p.split_once(',').expect("x,y");
                assert!(one_decimal(x) && one_decimal(y), "points {p}");
                in_x(x.parse().expect("number"), "points x");
                in_y(y.parse().expect("number"), "points y");
            }
            if n.has_tag_name("text") {
                let b = text_box(n);
                in_x(b.0, "text left");
                in_x(b.2, "text right");
                in_y(b.1, "text top");
                in_y(b.3, "text bottom");
                let words: String = n.descendants().filter_map(|d| d.text()).collect();
                texts.push((b, words));
            }
        }
        for (i, (a, ta)) in texts.iter().enumerate() {
            for (b, tb) in &texts[i + 1..] {
                assert!(
                    !overlap(*a, *b),
                    "texts overlap: {ta:?} {a:?} and {tb:?} {b:?}"
                );
            }
        }
        let boxes: Vec<_> = markers.iter().map(|m| shape_box(*m)).collect();
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[i + 1..] {
                let (ca, cb) = (((a.0 + a.2) / 2.0), ((b.0 + b.2) / 2.0));
                let (ra, rb) = ((a.2 - a.0) / 2.0, (b.2 - b.0) / 2.0);
                let (ya, yb) = (((a.1 + a.3) / 2.0), ((b.1 + b.3) / 2.0));
                // Shapes are round-ish: compare their centres' distance with their reach.
                let d = ((ca - cb).powi(2) + (ya - yb).powi(2)).sqrt();
                assert!(d >= (ra + rb) * 0.85, "markers overlap: {a:?} {b:?}");
            }
        }
    }

    fn assert_diagram(p: &Postmortem) -> Diagram {
        let d = draw(p, "pm-1").expect("a diagram");
        assert_valid(&d.horizontal, p.timeline.len());
        assert_valid(&d.vertical, p.timeline.len());
        assert!(d.horizontal.contains("class=\"tl-svg tl-h\""));
        assert!(d.vertical.contains("class=\"tl-svg tl-v\""));
        d
    }

    /// The x of each marker's number, in entry order.
    fn marker_xs(svg: &str) -> Vec<f64> {
        let doc = roxmltree::Document::parse(svg).expect("well-formed");
        doc.descendants()
            .filter(|n| has_class(*n, "num"))
            .map(|n| attr(n, "x").expect("x"))
            .collect()
    }

    #[test]
    fn a_dated_window_rolling_over_midnight() {
        let times = [
            "2024-03-10 22:00",
            "2024-03-10 22:10",
            "2024-03-10 22:25",
            "2024-03-10 22:40",
            "2024-03-10 23:05",
            "2024-03-10 23:30",
            "2024-03-11 00:15",
            "2024-03-11 00:50",
            "2024-03-11 01:20",
            "2024-03-11 02:00",
        ];
        let entries: Vec<_> = times
            .iter()
            .enumerate()
            .map(|(i, s)| {
                (
                    Some(dt(s)),
                    KINDS[i % 6],
                    "Something happened to the servers",
                )
            })
            .collect();
        let mut p = pm(&entries);
        p.outage.timezone = Some("WAT".into());
        p.outage.utc_offset_minutes = Some(60);
        p = with_window(
            p,
            Some(dt("2024-03-10 22:00")),
            Some(dt("2024-03-11 02:00")),
        );
        p.time_to_detect_minutes = Some(0);
        p.time_to_resolve_minutes = Some(240);
        let d = assert_diagram(&p);
        assert_eq!(draw(&p, "pm-1"), Some(d.clone()), "deterministic");
        assert!(d.horizontal.contains(">Mar 11<"), "the new day is dated");
        assert!(
            d.horizontal
                .contains("times in WAT (UTC+01:00); began 2024-03-10 21:00 UTC")
        );
        assert!(d.horizontal.contains("outage 4 h"));
        assert!(d.horizontal.contains("resolved after 4 h"));
        assert!(
            d.horizontal
                .contains("10 events from Mar 10 22:00 to Mar 11 02:00 WAT")
        );
        let xs = marker_xs(&d.horizontal);
        assert!(xs.windows(2).all(|w| w[0] < w[1]), "in time order: {xs:?}");
    }

    #[test]
    fn times_of_day_roll_over_midnight() {
        let seq = [
            Some(t(22, 0)),
            Some(t(23, 30)),
            Some(t(0, 15)),
            Some(t(1, 0)),
        ];
        let placed: Vec<i64> = place_times(&seq).into_iter().flatten().collect();
        assert_eq!(placed, [1320, 1410, 1455, 1500]);
        // A small step back is an entry out of order, not a day later.
        let placed = place_times(&[Some(t(11, 20)), Some(t(11, 15))]);
        assert_eq!(placed, [Some(680), Some(675)]);
        // Times before the first date are read backwards from it.
        let placed = place_times(&[Some(t(23, 50)), Some(dt("2024-03-11 00:10"))]);
        assert_eq!(placed[1].zip(placed[0]).map(|(b, a)| b - a), Some(20));

        let entries: Vec<_> = seq
            .iter()
            .zip(KINDS)
            .map(|(&time, kind)| (time, kind, "the clock keeps going"))
            .collect();
        let mut p = pm(&entries);
        p.outage.timezone = Some("IST".into());
        p.outage.timezone_note = Some("IST is ambiguous".into());
        p = with_window(p, Some(t(22, 0)), Some(t(1, 0)));
        let d = assert_diagram(&p);
        assert!(d.horizontal.contains(">next day<"));
        assert!(d.horizontal.contains("times in IST (offset unknown)"));
        assert!(d.horizontal.contains("outage 3 h"));
        let xs = marker_xs(&d.horizontal);
        assert!(xs.windows(2).all(|w| w[0] < w[1]), "in time order: {xs:?}");
    }

    #[test]
    fn untimed_entries_are_evenly_spaced_in_order() {
        let entries: Vec<_> = KINDS
            .iter()
            .map(|&k| (None, k, "we looked at it"))
            .collect();
        let d = assert_diagram(&pm(&entries));
        assert!(d.horizontal.contains("order of events (no times given)"));
        let xs = marker_xs(&d.horizontal);
        let gaps: Vec<f64> = xs.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(gaps.iter().all(|g| (g - gaps[0]).abs() < 0.2), "{gaps:?}");

        // Untimed entries between timed ones share the space between them.
        let at = fill_untimed(&[Some(600), None, None, Some(630)], None);
        assert_eq!(at, [600.0, 610.0, 620.0, 630.0]);
        let entries = [
            (Some(t(10, 0)), EntryKind::Detection, "alert"),
            (None, EntryKind::Investigation, "logs"),
            (Some(t(10, 30)), EntryKind::Resolution, "fixed"),
            (None, EntryKind::Other, "postmortem written"),
        ];
        let d = assert_diagram(&pm(&entries));
        let xs = marker_xs(&d.horizontal);
        assert!(xs.windows(2).all(|w| w[0] < w[1]), "order kept: {xs:?}");
        assert!(d.horizontal.contains("marker k-investigation untimed"));
    }

    #[test]
    fn a_single_entry_is_centred() {
        for time in [Some(t(9, 30)), None] {
            let d = assert_diagram(&pm(&[(time, EntryKind::Resolution, "fixed it")]));
            let xs = marker_xs(&d.horizontal);
            assert!((xs[0] - H_WIDTH / 2.0).abs() < 1.0, "{xs:?}");
        }
    }

    #[test]
    fn thirty_entries_within_twelve_minutes_stay_readable() {
        let entries: Vec<(Option<Local>, EntryKind, String)> = (0..30)
            .map(|i| {
                let time = dt(&format!("2024-05-01 10:{:02}", i * 12 / 30));
                (
                    Some(time),
                    KINDS[i % 7],
                    format!("Step {i}: restarted service number {i}"),
                )
            })
            .collect();
        let entries: Vec<_> = entries
            .iter()
            .map(|(a, b, c)| (*a, *b, c.as_str()))
            .collect();
        let mut p = pm(&entries);
        p = with_window(
            p,
            Some(dt("2024-05-01 10:00")),
            Some(dt("2024-05-01 10:12")),
        );
        let d = assert_diagram(&p);
        // Every entry keeps its label: the drawing grows taller instead.
        assert_eq!(d.horizontal.matches("<g class=\"lbl\">").count(), 30);
    }

    #[test]
    fn no_outage_window_draws_no_band() {
        let entries = [
            (Some(t(14, 0)), EntryKind::Detection, "alert fired"),
            (Some(t(14, 20)), EntryKind::Escalation, "paged the DBA"),
            (Some(t(15, 0)), EntryKind::Mitigation, "failover"),
        ];
        let d = assert_diagram(&pm(&entries));
        assert!(!d.horizontal.contains("class=\"band"));
        assert!(d.horizontal.contains("no timezone given"));
    }

    #[test]
    fn a_start_without_an_end_fades_out_at_the_last_entry() {
        let entries = [
            (Some(t(14, 0)), EntryKind::Detection, "alert fired"),
            (Some(t(15, 0)), EntryKind::Resolution, "fixed"),
        ];
        let p = with_window(pm(&entries), Some(t(13, 50)), None);
        let d = assert_diagram(&p);
        assert!(d.horizontal.contains("url(#pm-1-h-fade)"));
        assert!(d.horizontal.contains("id=\"pm-1-h-fade\""));
        assert!(d.horizontal.contains("outage (end not given)"));
        assert!(d.vertical.contains("id=\"pm-1-v-fade\""));
    }

    #[test]
    fn a_fourteen_day_window() {
        let entries = [
            (
                Some(dt("2024-01-01 09:00")),
                EntryKind::Detection,
                "first report",
            ),
            (
                Some(dt("2024-01-03 12:00")),
                EntryKind::Investigation,
                "dug in",
            ),
            (
                Some(dt("2024-01-08 16:00")),
                EntryKind::Misleading,
                "blamed DNS",
            ),
            (
                Some(dt("2024-01-15 09:00")),
                EntryKind::Resolution,
                "finally fixed",
            ),
        ];
        let p = with_window(
            pm(&entries),
            Some(dt("2024-01-01 09:00")),
            Some(dt("2024-01-15 09:00")),
        );
        let d = assert_diagram(&p);
        assert!(d.horizontal.contains("outage 14 d"));
        let f = Frame::new(&p);
        let (step, ticks) = ticks(f.lo, f.hi);
        assert!(
            step >= DAY && (4..=9).contains(&ticks.len()),
            "{step} {ticks:?}"
        );
    }

    #[test]
    fn hostile_text_is_escaped() {
        let evil = "<script>alert(1)</script> & \"quotes\" 'apostrophes' \u{1}\u{0}]]>";
        let mut p = pm(&[
            (Some(t(1, 0)), EntryKind::Detection, evil),
            (None, EntryKind::Other, evil),
        ]);
        p.title = evil.into();
        p.outage.timezone = Some(evil.into());
        let d = draw(&p, "x\"><script>").expect("a diagram");
        assert_valid(&d.horizontal, 2);
        assert_valid(&d.vertical, 2);
        assert!(d.horizontal.contains("&lt;script&gt;"));
        assert!(
            d.vertical
                .contains("&quot;quotes&quot; &#39;apostrophes&#39;")
        );
    }

    #[test]
    fn no_entries_no_diagram() {
        assert!(draw(&pm(&[]), "x").is_none());
    }

    #[test]
    fn placed_labels_never_overlap_nor_cross_poles() {
        // A small deterministic generator, so the case is the same on every run.
        let mut seed: u64 = 7;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as f64 / (1u64 << 31) as f64
        };
        let (mut crossings, mut pairs) = (0, 0);
        for round in 0..60 {
            let n = 1 + round % 25;
            pairs += n * (n - 1);
            let wanted: Vec<f64> = (0..n).map(|_| 20.0 + next() * 840.0).collect();
            let (poles, _) = dodge(&wanted, SPREAD_GAP, 20.0, 860.0);
            let labels: Vec<Label> = (0..n)
                .map(|i| {
                    let words = "word ".repeat(2 + (next() * 20.0) as usize);
                    let e = Event {
                        n: i + 1,
                        kind: EntryKind::Other,
                        text: words.trim().to_owned(),
                        time: None,
                        at: i as f64,
                        timed: true,
                    };
                    label_lines(&e, Axis::TimeOfDay, LABEL, 140.0, LABEL_LINES)
                })
                .collect();
            let layout = place_labels(&poles, labels, LABEL, (PAD, H_WIDTH - PAD));
            assert_eq!(layout.labels.len(), n, "every label placed");
            let far = |l: &Placed| l.off + l.height();
            for (i, a) in layout.labels.iter().enumerate() {
                assert!(a.left >= PAD - 1e-9 && a.right <= H_WIDTH - PAD + 1e-9);
                for (j, b) in layout.labels.iter().enumerate() {
                    if i == j || a.side != b.side {
                        continue;
                    }
                    let apart_across = a.right <= b.left || b.right <= a.left;
                    let _ = i;
                    let apart_along = far(a) <= b.off || far(b) <= a.off;
                    assert!(apart_across || apart_along, "labels overlap: {a:?} {b:?}");
                    // b's pole reaches out to b's far edge: it never runs through a
                    // nearer label a, but where labels cover each other's poles in a
                    // ring (then one pole must cross); count those.
                    if poles[j] > a.left && poles[j] < a.right && b.off > a.off {
                        crossings += 1;
                    }
                }
            }
        }
        assert!(
            crossings * 200 <= pairs,
            "{crossings} crossings in {pairs} pairs"
        );
    }

    #[test]
    fn twelve_entries_keep_their_words() {
        let texts = [
            "The certificate of pay.example.com expired and every handshake started failing",
            "Monitoring alert fired for elevated 5xx errors on the checkout API",
            "On-call engineer acknowledged the page and opened the dashboards",
            "Suspected a bad deploy and rolled it back; nothing changed",
            "Customer support reported a flood of complaints",
            "Escalated to the platform team lead, Devon",
            "Devon noticed the handshake errors in the load balancer logs",
            "Confirmed with openssl that the certificate had expired",
            "Requested an emergency certificate from the authority",
            "New certificate issued and deployed to the load balancers",
            "Error rates dropped back to normal",
            "Incident closed after an hour of monitoring",
        ];
        let entries: Vec<(Option<Local>, EntryKind, &str)> = texts
            .iter()
            .enumerate()
            .map(|(i, s)| {
                (
                    Some(t(22 + (i as u32 * 9) / 60, (i as u32 * 9) % 60)),
                    KINDS[i % 7],
                    *s,
                )
            })
            .collect();
        let d = assert_diagram(&pm(&entries));
        let doc = roxmltree::Document::parse(&d.horizontal).unwrap();
        let shown: Vec<String> = doc
            .descendants()
            .filter(|n| has_class(*n, "lbl"))
            .map(|n| {
                n.descendants()
                    .filter(|d| d.is_text())
                    .filter_map(|d| d.text())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        assert_eq!(shown.len(), 12, "no label dropped");
        // No pole runs through a label: each pole's x is clear of every other label
        // it passes (labels are groups of lines; poles are the "pole" lines).
        let poles: Vec<(f64, f64, f64)> = doc
            .descendants()
            .filter(|n| has_class(*n, "pole"))
            .map(|n| {
                let (y1, y2) = (attr(n, "y1").unwrap(), attr(n, "y2").unwrap());
                (attr(n, "x1").unwrap(), y1.min(y2), y1.max(y2))
            })
            .collect();
        for g in doc.descendants().filter(|n| has_class(*n, "lbl")) {
            for t in g.children().filter(|c| c.has_tag_name("text")) {
                let b = text_box(t);
                let crossing = poles
                    .iter()
                    .filter(|(x, y1, y2)| {
                        *x > b.0 + 1.0 && *x < b.2 - 1.0 && *y1 < b.3 && *y2 > b.1
                    })
                    .count();
                assert_eq!(crossing, 0, "a pole runs through {b:?}");
            }
        }
        for (label, text) in shown.iter().zip(texts) {
            let words: String = label
                .split_whitespace()
                .skip(1)
                .collect::<Vec<_>>()
                .join(" ");
            assert!(!words.contains('…'), "cut: {label}");
            assert_eq!(words, text, "the label carries the whole entry");
        }
    }

    #[test]
    fn markers_are_spread_without_overlap() {
        let (xs, gap) = dodge(&[100.0, 100.0, 100.0, 500.0], 20.0, 0.0, 1000.0);
        assert_eq!(gap, 20.0);
        assert_eq!(xs, [80.0, 100.0, 120.0, 500.0]);
        // Kept within bounds, and squeezed when they cannot fit.
        let (xs, _) = dodge(&[0.0, 0.0], 20.0, 10.0, 1000.0);
        assert_eq!(xs, [10.0, 30.0]);
        let (xs, gap) = dodge(&[5.0; 11], 20.0, 0.0, 100.0);
        assert_eq!(gap, 10.0);
        assert_eq!(xs.last(), Some(&100.0));
    }

    #[test]
    fn ticks_are_round_and_few() {
        for span in [
            3.0, 12.0, 45.0, 100.0, 270.0, 600.0, 1500.0, 4000.0, 20160.0, 90000.0,
        ] {
            let (step, ticks) = ticks(1000.0, 1000.0 + span);
            assert!(STEPS.contains(&step) || step % (7 * DAY) == 0, "{step}");
            assert!((2..=9).contains(&ticks.len()), "{span}: {ticks:?}");
            assert!(ticks.iter().all(|t| t % step == 0));
        }
    }

    #[test]
    fn words_for_times_and_text() {
        assert_eq!(duration(15.0), "15 min");
        assert_eq!(duration(270.0), "4 h 30 min");
        assert_eq!(duration(120.0), "2 h");
        assert_eq!(duration(3.0 * 1440.0 + 250.0), "3 d 4 h");
        assert_eq!(num(12.345).to_string(), "12.3");
        assert_eq!(num(-0.01).to_string(), "0");
        assert_eq!(num(40.0).to_string(), "40");
        assert_eq!(utc_offset(-330), "UTC-05:30");
        assert_eq!(truncate("short", 10), "short");
        let cut = truncate("The database connection pool was exhausted again", 20);
        assert!(cut.ends_with('…') && cut.chars().count() <= 20, "{cut}");
        let lines = wrap(&"word ".repeat(60), LABEL, 200.0, 3);
        assert_eq!(lines.len(), 3);
        assert!(lines.iter().all(|l| text_width(l, LABEL) <= 200.0));
        assert!(lines[2].ends_with('…'));
        let long = wrap(&"x".repeat(200), LABEL, 100.0, 3);
        assert!(long.iter().all(|l| text_width(l, LABEL) <= 100.0));
        assert_eq!(escape("a<b>&\"'\u{7}"), "a&lt;b&gt;&amp;&quot;&#39;");
    }

    /// Every postmortem in `folder` gets valid diagrams.
    fn draws_cleanly(folder: &Path) {
        let config = crate::config::Config::default();
        let analyzer = crate::analyze::Analyzer::new(&config);
        assert!(folder.is_dir(), "{} is missing", folder.display());
        let mut drawn = 0;
        for src in crate::source::discover(folder).sources {
            for entry in analyzer.analyze(&src).entries {
                let p = &entry.postmortem;
                let Some(d) = draw(p, &p.slug) else {
                    assert!(p.timeline.is_empty());
                    continue;
                };
                let check = |svg: &str| {
                    let result = std::panic::catch_unwind(|| assert_valid(svg, p.timeline.len()));
                    assert!(result.is_ok(), "{}: {}", src.rel, p.slug);
                };
                check(&d.horizontal);
                check(&d.vertical);
                drawn += 1;
            }
        }
        assert!(drawn > 0, "nothing drawn from {}", folder.display());
    }

    #[test]
    fn every_postmortem_of_the_content_and_reading_fixtures_draws_cleanly() {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        draws_cleanly(&repo.join("content"));
        draws_cleanly(&repo.join("tests/fixtures/reading"));
    }

    #[test]
    #[ignore = "needs ../shared beside the checkout"]
    fn every_postmortem_of_the_corpus_draws_cleanly() {
        draws_cleanly(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/alx"));
    }
}
