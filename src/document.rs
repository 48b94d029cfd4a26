//! Documents: files in, [`Document`]s (an id and UTF-8 text) out, or an error that names the file and
//! says what is wrong with it.
//!
//! A file is read whole. It must be a regular file, not binary (no NUL byte) and valid UTF-8; invalid
//! UTF-8 is reported with its line, column and byte offset, or, in lossy mode, replaced by U+FFFD (the
//! spans reported later are then offsets into the repaired text). The id of a file is its path as
//! given.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// A document: an id and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    /// The id (for a file, its path as given).
    pub id: String,
    /// The text.
    pub text: String,
}

impl Document {
    /// A document from an id and a text.
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Self {
        Document {
            id: id.into(),
            text: text.into(),
        }
    }

    /// True when the text has no letter or digit: there is nothing to compare.
    pub fn has_no_words(&self) -> bool {
        !self.text.chars().any(char::is_alphanumeric)
    }
}

/// How to read files.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// Replace invalid UTF-8 with U+FFFD instead of failing.
    pub lossy: bool,
}

/// Where in a file a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// Line number, from 1.
    pub line: usize,
    /// Column in bytes, from 1.
    pub column: usize,
    /// Byte offset, from 0.
    pub byte: usize,
}

impl Position {
    /// The position of byte `offset` in `bytes`.
    pub fn of(bytes: &[u8], offset: usize) -> Position {
        let before = &bytes[..offset.min(bytes.len())];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        Position {
            line,
            column: offset - line_start + 1,
            byte: offset,
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {} (byte {})",
            self.line, self.column, self.byte
        )
    }
}

/// What is wrong with an input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadErrorKind {
    /// No such file.
    #[error("no such file")]
    NotFound,
    /// A directory where a file was expected.
    #[error("is a directory, not a file")]
    IsDirectory,
    /// Not allowed to read it.
    #[error("permission denied")]
    PermissionDenied,
    /// Another I/O error.
    #[error("cannot read: {0}")]
    Io(#[source] io::Error),
    /// A NUL byte: this is not a text file.
    #[error("binary file (NUL byte at {0})")]
    Binary(Position),
    /// Not UTF-8.
    #[error("invalid UTF-8 at {0}")]
    InvalidUtf8(Position),
}

/// An input that could not be read, with the file it concerns.
#[derive(Debug, thiserror::Error)]
#[error("{}: {kind}", path.display())]
pub struct ReadError {
    /// The file.
    pub path: PathBuf,
    /// What is wrong.
    #[source]
    pub kind: ReadErrorKind,
}

/// Reads one file as one document, its id the path as given.
pub fn read_file(path: &Path, options: ReadOptions) -> Result<Document, ReadError> {
    let fail = |kind| ReadError {
        path: path.to_path_buf(),
        kind,
    };
    let bytes = std::fs::read(path).map_err(|e| {
        fail(match e.kind() {
            io::ErrorKind::NotFound => ReadErrorKind::NotFound,
            io::ErrorKind::PermissionDenied => ReadErrorKind::PermissionDenied,
            io::ErrorKind::IsADirectory => ReadErrorKind::IsDirectory,
            _ if path.is_dir() => ReadErrorKind::IsDirectory,
            _ => ReadErrorKind::Io(e),
        })
    })?;
    let text = decode(bytes, options).map_err(fail)?;
    Ok(Document::new(path.to_string_lossy(), text))
}

/// Checks and decodes the bytes of one document.
pub fn decode(bytes: Vec<u8>, options: ReadOptions) -> Result<String, ReadErrorKind> {
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        return Err(ReadErrorKind::Binary(Position::of(&bytes, nul)));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(e) if options.lossy => Ok(String::from_utf8_lossy(e.as_bytes()).into_owned()),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            Err(ReadErrorKind::InvalidUtf8(Position::of(e.as_bytes(), at)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_table() {
        // (bytes, lossy, Ok(text) or Err(message))
        let cases: &[(&[u8], bool, Result<&str, &str>)] = &[
            (b"plain text", false, Ok("plain text")),
            ("café “q”".as_bytes(), false, Ok("café “q”")),
            (
                b"ab\ncd\xffef",
                false,
                Err("invalid UTF-8 at line 2, column 3 (byte 5)"),
            ),
            (b"ab\ncd\xffef", true, Ok("ab\ncd\u{fffd}ef")),
            (
                b"\x89PNG\0\0",
                false,
                Err("binary file (NUL byte at line 1, column 5 (byte 4))"),
            ),
            (b"", false, Ok("")),
        ];
        for (bytes, lossy, want) in cases {
            let got =
                decode(bytes.to_vec(), ReadOptions { lossy: *lossy }).map_err(|e| e.to_string());
            assert_eq!(
                got.as_deref(),
                want.map_err(|e| e.to_string()).as_deref(),
                "{bytes:?}"
            );
        }
    }

    #[test]
    fn file_errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.txt");
        let err = read_file(&missing, ReadOptions::default()).unwrap_err();
        assert!(matches!(err.kind, ReadErrorKind::NotFound));
        assert!(
            err.to_string().contains("missing.txt: no such file"),
            "{err}"
        );
        let err = read_file(dir.path(), ReadOptions::default()).unwrap_err();
        assert!(matches!(err.kind, ReadErrorKind::IsDirectory), "{err}");
    }

    #[test]
    fn words() {
        assert!(Document::new("x", " \n—…! ").has_no_words());
        assert!(!Document::new("x", "ok").has_no_words());
    }
}
