//! JSON Lines: a decompressed [`Stream`] in, its lines out, each placed (input, file, line, byte
//! offset) and parsed into a record, a blank, or a bad line that names itself.
//!
//! A stream is read in one of two ways, one per mode of the reader:
//!
//! - [`JsonlStream::step`], a line at a time into one reused buffer, parsed at once (the
//!   iterator, [`reread`](super::reread));
//! - [`JsonlStream::chunk`], whole lines by the megabyte into a [`LineChunk`], to be parsed
//!   elsewhere, on another thread, with [`LineChunk::parse`] (the dedup run's first pass).
//!
//! Both turn a line into what a run takes from it through the same two steps, so that they read
//! exactly the same documents and errors: [`parse_line`] (a byte-order mark dropped from line 1,
//! the size limit, then the record's fields by [`parse_record`]), then [`Line::place`] (the id
//! defaulted to `<file>:<line>`, a bad line made an error naming the file and line, with the
//! origin a [`Skipped`](super::Skipped) entry needs). What to do with a bad line is then
//! [`OnError::decide`](super::OnError::decide)'s.

use std::io::{self, BufRead, Read};
use std::path::{Path, PathBuf};

use super::record::parse_record;
use super::stream::{Compression, Stream, BUFFER};
use super::{path_text, CorpusDoc, CorpusSpec, Origin, ReadError, ReadErrorKind};

/// A JSON Lines stream being read.
pub(super) struct JsonlStream {
    input: usize,
    pub(super) path: PathBuf,
    reader: Stream,
    compression: Compression,
    /// Lines read so far.
    line: usize,
    /// Decompressed bytes read so far.
    pub(super) offset: u64,
    /// Chunk mode: the start of a line read past the end of the last chunk.
    carry: Vec<u8>,
    /// Chunk mode: the error that ended the last chunk, to be reported after its lines.
    broken: Option<io::Error>,
}

/// The outcome of reading one more record from a JSON Lines stream.
pub(super) enum Step {
    /// The stream is at its end.
    End,
    /// A document; its fields are empty unless it was wanted.
    Doc(CorpusDoc),
    /// A bad line: the stream can go on.
    BadLine(ReadError, Origin),
    /// The stream broke: give it up.
    Broken(ReadError, Origin),
}

/// What [`JsonlStream::chunk`] read.
pub(super) enum ChunkStep {
    /// The stream is at its end.
    End,
    /// Whole lines.
    Lines(LineChunk),
    /// The stream broke: give it up.
    Broken(ReadError, Origin),
}

impl JsonlStream {
    pub(super) fn new(
        input: usize,
        path: PathBuf,
        reader: Stream,
        compression: Compression,
    ) -> Self {
        JsonlStream {
            input,
            path,
            reader,
            compression,
            line: 0,
            offset: 0,
            carry: Vec::new(),
            broken: None,
        }
    }

