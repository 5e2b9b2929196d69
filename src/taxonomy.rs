//! Tags, categories and severity: the words a gallery is browsed by.
//!
//! Tags come from front matter and from keyword rules (built-in ones for the usual
//! suspects of a web stack, plus the site's own in `[tags.keywords]`), matched against
//! what the postmortem says about its cause and fix rather than every passing mention.

use crate::config::TagsConfig;
use crate::model::Severity;
use crate::slug::slugify;
use aho_corasick::AhoCorasick;

/// Built-in rules: tag → words that earn it.
const BUILTIN: &[(&str, &[&str])] = &[
    ("nginx", &["nginx"]),
    ("apache", &["apache", "httpd", "apache2"]),
    (
        "database",
        &[
            "database",
            "mysql",
            "postgres",
            "postgresql",
            "mariadb",
            "mongodb",
            "sql",
            "db server",
            "replica",
            "query",
            "queries",
        ],
    ),
    (
        "dns",
        &[
            "dns",
            "cname",
            "a record",
            "nameserver",
            "resolver",
            "domain name",
        ],
    ),
    ("tls", &["ssl", "tls", "certificate", "https", "cert"]),
    (
        "disk",
        &["disk", "disk space", "storage", "inode", "no space left"],
    ),
    (
        "memory",
        &[
            "memory",
            "oom",
            "out of memory",
            "memory leak",
            "ram",
            "heap",
        ],
    ),
    ("cpu", &["cpu", "processor"]),
    (
        "load-balancer",
        &["load balancer", "load-balancer", "haproxy", "balancer"],
    ),
    (
        "deployment",
        &[
            "deploy",
            "deployment",
            "release",
            "rollout",
            "rollback",
            "rolled back",
        ],
    ),
    (
        "configuration",
        &["config", "configuration", "misconfigur", "typo", "setting"],
    ),
    ("cache", &["cache", "redis", "memcached", "varnish", "cdn"]),
    (
        "network",
        &[
            "network", "firewall", "latency", "packet", "routing", "bgp", "vpn",
        ],
    ),
    (
        "security",
        &[
            "ddos",
            "attack",
            "breach",
            "malicious",
            "vulnerab",
            "security",
            "hack",
        ],
    ),
    (
        "capacity",
        &[
            "traffic spike",
            "surge",
            "overload",
            "capacity",
            "scaling",
            "autoscal",
            "too many",
        ],
    ),
    (
        "dependency",
        &[
            "third-party",
            "third party",
            "upstream",
            "vendor",
            "external api",
            "provider",
        ],
    ),
    (
        "permissions",
        &[
            "permission",
            "chmod",
            "chown",
            "access denied",
            "forbidden",
            "403",
        ],
    ),
    ("php", &["php", "wordpress"]),
    (
        "kubernetes",
        &["kubernetes", "k8s", "kubectl", "pod", "container", "docker"],
    ),
    ("cron", &["cron", "scheduled job", "crontab"]),
    (
        "monitoring",
        &["monitoring gap", "no alert", "missing alert", "alerting"],
    ),
    ("humour", &[]),
];

/// Compiled tag rules: every rule's words in one automaton, so a text is read once
/// whatever the number of rules.
#[derive(Clone)]
pub struct Tagger {
    /// Each rule's tag, in order.
    tags: Vec<String>,
    /// Every rule's words, lowercase.
    words: AhoCorasick,
    /// Of each word: its rule, and its place among the rule's words.
    of: Vec<(usize, usize)>,
    /// Of each word: whether it begins with a word character (for the word boundary).
    word_start: Vec<bool>,
}

/// A character of a word, as the boundary of a rule's word is judged.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

