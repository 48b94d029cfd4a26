//! `neardup synth`: options in, a generated corpus (JSON Lines) and its truth file out, each
//! written beside its path and renamed into place when complete.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::cli::{SynthArgs, SynthStyle};

/// Runs `neardup synth`.
pub(crate) fn synth(args: &SynthArgs) -> Result<()> {
    use neardup::report::html::write_atomically;
    use neardup::synth::{stream_pages, CorpusSpec, TextStyle};
    let mut spec = CorpusSpec::default()
        .docs(args.docs)
        .seed(args.seed)
        .derived_fraction(args.derived)
        .words(args.min_words, args.max_words)
        .sites(args.sites)
        .syndicated(args.syndicated)
        .inline_related(args.inline_related)
        .style(match args.style {
            SynthStyle::News => TextStyle::News,
            SynthStyle::Phrases => TextStyle::Phrases,
        })
        .phrase_pool(args.phrase_pool)
        .all_template(args.all_template)
        .dates(args.dates)
        .straight_quotes(args.straight_quotes)
        .digest_sources(args.digest_sources.min, args.digest_sources.max);
    let mix = spec.mix.with_commentary(args.commentary);
    spec = spec.mix(mix);
    if let Some(paths) = &args.with_seeds {
        let read =
            |p: &PathBuf| std::fs::read_to_string(p).with_context(|| format!("{}", p.display()));
        spec = spec.seed_pair(read(&paths[0])?, read(&paths[1])?);
    }
    if let Some(truth) = args.truth.as_deref().filter(|t| same_file(&args.out, t)) {
        bail!(
            "{}: the truth file would replace the corpus {}, the same file",
            truth.display(),
            args.out.display()
        );
    }
    // Each file beside its path, renamed into place when complete: a full disk or a file-size
    // limit leaves no half corpus. The truth is written as the corpus is (it holds the bodies),
    // inside the corpus's writing, so that a failed corpus leaves no truth either.
    let mut pairs = 0;
    // The truth file's own error, named by itself rather than inside the corpus's.
    let mut truth_error = None;
    let written = write_atomically(&args.out, |w| {
        pairs = match &args.truth {
            Some(path) => {
                let mut n = 0;
                write_atomically(path, |t| {
                    n = stream_pages(&spec, &mut *w, t)?;
                    Ok(())
                })
                .map_err(|e| {
                    let failed = std::io::Error::new(e.source.kind(), e.source.to_string());
                    truth_error = Some(e);
                    failed
                })?;
                n
            }
            None => stream_pages(&spec, &mut *w, std::io::sink())?,
        };
        Ok(())
    });
    if let Some(e) = truth_error {
        return Err(e.into());
    }
    written?;
    eprintln!(
        "wrote {} documents ({} derived pairs in the truth) to {}",
        spec.total_docs(),
        pairs,
        args.out.display()
    );
    Ok(())
}

/// True when `a` and `b` name one file: the same device and inode when both exist (links
/// followed), else the same name in the same directory, however spelled.
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b)) {
        use std::os::unix::fs::MetadataExt;
        return (x.dev(), x.ino()) == (y.dev(), y.ino());
    }
    let place = |p: &Path| {
        let dir = p.parent().filter(|d| !d.as_os_str().is_empty());
        let dir = std::fs::canonicalize(dir.unwrap_or(Path::new("."))).ok()?;
        Some(dir.join(p.file_name()?))
    };
    place(a).is_some_and(|x| Some(x) == place(b))
}
