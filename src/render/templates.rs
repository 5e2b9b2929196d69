//! Templates: the built-in default theme, a site theme from `themes/<name>/`, and the
//! site's own `templates/`, later ones overriding earlier ones by file name (Zola's
//! order). Loaded once per build and shared by every page.

use crate::check::minutes_words;
use crate::error::{Error, Result};
use crate::render::budget::{self, Failure, Limits, Watchdog};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tera::{Kwargs, State, Tera, Value};

/// The default theme, compiled in so `hindsight init` sites build without a themes folder.
pub const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    (
        "base.html",
        include_str!("../../themes/default/templates/base.html"),
    ),
    (
        "index.html",
        include_str!("../../themes/default/templates/index.html"),
    ),
    (
        "postmortem.html",
        include_str!("../../themes/default/templates/postmortem.html"),
    ),
    (
        "incidents.html",
        include_str!("../../themes/default/templates/incidents.html"),
    ),
    (
        "taxonomy.html",
        include_str!("../../themes/default/templates/taxonomy.html"),
    ),
    (
        "list.html",
        include_str!("../../themes/default/templates/list.html"),
    ),
    (
        "report.html",
        include_str!("../../themes/default/templates/report.html"),
    ),
    (
        "insights.html",
        include_str!("../../themes/default/templates/insights.html"),
    ),
    (
        "404.html",
        include_str!("../../themes/default/templates/404.html"),
    ),
    (
        "search.html",
        include_str!("../../themes/default/templates/search.html"),
    ),
    (
        "partials/card.html",
        include_str!("../../themes/default/templates/partials/card.html"),
    ),
    (
        "partials/cards.html",
        include_str!("../../themes/default/templates/partials/cards.html"),
    ),
    (
        "partials/pagination.html",
        include_str!("../../themes/default/templates/partials/pagination.html"),
    ),
];

/// Static files of the default theme, copied to `static/`.
pub const BUILTIN_STATIC: &[(&str, &str)] = &[
    (
        "style.css",
        include_str!("../../themes/default/static/style.css"),
    ),
    (
        "favicon.svg",
        include_str!("../../themes/default/static/favicon.svg"),
    ),
    (
        "search.js",
        include_str!("../../themes/default/static/search.js"),
    ),
    (
        "report.js",
        include_str!("../../themes/default/static/report.js"),
    ),
];

/// A theme compiled into the binary: the templates and static files it adds to (or
/// replaces in) the default theme.
pub struct BuiltinTheme {
    pub name: &'static str,
    pub theme_toml: &'static str,
    pub templates: &'static [(&'static str, &'static str)],
    pub statics: &'static [(&'static str, &'static str)],
}

/// Themes available without a `themes/` folder. A folder of the same name wins.
pub const BUILTIN_THEMES: &[BuiltinTheme] = &[BuiltinTheme {
    name: "terminal",
    theme_toml: include_str!("../../themes/terminal/theme.toml"),
    templates: &[
        (
            "base.html",
            include_str!("../../themes/terminal/templates/base.html"),
        ),
        (
            "index.html",
            include_str!("../../themes/terminal/templates/index.html"),
        ),
        (
            "incidents.html",
            include_str!("../../themes/terminal/templates/incidents.html"),
        ),
        (
            "404.html",
            include_str!("../../themes/terminal/templates/404.html"),
        ),
        (
            "search.html",
            include_str!("../../themes/terminal/templates/search.html"),
        ),
        (
            "partials/card.html",
            include_str!("../../themes/terminal/templates/partials/card.html"),
        ),
    ],
    statics: &[(
        "style.css",
        include_str!("../../themes/terminal/static/style.css"),
    )],
}];

/// A theme's `theme.toml`: who made it, and the code highlighting it is designed for.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ThemeInfo {
    pub name: String,
    pub description: String,
    pub author: String,
    pub highlight: crate::config::HighlightConfig,
    pub diagram: DiagramInfo,
}

/// `[diagram]` of a `theme.toml`: how the theme sets the timeline diagram's text.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct DiagramInfo {
    /// `"monospace"` for a theme whose type is monospace: the diagram is drawn, and its
    /// text measured, in a monospace font. Anything else: the system's sans-serif.
    pub font: Option<String>,
}

impl DiagramInfo {
    pub fn mono(&self) -> bool {
        self.font.as_deref() == Some("monospace")
    }
}

