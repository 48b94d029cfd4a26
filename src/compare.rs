//! Pair comparison: two documents in, a [`Pair`] out: exact scores, the verdict (relation and
//! direction) and, on request, the alignment of their passages.
//!
//! This is the whole pipeline for two texts: tokenize, shingle, measure the exact shingle sets,
//! decide, align. Corpus runs use the same steps after MinHash and LSH have picked the candidates.

use crate::align::{align, AlignParams, Alignment, Passage, PassageKind, Side};
use crate::cover::CoverShare;
use crate::document::{Date, Document};
use crate::shingle::{shingle_hashes_into, ShingleSet, DEFAULT_K};
use crate::text::{token_lines, tokenize, Token};
use crate::verify::{
    direction, redated, verdict_judged, Direction, Layout, RawFigures, Relation, Scores,
    Thresholds, Which,
};

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
    /// For a derivative: what decided `derived` and how sure it is.
    pub direction: Option<Direction>,
    /// The dates of a and b, where known.
    pub dates: [Option<Date>; 2],
    /// The aligned passages, when asked for.
    pub alignment: Option<Alignment>,
    /// When `scores` are on the two texts' content only (their background left out), the figures
    /// on the whole texts.
    pub raw: Option<RawFigures>,
    /// In a dedup, for two derivatives of one source that also match each other
    /// ([`crate::verify::DirectionBy::Siblings`]): that source's id.
    pub siblings_of: Option<String>,
    /// For a page built from several sources (a is the page, b one of them): b's place in a's
    /// cover ([`crate::cover`]).
    pub cover: Option<CoverShare>,
    /// In a dedup, for a derivative whose derived side's content is common text (inside
    /// [`crate::dedup::COMMON_SOURCES`] documents or more unrelated to each other): reported
    /// as an overlap ([`crate::dedup::mark_common_text`]).
    pub common_text: bool,
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

    /// The pair with the dates of a and b, where known: its direction decided again, by the
    /// dates when both are known and differ ([`crate::verify::direction`]).
    pub fn with_dates(mut self, dates: [Option<Date>; 2]) -> Self {
        self.dates = dates;
        self.direction = redated(
            &self.scores,
            self.derived,
            self.direction_score,
            self.direction,
            dates,
        );
        self.derived = self.direction.map(|d| d.derived);
        self
    }

    /// The date of one side, where known.
    pub fn date(&self, which: Which) -> Option<Date> {
        self.dates[match which {
            Which::A => 0,
            Which::B => 1,
        }]
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
    /// Where its shingles sit, for the direction of a derivative.
    pub layout: Layout,
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
        let mut ordered = Vec::new();
        shingle_hashes_into(&tokens, self.shingle_size, &mut ordered);
        Prepared {
            doc,
            layout: Layout::new(
                ordered.len(),
                &[],
                &doc.text,
                &tokens,
                &token_lines(&doc.text, &tokens),
            ),
            shingles: ShingleSet::from_hashes(ordered),
            tokens,
        }
    }

    /// Compares two documents.
    pub fn compare(&self, a: &Document, b: &Document) -> Pair {
        self.compare_prepared(&self.prepare(a), &self.prepare(b))
    }

    /// Compares two prepared documents.
    pub fn compare_prepared(&self, a: &Prepared<'_>, b: &Prepared<'_>) -> Pair {
        self.compare_scored(a, b, (Scores::exact(&a.shingles, &b.shingles), None))
    }

    /// [`Comparer::compare_prepared`] with the exact `scores` of the two already measured (by a
    /// caller that gates on them first), so they are not computed again, and the figures on the
    /// whole texts when the scores are on their content ([`verdict_judged`]).
    pub(crate) fn compare_scored(
        &self,
        a: &Prepared<'_>,
        b: &Prepared<'_>,
        (scores, raw): (Scores, Option<RawFigures>),
    ) -> Pair {
        // Even evidence: the shorter text, then the lesser id, is the derived one.
        let tie = (a.doc.text.len(), &a.doc.id).cmp(&(b.doc.text.len(), &b.doc.id));
        let k = self.shingle_size;
        let interior = || Layout::interiors(&a.layout, &b.layout, k);
        let v = verdict_judged(&scores, raw.as_ref(), interior, tie, &self.thresholds);
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
            direction: direction(&scores, v.derived, v.direction_score, v.signs, [None, None]),
            dates: [None, None],
            alignment,
            raw,
            siblings_of: None,
            cover: None,
            common_text: false,
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

    /// Regression: with equal shingle counts and equal containments, each order of the
    /// arguments called its own `a` the derived one.
    #[test]
    fn even_evidence_gives_one_direction_whichever_document_comes_first() {
        let words = |r: std::ops::Range<u32>| r.map(|i| format!("w{i}")).collect::<Vec<_>>();
        let x = Document::new("x", [words(0..20), words(100..110)].concat().join(" "));
        let y = Document::new("y", [words(0..20), words(200..210)].concat().join(" "));
        let c = Comparer::default();
        let (p, q) = (c.compare(&x, &y), c.compare(&y, &x));
        assert_eq!(p.scores.containment_a_in_b, p.scores.containment_b_in_a);
        assert_eq!(p.relation, Relation::Derivative);
        assert_eq!(p.derived_id(), q.derived_id());
    }

    /// Regression: the LCS backtrack broke ties by argument order, so a four-word match was a
    /// shared passage one way and not the other.
    #[test]
    fn lcs_ties_do_not_depend_on_argument_order() {
        let t = |ws: &[u32]| {
            ws.iter()
                .map(|w| format!("w{w}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let base = [
            308, 339, 234, 365, 90, 197, 291, 365, 270, 185, 338, 188, 342, 34, 242, 280, 85, 55,
            4, 334, 295, 106, 230, 98, 138, 66, 109, 198, 313, 391, 339, 262, 374, 366, 135,
        ];
        let lead = [
            192, 24, 332, 365, 73, 168, 306, 359, 346, 215, 208, 60, 390, 177, 178, 300,
        ];
        let extra = [
            91, 20, 92, 191, 44, 154, 318, 77, 242, 385, 250, 37, 118, 150, 40, 92,
        ];
        let copy = [&lead[..], &base[..4], &extra[..]].concat();
        let (src, copy) = (
            Document::new("src", t(&base)),
            Document::new("copy", t(&copy)),
        );
        let c = Comparer::default();
        let (p, q) = (c.compare(&copy, &src), c.compare(&src, &copy));
        let shared = |pair: &Pair| -> Vec<(usize, usize)> {
            pair.passages(PassageKind::Shared)
                .map(|x| {
                    let (a, b) = (x.a.clone().unwrap(), x.b.clone().unwrap());
                    (a.start, b.start)
                })
                .collect()
        };
        let swapped: Vec<(usize, usize)> = shared(&q).into_iter().map(|(a, b)| (b, a)).collect();
        assert_eq!(shared(&p), swapped);
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
