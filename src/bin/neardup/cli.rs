//! The command line: clap's derive types for every command and flag, the value parsers
//! (byte counts, numbers in [0, 1]), and the settings each group of flags describes, as library
//! objects (a [`CorpusSpec`](neardup::document::CorpusSpec), a `DedupConfig`, a `Comparer`). The
//! help text is the doc comments here; nothing in this file reads a file or prints.

use std::io::{self, IsTerminal};
use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};

use neardup::cover::DEFAULT_PART_FLOOR;
use neardup::document::DEFAULT_MAX_DOC_BYTES;
use neardup::lsh::DEFAULT_MAX_RATIO;
use neardup::minhash::DEFAULT_NUM_PERM;
use neardup::shingle::{DEFAULT_K, MAX_SHINGLE_SIZE};
use neardup::synth::CorpusSpec as SynthSpec;
use neardup::verify::{Reporting, DEFAULT_CONTAINMENT, DEFAULT_JACCARD};
use neardup::{Comparer, Thresholds};

/// Find near-duplicate and derivative documents, and show which passages were added and dropped.
///
/// neardup tokenizes text into words, hashes word 5-grams (shingles), and measures how much of each
/// document is inside the other (containment), not only how similar the two are (Jaccard): a repost
/// that trims an article and adds a date line is found even when its Jaccard is low.
#[derive(Parser, Debug)]
#[command(name = "neardup", version, about, long_about, max_term_width = 100)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand, Debug)]
pub(crate) enum Command {
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
pub(crate) struct SynthArgs {
    /// Number of documents.
    #[arg(long, default_value_t = SynthSpec::default().docs)]
    pub(crate) docs: usize,
    /// Seed of everything random.
    #[arg(long, default_value_t = SynthSpec::default().seed)]
    pub(crate) seed: u64,
    /// Share of documents derived from an earlier one.
    #[arg(long, default_value_t = SynthSpec::default().derived_fraction, value_parser = unit_interval)]
    pub(crate) derived: f64,
    /// Fewest words of an article.
    #[arg(long, default_value_t = SynthSpec::default().min_words)]
    pub(crate) min_words: usize,
    /// Most words of an article.
    #[arg(long, default_value_t = SynthSpec::default().max_words)]
    pub(crate) max_words: usize,
    /// Put two real documents at the head of the corpus as `seed-article` and its repost
    /// `seed-blog`: give the article's file, then the repost's.
    #[arg(long, num_args = 2, value_names = ["ARTICLE", "REPOST"])]
    pub(crate) with_seeds: Option<Vec<PathBuf>>,
    /// Where to write the corpus.
    #[arg(long)]
    pub(crate) out: PathBuf,
    /// Where to write the truth (JSON).
    #[arg(long)]
    pub(crate) truth: Option<PathBuf>,
    /// Wrap every page in the template of one of N news sites (0: bare articles).
    ///
    /// A site's template is a navigation line, a byline with the date, a related-stories block
    /// that quotes other articles' headlines, and a footer of 60 to 100 words (newsletter, social
    /// links, contact, copyright), the same on all its pages but for those small parts. Each page's
    /// article (headline and text) is its body: the truth file gets `bodies`, which the scorer
    /// measures instead of the pages. Copies and reposts go to another site than their source's.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub(crate) sites: usize,
    /// Share of pages that are syndicated copies: a story republished unchanged on 2 to 50 other
    /// sites (at most one fewer than --sites), every pair of them a `duplicate` in the truth.
    #[arg(long, default_value_t = 0.0, value_parser = unit_interval, value_name = "SHARE")]
    pub(crate) syndicated: f64,
    /// Share of sites whose related-stories block runs its headlines together on one line
    /// (`Related: A; B; C`, as some text extractors give a row of links) instead of one a line.
    #[arg(long, default_value_t = 0.0, value_parser = unit_interval, value_name = "SHARE")]
    pub(crate) inline_related: f64,
    /// How articles are written: `news` (fresh sentences) or `phrases` (about half of the
    /// sentences from a shared pool, so that 5-grams recur in hundreds of documents).
    #[arg(long, value_enum, default_value_t = SynthStyle::News)]
    pub(crate) style: SynthStyle,
    /// Sentences in the shared pool of `--style phrases`.
    #[arg(long, default_value_t = SynthSpec::default().phrase_pool, value_name = "N")]
    pub(crate) phrase_pool: usize,
    /// Make every page the same template page (site 0, no article) but for its date: each a
    /// duplicate of the first. For testing a corpus that is all template.
    #[arg(long)]
    pub(crate) all_template: bool,
    /// Give each document a publication date, in a `date` field (read it with --date-field date).
    ///
    /// Dates rise with the position over three years from 2020-01-01, so a source is always
    /// earlier than its copies. 8% of the documents are undated and 5% of the derived ones have
    /// exactly their source's date (the text must decide those); 70% of the dates are written
    /// 2021-06-01T13:45:10Z, 15% with a +02:00 zone, 15% as epoch seconds (a JSON number). The
    /// truth file is the same as without.
    #[arg(long)]
    pub(crate) dates: bool,
    /// Share of the derived documents that are commentary-heavy blog reposts (the other kinds
    /// share the rest in their usual proportions).
    ///
    /// A commentary repost drops 20-45% of its source's sentences, adds one or two paragraphs of
    /// its own prose of about as many words (on top, at the bottom or inside), a date line and a
    /// comment box, and takes the other quote style: the two containments are close, so the
    /// direction must come from more than their margin. Truth kind `commentary`.
    #[arg(long, default_value_t = 0.0, value_parser = unit_interval, value_name = "SHARE")]
    pub(crate) commentary: f64,
    /// Share of the original articles written with straight quotes (' ") instead of curly ones:
    /// their commentary reposts gain curly quotes (as from a publishing system that smartens
    /// them), where the others' lose theirs.
    #[arg(long, default_value_t = 0.0, value_parser = unit_interval, value_name = "SHARE")]
    pub(crate) straight_quotes: f64,
    /// Sources of a digest: N, or MIN-MAX (e.g. 2-4) for a number drawn per digest, from 2 to 4.
    ///
    /// A digest is a lead (the first paragraphs) of each source, one after another, each about
    /// an equal share of the page's words: of two sources the first half of each, of more about
    /// half the shortest source's words each. The truth has one record per source, whose `parts`
    /// is the character span of the page taken from it. Truth kind `digest`.
    #[arg(
        long,
        default_value_t = DigestSources::from(SynthSpec::default().digest_sources),
        value_parser = digest_sources,
        value_name = "N|MIN-MAX"
    )]
    pub(crate) digest_sources: DigestSources,
}

