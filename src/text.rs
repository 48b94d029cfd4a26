//! Tokenizer: text in, word tokens out, each with its byte span in the original text and a stable
//! hash of its normalized form.
//!
//! Words are found by Unicode word segmentation (UAX #29, via `unicode-segmentation`), and a
//! token is a run of word characters (letters, digits, combining marks, `_`) inside a segment.
//! Punctuation therefore always separates tokens, also inside a segment: `China’s` is `China` and
//! `s`, `190,000` is `190` and `000`, exactly as the `\w+` words of the scorer we hold quality to;
//! the segmenter's part is the scripts without spaces (each CJK ideograph is a token) and the
//! characters that combine.
//!
//! No word crosses ASCII whitespace, so the text is cut there: stretches of ASCII, curly quotes,
//! dashes, ellipses and no-break spaces take a byte-level fast path (runs of `[A-Za-z0-9_]`), and
//! only the whitespace-delimited chunks that hold another non-ASCII character (an accented word)
//! go through the generic segmenter. Tests check that the fast path and the cut give exactly the
//! tokens of the generic path on the whole text.
//!
//! Normalization makes case, quote style, dashes and whitespace irrelevant: a token's hash is the
//! stable 64-bit hash ([`hash_normalized`]) of its normalized form, NFKC and lower case. Quotes
//! and dashes are not word characters, so they never reach a token. `TOKENIZER_VERSION` changes
//! whenever any of this changes, because hashes derived from tokens are persisted.

use std::ops::Range;

use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

use crate::hash::{mix64, GOLDEN_GAMMA};

/// Version of the tokenization and normalization rules; persisted with every signature.
pub const TOKENIZER_VERSION: u32 = 2;

/// One word of a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// Byte offset of the first byte of the word in the original text.
    pub start: u32,
    /// Byte offset one past the last byte of the word.
    pub end: u32,
    /// Stable hash of the normalized word (see [`normalize_word`]).
    pub hash: u64,
}

