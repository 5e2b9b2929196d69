//! Copied work: pairs of postmortems that are near-duplicates of each other.
//!
//! Each postmortem's own prose (its text, bullets and table rows: not its headings, not
//! the course's assignment text that [`crate::document::course`] marks, not code) is
//! read as a stream of normalised words: lowercased, stemmed ([`crate::words::stem`]),
//! every word with a digit in it one placeholder (so a changed time, date or figure still
//! matches). Every five words in a row make a shingle; one shingle in four, chosen by
//! its hash, is kept in the postmortem's [`Print`] (Broder's sampling: the share two
//! texts have in common is estimated from the shingles both keep).
//!
//! Over a whole gallery ([`detect`]): shingles that very many postmortems hold are the
//! course's template or the phrases every student writes, and are left out (a
//! document-frequency cut); 64 MinHash values per postmortem, in 32 bands of two
//! (locality-sensitive hashing), make the candidate pairs, so that the work grows with
//! the gallery rather than with its pairs; each candidate is then verified by the
//! exact Jaccard similarity of the two samples, and one at [`THRESHOLD`] or above is a
//! [`NearDuplicate`], with the longest passages the two share (maximal runs of shared
//! shingles over every shingle, mapped back to the lines of each file). Two
//! postmortems of one file (a plain and a playful version) are never a pair.
//!
//! A preview keeps the search ([`Search`]): an edit to a few postmortems of the same
//! gallery counts their shingles again and re-scores only their candidate pairs, and
//! what it finds is always what a new search finds.
//!
//! Deterministic: fixed seeds, and the output in the order of the postmortems given.

use crate::words::{Fx, spans, stem};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::Arc;

/// Words in a shingle.
const SHINGLE: usize = 5;
/// One shingle in this many is kept in a [`Print`].
const SAMPLE_EVERY: u64 = 4;
/// MinHash values per postmortem, in bands of [`ROWS`].
const HASHES: usize = 64;
const ROWS: usize = 2;
/// The similarity (Jaccard, of the sampled shingles) from which a pair is reported.
pub const THRESHOLD: f64 = 0.3;
/// The fewest sampled shingles a pair must share (about 30 words in a row, or more in
/// pieces): a short text is never a copy of another for a sentence or two.
const MIN_SHARED: usize = 8;
/// A shingle held by more postmortems than this many (or this share of them) is
/// template text, not anyone's own.
const COMMON_AT_LEAST: usize = 20;
const COMMON_SHARE: f64 = 0.02;
/// Passages shown per pair, the longest, and the words a passage has at least.
const PASSAGES: usize = 3;
const PASSAGE_WORDS: usize = 8;
/// Characters of a passage's text kept for display.
const PASSAGE_CHARS: usize = 320;

/// What a postmortem's text contributes to the search for copies: kept with its
/// reading, so that a build that does not read a file again still has it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Print {
    /// The lines its words come from, as inclusive ranges of 1-based line numbers in
    /// its file's text.
    pub lines: Vec<(u32, u32)>,
    /// The sampled shingles' hashes, sorted, each once.
    pub sample: Vec<u32>,
}

impl Print {
    /// The print of the given lines of a file's text (each line number once, in order).
    pub fn new(text: &str, lines: impl IntoIterator<Item = u32>) -> Print {
        let mut ranges: Vec<(u32, u32)> = Vec::new();
        for n in lines {
            match ranges.last_mut() {
                Some((_, end)) if *end + 1 == n => *end = n,
                Some((_, end)) if *end >= n => {}
                _ => ranges.push((n, n)),
            }
        }
        let mut sample: Vec<u32> = shingles(&tokens(text, &ranges))
            .filter_map(sampled)
            .collect();
        sample.sort_unstable();
        sample.dedup();
        Print {
            lines: ranges,
            sample,
        }
    }
}

/// One postmortem as [`detect`] reads it.
#[derive(Clone, Copy, Debug)]
pub struct Doc<'a> {
    /// Its file: two postmortems of one file are never a pair.
    pub file: &'a str,
    /// Which version of the file's text it is (its fingerprint): a [`Search`] finds the
    /// pairs of a postmortem again when its file, version or print changed.
    pub version: u64,
    pub print: &'a Print,
}

impl Doc<'_> {
    /// What the postmortem is, for a [`Search`] to tell whether it changed.
    fn key(&self) -> u64 {
        hash(&(self.file, self.version, self.print))
    }
}

/// Two postmortems that are near-duplicates: `a` and `b` are their places in the list
/// given to [`detect`], `a < b`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NearDuplicate {
    pub a: usize,
    pub b: usize,
    /// The Jaccard similarity of their sampled shingles, 0 to 1.
    pub similarity: f64,
    /// Sampled shingles they share.
    pub shared: usize,
    /// The longest passages they share, in the order of `a`'s text.
    pub passages: Vec<Passage>,
}

