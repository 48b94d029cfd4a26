//! Generated news-like corpora with known reposts, for tests, benchmarks and the quality scorer.
//!
//! In: a [`CorpusSpec`] (how many documents, a seed, the word range of an article, the share of
//! derived documents and the [`KindMix`] of ways to derive them, optionally the two real seed texts).
//! Out: a [`Corpus`]: documents `{id, text}` and [`TruthPair`] records saying which document was
//! derived from which, how, and which character spans were added to the copy or dropped from the
//! source. [`Corpus::write_jsonl`] and [`Corpus::write_truth`] write the JSON Lines corpus and the
//! `TRUTH.json` that `tools/score_pairs.py` reads.
//!
//! Why it is built this way:
//!
//! - Every document is a pure function of the spec and its position ([`CorpusSpec::entry`]): whether
//!   a position holds an original or a derived document, and which earlier original it copies, come
//!   from hashes of `(seed, position)`. A caller can generate positions in any order, in parallel
//!   ([`generate_par`]), or stream a million documents to disk ([`stream_jsonl`]) without holding
//!   them. A derived document regenerates its source's text, which costs about one article more per
//!   derived document.
//! - Sources are always originals that come earlier in the corpus, and a derived document is never
//!   the source of another, so the truth is a flat list of pairs.
//! - The text is random but shaped like news: a fixed vocabulary of 6,000 pseudo-words made from
//!   syllables, about 200 common English words and about 130 names and places, drawn with Zipf-like
//!   frequencies; sentences of 8 to 35 words with commas, numbers ("190,000", "40%", "2023"), curly
//!   quotes, possessives ("Moscow’s"), em dashes and datelines; paragraphs of 1 to 5 sentences
//!   separated by a blank line. Two unrelated articles share almost no word 5-gram.
//! - Truth spans count Unicode scalar values (Python string indices), end-exclusive, because that is
//!   what the scorer reads; the text has multi-byte characters (’ “ ” — í ü), so chars, not bytes.
//! - Only integer arithmetic and correctly rounded float operations (no `powf`, no `ln`), and a
//!   splitmix64 generator of our own: the same spec gives the same bytes on every platform.
//!
//! Where things are: this file holds the spec ([`CorpusSpec`], [`KindMix`], [`DerivedKind`],
//! [`SeedPair`]) and the entry points ([`generate`], [`generate_par`], [`stream_jsonl`],
//! [`news_text`]); `layout` decides what each position holds and builds its entry; `rng` is the
//! deterministic randomness; `vocab` the word lists; `article` writes original articles; `copies`
//! makes the derived texts (light edit, repost, excerpt, digest) with their truth spans; `truth`
//! holds the output records ([`SynthDoc`], [`TruthPair`], [`Corpus`]) and their file formats.

mod article;
mod copies;
mod layout;
mod rng;
mod truth;
mod vocab;

#[cfg(test)]
mod tests;

use std::io::{self, BufWriter, Write};

use rayon::prelude::*;

use article::write_article;
use rng::Rng;
use truth::write_doc_line;
use vocab::vocab;

pub use truth::{write_truth_json, CharSpan, Corpus, SynthDoc, TruthPair};

/// How a derived document was made from its source(s).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DerivedKind {
    /// The identical text.
    Exact,
    /// The same text with a few tiny edits: straight quotes, a word split in two, a dropped "the",
    /// a changed dateline.
    LightEdit,
    /// A blog repost: a date line and a title on top, a footer below, 20–40% of the paragraphs
    /// dropped, quote style changed and a word split inside the kept ones, sometimes a sentence added.
    Repost,
    /// A contiguous run of 40–70% of the source's paragraphs, sometimes with a credit line.
    Excerpt,
    /// The first half of one source's paragraphs followed by the first half of another's.
    Digest,
}

impl DerivedKind {
    /// All kinds, in the order of [`KindMix`]'s fields.
    pub const ALL: [DerivedKind; 5] = [
        DerivedKind::Exact,
        DerivedKind::LightEdit,
        DerivedKind::Repost,
        DerivedKind::Excerpt,
        DerivedKind::Digest,
    ];