/// `neardup synth --style`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum SynthStyle {
    /// Fresh sentences: unrelated articles share almost no 5-gram.
    News,
    /// Sentences from a shared pool: stock phrases, quotes and wire copy.
    Phrases,
}

#[derive(Args, Debug)]
pub(crate) struct DedupArgs {
    #[command(flatten)]
    pub(crate) input: InputArgs,
    /// Write one pair record per line (the JSON of `compare --json`); `-` is standard output.
    ///
    /// Every output (this, --out-clusters, --out-kept, --out-boilerplate, --html) is written beside its path, and
    /// they are renamed into place together once every one is complete: a run that fails leaves
    /// none of them. `-`, devices and FIFOs are written directly, after the files, and what they
    /// were given stays if a later step fails. An output that is the same file as an input or
    /// another output is refused before anything is read.
    #[arg(long, value_name = "FILE")]
    pub(crate) out_pairs: Option<PathBuf>,
    /// Write one record per cluster of duplicates, then the derivative links of each source.
    #[arg(long, value_name = "FILE")]
    pub(crate) out_clusters: Option<PathBuf>,
    /// Write the kept documents in input order: JSON Lines records byte for byte, plain files as
    /// {"id", "text"} records.
    #[arg(long, value_name = "FILE")]
    pub(crate) out_kept: Option<PathBuf>,
    /// Write the boilerplate learnt (--boilerplate auto): one record per passage of template or
    /// stock text that the pairs were not judged on, held by two documents or more, in the most
    /// documents first.
    ///
    /// A passage is a line, or the part of a line, of a document's background: a site's
    /// navigation, a footer line, a headline quoted in related-stories blocks, a licence
    /// paragraph, a stock phrase; its whitespace is made single spaces. Each record is
    /// {"kind": "passage", "text", "documents": how many documents hold it, "tokens": its words,
    /// "example": the id of the first document holding it}: a site's template lines come with
    /// about the number of the site's pages. The last record is {"kind": "total", "passages",
    /// "documents_with_boilerplate", "documents_read", "passages_in_one_document",
    /// "tokens_in_one_document"}: the background pieces that one document alone holds (a byline
    /// with its date, the words where the template meets the article) are counted there, not
    /// listed. It costs one more pass over the texts of the documents with background. `-` is
    /// standard output. With --boilerplate off it is refused: nothing is learnt.
    #[arg(long, value_name = "FILE")]
    pub(crate) out_boilerplate: Option<PathBuf>,
    /// Add the aligned passages to each pair record.
    #[arg(long)]
    pub(crate) passages: bool,
    /// Write an HTML report: the run's figures, the largest clusters, and pair views.
    ///
    /// One self-contained file that opens from disk in a browser: the figures of the run, a
    /// histogram of cluster sizes, the largest clusters and the sources with the most
    /// derivatives, and each embedded pair's texts side by side, one click away. It embeds at most
    /// --html-max-pairs pairs, those that explain removals first, and says how many it left out.
    #[arg(long, value_name = "FILE")]
    pub(crate) html: Option<PathBuf>,
    /// Most pairs the HTML report embeds (each with the texts of its two documents).
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub(crate) html_max_pairs: usize,
    /// Which member of a cluster of duplicates to keep.
    #[arg(long, value_enum, default_value_t = Keep::Longest)]
    pub(crate) keep: Keep,
    /// Whether text that many documents share while the rest of them differs (a site's
    /// navigation and footer, a licence quoted everywhere, stock phrases) counts as evidence.
    ///
    /// `auto` learns that background from the corpus itself: a shingle that is the least of its
    /// signature bin in at least 6 documents, half of which are at least 30% their own text
    /// (found in no other document but their exact copies), or 10% when more than 16 documents
    /// hold it (a licence quoted by many files), is background. It casts no LSH votes, and pairs are measured
    /// and labelled on the rest, their content; the pair record keeps the figures on the whole
    /// texts as raw_jaccard, raw_containment_a_in_b/b_in_a and the background shingles of each
    /// side. A story syndicated unchanged to many sites is not background: those pages are copies,
    /// not their own text. Templates are learnt from about a dozen pages of a site on; a smaller
    /// corpus, or one that is all template, is judged on the whole texts. After verification, a
    /// document whose content is inside three or more documents unrelated to each other (a
    /// licence's usual notice in wordings too varied to learn) is common text: its would-be
    /// derivative pairs are overlaps with "common_text": true, and it is kept. `off` counts every
    /// shared shingle as evidence.
    #[arg(long, value_enum, default_value_t = BoilerplateMode::Auto)]
    pub(crate) boilerplate: BoilerplateMode,
    /// The least share of a page another document must explain to be one of the sources it is
    /// built from; `off` for none.
    ///
    /// A digest or roundup takes parts of several articles: no single one holds enough of it to
    /// make a pair, yet together they explain it. For each document that two candidates or more
    /// each hold at least this share of, its cover is found greedily (the document that explains
    /// the most of what is still unexplained, then the next, while one explains at least this
    /// share); when the cover explains at least --containment of it, each source is a
    /// `derivative` pair (the page derived, `direction_by` "cover") with a `cover` object: its
    /// share, its rank, the share of the whole cover, and the spans of the page it explains.
    /// The page is removed from --out-kept when every source is kept (`built_from` in
    /// --out-clusters); the summary counts the pages made of several sources. A cover whose
    /// sources are on average mostly inside the page (its reposts and excerpts, say) is not
    /// one: the page is their source. Candidates down to about this share are measured, which
    /// costs a little more.
    #[arg(long, default_value_t = ContainmentArg::At(DEFAULT_PART_FLOOR), value_parser = containment_arg, value_name = "SHARE")]
    pub(crate) part_floor: ContainmentArg,
    /// Show a progress bar on standard error: `auto` when it is a terminal.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub(crate) progress: ColorChoice,
    /// Print how long each stage took on standard error: wall time, and the CPU time of all the
    /// threads (near the wall time times the cores when a stage keeps every core busy).
    #[arg(long)]
    pub(crate) timings: bool,
    #[command(flatten)]
    pub(crate) matching: MatchArgs,
}

