//! Tags, categories and severity: the words a gallery is browsed by.
//!
//! Tags come from front matter and from keyword rules (built-in ones for the usual
//! suspects of a web stack, plus the site's own in `[tags.keywords]`), matched against
//! what the postmortem says about its cause and fix rather than every passing mention.

use crate::config::TagsConfig;
use crate::model::Severity;
use crate::slug::slugify;
use regex::Regex;

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

/// Compiled tag rules.
pub struct Tagger {
    rules: Vec<(String, Regex)>,
}

impl Tagger {
    pub fn new(config: &TagsConfig) -> Tagger {
        let mut rules = Vec::new();
        let mut add = |tag: &str, words: &[String]| {
            if words.is_empty() {
                return;
            }
            let alts: Vec<String> = words
                .iter()
                .map(|w| regex::escape(&w.to_lowercase()))
                .collect();
            if let Ok(re) = Regex::new(&format!(r"(?i)\b(?:{})", alts.join("|"))) {
                rules.push((slugify(tag), re));
            }
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
        Tagger { rules }
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
            .rules
            .iter()
            .map(|(tag, re)| (re.find_iter(text).count(), tag.as_str()))
            .filter(|(n, _)| *n > 0)
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
