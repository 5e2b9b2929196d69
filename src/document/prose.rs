//! Reports written as prose, without the rubric's headings (a blog post telling an
//! outage, a status page's postmortem): each paragraph's role gives it its section. The
//! opening paragraphs are the summary; then a paragraph that explains why is the root
//! cause, one that tells how it was fixed is the resolution, one that says what will be
//! done is the measures, and one dense with times is the timeline.

use super::{Part, Section};
use crate::document::lines::{Line, LineKind};
use crate::model::SectionKind;
use crate::words::{Lexicon, Tokens};
use std::sync::LazyLock;

static CAUSE: LazyLock<Lexicon> = LazyLock::new(|| {
    Lexicon::list(
        "cause, caused, because, due to, trigger, triggered, the reason, stemmed from, \
         resulted from, root cause, was traced to, led to",
    )
});

static FIX: LazyLock<Lexicon> = LazyLock::new(|| {
    Lexicon::list(
        "rolled back, roll back, reverted, restored, fixed, resolved, recovered, mitigated, \
         repaired, redeployed, back to normal, replaced",
    )
});

/// What is going to be done: the writer's plans.
static PLAN: LazyLock<Lexicon> = LazyLock::new(|| {
    Lexicon::list(
        "we will, we'll, we are going to, we plan, we intend, going forward, next steps, \
         moving forward, to prevent, we are reviewing, we are adding, we are changing, \
         we have started, follow-up, action items, in the future, we're adding, \
         we're changing, we're reviewing, we are working on",
    )
});

/// Gives a part made of prose its sections by role: only when it has neither a
/// timeline nor a root cause. Measures headed by the writer ("What we are changing:")
/// stay as written, and the prose before them is read by role.
pub fn infer_sections(part: &mut Part, lines: &[Line]) {
    use SectionKind::*;
    if part.has(&[Timeline, RootCause, Resolution, RootCauseResolution]) {
        return;
    }
    let plans = part
        .sections
        .iter()
        .position(|s| matches!(s.kind, Measures | Tasks));
    // The prose runs from the first section (or the title) to the measures or the end.
    let from = part
        .sections
        .first()
        .map_or(part.title.map_or(part.start, |t| t + 1), |s| s.start);
    let to = plans.map_or(part.end, |k| {
        let s = &part.sections[k];
        s.heading.unwrap_or(s.start)
    });
    let paras = paragraphs(lines, from, to);
    if paras.len() < 3 {
        return;
    }
    let mut roles: Vec<SectionKind> = Vec::with_capacity(paras.len());
    // The opening is the first paragraph that says something, with any dateline or
    // byline above it ("November 3, 2022").
    // It runs on to the paragraph that gives the outage's window ("from 8:05 pm to
    // 9:40 pm") when one of the first few does.
    let first = paras
        .iter()
        .position(|&(a, b)| crate::document::lines::words_of(&lines[a..b]) >= 8)
        .unwrap_or(0);
    let window = paras.iter().take(first + 3).position(|&(a, b)| {
        lines[a..b]
            .iter()
            .any(|l| l.is_content() && !crate::extract::time::scan_time_ranges(&l.text).is_empty())
    });
    let opening = first.max(window.unwrap_or(0));
    for (i, &(a, b)) in paras.iter().enumerate() {
        let role = match (i, role(&lines[a..b])) {
            (i, _) if i <= opening => Summary,
            // Plans before the measures the writer headed are part of the story.
            (_, Measures) if plans.is_some() => Other,
            (_, r) => r,
        };
        roles.push(role);
    }
    // Nothing but summary and other text: leave the part as it was.
    if !roles.iter().any(|r| {
        matches!(
            r,
            Timeline | RootCause | Resolution | RootCauseResolution | Measures
        )
    }) {
        return;
    }
    // A paragraph of no particular role goes with the one before it.
    for i in 1..roles.len() {
        if roles[i] == Other {
            roles[i] = roles[i - 1];
        }
    }
    let mut sections: Vec<Section> = Vec::new();
    let headed = plans.map_or(Vec::new(), |k| part.sections.split_off(k));
    for (&(a, b), &kind) in paras.iter().zip(&roles) {
        match sections.last_mut() {
            Some(last) if last.kind == kind => last.end = b,
            _ => sections.push(Section::inferred(kind, a, b)),
        }
    }
    // The opening paragraph stays what it was: under the heading that introduced it,
    // or the summary the writer left unheaded.
    if let Some(first) = part.sections.first()
        && let Some(s) = sections.first_mut()
        && (first.heading.is_some() || first.kind == Summary)
    {
        s.heading = first.heading;
        s.kind = first.kind;
        s.level = first.level;
        s.inferred = first.inferred;
    }
    // The last inferred section runs to the measures.
    if let Some(last) = sections.last_mut() {
        last.end = to;
    }
    sections.extend(headed);
    part.sections = sections;
}

