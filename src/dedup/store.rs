//! Where the texts of a run come back from for passes 2 and 3, decided once: a [`TextStore`].
//! Pass 1 fills it as it accepts documents; then the candidates' texts (for verification and the
//! HTML report) and the kept documents' records (for the kept output) are asked of it, and it
//! reads them from where it can:
//! - held, when the inputs include standard input (which cannot be read twice): spooled to an
//!   unnamed temporary file as pass 1 accepts them, so that pass 1 keeps no text in memory
//!   whatever the input (a stream of many gigabytes costs disk, not memory), and read back
//!   from it by position;
//! - read at their places, with positioned reads of the files, while every document is a line
//!   of an uncompressed JSON Lines file: later passes then read just those bytes, on every
//!   thread at once, instead of parsing every input again;
//! - otherwise read again from the inputs ([`reread`]), in input order.
//!
//! However a text comes back, it must be the one pass 1 read: a different id, a record that no
//! longer parses or a document missing is [`RunError::InputsChanged`], checked here alone. A
//! record copied to the kept output is also checked byte for byte against what pass 1 read of
//! it: [`Whence`] keeps the xxh3 of every record (8 bytes a document, only when the kept output
//! is asked for), and a record rewritten in place since is [`RunError::Changed`], naming its file
//! and line, so that the kept output never holds bytes that were not analysed.

use std::borrow::Cow;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::outcome::RunError;
use super::SketchTable;
use crate::document::{path_text, record_text, reread, CorpusDoc, CorpusSpec, DateTable};
use crate::progress::Progress;

/// What pass 1 keeps of every document.
pub(super) struct Catalog {
    pub(super) ids: Vec<String>,
    pub(super) sketches: SketchTable,
    /// Where the texts come back from in the later passes.
    pub(super) store: TextStore,
    /// Where each document was read, and what.
    pub(super) whence: Whence,
    /// Each document's date, when a date field is read.
    pub(super) dates: DateTable,
}

/// Where every document of pass 1 came from, in eight bytes a document, to name the two places
/// of a duplicate id; and, when the kept documents are copied, what pass 1 read of each (eight
/// bytes more), so that a record copied later is the one analysed ([`Whence::check`]).
#[derive(Default)]
pub(super) struct Whence {
    files: Vec<PathBuf>,
    /// Per document: index into `files`, and the line (`u32::MAX` for none).
    at: Vec<(u32, u32)>,
    /// Per document, when asked for: the [`fingerprint`] of what pass 1 read.
    read: Option<Vec<u64>>,
}

impl Whence {
    /// Where nothing is read yet; the fingerprints of the records are kept when `fingerprints`.
    pub(super) fn new(fingerprints: bool) -> Self {
        Whence {
            read: fingerprints.then(Vec::new),
            ..Whence::default()
        }
    }

    /// True when the fingerprints of the records are kept.
    pub(super) fn fingerprints(&self) -> bool {
        self.read.is_some()
    }

    /// Pass 1: the next document was read at `line` of `path` (none for a plain file), and its
    /// record had `fingerprint` (kept only when [`Whence::fingerprints`]).
    pub(super) fn push(&mut self, path: &Path, line: Option<usize>, fingerprint: u64) {
        if let Some(read) = &mut self.read {
            read.push(fingerprint);
        }
        if self.files.last().map(|f| f.as_os_str()) != Some(path.as_os_str()) {
            self.files.push(path.to_path_buf());
        }
        let line = line.map_or(u32::MAX, |l| u32::try_from(l).unwrap_or(u32::MAX - 1));
        self.at.push(((self.files.len() - 1) as u32, line));
    }

    /// `path:line`, or `path`, as [`Origin`] displays it.
    pub(super) fn place(&self, doc: u32) -> String {
        let (file, line) = self.at[doc as usize];
        let path = path_text(&self.files[file as usize]);
        match line {
            u32::MAX => format!("{path}"),
            line => format!("{path}:{line}"),
        }
    }

