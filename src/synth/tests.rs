//! Tests of the generator as a whole: determinism, sizes, the truth of every kind, the spans, the
//! file formats; and of its helpers (dates, edits, the vocabulary, the alias table).

use std::collections::{HashMap, HashSet};

use super::article::{weekday, MAX_SENTENCE, MIN_SENTENCE};
use super::copies::{
    change_dateline, count_words, drop_the, paragraphs, split_word, straighten_quotes,
};
use super::rng::{Alias, Rng};
use super::vocab::{vocab, CONTENT_WORDS, PLACES, WEEKDAYS};
use super::*;

fn shingles(text: &str) -> HashSet<String> {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.windows(5).map(|w| w.join(" ")).collect()
}

/// Share of `a`'s 5-grams found in `b`.
fn containment(a: &str, b: &str) -> f64 {
    let (a, b) = (shingles(a), shingles(b));
    a.intersection(&b).count() as f64 / a.len().max(1) as f64
}

fn jaccard(a: &str, b: &str) -> f64 {
    let (a, b) = (shingles(a), shingles(b));
    a.intersection(&b).count() as f64 / a.union(&b).count().max(1) as f64
}

fn char_slice(text: &str, (s, e): CharSpan) -> String {
    text.chars().skip(s).take(e - s).collect()
}

fn squash(text: &str) -> String {
    straighten_quotes(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

fn by_id(c: &Corpus) -> HashMap<&str, (usize, &str)> {
    c.docs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str(), (i, d.text.as_str())))
        .collect()
}

fn jsonl(c: &Corpus) -> Vec<u8> {
    let mut out = Vec::new();
    c.write_jsonl(&mut out).unwrap();
    out
}

#[test]
fn public_types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<CorpusSpec>();
    check::<Corpus>();
    check::<SynthDoc>();
    check::<TruthPair>();
}

#[test]
fn same_spec_same_bytes_other_seed_other_bytes() {
    let spec = CorpusSpec::default().docs(300).seed(11).words(50, 150);
    let a = jsonl(&generate(&spec));
    assert_eq!(a, jsonl(&generate(&spec)));
    assert_eq!(a, jsonl(&generate_par(&spec)));
    let mut streamed = Vec::new();
    let truth = stream_jsonl(&spec, &mut streamed).unwrap();
    assert_eq!(a, streamed);
    assert_eq!(truth, generate(&spec).truth);
    assert_ne!(a, jsonl(&generate(&spec.clone().seed(12))));
    assert_eq!(news_text(5, 300), news_text(5, 300));
    assert_ne!(news_text(5, 300), news_text(6, 300));
}

#[test]
fn news_text_has_the_asked_shape() {
    for (seed, words) in [
        (1, 1),
        (2, 7),
        (3, 8),
        (4, 36),
        (5, 200),
        (6, 600),
        (7, 5000),
    ] {
        let t = news_text(seed, words);
        assert_eq!(count_words(&t), words, "seed {seed}");
        if words < MIN_SENTENCE {
            continue;
        }
        for para in t.split("\n\n") {
            assert!(!para.trim().is_empty());
            // Skip a dateline "MOSCOW, May 24 — " (three words); sentences end in '.' or '.”'.
            let dateline = PLACES
                .iter()
                .any(|p| para.starts_with(&format!("{},", p.to_uppercase())));
            let body = if dateline {
                para.split_once(" — ").unwrap().1
            } else {
                para
            };
            let mut n = 0;
            let mut count = 0;
            for tok in body.split(' ') {
                if tok.chars().any(char::is_alphanumeric) {
                    n += 1;
                }
                if tok.ends_with('.') || tok.ends_with(".”") {
                    assert!(
                        (MIN_SENTENCE..=MAX_SENTENCE).contains(&n),
                        "{n} words: {para}"
                    );
                    n = 0;
                    count += 1;
                }
            }
            assert_eq!(n, 0, "paragraph ends with a sentence end");
            assert!((1..=5).contains(&count), "{count} sentences");
        }
    }
}

