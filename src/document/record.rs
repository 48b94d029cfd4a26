//! One JSON Lines record: its bytes in, its id and text out (copied only when wanted) and its
//! date when a date field is named (always read, a [`Date`]), or what is wrong with it, named. The one door into JSON Lines records for the whole crate:
//! [`parse_record`] for a first reading, [`record_text`] for a record read again from its place.
//!
//! Two parsers behind the door, tried in order. The fast scanner ([`super::scan`]) reads the two
//! wanted fields in one pass and builds nothing else; it accepts only what it is sure of and
//! declines the rest. Then serde_json decides, through a visitor that knows the two field names,
//! so that keys are compared in place, the two values are kept and every other value is skipped
//! without being built (no `Value` tree, whatever the field names); its errors are the ones
//! reported (`malformed JSON at column 23: expected `,` or `}``). So a record gets the same id,
//! text and error whichever parser read it, and a record read again gets exactly the text its
//! first reading gave (a property test in `scan` checks both). Only a line that is not an object
//! at all is read into a `serde_json::Value`, to say what it holds: an error path.
//!
//! A number id is its text as written in the record, whatever the number: `123`,
//! `123456789012345678901234567890`, `1.0`, `1e3` and `-0` are five ids, none rewritten. An id is
//! a name, not a quantity: rounding `123456789012345678901234567890` to a float gave two
//! different ids one text, and rewriting `1e3` as `1000.0` named a record by what it does not
//! say. serde_json reads a number as a value, so its parser takes the id field as raw JSON
//! (`serde_json::value::RawValue`, for that field alone: the rest of the record is parsed as
//! before, no `arbitrary_precision` slowing every number down) and the scanner gives the
//! integers it accepts as written. An id field that is not a number, a string or `null`, or a
//! string the raw reading cannot decode alone, sends the record to the reading that treats
//! the id as any other value, whose error is the one reported.

use std::borrow::Cow;
use std::fmt;

use serde::de::{
    self, DeserializeSeed, Deserializer as _, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde::Deserialize as _;
use serde_json::value::RawValue;

use super::scan::{self, Fields, Parsed};
use super::{CorpusSpec, Date, Position, ReadErrorKind};

/// The first byte of a record that is not JSON whitespace; `None` for a blank one.
fn first_byte(record: &[u8]) -> Option<u8> {
    record
        .iter()
        .copied()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

/// A record as UTF-8, or where it stops being UTF-8: at `line`, the record starting at byte
/// `offset` of its stream.
fn utf8(record: &[u8], (line, offset): (usize, u64)) -> Result<&str, ReadErrorKind> {
    // The SIMD check first (most records are valid); the standard one finds where a bad one breaks.
    simdutf8::basic::from_utf8(record)
        .or_else(|_| std::str::from_utf8(record))
        .map_err(|e| {
            let at = e.valid_up_to();
            ReadErrorKind::InvalidUtf8(Position {
                line,
                column: at + 1,
                byte: offset as usize + at,
            })
        })
}

/// Parses one line: `Ok(None)` for a blank line, the id and text of a record (its fields as
/// `spec` names them, copied out only if `keep`) and its date (when `spec` names a date field
/// and the record has one that is not `null`; read whether or not `keep`, so that every pass
/// refuses the same records), or what is wrong with it. `place`, the line and
/// the record's offset in its stream, places it for error positions. A text with escapes may be
/// decoded into `spare`'s buffer, taken.
pub(super) fn parse_record(
    record: &[u8],
    spec: &CorpusSpec,
    keep: bool,
    place: (usize, u64),
    spare: &mut String,
) -> Result<Option<(Parsed, Option<Date>)>, ReadErrorKind> {
    let Some(first) = first_byte(record) else {
        return Ok(None);
    };
    let json: Cow<str> = match utf8(record, place) {
        Ok(json) => Cow::Borrowed(json),
        Err(_) if spec.lossy => String::from_utf8_lossy(record),
        Err(e) => return Err(e),
    };
    if first != b'{' {
        return Err(not_an_object(&json));
    }
    let fields = Fields::of(spec);
    match scan::record(&json, fields, keep, spare) {
        Some(record) => {
            let date = record.date;
            Ok(Some((record.parsed(keep), date)))
        }
        None => full_record_dated(&json, fields, keep).map(Some),
    }
}

/// The text of a JSON Lines record read again from its place (its fields as `spec` names them),
/// by the same door as its first reading ([`parse_record`], strict UTF-8): borrowed from the
/// record when it holds no escape. A record its first reading refused is refused again, with
/// what is wrong (positions counted within the record, as line 1), which for a record that was
/// a document means the inputs changed.
pub(crate) fn record_text<'r>(
    record: &'r [u8],
    spec: &CorpusSpec,
) -> Result<Cow<'r, str>, ReadErrorKind> {
    let json = utf8(record, (1, 0))?;
    if first_byte(record) != Some(b'{') {
        return Err(not_an_object(json));
    }
    let fields = Fields::of(spec);
    match scan::record(json, fields, true, &mut String::new()) {
        Some(found) => Ok(found.text),
        None => {
            let (parsed, _) = full_record_dated(json, fields, true)?;
            Ok(Cow::Owned(parsed.unwrap_or_default().1))
        }
    }
}

