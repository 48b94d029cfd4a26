//! Drives the real `neardup check` on pages built from several indexed articles: digests of two,
//! three and four sources, a page whose sources overlap each other, and a page half made of one
//! source and half its own. Each source of a page's cover is a `derivative` match with the page
//! derived and a `cover` object (share, rank, the share of the whole cover, the page's spans it
//! explains); `--part-floor off` gives the matches of each source alone.

mod util;

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use neardup::synth::{generate, CorpusSpec, SynthDoc};
use serde_json::Value;
use util::{json_lines, lossy, run_in};

fn write_jsonl(path: &Path, docs: &[(String, String)]) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for (id, text) in docs {
        serde_json::to_writer(&mut f, &serde_json::json!({"id": id, "text": text})).unwrap();
        f.write_all(b"\n").unwrap();
    }
    f.flush().unwrap();
}

/// Paragraphs `from..to` of a generated article (paragraphs are separated by blank lines).
fn paragraphs(doc: &SynthDoc, from: usize, to: usize) -> String {
    let all: Vec<&str> = doc.text.split("\n\n").collect();
    all[from.min(all.len())..to.min(all.len())].join("\n\n")
}

fn words(text: &str) -> usize {
    text.split_whitespace().count()
}

/// A page and what its cover should be: (source id, share of the page's words it gave).
struct Page {
    id: &'static str,
    text: String,
    sources: Vec<(String, f64)>,
}

/// A page made of `parts` (source, its paragraphs), in order.
fn page(id: &'static str, parts: &[(&SynthDoc, usize, usize)]) -> Page {
    let texts: Vec<String> = parts.iter().map(|&(d, f, t)| paragraphs(d, f, t)).collect();
    let text = texts.join("\n\n");
    let total = words(&text) as f64;
    let sources = parts
        .iter()
        .zip(&texts)
        .map(|(&(d, _, _), t)| (d.id.clone(), words(t) as f64 / total))
        .collect();
    Page { id, text, sources }
}

/// Articles of at least `paragraphs` paragraphs from a generated corpus, none derived.
fn articles(n: usize, paragraphs: usize) -> Vec<SynthDoc> {
    let spec = CorpusSpec::default()
        .docs(400)
        .seed(16)
        .derived_fraction(0.0)
        .words(400, 600);
    generate(&spec)
        .docs
        .into_iter()
        .filter(|d| d.text.split("\n\n").count() >= paragraphs)
        .take(n)
        .collect()
}

/// `check --json` of `pages` against an index of `sources`, with more `args`: the records by page.
fn check(
    dir: &Path,
    sources: &[SynthDoc],
    pages: &[Page],
    args: &[&str],
) -> HashMap<String, Vec<Value>> {
    let docs: Vec<(String, String)> = sources
        .iter()
        .map(|d| (d.id.clone(), d.text.clone()))
        .collect();
    write_jsonl(&dir.join("sources.jsonl"), &docs);
    if !dir.join("s.ndx").exists() {
        let out = run_in(
            dir,
            &["index", "build", "--index", "s.ndx", "sources.jsonl"],
        );
        assert!(out.status.success(), "{}", lossy(&out.stderr));
    }
    let pages_docs: Vec<(String, String)> = pages
        .iter()
        .map(|p| (p.id.to_string(), p.text.clone()))
        .collect();
    write_jsonl(&dir.join("pages.jsonl"), &pages_docs);
    let mut argv = vec!["check", "--index", "s.ndx", "pages.jsonl", "--json"];
    argv.extend_from_slice(args);
    let out = run_in(dir, &argv);
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "{}",
        lossy(&out.stderr)
    );
    let mut by_page: HashMap<String, Vec<Value>> = HashMap::new();
    for r in json_lines(&out.stdout) {
        by_page
            .entry(r["a"].as_str().unwrap().to_string())
            .or_default()
            .push(r);
    }
    by_page
}