    /// Checks that `bytes`, the record of document `doc` about to be copied (a JSON Lines record,
    /// or a plain file's text), are what pass 1 read and analysed; nothing is checked when the
    /// fingerprints were not kept.
    pub(super) fn check(&self, doc: u64, bytes: &[u8]) -> Result<(), RunError> {
        let Some(read) = &self.read else {
            return Ok(());
        };
        if read[doc as usize] == fingerprint(bytes) {
            return Ok(());
        }
        Err(self.changed(doc))
    }

    /// The error of document `doc`'s record changed since pass 1 read it.
    pub(super) fn changed(&self, doc: u64) -> RunError {
        let (file, line) = self.at[doc as usize];
        RunError::Changed {
            path: self.files[file as usize].clone(),
            line: (line != u32::MAX).then_some(line),
        }
    }
}

/// What [`Whence::check`] compares: the xxh3 of a record's bytes (a JSON Lines record, as the kept
/// output copies it) or of a plain file's text.
pub(super) fn fingerprint(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// Documents read again from the inputs together, in one parallel batch.
const BATCH_DOCS: usize = 2048;

/// Where the texts of a run's documents come back from (see the module's doc).
pub(super) enum TextStore {
    /// Every document's text, and its raw line when it was one, in input order, spooled.
    Held(Spool),
    /// Every document's record, at its place in its file.
    Placed(Places),
    /// Read the inputs again.
    Reread,
}

impl TextStore {
    /// The store for a run: holding the texts (`hold`, for standard input), or placing the records
    /// unless the inputs are read lossily (a record read again would not give the same text).
    pub(super) fn new(hold: bool, lossy: bool) -> Self {
        match (hold, lossy) {
            (true, _) => TextStore::Held(Spool::default()),
            (false, false) => TextStore::Placed(Places::default()),
            (false, true) => TextStore::Reread,
        }
    }

    /// Pass 1: the next document lies at `offset`, `length` bytes long, in `path`. A document that
    /// is not a line of an uncompressed file turns placed records into reading again.
    pub(super) fn place(&mut self, path: &Path, offset: Option<u64>, length: Option<u64>) {
        if let TextStore::Placed(places) = self {
            if !places.push(path, offset, length) {
                *self = TextStore::Reread;
            }
        }
    }

    /// Pass 1: the next document's text and raw line, kept when the store holds texts; an error
    /// when the spool cannot be written.
    pub(super) fn hold(&mut self, text: &str, raw: Option<&[u8]>) -> Result<(), RunError> {
        if let TextStore::Held(spool) = self {
            spool.push(text, raw).map_err(|source| RunError::Write {
                path: spool.path.clone(),
                source,
            })?;
        }
        Ok(())
    }

    /// `f` of the text of each of `docs` (in increasing order), in parallel with a state made by
    /// `init` for each thread; the results by document, in order. `ids` are the documents' ids
    /// from pass 1. Progress advances by the documents done.
    pub(super) fn map_texts<S, T: Send>(
        &self,
        spec: &CorpusSpec,
        ids: &[String],
        docs: &[u32],
        init: impl Fn() -> S + Sync + Send,
        f: impl Fn(&mut S, u32, Cow<'_, str>) -> T + Sync + Send,
        progress: &dyn Progress,
    ) -> Result<Vec<(u32, T)>, RunError> {
        let mut done: Vec<(u32, T)> = Vec::with_capacity(docs.len());
        let batch = |batch: Vec<(u32, String)>, done: &mut Vec<(u32, T)>| {
            let each: Vec<(u32, T)> = batch
                .into_par_iter()
                .map_init(&init, |s, (i, text)| (i, f(s, i, Cow::Owned(text))))
                .collect();
            progress.advance(each.len() as u64);
            done.extend(each);
        };
        match self {
            TextStore::Held(spool) => {
                let each: Vec<Result<(u32, T), RunError>> = docs
                    .par_iter()
                    .map_init(
                        || (init(), Vec::new()),
                        |(s, bytes), &i| {
                            let text = spool.text(i, bytes).map_err(|e| spool.failed(e))?;
                            Ok((i, f(s, i, Cow::Owned(text))))
                        },
                    )
                    .collect();
                for one in each {
                    done.push(one?);
                }
                progress.advance(done.len() as u64);
            }
            TextStore::Placed(places) => {
                // Each thread reads its records straight from the files, and parses them.
                let files = places
                    .open()
                    .map_err(|e| RunError::InputsChanged(e.to_string()))?;
                let each: Vec<Result<(u32, T), RunError>> = docs
                    .par_iter()
                    .map_init(
                        || (init(), Vec::new()),
                        |(s, record), &i| {
                            places
                                .record_into(&files, i, record)
                                .map_err(|e| RunError::InputsChanged(e.to_string()))?;
                            let text = text_of(record, spec)
                                .ok_or_else(|| RunError::InputsChanged(ids[i as usize].clone()))?;
                            let t = f(s, i, text);
                            progress.advance(1);
                            Ok((i, t))
                        },
                    )
                    .collect();
                for one in each {
                    done.push(one?);
                }
            }
            TextStore::Reread => {
                let wanted: Vec<u64> = docs.iter().map(|&d| u64::from(d)).collect();
                let mut texts = Vec::with_capacity(BATCH_DOCS);
                let changed = reread_checked(spec, ids, &wanted, |doc| {
                    texts.push((doc.ordinal as u32, doc.text));
                    if texts.len() >= BATCH_DOCS {
                        batch(std::mem::take(&mut texts), &mut done);
                    }
                })?;
                batch(texts, &mut done);
                changed?;
            }
        }
        if done.len() != docs.len() {
            return Err(RunError::InputsChanged(format!(
                "{} documents missing",
                docs.len() - done.len()
            )));
        }
        Ok(done)
    }

    /// Writes the records of `docs` (in increasing order) to `w`, one a line: the exact line of
    /// a JSON Lines record, a `{"id", "text"}` record for a plain file. Each record read again
    /// is checked against what pass 1 read of it (`whence`'s fingerprints, where it has them:
    /// [`Whence::check`]), so that what is copied is what was analysed; held records are what
    /// was read. `fail` names a write error; progress advances by the documents read again.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn write_records<W: Write>(
        &self,
        spec: &CorpusSpec,
        ids: &[String],
        whence: &Whence,
        docs: &[u64],
        w: &mut W,
        fail: impl Fn(io::Error) -> RunError,
        progress: &dyn Progress,
    ) -> Result<(), RunError> {
        match self {
            TextStore::Held(spool) => {
                let mut bytes = Vec::new();
                for &i in docs {
                    let i = i as usize;
                    let raw = spool.raw(i, &mut bytes).map_err(|e| spool.failed(e))?;
                    if raw {
                        w.write_all(&bytes).and_then(|()| w.write_all(b"\n"))
                    } else {
                        let text = String::from_utf8_lossy(&bytes);
                        write_record(w, &ids[i], &text, None)
                    }
                    .map_err(&fail)?;
                }
            }
            TextStore::Placed(places) => places.copy(docs, whence, w, fail)?,
            TextStore::Reread => {
                // The fingerprint of a JSON Lines record is of its raw line: read it again even
                // when the caller's records are rebuilt from their fields.
                let raw_spec;
                let reread_spec = match whence.fingerprints() && !spec.keep_raw {
                    true => {
                        raw_spec = CorpusSpec {
                            keep_raw: true,
                            ..spec.clone()
                        };
                        &raw_spec
                    }
                    false => spec,
                };
                let mut result = Ok(());
                let changed = reread_checked(reread_spec, ids, docs, |doc| {
                    if result.is_ok() {
                        let read = doc.raw.as_deref().unwrap_or(doc.text.as_bytes());
                        let raw = doc.raw.as_deref().filter(|_| spec.keep_raw);
                        result = whence
                            .check(doc.ordinal, read)
                            .and_then(|()| write_record(w, &doc.id, &doc.text, raw).map_err(&fail));
                    }
                    progress.advance(1);
                })?;
                changed?;
                result?;
            }
        }
        Ok(())
    }
}

/// Reads the `wanted` documents (in increasing order) of the inputs again, calling `each` with
/// each: an error of reading, or else whether each id is still the one pass 1 read (as an
/// [`RunError::InputsChanged`] naming the first that is not, left to the caller to raise once it
/// has dealt with what it read).
fn reread_checked(
    spec: &CorpusSpec,
    ids: &[String],
    wanted: &[u64],
    mut each: impl FnMut(CorpusDoc),
) -> Result<Result<(), RunError>, RunError> {
    let mut mismatch = None;
    reread(spec, wanted, |doc| {
        if ids.get(doc.ordinal as usize) != Some(&doc.id) {
            mismatch.get_or_insert(doc.id.clone());
        }
        each(doc);
    })?;
    Ok(match mismatch {
        Some(id) => Err(RunError::InputsChanged(id)),
        None => Ok(()),
    })
}

#[derive(serde::Serialize)]
struct PlainRecord<'a> {
    id: &'a str,
    text: &'a str,
}