impl NearDuplicate {
    /// The similarity as a whole percentage.
    pub fn percent(&self) -> u32 {
        (self.similarity * 100.0).round() as u32
    }

    /// The other one of the pair, seen from `i`.
    pub fn partner(&self, i: usize) -> usize {
        if i == self.a { self.b } else { self.a }
    }
}

/// A run of text two postmortems share.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Passage {
    /// Its first and last line in the first postmortem's file, and in the second's.
    pub a_lines: (u32, u32),
    pub b_lines: (u32, u32),
    /// Words in the run.
    pub words: usize,
    /// The first postmortem's text of those lines (shortened, with "…", past
    /// [`PASSAGE_CHARS`] characters).
    pub text: String,
}

impl Passage {
    /// The passage's lines as seen from postmortem `i` of `pair` (its own first).
    pub fn lines_for(&self, pair: &NearDuplicate, i: usize) -> ((u32, u32), (u32, u32)) {
        if i == pair.a {
            (self.a_lines, self.b_lines)
        } else {
            (self.b_lines, self.a_lines)
        }
    }
}

/// Every near-duplicate pair of a gallery.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Copies {
    /// In order of `(a, b)`.
    pub pairs: Vec<NearDuplicate>,
    /// Each postmortem's pairs, as indexes into `pairs`.
    by_doc: Vec<Vec<usize>>,
    /// Sampled shingles left out as template text (held by too many postmortems).
    pub common: usize,
}

impl Copies {
    /// The pairs found among `n` postmortems (in order of `(a, b)`), `common` shingles left out.
    fn of_pairs(pairs: Vec<NearDuplicate>, n: usize, common: usize) -> Copies {
        let mut by_doc = vec![Vec::new(); n];
        for (p, pair) in pairs.iter().enumerate() {
            by_doc[pair.a].push(p);
            by_doc[pair.b].push(p);
        }
        for v in &mut by_doc {
            v.sort_by(|&x, &y| {
                pairs[y]
                    .similarity
                    .total_cmp(&pairs[x].similarity)
                    .then(x.cmp(&y))
            });
        }
        Copies {
            pairs,
            by_doc,
            common,
        }
    }

    /// The pairs postmortem `i` is in, most similar first.
    pub fn of(&self, i: usize) -> impl Iterator<Item = &NearDuplicate> {
        self.by_doc
            .get(i)
            .into_iter()
            .flatten()
            .map(|&p| &self.pairs[p])
    }

    /// Groups of postmortems joined by pairs (a text copied by three students is one
    /// family of three), each in order, in order of their first.
    pub fn families(&self) -> Vec<Vec<usize>> {
        let n = self.by_doc.len();
        let mut parent: Vec<usize> = (0..n).collect();
        fn root(parent: &mut [usize], mut i: usize) -> usize {
            while parent[i] != i {
                parent[i] = parent[parent[i]];
                i = parent[i];
            }
            i
        }
        for p in &self.pairs {
            let (x, y) = (root(&mut parent, p.a), root(&mut parent, p.b));
            parent[x.max(y)] = x.min(y);
        }
        let mut groups: HashMap<usize, Vec<usize>, Fx> = HashMap::default();
        for i in 0..n {
            if !self.by_doc[i].is_empty() {
                let r = root(&mut parent, i);
                groups.entry(r).or_default().push(i);
            }
        }
        let mut v: Vec<Vec<usize>> = groups.into_values().collect();
        v.sort();
        v
    }
}

/// A stable hash (foldhash with its fixed seed).
fn hash<T: std::hash::Hash + ?Sized>(value: &T) -> u64 {
    Fx::default().hash_one(value)
}

/// The words of the given lines of `text`, normalised and hashed, each with its line.
fn tokens(text: &str, ranges: &[(u32, u32)]) -> Vec<(u64, u32)> {
    let number = hash("#");
    let mut out = Vec::new();
    let mut ranges = ranges.iter().peekable();
    for (i, line) in text.lines().enumerate() {
        let n = i as u32 + 1;
        while ranges.next_if(|r| r.1 < n).is_some() {}
        let Some(&&(a, _)) = ranges.peek() else { break };
        if n < a {
            continue;
        }
        let clean = crate::document::lines::clean_inline(line);
        for w in spans(&clean) {
            let t = if w.bytes().any(|b| b.is_ascii_digit()) {
                number
            } else {
                hash(stem(&crate::words::lower(w)).as_str())
            };
            out.push((t, n));
        }
    }
    out
}

