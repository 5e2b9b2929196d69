//! What kind of root cause a postmortem names: the mechanism ("a typo", "a
//! misconfiguration", "resources ran out"), read from its extracted root cause alone,
//! for the insights page's "Common root causes". Tags say what a postmortem's cause
//! and fix mention (nginx, the database); a kind says what went wrong, so a class's
//! postmortems fall into a few groups worth comparing.
//!
//! A root cause is often told with what it led to ("a typo in the settings file,
//! leading to a 500 error") or after it ("the site went down because of a typo"): its
//! text is read from past what introduces a cause ("because", "due to", "caused by")
//! (though a precise mechanism named before that counts too) up to the first turn to
//! an effect ("leading to", "resulting in", "causing", a
//! "caused" not followed by "by"), and only when nothing there names a kind is the
//! whole read. The kind named first
//! wins, so "a misconfigured update" is a misconfiguration and "an update that was
//! misconfigured" a change. Words are compared by stem ([`crate::words`]), so every
//! form of a word matches.

use crate::words::{Lexicon, Tokens};
use std::sync::LazyLock;

/// A kind of root cause.
#[derive(Debug, PartialEq, Eq)]
pub struct Kind {
    pub slug: &'static str,
    /// As the insights page names the group.
    pub label: &'static str,
}

/// The kinds, most specific first (a tie in position goes to the earlier), and the
/// words and phrases that name each. The first four name a precise mechanism and win
/// wherever they are named ("a typo in the configuration file" is a typo); the last two
/// name where it went wrong rather than how (the network, a server that failed) and are
/// a root cause's kind only when it names none of the others ("a misconfigured
/// firewall" is a misconfiguration).
const KINDS: &[(&str, &str, &str)] = &[
    (
        "attack",
        "An attack",
        "attack, ddos, denial of service, malicious, breach, hacker, intrusion, brute force, vulnerability, exploit, exploitation, cve",
    ),
    (
        "credentials",
        "A certificate or credential",
        "certificate, cert, expired key, expired token, expired password, credential, password, api key, ssh key, public key, secret",
    ),
    (
        "typo",
        "A typo or a wrong name",
        "typo, typographical, misspelt, misspelled, misspelling, spelling, spelled, spelt, wrong extension, wrong file name, wrong filename, invalid file name, typing error, misnamed, wrong name, wrong path, incorrect path",
    ),
    (
        "permissions",
        "File permissions or ownership",
        "permission, chmod, chown, ownership, owner, owned by, access denied, forbidden, read only, privilege, root user",
    ),
    (
        "resources",
        "Load or resources ran out",
        "overload, overloaded, overwhelm, spike, surge, exhaust, exhaustion, out of memory, oom, memory leak, leak, disk full, full disk, disk space, filled, fill up, stampede, no space, ran out, run out, running out, capacity, too many, high load, heavy load, high traffic, traffic, limit, bottleneck, insufficient, too small, too few, resource",
    ),
    (
        "change",
        "A change or deployment",
        "deploy, deployment, release, update, upgrade, rollout, roll out, migration, patch, new version, code change, change, merge, installation, install, reinstall",
    ),
    (
        "bug",
        "A bug in the code",
        "bug, regression, race condition, deadlock, infinite loop, null pointer, unhandled exception, exception thrown, unhandled, logic error, inefficient, unoptimized, query optimization, slow query",
    ),
    (
        "config",
        "A misconfiguration",
        "misconfiguration, misconfigured, misconfigure, configuration, config, configured, setting, settings, parameter, wrong value, incorrect value, environment variable, directive, time synchronisation, time synchronization, clock drift",
    ),
    (
        "human",
        "Human error",
        "human error, accidentally, accidental, mistakenly, by mistake, manual, manually, oversight, forgot, forgotten",
    ),
    (
        "network",
        "The network, DNS or a firewall",
        "network, firewall, dns, port, routing, route, ufw, iptables, packet, latency, lost connectivity, no connectivity, unreachable, nameserver",
    ),
    (
        "failure",
        "A server or provider failed",
        "failure, failed, fail, crash, malfunction, faulty, freeze, reboot, hardware, power cut, power outage, disk failure, provider, third party, vendor, upstream, dependency",
    ),
];

/// What introduces a cause, and where a root cause turns to what it led to, as words
/// and phrases (stemmed on use).
const INTROS: &str = "because, due to, caused by, as a result of, owing to, stemmed from, stems from, traced to, traced back to, triggered by, brought on by";
const TURNS: &str = "leading to, led to, lead to, leads to, resulting in, resulted in, results in, causing, which caused, that caused, making, so that, therefore, hence, consequently";

/// How many of [`KINDS`], from the start, name a precise mechanism, and how many, from
/// the end, name where rather than how.
const PRECISE: usize = 4;
const PLACES: usize = 2;

struct Reader {
    kinds: Vec<(Kind, Lexicon)>,
    intros: Lexicon,
    turns: Lexicon,
}

static READER: LazyLock<Reader> = LazyLock::new(|| Reader {
    kinds: KINDS
        .iter()
        .map(|&(slug, label, words)| (Kind { slug, label }, Lexicon::list(words)))
        .collect(),
    intros: Lexicon::list(INTROS),
    turns: Lexicon::list(TURNS),
});

/// The group of a root cause that names none of the kinds.
pub static OTHER: Kind = Kind {
    slug: "other",
    label: "Something else",
};

/// The group a stated root cause falls in: its kind, else [`OTHER`].
pub fn group(text: &str) -> &'static Kind {
    kind(text).unwrap_or(&OTHER)
}

