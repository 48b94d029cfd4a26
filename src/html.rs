//! HTML reports: aligned pairs (with their texts) in, one self-contained HTML file out, in which a
//! browser shows the two texts side by side with their passages aligned and coloured.
//!
//! The file has no outside references: its CSS and JavaScript are inline and it loads nothing, so it
//! opens from disk and can be mailed. The data (documents, scores, passages) is one JSON object
//! inside `<script type="application/json">`, and the page is drawn from it by the script, only
//! with DOM calls that take text (`createTextNode`, `textContent`, `setAttribute`), never by parsing
//! markup. That is what makes document text safe: in the JSON every `<`, `>` and `&` is written as
//! a `\u003c`-style escape, so no text can close the script element, and once parsed the text only
//! ever becomes text nodes. A document holding `<script>` or `</textarea>` shows those characters.
//!
//! It also keeps large runs small: each document's text is embedded once however many pairs it is
//! in, and a pair's side-by-side view is drawn only when the reader opens it.
//!
//! Three page shapes come from one [`HtmlReport`]:
//! - one pair (`neardup compare --html`): the pair view at once;
//! - several pairs (one checked document against ranked sources): a list at the top, the chosen
//!   pair's view below;
//! - a dedup run ([`HtmlReport::dedup`]): the figures of the run, a histogram of cluster sizes,
//!   the largest clusters and the derivative sources with their members, and the embedded pairs,
//!   each pair's view one click away.
//!
//! Spans in the JSON are offsets in UTF-16 code units (what JavaScript strings index), converted
//! from the byte spans of [`crate::align`].

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::ops::Range;
use std::path::Path;

use serde::Serialize;

use crate::align::PassageKind;
use crate::compare::Pair;
use crate::document::Document;
use crate::report::{percent, short, PairSink};
use crate::verify::{Relation, Which};

const STYLE: &str = include_str!("html/report.css");
const SCRIPT: &str = include_str!("html/report.js");

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
struct DocData {
    id: String,
    name: String,
    text: String,
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
struct PairData {
    /// Indices into the documents.
    a: usize,
    b: usize,
    a_label: Option<String>,
    b_label: Option<String>,
    verdict: String,
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
}

/// The figures of a dedup run, as its report shows them.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RunFigures {
    /// Documents read.
    pub read: u64,
    /// Documents kept.
    pub kept: u64,
    /// Documents removed as duplicates.
    pub removed_duplicates: u64,
    /// Documents removed as derivatives.
    pub removed_derivatives: u64,
    /// Verified pairs.
    pub pairs: u64,
    /// Of which duplicates.
    pub duplicate_pairs: u64,
    /// Of which derivatives.
    pub derivative_pairs: u64,
    /// Clusters of duplicates.
    pub clusters: u64,
}

/// A document listed in a cluster or under a source, with the pair that links it, when that pair
/// is in the report.
#[derive(Clone, Debug, Serialize)]
pub struct Member {
    /// The document's id.
    pub id: String,
    /// Index of its pair view, as returned by [`HtmlReport::add`].
    pub view: Option<usize>,
}

/// A group of documents the report lists: a cluster of duplicates (the head is the kept
/// representative) or a source with its derivatives (the head is the source).
#[derive(Clone, Debug, Serialize)]
pub struct Group {
    /// The representative or the source.
    pub head: String,
    /// Whether the head is kept.
    pub head_kept: bool,
    /// Documents in the group besides the head.
    pub size: usize,
    /// The first of them, each with its pair view when there is one.
    pub members: Vec<Member>,
}

/// What a dedup report shows besides its pairs.
#[derive(Clone, Debug, Default)]
pub struct DedupOverview {
    /// The run's figures.
    pub figures: RunFigures,
    /// The size of every cluster of duplicates, for the histogram.
    pub cluster_sizes: Vec<usize>,
    /// The largest clusters, largest first.
    pub clusters: Vec<Group>,
    /// The sources with the most derivatives, most first.
    pub sources: Vec<Group>,
}

