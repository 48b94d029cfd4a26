//! The persistent source index behind `neardup check`: sources in ([`IndexWriter`]), and out, for
//! a checked document, the sources it derives from or duplicates, verified and aligned
//! ([`Index::check`]).
//!
//! An index is a directory:
//!
//! ```text
//! sources.ndx/
//!   MANIFEST                  the current state: settings, the list of segments, the background
//!   seg-0000000001.nds        one immutable segment per build or add
//!   seg-0000000002.nds
//!   bg-0000000002.ndb         the background learnt from all the sources at the last commit
//!   LOCK                      held by the one writer at a time
//! ```
//!
//! A writer takes the lock, writes its new segment under a temporary name, makes it durable,
//! renames it into place, then writes a new manifest the same way. The rename of the manifest is
//! the commit: a reader opens whichever manifest is in place and sees the old state or the new one,
//! never a mix, and a writer killed at any point leaves the previous manifest and every file it
//! names untouched (the next writer sweeps up what the dead one left). Segments are never changed
//! after their rename; re-adding an id with `replace` writes the new text in the new segment and
//! lists the old one as replaced there.
//!
//! **Boilerplate.** Sources share templates (a site's navigation and footer), licences and stock
//! phrases that are no evidence of copying. Every commit (`build` and each `add`) learns them
//! again from all the live sources, as dedup learns them from its corpus
//! ([`crate::boilerplate`], without dedup's pair vote): it reads every segment's stored
//! signatures (516 bytes a source at 128 values, held in memory meanwhile) and sweeps their bands
//! three times, so a commit costs time and memory linear in the whole index, not in what it adds
//! (at 100,000 sources: under a second for news-like text, about 15 s where most 5-grams are stock
//! phrases). It writes the background keys (the (bin, value) pairs of background buckets, sorted
//! u64s) and each source's background bins to a new `bg-<generation>.ndb`, named by the new
//! manifest; the old one is removed once the manifest is in place. So a page from a site whose
//! pages the index holds is checked with its template known, even when the site came in a later
//! add. An index built with boilerplate off (`boilerplate_min_docs` 0) learns nothing, and a
//! check counts every shared shingle, as before; so does a check against an index of too few
//! sources to learn a template from (a template needs a bucket of `min_docs` sources, six by
//! default, half of them mostly their own text), or of sources that share nothing.
//!
//! **A query** signs the checked document and looks its bands up in each segment, except the
//! bands whose values are background keys (they cast no vote); each candidate's stored signature
//! is then compared with the document's on the bins that are background in neither (the
//! document's by the keys, the source's as learnt), and only the candidates within dedup's margin
//! of a reporting threshold have their text decompressed, measured and verified on content
//! ([`Index::check`]). Opening reads the manifest, each segment's header, its page checksums and
//! its bucket group table; the first query reads the background file (a few milliseconds for
//! 100,000 sources of stock phrases, whose file is 9 MB). Every page of a segment is verified
//! before use (`format::PagedFile`), the background file as a whole.

mod check;
mod format;
mod segment;

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ahash::{AHashMap, AHashSet};
use rayon::prelude::*;

use crate::boilerplate::{background_only, mark_background, masked_estimates, Background};
use crate::compare::{Comparer, Pair, Prepared};
use crate::cover::{cover, CoverParams, CoverShare, NamedPart};
use crate::dedup::{
    has_unrelated, worth_measuring, Candidate, DedupConfig, Deduper, Measured, Scratch, Sketch,
};
use crate::document::{CorpusDoc, CorpusReader, CorpusSpec, Date, Document, Skipped};
use crate::lsh::LshParams;
use crate::minhash::{Signature, SignatureRef};
use crate::progress::Progress;
use crate::shingle::{shingle_hashes_into, ShingleSet};
use crate::verify::{Direction, DirectionBy, Relation, TextSigns, Which, COVER_CONFIDENCE};
use format::{io_error, BackgroundEntry, Manifest, SegmentEntry, StoredBackground};
pub use format::{IndexError, Settings, FORMAT_VERSION};
use segment::{band_hash, NewSource, Segment, SegmentWriter};

pub use check::{CheckError, CheckSummary};

/// The manifest's file name.
const MANIFEST: &str = "MANIFEST";

/// The writers' lock file.
const LOCK: &str = "LOCK";

/// Documents sketched and written together.
const BATCH: usize = 4096;

/// Test hook: with `NEARDUP_FAILPOINT=<name>` in the environment, a writer that reaches the
/// point `name` says so on standard error and stops there, so that a test can kill it at exactly
/// that moment. Points: `segment-data` (half of a segment's texts written), `segment-written`
/// (segment complete under its temporary name), `segment-renamed`, `manifest-written` (new
/// manifest complete under its temporary name).
fn failpoint(name: &str) {
    if std::env::var_os("NEARDUP_FAILPOINT").is_some_and(|v| v == name) {
        eprintln!("neardup: failpoint {name}");
        loop {
            std::thread::sleep(std::time::Duration::from_secs(3600));
        }
    }
}

/// Reads the manifest of the index at `dir`.
fn read_manifest(dir: &Path) -> Result<Manifest, IndexError> {
    let meta = match fs::metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(IndexError::Missing {
                path: dir.to_path_buf(),
            })
        }
        Err(e) => return Err(io_error(dir)(e)),
    };
    if !meta.is_dir() {
        return Err(IndexError::NotAnIndex {
            path: dir.to_path_buf(),
            why: "a file, where an index is a directory made by `neardup index build`".into(),
        });
    }
    let path = dir.join(MANIFEST);
    match fs::read(&path) {
        Ok(bytes) => Manifest::decode(&bytes, &path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(IndexError::NotAnIndex {
            path: dir.to_path_buf(),
            why: "a directory without a MANIFEST".into(),
        }),
        Err(e) => Err(io_error(&path)(e)),
    }
}

/// Makes a rename or a new file in `dir` durable.
fn sync_dir(dir: &Path) -> Result<(), IndexError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_error(dir))
}

/// Where a source lives: a segment (by position in the manifest) and its document number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SourceRef {
    /// The segment's position in the manifest.
    pub segment: usize,
    /// The document in the segment.
    pub doc: u32,
}

/// A source matching a checked document.
#[derive(Clone, Debug)]
pub struct Match {
    /// The source (id and text, from the index).
    pub source: Document,
    /// The pair: `a` is the checked document, `b` the source.
    pub pair: Pair,
}

