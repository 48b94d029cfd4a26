//! JSON Lines: events in, one JSON record per line out. The records are the contract shared by
//! `compare`, `check` and `dedup` (scripts read them), so their fields and order live here once.
//!
//! The pair record ([`PairRecord`], from [`Sink::pair`] and [`Sink::record`]):
//! ```text
//! {"a": id, "b": id, "jaccard": f, "containment_a_in_b": f, "containment_b_in_a": f,
//!  "relation": "duplicate"|"derivative"|"overlap"|"unrelated",
//!  "source": id, "derived": id,                                  (derivatives only)
//!  "direction_by": "date"|"text"|"weak"|"siblings"|"cover", "direction_confidence": f, (derivatives)
//!  "siblings_of": id,          (dedup: two derivatives of that source, neither the other's)
//!  "direction_contradicted": true,                (when the dates decided against the text)
//!  "source_date": date, "derived_date": date,     (derivatives, each where known)
//!  "cover": {"share": f, "rank": n, "explained": f, "sources": n, "spans": [[s, e], ...]},
//!                             (b is one of the sources of a page built from several, a)
//!  "passages": [{"kind": "shared"|"changed"|"a_only"|"b_only", "a": [s, e]|null, "b": [s, e]|null,
//!                "moved": true (when so), "edits": [{"a": [s, e]|null, "b": [s, e]|null}] (changed)}]}
//! ```
//! Spans are byte offsets into the UTF-8 texts, end exclusive. Extra fields: `a_shingles`,
//! `b_shingles`, `shared_shingles`, `direction_score`.
//!
//! The cluster records of a dedup run ([`ClusterRecord`], from [`Sink::cluster`]):
//! ```text
//! {"kind": "duplicates", "cluster": n, "size": n, "representative": id, "members": [id, ...]}
//! {"kind": "derivatives", "source": id, "source_kept": bool, "derived": [id, ...]}
//! ```
//! Scores are rounded to four decimals. [`JsonLines`] ignores the other events. A batch of
//! records ([`Sink::records`]) is formatted on rayon's threads, each record into its own buffer,
//! and the buffers written in order: a dedup run's pairs file with passages is mostly
//! formatting, and the bytes are those of one record at a time.

use std::io::{self, Write};
use std::ops::Range;

use rayon::prelude::*;
use serde::Serialize;

use super::{Cluster, Sink};
use crate::align::PassageKind;
use crate::compare::Pair;
use crate::document::{Date, Document};
use crate::verify::{DirectionBy, Relation};

/// The JSON form of a pair.
#[derive(Serialize, Debug)]
pub struct PairRecord<'p> {
    /// Id of a.
    pub a: &'p str,
    /// Id of b.
    pub b: &'p str,
    /// Exact Jaccard of the shingle sets.
    #[serde(serialize_with = "round4")]
    pub jaccard: f64,
    /// Share of a's shingles in b.
    #[serde(serialize_with = "round4")]
    pub containment_a_in_b: f64,
    /// Share of b's shingles in a.
    #[serde(serialize_with = "round4")]
    pub containment_b_in_a: f64,
    /// The relation.
    pub relation: Relation,
    /// For a derivative: the source's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<&'p str>,
    /// For a derivative: the derived document's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub derived: Option<&'p str>,
    /// For a derivative: what decided the direction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction_by: Option<DirectionBy>,
    /// For a derivative: how sure the direction is, in [0, 1].
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "round4_some"
    )]
    pub direction_confidence: Option<f64>,
    /// For two derivatives of one source that match each other: that source's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub siblings_of: Option<&'p str>,
    /// For a derivative the dates decided against text that says clearly the other way.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub direction_contradicted: bool,
    /// For a derivative: the source's date, where known (ISO 8601, UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_date: Option<Date>,
    /// For a derivative: the derived document's date, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub derived_date: Option<Date>,
    /// Distinct shingles of a.
    pub a_shingles: usize,
    /// Distinct shingles of b.
    pub b_shingles: usize,
    /// Shingles in both.
    pub shared_shingles: usize,
    /// Direction evidence: positive leans to a derived from b.
    #[serde(serialize_with = "round4")]
    pub direction_score: f64,
    /// When the scores above are on the content only (background left out): Jaccard of the
    /// whole texts.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "round4_some"
    )]
    pub raw_jaccard: Option<f64>,
    /// On the whole texts: share of a's shingles in b.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "round4_some"
    )]
    pub raw_containment_a_in_b: Option<f64>,
    /// On the whole texts: share of b's shingles in a.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "round4_some"
    )]
    pub raw_containment_b_in_a: Option<f64>,
    /// Distinct shingles of a that are background (left out of the scores above).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub a_boilerplate_shingles: Option<usize>,
    /// Distinct shingles of b that are background.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub b_boilerplate_shingles: Option<usize>,
    /// For a page built from several sources (a the page, b one of them): b's part of a.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cover: Option<CoverRecord>,
    /// An overlap that would be a derivative but that what the derived side shares is common
    /// text: inside several documents that are unrelated to each other.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub common_text: bool,
    /// The passages, when aligned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passages: Option<Vec<PassageRecord>>,
}

