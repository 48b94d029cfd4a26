//! The corpus reader: a [`CorpusSpec`] in, its documents out in input order, one at a time
//! ([`CorpusReader`] as an iterator, [`read_corpus`], [`reread`]) or, for the dedup run's first
//! pass, as whole chunks of lines to be parsed on other threads ([`CorpusReader::next_chunk`]).
//!
//! It drives the layers below: the [walk](super::walk) finds the files, [streams](super::stream)
//! open and decompress them, a JSON Lines file is read [line by line](super::lines) and a plain
//! file [whole](super::file). The two modes share everything but the reading of an open JSON
//! Lines stream, so each has its own loop ([`CorpusReader::advance`], [`CorpusReader::next_chunk`])
//! around the one step that moves the walk on ([`CorpusReader::walk_on`]); what to do with a bad
//! line or file is [`OnError::decide`]'s, whichever mode met it. Nothing is opened before the
//! first document is asked for, and nothing is kept of a file once it is read, so a corpus of
//! gigabytes streams through in the memory of one line (or one chunk) and one plain file, each
//! bounded by the size limit however long the line or large the file is.

use std::fmt;
use std::io;
use std::iter::FusedIterator;
use std::ops::ControlFlow;
use std::path::PathBuf;

use super::file::read_whole;
use super::lines::{ChunkStep, JsonlStream, LineChunk, Step};
use super::stream::{format_of, open_file, open_sniffed, open_stream, Compression};
use super::walk::{first_stream, is_stdin, Found, Walk};
use super::{
    path_text, CorpusDoc, CorpusSpec, CorpusSummary, Origin, ReadError, ReadErrorKind, ReadOptions,
    Skipped,
};

#[cfg(doc)]
use super::OnError;

/// Reads a corpus, handing each document to `each` in order, until the end or until `each` breaks.
///
/// With [`OnError::Stop`] the first error is returned; with [`OnError::Skip`] errors are in the
/// summary's `skipped` and this returns `Ok`.
pub fn read_corpus(
    spec: &CorpusSpec,
    mut each: impl FnMut(CorpusDoc) -> ControlFlow<()>,
) -> Result<CorpusSummary, ReadError> {
    let mut reader = CorpusReader::new(spec);
    for doc in reader.by_ref() {
        if each(doc?).is_break() {
            break;
        }
    }
    Ok(reader.into_summary())
}

/// Reads the corpus again and hands to `each`, in stream order, the documents whose ordinal is in
/// `wanted` (any order; duplicates are ignored). Returns how many it handed over.
///
/// The ordinals are those of a first pass with the same spec over the same, unchanged inputs:
/// blank and skipped lines take none, so they line up. Fewer documents than wanted means the
/// inputs changed (or an ordinal was out of range); the caller may also check that the ids match.
/// Reading stops as soon as the last wanted document is found. Documents that are not wanted are
/// parsed and checked (the ordinals depend on it) but their texts are not copied out.
///
/// A spec with `-` among its inputs is refused with [`ReadErrorKind::NotRereadable`]: standard
/// input was consumed by the first pass; so is one naming a stream (a FIFO, a process
/// substitution), with [`ReadErrorKind::ReadOnce`].
pub fn reread(
    spec: &CorpusSpec,
    wanted: &[u64],
    mut each: impl FnMut(CorpusDoc),
) -> Result<u64, ReadError> {
    if let Some(stdin) = spec.inputs.iter().find(|p| is_stdin(p)) {
        return Err(ReadError::new(stdin, ReadErrorKind::NotRereadable));
    }
    if let Some(stream) = first_stream(&spec.inputs) {
        return Err(ReadError::new(stream, ReadErrorKind::ReadOnce));
    }
    let mut wanted = wanted.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    let mut reader = CorpusReader::new(spec);
    let mut handed = 0;
    while handed < wanted.len() as u64 {
        let mut want = |ordinal: u64| wanted.binary_search(&ordinal).is_ok();
        match reader.advance(&mut want) {
            None => break,
            Some(doc) => {
                each(doc?);
                handed += 1;
            }
        }
    }
    Ok(handed)
}

/// Chunk buffers a [`CorpusReader`] keeps for reuse: as many as a pipeline holds at once.
const SPARE_BUFFERS: usize = 8;

/// A piece of the inputs in chunk mode ([`CorpusReader::next_chunk`]).
pub(crate) enum Unit {
    /// Whole lines of a JSON Lines file.
    Lines(LineChunk),
    /// The document of a plain-text file.
    Doc(CorpusDoc),
}

/// What one step of the walk ([`CorpusReader::walk_on`]) gave.
enum Walked {
    /// A plain file's document, wanted.
    Doc(CorpusDoc),
    /// The error that stops the run.
    Stop(ReadError),
    /// Nothing to hand over: a JSON Lines stream was opened, or a bad input skipped, or a
    /// document not wanted counted.
    On,
    /// Every input has been read.
    End,
}