/// What is wrong with a record that does not start with `{` (rare): what it holds, or why it
/// is not JSON at all.
fn not_an_object(json: &str) -> ReadErrorKind {
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(value) => ReadErrorKind::NotAnObject {
            found: json_type(&value),
        },
        Err(e) => json_error(&e),
    }
}

/// A record's fields by the full parser (serde_json), which also names what is wrong with it.
#[cfg(test)]
pub(super) fn full_record(
    json: &str,
    fields: Fields<'_>,
    keep: bool,
) -> Result<Parsed, ReadErrorKind> {
    full_record_dated(json, fields, keep).map(|(parsed, _)| parsed)
}

/// [`full_record`], with the record's date when `fields` names a date field.
pub(super) fn full_record_dated(
    json: &str,
    fields: Fields<'_>,
    keep: bool,
) -> Result<(Parsed, Option<Date>), ReadErrorKind> {
    let read = |raw_id| {
        let mut de = serde_json::Deserializer::from_str(json);
        (&mut de)
            .deserialize_map(RecordVisitor {
                fields,
                keep,
                raw_id,
            })
            .and_then(|found| de.end().map(|()| found))
    };
    // The id read raw, so that a number keeps its text; on anything unsure or wrong, the reading
    // that takes the id as any value decides, and names what is wrong.
    let found = match read(true) {
        Ok(found) if !matches!(found.id, Some(Value::Unsure)) => found,
        _ => read(false).map_err(|e| json_error(&e))?,
    };
    if let Some(field) = found.duplicate {
        return Err(ReadErrorKind::DuplicateField {
            field: field.to_owned(),
        });
    }
    let text = match found.text {
        Some(Value::Str(text)) => text,
        Some(other) => {
            return Err(ReadErrorKind::WrongType {
                field: fields.text.to_owned(),
                expected: "a string",
                found: other.type_name(),
            })
        }
        None => {
            return Err(ReadErrorKind::MissingField {
                field: fields.text.to_owned(),
            })
        }
    };
    let id = match found.id {
        None | Some(Value::Null) => None,
        Some(Value::Str(id)) => id,
        Some(Value::Number(id)) => Some(id),
        Some(other @ (Value::Other(_) | Value::Unsure)) => {
            return Err(ReadErrorKind::WrongType {
                field: fields.id.to_owned(),
                expected: "a string or a number",
                found: other.type_name(),
            })
        }
    };
    let date = match (fields.date, found.date) {
        (Some(field), Some(value)) => date_of(field, value)?,
        _ => None,
    };
    Ok((keep.then(|| (id, text.unwrap_or_default())), date))
}

/// The date a date field's value gives: `None` for `null`; for a string or number that does
/// not read as a date, and for another type, what is wrong with it.
fn date_of(field: &str, value: DateValue) -> Result<Option<Date>, ReadErrorKind> {
    let (date, written) = match value {
        DateValue::Null => return Ok(None),
        DateValue::Str(text) => (text.as_deref().and_then(Date::parse_iso), text),
        DateValue::Number(number) => (Date::parse_epoch(&number), Some(number)),
        DateValue::Other(found) => {
            return Err(ReadErrorKind::WrongType {
                field: field.to_owned(),
                expected: "a date string or epoch seconds",
                found,
            })
        }
    };
    date.map(Some).ok_or_else(|| ReadErrorKind::BadDate {
        field: field.to_owned(),
        value: written.unwrap_or_default(),
    })
}

