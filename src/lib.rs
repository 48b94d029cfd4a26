//! neardup: near-duplicate and derivative document detection.

pub mod minhash;
pub mod synth;