/// What an index holds, for `neardup index stats`.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Stats {
    /// Format version.
    pub format_version: u32,
    /// Commits so far.
    pub generation: u64,
    /// Sources that a query can find (not replaced).
    pub sources: u64,
    /// Sources replaced by a later add.
    pub replaced: u64,
    /// Sources without a word.
    pub empty: u64,
    /// Segments.
    pub segments: usize,
    /// Bytes on disk (manifest, segments and background).
    pub bytes: u64,
    /// Bytes of source text.
    pub text_bytes: u64,
    /// Bytes of compressed source text.
    pub compressed_text_bytes: u64,
    /// Words per shingle.
    pub shingle_size: u32,
    /// Signature length.
    pub num_perm: u32,
    /// Values per band.
    pub rows: u32,
    /// Bands.
    pub bands: u32,
    /// Colliding bands that make a candidate.
    pub min_votes: u32,
    /// Jaccard reporting threshold.
    pub jaccard: f64,
    /// Containment reporting threshold.
    pub containment: f64,
    /// Background buckets learnt from the sources (templates, stock phrases).
    pub background_buckets: u64,
    /// Background (bin, value) keys: a checked document's shingle that is one of them is no
    /// evidence.
    pub background_keys: u64,
    /// Sources with a background bin.
    pub background_sources: u64,
}

/// An index opened for checking documents. `Send + Sync`: check documents from several threads.
#[derive(Debug)]
pub struct Index {
    dir: PathBuf,
    manifest: Manifest,
    segments: Vec<Segment>,
    replaced: AHashSet<(u64, u32)>,
    /// Sketches, measures and verifies checked documents as the sources were, with the persisted
    /// banding, which the segments' band keys were written with.
    deduper: Deduper,
    lsh: LshParams,
    /// The background learnt from the sources, read from its file by the first query that needs
    /// it ([`Index::learnt`]), so that opening stays a matter of headers.
    learnt: OnceLock<Learnt>,
    /// The position of each segment's first document: the documents before it.
    offsets: Vec<u64>,
    /// Documents in all the segments.
    positions: u64,
    /// How a checked page's cover is found; `None` for no cover.
    cover: Option<CoverParams>,
}

/// What an index learnt of its sources' background.
#[derive(Debug, Default)]
struct Learnt {
    /// The background keys (empty when none was learnt).
    background: Background,
    /// Each source's background bins, by position ([`Index::position`]); its keys moved into
    /// `background`.
    masks: StoredBackground,
}

impl Learnt {
    /// The background of the file `entry` names, for an index of `positions` documents.
    fn read(dir: &Path, entry: &BackgroundEntry, positions: u64) -> Result<Learnt, IndexError> {
        let mut masks = read_background(dir, entry)?;
        if masks.positions != positions {
            return Err(IndexError::Corrupt {
                path: dir.join(BackgroundEntry::file_name(entry.generation)),
                what: format!(
                    "background of {} sources, but the segments hold {positions}",
                    masks.positions
                ),
            });
        }
        let background = if masks.keys.is_empty() {
            Background::default()
        } else {
            Background::from_keys(&masks.keys, std::mem::take(&mut masks.buckets))
        };
        masks.keys = Vec::new();
        Ok(Learnt { background, masks })
    }

    /// The bins of `sig` whose value is background, one bit a bin.
    fn key_mask(&self, sig: SignatureRef<'_>) -> Vec<u64> {
        let values = sig.values();
        let mut mask = vec![0u64; values.len().div_ceil(64)];
        if !self.background.is_empty() {
            for (bin, &v) in values.iter().enumerate() {
                if self.background.is_key(bin, v) {
                    mask[bin / 64] |= 1 << (bin % 64);
                }
            }
        }
        mask
    }
}

impl Index {
    /// Opens the index at `dir`: the manifest, the segment headers and their page checksums; no
    /// source text is read, and the background file is read by the first check.
    pub fn open(dir: &Path) -> Result<Index, IndexError> {
        // A commit that merges segments removes them once its manifest is in place: a segment
        // missing from an older manifest means reading the newer one.
        let mut tries = 0;
        loop {
            match Self::open_once(dir) {
                Err(IndexError::Io { source, .. })
                    if source.kind() == std::io::ErrorKind::NotFound && tries < 5 =>
                {
                    tries += 1;
                }
                other => return other,
            }
        }
    }

    fn open_once(dir: &Path) -> Result<Index, IndexError> {
        let manifest = read_manifest(dir)?;
        manifest.settings.check_compatible(&dir.join(MANIFEST))?;
        let mut segments = Vec::with_capacity(manifest.segments.len());
        let mut replaced = AHashSet::new();
        for entry in &manifest.segments {
            let segment = Segment::open(dir, entry)?;
            if segment.header().settings != manifest.settings {
                return Err(IndexError::Corrupt {
                    path: segment.path().to_path_buf(),
                    what: "settings differ from the manifest's".into(),
                });
            }
            replaced.extend(segment.replaced()?);
            segments.push(segment);
        }
        let mut offsets = Vec::with_capacity(segments.len());
        let mut positions = 0u64;
        for s in &segments {
            offsets.push(positions);
            positions += u64::from(s.header().docs);
        }
        Ok(Index {
            dir: dir.to_path_buf(),
            deduper: Deduper::with_banding(manifest.settings.config(), manifest.settings.lsh()),
            lsh: manifest.settings.lsh(),
            manifest,
            segments,
            replaced,
            learnt: OnceLock::new(),
            offsets,
            positions,
            cover: Some(CoverParams::default()),
        })
    }

    /// Sets how a checked page's cover is found ([`crate::cover`]), `None` for none: a page
    /// built from several sources is then matched only to those that reach a threshold alone.
    pub fn set_cover(&mut self, cover: Option<CoverParams>) {
        self.cover = cover;
    }

    /// The background learnt from the sources, read and checked on first use.
    fn learnt(&self) -> Result<&Learnt, IndexError> {
        if let Some(l) = self.learnt.get() {
            return Ok(l);
        }
        let read = match &self.manifest.background {
            Some(entry) => Learnt::read(&self.dir, entry, self.positions)?,
            None => Learnt::default(),
        };
        // Two first queries at once may both read it; either copy serves.
        Ok(self.learnt.get_or_init(|| read))
    }

    /// A source's position: the documents of the segments before its own, plus its number.
    fn position(&self, r: SourceRef) -> u64 {
        self.offsets[r.segment] + u64::from(r.doc)
    }

    /// The index directory.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// The settings the index was built with.
    pub fn settings(&self) -> &Settings {
        &self.manifest.settings
    }

    /// Whether `r` was replaced by a later add.
    fn is_replaced(&self, r: SourceRef) -> bool {
        let generation = self.manifest.segments[r.segment].generation;
        self.replaced.contains(&(generation, r.doc))
    }

    /// Sources whose signature shares at least the banding's vote threshold of bands with
    /// `sketch`, with their votes; none for a sketch without shingles. A band whose values are all
    /// background keys casts no vote: a template shared with a source is no evidence.
    pub fn candidates(&self, sketch: &Sketch) -> Result<Vec<(SourceRef, u32)>, IndexError> {
        self.candidates_of(&sketch.signature)
    }