/// The JSON form of a source's place in a page's cover.
#[derive(Serialize, Debug)]
pub struct CoverRecord {
    /// Share of the page's content this source explains that no source before it does.
    #[serde(serialize_with = "round4")]
    pub share: f64,
    /// Its rank, from 1.
    pub rank: usize,
    /// Share of the page the whole cover explains.
    #[serde(serialize_with = "round4")]
    pub explained: f64,
    /// Sources in the cover.
    pub sources: usize,
    /// Byte spans of the page (a) that came from this source.
    pub spans: Vec<[usize; 2]>,
}

/// The JSON form of a passage.
#[derive(Serialize, Debug)]
pub struct PassageRecord {
    /// What it is.
    pub kind: PassageKind,
    /// Byte span in a.
    pub a: Option<[usize; 2]>,
    /// Byte span in b.
    pub b: Option<[usize; 2]>,
    /// Found out of order.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub moved: bool,
    /// The small edits of a changed passage.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub edits: Vec<EditRecord>,
}

/// The JSON form of an edit inside a changed passage.
#[derive(Serialize, Debug)]
pub struct EditRecord {
    /// Byte span in a.
    pub a: Option<[usize; 2]>,
    /// Byte span in b.
    pub b: Option<[usize; 2]>,
}

fn round4<S: serde::Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((x * 1e4).round() / 1e4)
}

fn round4_some<S: serde::Serializer>(x: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match x {
        Some(x) => round4(x, s),
        None => s.serialize_none(),
    }
}

fn pair_span(r: &Option<Range<usize>>) -> Option<[usize; 2]> {
    r.as_ref().map(|r| [r.start, r.end])
}

impl<'p> PairRecord<'p> {
    /// The record of a pair, with its passages when it was aligned.
    pub fn of(pair: &'p Pair) -> Self {
        PairRecord::with_passages(pair, true)
    }

    /// The record of a pair, without its passages unless `passages`.
    fn with_passages(pair: &'p Pair, passages: bool) -> Self {
        PairRecord {
            a: &pair.a,
            b: &pair.b,
            jaccard: pair.scores.jaccard,
            containment_a_in_b: pair.scores.containment_a_in_b,
            containment_b_in_a: pair.scores.containment_b_in_a,
            relation: pair.relation,
            source: pair.source_id(),
            derived: pair.derived_id(),
            direction_by: pair.direction.map(|d| d.by),
            direction_confidence: pair.direction.map(|d| d.confidence),
            siblings_of: pair.siblings_of.as_deref(),
            direction_contradicted: pair.direction.is_some_and(|d| d.contradicted),
            source_date: pair.direction.and_then(|d| pair.date(d.derived.other())),
            derived_date: pair.direction.and_then(|d| pair.date(d.derived)),
            a_shingles: pair.scores.a_shingles,
            b_shingles: pair.scores.b_shingles,
            shared_shingles: pair.scores.shared,
            direction_score: pair.direction_score,
            raw_jaccard: pair.raw.map(|r| r.scores.jaccard),
            raw_containment_a_in_b: pair.raw.map(|r| r.scores.containment_a_in_b),
            raw_containment_b_in_a: pair.raw.map(|r| r.scores.containment_b_in_a),
            a_boilerplate_shingles: pair.raw.map(|r| r.a_boilerplate),
            b_boilerplate_shingles: pair.raw.map(|r| r.b_boilerplate),
            common_text: pair.common_text,
            cover: pair.cover.as_ref().map(|c| CoverRecord {
                share: c.share,
                rank: c.rank,
                explained: c.explained,
                sources: c.sources,
                spans: c.spans.iter().map(|r| [r.start, r.end]).collect(),
            }),
            passages: pair.alignment.as_ref().filter(|_| passages).map(|al| {
                al.passages
                    .iter()
                    .map(|p| PassageRecord {
                        kind: p.kind,
                        a: pair_span(&p.a),
                        b: pair_span(&p.b),
                        moved: p.moved,
                        edits: p
                            .edits
                            .iter()
                            .map(|e| EditRecord {
                                a: pair_span(&e.a),
                                b: pair_span(&e.b),
                            })
                            .collect(),
                    })
                    .collect()
            }),
        }
    }
}

