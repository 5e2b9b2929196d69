//! The roles a reviewer recognises in a timeline, read from what a sentence does rather
//! than from a list of its possible phrasings:
//!
//! - an **escalation** hands the incident to another party: a party (a team, a named
//!   person, a vendor, a lead) and a hand-off toward it (someone contacts, brings in or
//!   hands over to the party, or the party joins, takes over, picks it up), whatever the
//!   verb;
//! - a **misleading path** is a hypothesis that was then dropped or disproved (a
//!   suspicion, an assumption or a theory, and an outcome that says it was not so), or
//!   an attempt that changed nothing; an assumption that turned out right is not one,
//!   and neither is a line saying there were none.

use crate::words::Lexicon;
use std::sync::LazyLock;

/// A sentence's words as written and as stems.
pub struct Sentence<'a> {
    /// The words as written (case kept, for names).
    pub raw: Vec<&'a str>,
    /// The same words lowercased, and their stems.
    tokens: std::rc::Rc<crate::words::Tokens>,
}

impl<'a> Sentence<'a> {
    /// Splits as [`crate::words::words`] does (so lexicon phrases line up), keeping case.
    pub fn new(text: &'a str) -> Sentence<'a> {
        Sentence {
            raw: crate::words::spans(text),
            tokens: crate::words::Tokens::of(text),
        }
    }

    /// The words, lowercased.
    pub fn lower(&self) -> &[String] {
        &self.tokens.words
    }

    /// The words' stems.
    pub fn stems(&self) -> &[String] {
        &self.tokens.stems
    }

    fn has(&self, l: &Lexicon) -> bool {
        l.matches(&self.tokens)
    }

    /// Positions where an entry of `l` starts.
    fn positions(&self, l: &Lexicon) -> Vec<usize> {
        l.positions(&self.tokens)
    }

    /// Whether an entry of `l` starts at word `i`.
    fn starts(&self, l: &Lexicon, i: usize) -> bool {
        l.match_at(&self.tokens, i).is_some()
    }

    /// Words `a..b` as a sentence of their own.
    fn slice(&self, a: usize, b: usize) -> Sentence<'a> {
        let tokens = crate::words::Tokens {
            words: self.tokens.words[a..b].to_vec(),
            stems: self.tokens.stems[a..b].to_vec(),
        };
        Sentence {
            raw: self.raw[a..b].to_vec(),
            tokens: tokens.into(),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Escalation
// ---------------------------------------------------------------------------------------

/// Who an incident can be handed to: groups and roles of people, and outside parties.
static PARTY: LazyLock<Lexicon> = LazyLock::new(|| {
    Lexicon::list(
        "team, engineer, developer, dev, admin, administrator, dba, team lead, \
         lead developer, lead engineer, manager, management, vendor, provider, support, \
         company, isp, hosting, colleague, senior, expert, specialist, cto, ceo, cio, head, \
         supervisor, consultant, contractor, architect, owner, folks, people, crew, squad, \
         department, desk, helpdesk, firm, partner, boss, mentor, staff, personnel, sre, \
         devops, ops, operations, dev team, tech lead, director, vp, officer, maintainer, \
         friend, teammate, cofounder, co-founder, engineering, infra, commander, someone",
    )
});

/// Doing something toward a party: contacting, bringing in, handing over.
static HANDOFF: LazyLock<Lexicon> = LazyLock::new(|| {
    Lexicon::list(
        "escalate, escalation, notify, notified, notification, inform, call, phone, ring, \
         rang, page, ping, message, email, e-mail, text, dm, contact, reach, tell, told, \
         wake, woke, loop, bring, brought, rope, pull, drag, involve, engage, invite, \
         summon, assign, hand, pass, transfer, forward, refer, consult, tag, mobilize, \
         mobilise, convene, alert, ask, asked, request, raise, open, file, submit, report, \
         get, got, send, sent, slack, mention",
    )
});

/// Verbs that reach a party only with more words: "got the vendor on the phone",
/// "raised a ticket with the host", "asked the DBA for help".
static NEEDS_MORE: LazyLock<Lexicon> = LazyLock::new(|| {
    Lexicon::list(
        "get, got, open, file, submit, raise, send, sent, report, ask, asked, request, \
         alert, text, pass, mention",
    )
});

/// What makes those verbs a hand-off without a direction: a channel, a ticket, a plea.
static CHANNEL: LazyLock<Lexicon> = LazyLock::new(|| {
    Lexicon::list(
        "on the phone, on the line, on a call, on the call, into the call, on slack, \
         involved, ticket, case, help, assistance, support request, bridge",
    )
});

/// A party arriving: "the DBA joined", "Jonas picked it up", "network team stepped in".
static ARRIVAL: LazyLock<Lexicon> = LazyLock::new(|| {
    Lexicon::list(
        "join, joined, step in, stepped in, take over, took over, came in, come in, pick up, \
         picked up, picks it up, picked it up, arrive, got involved, jump in, jumped in, \
         hop on, hopped on, was called, were called, was brought, were brought, was looped, \
         were looped, was paged, were paged, was notified, were notified, was informed, \
         were informed, was contacted, were contacted, was engaged, were engaged, \
         was pulled, were pulled, got paged, was escalated to, pulled in, brought in, \
         looped in, roped in, called in",
    )
});

static ESCALATE: LazyLock<Lexicon> = LazyLock::new(|| Lexicon::list("escalate, escalated"));

/// The first responder, whose paging is how an incident starts.
static ON_CALL: LazyLock<Lexicon> =
    LazyLock::new(|| Lexicon::new(&["on-call", "oncall", "on call"]));

/// Whether a sentence hands the incident to another party.
pub fn escalation(text: &str) -> bool {
    super::text::sentences(text)
        .iter()
        .any(|s| escalation_in(s))
}

fn escalation_in(text: &str) -> bool {
    let s = Sentence::new(text);
    let parties = parties(&s);
    if parties.is_empty() {
        return false;
    }
    // "escalated to X" / "handed over to X" / "contacted X": a hand-off before a party.
    for v in s.positions(&HANDOFF) {
        // An alert that pages someone starts the response; it hands nothing off.
        if signal_before(&s, v) {
            continue;
        }
        // "on call" is a rota; "the error message", "a notification" are things, which
        // hand off only when sent somewhere ("the notification was made to the lead").
        let before = v.checked_sub(1).map(|b| s.lower()[b].as_str());
        if before == Some("on") {
            continue;
        }
        let noun = matches!(
            before,
            Some(
                "the"
                    | "a"
                    | "an"
                    | "this"
                    | "that"
                    | "error"
                    | "our"
                    | "their"
                    | "his"
                    | "her"
                    | "its"
            )
        );
        let needs_more = noun || s.starts(&NEEDS_MORE, v);
        // A name is a party only as the object of the hand-off, right after it or
        // where it is handed to ("hands the incident to Karim").
        let after = v + 1..(v + 9).min(s.raw.len());
        let Some(&p) = parties.iter().find(|&&p| {
            after.contains(&p)
                && (PARTY.in_text(&s.lower()[p])
                    || !is_name(s.raw[p])
                    || p <= v + 2
                    || s.lower()[p - 1] == "to")
        }) else {
            continue;
        };
        if needs_more {
            // "raised a ticket with the host", "reported it to the vendor", "got the
            // vendor on the phone": a direction right before the party, or a channel.
            let directed = (p.saturating_sub(3)..p)
                .any(|i| matches!(s.lower()[i].as_str(), "to" | "with" | "into"));
            let end = (p + 5).max(v + 12).min(s.raw.len());
            let window = s.slice(v + 1, end);
            if !directed && (noun || !window.has(&CHANNEL)) {
                continue;
            }
        }
        return true;
    }
    // "escalated to the messaging on-call (helen.o)": to whom, whoever it is (not a
    // severity: "escalated to SEV-1" names no party).
    for v in s.positions(&ESCALATE) {
        if s.lower().get(v + 1).is_some_and(|w| w == "to")
            && let Some(target) = s
                .lower()
                .iter()
                .skip(v + 2)
                .find(|w| !matches!(w.as_str(), "the" | "our" | "a" | "an" | "their"))
            && !matches!(
                target.as_str(),
                "sev"
                    | "severity"
                    | "priority"
                    | "p0"
                    | "p1"
                    | "p2"
                    | "p3"
                    | "p4"
                    | "critical"
                    | "major"
                    | "high"
                    | "level"
            )
            && !target.starts_with("sev")
        {
            return true;
        }
    }
    // "the DBA joined", "Farah took over", "network team was pulled in".
    for a in s.positions(&ARRIVAL) {
        if parties.iter().any(|&p| p < a && a - p <= 5) {
            return true;
        }
    }
    false
}

/// Monitoring that raises the alarm: what pages the first responder.
static SIGNAL: LazyLock<Lexicon> = LazyLock::new(|| {
    Lexicon::list(
        "alert, alarm, monitor, monitoring, check, probe, pager, pagerduty, opsgenie, \
         uptime, synthetic, health check, watchdog",
    )
});

/// Whether the doer of the verb at `v` is a signal: a monitoring word among the few
/// words before it, and no person or party there ("Alert X pages the API on-call").
fn signal_before(s: &Sentence, v: usize) -> bool {
    let from = v.saturating_sub(6);
    let signal = (from..v).any(|i| s.starts(&SIGNAL, i));
    let person = (from..v).any(|i| {
        PARTY.in_text(&s.lower()[i])
            || is_name(s.raw[i])
            || matches!(s.lower()[i].as_str(), "we" | "i" | "he" | "she" | "they")
    });
    signal && !person
}

/// Where the sentence names a party: a party word not qualified as the on-call first
/// responder, or a person's name (a capitalised word inside the sentence that is not a
/// product or an acronym).
fn parties(s: &Sentence) -> Vec<usize> {
    let mut out = Vec::new();
    let on_call = s.positions(&ON_CALL);
    for i in s.positions(&PARTY) {
        // "the on-call engineer": the first responder. "the on-call DBA" is another team.
        let first_responder = on_call.iter().any(|&o| o <= i && i - o <= 2)
            && matches!(
                s.stems()[i].as_str(),
                "engin"
                    | "team"
                    | "develop"
                    | "dev"
                    | "admin"
                    | "sre"
                    | "staff"
                    | "on-cal"
                    | "on-call"
                    | "oncal"
                    | "person"
            );
        if !first_responder {
            out.push(i);
        }
    }
    let lower = s.lower();
    for (i, w) in s.raw.iter().enumerate() {
        // A name right after "on-call" is the first responder ("on-call Ray").
        let responder = i >= 2 && lower[i - 1] == "call" && lower[i - 2] == "on";
        // A name before a part of a system names the part: "the Directions API",
        // "our Sidekiq workers".
        let thing = s.starts(&THING, i + 1);
        if i > 0 && is_name(w) && !responder && !thing && !out.contains(&i) {
            out.push(i);
        }
        // "the backend lead", "our infra lead": a lead named by what they lead (not the
        // verb: "which lead to the error").
        if w.eq_ignore_ascii_case("lead")
            && i > 0
            && lower.get(i + 1).is_none_or(|n| n != "to")
            && !matches!(
                lower[i - 1].as_str(),
                "which"
                    | "that"
                    | "to"
                    | "will"
                    | "would"
                    | "can"
                    | "could"
                    | "may"
                    | "might"
                    | "should"
                    | "must"
                    | "also"
                    | "not"
                    | "and"
                    | "it"
                    | "this"
                    | "they"
            )
            && !out.contains(&i)
        {
            out.push(i);
        }
        // "our database on-call", "the messaging on-call": another team's first responder.
        // Not "sent to on-call", "paged the on-call": a word that only links or
        // determines does not name another team.
        if i >= 2
            && lower[i] == "call"
            && lower[i - 1] == "on"
            && !is_function_word(&lower[i - 2])
            && !matches!(
                lower[i - 2].as_str(),
                "our"
                    | "my"
                    | "their"
                    | "his"
                    | "her"
                    | "night"
                    | "day"
                    | "weekend"
                    | "morning"
                    | "evening"
                    | "primary"
                    | "first"
                    | "current"
                    | "was"
                    | "is"
                    | "were"
                    | "be"
                    | "been"
                    | "being"
            )
            && !out.contains(&i)
        {
            out.push(i);
        }
    }
    out.sort_unstable();
    out
}

/// A person's name: a capitalised word of letters ("Tunde", "Efua"), not all capitals
/// (acronyms and products: "DNS", "AWS") and not a word with capitals inside ("GitLab").
fn is_name(w: &str) -> bool {
    let mut cs = w.chars();
    let Some(first) = cs.next() else { return false };
    let rest: Vec<char> = cs.collect();
    first.is_uppercase()
        && rest.len() >= 2
        && rest.iter().all(|c| c.is_lowercase())
        && !COMMON_CAPITALISED.in_text(w)
}

/// Capitalised words that are not people: days, months, products and words that start
/// sentences inside a line ("Then", "Checked").
static COMMON_CAPITALISED: LazyLock<Lexicon> = LazyLock::new(|| {
    Lexicon::list(
        "monday, tuesday, wednesday, thursday, friday, saturday, sunday, january, february, \
         march, april, may, june, july, august, september, october, november, december, \
         nginx, apache, redis, mysql, postgres, docker, kubernetes, linux, ubuntu, puppet, \
         ansible, python, django, flask, rails, node, java, php, wordpress, slack, teams, \
         zoom, grafana, prometheus, datadog, sentry, jira, github, gitlab, google, amazon, \
         azure, cloudflare, stripe, paypal, twitter, whatsapp, telegram, discord, the, then, \
         we, our, after, when, once, finally, meanwhile, later, also, next, it, this, that, \
         they, he, she, i, issue, error, connection, server, service, incident, alert, user, \
         memcached, elasticsearch, kafka, rabbitmq, mongodb, haproxy, varnish, jenkins, \
         terraform, helm, android, ios, windows, mac, chrome, firefox, safari, uptime, kuma, \
         pagerduty, opsgenie, status",
    )
});

// ---------------------------------------------------------------------------------------
// Noticing
// ---------------------------------------------------------------------------------------

/// Telling someone about a problem: a report's verbs.
static REPORTS: LazyLock<Lexicon> = LazyLock::new(|| {
    Lexicon::list(
        "message, messaged, email, emailed, e-mail, tweet, tweeted, post, posted, phone, phoned, \
         ring, rang, call, called, write, writes, wrote, complain, complained, report, reported, \
         text, texted, tell, told, ask, asked, mention, mentioned, flag, flagged, notice, \
         noticed, spot, spotted, raise, raised, comment, commented, contact, contacted, ping, \
         pinged, warn, warned",
    )
});

/// Sending a report: these need a report after them ("sent a message", "opened an issue").
static SENDS: LazyLock<Lexicon> = LazyLock::new(|| {
    Lexicon::list(
        "send, sent, open, opened, file, filed, submit, submitted, leave, left, raise, raised, post, posted",
    )
});

static REPORT_NOUNS: LazyLock<Lexicon> = LazyLock::new(|| {
    Lexicon::list(
        "message, email, ticket, complaint, report, issue, bug, comment, post, tweet, note, \
         screenshot, request",
    )
});

/// Whether a sentence tells someone noticing the problem and saying so: "a reader
/// messaged the blog's account", "a journalist sent a message in Slack", "a student
/// writes in the support chat". The someone is a person (a people word, a name, a party),
/// never the writer's own side telling others ("we emailed our users").
pub fn noticed(text: &str) -> bool {
    super::text::sentences(text).iter().any(|t| {
        let s = Sentence::new(t);
        let person = |i: usize| {
            let w = &s.lower()[i];
            // One person or many: "a journalist", "readers".
            super::users::is_people(w)
                || super::users::is_people(&format!("{w}s"))
                || is_name(s.raw[i])
                || s.starts(&PARTY, i)
        };
        let ours = |i: usize| matches!(s.lower()[i].as_str(), "we" | "i" | "us" | "our");
        let reporter_before = |v: usize| {
            let from = v.saturating_sub(3);
            (from..v).any(&person) && !(from..v).any(&ours)
        };
        // "... opened by a user": the reporter after "by".
        let reporter_after = |v: usize| {
            s.lower().get(v + 1).is_some_and(|w| w == "by")
                && (v + 2..(v + 5).min(s.raw.len())).any(&person)
        };
        s.positions(&REPORTS)
            .into_iter()
            .any(|v| reporter_before(v) || reporter_after(v))
            || s.positions(&SENDS).into_iter().any(&reporter_after)
            || s.positions(&SENDS).into_iter().any(|v| {
                reporter_before(v)
                    && (v + 1..(v + 4).min(s.raw.len())).any(|i| s.starts(&REPORT_NOUNS, i))
            })
    })
}

// ---------------------------------------------------------------------------------------
// Misleading paths
// ---------------------------------------------------------------------------------------

/// A hypothesis: suspecting, assuming, believing, a theory or a lead.
static HYPOTHESIS: LazyLock<Lexicon> = LazyLock::new(|| {
    Lexicon::list(
        "suspect, suspicion, assume, assumption, think, thought, believe, belief, guess, \
         suppose, presume, hypothesis, hypothesize, theory, theorize, blame, hunch, \
         convinced, sure it was, pointed to, pointed at, point to, looked like, seemed like, \
         seemed to be, appeared to be, culprit, speculate, focused on, focus on",
    )
});

/// An outcome that says a hypothesis or an attempt was not so.
static DISPROVED: LazyLock<Lexicon> = LazyLock::new(|| {
    Lexicon::list(
        "not, no, nothing, never, none, wrong, false, incorrect, mistaken, ruled out, \
         rule out, innocent, fine, normal, healthy, green, operational, unrelated, \
         irrelevant, for nothing, wasted, in vain, no avail, no luck, same, still, persist, \
         persisted, instead, actually, disprove, disproven, dropped, abandon, abandoned, \
         moved on, dead end, red herring, ok, okay, clean, nowhere, didn't, did not, wasn't, \
         weren't, isn't, unchanged, equally, neither, nor",
    )
});

/// An outcome that says the hypothesis was right.
static CONFIRMED: LazyLock<Lexicon> = LazyLock::new(|| {
    Lexicon::list(
        "confirmed, confirm, indeed, correct, right, was the cause, was the culprit, \
         was the problem, proved right, as suspected, as expected, sure enough",
    )
});

/// A verdict that drops a hypothesis, whatever was found on the way to it.
static DROPPED: LazyLock<Lexicon> = LazyLock::new(|| {
    Lexicon::list(
        "ruled out, rule out, disprove, disproven, dropped, abandon, abandoned, moved on, \
         let go, not the problem, not the cause, not it, wasn't it, was not it, innocent",
    )
});

/// Words that name a misleading path outright.
static NAMED_MISLEADING: LazyLock<Lexicon> = LazyLock::new(|| {
    // A search that led nowhere: a dead end of the debugging.
    Lexicon::list(
        "misleading, mislead, misled, misdirect, red herring, dead end, dead-end, \
         wrong path, wrong direction, wrong track, wrong turn, wrong lead, false lead, \
         false trail, false alarm, wild goose, rabbit hole, detour, distraction, sidetrack, \
         sidetracked, misdiagnosis, misdiagnose, wrong assumption, mistakenly, \
         barking up the wrong tree, no useful, nothing useful, revealed nothing, \
         showed nothing, gave nothing, turned up nothing, came up empty, led nowhere, \
         disappointed, no clue",
    )
});

/// Doing something to fix it: an attempt whose failure is a path dropped.
static ATTEMPT: LazyLock<Lexicon> = LazyLock::new(|| {
    Lexicon::list(
        "tried, try, attempt, restart, reboot, rolled back, roll back, revert, redeploy, \
         increase, add, added, clear, flush, purge, scale, scaled, replace, reinstall, \
         reload, switch, disable, enable, change, changed, registered, register, bump, \
         raise, spent, spend",
    )
});

/// An attempt's failure: it changed nothing.
static NO_EFFECT: LazyLock<Lexicon> = LazyLock::new(|| {
    Lexicon::list(
        "no change, no effect, no difference, no improvement, didn't help, did not help, \
         didn't fix, did not fix, didn't work, did not work, didn't change, did not change, \
         changed nothing, nothing changed, same, still, persisted, persist, no luck, \
         in vain, no avail, to no avail, not go down, did not go down, didn't go down, \
         never, made no, without success, unsuccessful, not the problem, not the cause, \
         not it, for nothing, wasted",
    )
});

/// How a sentence bears on a misleading path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lead {
    /// Names one outright, or states a hypothesis and its disproof, or an attempt that
    /// changed nothing.
    Misleading,
    /// States a hypothesis whose outcome is not told here (the next entry may tell it).
    Open,
    /// Says there were none ("no misleading paths"), or the hypothesis was right.
    None,
}

/// What one entry or sentence says about a misleading path.
pub fn lead(text: &str) -> Option<Lead> {
    // Words quoted are what someone said or saw ("search \"shows nothing\""), not the
    // path the team took.
    let unquoted = QUOTED.replace_all(text, "\"\"");
    let s = Sentence::new(&unquoted);
    let named = s.positions(&NAMED_MISLEADING);
    if let Some(&n) = named.first() {
        // "There were no misleading paths", "nothing misleading": a denial.
        let denied = (n.saturating_sub(4)..n).any(|i| is_negation(&s.lower()[i]));
        return Some(if denied { Lead::None } else { Lead::Misleading });
    }
    // "is supposed to delete the old index" says what a thing should do, not what
    // anyone guessed.
    let obligation = |h: usize| {
        s.lower()[h].starts_with("suppos")
            && h.checked_sub(1).is_some_and(|b| {
                matches!(
                    s.lower()[b].as_str(),
                    "is" | "are" | "was" | "were" | "be" | "been" | "being" | "'s"
                )
            })
            && s.lower().get(h + 1).is_some_and(|w| w == "to")
    };
    let hypotheses: Vec<usize> = s
        .positions(&HYPOTHESIS)
        .into_iter()
        .filter(|&h| !obligation(h))
        .collect();
    let disproved = s.positions(&DISPROVED);
    let confirmations = s.positions(&CONFIRMED);
    let confirmed = !confirmations.is_empty();
    if let Some(&h) = hypotheses.first() {
        // The outcome after the hypothesis: "suspected the CDN ... No change".
        if disproved.iter().any(|&d| d > h + 1) && !confirmed {
            return Some(Lead::Misleading);
        }
        // The verdict told last decides: "checked the subject and they were correct, so
        // that was ruled out" finds the things checked in order, which drops the guess.
        let last_confirmation = confirmations.iter().max().copied().unwrap_or(0);
        if s.positions(&DROPPED)
            .iter()
            .any(|&d| d > h + 1 && d > last_confirmation)
        {
            return Some(Lead::Misleading);
        }
        if confirmed {
            return Some(Lead::None);
        }
        return Some(Lead::Open);
    }
    let attempts = s.positions(&ATTEMPT);
    let no_effect = s.positions(&NO_EFFECT);
    if attempts
        .first()
        .is_some_and(|&a| no_effect.iter().any(|&n| n > a))
    {
        return Some(Lead::Misleading);
    }
    if ruled_out(&s) {
        return Some(Lead::Misleading);
    }
    None
}

/// A word that negates what follows: English's closed set of negators, and any
/// contraction in "n't" ("wasn't", "didn't").
fn is_negation(word: &str) -> bool {
    matches!(
        word,
        "no" | "not" | "none" | "never" | "nothing" | "without"
    ) || word.ends_with("n't")
}

/// Whether a sentence tells a look that found the fault elsewhere: an examination or a
/// finding ("the investigation of the database revealed", "after realising") that a
/// fault was not there, a negation close before a word for a fault ("no database
/// issues", "wasn't a network problem"). Not a check after the fix that no fault is
/// left ("no further errors"): the finding is one of where the fault is not.
fn ruled_out(s: &Sentence) -> bool {
    let Some(&looked) = s.positions(&EXAMINED).first() else {
        return false;
    };
    let words = s.lower();
    (looked + 1..words.len()).any(|n| {
        is_negation(&words[n])
            && words
                .iter()
                .enumerate()
                .skip(n + 1)
                .take(4)
                .take_while(|(_, w)| {
                    !matches!(
                        w.as_str(),
                        "further"
                            | "more"
                            | "new"
                            | "other"
                            | "additional"
                            | "remaining"
                            | "longer"
                    )
                })
                .any(|(i, _)| s.starts(&FAULT, i))
    })
}

/// Looking into something, and what the look found.
static EXAMINED: LazyLock<Lexicon> = LazyLock::new(|| {
    Lexicon::list(
        "investigate, investigation, inspect, inspection, examine, examination, check, \
         review, audit, analysis, analyse, analyze, diagnose, diagnostic, look into, looked \
         into, looked at, dig into, reveal, show, showed, shown, find, found, realise, \
         realize, determine, conclude, turn out, turned out, establish",
    )
});

/// Words for a fault a look can rule out.
static FAULT: LazyLock<Lexicon> = LazyLock::new(|| {
    Lexicon::list("issue, problem, fault, cause, culprit, anomaly, defect, bottleneck")
});

/// A double-quoted span of two words or more.
static QUOTED: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r#""[^"\s]+\s[^"]*"|“[^”\s]+\s[^”]*”"#).expect("valid regex")
});

