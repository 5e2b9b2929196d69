//! Markdown → safe HTML. Student text is untrusted: whatever HTML it carries goes
//! through ammonia, so no script, event handler or `javascript:` URL reaches a page.
//! Code blocks are highlighted by us (syntect escapes them) and spliced in after
//! sanitizing, so the sanitizer never has to trust our class names. Emoji shortcodes
//! (`:fire:`) in the text are shown as their emoji, never in code ([`super::emoji`]).

use super::{emoji, highlight};
use crate::slug::slugify;
use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};
use std::collections::HashSet;
use std::sync::LazyLock;

/// Marks where a highlighted code block goes; stripped from input so it cannot be forged.
const MARK: char = '\u{E000}';

/// A rendered body and what the page around it may want to know.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Rendered {
    pub html: String,
    /// (level, id, text) of each heading, for a table of contents.
    pub toc: Vec<(u8, String, String)>,
    pub has_code: bool,
}

/// Where relative links in a postmortem point: files copied beside the pages.
pub struct Links<'a> {
    /// Folder of the source file, relative to the content folder ("" at the top).
    pub source_dir: &'a str,
    /// Relative paths of the assets that were copied (e.g. "cohort-1/diagram.png").
    pub assets: &'a HashSet<String>,
    /// Prefix from the rendered page to the site root ("../../").
    pub root: &'a str,
}

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.add_tag_attributes("h1", ["id"])
        .add_tag_attributes("h2", ["id"])
        .add_tag_attributes("h3", ["id"])
        .add_tag_attributes("h4", ["id"])
        .add_tag_attributes("h5", ["id"])
        .add_tag_attributes("h6", ["id"])
        .add_tag_attributes("img", ["loading"])
        .add_tag_attributes("td", ["align"])
        .add_tag_attributes("th", ["align"])
        .link_rel(Some("noopener noreferrer nofollow ugc"))
        .url_relative(ammonia::UrlRelative::Custom(Box::new(keep_relative)));
    b
});

/// Relative URLs survive only when they point into the page (`#timeline`) or at a
/// copied asset (rewritten to `../../files/...` before sanitizing); anything else would
/// be a dead link on the published page.
fn keep_relative(url: &str) -> Option<std::borrow::Cow<'_, str>> {
    let inside = url.trim_start_matches("../");
    (url.starts_with('#') || inside.starts_with("files/"))
        .then_some(std::borrow::Cow::Borrowed(url))
}

