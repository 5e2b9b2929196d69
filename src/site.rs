//! The build: sources → postmortems → pages → output.
//!
//! Per-file work (decode, parse, extract, check) runs in parallel; listings are built
//! from compact [`Card`]s; each postmortem page is rendered and written in parallel
//! and dropped at once, so memory does not grow with the rendered site.

use crate::analyze::{Analyzer, Entry, FileResult};
use crate::config::{Config, SortBy};
use crate::error::{Error, Result};
use crate::model::{CheckId, Level};
use crate::output::Output;
use crate::render::markdown::{self, Links};
use crate::render::templates::{StaticSource, Templates};
use crate::render::{self, Card, Paginator, SiteInfo, TermRef};
use crate::source::{self, Discovered};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A site folder and its settings.
pub struct Site {
    pub root: PathBuf,
    pub config: Config,
}

/// What a build may change from `site.toml`.
#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    pub output: Option<PathBuf>,
    pub drafts: bool,
    pub base_url: Option<String>,
}

/// Every file read, with what was found in it.
pub struct Analysis {
    pub files: Vec<FileResult>,
    pub discovered: Discovered,
}

impl Analysis {
    pub fn postmortems(&self) -> impl Iterator<Item = (&FileResult, &Entry)> {
        self.files
            .iter()
            .flat_map(|f| f.entries.iter().map(move |e| (f, e)))
    }
}

/// What a build did, for the command line to report.
#[derive(Debug)]
pub struct BuildSummary {
    pub output: PathBuf,
    pub files: usize,
    pub postmortems: usize,
    pub drafts_skipped: usize,
    pub pages: usize,
    pub elapsed: Duration,
}

impl Site {
    pub fn load(root: &Path) -> Result<Site> {
        let config = Config::load(root)?;
        Ok(Site {
            root: root.to_owned(),
            config,
        })
    }

    pub fn content_dir(&self) -> PathBuf {
        self.root.join(&self.config.content_dir)
    }

    pub fn output_dir(&self, opts: &BuildOptions) -> PathBuf {
        opts.output
            .clone()
            .unwrap_or_else(|| self.root.join(&self.config.output_dir))
    }

    /// Reads and checks every content file, in parallel, in path order.
    pub fn analyze(&self) -> Result<Analysis> {
        let content = self.content_dir();
        if !content.is_dir() {
            return Err(Error::Usage(format!(
                "no content folder at {} (set content_dir in {})",
                content.display(),
                crate::config::CONFIG_FILE
            )));
        }
        let discovered = source::discover(&content);
        let analyzer = Analyzer::new(&self.config);
        let files: Vec<FileResult> = discovered
            .sources
            .par_iter()
            .map(|s| analyzer.analyze(s))
            .collect();
        Ok(Analysis { files, discovered })
    }

    /// Builds the site into its output folder.
    pub fn build(&self, opts: &BuildOptions) -> Result<(BuildSummary, Analysis)> {
        let started = Instant::now();
        let analysis = self.analyze()?;
        let mut config = self.config.clone();
        if let Some(b) = &opts.base_url {
            config.base_url = b.clone();
        }
        let drafts = opts.drafts || config.drafts;
        let templates = Templates::load(&self.root, &config.theme)?;
        let out_dir = self.output_dir(opts);
        let output = Output::prepare(
            &out_dir,
            &[&self.root, &self.content_dir()],
            Some(&self.content_dir()),
        )?;
        let pages = render_site(&config, &templates, &analysis, drafts, &output)?;
        let output_path = output.dir().to_owned();
        output.commit()?;
        let published = |f: &&FileResult| drafts || !f.is_draft();
        let summary = BuildSummary {
            output: output_path,
            files: analysis.files.len(),
            postmortems: analysis
                .files
                .iter()
                .filter(published)
                .map(|f| f.entries.len())
                .sum(),
            drafts_skipped: analysis
                .files
                .iter()
                .filter(|f| !drafts && f.is_draft())
                .map(|f| f.entries.len())
                .sum(),
            pages,
            elapsed: started.elapsed(),
        };
        Ok((summary, analysis))
    }
}

/// One postmortem as the listings see it.
struct Published<'a> {
    card: Card,
    entry: &'a Entry,
    file: &'a FileResult,
}

#[derive(Serialize)]
struct Stats {
    files: usize,
    postmortems: usize,
    perfect: usize,
    not_postmortems: usize,
    collections: usize,
    tags: usize,
    average_score: f64,
}

#[derive(Serialize)]
struct TermCount {
    #[serde(flatten)]
    term: TermRef,
    count: usize,
}

