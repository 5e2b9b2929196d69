//! Turning the raw bytes of a postmortem file into text.
//!
//! Students write their postmortems in whatever editor they have, so the
//! files arrive as UTF-8 (with or without a BOM), UTF-16 from Windows tools,
//! legacy code pages (mostly Windows-1252), and — very often — UTF-8 that some
//! tool along the way read as Windows-1252 and saved again as UTF-8
//! ("mojibake": `â€™` where `’` was meant).
//!
//! The decoding itself is `encoding_rs`'s, and a legacy file's code page is
//! `chardetng`'s guess. What is ours: the sniff for UTF-16 without a BOM,
//! refusing files that are not text at all, normalising line endings so that
//! line numbers reported later match what the student sees in an editor, and
//! undoing mojibake, which no decoder does.

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};
use std::borrow::Cow;
use std::fmt;

/// How the bytes were decoded, recorded so reports can tell authors why their
/// text looks the way it does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8, the expected case.
    Utf8,
    /// UTF-16, little- or big-endian, as written by some Windows editors.
    Utf16,
    /// The legacy Windows code page of Western Europe and the Americas: the
    /// usual guess when the bytes are not valid UTF-8.
    Windows1252,
    /// Another legacy encoding guessed for bytes that are not valid UTF-8
    /// (windows-1251, ISO-8859-2, Shift_JIS...); never UTF-8, UTF-16 or
    /// windows-1252, which have their own variants.
    Legacy(&'static encoding_rs::Encoding),
    /// Never produced by [`decode`]; lets callers describe text whose origin
    /// they could not establish (e.g. a file that failed to decode).
    Unknown,
}

impl Encoding {
    /// The encoding's WHATWG name in lower case ("utf-8", "windows-1252",
    /// "iso-8859-2", "shift_jis"), as pages and serde show it. The JSON report
    /// says "unknown" for a [`Encoding::Legacy`] one, which its schema lacks.
    pub fn label(self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf16 => "utf-16",
            Encoding::Windows1252 => "windows-1252",
            Encoding::Legacy(encoding) => return encoding.name().to_ascii_lowercase().into(),
            Encoding::Unknown => "unknown",
        })
    }

    fn of(encoding: &'static encoding_rs::Encoding) -> Encoding {
        if encoding == UTF_8 {
            Encoding::Utf8
        } else if encoding == UTF_16LE || encoding == UTF_16BE {
            Encoding::Utf16
        } else if encoding == WINDOWS_1252 {
            Encoding::Windows1252
        } else {
            Encoding::Legacy(encoding)
        }
    }
}

impl serde::Serialize for Encoding {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.label())
    }
}

impl<'de> serde::Deserialize<'de> for Encoding {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let label = <Cow<'de, str>>::deserialize(d)?;
        Ok(match &*label {
            "unknown" => Encoding::Unknown,
            "utf-16" => Encoding::Utf16,
            other => Encoding::of(
                encoding_rs::Encoding::for_label(other.as_bytes())
                    .ok_or_else(|| serde::de::Error::custom(format!("no encoding {other}")))?,
            ),
        })
    }
}

/// Text recovered from a file, plus what had to be done to recover it, so
/// later stages can warn about files that needed fixing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    /// The text with any BOM removed and every line ending (CRLF or lone CR)
    /// turned into `\n`, one for one, so line numbers are preserved.
    pub text: String,
    /// The encoding the bytes were read as.
    pub encoding: Encoding,
    /// Whether the bytes started with a byte-order mark.
    pub had_bom: bool,
    /// How many mojibake sequences were repaired (0 = none). A sequence that
    /// was mangled twice counts once per layer undone.
    pub repaired: usize,
}

/// Why bytes could not be turned into text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// Looks binary (NUL bytes outside UTF-16, or mostly control bytes):
    /// `line` is the 1-based line of the first offending byte, so the author
    /// can find e.g. a pasted-in chunk of a binary log.
    Binary {
        /// 1-based line of the first offending byte.
        line: usize,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Binary { line } => {
                write!(f, "binary data at line {line}: not a text file")
            }
        }
    }
}

impl std::error::Error for DecodeError {}

/// How many bytes at the start of a file are sampled for the control-byte
/// share and the BOM-less UTF-16 sniff; enough to judge, cheap for big files.
const SAMPLE_BYTES: usize = 8 * 1024;

/// Files whose sample has more than 1/`CONTROL_SHARE_DIVISOR` control bytes
/// are treated as binary.
const CONTROL_SHARE_DIVISOR: usize = 10;

/// A tiny file with one or two stray escape characters (pasted terminal
/// colours) would exceed the share on its own; below this count the share is
/// not applied.
const MIN_CONTROL_COUNT: usize = 4;

/// More passes than this would only ever fire on text that is not mojibake.
const MAX_REPAIR_PASSES: usize = 3;

