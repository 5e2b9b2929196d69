//! `site.toml` → [`Config`]: typed, defaulted, and strict about what it does not know,
//! so a typo in a key is an error that names the key and its line instead of a
//! setting that silently does nothing.

use crate::error::{Error, Result, line_col};
use crate::model::{CheckId, Level};
use crate::render::budget::Limits;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;
use toml::Spanned;

pub const CONFIG_FILE: &str = "site.toml";

/// How listings are ordered.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SortBy {
    /// Newest outage (or front-matter date) first.
    Date,
    Title,
    /// Highest rubric score first.
    Score,
    /// Longest outage first.
    Duration,
    /// Content path order: the order the files sit in on disk.
    Path,
}

/// Whether each postmortem gets a link-preview image of its own: `true`, `false`, or
/// `"auto"` (the default): when `base_url` is an absolute address. Link previews are
/// fetched by other sites from the page's absolute address, so with a relative
/// `base_url` (a local preview, a site not yet published) the images would be drawn for
/// nobody, at most of a build's time from nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PreviewImages {
    #[default]
    Auto,
    Always,
    Never,
}

impl PreviewImages {
    /// Whether the images are drawn for a site published at `base_url`.
    pub fn drawn_for(self, base_url: &str) -> bool {
        match self {
            PreviewImages::Auto => is_absolute_url(base_url),
            PreviewImages::Always => true,
            PreviewImages::Never => false,
        }
    }
}

impl<'de> Deserialize<'de> for PreviewImages {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Bool(bool),
            Word(String),
        }
        match Raw::deserialize(d)? {
            Raw::Bool(true) => Ok(PreviewImages::Always),
            Raw::Bool(false) => Ok(PreviewImages::Never),
            Raw::Word(w) if w == "auto" => Ok(PreviewImages::Auto),
            Raw::Word(w) => Err(serde::de::Error::custom(format!(
                "preview_images is true, false or \"auto\", not \"{w}\""
            ))),
        }
    }
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct TagsConfig {
    /// Whether Hindsight's built-in keyword rules (nginx, database, dns...) apply.
    pub builtin: bool,
    /// tag name → words that earn it when they appear in the postmortem.
    pub keywords: BTreeMap<String, Vec<String>>,
}

impl Default for TagsConfig {
    fn default() -> Self {
        TagsConfig {
            builtin: true,
            keywords: BTreeMap::new(),
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct HighlightConfig {
    /// syntect theme for light mode; unset means the site theme's choice.
    pub light_theme: Option<String>,
    /// syntect theme for dark mode; unset means the site theme's choice.
    pub dark_theme: Option<String>,
}

impl HighlightConfig {
    /// The highlighting themes in effect: the site's, else the theme's, else Hindsight's.
    pub fn resolve(&self, theme: &HighlightConfig) -> (String, String) {
        let pick = |site: &Option<String>, theme: &Option<String>, default: &str| {
            site.clone()
                .or_else(|| theme.clone())
                .unwrap_or_else(|| default.to_owned())
        };
        (
            pick(&self.light_theme, &theme.light_theme, "InspiredGitHub"),
            pick(&self.dark_theme, &theme.dark_theme, "base16-ocean.dark"),
        )
    }

    /// Every theme named must be one syntect has: a misspelt name is an error at its
    /// line in `text` (the settings file at `path`), not a silent fallback.
    pub fn check(&self, text: &str, path: &Path) -> Result<()> {
        for (key, name) in [
            ("light_theme", &self.light_theme),
            ("dark_theme", &self.dark_theme),
        ] {
            let Some(name) = name else { continue };
            let known = crate::render::highlight::theme_names();
            if !known.contains(name) {
                let line = text.find(key).map(|at| line_col(text, at).0);
                return Err(Error::Config {
                    path: path.to_owned(),
                    line,
                    column: None,
                    message: format!(
                        "unknown highlighting theme `{name}` for {key}; known themes: {}",
                        known.join(", ")
                    ),
                });
            }
        }
        Ok(())
    }
}

/// `[import]`: what `hindsight import` takes from each student's clone.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ImportConfig {
    /// The submission's path inside each clone (`0x19-postmortem/README.md`).
    pub path: Option<String>,
}

/// `[limits]`: what rendering one page may take before it is stopped as a runaway
/// template (see [`crate::render::budget`]).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
struct LimitsConfig {
    page_seconds: f64,
    page_megabytes: f64,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        let l = Limits::default();
        LimitsConfig {
            page_seconds: l.time.as_secs_f64(),
            page_megabytes: l.bytes as f64 / (1024.0 * 1024.0),
        }
    }
}

/// The raw shape of `site.toml`; [`Config`] is what the rest of the program sees.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawConfig {
    title: String,
    base_url: String,
    description: String,
    language: String,
    author: Option<String>,
    theme: String,
    content_dir: PathBuf,
    output_dir: PathBuf,
    static_dir: PathBuf,
    paginate_by: usize,
    feed_limit: usize,
    preview_images: PreviewImages,
    show_copies: bool,
    sort_by: SortBy,
    reverse: bool,
    drafts: bool,
    checks: BTreeMap<Spanned<String>, Spanned<String>>,
    tags: TagsConfig,
    highlight: HighlightConfig,
    limits: LimitsConfig,
    import: ImportConfig,
    extra: toml::Table,
}

