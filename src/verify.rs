//! Verification: two exact shingle sets in, exact scores and a verdict out (the relation and, for a
//! derivative, which document was derived from which).
//!
//! Every candidate a signature suggests is measured here on the exact sets, so nothing below a
//! threshold is ever reported. The relation:
//! - `duplicate`: each document has at least [`Thresholds::duplicate`] of its shingles in the other
//!   (nearly the same text; with the default 0.9 the Jaccard is at least 0.82). Requiring it of
//!   both sides, rather than a Jaccard, keeps an excerpt or a trimmed repost that is 85% of a long
//!   article a derivative, with a direction, instead of calling the two duplicates;
//! - `derivative`: otherwise, one document has at least [`Thresholds::derivative`] of its shingles
//!   in the other;
//! - `overlap`: otherwise, at least [`Thresholds::overlap`] of one document's shingles are shared;
//! - `unrelated`: the rest.
//!
//! Direction. The derived document is the one whose text is better explained by the other: its
//! containment in the other is higher. That is not the ratio of the texts' lengths: a repost that
//! drops a third of an article and adds a date line, a comment box and lines of its own keeps most of
//! its shingles inside the article, while the article keeps only two thirds of its own inside the
//! repost. When the two containments are close (the copy added about as much as it dropped), the
//! typography breaks the tie: copies lose curly quotes and apostrophes far more often than they gain
//! them, so the text with the larger share of straight quotes leans towards being the copy.
//!
//! Dates, when both documents have one and they differ, decide instead ([`direction`]): the
//! earlier is the source. The text's direction is kept beside it, to flag a date the text
//! contradicts strongly. Each direction says how it was decided ([`DirectionBy`]) and how sure
//! it is ([`Direction::confidence`]):
//!
//! - `date`: [`DATE_CONFIDENCE`], or [`CONTRADICTED_CONFIDENCE`] when the text says clearly the
//!   other way: the earlier document has at least [`CONTRADICTION_CONTAINMENT`] of its shingles
//!   inside the later one and the text's direction score calls it the copy by at least
//!   [`CONTRADICTION_SCORE`] (the later holds it nearly whole and adds to it: an excerpt, by
//!   its text, that its date calls the original);
//! - `text`: from the direction score `s` (margin plus typography) alone, `0.5 + 0.45 * (1 -
//!   exp(-|s| / 0.1))`: 0.5 for no evidence at all, 0.78 at a margin of 0.1, 0.94 at 0.4, and
//!   never above 0.95, below a date's;
//! - `weak`: the same figure when it is under [`WEAK_BELOW`] (a score under about 0.06): the
//!   text barely leans, and the direction given is a guess kept for the contract.
//!
//! What is reported is one setting, [`Reporting`] (a Jaccard and a containment, validated when
//! built, with defaults [`DEFAULT_JACCARD`] and [`DEFAULT_CONTAINMENT`]), and one gate,
//! [`Reporting::reports`]: a pair is reported unless both its Jaccard and its larger containment
//! are below their thresholds.

use crate::document::Date;
use crate::shingle::ShingleSet;

/// Thresholds of the relation; see the module documentation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Thresholds {
    /// Minimum containment of each document in the other for `duplicate`.
    pub duplicate: f64,
    /// Minimum containment of one document in the other for `derivative`.
    pub derivative: f64,
    /// Minimum containment of one document in the other for `overlap`.
    pub overlap: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            duplicate: 0.9,
            derivative: 0.6,
            overlap: 0.1,
        }
    }
}

/// Default [`Reporting::jaccard`]: pairs with at least this Jaccard are reported.
pub const DEFAULT_JACCARD: f64 = 0.5;
/// Default [`Reporting::containment`]: pairs where at least this share of one document is in the
/// other are reported.
pub const DEFAULT_CONTAINMENT: f64 = 0.6;

/// What is reported: pairs with at least [`Reporting::jaccard`], or where at least
/// [`Reporting::containment`] of one document's shingles are in the other.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reporting {
    jaccard: f64,
    containment: f64,
    /// Containment reports nothing: pairs are found and reported on their Jaccard alone.
    jaccard_only: bool,
}

