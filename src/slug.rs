//! URL-safe names for pages: `^[a-z0-9][a-z0-9-]*$`, as the report's schema requires.

/// Lowercase letters and digits joined by single dashes; accented letters lose their
/// accents so "Café outage" and "Cafe outage" share a slug, and other scripts are
/// transliterated ("日本語 タイトル" → "ri-ben-yu-taitoru"). May return "" when nothing
/// usable is left; callers choose a fallback.
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars() {
        let mapped = fold(c);
        for m in mapped.chars() {
            if m.is_ascii_alphanumeric() {
                if dash && !out.is_empty() {
                    out.push('-');
                }
                dash = false;
                out.push(m.to_ascii_lowercase());
            } else {
                dash = true;
            }
        }
        if out.len() >= 80 {
            break;
        }
    }
    out.truncate(80);
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// A character's closest ASCII: accents dropped, other scripts transliterated
/// ("日本語" → "Ri Ben Yu"), by the `deunicode` tables.
fn fold(c: char) -> &'static str {
    match c {
        '&' => " and ",
        // A line break or a tab separates words (deunicode drops control characters).
        c if c.is_whitespace() || c.is_control() => " ",
        _ => deunicode::deunicode_char(c).unwrap_or(" "),
    }
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn slugs() {
        assert_eq!(
            slugify("Expired TLS Certificate!"),
            "expired-tls-certificate"
        );
        assert_eq!(
            slugify("cohort-2024/disk_full.md"),
            "cohort-2024-disk-full-md"
        );
        assert_eq!(slugify("  Café & Crème  "), "cafe-and-creme");
        assert_eq!(slugify("日本語 タイトル"), "ri-ben-yu-taitoru");
        assert_eq!(slugify("Сбой базы данных"), "sboi-bazy-dannykh");
        assert_eq!(slugify("--a--b--"), "a-b");
        assert_eq!(slugify("two\nlines\tand\u{0}nul"), "two-lines-and-nul");
        assert!(slugify(&"x".repeat(500)).len() <= 80);
    }
}
