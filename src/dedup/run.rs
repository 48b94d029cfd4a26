//! The dedup run: a [`CorpusSpec`] and a [`Deduper`] in, the [`Outputs`] written and a
//! [`Summary`] out. Pass 1 (reading and sketching) is a pipeline: a reader thread cuts the
//! inputs into pieces of whole lines, rayon parses and sketches pieces, and the calling thread
//! accepts them in input order (ids checked, sketches stored); pass 2 verifies the candidates on
//! texts brought back by the store, then the decision and the outputs follow. With the
//! boilerplate output, the texts of the documents with background are brought back once more,
//! after the decision (when the verified texts are gone), and their passages grouped.

use std::borrow::Cow;
use std::collections::BTreeMap;

use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::mpsc;
use std::time::Instant;

use ahash::AHashMap;
use rayon::prelude::*;

use super::covers::{
    cover_page, cover_pairs, drop_mutual, merge_pairs, mutual_losers, possible_pages, Candidacy,
    CoverScratch,
};
use super::outcome::{RunError, Summary};
use super::output::{
    commit_all, write_boilerplate, write_clusters, write_kept, write_pairs, Decided,
    PassageScratch, Passages, Planned,
};
use super::store::{fingerprint, Catalog, TextStore, Whence};
use super::{
    decide, html, mark_common_text, mark_siblings, Candidate, Deduper, Measured, Outputs,
    PageCover, Removal, Scratch, SketchTable, VerifiedPair,
};
use crate::align::{align_texts, Alignment};
use crate::boilerplate::{mark_background, Background};
use crate::cover::CoverParams;
use crate::document::{
    reads_once, CorpusDoc, CorpusReader, CorpusSpec, Date, LineChunk, Origin, Placed, ReadError,
    Skipped, Unit,
};
use crate::progress::Progress;
use crate::verify::Relation;

