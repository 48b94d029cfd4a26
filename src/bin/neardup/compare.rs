//! `neardup compare`: two files in, the verdict, scores and passages out (the human view or one
//! JSON record on standard output, and an HTML report when asked).

use std::io::{self, Write};

use anyhow::{bail, Context, Result};

use neardup::document::{read_file, ReadOptions};
use neardup::report::html::{HtmlReport, PairView};
use neardup::report::{JsonLines, Sink, Terminal};
use neardup::Document;

use crate::cli::{CommonArgs, CompareArgs};

impl CommonArgs {
    /// Reads one document to compare: an unreadable, empty or wordless file is an error naming
    /// it (invalid UTF-8 with a hint at `--lossy`).
    fn read(&self, path: &std::path::Path) -> Result<Document> {
        let doc = read_file(
            path,
            ReadOptions {
                lossy: self.lossy,
                max_bytes: self.max_doc_bytes.0,
            },
        )
        .map_err(|e| {
            let hint = match e.kind {
                neardup::document::ReadErrorKind::InvalidUtf8(_) => {
                    " (--lossy replaces invalid bytes)"
                }
                _ => "",
            };
            anyhow::anyhow!("{e}{hint}")
        })?;
        if doc.text.trim().is_empty() {
            bail!("{}: empty document", path.display());
        }
        if doc.has_no_words() {
            bail!(
                "{}: no words to compare (only punctuation or symbols)",
                path.display()
            );
        }
        Ok(doc)
    }
}

/// Runs `neardup compare`.
pub(crate) fn compare(args: &CompareArgs) -> Result<()> {
    let comparer = args
        .common
        .comparer(!args.no_passages || args.html.is_some())?;
    let a = args.common.read(&args.a)?;
    let b = args.common.read(&args.b)?;
    let mut pair = comparer.compare(&a, &b);
    if let Some(path) = &args.html {
        let title = format!("{} compared with {}", a.id, b.id);
        let mut report = HtmlReport::new(title);
        report.add(&PairView::new(&pair, &a.text, &b.text));
        report.write_file(path)?;
    }
    if args.no_passages {
        pair.alignment = None;
    }
    let stdout = io::stdout().lock();
    let out = io::BufWriter::new(stdout);
    if args.json {
        let mut sink = JsonLines::new(out);
        sink.pair(&pair, &a, &b).context("writing the output")?;
        sink.into_inner().flush().context("writing the output")?;
    } else {
        let mut sink = Terminal::new(out, args.common.use_color());
        sink.pair(&pair, &a, &b).context("writing the output")?;
    }
    Ok(())
}
