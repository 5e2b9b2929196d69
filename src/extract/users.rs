//! The share of users affected, read the way a reviewer reads an impact statement: of
//! the figures in it, the one about *people* ("40% of our riders", "half of the
//! students", "nine in ten users", "every restaurant partner"), not about things
//! (requests, CPU, servers, complaints); parts that together cover everyone add up
//! ("60% could not pay, the other 40% saw slow pages"), and a part that was fine does
//! not ("the other 30% saw no problem").

use super::para::{Paragraph, paragraphs};
use super::text::sentences;
use crate::document::{HeadingKind, Line};
use crate::words::{Lexicon, stem};
use std::sync::LazyLock;

/// What a share is a share of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Of {
    People,
    /// The whole service ("100% of the platform"): everyone who used it.
    Service,
    /// Requests, CPU, servers, complaints: not people.
    Thing,
    /// Nothing named: "Users affected: 40%" names them before, "100%." answers a question.
    Unnamed,
}

/// People: the groups a service has. A closed core of common words, and agent nouns
/// ("developers", "subscribers", "residents", "trainees") unless they name a machine part.
static PEOPLE: LazyLock<Lexicon> = LazyLock::new(|| {
    // Groups of people a service serves.
    Lexicon::list(
        "user, users, customer, client, people, person, visitor, student, staff, member, \
         employee, subscriber, player, patient, learner, teacher, developer, driver, rider, \
         shopper, buyer, merchant, tenant, guest, viewer, reader, attendee, caller, parent, \
         traveller, traveler, passenger, citizen, resident, partner, seller, account, \
         userbase, audience, everyone, everybody, anyone, anybody, colleague, agent, \
         engineer, tutor, lecturer, pupil, household, family, owner, creator, author, \
         listener, fan, gamer, investor, trader, farmer, nurse, doctor, officer, volunteer, \
         donor, branch, office, team, department, school, company, business, organization, \
         organisation, clinic, hospital, restaurant, agency",
    )
});

/// Things that end like agent nouns but are parts of systems, and other things that are
/// counted in impact statements without being people.
static THINGS: LazyLock<Lexicon> = LazyLock::new(|| {
    Lexicon::list(
        "server, container, router, cluster, error, monitor, handler, broker, buffer, \
         header, layer, parameter, order, number, component, event, payment, deployment, \
         document, segment, environment, request, query, traffic, transaction, call, page, \
         site, website, session, login, upload, download, message, email, job, build, \
         pipeline, ticket, complaint, report, cpu, memory, ram, disk, storage, capacity, \
         bandwidth, usage, load, space, heap, swap, inode, threshold, uptime, sla, \
         availability, coverage, discount, revenue, sale, conversion, rate, packet, node, \
         instance, pod, host, machine, database, table, record, row, file, image, asset, \
         endpoint, api, service, worker, thread, process, connection, socket, port, shard, \
         replica, queue, task, test, check, alert, metric, probe, lookup, write, read, \
         user agent",
    )
});

/// The whole of a service: "100% of the platform" means everyone who used it.
static SERVICE: LazyLock<Lexicon> = LazyLock::new(|| {
    Lexicon::list(
        "service, platform, system, site, website, app, application, api, portal, product, \
         store, shop",
    )
});

/// A figure that measures a change, not a share: "a 30% drop in sign-ups".
static CHANGE: LazyLock<Lexicon> = LazyLock::new(|| {
    Lexicon::list(
        "drop, increase, decrease, reduction, rise, spike, surge, decline, growth, jump, \
         degradation, slowdown, loss, slower, faster, higher, lower, more, less, fall, gain, \
         improvement",
    )
});

/// What the rest of the users went through when it was fine: "saw no problem".
static UNHARMED: LazyLock<Lexicon> = LazyLock::new(|| {
    Lexicon::list(
        "no problem, no issue, unaffected, not affected, fine, normally, as usual, \
         no impact, no error, were ok, was ok, no difference",
    )
});

/// What a part of the users went through when it was bad.
static HARMED: LazyLock<Lexicon> = LazyLock::new(|| {
    Lexicon::list(
        "slow, error, fail, timeout, timed out, could not, couldn't, unable, cannot, can't, \
         degraded, broken, stuck, blank, lost, delay, intermittent, affected, impacted, \
         disrupted, crash, retry, wait, taking, seconds, minutes, only after",
    )
});

