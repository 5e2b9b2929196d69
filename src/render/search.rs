//! The search index: one compact record per published postmortem, written as
//! `search/index.js` and its parts (`search/records-1.js`, ...) for the search page's
//! script (`static/search.js`), which scans the records in the browser. No server, no
//! WebAssembly, nothing to install.
//!
//! The files are scripts (`self.hindsightIndex = {...};`) rather than `.json`, so the
//! search page works from disk too: a browser fetches nothing from a `file://` page,
//! but it runs a `<script src>` beside it. What they hold is plain JSON: every `<`, `>`
//! and `&` is written as a `\u` escape (so no `</script>` or markup is ever in a file
//! whatever a student wrote), and so are U+2028 and U+2029.
//!
//! `index.js` holds the tables and names the parts; each part holds [`PART`] records in
//! the listings' order (`self.hindsightPart(k, [...]);`), so an edit to one postmortem
//! rewrites its part and the small head, not the whole index (5 MB at 10,000). A part's
//! name in the head carries its fingerprint (`records-3.js?v=...`), so a browser never
//! pairs a new head with a part it cached before.
//!
//! A record is an array, its fields named once in `fields`; tags and collections are
//! numbers into the `tags` and `collections` tables, so a record of a 10,000-postmortem
//! gallery is about 500 bytes of text the browser would show anyway.

use crate::render::Card;
use crate::words::Fx;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

/// Where the index is written, from the site root.
pub const INDEX_FILE: &str = "search/index.js";

/// The search page's path, from the site root.
pub const PAGE: &str = "search/";

/// The format of the index: bump with any change to `FIELDS` or to the files (the
/// script reads `v`).
pub const VERSION: u32 = 2;

/// Records in a part file of the index.
pub const PART: usize = 1000;

/// What each record holds, in order.
pub const FIELDS: [&str; 13] = [
    "slug",
    "title",
    "summary",
    "root_cause",
    "tags",
    "collection",
    "passed",
    "duration_minutes",
    "users_affected_percent",
    "date",
    "severity",
    "author",
    "time_to_detect_minutes",
];

/// The longest summary and root cause kept, in characters (the card's blurb is at most
/// 240, the extracted root cause at most 280; a front-matter summary may be longer).
const SUMMARY_CHARS: usize = 240;
const CAUSE_CHARS: usize = 280;

/// One postmortem as the index holds it.
pub struct Source<'a> {
    pub card: &'a Card,
    pub root_cause: Option<&'a str>,
    /// A fingerprint of the card and the root cause: what a part's fingerprint is
    /// made of ([`Index::part_fingerprint`]).
    pub fingerprint: u64,
}

type Row<'a> = (
    &'a str,
    Cow<'a, str>,
    Option<Cow<'a, str>>,
    Option<Cow<'a, str>>,
    Vec<u32>,
    Option<u32>,
    usize,
    Option<i64>,
    Option<f64>,
    Option<&'a str>,
    crate::model::Severity,
    Option<Cow<'a, str>>,
    Option<i64>,
);

#[derive(Serialize)]
struct Head<'a> {
    v: u32,
    /// Mandatory checks: a record whose `passed` is this passes them all.
    checks: usize,
    fields: &'static [&'static str],
    /// (name, slug), by slug.
    tags: Vec<(&'a str, &'a str)>,
    collections: Vec<(&'a str, &'a str)>,
    /// The part files, from the index's folder, in order.
    parts: Vec<String>,
}

/// Text as a record keeps it: one line, no control characters, at most `max`
/// characters (cut at a word, with an ellipsis). Borrowed when it already is.
pub fn excerpt(text: &str, max: usize) -> Cow<'_, str> {
    let clean = !text.starts_with(' ')
        && !text.ends_with(' ')
        && !text.contains("  ")
        && !text
            .chars()
            .any(|c| c != ' ' && (c.is_whitespace() || c.is_control()));
    if clean && text.chars().nth(max).is_none() {
        return Cow::Borrowed(text);
    }
    let mut one = String::with_capacity(text.len());
    for word in text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
    {
        if !one.is_empty() {
            one.push(' ');
        }
        one.push_str(word);
    }
    Cow::Owned(crate::extract::outage::truncate(&one, max))
}

/// Writes JSON as [`script_safe`] makes it, as it is written (serde_json hands over
/// whole characters: it cuts its output only at the ASCII characters it escapes).
pub(crate) struct SafeWriter(pub(crate) Vec<u8>);

