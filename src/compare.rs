//! Pair comparison: two documents in, a [`Pair`] out: exact scores, the verdict (relation and
//! direction) and, on request, the alignment of their passages.
//!
//! This is the whole pipeline for two texts: tokenize, shingle, measure the exact shingle sets,
//! decide, align. Corpus runs use the same steps after MinHash and LSH have picked the candidates.

use crate::align::{align, AlignParams, Alignment, Passage, PassageKind, Side};
use crate::document::Document;
use crate::shingle::{ShingleSet, DEFAULT_K};
use crate::text::{tokenize, Token};
use crate::verify::{verdict, Relation, Scores, Thresholds, Typography, Which};

/// Compares documents. Build one with [`Comparer::builder`] or use the defaults.
#[derive(Clone, Debug)]
pub struct Comparer {
    shingle_size: usize,
    thresholds: Thresholds,
    align: AlignParams,
    passages: bool,
}

impl Default for Comparer {
    fn default() -> Self {
        Comparer::builder().build()
    }
}

/// Settings of a [`Comparer`].
#[derive(Clone, Debug)]
pub struct ComparerBuilder {
    shingle_size: usize,
    thresholds: Thresholds,
    align: AlignParams,
    passages: bool,
}

impl ComparerBuilder {
    /// Words per shingle (default 5).
    pub fn shingle_size(mut self, k: usize) -> Self {
        self.shingle_size = k.max(1);
        self
    }

    /// Thresholds of the relation.
    pub fn thresholds(mut self, thresholds: Thresholds) -> Self {
        self.thresholds = thresholds;
        self
    }

    /// Settings of the aligner.
    pub fn align_params(mut self, params: AlignParams) -> Self {
        self.align = params;
        self
    }

    /// Whether to align passages (default true). Without, a comparison is a few set operations.
    pub fn passages(mut self, yes: bool) -> Self {
        self.passages = yes;
        self
    }

    /// The comparer.
    pub fn build(self) -> Comparer {
        Comparer {
            shingle_size: self.shingle_size,
            thresholds: self.thresholds,
            align: self.align,
            passages: self.passages,
        }
    }
}

/// The result of comparing two documents.
#[derive(Clone, Debug, PartialEq)]
pub struct Pair {
    /// Id of the first document.
    pub a: String,
    /// Id of the second document.
    pub b: String,
    /// Exact scores.
    pub scores: Scores,
    /// The relation.
    pub relation: Relation,
    /// For a derivative: which of the two is derived.
    pub derived: Option<Which>,
    /// Evidence behind `derived` (see [`crate::verify::Verdict::direction_score`]).
    pub direction_score: f64,
    /// The aligned passages, when asked for.
    pub alignment: Option<Alignment>,
}

impl Pair {
    /// Id of the derived document, for a derivative.
    pub fn derived_id(&self) -> Option<&str> {
        self.derived.map(|w| self.id(w))
    }

    /// Id of the source document, for a derivative.
    pub fn source_id(&self) -> Option<&str> {
        self.derived.map(|w| {
            self.id(match w {
                Which::A => Which::B,
                Which::B => Which::A,
            })
        })
    }

    /// Id of one side.
    pub fn id(&self, which: Which) -> &str {
        match which {
            Which::A => &self.a,
            Which::B => &self.b,
        }
    }

    /// The passages of one kind (none when the pair was not aligned).
    pub fn passages(&self, kind: PassageKind) -> impl Iterator<Item = &Passage> {
        self.alignment.iter().flat_map(move |al| al.of_kind(kind))
    }
}

/// A document prepared for comparison: its tokens and exact shingle set.
#[derive(Clone, Debug)]
pub struct Prepared<'d> {
    /// The document.
    pub doc: &'d Document,
    /// Its tokens.
    pub tokens: Vec<Token>,
    /// Its exact shingle set.
    pub shingles: ShingleSet,
    /// Its quote typography.
    pub typography: Typography,
}

impl Comparer {
    /// Settings, starting from the defaults.
    pub fn builder() -> ComparerBuilder {
        ComparerBuilder {
            shingle_size: DEFAULT_K,
            thresholds: Thresholds::default(),
            align: AlignParams::default(),
            passages: true,
        }
    }

    /// Words per shingle.
    pub fn shingle_size(&self) -> usize {
        self.shingle_size
    }

    /// The relation thresholds.
    pub fn thresholds(&self) -> &Thresholds {
        &self.thresholds
    }

    /// Tokenizes and shingles a document once, for comparing it with several others.
    pub fn prepare<'d>(&self, doc: &'d Document) -> Prepared<'d> {
        let tokens = tokenize(&doc.text);
        let shingles = ShingleSet::from_tokens(&tokens, self.shingle_size);
        Prepared {
            doc,
            tokens,
            shingles,
            typography: Typography::of(&doc.text),
        }
    }

    /// Compares two documents.
    pub fn compare(&self, a: &Document, b: &Document) -> Pair {
        self.compare_prepared(&self.prepare(a), &self.prepare(b))
    }

    /// Compares two prepared documents.
    pub fn compare_prepared(&self, a: &Prepared<'_>, b: &Prepared<'_>) -> Pair {
        let scores = Scores::exact(&a.shingles, &b.shingles);
        let v = verdict(&scores, a.typography, b.typography, &self.thresholds);
        let alignment = self.passages.then(|| {
            align(
                Side {
                    text: &a.doc.text,
                    tokens: &a.tokens,
                },
                Side {
                    text: &b.doc.text,
                    tokens: &b.tokens,
                },
                &self.align,
            )
        });
        Pair {
            a: a.doc.id.clone(),
            b: b.doc.id.clone(),
            scores,
            relation: v.relation,
            derived: v.derived,
            direction_score: v.direction_score,
            alignment,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Comparer>();
        check::<Pair>();
        check::<Document>();
        check::<Prepared<'static>>();
    }

    #[test]
    fn self_comparison_is_one_shared_duplicate() {
        let d = Document::new(
            "d",
            "The quick brown fox jumps over the lazy dog. Twice, “quickly”.",
        );
        let p = Comparer::default().compare(&d, &d);
        assert_eq!(p.relation, Relation::Duplicate);
        let al = p.alignment.unwrap();
        assert_eq!(al.passages.len(), 1);
        assert_eq!(al.passages[0].kind, PassageKind::Shared);
    }

    #[test]
    fn swapped_roles_agree() {
        let src = Document::new(
            "src",
            "one two three four five six seven eight nine ten eleven twelve thirteen fourteen \
             fifteen sixteen seventeen eighteen nineteen twenty",
        );
        let copy = Document::new(
            "copy",
            "Posted today. one two three four five six seven eight nine ten eleven twelve",
        );
        let c = Comparer::default();
        let (p, q) = (c.compare(&copy, &src), c.compare(&src, &copy));
        assert_eq!(p.relation, Relation::Derivative);
        assert_eq!(p.derived_id(), Some("copy"));
        assert_eq!(q.derived_id(), Some("copy"));
        assert_eq!(p.source_id(), Some("src"));
        assert_eq!(p.scores.containment_a_in_b, q.scores.containment_b_in_a);
        let added_p: Vec<_> = p
            .passages(PassageKind::AOnly)
            .map(|x| x.a.clone())
            .collect();
        let added_q: Vec<_> = q
            .passages(PassageKind::BOnly)
            .map(|x| x.b.clone())
            .collect();
        assert_eq!(added_p, added_q);
    }
}
