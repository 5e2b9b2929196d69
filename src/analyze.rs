//! One file, start to finish: decode, split front matter, read the structure, find the
//! postmortems in it, extract their facts and run the rubric. Pure per-file work, so
//! the build runs it for every file in parallel.

use crate::check;
use crate::config::Config;
use crate::document::Document;
use crate::extract::{self, Context};
use crate::model::{CheckId, Diagnostic, Level, Postmortem, Score};
use crate::packed::Packed;
use crate::slug::slugify;
use crate::source::{self, Encoding, FrontMatter, SourcePath};
use crate::taxonomy::{self, Tagger};
use std::path::{Path, PathBuf};

/// Everything learned from one source file.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct FileResult {
    /// Relative to the content folder (or as given on the command line).
    pub path: String,
    pub collection: Option<String>,
    pub encoding: Encoding,
    pub repaired: bool,
    pub problems: Vec<Diagnostic>,
    pub entries: Vec<Entry>,
    pub front: FrontMatter,
    /// The decoded text, kept (compressed) for diagnostics and pages that quote a line.
    pub text: Packed,
    /// Changes whenever the file's path or text does: what caches and incremental
    /// rebuilds key on.
    pub fingerprint: u64,
    /// The files its relative links lead to, each with whether it was there when the
    /// file was read: the reading depends on them as well as on the file itself.
    pub linked: Vec<(PathBuf, bool)>,
}

impl FileResult {
    /// A file that was not read: it could not be, or was left out on purpose, as
    /// `problem` says.
    pub fn unread(path: String, collection: Option<String>, problem: Diagnostic) -> Self {
        FileResult {
            fingerprint: text_fingerprint(&path, &problem.message),
            path,
            collection,
            encoding: Encoding::Unknown,
            repaired: false,
            problems: vec![problem],
            entries: Vec::new(),
            front: FrontMatter::default(),
            text: Packed::default(),
            linked: Vec::new(),
        }
    }

    /// The text of a 1-based line, for quoting in diagnostics.
    pub fn line_text(&self, line: u32) -> Option<String> {
        nth_line(&self.text.unpack(), line).map(str::to_owned)
    }

    /// Whether a reading kept from an earlier build (of the file as it is now) still
    /// holds: every file its links lead to is there, or not, as it was.
    pub fn still_holds(&self) -> bool {
        self.linked.iter().all(|(path, was)| path.is_file() == *was)
    }

    pub fn is_draft(&self) -> bool {
        self.front.draft
    }

    /// Whether the file has an error-level problem: unreadable, or its front matter
    /// malformed (often a file caught half-written).
    pub fn is_broken(&self) -> bool {
        self.problems.iter().any(|p| p.level >= Level::Error)
    }
}

/// One postmortem and what it takes to render it.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    pub postmortem: Postmortem,
    /// Its own text, as markdown ready to render (plain text is converted).
    pub markdown: Markdown,
    /// What its prose gives the search for copied work ([`crate::copies`]).
    pub print: crate::copies::Print,
}

/// A postmortem's own text as markdown ready to render ([`Markdown::text`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Markdown {
    /// A markdown file's: byte ranges of the file's text, each followed by a line break
    /// (see [`crate::render::plain::markdown_lines`]), so its text is not held twice.
    Lines(Vec<(u32, u32)>),
    /// A plain file's, converted to markdown; compressed.
    Converted(Packed),
}

impl Markdown {
    /// The markdown, given the text of its file ([`FileResult::text`]).
    pub fn text(&self, file_text: &Packed) -> String {
        match self {
            Markdown::Lines(ranges) => {
                let ranges: Vec<(usize, usize)> = ranges
                    .iter()
                    .map(|&(a, b)| (a as usize, b as usize))
                    .collect();
                crate::render::plain::join_lines(&file_text.unpack(), &ranges)
            }
            Markdown::Converted(packed) => packed.unpack(),
        }
    }
}

/// Shared, read-only settings for analysing many files.
pub struct Analyzer<'a> {
    pub config: &'a Config,
    pub tagger: Tagger,
    /// Whether each postmortem's [`crate::copies::Print`] is taken (a build's search
    /// for copies needs them; `check` does not).
    pub prints: bool,
}