/// Status updates ("Resolved — This incident has been resolved.\nJun 3, 2024 - 16:20
/// UTC", newest first) are a timeline however they are headed: a run of three or more
/// paragraphs, each with a line that is only a date and time, becomes the timeline when
/// the part has none, cut out of the section it sat in.
pub fn infer_timeline(part: &mut Part, lines: &[Line]) {
    if part.has(&[SectionKind::Timeline]) {
        return;
    }
    // A section under a heading in the writer's own words ("How the morning went")
    // whose items are led by times is the timeline.
    if let Some(s) = part
        .sections
        .iter_mut()
        .find(|s| s.kind == SectionKind::Other && led_by_times(&lines[s.start..s.end]))
    {
        s.kind = SectionKind::Timeline;
        s.inferred = true;
        return;
    }
    let paras = paragraphs(lines, part.start, part.end);
    let stamped = |&(a, b): &(usize, usize)| lines[a..b].iter().any(|l| is_stamp(&l.text));
    let mut best: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < paras.len() {
        let mut j = i;
        while j < paras.len() && stamped(&paras[j]) {
            j += 1;
        }
        if j - i >= 3 {
            best = Some((paras[i].0, paras[j - 1].1));
            break;
        }
        i = j + 1;
    }
    let Some((a, b)) = best else { return };
    // The sections the run overlaps keep what lies before and after it.
    let mut sections: Vec<Section> = Vec::with_capacity(part.sections.len() + 2);
    for s in part.sections.drain(..) {
        if s.end <= a || s.start >= b {
            sections.push(s);
            continue;
        }
        if s.start < a {
            let mut before = s.clone();
            before.end = a;
            sections.push(before);
        }
        if s.end > b {
            let mut rest = s;
            rest.heading = None;
            rest.start = b;
            sections.push(rest);
        }
    }
    sections.push(Section::inferred(SectionKind::Timeline, a, b));
    sections.sort_by_key(|s| s.heading.unwrap_or(s.start));
    part.sections = sections;
}

/// Whether most items of a run of lines (its top-level bullets, table rows and
/// paragraphs), and at least three, open with a time.
fn led_by_times(lines: &[Line]) -> bool {
    let (mut items, mut timed) = (0, 0);
    for (i, l) in lines.iter().enumerate() {
        let opens = match l.kind {
            LineKind::Bullet { depth, .. } => depth == 0,
            LineKind::TableRow => lines
                .get(i + 1)
                .is_none_or(|n| n.kind != LineKind::TableRule),
            LineKind::Text => i == 0 || !lines[i - 1].is_content(),
            _ => false,
        };
        if !opens || l.boilerplate {
            continue;
        }
        items += 1;
        if crate::extract::timeline::opens_on_time(&l.text) {
            timed += 1;
        }
    }
    timed >= 3 && timed * 5 >= items * 3
}

/// A line that is only a date and a time ("Jun 3, 2024 - 16:20 UTC", "Posted 10:12").
pub fn is_stamp(text: &str) -> bool {
    let times = crate::extract::time::scan_times(text);
    let [m] = times.as_slice() else { return false };
    crate::extract::text::words_besides(text, m.span.clone()) <= 2
}

/// Runs of content lines separated by blank lines or headings, from `a` to `b`.
fn paragraphs(lines: &[Line], a: usize, b: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, l) in lines.iter().enumerate().take(b).skip(a) {
        let content = l.is_content() || l.kind == LineKind::Code;
        match (content, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, b));
    }
    out
}

