//! URL-safe names for pages: `^[a-z0-9][a-z0-9-]*$`, as the report's schema requires.

/// Lowercase letters and digits joined by single dashes; accented Latin letters lose
/// their accents so "Café outage" and "Cafe outage" share a slug. May return "" when
/// nothing usable is left; callers choose a fallback.
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

fn fold(c: char) -> &'static str {
    match c {
        'a'..='z' | 'A'..='Z' | '0'..='9' => {
            // Safe: ASCII alphanumerics map to themselves via a static table.
            const ASCII: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
            let i = ASCII.find(c).unwrap_or(0);
            &ASCII[i..i + 1]
        }
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => "a",
        'æ' | 'Æ' => "ae",
        'ç' | 'Ç' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
        'ñ' | 'Ñ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => "o",
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => "u",
        'ý' | 'ÿ' | 'Ý' => "y",
        'ß' => "ss",
        '&' => "and",
        _ => " ",
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
        assert_eq!(slugify("🚀🚀"), "");
        assert_eq!(slugify("--a--b--"), "a-b");
        assert!(slugify(&"x".repeat(500)).len() <= 80);
    }
}
