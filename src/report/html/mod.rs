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
//! Three page shapes come from one [`HtmlReport`], fed pair views by hand ([`HtmlReport::add`]) or
//! events as a [`Sink`] (an [`HtmlFile`] writes it to a file when finished):
//! - one pair (`neardup compare --html`): the pair view at once;
//! - several pairs (one checked document against ranked sources): a list at the top, the chosen
//!   pair's view below;
//! - a dedup run ([`HtmlReport::dedup`], or the [`Sink::cluster`] and [`Sink::summary`] events):
//!   the figures of the run, a histogram of cluster sizes, the largest clusters and the derivative
//!   sources with their members, and the embedded pairs, each pair's view one click away.
//!
//! Spans in the JSON are offsets in UTF-16 code units (what JavaScript strings index), converted
//! from the byte spans of [`crate::align`].
//!
//! The layers, one file each: `view` (a pair as the page shows it: [`PairView`]), `dedup` (a
//! run's overview: [`DedupOverview`]), `page` (the page's bytes and the escaping that makes them
//! safe); this file holds the report being assembled, its sink, and the writing of its file
//! (refused, by [`refuse_same_file`], where it would replace one of the files it is made from).

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::compare::Pair;
use crate::document::Document;
use crate::report::{short, Cluster, Sink};

mod dedup;
mod page;
mod view;

/// The figures of a run, the [`Sink::summary`] event, beside the dedup overview's other types.
pub use crate::report::RunFigures;
pub use dedup::{DedupOverview, Group, Member};
pub use view::PairView;

use dedup::{DedupData, Gathered};
use page::{write_page, Data};
use view::{DocData, PairData};

/// An HTML report being assembled: add pair views (or push events as a [`Sink`]), optionally a
/// dedup overview, then write it with [`HtmlReport::write_to`] or [`HtmlReport::write_file`].
///
/// ```
/// use neardup::{report::html::{HtmlReport, PairView}, Comparer, Document};
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
    /// Labels given to pairs pushed through [`Sink::pair`].
    sink_labels: Option<(String, String)>,
    /// Pairs pushed through [`Sink::pair`] beyond which the rest are left out.
    max_pairs: usize,
    /// Pairs pushed and left out.
    left_out: u64,
    /// The overview being gathered from [`Sink::cluster`] events.
    gathered: Option<Gathered>,
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
            max_pairs: usize::MAX,
            left_out: 0,
            gathered: None,
        }
    }

    /// Names the sides of the pairs pushed through [`Sink::pair`].
    pub fn sink_labels(mut self, a: impl Into<String>, b: impl Into<String>) -> Self {
        self.sink_labels = Some((a.into(), b.into()));
        self
    }

    /// Holds at most `max` of the pairs pushed through [`Sink::pair`] (the first), counting the
    /// others in [`HtmlReport::left_out`].
    pub fn max_pairs(mut self, max: usize) -> Self {
        self.max_pairs = max;
        self
    }

    /// Pairs pushed through [`Sink::pair`] and left out by [`HtmlReport::max_pairs`].
    pub fn left_out(&self) -> u64 {
        self.left_out
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
        self.pairs.push(PairData::of(view, a, b));
        self.pairs.len() - 1
    }

    /// Makes this a dedup report: the overview on the first page, the pair views one click away.
    /// The figures' pair count beyond the views added says how many pairs were left out.
    pub fn dedup(&mut self, overview: DedupOverview) {
        self.dedup = Some(DedupData::new(overview, self.pairs.len()));
    }

    /// Writes the page.
    pub fn write_to(&self, w: impl Write) -> io::Result<()> {
        let data = Data {
            title: &self.title,
            docs: &self.docs,
            pairs: &self.pairs,
            dedup: self.dedup.as_ref(),
        };
        write_page(w, &data)
    }

    /// Writes the page to `path` through a temporary file beside it, renamed into place when
    /// complete, so a failed write never leaves a report that looks finished.
    pub fn write_file(&self, path: &Path) -> Result<(), WriteError> {
        write_atomically(path, |w| self.write_to(w))
    }
}

