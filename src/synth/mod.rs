//! Generated news-like corpora with known reposts, for tests, benchmarks and the quality scorer.
//!
//! In: a [`CorpusSpec`] (how many documents, a seed, the word range of an article, the share of
//! derived documents and the [`KindMix`] of ways to derive them, optionally the two real seed texts,
//! and the phenomena of real crawls: news sites with templates, syndication, the shared-phrase
//! [`TextStyle`], a corpus that is all template). Out: a [`Corpus`]: documents `{id, text}` and
//! [`TruthPair`] records saying which document was derived from which, how, and which character
//! spans were added to the copy or dropped from the source (of a digest, which span of it came
//! from each source); with sites, [`Pages`] adds each page's body. [`Corpus::write_jsonl`] and [`Corpus::write_truth`] (or [`stream_pages`]) write the JSON
//! Lines corpus and the `TRUTH.json` that `tools/score_pairs.py` reads.
//!
//! Why it is built this way:
//!
//! - Every document is a pure function of the spec and its position ([`CorpusSpec::entry`]): whether
//!   a position holds an original or a derived document, and which earlier original it copies, come
//!   from hashes of `(seed, position)`. A caller can generate positions in any order, in parallel
//!   ([`generate_par`]), or stream a million documents to disk ([`stream_jsonl`], [`stream_pages`])
//!   without holding them. A derived document regenerates its source's text, which costs about one
//!   article more per derived document.
//! - Sources are always originals that come earlier in the corpus, and a derived document is never
//!   the source of another, so the truth is a flat list of pairs.
//! - The text is random but shaped like news: a fixed vocabulary of 6,000 pseudo-words made from
//!   syllables, about 200 common English words and about 130 names and places, drawn with Zipf-like
//!   frequencies; sentences of 8 to 35 words with commas, numbers ("190,000", "40%", "2023"), curly
//!   quotes, possessives ("Moscow’s"), em dashes and datelines; paragraphs of 1 to 5 sentences
//!   separated by a blank line. Two unrelated articles share almost no word 5-gram.
//! - Crawls are not like that, and [`CorpusSpec::sites`], [`CorpusSpec::syndicated`] and
//!   [`TextStyle::Phrases`] add what makes them hard. With sites, each page is its body (a headline
//!   and the article) inside its site's template: navigation, byline, a related-stories block
//!   quoting other articles' headlines, a footer; the truth's `bodies` let the scorer measure the
//!   articles, not the templates, and truth spans are page offsets of the bodies' differences only.
//!   Copies go to other sites; a syndicated story is one body on 2 to 50 sites, every pair of its
//!   pages a `duplicate` in the truth. The shared-phrase style stitches articles from a fixed pool
//!   of phrases, so that half of each article's 5-grams recur in hundreds of documents and a third
//!   of unrelated pairs share one, while unrelated articles stay below a containment of 0.3. Each is
//!   still a pure function of `(seed, position)`: a related block links to originals chosen by hash
//!   near its position, whose headlines are hashes too; syndicated copies fill the positions right
//!   after their story, so each copy knows its cluster.
//! - Truth spans count Unicode scalar values (Python string indices), end-exclusive, because that is
//!   what the scorer reads; the text has multi-byte characters (’ “ ” — í ü), so chars, not bytes.
//! - Only integer arithmetic and correctly rounded float operations (no `powf`, no `ln`), and a
//!   splitmix64 generator of our own: the same spec gives the same bytes on every platform.
//!
//! Where things are: this file holds the spec ([`CorpusSpec`], [`KindMix`], [`DerivedKind`],
//! [`TextStyle`], [`SeedPair`]) and the entry points ([`generate`], [`generate_par`],
//! [`generate_pages`], [`stream_jsonl`], [`stream_pages`], [`news_text`], [`phrase_text`]); `layout`
//! decides what each position holds and builds its entry; `rng` is the deterministic randomness;
//! `vocab` the word lists; `article` writes original articles; `phrases` the shared-phrase ones;
//! `site` the site templates and page assembly; `copies` makes the derived texts (light edit,
//! repost, excerpt, digest of 2 to 4 sources) with their truth spans; `dates` the documents'
//! publication dates ([`CorpusSpec::dates`]); `truth` holds the output records ([`SynthDoc`],
//! [`TruthPair`], [`Corpus`], [`Entry`], [`Pages`]) and their file formats ([`TruthWriter`]).