/// A streaming reader of the documents of a [`CorpusSpec`], in input order.
///
/// It yields `Ok` documents, and with [`OnError::Stop`] at most one `Err`, after which it yields
/// nothing more; with [`OnError::Skip`] it never yields an `Err` and keeps the [`Skipped`] entries
/// instead. It is `Send`, so it can feed a pipeline from another thread.
pub struct CorpusReader {
    spec: CorpusSpec,
    /// Where the walk over the inputs stands.
    walk: Walk,
    /// The JSON Lines stream being read.
    stream: Option<JsonlStream>,
    /// The reused line buffer.
    buf: Vec<u8>,
    /// The ordinal of the next document.
    ordinal: u64,
    /// Bytes of the files finished.
    bytes: u64,
    files: u64,
    skipped: Vec<Skipped>,
    done: bool,
    /// Buffers of parsed chunks handed back ([`CorpusReader::recycle`]).
    spare: Vec<Vec<u8>>,
}

impl fmt::Debug for CorpusReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CorpusReader")
            .field("spec", &self.spec)
            .field("input", &self.walk.input())
            .field("file", &self.stream.as_ref().map(|s| &s.path))
            .field("ordinal", &self.ordinal)
            .field("skipped", &self.skipped.len())
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl CorpusReader {
    /// A reader of `spec`'s inputs; nothing is opened before the first document is asked for.
    pub fn new(spec: &CorpusSpec) -> Self {
        CorpusReader {
            spec: spec.clone(),
            walk: Walk::default(),
            stream: None,
            buf: Vec::with_capacity(64 * 1024),
            ordinal: 0,
            bytes: 0,
            files: 0,
            skipped: Vec::new(),
            done: false,
            spare: Vec::new(),
        }
    }

    /// The lines and files passed over so far ([`OnError::Skip`]).
    pub fn skipped(&self) -> &[Skipped] {
        &self.skipped
    }

    /// Documents produced so far.
    pub fn docs(&self) -> u64 {
        self.ordinal
    }

    /// Bytes read so far, after decompression.
    pub fn bytes(&self) -> u64 {
        self.bytes + self.stream.as_ref().map_or(0, |s| s.offset)
    }

    /// What was read, with the skipped entries.
    pub fn into_summary(self) -> CorpusSummary {
        CorpusSummary {
            docs: self.ordinal,
            bytes: self.bytes(),
            skipped: self.skipped,
            files: self.files,
        }
    }

    /// A bad line or file, decided by [`OnError::decide`]: the error to yield in stop mode (and
    /// the reader ends), `None` in skip mode, where it is recorded.
    fn fail(&mut self, error: ReadError, origin: Origin) -> Option<ReadError> {
        match self.spec.on_error.decide(error, origin, &mut self.skipped) {
            Ok(()) => None,
            Err(error) => {
                self.done = true;
                self.stream = None;
                self.walk.stop();
                Some(error)
            }
        }
    }

    /// Ends the current JSON Lines stream, counting its bytes.
    fn close_stream(&mut self) {
        if let Some(stream) = self.stream.take() {
            self.bytes += stream.offset;
        }
    }

    /// The next document whose ordinal `want` accepts (the others are counted and dropped
    /// unbuilt), or the error that stops the run, or `None` at the end: the iterator's mode,
    /// a JSON Lines stream read a line at a time.
    fn advance(
        &mut self,
        want: &mut dyn FnMut(u64) -> bool,
    ) -> Option<Result<CorpusDoc, ReadError>> {
        while !self.done {
            let Some(stream) = self.stream.as_mut() else {
                match self.walk_on(want) {
                    Walked::Doc(doc) => return Some(Ok(doc)),
                    Walked::Stop(error) => return Some(Err(error)),
                    Walked::On => continue,
                    Walked::End => break,
                }
            };
            let keep = want(self.ordinal);
            match stream.step(&mut self.buf, &self.spec, keep, self.ordinal) {
                Step::End => self.close_stream(),
                Step::Doc(doc) => {
                    self.ordinal += 1;
                    if keep {
                        return Some(Ok(doc));
                    }
                }
                Step::BadLine(error, origin) => {
                    if let Some(error) = self.fail(error, origin) {
                        return Some(Err(error));
                    }
                }
                Step::Broken(error, origin) => {
                    self.close_stream();
                    if let Some(error) = self.fail(error, origin) {
                        return Some(Err(error));
                    }
                }
            }
        }
        None
    }

    /// In chunk mode, the next piece of the inputs: whole lines of a JSON Lines file (about `max`
    /// bytes of them), to be parsed by the caller with [`LineChunk::parse`], or a plain file's
    /// document. Skipped files and broken streams are recorded ([`CorpusReader::skipped`]) before
    /// the chunk that follows them is returned, so a caller that looks at the skipped entries
    /// after each call sees them in reading order. The reader does not parse the lines, so it
    /// does not count their documents: ordinals and [`CorpusReader::docs`] are the caller's
    /// business in chunk mode.
    pub(crate) fn next_chunk(&mut self, max: usize) -> Option<Result<Unit, ReadError>> {
        while !self.done {
            let Some(stream) = self.stream.as_mut() else {
                match self.walk_on(&mut |_| true) {
                    Walked::Doc(doc) => return Some(Ok(Unit::Doc(doc))),
                    Walked::Stop(error) => return Some(Err(error)),
                    Walked::On => continue,
                    Walked::End => break,
                }
            };
            match stream.chunk(&self.spec, max, self.spare.pop()) {
                ChunkStep::Lines(lines) => return Some(Ok(Unit::Lines(lines))),
                ChunkStep::End => self.close_stream(),
                ChunkStep::BadLine(error, origin) => {
                    if let Some(error) = self.fail(error, origin) {
                        return Some(Err(error));
                    }
                }
                ChunkStep::Broken(error, origin) => {
                    self.close_stream();
                    if let Some(error) = self.fail(error, origin) {
                        return Some(Err(error));
                    }
                }
            }
        }
        None
    }

    /// Hands back the buffer of a [`LineChunk`] that has been parsed, for a later chunk to
    /// fill: its pages stay mapped, where a new buffer would fault each of them in again.
    pub(crate) fn recycle(&mut self, buffer: Vec<u8>) {
        if self.spare.len() < SPARE_BUFFERS {
            self.spare.push(buffer);
        }
    }

    /// Moves the walk on by one file, when no JSON Lines stream is open: a JSON Lines file (or
    /// standard input) becomes the current stream, a plain file is read whole and its document
    /// given if `want` accepts its ordinal, an input that cannot be read is decided.
    fn walk_on(&mut self, want: &mut dyn FnMut(u64) -> bool) -> Walked {
        let opened = match self.walk.next(&self.spec.inputs) {
            None => {
                self.done = true;
                return Walked::End;
            }
            Some(Err(failed)) => Err(failed),
            Some(Ok(Found::Stdin(path))) => self.open_stdin(path),
            Some(Ok(Found::File(path))) => self.open(path, false, want),
            Some(Ok(Found::Stream(path))) => self.open(path, true, want),
        };
        match opened {
            Ok(Some(doc)) => Walked::Doc(doc),
            Ok(None) => Walked::On,
            Err((error, origin)) => match self.fail(error, origin) {
                Some(error) => Walked::Stop(error),
                None => Walked::On,
            },
        }
    }

    /// Opens standard input as the current JSON Lines stream.
    #[allow(clippy::result_large_err)] // errors are rare: a cold path
    fn open_stdin(&mut self, path: PathBuf) -> Result<Option<CorpusDoc>, (ReadError, Origin)> {
        self.files += 1;
        let input = self.walk.input();
        let (reader, compression) = open_sniffed(io::stdin()).map_err(|e| {
            let error = ReadError::new(&path, ReadErrorKind::Io(e));
            (error, Origin::file(input, &path))
        })?;
        self.stream = Some(JsonlStream::new(input, path, reader, compression));
        Ok(None)
    }

    /// Opens a file, a regular one or a `stream` (its format then sniffed when its name does not
    /// tell it): a JSON Lines file becomes the current stream, a plain file is read whole and
    /// returned as a document if wanted.
    #[allow(clippy::result_large_err)] // errors are rare: a cold path
    fn open(
        &mut self,
        path: PathBuf,
        stream: bool,
        want: &mut dyn FnMut(u64) -> bool,
    ) -> Result<Option<CorpusDoc>, (ReadError, Origin)> {
        let input = self.walk.input();
        self.files += 1;
        let opened = if stream {
            open_stream(&path)
        } else {
            let (jsonl, compression) = format_of(&path);
            open_file(&path, compression).map(|reader| (reader, jsonl, compression))
        };
        let (mut reader, jsonl, compression) = match opened {
            Ok(opened) => opened,
            Err(kind) => {
                let origin = Origin::file(input, &path);
                return Err((ReadError::new(path, kind), origin));
            }
        };
        if jsonl {
            self.stream = Some(JsonlStream::new(input, path, reader, compression));
            return Ok(None);
        }
        let origin = Origin::file(input, &path);
        let options = ReadOptions {
            lossy: self.spec.lossy,
            max_bytes: self.spec.max_doc_bytes,
        };
        let sized = compression == Compression::None;
        let (read, text) = read_whole(&mut reader, &path, sized, options, |e| {
            compression.read_error(&path, e)
        });
        self.bytes += read;
        let text = text.map_err(|kind| (ReadError::new(&path, kind), origin.clone()))?;
        let ordinal = self.ordinal;
        self.ordinal += 1;
        Ok(want(ordinal).then(|| CorpusDoc {
            ordinal,
            id: path_text(&path).into_owned(),
            text,
            date: None,
            origin,
            raw: None,
        }))
    }
}

impl Iterator for CorpusReader {
    type Item = Result<CorpusDoc, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.advance(&mut |_| true)
    }
}

impl FusedIterator for CorpusReader {}
