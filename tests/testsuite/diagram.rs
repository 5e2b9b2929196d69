//! The timeline diagram on every postmortem page: well-formed SVG, one marker per
//! timeline entry, everything inside the viewBox; for the bundled content and the corpus.

use crate::common::{TestSite, bundled_content, shared};
use hindsight::site::Analysis;

/// Checks both drawings on every postmortem page of a built site; returns how many.
fn check_site(site: &TestSite, analysis: &Analysis) -> usize {
    let mut checked = 0;
    for (file, entry) in analysis.postmortems() {
        if file.is_draft() {
            continue;
        }
        let pm = &entry.postmortem;
        let html = site.read(&format!("incidents/{}/index.html", pm.slug));
        let svgs: Vec<&str> = html
            .match_indices("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"tl-svg")
            .map(|(at, _)| &html[at..at + html[at..].find("</svg>").unwrap() + 6])
            .collect();
        if pm.timeline.is_empty() {
            assert!(svgs.is_empty(), "{}: a diagram without entries", pm.slug);
            continue;
        }
        assert_eq!(svgs.len(), 2, "{}: a wide and a tall drawing", pm.slug);
        for svg in svgs {
            let doc =
                roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{}: {e}", pm.slug));
            let root = doc.root_element();
            let vb: Vec<f64> = root
                .attribute("viewBox")
                .unwrap()
                .split(' ')
                .map(|v| v.parse().unwrap())
                .collect();
            let (w, h) = (vb[2], vb[3]);
            let markers = doc
                .descendants()
                .filter(|n| {
                    n.attribute("class")
                        .is_some_and(|c| c.split(' ').any(|c| c == "marker"))
                })
                .count();
            assert_eq!(
                markers,
                pm.timeline.len(),
                "{}: one marker per entry",
                pm.slug
            );
            for n in doc.descendants().filter(|n| n.is_element()) {
                for (attr, limit) in [
                    ("x", w),
                    ("x1", w),
                    ("x2", w),
                    ("cx", w),
                    ("y", h),
                    ("y1", h),
                    ("y2", h),
                    ("cy", h),
                ] {
                    if let Some(v) = n.attribute(attr).and_then(|v| v.parse::<f64>().ok()) {
                        assert!(
                            (0.0..=limit).contains(&v),
                            "{}: {attr}={v} outside 0..{limit}",
                            pm.slug
                        );
                    }
                }
                if let Some(points) = n.attribute("points") {
                    for pair in points.split_whitespace() {
                        let (x, y) = pair.split_once(',').unwrap();
                        let (x, y): (f64, f64) = (x.parse().unwrap(), y.parse().unwrap());
                        assert!(
                            (0.0..=w).contains(&x) && (0.0..=h).contains(&y),
                            "{}: point {pair} outside",
                            pm.slug
                        );
                    }
                }
            }
            assert!(
                !svg.contains("<script"),
                "{}: script in the diagram",
                pm.slug
            );
        }
        checked += 1;
    }
    checked
}

#[test]
fn every_bundled_postmortem_has_a_sound_diagram() {
    let site = TestSite::with_content_from("diagram", &bundled_content());
    let (_, analysis) = site.built();
    assert!(check_site(&site, &analysis) >= 15);
}

#[test]
#[ignore = "needs ../shared beside the checkout"]
fn every_corpus_postmortem_has_a_sound_diagram() {
    let shared = shared();
    let site = TestSite::with_content_from("diagram-corpus", &shared.join("corpus/alx"))
        .remove("content/labels.jsonl")
        .remove("content/README.md")
        .remove("content/SOURCES.tsv");
    let (_, analysis) = site.built();
    assert!(check_site(&site, &analysis) >= 120);
}
