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
//! repost. When the two containments are close (the copy added about as much as it dropped),
//! *where* each side's own text sits decides ([`Layout::interior`], [`interior_score`]): a copy
//! frames what it took (a date line, a title, commentary above or below, a comment box), while
//! what it dropped leaves the original with passages of its own all through the body they share;
//! a copy's additions are about something else, and many are lines that end no sentence (a date
//! line, a headline, "No comments: Post a Comment"), where what it dropped is the original's prose.
//! Quote typography is no evidence either way: copies lose curly quotes, and gain them from a
//! publishing system that smartens quotes, as often as not.
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
//! - `text`: from the direction score `s` (margin plus interior evidence) alone, `0.5 + 0.45 * (1 -
//!   exp(-|s| / 0.1))`: 0.5 for no evidence at all, 0.78 at a margin of 0.1, 0.94 at 0.4, and
//!   never above 0.95, below a date's; at most [`CONFLICT_CONFIDENCE`] when the margin and the
//!   other signs point opposite ways ([`TextSigns::conflicting`]);
//! - `weak`: the same figure when it is under [`WEAK_BELOW`] (a score under about 0.06): the
//!   text barely leans, and the direction given is a guess kept for the contract;
//! - `siblings` (in a dedup, [`crate::dedup::mark_siblings`]): two derivatives of one source
//!   that match each other, each explained by the source as well as by the other: copies of it,
//!   neither the other's source, [`SIBLINGS_CONFIDENCE`];
//! - `cover` ([`crate::cover`]): the derived document is a page built from several sources (a
//!   digest), which together explain it while none does alone; each of them is its source,
//!   [`COVER_CONFIDENCE`].
//!
//! What is reported is one setting, [`Reporting`] (a Jaccard and a containment, validated when
//! built, with defaults [`DEFAULT_JACCARD`] and [`DEFAULT_CONTAINMENT`]), and one gate,
//! [`Reporting::reports`]: a pair is reported unless both its Jaccard and its larger containment
//! are below their thresholds.

use std::ops::Range;

use crate::document::Date;
use crate::hash::{mix64, U64Set};
use crate::shingle::ShingleSet;
use crate::text::{ends_sentence, Token};

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

/// Where a text's shingles sit, for the direction of a derivative: each token's word (the top 16
/// bits of its hash), which tokens are content words (of [`CONTENT_WORD_BYTES`] bytes or more,
/// not starting with a digit) and which shingle positions are background (the text's site
/// template, [`crate::boilerplate`]). Two bytes a token (every candidate's layout is held through
/// pass 2: 157 MB more at 1M documents with four): the shingles two texts share are found again
/// from the words, pair by pair ([`Layout::interior`]), where two different shingles agree only if
/// each of their differing words does (one in 65,536), and a word of a text's own is taken for one
/// of the shared body about as rarely (a few hundred words against 65,536 values).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    words: Vec<u16>,
    content: Vec<u64>,
    /// The tokens of lines that are no sentence ([`Layout::new`]).
    loose: Vec<u64>,
    background: Vec<u64>,
    positions: usize,
}

/// Bytes of a content word at least: shorter words ("the", "said", "also") are in every text
/// and say nothing of its topic.
pub const CONTENT_WORD_BYTES: usize = 5;

/// New text of at most this many tokens inside the shared body is an edit (a split or changed
/// word, a dropped "the"), not text of the document's own.
pub const EDIT_TOKENS: usize = 2;

/// What the direction reads of one side of a derivative: the passages of its own (runs of
/// shingles the other text lacks, holding more than [`EDIT_TOKENS`] new tokens that are not
/// background) that sit strictly inside the body the two share, between their first and last
/// shared shingle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Interior {
    /// Passages of its own inside the shared body.
    pub runs: u32,
    /// Their new tokens.
    pub tokens: u32,
    /// Shingles of its own (not background) before the first or after the last shared one.
    pub edge: u32,
    /// Tokens of its own prose (not background, in lines that end a sentence) before the
    /// first shared shingle...
    pub head: u32,
    /// ...and after the last one's words.
    pub tail: u32,
    /// Content words of its own text (not in a shared shingle, not background), counted with
    /// repeats...
    pub own_words: u32,
    /// ...and how many of them are words of the shared body too: an original's own text (what a
    /// copy dropped) is about what the two share, a copy's additions (commentary, framing) are
    /// much less so.
    pub own_words_in_body: u32,
    /// ...and how many of them are in lines that are no sentence ([`Interior::looseness`]).
    pub own_words_loose: u32,
    /// Its share of background shingles (its site's template, a date line and a comment box
    /// that its site's other pages carry too): [`Interior::framing`].
    pub background: u32,
    /// Its shingle positions.
    pub positions: u32,
}

impl Interior {
    /// Share of its own content words that are words of the shared body, drawn towards
    /// [`NEUTRAL_COHERENCE`] as if [`COHERENCE_PRIOR`] more words had that share: a side with
    /// few words of its own says little.
    pub fn coherence(&self) -> f64 {
        (f64::from(self.own_words_in_body) + NEUTRAL_COHERENCE * COHERENCE_PRIOR)
            / (f64::from(self.own_words) + COHERENCE_PRIOR)
    }

    /// Share of its own content words in lines that end no sentence (a date line, a headline,
    /// a byline, a comment box), drawn towards one half as if [`LOOSE_PRIOR`] more words had
    /// that share: a copy's framing looks like that, the prose a copy drops does not.
    pub fn looseness(&self) -> f64 {
        (f64::from(self.own_words_loose) + 0.5 * LOOSE_PRIOR)
            / (f64::from(self.own_words) + LOOSE_PRIOR)
    }

