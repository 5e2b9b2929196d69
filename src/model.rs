//! The plain data that flows through the pipeline: what a postmortem says, and how it
//! fared against the rubric. Nothing here knows how it was read or how it will be shown.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A local wall-clock reading as the writer gave it: with a date when one was stated,
/// otherwise only the time of day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Local {
    DateTime(NaiveDateTime),
    Time(NaiveTime),
}

impl Local {
    pub fn time(self) -> NaiveTime {
        match self {
            Local::DateTime(dt) => dt.time(),
            Local::Time(t) => t,
        }
    }

    pub fn date(self) -> Option<NaiveDate> {
        match self {
            Local::DateTime(dt) => Some(dt.date()),
            Local::Time(_) => None,
        }
    }

    /// Minutes since midnight of the reading's own day.
    pub fn minute_of_day(self) -> i64 {
        let t = self.time();
        i64::from(t.hour()) * 60 + i64::from(t.minute())
    }

    /// Minutes from `self` to `later`. Two times of day that go backwards are read as
    /// rolling over midnight, because that is what a writer means by "10 PM to 2 AM".
    pub fn minutes_until(self, later: Local) -> i64 {
        match (self, later) {
            (Local::DateTime(a), Local::DateTime(b)) => (b - a).num_minutes(),
            _ => {
                let d = later.minute_of_day() - self.minute_of_day();
                if d < 0 { d + 24 * 60 } else { d }
            }
        }
    }
}

impl fmt::Display for Local {
    /// `YYYY-MM-DDTHH:MM` or `HH:MM`, the schema's form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Local::DateTime(dt) => write!(f, "{}", dt.format("%Y-%m-%dT%H:%M")),
            Local::Time(t) => write!(f, "{}", t.format("%H:%M")),
        }
    }
}

/// A [`Local`] as binary formats keep it: whole, seconds and all (the text form, which
/// reports show, has minutes only).
#[derive(Serialize, Deserialize)]
enum Exact {
    DateTime(NaiveDateTime),
    Time(NaiveTime),
}

impl Serialize for Local {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            return s.collect_str(self);
        }
        match *self {
            Local::DateTime(dt) => Exact::DateTime(dt),
            Local::Time(t) => Exact::Time(t),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Local {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            let text = String::deserialize(d)?;
            return NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M")
                .map(Local::DateTime)
                .or_else(|_| NaiveTime::parse_from_str(&text, "%H:%M").map(Local::Time))
                .map_err(|_| serde::de::Error::custom(format!("not a local time: {text}")));
        }
        Ok(match Exact::deserialize(d)? {
            Exact::DateTime(dt) => Local::DateTime(dt),
            Exact::Time(t) => Local::Time(t),
        })
    }
}

/// A point of the outage window: what was read, where, and the UTC instant when the
/// date and zone make one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Moment {
    pub local: Local,
    /// RFC 3339, only when both the date and the zone's offset are known.
    pub utc: Option<String>,
    /// The words it was read from.
    pub text: String,
    pub line: u32,
}

impl Moment {
    pub fn new(local: Local, offset_minutes: Option<i32>, text: String, line: u32) -> Self {
        let utc = match (local, offset_minutes) {
            (Local::DateTime(dt), Some(off)) => {
                let utc = dt - chrono::Duration::minutes(i64::from(off));
                Some(utc.format("%Y-%m-%dT%H:%M:00Z").to_string())
            }
            _ => None,
        };
        Moment {
            local,
            utc,
            text,
            line,
        }
    }
}

/// The outage window and its reach, as the summary states them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Outage {
    pub start: Option<Moment>,
    pub end: Option<Moment>,
    /// As written: "UTC", "WAT", "GMT+1", "East Africa Time".
    pub timezone: Option<String>,
    pub utc_offset_minutes: Option<i32>,
    /// Why the offset is unknown, when a zone was written but cannot be placed.
    #[serde(skip_serializing_if = "crate::readings::left_out")]
    pub timezone_note: Option<String>,
    /// End minus start; where one is missing, the stated duration.
    pub duration_minutes: Option<i64>,
    /// The duration as stated in words, kept apart so it can be checked against the window.
    #[serde(skip_serializing_if = "crate::readings::left_out")]
    pub stated_duration_minutes: Option<i64>,
    pub users_affected_percent: Option<f64>,
    /// The service that was down or slow, when the summary names it.
    #[serde(skip_serializing_if = "crate::readings::left_out")]
    pub service: Option<String>,
}

/// What a timeline entry records, in the rubric's terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    Detection,
    Investigation,
    Misleading,
    Escalation,
    Mitigation,
    Resolution,
    Other,
}

