//! How a dedup run ends: its [`Summary`], in which every document read is accounted for, or the
//! [`RunError`] that stopped it. Every file of the run returns these; they depend on nothing
//! else of the run.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use crate::document::{ReadError, Skipped};
use crate::verify::SettingError;

/// A dedup run that could not finish.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// Settings that make no sense ([`DedupConfig::validate`](super::DedupConfig::validate)).
    #[error("invalid settings: {0}")]
    Settings(#[from] SettingError),
    /// An input could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// Two documents have the same id.
    #[error("duplicate id {id:?}: {first} and {second}")]
    DuplicateId {
        /// The id.
        id: String,
        /// Where it first appeared.
        first: String,
        /// Where it appeared again.
        second: String,
    },
    /// An output would replace an input, or another output: refused before the run starts.
    #[error("{}: the {what} would replace the {other_what} {}, the same file", path.display(), other.display())]
    SameFile {
        /// The output's path, as given.
        path: PathBuf,
        /// Which output it is (`pairs output`, `kept output`, ...).
        what: &'static str,
        /// The input or output it is the same file as, as given or found.
        other: PathBuf,
        /// What that is (`input`, or which output).
        other_what: &'static str,
    },
    /// An output could not be written.
    #[error("{}: cannot write: {source}", path.display())]
    Write {
        /// The output file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The inputs changed between two passes.
    #[error("the inputs changed while they were read (document {0} differs on the second pass)")]
    InputsChanged(String),
    /// A record about to be copied to the kept output is not the one pass 1 read and analysed:
    /// its input was rewritten during the run. Nothing is written.
    #[error("{}{} changed since it was read", path.display(), line.map(|l| format!(" line {l}")).unwrap_or_default())]
    Changed {
        /// The input.
        path: PathBuf,
        /// The record's line (none for a plain file).
        line: Option<u32>,
    },
    /// Too many documents for one run.
    #[error("more than {} documents in one run", u32::MAX)]
    TooManyDocuments,
}

/// What a run did; `read == kept + removed_duplicates + removed_derivatives + removed_built`,
/// always.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// Documents read.
    pub read: u64,
    /// Documents kept.
    pub kept: u64,
    /// Documents removed as duplicates of a kept one.
    pub removed_duplicates: u64,
    /// Documents removed as derivatives of a kept one.
    pub removed_derivatives: u64,
    /// Pages removed as built from several kept documents.
    pub removed_built: u64,
    /// Pages built from several sources and from no single one (kept or not).
    pub built: u64,
    /// Documents whose text other documents hold only as common text (inside several documents
    /// unrelated to each other): their would-be derivative pairs are overlaps
    /// ([`super::mark_common_text`]).
    pub common_text: u64,
    /// Documents with no words (kept).
    pub empty: u64,
    /// Documents with fewer words than a shingle (kept, compared as one shingle).
    pub short: u64,
    /// Candidate pairs the LSH index proposed and the estimates let through.
    pub candidates: u64,
    /// Background buckets learnt: shared text that is not evidence of copying.
    pub background_buckets: u64,
    /// Documents holding some of it.
    pub background_docs: u64,
    /// Verified pairs reported.
    pub pairs: u64,
    /// Of which duplicates.
    pub duplicate_pairs: u64,
    /// Of which derivatives.
    pub derivative_pairs: u64,
    /// Clusters of duplicates (two members or more).
    pub clusters: u64,
    /// Bytes read in the first pass.
    pub bytes: u64,
    /// Lines and files skipped (skip mode only).
    pub skipped: Vec<Skipped>,
    /// Wall time.
    pub elapsed: Duration,
}

impl Summary {
    /// Documents removed.
    pub fn removed(&self) -> u64 {
        self.removed_duplicates + self.removed_derivatives + self.removed_built
    }
}