/// Every kind, in the order the reading weighs them.
pub fn kinds() -> impl Iterator<Item = &'static Kind> {
    READER.kinds.iter().map(|(k, _)| k)
}

/// Words `range` of `t`.
fn part(t: &Tokens, range: std::ops::Range<usize>) -> Tokens {
    Tokens {
        words: t.words[range.clone()].to_vec(),
        stems: t.stems[range].to_vec(),
    }
}

/// The kind of the root cause `text` states, when a word of it names one.
pub fn kind(text: &str) -> Option<&'static Kind> {
    let reader = &*READER;
    let t = Tokens::new(text);
    let start = reader.intros.find(&t).map_or(0, |(at, n)| at + n);
    let rest = part(&t, start..t.len());
    // A bare "caused" turns to the effect, where "caused by" introduces the cause.
    let bare_caused = (1..rest.len())
        .find(|&i| rest.words[i] == "caused" && rest.words.get(i + 1).is_none_or(|w| w != "by"));
    let turn = reader.turns.find(&rest).map(|(at, _)| at);
    let end = [bare_caused, turn]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(rest.len());
    let (precise, others) = reader.kinds.split_at(PRECISE);
    let (how, place) = others.split_at(others.len() - PLACES);
    let earliest = |kinds: &'static [(Kind, Lexicon)], t: &Tokens| {
        kinds
            .iter()
            .filter_map(|(k, lexicon)| lexicon.find(t).map(|(at, _)| (at, k)))
            .min_by_key(|(at, _)| *at)
            .map(|(_, k)| k)
    };
    let first = |t: &Tokens| {
        earliest(precise, t)
            .or_else(|| earliest(how, t))
            .or_else(|| earliest(place, t))
    };
    // A precise mechanism named before the turn counts even ahead of what introduces a
    // cause ("an expired certificate, because its renewal failed").
    earliest(precise, &part(&t, 0..start + end))
        .or_else(|| first(&part(&rest, 0..end)))
        .or_else(|| first(&t))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slug(text: &str) -> Option<&'static str> {
        kind(text).map(|k| k.slug)
    }

    #[test]
    fn the_mechanism_is_read_not_the_component() {
        let cases = [
            (
                "A typo in the PHP settings file made WordPress load a missing file.",
                "typo",
            ),
            ("The extension of one include was spelled .phpx", "typo"),
            (
                "The database pool was misconfigured after the move.",
                "config",
            ),
            (
                "Nginx listened on the wrong port because of a bad configuration.",
                "config",
            ),
            (
                "The log folder was owned by root, so the web server could not write.",
                "permissions",
            ),
            (
                "A sudden surge of sign-ups overwhelmed the two web servers.",
                "resources",
            ),
            (
                "A memory leak in the worker made it use all the RAM.",
                "resources",
            ),
            (
                "The connection pool was too small for the new workers.",
                "resources",
            ),
            (
                "The TLS certificate expired on Sunday night.",
                "credentials",
            ),
            (
                "Every cached page expired at noon at once: a stampede.",
                "resources",
            ),
            (
                "An expired certificate on the proxy, because its renewal job was failing.",
                "credentials",
            ),
            ("The site went down because of a typo in the vhost.", "typo"),
            ("A DDoS attack flooded the login endpoint.", "attack"),
            ("The firewall dropped every packet to port 443.", "network"),
            (
                "The load balancer was misconfigured after the move.",
                "config",
            ),
            ("A misconfigured firewall rule.", "config"),
            ("Tuesday's deployment shipped a broken migration.", "change"),
            (
                "A race condition in the payment code double-charged users.",
                "bug",
            ),
            ("Our cloud provider's storage service went down.", "failure"),
            (
                "An engineer accidentally deleted the production table.",
                "human",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(slug(text), Some(want), "{text}");
        }
    }

    #[test]
    fn what_the_cause_led_to_counts_only_when_the_cause_names_nothing() {
        // The overload is what the misconfiguration led to.
        assert_eq!(
            slug("A misconfiguration of the load balancer, leading to an overloaded server."),
            Some("config")
        );
        // "Caused by" names the cause; a bare "caused" turns to the effect.
        assert_eq!(
            slug("The outage was caused by a typo in the virtual host file."),
            Some("typo")
        );
        assert_eq!(
            slug("A bad setting caused the servers to overload."),
            Some("config")
        );
        // Nothing before the turn names a kind: the rest is read.
        assert_eq!(
            slug("Something we did not expect, resulting in a full disk."),
            Some("resources")
        );
        assert_eq!(slug("Nobody knows what happened."), None);
        assert_eq!(group("Nobody knows what happened.").slug, "other");
        assert_eq!(slug(""), None);
    }

    #[test]
    fn the_kind_named_first_wins() {
        // A precise mechanism wins wherever it is named, a place only when nothing else is.
        assert_eq!(
            slug("A configuration file with a typo in it."),
            Some("typo")
        );
        assert_eq!(slug("The firewall's settings were wrong."), Some("config"));
        assert_eq!(slug("A misconfigured update of nginx."), Some("config"));
        assert_eq!(
            slug("An update of nginx that was misconfigured."),
            Some("change")
        );
    }

    #[test]
    fn every_kind_has_a_distinct_slug_and_label() {
        let all: Vec<&Kind> = kinds().chain([&OTHER]).collect();
        assert_eq!(all.len(), KINDS.len() + 1);
        for (i, k) in all.iter().enumerate() {
            assert!(
                all[i + 1..]
                    .iter()
                    .all(|o| o.slug != k.slug && o.label != k.label)
            );
            // The chart beside the table shows 30 characters of a label.
            assert!(k.label.chars().count() <= 30, "{}", k.label);
        }
    }
}
