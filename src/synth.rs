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

use std::fmt::Write as _;
use std::io::{self, BufWriter, Write};
use std::sync::OnceLock;

use crate::hash::{mix64, SplitMix64, GOLDEN_GAMMA};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// A char span: `(start, end)` in Unicode scalar values, end-exclusive.
pub type CharSpan = (usize, usize);

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
    fn pick(&self, u: f64) -> DerivedKind {
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

/// One document of a generated corpus.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SynthDoc {
    /// Its id: `doc-000123`, or `seed-article` / `seed-blog`.
    pub id: String,
    /// Its text.
    pub text: String,
}

/// One known (source, derived) pair, as a record of the scorer's `TRUTH.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TruthPair {
    /// Id of the source document (earlier in the corpus).
    pub source: String,
    /// Id of the derived document.
    pub derived: String,
    /// `"duplicate"` or `"derivative"`.
    pub relation: &'static str,
    /// How it was derived: a [`DerivedKind::as_str`] label, or `"seed"`.
    pub kind: &'static str,
    /// Char spans of the derived text that are not from the source; `None` when not scored.
    pub added: Option<Vec<CharSpan>>,
    /// Char spans of the source text left out of the derived one; `None` when not scored.
    pub dropped: Option<Vec<CharSpan>>,
}

/// A generated corpus: documents in order, and the truth about the derived ones.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Corpus {
    /// Documents; every source comes before the documents derived from it.
    pub docs: Vec<SynthDoc>,
    /// One record per (source, derived) pair (two for a digest), in the order of the derived documents.
    pub truth: Vec<TruthPair>,
}

impl Corpus {
    /// Writes the documents as JSON Lines, `{"id": .., "text": ..}` one a line.
    pub fn write_jsonl<W: Write>(&self, w: W) -> io::Result<()> {
        let mut w = BufWriter::new(w);
        for doc in &self.docs {
            write_doc_line(&mut w, doc)?;
        }
        w.flush()
    }

    /// Writes the truth as the scorer's `TRUTH.json`: `{"pairs": [..]}`.
    pub fn write_truth<W: Write>(&self, w: W) -> io::Result<()> {
        write_truth_json(&self.truth, w)
    }
}

/// Writes truth records as the scorer's `TRUTH.json`, `{"pairs": [..]}`, one record a line.
pub fn write_truth_json<W: Write>(pairs: &[TruthPair], w: W) -> io::Result<()> {
    let mut w = BufWriter::new(w);
    w.write_all(b"{\"pairs\": [")?;
    for (i, pair) in pairs.iter().enumerate() {
        w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut w, pair)?;
    }
    w.write_all(b"\n]}\n")?;
    w.flush()
}

fn write_doc_line<W: Write>(w: &mut W, doc: &SynthDoc) -> io::Result<()> {
    serde_json::to_writer(&mut *w, doc)?;
    w.write_all(b"\n")
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

// ---------------------------------------------------------------------------------------------
// Corpus layout: which position holds what.

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

    fn doc_id(&self, i: usize) -> String {
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

// ---------------------------------------------------------------------------------------------
// Randomness: splitmix64, deterministic everywhere.

/// A seed for one purpose (`salt`) of one position (`index`) of a corpus seeded with `seed`.
fn derive_seed(seed: u64, index: u64, salt: u64) -> u64 {
    let base = mix64(seed.wrapping_add(salt.wrapping_mul(GOLDEN_GAMMA)));
    mix64(base ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03).wrapping_add(salt))
}

/// A uniform number in [0, 1) from 53 bits of `x`.
fn unit(x: u64) -> f64 {
    (x >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// splitmix64, with the draws a corpus needs.
#[derive(Clone, Debug)]
struct Rng(SplitMix64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(SplitMix64::new(seed))
    }

    fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in `0..n` (`n > 0`), by multiply-shift.
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    fn unit(&mut self) -> f64 {
        unit(self.next_u64())
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }

    fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            xs.swap(i, self.below(i + 1));
        }
    }
}

/// Walker/Vose alias table: O(1) sampling from a fixed discrete distribution.
#[derive(Debug)]
struct Alias {
    /// Keep index `i` when the low 32 bits are below this (`1 << 32`: always).
    threshold: Vec<u64>,
    alias: Vec<u32>,
}

impl Alias {
    /// Zipf with exponent 1: weight of rank `r` is `1 / (r + offset)`.
    fn zipf(n: usize, offset: f64) -> Self {
        let weights: Vec<f64> = (0..n).map(|r| 1.0 / (r as f64 + offset)).collect();
        Alias::new(&weights)
    }