/// A serde_json error as a [`ReadErrorKind::Json`], its "at line 1 column N" made a column.
fn json_error(e: &serde_json::Error) -> ReadErrorKind {
    let message = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = match message.strip_suffix(&suffix) {
        Some(message) => message.to_owned(),
        None => message,
    };
    ReadErrorKind::Json {
        column: e.column(),
        message,
    }
}

/// "an array", "a string" and so on.
fn json_type(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// The wanted fields of a record, as found.
struct Found<'f> {
    id: Option<Value>,
    text: Option<Value>,
    date: Option<DateValue>,
    /// The first wanted field met twice.
    duplicate: Option<&'f str>,
}

/// Visits a record: compares each key with the two names, keeps those two values, skips the rest.
struct RecordVisitor<'f> {
    fields: Fields<'f>,
    keep: bool,
    /// Read the id field as raw JSON ([`IdSeed`]), else as any value ([`ValueSeed`]).
    raw_id: bool,
}

impl<'de, 'f> Visitor<'de> for RecordVisitor<'f> {
    type Value = Found<'f>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Found<'f>, A::Error> {
        let mut found = Found {
            id: None,
            text: None,
            date: None,
            duplicate: None,
        };
        let keep = self.keep;
        while let Some(key) = map.next_key_seed(KeySeed(self.fields))? {
            let (slot, name, value) = match key {
                Key::Text => (
                    &mut found.text,
                    self.fields.text,
                    map.next_value_seed(ValueSeed { keep })?,
                ),
                Key::Id if self.raw_id => (
                    &mut found.id,
                    self.fields.id,
                    map.next_value_seed(IdSeed { keep })?,
                ),
                Key::Id => (
                    &mut found.id,
                    self.fields.id,
                    map.next_value_seed(ValueSeed { keep })?,
                ),
                Key::Date(name) => {
                    let value = map.next_value_seed(DateSeed)?;
                    if found.date.is_some() {
                        found.duplicate.get_or_insert(name);
                    } else {
                        found.date = Some(value);
                    }
                    continue;
                }
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            if slot.is_some() {
                found.duplicate.get_or_insert(name);
            } else {
                *slot = Some(value);
            }
        }
        Ok(found)
    }
}

/// Which of the wanted fields a key is.
enum Key<'f> {
    Id,
    Text,
    /// The date field, its name.
    Date(&'f str),
    Other,
}

/// Classifies a key without copying it.
#[derive(Clone, Copy)]
struct KeySeed<'f>(Fields<'f>);

impl<'de, 'f> DeserializeSeed<'de> for KeySeed<'f> {
    type Value = Key<'f>;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Key<'f>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de, 'f> Visitor<'de> for KeySeed<'f> {
    type Value = Key<'f>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Key<'f>, E> {
        Ok(if key == self.0.text {
            Key::Text
        } else if key == self.0.id {
            Key::Id
        } else {
            match self.0.date {
                Some(date) if key == date => Key::Date(date),
                _ => Key::Other,
            }
        })
    }
}

/// A wanted field's value, whatever its type, so that a wrong type can be named.
enum Value {
    /// A string (empty when not kept).
    Str(Option<String>),
    /// A number: as written when the id was read raw ([`IdSeed`]), else rendered.
    Number(String),
    Null,
    /// Another type: "a boolean", "an object", "an array".
    Other(&'static str),
    /// An id read raw that is none of a number, a string and `null`, or a string that does not
    /// decode alone: the record is read again with the id as any value, which names it.
    Unsure,
}

impl Value {
    fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Number(_) => "a number",
            Value::Null => "null",
            Value::Other(name) => name,
            Value::Unsure => "a value",
        }
    }
}

