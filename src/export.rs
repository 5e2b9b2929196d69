//! One incident as one self-contained HTML file (`hindsight export`): its page in the
//! site's theme, rendered through the same templates as the site's page with
//! `standalone` set, that loads nothing from anywhere when it is opened.
//!
//! - The stylesheets the page links (the theme's, the highlighting's, the timeline's)
//!   are inlined, and the favicon is a `data:` URL; the timeline diagram is inline SVG
//!   already.
//! - Images the postmortem shows from beside it become `data:` URLs, read only from
//!   inside the site's content folder. One that is missing, outside it, not an image or
//!   too large keeps its alt text; a remote one (`https://…`) is never fetched and
//!   becomes a link to it. Each is reported with the file and line.
//! - Links to the gallery's other pages are absolute when `base_url` is an address, and
//!   left out otherwise (a page opened from disk has nothing beside it to link to).
//! - A Content-Security-Policy in the page forbids every load but its own styles and
//!   `data:` images, so even a template of the site's own that links a file loads
//!   nothing; what such a template still refers to is reported.

use crate::analyze::{Analyzer, Entry, FileResult};
use crate::error::{Error, Result};
use crate::model::{Diagnostic, Level};
use crate::pages::{PostmortemPage, Stats, page_context};
use crate::render::budget::Watchdog;
use crate::render::markdown::{self, Links, Rendered};
use crate::render::templates::Templates;
use crate::render::{Card, SiteInfo, highlight, timeline_svg};
use crate::site::Site;
use crate::source::SourcePath;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// What an exported page may load: its own styles and images written into it, nothing
/// else (no script, no font or image from elsewhere, no frame, no form).
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; form-action 'none'";

/// The largest image written into an export: past it, the file would be slow to open
/// and to send.
pub const MAX_IMAGE_BYTES: u64 = 10 * 1024 * 1024;

/// Image types an export inlines, by extension (a closed list: what browsers show in
/// an `<img>`).
const IMAGE_TYPES: &[(&str, &str)] = &[
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("webp", "image/webp"),
    ("avif", "image/avif"),
    ("svg", "image/svg+xml"),
    ("bmp", "image/bmp"),
    ("ico", "image/x-icon"),
];

#[derive(Clone, Debug, Default)]
pub struct ExportOptions {
    /// Which postmortem of a file that holds several: 0 for the first.
    pub entry: usize,
    /// Overrides `base_url` (where the export's links to the gallery lead).
    pub base_url: Option<String>,
}

/// One exported page and what is worth telling about it.
#[derive(Debug)]
pub struct Export {
    pub html: String,
    pub title: String,
    /// The page's slug: the default name of the file (`<slug>.html`).
    pub slug: String,
    /// How many postmortems the file holds (the export is of one).
    pub entries: usize,
    /// How many images were written into the page.
    pub images: usize,
    /// The file's problems (as `build` reports them) and what could not be put in the
    /// page, each at its line of the file where there is one.
    pub diagnostics: Vec<Diagnostic>,
    /// The postmortem's file, as the system names it (never written over).
    pub source: PathBuf,
    /// The site's content folder, as the system names it, when there is one (nothing
    /// in it is written over).
    pub content: Option<PathBuf>,
}

/// What the templates see as `standalone` on an exported page.
#[derive(Serialize)]
struct Standalone {
    csp: &'static str,
    /// Every stylesheet the site's page links, in the order it links them.
    style: String,
    /// The theme's favicon as a `data:` URL.
    favicon: Option<String>,
    /// Links to the gallery's other pages are kept (absolute, to `base_url`).
    links: bool,
}