impl Default for RawConfig {
    fn default() -> Self {
        let c = Config::default();
        RawConfig {
            title: c.title,
            base_url: c.base_url,
            description: c.description,
            language: c.language,
            author: c.author,
            theme: c.theme,
            content_dir: c.content_dir,
            output_dir: c.output_dir,
            static_dir: c.static_dir,
            paginate_by: c.paginate_by,
            feed_limit: c.feed_limit,
            preview_images: c.preview_images,
            show_copies: c.show_copies,
            sort_by: c.sort_by,
            reverse: c.reverse,
            drafts: c.drafts,
            checks: BTreeMap::new(),
            tags: c.tags,
            highlight: c.highlight,
            limits: LimitsConfig::default(),
            import: c.import,
            extra: c.extra,
        }
    }
}

/// The site's settings, with every default filled in.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub title: String,
    /// Where the site will live, used for permalinks and link previews
    /// (internal links are relative, so the output works from any folder).
    pub base_url: String,
    pub description: String,
    pub language: String,
    pub author: Option<String>,
    pub theme: String,
    pub content_dir: PathBuf,
    pub output_dir: PathBuf,
    /// Files copied as they are to the root of the output (favicon, robots.txt, images).
    pub static_dir: PathBuf,
    /// Cards per index page (0 puts every card on one page).
    pub paginate_by: usize,
    /// Entries in each Atom feed, the newest (0 puts every postmortem in it).
    pub feed_limit: usize,
    /// Whether each postmortem gets a preview image of its own (`incidents/<slug>/preview.png`)
    /// for link previews; without, its page names the site's image.
    pub preview_images: PreviewImages,
    /// Whether each postmortem's page shows the submissions it is a near-duplicate of
    /// (see [`crate::copies`]); off by default, since the pages are public.
    pub show_copies: bool,
    pub sort_by: SortBy,
    /// Reverse the natural order of `sort_by`.
    pub reverse: bool,
    /// Whether postmortems marked `draft` are published.
    pub drafts: bool,
    /// Level overrides per check id, like clippy's lint levels.
    pub checks: HashMap<CheckId, Level>,
    pub tags: TagsConfig,
    pub highlight: HighlightConfig,
    /// What rendering one page may take.
    pub limits: Limits,
    /// What `hindsight import` takes from each clone.
    pub import: ImportConfig,
    /// Free-form values handed to templates as `config.extra`.
    pub extra: toml::Table,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "Postmortem Gallery".into(),
            base_url: "/".into(),
            description: "Incident postmortems, read and checked by Hindsight.".into(),
            language: "en".into(),
            author: None,
            theme: "default".into(),
            content_dir: "content".into(),
            output_dir: "public".into(),
            static_dir: "static".into(),
            paginate_by: 12,
            feed_limit: 20,
            preview_images: PreviewImages::Auto,
            show_copies: false,
            sort_by: SortBy::Date,
            reverse: false,
            drafts: false,
            checks: HashMap::new(),
            tags: TagsConfig::default(),
            highlight: HighlightConfig::default(),
            limits: Limits::default(),
            import: ImportConfig::default(),
            extra: toml::Table::new(),
        }
    }
}

