//! Link previews: the image a chat, a forum or a social site shows beside a shared link.
//! One per postmortem (`incidents/<slug>/preview.png`), with its title, its key facts as
//! the page states them and its timeline as a strip, and one for the site (`preview.png`
//! at its root) for every other page; pages name theirs in `og:image`.
//!
//! Each is drawn as SVG (a [`Preview`] in, text out: a pure function that tests read) and
//! rasterised with resvg into a 1200×630 PNG. Text is drawn in the one font bundled with
//! the program, a subset of DejaVu Sans, regular and bold (`fonts/`, with its licence),
//! loaded from the binary: no system font is ever looked at, so every machine writes the
//! same bytes, and a fresh machine without fonts draws the same text. The subset holds
//! Latin (ASCII, Latin-1, Latin Extended-A, combining accents) and common punctuation;
//! any other character (CJK, Arabic, emoji) is drawn as the font's empty box.
//!
//! A page's image is rendered again only when its [`Preview`] changes: pages fingerprint
//! the `Preview`, never the PNG, and drawing one costs milliseconds (see the README's
//! Performance section).

use crate::model::{EntryKind, Postmortem, Severity};
use crate::render::timeline_svg::{self, Strip};
use crate::render::xml;
use resvg::{tiny_skia, usvg};
use serde::Serialize;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, OnceLock};

/// The size of every preview image: what Open Graph and Twitter's large card ask for.
pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 630;
/// The file name of a page's preview image, in the page's folder.
pub const FILE: &str = "preview.png";

/// Where the preview image of the page at `page` ("incidents/x/", "" for the site) is.
pub fn path(page: &str) -> String {
    format!("{page}{FILE}")
}

/// Whether the output file `rel` is a preview image: made from its [`Preview`] alone
/// (and this program), whatever the templates and settings say, so its fingerprint
/// still counts after they change (see [`crate::output::previous_fingerprints`]).
pub fn is_image(rel: &str) -> bool {
    rel == FILE
        || rel
            .strip_prefix("incidents/")
            .and_then(|r| r.strip_suffix(FILE))
            .and_then(|dir| dir.strip_suffix('/'))
            .is_some_and(|slug| !slug.is_empty() && !slug.contains('/'))
}

const REGULAR: &[u8] = include_bytes!("fonts/DejaVuSans-subset.ttf");
const BOLD: &[u8] = include_bytes!("fonts/DejaVuSans-Bold-subset.ttf");
const FAMILY: &str = "DejaVu Sans";

/// What one preview image shows: everything it is drawn from, so that its fingerprint
/// is the image's.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Preview {
    /// Above the title: the site and the collection, or what the site is.
    pub eyebrow: String,
    pub title: String,
    /// Under the title (the site's description on the site's image).
    pub subtitle: Option<String>,
    pub facts: Vec<Fact>,
    /// The stripe down the left edge: the severity, or the site's colour.
    pub tone: Tone,
    pub strip: Option<Strip>,
    /// At the foot, for the site's image: where it is published.
    pub footer: Option<String>,
}

/// A labelled figure of the facts row; `None` is drawn as "not stated".
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fact {
    pub label: &'static str,
    pub value: Option<String>,
    pub tone: Option<Tone>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tone {
    Site,
    Unknown,
    Minor,
    Major,
    Critical,
}

impl Tone {
    fn of(s: Severity) -> Tone {
        match s {
            Severity::Unknown => Tone::Unknown,
            Severity::Minor => Tone::Minor,
            Severity::Major => Tone::Major,
            Severity::Critical => Tone::Critical,
        }
    }

    /// The default theme's colours (`--minor`, `--major`, `--critical`, `--accent`).
    fn colour(self) -> &'static str {
        match self {
            Tone::Site => "#3b5bdb",
            Tone::Unknown => "#868e96",
            Tone::Minor => "#3b7d5c",
            Tone::Major => "#b26b00",
            Tone::Critical => "#c0392b",
        }
    }
}

