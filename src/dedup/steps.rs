//! The steps of a dedup on one document or one pair: a text in, its [`Sketch`] out (kept for the
//! whole run, in a [`SketchTable`]); the sketches in, [`Candidate`] pairs out; two candidate texts
//! [`Measured`], a [`VerifiedPair`] out when it meets a reporting threshold.
//!
//! These are the hot loops of passes 1 and 2, so they work in a reused [`Scratch`] and append to
//! tables rather than allocating per document.

use rayon::prelude::*;

use super::DedupConfig;
use crate::boilerplate::{
    background_tokens, bridge_shingles, candidates_and_background, Background, BackgroundOf,
    ClassifyScratch,
};
use crate::cover::{CoverParams, COVER_MARGIN};
use crate::document::Date;
use crate::lsh::{candidate_pairs_by, LshParams, LshTarget};
use crate::minhash::{MinHasher, Signature, SignatureRef};
use crate::shingle::{shingle_hashes_into, ShingleSet};
use crate::text::{ends_sentence, token_lines, tokenize_into, Token};
use crate::verify::{
    direction, redated, verdict_judged, Direction, Layout, RawFigures, Relation, Reporting, Scores,
    Which,
};

/// What is kept of a document for the whole run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sketch {
    /// MinHash signature of the shingle set.
    pub signature: Signature,
    /// Number of tokens.
    pub tokens: u32,
    /// Bytes of text.
    pub bytes: u32,
}

impl Sketch {
    /// Distinct shingles.
    pub fn shingles(&self) -> u32 {
        self.signature.n_shingles()
    }
}

/// The sketches of a corpus, in input order, as the later steps read them: every signature's
/// values end to end in one allocation (document `i`'s at `i * width..`), which the candidate
/// search streams through band by band, and each document's figures beside them. The table
/// grows by doubling in one place, where a signature per document would be a small allocation
/// each, made on the worker threads that sketch and growing their heaps a page at a time.
#[derive(Clone, Debug, Default)]
pub struct SketchTable {
    width: usize,
    values: Vec<u32>,
    figures: Vec<Figures>,
    /// Where document `i`'s values start, in widths, once [`SketchTable::retain_signatures`]
    /// kept only some ([`DROPPED`] for the others); empty while every document has its own.
    slots: Vec<u32>,
}

/// The slot of a document whose signature was dropped.
const DROPPED: u32 = u32::MAX;

impl FromIterator<Sketch> for SketchTable {
    /// The table of sketches made by one [`Deduper`] (their width is the first one's).
    fn from_iter<I: IntoIterator<Item = Sketch>>(sketches: I) -> Self {
        let mut table = SketchTable::default();
        for (i, sketch) in sketches.into_iter().enumerate() {
            if i == 0 {
                table.width = sketch.signature.values().len();
            }
            table.push(&sketch);
        }
        table
    }
}

/// A document's figures in a [`SketchTable`]: all of its [`Sketch`] but the signature values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Figures {
    /// Distinct shingles.
    pub shingles: u32,
    /// Number of tokens.
    pub tokens: u32,
    /// Bytes of text.
    pub bytes: u32,
}

/// What verification measures of a candidate document, on its text read again.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Measured {
    /// Its content shingles: the whole exact set when none is background.
    pub content: ShingleSet,
    /// Its background shingles, apart from the content (empty when none is): the exact set is
    /// the two together, which are not kept a third time as one.
    pub background_set: ShingleSet,
    /// The shingles of its content that its text does not have: those across the inserts it is
    /// read through ([`crate::boilerplate::bridge_shingles`]). They count for its content, not
    /// for its whole text.
    pub bridges: ShingleSet,
    /// Its background token ranges, for the passages ([`crate::boilerplate::mark_passages`]).
    pub background: Vec<std::ops::Range<usize>>,
    /// Where its shingles sit, for the direction of derivatives.
    pub layout: Layout,
}

impl Measured {
    /// Shingles of the exact set of its text: content and background, without the bridges.
    pub fn shingles(&self) -> usize {
        self.content.len() + self.background_set.len() - self.bridges.len()
    }

    /// Whether some of its shingles are background.
    pub fn has_background(&self) -> bool {
        !self.background_set.is_empty()
    }