    /// Share of its shingles that are background: framing, which a copy adds around what it
    /// took and which other pages of its site share.
    pub fn framing(&self) -> f64 {
        f64::from(self.background) / f64::from(self.positions.max(1))
    }
}

/// Words of one half that every side's [`Interior::looseness`] starts from.
pub const LOOSE_PRIOR: f64 = 4.0;

/// Words of [`NEUTRAL_COHERENCE`] that every side's [`Interior::coherence`] starts from.
pub const COHERENCE_PRIOR: f64 = 8.0;

/// The buffers of [`Layout::interiors`]: a thread's own, reused from pair to pair (a pair's
/// fingerprints, shared flags and word sets took ten allocations).
#[derive(Default)]
struct InteriorScratch {
    mixed: Vec<u64>,
    prints: [Vec<u64>; 2],
    set: U64Set,
    shared: Vec<bool>,
    words: WordScratch,
}

/// The word buffers of [`Layout::interior_of`].
#[derive(Default)]
struct WordScratch {
    body: Vec<u16>,
    own: Vec<u16>,
    set: U64Set,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<InteriorScratch> = std::cell::RefCell::default();
}

impl Layout {
    /// The layout of a text of `positions` shingles (in text order), with its background as runs
    /// of those positions, from its tokens, the text they index and its lines
    /// ([`crate::text::token_lines`]).
    pub fn new(
        positions: usize,
        background: &[Range<usize>],
        text: &str,
        tokens: &[Token],
        lines: &[Range<usize>],
    ) -> Layout {
        let bits = |n: usize| vec![0u64; n.div_ceil(64)];
        let mut back = Vec::new();
        if !background.is_empty() {
            back = bits(positions);
            for r in background {
                for p in r.start..r.end.min(positions) {
                    back[p / 64] |= 1 << (p % 64);
                }
            }
        }
        let bytes = text.as_bytes();
        let mut content = bits(tokens.len());
        for (i, t) in tokens.iter().enumerate() {
            // A number starts with a digit.
            if (t.end - t.start) as usize >= CONTENT_WORD_BYTES
                && !bytes.get(t.start as usize).is_some_and(u8::is_ascii_digit)
            {
                content[i / 64] |= 1 << (i % 64);
            }
        }
        Layout {
            words: tokens.iter().map(|t| (t.hash >> 48) as u16).collect(),
            content,
            loose: loose_lines(text, tokens, lines),
            background: back,
            positions,
        }
    }

    fn is_loose(&self, i: usize) -> bool {
        bit(&self.loose, i)
    }

    fn is_content(&self, i: usize) -> bool {
        bit(&self.content, i)
    }

    /// A fingerprint of each shingle of `k` words, in text order, into `out` (a text shorter
    /// than a shingle is one, of all its words): each word mixed once, rotated by its place in
    /// the shingle, and the window rolled from one shingle to the next.
    fn fingerprints_into(&self, k: usize, mixed: &mut Vec<u64>, out: &mut Vec<u64>) {
        let k = k.max(1);
        mixed.clear();
        mixed.extend(self.words.iter().map(|&w| mix64(u64::from(w))));
        out.clear();
        let fold = |window: &[u64]| {
            window
                .iter()
                .enumerate()
                .fold(0u64, |h, (i, &m)| h ^ m.rotate_left(i as u32))
        };
        if mixed.len() < k || self.positions == 0 {
            out.extend((0..self.positions.min(1)).map(|_| fold(mixed)));
            return;
        }
        // The next window's print: the leaving word's term taken out, the entering word's put
        // in at place k, and every place moved down by one.
        let mut h = fold(&mixed[..k]);
        out.push(h);
        let rot = (k % 64) as u32;
        for p in 1..self.positions.min(mixed.len() + 1 - k) {
            h = (h ^ mixed[p - 1] ^ mixed[p - 1 + k].rotate_left(rot)).rotate_right(1);
            out.push(h);
        }
    }

    /// [`Layout::interior`] of `a` against `b` and of `b` against `a`, each side's
    /// fingerprints made once, in buffers that each thread reuses from pair to pair.
    pub fn interiors(a: &Layout, b: &Layout, k: usize) -> (Interior, Interior) {
        Layout::each_side(a, b, k, |side, shared, words| {
            side.interior_of(shared, k, words)
        })
    }

    /// The background positions of `a` and of `b` that the other text shares inside a run of
    /// shared positions (shingles of `k` words) that is at least two thirds content: text both
    /// took from one place (an article's lead that other pages quote as a related link, which
    /// the background calls background for each text alone), not a template or a stock phrase
    /// met on its own or among others.
    pub fn shared_background(a: &Layout, b: &Layout, k: usize) -> (usize, usize) {
        if a.background.is_empty() && b.background.is_empty() {
            return (0, 0);
        }
        Layout::each_side(a, b, k, |side, shared, _| {
            let (mut total, mut at) = (0, 0);
            for run in shared.chunk_by(|x, y| x == y) {
                let positions = at..at + run.len();
                at = positions.end;
                if run[0] {
                    let back = positions.filter(|&q| side.is_background(q)).count();
                    if 3 * back <= run.len() {
                        total += back;
                    }
                }
            }
            total
        })
    }

