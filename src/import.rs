//! `hindsight import`: a folder of students' clones (or plain folders) → one content
//! file per student, with front matter that says whose it is and where it came from.
//!
//! [`plan`] reads everything and decides what to write without writing anything;
//! [`apply`] writes what the plan says and returns its [`Summary`]. The student's text is
//! copied byte for byte below the added front matter (the decoder reads its encoding
//! at build time). Repositories are read with `gix`, isolated from the machine's git
//! settings and never through `git` itself, so no hook, filter or helper of a clone
//! ever runs; the submission is read from the clone's working tree, refusing a
//! symbolic link that leads out of the clone.
//!
//! Re-running is safe: what each import wrote is recorded (the git blob id of the file
//! as written) in [`STATE_FILE`] inside the collection folder, a hidden file the build
//! neither reads nor publishes. A file whose bytes differ from that record was edited by
//! hand and is left alone; a file the record does not know is never overwritten.

use crate::error::{Error, Result};
use crate::slug::slugify;
use crate::source::decode;
use chrono::NaiveDate;
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};
use std::sync::LazyLock;

/// What each import wrote, kept in the collection folder.
pub const STATE_FILE: &str = ".hindsight-import.json";

/// A file with this few words besides its links is only a pointer to the postmortem.
const LINK_ONLY_WORDS: usize = 40;

/// What to import, and where.
#[derive(Clone, Debug)]
pub struct Options {
    /// The folder of clones, one folder per student.
    pub src: PathBuf,
    /// The collection folder the content files go into.
    pub into: PathBuf,
    /// The submission's path inside each clone (`0x19-postmortem/README.md`).
    pub path: String,
    /// The date written as `imported` for new or changed submissions.
    pub today: NaiveDate,
}

/// What became of one student's submission.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// A new content file.
    Added,
    /// The submission changed since the last import; its file was rewritten.
    Updated,
    /// Nothing changed; the file was left byte for byte as it was.
    Unchanged,
    /// The content file was edited by hand since the last import: left alone.
    KeptEdited,
    /// The content file was deleted by hand since the last import: not written again.
    KeptDeleted,
    /// A content file of that name exists that no import wrote: left alone.
    KeptForeign,
    /// Nothing to write (no submission, an empty file, a clone that cannot be read).
    NotWritten,
}

/// What the student's submission turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Text to publish (whether it passes the checks is the build's business).
    Text,
    /// Only a link (to a blog post, or to a file that is not there); imported as it is,
    /// and the build reports it as no postmortem.
    LinkOnly,
    /// The file is there but empty (or blank).
    Empty,
    /// No file at the path (or no folder for it).
    Missing,
    /// The clone or the file could not be read.
    Unreadable,
}

/// One student's line in the summary.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// The name the file is made from: the repository's owner, else the folder's name.
    pub student: String,
    /// The student's folder under the source folder.
    pub folder: String,
    /// The content file, inside the collection folder.
    pub file: Option<String>,
    pub kind: Kind,
    pub action: Action,
    /// The path inside the clone that was imported, when one was.
    pub took: Option<String>,
    /// The address the submission links to, for a link-only one (http(s) only).
    pub link: Option<String>,
    /// The commit the text was taken at.
    pub commit: Option<String>,
    /// What the summary should say besides (a sibling file taken, a name shared...).
    pub notes: Vec<String>,
}

/// Everything an import did (or, before [`apply`], will do).
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub into: PathBuf,
    pub students: Vec<Report>,
    /// Entries of the source folder that are not students' folders (files).
    pub ignored: Vec<String>,
}

impl Summary {
    pub fn count(&self, action: Action) -> usize {
        self.students.iter().filter(|r| r.action == action).count()
    }

    pub fn count_kind(&self, kind: Kind) -> usize {
        self.students.iter().filter(|r| r.kind == kind).count()
    }
}

