//! Optional front matter: TOML between `+++` lines or YAML between `---` lines.
//!
//! Students' files mostly have none, and a file that opens with a `---` rule is not
//! front matter unless what follows reads like `key: value`. What front matter states
//! wins over what extraction guesses. A malformed block is reported with its line and
//! skipped, so the postmortem below it still builds.

use crate::model::{CheckId, Diagnostic, Level};
use chrono::NaiveDate;
use serde_json::Value;
use std::collections::BTreeMap;

/// What a writer may say about their postmortem up front.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub author: Option<String>,
    pub date: Option<NaiveDate>,
    pub tags: Vec<String>,
    pub collection: Option<String>,
    pub draft: bool,
    pub slug: Option<String>,
    pub summary: Option<String>,
    pub category: Option<String>,
    /// Where the text came from: the address of the file in the student's repository
    /// (`hindsight import` writes it, at the commit it took).
    pub source: Option<String>,
    /// The commit the text was taken at.
    pub commit: Option<String>,
    /// Per-file check levels, overriding `site.toml`.
    pub checks: Vec<(CheckId, Level)>,
    /// Keys Hindsight does not use itself, handed to templates as `extra`.
    pub extra: BTreeMap<String, Value>,
}

/// The front matter, the body below it, and the 1-based line on which the body starts.
#[derive(Debug)]
pub struct Split<'a> {
    pub front: FrontMatter,
    pub body: &'a str,
    pub body_line: u32,
    pub problems: Vec<Diagnostic>,
}

#[derive(Clone, Copy, PartialEq)]
enum Format {
    Toml,
    Yaml,
}

/// Separates front matter from the body. Never fails: problems are reported in `problems`.
///
/// A second block right below the first is read too: `hindsight import` puts its own
/// above a writer's. What the second (the writer's) says wins; the first fills in what
/// it leaves out.
pub fn split(text: &str) -> Split<'_> {
    let first = split_one(text);
    if first.body.len() == text.len() {
        return first;
    }
    let second = split_one(first.body);
    let offset = first.body_line - 1;
    let mut problems = first.problems;
    problems.extend(second.problems.into_iter().map(|mut d| {
        d.line = d.line.map(|l| l + offset);
        d
    }));
    if second.body.len() == first.body.len() {
        return Split { problems, ..first };
    }
    Split {
        front: second.front.over(first.front),
        body: second.body,
        body_line: second.body_line + offset,
        problems,
    }
}

impl FrontMatter {
    /// This front matter, with what it leaves out taken from `under`.
    fn over(self, under: FrontMatter) -> FrontMatter {
        let mut extra = under.extra;
        extra.extend(self.extra);
        let mut checks = under.checks;
        checks.extend(self.checks);
        FrontMatter {
            title: self.title.or(under.title),
            author: self.author.or(under.author),
            date: self.date.or(under.date),
            tags: if self.tags.is_empty() {
                under.tags
            } else {
                self.tags
            },
            collection: self.collection.or(under.collection),
            draft: self.draft || under.draft,
            slug: self.slug.or(under.slug),
            summary: self.summary.or(under.summary),
            category: self.category.or(under.category),
            source: self.source.or(under.source),
            commit: self.commit.or(under.commit),
            checks,
            extra,
        }
    }
}

