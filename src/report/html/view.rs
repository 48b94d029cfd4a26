//! One pair as an HTML report shows it: a [`PairView`] (the pair, the texts its spans index, names
//! for its sides) in, the pair's data for the page out (`PairData`, spans in UTF-16 code units,
//! which JavaScript strings index), with the verdict in words. The page embeds each document's text
//! once (`DocData`); a pair refers to its documents by index.

use std::ops::Range;

use serde::Serialize;

use crate::align::PassageKind;
use crate::compare::Pair;
use crate::report::{direction_words, percent, short};
use crate::verify::{Relation, Which};

/// One pair as the report shows it: the pair (with its alignment, when it was aligned), the texts
/// its spans index, and optional names for the two sides ("checked document", "source").
#[derive(Clone, Copy, Debug)]
pub struct PairView<'a> {
    /// The compared pair; without an alignment the view shows the verdict and scores only.
    pub pair: &'a Pair,
    /// The text of `pair.a`.
    pub a_text: &'a str,
    /// The text of `pair.b`.
    pub b_text: &'a str,
    /// What side a is, shown above its column and used in the verdict.
    pub a_label: Option<&'a str>,
    /// What side b is.
    pub b_label: Option<&'a str>,
}

impl<'a> PairView<'a> {
    /// A view of `pair`, whose documents have the texts `a_text` and `b_text`.
    pub fn new(pair: &'a Pair, a_text: &'a str, b_text: &'a str) -> Self {
        PairView {
            pair,
            a_text,
            b_text,
            a_label: None,
            b_label: None,
        }
    }

    /// The same view with names for its two sides.
    pub fn labels(self, a: &'a str, b: &'a str) -> Self {
        PairView {
            a_label: Some(a),
            b_label: Some(b),
            ..self
        }
    }

    /// The verdict in words, e.g. "repost.txt is a derivative of article.txt: 81% of it comes from
    /// the source; it drops 68% of the source and adds 3 passages".
    pub fn verdict(&self) -> String {
        let p = self.pair;
        let s = &p.scores;
        let (a, b) = (short(&p.a), short(&p.b));
        let count = |kind| p.passages(kind).count();
        if let (Some(c), Some(derived)) = (&p.cover, p.derived) {
            let (page, source) = match derived {
                Which::A => (a, b),
                Which::B => (b, a),
            };
            return format!(
                "{page} is built from {} sources; {source} is source {} and explains {} of it",
                c.sources,
                c.rank,
                percent(c.share)
            );
        }
        match (p.relation, p.derived) {
            (Relation::Derivative, Some(derived)) => {
                let (d, src, in_src, src_in_d, added, src_label) = match derived {
                    Which::A => (
                        a,
                        b,
                        s.containment_a_in_b,
                        s.containment_b_in_a,
                        count(PassageKind::AOnly),
                        self.b_label,
                    ),
                    Which::B => (
                        b,
                        a,
                        s.containment_b_in_a,
                        s.containment_a_in_b,
                        count(PassageKind::BOnly),
                        self.a_label,
                    ),
                };
                let the_src = format!("the {}", src_label.unwrap_or("source"));
                let mut v = format!(
                    "{d} is a derivative of {src}: {} of it comes from {the_src}; it drops {} of \
                     {the_src}",
                    percent(in_src),
                    percent(1.0 - src_in_d)
                );
                if p.alignment.is_some() {
                    let plural = if added == 1 { "" } else { "s" };
                    v.push_str(&format!(" and adds {added} passage{plural}"));
                }
                v
            }
            (relation, _) => {
                let how = match relation {
                    Relation::Duplicate => "are duplicates",
                    Relation::Overlap | Relation::Derivative => "overlap",
                    Relation::Unrelated => "are unrelated",
                };
                format!(
                    "{a} and {b} {how}: {} of {a} is in {b} and {} of {b} is in {a}",
                    percent(s.containment_a_in_b),
                    percent(s.containment_b_in_a)
                )
            }
        }
    }
}