    /// Shingles of the exact set that `other`'s has too: within a text, content and background
    /// are apart, so the four intersections add up.
    pub fn shared_with(&self, other: &Measured) -> usize {
        let mut shared = self.content.intersection_len(&other.content);
        if other.has_background() {
            shared += self.content.intersection_len(&other.background_set);
        }
        if self.has_background() {
            shared += self.background_set.intersection_len(&other.content);
            if other.has_background() {
                shared += self.background_set.intersection_len(&other.background_set);
            }
        }
        // The bridges are no shingles of either text: what they met is taken out again.
        let (mine, theirs) = (self.bridges.hashes(), other.bridges.hashes());
        if !mine.is_empty() || !theirs.is_empty() {
            // (A side's bridges are inside its content.)
            let either = |h: &u64, of: &Measured| {
                of.content.hashes().binary_search(h).is_ok()
                    || of.background_set.hashes().binary_search(h).is_ok()
            };
            // Counted above: a bridge of one side met in the other side's sets, once for a
            // bridge of both.
            let counted = mine.iter().filter(|h| either(h, other)).count()
                + theirs.iter().filter(|h| either(h, self)).count()
                - self.bridges.intersection_len(&other.bridges);
            shared -= counted;
        }
        shared
    }
}

impl SketchTable {
    /// Values per signature.
    pub fn width(&self) -> usize {
        self.width
    }

    /// An empty table for signatures of `width` values.
    pub fn new(width: usize) -> Self {
        SketchTable {
            width,
            ..SketchTable::default()
        }
    }

    /// Appends a document's sketch, made by a [`Deduper`] whose signatures have `width` values.
    pub fn push(&mut self, sketch: &Sketch) {
        self.push_parts(sketch.signature.view(), sketch.tokens, sketch.bytes);
    }

    /// Appends document `i` of another table of the same width.
    pub fn push_from(&mut self, other: &SketchTable, i: usize) {
        let figures = other.figures(i);
        self.push_parts(other.signature(i), figures.tokens, figures.bytes);
    }

    fn push_parts(&mut self, signature: SignatureRef<'_>, tokens: u32, bytes: u32) {
        let values = signature.values();
        assert_eq!(values.len(), self.width, "a sketch of another width");
        assert!(
            self.slots.is_empty(),
            "a sketch added after signatures were dropped"
        );
        self.values.extend_from_slice(values);
        self.figures.push(Figures {
            shingles: signature.n_shingles(),
            tokens,
            bytes,
        });
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.figures.len()
    }

    /// True when the table holds no document.
    pub fn is_empty(&self) -> bool {
        self.figures.is_empty()
    }

    /// Document `i`'s signature. Panics when [`SketchTable::retain_signatures`] dropped it.
    pub fn signature(&self, i: usize) -> SignatureRef<'_> {
        let slot = match self.slots.get(i) {
            None => i,
            Some(&DROPPED) => panic!("the signature of document {i} was dropped"),
            Some(&slot) => slot as usize,
        };
        let values = &self.values[slot * self.width..(slot + 1) * self.width];
        SignatureRef::new(values, self.figures[i].shingles)
    }

    /// Keeps the signatures of the documents `keep` holds and frees the others' values, once the
    /// candidates are found (at 1M documents the values are 512 MB, and verification classifies
    /// only a few documents by their bin minima). Every document keeps its figures.
    pub fn retain_signatures(&mut self, keep: impl Fn(usize) -> bool) {
        assert!(self.slots.is_empty(), "signatures already dropped");
        let mut values = Vec::new();
        let mut slots = Vec::with_capacity(self.len());
        for i in 0..self.len() {
            if keep(i) {
                slots.push((values.len() / self.width.max(1)) as u32);
                values.extend_from_slice(&self.values[i * self.width..(i + 1) * self.width]);
            } else {
                slots.push(DROPPED);
            }
        }
        self.values = values;
        self.slots = slots;
    }

    /// What [`Deduper::measure`] classifies document `doc` by: the `background` as it sees it,
    /// with its signature; `None` for a document with no background among its bin minima,
    /// whose signature is then not read (the ones [`SketchTable::retain_signatures`] may drop).
    pub fn background_of<'a>(
        &'a self,
        background: &'a Background,
        doc: u32,
    ) -> Option<(BackgroundOf<'a>, SignatureRef<'a>)> {
        background
            .of(doc)
            .map(|b| (b, self.signature(doc as usize)))
    }

    /// Document `i`'s figures.
    pub fn figures(&self, i: usize) -> &Figures {
        &self.figures[i]
    }

    /// Every document's figures, in order.
    pub fn all_figures(&self) -> &[Figures] {
        &self.figures
    }
}