/// A share of users found, with the line it was read on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Share {
    pub percent: f64,
    pub line: u32,
}

/// The share of users affected, from the summary's lines: impact paragraphs first.
pub fn users_affected(region: &[&Line]) -> Option<Share> {
    let impact_line = |l: &Line| {
        let lower = l.text.to_lowercase();
        l.heading().is_some_and(|h| h.kind == HeadingKind::Impact)
            || lower.contains("impact")
            || lower.contains("affected")
    };
    // Lines under an "Impact" heading (or a question about users) count as impact too.
    let mut under_impact: std::collections::HashSet<u32> = Default::default();
    let mut on = false;
    for l in region {
        if let Some(h) = l.heading() {
            on = h.kind == HeadingKind::Impact;
        }
        if on {
            under_impact.insert(l.number);
        }
    }
    let paras = paragraphs(region);
    let is_impact = |p: &Paragraph| {
        p.lines()
            .any(|l| impact_line(l) || under_impact.contains(&l.number))
    };
    let (mut order, rest): (Vec<&Paragraph>, Vec<&Paragraph>) =
        paras.iter().partition(|p| is_impact(p));
    order.extend(rest);

    let mut best: Option<(u8, Share)> = None;
    for p in order {
        let first = p.first_line();
        let answers = under_impact.contains(&first.number) || asked_about_users(region, first);
        for (rank, percent, at) in shares_in(&p.text, answers) {
            let share = Share {
                percent,
                line: p.line_at(at).number,
            };
            // People beat the whole service, which beats a group told only by "all".
            if best.is_none_or(|(r, _)| rank < r) {
                best = Some((rank, share));
            }
            if rank == 0 {
                return best.map(|b| b.1);
            }
        }
    }
    best.map(|b| b.1)
}

/// Whether the line before `line` asks how many users were affected ("How many % of
/// the users were affected?"), so a bare "100%." answers it.
fn asked_about_users(region: &[&Line], line: &Line) -> bool {
    let Some(i) = region.iter().position(|l| l.number == line.number) else {
        return false;
    };
    region[..i]
        .iter()
        .rev()
        .find(|l| !l.is_blank())
        .is_some_and(|p| p.text.trim_end().ends_with('?') && PEOPLE.in_text(&p.text))
}

/// Shares in one paragraph, each with its rank (0: a percentage or ratio of people; 1:
/// of the whole service; 2: everyone, told in words) and where it was read.
fn shares_in(text: &str, answers: bool) -> Vec<(u8, f64, usize)> {
    let mut out = Vec::new();
    let sents = sentences(text);
    for (si, s) in sents.iter().enumerate() {
        let at = s.as_ptr() as usize - text.as_ptr() as usize;
        let next = sents.get(si + 1).copied().unwrap_or("");
        for p in percents(s) {
            let of = target(s, &p);
            let value = match of {
                Of::People => Some(0),
                Of::Unnamed if answers || label_names_people(s, &p) => Some(0),
                Of::Service if (99.5..=100.0).contains(&p.value) => Some(1),
                _ => None,
            };
            if let Some(rank) = value {
                // A share over all of them is the writer's slip, kept to be told.
                let total = if p.value > 100.0 {
                    p.value
                } else {
                    with_the_rest(s, next, &p).min(100.0)
                };
                out.push((rank, total, at + p.start));
            }
        }
        if let Some(v) = ratio_of_people(s) {
            out.push((0, v, at));
        }
        if everyone(s) {
            out.push((2, 100.0, at));
        }
    }
    out
}

/// A percentage as written, with where it sits in its sentence.
#[derive(Clone, Debug)]
struct Percent {
    value: f64,
    start: usize,
    end: usize,
}