/// A paragraph's role, by what it says.
fn role(lines: &[Line]) -> SectionKind {
    let text: String = lines
        .iter()
        .filter(|l| l.is_content())
        .map(|l| l.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let timed_lines = lines
        .iter()
        .filter(|l| l.is_content() && starts_with_time(&l.text))
        .count();
    let times = crate::extract::time::scan_times(&text).len();
    // A paragraph that opens on a time ("At 9:41 AM PDT, our monitoring alerted ...")
    // goes on with the story.
    let opens_on_time = crate::extract::text::sentences(&text)
        .first()
        .is_some_and(|s| crate::extract::timeline::starts_with_time_phrase(s));
    if timed_lines >= 2 || times >= 4 || opens_on_time {
        return SectionKind::Timeline;
    }
    let t = Tokens::of(&text);
    if PLAN.matches(&t) {
        return SectionKind::Measures;
    }
    match (CAUSE.matches(&t), FIX.matches(&t)) {
        (true, true) => SectionKind::RootCauseResolution,
        (true, false) => SectionKind::RootCause,
        (false, true) => SectionKind::Resolution,
        _ => SectionKind::Other,
    }
}

fn starts_with_time(text: &str) -> bool {
    crate::extract::time::scan_times(text)
        .first()
        .is_some_and(|m| text[..m.span.start].chars().all(|c| !c.is_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use crate::document::Document;
    use crate::model::SectionKind::*;

    #[test]
    fn status_updates_are_the_timeline() {
        let text = "# Elevated errors on the API\n\n**Summary.** From 09:10 to 10:25 UTC on 3 June 2024 about 40% of API calls failed after a bad load balancer rule.\n\n**Root cause.** A rule sent traffic to a pool that had been drained.\n\n## What we are doing\n- Add a check that rejects rules pointing at empty pools.\n\n---\n\nResolved — This incident has been resolved.\nJun 3, 2024 - 10:25 UTC\n\nMonitoring — A fix has been applied.\nJun 3, 2024 - 10:02 UTC\n\nInvestigating — We are investigating errors on the API.\nJun 3, 2024 - 09:20 UTC\n";
        let doc = Document::parse(text, 1, true);
        let parts = doc.parts();
        let kinds: Vec<_> = parts[0].sections.iter().map(|s| s.kind).collect();
        assert_eq!(kinds, [Summary, Measures, Timeline]);
        let ctx = crate::extract::Context::new(&doc, &parts[0]);
        let entries = crate::extract::timeline::read(&ctx, None);
        assert_eq!(entries.len(), 3);
        // Newest first as written; read in the order they happened.
        assert!(entries[0].text.starts_with("Investigating"));
    }

    #[test]
    fn a_report_in_prose_gets_its_sections_by_role() {
        let text = "# Login failures on the member portal\n\nOn 3 June 2024 between 09:10 and 10:25 UTC about 40% of members could not sign in to the portal and saw a spinning wheel.\n\nThe trigger was a certificate rotation on the identity provider. The new certificate was not yet trusted by the portal's token validator, because its chain was missing an intermediate.\n\nWe rolled the certificate back at 10:15 and sign-ins were restored by 10:25 once caches expired.\n\nWe will add the full chain to the rotation script and we are adding an alert on token validation errors.\n";
        let doc = Document::parse(text, 1, true);
        let parts = doc.parts();
        let kinds: Vec<_> = parts[0].sections.iter().map(|s| s.kind).collect();
        assert_eq!(kinds, [Summary, RootCause, Resolution, Measures]);
    }

    #[test]
    fn prose_before_headed_measures_gets_its_sections_by_role() {
        let text = "Checkout down for a morning\n\nOn 2 May 2024 from 08:00 to 11:30 EAT our shop returned errors at checkout for about 60% of buyers, because the payment gateway's certificate had expired.\n\nThe first order failed at 08:00. At 08:20 a buyer emailed support. At 08:45 the on-call engineer suspected the database and restarted it, which changed nothing. At 09:30 she escalated to the payments team, and at 11:30 a renewed certificate was in place.\n\nThe certificate expired because its renewal job had been disabled during a migration, and nobody was told.\n\nWhat we are changing: we will add an expiry alert thirty days ahead on every certificate.\n";
        let doc = Document::parse(text, 1, false);
        let parts = doc.parts();
        let kinds: Vec<_> = parts[0].sections.iter().map(|s| s.kind).collect();
        assert_eq!(kinds, [Summary, Timeline, RootCause, Measures]);
        // The window told in the second paragraph is still the opening's.
        let text = "Checkout down for a morning\n\nThis is the write-up of the worst morning our little shop has had so far this year.\n\nOn 2 May 2024 from 08:00 to 11:30 EAT checkout failed for about 60% of buyers at 08:00, 08:20 and 09:30 alike.\n\nThe first order failed at 08:00. At 08:20 a buyer emailed support. At 09:30 she escalated to the payments team.\n\nThe certificate expired because its renewal job had been disabled.\n\nWhat we are changing: we will add an expiry alert thirty days ahead on every certificate.\n";
        let doc = Document::parse(text, 1, false);
        let parts = doc.parts();
        let summary = &parts[0].sections[0];
        assert_eq!(summary.kind, Summary);
        assert!(summary.end > 4, "{:?}", parts[0].sections);
    }
}
