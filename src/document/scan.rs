//! The fast path of record parsing: a JSON Lines record (a UTF-8 line) in, its id and text fields
//! (and its date, when a date field is named) out, read in one pass with nothing else built.
//!
//! It accepts only the JSON it is sure of, and gives `None` for anything else: an escaped key, a
//! number id other than an integer of up to 19 digits (the full parser gives every number id
//! as written too, but those are rare), a `\u` surrogate out of its pair, a date string with an
//! escape or a date value that does not read as a [`Date`], a wanted field met twice, nesting
//! deeper than [`MAX_DEPTH`], a missing or non-string text, and every error. The caller's full
//! parser (serde_json) then decides, and names the error. So on every record this
//! path accepts, the full parser accepts it too and finds the same fields (a property test below
//! checks it on generated records); what it buys is speed on the records that make up a corpus: a
//! string is checked and decoded in one pass over blocks of bytes, borrowed when it holds no
//! escape and otherwise copied once into a buffer of its raw length, where serde_json grows a
//! scratch buffer and copies it again.

use std::borrow::Cow;

use super::{CorpusSpec, Date};

/// The names of the fields wanted from a record: the id and the text, and the date when asked for.
#[derive(Clone, Copy)]
pub(super) struct Fields<'f> {
    pub(super) id: &'f str,
    pub(super) text: &'f str,
    pub(super) date: Option<&'f str>,
}

impl<'f> Fields<'f> {
    /// The fields `spec` names.
    pub(super) fn of(spec: &'f CorpusSpec) -> Self {
        Fields {
            id: &spec.id_field,
            text: &spec.text_field,
            date: spec.date_field.as_deref(),
        }
    }
}

/// A record's id (`None`: missing or null) and text, or `None` when it was not wanted.
pub(super) type Parsed = Option<(Option<String>, String)>;

/// Arrays and objects nested deeper than this (inside skipped fields) are left to the full parser.
const MAX_DEPTH: usize = 64;

/// A record's id, as found.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Id<'a> {
    /// No id field.
    Missing,
    /// `null`.
    Null,
    /// A string.
    Str(Cow<'a, str>),
    /// An integer that fits 64 bits, as written (as the full parser gives every number id).
    Number(&'a str),
}

/// A record's wanted fields.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Record<'a> {
    pub id: Id<'a>,
    /// The text, decoded; empty when it was not wanted.
    pub text: Cow<'a, str>,
    /// The date, when a date field is named and the record has one that is not `null`.
    pub date: Option<Date>,
}

impl Record<'_> {
    /// The fields as [`parse_record`](super::record::parse_record) gives them: the id (`None` when missing or null)
    /// and the text, owned, or `None` when they were not wanted.
    pub fn parsed(self, keep: bool) -> Parsed {
        let id = match self.id {
            Id::Missing | Id::Null => None,
            Id::Str(id) => Some(id.into_owned()),
            Id::Number(id) => Some(id.to_owned()),
        };
        keep.then(|| (id, self.text.into_owned()))
    }
}

/// The id and text of the record `json`, or `None` when the full parser must decide. The text is
/// decoded only if `keep`; otherwise it is checked and left empty. A text with escapes is decoded
/// into `spare`'s buffer, taken.
pub(super) fn record<'a>(
    json: &'a str,
    fields: Fields<'_>,
    keep: bool,
    spare: &mut String,
) -> Option<Record<'a>> {
    let mut s = Scanner {
        json,
        bytes: json.as_bytes(),
        at: 0,
        spare,
    };
    s.space();
    s.eat(b'{')?;
    let (mut id, mut text, mut date) = (None, None, None);
    s.items(b'}', |s| {
        let key = s.key()?;
        if key.escaped {
            return None;
        }
        let name = &json[key.start..key.end];
        if name == fields.text {
            let value = if keep {
                s.decoded()?
            } else {
                s.string()?;
                Cow::Borrowed("")
            };
            if text.is_some() {
                return None;
            }
            text = Some(value);
        } else if name == fields.id {
            let value = s.id()?;
            if id.is_some() {
                return None;
            }
            id = Some(value);
        } else if Some(name) == fields.date {
            let value = s.date()?;
            if date.is_some() {
                return None;
            }
            date = Some(value);
        } else {
            s.skip_value(0)?;
        }
        Some(())
    })?;
    s.space();
    if s.at != s.bytes.len() {
        return None;
    }
    Some(Record {
        id: id.unwrap_or(Id::Missing),
        text: text?,
        date: date.flatten(),
    })
}