/// A pair worth verifying, with the signatures' estimates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Candidate {
    /// First document (index into the sketches), `a < b`.
    pub a: u32,
    /// Second document.
    pub b: u32,
    /// Colliding LSH bands.
    pub votes: u32,
    /// Estimated Jaccard.
    pub jaccard: f64,
    /// Estimated containment of the smaller in the larger.
    pub containment: f64,
}

/// What a pair record carries of one part of a page's cover.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PartOf {
    /// Its rank in the cover, from 1: the source that explains the most first.
    pub rank: usize,
    /// Share of the page's content it explains that no part before it does.
    pub share: f64,
    /// Share of the page's content it holds, whatever the other parts hold.
    pub alone: f64,
    /// Share of the page's content the whole cover explains.
    pub explained: f64,
    /// Parts in the cover.
    pub sources: usize,
    /// Whether it alone holds the containment threshold of the page: then it is the page's
    /// source as any derivative's is, and the page goes when it is kept.
    pub sole: bool,
}

/// A verified pair: exact scores, relation and direction.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VerifiedPair {
    /// First document, `a < b`.
    pub a: u32,
    /// Second document.
    pub b: u32,
    /// Exact scores.
    pub scores: Scores,
    /// The relation.
    pub relation: Relation,
    /// For a derivative, which one is derived.
    pub derived: Option<Which>,
    /// Direction evidence.
    pub direction_score: f64,
    /// For a derivative: what decided `derived` and how sure it is.
    pub direction: Option<Direction>,
    /// When the pair was judged on its content: the figures on the whole texts.
    pub raw: Option<RawFigures>,
    /// For two derivatives of one source that match each other
    /// ([`crate::verify::DirectionBy::Siblings`]):
    /// that source.
    pub siblings_of: Option<u32>,
    /// For a source of a page built from several ([`super::PageCover`]): its part of the cover.
    pub cover: Option<PartOf>,
    /// Whether the pair was a derivative whose derived side's content is common text
    /// ([`super::mark_common_text`]): it is reported as an overlap.
    pub common_text: bool,
}

impl VerifiedPair {
    /// The pair with its direction decided again with the dates of a and b, where known
    /// ([`direction`]): by the dates when both are known and differ.
    pub fn dated(mut self, dates: [Option<Date>; 2]) -> Self {
        self.direction = redated(
            &self.scores,
            self.derived,
            self.direction_score,
            self.direction,
            dates,
        );
        self.derived = self.direction.map(|d| d.derived);
        self
    }

    /// For a source of a page built from several, `(page, source, its part of the cover)`.
    pub fn cover_part(&self) -> Option<(u32, u32, PartOf)> {
        let part = self.cover?;
        Some(match self.derived {
            Some(Which::B) => (self.b, self.a, part),
            _ => (self.a, self.b, part),
        })
    }

    /// For a derivative, `(derived, source)`; `None` for siblings, neither of which is the
    /// other's source, and for a part of a page's cover that explains the page only with the
    /// other parts.
    pub fn derivation(&self) -> Option<(u32, u32)> {
        if self.siblings_of.is_some() || self.cover.is_some_and(|c| !c.sole) {
            return None;
        }
        match (self.relation, self.derived) {
            (Relation::Derivative, Some(Which::A)) => Some((self.a, self.b)),
            (Relation::Derivative, Some(Which::B)) => Some((self.b, self.a)),
            _ => None,
        }
    }

    /// [`VerifiedPair::derivation`] with the share of the derived document that is inside its
    /// source: `(derived, source, share)`.
    pub fn derivation_share(&self) -> Option<(u32, u32, f64)> {
        let (d, s) = self.derivation()?;
        let share = match d == self.a {
            true => self.scores.containment_a_in_b,
            false => self.scores.containment_b_in_a,
        };
        Some((d, s, share))
    }
}

/// Runs the steps of a dedup with one configuration.
#[derive(Clone, Debug)]
pub struct Deduper {
    config: DedupConfig,
    hasher: MinHasher,
    lsh: LshParams,
}

/// Safety margin under the thresholds for the signature estimates: about four standard errors of
/// a Jaccard estimate near 0.5 with 128 values.
pub(crate) const ESTIMATE_MARGIN: f64 = 0.18;

