//! Tests of the generator as a whole: determinism, sizes, the truth of every kind, the spans, the
//! file formats; and of its helpers (dates, edits, the vocabulary, the alias table).

use std::collections::{HashMap, HashSet};

use super::article::{weekday, MAX_SENTENCE, MIN_SENTENCE};
use super::copies::{
    change_dateline, count_words, digest, drop_the, paragraphs, split_word, straighten_quotes,
};
use super::rng::{Alias, Rng};
use super::vocab::{vocab, CONTENT_WORDS, PLACES, WEEKDAYS};
use super::*;
use super::{phrases, site};

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
    check::<Entry>();
    check::<Pages>();
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
    assert!(sources.values().all(|s| s.len() == 2), "by default, two");
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
            text: "the article text".into(),
            date: None,
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
        let mut want = HashSet::from(["source", "derived", "relation", "kind", "added", "dropped"]);
        if p["kind"] == "digest" {
            want.insert("parts"); // only a digest's records have parts
        }
        assert_eq!(keys, want);
        assert!(["duplicate", "derivative"].contains(&p["relation"].as_str().unwrap()));
        for field in ["added", "dropped", "parts"] {
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
    assert!(
        pairs.iter().any(|p| p["kind"] == "digest"),
        "a digest to check"
    );
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

// --- digests of 2 to 4 sources ---------------------------------------------------------------

/// A corpus of digests only (and the excerpts a digest falls back to), `min..=max` sources each,
/// with default-length articles; on 12 sites with some syndication when `sites`.
fn digest_spec(min: usize, max: usize, sites: bool) -> CorpusSpec {
    let spec = CorpusSpec::default()
        .docs(500)
        .seed(61)
        .derived_fraction(0.3)
        .mix(KindMix::only(DerivedKind::Digest))
        .digest_sources(min, max);
    match sites {
        true => spec.sites(12).syndicated(0.05),
        false => spec,
    }
}

/// The digest records of `truth` by derived id, in corpus order.
fn digest_records(truth: &[TruthPair]) -> Vec<(&str, Vec<&TruthPair>)> {
    let mut out: Vec<(&str, Vec<&TruthPair>)> = Vec::new();
    for t in truth.iter().filter(|t| t.kind == "digest") {
        match out.last_mut() {
            Some((d, records)) if *d == t.derived => records.push(t),
            _ => out.push((&t.derived, vec![t])),
        }
    }
    out
}

/// FNV-1a 64 of `bytes`: a fingerprint to pin a corpus's bytes with.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[test]
fn digests_have_as_many_distinct_earlier_sources_as_asked() {
    // (asked, fewest and most sources expected): reversed pairs swap, out-of-range ones clamp.
    let table = [
        ((2, 2), 2, 2),
        ((3, 3), 3, 3),
        ((4, 4), 4, 4),
        ((2, 4), 2, 4),
        ((4, 2), 2, 4),
        ((3, 4), 3, 4),
        ((0, 9), 2, 4),
    ];
    for ((min, max), lo, hi) in table {
        let spec = digest_spec(min, max, false);
        assert_eq!(spec.digest_range(), (lo, hi), "{min}-{max}");
        let c = generate(&spec);
        let ids = by_id(&c);
        let derived: HashSet<&str> = c.truth.iter().map(|t| t.derived.as_str()).collect();
        let digests = digest_records(&c.truth);
        assert!(digests.len() >= 100, "{min}-{max}: {}", digests.len());
        let mut seen = HashSet::new();
        for (d, records) in &digests {
            let at = ids[d].0;
            let sources: HashSet<&str> = records.iter().map(|t| t.source.as_str()).collect();
            assert_eq!(sources.len(), records.len(), "{d}: distinct sources");
            // Fewer only where too few originals come before (the corpus head).
            if at >= 50 {
                assert!((lo..=hi).contains(&records.len()), "{d}: {}", records.len());
                seen.insert(records.len());
            } else {
                assert!((2..=hi).contains(&records.len()), "{d}: {}", records.len());
            }
            for s in sources {
                assert!(ids[s].0 < at, "{s} before {d}");
                assert!(!derived.contains(s), "{s} is an original");
            }
        }
        assert_eq!(seen, (lo..=hi).collect(), "{min}-{max}: every count drawn");
    }
}

#[test]
fn digest_parts_are_verbatim_leads_that_tile_the_page() {
    for ((min, max), sites) in [
        ((2, 2), false),
        ((3, 3), false),
        ((4, 4), false),
        ((2, 4), false),
        ((2, 2), true),
        ((3, 3), true),
        ((4, 4), true),
        ((2, 4), true),
    ] {
        let case = format!("{min}-{max}, sites {sites}");
        let pages = generate_pages(&digest_spec(min, max, sites));
        let ids = by_id(&pages.corpus);
        let bodies: HashMap<&str, &str> = pages
            .bodies
            .iter()
            .map(|(i, b)| (i.as_str(), b.as_str()))
            .collect();
        // The article of a document: its body on a site, else its text.
        let article = |id: &str| bodies.get(id).copied().unwrap_or(ids[id].1);
        let mut checked = 0;
        for (d, records) in digest_records(&pages.corpus.truth) {
            let page = ids[d].1;
            let body = article(d);
            let body_start = page[..page.find(body).unwrap()].chars().count();
            let body_end = body_start + body.chars().count();
            let mut spans: Vec<CharSpan> = Vec::new();
            for t in &records {
                assert_eq!((&t.added, &t.dropped), (&None, &None), "{case}");
                let parts = t.parts.as_ref().expect("a digest record has parts");
                assert_eq!(parts.len(), 1, "{case}: one run per source");
                let (s, e) = parts[0];
                assert!(
                    body_start <= s && s < e && e <= body_end,
                    "{case}: {d} {s}..{e}"
                );
                let part = char_slice(page, (s, e));
                let source = article(&t.source);
                assert!(source.contains(&part), "{case}: {d} part of {}", t.source);
                // A lead: the source's start (on a site, its text's, or its body's for the first).
                let text = source
                    .split_once("\n\n")
                    .filter(|_| sites)
                    .map_or(source, |x| x.1);
                assert!(
                    text.starts_with(&part) || (s == body_start && source.starts_with(&part)),
                    "{case}: {d} takes a lead of {}",
                    t.source
                );
                let (words, all) = (count_words(&part), count_words(body));
                assert!(
                    words * 100 >= 15 * all,
                    "{case}: {d} {words} of {all} words"
                );
                let (page_sh, source_sh) = (shingles(body), shingles(source));
                let share = page_sh.intersection(&source_sh).count() as f64 / page_sh.len() as f64;
                assert!(
                    share >= 0.15,
                    "{case}: {d} {share} of its 5-grams from {}",
                    t.source
                );
                // The publications of a syndicated source share its part.
                if !spans.contains(&(s, e)) {
                    spans.push((s, e));
                }
            }
            // In the order of the page, disjoint, covering the body but for the blank lines.
            assert!((2..=max.max(2)).contains(&spans.len()), "{case}: {d}");
            assert_eq!(spans[0].0, body_start, "{case}: {d}");
            assert_eq!(spans.last().unwrap().1, body_end, "{case}: {d}");
            for w in spans.windows(2) {
                assert_eq!(w[0].1 + 2, w[1].0, "{case}: {d} {w:?}");
                assert_eq!(char_slice(page, (w[0].1, w[1].0)), "\n\n", "{case}: {d}");
            }
            checked += 1;
        }
        assert!(checked >= 100, "{case}: {checked}");
    }
}

#[test]
fn default_digests_are_todays() {
    assert_eq!(
        CorpusSpec::default().digest_sources(2, 2),
        CorpusSpec::default()
    );
    assert_eq!(CorpusSpec::default().digest_range(), (2, 2));
    // Of two texts, the first half of each (whole paragraphs) and the longer part trimmed toward
    // the other, as before there were more.
    fn before(first: &str, second: &str) -> String {
        fn half<'a>(paras: &'a [&'a str]) -> (&'a [&'a str], usize) {
            let total: usize = paras.iter().map(|p| count_words(p)).sum();
            let (mut words, mut k) = (0, 0);
            while k < paras.len() && 2 * words < total {
                words += count_words(paras[k]);
                k += 1;
            }
            (&paras[..k.max(1)], words)
        }
        fn trim<'a>(part: &mut &'a [&'a str], words: &mut usize, other: usize) {
            while part.len() > 1
                && 2 * *words > 3 * other
                && *words - count_words(part[part.len() - 1]) >= other
            {
                *words -= count_words(part[part.len() - 1]);
                *part = &part[..part.len() - 1];
            }
        }
        let a: Vec<&str> = first.split("\n\n").collect();
        let b: Vec<&str> = second.split("\n\n").collect();
        let ((mut pa, mut wa), (mut pb, mut wb)) = (half(&a), half(&b));
        trim(&mut pa, &mut wa, wb);
        trim(&mut pb, &mut wb, wa);
        pa.iter()
            .chain(pb)
            .copied()
            .collect::<Vec<_>>()
            .join("\n\n")
    }
    let mut rng = Rng::new(8);
    for i in 0..300 {
        let (wa, wb) = (rng.range(20, 700), rng.range(20, 700));
        let (a, b) = (news_text(i, wa), news_text(i + 1000, wb));
        let d = digest(&[&a, &b]);
        assert_eq!(d.text, before(&a, &b), "{i}");
        let first = char_slice(&d.text, d.parts[0]);
        assert!(a.starts_with(&first) && d.parts[0].0 == 0, "{i}");
        assert_eq!(d.parts[1].1, d.text.chars().count(), "{i}");
    }
    // The bytes of two default corpora (every kind, digests among them) as `neardup synth
    // --docs 1500 --derived 0.5 [--sites 24 --syndicated 0.05]` wrote them before digests of
    // more sources.
    for (sites, want) in [(0, 0xb4d3_b4d3_b752_b5f8), (24, 0xe0fa_7fb2_123e_6410)] {
        let spec = CorpusSpec::default()
            .docs(1500)
            .derived_fraction(0.5)
            .sites(sites)
            .syndicated(if sites > 0 { 0.05 } else { 0.0 });
        let c = generate_par(&spec);
        assert!(c.truth.iter().filter(|t| t.kind == "digest").count() >= 100);
        assert_eq!(fnv1a(&jsonl(&c)), want, "sites {sites}");
    }
}

// --- templated sites, syndication, shared phrases, all template --------------------------------

fn templated(docs: usize, seed: u64) -> CorpusSpec {
    CorpusSpec::default()
        .docs(docs)
        .seed(seed)
        .sites(12)
        .syndicated(0.08)
        .derived_fraction(0.2)
        .words(60, 250)
}

/// `(header, body, trailer)` of a templated page.
fn split_page<'a>(page: &'a str, body: &str) -> (&'a str, &'a str, &'a str) {
    let at = page.find(body).expect("the body is inside its page");
    let header = page[..at]
        .strip_suffix("\n\n")
        .expect("a blank line after the header");
    let rest = &page[at + body.len()..];
    let trailer = rest
        .strip_prefix("\n\n")
        .expect("a blank line after the body");
    (header, &page[at..at + body.len()], trailer)
}

fn truth_json(pages: &Pages) -> serde_json::Value {
    let mut buf = Vec::new();
    pages.write_truth(&mut buf).unwrap();
    serde_json::from_slice(&buf).unwrap()
}

#[test]
fn templated_corpora_are_deterministic_and_streamed_alike() {
    let spec = templated(400, 21).seed_pair("the article text", "the blog text");
    let pages = generate_pages(&spec);
    assert_eq!(pages, generate_pages(&spec));
    let (mut docs, mut truth) = (Vec::new(), Vec::new());
    let pairs = stream_pages(&spec, &mut docs, &mut truth).unwrap();
    assert_eq!(docs, jsonl(&pages.corpus));
    let mut want = Vec::new();
    pages.write_truth(&mut want).unwrap();
    assert_eq!(truth, want);
    assert_eq!(pairs, pages.corpus.truth.len());
    assert_eq!(pages.corpus, generate(&spec), "entry and page agree");
    assert_ne!(pages, generate_pages(&spec.clone().seed(22)));
    // Without sites the truth file is today's, with no bodies.
    let bare = CorpusSpec::default().docs(100).seed(3);
    let (mut docs, mut truth) = (Vec::new(), Vec::new());
    stream_pages(&bare, &mut docs, &mut truth).unwrap();
    let mut want = Vec::new();
    write_truth_json(&generate(&bare).truth, &mut want).unwrap();
    assert_eq!((docs, truth), (jsonl(&generate(&bare)), want));
    assert!(generate_pages(&bare).bodies.is_empty());
}

#[test]
fn every_templated_page_has_its_body_inside_and_its_site_around() {
    let spec = templated(600, 5);
    let pages = generate_pages(&spec);
    assert_eq!(pages.bodies.len(), 600);
    let json = truth_json(&pages);
    assert_eq!(json["bodies"].as_object().unwrap().len(), 600);
    let mut by_site: HashMap<&str, Vec<(&str, &str)>> = HashMap::new();
    for (doc, (id, body)) in pages.corpus.docs.iter().zip(&pages.bodies) {
        assert_eq!(&doc.id, id);
        assert_eq!(json["bodies"][id], body.as_str());
        let (header, _, trailer) = split_page(&doc.text, body);
        let nav = header.lines().next().unwrap();
        by_site.entry(nav).or_default().push((header, trailer));
        // The footer: the last part of the trailer after the related block, 60 to 100 words.
        let footer = trailer.split_once("\n\n").unwrap().1;
        let words = count_words(footer);
        assert!((60..=100).contains(&words), "{words} words: {footer}");
    }
    assert_eq!(by_site.len(), 12, "12 sites, each its own navigation line");
    for s in 0..12 {
        let parts = site::PageParts {
            day: 19_000,
            pick: 1,
            related: &[],
        };
        let nav = site::Site::new(5, s, vocab(), 0.0).header(&parts);
        assert!(by_site.contains_key(nav.lines().next().unwrap()), "{nav}");
    }
    for pages in by_site.values() {
        assert!(pages.len() >= 10);
        // The footer is the site's but for the copyright year.
        let footers: HashSet<String> = pages
            .iter()
            .map(|(_, t)| {
                let f = t.split_once("\n\n").unwrap().1;
                (2019..2026).fold(f.to_string(), |f, y| f.replace(&y.to_string(), "YEAR"))
            })
            .collect();
        assert_eq!(footers.len(), 1, "{footers:?}");
        // The byline varies (date, author), the related headlines too.
        let bylines: HashSet<&str> = pages
            .iter()
            .map(|(h, _)| h.split_once("\n\n").unwrap().1)
            .collect();
        assert!(bylines.len() > pages.len() / 2);
        let related: HashSet<&str> = pages
            .iter()
            .map(|(_, t)| t.split_once("\n\n").unwrap().0)
            .collect();
        assert!(related.len() > pages.len() * 9 / 10);
    }
}

/// With every site's related headlines run together, the related block is one line of its
/// heading and the headlines, `; ` between them; the bodies are those of the default layout.
#[test]
fn inline_related_headlines_are_one_line_around_the_same_bodies() {
    let lines = generate_pages(&templated(300, 8));
    let inline = generate_pages(&templated(300, 8).inline_related(1.0));
    assert_eq!(lines.bodies, inline.bodies);
    for (doc, (_, body)) in inline.corpus.docs.iter().zip(&inline.bodies) {
        let (_, _, trailer) = split_page(&doc.text, body);
        let related = trailer.split_once("\n\n").unwrap().0;
        assert!(!related.contains('\n'), "{related}");
        assert!(
            (2..=4).contains(&related.matches("; ").count()),
            "{related}"
        );
    }
}

#[test]
fn related_blocks_quote_other_articles_headlines() {
    let spec = templated(500, 8);
    let pages = generate_pages(&spec);
    // The headline of a body is its first paragraph (a repost's is its own date line and title).
    let mut owners: HashMap<&str, HashSet<&str>> = HashMap::new();
    for (id, body) in &pages.bodies {
        owners
            .entry(body.split("\n\n").next().unwrap())
            .or_default()
            .insert(id);
    }
    let mut quoted = 0;
    for (doc, (_, body)) in pages.corpus.docs.iter().zip(&pages.bodies) {
        let (_, _, trailer) = split_page(&doc.text, body);
        let related = trailer.split_once("\n\n").unwrap().0;
        let own = body.split("\n\n").next().unwrap();
        let lines: Vec<&str> = related.lines().skip(1).collect();
        assert!((3..=5).contains(&lines.len()), "{related}");
        for line in lines {
            let headline = line.trim_start_matches(['•', '-', '›', ' ']);
            let by = &owners[headline];
            assert!(
                !by.contains(doc.id.as_str()) && headline != own,
                "{}: own headline",
                doc.id
            );
            assert!(count_words(headline) >= 6);
            quoted += 1;
        }
    }
    assert!(quoted >= 1500);
}

#[test]
fn syndicated_copies_have_the_same_body_on_other_sites_and_all_their_pairs() {
    let spec = templated(3000, 13).derived_fraction(0.05);
    let pages = generate_pages(&spec);
    let body: HashMap<&str, &str> = pages
        .bodies
        .iter()
        .map(|(i, b)| (i.as_str(), b.as_str()))
        .collect();
    let text: HashMap<&str, &str> = pages
        .corpus
        .docs
        .iter()
        .map(|d| (d.id.as_str(), d.text.as_str()))
        .collect();
    let mut clusters: HashMap<&str, HashSet<&str>> = HashMap::new();
    let mut pairs = HashSet::new();
    for t in pages.corpus.truth.iter().filter(|t| t.kind == "syndicated") {
        assert_eq!(t.relation, "duplicate");
        assert_eq!(
            body[t.source.as_str()],
            body[t.derived.as_str()],
            "same body"
        );
        assert_ne!(
            text[t.source.as_str()],
            text[t.derived.as_str()],
            "other template"
        );
        assert_eq!(
            (t.added.as_deref(), t.dropped.as_deref()),
            (Some(&[][..]), Some(&[][..]))
        );
        pairs.insert((t.source.as_str(), t.derived.as_str()));
    }
    // The clusters: each copy's first source is the wire story (the smallest id).
    for &(s, d) in &pairs {
        let first = pairs
            .iter()
            .filter(|p| p.1 == d)
            .map(|p| p.0)
            .min()
            .unwrap();
        if s == first {
            clusters.entry(first).or_default().insert(d);
        }
    }
    assert!(clusters.len() >= 20, "{} clusters", clusters.len());
    let mut largest = 0;
    for (first, copies) in &clusters {
        let mut all: Vec<&str> = copies.iter().copied().chain([*first]).collect();
        all.sort();
        largest = largest.max(all.len());
        assert!((3..=51).contains(&all.len()), "{} pages", all.len());
        for (a, b) in all
            .iter()
            .enumerate()
            .flat_map(|(i, a)| all[i + 1..].iter().map(move |b| (a, b)))
        {
            assert!(
                pairs.contains(&(*a, *b)),
                "{a} {b}: every pair of the cluster"
            );
        }
        let navs: HashSet<&str> = all
            .iter()
            .map(|id| text[id].lines().next().unwrap())
            .collect();
        assert_eq!(navs.len(), all.len(), "each copy on its own site");
    }
    assert!(largest >= 8, "largest cluster {largest}");
    // A page derived from a wire story derives from each of its publications, with its spans.
    let record: HashMap<(&str, &str), &TruthPair> = pages
        .corpus
        .truth
        .iter()
        .map(|t| ((t.source.as_str(), t.derived.as_str()), t))
        .collect();
    let mut derived_from_wire = 0;
    for t in pages.corpus.truth.iter().filter(|t| t.kind != "syndicated") {
        let Some(copies) = clusters.get(t.source.as_str()) else {
            continue;
        };
        derived_from_wire += 1;
        for copy in copies {
            let r = record[&(*copy, t.derived.as_str())];
            assert_eq!(
                (r.kind, r.relation, &r.added),
                (t.kind, t.relation, &t.added)
            );
            if let Some(dropped) = &r.dropped {
                let page = text[copy];
                for &span in dropped {
                    let dropped = char_slice(page, span);
                    assert!(body[copy].contains(dropped.as_str()), "{dropped}");
                }
            }
        }
    }
    assert!(derived_from_wire >= 3, "{derived_from_wire}");
}

#[test]
fn templated_truth_spans_are_in_page_chars_and_cover_the_bodies_only() {
    for kind in [
        DerivedKind::Repost,
        DerivedKind::Excerpt,
        DerivedKind::Exact,
    ] {
        let spec = templated(400, 31)
            .syndicated(0.0)
            .derived_fraction(0.3)
            .mix(KindMix::only(kind));
        let pages = generate_pages(&spec);
        let body: HashMap<&str, &str> = pages
            .bodies
            .iter()
            .map(|(i, b)| (i.as_str(), b.as_str()))
            .collect();
        let ids = by_id(&pages.corpus);
        let mut checked = 0;
        for t in pages
            .corpus
            .truth
            .iter()
            .filter(|t| t.kind == kind.as_str())
        {
            let (src, der) = (ids[t.source.as_str()].1, ids[t.derived.as_str()].1);
            let (sb, db) = (body[t.source.as_str()], body[t.derived.as_str()]);
            assert_ne!(src.lines().next(), der.lines().next(), "another site");
            // Body ranges in chars.
            let range = |page: &str, body: &str| {
                let at = page[..page.find(body).unwrap()].chars().count();
                (at, at + body.chars().count())
            };
            let (ds, de) = range(der, db);
            let (ss, se) = range(src, sb);
            for &(s, e) in t.added.as_ref().unwrap() {
                assert!(ds <= s && e <= de, "added inside the derived body");
            }
            for &(s, e) in t.dropped.as_ref().unwrap() {
                assert!(ss <= s && e <= se, "dropped inside the source body");
                let text = squash(&char_slice(src, (s, e)));
                assert!(!squash(db).contains(&text), "dropped text not in the copy");
            }
            // What is neither added nor a separator in the derived body comes from the source body.
            let mut rest = String::new();
            let mut at = ds;
            for &(s, e) in t.added.as_ref().unwrap() {
                rest.push_str(&char_slice(der, (at, s)));
                at = e;
            }
            rest.push_str(&char_slice(der, (at, de)));
            for para in rest.split("\n\n").filter(|p| !p.trim().is_empty()) {
                assert!(squash(sb).contains(&squash(para)), "{para}");
            }
            if kind != DerivedKind::Exact {
                assert!(containment(db, sb) >= 0.6, "{}", t.derived);
            } else {
                assert_eq!(sb, db);
            }
            checked += 1;
        }
        assert!(checked >= 40, "{kind:?}: {checked}");
    }
}

#[test]
fn seeds_sit_in_templates_with_their_bodies() {
    let spec = templated(50, 2).seed_pair("The seed article.\n\nIts text.", "A blog repost of it.");
    let pages = generate_pages(&spec);
    let (a, b) = (&pages.corpus.docs[0], &pages.corpus.docs[1]);
    assert_eq!(
        (a.id.as_str(), b.id.as_str()),
        ("seed-article", "seed-blog")
    );
    assert_eq!(
        pages.bodies[0],
        (
            "seed-article".into(),
            "The seed article.\n\nIts text.".into()
        )
    );
    assert_eq!(
        pages.bodies[1],
        ("seed-blog".into(), "A blog repost of it.".into())
    );
    assert!(a.text.len() > 400 && a.text.contains(&pages.bodies[0].1));
    assert_ne!(a.text.lines().next(), b.text.lines().next(), "two sites");
    assert_eq!(pages.corpus.truth[0].kind, "seed");
}

#[test]
fn all_template_pages_differ_only_in_their_date() {
    let spec = CorpusSpec::default().docs(60).seed(4).all_template(true);
    let pages = generate_pages(&spec);
    assert!(pages.bodies.is_empty());
    let first = &pages.corpus.docs[0].text;
    assert!(count_words(first) >= 90, "{first}");
    let mut texts = HashSet::new();
    for d in &pages.corpus.docs {
        texts.insert(d.text.as_str());
        // Same words but for the byline's date (and the copyright year).
        let (a, b): (Vec<&str>, Vec<&str>) =
            (first.split(' ').collect(), d.text.split(' ').collect());
        assert_eq!(a.len(), b.len());
        let differ = a.iter().zip(&b).filter(|(x, y)| x != y).count();
        assert!(differ <= 5, "{differ} words differ");
    }
    assert_eq!(texts.len(), 60, "every date its own");
    assert_eq!(pages.corpus.truth.len(), 59);
    assert!(pages
        .corpus
        .truth
        .iter()
        .all(|t| t.source == "doc-000000" && t.relation == "duplicate"));
}

/// Document frequency of each 5-gram, and for each document its set.
fn df_table(c: &Corpus) -> (Vec<HashSet<String>>, HashMap<String, usize>) {
    let sets: Vec<HashSet<String>> = c.docs.iter().map(|d| shingles(&d.text)).collect();
    let mut df: HashMap<String, usize> = HashMap::new();
    for s in &sets {
        for g in s {
            *df.entry(g.clone()).or_default() += 1;
        }
    }
    (sets, df)
}

#[test]
fn shared_phrases_recur_across_documents_but_unrelated_articles_stay_apart() {
    let n = 1500;
    let spec = CorpusSpec::default()
        .docs(n)
        .seed(17)
        .derived_fraction(0.0)
        .style(TextStyle::Phrases);
    let c = generate(&spec);
    let (sets, df) = df_table(&c);
    // At 1,500 documents the pool's 5-grams recur in ~17 documents on average (220 at 20,000).
    let occurrences: usize = sets.iter().map(HashSet::len).sum();
    let recurring: usize = sets.iter().flatten().filter(|g| df[*g] >= 10).count();
    let share = recurring as f64 / occurrences as f64;
    assert!(
        (0.35..0.7).contains(&share),
        "share of 5-grams in 10+ documents: {share}"
    );
    // Every pair, exactly: how many share a 5-gram, and the largest containment.
    let mut index: HashMap<&str, Vec<u32>> = HashMap::new();
    for (i, s) in sets.iter().enumerate() {
        for g in s {
            index.entry(g.as_str()).or_default().push(i as u32);
        }
    }
    let (mut sharing, mut worst) = (0usize, 0f64);
    let mut counts = vec![0u32; n];
    for (i, s) in sets.iter().enumerate() {
        counts.iter_mut().for_each(|c| *c = 0);
        for g in s {
            for &j in &index[g.as_str()] {
                counts[j as usize] += 1;
            }
        }
        for j in i + 1..n {
            if counts[j] > 0 {
                sharing += 1;
                let c = counts[j] as f64 / sets[i].len().min(sets[j].len()) as f64;
                worst = worst.max(c);
            }
        }
    }
    let pairs = n * (n - 1) / 2;
    let shared = sharing as f64 / pairs as f64;
    assert!(
        (0.2..0.5).contains(&shared),
        "pairs sharing a 5-gram: {shared}"
    );
    assert!(worst < 0.3, "unrelated containment {worst}");
    // The news style shares next to nothing.
    let news = generate(&spec.clone().style(TextStyle::News).docs(300));
    let (sets, df) = df_table(&news);
    let recurring = sets.iter().flatten().filter(|g| df[*g] >= 3).count();
    assert!(recurring < sets.iter().map(HashSet::len).sum::<usize>() / 100);
    // Pool phrases are what recurs: the first phrases of the pool are in many documents.
    let v = vocab();
    let hot = (0..5).map(|k| phrases::pool_phrase(v, k)).filter(|p| {
        c.docs
            .iter()
            .filter(|d| d.text.to_lowercase().contains(&p.to_lowercase()))
            .count()
            >= 20
    });
    assert!(hot.count() >= 3);
}

#[test]
fn shared_phrase_copies_are_made_as_in_the_news_style() {
    let spec = CorpusSpec::default()
        .docs(400)
        .seed(6)
        .derived_fraction(0.3)
        .style(TextStyle::Phrases);
    let c = generate(&spec);
    let ids = by_id(&c);
    let kinds: HashSet<&str> = c.truth.iter().map(|t| t.kind).collect();
    assert_eq!(kinds.len(), 5, "{kinds:?}");
    for t in c.truth.iter().filter(|t| t.kind == "exact") {
        assert_eq!(ids[t.source.as_str()].1, ids[t.derived.as_str()].1);
    }
    for t in c
        .truth
        .iter()
        .filter(|t| t.kind == "repost" || t.kind == "excerpt")
    {
        let share = containment(ids[t.derived.as_str()].1, ids[t.source.as_str()].1);
        assert!(share >= 0.6, "{} {share}", t.derived);
    }
    assert_eq!(count_words(&phrase_text(3, 321, 100)), 321);
    assert_eq!(phrase_text(3, 321, 100), phrase_text(3, 321, 100));
}