impl Sink for HtmlReport {
    /// Adds the pair's view, with the labels of [`HtmlReport::sink_labels`], unless the report
    /// holds [`HtmlReport::max_pairs`] already.
    fn pair(&mut self, pair: &Pair, a: &Document, b: &Document) -> io::Result<()> {
        if self.pairs.len() >= self.max_pairs {
            self.left_out += 1;
            return Ok(());
        }
        let labels = self.sink_labels.clone();
        let mut view = PairView::new(pair, &a.text, &b.text);
        if let Some((la, lb)) = &labels {
            view = view.labels(la, lb);
        }
        self.add(&view);
        Ok(())
    }

    /// Lists the group in the dedup overview, its members linked to the views of their pairs.
    fn cluster(&mut self, cluster: &Cluster<'_>) -> io::Result<()> {
        let pairs = &self.pairs;
        self.gathered
            .get_or_insert_with(|| {
                Gathered::new(pairs.iter().enumerate().map(|(k, p)| ((p.a, p.b), k)))
            })
            .cluster(cluster, &self.by_id);
        Ok(())
    }

    /// Makes this a dedup report ([`HtmlReport::dedup`]) of the clusters pushed and `figures`.
    fn summary(&mut self, figures: &RunFigures) -> io::Result<()> {
        let gathered = self.gathered.take().unwrap_or_else(|| Gathered::new([]));
        self.dedup(gathered.overview(figures));
        Ok(())
    }
}

/// An [`HtmlReport`] that writes itself to a file when finished ([`HtmlReport::write_file`]): the
/// HTML sink of a command.
pub struct HtmlFile {
    report: HtmlReport,
    path: PathBuf,
}

impl HtmlFile {
    /// A sink gathering `report`, to be written to `path`.
    pub fn new(report: HtmlReport, path: impl Into<PathBuf>) -> Self {
        HtmlFile {
            report,
            path: path.into(),
        }
    }

    /// The report gathered so far.
    pub fn report(&self) -> &HtmlReport {
        &self.report
    }

    /// Where it is written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Refuses a report path that is the same file as one of `inputs` ([`refuse_same_file`]).
    pub fn refuse_same_file(&self, inputs: &[PathBuf], what: &'static str) -> Result<(), SameFile> {
        refuse_same_file(&self.path, inputs, what)
    }
}

/// Refuses, before any work, a report `path` that is the same file (device and inode, links
/// followed) as one of `inputs`, files named or found in the directories named: writing the
/// report would replace it. `what` says what the inputs are (`input`, `index file`). A path that
/// does not exist yet is no input, and the inputs are listed only when it exists.
pub fn refuse_same_file(
    path: &Path,
    inputs: &[PathBuf],
    what: &'static str,
) -> Result<(), SameFile> {
    use crate::fsutil::FileKey;
    let Some(key @ FileKey::Inode(..)) = FileKey::of(path) else {
        return Ok(());
    };
    let same = crate::document::input_files(inputs)
        .into_iter()
        .find(|input| FileKey::of(input).as_ref() == Some(&key));
    match same {
        Some(other) => Err(SameFile {
            path: path.to_path_buf(),
            what,
            other,
        }),
        None => Ok(()),
    }
}

/// A report that would replace one of the files it is made from ([`refuse_same_file`]).
#[derive(Debug, thiserror::Error)]
#[error("{}: the HTML report would replace the {what} {}, the same file", path.display(), other.display())]
pub struct SameFile {
    /// The report's path, as given.
    pub path: PathBuf,
    /// What the other file is (`input`, `index file`).
    pub what: &'static str,
    /// The file it is the same as, as named or found.
    pub other: PathBuf,
}

