//! Corpus deduplication: sketches of many documents in, verified pairs, clusters and the decision
//! of which documents to keep out.
//!
//! The steps, each a function here so that the streaming driver ([`crate::corpus`]) can run them
//! pass by pass without holding texts:
//! 1. [`Deduper::sketch`]: text to a [`Sketch`] (signature and sizes): all that is kept of a
//!    document for the whole run, about 0.6 KB;
//! 2. [`Deduper::candidates`]: LSH votes ([`crate::lsh`]), then a cheap filter on the signatures'
//!    own estimates, leaving the pairs worth measuring exactly;
//! 3. [`Deduper::verify`]: exact Jaccard and containments on the shingle sets of the candidate
//!    documents, and the direction from their quote typography, both [`Deduper::measure`]d on the
//!    texts re-read for this pass; only pairs meeting a threshold survive, so nothing below a
//!    threshold is ever reported;
//! 4. [`decide`]: connected components of duplicate pairs, a representative for each, and which
//!    documents a kept document covers (its duplicates, and derivatives whose source is kept).
//!    Every document ends up kept or removed, with the reason: `read == kept + removed`.

use ahash::AHashMap;
use rayon::prelude::*;

use crate::lsh::{candidate_pairs_by, LshParams, LshTarget};
use crate::minhash::{MinHashParams, MinHasher, Signature, SignatureRef};
use crate::shingle::{shingle_hashes_into, ShingleSet, DEFAULT_K};
use crate::text::{tokenize_into, Token};
use crate::verify::{verdict_tied, Relation, Scores, Thresholds, Typography, Which};

/// Settings of a dedup run.
#[derive(Clone, Debug)]
pub struct DedupConfig {
    /// Words per shingle.
    pub shingle_size: usize,
    /// Signature settings.
    pub minhash: MinHashParams,
    /// Relation thresholds (duplicate, derivative, overlap) used to label reported pairs.
    pub thresholds: Thresholds,
    /// Pairs with at least this Jaccard are reported.
    pub report_jaccard: f64,
    /// Pairs where at least this share of one document is in the other are reported.
    pub report_containment: f64,
    /// Largest size ratio of a contained pair for which the LSH recall target holds.
    pub max_ratio: f64,
    /// Which member of a duplicate cluster to keep.
    pub keep: KeepPolicy,
}

impl Default for DedupConfig {
    fn default() -> Self {
        DedupConfig {
            shingle_size: DEFAULT_K,
            minhash: MinHashParams::default(),
            thresholds: Thresholds::default(),
            report_jaccard: 0.5,
            report_containment: 0.6,
            max_ratio: 6.0,
            keep: KeepPolicy::Longest,
        }
    }
}

/// Which member of a duplicate cluster represents it (and is kept).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeepPolicy {
    /// The fullest text: the most shingles, then the most bytes, then the first.
    Longest,
    /// The first in input order.
    First,
}

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
}

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
    /// The exact shingle set.
    pub set: ShingleSet,
    /// Quote typography, for the direction of derivatives.
    pub typography: Typography,
}

impl SketchTable {
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

    /// Document `i`'s signature.
    pub fn signature(&self, i: usize) -> SignatureRef<'_> {
        let values = &self.values[i * self.width..(i + 1) * self.width];
        SignatureRef::new(values, self.figures[i].shingles)
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
}