pub fn render(markdown: &str, links: &Links) -> Rendered {
    let cleaned;
    let markdown = if markdown.contains(MARK) {
        cleaned = markdown.replace(MARK, "");
        cleaned.as_str()
    } else {
        markdown
    };
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_TASKLISTS);
    options.insert(Options::ENABLE_FOOTNOTES);

    let mut blocks: Vec<String> = Vec::new();
    let mut toc = Vec::new();
    let mut events: Vec<Event> = Vec::new();
    let mut code: Option<(String, String)> = None;
    let mut heading: Option<(u8, usize, String)> = None;
    let mut used_ids: HashSet<String> = HashSet::new();
    // The image being read: where it starts in `events`, and its alt text should its
    // author have written none.
    let mut image: Option<(usize, String)> = None;

    for event in Parser::new_ext(markdown, options) {
        if let Some((lang, buf)) = code.as_mut() {
            match event {
                Event::Text(t) => buf.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let (lang, buf) = code.take().unwrap_or_default();
                    blocks.push(code_block(&buf, &lang));
                    events.push(Event::Html(CowStr::from(format!(
                        "\n{MARK}{}{MARK}\n",
                        blocks.len() - 1
                    ))));
                }
                _ => {
                    let _ = lang;
                }
            }
            continue;
        }
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
            }
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                heading = Some((level as u8, events.len(), String::new()));
                events.push(Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs,
                }));
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some((lvl, at, text)) = heading.take() {
                    let mut id = slugify(&text);
                    if id.is_empty() {
                        id = "section".into();
                    }
                    let base = id.clone();
                    let mut n = 2;
                    while !used_ids.insert(id.clone()) {
                        id = format!("{base}-{n}");
                        n += 1;
                    }
                    if let Event::Start(Tag::Heading { id: slot, .. }) = &mut events[at] {
                        *slot = Some(CowStr::from(id.clone()));
                    }
                    // The id is the heading's words as written (links to it stay as they
                    // were); the table of contents shows it as the page does.
                    let text = emoji::shortcodes(&text).into_owned();
                    toc.push((lvl, id, text));
                }
                events.push(Event::End(TagEnd::Heading(level)));
            }
            Event::Text(t) => {
                if let Some((_, _, text)) = heading.as_mut() {
                    text.push_str(&t);
                }
                events.push(Event::Text(t));
            }
            Event::Code(t) => {
                if let Some((_, _, text)) = heading.as_mut() {
                    text.push_str(&t);
                }
                events.push(Event::Code(t));
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                image = Some((events.len(), fallback_alt(&title, &dest_url)));
                let dest_url = rewrite(dest_url, links);
                events.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = rewrite(dest_url, links);
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::End(TagEnd::Image) => {
                // An image whose author wrote no alt text gets one (see `fallback_alt`).
                if let Some((at, fallback)) = image.take() {
                    let described = events[at + 1..].iter().any(|e| match e {
                        Event::Text(t) | Event::Code(t) => !t.trim().is_empty(),
                        _ => false,
                    });
                    if !described {
                        // Blank alt text counts as none.
                        events.truncate(at + 1);
                        events.push(Event::Text(CowStr::from(fallback)));
                    }
                }
                events.push(Event::End(TagEnd::Image));
            }
            other => events.push(other),
        }
    }
    if let Some((lang, buf)) = code.take() {
        blocks.push(code_block(&buf, &lang));
        events.push(Event::Html(CowStr::from(format!(
            "\n{MARK}{}{MARK}\n",
            blocks.len() - 1
        ))));
    }

    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut raw, events.into_iter());
    let safe = with_alt(SANITIZER.clean(&raw).to_string());
    // After sanitizing, so that the text of the author's own HTML is found too (and the
    // code in it left alone), and before the code blocks are put back.
    let safe = match emoji::in_html(&safe) {
        std::borrow::Cow::Owned(replaced) => replaced,
        std::borrow::Cow::Borrowed(_) => safe,
    };
    let html = if blocks.is_empty() {
        safe
    } else {
        splice(&safe, &blocks)
    };
    Rendered {
        html,
        toc,
        has_code: !blocks.is_empty(),
    }
}

/// The alt text of an image whose author gave none: its title, else the words of its
/// file name (`grafana-panel_2.png` → "grafana panel 2"), else a plain statement that it
/// is undescribed. Never `alt=""`: a postmortem's images are its graphs, diagrams and
/// screenshots, never decoration, so a screen reader must at least be told one is there.
pub fn fallback_alt(title: &str, src: &str) -> String {
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    if !title.is_empty() {
        return title;
    }
    let path = src.split(['?', '#']).next().unwrap_or("");
    let name = if path.starts_with("data:") {
        ""
    } else {
        path.rsplit('/').next().unwrap_or("")
    };
    let name = percent_decoded(name);
    let stem = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && ext.len() <= 5 => stem,
        _ => name.as_str(),
    };
    let words: Vec<&str> = stem
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words.iter().any(|w| w.chars().any(char::is_alphabetic)) {
        words.join(" ")
    } else {
        "image (no description given)".to_owned()
    }
}

/// `%20`-style escapes decoded, where they make UTF-8; the rest kept as written.
fn percent_decoded(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hexpair = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hexpair) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_owned())
}