/// Runs a dedup over `spec`'s inputs.
pub fn run(
    spec: &CorpusSpec,
    deduper: &Deduper,
    outputs: &Outputs,
    progress: &dyn Progress,
) -> Result<Summary, RunError> {
    deduper.config().validate()?;
    outputs.check_paths(&spec.inputs)?;
    let started = Instant::now();
    let hold = reads_once(&spec.inputs);
    // The kept output is checked against what pass 1 read of each record.
    let fingerprints = outputs.kept.is_some();
    let (mut catalog, read) = sketch_all(spec, deduper, (hold, fingerprints), progress)?;
    let n = catalog.ids.len();
    let mut summary = Summary {
        read: n as u64,
        bytes: read.bytes,
        skipped: read.skipped,
        ..Summary::default()
    };
    for s in catalog.sketches.all_figures() {
        if s.tokens == 0 {
            summary.empty += 1;
        } else if (s.tokens as usize) < deduper.config().shingle_size {
            summary.short += 1;
        }
    }

    progress.stage("candidates", None);
    let (candidates, background) = deduper.candidates(&catalog.sketches);
    summary.candidates = candidates.len() as u64;
    summary.background_buckets = background.buckets().len() as u64;
    summary.background_docs = background.documents_touched() as u64;
    // From here on, a signature is read only to classify a candidate text that has background
    // among its bin minima (SketchTable::background_of), unless an output lists every
    // document's boilerplate.
    if outputs.html.is_none() && outputs.boilerplate.is_none() {
        let mut keep = vec![false; n];
        for d in candidates.iter().flat_map(|c| [c.a, c.b]) {
            keep[d as usize] = background.of(d).is_some();
        }
        catalog.sketches.retain_signatures(|i| keep[i]);
    }
    let Verified {
        mut pairs,
        alignments,
        covers,
    } = verify_all(
        spec,
        deduper,
        &catalog,
        &candidates,
        &background,
        outputs.passages,
        progress,
    )?;
    progress.stage("clustering", None);
    // Common text is shared text told apart after verification: off with the background.
    if deduper.config().boilerplate.is_some() {
        summary.common_text = mark_common_text(&mut pairs) as u64;
    }
    mark_siblings(&mut pairs);
    let decision = decide(&catalog.sketches, &pairs, deduper.config().keep);
    summary.pairs = pairs.len() as u64;
    summary.duplicate_pairs = pairs
        .iter()
        .filter(|p| p.relation == Relation::Duplicate)
        .count() as u64;
    summary.derivative_pairs = pairs
        .iter()
        .filter(|p| p.relation == Relation::Derivative)
        .count() as u64;
    summary.clusters = decision.clusters.len() as u64;
    for r in decision.removed.iter().flatten() {
        match r {
            Removal::DuplicateOf(_) => summary.removed_duplicates += 1,
            Removal::DerivativeOf(_) => summary.removed_derivatives += 1,
            Removal::BuiltFrom(_) => summary.removed_built += 1,
        }
    }
    let threshold = deduper.config().report.containment();
    summary.built = covers.iter().filter(|c| c.is_composite(threshold)).count() as u64;
    summary.kept = decision.kept() as u64;
    let passages = match &outputs.boilerplate {
        Some(_) => Some(list_boilerplate(
            spec,
            deduper,
            &catalog,
            &background,
            progress,
        )?),
        None => None,
    };

    progress.stage("writing pairs and clusters", None);
    let decided = (outputs.clusters.is_some() || outputs.html.is_some())
        .then(|| Decided::new(&catalog, &pairs, &decision, &covers));
    let mut planned: Vec<Planned<'_>> = Vec::new();
    const PAIRS_AND_CLUSTERS: (&str, Option<u64>) = ("writing pairs and clusters", None);
    if let Some(path) = &outputs.pairs {
        let (catalog, pairs, covers) = (&catalog, &pairs, &covers);
        planned.push(Planned::new(path, PAIRS_AND_CLUSTERS, move |w| {
            write_pairs(path, w, catalog, pairs, alignments, covers)
        }));
    }
    if let (Some(path), Some(decided)) = (&outputs.clusters, &decided) {
        planned.push(Planned::new(path, PAIRS_AND_CLUSTERS, |w| {
            write_clusters(path, w, decided)
        }));
    }
    if let (Some(html), Some(decided)) = (&outputs.html, &decided) {
        let (summary, background) = (&summary, &background);
        planned.push(Planned::new(
            &html.path,
            ("writing the HTML report", None),
            move |w| html::write_report(html, w, spec, decided, summary, deduper, background),
        ));
    }
    if let Some(path) = &outputs.kept {
        let (catalog, decision) = (&catalog, &decision);
        planned.push(Planned::new(
            path,
            ("writing kept documents", Some(n as u64)),
            move |w| write_kept(path, w, spec, catalog, decision, progress),
        ));
    }
    if let (Some(path), Some(passages)) = (&outputs.boilerplate, passages) {
        let catalog = &catalog;
        planned.push(Planned::new(
            path,
            ("writing the boilerplate passages", None),
            move |w| write_boilerplate(path, w, catalog, passages),
        ));
    }
    pause_at("dedup-outputs");
    commit_all(planned, progress)?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// Test hook: with `NEARDUP_FAILPOINT=<name>` in the environment, a run that reaches the point
/// `name` says so on standard error and waits for a line (or the end) on standard input before it
/// goes on, so that a test can change the inputs at exactly that moment. Point: `dedup-outputs`
/// (the passes done, before the outputs are written).
fn pause_at(name: &str) {
    if std::env::var_os("NEARDUP_FAILPOINT").is_some_and(|v| v == name) {
        eprintln!("neardup: failpoint {name}");
        let _ = std::io::stdin().read_line(&mut String::new());
    }
}

/// What pass 1 saw of the inputs.
struct ReadStats {
    bytes: u64,
    skipped: Vec<Skipped>,
}

/// Bytes of JSON Lines read in one piece: parsing and sketching of a piece are spread over the
/// threads, so pieces are small enough to keep every thread busy from the first one on.
const CHUNK_BYTES: usize = 1 << 20;
/// Bytes of the first piece of lines; each next piece is twice as large, up to [`CHUNK_BYTES`].
const FIRST_CHUNK_BYTES: usize = 64 << 10;

/// Pieces of pass 1 being sketched at once.
const IN_FLIGHT: usize = 3;

/// Bytes of plain-text documents sent together.
const BATCH_BYTES: usize = 8 << 20;

/// What the reader thread hands over: the entries skipped since the last piece, then the piece.
struct Piece {
    skipped: Vec<Skipped>,
    what: PieceKind,
}

enum PieceKind {
    /// Whole lines of a JSON Lines file, parsed and sketched by the receiver.
    Lines(LineChunk),
    /// Documents of plain-text files.
    Docs(Vec<CorpusDoc>),
}

/// A parsed and sketched line of a [`LineChunk`]; a document's sketch is the next one of its
/// block's [`SketchTable`].
enum Sketched {
    Blank,
    Doc {
        id: String,
        line: usize,
        start: u64,
        length: u64,
        /// The text and the record, kept when the inputs include standard input.
        held: Option<(String, Vec<u8>)>,
        /// The record's [`fingerprint`], when asked for (otherwise 0).
        print: u64,
        /// Its date, when a date field is read and it has one.
        date: Option<Date>,
    },
    Bad {
        error: ReadError,
        origin: Origin,
    },
}

/// The ids seen so far, to refuse a duplicate: a map from a 64-bit hash of the id to the first
/// document with that hash, whose id (in the catalog) is compared. The ids are not copied; the
/// rare id whose hash another id already has goes into a map of whole ids.
#[derive(Default)]
struct IdSet<H = ahash::RandomState> {
    by_hash: AHashMap<u64, u32>,
    collided: AHashMap<String, u32>,
    hasher: H,
}

impl<H: std::hash::BuildHasher> IdSet<H> {
    /// Records that document `index` has `id`, given the ids of the documents before it; the
    /// document that had it first, if any.
    fn insert(&mut self, id: &str, index: u32, ids: &[String]) -> Option<u32> {
        let hash = self.hasher.hash_one(id);
        match self.by_hash.entry(hash) {
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(index);
                None
            }
            std::collections::hash_map::Entry::Occupied(first) => {
                let first = *first.get();
                if ids[first as usize] == id {
                    return Some(first);
                }
                match self.collided.get(id) {
                    Some(&earlier) => Some(earlier),
                    None => {
                        self.collided.insert(id.to_owned(), index);
                        None
                    }
                }
            }
        }
    }
}

