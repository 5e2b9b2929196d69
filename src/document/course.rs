//! Course text: the assignment page that students paste around their postmortem
//! (requirements, scores, navigation). RUBRIC.md says text that is not part of any
//! postmortem is not part of the entry, and these lines would otherwise satisfy checks
//! ("how was the issue detected (monitoring alert...)") that the writer never met.
//!
//! Recognition compares each line with the course's own assignment text (`course.txt`,
//! the page as the course publishes it; [`CourseText::new`] reads another): a line that is mostly
//! a run of the assignment's words, in its order, is quoted from it. Numbers are
//! compared as numbers of any value, so a score line with another student's score is
//! still the course's. The mark then spreads to the short lines of the same pasted
//! block (its headings, links and bylines). The writer's own words stay: a paragraph
//! that quotes one sentence of the assignment, and the answers a writer gives under the
//! assignment's questions, which become headings of the section each question asks for.

use super::heading::{HeadingKind, classify_heading};
use super::lines::{Heading, HeadingStyle, Line, LineKind, read_lines};
use crate::words::Fx;
use std::collections::HashSet;
use std::sync::LazyLock;

/// The assignment as the course publishes it.
const BUILTIN: &str = include_str!("course.txt");

static DEFAULT: LazyLock<CourseText> = LazyLock::new(|| CourseText::new(BUILTIN));

/// The fewest words in a row that make a quotation: longer than any section name
/// ("Corrective and preventative measures"), so a writer's own heading is never one.
const MIN_RUN: usize = 5;
/// The share of a line's words that must come from the assignment for it to be quoted.
const MIN_COVERAGE: f64 = 0.7;

/// A course's assignment text, ready to compare lines with.
pub struct CourseText {
    /// Hashes of every three words in a row.
    trigrams: HashSet<u64, Fx>,
    /// Every line of the assignment, as its word hashes.
    lines: HashSet<Vec<u64>, Fx>,
    /// The requirement items ("when was the issue detected") and the part of a
    /// postmortem each one asks for, from the list it is under.
    questions: Vec<(Vec<String>, HeadingKind)>,
    /// The course's own names: words the assignment writes capitalised inside a
    /// sentence or in capitals (its organisation, project, people), lowercased.
    names: HashSet<String>,
}

