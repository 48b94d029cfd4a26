//! Boilerplate: a corpus's MinHash signatures in; out, which bins of which documents hold
//! background text (a site's template, a licence quoted everywhere, stock phrases), and for exact
//! verification, which shingles of a text are background.
//!
//! Shared text is evidence of copying only when the documents that share it are copies. A site's
//! navigation and footer are in every page of the site, while each page's article is its own; a
//! wire story syndicated unchanged to fifty sites is in fifty pages too, but those pages are
//! nothing *but* that story (and their own sites' templates). Document frequency alone cannot
//! tell the two apart; what the documents holding the shared text are made of can:
//!
//! 1. **Own share.** In one-row banding a band is a signature bin, and a bucket is the documents
//!    whose least shingle in that bin is the same. A document's *own share* is the fraction of
//!    its bands in which no other document has its key: the part of it found nowhere else. An
//!    article wrapped in a template is mostly its own text (own share ~0.8); a syndicated copy,
//!    a mirror or a page that is all template has almost none.
//! 2. **Templates.** A bucket of at least `min_docs` documents, at least half of which have an
//!    own share of `own_share` or more, is a template bucket: text that many documents carry
//!    while their rest differs (a site's navigation and footer, a licence, a stock phrase). In a
//!    bucket of more than [`crate::lsh::HOT_BUCKET`] documents `hot_own_share` (less) is enough: a
//!    licence quoted by hundreds of files is most of each, beside its own header. Exact copies
//!    (equal signatures: a file shipped twice, a page mirrored) count as one document here, so
//!    that a mirror does not make its original's text look shared.
//! 3. **Background, member by member.** In a bucket of two documents or more, the bucket's
//!    shingle is evidence for a member that shares more than it with the others: outside the
//!    template bins of either, its estimated containment (of the smaller in the larger) with one
//!    of its [`NEIGHBOURS`] on either side reaches [`INCIDENTAL`] times the containment
//!    threshold ([`INCIDENTAL_PAIR`] for two documents alone in a bucket, which may be a
//!    digest and one of its sources). For the other members the bin is background: it casts
//!    no vote and is left out of their estimates. So a template is background for the site's articles, a headline quoted
//!    in another page's related-stories block is background for that page, and a bucket of
//!    copies (a story syndicated to fifty sites, every page identical but for a date) is
//!    evidence for all of its members, however large. A bucket of two waits, and is settled
//!    once the other buckets' votes are counted (`Learner::settle`): two texts that meet in
//!    fewer bands than a candidate needs (most of them share one phrase) are background there
//!    without a measurement, and a candidate is measured once for all its buckets of two,
//!    whose votes count only when it shares enough. A hot bucket (more than
//!    [`crate::lsh::HOT_BUCKET`] members) that is not a cluster of copies (told from a few
//!    probes) is first split by its members' keys in the next bands (`lsh::split_hot`):
//!    a stock phrase shared by hundreds of documents falls apart into documents that share only
//!    it, background without a measurement, while the few that share the next bands too are
//!    measured and vote together. A bucket whose shingle is background for most of its members
//!    is a background *key*.
//! 4. **Shingles.** Exact verification needs to know every shingle, not only the least one of a
//!    bin. A shingle whose (bin, value) is a background key is background; one that is its
//!    document's least in a bin that is not background is content; the others (about two in
//!    three) take the status of the nearest classified shingle in the text, as templates come in
//!    runs ([`BackgroundOf::classify`]).
//!
//! The cost is one grouping of the bands (as the plain vote does, `lsh::BandRuns`),
//! kept for three sweeps over the buckets of two or more (own shares, templates, the vote); about
//! one comparison per member of a bucket of three or more (fewer in a hot one, whose singles need
//! none) and one per candidate met alone in a bucket of two, of
//! signatures cut to a byte a bin so that they stay in cache; votes only within a bucket's
//! measured parts, so at most [`crate::lsh::HOT_BUCKET`] per member and band outside clusters
//! of copies. Memory is four bytes per document in a shared bucket and band, a byte per bin and
//! document for the prints and another for the marks being made (kept as one bit per bin and
//! document for each of two masks), a float per document, and the keys of the background
//! buckets. Nothing grows with the square of a bucket of shared text: a
//! stock phrase in a thousand documents costs about a thousand key reads instead of half a
//! million pair votes.
//!
//! Limits. Two pages are enough to learn a template that is less than [`INCIDENTAL`] of the
//! containment threshold of the pages (18% at the default 0.6); a heavier one is learnt once its
//! least shingle of a bin is the least of that bin in `min_docs` pages of which half are at least
//! `own_share` their own text, which takes about three times as many pages of the site. A site of
//! pages that are mostly template (less than `own_share` article), a corpus too small to learn
//! from, and a corpus that is all template (its pages have no own text) are judged on their whole
//! text, as with `--boilerplate off`; so are two texts that are both nearly all background (less
//! than a tenth content): pages of one template with no article are duplicates of each other,
//! unless the two share a story's worth of content (16 shingles or more) that holds more of them
//! than their whole texts do (a two-sentence story on two sites with heavy templates). A
//! story reposted with commentary by `min_docs` sites or more, each adding at least `own_share`
//! of its own (by more than [`crate::lsh::HOT_BUCKET`] sites, `hot_own_share`), looks like a
//! template and is discounted. Files that share only a licence are not all told apart: some of
//! the licence's bins escape its template, and on the few bins left a pair of them can still
//! look alike (Debian's 840 copyright files and licences: 8,520 pairs, from 23,424).

use std::ops::Range;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Mutex;

use ahash::{AHashMap, AHashSet};

use crate::align::{Alignment, PassageKind};
use crate::hash::{mix64, U64Set};
use crate::lsh::{
    candidates_of, pair_key, run_pairs, split_hot, Ballot, BandRuns, LshParams, SplitBuffers,
    HOT_BUCKET,
};
use crate::minhash::{MinHasher, SignatureRef};
use crate::shingle::{distinct_sorted, shingle_hashes_into, sorted_marked_into};
use crate::text::{pack8, tokenize, Token};

/// Default [`BoilerplateParams::min_docs`].
pub const DEFAULT_MIN_DOCS: usize = 6;

/// Default [`BoilerplateParams::own_share`].
pub const DEFAULT_OWN_SHARE: f64 = 0.3;

/// Default [`BoilerplateParams::hot_own_share`].
pub const DEFAULT_HOT_OWN_SHARE: f64 = 0.1;

/// When a bucket of shared text is background.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BoilerplateParams {
    /// Fewest documents in a background bucket.
    pub min_docs: usize,
    /// Own share at or above which a document is mostly its own text; a bucket is background when
    /// at least half of its documents are.
    pub own_share: f64,
    /// [`BoilerplateParams::own_share`] in a bucket of more than [`crate::lsh::HOT_BUCKET`]
    /// documents: a block of text that many hold (a licence, a stock paragraph) is background
    /// when half of them have this much of their own beside it, however much of them it is.
    pub hot_own_share: f64,
}

impl Default for BoilerplateParams {
    fn default() -> Self {
        BoilerplateParams {
            min_docs: DEFAULT_MIN_DOCS,
            own_share: DEFAULT_OWN_SHARE,
            hot_own_share: DEFAULT_HOT_OWN_SHARE,
        }
    }
}

/// One bucket of background text: a band key that `docs` documents share.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BackgroundBucket {
    /// The band.
    pub band: u32,
    /// The band key.
    pub key: u32,
    /// Documents in the bucket.
    pub docs: u32,
    /// The first of them (lowest index).
    pub first: u32,
}

/// Candidate pairs among `n` signatures (as [`crate::lsh::candidate_pairs_by`] gives them) with
/// the background learnt on the way and kept out of the vote: the three sweeps of the module
/// docs, over the bands' buckets grouped once. `containment` is the reporting threshold the
/// floors are fractions of.
pub fn candidates_and_background<'s, F>(
    n: usize,
    signature: F,
    lsh: &LshParams,
    params: BoilerplateParams,
    containment: f64,
) -> (Vec<(u32, u32, u32)>, Background)
where
    F: Fn(usize) -> SignatureRef<'s> + Sync,
{
    learn(n, signature, lsh, params, containment, true)
}

/// The background of `n` signatures as [`candidates_and_background`] learns it, without the
/// candidate pairs (no vote is cast): for a store of signatures that learns its background apart
/// from finding pairs (the source index).
pub(crate) fn background_only<'s, F>(
    n: usize,
    signature: F,
    lsh: &LshParams,
    params: BoilerplateParams,
    containment: f64,
) -> Background
where
    F: Fn(usize) -> SignatureRef<'s> + Sync,
{
    learn(n, signature, lsh, params, containment, false).1
}

/// The three sweeps, the vote cast only with `vote`.
fn learn<'s, F>(
    n: usize,
    signature: F,
    lsh: &LshParams,
    params: BoilerplateParams,
    containment: f64,
    vote: bool,
) -> (Vec<(u32, u32, u32)>, Background)
where
    F: Fn(usize) -> SignatureRef<'s> + Sync,
{
    let bins = (0..n)
        .map(&signature)
        .find(|s| !s.is_empty())
        .map_or(0, |s| s.values().len());
    let words = bins.div_ceil(64);
    let runs = BandRuns::new(n, &signature, lsh);
    let copies = copy_classes(n, &signature);
    let own = own_shares(n, &signature, &runs, lsh, &copies);
    let templates = template_bins(n, &runs, lsh, &params, &own, &copies, words);
    let learner = Learner {
        prints: Prints::new(n, &signature, bins),
        floor: INCIDENTAL * containment,
        pair_floor: INCIDENTAL_PAIR * containment,
        rows: lsh.rows,
        words,
        templates: &templates,
        marks: Marks::new(n, words * 64),
        found: Mutex::new(Vec::new()),
        vote,
    };
    let memo_slots = (2 * n).next_power_of_two().clamp(1 << 10, 1 << 15);
    let (votes, scratches) = runs.votes_where(
        lsh,
        || Scratch::new(memo_slots),
        |scratch, band, key, ids, ballot| {
            learner.select(band, key, ids, &signature, lsh, scratch, ballot)
        },
    );
    drop(runs);
    let mut pending: Vec<PairBucket> =
        Vec::with_capacity(scratches.iter().map(|s| s.pending.len()).sum());
    for s in scratches {
        pending.extend_from_slice(&s.pending);
    }
    let pairs = learner.settle(votes, pending, (lsh, &signature));
    let pairs = if vote {
        with_copies(pairs, &copies, lsh)
    } else {
        pairs
    };
    (pairs, learner.finish(&signature))
}

/// Share of the containment threshold under which what a document shares with the others of a
/// bucket, outside their templates, is incidental.
pub const INCIDENTAL: f64 = 0.3;

/// [`INCIDENTAL`] for two documents alone in a bucket: what they share is evidence from this
/// share of the containment threshold on (0.12 at the default 0.6). A headline that one page
/// quotes from another shares far less (a few hundredths); a source of a digest of four shares
/// a quarter of it, which the signatures' estimate, outside the templates, can put under the
/// bucket floor. Taken for larger buckets too, it turned some of a site's shared text into
/// evidence and syndicated copies into derivatives; for pairs it changed none of them.
pub const INCIDENTAL_PAIR: f64 = 0.2;

/// The own share of every document (0 for an empty signature): the fraction of its bands in
/// which no other document has its key.
fn own_shares<'s, F>(
    n: usize,
    signature: &F,
    runs: &BandRuns,
    lsh: &LshParams,
    copies: &[u32],
) -> Vec<f32>
where
    F: Fn(usize) -> SignatureRef<'s> + Sync,
{
    let counts = runs.for_each(
        || vec![0u16; n],
        |shared, _band, _key, ids| {
            // Members that are all one text (exact copies) share it with no other text.
            if one_text(ids, copies) {
                return;
            }
            for &i in ids {
                shared[i as usize] += 1;
            }
        },
    );
    let bands = lsh.bands.max(1) as f32;
    (0..n)
        .map(|i| {
            if signature(i).is_empty() {
                return 0.0;
            }
            let shared: u32 = counts.iter().map(|c| u32::from(c[i])).sum();
            1.0 - shared as f32 / bands
        })
        .collect()
}

