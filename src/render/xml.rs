//! What XML files (feeds, the sitemap) need of text that may come from a student: only
//! the characters XML 1.0 allows, and the five markup characters escaped.

/// `text` without the characters an XML 1.0 document may not hold (control characters
/// other than tab, line feed and carriage return, and U+FFFE, U+FFFF): a file with one
/// is not well-formed, and a feed reader rejects it whole.
pub fn clean(text: &str) -> String {
    text.chars().filter(|&c| allowed(c)).collect()
}

fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

/// `text` cleaned (see [`clean`]) and escaped for an element's text or an attribute's
/// value in double quotes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().filter(|&c| allowed(c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped_and_forbidden_characters_dropped() {
        assert_eq!(
            escape("a <b> & \"c\" 'd'"),
            "a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;"
        );
        assert_eq!(escape("x\u{0}y\u{1b}z\u{FFFF}"), "xyz");
        assert_eq!(clean("tab\there\nline\u{7}"), "tab\there\nline");
        assert_eq!(clean("日本語 🚀"), "日本語 🚀");
    }
}
