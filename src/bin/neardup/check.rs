//! `neardup check`: documents in, checked against an index; the matches out on standard output
//! (the human view or JSON Lines), an HTML report when asked, and the summary on standard error.

use std::io::{self, Write};

use anyhow::Result;

use neardup::html::HtmlReport;
use neardup::report::{JsonLines, PairSink, Terminal};

use crate::cli::{show_progress, use_color, CheckArgs};
use crate::progress::Bar;

/// Checks every input document; `Ok(true)` when one matched a source.
pub(crate) fn check(args: &CheckArgs) -> Result<bool> {
    use neardup::document::CorpusReader;
    use neardup::index::{Index, Match};
    use rayon::prelude::*;

    let index = Index::open(&args.index)?;
    let spec = args.input.spec();
    let mut reader = CorpusReader::new(&spec);
    let out = io::BufWriter::new(io::stdout().lock());
    let mut json = args.json.then(|| JsonLines::new(out));
    let mut human = (!args.json).then(|| {
        Terminal::new(
            io::BufWriter::new(io::stdout().lock()),
            use_color(args.color),
        )
    });
    let passages = !args.json || args.passages || args.html.is_some();
    let mut html = args.html.as_ref().map(|_| {
        HtmlReport::new(format!("neardup check against {}", args.index.display()))
            .sink_labels("checked document", "source")
    });
    let mut left_out = 0usize;
    let bar = Bar::new(show_progress(args.progress), false);
    neardup::corpus::Progress::stage(&bar, "checking", None);
    let (mut checked, mut matched, mut pairs, mut empty) = (0u64, 0u64, 0u64, 0u64);
    let mut batch = Vec::new();
    let mut done = false;
    while !done {
        batch.clear();
        for doc in reader.by_ref() {
            batch.push(doc?.into_document());
            if batch.len() == 256 {
                break;
            }
        }
        done = batch.len() < 256;
        let results: Vec<Result<Vec<Match>, _>> =
            batch.par_iter().map(|d| index.check(d, passages)).collect();
        neardup::corpus::Progress::advance(&bar, batch.len() as u64);
        for (doc, result) in batch.iter().zip(results) {
            let matches = result?;
            checked += 1;
            empty += u64::from(doc.has_no_words());
            matched += u64::from(!matches.is_empty());
            pairs += matches.len() as u64;
            if let Some(report) = html.as_mut() {
                for m in &matches {
                    if report.len() < args.html_max_pairs {
                        report.pair(&m.pair, doc, &m.source)?;
                    } else {
                        left_out += 1;
                    }
                }
            }
            if let Some(sink) = json.as_mut() {
                for m in &matches {
                    sink.pair(&m.pair, doc, &m.source)?;
                }
            } else if let Some(sink) = human.as_mut() {
                sink.heading(&doc.id, matches.len())?;
                for m in &matches {
                    sink.pair(&m.pair, doc, &m.source)?;
                }
            }
        }
    }
    bar.finish();
    if let Some(sink) = json {
        sink.into_inner().flush()?;
    }
    if let Some(sink) = human {
        sink.into_inner().flush()?;
    }
    if let (Some(report), Some(path)) = (&html, &args.html) {
        report.write_file(path)?;
        if left_out > 0 {
            eprintln!(
                "neardup: {}: {} pairs, {left_out} more left out (--html-max-pairs)",
                path.display(),
                report.len()
            );
        }
    }
    let mut err = io::stderr().lock();
    let skipped = reader.into_summary().skipped;
    for s in &skipped {
        writeln!(err, "neardup: skipped {s}")?;
    }
    writeln!(
        err,
        "checked {checked}: {matched} matched a source ({pairs} pairs), {} matched none (of which {empty} without words); skipped {}",
        checked - matched,
        skipped.len()
    )?;
    Ok(matched > 0)
}