/// What a page's facts panel shows for a share of users ("40%", "12.5%"), as the
/// templates' `percent` filter writes it.
fn percent(p: f64) -> String {
    if p.fract() == 0.0 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

/// Text of the student's on one line, whitespace collapsed and only what XML may hold.
fn one_line(s: &str) -> String {
    xml::clean(s)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl Preview {
    /// A postmortem's image: its title, its facts as its page's facts panel states
    /// them, and its timeline.
    pub fn incident(site_title: &str, pm: &Postmortem) -> Preview {
        let title = one_line(&pm.title);
        let place = pm.collection.as_deref().map(one_line);
        let site = one_line(site_title);
        Preview {
            eyebrow: match place.filter(|c| !c.is_empty()) {
                Some(c) => format!("{site} · {c}"),
                None => format!("{site} · Postmortem"),
            },
            title: if title.is_empty() {
                "Untitled postmortem".to_owned()
            } else {
                title
            },
            subtitle: None,
            facts: vec![
                Fact {
                    label: "DATE",
                    value: pm.date.map(|d| d.to_string()),
                    tone: None,
                },
                Fact {
                    label: "DURATION",
                    value: pm
                        .outage
                        .duration_minutes
                        .filter(|m| *m >= 0)
                        .map(crate::check::minutes_words),
                    tone: None,
                },
                Fact {
                    label: "USERS AFFECTED",
                    value: pm.outage.users_affected_percent.map(percent),
                    tone: None,
                },
                Fact {
                    label: "SEVERITY",
                    value: Some(pm.severity.as_str().to_owned()),
                    tone: Some(Tone::of(pm.severity)),
                },
                Fact {
                    label: "CHECKS",
                    value: Some(format!("{}/{}", pm.score.passed, pm.score.of)),
                    tone: None,
                },
            ],
            tone: Tone::of(pm.severity),
            strip: timeline_svg::strip(pm),
            footer: None,
        }
    }

    /// The site's image, for its listings and every page without one of its own.
    pub fn site(site: &SiteFacts) -> Preview {
        let title = one_line(&site.title);
        let footer = site
            .base_url
            .split_once("://")
            .map(|(_, rest)| one_line(rest.trim_end_matches('/')))
            .filter(|s| !s.is_empty());
        Preview {
            eyebrow: "Incident postmortems".to_owned(),
            title: if title.is_empty() {
                "Postmortem Gallery".to_owned()
            } else {
                title
            },
            subtitle: Some(one_line(&site.description)).filter(|s| !s.is_empty()),
            facts: vec![
                Fact {
                    label: "POSTMORTEMS",
                    value: Some(site.postmortems.to_string()),
                    tone: None,
                },
                Fact {
                    label: "PASS EVERY CHECK",
                    value: Some(site.perfect.to_string()),
                    tone: None,
                },
                Fact {
                    label: "AVERAGE SCORE",
                    value: Some(format!(
                        "{}/{}",
                        site.average_score,
                        crate::model::CheckId::MANDATORY
                    )),
                    tone: None,
                },
                Fact {
                    label: "COLLECTIONS",
                    value: Some(site.collections.to_string()),
                    tone: None,
                },
            ],
            tone: Tone::Site,
            strip: None,
            footer,
        }
    }

    /// The image in words, for `og:image:alt` and `twitter:image:alt`.
    pub fn alt(&self) -> String {
        let facts: Vec<String> = self
            .facts
            .iter()
            .map(|f| {
                format!(
                    "{} {}",
                    f.label.to_lowercase(),
                    f.value.as_deref().unwrap_or("not stated")
                )
            })
            .collect();
        let mut s = format!("{}: {}", self.title, facts.join(", "));
        if let Some(strip) = &self.strip {
            let n = strip.events.len();
            let _ = write!(
                s,
                "; a timeline of {n} event{}",
                if n == 1 { "" } else { "s" }
            );
        }
        s
    }

    /// The image as a PNG of [`WIDTH`] × [`HEIGHT`].
    pub fn png(&self) -> Vec<u8> {
        // Everything drawn is escaped and cleaned, so the drawing always parses; were it
        // ever not to, the image is drawn without the student's text rather than not at
        // all.
        rasterise(&self.svg()).unwrap_or_else(|| {
            let plain = Preview {
                eyebrow: "Postmortem".to_owned(),
                title: "Untitled postmortem".to_owned(),
                subtitle: None,
                facts: Vec::new(),
                tone: self.tone,
                strip: None,
                footer: None,
            };
            rasterise(&plain.svg()).unwrap_or_default()
        })
    }
}

/// What the site's image states.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SiteFacts {
    pub title: String,
    pub description: String,
    pub base_url: String,
    pub postmortems: usize,
    pub perfect: usize,
    pub average_score: f64,
    pub collections: usize,
}

// ---------------------------------------------------------------------------------
// Measuring text in the bundled font

/// One face's advance widths, in em.
struct Face {
    advance: HashMap<char, f32, crate::words::Fx>,
    /// What a character the face lacks is drawn as: its `.notdef` box.
    missing: f32,
}

impl Face {
    fn load(data: &[u8]) -> Face {
        use skrifa::MetadataProvider;
        use skrifa::instance::{LocationRef, Size};
        let font = skrifa::FontRef::new(data).expect("the bundled font parses");
        let upem = f32::from(
            font.metrics(Size::unscaled(), LocationRef::default())
                .units_per_em,
        );
        let metrics = font.glyph_metrics(Size::unscaled(), LocationRef::default());
        let em = |g| metrics.advance_width(g).unwrap_or(upem) / upem;
        Face {
            advance: font
                .charmap()
                .mappings()
                .filter_map(|(c, g)| Some((char::from_u32(c)?, em(g))))
                .collect(),
            missing: em(skrifa::GlyphId::NOTDEF),
        }
    }

    /// How wide `s` is drawn at `size` px (kerning, which only narrows, left out).
    fn width(&self, s: &str, size: f64) -> f64 {
        let em: f32 = s
            .chars()
            .map(|c| self.advance.get(&c).copied().unwrap_or(self.missing))
            .sum();
        f64::from(em) * size
    }
}

struct Fonts {
    /// For resvg: the two faces, and nothing else.
    db: Arc<usvg::fontdb::Database>,
    regular: Face,
    bold: Face,
}

fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        for data in [REGULAR, BOLD] {
            db.load_font_source(usvg::fontdb::Source::Binary(Arc::new(data)));
        }
        // Every generic family is the bundled one, so a fallback finds it too.
        db.set_serif_family(FAMILY);
        db.set_sans_serif_family(FAMILY);
        db.set_monospace_family(FAMILY);
        db.set_cursive_family(FAMILY);
        db.set_fantasy_family(FAMILY);
        Fonts {
            db: Arc::new(db),
            regular: Face::load(REGULAR),
            bold: Face::load(BOLD),
        }
    })
}