impl std::io::Write for SafeWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut i = 0;
        let mut from = 0;
        while i < buf.len() {
            let escape: Option<&[u8]> = match buf[i] {
                b'<' => Some(b"\\u003c"),
                b'>' => Some(b"\\u003e"),
                b'&' => Some(b"\\u0026"),
                0xE2 if buf.get(i + 1) == Some(&0x80) && buf.get(i + 2) == Some(&0xA8) => {
                    Some(b"\\u2028")
                }
                0xE2 if buf.get(i + 1) == Some(&0x80) && buf.get(i + 2) == Some(&0xA9) => {
                    Some(b"\\u2029")
                }
                _ => None,
            };
            match escape {
                Some(e) => {
                    self.0.extend_from_slice(&buf[from..i]);
                    self.0.extend_from_slice(e);
                    i += if buf[i] == 0xE2 { 3 } else { 1 };
                    from = i;
                }
                None => i += 1,
            }
        }
        self.0.extend_from_slice(&buf[from..]);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// JSON made safe to be a script, or to sit inside one: the characters that could
/// close a `<script>`, open a comment or end a line in older engines are escaped.
/// (Outside strings JSON has none of them, so replacing them everywhere is exact.)
pub fn script_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + json.len() / 64);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// The index of `sources` (in the listings' order): the tables, and how each file of
/// it is made and fingerprinted.
pub struct Index<'a> {
    sources: &'a [Source<'a>],
    /// Each tag's and collection's name, by slug.
    tags: BTreeMap<&'a str, &'a str>,
    collections: BTreeMap<&'a str, &'a str>,
    tag_no: HashMap<&'a str, u32, Fx>,
    collection_no: HashMap<&'a str, u32, Fx>,
    /// A fingerprint of the tables, which every record's numbers point into.
    tables: u64,
}

impl<'a> Index<'a> {
    pub fn new(sources: &'a [Source<'a>]) -> Index<'a> {
        // Each tag and collection by slug, named as the first card with it names it.
        let mut tags: HashMap<&str, &str, Fx> = HashMap::default();
        let mut collections: HashMap<&str, &str, Fx> = HashMap::default();
        for s in sources {
            for t in &s.card.tags {
                tags.entry(&t.slug).or_insert(&t.name);
            }
            if let Some(c) = &s.card.collection {
                collections.entry(&c.slug).or_insert(&c.name);
            }
        }
        Index::with_tables(
            sources,
            tags.into_iter().collect(),
            collections.into_iter().collect(),
        )
    }

    /// [`Index::new`] with its tables given: each tag's and collection's name by slug,
    /// every one of `sources`' there.
    pub fn with_tables(
        sources: &'a [Source<'a>],
        tags: BTreeMap<&'a str, &'a str>,
        collections: BTreeMap<&'a str, &'a str>,
    ) -> Index<'a> {
        Index {
            sources,
            tag_no: numbers(&tags),
            collection_no: numbers(&collections),
            tables: Fx::default().hash_one((VERSION, &tags, &collections)),
            tags,
            collections,
        }
    }

    /// How many part files the index has (none for an empty gallery).
    pub fn parts(&self) -> usize {
        self.sources.len().div_ceil(PART)
    }

    /// Where part `k` (from 1) is written, from the site root.
    pub fn part_file(k: usize) -> String {
        format!("{}{}", PAGE, part_name(k))
    }

    fn part_sources(&self, k: usize) -> &'a [Source<'a>] {
        let from = (k - 1) * PART;
        &self.sources[from..(from + PART).min(self.sources.len())]
    }

    /// What part `k` is made of: its records' sources and the tables.
    pub fn part_fingerprint(&self, k: usize) -> u64 {
        let fps: Vec<u64> = self.part_sources(k).iter().map(|s| s.fingerprint).collect();
        Fx::default().hash_one((self.tables, k, fps))
    }

    /// Part `k`'s text: `self.hindsightPart(k, [records]);`.
    pub fn part(&self, k: usize) -> String {
        let rows: Vec<Row> = self
            .part_sources(k)
            .iter()
            .map(|s| row(s, &self.tag_no, &self.collection_no))
            .collect();
        script_ending(
            &format!("self.hindsightPart({k}, "),
            &rows,
            ");\n",
            rows.len() * 600,
        )
    }

    /// What the head is made of: the tables and every part.
    pub fn fingerprint(&self) -> u64 {
        let parts: Vec<u64> = (1..=self.parts())
            .map(|k| self.part_fingerprint(k))
            .collect();
        Fx::default().hash_one((self.tables, parts))
    }

    /// The head's text: `self.hindsightIndex = {...};`, naming the parts.
    pub fn head(&self) -> String {
        let head = Head {
            v: VERSION,
            checks: crate::model::CheckId::MANDATORY,
            fields: &FIELDS,
            tags: self
                .tags
                .iter()
                .map(|(slug, name)| (*name, *slug))
                .collect(),
            collections: self
                .collections
                .iter()
                .map(|(slug, name)| (*name, *slug))
                .collect(),
            parts: (1..=self.parts())
                .map(|k| format!("{}?v={:016x}", part_name(k), self.part_fingerprint(k)))
                .collect(),
        };
        script(PREFIX, &head, 1024)
    }
}

