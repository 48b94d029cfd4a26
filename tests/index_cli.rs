//! Drives the real `neardup index` and `neardup check` binaries: build, add, check derivative and
//! unrelated documents, kills in the middle of a write, corrupted and foreign files, a check
//! running while an add commits, the seeds, templated pages (the sites' boilerplate learnt at
//! build and add, and discounted by check), and an index of the old format version.

mod util;

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use neardup::synth::{generate, Corpus, CorpusSpec, SynthDoc};
use serde_json::Value;
use util::{
    assert_meets_the_bar, json_lines, lossy, neardup, notice_and_repost, repo_path, run_in, Scorer,
    ARTICLE, BIN, REPOST,
};

fn write_jsonl(path: &Path, docs: &[&SynthDoc]) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for d in docs {
        serde_json::to_writer(&mut f, &serde_json::json!({"id": d.id, "text": d.text})).unwrap();
        f.write_all(b"\n").unwrap();
    }
    f.flush().unwrap();
}

/// Writes `first.jsonl` and `second.jsonl` in `d` and builds the index `s.ndx` from the first,
/// leaving the second for an add.
fn build_first(d: &Path, first: &[&SynthDoc], second: &[&SynthDoc]) {
    write_jsonl(&d.join("first.jsonl"), first);
    write_jsonl(&d.join("second.jsonl"), second);
    assert!(
        run_in(d, &["index", "build", "--index", "s.ndx", "first.jsonl"])
            .status
            .success()
    );
}

fn corpus(docs: usize, seed: u64, derived: f64) -> Corpus {
    generate(
        &CorpusSpec::default()
            .docs(docs)
            .seed(seed)
            .derived_fraction(derived),
    )
}