/// Pass 1: a reader thread reads the inputs in pieces of whole lines; this thread parses and
/// sketches each piece in parallel and keeps the ids and sketches, in input order.
fn sketch_all(
    spec: &CorpusSpec,
    deduper: &Deduper,
    (hold, fingerprints): (bool, bool),
    progress: &dyn Progress,
) -> Result<(Catalog, ReadStats), RunError> {
    progress.stage("reading and sketching", None);
    // The pool's threads start now, while the reader reads the first piece.
    rayon::spawn(|| {});
    let catalog = Catalog {
        ids: Vec::new(),
        sketches: SketchTable::new(deduper.config().minhash.num_perm),
        store: TextStore::new(hold, spec.lossy),
        whence: Whence::new(fingerprints),
        dates: Default::default(),
    };
    let (tx, rx) = mpsc::sync_channel::<Result<Piece, ReadError>>(4);
    // Chunk buffers go back to the reader once their lines are accepted.
    let (recycle, returned) = mpsc::channel::<Vec<u8>>();
    let mut acceptor = Acceptor {
        spec,
        catalog,
        first_seen: IdSet::default(),
        skipped: Vec::new(),
        progress,
        recycle,
    };
    // Raw records are needed later only from standard input, which cannot be read again.
    let reader_spec = CorpusSpec {
        keep_raw: hold,
        ..spec.clone()
    };
    std::thread::scope(|scope| -> Result<(Catalog, ReadStats), RunError> {
        // Owned here, so that an early return drops it before the reader is joined: a reader
        // blocked on a full channel then stops instead of waiting forever.
        let rx = rx;
        let reader = scope.spawn(move || {
            let mut reader = CorpusReader::new(&reader_spec);
            let mut seen = 0;
            // Plain documents wait here until enough of them are read.
            let mut docs: Option<Piece> = None;
            let mut bytes = 0;
            let mut chunk_bytes = FIRST_CHUNK_BYTES;
            loop {
                for buffer in returned.try_iter() {
                    reader.recycle(buffer);
                }
                // The first pieces are small, so that the pool starts at once; the reader, faster
                // than the sketching, then stays ahead with pieces of full size.
                let unit = reader.next_chunk(chunk_bytes);
                chunk_bytes = (2 * chunk_bytes).min(CHUNK_BYTES);
                let new_skips = reader.skipped()[seen..].to_vec();
                seen = reader.skipped().len();
                let any_skips = !new_skips.is_empty();
                if any_skips || !matches!(unit, Some(Ok(Unit::Doc(_)))) {
                    if let Some(piece) = docs.take() {
                        if tx.send(Ok(piece)).is_err() {
                            break;
                        }
                    }
                }
                let piece = |what| Piece {
                    skipped: new_skips,
                    what,
                };
                let sent = match unit {
                    Some(Ok(Unit::Lines(lines))) => tx.send(Ok(piece(PieceKind::Lines(lines)))),
                    Some(Ok(Unit::Doc(doc))) => {
                        bytes += doc.text.len();
                        let pending =
                            docs.get_or_insert_with(|| piece(PieceKind::Docs(Vec::new())));
                        if let PieceKind::Docs(d) = &mut pending.what {
                            d.push(doc);
                        }
                        if bytes < BATCH_BYTES {
                            continue;
                        }
                        bytes = 0;
                        tx.send(Ok(docs.take().expect("just filled")))
                    }
                    Some(Err(e)) => {
                        let _ = tx.send(Err(e));
                        break;
                    }
                    None => {
                        if any_skips {
                            let _ = tx.send(Ok(piece(PieceKind::Docs(Vec::new()))));
                        }
                        break;
                    }
                };
                if sent.is_err() {
                    break;
                }
            }
            reader.into_summary().bytes
        });
        // Up to `IN_FLIGHT` pieces are sketched in the pool at once while this thread accepts
        // them in input order (checks their ids, stores their sketches), so that the pool always
        // has work queued: neither the sequential accept, which slows down as the id map outgrows
        // the caches, nor this thread's wake-up after a piece leaves the pool idle.
        let (sketched, finished) = mpsc::channel::<(usize, std::thread::Result<Done>)>();
        rayon::in_place_scope(|scope| -> Result<(), RunError> {
            let mut ready: BTreeMap<usize, Done> = BTreeMap::new();
            let (mut spawned, mut accepted, mut read_all) = (0, 0, false);
            // The reader's error comes after the pieces before it are accepted: one of them may
            // hold an earlier bad line, the run's first error.
            let mut failed = None;
            loop {
                while !read_all && spawned - accepted < IN_FLIGHT {
                    let piece = match rx.recv() {
                        Ok(Ok(piece)) => piece,
                        Ok(Err(error)) => {
                            failed = Some(error);
                            read_all = true;
                            break;
                        }
                        Err(_) => {
                            read_all = true;
                            break;
                        }
                    };
                    let (seq, sketched) = (spawned, sketched.clone());
                    scope.spawn(move |_| {
                        // A panic is carried to this thread, which waits for every piece.
                        let done = std::panic::catch_unwind(AssertUnwindSafe(|| {
                            sketch_piece(spec, deduper, (hold, fingerprints), piece)
                        }));
                        let _ = sketched.send((seq, done));
                    });
                    spawned += 1;
                }
                if accepted == spawned {
                    return failed.map_or(Ok(()), |error| Err(error.into()));
                }
                let done = loop {
                    if let Some(done) = ready.remove(&accepted) {
                        break done;
                    }
                    let (seq, done) = finished.recv().expect("this thread holds a sender");
                    ready.insert(seq, done.unwrap_or_else(|p| std::panic::resume_unwind(p)));
                };
                acceptor.accept(done)?;
                accepted += 1;
            }
        })?;
        let bytes = reader.join().expect("the reader thread does not panic");
        let skipped = acceptor.skipped;
        Ok((acceptor.catalog, ReadStats { bytes, skipped }))
    })
}