/// Every shingle's hash, in order.
fn shingles(tokens: &[(u64, u32)]) -> impl Iterator<Item = u64> + '_ {
    tokens.windows(SHINGLE).map(|w| {
        let mut h: u64 = 0;
        for (t, _) in w {
            h = (h ^ t).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29);
        }
        h ^ (h >> 31)
    })
}

/// A shingle's hash in a [`Print`], when it is one of those kept.
fn sampled(h: u64) -> Option<u32> {
    (h >> 32).is_multiple_of(SAMPLE_EVERY).then_some(h as u32)
}

/// The MinHash signature of a sample: for each of [`HASHES`] hash functions
/// (multiply-add with fixed odd multipliers), the least value over the sample.
fn signature(sample: &[u32]) -> [u32; HASHES] {
    let mut sig = [u32::MAX; HASHES];
    for &x in sample {
        let x = u64::from(x);
        for (k, s) in sig.iter_mut().enumerate() {
            let (a, b) = SEEDS[k];
            let v = (a.wrapping_mul(x).wrapping_add(b) >> 32) as u32;
            if v < *s {
                *s = v;
            }
        }
    }
    sig
}

/// The hash functions' multipliers (odd) and addends, from a fixed generator.
static SEEDS: std::sync::LazyLock<[(u64, u64); HASHES]> = std::sync::LazyLock::new(|| {
    let mut state: u64 = 0x005E_EDC0_DE0F_C0FE;
    let mut next = || {
        // splitmix64
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    std::array::from_fn(|_| (next() | 1, next()))
});

/// Sampled shingles two sorted samples share.
fn shared(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// A shingle held by more postmortems than this is template text, in a gallery of `n`.
fn cut(n: usize) -> usize {
    COMMON_AT_LEAST.max((n as f64 * COMMON_SHARE) as usize)
}

/// Each sampled shingle of `docs` with the number of postmortems holding it, sorted.
fn counts(docs: &[Doc]) -> Vec<(u32, u32)> {
    let mut all: Vec<u32> = docs
        .iter()
        .flat_map(|d| d.print.sample.iter().copied())
        .collect();
    all.par_sort_unstable();
    all.chunk_by(|a, b| a == b)
        .map(|run| (run[0], run.len() as u32))
        .collect()
}

/// The shingles of `counts` held by more postmortems than `cut`, sorted.
fn common(counts: &[(u32, u32)], cut: usize) -> Vec<u32> {
    counts
        .iter()
        .filter(|&&(_, n)| n as usize > cut)
        .map(|&(h, _)| h)
        .collect()
}

/// A sample without the template shingles of `common`: what a postmortem is compared by,
/// and the template shingles it held.
fn split_common(sample: &[u32], common: &[u32]) -> (Vec<u32>, Vec<u32>) {
    sample
        .iter()
        .partition(|h| common.binary_search(h).is_err())
}

/// The band keys of a postmortem's own shingles: two postmortems agreeing on a whole
/// band are a candidate pair. None for a sample too short to be half of a pair.
fn bands(own: &[u32]) -> Option<impl Iterator<Item = u64>> {
    (own.len() >= MIN_SHARED).then(|| {
        let sig = signature(own);
        (0..HASHES / ROWS).map(move |band| hash(&(band, &sig[band * ROWS..(band + 1) * ROWS])))
    })
}

/// Every near-duplicate pair among `docs`; `text(i)` is the whole text of the file of
/// `docs[i]` (asked only for the postmortems in a pair, to find their passages).
pub fn detect(docs: &[Doc], text: impl Fn(usize) -> String + Sync) -> Copies {
    detect_at(docs, text, THRESHOLD)
}

/// [`detect`] with another threshold (for choosing one: `examples/copies.rs`).
pub fn detect_at(docs: &[Doc], text: impl Fn(usize) -> String + Sync, threshold: f64) -> Copies {
    Arc::unwrap_or_clone(Search::new(docs, &text, threshold).found)
}

/// A search for copies kept to be brought up to date ([`Search::update`]): what it found,
/// and what it found it from. An edit to a few postmortems of a gallery re-scores only
/// their candidate pairs; the result is always what [`detect_at`] finds.
pub struct Search {
    threshold: f64,
    /// What each postmortem was, by [`Doc::key`].
    keys: Vec<u64>,
    /// Each sampled shingle and how many postmortems hold it, sorted.
    counts: Vec<(u32, u32)>,
    /// The template shingles (held by more than the cut), sorted.
    common: Vec<u32>,
    /// Each postmortem's own sampled shingles, and the template ones it held.
    own: Vec<Vec<u32>>,
    templated: Vec<Vec<u32>>,
    /// Every (band key, postmortem), sorted: a bucket is a run of one key.
    bands: Vec<(u64, u32)>,
    found: Arc<Copies>,
}

impl Search {
    /// The whole search among `docs`.
    pub fn new(docs: &[Doc], text: &(impl Fn(usize) -> String + Sync), threshold: f64) -> Search {
        let counts = counts(docs);
        let common = common(&counts, cut(docs.len()));
        let (own, templated): (Vec<Vec<u32>>, Vec<Vec<u32>>) = docs
            .par_iter()
            .map(|d| split_common(&d.print.sample, &common))
            .unzip();
        let mut keyed: Vec<(u64, u32)> = own
            .par_iter()
            .enumerate()
            .flat_map_iter(|(i, s)| bands(s).into_iter().flatten().map(move |k| (k, i as u32)))
            .collect();
        keyed.par_sort_unstable();
        let mut candidates: Vec<(u32, u32)> = Vec::new();
        for bucket in keyed.chunk_by(|x, y| x.0 == y.0) {
            for (x, &(_, i)) in bucket.iter().enumerate() {
                for &(_, j) in &bucket[x + 1..] {
                    candidates.push((i.min(j), i.max(j)));
                }
            }
        }
        candidates.par_sort_unstable();
        candidates.dedup();
        let mut search = Search {
            threshold,
            keys: docs.par_iter().map(Doc::key).collect(),
            counts,
            common,
            own,
            templated,
            bands: keyed,
            found: Arc::default(),
        };
        let pairs = search.pairs(docs, text, &candidates);
        search.found = Arc::new(Copies::of_pairs(pairs, docs.len(), search.common.len()));
        search
    }

    /// What the search found.
    pub fn found(&self) -> Arc<Copies> {
        self.found.clone()
    }

    /// Brings the search up to `docs`: when the same number of postmortems are in the
    /// same places and few of them changed (and no shingle became or stopped being
    /// template text), only the changed ones' pairs are found again; else all are.
    pub fn update(&mut self, docs: &[Doc], text: &(impl Fn(usize) -> String + Sync)) {
        if docs.len() != self.keys.len() {
            *self = Search::new(docs, text, self.threshold);
            return;
        }
        let keys: Vec<u64> = docs.par_iter().map(Doc::key).collect();
        let changed: Vec<usize> = (0..docs.len())
            .filter(|&i| keys[i] != self.keys[i])
            .collect();
        if changed.is_empty() {
            return;
        }
        if changed.len() > 16.max(docs.len() / 16) || !self.recount(docs, &changed) {
            *self = Search::new(docs, text, self.threshold);
            return;
        }
        self.keys = keys;
        let is_changed = {
            let mut v = vec![false; docs.len()];
            for &i in &changed {
                v[i] = true;
            }
            v
        };
        // Their shingles and band keys anew.
        let mut fresh: Vec<(u64, u32)> = Vec::new();
        for &i in &changed {
            (self.own[i], self.templated[i]) = split_common(&docs[i].print.sample, &self.common);
            fresh.extend(
                bands(&self.own[i])
                    .into_iter()
                    .flatten()
                    .map(|k| (k, i as u32)),
            );
        }
        fresh.sort_unstable();
        self.bands.retain(|&(_, i)| !is_changed[i as usize]);
        self.bands = merge_sorted(std::mem::take(&mut self.bands), fresh.clone());
        // Their candidates: whatever shares a bucket with them.
        let mut candidates: Vec<(u32, u32)> = Vec::new();
        for &(k, i) in &fresh {
            let from = self.bands.partition_point(|b| b.0 < k);
            for &(_, j) in self.bands[from..].iter().take_while(|b| b.0 == k) {
                if j != i {
                    candidates.push((i.min(j), i.max(j)));
                }
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut pairs: Vec<NearDuplicate> = self
            .found
            .pairs
            .iter()
            .filter(|p| !is_changed[p.a] && !is_changed[p.b])
            .cloned()
            .collect();
        pairs.extend(self.pairs(docs, text, &candidates));
        pairs.sort_by_key(|p| (p.a, p.b));
        self.found = Arc::new(Copies::of_pairs(pairs, docs.len(), self.common.len()));
    }

    /// Counts the shingles of the `changed` postmortems anew; false when that makes a
    /// shingle template text or no longer template text (every postmortem's own shingles
    /// change then).
    fn recount(&mut self, docs: &[Doc], changed: &[usize]) -> bool {
        let mut delta: Vec<(u32, i64)> = Vec::new();
        for &i in changed {
            let old = self.own[i].iter().chain(&self.templated[i]);
            delta.extend(old.map(|&h| (h, -1)));
            delta.extend(docs[i].print.sample.iter().map(|&h| (h, 1)));
        }
        delta.sort_unstable();
        let cut = cut(docs.len()) as i64;
        let mut counts = Vec::with_capacity(self.counts.len() + delta.len());
        let mut old = self.counts.iter().copied().peekable();
        for run in delta.chunk_by(|a, b| a.0 == b.0) {
            let h = run[0].0;
            let change: i64 = run.iter().map(|d| d.1).sum();
            while let Some(c) = old.next_if(|c| c.0 < h) {
                counts.push(c);
            }
            let before = old.next_if(|c| c.0 == h).map_or(0, |c| i64::from(c.1));
            let after = before + change;
            if (before > cut) != (after > cut) {
                return false;
            }
            if after > 0 {
                counts.push((h, after as u32));
            }
        }
        counts.extend(old);
        self.counts = counts;
        true
    }

    /// The near-duplicate pairs among `candidates` (sorted), with their passages.
    fn pairs(
        &self,
        docs: &[Doc],
        text: &(impl Fn(usize) -> String + Sync),
        candidates: &[(u32, u32)],
    ) -> Vec<NearDuplicate> {
        let own = &self.own;
        let threshold = self.threshold;
        let found: Vec<(usize, usize, f64, usize)> = candidates
            .par_iter()
            .filter_map(|&(i, j)| {
                let (i, j) = (i as usize, j as usize);
                if docs[i].file == docs[j].file {
                    return None;
                }
                let n = shared(&own[i], &own[j]);
                let union = own[i].len() + own[j].len() - n;
                let similarity = n as f64 / union as f64;
                (n >= MIN_SHARED && similarity >= threshold).then_some((i, j, similarity, n))
            })
            .collect();
        // Every shingle of each postmortem in a pair, for its passages.
        let mut involved: Vec<usize> = found.iter().flat_map(|p| [p.0, p.1]).collect();
        involved.sort_unstable();
        involved.dedup();
        let full: HashMap<usize, Vec<(u64, u32)>, Fx> = involved
            .par_iter()
            .map(|&i| (i, tokens(&text(i), &docs[i].print.lines)))
            .collect();
        found
            .par_iter()
            .map(|&(a, b, similarity, shared)| NearDuplicate {
                a,
                b,
                similarity,
                shared,
                passages: passages(
                    &full[&a],
                    &full[&b],
                    &self.common,
                    &text(a),
                    &docs[a].print.lines,
                ),
            })
            .collect()
    }
}

/// Two sorted lists as one.
fn merge_sorted<T: Ord + Copy>(a: Vec<T>, b: Vec<T>) -> Vec<T> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let mut b = b.into_iter().peekable();
    for x in a {
        while let Some(y) = b.next_if(|y| *y < x) {
            out.push(y);
        }
        out.push(x);
    }
    out.extend(b);
    out
}

/// The longest runs of shingles `a` and `b` share (leaving out template shingles), as
/// passages with their lines in each and `a`'s text.
fn passages(
    a: &[(u64, u32)],
    b: &[(u64, u32)],
    common: &[u32],
    a_text: &str,
    read_lines: &[(u32, u32)],
) -> Vec<Passage> {
    let template = |h: u64| sampled(h).is_some_and(|s| common.binary_search(&s).is_ok());
    let mut in_b: HashMap<u64, usize, Fx> = HashMap::default();
    for (p, h) in shingles(b).enumerate() {
        in_b.entry(h).or_insert(p);
    }
    let a_shingles: Vec<u64> = shingles(a).collect();
    let mut runs: Vec<(usize, usize, usize, usize)> = Vec::new(); // a start, a end, b start, b end
    let mut p = 0;
    while p < a_shingles.len() {
        let h = a_shingles[p];
        let Some(&bp) = in_b.get(&h).filter(|_| !template(h)) else {
            p += 1;
            continue;
        };
        let (start, b_start) = (p, bp);
        let mut b_end = bp;
        p += 1;
        while let Some(&q) = a_shingles.get(p).and_then(|h| in_b.get(h)) {
            b_end = b_end.max(q);
            p += 1;
        }
        runs.push((start, p - 1, b_start, b_end));
    }
    // Shingle runs to words: a run of r shingles covers r + SHINGLE - 1 words.
    let runs: Vec<_> = runs
        .into_iter()
        .map(|r| (r.1 - r.0 + SHINGLE, r))
        .filter(|(words, _)| *words >= PASSAGE_WORDS)
        .collect();
    // Runs that meet on a line of `a` are one passage (a paragraph is often one line).
    let mut merged: Vec<(usize, (usize, usize, usize, usize))> = Vec::new();
    for (words, r) in runs {
        match merged.last_mut() {
            Some((w, m)) if a[m.1 + SHINGLE - 1].1 >= a[r.0].1 => {
                *w += words;
                m.1 = m.1.max(r.1);
                m.2 = m.2.min(r.2);
                m.3 = m.3.max(r.3);
            }
            _ => merged.push((words, r)),
        }
    }
    let mut runs = merged;
    runs.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.0.cmp(&y.1.0)));
    runs.truncate(PASSAGES);
    runs.sort_by_key(|r| r.1.0);
    let lines: Vec<&str> = a_text.lines().collect();
    runs.into_iter()
        .map(|(words, (a0, a1, b0, b1))| {
            let a_lines = (a[a0].1, a[a1 + SHINGLE - 1].1);
            let b_lines = (b[b0].1, b[b1 + SHINGLE - 1].1);
            let mut text = String::new();
            let read = |n: u32| read_lines.iter().any(|r| r.0 <= n && n <= r.1);
            for n in (a_lines.0..=a_lines.1).filter(|&n| read(n)) {
                let line = lines.get(n as usize - 1).copied().unwrap_or("");
                let clean = crate::document::lines::clean_inline(line);
                let clean = clean.trim();
                if !clean.is_empty() {
                    if !text.is_empty() {
                        text.push(' ');
                    }
                    text.push_str(clean);
                }
            }
            if let Some((cut, _)) = text.char_indices().nth(PASSAGE_CHARS) {
                text.truncate(cut);
                text.push('…');
            }
            Passage {
                a_lines,
                b_lines,
                words,
                text,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A postmortem of a 500 error from a typo in a PHP settings file, as one writer put it.
    const ORIGINAL: &str = "\
# Postmortem: the blog that answered 500
## Issue Summary
On 12 March 2024 from 10:00 to 11:30 UTC the Acme blog returned a 500 error to every
reader; all of its users were affected. The root cause was a typo in wp-settings.php,
where a file was required with the extension phpp instead of php.
## Timeline
- 10:00 UTC: the monitoring from Pingdom alerted Jane, the engineer on call.
- 10:10 UTC: she checked that apache2 and mysql were running, and they were.
- 10:25 UTC: she assumed the database credentials had changed and lost twenty minutes on them.
- 10:50 UTC: she ran strace on the apache worker and saw it fail to open class-wp-locale.phpp.
- 11:10 UTC: escalated to the web team, who fixed the extension and restarted apache.
## Root Cause and Resolution
The wp-settings.php file asked for class-wp-locale.phpp, which does not exist, so every
page failed before it rendered anything. Replacing phpp with php in the require line and
restarting the server brought the blog back at 11:30 UTC.
## Corrective and Preventative Measures
Lint every PHP file before it is deployed, keep a staging server that mirrors production,
and write a Puppet manifest that fixes the extension wherever it is found again.
";

    /// The same text, handed in by another student: another name, company and date.
    fn copied() -> String {
        ORIGINAL
            .replace("Acme", "Globex")
            .replace("Jane", "Tunde")
            .replace("12 March 2024", "3 June 2023")
            .replace("she ", "he ")
            .replace("Pingdom", "Datadog")
    }

    /// Another writer's postmortem of the same incident: same file, same fix, own words.
    const SAME_INCIDENT: &str = "\
## Summary
Our WordPress site was down for ninety minutes on Friday: visitors got Internal Server
Error pages. We traced it to wp-settings.php, which loaded a locale class under a
misspelt extension.
## Timeline
- 2:00 PM WAT: a customer emailed support that the homepage would not load.
- 2:05 PM WAT: I restarted Apache, thinking the process had hung; nothing changed.
- 2:30 PM WAT: attaching strace to an Apache child showed an ENOENT on a .phpp file.
- 3:20 PM WAT: the senior sysadmin approved the one-character patch and we shipped it.
## Root cause
Somebody edited the settings by hand and typed phpp. PHP could not include the class, so
the request died with a fatal error long before any template was drawn.
## Prevention
We now deploy only through Puppet, run php -l in continuous integration, and alert on
the rate of 5xx responses instead of waiting for customers to tell us.
";

    fn lines_of(text: &str) -> impl Iterator<Item = u32> {
        1..=text.lines().count() as u32
    }

    fn print(text: &str) -> Print {
        Print::new(text, lines_of(text))
    }

    fn run(texts: &[String]) -> Copies {
        let prints: Vec<Print> = texts.iter().map(|t| print(t)).collect();
        let names: Vec<String> = (0..texts.len()).map(|i| format!("{i}.md")).collect();
        let docs: Vec<Doc> = prints
            .iter()
            .zip(&names)
            .map(|(p, f)| Doc {
                file: f,
                version: 0,
                print: p,
            })
            .collect();
        detect(&docs, |i| texts[i].clone())
    }

    #[test]
    fn a_copy_with_names_and_dates_changed_is_found_with_its_passages() {
        let found = run(&[ORIGINAL.to_owned(), copied()]);
        assert_eq!(found.pairs.len(), 1, "{found:?}");
        let pair = &found.pairs[0];
        assert_eq!((pair.a, pair.b), (0, 1));
        assert!(pair.similarity >= 0.7, "{}", pair.similarity);
        assert!(!pair.passages.is_empty());
        assert!(pair.passages.iter().all(|p| p.words >= PASSAGE_WORDS));
        // The passages point at the lines they come from, in both texts, and show them.
        let longest = pair.passages.iter().max_by_key(|p| p.words).unwrap();
        assert!(
            longest.a_lines.0 >= 3 && longest.a_lines.1 <= 21,
            "{longest:?}"
        );
        assert_eq!(longest.a_lines, longest.b_lines);
        assert!(
            longest.text.contains("class-wp-locale.phpp"),
            "{}",
            longest.text
        );
        assert_eq!(found.of(1).count(), 1);
        assert_eq!(found.of(0).next().unwrap().partner(0), 1);
        assert_eq!(found.families(), vec![vec![0, 1]]);
    }

    #[test]
    fn headings_are_left_out_of_a_print() {
        let headings = "## Issue Summary\n## Timeline\n## Root Cause and Resolution\n";
        // The caller leaves heading lines out; the words of the lines given are all read.
        assert!(Print::new(headings, std::iter::empty()).sample.is_empty());
        assert_eq!(
            Print::new("a\nb\nc\nd\n", [1, 2, 2, 4]).lines,
            vec![(1, 2), (4, 4)]
        );
    }

    #[test]
    fn two_postmortems_of_the_same_incident_in_their_own_words_are_not_a_pair() {
        let found = run(&[ORIGINAL.to_owned(), SAME_INCIDENT.to_owned()]);
        assert!(found.pairs.is_empty(), "{found:?}");
        // Nor is a postmortem a copy of itself when a file holds it twice.
        let prints = [print(ORIGINAL), print(ORIGINAL)];
        let docs = [
            Doc {
                file: "a.md",
                version: 0,
                print: &prints[0],
            },
            Doc {
                file: "a.md",
                version: 0,
                print: &prints[1],
            },
        ];
        assert!(detect(&docs, |_| ORIGINAL.to_owned()).pairs.is_empty());
    }

    /// A text of `n` words of its own, drawn from a vocabulary by a generator seeded
    /// with `seed`.
    fn own_words(seed: u64, n: usize) -> String {
        const VOCABULARY: &str = "server disk memory queue cache proxy nginx database \
            replica backup restart deploy rollback alert page latency timeout certificate \
            kernel patch config cluster node pod volume quota limit thread socket port \
            firewall route balancer worker cron job script log metric graph dashboard \
            ticket customer engineer manager vendor region zone failover primary secondary \
            index schema migration lock deadlock query slow fast broken fixed missing";
        let words: Vec<&str> = VOCABULARY.split_whitespace().collect();
        let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..n)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let w = words[(state % words.len() as u64) as usize];
                if i % 12 == 11 {
                    format!("{w}.\n")
                } else {
                    format!("{w} ")
                }
            })
            .collect()
    }

    #[test]
    fn text_that_every_submission_shares_is_template_and_makes_no_pair() {
        let template = "Please write this postmortem as if your whole company were reading \
            it, in plain words, with the timeline in bullet points and every task a thing \
            someone can do tomorrow morning, because that is what the reviewers will check \
            first when they open your repository and read the file you wrote for them. \
            Remember that a postmortem is blameless: name the systems and the decisions, \
            never the person, and say what each team will change so that the same outage \
            cannot surprise anyone twice, with an owner and a date for every change.\n";
        let texts: Vec<String> = (0..30)
            .map(|i| format!("{template}{}", own_words(i, 40)))
            .collect();
        let found = run(&texts);
        assert!(found.common > 0, "the template's shingles are cut");
        assert!(found.pairs.is_empty(), "{:?}", found.pairs);
        // Without the cut they would be pairs: the template is most of each text.
        let prints: Vec<Print> = texts.iter().map(|t| print(t)).collect();
        let (a, b) = (&prints[0].sample, &prints[1].sample);
        let n = shared(a, b);
        assert!(n as f64 / (a.len() + b.len() - n) as f64 >= THRESHOLD);
        // A copy among them is still found.
        let mut texts = texts;
        texts.push(texts[7].replace("server", "host"));
        let found = run(&texts);
        assert_eq!(
            found.pairs.iter().map(|p| (p.a, p.b)).collect::<Vec<_>>(),
            vec![(7, 30)]
        );
    }

    /// The docs of `texts`, each file named by its place and versioned by its text.
    fn docs_of<'a>(texts: &[String], prints: &'a [Print], names: &'a [String]) -> Vec<Doc<'a>> {
        prints
            .iter()
            .zip(names)
            .zip(texts)
            .map(|((p, f), t)| Doc {
                file: f,
                version: hash(t),
                print: p,
            })
            .collect()
    }

    /// Brings `search` up to `texts` and checks it finds what a new search finds.
    fn updated_as_new(search: &mut Search, texts: &[String], names: &[String], step: &str) {
        let prints: Vec<Print> = texts.iter().map(|t| print(t)).collect();
        let docs = docs_of(texts, &prints, names);
        search.update(&docs, &|i: usize| texts[i].clone());
        assert_eq!(
            *search.found(),
            detect(&docs, |i| texts[i].clone()),
            "{step}"
        );
    }

    #[test]
    fn a_kept_search_brought_up_to_date_finds_what_a_new_one_finds() {
        let mut texts: Vec<String> = (0..60)
            .map(|i| match i % 5 {
                0 => ORIGINAL.to_owned(),
                1 => copied(),
                2 => SAME_INCIDENT.to_owned(),
                _ => own_words(i, 200),
            })
            .collect();
        let names: Vec<String> = (0..texts.len()).map(|i| format!("{i}.md")).collect();
        let prints: Vec<Print> = texts.iter().map(|t| print(t)).collect();
        let docs = docs_of(&texts, &prints, &names);
        let mut search = Search::new(&docs, &|i: usize| texts[i].clone(), THRESHOLD);
        assert_eq!(*search.found(), detect(&docs, |i| texts[i].clone()));
        // One edit at a time, as a preview sees them: a copy made, a copy rewritten in
        // the writer's own words, a text edited within, then a template everyone shares.
        let edits: Vec<(usize, String)> = vec![
            (3, texts[4].replace("server", "host")),
            (1, own_words(101, 220)),
            (0, ORIGINAL.replace("typo", "misspelling")),
            (7, String::new()),
            (9, texts[9].clone()),
        ];
        for (i, text) in edits {
            texts[i] = text;
            updated_as_new(&mut search, &texts, &names, &format!("edit of {i}"));
        }
        assert!(search.found().pairs.iter().any(|p| (p.a, p.b) == (3, 4)));
        // Many at once, and a change in how many there are: found anew, the same.
        let shared = own_words(7, 120);
        for t in texts.iter_mut().take(40) {
            t.push_str(&shared);
        }
        texts.push(copied());
        for n in [texts.len() - 1, texts.len()] {
            let names: Vec<String> = (0..n).map(|i| format!("{i}.md")).collect();
            let prints: Vec<Print> = texts[..n].iter().map(|t| print(t)).collect();
            let docs = docs_of(&texts[..n], &prints, &names);
            search.update(&docs, &|i: usize| texts[i].clone());
            assert_eq!(*search.found(), detect(&docs, |i| texts[i].clone()));
        }
    }

    #[test]
    fn an_edit_that_makes_a_shingle_template_text_is_searched_anew() {
        // 21 postmortems share a passage: one more and it is template text.
        let passage = own_words(5, 60);
        let mut texts: Vec<String> = (0..40)
            .map(|i| {
                let own = own_words(1000 + i, 120);
                if i < 20 {
                    format!("{passage}{own}")
                } else {
                    own
                }
            })
            .collect();
        let names: Vec<String> = (0..texts.len()).map(|i| format!("{i}.md")).collect();
        let prints: Vec<Print> = texts.iter().map(|t| print(t)).collect();
        let docs = docs_of(&texts, &prints, &names);
        let mut search = Search::new(&docs, &|i: usize| texts[i].clone(), THRESHOLD);
        assert_eq!(search.found().common, 0);
        for i in [20, 21] {
            texts[i] = format!("{passage}{}", texts[i]);
            updated_as_new(&mut search, &texts, &names, &format!("edit of {i}"));
        }
        assert!(search.found().common > 0);
    }

    #[test]
    fn the_search_is_deterministic() {
        let texts: Vec<String> = (0..40)
            .map(|i| match i % 4 {
                0 => ORIGINAL.to_owned(),
                1 => copied(),
                2 => SAME_INCIDENT.to_owned(),
                _ => own_words(i, 200),
            })
            .collect();
        let first = run(&texts);
        assert_eq!(first, run(&texts));
        assert!(!first.pairs.is_empty());
        assert_eq!(print(ORIGINAL), print(ORIGINAL));
    }
}