/// A string's raw contents, between its quotes.
struct Raw {
    start: usize,
    end: usize,
    /// Whether it holds a backslash escape.
    escaped: bool,
}

/// A position in a record being read; every method returns `None` on what it does not accept.
struct Scanner<'a, 's> {
    json: &'a str,
    bytes: &'a [u8],
    at: usize,
    /// A buffer to decode a string with escapes into.
    spare: &'s mut String,
}

impl<'a> Scanner<'a, '_> {
    /// Skips JSON whitespace.
    fn space(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    /// The next byte, consumed.
    fn next(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    /// Consumes `b` if it comes next.
    fn eat(&mut self, b: u8) -> Option<()> {
        (self.bytes.get(self.at) == Some(&b)).then(|| self.at += 1)
    }

    /// Consumes `word` if it comes next.
    fn word(&mut self, word: &[u8]) -> Option<()> {
        self.bytes[self.at..]
            .starts_with(word)
            .then(|| self.at += word.len())
    }

    /// A string starting here, checked: no control character, every escape valid (a `\u`
    /// surrogate only in a high-low pair).
    fn string(&mut self) -> Option<Raw> {
        self.scan_string(false).map(|(raw, _)| raw)
    }

    /// A string starting here, checked as [`Scanner::string`] does and decoded in the same pass:
    /// borrowed when it holds no escape, else copied run by run into the spare buffer.
    fn decoded(&mut self) -> Option<Cow<'a, str>> {
        let (raw, out) = self.scan_string(true)?;
        Some(match out {
            None => Cow::Borrowed(&self.json[raw.start..raw.end]),
            Some(out) => Cow::Owned(out),
        })
    }

    /// The one pass of [`Scanner::string`] and [`Scanner::decoded`]: the string's raw span and,
    /// if `decode` and it holds an escape, its decoded text.
    fn scan_string(&mut self, decode: bool) -> Option<(Raw, Option<String>)> {
        self.eat(b'"')?;
        let start = self.at;
        let (mut escaped, mut out) = (false, None::<String>);
        loop {
            let stop = self.at + special(&self.bytes[self.at..])?;
            let run = &self.json[self.at..stop];
            match self.bytes[stop] {
                b'"' => {
                    self.at = stop + 1;
                    if let Some(out) = &mut out {
                        out.push_str(run);
                    }
                    let raw = Raw {
                        start,
                        end: stop,
                        escaped,
                    };
                    return Some((raw, out));
                }
                b'\\' => {
                    escaped = true;
                    let (c, len) = escape(&self.bytes[stop + 1..])?;
                    if decode {
                        let out = out.get_or_insert_with(|| {
                            let mut out = std::mem::take(self.spare);
                            out.clear();
                            // The rest of the record bounds the decoded string.
                            out.reserve(self.bytes.len() - start);
                            out
                        });
                        out.push_str(run);
                        out.push(c);
                    }
                    self.at = stop + 1 + len;
                }
                _ => return None,
            }
        }
    }

    /// An id value: a string, `null`, or an integer the full parser renders as written.
    fn id(&mut self) -> Option<Id<'a>> {
        match *self.bytes.get(self.at)? {
            b'"' => Some(Id::Str(self.decoded()?)),
            b'n' => self.word(b"null").map(|()| Id::Null),
            _ => {
                let start = self.at;
                let integer = self.number()?;
                let written = &self.json[start..self.at];
                let digits = written.strip_prefix('-').unwrap_or(written);
                // Up to 19 digits fit a u64 (18 an i64 when negative); `-0` becomes a float.
                let fits = if written.starts_with('-') {
                    digits.len() <= 18 && digits != "0"
                } else {
                    digits.len() <= 19
                };
                (integer && fits).then_some(Id::Number(written))
            }
        }
    }

    /// A date value: `null`, a string without escapes that reads as an ISO 8601 date, or a
    /// number that reads as epoch seconds ([`Date`]); anything else, a value that does not read
    /// as a date included, is left to the full parser, which names it.
    fn date(&mut self) -> Option<Option<Date>> {
        match *self.bytes.get(self.at)? {
            b'"' => {
                let raw = self.string()?;
                if raw.escaped {
                    return None;
                }
                Date::parse_iso(&self.json[raw.start..raw.end]).map(Some)
            }
            b'n' => self.word(b"null").map(|()| None),
            _ => {
                let start = self.at;
                self.number()?;
                Date::parse_epoch(&self.json[start..self.at]).map(Some)
            }
        }
    }

    /// A number, checked against JSON's grammar; `true` when it is an integer (no fraction, no
    /// exponent).
    fn number(&mut self) -> Option<bool> {
        let _ = self.eat(b'-');
        match self.next()? {
            b'0' => {}
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        let mut integer = true;
        if self.eat(b'.').is_some() {
            integer = false;
            self.digit()?;
            self.digits();
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.at) {
            self.at += 1;
            integer = false;
            if let Some(b'+' | b'-') = self.bytes.get(self.at) {
                self.at += 1;
            }
            self.digit()?;
            self.digits();
        }
        Some(integer)
    }

    /// One digit.
    fn digit(&mut self) -> Option<()> {
        self.next().filter(u8::is_ascii_digit).map(|_| ())
    }

    /// Any number of digits.
    fn digits(&mut self) {
        while self.bytes.get(self.at).is_some_and(u8::is_ascii_digit) {
            self.at += 1;
        }
    }

    /// The items of an array or object whose opening bracket was just read, each read by `item`
    /// (which starts at the item), separated by commas, up to the closing `close`.
    fn items(&mut self, close: u8, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.space();
        if self.eat(close).is_some() {
            return Some(());
        }
        loop {
            item(self)?;
            self.space();
            match self.next()? {
                b',' => self.space(),
                c if c == close => return Some(()),
                _ => return None,
            }
        }
    }

    /// An object member's key and the colon after it, up to the value.
    fn key(&mut self) -> Option<Raw> {
        let key = self.string()?;
        self.space();
        self.eat(b':')?;
        self.space();
        Some(key)
    }

    /// Any value, checked and skipped; `depth` counts the arrays and objects around it.
    fn skip_value(&mut self, depth: usize) -> Option<()> {
        match *self.bytes.get(self.at)? {
            b'"' => self.string().map(|_| ()),
            b't' => self.word(b"true"),
            b'f' => self.word(b"false"),
            b'n' => self.word(b"null"),
            b'[' | b'{' if depth >= MAX_DEPTH => None,
            b'[' => {
                self.at += 1;
                self.items(b']', |s| s.skip_value(depth + 1))
            }
            b'{' => {
                self.at += 1;
                self.items(b'}', |s| {
                    s.key()?;
                    s.skip_value(depth + 1)
                })
            }
            _ => self.number().map(|_| ()),
        }
    }
}