#[test]
fn sizes_ids_and_order() {
    for (docs, min, max, seed) in [(400, 200, 600, 1), (300, 50, 80, 2), (100, 1000, 1000, 3)] {
        let spec = CorpusSpec::default().docs(docs).words(min, max).seed(seed);
        let c = generate(&spec);
        assert_eq!(c.docs.len(), docs);
        let ids = by_id(&c);
        assert_eq!(ids.len(), docs, "ids unique");
        let derived: HashSet<&str> = c.truth.iter().map(|t| t.derived.as_str()).collect();
        for d in &c.docs {
            if !derived.contains(d.id.as_str()) {
                let n = count_words(&d.text);
                assert!((min..=max).contains(&n), "{} has {n} words", d.id);
            }
        }
        let sources: HashSet<&str> = c.truth.iter().map(|t| t.source.as_str()).collect();
        assert!(
            sources.is_disjoint(&derived),
            "no derived document is a source"
        );
        for t in &c.truth {
            let (s, _) = ids[t.source.as_str()];
            let (d, _) = ids[t.derived.as_str()];
            assert!(s < d, "{} before {}", t.source, t.derived);
        }
        let share = derived.len() as f64 / docs as f64;
        assert!((0.03..0.2).contains(&share), "derived share {share}");
    }
    assert_eq!(CorpusSpec::default().docs(10).doc_id(3), "doc-000003");
    assert_eq!(
        CorpusSpec::default().docs(2_000_000).doc_id(3),
        "doc-0000003"
    );
}

#[test]
fn every_kind_appears_and_its_truth_is_right() {
    // (kind, relation, added/dropped scored)
    let table = [
        (DerivedKind::Exact, "duplicate", true),
        (DerivedKind::LightEdit, "duplicate", false),
        (DerivedKind::Repost, "derivative", true),
        (DerivedKind::Excerpt, "derivative", true),
        (DerivedKind::Digest, "derivative", false),
    ];
    for (kind, relation, scored) in table {
        let spec = CorpusSpec::default()
            .docs(200)
            .seed(kind as u64 + 40)
            .derived_fraction(0.3)
            .mix(KindMix::only(kind));
        let c = generate(&spec);
        let ids = by_id(&c);
        let records: Vec<&TruthPair> = c.truth.iter().filter(|t| t.kind == kind.as_str()).collect();
        assert!(records.len() >= 20, "{kind:?}: {}", records.len());
        for t in records {
            assert_eq!(t.relation, relation);
            assert_eq!(t.added.is_some(), scored);
            assert_eq!(t.dropped.is_some(), scored);
            let src = ids[t.source.as_str()].1;
            let der = ids[t.derived.as_str()].1;
            match kind {
                DerivedKind::Exact => assert_eq!(src, der),
                DerivedKind::LightEdit => {
                    assert_ne!(src, der);
                    assert!(containment(der, src) > 0.8);
                }
                _ => {}
            }
        }
    }
    // A digest has two records with the same derived document and distinct sources.
    let c = generate(
        &CorpusSpec::default()
            .docs(100)
            .derived_fraction(0.3)
            .mix(KindMix::only(DerivedKind::Digest)),
    );
    let mut sources: HashMap<&str, Vec<&str>> = HashMap::new();
    for t in &c.truth {
        sources.entry(&t.derived).or_default().push(&t.source);
    }
    assert!(
        sources
            .values()
            .filter(|s| s.len() == 2 && s[0] != s[1])
            .count()
            >= 10
    );
    // Each source keeps enough of itself in the digest for the scorer's oracle (>= 0.3).
    let spec = CorpusSpec::default()
        .docs(1500)
        .derived_fraction(0.3)
        .words(100, 600)
        .mix(KindMix::only(DerivedKind::Digest));
    let c = generate(&spec);
    let ids = by_id(&c);
    for t in &c.truth {
        let (src, der) = (ids[t.source.as_str()].1, ids[t.derived.as_str()].1);
        let (a, b) = (shingles(src), shingles(der));
        let share = a.intersection(&b).count() as f64 / a.len().min(b.len()) as f64;
        assert!(share >= 0.3, "{} in {}: {share}", t.source, t.derived);
    }
}