    /// Where line `line` of this stream is.
    fn at(&self, line: usize) -> LineAt<'_> {
        LineAt {
            input: self.input,
            path: &self.path,
            line,
        }
    }

    /// The stream broke with `e` after the lines read so far: the error, at the next line, and
    /// its origin, at the offset reached.
    fn broken_at(&self, e: io::Error) -> (ReadError, Origin) {
        let at = self.at(self.line + 1);
        let kind = self.compression.read_error(&self.path, e);
        let error = ReadError::new(&self.path, kind).at_line(at.line);
        (error, at.origin(self.offset, None))
    }

    /// The next document or error, numbered `ordinal`; blank lines are passed over. Its fields
    /// are copied out only if `keep`. `buf` is the reused line buffer.
    pub(super) fn step(
        &mut self,
        buf: &mut Vec<u8>,
        spec: &CorpusSpec,
        keep: bool,
        ordinal: u64,
    ) -> Step {
        loop {
            buf.clear();
            let n = match self.reader.read_until(b'\n', buf) {
                Ok(0) => return Step::End,
                Ok(n) => n,
                Err(e) => {
                    let (error, origin) = self.broken_at(e);
                    return Step::Broken(error, origin);
                }
            };
            let start = self.offset;
            self.offset += n as u64;
            self.line += 1;
            let record = buf.strip_suffix(b"\n").unwrap_or(buf);
            let at = self.at(self.line);
            let line = parse_line(spec, at.line, start, record, keep, &mut String::new());
            match line.place(at, keep) {
                Placed::Blank => continue,
                Placed::Record {
                    id,
                    text,
                    start,
                    length,
                } => {
                    let raw = (keep && spec.keep_raw)
                        .then(|| record[record.len() - length as usize..].to_vec());
                    return Step::Doc(CorpusDoc {
                        ordinal,
                        id,
                        text,
                        origin: at.origin(start, Some(length)),
                        raw,
                    });
                }
                Placed::Bad { error, origin } => return Step::BadLine(error, origin),
            }
        }
    }

    /// The next whole lines, at least `max` bytes of them unless the stream ends first. A stream
    /// that breaks gives its whole lines first and the error on the next call, at the line and
    /// offset where [`JsonlStream::step`] would report it.
    /// `spare`, a buffer of an earlier chunk handed back, is filled instead of a new one.
    pub(super) fn chunk(&mut self, max: usize, spare: Option<Vec<u8>>) -> ChunkStep {
        let broken = |stream: &Self, e: io::Error| {
            let (error, origin) = stream.broken_at(e);
            ChunkStep::Broken(error, origin)
        };
        if let Some(e) = self.broken.take() {
            return broken(self, e);
        }
        let mut data = spare.unwrap_or_default();
        data.clear();
        data.reserve(max + BUFFER);
        data.extend_from_slice(&self.carry);
        self.carry.clear();
        let mut eof = false;
        // Bytes of `data` known to hold no line end.
        let mut searched = 0;
        loop {
            if data.len() >= max && memchr::memchr(b'\n', &data[searched..]).is_some() {
                break;
            }
            searched = data.len();
            // Straight into `data`'s spare room (a large read bypasses the stream's buffer), not
            // through the buffer and a second copy.
            let want = (max + BUFFER).saturating_sub(data.len()).max(BUFFER);
            match (&mut self.reader).take(want as u64).read_to_end(&mut data) {
                Ok(0) => {
                    eof = true;
                    break;
                }
                Ok(_) => {}
                // `read_to_end` retries an interrupted read itself.
                Err(e) => {
                    self.broken = Some(e);
                    break;
                }
            }
        }
        let end = if eof {
            data.len()
        } else {
            memchr::memrchr(b'\n', &data).map_or(0, |p| p + 1)
        };
        // A partial line before an error is lost, as with `read_until`.
        if self.broken.is_none() {
            self.carry.extend_from_slice(&data[end..]);
        }
        data.truncate(end);
        if data.is_empty() {
            return match self.broken.take() {
                Some(e) => broken(self, e),
                None => ChunkStep::End,
            };
        }
        let lines = memchr::memchr_iter(b'\n', &data).count() + usize::from(!data.ends_with(b"\n"));
        let chunk = LineChunk {
            input: self.input,
            path: self.path.clone(),
            first_line: self.line + 1,
            offset: self.offset,
            data,
        };
        self.line += lines;
        self.offset += chunk.data.len() as u64;
        ChunkStep::Lines(chunk)
    }
}

/// Whole lines of one JSON Lines file, read in one piece so that they can be parsed elsewhere
/// (by [`LineChunk::parse`], on another thread) than where they were read.
pub(crate) struct LineChunk {
    /// The index of the input in [`CorpusSpec::inputs`].
    pub input: usize,
    /// The file.
    pub path: PathBuf,
    /// The number of the first line, from 1.
    pub first_line: usize,
    /// Where the first line starts in the decompressed stream.
    pub offset: u64,
    /// The lines, each with its `\n` (the last line of a file may lack it).
    pub data: Vec<u8>,
}

/// One line of a [`LineChunk`], parsed.
pub(crate) enum Line {
    /// A blank line: no document, no error.
    Blank,
    /// A record: its id (`None` when missing or null), its text, and where it lies.
    Record {
        id: Option<String>,
        text: String,
        start: u64,
        length: u64,
    },
    /// A bad line; `start` is where it starts.
    Bad { kind: ReadErrorKind, start: u64 },
}