impl VerifiedPair {
    /// For a derivative, `(derived, source)`.
    pub fn derivation(&self) -> Option<(u32, u32)> {
        match (self.relation, self.derived) {
            (Relation::Derivative, Some(Which::A)) => Some((self.a, self.b)),
            (Relation::Derivative, Some(Which::B)) => Some((self.b, self.a)),
            _ => None,
        }
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
const ESTIMATE_MARGIN: f64 = 0.18;

impl Deduper {
    /// A deduper for `config`, with the banding chosen for its thresholds.
    pub fn new(config: DedupConfig) -> Self {
        let lsh = LshParams::for_thresholds(
            &LshTarget {
                jaccard: config.report_jaccard,
                containment: config.report_containment,
                max_ratio: config.max_ratio,
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
        tokenize_into(text, &mut scratch.tokens);
        shingle_hashes_into(
            &scratch.tokens,
            self.config.shingle_size,
            &mut scratch.shingles,
        );
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

    /// What verification needs of one candidate text: its exact shingle set and its typography.
    pub fn measure(&self, text: &str, scratch: &mut Scratch) -> Measured {
        Measured {
            set: self.shingle_set(text, scratch),
            typography: Typography::of(text),
        }
    }

    /// The exact shingle set of one text, for verification.
    pub fn shingle_set(&self, text: &str, scratch: &mut Scratch) -> ShingleSet {
        tokenize_into(text, &mut scratch.tokens);
        shingle_hashes_into(
            &scratch.tokens,
            self.config.shingle_size,
            &mut scratch.shingles,
        );
        ShingleSet::from_unsorted(&scratch.shingles, &mut scratch.counts)
    }

    /// Candidate pairs among the sketches: LSH votes, then the signatures' estimates within a
    /// margin of either reporting threshold.
    pub fn candidates(&self, sketches: &SketchTable) -> Vec<Candidate> {
        let raw = candidate_pairs_by(sketches.len(), |i| sketches.signature(i), &self.lsh);
        raw.into_par_iter()
            .filter_map(|(a, b, votes)| {
                let (sa, sb) = (
                    sketches.signature(a as usize),
                    sketches.signature(b as usize),
                );
                let jaccard = sa.jaccard(sb);
                let containment = sa.containment_in(sb).max(sb.containment_in(sa));
                let worth = jaccard >= self.config.report_jaccard - ESTIMATE_MARGIN
                    || containment >= self.config.report_containment - ESTIMATE_MARGIN;
                worth.then_some(Candidate {
                    a,
                    b,
                    votes,
                    jaccard,
                    containment,
                })
            })
            .collect()
    }

    /// Exact verification of one candidate, on what [`Deduper::measure`] found of its two
    /// documents; `None` when it meets no reporting threshold.
    pub fn verify(&self, c: &Candidate, a: &Measured, b: &Measured) -> Option<VerifiedPair> {
        let scores = Scores::exact(&a.set, &b.set);
        if scores.jaccard < self.config.report_jaccard
            && scores.max_containment() < self.config.report_containment
        {
            return None;
        }
        // Even evidence: the later document (b, as a < b) is the derived one.
        let v = verdict_tied(
            &scores,
            a.typography,
            b.typography,
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
        })
    }
}

/// Buffers reused between sketches.
#[derive(Clone, Debug, Default)]
pub struct Scratch {
    tokens: Vec<Token>,
    shingles: Vec<u64>,
    bitmaps: Vec<u64>,
    crowded: Vec<u64>,
    counts: Vec<u32>,
    signature: Signature,
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

/// Why a document was removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Removal {
    /// A duplicate of the kept representative of its cluster.
    DuplicateOf(u32),
    /// A derivative of a kept document.
    DerivativeOf(u32),
}

/// A cluster: a connected component of duplicate pairs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cluster {
    /// The kept member.
    pub representative: u32,
    /// All members, in input order.
    pub members: Vec<u32>,
}

/// The outcome of a run over `n` documents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Clusters of two or more duplicates, largest first.
    pub clusters: Vec<Cluster>,
    /// For each document, `None` when kept, or why it was removed.
    pub removed: Vec<Option<Removal>>,
}

impl Decision {
    /// Number of kept documents.
    pub fn kept(&self) -> usize {
        self.removed.iter().filter(|r| r.is_none()).count()
    }
}

/// Union-find over document indices, by size with path halving.
struct DisjointSets {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl DisjointSets {
    fn new(n: usize) -> Self {
        DisjointSets {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }

    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = self.parent[x as usize];
        }
        x
    }

    fn union(&mut self, a: u32, b: u32) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a as usize] < self.size[b as usize] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b as usize] = a;
        self.size[a as usize] += self.size[b as usize];
    }
}

