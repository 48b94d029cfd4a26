//! Randomness for the generator: splitmix64 draws, per-purpose seeds, and Walker/Vose alias tables.
//!
//! In: a corpus seed, a position and a salt (one per purpose: slot, kind, source, length, text,
//! edit). Out: a [`Rng`] with the draws a corpus needs (below, range, chance, pick, shuffle) and
//! an [`Alias`] table for O(1) Zipf sampling. Only integer arithmetic and correctly rounded float
//! operations, on the crate's own splitmix64, so the same spec gives the same bytes everywhere.

use crate::hash::{mix64, SplitMix64, GOLDEN_GAMMA};

/// A seed for one purpose (`salt`) of one position (`index`) of a corpus seeded with `seed`.
pub(super) fn derive_seed(seed: u64, index: u64, salt: u64) -> u64 {
    let base = mix64(seed.wrapping_add(salt.wrapping_mul(GOLDEN_GAMMA)));
    mix64(base ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03).wrapping_add(salt))
}

/// A uniform number in [0, 1) from 53 bits of `x`.
pub(super) fn unit(x: u64) -> f64 {
    (x >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// splitmix64, with the draws a corpus needs.
#[derive(Clone, Debug)]
pub(super) struct Rng(SplitMix64);

impl Rng {
    pub(super) fn new(seed: u64) -> Self {
        Rng(SplitMix64::new(seed))
    }

    pub(super) fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in `0..n` (`n > 0`), by multiply-shift.
    pub(super) fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub(super) fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    pub(super) fn unit(&mut self) -> f64 {
        unit(self.next_u64())
    }

    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub(super) fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }

    pub(super) fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            xs.swap(i, self.below(i + 1));
        }
    }
}

/// Walker/Vose alias table: O(1) sampling from a fixed discrete distribution.
#[derive(Debug)]
pub(super) struct Alias {
    /// Keep index `i` when the low 32 bits are below this (`1 << 32`: always).
    threshold: Vec<u64>,
    alias: Vec<u32>,
}

impl Alias {
    /// Zipf with exponent 1: weight of rank `r` is `1 / (r + offset)`.
    pub(super) fn zipf(n: usize, offset: f64) -> Self {
        let weights: Vec<f64> = (0..n).map(|r| 1.0 / (r as f64 + offset)).collect();
        Alias::new(&weights)
    }

    pub(super) fn new(weights: &[f64]) -> Self {
        let n = weights.len();
        let total: f64 = weights.iter().sum();
        let mut scaled: Vec<f64> = weights.iter().map(|w| w * n as f64 / total).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) =
            (0..n).partition(|&i| scaled[i] < 1.0);
        let mut threshold = vec![1u64 << 32; n];
        let mut alias: Vec<u32> = (0..n as u32).collect();
        while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
            small.pop();
            threshold[s] = (scaled[s] * 4_294_967_296.0) as u64;
            alias[s] = l as u32;
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        Alias { threshold, alias }
    }

    pub(super) fn sample(&self, rng: &mut Rng) -> usize {
        let x = rng.next_u64();
        let i = (((x >> 32) * self.threshold.len() as u64) >> 32) as usize;
        if (x & 0xFFFF_FFFF) < self.threshold[i] {
            i
        } else {
            self.alias[i] as usize
        }
    }
}