/// Text in one style: how it is measured and written.
#[derive(Clone, Copy)]
struct Style {
    size: f64,
    bold: bool,
    fill: &'static str,
}

impl Style {
    fn width(self, s: &str) -> f64 {
        let f = fonts();
        if self.bold { &f.bold } else { &f.regular }.width(s, self.size)
    }

    fn wrap(self, s: &str, width: f64, max_lines: usize) -> Vec<String> {
        timeline_svg::wrap_by(s, &|t| self.width(t), width, max_lines)
    }

    /// `s` on one line of at most `width` px, cut with "…" when it is wider.
    fn fit(self, s: &str, width: f64) -> String {
        if self.width(s) <= width {
            s.to_owned()
        } else {
            timeline_svg::fit_with_ellipsis_by(s, &|t| self.width(t), width)
        }
    }
}

// ---------------------------------------------------------------------------------
// Drawing

const LEFT: f64 = 92.0;
/// Where things sit, top to bottom (baselines, but for the rule and the strip's axis).
const RULE: f64 = 350.0;
const FACT_LABEL: f64 = 396.0;
const FACT_VALUE: f64 = 442.0;
const STRIP_LABEL: f64 = 500.0;
const STRIP: f64 = 542.0;
const STRIP_CAPTION: f64 = 590.0;
const RIGHT: f64 = 1108.0;
/// The background (`--bg`, #fbfaf7): what the pixmap is filled with before the
/// drawing (a rectangle over the whole image took a tenth of the time).
const PAPER: [u8; 3] = [0xfb, 0xfa, 0xf7];
const INK: &str = "#1d1f24";
const MUTED: &str = "#5d626d";
const FAINT: &str = "#9ca3af";
const LINE: &str = "#e3e0d8";

const EYEBROW: Style = Style {
    size: 26.0,
    bold: false,
    fill: MUTED,
};
const SUBTITLE: Style = Style {
    size: 28.0,
    bold: false,
    fill: MUTED,
};
const LABEL: Style = Style {
    size: 19.0,
    bold: true,
    fill: MUTED,
};
const CAPTION: Style = Style {
    size: 22.0,
    bold: false,
    fill: MUTED,
};
/// The title's sizes, largest first, each with the lines it may take: a title that
/// fits in none is cut with "…" at the last.
const TITLE_SIZES: [(f64, usize); 2] = [(66.0, 2), (54.0, 3)];

/// The colour of a timeline entry's kind (the diagram's, in light mode).
fn kind_colour(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Detection => "#d9480f",
        EntryKind::Investigation => "#1c64c8",
        EntryKind::Misleading => "#9c36b5",
        EntryKind::Escalation => "#a0720b",
        EntryKind::Mitigation => "#0b7285",
        EntryKind::Resolution => "#2b8a3e",
        EntryKind::Other => "#868e96",
    }
}