#[test]
fn truth_spans_are_valid_and_mean_what_they_say() {
    for kind in [
        DerivedKind::Repost,
        DerivedKind::Excerpt,
        DerivedKind::Exact,
    ] {
        let spec = CorpusSpec::default()
            .docs(300)
            .seed(99)
            .derived_fraction(0.3)
            .mix(KindMix::only(kind));
        let c = generate(&spec);
        let ids = by_id(&c);
        for t in c.truth.iter().filter(|t| t.kind == kind.as_str()) {
            let src = ids[t.source.as_str()].1;
            let der = ids[t.derived.as_str()].1;
            let added = t.added.as_ref().unwrap();
            let dropped = t.dropped.as_ref().unwrap();
            let (nd, ns) = (der.chars().count(), src.chars().count());
            for w in added.windows(2).chain(dropped.windows(2)) {
                assert!(w[0].1 <= w[1].0, "sorted, disjoint");
            }
            assert!(added.iter().all(|&(s, e)| s < e && e <= nd));
            assert!(dropped.iter().all(|&(s, e)| s < e && e <= ns));
            for &span in dropped {
                let text = squash(&char_slice(src, span));
                assert!(!squash(der).contains(&text), "dropped text in the copy");
            }
            // What is neither added nor a separator comes from the source.
            let mut rest = String::new();
            let mut at = 0;
            for &(s, e) in added {
                rest.push_str(&char_slice(der, (at, s)));
                at = e;
            }
            rest.push_str(&char_slice(der, (at, nd)));
            for para in rest.split("\n\n").filter(|p| !p.trim().is_empty()) {
                assert!(squash(src).contains(&squash(para)), "{para}");
            }
            match kind {
                DerivedKind::Repost => {
                    let head = char_slice(der, added[0]);
                    assert_eq!(added[0].0, 0);
                    assert!(WEEKDAYS.iter().any(|d| head.starts_with(d)), "{head}");
                    let foot = char_slice(der, *added.last().unwrap());
                    assert_eq!(added.last().unwrap().1, nd);
                    assert!(
                        ["Comment", "Share", "Read more"]
                            .iter()
                            .any(|m| foot.contains(m)),
                        "{foot}"
                    );
                    assert!(!dropped.is_empty() || paragraphs(src).len() < 3);
                }
                DerivedKind::Excerpt => {
                    if let Some(&span) = added.first() {
                        assert!(char_slice(der, span).starts_with("Source: "));
                    }
                }
                _ => assert!(added.is_empty() && dropped.is_empty()),
            }
        }
    }
}

#[test]
fn copies_contain_their_source_and_strangers_share_nothing() {
    let spec = CorpusSpec::default()
        .docs(600)
        .seed(5)
        .derived_fraction(0.3);
    let c = generate(&spec);
    let ids = by_id(&c);
    let mut checked = 0;
    for t in c
        .truth
        .iter()
        .filter(|t| t.kind == "repost" || t.kind == "excerpt")
    {
        let share = containment(ids[t.derived.as_str()].1, ids[t.source.as_str()].1);
        assert!(share >= 0.6, "{} {}: {share}", t.kind, t.derived);
        checked += 1;
    }
    assert!(checked > 50);
    let mut worst: f64 = 0.0;
    for i in 0..40u64 {
        worst = worst.max(jaccard(&news_text(i, 400), &news_text(i + 1000, 400)));
    }
    assert!(worst < 0.05, "unrelated Jaccard {worst}");
    assert!(worst < 0.01, "unrelated Jaccard {worst}");
}

#[test]
fn spans_count_chars_not_bytes() {
    // Find a repost whose dropped paragraphs come after multi-byte text.
    let spec = CorpusSpec::default()
        .docs(300)
        .seed(8)
        .derived_fraction(0.3)
        .mix(KindMix::only(DerivedKind::Repost));
    let c = generate(&spec);
    let ids = by_id(&c);
    let mut seen_multibyte = false;
    for t in &c.truth {
        let src = ids[t.source.as_str()].1;
        for &(s, e) in t.dropped.as_ref().unwrap() {
            let chars: Vec<char> = src.chars().collect();
            let text: String = chars[s..e].iter().collect();
            assert!(src.contains(&text));
            assert!(!text.starts_with(char::is_whitespace) && !text.ends_with(char::is_whitespace));
            seen_multibyte |= src[..src.find(&text).unwrap()].len() != s;
        }
    }
    assert!(seen_multibyte);
}

