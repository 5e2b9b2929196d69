//! Text kept compressed while a build holds it.
//!
//! A build holds every postmortem's text and body from the moment it is read until the
//! pages are written, but uses each only to render that postmortem's page (and `check`
//! to quote a line). Kept LZ4-compressed they take about half the memory, and unpacking
//! one, a few microseconds, is nothing beside rendering the page.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A text, compressed.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Packed(Box<[u8]>);

impl Packed {
    pub fn new(text: &str) -> Packed {
        if text.is_empty() {
            return Packed::default();
        }
        Packed(lz4_flex::compress_prepend_size(text.as_bytes()).into_boxed_slice())
    }

    /// The text. (Only bytes that did not come from [`Packed::new`] could fail to
    /// unpack, and give an empty text: see the `Deserialize` impl.)
    pub fn unpack(&self) -> String {
        if self.0.is_empty() {
            return String::new();
        }
        lz4_flex::decompress_size_prepended(&self.0)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<&str> for Packed {
    fn from(text: &str) -> Packed {
        Packed::new(text)
    }
}

impl fmt::Debug for Packed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.unpack(), f)
    }
}

/// Kept as they are, compressed bytes, in binary formats; as the text in others.
impl Serialize for Packed {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&self.unpack())
        } else {
            s.serialize_bytes(&self.0)
        }
    }
}

/// Compressed bytes are taken as they come, their validity checked only when they are
/// unpacked (they come from the build's own record of readings, see
/// [`crate::readings`]).
impl<'de> Deserialize<'de> for Packed {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Packed;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a text or its compressed bytes")
            }
            fn visit_str<E>(self, v: &str) -> Result<Packed, E> {
                Ok(Packed::new(v))
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<Packed, E> {
                Ok(Packed(v.into()))
            }
            fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Packed, E> {
                Ok(Packed(v.into_boxed_slice()))
            }
        }
        if d.is_human_readable() {
            d.deserialize_str(Visit)
        } else {
            d.deserialize_bytes(Visit)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_comes_back_as_it_was() {
        for text in [
            "",
            "a",
            "# Outage\n\nFrom 10:00 to 11:00 UTC …\n",
            &"word ".repeat(999),
        ] {
            let packed = Packed::new(text);
            assert_eq!(packed.unpack(), text);
            assert_eq!(packed.is_empty(), text.is_empty());
            let bytes = rmp_serde::to_vec(&packed).unwrap();
            assert_eq!(rmp_serde::from_slice::<Packed>(&bytes).unwrap(), packed);
            let json = serde_json::to_string(&packed).unwrap();
            assert_eq!(json, serde_json::to_string(text).unwrap());
        }
        assert!(Packed::new(&"word ".repeat(999)).0.len() < 100);
    }
}