impl Config {
    /// Reads `site.toml` from `root`; a missing file means every default. A static
    /// folder that is a symbolic link leading out of the site (or onto the site folder
    /// or the content) is refused like a path that says so.
    pub fn load(root: &Path) -> Result<Config> {
        let path = root.join(CONFIG_FILE);
        let (config, text) = match std::fs::read_to_string(&path) {
            Ok(text) => (Config::parse(&text, &path)?, text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                (Config::default(), String::new())
            }
            Err(e) => return Err(Error::io(path, e)),
        };
        let resolved = |p: &Path| root.join(p).canonicalize().ok();
        if let (Some(site), Some(dir)) = (resolved(Path::new(".")), resolved(&config.static_dir)) {
            let content = resolved(&config.content_dir).unwrap_or_else(|| site.join("content"));
            let problem = if !dir.starts_with(&site) {
                Some("leads outside the site folder (through a symbolic link)")
            } else {
                let rel = |p: &Path| p.strip_prefix(&site).unwrap_or(p).to_owned();
                static_dir_problem(&rel(&dir), &rel(&content))
            };
            if let Some(problem) = problem {
                return Err(static_dir_error(&text, &path, &config.static_dir, problem));
            }
        }
        Ok(config)
    }

    /// Parses settings text; `path` is only used to name the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Config> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map(|s| line_col(text, s.start))
                .map_or((None, None), |(l, c)| (Some(l), Some(c)));
            Error::Config {
                path: path.to_owned(),
                line,
                column,
                message: first_line(e.message()),
            }
        })?;
        let at = |span: std::ops::Range<usize>, message: String| {
            let (line, column) = line_col(text, span.start);
            Error::Config {
                path: path.to_owned(),
                line: Some(line),
                column: Some(column),
                message,
            }
        };
        let mut checks = HashMap::new();
        for (id, level) in raw.checks {
            let check = CheckId::parse(id.get_ref()).ok_or_else(|| {
                at(
                    id.span(),
                    format!(
                        "unknown check `{}` in [checks]; known checks: {}",
                        id.get_ref(),
                        CheckId::ALL.map(CheckId::as_str).join(", ")
                    ),
                )
            })?;
            let lvl = Level::parse(level.get_ref()).ok_or_else(|| {
                at(
                    level.span(),
                    format!(
                        "`{}` is not a level for check `{}`; use \"allow\", \"warn\" or \"deny\"",
                        level.get_ref(),
                        id.get_ref()
                    ),
                )
            })?;
            checks.insert(check, lvl);
        }
        if raw.theme.is_empty() || raw.theme.contains(['/', '\\']) || raw.theme.starts_with('.') {
            return Err(Error::Config {
                path: path.to_owned(),
                line: None,
                column: None,
                message: format!("theme `{}` must be a folder name under themes/", raw.theme),
            });
        }
        if let Err(message) = check_base_url(&raw.base_url) {
            return Err(Error::Config {
                path: path.to_owned(),
                line: text
                    .lines()
                    .position(|l| l.trim_start().starts_with("base_url"))
                    .map(|i| i + 1),
                column: None,
                message,
            });
        }
        raw.highlight.check(text, path)?;
        if let Some(problem) = static_dir_problem(&raw.static_dir, &raw.content_dir) {
            return Err(static_dir_error(text, path, &raw.static_dir, problem));
        }
        let limits = {
            let l = &raw.limits;
            let bad = |key: &str, value: f64| {
                (!value.is_finite() || value <= 0.0 || value > 1e6).then(|| Error::Config {
                    path: path.to_owned(),
                    line: text.find(key).map(|at| line_col(text, at).0),
                    column: None,
                    message: format!("{key} in [limits] must be a positive number, not {value}"),
                })
            };
            if let Some(e) = bad("page_seconds", l.page_seconds)
                .or_else(|| bad("page_megabytes", l.page_megabytes))
            {
                return Err(e);
            }
            Limits {
                time: Duration::from_secs_f64(l.page_seconds),
                bytes: (l.page_megabytes * 1024.0 * 1024.0) as usize,
            }
        };
        Ok(Config {
            title: raw.title,
            base_url: raw.base_url,
            description: raw.description,
            language: raw.language,
            author: raw.author,
            theme: raw.theme,
            content_dir: raw.content_dir,
            output_dir: raw.output_dir,
            static_dir: raw.static_dir,
            paginate_by: raw.paginate_by,
            feed_limit: raw.feed_limit,
            preview_images: raw.preview_images,
            show_copies: raw.show_copies,
            sort_by: raw.sort_by,
            reverse: raw.reverse,
            drafts: raw.drafts,
            checks,
            tags: raw.tags,
            highlight: raw.highlight,
            limits,
            import: raw.import,
            extra: raw.extra,
        })
    }

    /// The level a check has on this site.
    pub fn level(&self, id: CheckId) -> Level {
        self.checks
            .get(&id)
            .copied()
            .unwrap_or_else(|| id.default_level())
    }

    /// `base_url` with exactly one trailing slash, for building permalinks.
    pub fn base_url_slash(&self) -> String {
        let mut b = self.base_url.trim_end_matches('/').to_owned();
        b.push('/');
        b
    }
}

