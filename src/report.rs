//! Reports: pairs (with their documents' texts) in, text out. Each output format is a [`PairSink`]:
//! [`JsonLines`] writes one pair record per line (the contract shared by `compare`, `dedup` and
//! `check`), [`Terminal`] writes the human view, a verdict and a diff-like list of passages, in colour
//! when asked.
//!
//! The pair record:
//! ```text
//! {"a": id, "b": id, "jaccard": f, "containment_a_in_b": f, "containment_b_in_a": f,
//!  "relation": "duplicate"|"derivative"|"overlap"|"unrelated",
//!  "source": id, "derived": id,                                  (derivatives only)
//!  "passages": [{"kind": "shared"|"changed"|"a_only"|"b_only", "a": [s, e]|null, "b": [s, e]|null,
//!                "moved": true (when so), "edits": [{"a": [s, e]|null, "b": [s, e]|null}] (changed)}]}
//! ```
//! Spans are byte offsets into the UTF-8 texts, end exclusive. Extra fields: `a_shingles`,
//! `b_shingles`, `shared_shingles`, `direction_score`.

use std::io::{self, Write};
use std::ops::Range;

use serde::Serialize;

use crate::align::{Passage, PassageKind};
use crate::compare::Pair;
use crate::document::Document;
use crate::verify::{Relation, Which};

/// Something that consumes pairs.
pub trait PairSink {
    /// A checked document begins; its `matches` pairs follow. Most sinks ignore it (the default);
    /// [`Terminal`] prints a heading.
    fn begin_document(&mut self, doc: &Document, matches: usize) -> io::Result<()> {
        let _ = (doc, matches);
        Ok(())
    }

    /// One pair, with the texts of its two documents.
    fn pair(&mut self, pair: &Pair, a: &Document, b: &Document) -> io::Result<()>;
}

/// The JSON form of a pair.
#[derive(Serialize, Debug)]
pub struct PairRecord<'p> {
    /// Id of a.
    pub a: &'p str,
    /// Id of b.
    pub b: &'p str,
    /// Exact Jaccard of the shingle sets.
    #[serde(serialize_with = "round4")]
    pub jaccard: f64,
    /// Share of a's shingles in b.
    #[serde(serialize_with = "round4")]
    pub containment_a_in_b: f64,
    /// Share of b's shingles in a.
    #[serde(serialize_with = "round4")]
    pub containment_b_in_a: f64,
    /// The relation.
    pub relation: Relation,
    /// For a derivative: the source's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<&'p str>,
    /// For a derivative: the derived document's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub derived: Option<&'p str>,
    /// Distinct shingles of a.
    pub a_shingles: usize,
    /// Distinct shingles of b.
    pub b_shingles: usize,
    /// Shingles in both.
    pub shared_shingles: usize,
    /// Direction evidence: positive leans to a derived from b.
    #[serde(serialize_with = "round4")]
    pub direction_score: f64,
    /// The passages, when aligned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passages: Option<Vec<PassageRecord>>,
}

/// The JSON form of a passage.
#[derive(Serialize, Debug)]
pub struct PassageRecord {
    /// What it is.
    pub kind: PassageKind,
    /// Byte span in a.
    pub a: Option<[usize; 2]>,
    /// Byte span in b.
    pub b: Option<[usize; 2]>,
    /// Found out of order.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub moved: bool,
    /// The small edits of a changed passage.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub edits: Vec<EditRecord>,
}

/// The JSON form of an edit inside a changed passage.
#[derive(Serialize, Debug)]
pub struct EditRecord {
    /// Byte span in a.
    pub a: Option<[usize; 2]>,
    /// Byte span in b.
    pub b: Option<[usize; 2]>,
}

fn round4<S: serde::Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((x * 1e4).round() / 1e4)
}

fn pair_span(r: &Option<Range<usize>>) -> Option<[usize; 2]> {
    r.as_ref().map(|r| [r.start, r.end])
}

