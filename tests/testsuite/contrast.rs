//! Text colours of both built-in themes against the backgrounds they sit on, light and
//! dark (`prefers-color-scheme`): every pair at least 4.5:1 (WCAG 2 AA for body text),
//! read from the themes' own stylesheets, so a later edit of a colour cannot lower it
//! unnoticed.

use std::collections::HashMap;
use std::path::PathBuf;

/// The least contrast ratio for text (WCAG 2.x, success criterion 1.4.3, level AA).
const AA: f64 = 4.5;

/// One rule of a stylesheet: the at-rules around it, its selector, its declarations.
struct Rule {
    media: Vec<String>,
    selector: String,
    decls: Vec<(String, String)>,
}

/// The innermost rules of `css` (comments dropped), with the at-rules they sit in.
fn rules(css: &str) -> Vec<Rule> {
    let mut text = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(at) = rest.find("/*") {
        text.push_str(&rest[..at]);
        rest = rest[at..]
            .find("*/")
            .map_or("", |end| &rest[at + end + 2..]);
    }
    text.push_str(rest);
    let (mut out, mut stack, mut buf) = (Vec::new(), Vec::<String>::new(), String::new());
    for ch in text.chars() {
        match ch {
            '{' => stack.push(std::mem::take(&mut buf).trim().to_owned()),
            '}' => {
                if let Some(selector) = stack.pop() {
                    let decls: Vec<(String, String)> = buf
                        .split(';')
                        .filter_map(|d| d.split_once(':'))
                        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                        .collect();
                    if !decls.is_empty() {
                        out.push(Rule {
                            media: stack.clone(),
                            selector,
                            decls,
                        });
                    }
                }
                buf.clear();
            }
            _ => buf.push(ch),
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Mode {
    Light,
    Dark,
}

/// Whether rules inside these at-rules apply on screen in `mode`.
fn applies(media: &[String], mode: Mode) -> bool {
    media.iter().all(|m| {
        let m = m.replace(' ', "");
        let other_scheme = match mode {
            Mode::Light => "prefers-color-scheme:dark",
            Mode::Dark => "prefers-color-scheme:light",
        };
        !m.contains("print") && !m.contains(other_scheme)
    })
}

/// `#rgb` or `#rrggbb` as 0..1 channels.
fn hex(c: &str) -> Option<[f64; 3]> {
    let h = c.trim().strip_prefix('#')?;
    let h: String = match h.len() {
        3 => h.chars().flat_map(|c| [c, c]).collect(),
        6 => h.to_owned(),
        _ => return None,
    };
    let ch = |i: usize| {
        u8::from_str_radix(&h[i..i + 2], 16)
            .ok()
            .map(|v| v as f64 / 255.0)
    };
    Some([ch(0)?, ch(2)?, ch(4)?])
}

/// WCAG relative luminance.
fn luminance([r, g, b]: [f64; 3]) -> f64 {
    let lin = |c: f64| {
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

fn contrast(a: [f64; 3], b: [f64; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// A theme's stylesheet, as it is seen in one mode.
struct Sheet {
    vars: HashMap<String, String>,
    rules: Vec<Rule>,
}

impl Sheet {
    fn load(theme: &str, mode: Mode) -> Sheet {
        let path: PathBuf = [
            env!("CARGO_MANIFEST_DIR"),
            "themes",
            theme,
            "static",
            "style.css",
        ]
        .iter()
        .collect();
        let css = std::fs::read_to_string(&path).unwrap();
        let rules: Vec<Rule> = rules(&css)
            .into_iter()
            .filter(|r| applies(&r.media, mode))
            .collect();
        // Later `:root` blocks (the dark one) override earlier ones.
        let mut vars = HashMap::new();
        for r in rules.iter().filter(|r| r.selector == ":root") {
            for (k, v) in &r.decls {
                if let Some(name) = k.strip_prefix("--") {
                    vars.insert(name.to_owned(), v.clone());
                }
            }
        }
        Sheet { vars, rules }
    }

    /// A colour value as a colour: a hex literal or a `var()` of one (with a fallback).
    fn resolve(&self, value: &str) -> Option<[f64; 3]> {
        let v = value.trim();
        if let Some(inner) = v.strip_prefix("var(").and_then(|v| v.strip_suffix(')')) {
            let (name, fallback) = inner.split_once(',').unwrap_or((inner, ""));
            let name = name.trim().trim_start_matches("--");
            return match self.vars.get(name) {
                Some(value) => self.resolve(value),
                None => self.resolve(fallback),
            };
        }
        hex(v)
    }

    fn var(&self, name: &str) -> [f64; 3] {
        let value = self
            .vars
            .get(name)
            .unwrap_or_else(|| panic!("--{name} is not set"));
        self.resolve(value)
            .unwrap_or_else(|| panic!("--{name}: {value} is not a hex colour"))
    }

    /// (selector, colour, background) of every selector that sets both, each as the
    /// last of its rules sets it.
    fn pairs(&self) -> Vec<(String, String, String)> {
        let mut by: Vec<(String, Option<String>, Option<String>)> = Vec::new();
        for r in self.rules.iter().filter(|r| r.selector != ":root") {
            for sel in r.selector.split(',').map(str::trim) {
                let at = match by.iter().position(|(s, ..)| s == sel) {
                    Some(i) => i,
                    None => {
                        by.push((sel.to_owned(), None, None));
                        by.len() - 1
                    }
                };
                for (k, v) in &r.decls {
                    match k.as_str() {
                        "color" => by[at].1 = Some(v.clone()),
                        "background" | "background-color" => by[at].2 = Some(v.clone()),
                        _ => {}
                    }
                }
            }
        }
        by.into_iter()
            .filter_map(|(s, fg, bg)| Some((s, fg?, bg?)))
            .collect()
    }
}

/// Each theme's text colours and the backgrounds text sits on.
const THEMES: [(&str, &[&str], &[&str]); 2] = [
    (
        "default",
        &[
            "text", "muted", "accent", "ok", "bad", "warn", "minor", "major", "critical",
        ],
        &["bg", "surface", "surface-2"],
    ),
    (
        "terminal",
        &[
            "fg",
            "strong",
            "muted",
            "accent",
            "ok",
            "bad",
            "warn",
            "crit",
            "major",
            "minor",
            "k-detection",
            "k-investigation",
            "k-misleading",
            "k-escalation",
            "k-mitigation",
            "k-resolution",
            "k-other",
        ],
        &["bg", "panel", "panel-2"],
    ),
];

#[test]
fn the_ratio_is_wcags() {
    let (black, white) = (hex("#000").unwrap(), hex("#ffffff").unwrap());
    assert!((contrast(black, white) - 21.0).abs() < 1e-9);
    assert!((contrast(white, white) - 1.0).abs() < 1e-9);
    // The default theme's old `--major` on its old surface-2, which this test caught.
    let old = contrast(hex("#b26b00").unwrap(), hex("#f3f1ec").unwrap());
    assert!((3.6..3.8).contains(&old), "{old}");
    let parsed = rules(
        "/* x { } */ a { color: #fff; } @media (prefers-color-scheme: dark) { :root { --a: #000; } }",
    );
    assert_eq!(parsed.len(), 2);
    assert_eq!(parsed[0].selector, "a");
    assert!(!applies(&parsed[1].media, Mode::Light));
    assert!(applies(&parsed[1].media, Mode::Dark));
}

#[test]
fn every_text_colour_reads_on_every_background_in_both_themes_and_modes() {
    let mut low = Vec::new();
    let mut checked = 0;
    for (theme, texts, backgrounds) in THEMES {
        for mode in [Mode::Light, Mode::Dark] {
            let sheet = Sheet::load(theme, mode);
            for fg in texts {
                for bg in backgrounds {
                    let c = contrast(sheet.var(fg), sheet.var(bg));
                    checked += 1;
                    if c < AA {
                        low.push(format!("{theme} {mode:?}: --{fg} on --{bg}: {c:.2}:1"));
                    }
                }
            }
            // And every rule that sets both a colour and a background.
            for (sel, fg, bg) in sheet.pairs() {
                if let (Some(f), Some(b)) = (sheet.resolve(&fg), sheet.resolve(&bg)) {
                    let c = contrast(f, b);
                    checked += 1;
                    if c < AA {
                        low.push(format!(
                            "{theme} {mode:?}: {sel} {{ color: {fg}; background: {bg} }}: {c:.2}:1"
                        ));
                    }
                }
            }
        }
    }
    assert!(checked > 150, "only {checked} pairs checked");
    assert!(low.is_empty(), "under {AA}:1:\n{}", low.join("\n"));
}
