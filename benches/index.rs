//! The source index at scale: build time, open time, check latency (p50, p99) and size on disk,
//! on generated news-like sources.
//!
//! `cargo bench --bench index` runs on 100,000 sources; set `NEARDUP_BENCH_SOURCES=1000000` for
//! the figures, and `NEARDUP_BENCH_STYLE=phrases` for sources in synth's shared-phrase
//! style (half of each article's sentences from a common pool, so that most 5-grams recur in
//! hundreds of sources: the background the index learns and a check discounts). The corpus and
//! the index are kept in `target/index-bench/<n>/` (`phrases-<n>/` for that style) and reused by
//! later runs (delete the folder to measure the build again). Queries are 2 KB
//! documents: half are reposts of a random indexed source (a date line, about 2 KB of the source,
//! a comment box), half are unrelated news of the same style; each is checked with passages, as
//! `neardup check` does. Every repost must find its source first, and (in the news style) an
//! unrelated text must find nothing, so the bench also checks that the index answers rightly; in
//! the phrase style an unrelated text shares stock phrases with many sources, and the bench
//! counts those that still match one. `NEARDUP_BENCH_COVER=off` checks without the cover of
//! pages built from several sources ([`neardup::cover`]), to measure what it costs.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use neardup::dedup::DedupConfig;
use neardup::document::{CorpusSpec, Document};
use neardup::index::{Index, IndexWriter};
use neardup::progress::Silent;
use neardup::synth;

const QUERY_BYTES: usize = 2000;

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing and wants it quick.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let n: usize = std::env::var("NEARDUP_BENCH_SOURCES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let phrases = std::env::var("NEARDUP_BENCH_STYLE").is_ok_and(|v| v == "phrases");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/index-bench")
        .join(if phrases {
            format!("phrases-{n}")
        } else {
            n.to_string()
        });
    std::fs::create_dir_all(&dir).unwrap();
    let corpus = dir.join("sources.jsonl");
    if !corpus.exists() {
        let spec = spec(n, phrases);
        let tmp = dir.join("sources.jsonl.tmp");
        synth::stream_jsonl(&spec, std::io::BufWriter::new(File::create(&tmp).unwrap())).unwrap();
        std::fs::rename(&tmp, &corpus).unwrap();
    }
    let index_dir = dir.join("sources.ndx");
    // A cached index is reused only when this build opens it (one of another format version is
    // built again).
    if !index_dir.join("MANIFEST").exists() || Index::open(&index_dir).is_err() {
        let _ = std::fs::remove_dir_all(&index_dir);
        let started = Instant::now();
        let mut w = IndexWriter::create(&index_dir, &DedupConfig::default()).unwrap();
        w.add_corpus(&CorpusSpec::new([&corpus]), false, &Silent)
            .unwrap();
        let report = w.commit().unwrap();
        println!(
            "build: {} sources in {:.1} s",
            report.total,
            started.elapsed().as_secs_f64()
        );
    }

    // Size against the compressed source texts (zstd level 3, the index's own codec, over the
    // texts end to end, so that it gets every cross-document redundancy a block can see).
    let (texts, compressed) = compressed_texts(&corpus, &dir);
    let on_disk: u64 = std::fs::read_dir(&index_dir)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    println!(
        "size: index {:.1} MB; source texts {:.1} MB, zstd -3 {:.1} MB; index - compressed texts = {:.0} bytes a source",
        on_disk as f64 / 1e6,
        texts as f64 / 1e6,
        compressed as f64 / 1e6,
        (on_disk as f64 - compressed as f64) / n as f64
    );

    // The queries are made first: making a repost reads its source through the index.
    let queries = queries(&Index::open(&index_dir).unwrap(), n, phrases, 2000);
    let cold = drop_caches();
    let started = Instant::now();
    let mut index = Index::open(&index_dir).unwrap();
    let first_open = started.elapsed();
    // `NEARDUP_BENCH_COVER=off`: checks without the cover of pages built from several sources.
    if std::env::var("NEARDUP_BENCH_COVER").is_ok_and(|v| v == "off") {
        index.set_cover(None);
    }
    println!(
        "open: {:.1} ms{}",
        ms(first_open),
        if cold {
            " (page cache dropped first)"
        } else {
            " (page cache not dropped: needs root)"
        }
    );
    let mut opens: Vec<Duration> = (0..20)
        .map(|_| {
            let t = Instant::now();
            drop(Index::open(&index_dir).unwrap());
            t.elapsed()
        })
        .collect();
    opens.sort();
    println!("open, warm: median {:.2} ms", ms(opens[10]));

    let (first, second) = queries.split_at(1000);
    measure(&index, first, "check right after opening", phrases);
    measure(&index, second, "check, another 1000", phrases);
}