    /// `f` of each side (a, then b) with the flags of which of its positions the other text
    /// shares, found from both sides' fingerprints (made once) in buffers that each thread
    /// reuses from pair to pair.
    fn each_side<R>(
        a: &Layout,
        b: &Layout,
        k: usize,
        mut f: impl FnMut(&Layout, &[bool], &mut WordScratch) -> R,
    ) -> (R, R) {
        SCRATCH.with(|s| {
            let InteriorScratch {
                mixed,
                prints,
                set,
                shared,
                words,
            } = &mut *s.borrow_mut();
            a.fingerprints_into(k, mixed, &mut prints[0]);
            b.fingerprints_into(k, mixed, &mut prints[1]);
            let [pa, pb] = &*prints;
            let mut one = |side: &Layout, mine: &[u64], theirs: &[u64]| {
                set.refill(theirs.iter().copied());
                shared.clear();
                shared.extend(mine.iter().map(|&x| set.contains(x)));
                f(side, shared, words)
            };
            let first = one(a, pa, pb);
            (first, one(b, pb, pa))
        })
    }

    fn is_background(&self, p: usize) -> bool {
        bit(&self.background, p)
    }

    /// The runs of background shingle positions, in text order.
    pub fn background_runs(&self) -> Vec<Range<usize>> {
        let mut runs: Vec<Range<usize>> = Vec::new();
        for p in (0..self.positions).filter(|&p| self.is_background(p)) {
            match runs.last_mut() {
                Some(r) if r.end == p => r.end = p + 1,
                _ => runs.push(p..p + 1),
            }
        }
        runs
    }

    /// This text's passages of its own inside the body it shares with `other` (shingles of `k`
    /// words).
    pub fn interior(&self, other: &Layout, k: usize) -> Interior {
        Layout::interiors(self, other, k).0
    }

    /// The interior of this text, given which of its shingle positions the other text shares.
    fn interior_of(&self, shared: &[bool], k: usize, s: &mut WordScratch) -> Interior {
        let mut out = Interior {
            background: self.background.iter().map(|w| w.count_ones()).sum(),
            positions: self.positions as u32,
            ..Interior::default()
        };
        // The shared body is bounded by shared text of the document's own, not by a template
        // that both pages carry.
        let body = |p: &usize| shared[*p] && !self.is_background(*p);
        let (Some(first), Some(last)) =
            ((0..shared.len()).find(body), (0..shared.len()).rfind(body))
        else {
            return out;
        };
        let own = |r: Range<usize>| r.filter(|&p| !shared[p] && !self.is_background(p)).count();
        out.edge = (own(0..first) + own(last + 1..shared.len())) as u32;
        // Tokens of prose of its own before the shared body, and after it (the last shared
        // shingle covers `k` tokens).
        let prose = |r: Range<usize>| {
            r.filter(|&i| {
                let at = i.min(self.positions.saturating_sub(1));
                !self.is_loose(i) && !self.is_background(at)
            })
            .count() as u32
        };
        out.head = prose(0..first);
        out.tail = prose((last + k.max(1)).min(self.words.len())..self.words.len());
        let mut p = first;
        while p < last {
            if shared[p] {
                p += 1;
                continue;
            }
            let end = p + shared[p..].iter().position(|&s| s).unwrap_or(last - p);
            // t new tokens make t + k - 1 shingles of their own.
            let own = (p..end).filter(|&q| !self.is_background(q)).count();
            let tokens = own.saturating_sub(k.saturating_sub(1));
            if tokens > EDIT_TOKENS {
                out.runs += 1;
                out.tokens += tokens as u32;
            }
            p = end;
        }
        // Words: a token is in the shared body when a shared shingle covers it (one of the k
        // starting at it or before it).
        let WordScratch { body, own, set } = s;
        body.clear();
        own.clear();
        let mut last_shared: Option<usize> = None;
        for (i, &w) in self.words.iter().enumerate() {
            let at = i.min(shared.len().saturating_sub(1));
            if shared.get(i).copied().unwrap_or(false) {
                last_shared = Some(i);
            }
            if !self.is_content(i) {
                continue;
            }
            if last_shared.is_some_and(|q| i - q < k.max(1)) {
                body.push(w);
            } else if !self.is_background(at) {
                own.push(w);
                out.own_words_loose += u32::from(self.is_loose(i));
            }
        }
        set.refill(body.iter().map(|&w| u64::from(w)));
        out.own_words = own.len() as u32;
        out.own_words_in_body = own.iter().filter(|&&w| set.contains(u64::from(w))).count() as u32;
        out
    }
}

/// One bit a token: set for the tokens of a line that does not end a sentence
/// ([`ends_sentence`]): a date line, a headline, a byline, "Posted by ... at 3:57 AM",
/// "No comments: Post a Comment". The framing a copy adds looks like that; the prose an
/// original's copies drop ends its sentences.
fn loose_lines(text: &str, tokens: &[Token], lines: &[Range<usize>]) -> Vec<u64> {
    let mut bits = vec![0u64; tokens.len().div_ceil(64)];
    for line in lines.iter().filter(|l| !ends_sentence(text, tokens, l)) {
        for j in line.clone() {
            bits[j / 64] |= 1 << (j % 64);
        }
    }
    bits
}

/// Bit `i` of a bit set of 64-bit words (unset past its end).
fn bit(bits: &[u64], i: usize) -> bool {
    bits.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 == 1)
}