impl<'a> Analyzer<'a> {
    pub fn new(config: &'a Config) -> Self {
        Analyzer {
            config,
            tagger: Tagger::new(&config.tags),
            prints: true,
        }
    }

    /// An analyzer for reading alone, that takes no prints for the search for copies.
    pub fn without_prints(self) -> Self {
        Analyzer {
            prints: false,
            ..self
        }
    }

    pub fn analyze(&self, src: &SourcePath) -> FileResult {
        self.analyze_as(src, false)
    }

    /// Analyses a file; `wanted` when the user named it, so that even a thin draft is
    /// checked against the rubric rather than set aside as not a postmortem.
    pub fn analyze_as(&self, src: &SourcePath, wanted: bool) -> FileResult {
        match source::load(&src.path) {
            Ok(loaded) => self.analyze_loaded(
                &src.rel,
                src.collection.clone(),
                loaded,
                wanted,
                Some(&src.path),
            ),
            Err(problem) => FileResult::unread(src.rel.clone(), src.collection.clone(), problem),
        }
    }

    /// Analyses bytes as if read from `rel` (used by tests and `check` on stdin).
    pub fn analyze_bytes(&self, rel: &str, collection: Option<String>, bytes: &[u8]) -> FileResult {
        match source::load_bytes(bytes) {
            Ok(loaded) => self.analyze_loaded(rel, collection, loaded, false, None),
            Err(problem) => FileResult::unread(rel.to_owned(), collection, problem),
        }
    }