mod article;
mod copies;
mod dates;
mod layout;
mod phrases;
mod rng;
mod site;
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

pub use dates::{EPOCH_SHARE, OFFSET_SHARE, SAME_DATE_SHARE, SPAN_DAYS, UNDATED_SHARE};
pub use truth::{
    write_truth_json, CharSpan, Corpus, Entry, Pages, SynthDate, SynthDoc, TruthPair, TruthWriter,
};

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
    /// A lead (the first paragraphs, whole) of each of 2 to 4 sources
    /// ([`CorpusSpec::digest_sources`]), one after another, each about an equal share of the
    /// page's words: of two sources the first half of each, of more about half the shortest
    /// source's words each. One truth record per source, whose `parts` is the span of the page
    /// taken from it.
    Digest,
    /// A commentary-heavy blog repost: 20–45% of the sentences dropped, one or two paragraphs of
    /// the blogger's own prose of about as many words added (on top, at the bottom or inside),
    /// a date line and a comment box, and the other quote style (straight quotes curled, curly
    /// ones straightened): the two containments are close, so the margin alone cannot tell the
    /// direction.
    Commentary,
}

impl DerivedKind {
    /// All kinds, in the order of [`KindMix`]'s fields.
    pub const ALL: [DerivedKind; 6] = [
        DerivedKind::Exact,
        DerivedKind::LightEdit,
        DerivedKind::Repost,
        DerivedKind::Excerpt,
        DerivedKind::Digest,
        DerivedKind::Commentary,
    ];

    /// The label written in the truth's `kind` field.
    pub fn as_str(self) -> &'static str {
        match self {
            DerivedKind::Exact => "exact",
            DerivedKind::LightEdit => "light_edit",
            DerivedKind::Repost => "repost",
            DerivedKind::Excerpt => "excerpt",
            DerivedKind::Digest => "digest",
            DerivedKind::Commentary => "commentary",
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
    /// Weight of [`DerivedKind::Commentary`].
    pub commentary: f64,
}

impl Default for KindMix {
    /// Exact 20%, light edit 20%, repost 35%, excerpt 15%, digest 10%, no commentary repost.
    fn default() -> Self {
        KindMix {
            exact: 0.20,
            light_edit: 0.20,
            repost: 0.35,
            excerpt: 0.15,
            digest: 0.10,
            commentary: 0.0,
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
            commentary: 0.0,
        };
        match kind {
            DerivedKind::Exact => mix.exact = 1.0,
            DerivedKind::LightEdit => mix.light_edit = 1.0,
            DerivedKind::Repost => mix.repost = 1.0,
            DerivedKind::Excerpt => mix.excerpt = 1.0,
            DerivedKind::Digest => mix.digest = 1.0,
            DerivedKind::Commentary => mix.commentary = 1.0,
        }
        mix
    }

