//! Rendering the site: every page and static file, into a [`Sink`].
//!
//! Each output file carries a fingerprint of everything that went into it. A render
//! keeps the fingerprints of the last one in [`RenderState`] and skips files whose
//! inputs did not change, so a full build and an incremental rebuild run the same
//! code and produce the same bytes; the incremental one just writes less. A postmortem's
//! body (markdown → sanitized HTML) is rendered with its page, when its page is, and
//! not kept: holding every body was a fifth of a large build's memory.

use crate::analyze::{Entry, FileResult};
use crate::config::{Config, SortBy};
use crate::copies::{self, Copies};
use crate::error::Result;
use crate::model::{CheckId, Diagnostic};
use crate::progress::{Progress, Stage};
use crate::render::budget::Watchdog;
use crate::render::markdown::{self, Links};
use crate::render::preview::{self, Preview};
use crate::render::sitemap::{self, Page as Sitemapped};
use crate::render::templates::{StaticSource, Templates};
use crate::render::{self, Card, Paginator, SiteInfo, TermRef, feeds};
use crate::source::SourcePath;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasher, Hasher};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Where rendered files go: a staging folder for a build, the live output for serve.
pub trait Sink: Sync {
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<()>;
    fn copy(&self, rel: &str, from: &Path) -> Result<()>;
    /// Removes a file that is no longer produced (only incremental sinks need this).
    fn remove(&self, _rel: &str) -> Result<()> {
        Ok(())
    }
    /// Whether the output folder holds a file of the user's (one Hindsight did not
    /// write) at `rel`: a file Hindsight writes only when the site has none of its own
    /// (`robots.txt`, `sitemap.xml`) is then left out, and theirs stays.
    fn users(&self, _rel: &str) -> bool {
        false
    }
}

impl Sink for crate::output::Output {
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        crate::output::Output::write(self, rel, bytes)
    }

    fn copy(&self, rel: &str, from: &Path) -> Result<()> {
        crate::output::Output::copy(self, rel, from)
    }

    fn users(&self, rel: &str) -> bool {
        crate::output::Output::users(self, rel)
    }
}

impl Sink for crate::output::Published {
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        crate::output::Published::write(self, rel, bytes)
    }

    fn copy(&self, rel: &str, from: &Path) -> Result<()> {
        crate::output::Published::copy(self, rel, from)
    }

    fn remove(&self, rel: &str) -> Result<()> {
        crate::output::Published::remove(self, rel)
    }

    fn users(&self, rel: &str) -> bool {
        crate::output::Published::users(self, rel)
    }
}

/// Rows on a page of the grading report: a class of thousands stays a page a browser
/// opens at once.
const REPORT_ROWS: usize = 250;

/// The listing of every postmortem, the folder of their pages.
const INCIDENTS: &str = "incidents/";

/// What the last render produced, so the next one can skip what did not change.
#[derive(Default)]
pub struct RenderState {
    /// Output path → fingerprint of its inputs.
    written: Fingerprints,
    /// Each postmortem's card as made from its file, and the card's fingerprint, by
    /// (file fingerprint, which covers its path; entry index).
    cards: HashMap<(u64, usize), (Arc<Card>, u64), crate::words::Fx>,
    /// The class's and each collection's figures, by their cards' fingerprints.
    figures: crate::insights::Remembered,
    /// Whether a render has been made with this state (a preview's rebuilds keep more).
    rendered: bool,
    /// The grading report's records, kept from a preview's second render on (see
    /// [`render::report::render_keeping`]).
    report: render::report::Kept,
    /// The near-duplicate pairs of the last render (see [`near_duplicates`]).
    copies: Option<Copied>,
    /// What each postmortem is compared by for its related ones, by the cards' key.
    features: HashMap<(u64, usize), Arc<crate::related::Features>, crate::words::Fx>,
    /// The last related lists, and the fingerprint of the features they were found from
    /// (in the listings' order): most edits change none of them.
    related: Option<RelatedLists>,
}

/// Each postmortem's related ones, as indexes into the listings' order, and the
/// fingerprint of the features they were found from. Kept between builds with the
/// output's fingerprints: finding them is most of a one-file rebuild at 10,000.
pub type RelatedLists = (u64, Arc<Vec<Vec<usize>>>);

impl RenderState {
    /// Forgets what was made from the postmortems' readings (cards, related lists,
    /// copies, figures, report records), keeping what each output file was made from:
    /// for when every file is read again under new settings, which change readings
    /// whose files did not change (a tag rule, a check's level).
    pub fn forget_readings(&mut self) {
        let written = std::mem::take(&mut self.written);
        *self = RenderState {
            written,
            ..RenderState::default()
        };
    }

    /// Takes the fingerprints of files already in the output as a previous render
    /// wrote them (see [`crate::output::previous_fingerprints`]): files whose inputs
    /// did not change are then not written again.
    pub fn remember(&mut self, written: Fingerprints) {
        self.written = written;
    }

    /// Takes the related lists a previous build found (see [`RelatedLists`]), unless
    /// this state holds its own.
    pub fn remember_related(&mut self, related: Option<RelatedLists>) {
        if self.related.is_none() {
            self.related = related;
        }
    }

    /// The related lists of the last render.
    pub fn related(&self) -> Option<&RelatedLists> {
        self.related.as_ref()
    }

    /// Output path → fingerprint of its inputs, for every file the last render produced.
    pub fn fingerprints(&self) -> &Fingerprints {
        &self.written
    }
}

/// Everything a render reads.
pub struct Inputs<'a> {
    /// The site folder (for its `static/`).
    pub root: &'a Path,
    pub config: &'a Config,
    pub templates: &'a Templates,
    /// Changes whenever the templates are reloaded, so every page re-renders.
    pub templates_id: u64,
    /// Every analysed file, in path order.
    pub files: Vec<&'a FileResult>,
    pub assets: &'a [SourcePath],
    pub drafts: bool,
    /// Follows every page rendered (each within `config.limits`); cancels them.
    pub watchdog: &'a Watchdog,
    /// Told of every page rendered.
    pub progress: &'a dyn Progress,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RenderReport {
    /// Pages produced (HTML files), written or not.
    pub pages: usize,
    /// Files actually written this time.
    pub written: Vec<String>,
    /// Files no longer produced (removed from an incremental sink).
    pub removed: Vec<String>,
}

/// Each output file's fingerprint, by its path in the output folder.
pub type Fingerprints = HashMap<String, u64, crate::words::Fx>;

/// A fingerprint of plain values that hash (cheaper than [`fingerprint`], which goes
/// through their serialization).
fn hashed<T: std::hash::Hash + ?Sized>(value: &T) -> u64 {
    foldhash::fast::FixedState::default().hash_one(value)
}