    fn analyze_loaded(
        &self,
        rel: &str,
        collection: Option<String>,
        loaded: source::Loaded,
        wanted: bool,
        source: Option<&Path>,
    ) -> FileResult {
        // What this thread remembered of the last file's texts is of no use for this one.
        crate::words::forget();
        let markdown_hint = !matches!(
            std::path::Path::new(rel)
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase)
                .as_deref(),
            Some("txt" | "text") | None
        );
        let body = loaded.body();
        crate::extract::time::begin(body);
        let doc = Document::parse(body, loaded.body_line, markdown_hint);
        let parts = doc.parts();
        let mut problems = loaded.problems.clone();
        let mut linked = Vec::new();
        if let (true, Some(source)) = (markdown_hint, source) {
            problems.extend(dead_links(body, loaded.body_line, rel, source, &mut linked));
        }
        let front = &loaded.front;
        let collection = front.collection.clone().or(collection);
        let stem = rel
            .rsplit_once('.')
            .filter(|(s, _)| !s.contains('/') || s.rfind('/') < Some(s.len()))
            .map_or(rel, |(s, ext)| if ext.contains('/') { rel } else { s });
        let base_slug = front.slug.clone().unwrap_or_else(|| {
            let s = slugify(stem);
            if s.is_empty() { "postmortem".into() } else { s }
        });
        // A file whose front matter gives it a title or tags is a postmortem its writer
        // means to publish, however thin; so is a draft the user named on the command
        // line that has any of a postmortem's sections. Its largest part is read as
        // one even when it reads as a stub.
        let declared = front.title.is_some() || !front.tags.is_empty();
        let verdicts: Vec<Result<(), String>> = parts
            .iter()
            .map(|p| extract::qualify(&Context::new(&doc, p)))
            .collect();
        let has_content =
            |p: &crate::document::Part| doc.range(p.start, p.end).iter().any(|l| l.is_content());
        let largest = parts
            .iter()
            .enumerate()
            .max_by_key(|(_, p)| (has_content(p), p.end - p.start))
            .map(|(i, _)| i);
        let insisted = largest.is_some_and(|i| {
            let p = &parts[i];
            (declared || (wanted && has_content(p) && p.written_core_sections(&doc.lines) > 0))
                && verdicts.iter().all(Result::is_err)
        });
        let mut entries = Vec::new();
        let mut rejected = Vec::new();
        for (i, (part, verdict)) in parts.iter().zip(verdicts).enumerate() {
            let ctx = Context::new(&doc, part);
            if let Err(reason) = verdict {
                if insisted && Some(i) == largest {
                    problems.push(Diagnostic::warning(
                        format!(
                            "checked against the rubric although it reads as a draft: {reason}"
                        ),
                        Some(loaded.body_line),
                    ));
                } else {
                    rejected.push((part, reason));
                    continue;
                }
            }
            let index = entries.len();
            let facts = extract::extract(&ctx);
            // The timeline's are told by its format check; the summary's here.
            let entry_lines: std::collections::HashSet<u32> =
                facts.timeline.iter().map(|e| e.line).collect();
            for (line, i) in &facts.impossible {
                if !entry_lines.contains(line) {
                    problems.push(Diagnostic::warning(
                        format!("\"{}\" {}", i.written, i.why),
                        Some(*line),
                    ));
                }
            }
            let checks = check::run(&ctx, &facts, |id| level_for(self.config, front, id));
            let score = Score::from_checks(&checks);
            let slug = if index == 0 {
                base_slug.clone()
            } else {
                format!("{base_slug}-{}", index + 1)
            };
            let tag_text = tag_text(&ctx);
            let tags = self.tagger.tags(&front.tags, &tag_text, facts.humorous, 3);
            let title = (index == 0)
                .then(|| front.title.clone())
                .flatten()
                .or_else(|| facts.title.clone())
                .unwrap_or_else(|| untitled(&tags, facts.outage.start.as_ref(), index));
            let lines = [
                doc.lines
                    .get(part.start)
                    .map_or(loaded.body_line, |l| l.number),
                doc.lines
                    .get(part.end.saturating_sub(1))
                    .map_or(loaded.body_line, |l| l.number),
            ];
            let sections = part
                .sections
                .iter()
                .map(|s| crate::model::SectionSpan {
                    kind: s.kind,
                    heading: s
                        .heading
                        .map(|h| doc.lines[h].text.clone())
                        .unwrap_or_default(),
                    line: doc
                        .lines
                        .get(s.heading.unwrap_or(s.start))
                        .map_or(0, |l| l.number),
                    end_line: doc
                        .lines
                        .get(s.end.saturating_sub(1))
                        .map_or(0, |l| l.number),
                })
                .collect();
            let (severity, severity_basis) = taxonomy::severity(
                facts.outage.users_affected_percent,
                facts.outage.duration_minutes,
                facts
                    .outage
                    .service
                    .as_deref()
                    .is_some_and(taxonomy::only_slow),
            );
            let category = front
                .category
                .clone()
                .or_else(|| tags.iter().find(|t| *t != "humour").cloned());
            // A markdown file's part is a few ranges of its text, which is kept anyway.
            let markdown = if doc.markdown {
                let from = loaded.body_start;
                Markdown::Lines(
                    crate::render::plain::markdown_lines(body, &doc, part)
                        .into_iter()
                        .map(|(a, b)| ((from + a) as u32, (from + b) as u32))
                        .collect(),
                )
            } else {
                Markdown::Converted(Packed::new(&crate::render::plain::part_markdown(
                    body, &doc, part,
                )))
            };
            let postmortem = Postmortem {
                index,
                slug,
                title,
                lines,
                word_count: facts.word_count,
                time_to_detect_minutes: facts.time_to_detect_minutes,
                time_to_resolve_minutes: facts.time_to_resolve_minutes,
                root_cause: facts.root_cause.as_ref().map(|r| r.0.clone()),
                tasks: facts.tasks.iter().map(|t| t.0.clone()).collect(),
                tags,
                checks,
                score,
                sections,
                author: front.author.clone().or(facts.author.clone()),
                origin: crate::model::Origin::new(front.source.as_deref(), front.commit.as_deref()),
                date: front
                    .date
                    .or_else(|| facts.outage.start.as_ref().and_then(|m| m.local.date())),
                collection: collection.clone(),
                summary: (index == 0)
                    .then(|| front.summary.clone())
                    .flatten()
                    .or(facts.blurb.clone()),
                severity,
                severity_basis,
                category,
                humorous: facts.humorous,
                timeline: facts.timeline,
                outage: facts.outage,
            };
            // Its own prose, for the search for copies: not its title or headings, not
            // the course's text (which `is_content` leaves out), not code.
            let print = if !self.prints {
                crate::copies::Print::default()
            } else {
                crate::copies::Print::new(
                    &loaded.text,
                    doc.range(part.start, part.end)
                        .iter()
                        .filter(|l| {
                            l.is_content()
                                && !part.title.is_some_and(|t| std::ptr::eq(*l, &doc.lines[t]))
                        })
                        .map(|l| l.number),
                )
            };
            entries.push(Entry {
                postmortem,
                markdown,
                print,
            });
        }
        if entries.is_empty() {
            let reason = if !body.trim().is_empty() {
                rejected
                    .iter()
                    .max_by_key(|(p, _)| p.end - p.start)
                    .map_or_else(|| "the file is empty".to_owned(), |(_, r)| r.clone())
            } else if loaded.body_start > 0 {
                "there is nothing below the front matter".to_owned()
            } else if loaded.text.is_empty() {
                "the file is empty".to_owned()
            } else {
                "the file holds only blank space".to_owned()
            };
            problems.push(Diagnostic::warning(
                format!("not a postmortem: {reason}"),
                Some(loaded.body_line),
            ));
        } else {
            for (part, reason) in &rejected {
                let (Some(a), Some(b)) = (
                    doc.lines.get(part.start),
                    doc.lines.get(part.end.saturating_sub(1)),
                ) else {
                    continue;
                };
                if part.end > part.start {
                    problems.push(Diagnostic::info(
                        format!(
                            "lines {}–{} are not part of any postmortem ({reason})",
                            a.number, b.number
                        ),
                        Some(a.number),
                    ));
                }
            }
        }
        if let (Some(first), Some(last)) = (doc.placeholders.first(), doc.placeholders.last()) {
            problems.push(Diagnostic::warning(
                format!(
                    "{} line{} between lines {first} and {last} still hold{} the placeholders of `hindsight new`: replace them with what happened",
                    doc.placeholders.len(),
                    if doc.placeholders.len() == 1 { "" } else { "s" },
                    if doc.placeholders.len() == 1 { "s" } else { "" },
                ),
                Some(*first),
            ));
        }
        if let Some((first, last)) = boilerplate_span(&doc) {
            problems.push(Diagnostic::info(
                format!("course assignment text left out (lines {first}–{last})"),
                Some(first),
            ));
        }
        if loaded.repaired {
            problems.push(Diagnostic::info(
                "garbled characters (mojibake such as â€™) were repaired",
                None,
            ));
        }
        let front = loaded.front.clone();
        FileResult {
            fingerprint: text_fingerprint(rel, &loaded.text),
            path: rel.to_owned(),
            collection,
            encoding: loaded.encoding,
            repaired: loaded.repaired,
            problems,
            entries,
            front,
            text: Packed::new(&loaded.text),
            linked,
        }
    }
}

