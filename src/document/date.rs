//! Publication dates: the value of a record's date field in, one [`Date`] out (whole seconds
//! since 1970-01-01T00:00:00 UTC), or `None` when the value is not one of the forms read.
//!
//! The forms read, ISO 8601's extended form and epoch seconds:
//!
//! - a date: `2024-03-05` (midnight UTC);
//! - a date and a time, `T` (or `t`, or one space) between them: `2024-03-05T10:20`,
//!   `2024-03-05T10:20:30`, `2024-03-05 10:20:30.125` (the fraction, any number of digits, is
//!   dropped: a second is fine enough to order publications);
//! - the same with a zone: `Z` (or `z`), `+02:00`, `-0500`, `+02`; a time without a zone is UTC;
//! - a JSON number: seconds since the epoch, an integer or a float (`1709634030`, `1.7e9`,
//!   `1709634030.5`, rounded down to the second).
//!
//! Years run from 0000 to 9999 and every field is checked (month 1 to 12, the day within its
//! month, leap years included, hours 0 to 23 and `24:00` for the end of a day, minutes 0 to 59,
//! seconds 0 to 60, a leap second read as the next second, zones up to ±23:59); anything else
//! (`2024-02-30`, `2024-3-5`, `March 5`, `20240305`, a string of digits) is refused, so a
//! corpus whose dates are written another way is told so rather than ordered by a guess.
//!
//! Hand-written rather than a date crate: the forms are few, the parser is a few dozen lines that
//! allocate nothing, and the one figure kept (an `i64` of seconds) is what the rest of the crate
//! compares and stores; a calendar library would bring time zones and formats the tool never uses.

use std::fmt;

/// A moment, in whole seconds since 1970-01-01T00:00:00 UTC (negative before).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i64);

/// Seconds of 0000-01-01T00:00:00Z and of 9999-12-31T23:59:59Z: the range of an ISO date, and
/// the range read from epoch seconds too.
const MIN_SECONDS: i64 = -62_167_219_200;
const MAX_SECONDS: i64 = 253_402_300_799;

impl Date {
    /// The date `seconds` after the epoch, when it lies within years 0000 to 9999.
    pub fn from_seconds(seconds: i64) -> Option<Date> {
        (MIN_SECONDS..=MAX_SECONDS)
            .contains(&seconds)
            .then_some(Date(seconds))
    }

    /// Seconds since the epoch.
    pub fn seconds(self) -> i64 {
        self.0
    }

    /// An ISO 8601 string (see the module documentation); `None` when it is not one.
    pub fn parse_iso(text: &str) -> Option<Date> {
        let b = text.as_bytes();
        let year = digits(b, 0, 4)?;
        let month = digits(b, 5, 2)?;
        let day = digits(b, 8, 2)?;
        if b[4] != b'-' || b[7] != b'-' || !(1..=12).contains(&month) {
            return None;
        }
        if day < 1 || day > days_in_month(year, month) {
            return None;
        }
        let mut seconds = days_from_civil(year, month, day) * 86_400;
        if b.len() == 10 {
            return Date::from_seconds(seconds);
        }
        if !matches!(b[10], b'T' | b't' | b' ') {
            return None;
        }
        let hour = digits(b, 11, 2)?;
        let minute = digits(b, 14, 2)?;
        if b.get(13) != Some(&b':') || minute > 59 {
            return None;
        }
        let mut at = 16;
        let mut second = 0;
        if b.get(at) == Some(&b':') {
            second = digits(b, at + 1, 2)?;
            at += 3;
            if second > 60 {
                return None;
            }
            if b.get(at) == Some(&b'.') || b.get(at) == Some(&b',') {
                let fraction = b[at + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_digit())
                    .count();
                if fraction == 0 {
                    return None;
                }
                at += 1 + fraction;
            }
        }
        if hour > 24 || (hour == 24 && (minute, second) != (0, 0)) {
            return None;
        }
        seconds += hour * 3600 + minute * 60 + second;
        let offset = match &b[at..] {
            [] | [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), zone @ ..] => {
                let (h, m) = match zone.len() {
                    2 => (digits(zone, 0, 2)?, 0),
                    4 => (digits(zone, 0, 2)?, digits(zone, 2, 2)?),
                    5 if zone[2] == b':' => (digits(zone, 0, 2)?, digits(zone, 3, 2)?),
                    _ => return None,
                };
                if h > 23 || m > 59 {
                    return None;
                }
                let offset = h * 3600 + m * 60;
                if *sign == b'-' {
                    -offset
                } else {
                    offset
                }
            }
            _ => return None,
        };
        Date::from_seconds(seconds - offset)
    }

    /// Epoch seconds as a JSON number is written (`1709634030`, `-86400`, `1.7e9`), rounded
    /// down to the second; `None` when it is not a number or lies outside years 0000 to 9999.
    pub fn parse_epoch(number: &str) -> Option<Date> {
        if let Ok(seconds) = number.parse::<i64>() {
            return Date::from_seconds(seconds);
        }
        let x: f64 = number.parse().ok()?;
        // Also refuses NaN and the infinities (`1e400` reads as one).
        if !(MIN_SECONDS as f64..MAX_SECONDS as f64 + 1.0).contains(&x) {
            return None;
        }
        Date::from_seconds(x.floor() as i64)
    }
}

