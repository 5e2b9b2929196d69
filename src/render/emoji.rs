//! GitHub's emoji shortcodes (`:fire:`, `:small_orange_diamond:`) shown as the emoji
//! they name, as GitHub shows them, in what the pages show: the body and the text read
//! from it (title, summary, root cause, timeline). Only the display changes: the reading
//! (`src/extract`) sees the shortcodes as written and passes over them.
//!
//! The names are gemoji's, through the `emojis` crate. A name it does not know stays as
//! written, and so does a pair of colons glued to a word or a figure on its left, so
//! times (`10:30:45`), ratios (`3:100:1`) and addresses (`fe80::1:`) are never read as
//! shortcodes.

use crate::model::Postmortem;
use crate::words::shortcode_name_byte;
use lol_html::html_content::ContentType;
use lol_html::{RewriteStrSettings, doc_text, element, end_tag, rewrite_str};
use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// The longest shortcode gemoji has is under 40 characters.
const MAX_NAME: usize = 64;

/// `text` with every known shortcode in it as its emoji.
///
/// What the reading hands on may have lost a shortcode's opening colon where it opened
/// a line (`&emsp;:small_orange_diamond:Start` is read as `small_orange_diamond:Start`):
/// a name of several words (with a `_`, which no word of prose has) that opens a word
/// and ends in a colon is shown as its emoji too. A one-word name so written ("fire:
/// the logs") is prose and stays.
pub fn shortcodes(text: &str) -> Cow<'_, str> {
    if !text.contains(':') {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    let mut copied = 0;
    // Where the last shortcode replaced ended: another may follow it at once
    // (`:fire::rocket:`).
    let mut joined = usize::MAX;
    let mut i = 0;
    while let Some(off) = text[i..].find(':') {
        let colon = i + off;
        i = colon + 1;
        let (start, end) =
            match whole(text, colon, joined).or_else(|| lost_opening(text, colon, copied)) {
                Some(found) => found,
                None => continue,
            };
        let name = text[start..end].trim_matches(':');
        if let Some(emoji) = emojis::get_by_shortcode(name) {
            out.push_str(&text[copied..start]);
            out.push_str(emoji.as_str());
            copied = end;
            joined = end;
            i = end;
        }
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// The span of the shortcode whose opening colon is at `open` (`:name:`), when one is
/// there and stands apart from the word or figure before it; `joined` is where the
/// last shortcode replaced ended.
fn whole(text: &str, open: usize, joined: usize) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let len = b[open + 1..]
        .iter()
        .take_while(|&&c| shortcode_name_byte(c))
        .count();
    let close = open + 1 + len;
    if len == 0 || len > MAX_NAME || b.get(close) != Some(&b':') {
        return None;
    }
    let apart = open == 0
        || open == joined
        || text[..open]
            .chars()
            .next_back()
            .is_some_and(|c| !c.is_alphanumeric() && c != ':');
    // `::100:1`-like runs of figures are addresses, not shortcodes.
    let figure_after = b.get(close + 1).is_some_and(u8::is_ascii_digit);
    (apart && !figure_after).then_some((open, close + 1))
}

/// The span of a shortcode of several words that lost its opening colon and ends with
/// the colon at `close` (`small_orange_diamond:`), opening the text or a word, not
/// before `from`.
fn lost_opening(text: &str, close: usize, from: usize) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let len = b[..close]
        .iter()
        .rev()
        .take_while(|&&c| shortcode_name_byte(c))
        .count();
    let start = close - len;
    let opens = start == 0
        || text[..start]
            .chars()
            .next_back()
            .is_some_and(char::is_whitespace);
    (len <= MAX_NAME && start >= from && opens && text[start..close].contains('_'))
        .then_some((start, close + 1))
}

/// The postmortem as its page shows it: its title, summary, root cause and timeline
/// entries with emoji for their shortcodes (a copy only when one has any).
pub fn shown(pm: &Postmortem) -> Cow<'_, Postmortem> {
    let changes = |t: &str| matches!(shortcodes(t), Cow::Owned(_));
    let any = changes(&pm.title)
        || pm.summary.as_deref().is_some_and(changes)
        || pm.root_cause.as_deref().is_some_and(changes)
        || pm.timeline.iter().any(|e| changes(&e.text));
    if !any {
        return Cow::Borrowed(pm);
    }
    let mut pm = pm.clone();
    let show = |t: &mut String| {
        if let Cow::Owned(s) = shortcodes(t) {
            *t = s;
        }
    };
    show(&mut pm.title);
    if let Some(s) = pm.summary.as_mut() {
        show(s);
    }
    if let Some(r) = pm.root_cause.as_mut() {
        show(r);
    }
    pm.timeline.iter_mut().for_each(|e| show(&mut e.text));
    Cow::Owned(pm)
}

/// Whether `text` may hold a shortcode at all (a cheap test before a closer look).
fn may_hold(text: &str) -> bool {
    let b = text.as_bytes();
    let mut at = 0;
    while let Some(off) = text[at..].find(':') {
        let colon = at + off;
        let after = b[colon + 1..]
            .iter()
            .take_while(|&&c| shortcode_name_byte(c))
            .count();
        if after > 0 && b.get(colon + 1 + after) == Some(&b':') {
            return true;
        }
        let mut before = b[..colon]
            .iter()
            .rev()
            .take_while(|&&c| shortcode_name_byte(c));
        if before.any(|&c| c == b'_') {
            return true;
        }
        at = colon + 1;
    }
    false
}

