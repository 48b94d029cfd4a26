//! `neardup synth`: options in, a generated corpus (JSON Lines) and its truth file out, each
//! written beside its path and renamed into place when complete.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::cli::SynthArgs;

/// Runs `neardup synth`.
pub(crate) fn synth(args: &SynthArgs) -> Result<()> {
    use neardup::report::html::write_atomically;
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
    if let Some(truth) = args.truth.as_deref().filter(|t| same_file(&args.out, t)) {
        bail!(
            "{}: the truth file would replace the corpus {}, the same file",
            truth.display(),
            args.out.display()
        );
    }
    // Each file beside its path, renamed into place when complete: a full disk or a file-size
    // limit leaves no half corpus.
    let mut truth = Vec::new();
    write_atomically(&args.out, |w| {
        truth = stream_jsonl(&spec, w)?;
        Ok(())
    })?;
    if let Some(path) = &args.truth {
        write_atomically(path, |w| write_truth_json(&truth, w))?;
    }
    eprintln!(
        "wrote {} documents ({} derived pairs in the truth) to {}",
        spec.total_docs(),
        truth.len(),
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
