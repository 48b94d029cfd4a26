//! LSH: MinHash signatures in, candidate pairs out, with banding chosen from the thresholds.
//!
//! A signature is cut into `bands` bands of `rows` values; two documents collide in a band when all
//! its values agree, which for Jaccard similarity `s` happens with probability `s^rows`. Classic LSH
//! makes a pair a candidate on one collision; here a pair needs `min_votes` colliding bands, so the
//! chance of becoming a candidate is the binomial tail `P(Bin(bands, s^rows) >= min_votes)`. Votes
//! give the S-curve a steep knee even with one-row bands, which is what containment needs.
//!
//! Containment. A short repost mostly inside a long article has a low Jaccard: with containment `c`
//! of the smaller document in a larger one `ratio` times its size, `J = c / (1 + ratio - c)` (the
//! seeds: c = 0.81, ratio 2.5, J = 0.30). So the index targets the *effective* Jaccard threshold
//! `min(jaccard, c / (1 + max_ratio - c))` ([`effective_jaccard`]); pairs whose sizes differ by up
//! to `max_ratio` keep their recall guarantee, and beyond it recall degrades gracefully (a short
//! excerpt of a very long text still collides in many bands when its containment is high).
//! [`LshParams::for_thresholds`] then picks `(rows, bands, min_votes)` the way datasketch picks its
//! banding, by minimising the weighted areas of false positives (below the threshold) and false
//! negatives (above it) under the S-curve, but only among settings that reach `recall` at the
//! threshold itself.
//!
//! Two ways to use it: [`candidate_pairs`] finds all pairs of a batch of signatures by sorting
//! each band's keys (linear memory, no hash map of buckets), and [`LshIndex`] is an incremental
//! index with `insert` and `query` for checking documents against a collection. Band keys whose
//! bucket holds more than [`LshParams::max_bucket`] documents (boilerplate, or a giant cluster of
//! copies) vote only between each member and the bucket's first document, so the work stays linear
//! in the bucket size instead of quadratic.

use ahash::AHashMap;

use crate::hash::mix64;
use crate::minhash::{Signature, SignatureRef};
use crate::shingle::insertion_sort;
use crate::verify::{DEFAULT_CONTAINMENT, DEFAULT_JACCARD};

/// Banding of an LSH index.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LshParams {
    /// Signature values per band.
    pub rows: usize,
    /// Number of bands (`rows * bands` is at most the signature length).
    pub bands: usize,
    /// Colliding bands needed to make a pair a candidate.
    pub min_votes: usize,
    /// Buckets larger than this vote as a star around their first member (see the module docs).
    pub max_bucket: usize,
}

/// What the banding is optimised for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LshTarget {
    /// Jaccard threshold: pairs at or above it must be found.
    pub jaccard: f64,
    /// Containment threshold: pairs where this share of one document is in the other must be found.
    pub containment: f64,
    /// Largest size ratio of a contained pair for which recall is guaranteed.
    pub max_ratio: f64,
    /// Probability of finding a pair exactly at the effective threshold.
    pub recall: f64,
    /// Weight of the false-positive area in the objective (the false-negative weight is 1 minus it).
    pub fp_weight: f64,
}

impl Default for LshTarget {
    fn default() -> Self {
        LshTarget {
            jaccard: DEFAULT_JACCARD,
            containment: DEFAULT_CONTAINMENT,
            max_ratio: DEFAULT_MAX_RATIO,
            recall: 0.995,
            fp_weight: 0.5,
        }
    }
}

/// Default [`LshTarget::max_ratio`].
pub const DEFAULT_MAX_RATIO: f64 = 6.0;

/// Default bucket size past which a bucket votes as a star.
pub const DEFAULT_MAX_BUCKET: usize = 256;

/// The lowest Jaccard similarity of a pair that meets either threshold, for pairs whose sizes
/// differ by at most `max_ratio`.
pub fn effective_jaccard(jaccard: f64, containment: f64, max_ratio: f64) -> f64 {
    let c = containment.clamp(0.0, 1.0);
    let ratio = max_ratio.max(1.0);
    jaccard.min(c / (1.0 + ratio - c))
}

/// `P(Bin(n, p) >= k)` for every `k` up to `min(n, 32)` (and no further), into `tails`: the
/// values [`binomial_tail`] gives one by one, from one pass over the terms.
fn binomial_tails(n: usize, p: f64, tails: &mut Vec<f64>) {
    let most = n.min(32);
    tails.clear();
    tails.push(1.0);
    if p <= 0.0 || p >= 1.0 {
        tails.extend((1..=most).map(|_| if p >= 1.0 { 1.0 } else { 0.0 }));
        return;
    }
    tails.extend(
        lower_sums(n, p)
            .take(most)
            .map(|below| (1.0 - below).clamp(0.0, 1.0)),
    );
}

/// `P(Bin(n, p) >= k)`.
fn binomial_tail(n: usize, p: f64, k: usize) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if k > n || p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    let below = lower_sums(n, p).nth(k - 1).expect("k <= n");
    (1.0 - below).clamp(0.0, 1.0)
}

/// `P(Bin(n, p) < k)` for `k = 1, 2, ..., n`, for `0 < p < 1`: the sums of the pmf terms, each
/// term built from the one before by the ratio of successive pmf values.
fn lower_sums(n: usize, p: f64) -> impl Iterator<Item = f64> {
    let q = 1.0 - p;
    let mut term = q.powi(n as i32);
    let mut below = 0.0;
    (0..n).map(move |i| {
        below += term;
        term *= (n - i) as f64 / (i + 1) as f64 * p / q;
        below
    })
}