/// What [`apply`] will write.
#[derive(Debug)]
pub struct Plan {
    pub summary: Summary,
    writes: Vec<(String, Vec<u8>)>,
    state: State,
    state_changed: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct State {
    version: u32,
    /// Content file name → what was written there.
    files: BTreeMap<String, Record>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Record {
    /// The student's folder under the source folder.
    folder: String,
    /// The git blob id of the content file as the import wrote it.
    written: String,
    /// The git blob id of the student's bytes, as they were taken.
    original: String,
    commit: Option<String>,
    imported: NaiveDate,
}

/// Imports: [`plan`] then [`apply`].
pub fn import(options: &Options) -> Result<Summary> {
    apply(plan(options)?)
}

/// Reads the source folder, the collection folder and its record, and decides what
/// to write. Writes nothing.
pub fn plan(options: &Options) -> Result<Plan> {
    let rel = submission_path(&options.path)?;
    let state = read_state(&options.into)?;
    let mut entries = Vec::new();
    let mut ignored = Vec::new();
    let read_dir = std::fs::read_dir(&options.src).map_err(|e| Error::io(&options.src, e))?;
    for entry in read_dir {
        let entry = entry.map_err(|e| Error::io(&options.src, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        if !path.is_dir() {
            ignored.push(name);
            continue;
        }
        // The collection folder may sit inside the source folder; it is no student.
        if same_file(&path, &options.into) {
            continue;
        }
        entries.push((name, path));
    }
    entries.sort();
    ignored.sort();

    let clones: Vec<Clone> = entries
        .into_iter()
        .map(|(folder, dir)| read_clone(folder, dir, &rel))
        .collect();
    let names = assign_names(&clones, &state);

    let mut plan = Plan {
        summary: Summary {
            into: options.into.clone(),
            students: Vec::new(),
            ignored,
        },
        writes: Vec::new(),
        state: state.clone(),
        state_changed: false,
    };
    for (clone, (file, name_note)) in clones.into_iter().zip(names) {
        let mut report = Report {
            student: clone.student.clone(),
            folder: clone.folder.clone(),
            file: Some(file.clone()),
            kind: clone.kind,
            action: Action::NotWritten,
            took: clone.took.clone(),
            link: clone.link.clone(),
            commit: clone.commit.clone(),
            notes: clone.notes.clone(),
        };
        report.notes.extend(name_note);
        let target = options.into.join(&file);
        let existing = match std::fs::read(&target) {
            Ok(bytes) => Some(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::io(&target, e)),
        };
        let record = state.files.get(&file).filter(|r| r.folder == clone.folder);
        let Some(original) = clone.bytes.as_deref() else {
            if existing.is_some() {
                report
                    .notes
                    .push(format!("{file} from an earlier import is kept as it is"));
            } else {
                report.file = None;
            }
            plan.summary.students.push(report);
            continue;
        };
        let original_id = blob_id(original);
        let imported = record
            .filter(|r| r.original == original_id && r.commit == clone.commit)
            .map_or(options.today, |r| r.imported);
        let bytes = with_front_matter(original, &clone.front_matter(imported));
        let written_id = blob_id(&bytes);
        report.action = match (&existing, record) {
            (Some(now), _) if *now == bytes => Action::Unchanged,
            (Some(now), Some(r)) if blob_id(now) == r.written => Action::Updated,
            (Some(_), Some(_)) => {
                report.notes.push(format!(
                    "{file} was edited by hand since the last import: left as it is \
                     (delete it to import the submission again)"
                ));
                Action::KeptEdited
            }
            (Some(_), None) => {
                report.notes.push(format!(
                    "{file} exists and was not written by an import: left as it is"
                ));
                Action::KeptForeign
            }
            (None, Some(_)) => {
                report.notes.push(format!(
                    "{file} was deleted since the last import: not written again \
                     (remove its entry from {STATE_FILE} to import it afresh)"
                ));
                Action::KeptDeleted
            }
            (None, None) => Action::Added,
        };
        if matches!(
            report.action,
            Action::Added | Action::Updated | Action::Unchanged
        ) {
            let new_record = Record {
                folder: clone.folder.clone(),
                written: written_id,
                original: original_id,
                commit: clone.commit.clone(),
                imported,
            };
            if plan.state.files.get(&file) != Some(&new_record) {
                plan.state.files.insert(file.clone(), new_record);
                plan.state_changed = true;
            }
            if report.action != Action::Unchanged {
                plan.writes.push((file, bytes));
            }
        }
        plan.summary.students.push(report);
    }
    Ok(plan)
}

/// Writes what the plan says: each file atomically (written aside, then renamed into
/// place), then the record.
pub fn apply(plan: Plan) -> Result<Summary> {
    let into = &plan.summary.into;
    if !plan.writes.is_empty() || plan.state_changed {
        crate::error::fs::create_dir_all(into)?;
    }
    for (file, bytes) in &plan.writes {
        write_atomically(&into.join(file), bytes)?;
    }
    if plan.state_changed {
        let mut state = plan.state;
        state.version = 1;
        let mut json = serde_json::to_string_pretty(&state).expect("the record serializes");
        json.push('\n');
        write_atomically(&into.join(STATE_FILE), json.as_bytes())?;
    }
    Ok(plan.summary)
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.hindsight-tmp"));
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::io(path, e)
        })
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// The submission path as components, refusing one that could leave the clone.
fn submission_path(path: &str) -> Result<Vec<String>> {
    let p = Path::new(path.trim());
    let mut parts = Vec::new();
    for c in p.components() {
        match c {
            Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            Component::CurDir => {}
            _ => {
                return Err(Error::Usage(format!(
                    "the submission path `{path}` must be relative to each clone, without `..`"
                )));
            }
        }
    }
    if parts.is_empty() {
        return Err(Error::Usage("the submission path is empty".into()));
    }
    Ok(parts)
}

fn read_state(into: &Path) -> Result<State> {
    let path = into.join(STATE_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(State::default()),
        Err(e) => return Err(Error::io(&path, e)),
    };
    serde_json::from_str(&text).map_err(|e| Error::Config {
        path: path.clone(),
        line: Some(e.line()),
        column: Some(e.column()),
        message: format!(
            "the record of the last import cannot be read ({e}); without it hand edits \
             cannot be told from imports, so nothing was imported"
        ),
    })
}

/// The git blob id of some bytes (what `git hash-object` prints): a stable name for
/// them, from the hash git itself uses.
fn blob_id(bytes: &[u8]) -> String {
    gix::objs::compute_hash(gix::hash::Kind::Sha1, gix::objs::Kind::Blob, bytes)
        .map(|id| id.to_string())
        .unwrap_or_default()
}

/// One student's folder, read.
struct Clone {
    folder: String,
    student: String,
    commit: Option<String>,
    remote: Option<Remote>,
    kind: Kind,
    /// The bytes to import, when there are some.
    bytes: Option<Vec<u8>>,
    took: Option<String>,
    link: Option<String>,
    notes: Vec<String>,
}

impl Clone {
    fn front_matter(&self, imported: NaiveDate) -> String {
        let mut fm = String::from("+++\n");
        fm.push_str(&format!("author = {}\n", toml_string(&self.student)));
        let took = self.took.as_deref().unwrap_or_default();
        if let Some(remote) = &self.remote {
            if let Some(commit) = &self.commit {
                fm.push_str(&format!(
                    "source = {}\n",
                    toml_string(&remote.file_url(commit, took))
                ));
            }
            fm.push_str(&format!("repository = {}\n", toml_string(&remote.web)));
        }
        if let Some(commit) = &self.commit {
            fm.push_str(&format!("commit = {}\n", toml_string(commit)));
        }
        fm.push_str(&format!("imported = {imported}\n"));
        fm.push_str(&format!("original = {}\n", toml_string(took)));
        fm.push_str("+++\n");
        fm
    }
}

fn read_clone(folder: String, dir: PathBuf, rel: &[String]) -> Clone {
    let mut clone = Clone {
        student: folder.clone(),
        folder,
        commit: None,
        remote: None,
        kind: Kind::Missing,
        bytes: None,
        took: None,
        link: None,
        notes: Vec::new(),
    };
    if dir.join(".git").exists() {
        match read_git(&dir) {
            Ok((commit, remote)) => {
                clone.commit = commit;
                if let Some(remote) = &remote {
                    clone.student = remote.owner.clone();
                }
                clone.remote = remote;
                if clone.commit.is_none() {
                    clone.notes.push("the repository has no commit yet".into());
                }
            }
            Err(e) => clone.notes.push(format!(
                "its git repository could not be opened ({e}): imported as a plain folder, \
                 without commit or source"
            )),
        }
    }
    let Ok(root) = dir.canonicalize() else {
        clone.kind = Kind::Unreadable;
        clone.notes.push("the folder cannot be read".into());
        return clone;
    };
    let Some(file) = find_path(&root, rel) else {
        clone.kind = Kind::Missing;
        clone.notes.push(format!("no {}", rel.join("/")));
        return clone;
    };
    let (bytes, took) = match read_inside(&root, &file) {
        Ok(read) => read,
        Err(message) => {
            clone.kind = Kind::Unreadable;
            clone.notes.push(message);
            return clone;
        }
    };
    let shape = shape(&bytes);
    match shape {
        Shape::Empty => {
            clone.kind = Kind::Empty;
            clone.notes.push(format!("{took} is empty"));
            clone.took = Some(took);
        }
        Shape::Text => {
            clone.kind = Kind::Text;
            clone.bytes = Some(bytes);
            clone.took = Some(took);
        }
        Shape::Links(targets) => {
            let dir = file.parent().unwrap_or(&root).to_owned();
            let sibling = targets
                .iter()
                .find_map(|t| sibling_named(&dir, &file, t))
                .map(|s| (s, true))
                .or_else(|| best_sibling(&dir, &file).map(|s| (s, false)));
            let link = targets.iter().find(|t| is_web(t)).cloned();
            let read = sibling.and_then(|(s, named)| Some((read_inside(&root, &s).ok()?, named)));
            match read {
                Some(((sib_bytes, sib_took), named)) if shape_is_text(&sib_bytes) => {
                    clone.notes.push(if named {
                        format!("{took} points to {sib_took}: imported {sib_took}")
                    } else {
                        format!(
                            "{took} only links to {}: imported {sib_took}, beside it",
                            link.as_deref().unwrap_or("another page")
                        )
                    });
                    clone.kind = Kind::Text;
                    clone.bytes = Some(sib_bytes);
                    clone.took = Some(sib_took);
                }
                other => {
                    clone.kind = Kind::LinkOnly;
                    clone.notes.push(match (&link, other) {
                        (Some(l), _) => format!("{took} only links to {l}"),
                        (None, Some(((_, sib_took), true))) => format!(
                            "{took} only points to {sib_took}, which holds only a link or nothing"
                        ),
                        (None, _) => format!(
                            "{took} only points to {}, which is not there",
                            targets.first().map_or("another file", String::as_str)
                        ),
                    });
                    clone.link = link;
                    clone.bytes = Some(bytes);
                    clone.took = Some(took);
                }
            }
        }
    }
    clone
}

fn shape_is_text(bytes: &[u8]) -> bool {
    matches!(shape(bytes), Shape::Text)
}

/// The clone's HEAD commit and its remote, read with gix, isolated: none of the
/// machine's or the user's git settings, no `git` program, no hook.
fn read_git(dir: &Path) -> std::result::Result<(Option<String>, Option<Remote>), String> {
    let options = gix::open::Options::isolated().strict_config(false);
    let repo = gix::open_opts(dir, options).map_err(|e| e.to_string())?;
    let commit = repo.head_id().ok().map(|id| id.detach().to_string());
    let config = repo.config_snapshot();
    let url = config.string("remote.origin.url").or_else(|| {
        repo.remote_names()
            .iter()
            .find_map(|name| config.string(format!("remote.{name}.url").as_str()))
    });
    let remote = url.and_then(|u| Remote::parse(&u.to_string()));
    Ok((commit, remote))
}

/// A clone's remote, as an address for people: never with credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Remote {
    /// `https://github.com/owner/repo`
    pub web: String,
    pub host: String,
    pub owner: String,
}

impl Remote {
    /// From a remote URL as git keeps it: `https://[user[:token]@]host/owner/repo(.git)`,
    /// `git@host:owner/repo.git`, `ssh://git@host[:port]/owner/repo`, `git://host/...`.
    /// `None` for a local path or anything without a host and an owner.
    pub fn parse(url: &str) -> Option<Remote> {
        let parsed = gix::url::parse(url.trim().as_bytes()).ok()?;
        let scheme = match parsed.scheme {
            gix::url::Scheme::Http => "http",
            gix::url::Scheme::Https | gix::url::Scheme::Ssh | gix::url::Scheme::Git => "https",
            _ => return None,
        };
        let host = parsed.host()?.to_ascii_lowercase();
        if host.is_empty()
            || !host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        {
            return None;
        }
        // The port of an https remote is the web server's; an ssh port is not.
        let port = match (parsed.scheme, parsed.port) {
            (gix::url::Scheme::Http | gix::url::Scheme::Https, Some(p)) => format!(":{p}"),
            _ => String::new(),
        };
        let path = parsed.path.to_string();
        let path = path.trim_matches('/');
        let path = path.strip_suffix(".git").unwrap_or(path);
        let segments: Vec<&str> = path.split('/').collect();
        if segments.len() < 2 || segments.iter().any(|s| s.is_empty() || s.starts_with('.')) {
            return None;
        }
        let mut web = url::Url::parse(&format!("{scheme}://{host}{port}/")).ok()?;
        web.path_segments_mut().ok()?.extend(&segments);
        Some(Remote {
            web: web.to_string(),
            host,
            owner: segments[0].to_owned(),
        })
    }

    /// The address of `path` at `commit`, the way the host shows a file.
    pub fn file_url(&self, commit: &str, path: &str) -> String {
        let mut url = match url::Url::parse(&self.web) {
            Ok(u) => u,
            Err(_) => return self.web.clone(),
        };
        let style: &[&str] = if self.host == "bitbucket.org" {
            &["src", commit]
        } else if self.host == "codeberg.org" || self.host.starts_with("gitea.") {
            &["src", "commit", commit]
        } else {
            &["blob", commit]
        };
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.extend(style).extend(path.split('/'));
        }
        url.to_string()
    }
}

/// A TOML basic string of ASCII only (others as `\u` escapes), so the front matter
/// reads the same in whatever ASCII-compatible encoding the text below it is in.
fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push_str(&format!("\\U{:08X}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// The front matter before the student's bytes, in the file's own encoding: after a
/// byte-order mark, and as UTF-16 in a UTF-16 file, so the file still decodes as one.
fn with_front_matter(original: &[u8], front: &str) -> Vec<u8> {
    let utf16 = |big: bool| -> Vec<u8> {
        front
            .encode_utf16()
            .flat_map(|u| {
                if big {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                }
            })
            .collect()
    };
    let (head, rest): (Vec<u8>, &[u8]) = if let Some(rest) = original.strip_prefix(b"\xEF\xBB\xBF")
    {
        (
            [b"\xEF\xBB\xBF".as_slice(), front.as_bytes()].concat(),
            rest,
        )
    } else if let Some(rest) = original.strip_prefix(b"\xFF\xFE") {
        ([b"\xFF\xFE".to_vec(), utf16(false)].concat(), rest)
    } else if let Some(rest) = original.strip_prefix(b"\xFE\xFF") {
        ([b"\xFE\xFF".to_vec(), utf16(true)].concat(), rest)
    } else if decode::decode(original).is_ok_and(|d| d.encoding == decode::Encoding::Utf16) {
        // UTF-16 without a mark: ASCII text has its zero bytes first when big-endian.
        let zeros_first = original.iter().step_by(2).filter(|&&b| b == 0).count();
        let zeros_second = original
            .iter()
            .skip(1)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count();
        (utf16(zeros_first > zeros_second), original)
    } else {
        (front.as_bytes().to_vec(), original)
    };
    [head.as_slice(), rest].concat()
}

/// The file at `rel` under `root`, matching each name regardless of case when no name
/// matches exactly (`0x19-Postmortem/readme.md`).
fn find_path(root: &Path, rel: &[String]) -> Option<PathBuf> {
    let mut at = root.to_owned();
    for part in rel {
        let exact = at.join(part);
        if std::fs::symlink_metadata(&exact).is_ok() {
            at = exact;
            continue;
        }
        let mut names: Vec<_> = std::fs::read_dir(&at)
            .ok()?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name())
            .filter(|n| n.to_string_lossy().eq_ignore_ascii_case(part))
            .collect();
        names.sort();
        at = at.join(names.into_iter().next()?);
    }
    at.is_file().then_some(at)
}

/// Reads a file of the clone, refusing one outside it (through a symbolic link), a
/// folder, or one too large to be a postmortem. Also returns its path in the clone.
fn read_inside(root: &Path, file: &Path) -> std::result::Result<(Vec<u8>, String), String> {
    let shown = file
        .strip_prefix(root)
        .unwrap_or(file)
        .to_string_lossy()
        .replace('\\', "/");
    let real = file
        .canonicalize()
        .map_err(|e| format!("{shown} cannot be read: {}", crate::error::reason(&e)))?;
    if !real.starts_with(root) {
        return Err(format!(
            "{shown} is a symbolic link that leads out of the clone: not read"
        ));
    }
    let meta = std::fs::metadata(&real)
        .map_err(|e| format!("{shown} cannot be read: {}", crate::error::reason(&e)))?;
    if !meta.is_file() {
        return Err(format!("{shown} is not a file"));
    }
    if meta.len() > crate::source::MAX_FILE_BYTES {
        return Err(format!(
            "{shown} is too large to be a postmortem ({} KiB)",
            meta.len().div_ceil(1024)
        ));
    }
    let bytes = std::fs::read(&real)
        .map_err(|e| format!("{shown} cannot be read: {}", crate::error::reason(&e)))?;
    let took = real
        .strip_prefix(root)
        .unwrap_or(&real)
        .to_string_lossy()
        .replace('\\', "/");
    Ok((bytes, took))
}

#[derive(Debug, PartialEq)]
enum Shape {
    Empty,
    Text,
    /// Next to nothing but these links (addresses or file names).
    Links(Vec<String>),
}

static LINKS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?mx)
        \[(?P<label>[^\]]*)\]\(\s*<?(?P<md>[^)\s>]+)>?[^)]*\)   # [label](target)
      | ^\s*\[[^\]]+\]:\s*<?(?P<def>\S+?)>?\s*$                   # [ref]: target
      | href\s*=\s*["'](?P<href>[^"']+)["']                       # <a href="target">
      | (?P<bare>https?://[^\s<>()\[\]"'`]+)                      # a bare address
      | (?P<file>\b[\w.-]+\.(?:md|markdown|txt))\b                # a file name
    "#,
    )
    .expect("the link pattern compiles")
});

static WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[\p{L}\p{N}]+").expect("the word pattern compiles"));

/// Whether the text is empty, text, or only links (fewer than [`LINK_ONLY_WORDS`]
/// words besides them). Read through the decoder, so any encoding does.
fn shape(bytes: &[u8]) -> Shape {
    let Ok(decoded) = decode::decode(bytes) else {
        return Shape::Text;
    };
    let text = decoded.text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Shape::Empty;
    }
    let mut targets = Vec::new();
    let mut rest = String::with_capacity(text.len());
    let mut last = 0;
    for caps in LINKS.captures_iter(text) {
        let whole = caps.get(0).expect("a match");
        rest.push_str(&text[last..whole.start()]);
        rest.push(' ');
        if let Some(label) = caps.name("label") {
            rest.push_str(label.as_str());
        }
        last = whole.end();
        let target = ["md", "def", "href", "bare", "file"]
            .iter()
            .find_map(|n| caps.name(n))
            .map(|m| m.as_str().trim_end_matches(['.', ',', ';', ':']).to_owned());
        if let Some(t) = target
            && !targets.contains(&t)
        {
            targets.push(t);
        }
    }
    rest.push_str(&text[last..]);
    if targets.is_empty() || WORD.find_iter(&rest).count() >= LINK_ONLY_WORDS {
        return Shape::Text;
    }
    Shape::Links(targets)
}

