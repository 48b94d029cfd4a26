//! Original news-like articles: paragraphs, sentences, words, numbers, titles, dates and footers.
//!
//! In: an [`Rng`] and the [`Vocab`]. Out: text pushed onto a `String` (an article of exactly the
//! asked number of words) or returned (a title, a date line, a footer, a publication name). Words
//! are whitespace-separated tokens with a letter or digit, so punctuation never changes the count.

use std::fmt::Write as _;

use super::rng::Rng;
use super::vocab::{Vocab, MONTHS, ORGS, PEOPLE, PLACES, WEEKDAYS};

pub(super) const MIN_SENTENCE: usize = 8;
pub(super) const MAX_SENTENCE: usize = 35;
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

pub(super) fn write_article(rng: &mut Rng, v: &Vocab, out: &mut String, words: usize) {
    let mut remaining = words;
    if words >= 20 && rng.chance(P_DATELINE) {
        // "MOSCOW, May 24 — ": three words.
        out.push_str(&rng.pick(PLACES).to_uppercase());
        let _ = write!(out, ", {} {} — ", rng.pick(&MONTHS), rng.range(1, 28));
        remaining -= 3;
    }
    write_paragraphs(rng, out, remaining, news_paragraph, |rng, out, len| {
        write_sentence(rng, v, out, len)
    });
}

/// Sentences in a news paragraph: 1 to 5, 2 or 3 most often.
fn news_paragraph(rng: &mut Rng) -> usize {
    match rng.below(20) {
        0..=3 => 1,
        4..=9 => 2,
        10..=14 => 3,
        15..=17 => 4,
        _ => 5,
    }
}

/// Exactly `words` words of paragraphs separated by a blank line: each of `paragraph(rng)`
/// sentences, whose lengths are drawn here ([`MIN_SENTENCE`] to [`MAX_SENTENCE`] words) and
/// whose words `sentence(rng, out, len)` writes.
pub(super) fn write_paragraphs(
    rng: &mut Rng,
    out: &mut String,
    words: usize,
    paragraph: impl Fn(&mut Rng) -> usize,
    mut sentence: impl FnMut(&mut Rng, &mut String, usize),
) {
    let mut remaining = words;
    let mut first_paragraph = true;
    while remaining > 0 {
        if !first_paragraph {
            out.push_str("\n\n");
        }
        first_paragraph = false;
        let sentences = paragraph(rng);
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
            sentence(rng, out, len);
            remaining -= len;
        }
    }
}

/// One sentence of `len` words: capitalised, ending in '.', with the odd comma, quote or dash.
pub(super) fn write_sentence(rng: &mut Rng, v: &Vocab, out: &mut String, len: usize) {
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
pub(super) fn write_word(rng: &mut Rng, v: &Vocab, out: &mut String, prev_common: bool) -> bool {
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
pub(super) fn title(rng: &mut Rng, v: &Vocab, words: usize) -> String {
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
pub(super) fn date_line(rng: &mut Rng) -> String {
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
pub(super) fn weekday(year: usize, month: usize, day: usize) -> usize {
    const T: [usize; 12] = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
    let y = if month < 3 { year - 1 } else { year };
    (y + y / 4 - y / 100 + y / 400 + T[month - 1] + day) % 7
}

pub(super) fn publication(rng: &mut Rng) -> String {
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

pub(super) fn footer(rng: &mut Rng) -> String {
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
