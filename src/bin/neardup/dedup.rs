//! `neardup dedup`: a corpus in, the pairs, clusters, kept documents and HTML report out (through
//! the library's run), and the run's summary on standard error.

use neardup::report::terminal::escape_controls;
use std::io::{self, Write};

use anyhow::{bail, Result};

use crate::cli::{show_progress, BoilerplateMode, DedupArgs, Keep};
use crate::progress::Bar;

/// Runs `neardup dedup`.
pub(crate) fn dedup(args: &DedupArgs) -> Result<()> {
    use neardup::dedup::{run, HtmlOutput, Outputs};
    use neardup::dedup::{DedupConfig, Deduper, KeepPolicy};
    use neardup::document::CorpusSpec;

    if args.out_boilerplate.is_some() && args.boilerplate == BoilerplateMode::Off {
        bail!("--out-boilerplate lists the boilerplate learnt by --boilerplate auto; with --boilerplate off nothing is learnt");
    }
    let matching = args.matching.config()?;
    let config = DedupConfig {
        boilerplate: match args.boilerplate {
            BoilerplateMode::Auto => matching.boilerplate,
            BoilerplateMode::Off => None,
        },
        keep: match args.keep {
            Keep::Longest => KeepPolicy::Longest,
            Keep::First => KeepPolicy::First,
        },
        cover: args.part_floor.cover(),
        ..matching
    };
    // Kept records are copied byte for byte, from the raw lines of standard input.
    let spec = CorpusSpec {
        keep_raw: true,
        ..args.input.spec()
    };
    let outputs = Outputs {
        pairs: args.out_pairs.clone(),
        clusters: args.out_clusters.clone(),
        kept: args.out_kept.clone(),
        boilerplate: args.out_boilerplate.clone(),
        passages: args.passages,
        html: args.html.as_ref().map(|path| HtmlOutput {
            path: path.clone(),
            title: format!(
                "dedup of {}",
                args.input
                    .inputs
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            max_pairs: args.html_max_pairs,
        }),
    };
    let show = show_progress(args.progress);
    let bar = Bar::new(show, args.timings);
    let deduper = Deduper::new(config);
    let summary = run(&spec, &deduper, &outputs, &bar)?;
    bar.finish();
    let mut err = io::stderr().lock();
    for s in &summary.skipped {
        writeln!(err, "neardup: skipped {}", escape_controls(&s.to_string()))?;
    }
    writeln!(
        err,
        "read {}, kept {}, removed {} ({} duplicates, {} derivatives, {} built from several); pairs {} ({} duplicate, {} derivative), clusters {}; {}{}empty {}, shorter than a shingle {}, skipped {}; {}{:.1} MB in {:.2} s",
        summary.read,
        summary.kept,
        summary.removed(),
        summary.removed_duplicates,
        summary.removed_derivatives,
        summary.removed_built,
        summary.pairs,
        summary.duplicate_pairs,
        summary.derivative_pairs,
        summary.clusters,
        built(&summary),
        common(&summary),
        summary.empty,
        summary.short,
        summary.skipped.len(),
        background(&summary),
        summary.bytes as f64 / 1e6,
        summary.elapsed.as_secs_f64(),
    )?;
    Ok(())
}

/// The summary's clause on the pages built from several sources, when there were some.
fn built(summary: &neardup::dedup::Summary) -> String {
    match summary.built {
        0 => String::new(),
        1 => "1 page made of several sources; ".to_string(),
        n => format!("{n} pages made of several sources; "),
    }
}

/// The summary's clause on the documents whose text is common text, when there were some.
fn common(summary: &neardup::dedup::Summary) -> String {
    match summary.common_text {
        0 => String::new(),
        1 => "1 document of common text (in several unrelated documents: overlaps); ".to_string(),
        n => format!("{n} documents of common text (in several unrelated documents: overlaps); "),
    }
}

/// The summary's clause on the background left out of the evidence, when there was some.
fn background(summary: &neardup::dedup::Summary) -> String {
    if summary.background_buckets == 0 {
        return String::new();
    }
    format!(
        "boilerplate {} shingles in {} documents ({:.0}%); ",
        summary.background_buckets,
        summary.background_docs,
        100.0 * summary.background_docs as f64 / summary.read.max(1) as f64,
    )
}
