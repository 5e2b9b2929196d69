//! Source files: finding them, decoding their bytes, and separating front matter.

pub mod decode;
pub mod discover;
pub mod front_matter;

pub use decode::Encoding;
pub use discover::{Discovered, SourcePath, discover};
pub use front_matter::FrontMatter;

use crate::model::Diagnostic;
use std::path::Path;

/// Files larger than this are not postmortems; reading them would only slow the build.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// A decoded file with its front matter separated from its body.
#[derive(Debug)]
pub struct Loaded {
    pub text: String,
    /// Byte offset of the body within `text`.
    pub body_start: usize,
    /// 1-based line of `text` on which the body starts.
    pub body_line: u32,
    pub encoding: Encoding,
    pub repaired: bool,
    pub front: FrontMatter,
    /// Non-fatal problems (front matter errors); the body still builds.
    pub problems: Vec<Diagnostic>,
}

impl Loaded {
    pub fn body(&self) -> &str {
        &self.text[self.body_start..]
    }
}

/// Reads and decodes one file. An error here means the file cannot be a postmortem at
/// all (unreadable, binary, too large); the diagnostic says why.
pub fn load(path: &Path) -> Result<Loaded, Diagnostic> {
    let meta = std::fs::metadata(path).map_err(|e| {
        Diagnostic::error(
            format!("could not be read: {}", crate::error::reason(&e)),
            None,
        )
    })?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(Diagnostic::error(
            format!(
                "too large to be a postmortem ({} KiB; the limit is {} KiB)",
                meta.len().div_ceil(1024),
                MAX_FILE_BYTES / 1024
            ),
            None,
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| {
        Diagnostic::error(
            format!("could not be read: {}", crate::error::reason(&e)),
            None,
        )
    })?;
    load_bytes(&bytes)
}

pub fn load_bytes(bytes: &[u8]) -> Result<Loaded, Diagnostic> {
    let decoded = decode::decode(bytes).map_err(|e| match e {
        decode::DecodeError::Binary { line } => {
            Diagnostic::error("binary data: not a text file", Some(line as u32))
        }
    })?;
    let text = decoded.text;
    let split = front_matter::split(&text);
    let body_start = text.len() - split.body.len();
    let (front, body_line, problems) = (split.front, split.body_line, split.problems);
    Ok(Loaded {
        body_start,
        body_line,
        encoding: decoded.encoding,
        repaired: decoded.repaired > 0,
        front,
        problems,
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_front_matter_and_body_offsets() {
        let l = load_bytes("+++\ntitle = \"x\"\n+++\nBody line\n".as_bytes()).unwrap();
        assert_eq!(l.body(), "Body line\n");
        assert_eq!(l.body_line, 4);
        assert_eq!(l.front.title.as_deref(), Some("x"));
    }

    #[test]
    fn binary_is_refused_with_a_line() {
        let e = load_bytes(b"line one\nline two\x00\x01\x02").unwrap_err();
        assert_eq!(e.line, Some(2));
    }

    #[test]
    fn mojibake_is_repaired_and_reported() {
        let l = load_bytes("It wonâ€™t happen again".as_bytes()).unwrap();
        assert!(l.repaired);
        assert_eq!(l.body(), "It won’t happen again");
    }
}
