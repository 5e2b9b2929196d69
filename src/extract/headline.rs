//! A title for a postmortem whose writer gave none, made from what it says: the service
//! and what happened to it ("WordPress website returning 500 errors", "Checkout API
//! failing"), the way an instructor would name it on a card, never the file's name.
//!
//! The summary sentence that tells the failure is cut down to its subject (the
//! service) and its predicate (what went wrong), without the dates, times and
//! explanations around them.

use super::text::sentences;
use super::time;
use crate::words::{Lexicon, Tokens};
use std::sync::LazyLock;

/// Words that say a service failed.
static FAILURE: LazyLock<Lexicon> = LazyLock::new(|| {
    Lexicon::list(
        "down, outage, unavailable, unreachable, inaccessible, error, errors, fail, failed, \
         failing, failure, slow, slowness, slowdown, latency, timeout, timed out, crash, \
         crashed, broke, broken, stopped, stop, degraded, degradation, disruption, \
         disrupted, interrupted, interruption, offline, refused, rejected, lost, missing, \
         empty, blank, stuck, hung, hang, unresponsive, 500, 502, 503, 504, 404, could not, \
         couldn't, unable, not load, not work, not respond, overloaded, delayed, returning, \
         returned, went, downtime, overload",
    )
});

/// Words between a subject and its failure: "was", "had been", "started".
fn auxiliary(w: &str) -> bool {
    matches!(
        w,
        "was"
            | "were"
            | "is"
            | "are"
            | "been"
            | "being"
            | "be"
            | "had"
            | "has"
            | "have"
            | "started"
            | "began"
            | "kept"
            | "became"
            | "got"
            | "went"
            | "suddenly"
            | "completely"
            | "totally"
            | "partially"
            | "intermittently"
            | "briefly"
            | "also"
            | "then"
            | "which"
            | "that"
            | "experienced"
            | "suffered"
            | "faced"
            | "encountered"
            | "saw"
            | "resulted"
            | "ended"
            | "led"
    )
}

/// Words that end a subject going backwards, or a predicate going forwards.
fn boundary(w: &str) -> bool {
    matches!(
        w,
        "for"
            | "between"
            | "from"
            | "due"
            | "because"
            | "after"
            | "when"
            | "while"
            | "since"
            | "until"
            | "during"
            | "and"
            | "but"
            | "so"
            | "as"
            | "at"
            | "on"
            | "by"
            | "with"
            | "to"
            | "in"
            | "causing"
            | "resulting"
            | "leading"
            | "affecting"
            | "which"
            | "who"
            | "where"
            | "if"
            | "of"
            | "around"
            | "approximately"
            | "about"
    )
}

/// A title from the summary's sentences, when one tells a service failing.
pub fn from_summary(lines: &[&str]) -> Option<String> {
    for line in lines {
        for s in sentences(line) {
            if let Some(t) = from_sentence(s) {
                return Some(t);
            }
        }
    }
    None
}