#[test]
fn digests_of_two_three_and_four_sources_are_covered_by_them() {
    let dir = tempfile::tempdir().unwrap();
    let a = articles(12, 8);
    assert_eq!(a.len(), 12, "enough long articles");
    let pages = vec![
        // The first half of one article and the second half of another.
        page("two", &[(&a[0], 0, 4), (&a[1], 4, 8)]),
        page("three", &[(&a[2], 0, 3), (&a[3], 0, 3), (&a[4], 2, 5)]),
        page(
            "four",
            &[(&a[5], 0, 2), (&a[6], 0, 2), (&a[7], 3, 5), (&a[8], 0, 2)],
        ),
    ];
    let found = check(dir.path(), &a, &pages, &[]);
    for p in &pages {
        let records = &found[p.id];
        let covered: Vec<&Value> = records
            .iter()
            .filter(|r| r.get("cover").is_some())
            .collect();
        let ids: Vec<&str> = covered.iter().map(|r| r["b"].as_str().unwrap()).collect();
        let mut want: Vec<&str> = p.sources.iter().map(|(id, _)| id.as_str()).collect();
        let mut got = ids.clone();
        want.sort_unstable();
        got.sort_unstable();
        assert_eq!(got, want, "{}: the sources it was built from", p.id);
        // Nothing but its sources.
        assert_eq!(records.len(), covered.len(), "{}: {records:?}", p.id);
        let mut explained = 0.0;
        for (rank, r) in covered.iter().enumerate() {
            assert_eq!(r["relation"], "derivative");
            assert_eq!(r["derived"], p.id);
            assert_eq!(r["direction_by"], "cover");
            let c = &r["cover"];
            assert_eq!(c["rank"], rank + 1, "{}: ranked", p.id);
            assert_eq!(c["sources"], p.sources.len());
            let share = c["share"].as_f64().unwrap();
            let id = r["b"].as_str().unwrap();
            let want_share = p.sources.iter().find(|(s, _)| s == id).unwrap().1;
            assert!(
                (share - want_share).abs() < 0.08,
                "{}: {id} explains {share}, gave {want_share} of the words",
                p.id
            );
            explained += share;
            // Its spans are text of the source.
            let source = &a.iter().find(|d| d.id == id).unwrap().text;
            for span in c["spans"].as_array().unwrap() {
                let (s, e) = (
                    span[0].as_u64().unwrap() as usize,
                    span[1].as_u64().unwrap() as usize,
                );
                let text = &p.text[s..e];
                assert!(words(text) >= 20, "{}: a span of {id}: {text:?}", p.id);
                assert!(source.contains(text), "{}: {text:?} is not {id}'s", p.id);
            }
        }
        let whole = covered[0]["cover"]["explained"].as_f64().unwrap();
        assert!(
            (whole - explained).abs() < 1e-3 && whole > 0.9,
            "{}: {whole}",
            p.id
        );
    }
    // The human view shows each page once, its passages marked with their sources.
    let out = run_in(
        dir.path(),
        &[
            "check",
            "--index",
            "s.ndx",
            "pages.jsonl",
            "--color",
            "never",
        ],
    );
    let text = lossy(&out.stdout);
    for (p, n) in pages.iter().zip([2, 3, 4]) {
        let heading = format!("{} is built from {n} sources, which explain", p.id);
        assert_eq!(text.matches(&heading).count(), 1, "{text}");
        for (id, _) in &p.sources {
            assert!(text.contains(&format!("] {id} (")), "{id} listed: {text}");
        }
    }
    for rank in 1..=4 {
        assert!(
            text.contains(&format!("\n  [{rank}] ")),
            "source {rank} listed: {text}"
        );
    }
    let summary = lossy(&out.stderr);
    assert!(summary.contains("3 made of several sources"), "{summary}");
    // Without a cover, no source alone reaches a threshold: fewer sources are found.
    let alone = check(dir.path(), &a, &pages, &["--part-floor", "off"]);
    let n = |m: &HashMap<String, Vec<Value>>| m.values().map(Vec::len).sum::<usize>();
    assert!(n(&alone) < n(&found), "{} vs {}", n(&alone), n(&found));
    assert!(alone.values().flatten().all(|r| r.get("cover").is_none()));
}