/// The 1-based line `line` of `text`.
pub fn nth_line(text: &str, line: u32) -> Option<&str> {
    text.lines().nth(line.checked_sub(1)? as usize)
}

/// A fingerprint of a file's path and text (std's SipHash with fixed keys: stable within
/// a run, which is all caches need).
fn text_fingerprint(path: &str, text: &str) -> u64 {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut h = DefaultHasher::new();
    path.hash(&mut h);
    text.hash(&mut h);
    h.finish()
}

/// A check's level for one file: front matter over `site.toml` over the default.
fn level_for(config: &Config, front: &FrontMatter, id: CheckId) -> Level {
    front
        .checks
        .iter()
        .rev()
        .find(|(c, _)| *c == id)
        .map_or_else(|| config.level(id), |(_, l)| *l)
}

/// "cohort-2024/disk_full" → "Disk full".
/// A title for a postmortem that tells too little to make one from its words: what it
/// is about (its first tag) and when, never the file's name ("Nginx incident of 5 May
/// 2024").
fn untitled(tags: &[String], start: Option<&crate::model::Moment>, index: usize) -> String {
    let about = tags.iter().find(|t| *t != "humour").map(|t| {
        let words = t.replace('-', " ");
        if words.len() <= 3 {
            words.to_uppercase()
        } else {
            let mut cs = words.chars();
            cs.next().map_or_else(String::new, |f| {
                f.to_uppercase().collect::<String>() + cs.as_str()
            })
        }
    });
    let when = start
        .and_then(|m| m.local.date())
        .map(|d| d.format("%-d %B %Y").to_string());
    let mut t = match (about, when) {
        (Some(a), Some(w)) => format!("{a} incident of {w}"),
        (Some(a), None) => format!("{a} incident"),
        (None, Some(w)) => format!("Incident of {w}"),
        (None, None) => "Untitled incident".to_owned(),
    };
    if index > 0 {
        t = format!("{t} ({})", index + 1);
    }
    t
}