/// Exports postmortem `opts.entry` of `file` as the site at `root` would show it.
pub fn export(
    root: &Path,
    file: &Path,
    opts: &ExportOptions,
    watchdog: &Watchdog,
) -> Result<Export> {
    let mut config = Site::load(root)?.config;
    if let Some(url) = &opts.base_url {
        config.base_url = url.clone();
    }
    let meta = std::fs::metadata(file).map_err(|e| Error::io(file, e))?;
    if meta.is_dir() {
        return Err(Error::Usage(format!(
            "{} is a folder: name the one postmortem file to export",
            file.display()
        )));
    }
    let real = file.canonicalize().map_err(|e| Error::io(file, e))?;
    let content = root.join(&config.content_dir).canonicalize().ok();
    // A file in the content folder is read as the build reads it (same slug, collection
    // and links); one elsewhere by its name, and nothing beside it is read.
    let inside = content
        .as_ref()
        .and_then(|c| real.strip_prefix(c).ok())
        .map(|r| r.to_string_lossy().replace('\\', "/"));
    let (rel, source_dir) = match &inside {
        Some(rel) => (
            rel.clone(),
            Some(rel.rsplit_once('/').map_or("", |(d, _)| d).to_owned()),
        ),
        None => (
            file.file_name().map_or_else(
                || file.display().to_string(),
                |n| n.to_string_lossy().into(),
            ),
            None,
        ),
    };
    let collection = source_dir.clone().filter(|d| !d.is_empty());
    let templates = Templates::load(root, &config.theme)?;
    let analyzer = Analyzer::new(&config).without_prints();
    let analysed = analyzer.analyze_as(
        &SourcePath {
            path: file.to_owned(),
            rel,
            collection,
        },
        false,
    );
    let Some(entry) = analysed.entries.get(opts.entry) else {
        return Err(nothing_to_export(file, &analysed, opts.entry));
    };

    let pm = &entry.postmortem;
    let card = Card::new(pm, &analysed.path);
    let base = config.base_url_slash();
    let gallery = (!base.starts_with('/')).then_some(base.as_str());
    let markdown_text = entry.markdown.text(&analysed.text);
    let found = Found::resolve(
        &markdown_text,
        content.as_deref().zip(source_dir.as_deref()),
    );
    let body = markdown::render(
        &markdown_text,
        &Links {
            source_dir: source_dir.as_deref().unwrap_or(""),
            assets: &found.files,
            root: "",
        },
    );
    let (html, remote) = inline_body(&body.html, &found.images, gallery);
    let body = Rendered { html, ..body };
    let mut diagnostics = file_problems(&analysed, entry, &found, &remote);

    let site = SiteInfo::new(&config);
    let perfect = analysed
        .entries
        .iter()
        .filter(|e| e.postmortem.score.is_perfect())
        .count();
    let stats = Stats {
        files: 1,
        postmortems: analysed.entries.len(),
        perfect,
        not_postmortems: 0,
        collections: usize::from(card.collection.is_some()),
        tags: card.tags.len(),
        average_score: analysed
            .entries
            .iter()
            .map(|e| e.postmortem.score.passed as f64)
            .sum::<f64>()
            / analysed.entries.len() as f64,
    };
    let mut ctx = page_context(&site, &stats, &[], &card.url, &card.title);
    // Where links to the gallery lead: absolute when it has an address; else its path,
    // for templates that do not know `standalone` (ours leave such links out).
    ctx.insert("root", gallery.unwrap_or(&base));
    PostmortemPage {
        entry,
        file: &analysed,
        card: &card,
        body: &body,
        prev: None,
        next: None,
        mono_diagram: templates.theme.diagram.mono(),
        copies: &[],
        related: &[],
    }
    .insert_into(&mut ctx);
    let standalone = Standalone {
        csp: CSP,
        style: stylesheets(&templates, &config, !pm.timeline.is_empty())?,
        favicon: templates
            .static_text("favicon.svg")
            .transpose()?
            .map(|svg| data_url("image/svg+xml", svg.as_bytes())),
        links: gallery.is_some(),
    };
    ctx.insert("standalone", &standalone);
    let html = templates.render_within("postmortem.html", &ctx, config.limits, watchdog)?;
    diagnostics.extend(loads(&html).into_iter().map(|what| {
        Diagnostic::warning(
            format!("the page's templates still refer to {what}: the exported page loads nothing from elsewhere, so it shows without it"),
            None,
        )
    }));
    Ok(Export {
        html,
        title: pm.title.clone(),
        slug: pm.slug.clone(),
        entries: analysed.entries.len(),
        images: found.images.len(),
        diagnostics,
        source: real,
        content,
    })
}

/// Why there is no postmortem `entry` in the file.
fn nothing_to_export(file: &Path, analysed: &FileResult, entry: usize) -> Error {
    let n = analysed.entries.len();
    if n > 0 {
        return Error::Usage(format!(
            "{} holds {n} postmortem{}: there is no postmortem {} in it",
            file.display(),
            if n == 1 { "" } else { "s" },
            entry + 1
        ));
    }
    // The gravest problem says why: unreadable, binary, or not a postmortem.
    let (at, why) = analysed
        .problems
        .iter()
        .max_by_key(|p| p.level)
        .map_or((None, "no postmortem found"), |p| {
            (p.line, p.message.as_str())
        });
    let at = at.map(|l| format!(":{l}")).unwrap_or_default();
    Error::Usage(format!("{}{at}: nothing to export: {why}", file.display()))
}