impl<'p> PairRecord<'p> {
    /// The record of a pair.
    pub fn of(pair: &'p Pair) -> Self {
        PairRecord {
            a: &pair.a,
            b: &pair.b,
            jaccard: pair.scores.jaccard,
            containment_a_in_b: pair.scores.containment_a_in_b,
            containment_b_in_a: pair.scores.containment_b_in_a,
            relation: pair.relation,
            source: pair.source_id(),
            derived: pair.derived_id(),
            a_shingles: pair.scores.a_shingles,
            b_shingles: pair.scores.b_shingles,
            shared_shingles: pair.scores.shared,
            direction_score: pair.direction_score,
            passages: pair.alignment.as_ref().map(|al| {
                al.passages
                    .iter()
                    .map(|p| PassageRecord {
                        kind: p.kind,
                        a: pair_span(&p.a),
                        b: pair_span(&p.b),
                        moved: p.moved,
                        edits: p
                            .edits
                            .iter()
                            .map(|e| EditRecord {
                                a: pair_span(&e.a),
                                b: pair_span(&e.b),
                            })
                            .collect(),
                    })
                    .collect()
            }),
        }
    }
}

/// Writes one JSON pair record per line.
pub struct JsonLines<W: Write> {
    out: W,
}

impl<W: Write> JsonLines<W> {
    /// A sink writing to `out`.
    pub fn new(out: W) -> Self {
        JsonLines { out }
    }

    /// The writer back.
    pub fn into_inner(self) -> W {
        self.out
    }
}

impl<W: Write> PairSink for JsonLines<W> {
    fn pair(&mut self, pair: &Pair, _a: &Document, _b: &Document) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, &PairRecord::of(pair))?;
        self.out.write_all(b"\n")
    }
}

/// ANSI styles of the terminal view.
#[derive(Clone, Copy)]
enum Style {
    Bold,
    Dim,
    Added,
    Dropped,
    Changed,
}

impl Style {
    fn code(self) -> &'static str {
        match self {
            Style::Bold => "\x1b[1m",
            Style::Dim => "\x1b[2m",
            Style::Added => "\x1b[32m",
            Style::Dropped => "\x1b[31m",
            Style::Changed => "\x1b[33m",
        }
    }
}

/// The human view: a verdict, the scores, then the passages like a diff. Passages only in one text
/// are printed whole; shared passages compactly (their first and last words); changed passages with
/// their edits inline, `[-old-]{+new+}`.
pub struct Terminal<W: Write> {
    out: W,
    color: bool,
    /// Words shown at each end of a shared passage.
    context_words: usize,
}

impl<W: Write> Terminal<W> {
    /// A sink writing to `out`, with ANSI colours when `color`.
    pub fn new(out: W, color: bool) -> Self {
        Terminal {
            out,
            color,
            context_words: 6,
        }
    }

    /// The writer, for a final flush.
    pub fn into_inner(self) -> W {
        self.out
    }

    /// A line naming a checked document and how many sources it matched, before their pairs.
    pub fn heading(&mut self, id: &str, matches: usize) -> io::Result<()> {
        let line = match matches {
            0 => format!("{id}: no matching source"),
            1 => format!("{id}: 1 matching source"),
            n => format!("{id}: {n} matching sources, most covering first"),
        };
        self.styled(Style::Bold, &format!("== {line}"))?;
        writeln!(self.out)?;
        if matches > 0 {
            writeln!(self.out)?;
        }
        Ok(())
    }

    fn styled(&mut self, style: Style, text: &str) -> io::Result<()> {
        if self.color {
            write!(self.out, "{}{}\x1b[0m", style.code(), text)
        } else {
            self.out.write_all(text.as_bytes())
        }
    }
}

/// Whitespace runs folded to one space.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first and last `n` words of a text, joined by an ellipsis when there are more.
fn compact(text: &str, n: usize) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() <= 2 * n + 2 {
        return words.join(" ");
    }
    format!(
        "{} … {}",
        words[..n].join(" "),
        words[words.len() - n..].join(" ")
    )
}

/// A short display name for a document id (a path's file name).
pub(crate) fn short(id: &str) -> &str {
    id.rsplit(['/', '\\']).next().unwrap_or(id)
}

