//! What a heading's words announce. Writers name the rubric's sections in many ways
//! ("Issue Summary", "Incident overview", "Root cause & resolution", "Measures against
//! such problem in future"); this maps them onto the rubric.

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

/// Words that make a plain line a title on their own: "Postmortem: ...", "Incident
/// report". Bare "outage" is not enough there ("Start of outage: 10:00").
pub fn is_strong_title(text: &str) -> bool {
    let n = normalize(text);
    [
        "postmortem",
        "post mortem",
        "postmortum",
        "postmoterm",
        "incident report",
        "outage report",
        "incident review",
        "post incident",
    ]
    .iter()
    .any(|w| n.contains(w))
}

fn has(n: &str, word: &str) -> bool {
    n.split(' ').any(|w| w == word)
}

fn classify_normalized(n: &str) -> HeadingKind {
    let words = n.split(' ').count();
    // Long headings are sentences, not section names, unless they start with one.
    if words > 10 {
        return HeadingKind::Other;
    }
    // A closing recap after the timeline ("Summation", "In summary") tells cause and fix;
    // it is not the issue summary that opens a postmortem.
    if is_task_marker(n) {
        return HeadingKind::Title;
    }
    if matches!(
        n,
        "summation" | "in summary" | "to summarize" | "to sum up" | "in short" | "recap"
    ) {
        return HeadingKind::RootCauseResolution;
    }
    if matches!(
        n,
        "detection"
            | "detection time"
            | "detection method"
            | "issue detection"
            | "how it was detected"
            | "how the issue was detected"
            | "when it was detected"
            | "actions taken"
            | "action taken"
            | "actions"
            | "investigation"
            | "investigation steps"
            | "escalation"
            | "escalations"
            | "incident escalation"
            | "misleading paths"
            | "misleading path"
            | "misleading investigation"
            | "misleading investigations"
            | "misleading investigation paths"
            | "misleading investigation debugging paths"
            | "misleading debugging paths"
            | "debugging"
            | "debugging steps"
    ) {
        return HeadingKind::TimelinePart;
    }
    let root_cause = has(n, "cause")
        || n.contains("root cause")
        || n.contains("rootcause")
        || n.starts_with("cause")
        || n.contains("causes") && !n.contains("because");
    let resolution = [
        "resolution",
        "resolve",
        "resolved",
        "fix",
        "fixes",
        "fixed",
        "solution",
        "remediation",
        "recovery",
        "mitigation",
        "repair",
    ]
    .iter()
    .any(|w| has(n, w));
    if root_cause && resolution {
        return HeadingKind::RootCauseResolution;
    }
    let measures = [
        "corrective",
        "preventive",
        "preventative",
        "prevention",
        "preventions",
        "measures",
        "improvements",
        "recommendations",
        "countermeasures",
    ]
    .iter()
    .any(|w| has(n, w))
        || n.contains("action items")
        || n.contains("next steps")
        || n.contains("follow up")
        || n.contains("going forward")
        || n.contains("in future")
        || n.contains("in the future")
        || n.contains("moving forward")
        || n.contains("future prevention")
        || n.contains("avoid this")
        || n.contains("preventing");
    let tasks = has(n, "tasks")
        || has(n, "task")
        || has(n, "todo")
        || n.contains("to do")
        || n.contains("action plan")
        || n.contains("checklist");
    if tasks && !measures && !n.contains("summary") {
        return HeadingKind::Tasks;
    }
    if measures && !n.contains("summary") && !n.contains("timeline") {
        return HeadingKind::Measures;
    }
    if has(n, "timeline")
        || has(n, "timelines")
        || n.contains("time line")
        || has(n, "chronology")
        || n.contains("sequence of events")
        || n.contains("timeline of events")
        || n == "events"
        || n == "incident timeline"
        || n.starts_with("debugging process")
        || n.starts_with("time line")
    {
        return HeadingKind::Timeline;
    }
    if root_cause
        || n == "cause"
        || n.starts_with("cause analysis")
        || n.contains("what went wrong")
        || n.contains("why it happened")
        || n.starts_with("reason")
    {
        return HeadingKind::RootCause;
    }
    if resolution
        || n.contains("how it was fixed")
        || n.contains("how we fixed")
        || n == "summation"
    {
        return HeadingKind::Resolution;
    }
    if has(n, "summary")
        || has(n, "overview")
        || has(n, "synopsis")
        || n == "issue"
        || n == "the issue"
        || n == "incident"
        || n == "what happened"
        || n.starts_with("incident details")
        || n.starts_with("issue description")
        || n.starts_with("incident description")
        || n == "description"
        || n.starts_with("executive summary")
        || n == "tldr"
    {
        return HeadingKind::Summary;
    }
    if n == "impact" || n.starts_with("impact ") || n.ends_with(" impact") || n == "user impact" {
        return HeadingKind::Impact;
    }
    if n == "duration"
        || n.starts_with("duration ")
        || n.starts_with("outage duration")
        || n.starts_with("start time")
        || n.starts_with("end time")
    {
        return HeadingKind::Duration;
    }
    if n.contains("postmortem")
        || n.contains("post mortem")
        || n.contains("postmortum")
        || n.contains("postmoterm")
        || n.contains("post morterm")
        || n.contains("incident report")
        || n.contains("outage report")
        || n.contains("incident review")
        || n.contains("outage")
        || n.contains("incident")
        || n.contains("downtime")
    {
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