/// A piece of pass 1, sketched and waiting to be accepted.
enum Done {
    Docs {
        skipped: Vec<Skipped>,
        batch: Vec<CorpusDoc>,
        /// The sketches, [`BLOCK_LINES`] documents a table, with the documents' fingerprints
        /// (when asked for).
        sketches: Vec<(SketchTable, Vec<u64>)>,
    },
    Lines {
        skipped: Vec<Skipped>,
        chunk: LineChunk,
        /// The lines, a block at a time, with the sketches of the block's documents.
        blocks: Vec<(Vec<Sketched>, SketchTable)>,
    },
}

/// Lines (or plain documents) sketched together into one [`SketchTable`], so that a thread
/// allocates a table per block rather than a signature per document.
const BLOCK_LINES: usize = 32;

/// Parses (for lines) and sketches a piece, in parallel; with `fingerprints`, also takes the
/// [`fingerprint`] of each record (of each plain document's text).
fn sketch_piece(
    spec: &CorpusSpec,
    deduper: &Deduper,
    (hold, fingerprints): (bool, bool),
    piece: Piece,
) -> Done {
    match piece.what {
        PieceKind::Docs(batch) => {
            let width = deduper.config().minhash.num_perm;
            let sketches = batch
                .par_chunks(BLOCK_LINES)
                .map_init(Scratch::default, |s, block| {
                    let mut table = SketchTable::new(width);
                    for d in block {
                        deduper.sketch_into(&d.text, s, &mut table);
                    }
                    let prints = match fingerprints {
                        true => block
                            .iter()
                            .map(|d| fingerprint(d.text.as_bytes()))
                            .collect(),
                        false => Vec::new(),
                    };
                    (table, prints)
                })
                .collect();
            Done::Docs {
                skipped: piece.skipped,
                batch,
                sketches,
            }
        }
        PieceKind::Lines(chunk) => {
            let lines: Vec<(usize, u64, &[u8])> = chunk.lines().collect();
            let width = deduper.config().minhash.num_perm;
            let blocks = lines
                .par_chunks(BLOCK_LINES)
                .map_init(<(Scratch, String)>::default, |s, block| {
                    let mut table = SketchTable::new(width);
                    let sketched = block
                        .iter()
                        .map(|&line| {
                            let mut sketched =
                                sketch_line(spec, deduper, &chunk, hold, s, line, &mut table);
                            if let (true, Sketched::Doc { length, print, .. }) =
                                (fingerprints, &mut sketched)
                            {
                                *print = fingerprint(&line.2[line.2.len() - *length as usize..]);
                            }
                            sketched
                        })
                        .collect();
                    (sketched, table)
                })
                .collect();
            Done::Lines {
                skipped: piece.skipped,
                chunk,
                blocks,
            }
        }
    }
}

