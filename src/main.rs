//! The `neardup` command: a thin client of the library. It parses arguments, builds library
//! objects, and prints; exit codes are 0 (done), 2 (an error: bad input or arguments).

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};

use neardup::document::{read_file, ReadOptions};
use neardup::report::{JsonLines, PairSink, Terminal};
use neardup::{Comparer, Document, Thresholds};

/// Find near-duplicate and derivative documents, and show which passages were added and dropped.
///
/// neardup tokenizes text into words, hashes word 5-grams (shingles), and measures how much of each
/// document is inside the other (containment), not only how similar the two are (Jaccard): a repost
/// that trims an article and adds a date line is found even when its Jaccard is low.
#[derive(Parser, Debug)]
#[command(name = "neardup", version, about, long_about, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Compare two documents: the verdict, the scores, and the passages added and dropped.
    ///
    /// Prints whether A and B are duplicates, whether one is a derivative of the other (and which
    /// is the source), or whether they merely overlap; then their passages like a diff: `+` added
    /// in the derived text, `-` dropped from the source, `=` shared (shown compactly), `~` changed
    /// with small edits inline as [-old-]{+new+}.
    ///
    /// Example: neardup compare repost.txt article.txt --json
    Compare(CompareArgs),
}

#[derive(Args, Debug)]
struct CompareArgs {
    /// The first document (a UTF-8 text file).
    a: PathBuf,
    /// The second document.
    b: PathBuf,
    /// Print one JSON pair record instead of the human view.
    ///
    /// Fields: a, b, jaccard, containment_a_in_b, containment_b_in_a, relation, source and derived
    /// (derivatives only), passages [{kind, a: [start, end] | null, b: ...}] with byte offsets.
    #[arg(long)]
    json: bool,
    /// Leave out the passage alignment: scores and verdict only.
    #[arg(long)]
    no_passages: bool,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Args, Debug)]
struct CommonArgs {
    /// When to colour the output.
    ///
    /// `auto` colours when standard output is a terminal and the NO_COLOR environment variable is
    /// not set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Replace invalid UTF-8 with U+FFFD instead of failing; spans refer to the repaired text.
    #[arg(long)]
    lossy: bool,
    /// Words per shingle.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=64))]
    shingle_size: u16,
    /// Minimum Jaccard for `duplicate`.
    #[arg(long, default_value_t = Thresholds::default().duplicate, value_parser = unit_interval)]
    duplicate: f64,
    /// Minimum containment of one document in the other for `derivative`.
    #[arg(long, default_value_t = Thresholds::default().derivative, value_parser = unit_interval)]
    derivative: f64,
    /// Minimum containment of one document in the other for `overlap`.
    #[arg(long, default_value_t = Thresholds::default().overlap, value_parser = unit_interval)]
    overlap: f64,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

fn unit_interval(s: &str) -> Result<f64, String> {
    let x: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if (0.0..=1.0).contains(&x) {
        Ok(x)
    } else {
        Err(format!("{x} is not between 0 and 1"))
    }
}

impl CommonArgs {
    fn use_color(&self) -> bool {
        match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && io::stdout().is_terminal()
            }
        }
    }

    fn comparer(&self, passages: bool) -> Result<Comparer> {
        if self.derivative < self.overlap {
            bail!(
                "--derivative ({}) must not be below --overlap ({})",
                self.derivative,
                self.overlap
            );
        }
        Ok(Comparer::builder()
            .shingle_size(self.shingle_size as usize)
            .thresholds(Thresholds {
                duplicate: self.duplicate,
                derivative: self.derivative,
                overlap: self.overlap,
            })
            .passages(passages)
            .build())
    }

    fn read(&self, path: &PathBuf) -> Result<Document> {
        let doc = read_file(path, ReadOptions { lossy: self.lossy }).map_err(|e| {
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

fn compare(args: &CompareArgs) -> Result<()> {
    let comparer = args.common.comparer(!args.no_passages)?;
    let a = args.common.read(&args.a)?;
    let b = args.common.read(&args.b)?;
    let pair = comparer.compare(&a, &b);
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Compare(args) => compare(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let chain: Vec<String> = e.chain().map(ToString::to_string).collect();
            let _ = writeln!(io::stderr(), "neardup: error: {}", chain.join(": "));
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}
