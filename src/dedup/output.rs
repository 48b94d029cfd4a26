//! The files a dedup run writes: the settings of what is written ([`Outputs`], [`HtmlOutput`]) and
//! the decided run in; out the pairs file and the clusters file, each a [`JsonLines`] sink the
//! run pushes its events to, the kept documents, and the boilerplate passages ([`Passages`]). The outputs are committed together
//! ([`commit_all`]): each file is written beside its final path, and they are renamed into place
//! only once every one is complete, so a failed run leaves none of them, not even one that looks
//! finished.
//!
//! The verified pairs go to the pairs file as [`Sink::records`] batches, each batch's [`Pair`]s
//! built in parallel (taking over the pairs' alignments, not copying them) and formatted in
//! parallel by the sink. The clusters go to the clusters file and to the HTML report (`html`) as
//! [`Sink::cluster`] events of one [`Decided`] run: each member comes with the document through
//! whose pair it joined its group, found once by [`Explained`], whose pairs the report embeds
//! first. The kept documents are not a report: they are copied from the inputs as they were read.
//! The boilerplate passages are grouped by text as the documents are classified, one entry per
//! distinct text, and written sorted (most documents first, then text), so that a run gives the
//! same bytes whatever the threads did.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ahash::AHashMap;
use rayon::prelude::*;
use serde::Serialize;

use super::outcome::RunError;
use super::store::Catalog;
use super::{Decision, PageCover, Removal, VerifiedPair};
use crate::align::Alignment;
use crate::compare::Pair;
use crate::cover::CoverShare;
use crate::document::{input_files, CorpusSpec};
use crate::fsutil::{FileKey, Staged, TempName};
use crate::progress::Progress;
use crate::report::json::RECORD_BATCH;
use crate::report::{Cluster, JsonLines, Linked, Sink};
use crate::text::token_lines;
use crate::text::{tokenize_into, Token};
use crate::verify::Relation;

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
    /// The boilerplate passages learnt, one record per distinct passage text held by two
    /// documents or more (most documents first), then a total; with nothing learnt (as with
    /// [`DedupConfig::boilerplate`](super::DedupConfig::boilerplate) `None`), the total alone.
    pub boilerplate: Option<PathBuf>,
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

impl Outputs {
    /// The outputs asked for, each with what it is.
    fn named(&self) -> impl Iterator<Item = (&'static str, &Path)> {
        [
            ("pairs output", self.pairs.as_deref()),
            ("clusters output", self.clusters.as_deref()),
            ("kept output", self.kept.as_deref()),
            ("HTML report", self.html.as_ref().map(|h| h.path.as_path())),
            ("boilerplate output", self.boilerplate.as_deref()),
        ]
        .into_iter()
        .filter_map(|(what, path)| Some((what, path?)))
    }

    /// Refuses, before a run reads anything, an output that is the same file as one of the
    /// inputs (a file named or found in a directory, however spelled, links followed) or as
    /// another output: writing it would destroy the input, or one output would replace the other.
    pub(super) fn check_paths(&self, inputs: &[PathBuf]) -> Result<(), RunError> {
        let outputs: Vec<(&'static str, &Path, Option<FileKey>)> = self
            .named()
            .map(|(what, path)| (what, path, FileKey::of(path)))
            .collect();
        let same = |what, path: &Path, other_what, other: &Path| RunError::SameFile {
            path: path.to_path_buf(),
            what,
            other: other.to_path_buf(),
            other_what,
        };
        for (i, (what, path, key)) in outputs.iter().enumerate() {
            let Some(key) = key else { continue };
            if let Some((other_what, other, _)) = outputs[..i]
                .iter()
                .find(|(_, _, k)| k.as_ref() == Some(key))
            {
                return Err(same(what, path, other_what, other));
            }
        }
        // Only an output that exists can be an input; the inputs are listed only then.
        if !outputs
            .iter()
            .any(|(_, _, k)| matches!(k, Some(FileKey::Inode(..))))
        {
            return Ok(());
        }
        for input in input_files(inputs) {
            let Some(key) = FileKey::of(&input) else {
                continue;
            };
            if let Some((what, path, _)) = outputs.iter().find(|(_, _, k)| k.as_ref() == Some(&key))
            {
                return Err(same(what, path, "input", &input));
            }
        }
        Ok(())
    }
}

/// One output of a run, planned: where it goes, the progress stage that writes it, and how.
pub(super) struct Planned<'a> {
    path: &'a Path,
    stage: &'static str,
    total: Option<u64>,
    write: Box<dyn FnOnce(&mut BufWriter<File>) -> Result<(), RunError> + 'a>,
}

