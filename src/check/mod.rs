//! The rubric: one rule per check id of RUBRIC.md, each with its evidence line, and the
//! reports built from the verdicts (human diagnostics and the JSON contract).

pub mod human;
pub mod markdown;
pub mod report;

use crate::document::{HeadingKind, Line, LineKind};
use crate::extract::para::paragraphs;
use crate::extract::roles;
use crate::extract::text::{
    CAUSE, DETECTED_BY, DETECTION, EXPERIENCE, FIX, IMPROVEMENT, INVESTIGATION, RESOLUTION,
    sentences, word_count,
};
use crate::extract::{Context, Facts};
use crate::model::{CheckId, CheckResult, EntryKind, Level, Local, SectionKind, Status};
use std::collections::HashSet;

static OUTAGE_BEGINS: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"(?i)(?-u:\b)(?:outage|incident|issue|downtime|problem)\s+(?:began|begins|started|starts)(?-u:\b)|(?-u:\b)deploy(?:ed|ment)(?-u:\b)[^.]{0,40}(?-u:\b)(?:began|begins|started|went out|completed)|(?-u:\b)(?:began|started) deploying|(?-u:\b)deployed(?-u:\b)").unwrap()
});

/// A fix told as done: "we fixed it by setting ...", "the config was rolled back".
static FIX_TOLD: std::sync::LazyLock<crate::words::Lexicon> = std::sync::LazyLock::new(|| {
    crate::words::Lexicon::list(
        "we fixed, fixed it, fixed by, resolved by, was fixed, were fixed, was resolved, \
         was restored, were restored, rolled back, reverted, to fix, to resolve, the fix, \
         the solution, solution was, resolution was, we restarted, we replaced, we renewed, \
         we changed, we updated, we increased, we added, we removed, we corrected, we patched, \
         we set, by setting, by changing, by adding, by increasing, by removing, by updating, \
         by restarting, by rolling back, by reverting, by replacing, by renaming, by editing",
    )
});

/// A rule's verdict before levels are applied.
struct Verdict {
    status: Status,
    line: Option<u32>,
    message: String,
    help: Option<&'static str>,
}

/// Whether a sentence gives a cause of the incident, not only the reason some users
/// were hit ("the other 65% were also affected because their widgets call the same
/// service" says why the harm reached them) or a pointer to where the cause is told.
fn names_a_cause(s: &str) -> bool {
    use crate::words::words;
    CAUSE.find_iter(s).any(|m| {
        let reach = words(&s[..m.start()])
            .iter()
            .rev()
            .take(3)
            .any(|w| matches!(w.as_str(), "affected" | "impacted" | "hit" | "unaffected"));
        // "Details are in the Root Cause section below" points to the cause, it
        // does not give it.
        let pointer = words(&s[m.end()..])
            .iter()
            .take(2)
            .any(|w| matches!(w.as_str(), "section" | "below" | "above" | "later"));
        !reach && !pointer
    })
}

fn pass(line: Option<u32>, message: impl Into<String>) -> Verdict {
    Verdict {
        status: Status::Pass,
        line,
        message: message.into(),
        help: None,
    }
}

fn fail(line: Option<u32>, message: impl Into<String>, help: &'static str) -> Verdict {
    Verdict {
        status: Status::Fail,
        line,
        message: message.into(),
        help: Some(help),
    }
}

fn skip(message: impl Into<String>) -> Verdict {
    Verdict {
        status: Status::Skip,
        line: None,
        message: message.into(),
        help: None,
    }
}

/// Runs every check; `level` gives each id's level on this site for this file.
pub fn run(ctx: &Context, facts: &Facts, level: impl Fn(CheckId) -> Level) -> Vec<CheckResult> {
    let r = Reader::new(ctx, facts);
    CheckId::ALL
        .iter()
        .map(|&id| {
            let v = r.check(id);
            CheckResult {
                id,
                status: v.status,
                level: level(id),
                line: v.line,
                message: v.message,
                help: v.help.map(str::to_owned),
            }
        })
        .collect()
}

/// The parts of a postmortem the rules look at, gathered once.
struct Reader<'a> {
    ctx: &'a Context<'a>,
    facts: &'a Facts,
    summary: Vec<&'a Line>,
    timeline: Vec<&'a Line>,
    cause: Vec<&'a Line>,
    fix: Vec<&'a Line>,
    measures: Vec<&'a Line>,
    /// [`Reader::elsewhere`], worked out when first asked for.
    elsewhere: std::cell::OnceCell<Vec<&'a Line>>,
}