/// The offset of the first byte of `bytes` that ends a run of a JSON string's plain contents: a
/// quote, a backslash, or a control character (below U+0020, which a string may not hold
/// unescaped). Whole blocks are tested without a branch per byte, so that the test vectorizes;
/// only the block holding the byte is searched byte by byte.
fn special(bytes: &[u8]) -> Option<usize> {
    const BLOCK: usize = 32;
    let is_special = |b: u8| (b == b'"') | (b == b'\\') | (b < 0x20);
    let mut at = 0;
    for block in bytes.chunks_exact(BLOCK) {
        if block.iter().fold(false, |any, &b| any | is_special(b)) {
            break;
        }
        at += BLOCK;
    }
    bytes[at..]
        .iter()
        .position(|&b| is_special(b))
        .map(|p| at + p)
}

/// The escape after a backslash (`after` starts past it): the character it stands for and the
/// bytes it takes after the backslash. A `\u` surrogate is accepted only as a high-low pair.
fn escape(after: &[u8]) -> Option<(char, usize)> {
    let c = match *after.first()? {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => {
            let high = hex4(after.get(1..5)?)?;
            return match high {
                0xD800..=0xDBFF => {
                    if after.get(5..7)? != b"\\u" {
                        return None;
                    }
                    let low = hex4(after.get(7..11)?)?;
                    if !(0xDC00..=0xDFFF).contains(&low) {
                        return None;
                    }
                    let c = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                    Some((char::from_u32(c)?, 11))
                }
                _ => Some((char::from_u32(high)?, 5)),
            };
        }
        _ => return None,
    };
    Some((c, 1))
}