fn is_web(target: &str) -> bool {
    url::Url::parse(target)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
}

/// The file in `dir` (not `except`) that a link or a mention names: a relative path,
/// or the last part of an address (a link to the file on the repository's host).
fn sibling_named(dir: &Path, except: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split(['#', '?']).next().unwrap_or(target);
    let name = path.rsplit('/').next().unwrap_or(path);
    let name = percent_decode(name);
    if name.is_empty() || name.starts_with('.') {
        return None;
    }
    let candidate = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().eq_ignore_ascii_case(&name))
        })?;
    (candidate != except && candidate.is_file()).then_some(candidate)
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| s.to_owned())
}

/// The text file beside `except` most likely to hold the postmortem: the largest
/// markdown or text file there.
fn best_sibling(dir: &Path, except: &Path) -> Option<PathBuf> {
    let mut best: Option<(u64, PathBuf)> = None;
    for entry in std::fs::read_dir(dir).ok()?.filter_map(|e| e.ok()) {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_ascii_lowercase();
        let text = [".md", ".markdown", ".txt"]
            .iter()
            .any(|e| name.ends_with(e));
        if path == except || name.starts_with('.') || !text {
            continue;
        }
        let Ok(meta) = entry.metadata() else { continue };
        if !meta.is_file() || meta.len() == 0 {
            continue;
        }
        if best
            .as_ref()
            .is_none_or(|(size, p)| meta.len() > *size || (meta.len() == *size && path < *p))
        {
            best = Some((meta.len(), path));
        }
    }
    best.map(|(_, p)| p)
}