#[derive(Subcommand, Debug)]
pub(crate) enum IndexCommand {
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
pub(crate) struct InputArgs {
    /// Files, directories, or `-` (standard input, JSON Lines).
    #[arg(required = true)]
    pub(crate) inputs: Vec<PathBuf>,
    /// The JSON Lines field holding the id (a missing id becomes FILE:LINE).
    #[arg(long, default_value = "id")]
    pub(crate) id_field: String,
    /// The JSON Lines field holding the text.
    #[arg(long, default_value = "text")]
    pub(crate) text_field: String,
    /// The JSON Lines field holding the publication date, which then decides a derivative's
    /// direction.
    ///
    /// An ISO 8601 date or date-time (2024-03-05, 2024-03-05T10:20, 2024-03-05 10:20:30.5,
    /// with Z, +02:00 or -0500 for its zone; none is UTC) or epoch seconds as a JSON number. A
    /// record without the field, or with null, is undated, and so is a plain-text file; a value
    /// that does not read as a date is an error naming its file and line (skipped and listed with
    /// --skip-bad). When both documents of a derivative have dates and they differ, the earlier
    /// is the source (direction_by "date"), even where the text says clearly otherwise (then the
    /// pair is flagged direction_contradicted); otherwise the text decides.
    #[arg(long, value_name = "NAME")]
    pub(crate) date_field: Option<String>,
    /// Skip malformed lines and unreadable files, and list them, instead of stopping.
    #[arg(long)]
    pub(crate) skip_bad: bool,
    /// Replace invalid UTF-8 with U+FFFD instead of failing.
    #[arg(long)]
    pub(crate) lossy: bool,
    /// The largest document read, in bytes (K, M and G suffixes: 64M): a plain file's size or a
    /// JSON Lines record's length. A larger one is an error naming it (or, with --skip-bad, a
    /// skipped and listed one).
    #[arg(long, default_value_t = ByteSize(DEFAULT_MAX_DOC_BYTES), value_parser = byte_size, value_name = "BYTES")]
    pub(crate) max_doc_bytes: ByteSize,
}

impl InputArgs {
    pub(crate) fn spec(&self) -> neardup::document::CorpusSpec {
        use neardup::document::{CorpusSpec, OnError};
        CorpusSpec {
            inputs: self.inputs.clone(),
            id_field: self.id_field.clone(),
            text_field: self.text_field.clone(),
            date_field: self.date_field.clone(),
            lossy: self.lossy,
            on_error: if self.skip_bad {
                OnError::Skip
            } else {
                OnError::Stop
            },
            keep_raw: false,
            max_doc_bytes: self.max_doc_bytes.0,
        }
    }
}

#[derive(Args, Debug)]
pub(crate) struct IndexBuildArgs {
    /// The index directory to create.
    #[arg(long, value_name = "DIR")]
    pub(crate) index: PathBuf,
    #[command(flatten)]
    pub(crate) input: InputArgs,
    /// Show a progress bar on standard error: `auto` when it is a terminal.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub(crate) progress: ColorChoice,
    #[command(flatten)]
    pub(crate) matching: MatchArgs,
}

#[derive(Args, Debug)]
pub(crate) struct IndexAddArgs {
    /// The index directory.
    #[arg(long, value_name = "DIR")]
    pub(crate) index: PathBuf,
    #[command(flatten)]
    pub(crate) input: InputArgs,
    /// Replace the source of an id already in the index, instead of reporting and skipping it.
    #[arg(long)]
    pub(crate) replace: bool,
    /// Show a progress bar on standard error: `auto` when it is a terminal.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub(crate) progress: ColorChoice,
}

#[derive(Args, Debug)]
pub(crate) struct IndexStatsArgs {
    /// The index directory.
    #[arg(long, value_name = "DIR")]
    pub(crate) index: PathBuf,
    /// Print one JSON object.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Args, Debug)]
pub(crate) struct CheckArgs {
    /// The index directory.
    #[arg(long, value_name = "DIR")]
    pub(crate) index: PathBuf,
    #[command(flatten)]
    pub(crate) input: InputArgs,
    /// Print one JSON pair record per match (a = the checked document, b = the source).
    #[arg(long)]
    pub(crate) json: bool,
    /// Add the aligned passages to each JSON record (the human view always shows them).
    #[arg(long)]
    pub(crate) passages: bool,
    /// When to colour the output: `auto` colours when standard output is a terminal and NO_COLOR
    /// is not set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub(crate) color: ColorChoice,
    /// Show a progress bar on standard error: `auto` when it is a terminal.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub(crate) progress: ColorChoice,
    /// Also write a self-contained HTML report: each checked document beside its sources, with
    /// the passages aligned and coloured.
    #[arg(long, value_name = "FILE")]
    pub(crate) html: Option<PathBuf>,
    /// Most pairs the HTML report holds (the first ones checked); the rest are counted on
    /// standard error.
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub(crate) html_max_pairs: usize,
    /// The least share of a checked page a source must explain to be one of the sources it is
    /// built from; `off` for none.
    ///
    /// A digest or roundup takes parts of several articles: no single one holds enough of it to
    /// match, yet together they explain it. Its cover is found greedily (the source that
    /// explains the most of what is still unexplained, then the next, while one explains at
    /// least this share), and when the cover explains at least the index's containment
    /// threshold with no source doing so alone, each source is a `derivative` match (the page
    /// derived, `direction_by` "cover") with a `cover` object: its share, its rank, the share
    /// of the whole cover, and the spans of the page it explains. Candidates down to about this
    /// share are read and measured, which costs a little more per checked document.
    #[arg(long, default_value_t = ContainmentArg::At(DEFAULT_PART_FLOOR), value_parser = containment_arg, value_name = "SHARE")]
    pub(crate) part_floor: ContainmentArg,
}

/// What counts as a match, and the sketch settings: shared by `dedup` and `index build`.
#[derive(Args, Debug)]
pub(crate) struct MatchArgs {
    /// Report pairs with at least this Jaccard similarity.
    #[arg(long, default_value_t = DEFAULT_JACCARD, value_parser = unit_interval)]
    pub(crate) jaccard: f64,
    /// Report pairs where at least this share of one document's shingles is in the other; such
    /// a pair is a `derivative` unless it is a duplicate. `off` reports on --jaccard alone.
    ///
    /// What each target costs: a containment target must find a short text inside one up to
    /// --max-ratio times longer, whose Jaccard is far lower (0.6 inside 6 times its size is a
    /// Jaccard of 0.09), so the candidate search looks much wider than for a Jaccard of 0.5:
    /// more LSH votes, more candidates to verify. `off` searches for --jaccard only (as datasketch
    /// or rensa do), the cheapest setting; pairs are still labelled duplicate or derivative by
    /// --duplicate and the default derivative share.
    #[arg(long, default_value_t = ContainmentArg::At(DEFAULT_CONTAINMENT), value_parser = containment_arg)]
    pub(crate) containment: ContainmentArg,
    /// Minimum share of each document's shingles in the other for a pair to be a `duplicate`.
    #[arg(long, default_value_t = Thresholds::default().duplicate, value_parser = unit_interval)]
    pub(crate) duplicate: f64,
    /// Words per shingle.
    #[arg(long, default_value_t = DEFAULT_K as u16, value_parser = clap::value_parser!(u16).range(1..=MAX_SHINGLE_SIZE as i64))]
    pub(crate) shingle_size: u16,
    /// MinHash signature length.
    #[arg(long, default_value_t = DEFAULT_NUM_PERM as u16, value_parser = clap::value_parser!(u16).range(16..=1024))]
    pub(crate) num_perm: u16,
    /// Largest size ratio between a contained document and its container for which candidate
    /// recall is guaranteed (beyond it, recall degrades gradually).
    #[arg(long, default_value_t = DEFAULT_MAX_RATIO)]
    pub(crate) max_ratio: f64,
}

impl MatchArgs {
    /// The dedup configuration these settings describe.
    pub(crate) fn config(&self) -> Result<neardup::dedup::DedupConfig> {
        use neardup::minhash::MinHashParams;
        if self.max_ratio.is_nan() || self.max_ratio < 1.0 {
            bail!("--max-ratio must be at least 1, got {}", self.max_ratio);
        }
        let (derivative, report) = match self.containment {
            ContainmentArg::At(c) => (c, Reporting::new(self.jaccard, c)?),
            ContainmentArg::Off => (
                Thresholds::default().derivative,
                Reporting::jaccard_only(self.jaccard)?,
            ),
        };
        Ok(neardup::dedup::DedupConfig {
            shingle_size: self.shingle_size as usize,
            minhash: MinHashParams::new(self.num_perm as usize),
            thresholds: Thresholds {
                duplicate: self.duplicate,
                derivative,
                overlap: Thresholds::default().overlap.min(derivative),
            },
            report,
            max_ratio: self.max_ratio,
            ..Default::default()
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum BoilerplateMode {
    /// Learn the background from the corpus and leave it out of the evidence.
    Auto,
    /// Every shared shingle is evidence.
    Off,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum Keep {
    /// The fullest text.
    Longest,
    /// The first in input order.
    First,
}

#[derive(Args, Debug)]
pub(crate) struct CompareArgs {
    /// The first document (a UTF-8 text file).
    pub(crate) a: PathBuf,
    /// The second document.
    pub(crate) b: PathBuf,
    /// Print one JSON pair record instead of the human view.
    ///
    /// Fields: a, b, jaccard, containment_a_in_b, containment_b_in_a, relation, source and derived
    /// (derivatives only), passages [{kind, a: [start, end] | null, b: ...}] with byte offsets.
    #[arg(long)]
    pub(crate) json: bool,
    /// Leave out the passage alignment: scores and verdict only.
    #[arg(long)]
    pub(crate) no_passages: bool,
    /// Also write an HTML report: the two texts side by side, passages aligned and coloured.
    ///
    /// One self-contained file (inline CSS and JavaScript, nothing loaded from the network) that
    /// opens from disk in a browser. The report is aligned even with --no-passages.
    #[arg(long, value_name = "FILE")]
    pub(crate) html: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) common: CommonArgs,
}

#[derive(Args, Debug)]
pub(crate) struct CommonArgs {
    /// When to colour the output.
    ///
    /// `auto` colours when standard output is a terminal and the NO_COLOR environment variable is
    /// not set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub(crate) color: ColorChoice,
    /// Replace invalid UTF-8 with U+FFFD instead of failing; spans refer to the repaired text.
    #[arg(long)]
    pub(crate) lossy: bool,
    /// The largest document read, in bytes (K, M and G suffixes: 64M): a larger file is an error
    /// naming it.
    #[arg(long, default_value_t = ByteSize(DEFAULT_MAX_DOC_BYTES), value_parser = byte_size, value_name = "BYTES")]
    pub(crate) max_doc_bytes: ByteSize,

    /// Words per shingle.
    #[arg(long, default_value_t = DEFAULT_K as u16, value_parser = clap::value_parser!(u16).range(1..=MAX_SHINGLE_SIZE as i64))]
    pub(crate) shingle_size: u16,
    /// Minimum share of each document's shingles in the other for `duplicate`.
    #[arg(long, default_value_t = Thresholds::default().duplicate, value_parser = unit_interval)]
    pub(crate) duplicate: f64,
    /// Minimum containment of one document in the other for `derivative`.
    // `--derivative`, its name before it was spelled as in `dedup` and `index build`, still works.
    #[arg(long, alias = "derivative", default_value_t = Thresholds::default().derivative, value_parser = unit_interval)]
    pub(crate) containment: f64,
    /// Minimum containment of one document in the other for `overlap`.
    #[arg(long, default_value_t = Thresholds::default().overlap, value_parser = unit_interval)]
    pub(crate) overlap: f64,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// A byte count given as digits with an optional K, M or G (powers of 1024), and shown the same
/// way (the largest unit that divides it), so that a default from the library reads `32M` in the
/// help.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ByteSize(pub(crate) usize);

impl std::fmt::Display for ByteSize {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.0;
        match [(30, 'G'), (20, 'M'), (10, 'K')]
            .into_iter()
            .find(|&(shift, _)| n != 0 && n.is_multiple_of(1 << shift))
        {
            Some((shift, unit)) => write!(f, "{}{unit}", n >> shift),
            None => write!(f, "{n}"),
        }
    }
}

/// A [`ByteSize`]: digits with an optional K, M or G (powers of 1024).
fn byte_size(s: &str) -> Result<ByteSize, String> {
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
        Some(n) => Ok(ByteSize(n)),
    }
}

/// `--digest-sources`: the fewest and most sources of a digest, 2 <= min <= max <= 4; shown as
/// `N` when both are N, else `MIN-MAX`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct DigestSources {
    /// The fewest sources.
    pub(crate) min: usize,
    /// The most sources.
    pub(crate) max: usize,
}

impl From<(usize, usize)> for DigestSources {
    fn from((min, max): (usize, usize)) -> Self {
        DigestSources { min, max }
    }
}

impl std::fmt::Display for DigestSources {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.min == self.max {
            true => write!(f, "{}", self.min),
            false => write!(f, "{}-{}", self.min, self.max),
        }
    }
}

/// A [`DigestSources`]: `N` or `MIN-MAX`, each from 2 to 4, MIN not above MAX.
fn digest_sources(s: &str) -> Result<DigestSources, String> {
    let number = |t: &str| {
        t.trim()
            .parse::<usize>()
            .map_err(|_| format!("`{s}` is not a number of sources (e.g. 3, or 2-4)"))
    };
    let (min, max) = match s.split_once('-') {
        Some((a, b)) => (number(a)?, number(b)?),
        None => {
            let n = number(s)?;
            (n, n)
        }
    };
    if !(2..=4).contains(&min) || !(2..=4).contains(&max) {
        return Err(format!("`{s}`: a digest has 2 to 4 sources"));
    }
    if min > max {
        return Err(format!(
            "`{s}`: the fewest ({min}) is above the most ({max})"
        ));
    }
    Ok(DigestSources { min, max })
}

/// `--containment`: a share, or `off`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum ContainmentArg {
    /// Containment reports nothing.
    Off,
    /// Pairs with at least this containment are reported.
    At(f64),
}

impl ContainmentArg {
    /// `--part-floor`: how pages built from several sources are found, `None` for `off`.
    pub(crate) fn cover(self) -> Option<neardup::cover::CoverParams> {
        match self {
            ContainmentArg::Off => None,
            ContainmentArg::At(floor) => Some(neardup::cover::CoverParams { floor }),
        }
    }
}

impl std::fmt::Display for ContainmentArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ContainmentArg::Off => f.write_str("off"),
            ContainmentArg::At(c) => write!(f, "{c}"),
        }
    }
}