/// Decodes the raw bytes of a postmortem file into text.
///
/// Tries, in order: a BOM (UTF-16 LE/BE, UTF-8), BOM-less UTF-16 recognised
/// by its NULs at every other byte, UTF-8, and finally the legacy encoding
/// `chardetng` guesses (most often windows-1252), which accepts any byte.
/// Mojibake is then repaired whatever the encoding, because it survives every
/// re-encoding that happened to the file.
///
/// # Errors
///
/// [`DecodeError::Binary`] if the bytes contain NULs (outside UTF-16) or too
/// many control bytes to be text.
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    let (utf16, had_bom, body) = match encoding_rs::Encoding::for_bom(bytes) {
        Some((encoding, bom)) => {
            let utf16 = (encoding != UTF_8).then_some(encoding);
            (utf16, true, &bytes[bom..])
        }
        None => (sniff_utf16(bytes), false, bytes),
    };
    let (text, encoding) = match utf16 {
        Some(utf16) => {
            // Unpaired surrogates and a dangling odd byte become U+FFFD: a
            // damaged character is better than losing the postmortem.
            let (text, _) = utf16.decode_without_bom_handling(body);
            // Judged on the decoded text, where each UTF-16 unit of interest
            // (NUL, controls, line endings) is one byte.
            let sample = text
                .char_indices()
                .nth(SAMPLE_BYTES / 2)
                .map_or(text.len(), |(i, _)| i);
            check_binary(text.as_bytes(), sample, text[..sample].chars().count())?;
            (text, Encoding::Utf16)
        }
        None => decode_8bit(body)?,
    };

    let mut text = normalize_newlines(text);
    let repaired = repair_mojibake(&mut text);
    // A BOM that was itself turned into mojibake (`ï»¿`) only becomes
    // visible after repair; a doubled BOM shows up here too, as may several.
    let boms = text.len() - text.trim_start_matches('\u{FEFF}').len();
    text.drain(..boms);

    Ok(Decoded {
        text,
        encoding,
        had_bom,
        repaired,
    })
}

/// Decodes input without a UTF-16 signature: UTF-8 if valid (borrowed, no
/// copy), else the legacy encoding `chardetng` guesses. Rejects binary data
/// first so large binaries are neither validated nor guessed at.
fn decode_8bit(bytes: &[u8]) -> Result<(Cow<'_, str>, Encoding), DecodeError> {
    let sample = bytes.len().min(SAMPLE_BYTES);
    check_binary(bytes, sample, sample)?;
    if let Some(text) = UTF_8.decode_without_bom_handling_and_without_replacement(bytes) {
        return Ok((text, Encoding::Utf8));
    }
    let legacy = legacy_encoding(bytes);
    // Every legacy decoder leaves CR and LF alone (a broken multi-byte
    // sequence never swallows them), so line numbers are kept.
    let (text, _) = legacy.decode_without_bom_handling(bytes);
    Ok((text, Encoding::of(legacy)))
}

/// Below this many non-ASCII bytes `chardetng` is not asked: on English text
/// with a few accented names or symbols (`Hélène`, `3 µs`, `£100`) its guess
/// is another code page as often as not, while from about 40 on it is
/// windows-1252 every time (measured on the corpus with such words added); a
/// few words of Cyrillic or Greek, or a paragraph of Polish, is already more.
const MIN_NON_ASCII_TO_GUESS: usize = 32;

/// The legacy encoding of bytes that are not valid UTF-8: windows-1252, the
/// Windows default where the course's students write, unless there is enough
/// text for `chardetng` to tell otherwise.
///
/// Bytes that are mostly valid UTF-8, with a few stray legacy bytes (a pasted
/// snippet), are read as windows-1252 whatever a detector says: mojibake
/// repair then recovers their UTF-8 runs, which it can do from no other code
/// page (`chardetng` takes such files for windows-1257 as often as not).
fn legacy_encoding(bytes: &[u8]) -> &'static encoding_rs::Encoding {
    let (mut multi_byte_chars, mut non_ascii, mut invalid_bytes) = (0, 0, 0);
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars().filter(|c| !c.is_ascii()) {
            multi_byte_chars += 1;
            non_ascii += c.len_utf8();
        }
        invalid_bytes += chunk.invalid().len();
    }
    non_ascii += invalid_bytes;
    if multi_byte_chars >= invalid_bytes || non_ascii < MIN_NON_ASCII_TO_GUESS {
        return WINDOWS_1252;
    }
    // ISO-2022-JP is 7-bit, so valid UTF-8 and never here; UTF-8 is ruled out.
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    detector.guess(None, Utf8Detection::Deny)
}