#[derive(Serialize)]
struct DedupData {
    figures: RunFigures,
    /// Verified pairs not embedded.
    left_out: u64,
    histogram: Vec<Bucket>,
    clusters: Vec<Group>,
    sources: Vec<Group>,
}

#[derive(Serialize)]
struct Bucket {
    label: String,
    clusters: usize,
    documents: usize,
}

/// Cluster sizes in buckets 2, 3, 4, 5-8, 9-16, ...: (label, clusters, documents in them).
fn histogram(sizes: &[usize]) -> Vec<Bucket> {
    let bucket = |s: usize| match s {
        0..=4 => s,
        _ => 4 + (usize::BITS - (s - 1).leading_zeros()) as usize - 2,
    };
    let mut out: Vec<Bucket> = Vec::new();
    let mut counts: Vec<(usize, usize)> = Vec::new();
    for &s in sizes.iter().filter(|&&s| s >= 2) {
        let k = bucket(s);
        if counts.len() <= k {
            counts.resize(k + 1, (0, 0));
        }
        counts[k].0 += 1;
        counts[k].1 += s;
    }
    for (k, &(clusters, documents)) in counts.iter().enumerate().skip(2) {
        let label = if k <= 4 {
            k.to_string()
        } else {
            let hi = 1usize << (k - 2);
            format!("{}–{hi}", hi / 2 + 1)
        };
        out.push(Bucket {
            label,
            clusters,
            documents,
        });
    }
    out
}

#[derive(Serialize)]
struct Data<'r> {
    title: &'r str,
    docs: &'r [DocData],
    pairs: &'r [PairData],
    dedup: Option<&'r DedupData>,
}

/// An HTML report being assembled: add pair views (or push pairs as a [`PairSink`]), optionally a
/// dedup overview, then write it with [`HtmlReport::write_to`] or [`HtmlReport::write_file`].
///
/// ```
/// use neardup::{html::{HtmlReport, PairView}, Comparer, Document};
///
/// let a = Document::new("page", "Posted today. one two three four five six seven eight nine");
/// let b = Document::new("article", "one two three four five six seven eight nine ten eleven");
/// let pair = Comparer::default().compare(&a, &b);
/// let mut report = HtmlReport::new("page against article");
/// report.add(&PairView::new(&pair, &a.text, &b.text).labels("checked document", "source"));
/// let mut html = Vec::new();
/// report.write_to(&mut html)?;
/// assert!(String::from_utf8(html).unwrap().starts_with("<!DOCTYPE html>"));
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct HtmlReport {
    title: String,
    docs: Vec<DocData>,
    /// Document id to the indices of the documents with that id (more than one when texts differ).
    by_id: HashMap<String, Vec<usize>>,
    pairs: Vec<PairData>,
    dedup: Option<DedupData>,
    /// Labels given to pairs pushed through [`PairSink`].
    sink_labels: Option<(String, String)>,
}

impl HtmlReport {
    /// An empty report with a title (shown in the browser's tab and at the top of the page).
    pub fn new(title: impl Into<String>) -> Self {
        HtmlReport {
            title: title.into(),
            docs: Vec::new(),
            by_id: HashMap::new(),
            pairs: Vec::new(),
            dedup: None,
            sink_labels: None,
        }
    }

    /// Names the sides of the pairs pushed through [`PairSink::pair`].
    pub fn sink_labels(mut self, a: impl Into<String>, b: impl Into<String>) -> Self {
        self.sink_labels = Some((a.into(), b.into()));
        self
    }