impl Default for Reporting {
    fn default() -> Self {
        Reporting {
            jaccard: DEFAULT_JACCARD,
            containment: DEFAULT_CONTAINMENT,
            jaccard_only: false,
        }
    }
}

/// `value`, when it is a share (between 0 and 1; NaN is not); else the error naming `name`.
fn share(name: &'static str, value: f64) -> Result<f64, SettingError> {
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(SettingError::NotInUnitInterval { name, value })
    }
}

impl Thresholds {
    /// Thresholds that make sense: each a share between 0 and 1, and `overlap` not above
    /// `derivative` (a pair contained enough to be a derivative is contained enough to overlap).
    pub fn new(duplicate: f64, derivative: f64, overlap: f64) -> Result<Self, SettingError> {
        let t = Thresholds {
            duplicate,
            derivative,
            overlap,
        };
        t.validate()?;
        Ok(t)
    }

    /// Whether these thresholds make sense (see [`Thresholds::new`]): a caller that set the
    /// public fields checks them here.
    pub fn validate(&self) -> Result<(), SettingError> {
        share("duplicate", self.duplicate)?;
        share("derivative", self.derivative)?;
        share("overlap", self.overlap)?;
        if self.overlap > self.derivative {
            return Err(SettingError::OutOfOrder {
                low: "overlap",
                low_value: self.overlap,
                high: "derivative",
                high_value: self.derivative,
            });
        }
        Ok(())
    }
}

impl Reporting {
    /// The thresholds, each between 0 and 1.
    pub fn new(jaccard: f64, containment: f64) -> Result<Self, SettingError> {
        Ok(Reporting {
            jaccard: share("jaccard", jaccard)?,
            containment: share("containment", containment)?,
            jaccard_only: false,
        })
    }

    /// Pairs with at least this Jaccard are reported, and containment alone reports nothing: the
    /// candidate search then targets that Jaccard only, which costs far less than a containment
    /// target (that must find a short text inside one several times longer, at a much lower
    /// Jaccard). [`Reporting::containment`] is then 1.
    pub fn jaccard_only(jaccard: f64) -> Result<Self, SettingError> {
        Ok(Reporting {
            jaccard: share("jaccard", jaccard)?,
            containment: 1.0,
            jaccard_only: true,
        })
    }

    /// Whether containment alone reports nothing ([`Reporting::jaccard_only`]).
    pub fn is_jaccard_only(&self) -> bool {
        self.jaccard_only
    }

    /// The thresholds as a file written from a validated one records them.
    pub(crate) fn persisted(jaccard: f64, containment: f64) -> Self {
        Reporting {
            jaccard,
            containment,
            jaccard_only: false,
        }
    }

    /// Pairs with at least this Jaccard are reported.
    pub fn jaccard(&self) -> f64 {
        self.jaccard
    }

    /// Pairs where at least this share of one document is in the other are reported.
    pub fn containment(&self) -> f64 {
        self.containment
    }

    /// Whether a pair with these exact scores is reported: unless its Jaccard and its larger
    /// containment are both below their thresholds.
    pub fn reports(&self, scores: &Scores) -> bool {
        scores.jaccard >= self.jaccard
            || (!self.jaccard_only && scores.max_containment() >= self.containment)
    }
}

/// A setting out of its range.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SettingError {
    /// A share that is not between 0 and 1.
    #[error("{name} must be between 0 and 1, got {value}")]
    NotInUnitInterval {
        /// The setting.
        name: &'static str,
        /// Its value.
        value: f64,
    },
    /// Two settings the wrong way round.
    #[error("{low} ({low_value}) must not be above {high} ({high_value})")]
    OutOfOrder {
        /// The setting that must be the smaller.
        low: &'static str,
        /// Its value.
        low_value: f64,
        /// The setting that must be the larger.
        high: &'static str,
        /// Its value.
        high_value: f64,
    },
    /// A number outside the range this build supports.
    #[error("{name} must be between {min} and {max}, got {value}")]
    OutOfRange {
        /// The setting.
        name: &'static str,
        /// Its value.
        value: f64,
        /// The smallest allowed.
        min: f64,
        /// The largest allowed.
        max: f64,
    },
}