/// Every "N%", "N percent", "N-M%" in a sentence (a range gives its larger end).
fn percents(s: &str) -> Vec<Percent> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit()
            || (i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'.'))
        {
            i += 1;
            continue;
        }
        let start = i;
        let (v, mut j) = number_at(s, i);
        // "20-30%", "20 to 30 percent": the range's upper end carries the sign.
        let mut value = v;
        let k = skip(s, j);
        let after_dash = if s[k..].starts_with('-') || s[k..].starts_with('–') {
            Some(k + s[k..].chars().next().map_or(1, char::len_utf8))
        } else if s[k..].starts_with("to ") {
            Some(k + 3)
        } else {
            None
        };
        if let Some(a) = after_dash {
            let a = skip(s, a);
            if s.as_bytes().get(a).is_some_and(u8::is_ascii_digit) {
                let (hi, e) = number_at(s, a);
                if percent_sign(s, e).is_some() {
                    value = v.max(hi);
                    j = e;
                }
            }
        }
        match percent_sign(s, j) {
            Some(end) if value >= 0.0 => {
                out.push(Percent { value, start, end });
                i = end;
            }
            _ => i = j.max(i + 1),
        }
    }
    out
}

fn number_at(s: &str, i: usize) -> (f64, usize) {
    let b = s.as_bytes();
    let mut j = i;
    while j < b.len() && b[j].is_ascii_digit() {
        j += 1;
    }
    if j + 1 < b.len() && matches!(b[j], b'.' | b',') && b[j + 1].is_ascii_digit() {
        j += 1;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
    }
    let value = s[i..j].replace(',', ".").parse().unwrap_or(f64::NAN);
    (value, j)
}

fn skip(s: &str, mut i: usize) -> usize {
    while s.as_bytes().get(i) == Some(&b' ') {
        i += 1;
    }
    i
}

/// The end of a percent sign or word at `i` (after blanks).
fn percent_sign(s: &str, i: usize) -> Option<usize> {
    let k = skip(s, i);
    let rest = &s[k..];
    if rest.starts_with('%') {
        return Some(k + 1);
    }
    let lower = rest.get(..11).unwrap_or(rest).to_ascii_lowercase();
    ["per cent", "percent"]
        .iter()
        .find(|w| lower.starts_with(**w))
        .map(|w| k + w.len())
}

/// What a percentage is a share of: the noun after "of" ("40% of our active riders"),
/// right after it ("40% users"), or the people or things the clause names.
fn target(s: &str, p: &Percent) -> Of {
    let after = &s[p.end..];
    let after_words = crate::words::words(after);
    // "a 30% drop in sign-ups" measures a change.
    if after_words.first().is_some_and(|w| CHANGE.in_text(w))
        || after_words.get(1).is_some_and(|w| CHANGE.in_text(w))
            && !after_words[0].starts_with("of")
    {
        return Of::Thing;
    }
    // "of the X", "of our Y": the noun phrase after "of" (a few words; "o" is a typo).
    let skip = usize::from(after_words.first().is_some_and(|w| w == "of" || w == "o"));
    let phrase: Vec<&str> = after_words
        .iter()
        .skip(skip)
        .take(4)
        .map(String::as_str)
        .collect();
    if let Some(of) = classify_phrase(&phrase) {
        return of;
    }
    // The clause around it: "users affected: 40%", "CPU at 95%".
    let clause_start = s[..p.start]
        .rfind([',', ';', ':', '('])
        .map_or(0, |i| i + 1);
    let before: Vec<String> = crate::words::words(&s[clause_start..p.start]);
    let near: Vec<&str> = before.iter().rev().take(4).map(String::as_str).collect();
    for w in &near {
        if THINGS.in_text(w) && !PEOPLE.in_text(w) {
            return Of::Thing;
        }
    }
    let label: Vec<String> = crate::words::words(&s[..p.start]);
    if label.iter().rev().take(6).any(|w| is_people(w)) {
        return Of::People;
    }
    Of::Unnamed
}

/// "Users affected: 40%", "Affected customers - 40%": people named by the label.
fn label_names_people(s: &str, p: &Percent) -> bool {
    crate::words::words(&s[..p.start])
        .iter()
        .any(|w| is_people(w))
}