/// A fingerprint of anything serializable, without building the string (foldhash with
/// its fixed seed: fast, and the same from one run to the next).
fn fingerprint<T: Serialize + ?Sized>(value: &T) -> u64 {
    struct HashWriter(foldhash::fast::FoldHasher<'static>);
    impl std::io::Write for HashWriter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.write(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut w = HashWriter(foldhash::fast::FixedState::default().build_hasher());
    // Serializing plain data into a hasher cannot fail.
    let _ = serde_json::to_writer(&mut w, value);
    w.0.finish()
}

/// A file's modification stamp, for fingerprinting copied files without reading them.
fn file_stamp(path: &Path) -> (u64, u64) {
    std::fs::metadata(path)
        .map(|m| {
            let mtime = m.modified().ok().and_then(crate::output::nanos);
            (m.len(), mtime.unwrap_or(0))
        })
        .unwrap_or_default()
}

/// One postmortem as the listings see it.
struct Published<'a> {
    card: Arc<Card>,
    /// The card's fingerprint.
    fp: u64,
    entry: &'a Entry,
    file: &'a FileResult,
}

/// The site's figures every page's footer may show.
#[derive(Serialize)]
pub(crate) struct Stats {
    pub(crate) files: usize,
    pub(crate) postmortems: usize,
    pub(crate) perfect: usize,
    pub(crate) not_postmortems: usize,
    pub(crate) collections: usize,
    pub(crate) tags: usize,
    pub(crate) average_score: f64,
}

#[derive(Serialize)]
pub(crate) struct TermCount {
    #[serde(flatten)]
    term: TermRef,
    count: usize,
}

/// What every page's template sees: the site, the way back to its root, the page's own
/// path and title, the site's figures and its collections.
pub(crate) fn page_context(
    site: &SiteInfo,
    stats: &Stats,
    nav_collections: &[TermCount],
    path: &str,
    title: &str,
) -> tera::Context {
    let mut ctx = tera::Context::new();
    ctx.insert("site", site);
    ctx.insert("root", &render::root_prefix(path));
    ctx.insert("page_path", path);
    ctx.insert("page_title", title);
    ctx.insert("canonical", &format!("{}{}", site.base_url, path));
    ctx.insert("stats", stats);
    ctx.insert("nav_collections", nav_collections);
    ctx
}

/// One postmortem's page: what `postmortem.html` sees besides what every page does.
/// The site's page and the one-file export ([`crate::export`]) are both made from it.
pub(crate) struct PostmortemPage<'a> {
    pub(crate) entry: &'a Entry,
    pub(crate) file: &'a FileResult,
    pub(crate) card: &'a Card,
    /// The body, rendered.
    pub(crate) body: &'a markdown::Rendered,
    pub(crate) prev: Option<&'a Card>,
    pub(crate) next: Option<&'a Card>,
    /// The theme draws the diagram in a monospace font.
    pub(crate) mono_diagram: bool,
    /// The submissions it is a near-duplicate of, when the site shows them.
    pub(crate) copies: &'a [Similar<'a>],
    /// Its related postmortems, most related first (none in an export).
    pub(crate) related: &'a [RelatedCard<'a>],
}

/// A submission a postmortem is a near-duplicate of, as its page shows it.
#[derive(Serialize, Hash)]
pub(crate) struct Similar<'a> {
    pub(crate) title: &'a str,
    pub(crate) url: &'a str,
    pub(crate) source: &'a str,
    pub(crate) percent: u32,
    pub(crate) passages: Vec<SharedPassage<'a>>,
}

/// A passage two submissions share: its lines in this one's file and in the other's.
#[derive(Serialize, Hash)]
pub(crate) struct SharedPassage<'a> {
    pub(crate) lines: (u32, u32),
    pub(crate) their_lines: (u32, u32),
    pub(crate) words: usize,
    pub(crate) text: &'a str,
}

/// A related postmortem as its neighbour's page shows it: its card and the tags the two
/// share.
#[derive(Serialize)]
pub(crate) struct RelatedCard<'a> {
    pub(crate) card: &'a Card,
    pub(crate) shared: Vec<&'a TermRef>,
}

impl<'a> RelatedCard<'a> {
    fn new(of: &Card, card: &'a Card) -> RelatedCard<'a> {
        let shared = card
            .tags
            .iter()
            .filter(|t| of.tags.iter().any(|o| o.slug == t.slug))
            .collect();
        RelatedCard { card, shared }
    }
}

impl PostmortemPage<'_> {
    pub(crate) fn insert_into(&self, ctx: &mut tera::Context) {
        let pm = render::emoji::shown(&self.entry.postmortem);
        let pm = pm.as_ref();
        ctx.insert("pm", pm);
        ctx.insert("card", self.card);
        ctx.insert("content", &self.body.html);
        ctx.insert("toc", &self.body.toc);
        ctx.insert("has_code", &self.body.has_code);
        let diagram = render::timeline_svg::draw_in(pm, "tl", self.mono_diagram);
        ctx.insert(
            "diagram_horizontal",
            &diagram.as_ref().map(|d| d.horizontal.as_str()),
        );
        ctx.insert(
            "diagram_vertical",
            &diagram.as_ref().map(|d| d.vertical.as_str()),
        );
        ctx.insert("check_groups", &check_groups(&pm.checks, self.file));
        ctx.insert("prev", &self.prev);
        ctx.insert("next", &self.next);
        ctx.insert("related", self.related);
        ctx.insert("source", &self.file.path);
        ctx.insert("encoding", &self.file.encoding.label());
        ctx.insert("repaired", &self.file.repaired);
        ctx.insert("copies", self.copies);
    }
}

/// Collects what a render produced and writes what changed.
struct Emitter<'a> {
    previous: &'a Fingerprints,
    produced: Mutex<Fingerprints>,
    written: Mutex<Vec<String>>,
    sink: &'a dyn Sink,
}