impl EntryKind {
    pub const ALL: [EntryKind; 7] = [
        EntryKind::Detection,
        EntryKind::Investigation,
        EntryKind::Misleading,
        EntryKind::Escalation,
        EntryKind::Mitigation,
        EntryKind::Resolution,
        EntryKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Detection => "detection",
            EntryKind::Investigation => "investigation",
            EntryKind::Misleading => "misleading",
            EntryKind::Escalation => "escalation",
            EntryKind::Mitigation => "mitigation",
            EntryKind::Resolution => "resolution",
            EntryKind::Other => "other",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub time: Option<Local>,
    pub text: String,
    pub kind: EntryKind,
    pub line: u32,
}

/// The stable ids of RUBRIC.md: they appear in diagnostics, `site.toml`, JSON and pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CheckId {
    SummaryDuration,
    SummaryImpact,
    SummaryRootCause,
    TimelineDetectedWhen,
    TimelineDetectedHow,
    TimelineActions,
    TimelineMisleading,
    TimelineEscalation,
    TimelineResolution,
    RcaCause,
    RcaFix,
    MeasuresImprovements,
    MeasuresTasks,
    Length,
    TimelineFormat,
    TimelineOrder,
    DurationConsistent,
    English,
    Engaging,
}

impl CheckId {
    pub const ALL: [CheckId; 19] = [
        CheckId::SummaryDuration,
        CheckId::SummaryImpact,
        CheckId::SummaryRootCause,
        CheckId::TimelineDetectedWhen,
        CheckId::TimelineDetectedHow,
        CheckId::TimelineActions,
        CheckId::TimelineMisleading,
        CheckId::TimelineEscalation,
        CheckId::TimelineResolution,
        CheckId::RcaCause,
        CheckId::RcaFix,
        CheckId::MeasuresImprovements,
        CheckId::MeasuresTasks,
        CheckId::Length,
        CheckId::TimelineFormat,
        CheckId::TimelineOrder,
        CheckId::DurationConsistent,
        CheckId::English,
        CheckId::Engaging,
    ];

    /// The 13 checks that make up the course's "n/13".
    pub const MANDATORY: usize = 13;

    pub fn as_str(self) -> &'static str {
        match self {
            CheckId::SummaryDuration => "summary-duration",
            CheckId::SummaryImpact => "summary-impact",
            CheckId::SummaryRootCause => "summary-root-cause",
            CheckId::TimelineDetectedWhen => "timeline-detected-when",
            CheckId::TimelineDetectedHow => "timeline-detected-how",
            CheckId::TimelineActions => "timeline-actions",
            CheckId::TimelineMisleading => "timeline-misleading",
            CheckId::TimelineEscalation => "timeline-escalation",
            CheckId::TimelineResolution => "timeline-resolution",
            CheckId::RcaCause => "rca-cause",
            CheckId::RcaFix => "rca-fix",
            CheckId::MeasuresImprovements => "measures-improvements",
            CheckId::MeasuresTasks => "measures-tasks",
            CheckId::Length => "length",
            CheckId::TimelineFormat => "timeline-format",
            CheckId::TimelineOrder => "timeline-order",
            CheckId::DurationConsistent => "duration-consistent",
            CheckId::English => "english",
            CheckId::Engaging => "engaging",
        }
    }

    pub fn parse(s: &str) -> Option<CheckId> {
        CheckId::ALL.into_iter().find(|id| id.as_str() == s)
    }

    pub fn is_mandatory(self) -> bool {
        (self as usize) < Self::MANDATORY
    }

    /// The level a check has unless `site.toml` or front matter says otherwise.
    pub fn default_level(self) -> Level {
        match self {
            CheckId::Engaging => Level::Info,
            id if id.is_mandatory() => Level::Error,
            _ => Level::Warning,
        }
    }

    /// The rubric's section a check belongs to, for grouping on pages.
    pub fn section(self) -> &'static str {
        match self {
            CheckId::SummaryDuration | CheckId::SummaryImpact | CheckId::SummaryRootCause => {
                "Summary"
            }
            CheckId::TimelineDetectedWhen
            | CheckId::TimelineDetectedHow
            | CheckId::TimelineActions
            | CheckId::TimelineMisleading
            | CheckId::TimelineEscalation
            | CheckId::TimelineResolution
            | CheckId::TimelineFormat
            | CheckId::TimelineOrder => "Timeline",
            CheckId::RcaCause | CheckId::RcaFix => "Root cause and resolution",
            CheckId::MeasuresImprovements | CheckId::MeasuresTasks => "Corrective measures",
            CheckId::Length
            | CheckId::DurationConsistent
            | CheckId::English
            | CheckId::Engaging => "Whole postmortem",
        }
    }
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CheckId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CheckId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let id = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        CheckId::parse(&id).ok_or_else(|| serde::de::Error::custom(format!("no check {id}")))
    }
}