/// What a short noun phrase names, up to where the phrase ends ("of our active riders
/// in Nairobi", "of the website's users", "of the database server's CPU"): people
/// anywhere in it, else its last word (the head) as a thing or the service. Traffic and
/// requests taken whole are the whole service ("100% of traffic"); part of them is not
/// a share of people.
fn classify_phrase(words: &[&str]) -> Option<Of> {
    let stop = |w: &str| {
        matches!(
            w,
            "in" | "on"
                | "at"
                | "who"
                | "that"
                | "which"
                | "were"
                | "was"
                | "is"
                | "are"
                | "had"
                | "have"
                | "could"
                | "to"
                | "from"
                | "with"
                | "and"
                | "during"
                | "for"
                | "got"
                | "saw"
                | "experienced"
                | "could't"
                | "couldn't"
                | "did"
                | "would"
        )
    };
    let phrase: Vec<&str> = words.iter().copied().take_while(|w| !stop(w)).collect();
    if phrase.iter().any(|w| is_people(w)) {
        return Some(Of::People);
    }
    let head = phrase.iter().rev().find(|w| {
        !matches!(
            **w,
            "s" | "the" | "our" | "all" | "its" | "their" | "your" | "total"
        )
    })?;
    if SERVICE.in_text(head) || WHOLE_LOAD.in_text(head) {
        return Some(Of::Service);
    }
    if THINGS.in_text(head) {
        return Some(Of::Thing);
    }
    None
}

/// A service's whole load: all of its traffic or requests failing means everyone.
static WHOLE_LOAD: LazyLock<Lexicon> =
    LazyLock::new(|| Lexicon::list("traffic, request, requests, http request, visit"));

/// People words, and agent nouns ("developers", "subscribers", "trainees") that are not
/// machine parts ("servers", "routers").
pub(crate) fn is_people(word: &str) -> bool {
    if PEOPLE.in_text(word) {
        return true;
    }
    if THINGS.in_text(word) || word.len() < 5 {
        return false;
    }
    let singular = word.strip_suffix('s').unwrap_or(word);
    ["er", "or", "ist", "yst", "ant", "ent", "ee", "ian"]
        .iter()
        .any(|suffix| singular.ends_with(suffix))
        && word.ends_with('s')
}

/// "the other 40% saw slow pages", "the rest had errors": the part that completes the
/// share, when it too was harmed. Returns the share with that part added.
fn with_the_rest(s: &str, next: &str, p: &Percent) -> f64 {
    let tail = format!("{} {next}", &s[p.end..]);
    let lower = tail.to_lowercase();
    let Some(at) = [
        "the other",
        "the remaining",
        "the rest",
        "remaining",
        "while the rest",
    ]
    .iter()
    .filter_map(|w| lower.find(w))
    .min() else {
        return p.value;
    };
    let part = &tail[at..];
    let part = part.split(['.', ';']).next().unwrap_or(part);
    if UNHARMED.in_text(part) || !HARMED.in_text(part) {
        return p.value;
    }
    match percents(part).first() {
        Some(rest) if p.value + rest.value <= 100.5 => p.value + rest.value,
        Some(_) => p.value,
        None => 100.0,
    }
}