fn split_one(text: &str) -> Split<'_> {
    let no_front = |text| Split {
        front: FrontMatter::default(),
        body: text,
        body_line: 1,
        problems: Vec::new(),
    };
    let first = text.lines().next().unwrap_or("").trim_end();
    let format = match first {
        "+++" => Format::Toml,
        "---" => Format::Yaml,
        _ => return no_front(text),
    };
    // Find the closing fence; YAML may also close with `...`. The block starts after
    // the opening line as written, `\r\n` and all.
    let opening = text.split_inclusive('\n').next().unwrap_or("").len();
    let mut offset = opening;
    let mut close = None;
    for (i, line) in text[offset..].split_inclusive('\n').enumerate() {
        let l = line.trim_end();
        if l == first || (format == Format::Yaml && l == "...") {
            close = Some((offset, offset + line.len(), i as u32 + 2));
            break;
        }
        offset += line.len();
    }
    let Some((block_end, body_start, close_line)) = close else {
        if format == Format::Toml {
            let mut s = no_front(text);
            s.problems.push(Diagnostic::error(
                "front matter opened with `+++` is never closed; add a `+++` line after it",
                Some(1),
            ));
            return s;
        }
        return no_front(text);
    };
    let block = &text[opening.min(block_end)..block_end];
    if format == Format::Yaml && !looks_like_yaml(block) {
        // A markdown rule and some text, not front matter.
        return no_front(text);
    }
    let mut problems = Vec::new();
    let fields = match format {
        Format::Toml => parse_toml(block, &mut problems),
        Format::Yaml => parse_yaml(block, &mut problems),
    };
    let front = interpret(fields, &mut problems);
    Split {
        front,
        body: &text[body_start.min(text.len())..],
        body_line: close_line + 1,
        problems,
    }
}

fn looks_like_yaml(block: &str) -> bool {
    block
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .is_some_and(|l| {
            l.split_once(':').is_some_and(|(k, _)| {
                !k.is_empty()
                    && k.len() < 40
                    && k.chars()
                        .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
            })
        })
}

/// A front-matter value with the line (within the file) it came from.
struct Field {
    key: String,
    value: Value,
    line: u32,
}

fn parse_toml(block: &str, problems: &mut Vec<Diagnostic>) -> Vec<Field> {
    let table: toml::Table = match toml::from_str(block) {
        Ok(t) => t,
        Err(e) => {
            let line = e
                .span()
                .map(|s| crate::error::line_col(block, s.start).0 as u32 + 1);
            problems.push(Diagnostic::error(
                format!(
                    "front matter is not valid TOML: {}",
                    e.message().lines().next().unwrap_or("")
                ),
                line,
            ));
            return Vec::new();
        }
    };
    table
        .into_iter()
        .map(|(key, value)| Field {
            line: toml_key_line(block, &key),
            key,
            value: toml_to_json(value),
        })
        .collect()
}

/// The file line of a top-level key (`key = ...` or `[key]`), for messages.
fn toml_key_line(block: &str, key: &str) -> u32 {
    let found = block.lines().position(|l| {
        let l = l.trim_start();
        let bare = l
            .strip_prefix(key)
            .or_else(|| l.strip_prefix(&format!("\"{key}\"")));
        bare.is_some_and(|rest| rest.trim_start().starts_with('='))
            || l.strip_prefix('[')
                .and_then(|r| r.strip_prefix(key))
                .is_some_and(|r| r.trim_start().starts_with(']'))
    });
    found.map_or(1, |i| i as u32 + 2)
}

fn toml_to_json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

/// YAML front matter, read by a YAML parser; its errors are reported at their line.
fn parse_yaml(block: &str, problems: &mut Vec<Diagnostic>) -> Vec<Field> {
    let value: Value = match serde_yaml_ng::from_str(block) {
        Ok(v) => v,
        Err(e) => {
            let (message, opened) = yaml_error(&e.to_string());
            // The block starts on the file's second line, under the opening `---`.
            let line = opened
                .or_else(|| e.location().map(|l| l.line()))
                .map(|l| l as u32 + 1);
            problems.push(Diagnostic::error(
                format!("front matter is not valid YAML: {message}"),
                line,
            ));
            return Vec::new();
        }
    };
    match value {
        Value::Object(map) => {
            let mut fields: Vec<Field> = map
                .into_iter()
                .map(|(key, value)| Field {
                    line: yaml_key_line(block, &key),
                    key,
                    value,
                })
                .collect();
            fields.sort_by_key(|f| f.line);
            fields
        }
        Value::Null => Vec::new(),
        _ => {
            problems.push(Diagnostic::error(
                "front matter is not a list of `key: value` lines",
                Some(2),
            ));
            Vec::new()
        }
    }
}