/// The file's problems worth telling (warnings and up, as `build` tells them), with
/// what the export could not put in the page (`remote`: the remote images the page
/// shows, markdown's or HTML's), in line order. A dead link to an image is told once,
/// by the export, which says what it shows instead.
fn file_problems(
    analysed: &FileResult,
    entry: &Entry,
    found: &Found,
    remote: &[String],
) -> Vec<Diagnostic> {
    let text = analysed.text.unpack();
    let [first, last] = entry.postmortem.lines;
    // Where each target is written in the file, within this postmortem.
    let mut lines: HashMap<String, u32> = HashMap::new();
    let (mut counted, mut line) = (0, 1u32);
    for t in markdown::targets(&text) {
        if t.at < counted {
            (counted, line) = (0, 1);
        }
        line += text[counted..t.at].matches('\n').count() as u32;
        counted = t.at;
        if (first..=last).contains(&line) {
            lines.entry(t.url).or_insert(line);
        }
    }
    // An image written as HTML is not among markdown's targets: its line is the first
    // of the postmortem's that names it.
    let line_naming = |url: &str| {
        text.lines()
            .zip(1u32..)
            .skip(first.saturating_sub(1) as usize)
            .take_while(|(_, n)| *n <= last)
            .find(|(l, _)| l.contains(url))
            .map(|(_, n)| n)
    };
    let mut left_out = found.left_out.clone();
    for src in remote {
        if !left_out.iter().any(|(url, _)| url == src) {
            left_out.push((src.clone(), LeftOut::Remote));
        }
    }
    let told: HashSet<&str> = left_out.iter().map(|(url, _)| url.as_str()).collect();
    let mut out: Vec<Diagnostic> = analysed
        .problems
        .iter()
        .filter(|p| p.level >= Level::Warning)
        .filter(|p| {
            !told
                .iter()
                .any(|url| p.message.starts_with(&format!("the link to \"{url}\"")))
        })
        .cloned()
        .collect();
    for (url, why) in &left_out {
        let shown = crate::extract::outage::truncate(url, 80);
        let message = match why {
            LeftOut::Remote => format!(
                "the image \"{shown}\" is on another site: the export does not fetch it, and links to it instead"
            ),
            LeftOut::Refused(why) => {
                format!(
                    "the image \"{shown}\" is left out of the export ({why}): its alt text is shown instead"
                )
            }
        };
        let line = lines.get(url).copied().or_else(|| line_naming(url));
        out.push(Diagnostic::warning(message, line));
    }
    out.sort_by_key(|d| d.line.unwrap_or(0));
    out
}

/// Why an image of the postmortem is not in the page.
#[derive(Debug, Clone, PartialEq, Eq)]
enum LeftOut {
    /// On another site: linked to, never fetched.
    Remote,
    /// Not to be read, for this reason.
    Refused(String),
}

/// What the links and images of a postmortem lead to, read from inside the content
/// folder only.
#[derive(Debug, Default)]
struct Found {
    /// Files beside the postmortem that its links and images name (relative to the
    /// content folder): the renderer points them at `files/…`.
    files: HashSet<String>,
    /// Each image's `data:` URL, by its path relative to the content folder.
    images: HashMap<String, String>,
    /// Images left out, as written, with why.
    left_out: Vec<(String, LeftOut)>,
}

impl Found {
    /// Resolves the targets of `markdown`; `place` is the content folder (canonical)
    /// and the postmortem's folder inside it, when it is inside it.
    fn resolve(markdown: &str, place: Option<(&Path, &str)>) -> Found {
        let mut found = Found::default();
        let mut seen: HashSet<(String, bool)> = HashSet::new();
        for t in markdown::targets(markdown) {
            if !seen.insert((t.url.clone(), t.image)) {
                continue;
            }
            let remote = is_remote(&t.url);
            let Some(path) = markdown::relative_path(&t.url) else {
                if t.image && !t.url.starts_with('#') {
                    let why = if remote {
                        LeftOut::Remote
                    } else {
                        LeftOut::Refused(
                            "only images in files beside the postmortem are put in the page".into(),
                        )
                    };
                    found.left_out.push((t.url, why));
                }
                continue;
            };
            let resolved = match place {
                Some((content, dir)) => beside(content, dir, path),
                None => Err("the postmortem is not in the site's content folder, so nothing beside it is read".into()),
            };
            match resolved {
                Ok((rel, real)) if t.image => match read_image(&real) {
                    Ok(url) => {
                        found.files.insert(rel.clone());
                        found.images.insert(rel, url);
                    }
                    Err(why) => found.left_out.push((t.url, LeftOut::Refused(why))),
                },
                Ok((rel, _)) => {
                    found.files.insert(rel);
                }
                Err(why) if t.image => found.left_out.push((t.url, LeftOut::Refused(why))),
                Err(_) => {}
            }
        }
        found
    }
}