impl Emitter<'_> {
    /// Records `rel` with fingerprint `fp`; renders and writes it only when it changed.
    fn text(&self, rel: &str, fp: u64, make: impl FnOnce() -> Result<String>) -> Result<()> {
        self.text_at(rel.to_owned(), fp, make)
    }

    /// [`Emitter::text`], taking the path it is given (every page's is made anew, and
    /// kept as it is).
    fn text_at(&self, rel: String, fp: u64, make: impl FnOnce() -> Result<String>) -> Result<()> {
        self.bytes_at(rel, fp, || make().map(String::into_bytes))
    }

    /// [`Emitter::text_at`] for a file that is not text (a preview image).
    fn bytes_at(&self, rel: String, fp: u64, make: impl FnOnce() -> Result<Vec<u8>>) -> Result<()> {
        if self.changed(&rel, fp) {
            let bytes = make()?;
            self.sink.write(&rel, &bytes)?;
        }
        self.produced(rel, fp);
        Ok(())
    }

    fn copy(&self, rel: &str, from: &Path) -> Result<()> {
        let fp = fingerprint(&(from, file_stamp(from)));
        if self.changed(rel, fp) {
            self.sink.copy(rel, from)?;
        }
        self.produced(rel.to_owned(), fp);
        Ok(())
    }

    /// True when `rel` must be written: it was not, or not from inputs of fingerprint
    /// `fp`. Such a file is listed as written.
    fn changed(&self, rel: &str, fp: u64) -> bool {
        let changed = self.previous.get(rel) != Some(&fp);
        if changed {
            self.written
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(rel.to_owned());
        }
        changed
    }

    /// Records that this render produced `rel` from inputs of fingerprint `fp`.
    fn produced(&self, rel: String, fp: u64) {
        self.produced
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(rel, fp);
    }
}

