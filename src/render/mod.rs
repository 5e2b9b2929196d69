//! Rendering: markdown to safe HTML, code highlighting, templates, and the compact
//! per-postmortem [`Card`]s every listing is built from.

pub mod budget;
pub mod charts;
pub mod emoji;
pub mod feeds;
pub mod highlight;
pub mod markdown;
pub mod plain;
pub mod preview;
pub mod report;
pub mod search;
pub mod sitemap;
pub mod templates;
pub mod timeline_svg;
pub mod xml;

use crate::config::Config;
use crate::model::{Postmortem, Score, Severity};
use crate::slug::slugify;
use serde::Serialize;

/// Where every postmortem's page lives: a stable permalink under the site root.
pub fn postmortem_path(slug: &str) -> String {
    format!("incidents/{slug}/")
}

pub fn tag_path(slug: &str) -> String {
    format!("tags/{slug}/")
}

pub fn collection_path(slug: &str) -> String {
    format!("collections/{slug}/")
}

/// The path of page `n` (1-based) of a paginated listing whose first page is `base`.
pub fn page_path(base: &str, n: usize) -> String {
    if n <= 1 {
        base.to_owned()
    } else {
        format!("{base}page/{n}/")
    }
}

/// The relative prefix from a page at `path` (like "tags/dns/") back to the root.
pub fn root_prefix(path: &str) -> String {
    let depth = path.split('/').filter(|s| !s.is_empty()).count();
    if depth == 0 {
        "./".to_owned()
    } else {
        "../".repeat(depth)
    }
}

/// Site-wide values every template sees as `site`.
#[derive(Clone, Debug, Serialize)]
pub struct SiteInfo {
    pub title: String,
    pub description: String,
    pub base_url: String,
    pub language: String,
    pub author: Option<String>,
    pub extra: toml::Table,
    pub generator: String,
}