/// Why `static_dir` (relative to the site folder, as is `content_dir`) must not be
/// published: everything in the static folder goes out as it is, so it must be a folder
/// of the site's own, not the site folder itself (site.toml, notes, the raw content),
/// not a path leading elsewhere (`/etc`), and not the content or around it.
fn static_dir_problem(dir: &Path, content: &Path) -> Option<&'static str> {
    use std::path::Component;
    let plain = |p: &Path| -> PathBuf {
        p.components()
            .filter(|c| !matches!(c, Component::CurDir))
            .collect()
    };
    let (dir, content) = (plain(dir), plain(content));
    if dir.has_root() || dir.components().any(|c| matches!(c, Component::Prefix(_))) {
        return Some("must be a folder inside the site folder, not an absolute path");
    }
    if dir.components().any(|c| matches!(c, Component::ParentDir)) {
        return Some("must be a folder inside the site folder (no `..`)");
    }
    if dir.as_os_str().is_empty() {
        return Some(
            "cannot be the site folder itself: it would publish site.toml and the sources",
        );
    }
    if dir
        .components()
        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
    {
        return Some("cannot be a hidden folder");
    }
    if dir.starts_with(&content) || content.starts_with(&dir) {
        return Some(
            "cannot be, be inside or contain the content folder: it would publish the postmortems' sources",
        );
    }
    None
}

fn static_dir_error(text: &str, path: &Path, dir: &Path, problem: &str) -> Error {
    // A top-level key stands before the first table header.
    let line = text
        .lines()
        .take_while(|l| !l.trim_start().starts_with('['))
        .position(|l| {
            l.trim_start()
                .strip_prefix("static_dir")
                .is_some_and(|r| r.trim_start().starts_with('='))
        })
        .map(|i| i + 1);
    Error::Config {
        path: path.to_owned(),
        line,
        column: None,
        message: format!("static_dir `{}` {problem}", dir.display()),
    }
}

/// toml's messages can span several lines with a caret diagram; the first line is the point.
fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or(message).trim().to_owned()
}

/// The `site.toml` that `hindsight init` writes: every key, with its default, explained.
pub const TEMPLATE: &str = r#"# Hindsight site settings. Every key is optional; these are the defaults.
title = "Postmortem Gallery"
description = "Incident postmortems, read and checked by Hindsight."
# Where the site will be published (used for permalinks and link previews).
base_url = "/"
language = "en"
theme = "default"
content_dir = "content"
output_dir = "public"
# Copied as they are to the root of the output (favicon.ico, robots.txt, images).
static_dir = "static"
# Cards per index page; 0 puts them all on one page.
paginate_by = 12
# Entries in each Atom feed (feed.xml, tags/<tag>/feed.xml, ...), the newest; 0 for all.
feed_limit = 20
# A link-preview image per postmortem (incidents/<slug>/preview.png, 1200x630): true,
# false (every page then shows the site's own image, preview.png), or "auto": when
# base_url is an absolute address, since only then can other sites fetch them.
preview_images = "auto"
# Show on each postmortem's page the submissions it is a near-duplicate of (copied
# work), with the passages they share. Off: the pages are public.
show_copies = false
# date, title, score, duration or path; reverse = true flips the order.
sort_by = "date"
reverse = false
# Publish postmortems whose front matter says draft = true.
drafts = false

# Check levels, like clippy lints: "allow", "warn" or "deny".
[checks]
# length = "allow"

[tags]
builtin = true
[tags.keywords]
# kubernetes = ["kubernetes", "k8s", "kubectl"]

# Code highlighting (syntect themes); unset, the site theme chooses.
[highlight]
# light_theme = "InspiredGitHub"
# dark_theme = "base16-ocean.dark"

# What rendering one page may take: past it the page is an error that names its
# template (a loop that never ends), and serve keeps watching.
[limits]
page_seconds = 10
page_megabytes = 50

# Anything under [extra] reaches templates as config.extra.
[extra]
"#;

