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
//! MessagePack by position (see [`left_out`]), LZ4-compressed. Frames are encoded and decoded in parallel, a batch at a
//! time. A build that read only a few files appends their frames (a later frame for a
//! file replaces an earlier one); once more than half the frames would be stale, the
//! record is written afresh, atomically. An append cut short by a crash leaves a torn
//! last frame, which the next build ignores before it writes the record afresh.

use crate::analyze::FileResult;
use crate::output::READINGS;
use rayon::prelude::*;
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

/// A file's size and modification time in nanoseconds.
pub type Stamp = (u64, u64);

/// The record's first bytes; a new layout of it takes a new one.
const MAGIC: &[u8; 8] = b"HSREAD03";

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
    /// How many frames the record holds when new ones may be appended to it: none when
    /// there is no sound record of this salt.
    frames: Option<usize>,
}

/// The readings the last build of the output folder `dir` kept under `salt`.
pub fn previous(dir: &Path, salt: u64) -> Kept {
    let Ok(bytes) = std::fs::read(dir.join(READINGS)) else {
        return Kept::default();
    };
    let Some(mut rest) = bytes
        .strip_prefix(MAGIC)
        .and_then(|b| b.strip_prefix(&salt.to_le_bytes()))
    else {
        return Kept::default();
    };
    // The frames in order, the last of each file's winning.
    let mut latest: HashMap<&str, (Stamp, &[u8])> = HashMap::new();
    let mut frames = 0;
    let mut sound = true;
    while !rest.is_empty() {
        let Some((frame, tail)) = split_frame(rest) else {
            sound = false;
            break;
        };
        rest = tail;
        frames += 1;
        if let Some((rel, stamp, payload)) = parse_frame(frame) {
            latest.insert(rel, (stamp, payload));
        } else {
            sound = false;
        }
    }
    let readings = latest
        .into_par_iter()
        .filter_map(|(rel, (stamp, payload))| {
            let bytes = lz4_flex::decompress_size_prepended(payload).ok()?;
            let reading: FileResult = rmp_serde::from_slice(&bytes).ok()?;
            (reading.path == rel).then(|| (reading.path.clone(), (stamp, reading)))
        })
        .collect();
    Kept {
        readings,
        frames: sound.then_some(frames),
    }
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

fn write_frames(out: &mut impl Write, readings: &[(Stamp, &FileResult)]) -> std::io::Result<()> {
    for batch in readings.chunks(BATCH) {
        let frames: Vec<Vec<u8>> = batch.par_iter().filter_map(frame).collect();
        for f in frames {
            out.write_all(&f)?;
        }
    }
    Ok(())
}

/// Keeps the readings of `all` (each with the stamp of the file it was read from) in
/// the output folder `dir` for the next build, under `salt`, given what the last build
/// kept there: only those that `is_new` says were read again are added when the record
/// can take them. A reading that cannot be encoded is left out (that file is read again
/// next time).
pub fn record(
    dir: &Path,
    salt: u64,
    kept: &Kept,
    all: &[(Stamp, &FileResult)],
    is_new: impl Fn(&FileResult) -> bool + Sync,
) -> crate::error::Result<()> {
    let path = dir.join(READINGS);
    let new: Vec<(Stamp, &FileResult)> = all.iter().filter(|(_, r)| is_new(r)).copied().collect();
    match kept.frames {
        Some(_) if new.is_empty() => Ok(()),
        Some(frames) if frames + new.len() <= 2 * all.len() => (|| {
            let mut out =
                std::io::BufWriter::new(std::fs::OpenOptions::new().append(true).open(&path)?);
            write_frames(&mut out, &new)?;
            out.flush()
        })(),
        _ => crate::output::write_atomic_with(dir, READINGS, |out| {
            out.write_all(MAGIC)?;
            out.write_all(&salt.to_le_bytes())?;
            write_frames(out, all)
        }),
    }
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
        assert_eq!(back.frames, Some(1));
        // Under another salt nothing is trusted.
        assert!(previous(&dir, 8).readings.is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn readings_read_again_are_appended_and_the_last_one_wins() {
        let dir = folder("append");
        let (a, b) = two_kept(&dir);
        let size = std::fs::metadata(dir.join(READINGS)).unwrap().len();
        let edited = read("a.md", &TEXT.replace("40%", "60%"));
        let kept = previous(&dir, 7);
        record(&dir, 7, &kept, &[((3, 3), &edited), ((2, 2), &b)], |r| {
            r.path == "a.md"
        })
        .unwrap();
        let grown = std::fs::metadata(dir.join(READINGS)).unwrap().len();
        assert!(grown > size && grown < 2 * size, "{size} -> {grown}");
        let back = previous(&dir, 7);
        assert_eq!(back.frames, Some(3));
        assert_eq!(back.readings["a.md"].0, (3, 3));
        assert_eq!(
            format!("{:?}", back.readings["a.md"].1),
            format!("{edited:?}")
        );
        // Once most frames would be stale, the record starts again with what is live.
        record(&dir, 7, &back, &[((4, 4), &a)], |_| true).unwrap();
        let back = previous(&dir, 7);
        assert_eq!((back.frames, back.readings.len()), (Some(1), 1));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_torn_record_gives_what_precedes_the_tear_and_is_then_written_afresh() {
        let dir = folder("torn");
        let (a, b) = two_kept(&dir);
        let mut torn = std::fs::read(dir.join(READINGS)).unwrap();
        torn.truncate(torn.len() - 1);
        std::fs::write(dir.join(READINGS), torn).unwrap();
        let kept = previous(&dir, 7);
        assert_eq!(kept.readings.len(), 1);
        assert_eq!(kept.frames, None);
        record(&dir, 7, &kept, &[((1, 1), &a), ((2, 2), &b)], |r| {
            r.path == "b.md"
        })
        .unwrap();
        let back = previous(&dir, 7);
        assert_eq!((back.frames, back.readings.len()), (Some(2), 2));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