impl Token {
    /// The byte span of the token in the original text.
    pub fn span(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// Splits `text` into tokens, appending them to `out` (which is cleared first).
///
/// Texts longer than `u32::MAX` bytes are not supported: callers bound document size before this.
pub fn tokenize_into(text: &str, out: &mut Vec<Token>) {
    out.clear();
    debug_assert!(
        text.len() <= u32::MAX as usize,
        "document too large for u32 spans"
    );
    let bytes = text.as_bytes();
    let mut from = 0;
    // The fast path stops at the first character it does not know; the whitespace-delimited chunk
    // around it goes through the generic segmenter, replacing what the fast path made of it.
    while let Some(p) = fast_tokens(bytes, from, out) {
        let chunk_start = bytes[from..p]
            .iter()
            .rposition(u8::is_ascii_whitespace)
            .map_or(from, |w| from + w + 1);
        let chunk_end = bytes[p..]
            .iter()
            .position(u8::is_ascii_whitespace)
            .map_or(bytes.len(), |w| p + w);
        while out.last().is_some_and(|t| t.start as usize >= chunk_start) {
            out.pop();
        }
        unicode_tokens(&text[chunk_start..chunk_end], chunk_start, out);
        from = chunk_end;
    }
}

/// Splits `text` into tokens.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(text.len() / 6 + 1);
    tokenize_into(text, &mut out);
    out
}

/// Writes the normalized form of one word into `out` (cleared first): NFKC, lower case. This is
/// what [`Token::hash`] hashes.
pub fn normalize_word(word: &str, out: &mut String) {
    out.clear();
    if word.is_ascii() {
        out.extend(word.bytes().map(|b| b.to_ascii_lowercase() as char));
        return;
    }
    for c in word.nfkc() {
        out.extend(c.to_lowercase());
    }
}

/// The stable hash of a normalized word. Words of up to 16 bytes (nearly all) are read as two
/// little-endian 64-bit halves, zero-padded, and hashed by `short_word_hash`: one multiply folds
/// the high half and the length in, the splitmix64 finalizer mixes the result. A word of ASCII
/// word bytes (`[a-z0-9_]`) first gets bit 5 set in every byte (`a`..`z` and digits have it
/// already, `_` becomes 0x7F, which no normalized word holds), so that the tokenizer's fast path
/// hashes a word of any case by setting the bit, without lower-casing it. Longer words take
/// XXH3-64 (default secret, seed 0). Both are fixed integer arithmetic, the same on every
/// machine. Persisted signatures depend on it; see [`TOKENIZER_VERSION`].
#[inline]
pub fn hash_normalized(normalized: &[u8]) -> u64 {
    let len = normalized.len();
    if len <= 16 {
        let mut buf = [0u8; 16];
        buf[..len].copy_from_slice(normalized);
        if normalized.iter().all(|&b| is_word_byte(b)) {
            for b in &mut buf[..len] {
                *b |= 0x20;
            }
        }
        let (lo, hi) = halves(&buf);
        short_word_hash(lo, hi, len)
    } else {
        xxhash_rust::xxh3::xxh3_64(normalized)
    }
}

/// For each length up to 16, the masks of the low and high halves of a word of that length.
const WORD_MASKS: [[u64; 2]; 17] = {
    let mut t = [[0u64; 2]; 17];
    let mut len = 1;
    while len <= 16 {
        let m = u128::MAX >> (128 - 8 * len);
        t[len] = [m as u64, (m >> 64) as u64];
        len += 1;
    }
    t
};

/// The two little-endian halves of 16 bytes.
#[inline]
fn halves(b: &[u8; 16]) -> (u64, u64) {
    let lo = u64::from_le_bytes(b[..8].try_into().expect("8 bytes"));
    let hi = u64::from_le_bytes(b[8..].try_into().expect("8 bytes"));
    (lo, hi)
}

/// The hash of a word of `len <= 16` bytes given as zero-padded little-endian halves: the high
/// half and the length, multiplied by an odd constant, are XORed into the low half, and
/// [`mix64`] (a bijection with full avalanche) spreads the result. Words of up to 8 bytes
/// (`hi == 0`) thus cost one finalizer; two words give the same value only by accident.
#[inline]
fn short_word_hash(lo: u64, hi: u64, len: usize) -> u64 {
    mix64(lo ^ (hi ^ len as u64).wrapping_mul(GOLDEN_GAMMA))
}

/// The hash of the ASCII word `bytes[start..end]`'s lower case. A word of up to 16 bytes with 16
/// bytes of text from its start is loaded and masked in place, with bit 5 set in every byte (see
/// [`hash_normalized`]), without a copy or a branch on its length; others (long words, and words
/// at the very end of the text) take a copy, out of line, so that the common case inlines into
/// the tokenizer's loop.
#[inline(always)]
fn hash_ascii_lower(bytes: &[u8], start: usize, end: usize) -> u64 {
    const BIT5: u64 = 0x2020_2020_2020_2020;
    let len = end - start;
    if len <= 16 {
        if let Some(window) = bytes.get(start..start + 16) {
            let window: &[u8; 16] = window.try_into().expect("16 bytes");
            let (lo, hi) = halves(window);
            let [mlo, mhi] = WORD_MASKS[len];
            return short_word_hash((lo | BIT5) & mlo, (hi | BIT5) & mhi, len);
        }
    }
    hash_ascii_lower_copied(&bytes[start..end])
}

/// [`hash_ascii_lower`] of a word that cannot be read in place.
#[cold]
#[inline(never)]
fn hash_ascii_lower_copied(word: &[u8]) -> u64 {
    hash_normalized(&word.to_ascii_lowercase())
}

/// True for the characters that make up tokens: letters, digits, combining marks and `_`.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || unicode_normalization::char::is_combining_mark(c)
}