/// "half of our users", "a third of the students", "nine in ten riders", "1 in 5 users",
/// "12,000 of 48,000 drivers".
fn ratio_of_people(s: &str) -> Option<f64> {
    // "12,000" is one number.
    let b = s.as_bytes();
    let joined: String = s
        .char_indices()
        .filter(|&(i, c)| {
            !(c == ','
                && i > 0
                && b[i - 1].is_ascii_digit()
                && b.get(i + 1).is_some_and(u8::is_ascii_digit))
        })
        .map(|(_, c)| c)
        .collect();
    let words = crate::words::words(&joined);
    let number = |w: &str| -> Option<f64> {
        w.parse::<f64>().ok().or_else(|| {
            let n = [
                "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
            ]
            .iter()
            .position(|n| *n == w)?;
            Some(n as f64 + 1.0)
        })
    };
    let determiner = |w: &str| matches!(w, "the" | "our" | "all" | "of" | "its" | "their" | "your");
    let people_after = |from: usize| {
        words
            .iter()
            .skip(from)
            .filter(|w| !determiner(w))
            .take(4)
            .any(|w| is_people(w))
    };
    for (i, w) in words.iter().enumerate() {
        let fraction = match w.as_str() {
            "half" => Some(50.0),
            "third" | "thirds" => Some(if i > 0 && words[i - 1] == "two" {
                66.7
            } else {
                33.3
            }),
            "quarter" | "quarters" => Some(if i > 0 && words[i - 1] == "three" {
                75.0
            } else {
                25.0
            }),
            _ => None,
        };
        if let Some(v) = fraction
            && words.get(i + 1).map(String::as_str) == Some("of")
            && people_after(i + 2)
        {
            return Some(v);
        }
        // "N in M", "N out of M", "N of M": a count of a whole.
        if let Some(n) = number(w) {
            // Determiners may stand before the whole: "12,000 of our 48,000 riders".
            let after_of = |k: usize| {
                let mut k = k;
                while words.get(k).is_some_and(|w| determiner(w)) {
                    k += 1;
                }
                k
            };
            let (m_at, m) = match (words.get(i + 1).map(String::as_str), words.get(i + 2)) {
                (Some("in" | "of"), Some(_)) => {
                    let k = after_of(i + 2);
                    (k + 1, words.get(k).and_then(|m| number(m)))
                }
                (Some("out"), Some(of)) if of == "of" => {
                    (i + 4, words.get(i + 3).and_then(|m| number(m)))
                }
                _ => (0, None),
            };
            if let Some(m) = m
                && m > n
                && m >= 2.0
                && people_after(m_at)
            {
                return Some((n / m * 1000.0).round() / 10.0);
            }
        }
    }
    None
}

/// Everyone, in words: "all users", "every restaurant partner", "all of our
/// customers", "no one could log in", "none of the students".
fn everyone(s: &str) -> bool {
    let words = crate::words::words(s);
    for (i, w) in words.iter().enumerate() {
        match w.as_str() {
            "all" | "every" | "entire" | "whole" | "each" if everyone_in(s, &words, i) => {
                return true;
            }
            // "everyone whose pipeline went red" is the part that was hit, not everyone.
            "everyone" | "everybody" if words.get(i + 1).is_some_and(|n| n == "whose") => {}
            "everyone" | "everybody" | "nobody" => return true,
            // "the sole user", "the only one affected".
            "sole" | "only"
                if words.get(i + 1).is_some_and(|n| n == "one" || is_people(n))
                    && i > 0
                    && words[i - 1] == "the" =>
            {
                return true;
            }
            // "anyone trying to log in" is everyone who used it; "anyone who installed
            // 3.2.0 from the wheel" is a part named by a version or a name.
            "anyone" | "anybody"
                if words.get(i + 1).is_some_and(|n| {
                    matches!(
                        n.as_str(),
                        "trying" | "who" | "attempting" | "visiting" | "accessing" | "using"
                    )
                }) && !words[i + 1..words.len().min(i + 9)].iter().any(|w| {
                    w.chars().any(|c| c.is_ascii_digit())
                        || word_in(s, w).is_some_and(|o| o.starts_with(|c: char| c.is_uppercase()))
                }) =>
            {
                return true;
            }
            "no" if words
                .get(i + 1)
                .is_some_and(|n| n == "one" || is_people(n) && stem(n) == stem("user")) =>
            {
                return true;
            }
            "none"
                if words.get(i + 1).map(String::as_str) == Some("of")
                    && people_after_none(&words, i + 2) =>
            {
                return true;
            }
            _ => {}
        }
    }
    false
}

/// "all users", "every restaurant partner", "all of our customers": the whole group,
/// not a part of it marked by a name or a place ("all Android drivers on version 3.8",
/// "all users in the EU region").
fn everyone_in(s: &str, words: &[String], i: usize) -> bool {
    let filler = |w: &str| {
        matches!(
            w,
            "of" | "the" | "our" | "its" | "their" | "single" | "active" | "registered"
        )
    };
    let Some(k) = (i + 1..words.len().min(i + 5))
        .filter(|&k| !filler(&words[k]))
        .take(3)
        .find(|&k| is_people(&words[k]) || words[k] == "userbase")
    else {
        return false;
    };
    // A name among the words before the group ("Android") narrows it.
    let named = (i + 1..k).any(|j| {
        let w = &words[j];
        !filler(w) && word_in(s, w).is_some_and(|orig| orig.starts_with(|c: char| c.is_uppercase()))
    });
    // So does a place or version right after it ("in Lagos", "on app version 3.8").
    let narrowed = matches!(
        words.get(k + 1).map(String::as_str),
        Some("in" | "on" | "using" | "with" | "from")
    ) && words[k + 2..words.len().min(k + 5)].iter().any(|w| {
        w.chars().any(|c| c.is_ascii_digit())
            || word_in(s, w).is_some_and(|orig| orig.starts_with(|c: char| c.is_uppercase()))
    });
    !named && !narrowed
}