/// A number as the drawing writes it: to a tenth.
fn n(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

fn text(out: &mut String, style: Style, x: f64, y: f64, anchor: &str, content: &str) {
    let _ = write!(
        out,
        "<text x=\"{}\" y=\"{}\" font-size=\"{}\"{} fill=\"{}\"{}>{}</text>",
        n(x),
        n(y),
        n(style.size),
        if style.bold {
            " font-weight=\"bold\""
        } else {
            ""
        },
        style.fill,
        if anchor == "start" {
            String::new()
        } else {
            format!(" text-anchor=\"{anchor}\"")
        },
        xml::escape(content)
    );
}

impl Preview {
    /// The image as SVG: 1200×630 user units, every text escaped.
    pub fn svg(&self) -> String {
        let mut out = String::with_capacity(8192);
        let _ = write!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" \
             viewBox=\"0 0 {WIDTH} {HEIGHT}\" font-family=\"{FAMILY}\">\
             <rect width=\"20\" height=\"{HEIGHT}\" fill=\"{}\"/>",
            self.tone.colour()
        );
        text(
            &mut out,
            EYEBROW,
            LEFT,
            100.0,
            "start",
            &EYEBROW.fit(&self.eyebrow, RIGHT - LEFT),
        );
        let mut y = self.title_lines(&mut out);
        if let Some(sub) = &self.subtitle {
            y += 56.0;
            for line in SUBTITLE.wrap(sub, RIGHT - LEFT, if y < 300.0 { 2 } else { 1 }) {
                if y > RULE - 28.0 {
                    break;
                }
                text(&mut out, SUBTITLE, LEFT, y, "start", &line);
                y += 38.0;
            }
        }
        let _ = write!(
            out,
            "<rect x=\"{}\" y=\"{RULE}\" width=\"{}\" height=\"2\" fill=\"{LINE}\"/>",
            n(LEFT),
            n(RIGHT - LEFT)
        );
        self.facts_row(&mut out);
        match &self.strip {
            Some(strip) => draw_strip(&mut out, strip),
            None if self.footer.is_none() && !self.facts.is_empty() => {
                text(&mut out, LABEL, LEFT, STRIP_LABEL, "start", "TIMELINE");
                text(
                    &mut out,
                    Style {
                        fill: FAINT,
                        ..CAPTION
                    },
                    LEFT,
                    STRIP + 8.0,
                    "start",
                    "no timeline entries",
                );
            }
            None => {}
        }
        if let Some(footer) = &self.footer {
            let style = Style {
                size: 28.0,
                bold: true,
                fill: self.tone.colour(),
            };
            text(
                &mut out,
                style,
                LEFT,
                STRIP + 10.0,
                "start",
                &style.fit(footer, RIGHT - LEFT),
            );
        }
        out.push_str("</svg>");
        out
    }

    /// The title, as large as it fits; returns the baseline of its last line.
    fn title_lines(&self, out: &mut String) -> f64 {
        let width = RIGHT - LEFT;
        let style = |size| Style {
            size,
            bold: true,
            fill: INK,
        };
        let (size, lines) = TITLE_SIZES
            .iter()
            .map(|&(size, max)| (size, style(size).wrap(&self.title, width, usize::MAX), max))
            .find(|(_, lines, max)| lines.len() <= *max)
            .map(|(size, lines, _)| (size, lines))
            .unwrap_or_else(|| {
                let (size, max) = TITLE_SIZES[TITLE_SIZES.len() - 1];
                (size, style(size).wrap(&self.title, width, max))
            });
        let step = (size * 1.18).round();
        let mut y = 120.0 + size;
        for (i, line) in lines.iter().enumerate() {
            if i > 0 {
                y += step;
            }
            text(out, style(size), LEFT, y, "start", line);
        }
        y
    }

    /// The facts, side by side, spread over the width; their values made smaller until
    /// they fit, and cut with "…" at the smallest.
    fn facts_row(&self, out: &mut String) {
        if self.facts.is_empty() {
            return;
        }
        let width = RIGHT - LEFT;
        let gaps = (self.facts.len() - 1) as f64;
        let value_style = |f: &Fact, size: f64| Style {
            size,
            bold: f.value.is_some(),
            fill: match (&f.value, f.tone) {
                (None, _) => FAINT,
                (Some(_), Some(t)) => t.colour(),
                (Some(_), None) => INK,
            },
        };
        let shown = |f: &Fact| f.value.clone().unwrap_or_else(|| "not stated".to_owned());
        let columns = |size: f64| -> Vec<f64> {
            self.facts
                .iter()
                .map(|f| {
                    LABEL
                        .width(f.label)
                        .max(value_style(f, size).width(&shown(f)))
                })
                .collect()
        };
        let mut size = 34.0;
        let mut cols = columns(size);
        while size > 24.0 && cols.iter().sum::<f64>() + gaps * 28.0 > width {
            size -= 2.0;
            cols = columns(size);
        }
        let total: f64 = cols.iter().sum();
        let (gap, cols) = if total + gaps * 28.0 <= width {
            (
                if gaps > 0.0 {
                    (width - total) / gaps
                } else {
                    0.0
                },
                cols,
            )
        } else {
            // Even at the smallest size they do not fit: equal columns, values cut.
            (28.0, vec![(width - gaps * 28.0) / (gaps + 1.0); cols.len()])
        };
        let mut x = LEFT;
        for (f, w) in self.facts.iter().zip(cols) {
            text(out, LABEL, x, FACT_LABEL, "start", &LABEL.fit(f.label, w));
            let style = value_style(f, size);
            text(out, style, x, FACT_VALUE, "start", &style.fit(&shown(f), w));
            x += w + gap;
        }
    }
}

