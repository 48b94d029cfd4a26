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
}

/// A generated corpus: documents in order, and the truth about the derived ones.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Corpus {
    /// Documents; every source comes before the documents derived from it.
    pub docs: Vec<SynthDoc>,
    /// One record per (source, derived) pair (two for a digest), in the order of the derived documents.
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
    w.write_all(b"{\"pairs\": [")?;
    for (i, pair) in pairs.iter().enumerate() {
        w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut w, pair)?;
    }
    w.write_all(b"\n]}\n")?;
    w.flush()
}

pub(super) fn write_doc_line<W: Write>(w: &mut W, doc: &SynthDoc) -> io::Result<()> {
    serde_json::to_writer(&mut *w, doc)?;
    w.write_all(b"\n")
}
