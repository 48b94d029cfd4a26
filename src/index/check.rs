//! Checking a stream of documents against an index: documents in (a corpus spec, or any iterator
//! of documents), their matches out, pushed to the caller's [`Sink`]s in input order, and a
//! [`CheckSummary`] counting what was checked.
//!
//! Documents are read in batches of [`CHECK_BATCH`] and each batch is checked in parallel with
//! rayon ([`Index::check`] is `Sync`); the results are then handed to the sinks one document at a
//! time, in input order, so the output is the same on any number of threads. A batch bounds what
//! is held in memory: the documents and matches of one batch, not the whole input. Each document
//! is announced to every sink ([`Sink::begin_document`], with its number of matches) before
//! its pairs, so a view that prints a heading per document (the terminal's) needs nothing else.
//! The sinks are not finished here ([`Sink::finish`]): the caller finishes them, in the order it
//! wants its outputs written.

use std::io;

use rayon::prelude::*;

use super::{Index, IndexError, Match};
use crate::document::{CorpusReader, CorpusSpec, Date, Document, Skipped};
use crate::progress::Progress;
use crate::report::Sink;

/// Documents read and checked together.
const CHECK_BATCH: usize = 256;

/// What a check of many documents counted.
#[derive(Clone, Debug, Default)]
pub struct CheckSummary {
    /// Documents checked.
    pub checked: u64,
    /// Documents that matched at least one source.
    pub matched: u64,
    /// Pairs (checked document, source) handed to the sinks.
    pub pairs: u64,
    /// Documents made of several sources: matched to the parts of a cover ([`crate::cover`]).
    pub covered: u64,
    /// Documents without a word (never matched).
    pub empty: u64,
    /// Lines and files skipped (skip mode only).
    pub skipped: Vec<Skipped>,
}

impl CheckSummary {
    /// Documents that matched no source (those without words included).
    pub fn unmatched(&self) -> u64 {
        self.checked - self.matched
    }
}

/// Why a check of many documents stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    /// The index or an input could not be read.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// A sink could not write (its message is the I/O error's, which is also its source, so a
    /// caller can find a broken pipe in the chain).
    #[error("{0}")]
    Output(#[from] io::Error),
}

impl Index {
    /// Checks every document of `spec` (see [`Index::check_documents`]); the summary lists the
    /// lines and files skipped.
    pub fn check_corpus(
        &self,
        spec: &CorpusSpec,
        passages: bool,
        sinks: &mut [&mut dyn Sink],
        progress: &dyn Progress,
    ) -> Result<CheckSummary, CheckError> {
        let mut reader = CorpusReader::new(spec);
        let docs = reader.by_ref().map(|d| {
            d.map(|d| {
                let date = d.date;
                (d.into_document(), date)
            })
        });
        let mut summary = self.check_dated_documents(docs, passages, sinks, progress)?;
        summary.skipped = reader.into_summary().skipped;
        Ok(summary)
    }

    /// Checks every document of `docs` ([`Index::check`], aligned when `passages`) and pushes
    /// the matches to each of `sinks` in input order: for each document,
    /// [`Sink::begin_document`], then one [`Sink::pair`] per match (`a` the document,
    /// `b` the source). Stops at the first error of an input, the index or a sink. The progress
    /// is one stage, `checking`, advanced by the documents checked.
    pub fn check_documents<E>(
        &self,
        docs: impl IntoIterator<Item = Result<Document, E>>,
        passages: bool,
        sinks: &mut [&mut dyn Sink],
        progress: &dyn Progress,
    ) -> Result<CheckSummary, CheckError>
    where
        IndexError: From<E>,
    {
        let docs = docs.into_iter().map(|d| d.map(|d| (d, None)));
        self.check_dated_documents(docs, passages, sinks, progress)
    }

