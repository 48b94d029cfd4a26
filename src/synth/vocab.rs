//! The generator's vocabulary: common English words, names and places, and 6,000 pseudo-words.
//!
//! In: the fixed word lists below and a fixed seed. Out: one shared [`Vocab`] (built once, on first
//! use) with a Zipf alias table per group, plus the month and weekday names that datelines use.
//! The seed is fixed so every corpus speaks the same language, whatever its own seed.

use std::sync::OnceLock;

use super::rng::{Alias, Rng};

/// Common English words, most frequent first.
#[rustfmt::skip]
const COMMON: &[&str] = &[
    "the", "of", "and", "to", "a", "in", "that", "is", "for", "on", "was", "with", "said", "it",
    "as", "by", "at", "he", "from", "his", "has", "be", "have", "an", "are", "its", "not", "but",
    "this", "which", "they", "were", "had", "will", "who", "their", "after", "been", "also", "more",
    "would", "over", "than", "about", "into", "we", "one", "two", "new", "last", "year", "other",
    "can", "first", "there", "all", "up", "out", "when", "could", "or", "some", "her", "she",
    "them", "if", "no", "our", "while", "against", "between", "during", "since", "under", "before",
    "through", "most", "now", "any", "these", "those", "because", "where", "only", "such", "three",
    "then", "so", "both", "many", "what", "how", "just", "may", "should", "still", "even", "around",
    "each", "very", "much", "well", "being", "without", "another", "across", "among", "until",
    "within", "per", "including", "according", "already", "again", "however", "whether", "despite",
    "percent", "people", "government", "officials", "minister", "president", "country", "countries",
    "week", "month", "years", "time", "state", "world", "military", "economic", "foreign",
    "security", "trade", "talks", "deal", "war", "leaders", "support", "report", "statement",
    "sanctions", "agreement", "cooperation", "relations", "forces", "press", "market", "prices",
    "energy", "exports", "growth", "policy", "election", "party", "court", "police", "public",
    "national", "international", "group", "companies", "million", "billion", "major", "high",
    "former", "told", "added", "called", "made", "held", "signed", "expected", "announced",
    "reported", "warned", "sent", "seen", "did", "do", "does", "say", "says", "make", "take",
    "help", "meet", "keep", "it’s", "don’t", "isn’t", "won’t", "here", "my", "your", "him", "us",
    "me", "few", "own", "same", "next", "long", "part", "back", "four", "five", "days", "plan",
];

/// Countries, places (single words, usable in a dateline), people and organisations.
#[rustfmt::skip]
const COUNTRIES: &[&str] = &[
    "Russia", "China", "Ukraine", "Germany", "France", "Japan", "India", "Brazil", "Turkey", "Iran",
    "Poland", "Britain", "Israel", "Syria", "Italy", "Spain", "Canada", "Australia", "Korea",
    "Belarus", "Georgia", "Kazakhstan", "Pakistan", "Egypt",
];
#[rustfmt::skip]
pub(super) const PLACES: &[&str] = &[
    "Moscow", "Beijing", "Kyiv", "Washington", "London", "Paris", "Berlin", "Tokyo", "Brussels",
    "Ankara", "Tehran", "Delhi", "Brasília", "Zürich", "Geneva", "Warsaw", "Madrid", "Rome",
    "Vienna", "Ottawa", "Canberra", "Seoul", "Jakarta", "Manila", "Hanoi", "Bangkok", "Cairo",
    "Riyadh", "Doha", "Dubai", "Istanbul", "Kharkiv", "Odesa", "Minsk", "Tbilisi", "Baku",
    "Yerevan", "Almaty", "Tashkent", "Islamabad", "Kabul", "Nairobi", "Lagos", "Lima", "Bogotá",
    "Caracas", "Havana", "Chicago", "Shanghai", "Taipei", "Singapore", "Sydney", "Montréal",
];
#[rustfmt::skip]
pub(super) const PEOPLE: &[&str] = &[
    "Putin", "Xi", "Mishustin", "Li", "Biden", "Macron", "Scholz", "Erdoğan", "Modi", "Lula",
    "Zelensky", "Novak", "Kishida", "Sunak", "Lavrov", "Blinken", "Wang", "Guterres", "Stoltenberg",
    "Orbán", "Meloni", "Sánchez", "Trudeau", "Albanese", "Yoon", "Widodo", "Ramaphosa", "Netanyahu",
    "Lukashenko", "Peskov", "Shoigu", "Yellen", "Lagarde", "Powell", "Kuleba", "Borrell", "Duda",
    "Tusk",
];
#[rustfmt::skip]
pub(super) const ORGS: &[&str] = &[
    "NATO", "Reuters", "Kremlin", "Pentagon", "Congress", "Senate", "Parliament", "Gazprom",
    "Rosneft", "Xinhua", "OPEC", "UN", "EU", "IMF", "Tass",
];

