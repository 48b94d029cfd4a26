//! Shingles: tokens in, hashed word k-grams out.
//!
//! A shingle is `k` consecutive tokens (k = 5 by default). A text with fewer than `k` tokens (but
//! at least one) has exactly one shingle, made of all its tokens, so short documents still
//! compare; an empty text has none.
//!
//! The hash of a run of `n` token hashes `t_0 .. t_{n-1}` is a cyclic polynomial (BuzHash):
//! `rotl(t_0, n-1) ^ rotl(t_1, n-2) ^ ... ^ t_{n-1}`, XORed with `n * 0x9e3779b97f4a7c15`
//! (wrapping) so that runs of different lengths differ ([`fold_hashes`]). Sliding the window one
//! token costs two rotations and three XORs, with no multiply: `shingle_hashes_into` rolls it.
//! Token hashes are well mixed 64-bit values (see [`crate::text::hash_normalized`]), so two
//! different k-grams get the same hash only by accident (at most 2^-60 for k ≤ 5: a difference
//! of distinct words at distinct positions cannot cancel under rotation by fewer than 64 bits).
//! There is no final avalanche step: the one consumer that needs well-spread bits, MinHash,
//! re-mixes every shingle hash with its seed ([`crate::minhash`], step 1); exact verification
//! only compares them. The hash is fixed integer arithmetic, the same on every machine and every
//! version (persisted signatures depend on it; see [`SHINGLE_HASH_VERSION`]). For `k` above 64
//! rotations repeat, and two words 64 positions apart could trade places unnoticed; shingles
//! that long are not used.
//!
//! Two outputs: the per-position hashes (shingle `i` starts at token `i`, for the aligner's anchors),
//! and the [`ShingleSet`], sorted and deduplicated, for signatures and exact verification.

use crate::hash::GOLDEN_GAMMA;
use crate::text::Token;

/// Version of the shingle hash; persisted with every signature.
pub const SHINGLE_HASH_VERSION: u32 = 2;

/// Default number of words in a shingle.
pub const DEFAULT_K: usize = 5;

/// The most words a shingle may have (an index records its shingle size in this range).
pub const MAX_SHINGLE_SIZE: usize = 64;

/// Salt of a run's length: splitmix64's increment, the golden ratio in 64-bit fixed point.
const LENGTH_SALT: u64 = GOLDEN_GAMMA;

/// Hash of a run of token hashes, order-sensitive (the cyclic polynomial of the module docs).
#[inline]
pub fn fold_hashes(hashes: impl IntoIterator<Item = u64>) -> u64 {
    let mut h = 0u64;
    let mut n = 0u64;
    for t in hashes {
        h = h.rotate_left(1) ^ t;
        n += 1;
    }
    h ^ n.wrapping_mul(LENGTH_SALT)
}

/// Appends the hash of every k-gram of `tokens` to `out` (cleared first), in text order: entry `i` is
/// the shingle that starts at token `i`. Fewer than `k` tokens give one shingle of all of them.
pub fn shingle_hashes_into(tokens: &[Token], k: usize, out: &mut Vec<u64>) {
    out.clear();
    let k = k.max(1);
    if tokens.is_empty() {
        return;
    }
    if tokens.len() < k {
        out.push(fold_hashes(tokens.iter().map(|t| t.hash)));
        return;
    }
    out.reserve(tokens.len() + 1 - k);
    // The window's polynomial without the length term; rolling it drops the token that leaves
    // (rotated k times by now) and adds the one that enters.
    let salt = (k as u64).wrapping_mul(LENGTH_SALT);
    let rot = (k % 64) as u32;
    let mut h = fold_hashes(tokens[..k].iter().map(|t| t.hash)) ^ salt;
    out.push(h ^ salt);
    for (leaving, entering) in tokens.iter().zip(&tokens[k..]) {
        h = h.rotate_left(1) ^ leaving.hash.rotate_left(rot) ^ entering.hash;
        out.push(h ^ salt);
    }
}