impl Sink for HtmlFile {
    fn begin_document(&mut self, doc: &Document, matches: usize) -> io::Result<()> {
        self.report.begin_document(doc, matches)
    }

    fn pair(&mut self, pair: &Pair, a: &Document, b: &Document) -> io::Result<()> {
        self.report.pair(pair, a, b)
    }

    fn record(&mut self, pair: &Pair) -> io::Result<()> {
        self.report.record(pair)
    }

    fn cluster(&mut self, cluster: &Cluster<'_>) -> io::Result<()> {
        self.report.cluster(cluster)
    }

    fn summary(&mut self, figures: &RunFigures) -> io::Result<()> {
        self.report.summary(figures)
    }

    /// Writes the file. The error's message is the [`WriteError`]'s (`path: cannot write: why`),
    /// its kind the cause's.
    fn finish(&mut self) -> io::Result<()> {
        self.report.finish()?;
        self.report
            .write_file(&self.path)
            .map_err(|e| io::Error::new(e.source.kind(), e))
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::compare::Comparer;

    use crate::align::PassageKind;
    use crate::report::html::page::SCRIPT;

    const REPOST: &str = include_str!("../../../seeds/000_97b1e3636e8cd943.txt");
    const ARTICLE: &str = include_str!("../../../seeds/002_41678999f0492237.txt");

    pub(crate) fn seeds() -> (Document, Document, Pair) {
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
                removed_built: 0,
                built: 0,
                pairs: 5,
                derivative_pairs: 5,
                ..RunFigures::default()
            },
            cluster_sizes: vec![],
            clusters: vec![],
            built: vec![],
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

    /// A dedup run's events give the page the overview [`HtmlReport::dedup`] would.
    #[test]
    fn cluster_and_summary_events_make_a_dedup_report() {
        use crate::report::Linked;
        let (a, b, pair) = seeds();
        let figures = RunFigures {
            read: 10,
            pairs: 3,
            ..RunFigures::default()
        };
        let derived = [Linked {
            id: &a.id,
            via: Some(&b.id),
        }];
        let mut pushed = HtmlReport::new("run");
        pushed.pair(&pair, &a, &b).unwrap();
        pushed
            .cluster(&Cluster::Derivatives {
                source: &b.id,
                source_kept: true,
                derived: &derived,
            })
            .unwrap();
        pushed.summary(&figures).unwrap();
        pushed.finish().unwrap();
        let mut given = HtmlReport::new("run");
        let view = given.add(&PairView::new(&pair, &a.text, &b.text));
        given.dedup(DedupOverview {
            figures,
            cluster_sizes: vec![],
            clusters: vec![],
            built: vec![],
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
        let html = render(&pushed);
        assert_eq!(html, render(&given));
        assert_eq!(data(&html)["dedup"]["left_out"], 2);
    }

    #[test]
    fn pairs_beyond_the_maximum_are_counted_not_held() {
        let (a, b, pair) = seeds();
        let mut report = HtmlReport::new("check").max_pairs(2);
        for _ in 0..5 {
            report.pair(&pair, &a, &b).unwrap();
        }
        assert_eq!((report.len(), report.left_out()), (2, 3));
    }

    /// The file sink writes the page when finished, and names the file when it cannot.
    #[test]
    fn html_file_writes_when_finished() {
        let (a, b, pair) = seeds();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.html");
        let mut sink = HtmlFile::new(HtmlReport::new("one"), &path);
        sink.pair(&pair, &a, &b).unwrap();
        assert!(!path.exists());
        sink.finish().unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            render(sink.report())
        );
        let missing = dir.path().join("no/such/dir/r.html");
        let err = HtmlFile::new(HtmlReport::new("one"), &missing)
            .finish()
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        assert!(err
            .to_string()
            .starts_with(&format!("{}: cannot write: ", missing.display())));
    }

    #[test]
    fn report_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<HtmlReport>();
        check::<HtmlFile>();
        check::<PairView<'static>>();
    }
}