pub(crate) fn percent(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

impl<W: Write> PairSink for Terminal<W> {
    /// [`Terminal::heading`].
    fn begin_document(&mut self, doc: &Document, matches: usize) -> io::Result<()> {
        self.heading(&doc.id, matches)
    }

    fn pair(&mut self, pair: &Pair, a: &Document, b: &Document) -> io::Result<()> {
        let s = &pair.scores;
        let verdict = match (pair.relation, pair.derived_id(), pair.source_id()) {
            (Relation::Derivative, Some(d), Some(src)) => {
                format!("{d} is a derivative of {src}")
            }
            (Relation::Duplicate, ..) => format!("{} and {} are duplicates", pair.a, pair.b),
            (Relation::Overlap, ..) => format!("{} and {} overlap", pair.a, pair.b),
            _ => format!("{} and {} are unrelated", pair.a, pair.b),
        };
        self.styled(Style::Bold, &verdict)?;
        writeln!(self.out)?;
        writeln!(
            self.out,
            "  jaccard {:.2} · {} of {} is in {} · {} of {} is in {}",
            s.jaccard,
            percent(s.containment_a_in_b),
            short(&pair.a),
            short(&pair.b),
            percent(s.containment_b_in_a),
            short(&pair.b),
            short(&pair.a),
        )?;
        writeln!(
            self.out,
            "  shingles: {} in a, {} in b, {} shared",
            s.a_shingles, s.b_shingles, s.shared
        )?;
        let Some(al) = pair.alignment.as_ref() else {
            return Ok(());
        };
        // Labels: what a-only and b-only passages mean for this pair.
        let (a_label, b_label) = match pair.derived {
            Some(Which::A) => (
                format!("added in {}", short(&pair.a)),
                format!("dropped from {}", short(&pair.b)),
            ),
            Some(Which::B) => (
                format!("dropped from {}", short(&pair.a)),
                format!("added in {}", short(&pair.b)),
            ),
            None => (
                format!("only in {}", short(&pair.a)),
                format!("only in {}", short(&pair.b)),
            ),
        };
        let (a_style, b_style) = match pair.derived {
            Some(Which::B) => (Style::Dropped, Style::Added),
            _ => (Style::Added, Style::Dropped),
        };
        writeln!(self.out)?;
        for p in &al.passages {
            self.passage(p, a, b, (&a_label, a_style), (&b_label, b_style))?;
        }
        writeln!(self.out)
    }
}

impl<W: Write> Terminal<W> {
    fn passage(
        &mut self,
        p: &Passage,
        a: &Document,
        b: &Document,
        (a_label, a_style): (&str, Style),
        (b_label, b_style): (&str, Style),
    ) -> io::Result<()> {
        let span = |r: &Option<Range<usize>>| {
            r.as_ref()
                .map_or_else(|| "-".to_string(), |r| format!("{}..{}", r.start, r.end))
        };
        let words = |text: &str| text.split_whitespace().count();
        match p.kind {
            PassageKind::AOnly | PassageKind::BOnly => {
                let (label, style, text, sign) = if p.kind == PassageKind::AOnly {
                    (
                        a_label,
                        a_style,
                        &a.text[p.a.clone().unwrap_or_default()],
                        'a',
                    )
                } else {
                    (
                        b_label,
                        b_style,
                        &b.text[p.b.clone().unwrap_or_default()],
                        'b',
                    )
                };
                let mark = if matches!(style, Style::Added) {
                    "+"
                } else {
                    "-"
                };
                let range = if sign == 'a' { span(&p.a) } else { span(&p.b) };
                self.styled(style, &format!("{mark} {label} [{sign} {range}]"))?;
                writeln!(self.out, " ({} words)", words(text))?;
                self.styled(style, &format!("    {}", flat(text)))?;
                writeln!(self.out)
            }
            PassageKind::Shared => {
                let text = &a.text[p.a.clone().unwrap_or_default()];
                let label = if p.moved { "shared, moved" } else { "shared" };
                self.styled(
                    Style::Dim,
                    &format!(
                        "= {label} [a {}, b {}] ({} words)",
                        span(&p.a),
                        span(&p.b),
                        words(text)
                    ),
                )?;
                writeln!(self.out)?;
                self.styled(
                    Style::Dim,
                    &format!("    {}", compact(text, self.context_words)),
                )?;
                writeln!(self.out)
            }
            PassageKind::Changed => {
                let ra = p.a.clone().unwrap_or_default();
                let text = &a.text[ra.clone()];
                self.styled(
                    Style::Changed,
                    &format!(
                        "~ changed{} [a {}, b {}] ({} words, {} small edits)",
                        if p.moved { ", moved" } else { "" },
                        span(&p.a),
                        span(&p.b),
                        words(text),
                        p.edits.len()
                    ),
                )?;
                writeln!(self.out)?;
                write!(self.out, "    ")?;
                // Shared stretches between edits shown compactly, edits inline.
                let mut at = ra.start;
                for e in &p.edits {
                    let cut = e.at_a.clamp(at, ra.end);
                    let between = compact(&flat(&a.text[at..cut]), 3);
                    if !between.is_empty() {
                        self.styled(Style::Dim, &between)?;
                        write!(self.out, " ")?;
                    }
                    at = cut;
                    if let Some(r) = e.a.as_ref() {
                        self.styled(Style::Dropped, &format!("[-{}-]", flat(&a.text[r.clone()])))?;
                        at = r.end.clamp(at, ra.end);
                    }
                    if let Some(r) = e.b.as_ref() {
                        self.styled(Style::Added, &format!("{{+{}+}}", flat(&b.text[r.clone()])))?;
                    }
                    write!(self.out, " ")?;
                }
                let rest = compact(&flat(&a.text[at.min(ra.end)..ra.end]), 3);
                self.styled(Style::Dim, &rest)?;
                writeln!(self.out)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::Comparer;

    fn seedlike() -> (Document, Document) {
        let src = Document::new(
            "dir/source.txt",
            "one two three four five six seven eight nine ten eleven twelve thirteen fourteen \
             fifteen sixteen seventeen eighteen nineteen twenty",
        );
        let copy = Document::new(
            "dir/copy.txt",
            "Posted today. one two three four five six seven eight nine ten eleven twelve",
        );
        (copy, src)
    }

    #[test]
    fn json_record_has_the_contract_fields() {
        let (copy, src) = seedlike();
        let pair = Comparer::default().compare(&copy, &src);
        let mut sink = JsonLines::new(Vec::new());
        sink.pair(&pair, &copy, &src).unwrap();
        let out = String::from_utf8(sink.into_inner()).unwrap();
        assert!(out.ends_with('\n') && out.lines().count() == 1);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["a"], "dir/copy.txt");
        assert_eq!(v["b"], "dir/source.txt");
        assert_eq!(v["relation"], "derivative");
        assert_eq!(v["derived"], "dir/copy.txt");
        assert_eq!(v["source"], "dir/source.txt");
        for key in ["jaccard", "containment_a_in_b", "containment_b_in_a"] {
            let x = v[key].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&x), "{key}");
        }
        let passages = v["passages"].as_array().unwrap();
        let kinds: Vec<&str> = passages
            .iter()
            .map(|p| p["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["a_only", "shared", "b_only"]);
        assert_eq!(passages[0]["a"], serde_json::json!([0, 13]));
        assert_eq!(passages[0]["b"], serde_json::Value::Null);
    }

    #[test]
    fn terminal_view_names_added_and_dropped() {
        let (copy, src) = seedlike();
        let pair = Comparer::default().compare(&copy, &src);
        let mut sink = Terminal::new(Vec::new(), false);
        sink.pair(&pair, &copy, &src).unwrap();
        let out = String::from_utf8(sink.out).unwrap();
        assert!(
            out.starts_with("dir/copy.txt is a derivative of dir/source.txt\n"),
            "{out}"
        );
        assert!(
            out.contains("+ added in copy.txt [a 0..13] (2 words)\n    Posted today."),
            "{out}"
        );
        assert!(out.contains("- dropped from source.txt"), "{out}");
        assert!(!out.contains('\x1b'), "no colour asked for");
        let mut coloured = Terminal::new(Vec::new(), true);
        coloured.pair(&pair, &copy, &src).unwrap();
        assert!(String::from_utf8(coloured.out)
            .unwrap()
            .contains("\x1b[32m"));
    }
}