    /// The label written in the truth's `kind` field.
    pub fn as_str(self) -> &'static str {
        match self {
            DerivedKind::Exact => "exact",
            DerivedKind::LightEdit => "light_edit",
            DerivedKind::Repost => "repost",
            DerivedKind::Excerpt => "excerpt",
            DerivedKind::Digest => "digest",
        }
    }

    /// The relation the scorer expects a detector to report: `"duplicate"` for exact copies and
    /// light edits, `"derivative"` for the rest.
    pub fn relation(self) -> &'static str {
        match self {
            DerivedKind::Exact | DerivedKind::LightEdit => "duplicate",
            _ => "derivative",
        }
    }
}

/// Relative weights of the derivation kinds among derived documents (they need not sum to 1).
///
/// Negative or non-finite weights count as 0; if all are 0 the default mix is used.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KindMix {
    /// Weight of [`DerivedKind::Exact`].
    pub exact: f64,
    /// Weight of [`DerivedKind::LightEdit`].
    pub light_edit: f64,
    /// Weight of [`DerivedKind::Repost`].
    pub repost: f64,
    /// Weight of [`DerivedKind::Excerpt`].
    pub excerpt: f64,
    /// Weight of [`DerivedKind::Digest`].
    pub digest: f64,
}

impl Default for KindMix {
    /// Exact 20%, light edit 20%, repost 35%, excerpt 15%, digest 10%.
    fn default() -> Self {
        KindMix {
            exact: 0.20,
            light_edit: 0.20,
            repost: 0.35,
            excerpt: 0.15,
            digest: 0.10,
        }
    }
}

impl KindMix {
    /// A mix of one kind only.
    pub fn only(kind: DerivedKind) -> Self {
        let mut mix = KindMix {
            exact: 0.0,
            light_edit: 0.0,
            repost: 0.0,
            excerpt: 0.0,
            digest: 0.0,
        };
        match kind {
            DerivedKind::Exact => mix.exact = 1.0,
            DerivedKind::LightEdit => mix.light_edit = 1.0,
            DerivedKind::Repost => mix.repost = 1.0,
            DerivedKind::Excerpt => mix.excerpt = 1.0,
            DerivedKind::Digest => mix.digest = 1.0,
        }
        mix
    }

    fn weights(&self) -> [f64; 5] {
        let clean = |w: f64| if w.is_finite() && w > 0.0 { w } else { 0.0 };
        let w = [
            clean(self.exact),
            clean(self.light_edit),
            clean(self.repost),
            clean(self.excerpt),
            clean(self.digest),
        ];
        if w.iter().sum::<f64>() > 0.0 {
            w
        } else {
            KindMix::default().weights()
        }
    }

    /// The kind for a uniform number `u` in [0, 1).
    pub(super) fn pick(&self, u: f64) -> DerivedKind {
        let w = self.weights();
        let mut x = u * w.iter().sum::<f64>();
        for (kind, weight) in DerivedKind::ALL.into_iter().zip(w) {
            if x < weight {
                return kind;
            }
            x -= weight;
        }
        // Rounding can leave x a hair above the last weight: take the last kind that has weight.
        let last = w.iter().rposition(|&x| x > 0.0).unwrap_or(0);
        DerivedKind::ALL[last]
    }
}

/// The two real seed documents, injected at the head of a corpus as `seed-article` (the source)
/// and `seed-blog` (its repost), with one truth record of kind `"seed"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedPair {
    /// The original article (id `seed-article`).
    pub article: String,
    /// The blog repost of it (id `seed-blog`).
    pub blog: String,
}

/// What corpus to generate. Build it from [`Default`] with the setters:
///
/// ```
/// use neardup::synth::{generate, CorpusSpec};
///
/// let spec = CorpusSpec::default().docs(50).seed(7).words(100, 200);
/// let corpus = generate(&spec);
/// assert_eq!(corpus.docs.len(), 50);
/// assert!(corpus.truth.iter().all(|t| t.derived.starts_with("doc-")));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct CorpusSpec {
    /// Number of generated documents (the seed pair, if any, comes on top).
    pub docs: usize,
    /// Seed of everything random.
    pub seed: u64,
    /// Fewest words of an original article (words: whitespace-separated tokens with a letter or digit).
    pub min_words: usize,
    /// Most words of an original article.
    pub max_words: usize,
    /// Expected share of derived documents, clamped to [0, 0.9]. Each position after the first is
    /// derived with this probability, so the realised count varies a little around it.
    pub derived_fraction: f64,
    /// Weights of the derivation kinds.
    pub mix: KindMix,
    /// The real seed pair to put at the head of the corpus, if any.
    pub seed_pair: Option<SeedPair>,
}

