//! Properties that hold for every input, checked on generated ones (proptest, with a fixed seed
//! so that a run is repeatable): MinHash estimates within their error bound, the symmetry of the
//! scores, self-comparison, swapped roles, the aligner's span invariants on arbitrary Unicode,
//! and, through the library's corpus and index runs, `read == kept + removed` and every indexed
//! source found as its own duplicate.

use std::ops::Range;

use neardup::align::{align_texts, AlignParams, Alignment};
use neardup::dedup::{DedupConfig, Deduper, Scratch};
use neardup::shingle::ShingleSet;
use neardup::text::tokenize;
use neardup::{Comparer, Document, PassageKind, Relation, Scores};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

/// `cases` cases (or `PROPTEST_CASES` when set, for a longer search), from a fixed seed.
fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    Config {
        cases,
        rng_seed: RngSeed::Fixed(0x6e65_6172),
        failure_persistence: None,
        ..Config::default()
    }
}

/// Words from a small vocabulary, so that generated texts share shingles.
fn words(min: usize, max: usize) -> impl Strategy<Value = Vec<u16>> {
    prop::collection::vec(0u16..400, min..max)
}

fn text_of(words: &[u16]) -> String {
    words
        .iter()
        .map(|w| format!("w{w}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Text made of pieces that stress the tokenizer and aligner: ASCII, accents, combining marks,
/// right-to-left scripts, emoji with joiners, CJK, punctuation and odd whitespace.
fn wild_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("the".to_string()),
        Just("Beijing".to_string()),
        Just("d eals".to_string()),
        Just("“quoted”".to_string()),
        Just("\"quoted\"".to_string()),
        Just("café".to_string()),
        Just("cafe\u{301}".to_string()),
        Just("مرحبا".to_string()),
        Just("שלום".to_string()),
        Just("👩\u{200d}👩\u{200d}👧".to_string()),
        Just("漢字かな".to_string()),
        Just("—".to_string()),
        Just("...".to_string()),
        Just("\u{a0}".to_string()),
        Just("\n\n".to_string()),
        Just("\u{200b}".to_string()),
        "[a-z]{1,8}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..80).prop_map(|v| v.join(" "))
}

/// Spans of an alignment are on char boundaries, in range, and the passages of each side,
/// ordered by start, never overlap and, with whitespace, cover every byte of the text.
fn check_spans(al: &Alignment, a: &str, b: &str) {
    let side = |text: &str, pick: &dyn Fn(&neardup::Passage) -> Option<Range<usize>>| {
        let mut spans: Vec<Range<usize>> = al.passages.iter().filter_map(pick).collect();
        spans.sort_by_key(|r| r.start);
        let mut at = 0;
        for r in &spans {
            assert!(
                r.start <= r.end && r.end <= text.len(),
                "{r:?} of {}",
                text.len()
            );
            assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
            assert!(r.start >= at, "passages overlap at {r:?}");
            assert!(
                text[at..r.start].chars().all(char::is_whitespace),
                "bytes {at}..{} not covered: {:?}",
                r.start,
                &text[at..r.start]
            );
            at = r.end;
        }
        assert!(
            text[at..].chars().all(char::is_whitespace),
            "tail not covered"
        );
    };
    side(a, &|p| p.a.clone());
    side(b, &|p| p.b.clone());
    for p in &al.passages {
        for e in &p.edits {
            for (r, text) in [(&e.a, a), (&e.b, b)] {
                if let Some(r) = r {
                    assert!(r.end <= text.len() && text.is_char_boundary(r.start));
                    assert!(text.is_char_boundary(r.end));
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(config(64))]

    /// The signatures' Jaccard and containment estimates stay within five standard errors of
    /// the exact values (128 bins).
    #[test]
    fn minhash_estimates_are_within_their_error_bound(
        shared in 50usize..400, only_a in 0usize..400, only_b in 0usize..400, salt in any::<u64>()
    ) {
        let h = |i: u64| neardup::hash::mix64(i ^ salt);
        let a: Vec<u64> = (0..(shared + only_a) as u64).map(h).collect();
        let b: Vec<u64> = (0..shared as u64).chain(1_000_000..1_000_000 + only_b as u64).map(h).collect();
        let hasher = neardup::minhash::MinHasher::new(Default::default());
        let (sa, sb) = (hasher.sign(&a), hasher.sign(&b));
        let exact = Scores::exact(&ShingleSet::from_hashes(a), &ShingleSet::from_hashes(b));
        let bound = |p: f64| 5.0 * (p * (1.0 - p) / 128.0).sqrt() + 0.02;
        prop_assert!((sa.jaccard(&sb) - exact.jaccard).abs() <= bound(exact.jaccard),
            "J {} vs {}", sa.jaccard(&sb), exact.jaccard);
        // Containment estimates divide a Jaccard estimate by a size ratio: allow for it.
        let ratio = (shared + only_b) as f64 / shared as f64 + (shared + only_a) as f64 / shared as f64;
        let c = exact.containment_a_in_b;
        prop_assert!((sa.containment_in(&sb) - c).abs() <= bound(exact.jaccard) * ratio,
            "c {} vs {}", sa.containment_in(&sb), c);
    }

    /// Jaccard is symmetric; the containments are each other's mirror and agree on the
    /// intersection: c(a in b) * |a| = c(b in a) * |b|.
    #[test]
    fn scores_are_symmetric_where_they_should_be(a in words(0, 300), b in words(0, 300)) {
        let c = Comparer::builder().passages(false).build();
        let (da, db) = (Document::new("a", text_of(&a)), Document::new("b", text_of(&b)));
        let (p, q) = (c.compare(&da, &db), c.compare(&db, &da));
        prop_assert_eq!(p.scores.jaccard, q.scores.jaccard);
        prop_assert_eq!(p.scores.containment_a_in_b, q.scores.containment_b_in_a);
        let s = p.scores;
        prop_assert!((s.containment_a_in_b * s.a_shingles as f64
            - s.containment_b_in_a * s.b_shingles as f64).abs() < 1e-6);
        prop_assert!(s.jaccard <= s.containment_a_in_b.min(s.containment_b_in_a) + 1e-12);
    }

    /// A document compared with itself is a duplicate made of one shared passage.
    #[test]
    fn a_document_is_its_own_duplicate_in_one_passage(a in words(1, 400)) {
        let d = Document::new("d", text_of(&a));
        let p = Comparer::default().compare(&d, &d);
        prop_assert_eq!(p.relation, Relation::Duplicate);
        let al = p.alignment.unwrap();
        prop_assert_eq!(al.passages.len(), 1);
        prop_assert_eq!(al.passages[0].kind, PassageKind::Shared);
    }

    /// compare(a, b) and compare(b, a) agree with the roles swapped: relation, source, and each
    /// a_only passage of one is a b_only passage of the other.
    #[test]
    fn swapped_roles_agree(
        base in words(30, 300), cut in 0usize..100, extra in words(0, 60), lead in words(0, 30)
    ) {
        let kept = &base[..base.len() - cut.min(base.len() - 1)];
        let copy = [lead.as_slice(), kept, extra.as_slice()].concat();
        let (src, cp) = (Document::new("src", text_of(&base)), Document::new("copy", text_of(&copy)));
        let c = Comparer::default();
        let (p, q) = (c.compare(&cp, &src), c.compare(&src, &cp));
        prop_assert_eq!(p.relation, q.relation);
        prop_assert_eq!(p.derived_id(), q.derived_id());
        let only = |pair: &neardup::Pair, kind| -> Vec<Range<usize>> {
            pair.passages(kind).filter_map(|x| x.a.clone().or(x.b.clone())).collect()
        };
        prop_assert_eq!(only(&p, PassageKind::AOnly), only(&q, PassageKind::BOnly));
        prop_assert_eq!(only(&p, PassageKind::BOnly), only(&q, PassageKind::AOnly));
    }

    /// Tokens are ordered, disjoint, on char boundaries and inside the text, for any Unicode.
    #[test]
    fn tokens_are_ordered_spans_on_char_boundaries(text in wild_text()) {
        let mut at = 0;
        for t in tokenize(&text) {
            let (s, e) = (t.start as usize, t.end as usize);
            prop_assert!(at <= s && s < e && e <= text.len());
            prop_assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
            at = e;
        }
    }

    /// The aligner's spans on arbitrary Unicode: see [`check_spans`].
    #[test]
    fn alignment_spans_cover_both_texts(a in wild_text(), b in wild_text(), glue in wild_text()) {
        // Half of the time, b shares a's text, so that there are passages to align.
        let b = if glue.len() % 2 == 0 { format!("{glue} {a} {b}") } else { b };
        let al = align_texts(&a, &b, &AlignParams::default());
        check_spans(&al, &a, &b);
    }
}

proptest! {
    #![proptest_config(config(12))]

    /// Every document of a dedup run is kept or removed: `read == kept + removed`, and the kept
    /// output holds exactly the kept documents.
    #[test]
    fn dedup_accounts_for_every_document(
        docs in prop::collection::vec((words(0, 120), 0usize..4), 1..40)
    ) {
        use neardup::dedup::{run, Outputs};
        use neardup::progress::Silent;
        use neardup::document::CorpusSpec;
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("c.jsonl");
        // Each document is new, or a copy (whole or trimmed) of an earlier one.
        let mut texts: Vec<String> = Vec::new();
        for (w, how) in &docs {
            let t = match (how, texts.last()) {
                (1, Some(prev)) => prev.clone(),
                (2, Some(prev)) => prev[..prev.len() / 2].trim_end().to_string(),
                _ => text_of(w),
            };
            texts.push(t);
        }
        let lines: String = texts
            .iter()
            .enumerate()
            .map(|(i, t)| format!("{}\n", serde_json::json!({"id": format!("d{i}"), "text": t})))
            .collect();
        std::fs::write(&corpus, lines).unwrap();
        let outputs = Outputs {
            kept: Some(dir.path().join("kept.jsonl")),
            ..Outputs::default()
        };
        let s = run(&CorpusSpec::new([&corpus]), &Deduper::new(DedupConfig::default()), &outputs, &Silent)
            .unwrap();
        prop_assert_eq!(s.read, texts.len() as u64);
        prop_assert_eq!(s.read, s.kept + s.removed());
        let kept = std::fs::read_to_string(dir.path().join("kept.jsonl")).unwrap();
        prop_assert_eq!(kept.lines().count() as u64, s.kept);
    }

    /// An index built from any documents finds each one (with words) as its own duplicate.
    #[test]
    fn every_indexed_document_finds_itself(docs in prop::collection::vec(words(1, 150), 1..30)) {
        use neardup::document::CorpusDoc;
        use neardup::index::{Index, IndexWriter};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("i.ndx");
        let batch: Vec<CorpusDoc> = docs
            .iter()
            .enumerate()
            .map(|(i, w)| CorpusDoc::new(i as u64, format!("d{i}"), text_of(w), "t"))
            .collect();
        let mut w = IndexWriter::create(&path, &DedupConfig::default()).unwrap();
        w.add_batch(&batch, false).unwrap();
        w.commit().unwrap();
        let index = Index::open(&path).unwrap();
        for d in &batch {
            let m = index.check(&Document::new("q", d.text.clone()), false).unwrap();
            prop_assert!(
                m.iter().any(|m| m.source.text == d.text && m.pair.relation == Relation::Duplicate),
                "{} not found", d.id
            );
        }
    }
}

/// The sketch of a document is a pure function of its text.
#[test]
fn sketches_do_not_depend_on_the_scratch_space() {
    let d = Deduper::new(DedupConfig::default());
    let mut s = Scratch::default();
    let long = text_of(&(0..3000).map(|i| (i * 7 % 400) as u16).collect::<Vec<_>>());
    let first = d.sketch("a short text of some words here", &mut s);
    let _ = d.sketch(&long, &mut s);
    assert_eq!(d.sketch("a short text of some words here", &mut s), first);
}