impl<'a> Planned<'a> {
    /// `path`, written by `write` in the progress stage `stage` (of `total` steps, if known).
    pub(super) fn new(
        path: &'a Path,
        (stage, total): (&'static str, Option<u64>),
        write: impl FnOnce(&mut BufWriter<File>) -> Result<(), RunError> + 'a,
    ) -> Self {
        Planned {
            path,
            stage,
            total,
            write: Box::new(write),
        }
    }
}

/// Writes every output of a run and commits them together, or none of them.
///
/// Every output is opened first (a missing directory fails before anything is written), then
/// the regular files are written under their temporary names, then the outputs written directly
/// (standard output, a device, a FIFO: see [`crate::fsutil::write_atomically`]), and only once every one
/// is complete are the files renamed into place. An error anywhere (a full disk, a file-size
/// limit, a changed input) removes every temporary file: the run leaves none of its files, and
/// a direct output, which cannot be taken back, has received nothing unless the error was its
/// own (or the renames', which fail only if the directories change under the run).
///
/// A direct output whose reader has gone (a broken pipe: `--out-pairs - | head -1`) is not an
/// error: its reader has what it wanted, and the other outputs are committed.
pub(super) fn commit_all(
    planned: Vec<Planned<'_>>,
    progress: &dyn Progress,
) -> Result<(), RunError> {
    let mut staged = Staged::new(TempName::Output);
    for p in &planned {
        staged.open(p.path).map_err(write_error(p.path))?;
    }
    let paths: Vec<&Path> = planned.iter().map(|p| p.path).collect();
    let (files, direct): (Vec<_>, Vec<_>) = planned
        .into_iter()
        .enumerate()
        .partition(|(k, _)| !staged.is_direct(*k));
    // The stage under way: the caller's, when the first output's.
    let mut stage = "writing pairs and clusters";
    for (k, p) in files.into_iter().chain(direct) {
        if p.stage != stage || p.total.is_some() {
            stage = p.stage;
            progress.stage(stage, p.total);
        }
        let written =
            (p.write)(staged.writer(k)).and_then(|()| staged.flush(k).map_err(write_error(p.path)));
        match written {
            Err(RunError::Write { source, .. })
                if staged.is_direct(k) && source.kind() == io::ErrorKind::BrokenPipe =>
            {
                staged.abandon(k)
            }
            written => written?,
        }
    }
    staged.commit().map_err(|(k, e)| write_error(paths[k])(e))
}

pub(super) fn write_error(path: &Path) -> impl Fn(io::Error) -> RunError + '_ {
    move |source| RunError::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes the pairs file to `w`: one record per verified pair, with its passages when
/// `alignments` has them (it is taken over: each alignment moves into its record's [`Pair`]).
pub(super) fn write_pairs(
    path: &Path,
    w: &mut impl Write,
    catalog: &Catalog,
    pairs: &[VerifiedPair],
    mut alignments: Vec<Option<Alignment>>,
    covers: &[PageCover],
) -> Result<(), RunError> {
    let fail = write_error(path);
    let mut sink = JsonLines::new(w);
    let spans = CoverSpans::new(covers);
    for (pairs, alignments) in pairs
        .chunks(RECORD_BATCH)
        .zip(alignments.chunks_mut(RECORD_BATCH))
    {
        let batch: Vec<Pair> = pairs
            .par_iter()
            .zip(alignments.par_iter_mut())
            .map(|(p, alignment)| Pair {
                a: catalog.ids[p.a as usize].clone(),
                b: catalog.ids[p.b as usize].clone(),
                scores: p.scores,
                relation: p.relation,
                derived: p.derived,
                direction_score: p.direction_score,
                direction: p.direction,
                dates: catalog.dates.pair(p.a, p.b),
                alignment: alignment.take(),
                raw: p.raw,
                siblings_of: p.siblings_of.map(|s| catalog.ids[s as usize].clone()),
                cover: spans.share(p),
                common_text: p.common_text,
            })
            .collect();
        sink.records(&batch).map_err(&fail)?;
    }
    sink.finish().map_err(&fail)
}

/// The page's spans of each part of the run's covers, by page and source: what a pair record's
/// [`CoverShare`] carries beside the pair's own [`super::PartOf`].
pub(super) struct CoverSpans<'c>(AHashMap<(u32, u32), &'c [Range<usize>]>);

