//! The errors of reading: what is wrong ([`ReadErrorKind`]), with the file and line it concerns
//! ([`ReadError`]), and where in a file a problem is ([`Position`]).
//!
//! In: the failures of every layer below (an `io::Error` from opening or reading a file, a bad
//! byte, a record serde_json refuses). Out: one error type whose message reads
//! `path:line: what is wrong`, so that the CLI can print it as it is and a library caller can
//! match on the kind. One enum for the whole stage, `#[non_exhaustive]`, because every layer's
//! failure ends up in the same place: the line or file that is skipped, or the error that stops
//! the run.
//!
//! A file name is not always UTF-8, and an id or a message must be text, so a path becomes text
//! here alone ([`path_text`]): unchanged when it is UTF-8 and holds no `\x`, and otherwise escaped,
//! each byte that is not UTF-8 written `\xHH` (two upper-case hex digits) and each backslash `\\`.
//! Two different names never give the same text: an escaped text always holds a `\x` (an escaped
//! byte, or an escaped backslash before an `x`) and a text left as it was never does, and an
//! escaped text reads back to its bytes. Replacing the bad bytes by U+FFFD, as `Path::display`
//! does, made `a\xFF.txt` and `a\xFE.txt` one id.

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::io;
use std::path::{Path, PathBuf};

#[cfg(doc)]
use super::{reread, CorpusSpec, Date, ReadOptions};

/// A value quoted in a message: in quotes and escaped as Rust writes a string, cut after 60
/// characters so that a stray text in a date field keeps the message on one short line.
fn shown(value: &str) -> String {
    const MAX: usize = 60;
    match value.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{:?}...", &value[..cut]),
        None => format!("{value:?}"),
    }
}

/// Where in a file a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// Line number, from 1.
    pub line: usize,
    /// Column in bytes, from 1.
    pub column: usize,
    /// Byte offset, from 0 (in a compressed file, in the decompressed stream).
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
    /// A JSON Lines line that is not valid JSON; `message` is serde_json's, without its position.
    #[error("malformed JSON at column {column}: {message}")]
    Json {
        /// Column in bytes, from 1, within the line.
        column: usize,
        /// What the parser expected or found.
        message: String,
    },
    /// A JSON Lines line that is valid JSON but not an object.
    #[error("expected a JSON object, found {found}")]
    NotAnObject {
        /// What the line holds: "an array", "a string", "a number", "a boolean" or "null".
        found: &'static str,
    },
    /// A JSON Lines record without its text field.
    #[error("no `{field}` field")]
    MissingField {
        /// The field's name.
        field: String,
    },
    /// A JSON Lines field of the wrong type.
    #[error("field `{field}` is {found}, expected {expected}")]
    WrongType {
        /// The field's name.
        field: String,
        /// What it must be, e.g. "a string".
        expected: &'static str,
        /// What it is, e.g. "a number".
        found: &'static str,
    },
    /// A JSON Lines record with the id or text field twice.
    #[error("field `{field}` appears more than once")]
    DuplicateField {
        /// The field's name.
        field: String,
    },
    /// A JSON Lines date field whose value does not read as a date (see [`Date`]).
    #[error(
        "field `{field}` holds {}, which is not a date (ISO 8601 such as 2024-03-05 or 2024-03-05T10:20:30Z, or epoch seconds as a number)",
        shown(value)
    )]
    BadDate {
        /// The field's name.
        field: String,
        /// Its value, as written (a string decoded).
        value: String,
    },
    /// A gzip or zstd stream that cannot be decompressed to its end.
    #[error("corrupt or truncated {format} stream: {source}")]
    Decompress {
        /// "gzip" or "zstd".
        format: &'static str,
        /// The decompressor's error.
        source: io::Error,
    },
    /// Standard input cannot be read a second time (see [`reread`]).
    #[error("standard input cannot be read a second time")]
    NotRereadable,
    /// A stream named as an input (a FIFO, a process substitution, a device) cannot be read a
    /// second time (see [`reread`]).
    #[error("a stream (a FIFO, a pipe, a device) is read once: it cannot be read a second time")]
    ReadOnce,
    /// A document larger than the limit ([`CorpusSpec::max_doc_bytes`], [`ReadOptions::max_bytes`]).
    #[error("document of {bytes} bytes, over the limit of {limit} (--max-doc-bytes)")]
    TooLarge {
        /// Its size.
        bytes: u64,
        /// The limit.
        limit: u64,
    },
    /// A document found to be larger than the limit without being read to its end, so its size
    /// is unknown: a JSON Lines line given up as soon as it passed the limit (in stop mode; with
    /// [`OnError::Skip`](super::OnError::Skip) it is read to its end and is
    /// [`ReadErrorKind::TooLarge`]), or a plain file from a stream that does not say its size.
    #[error(
        "document of more than {limit} bytes, over the limit (--max-doc-bytes); not read further"
    )]
    PastLimit {
        /// The limit.
        limit: u64,
    },
}

