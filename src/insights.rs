//! The class picture: how many postmortems, which checks students miss most, how long
//! outages lasted and how many users they reached, how fast they were detected and
//! resolved, the usual root causes; for the whole gallery and per collection. Plain
//! numbers from the compact cards, so the page, its charts and the tests share them.

use crate::model::{CheckId, Severity};
use crate::render::{Card, TermRef};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CheckRate {
    pub id: &'static str,
    pub section: &'static str,
    pub passed: usize,
    pub of: usize,
    pub percent: f64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Bucket {
    pub label: &'static str,
    pub count: usize,
}

/// A distribution over fixed buckets, with how many values were known at all.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Distribution {
    pub buckets: Vec<Bucket>,
    pub known: usize,
    pub median: Option<f64>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct TagCount {
    #[serde(flatten)]
    pub tag: TermRef,
    pub count: usize,
}

/// The postmortems whose root causes are of one kind ([`crate::causes`]).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CauseGroup {
    pub slug: &'static str,
    pub label: &'static str,
    pub count: usize,
    /// The first few of them, in the listings' order.
    pub examples: Vec<Example>,
    /// How many more there are.
    pub more: usize,
}

/// A postmortem a group links to.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Example {
    pub title: String,
    pub url: String,
}

/// Postmortems a cause group links to.
const EXAMPLES: usize = 3;

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SeverityCount {
    pub severity: Severity,
    pub count: usize,
}

