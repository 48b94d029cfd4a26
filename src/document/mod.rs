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
//!   (a number's id is its text as written, whatever its size or form: `123`, `1e3`, `1.0` and
//!   `123456789012345678901234567890` stay as they are). A missing or `null` id becomes
//!   `<file>:<line>`, the line from 1.
//!   Blank lines are skipped; they are neither documents nor errors. A UTF-8 byte-order mark on
//!   line 1 is ignored. With [`CorpusSpec::date_field`], that field is the document's
//!   publication date ([`Date`]: ISO 8601 or epoch seconds; missing or `null`, undated). Other
//!   fields are skipped without being kept.
//! - any **other file**: one plain-text document, read whole like [`read_file`], its id the path as
//!   given or as found in a directory walk; `.gz` and `.zst` files are decompressed (`a.txt.gz`).
//! - a **stream**: a file named as an input that is not a regular file or a directory (a FIFO, a
//!   process substitution's `/dev/fd/N`, a character device). It is opened once and read once,
//!   from start to end, as standard input is. A name with an extension says what it is, as for a
//!   regular file (a FIFO `x.jsonl` is JSON Lines, `x.txt.gz` one gzipped plain document); a
//!   name without one (`/dev/fd/63` from `<(zcat x.jsonl.gz)`) says nothing, so the stream's
//!   compression is sniffed from its magic bytes, and then it is JSON Lines when its first byte
//!   that is not whitespace (past a byte-order mark) is `{`, else one plain document.
//! - a **directory**: walked recursively, each directory's entries in byte order of their names
//!   (the same run gives the same order). Entries whose name starts with `.` are skipped, files and
//!   directories alike. Symbolic links are followed to files only: a link to a directory is
//!   skipped, so a walk never loops; a broken link is reported as a missing file. Entries that are
//!   neither files nor directories (FIFOs, sockets, devices) are skipped. An empty directory gives
//!   no documents, and is not an error.
//! - `-`: **standard input**, read as JSON Lines; gzip and zstd are recognised by their magic bytes.
//!   It can be read only once, so [`reread`] refuses a spec that has it
//!   ([`ReadErrorKind::NotRereadable`], and [`ReadErrorKind::ReadOnce`] for a stream): keep what
//!   you need from it in memory.
//!
//! A path becomes an id, and a name in a message, through [`path_text`]: as it is when it is
//! UTF-8 (and holds no `\x`); otherwise each byte that is not UTF-8 is written `\xHH` and each
//! backslash `\\`, so that two names differing only in bytes that are not UTF-8 keep two ids
//! (`d/a\xFF.txt` and `d/a\xFE.txt`), and a name that holds a literal `\x` is told from one that
//! holds a bad byte (`a\xFF.txt` written so becomes `a\\xFF.txt`).
//!
//! Compressed inputs are decompressed as a stream (gzip members are read one after the other, as
//! `zcat` does; zstd frames likewise), never loaded whole; a zstd frame asking for a window over
//! 128 MiB (`zstd --long=28` and more) is refused, as `zstd -d` refuses it by default.
//!
//! No document is read past [`CorpusSpec::max_doc_bytes`]: a plain file is read up to one byte
//! past it, and a JSON Lines line stops being buffered as soon as it passes it (then, in stop
//! mode, it is an error at once; with [`OnError::Skip`] it is read through, dropped, and listed),
//! so an endless line or a decompression bomb costs one limit's worth of memory.
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
//! Speed: lines are read into one reused buffer, checked as UTF-8 once, and parsed by a scanner
//! that reads only the two wanted fields, with serde_json behind it for what the scanner is not
//! sure of and to name what is wrong; there is no intermediate `Value` tree, whatever the field
//! names are. Memory: everything streams; no file is held whole but a plain document.
//!
//! # Where things are
//!
//! One layer a file, each using only the ones above it in this list:
//!
//! - `date`: [`Date`], a publication date read from ISO 8601 or epoch seconds;
//! - `error`: [`ReadError`], [`ReadErrorKind`], [`Position`];
//! - `corpus`: the values of a corpus run: [`CorpusSpec`], [`CorpusDoc`], [`Origin`],
//!   [`Skipped`], [`CorpusSummary`], and [`OnError`], which decides what a bad line or file does;
//! - `file`: one file read whole ([`read_file`], [`decode`]);
//! - `walk`: the inputs walked (files, directories, `-`), in order;
//! - `stream`: compression told by name or sniffed, and streamed decompression;
//! - `scan` and `record`: one JSON record's id and text, the fast scanner first, serde_json for
//!   the rest and for the errors: the one door into JSON;
//! - `lines`: a JSON Lines stream read a line at a time or in chunks, each line parsed and placed;
//! - `reader`: [`CorpusReader`], [`read_corpus`] and [`reread`], driving the layers above.

mod corpus;
mod date;
mod error;
mod file;
mod lines;
mod reader;
mod record;
mod scan;
mod stream;
mod walk;

#[cfg(test)]
mod tests;

pub use corpus::{CorpusDoc, CorpusSpec, CorpusSummary, OnError, Origin, Skipped};
pub use date::Date;
pub(crate) use date::DateTable;
pub use error::{path_text, Position, ReadError, ReadErrorKind};
pub use file::{decode, read_file};
pub(crate) use lines::LineChunk;
// For the dedup run's first pass, which parses chunks itself: `Line::place` turns each parsed
// line into a document or a placed error, as the reader does.
pub(crate) use lines::Placed;
pub(crate) use reader::Unit;
pub use reader::{read_corpus, reread, CorpusReader};
pub(crate) use record::record_text;
pub(crate) use walk::{input_files, reads_once};

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
