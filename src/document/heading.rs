//! What a heading's words announce. Writers name the rubric's sections in many ways
//! ("Issue Summary", "Incident overview", "Root cause & resolution", "Measures against
//! such problem in future"); this maps them onto the rubric.

use crate::words::Lexicon;
use std::sync::LazyLock;

/// What a heading opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HeadingKind {
    /// "Postmortem: the day the cache forgot", "Incident Report".
    Title,
    Summary,
    /// Parts of a summary that some writers head separately.
    Impact,
    Duration,
    Timeline,
    RootCause,
    Resolution,
    RootCauseResolution,
    Measures,
    Tasks,
    /// A part of the timeline some writers head separately: "Detection", "Actions taken",
    /// "Escalation", "Misleading paths".
    TimelinePart,
    Other,
}

impl HeadingKind {
    /// Kinds that open one of the rubric's four sections.
    pub fn is_section(self) -> bool {
        !matches!(
            self,
            HeadingKind::Title | HeadingKind::Other | HeadingKind::TimelinePart
        )
    }
}

/// Lowercases, drops numbering ("1.", "II.", "Step 2:"), emoji and punctuation, so
/// "## 2) Timeline (all times UTC) ⏰" reads as "timeline all times utc".
pub fn normalize(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_alphanumeric() {
            s.extend(c.to_lowercase().map(unaccent));
        } else if c == '&' {
            s.push_str(" and ");
        } else if c == '\'' || c == '’' {
            // "what's" stays one word
        } else {
            s.push(' ');
        }
    }
    // Section names in the other languages submissions come in are read as their
    // English equivalents, so a postmortem in French is found (and then flagged by
    // the `english` check rather than missed).
    let words: Vec<&str> = s.split_whitespace().map(translate).collect();
    let mut start = 0;
    // Leading numbering: digits, roman numerals, "step 2", "part ii", "section 3".
    while start < words.len() {
        let w = words[start];
        let numbering = w.chars().all(|c| c.is_ascii_digit())
            || (w.len() <= 4
                && w.chars().all(|c| matches!(c, 'i' | 'v' | 'x'))
                && words.len() > start + 1)
            || (matches!(w, "step" | "part" | "section" | "chapter")
                && words
                    .get(start + 1)
                    .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit() || "ivx".contains(c))));
        if !numbering {
            break;
        }
        start += if matches!(w, "step" | "part" | "section" | "chapter") {
            2
        } else {
            1
        };
    }
    let mut rest = &words[start.min(words.len())..];
    if rest.first() == Some(&"the") && rest.len() > 1 {
        rest = &rest[1..];
    }
    rest.join(" ")
}

fn unaccent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' => 'a',
        'ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        c => c,
    }
}

/// French, Spanish and Portuguese section words → English.
fn translate(word: &str) -> &str {
    match word {
        "resume" | "resumen" | "resumo" | "sommaire" | "synthese" | "sintesis" => "summary",
        "chronologie" | "cronologia" => "timeline",
        "causa" | "causes" => "cause",
        "racine" | "raiz" => "root",
        "resolucion" | "resolucao" | "solucion" | "solucao" => "resolution",
        "mesures" | "medidas" => "measures",
        "correctives" | "correctivas" | "correctivos" | "corretivas" => "corrective",
        "preventives" | "preventivas" | "preventivos" => "preventive",
        "taches" | "tareas" | "tarefas" => "tasks",
        "et" | "y" | "e" => "and",
        w => w,
    }
}

/// Maps heading words onto the rubric. A heading that carries content after a colon
/// ("Issue Summary: Duration: 2 hours ...") is named by what comes before it.
pub fn classify_heading(text: &str) -> HeadingKind {
    // A heading of two sentences is a headline ("We let the certificate expire. Here is
    // what happened."), not a section's name, whatever words it uses.
    if let Some((first, rest)) = text.split_once(". ")
        && first.split_whitespace().count() >= 3
        && rest.split_whitespace().count() >= 2
    {
        return HeadingKind::Other;
    }
    // "Timeline (all in West Africa Time on the 12th of August 2023)": the name before
    // the parenthesis says what it is.
    if let Some((head, _)) = text.split_once('(') {
        let n = normalize(head);
        if !n.is_empty() {
            let kind = classify_normalized(&n);
            if kind.is_section() {
                return kind;
            }
        }
    }
    if let Some((head, _)) = text.split_once(':') {
        let n = normalize(head);
        if !n.is_empty() {
            let kind = classify_normalized(&n);
            if kind.is_section() {
                return kind;
            }
        }
    }
    let n = normalize(text);
    if n.is_empty() {
        return HeadingKind::Other;
    }
    classify_normalized(&n)
}