/// The timeline strip along the foot: a track, the outage window as a band, a marker
/// per entry in its kind's shape and colour, the first and last moments under it.
fn draw_strip(out: &mut String, strip: &Strip) {
    const Y: f64 = STRIP;
    let x = |at: u16| LEFT + (RIGHT - LEFT) * f64::from(at) / 1000.0;
    let n_events = strip.events.len();
    text(out, LABEL, LEFT, STRIP_LABEL, "start", "TIMELINE");
    text(
        out,
        CAPTION,
        RIGHT,
        STRIP_LABEL,
        "end",
        &format!("{n_events} event{}", if n_events == 1 { "" } else { "s" }),
    );
    let _ = write!(
        out,
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"6\" rx=\"3\" fill=\"{LINE}\"/>",
        n(LEFT),
        n(Y - 3.0),
        n(RIGHT - LEFT)
    );
    if let Some((start, end, known)) = strip.window {
        let (a, b) = (x(start), x(end).max(x(start) + 2.0));
        let _ = write!(
            out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"36\" rx=\"6\" fill=\"#e03131\" fill-opacity=\"0.14\"/>\
             <rect x=\"{}\" y=\"{}\" width=\"3\" height=\"36\" fill=\"#e03131\" fill-opacity=\"0.6\"/>",
            n(a),
            n(Y - 18.0),
            n(b - a),
            n(a - 1.5),
            n(Y - 18.0),
        );
        if known {
            let _ = write!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"3\" height=\"36\" fill=\"#e03131\" fill-opacity=\"0.6\"/>",
                n(b - 1.5),
                n(Y - 18.0),
            );
        }
    }
    for &(at, kind) in &strip.events {
        let _ = write!(
            out,
            "<g fill=\"{}\" stroke=\"#ffffff\" stroke-width=\"2.5\">{}</g>",
            kind_colour(kind),
            timeline_svg::shape(kind, x(at), Y, 11.0)
        );
    }
    // The first and last moments under the strip, where they are; one line when they
    // would run into each other.
    let (fx, tx) = (x(strip.from.0), x(strip.to.0));
    let (from, to) = (&strip.from.1, &strip.to.1);
    let (fw, tw) = (CAPTION.width(from), CAPTION.width(to));
    let from_x = (fx - 12.0).clamp(LEFT, RIGHT - fw);
    let to_x = (tx + 12.0).clamp(LEFT + tw, RIGHT);
    if to.is_empty() || to_x - tw < from_x + fw + 24.0 {
        let both = if to.is_empty() || from == to {
            from.clone()
        } else {
            format!("{from} – {to}")
        };
        let both = CAPTION.fit(&both, RIGHT - LEFT);
        let w = CAPTION.width(&both);
        text(
            out,
            CAPTION,
            (fx - 12.0).clamp(LEFT, RIGHT - w),
            STRIP_CAPTION,
            "start",
            &both,
        );
    } else {
        text(out, CAPTION, from_x, STRIP_CAPTION, "start", from);
        text(out, CAPTION, to_x, STRIP_CAPTION, "end", to);
    }
}

/// Draws `svg` into an opaque 1200×630 PNG, in the bundled fonts only, with no image
/// ever loaded (the drawing names none; were it to, nothing would be read).
fn rasterise(svg: &str) -> Option<Vec<u8>> {
    let fonts = fonts();
    let options = usvg::Options {
        font_family: FAMILY.to_owned(),
        fontdb: fonts.db.clone(),
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: Box::new(|_, _, _| None),
            resolve_string: Box::new(|_, _| None),
        },
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).ok()?;
    CANVAS.with_borrow_mut(|canvas| {
        let canvas = match canvas {
            Some(c) => c,
            None => canvas.insert(Canvas::new()?),
        };
        canvas.pixmap.data_mut().copy_from_slice(&canvas.blank);
        resvg::render(
            &tree,
            tiny_skia::Transform::identity(),
            &mut canvas.pixmap.as_mut(),
        );
        let palette = canvas.palette.index(canvas.pixmap.data());
        encode(&palette, &canvas.palette.indexes)
    })
}

thread_local! {
    /// Each drawing thread's canvas, kept between images: a 3 MB pixmap allocated,
    /// zeroed and faulted in for every image was a fifth of an image's cost.
    static CANVAS: std::cell::RefCell<Option<Canvas>> = const { std::cell::RefCell::new(None) };
}

/// A pixmap to draw on, the same pixmap blank (paper) to start each image from, and the
/// buffers its colours are counted in.
struct Canvas {
    pixmap: tiny_skia::Pixmap,
    blank: Vec<u8>,
    palette: Palette,
}

impl Canvas {
    fn new() -> Option<Canvas> {
        let mut pixmap = tiny_skia::Pixmap::new(WIDTH, HEIGHT)?;
        pixmap.fill(tiny_skia::Color::from_rgba8(
            PAPER[0], PAPER[1], PAPER[2], 0xff,
        ));
        Some(Canvas {
            blank: pixmap.data().to_vec(),
            pixmap,
            palette: Palette::default(),
        })
    }
}

/// The palette image as an 8-bit PNG of at most 256 colours, compressed with the png
/// crate's fast deflate (fdeflate) over its adaptive filters. Measured on a sample image
/// (release build): 33 KB in about 1.2 ms (0.7 of it the palette), against 92 KB in
/// 1.0 ms as RGB, and 25 KB in 4.9 ms at the png crate's default level.
fn encode(palette: &[[u8; 3]], indexes: &[u8]) -> Option<Vec<u8>> {
    let mut bytes = Vec::with_capacity(32 * 1024);
    let mut encoder = png::Encoder::new(&mut bytes, WIDTH, HEIGHT);
    encoder.set_color(png::ColorType::Indexed);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_palette(palette.concat());
    encoder.set_compression(png::Compression::Fast);
    encoder.set_filter(png::Filter::Adaptive);
    let mut writer = encoder.write_header().ok()?;
    writer.write_image_data(indexes).ok()?;
    writer.finish().ok()?;
    Some(bytes)
}