    /// This mix with `share` of the derived documents made commentary reposts and the other kinds
    /// scaled to the rest (a share of 1 leaves only commentary reposts).
    pub fn with_commentary(self, share: f64) -> Self {
        let share = if share.is_finite() {
            share.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let w = self.weights();
        let others: f64 = w[..5].iter().sum();
        let scale = if others > 0.0 {
            (1.0 - share) / others
        } else {
            0.0
        };
        KindMix {
            exact: w[0] * scale,
            light_edit: w[1] * scale,
            repost: w[2] * scale,
            excerpt: w[3] * scale,
            digest: w[4] * scale,
            commentary: share,
        }
    }

    fn weights(&self) -> [f64; 6] {
        let clean = |w: f64| if w.is_finite() && w > 0.0 { w } else { 0.0 };
        let w = [
            clean(self.exact),
            clean(self.light_edit),
            clean(self.repost),
            clean(self.excerpt),
            clean(self.digest),
            clean(self.commentary),
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
    /// Number of news sites; 0 (the default) gives bare articles. With sites, every page is its
    /// article (headline and text, the page's *body*) inside its site's template: a navigation
    /// line, a byline with the date, a related-stories block quoting other articles' headlines and
    /// a footer of 60 to 100 words. Derived pages go to another site than their source's.
    pub sites: usize,
    /// Expected share of pages that are syndicated copies: a wire story republished unchanged (the
    /// same body) on 2 to 50 other sites, each in its own template. Needs 3 sites or more; 0 by
    /// default.
    pub syndicated: f64,
    /// Expected share of sites whose related-stories block runs its headlines together on the
    /// heading's line (`Related: A; B; C`, as some text extractors give a row of links) instead
    /// of one a line; 0 by default. Such a line ends no sentence and is mostly other pages'
    /// headlines, with the words where two meet found on that page alone.
    pub inline_related: f64,
    /// How article text is written.
    pub style: TextStyle,
    /// Sentences in the shared pool of [`TextStyle::Phrases`] (default 600).
    pub phrase_pool: usize,
    /// Every generated page the same template page of site 0 but for its date (a corpus that is all
    /// template): each a duplicate of the first, no bodies. Off by default.
    pub all_template: bool,
    /// Give documents a `date` field (off by default): a source always earlier than its
    /// copies, [`UNDATED_SHARE`] of the documents undated, [`SAME_DATE_SHARE`] of the derived
    /// ones with their source's very date, in several forms (see `dates`).
    pub dates: bool,
    /// Share of original articles written with straight quotes (' ") instead of curly ones (0 by
    /// default): their commentary reposts gain curly quotes, as from a publishing system that
    /// smartens them, where the others' lose theirs.
    pub straight_quotes: f64,
    /// `(fewest, most)` sources of a [`DerivedKind::Digest`], each digest drawing its number
    /// between them; (2, 2) by default. Each is clamped to 2..=4, and a reversed pair is
    /// swapped. With too few earlier originals a digest has fewer sources (with one, it is an
    /// excerpt).
    pub digest_sources: (usize, usize),
}

/// How the generator writes article text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TextStyle {
    /// Fresh sentences: two unrelated articles share almost no word 5-gram.
    #[default]
    News,
    /// About half of the sentences taken whole from a fixed pool of
    /// [`phrase_pool`](CorpusSpec::phrase_pool) sentences, as stock phrases, quotes and wire copy
    /// recur in news: with the default pool, about a third of unrelated articles share a word 5-gram
    /// and the 5-grams of the pool recur in hundreds of documents of a 20,000-document corpus, while
    /// unrelated articles stay far below a containment of 0.3.
    Phrases,
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
            sites: 0,
            syndicated: 0.0,
            inline_related: 0.0,
            style: TextStyle::News,
            phrase_pool: phrases::DEFAULT_POOL,
            all_template: false,
            dates: false,
            straight_quotes: 0.0,
            digest_sources: (2, 2),
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
/// Bodies of templated pages are not kept: [`stream_pages`] writes them to the truth file.
pub fn stream_jsonl<W: Write>(spec: &CorpusSpec, w: W) -> io::Result<Vec<TruthPair>> {
    let mut truth = Vec::new();
    stream_entries(spec, w, |e| {
        truth.extend(e.truth);
        Ok(())
    })?;
    Ok(truth)
}

/// Writes the corpus of `spec` as JSON Lines to `docs` and its truth (pairs and, on templated
/// sites, bodies) as the scorer's `TRUTH.json` to `truth`, holding neither the documents nor the
/// bodies; returns the number of truth pairs. The bytes are those of [`generate_pages`]'s
/// [`Pages::write_jsonl`] and [`Pages::write_truth`]; without sites, the truth file is that of
/// [`write_truth_json`] on [`stream_jsonl`]'s truth.
pub fn stream_pages<W: Write, T: Write>(spec: &CorpusSpec, docs: W, truth: T) -> io::Result<usize> {
    let mut out = TruthWriter::new(truth);
    stream_entries(spec, docs, |e| out.push(e))?;
    out.finish()
}

fn stream_entries<W: Write>(
    spec: &CorpusSpec,
    w: W,
    mut each: impl FnMut(Entry) -> io::Result<()>,
) -> io::Result<()> {
    const BATCH: usize = 4096;
    let mut w = BufWriter::new(w);
    let total = spec.total_docs();
    let mut start = 0;
    while start < total {
        let end = (start + BATCH).min(total);
        let entries: Vec<Entry> = (start..end)
            .into_par_iter()
            .map(|pos| spec.page(pos))
            .collect();
        for e in entries {
            write_doc_line(&mut w, &e.doc)?;
            each(e)?;
        }
        start = end;
    }
    w.flush()
}

/// Generates the whole corpus of `spec` on rayon's thread pool with the bodies of its templated
/// pages (none without sites).
pub fn generate_pages(spec: &CorpusSpec) -> Pages {
    let entries: Vec<Entry> = (0..spec.total_docs())
        .into_par_iter()
        .map(|pos| spec.page(pos))
        .collect();
    let mut pages = Pages::default();
    for e in entries {
        if let Some(body) = e.body {
            pages.bodies.push((e.doc.id.clone(), body));
        }
        pages.corpus.docs.push(e.doc);
        pages.corpus.truth.extend(e.truth);
    }
    pages
}

/// An article of exactly `words` words in the shared-phrase style ([`TextStyle::Phrases`]): about
/// half of its sentences from the pool of `pool` sentences, a pure function of `seed` and `pool`.
pub fn phrase_text(seed: u64, words: usize, pool: usize) -> String {
    let mut out = String::with_capacity(words * 7 + 32);
    phrases::write_phrase_article(&mut Rng::new(seed), vocab(), &mut out, words, pool);
    out
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

    /// Sets the number of news sites (0: bare articles, no templates).
    pub fn sites(mut self, sites: usize) -> Self {
        self.sites = sites;
        self
    }

    /// Sets the expected share of syndicated copies (with 3 sites or more).
    pub fn syndicated(mut self, share: f64) -> Self {
        self.syndicated = share;
        self
    }

    /// Sets how article text is written.
    pub fn style(mut self, style: TextStyle) -> Self {
        self.style = style;
        self
    }

    /// Sets the number of sentences in the pool of [`TextStyle::Phrases`].
    pub fn phrase_pool(mut self, sentences: usize) -> Self {
        self.phrase_pool = sentences;
        self
    }

    /// Makes every page the same template page but for its date.
    pub fn all_template(mut self, on: bool) -> Self {
        self.all_template = on;
        self
    }

    /// Sets the expected share of sites whose related headlines run together on one line
    /// ([`CorpusSpec::inline_related`]).
    pub fn inline_related(mut self, share: f64) -> Self {
        self.inline_related = share;
        self
    }

    /// Writes `share` of the originals with straight quotes ([`CorpusSpec::straight_quotes`]).
    pub fn straight_quotes(mut self, share: f64) -> Self {
        self.straight_quotes = share;
        self
    }

    /// Sets the fewest and most sources of a digest ([`CorpusSpec::digest_sources`]: clamped to
    /// 2..=4, swapped if reversed).
    pub fn digest_sources(mut self, min: usize, max: usize) -> Self {
        self.digest_sources = (min, max);
        self
    }

    /// Gives the documents dates ([`CorpusSpec::dates`]).
    pub fn dates(mut self, on: bool) -> Self {
        self.dates = on;
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