/// The interior evidence of a derivative, positive when a leans derived: [`INTERIOR_STEP`] a
/// passage of its own inside the shared body that b has more than a (at most [`INTERIOR_CAP`]
/// either way), plus [`COHERENCE_WEIGHT`] times how much more b's own words are about the shared
/// body than a's ([`Interior::coherence`]), plus [`FRAMING_WEIGHT`] times how much more of a is
/// background than of b ([`Interior::framing`]), plus [`LOOSE_WEIGHT`] times how much more of
/// a's own words are in lines that end no sentence ([`Interior::looseness`]: a date line, a
/// headline, a comment box, where the prose a copy drops ends its sentences), plus
/// [`LEAD_WEIGHT`] when a has prose of its own only above the shared body and b only below it
/// (minus it the other way round, [`lead_cue`]).
///
/// A copy's additions frame the text it took (a date line, a title, a comment box, commentary
/// above or below it), while what it dropped (sentences or paragraphs here and there) leaves the
/// original with text of its own all through the shared body. So the original is the side with
/// more passages of its own *inside* the body: a sign that holds when the copy adds about as
/// much as it drops, where the containment margin points either way. One passage of difference
/// is little (a copy may add a sentence inside as well), so each counts a step, against the
/// margin's share of a text. And what an original has of its own (the sentences a copy
/// dropped) is about what the two share: its names and key words recur there; a copy's
/// additions (commentary from elsewhere, a date line, a comment box) much less. On commentary
/// reposts of real news articles this is the strongest of the signs. Last, a copy's framing (a
/// date line, a comment box) is often its site's, found in its other pages: background.
pub fn interior_score(a: Interior, b: Interior) -> f64 {
    let difference = f64::from(b.runs) - f64::from(a.runs);
    let passages = (INTERIOR_STEP * difference).clamp(-INTERIOR_CAP, INTERIOR_CAP);
    passages
        + LEAD_WEIGHT * (lead_cue(a, b) - lead_cue(b, a))
        + COHERENCE_WEIGHT * (b.coherence() - a.coherence())
        + FRAMING_WEIGHT * (a.framing() - b.framing())
        + LOOSE_WEIGHT * (a.looseness() - b.looseness())
}

/// 1 when `x` reads as a copy that put its own prose before the text it took, against `y` that
/// starts with the shared text and goes on with prose of its own (more than [`EDIT_TOKENS`]
/// tokens each; `y` has at most that many above the shared text); else 0. News is written lead
/// first, and a copy keeps the lead: commentary above a story's first paragraphs (and maybe
/// more below where the repost stops), against the story going on below them.
pub fn lead_cue(x: Interior, y: Interior) -> f64 {
    let some = |own: u32| own as usize > EDIT_TOKENS;
    f64::from(u8::from(some(x.head) && some(y.tail) && !some(y.head)))
}

/// Weight of [`lead_cue`] in [`interior_score`]: less than the other signs can say, so that it
/// decides only where they are close.
pub const LEAD_WEIGHT: f64 = 0.2;

/// Weight of the difference of the two sides' [`Interior::looseness`].
pub const LOOSE_WEIGHT: f64 = 0.3;

/// Weight of the difference of the two sides' [`Interior::framing`].
pub const FRAMING_WEIGHT: f64 = 0.5;

/// Weight of the difference of the two sides' [`Interior::coherence`].
pub const COHERENCE_WEIGHT: f64 = 1.0;
/// The coherence a side's own words start from: between an original's dropped prose (about 0.3
/// of its content words are in the shared body, on real news) and unrelated additions (about
/// 0.03).
pub const NEUTRAL_COHERENCE: f64 = 0.15;

/// Direction score of one passage of difference in [`interior_score`].
pub const INTERIOR_STEP: f64 = 0.06;
/// The most [`interior_score`] adds to the containment margin, either way.
pub const INTERIOR_CAP: f64 = 0.3;

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
    /// For a derivative: what the text read besides the containments.
    pub signs: TextSigns,
}

impl Verdict {
    /// The verdict of a relation without a direction (any but a derivative).
    pub fn of(relation: Relation) -> Verdict {
        Verdict {
            relation,
            derived: None,
            direction_score: 0.0,
            signs: TextSigns::default(),
        }
    }
}

/// What a derivative's direction read of the texts besides their containments.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TextSigns {
    /// The passages of its own inside the shared body, of a and of b ([`Interior::runs`]).
    pub passages: [u32; 2],
    /// The containment margin and the other signs ([`interior_score`]) point opposite ways:
    /// the text's confidence is at most [`CONFLICT_CONFIDENCE`].
    pub conflicting: bool,
}

/// The most confidence a direction from the text has when its signs disagree.
pub const CONFLICT_CONFIDENCE: f64 = 0.75;

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
    /// Both are derivatives of one source in the corpus, which explains each of them as well as
    /// the other does: copies of it, neither the other's source ([`SIBLINGS_CONFIDENCE`]). The
    /// direction given is kept for the contract.
    Siblings,
    /// The derived document is a page built from several sources, this one among them: a part
    /// of its cover ([`crate::cover`]), which no single source explains ([`COVER_CONFIDENCE`]).
    Cover,
}