impl LshParams {
    /// Probability that a pair of Jaccard similarity `s` becomes a candidate.
    pub fn probability(&self, s: f64) -> f64 {
        binomial_tail(
            self.bands,
            s.clamp(0.0, 1.0).powi(self.rows as i32),
            self.min_votes,
        )
    }

    /// The banding for `target` with signatures of `num_perm` values.
    pub fn for_thresholds(target: &LshTarget, num_perm: usize) -> LshParams {
        let threshold = effective_jaccard(target.jaccard, target.containment, target.max_ratio);
        let steps = 200;
        let mut best: Option<(f64, LshParams)> = None;
        let mut fallback: Option<(f64, LshParams)> = None;
        let mut tails = Vec::new();
        for rows in 1..=8.min(num_perm.max(1)) {
            let bands = num_perm / rows;
            let most_votes = bands.min(32);
            // The areas under the S-curve (false positives) below the threshold and above it
            // (false negatives), for every number of votes at once: each sample point's tail
            // probabilities come from one pass over the binomial terms.
            let mut area = |from: f64, to: f64, misses: bool| -> Vec<f64> {
                let h = (to - from) / steps as f64;
                let mut sums = vec![0.0; most_votes + 1];
                for i in 0..steps {
                    let s = from + (i as f64 + 0.5) * h;
                    binomial_tails(bands, s.clamp(0.0, 1.0).powi(rows as i32), &mut tails);
                    for (sum, &pr) in sums.iter_mut().zip(&tails).skip(1) {
                        *sum += if misses { 1.0 - pr } else { pr };
                    }
                }
                sums.into_iter().map(|sum| sum * h).collect()
            };
            let below = area(0.0, threshold, false);
            let above = area(threshold, 1.0, true);
            for min_votes in 1..=most_votes {
                let p = LshParams {
                    rows,
                    bands,
                    min_votes,
                    max_bucket: DEFAULT_MAX_BUCKET,
                };
                let cost = target.fp_weight * below[min_votes]
                    + (1.0 - target.fp_weight) * above[min_votes];
                let at = p.probability(threshold);
                if at >= target.recall && best.is_none_or(|(c, _)| cost < c) {
                    best = Some((cost, p));
                }
                // Without a setting that reaches the recall, the one closest to it.
                if fallback.is_none_or(|(r, _)| at > r) {
                    fallback = Some((at, p));
                }
            }
        }
        best.or(fallback)
            .map(|(_, p)| p)
            .expect("at least one setting")
    }

    /// The key of one band of a signature: the value itself for one-row bands, a stable 32-bit
    /// mix of the values otherwise (a rare accidental collision only adds one vote).
    #[inline]
    pub fn band_key(&self, values: &[u32], band: usize) -> u32 {
        let rows = &values[band * self.rows..(band + 1) * self.rows];
        match rows {
            [v] => *v,
            _ => {
                (rows
                    .iter()
                    .fold(0u64, |h, &v| mix64(h ^ u64::from(v)).rotate_left(17))
                    >> 32) as u32
            }
        }
    }
}

/// Calls `run` on each group of two or more packed `key << 32 | id` entries with equal keys, with
/// ids in increasing order (the order of `entries` when it was built with increasing ids);
/// `entries` is left in some order. A multiplicative hash of the key numbers about one bucket
/// per entry, the entries are scattered by bucket with stable counting passes, and only the rare
/// bucket that mixes keys is sorted: no pass over the entries compares them.
///
/// One scatter over all the buckets would write at random into a table far larger than the cache
/// once there are more than a few tens of thousands of entries, so large inputs are scattered
/// twice: first by the high bits of the bucket number into partitions of a few thousand entries
/// (a few hundred sequential write streams), then each partition, now in cache, by the low bits.
/// Before that, the entries whose key is certainly unique (most of them, in a band of unrelated
/// documents) are dropped ([`drop_singletons`]), so the scatters move a fraction of the input.
/// `tmp` and `counts` are buffers reused between calls.
fn for_each_run(
    entries: &mut [u64],
    tmp: &mut Vec<u64>,
    counts: &mut Vec<u32>,
    mut run: impl FnMut(&[u64]),
) {
    /// Bucket-number bits resolved within a partition: a 64 KiB count table.
    const LOCAL_BITS: u32 = 14;
    let mut n = entries.len();
    // Below a few thousand entries the filter costs more than it saves.
    if n > 1 << 12 {
        n = drop_singletons(entries, tmp);
    }
    let entries = &mut entries[..n];
    if n < 2 {
        return;
    }
    let bits = (usize::BITS - n.leading_zeros()).clamp(1, 30);
    let bucket = |e: u64| ((e >> 32) as u32).wrapping_mul(0x9e37_79b1) >> (32 - bits);
    // Every slot is written by a scatter: a buffer of the right length is not cleared first.
    tmp.resize(n, 0);
    counts.clear();
    if bits <= LOCAL_BITS + 2 {
        counts.resize(1 << bits, 0);
        scatter(entries, tmp, counts, |e| bucket(e) as usize);
        runs_of_buckets(tmp, counts, &mut run);
        return;
    }
    let local_len = 1 << LOCAL_BITS;
    counts.resize((1 << (bits - LOCAL_BITS)) + local_len, 0);
    let (parts, local) = counts.split_at_mut(1 << (bits - LOCAL_BITS));
    scatter(entries, tmp, parts, |e| (bucket(e) >> LOCAL_BITS) as usize);
    let low = (1 << LOCAL_BITS) - 1;
    let mut start = 0;
    for &end in parts.iter() {
        let end = end as usize;
        local.fill(0);
        let (from, to) = (&tmp[start..end], &mut entries[start..end]);
        scatter(from, to, local, |e| (bucket(e) & low) as usize);
        runs_of_buckets(to, local, &mut run);
        start = end;
    }
}