impl fmt::Display for Date {
    /// `2024-03-05` at midnight UTC, else `2024-03-05T10:20:30Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (days, second) = (self.0.div_euclid(86_400), self.0.rem_euclid(86_400));
        let (y, m, d) = civil_from_days(days);
        write!(f, "{y:04}-{m:02}-{d:02}")?;
        if second != 0 {
            let (h, min, s) = (second / 3600, second / 60 % 60, second % 60);
            write!(f, "T{h:02}:{min:02}:{s:02}Z")?;
        }
        Ok(())
    }
}

/// The dates of a run's documents by number, in eight bytes a document (an undated one is
/// `i64::MIN`, which no [`Date`] is), and nothing at all when no date is read: a table that is
/// never pushed to answers `None` for every document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct DateTable {
    seconds: Vec<i64>,
}

impl DateTable {
    const UNDATED: i64 = i64::MIN;

    /// Appends the next document's date.
    pub(crate) fn push(&mut self, date: Option<Date>) {
        self.seconds.push(date.map_or(Self::UNDATED, Date::seconds));
    }

    /// Document `i`'s date, where it has one.
    pub(crate) fn get(&self, i: u32) -> Option<Date> {
        match self.seconds.get(i as usize) {
            Some(&s) if s != Self::UNDATED => Some(Date(s)),
            _ => None,
        }
    }

    /// The dates of a pair's two documents.
    pub(crate) fn pair(&self, a: u32, b: u32) -> [Option<Date>; 2] {
        [self.get(a), self.get(b)]
    }

    /// True when no date was pushed (none is read).
    pub(crate) fn is_empty(&self) -> bool {
        self.seconds.is_empty()
    }
}

