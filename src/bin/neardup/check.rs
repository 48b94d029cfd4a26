//! `neardup check`: documents in, checked against an index by the library's
//! [`Index::check_corpus`]; the matches out on standard output (the human view or JSON Lines), an
//! HTML report when asked (each a [`neardup::report::Sink`] the check pushes to), and the summary
//! on standard error. This file only builds the sinks and prints what the check counted.

use neardup::report::terminal::escape_controls;
use std::io::{self, Write};

use anyhow::Result;

use neardup::index::Index;
use neardup::report::html::{HtmlFile, HtmlReport};
use neardup::report::{JsonLines, Sink, Terminal};

use crate::cli::{show_progress, use_color, CheckArgs};
use crate::progress::Bar;

/// Checks every input document; `Ok(true)` when one matched a source.
pub(crate) fn check(args: &CheckArgs) -> Result<bool> {
    let html = args.html.as_ref().map(|path| {
        let report = HtmlReport::new(format!("neardup check against {}", args.index.display()))
            .sink_labels("checked document", "source")
            .max_pairs(args.html_max_pairs);
        HtmlFile::new(report, path)
    });
    // The report replaces neither a checked document nor a file of the index.
    if let Some(html) = &html {
        html.refuse_same_file(&args.input.inputs, "input")?;
        html.refuse_same_file(std::slice::from_ref(&args.index), "index file")?;
    }
    let mut index = Index::open(&args.index)?;
    index.set_cover(args.part_floor.cover());
    let mut json = args.json.then(|| JsonLines::new(crate::Stdout::new()));
    let mut human =
        (!args.json).then(|| Terminal::new(crate::Stdout::new(), use_color(args.color)));
    let passages = !args.json || args.passages || args.html.is_some();
    let mut html = html;
    let bar = Bar::new(show_progress(args.progress), false);
    // Standard output's sinks first: it is flushed before the report file is written.
    let mut sinks: Vec<&mut dyn Sink> = Vec::new();
    if let Some(sink) = json.as_mut() {
        sinks.push(sink);
    }
    if let Some(sink) = human.as_mut() {
        sinks.push(sink);
    }
    if let Some(sink) = html.as_mut() {
        sinks.push(sink);
    }
    let summary = index.check_corpus(&args.input.spec(), passages, &mut sinks, &bar)?;
    bar.finish();
    for sink in sinks {
        sink.finish()?;
    }
    if let Some(html) = &html {
        let report = html.report();
        if report.left_out() > 0 {
            eprintln!(
                "neardup: {}: {} pairs, {} more left out (--html-max-pairs)",
                html.path().display(),
                report.len(),
                report.left_out()
            );
        }
    }
    let mut err = io::stderr().lock();
    for s in &summary.skipped {
        writeln!(err, "neardup: skipped {}", escape_controls(&s.to_string()))?;
    }
    writeln!(
        err,
        "checked {}: {} matched a source ({} pairs; {} made of several sources), {} matched none (of which {} without words); skipped {}",
        summary.checked,
        summary.matched,
        summary.pairs,
        summary.covered,
        summary.unmatched(),
        summary.empty,
        summary.skipped.len()
    )?;
    Ok(summary.matched > 0)
}