/// A YAML error's words without its positions, and the line (in the block) where what it
/// is about was opened when that is where to look: `title: [unclosed` is found wrong at
/// the end of the block, but the list was opened, and never closed, on its own line.
fn yaml_error(full: &str) -> (String, Option<usize>) {
    let strip = |s: &str| s.split(" at line ").next().unwrap_or(s).to_owned();
    let Some((problem, context)) = full.split_once(", while ") else {
        return (strip(full), None);
    };
    let opened = (context.contains("flow") || context.contains("quoted"))
        .then(|| {
            context
                .split_once(" at line ")?
                .1
                .split(' ')
                .next()?
                .parse()
                .ok()
        })
        .flatten();
    (
        format!("{}, while {}", strip(problem), strip(context)),
        opened,
    )
}

/// The file line of a top-level YAML key, for messages.
fn yaml_key_line(block: &str, key: &str) -> u32 {
    let found = block.lines().position(|l| {
        let bare = l
            .strip_prefix(key)
            .or_else(|| l.strip_prefix(&format!("\"{key}\"")))
            .or_else(|| l.strip_prefix(&format!("'{key}'")));
        bare.is_some_and(|rest| rest.trim_start().starts_with(':'))
    });
    found.map_or(1, |i| i as u32 + 2)
}

/// Turns raw fields into [`FrontMatter`], reporting wrong types by line.
fn interpret(fields: Vec<Field>, problems: &mut Vec<Diagnostic>) -> FrontMatter {
    let mut fm = FrontMatter::default();
    for Field { key, value, line } in fields {
        let wrong = |problems: &mut Vec<Diagnostic>, expected: &str| {
            problems.push(Diagnostic::error(
                format!(
                    "front matter `{key}` should be {expected}, found {}",
                    describe(&value)
                ),
                Some(line),
            ));
        };
        match key.to_ascii_lowercase().as_str() {
            "title" => match as_text(&value) {
                Some(s) => fm.title = Some(s),
                None => wrong(problems, "a string"),
            },
            "author" | "authors" => match &value {
                Value::Array(a) => {
                    let names: Vec<_> = a.iter().filter_map(as_text).collect();
                    fm.author = Some(names.join(", "));
                }
                v => match as_text(v) {
                    Some(s) => fm.author = Some(s),
                    None => wrong(problems, "a string"),
                },
            },
            "date" => match as_text(&value).as_deref().and_then(parse_date) {
                Some(d) => fm.date = Some(d),
                None => wrong(problems, "a date like 2024-03-02"),
            },
            "tags" | "keywords" | "categories" if key != "category" => match &value {
                Value::Array(a) => fm.tags.extend(a.iter().filter_map(as_text)),
                Value::String(s) => fm.tags.extend(
                    s.split(',')
                        .map(|t| t.trim().to_owned())
                        .filter(|t| !t.is_empty()),
                ),
                _ => wrong(problems, "a list of strings"),
            },
            "collection" | "cohort" => match as_text(&value) {
                Some(s) => fm.collection = Some(s),
                None => wrong(problems, "a string"),
            },
            "draft" => match value {
                Value::Bool(b) => fm.draft = b,
                _ => wrong(problems, "true or false"),
            },
            "slug" => match as_text(&value) {
                Some(s) if !crate::slug::slugify(&s).is_empty() => {
                    fm.slug = Some(crate::slug::slugify(&s))
                }
                _ => wrong(problems, "a string with letters or digits"),
            },
            "source" => match as_text(&value) {
                Some(s) => fm.source = Some(s),
                None => wrong(problems, "a string"),
            },
            "commit" => match as_text(&value) {
                Some(s) => fm.commit = Some(s),
                None => wrong(problems, "a string"),
            },
            "summary" | "description" => match as_text(&value) {
                Some(s) => fm.summary = Some(s),
                None => wrong(problems, "a string"),
            },
            "category" => match as_text(&value) {
                Some(s) => fm.category = Some(s),
                None => wrong(problems, "a string"),
            },
            "checks" => match &value {
                Value::Object(map) => {
                    for (id, lvl) in map {
                        match (CheckId::parse(id), as_text(lvl).as_deref().and_then(Level::parse))
                        {
                            (Some(id), Some(level)) => fm.checks.push((id, level)),
                            (None, _) => problems.push(Diagnostic::error(
                                format!("front matter `checks` names an unknown check `{id}`"),
                                Some(line),
                            )),
                            (_, None) => problems.push(Diagnostic::error(
                                format!(
                                    "front matter level for `{id}` should be \"allow\", \"warn\" or \"deny\""
                                ),
                                Some(line),
                            )),
                        }
                    }
                }
                _ => wrong(problems, "a table of check = level"),
            },
            _ => {
                fm.extra.insert(key, value);
            }
        }
    }
    fm.tags.retain(|t| !t.trim().is_empty());
    fm
}

fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a table",
    }
}

/// Front-matter dates: `2024-03-02`, or a TOML/RFC 3339 date-time whose date part is taken.
fn parse_date(s: &str) -> Option<NaiveDate> {
    let head = s.get(..10).unwrap_or(s);
    NaiveDate::parse_from_str(head, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_block_below_the_first_is_read_and_wins() {
        let text = "+++\nauthor = \"ada-l\"\ncommit = \"abc\"\nmood = \"import\"\n+++\n---\ntitle: Disk full\nauthor: Ada Lovelace\nmood: calm\n---\n# Body\n";
        let s = split(text);
        assert_eq!(s.body, "# Body\n");
        assert_eq!(s.body_line, 11);
        assert_eq!(s.front.title.as_deref(), Some("Disk full"));
        assert_eq!(s.front.author.as_deref(), Some("Ada Lovelace"));
        assert_eq!(s.front.commit.as_deref(), Some("abc"));
        assert_eq!(s.front.extra["mood"], "calm");
        // A problem in the second block is reported at its line in the file.
        let s = split("+++\nauthor = \"x\"\n+++\n+++\ntitle = [\n+++\nBody\n");
        assert_eq!(s.front.author.as_deref(), Some("x"));
        assert!(
            s.problems.iter().any(|p| p.line.is_some_and(|l| l >= 5)),
            "{:?}",
            s.problems
        );
        // A rule and text below the block are body, not front matter.
        let s = split("+++\nauthor = \"x\"\n+++\n---\nJust text\n---\n");
        assert_eq!(s.body, "---\nJust text\n---\n");
        assert_eq!(s.body_line, 4);
    }

    #[test]
    fn no_front_matter() {
        let s = split("# Title\n\nBody\n");
        assert_eq!(s.front, FrontMatter::default());
        assert_eq!(s.body_line, 1);
        assert!(s.body.starts_with("# Title"));
    }

    #[test]
    fn toml_front_matter() {
        let text = "+++\ntitle = \"Disk full\"\nauthor = \"Ada\"\ndate = 2024-03-02\ntags = [\"disk\", \"logs\"]\ndraft = false\ncollection = \"cohort-9\"\nmood = \"calm\"\n[checks]\nlength = \"allow\"\n+++\n# Body\n";
        let s = split(text);
        assert!(s.problems.is_empty(), "{:?}", s.problems);
        assert_eq!(s.front.title.as_deref(), Some("Disk full"));
        assert_eq!(s.front.author.as_deref(), Some("Ada"));
        assert_eq!(s.front.date, NaiveDate::from_ymd_opt(2024, 3, 2));
        assert_eq!(s.front.tags, ["disk", "logs"]);
        assert_eq!(s.front.collection.as_deref(), Some("cohort-9"));
        assert_eq!(s.front.checks, [(CheckId::Length, Level::Allow)]);
        assert_eq!(s.front.extra["mood"], "calm");
        assert_eq!(s.body, "# Body\n");
        assert_eq!(s.body_line, 12);
    }

    #[test]
    fn yaml_front_matter() {
        let text = "---\ntitle: \"DNS: the usual suspect\"\ntags: [dns, 'network']\ndate: 2023-11-08\ndraft: true\nauthors:\n  - Ada\n  - Grace\nchecks:\n  timeline-misleading: warn\n---\nBody\n";
        let s = split(text);
        assert!(s.problems.is_empty(), "{:?}", s.problems);
        assert_eq!(s.front.title.as_deref(), Some("DNS: the usual suspect"));
        assert_eq!(s.front.tags, ["dns", "network"]);
        assert!(s.front.draft);
        assert_eq!(s.front.author.as_deref(), Some("Ada, Grace"));
        assert_eq!(
            s.front.checks,
            [(CheckId::TimelineMisleading, Level::Warning)]
        );
        assert_eq!(s.body, "Body\n");
        assert_eq!(s.body_line, 12);
    }

    #[test]
    fn a_leading_rule_is_not_front_matter() {
        let text = "---\n# Postmortem\nSome text\n---\nMore\n";
        let s = split(text);
        assert_eq!(s.body, text);
        assert!(s.problems.is_empty());
    }

    #[test]
    fn malformed_toml_is_reported_with_its_line_and_the_body_survives() {
        let text = "+++\ntitle = \"ok\"\ntags = [\"a\",\n+++\nBody\n";
        let s = split(text);
        assert_eq!(s.problems.len(), 1);
        assert!(s.problems[0].line.unwrap() >= 3, "{:?}", s.problems);
        assert_eq!(s.body, "Body\n");
    }

    #[test]
    fn unclosed_toml_is_reported() {
        let s = split("+++\ntitle = \"x\"\nBody\n");
        assert_eq!(s.problems.len(), 1);
        assert_eq!(s.problems[0].line, Some(1));
    }

    #[test]
    fn wrong_types_are_reported_by_line() {
        let s = split("---\ntitle: ok\ndraft: maybe\ndate: last week\n---\nx\n");
        let lines: Vec<_> = s.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [Some(3), Some(4)]);
        assert!(s.problems[0].message.contains("draft"));
    }

    #[test]
    fn malformed_yaml_is_reported_at_its_line() {
        let s = split("---\ndate: 2024-01-02\ntitle: [unclosed\n---\nBody\n");
        assert_eq!(s.front.title, None);
        assert_eq!(s.problems.len(), 1, "{:?}", s.problems);
        assert!(
            s.problems[0]
                .message
                .starts_with("front matter is not valid YAML"),
            "{:?}",
            s.problems
        );
        // Where the list was opened, not where the parser gave up on it.
        assert_eq!(s.problems[0].line, Some(3), "{:?}", s.problems);
        assert!(
            s.problems[0].message.contains("flow sequence"),
            "{:?}",
            s.problems
        );
        assert_eq!(s.body, "Body\n");
        // An unclosed quote is told at its line too; an error without such a context
        // at the line where it was found.
        let s = split("---\ndate: 2024-01-02\ntitle: \"unclosed\nauthor: x\n---\nBody\n");
        assert_eq!(s.problems[0].line, Some(3), "{:?}", s.problems);
        let s = split("---\ntitle: ok\nauthor: a: b\n---\nBody\n");
        assert_eq!(s.problems[0].line, Some(3), "{:?}", s.problems);
    }

    #[test]
    fn crlf_front_matter() {
        let s = split("+++\r\ntitle = \"x\"\r\n+++\r\nBody\r\n");
        assert_eq!(s.front.title.as_deref(), Some("x"));
        assert_eq!(s.body, "Body\r\n");
        assert_eq!(s.body_line, 4);
        // Found by tests/fuzz.rs: the `\r` of the opening line was counted as a line
        // of its own, so the body was said to start a line too late.
        let s = split("+++\r\n+++\n# Postmortem\n");
        assert_eq!(s.body, "# Postmortem\n");
        assert_eq!(s.body_line, 3);
    }
}