/// Whether a pair with these signature estimates (its Jaccard and its larger containment) is
/// measured exactly, and if so whether only as a possible part of a page's cover: within
/// [`ESTIMATE_MARGIN`] of a threshold of `report`, or else within [`COVER_MARGIN`] of `cover`'s
/// part floor. The one test of the estimate filters of dedup and of check.
pub(crate) fn worth_measuring(
    report: &Reporting,
    cover: Option<CoverParams>,
    (jaccard, containment): (f64, f64),
) -> Option<bool> {
    let reportable = jaccard >= report.jaccard() - ESTIMATE_MARGIN
        || (!report.is_jaccard_only() && containment >= report.containment() - ESTIMATE_MARGIN);
    let part = cover.is_some_and(|p| containment >= p.floor - COVER_MARGIN);
    (reportable || part).then_some(!reportable)
}

impl Deduper {
    /// A deduper for `config`, with the banding chosen for its thresholds.
    pub fn new(config: DedupConfig) -> Self {
        // Jaccard only: no contained pair of another size to find.
        let max_ratio = if config.report.is_jaccard_only() {
            1.0
        } else {
            config.max_ratio
        };
        let lsh = LshParams::for_thresholds(
            &LshTarget {
                jaccard: config.report.jaccard(),
                containment: config.report.containment(),
                max_ratio,
                ..LshTarget::default()
            },
            config.minhash.num_perm,
        );
        Self::with_banding(config, lsh)
    }