/// Recognises BOM-less UTF-16: mostly-ASCII text in UTF-16 has a NUL in every
/// other byte, on the odd positions for little-endian and the even ones for
/// big-endian, and real UTF-8 or legacy 8-bit text has no NULs at all.
fn sniff_utf16(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let sample = &bytes[..bytes.len().min(SAMPLE_BYTES)];
    if !sample.contains(&0) {
        return None;
    }
    let (mut little, mut big, mut pairs) = (0usize, 0usize, 0usize);
    for pair in sample.chunks_exact(2) {
        pairs += 1;
        match (pair[0], pair[1]) {
            (0, 0) => {}
            (_, 0) => little += 1,
            (0, _) => big += 1,
            _ => {}
        }
    }
    if pairs < 2 {
        return None;
    }
    // A clear majority of ASCII-like units in one byte order, and almost
    // none in the other: binary data rarely has such a regular pattern.
    let looks_like = |hits: usize, other: usize| hits * 10 >= pairs * 6 && other * 10 <= pairs;
    if looks_like(little, big) {
        Some(UTF_16LE)
    } else if looks_like(big, little) {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Rejects text that cannot be a postmortem: any NUL, or more than a tenth of
/// control characters (other than tab, newline, carriage return and form
/// feed) in `bytes[..sample]`, which holds `units` code units. Every
/// character judged here is ASCII, so `bytes` may be raw 8-bit input or text
/// already decoded to UTF-8.
fn check_binary(bytes: &[u8], sample: usize, units: usize) -> Result<(), DecodeError> {
    let binary = |index| {
        Err(DecodeError::Binary {
            line: line_of(bytes, index),
        })
    };
    if bytes.contains(&0) {
        return binary(bytes.iter().position(|&b| b == 0).unwrap_or_default());
    }
    // 1 for a control byte: below space or DEL, less the four allowed. Plain
    // comparisons summed in bytes, 255 at a time, which vectorise: this runs over the
    // start of every file.
    let control = |b: u8| {
        u8::from(b < 0x20) + u8::from(b == 0x7F)
            - u8::from(matches!(b, b'\t' | b'\n' | 0x0C | b'\r'))
    };
    let sample = &bytes[..sample];
    let controls: usize = sample
        .chunks(usize::from(u8::MAX))
        .map(|chunk| usize::from(chunk.iter().fold(0, |sum, &b| sum + control(b))))
        .sum();
    if controls >= MIN_CONTROL_COUNT && controls * CONTROL_SHARE_DIVISOR > units {
        let first = sample.iter().position(|&b| control(b) == 1);
        return binary(first.unwrap_or_default());
    }
    Ok(())
}

/// The 1-based line of `bytes[index]`, counting lines the same way the
/// decoded text will (CRLF and lone CR each end one line). A CR just before
/// `index` counts as a lone CR: the offending byte after it is never an LF.
fn line_of(bytes: &[u8], index: usize) -> usize {
    let before = &bytes[..index.min(bytes.len())];
    let crlf = before.windows(2).filter(|w| w == b"\r\n").count();
    1 + before.iter().filter(|&&b| b == b'\n' || b == b'\r').count() - crlf
}

/// Converts CRLF and lone CR to LF; text without a CR is taken as it is (a
/// borrowed text is copied once, into the result).
fn normalize_newlines(text: Cow<'_, str>) -> String {
    if !text.as_bytes().contains(&b'\r') {
        return text.into_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = &*text;
    while let Some((before, after)) = rest.split_once('\r') {
        out.push_str(before);
        out.push('\n');
        rest = after.strip_prefix('\n').unwrap_or(after);
    }
    out.push_str(rest);
    out
}

/// Repairs mojibake in already-decoded text; returns the number of sequences
/// repaired.
///
/// Mojibake arises when UTF-8 bytes are read as Windows-1252 (or Latin-1) and
/// saved again as UTF-8: each byte of a multi-byte character becomes its own
/// character. The repair maps characters back to those bytes and replaces a
/// run only when the bytes form one complete, valid UTF-8 multi-byte
/// sequence, which ordinary text (`café`, `€100`, `“quoted”`) essentially
/// never does. Text mangled more than once is repaired layer by layer, up to
/// three passes.
pub fn repair_mojibake(text: &mut String) -> usize {
    let mut total = 0;
    for _ in 0..MAX_REPAIR_PASSES {
        if !has_lead_char(text) {
            break;
        }
        match repair_pass(text) {
            Some((repaired, count)) => {
                *text = repaired;
                total += count;
            }
            None => break,
        }
    }
    total
}

/// Cheap pre-check: every mojibake sequence starts with a character in
/// U+00C2..=U+00F4 (the image of a UTF-8 lead byte), which UTF-8 encodes as
/// `C3 82..=C3 B4`. Most files contain none and skip the repair entirely.
fn has_lead_char(text: &str) -> bool {
    let bytes = text.as_bytes();
    // `contains` is a memchr: English text, which has no 0xC3 at all, is done at once.
    bytes.contains(&0xC3)
        && bytes
            .windows(2)
            .any(|w| w[0] == 0xC3 && (0x82..=0xB4).contains(&w[1]))
}

/// One repair pass. Returns the repaired text and the number of sequences
/// replaced, or `None` if nothing changed (so no allocation happens then).
fn repair_pass(text: &str) -> Option<(String, usize)> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut count = 0;
    // Bytes of `text` before `copied` have already been handled.
    let mut copied = 0;
    let mut pos = 0;

    // Lead characters U+00C2..=U+00F4 all start with the byte 0xC3, which is
    // never a continuation byte, so every 0xC3 is a char boundary.
    while let Some(offset) = bytes
        .get(pos..)
        .and_then(|b| b.iter().position(|&b| b == 0xC3))
    {
        let start = pos + offset;
        pos = start + 1;
        let Some(&second) = bytes.get(start + 1) else {
            break;
        };
        // U+00C0..=U+00FF is `C3 80..=C3 BF`; its Windows-1252 byte is 0xC0 + low bits.
        let lead = 0xC0 | (second & 0x3F);
        let needed = match lead {
            0xC2..=0xDF => 1,
            0xE0..=0xEF => 2,
            0xF0..=0xF4 => 3,
            _ => continue,
        };
        let Some(after_lead) = text.get(start + 2..) else {
            continue;
        };

        let mut seq = [lead, 0, 0, 0];
        let mut seq_len = 1;
        let mut consumed = 0;
        for c in after_lead.chars().take(needed) {
            match continuation_byte(c) {
                Some(b) => {
                    seq[seq_len] = b;
                    seq_len += 1;
                    consumed += c.len_utf8();
                }
                None => break,
            }
        }
        if seq_len != needed + 1 {
            continue;
        }
        // `from_utf8` also rejects overlong forms, surrogates and values
        // above U+10FFFF, which are not something an encoder produced.
        let Ok(fixed) = std::str::from_utf8(&seq[..seq_len]) else {
            continue;
        };

        let end = start + 2 + consumed;
        let buf = out.get_or_insert_with(|| String::with_capacity(text.len()));
        buf.push_str(text.get(copied..start).unwrap_or_default());
        buf.push_str(fixed);
        copied = end;
        pos = end;
        count += 1;
    }

    let mut buf = out?;
    buf.push_str(text.get(copied..).unwrap_or_default());
    Some((buf, count))
}

/// Windows-1252's characters for the bytes 0x80..=0x9F, as `encoding_rs`
/// decodes them (a test holds the two together): its five undefined bytes
/// decode to the C1 control of the same value.
const CP1252_80_TO_9F: &str = "€\u{81}‚ƒ„…†‡ˆ‰Š‹Œ\u{8D}Ž\u{8F}\u{90}‘’“”•–—˜™š›œ\u{9D}žŸ";

/// The byte (0x80..=0xBF) a character came from if it is the Windows-1252 or
/// Latin-1 reading of a UTF-8 continuation byte.
fn continuation_byte(c: char) -> Option<u8> {
    match u32::from(c) {
        // Latin-1 reading of 0x80..=0x9F (C1 controls), which also covers the
        // five bytes Windows-1252 leaves undefined; plus 0xA0..=0xBF, which
        // both encodings map to themselves.
        cp @ 0x80..=0xBF => u8::try_from(cp).ok(),
        _ => CP1252_80_TO_9F
            .chars()
            .position(|high| high == c)
            .and_then(|i| u8::try_from(0x80 + i).ok()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(bytes: &[u8]) -> Decoded {
        match decode(bytes) {
            Ok(d) => d,
            Err(e) => panic!("decode failed: {e}"),
        }
    }

    fn repaired(s: &str) -> (String, usize) {
        let mut text = s.to_owned();
        let n = repair_mojibake(&mut text);
        (text, n)
    }

    /// One Windows-1252 byte as encoding_rs decodes it.
    fn cp1252_char(b: u8) -> char {
        let byte = [b];
        let (text, _) = WINDOWS_1252.decode_without_bom_handling(&byte);
        text.chars().next().unwrap_or_default()
    }

    #[derive(Clone, Copy)]
    enum Endian {
        Little,
        Big,
    }

    fn utf16(s: &str, endian: Endian, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        let units = bom.then_some(0xFEFF).into_iter().chain(s.encode_utf16());
        for u in units {
            match endian {
                Endian::Little => out.extend_from_slice(&u.to_le_bytes()),
                Endian::Big => out.extend_from_slice(&u.to_be_bytes()),
            }
        }
        out
    }

    /// Small deterministic PRNG (xorshift64*) so "random" tests are repeatable.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
    }

    #[test]
    fn utf8_plain() {
        let d = ok("Hello, wörld — ok\n".as_bytes());
        assert_eq!(d.text, "Hello, wörld — ok\n");
        assert_eq!(d.encoding, Encoding::Utf8);
        assert!(!d.had_bom);
        assert_eq!(d.repaired, 0);
    }

    #[test]
    fn empty_input_is_empty_utf8() {
        let d = ok(b"");
        assert_eq!(d.text, "");
        assert_eq!(d.encoding, Encoding::Utf8);
        assert!(!d.had_bom);
    }

    #[test]
    fn utf8_bom_is_stripped() {
        let d = ok(b"\xEF\xBB\xBF# Title\n");
        assert_eq!(d.text, "# Title\n");
        assert_eq!(d.encoding, Encoding::Utf8);
        assert!(d.had_bom);
    }

    #[test]
    fn utf8_bom_only() {
        let d = ok(b"\xEF\xBB\xBF");
        assert_eq!(d.text, "");
        assert!(d.had_bom);
    }

    #[test]
    fn utf8_bom_with_invalid_body_falls_back_to_cp1252() {
        let d = ok(b"\xEF\xBB\xBFit\x92s");
        assert_eq!(d.text, "it’s");
        assert_eq!(d.encoding, Encoding::Windows1252);
        assert!(d.had_bom);
    }

    #[test]
    fn utf16le_with_bom() {
        let d = ok(&utf16("Outage — “db”\r\nline 2 🚀", Endian::Little, true));
        assert_eq!(d.text, "Outage — “db”\nline 2 🚀");
        assert_eq!(d.encoding, Encoding::Utf16);
        assert!(d.had_bom);
    }

    #[test]
    fn utf16be_with_bom() {
        let d = ok(&utf16("Outage é\nline 2", Endian::Big, true));
        assert_eq!(d.text, "Outage é\nline 2");
        assert_eq!(d.encoding, Encoding::Utf16);
        assert!(d.had_bom);
    }

    #[test]
    fn utf16_bom_only() {
        let d = ok(b"\xFF\xFE");
        assert_eq!(d.text, "");
        assert_eq!(d.encoding, Encoding::Utf16);
        assert!(d.had_bom);
    }

    #[test]
    fn bomless_utf16le() {
        let d = ok(&utf16(
            "# Postmortem\r\nRoot cause: café DNS\r\n",
            Endian::Little,
            false,
        ));
        assert_eq!(d.text, "# Postmortem\nRoot cause: café DNS\n");
        assert_eq!(d.encoding, Encoding::Utf16);
        assert!(!d.had_bom);
    }

    #[test]
    fn bomless_utf16be() {
        let d = ok(&utf16(
            "# Postmortem\nRoot cause: DNS\n",
            Endian::Big,
            false,
        ));
        assert_eq!(d.text, "# Postmortem\nRoot cause: DNS\n");
        assert_eq!(d.encoding, Encoding::Utf16);
        assert!(!d.had_bom);
    }

    #[test]
    fn utf16_unpaired_surrogate_is_replaced() {
        // 'a', lone high surrogate, 'b'
        let d = ok(b"\xFF\xFEa\x00\x00\xD8b\x00");
        assert_eq!(d.text, "a\u{FFFD}b");
    }

    #[test]
    fn utf16_odd_trailing_byte_is_replaced() {
        let d = ok(b"\xFF\xFEa\x00b\x00c");
        assert_eq!(d.text, "ab\u{FFFD}");
    }

    #[test]
    fn utf16_with_nul_unit_is_binary() {
        let mut bytes = utf16("line 1\nline 2\n", Endian::Little, true);
        bytes.extend_from_slice(&[0, 0]);
        assert_eq!(decode(&bytes), Err(DecodeError::Binary { line: 3 }));
    }

    #[test]
    fn windows_1252_bytes() {
        let d = ok(b"It\x92s \x93quoted\x94 caf\xE9 \x80100 \x96 done\x85");
        assert_eq!(d.text, "It’s “quoted” café €100 – done…");
        assert_eq!(d.encoding, Encoding::Windows1252);
        assert!(!d.had_bom);
        assert_eq!(d.repaired, 0);
    }

    #[test]
    fn windows_1252_undefined_bytes_map_to_c1_controls() {
        let d = ok(b"\x81\x8D\x8F\x90\x9D");
        assert_eq!(d.text, "\u{81}\u{8D}\u{8F}\u{90}\u{9D}");
        assert_eq!(d.encoding, Encoding::Windows1252);
    }

    #[test]
    fn windows_1252_table_round_trips() {
        for b in 0x80..=0xFFu8 {
            let c = cp1252_char(b);
            if (0x80..=0xBF).contains(&b) {
                assert_eq!(continuation_byte(c), Some(b), "byte {b:#x}");
            }
        }
        // The repair's table is encoding_rs's Windows-1252, byte for byte.
        let high: String = (0x80..=0x9Fu8).map(cp1252_char).collect();
        assert_eq!(high, CP1252_80_TO_9F);
        let specials = CP1252_80_TO_9F
            .chars()
            .filter(|c| u32::from(*c) > 0xFF)
            .count();
        assert_eq!(specials, 27);
    }

    #[test]
    fn windows_1252_with_embedded_utf8_is_repaired() {
        // A mostly-UTF-8 file with one stray cp1252 byte: the UTF-8 part shows
        // up as mojibake after the cp1252 fallback and gets repaired.
        let mut bytes = "naïve ’ ".as_bytes().to_vec();
        bytes.push(0xE9);
        let d = ok(&bytes);
        assert_eq!(d.text, "naïve ’ é");
        assert_eq!(d.encoding, Encoding::Windows1252);
        assert_eq!(d.repaired, 2);
    }

    // --- other legacy encodings ---------------------------------------------

    /// `text` in `encoding`, which must be able to encode all of it.
    fn encoded(text: &str, encoding: &'static encoding_rs::Encoding) -> Vec<u8> {
        let (bytes, _, unmappable) = encoding.encode(text);
        assert!(!unmappable, "{} cannot encode {text}", encoding.name());
        bytes.into_owned()
    }

    const CYRILLIC: &str = "# Отчёт об инциденте\r\n\r\n\
        С 10:00 до 11:30 UTC база данных была недоступна.\r\n\
        Причина: переполнение диска на основном сервере.\r\n";

    #[test]
    fn windows_1251_is_guessed() {
        let d = ok(&encoded(CYRILLIC, encoding_rs::WINDOWS_1251));
        assert_eq!(d.text, CYRILLIC.replace("\r\n", "\n"));
        assert_eq!(d.encoding, Encoding::Legacy(encoding_rs::WINDOWS_1251));
        assert_eq!(d.encoding.label(), "windows-1251");
        assert!(!d.had_bom);
        assert_eq!(d.repaired, 0);
        // Read as windows-1252 it would have been "Îò÷¸ò îá èíöèäåíòå".
        assert_eq!(d.text.split('\n').count(), CYRILLIC.split('\n').count());
    }

    #[test]
    fn iso_8859_2_is_guessed() {
        let czech = "Výpadek: databáze byla nedostupná čtyřicet minut.\n\
            Příčina: plný disk a špatně nastavené upozornění; šest služeb stálo.\n\
            Náprava: větší disk, včasné varování a týdenní kontrola místa.\n\
            Poučení: sledovat zaplnění disků a zkoušet obnovu ze záloh.\n";
        let d = ok(&encoded(czech, encoding_rs::ISO_8859_2));
        assert_eq!(d.text, czech);
        assert_eq!(d.encoding, Encoding::Legacy(encoding_rs::ISO_8859_2));
        assert_eq!(d.encoding.label(), "iso-8859-2");
    }

    #[test]
    fn shift_jis_is_guessed() {
        let japanese =
            "障害報告：データベースが四十分間停止しました。\n原因はディスクの容量不足です。\n";
        let d = ok(&encoded(japanese, encoding_rs::SHIFT_JIS));
        assert_eq!(d.text, japanese);
        assert_eq!(d.encoding.label(), "shift_jis");
    }

    #[test]
    fn short_latin_1_files_stay_windows_1252() {
        // With so little to go on chardetng would take some of these for
        // Big5, ISO-8859-2, ISO-8859-4 or windows-1250.
        for text in [
            "3 µs",
            "± 5%",
            "naïve",
            "£100",
            "Hélène and Tomás paged the on-call.",
            "10°C, ½ hour, © 2024",
            "It’s “fixed” – really…",
        ] {
            let d = ok(&encoded(text, WINDOWS_1252));
            assert_eq!(d.text, text);
            assert_eq!(d.encoding, Encoding::Windows1252, "{text}");
        }
    }

    #[test]
    fn long_windows_1252_text_stays_windows_1252() {
        let line = "Root cause: the café’s “smart” cache – Müller and Zoë fixed it… ";
        let text = line.repeat(8);
        let d = ok(&encoded(&text, WINDOWS_1252));
        assert_eq!(d.text, text);
        assert_eq!(d.encoding, Encoding::Windows1252);
    }

    #[test]
    fn mostly_utf8_with_a_stray_byte_is_windows_1252_and_repaired() {
        // Plenty of non-ASCII for chardetng, which would call this windows-1257.
        let mut bytes = "Outage — the “cache” didn’t expire; naïve retries… 🚀\n"
            .repeat(6)
            .into_bytes();
        bytes.extend_from_slice(b"caf\xE9\n");
        let d = ok(&bytes);
        assert_eq!(d.encoding, Encoding::Windows1252);
        let expected =
            "Outage — the “cache” didn’t expire; naïve retries… 🚀\n".repeat(6) + "café\n";
        assert_eq!(d.text, expected);
        assert_eq!(d.repaired, 6 * 7);
    }

    #[test]
    fn legacy_binary_is_still_refused() {
        let mut bytes = encoded(CYRILLIC, encoding_rs::WINDOWS_1251);
        bytes.push(0);
        assert_eq!(decode(&bytes), Err(DecodeError::Binary { line: 5 }));
    }

    #[test]
    fn legacy_labels_are_lower_case_whatwg_names() {
        use encoding_rs::{BIG5, ISO_8859_2, KOI8_U, SHIFT_JIS, WINDOWS_1251};
        for (encoding, label) in [
            (WINDOWS_1251, "windows-1251"),
            (ISO_8859_2, "iso-8859-2"),
            (KOI8_U, "koi8-u"),
            (SHIFT_JIS, "shift_jis"),
            (BIG5, "big5"),
        ] {
            assert_eq!(Encoding::of(encoding), Encoding::Legacy(encoding));
            assert_eq!(Encoding::of(encoding).label(), label);
        }
        assert_eq!(Encoding::of(WINDOWS_1252), Encoding::Windows1252);
        assert_eq!(Encoding::of(UTF_16BE), Encoding::Utf16);
        assert_eq!(Encoding::of(UTF_8), Encoding::Utf8);
    }

    // --- line endings ------------------------------------------------------

    #[test]
    fn crlf_is_normalised() {
        let d = ok(b"a\r\nb\r\nc");
        assert_eq!(d.text, "a\nb\nc");
        assert_eq!(d.text.lines().count(), 3);
    }

    #[test]
    fn lone_cr_is_normalised() {
        let d = ok(b"a\rb\rc\r");
        assert_eq!(d.text, "a\nb\nc\n");
    }

    #[test]
    fn mixed_line_endings_preserve_line_count() {
        let d = ok(b"1\r\n2\r3\n4\r\r\n6\n\r7");
        assert_eq!(d.text, "1\n2\n3\n4\n\n6\n\n7");
        assert_eq!(d.text.split('\n').count(), 8);
    }

    #[test]
    fn cp1252_line_endings_are_normalised() {
        let d = ok(b"caf\xE9\r\nna\xEFve\rend");
        assert_eq!(d.text, "café\nnaïve\nend");
        assert_eq!(d.encoding, Encoding::Windows1252);
    }

    // --- binary detection --------------------------------------------------

    #[test]
    fn nul_byte_is_binary_with_line() {
        assert_eq!(
            decode(b"line 1\nline 2\r\nline\x003"),
            Err(DecodeError::Binary { line: 3 })
        );
        assert_eq!(decode(b"\x00"), Err(DecodeError::Binary { line: 1 }));
    }

    #[test]
    fn nul_line_counts_lone_cr() {
        assert_eq!(decode(b"a\rb\r\x00"), Err(DecodeError::Binary { line: 3 }));
    }

    #[test]
    fn mostly_control_bytes_is_binary() {
        let mut bytes = b"header\nsecond\n".to_vec();
        bytes.extend((0..50).map(|i| [0x01, 0x02, 0x1B, 0x7F][i % 4]));
        bytes.extend_from_slice(b"tail");
        assert_eq!(decode(&bytes), Err(DecodeError::Binary { line: 3 }));
    }

    #[test]
    fn few_control_bytes_are_text() {
        // Terminal colours pasted into a log excerpt.
        let d = ok(b"\x1b[31mERROR\x1b[0m: disk full\n");
        assert_eq!(d.text, "\x1b[31mERROR\x1b[0m: disk full\n");
        let mut long = "x".repeat(1000).into_bytes();
        long.extend_from_slice(b"\x07\x07\x07\x07\x07\x07");
        assert!(decode(&long).is_ok());
    }

    #[test]
    fn every_control_byte_counts_and_nothing_else() {
        // 300 of one byte: more than one of the 255-byte chunks the count sums over.
        for b in 1..=u8::MAX {
            let control = matches!(b, 0x01..=0x08 | 0x0B | 0x0E..=0x1F | 0x7F);
            let binary = matches!(decode(&[b; 300]), Err(DecodeError::Binary { line: 1 }));
            assert_eq!(binary, control, "byte {b:#x}");
        }
    }

    #[test]
    fn allowed_controls_are_text() {
        let d = ok(b"\t\x0c\r\n\t\x0c\r\n");
        assert_eq!(d.text, "\t\x0c\n\t\x0c\n");
    }

    #[test]
    fn binary_blob_is_rejected() {
        // PNG header
        let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10";
        assert!(matches!(decode(png), Err(DecodeError::Binary { .. })));
    }

    #[test]
    fn error_display() {
        let e = DecodeError::Binary { line: 3 };
        assert_eq!(e.to_string(), "binary data at line 3: not a text file");
        let _: &dyn std::error::Error = &e;
    }

    #[test]
    fn encoding_labels() {
        assert_eq!(Encoding::Utf8.label(), "utf-8");
        assert_eq!(Encoding::Utf16.label(), "utf-16");
        assert_eq!(Encoding::Windows1252.label(), "windows-1252");
        assert_eq!(Encoding::Unknown.label(), "unknown");
        let json = serde_json::to_string(&[
            Encoding::Utf8,
            Encoding::Utf16,
            Encoding::Windows1252,
            Encoding::Legacy(encoding_rs::WINDOWS_1251),
            Encoding::Unknown,
        ]);
        assert_eq!(
            json.ok().as_deref(),
            Some(r#"["utf-8","utf-16","windows-1252","windows-1251","unknown"]"#)
        );
    }

    // --- mojibake ----------------------------------------------------------

    #[test]
    fn mojibake_punctuation() {
        for (bad, good) in [
            ("â€™", "’"),
            ("â€œ", "“"),
            ("â€\u{9d}", "”"),
            ("â€¢", "•"),
            ("â€”", "—"),
            ("â€“", "–"),
            ("â€¦", "…"),
            ("â‚¬", "€"),
        ] {
            assert_eq!(repaired(bad), (good.to_owned(), 1), "{bad}");
        }
    }

    #[test]
    fn mojibake_letters_and_emoji() {
        for (bad, good) in [
            ("Ã©", "é"),
            ("Ã¼", "ü"),
            ("ÃŸ", "ß"),
            ("Ã\u{a0}", "à"),
            ("Â£", "£"),
            ("ðŸš€", "🚀"),
            ("âœ¨", "✨"),
            ("Â\u{a0}", "\u{a0}"),
        ] {
            assert_eq!(repaired(bad), (good.to_owned(), 1), "{bad}");
        }
    }

    #[test]
    fn mojibake_in_context() {
        assert_eq!(
            repaired("They wonâ€™t â€œfixâ€\u{9d} it â€” cafÃ© ðŸš€âœ¨"),
            ("They won’t “fix” it — café 🚀✨".to_owned(), 7)
        );
    }

    #[test]
    fn latin1_mojibake_is_repaired() {
        // The same bytes read as Latin-1: continuation bytes become C1 controls.
        assert_eq!(repaired("won\u{e2}\u{80}\u{99}t"), ("won’t".to_owned(), 1));
    }

    #[test]
    fn double_encoded_mojibake() {
        assert_eq!(repaired("Ã¢â‚¬â„¢"), ("’".to_owned(), 4));
        assert_eq!(repaired("wonÃ¢â‚¬â„¢t"), ("won’t".to_owned(), 4));
        assert_eq!(repaired("cafÃƒÂ©"), ("café".to_owned(), 3));
    }

    #[test]
    fn repair_stops_after_three_passes() {
        // Encode "é" as mojibake four times; only three layers come off.
        let mut s = "é".to_owned();
        for _ in 0..4 {
            s = s.bytes().map(cp1252_char).collect::<String>();
        }
        let (text, _) = repaired(&s);
        assert_eq!(text, "Ã©");
    }

    #[test]
    fn broken_sequences_are_left_alone() {
        for s in [
            "â€",      // truncated at end
            "â€ x",    // 0x9D lost, space follows
            "â€quote", // 0x9D lost, letter follows
            "ð",       // lone lead
            "ðŸš",     // 4-byte lead missing its last byte
            "Ã",       // lone
            "Ã ",      // NBSP turned into space
        ] {
            assert_eq!(repaired(s), (s.to_owned(), 0), "{s}");
        }
    }

    #[test]
    fn invalid_utf8_forms_are_left_alone() {
        for s in [
            "à€€",       // E0 80 80: overlong
            "í €",       // ED A0 80: surrogate
            "ô\u{90}€€", // F4 90 80 80: above U+10FFFF
        ] {
            assert_eq!(repaired(s), (s.to_owned(), 0), "{s}");
        }
    }

    #[test]
    fn legitimate_text_is_untouched() {
        for s in [
            "café",
            "naïve",
            "Ã",
            "€100",
            "“quoted”",
            "Zürich",
            "£5",
            "Âb",
            "ÂA",
            "Größe, Übermaß, Äpfel, Öl — schön",
            "À l'été, où êtes-vous? Ça va, garçon. Noël, maïs, cœur.",
            "Ångström, São Paulo, Málaga, señor, Dvořák, Łódź",
            "Ελληνικά, русский, 日本語, 🚀",
            "It’s “fine” — really… • ok",
            "",
            "plain ascii",
        ] {
            assert_eq!(repaired(s), (s.to_owned(), 0), "{s}");
        }
    }

    #[test]
    fn decode_applies_repair_and_counts() {
        let d = ok("wonâ€™t\r\nâ€¢ item".as_bytes());
        assert_eq!(d.text, "won’t\n• item");
        assert_eq!(d.encoding, Encoding::Utf8);
        assert_eq!(d.repaired, 2);
    }

    #[test]
    fn mojibake_bom_is_stripped() {
        let d = ok("ï»¿# Title".as_bytes());
        assert_eq!(d.text, "# Title");
        assert_eq!(d.repaired, 1);
    }

    #[test]
    fn every_leading_bom_is_stripped() {
        // Found by tests/fuzz.rs: two BOMs turned into mojibake left one behind, and
        // front matter under it was not seen.
        let d = ok("ï»¿ï»¿\n".as_bytes());
        assert_eq!(d.text, "\n");
        let d = ok(b"\xEF\xBB\xBF\xEF\xBB\xBF\xEF\xBB\xBF+++\n");
        assert_eq!(d.text, "+++\n");
        let d = ok(&utf16("\u{FEFF}\u{FEFF}# Title", Endian::Little, true));
        assert_eq!(d.text, "# Title");
    }

    #[test]
    fn utf16_text_is_repaired_too() {
        let d = ok(&utf16("itâ€™s", Endian::Little, true));
        assert_eq!(d.text, "it’s");
        assert_eq!(d.repaired, 1);
    }

    #[test]
    fn pre_check_matches_lead_range() {
        assert!(!has_lead_char("Zürich, Köln, ø, õ, ÿ, Á"));
        assert!(has_lead_char("Â"));
        assert!(has_lead_char("ô"));
        assert!(!has_lead_char("Á õ"));
    }

    // --- robustness ---------------------------------------------------------

    #[test]
    fn every_single_byte_decodes_or_is_binary() {
        for b in 0..=u8::MAX {
            match decode(&[b]) {
                Ok(d) => assert_eq!(d.text.chars().count(), 1, "byte {b:#x}"),
                Err(DecodeError::Binary { line }) => {
                    assert_eq!(line, 1);
                    assert!(b == 0, "byte {b:#x} rejected");
                }
            }
        }
    }

    #[test]
    fn every_byte_pair_never_panics() {
        for a in 0..=u8::MAX {
            for b in 0..=u8::MAX {
                let _ = decode(&[a, b]);
                let _ = decode(&[0xEF, 0xBB, a, b]);
                let _ = decode(&[0xFF, 0xFE, a, b, a]);
            }
        }
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for round in 0..2000 {
            let len = (rng.next() % 64) as usize;
            let mut bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            if round % 3 == 0 {
                // Bias towards the mojibake-relevant range.
                for b in &mut bytes {
                    *b = 0x80 | (*b & 0x7F);
                }
            }
            if let Ok(d) = decode(&bytes) {
                assert!(!d.text.contains('\r'));
                assert!(!d.text.starts_with('\u{FEFF}'));
            }
        }
    }

    #[test]
    fn random_text_repair_never_panics() {
        // Chars drawn from the alphabet mojibake is made of.
        let alphabet: Vec<char> = (0x00u8..=0xFF)
            .map(cp1252_char)
            .chain("\u{80}\u{99}é🚀".chars())
            .collect();
        let mut rng = Rng(42);
        for _ in 0..5000 {
            let len = (rng.next() % 16) as usize;
            let mut s: String = (0..len)
                .map(|_| alphabet[(rng.next() % alphabet.len() as u64) as usize])
                .collect();
            let before = s.clone();
            let n = repair_mojibake(&mut s);
            assert_eq!(n == 0, s == before);
        }
    }

    #[test]
    fn valid_utf8_as_mojibake_round_trips() {
        // Any non-ASCII text mangled once comes back exactly.
        for original in ["won’t", "“quoted” — …", "café ü ß", "🚀✨ ok", "日本語"]
        {
            let mangled: String = original.bytes().map(cp1252_char).collect();
            assert_eq!(repaired(&mangled).0, original, "{mangled}");
        }
    }

    // --- real files ----------------------------------------------------------

    #[test]
    #[ignore = "needs ../shared beside the checkout"]
    fn seed_files_are_repaired() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds");
        assert!(dir.is_dir(), "{} is missing", dir.display());
        let mut all = String::new();
        for name in [
            "000_b1154675da51c7ef.txt",
            "003_448204fdf793bb9d.txt",
            "004_01fd200b1513d287.txt",
        ] {
            let bytes = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
            let d = ok(&bytes);
            assert!(d.repaired > 0, "{name}");
            assert!(!d.text.contains("â€"), "{name}");
            assert_eq!(
                d.text.split('\n').count(),
                bytes.split(|&b| b == b'\n').count(),
                "{name}: line count changed"
            );
            all.push_str(&d.text);
        }
        if all.is_empty() {
            return;
        }
        for needle in ["🚀", "…", "’", "—", "•", "✨"] {
            assert!(all.contains(needle), "missing {needle}");
        }
    }
}