/// Renders every page and static file of the site into `sink`.
pub fn render(inputs: &Inputs, state: &mut RenderState, sink: &dyn Sink) -> Result<RenderReport> {
    let config = inputs.config;
    let templates = inputs.templates;
    let render_template = |name: &str, ctx: &tera::Context| {
        templates.render_within(name, ctx, config.limits, inputs.watchdog)
    };
    let site = SiteInfo::new(config);
    // Cards, made and fingerprinted once per file version.
    let card_key = |f: &FileResult, e: &Entry| (f.fingerprint, e.postmortem.index);
    let made: Vec<(&FileResult, &Entry)> = published(&inputs.files, inputs.drafts).collect();
    let fresh: Vec<_> = made
        .par_iter()
        .filter(|(f, e)| !state.cards.contains_key(&card_key(f, e)))
        .map(|(f, e)| {
            let card = Arc::new(Card::new(&e.postmortem, &f.path));
            let fp = fingerprint(&*card);
            (card_key(f, e), (card, fp))
        })
        .collect();
    state.cards.extend(fresh);
    let fresh: Vec<_> = made
        .par_iter()
        .filter(|(f, e)| !state.features.contains_key(&card_key(f, e)))
        .map(|(f, e)| (card_key(f, e), Arc::new(related_features(&e.postmortem))))
        .collect();
    state.features.extend(fresh);
    let mut items: Vec<Published> = made
        .iter()
        .map(|&(f, e)| {
            let (card, fp) = &state.cards[&card_key(f, e)];
            Published {
                card: card.clone(),
                fp: *fp,
                entry: e,
                file: f,
            }
        })
        .collect();
    let keep: HashSet<(u64, usize), crate::words::Fx> =
        made.iter().map(|(f, e)| card_key(f, e)).collect();
    state.cards.retain(|k, _| keep.contains(k));
    state.features.retain(|k, _| keep.contains(k));
    dedupe_slugs(&mut items);
    sort_cards(&mut items, config.sort_by, config.reverse);
    // Copied work, over every published postmortem in the order of `items`: shown on
    // the pages and in the grading report only where the site shows it (`hindsight
    // report` finds it for itself), so not looked for otherwise.
    let copies = if config.show_copies {
        near_duplicates(&items, &mut state.copies)
    } else {
        state.copies = None;
        Arc::default()
    };
    // Each postmortem's related ones, as indexes into `items`.
    let related: Arc<Vec<Vec<usize>>> = {
        let features: Vec<&crate::related::Features> = items
            .iter()
            .map(|it| &*state.features[&card_key(it.file, it.entry)])
            .collect();
        let fp = hashed(&features);
        match &state.related {
            Some((last, lists)) if *last == fp => lists.clone(),
            _ => {
                let lists: Vec<Vec<usize>> = crate::related::related(&features)
                    .into_iter()
                    .map(|r| r.into_iter().map(|r| r.index).collect())
                    .collect();
                let lists = Arc::new(lists);
                state.related = Some((fp, lists.clone()));
                lists
            }
        }
    };

    // Listings: tags and collections, each a list of indexes into `items`.
    // (Keyed by borrowed slugs: a copy of every tag of every card was a tenth of a
    // preview's rebuild.)
    // Gathered in hash maps (a postmortem's few tags each looked up among few), then
    // put in order once.
    type Members<'c> = HashMap<&'c str, (&'c TermRef, Vec<usize>), crate::words::Fx>;
    let (mut tags, mut collections) = (Members::default(), Members::default());
    for (i, it) in items.iter().enumerate() {
        for t in &it.card.tags {
            tags.entry(&t.slug).or_insert((t, Vec::new())).1.push(i);
        }
        if let Some(c) = &it.card.collection {
            collections
                .entry(&c.slug)
                .or_insert((c, Vec::new()))
                .1
                .push(i);
        }
    }
    let tags: BTreeMap<&str, (&TermRef, Vec<usize>)> = tags.into_iter().collect();
    let collections: BTreeMap<&str, (&TermRef, Vec<usize>)> = collections.into_iter().collect();
    let counts = |m: &BTreeMap<&str, (&TermRef, Vec<usize>)>| -> Vec<TermCount> {
        let mut v: Vec<TermCount> = m
            .values()
            .map(|(t, ix)| TermCount {
                term: (*t).clone(),
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
    let not_postmortems: Vec<&&FileResult> = inputs
        .files
        .iter()
        .filter(|f| f.entries.is_empty())
        .collect();
    let perfect = items.iter().filter(|i| i.card.score.is_perfect()).count();
    let stats = Stats {
        files: inputs.files.len(),
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
    // What every page shows: a change here re-renders the whole site.
    // The site's link-preview image, which every page without one of its own names (all
    // of them without `preview_images`). A preview.png of the site's own, in its static
    // folder or put into the output folder by hand, is used instead (then of a size
    // Hindsight does not know).
    let site_preview = Preview::site(&preview::SiteFacts {
        title: site.title.clone(),
        description: site.description.clone(),
        base_url: site.base_url.clone(),
        postmortems: stats.postmortems,
        perfect: stats.perfect,
        average_score: stats.average_score,
        collections: stats.collections,
    });
    let own_site_image = sink.users(preview::FILE)
        || std::fs::symlink_metadata(inputs.root.join(&config.static_dir).join(preview::FILE))
            .is_ok_and(|m| m.is_file());
    let site_image = if own_site_image {
        Image::new(&site.base_url, "", None, site.title.clone())
    } else {
        Image::new(&site.base_url, "", Some(&site_preview), site_preview.alt())
    };
    let global = fingerprint(&(
        inputs.templates_id,
        &site,
        &stats,
        &collection_counts,
        &site_image,
    ));
    let base = |path: &str, title: &str| -> tera::Context {
        let mut ctx = page_context(&site, &stats, &collection_counts, path, title);
        ctx.insert("preview", &site_image);
        ctx
    };
    let emit = Emitter {
        previous: &state.written,
        produced: Mutex::new(Fingerprints::with_capacity_and_hasher(
            state.written.len(),
            Default::default(),
        )),
        written: Mutex::new(Vec::new()),
        sink,
    };
    // Every page: one per postmortem, the listings (paginated), the tag and collection
    // lists, insights, the report (paginated) and 404.
    let per_page = if config.paginate_by == 0 {
        usize::MAX
    } else {
        config.paginate_by
    };
    let listing_pages = |n: usize| n.div_ceil(per_page).max(1);
    // Every listing page (rendered in parallel after the postmortem pages).
    struct Listing<'t> {
        base_path: &'t str,
        template: &'static str,
        /// The page's title, when it is not the site's.
        title: Option<&'static str>,
        ixs: &'t [usize],
        term: Option<(&'static str, &'t TermRef)>,
    }
    let all: Vec<usize> = (0..items.len()).collect();
    // The index: the first page of every postmortem, which incidents/ lists on all its
    // pages (what the navigation's "Incidents" and the index's "All N incidents" lead
    // to, and the folder above every permalink). Paging both would publish every page
    // of the listing twice.
    let front = &all[..items.len().min(per_page)];
    let listings = [
        Listing {
            base_path: "",
            template: "index.html",
            title: None,
            ixs: front,
            term: None,
        },
        Listing {
            base_path: INCIDENTS,
            template: "incidents.html",
            title: Some("All incidents"),
            ixs: &all,
            term: None,
        },
    ]
    .into_iter()
    .chain(tags.values().map(|(term, ixs)| Listing {
        base_path: &term.url,
        template: "taxonomy.html",
        title: None,
        ixs,
        term: Some(("tag", term)),
    }))
    .chain(collections.values().map(|(term, ixs)| Listing {
        base_path: &term.url,
        template: "taxonomy.html",
        title: None,
        ixs,
        term: Some(("collection", term)),
    }));
    let listings: Vec<Listing> = listings.collect();
    let jobs: Vec<(&Listing, usize, usize)> = listings
        .iter()
        .flat_map(|l| {
            let total = listing_pages(l.ixs.len());
            (1..=total).map(move |n| (l, n, total))
        })
        .collect();
    let report_pages = items.len().div_ceil(REPORT_ROWS).max(1);
    // The tags and collections lists, search, insights and 404 besides.
    let total_pages = items.len() + jobs.len() + report_pages + 5;
    inputs.progress.begin(Stage::Rendering, total_pages);
    let page = |path: &str, fp: u64, make: &dyn Fn() -> Result<String>| {
        emit.text_at(format!("{path}index.html"), fp, make)?;
        inputs.progress.step();
        Ok(())
    };

    // A body's inputs: its file (whose fingerprint covers its path), its place in the
    // file, and the site's assets, which its links are checked against.
    let assets: HashSet<String> = inputs.assets.iter().map(|a| a.rel.clone()).collect();
    let assets_fp = fingerprint(&{
        let mut v: Vec<&String> = assets.iter().collect();
        v.sort();
        v
    });
    let body_key = |it: &Published| (it.file.fingerprint, it.entry.postmortem.index, assets_fp);
    let render_body = |it: &Published| {
        let root = render::root_prefix(&it.card.url);
        let source_dir = Path::new(&it.file.path)
            .parent()
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        markdown::render(
            &it.entry.markdown.text(&it.file.text),
            &Links {
                source_dir: &source_dir,
                assets: &assets,
                root: &root,
            },
        )
    };

    // Postmortem pages, in parallel. Each card is fingerprinted once; the pages that
    // show it (its own, its neighbours', the listings) fingerprint that.
    let cards: Vec<&Card> = items.iter().map(|i| &*i.card).collect();
    let card_fps: Vec<u64> = items.iter().map(|it| it.fp).collect();
    items
        .par_iter()
        .enumerate()
        .try_for_each(|(i, it)| -> Result<()> {
            let prev = i.checked_sub(1).map(|p| cards[p]);
            let next = cards.get(i + 1).copied();
            let key = body_key(it);
            let around = (i.checked_sub(1).map(|p| card_fps[p]), card_fps.get(i + 1));
            // Its related postmortems' cards (what it shows of them, tags included).
            let related_fps: Vec<u64> = related[i].iter().map(|&j| card_fps[j]).collect();
            // Its preview image, drawn again only when what it shows changed (not when
            // a template did: see `preview::is_image`).
            let image = config
                .preview_images
                .drawn_for(&site.base_url)
                .then(|| Preview::incident(&site.title, &it.entry.postmortem));
            let image_fp = image.as_ref().map(fingerprint);
            if let (Some(p), Some(fp)) = (&image, image_fp) {
                emit.bytes_at(preview::path(&it.card.url), fp, || Ok(p.png()))?;
            }
            // The submissions it is a near-duplicate of, with their cards' fingerprints:
            // its page changes when a partner's does.
            let similar: Vec<Similar> = if config.show_copies {
                similar_to(i, &copies, &items)
            } else {
                Vec::new()
            };
            let partners: Vec<u64> = copies.of(i).map(|p| card_fps[p.partner(i)]).collect();
            let copies_fp = config.show_copies.then(|| hashed(&(&similar, &partners)));
            let fp = hashed(&(
                global,
                key,
                card_fps[i],
                around,
                &related_fps,
                image_fp,
                copies_fp,
            ));
            page(&it.card.url, fp, &|| {
                let body = render_body(it);
                let related: Vec<RelatedCard> = related[i]
                    .iter()
                    .map(|&j| RelatedCard::new(&it.card, cards[j]))
                    .collect();
                let mut ctx = base(&it.card.url, &it.card.title);
                PostmortemPage {
                    entry: it.entry,
                    file: it.file,
                    card: &it.card,
                    body: &body,
                    prev,
                    next,
                    mono_diagram: templates.theme.diagram.mono(),
                    copies: &similar,
                    related: &related,
                }
                .insert_into(&mut ctx);
                if let Some(p) = &image {
                    ctx.insert(
                        "preview",
                        &Image::new(&site.base_url, &it.card.url, Some(p), p.alt()),
                    );
                }
                render_template("postmortem.html", &ctx)
            })
        })?;
    let mut pages = items.len();

    // Index and listing pages.
    let tag_counts_fp = fingerprint(&tag_counts);
    jobs.par_iter()
        .try_for_each(|&(l, n, total)| -> Result<()> {
            let path = render::page_path(l.base_path, n);
            let shown = || l.ixs.iter().skip((n - 1) * per_page).take(per_page);
            let chunk_fps: Vec<u64> = shown().map(|&i| card_fps[i]).collect();
            // The pager is a function of the listing's path, the page and the count.
            let fp = hashed(&(
                global,
                l.template,
                l.title,
                &chunk_fps,
                (l.base_path, n, total),
                tag_counts_fp,
                l.term,
            ));
            page(&path, fp, &|| {
                let paginator = Paginator::new(l.base_path, n, total);
                let chunk: Vec<&Card> = shown().map(|&i| &*items[i].card).collect();
                let mut ctx = base(&path, l.title.unwrap_or(&site.title));
                ctx.insert("cards", &chunk);
                ctx.insert("paginator", &paginator);
                ctx.insert("tags", &tag_counts);
                ctx.insert("collections", &collection_counts);
                if let Some((kind, term)) = l.term {
                    let title = if kind == "tag" { "Tag" } else { "Collection" };
                    ctx.insert("kind", kind);
                    ctx.insert("term", term);
                    ctx.insert("page_title", &format!("{title}: {}", term.name));
                }
                render_template(l.template, &ctx)
            })
        })?;
    pages += jobs.len();
    // What the single pages show: the class picture, the instructor's grading report,
    // and the 404 page (served for any missing path, so its links cannot be relative;
    // its stylesheet is inlined, so it is styled wherever it is opened, from disk too).
    let insights =
        crate::insights::compute_remembering(&cards, |i| card_fps[i], &mut state.figures);
    let mandatory: Vec<&str> = CheckId::ALL
        .iter()
        .filter(|c| c.is_mandatory())
        .map(|c| c.as_str())
        .collect();
    let pass_rates: Vec<f64> = insights.all.checks.iter().map(|c| c.percent).collect();
    // The grades: a row per published postmortem, in the listings' order, its slug
    // the page's own; the files that held none, with why.
    let mut rows: Vec<crate::grades::GradeRow> = items
        .par_iter()
        .map(|it| {
            let mut row = crate::grades::GradeRow::new(it.file, it.entry);
            row.slug.clone_from(&it.card.slug);
            // Titled as the cards are: with emoji for their shortcodes.
            row.title.clone_from(&it.card.title);
            row
        })
        .collect();
    // Their near-duplicates only where the site shows copied work.
    if config.show_copies {
        crate::grades::add_near_duplicates(&mut rows, &copies);
    }
    // The checks someone misses, most missed first, and those no one does.
    let (missed, missed_none): (Vec<_>, Vec<_>) = crate::grades::most_missed(&rows)
        .into_iter()
        .partition(|m| m.missed > 0);
    let missed_none: Vec<&str> = missed_none.iter().map(|m| m.id.as_str()).collect();
    let rejected: Vec<crate::grades::Ungraded> = not_postmortems
        .iter()
        .map(|f| crate::grades::Ungraded::new(f))
        .collect();
    let inline_style = templates.static_text("style.css").and_then(Result::ok);

    // The single pages, rendered in parallel: each its file, its fingerprint and how to
    // make it.
    type Make<'m> = Box<dyn Fn() -> Result<String> + Send + Sync + 'm>;
    let mut singles: Vec<(String, u64, Make)> = Vec::new();
    for (path, kind, terms) in [
        ("tags/", "tags", &tag_counts),
        ("collections/", "collections", &collection_counts),
    ] {
        let make = move || {
            let title = if kind == "tags" {
                "Tags"
            } else {
                "Collections"
            };
            let mut ctx = base(path, title);
            ctx.insert("kind", kind);
            ctx.insert("terms", terms);
            render_template("list.html", &ctx)
        };
        let fp = fingerprint(&(global, kind, terms));
        singles.push((format!("{path}index.html"), fp, Box::new(make)));
    }
    // The search page: its filters list the tags and collections; the results come
    // from the index below, in the browser.
    singles.push((
        format!("{}index.html", render::search::PAGE),
        fingerprint(&(global, "search", &tag_counts, &collection_counts)),
        Box::new(|| {
            let mut ctx = base(render::search::PAGE, "Search");
            ctx.insert("tags", &tag_counts);
            ctx.insert("collections", &collection_counts);
            ctx.insert("index_file", render::search::INDEX_FILE);
            render_template("search.html", &ctx)
        }),
    ));
    singles.push((
        "insights/index.html".into(),
        fingerprint(&(global, &insights)),
        Box::new(|| {
            let mut ctx = base("insights/", "Class insights");
            ctx.insert("insights", &insights);
            ctx.insert("charts", &insight_charts(&insights, "../"));
            render_template("insights.html", &ctx)
        }),
    ));
    // The grading report, a page per REPORT_ROWS postmortems (the pass rates and the
    // files without a postmortem on each, so any page reads alone).
    // Each row's fingerprint, covering the places of its near-duplicates (which its
    // serialization leaves out), and the whole report's.
    let row_fps: Vec<u64> = rows
        .par_iter()
        .map(|r| {
            let places: Vec<usize> = r.near_duplicates.iter().map(|n| n.row).collect();
            hashed(&(fingerprint(r), places))
        })
        .collect();
    let rows_fp = hashed(&row_fps);
    for n in 1..=report_pages {
        let path = render::page_path("report/", n);
        let range = (n - 1) * REPORT_ROWS..(n * REPORT_ROWS).min(cards.len());
        let rel = format!("{path}index.html");
        let paginator = Paginator::new("report/", n, report_pages);
        // What this page shows: its own rows (and the pages their copies link to), and
        // what every page shows of the whole class; an edit elsewhere leaves it as it is.
        let copy_urls: Vec<&str> = rows[range.clone()]
            .iter()
            .flat_map(|r| r.near_duplicates.iter().map(|n| cards[n.row].url.as_str()))
            .collect();
        let fp = fingerprint(&(
            global,
            &row_fps[range.clone()],
            &copy_urls,
            &card_fps[range.clone()],
            &paginator,
            (&rejected, &collection_counts, rows.len()),
            (&missed, &missed_none, &pass_rates, &mandatory),
        ));
        let (mandatory, pass_rates, rejected, cards, rows, missed, missed_none) = (
            &mandatory,
            &pass_rates,
            &rejected,
            &cards,
            &rows,
            &missed,
            &missed_none,
        );
        let collection_counts = &collection_counts;
        let make = move || {
            #[derive(Serialize)]
            struct Row<'r> {
                #[serde(flatten)]
                grade: &'r crate::grades::GradeRow,
                url: &'r str,
                /// Its near-duplicates' pages, with what to call each.
                copies: Vec<CopyLink<'r>>,
            }
            #[derive(Serialize)]
            struct CopyLink<'r> {
                url: &'r str,
                label: String,
            }
            let shown: Vec<Row> = rows[range.clone()]
                .iter()
                .zip(&cards[range.clone()])
                .map(|(grade, card)| Row {
                    grade,
                    url: &card.url,
                    copies: grade
                        .near_duplicates
                        .iter()
                        .map(|n| CopyLink {
                            url: &cards[n.row].url,
                            label: n.label(),
                        })
                        .collect(),
                })
                .collect();
            let mut ctx = base(&path, "Grading report");
            ctx.insert("rows", &shown);
            ctx.insert("cards", &cards[range.clone()]);
            ctx.insert("first_row", &(range.start + 1));
            ctx.insert("total_rows", &rows.len());
            ctx.insert("paginator", &paginator);
            ctx.insert("check_ids", mandatory);
            ctx.insert("pass_rates", pass_rates);
            ctx.insert("missed", missed);
            ctx.insert("missed_none", missed_none);
            ctx.insert("collections", collection_counts);
            ctx.insert("show_copies", &config.show_copies);
            ctx.insert("rejected", rejected);
            ctx.insert("rows_file", render::report::ROWS_FILE);
            render_template("report.html", &ctx)
        };
        singles.push((rel, fp, Box::new(make)));
    }
    singles.push((
        "404.html".into(),
        fingerprint(&(global, "404", &inline_style)),
        Box::new(|| {
            let mut ctx = base("", "Page not found");
            ctx.insert("root", &site.base_url);
            // Served for any missing address: no address of its own.
            ctx.insert("canonical", "");
            if let Some(css) = &inline_style {
                ctx.insert("inline_style", css);
            }
            render_template("404.html", &ctx)
        }),
    ));
    pages += singles.len();
    // What the sitemap lists: every page but 404.html, a listing page dated by the
    // newest postmortem it shows and a postmortem's page by its date.
    let mut site_map: Vec<Sitemapped> = Vec::with_capacity(total_pages);
    let dates: Vec<Option<&String>> = cards.iter().map(|c| c.date.as_ref()).collect();
    site_map.par_extend(jobs.par_iter().map(|&(l, n, _)| {
        let shown = l.ixs.iter().skip((n - 1) * per_page).take(per_page);
        Sitemapped {
            path: render::page_path(l.base_path, n),
            lastmod: shown.filter_map(|&i| dates[i]).max().cloned(),
        }
    }));
    site_map.extend(cards.iter().map(|c| Sitemapped {
        path: c.url.clone(),
        lastmod: c.date.clone(),
    }));
    site_map.extend(
        singles
            .iter()
            .filter_map(|(rel, ..)| rel.strip_suffix("index.html"))
            .map(|path| Sitemapped {
                path: path.to_owned(),
                lastmod: None,
            }),
    );
    singles.into_par_iter().try_for_each(|(rel, fp, make)| {
        emit.text_at(rel, fp, make)?;
        inputs.progress.step();
        Ok(())
    })?;
    debug_assert_eq!(pages, total_pages, "pages rendered and pages told of");

    // The Atom feeds: the site's, and each tag's and collection's beside its listing,
    // of the newest postmortems whatever the listings' order.
    let order = feeds::newest_first(&cards);
    let mut rank = vec![0; cards.len()];
    for (k, &i) in order.iter().enumerate() {
        rank[i] = k;
    }
    let limit = match config.feed_limit {
        0 => usize::MAX,
        n => n,
    };
    struct FeedJob<'t> {
        page: &'t str,
        title: String,
        subtitle: Option<String>,
        entries: Vec<usize>,
    }
    let mut feed_jobs = vec![FeedJob {
        page: "",
        title: site.title.clone(),
        subtitle: Some(site.description.clone()),
        entries: order.iter().take(limit).copied().collect(),
    }];
    for (kind, members) in [("tag", &tags), ("collection", &collections)] {
        for (term, ixs) in members.values() {
            let mut entries = ixs.clone();
            entries.sort_unstable_by_key(|&i| rank[i]);
            entries.truncate(limit);
            let hash = if kind == "tag" { "#" } else { "" };
            feed_jobs.push(FeedJob {
                page: &term.url,
                title: format!("{}: {hash}{}", site.title, term.name),
                subtitle: None,
                entries,
            });
        }
    }
    let feed_site = fingerprint(&site);
    feed_jobs.par_iter().try_for_each(|f| {
        let fps: Vec<u64> = f.entries.iter().map(|&i| card_fps[i]).collect();
        let fp = hashed(&(feed_site, f.page, &f.title, &f.subtitle, &fps));
        emit.text_at(feeds::feed_path(f.page), fp, || {
            let entries: Vec<&Card> = f.entries.iter().map(|&i| cards[i]).collect();
            let of = feeds::FeedOf {
                page: f.page,
                title: f.title.clone(),
                subtitle: f.subtitle.clone(),
            };
            Ok(feeds::render(&site, &of, &entries))
        })
    })?;

    // The search index: a record per postmortem, in the listings' order (what it holds
    // besides the card is the root cause, which its file's reading covers).
    let causes: Vec<Option<&str>> = items
        .iter()
        .map(|it| it.entry.postmortem.root_cause.as_deref())
        .collect();
    let record_fps: Vec<u64> = card_fps
        .iter()
        .zip(&causes)
        .map(|(fp, cause)| hashed(&(fp, cause)))
        .collect();
    let sources: Vec<render::search::Source> = cards
        .iter()
        .zip(&causes)
        .zip(record_fps)
        .map(|((card, cause), fingerprint)| render::search::Source {
            card,
            root_cause: *cause,
            fingerprint,
        })
        .collect();
    // Its tables are the listings' (each tag and collection named as its first card
    // names it).
    let index = render::search::Index::with_tables(&sources, names(&tags), names(&collections));
    (1..=index.parts()).into_par_iter().try_for_each(|k| {
        emit.text_at(
            render::search::Index::part_file(k),
            index.part_fingerprint(k),
            || Ok(index.part(k)),
        )
    })?;
    emit.text(render::search::INDEX_FILE, index.fingerprint(), || {
        Ok(index.head())
    })?;

    // The grading report's rows, for its script to sort and filter.
    emit.text(
        render::report::ROWS_FILE,
        hashed(&(render::report::VERSION, rows_fp)),
        || {
            let kept = state.rendered.then_some(&mut state.report);
            Ok(render::report::render_keeping(&rows, &row_fps, kept))
        },
    )?;

    // Static files: the theme's, the highlighting stylesheet, and content assets.
    for (rel, src) in &templates.statics {
        let target = format!("static/{rel}");
        match src {
            StaticSource::Builtin(text) => {
                emit.text(&target, fingerprint(*text), || Ok((*text).to_owned()))?
            }
            StaticSource::File(path) => emit.copy(&target, path)?,
        }
    }
    let (light, dark) = config.highlight.resolve(&templates.theme.highlight);
    emit.text("static/syntax.css", fingerprint(&(&light, &dark)), || {
        Ok(render::highlight::stylesheet(&light, &dark))
    })?;
    emit.text(
        "static/timeline.css",
        fingerprint(render::timeline_svg::STYLE),
        || Ok(render::timeline_svg::STYLE.to_owned()),
    )?;
    for a in inputs.assets {
        emit.copy(&format!("files/{}", a.rel), &a.path)?;
    }
    // The site's own static files, at the root of the output, unless a page has the path
    // (never hidden files, which `walk_files` leaves out, nor a settings file).
    for (rel, path) in crate::render::templates::walk_files(&inputs.root.join(&config.static_dir)) {
        if path
            .file_name()
            .is_some_and(|n| n == crate::config::CONFIG_FILE)
        {
            continue;
        }
        let taken = emit
            .produced
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(&rel);
        if !taken {
            emit.copy(&rel, &path)?;
        }
    }
    // robots.txt and the sitemap, unless the site has its own: in its static folder
    // (copied just above) or put into the output folder by hand.
    let taken = |rel: &str| {
        sink.users(rel)
            || emit
                .produced
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .contains_key(rel)
    };
    if !taken(preview::FILE) {
        emit.bytes_at(preview::FILE.to_owned(), fingerprint(&site_preview), || {
            Ok(site_preview.png())
        })?;
    }
    if !taken(sitemap::ROBOTS_FILE) {
        emit.text(
            sitemap::ROBOTS_FILE,
            fingerprint(&(sitemap::ROBOTS_FILE, &site.base_url)),
            || Ok(sitemap::robots(&site.base_url)),
        )?;
    }
    let parts = sitemap::files(site_map.len());
    if !parts.iter().any(|(rel, _)| taken(rel)) {
        let fp = hashed(&(&site.base_url, &site_map));
        for (rel, part) in parts {
            let fp = hashed(&(fp, &rel));
            emit.text_at(rel, fp, || Ok(part.render(&site.base_url, &site_map)))?;
        }
    }

    // Swap in the new memory; remove what is no longer produced.
    let produced = emit
        .produced
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());
    let mut written = emit.written.into_inner().unwrap_or_else(|e| e.into_inner());
    written.sort();
    let mut removed: Vec<String> = state
        .written
        .keys()
        .filter(|k| !produced.contains_key(*k))
        .cloned()
        .collect();
    removed.sort();
    for r in &removed {
        sink.remove(r)?;
    }
    state.written = produced;
    state.rendered = true;
    Ok(RenderReport {
        pages,
        written,
        removed,
    })
}

