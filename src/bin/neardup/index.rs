//! `neardup index build | add | stats`: sources in, an index directory written (or read) through
//! the library's `IndexWriter` and `Index`, and what was done printed: the add report on standard
//! error, the statistics on standard output.

use neardup::report::terminal::escape_controls;
use std::io::{self, Write};

use anyhow::Result;

use crate::cli::{show_progress, IndexAddArgs, IndexBuildArgs, IndexStatsArgs};
use crate::progress::Bar;

/// Prints what an add did, on standard error.
fn print_add_report(report: &neardup::index::AddReport, index: &std::path::Path) -> Result<()> {
    let mut err = io::stderr().lock();
    for s in &report.skipped {
        writeln!(err, "neardup: skipped {}", escape_controls(&s.to_string()))?;
    }
    for a in &report.already {
        writeln!(
            err,
            "neardup: {}: id {:?} is already in the index; not added (--replace updates it)",
            a.origin, a.id
        )?;
    }
    writeln!(
        err,
        "{}: added {}, replaced {}, already there {}, skipped {}; empty {}; {} sources in the index",
        index.display(),
        report.added,
        report.replaced,
        report.already.len(),
        report.skipped.len(),
        report.empty,
        report.total,
    )?;
    Ok(())
}

/// Runs `neardup index build`.
pub(crate) fn build(args: &IndexBuildArgs) -> Result<()> {
    use neardup::index::IndexWriter;
    if args.matching.containment == crate::cli::ContainmentArg::Off {
        anyhow::bail!(
            "--containment off is for dedup; an index reports containment (give a share, e.g. --containment 1)"
        );
    }
    let config = args.matching.config()?;
    let bar = Bar::new(show_progress(args.progress), false);
    let mut writer = IndexWriter::create(&args.index, &config)?;
    writer.add_corpus(&args.input.spec(), false, &bar)?;
    let report = writer.commit()?;
    bar.finish();
    print_add_report(&report, &args.index)
}

/// Runs `neardup index add`.
pub(crate) fn add(args: &IndexAddArgs) -> Result<()> {
    use neardup::index::IndexWriter;
    let bar = Bar::new(show_progress(args.progress), false);
    let mut writer = IndexWriter::open(&args.index)?;
    writer.add_corpus(&args.input.spec(), args.replace, &bar)?;
    let report = writer.commit()?;
    bar.finish();
    print_add_report(&report, &args.index)
}

/// Runs `neardup index stats`.
pub(crate) fn stats(args: &IndexStatsArgs) -> Result<()> {
    let index = neardup::index::Index::open(&args.index)?;
    let s = index.stats()?;
    let mut out = crate::Stdout::new();
    if args.json {
        serde_json::to_writer(&mut out, &s)?;
        writeln!(out)?;
        out.flush()?;
        return Ok(());
    }
    writeln!(out, "index {}", args.index.display())?;
    writeln!(
        out,
        "  sources {} ({} replaced by later adds, {} without words)",
        s.sources, s.replaced, s.empty
    )?;
    writeln!(
        out,
        "  {} segments, {} commits, format version {}",
        s.segments, s.generation, s.format_version
    )?;
    writeln!(
        out,
        "  {} on disk; source text {}, compressed {}",
        size(s.bytes),
        size(s.text_bytes),
        size(s.compressed_text_bytes)
    )?;
    writeln!(
        out,
        "  word {}-shingles, {} permutations, {} bands of {} rows, {} votes; reports Jaccard >= {} or containment >= {}",
        s.shingle_size, s.num_perm, s.bands, s.rows, s.min_votes, s.jaccard, s.containment
    )?;
    if s.background_buckets == 0 {
        writeln!(out, "  no boilerplate learnt")?;
    } else {
        writeln!(
            out,
            "  boilerplate: {} buckets, {} keys, in {} of the sources",
            s.background_buckets, s.background_keys, s.background_sources
        )?;
    }
    out.flush()?;
    Ok(())
}

/// A byte count for people: `812 B`, `37.1 MB`, `1.82 GB`.
fn size(bytes: u64) -> String {
    match bytes {
        b if b < 1_000 => format!("{b} B"),
        b if b < 1_000_000 => format!("{:.1} KB", b as f64 / 1e3),
        b if b < 1_000_000_000 => format!("{:.1} MB", b as f64 / 1e6),
        b => format!("{:.2} GB", b as f64 / 1e9),
    }
}
