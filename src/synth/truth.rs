//! The records a generated corpus is made of, and the two files they are written to.
//!
//! In: documents and truth records built by `layout`. Out: [`SynthDoc`], [`TruthPair`] and
//! [`Corpus`], the JSON Lines corpus (`{"id", "text"}` one a line) and the scorer's `TRUTH.json`
//! (`{"pairs": [..]}`, one record a line). The field names are those `tools/score_pairs.py` reads,
//! so they are spelled once here, by serde, and never by hand.

use std::io::{self, BufWriter, Write};

use serde::{Deserialize, Serialize};

/// A char span: `(start, end)` in Unicode scalar values, end-exclusive.
pub type CharSpan = (usize, usize);

/// One document of a generated corpus.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SynthDoc {
    /// Its id: `doc-000123`, or `seed-article` / `seed-blog`.
    pub id: String,
    /// Its text.
    pub text: String,
    /// Its publication date, with [`CorpusSpec::dates`](super::CorpusSpec::dates) (and not
    /// for every document); without, no `date` field is written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<SynthDate>,
}

/// A generated document's `date` field: an ISO 8601 string or epoch seconds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SynthDate {
    /// `2021-06-01T13:45:10Z` or `2021-06-01T15:45:10+02:00`.
    Text(String),
    /// Seconds since 1970-01-01T00:00:00Z.
    Seconds(i64),
}

/// One known (source, derived) pair, as a record of the scorer's `TRUTH.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TruthPair {
    /// Id of the source document (earlier in the corpus).
    pub source: String,
    /// Id of the derived document.
    pub derived: String,
    /// `"duplicate"` or `"derivative"`.
    pub relation: &'static str,
    /// How it was derived: a [`DerivedKind::as_str`](super::DerivedKind::as_str) label, or `"seed"`.
    pub kind: &'static str,
    /// Char spans of the derived text that are not from the source; `None` when not scored.
    pub added: Option<Vec<CharSpan>>,
    /// Char spans of the source text left out of the derived one; `None` when not scored.
    pub dropped: Option<Vec<CharSpan>>,
    /// Char spans of the derived text taken from this source, for a digest (one run of its
    /// paragraphs; on a templated page, with the first source's headline); `None`, and not
    /// written, for the other kinds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parts: Option<Vec<CharSpan>>,
}

/// A generated corpus: documents in order, and the truth about the derived ones.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Corpus {
    /// Documents; every source comes before the documents derived from it.
    pub docs: Vec<SynthDoc>,
    /// One record per (source, derived) pair (one per source for a digest), in the order of the
    /// derived documents.
    pub truth: Vec<TruthPair>,
}

impl Corpus {
    /// Writes the documents as JSON Lines, `{"id": .., "text": ..}` one a line.
    pub fn write_jsonl<W: Write>(&self, w: W) -> io::Result<()> {
        let mut w = BufWriter::new(w);
        for doc in &self.docs {
            write_doc_line(&mut w, doc)?;
        }
        w.flush()
    }

    /// Writes the truth as the scorer's `TRUTH.json`: `{"pairs": [..]}`.
    pub fn write_truth<W: Write>(&self, w: W) -> io::Result<()> {
        write_truth_json(&self.truth, w)
    }
}

/// Writes truth records as the scorer's `TRUTH.json`, `{"pairs": [..]}`, one record a line.
pub fn write_truth_json<W: Write>(pairs: &[TruthPair], w: W) -> io::Result<()> {
    let mut w = BufWriter::new(w);
    w.write_all(b"{")?;
    write_pairs(&mut w, pairs)?;
    w.flush()
}

/// `"pairs": [..]}` and a newline, one record a line.
fn write_pairs<W: Write>(w: &mut W, pairs: &[TruthPair]) -> io::Result<()> {
    w.write_all(b"\"pairs\": [")?;
    for (i, pair) in pairs.iter().enumerate() {
        w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut *w, pair)?;
    }
    w.write_all(b"\n]}\n")
}

/// One position of a corpus: its document, the truth records whose derived document it is, and
/// on templated sites its body (the article inside the page: headline and text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The document (on templated sites, the whole page).
    pub doc: SynthDoc,
    /// The truth records whose derived document this is.
    pub truth: Vec<TruthPair>,
    /// The article text inside the page, a substring of it; `None` without sites.
    pub body: Option<String>,
}

/// A generated corpus with the bodies of its templated pages, in corpus order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pages {
    /// Documents and truth pairs.
    pub corpus: Corpus,
    /// `(id, body)` of every templated page.
    pub bodies: Vec<(String, String)>,
}

impl Pages {
    /// Writes the documents as JSON Lines, as [`Corpus::write_jsonl`].
    pub fn write_jsonl<W: Write>(&self, w: W) -> io::Result<()> {
        self.corpus.write_jsonl(w)
    }

    /// Writes the scorer's `TRUTH.json`: `{"bodies": {id: body, ..}, "pairs": [..]}`, one body or
    /// record a line; without bodies exactly [`write_truth_json`]'s `{"pairs": [..]}`.
    pub fn write_truth<W: Write>(&self, w: W) -> io::Result<()> {
        let mut out = TruthWriter::new(w);
        for (id, body) in &self.bodies {
            out.body(id, body)?;
        }
        out.pairs = self.corpus.truth.clone();
        out.finish().map(|_| ())
    }
}

/// Writes a `TRUTH.json` as entries come: bodies at once (they are as large as the corpus), the
/// pairs (small) at the end.
pub struct TruthWriter<W: Write> {
    w: BufWriter<W>,
    bodies: usize,
    pairs: Vec<TruthPair>,
}

impl<W: Write> TruthWriter<W> {
    /// A writer onto `w`; nothing is written before the first body or [`finish`](Self::finish).
    pub fn new(w: W) -> Self {
        TruthWriter {
            w: BufWriter::new(w),
            bodies: 0,
            pairs: Vec::new(),
        }
    }

    /// Takes one entry: writes its body, keeps its truth pairs.
    pub fn push(&mut self, entry: Entry) -> io::Result<()> {
        if let Some(body) = &entry.body {
            self.body(&entry.doc.id, body)?;
        }
        self.pairs.extend(entry.truth);
        Ok(())
    }

    fn body(&mut self, id: &str, body: &str) -> io::Result<()> {
        self.w.write_all(if self.bodies == 0 {
            b"{\"bodies\": {\n"
        } else {
            b",\n"
        })?;
        serde_json::to_writer(&mut self.w, id)?;
        self.w.write_all(b": ")?;
        serde_json::to_writer(&mut self.w, body)?;
        self.bodies += 1;
        Ok(())
    }

    /// Writes the pairs and closes the file; returns the number of pairs.
    pub fn finish(mut self) -> io::Result<usize> {
        self.w
            .write_all(if self.bodies == 0 { b"{" } else { b"\n},\n" })?;
        write_pairs(&mut self.w, &self.pairs)?;
        self.w.flush()?;
        Ok(self.pairs.len())
    }
}

pub(super) fn write_doc_line<W: Write>(w: &mut W, doc: &SynthDoc) -> io::Result<()> {
    serde_json::to_writer(&mut *w, doc)?;
    w.write_all(b"\n")
}