fn from_sentence(s: &str) -> Option<String> {
    // Dates, times and brackets say when, not what.
    let mut text = s.to_owned();
    let mut spans: Vec<std::ops::Range<usize>> =
        time::scan_times(s).into_iter().map(|m| m.span).collect();
    spans.extend(time::scan_dates(s).into_iter().map(|d| d.span));
    spans.sort_by_key(|r| r.start);
    let mut merged: Vec<std::ops::Range<usize>> = Vec::new();
    for r in spans {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    for r in merged.into_iter().rev() {
        if r.end <= text.len() {
            text.replace_range(r, " ");
        }
    }
    let text = strip_brackets(&super::roles::strip_decoration(&text));
    // The label of a "Label: text" line is not part of the story.
    let text = match text.split_once(':') {
        Some((label, rest))
            if label
                .split_whitespace()
                .filter(|w| w.chars().any(char::is_alphanumeric))
                .count()
                <= 3 =>
        {
            rest.to_owned()
        }
        _ => text,
    };
    let raw: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '"' | '“' | '”'))
        .filter(|w| !w.is_empty())
        .collect();
    let lower: Vec<String> = raw.iter().map(|w| bare(w)).collect();
    let f = (0..raw.len())
        .find(|&i| FAILURE.matches(&Tokens::of(&lower[i])) && !lower[i].is_empty())?;
    // The subject: the words before the failure, back past its auxiliaries, up to a
    // boundary or the start of the sentence.
    let mut end = f;
    // "resulted in", "led to": the failure's link to what failed.
    while end > 0
        && (auxiliary(&lower[end - 1])
            || (matches!(lower[end - 1].as_str(), "in" | "to")
                && end >= 2
                && matches!(lower[end - 2].as_str(), "resulted" | "ended" | "led")))
    {
        end -= 1;
    }
    // "Requests to the WordPress site": the load names the service after "to".
    let load = |i: usize| {
        matches!(
            lower[i].as_str(),
            "requests" | "calls" | "traffic" | "queries" | "connections"
        )
    };
    let mut start = end;
    while start > 0
        && end - start < 7
        && (!boundary(&lower[start - 1])
            || (start >= 2 && lower[start - 1] == "to" && load(start - 2)))
    {
        start -= 1;
    }
    let subject: Vec<&str> = (start..end)
        .filter(|&i| {
            !matches!(
                lower[i].as_str(),
                "our"
                    | "the"
                    | "a"
                    | "an"
                    | "their"
                    | "its"
                    | "my"
                    | "this"
                    | "we"
                    | "us"
                    | "all"
                    | "these"
                    | "those"
            ) && lower[i].chars().count() > 1
        })
        .map(|i| raw[i])
        .collect();
    // The predicate: the failure and a few words after it, up to a boundary ("unable
    // to log in" keeps its "to").
    let mut p_end = f + 1;
    while p_end < raw.len()
        && p_end - f < 6
        && (!boundary(&lower[p_end])
            || (lower[p_end] == "to"
                && matches!(
                    lower[p_end - 1].as_str(),
                    "unable" | "failed" | "fail" | "failing"
                )))
        && !raw[p_end - 1].ends_with(['.', '!', '?'])
    {
        p_end += 1;
    }
    while p_end > f + 1
        && (auxiliary(&lower[p_end - 1])
            || boundary(&lower[p_end - 1])
            || matches!(
                lower[p_end - 1].as_str(),
                "a" | "an" | "the" | "lasted" | "lasting"
            ))
    {
        p_end -= 1;
    }
    // A failure told in one word goes on to what shows it ("unresponsive with a 502
    // status", "down with timeout errors"): a figure or another word of failure.
    if p_end == f + 1 && lower.get(p_end).is_some_and(|w| w == "with") {
        let shown = (p_end + 1..raw.len().min(p_end + 5))
            .take_while(|&i| !boundary(&lower[i]) && !raw[i - 1].ends_with(['.', '!', '?']))
            .last();
        if let Some(last) = shown
            && (p_end + 1..=last).any(|i| {
                lower[i].bytes().any(|b| b.is_ascii_digit())
                    || FAILURE.matches(&Tokens::of(&lower[i]))
            })
        {
            p_end = last + 1;
        }
    }
    let predicate: Vec<&str> = raw[f..p_end].to_vec();
    let subject_lower: Vec<String> = subject.iter().map(|w| bare(w)).collect();
    // "Users experienced a complete outage of our storage service": who suffered is not
    // what failed; what failed follows "of".
    let sufferer = subject_lower.iter().any(|w| {
        matches!(
            w.as_str(),
            "users" | "customers" | "people" | "visitors" | "clients" | "students" | "we" | "i"
        )
    });
    if sufferer && lower.get(p_end).is_some_and(|w| w == "of") {
        let mut e = p_end + 1;
        while e < raw.len()
            && e - p_end < 6
            && !boundary(&lower[e])
            && !raw[e - 1].ends_with(['.', '!', '?'])
        {
            e += 1;
        }
        let words: Vec<&str> = raw[f..e]
            .iter()
            .copied()
            .filter(|w| {
                !matches!(
                    w.to_lowercase().as_str(),
                    "our" | "the" | "a" | "an" | "their"
                )
            })
            .collect();
        let title = words
            .join(" ")
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_owned();
        return (title.split_whitespace().count() >= 3).then(|| capitalize(&title));
    }
    if subject.is_empty()
        || sufferer
        || subject
            .iter()
            .all(|w| w.chars().all(|c| !c.is_alphabetic()))
        || subject_lower.iter().any(|w| {
            matches!(
                w.as_str(),
                "it" | "there" | "this" | "issue" | "incident" | "outage" | "problem"
            )
        })
    {
        return None;
    }
    let words: Vec<&str> = subject.iter().chain(predicate.iter()).copied().collect();
    let title = words
        .join(" ")
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_owned();
    let n = title.split_whitespace().count();
    (3..=12).contains(&n).then(|| capitalize(&title))
}