/// How much a failing check matters, like a clippy lint level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Allow,
    Info,
    Warning,
    Error,
}

impl Level {
    /// Reads the names people use in `site.toml` and front matter: clippy's
    /// allow / warn / deny as well as the report's own words.
    pub fn parse(s: &str) -> Option<Level> {
        match s.trim().to_ascii_lowercase().as_str() {
            "allow" | "off" | "ignore" => Some(Level::Allow),
            "info" | "note" | "optional" => Some(Level::Info),
            "warn" | "warning" => Some(Level::Warning),
            "deny" | "error" | "forbid" => Some(Level::Error),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    Skip,
}

/// One check's verdict with its evidence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    pub id: CheckId,
    pub status: Status,
    pub level: Level,
    /// The evidence line: what satisfied it, or where it was expected.
    pub line: Option<u32>,
    pub message: String,
    /// How to fix it; only for failures.
    #[serde(skip_serializing_if = "crate::readings::left_out")]
    pub help: Option<String>,
}

impl CheckResult {
    pub fn passed(&self) -> bool {
        self.status == Status::Pass
    }
}

/// The course's score: the mandatory checks passed, and the optional task.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Score {
    pub passed: usize,
    pub of: usize,
    pub optional_passed: usize,
    pub optional_of: usize,
    /// mandatory ratio + mandatory ratio × optional ratio, in percent (200 at best).
    pub percent: f64,
}

impl Score {
    pub fn from_checks(checks: &[CheckResult]) -> Score {
        let mandatory = checks.iter().filter(|c| c.id.is_mandatory());
        let passed = mandatory.clone().filter(|c| c.passed()).count();
        let of = CheckId::MANDATORY;
        let optional_passed = checks
            .iter()
            .any(|c| c.id == CheckId::Engaging && c.passed())
            as usize;
        let ratio = passed as f64 / of as f64;
        let percent = 100.0 * (ratio + ratio * optional_passed as f64);
        Score {
            passed,
            of,
            optional_passed,
            optional_of: 1,
            percent: (percent * 10.0).round() / 10.0,
        }
    }

    pub fn is_perfect(&self) -> bool {
        self.passed == self.of
    }
}

/// The part of a postmortem a heading opens, in the rubric's terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SectionKind {
    Summary,
    Timeline,
    RootCause,
    Resolution,
    RootCauseResolution,
    Measures,
    Tasks,
    Other,
}

/// Where a section of the postmortem sits in its file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SectionSpan {
    pub kind: SectionKind,
    pub heading: String,
    /// The heading's line, or the first line where the section has no heading.
    pub line: u32,
    pub end_line: u32,
}

/// Everything Hindsight knows about one postmortem.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Postmortem {
    /// 0 for the first postmortem in the file.
    pub index: usize,
    pub slug: String,
    pub title: String,
    /// First and last line of this postmortem in its file.
    pub lines: [u32; 2],
    pub word_count: usize,
    pub outage: Outage,
    pub timeline: Vec<TimelineEntry>,
    pub time_to_detect_minutes: Option<i64>,
    pub time_to_resolve_minutes: Option<i64>,
    pub root_cause: Option<String>,
    pub tasks: Vec<String>,
    pub tags: Vec<String>,
    pub checks: Vec<CheckResult>,
    pub score: Score,
    pub sections: Vec<SectionSpan>,
    pub author: Option<String>,
    /// Where the text came from (the front matter's `source` and `commit`, which
    /// `hindsight import` writes), for the page's link back to it.
    #[serde(default, skip_serializing_if = "crate::readings::left_out")]
    pub origin: Option<Origin>,
    pub date: Option<NaiveDate>,
    pub collection: Option<String>,
    pub summary: Option<String>,
    pub severity: Severity,
    /// What the severity was based on, in words ("an outage for 40% of users lasting 2 h").
    pub severity_basis: String,
    pub category: Option<String>,
    pub humorous: bool,
}

/// Where a postmortem's text came from: the student's repository, at a commit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Origin {
    /// The address of the file at that commit; only ever an `http(s)` address, so a
    /// template may make it a link.
    pub url: Option<String>,
    pub commit: Option<String>,
    /// The commit's first 7 characters, as the page shows it.
    pub commit_short: Option<String>,
}

impl Origin {
    /// From the front matter's `source` and `commit`; `None` when it names neither. A
    /// `source` that is not an `http(s)` address is not kept as a link.
    pub fn new(source: Option<&str>, commit: Option<&str>) -> Option<Origin> {
        let url = source
            .map(str::trim)
            .filter(|s| {
                url::Url::parse(s)
                    .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            })
            .map(str::to_owned);
        let commit = commit
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned);
        if url.is_none() && commit.is_none() {
            return None;
        }
        let commit_short = commit.as_ref().map(|c| c.chars().take(7).collect());
        Some(Origin {
            url,
            commit,
            commit_short,
        })
    }
}

