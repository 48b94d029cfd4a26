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
//! stable 64-bit XXH3 ([`hash_normalized`]) of its normalized form, which is NFKC, lower-cased, with every apostrophe
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
    let mut buf = Vec::with_capacity(32);
    let mut from = 0;
    // The fast path stops at the first character it does not know; the whitespace-delimited chunk
    // around it goes through the generic segmenter, replacing what the fast path made of it.
    while let Some(p) = fast_tokens(bytes, from, out, &mut buf) {
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

/// The stable hash of a normalized word: XXH3-64 with the default secret and seed 0 (a published
/// specification, the same on every machine). Persisted signatures depend on it; see
/// [`TOKENIZER_VERSION`].
#[inline]
pub fn hash_normalized(normalized: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(normalized)
}

/// The hash of an ASCII word's lower case.
#[inline]
fn hash_ascii_lower(word: &[u8]) -> u64 {
    let mut lower = [0u8; 64];
    match lower.get_mut(..word.len()) {
        Some(dst) => {
            for (d, &b) in dst.iter_mut().zip(word) {
                *d = b.to_ascii_lowercase();
            }
            hash_normalized(dst)
        }
        None => hash_normalized(&word.to_ascii_lowercase()),
    }
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

/// Character classes under UAX #29 word-break rules, for ASCII and the typographic punctuation
/// of news text.
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
    /// `.` `'` `‘` `’` (MidNumLet, Single_Quote): joins letter to letter and digit to digit.
    MidBoth,
    Other,
    /// A character the fast path leaves to the generic segmenter.
    Unknown,
}

const fn class_of(b: u8) -> Class {
    match b {
        b'a'..=b'z' | b'A'..=b'Z' => Class::Letter,
        b'0'..=b'9' => Class::Digit,
        b'_' => Class::Underscore,
        b':' => Class::MidLetter,
        b',' | b';' => Class::MidNum,
        b'.' | b'\'' => Class::MidBoth,
        0x80..=0xff => Class::Unknown,
        _ => Class::Other,
    }
}

const CLASSES: [Class; 256] = {
    let mut t = [Class::Other; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = class_of(i as u8);
        i += 1;
    }
    t
};

/// The class of the character at byte `i` and its length in bytes. Besides ASCII, it knows the
/// curly quotes ‘ ’ (MidNumLet, like `'`), “ ” – — … (Other) and the no-break space (Other).
#[inline]
fn class_at(bytes: &[u8], i: usize) -> (Class, usize) {
    let Some(&b) = bytes.get(i) else {
        return (Class::Other, 1);
    };
    match CLASSES[b as usize] {
        Class::Unknown => match (b, bytes.get(i + 1), bytes.get(i + 2)) {
            (0xE2, Some(0x80), Some(0x98 | 0x99)) => (Class::MidBoth, 3),
            (0xE2, Some(0x80), Some(0x93 | 0x94 | 0x9C | 0x9D | 0xA6)) => (Class::Other, 3),
            (0xC2, Some(0xA0), _) => (Class::Other, 2),
            _ => (Class::Unknown, 0),
        },
        c => (c, 1),
    }
}

/// Bytes that make up words on the fast path: ASCII letters, digits and `_`.
const WORD_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = matches!(
            class_of(i as u8),
            Class::Letter | Class::Digit | Class::Underscore
        );
        i += 1;
    }
    t
};

/// The fast path: UAX #29 word rules over ASCII and the characters [`class_at`] knows, one pass
/// over the bytes from `from`. A word is a run of word bytes, continued across one mid character
/// that joins the kinds on both sides; its normalized form (ASCII lower case, curly apostrophes
/// as `'`) is hashed from a stack buffer. Returns the offset of the first character it does not
/// know, if any; tokens before it are in `out`.
fn fast_tokens(
    bytes: &[u8],
    from: usize,
    out: &mut Vec<Token>,
    buf: &mut Vec<u8>,
) -> Option<usize> {
    let n = bytes.len();
    let mut i = from;
    loop {
        // Between words.
        while i < n && !WORD_BYTE[bytes[i] as usize] {
            if bytes[i] < 0x80 {
                i += 1;
                continue;
            }
            match class_at(bytes, i) {
                (Class::Unknown, _) => return Some(i),
                (_, len) => i += len,
            }
        }
        if i >= n {
            return None;
        }
        // A word: runs of word bytes joined by single mid characters.
        let start = i;
        let mut curly = false;
        loop {
            while i < n && WORD_BYTE[bytes[i] as usize] {
                i += 1;
            }
            if i >= n {
                break;
            }
            let (c, len) = class_at(bytes, i);
            match c {
                Class::Unknown => return Some(i),
                Class::MidLetter | Class::MidNum | Class::MidBoth => {
                    let (next, _) = class_at(bytes, i + len);
                    if next == Class::Unknown && i + len < n {
                        return Some(i + len);
                    }
                    let joins = match (CLASSES[bytes[i - 1] as usize], next) {
                        (Class::Letter, Class::Letter) => c != Class::MidNum,
                        (Class::Digit, Class::Digit) => c != Class::MidLetter,
                        _ => false,
                    };
                    if !joins {
                        break;
                    }
                    curly |= len > 1;
                    i += len;
                }
                _ => break,
            }
        }
        let word = &bytes[start..i];
        if word[0] == b'_' && word.iter().all(|&b| b == b'_') {
            continue;
        }
        let hash = if !curly {
            hash_ascii_lower(word)
        } else {
            buf.clear();
            let mut k = 0;
            while k < word.len() {
                if word[k] >= 0x80 {
                    buf.push(b'\'');
                    k += 3;
                } else {
                    buf.push(word[k].to_ascii_lowercase());
                    k += 1;
                }
            }
            hash_normalized(buf)
        };
        out.push(Token {
            start: start as u32,
            end: i as u32,
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
            .map(|w| hash_normalized(w.as_bytes()))
            .collect();
        assert_eq!(got, want);
        assert_eq!(
            hash_normalized(b"moscow"),
            14_906_107_651_081_791_641,
            "word hash golden value"
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
            assert_eq!(
                fast_tokens(s.as_bytes(), 0, &mut fast, &mut Vec::new()),
                None
            );
            let mut slow = Vec::new();
            unicode_tokens(&s, 0, &mut slow);
            assert_eq!(fast, slow, "text {s:?}");
        }
    }

    /// Cutting mixed text at ASCII whitespace gives the tokens of the generic path on the whole.
    #[test]
    fn chunked_mixed_text_matches_unicode_path() {
        let alphabet: Vec<char> =
            "aZ09_.,;:' \n\t-\"’‘“”–—…é\u{301}\u{200d}👍北ﬁΣ\u{a0}\u{2003}\u{2024}\u{ff07}"
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
        for _ in 0..20000 {
            let len = (next() % 40) as usize;
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
