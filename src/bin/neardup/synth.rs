//! `neardup synth`: options in, a generated corpus (JSON Lines) and its truth file out.

use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::cli::SynthArgs;

/// Runs `neardup synth`.
pub(crate) fn synth(args: &SynthArgs) -> Result<()> {
    use neardup::synth::{stream_jsonl, write_truth_json, CorpusSpec};
    let mut spec = CorpusSpec::default()
        .docs(args.docs)
        .seed(args.seed)
        .derived_fraction(args.derived)
        .words(args.min_words, args.max_words);
    if let Some(paths) = &args.with_seeds {
        let read =
            |p: &PathBuf| std::fs::read_to_string(p).with_context(|| format!("{}", p.display()));
        spec = spec.seed_pair(read(&paths[0])?, read(&paths[1])?);
    }
    let file =
        std::fs::File::create(&args.out).with_context(|| format!("{}", args.out.display()))?;
    let truth = stream_jsonl(&spec, file).with_context(|| format!("{}", args.out.display()))?;
    if let Some(path) = &args.truth {
        let file = std::fs::File::create(path).with_context(|| format!("{}", path.display()))?;
        write_truth_json(&truth, file).with_context(|| format!("{}", path.display()))?;
    }
    eprintln!(
        "wrote {} documents ({} derived pairs in the truth) to {}",
        spec.total_docs(),
        truth.len(),
        args.out.display()
    );
    Ok(())
}