/// Each clone's content file name, in order: the student's slug, kept from the last
/// import for a folder it already named, and made distinct when two clones share an
/// owner (`ada`, then `ada-<folder>`), with a note saying so.
fn assign_names(clones: &[Clone], state: &State) -> Vec<(String, Option<String>)> {
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut names: Vec<Option<String>> = vec![None; clones.len()];
    // Names the record gave these folders before stay theirs.
    for (i, clone) in clones.iter().enumerate() {
        let before = state
            .files
            .iter()
            .filter(|(_, r)| r.folder == clone.folder)
            .map(|(f, _)| f.clone())
            .next();
        if let Some(f) = before
            && taken.insert(f.clone())
        {
            names[i] = Some(f);
        }
    }
    // Names the record gives other folders are not free either.
    let folders: BTreeSet<&str> = clones.iter().map(|c| c.folder.as_str()).collect();
    for (f, r) in &state.files {
        if !folders.contains(r.folder.as_str()) {
            taken.insert(f.clone());
        }
    }
    let mut out = Vec::with_capacity(clones.len());
    for (i, clone) in clones.iter().enumerate() {
        if let Some(f) = names[i].take() {
            out.push((f, None));
            continue;
        }
        let base = Some(slugify(&clone.student))
            .filter(|s| !s.is_empty())
            .or_else(|| Some(slugify(&clone.folder)).filter(|s| !s.is_empty()))
            .unwrap_or_else(|| "student".into());
        let mut name = format!("{base}.md");
        let mut note = None;
        if taken.contains(&name) {
            let folder = slugify(&clone.folder);
            let mut stem = if folder.is_empty() || folder == base {
                base.clone()
            } else {
                format!("{base}-{folder}")
            };
            let mut n = 2;
            while taken.contains(&format!("{stem}.md")) {
                stem = format!("{base}-{n}");
                n += 1;
            }
            name = format!("{stem}.md");
            note = Some(format!(
                "another clone is {base}'s too: this one is written as {name}"
            ));
        }
        taken.insert(name.clone());
        out.push((name, note));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remotes_become_web_addresses_without_credentials() {
        let cases = [
            (
                "https://github.com/ada/pm.git",
                "https://github.com/ada/pm",
                "ada",
            ),
            (
                "https://github.com/ada/pm",
                "https://github.com/ada/pm",
                "ada",
            ),
            (
                "https://github.com/ada/pm/",
                "https://github.com/ada/pm",
                "ada",
            ),
            (
                "git@github.com:ada/pm.git",
                "https://github.com/ada/pm",
                "ada",
            ),
            (
                "ssh://git@gitlab.com/grp/sub/pm",
                "https://gitlab.com/grp/sub/pm",
                "grp",
            ),
            (
                "ssh://git@example.org:2222/bob/x.git",
                "https://example.org/bob/x",
                "bob",
            ),
            (
                "https://ada:ghp_secret@github.com/ada/pm.git",
                "https://github.com/ada/pm",
                "ada",
            ),
            (
                "https://git.school.edu:8443/ada/pm",
                "https://git.school.edu:8443/ada/pm",
                "ada",
            ),
        ];
        for (raw, web, owner) in cases {
            let r = Remote::parse(raw).unwrap_or_else(|| panic!("{raw}"));
            assert_eq!(r.web, web, "{raw}");
            assert_eq!(r.owner, owner, "{raw}");
            assert!(!r.web.contains("secret") && !r.web.contains('@'), "{raw}");
        }
        for local in [
            "/srv/git/ada/pm.git",
            "file:///srv/pm.git",
            "../pm",
            "https://github.com/",
        ] {
            assert_eq!(Remote::parse(local), None, "{local}");
        }
    }

    #[test]
    fn file_addresses_follow_the_host() {
        let gh = Remote::parse("git@github.com:ada/pm.git").unwrap();
        assert_eq!(
            gh.file_url("abc123", "0x19-postmortem/README.md"),
            "https://github.com/ada/pm/blob/abc123/0x19-postmortem/README.md"
        );
        assert_eq!(
            gh.file_url("abc123", "my notes/pm #1.md"),
            "https://github.com/ada/pm/blob/abc123/my%20notes/pm%20%231.md"
        );
        let bb = Remote::parse("https://bitbucket.org/ada/pm").unwrap();
        assert_eq!(
            bb.file_url("c", "a.md"),
            "https://bitbucket.org/ada/pm/src/c/a.md"
        );
    }

    #[test]
    fn front_matter_is_ascii_toml_that_reads_back() {
        assert_eq!(
            toml_string("Zoë \"Z\" \\ 🚀"),
            r#""Zo\u00EB \"Z\" \\ \U0001F680""#
        );
        let fm = format!("+++\nauthor = {}\n+++\n", toml_string("Zoë\n\"x\""));
        let split = crate::source::front_matter::split(&fm);
        assert_eq!(split.front.author.as_deref(), Some("Zoë\n\"x\"".trim()));
    }

    #[test]
    fn front_matter_goes_in_the_files_encoding() {
        let fm = "+++\nauthor = \"ada\"\n+++\n";
        let latin1 = b"Caf\xe9 down\n";
        assert_eq!(
            with_front_matter(latin1, fm),
            [fm.as_bytes(), latin1].concat()
        );
        let bom8 = b"\xEF\xBB\xBFHello\n";
        let out = with_front_matter(bom8, fm);
        assert!(out.starts_with(b"\xEF\xBB\xBF+++\n"));
        assert!(out.ends_with(b"Hello\n"));
        let mut le = vec![0xFF, 0xFE];
        le.extend("Héllo\n".encode_utf16().flat_map(u16::to_le_bytes));
        let out = with_front_matter(&le, fm);
        let loaded = crate::source::load_bytes(&out).unwrap();
        assert_eq!(loaded.front.author.as_deref(), Some("ada"));
        assert_eq!(loaded.body(), "Héllo\n");
        assert!(out.ends_with(&le[2..]));
        let be: Vec<u8> = "Plain words in UTF-16 without a mark\n"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        let loaded = crate::source::load_bytes(&with_front_matter(&be, fm)).unwrap();
        assert_eq!(loaded.front.author.as_deref(), Some("ada"));
    }

    #[test]
    fn link_only_files_are_told_from_text() {
        assert_eq!(shape(b"  \n\n"), Shape::Empty);
        assert_eq!(
            shape(b"# 0x19. Postmortem\n\n[My postmortem on Medium](https://medium.com/@ada/outage-123)\n"),
            Shape::Links(vec!["https://medium.com/@ada/outage-123".into()])
        );
        assert_eq!(
            shape(b"See postmortem.md for the write-up."),
            Shape::Links(vec!["postmortem.md".into()])
        );
        assert_eq!(
            shape(b"Blog: https://dev.to/ada/pm.\n"),
            Shape::Links(vec!["https://dev.to/ada/pm".into()])
        );
        let long = "The web server was down for two hours and every request failed. ".repeat(5)
            + "Details: https://example.com/x";
        assert_eq!(shape(long.as_bytes()), Shape::Text);
        assert_eq!(shape(b"Just a few words, no link"), Shape::Text);
    }

    #[test]
    fn submission_paths_stay_inside_the_clone() {
        assert_eq!(
            submission_path("./0x19/README.md").unwrap(),
            vec!["0x19".to_owned(), "README.md".to_owned()]
        );
        for bad in ["../x.md", "/etc/passwd", "a/../../b", ""] {
            assert!(submission_path(bad).is_err(), "{bad}");
        }
    }
}