fn containment_arg(s: &str) -> Result<ContainmentArg, String> {
    if s.eq_ignore_ascii_case("off") {
        Ok(ContainmentArg::Off)
    } else {
        unit_interval(s).map(ContainmentArg::At)
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
    pub(crate) fn use_color(&self) -> bool {
        use_color(self.color)
    }

    pub(crate) fn comparer(&self, passages: bool) -> Result<Comparer> {
        if self.containment < self.overlap {
            bail!(
                "--containment ({}) must not be below --overlap ({})",
                self.containment,
                self.overlap
            );
        }
        Ok(Comparer::builder()
            .shingle_size(self.shingle_size as usize)
            .thresholds(Thresholds {
                duplicate: self.duplicate,
                derivative: self.containment,
                overlap: self.overlap,
            })
            .passages(passages)
            .build())
    }
}

/// Whether to draw a progress bar on standard error.
pub(crate) fn show_progress(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => io::stderr().is_terminal(),
    }
}

/// Whether to colour standard output: `auto` colours a terminal unless NO_COLOR is set.
pub(crate) fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && io::stdout().is_terminal()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn byte_sizes_read_and_show_with_units() {
        for (text, n, shown) in [
            ("32M", 32 << 20, "32M"),
            ("64k", 64 << 10, "64K"),
            ("1G", 1 << 30, "1G"),
            ("2048", 2048, "2K"),
            ("500000", 500_000, "500000"),
        ] {
            assert_eq!(byte_size(text), Ok(ByteSize(n)), "{text}");
            assert_eq!(ByteSize(n).to_string(), shown, "{text}");
        }
        assert!(byte_size("0").is_err());
        assert!(byte_size("lots").is_err());
        assert_eq!(ByteSize(DEFAULT_MAX_DOC_BYTES).to_string(), "32M");
    }

    #[test]
    fn digest_sources_read_one_number_or_a_range_from_2_to_4() {
        for (text, min, max, shown) in [
            ("2", 2, 2, "2"),
            ("3", 3, 3, "3"),
            ("4", 4, 4, "4"),
            ("2-4", 2, 4, "2-4"),
            ("3-4", 3, 4, "3-4"),
            ("3-3", 3, 3, "3"),
        ] {
            let got = digest_sources(text);
            assert_eq!(got, Ok(DigestSources { min, max }), "{text}");
            assert_eq!(got.unwrap().to_string(), shown, "{text}");
        }
        for bad in [
            "1", "5", "0-2", "2-5", "4-2", "two", "", "2-", "-3", "2-3-4",
        ] {
            assert!(digest_sources(bad).is_err(), "{bad}");
        }
        let parse = |extra: &[&str]| {
            let mut argv = vec!["neardup", "synth", "--out", "c.jsonl"];
            argv.extend(extra);
            match Cli::try_parse_from(argv).map(|c| c.command) {
                Ok(Command::Synth(args)) => Ok(args.digest_sources),
                Ok(other) => panic!("{other:?}"),
                Err(e) => Err(e.kind()),
            }
        };
        let default = DigestSources::from(SynthSpec::default().digest_sources);
        assert_eq!(parse(&[]), Ok(default));
        assert_eq!(
            parse(&["--digest-sources", "2-4"]),
            Ok(DigestSources { min: 2, max: 4 })
        );
        assert_eq!(
            parse(&["--digest-sources", "5"]),
            Err(clap::error::ErrorKind::ValueValidation)
        );
    }

    #[test]
    fn compare_takes_containment_and_its_old_name_derivative() {
        let parse =
            |flag: &str| match Cli::try_parse_from(["neardup", "compare", "a", "b", flag, "0.7"])
                .unwrap()
                .command
            {
                Command::Compare(args) => args.common.containment,
                other => panic!("{other:?}"),
            };
        assert_eq!(parse("--containment"), 0.7);
        assert_eq!(parse("--derivative"), 0.7);
        let mut cmd = Cli::command();
        let help = cmd
            .find_subcommand_mut("compare")
            .unwrap()
            .render_long_help()
            .to_string();
        assert!(help.contains("--containment"));
        assert!(!help.contains("--derivative"), "the old name stays hidden");
    }
}