/// Moves the entries whose key another entry may share to the front of `entries`, in their
/// order, and returns how many there are. Each key sets its bit in a `once` bitmap, and in a
/// `twice` bitmap when that bit was already set; with four to eight bits per entry both bitmaps
/// stay in cache, and a unique key is kept only when another key hit its bit (one in four to
/// eight).
/// `bitmaps` is a buffer reused between calls.
fn drop_singletons(entries: &mut [u64], bitmaps: &mut Vec<u64>) -> usize {
    let n = entries.len();
    let bits = (usize::BITS - n.leading_zeros() + 2).clamp(7, 32);
    let words = 1 << (bits - 6);
    bitmaps.clear();
    bitmaps.resize(2 * words, 0);
    // The two bitmaps interleaved, word by word, so that an entry touches one cache line.
    let pairs = bitmaps.as_chunks_mut::<2>().0;
    let bit = |e: u64| {
        let b = ((e >> 32) as u32).wrapping_mul(0x85eb_ca6b) >> (32 - bits);
        (b as usize >> 6, 1u64 << (b & 63))
    };
    for &e in entries.iter() {
        let (w, m) = bit(e);
        let [once, twice] = &mut pairs[w];
        *twice |= *once & m;
        *once |= m;
    }
    let mut kept = 0;
    for i in 0..n {
        let e = entries[i];
        let (w, m) = bit(e);
        entries[kept] = e;
        kept += usize::from(pairs[w][1] & m != 0);
    }
    kept
}

/// Counting scatter of `from` into `to` (of the same length) by `slot`, stable; `counts` (one
/// zeroed slot per value of `slot`) ends as the end offset of each slot's run in `to`.
#[inline]
fn scatter(from: &[u64], to: &mut [u64], counts: &mut [u32], slot: impl Fn(u64) -> usize) {
    for &e in from {
        counts[slot(e)] += 1;
    }
    let mut at = 0;
    for c in counts.iter_mut() {
        let size = *c;
        *c = at;
        at += size;
    }
    for &e in from {
        let c = &mut counts[slot(e)];
        to[*c as usize] = e;
        *c += 1;
    }
}

/// The runs of equal keys within each bucket of `v` that `ends` (as left by [`scatter`])
/// delimits. A bucket almost always holds one key; one that mixes keys is sorted first.
#[inline]
fn runs_of_buckets(v: &mut [u64], ends: &[u32], run: &mut impl FnMut(&[u64])) {
    let mut start = 0;
    for &end in ends {
        let end = end as usize;
        if end - start >= 2 {
            let bucket = &mut v[start..end];
            let key = bucket[0] >> 32;
            if bucket.iter().all(|&e| e >> 32 == key) {
                run(bucket);
            } else {
                match bucket.len() {
                    2..=16 => insertion_sort(bucket),
                    // A giant bucket of copies, sharing its slot with another key.
                    _ => bucket.sort_unstable(),
                }
                for r in bucket.chunk_by(|x, y| x >> 32 == y >> 32) {
                    if r.len() >= 2 {
                        run(r);
                    }
                }
            }
        }
        start = end;
    }
}

/// Candidate pairs `(i, j)`, `i < j`, among `signatures`, each with its number of colliding bands.
/// Empty signatures are never candidates. Work is linear in the number of signatures per band plus
/// the colliding pairs; memory is the keys of one group of 16 bands per thread (16 entries of 8
/// bytes a signature) plus the vote counts.
pub fn candidate_pairs(signatures: &[Signature], params: &LshParams) -> Vec<(u32, u32, u32)> {
    candidate_pairs_by(signatures.len(), |i| signatures[i].view(), params)
}

/// [`candidate_pairs`] over `n` signatures given by an accessor.
pub fn candidate_pairs_by<'s, F>(n: usize, signature: F, params: &LshParams) -> Vec<(u32, u32, u32)>
where
    F: Fn(usize) -> SignatureRef<'s> + Sync,
{
    let maps = for_each_band_run(n, signature, params, AHashMap::new, |map, _, run| {
        vote_run(run, |e| e as u32, params, map)
    });
    collect_votes(maps.into_iter(), params)
}

/// The buckets of two or more documents of every band, grouped once ([`for_each_band_run`]) and
/// kept, so that several sweeps can read them without grouping the bands again: the sweeps of
/// [`crate::boilerplate`]. Memory is four bytes per document in such a bucket per band, and
/// sixteen per bucket; a band of unrelated documents has almost none.
#[derive(Debug, Default)]
pub(crate) struct BandRuns {
    /// One part per split of the bands between threads.
    parts: Vec<RunPart>,
}

#[derive(Debug, Default)]
struct RunPart {
    /// The members of the part's buckets, bucket after bucket, ids in increasing order.
    ids: Vec<u32>,
    runs: Vec<Run>,
}

/// One bucket: its band, its key and where its members are in its part's `ids`.
#[derive(Clone, Copy, Debug)]
struct Run {
    band: u32,
    key: u32,
    start: u32,
    len: u32,
}