/// Sanitized HTML with an `alt` on every `<img>`: an image written as HTML by its
/// author (`<img src=https://x.org/graph.png>`), with none or an empty one, gets
/// [`fallback_alt`]'s; one left without a `src` (which shows nothing) gets `alt=""`.
/// The input is what the sanitizer serialized: text never holds a raw `<`, and every
/// attribute value is double-quoted with no `"` inside, so tags are found exactly.
fn with_alt(html: String) -> String {
    if !html.contains("<img") {
        return html;
    }
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html.as_str();
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let from = &rest[lt..];
        let mut quoted = false;
        let end = from
            .char_indices()
            .find(|&(_, c)| {
                if c == '"' {
                    quoted = !quoted;
                }
                c == '>' && !quoted
            })
            .map_or(from.len(), |(i, _)| i + 1);
        let tag = &from[..end];
        if tag.starts_with("<img") && tag[4..].starts_with([' ', '>', '/']) {
            out.push_str(&img_with_alt(tag));
        } else {
            out.push_str(tag);
        }
        rest = &from[end..];
    }
    out.push_str(rest);
    out
}

/// One serialized `<img ...>` tag, given an alt text when it has none.
fn img_with_alt(tag: &str) -> String {
    // (name, value, where the value starts and ends in `tag`)
    let mut attrs: Vec<(&str, &str, usize, usize)> = Vec::new();
    let mut i = 4;
    let b = tag.as_bytes();
    while i < b.len() {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        if i == start {
            i += 1;
            continue;
        }
        let name = &tag[start..i];
        if b.get(i) == Some(&b'=') && b.get(i + 1) == Some(&b'"') {
            let vstart = i + 2;
            let vend = tag[vstart..].find('"').map_or(tag.len(), |e| vstart + e);
            attrs.push((name, &tag[vstart..vend], vstart, vend));
            i = vend + 1;
        } else {
            attrs.push((name, "", i, i));
        }
    }
    let get = |n: &str| attrs.iter().find(|a| a.0.eq_ignore_ascii_case(n));
    if get("alt").is_some_and(|a| !a.1.trim().is_empty()) {
        return tag.to_owned();
    }
    // An image whose address the sanitizer dropped (a relative one to no copied file, a
    // `data:` or script URL) shows nothing: there is nothing to describe, and a made-up
    // text would only be noise where a hostile `<img src=x onerror=...>` was.
    let Some(src) = get("src") else {
        return match get("alt") {
            Some(_) => tag.to_owned(),
            None => format!("<img alt=\"\"{}", &tag[4..]),
        };
    };
    let unescape = |v: &str| {
        v.replace("&quot;", "\"")
            .replace("&nbsp;", "\u{a0}")
            .replace("&amp;", "&")
    };
    let alt = escape(&fallback_alt(
        &get("title").map(|a| unescape(a.1)).unwrap_or_default(),
        &unescape(src.1),
    ));
    match get("alt") {
        Some(&(_, _, vstart, vend)) if vend > vstart || tag[..vstart].ends_with('"') => {
            format!("{}{alt}{}", &tag[..vstart], &tag[vend..])
        }
        _ => format!("<img alt=\"{alt}\"{}", &tag[4..]),
    }
}

/// Replaces each `MARK n MARK` with its code block.
fn splice(html: &str, blocks: &[String]) -> String {
    let mut out = String::with_capacity(html.len() + blocks.iter().map(String::len).sum::<usize>());
    let mut rest = html;
    while let Some(start) = rest.find(MARK) {
        out.push_str(&rest[..start]);
        let after = &rest[start + MARK.len_utf8()..];
        let Some(end) = after.find(MARK) else {
            rest = after;
            break;
        };
        if let Some(block) = after[..end]
            .parse::<usize>()
            .ok()
            .and_then(|n| blocks.get(n))
        {
            out.push_str(block);
        }
        rest = &after[end + MARK.len_utf8()..];
    }
    out.push_str(rest);
    out
}