/// The sequential half of pass 1: takes the sketched pieces in input order, refuses duplicate
/// ids, and keeps each document's id, sketch and place (and, from standard input, its text).
struct Acceptor<'a> {
    spec: &'a CorpusSpec,
    catalog: Catalog,
    first_seen: IdSet,
    skipped: Vec<Skipped>,
    progress: &'a dyn Progress,
    /// Where the buffers of accepted chunks go, for the reader to fill again.
    recycle: mpsc::Sender<Vec<u8>>,
}

impl Acceptor<'_> {
    /// Accepts every document of a sketched piece, and its bad lines (an error, or skipped).
    fn accept(&mut self, done: Done) -> Result<(), RunError> {
        match done {
            Done::Docs {
                skipped,
                batch,
                sketches,
            } => {
                self.skipped.extend(skipped);
                self.progress.advance(batch.len() as u64);
                let tables = sketches.iter().flat_map(|(t, prints)| {
                    (0..t.len()).map(move |k| ((t, k), prints.get(k).copied().unwrap_or(0)))
                });
                for (doc, (sketch, print)) in batch.into_iter().zip(tables) {
                    let o = &doc.origin;
                    let place = (o.byte_offset, o.length, print);
                    self.document(doc.id, sketch, &o.path, o.line, place, doc.date)?;
                    self.catalog.store.hold(&doc.text, doc.raw.as_deref())?;
                }
            }
            Done::Lines {
                skipped,
                chunk,
                blocks,
            } => {
                self.skipped.extend(skipped);
                let mut n = 0;
                for (sketched, table) in blocks {
                    let mut k = 0;
                    for s in sketched {
                        match s {
                            Sketched::Blank => {}
                            Sketched::Doc {
                                id,
                                line,
                                start,
                                length,
                                held,
                                print,
                                date,
                            } => {
                                let place = (Some(start), Some(length), print);
                                let path = &chunk.path;
                                self.document(id, (&table, k), path, Some(line), place, date)?;
                                k += 1;
                                if let Some((text, raw)) = held {
                                    self.catalog.store.hold(&text, Some(&raw))?;
                                }
                            }
                            Sketched::Bad { error, origin } => {
                                self.spec
                                    .on_error
                                    .decide(error, origin, &mut self.skipped)?
                            }
                        }
                    }
                    n += k as u64;
                }
                self.progress.advance(n);
                // The reader may have finished: then the buffer is simply freed.
                let _ = self.recycle.send(chunk.data);
            }
        }
        Ok(())
    }

    /// Keeps one document, numbered in input order.
    /// Its sketch is entry `k` of a block's table, given as `(table, k)`; `place` is its record's
    /// offset and length in its file, where it has them, and its [`fingerprint`]; `date` is its
    /// date (kept only when a date field is read).
    fn document(
        &mut self,
        id: String,
        (table, k): (&SketchTable, usize),
        path: &Path,
        line: Option<usize>,
        place: (Option<u64>, Option<u64>, u64),
        date: Option<Date>,
    ) -> Result<(), RunError> {
        let catalog = &mut self.catalog;
        let index = catalog.ids.len();
        if index >= u32::MAX as usize {
            return Err(RunError::TooManyDocuments);
        }
        catalog.whence.push(path, line, place.2);
        if let Some(first) = self.first_seen.insert(&id, index as u32, &catalog.ids) {
            return Err(RunError::DuplicateId {
                id,
                first: catalog.whence.place(first),
                second: catalog.whence.place(index as u32),
            });
        }
        catalog.store.place(path, place.0, place.1);
        if self.spec.date_field.is_some() {
            catalog.dates.push(date);
        }
        catalog.ids.push(id);
        catalog.sketches.push_from(table, k);
        Ok(())
    }
}