/// The JSON form of a [`Cluster`].
#[derive(Serialize, Debug)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ClusterRecord<'c> {
    /// A cluster of duplicates.
    Duplicates {
        /// Its number in the run.
        cluster: usize,
        /// Its members, the representative included.
        size: usize,
        /// The member kept for it.
        representative: &'c str,
        /// Every member.
        members: Vec<&'c str>,
    },
    /// A source and its derivatives.
    Derivatives {
        /// The source's id.
        source: &'c str,
        /// Whether the source is kept.
        source_kept: bool,
        /// The derived documents.
        derived: Vec<&'c str>,
    },
    /// A page built from several sources.
    BuiltFrom {
        /// The page's id.
        page: &'c str,
        /// Whether the page is kept.
        page_kept: bool,
        /// Its sources, by rank.
        sources: Vec<&'c str>,
    },
}

impl<'c> ClusterRecord<'c> {
    /// The record of a cluster.
    pub fn of(cluster: &Cluster<'c>) -> Self {
        match *cluster {
            Cluster::Duplicates {
                number,
                representative,
                members,
                ..
            } => ClusterRecord::Duplicates {
                cluster: number,
                size: members.len(),
                representative,
                members: members.iter().map(|m| m.id).collect(),
            },
            Cluster::Derivatives {
                source,
                source_kept,
                derived,
            } => ClusterRecord::Derivatives {
                source,
                source_kept,
                derived: derived.iter().map(|m| m.id).collect(),
            },
            Cluster::BuiltFrom {
                page,
                page_kept,
                sources,
            } => ClusterRecord::BuiltFrom {
                page,
                page_kept,
                sources: sources.iter().map(|m| m.id).collect(),
            },
        }
    }
}

/// Pair records a dedup run pushes at once ([`Sink::records`]): enough to keep every thread
/// formatting, few enough that the formatted lines of a batch with passages stay small.
pub(crate) const RECORD_BATCH: usize = 4096;

/// Writes one JSON record per line: a [`PairRecord`] per pair, a [`ClusterRecord`] per cluster.
pub struct JsonLines<W: Write> {
    out: W,
    /// Whether pair records carry their passages.
    passages: bool,
}

impl<W: Write> JsonLines<W> {
    /// A sink writing to `out`.
    pub fn new(out: W) -> Self {
        JsonLines {
            out,
            passages: true,
        }
    }

    /// The same sink, writing pair records with their passages (when aligned) only if `passages`
    /// (the default).
    pub fn passages(self, passages: bool) -> Self {
        JsonLines { passages, ..self }
    }

    /// The writer back.
    pub fn into_inner(self) -> W {
        self.out
    }

    fn line(&mut self, record: &impl Serialize) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, record)?;
        self.out.write_all(b"\n")
    }
}

impl<W: Write> Sink for JsonLines<W> {
    fn pair(&mut self, pair: &Pair, _a: &Document, _b: &Document) -> io::Result<()> {
        self.record(pair)
    }

    fn record(&mut self, pair: &Pair) -> io::Result<()> {
        let record = PairRecord::with_passages(pair, self.passages);
        self.line(&record)
    }

    /// Formats the records in parallel, then writes them in order.
    fn records(&mut self, pairs: &[Pair]) -> io::Result<()> {
        let passages = self.passages;
        let lines: Vec<Vec<u8>> = pairs
            .par_iter()
            .map(|pair| {
                let mut line = Vec::with_capacity(256);
                serde_json::to_writer(&mut line, &PairRecord::with_passages(pair, passages))?;
                line.push(b'\n');
                Ok(line)
            })
            .collect::<io::Result<_>>()?;
        lines.iter().try_for_each(|line| self.out.write_all(line))
    }