/// The file `target` names from the folder `dir` of the content folder `content`: its
/// path relative to the content folder and its real path, when it is a file the site
/// publishes beside its postmortems; else why not. Never a file outside `content`,
/// however the path or a symbolic link leads there.
fn beside(content: &Path, dir: &str, target: &str) -> Result<(String, PathBuf), String> {
    let rel = markdown::join(dir, target)
        .ok_or_else(|| "it leads outside the content folder".to_owned())?;
    if !crate::source::discover::is_asset(&rel) {
        return Err("only images and other files beside the postmortems are published".into());
    }
    let real = content
        .join(&rel)
        .canonicalize()
        .map_err(|_| "there is no such file".to_owned())?;
    if !real.starts_with(content) {
        return Err("it leads outside the content folder".into());
    }
    if !real.is_file() {
        return Err("it is not a file".into());
    }
    Ok((rel, real))
}

/// An image file as a `data:` URL, or why it is not put in the page.
fn read_image(path: &Path) -> Result<String, String> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let Some((_, mime)) = IMAGE_TYPES.iter().find(|(e, _)| *e == ext) else {
        return Err(format!(
            "not an image the export puts in the page: {}",
            IMAGE_TYPES
                .iter()
                .map(|(e, _)| *e)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    };
    let len = std::fs::metadata(path)
        .map_err(|e| format!("it could not be read: {}", crate::error::reason(&e)))?
        .len();
    if len > MAX_IMAGE_BYTES {
        return Err(format!(
            "{} MiB, over the {} MiB an export takes",
            len.div_ceil(1024 * 1024),
            MAX_IMAGE_BYTES / (1024 * 1024)
        ));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| format!("it could not be read: {}", crate::error::reason(&e)))?;
    Ok(data_url(mime, &bytes))
}

fn data_url(mime: &str, bytes: &[u8]) -> String {
    use base64::Engine as _;
    format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// Every stylesheet the site's page links, in its order: the theme's, the code
/// highlighting's and, with a diagram, the timeline's.
fn stylesheets(templates: &Templates, config: &crate::Config, diagram: bool) -> Result<String> {
    let mut css = templates
        .static_text("style.css")
        .transpose()?
        .unwrap_or_default();
    let (light, dark) = config.highlight.resolve(&templates.theme.highlight);
    css.push('\n');
    css.push_str(&highlight::stylesheet(&light, &dark));
    if diagram {
        css.push('\n');
        css.push_str(timeline_svg::STYLE);
    }
    // A stylesheet cannot end the element it is written in.
    Ok(css.replace("</", "<\\/"))
}

// ---------------------------------------------------------------------------------
// Reading the HTML the page is made of
//
// With lol_html (Cloudflare's streaming rewriter, whose tokenizer is the HTML
// standard's): tags, attributes, comments and raw text (`<style>`, `<script>`) are told
// apart as a browser tells them, however the HTML is written. Attribute values come as
// written and are decoded with `html-escape` (every named and numeric reference).

/// An attribute value as written, decoded (`&amp;` → `&`, `&#x2F;` → `/`).
fn decode_attr(v: &str) -> String {
    html_escape::decode_html_entities(v).into_owned()
}

/// `%20` → ` ` (the renderer percent-encodes the paths it writes into links); kept as
/// written where the bytes are not UTF-8.
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .map_or_else(|_| s.to_owned(), std::borrow::Cow::into_owned)
}

/// The sanitized body with its images written in: an image from beside the postmortem
/// (`files/…`, as the renderer points them) becomes its `data:` URL, a remote one a link
/// to it, any other its alt text. A link to a file beside the postmortem leads to the
/// published site's copy when `gallery` is its address, and nowhere otherwise. Also
/// the address of each remote image, not fetched.
fn inline_body(
    html: &str,
    images: &HashMap<String, String>,
    gallery: Option<&str>,
) -> (String, Vec<String>) {
    use crate::render::emoji::counting_open;
    use lol_html::html_content::ContentType;
    use lol_html::{RewriteStrSettings, element, rewrite_str};
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;

    let remote = RefCell::new(Vec::new());
    // How many links the rewriter is inside (an image in one is never made a link).
    let links = Rc::new(Cell::new(0usize));
    let settings = RewriteStrSettings::new()
        .append_element_content_handler(element!("a[href], area[href]", |el| {
            let href = el.get_attribute("href").unwrap_or_default();
            if href.starts_with("files/") {
                match gallery {
                    Some(base) => {
                        el.set_attribute("href", &format!("{}{href}", markdown::escape(base)))?
                    }
                    None => el.remove_attribute("href"),
                }
            }
            Ok(())
        }))
        .append_element_content_handler(element!("a", counting_open(links.clone())))
        .append_element_content_handler(element!("img", |el| {
            let src = el
                .get_attribute("src")
                .map(|v| decode_attr(&v))
                .unwrap_or_default();
            if is_remote(&src) {
                remote.borrow_mut().push(src.clone());
            }
            let inlined = src
                .strip_prefix("files/")
                .and_then(|rel| images.get(rel).or_else(|| images.get(&percent_decode(rel))));
            match inlined {
                Some(data) => {
                    el.set_attribute("src", data)?;
                    el.remove_attribute("loading");
                }
                None => {
                    let alt = el
                        .get_attribute("alt")
                        .map(|v| decode_attr(&v))
                        .unwrap_or_default();
                    el.replace(&left_out(&src, &alt, links.get() > 0), ContentType::Html);
                }
            }
            Ok(())
        }));
    match rewrite_str(html, settings) {
        Ok(out) => (out, remote.into_inner()),
        // Only a handler's error or a memory limit stops the rewriter, and neither is
        // set here; should it happen, the body is left out rather than shown half done.
        Err(_) => (
            "<p class=\"image-left-out\">[the postmortem's text could not be put in the export]</p>"
                .to_owned(),
            Vec::new(),
        ),
    }
}

/// An address on another site (an image there would be fetched).
fn is_remote(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// What an `<img>` of the body that is not written in becomes (its `src` and `alt`
/// decoded): a link to a remote image (unless it is in a link already), its alt text
/// otherwise, nothing when there is nothing to show.
fn left_out(src: &str, alt: &str, in_link: bool) -> String {
    if src.is_empty() && alt.trim().is_empty() {
        // Nothing to show, as on the site's page (`<img src=x onerror=…>` after sanitizing).
        return String::new();
    }
    let label = if alt.trim().is_empty() {
        "[image]".to_owned()
    } else {
        format!("[image: {}]", alt.trim())
    };
    if is_remote(src) && !in_link {
        format!(
            "<a class=\"image-link\" href=\"{}\" rel=\"noopener noreferrer nofollow ugc\">{}</a>",
            markdown::escape(src.trim()),
            markdown::escape(&label)
        )
    } else {
        format!(
            "<span class=\"image-left-out\">{}</span>",
            markdown::escape(&label)
        )
    }
}

/// What an HTML page still loads from anywhere but itself (`<link href>`, `<script>`,
/// `<img src>`, frames, media, CSS `url()` and `@import`), each described for a
/// message. `data:` URLs and in-page anchors load nothing from elsewhere.
pub fn loads(html: &str) -> Vec<String> {
    use lol_html::{RewriteStrSettings, element, rewrite_str, text};
    use std::cell::RefCell;

    let own = |v: &str| {
        let v = v.trim();
        v.is_empty() || v.starts_with('#') || v.to_ascii_lowercase().starts_with("data:")
    };
    let out = RefCell::new(Vec::new());
    let css = RefCell::new(String::new());
    let settings = RewriteStrSettings::new()
        .append_element_content_handler(element!("*", |el| {
            let name = el.tag_name().to_ascii_lowercase();
            let get = |attr: &str| el.get_attribute(attr).map(|v| decode_attr(&v));
            let mut out = out.borrow_mut();
            if name == "script" {
                out.push(match get("src") {
                    Some(src) => format!("a script from \"{src}\""),
                    None => "a script".to_owned(),
                });
                return Ok(());
            }
            // A link that names a page (canonical, alternate, author) loads nothing.
            let loads_link = get("rel").is_some_and(|rel| {
                rel.split_ascii_whitespace().any(|r| {
                    matches!(
                        r.to_ascii_lowercase().as_str(),
                        "stylesheet"
                            | "icon"
                            | "apple-touch-icon"
                            | "manifest"
                            | "preload"
                            | "modulepreload"
                            | "prefetch"
                            | "prerender"
                            | "preconnect"
                            | "dns-prefetch"
                    )
                })
            });
            let loading: &[&str] = match name.as_str() {
                "link" if loads_link => &["href"],
                "img" => &["src", "srcset"],
                "iframe" | "frame" | "embed" | "track" | "input" | "audio" => &["src"],
                "video" => &["src", "poster"],
                "source" => &["src", "srcset"],
                "object" => &["data"],
                "image" | "use" | "feimage" => &["href", "xlink:href"],
                "base" => &["href"],
                _ => &[],
            };
            for attr in loading {
                if let Some(v) = get(attr).filter(|v| !own(v)) {
                    out.push(format!("\"{v}\" (a <{name} {attr}>)"));
                }
            }
            if let Some(style) = get("style") {
                out.extend(css_loads(&style));
            }
            Ok(())
        }))
        .append_element_content_handler(text!("style", |t| {
            let mut sheet = css.borrow_mut();
            sheet.push_str(t.as_str());
            if t.last_in_text_node() {
                out.borrow_mut().extend(css_loads(&sheet));
                sheet.clear();
            }
            Ok(())
        }));
    if rewrite_str(html, settings).is_err() {
        // Said rather than assumed away: what could not be read may load anything.
        out.borrow_mut()
            .push("what the page holds past where it could not be read".to_owned());
    }
    out.into_inner()
}

/// The `url()`s and `@import`s of a stylesheet that load from elsewhere.
fn css_loads(css: &str) -> Vec<String> {
    let lower = css.to_ascii_lowercase();
    let mut out = Vec::new();
    for (at, _) in lower.match_indices("url(") {
        let arg = lower[at + 4..].trim_start().trim_start_matches(['"', '\'']);
        if !arg.starts_with("data:") && !arg.starts_with('#') {
            let end = css[at..].find(')').map_or(css.len(), |e| at + e + 1);
            out.push(format!("\"{}\" in a stylesheet", &css[at..end]));
        }
    }
    if lower.contains("@import") {
        out.push("an @import in a stylesheet".to_owned());
    }
    out
}

// ---------------------------------------------------------------------------------
// Writing it

/// Where an export goes by default: `<slug>.html` in the current folder.
pub fn default_output(export: &Export) -> PathBuf {
    PathBuf::from(format!("{}.html", export.slug))
}

/// Writes `export` to `output` (whole, or not at all: through a temporary file
/// beside it), refusing to write over the postmortem it was made from or over any
/// file in the site's content folder.
pub fn write(export: &Export, output: &Path) -> Result<()> {
    let refuse = |message: String| {
        Err(Error::Output {
            path: output.to_owned(),
            message,
        })
    };
    if output.is_dir() {
        return refuse("is a folder: name the file to write, e.g. incident.html".into());
    }
    if same_file(&export.source, output) {
        return refuse(
            "is the postmortem being exported: the export never writes over its source; name another file".into(),
        );
    }
    if let (Ok(real), Some(content)) = (output.canonicalize(), &export.content)
        && real.starts_with(content)
    {
        return refuse(
            "is a file in the site's content folder: the export never writes over content; name a file elsewhere".into(),
        );
    }
    crate::error::fs::write_whole(output, export.html.as_bytes())
}

/// Whether two paths name the same file (through links too).
fn same_file(a: &Path, b: &Path) -> bool {
    let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if ma.dev() == mb.dev() && ma.ino() == mb.ino() {
            return true;
        }
    }
    let _ = (ma, mb);
    matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tempdir(name: &str) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("hindsight-export-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    /// A 1x1 PNG.
    const PNG: &[u8] = &[
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f,
        0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8,
        0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00,
        0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ];

    #[test]
    fn images_are_written_in_linked_to_or_left_as_their_alt_text() {
        let images = HashMap::from([(
            "cohort/my diagram.png".to_owned(),
            "data:image/png;base64,AAAA".to_owned(),
        )]);
        let html = concat!(
            r#"<p><img src="files/cohort/my%20diagram.png" alt="the &quot;pool&quot;" loading="lazy"> "#,
            r#"<img src="https://cdn.example/x.png" alt="graph <1>"> "#,
            r#"<img alt="gone"> <img src="files/other.png" alt=""> <img> "#,
            r#"<a href="https://example.org/" rel="x"><img src="https://cdn.example/badge.svg" alt="badge"></a></p>"#
        );
        let (out, remote) = inline_body(html, &images, None);
        assert_eq!(
            remote,
            ["https://cdn.example/x.png", "https://cdn.example/badge.svg"]
        );
        assert!(
            out.contains(r#"<img src="data:image/png;base64,AAAA" alt="the &quot;pool&quot;">"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<a class="image-link" href="https://cdn.example/x.png" rel="noopener noreferrer nofollow ugc">[image: graph &lt;1&gt;]</a>"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<span class="image-left-out">[image: gone]</span>"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<span class="image-left-out">[image]</span>  <a"#),
            "an image with nothing to show is left out: {out}"
        );
        // No link inside a link: the remote image in one is its alt text.
        assert!(
            out.contains(r#"<a href="https://example.org/" rel="x"><span class="image-left-out">[image: badge]</span></a>"#),
            "{out}"
        );
        assert!(!out.contains("src=\"http"), "{out}");
        assert!(!out.contains("files/"), "{out}");
    }

    #[test]
    fn links_to_files_beside_lead_to_the_published_copy_or_nowhere() {
        let html = r#"<a href="files/c/notes.pdf" rel="noopener">notes</a> <a href="https://x.org/">x</a>"#;
        let none = HashMap::new();
        assert_eq!(
            inline_body(html, &none, Some("https://example.org/gallery/")).0,
            r#"<a href="https://example.org/gallery/files/c/notes.pdf" rel="noopener">notes</a> <a href="https://x.org/">x</a>"#
        );
        assert_eq!(
            inline_body(html, &none, None).0,
            r#"<a rel="noopener">notes</a> <a href="https://x.org/">x</a>"#
        );
    }

    #[test]
    fn what_still_loads_is_found() {
        let page = concat!(
            r##"<html><head><style>.a::after{content:" <" attr(href) ">"} .b{background:url(x.png)} .c{background:url("data:image/png;base64,AA")}</style>"##,
            r#"<link rel="stylesheet" href="static/style.css"><link rel="icon" href="data:image/svg+xml;base64,AA"><link rel="canonical" href="https://x.org/p/">"#,
            r#"</head><body><a href="https://x.org/">a link loads nothing</a><img src="data:image/png;base64,AA">"#,
            r##"<img src="https://t.example/p.gif"><script src="https://cdn.example/x.js"></script><svg><use href="#m"/></svg>"##,
            r#"<div style="background:url('https://x.org/bg.png')"></div></body></html>"#
        );
        let found = loads(page);
        assert_eq!(
            found,
            [
                "\"url(x.png)\" in a stylesheet",
                "\"static/style.css\" (a <link href>)",
                "\"https://t.example/p.gif\" (a <img src>)",
                "a script from \"https://cdn.example/x.js\"",
                "\"url('https://x.org/bg.png')\" in a stylesheet",
            ]
        );
        assert!(loads("<p>nothing <b>here</b></p>").is_empty());
    }

    #[test]
    fn the_html_is_read_as_a_browser_reads_it() {
        // Markup inside a comment, a script or a style is no tag; references in a value
        // are decoded (tera writes `/` as `&#x2F;`); unquoted and oddly spaced values and
        // upper-case names are read as a browser reads them.
        let page = concat!(
            "<!-- <img src=\"https://x.org/in-comment.png\"> -->",
            "<script>document.write('<img src=https://x.org/in-script.png>')</script>",
            "<style>/* <img src=https://x.org/in-style.png> */ p{color:red}</style>",
            "<IMG SRC = https:&#x2F;&#x2F;x.org&#x2F;upper.png>",
            "<img src='data:image/png;base64,AA' alt='a > b'><img alt=\"x\" src=https://x.org/last.png>",
        );
        assert_eq!(
            loads(page),
            [
                "a script",
                "\"https://x.org/upper.png\" (a <img src>)",
                "\"https://x.org/last.png\" (a <img src>)",
            ]
        );
        let images = HashMap::new();
        let (out, remote) = inline_body(
            "<p><img alt=\"a &gt; b\" src=\"https://x.org/g.png\"><!-- <img src=\"https://x.org/c.png\"> --></p>",
            &images,
            None,
        );
        assert_eq!(remote, ["https://x.org/g.png"]);
        assert!(out.contains(">[image: a &gt; b]</a><!-- <img"), "{out}");
    }

    #[test]
    fn only_files_inside_the_content_folder_are_read() {
        let dir = tempdir("beside");
        let content = dir.join("content");
        std::fs::create_dir_all(content.join("cohort/.hidden")).unwrap();
        std::fs::write(content.join("cohort/ok.png"), PNG).unwrap();
        std::fs::write(content.join("cohort/.hidden/x.png"), PNG).unwrap();
        std::fs::write(dir.join("secret.png"), PNG).unwrap();
        let content = content.canonicalize().unwrap();
        assert_eq!(
            beside(&content, "cohort", "ok.png").unwrap().0,
            "cohort/ok.png"
        );
        assert_eq!(
            beside(&content, "cohort", "../../secret.png").unwrap_err(),
            "it leads outside the content folder"
        );
        assert!(beside(&content, "cohort", ".hidden/x.png").is_err());
        assert_eq!(
            beside(&content, "cohort", "nope.png").unwrap_err(),
            "there is no such file"
        );
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.join("secret.png"), content.join("cohort/link.png"))
                .unwrap();
            assert_eq!(
                beside(&content, "cohort", "link.png").unwrap_err(),
                "it leads outside the content folder"
            );
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_image_that_is_no_image_or_too_large_is_refused() {
        let dir = tempdir("read-image");
        std::fs::write(dir.join("a.png"), PNG).unwrap();
        std::fs::write(dir.join("a.exe"), b"MZ").unwrap();
        let url = read_image(&dir.join("a.png")).unwrap();
        assert!(
            url.starts_with("data:image/png;base64,iVBORw0KGgo"),
            "{url}"
        );
        assert!(
            read_image(&dir.join("a.exe"))
                .unwrap_err()
                .starts_with("not an image")
        );
        let big = std::fs::File::create(dir.join("big.jpg")).unwrap();
        big.set_len(MAX_IMAGE_BYTES + 1).unwrap();
        assert!(
            read_image(&dir.join("big.jpg"))
                .unwrap_err()
                .contains("over the 10 MiB")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    const POSTMORTEM: &str = "# The pool that ran dry

## Issue Summary

From 10:00 AM to 11:30 AM UTC on May 2, 2024, the checkout API returned errors and 40% of users could not pay. The root cause was a database connection pool that was too small.

![The pool](pool.png)

![A graph](https://grafana.example/render/graph.png)

![Gone](missing.png)

## Timeline

- 10:00 AM - A monitoring alert fired for the checkout error rate.
- 10:40 AM - Escalated to the database team.
- 11:30 AM - Error rate back to normal; incident resolved.

## Root Cause and Resolution

The pool of 50 connections was exhausted; we raised it to 200.

## Corrective and Preventative Measures

- Add monitoring on database connection pool usage.
";

    #[test]
    fn a_postmortem_exports_as_one_page_that_loads_nothing() {
        let dir = tempdir("page");
        std::fs::write(dir.join("site.toml"), "title = \"Class\"\n").unwrap();
        std::fs::create_dir_all(dir.join("content/cohort")).unwrap();
        std::fs::write(dir.join("content/cohort/pool.md"), POSTMORTEM).unwrap();
        std::fs::write(dir.join("content/cohort/pool.png"), PNG).unwrap();
        let file = dir.join("content/cohort/pool.md");
        let e = export(&dir, &file, &ExportOptions::default(), &Watchdog::default()).unwrap();
        assert_eq!(e.slug, "cohort-pool");
        assert_eq!(e.images, 1);
        assert!(
            e.html.contains(
                "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"
            ),
            "CSP"
        );
        assert!(
            e.html.contains("src=\"data:image/png;base64,"),
            "the image is written in"
        );
        assert!(e.html.contains("<svg"), "the timeline diagram");
        assert!(e.html.contains(".tl-svg"), "the diagram's stylesheet");
        assert!(loads(&e.html).is_empty(), "{:?}", loads(&e.html));
        // base_url is "/": nothing links to pages that are not beside the file.
        assert!(!e.html.contains("href=\"/"), "no link to the gallery");
        let told: Vec<(Option<u32>, &str)> = e
            .diagnostics
            .iter()
            .map(|d| (d.line, d.message.as_str()))
            .collect();
        assert_eq!(
            told,
            [
                (
                    Some(9),
                    "the image \"https://grafana.example/render/graph.png\" is on another site: the export does not fetch it, and links to it instead"
                ),
                (
                    Some(11),
                    "the image \"missing.png\" is left out of the export (there is no such file): its alt text is shown instead"
                ),
            ]
        );
        // With base_url an address, the gallery's pages are linked to.
        let linked = ExportOptions {
            base_url: Some("https://example.org/class/".into()),
            ..ExportOptions::default()
        };
        let e2 = export(&dir, &file, &linked, &Watchdog::default()).unwrap();
        assert!(
            e2.html
                .contains("href=\"https://example.org/class/collections/cohort/\"")
        );

        // Written beside, never over its source nor into the content folder.
        let out = dir.join("out/pool.html");
        write(&e, &out).unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), e.html);
        let over = write(&e, &file).unwrap_err().to_string();
        assert!(over.contains("is the postmortem being exported"), "{over}");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), POSTMORTEM);
        let png = dir.join("content/cohort/pool.png");
        assert!(
            write(&e, &png)
                .unwrap_err()
                .to_string()
                .contains("content folder")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn what_cannot_be_exported_says_why_and_where() {
        let dir = tempdir("refused");
        std::fs::create_dir_all(dir.join("content")).unwrap();
        std::fs::write(
            dir.join("content/link.md"),
            "https://medium.com/@me/my-postmortem\n",
        )
        .unwrap();
        let run = |p: &Path, entry: usize| {
            export(
                &dir,
                p,
                &ExportOptions {
                    entry,
                    ..ExportOptions::default()
                },
                &Watchdog::default(),
            )
            .unwrap_err()
            .to_string()
        };
        let missing = dir.join("content/nope.md");
        assert_eq!(
            run(&missing, 0),
            format!("{}: no such file or folder", missing.display())
        );
        let folder = dir.join("content");
        assert!(run(&folder, 0).ends_with("is a folder: name the one postmortem file to export"));
        let link = dir.join("content/link.md");
        let msg = run(&link, 0);
        assert!(
            msg.starts_with(&format!(
                "{}:1: nothing to export: not a postmortem",
                link.display()
            )),
            "{msg}"
        );
        std::fs::write(dir.join("content/pool.md"), POSTMORTEM).unwrap();
        let msg = run(&dir.join("content/pool.md"), 1);
        assert!(
            msg.ends_with("holds 1 postmortem: there is no postmortem 2 in it"),
            "{msg}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