/// A page's preview image as its `<head>` names it (`og:image`, `twitter:image`).
#[derive(Serialize)]
struct Image {
    /// Absolute with an absolute `base_url`; else from the site's root path, the best
    /// there is (the build warns).
    url: String,
    /// Known when Hindsight drew it.
    width: Option<u32>,
    height: Option<u32>,
    alt: String,
}

impl Image {
    /// The image of the page at `page`, drawn from `drawn` (None: the site's own file).
    fn new(base_url: &str, page: &str, drawn: Option<&Preview>, alt: String) -> Image {
        Image {
            url: format!("{base_url}{}", preview::path(page)),
            width: drawn.map(|_| preview::WIDTH),
            height: drawn.map(|_| preview::HEIGHT),
            alt,
        }
    }
}

#[derive(Serialize)]
struct InsightCharts {
    checks: String,
    durations: String,
    users: String,
    causes: String,
    tags: String,
}

/// The insights page's charts; `root` is the page's prefix back to the site root.
fn insight_charts(i: &crate::insights::Insights, root: &str) -> InsightCharts {
    use crate::render::charts::{Bar, bars, columns};
    // Most missed first, as the table beside it (ties in rubric order).
    let mut by_rate: Vec<&crate::insights::CheckRate> = i.all.checks.iter().collect();
    by_rate.sort_by(|a, b| a.percent.total_cmp(&b.percent));
    let checks: Vec<Bar> = by_rate
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
    let max_cause = i.all.causes.iter().map(|c| c.count).max().unwrap_or(1) as f64;
    let causes: Vec<Bar> = i
        .all
        .causes
        .iter()
        .map(|c| Bar {
            label: c.label.to_owned(),
            value: c.count as f64,
            text: c.count.to_string(),
            href: Some(format!("#cause-{}", c.slug)),
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
        causes: bars(
            "chart-causes",
            "Common root causes",
            &causes,
            max_cause,
            None,
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
    let text = file.text.unpack();
    for c in checks {
        let quote = c
            .line
            .and_then(|n| crate::analyze::nth_line(&text, n))
            .map(evidence_words)
            .filter(|t| !t.is_empty())
            .map(|t| crate::extract::outage::truncate(&render::emoji::shortcodes(&t), 180));
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

/// Each term of a listing's map by slug, by its name.
fn names<'a>(m: &BTreeMap<&'a str, (&'a TermRef, Vec<usize>)>) -> BTreeMap<&'a str, &'a str> {
    m.iter()
        .map(|(slug, (t, _))| (*slug, t.name.as_str()))
        .collect()
}

/// The near-duplicate pairs among `items` (by their places in it), found again only
/// when the postmortems or their order changed since the last render: after the first
/// change the search is kept, so that a preview's edit re-scores only the postmortem
/// edited (a one-off build keeps nothing but the result).
fn near_duplicates(items: &[Published], last: &mut Option<Copied>) -> Arc<Copies> {
    let key = hashed(
        &items
            .iter()
            .map(|it| (it.file.fingerprint, it.entry.postmortem.index))
            .collect::<Vec<_>>(),
    );
    let docs: Vec<copies::Doc> = items
        .iter()
        .map(|it| copies::Doc {
            file: &it.file.path,
            version: it.file.fingerprint,
            print: &it.entry.print,
        })
        .collect();
    let text = |i: usize| items[i].file.text.unpack();
    let found = match last.take() {
        Some(Copied::Found(k, found)) if k == key => Copied::Found(k, found),
        Some(Copied::Found(..)) => {
            Copied::Kept(copies::Search::new(&docs, &text, copies::THRESHOLD))
        }
        Some(Copied::Kept(mut search)) => {
            search.update(&docs, &text);
            Copied::Kept(search)
        }
        None => Copied::Found(key, Arc::new(copies::detect(&docs, text))),
    };
    let copies = match &found {
        Copied::Found(_, f) => f.clone(),
        Copied::Kept(s) => s.found(),
    };
    *last = Some(found);
    copies
}

/// What a render keeps of its search for copies: the pairs and the fingerprint of the
/// postmortems they were found among; or, once they changed, the whole search.
enum Copied {
    Found(u64, Arc<Copies>),
    Kept(copies::Search),
}

/// What the page of `items[i]` shows of the submissions it is a near-duplicate of.
fn similar_to<'a>(i: usize, found: &'a Copies, items: &'a [Published]) -> Vec<Similar<'a>> {
    found
        .of(i)
        .map(|pair| {
            let other = &items[pair.partner(i)];
            Similar {
                title: &other.card.title,
                url: &other.card.url,
                source: &other.file.path,
                percent: pair.percent(),
                passages: pair
                    .passages
                    .iter()
                    .map(|p| {
                        let (lines, their_lines) = p.lines_for(pair, i);
                        SharedPassage {
                            lines,
                            their_lines,
                            words: p.words,
                            text: &p.text,
                        }
                    })
                    .collect(),
            }
        })
        .collect()
}

/// What a postmortem's related ones are found by: its tags, and the words of its title,
/// summary and root cause.
fn related_features(pm: &crate::model::Postmortem) -> crate::related::Features {
    let tags: Vec<String> = pm.tags.iter().map(|t| crate::slug::slugify(t)).collect();
    crate::related::Features::new(
        tags.iter().map(String::as_str),
        &[
            Some(pm.title.as_str()),
            pm.summary.as_deref(),
            pm.root_cause.as_deref(),
        ],
    )
}

/// The postmortems the site publishes, in path order: drafts only when `drafts`.
fn published<'a>(
    files: &[&'a FileResult],
    drafts: bool,
) -> impl Iterator<Item = (&'a FileResult, &'a Entry)> {
    files
        .iter()
        .copied()
        .filter(move |f| drafts || !f.is_draft())
        .flat_map(|f| f.entries.iter().map(move |e| (f, e)))
}

/// The slug each of `slugs` gets: one claimed by an earlier one (`a b.md` and `a-b.md`,
/// or the same `slug` in two front matters) takes the first free suffix (`a-b-2`).
/// `None` where a slug is its own.
fn page_slugs<'a>(slugs: impl IntoIterator<Item = &'a str>) -> Vec<Option<String>> {
    let mut own: HashSet<&str, crate::words::Fx> = HashSet::default();
    let mut suffixed: HashSet<String, crate::words::Fx> = HashSet::default();
    slugs
        .into_iter()
        .map(|base| {
            if !own.contains(base) && !suffixed.contains(base) {
                own.insert(base);
                return None;
            }
            let mut n = 2;
            loop {
                let slug = format!("{base}-{n}");
                if !own.contains(slug.as_str()) && !suffixed.contains(&slug) {
                    suffixed.insert(slug.clone());
                    return Some(slug);
                }
                n += 1;
            }
        })
        .collect()
}

/// Two files may claim the same slug; later ones get a suffix.
fn dedupe_slugs(items: &mut [Published]) {
    let slugs = page_slugs(items.iter().map(|it| it.card.slug.as_str()));
    for (it, slug) in items.iter_mut().zip(slugs) {
        if let Some(slug) = slug {
            let card = Arc::make_mut(&mut it.card);
            card.url = render::postmortem_path(&slug);
            card.slug = slug;
            it.fp = fingerprint(&*it.card);
        }
    }
}

/// A warning for each postmortem whose page is not the one its name or front matter
/// asks for, because an earlier file has it: (the file's path, the warning).
pub fn slug_clashes(files: &[&FileResult], drafts: bool) -> Vec<(String, Diagnostic)> {
    let entries: Vec<(&FileResult, &Entry)> = published(files, drafts).collect();
    let slugs = page_slugs(entries.iter().map(|(_, e)| e.postmortem.slug.as_str()));
    let mut owner: HashMap<&str, &str, crate::words::Fx> = HashMap::default();
    let mut out = Vec::new();
    for ((f, e), slug) in entries.iter().zip(&slugs) {
        let wanted = e.postmortem.slug.as_str();
        let slug = slug.as_deref().unwrap_or(wanted);
        if slug != wanted {
            let other = owner.get(wanted).copied().unwrap_or("another postmortem");
            out.push((
                f.path.clone(),
                Diagnostic::warning(
                    format!(
                        "its page is {} because {} is the page of {other}: give one of them its own `slug` in its front matter",
                        render::postmortem_path(slug),
                        render::postmortem_path(wanted),
                    ),
                    Some(e.postmortem.lines[0]),
                ),
            ));
        }
        owner.insert(slug, &f.path);
    }
    out
}

fn sort_cards(items: &mut [Published], by: SortBy, reverse: bool) {
    // (Stable, as `sort_by` is: what compares equal keeps its path order.)
    items.par_sort_by(|a, b| {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::Analyzer;
    use crate::model::Level;

    #[test]
    fn a_taken_slug_gets_the_first_free_suffix() {
        assert_eq!(
            page_slugs(["a-b", "a-b", "a-b-2", "c", "a-b"]),
            [
                None,
                Some("a-b-2".to_owned()),
                Some("a-b-2-2".to_owned()),
                None,
                Some("a-b-3".to_owned())
            ]
        );
    }

    #[test]
    fn a_postmortem_moved_off_its_slug_is_warned_at_its_first_line() {
        let config = Config::default();
        let analyzer = Analyzer::new(&config);
        let text = "# Disk full\n\n## Issue Summary\n\nFrom 10:00 to 11:00 UTC the API was down for all users because the disk filled up with logs.\n\n## Timeline\n\n- 10:00 alert fired\n- 11:00 resolved by deleting logs\n\n## Root Cause\n\nThe disk filled up because logs were never rotated.\n";
        let a = analyzer.analyze_bytes("a b.md", None, text.as_bytes());
        let b = analyzer.analyze_bytes("a-b.md", None, text.as_bytes());
        assert_eq!(a.entries.len(), 1, "{:?}", a.problems);
        let clashes = slug_clashes(&[&a, &b], false);
        assert_eq!(clashes.len(), 1, "{clashes:?}");
        let (path, d) = &clashes[0];
        assert_eq!(path, "a-b.md");
        assert_eq!(d.level, Level::Warning);
        assert_eq!(d.line, Some(1));
        assert!(
            d.message.starts_with(
                "its page is incidents/a-b-2/ because incidents/a-b/ is the page of a b.md"
            ),
            "{}",
            d.message
        );
        assert!(slug_clashes(&[&a], false).is_empty());
    }
}
