//! `neardup compare`: two files in, the verdict, scores and passages out (the human view or one
//! JSON record on standard output, and an HTML report when asked), each a [`Sink`] the pair is
//! pushed to.

use std::io;

use anyhow::{bail, Result};

use neardup::document::{read_file, ReadOptions};
use neardup::report::html::{refuse_same_file, HtmlFile, HtmlReport};
use neardup::report::{JsonLines, Sink, Terminal};
use neardup::{Document, Pair};

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

/// Runs `neardup compare`: the pair is pushed to each sink, the HTML file's first, and each sink is
/// finished before the next, so a report that cannot be written leaves standard output empty.
pub(crate) fn compare(args: &CompareArgs) -> Result<()> {
    let comparer = args
        .common
        .comparer(!args.no_passages || args.html.is_some())?;
    if let Some(path) = &args.html {
        refuse_same_file(path, &[args.a.clone(), args.b.clone()], "input")?;
    }
    let a = args.common.read(&args.a)?;
    let b = args.common.read(&args.b)?;
    let pair = comparer.compare(&a, &b);
    if let Some(path) = &args.html {
        let title = format!("{} compared with {}", a.id, b.id);
        let mut html = HtmlFile::new(HtmlReport::new(title), path);
        push(&mut html, &pair, &a, &b)?;
    }
    let out = crate::Stdout::new();
    let passages = !args.no_passages;
    let mut sink: Box<dyn Sink> = if args.json {
        Box::new(JsonLines::new(out).passages(passages))
    } else {
        Box::new(Terminal::new(out, args.common.use_color()).passages(passages))
    };
    Ok(push(&mut *sink, &pair, &a, &b)?)
}

/// The events of one compared pair: the pair, then the end.
fn push(sink: &mut dyn Sink, pair: &Pair, a: &Document, b: &Document) -> io::Result<()> {
    sink.pair(pair, a, b)?;
    sink.finish()
}