/// What a-only and b-only passages mean in a pair: additions of the derived text, or drops from the
/// source. Without a direction, a's own passages count as added and b's as dropped, as in the
/// terminal view.
fn roles(pair: &Pair) -> (Role, Role) {
    match pair.derived {
        Some(Which::B) => (Role::Dropped, Role::Added),
        _ => (Role::Added, Role::Dropped),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Role {
    Added,
    Dropped,
}

/// Byte offsets to UTF-16 offsets in one text.
struct Utf16<'t> {
    text: &'t str,
    /// UTF-16 offset of every byte offset that starts a character; empty for ASCII text.
    at: Vec<u32>,
}

impl<'t> Utf16<'t> {
    fn new(text: &'t str) -> Self {
        let mut at = Vec::new();
        if !text.is_ascii() {
            at = vec![0; text.len() + 1];
            let mut units = 0u32;
            for (i, c) in text.char_indices() {
                at[i] = units;
                units += c.len_utf16() as u32;
            }
            at[text.len()] = units;
        }
        Utf16 { text, at }
    }

    fn offset(&self, byte: usize) -> usize {
        let byte = byte.min(self.text.len());
        if self.at.is_empty() {
            return byte;
        }
        // Spans are on character boundaries; a stray one goes back to the character's start.
        let start = (0..=byte)
            .rev()
            .find(|&i| self.text.is_char_boundary(i))
            .unwrap_or(0);
        self.at[start] as usize
    }

    fn span(&self, r: &Option<Range<usize>>) -> Option<[usize; 2]> {
        r.as_ref()
            .map(|r| [self.offset(r.start), self.offset(r.end)])
    }
}

/// A document of the report, embedded once.
#[derive(Serialize)]
pub(super) struct DocData {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) text: String,
}

#[derive(Serialize)]
struct EditData {
    a: Option<[usize; 2]>,
    b: Option<[usize; 2]>,
    at_a: usize,
    at_b: usize,
}

#[derive(Serialize)]
struct PassageData {
    kind: PassageKind,
    a: Option<[usize; 2]>,
    b: Option<[usize; 2]>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    moved: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    edits: Vec<EditData>,
}

#[derive(Serialize)]
pub(super) struct PairData {
    /// Indices into the documents.
    pub(super) a: usize,
    pub(super) b: usize,
    a_label: Option<String>,
    b_label: Option<String>,
    verdict: String,
    /// How the direction was decided, in words (derivatives only).
    #[serde(skip_serializing_if = "Option::is_none")]
    direction: Option<String>,
    relation: Relation,
    derived: Option<&'static str>,
    jaccard: f64,
    containment_a_in_b: f64,
    containment_b_in_a: f64,
    a_shingles: usize,
    b_shingles: usize,
    shared_shingles: usize,
    /// What `a_only` and `b_only` passages are.
    a_only: Role,
    b_only: Role,
    passages: Option<Vec<PassageData>>,
    /// For a source of a page built from several: its part of the page's cover.
    #[serde(skip_serializing_if = "Option::is_none")]
    cover: Option<CoverData>,
}

/// One source's part of a page's cover, as the report shows it: the page once, each passage
/// marked with the source it came from.
#[derive(Serialize)]
struct CoverData {
    /// The page's side of the pair ("a" or "b").
    page: &'static str,
    share: f64,
    rank: usize,
    explained: f64,
    sources: usize,
    /// The page's spans this source explains.
    spans: Vec<[usize; 2]>,
}

