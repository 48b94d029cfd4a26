//! One file read whole as one document: [`read_file`] for `compare`, and the same checks
//! ([`decode`], [`read_whole`]) for the plain-text files of a corpus.
//!
//! In: a path (or an open, possibly decompressing, reader) and [`ReadOptions`]. Out: the text,
//! checked to be no larger than the limit, free of NUL bytes (a binary file is refused rather than
//! compared) and valid UTF-8, or repaired with U+FFFD in lossy mode; or the error naming the file.
//! A file is never read past the limit, so a stray multi-gigabyte file costs one limit's worth of
//! memory before it is refused.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::Path;

use super::error::io_error_kind;
use super::{path_text, Document, Position, ReadError, ReadErrorKind, ReadOptions};

/// Reads one file as one document, its id the path as given.
pub fn read_file(path: &Path, options: ReadOptions) -> Result<Document, ReadError> {
    let fail = |kind| ReadError::new(path, kind);
    let file = File::open(path).map_err(|e| fail(io_error_kind(path, e)))?;
    let (_, text) = read_whole(file, path, true, options, |e| io_error_kind(path, e));
    Ok(Document::new(path_text(path), text.map_err(fail)?))
}

/// Reads one document whole from `reader`, the file `path` opened: no more than
/// `options.max_bytes` of it, and one byte to tell it is past them, then [`decode`]s it;
/// `read_error` names a failure to read. A document past the limit is
/// [`ReadErrorKind::TooLarge`] with its size when `sized` (the reader gives the file's bytes as
/// they are, not decompressed) and the path is a regular file, else [`ReadErrorKind::PastLimit`]
/// (a stream, a compressed file: the rest is not read to measure it). Also says how many bytes
/// were read, whatever the outcome.
pub(super) fn read_whole(
    reader: impl Read,
    path: &Path,
    sized: bool,
    options: ReadOptions,
    read_error: impl FnOnce(io::Error) -> ReadErrorKind,
) -> (u64, Result<String, ReadErrorKind>) {
    let mut bytes = Vec::new();
    let limit = options.max_bytes as u64;
    let read = reader.take(limit.saturating_add(1)).read_to_end(&mut bytes);
    let n = bytes.len() as u64;
    let text = match read {
        Err(e) => Err(read_error(e)),
        Ok(_) if n > limit => Err(match fs::metadata(path) {
            Ok(m) if sized && m.is_file() && m.len() > limit => ReadErrorKind::TooLarge {
                bytes: m.len(),
                limit,
            },
            _ => ReadErrorKind::PastLimit { limit },
        }),
        Ok(_) => decode(bytes, options),
    };
    (n, text)
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
            let got = decode(
                bytes.to_vec(),
                ReadOptions {
                    lossy: *lossy,
                    ..ReadOptions::default()
                },
            )
            .map_err(|e| e.to_string());
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
}