/// "Task 0", "task 1": the assignment's task numbers, each heading a postmortem of its own.
pub fn is_task_marker(normalized: &str) -> bool {
    normalized
        .strip_prefix("task ")
        .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()))
}

/// The words of a document's own name: "postmortem" (however it is spelt or split),
/// "incident report", "outage review".
static TITLE_WORDS: LazyLock<Lexicon> = LazyLock::new(|| {
    Lexicon::list(
        "postmortem, post mortem, post incident, incident report, outage report, \
         incident review, incident analysis",
    )
    .fuzzy()
});

/// Words that make a plain line a title on their own: "Postmortem: ...", "Incident
/// report". Bare "outage" is not enough there ("Start of outage: 10:00").
pub fn is_strong_title(text: &str) -> bool {
    TITLE_WORDS.in_text(&normalize(text))
}

/// What each section is called, as words of its role. Stems make every form match
/// ("Root Causes", "Causing factors"); headings are short, so any of these words in
/// one names the section, and the combinations decide between neighbours.
struct Roles {
    /// A closing recap after the timeline ("In summary"): cause and fix, told again.
    recap: Lexicon,
    cause: Lexicon,
    resolution: Lexicon,
    measures: Lexicon,
    tasks: Lexicon,
    timeline: Lexicon,
    summary: Lexicon,
    impact: Lexicon,
    duration: Lexicon,
    /// Parts of the timeline some writers head on their own.
    timeline_part: Lexicon,
    incident: Lexicon,
}

static ROLES: LazyLock<Roles> = LazyLock::new(|| {
    Roles {
    recap: Lexicon::list(
        "summation, in summary, to summarize, to sum up, in short, recap, wrap up",
    ),
    cause: Lexicon::list(
        "cause, causes, causing, rootcause, reason, fault, trigger, culprit, \
         what went wrong, why it happened, why did it happen, five whys, 5 whys, leadup, \
         lead up, contributing factor, why",
    )
    .fuzzy(),
    resolution: Lexicon::list(
        "resolution, resolve, fix, solution, solve, remedy, remediation, recovery, recover, \
         mitigation, repair, restoration, workaround, what we changed",
    )
    .fuzzy(),
    measures: Lexicon::list(
        "corrective, preventive, preventative, prevention, prevent, measures, improvement, \
         recommendation, countermeasure, action item, next step, follow up, going forward, \
         moving forward, in future, in the future, avoid, safeguard, we are changing, \
         we are doing, we will, doing next, doing about it, going to do, looking ahead, \
         whats next, were changing, were doing, well do, well change, never again, \
         next time",
    )
    .fuzzy(),
    tasks: Lexicon::list("task, todo, to do, action plan, checklist"),
    timeline: Lexicon::list(
        "timeline, time line, chronology, sequence of events, debugging process, \
         order of events",
    )
    .fuzzy(),
    summary: Lexicon::list(
        "summary, summarize, overview, synopsis, what happened, description, tldr, tl dr, abstract, \
         incident details",
    )
    .fuzzy(),
    impact: Lexicon::new(&["impact", "impacts", "blast radius"]).fuzzy(),
    duration: Lexicon::list("duration, start time, end time, outage window, outage period").fuzzy(),
    timeline_part: Lexicon::list(
        "detection, detect, discovery, actions taken, action taken, actions, investigation, \
         investigate, escalation, escalate, misleading, debugging, debug, diagnosis, triage, \
         response, responding",
    )
    .fuzzy(),
    incident: Lexicon::new(&["outage", "incident", "downtime"]),
}
});