/// The candidate pairs with every pair of exact copies among them (all the pairs of a class of
/// copies, or a star from its first member past `max_bucket`, as a bucket votes), so that no
/// copy is lost however much of it is background: copies share every band, and the bands of a
/// text that is all background cast no vote. Sorted, one entry a pair.
fn with_copies(
    mut pairs: Vec<(u32, u32, u32)>,
    copies: &[u32],
    lsh: &LshParams,
) -> Vec<(u32, u32, u32)> {
    // The members of the classes of two or more, by class and id.
    let mut copied = vec![false; copies.len()];
    for (i, &c) in copies.iter().enumerate() {
        if c != i as u32 {
            copied[c as usize] = true;
        }
    }
    let mut members: Vec<(u32, u32)> = copies
        .iter()
        .enumerate()
        .filter(|&(_, &c)| copied[c as usize])
        .map(|(i, &c)| (c, i as u32))
        .collect();
    if members.is_empty() {
        return pairs;
    }
    members.sort_unstable();
    let all = lsh.bands as u32;
    for class in members.chunk_by(|x, y| x.0 == y.0) {
        run_pairs(class, lsh.max_bucket, |(_, i), (_, j)| {
            pairs.push((i, j, all))
        });
    }
    // A pair the vote found too keeps the larger count.
    pairs.sort_unstable_by(|x, y| (x.0, x.1).cmp(&(y.0, y.1)).then(y.2.cmp(&x.2)));
    pairs.dedup_by_key(|p| (p.0, p.1));
    pairs
}

/// Whether the members of a bucket are all exact copies of one text ([`copy_classes`]).
fn one_text(ids: &[u32], copies: &[u32]) -> bool {
    let first = copies[ids[0] as usize];
    ids.iter().all(|&i| copies[i as usize] == first)
}

/// For each document, the first document with the same signature (itself when none before has
/// it): the classes of exact copies. The signatures are sorted by a print of their first values
/// (in parallel), and only those of one print are compared whole: a map keyed by every
/// signature's values hashed 512 bytes a document, one at a time.
fn copy_classes<'s, F>(n: usize, signature: &F) -> Vec<u32>
where
    F: Fn(usize) -> SignatureRef<'s> + Sync,
{
    use rayon::prelude::*;
    /// Values in a signature's print.
    const PRINT: usize = 8;
    let print = |values: &[u32]| {
        values[..values.len().min(PRINT)]
            .iter()
            .fold(values.len() as u64, |h, &v| mix64(h ^ u64::from(v)))
    };
    let mut order: Vec<(u64, u32)> = (0..n)
        .into_par_iter()
        .filter_map(|i| {
            let s = signature(i);
            (!s.is_empty()).then(|| (print(s.values()), i as u32))
        })
        .collect();
    order.par_sort_unstable();
    let mut first: Vec<u32> = (0..n as u32).collect();
    let mut leaders: Vec<u32> = Vec::new();
    for group in order.chunk_by(|x, y| x.0 == y.0).filter(|g| g.len() > 1) {
        // In increasing order within a print: each one's class is the first equal one.
        leaders.clear();
        for &(_, i) in group {
            let values = signature(i as usize).values();
            match leaders
                .iter()
                .find(|&&l| signature(l as usize).values() == values)
            {
                Some(&l) => first[i as usize] = l,
                None => leaders.push(i),
            }
        }
    }
    first
}

/// One bit per bin and document: the bin is in a template bucket (at least `min_docs` documents,
/// at least half of them mostly their own text).
fn template_bins(
    n: usize,
    runs: &BandRuns,
    lsh: &LshParams,
    params: &BoilerplateParams,
    own: &[f32],
    copies: &[u32],
    words: usize,
) -> Vec<u64> {
    let marks = Marks::new(n, words * 64);
    let (own_share, hot_own_share) = (params.own_share as f32, params.hot_own_share as f32);
    runs.for_each(
        || (),
        |(), band, _key, ids| {
            if ids.len() < params.min_docs.max(2) {
                return;
            }
            // Shared by many, it takes less of each one's own text to be background.
            let floor = if ids.len() > HOT_BUCKET {
                hot_own_share
            } else {
                own_share
            };
            let mostly_own = ids.iter().filter(|&&i| own[i as usize] >= floor).count();
            if 2 * mostly_own < ids.len() {
                return;
            }
            // A bucket of exact copies of one text is no template (each copy is all its own text,
            // as copies are counted as one document).
            if !one_text(ids, copies) {
                for &i in ids {
                    marks.band(i as usize, band, lsh.rows);
                }
            }
        },
    );
    marks.into_masks()
}

/// Bins marked by any thread, one byte per bin and document while they are being marked: a
/// plain store each, where setting bits in words that the threads share took a locked
/// read-modify-write each (and the cache line bouncing between the cores), which cost more than
/// the measurements that decide them. Made one bit per bin at the end ([`Marks::into_masks`]).
struct Marks {
    /// Bins a document, a multiple of 64.
    bins: usize,
    bytes: Vec<AtomicU8>,
}

impl Marks {
    fn new(n: usize, bins: usize) -> Marks {
        Marks {
            bins,
            bytes: (0..n * bins).map(|_| AtomicU8::new(0)).collect(),
        }
    }

    /// Marks `band`'s bins of document `doc`.
    fn band(&self, doc: usize, band: usize, rows: usize) {
        let at = doc * self.bins;
        for bin in band * rows..(band + 1) * rows {
            self.bytes[at + bin].store(MARKED, Ordering::Relaxed);
        }
    }

    /// One bit per bin, `bins / 64` words a document: eight marks gathered by one multiply.
    fn into_masks(self) -> Vec<u64> {
        use rayon::prelude::*;
        let words = self.bins / 64;
        if words == 0 {
            return Vec::new();
        }
        let bytes: Vec<u8> = self.bytes.into_iter().map(AtomicU8::into_inner).collect();
        let mut masks = vec![0u64; bytes.len() / 64];
        masks
            .par_chunks_mut(words)
            .zip(bytes.par_chunks(self.bins))
            .for_each(|(mask, bytes)| {
                for (word, bytes) in mask.iter_mut().zip(bytes.chunks_exact(64)) {
                    let (octets, _) = bytes.as_chunks::<8>();
                    *word = octets.iter().enumerate().fold(0u64, |w, (o, octet)| {
                        w | pack8(u64::from_le_bytes(*octet)) << (8 * o)
                    });
                }
            });
        masks
    }
}

/// A marked bin's byte in [`Marks`]: bit 7 alone, as [`pack8`] gathers it.
const MARKED: u8 = 0x80;

/// Other members of its bucket a document is compared with on either side (in id order, round
/// the bucket), to tell whether it shares more than the bucket's shingle with them.
pub const NEIGHBOURS: usize = 1;

/// Each document's signature cut to one byte a bin (the value's low byte), with its number of
/// shingles: what the vote's filter compares, a quarter of the signatures' bytes, so that the
/// random reads of a bucket's members stay in cache longer. Two different values agree on their
/// low byte one time in 256, which raises an estimated Jaccard by about 0.004: nothing next to
/// the floors it is compared with.
struct Prints {
    bins: usize,
    bytes: Vec<u8>,
    shingles: Vec<u32>,
}

impl Prints {
    fn new<'s, F>(n: usize, signature: &F, bins: usize) -> Prints
    where
        F: Fn(usize) -> SignatureRef<'s> + Sync,
    {
        use rayon::prelude::*;
        let mut bytes = vec![0u8; n * bins];
        let mut shingles = vec![0u32; n];
        if bins > 0 {
            bytes
                .par_chunks_mut(bins)
                .zip(shingles.par_iter_mut())
                .enumerate()
                .for_each(|(i, (row, count))| {
                    let s = signature(i);
                    if !s.is_empty() {
                        for (b, &v) in row.iter_mut().zip(s.values()) {
                            *b = v as u8;
                        }
                        *count = s.n_shingles();
                    }
                });
        }
        Prints {
            bins,
            bytes,
            shingles,
        }
    }

    fn of(&self, doc: usize) -> (&[u8], u32) {
        (
            &self.bytes[doc * self.bins..(doc + 1) * self.bins],
            self.shingles[doc],
        )
    }
}

/// What pairs met so far on this thread share outside their templates (their estimated
/// containment): copies meet in most bands, and are measured once. A direct-mapped table of a
/// fixed size (a pair that meets another in its slot is measured again later), so memory does
/// not grow with the pairs.
struct Memo {
    /// `(pair, containment)`, the pair `a << 32 | b` with `a < b`, or 0 for an empty slot.
    slots: Vec<(u64, f64)>,
    bits: u32,
}

impl Memo {
    fn new(slots: usize) -> Memo {
        Memo {
            slots: vec![(0, NOTHING_SHARED); slots],
            bits: slots.trailing_zeros(),
        }
    }

    fn get_or(&mut self, a: u32, b: u32, measure: impl FnOnce() -> f64) -> f64 {
        let pair = pair_key(a.min(b), a.max(b));
        let at = (pair.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - self.bits)) as usize;
        let slot = &mut self.slots[at];
        if slot.0 != pair {
            *slot = (pair, measure());
        }
        slot.1
    }
}

/// [`Learner::containment`] of two documents with no bin to compare: below every floor.
const NOTHING_SHARED: f64 = -1.0;

/// Pairs measured to tell a hot bucket of copies from one of unrelated documents.
const PROBES: usize = 8;

/// A thread's buffers for [`Learner::select`], and the buckets of two it left to
/// [`Learner::settle`].
struct Scratch {
    memo: Memo,
    linked: Vec<bool>,
    voters: Vec<u32>,
    splits: SplitBuffers,
    pending: Vec<PairBucket>,
}

impl Scratch {
    fn new(memo_slots: usize) -> Scratch {
        Scratch {
            memo: Memo::new(memo_slots),
            linked: Vec::new(),
            voters: Vec::new(),
            splits: SplitBuffers::default(),
            pending: Vec::new(),
        }
    }
}

/// A bucket of two documents `a < b` in band `band` (its key is `a`'s there), whose vote waits
/// until it is known to be evidence ([`Learner::settle`] decides).
#[derive(Clone, Copy, Debug)]
struct PairBucket {
    a: u32,
    b: u32,
    band: u32,
}

/// Largest bucket whose pairs are looked up in the [`Memo`].
const MEMO_BUCKET: usize = 4;

/// The vote's filter: which members of a bucket the bucket's shingle is evidence for.
struct Learner<'a> {
    prints: Prints,
    /// Estimated containment, outside templates, under which sharing is incidental.
    floor: f64,
    /// [`INCIDENTAL_PAIR`] of the containment threshold.
    pair_floor: f64,
    rows: usize,
    words: usize,
    templates: &'a [u64],
    marks: Marks,
    found: Mutex<Vec<BackgroundBucket>>,
    /// Whether the evidence votes (off when only the background is wanted).
    vote: bool,
}