/// Whether a run of entries tells a misleading path: one entry that does, or an open
/// hypothesis that the next entry disproves ("suspects the new image" then "equally
/// slow, so the image theory is dropped"), or one about something other than what the
/// root cause turned out to be. Returns the index of the entry.
pub fn misleading(entries: &[&str], cause: Option<&str>) -> Option<usize> {
    for (i, e) in entries.iter().enumerate() {
        match lead(e) {
            Some(Lead::Misleading) => return Some(i),
            Some(Lead::Open) => {
                if let Some(next) = entries.get(i + 1) {
                    let s = Sentence::new(next);
                    let starts_disproved =
                        s.positions(&DISPROVED).first().is_some_and(|&d| d <= 12);
                    if (starts_disproved || s.has(&NO_EFFECT)) && !s.has(&CONFIRMED) {
                        return Some(i);
                    }
                }
                if let Some(cause) = cause
                    && !about_the_cause(e, cause)
                {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Whether a hypothesis is about what the root cause turned out to be: the things it
/// suspects (the words after its marker) appear in the cause.
fn about_the_cause(hypothesis: &str, cause: &str) -> bool {
    let s = Sentence::new(hypothesis);
    let Some(&h) = s.positions(&HYPOTHESIS).first() else {
        return true;
    };
    let cause: std::collections::HashSet<String> = crate::words::stems(cause)
        .into_iter()
        .filter(|w| !is_function_word(w))
        .collect();
    // What is suspected: the first words after the marker, not the reasons given for it.
    let suspected: Vec<&String> = s.stems()[h + 1..]
        .iter()
        .filter(|w| !is_function_word(w) && w.len() >= 3 && !HYPOTHESIS.in_text(w))
        .take(4)
        .collect();
    // One word in common is not enough ("suspected the database" when the cause was a
    // bad query on it); most of what was suspected must be what the cause names.
    let shared = suspected.iter().filter(|w| cause.contains(**w)).count();
    suspected.is_empty() || (shared >= 2 && shared * 2 >= suspected.len())
}

/// Whether a sentence says again what `part` explains: half of its content words (and
/// at least four) are the part's. A summary's "the root disk had filled up with debug
/// logs" restates the root-cause section it sums up, with no causal word in it.
pub fn restates(sentence: &str, part: &str) -> bool {
    let content = |t: &str| -> std::collections::HashSet<String> {
        crate::words::stems(t)
            .into_iter()
            .filter(|w| {
                !is_function_word(w) && w.len() >= 3 && !w.chars().all(|c| c.is_ascii_digit())
            })
            .collect()
    };
    let said = content(sentence);
    let explained = content(part);
    let shared = said.iter().filter(|w| explained.contains(*w)).count();
    shared >= 4 && shared * 2 >= said.len()
}

/// English function words (a closed class): articles, pronouns, auxiliaries,
/// prepositions and conjunctions.
pub(crate) fn is_function_word(w: &str) -> bool {
    matches!(
        w,
        "a" | "an"
            | "the"
            | "it"
            | "its"
            | "this"
            | "that"
            | "these"
            | "those"
            | "was"
            | "were"
            | "is"
            | "are"
            | "be"
            | "been"
            | "being"
            | "had"
            | "has"
            | "have"
            | "do"
            | "did"
            | "doe"
            | "of"
            | "to"
            | "in"
            | "on"
            | "at"
            | "by"
            | "for"
            | "with"
            | "from"
            | "and"
            | "or"
            | "but"
            | "we"
            | "our"
            | "they"
            | "their"
            | "he"
            | "she"
            | "his"
            | "her"
            | "i"
            | "my"
            | "me"
            | "us"
            | "you"
            | "your"
            | "some"
            | "any"
            | "all"
            | "might"
            | "could"
            | "would"
            | "should"
            | "may"
            | "can"
            | "will"
            | "caus"
            | "issu"
            | "problem"
            | "outag"
            | "incid"
            | "error"
            | "there"
            | "here"
            | "so"
            | "as"
            | "than"
            | "then"
            | "which"
            | "who"
            | "what"
            | "when"
            | "where"
            | "whi"
            | "how"
            | "not"
            | "no"
            | "wa"
            | "ha"
            | "thi"
            | "becaus"
            | "due"
            | "root"
            | "possibl"
            | "potenti"
            | "actual"
            | "real"
            | "main"
            | "like"
            | "mayb"
            | "perhap"
    )
}

// ---------------------------------------------------------------------------------------
// Tasks
// ---------------------------------------------------------------------------------------

/// Actions on a system: what a task does.
static ACTION: LazyLock<Lexicon> = LazyLock::new(|| {
    Lexicon::list(
        "add, set up, setup, configure, patch, update, upgrade, install, write, document, \
         create, enable, disable, automate, monitor, test, schedule, increase, reduce, \
         replace, remove, migrate, deploy, rotate, renew, implement, introduce, run, review, \
         audit, check, validate, limit, restrict, move, split, build, back up, backup, \
         alert, train, conduct, establish, define, enforce, require, pin, tune, raise, \
         lower, rename, fix, refactor, delete, clean, purge, archive, block, allow, grant, \
         revoke, expire, cap, throttle, cache, index, shard, replicate, provision, \
         decommission, retire, separate, isolate, hire, assign, publish, notify, subscribe, \
         label, tag, version, lock, encrypt, sign, verify, measure, track, log, record, \
         store, rollout, roll out, canary, stage, script, wire, hook, integrate, switch, \
         adopt, use, make, put, turn, send, keep, extend, shorten, store, purchase, buy, \
         order, allocate, resize, scale, set, change, adjust, modify, optimize, optimise, \
         rewrite, reindex, restart, reboot, correct",
    )
});

/// Intentions rather than actions: what an improvement hopes for.
static BROAD: LazyLock<Lexicon> = LazyLock::new(|| {
    Lexicon::list(
        "improve, enhance, strengthen, consider, continue, focus, prioritize, prioritise, \
         promote, encourage, foster, be, stay, remain, try, aim, strive, commit, learn, \
         avoid, prevent, minimize, maximize, emphasize, invest, explore, evaluate, \
         look into, think, remember, pay attention, take care, watch, plan, boost, better, \
         work on",
    )
});

/// Named things of a system: what a task acts on.
static THING: LazyLock<Lexicon> = LazyLock::new(|| {
    Lexicon::list(
        "server, alert, alarm, disk, database, db, cron, certificate, cert, runbook, \
         playbook, script, config, configuration, pipeline, dashboard, backup, index, query, \
         endpoint, queue, cache, key, token, password, secret, firewall, load balancer, \
         replica, node, job, health check, rule, threshold, limit, timeout, pool, log, \
         metric, memory, cpu, ram, storage, volume, partition, container, image, cluster, \
         pod, service, api, dns, record, domain, tls, ssl, port, process, daemon, package, \
         dependency, version, library, module, file, folder, directory, table, schema, \
         migration, column, bucket, account, permission, role, user, vm, host, instance, \
         network, vpn, proxy, cdn, worker, thread, connection, socket, branch, repository, \
         repo, ci, cd, build, release, deploy, deployment, rollback, flag, feature flag, \
         test, tests, unit test, integration test, check, probe, monitor, uptime, page, \
         pager, on-call, rotation, channel, ticket, webhook, email, sms, notification, \
         quota, rate limit, retention, policy, calendar, reminder, owner, checklist, \
         template, page, nginx, apache, mysql, postgres, redis, docker, kubernetes, puppet, \
         php, wordpress, haproxy, elasticsearch, kafka, mongodb, memcached",
    )
});

/// Whether a list item is a specific task: an action on a named thing ("add an alert on
/// disk above 90%", "patch Nginx on web-02"), not a broad intention ("improve
/// monitoring", "be more careful").
pub fn task(text: &str) -> bool {
    task_detail(text).is_some()
}

/// A task told in prose counts when it names precisely what it changes: a number, an
/// identifier, or two named things ("rotate the API key in the payments vault").
pub fn firm_task(text: &str) -> bool {
    task_detail(text).is_some_and(|(things, identifiers)| identifiers >= 1 || things >= 2)
}

/// A task's named things and identifiers, when it is one.
fn task_detail(text: &str) -> Option<(usize, usize)> {
    // Decoration before the words: HTML entities and emoji shortcodes ("&emsp;:star:").
    let cleaned = strip_decoration(text);
    // "Monitoring: add an alert ...": the label names the area, the rest is the task.
    let body = match cleaned.split_once(':') {
        Some((label, rest))
            if label.split_whitespace().count() <= 4 && rest.split_whitespace().count() >= 2 =>
        {
            rest
        }
        _ => cleaned.as_str(),
    };
    let s = Sentence::new(body);
    if s.raw.len() < 2 {
        return None;
    }
    // Advice to the reader is not a task: "always keep an eye on your servers".
    if s.lower().iter().any(|w| w == "you" || w == "your")
        || matches!(s.lower()[0].as_str(), "always" | "never")
    {
        return None;
    }
    let lead_in = |w: &str| {
        matches!(
            w,
            "we" | "will"
                | "should"
                | "must"
                | "need"
                | "needs"
                | "to"
                | "todo"
                | "i"
                | "also"
                | "then"
                | "and"
                | "shall"
                | "would"
                | "could"
                | "can"
                | "x"
                | "please"
                | "immediately"
                | "urgently"
                | "p1"
                | "p2"
                | "p3"
                | "task"
                | "step"
                | "action"
                | "item"
        ) || w.chars().all(|c| c.is_ascii_digit())
    };
    let first = (0..s.raw.len().min(6)).find(|&i| !lead_in(&s.lower()[i]))?;
    // The main verb: after a modal ("all servers should have logging turned on"),
    // else the first word (an imperative: "add ...", "patch ...").
    let modal = (0..s.raw.len().min(16)).find(|&i| {
        matches!(
            s.lower()[i].as_str(),
            "should" | "must" | "will" | "shall" | "need" | "needs"
        )
    });
    let main = match modal {
        Some(m) if m > first => (m + 1..s.raw.len())
            .find(|&i| {
                !matches!(
                    s.lower()[i].as_str(),
                    "to" | "be" | "have" | "get" | "also" | "always" | "now"
                )
            })
            .unwrap_or(first),
        _ => first,
    };
    let starts = |l: &Lexicon, i: usize| s.starts(l, i);
    let broad = starts(&BROAD, main);
    // After a modal, the action may come a few words on: "should have error logging
    // turned on", "will put in place a process to test ...".
    let action = match modal {
        Some(m) if m > first => (main..(m + 7).min(s.raw.len())).any(|i| starts(&ACTION, i)),
        _ => starts(&ACTION, main),
    };
    // Named things: a system word, a number or threshold, a name or an identifier.
    let named =
        |i: usize| starts(&THING, i) || identifier(s.raw[i]) || (i > 0 && is_product(s.raw[i]));
    let things = (first..s.raw.len())
        .filter(|&i| i != main && named(i))
        .count();
    let identifiers = (first..s.raw.len())
        .filter(|&i| identifier(s.raw[i]))
        .count();
    // Degree words make an intention of it ("watch failures more closely", "be more
    // careful"), unless a figure or an identifier pins it down.
    let vague = s.lower().iter().any(|w| {
        matches!(
            w.as_str(),
            "more"
                | "better"
                | "closer"
                | "closely"
                | "seriously"
                | "carefully"
                | "properly"
                | "proactively"
                | "stricter"
                | "tighter"
                | "faster"
                | "quicker"
                | "generally"
                | "robust"
                | "resilient"
                | "tolerant"
                | "aware"
                | "awareness"
        )
    });
    let is_task = if vague && identifiers == 0 {
        false
    } else if main != first && !broad {
        // After a modal the verb is known: "will be reduced", "should be tested" act;
        // "will always be simple and clear" only describes a state.
        action && things >= 1
    } else if !broad {
        things >= 1 || (action && s.raw.len() - main >= 6)
    } else {
        // "Improve query time on the orders table to under 200 ms": an intention with
        // a measure and a named thing is a task too.
        identifiers >= 1 && things >= 2
    };
    is_task.then_some((things, identifiers))
}

/// How many named things of a system a text mentions (system words, identifiers and
/// product names): how specific an explanation is.
pub fn named_things(text: &str) -> usize {
    let s = Sentence::new(text);
    (0..s.raw.len())
        .filter(|&i| s.starts(&THING, i) || identifier(s.raw[i]) || (i > 0 && is_product(s.raw[i])))
        .count()
}

/// Text without HTML entities and emoji shortcodes.
pub fn strip_decoration(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let skip = match c {
            '&' => rest[1..]
                .find(';')
                .filter(|&n| {
                    n <= 8
                        && rest[1..=n]
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '#')
                })
                .map(|n| n + 2),
            ':' => rest[1..]
                .find(':')
                .filter(|&n| {
                    n >= 2
                        && rest[1..=n]
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c == '_')
                })
                .map(|n| n + 2),
            _ => None,
        };
        match skip {
            Some(n) => {
                out.push(' ');
                rest = &rest[n..];
            }
            None => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

/// A number, a threshold or an identifier: "90", "v1.24", "web-02", "nginx.conf".
fn identifier(w: &str) -> bool {
    w.chars().any(|c| c.is_ascii_digit()) || w.contains(['_', '.', '/'])
}

/// A product or an acronym written as such: "Nginx", "GitLab", "DNS", "PHP-FPM".
fn is_product(w: &str) -> bool {
    let upper = w.chars().filter(|c| c.is_uppercase()).count();
    let letters = w.chars().filter(|c| c.is_alphabetic()).count();
    (letters >= 2 && upper == letters)
        || (upper >= 2 && w.chars().next().is_some_and(char::is_uppercase))
        || COMMON_CAPITALISED.in_text(w) && w.chars().next().is_some_and(char::is_uppercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_offs_to_a_party_whatever_the_verb() {
        for text in [
            "Escalated to the DBA team.",
            "Called Tunde (he owns the provider account) and handed the incident to him.",
            "Pages the infra lead, Devon.",
            "Brings in Marco from the data team, who owns the reindex job.",
            "Yaw pulls in Efua from the database team.",
            "Pinged Farah from the platform team on Slack.",
            "Network Engineering joins to review switch-level counters.",
            "Storage Platform team pulled in to explain the lifecycle rule.",
            "We got the vendor on the phone.",
            "Amara hands the outage over to Chidi, who owns the gateway.",
            "Raised a ticket with the hosting company.",
            "Woke up our CTO.",
            "Looped in the security folks.",
            "Roped in a senior colleague.",
            "Users were directed to email the incidents to the tech support team.",
            "Escalated to the messaging on-call (helen.o).",
            "Handed the incident to the backend lead, Amaka.",
            "Jonas pages our database on-call, Ana.",
            "Send out the signal to the system operations team.",
            "Monitoring alerted Sarah, who paged the network team.",
        ] {
            assert!(escalation(text), "{text}");
        }
    }

    #[test]
    fn a_summary_sentence_that_restates_the_cause() {
        let part = "Debug logging had been left on for api-2, and log rotation did not cover \
                    the debug file, so it grew until the root disk was full; with the disk \
                    full the application could not write its session files.";
        assert!(restates(
            "The server's root disk had filled up with debug logs, and the application could no longer write its session files.",
            part
        ));
        assert!(!restates(
            "Merchants saw errors when they created invoices.",
            part
        ));
        assert!(!restates("The disk was slow.", part));
    }

    #[test]
    fn someone_noticing_and_saying_so() {
        for text in [
            "A reader messaged the blog's Instagram account: the site is broken.",
            "A journalist send a message in Slack about the photos.",
            "A student writes in the support chat that she got nothing.",
            "First issue opened by a user: import error.",
        ] {
            assert!(noticed(text), "{text}");
        }
        assert!(!noticed("We emailed our users about the outage."));
        assert!(!noticed("Restarted the service."));
    }

    #[test]
    fn not_hand_offs() {
        for text in [
            "The on-call engineer was paged by the alert.",
            "Night on-call Ray picks it up.",
            "Incident escalated to SEV-1.",
            "The issue was escalated.",
            "The DevOps team checked the logs.",
            "Restarted Nginx on web-01.",
            "The database was slow.",
            "Checked Redis memory usage.",
            "Alert \"error_rate > 5%\" pages the API on-call.",
            "Pingdom check fails, alert sent to on-call.",
            "The routing service calls the Directions API to draw the route.",
        ] {
            assert!(!escalation(text), "{text}");
        }
    }

    #[test]
    fn hypotheses_dropped_or_disproved() {
        for text in [
            "We first assume the provider is having an outage. Checked their status page: all green.",
            "Tried redeploying the last release. Same 401s, so the deploy was not the problem.",
            "Ray thinks the shared runners are having an incident; checks the status page, all operational.",
            "Suspects the CDN is caching an empty response and purges it. No change.",
            "We were sure it was DNS; it wasn't.",
            "Spent an hour on the firewall for nothing.",
            "The logs pointed at Redis, a red herring.",
            "Restarting the service did not help.",
        ] {
            assert_eq!(lead(text), Some(Lead::Misleading), "{text}");
        }
        assert_eq!(
            misleading(
                &[
                    "The team suspects the new runner image.",
                    "Old and new images are equally slow, so the image theory is dropped.",
                ],
                None
            ),
            Some(0)
        );
        // A suspicion about something other than what the cause turned out to be.
        assert_eq!(
            misleading(
                &["10:20 - Suspected a DDoS attack."],
                Some("A typo in the Nginx config.")
            ),
            Some(0)
        );
        assert_eq!(
            misleading(
                &["10:20 - Suspected the Nginx config."],
                Some("A typo in the Nginx config.")
            ),
            None
        );
    }

    #[test]
    fn tasks_act_on_named_things() {
        for text in [
            "Add an alert when disk usage on db-01 passes 90%.",
            "Patch Nginx to 1.24 on both web servers.",
            "Write a runbook for certificate renewal.",
            "Monitoring: add real-time connection tracking and alerts for unusual spikes.",
            "We will rotate the payment API key every 90 days.",
            "[ ] Set up a cron job that checks certificate expiry weekly.",
            "Task 1: move the backups to their own volume.",
            "All servers should have error logging turned on.",
            "&emsp;:small_orange_diamond:Organize performance tests before each deployment.",
            "New tests were created for the login flow.",
        ] {
            assert!(task(text), "{text}");
        }
        for text in [
            "Improve monitoring.",
            "Strengthen code reviews.",
            "We should be more careful.",
            "Better communication between teams.",
            "Always keep an eye on your servers.",
            "Be vigilant.",
        ] {
            assert!(!task(text), "{text}");
        }
    }

    #[test]
    fn not_misleading() {
        assert_eq!(
            lead("We suspected the disk was full, and it was confirmed by df."),
            Some(Lead::None)
        );
        assert_eq!(lead("There were no misleading paths."), Some(Lead::None));
        assert_eq!(lead("No false leads this time."), Some(Lead::None));
        assert_eq!(lead("Checked the logs."), None);
        assert_eq!(lead("Restarted nginx and the site came back."), None);
        // What a thing should do is no guess; a customer's words are no path taken.
        assert_eq!(
            lead("The cron job is supposed to rotate the logs nightly."),
            None
        );
        assert_eq!(
            lead("A buyer emailed that the catalogue \"shows nothing at all\"."),
            None
        );
        assert_eq!(
            lead("We supposed it was the cache; it was not."),
            Some(Lead::Misleading)
        );
        // A confirmation followed by what it found is still a confirmation.
        assert_eq!(
            lead("We thought the disk was full, which df confirmed: no space left at all."),
            Some(Lead::None)
        );
    }

    #[test]
    fn the_verdict_told_last_decides() {
        for text in [
            "He suspected the certificate had the wrong domain. He checked the subject and SAN and they were correct, so that was ruled out.",
            "We assumed the clock was off; the offset was right, so we dropped the idea.",
            "Maya believed the firewall blocked it, but the rules were correct and she moved on.",
        ] {
            assert_eq!(lead(text), Some(Lead::Misleading), "{text}");
        }
    }

    #[test]
    fn a_look_that_found_the_fault_was_not_there_is_a_path_ruled_out() {
        for text in [
            "A first review of the queue workers revealed no worker problems.",
            "Paged the storage team after establishing it wasn't a network issue.",
            "Inspected the load balancer: none of the faults were there.",
        ] {
            assert_eq!(lead(text), Some(Lead::Misleading), "{text}");
        }
        for text in [
            // After the fix: no fault is left, which rules nothing out.
            "Checked the dashboards again: no further issues.",
            "Monitoring showed no new problems after the rollback.",
            // A fault without a look, and a look that found one.
            "There was no issue with the deploy itself.",
            "The investigation found the problem in the cron job.",
        ] {
            assert_eq!(lead(text), None, "{text}");
        }
    }
}
