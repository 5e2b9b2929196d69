//! What the last build read, kept for the next one.
//!
//! Reading the postmortems is most of a build's work, and from one build to the next
//! most files have not changed. So after a build the output folder keeps each file's
//! reading (its [`FileResult`]) beside the file's size and modification time, under a
//! salt that stands for this program, the site's folder and its settings. The next
//! build takes a reading from there instead of reading the file again when the file's
//! size and time, the salt, and the presence of every file its links lead to are as
//! they were (see [`FileResult::still_holds`]).
//!
//! Only a cache: a missing, foreign, stale or damaged record is ignored and the files
//! are read. It holds only published postmortems (not drafts left out, not files that
//! are not postmortems).
//!
//! The record is this program's own layout: a header (`MAGIC`, the salt), then one
//! frame per reading: its length, the file's path and stamp, and the reading in
//! MessagePack by position (see [`left_out`]), LZ4-compressed. It is always written
//! whole and atomically, and holds each file's current reading only: the reading of a
//! file since edited or deleted (words a writer took out) is never left in it. The
//! frames of files that did not change are copied from the last record as they are;
//! only new readings are encoded, in parallel, a batch at a time.

use crate::analyze::FileResult;
use crate::output::READINGS;
use rayon::prelude::*;
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

/// A file's size and modification time in nanoseconds.
pub type Stamp = (u64, u64);

/// The record's first bytes; a new layout of it takes a new one.
const MAGIC: &[u8; 8] = b"HSREAD04";