/// Counts the colours of an opaque pixmap and gives each pixel an index among at most
/// 256 of them; its buffers are kept from one image to the next.
#[derive(Default)]
struct Palette {
    index: HashMap<u32, u16, crate::words::Fx>,
    /// Each colour met (0x00BBGGRR) and how many pixels have it.
    colours: Vec<(u32, u32)>,
    /// Each pixel's colour, by its place in `colours`.
    wide: Vec<u16>,
    /// Each pixel's index in the palette returned.
    indexes: Vec<u8>,
}

impl Palette {
    /// The colours of an opaque RGBA pixmap (at most 256: all of them in the order
    /// first met, or else the 256 most used, in that order), leaving each pixel's index
    /// among them in `self.indexes`. The drawing is a few flat colours and their
    /// anti-aliased edges, some 250-350 colours in all; when there are more than 256,
    /// the rarest (edge pixels) take the nearest colour kept. Runs of one colour (most
    /// of the image) are looked up once.
    fn index(&mut self, rgba: &[u8]) -> Vec<[u8; 3]> {
        let pixels = rgba.len() / 4;
        self.index.clear();
        self.colours.clear();
        self.wide.clear();
        self.wide.resize(pixels, 0);
        // The colours last looked up, by a hash of their own, before the map: the edges
        // of a shape go back and forth between a few.
        let mut recent: [Option<(u32, u16)>; 64] = [None; 64];
        let (mut last, mut at, mut run) = (None, 0u16, 0u32);
        for (p, out) in rgba.chunks_exact(4).zip(self.wide.iter_mut()) {
            // Alpha is 255 throughout: the pixel's four bytes tell its colour.
            let c = u32::from_le_bytes([p[0], p[1], p[2], p[3]]);
            if last != Some(c) {
                // Counted a run at a time (a count a pixel waited on the last one's store).
                if run > 0 {
                    self.colours[usize::from(at)].1 += run;
                }
                run = 0;
                let slot = (c.wrapping_mul(0x9E37_79B1) >> 26) as usize;
                at = if let Some((seen, i)) = recent[slot]
                    && seen == c
                {
                    i
                } else {
                    let colours = &mut self.colours;
                    let i = *self.index.entry(c).or_insert_with(|| {
                        colours.push((c, 0));
                        // A drawing of more than 65,536 colours is none of ours; the
                        // rarest share the last index, which is then sent to a near colour.
                        (colours.len() - 1).min(usize::from(u16::MAX)) as u16
                    });
                    recent[slot] = Some((c, i));
                    i
                };
                last = Some(c);
            }
            run += 1;
            *out = at;
        }
        if run > 0 {
            self.colours[usize::from(at)].1 += run;
        }
        let colours = &self.colours;
        let rgb = |c: u32| -> [u8; 3] {
            let [r, g, b, _] = c.to_le_bytes();
            [r, g, b]
        };
        self.indexes.clear();
        if colours.len() <= 256 {
            self.indexes.extend(self.wide.iter().map(|&i| i as u8));
            return colours.iter().map(|&(c, _)| rgb(c)).collect();
        }
        let mut by_use: Vec<usize> = (0..colours.len()).collect();
        by_use.sort_by(|&a, &b| colours[b].1.cmp(&colours[a].1).then(a.cmp(&b)));
        let mut kept: Vec<usize> = by_use[..256].to_vec();
        kept.sort_unstable();
        let palette: Vec<[u8; 3]> = kept.iter().map(|&k| rgb(colours[k].0)).collect();
        let mut remap = vec![0u8; colours.len()];
        for (new, &old) in kept.iter().enumerate() {
            remap[old] = new as u8;
        }
        for &old in &by_use[256..] {
            let c = rgb(colours[old].0);
            let distance = |p: &[u8; 3]| -> i32 {
                (0..3)
                    .map(|k| (i32::from(p[k]) - i32::from(c[k])).pow(2))
                    .sum()
            };
            remap[old] = (0..palette.len())
                .min_by_key(|&i| (distance(&palette[i]), i))
                .unwrap_or(0) as u8;
        }
        self.indexes
            .extend(self.wide.iter().map(|&i| remap[usize::from(i)]));
        palette
    }
}