    /// A deduper for `config` with a banding chosen before (an index's persisted one), where
    /// [`Deduper::new`] would choose it again.
    pub fn with_banding(config: DedupConfig, lsh: LshParams) -> Self {
        Deduper {
            hasher: MinHasher::new(config.minhash),
            config,
            lsh,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &DedupConfig {
        &self.config
    }

    /// The LSH banding chosen for the thresholds.
    pub fn lsh_params(&self) -> &LshParams {
        &self.lsh
    }

    /// The sketch of one text. `scratch` is reused between calls.
    pub fn sketch(&self, text: &str, scratch: &mut Scratch) -> Sketch {
        let (tokens, bytes) = self.sign_text(text, scratch);
        Sketch {
            signature: scratch.signature.clone(),
            tokens,
            bytes,
        }
    }

    /// [`Deduper::sketch`] appended to `table`, with no allocation once `scratch` has been used:
    /// a table per block of documents keeps a thread from allocating a signature per document
    /// (which the thread that stores it later frees, through the allocator's locks).
    pub fn sketch_into(&self, text: &str, scratch: &mut Scratch, table: &mut SketchTable) {
        let (tokens, bytes) = self.sign_text(text, scratch);
        table.push_parts(scratch.signature.view(), tokens, bytes);
    }

    /// Signs `text` into `scratch.signature`; its token count and length.
    fn sign_text(&self, text: &str, scratch: &mut Scratch) -> (u32, u32) {
        self.shingle_hashes(text, scratch);
        let distinct = count_distinct(
            &scratch.shingles,
            &mut scratch.bitmaps,
            &mut scratch.crowded,
        );
        self.hasher
            .sign_counted(&scratch.shingles, distinct, &mut scratch.signature);
        (
            scratch.tokens.len() as u32,
            text.len().min(u32::MAX as usize) as u32,
        )
    }

    /// What verification needs of one candidate text: its exact shingle set, split into content
    /// and background when `background` is given (the corpus's, for a text that has some of it:
    /// [`Background::of`], with the text's own signature from pass 1, whose bin minima it
    /// classifies), and its layout.
    pub fn measure(
        &self,
        text: &str,
        scratch: &mut Scratch,
        background: Option<(BackgroundOf<'_>, SignatureRef<'_>)>,
    ) -> Measured {
        self.shingle_hashes(text, scratch);
        let lines = token_lines(text, &scratch.tokens);
        let classified =
            background
                .filter(|(b, _)| !b.is_empty())
                .map(|(background, signature)| {
                    scratch.prose.clear();
                    let (tokens, prose) = (&scratch.tokens, &mut scratch.prose);
                    prose.extend(lines.iter().map(|l| ends_sentence(text, tokens, l)));
                    background.classify(
                        &self.hasher,
                        &scratch.shingles,
                        signature,
                        self.config.shingle_size,
                        (&lines, &scratch.prose),
                        &mut scratch.classify,
                    )
                });
        // Classifying sorts the shingles with their status: the content (the whole set when none
        // is background) comes with it.
        let runs = classified.as_ref().map_or(&[][..], |c| c.runs.as_slice());
        let layout = Layout::new(scratch.shingles.len(), runs, text, &scratch.tokens, &lines);
        let mut bridges = Vec::new();
        let (content, background_set, background) = match classified {
            None => (
                ShingleSet::from_unsorted(&scratch.shingles, &mut scratch.counts),
                ShingleSet::default(),
                Vec::new(),
            ),
            Some(c) if c.background.is_empty() => (
                ShingleSet::from_sorted(c.content),
                ShingleSet::default(),
                Vec::new(),
            ),
            Some(mut c) => {
                if !c.inserts.is_empty() {
                    // Read through the inserts: the words on either side joined are content,
                    // but for those the text has anyway.
                    let k = self.config.shingle_size;
                    bridges = bridge_shingles(&scratch.tokens, &c.inserts, k);
                    bridges.sort_unstable();
                    bridges.dedup();
                    bridges.retain(|h| {
                        c.content.binary_search(h).is_err()
                            && c.background.binary_search(h).is_err()
                    });
                    c.content.extend_from_slice(&bridges);
                    c.content.sort_unstable();
                }
                (
                    ShingleSet::from_sorted(c.content),
                    ShingleSet::from_sorted(c.background),
                    background_tokens(
                        &c.runs,
                        self.config.shingle_size,
                        scratch.tokens.len(),
                        (&lines, &scratch.prose),
                    ),
                )
            }
        };
        Measured {
            content,
            background_set,
            bridges: ShingleSet::from_sorted(bridges),
            background,
            layout,
        }
    }

    /// Tokenizes `text` into `scratch.tokens` and hashes its shingles, in text order, into
    /// `scratch.shingles`: what signing, measuring and the exact set all start from.
    fn shingle_hashes(&self, text: &str, scratch: &mut Scratch) {
        tokenize_into(text, &mut scratch.tokens);
        shingle_hashes_into(
            &scratch.tokens,
            self.config.shingle_size,
            &mut scratch.shingles,
        );
    }

    /// The exact shingle set of one text, for verification.
    pub fn shingle_set(&self, text: &str, scratch: &mut Scratch) -> ShingleSet {
        self.shingle_hashes(text, scratch);
        ShingleSet::from_unsorted(&scratch.shingles, &mut scratch.counts)
    }

    /// Candidate pairs among the sketches, and the background learnt on the way when the
    /// configuration asks for it ([`crate::boilerplate`]): LSH votes (background buckets do not
    /// vote), then the signatures' estimates (on the bins that are background in neither
    /// document) within a margin of either reporting threshold.
    pub fn candidates(&self, sketches: &SketchTable) -> (Vec<Candidate>, Background) {
        let n = sketches.len();
        let signature = |i| sketches.signature(i);
        let (raw, background) = match self.config.boilerplate {
            None => (
                candidate_pairs_by(n, signature, &self.lsh),
                Background::default(),
            ),
            Some(params) => candidates_and_background(
                n,
                signature,
                &self.lsh,
                params,
                self.config.report.containment(),
            ),
        };
        let (report, cover) = (&self.config.report, self.cover());
        // Each pair worth measuring, and whether only as a part of a page's cover.
        let found: Vec<(Candidate, bool)> = raw
            .into_par_iter()
            .filter_map(|(a, b, votes)| {
                let (sa, sb) = (
                    sketches.signature(a as usize),
                    sketches.signature(b as usize),
                );
                let (jaccard, containment) = background
                    .content_estimates(a, b, sa, sb)
                    .unwrap_or_else(|| {
                        (
                            sa.jaccard(sb),
                            sa.containment_in(sb).max(sb.containment_in(sa)),
                        )
                    });
                let c = Candidate {
                    a,
                    b,
                    votes,
                    jaccard,
                    containment,
                };
                worth_measuring(report, cover, (jaccard, containment))
                    .map(|part_only| (c, part_only))
            })
            .collect();
        let pairs = match found.iter().any(|&(_, part_only)| part_only) {
            false => found.into_iter().map(|(c, _)| c).collect(),
            true => {
                let pages = self.possible_pages(n, found.iter().map(|(c, _)| c));
                keep_possible_parts(found, &pages)
            }
        };
        (pairs, background)
    }

    /// The exact scores of two measured documents: on their content when either has
    /// background, with the figures on the whole texts beside them; on the whole texts
    /// otherwise, or when both are nearly all background and share less content than a story
    /// (16 shingles: about two sentences).
    pub fn scores(&self, a: &Measured, b: &Measured) -> (Scores, Option<RawFigures>) {
        let whole = Scores::from_counts(a.shingles(), b.shingles(), a.shared_with(b));
        match (a.has_background(), b.has_background()) {
            (false, false) => (whole, None),
            _ => {
                let (ca, cb) = (&a.content, &b.content);
                // A shingle is background for the pair when it is for either text: one that a
                // text counts as content and the other as background leaves both sides, so the
                // two are measured on the same vocabulary. (What both count as content is
                // shared either way.)
                let a_content = ca.len() - ca.intersection_len(&b.background_set);
                let b_content = cb.len() - cb.intersection_len(&a.background_set);
                let raw = RawFigures {
                    scores: whole,
                    a_boilerplate: a.shingles() - a_content,
                    b_boilerplate: b.shingles() - b_content,
                };
                // Background that both texts carry inside a passage they share with content of
                // their own (an article's lead that other pages quote as a related link,
                // background to each text alone) is evidence for this pair.
                let inside = match a.background_set.intersection_len(&b.background_set) {
                    0 => 0,
                    _ => {
                        let k = self.config.shingle_size;
                        let (xa, xb) = Layout::shared_background(&a.layout, &b.layout, k);
                        xa.min(xb)
                    }
                };
                let shared = ca.intersection_len(cb) + inside;
                let content = Scores::from_counts(a_content + inside, b_content + inside, shared);
                // Two texts that are (nearly) all background to each other are judged on the
                // whole of them: pages of a template with no article are duplicates of each
                // other, and so are two copies of one text whose shingles the two
                // classifications split between them. But for a story of a few lines that
                // both carry, each inside a template of another site: its content, shared,
                // says more of the two than their templates.
                let little =
                    |content: usize, m: &Measured| content * MOSTLY_BACKGROUND < m.shingles();
                let story = content.shared >= STORY_SHINGLES
                    && content.max_containment() > whole.max_containment();
                if little(a_content, a) && little(b_content, b) && !story {
                    (whole, None)
                } else {
                    (content, Some(raw))
                }
            }
        }
    }

    /// For each of `n` documents, whether the `candidates`' estimates make it a possible page of
    /// a cover ([`estimated_pages`], within the estimates' margin of the containment threshold).
    pub(crate) fn possible_pages<'c>(
        &self,
        n: usize,
        candidates: impl Iterator<Item = &'c Candidate>,
    ) -> Vec<bool> {
        let least = self.config.report.containment() - ESTIMATE_MARGIN;
        estimated_pages(n, candidates, least)
    }

    /// How pages built from several sources are found: the configuration's, but none when only
    /// Jaccard is reported (a cover is judged against the containment threshold).
    pub fn cover(&self) -> Option<CoverParams> {
        self.config
            .cover
            .filter(|_| !self.config.report.is_jaccard_only())
    }

    /// Exact verification of one candidate, on what [`Deduper::measure`] found of its two
    /// documents; `None` when it meets no reporting threshold.
    pub fn verify(&self, c: &Candidate, a: &Measured, b: &Measured) -> Option<VerifiedPair> {
        self.verify_scored(c, a, b, self.scores(a, b))
    }

    /// [`Deduper::verify`] with the pair's [`Deduper::scores`] already taken.
    pub fn verify_scored(
        &self,
        c: &Candidate,
        a: &Measured,
        b: &Measured,
        (scores, raw): (Scores, Option<RawFigures>),
    ) -> Option<VerifiedPair> {
        if !self.config.report.reports(&scores) {
            return None;
        }
        // Even evidence: the later document (b, as a < b) is the derived one.
        let k = self.config.shingle_size;
        let v = verdict_judged(
            &scores,
            raw.as_ref(),
            || Layout::interiors(&a.layout, &b.layout, k),
            std::cmp::Ordering::Greater,
            &self.config.thresholds,
        );
        Some(VerifiedPair {
            a: c.a,
            b: c.b,
            scores,
            relation: v.relation,
            derived: v.derived,
            direction_score: v.direction_score,
            direction: direction(&scores, v.derived, v.direction_score, v.signs, [None, None]),
            raw,
            siblings_of: None,
            cover: None,
            common_text: false,
        })
    }
}

/// The candidates `found`, each with whether it is worth measuring only as a part of a page's
/// cover: those, only where the page could be built from several sources (`pages`, as
/// [`Deduper::possible_pages`] tells).
fn keep_possible_parts(found: Vec<(Candidate, bool)>, pages: &[bool]) -> Vec<Candidate> {
    found
        .into_iter()
        .filter(|&(c, part_only)| !part_only || pages[c.a as usize] || pages[c.b as usize])
        .map(|(c, _)| c)
        .collect()
}

/// For each of `n` documents, whether the `candidates`' estimates make it a possible page of a
/// cover: two candidates or more whose estimated containments add up to `least` (an estimate
/// of a pair is the larger of its two containments, so the sum bounds what the document's cover
/// could explain from above).
fn estimated_pages<'c>(
    n: usize,
    candidates: impl Iterator<Item = &'c Candidate>,
    least: f64,
) -> Vec<bool> {
    let mut count = vec![0u32; n];
    let mut sum = vec![0f64; n];
    for c in candidates {
        for d in [c.a, c.b] {
            count[d as usize] += 1;
            sum[d as usize] += c.containment;
        }
    }
    count
        .iter()
        .zip(&sum)
        .map(|(&k, &s)| k >= 2 && s >= least)
        .collect()
}