impl<'c> CoverSpans<'c> {
    pub(super) fn new(covers: &'c [PageCover]) -> Self {
        CoverSpans(
            covers
                .iter()
                .flat_map(|c| {
                    c.parts
                        .iter()
                        .map(|p| ((c.page, p.source), p.spans.as_slice()))
                })
                .collect(),
        )
    }

    /// The [`CoverShare`] of pair `p`, when it is a source of a page's cover.
    pub(super) fn share(&self, p: &VerifiedPair) -> Option<CoverShare> {
        let (page, source, part) = p.cover_part()?;
        Some(CoverShare {
            share: part.share,
            rank: part.rank,
            explained: part.explained,
            sources: part.sources,
            spans: self
                .0
                .get(&(page, source))
                .map_or_else(Vec::new, |s| s.to_vec()),
            parts: Vec::new(),
        })
    }
}

/// Writes the clusters file to `w`: one record per cluster of duplicates, then one per source
/// of derivatives.
pub(super) fn write_clusters(
    path: &Path,
    w: &mut impl Write,
    decided: &Decided<'_>,
) -> Result<(), RunError> {
    let fail = write_error(path);
    let mut sink = JsonLines::new(w);
    decided.push_clusters(&mut sink).map_err(&fail)?;
    sink.finish().map_err(&fail)
}

/// A run whose decision is made: what its clusters file and its HTML report are pushed from.
pub(super) struct Decided<'r> {
    /// The run's documents (their ids).
    pub(super) catalog: &'r Catalog,
    /// Its verified pairs.
    pub(super) pairs: &'r [VerifiedPair],
    /// What it kept and removed.
    pub(super) decision: &'r Decision,
    /// The pair behind each member of a cluster and each derivative removed.
    pub(super) explained: Explained,
    /// The spans of the pages built from several sources.
    pub(super) covers: CoverSpans<'r>,
}

impl<'r> Decided<'r> {
    /// The decided run, its removals explained.
    pub(super) fn new(
        catalog: &'r Catalog,
        pairs: &'r [VerifiedPair],
        decision: &'r Decision,
        covers: &'r [PageCover],
    ) -> Self {
        Decided {
            catalog,
            pairs,
            decision,
            explained: Explained::new(pairs, decision),
            covers: CoverSpans::new(covers),
        }
    }

    /// The id of document `i`.
    pub(super) fn id(&self, i: u32) -> &'r str {
        self.catalog.ids[i as usize].as_str()
    }

    /// Pushes the run's groups to `sink`: the clusters of duplicates (largest first), each member
    /// with the other document of the pair that puts it in the cluster, then the sources of
    /// derivatives in input order, each with its derived documents in input order.
    pub(super) fn push_clusters(&self, sink: &mut impl Sink) -> io::Result<()> {
        let kept = |i: u32| self.decision.removed[i as usize].is_none();
        let mut linked: Vec<Linked<'r>> = Vec::new();
        let clusters = self.decision.clusters.iter().zip(&self.explained.members);
        for (number, (c, why)) in clusters.enumerate() {
            let mut why = why.iter();
            linked.clear();
            linked.extend(c.members.iter().map(|&m| {
                let via = if m == c.representative {
                    None
                } else {
                    let (member, pair) = why.next().expect("every other member is explained");
                    debug_assert_eq!(*member, m);
                    pair.map(|k| {
                        let p = &self.pairs[k];
                        self.id(if p.a == m { p.b } else { p.a })
                    })
                };
                Linked {
                    id: self.id(m),
                    via,
                }
            }));
            sink.cluster(&Cluster::Duplicates {
                number,
                representative: self.id(c.representative),
                representative_kept: kept(c.representative),
                members: &linked,
            })?;
        }
        let mut by_source: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
        for (d, s) in self.pairs.iter().filter_map(VerifiedPair::derivation) {
            by_source.entry(s).or_default().push(d);
        }
        for (s, mut derived) in by_source {
            derived.sort_unstable();
            linked.clear();
            linked.extend(derived.iter().map(|&d| Linked {
                id: self.id(d),
                via: Some(self.id(s)),
            }));
            sink.cluster(&Cluster::Derivatives {
                source: self.id(s),
                source_kept: kept(s),
                derived: &linked,
            })?;
        }
        let mut built: BTreeMap<u32, Vec<(usize, u32)>> = BTreeMap::new();
        for (page, source, part) in self.pairs.iter().filter_map(VerifiedPair::cover_part) {
            built.entry(page).or_default().push((part.rank, source));
        }
        for (page, mut sources) in built {
            sources.sort_unstable();
            linked.clear();
            linked.extend(sources.iter().map(|&(_, s)| Linked {
                id: self.id(s),
                via: Some(self.id(page)),
            }));
            sink.cluster(&Cluster::BuiltFrom {
                page: self.id(page),
                page_kept: kept(page),
                sources: &linked,
            })?;
        }
        Ok(())
    }
}