    /// [`Index::candidates`] of a signature.
    fn candidates_of(&self, sig: &Signature) -> Result<Vec<(SourceRef, u32)>, IndexError> {
        if sig.is_empty() {
            return Ok(Vec::new());
        }
        let learnt = self.learnt()?;
        let mask = learnt.key_mask(sig.view());
        let background = |b: usize| {
            let bins = b * self.lsh.rows..(b + 1) * self.lsh.rows;
            !learnt.background.is_empty() && bins.clone().all(|i| mask[i / 64] >> (i % 64) & 1 == 1)
        };
        let hashes: Vec<u64> = (0..self.lsh.bands)
            .filter(|&b| !background(b))
            .map(|b| band_hash(b, self.lsh.band_key(sig.values(), b)))
            .collect();
        if hashes.len() < self.lsh.min_votes {
            return Ok(Vec::new());
        }
        let (mut buf, mut hits) = (Vec::new(), Vec::new());
        let mut out = Vec::new();
        for (segment, s) in self.segments.iter().enumerate() {
            for (doc, votes) in s.candidates(&hashes, self.lsh.min_votes, &mut buf, &mut hits)? {
                let r = SourceRef { segment, doc };
                if !self.is_replaced(r) {
                    out.push((r, votes));
                }
            }
        }
        Ok(out)
    }

    /// The id and text of a source.
    pub fn source(&self, r: SourceRef) -> Result<Document, IndexError> {
        self.source_cached(r, &mut None).map(|(doc, _)| doc)
    }

    /// [`Index::source`], through `block`, a cache of the last text block read (and its segment).
    fn source_cached(
        &self,
        r: SourceRef,
        block: &mut Option<(usize, (u32, String))>,
    ) -> Result<(Document, Option<Date>), IndexError> {
        let s = &self.segments[r.segment];
        let row = s.row(r.doc)?;
        let mut cached = block.take().filter(|b| b.0 == r.segment).map(|b| b.1);
        let text = s.text_cached(&row, &mut cached)?;
        *block = cached.map(|c| (r.segment, c));
        let doc = Document {
            id: s.id(&row)?,
            text,
        };
        Ok((doc, row.date()))
    }

    /// The sources `doc` matches (Jaccard or containment at the index's thresholds, verified
    /// exactly), ranked by how much of `doc` they cover, then by Jaccard; each pair aligned when
    /// `passages` is set.
    ///
    /// The work is bounded before any text is read: the LSH candidates (bands that are all
    /// background cast no vote) are filtered by the estimates of their stored signatures, on the
    /// bins that are background in neither text, within the margin dedup uses; only those that
    /// pass are decompressed, measured and verified. As in dedup, a pair is measured on its
    /// content when either text has background ([`Deduper::measure`], [`Deduper::verify`]): its
    /// relation, direction and scores leave the template out, the whole-text figures are kept as
    /// the pair's `raw`, and the template's passages are `boilerplate`.
    pub fn check(&self, doc: &Document, passages: bool) -> Result<Vec<Match>, IndexError> {
        self.check_dated(doc, None, passages)
    }

    /// [`Index::check`] for a document of date `date`, where known: a derivative's direction is
    /// decided by its date and the source's (stored when the source was indexed with a date
    /// field) when both are known and differ, as in dedup ([`crate::verify::direction`]).
    pub fn check_dated(
        &self,
        doc: &Document,
        date: Option<Date>,
        passages: bool,
    ) -> Result<Vec<Match>, IndexError> {
        let mut scratch = Scratch::default();
        let sketch = self.deduper.sketch(&doc.text, &mut scratch);
        let signature = sketch.signature.view();
        let candidates = self.candidates_of(&sketch.signature)?;
        if candidates.is_empty() {
            return Ok(Vec::new());
        }
        let learnt = self.learnt()?;
        let query_mask = learnt.key_mask(signature);
        let report = &self.deduper.config().report;
        // The estimate filter, on the stored signatures.
        let (mut buf, mut values) = (Vec::new(), Vec::new());
        let mut passing: Vec<(SourceRef, Candidate, u32)> = Vec::new();
        let mut passing_values: Vec<u32> = Vec::new();
        for (r, votes) in candidates {
            let shingles = self.segments[r.segment].signature_into(r.doc, &mut buf, &mut values)?;
            let source = SignatureRef::new(&values, shingles);
            let source_mask = learnt.masks.mask(self.position(r));
            let masked = query_mask.iter().chain(source_mask).any(|&w| w != 0);
            let (jaccard, containment) = masked
                .then(|| masked_estimates(signature, source, &query_mask, source_mask))
                .flatten()
                .unwrap_or_else(|| {
                    (
                        signature.jaccard(source),
                        signature
                            .containment_in(source)
                            .max(source.containment_in(signature)),
                    )
                });
            // A part of a page built from several sources holds less of it than a threshold.
            if worth_measuring(report, self.cover, (jaccard, containment)).is_some() {
                let c = Candidate {
                    a: 0,
                    b: 1,
                    votes,
                    jaccard,
                    containment,
                };
                passing.push((r, c, shingles));
                passing_values.extend_from_slice(&values);
            }
        }
        if passing.is_empty() {
            return Ok(Vec::new());
        }
        let background = (!learnt.background.is_empty()).then_some(&learnt.background);
        let query = self.deduper.measure(
            &doc.text,
            &mut scratch,
            background.map(|b| (b.for_text(), signature)),
        );
        let settings = &self.manifest.settings;
        let comparer = Comparer::builder()
            .shingle_size(settings.shingle_size as usize)
            .thresholds(settings.thresholds())
            .align_params(self.deduper.config().align)
            .passages(passages)
            .build();
        let mut checked: Option<Prepared<'_>> = None;
        let width = settings.num_perm as usize;
        let mut matches = Vec::new();
        // The sources the page would derive from, for common text: each one's id and content.
        let mut taken_from: Vec<(String, Measured)> = Vec::new();
        // Every candidate measured, for the cover: its document, date and content.
        let mut measured_all: Vec<(Document, Option<Date>, Measured)> = Vec::new();
        // Candidates come in document order: neighbours share a text block, read once.
        let mut block: Option<(usize, (u32, String))> = None;
        for (i, (r, c, shingles)) in passing.iter().enumerate() {
            let (source, source_date) = self.source_cached(*r, &mut block)?;
            let values = &passing_values[i * width..(i + 1) * width];
            // A source with no background bin is measured whole, as in dedup.
            let mask = learnt.masks.mask(self.position(*r));
            let has_background = mask.iter().any(|&w| w != 0);
            let measured = self.deduper.measure(
                &source.text,
                &mut scratch,
                background
                    .filter(|_| has_background)
                    .map(|b| (b.with_mask(mask), SignatureRef::new(values, *shingles))),
            );
            let Some(verified) = self.deduper.verify(c, &query, &measured) else {
                if self.cover.is_some() {
                    measured_all.push((source, source_date, measured));
                }
                continue;
            };
            let checked = checked.get_or_insert_with(|| comparer.prepare(doc));
            let prepared = comparer.prepare(&source);
            let mut pair =
                comparer.compare_scored(checked, &prepared, (verified.scores, verified.raw));
            if date.is_some() || source_date.is_some() {
                pair = pair.with_dates([date, source_date]);
            }
            if let Some(al) = pair.alignment.as_mut() {
                mark_background(
                    al,
                    (&doc.text, &query.background),
                    (&source.text, &measured.background),
                );
            }
            if pair.relation == Relation::Derivative && pair.derived == Some(Which::A) {
                taken_from.push((source.id.clone(), measured.clone()));
            }
            if self.cover.is_some() {
                measured_all.push((source.clone(), source_date, measured));
            }
            matches.push(Match { pair, source });
        }
        // A cover needs two sources or more.
        if let Some(params) = self.cover.filter(|_| measured_all.len() >= 2) {
            let checked = checked.get_or_insert_with(|| comparer.prepare(doc));
            self.cover_matches(
                checked,
                date,
                &query,
                measured_all,
                &params,
                &comparer,
                &mut matches,
            );
        }
        if self.deduper.config().boilerplate.is_some() {
            self.mark_common_text(&mut matches, taken_from);
        }
        // The sources of a cover first, by rank; then by how much of doc each covers.
        matches.sort_by(|x, y| {
            let rank = |m: &Match| m.pair.cover.as_ref().map_or(usize::MAX, |c| c.rank);
            let key = |m: &Match| (m.pair.scores.containment_a_in_b, m.pair.scores.jaccard);
            rank(x)
                .cmp(&rank(y))
                .then_with(|| {
                    key(y)
                        .partial_cmp(&key(x))
                        .unwrap_or(std::cmp::Ordering::Equal)
                })
                .then_with(|| x.source.id.cmp(&y.source.id))
        });
        Ok(matches)
    }