    /// [`Index::check_documents`] of documents with their dates, where known
    /// ([`Index::check_dated`]).
    fn check_dated_documents<E>(
        &self,
        docs: impl IntoIterator<Item = Result<(Document, Option<Date>), E>>,
        passages: bool,
        sinks: &mut [&mut dyn Sink],
        progress: &dyn Progress,
    ) -> Result<CheckSummary, CheckError>
    where
        IndexError: From<E>,
    {
        progress.stage("checking", None);
        let mut docs = docs.into_iter();
        let mut summary = CheckSummary::default();
        let mut batch = Vec::new();
        let mut done = false;
        while !done {
            batch.clear();
            for doc in docs.by_ref() {
                batch.push(doc.map_err(IndexError::from)?);
                if batch.len() == CHECK_BATCH {
                    break;
                }
            }
            done = batch.len() < CHECK_BATCH;
            let results: Vec<Result<Vec<Match>, _>> = batch
                .par_iter()
                .map(|(d, date)| self.check_dated(d, *date, passages))
                .collect();
            progress.advance(batch.len() as u64);
            for ((doc, _), result) in batch.iter().zip(results) {
                let matches = result?;
                summary.checked += 1;
                summary.empty += u64::from(doc.has_no_words());
                summary.matched += u64::from(!matches.is_empty());
                summary.pairs += matches.len() as u64;
                summary.covered += u64::from(matches.iter().any(|m| m.pair.cover.is_some()));
                for sink in sinks.iter_mut() {
                    sink.begin_document(doc, matches.len())?;
                    for m in &matches {
                        sink.pair(&m.pair, doc, &m.source)?;
                    }
                }
            }
        }
        Ok(summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::Pair;
    use crate::dedup::DedupConfig;
    use crate::document::CorpusDoc;
    use crate::index::IndexWriter;
    use crate::progress::Silent;

    /// Records the events it is given, as `begin id n` and `pair a b`.
    #[derive(Default)]
    struct Events(Vec<String>);

    impl Sink for Events {
        fn begin_document(&mut self, doc: &Document, matches: usize) -> io::Result<()> {
            self.0.push(format!("begin {} {matches}", doc.id));
            Ok(())
        }

        fn pair(&mut self, pair: &Pair, a: &Document, b: &Document) -> io::Result<()> {
            assert_eq!((pair.a.as_str(), pair.b.as_str()), (&*a.id, &*b.id));
            self.0.push(format!("pair {} {}", a.id, b.id));
            Ok(())
        }
    }

    /// A sink whose writes fail, as a closed pipe does.
    struct Closed;

    impl Sink for Closed {
        fn pair(&mut self, _: &Pair, _: &Document, _: &Document) -> io::Result<()> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
    }

    fn index_of(n: usize) -> (tempfile::TempDir, Index, Vec<(String, String)>) {
        let spec = crate::synth::CorpusSpec::default()
            .docs(n)
            .seed(3)
            .derived_fraction(0.0);
        let all: Vec<(String, String)> = crate::synth::generate(&spec)
            .docs
            .into_iter()
            .map(|d| (d.id, d.text))
            .collect();
        let docs: Vec<CorpusDoc> = all
            .iter()
            .enumerate()
            .map(|(i, (id, text))| CorpusDoc::new(i as u64, id, text, "t.jsonl"))
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("i.ndx");
        let mut w = IndexWriter::create(&path, &DedupConfig::default()).unwrap();
        w.add_batch(&docs, false).unwrap();
        w.commit().unwrap();
        let index = Index::open(&path).unwrap();
        (dir, index, all)
    }

    #[test]
    fn every_sink_gets_every_document_in_input_order_across_batches() {
        let (_dir, index, all) = index_of(30);
        // More than one batch, with documents that match nothing and one without words.
        let mut queries: Vec<Document> = Vec::new();
        for i in 0..CHECK_BATCH + 10 {
            let text = match i % 3 {
                0 => all[i % all.len()].1.clone(),
                1 => format!("unrelated words number {i} here"),
                _ => "  ...  ".to_string(),
            };
            queries.push(Document::new(format!("q{i}"), text));
        }
        let (mut first, mut second) = (Events::default(), Events::default());
        let summary = index
            .check_documents(
                queries.iter().cloned().map(Ok::<_, IndexError>),
                false,
                &mut [&mut first, &mut second],
                &Silent,
            )
            .unwrap();
        assert_eq!(first.0, second.0);
        let mut expected = Vec::new();
        for (i, q) in queries.iter().enumerate() {
            let matches = index.check(q, false).unwrap();
            assert_eq!(matches.is_empty(), i % 3 != 0, "{}", q.id);
            expected.push(format!("begin {} {}", q.id, matches.len()));
            for m in &matches {
                expected.push(format!("pair {} {}", q.id, m.source.id));
            }
        }
        assert_eq!(first.0, expected);
        let n = queries.len() as u64;
        assert_eq!(summary.checked, n);
        assert_eq!(summary.matched, n.div_ceil(3));
        assert_eq!(summary.unmatched(), n - n.div_ceil(3));
        assert_eq!(summary.empty, (0..n).filter(|i| i % 3 == 2).count() as u64);
        assert!(summary.pairs >= summary.matched);
    }

    #[test]
    fn a_failing_sink_stops_the_check_with_its_io_error_in_the_chain() {
        let (_dir, index, all) = index_of(5);
        let docs = [Ok::<_, IndexError>(Document::new("q", all[0].1.clone()))];
        let err = index
            .check_documents(docs, false, &mut [&mut Closed], &Silent)
            .unwrap_err();
        let source = std::error::Error::source(&err).unwrap();
        let io = source.downcast_ref::<io::Error>().unwrap();
        assert_eq!(io.kind(), io::ErrorKind::BrokenPipe);
        assert_eq!(err.to_string(), io.to_string());
    }
}
