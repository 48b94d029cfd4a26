//! The shared-phrase style: articles stitched from a common pool of phrases.
//!
//! In: an [`Rng`], the [`Vocab`], a pool size and a word count. Out: an article of exactly that many
//! words, in paragraphs of sentences as the news style has, about four fifths of whose words come in
//! phrases of 8 to 14 words from a pool of `pool` phrases (stock phrases, quotes and wire copy
//! recur in news), the rest fresh words between them.
//!
//! Why it is built this way: pool phrase `k` is a pure function of `k` (a fixed seed, like the
//! vocabulary), so nothing is stored and every corpus, whatever its size, draws on the same pool;
//! its size is fixed, so the background grows with the corpus as it does in a crawl. Phrase `k` is
//! drawn half the time uniformly, half the time as `below(below(pool) + 1)` (a log-shaped law,
//! `P(k) ~ ln(pool / k) / pool`): the sum of the squared probabilities is about `1.25 / pool`, so two
//! articles with `m` and `n` pool phrases share about `1.25 mn / pool` of them. A 400-word article
//! holds about 29 phrases; with the default pool of 2,600 that is 0.4 shared phrases, so about a
//! third of unrelated pairs share a word 5-gram, and the 5-grams inside phrases (half of an
//! article's) recur in `docs * 29 / 2600` documents on average (about 220 at 20,000 documents, up to
//! 2,000 for the first phrases of the pool). Phrases are short, so a shared one carries at most 10
//! of an article's 5-grams and unrelated articles stay far below a containment of 0.3.

use super::article::{write_paragraphs, write_word};
use super::rng::{derive_seed, Rng};
use super::vocab::Vocab;

/// The default number of phrases in the pool.
pub(super) const DEFAULT_POOL: usize = 2000;
/// At each point of a sentence with room for a phrase, the chance that a pool phrase comes next
/// (else a run of 1 to 4 fresh words): about 80% of the words come from the pool.
const P_PHRASE: f64 = 0.75;
const MIN_PHRASE: usize = 8;
const MAX_PHRASE: usize = 14;
/// Seed of the pool: fixed, so every corpus draws on the same one.
const POOL_SEED: u64 = 0x0000_706F_6F6C;

/// The length in words of pool phrase `k` and the seed of its words.
fn phrase_len(k: usize) -> (usize, u64) {
    let mut rng = Rng::new(derive_seed(POOL_SEED, k as u64, 0));
    (rng.range(MIN_PHRASE, MAX_PHRASE), rng.next_u64())
}

/// Pushes a pool phrase of `len` words from the seed of its words: lower-case words separated by
/// spaces, never ending on a common word.
fn write_phrase(v: &Vocab, out: &mut String, len: usize, seed: u64) {
    let mut rng = Rng::new(seed);
    let mut prev_common = true; // open on a word that is not a common one
    for w in 0..len {
        if w > 0 {
            out.push(' ');
        }
        prev_common = write_word(&mut rng, v, out, prev_common || w + 1 == len);
    }
}

/// Pool phrase `k`, alone.
#[cfg(test)]
pub(super) fn pool_phrase(v: &Vocab, k: usize) -> String {
    let (len, seed) = phrase_len(k);
    let mut out = String::new();
    write_phrase(v, &mut out, len, seed);
    out
}

/// The index of a pool phrase: uniform or log-shaped, half and half.
fn pick_phrase(rng: &mut Rng, pool: usize) -> usize {
    if rng.chance(0.5) {
        rng.below(pool)
    } else {
        let top = rng.below(pool) + 1;
        rng.below(top)
    }
}

/// One sentence of `len` words: pool phrases and runs of fresh words, capitalised, ending in '.'.
fn write_phrase_sentence(rng: &mut Rng, v: &Vocab, out: &mut String, len: usize, pool: usize) {
    let start = out.len();
    let mut w = 0;
    while w < len {
        if w > 0 {
            out.push(' ');
        }
        if len - w >= MIN_PHRASE && rng.chance(P_PHRASE) {
            let (plen, seed) = phrase_len(pick_phrase(rng, pool));
            if plen <= len - w {
                write_phrase(v, out, plen, seed);
                w += plen;
                continue;
            }
        }
        let run = rng.range(1, 4).min(len - w);
        let mut prev_common = false;
        for r in 0..run {
            if r > 0 {
                out.push(' ');
            }
            // Never end the sentence on a common word.
            prev_common = write_word(rng, v, out, prev_common || w + r + 1 == len);
        }
        w += run;
        if w < len && rng.chance(0.1) {
            out.push(',');
        }
    }
    if let Some(first) = out.get_mut(start..start + 1) {
        first.make_ascii_uppercase();
    }
    out.push('.');
}

/// An article of exactly `words` words, paragraphs of 1 to 5 sentences separated by a blank line,
/// about four fifths of its words in phrases from the pool of `pool` phrases.
pub(super) fn write_phrase_article(
    rng: &mut Rng,
    v: &Vocab,
    out: &mut String,
    words: usize,
    pool: usize,
) {
    let pool = pool.max(1);
    write_paragraphs(
        rng,
        out,
        words,
        |rng| rng.range(1, 5),
        |rng, out, len| write_phrase_sentence(rng, v, out, len, pool),
    );
}
