//! Atom feeds (RFC 4287) of the newest postmortems: the site's (`feed.xml`), and one
//! beside each tag's and collection's listing (`tags/<slug>/feed.xml`).
//!
//! Written with `atom_syndication`, which escapes what it writes; text is also cleaned
//! of the characters XML cannot hold (see [`crate::render::xml`]), since titles and
//! summaries are the students'. Nothing comes from the clock: an entry is dated by its
//! postmortem's date (front matter, else the outage's day), an undated one by the
//! Unix epoch, and a feed by its newest entry, so every build writes the same bytes.

use crate::render::{Card, SiteInfo, xml};
use atom_syndication::{
    Category, Entry, Feed, FixedDateTime, Generator, Link, Person, Text, WriteConfig,
};
use chrono::{DateTime, NaiveDate};
use rayon::prelude::*;

/// The file name of every feed, in the folder of the listing it follows.
pub const FEED_FILE: &str = "feed.xml";

/// Where the feed of the listing at `page` ("", "tags/dns/") is.
pub fn feed_path(page: &str) -> String {
    format!("{page}{FEED_FILE}")
}

/// One feed: the listing page it follows, and what it is called.
pub struct FeedOf<'a> {
    /// The listing's path from the site root ("" for the site's own feed).
    pub page: &'a str,
    pub title: String,
    pub subtitle: Option<String>,
}