fn classify_normalized(n: &str) -> HeadingKind {
    let words = n.split(' ').count();
    // Long headings are sentences, not section names, unless they start with one.
    if words > 10 {
        return HeadingKind::Other;
    }
    if is_task_marker(n) {
        return HeadingKind::Title;
    }
    let r = &*ROLES;
    let stems = crate::words::Tokens::of(n);
    // A recap is the whole heading: "In summary", not "Incident summary".
    if r.recap.find(&stems) == Some((0, stems.len())) {
        return HeadingKind::RootCauseResolution;
    }
    let cause = r.cause.matches(&stems);
    let resolution = r.resolution.matches(&stems);
    let summary = r.summary.matches(&stems);
    let timeline = r.timeline.matches(&stems);
    // "Detection", "Actions taken", "Escalation": a part of the timeline, when that is
    // all the heading names ("Detection and resolution" is not only a part).
    let named = TITLE_WORDS.matches(&stems);
    if r.timeline_part.matches(&stems) && !cause && !resolution && !summary && !timeline && !named {
        let measures = r.measures.matches(&stems);
        if !measures {
            return HeadingKind::TimelinePart;
        }
    }
    if cause && resolution {
        return HeadingKind::RootCauseResolution;
    }
    let measures = r.measures.matches(&stems);
    let tasks = r.tasks.matches(&stems);
    if tasks && !measures && !summary {
        return HeadingKind::Tasks;
    }
    if measures && !summary && !timeline {
        return HeadingKind::Measures;
    }
    if timeline || n == "events" {
        return HeadingKind::Timeline;
    }
    if cause {
        return HeadingKind::RootCause;
    }
    if resolution {
        return HeadingKind::Resolution;
    }
    if summary || matches!(n, "issue" | "incident") {
        return HeadingKind::Summary;
    }
    if r.impact.matches(&stems) && words <= 4 {
        return HeadingKind::Impact;
    }
    if r.duration.matches(&stems) && words <= 5 {
        return HeadingKind::Duration;
    }
    if named || r.incident.matches(&stems) {
        return HeadingKind::Title;
    }
    HeadingKind::Other
}

#[cfg(test)]
mod tests {
    use super::HeadingKind::*;
    use super::*;

    #[test]
    fn normalizes_numbering_and_punctuation() {
        assert_eq!(
            normalize("## 2) Timeline (all times UTC) ⏰"),
            "timeline all times utc"
        );
        assert_eq!(
            normalize("IV. Root Cause & Resolution:"),
            "root cause and resolution"
        );
        assert_eq!(normalize("Step 3: The Fix"), "fix");
    }

    #[test]
    fn names_seen_in_real_submissions() {
        let cases = [
            ("Issue Summary", Summary),
            ("Issues summary", Summary),
            ("Incident Summary", Summary),
            ("Overview", Summary),
            ("Timeline", Timeline),
            ("Timeline (all times UTC)", Timeline),
            ("Incident Timeline", Timeline),
            ("Chronology", Timeline),
            ("Root Cause and Resolution", RootCauseResolution),
            ("Root cause & resolution", RootCauseResolution),
            ("Root Cause / Resolution", RootCauseResolution),
            ("Root Cause", RootCause),
            ("Root causes", RootCause),
            ("Resolution", Resolution),
            ("Resolution and recovery", Resolution),
            ("Corrective and Preventative Measures", Measures),
            ("Corrective and preventive measures", Measures),
            ("Preventive Measures", Measures),
            ("Action Items", Measures),
            ("Measures against such problem in future", Measures),
            ("Improvements/Fixes", Measures),
            ("Tasks", Tasks),
            ("Task List", Tasks),
            ("Tasks to Address the Issue", Tasks),
            ("Specific Tasks", Tasks),
            ("Impact", Impact),
            ("Duration", Duration),
            ("Postmortem: The Great Cache Collapse", Title),
            ("Incident Report", Title),
            ("Conclusion", Other),
            ("In summary", RootCauseResolution),
            ("Résumé", Summary),
            ("Chronologie", Timeline),
            ("Cause racine et résolution", RootCauseResolution),
            ("Mesures correctives", Measures),
            (
                "Timeline (all in West Africa Time on the 12th of August 2023)",
                Timeline,
            ),
            ("Actions Taken", TimelinePart),
            ("Misleading Investigation Paths", TimelinePart),
            ("Lessons Learned", Other),
        ];
        for (text, kind) in cases {
            assert_eq!(classify_heading(text), kind, "{text}");
        }
    }
}