/// Renders every page into `output`; returns the number of pages written.
fn render_site(
    config: &Config,
    templates: &Templates,
    analysis: &Analysis,
    drafts: bool,
    output: &Output,
) -> Result<usize> {
    let site = SiteInfo::new(config);
    let mut items: Vec<Published> = analysis
        .files
        .iter()
        .filter(|f| drafts || !f.is_draft())
        .flat_map(|f| {
            f.entries.iter().map(move |e| Published {
                card: Card::new(&e.postmortem, &f.path),
                entry: e,
                file: f,
            })
        })
        .collect();
    dedupe_slugs(&mut items);
    sort_cards(&mut items, config.sort_by, config.reverse);

    // Listings: tags and collections, each a list of indexes into `items`.
    let mut tags: BTreeMap<String, (TermRef, Vec<usize>)> = BTreeMap::new();
    let mut collections: BTreeMap<String, (TermRef, Vec<usize>)> = BTreeMap::new();
    for (i, it) in items.iter().enumerate() {
        for t in &it.card.tags {
            tags.entry(t.slug.clone())
                .or_insert_with(|| (t.clone(), Vec::new()))
                .1
                .push(i);
        }
        if let Some(c) = &it.card.collection {
            collections
                .entry(c.slug.clone())
                .or_insert_with(|| (c.clone(), Vec::new()))
                .1
                .push(i);
        }
    }
    let counts = |m: &BTreeMap<String, (TermRef, Vec<usize>)>| -> Vec<TermCount> {
        let mut v: Vec<TermCount> = m
            .values()
            .map(|(t, ix)| TermCount {
                term: t.clone(),
                count: ix.len(),
            })
            .collect();
        v.sort_by(|a, b| b.count.cmp(&a.count).then(a.term.name.cmp(&b.term.name)));
        v
    };
    let tag_counts = counts(&tags);
    let collection_counts = {
        let mut v = counts(&collections);
        v.sort_by(|a, b| a.term.name.cmp(&b.term.name));
        v
    };
    let not_postmortems: Vec<_> = analysis
        .files
        .iter()
        .filter(|f| f.entries.is_empty())
        .collect();
    let perfect = items.iter().filter(|i| i.card.score.is_perfect()).count();
    let stats = Stats {
        files: analysis.files.len(),
        postmortems: items.len(),
        perfect,
        not_postmortems: not_postmortems.len(),
        collections: collections.len(),
        tags: tags.len(),
        average_score: if items.is_empty() {
            0.0
        } else {
            let s: usize = items.iter().map(|i| i.card.score.passed).sum();
            (s as f64 / items.len() as f64 * 10.0).round() / 10.0
        },
    };
    let base = |path: &str, title: &str| -> tera::Context {
        let mut ctx = tera::Context::new();
        ctx.insert("site", &site);
        ctx.insert("root", &render::root_prefix(path));
        ctx.insert("page_path", path);
        ctx.insert("page_title", title);
        ctx.insert("canonical", &format!("{}{}", site.base_url, path));
        ctx.insert("stats", &stats);
        ctx.insert("nav_collections", &collection_counts);
        ctx
    };
    let write_page = |path: &str, html: String| output.write(&format!("{path}index.html"), html);

    // Postmortem pages, in parallel.
    let assets: HashSet<String> = analysis
        .discovered
        .assets
        .iter()
        .map(|a| a.rel.clone())
        .collect();
    let cards: Vec<&Card> = items.iter().map(|i| &i.card).collect();
    items
        .par_iter()
        .enumerate()
        .try_for_each(|(i, it)| -> Result<()> {
            let path = it.card.url.clone();
            let root = render::root_prefix(&path);
            let source_dir = Path::new(&it.file.path)
                .parent()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            let body = markdown::render(
                &it.entry.markdown,
                &Links {
                    source_dir: &source_dir,
                    assets: &assets,
                    root: &root,
                },
            );
            let mut ctx = base(&path, &it.card.title);
            ctx.insert("pm", &it.entry.postmortem);
            ctx.insert("card", &it.card);
            ctx.insert("content", &body.html);
            ctx.insert("toc", &body.toc);
            let diagram = crate::render::timeline_svg::draw(&it.entry.postmortem, "tl");
            ctx.insert(
                "diagram_horizontal",
                &diagram.as_ref().map(|d| d.horizontal.as_str()),
            );
            ctx.insert(
                "diagram_vertical",
                &diagram.as_ref().map(|d| d.vertical.as_str()),
            );
            ctx.insert("has_code", &body.has_code);
            ctx.insert(
                "check_groups",
                &check_groups(&it.entry.postmortem.checks, it.file),
            );
            ctx.insert("prev", &i.checked_sub(1).map(|p| cards[p]));
            ctx.insert("next", &cards.get(i + 1));
            ctx.insert("source", &it.file.path);
            ctx.insert("encoding", it.file.encoding.as_str());
            ctx.insert("repaired", &it.file.repaired);
            let html = templates.render("postmortem.html", &ctx)?;
            write_page(&path, html)
        })?;
    let mut pages = items.len();

    // Index and listing pages.
    let per_page = if config.paginate_by == 0 {
        usize::MAX
    } else {
        config.paginate_by
    };
    let mut paginate = |base_path: &str,
                        template: &str,
                        ixs: &[usize],
                        extra: &dyn Fn(&mut tera::Context)|
     -> Result<()> {
        let total = ixs.len().div_ceil(per_page).max(1);
        for n in 1..=total {
            let path = render::page_path(base_path, n);
            let chunk: Vec<&Card> = ixs
                .iter()
                .skip((n - 1) * per_page)
                .take(per_page)
                .map(|&i| &items[i].card)
                .collect();
            let mut ctx = base(&path, &site.title);
            ctx.insert("cards", &chunk);
            ctx.insert("paginator", &Paginator::new(base_path, n, total));
            ctx.insert("tags", &tag_counts);
            ctx.insert("collections", &collection_counts);
            extra(&mut ctx);
            write_page(&path, templates.render(template, &ctx)?)?;
            pages += 1;
        }
        Ok(())
    };
    let all: Vec<usize> = (0..items.len()).collect();
    paginate("", "index.html", &all, &|_| {})?;
    for (term, ixs) in tags.values() {
        paginate(&term.url, "taxonomy.html", ixs, &|ctx| {
            ctx.insert("kind", "tag");
            ctx.insert("term", term);
            ctx.insert("page_title", &format!("Tag: {}", term.name));
        })?;
    }
    for (term, ixs) in collections.values() {
        paginate(&term.url, "taxonomy.html", ixs, &|ctx| {
            ctx.insert("kind", "collection");
            ctx.insert("term", term);
            ctx.insert("page_title", &format!("Collection: {}", term.name));
        })?;
    }
    for (path, kind, terms) in [
        ("tags/", "tags", &tag_counts),
        ("collections/", "collections", &collection_counts),
    ] {
        let mut ctx = base(
            path,
            if kind == "tags" {
                "Tags"
            } else {
                "Collections"
            },
        );
        ctx.insert("kind", kind);
        ctx.insert("terms", terms);
        write_page(path, templates.render("list.html", &ctx)?)?;
        pages += 1;
    }

    // The class picture.
    let insights = crate::insights::compute(&cards);
    let mut ctx = base("insights/", "Class insights");
    ctx.insert("insights", &insights);
    ctx.insert("charts", &insight_charts(&insights, "../"));
    write_page("insights/", templates.render("insights.html", &ctx)?)?;
    pages += 1;

    // The instructor's grading report.
    let mandatory: Vec<&str> = CheckId::ALL
        .iter()
        .filter(|c| c.is_mandatory())
        .map(|c| c.as_str())
        .collect();
    let pass_rates: Vec<f64> = (0..mandatory.len())
        .map(|k| {
            let n = items
                .iter()
                .filter(|i| i.card.mandatory.get(k).copied().unwrap_or(false))
                .count();
            if items.is_empty() {
                0.0
            } else {
                (n as f64 * 1000.0 / items.len() as f64).round() / 10.0
            }
        })
        .collect();
    #[derive(Serialize)]
    struct Rejected<'a> {
        path: &'a str,
        reason: String,
    }
    let rejected: Vec<Rejected> = not_postmortems
        .iter()
        .map(|f| Rejected {
            path: &f.path,
            reason: f
                .problems
                .iter()
                .find(|p| p.level >= Level::Warning)
                .map_or_else(|| "no postmortem found".to_owned(), |p| p.message.clone()),
        })
        .collect();
    let mut ctx = base("report/", "Grading report");
    ctx.insert("cards", &cards);
    ctx.insert("check_ids", &mandatory);
    ctx.insert("pass_rates", &pass_rates);
    ctx.insert("rejected", &rejected);
    write_page("report/", templates.render("report.html", &ctx)?)?;
    pages += 1;

    // The 404 page is served for any missing path, so its links cannot be relative.
    let mut ctx = base("", "Page not found");
    ctx.insert("root", &site.base_url);
    output.write("404.html", templates.render("404.html", &ctx)?)?;
    pages += 1;

    // Static files: the theme's, the highlighting stylesheet, and content assets.
    for (rel, src) in &templates.statics {
        let target = format!("static/{rel}");
        match src {
            StaticSource::Builtin(text) => output.write(&target, text)?,
            StaticSource::File(path) => output.copy(&target, path)?,
        }
    }
    output.write("static/syntax.css", {
        let (light, dark) = config.highlight.resolve(&templates.theme.highlight);
        render::highlight::stylesheet(&light, &dark)
    })?;
    for a in &analysis.discovered.assets {
        output.copy(&format!("files/{}", a.rel), &a.path)?;
    }
    Ok(pages)
}

