//! Tokenizer: text in, word tokens out, each with its byte span in the original text and a stable
//! hash of its normalized form.
//!
//! Words are found by Unicode word segmentation (UAX #29, via `unicode-segmentation`); a segment is a
//! token when it holds at least one letter or digit, so punctuation and whitespace never make tokens.
//! No UAX #29 rule joins a word across ASCII whitespace, so the text is cut there: stretches of pure
//! ASCII take a byte-level fast path that implements the same rules for the ASCII range (letters and
//! digits joined by `_`, and by one `.`/`'`/`:` between letters or one `.`/`'`/`,`/`;` between
//! digits), and only the whitespace-delimited chunks that hold a non-ASCII character (a curly quote,
//! an accented word) go through the generic segmenter. Tests check that both paths, and the cut,
//! give exactly the tokens of the generic segmenter run on the whole text.
//!
//! Normalization makes case, quote style, dashes and whitespace irrelevant: a token's hash is the
//! stable 64-bit XXH3 of its normalized form, which is NFKC, lower-cased, with every apostrophe
//! look-alike (`’ ‘ ʼ ′ ＇`) folded to `'`. Dashes and quotation marks are not word characters, so
//! they never reach a token. `TOKENIZER_VERSION` changes whenever any of this changes, because
//! hashes derived from tokens are persisted.

use std::ops::Range;

use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

/// Version of the tokenization and normalization rules; persisted with every signature.
pub const TOKENIZER_VERSION: u32 = 1;

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
    let mut ascii_from = 0;
    while let Some(p) = bytes[ascii_from..].iter().position(|&b| b >= 0x80) {
        let p = ascii_from + p;
        let chunk_start = bytes[ascii_from..p]
            .iter()
            .rposition(u8::is_ascii_whitespace)
            .map_or(ascii_from, |w| ascii_from + w + 1);
        let chunk_end = bytes[p..]
            .iter()
            .position(u8::is_ascii_whitespace)
            .map_or(bytes.len(), |w| p + w);
        ascii_tokens(&bytes[ascii_from..chunk_start], ascii_from, out);
        unicode_tokens(&text[chunk_start..chunk_end], chunk_start, out);
        ascii_from = chunk_end;
    }
    ascii_tokens(&bytes[ascii_from..], ascii_from, out);
}

/// Splits `text` into tokens.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(text.len() / 6 + 1);
    tokenize_into(text, &mut out);
    out
}

/// Writes the normalized form of one word into `out` (cleared first): NFKC, lower case, apostrophe
/// look-alikes folded to `'`. This is what [`Token::hash`] hashes.
pub fn normalize_word(word: &str, out: &mut String) {
    out.clear();
    if word.is_ascii() {
        out.extend(word.bytes().map(|b| b.to_ascii_lowercase() as char));
        return;
    }
    for c in word.nfkc() {
        if is_apostrophe(c) {
            out.push('\'');
        } else {
            out.extend(c.to_lowercase());
        }
    }
}

/// The stable hash of a normalized word.
#[inline]
pub fn hash_normalized(normalized: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(normalized)
}

fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{2032}' | '\u{FF07}'
    )
}

/// The generic path: UAX #29 words of `text`, which starts at byte `base` of the document.
fn unicode_tokens(text: &str, base: usize, out: &mut Vec<Token>) {
    let mut buf = String::new();
    for (start, word) in text.split_word_bound_indices() {
        let start = base + start;
        if !word.chars().any(char::is_alphanumeric) {
            continue;
        }
        normalize_word(word, &mut buf);
        out.push(Token {
            start: start as u32,
            end: (start + word.len()) as u32,
            hash: hash_normalized(buf.as_bytes()),
        });
    }
}

/// Character classes of the ASCII range under UAX #29 word-break rules.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Letter,
    Digit,
    /// `_` (ExtendNumLet): joins to letters and digits on both sides.
    Underscore,
    /// `:` (MidLetter): joins letter to letter.
    MidLetter,
    /// `,` `;` (MidNum): joins digit to digit.
    MidNum,
    /// `.` `'` (MidNumLet, Single_Quote): joins letter to letter and digit to digit.
    MidBoth,
    Other,
}

const fn class_of(b: u8) -> Class {
    match b {
        b'a'..=b'z' | b'A'..=b'Z' => Class::Letter,
        b'0'..=b'9' => Class::Digit,
        b'_' => Class::Underscore,
        b':' => Class::MidLetter,
        b',' | b';' => Class::MidNum,
        b'.' | b'\'' => Class::MidBoth,
        _ => Class::Other,
    }
}

const CLASSES: [Class; 128] = {
    let mut t = [Class::Other; 128];
    let mut i = 0;
    while i < 128 {
        t[i] = class_of(i as u8);
        i += 1;
    }
    t
};

#[inline]
fn class(bytes: &[u8], i: usize) -> Class {
    match bytes.get(i) {
        Some(&b) => CLASSES[(b & 0x7f) as usize],
        None => Class::Other,
    }
}