/// How two documents relate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// Nearly the same text.
    Duplicate,
    /// One is mostly contained in the other.
    Derivative,
    /// They share passages; neither is mostly inside the other.
    Overlap,
    /// Nothing worth reporting in common.
    Unrelated,
}

impl Relation {
    /// The name used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Duplicate => "duplicate",
            Relation::Derivative => "derivative",
            Relation::Overlap => "overlap",
            Relation::Unrelated => "unrelated",
        }
    }
}

/// One of the two documents of a pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Which {
    /// The first document.
    A,
    /// The second document.
    B,
}

impl Which {
    /// The other document.
    pub fn other(self) -> Which {
        match self {
            Which::A => Which::B,
            Which::B => Which::A,
        }
    }
}

/// Exact similarity of two shingle sets.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scores {
    /// Distinct shingles of a.
    pub a_shingles: usize,
    /// Distinct shingles of b.
    pub b_shingles: usize,
    /// Shingles in both.
    pub shared: usize,
    /// |A ∩ B| / |A ∪ B|.
    pub jaccard: f64,
    /// |A ∩ B| / |A|: how much of a is in b.
    pub containment_a_in_b: f64,
    /// |A ∩ B| / |B|: how much of b is in a.
    pub containment_b_in_a: f64,
}

impl Scores {
    /// Measures two exact sets.
    pub fn exact(a: &ShingleSet, b: &ShingleSet) -> Scores {
        Scores::from_counts(a.len(), b.len(), a.intersection_len(b))
    }

    /// Scores from set sizes and the size of the intersection.
    pub fn from_counts(a_shingles: usize, b_shingles: usize, shared: usize) -> Scores {
        let ratio = |x: usize, y: usize| if y == 0 { 0.0 } else { x as f64 / y as f64 };
        Scores {
            a_shingles,
            b_shingles,
            shared,
            jaccard: ratio(shared, a_shingles + b_shingles - shared),
            containment_a_in_b: ratio(shared, a_shingles),
            containment_b_in_a: ratio(shared, b_shingles),
        }
    }

    /// The larger of the two containments.
    pub fn max_containment(&self) -> f64 {
        self.containment_a_in_b.max(self.containment_b_in_a)
    }
}

/// A pair's figures on the whole texts, kept beside the [`Scores`] it was judged on when that was
/// its content only, with the background (boilerplate) left out ([`crate::boilerplate`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RawFigures {
    /// Scores on every shingle of the two texts.
    pub scores: Scores,
    /// Distinct shingles of a that are background.
    pub a_boilerplate: usize,
    /// Distinct shingles of b that are background.
    pub b_boilerplate: usize,
}

/// Counts of typographic quote characters in a text: curly (’ ‘ “ ”) against straight (' ").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Typography {
    /// Curly quotes and apostrophes.
    pub curly: u32,
    /// Straight quotes and apostrophes.
    pub straight: u32,
}

impl Typography {
    /// Counts the quote characters of a text (the curly quotes U+2018..U+201D are `E2 80 98`..
    /// `E2 80 9D` in UTF-8). Both counts are loops without branches over 64-byte blocks, with
    /// byte-sized counters, that the compiler vectorizes: straight quotes byte by byte, curly ones
    /// by comparing the text with itself shifted by one and two bytes.
    pub fn of(text: &str) -> Typography {
        const BLOCK: usize = 64;
        let bytes = text.as_bytes();
        let mut t = Typography::default();
        for block in bytes.chunks(BLOCK) {
            let mut straight = 0u8;
            for &c in block {
                straight += u8::from(c == b'\'') + u8::from(c == b'"');
            }
            t.straight += u32::from(straight);
        }
        if let Some(n) = bytes.len().checked_sub(2) {
            let (lead, second, third) = (&bytes[..n], &bytes[1..n + 1], &bytes[2..]);
            for ((a, b), c) in lead
                .chunks(BLOCK)
                .zip(second.chunks(BLOCK))
                .zip(third.chunks(BLOCK))
            {
                let mut curly = 0u8;
                for ((&x, &y), &z) in a.iter().zip(b).zip(c) {
                    curly += u8::from((x == 0xE2) & (y == 0x80) & (z.wrapping_sub(0x98) < 6));
                }
                t.curly += u32::from(curly);
            }
        }
        t
    }

