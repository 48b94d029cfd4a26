//! Documents: files and corpora in, documents (an id and UTF-8 text) out, or an error that names the
//! file, and the line where there is one, and says what is wrong.
//!
//! Two ways in:
//!
//! - [`read_file`]: one file read whole as one [`Document`], its id the path as given (`compare`).
//!   It must be a regular file, not binary (no NUL byte) and valid UTF-8; invalid UTF-8 is reported
//!   with its line, column and byte offset, or, in lossy mode, replaced by U+FFFD (the spans reported
//!   later are then offsets into the repaired text).
//! - [`read_corpus`] and [`CorpusReader`]: the inputs of one `dedup` run, streamed as [`CorpusDoc`]s one
//!   at a time, so that a corpus of gigabytes never has to be in memory at once. [`reread`] streams
//!   the same inputs again and hands back only the documents asked for by ordinal, so a later stage
//!   can write the kept records without having held every text.
//!
//! # Corpus inputs
//!
//! Each input of a [`CorpusSpec`] is one of:
//!
//! - a **JSON Lines** file, told by its name: `.jsonl` or `.ndjson`, optionally followed by `.gz` or
//!   `.zst`. One document a line, a JSON object; the text is the string in the text field (`text`
//!   by default) and the id the value of the id field (`id` by default), a string or a number
//!   (an integer is rendered as written, `123`; a non-integer in serde_json's shortest form, so
//!   `1e3` becomes `1000.0`). A missing or `null` id becomes `<file>:<line>`, the line from 1.
//!   Blank lines are skipped; they are neither documents nor errors. A UTF-8 byte-order mark on
//!   line 1 is ignored. Other fields are skipped without being kept.
//! - any **other file**: one plain-text document, read whole like [`read_file`], its id the path as
//!   given or as found in a directory walk; `.gz` and `.zst` files are decompressed (`a.txt.gz`).
//!   A file named on the command line is opened whatever it is, so `<(zcat x.txt.gz)` works.
//! - a **directory**: walked recursively, each directory's entries in byte order of their names
//!   (the same run gives the same order). Entries whose name starts with `.` are skipped, files and
//!   directories alike. Symbolic links are followed to files only: a link to a directory is
//!   skipped, so a walk never loops; a broken link is reported as a missing file. Entries that are
//!   neither files nor directories (FIFOs, sockets, devices) are skipped. An empty directory gives
//!   no documents, and is not an error.
//! - `-`: **standard input**, read as JSON Lines; gzip and zstd are recognised by their magic bytes.
//!   It can be read only once, so [`reread`] refuses a spec that has it
//!   ([`ReadErrorKind::NotRereadable`]): keep what you need from it in memory.
//!
//! Compressed inputs are decompressed as a stream (gzip members are read one after the other, as
//! `zcat` does; zstd frames likewise), never loaded whole.
//!
//! # What comes out
//!
//! Every document carries its `ordinal`, its 0-based index among all the documents of the run (across
//! inputs, blank and skipped lines not counted), and its [`Origin`]: the input's index, the file,
//! and for JSON Lines the line and the byte offset of the line in the decompressed stream. A JSON
//! Lines document also keeps `raw`, the exact bytes of its line without the `\n` (a `\r` before it
//! stays), so that an output can repeat the record byte for byte. Empty and whitespace-only texts
//! are documents like any other: deciding what to do with them is the caller's business, and so is
//! spotting duplicate ids (the origin gives the file and line to name them).
//!
//! # Errors
//!
//! A [`ReadError`] names the file, the line where there is one, and what is wrong
//! (`corpus.jsonl:17: malformed JSON at column 23: expected `,` or `}``). With [`OnError::Stop`], the
//! default, the first error ends the run: [`CorpusReader`] yields it and then nothing more, and
//! [`read_corpus`] returns it. With [`OnError::Skip`] nothing is yielded as an error: each bad line
//! becomes a [`Skipped`] entry and reading goes on with the next line, while an input that cannot
//! be read further (missing, unreadable, a truncated or corrupt compressed stream, a bad plain
//! file) becomes one [`Skipped`] entry and reading goes on with the next file.
//!
//! # Why it is built this way
//!
//! Speed: lines are read into one reused buffer, checked as UTF-8 once, and parsed by a serde visitor
//! that knows the two field names, so that keys are compared in place, the two fields are copied out
//! and every other value is skipped without being built; there is no intermediate `Value` tree,
//! whatever the field names are.

mod scan;

use std::borrow::Cow;
use std::fmt;
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read};
use std::iter::FusedIterator;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use serde::de::{
    self, DeserializeSeed, Deserializer as _, IgnoredAny, MapAccess, SeqAccess, Visitor,
};

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

/// The largest document read by default: a plain file's size, or a JSON Lines record's length.
/// News articles are a few kilobytes; a document past this is most likely not one, and the
/// limit keeps a stray multi-gigabyte line from exhausting memory.
pub const DEFAULT_MAX_DOC_BYTES: usize = 32 << 20;

/// How to read files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadOptions {
    /// Replace invalid UTF-8 with U+FFFD instead of failing.
    pub lossy: bool,
    /// Refuse a file larger than this many bytes.
    pub max_bytes: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            lossy: false,
            max_bytes: DEFAULT_MAX_DOC_BYTES,
        }
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
        /// Its size (at least; a file is not read past the limit).
        bytes: u64,
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
fn io_error_kind(path: &Path, e: io::Error) -> ReadErrorKind {
    match e.kind() {
        io::ErrorKind::NotFound => ReadErrorKind::NotFound,
        io::ErrorKind::PermissionDenied => ReadErrorKind::PermissionDenied,
        io::ErrorKind::IsADirectory => ReadErrorKind::IsDirectory,
        _ if path.is_dir() => ReadErrorKind::IsDirectory,
        _ => ReadErrorKind::Io(e),
    }
}

/// Reads one file as one document, its id the path as given.
pub fn read_file(path: &Path, options: ReadOptions) -> Result<Document, ReadError> {
    let fail = |kind| ReadError::new(path, kind);
    let file = File::open(path).map_err(|e| fail(io_error_kind(path, e)))?;
    let mut bytes = Vec::new();
    let limit = options.max_bytes as u64;
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| fail(io_error_kind(path, e)))?;
    if bytes.len() as u64 > limit {
        let bytes = std::fs::metadata(path).map_or(limit + 1, |m| m.len());
        return Err(fail(ReadErrorKind::TooLarge { bytes, limit }));
    }
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

// ---------------------------------------------------------------------------------------------
// Corpora
// ---------------------------------------------------------------------------------------------

/// What to do with a bad line or file in a corpus.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnError {
    /// Stop at the first error: it is yielded (or returned) and nothing comes after it.
    #[default]
    Stop,
    /// Record each bad line or file as a [`Skipped`] entry and go on.
    Skip,
}

/// The inputs of one corpus run and how to read them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CorpusSpec {
    /// Files, directories and `-` (standard input), read in this order.
    pub inputs: Vec<PathBuf>,
    /// The JSON Lines field holding the id (`id` by default).
    pub id_field: String,
    /// The JSON Lines field holding the text (`text` by default).
    pub text_field: String,
    /// Replace invalid UTF-8 with U+FFFD instead of failing (`raw` keeps the original bytes).
    pub lossy: bool,
    /// Stop at the first error, or skip bad lines and files.
    pub on_error: OnError,
    /// Copy each JSON Lines record into [`CorpusDoc::raw`] (true by default); a pass that needs
    /// only the texts saves the copy ([`Origin::length`] still says where the record lies).
    pub keep_raw: bool,
    /// The largest document: a plain file's size, or a JSON Lines record's length, in bytes
    /// ([`DEFAULT_MAX_DOC_BYTES`] by default). A larger one is a bad line or file:
    /// [`ReadErrorKind::TooLarge`], which stops the run or, with [`OnError::Skip`], is listed.
    pub max_doc_bytes: usize,
}

impl CorpusSpec {
    /// The default field names `id` and `text`, strict UTF-8, [`OnError::Stop`].
    pub fn new<P: Into<PathBuf>>(inputs: impl IntoIterator<Item = P>) -> Self {
        CorpusSpec {
            inputs: inputs.into_iter().map(Into::into).collect(),
            id_field: "id".to_owned(),
            text_field: "text".to_owned(),
            lossy: false,
            on_error: OnError::Stop,
            keep_raw: true,
            max_doc_bytes: DEFAULT_MAX_DOC_BYTES,
        }
    }
}