impl DirectionBy {
    /// `"date"`, `"text"`, `"weak"`, `"siblings"` or `"cover"`.
    pub fn as_str(self) -> &'static str {
        match self {
            DirectionBy::Date => "date",
            DirectionBy::Text => "text",
            DirectionBy::Weak => "weak",
            DirectionBy::Siblings => "siblings",
            DirectionBy::Cover => "cover",
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
    /// What the text's direction read besides the containments.
    pub signs: TextSigns,
}

/// Confidence of the direction from a page built from several sources to each of them: the
/// page is the one that holds parts of several texts, each of which holds its own part whole.
pub const COVER_CONFIDENCE: f64 = 0.9;

/// Confidence of the direction between two siblings: none (either could be called the copy).
pub const SIBLINGS_CONFIDENCE: f64 = 0.5;
/// Two derivatives of one source are siblings unless one of them has more than this share of
/// its shingles more inside the other than inside the source (then it took from the other).
pub const SIBLINGS_MARGIN: f64 = 0.05;
/// Siblings are derivatives of a source whose directions are at least this sure.
pub const SIBLINGS_SURE: f64 = 0.8;
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
    signs: TextSigns,
    dates: [Option<Date>; 2],
) -> Option<Direction> {
    let by_text = derived?;
    let (earlier, earlier_in_later) = match dates {
        [Some(a), Some(b)] if a < b => (Which::A, scores.containment_a_in_b),
        [Some(a), Some(b)] if b < a => (Which::B, scores.containment_b_in_a),
        _ => {
            let mut confidence = text_confidence(direction_score);
            if signs.conflicting {
                confidence = confidence.min(CONFLICT_CONFIDENCE);
            }
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
                signs,
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
        signs,
    })
}

/// [`direction`] decided again with the dates of a and b, from what a pair keeps of its text's
/// verdict (`derived`, `direction_score`) and the signs its `current` direction read.
pub fn redated(
    scores: &Scores,
    derived: Option<Which>,
    direction_score: f64,
    current: Option<Direction>,
    dates: [Option<Date>; 2],
) -> Option<Direction> {
    let signs = current.map(|d| d.signs).unwrap_or_default();
    direction(scores, derived, direction_score, signs, dates)
}

/// Decides the relation and direction of a pair from its exact scores and, for a derivative, the
/// two sides' [`Interior`]s (of a, of b: asked only then), read by [`interior_score`].
pub fn verdict(
    scores: &Scores,
    interior: impl FnOnce() -> (Interior, Interior),
    t: &Thresholds,
) -> Verdict {
    verdict_tied(scores, interior, std::cmp::Ordering::Less, t)
}

/// [`verdict`], with the last word on the direction when the evidence is even (equal
/// containments, no interior evidence): `tie` orders a against b, and the lesser is the derived
/// one. A caller that orders the two documents by something of their own (length, id, position
/// in a corpus) gets the same answer whichever it passes as `a`.
pub fn verdict_tied(
    scores: &Scores,
    interior: impl FnOnce() -> (Interior, Interior),
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
    if relation != Relation::Derivative {
        return Verdict::of(relation);
    }
    let margin = scores.containment_a_in_b - scores.containment_b_in_a;
    let (ia, ib) = interior();
    let others = interior_score(ia, ib);
    let direction_score = margin + others;
    let a_derived = direction_score > 0.0
        || (direction_score == 0.0 && scores.a_shingles.cmp(&scores.b_shingles).then(tie).is_lt());
    Verdict {
        relation,
        derived: Some(if a_derived { Which::A } else { Which::B }),
        direction_score,
        signs: TextSigns {
            passages: [ia.runs, ib.runs],
            conflicting: margin * others < 0.0,
        },
    }
}

/// [`verdict_tied`] for a pair judged on its content, with the figures on the whole texts
/// (`raw`) when either text has background: two texts that are duplicates by their whole texts
/// ([`whole_duplicate`]) are duplicates, whatever their content alone says.
pub fn verdict_judged(
    scores: &Scores,
    raw: Option<&RawFigures>,
    interior: impl FnOnce() -> (Interior, Interior),
    tie: std::cmp::Ordering,
    t: &Thresholds,
) -> Verdict {
    match raw.is_some_and(|r| whole_duplicate(scores, r, t)) {
        true => Verdict::of(Relation::Duplicate),
        false => verdict_tied(scores, interior, tie, t),
    }
}

