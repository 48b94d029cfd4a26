//! The files a dedup run writes: the settings of what is written ([`Outputs`], [`HtmlOutput`]) in;
//! pair records, cluster records and the kept documents out, one JSON record a line, each file
//! written beside its final path and renamed into place when complete.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::outcome::RunError;
use super::store::Catalog;
use super::{Decision, VerifiedPair};
use crate::align::Alignment;
use crate::compare::Pair;
use crate::document::CorpusSpec;
use crate::fsutil::{self, TempName};
use crate::progress::Progress;
use crate::report::PairRecord;

/// What a dedup run writes, besides its summary.
#[derive(Clone, Debug, Default)]
pub struct Outputs {
    /// One pair record per line.
    pub pairs: Option<PathBuf>,
    /// One cluster record per line.
    pub clusters: Option<PathBuf>,
    /// The kept documents, in input order.
    pub kept: Option<PathBuf>,
    /// Add the aligned passages to each pair record.
    pub passages: bool,
    /// An HTML report of the run.
    pub html: Option<HtmlOutput>,
}

/// The HTML report of a run: its figures, clusters and sources, and the views of a bounded number
/// of pairs, those that explain removals first.
#[derive(Clone, Debug)]
pub struct HtmlOutput {
    /// Where to write it.
    pub path: PathBuf,
    /// Title of the page.
    pub title: String,
    /// At most this many pair views.
    pub max_pairs: usize,
}

/// Writes through a temporary file beside `path`, renamed into place only when `write` succeeds
/// (see [`fsutil::write_atomically`]).
pub(super) fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> Result<(), RunError>,
) -> Result<(), RunError> {
    fsutil::write_atomically(path, TempName::Output, write, write_error(path))
}

pub(super) fn write_error(path: &Path) -> impl Fn(io::Error) -> RunError + '_ {
    move |source| RunError::Write {
        path: path.to_path_buf(),
        source,
    }
}

pub(super) fn write_pairs(
    path: &Path,
    w: &mut impl Write,
    catalog: &Catalog,
    pairs: &[VerifiedPair],
    alignments: &[Option<Alignment>],
) -> Result<(), RunError> {
    let fail = write_error(path);
    // Records are formatted in parallel, a batch at a time (a batch with passages can be large),
    // and written in order.
    const BATCH: usize = 4096;
    for (pairs, alignments) in pairs.chunks(BATCH).zip(alignments.chunks(BATCH)) {
        let lines: Vec<Vec<u8>> = pairs
            .par_iter()
            .zip(alignments)
            .map(|(p, al)| {
                let pair = Pair {
                    a: catalog.ids[p.a as usize].clone(),
                    b: catalog.ids[p.b as usize].clone(),
                    scores: p.scores,
                    relation: p.relation,
                    derived: p.derived,
                    direction_score: p.direction_score,
                    alignment: al.clone(),
                };
                let mut line = Vec::with_capacity(256);
                write_json_line(&mut line, &PairRecord::of(&pair))?;
                Ok(line)
            })
            .collect::<io::Result<_>>()
            .map_err(&fail)?;
        for line in lines {
            w.write_all(&line).map_err(&fail)?;
        }
    }
    Ok(())
}

#[derive(serde::Serialize)]
struct DuplicateCluster<'a> {
    kind: &'static str,
    cluster: usize,
    size: usize,
    representative: &'a str,
    members: Vec<&'a str>,
}

#[derive(serde::Serialize)]
struct DerivativeLinks<'a> {
    kind: &'static str,
    source: &'a str,
    source_kept: bool,
    derived: Vec<&'a str>,
}

pub(super) fn write_clusters(
    path: &Path,
    w: &mut impl Write,
    catalog: &Catalog,
    pairs: &[VerifiedPair],
    decision: &Decision,
) -> Result<(), RunError> {
    let fail = write_error(path);
    let id = |i: u32| catalog.ids[i as usize].as_str();
    for (k, c) in decision.clusters.iter().enumerate() {
        let rec = DuplicateCluster {
            kind: "duplicates",
            cluster: k,
            size: c.members.len(),
            representative: id(c.representative),
            members: c.members.iter().map(|&m| id(m)).collect(),
        };
        write_json_line(w, &rec).map_err(&fail)?;
    }
    // Derivative links, by source in input order.
    let mut by_source: std::collections::BTreeMap<u32, Vec<u32>> = Default::default();
    for (d, s) in pairs.iter().filter_map(VerifiedPair::derivation) {
        by_source.entry(s).or_default().push(d);
    }
    for (s, mut ds) in by_source {
        ds.sort_unstable();
        let rec = DerivativeLinks {
            kind: "derivatives",
            source: id(s),
            source_kept: decision.removed[s as usize].is_none(),
            derived: ds.iter().map(|&d| id(d)).collect(),
        };
        write_json_line(w, &rec).map_err(&fail)?;
    }
    Ok(())
}

/// One JSON record and its line end.
fn write_json_line(w: &mut impl Write, record: &impl serde::Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *w, record)?;
    w.write_all(b"\n")
}

/// Pass 3: the kept documents in input order.
pub(super) fn write_kept(
    path: &Path,
    w: &mut impl Write,
    spec: &CorpusSpec,
    catalog: &Catalog,
    decision: &Decision,
    progress: &dyn Progress,
) -> Result<(), RunError> {
    let fail = write_error(path);
    let kept: Vec<u64> = (0..catalog.ids.len() as u64)
        .filter(|&i| decision.removed[i as usize].is_none())
        .collect();
    catalog
        .store
        .write_records(spec, &catalog.ids, &kept, w, fail, progress)
}