impl Learner<'_> {
    /// Decides for which members of a bucket (`ids`, increasing) its shingle is evidence, and
    /// has those vote together; the others have the band's bins marked as background. A hot
    /// bucket is first split by the members' next band keys ([`split_hot`]): a member alone in
    /// its part shares only this shingle with the bucket and is background without a
    /// measurement. In each part, each member is measured against the next [`NEIGHBOURS`] round
    /// the part, and so meets as many before it too; the part's evidence votes together.
    #[allow(clippy::too_many_arguments)]
    fn select<'s, F>(
        &self,
        band: usize,
        key: u32,
        ids: &[u32],
        signature: &F,
        lsh: &LshParams,
        scratch: &mut Scratch,
        ballot: &mut Ballot<'_>,
    ) where
        F: Fn(usize) -> SignatureRef<'s> + Sync,
    {
        let Scratch {
            memo,
            linked,
            voters,
            splits,
            pending,
        } = scratch;
        if let (&[a, b], true) = (ids, self.vote) {
            // A bucket of two votes once the other votes are counted, and is settled then: most
            // such pairs (two texts that share one phrase) meet in too few bands to be
            // candidates, and their measurement, one for each of millions of buckets in a large
            // corpus, cost more than the rest of the vote (and their votes, in the threads' vote
            // maps, more memory than anything else of the vote).
            pending.push(PairBucket {
                a,
                b,
                band: band as u32,
            });
            return;
        }
        let mut background = 0;
        let mut measure = |part: &[u32]| {
            let m = part.len();
            match *part {
                [single] => {
                    // Alone in its part: it shares only this shingle with the bucket.
                    background += 1;
                    self.marks.band(single as usize, band, self.rows);
                    return;
                }
                [a, b] => {
                    // What the steps round the part come to for two: one measurement.
                    // Two documents alone in a bucket share less than a template does: a
                    // quoted headline (background), or a part of a page built from several.
                    let held = memo.get_or(a, b, || self.containment(a as usize, b as usize));
                    if held >= self.pair_floor {
                        if self.vote {
                            ballot.vote(part);
                        }
                    } else {
                        background += 2;
                        self.marks.band(a as usize, band, self.rows);
                        self.marks.band(b as usize, band, self.rows);
                    }
                    return;
                }
                _ => {}
            }
            linked.clear();
            linked.resize(m, false);
            // With three members or fewer, the steps round the part already meet every pair.
            let steps = NEIGHBOURS.min(m / 2);
            for (i, &doc) in part.iter().enumerate() {
                for step in 1..=steps {
                    let j = if i + step < m { i + step } else { i + step - m };
                    if linked[i] && linked[j] {
                        continue;
                    }
                    let other = part[j];
                    let measure = || self.containment(doc as usize, other as usize);
                    // Copies meet in small buckets band after band; a large one is mostly
                    // documents that meet only there, and looking them up would cost more
                    // than it saves.
                    let held = if m <= MEMO_BUCKET {
                        memo.get_or(doc, other, measure)
                    } else {
                        measure()
                    };
                    if held >= self.floor {
                        linked[i] = true;
                        linked[j] = true;
                    }
                }
            }
            voters.clear();
            for (&doc, &evidence) in part.iter().zip(linked.iter()) {
                if evidence {
                    voters.push(doc);
                } else {
                    background += 1;
                    self.marks.band(doc as usize, band, self.rows);
                }
            }
            if self.vote {
                ballot.vote(voters);
            }
        };
        if self.copies(ids) {
            measure(ids);
        } else {
            split_hot(ids, band, signature, lsh, splits, &mut measure);
        }
        // The bucket's key is background text when it is for most of its members.
        if 2 * background >= ids.len() {
            self.found
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(BackgroundBucket {
                    band: band as u32,
                    key,
                    docs: ids.len() as u32,
                    first: ids[0],
                });
        }
    }

    /// Settles the buckets of two (`pending`, whose votes are not yet in `votes`, the other
    /// buckets' votes of each pair keyed `a << 32 | b`) and gives the candidates, sorted, each
    /// with its votes: a pair that the buckets of two do not bring to the banding's least votes
    /// is no candidate, shares too little to be evidence, and those buckets are background,
    /// unmeasured (recorded with their keys, read from `signature`); a candidate is measured
    /// once, and when it shares less than the pair floor those buckets are background and their
    /// votes not counted. The candidates are then those that measuring each bucket as it came
    /// would have given.
    fn settle<'s, F>(
        &self,
        mut votes: AHashMap<u64, u32>,
        mut pending: Vec<PairBucket>,
        (lsh, signature): (&LshParams, &F),
    ) -> Vec<(u32, u32, u32)>
    where
        F: Fn(usize) -> SignatureRef<'s> + Sync,
    {
        use rayon::prelude::*;
        let min_votes = lsh.min_votes;
        // Sorted by pair, each pair's buckets are together and the marks walk the documents in
        // order. One 64-bit key a bucket sorts in less than half the time of the three fields,
        // and the order of a pair's buckets changes nothing: the background records are sorted
        // by their band and key when the background is made.
        let key = |p: &PairBucket| pair_key(p.a, p.b);
        pending.par_sort_unstable_by_key(key);
        // Each pair's buckets of two: counted when they make an evidence candidate, else
        // background.
        let settled: Vec<(bool, &[PairBucket])> = pending
            .par_chunk_by(|x, y| key(x) == key(y))
            .map(|run| {
                let (a, b) = (run[0].a, run[0].b);
                let others = votes.get(&key(&run[0])).copied().unwrap_or(0);
                let candidate = others as usize + run.len() >= min_votes;
                if candidate && self.containment(a as usize, b as usize) >= self.pair_floor {
                    return (true, run);
                }
                for p in run {
                    self.marks.band(a as usize, p.band as usize, self.rows);
                    self.marks.band(b as usize, p.band as usize, self.rows);
                }
                (false, run)
            })
            .collect();
        let mut found = self.found.lock().unwrap_or_else(|e| e.into_inner());
        for (counted, run) in settled {
            if counted {
                *votes.entry(key(&run[0])).or_insert(0) += run.len() as u32;
                continue;
            }
            found.extend(run.iter().map(|p| BackgroundBucket {
                band: p.band,
                key: lsh.band_key(signature(p.a as usize).values(), p.band as usize),
                docs: 2,
                first: p.a,
            }));
        }
        drop(found);
        candidates_of(votes, min_votes)
    }

    /// Whether a bucket is a cluster of copies (a story syndicated to many sites, a page
    /// mirrored many times), which is measured whole rather than split: a copy on another site
    /// differs from the others in its template's bins, so splitting by the next band's keys
    /// would scatter the cluster. Told from [`PROBES`] pairs of neighbours spread over the bucket,
    /// at least half of which share enough; a small bucket is always measured whole.
    fn copies(&self, ids: &[u32]) -> bool {
        if ids.len() <= HOT_BUCKET {
            return true;
        }
        let stride = ids.len() / PROBES;
        let sharing = (0..PROBES)
            .filter(|&p| self.shares(ids[p * stride] as usize, ids[p * stride + 1] as usize))
            .count();
        2 * sharing >= PROBES
    }

    /// Whether two documents share enough outside their templates.
    fn shares(&self, a: usize, b: usize) -> bool {
        self.containment(a, b) >= self.floor
    }

    /// The estimated containment of two documents outside their templates, or
    /// [`NOTHING_SHARED`].
    fn containment(&self, a: usize, b: usize) -> f64 {
        let ((pa, na), (pb, nb)) = (self.prints.of(a), self.prints.of(b));
        print_containment(pa, pb, na, nb, self.template_mask(a), self.template_mask(b))
            .unwrap_or(NOTHING_SHARED)
    }

    fn template_mask(&self, doc: usize) -> &[u64] {
        &self.templates[doc * self.words..(doc + 1) * self.words]
    }

    /// The background learnt, with the (bin, value) keys read from each bucket's first member.
    fn finish<'s, F>(self, signature: &F) -> Background
    where
        F: Fn(usize) -> SignatureRef<'s> + Sync,
    {
        let mut buckets = self.found.into_inner().unwrap_or_else(|e| e.into_inner());
        buckets.sort_unstable_by_key(|b| (b.band, b.key));
        let mut keys = AHashSet::new();
        for b in &buckets {
            let values = signature(b.first as usize).values();
            let band = b.band as usize;
            let bins = band * self.rows..(band + 1) * self.rows;
            for (bin, &value) in bins.clone().zip(&values[bins]) {
                keys.insert(bin_key(bin, value));
            }
        }
        Background {
            words: self.words,
            masks: self.marks.into_masks(),
            keys: KeySet::new(keys),
            buckets,
        }
    }
}

/// [`masked_estimates`]'s containment on two [`Prints`] rows, eight bins at a time: the bins
/// whose bytes agree are the zero bytes of the rows' XOR, gathered into one bit each.
fn print_containment(
    pa: &[u8],
    pb: &[u8],
    na: u32,
    nb: u32,
    ma: &[u64],
    mb: &[u64],
) -> Option<f64> {
    let bins = pa.len().min(pb.len());
    if bins == 0 || na == 0 || nb == 0 {
        return None;
    }
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let counts = masked_counts(bins, ma, mb, |w| {
        let (ca, cb) = (
            &pa[w * 64..bins.min(w * 64 + 64)],
            &pb[w * 64..bins.min(w * 64 + 64)],
        );
        let mut equal = 0u64;
        let (octets_a, rest_a) = ca.as_chunks::<8>();
        let (octets_b, rest_b) = cb.as_chunks::<8>();
        for (o, (xa, xb)) in octets_a.iter().zip(octets_b).enumerate() {
            let x = u64::from_le_bytes(*xa) ^ u64::from_le_bytes(*xb);
            // The high bit of each byte of `zero` is set exactly when that byte of `x` is 0.
            let zero = !(((x & LOW7) + LOW7) | x | LOW7);
            equal |= pack8(zero) << (8 * o);
        }
        let done = 8 * octets_a.len();
        for (i, (x, y)) in rest_a.iter().zip(rest_b).enumerate() {
            equal |= u64::from(x == y) << (done + i);
        }
        equal
    });
    estimates_of(counts, bins, na, nb).map(|(_, containment)| containment)
}

/// Estimates of (Jaccard, containment of the smaller in the larger) on the bins that neither
/// mask holds, the sizes scaled by each one's share of unmasked bins; `None` when either has no
/// bin left. Equality is found 64 bins at a time as a bit mask.
pub(crate) fn masked_estimates(
    sa: SignatureRef<'_>,
    sb: SignatureRef<'_>,
    ma: &[u64],
    mb: &[u64],
) -> Option<(f64, f64)> {
    let (va, vb) = (sa.values(), sb.values());
    let bins = va.len().min(vb.len());
    if bins == 0 || sa.is_empty() || sb.is_empty() {
        return None;
    }
    let counts = masked_counts(bins, ma, mb, |w| {
        let (ca, cb) = (
            &va[w * 64..bins.min(w * 64 + 64)],
            &vb[w * 64..bins.min(w * 64 + 64)],
        );
        ca.iter()
            .zip(cb)
            .enumerate()
            .fold(0u64, |m, (i, (x, y))| m | u64::from(x == y) << i)
    });
    estimates_of(counts, bins, sa.n_shingles(), sb.n_shingles())
}

/// What two masked signatures of `bins` bins share, 64 bins at a time: `equal(w)` is the bit
/// mask of the bins of word `w` whose values agree. Out: the [`Counts`] of the bins left by the
/// masks.
fn masked_counts(
    bins: usize,
    ma: &[u64],
    mb: &[u64],
    mut equal: impl FnMut(usize) -> u64,
) -> Counts {
    let mut c = Counts::default();
    for w in 0..bins.div_ceil(64) {
        let len = (bins - w * 64).min(64);
        let live = if len == 64 {
            u64::MAX
        } else {
            (1u64 << len) - 1
        };
        let (xa, xb) = (
            !ma.get(w).copied().unwrap_or(0) & live,
            !mb.get(w).copied().unwrap_or(0) & live,
        );
        c.in_a += xa.count_ones();
        c.in_b += xb.count_ones();
        c.both += (xa & xb).count_ones();
        c.agree += (xa & xb & equal(w)).count_ones();
    }
    c
}

/// Bins left by two masks: `in_a` and `in_b` of each signature, `both` of the two, and `agree`
/// of those that hold equal values.
#[derive(Clone, Copy, Debug, Default)]
struct Counts {
    agree: u32,
    both: u32,
    in_a: u32,
    in_b: u32,
}