/// The pairs that explain the decision (the HTML report's choice of them, `Explained::choose`,
/// is in `html`).
pub(super) struct Explained {
    /// Per cluster (largest first), its members other than the representative, each with the pair
    /// that puts it in the cluster: with the representative where there is one.
    pub(super) members: Vec<Vec<(u32, Option<usize>)>>,
    /// The pair behind each derivative removal, in input order.
    pub(super) removals: Vec<usize>,
}

impl Explained {
    pub(super) fn new(pairs: &[VerifiedPair], decision: &Decision) -> Self {
        let mut at: AHashMap<(u32, u32), usize> = AHashMap::with_capacity(pairs.len());
        let mut of_doc: AHashMap<u32, Vec<usize>> = AHashMap::new();
        for (k, p) in pairs.iter().enumerate() {
            at.insert((p.a, p.b), k);
            of_doc.entry(p.a).or_default().push(k);
            of_doc.entry(p.b).or_default().push(k);
        }
        let link = |x: u32, y: u32| at.get(&(x.min(y), x.max(y))).copied();
        let any = |d: u32, fits: &dyn Fn(&VerifiedPair) -> bool| {
            of_doc
                .get(&d)
                .and_then(|ks| ks.iter().copied().find(|&k| fits(&pairs[k])))
        };
        let members = decision
            .clusters
            .iter()
            .map(|c| {
                c.members
                    .iter()
                    .filter(|&&m| m != c.representative)
                    .map(|&m| {
                        let k = link(m, c.representative).or_else(|| {
                            any(m, &|p: &VerifiedPair| p.relation == Relation::Duplicate)
                        });
                        (m, k)
                    })
                    .collect()
            })
            .collect();
        let removals = decision
            .removed
            .iter()
            .enumerate()
            .flat_map(|(d, r)| {
                let d = d as u32;
                match r {
                    Some(Removal::DerivativeOf(s)) => link(d, *s)
                        .or_else(|| {
                            any(d, &|p: &VerifiedPair| {
                                p.derivation().is_some_and(|(x, _)| x == d)
                            })
                        })
                        .into_iter()
                        .collect(),
                    // Every source of a page built from several, by rank.
                    Some(Removal::BuiltFrom(_)) => {
                        let mut ks: Vec<usize> = of_doc
                            .get(&d)
                            .into_iter()
                            .flatten()
                            .copied()
                            .filter(|&k| pairs[k].cover.is_some())
                            .collect();
                        ks.sort_by_key(|&k| pairs[k].cover.map(|c| c.rank));
                        ks
                    }
                    _ => Vec::new(),
                }
            })
            .collect();
        Explained { members, removals }
    }
}

/// The boilerplate passages of a run, grouped by their text: what the boilerplate output lists.
///
/// A passage is a document's background tokens ([`crate::boilerplate::background_tokens`],
/// what its pairs are not judged on) cut at its line breaks, so that a template's lines (the
/// navigation, a byline, each related headline, each footer line) are counted apart: one whole
/// run would hold the page's own date or headlines and be found in that page alone. A line
/// that a run reaches only with the last words of its last shingle is left out: shingles of its
/// own start there, and they are evidence. Its text is
/// the document's own characters for those tokens (with the punctuation attached to its ends)
/// with each run of whitespace made one space.
/// Documents are added from many threads; one entry is kept per distinct text (not per
/// document), and the documents holding it are counted, each once; [`write_boilerplate`] lists
/// those that two documents or more hold.
#[derive(Debug, Default)]
pub(super) struct Passages {
    table: Mutex<PassageTable>,
}