fn code_block(code: &str, info: &str) -> String {
    let lang = info.split([' ', ',', '{']).next().unwrap_or("").trim();
    let lang_class: String = lang
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '+')
        .collect();
    match highlight::highlight(code, lang) {
        Some(inner) => format!(
            "<pre class=\"code hl\" data-lang=\"{lang_class}\"><code>{inner}</code></pre>\n"
        ),
        None => format!(
            "<pre class=\"code\"{}><code>{}</code></pre>\n",
            if lang_class.is_empty() {
                String::new()
            } else {
                format!(" data-lang=\"{lang_class}\"")
            },
            escape(code)
        ),
    }
}

/// Escapes for HTML and XML text and attributes, and drops the control characters
/// XML 1.0 cannot carry (inline SVG is XML).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// The path part of a link to a file beside the page (`diagram.png`, `../x.pdf#p2`);
/// `None` for in-page anchors, absolute paths and other schemes.
pub fn relative_path(u: &str) -> Option<&str> {
    if u.is_empty() || u.starts_with(['#', '/', '?']) || u.contains(':') {
        return None;
    }
    u.split(['#', '?']).next().filter(|p| !p.is_empty())
}

/// Every relative link and image target in `markdown`, with its byte offset, as the
/// renderer reads them: the links [`rewrite`] must find a copied file for.
pub fn relative_targets(markdown: &str) -> Vec<(usize, String)> {
    targets(markdown)
        .into_iter()
        .filter_map(|t| relative_path(&t.url).map(|p| (t.at, p.to_owned())))
        .collect()
}

/// A link or image in markdown, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// Byte offset of the link or image in the text.
    pub at: usize,
    pub url: String,
    pub image: bool,
}

/// Every link and image target in `markdown`, in order.
pub fn targets(markdown: &str) -> Vec<Target> {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_FOOTNOTES);
    Parser::new_ext(markdown, options)
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::Link { dest_url, .. }) => Some(Target {
                at: range.start,
                url: dest_url.into_string(),
                image: false,
            }),
            Event::Start(Tag::Image { dest_url, .. }) => Some(Target {
                at: range.start,
                url: dest_url.into_string(),
                image: true,
            }),
            _ => None,
        })
        .collect()
}

/// Points a relative link at the copied asset it names, when there is one.
fn rewrite<'a>(url: CowStr<'a>, links: &Links) -> CowStr<'a> {
    let Some(path) = relative_path(url.as_ref()) else {
        return url;
    };
    let joined = join(links.source_dir, path);
    match joined {
        Some(p) if links.assets.contains(&p) => CowStr::from(format!("{}files/{}", links.root, p)),
        _ => url,
    }
}