impl Default for CorpusSpec {
    fn default() -> Self {
        CorpusSpec::new(Vec::<PathBuf>::new())
    }
}

/// Where a corpus document (or a skipped line) came from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Origin {
    /// The index of the input in [`CorpusSpec::inputs`].
    pub input: usize,
    /// The file: the input itself, a file found in it when it is a directory, or `-`.
    pub path: PathBuf,
    /// The JSON Lines line, from 1; `None` for a plain-text file.
    pub line: Option<usize>,
    /// Where the line's record starts in the decompressed stream (past a byte-order mark on line
    /// 1); `None` for a plain-text file.
    pub byte_offset: Option<u64>,
    /// The length of the line's record in bytes, without its line end; `None` for a plain-text
    /// file and for a line that could not be read.
    pub length: Option<u64>,
}

impl fmt::Display for Origin {
    /// `path:line`, or `path` when there is no line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.path.display()),
            None => write!(f, "{}", self.path.display()),
        }
    }
}

/// One document of a corpus.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CorpusDoc {
    /// Its index among all the documents of the run, from 0, across inputs.
    pub ordinal: u64,
    /// The id: the JSON id field, `<file>:<line>` when it is missing, or a plain file's path.
    pub id: String,
    /// The text (possibly empty or whitespace only).
    pub text: String,
    /// Where it came from.
    pub origin: Origin,
    /// For JSON Lines, the exact bytes of the line without its `\n`; `None` for a plain file, and
    /// for every document when [`CorpusSpec::keep_raw`] is off.
    pub raw: Option<Vec<u8>>,
}

impl CorpusDoc {
    /// A document given in memory rather than read from a corpus (for
    /// [`crate::index::IndexWriter::add_batch`]): number `ordinal`, placed at line `ordinal + 1`
    /// of `source`, a name for where it came from that errors about it quote.
    pub fn new(
        ordinal: u64,
        id: impl Into<String>,
        text: impl Into<String>,
        source: impl Into<PathBuf>,
    ) -> Self {
        CorpusDoc {
            ordinal,
            id: id.into(),
            text: text.into(),
            origin: Origin {
                input: 0,
                path: source.into(),
                line: usize::try_from(ordinal).ok().map(|l| l + 1),
                byte_offset: None,
                length: None,
            },
            raw: None,
        }
    }

    /// The id and text as a [`Document`].
    pub fn into_document(self) -> Document {
        Document {
            id: self.id,
            text: self.text,
        }
    }
}

impl From<CorpusDoc> for Document {
    fn from(doc: CorpusDoc) -> Document {
        doc.into_document()
    }
}

/// A line or file passed over in [`OnError::Skip`] mode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// Where: the line, or the file when the whole rest of it was given up.
    pub origin: Origin,
    /// Why (the error's message, without the file and line, which are in `origin`).
    pub reason: String,
}

impl fmt::Display for Skipped {
    /// `path:line: reason`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.origin, self.reason)
    }
}

/// What a corpus run read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CorpusSummary {
    /// Documents produced.
    pub docs: u64,
    /// Lines and files passed over ([`OnError::Skip`] only), in reading order.
    pub skipped: Vec<Skipped>,
    /// Bytes read, after decompression.
    pub bytes: u64,
    /// Files opened (standard input counts as one).
    pub files: u64,
}

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
/// input was consumed by the first pass.
pub fn reread(
    spec: &CorpusSpec,
    wanted: &[u64],
    mut each: impl FnMut(CorpusDoc),
) -> Result<u64, ReadError> {
    if let Some(stdin) = spec.inputs.iter().find(|p| is_stdin(p)) {
        return Err(ReadError::new(stdin, ReadErrorKind::NotRereadable));
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

/// Size of the read buffers, before and after decompression.
const BUFFER: usize = 256 * 1024;

/// Chunk buffers a [`CorpusReader`] keeps for reuse: as many as a pipeline holds at once.
const SPARE_BUFFERS: usize = 8;

/// True for the input `-`, standard input.
fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// How a file is compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    fn name(self) -> &'static str {
        match self {
            Compression::None => "plain",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }

    /// The compression of a stream from its first bytes.
    fn sniff(head: &[u8]) -> Compression {
        if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else {
            Compression::None
        }
    }

    /// The error kind for an I/O error met while reading `path` through this decompression.
    fn read_error(self, path: &Path, e: io::Error) -> ReadErrorKind {
        match self {
            Compression::None => io_error_kind(path, e),
            _ => ReadErrorKind::Decompress {
                format: self.name(),
                source: e,
            },
        }
    }
}

/// Whether a file is JSON Lines, and how it is compressed, from its name.
fn format_of(path: &Path) -> (bool, Compression) {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let (stem, compression) = if let Some(stem) = name.strip_suffix(".gz") {
        (stem, Compression::Gzip)
    } else if let Some(stem) = name.strip_suffix(".zst") {
        (stem, Compression::Zstd)
    } else {
        (name.as_str(), Compression::None)
    };
    let jsonl = stem.ends_with(".jsonl") || stem.ends_with(".ndjson");
    (jsonl, compression)
}

/// A byte stream, decompressed.
type Stream = Box<dyn BufRead + Send>;

/// `inner` decompressed as `compression` says.
fn decompress<R: BufRead + Send + 'static>(
    inner: R,
    compression: Compression,
) -> io::Result<Stream> {
    Ok(match compression {
        Compression::None => Box::new(inner),
        Compression::Gzip => Box::new(BufReader::with_capacity(
            BUFFER,
            flate2::bufread::MultiGzDecoder::new(inner),
        )),
        Compression::Zstd => {
            let mut decoder = zstd::stream::read::Decoder::with_buffer(inner)?;
            // Accept frames written with `zstd --long` (windows up to 2 GiB); memory is only
            // taken as a frame asks for it. Refused on 32-bit targets, where the default stays.
            let _ = decoder.window_log_max(31);
            Box::new(BufReader::with_capacity(BUFFER, decoder))
        }
    })
}

/// Standard input, decompressed if its first bytes say it is gzip or zstd.
fn open_sniffed<R: Read + Send + 'static>(inner: R) -> io::Result<(Stream, Compression)> {
    let mut reader = BufReader::with_capacity(BUFFER, inner);
    // An error here comes back on the first read of the stream.
    let compression = reader
        .fill_buf()
        .map_or(Compression::None, Compression::sniff);
    Ok((decompress(reader, compression)?, compression))
}

/// Something still to read from the current input.
#[derive(Debug)]
enum Pending {
    /// An input as given: a file, a directory or `-`, to be looked at.
    Input(PathBuf),
    /// A directory to walk.
    Dir(PathBuf),
    /// A file to read.
    File(PathBuf),
}

/// A JSON Lines stream being read.
struct JsonlStream {
    input: usize,
    path: PathBuf,
    reader: Stream,
    compression: Compression,
    /// Lines read so far.
    line: usize,
    /// Decompressed bytes read so far.
    offset: u64,
    /// Chunk mode: the start of a line read past the end of the last chunk.
    carry: Vec<u8>,
    /// Chunk mode: the error that ended the last chunk, to be reported after its lines.
    broken: Option<io::Error>,
}

