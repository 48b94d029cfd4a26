//! The errors of reading: what is wrong ([`ReadErrorKind`]), with the file and line it concerns
//! ([`ReadError`]), and where in a file a problem is ([`Position`]).
//!
//! In: the failures of every layer below (an `io::Error` from opening or reading a file, a bad
//! byte, a record serde_json refuses). Out: one error type whose message reads
//! `path:line: what is wrong`, so that the CLI can print it as it is and a library caller can
//! match on the kind. One enum for the whole stage, `#[non_exhaustive]`, because every layer's
//! failure ends up in the same place: the line or file that is skipped, or the error that stops
//! the run.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

#[cfg(doc)]
use super::{reread, CorpusSpec, ReadOptions};

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
            Some(line) => write!(f, "{}:{line}: {}", self.path.display(), self.kind),
            None => write!(f, "{}: {}", self.path.display(), self.kind),
        }
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.kind)
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
