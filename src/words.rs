//! Words as a reader compares them: lowercased, stemmed (Snowball English, so
//! "escalated", "escalating" and "escalation" are one word), and matched with room for
//! the typos real writers make ("postmoterm", "Timline"). Vocabularies of roles are
//! written as plain words and phrases; every form of them matches.

use rust_stemmers::{Algorithm, Stemmer};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::LazyLock;

static STEMMER: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

thread_local! {
    /// Stems already computed on this thread: the words of postmortems repeat a lot.
    static STEMS: std::cell::RefCell<HashMap<String, String, Fx>> = Default::default();
}

/// The stem of one lowercase word.
pub fn stem(word: &str) -> String {
    STEMS.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(s) = cache.get(word) {
            return s.clone();
        }
        let s = STEMMER.stem(word).into_owned();
        if cache.len() > 100_000 {
            cache.clear();
        }
        cache.insert(word.to_owned(), s.clone());
        s
    })
}

/// The hasher of the reading's tables (foldhash, the hash `hashbrown` uses): their keys
/// are words and lines, and SipHash was a tenth of reading time.
pub type Fx = foldhash::fast::FixedState;

/// The words of a text as written: runs of letters and digits (an apostrophe inside a
/// word keeps it whole: "didn't").
pub fn spans(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len() / 6);
    let mut start: Option<usize> = None;
    let mut i = 0;
    // Over bytes, decoding a character only where one begins outside ASCII.
    while i < bytes.len() {
        let (c, len) = if bytes[i] < 0x80 {
            (char::from(bytes[i]), 1)
        } else {
            let c = text[i..]
                .chars()
                .next()
                .unwrap_or(char::REPLACEMENT_CHARACTER);
            (c, c.len_utf8())
        };
        let inner_apostrophe = (c == '\'' || c == '’')
            && start.is_some()
            && text[i + len..]
                .chars()
                .next()
                .is_some_and(char::is_alphabetic);
        if c.is_alphanumeric() || inner_apostrophe {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            out.push(&text[s..i]);
        }
        i += len;
    }
    if let Some(s) = start {
        out.push(&text[s..]);
    }
    out
}

/// The words of a text, lowercased (with one apostrophe: "won’t" is "won't").
pub fn words(text: &str) -> Vec<String> {
    spans(text).into_iter().map(lower).collect()
}

/// A word lowercased, its apostrophe made plain.
pub fn lower(word: &str) -> String {
    let mut out = if word.bytes().any(|b| b.is_ascii_uppercase() || b >= 0x80) {
        word.to_lowercase()
    } else {
        word.to_owned()
    };
    if out.contains('’') {
        out = out.replace('’', "'");
    }
    out
}

/// The stems of a text's words, in order.
pub fn stems(text: &str) -> Vec<String> {
    words(text).iter().map(|w| stem(w)).collect()
}

/// Whether `b` may be in an emoji shortcode's name (`:small_orange_diamond:`,
/// `:+1:`): a lowercase letter, a digit, `_`, `+` or `-`.
pub fn shortcode_name_byte(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'+' | b'-')
}

/// Whether `s` opens with an emoji shortcode (`:fire:`): a colon, a name of
/// [`shortcode_name_byte`]s, and a colon.
pub fn opens_shortcode(s: &str) -> bool {
    let b = s.as_bytes();
    let name = b[b.len().min(1)..]
        .iter()
        .take_while(|&&c| shortcode_name_byte(c))
        .count();
    b.first() == Some(&b':') && name > 0 && b.get(1 + name) == Some(&b':')
}

/// Edit distance with adjacent transpositions (optimal string alignment), so a swapped
/// pair of letters ("postmoterm") costs one edit.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

/// Whether `word` is `target` or a plausible misspelling of it: same first letter, one
/// edit for words of five letters or more, two for words of ten or more. Short words
/// must match.
pub fn near(word: &str, target: &str) -> bool {
    if word == target {
        return true;
    }
    let n = target.chars().count();
    // A longer or shorter form of the word is another word ("resolutional"), not a typo.
    if n < 5
        || word.chars().next() != target.chars().next()
        || word.starts_with(target)
        || target.starts_with(word)
    {
        return false;
    }
    let allowed = if n >= 10 { 2 } else { 1 };
    word.chars().count().abs_diff(n) <= allowed && edit_distance(word, target) <= allowed
}

/// A text's words and their stems, side by side.
#[derive(Clone, Debug, Default)]
pub struct Tokens {
    pub words: Vec<String>,
    pub stems: Vec<String>,
}

/// A thread's table of what a pure function gave for each text: a file's reading asks
/// the same of its lines many times (each role and check reads them). Kept in a
/// `thread_local!`, cleared for each file, and when full.
pub struct TextMemo<T>(std::cell::RefCell<HashMap<Box<str>, Rc<T>, Fx>>);

impl<T> Default for TextMemo<T> {
    fn default() -> Self {
        TextMemo(Default::default())
    }
}

impl<T> TextMemo<T> {
    /// The result for `text`, made by `make` the first time it is asked for.
    pub fn get_or(&self, text: &str, make: impl FnOnce() -> T) -> Rc<T> {
        if let Some(hit) = self.0.borrow().get(text) {
            return hit.clone();
        }
        // Made with the table free, so `make` may use other tables (or this one).
        let made = Rc::new(make());
        let mut table = self.0.borrow_mut();
        if table.len() >= 4096 {
            table.clear();
        }
        table.insert(text.into(), made.clone());
        made
    }