/// Four hex digits.
fn hex4(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0, |v, &d| {
        let d = char::from(d).to_digit(16)?;
        Some(v << 4 | d)
    })
}

#[cfg(test)]
mod tests {
    use super::super::record::{full_record, full_record_dated, parse_record, record_text};
    use super::*;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngSeed};

    const FIELDS: Fields<'static> = Fields {
        id: "id",
        text: "text",
        date: None,
    };

    /// What the fast path makes of `json`, as `parse_record` would return it.
    fn fast(json: &str, keep: bool) -> Option<Parsed> {
        record(json, FIELDS, keep, &mut String::from("stale")).map(|r| r.parsed(keep))
    }

    #[test]
    fn accepts_the_records_a_corpus_is_made_of() {
        // (record, id, text)
        let cases: &[(&str, Option<&str>, &str)] = &[
            (r#"{"id":"a","text":"plain"}"#, Some("a"), "plain"),
            (
                " {\t\"text\" : \"l1\\nl2 \\\"q\\\" \\u00e9\\ud83d\\ude00\\/\" ,\"id\":null}\r",
                None,
                "l1\nl2 \"q\" é😀/",
            ),
            (r#"{"id":12,"text":""}"#, Some("12"), ""),
            (r#"{"id":-7,"text":"x"}"#, Some("-7"), "x"),
            (
                r#"{"url":"u","meta":{"a":[1,-2.5e+3,true,false,null,{}],"b":[]},"text":"t"}"#,
                None,
                "t",
            ),
            (
                r#"{"text":"café “q”","id":"\u0041"}"#,
                Some("A"),
                "café “q”",
            ),
        ];
        for &(json, id, text) in cases {
            let want = Some((id.map(str::to_owned), text.to_owned()));
            assert_eq!(fast(json, true), Some(want.clone()), "{json}");
            assert_eq!(full_record(json, FIELDS, true).ok(), Some(want), "{json}");
            assert_eq!(fast(json, false), Some(None), "{json}");
        }
    }

    #[test]
    fn leaves_what_it_is_unsure_of_to_the_full_parser() {
        let cases = [
            // Errors, each named by the full parser.
            r#"{"text":"a"} x"#,
            r#"{"text":"a",}"#,
            r#"{"text":"a" "id":"b"}"#,
            "{\"text\":\"tab\there\"}",
            r#"{"text":"\x"}"#,
            r#"{"text":"\ud800"}"#,
            r#"{"text":"\udc00\ud800"}"#,
            r#"{"text":"a","n":01}"#,
            r#"{"text":"a","n":1.}"#,
            r#"{"text":"a","n":-}"#,
            r#"{"text":"a","b":tru}"#,
            r#"{"text":"a","b":[1,]}"#,
            r#"{"text":"a"#,
            r#"{"id":"x"}"#,
            r#"{"text":5}"#,
            r#"{"text":"a","text":"b"}"#,
            r#"{"id":1,"id":2,"text":"b"}"#,
            // Fine, but rendered or matched in ways the full parser knows best.
            r#"{"id":1.5,"text":"a"}"#,
            r#"{"id":-0,"text":"a"}"#,
            r#"{"id":12345678901234567890,"text":"a"}"#,
            r#"{"id":true,"text":"a"}"#,
            r#"{"te\u0078t":"a"}"#,
        ];
        for json in cases {
            assert_eq!(fast(json, true), None, "{json}");
            assert_eq!(fast(json, false), None, "{json}");
        }
        let deep = format!(r#"{{"text":"a","n":{}{}}}"#, "[".repeat(70), "]".repeat(70));
        assert_eq!(fast(&deep, true), None);
        assert!(full_record(&deep, FIELDS, true).is_ok());
    }

    /// A small generator of JSON-like records: valid ones built from parts, then some of them
    /// broken by a few random edits.
    struct Gen(crate::hash::SplitMix64);

    impl Gen {
        fn below(&mut self, n: usize) -> usize {
            (self.0.next_u64() % n as u64) as usize
        }

        fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
            from[self.below(from.len())]
        }

        /// One of `good`, or one in twenty times one of `bad`.
        fn mostly<'a>(&mut self, good: &[&'a str], bad: &[&'a str]) -> &'a str {
            if self.below(20) == 0 {
                self.pick(bad)
            } else {
                self.pick(good)
            }
        }

        fn space(&mut self, out: &mut String) {
            if self.below(3) == 0 {
                out.push_str(self.pick(&[" ", "\t", "\r", "\n", "  "]));
            }
        }

        fn string(&mut self, out: &mut String) {
            out.push('"');
            for _ in 0..self.below(6) {
                let part = self.mostly(
                    &[
                        "a",
                        "Zé",
                        "😀",
                        "“",
                        " ",
                        "\\n",
                        "\\\"",
                        "\\\\",
                        "\\/",
                        "\\t",
                        "\\b",
                        "\\f",
                        "\\r",
                        "\\u00e9",
                        "\\u0000",
                        "\\ud83d\\ude00",
                        "\\uD83D\\uDE00",
                    ],
                    &["\\ud800", "\\udc00", "\\u12", "\\x", "\u{1}", "\t"],
                );
                out.push_str(part);
            }
            out.push('"');
        }

        fn number(&mut self, out: &mut String) {
            let number = self.mostly(
                &[
                    "0",
                    "-0",
                    "7",
                    "-12",
                    "1.5",
                    "-2.5e+3",
                    "1E9",
                    "3e-2",
                    "2.0",
                    "12345678901234567890",
                    "1234567890123456789",
                    "-123456789012345678",
                    "-1234567890123456789",
                ],
                &["01", "1.", ".5", "-", "1e"],
            );
            out.push_str(number);
        }

        fn value(&mut self, out: &mut String, depth: usize) {
            match self.below(if depth > 3 { 5 } else { 7 }) {
                0 | 1 => self.string(out),
                2 => self.number(out),
                3 => {
                    let word = self.mostly(&["true", "false", "null"], &["nul", "True"]);
                    out.push_str(word);
                }
                4 => self.string(out),
                5 => {
                    out.push('[');
                    for i in 0..self.below(4) {
                        if i > 0 {
                            out.push(',');
                        }
                        self.space(out);
                        self.value(out, depth + 1);
                        self.space(out);
                    }
                    out.push(']');
                }
                _ => self.object(out, depth),
            }
        }

        fn object(&mut self, out: &mut String, depth: usize) {
            out.push('{');
            self.space(out);
            // At the top, a text field (a string, mostly) among the other members.
            let members = self.below(5);
            let text_at = (depth == 0).then(|| self.below(members + 1));
            for i in 0..members + usize::from(text_at.is_some()) {
                if i > 0 {
                    out.push(',');
                    self.space(out);
                }
                if Some(i) == text_at {
                    out.push_str("\"text\"");
                } else {
                    match self.below(4) {
                        0 => out.push_str("\"id\""),
                        _ => {
                            let key = self.mostly(
                                &["\"url\"", "\"\"", "\"Text\"", "\"meta\""],
                                &["\"te\\u0078t\"", "\"text\""],
                            );
                            out.push_str(key);
                        }
                    }
                }
                self.space(out);
                out.push(':');
                self.space(out);
                if Some(i) == text_at && self.below(20) != 0 {
                    self.string(out);
                } else {
                    self.value(out, depth + 1);
                }
                self.space(out);
            }
            out.push('}');
        }

        fn record(&mut self) -> String {
            let mut out = String::new();
            self.space(&mut out);
            self.object(&mut out, 0);
            self.space(&mut out);
            let edits = [0, 0, 0, 1, 2][self.below(5)];
            for _ in 0..edits {
                let mut chars: Vec<char> = out.chars().collect();
                let at = self.below(chars.len() + 1);
                let c = self.pick(&["{", "}", "[", "]", "\"", ",", ":", "\\", "u", "0", "e", " "]);
                match self.below(3) {
                    0 if at < chars.len() => {
                        chars.remove(at);
                    }
                    1 if at < chars.len() => chars[at] = c.chars().next().unwrap(),
                    _ => chars.insert(at, c.chars().next().unwrap()),
                }
                out = chars.into_iter().collect();
            }
            out
        }
    }

    proptest! {
        #![proptest_config(Config {
            cases: 20_000,
            rng_seed: RngSeed::Fixed(0x7363_616e),
            failure_persistence: None,
            ..Config::default()
        })]

        /// Whatever the fast path accepts, the full parser accepts with the same fields.
        #[test]
        fn agrees_with_the_full_parser(seed in any::<u64>(), keep in any::<bool>()) {
            let json = Gen(crate::hash::SplitMix64::new(seed)).record();
            if let Some(parsed) = fast(&json, keep) {
                prop_assert_eq!(full_record(&json, FIELDS, keep).ok(), Some(parsed), "{}", json);
            }
        }

        /// With a date field (here `url`, which the generated records hold as strings, numbers
        /// and other values), the two parsers agree on the date too.
        #[test]
        fn agrees_with_the_full_parser_on_dates(seed in any::<u64>(), keep in any::<bool>()) {
            let fields = Fields { date: Some("url"), ..FIELDS };
            let json = Gen(crate::hash::SplitMix64::new(seed)).record();
            let fast = record(&json, fields, keep, &mut String::new());
            if let Some(found) = fast {
                let date = found.date;
                let want = Some((found.parsed(keep), date));
                prop_assert_eq!(full_record_dated(&json, fields, keep).ok(), want, "{}", json);
            }
        }

        /// A record read again ([`record_text`]) gives the text its first reading
        /// ([`parse_record`]) gave, and is refused when that reading refused it.
        #[test]
        fn reading_again_gives_what_the_first_reading_gave(seed in any::<u64>()) {
            let json = Gen(crate::hash::SplitMix64::new(seed)).record();
            let spec = CorpusSpec::default();
            let first = parse_record(json.as_bytes(), &spec, true, (1, 0), &mut String::new());
            let again = record_text(json.as_bytes(), &spec).ok();
            let want = match first {
                Ok(Some((Some((_, text)), _))) => Some(text),
                _ => None,
            };
            prop_assert_eq!(again.map(Cow::into_owned), want, "{}", json);
        }
    }

    #[test]
    fn the_generated_records_are_often_accepted() {
        // The property above is only as good as the share of records it compares.
        let accepted = (0..10_000u64)
            .filter(|&seed| fast(&Gen(crate::hash::SplitMix64::new(seed)).record(), true).is_some())
            .count();
        assert!(accepted > 1_500, "{accepted} of 10000 accepted");
    }
}