    /// Number of pair views.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// True when the report has no pair views.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    fn doc(&mut self, id: &str, text: &str) -> usize {
        let same = self
            .by_id
            .get(id)
            .and_then(|ds| ds.iter().copied().find(|&d| self.docs[d].text == text));
        if let Some(d) = same {
            return d;
        }
        let d = self.docs.len();
        self.docs.push(DocData {
            id: id.to_string(),
            name: short(id).to_string(),
            text: text.to_string(),
        });
        self.by_id.entry(id.to_string()).or_default().push(d);
        d
    }

    /// Adds a pair view; returns its index, by which dedup groups link to it. Texts are stored
    /// once per document.
    pub fn add(&mut self, view: &PairView<'_>) -> usize {
        let p = view.pair;
        let a = self.doc(&p.a, view.a_text);
        let b = self.doc(&p.b, view.b_text);
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
        self.pairs.push(PairData {
            a,
            b,
            a_label: view.a_label.map(str::to_string),
            b_label: view.b_label.map(str::to_string),
            verdict: view.verdict(),
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
        });
        self.pairs.len() - 1
    }

    /// Makes this a dedup report: the overview on the first page, the pair views one click away.
    /// The figures' pair count beyond the views added says how many pairs were left out.
    pub fn dedup(&mut self, overview: DedupOverview) {
        let left_out = overview
            .figures
            .pairs
            .saturating_sub(self.pairs.len() as u64);
        self.dedup = Some(DedupData {
            histogram: histogram(&overview.cluster_sizes),
            figures: overview.figures,
            left_out,
            clusters: overview.clusters,
            sources: overview.sources,
        });
    }

    /// Writes the page.
    pub fn write_to(&self, mut w: impl Write) -> io::Result<()> {
        w.write_all(
            b"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
              <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
              <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
              style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; \
              base-uri 'none'; form-action 'none'\">\n\
              <meta name=\"generator\" content=\"neardup\">\n<title>",
        )?;
        w.write_all(escape_html(&self.title).as_bytes())?;
        w.write_all(b"</title>\n<style>\n")?;
        w.write_all(STYLE.as_bytes())?;
        w.write_all(
            b"</style>\n</head>\n<body>\n<noscript><p class=\"noscript\">This report is drawn by \
              JavaScript; allow scripts for this file to see it.</p></noscript>\n\
              <main id=\"app\"></main>\n<script type=\"application/json\" id=\"neardup-data\">",
        )?;
        let data = Data {
            title: &self.title,
            docs: &self.docs,
            pairs: &self.pairs,
            dedup: self.dedup.as_ref(),
        };
        let mut safe = ScriptSafe(&mut w);
        serde_json::to_writer(&mut safe, &data)?;
        w.write_all(b"</script>\n<script>\n")?;
        w.write_all(SCRIPT.as_bytes())?;
        w.write_all(b"</script>\n</body>\n</html>\n")
    }

    /// Writes the page to `path` through a temporary file beside it, renamed into place when
    /// complete, so a failed write never leaves a report that looks finished.
    pub fn write_file(&self, path: &Path) -> Result<(), WriteError> {
        write_atomically(path, |w| self.write_to(w))
    }
}

impl PairSink for HtmlReport {
    /// Adds the pair's view, with the labels of [`HtmlReport::sink_labels`].
    fn pair(&mut self, pair: &Pair, a: &Document, b: &Document) -> io::Result<()> {
        let labels = self.sink_labels.clone();
        let mut view = PairView::new(pair, &a.text, &b.text);
        if let Some((la, lb)) = &labels {
            view = view.labels(la, lb);
        }
        self.add(&view);
        Ok(())
    }
}