impl SiteInfo {
    pub fn new(config: &Config) -> Self {
        SiteInfo {
            title: config.title.clone(),
            description: config.description.clone(),
            base_url: config.base_url_slash(),
            language: config.language.clone(),
            author: config.author.clone(),
            extra: config.extra.clone(),
            generator: format!("Hindsight {}", env!("CARGO_PKG_VERSION")),
        }
    }
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TermRef {
    pub name: String,
    pub slug: String,
    pub url: String,
}

/// A compact summary of one postmortem: all a listing needs, so listings never hold
/// whole postmortems or their pages.
#[derive(Clone, Debug, Serialize)]
pub struct Card {
    pub title: String,
    pub slug: String,
    pub url: String,
    pub summary: Option<String>,
    pub date: Option<String>,
    pub author: Option<String>,
    pub collection: Option<TermRef>,
    pub tags: Vec<TermRef>,
    pub score: Score,
    pub severity: Severity,
    pub duration_minutes: Option<i64>,
    pub users_affected_percent: Option<f64>,
    pub time_to_detect_minutes: Option<i64>,
    pub time_to_resolve_minutes: Option<i64>,
    pub timezone: Option<String>,
    pub start: Option<String>,
    pub humorous: bool,
    pub word_count: usize,
    pub timeline_entries: usize,
    /// The group of its root cause ([`crate::causes`]), when one was found.
    pub cause: Option<&'static str>,
    /// The content file it came from.
    pub source: String,
    /// Pass/fail of each mandatory check, in rubric order, for the grading report.
    pub mandatory: Vec<bool>,
}

impl Card {
    pub fn new(pm: &Postmortem, source: &str) -> Card {
        Card {
            // As pages show them: with emoji for their shortcodes.
            title: emoji::shortcodes(&pm.title).into_owned(),
            slug: pm.slug.clone(),
            url: postmortem_path(&pm.slug),
            summary: pm
                .summary
                .as_deref()
                .map(|s| emoji::shortcodes(s).into_owned()),
            date: pm.date.map(|d| d.to_string()),
            author: pm.author.clone(),
            collection: pm.collection.as_ref().map(|c| term(c, collection_path)),
            tags: pm.tags.iter().map(|t| term(t, tag_path)).collect(),
            score: pm.score,
            severity: pm.severity,
            duration_minutes: pm.outage.duration_minutes,
            users_affected_percent: pm.outage.users_affected_percent,
            time_to_detect_minutes: pm.time_to_detect_minutes,
            time_to_resolve_minutes: pm.time_to_resolve_minutes,
            timezone: pm.outage.timezone.clone(),
            start: pm.outage.start.as_ref().map(|m| m.local.to_string()),
            humorous: pm.humorous,
            word_count: pm.word_count,
            timeline_entries: pm.timeline.len(),
            cause: pm
                .root_cause
                .as_deref()
                .map(|r| crate::causes::group(r).slug),
            source: source.to_owned(),
            mandatory: pm
                .checks
                .iter()
                .filter(|c| c.id.is_mandatory())
                .map(|c| c.passed())
                .collect(),
        }
    }
}

pub fn term(name: &str, path: fn(&str) -> String) -> TermRef {
    let slug = slugify(name);
    let slug = if slug.is_empty() {
        "untitled".to_owned()
    } else {
        slug
    };
    TermRef {
        name: name.to_owned(),
        url: path(&slug),
        slug,
    }
}

/// Links between the pages of a paginated listing, relative to the site root.
#[derive(Clone, Debug, Serialize)]
pub struct Paginator {
    pub current: usize,
    pub total: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
    /// Links to the first and last pages and to the pages around the current one (so a
    /// page's links do not grow with the listing's length).
    pub pages: Vec<PageLink>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PageLink {
    pub number: usize,
    pub url: String,
    pub current: bool,
    /// Pages are left out before this one (the pager shows an ellipsis).
    pub gap_before: bool,
}

/// How many pages either side of the current one the pager links to.
const PAGER_REACH: usize = 2;

impl Paginator {
    pub fn new(base: &str, current: usize, total: usize) -> Paginator {
        let near = current.saturating_sub(PAGER_REACH).max(1)..=(current + PAGER_REACH).min(total);
        let shown = std::iter::once(1)
            .chain(near.filter(|&n| n != 1 && n != total))
            .chain((total > 1).then_some(total));
        let mut pages: Vec<PageLink> = Vec::new();
        for n in shown {
            let gap_before = pages.last().is_some_and(|p| p.number + 1 < n);
            pages.push(PageLink {
                number: n,
                url: page_path(base, n),
                current: n == current,
                gap_before,
            });
        }
        Paginator {
            current,
            total,
            prev: (current > 1).then(|| page_path(base, current - 1)),
            next: (current < total).then(|| page_path(base, current + 1)),
            pages,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_prefixes() {
        assert_eq!(root_prefix(""), "./");
        assert_eq!(root_prefix("incidents/x/"), "../../");
        assert_eq!(root_prefix("tags/dns/page/2/"), "../../../../");
        assert_eq!(page_path("tags/dns/", 1), "tags/dns/");
        assert_eq!(page_path("", 3), "page/3/");
    }

    #[test]
    fn paginator_links() {
        let p = Paginator::new("", 2, 3);
        assert_eq!(p.prev.as_deref(), Some(""));
        assert_eq!(p.next.as_deref(), Some("page/3/"));
        assert_eq!(p.pages.len(), 3);
        assert!(p.pages[1].current);
        assert!(p.pages.iter().all(|l| !l.gap_before));
    }

    #[test]
    fn long_listings_link_to_the_ends_and_the_pages_around() {
        let numbers = |p: &Paginator| -> Vec<(usize, bool)> {
            p.pages.iter().map(|l| (l.number, l.gap_before)).collect()
        };
        let p = Paginator::new("tags/dns/", 50, 400);
        assert_eq!(
            numbers(&p),
            [
                (1, false),
                (48, true),
                (49, false),
                (50, false),
                (51, false),
                (52, false),
                (400, true)
            ]
        );
        assert_eq!(p.pages[3].url, "tags/dns/page/50/");
        assert_eq!(
            numbers(&Paginator::new("", 1, 400)),
            [(1, false), (2, false), (3, false), (400, true)]
        );
        assert_eq!(
            numbers(&Paginator::new("", 4, 6)),
            [
                (1, false),
                (2, false),
                (3, false),
                (4, false),
                (5, false),
                (6, false)
            ]
        );
        assert_eq!(numbers(&Paginator::new("", 1, 1)), [(1, false)]);
    }
}