/// A `base_url` is where the site is published: an `http(s)://` address with a host,
/// or a path from the server's root ("/", "/gallery/").
pub fn check_base_url(url: &str) -> std::result::Result<(), String> {
    if url.starts_with('/') && !url.starts_with("//") {
        return Ok(());
    }
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(()),
        _ => Err(format!(
            "base_url `{url}` is not an address: give one like \"https://example.org/gallery/\" or a path like \"/\""
        )),
    }
}

/// Whether `url` is an absolute `http(s)://` address with a host: what feeds, the
/// sitemap, canonical links and link previews need `base_url` to be.
pub fn is_absolute_url(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

/// The warning a build gives when `base_url` is not an absolute address (a path like
/// "/" is a valid setting, and the default, but leaves feeds, the sitemap and link
/// previews with addresses that lead nowhere outside the site), with where it was set
/// (`site.toml`, or `--base-url` when `from_flag`): `None` when it is one. `site_toml` is
/// the settings' text, to point at the line that sets it.
pub fn base_url_warning(
    base_url: &str,
    site_toml: &str,
    from_flag: bool,
) -> Option<(String, crate::model::Diagnostic)> {
    if is_absolute_url(base_url) {
        return None;
    }
    let why = "not an absolute http(s) address, so the Atom feeds, sitemap.xml, robots.txt, canonical links and link previews hold addresses that lead nowhere outside the site";
    let fix = "set base_url = \"https://example.org/gallery/\" (where the site is published) or pass --base-url";
    if from_flag {
        let message = format!("`{base_url}` is {why}; give the address the site is published at");
        return Some((
            "--base-url".to_owned(),
            crate::model::Diagnostic::warning(message, None),
        ));
    }
    // A top-level key stands before the first table header.
    let line = site_toml
        .lines()
        .take_while(|l| !l.trim_start().starts_with('['))
        .position(|l| {
            l.trim_start()
                .strip_prefix("base_url")
                .is_some_and(|r| r.trim_start().starts_with('='))
        })
        .and_then(|i| u32::try_from(i + 1).ok());
    let message = match line {
        Some(_) => format!("base_url `{base_url}` is {why}; {fix}"),
        None => format!("base_url is not set, and its default `{base_url}` is {why}; {fix}"),
    };
    Some((
        CONFIG_FILE.to_owned(),
        crate::model::Diagnostic::warning(message, line),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config> {
        Config::parse(text, Path::new("site.toml"))
    }

    /// The message of the error `text` is, which must start at `line` and say `what`.
    fn error_at(text: &str, line: usize, what: &str) -> String {
        let msg = parse(text).unwrap_err().to_string();
        assert!(
            msg.starts_with(&format!("site.toml:{line}:")) && msg.contains(what),
            "{msg}"
        );
        msg
    }

    #[test]
    fn empty_file_gives_defaults() {
        assert_eq!(parse("").unwrap(), Config::default());
    }

    #[test]
    fn the_init_template_is_the_defaults() {
        let c = parse(TEMPLATE).unwrap();
        assert_eq!(c, Config::default());
    }

    #[test]
    fn reads_values_and_check_levels() {
        let c = parse(
            "title = \"Class of 2024\"\npaginate_by = 5\nsort_by = \"score\"\n[checks]\nlength = \"allow\"\ntimeline-misleading = \"warn\"\n",
        )
        .unwrap();
        assert_eq!(c.title, "Class of 2024");
        assert_eq!(c.paginate_by, 5);
        assert_eq!(c.sort_by, SortBy::Score);
        assert_eq!(c.level(CheckId::Length), Level::Allow);
        assert_eq!(c.level(CheckId::TimelineMisleading), Level::Warning);
        assert_eq!(c.level(CheckId::RcaFix), Level::Error);
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        let err = parse("title = \"x\"\n\ntitel = \"typo\"\n").unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("site.toml:3:"), "{msg}");
        assert!(msg.contains("titel"), "{msg}");
    }

    #[test]
    fn a_misspelt_highlighting_theme_names_its_line() {
        let msg = parse("title = \"x\"\n[highlight]\ndark_theme = \"Solarized (drak)\"\n")
            .unwrap_err()
            .to_string();
        assert!(msg.starts_with("site.toml:3:"), "{msg}");
        assert!(
            msg.contains("Solarized (dark)"),
            "lists the known ones: {msg}"
        );
        let c = parse("[highlight]\nlight_theme = \"Solarized (light)\"\n").unwrap();
        assert_eq!(
            c.highlight.light_theme.as_deref(),
            Some("Solarized (light)")
        );
    }

    #[test]
    fn wrong_type_names_line() {
        let msg = parse("paginate_by = \"ten\"\n").unwrap_err().to_string();
        assert!(msg.starts_with("site.toml:1:"), "{msg}");
    }

    #[test]
    fn unknown_check_and_bad_level_name_their_line() {
        error_at(
            "[checks]\nsumary-duration = \"allow\"\n",
            2,
            "sumary-duration",
        );
        error_at("[checks]\nlength = \"loud\"\n", 2, "loud");
    }

    #[test]
    fn limits_are_read_and_must_be_positive() {
        let c = parse("[limits]\npage_seconds = 2.5\npage_megabytes = 1\n").unwrap();
        assert_eq!(c.limits.time, Duration::from_millis(2500));
        assert_eq!(c.limits.bytes, 1024 * 1024);
        error_at("[limits]\npage_seconds = 0\n", 2, "page_seconds");
        error_at("[limits]\npage_megabytes = -1\n", 2, "page_megabytes");
    }

    #[test]
    fn static_dir_must_be_a_folder_of_the_site_of_its_own() {
        for bad in [
            "/etc",
            ".",
            "",
            "./",
            "../shared",
            "static/../..",
            "content",
            "content/static",
            ".git",
        ] {
            let text = format!("title = \"x\"\nstatic_dir = \"{bad}\"\n");
            let msg = parse(&text).unwrap_err().to_string();
            assert!(msg.starts_with("site.toml:2:"), "{bad}: {msg}");
            assert!(msg.contains("static_dir"), "{bad}: {msg}");
        }
        let msg = parse("content_dir = \"site/posts\"\nstatic_dir = \"site\"\n")
            .unwrap_err()
            .to_string();
        assert!(msg.contains("content folder"), "{msg}");
        for good in ["static", "./assets", "web/static"] {
            assert!(
                parse(&format!("static_dir = \"{good}\"\n")).is_ok(),
                "{good}"
            );
        }
    }

    #[test]
    fn preview_images_are_drawn_for_an_absolute_base_url_unless_set() {
        let auto = Config::default().preview_images;
        assert_eq!(auto, PreviewImages::Auto);
        assert!(auto.drawn_for("https://class.example.org/gallery/"));
        assert!(!auto.drawn_for("/"));
        assert!(!auto.drawn_for("/gallery/"));
        let set = |v: &str| {
            parse(&format!("preview_images = {v}\n"))
                .unwrap()
                .preview_images
        };
        assert_eq!(set("\"auto\""), PreviewImages::Auto);
        assert!(set("true").drawn_for("/"));
        assert!(!set("false").drawn_for("https://class.example.org/"));
        assert!(!Config::default().show_copies);
        assert!(parse("show_copies = true\n").unwrap().show_copies);
        error_at("preview_images = \"no\"\n", 1, "");
    }

    #[test]
    fn feed_limit_is_read_with_a_default() {
        assert_eq!(Config::default().feed_limit, 20);
        assert_eq!(parse("feed_limit = 5\n").unwrap().feed_limit, 5);
        error_at("feed_limit = -1\n", 1, "");
    }

    #[test]
    fn a_base_url_that_is_no_address_is_warned_at_its_line() {
        assert!(is_absolute_url("https://example.org/gallery/"));
        assert!(is_absolute_url("http://localhost:8080/"));
        for relative in ["/", "/gallery/", "ftp://example.org/", "mailto:a@b.c"] {
            assert!(!is_absolute_url(relative), "{relative}");
        }
        assert!(base_url_warning("https://example.org/", "", false).is_none());
        let (path, d) = base_url_warning(
            "/gallery/",
            "title = \"x\"\nbase_url = \"/gallery/\"\n",
            false,
        )
        .unwrap();
        assert_eq!(
            (path.as_str(), d.line, d.level),
            ("site.toml", Some(2), Level::Warning)
        );
        assert!(
            d.message
                .starts_with("base_url `/gallery/` is not an absolute http(s) address"),
            "{}",
            d.message
        );
        let (_, d) = base_url_warning("/", "[extra]\nbase_url = \"x\"\n", false).unwrap();
        assert_eq!(d.line, None, "a key of a table is not the setting");
        assert!(
            d.message.starts_with("base_url is not set"),
            "{}",
            d.message
        );
        let (path, d) = base_url_warning("/x/", "", true).unwrap();
        assert_eq!((path.as_str(), d.line), ("--base-url", None));
    }

    #[test]
    fn theme_must_be_a_plain_folder_name() {
        assert!(parse("theme = \"../../etc\"\n").is_err());
    }
}