    fn new(weights: &[f64]) -> Self {
        let n = weights.len();
        let total: f64 = weights.iter().sum();
        let mut scaled: Vec<f64> = weights.iter().map(|w| w * n as f64 / total).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) =
            (0..n).partition(|&i| scaled[i] < 1.0);
        let mut threshold = vec![1u64 << 32; n];
        let mut alias: Vec<u32> = (0..n as u32).collect();
        while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
            small.pop();
            threshold[s] = (scaled[s] * 4_294_967_296.0) as u64;
            alias[s] = l as u32;
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        Alias { threshold, alias }
    }

    fn sample(&self, rng: &mut Rng) -> usize {
        let x = rng.next_u64();
        let i = (((x >> 32) * self.threshold.len() as u64) >> 32) as usize;
        if (x & 0xFFFF_FFFF) < self.threshold[i] {
            i
        } else {
            self.alias[i] as usize
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary.

/// Common English words, most frequent first.
#[rustfmt::skip]
const COMMON: &[&str] = &[
    "the", "of", "and", "to", "a", "in", "that", "is", "for", "on", "was", "with", "said", "it",
    "as", "by", "at", "he", "from", "his", "has", "be", "have", "an", "are", "its", "not", "but",
    "this", "which", "they", "were", "had", "will", "who", "their", "after", "been", "also", "more",
    "would", "over", "than", "about", "into", "we", "one", "two", "new", "last", "year", "other",
    "can", "first", "there", "all", "up", "out", "when", "could", "or", "some", "her", "she",
    "them", "if", "no", "our", "while", "against", "between", "during", "since", "under", "before",
    "through", "most", "now", "any", "these", "those", "because", "where", "only", "such", "three",
    "then", "so", "both", "many", "what", "how", "just", "may", "should", "still", "even", "around",
    "each", "very", "much", "well", "being", "without", "another", "across", "among", "until",
    "within", "per", "including", "according", "already", "again", "however", "whether", "despite",
    "percent", "people", "government", "officials", "minister", "president", "country", "countries",
    "week", "month", "years", "time", "state", "world", "military", "economic", "foreign",
    "security", "trade", "talks", "deal", "war", "leaders", "support", "report", "statement",
    "sanctions", "agreement", "cooperation", "relations", "forces", "press", "market", "prices",
    "energy", "exports", "growth", "policy", "election", "party", "court", "police", "public",
    "national", "international", "group", "companies", "million", "billion", "major", "high",
    "former", "told", "added", "called", "made", "held", "signed", "expected", "announced",
    "reported", "warned", "sent", "seen", "did", "do", "does", "say", "says", "make", "take",
    "help", "meet", "keep", "it’s", "don’t", "isn’t", "won’t", "here", "my", "your", "him", "us",
    "me", "few", "own", "same", "next", "long", "part", "back", "four", "five", "days", "plan",
];

/// Countries, places (single words, usable in a dateline), people and organisations.
#[rustfmt::skip]
const COUNTRIES: &[&str] = &[
    "Russia", "China", "Ukraine", "Germany", "France", "Japan", "India", "Brazil", "Turkey", "Iran",
    "Poland", "Britain", "Israel", "Syria", "Italy", "Spain", "Canada", "Australia", "Korea",
    "Belarus", "Georgia", "Kazakhstan", "Pakistan", "Egypt",
];
#[rustfmt::skip]
const PLACES: &[&str] = &[
    "Moscow", "Beijing", "Kyiv", "Washington", "London", "Paris", "Berlin", "Tokyo", "Brussels",
    "Ankara", "Tehran", "Delhi", "Brasília", "Zürich", "Geneva", "Warsaw", "Madrid", "Rome",
    "Vienna", "Ottawa", "Canberra", "Seoul", "Jakarta", "Manila", "Hanoi", "Bangkok", "Cairo",
    "Riyadh", "Doha", "Dubai", "Istanbul", "Kharkiv", "Odesa", "Minsk", "Tbilisi", "Baku",
    "Yerevan", "Almaty", "Tashkent", "Islamabad", "Kabul", "Nairobi", "Lagos", "Lima", "Bogotá",
    "Caracas", "Havana", "Chicago", "Shanghai", "Taipei", "Singapore", "Sydney", "Montréal",
];
#[rustfmt::skip]
const PEOPLE: &[&str] = &[
    "Putin", "Xi", "Mishustin", "Li", "Biden", "Macron", "Scholz", "Erdoğan", "Modi", "Lula",
    "Zelensky", "Novak", "Kishida", "Sunak", "Lavrov", "Blinken", "Wang", "Guterres", "Stoltenberg",
    "Orbán", "Meloni", "Sánchez", "Trudeau", "Albanese", "Yoon", "Widodo", "Ramaphosa", "Netanyahu",
    "Lukashenko", "Peskov", "Shoigu", "Yellen", "Lagarde", "Powell", "Kuleba", "Borrell", "Duda",
    "Tusk",
];
#[rustfmt::skip]
const ORGS: &[&str] = &[
    "NATO", "Reuters", "Kremlin", "Pentagon", "Congress", "Senate", "Parliament", "Gazprom",
    "Rosneft", "Xinhua", "OPEC", "UN", "EU", "IMF", "Tass",
];

#[rustfmt::skip]
const ONSETS: &[&str] = &[
    "", "b", "br", "c", "ch", "cl", "cr", "d", "dr", "f", "fr", "g", "gl", "gr", "h", "j", "k", "l",
    "m", "n", "p", "pl", "pr", "qu", "r", "s", "sc", "sh", "sl", "sp", "st", "str", "t", "th", "tr",
    "v", "w", "z",
];
#[rustfmt::skip]
const VOWELS: &[&str] = &[
    "a", "e", "i", "o", "u", "a", "e", "i", "o", "ai", "ea", "ee", "ou", "io", "oa",
];
#[rustfmt::skip]
const CODAS: &[&str] = &[
    "", "", "", "n", "r", "s", "l", "m", "nd", "nt", "st", "t", "k", "ck", "rn", "ss",
];
#[rustfmt::skip]
const SUFFIXES: &[&str] = &[
    "s", "ed", "ing", "tion", "ment", "er", "al", "ly", "ity", "ism", "ist", "ive", "ous", "ance",
];
/// Number of pseudo-words.
const CONTENT_WORDS: usize = 6000;
/// Seed of the vocabulary: fixed, so every corpus speaks the same language.
const VOCAB_SEED: u64 = 0x0077_6F72_6473;

#[rustfmt::skip]
const MONTHS: [&str; 12] = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
];
#[rustfmt::skip]
const WEEKDAYS: [&str; 7] = [
    "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
];

struct Vocab {
    common: Vec<&'static str>,
    names: Vec<&'static str>,
    content: Vec<String>,
    common_zipf: Alias,
    names_zipf: Alias,
    content_zipf: Alias,
}

fn vocab() -> &'static Vocab {
    static VOCAB: OnceLock<Vocab> = OnceLock::new();
    VOCAB.get_or_init(Vocab::build)
}