    /// Common text, as in dedup ([`crate::dedup::mark_common_text`]): when the checked page
    /// would derive from [`crate::dedup::COMMON_SOURCES`] sources or more that are unrelated to
    /// each other (no two of them make a pair that dedup would report, measured on their
    /// content), it took from none of them, and those matches that are no part of a cover are
    /// overlaps.
    /// `taken_from`: the sources it would derive from, each with what [`Deduper::measure`]
    /// found of it.
    fn mark_common_text(&self, matches: &mut [Match], mut taken_from: Vec<(String, Measured)>) {
        let report = &self.deduper.config().report;
        let related = |x: &(String, Measured), y: &(String, Measured)| {
            report.reports(&self.deduper.scores(&x.1, &y.1).0)
        };
        taken_from.sort_by(|x, y| x.0.cmp(&y.0));
        if !has_unrelated(&taken_from, related) {
            return;
        }
        for m in matches.iter_mut() {
            let p = &mut m.pair;
            if p.cover.is_none()
                && p.relation == Relation::Derivative
                && p.derived == Some(Which::A)
            {
                p.relation = Relation::Overlap;
                p.derived = None;
                p.direction = None;
                p.common_text = true;
            }
        }
    }

    /// The cover of a checked page among the candidates measured (`measured`: each with its
    /// date and what [`Deduper::measure`] found): when the page is made of several of them
    /// ([`crate::cover::Cover::explains`] at the containment threshold), each part becomes a
    /// derivative match with the page derived, in place of what its pair alone was called.
    #[allow(clippy::too_many_arguments)]
    fn cover_matches(
        &self,
        checked: &Prepared<'_>,
        date: Option<Date>,
        query: &Measured,
        mut measured: Vec<(Document, Option<Date>, Measured)>,
        params: &CoverParams,
        comparer: &Comparer,
        matches: &mut Vec<Match>,
    ) {
        if measured.len() < 2 {
            return;
        }
        // Ties go to the earlier date, then the lesser id.
        measured.sort_by(|x, y| {
            let undated = |d: &Option<Date>| d.is_none();
            (undated(&x.1), x.1, &x.0.id).cmp(&(undated(&y.1), y.1, &y.0.id))
        });
        let k = self.manifest.settings.shingle_size as usize;
        let mut positions = Vec::new();
        shingle_hashes_into(&checked.tokens, k, &mut positions);
        let sets: Vec<&ShingleSet> = measured.iter().map(|(_, _, m)| &m.content).collect();
        let background = query.layout.background_runs();
        let cover = cover(&positions, &background, &sets, params);
        if !cover.explains(self.deduper.config().report.containment()) {
            return;
        }
        let shares: Vec<CoverShare> = (0..cover.parts.len())
            .map(|rank| cover.share_of(rank, &checked.tokens, k))
            .collect();
        let named: Vec<NamedPart> = cover
            .parts
            .iter()
            .zip(&shares)
            .map(|(part, share)| NamedPart {
                source: measured[part.source].0.id.clone(),
                share: share.share,
                spans: share.spans.clone(),
            })
            .collect();
        for (part, mut share) in cover.parts.iter().zip(shares) {
            let (source, source_date, m) = &measured[part.source];
            matches.retain(|x| x.source.id != source.id);
            let prepared = comparer.prepare(source);
            let mut pair =
                comparer.compare_scored(checked, &prepared, self.deduper.scores(query, m));
            pair.relation = Relation::Derivative;
            pair.derived = Some(Which::A);
            pair.dates = [date, *source_date];
            pair.direction = Some(Direction {
                derived: Which::A,
                by: DirectionBy::Cover,
                confidence: COVER_CONFIDENCE,
                contradicted: false,
                signs: TextSigns::default(),
            });
            share.parts = named.clone();
            pair.cover = Some(share);
            if let Some(al) = pair.alignment.as_mut() {
                mark_background(
                    al,
                    (&checked.doc.text, &query.background),
                    (&source.text, &m.background),
                );
            }
            matches.push(Match {
                pair,
                source: source.clone(),
            });
        }
    }

    /// Counts and sizes of what the index holds.
    pub fn stats(&self) -> Result<Stats, IndexError> {
        let s = &self.manifest.settings;
        let learnt = self.learnt()?;
        let mut stats = Stats {
            format_version: FORMAT_VERSION,
            generation: self.manifest.generation,
            segments: self.segments.len(),
            shingle_size: s.shingle_size,
            num_perm: s.num_perm,
            rows: s.rows,
            bands: s.bands,
            min_votes: s.min_votes,
            jaccard: s.report_jaccard,
            containment: s.report_containment,
            background_buckets: learnt.background.buckets().len() as u64,
            background_keys: learnt.background.sorted_keys().len() as u64,
            background_sources: learnt.masks.touched.len() as u64,
            ..Stats::default()
        };
        stats.bytes = fs::metadata(self.dir.join(MANIFEST))
            .map_err(io_error(&self.dir))?
            .len();
        if let Some(b) = &self.manifest.background {
            stats.bytes += b.length;
        }
        for (i, seg) in self.segments.iter().enumerate() {
            stats.bytes += self.manifest.segments[i].length;
            let (z, raw) = seg.block_sizes()?;
            stats.compressed_text_bytes += z;
            stats.text_bytes += raw;
            for (doc, row) in seg.rows()?.iter().enumerate() {
                if self.is_replaced(SourceRef {
                    segment: i,
                    doc: doc as u32,
                }) {
                    stats.replaced += 1;
                } else {
                    stats.sources += 1;
                    stats.empty += u64::from(row.shingles == 0);
                }
            }
        }
        Ok(stats)
    }
}