/// The distinct shingles of a text, sorted ascending: the exact set that signatures estimate and
/// verification measures.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShingleSet {
    hashes: Vec<u64>,
}

impl ShingleSet {
    /// The shingle set of a token sequence.
    pub fn from_tokens(tokens: &[Token], k: usize) -> Self {
        let mut hashes = Vec::new();
        shingle_hashes_into(tokens, k, &mut hashes);
        Self::from_hashes(hashes)
    }

    /// The set of the given hashes (any order, duplicates allowed).
    pub fn from_hashes(hashes: Vec<u64>) -> Self {
        Self::from_unsorted(&hashes, &mut Vec::new())
    }

    /// The set of the given hashes (any order, duplicates allowed), copied: the caller keeps its
    /// buffer, and `counts` is a buffer reused between calls.
    pub fn from_unsorted(hashes: &[u64], counts: &mut Vec<u32>) -> Self {
        ShingleSet {
            hashes: distinct_sorted(hashes, counts),
        }
    }

    /// The set of hashes that are already sorted and distinct (as [`ShingleSet::hashes`] gives
    /// them): no sort.
    pub(crate) fn from_sorted(hashes: Vec<u64>) -> Self {
        debug_assert!(
            hashes.windows(2).all(|w| w[0] < w[1]),
            "not sorted and distinct"
        );
        ShingleSet { hashes }
    }

    /// The sorted distinct hashes.
    pub fn hashes(&self) -> &[u64] {
        &self.hashes
    }

    /// Number of distinct shingles.
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// True when the text had no tokens.
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// Number of shingles in both sets (a linear merge of the two sorted lists).
    pub fn intersection_len(&self, other: &ShingleSet) -> usize {
        /// Independent merges, one per range of hash values.
        const LANES: usize = 4;
        let (a, b) = (&self.hashes, &other.hashes);
        // Where each lane's range starts in a sorted list: hashes are spread evenly, so the
        // start is near its share of the length, and found by a short walk from there (a binary
        // search would wait on a cache miss at each of its steps).
        let starts = |v: &[u64]| -> [usize; LANES + 1] {
            let mut at = [v.len(); LANES + 1];
            at[0] = 0;
            for (lane, start) in at.iter_mut().enumerate().take(LANES).skip(1) {
                let floor = (lane as u64) << (64 - LANES.trailing_zeros());
                let mut k = v.len() * lane / LANES;
                while k > 0 && v[k - 1] >= floor {
                    k -= 1;
                }
                while k < v.len() && v[k] < floor {
                    k += 1;
                }
                *start = k;
            }
            at
        };
        let (sa, sb) = (starts(a), starts(b));
        // Each lane's cursors, from its starts (the last entry, the end, is not a lane).
        let (mut i, mut j) = (sa, sb);
        let mut n = 0;
        // Each step of a merge waits on its own loads; the lanes' steps are interleaved, so that
        // they overlap. A step advances the side holding the smaller hash, or both on a match,
        // without a branch on the comparison (as likely one way as the other).
        loop {
            let mut active = false;
            for l in 0..LANES {
                if i[l] < sa[l + 1] && j[l] < sb[l + 1] {
                    let (x, y) = (a[i[l]], b[j[l]]);
                    n += usize::from(x == y);
                    i[l] += usize::from(x <= y);
                    j[l] += usize::from(y <= x);
                    active = true;
                }
            }
            if !active {
                return n;
            }
        }
    }
}

/// Well-mixed 64-bit hashes, sorted in linear time: one counting pass on their top bits scatters
/// them into about `len` buckets that are already in order, and one insertion sort over the whole
/// (each hash moves within its bucket, about one other hash) finishes. Hashes that are not spread
/// (more than a few on one bucket) take the standard sort instead, so the result is always
/// sorted and the time never quadratic. `counts` is a buffer reused between calls.
fn sorted_hashes(hashes: &[u64], counts: &mut Vec<u32>) -> Vec<u64> {
    sorted_by_top_bits(hashes, |&h| h, counts)
}