impl Vocab {
    fn build() -> Vocab {
        let mut seen = std::collections::HashSet::new();
        let common: Vec<&'static str> = COMMON
            .iter()
            .copied()
            .filter(|w| seen.insert(w.to_string()))
            .collect();
        // Names interleaved, so that each group has frequent members.
        let groups = [COUNTRIES, PLACES, PEOPLE, ORGS];
        let longest = groups.iter().map(|g| g.len()).max().unwrap_or(0);
        let mut names = Vec::new();
        for i in 0..longest {
            for g in groups {
                if let Some(&n) = g.get(i) {
                    if seen.insert(n.to_lowercase()) {
                        names.push(n);
                    }
                }
            }
        }
        let mut rng = Rng::new(VOCAB_SEED);
        let mut content = Vec::with_capacity(CONTENT_WORDS);
        while content.len() < CONTENT_WORDS {
            let syllables = match rng.below(100) {
                0..=24 => 1,
                25..=84 => 2,
                _ => 3,
            };
            let mut w = String::new();
            for _ in 0..syllables {
                w.push_str(rng.pick(ONSETS));
                w.push_str(rng.pick(VOWELS));
                w.push_str(rng.pick(CODAS));
            }
            if rng.chance(0.2) {
                w.push_str(rng.pick(SUFFIXES));
            }
            if (4..=11).contains(&w.len()) && seen.insert(w.clone()) {
                content.push(w);
            }
        }
        Vocab {
            common_zipf: Alias::zipf(common.len(), 1.5),
            names_zipf: Alias::zipf(names.len(), 3.0),
            content_zipf: Alias::zipf(content.len(), 20.0),
            common,
            names,
            content,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Articles.

const MIN_SENTENCE: usize = 8;
const MAX_SENTENCE: usize = 35;
/// After a content word, the chance the next word is a common word (never two in a row).
const P_COMMON: f64 = 0.6;
/// Among the other words: numbers, names, pseudo-words.
const P_NUMBER: f64 = 0.05;
const P_NAME: f64 = 0.12;
const P_POSSESSIVE: f64 = 0.2;
const P_COMMA: f64 = 0.06;
const P_QUOTE: f64 = 0.12;
const P_DASH: f64 = 0.06;
const P_DATELINE: f64 = 0.4;

fn write_article(rng: &mut Rng, v: &Vocab, out: &mut String, words: usize) {
    let mut remaining = words;
    if words >= 20 && rng.chance(P_DATELINE) {
        // "MOSCOW, May 24 — ": three words.
        out.push_str(&rng.pick(PLACES).to_uppercase());
        let _ = write!(out, ", {} {} — ", rng.pick(&MONTHS), rng.range(1, 28));
        remaining -= 3;
    }
    let mut first_paragraph = true;
    while remaining > 0 {
        if !first_paragraph {
            out.push_str("\n\n");
        }
        first_paragraph = false;
        // News paragraphs are short: 1 to 5 sentences, 2 or 3 most often.
        let sentences = match rng.below(20) {
            0..=3 => 1,
            4..=9 => 2,
            10..=14 => 3,
            15..=17 => 4,
            _ => 5,
        };
        for s in 0..sentences {
            if remaining == 0 {
                break;
            }
            if s > 0 {
                out.push(' ');
            }
            let len = if remaining <= MAX_SENTENCE {
                remaining
            } else {
                rng.range(MIN_SENTENCE, MAX_SENTENCE.min(remaining - MIN_SENTENCE))
            };
            write_sentence(rng, v, out, len);
            remaining -= len;
        }
    }
}

/// One sentence of `len` words: capitalised, ending in '.', with the odd comma, quote or dash.
fn write_sentence(rng: &mut Rng, v: &Vocab, out: &mut String, len: usize) {
    let quote = if len >= 6 && rng.chance(P_QUOTE) {
        let qlen = rng.range(2, 8.min(len - 1));
        let start = rng.below(len - qlen + 1);
        Some((start, start + qlen - 1))
    } else {
        None
    };
    let dash = if len >= 10 && rng.chance(P_DASH) {
        Some(rng.range(3, len - 4))
    } else {
        None
    };
    let mut prev_common = false;
    for w in 0..len {
        if w > 0 {
            out.push(' ');
        }
        let opens = quote.is_some_and(|(s, _)| s == w);
        let closes = quote.is_some_and(|(_, e)| e == w);
        if opens {
            out.push('“');
        }
        let start = out.len();
        // Never end on a common word ("... of.").
        prev_common = write_word(rng, v, out, prev_common || w + 1 == len);
        if w == 0 {
            if let Some(first) = out.get_mut(start..start + 1) {
                first.make_ascii_uppercase();
            }
        }
        if w + 1 == len {
            out.push('.');
            if closes {
                out.push('”');
            }
        } else if dash == Some(w) {
            if closes {
                out.push('”');
            }
            out.push_str(" —");
        } else {
            if !prev_common && rng.chance(P_COMMA) {
                out.push(',');
            }
            if closes {
                out.push('”');
            }
        }
    }
}

/// Pushes one word; returns whether it is a common word.
fn write_word(rng: &mut Rng, v: &Vocab, out: &mut String, prev_common: bool) -> bool {
    if !prev_common && rng.chance(P_COMMON) {
        out.push_str(v.common[v.common_zipf.sample(rng)]);
        return true;
    }
    let r = rng.unit();
    if r < P_NUMBER {
        write_number(rng, out);
    } else if r < P_NUMBER + P_NAME {
        out.push_str(v.names[v.names_zipf.sample(rng)]);
        if rng.chance(P_POSSESSIVE) {
            out.push_str("’s");
        }
    } else {
        out.push_str(&v.content[v.content_zipf.sample(rng)]);
    }
    false
}

fn write_number(rng: &mut Rng, out: &mut String) {
    let _ = match rng.below(6) {
        0 => write!(out, "{},{}00", rng.range(1, 999), rng.below(10)),
        1 => write!(out, "{}%", rng.range(1, 99)),
        2 => write!(out, "{}", rng.range(1990, 2024)),
        3 => write!(out, "{}.{}", rng.range(1, 9), rng.below(10)),
        4 => write!(out, "{}", rng.range(2, 99)),
        _ => write!(out, "${}", rng.range(2, 900)),
    };
}

/// A headline of `words` words in title case, no final period.
fn title(rng: &mut Rng, v: &Vocab, words: usize) -> String {
    let mut out = String::new();
    let mut prev_common = true; // start with a word that is not a common one
    for w in 0..words {
        if w > 0 {
            out.push(' ');
        }
        let start = out.len();
        // Never end on a common word.
        prev_common = write_word(rng, v, &mut out, prev_common || w + 1 == words);
        if !prev_common || w == 0 {
            if let Some(first) = out.get_mut(start..start + 1) {
                first.make_ascii_uppercase();
            }
        }
    }
    out
}

/// A full date line such as "Saturday, July 22, 2023", with the right weekday.
fn date_line(rng: &mut Rng) -> String {
    let year = rng.range(2015, 2024);
    let month = rng.range(1, 12);
    let day = rng.range(1, days_in_month(year, month));
    let weekday = WEEKDAYS[weekday(year, month, day)];
    format!("{weekday}, {} {day}, {year}", MONTHS[month - 1])
}

fn days_in_month(year: usize, month: usize) -> usize {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Day of the week (0 = Sunday) of a Gregorian date, by Sakamoto's method.
fn weekday(year: usize, month: usize, day: usize) -> usize {
    const T: [usize; 12] = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
    let y = if month < 3 { year - 1 } else { year };
    (y + y / 4 - y / 100 + y / 400 + T[month - 1] + day) % 7
}

fn publication(rng: &mut Rng) -> String {
    const PAPERS: [&str; 7] = [
        "Times",
        "Post",
        "Herald",
        "Tribune",
        "Gazette",
        "Observer",
        "Chronicle",
    ];
    if rng.chance(0.3) {
        rng.pick(ORGS).to_string()
    } else {
        format!("The {} {}", rng.pick(PLACES), rng.pick(&PAPERS))
    }
}

fn footer(rng: &mut Rng) -> String {
    match rng.below(6) {
        0 => "No comments:\n\nPost a Comment".into(),
        1 => "Share this article".into(),
        2 => "Share this:\n\nTwitter\n\nFacebook".into(),
        3 => format!(
            "Posted by {} at {}:{:02} {}\n\nNo comments:\n\nPost a Comment",
            rng.pick(PEOPLE),
            rng.range(1, 12),
            rng.below(60),
            if rng.chance(0.5) { "AM" } else { "PM" }
        ),
        4 => "Email This\n\nBlogThis!\n\nShare to Twitter\n\nShare to Facebook".into(),
        _ => format!("Read more at {}", publication(rng)),
    }
}

// ---------------------------------------------------------------------------------------------
// Derivations.

/// A paragraph of a source text with its char span.
struct Para<'a> {
    text: &'a str,
    start: usize,
    end: usize,
    words: usize,
}

fn paragraphs(text: &str) -> Vec<Para<'_>> {
    let mut pos = 0;
    let mut out = Vec::new();
    for p in text.split("\n\n") {
        let n = p.chars().count();
        out.push(Para {
            text: p,
            start: pos,
            end: pos + n,
            words: count_words(p),
        });
        pos += n + 2;
    }
    out
}

/// Words as this module counts them: whitespace-separated tokens with a letter or digit.
fn count_words(text: &str) -> usize {
    text.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

/// Char spans of the runs of paragraphs marked in `dropped`, each run one span.
fn dropped_spans(paras: &[Para<'_>], dropped: &[bool]) -> Vec<CharSpan> {
    let mut spans: Vec<CharSpan> = Vec::new();
    for (i, p) in paras.iter().enumerate() {
        if !dropped[i] {
            continue;
        }
        match spans.last_mut() {
            Some(last) if i > 0 && dropped[i - 1] => last.1 = p.end,
            _ => spans.push((p.start, p.end)),
        }
    }
    spans
}

/// A text being built, with its length in chars.
#[derive(Default)]
struct SpanText {
    text: String,
    chars: usize,
}

impl SpanText {
    fn push(&mut self, s: &str) -> CharSpan {
        let start = self.chars;
        self.text.push_str(s);
        self.chars += s.chars().count();
        (start, self.chars)
    }
}

/// A derived text with its truth spans.
struct Derived {
    text: String,
    added: Vec<CharSpan>,
    dropped: Vec<CharSpan>,
}

fn straighten_quotes(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '“' | '”' => '"',
            '’' => '\'',
            c => c,
        })
        .collect()
}

/// Splits one random lowercase word of 5+ letters after its first letter ("deals" -> "d eals").
fn split_word(rng: &mut Rng, text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut starts = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_lowercase() && (i == 0 || b[i - 1] == b' ') {
            let end = i + b[i..].iter().take_while(|c| c.is_ascii_lowercase()).count();
            if end - i >= 5 {
                starts.push(i);
            }
            i = end;
        } else {
            i += 1;
        }
    }
    if starts.is_empty() {
        return None;
    }
    let at = rng.pick(&starts) + 1;
    Some(format!("{} {}", &text[..at], &text[at..]))
}

/// Drops one random lowercase " the ".
fn drop_the(rng: &mut Rng, text: &str) -> Option<String> {
    let hits: Vec<usize> = text.match_indices(" the ").map(|(i, _)| i).collect();
    if hits.is_empty() {
        return None;
    }
    let at = rng.pick(&hits) + 1;
    Some(format!("{}{}", &text[..at], &text[at + 4..]))
}

/// Changes the day of a leading dateline "PLACE, Month D — ".
fn change_dateline(rng: &mut Rng, text: &str) -> Option<String> {
    let dash = text.find(" — ").filter(|&d| d < 60)?;
    let head = &text[..dash];
    let comma = head.find(", ")?;
    let mut parts = head[comma + 2..].split(' ');
    let (month, day) = (parts.next()?, parts.next()?);
    if parts.next().is_some() || !MONTHS.contains(&month) {
        return None;
    }
    let old: usize = day.parse().ok()?;
    let new = 1 + (old + rng.range(0, 26)) % 28; // 1..=28, never `old`
    let day_at = dash - day.len();
    Some(format!("{}{}{}", &text[..day_at], new, &text[dash..]))
}

fn light_edit(rng: &mut Rng, source: &str) -> String {
    let mut text = source.to_string();
    let mut edits = 0;
    if text.contains(['“', '”', '’']) && rng.chance(0.6) {
        text = straighten_quotes(&text);
        edits += 1;
    }
    if rng.chance(0.5) {
        if let Some(t) = drop_the(rng, &text) {
            text = t;
            edits += 1;
        }
    }
    if rng.chance(0.7) {
        if let Some(t) = change_dateline(rng, &text) {
            text = t;
            edits += 1;
        }
    }
    if edits == 0 || rng.chance(0.6) {
        if let Some(t) = split_word(rng, &text) {
            text = t;
        }
    }
    text
}

fn repost(rng: &mut Rng, v: &Vocab, source: &str) -> Derived {
    let paras = paragraphs(source);
    let n = paras.len();
    let max_drop = (n - 1) / 2; // keep the majority
    let share = 0.2 + 0.2 * rng.unit();
    let mut drop_n = ((n as f64 * share).round() as usize).clamp(max_drop.min(1), max_drop);
    let mut order: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut order);