/// Parses one line of a chunk and sketches its text.
fn sketch_line(
    spec: &CorpusSpec,
    deduper: &Deduper,
    chunk: &LineChunk,
    hold: bool,
    (scratch, spare): &mut (Scratch, String),
    (line, start, bytes): (usize, u64, &[u8]),
    table: &mut SketchTable,
) -> Sketched {
    match LineChunk::parse(spec, line, start, bytes, spare).place(chunk.at(line), true) {
        Placed::Blank => Sketched::Blank,
        Placed::Record {
            id,
            text,
            date,
            start,
            length,
        } => {
            deduper.sketch_into(&text, scratch, table);
            let held = if hold {
                let record = bytes[bytes.len() - length as usize..].to_vec();
                Some((text, record))
            } else {
                // The next text with escapes is decoded into this one's buffer.
                *spare = text;
                None
            };
            Sketched::Doc {
                id,
                line,
                start,
                length,
                held,
                print: 0,
                date,
            }
        }
        Placed::Bad { error, origin } => Sketched::Bad { error, origin },
    }
}

/// The candidate documents re-read for pass 2, as they came (each with its number) and found by
/// number through a slot a document: a hash map of them took a quarter more than the measured
/// sets it held, at 1M documents, and the list and the map were both alive once it was built.
struct LoadedDocs {
    slots: Vec<u32>,
    docs: Vec<(u32, Loaded)>,
}

impl LoadedDocs {
    /// The loaded documents of a corpus of `n`.
    fn new(n: usize, docs: Vec<(u32, Loaded)>) -> LoadedDocs {
        let mut slots = vec![u32::MAX; n];
        for (at, (doc, _)) in docs.iter().enumerate() {
            slots[*doc as usize] = at as u32;
        }
        LoadedDocs { slots, docs }
    }
}

impl std::ops::Index<&u32> for LoadedDocs {
    type Output = Loaded;

    /// Document `doc`, which must have been loaded.
    fn index(&self, doc: &u32) -> &Loaded {
        let at = self.slots[*doc as usize];
        assert!(at != u32::MAX, "document {doc} was not loaded");
        &self.docs[at as usize].1
    }
}

/// A candidate document re-read for pass 2.
struct Loaded {
    measured: Measured,
    /// With passages, the text, for the alignment.
    text: Option<String>,
}

/// Pass 2: exact verification (and alignment) of the candidates.
fn verify_all(
    spec: &CorpusSpec,
    deduper: &Deduper,
    catalog: &Catalog,
    candidates: &[Candidate],
    background: &Background,
    passages: bool,
    progress: &dyn Progress,
) -> Result<Verified, RunError> {
    let mut involved: Vec<u32> = candidates.iter().flat_map(|c| [c.a, c.b]).collect();
    involved.sort_unstable();
    involved.dedup();
    // The texts of the documents whose estimates make them possible pages of a cover are kept,
    // so that the cover reads no text again.
    let held_texts: Vec<bool> = match deduper.cover() {
        Some(_) => deduper.possible_pages(catalog.ids.len(), candidates.iter()),
        None => Vec::new(),
    };
    progress.stage("verifying candidates", Some(involved.len() as u64));
    let loaded = catalog.store.map_texts(
        spec,
        &catalog.ids,
        &involved,
        Scratch::default,
        // The text is tokenized again for its alignment: holding every candidate's tokens
        // from here to the alignment took 65% more peak memory (20k synth, --passages) and
        // saved no time.
        |s: &mut Scratch, i: u32, text: Cow<'_, str>| Loaded {
            measured: deduper.measure(&text, s, catalog.sketches.background_of(background, i)),
            text: (passages || held_texts.get(i as usize) == Some(&true))
                .then(|| text.into_owned()),
        },
        progress,
    )?;
    let loaded = LoadedDocs::new(catalog.ids.len(), loaded);
    // Each candidate verified, with its exact containments (a in b, b in a) for the covers.
    let verified: Vec<(Option<VerifiedPair>, (f64, f64))> = candidates
        .par_iter()
        .map(|c| {
            let (a, b) = (&loaded[&c.a].measured, &loaded[&c.b].measured);
            let scores = deduper.scores(a, b);
            let held = (scores.0.containment_a_in_b, scores.0.containment_b_in_a);
            let pair =
                deduper
                    .verify_scored(c, a, b, scores)
                    .map(|pair| match catalog.dates.is_empty() {
                        true => pair,
                        false => pair.dated(catalog.dates.pair(c.a, c.b)),
                    });
            (pair, held)
        })
        .collect();
    let (pairs, held): (Vec<Option<VerifiedPair>>, Vec<(f64, f64)>) = verified.into_iter().unzip();
    let mut pairs: Vec<VerifiedPair> = pairs.into_iter().flatten().collect();
    let covers = match deduper.cover() {
        Some(params) => find_covers(
            spec,
            deduper,
            catalog,
            (candidates, &held),
            &mut pairs,
            (&loaded, &params),
            progress,
        )?,
        None => Vec::new(),
    };
    let alignments: Vec<Option<Alignment>> = if passages {
        progress.stage("aligning pairs", Some(pairs.len() as u64));
        pairs
            .par_iter()
            .map(|p| {
                let (ta, tb) = (
                    loaded[&p.a].text.as_deref().unwrap_or_default(),
                    loaded[&p.b].text.as_deref().unwrap_or_default(),
                );
                let mut al = align_texts(ta, tb, &deduper.config().align);
                let (ma, mb) = (&loaded[&p.a].measured, &loaded[&p.b].measured);
                mark_background(&mut al, (ta, &ma.background), (tb, &mb.background));
                progress.advance(1);
                Some(al)
            })
            .collect()
    } else {
        vec![None; pairs.len()]
    };
    Ok(Verified {
        pairs,
        alignments,
        covers,
    })
}