/// A document's record and its line end: its raw line, or else a `{"id", "text"}` record.
fn write_record(w: &mut impl Write, id: &str, text: &str, raw: Option<&[u8]>) -> io::Result<()> {
    match raw {
        Some(line) => w.write_all(line)?,
        None => serde_json::to_writer(&mut *w, &PlainRecord { id, text })?,
    }
    w.write_all(b"\n")
}

/// Bytes of the spool gathered before they are written.
const SPOOL_BUFFER: usize = 1 << 20;

/// The texts and raw lines of pass 1, one after the other in an unnamed temporary file (made at
/// the first, in the system's temporary directory, and unlinked at once where the system allows
/// it), with where each lies. The bytes not yet written are read from the buffer.
#[derive(Default)]
pub(super) struct Spool {
    file: Option<File>,
    /// Where it was made, to name it in an error.
    path: PathBuf,
    /// Bytes written to the file.
    written: u64,
    /// The bytes after them, to be written.
    pending: Vec<u8>,
    /// Per document: where its text starts, the text's length, and the length of its raw line
    /// (which follows the text; `u64::MAX` for a plain document, which has none).
    at: Vec<(u64, u64, u64)>,
}

impl Spool {
    /// Appends a document's text and raw line.
    fn push(&mut self, text: &str, raw: Option<&[u8]>) -> io::Result<()> {
        let start = self.written + self.pending.len() as u64;
        self.pending.extend_from_slice(text.as_bytes());
        self.pending.extend_from_slice(raw.unwrap_or_default());
        let raw = raw.map_or(u64::MAX, |r| r.len() as u64);
        self.at.push((start, text.len() as u64, raw));
        if self.pending.len() >= SPOOL_BUFFER {
            if self.file.is_none() {
                let (path, file) = temporary_file()?;
                self.path = path;
                self.file = Some(file);
            }
            let mut file = self.file.as_ref().expect("made above");
            file.write_all(&self.pending)?;
            self.written += self.pending.len() as u64;
            self.pending.clear();
        }
        Ok(())
    }