/// A date field's value, as written: read into a [`Date`] by [`date_of`].
enum DateValue {
    Null,
    /// A string, decoded (`None`: one that does not decode alone, a lone surrogate).
    Str(Option<String>),
    /// A number as written.
    Number(String),
    /// Another type: "a boolean", "an object", "an array".
    Other(&'static str),
}

/// Reads a date field's value as raw JSON, so that a number is read as written.
struct DateSeed;

impl<'de> DeserializeSeed<'de> for DateSeed {
    type Value = DateValue;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<DateValue, D::Error> {
        let raw = <&'de RawValue>::deserialize(deserializer)?.get();
        Ok(match raw.as_bytes().first() {
            Some(b'-' | b'0'..=b'9') => DateValue::Number(raw.to_owned()),
            Some(b'n') => DateValue::Null,
            Some(b'"') => DateValue::Str(serde_json::from_str::<String>(raw).ok()),
            Some(b't' | b'f') => DateValue::Other("a boolean"),
            Some(b'[') => DateValue::Other("an array"),
            _ => DateValue::Other("an object"),
        })
    }
}

/// Reads the id field as raw JSON: a number as written, a string decoded (copied only if
/// `keep`), `null`; anything else [`Value::Unsure`].
struct IdSeed {
    keep: bool,
}

impl<'de> DeserializeSeed<'de> for IdSeed {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        let raw = <&'de RawValue>::deserialize(deserializer)?.get();
        Ok(match raw.as_bytes().first() {
            Some(b'-' | b'0'..=b'9') => Value::Number(raw.to_owned()),
            Some(b'n') => Value::Null,
            // The string alone decodes as it does in its record (an escape, or a lone surrogate
            // serde_json refuses, is the same there); only its error would be placed otherwise.
            Some(b'"') => match serde_json::from_str::<String>(raw) {
                Ok(id) => Value::Str(self.keep.then_some(id)),
                Err(_) => Value::Unsure,
            },
            _ => Value::Unsure,
        })
    }
}

/// Reads a wanted field's value, copying a string only if `keep`.
struct ValueSeed {
    keep: bool,
}