/// (Jaccard, containment of the smaller in the larger) from the bins left by two masks, the
/// sizes (`na`, `nb` shingles, of `bins` bins each) scaled by each one's share of bins left.
fn estimates_of(counts: Counts, bins: usize, na: u32, nb: u32) -> Option<(f64, f64)> {
    let Counts {
        agree,
        both,
        in_a,
        in_b,
    } = counts;
    if in_a == 0 || in_b == 0 || both == 0 {
        return None;
    }
    let jaccard = f64::from(agree) / f64::from(both);
    let size_a = f64::from(na) * f64::from(in_a) / bins as f64;
    let size_b = f64::from(nb) * f64::from(in_b) / bins as f64;
    let shared = jaccard / (1.0 + jaccard) * (size_a + size_b);
    let smaller = size_a.min(size_b).max(1.0);
    Some((jaccard, (shared / smaller).min(1.0)))
}

fn bin_key(bin: usize, value: u32) -> u64 {
    ((bin as u64) << 32) | u64::from(value)
}

/// What a corpus holds in common that is not evidence of copying (see the module docs).
#[derive(Clone, Debug, Default)]
pub struct Background {
    words: usize,
    /// One bit per bin and document: the bin's value is background.
    masks: Vec<u64>,
    /// The (bin, value) pairs of the background, `bin << 32 | value`.
    keys: KeySet,
    buckets: Vec<BackgroundBucket>,
}

/// The background keys, with a filter of bits in front of the set: most shingles of a text are
/// no key, and the filter (16 bits a key, small enough to stay in cache, wrong about one shingle
/// in twenty) answers for them without probing the set, whose reads miss the cache.
#[derive(Clone, Debug, Default)]
struct KeySet {
    set: U64Set,
    filter: Vec<u64>,
    shift: u32,
}

impl KeySet {
    fn new(set: AHashSet<u64>) -> KeySet {
        let bits = (16 * set.len()).next_power_of_two().max(64);
        let shift = 64 - bits.trailing_zeros();
        let mut filter = vec![0u64; bits / 64];
        for &key in &set {
            let at = Self::slot(key, shift);
            filter[at / 64] |= 1 << (at % 64);
        }
        KeySet {
            set: U64Set::new(set.iter().copied()),
            filter,
            shift,
        }
    }

    /// The filter bit of a key: the top bits of a multiplicative hash.
    fn slot(key: u64, shift: u32) -> usize {
        (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> shift) as usize
    }

    fn is_empty(&self) -> bool {
        self.set.len() == 0
    }

    fn contains(&self, key: u64) -> bool {
        let at = Self::slot(key, self.shift);
        self.filter
            .get(at / 64)
            .is_some_and(|w| w >> (at % 64) & 1 == 1)
            && self.set.contains(key)
    }
}

/// What [`BackgroundOf::classify`] found of one text: its shingles split into content and
/// background, distinct and sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Classified {
    /// Shingles that are the text's own evidence, sorted: every distinct one when none is
    /// background.
    pub content: Vec<u64>,
    /// Shingles that are background.
    pub background: Vec<u64>,
    /// The runs of background shingles, by the index of their first token, in text order.
    pub runs: Vec<Range<usize>>,
    /// The inserts read through (token ranges of lines, in text order): the shingles across
    /// each are background, and the text's content also holds the shingles of the words on
    /// either side joined without it ([`bridge_shingles`]).
    pub inserts: Vec<Range<usize>>,
}

/// The buffers of [`BackgroundOf::classify`], reused between calls.
#[derive(Clone, Debug, Default)]
pub struct ClassifyScratch {
    status: Vec<u8>,
    breaks: Vec<usize>,
    marked: Vec<(u64, bool)>,
    sorted: Vec<(u64, bool)>,
    counts: Vec<u32>,
}

impl Background {
    /// Whether nothing was learnt.
    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }

    /// The background buckets, by band and key.
    pub fn buckets(&self) -> &[BackgroundBucket] {
        &self.buckets
    }

    /// Documents with at least one background bin.
    pub fn documents_touched(&self) -> usize {
        if self.words == 0 {
            return 0;
        }
        self.masks
            .chunks_exact(self.words)
            .filter(|m| m.iter().any(|&w| w != 0))
            .count()
    }

    /// The background as document `doc` of the corpus sees it, for a document that has some of
    /// it among its bin minima; `None` for the others (their text is measured whole, which saves
    /// classifying it shingle by shingle).
    pub fn of(&self, doc: u32) -> Option<BackgroundOf<'_>> {
        let mask = self.mask(doc);
        mask.iter().any(|&w| w != 0).then_some(BackgroundOf {
            background: self,
            mask,
        })
    }

    /// The background as a text from outside the corpus sees it: the corpus's keys alone.
    pub fn for_text(&self) -> BackgroundOf<'_> {
        self.with_mask(&[])
    }

    /// The background as a document whose background bins are `mask` (one bit a bin, as
    /// [`Background::mask`] gives them; kept apart, as the source index keeps them) sees it.
    pub fn with_mask<'a>(&'a self, mask: &'a [u64]) -> BackgroundOf<'a> {
        BackgroundOf {
            background: self,
            mask,
        }
    }

    /// The background bins of document `doc`, one bit a bin (empty when nothing was learnt).
    pub fn mask(&self, doc: u32) -> &[u64] {
        let at = doc as usize * self.words;
        self.masks.get(at..at + self.words).unwrap_or(&[])
    }

    /// Estimates of (Jaccard, containment of the smaller in the larger) between two documents'
    /// content: the bins that are background in neither, and the sizes scaled by each one's share
    /// of content bins. `None` when either has no content bin left, or nothing was learnt of
    /// either (then the whole signatures' estimates stand).
    pub fn content_estimates(
        &self,
        a: u32,
        b: u32,
        sa: SignatureRef<'_>,
        sb: SignatureRef<'_>,
    ) -> Option<(f64, f64)> {
        let (ma, mb) = (self.mask(a), self.mask(b));
        if ma.iter().chain(mb).all(|&w| w == 0) {
            return None;
        }
        masked_estimates(sa, sb, ma, mb)
    }
}

/// The background as one text sees it ([`Background::of`], [`Background::for_text`]): the
/// corpus's background keys, and for a document of the corpus, the bins in which its least
/// shingle was found to be background for it (a headline it quotes, a line of its site's
/// template that other sites' pages share too).
#[derive(Clone, Copy, Debug)]
pub struct BackgroundOf<'a> {
    background: &'a Background,
    mask: &'a [u64],
}

impl BackgroundOf<'_> {
    /// Whether nothing was learnt.
    pub fn is_empty(&self) -> bool {
        self.background.is_empty()
    }

    /// Splits the shingles of a text, in text order (`shingles[i]` starts at token `i`), into
    /// content and background (module docs, step 4). `signature` is the text's own signature from
    /// `hasher`; its least shingle of a bin is content unless the bin is background for it. A
    /// run of at most `gap` content shingles between two background ones is background too:
    /// with `gap` the shingle size, that is the words where two template lines meet (a
    /// related-stories block: headlines quoted from other pages, one a line), which no other
    /// page has in that order (only where lines meet: in running prose, the words between two
    /// stock phrases are the text's own). Then, line by line (`lines`: token ranges, in order;
    /// `prose`: whether each ends a sentence, [`crate::text::ends_sentence`]), a short line (a
    /// template's) whose shingles are at least half background is background, a line too short
    /// to start a shingle of its own words (fewer than `gap` tokens: a heading, a date) takes
    /// the status of the next line, and a block of short lines is background as a whole when
    /// most of it is, but for its lines of prose that are content by their own shingles (an
    /// article's one-sentence lead paragraphs under its byline and headline). With nothing
    /// learnt, everything is content. `scratch` holds buffers reused between calls.
    pub fn classify(
        &self,
        hasher: &MinHasher,
        shingles: &[u64],
        signature: SignatureRef<'_>,
        gap: usize,
        (lines, prose): (&[Range<usize>], &[bool]),
        scratch: &mut ClassifyScratch,
    ) -> Classified {
        let mut out = Classified::default();
        let ClassifyScratch {
            status,
            breaks,
            marked,
            sorted,
            counts,
        } = scratch;
        status.clear();
        let keys = &self.background.keys;
        let masked = |bin: usize| {
            self.mask
                .get(bin / 64)
                .is_some_and(|w| w >> (bin % 64) & 1 == 1)
        };
        if !keys.is_empty() {
            const UNKNOWN: u8 = 0;
            const CONTENT: u8 = 1;
            const BACKGROUND: u8 = 2;
            let values = signature.values();
            status.extend(shingles.iter().map(|&h| {
                let (bin, value) = hasher.locate(h);
                if keys.contains(bin_key(bin, value)) {
                    BACKGROUND
                } else if values.get(bin) == Some(&value) {
                    if masked(bin) {
                        BACKGROUND
                    } else {
                        CONTENT
                    }
                } else {
                    UNKNOWN
                }
            }));
            // Each unknown shingle takes the status of the nearest known one (content on a tie),
            // a run of unknown ones at a time.
            let n = status.len();
            let mut previous: Option<usize> = None;
            let mut i = 0;
            while i < n {
                if status[i] != UNKNOWN {
                    previous = Some(i);
                    i += 1;
                    continue;
                }
                let next = (i..n).find(|&j| status[j] != UNKNOWN);
                let end = next.unwrap_or(n);
                for j in i..end {
                    status[j] = match (previous, next) {
                        (None, None) => CONTENT,
                        (Some(l), None) => status[l],
                        (None, Some(r)) => status[r],
                        (Some(l), Some(r)) => match (j - l).cmp(&(r - j)) {
                            std::cmp::Ordering::Less => status[l],
                            std::cmp::Ordering::Greater => status[r],
                            std::cmp::Ordering::Equal if status[l] == status[r] => status[l],
                            std::cmp::Ordering::Equal => CONTENT,
                        },
                    };
                }
                i = end;
            }
            fill_gaps(status, (lines, prose), gap, breaks, BACKGROUND);
            smooth_lines(status, (lines, prose), gap, BACKGROUND);
            for (i, &s) in status.iter().enumerate() {
                if s == BACKGROUND {
                    match out.runs.last_mut() {
                        Some(run) if run.end == i => run.end = i + 1,
                        _ => out.runs.push(i..i + 1),
                    }
                }
            }
            // The runs are the text's template as it reads (its passages); the evidence also
            // leaves out the shingles that join the text to it.
            seams_to_background(status, lines, gap, BACKGROUND);
            inserts_to_background(status, (lines, prose), gap, BACKGROUND, &mut out.inserts);
            marked.clear();
            marked.extend(
                shingles
                    .iter()
                    .zip(status.iter())
                    .map(|(&h, &s)| (h, s != BACKGROUND)),
            );
        }
        // One sort of the shingles with their status; a shingle that is content somewhere in
        // the text is content.
        if out.runs.is_empty() {
            out.content = distinct_sorted(shingles, counts);
            return out;
        }
        sorted_marked_into(marked, counts, sorted);
        let content = sorted.iter().filter(|&&(_, c)| c).count();
        out.content.reserve_exact(content);
        out.background.reserve_exact(sorted.len() - content);
        for &(h, content) in sorted.iter() {
            match content {
                true => out.content.push(h),
                false => out.background.push(h),
            }
        }
        out
    }
}

