//! Where the texts of a run come back from for passes 2 and 3: the records' places in their
//! files, read again with positioned reads, and the text field of a record read again.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::document::{record_text, CorpusSpec};

/// The byte ranges of JSON Lines records in their files.
#[derive(Default)]
pub(super) struct Places {
    files: Vec<PathBuf>,
    /// Per document: index into `files`, offset of the record, its length.
    at: Vec<(u32, u64, u32)>,
}

impl Places {
    /// Records where a document lies: the record at `offset`, `length` bytes long, in `path`;
    /// false when it is not a line of an uncompressed file.
    pub(super) fn push(&mut self, path: &Path, offset: Option<u64>, length: Option<u64>) -> bool {
        let (Some(offset), Some(len)) = (offset, length) else {
            return false;
        };
        if self.files.last().map(|f| f.as_os_str()) != Some(path.as_os_str()) {
            if self.files.iter().any(|f| f == path) || !is_uncompressed(path) {
                return false;
            }
            self.files.push(path.to_path_buf());
        }
        let Ok(len) = u32::try_from(len) else {
            return false;
        };
        self.at.push(((self.files.len() - 1) as u32, offset, len));
        true
    }

    /// The files, opened for [`Places::record`].
    pub(super) fn open(&self) -> io::Result<Vec<File>> {
        self.files.iter().map(File::open).collect()
    }

    /// Reads the records of `docs`, calling `each` with each document and its record.
    pub(super) fn read(&self, docs: &[u32], mut each: impl FnMut(u32, Vec<u8>)) -> io::Result<()> {
        let files = self.open()?;
        for &d in docs {
            each(d, self.record(&files, d)?);
        }
        Ok(())
    }

    /// The record of document `d`, read from its file (one of `files`, opened from `self.files`)
    /// at its offset, so that threads can read records of the same file at once.
    pub(super) fn record(&self, files: &[File], d: u32) -> io::Result<Vec<u8>> {
        let mut buf = Vec::new();
        self.record_into(files, d, &mut buf)?;
        Ok(buf)
    }

    /// [`Places::record`] into `buf` (resized to the record), a buffer reused between calls.
    pub(super) fn record_into(&self, files: &[File], d: u32, buf: &mut Vec<u8>) -> io::Result<()> {
        let (file, offset, len) = self.at[d as usize];
        buf.resize(len as usize, 0);
        read_exact_at(&files[file as usize], buf, offset)
    }

    /// Copies the records of the given documents (in increasing order), one a line, to `w`.
    /// Records that follow each other in their file, separated by just their line end, are
    /// copied as one range: a file with few removed documents goes over in a few large copies,
    /// which `std::io::copy` hands to the kernel (`copy_file_range` on Linux) when `w` is a file.
    pub(super) fn copy<W: Write>(&self, docs: &[u64], w: &mut W) -> io::Result<()> {
        let mut open: Option<(u32, File)> = None;
        // The range being gathered: file, start, end.
        let mut run: Option<(u32, u64, u64)> = None;
        let mut copy_run = |(file, start, end): (u32, u64, u64), w: &mut W| -> io::Result<()> {
            if open.as_ref().map(|o| o.0) != Some(file) {
                open = Some((file, File::open(&self.files[file as usize])?));
            }
            let mut r = &open.as_ref().expect("opened above").1;
            r.seek(SeekFrom::Start(start))?;
            let copied = io::copy(&mut r.take(end - start), w)?;
            if copied != end - start {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the input is shorter than on the first pass",
                ));
            }
            w.write_all(b"\n")
        };
        for &d in docs {
            let (file, offset, len) = self.at[d as usize];
            let end = offset + u64::from(len);
            match &mut run {
                Some((f, _, e)) if *f == file && offset == *e + 1 => *e = end,
                Some((f, _, e)) if *f == file && offset <= *e => {
                    return Err(io::Error::other("records out of order"));
                }
                _ => {
                    if let Some(done) = run.replace((file, offset, end)) {
                        copy_run(done, w)?;
                    }
                }
            }
        }
        if let Some(done) = run {
            copy_run(done, w)?;
        }
        Ok(())
    }
}

/// Fills `buf` from `file` at `offset`, without moving a shared cursor.
#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

/// Fills `buf` from `file` at `offset`, without moving a shared cursor.
#[cfg(windows)]
fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, offset)? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

/// True when the file does not start with a gzip or zstd magic number.
fn is_uncompressed(path: &Path) -> bool {
    let mut head = [0u8; 4];
    let Ok(mut f) = File::open(path) else {
        return false;
    };
    let n = f.read(&mut head).unwrap_or(0);
    !(head[..n].starts_with(&[0x1f, 0x8b]) || head[..n].starts_with(&[0x28, 0xb5, 0x2f, 0xfd]))
}

/// The text field of a JSON Lines record read again: by the readers' fast path (borrowed from the
/// record when it holds no escape), or through a generic value when that path declines.
pub(super) fn text_of<'r>(record: &'r [u8], spec: &CorpusSpec) -> Option<Cow<'r, str>> {
    if let Some(text) = record_text(record, spec) {
        return Some(text);
    }
    let value: serde_json::Value = serde_json::from_slice(record).ok()?;
    match value.get(&spec.text_field)? {
        serde_json::Value::String(s) => Some(Cow::Owned(s.clone())),
        _ => None,
    }
}