/// The figures for one group of postmortems (the gallery, or one collection).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Figures {
    pub postmortems: usize,
    /// Pass all 13 mandatory checks.
    pub perfect: usize,
    pub perfect_percent: f64,
    pub average_score: f64,
    pub checks: Vec<CheckRate>,
    pub durations: Distribution,
    pub users: Distribution,
    pub time_to_detect_median: Option<f64>,
    pub time_to_detect_known: usize,
    pub time_to_resolve_median: Option<f64>,
    pub time_to_resolve_known: usize,
    pub tags: Vec<TagCount>,
    /// The postmortems grouped by the kind of their root cause, most common first
    /// ("Something else", a root cause that names no kind, last).
    pub causes: Vec<CauseGroup>,
    /// Postmortems in which no root cause was found.
    pub causes_unstated: usize,
    pub severities: Vec<SeverityCount>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CollectionFigures {
    pub collection: TermRef,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Insights {
    #[serde(flatten)]
    pub all: Figures,
    /// The mandatory checks most often failed, worst first (at most three).
    pub most_missed: Vec<CheckRate>,
    pub collections: Vec<CollectionFigures>,
}

/// Outage lengths, in minutes: upper bounds of the buckets.
const DURATION_BUCKETS: &[(&str, i64)] = &[
    ("< 30 min", 30),
    ("30–60 min", 60),
    ("1–2 h", 120),
    ("2–4 h", 240),
    ("4–8 h", 480),
    ("8–24 h", 1440),
    ("> 1 day", i64::MAX),
];

/// Share of users affected, in percent: upper bounds (inclusive) of the buckets.
const USER_BUCKETS: &[(&str, f64)] = &[
    ("≤ 10%", 10.0),
    ("11–25%", 25.0),
    ("26–50%", 50.0),
    ("51–75%", 75.0),
    ("76–99%", 99.0),
    ("100%", 100.0),
];

pub fn compute(cards: &[&Card]) -> Insights {
    compute_remembering(cards, |_| 0, &mut Remembered::default())
}

/// Figures worked out by an earlier [`compute_remembering`], by a fingerprint of the
/// cards they were worked out from.
pub type Remembered = HashMap<u64, Figures, crate::words::Fx>;

/// [`compute`], given each card's fingerprint (`fp` of its index), taking from
/// `remembered` the figures of any group of cards (the class, a collection) none of
/// whose cards changed since, and leaving there this computation's instead.
pub fn compute_remembering(
    cards: &[&Card],
    fp: impl Fn(usize) -> u64 + Sync,
    remembered: &mut Remembered,
) -> Insights {
    let mut groups: BTreeMap<&str, (&TermRef, Vec<usize>)> = BTreeMap::new();
    for (i, c) in cards.iter().enumerate() {
        if let Some(col) = &c.collection {
            groups
                .entry(&col.slug)
                .or_insert((col, Vec::new()))
                .1
                .push(i);
        }
    }
    let groups: Vec<(&TermRef, Vec<usize>)> = groups.into_values().collect();
    let before = std::mem::take(remembered);
    let keyed = |members: &mut dyn Iterator<Item = usize>| -> u64 {
        let fps: Vec<u64> = members.map(&fp).collect();
        foldhash::fast::FixedState::default().hash_one(&fps)
    };
    let figures_of = |key: u64, members: &[&Card]| -> Figures {
        match before.get(&key) {
            Some(known) => known.clone(),
            None => figures(members),
        }
    };
    // The class's figures and each collection's, in parallel.
    let ((all_key, all), collections) = rayon::join(
        || {
            let key = keyed(&mut (0..cards.len()));
            (key, figures_of(key, cards))
        },
        || {
            groups
                .par_iter()
                .map(|(collection, ixs)| {
                    let key = keyed(&mut ixs.iter().copied());
                    let members: Vec<&Card> = ixs.iter().map(|&i| cards[i]).collect();
                    (
                        key,
                        CollectionFigures {
                            collection: (*collection).clone(),
                            figures: figures_of(key, &members),
                        },
                    )
                })
                .collect::<Vec<_>>()
        },
    );
    let mut now = Remembered::default();
    now.insert(all_key, all.clone());
    now.extend(collections.iter().map(|(k, c)| (*k, c.figures.clone())));
    *remembered = now;
    let collections: Vec<CollectionFigures> = collections.into_iter().map(|(_, c)| c).collect();
    let mut most_missed: Vec<CheckRate> = all
        .checks
        .iter()
        .filter(|c| c.passed < c.of)
        .cloned()
        .collect();
    most_missed.sort_by(|a, b| a.percent.total_cmp(&b.percent).then(a.id.cmp(b.id)));
    most_missed.truncate(3);
    Insights {
        all,
        most_missed,
        collections,
    }
}

fn figures(cards: &[&Card]) -> Figures {
    let n = cards.len();
    let perfect = cards.iter().filter(|c| c.score.is_perfect()).count();
    let mandatory: Vec<CheckId> = CheckId::ALL
        .into_iter()
        .filter(|c| c.is_mandatory())
        .collect();
    // Each check's passes, in one pass over the cards.
    let mut passes = vec![0usize; mandatory.len()];
    for c in cards {
        for (p, &ok) in passes.iter_mut().zip(&c.mandatory) {
            *p += usize::from(ok);
        }
    }
    let checks = mandatory
        .iter()
        .enumerate()
        .map(|(k, id)| {
            let passed = passes[k];
            CheckRate {
                id: id.as_str(),
                section: id.section(),
                passed,
                of: n,
                percent: percent(passed, n),
            }
        })
        .collect();
    // Spans in minutes, negative ones (a window misread) left out.
    let minutes = |of: fn(&Card) -> Option<i64>| -> Vec<f64> {
        cards
            .iter()
            .filter_map(|c| of(c))
            .filter(|d| *d >= 0)
            .map(|d| d as f64)
            .collect()
    };
    let durations = minutes(|c| c.duration_minutes);
    let users: Vec<f64> = cards
        .iter()
        .filter_map(|c| c.users_affected_percent)
        .collect();
    let ttd = minutes(|c| c.time_to_detect_minutes);
    let ttr = minutes(|c| c.time_to_resolve_minutes);
    let mut tag_counts: HashMap<&str, (&TermRef, usize), crate::words::Fx> = HashMap::default();
    for c in cards {
        for t in c.tags.iter().filter(|t| t.slug != "humour") {
            tag_counts.entry(&t.slug).or_insert((t, 0)).1 += 1;
        }
    }
    let mut tags: Vec<TagCount> = tag_counts
        .into_values()
        .map(|(tag, count)| TagCount {
            tag: tag.clone(),
            count,
        })
        .collect();
    tags.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(a.tag.name.cmp(&b.tag.name))
            .then(a.tag.slug.cmp(&b.tag.slug))
    });
    tags.truncate(10);
    let (causes, causes_unstated) = cause_groups(cards);
    let severities = [
        Severity::Critical,
        Severity::Major,
        Severity::Minor,
        Severity::Unknown,
    ]
    .into_iter()
    .map(|severity| SeverityCount {
        severity,
        count: cards.iter().filter(|c| c.severity == severity).count(),
    })
    .collect();
    Figures {
        postmortems: n,
        perfect,
        perfect_percent: percent(perfect, n),
        average_score: if n == 0 {
            0.0
        } else {
            round1(cards.iter().map(|c| c.score.passed as f64).sum::<f64>() / n as f64)
        },
        checks,
        durations: Distribution {
            buckets: DURATION_BUCKETS
                .iter()
                .enumerate()
                .map(|(i, (label, hi))| {
                    let lo = if i == 0 {
                        i64::MIN
                    } else {
                        DURATION_BUCKETS[i - 1].1
                    };
                    Bucket {
                        label,
                        count: durations
                            .iter()
                            .filter(|d| (**d as i64) >= lo && (**d as i64) < *hi)
                            .count(),
                    }
                })
                .collect(),
            known: durations.len(),
            median: median(&durations),
        },
        users: Distribution {
            buckets: USER_BUCKETS
                .iter()
                .enumerate()
                .map(|(i, (label, hi))| {
                    let lo = if i == 0 {
                        f64::MIN
                    } else {
                        USER_BUCKETS[i - 1].1
                    };
                    Bucket {
                        label,
                        count: users.iter().filter(|u| **u > lo && **u <= *hi).count(),
                    }
                })
                .collect(),
            known: users.len(),
            median: median(&users),
        },
        time_to_detect_median: median(&ttd),
        time_to_detect_known: ttd.len(),
        time_to_resolve_median: median(&ttr),
        time_to_resolve_known: ttr.len(),
        tags,
        causes,
        causes_unstated,
        severities,
    }
}