/// Fills with `background` each gap of at most `gap` shingles between two background ones in
/// `status` (one per shingle, by its first token), where lines meet or inside a line that ends
/// no sentence (`prose`: one flag a line; headlines run together, a row of links): inside
/// running prose, a stock phrase next to another is no template, and the words between them are
/// the text's own. `breaks` is a buffer.
fn fill_gaps(
    status: &mut [u8],
    (lines, prose): (&[Range<usize>], &[bool]),
    gap: usize,
    breaks: &mut Vec<usize>,
    background: u8,
) {
    breaks.clear();
    breaks.extend(lines.iter().skip(1).map(|l| l.start));
    let fillable = |from: usize, to: usize| {
        // The line of `from`, and whether `to` is in it.
        let at = breaks.partition_point(|&b| b <= from);
        let in_line = breaks.get(at).is_none_or(|&b| to < b);
        breaks.get(at).is_some_and(|&b| b <= to + gap)
            || (in_line && !prose.get(at).copied().unwrap_or(true))
    };
    let mut i = 0;
    while i < status.len() {
        let end = (i..status.len())
            .find(|&j| status[j] == background)
            .unwrap_or(status.len());
        if i > 0 && end < status.len() && end - i <= gap && fillable(i, end) {
            status[i..end].fill(background);
        }
        i = (end..status.len())
            .find(|&j| status[j] != background)
            .unwrap_or(status.len());
    }
}

/// Lines of more tokens than this that end a sentence are running prose, not template lines:
/// they are not smoothed.
const LONG_LINE: usize = 30;

/// Tokens of a line at most, for it to be one of a block of short lines.
const LIST_LINE: usize = 16;

/// Line by line, `status` (one per shingle, by its first token) made `background` where most of a
/// line of at most [`LONG_LINE`] tokens is, or most of the words of a longer line that ends no
/// sentence are inside background shingles (`short`, the shingle size); a line of fewer than
/// `short` tokens takes the status of the next line; then a block of two or more lines of at
/// most [`LIST_LINE`] tokens is background when most of its lines are, or one is and the line
/// after the block is, or none of its lines ends a sentence and it lies between a line of prose
/// and a line of template (a short article's related stories), but for
/// the block's lines of prose (`prose`: one flag a line, whether it ends a sentence) that are
/// not background of their own.
fn smooth_lines(
    status: &mut [u8],
    (lines, prose): (&[Range<usize>], &[bool]),
    short: usize,
    background: u8,
) {
    let n = status.len();
    // Per line: whether it is background, `None` for a short one.
    let mut verdicts: Vec<Option<bool>> = lines
        .iter()
        .enumerate()
        .map(|(j, l)| {
            let (s, e) = (l.start.min(n), l.end.min(n));
            if l.len() > LONG_LINE {
                if prose.get(j).copied().unwrap_or(true) {
                    // Running prose: judged shingle by shingle.
                    return Some(false);
                }
                // A long line that ends no sentence (related headlines run together on one
                // line, a row of links) is judged whole, by its words: background when most of
                // them are inside background shingles (the shingles across two headlines are
                // the page's own, but their words are the headlines').
                // (`short` is the shingle size: shingles from `t - short + 1` cover token `t`.)
                let covered = (l.start..l.end)
                    .filter(|&t| {
                        let first = t.saturating_sub(short - 1);
                        status[first.min(n)..(t + 1).min(n)].contains(&background)
                    })
                    .count();
                return Some(2 * covered >= l.len());
            }
            (l.len() >= short && e > s).then(|| {
                let b = status[s..e].iter().filter(|&&x| x == background).count();
                2 * b >= e - s
            })
        })
        .collect();
    let mut next = None;
    for v in verdicts.iter_mut().rev() {
        match v {
            Some(b) => next = Some(*b),
            None => *v = next,
        }
    }
    // A block of short lines (a related-stories list, a byline over a headline) is background
    // when most of its lines are, or when one is and a line of template follows the block (a
    // list of links above a footer): the headlines such a list quotes from other pages are found
    // in few documents each, and many are never the least shingle of a bin anywhere.
    let mut i = 0;
    while i < lines.len() {
        let end = (i..lines.len())
            .find(|&j| lines[j].len() > LIST_LINE)
            .unwrap_or(lines.len());
        if end - i >= 2 {
            let background = verdicts[i..end]
                .iter()
                .filter(|&&v| v == Some(true))
                .count();
            let before_template = verdicts.get(end) == Some(&Some(true));
            // A list of lines that end no sentence between an article's last paragraph and its
            // template (the related stories of a short article): the headlines it quotes are
            // each shared with one or a few pages, which for a short article can be enough to
            // count as evidence line by line, while the list is the page's and not the story's.
            let under_prose = i > 0 && prose.get(i - 1) == Some(&true);
            let list = (i..end).all(|j| !prose.get(j).copied().unwrap_or(true));
            if 2 * background >= end - i
                || (background > 0 && before_template)
                || (before_template && under_prose && list)
            {
                // A sentence is prose even among template lines: the lead paragraphs of an
                // article, one sentence each, under its byline and a headline that other pages'
                // related-stories blocks quote.
                for (j, v) in verdicts.iter_mut().enumerate().take(end).skip(i) {
                    if !prose.get(j).copied().unwrap_or(false) {
                        *v = Some(true);
                    }
                }
            }
        }
        i = end + 1;
    }
    for (l, v) in lines.iter().zip(verdicts) {
        if v == Some(true) {
            status[l.start.min(n)..l.end.min(n)].fill(background);
        }
    }
}

/// Makes `background` in `status` (one per shingle of `k` words, by its first token) the shingles
/// that start in a line and run on into a next line that is background as a whole (every
/// shingle that starts in it is; a paragraph that opens with a stock phrase is not):
/// the last words of an article joined to the first words of its site's footer or related
/// links. Such a shingle is in no other document, so counted as content it would make every
/// copy of the article on another site, and every repost of it, look less contained than its
/// text is; it is neither the article's nor the template's, and it is left out of the evidence
/// as the template is.
fn seams_to_background(status: &mut [u8], lines: &[Range<usize>], k: usize, background: u8) {
    let n = status.len();
    for pair in lines.windows(2) {
        let (line, next) = (&pair[0], &pair[1]);
        let starts = &status[next.start.min(n)..next.end.min(n)];
        if starts.is_empty() || starts.iter().any(|&s| s != background) {
            continue;
        }
        let from = line.start.max(line.end.saturating_sub(k.saturating_sub(1)));
        status[from.min(n)..line.end.min(n)].fill(background);
    }
}

/// Reads through the inserts of a text: a line of at most [`LIST_LINE`] tokens that ends no
/// sentence (`prose`: one flag a line), between two lines of running prose (each ends a
/// sentence and holds a shingle of its own) whose shingles next to it are content. A site puts
/// such lines into its articles (`Advertisement`, `Story continues below`, `READ MORE:` and a
/// headline, a photo credit) where its layout wants them, so two copies of one story carry them
/// in different places, and the shingles across them are in no other page. Each shingle with a
/// word of an insert is made `background` in `status` (one per shingle of `k` words, by its
/// first token), and the insert's token range is pushed to `inserts`: the words on either side
/// joined are the text's evidence instead ([`bridge_shingles`]), the shingles a copy without
/// the insert has there. A heading of the article's own is such a line too; copies that carry
/// it are read through it alike.
fn inserts_to_background(
    status: &mut [u8],
    (lines, prose): (&[Range<usize>], &[bool]),
    k: usize,
    background: u8,
    inserts: &mut Vec<Range<usize>>,
) {
    let n = status.len();
    let k = k.max(1);
    let running = |j: usize| prose.get(j).copied().unwrap_or(false) && lines[j].len() >= k;
    for (j, line) in lines
        .iter()
        .enumerate()
        .take(lines.len().saturating_sub(1))
        .skip(1)
    {
        let insert = line.len() <= LIST_LINE && !prose.get(j).copied().unwrap_or(true);
        // The last shingle wholly before the line and the first one after it.
        let content_around = line.start >= k
            && line.end < n
            && status[line.start - k] != background
            && status[line.end] != background;
        if insert && content_around && running(j - 1) && running(j + 1) {
            status[line.start + 1 - k..line.end].fill(background);
            inserts.push(line.clone());
        }
    }
}

/// The shingles of `k` words that a text has across each of its `inserts` (token ranges, as
/// [`Classified::inserts`]) when read without it: the `k - 1` words before the insert joined to
/// the `k - 1` after.
pub fn bridge_shingles(tokens: &[Token], inserts: &[Range<usize>], k: usize) -> Vec<u64> {
    let k = k.max(1);
    let (mut out, mut joined, mut hashes) = (Vec::new(), Vec::new(), Vec::new());
    for r in inserts {
        if k < 2 || r.start + 1 < k || r.end + k - 1 > tokens.len() {
            continue;
        }
        joined.clear();
        joined.extend_from_slice(&tokens[r.start + 1 - k..r.start]);
        joined.extend_from_slice(&tokens[r.end..r.end + k - 1]);
        shingle_hashes_into(&joined, k, &mut hashes);
        out.extend_from_slice(&hashes);
    }
    out
}

/// The background tokens of a text from its background shingle runs ([`Classified::runs`]): a
/// shingle of `k` words covers its first token and the `k - 1` after it, so each run reaches
/// `k - 1` tokens further (a template's last words are inside its last background shingle), up
/// to the text's `tokens` words. Where a run meets a line of prose across a line break (`lines`:
/// the text's lines as token ranges, [`crate::text::token_lines`]; `prose`: whether each ends a
/// sentence, [`crate::text::ends_sentence`]), the shingles that straddle the break belong to
/// both lines, and the break decides: the prose line's tokens stay content (a comment's first
/// words under a byline, an article's last words above a footer), as its own content shingles
/// cover them too. A line that ends no sentence (a byline, a date line under a site's
/// navigation) or is too short to hold a shingle of its own goes with the template it touches.
pub fn background_tokens(
    runs: &[Range<usize>],
    k: usize,
    tokens: usize,
    (lines, prose): (&[Range<usize>], &[bool]),
) -> Vec<Range<usize>> {
    let shingles = (tokens + 1).saturating_sub(k.max(1));
    let reach = k.saturating_sub(1);
    // The index of the line of token `t`, and whether line `i` is prose that holds a shingle.
    let line_of = |t: usize| lines.partition_point(|l| l.start <= t).saturating_sub(1);
    let prose_line = |i: usize| {
        lines.get(i).is_some_and(|l| l.len() >= k) && prose.get(i).copied().unwrap_or(false)
    };
    let mut out: Vec<Range<usize>> = Vec::with_capacity(runs.len());
    for r in runs.iter().filter(|r| !r.is_empty()) {
        let mut run = r.start..(r.end + reach).min(tokens);
        // The content shingle before the run covers its first `k - 1` tokens: those in that
        // shingle's line, when the run starts inside a line of prose, are content.
        if r.start > 0 {
            let i = line_of(r.start - 1);
            if let Some(next) = lines.get(i + 1) {
                if next.start > r.start && next.start <= r.start + reach && prose_line(i) {
                    run.start = next.start;
                }
            }
        }
        // The content shingle after it covers the tokens the run reaches past its last shingle:
        // those in a line of prose after that shingle's line are content.
        if r.end < shingles {
            let i = line_of(r.end - 1) + 1;
            if let Some(next) = lines.get(i) {
                if next.start < run.end && prose_line(i) {
                    run.end = next.start;
                }
            }
        }
        if run.is_empty() {
            continue;
        }
        match out.last_mut() {
            Some(last) if last.end >= run.start => last.end = last.end.max(run.end),
            _ => out.push(run),
        }
    }
    // Stock phrases strung into running prose: the words are all background, but the shingles
    // where one phrase meets the next are the text's own, and a line of prose holding many of
    // them is the text itself (a template holds none: its shingles recur as a whole).
    let mut kept: Vec<Range<usize>> = Vec::with_capacity(out.len());
    for t in out {
        let mut at = t.start;
        let mut line = line_of(t.start);
        while at < t.end {
            let piece_end = lines
                .get(line)
                .map_or(t.end, |l| l.end.min(t.end))
                .max(at + 1);
            let piece = at..piece_end;
            if !(prose_line(line) && stitched(&piece, runs, k, shingles)) {
                match kept.last_mut() {
                    Some(last) if last.end == piece.start => last.end = piece.end,
                    _ => kept.push(piece),
                }
            }
            at = piece_end;
            line += 1;
        }
    }
    kept
}