/// Why a document offered to [`IndexWriter::add_batch`] was not added.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlreadyIndexed {
    /// The id.
    pub id: String,
    /// Where the offered document came from.
    pub origin: String,
}

/// What a writer did.
#[derive(Clone, Debug, Default)]
pub struct AddReport {
    /// New sources written.
    pub added: u64,
    /// Sources written in place of an earlier one with the same id.
    pub replaced: u64,
    /// Documents not written because their id is already in the index (no `replace`).
    pub already: Vec<AlreadyIndexed>,
    /// Written sources without a word (kept, never matched).
    pub empty: u64,
    /// Lines and files skipped (skip mode only).
    pub skipped: Vec<Skipped>,
    /// Sources the index holds after the commit.
    pub total: u64,
}

/// Adds sources to an index, as one commit. Holds the index's writer lock until dropped.
pub struct IndexWriter {
    dir: PathBuf,
    _lock: File,
    base: Manifest,
    deduper: Deduper,
    segment: SegmentWriter,
    /// Live ids of the committed segments and where they are (generation, document).
    existing: AHashMap<String, (u64, u32)>,
    /// Ids of this commit and where they came from.
    fresh: AHashMap<String, String>,
    report: AddReport,
    committed_sources: u64,
}

impl IndexWriter {
    /// Creates a new index at `dir` (a missing or empty directory) for sources compared with
    /// `config`.
    pub fn create(dir: &Path, config: &DedupConfig) -> Result<IndexWriter, IndexError> {
        config.validate()?;
        match fs::metadata(dir) {
            Ok(m) if !m.is_dir() => {
                return Err(IndexError::NotAnIndex {
                    path: dir.to_path_buf(),
                    why: "a file is in the way".into(),
                })
            }
            Ok(_) if dir.join(MANIFEST).exists() => {
                return Err(IndexError::Exists {
                    path: dir.to_path_buf(),
                })
            }
            Ok(_) => {}
            Err(_) => fs::create_dir_all(dir).map_err(io_error(dir))?,
        }
        let deduper = Deduper::new(config.clone());
        let settings = Settings::new(deduper.config(), deduper.lsh_params());
        let lock = Self::lock(dir)?;
        if dir.join(MANIFEST).exists() {
            return Err(IndexError::Exists {
                path: dir.to_path_buf(),
            });
        }
        let base = Manifest {
            generation: 0,
            settings,
            segments: Vec::new(),
            background: None,
        };
        Self::start(dir, lock, base, deduper)
    }

    /// Opens the index at `dir` for adding sources; waits while another writer holds it.
    pub fn open(dir: &Path) -> Result<IndexWriter, IndexError> {
        read_manifest(dir)?;
        let lock = Self::lock(dir)?;
        // Read again under the lock: a writer may have committed while this one waited.
        let base = read_manifest(dir)?;
        base.settings.check_compatible(&dir.join(MANIFEST))?;
        // Sketches as the index's sources were sketched, with the banding they were written with.
        let deduper = Deduper::with_banding(base.settings.config(), base.settings.lsh());
        let mut writer = Self::start(dir, lock, base, deduper)?;
        writer.load_ids()?;
        Ok(writer)
    }

    fn lock(dir: &Path) -> Result<File, IndexError> {
        let path = dir.join(LOCK);
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io_error(&path))?;
        file.lock().map_err(io_error(&path))?;
        Ok(file)
    }

    fn start(
        dir: &Path,
        lock: File,
        base: Manifest,
        deduper: Deduper,
    ) -> Result<IndexWriter, IndexError> {
        sweep(dir, &base)?;
        let segment = SegmentWriter::create(dir, base.generation + 1, base.settings)?;
        let committed_sources = base.segments.iter().map(|s| u64::from(s.docs)).sum();
        Ok(IndexWriter {
            dir: dir.to_path_buf(),
            _lock: lock,
            base,
            deduper,
            segment,
            existing: AHashMap::new(),
            fresh: AHashMap::new(),
            report: AddReport::default(),
            committed_sources,
        })
    }

    /// Loads the live ids of the committed segments.
    fn load_ids(&mut self) -> Result<(), IndexError> {
        let index = Index::open(&self.dir)?;
        self.committed_sources = 0;
        for (i, seg) in index.segments.iter().enumerate() {
            let generation = self.base.segments[i].generation;
            let rows = seg.rows()?;
            for (doc, id) in seg.ids(&rows)?.into_iter().enumerate() {
                let r = SourceRef {
                    segment: i,
                    doc: doc as u32,
                };
                if !index.is_replaced(r) {
                    self.existing.insert(id, (generation, doc as u32));
                    self.committed_sources += 1;
                }
            }
        }
        Ok(())
    }

    /// The settings of the index.
    pub fn settings(&self) -> &Settings {
        &self.base.settings
    }

    /// Adds a batch of documents (sketched in parallel). A document whose id is already in the
    /// index is written in place of the old one with `replace`, and otherwise listed in the
    /// report's `already` and not written; an id seen twice in this commit is an error.
    pub fn add_batch(&mut self, docs: &[CorpusDoc], replace: bool) -> Result<(), IndexError> {
        let sketches: Vec<Sketch> = docs
            .par_iter()
            .map_init(Scratch::default, |s, d| self.deduper.sketch(&d.text, s))
            .collect();
        let mut accepted = Vec::with_capacity(docs.len());
        for (doc, sketch) in docs.iter().zip(&sketches) {
            let here = doc.origin.to_string();
            if let Some(first) = self.fresh.get(&doc.id) {
                return Err(IndexError::DuplicateId {
                    id: doc.id.clone(),
                    first: first.clone(),
                    second: here,
                });
            }
            if let Some(&(generation, old)) = self.existing.get(&doc.id) {
                if !replace {
                    self.report.already.push(AlreadyIndexed {
                        id: doc.id.clone(),
                        origin: here,
                    });
                    continue;
                }
                self.segment.replace(generation, old);
                self.existing.remove(&doc.id);
                self.report.replaced += 1;
            } else {
                self.report.added += 1;
            }
            self.fresh.insert(doc.id.clone(), here);
            self.report.empty += u64::from(sketch.signature.is_empty());
            accepted.push(NewSource {
                id: &doc.id,
                text: &doc.text,
                sketch,
                date: doc.date,
            });
        }
        self.segment.push_batch(&accepted)
    }

    /// Reads every document of `spec` and adds it (see [`IndexWriter::add_batch`]).
    pub fn add_corpus(
        &mut self,
        spec: &CorpusSpec,
        replace: bool,
        progress: &dyn Progress,
    ) -> Result<(), IndexError> {
        progress.stage("indexing", None);
        let mut reader = CorpusReader::new(&CorpusSpec {
            keep_raw: false,
            ..spec.clone()
        });
        let mut batch = Vec::with_capacity(BATCH);
        let mut halfway = false;
        for doc in reader.by_ref() {
            batch.push(doc?);
            if batch.len() == BATCH {
                self.add_batch(&batch, replace)?;
                progress.advance(batch.len() as u64);
                batch.clear();
                if !halfway {
                    halfway = true;
                    failpoint("segment-data");
                }
            }
        }
        self.add_batch(&batch, replace)?;
        progress.advance(batch.len() as u64);
        self.report.skipped.extend(reader.into_summary().skipped);
        Ok(())
    }

    /// Commits: the new segment (when there is one) and a new manifest naming it. Until this
    /// returns, readers see the index as it was.
    pub fn commit(self) -> Result<AddReport, IndexError> {
        let IndexWriter {
            dir,
            _lock,
            mut base,
            segment,
            mut report,
            committed_sources,
            deduper,
            ..
        } = self;
        report.total = committed_sources + report.added;
        let first = base.segments.is_empty() && base.generation == 0;
        if segment.is_empty() && !first && report.replaced == 0 {
            return Ok(report);
        }
        base.generation += 1;
        let mut merged = Vec::new();
        if !segment.is_empty() || report.replaced > 0 {
            let mut segment = segment;
            merged = merge_tail(&dir, &mut base, &mut segment, &deduper)?;
            let entry = segment.finish()?;
            sync_dir(&dir)?;
            failpoint("segment-renamed");
            base.segments.push(entry);
        }
        let old_background = base.background.take();
        base.background = learn_background(&dir, &base)?;
        write_manifest(&dir, &base)?;
        // A reader that read the old manifest and finds a merged segment gone reads the new one.
        for entry in merged {
            let _ = fs::remove_file(dir.join(SegmentEntry::file_name(entry.generation)));
        }
        if let Some(old) = old_background {
            let _ = fs::remove_file(dir.join(BackgroundEntry::file_name(old.generation)));
        }
        Ok(report)
    }
}