/// What the tag rules read: the summary, root cause and resolution, not the whole text.
fn tag_text(ctx: &Context) -> String {
    use crate::model::SectionKind::*;
    let mut s = String::new();
    let lines = ctx.section_lines(&[Summary, RootCause, Resolution, RootCauseResolution]);
    let lines = if lines.is_empty() {
        ctx.lines().iter().collect()
    } else {
        lines
    };
    for l in lines
        .iter()
        .filter(|l| l.is_content() || l.heading().is_some())
    {
        s.push_str(&l.text);
        s.push('\n');
    }
    s
}

/// First and last boilerplate line numbers, when any were found.
fn boilerplate_span(doc: &Document) -> Option<(u32, u32)> {
    let course =
        |l: &&crate::document::Line| l.boilerplate && !doc.placeholders.contains(&l.number);
    let first = doc.lines.iter().find(course)?.number;
    let last = doc.lines.iter().rfind(course).map_or(first, |l| l.number);
    Some((first, last))
}

/// Relative links and images that lead to no file the site publishes, each at its
/// line: the renderer drops them, so the writer is told here (like `zola check`).
/// The warnings for relative links that lead nowhere; each file looked for is added to
/// `looked_up` with whether it was there.
fn dead_links(
    body: &str,
    body_line: u32,
    rel: &str,
    source: &Path,
    looked_up: &mut Vec<(PathBuf, bool)>,
) -> Vec<Diagnostic> {
    let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
    let folder = source.parent().unwrap_or(Path::new("."));
    // The targets come in order: each one's line is counted on from the last one's, so
    // a file of thousands of links is not read once per link.
    let (mut counted, mut line) = (0, body_line);
    crate::render::markdown::relative_targets(body)
        .into_iter()
        .filter_map(|(at, target)| {
            if at < counted {
                (counted, line) = (0, body_line);
            }
            line += body[counted..at].matches('\n').count() as u32;
            counted = at;
            let why = match crate::render::markdown::join(dir, &target) {
                None => "it leads outside the content folder",
                Some(p) if !crate::source::discover::is_asset(&p) => {
                    "only images and other files beside the postmortems are published"
                }
                Some(_) => {
                    let path = folder.join(&target);
                    let there = path.is_file();
                    looked_up.push((path, there));
                    if there {
                        return None;
                    }
                    "there is no such file"
                }
            };
            Some(Diagnostic::warning(
                format!("the link to \"{target}\" leads nowhere: {why}"),
                Some(line),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_are_taken_only_when_asked_for() {
        let text = "## Issue Summary\n\nFrom 10:00 to 11:30 UTC the API was down for 40% of users because the disk filled up with logs.\n\n## Timeline\n\n- 10:00 alert fired\n- 11:30 resolved by deleting logs\n\n## Root Cause\n\nThe disk filled up because logrotate was never configured on db-01.\n";
        let config = Config::default();
        let with = Analyzer::new(&config).analyze_bytes("a.md", None, text.as_bytes());
        let without =
            Analyzer::new(&config)
                .without_prints()
                .analyze_bytes("a.md", None, text.as_bytes());
        assert!(!with.entries[0].print.lines.is_empty());
        assert_eq!(without.entries[0].print, crate::copies::Print::default());
        assert_eq!(
            with.entries[0].postmortem.title,
            without.entries[0].postmortem.title
        );
    }
}