/// Share of the shingles inside a stretch of background tokens that are content, from which the
/// stretch is the text's own arrangement of stock phrases rather than a template: in running
/// prose stitched from a pool of phrases, one shingle in five or more is where two phrases meet;
/// in a site's template, a licence or a quoted headline, every shingle inside is background but
/// the few where a line of its own changes (a byline's date).
pub const STITCHED: f64 = 0.1;

/// Whether the background tokens `t` of one line of prose are stitched prose ([`STITCHED`]): of
/// the shingles that lie wholly inside them (of `k` tokens, the text having `shingles`), at least
/// that share are content, outside every background run of `runs`, and there are more than `k`
/// of them.
fn stitched(t: &Range<usize>, runs: &[Range<usize>], k: usize, shingles: usize) -> bool {
    let inside = t.start..(t.end + 1).saturating_sub(k.max(1)).min(shingles);
    if inside.len() <= k {
        return false;
    }
    let background = overlap(runs, &inside);
    (inside.len() - background) as f64 >= STITCHED * inside.len() as f64
}

/// How much of `within` the ranges `ranges` (in order and disjoint) cover.
fn overlap(ranges: &[Range<usize>], within: &Range<usize>) -> usize {
    let first = ranges.partition_point(|r| r.end <= within.start);
    ranges[first..]
        .iter()
        .take_while(|r| r.start < within.end)
        .map(|r| {
            r.end
                .min(within.end)
                .saturating_sub(r.start.max(within.start))
        })
        .sum()
}

/// Relabels the passages of an alignment that are background as [`PassageKind::Boilerplate`]:
/// an `a_only` or `b_only` passage is cut where its side's background tokens begin and end (the
/// background pieces become boilerplate); a shared or changed passage is boilerplate when most
/// of its tokens are background on both sides. `a` and `b` are each text with its tokens and its
/// background token ranges ([`background_tokens`]).
pub fn mark_passages(al: &mut Alignment, a: Marked<'_>, b: Marked<'_>) {
    if a.background.is_empty() && b.background.is_empty() {
        return;
    }
    let mut out = Vec::with_capacity(al.passages.len());
    for p in al.passages.drain(..) {
        match p.kind {
            PassageKind::AOnly | PassageKind::BOnly => {
                let side_a = p.kind == PassageKind::AOnly;
                let (side, tokens, bytes) = if side_a {
                    (&a, p.a_tokens.clone(), p.a.clone())
                } else {
                    (&b, p.b_tokens.clone(), p.b.clone())
                };
                let (Some(tokens), Some(bytes)) = (tokens, bytes) else {
                    out.push(p);
                    continue;
                };
                for (piece, background) in side.cut(tokens.clone()) {
                    let start = if piece.start == tokens.start {
                        bytes.start
                    } else {
                        side.tokens[piece.start].start as usize
                    };
                    let end = if piece.end == tokens.end {
                        bytes.end
                    } else {
                        side.tokens[piece.end - 1].end as usize
                    };
                    let mut q = p.clone();
                    q.kind = if background {
                        PassageKind::Boilerplate
                    } else {
                        p.kind
                    };
                    if side_a {
                        (q.a, q.a_tokens) = (Some(start..end), Some(piece));
                    } else {
                        (q.b, q.b_tokens) = (Some(start..end), Some(piece));
                    }
                    out.push(q);
                }
            }
            PassageKind::Shared | PassageKind::Changed => {
                let mostly = |side: &Marked<'_>, t: &Option<Range<usize>>| {
                    t.as_ref()
                        .is_some_and(|t| 2 * side.covered(t.clone()) > t.len())
                };
                let mut q = p;
                if mostly(&a, &q.a_tokens) && mostly(&b, &q.b_tokens) {
                    q.kind = PassageKind::Boilerplate;
                    q.edits.clear();
                }
                out.push(q);
            }
            PassageKind::Boilerplate => out.push(p),
        }
    }
    al.passages = out;
}

/// [`mark_passages`] for two texts given with their background token ranges, tokenizing them
/// only when either has some.
pub fn mark_background(
    al: &mut Alignment,
    (a, a_background): (&str, &[Range<usize>]),
    (b, b_background): (&str, &[Range<usize>]),
) {
    if a_background.is_empty() && b_background.is_empty() {
        return;
    }
    let (ta, tb) = (tokenize(a), tokenize(b));
    mark_passages(
        al,
        Marked {
            tokens: &ta,
            background: a_background,
        },
        Marked {
            tokens: &tb,
            background: b_background,
        },
    );
}

/// One text for [`mark_passages`]: its tokens and its background token ranges.
#[derive(Clone, Copy, Debug)]
pub struct Marked<'a> {
    /// The text's tokens.
    pub tokens: &'a [Token],
    /// Its background token ranges, in order and disjoint.
    pub background: &'a [Range<usize>],
}

impl Marked<'_> {
    /// `tokens` cut into pieces that are all background or all not, in order.
    fn cut(&self, tokens: Range<usize>) -> Vec<(Range<usize>, bool)> {
        let mut pieces = Vec::new();
        let mut at = tokens.start;
        for r in self.background {
            let (s, e) = (r.start.max(tokens.start), r.end.min(tokens.end));
            if s >= e {
                continue;
            }
            if s > at {
                pieces.push((at..s, false));
            }
            pieces.push((s..e, true));
            at = e;
        }
        if at < tokens.end {
            pieces.push((at..tokens.end, false));
        }
        pieces
    }

    /// Background tokens in `tokens`.
    fn covered(&self, tokens: Range<usize>) -> usize {
        overlap(self.background, &tokens)
    }
}

impl Background {
    /// A background read back from its keys and buckets (as [`Background::sorted_keys`] and
    /// [`Background::buckets`] gave them), without per-document masks: what [`BackgroundOf::classify`]
    /// needs for a text that was not among the documents it was learnt from.
    pub(crate) fn from_keys(keys: &[u64], buckets: Vec<BackgroundBucket>) -> Background {
        Background {
            words: 0,
            masks: Vec::new(),
            keys: KeySet::new(keys.iter().copied().collect()),
            buckets,
        }
    }

    /// The (bin, value) keys of the background, `bin << 32 | value`, sorted.
    pub(crate) fn sorted_keys(&self) -> Vec<u64> {
        let mut keys: Vec<u64> = self.keys.set.iter().collect();
        keys.sort_unstable();
        keys
    }

    /// Whether value `value` in bin `bin` is a background key.
    pub(crate) fn is_key(&self, bin: usize, value: u32) -> bool {
        self.keys.contains(bin_key(bin, value))
    }

    /// Mask words per document ([`Background::mask`]).
    pub(crate) fn mask_words(&self) -> usize {
        self.words
    }
}

#[cfg(test)]
mod tests {
    use super::background_tokens;
    use crate::dedup::{verified, words, DedupConfig, Deduper, VerifiedPair};
    use crate::verify::Relation;

    /// Copy classes name the first document of each signature: equal signatures share it, a
    /// signature equal to another in its first values but not whole has its own, an empty one
    /// is its own class.
    #[test]
    fn copy_classes_name_the_first_equal_signature() {
        use crate::minhash::SignatureRef;
        let base: Vec<u32> = (0..128).map(|i| i * 31 + 7).collect();
        let mut late = base.clone();
        late[100] += 1;
        let other: Vec<u32> = (0..128).map(|i| i * 17 + 1).collect();
        let rows: Vec<&[u32]> = vec![&other, &base, &late, &[], &base, &late, &other, &[]];
        let signature = |i: usize| SignatureRef::new(rows[i], u32::from(!rows[i].is_empty()) * 300);
        assert_eq!(
            super::copy_classes(rows.len(), &signature),
            [0, 1, 2, 3, 1, 2, 0, 7]
        );
    }

    /// The filter in front of the key set never changes an answer: every key is found, and no
    /// other value is, though one in twenty passes the filter.
    #[test]
    fn the_key_filter_answers_as_the_set_does() {
        use super::KeySet;
        // (bin, value) keys as `bin << 32 | value`; the others differ from every key in value.
        let key = |i: u64, value: u64| ((i % 128) << 32) | value;
        let keys: ahash::AHashSet<u64> = (0..3_000u64).map(|i| key(i, i * 7)).collect();
        let set = KeySet::new(keys.clone());
        assert!(keys.iter().all(|&k| set.contains(k)));
        let others = (0..100_000u64)
            .map(|i| i * 7 + 3)
            .filter(|k| !keys.contains(k));
        let (mut passed, mut total) = (0, 0);
        for k in others {
            assert!(!set.contains(k), "{k} is no key");
            let at = KeySet::slot(k, set.shift);
            passed += usize::from(set.filter[at / 64] >> (at % 64) & 1 == 1);
            total += 1;
        }
        assert!(
            passed * 8 < total,
            "the filter lets {passed} of {total} through"
        );
        let empty = KeySet::new(Default::default());
        assert!(empty.is_empty() && !empty.contains(0) && !empty.contains(u64::MAX));
    }

    /// Marks made one bit a bin: exactly the bins marked, for each document, across the words.
    #[test]
    fn marks_become_the_masks_of_their_bins() {
        use super::Marks;
        let marks = Marks::new(3, 128);
        marks.band(0, 0, 1);
        marks.band(0, 63, 1);
        marks.band(2, 16, 4);
        marks.band(2, 31, 4);
        assert_eq!(
            marks.into_masks(),
            [1 | 1 << 63, 0, 0, 0, 0, 0xf | 0xf << 60]
        );
        assert!(Marks::new(5, 0).into_masks().is_empty());
    }

    /// A page of site `site`: its navigation (12 words), the body, its footer (`footer` words).
    fn page(site: u64, body: &str, footer: usize) -> String {
        format!(
            "{}\n\n{body}\n\n{}",
            words(1_000 + site, 12),
            words(2_000 + site, footer)
        )
    }

    /// Steps 1-3 of a dedup over `texts`, with the background on or off.
    fn pairs(texts: &[String], boilerplate: bool) -> Vec<VerifiedPair> {
        let config = DedupConfig {
            boilerplate: boilerplate.then(Default::default),
            ..DedupConfig::default()
        };
        verified(&Deduper::new(config), texts).1
    }

    #[test]
    fn pages_that_share_only_their_template_are_not_pairs() {
        // 40 distinct articles of 150 words under one template of 12 + 260 words: two pages
        // share 63% of their shingles, all of them template.
        let texts: Vec<String> = (0..40).map(|i| page(0, &words(i, 150), 260)).collect();
        let raw = pairs(&texts, false);
        assert!(
            raw.len() > 100,
            "the template alone makes pairs: {}",
            raw.len()
        );
        let found = pairs(&texts, true);
        assert!(
            found.is_empty(),
            "{} pairs, first {:?}",
            found.len(),
            found.first()
        );
    }

    #[test]
    fn a_story_syndicated_to_many_sites_is_a_cluster_of_duplicates() {
        // Twelve sites of 30 pages each; one story of 250 words runs on all twelve, inside each
        // site's template of 12 + 90 words.
        let story = words(7, 250);
        let mut texts = Vec::new();
        let mut syndicated = Vec::new();
        for site in 0..12 {
            for i in 0..30 {
                texts.push(page(site, &words(100 + site * 100 + i, 300), 90));
            }
            syndicated.push(texts.len() as u32);
            texts.push(page(site, &story, 90));
        }
        let found = pairs(&texts, true);
        let among = |p: &&VerifiedPair| syndicated.contains(&p.a) && syndicated.contains(&p.b);
        let copies: Vec<&VerifiedPair> = found.iter().filter(among).collect();
        assert_eq!(copies.len(), 12 * 11 / 2, "every pair of copies is found");
        for p in &copies {
            assert_eq!(p.relation, Relation::Duplicate, "{p:?}");
            let raw = p.raw.expect("judged on content");
            assert!(raw.scores.containment_a_in_b < 0.9, "{raw:?}");
            assert!(raw.a_boilerplate > 50 && raw.b_boilerplate > 50, "{raw:?}");
        }
        assert_eq!(
            found.len(),
            copies.len(),
            "nothing else is a pair: {found:?}"
        );
        // Counting every shingle, the templates make the copies derivatives.
        let whole = pairs(&texts, false);
        assert!(whole
            .iter()
            .filter(among)
            .all(|p| p.relation != Relation::Duplicate));
    }

