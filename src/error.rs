//! Errors that stop a command, each naming the file (and line, where there is one)
//! so the person reading it knows where to look.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub enum Error {
    /// Reading or writing a file failed.
    Io { path: PathBuf, source: io::Error },
    /// `site.toml` (or another settings file) is malformed or has an unknown key.
    Config {
        path: PathBuf,
        line: Option<usize>,
        column: Option<usize>,
        message: String,
    },
    /// A template failed to parse or to render.
    Template { name: String, message: String },
    /// The output folder is unsafe to replace, or replacing it failed.
    Output { path: PathBuf, message: String },
    /// A strict build found problems in the files it read, so it did not replace the
    /// site in `output`. `problems` holds every file-level diagnostic, for reporting;
    /// those at warning level or above are what failed it.
    Strict {
        output: PathBuf,
        problems: Vec<(String, crate::model::Diagnostic)>,
    },
    /// A command-level problem that is not tied to one file.
    Usage(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// The file the error is about, when it is about one.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Error::Io { path, .. } | Error::Config { path, .. } | Error::Output { path, .. } => {
                Some(path)
            }
            Error::Template { .. } | Error::Usage(_) | Error::Strict { .. } => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { path, source } => write!(f, "{}: {}", path.display(), reason(source)),
            Error::Config {
                path,
                line,
                column,
                message,
            } => {
                write!(f, "{}", path.display())?;
                if let Some(line) = line {
                    write!(f, ":{line}")?;
                    if let Some(col) = column {
                        write!(f, ":{col}")?;
                    }
                }
                write!(f, ": {message}")
            }
            Error::Template { name, message } => write!(f, "template {name}: {message}"),
            Error::Output { path, message } => write!(f, "{}: {message}", path.display()),
            Error::Strict { output, problems } => {
                let n = problems
                    .iter()
                    .filter(|(_, d)| d.level >= crate::model::Level::Warning)
                    .count();
                write!(
                    f,
                    "{n} problem{} with --strict: the site in {} was not replaced",
                    if n == 1 { "" } else { "s" },
                    output.display()
                )
            }
            Error::Usage(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// What went wrong with a file, in words, without the raw "(os error 2)".
pub fn reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file or folder".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        io::ErrorKind::NotADirectory => "a file stands where a folder is expected".into(),
        io::ErrorKind::IsADirectory => "is a folder, not a file".into(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_owned(),
                None => s,
            }
        }
    }
}

/// File-system helpers that always say which path failed, as mdBook's `utils::fs` does.
pub mod fs {
    use super::{Error, Result};
    use std::path::Path;

    pub fn read(path: &Path) -> Result<Vec<u8>> {
        std::fs::read(path).map_err(|e| Error::io(path, e))
    }

    pub fn read_to_string(path: &Path) -> Result<String> {
        std::fs::read_to_string(path).map_err(|e| Error::io(path, e))
    }

    pub fn write(path: &Path, bytes: impl AsRef<[u8]>) -> Result<()> {
        if let Some(parent) = path.parent() {
            create_dir_all(parent)?;
        }
        std::fs::write(path, bytes).map_err(|e| Error::io(path, e))
    }

    pub fn create_dir_all(path: &Path) -> Result<()> {
        std::fs::create_dir_all(path).map_err(|e| Error::io(path, e))
    }

    /// Writes `bytes` to `path` whole or not at all: into a hidden temporary file
    /// beside it, then renamed over it (creating its folder first).
    pub fn write_whole(path: &Path, bytes: &[u8]) -> Result<()> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".into());
        let tmp = path.with_file_name(format!(".{name}.hindsight-{}", std::process::id()));
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            create_dir_all(parent)?;
        }
        std::fs::write(&tmp, bytes)
            .and_then(|()| std::fs::rename(&tmp, path))
            .map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                Error::io(path, e)
            })
    }
}

/// 1-based line and column of a byte offset, for messages about text we parsed.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 6), (2, 1));
        assert_eq!(line_col(text, 9), (2, 3));
        assert_eq!(line_col(text, 999), (3, 1));
    }

    #[test]
    fn config_error_names_file_line_and_column() {
        let e = Error::Config {
            path: "site.toml".into(),
            line: Some(3),
            column: Some(1),
            message: "unknown field `titel`".into(),
        };
        assert_eq!(e.to_string(), "site.toml:3:1: unknown field `titel`");
    }
}