impl<'a> Reader<'a> {
    fn new(ctx: &'a Context<'a>, facts: &'a Facts) -> Self {
        // Root cause and resolution may come as one section or two, with sub-headings.
        let mut cause: Vec<&'a Line> = Vec::new();
        let mut fix: Vec<&'a Line> = Vec::new();
        for s in &ctx.part.sections {
            let lines = ctx.doc.range(s.start, s.end);
            match s.kind {
                SectionKind::RootCause => cause.extend(lines.iter()),
                SectionKind::Resolution => fix.extend(lines.iter()),
                SectionKind::RootCauseResolution => {
                    let first_sub = s.subs.first().map_or(s.end, |sub| sub.line);
                    let head = ctx.doc.range(s.start, first_sub);
                    cause.extend(head.iter());
                    fix.extend(head.iter());
                    for sub in &s.subs {
                        let body = ctx.doc.range(sub.line + 1, sub.end);
                        match sub.kind {
                            HeadingKind::Resolution => fix.extend(body.iter()),
                            HeadingKind::RootCause => cause.extend(body.iter()),
                            _ => {
                                cause.extend(body.iter());
                                fix.extend(body.iter());
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        // Without a root cause and resolution section, the parts headed so elsewhere
        // count: "Root Causes:" under the summary, "Resolution:" closing the timeline.
        let sub_lines = |kind: HeadingKind| -> Vec<&'a Line> {
            ctx.part
                .sections
                .iter()
                .flat_map(|s| s.subs.iter())
                .filter(|sub| sub.kind == kind)
                .flat_map(|sub| ctx.doc.range(sub.line + 1, sub.end).iter())
                .collect()
        };
        if cause.is_empty() {
            cause = sub_lines(HeadingKind::RootCause);
        }
        if fix.is_empty() {
            fix = sub_lines(HeadingKind::Resolution);
        }
        // "Resolution: the on-call restarted ..." written as a labelled line after the
        // summary: the line is the resolution (and "Root causes: ..." the cause). In the
        // summary such a line only sums them up.
        let summary = ctx.summary_lines();
        let summary_lines: HashSet<u32> = summary.iter().map(|l| l.number).collect();
        let labelled = |kinds: &[HeadingKind]| -> Vec<&'a Line> {
            ctx.lines()
                .iter()
                .filter(|l| {
                    l.is_content()
                        && !summary_lines.contains(&l.number)
                        && labelled(l).is_some_and(|(label, rest)| {
                            word_count(rest) >= 4
                                && kinds
                                    .contains(&crate::document::heading::classify_heading(label))
                        })
                })
                .collect()
        };
        if cause.is_empty() {
            cause = labelled(&[HeadingKind::RootCause, HeadingKind::RootCauseResolution]);
        }
        if fix.is_empty() {
            fix = labelled(&[HeadingKind::Resolution]);
        }
        // A root cause section that also tells the fix ("We fixed it by setting ..."):
        // those sentences are the resolution, whatever the heading.
        if fix.is_empty() {
            fix = cause
                .iter()
                .copied()
                .filter(|l| {
                    l.is_content() && sentences(&l.text).iter().any(|s| FIX_TOLD.in_text(s))
                })
                .collect();
        }
        Reader {
            ctx,
            facts,
            summary,
            timeline: ctx.timeline_lines(),
            cause,
            fix,
            measures: ctx.section_lines(&[SectionKind::Measures, SectionKind::Tasks]),
            elsewhere: std::cell::OnceCell::new(),
        }
    }

    fn heading_line(&self, kind: SectionKind) -> Option<u32> {
        let kinds = [kind];
        let s = self.ctx.part.sections_of(&kinds).next()?;
        self.ctx
            .doc
            .lines
            .get(s.heading.unwrap_or(s.start))
            .map(|l| l.number)
    }

    fn first_line(&self) -> Option<u32> {
        self.ctx.lines().first().map(|l| l.number)
    }

    /// The first content line of `lines` whose text matches.
    fn find(lines: &[&'a Line], f: impl Fn(&str) -> bool) -> Option<&'a Line> {
        lines.iter().copied().find(|l| l.is_content() && f(&l.text))
    }

    fn entry_matching(&self, f: &impl Fn(&str) -> bool) -> Option<u32> {
        self.facts
            .timeline
            .iter()
            .find(|e| f(&e.text))
            .map(|e| e.line)
    }

    fn check(&self, id: CheckId) -> Verdict {
        match id {
            CheckId::SummaryDuration => self.summary_duration(),
            CheckId::SummaryImpact => self.summary_impact(),
            CheckId::SummaryRootCause => self.summary_root_cause(),
            CheckId::TimelineDetectedWhen => self.detected_when(),
            CheckId::TimelineDetectedHow => self.detected_how(),
            CheckId::TimelineActions => self.actions(),
            CheckId::TimelineMisleading => self.misleading(),
            CheckId::TimelineEscalation => self.escalation(),
            CheckId::TimelineResolution => self.resolution(),
            CheckId::RcaCause => self.rca_cause(),
            CheckId::RcaFix => self.rca_fix(),
            CheckId::MeasuresImprovements => self.improvements(),
            CheckId::MeasuresTasks => self.tasks(),
            CheckId::Length => self.length(),
            CheckId::TimelineFormat => self.timeline_format(),
            CheckId::TimelineOrder => self.timeline_order(),
            CheckId::DurationConsistent => self.duration_consistent(),
            CheckId::English => self.english(),
            CheckId::Engaging => self.engaging(),
        }
    }

    fn summary_duration(&self) -> Verdict {
        let o = &self.facts.outage;
        let at = o
            .start
            .as_ref()
            .map(|m| m.line)
            .or_else(|| self.heading_line(SectionKind::Summary));
        const HELP: &str = "state the outage window in the summary with both ends and a zone, e.g. \"10:00 AM to 2:30 PM UTC\"";
        if let Some((line, message)) = &self.facts.evidence.backwards {
            return fail(
                Some(*line),
                message.clone(),
                "check the start and end times; give the end's date when the outage ran past midnight",
            );
        }
        match (&o.start, &o.end, &o.timezone) {
            (Some(s), Some(e), Some(z)) => pass(
                Some(s.line),
                format!("the outage ran from {} to {} {z}", s.local, e.local),
            ),
            (None, None, _) => {
                if let Some(d) = o.stated_duration_minutes {
                    fail(
                        self.facts.evidence.duration_line.or(at),
                        format!(
                            "the summary says how long the outage lasted ({}) but not when it started and ended",
                            minutes_words(d)
                        ),
                        HELP,
                    )
                } else {
                    fail(
                        at,
                        "the summary gives no start or end time for the outage",
                        HELP,
                    )
                }
            }
            (Some(s), None, _) => fail(
                Some(s.line),
                format!("the summary gives a start ({}) but no end time", s.local),
                HELP,
            ),
            (None, Some(e), _) => fail(
                Some(e.line),
                format!("the summary gives an end ({}) but no start time", e.local),
                HELP,
            ),
            (Some(s), Some(_), None) => fail(
                Some(s.line),
                "the outage window has no timezone",
                "add the zone the times are in, e.g. \"UTC\", \"WAT\" or \"GMT+1\"",
            ),
        }
    }

    fn summary_impact(&self) -> Verdict {
        let ev = &self.facts.evidence;
        let pct = self.facts.outage.users_affected_percent;
        let at = self
            .heading_line(SectionKind::Summary)
            .or_else(|| self.first_line());
        if let Some((share, line)) = ev.over_share {
            return fail(
                Some(line),
                format!(
                    "the summary gives {} of users affected, more than all of them",
                    percent_words(share)
                ),
                "give a share between 0% and 100%, e.g. \"about 30% of users\"",
            );
        }
        match (ev.experience_line, pct) {
            (Some(_), Some(p)) => pass(
                ev.percent_line,
                format!(
                    "{} of users affected, and what they experienced",
                    percent_words(p)
                ),
            ),
            (Some(l), None) => fail(
                Some(l),
                "the summary says what users experienced but not what share of users was affected",
                "give the share of users affected, e.g. \"about 30% of users\"",
            ),
            (None, Some(_)) => fail(
                ev.percent_line,
                "the summary gives a share of users but not which service was down or what users experienced",
                "say which service was down or slow and what users saw",
            ),
            (None, None) => fail(
                at,
                "the summary does not describe the impact: which service, what users experienced, what share of them",
                "describe the impact: the service that was down or slow, what users experienced, and what % of users were affected",
            ),
        }
    }

    fn summary_root_cause(&self) -> Verdict {
        let has_sub = self
            .ctx
            .part
            .sections
            .iter()
            .filter(|s| s.kind == SectionKind::Summary)
            .flat_map(|s| s.subs.iter())
            .find(|s| s.kind == HeadingKind::RootCause);
        if let Some(sub) = has_sub {
            // "### Root Cause: a pool misconfiguration" carries its answer in the heading.
            let heading = &self.ctx.doc.lines[sub.line];
            let inline = heading
                .text
                .split_once(':')
                .is_some_and(|(_, rest)| word_count(rest) >= 4);
            let below = self
                .ctx
                .doc
                .range(sub.line + 1, sub.end)
                .iter()
                .find(|l| l.is_content() && word_count(&l.text) >= 4);
            if inline {
                return pass(Some(heading.number), "the summary names the root cause");
            }
            if let Some(l) = below {
                return pass(Some(l.number), "the summary names the root cause");
            }
        }
        // "Cause: an expired certificate", or a key/value table's "| Cause | ... |" row.
        let labelled = self.summary.iter().find(|l| {
            labelled(l).is_some_and(|(label, value)| {
                word_count(value) >= 4
                    && matches!(
                        crate::document::heading::classify_heading(label),
                        HeadingKind::RootCause | HeadingKind::RootCauseResolution
                    )
            })
        });
        if let Some(l) = labelled {
            return pass(Some(l.number), "the summary names the root cause");
        }
        match Self::find(&self.summary, |t| {
            sentences(t)
                .iter()
                .any(|s| names_a_cause(s) && word_count(s) >= 5)
        }) {
            Some(l) => pass(Some(l.number), "the summary names the root cause"),
            None => {
                if let Some(l) = self.restated_cause() {
                    return pass(Some(l), "the summary sums up the root cause");
                }
                if let Some(l) = self.early_root_cause() {
                    return pass(Some(l), "the root cause is given right after the summary");
                }
                fail(
                    self.heading_line(SectionKind::Summary)
                        .or_else(|| self.first_line()),
                    "the summary does not say what caused the outage",
                    "close the summary with the root cause in a sentence, e.g. \"The root cause was ...\"",
                )
            }
        }
    }

    /// A summary sentence that says again what the root-cause part explains, without a
    /// causal word: not the window, the share of users or what users saw (sentences with
    /// a time, a percentage or people in them tell those).
    fn restated_cause(&self) -> Option<u32> {
        let part = prose(self.cause.iter().copied());
        if word_count(&part) < 10 {
            return None;
        }
        Self::find(&self.summary, |t| {
            sentences(t).iter().any(|s| {
                word_count(s) >= 6
                    && !s.contains('%')
                    && !crate::extract::time::has_times(s)
                    && !tells_impact(s)
                    && roles::restates(s, &part)
            })
        })
        .map(|l| l.number)
    }

    /// A root cause section placed before the timeline reads as part of the summary
    /// ("## Summary", "## Root Cause", "## Timeline").
    fn early_root_cause(&self) -> Option<u32> {
        let sections = &self.ctx.part.sections;
        let timeline_at = sections
            .iter()
            .position(|s| s.kind == SectionKind::Timeline)
            .unwrap_or(sections.len());
        sections[..timeline_at]
            .iter()
            .filter(|s| {
                matches!(
                    s.kind,
                    SectionKind::RootCause | SectionKind::RootCauseResolution
                )
            })
            .flat_map(|s| {
                self.ctx
                    .doc
                    .range(s.heading.unwrap_or(s.start), s.end)
                    .iter()
            })
            .find(|l| {
                let inline = l.heading().is_some()
                    && l.text
                        .split_once(':')
                        .is_some_and(|(_, r)| word_count(r) >= 4);
                inline || (l.is_content() && word_count(&l.text) >= 4)
            })
            .map(|l| l.number)
    }

    /// Where timeline facts may be found, in order: the extracted entries, the timeline's
    /// own lines, then (as a reviewer would credit them) the rest of the postmortem
    /// outside its measures. Returns the line of the first match.
    fn timeline_evidence(&self, f: impl Fn(&str) -> bool) -> Option<u32> {
        self.in_timeline(&f).or_else(|| {
            let measures: HashSet<u32> = self.measures.iter().map(|l| l.number).collect();
            self.ctx
                .lines()
                .iter()
                .find(|l| !measures.contains(&l.number) && l.is_content() && f(&l.text))
                .map(|l| l.number)
        })
    }

    /// The line of the first timeline entry, else of the first line of the timeline,
    /// that `f` accepts.
    fn in_timeline(&self, f: &impl Fn(&str) -> bool) -> Option<u32> {
        self.entry_matching(f)
            .or_else(|| Self::find(&self.timeline, f).map(|l| l.number))
    }

    /// [`Reader::timeline_evidence`] with `outside` as the lines searched last.
    fn evidence_in(&self, f: impl Fn(&str) -> bool, outside: &[&Line]) -> Option<u32> {
        self.in_timeline(&f).or_else(|| {
            outside
                .iter()
                .find(|l| l.is_content() && f(&l.text))
                .map(|l| l.number)
        })
    }

    /// Where the people of the response may be told outside the timeline (its wrong leads
    /// and hand-offs): not the measures (what is
    /// to come), and not the lines of the root-cause part that only explain the cause
    /// (what went wrong before anyone responded: its mistaken beliefs and hand-offs are
    /// the fault's own), unless they are dated or tell the fix.
    fn elsewhere(&self) -> &[&'a Line] {
        self.elsewhere.get_or_init(|| self.find_elsewhere())
    }

    fn find_elsewhere(&self) -> Vec<&'a Line> {
        let skip: HashSet<u32> = self
            .measures
            .iter()
            .chain(self.cause.iter().filter(|l| {
                // A time dates an event of the response told in the cause's part; a
                // paragraph that tells the fix is the response too.
                !crate::extract::time::has_times(&l.text)
                    && !sentences(&l.text).iter().any(|s| FIX_TOLD.in_text(s))
            }))
            .map(|l| l.number)
            .collect();
        self.ctx
            .lines()
            .iter()
            .filter(|l| !skip.contains(&l.number))
            .collect()
    }

    fn timeline_at(&self) -> Option<u32> {
        self.heading_line(SectionKind::Timeline)
            .or_else(|| self.first_line())
    }

    fn detected_when(&self) -> Verdict {
        // The timed detection entry; else the first timed entry, unless it records the
        // outage beginning or work already under way rather than its discovery.
        let timed = self.facts.timeline.iter().filter(|e| e.time.is_some());
        let detection = timed.clone().find(|e| e.kind == EntryKind::Detection);
        let first = timed.clone().next().filter(|e| {
            !matches!(
                e.kind,
                EntryKind::Investigation | EntryKind::Mitigation | EntryKind::Escalation
            ) && !OUTAGE_BEGINS.is_match(&e.text)
        });
        if let Some(e) = detection.or(first) {
            return pass(
                Some(e.line),
                format!(
                    "detected at {}",
                    e.time.map(|t| t.to_string()).unwrap_or_default()
                ),
            );
        }
        // Detection told in prose with its time: "noticed the issue at 19:20".
        let told = |t: &str| DETECTION.matches(t) && crate::extract::time::has_times(t);
        match self.timeline_evidence(told) {
            Some(l) => pass(Some(l), "the time of detection is given"),
            None => fail(
                self.timeline_at(),
                "nothing says when the issue was detected: no timeline entry has a time",
                "start each timeline entry with its time: `- 10:05 AM - monitoring alert fired`",
            ),
        }
    }

    fn detected_how(&self) -> Verdict {
        match self.timeline_evidence(|t| DETECTED_BY.matches(t) || roles::noticed(t)) {
            Some(l) => pass(Some(l), "says how the issue was detected"),
            None => fail(
                self.timeline_at(),
                "nothing says how the issue was detected",
                "say how it was noticed: a monitoring alert, an engineer, a customer complaint",
            ),
        }
    }

    fn actions(&self) -> Verdict {
        let by_kind = self
            .facts
            .timeline
            .iter()
            .find(|e| {
                matches!(
                    e.kind,
                    EntryKind::Investigation | EntryKind::Misleading | EntryKind::Mitigation
                )
            })
            .map(|e| e.line);
        match by_kind.or_else(|| self.timeline_evidence(|t| INVESTIGATION.matches(t))) {
            Some(l) => pass(Some(l), "records what was investigated"),
            None => fail(
                self.timeline_at(),
                "the timeline does not record what was investigated or assumed",
                "add entries for the actions taken: what was checked, and what the team assumed the cause was",
            ),
        }
    }

    fn misleading(&self) -> Verdict {
        // A hypothesis dropped or disproved, or an attempt that changed nothing: in the
        // timeline's entries, then its lines, then (as a reviewer would credit it)
        // anywhere outside the measures.
        let cause = self.facts.root_cause.as_ref().map(|r| r.0.as_str());
        let entries: Vec<&str> = self
            .facts
            .timeline
            .iter()
            .map(|e| e.text.as_str())
            .collect();
        let in_lines = |lines: &[&Line], cause: Option<&str>| {
            let content: Vec<&Line> = lines.iter().copied().filter(|l| l.is_content()).collect();
            let texts: Vec<&str> = content.iter().map(|l| l.text.as_str()).collect();
            roles::misleading(&texts, cause).map(|i| content[i].number)
        };
        let found = roles::misleading(&entries, cause)
            .map(|i| self.facts.timeline[i].line)
            .or_else(|| in_lines(&self.timeline, cause))
            // Outside the timeline only a path told whole counts, not a bare suspicion.
            .or_else(|| in_lines(self.elsewhere(), None));
        match found {
            Some(l) => pass(Some(l), "describes a misleading path or wrong assumption"),
            None => fail(
                self.timeline_at(),
                "no misleading investigation or debugging path is described",
                "add the wrong lead the team followed, e.g. \"10:20 AM - suspected the network; it was fine\"",
            ),
        }
    }

    fn escalation(&self) -> Verdict {
        match self.evidence_in(roles::escalation, self.elsewhere()) {
            Some(l) => pass(Some(l), "says who the incident was escalated to"),
            None => fail(
                self.timeline_at(),
                "nothing says which team or people the incident was escalated to",
                "add the escalation, e.g. \"10:40 AM - escalated to the database team\"",
            ),
        }
    }

    fn resolution(&self) -> Verdict {
        let last = self
            .facts
            .timeline
            .iter()
            .rev()
            .find(|e| e.kind == EntryKind::Resolution || RESOLUTION.matches(&e.text))
            .map(|e| e.line);
        // A section of its own that tells the recovery ("## Recovery") says it too.
        let own_section = || {
            self.ctx
                .part
                .sections_of(&[SectionKind::Resolution])
                .flat_map(|s| self.ctx.doc.range(s.start, s.end))
                .find(|l| l.is_content() && word_count(&l.text) >= 5)
                .map(|l| l.number)
        };
        match last
            .or_else(|| self.timeline_evidence(|t| RESOLUTION.matches(t)))
            .or_else(own_section)
        {
            Some(l) => pass(Some(l), "says how the incident was resolved"),
            None => fail(
                self.timeline_at(),
                "the timeline does not say how the incident was resolved",
                "end the timeline with the resolution, e.g. \"11:30 AM - config rolled back; service restored\"",
            ),
        }
    }

    fn rca_cause(&self) -> Verdict {
        let at = self
            .heading_line(SectionKind::RootCauseResolution)
            .or_else(|| self.heading_line(SectionKind::RootCause));
        if self.cause.is_empty() {
            return fail(
                self.first_line(),
                "there is no root cause section",
                "add a \"Root Cause and Resolution\" section that explains in detail what caused the issue",
            );
        }
        let content: Vec<&&Line> = self.cause.iter().filter(|l| l.is_content()).collect();
        let words: usize = content.iter().map(|l| word_count(&l.text)).sum();
        let causal = content.iter().find(|l| CAUSE.matches(&l.text));
        match causal {
            Some(l) if words >= 15 => pass(
                Some(l.number),
                format!("explains the cause in {words} words"),
            ),
            _ if words >= 25 => pass(
                content.first().map(|l| l.number),
                format!("explains the cause in {words} words"),
            ),
            _ => fail(
                at,
                format!("the root cause is explained in only {words} words"),
                "explain in detail what caused the issue: what broke, why, and how it led to the outage",
            ),
        }
    }

    fn rca_fix(&self) -> Verdict {
        let at = self
            .heading_line(SectionKind::RootCauseResolution)
            .or_else(|| self.heading_line(SectionKind::Resolution));
        if self.fix.is_empty() {
            return fail(
                at.or_else(|| self.first_line()),
                "there is no resolution section explaining the fix",
                "explain in detail how the issue was fixed, under \"Root Cause and Resolution\"",
            );
        }
        let content: Vec<&&Line> = self.fix.iter().filter(|l| l.is_content()).collect();
        let fix_words: usize = content
            .iter()
            .filter(|l| FIX.matches(&l.text))
            .map(|l| word_count(&l.text))
            .sum();
        // A section of its own ("## How we fixed it", "## Recovery") explains the fix
        // when it says what was done to which parts of the system.
        let own_section: Vec<&Line> = self
            .ctx
            .part
            .sections_of(&[SectionKind::Resolution])
            .flat_map(|s| self.ctx.doc.range(s.start, s.end))
            .filter(|l| l.is_content())
            .collect();
        let told = prose(own_section.iter().copied());
        let specific = word_count(&told) >= 12 && roles::named_things(&told) >= 2;
        match content.iter().find(|l| FIX.matches(&l.text)) {
            Some(l) if fix_words >= 6 => pass(Some(l.number), "explains how the issue was fixed"),
            _ if specific => pass(
                own_section.first().map(|l| l.number),
                "explains how the issue was fixed",
            ),
            _ => fail(
                at,
                "the fix is not explained in detail",
                "explain in detail how the issue was fixed: what was changed, where, and how it was verified",
            ),
        }
    }

    fn improvements(&self) -> Verdict {
        if self.measures.is_empty() {
            return fail(
                self.first_line(),
                "there is no corrective and preventative measures section",
                "add \"Corrective and Preventative Measures\": what to improve broadly, then a task list",
            );
        }
        let content: Vec<&&Line> = self.measures.iter().filter(|l| l.is_content()).collect();
        let words: usize = content.iter().map(|l| word_count(&l.text)).sum();
        match content.iter().find(|l| IMPROVEMENT.matches(&l.text)) {
            Some(l) if words >= 5 => pass(Some(l.number), "says what can be improved"),
            _ => fail(
                self.heading_line(SectionKind::Measures),
                "the measures section does not say what can be improved",
                "say broadly what can be improved or fixed: monitoring, testing, process",
            ),
        }
    }

    fn tasks(&self) -> Verdict {
        // A list: two or more items in the measures (bullets, table rows, short lines of
        // their own), each an action on a named thing, not an intention ("improve
        // monitoring"). Prose counts too, sentence by sentence, when a sentence names
        // what it changes precisely.
        let mut found: Vec<u32> = Vec::new();
        for p in paragraphs(&self.measures) {
            let first = p.first_line();
            match first.kind {
                LineKind::Bullet { .. } | LineKind::TableRow if roles::task(&p.text) => {
                    found.push(first.number);
                }
                LineKind::Bullet { .. } | LineKind::TableRow => {}
                LineKind::Text => {
                    // The paragraph's units: lines, with a hard-wrapped line joined to
                    // the one it carries on. Short units are list items written
                    // without bullets; long ones are prose, read sentence by sentence.
                    let mut units: Vec<(u32, String)> = Vec::new();
                    let mut open = false;
                    for l in p.lines() {
                        let continues = open && l.text.starts_with(|c: char| c.is_lowercase());
                        match units.last_mut() {
                            Some(u) if continues => {
                                u.1.push(' ');
                                u.1.push_str(&l.text);
                            }
                            _ => units.push((l.number, l.text.clone())),
                        }
                        open = !l.text.trim_end().ends_with(['.', '!', '?', ':', ';']);
                    }
                    let short = |t: &str| word_count(t) <= 20;
                    let list_like =
                        units.len() == 1 || units.iter().filter(|u| short(&u.1)).count() >= 2;
                    for (number, text) in &units {
                        if list_like && short(text) {
                            if roles::task(text) {
                                found.push(*number);
                            }
                        } else {
                            found.extend(
                                sentences(text)
                                    .iter()
                                    .filter(|s| roles::firm_task(s))
                                    .map(|_| *number),
                            );
                        }
                    }
                }
                _ => {}
            }
        }
        if found.len() >= 2 {
            return pass(
                found.first().copied(),
                format!("{} specific tasks", found.len()),
            );
        }
        fail(
            self.heading_line(SectionKind::Tasks)
                .or_else(|| self.heading_line(SectionKind::Measures))
                .or_else(|| self.first_line()),
            "there is no list of specific tasks",
            "add a TODO-style list of concrete tasks, e.g. \"- Add monitoring on server memory\"",
        )
    }

    fn length(&self) -> Verdict {
        let w = self.facts.word_count;
        if (400..=600).contains(&w) {
            pass(self.first_line(), format!("{w} words"))
        } else {
            fail(
                self.first_line(),
                format!("{w} words; the course asks for 400 to 600"),
                if w < 400 {
                    "add detail where the checks above ask for it"
                } else {
                    "be brief and straight to the point: cut to 600 words"
                },
            )
        }
    }

    fn timeline_format(&self) -> Verdict {
        let entries = &self.facts.timeline;
        if entries.is_empty() {
            return skip("no timeline entries");
        }
        // The first impossible reading of each line (`rev`: the first one collected wins).
        let impossible: std::collections::HashMap<u32, &crate::extract::time::Impossible> = self
            .facts
            .impossible
            .iter()
            .rev()
            .map(|(l, i)| (*l, i))
            .collect();
        let mut bad = entries
            .iter()
            .filter_map(|e| impossible.get(&e.line).map(|i| (e.line, *i)));
        if let Some((line, i)) = bad.next() {
            let more = match bad.count() {
                0 => String::new(),
                n => format!(
                    " (and {n} more entr{} like it)",
                    if n == 1 { "y" } else { "ies" }
                ),
            };
            return fail(
                Some(line),
                format!("the timeline's \"{}\" {}{more}", i.written, i.why),
                "write each entry's time as it was on the clock, e.g. `- 10:05 AM - what happened`",
            );
        }
        let lines = &self.ctx.doc.lines;
        let good = entries
            .iter()
            .filter(|e| {
                // The entry's first line (lines are in order): found by bisection, not a
                // walk from the top for each entry.
                let first = lines.partition_point(|l| l.number < e.line);
                e.time.is_some()
                    && lines
                        .get(first)
                        .filter(|l| l.number == e.line)
                        .is_some_and(|l| {
                            l.is_bullet()
                                || l.kind == LineKind::TableRow
                                || l.kind == LineKind::Text
                        })
            })
            .count();
        if good * 10 >= entries.len() * 7 {
            pass(
                Some(entries[0].line),
                format!("{good} of {} entries are `time - text`", entries.len()),
            )
        } else {
            let bad = entries
                .iter()
                .find(|e| e.time.is_none())
                .unwrap_or(&entries[0]);
            fail(
                Some(bad.line),
                format!(
                    "only {good} of {} timeline entries start with a time",
                    entries.len()
                ),
                "write each entry as a bullet `- 10:05 AM - one or two sentences`",
            )
        }
    }

    fn timeline_order(&self) -> Verdict {
        let timed: Vec<(Local, u32)> = self
            .facts
            .timeline
            .iter()
            .filter_map(|e| e.time.map(|t| (t, e.line)))
            .collect();
        if timed.len() < 2 {
            return skip("fewer than two timed entries");
        }
        for w in timed.windows(2) {
            let ((a, _), (b, line)) = (w[0], w[1]);
            let backwards = match (a, b) {
                (Local::DateTime(x), Local::DateTime(y)) => y < x,
                _ => {
                    let d = b.minute_of_day() - a.minute_of_day();
                    d < 0 && d > -12 * 60
                }
            };
            if backwards {
                return fail(
                    Some(line),
                    format!("the timeline goes back from {a} to {b}"),
                    "keep timeline entries in the order they happened",
                );
            }
        }
        pass(Some(timed[0].1), "timeline times move forward")
    }

    fn duration_consistent(&self) -> Verdict {
        let o = &self.facts.outage;
        let (Some(stated), Some(s), Some(e)) = (o.stated_duration_minutes, &o.start, &o.end) else {
            return skip("no stated duration to compare with the window");
        };
        let window = s.local.minutes_until(e.local);
        if (stated - window).abs() <= 5.max(window / 20) {
            pass(
                self.facts.evidence.duration_line,
                format!("stated {} matches the window", minutes_words(stated)),
            )
        } else {
            fail(
                self.facts.evidence.duration_line,
                format!(
                    "the stated duration ({}) disagrees with the window {} to {} ({})",
                    minutes_words(stated),
                    s.local,
                    e.local,
                    minutes_words(window)
                ),
                "make the stated duration agree with the start and end times",
            )
        }
    }

    fn english(&self) -> Verdict {
        // The writer's prose, without code, names and numbers, read by a language
        // identifier (trigram statistics over seventy languages).
        let text = prose(self.ctx.lines().iter());
        if word_count(&text) < 20 {
            return pass(self.first_line(), "too short to tell; taken as English");
        }
        // Five hundred characters (some 85 words) tell the language as well as the whole
        // text; the identifier's cost grows with what it reads.
        let mut cut = text.len().min(500);
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        // English prose is about a third English function words ("the", "of", "was"),
        // which other languages all but lack: such a text needs no identifier. Nor does
        // one where they are fewer (lists, jargon) but "the", English's commonest word
        // and a word of no other language, is still one word in fifty.
        let sample = crate::words::words(&text[..cut]);
        let function = sample.iter().filter(|w| roles::is_function_word(w)).count();
        let the = sample.iter().filter(|w| *w == "the").count();
        if function * 10 >= sample.len() * 3
            || (function * 100 >= sample.len() * 15 && the * 50 >= sample.len())
        {
            return pass(self.first_line(), "written in English");
        }
        match whatlang::detect(&text[..cut]) {
            Some(info) if info.lang() != whatlang::Lang::Eng && info.is_reliable() => fail(
                self.first_line(),
                format!(
                    "appears to be written in {}, not English",
                    info.lang().eng_name()
                ),
                "the course asks for postmortems in English",
            ),
            _ => pass(self.first_line(), "written in English"),
        }
    }

    fn engaging(&self) -> Verdict {
        if let Some(l) = self.ctx.lines().iter().find(|l| l.media && !l.boilerplate) {
            return pass(Some(l.number), "has an image or diagram");
        }
        let lines = self.ctx.lines();
        let diagram = lines.iter().find(|l| {
            matches!(l.kind, LineKind::Fence | LineKind::Code)
                && (l.text.contains("mermaid") || l.text.contains("-->") || l.text.contains("─"))
        });
        if let Some(l) = diagram {
            return pass(Some(l.number), "has a diagram");
        }
        if self.facts.humorous {
            return pass(self.first_line(), "written to be fun to read");
        }
        skip("no humour, diagram or image found (optional)")
    }
}

/// The writer's words on `lines` (content lines only), read as one text.
fn prose<'l>(lines: impl Iterator<Item = &'l Line>) -> String {
    lines
        .filter(|l| l.is_content())
        .map(|l| l.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a sentence tells the impact: what people experienced.
fn tells_impact(s: &str) -> bool {
    EXPERIENCE.matches(s)
        || crate::words::words(s)
            .iter()
            .any(|w| crate::extract::users::is_people(w))
}

/// A line that gives a value under a short label: "Root cause: a full disk", or a row of
/// a key/value table ("| Cause | a full disk |"). The label and the value.
fn labelled(l: &Line) -> Option<(&str, &str)> {
    let (label, value) = if l.kind == LineKind::TableRow {
        let row = l.text.trim().trim_matches('|');
        row.split_once('|')?
    } else {
        l.text.split_once(':')?
    };
    let label = label.trim();
    (!label.is_empty() && label.split_whitespace().count() <= 3).then_some((label, value.trim()))
}

/// "3 h 15 min", "45 min", "2 days 1 h".
pub fn minutes_words(m: i64) -> String {
    let (d, h, min) = (m / 1440, (m % 1440) / 60, m % 60);
    let mut parts = Vec::new();
    if d > 0 {
        parts.push(format!("{d} d"));
    }
    if h > 0 {
        parts.push(format!("{h} h"));
    }
    if min > 0 || parts.is_empty() {
        parts.push(format!("{min} min"));
    }
    parts.join(" ")
}

fn percent_words(p: f64) -> String {
    if p.fract() == 0.0 {
        format!("{p:.0}%")
    } else {
        format!("{p}%")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cause_of_the_harm_or_a_pointer_to_the_cause_is_not_the_cause() {
        assert!(names_a_cause(
            "The API failed because a certificate had expired."
        ));
        assert!(names_a_cause("The root cause was a full disk on db-2."));
        assert!(!names_a_cause(
            "Free users were also affected because their widgets call the same service."
        ));
        assert!(!names_a_cause(
            "Details are in the Root Cause section below."
        ));
    }

    #[test]
    fn minutes_in_words() {
        assert_eq!(minutes_words(195), "3 h 15 min");
        assert_eq!(minutes_words(45), "45 min");
        assert_eq!(minutes_words(0), "0 min");
        assert_eq!(minutes_words(1500), "1 d 1 h");
    }
}