/// Moves the newest segments into `segment` while each holds at most twice the documents
/// gathered so far (what this commit adds, plus the segments already taken), like the carries of
/// a binary counter: the index keeps about log2(sources) segments, so a check reads a few bucket
/// tables, and a source is rewritten about log2(sources) times over the life of an index. Returns
/// the manifest entries taken out of `base`.
fn merge_tail(
    dir: &Path,
    base: &mut Manifest,
    segment: &mut SegmentWriter,
    deduper: &Deduper,
) -> Result<Vec<SegmentEntry>, IndexError> {
    let mut gathered = segment.docs() as u64;
    let mut taken = Vec::new();
    while let Some(last) = base.segments.last() {
        if gathered == 0 || u64::from(last.docs) > 2 * gathered {
            break;
        }
        gathered += u64::from(last.docs);
        taken.push(base.segments.pop().expect("a last segment"));
    }
    if taken.is_empty() {
        return Ok(taken);
    }
    taken.reverse();
    // Every replacement recorded anywhere, this commit's included.
    let mut replaced: AHashSet<(u64, u32)> = segment.replaced().iter().copied().collect();
    let mut opened = Vec::new();
    for entry in base.segments.iter().chain(&taken) {
        let s = Segment::open(dir, entry)?;
        replaced.extend(s.replaced()?);
        opened.push(s);
    }
    let old: AHashSet<u64> = base.segments.iter().map(|s| s.generation).collect();
    for (entry, s) in taken.iter().zip(&opened[base.segments.len()..]) {
        let docs = s.documents(|d| !replaced.contains(&(entry.generation, d)))?;
        for chunk in docs.chunks(BATCH) {
            let sketches: Vec<Sketch> = chunk
                .par_iter()
                .map_init(Scratch::default, |sc, (_, text, _)| {
                    deduper.sketch(text, sc)
                })
                .collect();
            let batch: Vec<NewSource<'_>> = chunk
                .iter()
                .zip(&sketches)
                .map(|((id, text, date), sketch)| NewSource {
                    id,
                    text,
                    sketch,
                    date: *date,
                })
                .collect();
            segment.push_batch(&batch)?;
        }
    }
    // Replacements of sources in segments that stay; those in merged segments were left out.
    let mut keep: Vec<(u64, u32)> = replaced
        .into_iter()
        .filter(|(g, _)| old.contains(g))
        .collect();
    keep.sort_unstable();
    segment.set_replaced(keep);
    Ok(taken)
}

/// Learns the background of every live source of `base` (its segments as they will be committed)
/// from their stored signatures ([`crate::boilerplate`], without the pair vote) and writes it
/// as the file of commit `base.generation`; `None` when the index learns no background or found
/// none. Linear in the sources: one read of every segment's signatures and the learning's three
/// sweeps over them, with the signatures in memory (about 516 bytes a source) meanwhile.
fn learn_background(dir: &Path, base: &Manifest) -> Result<Option<BackgroundEntry>, IndexError> {
    let settings = &base.settings;
    let Some(params) = settings.boilerplate() else {
        return Ok(None);
    };
    let width = settings.num_perm as usize;
    let (mut values, mut shingles) = (Vec::new(), Vec::new());
    let mut replaced: AHashSet<(u64, u32)> = AHashSet::new();
    let mut generations = Vec::new();
    for entry in &base.segments {
        let s = Segment::open(dir, entry)?;
        replaced.extend(s.replaced()?);
        let (v, n) = s.signatures()?;
        values.extend_from_slice(&v);
        generations.extend(std::iter::repeat_n(entry.generation, n.len()));
        shingles.extend(n);
    }
    // A replaced source is a position without a signature.
    let mut doc = 0u32;
    for i in 0..shingles.len() {
        doc = if i > 0 && generations[i] == generations[i - 1] {
            doc + 1
        } else {
            0
        };
        if replaced.contains(&(generations[i], doc)) {
            shingles[i] = 0;
        }
    }
    drop(generations);
    let n = shingles.len();
    let background = background_only(
        n,
        |i| SignatureRef::new(&values[i * width..(i + 1) * width], shingles[i]),
        &settings.lsh(),
        params,
        settings.report_containment,
    );
    drop(values);
    if background.is_empty() {
        return Ok(None);
    }
    let words = background.mask_words();
    let mut stored = StoredBackground {
        positions: n as u64,
        keys: background.sorted_keys(),
        buckets: background.buckets().to_vec(),
        words: words as u32,
        ..StoredBackground::default()
    };
    for i in 0..n {
        let mask = background.mask(i as u32);
        if mask.iter().any(|&w| w != 0) {
            stored.touched.push(i as u64);
            stored.masks.extend_from_slice(mask);
        }
    }
    let bytes = stored.encode();
    let path = dir.join(BackgroundEntry::file_name(base.generation));
    write_file(&path, &bytes)?;
    sync_dir(dir)?;
    Ok(Some(BackgroundEntry {
        generation: base.generation,
        length: bytes.len() as u64,
        sum: xxhash_rust::xxh3::xxh3_64(&bytes),
    }))
}

/// Reads the background file the manifest names, checked against its entry.
fn read_background(dir: &Path, entry: &BackgroundEntry) -> Result<StoredBackground, IndexError> {
    let path = dir.join(BackgroundEntry::file_name(entry.generation));
    let bytes = fs::read(&path).map_err(io_error(&path))?;
    if bytes.len() as u64 != entry.length || xxhash_rust::xxh3::xxh3_64(&bytes) != entry.sum {
        return Err(IndexError::Corrupt {
            path,
            what: "background differs from the one the manifest recorded".into(),
        });
    }
    StoredBackground::decode(&bytes, &path)
}

