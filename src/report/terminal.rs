//! The terminal view: events in, human text out. A pair is a verdict, its scores, then its
//! passages like a diff; a checked document is a heading before its pairs. Colour (ANSI) only when
//! asked, so the caller decides from the terminal, `--color` and `NO_COLOR`. The other events
//! (clusters, a run's figures) have no terminal form yet and are ignored.
//!
//! Nothing a document says reaches the terminal raw: ids, file names and text pass through
//! [`escape_controls`], so an id holding `ESC ] 0 ;` cannot set the window title, nor one holding
//! a newline forge a verdict line, whatever `--color` says. (JSON output stays exact.)

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::ops::Range;

use super::{direction_words, percent, short, Sink};
use crate::align::{Passage, PassageKind};
use crate::compare::Pair;
use crate::cover::CoverShare;
use crate::document::Document;
use crate::verify::{Relation, Which};

/// `text` with every control character (C0, DEL, C1; so ESC, BEL and line ends too) written as
/// a visible escape such as `\u{1b}`, for a terminal: borrowed when there is none.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
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

/// The colours of a cover's sources, in turn.
const SOURCE_STYLES: [Style; 3] = [Style::Added, Style::Changed, Style::Dropped];

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
    /// Whether the passages of an aligned pair are shown.
    passages: bool,
}

impl<W: Write> Terminal<W> {
    /// A sink writing to `out`, with ANSI colours when `color`.
    pub fn new(out: W, color: bool) -> Self {
        Terminal {
            out,
            color,
            context_words: 6,
            passages: true,
        }
    }