#[derive(Serialize)]
struct InsightCharts {
    checks: String,
    durations: String,
    users: String,
    tags: String,
}

/// The insights page's charts; `root` is the page's prefix back to the site root.
fn insight_charts(i: &crate::insights::Insights, root: &str) -> InsightCharts {
    use crate::render::charts::{Bar, bars, columns};
    let checks: Vec<Bar> = i
        .all
        .checks
        .iter()
        .map(|c| Bar {
            label: c.id.to_owned(),
            value: c.percent,
            text: format!("{}%", c.percent),
            href: None,
        })
        .collect();
    let max_tag = i.all.tags.iter().map(|t| t.count).max().unwrap_or(1) as f64;
    let tags: Vec<Bar> = i
        .all
        .tags
        .iter()
        .map(|t| Bar {
            label: format!("#{}", t.tag.name),
            value: t.count as f64,
            text: t.count.to_string(),
            href: Some(format!("{root}{}", t.tag.url)),
        })
        .collect();
    let buckets = |d: &crate::insights::Distribution| -> Vec<(String, usize)> {
        d.buckets
            .iter()
            .map(|b| (b.label.to_owned(), b.count))
            .collect()
    };
    InsightCharts {
        checks: bars(
            "chart-checks",
            "Pass rate of each mandatory check",
            &checks,
            100.0,
            Some(50.0),
        ),
        durations: columns(
            "chart-durations",
            "Outage durations",
            &buckets(&i.all.durations),
        ),
        users: columns(
            "chart-users",
            "Share of users affected",
            &buckets(&i.all.users),
        ),
        tags: bars("chart-tags", "Most common tags", &tags, max_tag, None),
    }
}