/// A file-level problem: unreadable, binary, malformed front matter, not a postmortem.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub level: Level,
    pub message: String,
    pub line: Option<u32>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>, line: Option<u32>) -> Self {
        Diagnostic {
            level: Level::Error,
            message: message.into(),
            line,
        }
    }

    pub fn warning(message: impl Into<String>, line: Option<u32>) -> Self {
        Diagnostic {
            level: Level::Warning,
            message: message.into(),
            line,
        }
    }

    pub fn info(message: impl Into<String>, line: Option<u32>) -> Self {
        Diagnostic {
            level: Level::Info,
            message: message.into(),
            line,
        }
    }
}

/// A rough severity from the share of users affected and the outage's length, so a
/// gallery can sort and badge incidents without reading them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Unknown,
    Minor,
    Major,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Unknown => "unknown",
            Severity::Minor => "minor",
            Severity::Major => "major",
            Severity::Critical => "critical",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_origin_links_only_to_http_addresses() {
        let o = Origin::new(
            Some("https://github.com/ada/pm/blob/abc1234567/README.md"),
            Some("abc1234567"),
        )
        .unwrap();
        assert_eq!(
            o.url.as_deref(),
            Some("https://github.com/ada/pm/blob/abc1234567/README.md")
        );
        assert_eq!(o.commit_short.as_deref(), Some("abc1234"));
        for bad in [
            "javascript:alert(1)",
            "data:text/html,x",
            "file:///etc/passwd",
            "/local/path",
            "https://",
        ] {
            let o = Origin::new(Some(bad), Some("abc")).unwrap();
            assert_eq!(o.url, None, "{bad}");
        }
        assert_eq!(Origin::new(Some("not a link"), None), None);
        assert_eq!(Origin::new(None, Some("  ")), None);
    }

    fn t(h: u32, m: u32) -> Local {
        Local::Time(NaiveTime::from_hms_opt(h, m, 0).unwrap())
    }

    #[test]
    fn minutes_roll_over_midnight_for_times_of_day() {
        assert_eq!(t(22, 0).minutes_until(t(2, 0)), 240);
        assert_eq!(t(10, 0).minutes_until(t(14, 30)), 270);
    }

    #[test]
    fn minutes_between_dates_are_exact() {
        let a = NaiveDate::from_ymd_opt(2024, 3, 10)
            .unwrap()
            .and_hms_opt(22, 0, 0)
            .unwrap();
        let b = NaiveDate::from_ymd_opt(2024, 3, 12)
            .unwrap()
            .and_hms_opt(2, 0, 0)
            .unwrap();
        assert_eq!(
            Local::DateTime(a).minutes_until(Local::DateTime(b)),
            28 * 60
        );
    }

    #[test]
    fn local_formats_as_the_schema_says() {
        assert_eq!(t(9, 5).to_string(), "09:05");
        let dt = NaiveDate::from_ymd_opt(2023, 5, 15)
            .unwrap()
            .and_hms_opt(14, 30, 0)
            .unwrap();
        assert_eq!(Local::DateTime(dt).to_string(), "2023-05-15T14:30");
    }

    #[test]
    fn moment_has_utc_only_with_date_and_offset() {
        let dt = NaiveDate::from_ymd_opt(2023, 8, 10)
            .unwrap()
            .and_hms_opt(15, 45, 0)
            .unwrap();
        let m = Moment::new(Local::DateTime(dt), Some(60), "15:45 WAT".into(), 3);
        assert_eq!(m.utc.as_deref(), Some("2023-08-10T14:45:00Z"));
        assert_eq!(Moment::new(t(15, 45), Some(60), String::new(), 1).utc, None);
    }

    #[test]
    fn check_ids_round_trip_and_thirteen_are_mandatory() {
        for id in CheckId::ALL {
            assert_eq!(CheckId::parse(id.as_str()), Some(id));
        }
        assert_eq!(CheckId::ALL.iter().filter(|c| c.is_mandatory()).count(), 13);
    }

    #[test]
    fn score_follows_the_course_formula() {
        let mk = |id: CheckId, pass: bool| CheckResult {
            id,
            status: if pass { Status::Pass } else { Status::Fail },
            level: id.default_level(),
            line: None,
            message: String::new(),
            help: None,
        };
        let mut checks: Vec<_> = CheckId::ALL.iter().map(|&id| mk(id, true)).collect();
        assert_eq!(Score::from_checks(&checks).percent, 200.0);
        checks[0] = mk(CheckId::SummaryDuration, false);
        checks[18] = mk(CheckId::Engaging, false);
        let s = Score::from_checks(&checks);
        assert_eq!((s.passed, s.of), (12, 13));
        assert_eq!(s.percent, 92.3);
    }
}
