//! Drives the real `neardup dedup` binary on generated corpora with known reposts, on the seeds,
//! and on broken inputs; scores the pairs with the project's scorer when it is beside the repo.

mod util;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use neardup::compare::Comparer;
use neardup::document::Document;
use neardup::synth::{generate, Corpus, CorpusSpec};
use serde_json::Value;
use util::{
    assert_meets_the_bar, neardup, notice_and_repost, read_repo, run_in, text, Scorer, ARTICLE,
    REPOST,
};

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn json_lines(path: &Path) -> Vec<Value> {
    util::json_lines(&std::fs::read(path).unwrap())
}

/// The summary line's numbers: `read N, kept N, removed N (...)`; the summary is the last line.
fn summary_number(stderr: &str, key: &str) -> u64 {
    let summary = stderr.lines().last().unwrap_or_default();
    let at = summary
        .find(&format!("{key} "))
        .unwrap_or_else(|| panic!("{key} in {stderr}"));
    summary[at + key.len() + 1..]
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

struct Run {
    dir: tempfile::TempDir,
    corpus: Corpus,
    out: Output,
}

impl Run {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// Generates a corpus with the seed pair, writes it, and dedups it with every output.
fn generated_run(docs: usize, derived: f64) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let spec = CorpusSpec::default()
        .docs(docs)
        .seed(11)
        .derived_fraction(derived)
        .seed_pair(read_repo(ARTICLE), read_repo(REPOST));
    let corpus = generate(&spec);
    corpus
        .write_jsonl(std::fs::File::create(dir.path().join("corpus.jsonl")).unwrap())
        .unwrap();
    corpus
        .write_truth(std::fs::File::create(dir.path().join("truth.json")).unwrap())
        .unwrap();
    let out = run_in(
        dir.path(),
        &[
            "dedup",
            "corpus.jsonl",
            "--out-pairs",
            "pairs.jsonl",
            "--out-clusters",
            "clusters.jsonl",
            "--out-kept",
            "kept.jsonl",
            "--passages",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    Run { dir, corpus, out }
}

#[test]
fn generated_corpus_pairs_are_verified_and_accounted_for() {
    let run = generated_run(1200, 0.2);
    let stderr = text(&run.out.stderr);
    let read = summary_number(&stderr, "read");
    let kept = summary_number(&stderr, "kept");
    let removed = summary_number(&stderr, "removed");
    assert_eq!(read as usize, run.corpus.docs.len());
    assert_eq!(read, kept + removed, "{stderr}");

    // Kept records are the input lines, byte for byte, in input order.
    let input = lines(&run.path("corpus.jsonl"));
    let kept_lines = lines(&run.path("kept.jsonl"));
    assert_eq!(kept_lines.len() as u64, kept);
    let mut at = 0;
    for line in &kept_lines {
        at += input[at..]
            .iter()
            .position(|l| l == line)
            .expect("kept line is an input line, in order")
            + 1;
    }

    // Every reported pair meets a threshold when measured again from scratch, but a source of a
    // page built from several (a pair with a `cover`), which holds at least the part floor of
    // the page in a cover that explains at least the containment threshold of it.
    let docs: std::collections::HashMap<&str, &str> = run
        .corpus
        .docs
        .iter()
        .map(|d| (d.id.as_str(), d.text.as_str()))
        .collect();
    let comparer = Comparer::builder().passages(false).build();
    let pairs = json_lines(&run.path("pairs.jsonl"));
    assert!(!pairs.is_empty());
    for p in &pairs {
        let (a, b) = (p["a"].as_str().unwrap(), p["b"].as_str().unwrap());
        let exact = comparer.compare(&Document::new(a, docs[a]), &Document::new(b, docs[b]));
        // A pair judged on its content (background left out) keeps its whole-text figures as
        // raw_*; its own figures are the content's, and they meet a threshold.
        let figure = |k: &str| p[k].as_f64().unwrap();
        if let Some(cover) = p.get("cover") {
            let share = |k: &str| cover[k].as_f64().unwrap();
            assert!(share("share") >= 0.15 && share("explained") >= 0.6, "{p}");
            assert!(cover["sources"].as_u64().unwrap() >= 2, "{p}");
            assert_eq!(p["relation"], "derivative", "{p}");
            let page = p["derived"].as_str().unwrap();
            let (source, inside) = match page == a {
                true => (b, figure("containment_a_in_b")),
                false => (a, figure("containment_b_in_a")),
            };
            assert!(
                inside >= share("share") - 1e-9,
                "{page} holds its share in {source}"
            );
            continue;
        }
        match p.get("raw_jaccard") {
            None => {
                assert!(
                    exact.scores.jaccard >= 0.5 || exact.scores.max_containment() >= 0.6,
                    "{a} {b} below both thresholds"
                );
                assert!((exact.scores.jaccard - figure("jaccard")).abs() < 1e-3);
                assert_eq!(p["relation"].as_str().unwrap(), exact.relation.as_str());
            }
            Some(raw) => {
                assert!((exact.scores.jaccard - raw.as_f64().unwrap()).abs() < 1e-3);
                let containment = figure("containment_a_in_b").max(figure("containment_b_in_a"));
                assert!(
                    figure("jaccard") >= 0.5 || containment >= 0.6,
                    "{a} {b} below both thresholds on their content"
                );
            }
        }
    }

    // Every known copy that is mostly inside its source is found, with its direction.
    let found: std::collections::HashMap<(String, String), &Value> = pairs
        .iter()
        .map(|p| {
            let (a, b) = (
                p["a"].as_str().unwrap().to_string(),
                p["b"].as_str().unwrap().to_string(),
            );
            ((a.clone().min(b.clone()), a.max(b)), p)
        })
        .collect();
    let mut checked = 0;
    for t in run
        .corpus
        .truth
        .iter()
        .filter(|t| matches!(t.kind, "exact" | "excerpt" | "seed"))
    {
        let key = (
            t.source.clone().min(t.derived.clone()),
            t.source.clone().max(t.derived.clone()),
        );
        let p = found
            .get(&key)
            .unwrap_or_else(|| panic!("missed {} <- {}", t.derived, t.source));
        if t.kind != "exact" {
            assert_eq!(
                p["derived"],
                t.derived.as_str(),
                "{} <- {}",
                t.derived,
                t.source
            );
        }
        checked += 1;
    }
    assert!(
        checked > 20,
        "the corpus has known copies to check ({checked})"
    );

    // Clusters: every member of a duplicate cluster but the representative was removed; the
    // representative is kept unless it is itself a derivative of a kept source, or built from
    // several.
    let clusters = json_lines(&run.path("clusters.jsonl"));
    let derived_from_kept: std::collections::HashSet<&str> = clusters
        .iter()
        .filter(|c| c["kind"] == "derivatives" && c["source_kept"] == true)
        .flat_map(|c| {
            c["derived"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d.as_str().unwrap())
        })
        .collect();
    let kept_ids: std::collections::HashSet<String> = kept_lines
        .iter()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    // A page built from several sources is removed exactly when each of them is kept (through
    // its cluster's representative) and no single source took it away.
    let representative: std::collections::HashMap<&str, &str> = clusters
        .iter()
        .filter(|c| c["kind"] == "duplicates")
        .flat_map(|c| {
            let rep = c["representative"].as_str().unwrap();
            c["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |m| (m.as_str().unwrap(), rep))
        })
        .collect();
    let mut built_and_removed: std::collections::HashSet<&str> = Default::default();
    for c in clusters.iter().filter(|c| c["kind"] == "built_from") {
        let page = c["page"].as_str().unwrap();
        assert_eq!(c["page_kept"], kept_ids.contains(page), "{c}");
        let sources = c["sources"].as_array().unwrap();
        assert!(sources.len() >= 2, "{c}");
        let all_kept = sources.iter().all(|s| {
            let s = s.as_str().unwrap();
            kept_ids.contains(*representative.get(s).unwrap_or(&s))
        });
        match c["page_kept"] == true {
            true => assert!(!all_kept, "{c}"),
            false => {
                built_and_removed.insert(page);
            }
        }
    }
    let dup_clusters: Vec<&Value> = clusters
        .iter()
        .filter(|c| c["kind"] == "duplicates")
        .collect();
    assert!(!dup_clusters.is_empty());
    for c in dup_clusters {
        let rep = c["representative"].as_str().unwrap();
        assert!(
            kept_ids.contains(rep)
                || derived_from_kept.contains(rep)
                || built_and_removed.contains(rep),
            "representative {rep}"
        );
        for m in c["members"].as_array().unwrap() {
            let m = m.as_str().unwrap();
            assert!(
                m == rep || !kept_ids.contains(m),
                "member {m} of {rep} was kept"
            );
        }
    }
}

/// The product's quality bar, measured by the project's scorer (../shared/tools/score_pairs.py).
#[test]
fn generated_corpus_meets_the_scorer_bar() {
    let Some(scorer) = Scorer::find("generated_corpus_meets_the_scorer_bar") else {
        return;
    };
    let run = generated_run(2000, 0.15);
    let score = scorer.score(run.dir.path());
    assert_eq!(score["bad_lines"], 0);
    assert_meets_the_bar(&score);
    assert_eq!(score["seed"], "derivative derived=seed-blog");
}

#[test]
fn seeds_among_unrelated_texts_are_a_derivative_pair() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("docs")).unwrap();
    std::fs::write(d.join("docs/article.txt"), read_repo(ARTICLE)).unwrap();
    std::fs::write(d.join("docs/repost.txt"), read_repo(REPOST)).unwrap();
    for i in 0..30u64 {
        std::fs::write(
            d.join(format!("docs/other{i}.txt")),
            neardup::synth::news_text(i, 300),
        )
        .unwrap();
    }
    std::fs::write(d.join("docs/empty.txt"), "").unwrap();
    let out = run_in(
        d,
        &[
            "dedup",
            "docs",
            "--out-pairs",
            "pairs.jsonl",
            "--out-kept",
            "kept.jsonl",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let pairs = json_lines(&d.join("pairs.jsonl"));
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    assert_eq!(pairs[0]["relation"], "derivative");
    assert_eq!(pairs[0]["derived"], "docs/repost.txt");
    assert_eq!(pairs[0]["source"], "docs/article.txt");
    let stderr = text(&out.stderr);
    assert_eq!(summary_number(&stderr, "read"), 33);
    assert_eq!(summary_number(&stderr, "kept"), 32);
    assert_eq!(summary_number(&stderr, "empty"), 1, "{stderr}");
    // Plain files come out as {"id", "text"} records; the empty one is kept.
    let kept = json_lines(&d.join("kept.jsonl"));
    assert!(kept
        .iter()
        .any(|k| k["id"] == "docs/empty.txt" && k["text"] == ""));
    assert!(!kept.iter().any(|k| k["id"] == "docs/repost.txt"));
}

fn write_jsonl(path: &Path, lines: &[&str]) {
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

#[test]
fn bad_lines_stop_the_run_without_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cases: &[(&str, &[&str], &str)] = &[
        (
            "malformed.jsonl",
            &[r#"{"id": "a", "text": "one"}"#, r#"{"id": "b", "text": "#],
            "malformed.jsonl:2: malformed JSON at column 20: EOF while parsing a value",
        ),
        (
            "notext.jsonl",
            &[r#"{"id": "a", "body": "one"}"#],
            "notext.jsonl:1: no `text` field",
        ),
        (
            "dupid.jsonl",
            &[
                r#"{"id": "a", "text": "one"}"#,
                r#"{"id": "a", "text": "two"}"#,
            ],
            "duplicate id \"a\": dupid.jsonl:1 and dupid.jsonl:2",
        ),
    ];
    for (name, content, want) in cases {
        write_jsonl(&d.join(name), content);
        let out = run_in(
            d,
            &[
                "dedup",
                name,
                "--out-pairs",
                "pairs.jsonl",
                "--out-kept",
                "kept.jsonl",
            ],
        );
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        // The whole message, each cause once.
        assert_eq!(err, format!("neardup: error: {want}\n"), "{name}");
        assert!(
            !d.join("pairs.jsonl").exists() && !d.join("kept.jsonl").exists(),
            "{name}: no outputs"
        );
    }
    let leftovers: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

/// A regression test: an error found while the reader still had pieces to hand over (here a bad
/// line near the start of a 12 MB input) left the reader blocked on a full channel and the run
/// waiting for it forever. The run must stop with the error instead; the test kills a run that
/// hangs rather than waiting on it.
#[test]
fn an_early_error_in_a_large_input_stops_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let body = "word ".repeat(200);
    let mut corpus = String::new();
    for i in 0..12_000 {
        match i {
            10 => corpus.push_str("{\"id\": \"broken\", \"text\": \n"),
            _ => corpus.push_str(&format!("{{\"id\": \"d{i}\", \"text\": \"{body}{i}\"}}\n")),
        }
    }
    std::fs::write(dir.path().join("big.jsonl"), corpus).unwrap();
    let mut child = neardup(&["dedup", "big.jsonl", "--out-pairs", "pairs.jsonl"])
        .dir(dir.path())
        .command()
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > std::time::Duration::from_secs(120) {
            child.kill().unwrap();
            panic!("the run hangs after its error");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(2), "{err}");
    assert_eq!(
        err,
        "neardup: error: big.jsonl:11: malformed JSON at column 25: EOF while parsing a value\n"
    );
    assert!(!dir.path().join("pairs.jsonl").exists());
}

#[test]
fn skip_bad_goes_on_and_reports_every_skipped_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let good = neardup::synth::news_text(1, 200);
    let good_line = serde_json::json!({"id": "good", "text": good}).to_string();
    let copy_line = serde_json::json!({"id": "copy", "text": good}).to_string();
    write_jsonl(
        &d.join("c.jsonl"),
        &[&good_line, "{broken", r#"{"id": "x"}"#, &copy_line],
    );
    let out = run_in(
        d,
        &["dedup", "c.jsonl", "--skip-bad", "--out-kept", "kept.jsonl"],
    );
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("skipped c.jsonl:2"), "{err}");
    assert!(err.contains("skipped c.jsonl:3"), "{err}");
    assert_eq!(summary_number(&err, "read"), 2);
    assert_eq!(summary_number(&err, "kept"), 1);
    assert_eq!(summary_number(&err, "skipped"), 2);
    assert_eq!(lines(&d.join("kept.jsonl")), vec![good_line]);
}

#[test]
fn standard_input_and_compressed_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let a = neardup::synth::news_text(5, 250);
    let line = |id: &str| serde_json::json!({"id": id, "text": a}).to_string();
    // gzip and zstd copies of one record, and the same on standard input.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all((line("gz") + "\n").as_bytes()).unwrap();
    std::fs::write(d.join("a.jsonl.gz"), gz.finish().unwrap()).unwrap();
    std::fs::write(
        d.join("b.jsonl.zst"),
        zstd::encode_all((line("zst") + "\n").as_bytes(), 3).unwrap(),
    )
    .unwrap();
    let out = neardup(&[
        "dedup",
        "a.jsonl.gz",
        "b.jsonl.zst",
        "-",
        "--out-pairs",
        "pairs.jsonl",
        "--out-kept",
        "kept.jsonl",
    ])
    .dir(d)
    .stdin(line("stdin") + "\n")
    .output();
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(summary_number(&err, "read"), 3);
    assert_eq!(summary_number(&err, "kept"), 1);
    assert_eq!(summary_number(&err, "clusters"), 1);
    assert_eq!(json_lines(&d.join("pairs.jsonl")).len(), 3);
    assert_eq!(lines(&d.join("kept.jsonl")), vec![line("gz")]);
}

#[test]
fn truncated_gzip_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for i in 0..200 {
        let rec =
            serde_json::json!({"id": format!("d{i}"), "text": neardup::synth::news_text(i, 100)});
        gz.write_all((rec.to_string() + "\n").as_bytes()).unwrap();
    }
    let bytes = gz.finish().unwrap();
    std::fs::write(d.join("cut.jsonl.gz"), &bytes[..bytes.len() / 2]).unwrap();
    let out = run_in(d, &["dedup", "cut.jsonl.gz", "--out-pairs", "pairs.jsonl"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("cut.jsonl.gz"), "{err}");
    assert!(!d.join("pairs.jsonl").exists());
}

/// Writes `in.jsonl` in `root`: the seed article and its repost as two records; gives its text.
fn seed_corpus_in(root: &Path) -> String {
    let corpus = format!(
        "{}\n{}\n",
        serde_json::json!({"id": "article", "text": read_repo(ARTICLE)}),
        serde_json::json!({"id": "repost", "text": read_repo(REPOST)})
    );
    std::fs::write(root.join("in.jsonl"), &corpus).unwrap();
    corpus
}

/// Issue 13: `dedup in.jsonl --out-kept in.jsonl` exited 0 and replaced the corpus with its kept
/// lines. An output that is the same file as an input (however spelled, through a link, or
/// found in a directory) or as another output is refused before anything is read or written.
#[test]
fn an_output_never_replaces_an_input_or_another_output() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let corpus = seed_corpus_in(root);
    std::fs::create_dir(root.join("d")).unwrap();
    std::fs::write(root.join("d/x.jsonl"), &corpus).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("in.jsonl", root.join("link.jsonl")).unwrap();
    let name = root.file_name().unwrap().to_str().unwrap();
    let roundabout = format!("../{name}/in.jsonl");
    let absolute = root.join("in.jsonl");
    let mut cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["in.jsonl", "--out-kept", "in.jsonl"],
            "in.jsonl: the kept output would replace the input in.jsonl, the same file",
        ),
        (
            vec!["in.jsonl", "--out-pairs", "./in.jsonl"],
            "./in.jsonl: the pairs output would replace the input in.jsonl",
        ),
        (
            vec!["./in.jsonl", "--out-clusters", &roundabout],
            "the clusters output would replace the input ./in.jsonl",
        ),
        (
            vec!["in.jsonl", "--out-kept", absolute.to_str().unwrap()],
            "the kept output would replace the input in.jsonl",
        ),
        (
            vec!["d", "--out-pairs", "d/x.jsonl"],
            "d/x.jsonl: the pairs output would replace the input d/x.jsonl",
        ),
        (
            vec![
                "in.jsonl",
                "--out-pairs",
                "p.jsonl",
                "--out-clusters",
                "./p.jsonl",
            ],
            "./p.jsonl: the clusters output would replace the pairs output p.jsonl",
        ),
        (
            vec!["in.jsonl", "--out-pairs", "p.jsonl", "--html", "p.jsonl"],
            "p.jsonl: the HTML report would replace the pairs output p.jsonl",
        ),
    ];
    #[cfg(unix)]
    cases.extend([
        (
            vec!["in.jsonl", "--out-kept", "link.jsonl"],
            "link.jsonl: the kept output would replace the input in.jsonl",
        ),
        (
            vec!["link.jsonl", "--out-pairs", "in.jsonl"],
            "in.jsonl: the pairs output would replace the input link.jsonl",
        ),
    ]);
    for (args, message) in cases {
        let mut all = vec!["dedup"];
        all.extend(&args);
        let out = run_in(root, &all);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert_eq!(
            std::fs::read_to_string(root.join("in.jsonl")).unwrap(),
            corpus
        );
        assert_eq!(
            std::fs::read_to_string(root.join("d/x.jsonl")).unwrap(),
            corpus
        );
        assert!(!root.join("p.jsonl").exists(), "{args:?}");
    }
    // Distinct outputs beside the input are still written.
    let out = run_in(
        root,
        &[
            "dedup",
            "in.jsonl",
            "--out-kept",
            "kept.jsonl",
            "--out-pairs",
            "p.jsonl",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(lines(&root.join("kept.jsonl")).len(), 1);
    assert_eq!(
        std::fs::read_to_string(root.join("in.jsonl")).unwrap(),
        corpus
    );
}

/// Issue 13: `--out-pairs -` left a file named `-`, and an output on a device or FIFO was
/// replaced by a regular file through the rename (as root, `/dev/null` became one). `-` is now
/// standard output, and devices and FIFOs are written directly, never replaced.
#[cfg(unix)]
#[test]
fn standard_output_devices_and_fifos_are_written_directly() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    seed_corpus_in(root);

    let out = run_in(root, &["dedup", "in.jsonl", "--out-pairs", "-"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let pairs = util::json_lines(&out.stdout);
    assert_eq!(pairs.len(), 1);
    assert_eq!(pairs[0]["derived"], "repost");
    assert!(!root.join("-").exists());

    // Several outputs may share /dev/null, which stays a device.
    let out = run_in(
        root,
        &[
            "dedup",
            "in.jsonl",
            "--out-pairs",
            "/dev/null",
            "--out-kept",
            "/dev/null",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let null = std::fs::metadata("/dev/null").unwrap();
    assert!(null.file_type().is_char_device());

    // A FIFO gets the kept records; its reader sees them and the FIFO is still one.
    let fifo = root.join("kept.fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("SKIPPED the FIFO part: mkfifo is not available");
        return;
    }
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let out = run_in(root, &["dedup", "in.jsonl", "--out-kept", "kept.fifo"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let kept = reader.join().unwrap();
    assert_eq!(kept.lines().count(), 1);
    assert!(kept.contains("\"id\":\"article\""));
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
}

/// Writes `corpus.jsonl` and `truth.json` in `dir`: 3000 pages of 12 templated sites, 5% of them
/// syndicated copies, with the seed pair, and the synth options `extra`.
fn synth_templated_sites(dir: &Path, extra: &[&str]) {
    let (article, repost) = (util::repo_path(ARTICLE), util::repo_path(REPOST));
    let (article, repost) = (article.to_string_lossy(), repost.to_string_lossy());
    let mut args = vec![
        "synth",
        "--docs",
        "3000",
        "--sites",
        "12",
        "--syndicated",
        "0.05",
    ];
    args.extend_from_slice(extra);
    args.extend(["--with-seeds", &article, &repost]);
    args.extend(["--out", "corpus.jsonl", "--truth", "truth.json"]);
    let made = run_in(dir, &args);
    assert!(made.status.success(), "{}", text(&made.stderr));
}

/// Issue 14: pages of a few sites, each article wrapped in its site's template, some stories
/// syndicated to several sites and reposts onto other sites. Counting every shared shingle, the
/// templates made syndicated copies derivatives (and short pages look like copies of each other);
/// with the background learnt, the copies are duplicates and the reposts derivatives, on the
/// articles' text, and the seed pair inside it is still a derivative.
#[test]
fn templated_sites_are_judged_on_their_articles() {
    let Some(scorer) = Scorer::find("templated_sites_are_judged_on_their_articles") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    synth_templated_sites(dir.path(), &[]);
    let mut scores = Vec::new();
    for mode in ["auto", "off"] {
        let out = run_in(
            dir.path(),
            &[
                "dedup",
                "corpus.jsonl",
                "--out-pairs",
                "pairs.jsonl",
                "--boilerplate",
                mode,
            ],
        );
        let stderr = text(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert_eq!(
            stderr.contains("; boilerplate "),
            mode == "auto",
            "{stderr}"
        );
        scores.push(scorer.score(dir.path()));
    }
    let f = |s: &Value, k: &str| s[k].as_f64().unwrap();
    let (auto, off) = (&scores[0], &scores[1]);
    assert_eq!(auto["false_pos"], 0, "{auto}");
    assert!(f(auto, "recall_must") >= 0.98, "{auto}");
    assert!(f(auto, "relation_acc") >= 0.9, "{auto}");
    assert!(f(auto, "direction_acc") >= 0.95, "{auto}");
    assert_eq!(auto["seed"], "derivative derived=seed-blog", "{auto}");
    // Counting the templates, the syndicated copies were not duplicates.
    assert!(f(off, "relation_acc") < 0.5, "{off}");
}

/// Issue 14: sites whose related-stories block runs its headlines together on one line
/// (`Related: A; B; C`, as some text extractors give a row of links). Judged shingle by shingle
/// as prose, the words where two headlines meet, found on that page alone, made syndicated
/// copies derivatives (relation 0.933 and recall 0.987 on this corpus before, 0.996 and 0.997
/// now): the line ends no sentence, most of its words are other pages' headlines, and it is
/// judged whole.
#[test]
fn related_headlines_run_together_on_one_line_are_template() {
    let Some(scorer) = Scorer::find("related_headlines_run_together_on_one_line_are_template")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    synth_templated_sites(dir.path(), &["--inline-related", "1"]);
    let corpus = std::fs::read_to_string(dir.path().join("corpus.jsonl")).unwrap();
    assert!(
        corpus.contains("; "),
        "the related headlines are on one line"
    );
    let out = run_in(
        dir.path(),
        &["dedup", "corpus.jsonl", "--out-pairs", "pairs.jsonl"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let score = scorer.score(dir.path());
    let f = |k: &str| score[k].as_f64().unwrap();
    assert_eq!(score["false_pos"], 0, "{score}");
    assert!(f("recall_must") >= 0.99, "{score}");
    assert!(f("relation_acc") >= 0.98, "{score}");
    assert_eq!(score["seed"], "derivative derived=seed-blog", "{score}");
}

/// `text` with each run of whitespace made one space, as the boilerplate output spells passages.
fn collapsed(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Issue 14: a user could not see what the learnt boilerplate was. `--out-boilerplate` lists it:
/// on six templated sites, every line that all pages of a site carry (navigation, newsletter,
/// contact, links, address) is listed with that site's page count; every listed passage is in
/// at least as many pages as it says, and at least two, so no page's own article text is listed;
/// the records are sorted (most documents first, then text) and the same on every run.
#[test]
fn the_boilerplate_output_lists_each_sites_template_lines() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let made = run_in(
        root,
        &[
            "synth",
            "--sites",
            "6",
            "--docs",
            "600",
            "--out",
            "corpus.jsonl",
            "--truth",
            "truth.json",
        ],
    );
    assert!(made.status.success(), "{}", text(&made.stderr));
    let out = run_in(
        root,
        &[
            "dedup",
            "corpus.jsonl",
            "--out-pairs",
            "pairs.jsonl",
            "--out-boilerplate",
            "boilerplate.jsonl",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut records = json_lines(&root.join("boilerplate.jsonl"));
    let total = records.pop().expect("a total record");
    assert_eq!(total["kind"], "total", "{total}");
    assert!(records.iter().all(|r| r["kind"] == "passage"));
    assert_eq!(total["passages"], records.len() as u64, "{total}");
    let n = |v: &Value, k: &str| v[k].as_u64().unwrap_or_else(|| panic!("{k} in {v}"));

    let pages: Vec<(String, String)> = json_lines(&root.join("corpus.jsonl"))
        .iter()
        .map(|d| {
            let t = d["text"].as_str().unwrap().to_string();
            (d["id"].as_str().unwrap().to_string(), t)
        })
        .collect();
    assert_eq!(n(&total, "documents_read"), pages.len() as u64);
    let with = n(&total, "documents_with_boilerplate");
    assert!(
        with <= pages.len() as u64 && with * 10 >= pages.len() as u64 * 9,
        "{total}"
    );

    // Sorted by documents, most first, then by text.
    let key = |r: &Value| {
        (
            std::cmp::Reverse(n(r, "documents")),
            r["text"].as_str().unwrap().to_string(),
        )
    };
    assert!(records.windows(2).all(|w| key(&w[0]) < key(&w[1])));

    let whole: Vec<String> = pages.iter().map(|(_, t)| collapsed(t)).collect();
    let holding = |passage: &str| whole.iter().filter(|p| p.contains(passage)).count();
    let listed: std::collections::HashMap<&str, &Value> = records
        .iter()
        .map(|r| (r["text"].as_str().unwrap(), r))
        .collect();
    for r in &records {
        let passage = r["text"].as_str().unwrap();
        let documents = n(r, "documents") as usize;
        assert!(documents >= 2, "{r}");
        assert!(holding(passage) >= documents, "{r}");
        // Its words are those of its text.
        let tokens = n(r, "tokens") as usize;
        assert_eq!(neardup::text::tokenize(passage).len(), tokens, "{r}");
        let example = pages.iter().find(|(id, _)| r["example"] == id.as_str());
        let (_, example) = example.unwrap_or_else(|| panic!("the example of {r}"));
        assert!(collapsed(example).contains(passage), "{r}");
    }

    // The sites, by their navigation line (each page's first).
    let mut sites: std::collections::BTreeMap<String, Vec<&str>> = Default::default();
    for (_, t) in &pages {
        let nav = collapsed(t.lines().next().unwrap());
        sites.entry(nav).or_default().push(t);
    }
    assert_eq!(sites.len(), 6, "{:?}", sites.keys());
    for (nav, site) in &sites {
        // The lines of a shingle (5 words) or more that every page of the site carries; a
        // shorter one (a heading) takes the status of the line after it.
        let mut common: Vec<String> = site[0].lines().map(collapsed).collect();
        common.retain(|l| neardup::text::tokenize(l).len() >= 5);
        common.retain(|l| site.iter().all(|p| p.lines().any(|x| collapsed(x) == *l)));
        assert!(
            common.len() >= 5 && common.contains(nav),
            "{nav}: {common:?}"
        );
        for line in &common {
            let r = listed
                .get(line.as_str())
                .unwrap_or_else(|| panic!("{line:?} of the site of {} pages", site.len()));
            let documents = n(r, "documents") as usize;
            assert!(
                documents * 10 >= site.len() * 9 && documents <= holding(line),
                "{r}: {} pages",
                site.len()
            );
        }
    }

    // The same bytes on another run, on standard output.
    let again = run_in(root, &["dedup", "corpus.jsonl", "--out-boilerplate", "-"]);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert_eq!(
        again.stdout,
        std::fs::read(root.join("boilerplate.jsonl")).unwrap()
    );
}

/// Issue 14: the boilerplate output is refused with `--boilerplate off` (nothing is learnt) in
/// one line, exit 2; it is refused when it is an input or another output, and a failed run
/// leaves none; a corpus too small to learn from lists no passage, only the total.
#[test]
fn the_boilerplate_output_is_refused_where_it_cannot_be_written() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let corpus = seed_corpus_in(root);
    let refused: [(&[&str], &str); 3] = [
        (
            &["--boilerplate", "off", "--out-boilerplate", "b.jsonl"],
            "--out-boilerplate lists the boilerplate learnt by --boilerplate auto; with --boilerplate off nothing is learnt",
        ),
        (
            &["--out-boilerplate", "in.jsonl"],
            "in.jsonl: the boilerplate output would replace the input in.jsonl, the same file",
        ),
        (
            &["--out-pairs", "b.jsonl", "--out-boilerplate", "./b.jsonl"],
            "./b.jsonl: the boilerplate output would replace the pairs output b.jsonl, the same file",
        ),
    ];
    for (args, message) in refused {
        let mut all = vec!["dedup", "in.jsonl"];
        all.extend(args);
        let out = run_in(root, &all);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr, format!("neardup: error: {message}\n"), "{args:?}");
        assert!(!root.join("b.jsonl").exists(), "{args:?}");
        assert_eq!(
            std::fs::read_to_string(root.join("in.jsonl")).unwrap(),
            corpus
        );
    }

    // A run that fails leaves no boilerplate output.
    write_jsonl(
        &root.join("bad.jsonl"),
        &[r#"{"id": "a", "text": "one two"}"#, r#"{"id": "b", "#],
    );
    let out = run_in(
        root,
        &["dedup", "bad.jsonl", "--out-boilerplate", "b.jsonl"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(!root.join("b.jsonl").exists());

    // Two documents teach no template: the total alone.
    let out = run_in(root, &["dedup", "in.jsonl", "--out-boilerplate", "b.jsonl"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let records = json_lines(&root.join("b.jsonl"));
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0]["kind"], "total");
    assert_eq!(records[0]["passages"], 0);
    assert_eq!(records[0]["documents_read"], 2);
    assert_eq!(records[0]["documents_with_boilerplate"], 0);
}

#[test]
fn a_notice_quoted_by_unrelated_documents_is_common_text_but_a_repost_is_a_derivative() {
    let dir = tempfile::tempdir().unwrap();
    let docs = notice_and_repost();
    let lines: Vec<String> = docs
        .iter()
        .map(|(id, text)| serde_json::json!({"id": id, "text": text}).to_string())
        .collect();
    std::fs::write(dir.path().join("corpus.jsonl"), lines.join("\n") + "\n").unwrap();
    let out = run_in(
        dir.path(),
        &[
            "dedup",
            "corpus.jsonl",
            "--out-pairs",
            "pairs.jsonl",
            "--out-kept",
            "kept.jsonl",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("1 document of common text"), "{stderr}");
    let pairs = json_lines(&dir.path().join("pairs.jsonl"));
    let with = |id: &str| -> Vec<&Value> {
        pairs
            .iter()
            .filter(|p| p["a"] == id || p["b"] == id)
            .collect()
    };
    // The notice is inside each quoting document (it would be their derivative), but they are
    // unrelated to each other: it took it from none of them.
    let notice_pairs = with("notice");
    assert_eq!(notice_pairs.len(), 3, "{notice_pairs:?}");
    for p in notice_pairs {
        assert_eq!(p["relation"], "overlap", "{p}");
        assert_eq!(p["common_text"], true, "{p}");
        assert!(p.get("derived").is_none(), "{p}");
        let inside = if p["a"] == "notice" {
            &p["containment_a_in_b"]
        } else {
            &p["containment_b_in_a"]
        };
        assert!(inside.as_f64().unwrap() >= 0.6, "{p}");
    }
    // The repost's sources are one article and its copies, pairs of each other.
    let repost_pairs = with("repost");
    assert_eq!(repost_pairs.len(), 3, "{repost_pairs:?}");
    for p in repost_pairs {
        assert_eq!(p["relation"], "derivative", "{p}");
        assert_eq!(p["derived"], "repost", "{p}");
        assert!(p.get("common_text").is_none(), "{p}");
    }
    let kept: Vec<String> = json_lines(&dir.path().join("kept.jsonl"))
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect();
    for id in ["quoting-1", "quoting-2", "quoting-3", "notice", "article"] {
        assert!(kept.iter().any(|k| k == id), "{id} kept: {kept:?}");
    }
    for id in ["article-copy-1", "article-copy-2", "repost"] {
        assert!(!kept.iter().any(|k| k == id), "{id} removed: {kept:?}");
    }
}