impl CourseText {
    /// The built-in assignment.
    pub fn builtin() -> &'static CourseText {
        &DEFAULT
    }

    pub fn new(text: &str) -> CourseText {
        let mut all = Vec::new();
        let mut lines = HashSet::default();
        for line in text.lines() {
            let t = token_hashes(&super::lines::clean_inline(line));
            all.extend_from_slice(&t);
            if !t.is_empty() {
                lines.insert(t);
            }
        }
        let trigrams = all.windows(3).map(trigram).collect();
        CourseText {
            trigrams,
            lines,
            questions: questions(text),
            names: names(text),
        }
    }

    /// Whether a (lowercase) word is one of the course's own names.
    pub fn names(&self, word: &str) -> bool {
        self.names.contains(word)
    }

    /// How many of `t`'s words (numbers aside) are covered by the assignment's runs of
    /// three, and the longest covered run of words.
    fn coverage(&self, t: &[u64]) -> (usize, usize) {
        let mut covered = vec![false; t.len()];
        for (i, w) in t.windows(3).enumerate() {
            if self.trigrams.contains(&trigram(w)) {
                covered[i..i + 3].iter_mut().for_each(|c| *c = true);
            }
        }
        let mut longest = 0;
        let mut run = 0;
        let mut count = 0;
        for (&c, &h) in covered.iter().zip(t) {
            if h == NUMBER {
                // A number neither makes a run nor breaks one.
                if !c {
                    run = 0;
                }
                continue;
            }
            if c {
                run += 1;
                count += 1;
            } else {
                run = 0;
            }
            longest = longest.max(run);
        }
        (count, longest)
    }

    /// Whether a line is quoted from the assignment, and whether it is one of its
    /// questions. A section name the writer uses as a heading ("Tasks to address the
    /// issue") is theirs, though the assignment says it too, unless it is one of the
    /// assignment's own lines or a long run of it; a question followed on the same line
    /// by words of the writer's own ("When was it detected? At 10:05") is an answer.
    fn quoted(&self, text: &str) -> (bool, Option<HeadingKind>) {
        self.quoted_tokens(text, &token_hashes(text))
    }

    /// [`CourseText::quoted`] of a line whose word hashes `t` are already known.
    fn quoted_tokens(&self, text: &str, t: &[u64]) -> (bool, Option<HeadingKind>) {
        let words = t.iter().filter(|&&h| h != NUMBER).count();
        let (covered, run) = self.coverage(t);
        // Asked only of lines that share a run with the assignment.
        let own_tail = || {
            answer_after(text).is_some_and(|tail| {
                let tail = token_hashes(tail);
                tail.len() >= 2 && self.coverage(&tail).0 == 0
            })
        };
        // Whether it names a section is asked only of lines quoted long enough to matter.
        let quoted = (words >= 3 && self.lines.contains(t))
            || (run >= MIN_RUN
                && covered as f64 >= MIN_COVERAGE * words as f64
                && !own_tail()
                && (run >= 8 || !classify_heading(text).is_section()));
        // A question shares at least three words in a row with the assignment.
        let question = if run >= 3 && words <= 30 && !own_tail() {
            self.question(text)
        } else {
            None
        };
        (quoted, question)
    }

    /// Whether a line is exactly one of the assignment's lines ("Requirements:").
    fn is_line(&self, text: &str) -> bool {
        let t = token_hashes(text);
        !t.is_empty() && self.lines.contains(&t)
    }

    /// The part of a postmortem a line asks for, when it is one of the requirement
    /// items, however the writer reworded it a little.
    /// The assignment's questions come with sub-questions ("what was the impact (what
    /// service was down/slow? ...)"); a writer may ask any of them, one or several on a
    /// line ("What was the impact? What service was down?").
    fn question(&self, text: &str) -> Option<HeadingKind> {
        let mut kind = None;
        for part in text.split(['?', '(', ')']) {
            let words: HashSet<String> = crate::words::stems(part).into_iter().collect();
            if words.is_empty() {
                continue;
            }
            if words.len() < 3 && kind.is_some() {
                continue;
            }
            let found = self.questions.iter().find_map(|(q, k)| {
                let q: HashSet<&String> = q.iter().collect();
                let shared = q.iter().filter(|w| words.contains(**w)).count();
                let union = q.len() + words.len() - shared;
                (q.len() >= 3 && shared * 10 >= union * 7).then_some(*k)
            });
            match found {
                Some(k) => {
                    kind.get_or_insert(k);
                }
                None => return None,
            }
        }
        kind
    }

    /// Marks course lines in place.
    pub fn mark(&self, lines: &mut [Line]) {
        self.mark_tokens(lines, &tokens(lines));
    }

    /// [`CourseText::mark`] with each line's word hashes already known.
    fn mark_tokens(&self, lines: &mut [Line], tokens: &[Vec<u64>]) {
        let mut anchors: Vec<(usize, bool)> = Vec::new();
        for (i, line) in lines.iter_mut().enumerate() {
            if line.text.is_empty() || matches!(line.kind, LineKind::Code) {
                continue;
            }
            let (quoted, question) = self.quoted_tokens(&line.text, &tokens[i]);
            let question = question.is_some();
            if question || quoted {
                line.boilerplate = true;
                anchors.push((i, question));
            }
        }
        if anchors.is_empty() {
            return;
        }
        // Between two quoted lines a few lines apart: the pasted page's short lines (its
        // headings, bylines, links). Under a question, the lines are the writer's answer.
        for w in anchors.windows(2) {
            let ((a, a_question), (b, _)) = (w[0], w[1]);
            let gap = lines[a + 1..b].iter().filter(|l| !l.is_blank()).count();
            if gap > 6 {
                continue;
            }
            for l in lines[a + 1..b].iter_mut().filter(|l| !l.is_blank()) {
                let short = l.text.split_whitespace().count() <= 4;
                let section = l.heading().is_some_and(|h| h.kind.is_section());
                // A line of the page with its own names and dates in it ("Manual QA
                // review was done by ... on Nov 25") still shares a run of its words.
                let partly = !a_question && self.coverage(&token_hashes(&l.text)).1 >= 3;
                if self.is_line(&l.text)
                    || bare_link(&l.text)
                    || partly
                    || (short && !a_question && !section)
                {
                    l.boilerplate = true;
                }
            }
        }
        // The page's own headings right next to a quoted block ("Requirements:", "Tasks").
        for &(a, _) in &anchors {
            for dir in [-1i64, 1] {
                let mut i = a as i64 + dir;
                let mut steps = 0;
                while i >= 0 && (i as usize) < lines.len() && steps < 8 {
                    let l = &mut lines[i as usize];
                    if l.is_blank() {
                        i += dir;
                        continue;
                    }
                    if l.boilerplate || self.is_line(&l.text) || bare_link(&l.text) {
                        l.boilerplate = true;
                        steps += 1;
                        i += dir;
                    } else {
                        break;
                    }
                }
            }
        }
        self.answer_headings(lines);
    }

    /// Q&A style: a quoted requirement followed by the writer's answer becomes a heading
    /// for that answer, so the answers land in the right sections.
    fn answer_headings(&self, lines: &mut [Line]) {
        for i in 0..lines.len() {
            if !lines[i].boilerplate {
                continue;
            }
            // A question, or one of the assignment's section lines used as a heading.
            let section = classify_heading(&lines[i].text);
            let Some(kind) = self
                .quoted(&lines[i].text)
                .1
                .or(section.is_section().then_some(section))
            else {
                continue;
            };
            let next = lines[i + 1..].iter().find(|l| !l.is_blank());
            let answered = next.is_some_and(|n| {
                !n.boilerplate
                    && matches!(n.kind, LineKind::Text | LineKind::Bullet { .. })
                    && n.text.chars().any(char::is_alphanumeric)
            });
            if answered {
                lines[i].boilerplate = false;
                lines[i].kind = LineKind::Heading(Heading {
                    level: 8,
                    style: HeadingStyle::Label,
                    kind,
                });
            }
        }
    }
}