/// The cards grouped by the kind of their root cause, and how many state none.
fn cause_groups(cards: &[&Card]) -> (Vec<CauseGroup>, usize) {
    let order: Vec<&crate::causes::Kind> = crate::causes::kinds()
        .chain([&crate::causes::OTHER])
        .collect();
    let mut groups: Vec<CauseGroup> = order
        .iter()
        .map(|k| CauseGroup {
            slug: k.slug,
            label: k.label,
            count: 0,
            examples: Vec::new(),
            more: 0,
        })
        .collect();
    let mut unstated = 0;
    for c in cards {
        let Some(g) = c
            .cause
            .and_then(|slug| groups.iter_mut().find(|g| g.slug == slug))
        else {
            unstated += 1;
            continue;
        };
        g.count += 1;
        if g.examples.len() < EXAMPLES {
            g.examples.push(Example {
                title: c.title.clone(),
                url: c.url.clone(),
            });
        } else {
            g.more += 1;
        }
    }
    groups.retain(|g| g.count > 0);
    // Most common first; ties, and "something else" always, in the reading's order.
    let other = crate::causes::OTHER.slug;
    groups.sort_by_key(|g| (g.slug == other, std::cmp::Reverse(g.count)));
    (groups, unstated)
}

fn percent(part: usize, of: usize) -> f64 {
    if of == 0 {
        0.0
    } else {
        round1(part as f64 * 100.0 / of as f64)
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The middle value (mean of the two middle ones for an even count).
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[m]
    } else {
        round1((v[m - 1] + v[m]) / 2.0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }
}