/// Clusters duplicates, picks representatives and decides what is kept.
///
/// Duplicates (relation `duplicate`) are joined into connected components; each component keeps
/// its representative (by `keep`) and removes the rest. Then, visiting the remaining documents from
/// the fullest down, a derivative is removed when one of its sources (through its cluster's
/// representative) is kept. Everything else is kept.
pub fn decide(sketches: &SketchTable, pairs: &[VerifiedPair], keep: KeepPolicy) -> Decision {
    let n = sketches.len();
    let mut sets = DisjointSets::new(n);
    for p in pairs.iter().filter(|p| p.relation == Relation::Duplicate) {
        sets.union(p.a, p.b);
    }
    let fuller = |x: u32, y: u32| -> bool {
        let (sx, sy) = (sketches.figures(x as usize), sketches.figures(y as usize));
        (sx.shingles, sx.bytes, std::cmp::Reverse(x))
            > (sy.shingles, sy.bytes, std::cmp::Reverse(y))
    };
    let mut members: AHashMap<u32, Vec<u32>> = AHashMap::new();
    for i in 0..n as u32 {
        let root = sets.find(i);
        if sets.size[root as usize] > 1 {
            members.entry(root).or_default().push(i);
        }
    }
    let mut removed: Vec<Option<Removal>> = vec![None; n];
    let mut rep_of: Vec<u32> = (0..n as u32).collect();
    let mut clusters: Vec<Cluster> = members
        .into_values()
        .map(|m| {
            let representative = match keep {
                KeepPolicy::First => m[0],
                KeepPolicy::Longest => m
                    .iter()
                    .copied()
                    .reduce(|best, x| if fuller(x, best) { x } else { best })
                    .expect("clusters are not empty"),
            };
            for &x in &m {
                rep_of[x as usize] = representative;
                if x != representative {
                    removed[x as usize] = Some(Removal::DuplicateOf(representative));
                }
            }
            Cluster {
                representative,
                members: m,
            }
        })
        .collect();
    clusters.sort_by(|x, y| {
        y.members
            .len()
            .cmp(&x.members.len())
            .then(x.members[0].cmp(&y.members[0]))
    });
    // Derivative links between representatives: derived -> sources.
    let mut sources: AHashMap<u32, Vec<u32>> = AHashMap::new();
    for (d, s) in pairs.iter().filter_map(VerifiedPair::derivation) {
        let (d, s) = (rep_of[d as usize], rep_of[s as usize]);
        if d != s {
            sources.entry(d).or_default().push(s);
        }
    }
    // Fullest first, so a source is decided before what derives from it.
    let mut order: Vec<u32> = sources.keys().copied().collect();
    order.extend(sources.values().flatten().copied());
    order.sort_unstable();
    order.dedup();
    order.sort_by(|&x, &y| {
        if fuller(x, y) {
            std::cmp::Ordering::Less
        } else {
            std::cmp::Ordering::Greater
        }
    });
    for d in order {
        if removed[d as usize].is_some() {
            continue;
        }
        if let Some(srcs) = sources.get(&d) {
            if let Some(&s) = srcs.iter().find(|&&s| removed[s as usize].is_none()) {
                removed[d as usize] = Some(Removal::DerivativeOf(s));
            }
        }
    }
    Decision { clusters, removed }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sketches(texts: &[&str]) -> (Deduper, SketchTable) {
        let d = Deduper::new(DedupConfig::default());
        let mut scratch = Scratch::default();
        let s = texts.iter().map(|t| d.sketch(t, &mut scratch)).collect();
        (d, s)
    }

    fn words(seed: u64, n: usize) -> String {
        let mut rng = crate::hash::SplitMix64::new(seed);
        (0..n)
            .map(|_| format!("w{}", rng.next_u64() % 100_000))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Runs steps 2-4 with exact sets computed in place.
    fn run(texts: &[&str]) -> (Vec<VerifiedPair>, Decision) {
        let (d, sk) = sketches(texts);
        let mut scratch = Scratch::default();
        let measured: Vec<Measured> = texts.iter().map(|t| d.measure(t, &mut scratch)).collect();
        let pairs: Vec<VerifiedPair> = d
            .candidates(&sk)
            .iter()
            .filter_map(|c| d.verify(c, &measured[c.a as usize], &measured[c.b as usize]))
            .collect();
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

    #[test]
    fn keep_policy_picks_the_representative() {
        let base = words(3, 300);
        let longer = format!("{base} and a few more words at the end");
        let (d, sk) = sketches(&[&base, &longer]);
        let pair = VerifiedPair {
            a: 0,
            b: 1,
            scores: Scores::from_counts(296, 304, 296),
            relation: Relation::Duplicate,
            derived: None,
            direction_score: 0.0,
        };
        let _ = d;
        assert_eq!(
            decide(&sk, &[pair], KeepPolicy::Longest).clusters[0].representative,
            1
        );
        assert_eq!(
            decide(&sk, &[pair], KeepPolicy::First).clusters[0].representative,
            0
        );
    }

    #[test]
    fn a_derivative_of_a_removed_source_is_kept() {
        // c derives from b, b is a duplicate of a and a is kept: c goes (its source is a's cluster).
        // e derives from d only, and d is itself removed as a derivative of a: e stays.
        let sk: SketchTable = (0..5)
            .map(|i| Sketch {
                signature: Signature::from_parts(vec![i; 4], 100 - i),
                tokens: 10,
                bytes: 10,
            })
            .collect();
        let v = |a, b, relation, derived| VerifiedPair {
            a,
            b,
            scores: Scores::from_counts(10, 10, 9),
            relation,
            derived,
            direction_score: 0.0,
        };
        let pairs = [
            v(0, 1, Relation::Duplicate, None),
            v(1, 2, Relation::Derivative, Some(Which::B)),
            v(0, 3, Relation::Derivative, Some(Which::B)),
            v(3, 4, Relation::Derivative, Some(Which::B)),
        ];
        let d = decide(&sk, &pairs, KeepPolicy::Longest);
        assert_eq!(d.removed[1], Some(Removal::DuplicateOf(0)));
        assert_eq!(d.removed[2], Some(Removal::DerivativeOf(0)));
        assert_eq!(d.removed[3], Some(Removal::DerivativeOf(0)));
        assert_eq!(d.removed[4], None);
    }
}