/// The generic path: the tokens of `text`, which starts at byte `base` of the document: runs of
/// word characters inside each UAX #29 segment.
fn unicode_tokens(text: &str, base: usize, out: &mut Vec<Token>) {
    let mut buf = String::new();
    for (seg_start, segment) in text.split_word_bound_indices() {
        let mut run: Option<usize> = None;
        let mut has_base = false;
        for (i, c) in segment
            .char_indices()
            .chain(std::iter::once((segment.len(), ' ')))
        {
            if is_word_char(c) && i < segment.len() {
                run.get_or_insert(i);
                has_base |= c.is_alphanumeric() || c == '_';
                continue;
            }
            if let Some(s) = run.take() {
                if has_base {
                    let word = &segment[s..i];
                    normalize_word(word, &mut buf);
                    out.push(Token {
                        start: (base + seg_start + s) as u32,
                        end: (base + seg_start + i) as u32,
                        hash: hash_normalized(buf.as_bytes()),
                    });
                }
            }
            has_base = false;
        }
    }
}

/// The length of the non-ASCII character at byte `i` when the fast path knows it is not a word
/// character: the curly quotes ‘ ’ “ ”, the dashes – —, the ellipsis … and the no-break space.
#[inline]
fn known_punctuation(bytes: &[u8], i: usize) -> Option<usize> {
    match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
        (0xE2, Some(0x80), Some(0x93 | 0x94 | 0x98 | 0x99 | 0x9C | 0x9D | 0xA6)) => Some(3),
        (0xC2, Some(0xA0), _) => Some(2),
        _ => None,
    }
}

/// True for the word bytes of the fast path, `[A-Za-z0-9_]`: comparisons without branches, so
/// that a loop over a block vectorizes. Bytes with bit 7 set are never word bytes.
#[inline]
fn is_word_byte(b: u8) -> bool {
    let letter = (b | 0x20).wrapping_sub(b'a') < 26;
    let digit = b.wrapping_sub(b'0') < 10;
    letter | digit | (b == b'_')
}