impl BandRuns {
    /// Groups the bands of `n` signatures.
    pub(crate) fn new<'s, F>(n: usize, signature: F, params: &LshParams) -> BandRuns
    where
        F: Fn(usize) -> SignatureRef<'s> + Sync,
    {
        let parts = for_each_band_run(n, signature, params, RunPart::default, |part, band, run| {
            let start = u32::try_from(part.ids.len()).expect("too many bucket members for u32");
            part.ids.extend(run.iter().map(|&e| e as u32));
            part.runs.push(Run {
                band: band as u32,
                key: (run[0] >> 32) as u32,
                start,
                len: run.len() as u32,
            });
        });
        BandRuns { parts }
    }

    /// Calls `visit(state, band, key, ids)` on every bucket (`ids` in increasing order), in
    /// parallel, and returns the states (made by `init`): one per thread, each given buckets of
    /// about as many members as the others.
    pub(crate) fn for_each<S, I, G>(&self, init: I, visit: G) -> Vec<S>
    where
        S: Send,
        I: Fn() -> S + Sync + Send,
        G: Fn(&mut S, usize, u32, &[u32]) + Sync + Send,
    {
        use rayon::prelude::*;
        let threads = rayon::current_num_threads().max(1);
        let members: usize = self.parts.iter().map(|p| p.ids.len()).sum();
        let share = members.div_ceil(threads).max(1);
        // Each task: a part and a range of its buckets.
        let mut tasks = Vec::with_capacity(threads + self.parts.len());
        for (p, part) in self.parts.iter().enumerate() {
            let mut from = 0;
            let mut load = 0;
            for (r, run) in part.runs.iter().enumerate() {
                load += run.len as usize;
                if load >= share {
                    tasks.push((p, from..r + 1));
                    (from, load) = (r + 1, 0);
                }
            }
            if from < part.runs.len() {
                tasks.push((p, from..part.runs.len()));
            }
        }
        tasks
            .into_par_iter()
            .map(|(p, runs)| {
                let part = &self.parts[p];
                let mut state = init();
                for r in &part.runs[runs] {
                    let ids = &part.ids[r.start as usize..(r.start + r.len) as usize];
                    visit(&mut state, r.band as usize, r.key, ids);
                }
                state
            })
            .collect()
    }

    /// The votes of every pair (keyed `a << 32 | b`, from which [`candidates_of`] takes the
    /// candidates, as [`candidate_pairs_by`] gives them), where a bucket's votes are cast by
    /// `select(state, band, key, ids, ballot)` (`ids` in increasing order; `state` is the
    /// thread's own, made by `init`), which hands [`Ballot::vote`] the groups of members that
    /// vote together: how the background is kept out of the vote ([`crate::boilerplate`]).
    /// The threads' states come back with the votes.
    pub(crate) fn votes_where<S, I, V>(
        &self,
        params: &LshParams,
        init: I,
        select: V,
    ) -> (AHashMap<u64, u32>, Vec<S>)
    where
        S: Send,
        I: Fn() -> S + Sync + Send,
        V: Fn(&mut S, usize, u32, &[u32], &mut Ballot<'_>) + Sync + Send,
    {
        let maps = self.for_each(
            || (AHashMap::new(), init()),
            |(map, state), band, key, ids| {
                let mut ballot = Ballot { params, votes: map };
                select(state, band, key, ids, &mut ballot);
            },
        );
        let (maps, states): (Vec<_>, Vec<S>) = maps.into_iter().unzip();
        (merge_votes(maps.into_iter()), states)
    }
}

/// Where the groups of a bucket's members that vote together cast their votes.
pub(crate) struct Ballot<'a> {
    params: &'a LshParams,
    votes: &'a mut AHashMap<u64, u32>,
}

impl Ballot<'_> {
    /// A vote for every pair of `ids` (increasing), as a star past `max_bucket`.
    pub(crate) fn vote(&mut self, ids: &[u32]) {
        if ids.len() >= 2 {
            vote_run(ids, |i| i, self.params, self.votes);
        }
    }
}

/// Members of a bucket past which `split_hot` splits it (in the vote with boilerplate learnt).
pub const HOT_BUCKET: usize = 16;

/// Times [`split_hot`] splits a part, at most.
const SPLITS: usize = 3;

/// Calls `part` on the parts of a bucket of band `band` (`ids`, increasing, each part
/// increasing too): the bucket itself when it has at most [`HOT_BUCKET`] members, else its
/// members grouped by their keys in band `band + 1`, a part still that large by band `band + 2`,
/// and so on up to [`SPLITS`] times; a member that no other shares the next key with is a part of
/// its own. A shingle shared by hundreds of documents that share nothing else (a stock phrase)
/// then falls apart into single documents, while copies, which agree in the next bands too, stay
/// together: a pair of Jaccard `s` stays in one part with probability about `s` per split.
/// `buffers` are reused between buckets.
pub(crate) fn split_hot<'s, F>(
    ids: &[u32],
    band: usize,
    signature: &F,
    params: &LshParams,
    buffers: &mut SplitBuffers,
    part: &mut impl FnMut(&[u32]),
) where
    F: Fn(usize) -> SignatureRef<'s> + Sync,
{
    if buffers.levels.len() < SPLITS {
        buffers.levels.resize_with(SPLITS, Default::default);
    }
    split_from(ids, band, 1, signature, params, buffers, part);
}

/// The buffers of [`split_hot`]: for each level of splitting, the members' packed
/// `key << 32 | id` entries and a group's ids.
#[derive(Debug, Default)]
pub(crate) struct SplitBuffers {
    levels: Vec<(Vec<u64>, Vec<u32>)>,
}

