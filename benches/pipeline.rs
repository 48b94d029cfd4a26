//! Benchmarks per pipeline stage, with throughput in bytes of input text: tokenize, shingle+sign,
//! align, the LSH index (insert, query), the candidate stage on shared-phrase text (in documents),
//! and a whole dedup run on a generated corpus. Inputs: the seeds, generated news-like text and
//! generated shared-phrase text.
//! Each timed loop also checks a known count, so a broken stage fails the bench.
//!
//! Run with `cargo bench --bench pipeline`; `-- tokenize` (or another group name) for one group.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};

use neardup::align::{align, AlignParams, Side};
use neardup::compare::Comparer;
use neardup::dedup::{DedupConfig, Deduper, Scratch};
use neardup::document::Document;
use neardup::lsh::{candidate_pairs, LshIndex, LshParams, LshTarget};
use neardup::minhash::{MinHashParams, MinHasher, Signature};
use neardup::shingle::{shingle_hashes_into, DEFAULT_K};
use neardup::synth::{self, CorpusSpec};
use neardup::text::{tokenize, tokenize_into};

const REPOST: &str = include_str!("../seeds/000_97b1e3636e8cd943.txt");
const ARTICLE: &str = include_str!("../seeds/002_41678999f0492237.txt");

/// About 4 MB of generated news articles.
fn news_corpus() -> Vec<String> {
    (0..2000u64)
        .map(|i| synth::news_text(i, 300 + (i as usize % 300)))
        .collect()
}

fn total_bytes(docs: &[String]) -> u64 {
    docs.iter().map(|d| d.len() as u64).sum()
}

fn bench_tokenize(c: &mut Criterion) {
    let mut g = c.benchmark_group("tokenize");
    let seeds = format!("{REPOST}\n{ARTICLE}");
    let seed_tokens = tokenize(&seeds).len();
    g.throughput(Throughput::Bytes(seeds.len() as u64));
    g.bench_function("seeds", |b| {
        let mut out = Vec::new();
        b.iter(|| {
            tokenize_into(black_box(&seeds), &mut out);
            assert_eq!(out.len(), seed_tokens);
        })
    });
    let docs = news_corpus();
    let expected: usize = docs.iter().map(|d| tokenize(d).len()).sum();
    g.throughput(Throughput::Bytes(total_bytes(&docs)));
    g.bench_function("news_4mb", |b| {
        let mut out = Vec::new();
        b.iter(|| {
            let mut n = 0;
            for d in &docs {
                tokenize_into(black_box(d), &mut out);
                n += out.len();
            }
            assert_eq!(n, expected);
        })
    });
    g.finish();
}

fn bench_sign(c: &mut Criterion) {
    let mut g = c.benchmark_group("shingle_sign");
    let docs = news_corpus();
    let hasher = MinHasher::new(MinHashParams::new(128));
    g.throughput(Throughput::Bytes(total_bytes(&docs)));
    // Tokenize + shingle + sort/dedup + sign, one core.
    g.bench_function("news_4mb_one_core", |b| {
        let (mut tokens, mut shingles) = (Vec::new(), Vec::new());
        let mut sig = hasher.sign(&[]);
        b.iter(|| {
            let mut nonempty = 0;
            for d in &docs {
                tokenize_into(d, &mut tokens);
                shingle_hashes_into(&tokens, DEFAULT_K, &mut shingles);
                shingles.sort_unstable();
                shingles.dedup();
                hasher.sign_into(&shingles, &mut sig);
                nonempty += usize::from(!sig.is_empty());
            }
            assert_eq!(nonempty, docs.len());
        })
    });
    // The dedup sketch (tokenize, shingle, distinct count, sign, typography), one core: the
    // per-document work of a dedup run's first pass.
    let deduper = Deduper::new(DedupConfig::default());
    g.bench_function("news_4mb_sketch_one_core", |b| {
        let mut scratch = Scratch::default();
        b.iter(|| {
            let nonempty = docs
                .iter()
                .filter(|d| !deduper.sketch(d, &mut scratch).signature.is_empty())
                .count();
            assert_eq!(nonempty, docs.len());
        })
    });
    // The same in parallel over documents.
    g.bench_function("news_4mb_sketch_rayon", |b| {
        use rayon::prelude::*;
        b.iter(|| {
            let sketches: Vec<_> = docs
                .par_iter()
                .map_init(Scratch::default, |s, d| deduper.sketch(d, s))
                .collect();
            assert_eq!(sketches.len(), docs.len());
        })
    });
    g.finish();
}