/// `dir/../x.png` → `x.png`; `None` when the path climbs out of the content folder.
pub fn join(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(md: &str) -> String {
        let assets = HashSet::from(["cohort/diagram.png".to_owned()]);
        render(
            md,
            &Links {
                source_dir: "cohort",
                assets: &assets,
                root: "../../",
            },
        )
        .html
    }

    #[test]
    fn scripts_and_handlers_never_survive() {
        let out = html(
            "Hi <script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1))\n\n<div onclick=\"steal()\">d</div>",
        );
        assert!(!out.contains("<script"), "{out}");
        assert!(!out.contains("onerror"), "{out}");
        assert!(!out.contains("onclick"), "{out}");
        assert!(!out.contains("javascript:"), "{out}");
    }

    #[test]
    fn code_blocks_are_highlighted_and_escaped() {
        let out =
            html("```sql\nSELECT '<b>' FROM t;\n```\n\n```\n<script>alert(1)</script>\n```\n");
        assert!(out.contains("class=\"code hl\""), "{out}");
        assert!(out.contains("hl-"), "{out}");
        assert!(!out.contains("<script>"), "{out}");
        assert!(out.contains("&lt;script&gt;"), "{out}");
    }

    #[test]
    fn forged_markers_are_removed() {
        let out = html("text \u{E000}0\u{E000}\n\n```\ncode\n```\n");
        assert_eq!(out.matches("<pre").count(), 1, "{out}");
    }

    #[test]
    fn headings_get_ids_and_a_toc() {
        let r = render(
            "# Timeline\n## Timeline\n",
            &Links {
                source_dir: "",
                assets: &HashSet::new(),
                root: "",
            },
        );
        assert!(r.html.contains("id=\"timeline\""), "{}", r.html);
        assert!(r.html.contains("id=\"timeline-2\""), "{}", r.html);
        assert_eq!(r.toc.len(), 2);
    }

    /// The `alt` of each `<img>` in `html`, in order (`None`: it has none).
    fn alts(html: &str) -> Vec<Option<String>> {
        html.split("<img")
            .skip(1)
            .map(|t| {
                let tag = &t[..t.find('>').unwrap()];
                tag.split_once(" alt=\"")
                    .map(|(_, v)| v[..v.find('"').unwrap()].to_owned())
            })
            .collect()
    }

    #[test]
    fn every_image_has_alt_text() {
        let out = html(concat!(
            "![The pool graph](diagram.png) ![](diagram.png) ![  ](grafana-panel_2.png)\n\n",
            "![](https://x.org/db%20latency.svg \"p99 latency\") ![](https://x.org/1.png)\n\n",
            "<img src=\"diagram.png\"> <img src=\"https://x.org/error-rate.png\" alt=\"\">",
            " <img src=\"https://x.org/a.png\" alt=\"Kept &amp; escaped\">",
            " <img src=\"https://x.org/r&amp;d.png\" title='say \"hi\"'>",
            " <img src=\"data:image/png;base64,AAAA\"> <img alt=\"&lt;img\" src=\"https://x.org/y.png\">\n",
        ));
        assert_eq!(
            alts(&out),
            [
                "The pool graph",
                "diagram",
                "grafana panel 2",
                "p99 latency",
                "image (no description given)",
                // A relative `src` written in HTML is dropped (it is not a copied
                // asset's): no image is shown, and nothing is described.
                "",
                "error rate",
                "Kept &amp; escaped",
                "say &quot;hi&quot;",
                "",
                "&lt;img",
            ]
            .map(|a| Some(a.to_owned())),
            "{out}"
        );
        // Alt text written in a title attribute that says `<img ` is not a tag.
        let tricky = html("<a href=\"https://x.org/\" title=\"<img src=x>\">a</a>");
        assert!(!tricky.contains("alt="), "{tricky}");
    }

    #[test]
    fn fallback_alt_is_the_file_name_in_words() {
        assert_eq!(
            fallback_alt("", "../shots/CPU_spike-2024.PNG"),
            "CPU spike 2024"
        );
        assert_eq!(fallback_alt("A  title", "x.png"), "A title");
        assert_eq!(
            fallback_alt("", "https://x.org/%C3%A9t%C3%A9.png?v=2#z"),
            "été"
        );
        assert_eq!(fallback_alt("", "IMG_0001.jpg"), "IMG 0001");
        assert_eq!(
            fallback_alt("", "2024-01-01.png"),
            "image (no description given)"
        );
        assert_eq!(fallback_alt("", ""), "image (no description given)");
    }

    #[test]
    fn relative_images_point_at_copied_assets() {
        let out = html("![d](diagram.png) ![e](missing.png) ![f](https://x.org/a.png)");
        assert!(
            out.contains("src=\"../../files/cohort/diagram.png\""),
            "{out}"
        );
        assert!(
            !out.contains("missing.png"),
            "dead relative links are dropped: {out}"
        );
        assert!(out.contains("src=\"https://x.org/a.png\""), "{out}");
        assert_eq!(join("a", "../../x"), None);
    }

    #[test]
    fn tables_render() {
        let out = html("| Time | Event |\n|---|---|\n| 10:00 | alert |\n");
        assert!(out.contains("<table>"), "{out}");
        assert!(out.contains("<td>10:00</td>"), "{out}");
    }
}