    let date = date_line(rng);
    let title_words = rng.range(4, 9);
    let title = title(rng, v, title_words);
    let footer = footer(rng);
    let mut extra = rng.chance(0.35).then(|| {
        let mut s = String::new();
        let len = rng.range(MIN_SENTENCE, 18);
        write_sentence(rng, v, &mut s, len);
        s
    });
    let mut splits = rng.range(0, 2);
    let sep = if rng.chance(0.3) { "\n\n \n\n" } else { "\n\n" };
    let straight = rng.chance(0.5);

    // Keep at least ~70% of the copy's word 5-grams from the source (the scorer's must-find line is
    // 60%): every new word, every seam (4 new 5-grams) and split word (6) counts against it. Short
    // sources give up, in this order, the added sentence, the split words, then dropped paragraphs.
    let mut dropped = vec![false; n];
    loop {
        dropped.iter_mut().for_each(|d| *d = false);
        order[..drop_n].iter().for_each(|&i| dropped[i] = true);
        let kept: Vec<usize> = (0..n).filter(|&i| !dropped[i]).collect();
        let kept_words: usize = kept.iter().map(|&i| paras[i].words).sum();
        let seams = kept.windows(2).filter(|w| w[1] != w[0] + 1).count()
            + 2
            + 2 * usize::from(extra.is_some());
        let new_words = count_words(&date)
            + count_words(&title)
            + count_words(&footer)
            + extra.as_deref().map_or(0, count_words);
        let new = new_words + 4 * seams + 6 * splits;
        if kept_words * 3 >= new * 7 {
            break;
        }
        if extra.is_some() {
            extra = None;
        } else if splits > 0 {
            splits -= 1;
        } else if drop_n > 0 {
            drop_n -= 1;
        } else {
            break;
        }
    }
    let kept: Vec<usize> = (0..n).filter(|&i| !dropped[i]).collect();
    let extra_at = extra.as_ref().map(|_| rng.range(1, kept.len()));
    let mut split_at: Vec<usize> = (0..kept.len()).collect();
    rng.shuffle(&mut split_at);
    split_at.truncate(splits);