#[rustfmt::skip]
const ONSETS: &[&str] = &[
    "", "b", "br", "c", "ch", "cl", "cr", "d", "dr", "f", "fr", "g", "gl", "gr", "h", "j", "k", "l",
    "m", "n", "p", "pl", "pr", "qu", "r", "s", "sc", "sh", "sl", "sp", "st", "str", "t", "th", "tr",
    "v", "w", "z",
];
#[rustfmt::skip]
const VOWELS: &[&str] = &[
    "a", "e", "i", "o", "u", "a", "e", "i", "o", "ai", "ea", "ee", "ou", "io", "oa",
];
#[rustfmt::skip]
const CODAS: &[&str] = &[
    "", "", "", "n", "r", "s", "l", "m", "nd", "nt", "st", "t", "k", "ck", "rn", "ss",
];
#[rustfmt::skip]
const SUFFIXES: &[&str] = &[
    "s", "ed", "ing", "tion", "ment", "er", "al", "ly", "ity", "ism", "ist", "ive", "ous", "ance",
];
/// Number of pseudo-words.
pub(super) const CONTENT_WORDS: usize = 6000;
/// Seed of the vocabulary: fixed, so every corpus speaks the same language.
const VOCAB_SEED: u64 = 0x0077_6F72_6473;

#[rustfmt::skip]
pub(super) const MONTHS: [&str; 12] = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
];
#[rustfmt::skip]
pub(super) const WEEKDAYS: [&str; 7] = [
    "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
];

pub(super) struct Vocab {
    pub(super) common: Vec<&'static str>,
    pub(super) names: Vec<&'static str>,
    pub(super) content: Vec<String>,
    pub(super) common_zipf: Alias,
    pub(super) names_zipf: Alias,
    pub(super) content_zipf: Alias,
}

pub(super) fn vocab() -> &'static Vocab {
    static VOCAB: OnceLock<Vocab> = OnceLock::new();
    VOCAB.get_or_init(Vocab::build)
}

impl Vocab {
    fn build() -> Vocab {
        let mut seen = std::collections::HashSet::new();
        let common: Vec<&'static str> = COMMON
            .iter()
            .copied()
            .filter(|w| seen.insert(w.to_string()))
            .collect();
        // Names interleaved, so that each group has frequent members.
        let groups = [COUNTRIES, PLACES, PEOPLE, ORGS];
        let longest = groups.iter().map(|g| g.len()).max().unwrap_or(0);
        let mut names = Vec::new();
        for i in 0..longest {
            for g in groups {
                if let Some(&n) = g.get(i) {
                    if seen.insert(n.to_lowercase()) {
                        names.push(n);
                    }
                }
            }
        }
        let mut rng = Rng::new(VOCAB_SEED);
        let mut content = Vec::with_capacity(CONTENT_WORDS);
        while content.len() < CONTENT_WORDS {
            let syllables = match rng.below(100) {
                0..=24 => 1,
                25..=84 => 2,
                _ => 3,
            };
            let mut w = String::new();
            for _ in 0..syllables {
                w.push_str(rng.pick(ONSETS));
                w.push_str(rng.pick(VOWELS));
                w.push_str(rng.pick(CODAS));
            }
            if rng.chance(0.2) {
                w.push_str(rng.pick(SUFFIXES));
            }
            if (4..=11).contains(&w.len()) && seen.insert(w.clone()) {
                content.push(w);
            }
        }
        Vocab {
            common_zipf: Alias::zipf(common.len(), 1.5),
            names_zipf: Alias::zipf(names.len(), 3.0),
            content_zipf: Alias::zipf(content.len(), 20.0),
            common,
            names,
            content,
        }
    }
}