    pub fn clear(&self) {
        self.0.borrow_mut().clear();
    }
}

thread_local! {
    /// Texts already split into tokens on this thread.
    static TOKENS: TextMemo<Tokens> = TextMemo::default();
}

/// Forgets the texts split so far on this thread (a new file begins).
pub fn forget() {
    TOKENS.with(TextMemo::clear);
}

impl Tokens {
    /// The words and stems of `text`, remembered per text.
    pub fn of(text: &str) -> Rc<Tokens> {
        TOKENS.with(|m| m.get_or(text, || Tokens::new(text)))
    }

    /// The words and stems of `text`.
    pub fn new(text: &str) -> Tokens {
        let words = words(text);
        let stems = words.iter().map(|w| stem(w)).collect();
        Tokens { words, stems }
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

/// A vocabulary of a role: words and phrases, compared by stem. A phrase matches where
/// its stems appear in a row; with `fuzzy`, long single words also match misspelt.
/// Entries are indexed by their first stem, so a lookup costs one hash per word.
pub struct Lexicon {
    entries: Vec<Tokens>,
    by_first: HashMap<String, Vec<usize>, Fx>,
    /// Single-word entries long enough to be matched misspelt, with their first letter
    /// and length in letters.
    long_words: Vec<(usize, char, usize)>,
    fuzzy: bool,
}

impl Lexicon {
    /// A lexicon from a comma-separated list: `"root cause, fix, lessons learned"`.
    pub fn list(phrases: &str) -> Lexicon {
        let phrases: Vec<&str> = phrases
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        Lexicon::new(&phrases)
    }

    pub fn new(phrases: &[&str]) -> Lexicon {
        let entries: Vec<Tokens> = phrases
            .iter()
            .map(|p| Tokens::new(p))
            .filter(|t| !t.is_empty())
            .collect();
        let mut by_first: HashMap<String, Vec<usize>, Fx> = HashMap::default();
        for (i, e) in entries.iter().enumerate() {
            by_first.entry(e.stems[0].clone()).or_default().push(i);
        }
        let long_words = (0..entries.len())
            .filter(|&i| entries[i].len() == 1 && entries[i].words[0].chars().count() >= 8)
            .filter_map(|i| {
                let w = &entries[i].words[0];
                Some((i, w.chars().next()?, w.chars().count()))
            })
            .collect();
        Lexicon {
            entries,
            by_first,
            long_words,
            fuzzy: false,
        }
    }

    /// Misspellings of long words match too (for headings, where one word decides):
    /// words of eight letters or more, compared as written.
    pub fn fuzzy(mut self) -> Lexicon {
        self.fuzzy = true;
        self
    }

    /// How many words an entry spans when one starts at word `i` of `t`.
    pub fn match_at(&self, t: &Tokens, i: usize) -> Option<usize> {
        let stem = t.stems.get(i)?;
        if let Some(candidates) = self.by_first.get(stem) {
            for &c in candidates {
                let e = &self.entries[c];
                let n = e.len();
                if i + n <= t.len() && e.stems[1..] == t.stems[i + 1..i + n] {
                    return Some(n);
                }
            }
        }
        if self.fuzzy {
            let w = &t.words[i];
            // A misspelling keeps the first letter and is within two letters of the
            // length of a word of eight or more: most words are ruled out before `near`.
            let (first, n) = (w.chars().next(), w.chars().count());
            if n >= 6
                && self.long_words.iter().any(|&(c, f, len)| {
                    Some(f) == first && n.abs_diff(len) <= 2 && near(w, &self.entries[c].words[0])
                })
            {
                return Some(1);
            }
        }
        None
    }

    /// Where the first entry found starts in `t`, and how many words it spans.
    pub fn find(&self, t: &Tokens) -> Option<(usize, usize)> {
        (0..t.len()).find_map(|i| self.match_at(t, i).map(|n| (i, n)))
    }

    /// Every word of `t` at which an entry starts.
    pub fn positions(&self, t: &Tokens) -> Vec<usize> {
        (0..t.len())
            .filter(|&i| self.match_at(t, i).is_some())
            .collect()
    }

    pub fn matches(&self, t: &Tokens) -> bool {
        self.find(t).is_some()
    }

    /// Whether `text` holds one of the entries.
    pub fn in_text(&self, text: &str) -> bool {
        self.matches(&Tokens::of(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_join_word_forms() {
        assert_eq!(stem("escalated"), stem("escalation"));
        assert_eq!(stem("notified"), stem("notify"));
        assert_eq!(
            words("We didn't restart nginx-1, ok?"),
            ["we", "didn't", "restart", "nginx", "1", "ok"]
        );
    }

    #[test]
    fn typos_are_near() {
        assert!(near("postmoterm", "postmortem"));
        assert!(near("postmortum", "postmortem"));
        assert!(near("timline", "timeline"));
        assert!(!near("cause", "pause"));
        assert!(!near("summit", "summary"));
        assert_eq!(edit_distance("ab", "ba"), 1);
    }

    #[test]
    fn lexicon_phrases_match_any_form() {
        let l = Lexicon::new(&["root cause", "lessons learned"]);
        assert!(l.in_text("Root causes of the outage"));
        assert!(l.in_text("Lesson learnt? no: lessons learning"));
        assert!(!l.in_text("the cause was at the root"));
        let f = Lexicon::new(&["timeline"]).fuzzy();
        assert!(f.in_text("Timline"));
    }
}