/// What pass 2 found: the pairs that meet a threshold (the sources of the pages built from
/// several among them), their alignments when asked for, and those pages' covers.
struct Verified {
    pairs: Vec<VerifiedPair>,
    alignments: Vec<Option<Alignment>>,
    covers: Vec<PageCover>,
}

/// The covers of the pages built from several other documents ([`super::covers`]), among the
/// candidates (each with its exact containments `held`): the possible pages' texts are read
/// again and covered by their partners' measured content, and the cover pairs take the place of
/// the verified pairs of the same documents in `pairs`.
fn find_covers(
    spec: &CorpusSpec,
    deduper: &Deduper,
    catalog: &Catalog,
    (candidates, held): (&[Candidate], &[(f64, f64)]),
    pairs: &mut Vec<VerifiedPair>,
    (loaded, params): (&LoadedDocs, &CoverParams),
    progress: &dyn Progress,
) -> Result<Vec<PageCover>, RunError> {
    let threshold = deduper.config().report.containment();
    // The later of two documents: by their dates when both are known and differ.
    let dated_later = |x: u32, y: u32| match catalog.dates.pair(x, y) {
        [Some(dx), Some(dy)] => dx > dy,
        _ => false,
    };
    let pages = possible_pages(candidates, held, (params.floor, threshold), dated_later);
    if pages.is_empty() {
        return Ok(Vec::new());
    }
    progress.stage("covering pages", Some(pages.len() as u64));
    let partners: AHashMap<u32, &[(u32, f64)]> =
        pages.iter().map(|(p, s)| (*p, s.as_slice())).collect();
    let k = deduper.config().shingle_size;
    // The cover of a page among its partners but `excluded`.
    let cover_of = |s: &mut CoverScratch, page: u32, excluded: &[u32], text: &str| {
        let mut parts: Vec<Candidacy<'_>> = partners[&page]
            .iter()
            .filter(|(doc, _)| !excluded.contains(doc))
            .map(|&(doc, inside)| Candidacy {
                doc,
                measured: &loaded[&doc].measured,
                date: catalog.dates.get(doc),
                id: catalog.ids[doc as usize].as_str(),
                inside,
            })
            .collect();
        let measured = &loaded[&page].measured;
        cover_page(
            (page, text, measured),
            &mut parts,
            params,
            (k, threshold),
            s,
        )
    };
    // The covers of `list` (pages in increasing order, each with the partners it leaves out).
    // Most pages' texts were kept in the verification; the others are read again.
    let covers_of = |list: &[(u32, Vec<u32>)]| -> Result<Vec<PageCover>, RunError> {
        let (held, unheld): (Vec<&(u32, Vec<u32>)>, Vec<&(u32, Vec<u32>)>) =
            list.iter().partition(|(p, _)| loaded[p].text.is_some());
        let mut found: Vec<(u32, Option<PageCover>)> = held
            .par_iter()
            .map_init(CoverScratch::default, |s, (page, excluded)| {
                let text = loaded[page].text.as_deref().unwrap_or_default();
                (*page, cover_of(s, *page, excluded, text))
            })
            .collect();
        progress.advance(held.len() as u64);
        if !unheld.is_empty() {
            let excluded: AHashMap<u32, &[u32]> =
                unheld.iter().map(|(p, e)| (*p, e.as_slice())).collect();
            let ids: Vec<u32> = unheld.iter().map(|(p, _)| *p).collect();
            found.extend(catalog.store.map_texts(
                spec,
                &catalog.ids,
                &ids,
                CoverScratch::default,
                |s, page, text| cover_of(s, page, excluded[&page], &text),
                progress,
            )?);
            found.sort_unstable_by_key(|(page, _)| *page);
        }
        Ok(found.into_iter().filter_map(|(_, c)| c).collect())
    };
    let all: Vec<(u32, Vec<u32>)> = pages.iter().map(|(p, _)| (*p, Vec::new())).collect();
    let mut covers = covers_of(&all)?;
    // Of two pages each a part of the other's cover, the later is the page: by their dates
    // when both are known and differ, else by input. The earlier is covered again without the
    // later (two digests that quote one source are each covered by the source), and a cover
    // still part of such a pair is dropped.
    let later = |x: u32, y: u32| match catalog.dates.pair(x, y) {
        [Some(dx), Some(dy)] if dx != dy => dx > dy,
        _ => x > y,
    };
    let again = mutual_losers(&covers, later);
    if !again.is_empty() {
        let redone = covers_of(&again)?;
        covers.retain(|c| again.binary_search_by_key(&c.page, |(p, _)| *p).is_err());
        covers.extend(redone);
        covers.sort_unstable_by_key(|c| c.page);
    }
    drop_mutual(&mut covers, later);
    let covered = cover_pairs(&covers, threshold, |a, b| {
        deduper.scores(&loaded[&a].measured, &loaded[&b].measured)
    });
    merge_pairs(pairs, covered);
    Ok(covers)
}