/// Elements whose text is shown as written: code, and what a sanitized body never holds
/// but a page might.
const VERBATIM: &str = "code, pre, kbd, samp, script, style, textarea";

/// An element handler for lol_html that keeps `depth` at how many of the elements it
/// is given are open where the rewriter reads: one more at each start tag, one less at
/// its end tag (an element that holds no content, such as `<br>`, never counts).
pub(crate) fn counting_open(
    depth: Rc<Cell<usize>>,
) -> impl FnMut(&mut lol_html::html_content::Element<'_, '_>) -> lol_html::HandlerResult + 'static {
    move |el| {
        if el.can_have_content() {
            depth.set(depth.get() + 1);
            let closed = depth.clone();
            el.on_end_tag(end_tag!(move |_| {
                closed.set(closed.get().saturating_sub(1));
                Ok(())
            }))?;
        }
        Ok(())
    }
}

/// Sanitized HTML with the shortcodes in its text as emoji; never in code
/// (`<code>`, `<pre>`, `<kbd>`, `<samp>`), in an attribute or in a tag. The HTML is read
/// by lol_html's tokenizer (the HTML standard's), so text is told from markup exactly,
/// however the author wrote it; should it fail, the HTML is kept as it is.
pub fn in_html(html: &str) -> Cow<'_, str> {
    if !may_hold(html) {
        return Cow::Borrowed(html);
    }
    let verbatim = Rc::new(Cell::new(0usize));
    let pending = RefCell::new(String::new());
    let settings = RewriteStrSettings::new()
        .append_element_content_handler(element!(VERBATIM, counting_open(verbatim.clone())))
        .append_document_content_handler(doc_text!(|t| {
            if verbatim.get() > 0 {
                return Ok(());
            }
            // A text may come in chunks: it is replaced whole, at its last one.
            let mut text = pending.borrow_mut();
            text.push_str(t.as_str());
            if t.last_in_text_node() {
                let replaced = shortcodes(&text);
                t.replace(&replaced, ContentType::Html);
                text.clear();
            } else {
                t.remove();
            }
            Ok(())
        }));
    match rewrite_str(html, settings) {
        Ok(out) if out != html => Cow::Owned(out),
        _ => Cow::Borrowed(html),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_shortcodes_become_emoji() {
        assert_eq!(shortcodes("Fixed :fire: fast"), "Fixed 🔥 fast");
        assert_eq!(
            shortcodes("\u{2003}:small_orange_diamond:Start Time: 16:15"),
            "\u{2003}🔸Start Time: 16:15"
        );
        assert_eq!(shortcodes(":fire::rocket:"), "🔥🚀");
        assert_eq!(shortcodes("(:+1:) :100:"), "(👍) 💯");
        assert_eq!(shortcodes("Done! ☕:rocket:"), "Done! ☕🚀");
        // As the reading hands it on, the opening colon lost.
        assert_eq!(
            shortcodes("small_orange_diamond:Start small_orange_diamond:End"),
            "🔸Start 🔸End"
        );
    }

    #[test]
    fn unknown_names_times_and_glued_colons_stay() {
        for text in [
            "no shortcode here",
            ":not_an_emoji_name:",
            "10:30:45",
            "from 12:00: to 13:00:",
            "ratio 3:100:1",
            "fe80::100:1",
            "note:fire: glued to a word",
            ":Fire: in capitals",
            "::",
            ":",
            "a : fire : with spaces",
            "fire: the logs filled the disk",
            "max_connections: 100",
            "set_small_orange_diamond:x",
            ":small_orange_diamond",
        ] {
            assert_eq!(shortcodes(text), text);
            assert!(matches!(shortcodes(text), Cow::Borrowed(_)), "{text}");
        }
    }

    #[test]
    fn html_text_changes_and_code_attributes_and_tags_do_not() {
        let html = concat!(
            r#"<h2 id="books">📚 :books: Author</h2>"#,
            r#"<p title=":fire:">It :fire: <code>x = :fire:</code> <em>:rocket:</em></p>"#,
            "<pre><code>:fire:\n</code></pre><p>after :wink:</p>",
            r#"<p><img src="https://x.org/:fire:.png" alt=":fire:"> &amp;:tada: 10:30:45</p>"#,
        );
        assert_eq!(
            in_html(html),
            concat!(
                r#"<h2 id="books">📚 📚 Author</h2>"#,
                r#"<p title=":fire:">It 🔥 <code>x = :fire:</code> <em>🚀</em></p>"#,
                "<pre><code>:fire:\n</code></pre><p>after 😉</p>",
                r#"<p><img src="https://x.org/:fire:.png" alt=":fire:"> &amp;🎉 10:30:45</p>"#,
            )
        );
        let plain = "<p>Nothing 10:30:45 <code>:fire:</code></p>";
        assert!(matches!(in_html(plain), Cow::Borrowed(_)));
    }
}