/// Writes a report of the given pair views to `w`: one pair's view, or a list of the pairs with the
/// chosen one's view below (as for one checked document against several sources).
pub fn write_pair_report(w: impl Write, title: &str, views: &[PairView<'_>]) -> io::Result<()> {
    let mut report = HtmlReport::new(title);
    for v in views {
        report.add(v);
    }
    report.write_to(w)
}

/// A report file that could not be written.
#[derive(Debug, thiserror::Error)]
#[error("{}: cannot write: {source}", path.display())]
pub struct WriteError {
    /// The report's path.
    pub path: std::path::PathBuf,
    /// Why.
    #[source]
    pub source: io::Error,
}

/// Writes through a temporary file beside `path`, renamed into place only when `write` succeeds.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>,
) -> Result<(), WriteError> {
    let fail = |source| WriteError {
        path: path.to_path_buf(),
        source,
    };
    crate::fsutil::write_atomically(
        path,
        crate::fsutil::TempName::Output,
        |w| write(w).map_err(fail),
        fail,
    )
}

/// Text for an HTML element or a quoted attribute.
fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A writer of JSON that is safe inside a `<script>` element: `<`, `>` and `&`, which JSON has only
/// inside strings, become `\u003c`, `\u003e` and `\u0026`, so no `</script>` or `<!--` can appear.
struct ScriptSafe<W: Write>(W);