    let mut out = SpanText::default();
    let mut added = Vec::new();
    let (head_start, _) = out.push(&date);
    out.push(sep);
    let (_, head_end) = out.push(&title);
    added.push((head_start, head_end));
    for (k, &pi) in kept.iter().enumerate() {
        if extra_at == Some(k) {
            out.push(sep);
            added.push(out.push(extra.as_deref().unwrap_or_default()));
        }
        out.push(sep);
        let mut p = if straight {
            straighten_quotes(paras[pi].text)
        } else {
            paras[pi].text.to_string()
        };
        if split_at.contains(&k) {
            if let Some(s) = split_word(rng, &p) {
                p = s;
            }
        }
        out.push(&p);
    }
    if extra_at == Some(kept.len()) {
        out.push(sep);
        added.push(out.push(extra.as_deref().unwrap_or_default()));
    }
    out.push(sep);
    added.push(out.push(&footer));
    Derived {
        text: out.text,
        added,
        dropped: dropped_spans(&paras, &dropped),
    }
}

fn excerpt(rng: &mut Rng, source: &str) -> Derived {
    let paras = paragraphs(source);
    let n = paras.len();
    let share = 0.4 + 0.3 * rng.unit();
    let k = ((n as f64 * share).round() as usize).clamp(1, (n - 1).max(1));
    let first = rng.below(n - k + 1);
    let mut out = SpanText::default();
    for (j, p) in paras[first..first + k].iter().enumerate() {
        if j > 0 {
            out.push("\n\n");
        }
        out.push(p.text);
    }
    let mut added = Vec::new();
    if rng.chance(0.6) {
        out.push("\n\n");
        added.push(out.push(&format!("Source: {}", publication(rng))));
    }
    let dropped: Vec<bool> = (0..n).map(|i| i < first || i >= first + k).collect();
    Derived {
        text: out.text,
        added,
        dropped: dropped_spans(&paras, &dropped),
    }
}