/// The word as written in `s` (its case), found by its lowercase form.
fn word_in<'s>(s: &'s str, lower: &str) -> Option<&'s str> {
    crate::words::spans(s)
        .into_iter()
        .find(|w| crate::words::lower(w) == lower)
}

fn people_after_none(words: &[String], from: usize) -> bool {
    words
        .iter()
        .skip(from)
        .filter(|w| !matches!(w.as_str(), "the" | "our" | "its" | "their"))
        .take(1)
        .any(|w| is_people(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share(text: &str) -> Option<f64> {
        let lines = crate::document::lines::read_lines(text, 1);
        let refs: Vec<&Line> = lines.iter().collect();
        users_affected(&refs).map(|s| s.percent)
    }

    #[test]
    fn the_figure_about_people() {
        assert_eq!(
            share("Approximately 40% of users were affected."),
            Some(40.0)
        );
        assert_eq!(share("About 20-30% of customers saw errors"), Some(30.0));
        assert_eq!(
            share("It affected 30% of our active riders in Nairobi."),
            Some(30.0)
        );
        assert_eq!(
            share("CPU hit 100%, the error rate was 45%, and 30% of users saw timeouts."),
            Some(30.0)
        );
        assert_eq!(share("100% of the database server's CPU was used."), None);
        assert_eq!(share("38% of requests returned 502."), None);
        assert_eq!(share("Complaints rose 300%."), None);
        assert_eq!(share("a 30% drop in sign-ups"), None);
        assert_eq!(share("Users affected: 65%"), Some(65.0));
    }

    #[test]
    fn ratios_and_everyone_in_words() {
        assert_eq!(share("Half of our users could not log in."), Some(50.0));
        assert_eq!(
            share("Roughly nine in ten students got a timeout."),
            Some(90.0)
        );
        assert_eq!(share("1 in 5 users saw an empty search page."), Some(20.0));
        assert_eq!(share("12,000 of 48,000 riders could not book."), Some(25.0));
        assert_eq!(
            share("Every restaurant partner trying to log in got stuck."),
            Some(100.0)
        );
        assert_eq!(
            share("All developers were blocked from merging."),
            Some(100.0)
        );
        assert_eq!(share("None of our customers could pay."), Some(100.0));
        assert_eq!(share("Some users saw errors."), None);
        // A named part of the users is not all of them.
        assert_eq!(
            share("All Android drivers on app version 3.8 were affected."),
            None
        );
        assert_eq!(share("All users in the EU region saw errors."), None);
        assert_eq!(
            share("Anyone who installed 3.2.0 from the wheel got an ImportError."),
            None
        );
        assert_eq!(
            share("Anyone trying to log in got a blank page."),
            Some(100.0)
        );
        assert_eq!(
            share("Approximately 12,000 of our 48,000 daily active riders could not book."),
            Some(25.0)
        );
    }

    #[test]
    fn parts_that_add_up_and_parts_that_were_fine() {
        assert_eq!(
            share("60% of users could not pay; the other 40% saw slow pages."),
            Some(100.0)
        );
        assert_eq!(
            share("About 50% of users got errors and the rest had slow pages."),
            Some(100.0)
        );
        assert_eq!(
            share("About 70% of active users could not log in; the other 30% saw no problem."),
            Some(70.0)
        );
    }

    #[test]
    fn a_bare_figure_answers_the_question_above_it() {
        assert_eq!(
            share("How many % of the users were affected?\n100%.\n"),
            Some(100.0)
        );
    }
}