/// Bit `i` set where byte `i` of the eight in `v` has bit 7 set (only bit 7 of each byte may be
/// set in `v`): the bits gathered by one multiply, none of whose partial products overlap.
#[inline]
pub(crate) fn pack8(v: u64) -> u64 {
    (v >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

/// Bytes looked at per step of the fast path: one bit per byte in a `u64` mask.
const BLOCK: usize = 64;

/// The masks of the `BLOCK` bytes from `base`: word bytes, and bytes with bit 7 set (non-ASCII).
/// Bytes past the end count as neither.
#[inline]
fn block_masks(bytes: &[u8], base: usize) -> (u64, u64) {
    const HIGH: u64 = 0x0101_0101_0101_0101 * 0x80;
    let mut padded = [0u8; BLOCK];
    let block: &[u8; BLOCK] = match bytes.get(base..base + BLOCK) {
        Some(b) => b.try_into().expect("BLOCK bytes"),
        None => {
            let tail = &bytes[base..];
            padded[..tail.len()].copy_from_slice(tail);
            &padded
        }
    };
    // Bit 7 of each byte set for word bytes: compared a byte at a time in a loop the compiler
    // vectorizes (faster than testing ranges in 64-bit words), then gathered eight at a time.
    let mut flags = [0u8; BLOCK];
    for (f, &b) in flags.iter_mut().zip(block) {
        *f = u8::from(is_word_byte(b)) << 7;
    }
    let (mut word, mut high) = (0u64, 0u64);
    for (j, (chunk, f)) in block.chunks_exact(8).zip(flags.chunks_exact(8)).enumerate() {
        let v = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        let f = u64::from_le_bytes(f.try_into().expect("8 bytes"));
        word |= pack8(f) << (8 * j);
        high |= pack8(v & HIGH) << (8 * j);
    }
    (word, high)
}

/// The fast path: tokens are runs of `[A-Za-z0-9_]`, hashed lower-cased in place. Starting at
/// `from` (not inside a word), it returns the offset of the first character it does not know, if
/// any; the tokens that start before it are in `out`.
///
/// The text is read `BLOCK` bytes at a time into a mask of word bytes, so that word starts and
/// ends are the mask's rising and falling edges, found with bit scans: no branch per byte, and
/// the only data-dependent branches are one per token and one per block with a non-ASCII byte.
fn fast_tokens(bytes: &[u8], from: usize, out: &mut Vec<Token>) -> Option<usize> {
    let n = bytes.len();
    let mut emit = |start: usize, end: usize| {
        out.push(Token {
            start: start as u32,
            end: end as u32,
            hash: hash_ascii_lower(bytes, start, end),
        })
    };
    // A word that runs past the end of the previous block, by its start.
    let mut open: Option<usize> = None;
    // Non-ASCII bytes before this offset are part of known punctuation.
    let mut checked = from;
    let mut base = from;
    while base < n {
        let (word, high) = block_masks(bytes, base);
        // The first character the fast path does not know, in this block.
        let mut unknown = None;
        let mut h = high;
        while h != 0 {
            let i = base + h.trailing_zeros() as usize;
            h &= h - 1;
            if i < checked {
                continue;
            }
            match known_punctuation(bytes, i) {
                Some(len) => checked = i + len,
                None => {
                    unknown = Some(i);
                    break;
                }
            }
        }
        let before = (word << 1) | u64::from(open.is_some());
        let mut starts = word & !before;
        let mut ends = !word & before;
        // Starts and ends alternate: pair each start with the first end after it.
        if let Some(start) = open {
            if ends == 0 {
                base += BLOCK;
                continue;
            }
            emit(start, base + ends.trailing_zeros() as usize);
            ends &= ends - 1;
            open = None;
        }
        if let Some(p) = unknown {
            // Only the tokens that start before it; the caller re-reads the rest.
            starts &= (1u64 << (p - base)) - 1;
        }
        while starts != 0 {
            let start = base + starts.trailing_zeros() as usize;
            starts &= starts - 1;
            if ends == 0 {
                open = Some(start);
                break;
            }
            emit(start, base + ends.trailing_zeros() as usize);
            ends &= ends - 1;
        }
        if unknown.is_some() {
            return unknown;
        }
        base += BLOCK;
    }
    if let Some(start) = open {
        emit(start, n);
    }
    None
}

/// The lines of a text as token ranges: a new line starts at a token whose gap from the one
/// before holds a line break.
pub fn token_lines(text: &str, tokens: &[Token]) -> Vec<Range<usize>> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, pair) in tokens.windows(2).enumerate() {
        let gap = &text.as_bytes()[pair[0].end as usize..pair[1].start as usize];
        if gap.contains(&b'\n') {
            lines.push(start..i + 1);
            start = i + 1;
        }
    }
    if start < tokens.len() {
        lines.push(start..tokens.len());
    }
    lines
}

/// Sentence ends besides `.`, `!` and `?`, in UTF-8: the ellipsis `…` and the ideographic full
/// stop, exclamation and question marks `。！？`.
const SENTENCE_ENDS: [&[u8]; 4] = [
    "…".as_bytes(),
    "。".as_bytes(),
    "！".as_bytes(),
    "？".as_bytes(),
];