#[test]
fn seed_pair_heads_the_corpus() {
    let spec = CorpusSpec::default()
        .docs(20)
        .seed_pair("the article text", "the blog text");
    let c = generate(&spec);
    assert_eq!(c.docs.len(), 22);
    assert_eq!(
        c.docs[0],
        SynthDoc {
            id: "seed-article".into(),
            text: "the article text".into()
        }
    );
    assert_eq!(c.docs[1].id, "seed-blog");
    let t = &c.truth[0];
    assert_eq!(
        (t.source.as_str(), t.derived.as_str(), t.relation, t.kind),
        ("seed-article", "seed-blog", "derivative", "seed")
    );
    assert_eq!((t.added.clone(), t.dropped.clone()), (None, None));
    assert_eq!(c.docs[2].id, "doc-000000");
}

#[test]
fn files_have_the_scorer_field_names() {
    let spec = CorpusSpec::default()
        .docs(200)
        .seed(3)
        .derived_fraction(0.3);
    let c = generate(&spec);
    let lines = jsonl(&c);
    let docs: Vec<serde_json::Value> = String::from_utf8(lines)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(docs.len(), 200);
    for (d, want) in docs.iter().zip(&c.docs) {
        assert_eq!(d.as_object().unwrap().len(), 2);
        assert_eq!(d["id"], want.id.as_str());
        assert_eq!(d["text"], want.text.as_str());
    }
    let mut buf = Vec::new();
    c.write_truth(&mut buf).unwrap();
    let truth: serde_json::Value = serde_json::from_slice(&buf).unwrap();
    let pairs = truth["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), c.truth.len());
    for p in pairs {
        let keys: HashSet<&str> = p.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            HashSet::from(["source", "derived", "relation", "kind", "added", "dropped"])
        );
        assert!(["duplicate", "derivative"].contains(&p["relation"].as_str().unwrap()));
        for field in ["added", "dropped"] {
            match &p[field] {
                serde_json::Value::Null => {}
                serde_json::Value::Array(spans) => {
                    assert!(
                        spans
                            .iter()
                            .all(|s| s.as_array().unwrap().len() == 2
                                && s[0].as_u64() < s[1].as_u64())
                    );
                }
                other => panic!("{field}: {other}"),
            }
        }
    }
    let mut empty = Vec::new();
    Corpus::default().write_truth(&mut empty).unwrap();
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&empty).unwrap()["pairs"],
        serde_json::json!([])
    );
}

#[test]
fn helpers() {
    // (year, month, day, weekday)
    for (y, m, d, w) in [
        (2023, 7, 22, "Saturday"),
        (2000, 2, 29, "Tuesday"),
        (2024, 1, 1, "Monday"),
    ] {
        assert_eq!(WEEKDAYS[weekday(y, m, d)], w);
    }
    let mut rng = Rng::new(1);
    assert_eq!(split_word(&mut rng, "the deals"), Some("the d eals".into()));
    assert_eq!(split_word(&mut rng, "the deal"), None);
    assert_eq!(drop_the(&mut rng, "a the b"), Some("a b".into()));
    let changed = change_dateline(&mut rng, "MOSCOW, May 24 — Text here.").unwrap();
    assert!(
        changed.starts_with("MOSCOW, May ")
            && changed.ends_with(" — Text here.")
            && !changed.contains(" 24 ")
    );
    assert_eq!(change_dateline(&mut rng, "No dateline — here."), None);
    assert_eq!(straighten_quotes("“Moscow’s”"), "\"Moscow's\"");
    let v = vocab();
    assert!(v.common.len() >= 190 && v.names.len() >= 100 && v.content.len() == CONTENT_WORDS);
    // The alias table follows its weights.
    let table = Alias::new(&[1.0, 3.0, 0.0]);
    let mut counts = [0usize; 3];
    for _ in 0..40_000 {
        counts[table.sample(&mut rng)] += 1;
    }
    assert_eq!(counts[2], 0);
    assert!((9_000..11_000).contains(&counts[0]), "{counts:?}");
}