    #[test]
    fn copies_with_related_headlines_run_together_on_one_line_are_duplicates() {
        // Six sites of 30 pages of 200 words; under each body, one line of five headlines (the
        // first eight words of the first 20 pages' articles, run together with no sentence
        // end); one story of 150 words runs on every site, each copy with headlines of its own:
        // the copies are duplicates, their headlines background.
        let article = |site: u64, i: u64| words(100 + site * 100 + i, 200);
        let headline = |j: u64| {
            let text = article(0, j);
            text.split(' ').take(8).collect::<Vec<_>>().join(" ")
        };
        let related = |seed: u64| {
            let picks = (0..5).map(|k| headline(crate::hash::mix64(seed * 8 + k) % 20));
            format!("related stories {}", picks.collect::<Vec<_>>().join("; "))
        };
        let mut texts = Vec::new();
        let mut syndicated = Vec::new();
        for site in 0..6 {
            for i in 0..30 {
                let body = format!("{}\n\n{}", article(site, i), related(site * 30 + i));
                texts.push(page(site, &body, 90));
            }
            syndicated.push(texts.len() as u32);
            let body = format!("{}\n\n{}", words(7, 150), related(1_000 + site));
            texts.push(page(site, &body, 90));
        }
        let found = pairs(&texts, true);
        let among = |p: &&VerifiedPair| syndicated.contains(&p.a) && syndicated.contains(&p.b);
        let copies: Vec<&VerifiedPair> = found.iter().filter(among).collect();
        assert_eq!(copies.len(), 6 * 5 / 2, "every pair of copies is found");
        for p in &copies {
            assert_eq!(p.relation, Relation::Duplicate, "{p:?}");
        }
    }

    #[test]
    fn a_copy_is_measured_on_its_body_without_the_words_that_join_it_to_the_template() {
        // Two sites of 25 pages; site 1 carries the first 70 words of site 0's first article.
        // The shingles that run from an article's last words into its footer are in no other
        // page: counted as content, they would put the excerpt 66 of 70 inside the article.
        let mut texts: Vec<String> = (0..50)
            .map(|i| page(i / 25, &words(300 + i, 100), 120))
            .collect();
        let article = words(300, 100);
        let excerpt: Vec<&str> = article.split(' ').take(70).collect();
        texts.push(page(1, &excerpt.join(" "), 120));
        let found = pairs(&texts, true);
        assert_eq!(found.len(), 1, "{found:?}");
        let p = found[0];
        assert_eq!((p.a, p.b), (0, 50));
        // On the bodies: the article's 96 shingles, the excerpt's 66, all of them the article's.
        assert_eq!(
            (p.scores.a_shingles, p.scores.b_shingles),
            (96, 66),
            "{p:?}"
        );
        assert_eq!(p.scores.containment_b_in_a, 1.0, "{p:?}");
    }