/// Part `k`'s file name.
fn part_name(k: usize) -> String {
    format!("records-{k}.js")
}

/// Every file of the index of `sources`: (path from the site root, text), the head first.
pub fn render(sources: &[Source]) -> Vec<(String, String)> {
    let index = Index::new(sources);
    let mut files = vec![(INDEX_FILE.to_owned(), index.head())];
    files.extend((1..=index.parts()).map(|k| (Index::part_file(k), index.part(k))));
    files
}

/// The index a built site holds under `public`, its parts' records joined into
/// `records` (for tests and tools), and the text of all its files.
pub fn read(public: &std::path::Path) -> Option<(serde_json::Value, String)> {
    read_with(|rel| std::fs::read_to_string(public.join(rel)).ok())
}

/// [`read`], each file's text (by its path from the site root) from `file`.
pub fn read_with(file: impl Fn(&str) -> Option<String>) -> Option<(serde_json::Value, String)> {
    let head = file(INDEX_FILE)?;
    let mut index: serde_json::Value = serde_json::from_str(json_of(&head)?).ok()?;
    let mut text = head.clone();
    let mut records = Vec::new();
    let names: Vec<String> = index["parts"]
        .as_array()?
        .iter()
        .map(|p| {
            p.as_str()
                .map(|p| p.split('?').next().unwrap_or(p).to_owned())
        })
        .collect::<Option<_>>()?;
    for (i, name) in names.iter().enumerate() {
        let part = file(&format!("{PAGE}{name}"))?;
        let json = part
            .strip_prefix(&format!("self.hindsightPart({}, ", i + 1))?
            .trim_end()
            .strip_suffix(");")?;
        let rows: Vec<serde_json::Value> = serde_json::from_str(json).ok()?;
        records.extend(rows);
        text.push_str(&part);
    }
    index["records"] = serde_json::Value::Array(records);
    Some((index, text))
}

/// Each key of `m` by its place.
fn numbers<'a>(m: &BTreeMap<&'a str, &str>) -> HashMap<&'a str, u32, Fx> {
    m.keys().enumerate().map(|(i, k)| (*k, i as u32)).collect()
}

/// A postmortem's record, its tags and collection numbers into the index's tables.
fn row<'a>(
    s: &Source<'a>,
    tag_no: &HashMap<&str, u32, Fx>,
    collection_no: &HashMap<&str, u32, Fx>,
) -> Row<'a> {
    let c = s.card;
    (
        c.slug.as_str(),
        excerpt(&c.title, 300),
        c.summary.as_deref().map(|t| excerpt(t, SUMMARY_CHARS)),
        // As the page shows it (the card's title and summary already are).
        s.root_cause.map(|t| match super::emoji::shortcodes(t) {
            Cow::Borrowed(t) => excerpt(t, CAUSE_CHARS),
            Cow::Owned(t) => Cow::Owned(excerpt(&t, CAUSE_CHARS).into_owned()),
        }),
        c.tags.iter().map(|t| tag_no[t.slug.as_str()]).collect(),
        c.collection
            .as_ref()
            .map(|t| collection_no[t.slug.as_str()]),
        c.score.passed,
        c.duration_minutes,
        c.users_affected_percent,
        c.date.as_deref(),
        c.severity,
        c.author.as_deref().map(|a| excerpt(a, 120)),
        c.time_to_detect_minutes,
    )
}