/// The first half (by words, whole paragraphs) of `first` followed by that of `second`; then the
/// larger part loses its last paragraphs while it has over 1.5 times the words of the other (but not
/// below the other), so each source stays above the scorer's 0.3 "may find" containment.
fn digest(first: &str, second: &str) -> String {
    fn half<'a>(paras: &'a [Para<'a>]) -> (&'a [Para<'a>], usize) {
        let total: usize = paras.iter().map(|p| p.words).sum();
        let mut words = 0;
        let mut k = 0;
        while k < paras.len() && 2 * words < total {
            words += paras[k].words;
            k += 1;
        }
        (&paras[..k.max(1)], words)
    }
    fn trim<'a>(part: &mut &'a [Para<'a>], words: &mut usize, other: usize) {
        while part.len() > 1
            && 2 * *words > 3 * other
            && *words - part[part.len() - 1].words >= other
        {
            *words -= part[part.len() - 1].words;
            *part = &part[..part.len() - 1];
        }
    }
    let (a, b) = (paragraphs(first), paragraphs(second));
    let ((mut pa, mut wa), (mut pb, mut wb)) = (half(&a), half(&b));
    trim(&mut pa, &mut wa, wb);
    trim(&mut pb, &mut wb, wa);
    pa.iter()
        .chain(pb)
        .map(|p| p.text)
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    fn shingles(text: &str) -> HashSet<String> {
        let lower = text.to_lowercase();
        let words: Vec<&str> = lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        words.windows(5).map(|w| w.join(" ")).collect()
    }

    /// Share of `a`'s 5-grams found in `b`.
    fn containment(a: &str, b: &str) -> f64 {
        let (a, b) = (shingles(a), shingles(b));
        a.intersection(&b).count() as f64 / a.len().max(1) as f64
    }

    fn jaccard(a: &str, b: &str) -> f64 {
        let (a, b) = (shingles(a), shingles(b));
        a.intersection(&b).count() as f64 / a.union(&b).count().max(1) as f64
    }

    fn char_slice(text: &str, (s, e): CharSpan) -> String {
        text.chars().skip(s).take(e - s).collect()
    }

    fn squash(text: &str) -> String {
        straighten_quotes(text)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect()
    }

    fn by_id(c: &Corpus) -> HashMap<&str, (usize, &str)> {
        c.docs
            .iter()
            .enumerate()
            .map(|(i, d)| (d.id.as_str(), (i, d.text.as_str())))
            .collect()
    }

    fn jsonl(c: &Corpus) -> Vec<u8> {
        let mut out = Vec::new();
        c.write_jsonl(&mut out).unwrap();
        out
    }

    #[test]
    fn public_types_are_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<CorpusSpec>();
        check::<Corpus>();
        check::<SynthDoc>();
        check::<TruthPair>();
    }

    #[test]
    fn same_spec_same_bytes_other_seed_other_bytes() {
        let spec = CorpusSpec::default().docs(300).seed(11).words(50, 150);
        let a = jsonl(&generate(&spec));
        assert_eq!(a, jsonl(&generate(&spec)));
        assert_eq!(a, jsonl(&generate_par(&spec)));
        let mut streamed = Vec::new();
        let truth = stream_jsonl(&spec, &mut streamed).unwrap();
        assert_eq!(a, streamed);
        assert_eq!(truth, generate(&spec).truth);
        assert_ne!(a, jsonl(&generate(&spec.clone().seed(12))));
        assert_eq!(news_text(5, 300), news_text(5, 300));
        assert_ne!(news_text(5, 300), news_text(6, 300));
    }

    #[test]
    fn news_text_has_the_asked_shape() {
        for (seed, words) in [
            (1, 1),
            (2, 7),
            (3, 8),
            (4, 36),
            (5, 200),
            (6, 600),
            (7, 5000),
        ] {
            let t = news_text(seed, words);
            assert_eq!(count_words(&t), words, "seed {seed}");
            if words < MIN_SENTENCE {
                continue;
            }
            for para in t.split("\n\n") {
                assert!(!para.trim().is_empty());
                // Skip a dateline "MOSCOW, May 24 — " (three words); sentences end in '.' or '.”'.
                let dateline = PLACES
                    .iter()
                    .any(|p| para.starts_with(&format!("{},", p.to_uppercase())));
                let body = if dateline {
                    para.split_once(" — ").unwrap().1
                } else {
                    para
                };
                let mut n = 0;
                let mut count = 0;
                for tok in body.split(' ') {
                    if tok.chars().any(char::is_alphanumeric) {
                        n += 1;
                    }
                    if tok.ends_with('.') || tok.ends_with(".”") {
                        assert!(
                            (MIN_SENTENCE..=MAX_SENTENCE).contains(&n),
                            "{n} words: {para}"
                        );
                        n = 0;
                        count += 1;
                    }
                }
                assert_eq!(n, 0, "paragraph ends with a sentence end");
                assert!((1..=5).contains(&count), "{count} sentences");
            }
        }
    }

    #[test]
    fn sizes_ids_and_order() {
        for (docs, min, max, seed) in [(400, 200, 600, 1), (300, 50, 80, 2), (100, 1000, 1000, 3)] {
            let spec = CorpusSpec::default().docs(docs).words(min, max).seed(seed);
            let c = generate(&spec);
            assert_eq!(c.docs.len(), docs);
            let ids = by_id(&c);
            assert_eq!(ids.len(), docs, "ids unique");
            let derived: HashSet<&str> = c.truth.iter().map(|t| t.derived.as_str()).collect();
            for d in &c.docs {
                if !derived.contains(d.id.as_str()) {
                    let n = count_words(&d.text);
                    assert!((min..=max).contains(&n), "{} has {n} words", d.id);
                }
            }
            let sources: HashSet<&str> = c.truth.iter().map(|t| t.source.as_str()).collect();
            assert!(
                sources.is_disjoint(&derived),
                "no derived document is a source"
            );
            for t in &c.truth {
                let (s, _) = ids[t.source.as_str()];
                let (d, _) = ids[t.derived.as_str()];
                assert!(s < d, "{} before {}", t.source, t.derived);
            }
            let share = derived.len() as f64 / docs as f64;
            assert!((0.03..0.2).contains(&share), "derived share {share}");
        }
        assert_eq!(CorpusSpec::default().docs(10).doc_id(3), "doc-000003");
        assert_eq!(
            CorpusSpec::default().docs(2_000_000).doc_id(3),
            "doc-0000003"
        );
    }

    #[test]
    fn every_kind_appears_and_its_truth_is_right() {
        // (kind, relation, added/dropped scored)
        let table = [
            (DerivedKind::Exact, "duplicate", true),
            (DerivedKind::LightEdit, "duplicate", false),
            (DerivedKind::Repost, "derivative", true),
            (DerivedKind::Excerpt, "derivative", true),
            (DerivedKind::Digest, "derivative", false),
        ];
        for (kind, relation, scored) in table {
            let spec = CorpusSpec::default()
                .docs(200)
                .seed(kind as u64 + 40)
                .derived_fraction(0.3)
                .mix(KindMix::only(kind));
            let c = generate(&spec);
            let ids = by_id(&c);
            let records: Vec<&TruthPair> =
                c.truth.iter().filter(|t| t.kind == kind.as_str()).collect();
            assert!(records.len() >= 20, "{kind:?}: {}", records.len());
            for t in records {
                assert_eq!(t.relation, relation);
                assert_eq!(t.added.is_some(), scored);
                assert_eq!(t.dropped.is_some(), scored);
                let src = ids[t.source.as_str()].1;
                let der = ids[t.derived.as_str()].1;
                match kind {
                    DerivedKind::Exact => assert_eq!(src, der),
                    DerivedKind::LightEdit => {
                        assert_ne!(src, der);
                        assert!(containment(der, src) > 0.8);
                    }
                    _ => {}
                }
            }
        }
        // A digest has two records with the same derived document and distinct sources.
        let c = generate(
            &CorpusSpec::default()
                .docs(100)
                .derived_fraction(0.3)
                .mix(KindMix::only(DerivedKind::Digest)),
        );
        let mut sources: HashMap<&str, Vec<&str>> = HashMap::new();
        for t in &c.truth {
            sources.entry(&t.derived).or_default().push(&t.source);
        }
        assert!(
            sources
                .values()
                .filter(|s| s.len() == 2 && s[0] != s[1])
                .count()
                >= 10
        );
        // Each source keeps enough of itself in the digest for the scorer's oracle (>= 0.3).
        let spec = CorpusSpec::default()
            .docs(1500)
            .derived_fraction(0.3)
            .words(100, 600)
            .mix(KindMix::only(DerivedKind::Digest));
        let c = generate(&spec);
        let ids = by_id(&c);
        for t in &c.truth {
            let (src, der) = (ids[t.source.as_str()].1, ids[t.derived.as_str()].1);
            let (a, b) = (shingles(src), shingles(der));
            let share = a.intersection(&b).count() as f64 / a.len().min(b.len()) as f64;
            assert!(share >= 0.3, "{} in {}: {share}", t.source, t.derived);
        }
    }

    #[test]
    fn truth_spans_are_valid_and_mean_what_they_say() {
        for kind in [
            DerivedKind::Repost,
            DerivedKind::Excerpt,
            DerivedKind::Exact,
        ] {
            let spec = CorpusSpec::default()
                .docs(300)
                .seed(99)
                .derived_fraction(0.3)
                .mix(KindMix::only(kind));
            let c = generate(&spec);
            let ids = by_id(&c);
            for t in c.truth.iter().filter(|t| t.kind == kind.as_str()) {
                let src = ids[t.source.as_str()].1;
                let der = ids[t.derived.as_str()].1;
                let added = t.added.as_ref().unwrap();
                let dropped = t.dropped.as_ref().unwrap();
                let (nd, ns) = (der.chars().count(), src.chars().count());
                for w in added.windows(2).chain(dropped.windows(2)) {
                    assert!(w[0].1 <= w[1].0, "sorted, disjoint");
                }
                assert!(added.iter().all(|&(s, e)| s < e && e <= nd));
                assert!(dropped.iter().all(|&(s, e)| s < e && e <= ns));
                for &span in dropped {
                    let text = squash(&char_slice(src, span));
                    assert!(!squash(der).contains(&text), "dropped text in the copy");
                }
                // What is neither added nor a separator comes from the source.
                let mut rest = String::new();
                let mut at = 0;
                for &(s, e) in added {
                    rest.push_str(&char_slice(der, (at, s)));
                    at = e;
                }
                rest.push_str(&char_slice(der, (at, nd)));
                for para in rest.split("\n\n").filter(|p| !p.trim().is_empty()) {
                    assert!(squash(src).contains(&squash(para)), "{para}");
                }
                match kind {
                    DerivedKind::Repost => {
                        let head = char_slice(der, added[0]);
                        assert_eq!(added[0].0, 0);
                        assert!(WEEKDAYS.iter().any(|d| head.starts_with(d)), "{head}");
                        let foot = char_slice(der, *added.last().unwrap());
                        assert_eq!(added.last().unwrap().1, nd);
                        assert!(
                            ["Comment", "Share", "Read more"]
                                .iter()
                                .any(|m| foot.contains(m)),
                            "{foot}"
                        );
                        assert!(!dropped.is_empty() || paragraphs(src).len() < 3);
                    }
                    DerivedKind::Excerpt => {
                        if let Some(&span) = added.first() {
                            assert!(char_slice(der, span).starts_with("Source: "));
                        }
                    }
                    _ => assert!(added.is_empty() && dropped.is_empty()),
                }
            }
        }
    }

    #[test]
    fn copies_contain_their_source_and_strangers_share_nothing() {
        let spec = CorpusSpec::default()
            .docs(600)
            .seed(5)
            .derived_fraction(0.3);
        let c = generate(&spec);
        let ids = by_id(&c);
        let mut checked = 0;
        for t in c
            .truth
            .iter()
            .filter(|t| t.kind == "repost" || t.kind == "excerpt")
        {
            let share = containment(ids[t.derived.as_str()].1, ids[t.source.as_str()].1);
            assert!(share >= 0.6, "{} {}: {share}", t.kind, t.derived);
            checked += 1;
        }
        assert!(checked > 50);
        let mut worst: f64 = 0.0;
        for i in 0..40u64 {
            worst = worst.max(jaccard(&news_text(i, 400), &news_text(i + 1000, 400)));
        }
        assert!(worst < 0.05, "unrelated Jaccard {worst}");
        assert!(worst < 0.01, "unrelated Jaccard {worst}");
    }

    #[test]
    fn spans_count_chars_not_bytes() {
        // Find a repost whose dropped paragraphs come after multi-byte text.
        let spec = CorpusSpec::default()
            .docs(300)
            .seed(8)
            .derived_fraction(0.3)
            .mix(KindMix::only(DerivedKind::Repost));
        let c = generate(&spec);
        let ids = by_id(&c);
        let mut seen_multibyte = false;
        for t in &c.truth {
            let src = ids[t.source.as_str()].1;
            for &(s, e) in t.dropped.as_ref().unwrap() {
                let chars: Vec<char> = src.chars().collect();
                let text: String = chars[s..e].iter().collect();
                assert!(src.contains(&text));
                assert!(
                    !text.starts_with(char::is_whitespace) && !text.ends_with(char::is_whitespace)
                );
                seen_multibyte |= src[..src.find(&text).unwrap()].len() != s;
            }
        }
        assert!(seen_multibyte);
    }

    #[test]
    fn seed_pair_heads_the_corpus() {
        let spec = CorpusSpec::default()
            .docs(20)
            .seed_pair("the article text", "the blog text");
        let c = generate(&spec);
        assert_eq!(c.docs.len(), 22);
        assert_eq!(
            c.docs[0],
            SynthDoc {
                id: "seed-article".into(),
                text: "the article text".into()
            }
        );
        assert_eq!(c.docs[1].id, "seed-blog");
        let t = &c.truth[0];
        assert_eq!(
            (t.source.as_str(), t.derived.as_str(), t.relation, t.kind),
            ("seed-article", "seed-blog", "derivative", "seed")
        );
        assert_eq!((t.added.clone(), t.dropped.clone()), (None, None));
        assert_eq!(c.docs[2].id, "doc-000000");
    }

    #[test]
    fn files_have_the_scorer_field_names() {
        let spec = CorpusSpec::default()
            .docs(200)
            .seed(3)
            .derived_fraction(0.3);
        let c = generate(&spec);
        let lines = jsonl(&c);
        let docs: Vec<serde_json::Value> = String::from_utf8(lines)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(docs.len(), 200);
        for (d, want) in docs.iter().zip(&c.docs) {
            assert_eq!(d.as_object().unwrap().len(), 2);
            assert_eq!(d["id"], want.id.as_str());
            assert_eq!(d["text"], want.text.as_str());
        }
        let mut buf = Vec::new();
        c.write_truth(&mut buf).unwrap();
        let truth: serde_json::Value = serde_json::from_slice(&buf).unwrap();
        let pairs = truth["pairs"].as_array().unwrap();
        assert_eq!(pairs.len(), c.truth.len());
        for p in pairs {
            let keys: HashSet<&str> = p.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(
                keys,
                HashSet::from(["source", "derived", "relation", "kind", "added", "dropped"])
            );
            assert!(["duplicate", "derivative"].contains(&p["relation"].as_str().unwrap()));
            for field in ["added", "dropped"] {
                match &p[field] {
                    serde_json::Value::Null => {}
                    serde_json::Value::Array(spans) => {
                        assert!(spans
                            .iter()
                            .all(|s| s.as_array().unwrap().len() == 2
                                && s[0].as_u64() < s[1].as_u64()));
                    }
                    other => panic!("{field}: {other}"),
                }
            }
        }
        let mut empty = Vec::new();
        Corpus::default().write_truth(&mut empty).unwrap();
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&empty).unwrap()["pairs"],
            serde_json::json!([])
        );
    }

    #[test]
    fn helpers() {
        // (year, month, day, weekday)
        for (y, m, d, w) in [
            (2023, 7, 22, "Saturday"),
            (2000, 2, 29, "Tuesday"),
            (2024, 1, 1, "Monday"),
        ] {
            assert_eq!(WEEKDAYS[weekday(y, m, d)], w);
        }
        let mut rng = Rng::new(1);
        assert_eq!(split_word(&mut rng, "the deals"), Some("the d eals".into()));
        assert_eq!(split_word(&mut rng, "the deal"), None);
        assert_eq!(drop_the(&mut rng, "a the b"), Some("a b".into()));
        let changed = change_dateline(&mut rng, "MOSCOW, May 24 — Text here.").unwrap();
        assert!(
            changed.starts_with("MOSCOW, May ")
                && changed.ends_with(" — Text here.")
                && !changed.contains(" 24 ")
        );
        assert_eq!(change_dateline(&mut rng, "No dateline — here."), None);
        assert_eq!(straighten_quotes("“Moscow’s”"), "\"Moscow's\"");
        let v = vocab();
        assert!(v.common.len() >= 190 && v.names.len() >= 100 && v.content.len() == CONTENT_WORDS);
        // The alias table follows its weights.
        let table = Alias::new(&[1.0, 3.0, 0.0]);
        let mut counts = [0usize; 3];
        for _ in 0..40_000 {
            counts[table.sample(&mut rng)] += 1;
        }
        assert_eq!(counts[2], 0);
        assert!((9_000..11_000).contains(&counts[0]), "{counts:?}");
    }
}
