//! Progress of a long run, reported by stage: the library's runs (a dedup, an index build) call a
//! [`Progress`] as they go, and the caller decides what to show. The CLI draws a bar on standard
//! error; the library itself prints nothing ([`Silent`]).
//!
//! It is a module of its own, beneath every stage that reports, so that reporting progress makes
//! no stage depend on another (the index on the dedup run, say).

/// Progress of a long run, reported by stage. The CLI draws a bar; the library prints nothing.
pub trait Progress: Sync {
    /// A stage starts; `total` is known for some stages.
    fn stage(&self, name: &str, total: Option<u64>);
    /// `n` more units of the current stage are done.
    fn advance(&self, n: u64);
}

/// No progress reporting.
#[derive(Clone, Copy, Debug, Default)]
pub struct Silent;

impl Progress for Silent {
    fn stage(&self, _: &str, _: Option<u64>) {}
    fn advance(&self, _: u64) {}
}