/// Whether two texts judged on their content are duplicates by their whole texts: each holds at
/// least the duplicate threshold of the other, whole, and at least the derivative threshold of
/// the other's content. Running prose strung from stock phrases has few shingles of its own
/// (where the phrases meet), and a word changed inside a phrase makes five more of them in the
/// copy alone: the content containments of a lightly edited copy fall under the duplicate
/// threshold while the whole texts' stay above it.
pub fn whole_duplicate(content: &Scores, raw: &RawFigures, t: &Thresholds) -> bool {
    let least = |s: &Scores| s.containment_a_in_b.min(s.containment_b_in_a);
    least(&raw.scores) >= t.duplicate && least(content) >= t.derivative
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_texts_make_a_duplicate_of_a_lightly_edited_copy_of_stock_phrases() {
        let t = Thresholds::default();
        let raw = |a, b, shared| RawFigures {
            scores: Scores::from_counts(a, b, shared),
            a_boilerplate: 0,
            b_boilerplate: 0,
        };
        // Prose of stock phrases with a few words changed: 114 and 104 shingles of its own, 100
        // of them shared (0.88 of the first), and 0.97 of each whole text inside the other.
        let content = Scores::from_counts(114, 104, 100);
        assert!(whole_duplicate(&content, &raw(547, 547, 531), &t));
        // Two articles of one site whose template is most of each page: the whole texts are
        // nearly the same, the articles are not.
        let articles = Scores::from_counts(60, 50, 15);
        assert!(!whole_duplicate(&articles, &raw(300, 290, 285), &t));
        // A repost that kept 85% of the whole text is no duplicate, whatever its content says.
        assert!(!whole_duplicate(&content, &raw(547, 600, 465), &t));
    }

    #[test]
    fn a_copy_that_put_prose_above_the_lead_it_took_leans_derived() {
        let edges = |head, tail| Interior {
            head,
            tail,
            ..Interior::default()
        };
        // The story goes on below the lead that both carry.
        let story = edges(0, 40);
        // Commentary above the lead, the repost cut where it stops, or with more comment below.
        for copy in [edges(30, 0), edges(30, 25)] {
            assert_eq!(lead_cue(copy, story), 1.0, "{copy:?}");
            assert_eq!(lead_cue(story, copy), 0.0, "{copy:?}");
        }
        // A text that does not start with the shared text says nothing, nor does a copy that
        // added nothing above it.
        assert_eq!(lead_cue(edges(30, 0), edges(20, 40)), 0.0);
        assert_eq!(lead_cue(edges(0, 30), story), 0.0);
    }

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
            let v = verdict(&scores(a, b, s), no_interior, &t);
            assert_eq!(v.relation, rel, "{a} {b} {s}");
            assert_eq!(v.derived, derived, "{a} {b} {s}");
        }
    }

    fn no_interior() -> (Interior, Interior) {
        (Interior::default(), Interior::default())
    }

    /// The layout of a text of words `word0 word1 ...` with these ranges, one paragraph each,
    /// and `background` positions.
    fn paragraphs(ranges: &[std::ops::Range<u32>], background: &[Range<usize>]) -> Layout {
        let text = ranges
            .iter()
            .map(|r| {
                r.clone()
                    .map(|i| format!("word{i}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect::<Vec<_>>()
            .join("\n\n");
        layout_of(&text, background)
    }

    /// The layout of `text`, in shingles of 5 words, with `background` positions.
    fn layout_of(text: &str, background: &[Range<usize>]) -> Layout {
        let tokens = crate::text::tokenize(text);
        let mut hashes = Vec::new();
        crate::shingle::shingle_hashes_into(&tokens, 5, &mut hashes);
        let lines = crate::text::token_lines(text, &tokens);
        Layout::new(hashes.len(), background, text, &tokens, &lines)
    }

    /// The rolled fingerprints are each shingle's words folded afresh, for texts shorter than
    /// a shingle, as long as one, and longer, and equal shingles have equal prints.
    #[test]
    fn rolled_fingerprints_are_the_windows_folded() {
        for n in [0u32, 1, 4, 5, 6, 40] {
            let layout = paragraphs(&[0..n, 0..n], &[]);
            let (mut mixed, mut prints) = (Vec::new(), Vec::new());
            layout.fingerprints_into(5, &mut mixed, &mut prints);
            assert_eq!(prints.len(), layout.positions, "{n} words twice");
            for (p, &print) in prints.iter().enumerate() {
                let end = (p + 5).min(mixed.len());
                let folded = mixed[p.min(end)..end]
                    .iter()
                    .enumerate()
                    .fold(0u64, |h, (i, &m)| h ^ m.rotate_left(i as u32));
                assert_eq!(print, folded, "{n} words twice, shingle {p}");
            }
            if n >= 5 {
                assert_eq!(prints[0], prints[n as usize], "{n} words twice");
            }
        }
    }

    #[test]
    fn interior_counts_own_passages_inside_the_shared_body_only() {
        // The source: 0..100. The copy: a head of its own, 0..20, 30..60 (10 words dropped),
        // 60..61 replaced by an edit of one word, 62..100, and a tail of its own.
        let source = paragraphs(std::slice::from_ref(&(0..100)), &[]);
        let copy = [500..520, 0..20, 30..61, 900..901, 62..100, 600..640];
        let copied = paragraphs(&copy, &[]);
        // The source has one passage of its own inside (the ten dropped words, and the word the
        // copy replaced is an edit); the copy's head and tail are around the shared body.
        let s_in = source.interior(&copied, 5);
        assert_eq!((s_in.runs, s_in.tokens), (1, 10), "{s_in:?}");
        let c_in = copied.interior(&source, 5);
        assert_eq!((c_in.runs, c_in.tokens), (0, 0), "{c_in:?}");
        assert_eq!(c_in.edge, 20 + 40, "{c_in:?}");
        // Background positions are not text of its own: the copy's head as a template.
        let head = std::slice::from_ref(&(0..24));
        let templated = paragraphs(&copy, head).interior(&source, 5);
        assert_eq!(templated.edge, 40, "{templated:?}");
        // Own words: the source's ten dropped words and the one the copy replaced are not in
        // the shared body (each word is once in these texts), nor are the copy's 61; the
        // copy's head as a template is not its own.
        assert_eq!((s_in.own_words, s_in.own_words_in_body), (11, 0));
        assert_eq!((c_in.own_words, c_in.own_words_in_body), (61, 0));
        assert_eq!(templated.own_words, 41);
        // Copy-side passages count for the copy: the source leans derived.
        assert!(interior_score(s_in, c_in) < 0.0);
        assert!(interior_score(c_in, s_in) > 0.0);
        let many = Interior {
            runs: 20,
            ..Interior::default()
        };
        assert_eq!(interior_score(Interior::default(), many), INTERIOR_CAP);
        assert_eq!(interior_score(many, Interior::default()), -INTERIOR_CAP);
    }

    #[test]
    fn own_words_about_the_shared_body_lean_original() {
        // The source repeats its key words in its last sentences, which the copy dropped; the
        // copy added as many unrelated words at its start.
        // Its last words: 10 40 11 41 ..., words of the body in no 5-gram of it.
        let mut source: Vec<Range<u32>> = (0..10)
            .flat_map(|i| [10 + i..11 + i, 40 + i..41 + i])
            .collect();
        source.insert(0, 0..60);
        let source = paragraphs(&source, &[]);
        let copied = paragraphs(&[700..720, 0..60], &[]);
        let (s_in, c_in) = (source.interior(&copied, 5), copied.interior(&source, 5));
        assert_eq!(
            (s_in.runs, c_in.runs),
            (0, 0),
            "both own texts are at an edge"
        );
        assert!(s_in.coherence() > NEUTRAL_COHERENCE, "{s_in:?}");
        assert!(c_in.coherence() < NEUTRAL_COHERENCE, "{c_in:?}");
        // With a = the copy: a leans derived, from the words alone.
        assert!(interior_score(c_in, s_in) > 0.0);
        // No words of its own: neutral.
        assert_eq!(Interior::default().coherence(), NEUTRAL_COHERENCE);
    }

    /// The layout of a text of words `word0 word1 ...` with these ranges, one paragraph each,
    /// each a sentence (ending in a full stop).
    fn sentences(ranges: &[Range<u32>]) -> Layout {
        let text = ranges
            .iter()
            .map(|r| {
                let words: Vec<String> = r.clone().map(|i| format!("word{i}")).collect();
                format!("{}.", words.join(" "))
            })
            .collect::<Vec<_>>()
            .join("\n\n");
        layout_of(&text, &[])
    }

    #[test]
    fn commentary_above_a_cut_lead_leans_copy() {
        // The source: a lead (0..60) and the rest of its story (60..100). The repost: a comment
        // of 30 words above the lead, and nothing after it.
        let source = sentences(&[0..60, 60..100]);
        let repost = sentences(&[700..730, 0..60]);
        let (r, s) = Layout::interiors(&repost, &source, 5);
        assert_eq!(
            (r.head, r.tail, s.head, s.tail),
            (30, 0, 0, 40),
            "{r:?} {s:?}"
        );
        let without = |x: Interior| Interior {
            head: 0,
            tail: 0,
            ..x
        };
        let lean = interior_score(r, s) - interior_score(without(r), without(s));
        assert!((lean - LEAD_WEIGHT).abs() < 1e-12, "{lean}");
        assert!(
            (interior_score(s, r) - interior_score(without(s), without(r)) + LEAD_WEIGHT).abs()
                < 1e-12
        );
        // A comment below the lead: both go on after the shared text, and the cue says nothing.
        let below = sentences(&[0..60, 700..730]);
        let (b, s) = Layout::interiors(&below, &source, 5);
        assert_eq!((b.head, s.head), (0, 0));
        assert_eq!(interior_score(b, s), interior_score(without(b), without(s)));
        // A comment that is no prose (a date line, a headline) is framing, not commentary.
        let dated = paragraphs(&[700..730, 0..60], &[]);
        let (d, _) = Layout::interiors(&dated, &source, 5);
        assert_eq!(d.head, 0, "{d:?}");
    }

    #[test]
    fn background_inside_a_shared_passage_of_content_is_shared() {
        // Both texts: a lead (0..10) that other pages quote, background to each, then the rest
        // of the paragraph (10..60); b adds 100..140. Positions 0..6 are the lead's shingles.
        let lead = std::slice::from_ref(&(0..6));
        let a = paragraphs(std::slice::from_ref(&(0..60)), lead);
        let b = paragraphs(&[0..60, 100..140], lead);
        assert_eq!(Layout::shared_background(&a, &b, 5), (6, 6));
        // A stock phrase alone in a run of its own (the texts share nothing around it) is not.
        let a = paragraphs(&[0..10, 200..240], lead);
        let b = paragraphs(&[0..10, 300..340], lead);
        assert_eq!(Layout::shared_background(&a, &b, 5), (0, 0));
        // Nor is background that is more than a third of its run.
        let much = std::slice::from_ref(&(0..20));
        let a = paragraphs(&[0..40, 200..240], much);
        let b = paragraphs(&[0..40, 300..340], much);
        assert_eq!(Layout::shared_background(&a, &b, 5), (0, 0));
        // Without background there is nothing to count.
        let plain = paragraphs(std::slice::from_ref(&(0..60)), &[]);
        assert_eq!(Layout::shared_background(&plain, &plain, 5), (0, 0));
    }

    #[test]
    fn framing_of_its_site_leans_copy() {
        // The same text on both sides; one has its first 20 positions as background (a date
        // line and a comment box its site's other pages carry).
        let words: Vec<Range<u32>> = vec![0..60, 100..120];
        let head = std::slice::from_ref(&(0..20));
        let (plain, framed) = (paragraphs(&words, &[]), paragraphs(&words, head));
        let (f, p) = Layout::interiors(&framed, &plain, 5);
        assert_eq!((f.background, f.positions), (20, 76));
        assert_eq!(p.framing(), 0.0);
        let lean = interior_score(f, p);
        assert!(
            (lean - FRAMING_WEIGHT * 20.0 / 76.0).abs() < 1e-12,
            "{lean}"
        );
        assert_eq!(interior_score(p, f), -lean);
    }

    #[test]
    fn lines_that_end_no_sentence_are_loose() {
        let text = "Tuesday, January 4, 2022\nPutin meets Xi in Moscow\n\nThe two leaders met. \
                    They talked!\nWhat now?\n“It is over,” he said.\nWait for it…\n北京。\n\
                    Posted by Duda at 3:57 AM\nNo comments: Post a Comment";
        let tokens = crate::text::tokenize(text);
        let bits = loose_lines(text, &tokens, &crate::text::token_lines(text, &tokens));
        let loose: Vec<&str> = tokens
            .iter()
            .enumerate()
            .filter(|&(i, _)| bit(&bits, i))
            .map(|(_, t)| &text[t.span()])
            .collect();
        let want = "Tuesday January 4 2022 Putin meets Xi in Moscow \
                    Posted by Duda at 3 57 AM No comments Post a Comment";
        assert_eq!(loose.join(" "), want);
        assert!(loose_lines("", &[], &[]).is_empty());
    }

    #[test]
    fn own_lines_that_end_no_sentence_lean_copy() {
        // The copy keeps the article's first two paragraphs and adds a headline and a comment
        // box; the article's third paragraph, which the copy dropped, is prose.
        let article = "Alpha bravo charlie delta echo foxtrot golf hotel india juliet.\n\n\
                       Kilo lima mike november oscar papa quebec romeo sierra tango.\n\n\
                       Uniform victor whiskey xray yankee zulu anchor harbor island jungle.";
        let copy = "Breaking markets tumble overnight everywhere\n\n\
                    Alpha bravo charlie delta echo foxtrot golf hotel india juliet.\n\n\
                    Kilo lima mike november oscar papa quebec romeo sierra tango.\n\n\
                    Posted by Somebody Elsewhere: comments closed";
        let layout = |t: &str| {
            let tokens = crate::text::tokenize(t);
            let mut hashes = Vec::new();
            crate::shingle::shingle_hashes_into(&tokens, 5, &mut hashes);
            let lines = crate::text::token_lines(t, &tokens);
            Layout::new(hashes.len(), &[], t, &tokens, &lines)
        };
        let (c, a) = Layout::interiors(&layout(copy), &layout(article), 5);
        assert_eq!((c.own_words, c.own_words_loose), (10, 10), "{c:?}");
        assert_eq!((a.own_words, a.own_words_loose), (8, 0), "{a:?}");
        assert!(c.looseness() > 0.8 && a.looseness() < 0.2);
        // Nothing of its own: one half.
        assert_eq!(Interior::default().looseness(), 0.5);
        // With a = the copy, the looseness alone leans a derived.
        let only_loose = |i: Interior| Interior {
            own_words_in_body: 0,
            ..i
        };
        let lean = interior_score(only_loose(c), only_loose(a));
        assert!(lean > 0.0, "{lean}");
        assert!(interior_score(only_loose(a), only_loose(c)) < 0.0);
    }

    #[test]
    fn interior_evidence_turns_a_close_call() {
        let t = Thresholds::default();
        // Containments nearly even, a a little more inside b: the margin alone calls a the copy.
        let close = scores(100, 105, 72);
        assert_eq!(verdict(&close, no_interior, &t).derived, Some(Which::A));
        // a holds four passages of its own inside the shared body, b none: b is the copy.
        let a_has_its_own = || {
            let four = Interior {
                runs: 4,
                tokens: 60,
                ..Interior::default()
            };
            (four, Interior::default())
        };
        let v = verdict(&close, a_has_its_own, &t);
        assert_eq!((v.derived, v.signs.passages), (Some(Which::B), [4, 0]));
        // The margin said a, the passages b: conflicting signs.
        assert!(v.signs.conflicting);
        // A clear containment margin wins over it.
        let clear = scores(60, 100, 55);
        assert_eq!(verdict(&clear, a_has_its_own, &t).derived, Some(Which::A));
        // Not a derivative: the evidence is not even asked for.
        let dup = scores(100, 100, 98);
        let v = verdict(&dup, || unreachable!("a duplicate has no direction"), &t);
        assert_eq!((v.relation, v.derived), (Relation::Duplicate, None));
    }

    #[test]
    fn direction_by_date_and_by_text() {
        let day = |d: i64| Date::from_seconds(d * 86_400);
        // a: 100 shingles, 95 of them in b; b: 200, 95 in a. The text: a is the copy.
        let excerpt = scores(100, 200, 95);
        // a: 100, b: 110, 80 shared: the text leans a little towards a being the copy.
        let close = scores(100, 110, 80);
        let t = Thresholds::default();
        let v = |s: &Scores| verdict(s, no_interior, &t);
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
            let d =
                direction(&s, v(&s).derived, v(&s).direction_score, v(&s).signs, dates).unwrap();
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
            direction(
                &dup,
                v.derived,
                v.direction_score,
                v.signs,
                [day(1), day(2)]
            ),
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
        let v = verdict(&near_even, no_interior, &t);
        let d = direction(
            &near_even,
            v.derived,
            v.direction_score,
            v.signs,
            [None, None],
        )
        .unwrap();
        assert_eq!(d.by, DirectionBy::Weak, "{v:?}");
        // Signs that disagree cap the confidence of a clear score.
        let clear = scores(60, 100, 55);
        let v = verdict(&clear, no_interior, &t);
        let conflicting = TextSigns {
            conflicting: true,
            ..v.signs
        };
        let sure = direction(&clear, v.derived, v.direction_score, v.signs, [None, None]);
        let capped = direction(
            &clear,
            v.derived,
            v.direction_score,
            conflicting,
            [None, None],
        );
        assert!(sure.unwrap().confidence > 0.9, "{sure:?}");
        assert_eq!(capped.unwrap().confidence, CONFLICT_CONFIDENCE);
        assert_eq!(capped.unwrap().by, DirectionBy::Text);
    }
}
