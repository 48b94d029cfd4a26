//! The corpus layout: which position holds an original or a derived document, and its entry.
//!
//! In: a [`CorpusSpec`] and a position. Out: [`CorpusSpec::entry`], the document at that position
//! and its truth records. Every choice (derived or not, the kind, the source, the length, the text,
//! the edits) is drawn from a seed of `(corpus seed, position, purpose)`, so an entry is a pure
//! function of the spec and its position and positions can be made in any order, in parallel.

use super::copies::{digest, excerpt, light_edit, repost};
use super::rng::{derive_seed, unit, Rng};
use super::vocab::vocab;
use super::{news_text, CorpusSpec, DerivedKind, SynthDoc, TruthPair};

const SALT_SLOT: u64 = 1;
const SALT_KIND: u64 = 2;
const SALT_SOURCE: u64 = 3;
const SALT_LEN: u64 = 4;
const SALT_TEXT: u64 = 5;
const SALT_EDIT: u64 = 6;
/// Half of the derived documents copy one of the last this-many documents ("breaking news"),
/// the other half any earlier original.
const RECENT: usize = 200;
const SEED_ARTICLE: &str = "seed-article";
const SEED_BLOG: &str = "seed-blog";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    Original,
    Derived {
        kind: DerivedKind,
        source: usize,
        second: usize,
    },
}

impl CorpusSpec {
    /// Number of documents in the corpus: [`docs`](Self::docs) plus 2 when there is a seed pair.
    pub fn total_docs(&self) -> usize {
        self.docs + self.seed_offset()
    }

    /// The document at position `pos` (`0..total_docs()`) and the truth records whose derived
    /// document it is (none for an original). A pure function of the spec and `pos`.
    ///
    /// # Panics
    /// If `pos >= total_docs()`.
    pub fn entry(&self, pos: usize) -> (SynthDoc, Vec<TruthPair>) {
        assert!(pos < self.total_docs(), "position {pos} out of range");
        if let Some(seeds) = &self.seed_pair {
            match pos {
                0 => return (doc(SEED_ARTICLE.into(), seeds.article.clone()), Vec::new()),
                1 => {
                    let truth = TruthPair {
                        source: SEED_ARTICLE.into(),
                        derived: SEED_BLOG.into(),
                        relation: "derivative",
                        kind: "seed",
                        added: None,
                        dropped: None,
                    };
                    return (doc(SEED_BLOG.into(), seeds.blog.clone()), vec![truth]);
                }
                _ => {}
            }
        }
        let i = pos - self.seed_offset();
        let id = self.doc_id(i);
        match self.slot(i) {
            Slot::Original => (doc(id, self.original_text(i)), Vec::new()),
            Slot::Derived {
                kind,
                source,
                second,
            } => self.derived_entry(i, id, kind, source, second),
        }
    }

    fn seed_offset(&self) -> usize {
        if self.seed_pair.is_some() {
            2
        } else {
            0
        }
    }

    pub(super) fn doc_id(&self, i: usize) -> String {
        let digits = self.docs.saturating_sub(1).to_string().len().max(6);
        format!("doc-{i:0digits$}")
    }

    fn word_range(&self) -> (usize, usize) {
        let lo = self.min_words.min(self.max_words).max(1);
        let hi = self.min_words.max(self.max_words).max(1);
        (lo, hi)
    }

    fn fraction(&self) -> f64 {
        if self.derived_fraction > 0.0 {
            self.derived_fraction.min(0.9)
        } else {
            0.0 // also NaN
        }
    }

    fn is_derived(&self, i: usize) -> bool {
        i > 0 && unit(derive_seed(self.seed, i as u64, SALT_SLOT)) < self.fraction()
    }

    /// A random earlier original: a recent one or any, then down to the nearest original
    /// (position 0 always is one).
    fn pick_source(&self, i: usize, rng: &mut Rng) -> usize {
        let mut j = if rng.chance(0.5) {
            i - 1 - rng.below(i.min(RECENT))
        } else {
            rng.below(i)
        };
        while self.is_derived(j) {
            j -= 1;
        }
        j
    }

    fn slot(&self, i: usize) -> Slot {
        if !self.is_derived(i) {
            return Slot::Original;
        }
        let mut kind = self
            .mix
            .pick(unit(derive_seed(self.seed, i as u64, SALT_KIND)));
        let mut rng = Rng::new(derive_seed(self.seed, i as u64, SALT_SOURCE));
        let source = self.pick_source(i, &mut rng);
        let mut second = source;
        if kind == DerivedKind::Digest {
            for _ in 0..8 {
                second = self.pick_source(i, &mut rng);
                if second != source {
                    break;
                }
            }
            if second == source {
                kind = DerivedKind::Excerpt; // only one original before i
            }
        }
        Slot::Derived {
            kind,
            source,
            second,
        }
    }

    fn original_text(&self, i: usize) -> String {
        let (lo, hi) = self.word_range();
        let words = Rng::new(derive_seed(self.seed, i as u64, SALT_LEN)).range(lo, hi);
        news_text(derive_seed(self.seed, i as u64, SALT_TEXT), words)
    }

    fn derived_entry(
        &self,
        i: usize,
        id: String,
        kind: DerivedKind,
        source: usize,
        second: usize,
    ) -> (SynthDoc, Vec<TruthPair>) {
        let src = self.original_text(source);
        let mut rng = Rng::new(derive_seed(self.seed, i as u64, SALT_EDIT));
        let v = vocab();
        let record = |source: usize, added, dropped| TruthPair {
            source: self.doc_id(source),
            derived: id.clone(),
            relation: kind.relation(),
            kind: kind.as_str(),
            added,
            dropped,
        };
        let (text, truth) = match kind {
            DerivedKind::Exact => (src, vec![record(source, Some(vec![]), Some(vec![]))]),
            DerivedKind::LightEdit => {
                (light_edit(&mut rng, &src), vec![record(source, None, None)])
            }
            DerivedKind::Repost => {
                let d = repost(&mut rng, v, &src);
                (d.text, vec![record(source, Some(d.added), Some(d.dropped))])
            }
            DerivedKind::Excerpt => {
                let d = excerpt(&mut rng, &src);
                (d.text, vec![record(source, Some(d.added), Some(d.dropped))])
            }
            DerivedKind::Digest => {
                let other = self.original_text(second);
                let text = digest(&src, &other);
                let truth = vec![record(source, None, None), record(second, None, None)];
                (text, truth)
            }
        };
        (doc(id.clone(), text), truth)
    }
}

fn doc(id: String, text: String) -> SynthDoc {
    SynthDoc { id, text }
}