impl serde::Serialize for Date {
    /// As its [`Display`](fmt::Display) form: `"2024-03-05"`, `"2024-03-05T10:20:30Z"`.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The number written in the `n` ASCII digits at `b[at..]`.
fn digits(b: &[u8], at: usize, n: usize) -> Option<i64> {
    let field = b.get(at..at + n)?;
    field.iter().try_fold(0, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
    })
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (the 400-year-era method:
/// a year taken to start on March 1, so that the leap day ends it).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day counted from 1970-01-01: the inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_forms() {
        // (text, seconds since the epoch)
        let cases = [
            ("1970-01-01", 0),
            ("2024-03-05", 1_709_596_800),
            ("2024-03-05T10:20", 1_709_634_000),
            ("2024-03-05t10:20", 1_709_634_000),
            ("2024-03-05 10:20", 1_709_634_000),
            ("2024-03-05T10:20:30", 1_709_634_030),
            ("2024-03-05T10:20:30.999", 1_709_634_030),
            ("2024-03-05T10:20:30,5", 1_709_634_030),
            ("2024-03-05T10:20:30.123456789Z", 1_709_634_030),
            ("2024-03-05T10:20:30Z", 1_709_634_030),
            ("2024-03-05T10:20:30z", 1_709_634_030),
            ("2024-03-05T12:20:30+02:00", 1_709_634_030),
            ("2024-03-05T05:20:30-0500", 1_709_634_030),
            ("2024-03-05T12:20:30+02", 1_709_634_030),
            ("2024-03-05T10:20Z", 1_709_634_000),
            ("2024-03-05T00:20+01:00", 1_709_594_400),
            ("2024-03-04T24:00:00", 1_709_596_800),
            ("2016-12-31T23:59:60Z", 1_483_228_800),
            ("1969-12-31T23:59:59Z", -1),
            ("0000-01-01", MIN_SECONDS),
            ("9999-12-31T23:59:59Z", MAX_SECONDS),
            // Leap days: every fourth year, not centuries, but every fourth century.
            ("2024-02-29", 1_709_164_800),
            ("2000-02-29", 951_782_400),
            ("1600-02-29", -11_670_998_400),
        ];
        for (text, seconds) in cases {
            assert_eq!(Date::parse_iso(text), Some(Date(seconds)), "{text}");
        }
    }

    #[test]
    fn refused_forms() {
        for text in [
            "",
            "2024",
            "2024-03",
            "2024-3-5",
            "2024-03-5",
            "20240305",
            "2024/03/05",
            "March 5, 2024",
            "1709634030",
            " 2024-03-05",
            "2024-03-05 ",
            "2024-00-10",
            "2024-13-01",
            "2024-01-00",
            "2024-01-32",
            "2024-04-31",
            "2023-02-29",
            "1900-02-29",
            "2100-02-29",
            "2024-03-05T",
            "2024-03-05T10",
            "2024-03-05T1:20",
            "2024-03-05T10:2",
            "2024-03-05T25:00",
            "2024-03-05T24:01",
            "2024-03-05T10:60",
            "2024-03-05T10:20:61",
            "2024-03-05T10:20:30.",
            "2024-03-05T10:20:30.5x",
            "2024-03-05T10:20+2",
            "2024-03-05T10:20+24:00",
            "2024-03-05T10:20+02:60",
            "2024-03-05T10:20+02:00:00",
            "2024-03-05T10:20Zulu",
            "2024-03-05X10:20",
            "2024-03-05  10:20",
            "０２０２-03-05",
            "-001-01-01",
        ] {
            assert_eq!(Date::parse_iso(text), None, "{text}");
        }
    }

    #[test]
    fn epoch_seconds() {
        let cases = [
            ("0", Some(0)),
            ("1709634030", Some(1_709_634_030)),
            ("-86400", Some(-86_400)),
            ("1709634030.9", Some(1_709_634_030)),
            ("-0.5", Some(-1)),
            ("1.7e9", Some(1_700_000_000)),
            ("1E3", Some(1000)),
            ("-0", Some(0)),
            ("253402300799", Some(MAX_SECONDS)),
            ("253402300800", None),
            ("1e400", None),
            ("99999999999999999999", None),
            ("abc", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(Date::parse_epoch(text), want.map(Date), "{text}");
        }
    }

    #[test]
    fn written_back_as_read() {
        for text in [
            "2024-03-05",
            "2024-03-05T10:20:30Z",
            "1969-12-31T23:59:59Z",
            "2000-02-29",
            "0000-01-01",
            "9999-12-31T23:59:59Z",
        ] {
            let date = Date::parse_iso(text).unwrap();
            assert_eq!(date.to_string(), text);
        }
        // Every day of four centuries goes there and back.
        for days in -150_000..150_000 {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
            assert!((1..=days_in_month(y, m)).contains(&d));
        }
    }
}
