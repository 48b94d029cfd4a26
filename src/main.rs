//! The `neardup` command: a thin client of the library. It parses arguments, builds library
//! objects, and prints; exit codes are 0 (done), 2 (an error: bad input or arguments).

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};

use neardup::document::{read_file, ReadOptions};
use neardup::html::{HtmlReport, PairView};
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
    /// Deduplicate a corpus: every duplicate and derivative pair, clusters, and the kept documents.
    ///
    /// Inputs are JSON Lines files (.jsonl or .ndjson, one {"id": ..., "text": ...} object a line),
    /// plain text files (each file one document, its id the path), directories (walked
    /// recursively), and `-` for JSON Lines on standard input; `.gz` and `.zst` are decompressed.
    /// A pair is reported when its Jaccard reaches --jaccard or when --containment of one document
    /// is inside the other (a repost trimmed from an article), after exact verification. A
    /// document is removed when a kept one covers it: a duplicate of its cluster's representative,
    /// or a derivative of a kept source. The summary on standard error accounts for every
    /// document read: read = kept + removed.
    ///
    /// Example: neardup dedup corpus.jsonl.gz --out-pairs pairs.jsonl --out-kept kept.jsonl
    Dedup(DedupArgs),
    /// Build and grow a persistent index of source documents, for `neardup check`.
    #[command(subcommand)]
    Index(IndexCommand),
    /// Check documents against an index of sources: which sources each derives from or
    /// duplicates, how much, and which passages were added and dropped.
    ///
    /// Inputs are read as by `dedup` (plain files, JSON Lines, directories, `-`). For each checked
    /// document, the matching sources are ranked by how much of the document they cover; each is
    /// a pair with the checked document as `a` and the source as `b`. The exit code is 0 when no
    /// document matched, 1 when one did, 2 on an error, so that scripts can gate on it.
    ///
    /// Example: neardup check --index sources.ndx page.txt crawl.jsonl --json
    Check(CheckArgs),
    /// Generate a news-like test corpus with known reposts (JSON Lines) and its truth file.
    ///
    /// The truth file lists each (source, derived) pair with its relation, how it was made
    /// (exact copy, light edit, repost, excerpt, digest) and the character spans added and
    /// dropped, in the format of the quality scorer `score_pairs.py`. The same options give the
    /// same bytes on every machine.
    ///
    /// Example: neardup synth --docs 20000 --out corpus.jsonl --truth truth.json
    Synth(SynthArgs),
}

#[derive(Args, Debug)]
struct SynthArgs {
    /// Number of documents.
    #[arg(long, default_value_t = 1000)]
    docs: usize,
    /// Seed of everything random.
    #[arg(long, default_value_t = 0x5EED)]
    seed: u64,
    /// Share of documents derived from an earlier one.
    #[arg(long, default_value_t = 0.1, value_parser = unit_interval)]
    derived: f64,
    /// Fewest words of an article.
    #[arg(long, default_value_t = 200)]
    min_words: usize,
    /// Most words of an article.
    #[arg(long, default_value_t = 600)]
    max_words: usize,
    /// Put two real documents at the head of the corpus as `seed-article` and its repost
    /// `seed-blog`: give the article's file, then the repost's.
    #[arg(long, num_args = 2, value_names = ["ARTICLE", "REPOST"])]
    with_seeds: Option<Vec<PathBuf>>,
    /// Where to write the corpus.
    #[arg(long)]
    out: PathBuf,
    /// Where to write the truth (JSON).
    #[arg(long)]
    truth: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct DedupArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Write one pair record per line (the JSON of `compare --json`).
    #[arg(long, value_name = "FILE")]
    out_pairs: Option<PathBuf>,
    /// Write one record per cluster of duplicates, then the derivative links of each source.
    #[arg(long, value_name = "FILE")]
    out_clusters: Option<PathBuf>,
    /// Write the kept documents in input order: JSON Lines records byte for byte, plain files as
    /// {"id", "text"} records.
    #[arg(long, value_name = "FILE")]
    out_kept: Option<PathBuf>,
    /// Add the aligned passages to each pair record.
    #[arg(long)]
    passages: bool,
    /// Write an HTML report: the run's figures, the largest clusters, and pair views.
    ///
    /// One self-contained file that opens from disk in a browser: the figures of the run, a
    /// histogram of cluster sizes, the largest clusters and the sources with the most
    /// derivatives, and each embedded pair's texts side by side, one click away. It embeds at most
    /// --html-max-pairs pairs, those that explain removals first, and says how many it left out.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Most pairs the HTML report embeds (each with the texts of its two documents).
    #[arg(long, value_name = "N", default_value_t = 1000)]
    html_max_pairs: usize,
    /// Which member of a cluster of duplicates to keep.
    #[arg(long, value_enum, default_value_t = Keep::Longest)]
    keep: Keep,
    /// Show a progress bar on standard error: `auto` when it is a terminal.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    progress: ColorChoice,
    /// Print how long each stage took on standard error.
    #[arg(long)]
    timings: bool,
    #[command(flatten)]
    matching: MatchArgs,
}

