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
//!
//! Neither mode buffers a line past the size limit ([`CorpusSpec::max_doc_bytes`], and a
//! byte-order mark): as soon as a line has more bytes than that before its `\n`, it stops being
//! kept, whatever the stream (an endless line on standard input, a compressed bomb). In stop mode
//! it is then an error at once ([`ReadErrorKind::PastLimit`]: its end is not looked for); with
//! [`OnError::Skip`] the rest of it is read and dropped in the stream buffer's memory, and it is a
//! bad line of its size ([`ReadErrorKind::TooLarge`]), reading going on at the next line. Memory
//! is thus one limit's worth a line (or a chunk and one limit), whatever the input.

use std::io::{self, BufRead, Read};
use std::path::{Path, PathBuf};

use super::record::parse_record;
use super::stream::{Compression, Stream, BUFFER};
use super::{path_text, CorpusDoc, CorpusSpec, Date, OnError, Origin, ReadError, ReadErrorKind};

/// The byte-order mark dropped from line 1 before its size is checked.
const BOM: &[u8] = "\u{feff}".as_bytes();

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
    /// Chunk mode: the line after the last chunk passed the limit, to be dealt with after its
    /// lines ([`JsonlStream::past_limit`]).
    past: Option<Past>,
}

/// A line that grew past the size limit before its end was found: what was read of it, and
/// dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Past {
    /// Bytes of it read, without its `\n`.
    seen: u64,
    /// Whether its `\n` was read too (then `seen` is its whole length).
    ended: bool,
    /// Whether it starts with a byte-order mark that is not part of its record (line 1).
    bom: bool,
}

/// How [`read_line_bounded`] left a line.
#[derive(Debug, PartialEq, Eq)]
enum Bounded {
    /// Read whole (with its `\n`, unless the stream ended first); this many bytes.
    Line(usize),
    /// Past the limit: only its first bytes are in the buffer.
    Past(Past),
}

/// Reads one line into `buf` (cleared first), with its `\n`, as `read_until` does, but no more
/// than `keep` bytes of it: a line with more than `keep` bytes before its `\n` is given up as soon
/// as that is seen, with `keep + 1` of its bytes in `buf` (enough to tell a byte-order mark),
/// the rest of it left unread unless its `\n` was already buffered.
fn read_line_bounded(
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
    keep: usize,
) -> io::Result<Bounded> {
    buf.clear();
    let mut seen = 0usize;
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(Bounded::Line(seen));
        }
        let (used, ended) = match memchr::memchr(b'\n', available) {
            Some(at) => (at + 1, true),
            None => (available.len(), false),
        };
        let content = seen + used - usize::from(ended);
        if content > keep {
            let take = (keep + 1).saturating_sub(buf.len()).min(used);
            buf.extend_from_slice(&available[..take]);
            reader.consume(used);
            return Ok(Bounded::Past(Past {
                seen: content as u64,
                ended,
                bom: false,
            }));
        }
        buf.extend_from_slice(&available[..used]);
        reader.consume(used);
        seen += used;
        if ended {
            return Ok(Bounded::Line(seen));
        }
    }
}

/// Reads and drops the rest of a line, through its `\n`, in the memory of the stream's buffer:
/// how many bytes it had before the `\n`, and whether there was one (not at the end of the stream).
fn skip_line(reader: &mut impl BufRead) -> io::Result<(u64, bool)> {
    let mut skipped = 0;
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok((skipped, false));
        }
        match memchr::memchr(b'\n', available) {
            Some(at) => {
                reader.consume(at + 1);
                return Ok((skipped + at as u64, true));
            }
            None => {
                let n = available.len();
                reader.consume(n);
                skipped += n as u64;
            }
        }
    }
}