impl JsonlStream {
    fn new(input: usize, path: PathBuf, reader: Stream, compression: Compression) -> Self {
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

    /// Parses one line given by [`LineChunk::lines`], exactly as [`CorpusReader`] does.
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

    /// The id of a record without one: `<file>:<line>`, as [`CorpusReader`] makes it.
    pub fn default_id(&self, line: usize) -> String {
        format!("{}:{line}", self.path.display())
    }
}

/// One JSON Lines line (without its `\n`), number `line` and starting at `start` in its
/// stream: a byte-order mark is dropped from line 1, then the record is parsed, its fields
/// copied out only if `keep`.
fn parse_line(
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
    let fields = Fields::of(spec);
    // The record's length, not its text's, so that every pass (whether it copies the fields out
    // or not) refuses the same lines.
    if record.len() > spec.max_doc_bytes {
        let kind = ReadErrorKind::TooLarge {
            bytes: record.len() as u64,
            limit: spec.max_doc_bytes as u64,
        };
        return Line::Bad { kind, start };
    }
    match parse_record(record, fields, spec.lossy, keep, (line, start), spare) {
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

/// A piece of the inputs in chunk mode ([`CorpusReader::next_chunk`]).
pub(crate) enum Unit {
    /// Whole lines of a JSON Lines file.
    Lines(LineChunk),
    /// The document of a plain-text file.
    Doc(CorpusDoc),
}

/// What [`JsonlStream::chunk`] read.
enum ChunkStep {
    /// The stream is at its end.
    End,
    /// Whole lines.
    Lines(LineChunk),
    /// The stream broke: give it up.
    Broken(ReadError, Origin),
}

/// The outcome of reading one more record from a JSON Lines stream.
enum Step {
    /// The stream is at its end.
    End,
    /// A document; its fields are empty unless it was wanted.
    Doc(CorpusDoc),
    /// A bad line: the stream can go on.
    BadLine(ReadError, Origin),
    /// The stream broke: give it up.
    Broken(ReadError, Origin),
}

impl JsonlStream {
    fn origin(&self, line: Option<usize>, byte_offset: Option<u64>) -> Origin {
        Origin {
            input: self.input,
            path: self.path.clone(),
            line,
            byte_offset,
            length: None,
        }
    }

    /// The next document or error; blank lines are passed over.
    fn step(&mut self, buf: &mut Vec<u8>, spec: &CorpusSpec, keep: bool, ordinal: u64) -> Step {
        loop {
            buf.clear();
            let n = match self.reader.read_until(b'\n', buf) {
                Ok(0) => return Step::End,
                Ok(n) => n,
                Err(e) => {
                    let line = self.line + 1;
                    let kind = self.compression.read_error(&self.path, e);
                    let origin = self.origin(Some(line), Some(self.offset));
                    return Step::Broken(ReadError::new(&self.path, kind).at_line(line), origin);
                }
            };
            let start = self.offset;
            self.offset += n as u64;
            self.line += 1;
            let record = buf.strip_suffix(b"\n").unwrap_or(buf);
            match parse_line(spec, self.line, start, record, keep, &mut String::new()) {
                Line::Blank => continue,
                Line::Record {
                    id,
                    text,
                    start,
                    length,
                } => {
                    let mut origin = self.origin(Some(self.line), Some(start));
                    origin.length = Some(length);
                    let (id, raw) = if keep {
                        let id = id.unwrap_or_else(|| format!("{origin}"));
                        let raw = &record[record.len() - length as usize..];
                        (id, spec.keep_raw.then(|| raw.to_vec()))
                    } else {
                        (String::new(), None)
                    };
                    return Step::Doc(CorpusDoc {
                        ordinal,
                        id,
                        text,
                        origin,
                        raw,
                    });
                }
                Line::Bad { kind, start } => {
                    let error = ReadError::new(&self.path, kind).at_line(self.line);
                    return Step::BadLine(error, self.origin(Some(self.line), Some(start)));
                }
            }
        }
    }

    /// The next whole lines, at least `max` bytes of them unless the stream ends first. A stream
    /// that breaks gives its whole lines first and the error on the next call, at the line and
    /// offset where [`JsonlStream::step`] would report it.
    /// `spare`, a buffer of an earlier chunk handed back, is filled instead of a new one.
    fn chunk(&mut self, max: usize, spare: Option<Vec<u8>>) -> ChunkStep {
        let broken = |stream: &mut Self, e: io::Error| {
            let line = stream.line + 1;
            let kind = stream.compression.read_error(&stream.path, e);
            let origin = stream.origin(Some(line), Some(stream.offset));
            ChunkStep::Broken(ReadError::new(&stream.path, kind).at_line(line), origin)
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

/// A streaming reader of the documents of a [`CorpusSpec`], in input order.
///
/// It yields `Ok` documents, and with [`OnError::Stop`] at most one `Err`, after which it yields
/// nothing more; with [`OnError::Skip`] it never yields an `Err` and keeps the [`Skipped`] entries
/// instead. It is `Send`, so it can feed a pipeline from another thread.
pub struct CorpusReader {
    spec: CorpusSpec,
    /// The next input to start.
    next_input: usize,
    /// The input being read.
    input: usize,
    /// What remains of the current input, the next item last.
    pending: Vec<Pending>,
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
            .field("input", &self.input)
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
            next_input: 0,
            input: 0,
            pending: Vec::new(),
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

    /// An error: yielded in stop mode (and the reader ends), recorded in skip mode.
    fn fail(&mut self, error: ReadError, origin: Origin) -> Option<ReadError> {
        match self.spec.on_error {
            OnError::Stop => {
                self.done = true;
                self.stream = None;
                self.pending.clear();
                Some(error)
            }
            OnError::Skip => {
                self.skipped.push(Skipped {
                    origin,
                    reason: error.kind.to_string(),
                });
                None
            }
        }
    }

    fn file_origin(&self, path: &Path) -> Origin {
        Origin {
            input: self.input,
            path: path.to_path_buf(),
            line: None,
            byte_offset: None,
            length: None,
        }
    }

    /// The next document whose ordinal `want` accepts (the others are counted and dropped
    /// unbuilt), or the error that stops the run, or `None` at the end.
    fn advance(
        &mut self,
        want: &mut dyn FnMut(u64) -> bool,
    ) -> Option<Result<CorpusDoc, ReadError>> {
        self.next_unit(want, None).map(|unit| {
            unit.map(|unit| match unit {
                Unit::Doc(doc) => doc,
                Unit::Lines(_) => unreachable!("lines come only in chunk mode"),
            })
        })
    }

    /// In chunk mode (`chunk` is `Some(max)`), the next piece of the inputs: whole lines of a
    /// JSON Lines file (about `max` bytes of them), to be parsed by the caller with
    /// [`LineChunk::parse`], or a plain file's document. Skipped files and broken streams are
    /// recorded ([`CorpusReader::skipped`]) before the chunk that follows them is returned, so a
    /// caller that looks at the skipped entries after each call sees them in reading order. The
    /// reader does not parse the lines, so it does not count their documents: ordinals and
    /// [`CorpusReader::docs`] are the caller's business in chunk mode.
    pub(crate) fn next_chunk(&mut self, max: usize) -> Option<Result<Unit, ReadError>> {
        self.next_unit(&mut |_| true, Some(max))
    }

    /// Hands back the buffer of a [`LineChunk`] that has been parsed, for a later chunk to
    /// fill: its pages stay mapped, where a new buffer would fault each of them in again.
    pub(crate) fn recycle(&mut self, buffer: Vec<u8>) {
        if self.spare.len() < SPARE_BUFFERS {
            self.spare.push(buffer);
        }
    }

    /// [`CorpusReader::advance`] (`chunk` is `None`) or [`CorpusReader::next_chunk`].
    fn next_unit(
        &mut self,
        want: &mut dyn FnMut(u64) -> bool,
        chunk: Option<usize>,
    ) -> Option<Result<Unit, ReadError>> {
        while !self.done {
            if let (Some(stream), Some(max)) = (self.stream.as_mut(), chunk) {
                match stream.chunk(max, self.spare.pop()) {
                    ChunkStep::Lines(lines) => return Some(Ok(Unit::Lines(lines))),
                    ChunkStep::End => {
                        self.bytes += stream.offset;
                        self.stream = None;
                    }
                    ChunkStep::Broken(error, origin) => {
                        self.bytes += stream.offset;
                        self.stream = None;
                        if let Some(error) = self.fail(error, origin) {
                            return Some(Err(error));
                        }
                    }
                }
                continue;
            }
            if let Some(stream) = self.stream.as_mut() {
                let keep = want(self.ordinal);
                match stream.step(&mut self.buf, &self.spec, keep, self.ordinal) {
                    Step::End => {
                        self.bytes += stream.offset;
                        self.stream = None;
                    }
                    Step::Doc(doc) => {
                        self.ordinal += 1;
                        if keep {
                            return Some(Ok(Unit::Doc(doc)));
                        }
                    }
                    Step::BadLine(error, origin) => {
                        if let Some(error) = self.fail(error, origin) {
                            return Some(Err(error));
                        }
                    }
                    Step::Broken(error, origin) => {
                        self.bytes += stream.offset;
                        self.stream = None;
                        if let Some(error) = self.fail(error, origin) {
                            return Some(Err(error));
                        }
                    }
                }
                continue;
            }
            let item = match self.pending.pop() {
                Some(item) => item,
                None if self.next_input < self.spec.inputs.len() => {
                    self.input = self.next_input;
                    self.next_input += 1;
                    Pending::Input(self.spec.inputs[self.input].clone())
                }
                None => {
                    self.done = true;
                    break;
                }
            };
            let result = match item {
                Pending::Input(path) => self.look_at(path),
                Pending::Dir(path) => self.list(path),
                Pending::File(path) => match self.open(path, want) {
                    Ok(Some(doc)) => return Some(Ok(Unit::Doc(doc))),
                    Ok(None) => Ok(()),
                    Err(e) => Err(e),
                },
            };
            if let Err((error, origin)) = result {
                if let Some(error) = self.fail(error, origin) {
                    return Some(Err(error));
                }
            }
        }
        None
    }

    /// Queues an input as given: standard input, a directory or a file.
    #[allow(clippy::result_large_err)] // errors are rare: a cold path
    fn look_at(&mut self, path: PathBuf) -> Result<(), (ReadError, Origin)> {
        if is_stdin(&path) {
            self.files += 1;
            let (reader, compression) = open_sniffed(io::stdin()).map_err(|e| {
                let error = ReadError::new(&path, ReadErrorKind::Io(e));
                (error, self.file_origin(&path))
            })?;
            self.stream = Some(JsonlStream::new(self.input, path, reader, compression));
            return Ok(());
        }
        match fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => self.pending.push(Pending::Dir(path)),
            Ok(_) => self.pending.push(Pending::File(path)),
            Err(e) => {
                let error = ReadError::new(&path, io_error_kind(&path, e));
                return Err((error, self.file_origin(&path)));
            }
        }
        Ok(())
    }

    /// Queues the entries of a directory, in order, skipping hidden ones, links to directories and
    /// special files.
    #[allow(clippy::result_large_err)] // errors are rare: a cold path
    fn list(&mut self, dir: PathBuf) -> Result<(), (ReadError, Origin)> {
        let fail = |e: io::Error| {
            let error = ReadError::new(&dir, io_error_kind(&dir, e));
            (error, self.file_origin(&dir))
        };
        let mut entries = Vec::new();
        for entry in fs::read_dir(&dir).map_err(fail)? {
            let entry = entry.map_err(fail)?;
            let name = entry.file_name();
            if name.as_encoded_bytes().starts_with(b".") {
                continue;
            }
            let path = entry.path();
            let file_type = entry.file_type().map_err(fail)?;
            let item = if file_type.is_dir() {
                Pending::Dir(path)
            } else if file_type.is_file() {
                Pending::File(path)
            } else if file_type.is_symlink() {
                match fs::metadata(&path) {
                    Ok(meta) if meta.is_file() => Pending::File(path),
                    Ok(_) => continue,
                    // Broken: reported when it is opened.
                    Err(_) => Pending::File(path),
                }
            } else {
                continue;
            };
            entries.push((name, item));
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        self.pending
            .extend(entries.into_iter().rev().map(|(_, item)| item));
        Ok(())
    }

    /// Opens a file: a JSON Lines file becomes the current stream, a plain file is read whole
    /// and returned as a document if wanted.
    #[allow(clippy::result_large_err)] // errors are rare: a cold path
    fn open(
        &mut self,
        path: PathBuf,
        want: &mut dyn FnMut(u64) -> bool,
    ) -> Result<Option<CorpusDoc>, (ReadError, Origin)> {
        let (jsonl, compression) = format_of(&path);
        self.files += 1;
        let opened = File::open(&path)
            .map_err(|e| io_error_kind(&path, e))
            .and_then(|file| {
                decompress(BufReader::with_capacity(BUFFER, file), compression)
                    .map_err(|e| compression.read_error(&path, e))
            });
        let mut reader = match opened {
            Ok(reader) => reader,
            Err(kind) => {
                let origin = self.file_origin(&path);
                return Err((ReadError::new(path, kind), origin));
            }
        };
        if jsonl {
            self.stream = Some(JsonlStream::new(self.input, path, reader, compression));
            return Ok(None);
        }
        let origin = self.file_origin(&path);
        let mut bytes = Vec::new();
        let limit = self.spec.max_doc_bytes as u64;
        let read = reader
            .by_ref()
            .take(limit.saturating_add(1))
            .read_to_end(&mut bytes);
        self.bytes += bytes.len() as u64;
        let text = read
            .map_err(|e| compression.read_error(&path, e))
            .and_then(|n| match n as u64 > limit {
                true => Err(ReadErrorKind::TooLarge {
                    bytes: std::fs::metadata(&path).map_or(n as u64, |m| m.len()),
                    limit,
                }),
                false => decode(
                    bytes,
                    ReadOptions {
                        lossy: self.spec.lossy,
                        max_bytes: self.spec.max_doc_bytes,
                    },
                ),
            })
            .map_err(|kind| (ReadError::new(&path, kind), origin.clone()))?;
        let ordinal = self.ordinal;
        self.ordinal += 1;
        Ok(want(ordinal).then(|| CorpusDoc {
            ordinal,
            id: path.to_string_lossy().into_owned(),
            text,
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

// ---------------------------------------------------------------------------------------------
// One JSON Lines record
// ---------------------------------------------------------------------------------------------

/// The names of the two fields wanted from a record.
#[derive(Clone, Copy)]
struct Fields<'f> {
    id: &'f str,
    text: &'f str,
}

impl<'f> Fields<'f> {
    /// The fields `spec` names.
    fn of(spec: &'f CorpusSpec) -> Self {
        Fields {
            id: &spec.id_field,
            text: &spec.text_field,
        }
    }
}

/// A record's id (`None`: missing or null) and text, or `None` when it was not wanted.
type Parsed = Option<(Option<String>, String)>;

/// Parses one line: `Ok(None)` for a blank line, the id and text of a record (copied out only
/// if `keep`), or what is wrong with it. `line` and `offset` place it for error positions.
fn parse_record(
    record: &[u8],
    fields: Fields<'_>,
    lossy: bool,
    keep: bool,
    (line, offset): (usize, u64),
    spare: &mut String,
) -> Result<Option<Parsed>, ReadErrorKind> {
    let Some(first) = record
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
    else {
        return Ok(None);
    };
    // The SIMD check first (most records are valid); the standard one finds where a bad one breaks.
    let checked = simdutf8::basic::from_utf8(record).or_else(|_| std::str::from_utf8(record));
    let json: Cow<str> = match checked {
        Ok(json) => Cow::Borrowed(json),
        Err(_) if lossy => String::from_utf8_lossy(record),
        Err(e) => {
            let at = e.valid_up_to();
            return Err(ReadErrorKind::InvalidUtf8(Position {
                line,
                column: at + 1,
                byte: offset as usize + at,
            }));
        }
    };
    if record[first] != b'{' {
        // Rare: say what the line holds, or why it is not JSON at all.
        return Err(match serde_json::from_str::<serde_json::Value>(&json) {
            Ok(value) => ReadErrorKind::NotAnObject {
                found: json_type(&value),
            },
            Err(e) => json_error(&e),
        });
    }
    match scan::record(&json, fields, keep, spare) {
        Some(record) => Ok(Some(record.parsed(keep))),
        None => full_record(&json, fields, keep).map(Some),
    }
}

/// A record's fields by the full parser (serde_json), which also names what is wrong with it.
fn full_record(json: &str, fields: Fields<'_>, keep: bool) -> Result<Parsed, ReadErrorKind> {
    let mut de = serde_json::Deserializer::from_str(json);
    let found = (&mut de)
        .deserialize_map(RecordVisitor { fields, keep })
        .and_then(|found| de.end().map(|()| found))
        .map_err(|e| json_error(&e))?;
    if let Some(field) = found.duplicate {
        return Err(ReadErrorKind::DuplicateField {
            field: field.to_owned(),
        });
    }
    let text = match found.text {
        Some(Value::Str(text)) => text,
        Some(other) => {
            return Err(ReadErrorKind::WrongType {
                field: fields.text.to_owned(),
                expected: "a string",
                found: other.type_name(),
            })
        }
        None => {
            return Err(ReadErrorKind::MissingField {
                field: fields.text.to_owned(),
            })
        }
    };
    let id = match found.id {
        None | Some(Value::Null) => None,
        Some(Value::Str(id)) => id,
        Some(Value::Number(id)) => Some(id),
        Some(other) => {
            return Err(ReadErrorKind::WrongType {
                field: fields.id.to_owned(),
                expected: "a string or a number",
                found: other.type_name(),
            })
        }
    };
    Ok(keep.then(|| (id, text.unwrap_or_default())))
}

/// The text of a record read again from its place (its fields as [`CorpusSpec`] names them), by
/// the fast path alone: `None` when that path declines, for the caller to try the full parser.
pub(crate) fn record_text<'r>(record: &'r [u8], spec: &CorpusSpec) -> Option<Cow<'r, str>> {
    let json = simdutf8::basic::from_utf8(record).ok()?;
    let fields = Fields::of(spec);
    scan::record(json, fields, true, &mut String::new()).map(|r| r.text)
}

/// A serde_json error as a [`ReadErrorKind::Json`], its "at line 1 column N" made a column.
fn json_error(e: &serde_json::Error) -> ReadErrorKind {
    let message = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = match message.strip_suffix(&suffix) {
        Some(message) => message.to_owned(),
        None => message,
    };
    ReadErrorKind::Json {
        column: e.column(),
        message,
    }
}

/// "an array", "a string" and so on.
fn json_type(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// The wanted fields of a record, as found.
struct Found<'f> {
    id: Option<Value>,
    text: Option<Value>,
    /// The first wanted field met twice.
    duplicate: Option<&'f str>,
}

/// Visits a record: compares each key with the two names, keeps those two values, skips the rest.
struct RecordVisitor<'f> {
    fields: Fields<'f>,
    keep: bool,
}

impl<'de, 'f> Visitor<'de> for RecordVisitor<'f> {
    type Value = Found<'f>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Found<'f>, A::Error> {
        let mut found = Found {
            id: None,
            text: None,
            duplicate: None,
        };
        let keep = self.keep;
        while let Some(key) = map.next_key_seed(KeySeed(self.fields))? {
            let (slot, name) = match key {
                Key::Text => (&mut found.text, self.fields.text),
                Key::Id => (&mut found.id, self.fields.id),
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            let value = map.next_value_seed(ValueSeed { keep })?;
            if slot.is_some() {
                found.duplicate.get_or_insert(name);
            } else {
                *slot = Some(value);
            }
        }
        Ok(found)
    }
}

/// Which of the wanted fields a key is.
enum Key {
    Id,
    Text,
    Other,
}

/// Classifies a key without copying it.
#[derive(Clone, Copy)]
struct KeySeed<'f>(Fields<'f>);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Key;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Key, E> {
        Ok(if key == self.0.text {
            Key::Text
        } else if key == self.0.id {
            Key::Id
        } else {
            Key::Other
        })
    }
}

/// A wanted field's value, whatever its type, so that a wrong type can be named.
enum Value {
    /// A string (empty when not kept).
    Str(Option<String>),
    /// A number, rendered.
    Number(String),
    Null,
    /// Another type: "a boolean", "an object", "an array".
    Other(&'static str),
}

impl Value {
    fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Number(_) => "a number",
            Value::Null => "null",
            Value::Other(name) => name,
        }
    }
}

/// Reads a wanted field's value, copying a string only if `keep`.
struct ValueSeed {
    keep: bool,
}

impl<'de> DeserializeSeed<'de> for ValueSeed {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(self.keep.then(|| v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(self.keep.then_some(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        let rendered =
            serde_json::Number::from_f64(v).map_or_else(|| v.to_string(), |n| n.to_string());
        Ok(Value::Number(rendered))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Value, E> {
        Ok(Value::Other("a boolean"))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Value::Other("an object"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Value::Other("an array"))
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

    #[test]
    fn words() {
        assert!(Document::new("x", " \n—…! ").has_no_words());
        assert!(!Document::new("x", "ok").has_no_words());
    }

    // ---- corpora ----------------------------------------------------------------------------

    use std::io::Write;

    /// How a test file is written.
    #[derive(Clone, Copy)]
    enum Enc {
        Plain,
        Gz,
        Zst,
    }

    fn gz(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    fn zst(bytes: &[u8]) -> Vec<u8> {
        zstd::encode_all(bytes, 3).unwrap()
    }

    /// Writes `files` (relative path, encoding, contents) under `dir`.
    fn write_tree(dir: &Path, files: &[(&str, Enc, &[u8])]) {
        for (rel, enc, contents) in files {
            let path = dir.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            let bytes = match enc {
                Enc::Plain => contents.to_vec(),
                Enc::Gz => gz(contents),
                Enc::Zst => zst(contents),
            };
            std::fs::write(path, bytes).unwrap();
        }
    }

    fn spec_in(dir: &Path, inputs: &[&str]) -> CorpusSpec {
        CorpusSpec::new(inputs.iter().map(|i| dir.join(i)))
    }

    fn collect(spec: &CorpusSpec) -> Result<(Vec<CorpusDoc>, CorpusSummary), ReadError> {
        let mut docs = Vec::new();
        let summary = read_corpus(spec, |doc| {
            docs.push(doc);
            ControlFlow::Continue(())
        })?;
        Ok((docs, summary))
    }

    /// `{d}` in `pattern` replaced by the directory.
    fn at(dir: &Path, pattern: &str) -> String {
        pattern.replace("{d}", &dir.to_string_lossy())
    }

    const JSONL: &[u8] = b"{\"id\":\"a\",\"text\":\"Alpha text\"}\n\
        \n\
        {\"text\":\"no id here\"}\n  \t\n\
        {\"id\":123,\"text\":\"numeric\"}\n\
        {\"id\":-7,\"text\":\"\"}\n\
        {\"id\":null,\"text\":\"esc \\\"q\\\" \\u00e9\"}";

    #[test]
    fn corpus_inputs_table() {
        // (name, files, inputs, (id field, text field), wanted (id, text, line, input index))
        type Want = (&'static str, &'static str, Option<usize>, usize);
        let jsonl_want: &[Want] = &[
            ("a", "Alpha text", Some(1), 0),
            ("{d}/c.jsonl:3", "no id here", Some(3), 0),
            ("123", "numeric", Some(5), 0),
            ("-7", "", Some(6), 0),
            ("{d}/c.jsonl:7", "esc \"q\" é", Some(7), 0),
        ];
        let custom: &[u8] =
            b"{\"body\":\"the body\",\"text\":7,\"url\":\"u1\",\"meta\":{\"a\":[1,{}]}}\n\
            {\"url\":2.5,\"body\":\"second\"}\n{\"url\":12345678901234,\"body\":\"third\"}\r\n";
        let cases: &[(&str, &[(&str, Enc, &[u8])], &[&str], (&str, &str), &[Want])] = &[
            (
                "plain file",
                &[("a.txt", Enc::Plain, b"Just text.\nTwo lines.")],
                &["a.txt"],
                ("id", "text"),
                &[("{d}/a.txt", "Just text.\nTwo lines.", None, 0)],
            ),
            (
                "jsonl with/without ids, numeric id, blank lines",
                &[("c.jsonl", Enc::Plain, JSONL)],
                &["c.jsonl"],
                ("id", "text"),
                jsonl_want,
            ),
            (
                "custom field names, other fields skipped whatever their type",
                &[("c.ndjson", Enc::Plain, custom)],
                &["c.ndjson"],
                ("url", "body"),
                &[
                    ("u1", "the body", Some(1), 0),
                    ("2.5", "second", Some(2), 0),
                    ("12345678901234", "third", Some(3), 0),
                ],
            ),
            (
                "jsonl.gz",
                &[(
                    "c.jsonl.gz",
                    Enc::Gz,
                    b"{\"id\":\"g\",\"text\":\"gz text\"}\n",
                )],
                &["c.jsonl.gz"],
                ("id", "text"),
                &[("g", "gz text", Some(1), 0)],
            ),
            (
                "jsonl.zst, no final newline",
                &[(
                    "c.JSONL.ZST",
                    Enc::Zst,
                    b"{\"id\":\"z\",\"text\":\"zst text\"}",
                )],
                &["c.JSONL.ZST"],
                ("id", "text"),
                &[("z", "zst text", Some(1), 0)],
            ),
            (
                "txt.gz and txt.zst are plain documents, decompressed",
                &[
                    ("a.txt.gz", Enc::Gz, b"gzipped plain"),
                    ("b.txt.zst", Enc::Zst, b"zstd plain"),
                ],
                &["a.txt.gz", "b.txt.zst"],
                ("id", "text"),
                &[
                    ("{d}/a.txt.gz", "gzipped plain", None, 0),
                    ("{d}/b.txt.zst", "zstd plain", None, 1),
                ],
            ),
            (
                "directory tree: sorted, recursive, hidden skipped, json lines inside",
                &[
                    ("t/b.txt", Enc::Plain, b"b"),
                    ("t/a/z.txt", Enc::Plain, b"a/z"),
                    ("t/a/y/x.md", Enc::Plain, b"a/y/x"),
                    ("t/.hidden.txt", Enc::Plain, b"hidden"),
                    ("t/.git/config", Enc::Plain, b"hidden dir"),
                    ("t/a/.DS_Store", Enc::Plain, b"hidden"),
                    (
                        "t/c.jsonl.gz",
                        Enc::Gz,
                        b"{\"id\":\"in-c\",\"text\":\"c\"}\n",
                    ),
                    ("t/B.txt", Enc::Plain, b"upper case first"),
                    ("empty/.keep", Enc::Plain, b""),
                ],
                &["t", "empty", "t/b.txt"],
                ("id", "text"),
                &[
                    ("{d}/t/B.txt", "upper case first", None, 0),
                    ("{d}/t/a/y/x.md", "a/y/x", None, 0),
                    ("{d}/t/a/z.txt", "a/z", None, 0),
                    ("{d}/t/b.txt", "b", None, 0),
                    ("in-c", "c", Some(1), 0),
                    ("{d}/t/b.txt", "b", None, 2),
                ],
            ),
            (
                "an explicitly named hidden file is read",
                &[(".h.jsonl", Enc::Plain, b"{\"id\":1,\"text\":\"t\"}")],
                &[".h.jsonl"],
                ("id", "text"),
                &[("1", "t", Some(1), 0)],
            ),
        ];
        for (name, files, inputs, (id_field, text_field), want) in cases {
            let dir = tempfile::tempdir().unwrap();
            write_tree(dir.path(), files);
            let mut spec = spec_in(dir.path(), inputs);
            spec.id_field = id_field.to_string();
            spec.text_field = text_field.to_string();
            let (docs, summary) = collect(&spec).unwrap_or_else(|e| panic!("{name}: {e}"));
            let got: Vec<(String, String, Option<usize>, usize)> = docs
                .iter()
                .map(|d| (d.id.clone(), d.text.clone(), d.origin.line, d.origin.input))
                .collect();
            let want: Vec<(String, String, Option<usize>, usize)> = want
                .iter()
                .map(|(id, text, line, input)| {
                    (at(dir.path(), id), text.to_string(), *line, *input)
                })
                .collect();
            assert_eq!(got, want, "{name}");
            let ordinals: Vec<u64> = docs.iter().map(|d| d.ordinal).collect();
            assert_eq!(
                ordinals,
                (0..docs.len() as u64).collect::<Vec<_>>(),
                "{name}"
            );
            assert_eq!(summary.docs, docs.len() as u64, "{name}");
            assert!(summary.skipped.is_empty(), "{name}");
            for doc in &docs {
                // JSON Lines documents keep their line, plain ones do not.
                assert_eq!(doc.raw.is_some(), doc.origin.line.is_some(), "{name}");
                assert_eq!(
                    doc.raw.is_some(),
                    doc.origin.byte_offset.is_some(),
                    "{name}"
                );
            }
        }
    }

    #[test]
    fn raw_is_the_line_and_offsets_point_at_it() {
        let lines: [&[u8]; 4] = [
            b"\xef\xbb\xbf{\"id\":\"bom\",\"text\":\"x\"}",
            b"  { \"extra\" : [1, 2.50, {\"k\": null}],\t\"text\" :\"caf\\u00e9\",\"id\":\"s\"  }  ",
            b"{\"text\":\"crlf\",\"id\":\"c\"}\r",
            "{\"text\":\"é “q”\"}".as_bytes(),
        ];
        let mut file = lines.join(&b"\n"[..]);
        file.extend_from_slice(b"\n\n");
        let dir = tempfile::tempdir().unwrap();
        write_tree(
            dir.path(),
            &[
                ("r.jsonl", Enc::Plain, &file),
                ("r.jsonl.zst", Enc::Zst, &file),
            ],
        );
        let (docs, summary) = collect(&spec_in(dir.path(), &["r.jsonl", "r.jsonl.zst"])).unwrap();
        assert_eq!(docs.len(), 8);
        assert_eq!(summary.bytes, 2 * file.len() as u64);
        assert_eq!(summary.files, 2);
        for (i, doc) in docs.iter().enumerate() {
            let raw = doc.raw.as_deref().unwrap();
            let start = doc.origin.byte_offset.unwrap() as usize;
            assert_eq!(&file[start..start + raw.len()], raw, "doc {i}");
            let line = lines[i % 4];
            let want = if i % 4 == 0 { &line[3..] } else { line };
            assert_eq!(raw, want, "doc {i}");
            assert_eq!(doc.origin.line, Some(i % 4 + 1));
        }
        assert_eq!(docs[0].origin.byte_offset, Some(3));
        assert_eq!(docs[1].text, "café");
        assert_eq!(docs[2].text, "crlf");
        assert_eq!(docs[3].text, "é “q”");
    }

    /// Runs a one-file corpus in stop mode and returns the error.
    fn error_of(name: &str, bytes: &[u8], fields: (&str, &str)) -> (ReadError, Vec<CorpusDoc>) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(name), bytes).unwrap();
        let mut spec = spec_in(dir.path(), &[name]);
        spec.id_field = fields.0.to_owned();
        spec.text_field = fields.1.to_owned();
        let mut docs = Vec::new();
        let mut reader = CorpusReader::new(&spec);
        let error = loop {
            match reader.next() {
                Some(Ok(doc)) => docs.push(doc),
                Some(Err(e)) => break e,
                None => panic!("{name}: no error"),
            }
        };
        assert!(
            reader.next().is_none(),
            "{name}: the reader ends after an error"
        );
        (error, docs)
    }

    #[test]
    fn corpus_errors_table() {
        let good = "{\"id\":\"ok\",\"text\":\"fine\"}\n".repeat(2);
        let big: String = (0..5000)
            .map(|i| format!("{{\"id\":{i},\"text\":\"document number {i} with some words\"}}\n"))
            .collect();
        let truncated_gz = {
            let z = gz(big.as_bytes());
            z[..z.len() / 2].to_vec()
        };
        let truncated_zst = {
            let z = zst(big.as_bytes());
            z[..z.len() / 2].to_vec()
        };
        let mut bad_utf8 = good.clone().into_bytes();
        bad_utf8.extend_from_slice(b"{\"text\":\"ab\xffcd\"}\n");
        let fields = ("id", "text");
        // (file name, contents, fields, good docs before, message after "path:")
        let cases: Vec<(&str, Vec<u8>, (&str, &str), usize, &str)> = vec![
            (
                "m.jsonl",
                format!("{good}\n{{\"id\":\"x\",\"text\":\"y\" \"z\"}}\n").into_bytes(),
                fields,
                2,
                ":4: malformed JSON at column 22: expected `,` or `}`",
            ),
            (
                "t.jsonl",
                format!("{good}{{\"id\":1,\"text\":\"y\"}} x\n").into_bytes(),
                fields,
                2,
                ":3: malformed JSON at column 21: trailing characters",
            ),
            (
                "n.jsonl",
                b"[1,2]\n".to_vec(),
                fields,
                0,
                ":1: expected a JSON object, found an array",
            ),
            (
                "s.jsonl",
                b"\"str\"".to_vec(),
                fields,
                0,
                ":1: expected a JSON object, found a string",
            ),
            (
                "u.jsonl",
                b"nope".to_vec(),
                fields,
                0,
                ":1: malformed JSON at column 2: expected ident",
            ),
            (
                "f.jsonl",
                b"{\"id\":\"a\"}".to_vec(),
                fields,
                0,
                ":1: no `text` field",
            ),
            (
                "g.jsonl",
                b"{\"id\":\"a\",\"text\":\"x\"}\n{\"id\":\"b\",\"text\":\"x\"}".to_vec(),
                ("id", "body"),
                0,
                ":1: no `body` field",
            ),
            (
                "w.jsonl",
                b"{\"text\":5}".to_vec(),
                fields,
                0,
                ":1: field `text` is a number, expected a string",
            ),
            (
                "x.jsonl",
                b"{\"text\":null}".to_vec(),
                fields,
                0,
                ":1: field `text` is null, expected a string",
            ),
            (
                "i.jsonl",
                b"{\"text\":\"t\",\"id\":true}".to_vec(),
                fields,
                0,
                ":1: field `id` is a boolean, expected a string or a number",
            ),
            (
                "o.jsonl",
                b"{\"text\":\"t\",\"id\":{\"a\":1}}".to_vec(),
                fields,
                0,
                ":1: field `id` is an object, expected a string or a number",
            ),
            (
                "d.jsonl",
                b"{\"text\":\"t\",\"text\":\"u\"}".to_vec(),
                fields,
                0,
                ":1: field `text` appears more than once",
            ),
            (
                "b.jsonl",
                bad_utf8,
                fields,
                2,
                ":3: invalid UTF-8 at line 3, column 12 (byte 63)",
            ),
            (
                "c.jsonl.gz",
                truncated_gz,
                fields,
                0,
                "corrupt or truncated gzip stream",
            ),
            (
                "c.jsonl.zst",
                truncated_zst,
                fields,
                0,
                "corrupt or truncated zstd stream",
            ),
            (
                "p.txt.gz",
                b"not gzip at all".to_vec(),
                fields,
                0,
                ": corrupt or truncated gzip stream",
            ),
            (
                "bin.txt",
                b"\x89PNG\0".to_vec(),
                fields,
                0,
                ": binary file (NUL byte at line 1, column 5 (byte 4))",
            ),
            (
                "l.txt",
                b"ok\n\xc3(".to_vec(),
                fields,
                0,
                ": invalid UTF-8 at line 2, column 1 (byte 3)",
            ),
        ];
        for (name, bytes, fields, before, want) in &cases {
            let (error, docs) = error_of(name, bytes, *fields);
            let message = error.to_string();
            // Truncated streams stop at a line that depends on the compressor: their `want` has no
            // line, and the line is checked below.
            let whole = format!("{name}{want}");
            let found = if want.starts_with(':') {
                message.contains(&whole)
            } else {
                message.contains(*name) && message.contains(*want)
            };
            assert!(found, "{name}: {message:?} lacks {want:?}");
            if want.starts_with(':') {
                assert_eq!(docs.len(), *before, "{name}: documents before the error");
            }
        }
        // A truncated stream names the line it reached, well into the file.
        let (error, docs) = error_of("c.jsonl.gz", &cases[13].1, fields);
        assert!(matches!(
            error.kind,
            ReadErrorKind::Decompress { format: "gzip", .. }
        ));
        assert_eq!(error.line, Some(docs.len() + 1), "{error}");
        assert!(docs.len() > 100, "{}", docs.len());
        let (error, docs) = error_of("c.jsonl.zst", &cases[14].1, fields);
        assert!(matches!(
            error.kind,
            ReadErrorKind::Decompress { format: "zstd", .. }
        ));
        assert_eq!(error.line, Some(docs.len() + 1), "{error}");
    }

    #[test]
    fn missing_path_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let spec = spec_in(dir.path(), &["nope.jsonl"]);
        let error = collect(&spec).unwrap_err();
        assert!(matches!(error.kind, ReadErrorKind::NotFound));
        assert_eq!(error.line, None);
        assert_eq!(
            error.to_string(),
            format!("{}/nope.jsonl: no such file", dir.path().display())
        );
    }

    /// What chunk mode gives, turned into what the iterator gives: documents (ordinals counted
    /// here) and skipped entries, in reading order.
    fn collect_chunked(
        spec: &CorpusSpec,
        max: usize,
    ) -> Result<(Vec<CorpusDoc>, Vec<Skipped>), ReadError> {
        let mut reader = CorpusReader::new(spec);
        let (mut docs, mut skipped, mut seen) = (Vec::new(), Vec::new(), 0);
        loop {
            let unit = reader.next_chunk(max);
            skipped.extend_from_slice(&reader.skipped()[seen..]);
            seen = reader.skipped().len();
            match unit {
                None => break,
                Some(Err(e)) => return Err(e),
                Some(Ok(Unit::Doc(doc))) => docs.push(CorpusDoc {
                    ordinal: docs.len() as u64,
                    ..doc
                }),
                Some(Ok(Unit::Lines(chunk))) => {
                    for (line, start, bytes) in chunk.lines() {
                        let origin = |byte_offset, length| Origin {
                            input: chunk.input,
                            path: chunk.path.clone(),
                            line: Some(line),
                            byte_offset: Some(byte_offset),
                            length,
                        };
                        // A spare buffer holding stale text, as one handed back does.
                        let mut spare = String::from("stale text");
                        match LineChunk::parse(spec, line, start, bytes, &mut spare) {
                            Line::Blank => {}
                            Line::Record {
                                id,
                                text,
                                start,
                                length,
                            } => docs.push(CorpusDoc {
                                ordinal: docs.len() as u64,
                                id: id.unwrap_or_else(|| chunk.default_id(line)),
                                text,
                                origin: origin(start, Some(length)),
                                raw: spec
                                    .keep_raw
                                    .then(|| bytes[bytes.len() - length as usize..].to_vec()),
                            }),
                            Line::Bad { kind, start } => {
                                let error = ReadError::new(&chunk.path, kind).at_line(line);
                                if spec.on_error == OnError::Stop {
                                    return Err(error);
                                }
                                skipped.push(Skipped {
                                    origin: origin(start, None),
                                    reason: error.kind.to_string(),
                                });
                            }
                        }
                    }
                    // Handed back scribbled over, so that a chunk reading stale bytes of the
                    // buffer it fills would show.
                    let mut used = chunk.data;
                    used.fill(b'#');
                    reader.recycle(used);
                }
            }
        }
        Ok((docs, skipped))
    }

    #[test]
    fn chunk_mode_reads_exactly_what_the_iterator_reads() {
        let dir = tempfile::tempdir().unwrap();
        let big: String = (0..3000)
            .map(|i| match i % 50 {
                7 => "\n".to_owned(),
                9 => "{broken\r\n".to_owned(),
                _ => format!("{{\"id\":\"z{i}\",\"text\":\"t\\n{i} \\u00e9\"}}\r\n"),
            })
            .collect();
        let z = gz(big.as_bytes());
        let mut bom = "\u{feff}".as_bytes().to_vec();
        bom.extend_from_slice(JSONL);
        write_tree(
            dir.path(),
            &[
                ("a.jsonl", Enc::Plain, &bom),
                ("b.jsonl", Enc::Plain, big.as_bytes()),
                ("cut.jsonl.gz", Enc::Plain, &z[..z.len() / 2]),
                ("d/bin.txt", Enc::Plain, b"\0"),
                ("d/ok.txt", Enc::Plain, b"plain ok"),
                (
                    "d/p.jsonl.zst",
                    Enc::Zst,
                    b"{\"text\":\"last, no line end\"}",
                ),
            ],
        );
        let inputs = [
            "a.jsonl",
            "missing.txt",
            "b.jsonl",
            "cut.jsonl.gz",
            "d",
            "a.jsonl",
        ];
        let mut spec = spec_in(dir.path(), &inputs);
        spec.on_error = OnError::Skip;
        for keep_raw in [true, false] {
            spec.keep_raw = keep_raw;
            let (want, summary) = collect(&spec).unwrap();
            assert!(want.len() > 3000, "{}", want.len());
            for max in [1, 7, 100, 4096, 1 << 20] {
                let (docs, skipped) = collect_chunked(&spec, max).unwrap();
                assert_eq!(docs, want, "max {max}");
                assert_eq!(skipped, summary.skipped, "max {max}");
            }
        }
        // Stop mode: the same first error.
        spec.on_error = OnError::Stop;
        let want = collect(&spec).unwrap_err().to_string();
        for max in [1, 100, 1 << 20] {
            let got = collect_chunked(&spec, max).unwrap_err().to_string();
            assert_eq!(got, want, "max {max}");
        }
    }

    #[test]
    fn keep_raw_off_drops_raw_but_not_where_it_lies() {
        let dir = tempfile::tempdir().unwrap();
        let file = b"{\"text\":\"a\"}\n\n  {\"text\": \"bb\"}\r\n";
        write_tree(dir.path(), &[("k.jsonl", Enc::Plain, file)]);
        let mut spec = spec_in(dir.path(), &["k.jsonl"]);
        spec.keep_raw = false;
        let (docs, _) = collect(&spec).unwrap();
        let got: Vec<_> = docs
            .iter()
            .map(|d| {
                (
                    d.text.as_str(),
                    d.raw.is_none(),
                    d.origin.byte_offset,
                    d.origin.length,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("a", true, Some(0), Some(12)),
                ("bb", true, Some(14), Some(17))
            ]
        );
    }

    #[test]
    fn lossy_repairs_lines_but_raw_keeps_the_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let line: &[u8] = b"{\"text\":\"ab\xffcd\"}";
        write_tree(dir.path(), &[("b.jsonl", Enc::Plain, line)]);
        let mut spec = spec_in(dir.path(), &["b.jsonl"]);
        assert!(matches!(
            collect(&spec).unwrap_err().kind,
            ReadErrorKind::InvalidUtf8(_)
        ));
        spec.lossy = true;
        let (docs, _) = collect(&spec).unwrap();
        assert_eq!(docs[0].text, "ab\u{fffd}cd");
        assert_eq!(docs[0].raw.as_deref(), Some(line));
    }

    #[test]
    fn skip_mode_records_bad_lines_and_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let lines = "{\"id\":\"g1\",\"text\":\"one\"}\n\
            {\"id\":\"b1\",\"text\":\n\
            {\"id\":\"g2\",\"text\":\"two\"}\n\
            \n\
            {\"id\":\"b2\"}\n\
            {\"id\":\"g3\",\"text\":\"\"}\n";
        let big: String = (0..5000)
            .map(|i| format!("{{\"id\":\"z{i}\",\"text\":\"t{i}\"}}\n"))
            .collect();
        let z = gz(big.as_bytes());
        write_tree(
            dir.path(),
            &[
                ("a.jsonl", Enc::Plain, lines.as_bytes()),
                ("cut.jsonl.gz", Enc::Plain, &z[..z.len() / 2]),
                ("d/bin.txt", Enc::Plain, b"\0"),
                ("d/ok.txt", Enc::Plain, b"plain ok"),
            ],
        );
        let mut spec = spec_in(dir.path(), &["a.jsonl", "missing.txt", "cut.jsonl.gz", "d"]);
        spec.on_error = OnError::Skip;
        let (docs, summary) = collect(&spec).unwrap();
        let ids: Vec<&str> = docs
            .iter()
            .map(|d| d.id.as_str())
            .filter(|id| !id.starts_with('z'))
            .collect();
        let ok = at(dir.path(), "{d}/d/ok.txt");
        assert_eq!(ids, ["g1", "g2", "g3", ok.as_str()]);
        let from_cut = docs.iter().filter(|d| d.id.starts_with('z')).count();
        assert!(from_cut > 100 && from_cut < 5000, "{from_cut}");
        assert_eq!(summary.docs, docs.len() as u64);
        let reasons: Vec<String> = summary
            .skipped
            .iter()
            .map(|s| s.to_string().replace(&*dir.path().to_string_lossy(), "{d}"))
            .collect();
        assert_eq!(reasons.len(), 5, "{reasons:#?}");
        assert_eq!(
            reasons[0],
            "{d}/a.jsonl:2: malformed JSON at column 18: EOF while parsing a value"
        );
        assert_eq!(reasons[1], "{d}/a.jsonl:5: no `text` field");
        assert_eq!(reasons[2], "{d}/missing.txt: no such file");
        assert!(
            reasons[3].starts_with(&format!(
                "{{d}}/cut.jsonl.gz:{}: corrupt or truncated gzip stream",
                from_cut + 1
            )),
            "{}",
            reasons[3]
        );
        assert_eq!(
            reasons[4],
            "{d}/d/bin.txt: binary file (NUL byte at line 1, column 1 (byte 0))"
        );
        assert_eq!(summary.skipped[0].origin.input, 0);
        assert_eq!(summary.skipped[3].origin.input, 2);
        assert_eq!(summary.skipped[4].origin.line, None);
        // The same corpus in stop mode stops at the first bad line.
        spec.on_error = OnError::Stop;
        let error = collect(&spec).unwrap_err();
        assert_eq!(error.line, Some(2));
    }

    #[test]
    fn reread_returns_exactly_the_wanted_documents() {
        let dir = tempfile::tempdir().unwrap();
        let jsonl: String = (0..50)
            .map(|i| match i % 10 {
                3 => "{broken\n".to_owned(),
                7 => "\n".to_owned(),
                _ => format!("{{\"x\": {i}, \"id\":\"j{i}\",\"text\":\"text {i}\"}}\n"),
            })
            .collect();
        write_tree(
            dir.path(),
            &[
                ("a.jsonl.gz", Enc::Gz, jsonl.as_bytes()),
                ("p/1.txt", Enc::Plain, b"plain one"),
                ("p/2.txt.zst", Enc::Zst, b"plain two"),
                ("b.jsonl", Enc::Plain, jsonl.as_bytes()),
            ],
        );
        let mut spec = spec_in(dir.path(), &["a.jsonl.gz", "p", "b.jsonl"]);
        spec.on_error = OnError::Skip;
        let (all, summary) = collect(&spec).unwrap();
        assert_eq!(all.len(), 40 + 2 + 40);
        assert_eq!(summary.skipped.len(), 10);
        let cases: &[&[u64]] = &[
            &[],
            &[0],
            &[81],
            &[40, 41],
            &[5, 3, 5, 60, 42, 0],
            &[79, 80, 81, 1000],
        ];
        for wanted in cases {
            let mut got = Vec::new();
            let handed = reread(&spec, wanted, |doc| got.push(doc)).unwrap();
            let mut want: Vec<u64> = wanted
                .iter()
                .copied()
                .filter(|&o| o < all.len() as u64)
                .collect();
            want.sort_unstable();
            want.dedup();
            let want: Vec<&CorpusDoc> = want.iter().map(|&o| &all[o as usize]).collect();
            assert_eq!(handed, want.len() as u64, "{wanted:?}");
            assert_eq!(got.iter().collect::<Vec<_>>(), want, "{wanted:?}");
        }
        let stdin = CorpusSpec::new(["-"]);
        let error = reread(&stdin, &[0], |_| ()).unwrap_err();
        assert!(matches!(error.kind, ReadErrorKind::NotRereadable));
        assert_eq!(
            error.to_string(),
            "-: standard input cannot be read a second time"
        );
    }

    #[test]
    fn break_stops_reading() {
        let dir = tempfile::tempdir().unwrap();
        write_tree(
            dir.path(),
            &[("a.jsonl", Enc::Plain, JSONL), ("b.txt", Enc::Plain, b"b")],
        );
        let mut seen = 0;
        let summary = read_corpus(&spec_in(dir.path(), &["a.jsonl", "b.txt"]), |_| {
            seen += 1;
            if seen == 2 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap();
        assert_eq!((seen, summary.docs, summary.files), (2, 2, 1));
    }

    #[test]
    fn stdin_compression_is_sniffed() {
        let text = b"{\"text\":\"t\"}\n";
        for (bytes, compression) in [
            (text.to_vec(), Compression::None),
            (gz(text), Compression::Gzip),
            (zst(text), Compression::Zstd),
        ] {
            let (mut stream, found) = open_sniffed(io::Cursor::new(bytes)).unwrap();
            assert_eq!(found, compression);
            let mut out = Vec::new();
            stream.read_to_end(&mut out).unwrap();
            assert_eq!(out, text);
        }
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_to_files_are_followed_to_directories_not() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        write_tree(
            dir.path(),
            &[
                ("t/a.txt", Enc::Plain, b"a"),
                ("elsewhere.txt", Enc::Plain, b"e"),
            ],
        );
        symlink(dir.path().join("t"), dir.path().join("t/loop")).unwrap();
        symlink(
            dir.path().join("elsewhere.txt"),
            dir.path().join("t/link.txt"),
        )
        .unwrap();
        let (docs, _) = collect(&spec_in(dir.path(), &["t"])).unwrap();
        let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
        assert_eq!(texts, ["a", "e"]);
        assert_eq!(docs[1].id, at(dir.path(), "{d}/t/link.txt"));
    }

    #[test]
    fn corpus_types_are_send() {
        fn send<T: Send>() {}
        fn send_sync<T: Send + Sync>() {}
        send::<CorpusReader>();
        send_sync::<CorpusDoc>();
        send_sync::<CorpusSpec>();
        send_sync::<CorpusSummary>();
        send_sync::<ReadError>();
    }
}