fn split_from<'s, F>(
    ids: &[u32],
    band: usize,
    depth: usize,
    signature: &F,
    params: &LshParams,
    buffers: &mut SplitBuffers,
    part: &mut impl FnMut(&[u32]),
) where
    F: Fn(usize) -> SignatureRef<'s> + Sync,
{
    if ids.len() <= HOT_BUCKET || depth > SPLITS || params.bands < 2 {
        part(ids);
        return;
    }
    let next = (band + depth) % params.bands;
    // This level's buffers, taken out while the levels below use theirs.
    let (mut entries, mut group) = std::mem::take(&mut buffers.levels[depth - 1]);
    entries.clear();
    entries.extend(ids.iter().map(|&i| {
        let key = params.band_key(signature(i as usize).values(), next);
        (u64::from(key) << 32) | u64::from(i)
    }));
    entries.sort_unstable();
    for run in entries.chunk_by(|x, y| x >> 32 == y >> 32) {
        if let [single] = run {
            part(&[*single as u32]);
            continue;
        }
        group.clear();
        group.extend(run.iter().map(|&e| e as u32));
        split_from(&group, band, depth + 1, signature, params, buffers, part);
    }
    buffers.levels[depth - 1] = (entries, group);
}

/// The pairs with at least `min_votes` votes, from the threads' vote maps, sorted.
fn collect_votes(
    maps: impl Iterator<Item = AHashMap<u64, u32>>,
    params: &LshParams,
) -> Vec<(u32, u32, u32)> {
    candidates_of(merge_votes(maps), params.min_votes)
}

/// The threads' vote counts in one map, keyed `a << 32 | b`.
fn merge_votes(maps: impl Iterator<Item = AHashMap<u64, u32>>) -> AHashMap<u64, u32> {
    maps.fold(AHashMap::new(), |a, b| {
        if a.len() < b.len() {
            merge(b, a)
        } else {
            merge(a, b)
        }
    })
}

/// The pairs of at least `min_votes` votes, sorted, each with its votes.
pub(crate) fn candidates_of(votes: AHashMap<u64, u32>, min_votes: usize) -> Vec<(u32, u32, u32)> {
    let mut out: Vec<(u32, u32, u32)> = votes
        .into_iter()
        .filter(|&(_, v)| v as usize >= min_votes)
        .map(|(k, v)| ((k >> 32) as u32, k as u32, v))
        .collect();
    out.sort_unstable();
    out
}

/// Calls `visit(state, band, run)` on every bucket of two or more documents of every band, where
/// `run` is the bucket's packed `key << 32 | id` entries with ids in increasing order; returns the
/// states, one per split of the bands between threads (each band is visited by exactly one state,
/// its buckets in no particular order). Empty signatures are in no bucket.
///
/// Each band is grouped on its own: its keys, packed with the document ids, sorted so that equal
/// keys are adjacent ([`for_each_run`]). Bands are split between threads, and each thread reads
/// the signatures once per group of `GROUP` bands rather than once per band (with one-value
/// bands, a group's values are one cache line), writing the group's keys column by column into
/// one buffer.
pub(crate) fn for_each_band_run<'s, F, S, I, G>(
    n: usize,
    signature: F,
    params: &LshParams,
    init: I,
    visit: G,
) -> Vec<S>
where
    F: Fn(usize) -> SignatureRef<'s> + Sync,
    S: Send,
    I: Fn() -> S + Sync,
    G: Fn(&mut S, usize, &[u64]) + Sync,
{
    use rayon::prelude::*;
    assert!(n <= u32::MAX as usize, "too many signatures for u32 ids");
    if n < 2 {
        return Vec::new();
    }
    const GROUP: usize = 16;
    struct Buffers {
        /// The group's keys: band `j`'s at `j * n..`, for the non-empty signatures.
        entries: Vec<u64>,
        tmp: Vec<u64>,
        counts: Vec<u32>,
    }
    let groups = params.bands.div_ceil(GROUP);
    // A few large splits, so that each thread allocates its buffers once.
    let per_split = groups.div_ceil(rayon::current_num_threads().max(1));
    (0..groups)
        .into_par_iter()
        .with_min_len(per_split.max(1))
        .fold(
            || {
                (
                    init(),
                    Buffers {
                        entries: Vec::new(),
                        tmp: Vec::new(),
                        counts: Vec::new(),
                    },
                )
            },
            |(mut state, mut st), group| {
                let bands = group * GROUP..((group + 1) * GROUP).min(params.bands);
                // Every slot used is written below: the buffer is not cleared first.
                st.entries.resize(GROUP * n, 0);
                let mut filled = 0;
                // Documents a block at a time: each one's keys of the group are gathered from its
                // signature (one cache line with one-value bands), then the block is written to
                // each band's column, so that each column is written a cache line or more at once.
                const BLOCK: usize = 64;
                let mut ids = [0u32; BLOCK];
                let mut keys = [[0u32; GROUP]; BLOCK];
                let mut i = 0;
                while i < n {
                    let mut found = 0;
                    while i < n && found < BLOCK {
                        let s = signature(i);
                        if !s.is_empty() {
                            let values = s.values();
                            let row = &mut keys[found];
                            if params.rows == 1 {
                                row[..bands.len()].copy_from_slice(&values[bands.clone()]);
                            } else {
                                for (key, band) in row.iter_mut().zip(bands.clone()) {
                                    *key = params.band_key(values, band);
                                }
                            }
                            ids[found] = i as u32;
                            found += 1;
                        }
                        i += 1;
                    }
                    for (j, column) in st.entries.chunks_exact_mut(n).take(bands.len()).enumerate()
                    {
                        let column = &mut column[filled..filled + found];
                        for ((slot, &id), row) in column.iter_mut().zip(&ids).zip(&keys) {
                            *slot = (u64::from(row[j]) << 32) | u64::from(id);
                        }
                    }
                    filled += found;
                }
                let Buffers {
                    entries,
                    tmp,
                    counts,
                } = &mut st;
                for (column, band) in entries.chunks_exact_mut(n).zip(bands) {
                    for_each_run(&mut column[..filled], tmp, counts, |run| {
                        visit(&mut state, band, run)
                    });
                }
                (state, st)
            },
        )
        .map(|(state, _)| state)
        .collect()
}