    #[test]
    fn a_copy_is_read_through_the_lines_its_site_puts_into_the_article() {
        // Two sites of 25 pages of three paragraphs; site 1 carries site 0's first story with an
        // `Advertisement` line after its first paragraph and a `READ MORE:` line after its
        // second. Read through them, the copy has the story's shingles exactly.
        let story = |seed: u64| -> [String; 3] {
            [0, 1, 2].map(|p| format!("{}.", words(seed * 10 + p, 40)))
        };
        let body = |s: &[String; 3]| s.join("\n\n");
        let mut texts: Vec<String> = (0..50)
            .map(|i| page(i / 25, &body(&story(300 + i)), 120))
            .collect();
        let [p1, p2, p3] = story(300);
        let copy = format!(
            "{p1}\n\nAdvertisement\n\n{p2}\n\nREAD MORE: {}\n\n{p3}",
            words(7, 10)
        );
        texts.push(page(1, &copy, 120));
        let found = pairs(&texts, true);
        assert_eq!(found.len(), 1, "{found:?}");
        let p = found[0];
        assert_eq!(
            (p.a, p.b, p.relation),
            (0, 50, Relation::Duplicate),
            "{p:?}"
        );
        // 120 words in three lines: 116 shingles.
        assert_eq!(
            (p.scores.a_shingles, p.scores.b_shingles),
            (116, 116),
            "{p:?}"
        );
        assert_eq!(p.scores.shared, 116, "{p:?}");
        // A line of the article's own between two paragraphs (a heading) is read through in
        // every copy alike: a story under one and its copy under the same stay duplicates.
        let headed = format!("{p1}\n\nWhat comes next\n\n{p2}\n\n{p3}");
        texts[0] = page(0, &headed, 120);
        texts[50] = page(1, &headed, 120);
        let found = pairs(&texts, true);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].relation, Relation::Duplicate, "{:?}", found[0]);
        assert_eq!(found[0].scores.containment_a_in_b, 1.0, "{:?}", found[0]);
    }

    #[test]
    fn a_short_story_on_two_sites_is_judged_on_the_story_not_on_the_templates() {
        // Two sites of 25 pages of 150 words under 12 + 180 words of template; the first page of
        // each site is one story of 24 words, under a tenth of either page.
        let mut texts: Vec<String> = (0..50)
            .map(|i| page(i / 25, &words(300 + i, 150), 180))
            .collect();
        let story = format!("{}.", words(77, 24));
        texts[0] = page(0, &story, 180);
        texts[25] = page(1, &story, 180);
        let found = pairs(&texts, true);
        assert_eq!(found.len(), 1, "{found:?}");
        let p = found[0];
        assert_eq!(
            (p.a, p.b, p.relation),
            (0, 25, Relation::Duplicate),
            "{p:?}"
        );
        assert_eq!(p.scores.shared, 20, "the story's shingles: {p:?}");
        // Two pages of one site with a few words each under its template are still judged on
        // their whole texts: duplicates.
        texts[1] = page(0, "Updated 3 March.", 180);
        texts[2] = page(0, "Updated 4 March.", 180);
        let found = pairs(&texts, true);
        let template = found.iter().find(|p| (p.a, p.b) == (1, 2));
        assert_eq!(
            template.map(|p| p.relation),
            Some(Relation::Duplicate),
            "{found:?}"
        );
    }

    #[test]
    fn a_repost_onto_another_site_is_measured_on_the_article() {
        // Two sites of 25 pages; site 1 reposts site 0's first article with its first 60% and a
        // comment of 20 words.
        let mut texts: Vec<String> = (0..50)
            .map(|i| page(i / 25, &words(300 + i, 250), 120))
            .collect();
        let article = words(300, 250);
        let kept: Vec<&str> = article.split(' ').take(150).collect();
        let repost = format!("{} {}", kept.join(" "), words(9, 20));
        texts.push(page(1, &repost, 120));
        let found = pairs(&texts, true);
        assert_eq!(found.len(), 1, "{found:?}");
        let p = found[0];
        assert_eq!((p.a, p.b, p.relation), (0, 50, Relation::Derivative));
        assert_eq!(p.derivation(), Some((50, 0)), "the repost is the copy");
        // On the bodies: 146 of the repost's 166 shingles are the article's.
        assert!(
            (p.scores.containment_b_in_a - 146.0 / 166.0).abs() < 0.05,
            "{p:?}"
        );
    }

    #[test]
    fn licences_quoted_by_many_files_are_mostly_background_and_copies_stay_duplicates() {
        // 90 files, each its own header of 40 words and one of three licences of 150 words (the
        // licence is four fifths of a file), ten exact copies of files, and the three licences
        // alone.
        let licences: Vec<String> = (0..3).map(|l| words(50 + l, 150)).collect();
        let mut texts: Vec<String> = (0..90)
            .map(|i| format!("{}\n\n{}", words(600 + i, 40), licences[i as usize % 3]))
            .collect();
        let copied: Vec<usize> = (0..10).map(|i| i * 9).collect();
        for &i in &copied {
            texts.push(texts[i].clone());
        }
        texts.extend(licences.iter().cloned());
        let raw = pairs(&texts, false);
        assert!(
            raw.len() > 1000,
            "the licences alone make pairs: {}",
            raw.len()
        );
        let found = pairs(&texts, true);
        let copy_pairs: Vec<(u32, u32)> = copied
            .iter()
            .enumerate()
            .map(|(k, &i)| (i as u32, 90 + k as u32))
            .collect();
        for pair in &copy_pairs {
            let p = found
                .iter()
                .find(|p| (p.a, p.b) == *pair)
                .expect("a copy is found");
            assert_eq!(p.relation, Relation::Duplicate, "{p:?}");
        }
        // Of the pairs that share only a licence, fewer than half are left (none with the own
        // share of small buckets in the large ones too). The rest are a limit: a licence's bins
        // that escape its template still link two files, measured on the few bins left.
        let (others, licence_only) = (found.len() - copy_pairs.len(), raw.len() - copy_pairs.len());
        assert!(2 * others < licence_only, "{others} of {licence_only} left");
    }

    #[test]
    fn a_corpus_that_is_all_template_is_all_duplicates() {
        // 30 pages identical but for their date.
        let template = words(5, 200);
        let texts: Vec<String> = (0..30)
            .map(|i| format!("Published {} March 2024. {template}", i + 1))
            .collect();
        let found = pairs(&texts, true);
        assert_eq!(found.len(), 30 * 29 / 2);
        assert!(found.iter().all(|p| p.relation == Relation::Duplicate));
        assert!(
            found.iter().all(|p| p.raw.is_none()),
            "nothing is background"
        );
    }

    #[test]
    fn one_or_two_documents_behave_as_without_background() {
        let article = words(11, 300);
        let copy = format!("{article} and one more line");
        for texts in [vec![article.clone()], vec![article.clone(), copy]] {
            assert_eq!(pairs(&texts, true), pairs(&texts, false));
        }
    }

    #[test]
    fn the_byte_prints_estimate_what_the_signatures_do() {
        use super::{masked_estimates, print_containment};
        use crate::minhash::SignatureRef;
        // Two signatures of 100 bins (not a multiple of 8 or 64) agreeing in every third bin,
        // the others differing in their high bytes only, then in every byte.
        let a: Vec<u32> = (0..100u32).map(|i| i.wrapping_mul(2_654_435_761)).collect();
        for differ in [0x0100_0000u32, 0x0101_0101] {
            let b: Vec<u32> = a
                .iter()
                .enumerate()
                .map(|(i, &v)| if i % 3 == 0 { v } else { v ^ differ })
                .collect();
            let (sa, sb) = (SignatureRef::new(&a, 400), SignatureRef::new(&b, 250));
            let masks = [[0u64, 0], [0xf0f0_f0f0_f0f0_f0f0, 0x0f], [u64::MAX, 0]];
            for ma in &masks {
                for mb in &masks {
                    let pa: Vec<u8> = a.iter().map(|&v| v as u8).collect();
                    let pb: Vec<u8> = b.iter().map(|&v| v as u8).collect();
                    let exact = masked_estimates(sa, sb, ma, mb).map(|(_, c)| c);
                    let printed = print_containment(&pa, &pb, 400, 250, ma, mb);
                    if differ & 0xff == 0 {
                        // Equal low bytes: the prints see every bin agree, as for a copy of `a`.
                        let copy = SignatureRef::new(&a, 250);
                        let all = masked_estimates(sa, copy, ma, mb).map(|(_, c)| c);
                        assert_eq!(printed, all, "masks {ma:x?} {mb:x?}");
                    } else {
                        assert_eq!(printed, exact, "masks {ma:x?} {mb:x?}");
                    }
                }
            }
        }
    }

    /// A block of short lines whose first lines are template (navigation, byline, a headline
    /// that other pages quote) is background as a whole, but for its sentences: an article's
    /// one-sentence lead paragraphs stay its own, while a list of headlines goes with the block.
    #[test]
    fn a_block_of_short_lines_keeps_its_sentences() {
        const BACKGROUND: u8 = 2;
        // Navigation, byline and headline (background), three short lead lines (content), then
        // running prose.
        let lines = [0..9, 9..16, 16..25, 25..40, 40..55, 55..70, 70..110];
        let smoothed = |prose: &[bool]| {
            let mut status = vec![1u8; 110];
            status[..25].fill(BACKGROUND);
            super::smooth_lines(&mut status, (&lines, prose), 5, BACKGROUND);
            status
        };
        let leads = smoothed(&[false, false, false, true, true, true, true]);
        assert!(leads[..25].iter().all(|&s| s == BACKGROUND));
        assert!(leads[25..].iter().all(|&s| s != BACKGROUND), "{leads:?}");
        let headlines = smoothed(&[false; 7]);
        assert!(headlines[..70].iter().all(|&s| s == BACKGROUND));
        assert!(headlines[70..].iter().all(|&s| s != BACKGROUND));
    }

    /// A list of lines that end no sentence between an article's last paragraph and its footer
    /// (the related stories of a short article, whose quoted headlines are evidence line by
    /// line) is background; the same list under no prose (a page that is a table of results),
    /// or holding a sentence, is not.
    #[test]
    fn a_list_between_an_article_and_its_footer_is_the_pages_not_the_storys() {
        const BACKGROUND: u8 = 2;
        // A paragraph of 40 tokens, a heading of two, three lines of ten, a footer of 40.
        let lines = [0..40, 40..42, 42..52, 52..62, 62..72, 72..112];
        let smoothed = |prose: [bool; 6]| {
            let mut status = vec![1u8; 112];
            status[72..].fill(BACKGROUND);
            super::smooth_lines(&mut status, (&lines, &prose), 5, BACKGROUND);
            status
        };
        let related = smoothed([true, false, false, false, false, false]);
        assert!(
            related[..40].iter().all(|&s| s != BACKGROUND),
            "{related:?}"
        );
        assert!(
            related[40..].iter().all(|&s| s == BACKGROUND),
            "{related:?}"
        );
        let table = smoothed([false; 6]);
        assert!(table[..72].iter().all(|&s| s != BACKGROUND), "{table:?}");
        let sentence = smoothed([true, false, false, true, false, false]);
        assert!(
            sentence[40..72].iter().all(|&s| s != BACKGROUND),
            "{sentence:?}"
        );
    }

    /// Gaps between background shingles are filled where lines meet and inside a line that
    /// ends no sentence (the words where two related headlines meet), not inside prose (the
    /// words between two stock phrases).
    #[test]
    fn gaps_are_filled_across_lines_and_in_lines_of_links_but_not_in_prose() {
        const BACKGROUND: u8 = 2;
        // Two lines of 40 tokens; in each, background shingles with a gap of four between them;
        // a gap of four across the line break too.
        let lines = [0..40, 40..80];
        let filled = |prose: [bool; 2]| {
            let mut status = vec![1u8; 80];
            for run in [10..20, 24..36, 50..60, 64..70] {
                status[run].fill(BACKGROUND);
            }
            super::fill_gaps(
                &mut status,
                (&lines, &prose),
                5,
                &mut Vec::new(),
                BACKGROUND,
            );
            status
        };
        let prose = filled([true, true]);
        assert_eq!(prose[20..24], [1; 4], "{prose:?}");
        assert_eq!(prose[60..64], [1; 4]);
        assert_eq!(prose[36..40], [1; 4], "a gap longer than five");
        let links = filled([false, true]);
        assert!(links[10..36].iter().all(|&s| s == BACKGROUND), "{links:?}");
        assert_eq!(links[60..64], [1; 4], "the prose line keeps its own words");
        assert_eq!(
            links[..10],
            [1; 10],
            "no gap before the first background shingle"
        );
    }

    /// A long line that ends no sentence and is mostly background (related headlines run
    /// together on one line: the quoted headlines background, the words where two meet the
    /// page's own) is background as a whole; a paragraph of prose as long, with the same
    /// shingles background, keeps its own words.
    #[test]
    fn a_long_line_of_links_is_judged_whole_but_prose_is_not() {
        const BACKGROUND: u8 = 2;
        // The article (40 tokens), the related line (32 tokens), the footer (20 tokens).
        let lines = [0..40, 40..72, 72..92];
        let smoothed = |related_is_prose: bool| {
            let mut status = vec![1u8; 92];
            // Three quoted headlines of ten words, with content between them.
            for h in [42..50, 52..60, 62..70] {
                status[h].fill(BACKGROUND);
            }
            status[72..].fill(BACKGROUND);
            let prose = [true, related_is_prose, true];
            super::smooth_lines(&mut status, (&lines, &prose), 5, BACKGROUND);
            status
        };
        let links = smoothed(false);
        assert!(links[40..72].iter().all(|&s| s == BACKGROUND), "{links:?}");
        assert!(links[..40].iter().all(|&s| s != BACKGROUND));
        let prose = smoothed(true);
        assert_eq!(prose[50..52], [1, 1], "{prose:?}");
        assert_eq!(prose[40..42], [1, 1]);
        // Fewer than half of the line's shingles background, but most of its words inside them.
        let mut sparse = vec![1u8; 92];
        for h in [42..46, 52..56, 62..66] {
            sparse[h].fill(BACKGROUND);
        }
        super::smooth_lines(&mut sparse, (&lines, &[true, false, true]), 5, BACKGROUND);
        assert!(
            sparse[40..72].iter().all(|&s| s == BACKGROUND),
            "{sparse:?}"
        );
    }

    /// Buckets of two documents vote before they are measured and are settled after the vote:
    /// a pair that meets in a few bands only (two texts that share a phrase) is no candidate and
    /// has those bands marked as background for both, each a background bucket; a repost and
    /// its source, alone in many buckets, are a candidate with every one of those votes.
    #[test]
    fn buckets_of_two_are_settled_after_the_vote() {
        use super::{candidates_and_background, BoilerplateParams};
        use crate::hash::mix64;
        use crate::lsh::{LshParams, LshTarget};
        use crate::minhash::{MinHasher, Signature};
        let hasher = MinHasher::default();
        let lsh = LshParams::for_thresholds(&LshTarget::default(), 128);
        let set = |from: u64, n: u64| -> Vec<u64> { (from..from + n).map(mix64).collect() };
        // 60 unrelated texts of 400 shingles; text 60 shares 12 shingles with text 61 (a
        // phrase); text 63 is 300 shingles of text 62 and 100 of its own.
        let mut sets: Vec<Vec<u64>> = (0..60).map(|i| set(1_000_000 * (i + 1), 400)).collect();
        let (phrase, article) = (set(500_000_000, 12), set(600_000_000, 400));
        sets.push([phrase.clone(), set(700_000_000, 388)].concat());
        sets.push([phrase, set(800_000_000, 388)].concat());
        sets.push(article.clone());
        sets.push([article[..300].to_vec(), set(900_000_000, 100)].concat());
        let signatures: Vec<Signature> = sets.iter().map(|s| hasher.sign(s)).collect();
        let (pairs, background) = candidates_and_background(
            signatures.len(),
            |i| signatures[i].view(),
            &lsh,
            BoilerplateParams::default(),
            0.6,
        );
        // The bands where exactly two documents share the key.
        let alone = |a: usize, b: usize| -> Vec<usize> {
            (0..lsh.bands)
                .filter(|&band| {
                    let key = |i: usize| signatures[i].values()[band];
                    key(a) == key(b)
                        && (0..signatures.len()).all(|i| i == a || i == b || key(i) != key(a))
                })
                .collect()
        };
        let (copied, shared) = (alone(62, 63), alone(60, 61));
        assert!(copied.len() >= 40, "{copied:?}");
        assert!(
            !shared.is_empty() && shared.len() < lsh.min_votes,
            "{shared:?}"
        );
        let votes = |a: u32, b: u32| pairs.iter().find(|p| (p.0, p.1) == (a, b)).map(|p| p.2);
        assert_eq!(votes(62, 63), Some(copied.len() as u32));
        assert_eq!(votes(60, 61), None);
        let marked =
            |doc: u32, band: usize| background.mask(doc)[band / 64] >> (band % 64) & 1 == 1;
        for &band in &shared {
            assert!(marked(60, band) && marked(61, band), "band {band}");
            assert!(background
                .buckets()
                .iter()
                .any(|b| (b.band as usize, b.first, b.docs) == (band, 60, 2)));
        }
        assert!(copied
            .iter()
            .all(|&band| !marked(62, band) && !marked(63, band)));
    }

    #[test]
    fn background_runs_stop_where_a_line_of_prose_begins_or_ends() {
        // Shingles of 5 tokens. A template line of 6 tokens, then a line of 8.
        let lines = [0..6, 6..14];
        // The two shingles that straddle the break are background too.
        let runs = std::slice::from_ref(&(0..4));
        let of = |prose: [bool; 2]| background_tokens(runs, 5, 14, (&lines, &prose));
        // A sentence under the template keeps its first words (its own shingles cover them)...
        assert_eq!(of([false, true]), vec![0..6]);
        // ...a line that ends no sentence (a byline, a date line) goes with the template.
        assert_eq!(of([false, false]), vec![0..8]);
        // A line too short to hold a shingle of its own goes with the template too.
        let short = [0..6, 6..9, 9..16];
        assert_eq!(
            background_tokens(runs, 5, 16, (&short, &[false, true, true])),
            vec![0..8]
        );
        // A line of prose above a footer keeps its last words; the footer runs to the end.
        let lines = [0..8, 8..14];
        let runs = std::slice::from_ref(&(5..10));
        assert_eq!(
            background_tokens(runs, 5, 14, (&lines, &[true, false])),
            vec![8..14]
        );
        assert_eq!(
            background_tokens(runs, 5, 14, (&lines, &[false, false])),
            vec![5..14]
        );
        // A run inside one line of prose (a stock phrase) reaches its k - 1 tokens as before.
        let (run, line) = (3..6, 0..20);
        assert_eq!(
            background_tokens(
                std::slice::from_ref(&run),
                5,
                20,
                (std::slice::from_ref(&line), &[true])
            ),
            vec![3..10]
        );
    }

    #[test]
    fn stock_phrases_strung_into_prose_are_the_texts_own() {
        // Four phrases of ten words in one line of 40 tokens: each phrase's six shingles are
        // background, the four where two phrases meet are content.
        let runs = [0..6, 10..16, 20..26, 30..36];
        let line = std::slice::from_ref(&(0..40));
        let of = |prose: bool| background_tokens(&runs, 5, 40, (line, &[prose]));
        // In running prose the line is the text's own: a third of its shingles are its own.
        assert!(of(true).is_empty());
        // A line that ends no sentence (a row of quoted headlines) stays background.
        assert_eq!(of(false), vec![0..40]);
        // One stock phrase in a sentence stays background, as do phrases that meet with no
        // shingle of the text's own between them (their junctions recur with them).
        let one = std::slice::from_ref(&(10..16));
        assert_eq!(background_tokens(one, 5, 40, (line, &[true])), vec![10..20]);
        let joined = std::slice::from_ref(&(0..36));
        assert_eq!(
            background_tokens(joined, 5, 40, (line, &[true])),
            vec![0..40]
        );
        // Only the stitched line goes: a template line above it keeps its background.
        let lines = [0..8, 8..48];
        let runs = [0..4, 8..14, 18..24, 28..34, 38..44];
        assert_eq!(
            background_tokens(&runs, 5, 48, (&lines, &[false, true])),
            vec![0..8]
        );
    }
}