    fn cluster(&mut self, cluster: &Cluster<'_>) -> io::Result<()> {
        self.line(&ClusterRecord::of(cluster))
    }

    /// Flushes the writer.
    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::Comparer;
    use crate::report::terminal::tests::seedlike;

    #[test]
    fn json_record_has_the_contract_fields() {
        let (copy, src) = seedlike();
        let pair = Comparer::default().compare(&copy, &src);
        let mut sink = JsonLines::new(Vec::new());
        sink.pair(&pair, &copy, &src).unwrap();
        let out = String::from_utf8(sink.into_inner()).unwrap();
        assert!(out.ends_with('\n') && out.lines().count() == 1);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["a"], "dir/copy.txt");
        assert_eq!(v["b"], "dir/source.txt");
        assert_eq!(v["relation"], "derivative");
        assert_eq!(v["derived"], "dir/copy.txt");
        assert_eq!(v["source"], "dir/source.txt");
        for key in ["jaccard", "containment_a_in_b", "containment_b_in_a"] {
            let x = v[key].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&x), "{key}");
        }
        let passages = v["passages"].as_array().unwrap();
        let kinds: Vec<&str> = passages
            .iter()
            .map(|p| p["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["a_only", "shared", "b_only"]);
        assert_eq!(passages[0]["a"], serde_json::json!([0, 13]));
        assert_eq!(passages[0]["b"], serde_json::Value::Null);
    }

    #[test]
    fn without_passages_the_record_has_none() {
        let (copy, src) = seedlike();
        let pair = Comparer::default().compare(&copy, &src);
        let mut sink = JsonLines::new(Vec::new()).passages(false);
        sink.pair(&pair, &copy, &src).unwrap();
        sink.finish().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&sink.into_inner()).unwrap();
        assert!(v.get("passages").is_none());
        let mut unaligned = pair.clone();
        unaligned.alignment = None;
        let mut plain = JsonLines::new(Vec::new());
        plain.record(&unaligned).unwrap();
        let mut stripped = JsonLines::new(Vec::new()).passages(false);
        stripped.record(&pair).unwrap();
        assert_eq!(plain.into_inner(), stripped.into_inner());
    }

    /// A batch is written as its records one by one would be, in order.
    #[test]
    fn a_batch_of_records_is_its_records_in_order() {
        let (copy, src) = seedlike();
        let pair = Comparer::default().compare(&copy, &src);
        let reversed = Comparer::default().compare(&src, &copy);
        let mut unaligned = pair.clone();
        unaligned.alignment = None;
        let batch = [pair, reversed, unaligned];
        for passages in [true, false] {
            let mut one_by_one = JsonLines::new(Vec::new()).passages(passages);
            for p in &batch {
                one_by_one.record(p).unwrap();
            }
            let mut at_once = JsonLines::new(Vec::new()).passages(passages);
            at_once.records(&batch).unwrap();
            at_once.records(&[]).unwrap();
            let (want, got) = (one_by_one.into_inner(), at_once.into_inner());
            assert_eq!(
                String::from_utf8(got).unwrap(),
                String::from_utf8(want).unwrap()
            );
        }
    }

    /// The cluster records are the bytes of a dedup run's clusters file.
    #[test]
    fn cluster_records_keep_the_clusters_file_format() {
        use crate::report::{Cluster, Linked};
        let members = crate::report::tests::three_duplicates();
        let derived = [Linked {
            id: "d5",
            via: Some("d4"),
        }];
        let mut sink = JsonLines::new(Vec::new());
        sink.cluster(&Cluster::Duplicates {
            number: 0,
            representative: "d2",
            representative_kept: true,
            members: &members,
        })
        .unwrap();
        sink.cluster(&Cluster::Derivatives {
            source: "d4",
            source_kept: false,
            derived: &derived,
        })
        .unwrap();
        assert_eq!(
            String::from_utf8(sink.into_inner()).unwrap(),
            "{\"kind\":\"duplicates\",\"cluster\":0,\"size\":3,\"representative\":\"d2\",\
             \"members\":[\"d1\",\"d2\",\"d3\"]}\n\
             {\"kind\":\"derivatives\",\"source\":\"d4\",\"source_kept\":false,\"derived\":[\"d5\"]}\n"
        );
    }
}