impl<W: Write> Write for ScriptSafe<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut start = 0;
        for (i, &byte) in buf.iter().enumerate() {
            let escaped: &[u8] = match byte {
                b'<' => b"\\u003c",
                b'>' => b"\\u003e",
                b'&' => b"\\u0026",
                _ => continue,
            };
            self.0.write_all(&buf[start..i])?;
            self.0.write_all(escaped)?;
            start = i + 1;
        }
        self.0.write_all(&buf[start..])?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::Comparer;

    const REPOST: &str = include_str!("../seeds/000_97b1e3636e8cd943.txt");
    const ARTICLE: &str = include_str!("../seeds/002_41678999f0492237.txt");

    fn seeds() -> (Document, Document, Pair) {
        let a = Document::new("seeds/000_97b1e3636e8cd943.txt", REPOST);
        let b = Document::new("seeds/002_41678999f0492237.txt", ARTICLE);
        let pair = Comparer::default().compare(&a, &b);
        (a, b, pair)
    }

    fn render(report: &HtmlReport) -> String {
        let mut out = Vec::new();
        report.write_to(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// The JSON data block of a page, parsed.
    fn data(html: &str) -> serde_json::Value {
        let open = "<script type=\"application/json\" id=\"neardup-data\">";
        let start = html.find(open).unwrap() + open.len();
        let end = start + html[start..].find("</script>").unwrap();
        serde_json::from_str(&html[start..end]).unwrap()
    }

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

    #[test]
    fn histogram_buckets() {
        let h = histogram(&[2, 2, 3, 5, 8, 9, 40, 1]);
        let rows: Vec<(&str, usize, usize)> = h
            .iter()
            .map(|b| (b.label.as_str(), b.clusters, b.documents))
            .collect();
        assert_eq!(
            rows,
            [
                ("2", 2, 4),
                ("3", 1, 3),
                ("4", 0, 0),
                ("5–8", 2, 13),
                ("9–16", 1, 9),
                ("17–32", 0, 0),
                ("33–64", 1, 40)
            ]
        );
    }

    #[test]
    fn texts_are_embedded_once_and_spans_index_them() {
        let (a, b, pair) = seeds();
        let mut report = HtmlReport::new("seeds");
        report.add(&PairView::new(&pair, &a.text, &b.text));
        report.add(&PairView::new(&pair, &a.text, &b.text));
        let d = data(&render(&report));
        assert_eq!(d["docs"].as_array().unwrap().len(), 2);
        assert_eq!(d["pairs"].as_array().unwrap().len(), 2);
        let text: Vec<u16> = d["docs"][0]["text"]
            .as_str()
            .unwrap()
            .encode_utf16()
            .collect();
        let added: Vec<String> = d["pairs"][0]["passages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["kind"] == "a_only")
            .map(|p| {
                let (s, e) = (p["a"][0].as_u64().unwrap(), p["a"][1].as_u64().unwrap());
                String::from_utf16(&text[s as usize..e as usize]).unwrap()
            })
            .collect();
        let want: Vec<&str> = pair
            .passages(PassageKind::AOnly)
            .map(|p| &a.text[p.a.clone().unwrap()])
            .collect();
        assert_eq!(added, want);
        assert_eq!(d["pairs"][0]["a_only"], "added");
        assert_eq!(d["pairs"][0]["b_only"], "dropped");
    }

    /// Markup in document text stays text: the page's only live tags are its own.
    #[test]
    fn document_text_cannot_inject_markup() {
        let nasty = [
            "<script>alert(1)</script>",
            "</textarea><b>bold</b>",
            "say \"hi\" and 'bye'",
            "<a href=\"javascript:alert(1)\">click</a> javascript:alert(1)",
            "</script><img src=x onerror=alert(1)>",
            "<!-- <script> --> & &amp; &lt;",
        ];
        let text_a = format!(
            "Intro words here. {} The end of the story.",
            nasty.join(" ")
        );
        let text_b = format!("{} The end of the story, said the source.", nasty.join(" "));
        let a = Document::new("<script>alert('id')</script>.txt", text_a.as_str());
        let b = Document::new("b\"><img src=x>", text_b.as_str());
        let pair = Comparer::default().compare(&a, &b);
        let mut report = HtmlReport::new(format!("{} vs {}", a.id, b.id));
        report.add(&PairView::new(&pair, &a.text, &b.text).labels("</title><script>", "src"));
        let html = render(&report);
        let lower = html.to_lowercase();
        assert_eq!(
            lower.matches("<script").count(),
            2,
            "only the page's scripts"
        );
        assert_eq!(lower.matches("</script").count(), 2);
        for bad in ["<img", "<b>", "</textarea", "<a href", "<!--"] {
            assert!(!lower.contains(bad), "{bad} is live in the page");
        }
        assert!(html.contains(r"\u003c/script\u003e\u003cimg src=x onerror=alert(1)\u003e"));
        assert!(html.contains(
            "<title>&lt;script&gt;alert(&#39;id&#39;)&lt;/script&gt;.txt vs b&quot;&gt;&lt;img \
             src=x&gt;</title>"
        ));
        // Nothing was lost: the texts come back whole from the data.
        let d = data(&html);
        assert_eq!(d["docs"][0]["text"], text_a);
        assert_eq!(d["docs"][1]["text"], text_b);
        assert_eq!(d["docs"][0]["id"], a.id);
        assert_eq!(d["pairs"][0]["a_label"], "</title><script>");
        // The script builds the page from text only.
        assert!(!SCRIPT.contains("innerHTML") && !SCRIPT.contains("insertAdjacentHTML"));
        assert!(!SCRIPT.contains("document.write") && !SCRIPT.contains("eval("));
    }

    #[test]
    fn dedup_report_counts_what_it_left_out() {
        let (a, b, pair) = seeds();
        let mut report = HtmlReport::new("run");
        let view = report.add(&PairView::new(&pair, &a.text, &b.text));
        report.dedup(DedupOverview {
            figures: RunFigures {
                read: 10,
                kept: 8,
                removed_derivatives: 2,
                pairs: 5,
                derivative_pairs: 5,
                ..RunFigures::default()
            },
            cluster_sizes: vec![],
            clusters: vec![],
            sources: vec![Group {
                head: b.id.clone(),
                head_kept: true,
                size: 1,
                members: vec![Member {
                    id: a.id.clone(),
                    view: Some(view),
                }],
            }],
        });
        let d = data(&render(&report));
        assert_eq!(d["dedup"]["left_out"], 4);
        assert_eq!(d["dedup"]["figures"]["read"], 10);
        assert_eq!(d["dedup"]["sources"][0]["members"][0]["view"], 0);
    }

    #[test]
    fn report_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<HtmlReport>();
        check::<PairView<'static>>();
    }
}