#[derive(Subcommand, Debug)]
enum IndexCommand {
    /// Build a new index from source documents.
    ///
    /// The index is a directory: a manifest and immutable segment files, each checksummed, with
    /// the sources' texts compressed inside so that `check` can show passages without the original
    /// files. The thresholds are fixed at build time, because the LSH banding is chosen for them.
    ///
    /// Example: neardup index build --index sources.ndx archive/ 2024.jsonl.zst
    Build(IndexBuildArgs),
    /// Add sources to an index, as one atomic commit.
    ///
    /// An id already in the index is reported and not added, unless --replace. Readers (`check`)
    /// see the index as it was until the add commits, and an add killed at any point leaves the
    /// index as it was.
    ///
    /// Example: neardup index add --index sources.ndx today.jsonl
    Add(IndexAddArgs),
    /// Print what an index holds: sources, segments, sizes and settings.
    Stats(IndexStatsArgs),
}

#[derive(Args, Debug)]
struct InputArgs {
    /// Files, directories, or `-` (standard input, JSON Lines).
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// The JSON Lines field holding the id (a missing id becomes FILE:LINE).
    #[arg(long, default_value = "id")]
    id_field: String,
    /// The JSON Lines field holding the text.
    #[arg(long, default_value = "text")]
    text_field: String,
    /// Skip malformed lines and unreadable files, and list them, instead of stopping.
    #[arg(long)]
    skip_bad: bool,
    /// Replace invalid UTF-8 with U+FFFD instead of failing.
    #[arg(long)]
    lossy: bool,
    /// The largest document read, in bytes (K, M and G suffixes: 64M): a plain file's size or a
    /// JSON Lines record's length. A larger one is an error naming it (or, with --skip-bad, a
    /// skipped and listed one).
    #[arg(long, default_value = "32M", value_parser = byte_size, value_name = "BYTES")]
    max_doc_bytes: usize,
}

impl InputArgs {
    fn spec(&self) -> neardup::document::CorpusSpec {
        use neardup::document::{CorpusSpec, OnError};
        CorpusSpec {
            inputs: self.inputs.clone(),
            id_field: self.id_field.clone(),
            text_field: self.text_field.clone(),
            lossy: self.lossy,
            on_error: if self.skip_bad {
                OnError::Skip
            } else {
                OnError::Stop
            },
            keep_raw: false,
            max_doc_bytes: self.max_doc_bytes,
        }
    }
}

#[derive(Args, Debug)]
struct IndexBuildArgs {
    /// The index directory to create.
    #[arg(long, value_name = "DIR")]
    index: PathBuf,
    #[command(flatten)]
    input: InputArgs,
    /// Show a progress bar on standard error: `auto` when it is a terminal.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    progress: ColorChoice,
    #[command(flatten)]
    matching: MatchArgs,
}

#[derive(Args, Debug)]
struct IndexAddArgs {
    /// The index directory.
    #[arg(long, value_name = "DIR")]
    index: PathBuf,
    #[command(flatten)]
    input: InputArgs,
    /// Replace the source of an id already in the index, instead of reporting and skipping it.
    #[arg(long)]
    replace: bool,
    /// Show a progress bar on standard error: `auto` when it is a terminal.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    progress: ColorChoice,
}

