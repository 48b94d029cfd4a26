//! `neardup synth`: options in, a generated corpus (JSON Lines) and its truth file out.

use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::cli::{SynthArgs, SynthStyle};

/// Runs `neardup synth`.
pub(crate) fn synth(args: &SynthArgs) -> Result<()> {
    use neardup::synth::{stream_pages, CorpusSpec, TextStyle};
    let mut spec = CorpusSpec::default()
        .docs(args.docs)
        .seed(args.seed)
        .derived_fraction(args.derived)
        .words(args.min_words, args.max_words)
        .sites(args.sites)
        .syndicated(args.syndicated)
        .style(match args.style {
            SynthStyle::News => TextStyle::News,
            SynthStyle::Phrases => TextStyle::Phrases,
        })
        .phrase_pool(args.phrase_pool)
        .all_template(args.all_template);
    if let Some(paths) = &args.with_seeds {
        let read =
            |p: &PathBuf| std::fs::read_to_string(p).with_context(|| format!("{}", p.display()));
        spec = spec.seed_pair(read(&paths[0])?, read(&paths[1])?);
    }
    let file =
        std::fs::File::create(&args.out).with_context(|| format!("{}", args.out.display()))?;
    // The truth file is written as the corpus is (it holds the bodies); its errors and the
    // corpus's come back as one io::Error, so both paths are named.
    let pairs = match &args.truth {
        Some(path) => {
            let truth =
                std::fs::File::create(path).with_context(|| format!("{}", path.display()))?;
            stream_pages(&spec, file, truth)
                .with_context(|| format!("{} or {}", args.out.display(), path.display()))?
        }
        None => stream_pages(&spec, file, std::io::sink())
            .with_context(|| format!("{}", args.out.display()))?,
    };
    eprintln!(
        "wrote {} documents ({} derived pairs in the truth) to {}",
        spec.total_docs(),
        pairs,
        args.out.display()
    );
    Ok(())
}