#[derive(Debug, Default)]
struct PassageTable {
    by_text: AHashMap<Box<str>, Held>,
    /// Documents with at least one passage.
    documents: u64,
}

/// What is known of one passage text.
#[derive(Clone, Copy, Debug)]
struct Held {
    /// Documents holding it.
    documents: u32,
    /// Its words, in the first of them.
    tokens: u32,
    /// The first of them (lowest index).
    first: u32,
}

/// Buffers reused between the documents of one thread.
#[derive(Debug, Default)]
pub(super) struct PassageScratch {
    tokens: Vec<Token>,
    /// The document's passage texts, end to end.
    text: String,
    /// Each passage: its bytes in `text` and its token count.
    spans: Vec<(Range<usize>, u32)>,
}

impl Passages {
    /// Adds document `doc`, of text `text` whose background token ranges (in order, disjoint)
    /// are `background`, with shingles of `k` words.
    pub(super) fn add(
        &self,
        (doc, text): (u32, &str),
        background: &[Range<usize>],
        k: usize,
        scratch: &mut PassageScratch,
    ) {
        if background.is_empty() {
            return;
        }
        tokenize_into(text, &mut scratch.tokens);
        let tokens = &scratch.tokens;
        let lines = token_lines(text, tokens);
        scratch.text.clear();
        scratch.spans.clear();
        // Both lists are in order: each background range is cut at the lines it crosses. A
        // range ends `k - 1` words past its last background shingle; a line it reaches only
        // with those words (the article's first words after a quoted headline) has its own
        // shingles there, content, and is not listed.
        let mut line = 0;
        for r in background {
            let end = r.end.min(tokens.len());
            let starts = if end == tokens.len() {
                // No shingle starts in the last `k - 1` words: they are the last one's.
                end
            } else {
                r.end.saturating_sub(k.saturating_sub(1)).max(r.start + 1)
            };
            let mut at = r.start;
            while at < end.min(starts) {
                while line < lines.len() && lines[line].end <= at {
                    line += 1;
                }
                let to = lines.get(line).map_or(end, |l| l.end.min(end));
                let from = scratch.text.len();
                collapse_whitespace(&text[spelled(text, tokens, at..to)], &mut scratch.text);
                scratch
                    .spans
                    .push((from..scratch.text.len(), (to - at) as u32));
                at = to;
            }
        }
        // A text found twice in the document counts it once.
        let all = &scratch.text;
        scratch
            .spans
            .sort_unstable_by(|(a, _), (b, _)| all[a.clone()].cmp(&all[b.clone()]));
        scratch
            .spans
            .dedup_by(|(a, _), (b, _)| all[a.clone()] == all[b.clone()]);
        let mut table = self.table.lock().unwrap_or_else(|e| e.into_inner());
        table.documents += 1;
        for (span, tokens) in &scratch.spans {
            let passage = &all[span.clone()];
            match table.by_text.get_mut(passage) {
                Some(held) => {
                    held.documents += 1;
                    if doc < held.first {
                        (held.first, held.tokens) = (doc, *tokens);
                    }
                }
                None => {
                    let held = Held {
                        documents: 1,
                        tokens: *tokens,
                        first: doc,
                    };
                    table.by_text.insert(passage.into(), held);
                }
            }
        }
    }
}

/// The bytes of `text` that spell tokens `words`, with the punctuation attached to either end
/// (up to a space or the next token): `policy.`, `“Quote”`.
fn spelled(text: &str, tokens: &[Token], words: Range<usize>) -> Range<usize> {
    let (mut start, mut end) = (
        tokens[words.start].start as usize,
        tokens[words.end - 1].end as usize,
    );
    let before = words
        .start
        .checked_sub(1)
        .map_or(0, |t| tokens[t].end as usize);
    let after = tokens
        .get(words.end)
        .map_or(text.len(), |t| t.start as usize);
    let attached = |c: char| !c.is_whitespace();
    start -= text[before..start]
        .chars()
        .rev()
        .take_while(|&c| attached(c))
        .map(char::len_utf8)
        .sum::<usize>();
    end += text[end..after]
        .chars()
        .take_while(|&c| attached(c))
        .map(char::len_utf8)
        .sum::<usize>();
    start..end
}