#[derive(Args, Debug)]
struct IndexStatsArgs {
    /// The index directory.
    #[arg(long, value_name = "DIR")]
    index: PathBuf,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct CheckArgs {
    /// The index directory.
    #[arg(long, value_name = "DIR")]
    index: PathBuf,
    #[command(flatten)]
    input: InputArgs,
    /// Print one JSON pair record per match (a = the checked document, b = the source).
    #[arg(long)]
    json: bool,
    /// Add the aligned passages to each JSON record (the human view always shows them).
    #[arg(long)]
    passages: bool,
    /// When to colour the output: `auto` colours when standard output is a terminal and NO_COLOR
    /// is not set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Show a progress bar on standard error: `auto` when it is a terminal.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    progress: ColorChoice,
    /// Also write a self-contained HTML report: each checked document beside its sources, with
    /// the passages aligned and coloured.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Most pairs the HTML report holds (the first ones checked); the rest are counted on
    /// standard error.
    #[arg(long, default_value_t = 1000, value_name = "N")]
    html_max_pairs: usize,
}

/// What counts as a match, and the sketch settings: shared by `dedup` and `index build`.
#[derive(Args, Debug)]
struct MatchArgs {
    /// Report pairs with at least this Jaccard similarity.
    #[arg(long, default_value_t = 0.5, value_parser = unit_interval)]
    jaccard: f64,
    /// Report pairs where at least this share of one document's shingles is in the other; such
    /// a pair is a `derivative` unless it is a duplicate.
    #[arg(long, default_value_t = 0.6, value_parser = unit_interval)]
    containment: f64,
    /// Minimum share of each document's shingles in the other for a pair to be a `duplicate`.
    #[arg(long, default_value_t = Thresholds::default().duplicate, value_parser = unit_interval)]
    duplicate: f64,
    /// Words per shingle.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=64))]
    shingle_size: u16,
    /// MinHash signature length.
    #[arg(long, default_value_t = 128, value_parser = clap::value_parser!(u16).range(16..=1024))]
    num_perm: u16,
    /// Largest size ratio between a contained document and its container for which candidate
    /// recall is guaranteed (beyond it, recall degrades gradually).
    #[arg(long, default_value_t = 6.0)]
    max_ratio: f64,
}

impl MatchArgs {
    /// The dedup configuration these settings describe.
    fn config(&self) -> Result<neardup::dedup::DedupConfig> {
        use neardup::minhash::MinHashParams;
        if self.max_ratio.is_nan() || self.max_ratio < 1.0 {
            bail!("--max-ratio must be at least 1, got {}", self.max_ratio);
        }
        Ok(neardup::dedup::DedupConfig {
            shingle_size: self.shingle_size as usize,
            minhash: MinHashParams::new(self.num_perm as usize),
            thresholds: Thresholds {
                duplicate: self.duplicate,
                derivative: self.containment,
                overlap: Thresholds::default().overlap.min(self.containment),
            },
            report: neardup::verify::Reporting::new(self.jaccard, self.containment)?,
            max_ratio: self.max_ratio,
            ..Default::default()
        })
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Keep {
    /// The fullest text.
    Longest,
    /// The first in input order.
    First,
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
    /// Also write an HTML report: the two texts side by side, passages aligned and coloured.
    ///
    /// One self-contained file (inline CSS and JavaScript, nothing loaded from the network) that
    /// opens from disk in a browser. The report is aligned even with --no-passages.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
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
    /// The largest document read, in bytes (K, M and G suffixes: 64M): a larger file is an error
    /// naming it.
    #[arg(long, default_value = "32M", value_parser = byte_size, value_name = "BYTES")]
    max_doc_bytes: usize,

    /// Words per shingle.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=64))]
    shingle_size: u16,
    /// Minimum share of each document's shingles in the other for `duplicate`.
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

/// A byte count: digits with an optional K, M or G (powers of 1024).
fn byte_size(s: &str) -> Result<usize, String> {
    let (digits, shift) = match s.trim().to_ascii_uppercase() {
        t if t.ends_with('K') => (t[..t.len() - 1].to_string(), 10),
        t if t.ends_with('M') => (t[..t.len() - 1].to_string(), 20),
        t if t.ends_with('G') => (t[..t.len() - 1].to_string(), 30),
        t => (t, 0),
    };
    let n: usize = digits
        .parse()
        .map_err(|_| format!("`{s}` is not a byte count (e.g. 500000, 64K, 32M, 1G)"))?;
    match n.checked_mul(1 << shift) {
        Some(0) | None => Err(format!("`{s}` is not a usable size")),
        Some(n) => Ok(n),
    }
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
        use_color(self.color)
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

    fn read(&self, path: &std::path::Path) -> Result<Document> {
        let doc = read_file(
            path,
            ReadOptions {
                lossy: self.lossy,
                max_bytes: self.max_doc_bytes,
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

fn compare(args: &CompareArgs) -> Result<()> {
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

/// Progress on standard error: an indicatif bar, and the time of each stage.
struct Bar {
    bar: Option<indicatif::ProgressBar>,
    timings: Option<std::sync::Mutex<(String, std::time::Instant)>>,
}

impl Bar {
    fn new(show: bool, timings: bool) -> Self {
        let target = indicatif::ProgressDrawTarget::stderr;
        Bar {
            bar: show.then(|| indicatif::ProgressBar::with_draw_target(None, target())),
            timings: timings
                .then(|| std::sync::Mutex::new((String::new(), std::time::Instant::now()))),
        }
    }

    /// Ends the stage under way (printing its time) and starts `next`.
    fn lap(&self, next: &str) {
        let Some(t) = &self.timings else {
            return;
        };
        let mut t = t.lock().expect("not poisoned");
        if !t.0.is_empty() {
            let line = format!("{:>28}: {:.3} s", t.0, t.1.elapsed().as_secs_f64());
            match &self.bar {
                Some(bar) => bar.println(line),
                None => eprintln!("{line}"),
            }
        }
        *t = (next.to_string(), std::time::Instant::now());
    }

    fn finish(&self) {
        self.lap("");
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl neardup::progress::Progress for Bar {
    fn stage(&self, name: &str, total: Option<u64>) {
        self.lap(name);
        let Some(bar) = &self.bar else {
            return;
        };
        let style = match total {
            Some(total) => {
                bar.set_length(total);
                indicatif::ProgressStyle::with_template(
                    "{msg:>28} [{bar:30}] {pos}/{len} ({per_sec}, {eta})",
                )
            }
            None => {
                bar.unset_length();
                indicatif::ProgressStyle::with_template("{msg:>28} {spinner} {pos} ({per_sec})")
            }
        };
        bar.set_style(style.expect("a valid template").progress_chars("=> "));
        bar.set_position(0);
        bar.set_message(name.to_string());
    }

    fn advance(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }
}

fn dedup(args: &DedupArgs) -> Result<()> {
    use neardup::dedup::{run, HtmlOutput, Outputs};
    use neardup::dedup::{DedupConfig, Deduper, KeepPolicy};
    use neardup::document::CorpusSpec;

    let config = DedupConfig {
        keep: match args.keep {
            Keep::Longest => KeepPolicy::Longest,
            Keep::First => KeepPolicy::First,
        },
        ..args.matching.config()?
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
        writeln!(err, "neardup: skipped {s}")?;
    }
    writeln!(
        err,
        "read {}, kept {}, removed {} ({} duplicates, {} derivatives); pairs {} ({} duplicate, {} derivative), clusters {}; empty {}, shorter than a shingle {}, skipped {}; {:.1} MB in {:.2} s",
        summary.read,
        summary.kept,
        summary.removed(),
        summary.removed_duplicates,
        summary.removed_derivatives,
        summary.pairs,
        summary.duplicate_pairs,
        summary.derivative_pairs,
        summary.clusters,
        summary.empty,
        summary.short,
        summary.skipped.len(),
        summary.bytes as f64 / 1e6,
        summary.elapsed.as_secs_f64(),
    )?;
    Ok(())
}

fn synth(args: &SynthArgs) -> Result<()> {
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

fn show_progress(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => io::stderr().is_terminal(),
    }
}

fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && io::stdout().is_terminal()
        }
    }
}

/// Prints what an add did, on standard error.
fn print_add_report(report: &neardup::index::AddReport, index: &std::path::Path) -> Result<()> {
    let mut err = io::stderr().lock();
    for s in &report.skipped {
        writeln!(err, "neardup: skipped {s}")?;
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

fn index_build(args: &IndexBuildArgs) -> Result<()> {
    use neardup::index::IndexWriter;
    let config = args.matching.config()?;
    let bar = Bar::new(show_progress(args.progress), false);
    let mut writer = IndexWriter::create(&args.index, &config)?;
    writer.add_corpus(&args.input.spec(), false, &bar)?;
    let report = writer.commit()?;
    bar.finish();
    print_add_report(&report, &args.index)
}

fn index_add(args: &IndexAddArgs) -> Result<()> {
    use neardup::index::IndexWriter;
    let bar = Bar::new(show_progress(args.progress), false);
    let mut writer = IndexWriter::open(&args.index)?;
    writer.add_corpus(&args.input.spec(), args.replace, &bar)?;
    let report = writer.commit()?;
    bar.finish();
    print_add_report(&report, &args.index)
}

fn index_stats(args: &IndexStatsArgs) -> Result<()> {
    let index = neardup::index::Index::open(&args.index)?;
    let s = index.stats()?;
    let mut out = io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &s)?;
        writeln!(out)?;
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

/// Checks every input document; `Ok(true)` when one matched a source.
fn check(args: &CheckArgs) -> Result<bool> {
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
    neardup::progress::Progress::stage(&bar, "checking", None);
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
        neardup::progress::Progress::advance(&bar, batch.len() as u64);
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Compare(args) => compare(args),
        Command::Dedup(args) => dedup(args),
        Command::Synth(args) => synth(args),
        Command::Index(IndexCommand::Build(args)) => index_build(args),
        Command::Index(IndexCommand::Add(args)) => index_add(args),
        Command::Index(IndexCommand::Stats(args)) => index_stats(args),
        Command::Check(args) => match check(args) {
            Ok(true) => return ExitCode::from(1),
            Ok(false) => Ok(()),
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(io::stderr(), "neardup: error: {}", error_chain(&e));
            ExitCode::from(2)
        }
    }
}

/// An error and its causes, joined by `: `, each cause once: one whose text its parent already
/// ends with (a library error that shows its source as well as returning it) is not repeated.
fn error_chain(e: &anyhow::Error) -> String {
    let mut message = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if message.ends_with(&text) {
            continue;
        }
        if !message.is_empty() {
            message.push_str(": ");
        }
        message.push_str(&text);
    }
    message
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}