    /// Reads `len` bytes at `offset` of the spool into `buf`.
    fn read(&self, offset: u64, len: u64, buf: &mut Vec<u8>) -> io::Result<()> {
        let len = usize::try_from(len).map_err(io::Error::other)?;
        buf.resize(len, 0);
        match offset.checked_sub(self.written) {
            // Documents are written whole: one is in the file or in the buffer.
            Some(at) => {
                let at = at as usize;
                buf.copy_from_slice(&self.pending[at..at + len]);
                Ok(())
            }
            None => {
                let file = self.file.as_ref().ok_or(io::ErrorKind::NotFound)?;
                read_exact_at(file, buf, offset)
            }
        }
    }

    /// The text of document `d`, read through `buf`.
    fn text(&self, d: u32, buf: &mut Vec<u8>) -> io::Result<String> {
        let (start, len, _) = self.at[d as usize];
        self.read(start, len, buf)?;
        // Valid UTF-8 when it was spooled: a text read back otherwise would be a broken disk.
        String::from_utf8(std::mem::take(buf)).map_err(io::Error::other)
    }

    /// Document `d`'s raw line read into `buf`, or its text when it has none: whether it was the
    /// raw line.
    fn raw(&self, d: usize, buf: &mut Vec<u8>) -> io::Result<bool> {
        let (start, text, raw) = self.at[d];
        match raw {
            u64::MAX => self.read(start, text, buf).map(|()| false),
            raw => self.read(start + text, raw, buf).map(|()| true),
        }
    }

    /// A failure to read the spool back.
    fn failed(&self, source: io::Error) -> RunError {
        RunError::Write {
            path: self.path.clone(),
            source,
        }
    }
}