thread_local! {
    /// Set while this thread encodes a reading for the record.
    static POSITIONAL: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether a field that reports leave out when it is empty is left out here: never
/// in a reading kept for the next build, which is written by position, each field in
/// its place (neither names nor gaps), and so decoded without matching field names.
pub fn left_out<T>(value: &Option<T>) -> bool {
    value.is_none() && !POSITIONAL.get()
}

/// A reading by position (see [`left_out`]).
fn positional(reading: &FileResult) -> Option<Vec<u8>> {
    POSITIONAL.set(true);
    let bytes = rmp_serde::to_vec(reading);
    POSITIONAL.set(false);
    bytes.ok()
}

/// Readings encoded at once before they are written.
const BATCH: usize = 512;

/// What the last build kept.
#[derive(Default)]
pub struct Kept {
    /// The readings, by file.
    pub readings: HashMap<String, (Stamp, FileResult)>,
    /// Where each file's frame is in the record, and the record's size: frames are
    /// copied from there into the next one. Empty unless the record is sound (every
    /// frame whole, one per file).
    frames: HashMap<String, std::ops::Range<usize>>,
    size: usize,
}

/// The readings the last build of the output folder `dir` kept under `salt`.
pub fn previous(dir: &Path, salt: u64) -> Kept {
    let Ok(bytes) = std::fs::read(dir.join(READINGS)) else {
        return Kept::default();
    };
    let header = MAGIC.len() + 8;
    let Some(mut rest) = bytes
        .strip_prefix(MAGIC)
        .and_then(|b| b.strip_prefix(&salt.to_le_bytes()))
    else {
        return Kept::default();
    };
    // Each file's frame and where it is.
    let mut found: HashMap<&str, (Stamp, &[u8], std::ops::Range<usize>)> = HashMap::new();
    let mut at = header;
    let mut sound = true;
    while !rest.is_empty() {
        let Some((frame, tail)) = split_frame(rest) else {
            sound = false;
            break;
        };
        let range = at..at + 4 + frame.len();
        at = range.end;
        rest = tail;
        match parse_frame(frame) {
            Some((rel, stamp, payload)) => {
                sound &= found.insert(rel, (stamp, payload, range)).is_none();
            }
            None => sound = false,
        }
    }
    let decoded: Vec<(String, (Stamp, FileResult), std::ops::Range<usize>)> = found
        .into_par_iter()
        .filter_map(|(rel, (stamp, payload, range))| {
            let bytes = lz4_flex::decompress_size_prepended(payload).ok()?;
            let reading: FileResult = rmp_serde::from_slice(&bytes).ok()?;
            (reading.path == rel).then(|| (reading.path.clone(), (stamp, reading), range))
        })
        .collect();
    let mut kept = Kept::default();
    for (rel, reading, range) in decoded {
        if sound {
            kept.frames.insert(rel.clone(), range);
        }
        kept.readings.insert(rel, reading);
    }
    kept.size = if sound { bytes.len() } else { 0 };
    kept
}

fn split_frame(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let (len, tail) = bytes.split_first_chunk::<4>()?;
    let len = u32::from_le_bytes(*len) as usize;
    (len <= tail.len()).then(|| tail.split_at(len))
}

fn parse_frame(frame: &[u8]) -> Option<(&str, Stamp, &[u8])> {
    let (rel_len, rest) = frame.split_first_chunk::<2>()?;
    let rel_len = u16::from_le_bytes(*rel_len) as usize;
    let rel = std::str::from_utf8(rest.get(..rel_len)?).ok()?;
    let rest = &rest[rel_len..];
    let (len, rest) = rest.split_first_chunk::<8>()?;
    let (time, payload) = rest.split_first_chunk::<8>()?;
    Some((
        rel,
        (u64::from_le_bytes(*len), u64::from_le_bytes(*time)),
        payload,
    ))
}

fn frame((stamp, reading): &(Stamp, &FileResult)) -> Option<Vec<u8>> {
    let rel = reading.path.as_bytes();
    let payload = lz4_flex::compress_prepend_size(&positional(reading)?);
    let len = 2 + rel.len() + 16 + payload.len();
    let mut out = Vec::with_capacity(4 + len);
    out.extend_from_slice(&u32::try_from(len).ok()?.to_le_bytes());
    out.extend_from_slice(&u16::try_from(rel.len()).ok()?.to_le_bytes());
    out.extend_from_slice(rel);
    out.extend_from_slice(&stamp.0.to_le_bytes());
    out.extend_from_slice(&stamp.1.to_le_bytes());
    out.extend_from_slice(&payload);
    Some(out)
}

/// Keeps the readings of `all` (each with the stamp of the file it was read from) in
/// the output folder `dir` for the next build, under `salt`, given what the last build
/// kept there: the frames of those that `is_new` does not say were read again are
/// copied from the last record. Nothing is written when the record already holds
/// exactly `all`. A reading that cannot be encoded is left out (that file is read
/// again next time).
pub fn record(
    dir: &Path,
    salt: u64,
    kept: &Kept,
    all: &[(Stamp, &FileResult)],
    is_new: impl Fn(&FileResult) -> bool + Sync,
) -> crate::error::Result<()> {
    let path = dir.join(READINGS);
    let carried = |r: &FileResult| (!is_new(r)).then(|| kept.frames.get(&r.path)).flatten();
    if kept.frames.len() == all.len() && all.iter().all(|(_, r)| carried(r).is_some()) {
        return Ok(());
    }
    // The last record, to copy from, if it is still the one read.
    let old = std::fs::read(&path)
        .ok()
        .filter(|b| kept.size > 0 && b.len() == kept.size);
    crate::output::write_atomic_with(dir, READINGS, |out| {
        out.write_all(MAGIC)?;
        out.write_all(&salt.to_le_bytes())?;
        for batch in all.chunks(BATCH) {
            let frames: Vec<Option<std::borrow::Cow<[u8]>>> = batch
                .par_iter()
                .map(|kept_reading| {
                    let (_, r) = kept_reading;
                    match (carried(r), &old) {
                        (Some(range), Some(old)) => old.get(range.clone()).map(Into::into),
                        _ => frame(kept_reading).map(Into::into),
                    }
                })
                .collect();
            for f in frames.into_iter().flatten() {
                out.write_all(&f)?;
            }
        }
        Ok(())
    })
    .map_err(|e| crate::error::Error::io(&path, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::Analyzer;
    use crate::config::Config;

    fn folder(name: &str) -> std::path::PathBuf {
        let d =
            std::env::temp_dir().join(format!("hindsight-readings-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    const TEXT: &str = "# Checkout down\n\n## Summary\nFrom 10:00:30 to 11:15 UTC on 2024-03-02 \
the checkout API failed for 40% of users. The root cause was a full disk.\n\n## Timeline\n\
- 10:02 - an alert fired\n- 10:05 - engineers checked the logs\n- 11:15 - logs rotated, service back\n\n\
## Root cause and resolution\nDebug logs filled the disk; we rotated them.\n\n\
## Corrective and preventative measures\n- Add an alert on disk above 90%\n";

    fn read(rel: &str, text: &str) -> FileResult {
        Analyzer::new(&Config::default()).analyze_bytes(rel, None, text.as_bytes())
    }

    /// Keeps the readings of two files, `a.md` and `b.md`, in `dir`.
    fn two_kept(dir: &Path) -> (FileResult, FileResult) {
        let (a, b) = (read("a.md", TEXT), read("b.md", TEXT));
        record(
            dir,
            7,
            &Kept::default(),
            &[((1, 1), &a), ((2, 2), &b)],
            |_| true,
        )
        .unwrap();
        (a, b)
    }

    #[test]
    fn a_reading_comes_back_as_it_was_kept() {
        let dir = folder("round-trip");
        let reading = read("a/b.md", TEXT);
        assert!(!reading.entries.is_empty());
        record(&dir, 7, &Kept::default(), &[((10, 20), &reading)], |_| true).unwrap();
        let back = previous(&dir, 7);
        let (stamp, again) = &back.readings["a/b.md"];
        assert_eq!(*stamp, (10, 20));
        assert_eq!(format!("{again:?}"), format!("{reading:?}"));
        assert_eq!(back.frames.len(), 1);
        // Under another salt nothing is trusted.
        assert!(previous(&dir, 8).readings.is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn only_the_current_reading_of_each_file_is_kept() {
        let dir = folder("current");
        let (a, b) = two_kept(&dir);
        let size = std::fs::metadata(dir.join(READINGS)).unwrap().len();
        // Nothing new: nothing written.
        let kept = previous(&dir, 7);
        let before = std::fs::metadata(dir.join(READINGS))
            .unwrap()
            .modified()
            .unwrap();
        record(&dir, 7, &kept, &[((1, 1), &a), ((2, 2), &b)], |_| false).unwrap();
        let after = std::fs::metadata(dir.join(READINGS))
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(before, after);
        // a.md edited: its new reading replaces the old one, b.md's frame is copied.
        let edited = read("a.md", &TEXT.replace("40%", "60%"));
        record(&dir, 7, &kept, &[((3, 3), &edited), ((2, 2), &b)], |r| {
            r.path == "a.md"
        })
        .unwrap();
        let grown = std::fs::metadata(dir.join(READINGS)).unwrap().len();
        assert!(grown.abs_diff(size) < size / 10, "{size} -> {grown}");
        let back = previous(&dir, 7);
        assert_eq!(back.frames.len(), 2);
        assert_eq!(back.readings["a.md"].0, (3, 3));
        assert_eq!(
            format!("{:?}", back.readings["a.md"].1),
            format!("{edited:?}")
        );
        assert_eq!(format!("{:?}", back.readings["b.md"].1), format!("{b:?}"));
        // b.md deleted (or become a draft): its reading goes.
        record(&dir, 7, &back, &[((3, 3), &edited)], |_| false).unwrap();
        let back = previous(&dir, 7);
        assert_eq!((back.frames.len(), back.readings.len()), (1, 1));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_damaged_record_gives_what_precedes_the_damage_and_is_then_written_afresh() {
        let dir = folder("torn");
        let (a, b) = two_kept(&dir);
        let mut torn = std::fs::read(dir.join(READINGS)).unwrap();
        torn.truncate(torn.len() - 1);
        std::fs::write(dir.join(READINGS), torn).unwrap();
        let kept = previous(&dir, 7);
        assert_eq!(kept.readings.len(), 1);
        assert!(kept.frames.is_empty(), "not sound: nothing copied from it");
        record(&dir, 7, &kept, &[((1, 1), &a), ((2, 2), &b)], |r| {
            r.path == "b.md"
        })
        .unwrap();
        let back = previous(&dir, 7);
        assert_eq!((back.frames.len(), back.readings.len()), (2, 2));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