impl<'de> DeserializeSeed<'de> for ValueSeed {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(self.keep.then(|| v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(self.keep.then_some(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        let rendered =
            serde_json::Number::from_f64(v).map_or_else(|| v.to_string(), |n| n.to_string());
        Ok(Value::Number(rendered))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Value, E> {
        Ok(Value::Other("a boolean"))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Value::Other("an object"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Value::Other("an array"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_id_is_its_text_as_written() {
        let spec = CorpusSpec::default();
        let id = |record: &str| match parse_record(
            record.as_bytes(),
            &spec,
            true,
            (1, 0),
            &mut String::new(),
        ) {
            Ok(Some((Some((id, _)), _))) => Ok(id),
            Ok(other) => panic!("{record}: {other:?}"),
            Err(e) => Err(e.to_string()),
        };
        // Each number as written, taken by the scanner or by serde_json, alone or with a
        // field the scanner declines (an escaped key).
        for number in [
            "123",
            "-7",
            "123456789012345678901234567890",
            "123456789012345678901234567891",
            "18446744073709551616",
            "-9223372036854775809",
            "1.0",
            "1e3",
            "-0",
            "2.5E-3",
            "1e400",
        ] {
            for record in [
                format!(r#"{{"id":{number},"text":"t"}}"#),
                format!(r#"{{"te\u0078t":"t", "id" : {number} }}"#),
            ] {
                assert_eq!(id(&record), Ok(Some(number.to_owned())), "{record}");
            }
        }
        assert_eq!(id(r#"{"id":null,"text":"t"}"#), Ok(None));
        assert_eq!(
            id(r#"{"id":"\u0041\"b","te\u0078t":"t"}"#),
            Ok(Some("A\"b".to_owned()))
        );
        // What the id field holds otherwise is named, and placed, as it was.
        for (record, want) in [
            (
                r#"{"text":"t","id":[1,2]}"#,
                "field `id` is an array, expected a string or a number",
            ),
            (
                r#"{"text":"t","id":"\ud800"}"#,
                "malformed JSON at column 25: unexpected end of hex escape",
            ),
            (
                r#"{"text":"t","id":01}"#,
                "malformed JSON at column 19: invalid number",
            ),
        ] {
            assert_eq!(id(record), Err(want.to_owned()), "{record}");
        }
    }

    #[test]
    fn the_date_field_is_read_by_both_parsers_alike() {
        let spec = CorpusSpec {
            date_field: Some("published".into()),
            ..CorpusSpec::default()
        };
        let date = |record: &str| {
            parse_record(record.as_bytes(), &spec, true, (1, 0), &mut String::new())
                .map(|parsed| parsed.and_then(|(_, date)| date).map(Date::seconds))
                .map_err(|e| e.to_string())
        };
        let at = Ok(Some(1_709_634_030));
        // (record, date) for the scanner's records, then for serde_json's: an escaped key, a
        // date string with an escape, a float id.
        let cases: &[(&str, Result<Option<i64>, String>)] = &[
            (
                r#"{"text":"t","published":"2024-03-05T10:20:30Z"}"#,
                at.clone(),
            ),
            (
                r#"{"published":"2024-03-05T12:20:30+02:00","text":"t"}"#,
                at.clone(),
            ),
            (r#"{"text":"t","published":1709634030}"#, at.clone()),
            (r#"{"text":"t","published":1709634030.75}"#, at.clone()),
            (r#"{"text":"t","published":null}"#, Ok(None)),
            (r#"{"text":"t"}"#, Ok(None)),
            (
                r#"{"text":"t","published":"2024-03-05T10:20:30Z"}"#,
                at.clone(),
            ),
            (
                r#"{"text":"t","published":"2024-03-05T10:20:30Z"}"#,
                at.clone(),
            ),
            (
                r#"{"id":1.5,"text":"t","published":17.09634030e8}"#,
                at.clone(),
            ),
            (r#"{"text":"t","published":1709634030}"#, at.clone()),
            // What is wrong is named whichever parser met it first.
            (
                r#"{"text":"t","published":"2024-02-30"}"#,
                Err(
                    "field `published` holds \"2024-02-30\", which is not a date (ISO 8601 \
                     such as 2024-03-05 or 2024-03-05T10:20:30Z, or epoch seconds as a number)"
                        .into(),
                ),
            ),
            (
                r#"{"text":"t","published":[2024]}"#,
                Err(
                    "field `published` is an array, expected a date string or epoch seconds".into(),
                ),
            ),
            (
                r#"{"text":"t","published":{"y":2024}}"#,
                Err(
                    "field `published` is an object, expected a date string or epoch seconds"
                        .into(),
                ),
            ),
            (
                r#"{"text":"t","published":1,"published":2}"#,
                Err("field `published` appears more than once".into()),
            ),
        ];
        for (record, want) in cases {
            assert_eq!(&date(record), want, "{record}");
        }
        // Without a date field, the same field is skipped like any other.
        let plain = CorpusSpec::default();
        let record = br#"{"text":"t","published":"not a date"}"#;
        assert!(parse_record(record, &plain, true, (1, 0), &mut String::new()).is_ok());
        // A value far too long is cut in the message.
        let long = format!(r#"{{"text":"t","published":"{}"}}"#, "x".repeat(500));
        let message = date(&long).unwrap_err();
        assert!(
            message.len() < 250 && message.contains("xxx\"..."),
            "{message}"
        );
    }

    #[test]
    fn record_text_table() {
        // (record, Ok((text, borrowed)) or Err(message))
        let cases: &[(&[u8], Result<(&str, bool), &str>)] = &[
            (br#"{"id":"a","text":"plain"}"#, Ok(("plain", true))),
            (
                br#" {"text":"l1\nl2 \u00e9","x":[1,{}]} "#,
                Ok(("l1\nl2 é", false)),
            ),
            // Declined by the scanner (an escaped key, a float id), read by serde_json.
            (br#"{"te\u0078t":"by serde"}"#, Ok(("by serde", false))),
            (br#"{"id":1.5,"text":"float id"}"#, Ok(("float id", false))),
            // Skipped values the first reading accepts are accepted again: a `serde_json::Value`
            // of the whole record, which the dedup run's re-read used to fall back on, refused
            // these, and the run stopped saying the inputs had changed.
            (br#"{"id":1.5,"text":"a","s":"\ud800"}"#, Ok(("a", false))),
            (br#"{"te\u0078t":"b","n":1e400}"#, Ok(("b", false))),
            // What a first reading refuses is refused again, named.
            (
                br#"{"text":"a","text":"b"}"#,
                Err("field `text` appears more than once"),
            ),
            (
                br#"{"text":"t","id":true}"#,
                Err("field `id` is a boolean, expected a string or a number"),
            ),
            (br#"{"id":"a"}"#, Err("no `text` field")),
            (br#"[1]"#, Err("expected a JSON object, found an array")),
            (
                b"",
                Err("malformed JSON at column 0: EOF while parsing a value"),
            ),
            (
                b"{\"text\":\"ab\xff\"}",
                Err("invalid UTF-8 at line 1, column 12 (byte 11)"),
            ),
        ];
        let spec = CorpusSpec::default();
        for (record, want) in cases {
            let got = record_text(record, &spec)
                .map(|t| (t.to_string(), matches!(t, Cow::Borrowed(_))))
                .map_err(|e| e.to_string());
            let want = want
                .map(|(t, borrowed)| (t.to_owned(), borrowed))
                .map_err(str::to_owned);
            assert_eq!(got, want, "{}", String::from_utf8_lossy(record));
        }
    }
}