/// `value` as a script that sets `prefix` (`self.name = `) to it, its JSON made
/// [`script_safe`] as it is written; `capacity` is a guess at its length.
pub(crate) fn script<T: Serialize>(prefix: &str, value: &T, capacity: usize) -> String {
    script_ending(prefix, value, ";\n", capacity)
}

/// [`script`] ending with `end` (`");\n"` for a call).
fn script_ending<T: Serialize>(prefix: &str, value: &T, end: &str, capacity: usize) -> String {
    let mut out = SafeWriter(Vec::with_capacity(capacity));
    out.0.extend_from_slice(prefix.as_bytes());
    // Plain data into memory: serializing it cannot fail.
    let _ = serde_json::to_writer(&mut out, value);
    out.0.extend_from_slice(end.as_bytes());
    // Only whole characters and ASCII escapes were written.
    String::from_utf8(out.0).unwrap_or_default()
}

const PREFIX: &str = "self.hindsightIndex = ";

/// The JSON inside an index file's text (for tests and tools).
pub fn json_of(script: &str) -> Option<&str> {
    script.strip_prefix(PREFIX)?.trim_end().strip_suffix(';')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::Analyzer;
    use crate::config::Config;

    #[test]
    fn excerpts_are_one_line_and_cut_at_a_word() {
        assert_eq!(excerpt("  a\tb\r\n\nc\u{0}d  ", 100), "a b c d");
        assert_eq!(
            excerpt("the disk filled up with logs", 14),
            "the disk…",
            "cut at the last whole word"
        );
        assert_eq!(excerpt("", 10), "");
        assert!(matches!(excerpt("as it is", 10), Cow::Borrowed(_)));
    }

    #[test]
    fn markup_and_line_separators_are_escaped() {
        let s = script_safe(r#"{"t":"</script><b>&amp; a\u2028b"}"#);
        assert_eq!(
            s,
            r#"{"t":"\u003c/script\u003e\u003cb\u003e\u0026amp; a\u2028b"}"#
        );
        let raw = script_safe("\"x\u{2028}y\u{2029}\"");
        assert_eq!(raw, "\"x\\u2028y\\u2029\"");
        // The writer the index is written through does the same, chunk by chunk.
        let mut w = SafeWriter(Vec::new());
        let text = "{\"t\":\"</script><b>&amp; a\u{2028}b\u{2029}é\"}";
        serde_json::to_writer(
            &mut w,
            &serde_json::from_str::<serde_json::Value>(text).unwrap(),
        )
        .unwrap();
        let written = String::from_utf8(w.0).unwrap();
        assert_eq!(
            written,
            script_safe(
                &serde_json::from_str::<serde_json::Value>(text)
                    .unwrap()
                    .to_string()
            )
        );
        assert!(
            !written.contains('<') && !written.contains('\u{2028}'),
            "{written}"
        );
        // Still the same JSON.
        let v: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(v["t"], "</script><b>&amp; a\u{2028}b");
    }

    fn card(text: &str, path: &str) -> (Card, Option<String>) {
        let config = Config::default();
        let f =
            Analyzer::new(&config).analyze_bytes(path, Some("cohort-a".into()), text.as_bytes());
        let pm = &f.entries[0].postmortem;
        (Card::new(pm, path), pm.root_cause.clone())
    }

    #[test]
    fn a_record_holds_the_cards_fields_and_the_root_cause() {
        let text = "+++\ntitle = \"<img src=x onerror=alert(1)> Disk full\"\ntags = [\"storage\", \"Logs & Rotation\"]\nauthor = \"Ada\"\nsummary = \"</script><script>alert(1)</script> & the disk\\u2028filled\"\n+++\n\n## Issue Summary\n\nFrom 10:00 to 11:30 UTC the API was down for 40% of users because the disk filled up with logs.\n\n## Timeline\n\n- 10:00 alert fired\n- 11:30 resolved by deleting logs\n\n## Root Cause\n\nThe disk filled up because logrotate was never configured on db-01.\n";
        let (c, cause) = card(text, "cohort-a/disk.md");
        let (v, out) = parsed(&[Source {
            card: &c,
            root_cause: cause.as_deref(),
            fingerprint: 0,
        }]);
        assert!(!out.contains('<') && !out.contains('>'), "{out}");
        assert_eq!(v["v"], VERSION);
        assert_eq!(v["checks"], 13);
        assert_eq!(v["fields"].as_array().unwrap().len(), FIELDS.len());
        let r = &v["records"][0];
        let field = |name: &str| &r[FIELDS.iter().position(|f| *f == name).unwrap()];
        assert_eq!(field("slug"), c.slug.as_str());
        assert_eq!(field("title"), "<img src=x onerror=alert(1)> Disk full");
        assert_eq!(field("duration_minutes"), 90);
        assert_eq!(field("users_affected_percent"), 40.0);
        assert_eq!(field("author"), "Ada");
        assert_eq!(
            field("summary"),
            "</script><script>alert(1)</script> & the disk filled",
            "kept as text, on one line"
        );
        assert_eq!(field("passed"), c.score.passed);
        assert!(
            field("root_cause")
                .as_str()
                .is_some_and(|s| s.contains("disk filled up")),
            "{r}"
        );
        // Tags by number into the table, by slug.
        let tags: Vec<&str> = field("tags")
            .as_array()
            .unwrap()
            .iter()
            .map(|n| v["tags"][n.as_u64().unwrap() as usize][0].as_str().unwrap())
            .collect();
        assert!(
            tags.contains(&"storage") && tags.contains(&"logs-and-rotation"),
            "{tags:?}"
        );
        assert_eq!(
            v["collections"][field("collection").as_u64().unwrap() as usize],
            serde_json::json!(["cohort-a", "cohort-a"])
        );
    }

    /// The index `render` writes of `sources`, read back.
    fn parsed(sources: &[Source]) -> (serde_json::Value, String) {
        let files = render(sources);
        read_with(|rel| files.iter().find(|f| f.0 == rel).map(|f| f.1.clone())).unwrap()
    }

    #[test]
    fn the_index_is_in_parts_and_an_edit_changes_its_part_and_the_head() {
        let (c, cause) = card(
            "## Issue Summary\n\nFrom 10:00 to 11:30 UTC the API was down for 40% of users.\n\n## Timeline\n\n- 10:00 alert fired\n- 11:30 resolved by deleting logs\n\n## Root Cause\n\nThe disk filled up because logrotate was never configured on db-01.\n",
            "cohort-a/api.md",
        );
        let n = PART + 1;
        let cards: Vec<Card> = (0..n)
            .map(|i| {
                let mut c = c.clone();
                c.slug = format!("pm-{i}");
                c
            })
            .collect();
        let sources = |fps: &[u64]| -> Vec<Source> {
            cards
                .iter()
                .zip(fps)
                .map(|(c, &fingerprint)| Source {
                    card: c,
                    root_cause: cause.as_deref(),
                    fingerprint,
                })
                .collect()
        };
        let mut fps: Vec<u64> = (0..n as u64).collect();
        let list = sources(&fps);
        let index = Index::new(&list);
        assert_eq!(index.parts(), 2);
        let files = render(&list);
        let names: Vec<&str> = files.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(
            names,
            [INDEX_FILE, "search/records-1.js", "search/records-2.js"]
        );
        let (v, _) = parsed(&list);
        let records = v["records"].as_array().unwrap();
        assert_eq!(records.len(), n);
        assert_eq!(records[PART][0], "pm-1000", "in order, across parts");
        assert!(
            v["parts"][1]
                .as_str()
                .unwrap()
                .starts_with("records-2.js?v=")
        );
        // One record changed: its part and the head are made of something else, the
        // other part is not.
        let (p1, p2, head) = (
            index.part_fingerprint(1),
            index.part_fingerprint(2),
            index.fingerprint(),
        );
        fps[PART] = 99_999;
        let list = sources(&fps);
        let edited = Index::new(&list);
        assert_eq!(edited.part_fingerprint(1), p1);
        assert_ne!(edited.part_fingerprint(2), p2);
        assert_ne!(edited.fingerprint(), head);
        assert_ne!(edited.head(), index.head(), "the head names the part anew");
    }

    #[test]
    fn an_empty_gallery_has_an_empty_index() {
        assert_eq!(render(&[]).len(), 1, "a head and no parts");
        let (v, _) = parsed(&[]);
        assert_eq!(v["parts"], serde_json::json!([]));
        assert_eq!(v["records"], serde_json::json!([]));
        assert_eq!(v["tags"], serde_json::json!([]));
    }
}