/// The width and height a PNG's header states, or None when `bytes` is no PNG.
pub fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    let rest = bytes.strip_prefix(SIGNATURE)?;
    // The first chunk is IHDR: its length (13), its type, then width and height.
    if rest.get(4..8)? != b"IHDR" {
        return None;
    }
    let be = |at: usize| -> Option<u32> {
        Some(u32::from_be_bytes(rest.get(at..at + 4)?.try_into().ok()?))
    };
    Some((be(8)?, be(12)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn preview(title: &str) -> Preview {
        Preview {
            eyebrow: "Class & <Co> · Postmortem".to_owned(),
            title: title.to_owned(),
            subtitle: None,
            facts: vec![
                Fact {
                    label: "DATE",
                    value: Some("2024-05-02".to_owned()),
                    tone: None,
                },
                Fact {
                    label: "DURATION",
                    value: Some("1 h 30 min".to_owned()),
                    tone: None,
                },
                Fact {
                    label: "USERS AFFECTED",
                    value: None,
                    tone: None,
                },
                Fact {
                    label: "SEVERITY",
                    value: Some("major".to_owned()),
                    tone: Some(Tone::Major),
                },
            ],
            tone: Tone::Major,
            strip: Some(Strip {
                events: vec![(40, EntryKind::Detection), (500, EntryKind::Resolution)],
                window: Some((40, 960, true)),
                from: (40, "10:00".to_owned()),
                to: (960, "11:30 UTC".to_owned()),
            }),
            footer: None,
        }
    }

    /// The text of every `<text>` of a drawing, as an XML parser reads it.
    fn texts(svg: &str) -> Vec<String> {
        let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}:\n{svg}"));
        doc.descendants()
            .filter(|n| n.has_tag_name("text"))
            .map(|n| n.text().unwrap_or("").to_owned())
            .collect()
    }

    #[test]
    fn the_students_text_is_escaped_and_read_back_as_written() {
        let hostile = "<script>alert(1)</script> & \"quotes\" \u{7}bell";
        let mut p = preview(hostile);
        p.eyebrow = "</text><image href=\"file:///etc/passwd\"/>".to_owned();
        let svg = p.svg();
        assert!(!svg.contains("<script"), "{svg}");
        assert!(!svg.contains("<image"), "{svg}");
        assert!(!svg.contains('\u{7}'));
        let all = texts(&svg).join("\n");
        assert!(all.contains("<script>alert(1)</script>"), "{all}");
        assert!(all.contains("</text><image"), "{all}");
        assert!(all.contains("& \"quotes\""), "{all}");
        // And it rasterises.
        assert_eq!(png_size(&p.png()), Some((WIDTH, HEIGHT)));
    }

    #[test]
    fn a_long_title_wraps_and_a_longer_one_is_cut_with_an_ellipsis() {
        let title_lines = |p: &Preview| -> Vec<String> {
            let doc = p.svg();
            let doc = roxmltree::Document::parse(&doc).unwrap();
            doc.descendants()
                .filter(|n| n.has_tag_name("text") && n.attribute("fill") == Some(INK))
                .filter(|n| n.attribute("font-weight") == Some("bold"))
                .filter(|n| n.attribute("font-size").unwrap().parse::<f64>().unwrap() > 40.0)
                .map(|n| n.text().unwrap().to_owned())
                .collect()
        };
        assert_eq!(title_lines(&preview("Disk full")), ["Disk full"]);
        let two = "The checkout API returned errors for ninety minutes after a deploy";
        let lines = title_lines(&preview(two));
        assert!((2..=3).contains(&lines.len()), "{lines:?}");
        assert_eq!(lines.join(" "), two, "all of it, in order");
        let long = "word ".repeat(80);
        let lines = title_lines(&preview(&long));
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(lines[2].ends_with('…'), "{lines:?}");
        // Every line fits the width it is drawn in.
        for line in &lines {
            let w = Style {
                size: TITLE_SIZES[1].0,
                bold: true,
                fill: INK,
            }
            .width(line);
            assert!(w <= RIGHT - LEFT, "{line}: {w}");
        }
        // One word longer than a line is broken, not run off the image.
        let lines = title_lines(&preview(&"x".repeat(300)));
        assert_eq!(lines.len(), 3);
        assert!(lines[2].ends_with('…'));
    }

    #[test]
    fn the_png_is_1200_by_630_and_the_same_bytes_every_time() {
        let p = preview("Resolver outage");
        let png = p.png();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert_eq!(png_size(&png), Some((1200, 630)));
        // 8 bits, colour type 3 (a palette).
        assert_eq!(png[24], 8);
        assert_eq!(png[25], 3);
        assert_eq!(p.png(), png, "deterministic");
        // The canvas a thread keeps between images carries nothing from one to the next.
        let other = preview("A much longer title that wraps onto a second line of the image");
        let other_png = other.png();
        assert_eq!(p.png(), png, "the same after another image on this thread");
        let fresh = std::thread::spawn(move || other.png()).join().unwrap();
        assert_eq!(fresh, other_png, "the same on a thread's first image");
        assert_ne!(preview("Resolver outage!").png(), png);
        assert_eq!(png_size(b"GIF89a"), None);
        assert_eq!(png_size(&png[..20]), None);
    }

    #[test]
    fn a_palette_keeps_every_colour_of_256_and_the_most_used_of_more() {
        let rgba = |colours: &[[u8; 3]]| -> Vec<u8> {
            colours
                .iter()
                .flat_map(|c| [c[0], c[1], c[2], 255])
                .collect()
        };
        // White (all four bytes 255) among them, and met twice apart.
        let mut few: Vec<[u8; 3]> = (0..255u32).map(|i| [i as u8, 0, 7]).collect();
        few.insert(3, [255, 255, 255]);
        let index_of = |rgba: &[u8]| {
            let mut p = Palette::default();
            (p.index(rgba), p.indexes)
        };
        let (palette_of, indexes) = index_of(&rgba(&[few.clone(), vec![[255; 3]]].concat()));
        assert_eq!(palette_of, few);
        assert_eq!(indexes[256], 3, "white is white again");
        let few: Vec<[u8; 3]> = (0..256u32).map(|i| [i as u8, 0, 7]).collect();
        let (palette, indexes) = index_of(&rgba(&few));
        assert_eq!(palette, few);
        assert_eq!(indexes, (0..=255u8).collect::<Vec<_>>());
        // 300 colours: the 256 most used stay; each of the rest, used once, takes the
        // nearest colour kept.
        let mut many: Vec<[u8; 3]> = Vec::new();
        for i in 0..256u32 {
            many.extend([[0, i as u8, 0]; 3]);
        }
        for i in 0..44u32 {
            many.push([1, i as u8, 0]);
        }
        let (palette, indexes) = index_of(&rgba(&many));
        assert_eq!(palette.len(), 256);
        assert!(palette.iter().all(|c| c[0] == 0));
        for (k, &i) in indexes.iter().enumerate().skip(768) {
            assert_eq!(palette[usize::from(i)], [0, (k - 768) as u8, 0]);
        }
    }

    #[test]
    fn text_in_other_scripts_draws_without_panicking() {
        for title in [
            "日本語のタイトル 🚀",
            "مرحبا بالعالم",
            "Ẹ̀kọ́ àti ìṣẹ̀lẹ̀",
            "Привет, мир",
            "\u{200d}\u{fe0f}\u{301}",
        ] {
            let png = preview(title).png();
            assert_eq!(png_size(&png), Some((WIDTH, HEIGHT)), "{title}");
        }
    }

    #[test]
    fn preview_images_are_told_from_other_files() {
        assert!(is_image("preview.png"));
        assert!(is_image("incidents/disk-full/preview.png"));
        assert_eq!(
            path("incidents/disk-full/"),
            "incidents/disk-full/preview.png"
        );
        for other in [
            "incidents/disk-full/index.html",
            "incidents/preview.png",
            "incidents//preview.png",
            "incidents/a/b/preview.png",
            "static/preview.png",
            "tags/dns/preview.png",
        ] {
            assert!(!is_image(other), "{other}");
        }
    }

    #[test]
    fn the_bundled_fonts_measure_as_drawn() {
        let f = fonts();
        assert_eq!(f.db.len(), 2, "the two bundled faces and no other");
        let regular = Style {
            size: 100.0,
            bold: false,
            fill: INK,
        };
        let bold = Style {
            bold: true,
            ..regular
        };
        assert!(regular.width("Hindsight") > 300.0 && regular.width("Hindsight") < 600.0);
        assert!(bold.width("Hindsight") > regular.width("Hindsight"));
        assert!(
            regular.width("日") > 0.0,
            "a missing glyph is a box, with a width"
        );
    }

    #[test]
    fn an_incidents_facts_read_as_its_page_states_them() {
        let config = crate::config::Config::default();
        let analyzer = crate::analyze::Analyzer::new(&config);
        let text = "# Disk full\n\n## Issue Summary\n\nFrom 10:00 to 11:30 UTC on May 2, 2024 the API was down for 40% of users because the disk filled up with logs.\n\n## Timeline\n\n- 10:00 alert fired\n- 10:20 escalated to the storage team\n- 11:30 resolved by deleting logs\n\n## Root Cause\n\nThe disk filled up because logs were never rotated.\n";
        let file = analyzer.analyze_bytes("a.md", None, text.as_bytes());
        let pm = &file.entries[0].postmortem;
        let p = Preview::incident("Class", pm);
        let facts: Vec<(&str, Option<&str>)> = p
            .facts
            .iter()
            .map(|f| (f.label, f.value.as_deref()))
            .collect();
        assert_eq!(facts[0], ("DATE", Some("2024-05-02")));
        assert_eq!(facts[1], ("DURATION", Some("1 h 30 min")));
        assert_eq!(facts[2], ("USERS AFFECTED", Some("40%")));
        assert_eq!(facts[3].0, "SEVERITY");
        assert_eq!(facts[4].0, "CHECKS");
        assert_eq!(p.eyebrow, "Class · Postmortem");
        let strip = p.strip.as_ref().unwrap();
        assert_eq!(strip.events.len(), 3);
        assert!(strip.events.windows(2).all(|w| w[0].0 <= w[1].0));
        assert_eq!(strip.from.1, "10:00");
        assert_eq!(strip.to.1, "11:30 UTC");
        assert!(
            p.alt()
                .starts_with("Disk full: date 2024-05-02, duration 1 h 30 min")
        );
    }
}
