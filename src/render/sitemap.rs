//! `sitemap.xml` (the sitemaps.org protocol) listing every published page, and the
//! `robots.txt` that points crawlers at it.
//!
//! A sitemap file may list at most [`MAX_URLS`] addresses; a larger site gets
//! `sitemap-1.xml`, `sitemap-2.xml`, ... and `sitemap.xml` becomes their index, so the
//! address robots.txt gives stays the same. Every address is `base_url` and the page's
//! path, escaped (see [`crate::render::xml`]).

use crate::render::xml;

pub const SITEMAP_FILE: &str = "sitemap.xml";
pub const ROBOTS_FILE: &str = "robots.txt";
/// What one sitemap file may list (the protocol's limit).
pub const MAX_URLS: usize = 50_000;

const NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

/// A page the sitemap lists: its path from the site root ("", "incidents/x/") and the
/// day it was last changed, when known ("2024-05-02").
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Page {
    pub path: String,
    pub lastmod: Option<String>,
}

/// The sitemap's files for a site of `pages` pages, each as (its path in the output,
/// what it lists).
pub fn files(pages: usize) -> Vec<(String, Part)> {
    if pages <= MAX_URLS {
        return vec![(SITEMAP_FILE.to_owned(), Part::Urls(0..pages))];
    }
    let parts = pages.div_ceil(MAX_URLS);
    let mut out = vec![(SITEMAP_FILE.to_owned(), Part::Index(parts))];
    for n in 1..=parts {
        let range = (n - 1) * MAX_URLS..(n * MAX_URLS).min(pages);
        out.push((part_file(n), Part::Urls(range)));
    }
    out
}

fn part_file(n: usize) -> String {
    format!("sitemap-{n}.xml")
}

/// One file of the sitemap.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Part {
    /// A `<urlset>` of these pages.
    Urls(std::ops::Range<usize>),
    /// A `<sitemapindex>` of this many `sitemap-N.xml` files.
    Index(usize),
}

impl Part {
    /// The file's text, for the pages of the whole site; `base_url` ends in a slash.
    pub fn render(&self, base_url: &str, pages: &[Page]) -> String {
        let base = xml::escape(base_url);
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        match self {
            Part::Urls(range) => {
                out.push_str(&format!("<urlset xmlns=\"{NS}\">\n"));
                for p in &pages[range.clone()] {
                    out.push_str("  <url>\n    <loc>");
                    out.push_str(&base);
                    out.push_str(&xml::escape(&p.path));
                    out.push_str("</loc>\n");
                    if let Some(day) = &p.lastmod {
                        out.push_str(&format!("    <lastmod>{}</lastmod>\n", xml::escape(day)));
                    }
                    out.push_str("  </url>\n");
                }
                out.push_str("</urlset>\n");
            }
            Part::Index(n) => {
                out.push_str(&format!("<sitemapindex xmlns=\"{NS}\">\n"));
                for i in 1..=*n {
                    out.push_str(&format!(
                        "  <sitemap>\n    <loc>{base}{}</loc>\n  </sitemap>\n",
                        part_file(i)
                    ));
                }
                out.push_str("</sitemapindex>\n");
            }
        }
        out
    }
}

/// The `robots.txt` Hindsight writes when the site has none of its own: every page may
/// be crawled, and the sitemap is at `base_url`'s `sitemap.xml` (a line only an
/// absolute address may fill: without one there is none).
pub fn robots(base_url: &str) -> String {
    let mut out = String::from(
        "# Written by Hindsight: every page may be crawled.\nUser-agent: *\nAllow: /\n",
    );
    if crate::config::is_absolute_url(base_url) {
        // A line break in base_url (which URL parsing forgives) must not start a rule.
        let base: String = base_url.chars().filter(|c| !c.is_control()).collect();
        out.push_str(&format!("\nSitemap: {base}{SITEMAP_FILE}\n"));
    } else {
        out.push_str("\n# No Sitemap line: base_url in site.toml is not an absolute address.\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pages(n: usize) -> Vec<Page> {
        (0..n)
            .map(|i| Page {
                path: format!("incidents/p-{i}/"),
                lastmod: (i % 2 == 0).then(|| "2024-05-02".to_owned()),
            })
            .collect()
    }

    #[test]
    fn a_sitemap_lists_every_page_with_its_day() {
        let mut ps = pages(2);
        ps.push(Page {
            path: "tags/a&b/".into(),
            lastmod: None,
        });
        let files = files(ps.len());
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].0, "sitemap.xml");
        let text = files[0].1.render("https://example.org/g/", &ps);
        let doc = roxmltree::Document::parse(&text).unwrap();
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "urlset");
        assert_eq!(root.tag_name().namespace(), Some(NS));
        let locs: Vec<&str> = doc
            .descendants()
            .filter(|n| n.tag_name().name() == "loc")
            .filter_map(|n| n.text())
            .collect();
        assert_eq!(
            locs,
            [
                "https://example.org/g/incidents/p-0/",
                "https://example.org/g/incidents/p-1/",
                "https://example.org/g/tags/a&b/"
            ]
        );
        let days = doc
            .descendants()
            .filter(|n| n.tag_name().name() == "lastmod")
            .count();
        assert_eq!(days, 1);
    }

    #[test]
    fn a_large_site_gets_an_index_of_sitemaps() {
        let ps = pages(MAX_URLS + 1);
        let files = files(ps.len());
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["sitemap.xml", "sitemap-1.xml", "sitemap-2.xml"]);
        let index = files[0].1.render("https://example.org/", &ps);
        let doc = roxmltree::Document::parse(&index).unwrap();
        assert_eq!(doc.root_element().tag_name().name(), "sitemapindex");
        let last = files[2].1.render("https://example.org/", &ps);
        assert_eq!(last.matches("<url>").count(), 1);
    }

    #[test]
    fn robots_points_at_the_sitemap_only_from_an_address() {
        let r = robots("https://example.org/g/");
        assert!(r.contains("User-agent: *\nAllow: /\n"), "{r}");
        assert!(
            r.ends_with("\nSitemap: https://example.org/g/sitemap.xml\n"),
            "{r}"
        );
        assert!(!robots("/").contains("Sitemap:"));
        let sneaky = robots("https://example.org/\nDisallow: /");
        assert!(!sneaky.contains("\nDisallow"), "{sneaky}");
    }
}
