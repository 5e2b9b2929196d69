//! Related postmortems: for each published postmortem, up to [`SHOWN`] others that share
//! its tags and its words.
//!
//! The score of a pair is the mean of two cosines: of their tags, each weighted by its
//! inverse document frequency (a rare tag shared says more than a common one), and of
//! the TF-IDF-weighted word stems of their title, summary and root cause. Neither is
//! computed for every pair: each postmortem keeps only its [`TOP_TERMS`] heaviest stems,
//! and the inverted index of those stems and of the tags is walked from each postmortem,
//! adding each shared feature's weight into an accumulator of the postmortems met. Two
//! things bound the walk, so its cost grows with N rather than N²:
//! - a stem among the top terms of more than [`COMMON_TERM`] postmortems is not walked
//!   (it tells little; its weight is small anyway);
//! - a tag held by more than [`TAG_WINDOW`] postmortems is walked only over the
//!   [`TAG_WINDOW`] of them nearest in the listings' order (their neighbours in time).
//!
//! Ties go to the nearer in the listings' order (the nearer in time, by default), then
//! the earlier, so the same postmortems always give the same lists, whichever build (full
//! or incremental) computes them.

use crate::words::Fx;
use rayon::prelude::*;
use std::collections::HashMap;

/// Related postmortems shown on a page, at most.
pub const SHOWN: usize = 5;
/// Stems kept per postmortem (its heaviest by TF-IDF).
pub const TOP_TERMS: usize = 12;
/// A stem kept by more postmortems than this is not walked.
pub const COMMON_TERM: usize = 300;
/// Postmortems walked per tag, at most: those nearest in the listings' order.
pub const TAG_WINDOW: usize = 400;
/// Less than this and a postmortem is not related (some shared word or rare tag).
const MIN_SCORE: f32 = 0.05;

/// What one postmortem is compared by. Tags and stems are kept as 64-bit hashes of
/// their text ([`key`]): a gallery keeps one of these per postmortem between builds, and
/// a few hundred thousand small strings held for that long scatter over the heap.
#[derive(Debug, Clone, Default, PartialEq, Hash)]
pub struct Features {
    /// Tag slugs' keys, sorted, each once.
    pub tags: Box<[u64]>,
    /// Keys of the word stems of its title, summary and root cause, with their counts,
    /// sorted by key.
    pub terms: Box<[(u64, u32)]>,
}

/// The key a tag slug or a stem is compared by: a fixed hash of its text, the same in
/// every build (two texts that share one are about one in 2^64).
pub fn key(text: &str) -> u64 {
    use std::hash::BuildHasher;
    Fx::default().hash_one(text)
}

impl Features {
    /// The features of a postmortem with these tags and texts (title, summary, root
    /// cause). Stems of fewer than three letters and words without a letter (times,
    /// figures) are left out.
    pub fn new<'a>(tags: impl IntoIterator<Item = &'a str>, texts: &[Option<&str>]) -> Features {
        let mut counts: HashMap<u64, u32, Fx> = HashMap::default();
        for text in texts.iter().flatten() {
            for w in crate::words::words(text) {
                if !w.chars().any(char::is_alphabetic) {
                    continue;
                }
                let s = crate::words::stem(&w);
                if s.chars().count() >= 3 && !STOP.contains(&s.as_str()) {
                    *counts.entry(key(&s)).or_default() += 1;
                }
            }
        }
        let mut terms: Vec<(u64, u32)> = counts.into_iter().collect();
        terms.sort_unstable();
        let mut tags: Vec<u64> = tags.into_iter().map(key).collect();
        tags.sort_unstable();
        tags.dedup();
        Features {
            tags: tags.into(),
            terms: terms.into(),
        }
    }
}

/// Stems too common in English to relate two texts (stemmed as [`crate::words::stem`]
/// stems them); the rest are weighed by how rare they are in the gallery.
const STOP: &[&str] = &[
    "the", "and", "for", "was", "were", "that", "this", "with", "from", "which", "had", "has",
    "have", "but", "not", "all", "our", "their", "they", "them", "its", "into", "when", "after",
    "befor", "then", "than", "been", "are", "also", "there", "what", "who", "would", "could",
    "about", "onli", "some", "other", "more", "most", "can", "did", "out", "over", "dure", "while",
    "becaus", "use", "due", "caus",
];

/// A score ordered as `f32::total_cmp` orders it.
#[derive(PartialEq)]
struct Score(f32);

impl Eq for Score {}