impl Tagger {
    pub fn new(config: &TagsConfig) -> Tagger {
        let mut tags = Vec::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut of = Vec::new();
        let mut add = |tag: &str, words: &[String]| {
            let words: Vec<String> = words
                .iter()
                .map(|w| w.to_lowercase())
                .filter(|w| !w.is_empty())
                .collect();
            if words.is_empty() {
                return;
            }
            for (k, w) in words.into_iter().enumerate() {
                of.push((tags.len(), k));
                patterns.push(w);
            }
            tags.push(slugify(tag));
        };
        if config.builtin {
            for (tag, words) in BUILTIN {
                let words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
                add(tag, &words);
            }
        }
        for (tag, words) in &config.keywords {
            add(tag, words);
        }
        let word_start = patterns
            .iter()
            .map(|p| p.chars().next().is_some_and(is_word_char))
            .collect();
        let words = AhoCorasick::new(&patterns).expect("tag words form an automaton");
        Tagger {
            tags,
            words,
            of,
            word_start,
        }
    }

    /// How often each rule's words occur in `text`, each at the start of a word, counted
    /// as a search from left to right would: a match at each place, the rule's earliest
    /// word there, the next search from its end.
    fn counts(&self, text: &str) -> Vec<usize> {
        let text = text.to_lowercase();
        // (rule, start, word's place, end) of every word found at a word boundary.
        let mut found: Vec<(usize, usize, usize, usize)> = self
            .words
            .find_overlapping_iter(&text)
            .filter_map(|m| {
                let p = m.pattern().as_usize();
                let before = text[..m.start()]
                    .chars()
                    .next_back()
                    .is_some_and(is_word_char);
                (before != self.word_start[p]).then(|| {
                    let (rule, place) = self.of[p];
                    (rule, m.start(), place, m.end())
                })
            })
            .collect();
        found.sort_unstable();
        let mut counts = vec![0; self.tags.len()];
        let mut last = (usize::MAX, 0);
        for (rule, start, _, end) in found {
            if last.0 != rule {
                last = (rule, 0);
            }
            if start >= last.1 {
                counts[rule] += 1;
                last.1 = end.max(start + 1);
            }
        }
        counts
    }

    /// Tags for a postmortem: front matter's first, then rules matched against its
    /// cause-and-fix text; at most `limit` rule tags, the most mentioned first.
    pub fn tags(&self, front: &[String], text: &str, humorous: bool, limit: usize) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for t in front {
            let s = slugify(t);
            if !s.is_empty() && !out.contains(&s) {
                out.push(s);
            }
        }
        let mut scored: Vec<(usize, &str)> = self
            .counts(text)
            .into_iter()
            .zip(&self.tags)
            .filter(|(n, _)| *n > 0)
            .map(|(n, tag)| (n, tag.as_str()))
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
        for (_, tag) in scored.into_iter().take(limit) {
            if !out.iter().any(|t| t == tag) {
                out.push(tag.to_owned());
            }
        }
        if humorous && !out.iter().any(|t| t == "humour") {
            out.push("humour".into());
        }
        out
    }
}

/// Severity from how much of the service's use was lost: the share of users times the
/// outage's length (user-minutes of a full outage), halved when users saw only a
/// slowdown. Calibrated so the levels separate a class's incidents: a critical one
/// costs three hours or more of everyone's use (all users for 3 h, half of them for
/// 6 h); a major one an hour or more. Returns the level and what it was based on, in
/// words, for the page to say.
pub fn severity(
    users_percent: Option<f64>,
    duration_minutes: Option<i64>,
    degraded: bool,
) -> (Severity, String) {
    let d = duration_minutes.filter(|d| *d > 0);
    let how = if degraded { "a slowdown" } else { "an outage" };
    match (users_percent, d) {
        (None, None) => (
            Severity::Unknown,
            "neither the share of users nor the outage's length is stated".into(),
        ),
        (Some(p), Some(d)) => {
            let level = level_of(p / 100.0 * d as f64, degraded);
            (
                level,
                format!(
                    "{how} for {} of users lasting {}",
                    percent(p),
                    crate::check::minutes_words(d)
                ),
            )
        }
        // Without a share, the length alone, as if half the users were affected.
        (None, Some(d)) => {
            let level = level_of(d as f64 * 0.5, degraded);
            (
                level,
                format!(
                    "{how} lasting {}; the share of users is not stated",
                    crate::check::minutes_words(d)
                ),
            )
        }
        // Without a length, the share alone can say no more than major.
        (Some(p), None) => (
            if p >= 50.0 {
                Severity::Major
            } else {
                Severity::Minor
            },
            format!(
                "{how} for {} of users; its length is not stated",
                percent(p)
            ),
        ),
    }
}