/// A text whose content is less than one part in this many of its shingles is nearly all
/// background.
const MOSTLY_BACKGROUND: usize = 10;

/// Content shingles that two texts nearly all background must share to be judged on their
/// content (a story of about two sentences): fewer are a phrase, or the leftovers of a template.
const STORY_SHINGLES: usize = 16;

/// Buffers reused between sketches.
#[derive(Clone, Debug, Default)]
pub struct Scratch {
    tokens: Vec<Token>,
    shingles: Vec<u64>,
    bitmaps: Vec<u64>,
    crowded: Vec<u64>,
    counts: Vec<u32>,
    signature: Signature,
    prose: Vec<bool>,
    classify: ClassifyScratch,
}

/// The number of distinct values among well-mixed 64-bit hashes, in linear time and without a
/// branch per value that depends on the data (where an open-addressing table mispredicts on every
/// second probe). Each hash sets the bit its top bits choose in a bitmap of at least 32 bits per
/// hash, and a second bitmap records the bits set more than once. A hash on a bit set once is
/// unique; the few on crowded bits (about 3% of them, collected in `crowded`) are sorted and
/// counted apart. `bitmaps` and `crowded` are buffers reused between calls.
fn count_distinct(hashes: &[u64], bitmaps: &mut Vec<u64>, crowded: &mut Vec<u64>) -> usize {
    let n = hashes.len();
    if n < 2 {
        return n;
    }
    let log_bits = (n * 32).next_power_of_two().trailing_zeros();
    let words = 1usize << (log_bits - 6);
    bitmaps.clear();
    bitmaps.resize(2 * words, 0);
    let (seen, twice) = bitmaps.split_at_mut(words);
    let bit = |h: u64| {
        let i = (h >> (64 - log_bits)) as usize;
        (i >> 6, 1u64 << (i & 63))
    };
    for &h in hashes {
        let (w, m) = bit(h);
        twice[w] |= seen[w] & m;
        seen[w] |= m;
    }
    crowded.clear();
    crowded.extend(hashes.iter().copied().filter(|&h| {
        let (w, m) = bit(h);
        twice[w] & m != 0
    }));
    let on_crowded_bits = crowded.len();
    crowded.sort_unstable();
    crowded.dedup();
    n - on_crowded_bits + crowded.len()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::dedup::{decide, Decision, KeepPolicy, Removal};

    pub(crate) fn sketches(texts: &[&str]) -> (Deduper, SketchTable) {
        let d = Deduper::new(DedupConfig::default());
        let mut scratch = Scratch::default();
        let s = texts.iter().map(|t| d.sketch(t, &mut scratch)).collect();
        (d, s)
    }

    pub(crate) fn words(seed: u64, n: usize) -> String {
        let mut rng = crate::hash::SplitMix64::new(seed);
        (0..n)
            .map(|_| format!("w{}", rng.next_u64() % 100_000))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Steps 1-3 of `d` over `texts`: the sketches and the verified pairs, each text measured in
    /// place.
    pub(crate) fn verified<S: AsRef<str>>(
        d: &Deduper,
        texts: &[S],
    ) -> (SketchTable, Vec<VerifiedPair>) {
        let mut scratch = Scratch::default();
        let sk: SketchTable = texts
            .iter()
            .map(|t| d.sketch(t.as_ref(), &mut scratch))
            .collect();
        let (candidates, background) = d.candidates(&sk);
        let measured: Vec<Measured> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| {
                d.measure(
                    t.as_ref(),
                    &mut scratch,
                    sk.background_of(&background, i as u32),
                )
            })
            .collect();
        let pairs = candidates
            .iter()
            .filter_map(|c| d.verify(c, &measured[c.a as usize], &measured[c.b as usize]))
            .collect();
        (sk, pairs)
    }

    /// Runs steps 2-4 with exact sets computed in place.
    fn run(texts: &[&str]) -> (Vec<VerifiedPair>, Decision) {
        let (sk, pairs) = verified(&Deduper::new(DedupConfig::default()), texts);
        let decision = decide(&sk, &pairs, KeepPolicy::Longest);
        (pairs, decision)
    }

    #[test]
    fn the_table_keeps_every_sketch() {
        let d = Deduper::new(DedupConfig::default());
        let mut scratch = Scratch::default();
        let each: Vec<Sketch> = [words(1, 50), String::new(), words(2, 80)]
            .iter()
            .map(|t| d.sketch(t, &mut scratch))
            .collect();
        let table: SketchTable = each.iter().cloned().collect();
        assert_eq!(table.len(), 3);
        for (i, s) in each.iter().enumerate() {
            assert_eq!(table.signature(i), s.signature.view(), "document {i}");
            let f = table.figures(i);
            let got = (f.shingles, f.tokens, f.bytes);
            assert_eq!(got, (s.shingles(), s.tokens, s.bytes));
        }
        assert!(table.signature(1).is_empty() && !table.signature(2).is_empty());
    }

    #[test]
    fn duplicates_derivatives_and_unrelated() {
        let article = words(1, 400);
        let copy = article.clone();
        let repost = format!(
            "Posted on Saturday. {} No comments",
            &article[..article.len() * 2 / 3]
        );
        let other = words(2, 400);
        let short = "too short";
        let texts = [
            article.as_str(),
            other.as_str(),
            copy.as_str(),
            repost.as_str(),
            short,
            "",
        ];
        let (pairs, decision) = run(&texts);
        let found: Vec<(u32, u32, Relation)> =
            pairs.iter().map(|p| (p.a, p.b, p.relation)).collect();
        assert!(found.contains(&(0, 2, Relation::Duplicate)), "{found:?}");
        assert!(found.contains(&(0, 3, Relation::Derivative)), "{found:?}");
        assert!(found.contains(&(2, 3, Relation::Derivative)), "{found:?}");
        assert!(
            !found.iter().any(|p| p.0 == 1 || p.1 == 1),
            "unrelated: {found:?}"
        );
        let d03 = pairs.iter().find(|p| (p.a, p.b) == (0, 3)).unwrap();
        assert_eq!(d03.derived, Some(Which::B));
        assert_eq!(decision.clusters.len(), 1);
        assert_eq!(decision.clusters[0].members, vec![0, 2]);
        assert_eq!(decision.removed[2], Some(Removal::DuplicateOf(0)));
        assert_eq!(decision.removed[3], Some(Removal::DerivativeOf(0)));
        for kept in [0, 1, 4, 5] {
            assert_eq!(decision.removed[kept], None, "{kept}");
        }
        assert_eq!(
            decision.kept() + decision.removed.iter().flatten().count(),
            texts.len()
        );
    }

    #[test]
    fn distinct_counts_table() {
        let (mut bitmaps, mut crowded) = (Vec::new(), Vec::new());
        let cases: &[(&[u64], usize)] = &[
            (&[], 0),
            (&[0], 1),
            (&[0, 0, 5], 2),
            (&[7, 7, 7, 7], 1),
            (&[1, 2, 3, 2, 1], 3),
            (&[u64::MAX, 1 << 63, u64::MAX], 2),
        ];
        for &(hashes, want) in cases {
            assert_eq!(
                count_distinct(hashes, &mut bitmaps, &mut crowded),
                want,
                "{hashes:?}"
            );
        }
        // Many values on the same bits: equal top bits, or all bits crowded.
        let many: Vec<u64> = (0..5000u64).map(|i| (i % 1777) << 7).collect();
        assert_eq!(count_distinct(&many, &mut bitmaps, &mut crowded), 1777);
        let spread: Vec<u64> = (0..5000u64).map(|i| crate::hash::mix64(i % 3001)).collect();
        assert_eq!(count_distinct(&spread, &mut bitmaps, &mut crowded), 3001);
        let top: Vec<u64> = (0..300u64).map(|i| (i % 7) << 60 | (i % 5)).collect();
        assert_eq!(count_distinct(&top, &mut bitmaps, &mut crowded), 35);
        // The sketch counts distinct shingles: a repeated passage adds few.
        let d = Deduper::new(DedupConfig::default());
        let mut s = Scratch::default();
        let once = d.sketch("one two three four five six seven", &mut s);
        let twice = d.sketch(
            "one two three four five six seven one two three four five six seven",
            &mut s,
        );
        assert_eq!(once.shingles(), 3);
        assert_eq!(twice.shingles(), 7);
    }
}