/// The sources' corpus: `n` articles of synth, news-like or in the shared-phrase style.
fn spec(n: usize, phrases: bool) -> synth::CorpusSpec {
    let spec = synth::CorpusSpec::default()
        .docs(n)
        .seed(2024)
        .derived_fraction(0.0);
    if phrases {
        spec.style(synth::TextStyle::Phrases)
    } else {
        spec
    }
}

/// Checks each query, asserts the answer (an unrelated text of the phrase style may match: those
/// are counted), and prints the latency percentiles.
fn measure(index: &Index, queries: &[(Document, Option<String>)], label: &str, phrases: bool) {
    let mut times = Vec::with_capacity(queries.len());
    let (mut found, mut stray) = (0, 0);
    for (q, source) in queries {
        let t = Instant::now();
        let matches = index.check(q, true).unwrap();
        times.push(t.elapsed());
        match source {
            Some(id) => {
                assert_eq!(matches.first().map(|m| &m.source.id), Some(id), "{}", q.id);
                found += 1;
            }
            None if phrases => stray += usize::from(!matches.is_empty()),
            None => assert!(
                matches.is_empty(),
                "{} matched {}",
                q.id,
                matches[0].source.id
            ),
        }
    }
    times.sort();
    let pct = |p: f64| ms(times[((times.len() - 1) as f64 * p) as usize]);
    println!(
        "{label}: {} queries of {} bytes ({} reposts found, {} unrelated found nothing, {} matched a source): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        times.len(),
        QUERY_BYTES,
        found,
        times.len() - found - stray,
        stray,
        pct(0.5),
        pct(0.99),
        pct(1.0)
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Empties the page cache when this process may (root on Linux).
fn drop_caches() -> bool {
    let _ = std::process::Command::new("sync").status();
    std::fs::write("/proc/sys/vm/drop_caches", "3").is_ok()
}

/// Bytes of source text, and of the texts compressed end to end with zstd level 3 (cached).
fn compressed_texts(corpus: &Path, dir: &Path) -> (u64, u64) {
    let cache = dir.join("texts.size");
    if let Ok(s) = std::fs::read_to_string(&cache) {
        let v: Vec<u64> = s.split_whitespace().map(|x| x.parse().unwrap()).collect();
        return (v[0], v[1]);
    }
    let mut enc = zstd::Encoder::new(Counter(0), 3).unwrap();
    let mut texts = 0;
    for line in BufReader::new(File::open(corpus).unwrap()).lines() {
        let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        let t = v["text"].as_str().unwrap();
        texts += t.len() as u64;
        enc.write_all(t.as_bytes()).unwrap();
    }
    let compressed = enc.finish().unwrap().0;
    std::fs::write(&cache, format!("{texts} {compressed}")).unwrap();
    (texts, compressed)
}

struct Counter(u64);

impl Write for Counter {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0 += b.len() as u64;
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `count` queries of about 2 KB: reposts of random sources (with the source's id) and unrelated
/// texts (with none).
fn queries(
    index: &Index,
    n: usize,
    phrases: bool,
    count: usize,
) -> Vec<(Document, Option<String>)> {
    let mut rng = neardup::hash::SplitMix64::new(0x5eed);
    let mut next = move || rng.next_u64();
    let reader = Index::open(index.path()).unwrap();
    (0..count)
        .map(|i| {
            if i % 2 == 0 {
                let pick = (next() % n as u64) as usize;
                let source = source_at(&reader, n, phrases, pick);
                let body = cut(&source.text, QUERY_BYTES - 60);
                let text =
                    format!("Saturday, July 22, 2023\n\n{body}\n\nNo comments: Post a Comment");
                (Document::new(format!("repost-{i}"), text), Some(source.id))
            } else {
                let seed = 1_000_000 + next() % 1_000_000;
                let text = if phrases {
                    synth::phrase_text(seed, 400, spec(n, true).phrase_pool)
                } else {
                    synth::news_text(seed, 400)
                };
                (
                    Document::new(format!("other-{i}"), cut(&text, QUERY_BYTES)),
                    None,
                )
            }
        })
        .collect()
}

/// The source with synth id `doc-{pick}` found through the index itself (a check of its text).
fn source_at(index: &Index, n: usize, phrases: bool, pick: usize) -> Document {
    let (doc, _) = spec(n, phrases).entry(pick);
    let m = index
        .check(&Document::new("q", doc.text.clone()), false)
        .unwrap();
    assert_eq!(m[0].source.id, doc.id);
    m.into_iter().next().unwrap().source
}

fn cut(text: &str, bytes: usize) -> &str {
    if text.len() <= bytes {
        return text;
    }
    let end = (0..=bytes)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap();
    &text[..end]
}