/// Whether a line (`line`: a range of `tokens`, as [`token_lines`] gives them) ends a sentence:
/// a `.`, `!`, `?`, `…` or `。！？` after its last word, before the line break. A headline, a
/// byline, a date line or a list of links ends none; prose does. An empty line ends none.
pub fn ends_sentence(text: &str, tokens: &[Token], line: &Range<usize>) -> bool {
    if line.is_empty() {
        return false;
    }
    let bytes = text.as_bytes();
    let from = tokens[line.end - 1].end as usize;
    let to = tokens
        .get(line.end)
        .map_or(bytes.len(), |t| t.start as usize);
    let gap = &bytes[from.min(to)..to];
    let tail = &gap[..gap.iter().position(|&b| b == b'\n').unwrap_or(gap.len())];
    (0..tail.len()).any(|at| {
        let rest = &tail[at..];
        matches!(rest[0], b'.' | b'!' | b'?')
            || SENTENCE_ENDS.iter().any(|end| rest.starts_with(end))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bytes that make up words on the fast path: ASCII letters, digits and `_`.
    const WORD_BYTE: [bool; 256] = {
        let mut t = [false; 256];
        let mut i = 0;
        while i < 256 {
            t[i] = (i as u8).is_ascii_alphanumeric() || i as u8 == b'_';
            i += 1;
        }
        t
    };

    fn words(text: &str) -> Vec<&str> {
        tokenize(text).iter().map(|t| &text[t.span()]).collect()
    }

    #[test]
    fn spans_table() {
        let cases: &[(&str, &[&str])] = &[
            ("", &[]),
            ("   \n\t", &[]),
            ("Hello, world!", &["Hello", "world"]),
            ("China's and China’s", &["China", "s", "and", "China", "s"]),
            (
                "190,000 dollars in 2022.",
                &["190", "000", "dollars", "in", "2022"],
            ),
            ("3.14 e.g. U.S.", &["3", "14", "e", "g", "U", "S"]),
            ("Russia-China relations", &["Russia", "China", "relations"]),
            ("a 40% rise", &["a", "40", "rise"]),
            ("d eals", &["d", "eals"]),
            ("“Today,” he said — (…) ok", &["Today", "he", "said", "ok"]),
            ("snake_case __ x_1", &["snake_case", "__", "x_1"]),
            ("cafe\u{301} naïve", &["cafe\u{301}", "naïve"]),
            ("l’été d’Orsay", &["l", "été", "d", "Orsay"]),
            ("naïve café Zürich", &["naïve", "café", "Zürich"]),
            ("Москва и Пекин", &["Москва", "и", "Пекин"]),
            ("emoji 👍🏽 here", &["emoji", "here"]),
            ("北京 中国", &["北", "京", "中", "国"]),
        ];
        for (text, want) in cases {
            assert_eq!(&words(text), want, "text {text:?}");
        }
    }

    #[test]
    fn normalization_folds_case_and_quotes() {
        let hashes = |t: &str| tokenize(t).iter().map(|t| t.hash).collect::<Vec<_>>();
        let same: &[(&str, &str)] = &[
            ("China's", "CHINA’S"),
            ("Moscow’s", "moscow‘s"),
            ("“new level”", "\"NEW   level\""),
            ("Russia—China", "russia - china"),
            ("ﬁnal", "final"),
            ("Ｆｕｌｌ", "full"),
            ("ÉCOLE", "école"),
            ("cafe\u{301}", "café"),
        ];
        for (a, b) in same {
            assert!(!hashes(a).is_empty(), "{a:?}");
            assert_eq!(hashes(a), hashes(b), "{a:?} vs {b:?}");
        }
        let differ: &[(&str, &str)] = &[("its", "it's"), ("deals", "d eals"), ("us", "U.S")];
        for (a, b) in differ {
            assert_ne!(hashes(a), hashes(b), "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn hashes_are_stable() {
        // Persisted signatures depend on these values: a change here needs a TOKENIZER_VERSION bump.
        let t = tokenize("Moscow and Beijing");
        let got: Vec<u64> = t.iter().map(|t| t.hash).collect();
        let want: Vec<u64> = ["moscow", "and", "beijing"]
            .iter()
            .map(|w| hash_normalized(w.as_bytes()))
            .collect();
        assert_eq!(got, want);
        assert_eq!(
            hash_normalized(b"moscow"),
            10_716_607_654_986_911_207,
            "word hash golden value"
        );
        assert_eq!(
            hash_normalized(b"internationally"),
            8_435_821_332_887_235_959,
            "golden value of a word longer than 8 bytes"
        );
        assert_eq!(
            hash_normalized(b"snake_case_2024"),
            5_896_478_627_534_932_290,
            "golden value of a word with `_` and digits"
        );
    }

    /// `count` strings of up to `max_len` characters drawn from `alphabet`, from a splitmix64
    /// sequence started at `seed`.
    fn random_strings(alphabet: &str, count: usize, max_len: u64, seed: u64) -> Vec<String> {
        let chars: Vec<char> = alphabet.chars().collect();
        let mut rng = crate::hash::SplitMix64::new(seed);
        let mut next = || rng.next_u64();
        (0..count)
            .map(|_| {
                let len = next() % max_len;
                (0..len)
                    .map(|_| chars[(next() % chars.len() as u64) as usize])
                    .collect()
            })
            .collect()
    }

    /// The ASCII fast path must give exactly the tokens the generic UAX #29 path gives.
    #[test]
    fn ascii_fast_path_matches_unicode_path() {
        let short = random_strings("aZ09_.,;:' \n-\"!(x", 5000, 24, 1);
        // Long enough to cross blocks, with long words and long gaps.
        let long = random_strings("aaaaZ09_ . -", 2000, 300, 2);
        for s in short.into_iter().chain(long) {
            let mut fast = Vec::new();
            assert_eq!(fast_tokens(s.as_bytes(), 0, &mut fast), None);
            let mut slow = Vec::new();
            unicode_tokens(&s, 0, &mut slow);
            assert_eq!(fast, slow, "text {s:?}");
        }
    }

    /// Cutting mixed text at ASCII whitespace gives the tokens of the generic path on the whole.
    #[test]
    fn chunked_mixed_text_matches_unicode_path() {
        let alphabet =
            "aZ09_.,;:' \n\t-\"’‘“”–—…é\u{301}\u{200d}👍北ﬁΣ\u{a0}\u{2003}\u{2024}\u{ff07}";
        let short = random_strings(alphabet, 20000, 40, 7);
        // Blocks of ASCII words with other characters, including the three-byte quotes, across
        // block boundaries.
        let long = random_strings("aaaaaaaZ0 .’—é", 3000, 400, 8);
        for s in short.into_iter().chain(long) {
            let mut whole = Vec::new();
            unicode_tokens(&s, 0, &mut whole);
            assert_eq!(tokenize(&s), whole, "text {s:?}");
        }
    }

    #[test]
    fn is_word_byte_matches_the_table() {
        for b in 0u8..=255 {
            assert_eq!(is_word_byte(b), WORD_BYTE[b as usize], "byte {b}");
        }
    }

    #[test]
    fn pack8_gathers_the_high_bits() {
        for m in 0u64..256 {
            let v = (0..8).fold(0u64, |v, k| v | ((m >> k) & 1) << (8 * k + 7));
            assert_eq!(pack8(v), m, "mask {m:#x}");
        }
    }

    /// Words that end exactly at, cross, or fill block boundaries; text that ends in a word at a
    /// block boundary; a quote split across two blocks.
    #[test]
    fn block_boundaries() {
        for pad in 0..=BLOCK + 2 {
            for word in ["x", "word", "a_rather_long_word_of_many_bytes"] {
                for tail in ["", " end", "’s end", "é end", "\u{201c}q"] {
                    let text = format!("{}{word}{tail}", " ".repeat(pad));
                    let mut whole = Vec::new();
                    unicode_tokens(&text, 0, &mut whole);
                    assert_eq!(tokenize(&text), whole, "text {text:?}");
                }
            }
        }
        let long = "w".repeat(3 * BLOCK);
        assert_eq!(words(&long), [long.as_str()]);
    }

    /// Words of every length, in place and copied, at the end of the text and before more text.
    #[test]
    fn in_place_hash_matches_copied_hash() {
        for len in 1..=40 {
            let word: String = (0..len)
                .map(|i| (b'A' + (i * 7 % 26) as u8) as char)
                .collect();
            let want = hash_normalized(word.to_ascii_lowercase().as_bytes());
            for text in [word.clone(), format!("{word} and some more text after it")] {
                let t = tokenize(&text);
                assert_eq!(t[0].hash, want, "len {len} in {text:?}");
            }
        }
    }

    #[test]
    fn long_ascii_word_hashes_like_short_path() {
        let long = "A".repeat(100);
        let t = tokenize(&long);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].hash, hash_normalized("a".repeat(100).as_bytes()));
    }
}