/// The postmortem `hindsight new` writes: headings over placeholder lines that stand
/// for text the writer has not written yet.
pub const NEW_POSTMORTEM: &str = include_str!("new-postmortem.md");

/// Its placeholder lines: the body below the front matter, without the headings.
static SCAFFOLD: LazyLock<CourseText> = LazyLock::new(|| {
    let body = NEW_POSTMORTEM
        .rsplit("+++")
        .next()
        .unwrap_or(NEW_POSTMORTEM);
    let placeholders: Vec<&str> = body.lines().filter(|l| !l.starts_with('#')).collect();
    CourseText::new(&placeholders.join("\n"))
});

/// Marks course text with the built-in assignment, then the lines still as `hindsight
/// new` wrote them (its placeholders, not its headings), so each check they stand in for
/// fails until they are replaced; returns the placeholders' line numbers. Each line's
/// words are hashed once for both.
pub fn mark(lines: &mut [Line]) -> Vec<u32> {
    let tokens = tokens(lines);
    CourseText::builtin().mark_tokens(lines, &tokens);
    let mut placeholders = Vec::new();
    for (l, t) in lines.iter_mut().zip(&tokens) {
        if l.boilerplate || l.heading().is_some() || !l.is_content() {
            continue;
        }
        if SCAFFOLD.quoted_tokens(&l.text, t).0 {
            l.boilerplate = true;
            placeholders.push(l.number);
        }
    }
    placeholders
}

/// Each line's word hashes (none for code and empty lines, which are never compared).
fn tokens(lines: &[Line]) -> Vec<Vec<u64>> {
    lines
        .iter()
        .map(|l| {
            if l.text.is_empty() || matches!(l.kind, LineKind::Code) {
                Vec::new()
            } else {
                token_hashes(&l.text)
            }
        })
        .collect()
}

