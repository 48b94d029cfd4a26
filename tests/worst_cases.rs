//! Inputs built to be expensive, each finishing with bounded work: a word repeated a million
//! times, a soup of three words, two 5 MB documents that share most of their text, and 10,000
//! copies of one boilerplate paragraph in a corpus and in an index. The bounds are counts of work
//! (the aligner's scanned tokens and LCS cells, the dedup's candidate pairs), not times, so they
//! hold on any machine and fail only when an algorithm turns quadratic.

mod util;

use neardup::align::{align_counted, AlignParams, Alignment, Side};
use neardup::dedup::{run, Outputs};
use neardup::dedup::{DedupConfig, Deduper, Scratch};
use neardup::document::CorpusSpec;
use neardup::progress::Silent;
use neardup::text::tokenize;
use neardup::{Comparer, Document, PassageKind, Relation};
use util::run_in;

/// Aligns two texts and returns the alignment and the work per token of the two texts.
fn aligned(a: &str, b: &str) -> (Alignment, f64) {
    let (ta, tb) = (tokenize(a), tokenize(b));
    let (al, work) = align_counted(
        Side {
            text: a,
            tokens: &ta,
        },
        Side {
            text: b,
            tokens: &tb,
        },
        &AlignParams::default(),
    );
    let per_token = work as f64 / (ta.len() + tb.len()).max(1) as f64;
    eprintln!(
        "{} + {} tokens: {work} units of work, {per_token:.2} a token",
        ta.len(),
        tb.len()
    );
    (al, per_token)
}

/// A deterministic stream of numbers.
fn numbers(seed: u64) -> impl FnMut() -> u64 {
    let mut rng = neardup::hash::SplitMix64::new(seed);
    move || rng.next_u64()
}

#[test]
fn one_word_a_million_times() {
    let a = "news ".repeat(1_000_000);
    let b = format!(
        "{} breaking {}",
        "news ".repeat(500_000),
        "news ".repeat(499_999)
    );
    let sketch = Deduper::new(DedupConfig::default()).sketch(&a, &mut Scratch::default());
    assert_eq!(sketch.shingles(), 1);
    let (al, per_token) = aligned(&a, &b);
    assert!(per_token < 8.0, "{per_token} units of work a token");
    let added: Vec<_> = al.of_kind(PassageKind::BOnly).collect();
    assert!(added.len() <= 1, "{added:?}");
    let pair = Comparer::builder()
        .passages(false)
        .build()
        .compare(&Document::new("a", a), &Document::new("b", b));
    // a has one shingle; b has it and the five around "breaking".
    assert_eq!((pair.scores.a_shingles, pair.scores.b_shingles), (1, 6));
    assert_eq!(pair.relation, Relation::Derivative);
}

#[test]
fn a_soup_of_three_words_has_no_anchors_and_still_costs_linear_work() {
    let soup = |seed, n| {
        let mut next = numbers(seed);
        (0..n)
            .map(|_| ["red", "green", "blue"][(next() % 3) as usize])
            .collect::<Vec<_>>()
            .join(" ")
    };
    let (_, small) = aligned(&soup(1, 50_000), &soup(2, 50_000));
    let (al, large) = aligned(&soup(3, 200_000), &soup(4, 200_000));
    assert!(!al.passages.is_empty());
    assert!(large < 40.0, "{large} units of work a token");
    assert!(
        large < small * 1.5,
        "work a token grew from {small} to {large} when the texts grew 4x"
    );
}

/// A long text: news paragraphs, each from its own seed.
fn long_text(paragraphs: std::ops::Range<u64>) -> Vec<String> {
    paragraphs
        .map(|p| neardup::synth::news_text(p, 120))
        .collect()
}

#[test]
fn two_long_documents_sharing_most_of_their_text() {
    // About 5 MB each at 6,000 paragraphs; b drops every 17th paragraph, moves every 29th to
    // the end, rewrites every 23rd, and adds one of its own every 31st.
    let edit = |a: &[String]| -> Vec<String> {
        let mut b = Vec::new();
        let mut moved = Vec::new();
        for (i, p) in a.iter().enumerate() {
            match i {
                i if i % 17 == 0 => {}
                i if i % 29 == 0 => moved.push(p.clone()),
                i if i % 23 == 0 => b.push(p.replacen(' ', " quite ", 3)),
                i if i % 31 == 0 => {
                    b.push(p.clone());
                    b.push(neardup::synth::news_text(1_000_000 + i as u64, 60));
                }
                _ => b.push(p.clone()),
            }
        }
        b.extend(moved);
        b
    };
    let work = |n: u64| {
        let a = long_text(0..n);
        let b = edit(&a);
        let (a, b) = (a.join("\n\n"), b.join("\n\n"));
        let (al, per_token) = aligned(&a, &b);
        (a.len(), al, per_token)
    };
    let (_, _, small) = work(1_500);
    let (bytes, al, large) = work(6_000);
    assert!(bytes > 4_000_000, "{bytes} bytes");
    assert!(al.of_kind(PassageKind::Shared).count() > 100);
    assert!(al.passages.iter().any(|p| p.moved));
    assert!(large < 60.0, "{large} units of work a token");
    assert!(
        large < small * 1.5,
        "work a token grew from {small} to {large} when the texts grew 4x"
    );
}