fn bench_align(c: &mut Criterion) {
    let mut g = c.benchmark_group("align");
    let (ta, tb) = (tokenize(REPOST), tokenize(ARTICLE));
    let params = AlignParams::default();
    g.throughput(Throughput::Bytes((REPOST.len() + ARTICLE.len()) as u64));
    g.bench_function("seeds", |b| {
        b.iter(|| {
            let al = align(
                Side {
                    text: REPOST,
                    tokens: &ta,
                },
                Side {
                    text: ARTICLE,
                    tokens: &tb,
                },
                &params,
            );
            assert!(al.passages.len() >= 10);
        })
    });
    // A long article against a repost that drops and adds passages: 40 articles glued, about
    // 80 KB, and the same with every third paragraph dropped and lines added.
    let long: String = (0..40u64)
        .map(|i| synth::news_text(1000 + i, 400))
        .collect::<Vec<_>>()
        .join("\n\n");
    let paragraphs: Vec<&str> = long.split("\n\n").collect();
    let repost: String = paragraphs
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 3 != 1)
        .map(|(i, p)| {
            if i % 7 == 0 {
                format!("Read more at our site today. {p}")
            } else {
                p.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n\n");
    let (tl, tr) = (tokenize(&long), tokenize(&repost));
    g.throughput(Throughput::Bytes((long.len() + repost.len()) as u64));
    g.bench_function("long_80kb", |b| {
        b.iter(|| {
            let al = align(
                Side {
                    text: &repost,
                    tokens: &tr,
                },
                Side {
                    text: &long,
                    tokens: &tl,
                },
                &params,
            );
            assert!(al.passages.len() > 20);
        })
    });
    g.throughput(Throughput::Bytes((REPOST.len() + ARTICLE.len()) as u64));
    g.bench_function("compare_seeds", |b| {
        let (x, y) = (Document::new("a", REPOST), Document::new("b", ARTICLE));
        let comparer = Comparer::default();
        b.iter(|| {
            let p = comparer.compare(&x, &y);
            assert_eq!(p.derived_id(), Some("a"));
        })
    });
    g.finish();
}

fn bench_lsh(c: &mut Criterion) {
    let mut g = c.benchmark_group("lsh");
    let docs = news_corpus();
    let deduper = Deduper::new(DedupConfig::default());
    let mut scratch = Scratch::default();
    let sigs: Vec<Signature> = docs
        .iter()
        .map(|d| deduper.sketch(d, &mut scratch).signature)
        .collect();
    let params = LshParams::for_thresholds(&LshTarget::default(), 128);
    g.throughput(Throughput::Elements(sigs.len() as u64));
    g.bench_function("insert_2000", |b| {
        b.iter_batched(
            || LshIndex::new(params),
            |mut index| {
                for (i, s) in sigs.iter().enumerate() {
                    index.insert(i as u32, s);
                }
                index
            },
            BatchSize::LargeInput,
        )
    });
    let mut index = LshIndex::new(params);
    for (i, s) in sigs.iter().enumerate() {
        index.insert(i as u32, s);
    }
    g.bench_function("query_2000", |b| {
        b.iter(|| {
            let mut self_hits = 0;
            for (i, s) in sigs.iter().enumerate() {
                self_hits += usize::from(index.query(s).iter().any(|h| h.0 == i as u32));
            }
            assert_eq!(self_hits, sigs.len());
        })
    });
    g.bench_function("batch_pairs_2000", |b| {
        b.iter(|| {
            // Unrelated generated articles: no pair should reach the votes.
            let pairs = candidate_pairs(&sigs, &params);
            assert!(pairs.len() < 10, "{}", pairs.len());
        })
    });
    g.finish();
}

/// The whole `dedup` run on a generated JSON Lines corpus with known copies: pass 1 (reading
/// in pieces of whole lines, parsing and sketching them in parallel), candidates, verification
/// (positioned reads of the candidate records) and the kept output (ranges of adjacent records).
fn bench_dedup(c: &mut Criterion) {
    use neardup::dedup::{run, Outputs};
    use neardup::document::CorpusSpec as Inputs;
    use neardup::progress::Silent;
    let mut g = c.benchmark_group("dedup");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let corpus = dir.path().join("corpus.jsonl");
    let spec = CorpusSpec::default().docs(4000).derived_fraction(0.1);
    let file = std::fs::File::create(&corpus).expect("the corpus file");
    let truth = synth::stream_jsonl(&spec, std::io::BufWriter::new(file)).expect("written");
    let bytes = std::fs::metadata(&corpus).expect("written").len();
    let deduper = Deduper::new(DedupConfig::default());
    let inputs = Inputs::new([&corpus]);
    g.throughput(Throughput::Bytes(bytes));
    for (name, kept) in [("pairs_4000_docs", false), ("pairs_kept_4000_docs", true)] {
        let outputs = Outputs {
            pairs: Some(dir.path().join("pairs.jsonl")),
            kept: kept.then(|| dir.path().join("kept.jsonl")),
            ..Outputs::default()
        };
        g.bench_function(name, |b| {
            b.iter(|| {
                let summary = run(&inputs, &deduper, &outputs, &Silent).expect("the run");
                assert_eq!(summary.read, spec.total_docs() as u64);
                // Every known copy except digests is a verified pair.
                assert!(
                    summary.pairs as usize >= truth.len() * 8 / 10,
                    "{}",
                    summary.pairs
                );
            })
        });
    }
    g.finish();
}

/// Documents of the shared-phrase corpus of [`bench_candidates`].
const PHRASE_DOCS: usize = 5_000;

/// The candidate stage alone on shared-phrase text (`synth --style phrases`: about half of each
/// article's sentences from a shared pool, so that most 5-grams recur in hundreds of documents
/// and a third of unrelated pairs share one), the case where the bucket of a shared shingle
/// grows with the corpus. Sketched once, outside the timed loops; timed: the LSH votes alone
/// ([`candidate_pairs_by`]), the votes with the background learnt on the way
/// ([`candidates_and_background`]), and [`Deduper::candidates`] (votes and the estimate filter)
/// with `--boilerplate` auto and off. Each loop checks that the known copies (all but digests)
/// are among the pairs it finds.
fn bench_candidates(c: &mut Criterion) {
    use neardup::boilerplate::{candidates_and_background, BoilerplateParams};
    use neardup::dedup::SketchTable;
    use neardup::lsh::candidate_pairs_by;
    use rayon::prelude::*;
    use std::collections::HashSet;

    let spec = CorpusSpec::default()
        .docs(PHRASE_DOCS)
        .style(synth::TextStyle::Phrases);
    let corpus = synth::generate_par(&spec);
    let index: std::collections::HashMap<&str, u32> = corpus
        .docs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str(), i as u32))
        .collect();
    let known: Vec<(u32, u32)> = corpus
        .truth
        .iter()
        .filter(|t| t.kind != "digest")
        .map(|t| {
            let (a, b) = (index[t.source.as_str()], index[t.derived.as_str()]);
            (a.min(b), a.max(b))
        })
        .collect();
    let known: HashSet<(u32, u32)> = known.into_iter().collect();
    // All but a few in a hundred (the LSH recall target is 0.99 per pair); each pair found is
    // looked up in the small set of known ones.
    let found_enough = |pairs: &mut dyn Iterator<Item = (u32, u32)>| {
        let found = pairs.filter(|p| known.contains(p)).count();
        assert!(
            found * 100 >= known.len() * 98,
            "{found} of {}",
            known.len()
        );
    };
    let auto = Deduper::new(DedupConfig::default());
    let off = Deduper::new(DedupConfig {
        boilerplate: None,
        ..DedupConfig::default()
    });
    let sketches: SketchTable = corpus
        .docs
        .par_iter()
        .map_init(Scratch::default, |s, d| auto.sketch(&d.text, s))
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    drop(index);
    let n = sketches.len();
    let signature = |i| sketches.signature(i);
    let lsh = *auto.lsh_params();
    let containment = auto.config().report.containment();

    let k = PHRASE_DOCS / 1000;
    let mut g = c.benchmark_group("candidates");
    g.sample_size(10);
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function(format!("lsh_votes_phrases_{k}k"), |b| {
        b.iter(|| {
            let pairs = candidate_pairs_by(n, signature, &lsh);
            found_enough(&mut pairs.iter().map(|&(a, b, _)| (a, b)));
        })
    });
    g.bench_function(format!("votes_and_background_phrases_{k}k"), |b| {
        b.iter(|| {
            let params = BoilerplateParams::default();
            let (pairs, background) =
                candidates_and_background(n, signature, &lsh, params, containment);
            found_enough(&mut pairs.iter().map(|&(a, b, _)| (a, b)));
            black_box(background);
        })
    });
    for (mode, deduper) in [("auto", &auto), ("off", &off)] {
        g.bench_function(format!("deduper_{mode}_phrases_{k}k"), |b| {
            b.iter(|| {
                let (candidates, _) = deduper.candidates(&sketches);
                found_enough(&mut candidates.iter().map(|c| (c.a, c.b)));
            })
        });
    }
    g.finish();
}

fn corpus_bench(c: &mut Criterion) {
    // Sketching a generated corpus with known reposts end to end is in the dedup benches; here
    // only make sure the generator itself is cheap enough for them.
    let mut g = c.benchmark_group("synth");
    let spec = CorpusSpec::default().docs(500);
    g.bench_function("generate_500", |b| {
        b.iter(|| assert_eq!(synth::generate(&spec).docs.len(), spec.total_docs()))
    });
    g.finish();
}

criterion_group!(
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench_tokenize, bench_sign, bench_align, bench_lsh, bench_dedup, bench_candidates,
        corpus_bench
);
criterion_main!(benches);
