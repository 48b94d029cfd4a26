//! What a corpus run is asked and what it gives: the [`CorpusSpec`] in; each [`CorpusDoc`] with
//! its [`Origin`], the [`Skipped`] lines and files, and the [`CorpusSummary`] out.
//!
//! These are plain values shared by every layer of the reader and by its callers (the dedup run,
//! the index), so they live apart from the code that fills them. The one rule they carry is
//! [`OnError`]'s: what happens to a bad line or file, decided in one place
//! ([`OnError::decide`]) for the reader and for a caller that parses chunks itself.

use std::fmt;
use std::path::{Path, PathBuf};

use super::{path_text, Date, Document, ReadError, DEFAULT_MAX_DOC_BYTES};

#[cfg(doc)]
use super::ReadErrorKind;

/// What to do with a bad line or file in a corpus.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnError {
    /// Stop at the first error: it is yielded (or returned) and nothing comes after it.
    #[default]
    Stop,
    /// Record each bad line or file as a [`Skipped`] entry and go on.
    Skip,
}

impl OnError {
    /// A bad line or file (`error`, found at `origin`), decided: in stop mode it is given back,
    /// to end the run; in skip mode it becomes a [`Skipped`] entry in `skipped` (its reason the
    /// error's message without the file and line, which `origin` has) and reading goes on.
    pub(crate) fn decide(
        self,
        error: ReadError,
        origin: Origin,
        skipped: &mut Vec<Skipped>,
    ) -> Result<(), ReadError> {
        match self {
            OnError::Stop => Err(error),
            OnError::Skip => {
                skipped.push(Skipped {
                    origin,
                    reason: error.kind.to_string(),
                });
                Ok(())
            }
        }
    }
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
    /// The JSON Lines field holding the publication date, when there is one to read (none by
    /// default): an ISO 8601 date or date-time, or epoch seconds ([`Date`]). A record without
    /// it, or with `null`, is undated; a value that does not read as a date is a bad line
    /// ([`ReadErrorKind::BadDate`]). Plain-text documents are undated.
    pub date_field: Option<String>,
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
            date_field: None,
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

impl Origin {
    /// The origin of a whole file: input number `input`, the file `path`.
    pub(super) fn file(input: usize, path: &Path) -> Origin {
        Origin {
            input,
            path: path.to_path_buf(),
            line: None,
            byte_offset: None,
            length: None,
        }
    }
}

impl fmt::Display for Origin {
    /// `path:line`, or `path` when there is no line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", path_text(&self.path)),
            None => write!(f, "{}", path_text(&self.path)),
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
    /// The publication date, when [`CorpusSpec::date_field`] names one and the record has it.
    pub date: Option<Date>,
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
            date: None,
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