fn json_line(w: &mut impl Write, record: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *w, record)?;
    w.write_all(b"\n")
}

/// `text` with each run of whitespace made one space, appended to `out`.
fn collapse_whitespace(text: &str, out: &mut String) {
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = true;
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
}

/// One line of the boilerplate output: a passage.
#[derive(Serialize)]
struct PassageRecord<'a> {
    kind: &'static str,
    text: &'a str,
    documents: u32,
    tokens: u32,
    example: &'a str,
}

/// The boilerplate output's last line.
#[derive(Serialize)]
struct PassageTotal {
    kind: &'static str,
    passages: u64,
    documents_with_boilerplate: u64,
    documents_read: u64,
    passages_in_one_document: u64,
    tokens_in_one_document: u64,
}

/// Writes the boilerplate output to `w`: one record per passage held by two documents or more,
/// those in the most documents first and then by text (the same run gives the same bytes), then
/// the total: how many passages are listed, how many of the documents read hold background text,
/// and the passages (and their words) found in one document only, counted and not listed.
///
/// What is learnt is text that documents share; a piece found in one document only is its own
/// text that the classification took in beside the template (a byline with its date, the
/// words where a quoted headline meets the article), which a pair's passages show in place.
pub(super) fn write_boilerplate(
    path: &Path,
    w: &mut impl Write,
    catalog: &Catalog,
    passages: Passages,
) -> Result<(), RunError> {
    let fail = write_error(path);
    let table = passages
        .table
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());
    let (mut listed, mut alone, mut alone_tokens) = (Vec::new(), 0u64, 0u64);
    for (text, held) in &table.by_text {
        if held.documents >= 2 {
            listed.push((&**text, *held));
        } else {
            alone += 1;
            alone_tokens += u64::from(held.tokens);
        }
    }
    listed.sort_unstable_by(|(ta, a), (tb, b)| b.documents.cmp(&a.documents).then(ta.cmp(tb)));
    for (text, held) in &listed {
        json_line(
            w,
            &PassageRecord {
                kind: "passage",
                text,
                documents: held.documents,
                tokens: held.tokens,
                example: &catalog.ids[held.first as usize],
            },
        )
        .map_err(&fail)?;
    }
    json_line(
        w,
        &PassageTotal {
            kind: "total",
            passages: listed.len() as u64,
            documents_with_boilerplate: table.documents,
            documents_read: catalog.ids.len() as u64,
            passages_in_one_document: alone,
            tokens_in_one_document: alone_tokens,
        },
    )
    .map_err(&fail)?;
    w.flush().map_err(&fail)
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
    catalog.store.write_records(
        spec,
        &catalog.ids,
        &catalog.whence,
        &kept,
        w,
        fail,
        progress,
    )
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::dedup::store::TextStore;
    use crate::dedup::{Cluster as Group, SketchTable};
    use crate::verify::{Scores, Which};

    fn pair(a: u32, b: u32, relation: Relation, derived: Option<Which>) -> VerifiedPair {
        let scores = Scores {
            a_shingles: 10,
            b_shingles: 10,
            shared: 9,
            jaccard: 0.8,
            containment_a_in_b: 0.9,
            containment_b_in_a: 0.9,
        };
        VerifiedPair {
            a,
            b,
            scores,
            relation,
            derived,
            direction_score: 0.0,
            direction: None,
            raw: None,
            siblings_of: None,
            common_text: false,
            cover: None,
        }
    }

    /// Documents 0-3 are one cluster kept as 0 (3 joins through 2); 5 derives from 4; 6 and 7
    /// overlap.
    pub(in crate::dedup) fn run() -> (Vec<VerifiedPair>, Decision) {
        let dup = Relation::Duplicate;
        let pairs = vec![
            pair(0, 1, dup, None),
            pair(0, 2, dup, None),
            pair(2, 3, dup, None),
            pair(4, 5, Relation::Derivative, Some(Which::B)),
            pair(6, 7, Relation::Overlap, None),
        ];
        let mut removed = vec![None; 8];
        for m in [1, 2, 3] {
            removed[m] = Some(Removal::DuplicateOf(0));
        }
        removed[5] = Some(Removal::DerivativeOf(4));
        let decision = Decision {
            clusters: vec![Group {
                representative: 0,
                members: vec![0, 1, 2, 3],
            }],
            removed,
        };
        (pairs, decision)
    }

    #[test]
    fn cluster_members_are_explained_through_the_representative_or_a_neighbour() {
        let (pairs, decision) = run();
        let e = Explained::new(&pairs, &decision);
        assert_eq!(e.members, [vec![(1, Some(0)), (2, Some(1)), (3, Some(2))]]);
        assert_eq!(e.removals, [3]);
    }

    /// The cluster events of a run, as text: `head kept: member<via ...`.
    #[derive(Default)]
    struct Groups(Vec<String>);

    impl Sink for Groups {
        fn pair(&mut self, _: &Pair, _: &crate::Document, _: &crate::Document) -> io::Result<()> {
            unreachable!("a run pushes no pair with its clusters")
        }

        fn cluster(&mut self, cluster: &Cluster<'_>) -> io::Result<()> {
            let (head, kept, members) = match *cluster {
                Cluster::Duplicates {
                    representative,
                    representative_kept,
                    members,
                    ..
                } => (representative, representative_kept, members),
                Cluster::Derivatives {
                    source,
                    source_kept,
                    derived,
                } => (source, source_kept, derived),
                Cluster::BuiltFrom {
                    page,
                    page_kept,
                    sources,
                } => (page, page_kept, sources),
            };
            let members: Vec<String> = members
                .iter()
                .map(|m| format!("{}<{}", m.id, m.via.unwrap_or("-")))
                .collect();
            self.0.push(format!("{head} {kept}: {}", members.join(" ")));
            Ok(())
        }
    }

    #[test]
    fn boilerplate_passages_are_lines_counted_once_per_document() {
        let page = |article: &str| {
            format!("Home  News Sport\nHeadline “quoted” here\n{article}\nAbout us | Contact us.\n")
        };
        // Tokens: 0-2 the navigation, 3-5 the headline, 6-10 the article, 11-14 the footer.
        let texts = [
            page("Body words of one page."),
            page("Other words of another page."),
            "Home News Sport\nHome News Sport\nThird text with no footer at all.".to_string(),
        ];
        let passages = Passages::default();
        let mut scratch = PassageScratch::default();
        let k = 5;
        passages.add((1, &texts[1]), &[0..3, 11..15], k, &mut scratch);
        // The background reaches 4 words (its last shingle's tail) into the article, which are
        // not listed; at the end of the text, the tail is the footer's.
        passages.add((0, &texts[0]), &[0..10, 11..15], k, &mut scratch);
        passages.add((2, &texts[2]), &[], k, &mut scratch);
        // The navigation twice: the document counts once.
        let twice = 0..10;
        passages.add(
            (2, &texts[2]),
            std::slice::from_ref(&twice),
            k,
            &mut scratch,
        );
        let catalog = Catalog {
            ids: ["p0", "p1", "p2"].map(String::from).to_vec(),
            sketches: SketchTable::new(1),
            store: TextStore::Reread,
            whence: Default::default(),
            dates: Default::default(),
        };
        let mut out = Vec::new();
        write_boilerplate(Path::new("b"), &mut out, &catalog, passages).unwrap();
        let lines: Vec<&str> = std::str::from_utf8(&out).unwrap().lines().collect();
        assert_eq!(
            lines,
            [
                r#"{"kind":"passage","text":"Home News Sport","documents":3,"tokens":3,"example":"p0"}"#,
                r#"{"kind":"passage","text":"About us | Contact us.","documents":2,"tokens":4,"example":"p0"}"#,
                r#"{"kind":"total","passages":2,"documents_with_boilerplate":3,"documents_read":3,"passages_in_one_document":1,"tokens_in_one_document":3}"#,
            ]
        );
    }

    #[test]
    fn cluster_events_link_each_member_through_its_pair() {
        let (pairs, decision) = run();
        let catalog = Catalog {
            ids: (0..8).map(|i| format!("d{i}")).collect(),
            sketches: SketchTable::new(1),
            store: TextStore::Reread,
            whence: Default::default(),
            dates: Default::default(),
        };
        let decided = Decided::new(&catalog, &pairs, &decision, &[]);
        let mut sink = Groups::default();
        decided.push_clusters(&mut sink).unwrap();
        assert_eq!(
            sink.0,
            ["d0 true: d0<- d1<d0 d2<d0 d3<d2", "d4 true: d5<d4",]
        );
    }
}