/// The distinct hashes of `hashes` (any order, duplicates allowed), sorted as
/// [`sorted_hashes`] sorts them: the hashes of [`ShingleSet::from_unsorted`].
pub(crate) fn distinct_sorted(hashes: &[u64], counts: &mut Vec<u32>) -> Vec<u64> {
    let mut sorted = sorted_hashes(hashes, counts);
    sorted.dedup();
    sorted
}

/// `items` sorted, where each item's order starts with a well-mixed 64-bit hash (`hash`): the
/// scatter by the hashes' top bits and the finishing insertion sort of [`sorted_hashes`], or the
/// standard sort for few items and crowded hashes.
fn sorted_by_top_bits<T: Copy + Ord>(
    items: &[T],
    hash: impl Fn(&T) -> u64,
    counts: &mut Vec<u32>,
) -> Vec<T> {
    let mut sorted = Vec::new();
    sorted_by_top_bits_into(items, hash, counts, &mut sorted);
    sorted
}

/// [`sorted_by_top_bits`] into `sorted`, a buffer reused between calls.
fn sorted_by_top_bits_into<T: Copy + Ord>(
    items: &[T],
    hash: impl Fn(&T) -> u64,
    counts: &mut Vec<u32>,
    sorted: &mut Vec<T>,
) {
    /// Largest bucket that the final insertion sort accepts.
    const MAX_BUCKET: u32 = 16;
    let n = items.len();
    sorted.clear();
    let standard = |sorted: &mut Vec<T>| {
        sorted.extend_from_slice(items);
        sorted.sort_unstable();
    };
    if n < 64 {
        return standard(sorted);
    }
    let bits = usize::BITS - n.leading_zeros();
    let bucket = |x: &T| (hash(x) >> (64 - bits)) as usize;
    counts.clear();
    counts.resize(1 << bits, 0);
    for x in items {
        counts[bucket(x)] += 1;
    }
    let mut at = 0;
    let mut largest = 0;
    for c in counts.iter_mut() {
        let size = *c;
        largest = largest.max(size);
        *c = at;
        at += size;
    }
    if largest > MAX_BUCKET {
        return standard(sorted);
    }
    sorted.resize(n, items[0]);
    for x in items {
        let slot = &mut counts[bucket(x)];
        sorted[*slot as usize] = *x;
        *slot += 1;
    }
    insertion_sort(sorted);
}

/// The distinct hashes of `pairs` (hashes, any order, duplicates allowed, each with a mark), into
/// `sorted`, each with whether any of its occurrences is marked: one sort for a text whose
/// shingles carry a status (its content and background,
/// [`crate::boilerplate::BackgroundOf::classify`]), where sorting each status apart and merging
/// them sorted twice. Linear for well-mixed hashes, as [`ShingleSet::from_unsorted`]; `counts`
/// and `sorted` are buffers reused between calls.
pub(crate) fn sorted_marked_into(
    pairs: &[(u64, bool)],
    counts: &mut Vec<u32>,
    sorted: &mut Vec<(u64, bool)>,
) {
    sorted_by_top_bits_into(pairs, |p| p.0, counts, sorted);
    // Equal hashes are adjacent, unmarked ones first: a hash is marked when its last is.
    sorted.dedup_by(|later, kept| {
        let same = later.0 == kept.0;
        if same {
            kept.1 |= later.1;
        }
        same
    });
}