impl Default for CorpusSpec {
    /// 1,000 documents, seed `0x5EED`, 200–600 words, 10% derived, the default mix, no seed pair.
    fn default() -> Self {
        CorpusSpec {
            docs: 1000,
            seed: 0x5EED,
            min_words: 200,
            max_words: 600,
            derived_fraction: 0.10,
            mix: KindMix::default(),
            seed_pair: None,
        }
    }
}

/// Generates the whole corpus described by `spec`, one document after another.
pub fn generate(spec: &CorpusSpec) -> Corpus {
    let mut corpus = Corpus::default();
    for pos in 0..spec.total_docs() {
        let (doc, truth) = spec.entry(pos);
        corpus.docs.push(doc);
        corpus.truth.extend(truth);
    }
    corpus
}

/// Generates the same corpus as [`generate`] on rayon's thread pool.
pub fn generate_par(spec: &CorpusSpec) -> Corpus {
    let entries: Vec<(SynthDoc, Vec<TruthPair>)> = (0..spec.total_docs())
        .into_par_iter()
        .map(|pos| spec.entry(pos))
        .collect();
    let mut corpus = Corpus::default();
    for (doc, truth) in entries {
        corpus.docs.push(doc);
        corpus.truth.extend(truth);
    }
    corpus
}

/// Writes the corpus of `spec` as JSON Lines to `w` without holding it, and returns its truth
/// (small: one record per derived document). Documents are made in parallel batches of 4,096 and
/// written in order; the bytes are those of [`Corpus::write_jsonl`] on [`generate`]'s corpus.
pub fn stream_jsonl<W: Write>(spec: &CorpusSpec, w: W) -> io::Result<Vec<TruthPair>> {
    const BATCH: usize = 4096;
    let mut w = BufWriter::new(w);
    let mut truth = Vec::new();
    let total = spec.total_docs();
    let mut start = 0;
    while start < total {
        let end = (start + BATCH).min(total);
        let entries: Vec<(SynthDoc, Vec<TruthPair>)> = (start..end)
            .into_par_iter()
            .map(|pos| spec.entry(pos))
            .collect();
        for (doc, t) in entries {
            write_doc_line(&mut w, &doc)?;
            truth.extend(t);
        }
        start = end;
    }
    w.flush()?;
    Ok(truth)
}

/// One original news-like article of exactly `words` words (whitespace-separated tokens with a
/// letter or digit), a pure function of `seed`. For benchmarks that need text but no corpus.
pub fn news_text(seed: u64, words: usize) -> String {
    let mut out = String::with_capacity(words * 7 + 32);
    write_article(&mut Rng::new(seed), vocab(), &mut out, words);
    out
}

impl CorpusSpec {
    /// Sets the number of generated documents.
    pub fn docs(mut self, docs: usize) -> Self {
        self.docs = docs;
        self
    }

    /// Sets the seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets the word range of original articles (inclusive; swapped if reversed).
    pub fn words(mut self, min: usize, max: usize) -> Self {
        self.min_words = min;
        self.max_words = max;
        self
    }

    /// Sets the expected share of derived documents.
    pub fn derived_fraction(mut self, fraction: f64) -> Self {
        self.derived_fraction = fraction;
        self
    }

    /// Sets the weights of the derivation kinds.
    pub fn mix(mut self, mix: KindMix) -> Self {
        self.mix = mix;
        self
    }

    /// Puts the two real seed documents at the head of the corpus.
    pub fn seed_pair(mut self, article: impl Into<String>, blog: impl Into<String>) -> Self {
        self.seed_pair = Some(SeedPair {
            article: article.into(),
            blog: blog.into(),
        });
        self
    }
}