/// A title from the root cause when the summary tells no failure: "The root cause was a
/// misconfiguration in the load balancer settings, specifically ..." gives
/// "Misconfiguration in the load balancer settings".
pub fn from_cause(cause: &str) -> Option<String> {
    let lower = cause.to_lowercase();
    let at = [" was ", " were ", " is ", ": "]
        .iter()
        .filter_map(|w| lower.find(w).map(|i| i + w.len()))
        .min()?;
    let rest = &cause[at..];
    let rest = rest
        .trim_start()
        .strip_prefix("identified as ")
        .or_else(|| rest.trim_start().strip_prefix("traced to "))
        .unwrap_or(rest.trim_start());
    let words: Vec<&str> = rest
        .split_whitespace()
        .take_while(|w| {
            !matches!(
                w.to_lowercase().as_str(),
                "that"
                    | "which"
                    | "specifically"
                    | "because"
                    | "where"
                    | "when"
                    | "causing"
                    | "leading"
            )
        })
        .collect();
    let mut words: Vec<&str> = words.into_iter().take(9).collect();
    while words
        .first()
        .is_some_and(|w| matches!(w.to_lowercase().as_str(), "a" | "an" | "the" | "due" | "to"))
    {
        words.remove(0);
    }
    let cut = words
        .iter()
        .position(|w| w.ends_with([',', '.', ';']))
        .map_or(words.len(), |i| i + 1);
    let title = words[..cut].join(" ");
    let title = title.trim_matches(|c: char| !c.is_alphanumeric());
    (title.split_whitespace().count() >= 2).then(|| capitalize(title))
}

/// A word without the punctuation around it, lowercased.
fn bare(w: &str) -> String {
    w.trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase()
}

fn strip_brackets(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0;
    for c in s.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

fn capitalize(s: &str) -> String {
    let mut cs = s.chars();
    match cs.next() {
        Some(f) => f.to_uppercase().collect::<String>() + cs.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_one_word_failure_goes_on_to_what_shows_it() {
        assert_eq!(
            from_summary(&["On March 3rd, 2023 at about 09:10 UTC: Portal is unresponsive with a 502 status for every request from the browser."]).as_deref(),
            Some("Portal unresponsive with a 502 status")
        );
        assert_eq!(
            from_summary(&["The search page was down with timeout errors for most users."])
                .as_deref(),
            Some("Search page down with timeout errors")
        );
        // What it was down with is not always what shows the failure.
        assert_eq!(
            from_summary(&["The API was slow with the new cache."]),
            None
        );
    }
    use super::*;

    #[test]
    fn the_service_and_what_happened() {
        let t = |s: &str| from_summary(&[s]);
        assert_eq!(
            t(
                "From 02:47 AM UTC to 05:00 AM UTC, our Wordpress Website was returning a 500 error response."
            ),
            Some("Wordpress Website returning a 500 error response".into())
        );
        assert_eq!(
            t("On Saturday 12th August 2023 our checkout API started failing at about 16:50."),
            Some("Checkout API failing".into())
        );
        assert_eq!(
            t(
                "On Wednesday, 11/02/22, our GitLab CI runners stopped picking up jobs from 3 AM to 5:45 AM PST."
            ),
            Some("GitLab CI runners stopped picking up jobs".into())
        );
        // Who suffered is not what failed.
        assert_eq!(t("Users could not log in for two hours."), None);
        assert_eq!(
            t(
                "On September 29, 2020, From 11:00 AM to 11:25 AM GMT-5, requests to the WordPress web page resulted in 500 Internal Server Error responses."
            ),
            Some("Requests to WordPress web page 500 Internal Server Error responses".into())
        );
        assert_eq!(
            from_cause(
                "The root cause of the outage was a misconfiguration in the load balancer settings, specifically related to traffic."
            ),
            Some("Misconfiguration in the load balancer settings".into())
        );
        assert_eq!(
            t(
                "On May 10, 2023, from 2:00 PM to 5:00 PM EDT, users experienced a complete outage of our cloud-based storage service."
            ),
            Some("Outage of cloud-based storage service".into())
        );
    }
}