/// A card's date, as a day.
fn day(card: &Card) -> Option<NaiveDate> {
    card.date
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

/// The midnight (UTC) that starts `day`, or the Unix epoch for no day.
fn instant(day: Option<NaiveDate>) -> FixedDateTime {
    day.and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(DateTime::UNIX_EPOCH, |t| t.and_utc())
        .fixed_offset()
}

/// The indexes of `cards`, newest first: dated ones by their date, then undated ones;
/// ties in the order of their files' paths (and slugs), so the order never depends on
/// the listing's `sort_by`.
pub fn newest_first(cards: &[&Card]) -> Vec<usize> {
    let days: Vec<Option<NaiveDate>> = cards.par_iter().map(|c| day(c)).collect();
    let mut order: Vec<usize> = (0..cards.len()).collect();
    order.par_sort_by(|&a, &b| {
        days[b]
            .is_some()
            .cmp(&days[a].is_some())
            .then_with(|| days[b].cmp(&days[a]))
            .then_with(|| cards[a].source.cmp(&cards[b].source))
            .then_with(|| cards[a].slug.cmp(&cards[b].slug))
    });
    order
}

/// What identifies the page at `path` for good: its absolute address when the site has
/// one, else a URN of the path (a feed's ids must be absolute; the build warns that
/// `base_url` is not an address).
fn id(site: &SiteInfo, path: &str) -> String {
    if crate::config::is_absolute_url(&site.base_url) {
        format!("{}{path}", site.base_url)
    } else {
        let path = path.trim_end_matches('/');
        let path = if path.is_empty() { "index" } else { path };
        format!("urn:hindsight:{path}")
    }
}

fn link(rel: &str, mime: &str, href: String) -> Link {
    Link {
        href,
        rel: rel.to_owned(),
        mime_type: Some(mime.to_owned()),
        ..Link::default()
    }
}

fn person(name: &str) -> Person {
    Person {
        name: xml::clean(name),
        ..Person::default()
    }
}

fn entry(site: &SiteInfo, card: &Card) -> Entry {
    let date = day(card);
    Entry {
        title: Text::plain(xml::clean(&card.title)),
        id: id(site, &card.url),
        updated: instant(date),
        published: date.map(|d| instant(Some(d))),
        authors: card.author.as_deref().map(person).into_iter().collect(),
        categories: card
            .tags
            .iter()
            .map(|t| Category {
                term: xml::clean(&t.name),
                ..Category::default()
            })
            .collect(),
        links: vec![link(
            "alternate",
            "text/html",
            format!("{}{}", site.base_url, card.url),
        )],
        summary: card
            .summary
            .as_deref()
            .map(xml::clean)
            .filter(|s| !s.trim().is_empty())
            .map(Text::plain),
        ..Entry::default()
    }
}

/// The Atom document of `feed`, holding `entries` (newest first) as they are.
pub fn render(site: &SiteInfo, feed: &FeedOf, entries: &[&Card]) -> String {
    let entries: Vec<Entry> = entries.iter().map(|c| entry(site, c)).collect();
    // The newest entry's date: entries come newest first, undated last.
    let updated = entries
        .iter()
        .map(|e| e.updated)
        .max()
        .unwrap_or_else(|| instant(None));
    let doc = Feed {
        title: Text::plain(xml::clean(&feed.title)),
        id: id(site, feed.page),
        updated,
        // A feed needs an author unless every entry has one: the site's, else its title.
        authors: vec![person(site.author.as_deref().unwrap_or(&site.title))],
        generator: Some(Generator {
            value: "Hindsight".to_owned(),
            uri: None,
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        }),
        links: vec![
            link(
                "self",
                "application/atom+xml",
                format!("{}{}", site.base_url, feed_path(feed.page)),
            ),
            link(
                "alternate",
                "text/html",
                format!("{}{}", site.base_url, feed.page),
            ),
        ],
        subtitle: feed
            .subtitle
            .as_deref()
            .map(xml::clean)
            .filter(|s| !s.trim().is_empty())
            .map(Text::plain),
        lang: Some(xml::clean(&site.language)).filter(|l| !l.is_empty()),
        entries,
        ..Feed::default()
    };
    let config = WriteConfig {
        write_document_declaration: true,
        indent_size: Some(2),
    };
    // Writing into memory fails only on what `clean` took out; the text is UTF-8 as
    // given.
    let bytes = doc
        .write_with_config(Vec::new(), config)
        .unwrap_or_default();
    let mut text = String::from_utf8(bytes).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::render::{tag_path, term};

    fn card(title: &str, slug: &str, date: Option<&str>) -> Card {
        let config = Config::default();
        let analyzer = crate::analyze::Analyzer::new(&config);
        let text = "# T\n\n## Issue Summary\n\nFrom 10:00 to 11:00 UTC the API was down for all users because the disk filled up with logs.\n\n## Timeline\n\n- 10:00 alert fired\n- 11:00 resolved by deleting logs\n\n## Root Cause\n\nThe disk filled up because logs were never rotated.\n";
        let f = analyzer.analyze_bytes(&format!("{slug}.md"), None, text.as_bytes());
        let mut c = Card::new(&f.entries[0].postmortem, &f.path);
        c.title = title.to_owned();
        c.slug = slug.to_owned();
        c.url = crate::render::postmortem_path(slug);
        c.date = date.map(str::to_owned);
        c
    }

    fn site(base_url: &str) -> SiteInfo {
        SiteInfo::new(&Config {
            base_url: base_url.to_owned(),
            ..Config::default()
        })
    }

    fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &str) -> roxmltree::Node<'a, 'i> {
        n.children()
            .find(|c| c.tag_name().name() == name)
            .unwrap_or_else(|| panic!("no {name}"))
    }

    fn feed() -> FeedOf<'static> {
        FeedOf {
            page: "",
            title: "Gallery".into(),
            subtitle: Some("Postmortems".into()),
        }
    }

    #[test]
    fn newest_first_then_undated_then_by_path() {
        let (a, b, c, d) = (
            card("A", "a", Some("2024-01-02")),
            card("B", "b", None),
            card("C", "c", Some("2024-03-01")),
            card("D", "d", Some("2024-01-02")),
        );
        assert_eq!(newest_first(&[&a, &b, &c, &d]), [2, 0, 3, 1]);
    }

    #[test]
    fn a_feed_is_well_formed_atom_with_absolute_links() {
        let mut a = card("Disk <full> & \"more\"\u{1}", "a", Some("2024-05-02"));
        a.tags = vec![term("dns", tag_path)];
        a.author = Some("Ada".into());
        a.summary = Some("<script>alert(1)</script> & gone".into());
        let b = card("Undated", "b", None);
        let s = site("https://example.org/gallery");
        let xml = render(&s, &feed(), &[&a, &b]);
        assert!(
            xml.starts_with("<?xml version=\"1.0\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\""),
            "{xml}"
        );
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let root = doc.root_element();
        assert_eq!(
            child(root, "id").text(),
            Some("https://example.org/gallery/")
        );
        assert_eq!(
            child(root, "updated").text(),
            Some("2024-05-02T00:00:00+00:00")
        );
        let entries: Vec<_> = root
            .children()
            .filter(|c| c.tag_name().name() == "entry")
            .collect();
        assert_eq!(entries.len(), 2);
        let e = entries[0];
        assert_eq!(
            child(e, "title").text(),
            Some("Disk <full> & \"more\""),
            "escaped, and the control character dropped"
        );
        assert_eq!(
            child(e, "id").text(),
            Some("https://example.org/gallery/incidents/a/")
        );
        assert_eq!(
            child(e, "link").attribute("href"),
            Some("https://example.org/gallery/incidents/a/")
        );
        assert_eq!(
            child(e, "published").text(),
            Some("2024-05-02T00:00:00+00:00")
        );
        assert_eq!(child(e, "category").attribute("term"), Some("dns"));
        assert_eq!(child(child(e, "author"), "name").text(), Some("Ada"));
        assert_eq!(
            child(e, "summary").text(),
            Some("<script>alert(1)</script> & gone"),
            "plain text, escaped: never markup"
        );
        assert!(!xml.contains("<script>"));
        // Undated: the epoch, no published date.
        let u = entries[1];
        assert_eq!(
            child(u, "updated").text(),
            Some("1970-01-01T00:00:00+00:00")
        );
        assert!(u.children().all(|c| c.tag_name().name() != "published"));
        // A feed's author is the site's title when no author is set.
        assert_eq!(
            child(child(root, "author"), "name").text(),
            Some("Postmortem Gallery")
        );
    }

    #[test]
    fn a_site_without_an_address_gets_urn_ids() {
        let a = card("A", "a", None);
        let xml = render(&site("/"), &feed(), &[&a]);
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let ids: Vec<&str> = doc
            .descendants()
            .filter(|n| n.tag_name().name() == "id")
            .filter_map(|n| n.text())
            .collect();
        assert_eq!(ids, ["urn:hindsight:index", "urn:hindsight:incidents/a"]);
        let empty = render(&site("/"), &feed(), &[]);
        assert!(empty.contains("<updated>1970-01-01T00:00:00+00:00</updated>"));
    }
}