#[cfg(not(unix))]
impl Drop for Spool {
    fn drop(&mut self) {
        // Closed first: an open file cannot be removed there.
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// A new file in the system's temporary directory, open for reading and writing, unlinked at
/// once on Unix (it goes when it is closed, or when the process dies).
fn temporary_file() -> io::Result<(PathBuf, File)> {
    let dir = std::env::temp_dir();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    for attempt in 0.. {
        let path = dir.join(format!(
            ".neardup-spool-{}-{nanos}-{attempt}",
            std::process::id()
        ));
        match OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(file) => {
                #[cfg(unix)]
                std::fs::remove_file(&path)?;
                return Ok((path, file));
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => {}
            Err(e) => return Err(e),
        }
    }
    unreachable!("the loop returns")
}

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

    /// The files, opened for [`Places::record_into`].
    pub(super) fn open(&self) -> io::Result<Vec<File>> {
        self.files.iter().map(File::open).collect()
    }

    /// The record of document `d`, read into `buf` (resized to the record, a buffer reused
    /// between calls) from its file (one of `files`, opened from `self.files`) at its offset, so
    /// that threads can read records of the same file at once.
    pub(super) fn record_into(&self, files: &[File], d: u32, buf: &mut Vec<u8>) -> io::Result<()> {
        let (file, offset, len) = self.at[d as usize];
        buf.resize(len as usize, 0);
        read_exact_at(&files[file as usize], buf, offset)
    }

    /// Copies the records of the given documents (in increasing order), one a line, to `w`,
    /// each checked against what pass 1 read of it ([`Whence::check`]). Records that follow each
    /// other in their file, separated by just their line end, are read and written as one range
    /// of up to [`COPY_WINDOW`] bytes: a file with few removed documents goes over in large
    /// reads, each record's bytes fingerprinted in the buffer they are written from, so that the
    /// bytes checked are the bytes written. `fail` names a write error (and a read error, as
    /// the copy always named it).
    pub(super) fn copy<W: Write>(
        &self,
        docs: &[u64],
        whence: &Whence,
        w: &mut W,
        fail: impl Fn(io::Error) -> RunError,
    ) -> Result<(), RunError> {
        let mut open: Option<(u32, File)> = None;
        let mut buf = Vec::new();
        let mut i = 0;
        while i < docs.len() {
            let (file, start, len) = self.at[docs[i] as usize];
            // The window: docs[i..j], one after the other in one file.
            let (mut j, mut end) = (i + 1, start + u64::from(len));
            while let Some(&d) = docs.get(j) {
                let (f, offset, len) = self.at[d as usize];
                if f == file && offset <= end {
                    return Err(fail(io::Error::other("records out of order")));
                }
                let next_end = offset + u64::from(len);
                if f != file || offset != end + 1 || next_end - start > COPY_WINDOW {
                    break;
                }
                (j, end) = (j + 1, next_end);
            }
            if open.as_ref().map(|o| o.0) != Some(file) {
                let opened = File::open(&self.files[file as usize]).map_err(&fail)?;
                open = Some((file, opened));
            }
            buf.resize((end - start) as usize, 0);
            let from = &open.as_ref().expect("opened above").1;
            read_exact_at(from, &mut buf, start).map_err(|e| match e.kind() {
                io::ErrorKind::UnexpectedEof => fail(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the input is shorter than on the first pass",
                )),
                _ => fail(e),
            })?;
            for &d in &docs[i..j] {
                let (_, offset, len) = self.at[d as usize];
                let at = (offset - start) as usize;
                // The line end before it, copied with it, is still a line end.
                if at > 0 && buf[at - 1] != b'\n' {
                    return Err(whence.changed(d));
                }
                whence.check(d, &buf[at..at + len as usize])?;
            }
            w.write_all(&buf).map_err(&fail)?;
            w.write_all(b"\n").map_err(&fail)?;
            i = j;
        }
        Ok(())
    }
}

/// The most bytes of records one read of [`Places::copy`] takes (one record may be larger).
const COPY_WINDOW: u64 = 1 << 20;

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