#[derive(Serialize)]
struct CheckGroup<'a> {
    section: &'static str,
    checks: Vec<CheckView<'a>>,
}

/// A check as the page shows it: the verdict and the words of its evidence line.
#[derive(Serialize)]
struct CheckView<'a> {
    #[serde(flatten)]
    check: &'a crate::model::CheckResult,
    quote: Option<String>,
}

/// Checks grouped by the rubric section they belong to, in rubric order, each with the
/// line it points at quoted from the source.
fn check_groups<'a>(
    checks: &'a [crate::model::CheckResult],
    file: &FileResult,
) -> Vec<CheckGroup<'a>> {
    let mut groups: Vec<CheckGroup> = Vec::new();
    for c in checks {
        let quote = c
            .line
            .and_then(|n| file.line_text(n))
            .map(evidence_words)
            .filter(|t| !t.is_empty())
            .map(|t| crate::extract::outage::truncate(&t, 180));
        let view = CheckView { check: c, quote };
        let section = c.id.section();
        match groups.iter_mut().find(|g| g.section == section) {
            Some(g) => g.checks.push(view),
            None => groups.push(CheckGroup {
                section,
                checks: vec![view],
            }),
        }
    }
    groups
}

/// The words of a source line without its markdown: "# Title" → "Title", "- 10:00 x" → "10:00 x".
fn evidence_words(line: &str) -> String {
    let t = line.trim_start().trim_start_matches(['#', '>', ' ']);
    let t = crate::document::lines::strip_marker(t);
    crate::document::lines::clean_inline(t)
}

/// Two files may claim the same slug (front matter); later ones get a suffix.
fn dedupe_slugs(items: &mut [Published]) {
    let mut seen: HashSet<String> = HashSet::new();
    for it in items.iter_mut() {
        let mut slug = it.card.slug.clone();
        let mut n = 2;
        while !seen.insert(slug.clone()) {
            slug = format!("{}-{n}", it.card.slug);
            n += 1;
        }
        if slug != it.card.slug {
            it.card.slug = slug.clone();
            it.card.url = render::postmortem_path(&slug);
        }
    }
}

fn sort_cards(items: &mut [Published], by: SortBy, reverse: bool) {
    items.sort_by(|a, b| {
        let (a, b) = (&a.card, &b.card);
        let ord = match by {
            // Newest first; undated last.
            SortBy::Date => b
                .date
                .is_some()
                .cmp(&a.date.is_some())
                .then_with(|| b.date.cmp(&a.date)),
            SortBy::Title => a.title.to_lowercase().cmp(&b.title.to_lowercase()),
            SortBy::Score => b.score.passed.cmp(&a.score.passed),
            SortBy::Duration => b
                .duration_minutes
                .unwrap_or(-1)
                .cmp(&a.duration_minutes.unwrap_or(-1)),
            SortBy::Path => std::cmp::Ordering::Equal,
        };
        ord.then_with(|| a.source.cmp(&b.source))
            .then_with(|| a.slug.cmp(&b.slug))
    });
    if reverse {
        items.reverse();
    }
}