impl PartialOrd for Score {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Score {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// A related postmortem: its index among the inputs and its score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Related {
    pub index: usize,
    pub score: f32,
}

/// For each of `docs` (in the listings' order), the indexes of up to [`SHOWN`] others
/// most related to it, most related first.
pub fn related(docs: &[&Features]) -> Vec<Vec<Related>> {
    let n = docs.len();
    if n < 2 {
        return vec![Vec::new(); n];
    }
    // Interned tags and stems, with their document frequencies.
    let mut tag_ids: HashMap<u64, u32, Fx> = HashMap::default();
    let mut term_ids: HashMap<u64, u32, Fx> = HashMap::default();
    let (mut tag_df, mut term_df) = (Vec::<u32>::new(), Vec::<u32>::new());
    fn intern(ids: &mut HashMap<u64, u32, Fx>, df: &mut Vec<u32>, key: u64) -> u32 {
        let next = ids.len() as u32;
        let id = *ids.entry(key).or_insert(next);
        if id as usize == df.len() {
            df.push(0);
        }
        df[id as usize] += 1;
        id
    }
    let mut doc_tags: Vec<Vec<u32>> = Vec::with_capacity(n);
    let mut doc_terms: Vec<Vec<(u32, u32)>> = Vec::with_capacity(n);
    for d in docs {
        doc_tags.push(
            d.tags
                .iter()
                .map(|&t| intern(&mut tag_ids, &mut tag_df, t))
                .collect(),
        );
        doc_terms.push(
            d.terms
                .iter()
                .map(|&(t, c)| (intern(&mut term_ids, &mut term_df, t), c))
                .collect(),
        );
    }
    let idf = |df: u32| ((n as f32 + 1.0) / (df as f32 + 0.5)).ln().max(0.0);
    // Each document's unit vectors: tags by idf, its top stems by tf-idf.
    let unit = |v: Vec<(u32, f32)>| -> Vec<(u32, f32)> {
        let norm = v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
        if norm == 0.0 {
            return Vec::new();
        }
        v.into_iter().map(|(id, w)| (id, w / norm)).collect()
    };
    let tag_vecs: Vec<Vec<(u32, f32)>> = doc_tags
        .iter()
        .map(|ts| unit(ts.iter().map(|&t| (t, idf(tag_df[t as usize]))).collect()))
        .collect();
    let term_vecs: Vec<Vec<(u32, f32)>> = doc_terms
        .par_iter()
        .map(|ts| {
            let mut v: Vec<(u32, f32)> = ts
                .iter()
                .map(|&(t, c)| (t, (1.0 + (c as f32).ln()) * idf(term_df[t as usize])))
                .filter(|&(_, w)| w > 0.0)
                .collect();
            // Heaviest first; equal weights by id, which follows first appearance.
            v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            v.truncate(TOP_TERMS);
            unit(v)
        })
        .collect();
    // The inverted index: each tag's and each kept stem's postmortems, in order.
    let mut tag_posts: Vec<Vec<u32>> = vec![Vec::new(); tag_df.len()];
    for (i, v) in tag_vecs.iter().enumerate() {
        for &(t, _) in v {
            tag_posts[t as usize].push(i as u32);
        }
    }
    let mut term_posts: Vec<Vec<u32>> = vec![Vec::new(); term_df.len()];
    for (i, v) in term_vecs.iter().enumerate() {
        for &(t, _) in v {
            term_posts[t as usize].push(i as u32);
        }
    }
    // The weight of feature `id` in document `j`'s (short, unsorted) vector.
    let weight = |v: &[(u32, f32)], id: u32| v.iter().find(|e| e.0 == id).map_or(0.0, |e| e.1);

    (0..n)
        .into_par_iter()
        .map_init(
            || {
                let scored: Vec<Related> = Vec::new();
                (vec![0f32; n], vec![0f32; n], Vec::<u32>::new(), scored)
            },
            |(tag_acc, term_acc, met, scored), i| {
                for &(t, w) in &tag_vecs[i] {
                    let post = &tag_posts[t as usize];
                    let window = if post.len() <= TAG_WINDOW {
                        post.as_slice()
                    } else {
                        // The TAG_WINDOW members nearest to `i` in the listings' order.
                        let at = post.partition_point(|&j| (j as usize) < i);
                        let start = at
                            .saturating_sub(TAG_WINDOW / 2)
                            .min(post.len() - TAG_WINDOW);
                        &post[start..start + TAG_WINDOW]
                    };
                    for &j in window {
                        if j as usize == i {
                            continue;
                        }
                        if tag_acc[j as usize] == 0.0 && term_acc[j as usize] == 0.0 {
                            met.push(j);
                        }
                        tag_acc[j as usize] += w * weight(&tag_vecs[j as usize], t);
                    }
                }
                for &(t, w) in &term_vecs[i] {
                    let post = &term_posts[t as usize];
                    if post.len() > COMMON_TERM {
                        continue;
                    }
                    for &j in post {
                        if j as usize == i {
                            continue;
                        }
                        if tag_acc[j as usize] == 0.0 && term_acc[j as usize] == 0.0 {
                            met.push(j);
                        }
                        term_acc[j as usize] += w * weight(&term_vecs[j as usize], t);
                    }
                }
                // Every postmortem met is scored in a buffer kept for the next one; only
                // the SHOWN best are kept, in a list of their own (thousands may be met,
                // and a list cut to SHOWN would keep the room of them all).
                scored.clear();
                scored.extend(
                    met.drain(..)
                        .map(|j| {
                            let j = j as usize;
                            let score = 0.5 * tag_acc[j] + 0.5 * term_acc[j];
                            tag_acc[j] = 0.0;
                            term_acc[j] = 0.0;
                            Related { index: j, score }
                        })
                        .filter(|r| r.score >= MIN_SCORE),
                );
                // Ties: the nearer in the listings' order (in time, by default), then the
                // earlier. A total order, so the best SHOWN are the same however found.
                let order = |r: &Related| {
                    (
                        std::cmp::Reverse(Score(r.score)),
                        r.index.abs_diff(i),
                        r.index,
                    )
                };
                if scored.len() > SHOWN {
                    scored.select_nth_unstable_by_key(SHOWN - 1, order);
                    scored.truncate(SHOWN);
                }
                scored.sort_unstable_by_key(order);
                scored.to_vec()
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(tags: &[&str], text: &str) -> Features {
        Features::new(tags.iter().copied(), &[Some(text)])
    }

    fn indexes(r: &[Related]) -> Vec<usize> {
        r.iter().map(|r| r.index).collect()
    }

    #[test]
    fn features_are_stems_without_figures_or_short_words() {
        let f = doc(
            &["dns", "dns", "nginx"],
            "The DNS resolver resolved 10:00 at 5% of it",
        );
        let mut tags = [key("dns"), key("nginx")];
        tags.sort_unstable();
        assert_eq!(*f.tags, tags);
        let mut terms = [(key("dns"), 1), (key("resolv"), 2)];
        terms.sort_unstable();
        assert_eq!(*f.terms, terms, "resolver and resolved are one stem");
    }

    #[test]
    fn shared_rare_words_and_tags_rank_first_and_self_never() {
        let docs = [
            doc(
                &["database"],
                "Connection pool exhausted on the payments database",
            ),
            doc(&["dns"], "Expired certificate broke the login page"),
            doc(
                &["database"],
                "The payments database ran out of pool connections",
            ),
            doc(&["dns"], "A resolver change broke name lookups"),
            doc(
                &["database", "dns"],
                "Slow queries on the reporting replica",
            ),
            doc(&[], "Nothing in common whatsoever here"),
        ];
        let refs: Vec<&Features> = docs.iter().collect();
        let r = related(&refs);
        assert_eq!(r.len(), docs.len());
        assert_eq!(indexes(&r[0])[0], 2, "{:?}", r[0]);
        assert_eq!(indexes(&r[2])[0], 0, "{:?}", r[2]);
        for (i, list) in r.iter().enumerate() {
            assert!(!indexes(list).contains(&i), "{i} is related to itself");
            assert!(list.len() <= SHOWN);
            assert!(
                list.windows(2).all(|w| w[0].score >= w[1].score),
                "{list:?}"
            );
        }
        // Tags alone relate: the reporting replica shares a tag with four.
        assert!(
            indexes(&r[4]).contains(&0) && indexes(&r[4]).contains(&3),
            "{:?}",
            r[4]
        );
        assert!(r[5].is_empty(), "{:?}", r[5]);
    }

    #[test]
    fn ties_go_to_the_earlier_and_the_walk_is_bounded() {
        // Far more postmortems share one tag than a tag's window walks: each is related
        // to its nearest neighbours in order, the earlier first at the same distance.
        let n = TAG_WINDOW * 3;
        let docs: Vec<Features> = (0..n).map(|_| doc(&["common", "x"], "")).collect();
        let refs: Vec<&Features> = docs.iter().collect();
        let r = related(&refs);
        assert_eq!(indexes(&r[0]), [1, 2, 3, 4, 5]);
        let m = n / 2;
        assert_eq!(indexes(&r[m]), [m - 1, m + 1, m - 2, m + 2, m - 3]);
        assert_eq!(indexes(&r[n - 1]), [n - 2, n - 3, n - 4, n - 5, n - 6]);
        assert_eq!(r, related(&refs), "the same every time");
    }

    #[test]
    fn too_few_to_relate() {
        assert_eq!(related(&[]), Vec::<Vec<Related>>::new());
        assert_eq!(related(&[&doc(&["a"], "words")]), vec![Vec::new()]);
    }
}