fn merge(mut a: AHashMap<u64, u32>, b: AHashMap<u64, u32>) -> AHashMap<u64, u32> {
    for (k, v) in b {
        *a.entry(k).or_insert(0) += v;
    }
    a
}

/// Adds the votes of one bucket's members (ids in increasing order), each read from its entry
/// by `id`.
#[inline]
fn vote_run<T: Copy>(
    run: &[T],
    id: impl Fn(T) -> u32,
    params: &LshParams,
    votes: &mut AHashMap<u64, u32>,
) {
    run_pairs(run, params.max_bucket, |i, j| {
        *votes.entry(pair_key(id(i), id(j))).or_insert(0) += 1;
    });
}

/// The key of the pair `a < b` in the vote maps, `a << 32 | b` ([`candidates_of`] reads it
/// back): one home for it, as [`crate::boilerplate`] looks votes up by it.
#[inline]
pub(crate) fn pair_key(a: u32, b: u32) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

/// Calls `pair` on the pairs that a bucket of `run` votes for, each in the run's order: every
/// pair, or past `max_bucket` members a star from the first.
#[inline]
pub(crate) fn run_pairs<T: Copy>(run: &[T], max_bucket: usize, mut pair: impl FnMut(T, T)) {
    if run.len() > max_bucket {
        for &j in &run[1..] {
            pair(run[0], j);
        }
        return;
    }
    for (x, &i) in run.iter().enumerate() {
        for &j in &run[x + 1..] {
            pair(i, j);
        }
    }
}

/// An incremental LSH index: documents are inserted with an id of the caller's, and a query
/// returns the ids that collide with a signature in at least `min_votes` bands.
#[derive(Clone, Debug)]
pub struct LshIndex {
    params: LshParams,
    buckets: Vec<AHashMap<u32, Vec<u32>>>,
}

impl LshIndex {
    /// An empty index.
    pub fn new(params: LshParams) -> Self {
        LshIndex {
            params,
            buckets: vec![AHashMap::new(); params.bands],
        }
    }

    /// The banding.
    pub fn params(&self) -> &LshParams {
        &self.params
    }

    /// Adds a document. Empty signatures are not indexed.
    pub fn insert(&mut self, id: u32, sig: &Signature) {
        if sig.is_empty() {
            return;
        }
        for (band, bucket) in self.buckets.iter_mut().enumerate() {
            bucket
                .entry(self.params.band_key(sig.values(), band))
                .or_default()
                .push(id);
        }
    }

