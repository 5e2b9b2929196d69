//! Server-rendered SVG charts for the insights page: horizontal bars and column
//! histograms. The same numbers are always printed in a table beside them, so a chart
//! is a picture of the table, never the only place a figure lives.

use super::markdown::escape;
use std::fmt::Write;

/// One bar: its label, its value, and the value as it should read ("78%", "12").
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub text: String,
    /// Optional link target for the label (relative URL).
    pub href: Option<String>,
}

const STYLE: &str = "<style>.chart text{font:12px system-ui,sans-serif;fill:currentColor}.chart .bar{fill:#3b5bdb}.chart .bar.low{fill:#c0392b}.chart .track{fill:#8881}.chart .value{font-weight:600}@media (prefers-color-scheme:dark){.chart .bar{fill:#8ea6ff}.chart .bar.low{fill:#ff7b6e}}</style>";

fn open(out: &mut String, id: &str, w: u32, h: u32, title: &str, desc: &str) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\"><title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>{STYLE}",
        escape(title),
        escape(desc)
    );
}

/// Horizontal bars, one per row, scaled to `max` (e.g. 100 for percentages). Bars
/// below `low` get the `low` class, so the weak spots stand out.
pub fn bars(id: &str, title: &str, rows: &[Bar], max: f64, low: Option<f64>) -> String {
    let label_w = 190.0;
    let bar_w = 300.0;
    let row_h = 26.0;
    let w = 640;
    let h = (rows.len() as f64 * row_h + 10.0).ceil() as u32;
    let desc = rows
        .iter()
        .map(|r| format!("{}: {}", r.label, r.text))
        .collect::<Vec<_>>()
        .join("; ");
    let mut out = String::with_capacity(256 + rows.len() * 300);
    open(&mut out, id, w, h.max(20), title, &desc);
    for (i, r) in rows.iter().enumerate() {
        let y = 5.0 + i as f64 * row_h;
        let len = if max > 0.0 {
            (r.value / max).clamp(0.0, 1.0) * bar_w
        } else {
            0.0
        };
        let class = match low {
            Some(l) if r.value < l => "bar low",
            _ => "bar",
        };
        let label = truncate(&r.label, 30);
        let _ = write!(
            out,
            "<g><title>{}: {}</title>",
            escape(&r.label),
            escape(&r.text)
        );
        match &r.href {
            Some(href) => {
                let _ = write!(
                    out,
                    "<a href=\"{}\"><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text></a>",
                    escape(href),
                    label_w - 8.0,
                    y + 15.0,
                    escape(&label)
                );
            }
            None => {
                let _ = write!(
                    out,
                    "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
                    label_w - 8.0,
                    y + 15.0,
                    escape(&label)
                );
            }
        }
        let _ = write!(
            out,
            "<rect class=\"track\" x=\"{label_w}\" y=\"{:.1}\" width=\"{bar_w}\" height=\"16\" rx=\"3\"/><rect class=\"{class}\" x=\"{label_w}\" y=\"{:.1}\" width=\"{len:.1}\" height=\"16\" rx=\"3\"/><text class=\"value\" x=\"{:.1}\" y=\"{:.1}\">{}</text></g>",
            y + 2.0,
            y + 2.0,
            label_w + bar_w + 8.0,
            y + 15.0,
            escape(&r.text)
        );
    }
    out.push_str("</svg>");
    out
}

/// A column histogram over buckets, with counts above the columns.
pub fn columns(id: &str, title: &str, buckets: &[(String, usize)]) -> String {
    let n = buckets.len().max(1);
    let w = 600.0;
    let h = 220.0;
    let top = 20.0;
    let bottom = 40.0;
    let plot_h = h - top - bottom;
    let slot = (w - 20.0) / n as f64;
    let max = buckets.iter().map(|b| b.1).max().unwrap_or(0).max(1) as f64;
    let desc = buckets
        .iter()
        .map(|(l, c)| format!("{l}: {c}"))
        .collect::<Vec<_>>()
        .join("; ");
    let mut out = String::with_capacity(512 + buckets.len() * 300);
    open(&mut out, id, w as u32, h as u32, title, &desc);
    let _ = write!(
        out,
        "<line x1=\"10\" y1=\"{0:.1}\" x2=\"{1:.1}\" y2=\"{0:.1}\" stroke=\"currentColor\" stroke-opacity=\"0.3\"/>",
        top + plot_h,
        w - 10.0
    );
    for (i, (label, count)) in buckets.iter().enumerate() {
        let x = 10.0 + i as f64 * slot;
        let bh = *count as f64 / max * plot_h;
        let bw = (slot * 0.64).min(70.0);
        let bx = x + (slot - bw) / 2.0;
        let _ = write!(
            out,
            "<g><title>{}: {count}</title><rect class=\"bar\" x=\"{bx:.1}\" y=\"{:.1}\" width=\"{bw:.1}\" height=\"{bh:.1}\" rx=\"3\"/><text class=\"value\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{count}</text><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text></g>",
            escape(label),
            top + plot_h - bh,
            x + slot / 2.0,
            (top + plot_h - bh - 5.0).max(12.0),
            x + slot / 2.0,
            h - bottom + 18.0,
            escape(label)
        );
    }
    out.push_str("</svg>");
    out
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_well_formed_and_escape_labels() {
        let svg = bars(
            "c",
            "Pass rate <per> check",
            &[
                Bar {
                    label: "summary-duration".into(),
                    value: 80.0,
                    text: "80%".into(),
                    href: None,
                },
                Bar {
                    label: "<script>".into(),
                    value: 20.0,
                    text: "20%".into(),
                    href: Some("tags/a/".into()),
                },
            ],
            100.0,
            Some(50.0),
        );
        roxmltree::Document::parse(&svg).unwrap();
        assert!(!svg.contains("<script>"));
        assert_eq!(svg.matches("class=\"bar low\"").count(), 1);
        let svg = columns(
            "d",
            "Durations",
            &[("< 30 min".into(), 3), ("1–2 h".into(), 0)],
        );
        let doc = roxmltree::Document::parse(&svg).unwrap();
        assert_eq!(
            doc.descendants()
                .filter(|n| n.attribute("class") == Some("bar"))
                .count(),
            2
        );
    }
}