/// What follows a question mark, or a colon that ends a label (not one inside "6:00").
fn answer_after(text: &str) -> Option<&str> {
    let b = text.as_bytes();
    let at = (0..b.len()).rev().find(|&i| {
        b[i] == b'?'
            || (b[i] == b':'
                && !(i > 0
                    && b[i - 1].is_ascii_digit()
                    && b.get(i + 1).is_some_and(u8::is_ascii_digit)))
    })?;
    Some(&text[at + 1..])
}

fn bare_link(text: &str) -> bool {
    let t = text.trim();
    t.split_whitespace().count() == 1 && (t.starts_with("http") || t.contains("://"))
}

/// The requirement items of an assignment: the lines listed under a line that names a
/// section and ends with a colon ("Timeline (...) must contain:"), each with the part it
/// asks for (its own words where they name one, else the section it is listed under).
fn questions(text: &str) -> Vec<(Vec<String>, HeadingKind)> {
    let lines = read_lines(text, 1);
    let mut out = Vec::new();
    let mut parent: Option<(u16, HeadingKind)> = None;
    for l in &lines {
        if l.is_blank() {
            continue;
        }
        let raw = &text_of(text, l);
        let indent = l.indent + if l.is_bullet() { 2 } else { 0 };
        if let Some((pi, kind)) = parent
            && indent > pi
        {
            let own = classify_heading(&l.text);
            let kind = match (kind, own) {
                (HeadingKind::Summary, k @ (HeadingKind::Duration | HeadingKind::Impact)) => k,
                (HeadingKind::Summary, HeadingKind::RootCause) => HeadingKind::RootCause,
                (HeadingKind::Timeline, _) => HeadingKind::TimelinePart,
                (
                    HeadingKind::RootCauseResolution,
                    k @ (HeadingKind::RootCause | HeadingKind::Resolution),
                ) => k,
                (HeadingKind::Measures, HeadingKind::Tasks) => HeadingKind::Tasks,
                (k, _) => k,
            };
            for part in l.text.split(['?', '(', ')']) {
                let stems = crate::words::stems(part);
                if stems.len() >= 3 {
                    out.push((stems, kind));
                }
            }
            continue;
        }
        parent = None;
        if raw.trim_end().ends_with(':') {
            let kind = classify_heading(&l.text);
            if kind.is_section() {
                parent = Some((indent, kind));
            }
        }
    }
    out
}

/// Words written capitalised after the first word of a line, or in capitals: names.
fn names(text: &str) -> HashSet<String> {
    let mut out = HashSet::new();
    for line in text.lines() {
        let words: Vec<&str> = line
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        for (i, w) in words.iter().enumerate() {
            let caps = w.chars().filter(|c| c.is_uppercase()).count();
            let letters = w.chars().filter(|c| c.is_alphabetic()).count();
            let acronym = letters >= 2 && caps == letters;
            let named = i > 0 && w.chars().next().is_some_and(char::is_uppercase) && letters >= 3;
            if acronym || named {
                out.insert(w.to_lowercase());
            }
        }
    }
    out
}

fn text_of(text: &str, l: &Line) -> String {
    text.get(l.start..l.end).unwrap_or("").to_owned()
}