/// Whether what users experienced was only a slowdown: slowness told, and nothing that
/// says the service failed outright.
pub fn only_slow(experience: &str) -> bool {
    let t = crate::words::Tokens::of(experience);
    SLOW.matches(&t) && !HARD_DOWN.matches(&t)
}

static SLOW: std::sync::LazyLock<crate::words::Lexicon> = std::sync::LazyLock::new(|| {
    crate::words::Lexicon::list(
        "slow, slowness, latency, degraded, degradation, lag, delay, sluggish",
    )
});

static HARD_DOWN: std::sync::LazyLock<crate::words::Lexicon> = std::sync::LazyLock::new(|| {
    crate::words::Lexicon::list(
        "down, unavailable, unreachable, inaccessible, could not, couldn't, unable, error, \
         errors, 500, 502, 503, 504, outage, offline, failed, crash",
    )
});

/// The level of a loss of `user_minutes` of a full outage (a slowdown counts half).
fn level_of(user_minutes: f64, degraded: bool) -> Severity {
    let cost = user_minutes * if degraded { 0.5 } else { 1.0 };
    if cost >= 180.0 {
        Severity::Critical
    } else if cost >= 60.0 {
        Severity::Major
    } else {
        Severity::Minor
    }
}

fn percent(p: f64) -> String {
    if p.fract() == 0.0 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_weighs_breadth_by_length() {
        assert_eq!(
            severity(Some(100.0), Some(240), false).0,
            Severity::Critical
        );
        assert_eq!(severity(Some(30.0), Some(150), false).0, Severity::Minor);
        assert_eq!(severity(Some(40.0), Some(180), false).0, Severity::Major);
        // A slowdown costs half an outage.
        assert_eq!(severity(Some(100.0), Some(240), true).0, Severity::Major);
        assert_eq!(severity(None, None, false).0, Severity::Unknown);
        assert_eq!(
            severity(Some(40.0), Some(135), false).1,
            "an outage for 40% of users lasting 2 h 15 min"
        );
    }

    #[test]
    fn front_matter_tags_come_first_and_rules_follow() {
        let t = Tagger::new(&TagsConfig::default());
        let tags = t.tags(
            &["Disk Space".into()],
            "The nginx config had a typo; nginx failed to reload and nginx stayed down.",
            false,
            3,
        );
        assert_eq!(tags, ["disk-space", "nginx", "configuration"]);
    }

    #[test]
    fn site_rules_and_no_builtins() {
        let mut c = TagsConfig {
            builtin: false,
            ..Default::default()
        };
        c.keywords.insert("k8s".into(), vec!["kubernetes".into()]);
        let t = Tagger::new(&c);
        assert_eq!(
            t.tags(&[], "Kubernetes evicted the pod; nginx died", true, 3),
            ["k8s", "humour"]
        );
    }

    #[test]
    fn rule_words_count_at_word_starts_without_overlap() {
        let mut c = TagsConfig {
            builtin: false,
            ..Default::default()
        };
        c.keywords
            .insert("db".into(), vec!["sql".into(), "sql server".into()]);
        c.keywords.insert("web".into(), vec!["nginx".into()]);
        let t = Tagger::new(&c);
        // "MySQL" is not a word start; "SQL Server" is one mention, not two.
        assert_eq!(
            t.counts("MySQL died. SQL Server and sql, then NGINX-nginx."),
            [2, 2]
        );
        assert_eq!(
            t.tags(&[], "SQL Server; sql; nginx", false, 2),
            ["db", "web"]
        );
    }

    #[test]
    fn severities() {
        // Ten minutes for everyone is a minor incident; a working day of it is critical.
        assert_eq!(severity(Some(100.0), Some(10), false).0, Severity::Minor);
        assert_eq!(
            severity(Some(100.0), Some(8 * 60), false).0,
            Severity::Critical
        );
        assert_eq!(severity(Some(5.0), Some(20), false).0, Severity::Minor);
        assert_eq!(severity(None, Some(8 * 60), false).0, Severity::Critical);
        assert_eq!(severity(Some(80.0), None, false).0, Severity::Major);
    }
}