/// 10,000 copies of one paragraph among unrelated articles: one cluster, and candidate pairs
/// that grow with the copies, not with their square.
#[test]
fn ten_thousand_copies_of_one_boilerplate_paragraph() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("c.jsonl");
    let boiler = "Subscribe to our newsletter for the latest news, analysis and opinion from \
                  our reporters around the world, delivered to your inbox every morning.";
    let mut lines = String::new();
    let mut next = numbers(9);
    for i in 0..11_000u64 {
        let text = if i % 11 == 0 {
            neardup::synth::news_text(i, 200 + (next() % 200) as usize)
        } else {
            boiler.to_string()
        };
        lines.push_str(&serde_json::json!({"id": format!("d{i}"), "text": text}).to_string());
        lines.push('\n');
    }
    std::fs::write(&corpus, lines).unwrap();
    let outputs = Outputs {
        clusters: Some(dir.path().join("clusters.jsonl")),
        ..Outputs::default()
    };
    let deduper = Deduper::new(DedupConfig::default());
    let s = run(&CorpusSpec::new([&corpus]), &deduper, &outputs, &Silent).unwrap();
    assert_eq!(s.read, 11_000);
    assert_eq!(s.read, s.kept + s.removed());
    assert_eq!(s.removed_duplicates, 9_999);
    assert_eq!(s.clusters, 1);
    assert!(
        s.candidates <= 2 * 11_000,
        "{} candidate pairs",
        s.candidates
    );

    // The same copies as sources of an index: checking the paragraph finds every copy, reading
    // each text block once.
    use neardup::document::CorpusDoc;
    use neardup::index::{Index, IndexWriter};
    let path = dir.path().join("i.ndx");
    let docs: Vec<CorpusDoc> = (0..10_000)
        .map(|i| CorpusDoc::new(i, format!("copy{i}"), boiler, "t"))
        .collect();
    let mut w = IndexWriter::create(&path, &DedupConfig::default()).unwrap();
    w.add_batch(&docs, false).unwrap();
    w.commit().unwrap();
    let index = Index::open(&path).unwrap();
    let matches = index.check(&Document::new("q", boiler), false).unwrap();
    assert_eq!(matches.len(), 10_000);
    assert!(matches
        .iter()
        .all(|m| m.pair.relation == Relation::Duplicate));
}

/// Documents past `--max-doc-bytes` are errors that name them, or, with `--skip-bad`, skipped
/// and listed: never silently dropped, never read whole into memory first.
#[test]
fn documents_past_max_doc_bytes_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let run = |args: &[&str]| run_in(d, args);
    let small = neardup::synth::news_text(1, 100);
    let big = neardup::synth::news_text(2, 3000);
    let lines: String = [("s1", &small), ("big", &big), ("s2", &small)]
        .iter()
        .map(|(id, t)| format!("{}\n", serde_json::json!({"id": id, "text": t})))
        .collect();
    std::fs::write(d.join("c.jsonl"), lines).unwrap();
    std::fs::write(d.join("big.txt"), &big).unwrap();
    std::fs::write(d.join("small.txt"), &small).unwrap();

    let out = run(&["dedup", "c.jsonl", "--max-doc-bytes", "8K"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("c.jsonl:2: document of") && err.contains("over the limit of 8192"),
        "{err}"
    );

    let out = run(&["dedup", "c.jsonl", "--max-doc-bytes", "8K", "--skip-bad"]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("skipped c.jsonl:2"), "{err}");
    assert!(
        err.contains("read 2, kept 1, removed 1") && err.contains("skipped 1"),
        "{err}"
    );

    let out = run(&["compare", "big.txt", "small.txt", "--max-doc-bytes", "8K"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("big.txt: document of"), "{err}");
    assert!(run(&["compare", "big.txt", "small.txt"]).status.success());

    let out = run(&[
        "index",
        "build",
        "--index",
        "i",
        "c.jsonl",
        "big.txt",
        "--max-doc-bytes",
        "8K",
        "--skip-bad",
    ]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("added 2") && err.contains("skipped 2"),
        "{err}"
    );
    let out = run(&["check", "--index", "i", "big.txt", "--max-doc-bytes", "8K"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["dedup", "c.jsonl", "--max-doc-bytes", "lots"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a byte count"));
}

/// One token a megabyte long, alone and inside a corpus line: one shingle, compared and deduped.
#[test]
fn a_one_megabyte_single_token_line() {
    let word = "x".repeat(1 << 20);
    let tokens = tokenize(&word);
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0].end as usize, word.len());
    let sketch = Deduper::new(DedupConfig::default()).sketch(&word, &mut Scratch::default());
    assert_eq!(sketch.shingles(), 1);
    let other = format!("{word}y");
    let (al, per_token) = aligned(&word, &other);
    assert!(per_token < 8.0);
    assert_eq!(al.passages.len(), 2, "one word changed: {al:?}");
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("c.jsonl");
    let line = |id: &str, t: &str| format!("{}\n", serde_json::json!({"id": id, "text": t}));
    std::fs::write(
        &corpus,
        line("a", &word) + &line("b", &word) + &line("c", &other),
    )
    .unwrap();
    let s = run(
        &CorpusSpec::new([&corpus]),
        &Deduper::new(DedupConfig::default()),
        &Outputs::default(),
        &Silent,
    )
    .unwrap();
    assert_eq!((s.read, s.kept, s.removed_duplicates), (3, 2, 1));
}