impl PairData {
    /// The data of `view`, whose documents are `a` and `b` of the page.
    pub(super) fn of(view: &PairView<'_>, a: usize, b: usize) -> Self {
        let p = view.pair;
        let (ua, ub) = (Utf16::new(view.a_text), Utf16::new(view.b_text));
        let (a_only, b_only) = roles(p);
        let passages = p.alignment.as_ref().map(|al| {
            al.passages
                .iter()
                .map(|x| PassageData {
                    kind: x.kind,
                    a: ua.span(&x.a),
                    b: ub.span(&x.b),
                    moved: x.moved,
                    edits: x
                        .edits
                        .iter()
                        .map(|e| EditData {
                            a: ua.span(&e.a),
                            b: ub.span(&e.b),
                            at_a: ua.offset(e.at_a),
                            at_b: ub.offset(e.at_b),
                        })
                        .collect(),
                })
                .collect()
        });
        let round = |x: f64| (x * 1e4).round() / 1e4;
        PairData {
            a,
            b,
            a_label: view.a_label.map(str::to_string),
            b_label: view.b_label.map(str::to_string),
            verdict: view.verdict(),
            direction: direction_words(p, short),
            relation: p.relation,
            derived: p.derived.map(|w| match w {
                Which::A => "a",
                Which::B => "b",
            }),
            jaccard: round(p.scores.jaccard),
            containment_a_in_b: round(p.scores.containment_a_in_b),
            containment_b_in_a: round(p.scores.containment_b_in_a),
            a_shingles: p.scores.a_shingles,
            b_shingles: p.scores.b_shingles,
            shared_shingles: p.scores.shared,
            a_only,
            b_only,
            passages,
            cover: p.cover.as_ref().map(|c| {
                let (page, text) = match p.derived {
                    Some(Which::B) => ("b", &ub),
                    _ => ("a", &ua),
                };
                CoverData {
                    page,
                    share: round(c.share),
                    rank: c.rank,
                    explained: round(c.explained),
                    sources: c.sources,
                    spans: c
                        .spans
                        .iter()
                        .map(|r| [text.offset(r.start), text.offset(r.end)])
                        .collect(),
                }
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::html::tests::seeds;
    use crate::Comparer;

    #[test]
    fn verdict_in_words() {
        let (a, b, pair) = seeds();
        let v = PairView::new(&pair, &a.text, &b.text);
        let added = pair.passages(PassageKind::AOnly).count();
        assert_eq!(
            v.verdict(),
            format!(
                "000_97b1e3636e8cd943.txt is a derivative of 002_41678999f0492237.txt: {} of it \
                 comes from the source; it drops {} of the source and adds {added} passages",
                percent(pair.scores.containment_a_in_b),
                percent(1.0 - pair.scores.containment_b_in_a),
            )
        );
        let swapped = Comparer::default().compare(&b, &a);
        let v = PairView::new(&swapped, &b.text, &a.text).labels("article", "repost");
        assert!(v.verdict().starts_with(
            "000_97b1e3636e8cd943.txt is a derivative of 002_41678999f0492237.txt: 81% of it \
             comes from the article; it drops 68% of the article and adds"
        ));
        let same = Comparer::default().compare(&a, &a);
        assert_eq!(
            PairView::new(&same, &a.text, &a.text).verdict(),
            "000_97b1e3636e8cd943.txt and 000_97b1e3636e8cd943.txt are duplicates: 100% of \
             000_97b1e3636e8cd943.txt is in 000_97b1e3636e8cd943.txt and 100% of \
             000_97b1e3636e8cd943.txt is in 000_97b1e3636e8cd943.txt"
        );
    }

    #[test]
    fn utf16_offsets() {
        // (text, byte offset, UTF-16 offset)
        let table: &[(&str, usize, usize)] = &[
            ("abc", 2, 2),
            ("é b", 2, 1),
            ("é b", 3, 2),
            ("“x” 😀 y", 3, 1),
            ("“x” 😀 y", 12, 6),
            ("“x” 😀 y", 14, 8),
            ("😀", 2, 0),
        ];
        for &(text, byte, want) in table {
            assert_eq!(Utf16::new(text).offset(byte), want, "{text:?} at {byte}");
        }
    }
}