/// `sources N` from `index stats --json`.
fn sources(dir: &Path, index: &str) -> u64 {
    let out = run_in(dir, &["index", "stats", "--index", index, "--json"]);
    assert!(out.status.success(), "{}", lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["sources"].as_u64().unwrap()
}

#[test]
fn an_index_holding_the_article_flags_the_blog_repost_as_its_derivative() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (article, repost) = (repo_path(ARTICLE), repo_path(REPOST));
    let (article, repost) = (article.to_str().unwrap(), repost.to_str().unwrap());
    let out = run_in(d, &["index", "build", "--index", "s.ndx", article]);
    assert!(out.status.success(), "{}", lossy(&out.stderr));

    let out = run_in(
        d,
        &["check", "--index", "s.ndx", repost, "--json", "--passages"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", lossy(&out.stderr));
    let pairs = json_lines(&out.stdout);
    assert_eq!(pairs.len(), 1);
    let p = &pairs[0];
    assert_eq!(p["a"], repost);
    assert_eq!(p["b"], article);
    assert_eq!(p["relation"], "derivative");
    assert_eq!(p["derived"], repost);
    assert_eq!(p["source"], article);
    assert!(p["containment_a_in_b"].as_f64().unwrap() > 0.75);
    let repost_text = std::fs::read_to_string(repost).unwrap();
    let added: Vec<String> = p["passages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["kind"] == "a_only")
        .map(|x| {
            let (from, to) = (x["a"][0].as_u64().unwrap(), x["a"][1].as_u64().unwrap());
            repost_text[from as usize..to as usize]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    assert!(
        added.iter().any(|a| a.contains("Saturday, July 22, 2023")),
        "{added:?}"
    );
    assert!(
        added
            .iter()
            .any(|a| a.contains("No comments: Post a Comment")),
        "{added:?}"
    );

    // The human view shows the verdict and the passages without being asked.
    let out = run_in(
        d,
        &["check", "--index", "s.ndx", repost, "--color", "never"],
    );
    assert_eq!(out.status.code(), Some(1));
    let view = lossy(&out.stdout);
    assert!(view.contains("1 matching source"), "{view}");
    assert!(
        view.contains("000_97b1e3636e8cd943.txt is a derivative of"),
        "{view}"
    );
    assert!(
        view.contains("Ryan Hass"),
        "the dropped quote is shown: {view}"
    );
    assert!(!view.contains("\x1b["));

    // The same check as an HTML report: the pair, labelled, with both texts inside.
    let out = run_in(
        d,
        &["check", "--index", "s.ndx", repost, "--html", "check.html"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", lossy(&out.stderr));
    let html = std::fs::read_to_string(d.join("check.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("checked document") && html.contains("Ryan Hass"));
    assert!(html.contains("No comments:"));

    // The article checks as its own duplicate; an unrelated text matches nothing: exit 0.
    let out = run_in(d, &["check", "--index", "s.ndx", article, "--json"]);
    assert_eq!(json_lines(&out.stdout)[0]["relation"], "duplicate");
    std::fs::write(
        d.join("other.txt"),
        corpus(1, 5, 0.0).docs[0].text.as_bytes(),
    )
    .unwrap();
    let out = run_in(d, &["check", "--index", "s.ndx", "other.txt"]);
    assert_eq!(out.status.code(), Some(0), "{}", lossy(&out.stderr));
    assert!(lossy(&out.stdout).contains("other.txt: no matching source"));
    assert!(lossy(&out.stderr).contains("checked 1: 0 matched a source"));
}

/// Sources in the index, one derived document per source checked against it: every derived
/// document finds its source with the truth's relation and direction, unrelated documents find
/// nothing, and the project's scorer grades the pairs and passages.
#[test]
fn generated_reposts_find_their_sources_with_relation_direction_and_passages() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let c = corpus(2500, 21, 0.2);
    let derived: HashSet<&str> = c.truth.iter().map(|t| t.derived.as_str()).collect();
    let mut used = HashSet::new();
    let mut checked_truth = Vec::new();
    for t in &c.truth {
        if t.kind == "digest" || !used.insert(t.source.clone()) {
            continue;
        }
        checked_truth.push(t);
    }
    let checked_ids: HashSet<&str> = checked_truth.iter().map(|t| t.derived.as_str()).collect();
    let sources: Vec<&SynthDoc> = c
        .docs
        .iter()
        .filter(|x| !derived.contains(x.id.as_str()))
        .collect();
    let checked: Vec<&SynthDoc> = c
        .docs
        .iter()
        .filter(|x| checked_ids.contains(x.id.as_str()))
        .collect();
    write_jsonl(&d.join("sources.jsonl"), &sources);
    write_jsonl(&d.join("checked.jsonl"), &checked);
    let out = run_in(d, &["index", "build", "--index", "s.ndx", "sources.jsonl"]);
    assert!(out.status.success(), "{}", lossy(&out.stderr));
    assert_eq!(sources_count(d), sources.len() as u64);

    let out = run_in(
        d,
        &[
            "check",
            "--index",
            "s.ndx",
            "checked.jsonl",
            "--json",
            "--passages",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", lossy(&out.stderr));
    std::fs::write(d.join("pairs.jsonl"), &out.stdout).unwrap();
    let pairs = json_lines(&out.stdout);
    let found: HashMap<(&str, &str), &Value> = pairs
        .iter()
        .map(|p| ((p["a"].as_str().unwrap(), p["b"].as_str().unwrap()), p))
        .collect();
    let (mut missed, mut wrong_relation, mut wrong_direction) = (Vec::new(), 0, 0);
    for t in &checked_truth {
        match found.get(&(t.derived.as_str(), t.source.as_str())) {
            None => missed.push(t.derived.clone()),
            Some(p) => {
                wrong_relation += usize::from(p["relation"] != t.relation);
                wrong_direction += usize::from(
                    t.relation == "derivative"
                        && p["relation"] == "derivative"
                        && p["derived"] != t.derived.as_str(),
                );
            }
        }
    }
    assert!(missed.is_empty(), "missed {missed:?}");
    let n = checked_truth.len();
    eprintln!("{n} checked: relation wrong {wrong_relation}, direction wrong {wrong_direction}");
    assert!(
        wrong_relation * 100 <= n * 3,
        "{wrong_relation} of {n} relations wrong"
    );
    assert!(
        wrong_direction * 100 <= n * 3,
        "{wrong_direction} of {n} directions wrong"
    );
    assert!(lossy(&out.stderr).contains(&format!("checked {}:", checked.len())));

    // Unrelated documents: nothing matches, exit 0.
    let other = corpus(200, 99, 0.0);
    write_jsonl(
        &d.join("other.jsonl"),
        &other.docs.iter().collect::<Vec<_>>(),
    );
    let out = run_in(d, &["check", "--index", "s.ndx", "other.jsonl", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", lossy(&out.stderr));
    assert!(out.stdout.is_empty());

    let Some(scorer) = Scorer::find("the scorer part") else {
        return;
    };
    let mut all = sources.clone();
    all.extend(&checked);
    write_jsonl(&d.join("corpus.jsonl"), &all);
    let truth = neardup::synth::Corpus {
        docs: Vec::new(),
        truth: checked_truth.iter().map(|t| (*t).clone()).collect(),
    };
    truth
        .write_truth(std::fs::File::create(d.join("truth.json")).unwrap())
        .unwrap();
    assert_meets_the_bar(&scorer.score(d));
}

fn sources_count(d: &Path) -> u64 {
    sources(d, "s.ndx")
}

#[test]
fn adds_are_incremental_report_existing_ids_and_replace_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let c = corpus(300, 8, 0.0);
    let docs: Vec<&SynthDoc> = c.docs.iter().collect();
    build_first(d, &docs[..200], &docs[150..]);
    assert_eq!(sources_count(d), 200);

    let out = run_in(d, &["index", "add", "--index", "s.ndx", "second.jsonl"]);
    assert!(out.status.success(), "{}", lossy(&out.stderr));
    let err = lossy(&out.stderr);
    assert!(
        err.contains("added 100, replaced 0, already there 50"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "second.jsonl:1: id {:?} is already in the index",
            docs[150].id
        )),
        "{err}"
    );
    assert_eq!(sources_count(d), 300);

    // The new sources are found; a replaced id now holds its new text.
    std::fs::write(d.join("q.txt"), docs[280].text.as_bytes()).unwrap();
    let out = run_in(d, &["check", "--index", "s.ndx", "q.txt", "--json"]);
    assert_eq!(json_lines(&out.stdout)[0]["b"], docs[280].id.as_str());
    let changed = serde_json::json!({"id": docs[0].id, "text": docs[299].text});
    std::fs::write(d.join("changed.jsonl"), format!("{changed}\n")).unwrap();
    let out = run_in(
        d,
        &[
            "index",
            "add",
            "--index",
            "s.ndx",
            "changed.jsonl",
            "--replace",
        ],
    );
    assert!(
        lossy(&out.stderr).contains("added 0, replaced 1"),
        "{}",
        lossy(&out.stderr)
    );
    assert_eq!(sources_count(d), 300);
    std::fs::write(d.join("old.txt"), docs[0].text.as_bytes()).unwrap();
    let out = run_in(d, &["check", "--index", "s.ndx", "old.txt"]);
    assert_eq!(out.status.code(), Some(0), "the replaced text is gone");
    let out = run_in(d, &["index", "stats", "--index", "s.ndx"]);
    let stats = lossy(&out.stdout);
    assert!(stats.contains("sources 300 (1 replaced"), "{stats}");
    assert!(stats.contains("2 segments, 3 commits"), "{stats}");
}

/// Waits for the failpoint line on the child's stderr, then kills it with SIGKILL.
fn kill_at(d: &Path, failpoint: &str, args: &[&str]) {
    let mut child = neardup(args)
        .dir(d)
        .env("NEARDUP_FAILPOINT", failpoint)
        .command()
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let reached = lines.any(|l| l.unwrap().contains(&format!("failpoint {failpoint}")));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(reached, "the writer never reached {failpoint}");
}

#[test]
fn an_add_killed_at_any_point_leaves_the_previous_index_intact() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let c = corpus(9000, 4, 0.0);
    let docs: Vec<&SynthDoc> = c.docs.iter().collect();
    std::fs::write(d.join("old.txt"), docs[7].text.as_bytes()).unwrap();
    std::fs::write(d.join("new.txt"), docs[8000].text.as_bytes()).unwrap();
    build_first(d, &docs[..100], &docs[100..]);
    let add = ["index", "add", "--index", "s.ndx", "second.jsonl"];
    for point in [
        "segment-data",
        "segment-written",
        "segment-renamed",
        "manifest-written",
    ] {
        kill_at(d, point, &add);
        assert_eq!(sources_count(d), 100, "after a kill at {point}");
        let out = run_in(d, &["check", "--index", "s.ndx", "old.txt"]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "after a kill at {point}: {}",
            lossy(&out.stderr)
        );
        let out = run_in(d, &["check", "--index", "s.ndx", "new.txt"]);
        assert_eq!(out.status.code(), Some(0), "after a kill at {point}");
    }
    // Kills at arbitrary moments: the index is always the old one or the new one.
    for delay_ms in [5, 20, 60, 120, 250] {
        let mut child = neardup(&add)
            .dir(d)
            .command()
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        child.kill().unwrap();
        child.wait().unwrap();
        let n = sources_count(d);
        assert!(
            n == 100 || n == 9000,
            "{n} sources after a kill at {delay_ms} ms"
        );
        if n == 9000 {
            break;
        }
    }
    // The next writer sweeps what the dead ones left and commits.
    let out = run_in(d, &add);
    assert!(out.status.success(), "{}", lossy(&out.stderr));
    assert_eq!(sources_count(d), 9000);
    let names: Vec<String> = std::fs::read_dir(d.join("s.ndx"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains(".tmp-")), "{names:?}");
    let out = run_in(d, &["check", "--index", "s.ndx", "new.txt"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_write_that_fails_midway_leaves_the_index_as_it_was() {
    // A file size limit makes the segment write fail like a full disk would.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let c = corpus(3000, 6, 0.0);
    let docs: Vec<&SynthDoc> = c.docs.iter().collect();
    build_first(d, &docs[..50], &docs[50..]);
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f 512; exec {} index add --index s.ndx second.jsonl",
            BIN
        ))
        .current_dir(d)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", lossy(&out.stderr));
    let err = lossy(&out.stderr);
    assert!(
        err.starts_with("neardup: error: ") && err.contains("s.ndx"),
        "{err}"
    );
    assert_eq!(sources_count(d), 50);
    let names: Vec<String> = std::fs::read_dir(d.join("s.ndx"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains(".tmp-")), "{names:?}");
}

fn build_small(d: &Path) -> PathBuf {
    let c = corpus(400, 12, 0.0);
    write_jsonl(&d.join("src.jsonl"), &c.docs.iter().collect::<Vec<_>>());
    std::fs::write(d.join("q.txt"), c.docs[3].text.as_bytes()).unwrap();
    assert!(
        run_in(d, &["index", "build", "--index", "s.ndx", "src.jsonl"])
            .status
            .success()
    );
    let seg = std::fs::read_dir(d.join("s.ndx"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "nds"))
        .unwrap();
    seg
}

/// A damaged index is an error that names the file, with exit code 2: never a panic, never an
/// answer.
#[test]
fn flipped_bytes_and_truncations_are_detected_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let seg = build_small(d);
    let pristine = std::fs::read(&seg).unwrap();
    let manifest = std::fs::read(d.join("s.ndx/MANIFEST")).unwrap();
    let len = pristine.len();
    // The header, the first text block, somewhere in the middle, the tables near the end, the
    // page checksums.
    for at in [20, 5000, len / 2, len - 9000, len - 3] {
        let mut bad = pristine.clone();
        bad[at] ^= 0x04;
        std::fs::write(&seg, &bad).unwrap();
        let out = run_in(d, &["check", "--index", "s.ndx", "q.txt"]);
        let err = lossy(&out.stderr);
        // A flip in a page this query never reads may go unnoticed by it, but never with a
        // wrong answer; stats reads every table and the texts' sizes.
        if out.status.code() != Some(2) {
            assert_eq!(out.status.code(), Some(1), "flip at {at}: {err}");
            let v =
                json_lines(&run_in(d, &["check", "--index", "s.ndx", "q.txt", "--json"]).stdout);
            assert_eq!(v[0]["relation"], "duplicate", "flip at {at}");
            continue;
        }
        assert!(
            err.contains("corrupt") && err.contains(".nds"),
            "flip at {at}: {err}"
        );
    }
    for cut in [len - 1, len / 3, 100] {
        std::fs::write(&seg, &pristine[..cut]).unwrap();
        let out = run_in(d, &["check", "--index", "s.ndx", "q.txt"]);
        assert_eq!(out.status.code(), Some(2), "cut at {cut}");
        assert!(
            lossy(&out.stderr).contains("corrupt"),
            "{}",
            lossy(&out.stderr)
        );
    }
    std::fs::write(&seg, &pristine).unwrap();
    let mut bad = manifest.clone();
    bad[30] ^= 1;
    std::fs::write(d.join("s.ndx/MANIFEST"), &bad).unwrap();
    let out = run_in(d, &["index", "stats", "--index", "s.ndx"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        lossy(&out.stderr).contains("MANIFEST: corrupt: manifest: checksum mismatch"),
        "{}",
        lossy(&out.stderr)
    );
    std::fs::write(d.join("s.ndx/MANIFEST"), &manifest).unwrap();
    assert_eq!(
        run_in(d, &["check", "--index", "s.ndx", "q.txt"])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn a_flip_in_any_text_page_is_caught_by_the_query_that_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let seg = build_small(d);
    let pristine = std::fs::read(&seg).unwrap();
    // q.txt is the fourth source: its text is in the first block, right after the header page.
    let mut bad = pristine.clone();
    bad[4096 + 10] ^= 0x40;
    std::fs::write(&seg, &bad).unwrap();
    let out = run_in(d, &["check", "--index", "s.ndx", "q.txt"]);
    assert_eq!(out.status.code(), Some(2), "{}", lossy(&out.stdout));
    assert!(
        lossy(&out.stderr).contains("checksum mismatch in the page at byte 4096"),
        "{}",
        lossy(&out.stderr)
    );
}

#[test]
fn another_format_version_and_other_files_get_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    build_small(d);
    let mut m = std::fs::read(d.join("s.ndx/MANIFEST")).unwrap();
    m[8] = 7;
    std::fs::write(d.join("s.ndx/MANIFEST"), &m).unwrap();
    let out = run_in(d, &["check", "--index", "s.ndx", "q.txt"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        lossy(&out.stderr).contains(&format!(
            "index format version 7, but this neardup reads version {}",
            neardup::index::FORMAT_VERSION
        )),
        "{}",
        lossy(&out.stderr)
    );

    let out = run_in(d, &["check", "--index", "nowhere.ndx", "q.txt"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(lossy(&out.stderr).contains("nowhere.ndx: no index there"));
    let out = run_in(d, &["check", "--index", "src.jsonl", "q.txt"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        lossy(&out.stderr).contains("src.jsonl: not a neardup index"),
        "{}",
        lossy(&out.stderr)
    );
    std::fs::create_dir(d.join("plain")).unwrap();
    let out = run_in(d, &["index", "stats", "--index", "plain"]);
    assert!(
        lossy(&out.stderr).contains("plain: not a neardup index: a directory without a MANIFEST")
    );
    let out = run_in(d, &["index", "build", "--index", "s.ndx", "src.jsonl"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(lossy(&out.stderr).contains("an index already exists there"));
    let out = run_in(d, &["index", "add", "--index", "nowhere.ndx", "src.jsonl"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn bad_input_stops_an_add_before_it_commits_and_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    build_small(d);
    std::fs::write(
        d.join("bad.jsonl"),
        "{\"id\": \"x1\", \"text\": \"fine words here\"}\n{\"id\": \"x2\", \"text\": \n",
    )
    .unwrap();
    let out = run_in(d, &["index", "add", "--index", "s.ndx", "bad.jsonl"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        lossy(&out.stderr).contains("bad.jsonl:2"),
        "{}",
        lossy(&out.stderr)
    );
    assert_eq!(sources_count(d), 400);
    let out = run_in(
        d,
        &[
            "index",
            "add",
            "--index",
            "s.ndx",
            "bad.jsonl",
            "--skip-bad",
        ],
    );
    assert!(out.status.success());
    assert!(
        lossy(&out.stderr).contains("skipped bad.jsonl:2"),
        "{}",
        lossy(&out.stderr)
    );
    assert_eq!(sources_count(d), 401);
}

#[test]
fn no_write_permission_is_a_clear_error() {
    if unsafe_is_root() {
        eprintln!("SKIPPED no_write_permission_is_a_clear_error: running as root, permissions are not enforced");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    build_small(d);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(d.join("s.ndx"), std::fs::Permissions::from_mode(0o555)).unwrap();
    let out = run_in(d, &["index", "add", "--index", "s.ndx", "src.jsonl"]);
    std::fs::set_permissions(d.join("s.ndx"), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        lossy(&out.stderr).contains("Permission denied"),
        "{}",
        lossy(&out.stderr)
    );
}

fn unsafe_is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| lossy(&o.stdout).trim() == "0")
}

/// Checks run in a loop while an add commits: each one succeeds and sees the old sources or all
/// of them, never a torn index.
#[test]
fn checks_during_an_add_see_the_old_or_the_new_index() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let c = corpus(8000, 14, 0.0);
    let docs: Vec<&SynthDoc> = c.docs.iter().collect();
    std::fs::write(d.join("new.txt"), docs[7999].text.as_bytes()).unwrap();
    std::fs::write(d.join("old.txt"), docs[1].text.as_bytes()).unwrap();
    build_first(d, &docs[..500], &docs[500..]);
    let mut add = neardup(&["index", "add", "--index", "s.ndx", "second.jsonl"])
        .dir(d)
        .command()
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (mut old_seen, mut new_seen) = (0, 0);
    loop {
        let finished = add.try_wait().unwrap().is_some();
        let n = sources_count(d);
        assert!(n == 500 || n == 8000, "{n}");
        let out = run_in(
            d,
            &["check", "--index", "s.ndx", "old.txt", "new.txt", "--json"],
        );
        let pairs = json_lines(&out.stdout);
        assert!(
            pairs.iter().any(|p| p["b"] == docs[1].id.as_str()),
            "{}",
            lossy(&out.stderr)
        );
        if pairs.iter().any(|p| p["b"] == docs[7999].id.as_str()) {
            new_seen += 1;
        } else {
            old_seen += 1;
        }
        if finished {
            break;
        }
    }
    assert!(add.wait().unwrap().success());
    assert!(new_seen >= 1, "the last check sees the new index");
    eprintln!("checks that saw the old index: {old_seen}, the new: {new_seen}");
}

/// Pages of `neardup synth --sites ...` (with `args`) made in `d`: each page's id and text, in
/// order, the truth's pairs, and each page's body as its exact shingle set.
struct Pages {
    docs: Vec<(String, String)>,
    truth: Vec<Value>,
    bodies: HashMap<String, neardup::shingle::ShingleSet>,
}

impl Pages {
    fn make(d: &Path, args: &[&str]) -> Pages {
        let mut all = vec!["synth", "--out", "pages.jsonl", "--truth", "truth.json"];
        all.extend(args);
        let out = run_in(d, &all);
        assert!(out.status.success(), "{}", lossy(&out.stderr));
        let docs = json_lines(&std::fs::read(d.join("pages.jsonl")).unwrap())
            .into_iter()
            .map(|v| {
                let text = |k: &str| v[k].as_str().unwrap().to_string();
                (text("id"), text("text"))
            })
            .collect();
        let truth: Value =
            serde_json::from_slice(&std::fs::read(d.join("truth.json")).unwrap()).unwrap();
        let comparer = neardup::Comparer::default();
        let bodies = truth["bodies"]
            .as_object()
            .expect("templated pages have bodies")
            .iter()
            .map(|(id, body)| {
                let doc = neardup::Document::new(id.clone(), body.as_str().unwrap());
                (id.clone(), comparer.prepare(&doc).shingles)
            })
            .collect();
        Pages {
            docs,
            truth: truth["pairs"].as_array().unwrap().clone(),
            bodies,
        }
    }

    /// Exact containment of `a`'s body in `b`'s, and of `b`'s in `a`'s.
    fn bodies_contained(&self, a: &str, b: &str) -> (f64, f64) {
        let s = neardup::Scores::exact(&self.bodies[a], &self.bodies[b]);
        (s.containment_a_in_b, s.containment_b_in_a)
    }

    /// The largest containment of one body in the other.
    fn body_overlap(&self, a: &str, b: &str) -> f64 {
        let (x, y) = self.bodies_contained(a, b);
        x.max(y)
    }

    /// The page's site: the name its navigation line starts with.
    fn site(text: &str) -> &str {
        let nav = text.lines().next().unwrap_or("");
        nav.split("Home")
            .next()
            .unwrap()
            .trim_end_matches([' ', '/', '·', '|'])
    }
}

fn write_pages(path: &Path, docs: &[&(String, String)]) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for (id, text) in docs {
        serde_json::to_writer(&mut f, &serde_json::json!({"id": id, "text": text})).unwrap();
        f.write_all(b"\n").unwrap();
    }
    f.flush().unwrap();
}

/// Checks `file` against `s.ndx` in `d` with `--json --passages`: the pairs.
fn check_pairs(d: &Path, file: &str) -> Vec<Value> {
    let out = run_in(
        d,
        &["check", "--index", "s.ndx", file, "--json", "--passages"],
    );
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        lossy(&out.stderr)
    );
    json_lines(&out.stdout)
}

/// Templated pages of six sites (articles of 40 to 90 words, so the template is most of a page)
/// are indexed, and the other pages of the same sites checked against them: every match is a
/// pair of articles (bodies that share at least the scorer's floor of 0.3), never pages that share
/// only a template; every pair of pages whose articles share 0.6 is found, with the direction of
/// the truth where the articles tell it; the scores are on the articles, with the whole pages'
/// figures beside them, and the templates are boilerplate passages.
#[test]
fn templated_pages_checked_against_their_sites_match_on_their_articles() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pages = Pages::make(
        d,
        &[
            "--sites",
            "6",
            "--docs",
            "600",
            "--min-words",
            "40",
            "--max-words",
            "90",
        ],
    );
    let (indexed, checked) = pages.docs.split_at(400);
    write_pages(
        &d.join("indexed.jsonl"),
        &indexed.iter().collect::<Vec<_>>(),
    );
    write_pages(
        &d.join("checked.jsonl"),
        &checked.iter().collect::<Vec<_>>(),
    );
    let out = run_in(d, &["index", "build", "--index", "s.ndx", "indexed.jsonl"]);
    assert!(out.status.success(), "{}", lossy(&out.stderr));
    let stats = run_in(d, &["index", "stats", "--index", "s.ndx", "--json"]);
    let stats: Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert!(
        stats["background_sources"].as_u64().unwrap() >= 380,
        "the sites' templates are learnt: {stats}"
    );
    // The human view says the same.
    let human = lossy(&run_in(d, &["index", "stats", "--index", "s.ndx"]).stdout);
    let line = format!(
        "boilerplate: {} buckets, {} keys, in {} of the sources",
        stats["background_buckets"], stats["background_keys"], stats["background_sources"]
    );
    assert!(human.contains(&line), "{human}");
    let pairs = check_pairs(d, "checked.jsonl");

    let mut found = HashSet::new();
    for p in &pairs {
        let (a, b) = (p["a"].as_str().unwrap(), p["b"].as_str().unwrap());
        let overlap = pages.body_overlap(a, b);
        assert!(
            overlap >= 0.3,
            "{a} and {b} share a template only ({overlap:.2}): {p}"
        );
        // Judged on the articles, with the pages' figures beside.
        assert!(p["raw_containment_a_in_b"].is_f64(), "{p}");
        assert!(p["a_boilerplate_shingles"].as_u64().unwrap() > 20, "{p}");
        let passages = p["passages"].as_array().unwrap();
        assert!(
            passages.iter().any(|x| x["kind"] == "boilerplate"),
            "the template is a boilerplate passage: {p}"
        );
        found.insert((a.to_string(), b.to_string()));
    }
    // Every pair of pages whose articles share 0.6 is found; on the whole pages, with their
    // templates, some of them share less than the index's 0.6 (so counting the templates as
    // content would miss them).
    let comparer = neardup::Comparer::builder().passages(false).build();
    let (mut must, mut diluted) = (0, 0);
    for (a, ta) in checked {
        for (b, tb) in indexed {
            if pages.body_overlap(a, b) < 0.6 {
                continue;
            }
            must += 1;
            assert!(
                found.contains(&(a.clone(), b.clone())),
                "{a} and {b} share their articles but were not matched"
            );
            let whole = comparer.compare(
                &neardup::Document::new(a.clone(), ta.clone()),
                &neardup::Document::new(b.clone(), tb.clone()),
            );
            diluted += usize::from(whole.scores.max_containment() < 0.6);
        }
    }
    assert!(must >= 10, "{must} pairs to find");
    assert!(diluted > 0, "the templates dilute none of the {must} pairs");
    // The direction of the truth, where the articles tell it (the derived one's article is
    // clearly more inside the source's than the other way round).
    let mut told = 0;
    for t in &pages.truth {
        let (source, derived) = (
            t["source"].as_str().unwrap(),
            t["derived"].as_str().unwrap(),
        );
        let Some(p) = pairs.iter().find(|p| {
            p["a"] == derived && p["b"] == source || p["a"] == source && p["b"] == derived
        }) else {
            continue;
        };
        let (d_in_s, s_in_d) = pages.bodies_contained(derived, source);
        if t["relation"] == "derivative" && d_in_s - s_in_d >= 0.1 {
            told += 1;
            assert_eq!(p["derived"], derived, "{t} {p}");
        }
    }
    assert!(told >= 2, "{told} pairs with a direction to tell");

    // The background file is checked as a whole: a flipped byte is an error naming it.
    let bg = std::fs::read_dir(d.join("s.ndx"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "ndb"))
        .expect("a background file");
    let mut bytes = std::fs::read(&bg).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x10;
    std::fs::write(&bg, bytes).unwrap();
    let out = run_in(d, &["check", "--index", "s.ndx", "checked.jsonl"]);
    assert_eq!(out.status.code(), Some(2));
    let err = lossy(&out.stderr);
    assert!(err.contains(".ndb: corrupt"), "{err}");
}

/// An add of a new site's pages learns that site's template: a page of the site checked before
/// the add counts its template as its own text, after the add as boilerplate, so its match with
/// the source it reposts is measured on the article.
#[test]
fn an_add_of_a_new_sites_pages_learns_its_template() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pages = Pages::make(
        d,
        &[
            "--sites",
            "6",
            "--docs",
            "900",
            "--derived",
            "0.3",
            "--min-words",
            "80",
            "--max-words",
            "200",
        ],
    );
    let (first, checked) = pages.docs.split_at(600);
    let new_site = Pages::site(&checked[0].1);
    let (site, others): (Vec<&(String, String)>, Vec<&(String, String)>) =
        first.iter().partition(|(_, t)| Pages::site(t) == new_site);
    assert!(site.len() >= 60, "{} pages of {new_site:?}", site.len());
    let queries: Vec<&(String, String)> = checked
        .iter()
        .filter(|(_, t)| Pages::site(t) == new_site)
        .collect();
    write_pages(&d.join("others.jsonl"), &others);
    write_pages(&d.join("site.jsonl"), &site);
    write_pages(&d.join("queries.jsonl"), &queries);
    let out = run_in(d, &["index", "build", "--index", "s.ndx", "others.jsonl"]);
    assert!(out.status.success(), "{}", lossy(&out.stderr));
    let background = |d: &Path| {
        let out = run_in(d, &["index", "stats", "--index", "s.ndx", "--json"]);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["background_sources"].as_u64().unwrap()
    };
    let before_sources = background(d);
    let before = check_pairs(d, "queries.jsonl");

    let out = run_in(d, &["index", "add", "--index", "s.ndx", "site.jsonl"]);
    assert!(out.status.success(), "{}", lossy(&out.stderr));
    assert!(
        background(d) >= before_sources + site.len() as u64 * 9 / 10,
        "the new site's pages have background"
    );
    let after = check_pairs(d, "queries.jsonl");

    let key = |p: &Value| {
        (
            p["a"].as_str().unwrap().to_string(),
            p["b"].as_str().unwrap().to_string(),
        )
    };
    let mut compared = 0;
    for p in &after {
        let (a, b) = key(p);
        assert!(
            pages.body_overlap(&a, &b) >= 0.3,
            "{a} and {b} share a template only: {p}"
        );
        let Some(q) = before.iter().find(|q| key(q) == key(p)) else {
            continue;
        };
        compared += 1;
        // The checked page's template: content before the add, boilerplate after.
        let boilerplate = |x: &Value| x["a_boilerplate_shingles"].as_u64().unwrap_or(0);
        assert!(
            boilerplate(p) >= boilerplate(q) + 20,
            "before {q}\nafter {p}"
        );
        let on_article = |x: &Value| x["containment_a_in_b"].as_f64().unwrap();
        assert!(on_article(p) > on_article(q), "before {q}\nafter {p}");
    }
    assert!(
        compared >= 2,
        "{compared} pairs found before and after the add"
    );
}

/// An index of the format before the background (version 1) is refused by every command that
/// reads it, with the command that rebuilds it.
#[test]
fn an_index_of_the_old_format_is_refused_with_the_command_to_rebuild_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    build_small(d);
    // Version 1 in the manifest and in every segment header (the version field follows the
    // 8-byte magic).
    for entry in std::fs::read_dir(d.join("s.ndx")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name == "MANIFEST" || name.ends_with(".nds") {
            let mut bytes = std::fs::read(&path).unwrap();
            bytes[8..12].copy_from_slice(&1u32.to_le_bytes());
            std::fs::write(&path, bytes).unwrap();
        }
    }
    for args in [
        &["check", "--index", "s.ndx", "q.txt"][..],
        &["index", "stats", "--index", "s.ndx"],
        &["index", "add", "--index", "s.ndx", "q.txt"],
    ] {
        let out = run_in(d, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = lossy(&out.stderr);
        assert!(
            err.contains(&format!(
                "index format version 1, but this neardup reads version {}",
                neardup::index::FORMAT_VERSION
            ))
                && err.contains("rebuild the index from its sources with `neardup index build --index s.ndx SOURCES...`"),
            "{args:?}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}

#[test]
fn a_notice_checked_against_unrelated_documents_that_quote_it_is_common_text() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let line =
        |(id, text): &(&str, String)| serde_json::json!({"id": id, "text": text}).to_string();
    let docs = notice_and_repost();
    let (checked, sources): (Vec<_>, Vec<_>) = docs
        .iter()
        .partition(|(id, _)| *id == "notice" || *id == "repost");
    let write = |name: &str, docs: &[&(&str, String)]| {
        let lines: Vec<String> = docs.iter().map(|d| line(d)).collect();
        std::fs::write(d.join(name), lines.join("\n") + "\n").unwrap();
    };
    write("sources.jsonl", &sources);
    write("checked.jsonl", &checked);
    let out = run_in(d, &["index", "build", "--index", "s.ndx", "sources.jsonl"]);
    assert!(out.status.success(), "{}", lossy(&out.stderr));
    let out = run_in(d, &["check", "--index", "s.ndx", "checked.jsonl", "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", lossy(&out.stderr));
    let matches = json_lines(&out.stdout);
    let of = |id: &str| -> Vec<&Value> { matches.iter().filter(|m| m["a"] == id).collect() };
    // Inside each of three sources that are unrelated to each other: it took from none.
    let notice = of("notice");
    assert_eq!(notice.len(), 3, "{notice:?}");
    for m in notice {
        assert_eq!(m["relation"], "overlap", "{m}");
        assert_eq!(m["common_text"], true, "{m}");
        assert!(m["containment_a_in_b"].as_f64().unwrap() >= 0.6, "{m}");
    }
    // An article and its copies are pairs of each other: the repost derives from them.
    let repost = of("repost");
    assert_eq!(repost.len(), 3, "{repost:?}");
    for m in repost {
        assert_eq!(m["relation"], "derivative", "{m}");
        assert_eq!(m["derived"], "repost", "{m}");
        assert!(m.get("common_text").is_none(), "{m}");
    }
}