pub struct Templates {
    pub tera: Tera,
    pub theme: ThemeInfo,
    /// Static files of the theme: (path under `static/`, source on disk or built in).
    pub statics: Vec<(String, StaticSource)>,
    /// Files the templates came from, for watch mode and error messages.
    pub sources: Vec<PathBuf>,
    /// Each template's text by name, to tell where a page over its budget was.
    texts: BTreeMap<String, String>,
}

pub enum StaticSource {
    Builtin(&'static str),
    File(PathBuf),
}

impl Templates {
    /// A fingerprint of every template's text, the theme's name and its static files'
    /// names: what a page's look depends on besides its own inputs.
    pub fn fingerprint(&self) -> u64 {
        use std::hash::{BuildHasher, Hash, Hasher};
        let mut h = foldhash::fast::FixedState::default().build_hasher();
        self.texts.hash(&mut h);
        self.theme.name.hash(&mut h);
        for (rel, src) in &self.statics {
            rel.hash(&mut h);
            match src {
                StaticSource::Builtin(text) => text.hash(&mut h),
                StaticSource::File(path) => path.hash(&mut h),
            }
        }
        h.finish()
    }

    /// Loads the templates for `theme` as seen from the site folder `root`.
    pub fn load(root: &Path, theme: &str) -> Result<Templates> {
        let mut map: BTreeMap<String, String> = BUILTIN_TEMPLATES
            .iter()
            .map(|(n, c)| ((*n).to_owned(), (*c).to_owned()))
            .collect();
        let mut statics: BTreeMap<String, StaticSource> = BUILTIN_STATIC
            .iter()
            .map(|(n, c)| ((*n).to_owned(), StaticSource::Builtin(c)))
            .collect();
        let mut sources = Vec::new();
        let theme_dir = root.join("themes").join(theme);
        let mut info = ThemeInfo {
            name: "default".into(),
            ..ThemeInfo::default()
        };
        let parse_info = |text: &str, path: PathBuf| -> Result<ThemeInfo> {
            let info: ThemeInfo = toml::from_str(text).map_err(|e| Error::Config {
                line: e.span().map(|s| crate::error::line_col(text, s.start).0),
                column: None,
                path: path.clone(),
                message: e.message().lines().next().unwrap_or("").to_owned(),
            })?;
            info.highlight.check(text, &path)?;
            Ok(info)
        };
        if theme_dir.is_dir() {
            let toml_path = theme_dir.join("theme.toml");
            if toml_path.is_file() {
                info = parse_info(&crate::error::fs::read_to_string(&toml_path)?, toml_path)?;
            }
            read_dir_into(&theme_dir.join("templates"), &mut map, &mut sources)?;
            for (rel, path) in walk_files(&theme_dir.join("static")) {
                statics.insert(rel, StaticSource::File(path));
            }
        } else if let Some(builtin) = BUILTIN_THEMES.iter().find(|t| t.name == theme) {
            info = parse_info(
                builtin.theme_toml,
                PathBuf::from(format!("themes/{theme}/theme.toml")),
            )?;
            map.extend(
                builtin
                    .templates
                    .iter()
                    .map(|(n, c)| ((*n).to_owned(), (*c).to_owned())),
            );
            statics.extend(
                builtin
                    .statics
                    .iter()
                    .map(|(n, c)| ((*n).to_owned(), StaticSource::Builtin(c))),
            );
        } else if theme != "default" {
            return Err(Error::Config {
                path: root.join(crate::config::CONFIG_FILE),
                line: None,
                column: None,
                message: format!(
                    "theme `{theme}` not found: there is no folder {} and no built-in theme of that name (built in: default, {})",
                    theme_dir.display(),
                    BUILTIN_THEMES
                        .iter()
                        .map(|t| t.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
        read_dir_into(&root.join("templates"), &mut map, &mut sources)?;
        let mut tera = Tera::new();
        register_filters(&mut tera);
        tera.add_raw_templates(map.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .map_err(|e| Error::Template {
                name: template_name_of(&e).unwrap_or_else(|| "templates".into()),
                message: error_chain(&e),
            })?;
        Ok(Templates {
            tera,
            theme: info,
            statics: statics.into_iter().collect(),
            sources,
            texts: map,
        })
    }

    /// The text of the theme's static file `rel` (under `static/`), when it has one.
    pub fn static_text(&self, rel: &str) -> Option<Result<String>> {
        let (_, src) = self.statics.iter().find(|(r, _)| r == rel)?;
        Some(match src {
            StaticSource::Builtin(text) => Ok((*text).to_owned()),
            StaticSource::File(path) => crate::error::fs::read_to_string(path),
        })
    }

    /// Renders `name` within the default [`Limits`].
    pub fn render(&self, name: &str, ctx: &tera::Context) -> Result<String> {
        self.render_within(name, ctx, Limits::default(), &Watchdog::default())
    }

    /// Renders `name` as one page: stopped, with an error naming the template, once it
    /// passes `limits` or `watchdog` is cancelled.
    pub fn render_within(
        &self,
        name: &str,
        ctx: &tera::Context,
        limits: Limits,
        watchdog: &Watchdog,
    ) -> Result<String> {
        budget::render_page(
            name,
            limits,
            watchdog,
            |text| self.locate(text),
            |out| self.tera.render_to(name, ctx, out),
        )
        .map_err(|f| Error::Template {
            name: name.to_owned(),
            message: match f {
                Failure::Stopped(message) => message,
                Failure::Tera(e) => error_chain(&e),
            },
        })
    }

    /// Where the literal text `written` stands in the templates ("base.html:12"), when
    /// it stands between two tags in exactly one place: what a page stopped while
    /// writing it was doing, as near as can be told (Tera does not say where a write
    /// failed).
    fn locate(&self, written: &[u8]) -> Option<String> {
        let text = std::str::from_utf8(written).ok()?;
        if text.trim().is_empty() {
            return None;
        }
        let mut found = Vec::new();
        for (name, source) in &self.texts {
            for (at, _) in source.match_indices(text) {
                let before = source[..at].trim_end();
                let after = source[at + text.len()..].trim_start();
                if (before.is_empty() || before.ends_with('}'))
                    && (after.is_empty() || after.starts_with('{'))
                {
                    found.push(format!("{name}:{}", crate::error::line_col(source, at).0));
                }
            }
        }
        match found.as_slice() {
            [one] => Some(one.clone()),
            _ => None,
        }
    }
}

fn read_dir_into(
    dir: &Path,
    map: &mut BTreeMap<String, String>,
    sources: &mut Vec<PathBuf>,
) -> Result<()> {
    for (rel, path) in walk_files(dir) {
        if !rel.ends_with(".html") && !rel.ends_with(".xml") && !rel.ends_with(".txt") {
            continue;
        }
        let text = crate::error::fs::read_to_string(&path)?;
        map.insert(rel, text);
        sources.push(path);
    }
    Ok(())
}

/// Files under `dir` with their `/`-separated relative paths, hidden ones skipped.
pub fn walk_files(dir: &Path) -> Vec<(String, PathBuf)> {
    if !dir.is_dir() {
        return Vec::new();
    }
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .ok()?
                .to_string_lossy()
                .replace('\\', "/");
            Some((rel, e.path().to_owned()))
        })
        .collect()
}

fn error_chain(e: &tera::Error) -> String {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

/// The template an error is about: a parse error points at it (`--> index.html:1:5`),
/// others quote it (`'index.html'`).
fn template_name_of(e: &tera::Error) -> Option<String> {
    let s = e.to_string();
    if let Some(at) = s.find("--> ") {
        let rest = &s[at + 4..];
        let name = rest.split([':', '\n']).next().unwrap_or("").trim();
        if !name.is_empty() {
            return Some(name.to_owned());
        }
    }
    let start = s.find('\'')? + 1;
    let end = s[start..].find('\'')? + start;
    Some(s[start..end].to_owned())
}

/// Filters the themes use beyond tera's own, and `range()` with a clock.
fn register_filters(tera: &mut Tera) {
    tera.register_function("range", budget::range);
    // 195 → "3 h 15 min"
    tera.register_filter("duration", |v: Value, _: Kwargs, _: &State| -> String {
        v.as_i128()
            .map(|m| m as f64)
            .or_else(|| v.as_f64())
            .filter(|m| *m >= 0.0)
            .map(|m| minutes_words(m.round() as i64))
            .unwrap_or_default()
    });
    // "2023-05-15T10:00" → "2023-05-15 10:00"
    tera.register_filter("local", |v: &str, _: Kwargs, _: &State| -> String {
        v.replace('T', " ")
    });
    // 40.0 → "40%", 12.5 → "12.5%"
    tera.register_filter("percent", |v: Value, _: Kwargs, _: &State| -> String {
        match v.as_f64().or_else(|| v.as_number().map(|n| n.as_float())) {
            Some(f) if f.fract() == 0.0 => format!("{f:.0}%"),
            Some(f) => format!("{f:.1}%"),
            None => String::new(),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_templates_parse() {
        let dir = std::env::temp_dir().join(format!("hindsight-tpl-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let t = Templates::load(&dir, "default").unwrap();
        assert!(t.tera.get_template_names().any(|n| n == "postmortem.html"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn site_templates_override_the_theme() {
        let dir = std::env::temp_dir().join(format!("hindsight-tpl-ovr-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("templates")).unwrap();
        std::fs::write(dir.join("templates/404.html"), "custom {{ 1 + 1 }}").unwrap();
        let t = Templates::load(&dir, "default").unwrap();
        assert_eq!(
            t.render("404.html", &tera::Context::new()).unwrap(),
            "custom 2"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_broken_template_names_itself() {
        let dir = std::env::temp_dir().join(format!("hindsight-tpl-bad-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("templates")).unwrap();
        std::fs::write(dir.join("templates/404.html"), "{% if %}").unwrap();
        let err = Templates::load(&dir, "default").err().unwrap();
        assert!(
            matches!(&err, Error::Template { name, .. } if name == "404.html"),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_terminal_theme_is_built_in() {
        let dir = std::env::temp_dir().join(format!("hindsight-tpl-term-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let t = Templates::load(&dir, "terminal").unwrap();
        let css = t.statics.iter().find(|(n, _)| n == "style.css").unwrap();
        assert!(matches!(css.1, StaticSource::Builtin(s) if s.contains("monospace")));
        assert!(
            t.tera.get_template_names().any(|n| n == "insights.html"),
            "falls back to default templates"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn runaway(name: &str, text: &str) -> Templates {
        let dir = std::env::temp_dir().join(format!("hindsight-tpl-{name}-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("templates")).unwrap();
        std::fs::write(dir.join("templates/404.html"), text).unwrap();
        let t = Templates::load(&dir, "default").unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        t
    }

    /// The message of the error rendering `text` within `limits` stops with.
    fn stopped(name: &str, text: &str, limits: Limits) -> String {
        let err = runaway(name, text)
            .render_within(
                "404.html",
                &tera::Context::new(),
                limits,
                &Watchdog::default(),
            )
            .unwrap_err();
        match err {
            Error::Template { name, message } if name == "404.html" => message,
            e => panic!("{e}"),
        }
    }

    const NESTED: &str =
        "{% for a in range(end=100000) %}{% for b in range(end=100000) %}x{% endfor %}{% endfor %}";

    #[test]
    fn a_page_past_its_size_is_stopped_naming_template_and_line() {
        let limits = Limits {
            time: std::time::Duration::from_secs(600),
            bytes: 1024 * 1024,
        };
        let message = stopped("size", &format!("<h1>Lost</h1>\n\n{NESTED}\n"), limits);
        assert!(message.contains("passed 1 MB"), "{message}");
        assert!(message.contains("404.html:3"), "{message}");
    }

    #[test]
    fn a_page_past_its_time_is_stopped_where_range_is_called() {
        // No output at all: only the clock in range() can stop it.
        let limits = Limits {
            time: std::time::Duration::from_millis(200),
            bytes: usize::MAX,
        };
        let message = stopped(
            "time",
            "{% for a in range(end=100000) %}\n{% for b in range(end=100000) %}{% set c = b %}{% endfor %}{% endfor %}",
            limits,
        );
        assert!(message.contains("longer than 0.2 s"), "{message}");
        assert!(message.contains("404.html:2"), "{message}");
    }

    #[test]
    fn range_is_the_built_in_one_within_budget() {
        let t = runaway(
            "range",
            "{% for i in range(end=5) %}{{ i }}{% endfor %}|{% for i in range(start=10, end=0, step_by=-3) %}{{ i }},{% endfor %}",
        );
        assert_eq!(
            t.render("404.html", &tera::Context::new()).unwrap(),
            "01234|10,7,4,1,"
        );
        let t = runaway("range-big", "{% for i in range(end=100001) %}{% endfor %}");
        let err = t
            .render("404.html", &tera::Context::new())
            .unwrap_err()
            .to_string();
        assert!(err.contains("exceeds the limit of 100000"), "{err}");
    }

    #[test]
    fn a_cancelled_build_renders_nothing_more() {
        let t = runaway("cancel", "fine");
        let dog = Watchdog::default();
        dog.cancel();
        let err = t
            .render_within("404.html", &tera::Context::new(), Limits::default(), &dog)
            .unwrap_err();
        assert!(crate::render::budget::is_cancelled(&err), "{err}");
    }

    #[test]
    fn missing_theme_is_an_error() {
        let dir =
            std::env::temp_dir().join(format!("hindsight-tpl-missing-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert!(Templates::load(&dir, "nope").is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
