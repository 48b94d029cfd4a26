//! `neardup check`: documents in, checked against an index by the library's
//! [`Index::check_corpus`]; the matches out on standard output (the human view or JSON Lines), an
//! HTML report when asked, and the summary on standard error. This file only builds the sinks
//! and prints what the check counted.

use std::io::{self, Write};

use anyhow::Result;

use neardup::compare::Pair;
use neardup::index::Index;
use neardup::report::html::HtmlReport;
use neardup::report::{JsonLines, Sink, Terminal};
use neardup::Document;

use crate::cli::{show_progress, use_color, CheckArgs};
use crate::progress::Bar;

/// The HTML report as a sink that holds the first `max` pairs and counts the ones left out.
struct CappedHtml {
    report: HtmlReport,
    max: usize,
    left_out: usize,
}

impl Sink for CappedHtml {
    fn pair(&mut self, pair: &Pair, a: &Document, b: &Document) -> io::Result<()> {
        if self.report.len() < self.max {
            self.report.pair(pair, a, b)
        } else {
            self.left_out += 1;
            Ok(())
        }
    }
}

/// Checks every input document; `Ok(true)` when one matched a source.
pub(crate) fn check(args: &CheckArgs) -> Result<bool> {
    let index = Index::open(&args.index)?;
    let out = io::BufWriter::new(io::stdout().lock());
    let mut json = args.json.then(|| JsonLines::new(out));
    let mut human = (!args.json).then(|| {
        Terminal::new(
            io::BufWriter::new(io::stdout().lock()),
            use_color(args.color),
        )
    });
    let passages = !args.json || args.passages || args.html.is_some();
    let mut html = args.html.as_ref().map(|_| CappedHtml {
        report: HtmlReport::new(format!("neardup check against {}", args.index.display()))
            .sink_labels("checked document", "source"),
        max: args.html_max_pairs,
        left_out: 0,
    });
    let bar = Bar::new(show_progress(args.progress), false);
    let mut sinks: Vec<&mut dyn Sink> = Vec::new();
    if let Some(sink) = html.as_mut() {
        sinks.push(sink);
    }
    if let Some(sink) = json.as_mut() {
        sinks.push(sink);
    }
    if let Some(sink) = human.as_mut() {
        sinks.push(sink);
    }
    let summary = index.check_corpus(&args.input.spec(), passages, &mut sinks, &bar)?;
    bar.finish();
    if let Some(sink) = json {
        sink.into_inner().flush()?;
    }
    if let Some(sink) = human {
        sink.into_inner().flush()?;
    }
    if let (Some(html), Some(path)) = (&html, &args.html) {
        html.report.write_file(path)?;
        if html.left_out > 0 {
            eprintln!(
                "neardup: {}: {} pairs, {} more left out (--html-max-pairs)",
                path.display(),
                html.report.len(),
                html.left_out
            );
        }
    }
    let mut err = io::stderr().lock();
    for s in &summary.skipped {
        writeln!(err, "neardup: skipped {s}")?;
    }
    writeln!(
        err,
        "checked {}: {} matched a source ({} pairs), {} matched none (of which {} without words); skipped {}",
        summary.checked,
        summary.matched,
        summary.pairs,
        summary.unmatched(),
        summary.empty,
        summary.skipped.len()
    )?;
    Ok(summary.matched > 0)
}