impl LineChunk {
    /// Each line's number, its start in the stream and its bytes without the `\n`.
    pub fn lines(&self) -> impl Iterator<Item = (usize, u64, &[u8])> + '_ {
        let mut at = 0;
        let data = &self.data;
        (self.first_line..).map_while(move |line| {
            if at >= data.len() {
                return None;
            }
            let from = at;
            at = memchr::memchr(b'\n', &data[at..]).map_or(data.len(), |p| at + p + 1);
            let bytes = data[from..at]
                .strip_suffix(b"\n")
                .unwrap_or(&data[from..at]);
            Some((line, self.offset + from as u64, bytes))
        })
    }

    /// Parses one line given by [`LineChunk::lines`], exactly as
    /// [`CorpusReader`](super::CorpusReader) does; [`Line::place`] then places it in the file,
    /// with [`LineChunk::at`].
    /// `spare` is a buffer a text with escapes may be decoded into (taken; a caller done with
    /// an earlier text can hand its `String` back there).
    pub fn parse(
        spec: &CorpusSpec,
        line: usize,
        start: u64,
        bytes: &[u8],
        spare: &mut String,
    ) -> Line {
        parse_line(spec, line, start, bytes, true, spare)
    }

    /// Where line `line` (a number [`LineChunk::lines`] gives) of this chunk is.
    pub fn at(&self, line: usize) -> LineAt<'_> {
        LineAt {
            input: self.input,
            path: &self.path,
            line,
        }
    }
}

/// Where a JSON Lines line is: its input, its file and its number.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LineAt<'p> {
    /// The index of the input in [`CorpusSpec::inputs`].
    pub input: usize,
    /// The file.
    pub path: &'p Path,
    /// The line, from 1.
    pub line: usize,
}

impl LineAt<'_> {
    /// The id of a record without one: `<file>:<line>`.
    pub fn default_id(&self) -> String {
        format!("{}:{}", path_text(self.path), self.line)
    }

    /// The origin of this line's record, starting at `start` in the stream and `length` long, or
    /// of a bad line (`length` is `None`).
    pub fn origin(&self, start: u64, length: Option<u64>) -> Origin {
        Origin {
            input: self.input,
            path: self.path.to_path_buf(),
            line: Some(self.line),
            byte_offset: Some(start),
            length,
        }
    }
}

/// A parsed line as a corpus run takes it, placed in its file by [`Line::place`].
pub(crate) enum Placed {
    /// A blank line: no document, no error.
    Blank,
    /// A document: its id (the record's own, or `<file>:<line>`; empty when its fields were not
    /// kept), its text, and where its record lies in the stream.
    Record {
        id: String,
        text: String,
        start: u64,
        length: u64,
    },
    /// A bad line: the error, naming the file and the line, and its origin, for
    /// [`OnError::decide`](super::OnError::decide) to stop the run with or to list as skipped.
    Bad { error: ReadError, origin: Origin },
}

impl Line {
    /// This line, number `at.line` of `at.path`, turned into a document or a placed error: the
    /// one step from a parsed line to what a corpus run takes, for the reader and for a caller
    /// that parses [`LineChunk`]s itself. A record without an id gets `<file>:<line>`, unless
    /// its fields were not `kept` (then the id stays empty, unbuilt).
    pub(crate) fn place(self, at: LineAt<'_>, kept: bool) -> Placed {
        match self {
            Line::Blank => Placed::Blank,
            Line::Record {
                id,
                text,
                start,
                length,
            } => {
                let id = match id {
                    Some(id) => id,
                    None if kept => at.default_id(),
                    None => String::new(),
                };
                Placed::Record {
                    id,
                    text,
                    start,
                    length,
                }
            }
            Line::Bad { kind, start } => Placed::Bad {
                error: ReadError::new(at.path, kind).at_line(at.line),
                origin: at.origin(start, None),
            },
        }
    }
}

/// One JSON Lines line (without its `\n`), number `line` and starting at `start` in its
/// stream: a byte-order mark is dropped from line 1, then the record is parsed, its fields
/// copied out only if `keep`. `spare` is a buffer a text with escapes may be decoded into.
pub(super) fn parse_line(
    spec: &CorpusSpec,
    line: usize,
    start: u64,
    bytes: &[u8],
    keep: bool,
    spare: &mut String,
) -> Line {
    let (mut start, mut record) = (start, bytes);
    if line == 1 {
        if let Some(rest) = record.strip_prefix("\u{feff}".as_bytes()) {
            record = rest;
            start += 3;
        }
    }
    // The record's length, not its text's, so that every pass (whether it copies the fields out
    // or not) refuses the same lines.
    if record.len() > spec.max_doc_bytes {
        let kind = ReadErrorKind::TooLarge {
            bytes: record.len() as u64,
            limit: spec.max_doc_bytes as u64,
        };
        return Line::Bad { kind, start };
    }
    match parse_record(record, spec, keep, (line, start), spare) {
        Ok(None) => Line::Blank,
        Ok(Some(parsed)) => {
            let (id, text) = parsed.unwrap_or_default();
            Line::Record {
                id,
                text,
                start,
                length: record.len() as u64,
            }
        }
        Err(kind) => Line::Bad { kind, start },
    }
}