    /// Share of curly quotes among all quotes, or `None` with fewer than two quotes.
    pub fn curly_share(&self) -> Option<f64> {
        let n = self.curly + self.straight;
        (n >= 2).then(|| self.curly as f64 / n as f64)
    }
}

/// The verdict on a pair.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Verdict {
    /// The relation.
    pub relation: Relation,
    /// For a derivative: which document is the derived one.
    pub derived: Option<Which>,
    /// The direction score behind `derived`: positive leans towards a derived from b, negative
    /// towards b derived from a; its size is the confidence.
    pub direction_score: f64,
}

/// How a derivative's direction was decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DirectionBy {
    /// The two dates differ: the earlier is the source.
    Date,
    /// The text's evidence (the direction score) alone.
    Text,
    /// The text alone, and it barely leans: a low confidence.
    Weak,
}

impl DirectionBy {
    /// `"date"`, `"text"` or `"weak"`.
    pub fn as_str(self) -> &'static str {
        match self {
            DirectionBy::Date => "date",
            DirectionBy::Text => "text",
            DirectionBy::Weak => "weak",
        }
    }
}

/// A derivative's direction, how it was decided and how sure it is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Direction {
    /// The derived document.
    pub derived: Which,
    /// What decided it.
    pub by: DirectionBy,
    /// How sure, in [0, 1] (see the module documentation).
    pub confidence: f64,
    /// The dates decided against text that says clearly the other way.
    pub contradicted: bool,
}

/// Confidence of a direction the dates decide.
pub const DATE_CONFIDENCE: f64 = 0.99;
/// Confidence of a direction the dates decide against text that says clearly the other way.
pub const CONTRADICTED_CONFIDENCE: f64 = 0.6;
/// A direction from the text alone with a confidence under this is `weak`.
pub const WEAK_BELOW: f64 = 0.7;
/// The text contradicts the dates when the earlier document has at least this share of its
/// shingles in the later one...
pub const CONTRADICTION_CONTAINMENT: f64 = 0.9;
/// ...and its direction score calls the earlier the copy by at least this much.
pub const CONTRADICTION_SCORE: f64 = 0.2;

/// The confidence of a direction from the text alone, for its direction score: rises from 0.5
/// (no evidence) towards 0.95 with the score's size.
pub fn text_confidence(direction_score: f64) -> f64 {
    0.5 + 0.45 * (1.0 - (-direction_score.abs() / 0.1).exp())
}

/// The direction of a pair that a verdict on `scores` calls a derivative (`derived` by the text,
/// with its `direction_score`: [`Verdict`]'s fields), with the dates of a and b where known: by
/// the dates when both are known and differ, else by the text; `None` for a pair that is not a
/// derivative (`derived` is `None`).
pub fn direction(
    scores: &Scores,
    derived: Option<Which>,
    direction_score: f64,
    dates: [Option<Date>; 2],
) -> Option<Direction> {
    let by_text = derived?;
    let (earlier, earlier_in_later) = match dates {
        [Some(a), Some(b)] if a < b => (Which::A, scores.containment_a_in_b),
        [Some(a), Some(b)] if b < a => (Which::B, scores.containment_b_in_a),
        _ => {
            let confidence = text_confidence(direction_score);
            let by = if confidence < WEAK_BELOW {
                DirectionBy::Weak
            } else {
                DirectionBy::Text
            };
            return Some(Direction {
                derived: by_text,
                by,
                confidence,
                contradicted: false,
            });
        }
    };
    // The score leans positive towards a being the copy.
    let earlier_is_copy = match earlier {
        Which::A => direction_score,
        Which::B => -direction_score,
    };
    let contradicted =
        earlier_in_later >= CONTRADICTION_CONTAINMENT && earlier_is_copy >= CONTRADICTION_SCORE;
    Some(Direction {
        derived: match earlier {
            Which::A => Which::B,
            Which::B => Which::A,
        },
        by: DirectionBy::Date,
        confidence: if contradicted {
            CONTRADICTED_CONFIDENCE
        } else {
            DATE_CONFIDENCE
        },
        contradicted,
    })
}