/// An input that could not be read, with the file it concerns and the line, if any.
///
/// Displayed as `path: message`, or `path:line: message` when the line is known.
#[derive(Debug)]
pub struct ReadError {
    /// The file (`-` for standard input).
    pub path: PathBuf,
    /// The line, from 1: the line at fault in JSON Lines, or the line reached when a compressed
    /// JSON Lines stream broke; `None` for errors about a whole file.
    pub line: Option<usize>,
    /// What is wrong.
    pub kind: ReadErrorKind,
}

impl ReadError {
    /// An error about a whole file.
    pub fn new(path: impl Into<PathBuf>, kind: ReadErrorKind) -> Self {
        ReadError {
            path: path.into(),
            line: None,
            kind,
        }
    }

    /// The same error, about line `line` (from 1).
    pub fn at_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", path_text(&self.path), self.kind),
            None => write!(f, "{}: {}", path_text(&self.path), self.kind),
        }
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.kind)
    }
}

/// A path as text, for an id or a message: as it is when it is UTF-8 and holds no `\x`, else with
/// each byte that is not UTF-8 written `\xHH` and each backslash doubled, so that two different
/// paths never give the same text (see the module's doc).
pub fn path_text(path: &Path) -> Cow<'_, str> {
    let bytes = path.as_os_str().as_encoded_bytes();
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.contains("\\x") => Cow::Borrowed(text),
        _ => {
            let mut out = String::with_capacity(bytes.len() + 8);
            for chunk in bytes.utf8_chunks() {
                for c in chunk.valid().chars() {
                    if c == '\\' {
                        out.push('\\');
                    }
                    out.push(c);
                }
                for b in chunk.invalid() {
                    let _ = write!(out, "\\x{b:02X}");
                }
            }
            Cow::Owned(out)
        }
    }
}

/// The error kind for a failure to open or read a file.
pub(super) fn io_error_kind(path: &Path, e: io::Error) -> ReadErrorKind {
    match e.kind() {
        io::ErrorKind::NotFound => ReadErrorKind::NotFound,
        io::ErrorKind::PermissionDenied => ReadErrorKind::PermissionDenied,
        io::ErrorKind::IsADirectory => ReadErrorKind::IsDirectory,
        _ if path.is_dir() => ReadErrorKind::IsDirectory,
        _ => ReadErrorKind::Io(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_as_text_is_as_given_when_it_can_be() {
        for plain in ["d/a.txt", "café/“q”.jsonl", "a\\b.txt", "x\\"] {
            assert!(matches!(path_text(Path::new(plain)), Cow::Borrowed(p) if p == plain));
        }
        assert_eq!(path_text(Path::new("a\\xFF.txt")), "a\\\\xFF.txt");
    }

    #[cfg(unix)]
    #[test]
    fn names_that_differ_only_in_bad_bytes_stay_apart() {
        use std::collections::HashSet;
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        // (name's bytes, its text)
        let cases: &[(&[u8], &str)] = &[
            (b"d/a\xff.txt", "d/a\\xFF.txt"),
            (b"d/a\xfe.txt", "d/a\\xFE.txt"),
            (b"d/a\\xFF.txt", "d/a\\\\xFF.txt"),
            (b"d/a\\\\xFF.txt", "d/a\\\\\\\\xFF.txt"),
            (b"d/a\\b\xff", "d/a\\\\b\\xFF"),
            (b"d/\xc3\xa9\x9b[31m", "d/\u{e9}\\x9B[31m"),
            (b"d/a\xFF.txt", "d/a\\xFF.txt"),
        ];
        let mut seen = HashSet::new();
        for &(bytes, want) in &cases[..6] {
            let text = path_text(Path::new(OsStr::from_bytes(bytes)));
            assert_eq!(text, want, "{bytes:?}");
            assert!(seen.insert(text.into_owned()), "{bytes:?} shares its text");
        }
        // The same bytes, the same text.
        let (bytes, want) = cases[6];
        assert_eq!(path_text(Path::new(OsStr::from_bytes(bytes))), want);
        let err = ReadError::new(OsStr::from_bytes(b"d/a\xff.txt"), ReadErrorKind::NotFound);
        assert_eq!(err.to_string(), "d/a\\xFF.txt: no such file");
    }
}