/// One hash per word: lowercased, and any word with a digit in it is the same "number".
fn token_hashes(text: &str) -> Vec<u64> {
    let mut out = Vec::new();
    let mut h: u64 = FNV_OFFSET;
    let mut len = 0;
    let mut digit = false;
    // A meridiem is part of a time, so "4:55 PM" in the assignment and "4:00 PM" in an
    // answer are the same kind of token.
    let meridiem = [word_hash("am"), word_hash("pm")];
    let mut flush = |h: &mut u64, len: &mut usize, digit: &mut bool| {
        if *len > 0 {
            out.push(if *digit || meridiem.contains(h) {
                NUMBER
            } else {
                *h
            });
        }
        *h = FNV_OFFSET;
        *len = 0;
        *digit = false;
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            digit |= c.is_ascii_digit();
            h = (h ^ u64::from(c.to_ascii_lowercase() as u8)).wrapping_mul(FNV_PRIME);
            len += 1;
        } else if c.is_alphanumeric() {
            digit |= c.is_numeric();
            for l in c.to_lowercase() {
                let mut buf = [0u8; 4];
                for b in l.encode_utf8(&mut buf).bytes() {
                    h = (h ^ u64::from(b)).wrapping_mul(FNV_PRIME);
                }
            }
            len += 1;
        } else if c == '\'' || c == '’' {
            // "won't" and "won’t" are one word, whichever apostrophe
        } else {
            flush(&mut h, &mut len, &mut digit);
        }
    }
    flush(&mut h, &mut len, &mut digit);
    out
}

/// The hash every number gets.
const NUMBER: u64 = 0x9e37_79b9_7f4a_7c15;
/// The hash [`token_hashes`] gives a lowercase ASCII word.
fn word_hash(w: &str) -> u64 {
    w.bytes().fold(FNV_OFFSET, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(FNV_PRIME)
    })
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

fn trigram(w: &[u64]) -> u64 {
    w[0].rotate_left(42) ^ w[1].rotate_left(21) ^ w[2]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(text: &str) -> Vec<u32> {
        let mut lines = read_lines(text, 1);
        mark(&mut lines);
        lines
            .iter()
            .filter(|l| l.boilerplate)
            .map(|l| l.number)
            .collect()
    }

    #[test]
    fn requirement_block_is_marked_and_postmortem_is_not() {
        let text = "Requirements:\n\nIssue Summary (that is often what executives will read) must contain:\n    duration of the outage with start and end times (including timezone)\n    what was the root cause\nTimeline (format bullet point, format: time - keep it short, 1 or 2 sentences) must contain:\n    when was the issue detected\n\nIssue Summary\nThe API was down from 10:00 to 11:00 UTC.\n";
        assert_eq!(marked(text), [1, 3, 4, 5, 6, 7]);
    }

    #[test]
    fn score_lines_with_any_score_are_course_text() {
        let text = "Manual QA review: 9.0/13 mandatory & 0.0/1 optional\nAltogether:  69.23%\nScore: 65.0% (Checks completed: 65.0%)\n";
        assert_eq!(marked(text), [1, 2, 3]);
    }

    #[test]
    fn ordinary_text_is_untouched() {
        assert!(marked("## Requirements\nThe service must scale.\n").is_empty());
        // Section names are the writer's, though the assignment uses them too.
        assert!(marked("## Root cause and resolution\nA bad config.\n## Corrective and preventative measures\n- add tests\n").is_empty());
    }

    #[test]
    fn a_paragraph_quoting_one_sentence_is_the_writers() {
        let text = "As the course says, any software system will eventually fail, and ours did on a Tuesday when the billing queue filled its disk and every invoice job stalled for two hours.\n";
        assert!(marked(text).is_empty());
    }

    #[test]
    fn answers_under_questions_become_sections() {
        let text = "What was the root cause?\nA full disk.\n\nWhich team/individuals were the incidents escalated to\nThe storage team.\n\nExplain in detail how the issue was fixed\nWe freed space and added an alert.\n";
        let mut lines = read_lines(text, 1);
        mark(&mut lines);
        let kinds: Vec<_> = lines
            .iter()
            .filter_map(|l| l.heading().map(|h| h.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                HeadingKind::RootCause,
                HeadingKind::TimelinePart,
                HeadingKind::Resolution
            ]
        );
        assert!(lines.iter().all(|l| !l.boilerplate));
    }

    #[test]
    fn a_course_of_its_own() {
        let course = CourseText::new(
            "Impact section must contain:\n  describe the blast radius of the failure\n  name the on-call rotation that owned it\n",
        );
        let mut lines = read_lines(
            "Describe the blast radius of the failure\nTwo regions.\n",
            1,
        );
        course.mark(&mut lines);
        assert!(lines[0].heading().is_some());
    }
}