    /// Ids colliding with `sig` in at least `min_votes` bands, with their vote counts, by id.
    pub fn query(&self, sig: &Signature) -> Vec<(u32, u32)> {
        if sig.is_empty() {
            return Vec::new();
        }
        let mut votes: AHashMap<u32, u32> = AHashMap::new();
        for (band, bucket) in self.buckets.iter().enumerate() {
            if let Some(ids) = bucket.get(&self.params.band_key(sig.values(), band)) {
                for &id in ids {
                    *votes.entry(id).or_insert(0) += 1;
                }
            }
        }
        let mut out: Vec<(u32, u32)> = votes
            .into_iter()
            .filter(|&(_, v)| v as usize >= self.params.min_votes)
            .collect();
        out.sort_unstable();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::minhash::{MinHashParams, MinHasher};

    #[test]
    fn effective_threshold_table() {
        // (jaccard, containment, max_ratio, expected)
        let cases = [
            (0.5, 0.6, 1.0, 0.6 / 1.4),
            (0.5, 1.0, 1.0, 0.5),
            (0.5, 0.6, 2.5, 0.6 / 2.9),
            (0.5, 0.6, 6.0, 0.6 / 6.4),
            (0.2, 0.9, 1.0, 0.2),
        ];
        for (j, c, r, want) in cases {
            assert!(
                (effective_jaccard(j, c, r) - want).abs() < 1e-12,
                "{j} {c} {r}"
            );
        }
    }

    #[test]
    fn all_tails_at_once_equal_each_tail() {
        let mut tails = Vec::new();
        for n in [1, 5, 16, 32, 64, 128] {
            for p in [0.0, 1e-9, 0.05, 0.3, 0.5, 0.97, 1.0] {
                binomial_tails(n, p, &mut tails);
                assert_eq!(tails.len(), n.min(32) + 1);
                for (k, &t) in tails.iter().enumerate() {
                    assert_eq!(t, binomial_tail(n, p, k), "n {n} p {p} k {k}");
                }
            }
        }
    }

    #[test]
    fn binomial_tail_table() {
        assert_eq!(binomial_tail(10, 0.5, 0), 1.0);
        assert!((binomial_tail(1, 0.3, 1) - 0.3).abs() < 1e-12);
        assert!((binomial_tail(2, 0.5, 1) - 0.75).abs() < 1e-12);
        assert!((binomial_tail(3, 0.5, 2) - 0.5).abs() < 1e-12);
        assert_eq!(binomial_tail(3, 0.5, 4), 0.0);
        assert!((binomial_tail(128, 0.2, 1) - (1.0 - 0.8f64.powi(128))).abs() < 1e-12);
    }

    #[test]
    fn chosen_banding_meets_the_recall_target() {
        let target = LshTarget::default();
        let p = LshParams::for_thresholds(&target, 128);
        let t = effective_jaccard(target.jaccard, target.containment, target.max_ratio);
        assert!(p.rows * p.bands <= 128);
        assert!(p.probability(t) >= target.recall, "{p:?} at {t}");
        // Pairs sharing a few shingles by chance rarely become candidates.
        assert!(
            p.probability(0.003) < 1e-3,
            "{p:?}: {}",
            p.probability(0.003)
        );
        assert!(p.probability(0.01) < 0.05, "{p:?}: {}", p.probability(0.01));
        // A plain Jaccard target gets a steeper, stricter banding.
        let strict = LshParams::for_thresholds(
            &LshTarget {
                jaccard: 0.8,
                containment: 1.0,
                max_ratio: 1.0,
                ..target
            },
            128,
        );
        assert!(strict.probability(0.8) >= 0.995);
        assert!(strict.probability(0.3) < p.probability(0.3));
    }

    /// A stream of well-mixed 64-bit values (splitmix64) from `seed`, for random shingle sets.
    fn hashes(seed: u64) -> impl FnMut() -> u64 {
        let mut rng = crate::hash::SplitMix64::new(seed);
        move || rng.next_u64()
    }

    /// Random sets with known overlap: every pair above the effective threshold is a candidate,
    /// in the batch and in the incremental index alike.
    #[test]
    fn finds_contained_pairs_in_batch_and_index() {
        let hasher = MinHasher::new(MinHashParams::new(128));
        let mut next = hashes(1);
        // 60 groups: a source of 600 shingles and a derived set holding 70% of a 300-shingle
        // stretch of it plus 40 of its own (containment ~0.84, size ratio ~2.4, J ~0.33).
        let mut sets: Vec<Vec<u64>> = Vec::new();
        let mut truth = Vec::new();
        for _ in 0..60 {
            let src: Vec<u64> = (0..600).map(|_| next()).collect();
            let mut der: Vec<u64> = src[100..400]
                .iter()
                .copied()
                .filter(|_| next() % 10 < 7)
                .collect();
            der.extend((0..40).map(|_| next()));
            let s = sets.len() as u32;
            sets.push(src);
            sets.push(der);
            truth.push((s, s + 1));
        }
        let sigs: Vec<Signature> = sets
            .iter()
            .map(|s| {
                let mut s = s.clone();
                s.sort_unstable();
                s.dedup();
                hasher.sign(&s)
            })
            .collect();
        let params = LshParams::for_thresholds(&LshTarget::default(), 128);
        let pairs = candidate_pairs(&sigs, &params);
        for &(i, j) in &truth {
            assert!(pairs.iter().any(|p| (p.0, p.1) == (i, j)), "missed {i}-{j}");
        }
        let false_pos = pairs.len() - truth.len();
        assert!(false_pos <= 2, "{false_pos} unrelated candidates");
        let mut index = LshIndex::new(params);
        for (i, s) in sigs.iter().enumerate().step_by(2) {
            index.insert(i as u32, s);
        }
        for &(src, der) in &truth {
            let hits = index.query(&sigs[der as usize]);
            assert!(hits.iter().any(|h| h.0 == src), "index missed {src}-{der}");
        }
    }

    #[test]
    fn runs_hold_equal_keys_with_ids_in_order() {
        // Both ways of scattering: in one pass (5,000 entries) and through partitions (300,000).
        for (n, modulus) in [(5000u64, 97u64), (300_000, 30_000)] {
            let mut state = 5u64;
            let mut entries: Vec<u64> = (0..n)
                .map(|i| {
                    state = mix64(state);
                    // Keys in a few ranges, some with their top bits set.
                    ((state % modulus) | ((state >> 40) % 5) << 29) << 32 | i
                })
                .collect();
            let mut want = entries.clone();
            want.sort_unstable();
            let mut want: Vec<Vec<u64>> = want
                .chunk_by(|x, y| x >> 32 == y >> 32)
                .filter(|r| r.len() >= 2)
                .map(<[u64]>::to_vec)
                .collect();
            let mut got = Vec::new();
            for_each_run(&mut entries, &mut Vec::new(), &mut Vec::new(), |r| {
                got.push(r.to_vec())
            });
            assert!(want.len() > (modulus as usize) / 2, "{n}: {}", want.len());
            // Each key's run, ids in order, in some order of the keys.
            got.sort_unstable();
            want.sort_unstable();
            assert_eq!(got, want, "{n} entries");
        }
        for n in 0..4u64 {
            let mut few: Vec<u64> = (0..n).map(|i| (7 << 32) | i).collect();
            let mut got = Vec::new();
            for_each_run(&mut few, &mut Vec::new(), &mut Vec::new(), |r| {
                got.push(r.to_vec())
            });
            let want: Vec<Vec<u64>> = if n >= 2 {
                vec![(0..n).map(|i| (7 << 32) | i).collect()]
            } else {
                Vec::new()
            };
            assert_eq!(got, want);
        }
    }

    #[test]
    fn giant_buckets_vote_as_stars() {
        let hasher = MinHasher::new(MinHashParams::new(128));
        let set: Vec<u64> = (0..200u64).map(mix64).collect();
        let mut sorted = set.clone();
        sorted.sort_unstable();
        let sig = hasher.sign(&sorted);
        let sigs = vec![sig; 1000];
        let params = LshParams {
            max_bucket: 100,
            ..LshParams::for_thresholds(&LshTarget::default(), 128)
        };
        let pairs = candidate_pairs(&sigs, &params);
        // 999 star edges, not 499,500 pairs; every copy is linked to the first.
        assert_eq!(pairs.len(), 999);
        assert!(pairs.iter().all(|p| p.0 == 0));
    }

    /// A hot bucket of documents that share only its band's key falls apart into singles, while
    /// a cluster of copies inside it stays together; a bucket of at most `HOT_BUCKET` members is
    /// one part, whatever its members share.
    #[test]
    fn hot_buckets_split_into_what_shares_the_next_bands() {
        let params = LshParams {
            rows: 1,
            bands: 8,
            min_votes: 1,
            max_bucket: 256,
        };
        // 200 documents share bin 0; documents 10..15 are copies (equal in every bin), the
        // others differ from everyone in bins 1..8.
        let sigs: Vec<Signature> = (0..200u32)
            .map(|d| {
                let own = if (10..15).contains(&d) { 10 } else { d };
                let values = (0..8u32)
                    .map(|b| if b == 0 { 7 } else { own * 8 + b })
                    .collect();
                Signature::from_parts(values, 100)
            })
            .collect();
        let signature = |i: usize| sigs[i].view();
        let ids: Vec<u32> = (0..200).collect();
        let mut parts = Vec::new();
        let mut buffers = SplitBuffers::default();
        split_hot(&ids, 0, &signature, &params, &mut buffers, &mut |p| {
            parts.push(p.to_vec())
        });
        assert_eq!(
            parts.iter().map(Vec::len).sum::<usize>(),
            200,
            "every member is in a part"
        );
        let big: Vec<&Vec<u32>> = parts.iter().filter(|p| p.len() > 1).collect();
        assert_eq!(big, [&vec![10, 11, 12, 13, 14]]);
        let mut small = Vec::new();
        split_hot(
            &ids[..HOT_BUCKET],
            0,
            &signature,
            &params,
            &mut buffers,
            &mut |p| small.push(p.to_vec()),
        );
        assert_eq!(small, [ids[..HOT_BUCKET].to_vec()]);
    }

    /// The batch's votes equal a plain count over every band's groups of equal keys: one-value
    /// and two-value bands, with empty signatures among the others, on more signatures than the
    /// singleton filter needs and a count that is no multiple of the blocks the keys are built in.
    #[test]
    fn batch_votes_equal_a_plain_count() {
        let hasher = MinHasher::new(MinHashParams::new(128));
        let mut next = hashes(7);
        let mut sigs = Vec::new();
        let mut base: Vec<u64> = Vec::new();
        for i in 0..5_003 {
            if i % 97 == 0 {
                sigs.push(hasher.sign(&[]));
                continue;
            }
            // Runs of edited copies of one set, and sets of their own.
            if i % 5 == 0 {
                base = (0..200).map(|_| next()).collect();
            }
            let mut set: Vec<u64> = base
                .iter()
                .copied()
                .filter(|_| !next().is_multiple_of(4))
                .collect();
            set.extend((0..20).map(|_| next()));
            set.sort_unstable();
            set.dedup();
            sigs.push(hasher.sign(&set));
        }
        for (rows, min_votes) in [(1, 2), (2, 1)] {
            let params = LshParams {
                rows,
                bands: 128 / rows,
                min_votes,
                max_bucket: 256,
            };
            let mut want: AHashMap<(u32, u32), u32> = AHashMap::new();
            for band in 0..params.bands {
                let mut groups: AHashMap<u32, Vec<u32>> = AHashMap::new();
                for (i, s) in sigs.iter().enumerate().filter(|(_, s)| !s.is_empty()) {
                    let key = params.band_key(s.values(), band);
                    groups.entry(key).or_default().push(i as u32);
                }
                for ids in groups.values() {
                    for (x, &a) in ids.iter().enumerate() {
                        for &b in &ids[x + 1..] {
                            *want.entry((a, b)).or_insert(0) += 1;
                        }
                    }
                }
            }
            let mut want: Vec<(u32, u32, u32)> = want
                .into_iter()
                .filter(|&(_, v)| v as usize >= min_votes)
                .map(|((a, b), v)| (a, b, v))
                .collect();
            want.sort_unstable();
            assert!(want.len() > 1_000, "rows {rows}: {} pairs", want.len());
            assert_eq!(candidate_pairs(&sigs, &params), want, "rows {rows}");
        }
    }

    #[test]
    fn empty_signatures_are_never_candidates() {
        let hasher = MinHasher::new(MinHashParams::new(128));
        let empty = hasher.sign(&[]);
        let sigs = vec![empty.clone(), empty.clone()];
        let params = LshParams::for_thresholds(&LshTarget::default(), 128);
        assert!(candidate_pairs(&sigs, &params).is_empty());
        let mut index = LshIndex::new(params);
        index.insert(0, &empty);
        assert!(index.query(&empty).is_empty());
    }
}
