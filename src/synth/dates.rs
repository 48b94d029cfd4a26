//! Publication dates for a generated corpus ([`CorpusSpec::dates`]): a position in, the value of
//! its document's `date` field out (or none), a pure function of the seed and the position like
//! everything else the generator makes.
//!
//! Dates rise with the position over [`SPAN_DAYS`] days from 2020-01-01, each document at its
//! own second within its share of the span, so that a document always comes after every earlier
//! position (a source is earlier in the corpus than its copies, hence earlier in time). Then,
//! to give a reader of dates the cases it must handle:
//!
//! - [`UNDATED_SHARE`] of the documents have no date;
//! - [`SAME_DATE_SHARE`] of the derived documents have exactly their source's date;
//! - the forms vary: most are `2021-06-01T13:45:10Z`, [`OFFSET_SHARE`] the same instant written
//!   with a `+02:00` zone, and [`EPOCH_SHARE`] epoch seconds as a JSON number.
//!
//! The seed pair, when there is one, is dated as the two real texts were published: the article on
//! 2023-07-21, the blog the day after.

use super::rng::{derive_seed, unit};
use super::truth::SynthDate;
use super::CorpusSpec;
use crate::document::Date;

/// Days the dates of the generated documents span.
pub const SPAN_DAYS: i64 = 1095;
/// Share of documents without a date.
pub const UNDATED_SHARE: f64 = 0.08;
/// Share of derived documents with exactly their source's date.
pub const SAME_DATE_SHARE: f64 = 0.05;
/// Share of dates written with a `+02:00` zone.
pub const OFFSET_SHARE: f64 = 0.15;
/// Share of dates written as epoch seconds.
pub const EPOCH_SHARE: f64 = 0.15;

/// 2020-01-01T00:00:00Z.
const FIRST: i64 = 1_577_836_800;
/// The seed article's and the seed blog's dates: 2023-07-21T09:30:00Z and 2023-07-22T14:05:00Z.
const SEED_DATES: [i64; 2] = [1_689_931_800, 1_690_034_700];

const SALT_UNDATED: u64 = 101;
const SALT_SAME: u64 = 102;
const SALT_FORM: u64 = 103;
const SALT_SECOND: u64 = 104;

impl CorpusSpec {
    /// The date field of the document at position `pos`, whose first source (for a derived
    /// document) is generated document `source`; `None` for an undated one.
    pub(super) fn date_field(&self, pos: usize, source: Option<usize>) -> Option<SynthDate> {
        let offset = self.total_docs() - self.docs;
        let (key, seconds) = match pos.checked_sub(offset) {
            None => (pos as u64, SEED_DATES[pos.min(1)]),
            Some(i) => {
                let key = i as u64 + 2;
                if unit(derive_seed(self.seed, key, SALT_UNDATED)) < UNDATED_SHARE {
                    return None;
                }
                let same = source
                    .filter(|_| unit(derive_seed(self.seed, key, SALT_SAME)) < SAME_DATE_SHARE);
                (key, self.seconds_of(same.unwrap_or(i)))
            }
        };
        let form = unit(derive_seed(self.seed, key, SALT_FORM));
        let date = Date::from_seconds(seconds).expect("within the span");
        Some(if form < EPOCH_SHARE {
            SynthDate::Seconds(seconds)
        } else if form < EPOCH_SHARE + OFFSET_SHARE {
            SynthDate::Text(with_offset(seconds))
        } else {
            SynthDate::Text(full(date))
        })
    }

    /// The moment of generated document `i`: its share of the span, and a second within it.
    fn seconds_of(&self, i: usize) -> i64 {
        let span = SPAN_DAYS * 86_400;
        let n = self.docs.max(1) as i64;
        let step = (span / n).max(1) as u64;
        let within = derive_seed(self.seed, i as u64, SALT_SECOND) % step;
        FIRST + i as i64 * span / n + within as i64
    }
}

/// `2021-06-01T13:45:10Z`, midnight included.
fn full(date: Date) -> String {
    let text = date.to_string();
    match text.len() {
        10 => text + "T00:00:00Z",
        _ => text,
    }
}

/// The instant `seconds` written in the zone two hours east of UTC.
fn with_offset(seconds: i64) -> String {
    let local = Date::from_seconds(seconds + 7200).expect("within the span");
    let mut text = full(local);
    text.pop();
    text + "+02:00"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_rise_with_the_position_and_read_back() {
        let spec = CorpusSpec::default().docs(3000).dates(true);
        let mut last = i64::MIN;
        let (mut undated, mut forms) = (0, [0; 3]);
        for i in 0..3000 {
            let read = match spec.date_field(i, None) {
                None => {
                    undated += 1;
                    continue;
                }
                Some(SynthDate::Seconds(s)) => {
                    forms[0] += 1;
                    Date::from_seconds(s)
                }
                Some(SynthDate::Text(t)) => {
                    forms[t.ends_with("+02:00") as usize + 1] += 1;
                    Date::parse_iso(&t)
                }
            };
            let seconds = read.expect("a date that reads").seconds();
            assert_eq!(seconds, spec.seconds_of(i));
            assert!(seconds > last, "{i}");
            last = seconds;
        }
        assert!((150..330).contains(&undated), "{undated}");
        assert!(forms.iter().all(|&n| n > 300), "{forms:?}");
        // A derived document that takes its source's date has exactly it.
        let read = |d: SynthDate| match d {
            SynthDate::Seconds(s) => s,
            SynthDate::Text(t) => Date::parse_iso(&t).unwrap().seconds(),
        };
        let same = (1..3000)
            .filter(|&i| spec.date_field(i, Some(0)).map(read) == Some(spec.seconds_of(0)))
            .count();
        assert!((80..200).contains(&same), "{same}");
    }

    /// Regression: a repost of a syndicated story took its story's date, earlier than the pages
    /// of the story that the truth also gives as its sources.
    #[test]
    fn no_truth_pair_has_its_source_dated_after_its_copy() {
        use std::collections::HashMap;
        let read = |d: &SynthDate| match d {
            SynthDate::Seconds(s) => *s,
            SynthDate::Text(t) => Date::parse_iso(t).unwrap().seconds(),
        };
        for spec in [
            CorpusSpec::default().docs(4000).seed(3),
            CorpusSpec::default()
                .docs(4000)
                .seed(4)
                .sites(12)
                .syndicated(0.1),
        ] {
            let corpus = super::super::generate_par(&spec.dates(true));
            let dates: HashMap<&str, i64> = corpus
                .docs
                .iter()
                .filter_map(|d| Some((d.id.as_str(), read(d.date.as_ref()?))))
                .collect();
            let (mut pairs, mut same) = (0, 0);
            for t in &corpus.truth {
                let (Some(s), Some(d)) = (dates.get(&*t.source), dates.get(&*t.derived)) else {
                    continue;
                };
                assert!(s <= d, "{t:?}");
                pairs += 1;
                same += usize::from(s == d);
            }
            assert!(pairs > 300 && same > 5, "{pairs} {same}");
        }
    }
}