/// The text field of a JSON Lines record read again, by the readers' one door for it (borrowed
/// from the record when it holds no escape); `None` when the record no longer gives one.
pub(super) fn text_of<'r>(record: &'r [u8], spec: &CorpusSpec) -> Option<Cow<'r, str>> {
    record_text(record, spec).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Silent;

    /// A JSON Lines file of `texts` (ids `d0`, `d1`, ...), its spec, and the store pass 1 would
    /// have filled for it.
    fn placed(dir: &Path, texts: &[&str]) -> (CorpusSpec, Vec<String>, TextStore) {
        let path = dir.join("c.jsonl");
        let ids: Vec<String> = (0..texts.len()).map(|i| format!("d{i}")).collect();
        let lines: Vec<String> = ids
            .iter()
            .zip(texts)
            .map(|(id, text)| format!("{{\"id\":\"{id}\",\"text\":\"{text}\"}}\n"))
            .collect();
        std::fs::write(&path, lines.concat()).unwrap();
        let mut store = TextStore::new(false, false);
        let mut at = 0;
        for line in &lines {
            let len = line.len() as u64 - 1;
            store.place(&path, Some(at), Some(len));
            at += len + 1;
        }
        (CorpusSpec::new([path]), ids, store)
    }

    fn texts(
        store: &TextStore,
        spec: &CorpusSpec,
        ids: &[String],
        docs: &[u32],
    ) -> Result<Vec<(u32, String)>, RunError> {
        let into = |_: &mut (), _: u32, t: Cow<'_, str>| t.into_owned();
        store.map_texts(spec, ids, docs, || (), into, &Silent)
    }

    #[test]
    fn every_store_gives_the_same_texts_and_records() {
        let dir = tempfile::tempdir().unwrap();
        let (spec, ids, placed) = placed(dir.path(), &["one two", "three", "four \\u00e9"]);
        assert!(matches!(placed, TextStore::Placed(_)));
        let mut held = TextStore::new(true, false);
        let raw = std::fs::read_to_string(&spec.inputs[0]).unwrap();
        for (line, text) in raw.lines().zip(["one two", "three", "four é"]) {
            held.hold(text, Some(line.as_bytes())).unwrap();
        }
        let want = vec![(0, "one two".to_string()), (2, "four é".to_string())];
        let mut records = Vec::new();
        for store in [&held, &placed, &TextStore::Reread] {
            assert_eq!(texts(store, &spec, &ids, &[0, 2]).unwrap(), want);
            let mut out = Vec::new();
            store
                .write_records(
                    &spec,
                    &ids,
                    &Whence::default(),
                    &[0, 2],
                    &mut out,
                    |e| panic!("{e}"),
                    &Silent,
                )
                .unwrap();
            records.push(out);
        }
        let lines: Vec<&str> = raw.lines().collect();
        assert_eq!(
            records[0],
            format!("{}\n{}\n", lines[0], lines[2]).as_bytes()
        );
        assert!(records.iter().all(|r| r == &records[0]));
    }

    #[test]
    fn held_texts_come_back_from_the_spool_and_its_buffer() {
        // Enough to be written to the file a few times over, with the last ones still buffered.
        let texts: Vec<String> = (0..3000)
            .map(|i| format!("{i} {}", "w ".repeat(i % 700)))
            .collect();
        let ids: Vec<String> = (0..texts.len()).map(|i| format!("d{i}")).collect();
        let mut held = TextStore::new(true, false);
        for (i, text) in texts.iter().enumerate() {
            let line = format!("{{\"id\":\"{}\",\"text\":\"{text}\"}}", ids[i]);
            // Every third document a plain one, without a raw line.
            let raw = (i % 3 != 0).then_some(line.as_bytes());
            held.hold(text, raw).unwrap();
        }
        let TextStore::Held(spool) = &held else {
            panic!("not held")
        };
        assert!(spool.written > 2 * SPOOL_BUFFER as u64 && !spool.pending.is_empty());
        let docs: Vec<u32> = (0..3000).step_by(7).chain([2998, 2999]).collect();
        let want: Vec<(u32, String)> = docs
            .iter()
            .map(|&d| (d, texts[d as usize].clone()))
            .collect();
        let spec = CorpusSpec::default();
        assert_eq!(texts_of(&held, &spec, &ids, &docs), want);
        let mut out = Vec::new();
        let records: Vec<u64> = docs.iter().map(|&d| u64::from(d)).collect();
        held.write_records(
            &spec,
            &ids,
            &Whence::default(),
            &records,
            &mut out,
            |e| panic!("{e}"),
            &Silent,
        )
        .unwrap();
        let lines: Vec<String> = records
            .iter()
            .map(|&d| {
                let (id, text) = (&ids[d as usize], &texts[d as usize]);
                match d % 3 {
                    0 => serde_json::json!({"id": id, "text": text}).to_string(),
                    _ => format!("{{\"id\":\"{id}\",\"text\":\"{text}\"}}"),
                }
            })
            .collect();
        assert_eq!(String::from_utf8(out).unwrap(), lines.join("\n") + "\n");
    }

    fn texts_of(
        store: &TextStore,
        spec: &CorpusSpec,
        ids: &[String],
        docs: &[u32],
    ) -> Vec<(u32, String)> {
        texts(store, spec, ids, docs).unwrap()
    }

    #[test]
    fn a_changed_input_is_an_error_naming_the_document() {
        let dir = tempfile::tempdir().unwrap();
        let (spec, mut ids, placed) = placed(dir.path(), &["one two", "three"]);
        // Another id on the second pass.
        ids[1] = "other".into();
        let err = texts(&TextStore::Reread, &spec, &ids, &[0, 1]).unwrap_err();
        assert!(
            matches!(&err, RunError::InputsChanged(id) if id == "d1"),
            "{err}"
        );
        // A record without its text where pass 1 found it.
        let lines = "{\"id\":\"d0\",\"text\":\"one two\"}\n{\"id\":\"d1\",\"txet\":\"three\"}\n";
        std::fs::write(&spec.inputs[0], lines).unwrap();
        let err = texts(&placed, &spec, &ids, &[1]).unwrap_err();
        assert!(
            matches!(&err, RunError::InputsChanged(id) if id == "other"),
            "{err}"
        );
        // A document gone.
        std::fs::write(&spec.inputs[0], "{\"id\":\"d0\",\"text\":\"one two\"}\n").unwrap();
        let err = texts(&TextStore::Reread, &spec, &ids, &[0, 1]).unwrap_err();
        assert!(
            matches!(&err, RunError::InputsChanged(m) if m == "1 documents missing"),
            "{err}"
        );
    }

    #[test]
    fn a_record_copied_is_checked_against_what_pass_1_read() {
        let dir = tempfile::tempdir().unwrap();
        let (spec, ids, placed) = placed(dir.path(), &["one two", "three", "four five"]);
        let raw = std::fs::read(&spec.inputs[0]).unwrap();
        let mut whence = Whence::new(true);
        for (k, line) in raw.split(|&b| b == b'\n').take(3).enumerate() {
            whence.push(&spec.inputs[0], Some(k + 1), fingerprint(line));
        }
        let copy = |store: &TextStore, docs: &[u64]| {
            let mut out = Vec::new();
            let fail = |e: io::Error| RunError::Write {
                path: "out".into(),
                source: e,
            };
            store
                .write_records(&spec, &ids, &whence, docs, &mut out, fail, &Silent)
                .map(|()| out)
        };
        for store in [&placed, &TextStore::Reread] {
            assert_eq!(copy(store, &[0, 1, 2]).unwrap(), raw);
        }
        // The second record rewritten in place, its length and id kept: a change either way.
        let changed = String::from_utf8(raw.clone())
            .unwrap()
            .replace("three", "thr3e");
        std::fs::write(&spec.inputs[0], changed).unwrap();
        for store in [&placed, &TextStore::Reread] {
            let lines: Vec<&[u8]> = raw.split_inclusive(|&b| b == b'\n').collect();
            assert_eq!(copy(store, &[0, 2]).unwrap(), [lines[0], lines[2]].concat());
            let err = copy(store, &[0, 1, 2]).unwrap_err();
            assert!(
                matches!(err, RunError::Changed { line: Some(2), .. }),
                "{err}"
            );
            assert!(err
                .to_string()
                .ends_with("c.jsonl line 2 changed since it was read"));
        }
    }
}
