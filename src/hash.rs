//! Stable hashing: the one home of the splitmix64 finalizer and generator.
//!
//! In: 64-bit words. Out: well-mixed 64-bit words, the same on every machine and every version,
//! so that signatures, band keys and generated corpora persist. Everything in the crate that
//! mixes bits or draws reproducible pseudo-random numbers goes through here; `ahash` serves only
//! in-memory maps.

/// splitmix64's increment, the golden ratio in 64-bit fixed point (an odd constant).
pub const GOLDEN_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// The avalanche step of splitmix64 (Stafford's variant 13, constants `0xbf58476d1ce4e5b9` and
/// `0x94d049bb133111eb`): a bijection on `u64` that spreads every input bit.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The splitmix64 generator: a 64-bit state advanced by [`GOLDEN_GAMMA`] and finalized by
/// [`mix64`]. Reproducible everywhere, unlike `StdRng`; used for generated corpora and test data.
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator whose first output is `mix64(seed + GOLDEN_GAMMA)`.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next value of the sequence.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN_GAMMA);
        mix64(self.0)
    }
}

/// A set of 64-bit values built once and probed many times, for the hot membership tests of
/// verification (the shingle fingerprints two texts share, the background keys): open addressing
/// in a table of at least twice as many slots as values, each value at the slot its
/// multiplicative hash chooses or after it. One read of one cache line for most probes, where a
/// general hash set reads a control byte and then the slot, and a sorted list a binary search.
#[derive(Clone, Debug, Default)]
pub(crate) struct U64Set {
    /// The values, [`U64Set::EMPTY`] in a free slot; empty when the set is.
    slots: Vec<u64>,
    shift: u32,
    /// Whether [`U64Set::EMPTY`] itself is in the set.
    has_empty: bool,
    len: usize,
}

impl U64Set {
    const EMPTY: u64 = 0;

    /// The set of `values` (duplicates allowed).
    pub(crate) fn new(values: impl ExactSizeIterator<Item = u64>) -> U64Set {
        let mut set = U64Set::default();
        set.refill(values);
        set
    }

    /// Makes this the set of `values` (duplicates allowed), in the slots it already has when
    /// they are enough: a set rebuilt pair after pair allocates once.
    pub(crate) fn refill(&mut self, values: impl ExactSizeIterator<Item = u64>) {
        let size = (2 * values.len()).next_power_of_two().max(2);
        self.slots.clear();
        self.slots.resize(size, Self::EMPTY);
        self.shift = 64 - size.trailing_zeros();
        self.has_empty = false;
        self.len = 0;
        let mask = size - 1;
        for v in values {
            if v == Self::EMPTY {
                self.len += usize::from(!self.has_empty);
                self.has_empty = true;
                continue;
            }
            let mut at = self.slot(v);
            loop {
                match self.slots[at] {
                    Self::EMPTY => {
                        self.slots[at] = v;
                        self.len += 1;
                        break;
                    }
                    x if x == v => break,
                    _ => at = (at + 1) & mask,
                }
            }
        }
    }

    fn slot(&self, v: u64) -> usize {
        (v.wrapping_mul(GOLDEN_GAMMA) >> self.shift) as usize
    }

    /// Whether `v` is in the set.
    #[inline]
    pub(crate) fn contains(&self, v: u64) -> bool {
        if v == Self::EMPTY || self.slots.is_empty() {
            return v == Self::EMPTY && self.has_empty;
        }
        let mask = self.slots.len() - 1;
        let mut at = self.slot(v);
        loop {
            match self.slots[at] {
                x if x == v => return true,
                Self::EMPTY => return false,
                _ => at = (at + 1) & mask,
            }
        }
    }

    /// Number of distinct values.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The values, in no order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        let empty = self.has_empty.then_some(Self::EMPTY);
        self.slots
            .iter()
            .copied()
            .filter(|&v| v != Self::EMPTY)
            .chain(empty)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_reference_splitmix64() {
        // The first outputs of the reference C implementation seeded with 1234567.
        let mut g = SplitMix64::new(1_234_567);
        let got: Vec<u64> = (0..3).map(|_| g.next_u64()).collect();
        assert_eq!(
            got,
            [
                6_457_827_717_110_365_317,
                3_203_168_211_198_807_973,
                9_817_491_932_198_370_423
            ]
        );
    }

    /// The set holds exactly its values, zero and the largest value among them or not, and
    /// counts each once.
    #[test]
    fn u64_set_holds_exactly_its_values() {
        for n in [0u64, 1, 2, 3, 100, 5000] {
            for with_ends in [false, true] {
                let mut values: Vec<u64> = (0..n).map(|i| mix64(i) | 1).collect();
                values.extend((0..n).map(|i| i * 3 + 7));
                if with_ends {
                    values.extend([0, u64::MAX, 0]);
                }
                let doubled: Vec<u64> = values.iter().chain(&values).copied().collect();
                let set = U64Set::new(doubled.into_iter());
                let mut distinct = values.clone();
                distinct.sort_unstable();
                distinct.dedup();
                assert_eq!(set.len(), distinct.len(), "n={n}");
                assert!(values.iter().all(|&v| set.contains(v)));
                assert_eq!(set.contains(0), with_ends);
                assert_eq!(set.contains(u64::MAX), with_ends);
                let mut listed: Vec<u64> = set.iter().collect();
                listed.sort_unstable();
                assert_eq!(listed, distinct);
                let absent = (0..1000u64).map(|i| mix64(i + 1_000_000) & !1);
                assert!(absent
                    .filter(|v| !values.contains(v))
                    .all(|v| !set.contains(v)));
            }
        }
    }
}