/// The most bytes of a line before its `\n` that can still make a record within `spec`'s limit:
/// the limit, and a byte-order mark on line 1.
fn line_keep(spec: &CorpusSpec) -> usize {
    spec.max_doc_bytes.saturating_add(BOM.len())
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
    /// A line past the size limit: the stream can go on.
    BadLine(ReadError, Origin),
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
            past: None,
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

    /// The line after those read so far, `past` the limit, made an error: with
    /// [`OnError::Skip`] the rest of it is read and dropped, so that reading goes on at the next
    /// line and the error says its size; in stop mode it is given up where it is (an endless
    /// line ends the run at once), and its size is not given even when its end happens to be
    /// buffered already: how much of a pipe one read brings must not change the message.
    /// `Err` if the stream broke on the way.
    #[allow(clippy::result_large_err)] // errors are rare: a cold path
    fn past_limit(
        &mut self,
        spec: &CorpusSpec,
        past: Past,
    ) -> Result<(ReadError, Origin), (ReadError, Origin)> {
        let Past {
            mut seen,
            mut ended,
            bom,
        } = past;
        let whole = spec.on_error == OnError::Skip;
        if whole && !ended {
            let (rest, newline) = skip_line(&mut self.reader).map_err(|e| self.broken_at(e))?;
            seen += rest;
            ended = newline;
        }
        let at = self.at(self.line + 1);
        let bom = if bom { BOM.len() as u64 } else { 0 };
        let start = self.offset + bom;
        let limit = spec.max_doc_bytes as u64;
        let kind = if whole {
            ReadErrorKind::TooLarge {
                bytes: seen - bom,
                limit,
            }
        } else {
            ReadErrorKind::PastLimit { limit }
        };
        let error = ReadError::new(&self.path, kind).at_line(at.line);
        let origin = at.origin(start, None);
        self.line += 1;
        self.offset += seen + u64::from(ended);
        Ok((error, origin))
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
            let n = match read_line_bounded(&mut self.reader, buf, line_keep(spec)) {
                Ok(Bounded::Line(0)) => return Step::End,
                Ok(Bounded::Line(n)) => n,
                Ok(Bounded::Past(mut past)) => {
                    past.bom = self.line == 0 && buf.starts_with(BOM);
                    return match self.past_limit(spec, past) {
                        Ok((error, origin)) => Step::BadLine(error, origin),
                        Err((error, origin)) => Step::Broken(error, origin),
                    };
                }
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
                    date,
                    start,
                    length,
                } => {
                    let raw = (keep && spec.keep_raw)
                        .then(|| record[record.len() - length as usize..].to_vec());
                    return Step::Doc(CorpusDoc {
                        ordinal,
                        id,
                        text,
                        date,
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
    /// offset where [`JsonlStream::step`] would report it; so does a line that grows past
    /// `spec`'s limit, which is never buffered further (see [`JsonlStream::past_limit`]).
    /// `spare`, a buffer of an earlier chunk handed back, is filled instead of a new one.
    pub(super) fn chunk(
        &mut self,
        spec: &CorpusSpec,
        max: usize,
        spare: Option<Vec<u8>>,
    ) -> ChunkStep {
        let broken = |stream: &Self, e: io::Error| {
            let (error, origin) = stream.broken_at(e);
            ChunkStep::Broken(error, origin)
        };
        let past_limit = |stream: &mut Self, past| match stream.past_limit(spec, past) {
            Ok((error, origin)) => ChunkStep::BadLine(error, origin),
            Err((error, origin)) => ChunkStep::Broken(error, origin),
        };
        if let Some(past) = self.past.take() {
            return past_limit(self, past);
        }
        if let Some(e) = self.broken.take() {
            return broken(self, e);
        }
        let keep = line_keep(spec);
        let mut data = spare.unwrap_or_default();
        data.clear();
        data.reserve(max + BUFFER);
        data.extend_from_slice(&self.carry);
        self.carry.clear();
        let mut eof = false;
        // Bytes of `data` searched for line ends, and where its last line starts.
        let (mut searched, mut tail) = (0, 0);
        loop {
            if let Some(p) = memchr::memrchr(b'\n', &data[searched..]) {
                tail = searched + p + 1;
            }
            searched = data.len();
            if data.len() - tail > keep {
                // The last line is past the limit: its bytes are dropped, and it is dealt with
                // once the lines before it are given.
                self.past = Some(Past {
                    seen: (data.len() - tail) as u64,
                    ended: false,
                    bom: self.line == 0 && tail == 0 && data.starts_with(BOM),
                });
                break;
            }
            if data.len() >= max && tail > 0 {
                break;
            }
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
        // The lines of a last read that broke.
        if let Some(p) = memchr::memrchr(b'\n', &data[searched..]) {
            tail = searched + p + 1;
        }
        let end = if eof { data.len() } else { tail };
        // A partial line before an error is lost, as with `read_until`.
        if self.broken.is_none() && self.past.is_none() {
            self.carry.extend_from_slice(&data[end..]);
        }
        data.truncate(end);
        if data.is_empty() {
            if let Some(past) = self.past.take() {
                return past_limit(self, past);
            }
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
    /// A record: its id (`None` when missing or null), its text, its date, and where it lies.
    Record {
        id: Option<String>,
        text: String,
        date: Option<Date>,
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
    /// kept), its text, its date, and where its record lies in the stream.
    Record {
        id: String,
        text: String,
        date: Option<Date>,
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
                date,
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
                    date,
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
        Ok(Some((parsed, date))) => {
            let (id, text) = parsed.unwrap_or_default();
            Line::Record {
                id,
                text,
                date,
                start,
                length: record.len() as u64,
            }
        }
        Err(kind) => Line::Bad { kind, start },
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufReader, Cursor};

    use super::*;

    /// A stream of `n` bytes `a`, then `rest`, made as it is read (nothing of it is held).
    fn long_line(n: u64, rest: &'static [u8]) -> Stream {
        Box::new(BufReader::with_capacity(
            BUFFER,
            io::repeat(b'a').take(n).chain(Cursor::new(rest)),
        ))
    }

    fn spec(limit: usize, on_error: OnError) -> CorpusSpec {
        CorpusSpec {
            max_doc_bytes: limit,
            on_error,
            ..CorpusSpec::default()
        }
    }

    fn stream(reader: Stream) -> JsonlStream {
        JsonlStream::new(0, PathBuf::from("s.jsonl"), reader, Compression::None)
    }

    /// What the step mode gives, as text: a document's id, a bad line's error and offset.
    fn steps(spec: &CorpusSpec, reader: Stream) -> (Vec<String>, usize) {
        let (mut s, mut buf, mut out) = (stream(reader), Vec::new(), Vec::new());
        let mut most = 0;
        loop {
            let step = s.step(&mut buf, spec, true, out.len() as u64);
            most = most.max(buf.capacity());
            match step {
                Step::End => break,
                Step::Doc(doc) => out.push(format!("doc {}", doc.id)),
                Step::BadLine(e, o) => {
                    out.push(format!("bad {e} @{:?}", o.byte_offset));
                    if spec.on_error == OnError::Stop {
                        break;
                    }
                }
                Step::Broken(e, _) => {
                    out.push(format!("broken {e}"));
                    break;
                }
            }
        }
        (out, most)
    }

    /// The same from the chunk mode, chunks of about `max` bytes.
    fn chunks(spec: &CorpusSpec, reader: Stream, max: usize) -> (Vec<String>, usize) {
        let (mut s, mut out, mut most) = (stream(reader), Vec::new(), 0);
        loop {
            match s.chunk(spec, max, None) {
                ChunkStep::End => break,
                ChunkStep::Lines(chunk) => {
                    most = most.max(chunk.data.capacity());
                    for (line, start, bytes) in chunk.lines() {
                        let parsed = parse_line(spec, line, start, bytes, true, &mut String::new());
                        match parsed.place(chunk.at(line), true) {
                            Placed::Blank => {}
                            Placed::Record { id, .. } => out.push(format!("doc {id}")),
                            Placed::Bad { error, origin } => {
                                out.push(format!("bad {error} @{:?}", origin.byte_offset))
                            }
                        }
                    }
                }
                ChunkStep::BadLine(e, o) => {
                    out.push(format!("bad {e} @{:?}", o.byte_offset));
                    if spec.on_error == OnError::Stop {
                        break;
                    }
                }
                ChunkStep::Broken(e, _) => {
                    out.push(format!("broken {e}"));
                    break;
                }
            }
        }
        (out, most)
    }

    #[test]
    fn a_line_past_the_limit_is_never_buffered_whole() {
        // 16 MiB of one line, then a good line: read with a limit of 1000 bytes.
        let n = 16 << 20;
        let rest: &[u8] = b"\n{\"id\":\"after\",\"text\":\"t\"}\n";
        let skip = spec(1000, OnError::Skip);
        let want = vec![
            format!("bad s.jsonl:1: document of {n} bytes, over the limit of 1000 (--max-doc-bytes) @Some(0)"),
            "doc after".to_owned(),
        ];
        let (got, most) = steps(&skip, long_line(n, rest));
        assert_eq!(got, want);
        assert!(most < 1 << 20, "the line buffer grew to {most}");
        for max in [1, 4096, 1 << 20] {
            let (got, most) = chunks(&skip, long_line(n, rest), max);
            assert_eq!(got, want, "max {max}");
            assert!(most < 4 << 20, "a chunk grew to {most}");
        }
        // Stop mode gives it up at once, so an endless line ends the run.
        let stop = spec(1000, OnError::Stop);
        let want = ["bad s.jsonl:1: document of more than 1000 bytes, over the limit (--max-doc-bytes); not read further @Some(0)"];
        let endless = || -> Stream { Box::new(BufReader::with_capacity(BUFFER, io::repeat(0))) };
        assert_eq!(steps(&stop, endless()).0, want);
        for max in [1, 1 << 20] {
            assert_eq!(chunks(&stop, endless(), max).0, want, "max {max}");
        }
    }

    #[test]
    fn the_limit_is_the_record_s_length_in_both_modes() {
        let line = |len: usize, bom: bool| {
            let mut l = if bom { BOM.to_vec() } else { Vec::new() };
            l.extend_from_slice(b"{\"text\":\"");
            l.resize(l.len() + len - 11, b'x');
            l.extend_from_slice(b"\"}");
            l
        };
        // (line 1 with a byte-order mark?, the lines' lengths, and what comes out)
        let cases: &[(bool, &[usize], &[&str])] = &[
            (false, &[100, 101, 100], &["doc s.jsonl:1", "bad s.jsonl:2: document of 101 bytes, over the limit of 100 (--max-doc-bytes) @Some(101)", "doc s.jsonl:3"]),
            // The mark is not part of the record: line 1 is 100 bytes.
            (true, &[100, 104], &["doc s.jsonl:1", "bad s.jsonl:2: document of 104 bytes, over the limit of 100 (--max-doc-bytes) @Some(104)"]),
            (true, &[101, 50], &["bad s.jsonl:1: document of 101 bytes, over the limit of 100 (--max-doc-bytes) @Some(3)", "doc s.jsonl:2"]),
        ];
        let skip = spec(100, OnError::Skip);
        for &(bom, lengths, want) in cases {
            let mut bytes = Vec::new();
            for (i, &len) in lengths.iter().enumerate() {
                bytes.extend(line(len, bom && i == 0));
                bytes.push(b'\n');
            }
            // A line end at the end of the stream, or not.
            for cut in [0, 1] {
                let b = bytes[..bytes.len() - cut].to_vec();
                let reader =
                    || -> Stream { Box::new(BufReader::with_capacity(7, Cursor::new(b.clone()))) };
                assert_eq!(steps(&skip, reader()).0, want, "{lengths:?} cut {cut}");
                for max in [1, 64, 1 << 20] {
                    assert_eq!(
                        chunks(&skip, reader(), max).0,
                        want,
                        "{lengths:?} max {max}"
                    );
                }
            }
        }
    }

    #[test]
    fn in_stop_mode_the_message_does_not_depend_on_how_much_one_read_brings() {
        let mut bytes = b"{\"text\":\"".to_vec();
        bytes.resize(300, b'x');
        bytes.extend_from_slice(b"\"}\n{\"text\":\"t\"}\n");
        let stop = spec(100, OnError::Stop);
        let want = ["bad s.jsonl:1: document of more than 100 bytes, over the limit (--max-doc-bytes); not read further @Some(0)"];
        for capacity in [7, 150, 4096] {
            let reader: Stream = Box::new(BufReader::with_capacity(
                capacity,
                Cursor::new(bytes.clone()),
            ));
            assert_eq!(steps(&stop, reader).0, want, "capacity {capacity}");
        }
    }

    #[test]
    fn a_stream_that_breaks_while_a_long_line_is_skipped_is_broken_there() {
        let reader = || -> Stream {
            let failing = io::repeat(b'a').take(10_000).chain(Failing);
            Box::new(BufReader::with_capacity(64, failing))
        };
        let skip = spec(100, OnError::Skip);
        assert_eq!(
            steps(&skip, reader()).0,
            ["broken s.jsonl:1: cannot read: pipe broke"]
        );
        assert_eq!(
            chunks(&skip, reader(), 16).0,
            ["broken s.jsonl:1: cannot read: pipe broke"]
        );
    }

    /// A reader that fails.
    struct Failing;

    impl Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::other("pipe broke"))
        }
    }
}