/// Sorts a slice whose values are each a few places from their own (a bucket's entries, or
/// hashes scattered into order by their top bits): no call, no recursion.
#[inline]
pub(crate) fn insertion_sort<T: Copy + Ord>(v: &mut [T]) {
    for i in 1..v.len() {
        let x = v[i];
        let mut j = i;
        while j > 0 && v[j - 1] > x {
            v[j] = v[j - 1];
            j -= 1;
        }
        v[j] = x;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::{mix64, SplitMix64};
    use crate::text::tokenize;

    fn set(text: &str, k: usize) -> ShingleSet {
        ShingleSet::from_tokens(&tokenize(text), k)
    }

    #[test]
    fn counts_table() {
        // (text, k, distinct shingles)
        let cases: &[(&str, usize, usize)] = &[
            ("", 5, 0),
            ("...", 5, 0),
            ("one", 5, 1),
            ("one two three", 5, 1),
            ("a b c d e", 5, 1),
            ("a b c d e f", 5, 2),
            ("a b c d e f", 1, 6),
            ("a a a a a a a a", 5, 1),
            ("a b a b a b a b", 2, 2),
        ];
        for &(text, k, want) in cases {
            assert_eq!(set(text, k).len(), want, "{text:?} k={k}");
        }
    }

    #[test]
    fn order_matters_and_normalization_does_not() {
        assert_ne!(set("a b c d e", 5), set("e d c b a", 5));
        assert_eq!(
            set("China’s “new level” deals", 3),
            set("china's \"NEW   level\" deals", 3)
        );
    }

    #[test]
    fn positions_follow_tokens() {
        let tokens = tokenize("w1 w2 w3 w4 w5 w6 w7");
        let mut out = Vec::new();
        shingle_hashes_into(&tokens, 5, &mut out);
        assert_eq!(out.len(), 3);
        assert_eq!(out[1], fold_hashes(tokens[1..6].iter().map(|t| t.hash)));
    }

    #[test]
    fn intersection_is_exact() {
        let a = set("the quick brown fox jumps over the lazy dog", 2);
        let b = set("a quick brown fox sleeps over the lazy cat", 2);
        // shared bigrams: quick brown, brown fox, over the, the lazy
        assert_eq!(a.intersection_len(&b), 4);
        assert_eq!(b.intersection_len(&a), 4);
        assert_eq!(a.intersection_len(&a), a.len());
    }

    /// The merge by lanes of hash ranges counts what a plain set intersection counts: spread
    /// hashes, hashes on and beside the lanes' bounds, all in one lane, and empty sets.
    #[test]
    fn intersection_len_equals_a_set_count() {
        let spread = |seed: u64, n: u64| -> Vec<u64> { (0..n).map(|i| mix64(seed ^ i)).collect() };
        let bounds: Vec<u64> = (0..4u64)
            .flat_map(|l| {
                let b = l << 62;
                [b, b.wrapping_sub(1), b + 1]
            })
            .collect();
        let cases: Vec<(Vec<u64>, Vec<u64>)> = vec![
            (spread(1, 500), spread(1, 300)),
            (spread(1, 500), spread(2, 500)),
            ([spread(1, 200), spread(3, 100)].concat(), spread(1, 400)),
            (bounds.clone(), bounds[..7].to_vec()),
            ([bounds.clone(), spread(4, 50)].concat(), spread(4, 60)),
            ((0..300).collect(), (100..200).collect()),
            (Vec::new(), spread(5, 10)),
            (Vec::new(), Vec::new()),
        ];
        for (x, y) in cases {
            let want = {
                let y: std::collections::HashSet<u64> = y.iter().copied().collect();
                let x: std::collections::HashSet<u64> = x.iter().copied().collect();
                x.intersection(&y).count()
            };
            let (a, b) = (ShingleSet::from_hashes(x), ShingleSet::from_hashes(y));
            assert_eq!(a.intersection_len(&b), want);
            assert_eq!(b.intersection_len(&a), want);
        }
    }

    #[test]
    fn fold_is_stable() {
        // Persisted signatures depend on these values (computed independently of this code): a
        // change needs a SHINGLE_HASH_VERSION bump.
        assert_eq!(fold_hashes([1u64, 2, 3]), 15_755_400_384_260_043_836);
        let mut out = Vec::new();
        shingle_hashes_into(
            &tokenize("Moscow and Beijing sign new energy deals"),
            5,
            &mut out,
        );
        assert_eq!(
            out,
            [
                8_766_634_469_869_460_626,
                11_870_198_657_818_734_723,
                14_905_843_117_549_653_431
            ]
        );
        assert_eq!(
            set("short", 5).hashes(),
            [12_020_702_939_897_931_184],
            "fewer tokens than k"
        );
    }

    /// Sorted with their marks, each distinct hash once, marked when any occurrence is: the
    /// same hashes as the plain sort, spread or crowded, short or long.
    #[test]
    fn marked_hashes_sort_with_their_marks() {
        let mut counts = Vec::new();
        for n in [0usize, 1, 5, 63, 64, 65, 1000, 3000] {
            let spread: Vec<u64> = (0..n as u64).map(|i| mix64(i % 701)).collect();
            let crowded: Vec<u64> = (0..n as u64).map(|i| i % 17).collect();
            for hashes in [spread, crowded] {
                let marked: Vec<bool> = (0..n).map(|i| i % 5 == 0).collect();
                let pairs: Vec<(u64, bool)> =
                    hashes.iter().copied().zip(marked.iter().copied()).collect();
                let mut got = Vec::new();
                sorted_marked_into(&pairs, &mut counts, &mut got);
                let mut want: Vec<(u64, bool)> = Vec::new();
                let mut plain = hashes.clone();
                plain.sort_unstable();
                plain.dedup();
                for h in plain {
                    let any = hashes.iter().zip(&marked).any(|(&x, &m)| x == h && m);
                    want.push((h, any));
                }
                assert_eq!(got, want, "n={n}");
            }
        }
    }

    #[test]
    fn sorted_hashes_sorts_spread_and_crowded_hashes() {
        // One counts buffer through all the cases, as a caller reuses it.
        let mut counts = Vec::new();
        for n in [0usize, 1, 2, 63, 64, 65, 100, 1000, 5000, 70] {
            let spread: Vec<u64> = (0..n as u64).map(|i| mix64(i % 997)).collect();
            let crowded: Vec<u64> = (0..n as u64).map(|i| (n as u64 - i) % 13).collect();
            let top: Vec<u64> = (0..n as u64)
                .map(|i| (i % 5) << 62 | mix64(i) >> 8)
                .collect();
            for v in [spread, crowded, top] {
                let mut want = v.clone();
                want.sort_unstable();
                assert_eq!(sorted_hashes(&v, &mut counts), want, "n={n}");
            }
        }
    }

    /// The rolled hashes equal the hash of each window folded afresh, for every k.
    #[test]
    fn rolling_matches_fold() {
        let mut rng = SplitMix64::new(3);
        let tokens: Vec<Token> = (0..200)
            .map(|i| {
                let state = rng.next_u64();
                Token {
                    start: i,
                    end: i + 1,
                    // A small vocabulary, so that windows repeat words.
                    hash: mix64(state % 23),
                }
            })
            .collect();
        let mut out = Vec::new();
        for k in [1usize, 2, 3, 5, 8, 63, 64, 65, 130] {
            for len in [1, 2, k.saturating_sub(1).max(1), k, k + 1, 200] {
                let t = &tokens[..len.min(200)];
                shingle_hashes_into(t, k, &mut out);
                let want: Vec<u64> = if t.len() < k {
                    vec![fold_hashes(t.iter().map(|t| t.hash))]
                } else {
                    t.windows(k)
                        .map(|w| fold_hashes(w.iter().map(|t| t.hash)))
                        .collect()
                };
                assert_eq!(out, want, "k={k} len={len}");
            }
        }
    }

    /// No two distinct 5-grams over a small vocabulary share a hash.
    #[test]
    fn distinct_grams_distinct_hashes() {
        let words: Vec<u64> = ["a", "b", "c", "d"]
            .iter()
            .map(|w| crate::text::hash_normalized(w.as_bytes()))
            .collect();
        let mut hashes: Vec<u64> = (0..4usize.pow(5))
            .map(|mut g| {
                fold_hashes((0..5).map(|_| {
                    let w = words[g % 4];
                    g /= 4;
                    w
                }))
            })
            .collect();
        hashes.sort_unstable();
        hashes.dedup();
        assert_eq!(hashes.len(), 4usize.pow(5));
    }
}