/// Writes `bytes` as the file `path`: temporary file, durable, renamed into place.
fn write_file(path: &Path, bytes: &[u8]) -> Result<(), IndexError> {
    use crate::fsutil::{AtomicFile, TempName};
    let tmp = TempName::Index.beside(path);
    let mut f = AtomicFile::create(path, TempName::Index).map_err(io_error(&tmp))?;
    f.write_all(bytes).map_err(io_error(&tmp))?;
    f.sync().map_err(io_error(&tmp))?;
    f.rename().map_err(io_error(path))
}

/// Writes `manifest` as the index's state: temporary file, durable, renamed over the old one.
fn write_manifest(dir: &Path, manifest: &Manifest) -> Result<(), IndexError> {
    use crate::fsutil::{AtomicFile, TempName};
    let path = dir.join(MANIFEST);
    let tmp = TempName::Index.beside(&path);
    let mut f = AtomicFile::create(&path, TempName::Index).map_err(io_error(&tmp))?;
    f.write_all(&manifest.encode()).map_err(io_error(&tmp))?;
    f.sync().map_err(io_error(&tmp))?;
    failpoint("manifest-written");
    f.rename().map_err(io_error(&path))?;
    sync_dir(dir)
}

/// Removes what dead writers left: temporary files and segments no manifest names. Runs under
/// the writer lock, so nothing it removes is being written.
fn sweep(dir: &Path, manifest: &Manifest) -> Result<(), IndexError> {
    let live: AHashSet<String> = manifest
        .segments
        .iter()
        .map(|s| SegmentEntry::file_name(s.generation))
        .chain(
            manifest
                .background
                .map(|b| BackgroundEntry::file_name(b.generation)),
        )
        .collect();
    for entry in fs::read_dir(dir).map_err(io_error(dir))? {
        let entry = entry.map_err(io_error(dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let stale = (name.starts_with(".seg-")
            || name.starts_with(".bg-")
            || name.starts_with(".MANIFEST"))
            && name.contains(".tmp-")
            || (name.starts_with("seg-") && name.ends_with(".nds")
                || name.starts_with("bg-") && name.ends_with(".ndb"))
                && !live.contains(&name);
        if stale {
            fs::remove_file(entry.path()).map_err(io_error(&entry.path()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::minhash::MinHasher;
    use crate::progress::Silent;
    use crate::verify::Relation;

    fn doc(ordinal: u64, id: &str, text: &str) -> CorpusDoc {
        CorpusDoc::new(ordinal, id, text, "t.jsonl")
    }

    /// `(id, text)` pairs as documents numbered in order.
    fn docs_of(all: &[(String, String)]) -> Vec<CorpusDoc> {
        all.iter()
            .enumerate()
            .map(|(i, (id, text))| doc(i as u64, id, text))
            .collect()
    }

    fn articles(n: usize) -> Vec<(String, String)> {
        let spec = crate::synth::CorpusSpec::default()
            .docs(n)
            .seed(11)
            .derived_fraction(0.0);
        crate::synth::generate(&spec)
            .docs
            .into_iter()
            .map(|d| (d.id, d.text))
            .collect()
    }

    /// An index of `texts` built with `config`, opened.
    fn index_of(dir: &Path, texts: &[String], config: &DedupConfig) -> Index {
        let docs: Vec<CorpusDoc> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| doc(i as u64, &format!("p{i}"), t))
            .collect();
        let mut w = IndexWriter::create(dir, config).unwrap();
        w.add_batch(&docs, false).unwrap();
        w.commit().unwrap();
        Index::open(dir).unwrap()
    }

    /// A page of one site: navigation (12 words), the article, a footer of 260 words.
    fn page(body: &str) -> String {
        use crate::dedup::words;
        format!("{}\n\n{body}\n\n{}", words(1_000, 12), words(2_000, 260))
    }

    #[test]
    fn a_page_that_shares_only_its_template_with_the_sources_matches_none() {
        use crate::dedup::words;
        // 40 pages of 150-word articles under one template of 272 words: two pages share 63% of
        // their shingles, all of them template.
        let texts: Vec<String> = (0..40).map(|i| page(&words(i, 150))).collect();
        let dir = tempfile::tempdir().unwrap();
        let config = DedupConfig::default();
        let index = index_of(&dir.path().join("i.ndx"), &texts, &config);
        assert!(index.stats().unwrap().background_keys > 0);
        let fresh = Document::new("fresh", page(&words(77, 150)));
        let found = index.check(&fresh, true).unwrap();
        assert!(found.is_empty(), "{:?}", found[0].pair);
        // Counting every shingle (an index that learns no background), the template matches.
        let off = DedupConfig {
            boilerplate: None,
            ..DedupConfig::default()
        };
        let plain = index_of(&dir.path().join("off.ndx"), &texts, &off);
        assert_eq!(plain.stats().unwrap().background_keys, 0);
        assert!(plain.check(&fresh, false).unwrap().len() > 30);

        // A repost of the first 100 words of page 3's article under the same template is found,
        // measured on the article, its template a boilerplate passage.
        let article = words(3, 150);
        let kept: Vec<&str> = article.split(' ').take(100).collect();
        let repost = Document::new("repost", page(&kept.join(" ")));
        let found = index.check(&repost, true).unwrap();
        assert_eq!(
            found.len(),
            1,
            "{:?}",
            found.iter().map(|m| &m.pair).collect::<Vec<_>>()
        );
        let p = &found[0].pair;
        assert_eq!((p.b.as_str(), p.relation), ("p3", Relation::Derivative));
        assert_eq!(p.derived_id(), Some("repost"));
        let raw = p.raw.expect("judged on the article");
        assert!(
            raw.a_boilerplate > 200 && raw.b_boilerplate > 200,
            "{raw:?}"
        );
        assert!(p.scores.containment_a_in_b > 0.9, "{:?}", p.scores);
        assert!(p.scores.containment_b_in_a < 0.75, "{:?}", p.scores);
        assert!(p.passages(crate::align::PassageKind::Boilerplate).count() > 0);
    }

    #[test]
    fn types_are_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Index>();
        check::<Match>();
    }

    /// `check` signs the shingle set it measures instead of sketching the text again: the two
    /// signatures must be the same, or a check would miss what the writer's sketches index.
    #[test]
    fn the_signature_of_the_measured_set_is_the_sketch_signature() {
        let config = DedupConfig::default();
        let deduper = Deduper::new(config.clone());
        let hasher = MinHasher::new(config.minhash);
        let comparer = Comparer::builder()
            .shingle_size(config.shingle_size)
            .build();
        let mut texts: Vec<String> = articles(20).into_iter().map(|(_, t)| t).collect();
        texts.extend(
            [
                "",
                "  ...  ",
                "one",
                "one two three",
                "a a a a a a a a a a a a",
            ]
            .map(String::from),
        );
        texts.push(texts[0].repeat(3));
        for text in texts {
            let d = Document::new("d", text);
            let sketch = deduper.sketch(&d.text, &mut Scratch::default());
            let signed = hasher.sign(comparer.prepare(&d).shingles.hashes());
            assert_eq!(
                signed,
                sketch.signature,
                "{:?}",
                &d.text[..d.text.len().min(40)]
            );
        }
    }

    #[test]
    fn every_source_finds_itself_and_a_trimmed_copy_finds_its_source() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("i.ndx");
        let docs = docs_of(&articles(300));
        let mut w = IndexWriter::create(&path, &DedupConfig::default()).unwrap();
        w.add_batch(&docs, false).unwrap();
        let report = w.commit().unwrap();
        assert_eq!((report.added, report.total), (300, 300));

        let index = Index::open(&path).unwrap();
        for d in docs.iter().step_by(7) {
            let m = index
                .check(&Document::new("q", d.text.clone()), false)
                .unwrap();
            assert_eq!(m[0].source.id, d.id, "{} does not find itself first", d.id);
            assert_eq!(m[0].pair.relation, Relation::Duplicate);
        }
        let source = &docs[42];
        let cut = source.text.len() / 2;
        let cut = (cut..).find(|&i| source.text.is_char_boundary(i)).unwrap();
        let repost = format!("Posted Monday. {} Share this.", &source.text[..cut]);
        let m = index.check(&Document::new("repost", repost), true).unwrap();
        assert_eq!(m[0].source.id, source.id);
        assert_eq!(m[0].pair.relation, Relation::Derivative);
        assert_eq!(m[0].pair.derived_id(), Some("repost"));
        assert!(m[0].pair.alignment.is_some());
        assert_eq!(index.stats().unwrap().sources, 300);
    }

    #[test]
    fn adds_commit_atomically_and_report_ids_already_there() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("i.ndx");
        let all = articles(40);
        let docs = docs_of(&all);
        let mut w = IndexWriter::create(&path, &DedupConfig::default()).unwrap();
        w.add_batch(&docs[..20], false).unwrap();
        w.commit().unwrap();

        let mut w = IndexWriter::open(&path).unwrap();
        w.add_batch(&docs[10..30], false).unwrap();
        // Not committed: a reader still sees 20 sources.
        assert_eq!(Index::open(&path).unwrap().stats().unwrap().sources, 20);
        let report = w.commit().unwrap();
        assert_eq!(report.added, 10);
        assert_eq!(report.already.len(), 10);
        assert_eq!(report.already[0].id, docs[10].id);
        assert_eq!(report.total, 30);

        let mut w = IndexWriter::open(&path).unwrap();
        let changed = doc(99, &docs[5].id, &all[35].1);
        w.add_batch(&[changed], true).unwrap();
        let report = w.commit().unwrap();
        assert_eq!((report.replaced, report.total), (1, 30));
        let index = Index::open(&path).unwrap();
        let stats = index.stats().unwrap();
        assert_eq!((stats.sources, stats.replaced, stats.segments), (30, 1, 2));
        // The old text of docs[5] is gone, its id now holds all[35]'s text.
        let old = index
            .check(&Document::new("q", all[5].1.clone()), false)
            .unwrap();
        assert!(old.iter().all(|m| m.source.text != all[5].1));
        let new = index
            .check(&Document::new("q", all[35].1.clone()), false)
            .unwrap();
        assert!(new.iter().any(|m| m.source.id == docs[5].id));
    }

    #[test]
    fn many_small_adds_keep_few_segments_and_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("i.ndx");
        let all = articles(200);
        let docs = docs_of(&all);
        let mut w = IndexWriter::create(&path, &DedupConfig::default()).unwrap();
        w.add_batch(&docs[..40], false).unwrap();
        w.commit().unwrap();
        let mut most_segments = 0;
        for (k, chunk) in docs[40..190].chunks(10).enumerate() {
            let mut w = IndexWriter::open(&path).unwrap();
            w.add_batch(chunk, false).unwrap();
            if k == 7 {
                // Replace the text of the very first source, which merges keep moving.
                w.add_batch(&[doc(500, &docs[0].id, &all[199].1)], true)
                    .unwrap();
            }
            w.commit().unwrap();
            let stats = Index::open(&path).unwrap().stats().unwrap();
            assert_eq!(stats.sources, 40 + 10 * (k as u64 + 1));
            most_segments = most_segments.max(stats.segments);
        }
        assert!(most_segments <= 6, "{most_segments} segments");
        let index = Index::open(&path).unwrap();
        for d in &docs[1..190] {
            let m = index
                .check(&Document::new("q", d.text.clone()), false)
                .unwrap();
            assert_eq!(m[0].source.id, d.id);
        }
        let old = index
            .check(&Document::new("q", all[0].1.clone()), false)
            .unwrap();
        assert!(
            old.is_empty(),
            "the replaced text came back: {:?}",
            old[0].source.id
        );
        let new = index
            .check(&Document::new("q", all[199].1.clone()), false)
            .unwrap();
        assert_eq!(new[0].source.id, docs[0].id);
        let files = fs::read_dir(&path).unwrap().count();
        assert_eq!(
            files,
            index.stats().unwrap().segments + 2,
            "merged segments are removed"
        );
    }

    #[test]
    fn an_id_twice_in_one_add_is_an_error_naming_both_places() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = IndexWriter::create(&dir.path().join("i"), &DedupConfig::default()).unwrap();
        let err = w
            .add_batch(&[doc(0, "x", "one two"), doc(1, "x", "three four")], false)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "duplicate id \"x\": t.jsonl:1 and t.jsonl:2"
        );
    }

    #[test]
    fn an_index_is_not_made_with_settings_that_make_no_sense() {
        // Before, a shingle size of 0 made an index that Index::open then called corrupt.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("i");
        let config = DedupConfig {
            shingle_size: 0,
            ..DedupConfig::default()
        };
        let err = IndexWriter::create(&path, &config).err().unwrap();
        assert!(matches!(err, IndexError::Settings(_)), "{err}");
        assert!(!path.exists());
    }

    #[test]
    fn empty_index_and_empty_sources_are_fine() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("i");
        let w = IndexWriter::create(&path, &DedupConfig::default()).unwrap();
        w.commit().unwrap();
        let index = Index::open(&path).unwrap();
        assert!(index
            .check(&Document::new("q", "some words here and there"), true)
            .unwrap()
            .is_empty());
        let mut w = IndexWriter::open(&path).unwrap();
        w.add_corpus(&CorpusSpec::new(Vec::<PathBuf>::new()), false, &Silent)
            .unwrap();
        w.add_batch(&[doc(0, "blank", "   ")], false).unwrap();
        let report = w.commit().unwrap();
        assert_eq!((report.added, report.empty), (1, 1));
        let stats = Index::open(&path).unwrap().stats().unwrap();
        assert_eq!((stats.sources, stats.empty), (1, 1));
    }
}
