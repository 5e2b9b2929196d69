//! Reading published HTML and SVG the way a browser's tokenizer does, to tell what in
//! it could run: shared by the hostile suite and the fuzz target (`tests/fuzz.rs`).

#![allow(dead_code)]

use std::collections::BTreeSet;

/// A tag as written in a page: its name (lowercase) and attributes (name lowercase,
/// value with character references decoded).
pub struct Tag {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    /// Byte offsets of the whole tag in the page.
    pub start: usize,
    pub end: usize,
}

/// The tags of an HTML or SVG text, read the way a browser's tokenizer reads them
/// (comments skipped, quoted attribute values kept whole), so that markup shown as
/// text (`&lt;script&gt;`) is not a tag and a `>` inside a quoted value does not end one.
pub fn tags(html: &str) -> Vec<Tag> {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        let start = i + off;
        i = start + 1;
        if html[start..].starts_with("<!--") {
            i = html[start..].find("-->").map_or(b.len(), |e| start + e + 3);
            continue;
        }
        let name_start = i + usize::from(b.get(i) == Some(&b'/'));
        if !b.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        let mut j = name_start;
        while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' && b[j] != b'/' {
            j += 1;
        }
        let name = html[name_start..j].to_ascii_lowercase();
        let mut attrs = Vec::new();
        loop {
            while j < b.len() && (b[j].is_ascii_whitespace() || b[j] == b'/') {
                j += 1;
            }
            if j >= b.len() || b[j] == b'>' {
                break;
            }
            let a = j;
            while j < b.len() && !b[j].is_ascii_whitespace() && !matches!(b[j], b'>' | b'/' | b'=')
            {
                j += 1;
            }
            let attr = html[a..j].to_ascii_lowercase();
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            let mut value = String::new();
            if b.get(j) == Some(&b'=') {
                j += 1;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                let v = match b.get(j) {
                    Some(&q @ (b'"' | b'\'')) => {
                        let v0 = j + 1;
                        let v1 = html[v0..].find(char::from(q)).map_or(b.len(), |e| v0 + e);
                        j = (v1 + 1).min(b.len());
                        &html[v0..v1]
                    }
                    _ => {
                        let v0 = j;
                        while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                            j += 1;
                        }
                        &html[v0..j]
                    }
                };
                value = decode_references(v);
            }
            if attr.is_empty() {
                j += 1;
                continue;
            }
            attrs.push((attr, value));
        }
        let end = (j + 1).min(b.len());
        out.push(Tag {
            name,
            attrs,
            start,
            end,
        });
        i = end;
    }
    out
}

/// `&#106;`, `&#x6A;`, `&colon;` and the like, decoded as a browser decodes them in an
/// attribute (enough of them to spot a hidden `javascript:`).
pub fn decode_references(v: &str) -> String {
    let mut out = String::new();
    let mut rest = v;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest.find(';').filter(|&e| e <= 12);
        let decoded = end.and_then(|e| {
            let body = &rest[1..e];
            let c = if let Some(hex) = body.strip_prefix("#x").or(body.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
            } else if let Some(dec) = body.strip_prefix('#') {
                dec.parse().ok().and_then(char::from_u32)
            } else {
                match body {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    "colon" => Some(':'),
                    "Tab" => Some('\t'),
                    "NewLine" => Some('\n'),
                    _ => None,
                }
            };
            c.map(|c| (c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// What a clean site's pages hold that would otherwise count as content's: its script
/// elements and the start tags of its forms.
pub fn own_elements(text: &str) -> Vec<String> {
    let mut own = script_elements(text);
    own.extend(
        tags(text)
            .into_iter()
            .filter(|t| t.name == "form" && !text[t.start..].starts_with("</"))
            .map(|t| text[t.start..t.end].to_owned()),
    );
    own
}

pub fn script_elements(text: &str) -> Vec<String> {
    let lower = text.to_ascii_lowercase();
    tags(text)
        .into_iter()
        // An end tag is not an element (a page with a script of its own has one).
        .filter(|t| t.name == "script" && !text[t.start..].starts_with("</"))
        .map(|t| {
            let close = lower[t.end..]
                .find("</script")
                .map_or(text.len(), |e| t.end + e);
            text[t.start..close].to_owned()
        })
        .collect()
}

/// What in a page could run: a script element that is not one of the site's own, an
/// event handler attribute, a `javascript:`, `vbscript:` or HTML `data:` URL, or an
/// element that loads or frames something else.
pub fn executable(text: &str, own_scripts: &BTreeSet<String>) -> Vec<String> {
    let mut found = Vec::new();
    for s in script_elements(text) {
        if !own_scripts.contains(&s) {
            found.push(format!("a script that is not the site's: {s}"));
        }
    }
    for t in tags(text) {
        let end_tag = text[t.start..].starts_with("</");
        // The theme's own forms (the search box, the search page's) are the site's.
        let own_form = t.name == "form" && (end_tag || own_scripts.contains(&text[t.start..t.end]));
        if !own_form
            && matches!(
                t.name.as_str(),
                "iframe" | "frame" | "frameset" | "object" | "embed" | "applet" | "base" | "form"
            )
        {
            found.push(format!("a <{}> element", t.name));
        }
        for (name, value) in &t.attrs {
            if name.starts_with("on") {
                found.push(format!("an event handler: <{} {name}=\"{value}\">", t.name));
            }
            if name == "http-equiv" && value.eq_ignore_ascii_case("refresh") {
                found.push("a refresh to elsewhere".into());
            }
            let url: String = value
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            let url_attr = matches!(
                name.as_str(),
                "href"
                    | "src"
                    | "action"
                    | "formaction"
                    | "xlink:href"
                    | "data"
                    | "poster"
                    | "background"
                    | "srcset"
                    | "cite"
                    | "lowsrc"
                    | "dynsrc"
            );
            if url_attr
                && [
                    "javascript:",
                    "vbscript:",
                    "data:text/html",
                    "data:image/svg",
                ]
                .iter()
                .any(|bad| url.starts_with(bad))
            {
                found.push(format!("a script URL: <{} {name}=\"{value}\">", t.name));
            }
        }
    }
    found
}

/// The text of a page without its tags.
pub fn words_of(html: &str) -> String {
    let mut out = String::new();
    let mut last = 0;
    for t in tags(html) {
        out.push_str(&html[last..t.start]);
        out.push(' ');
        last = t.end;
    }
    out.push_str(&html[last..]);
    out
}

#[test]
fn the_scanner_finds_what_runs() {
    let none = BTreeSet::new();
    for bad in [
        "<p>x</p><script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<a title='a > b' onclick=\"x()\">",
        "<a href=\"&#106;avascript:alert(1)\">",
        "<a href=\" JAVA\tSCRIPT:alert(1)\">",
        "<svg><a xlink:href=\"javascript:alert(1)\"></a></svg>",
        "<iframe src=x></iframe>",
        "<meta http-equiv=refresh content=\"0;url=x\">",
    ] {
        assert!(!executable(bad, &none).is_empty(), "{bad}");
    }
    for fine in [
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; onerror=alert(1)</p>",
        "<a href=\"https://x.org/javascript:\" title=\"javascript:alert(1)\">",
        "<!-- <script>alert(1)</script> -->",
        "<p class=\"onion\">javascript:alert(1)</p>",
    ] {
        assert!(executable(fine, &none).is_empty(), "{fine}");
    }
}