#[test]
fn sources_that_overlap_and_a_page_half_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let a = articles(4, 8);
    // A second article that quotes the first's paragraphs 2..4 beside its own 4..8.
    let quoting = SynthDoc {
        id: "quoting".into(),
        text: format!("{}\n\n{}", paragraphs(&a[0], 2, 4), paragraphs(&a[1], 4, 8)),
        ..a[1].clone()
    };
    // An article that is not indexed: the page's own half.
    let own = articles(12, 8).pop().unwrap();
    let sources = vec![a[0].clone(), quoting.clone(), a[2].clone()];
    let pages = vec![
        // a0's first four paragraphs, then the quoting article's own part: the quoting article
        // holds three quarters of the page and comes first; a0 then explains only what the
        // quoting article does not hold, its first two paragraphs.
        page("overlap", &[(&a[0], 0, 4), (&a[1], 4, 8)]),
        // One whole source, then as much text of its own: no cover of several.
        page("half", &[(&a[2], 0, 99), (&own, 0, 99)]),
    ];
    let found = check(dir.path(), &sources, &pages, &[]);
    let overlap = &found["overlap"];
    let covered: Vec<(&str, f64)> = overlap
        .iter()
        .filter_map(|r| Some((r["b"].as_str()?, r.get("cover")?["share"].as_f64()?)))
        .collect();
    assert_eq!(covered.len(), 2, "{overlap:?}");
    assert_eq!(covered[0].0, "quoting", "the larger part first");
    assert_eq!(covered[1].0, a[0].id);
    // a0 holds half of the page, but explains only what the quoting article does not.
    let a0_alone = overlap.iter().find(|r| r["b"] == a[0].id.as_str()).unwrap()
        ["containment_a_in_b"]
        .as_f64()
        .unwrap();
    assert!(covered[1].1 + 0.1 < a0_alone, "{covered:?} vs {a0_alone}");
    assert!(covered[0].1 > 0.6, "{covered:?}");
    let half = &found["half"];
    assert_eq!(half.len(), 1, "{half:?}");
    assert_eq!(half[0]["b"], a[2].id);
    assert!(half[0].get("cover").is_none(), "{half:?}");
}

/// `dedup` of `docs` with every output and more `args`: the pair records, the cluster records,
/// the kept ids and the summary.
fn dedup(
    dir: &Path,
    docs: &[(String, String)],
    args: &[&str],
) -> (Vec<Value>, Vec<Value>, Vec<String>, String) {
    write_jsonl(&dir.join("corpus.jsonl"), docs);
    let mut argv = vec![
        "dedup",
        "corpus.jsonl",
        "--out-pairs",
        "pairs.jsonl",
        "--out-clusters",
        "clusters.jsonl",
        "--out-kept",
        "kept.jsonl",
    ];
    argv.extend_from_slice(args);
    let out = run_in(dir, &argv);
    assert!(out.status.success(), "{}", lossy(&out.stderr));
    let read = |name: &str| json_lines(&std::fs::read(dir.join(name)).unwrap());
    let kept = read("kept.jsonl")
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    (
        read("pairs.jsonl"),
        read("clusters.jsonl"),
        kept,
        lossy(&out.stderr),
    )
}

