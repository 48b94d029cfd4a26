//! Corpus deduplication: documents in (JSON Lines, plain files, directories, standard input), and
//! out the verified pairs, the clusters and the kept documents, written to files, with a summary
//! in which every document read is accounted for (`read == kept + removed`).
//!
//! The steps, each a function of [`Deduper`] (in `steps`) so that the run can take them pass by
//! pass without holding texts:
//! 1. [`Deduper::sketch`]: text to a [`Sketch`] (signature and sizes): all that is kept of a
//!    document for the whole run, about 0.6 KB;
//! 2. [`Deduper::candidates`]: LSH votes ([`crate::lsh`]), then a cheap filter on the signatures'
//!    own estimates, leaving the pairs worth measuring exactly;
//! 3. [`Deduper::verify`]: exact Jaccard and containments on the shingle sets of the candidate
//!    documents, and the direction from where each side's own text sits, both [`Deduper::measure`]d on the
//!    texts re-read for this pass; only pairs meeting a threshold survive, so nothing below a
//!    threshold is ever reported;
//! 4. [`decide`] (in `decide`): connected components of duplicate pairs, a representative for
//!    each, and which documents a kept document covers (its duplicates, and derivatives whose
//!    source is kept). Every document ends up kept or removed, with the reason.
//!
//! The run ([`run()`], in `run`) streams the inputs three times at most (four with the boilerplate
//! output, which reads the texts of the documents with background again), so that memory is
//! bounded by the sketches and not by the texts:
//! 1. read every document and keep its [`Sketch`] and id: a reader thread cuts the inputs into
//!    pieces, rayon parses and sketches pieces while the calling thread accepts them in order
//!    (ids checked, sketches stored in a [`SketchTable`]);
//! 2. find candidates among the sketches, read again only the documents of candidate pairs to
//!    measure them exactly (and align them, with passages), keep the pairs that meet a threshold,
//!    and decide what is kept;
//! 3. with a kept output, read everything again and write the kept documents in input order: the
//!    exact line for JSON Lines, a `{"id", "text"}` record for a plain file.
//!
//! Where a text comes back from in passes 2 and 3 is one decision (`store`): spooled to a temporary
//! file in pass 1 when the inputs include standard input (which cannot be read twice, and whose
//! texts must not fill memory), read at its recorded place when
//! every document is a line of an uncompressed JSON Lines file, or else the inputs read again. The
//! outputs (`output`, and the HTML report in `html`) are written beside their final path and
//! renamed into place when complete: a failed run never leaves an output that looks finished.
//! The run ends with a [`Summary`] or a [`RunError`] (`outcome`, which every other file of the
//! run may use and which uses none of them): imports run one way, `run` over `html` over
//! `output` over `store` over `outcome`.

use crate::align::AlignParams;
use crate::boilerplate::BoilerplateParams;
use crate::cover::CoverParams;
use crate::lsh::DEFAULT_MAX_RATIO;
use crate::minhash::{MinHashParams, MAX_NUM_PERM};
use crate::shingle::{DEFAULT_K, MAX_SHINGLE_SIZE};
use crate::verify::{Reporting, SettingError, Thresholds};

mod covers;
mod decide;
mod html;
mod outcome;
mod output;
mod run;
mod steps;
#[cfg(test)]
pub(crate) use steps::tests::{verified, words};
mod store;

pub use covers::{CoverPart, PageCover};
pub(crate) use decide::has_unrelated;
pub use decide::{
    decide, mark_common_text, mark_siblings, Cluster, Decision, KeepPolicy, Removal,
    COMMON_SOURCES, REMOVED_SHARE,
};
pub use outcome::{RunError, Summary};
pub use output::{HtmlOutput, Outputs};
pub use run::run;
pub(crate) use steps::worth_measuring;
pub use steps::{
    Candidate, Deduper, Figures, Measured, PartOf, Scratch, Sketch, SketchTable, VerifiedPair,
};