/// ASCII fast path: the UAX #29 word rules restricted to ASCII, one pass over the bytes, hashing
/// each word's lower-cased bytes from a small stack buffer.
fn ascii_tokens(bytes: &[u8], base: usize, out: &mut Vec<Token>) {
    let mut i = 0;
    let n = bytes.len();
    let mut lower = [0u8; 64];
    while i < n {
        let c = class(bytes, i);
        if !matches!(c, Class::Letter | Class::Digit | Class::Underscore) {
            i += 1;
            continue;
        }
        let start = i;
        let mut has_alnum = c != Class::Underscore;
        let mut prev = c;
        i += 1;
        while i < n {
            let c = class(bytes, i);
            match c {
                Class::Letter | Class::Digit | Class::Underscore => {
                    has_alnum |= c != Class::Underscore;
                    prev = c;
                    i += 1;
                }
                Class::MidLetter | Class::MidNum | Class::MidBoth => {
                    let next = class(bytes, i + 1);
                    let joins = match (prev, next) {
                        (Class::Letter, Class::Letter) => c != Class::MidNum,
                        (Class::Digit, Class::Digit) => c != Class::MidLetter,
                        _ => false,
                    };
                    if !joins {
                        break;
                    }
                    prev = next;
                    i += 2;
                }
                Class::Other => break,
            }
        }
        if !has_alnum {
            continue;
        }
        let word = &bytes[start..i];
        let hash = if word.len() <= lower.len() {
            let buf = &mut lower[..word.len()];
            for (d, s) in buf.iter_mut().zip(word) {
                *d = s.to_ascii_lowercase();
            }
            hash_normalized(buf)
        } else {
            hash_normalized(&word.to_ascii_lowercase())
        };
        out.push(Token {
            start: (base + start) as u32,
            end: (base + i) as u32,
            hash,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        tokenize(text).iter().map(|t| &text[t.span()]).collect()
    }

    #[test]
    fn spans_table() {
        let cases: &[(&str, &[&str])] = &[
            ("", &[]),
            ("   \n\t", &[]),
            ("Hello, world!", &["Hello", "world"]),
            ("China's and China’s", &["China's", "and", "China’s"]),
            (
                "190,000 dollars in 2022.",
                &["190,000", "dollars", "in", "2022"],
            ),
            ("3.14 e.g. U.S.", &["3.14", "e.g", "U.S"]),
            ("Russia-China relations", &["Russia", "China", "relations"]),
            ("a 40% rise", &["a", "40", "rise"]),
            ("d eals", &["d", "eals"]),
            ("“Today,” he said — (…) ok", &["Today", "he", "said", "ok"]),
            ("snake_case __ x_1", &["snake_case", "x_1"]),
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
        let same: &[(&str, &str)] = &[
            ("China's", "CHINA’S"),
            ("Moscow’s", "moscow's"),
            ("ﬁnal", "final"),
            ("Ｆｕｌｌ", "full"),
            ("ÉCOLE", "école"),
        ];
        for (a, b) in same {
            let (ta, tb) = (tokenize(a), tokenize(b));
            assert_eq!(ta.len(), 1, "{a:?}");
            assert_eq!(ta[0].hash, tb[0].hash, "{a:?} vs {b:?}");
        }
        let differ: &[(&str, &str)] = &[("its", "it's"), ("deals", "eals"), ("us", "U.S")];
        for (a, b) in differ {
            assert_ne!(tokenize(a)[0].hash, tokenize(b)[0].hash, "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn hashes_are_stable() {
        // Persisted signatures depend on these values: a change here needs a TOKENIZER_VERSION bump.
        let t = tokenize("Moscow and Beijing");
        let got: Vec<u64> = t.iter().map(|t| t.hash).collect();
        let want: Vec<u64> = ["moscow", "and", "beijing"]
            .iter()
            .map(|w| xxhash_rust::xxh3::xxh3_64(w.as_bytes()))
            .collect();
        assert_eq!(got, want);
        assert_eq!(
            hash_normalized(b"moscow"),
            14_906_107_651_081_791_641,
            "XXH3 golden value"
        );
    }

    /// The ASCII fast path must give exactly the tokens the generic UAX #29 path gives.
    #[test]
    fn ascii_fast_path_matches_unicode_path() {
        let alphabet = b"aZ09_.,;:' \n-\"!(x";
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        for _ in 0..5000 {
            let len = (next() % 24) as usize;
            let s: String = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize] as char)
                .collect();
            let mut fast = Vec::new();
            ascii_tokens(s.as_bytes(), 0, &mut fast);
            let mut slow = Vec::new();
            unicode_tokens(&s, 0, &mut slow);
            assert_eq!(fast, slow, "text {s:?}");
        }
    }

    /// Cutting mixed text at ASCII whitespace gives the tokens of the generic path on the whole.
    #[test]
    fn chunked_mixed_text_matches_unicode_path() {
        let alphabet: Vec<char> = "aZ09_.,;:' \n\t-\"’“”é\u{301}\u{200d}👍北ﬁΣ\u{a0}\u{2003}"
            .chars()
            .collect();
        let mut state = 7u64;
        let mut next = || {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        for _ in 0..5000 {
            let len = (next() % 30) as usize;
            let s: String = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            let mut whole = Vec::new();
            unicode_tokens(&s, 0, &mut whole);
            assert_eq!(tokenize(&s), whole, "text {s:?}");
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