/// Weight of the typography evidence against the containment margin.
const TYPOGRAPHY_WEIGHT: f64 = 0.15;

/// Decides the relation and direction of a pair from its exact scores and the two texts'
/// typography.
pub fn verdict(scores: &Scores, typo_a: Typography, typo_b: Typography, t: &Thresholds) -> Verdict {
    verdict_tied(scores, typo_a, typo_b, std::cmp::Ordering::Less, t)
}

/// [`verdict`], with the last word on the direction when the evidence is even (equal
/// containments, equal typography): `tie` orders a against b, and the lesser is the derived one.
/// A caller that orders the two documents by something of their own (length, id, position in a
/// corpus) gets the same answer whichever it passes as `a`.
pub fn verdict_tied(
    scores: &Scores,
    typo_a: Typography,
    typo_b: Typography,
    tie: std::cmp::Ordering,
    t: &Thresholds,
) -> Verdict {
    let relation = if scores.shared == 0 {
        Relation::Unrelated
    } else if scores.containment_a_in_b.min(scores.containment_b_in_a) >= t.duplicate {
        Relation::Duplicate
    } else if scores.max_containment() >= t.derivative {
        Relation::Derivative
    } else if scores.max_containment() >= t.overlap {
        Relation::Overlap
    } else {
        Relation::Unrelated
    };
    let margin = scores.containment_a_in_b - scores.containment_b_in_a;
    let typography = match (typo_a.curly_share(), typo_b.curly_share()) {
        (Some(a), Some(b)) => b - a,
        _ => 0.0,
    };
    let direction_score = margin + TYPOGRAPHY_WEIGHT * typography;
    let a_derived = direction_score > 0.0
        || (direction_score == 0.0 && scores.a_shingles.cmp(&scores.b_shingles).then(tie).is_lt());
    let derived =
        (relation == Relation::Derivative).then_some(if a_derived { Which::A } else { Which::B });
    Verdict {
        relation,
        derived,
        direction_score,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_are_validated() {
        assert_eq!(Thresholds::new(0.9, 0.6, 0.1), Ok(Thresholds::default()));
        assert_eq!(Thresholds::new(0.9, 0.6, 0.6).map(|t| t.overlap), Ok(0.6));
        for (d, v, o) in [
            (1.5, 0.6, 0.1),
            (0.9, -0.1, 0.0),
            (0.9, 0.6, f64::NAN),
            (0.9, 0.3, 0.4),
        ] {
            assert!(Thresholds::new(d, v, o).is_err(), "{d} {v} {o}");
            assert!(
                Thresholds {
                    duplicate: d,
                    derivative: v,
                    overlap: o
                }
                .validate()
                .is_err(),
                "{d} {v} {o}"
            );
        }
        assert_eq!(
            Thresholds::new(0.9, 0.3, 0.4).unwrap_err().to_string(),
            "overlap (0.4) must not be above derivative (0.3)"
        );
    }

    #[test]
    fn reporting_is_validated_and_gates_on_either_score() {
        assert_eq!(Reporting::new(0.5, 0.6), Ok(Reporting::default()));
        for (j, c) in [(-0.1, 0.5), (0.5, 1.5), (f64::NAN, 0.5), (0.5, f64::NAN)] {
            assert!(Reporting::new(j, c).is_err(), "{j} {c}");
        }
        let err = Reporting::new(0.5, 2.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "containment must be between 0 and 1, got 2"
        );
        // (containment threshold, a, b, shared, reported): a Jaccard or a containment at its
        // threshold is enough.
        let table = [
            (0.6, 10, 10, 5, false),
            (0.6, 10, 10, 6, true),
            (0.6, 10, 30, 6, true),
            (0.6, 10, 30, 5, false),
            (1.0, 10, 10, 6, false),
            (1.0, 10, 10, 7, true),
            (0.6, 0, 0, 0, false),
        ];
        for (c, a, b, shared, want) in table {
            let s = Scores::from_counts(a, b, shared);
            let r = Reporting::new(0.5, c).unwrap();
            assert_eq!(r.reports(&s), want, "{c} {a} {b} {shared}: {s:?}");
        }
    }

    fn scores(a: usize, b: usize, shared: usize) -> Scores {
        Scores::from_counts(a, b, shared)
    }

    #[test]
    fn scores_table() {
        // (|A|, |B|, shared, jaccard, c_a_in_b, c_b_in_a)
        let cases: &[(usize, usize, usize, f64, f64, f64)] = &[
            (10, 10, 10, 1.0, 1.0, 1.0),
            (10, 10, 0, 0.0, 0.0, 0.0),
            (10, 30, 10, 1.0 / 3.0, 1.0, 1.0 / 3.0),
            (0, 0, 0, 0.0, 0.0, 0.0),
            (0, 5, 0, 0.0, 0.0, 0.0),
            (4, 6, 2, 0.25, 0.5, 1.0 / 3.0),
        ];
        for &(a, b, s, j, cab, cba) in cases {
            let sc = scores(a, b, s);
            assert!((sc.jaccard - j).abs() < 1e-12, "{a} {b} {s}");
            assert!((sc.containment_a_in_b - cab).abs() < 1e-12);
            assert!((sc.containment_b_in_a - cba).abs() < 1e-12);
        }
    }

    #[test]
    fn relation_table() {
        let t = Thresholds::default();
        let none = Typography::default();
        // (|A|, |B|, shared, relation, derived)
        let cases: &[(usize, usize, usize, Relation, Option<Which>)] = &[
            (100, 100, 100, Relation::Duplicate, None),
            (100, 105, 95, Relation::Duplicate, None),
            // the seeds: a repost 81% inside the article
            (380, 960, 308, Relation::Derivative, Some(Which::A)),
            (960, 380, 308, Relation::Derivative, Some(Which::B)),
            // a repost that dropped a third and added a little is still the derivative
            (75, 100, 65, Relation::Derivative, Some(Which::A)),
            (100, 100, 40, Relation::Overlap, None),
            (100, 100, 5, Relation::Unrelated, None),
            (100, 100, 0, Relation::Unrelated, None),
            (0, 0, 0, Relation::Unrelated, None),
        ];
        for &(a, b, s, rel, derived) in cases {
            let v = verdict(&scores(a, b, s), none, none, &t);
            assert_eq!(v.relation, rel, "{a} {b} {s}");
            assert_eq!(v.derived, derived, "{a} {b} {s}");
        }
    }

    #[test]
    fn typography_breaks_close_calls_only() {
        let t = Thresholds::default();
        let straight = Typography {
            curly: 0,
            straight: 12,
        };
        let curly = Typography {
            curly: 12,
            straight: 0,
        };
        // Nearly symmetric containment: a is a little longer, but a is the straight-quoted copy.
        let close = scores(105, 100, 70);
        assert_eq!(verdict(&close, straight, curly, &t).derived, Some(Which::A));
        assert_eq!(verdict(&close, curly, straight, &t).derived, Some(Which::B));
        // A clear containment margin wins over typography.
        let clear = scores(60, 100, 55);
        assert_eq!(verdict(&clear, curly, straight, &t).derived, Some(Which::A));
    }

    #[test]
    fn direction_by_date_and_by_text() {
        let day = |d: i64| Date::from_seconds(d * 86_400);
        // a: 100 shingles, 95 of them in b; b: 200, 95 in a. The text: a is the copy.
        let excerpt = scores(100, 200, 95);
        // a: 100, b: 110, 80 shared: the text leans a little towards a being the copy.
        let close = scores(100, 110, 80);
        let t = Thresholds::default();
        let v = |s: &Scores| verdict(s, Typography::default(), Typography::default(), &t);
        // (scores, dates, derived, by, confidence, contradicted)
        let cases = [
            (
                excerpt,
                [None, None],
                Which::A,
                DirectionBy::Text,
                None,
                false,
            ),
            (
                excerpt,
                [day(1), None],
                Which::A,
                DirectionBy::Text,
                None,
                false,
            ),
            (
                excerpt,
                [day(1), day(1)],
                Which::A,
                DirectionBy::Text,
                None,
                false,
            ),
            (
                excerpt,
                [day(2), day(1)],
                Which::A,
                DirectionBy::Date,
                Some(DATE_CONFIDENCE),
                false,
            ),
            // The earlier a is nearly all inside b, which adds to it: flagged.
            (
                excerpt,
                [day(1), day(2)],
                Which::B,
                DirectionBy::Date,
                Some(CONTRADICTED_CONFIDENCE),
                true,
            ),
            (
                close,
                [day(1), day(2)],
                Which::B,
                DirectionBy::Date,
                Some(DATE_CONFIDENCE),
                false,
            ),
            (
                close,
                [None, day(2)],
                Which::A,
                DirectionBy::Text,
                None,
                false,
            ),
        ];
        for (s, dates, derived, by, confidence, contradicted) in cases {
            let d = direction(&s, v(&s).derived, v(&s).direction_score, dates).unwrap();
            let case = format!("{s:?} {dates:?}: {d:?}");
            assert_eq!(
                (d.derived, d.by, d.contradicted),
                (derived, by, contradicted),
                "{case}"
            );
            let want = confidence.unwrap_or(text_confidence(v(&s).direction_score));
            assert_eq!(d.confidence, want, "{case}");
        }
        // Not a derivative: no direction, whatever the dates.
        let dup = scores(100, 100, 98);
        let v = v(&dup);
        assert_eq!(
            direction(&dup, v.derived, v.direction_score, [day(1), day(2)]),
            None
        );
    }

    #[test]
    fn text_confidence_rises_with_the_score_and_says_weak_below_the_threshold() {
        assert_eq!(text_confidence(0.0), 0.5);
        let mut last = 0.5;
        for i in 1..=100 {
            let s = f64::from(i) / 100.0;
            let c = text_confidence(s);
            assert!(c > last && c < 0.95, "{s}: {c}");
            assert_eq!(text_confidence(-s), c);
            last = c;
        }
        // Weak below a score of about 0.06.
        assert!(text_confidence(0.058) < WEAK_BELOW && text_confidence(0.059) >= WEAK_BELOW);
        let t = Thresholds::default();
        let near_even = scores(100, 101, 80);
        let v = verdict(&near_even, Typography::default(), Typography::default(), &t);
        let d = direction(&near_even, v.derived, v.direction_score, [None, None]).unwrap();
        assert_eq!(d.by, DirectionBy::Weak, "{v:?}");
    }

    #[test]
    fn typography_counts() {
        let t = Typography::of("“Today,” he said; it's Moscow’s \"plan\" — café ⋘");
        assert_eq!(
            t,
            Typography {
                curly: 3,
                straight: 3
            }
        );
        assert_eq!(Typography::of("no quotes").curly_share(), None);
        // Quotes at every offset around the 64-byte blocks, a curly quote cut by a block end.
        let reference = |text: &str| {
            let b = text.as_bytes();
            let mut t = Typography::default();
            for i in 0..b.len() {
                t.straight += u32::from(b[i] == b'\'' || b[i] == b'"');
                t.curly += u32::from(
                    b[i..].starts_with(&[0xE2, 0x80])
                        && (0x98..=0x9D).contains(b.get(i + 2).unwrap_or(&0)),
                );
            }
            t
        };
        for pad in 0..70 {
            let text = format!("{}“a” ‘b’ \"c\" 'd' —‚ ⋘ x’", "x".repeat(pad)).repeat(3);
            assert_eq!(Typography::of(&text), reference(&text), "pad {pad}");
            assert_eq!(Typography::of(&text).curly, 18, "pad {pad}");
        }
    }
}