#[test]
fn dedup_finds_the_pages_built_from_several_and_removes_those_whose_sources_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let a = articles(17, 8);
    assert_eq!(a.len(), 17, "enough long articles");
    // An article that quotes a9's paragraphs 2..4 beside a10's 4..8 and text of its own (of an
    // article not in the corpus): the page below takes all but its own text, and the rest of
    // a9's first half.
    let quoting = SynthDoc {
        id: "quoting".into(),
        text: format!(
            "{}\n\n{}\n\n{}",
            paragraphs(&a[9], 2, 4),
            paragraphs(&a[10], 4, 8),
            paragraphs(&a[16], 0, 6)
        ),
        ..a[10].clone()
    };
    let pages = [
        page("two", &[(&a[0], 0, 4), (&a[1], 4, 8)]),
        page("three", &[(&a[2], 0, 3), (&a[3], 0, 3), (&a[4], 2, 5)]),
        page(
            "four",
            &[(&a[5], 0, 2), (&a[6], 0, 2), (&a[7], 3, 5), (&a[8], 0, 2)],
        ),
        // Sources that overlap: the quoting article holds three quarters of the page.
        page("overlap", &[(&a[9], 0, 4), (&a[10], 4, 8)]),
        // One whole source, then as much text of its own (an article not in the corpus).
        page("half", &[(&a[11], 0, 99), (&a[15], 0, 99)]),
    ];
    // a[10] stays out, so that the overlap page's second half is the quoting article's alone.
    let mut docs: Vec<(String, String)> = a[..15]
        .iter()
        .filter(|d| d.id != a[10].id)
        .map(|d| (d.id.clone(), d.text.clone()))
        .collect();
    docs.push((quoting.id.clone(), quoting.text.clone()));
    docs.extend(pages.iter().map(|p| (p.id.to_string(), p.text.clone())));
    let (pairs, clusters, kept, summary) = dedup(dir.path(), &docs, &[]);

    let mut by_page: HashMap<&str, Vec<&Value>> = HashMap::new();
    for p in pairs.iter().filter(|p| p.get("cover").is_some()) {
        assert_eq!(p["relation"], "derivative", "{p}");
        assert_eq!(p["direction_by"], "cover", "{p}");
        by_page
            .entry(p["derived"].as_str().unwrap())
            .or_default()
            .push(p);
    }
    let text_of: HashMap<&str, &str> = docs.iter().map(|(i, t)| (i.as_str(), t.as_str())).collect();
    for p in &pages[..3] {
        let mut records = by_page.remove(p.id).unwrap_or_default();
        records.sort_by_key(|r| r["cover"]["rank"].as_u64());
        let source = |r: &Value| {
            let (a, b) = (r["a"].as_str().unwrap(), r["b"].as_str().unwrap());
            if a == p.id { b } else { a }.to_string()
        };
        let mut got: Vec<String> = records.iter().map(|r| source(r)).collect();
        let mut want: Vec<String> = p.sources.iter().map(|(id, _)| id.clone()).collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "{}: the sources it was built from", p.id);
        for (rank, r) in records.iter().enumerate() {
            let c = &r["cover"];
            assert_eq!(c["rank"], rank + 1, "{}", p.id);
            assert_eq!(c["sources"], p.sources.len(), "{}", p.id);
            let id = source(r);
            let want_share = p.sources.iter().find(|(s, _)| *s == id).unwrap().1;
            let share = c["share"].as_f64().unwrap();
            assert!((share - want_share).abs() < 0.08, "{}: {id} {share}", p.id);
            for span in c["spans"].as_array().unwrap() {
                let (s, e) = (span[0].as_u64().unwrap(), span[1].as_u64().unwrap());
                let text = &p.text[s as usize..e as usize];
                assert!(text_of[id.as_str()].contains(text), "{}: {text:?}", p.id);
            }
        }
        // Removed, as built from its sources, which are all kept.
        assert!(!kept.iter().any(|k| k == p.id), "{} kept", p.id);
        let record = clusters
            .iter()
            .find(|c| c["kind"] == "built_from" && c["page"] == p.id)
            .unwrap_or_else(|| panic!("{}: no built_from record", p.id));
        assert_eq!(record["page_kept"], false);
        assert_eq!(record["sources"].as_array().unwrap().len(), p.sources.len());
    }
    // The overlapping sources: the quoting article first, then what the other adds.
    let mut overlap = by_page
        .remove("overlap")
        .expect("the overlap page is covered");
    overlap.sort_by_key(|r| r["cover"]["rank"].as_u64());
    let source = |r: &Value| {
        let (x, y) = (r["a"].as_str().unwrap(), r["b"].as_str().unwrap());
        if x == "overlap" { y } else { x }.to_string()
    };
    let ids: Vec<String> = overlap.iter().map(|r| source(r)).collect();
    assert_eq!(ids, ["quoting".to_string(), a[9].id.clone()], "{overlap:?}");
    // a9 holds half of the page, but explains only what the quoting article does not.
    let a9_share = overlap[1]["cover"]["share"].as_f64().unwrap();
    assert!((a9_share - 0.25).abs() < 0.08, "{overlap:?}");
    // The page half its own has no cover of several, nor does anything else.
    assert!(by_page.is_empty(), "{by_page:?}");
    // Every source of a cover is kept, and everything is accounted for (a11, wholly inside the
    // page half its own, is a plain pair with it, either way round).
    for d in a[..11].iter().filter(|d| d.id != a[10].id) {
        assert!(kept.contains(&d.id), "{} kept", d.id);
    }
    assert!(
        summary.contains(&format!("read {}, kept {}", docs.len(), kept.len())),
        "{summary}"
    );
    // The quoting article alone holds three quarters of the overlap page: the page is its
    // derivative first (removed as such), and not one made of several sources only.
    assert!(!kept.iter().any(|k| k == "overlap"), "{kept:?}");
    assert!(summary.contains("3 built from several"), "{summary}");
    assert!(
        summary.contains("3 pages made of several sources"),
        "{summary}"
    );

    // The HTML report shows each page once with its sources: its pairs carry their part of the
    // cover (the page's side and spans, in UTF-16 units of the page's text), and the overview
    // lists the pages made of several sources.
    let (_, _, _, _) = dedup(dir.path(), &docs, &["--html", "report.html"]);
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    let open = "<script type=\"application/json\" id=\"neardup-data\">";
    let start = html.find(open).expect("a data block") + open.len();
    let end = start + html[start..].find("</script>").unwrap();
    let d: Value = serde_json::from_str(&html[start..end]).unwrap();
    assert_eq!(d["dedup"]["figures"]["built"], 3);
    assert_eq!(d["dedup"]["figures"]["removed_built"], 3);
    let built: Vec<&str> = d["dedup"]["built"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["head"].as_str().unwrap())
        .collect();
    for p in &pages[..3] {
        assert!(built.contains(&p.id), "{built:?}");
    }
    let doc = |i: &Value| &d["docs"][i.as_u64().unwrap() as usize];
    let mut views = 0;
    for pair in d["pairs"].as_array().unwrap() {
        let Some(c) = pair.get("cover") else { continue };
        let side = c["page"].as_str().unwrap();
        let other = if side == "a" { "b" } else { "a" };
        let (page, source) = (doc(&pair[side]), doc(&pair[other]));
        let units: Vec<u16> = page["text"].as_str().unwrap().encode_utf16().collect();
        for span in c["spans"].as_array().unwrap() {
            let (s, e) = (span[0].as_u64().unwrap(), span[1].as_u64().unwrap());
            let text = String::from_utf16(&units[s as usize..e as usize]).unwrap();
            assert!(source["text"].as_str().unwrap().contains(&text), "{text:?}");
        }
        assert!(pair["verdict"].as_str().unwrap().contains("is built from"));
        views += 1;
    }
    assert!(views >= 9, "the sources of the three digests: {views}");

    // With --part-floor off, no cover: the digests stay.
    let (pairs, clusters, kept, _) = dedup(dir.path(), &docs, &["--part-floor", "off"]);
    assert!(pairs.iter().all(|p| p.get("cover").is_none()));
    assert!(clusters.iter().all(|c| c["kind"] != "built_from"));
    for p in &pages[..3] {
        assert!(
            kept.iter().any(|k| k == p.id),
            "{} kept without a cover",
            p.id
        );
    }
}