    /// The same sink, showing the passages of an aligned pair only if `passages` (the default).
    pub fn passages(self, passages: bool) -> Self {
        Terminal { passages, ..self }
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

    /// A page built from several sources, once, before the first of their pairs: the sources
    /// with their shares, then the page's passages in order, each marked with its source's
    /// number (`[1]`, `[2]`, ...; coloured in turn) or as the page's own (`[ ]`).
    fn cover(&mut self, id: &str, text: &str, cover: &CoverShare) -> io::Result<()> {
        if cover.parts.is_empty() {
            return Ok(());
        }
        let heading = format!(
            "{} is built from {} sources, which explain {} of it:",
            short(id),
            cover.parts.len(),
            percent(cover.explained)
        );
        self.styled(Style::Bold, &heading)?;
        writeln!(self.out)?;
        for (i, p) in cover.parts.iter().enumerate() {
            let line = format!("  [{}] {} ({})", i + 1, p.source, percent(p.share));
            self.styled(SOURCE_STYLES[i % SOURCE_STYLES.len()], &line)?;
            writeln!(self.out)?;
        }
        // The page cut at every part's spans, in text order.
        let mut marks: Vec<(Range<usize>, Option<usize>)> = cover
            .parts
            .iter()
            .enumerate()
            .flat_map(|(i, p)| p.spans.iter().map(move |r| (r.clone(), Some(i))))
            .collect();
        marks.sort_by_key(|(r, _)| r.start);
        let mut cut: Vec<(Range<usize>, Option<usize>)> = Vec::new();
        let mut at = 0;
        for (r, i) in marks {
            if r.start > at && has_words(&text[at..r.start]) {
                cut.push((at..r.start, None));
            }
            let start = r.start.max(at);
            if r.end > start {
                cut.push((start..r.end, i));
                at = r.end;
            }
        }
        if at < text.len() && has_words(&text[at..]) {
            cut.push((at..text.len(), None));
        }
        for (r, i) in cut {
            let words = text[r.clone()].split_whitespace().count();
            let (label, style) = match i {
                Some(i) => (
                    format!("[{}]", i + 1),
                    SOURCE_STYLES[i % SOURCE_STYLES.len()],
                ),
                None => ("[ ]".to_string(), Style::Dim),
            };
            let line = format!(
                "{label} [a {}..{}] ({words} words) {}",
                r.start,
                r.end,
                compact(&text[r.clone()], self.context_words)
            );
            self.styled(style, &line)?;
            writeln!(self.out)?;
        }
        writeln!(self.out)
    }

    fn styled(&mut self, style: Style, text: &str) -> io::Result<()> {
        let text = escape_controls(text);
        if self.color {
            write!(self.out, "{}{}\x1b[0m", style.code(), text)
        } else {
            self.out.write_all(text.as_bytes())
        }
    }
}

/// Whether a text holds a word (punctuation between two sources' passages is no text of the
/// page's own).
fn has_words(text: &str) -> bool {
    text.chars().any(char::is_alphanumeric)
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

impl<W: Write> Sink for Terminal<W> {
    /// [`Terminal::heading`].
    fn begin_document(&mut self, doc: &Document, matches: usize) -> io::Result<()> {
        self.heading(&doc.id, matches)
    }

    fn pair(&mut self, pair: &Pair, a: &Document, b: &Document) -> io::Result<()> {
        if let Some(cover) = pair.cover.as_ref().filter(|c| c.rank == 1) {
            self.cover(&pair.a, &a.text, cover)?;
        }
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
            escape_controls(short(&pair.a)),
            escape_controls(short(&pair.b)),
            percent(s.containment_b_in_a),
            escape_controls(short(&pair.b)),
            escape_controls(short(&pair.a)),
        )?;
        writeln!(
            self.out,
            "  shingles: {} in a, {} in b, {} shared",
            s.a_shingles, s.b_shingles, s.shared
        )?;
        if let Some(words) = direction_words(pair, short) {
            writeln!(self.out, "  direction: {}", escape_controls(&words))?;
        }
        let Some(al) = pair.alignment.as_ref().filter(|_| self.passages) else {
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

    /// Flushes the writer.
    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

impl<W: Write> Terminal<W> {
    /// A passage shown dimmed: its `head` with its word count, then its text, compacted.
    fn dim_passage(&mut self, head: &str, text: &str) -> io::Result<()> {
        let words = text.split_whitespace().count();
        self.styled(Style::Dim, &format!("{head} ({words} words)"))?;
        writeln!(self.out)?;
        self.styled(
            Style::Dim,
            &format!("    {}", compact(text, self.context_words)),
        )?;
        writeln!(self.out)
    }

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
            PassageKind::Boilerplate => {
                let (at, text) = match (&p.a, &p.b) {
                    (Some(ra), Some(_)) => (
                        format!("a {}, b {}", span(&p.a), span(&p.b)),
                        &a.text[ra.clone()],
                    ),
                    (Some(ra), None) => (format!("a {}", span(&p.a)), &a.text[ra.clone()]),
                    (None, Some(rb)) => (format!("b {}", span(&p.b)), &b.text[rb.clone()]),
                    (None, None) => return Ok(()),
                };
                self.dim_passage(&format!("· boilerplate [{at}]"), text)
            }
            PassageKind::Shared => {
                let text = &a.text[p.a.clone().unwrap_or_default()];
                let label = if p.moved { "shared, moved" } else { "shared" };
                self.dim_passage(
                    &format!("= {label} [a {}, b {}]", span(&p.a), span(&p.b)),
                    text,
                )
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
pub(crate) mod tests {
    use super::*;
    use crate::compare::Comparer;

    pub(crate) fn seedlike() -> (Document, Document) {
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

    /// Issue 13: ids and text were printed raw, so an id holding `ESC ] 0 ; ... BEL` set the
    /// terminal's title and one holding a newline forged a line, even without colour.
    #[test]
    fn what_a_document_says_reaches_the_terminal_escaped() {
        assert_eq!(escape_controls("plain · text"), "plain · text");
        assert!(matches!(escape_controls("plain"), Cow::Borrowed(_)));
        assert_eq!(
            escape_controls("a\x1b[31mb\u{7}\n\u{9b}\u{7f}"),
            "a\\u{1b}[31mb\\u{7}\\u{a}\\u{9b}\\u{7f}"
        );
        let (mut copy, mut src) = seedlike();
        copy.id = "dir/\x1b]0;pwned\x07copy.txt".into();
        copy.text = copy.text.replacen("today", "to\x1b[2Jday", 1);
        src.id = "x\nX and Y are duplicates".into();
        let pair = Comparer::default().compare(&copy, &src);
        for color in [false, true] {
            let mut sink = Terminal::new(Vec::new(), color);
            sink.heading(&copy.id, 1).unwrap();
            sink.pair(&pair, &copy, &src).unwrap();
            let out = String::from_utf8(sink.out).unwrap();
            // Once the view's own colour codes are taken out, no control character but the
            // line ends is left.
            let mut bare = out.clone();
            for code in [
                "\x1b[1m", "\x1b[2m", "\x1b[32m", "\x1b[31m", "\x1b[33m", "\x1b[0m",
            ] {
                bare = bare.replace(code, "");
            }
            assert!(
                !bare.chars().any(|c| c.is_control() && c != '\n'),
                "{out:?}"
            );
            assert_eq!(bare != out, color, "{out:?}");
            assert!(!out.lines().any(|l| l.starts_with("X and Y")), "{out:?}");
            assert!(out.contains("\\u{1b}]0;pwned\\u{7}copy.txt"), "{out:?}");
            assert!(out.contains("to\\u{1b}[2Jday"), "{out:?}");
        }
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
        let mut bare = Terminal::new(Vec::new(), false).passages(false);
        bare.pair(&pair, &copy, &src).unwrap();
        let bare = String::from_utf8(bare.out).unwrap();
        assert!(
            out.starts_with(&bare) && !bare.contains("added in"),
            "{bare}"
        );
    }
}