/// Settings of a dedup run.
#[derive(Clone, Debug)]
pub struct DedupConfig {
    /// Words per shingle.
    pub shingle_size: usize,
    /// Signature settings.
    pub minhash: MinHashParams,
    /// Relation thresholds (duplicate, derivative, overlap) used to label reported pairs.
    pub thresholds: Thresholds,
    /// What is reported: pairs with at least its Jaccard, or its containment.
    pub report: Reporting,
    /// Largest size ratio of a contained pair for which the LSH recall target holds.
    pub max_ratio: f64,
    /// Which member of a duplicate cluster to keep.
    pub keep: KeepPolicy,
    /// Aligner settings, for the passages of reported pairs (`--passages`, the HTML report).
    pub align: AlignParams,
    /// How background text (templates, boilerplate, stock phrases) is told from evidence of
    /// copying; `None` counts every shared shingle as evidence ([`crate::boilerplate`]).
    pub boilerplate: Option<BoilerplateParams>,
    /// How a page built from several sources is found ([`crate::cover`]): its candidates down
    /// to the part floor are measured; `None` for no cover.
    pub cover: Option<CoverParams>,
}

impl Default for DedupConfig {
    fn default() -> Self {
        DedupConfig {
            shingle_size: DEFAULT_K,
            minhash: MinHashParams::default(),
            thresholds: Thresholds::default(),
            report: Reporting::default(),
            max_ratio: DEFAULT_MAX_RATIO,
            keep: KeepPolicy::Longest,
            align: AlignParams::default(),
            boilerplate: Some(BoilerplateParams::default()),
            cover: Some(CoverParams::default()),
        }
    }
}

impl DedupConfig {
    /// Whether these settings make sense, for a caller that set the public fields: the relation
    /// thresholds ([`Thresholds::validate`]), a shingle size in `1..=MAX_SHINGLE_SIZE`, a
    /// signature length in `1..=MAX_NUM_PERM` and a size ratio of at least 1. ([`Reporting`]
    /// is checked when it is built.) A dedup run and a new index refuse settings that fail.
    pub fn validate(&self) -> Result<(), SettingError> {
        self.thresholds.validate()?;
        let range = |name, value: usize, max: usize| {
            if (1..=max).contains(&value) {
                Ok(())
            } else {
                Err(SettingError::OutOfRange {
                    name,
                    value: value as f64,
                    min: 1.0,
                    max: max as f64,
                })
            }
        };
        range("shingle size", self.shingle_size, MAX_SHINGLE_SIZE)?;
        range("signature length", self.minhash.num_perm, MAX_NUM_PERM)?;
        if self.max_ratio.is_nan() || self.max_ratio < 1.0 {
            return Err(SettingError::OutOfRange {
                name: "max ratio",
                value: self.max_ratio,
                min: 1.0,
                max: f64::INFINITY,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_that_make_no_sense_are_refused() {
        assert_eq!(DedupConfig::default().validate(), Ok(()));
        let with = |f: fn(&mut DedupConfig)| {
            let mut c = DedupConfig::default();
            f(&mut c);
            c.validate()
        };
        let refused: [fn(&mut DedupConfig); 7] = [
            |c| c.shingle_size = 0,
            |c| c.shingle_size = MAX_SHINGLE_SIZE + 1,
            |c| c.minhash.num_perm = 0,
            |c| c.minhash.num_perm = MAX_NUM_PERM + 1,
            |c| c.max_ratio = 0.5,
            |c| c.max_ratio = f64::NAN,
            |c| c.thresholds.overlap = 0.7,
        ];
        for (i, f) in refused.into_iter().enumerate() {
            assert!(with(f).is_err(), "case {i}");
        }
        assert_eq!(with(|c| c.shingle_size = MAX_SHINGLE_SIZE), Ok(()));
        assert_eq!(with(|c| c.max_ratio = 1.0), Ok(()));
        assert_eq!(
            with(|c| c.shingle_size = 0).unwrap_err().to_string(),
            "shingle size must be between 1 and 64, got 0"
        );
    }
}