/// The boilerplate passages of every document that has background among its bin minima
/// ([`Background::of`]), for the boilerplate output: each text read again as for verification
/// and classified by [`Deduper::measure`], so that what is listed is exactly what its pairs are
/// not judged on. Texts are read only when the output is asked for.
fn list_boilerplate(
    spec: &CorpusSpec,
    deduper: &Deduper,
    catalog: &Catalog,
    background: &Background,
    progress: &dyn Progress,
) -> Result<Passages, RunError> {
    let docs: Vec<u32> = (0..catalog.ids.len() as u32)
        .filter(|&i| background.of(i).is_some())
        .collect();
    progress.stage("listing boilerplate", Some(docs.len() as u64));
    let passages = Passages::default();
    catalog.store.map_texts(
        spec,
        &catalog.ids,
        &docs,
        <(Scratch, PassageScratch)>::default,
        |(s, p), i, text| {
            let of = catalog.sketches.background_of(background, i);
            let measured = deduper.measure(&text, s, of);
            let k = deduper.config().shingle_size;
            passages.add((i, &text), &measured.background, k, p);
        },
        progress,
    )?;
    Ok(passages)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hashes every id to the same value, so that every id after the first collides.
    #[derive(Default)]
    struct Constant;

    impl std::hash::BuildHasher for Constant {
        type Hasher = Constant;
        fn build_hasher(&self) -> Constant {
            Constant
        }
    }

    impl std::hash::Hasher for Constant {
        fn finish(&self) -> u64 {
            7
        }
        fn write(&mut self, _: &[u8]) {}
    }

    /// Inserts `ids` in order, as pass 1 does; for each, the earlier document with that id.
    fn firsts<H: std::hash::BuildHasher + Default>(ids: &[&str]) -> Vec<Option<u32>> {
        let mut set = IdSet::<H>::default();
        let mut kept: Vec<String> = Vec::new();
        ids.iter()
            .enumerate()
            .map(|(i, id)| {
                let first = set.insert(id, i as u32, &kept);
                kept.push(id.to_string());
                first
            })
            .collect()
    }

    #[test]
    fn duplicate_ids_are_found_whether_or_not_hashes_collide() {
        let ids = ["a", "b", "a", "c", "b", "c", "d"];
        let want = vec![None, None, Some(0), None, Some(1), Some(3), None];
        assert_eq!(firsts::<ahash::RandomState>(&ids), want);
        assert_eq!(firsts::<Constant>(&ids), want);
    }
}
