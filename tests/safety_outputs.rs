//! Issue 13's cases about outputs, driven through the real binary: the outputs of a dedup run
//! are committed together or not at all; a write error (a missing directory, a full disk, a
//! file-size limit) is one line on standard error, exit 2, and no temporary file left; standard
//! output's errors are reported and a broken pipe is quiet; an HTML report never replaces an
//! input; and a record rewritten during a run never reaches `--out-kept`. Every case checks
//! that the inputs are byte for byte what they were.

mod util;

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use neardup::synth::{generate, CorpusSpec};
use util::{neardup, run_in, text, BIN};

/// Writes `c.jsonl` in `root`, a generated corpus of 200 documents (about 600 KB) with
/// duplicates and derivatives; gives its bytes.
fn corpus_in(root: &Path) -> Vec<u8> {
    let corpus = generate(
        &CorpusSpec::default()
            .docs(200)
            .seed(13)
            .derived_fraction(0.3),
    );
    let mut bytes = Vec::new();
    for d in &corpus.docs {
        let record = serde_json::json!({"id": d.id, "text": d.text});
        writeln!(bytes, "{record}").unwrap();
    }
    std::fs::write(root.join("c.jsonl"), &bytes).unwrap();
    bytes
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Asserts a run failed as a write error should: exit 2 and one line on standard error holding
/// `message`.
fn assert_one_line_error(out: &Output, message: &str, what: &str) {
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{what}: {stderr}");
    assert!(stderr.contains(message), "{what}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{what}: {stderr}");
}

/// Issue 13: when one output failed (a missing directory, a full disk), the others were still
/// committed although the run exited 2. Now every output is written under a temporary name and
/// renamed only once all are complete: one that cannot be written leaves every output as it was
/// (here, the files of an earlier run) and no temporary file in any directory.
#[test]
fn one_output_that_cannot_be_written_commits_none() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let corpus = corpus_in(root);
    std::fs::create_dir(root.join("out")).unwrap();
    let all = |kept: &str, html: &str| {
        vec![
            "dedup",
            "c.jsonl",
            "--out-pairs",
            "p.jsonl",
            "--out-clusters",
            "out/clusters.jsonl",
            "--out-kept",
            kept,
            "--html",
            html,
        ]
        .into_iter()
        .map(str::to_string)
        .collect::<Vec<_>>()
    };
    let run = |args: &[String]| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_in(root, &args)
    };
    let out = run(&all("out/kept.jsonl", "r.html"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let committed = ["p.jsonl", "out/clusters.jsonl", "out/kept.jsonl", "r.html"];
    // Each output marked, so that one committed again (even with the same bytes) shows.
    let before: Vec<Vec<u8>> = committed
        .iter()
        .map(|p| {
            assert!(!std::fs::read(root.join(p)).unwrap().is_empty(), "{p}");
            let marked = format!("{p} of an earlier run\n").into_bytes();
            std::fs::write(root.join(p), &marked).unwrap();
            marked
        })
        .collect();
    let (root_names, out_names) = (names(root), names(&root.join("out")));

    // (kept, html, message): the failing output first, last, as a directory, as a full device.
    let mut cases = vec![
        (
            "missing/kept.jsonl",
            "r.html",
            "missing/kept.jsonl: cannot write: No such file or directory",
        ),
        (
            "out/kept.jsonl",
            "missing/r.html",
            "missing/r.html: cannot write: No such file or directory",
        ),
        ("out", "r.html", "out: cannot write: is a directory"),
    ];
    if Path::new("/dev/full").exists() {
        cases.push((
            "/dev/full",
            "r.html",
            "/dev/full: cannot write: No space left on device",
        ));
    }
    for (kept, html, message) in cases {
        let out = run(&all(kept, html));
        assert_one_line_error(&out, message, kept);
        for (path, was) in committed.iter().zip(&before) {
            let now = std::fs::read(root.join(path)).unwrap();
            assert!(now == *was, "{kept} {html}: {path} was replaced");
        }
        assert_eq!(names(root), root_names, "no temporary file left");
        assert_eq!(
            names(&root.join("out")),
            out_names,
            "no temporary file left"
        );
        assert_eq!(std::fs::read(root.join("c.jsonl")).unwrap(), corpus);
    }
}

/// Issue 13: under `ulimit -f` the run was killed by SIGXFSZ with no message, leaving a
/// temporary file. The signal is caught, so the write fails with EFBIG: one line naming the
/// output, exit 2, no temporary file, and the other output not committed either; `synth`'s
/// files are written whole or not at all too.
#[cfg(unix)]
#[test]
fn a_file_size_limit_is_a_one_line_error_and_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let corpus = corpus_in(root);
    assert!(corpus.len() > 400_000, "the kept output exceeds the limit");
    // `ulimit -f 100` is 100 blocks of 512 or 1024 bytes, whatever the shell: at most 100 KB.
    let out = Command::new("sh")
        .args(["-c", "ulimit -f 100; exec \"$@\"", "sh", BIN])
        .args(["dedup", "c.jsonl", "--out-pairs", "p.jsonl"])
        .args(["--out-kept", "kept.jsonl"])
        .current_dir(root)
        .env_remove("NEARDUP_FAILPOINT")
        .output()
        .unwrap();
    assert_one_line_error(&out, "kept.jsonl: cannot write: File too large", "ulimit");
    assert_eq!(names(root), ["c.jsonl"], "nothing committed, nothing left");
    assert_eq!(std::fs::read(root.join("c.jsonl")).unwrap(), corpus);

    // `synth` leaves no half corpus either.
    let out = Command::new("sh")
        .args(["-c", "ulimit -f 100; exec \"$@\"", "sh", BIN])
        .args([
            "synth", "--docs", "1000", "--out", "s.jsonl", "--truth", "t.json",
        ])
        .current_dir(root)
        .output()
        .unwrap();
    // The truth (which holds every page's body) is written as the corpus is: either may be the
    // one that reaches the limit first.
    assert_one_line_error(&out, ": cannot write: File too large", "synth");
    assert_eq!(names(root), ["c.jsonl"], "nothing committed, nothing left");
}

/// A run of `args` in `dir` with standard output on `/dev/full`.
fn to_full_disk(dir: &Path, args: &[&str]) -> Output {
    let full = File::create("/dev/full").unwrap();
    neardup(args)
        .dir(dir)
        .command()
        .stdout(Stdio::from(full))
        .output()
        .unwrap()
}

/// Issue 13: `compare > /dev/full` exited 0. Every command's standard output is flushed and its
/// error reported: one line naming standard output, exit 2. So is an HTML report on a full disk.
#[test]
fn standard_output_and_reports_on_a_full_disk_are_errors() {
    if !Path::new("/dev/full").exists() {
        eprintln!("SKIPPED: no /dev/full");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let corpus = corpus_in(root);
    let (a, b) = (
        util::repo_path(util::REPOST),
        util::repo_path(util::ARTICLE),
    );
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let out = run_in(root, &["index", "build", "--index", "s.ndx", "c.jsonl"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout_full = "standard output: No space left on device";
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["compare", "--json", a, b], stdout_full),
        (vec!["compare", a, b], stdout_full),
        (
            vec!["check", "--index", "s.ndx", "--json", "c.jsonl"],
            stdout_full,
        ),
        (vec!["check", "--index", "s.ndx", "c.jsonl"], stdout_full),
        (vec!["index", "stats", "--index", "s.ndx"], stdout_full),
        (
            vec!["index", "stats", "--json", "--index", "s.ndx"],
            stdout_full,
        ),
        (
            vec!["dedup", "c.jsonl", "--out-pairs", "-"],
            "-: cannot write: No space left on device",
        ),
    ];
    for (args, message) in cases {
        let out = to_full_disk(root, &args);
        assert_one_line_error(&out, message, &args.join(" "));
        assert_eq!(std::fs::read(root.join("c.jsonl")).unwrap(), corpus);
    }
    let full = "/dev/full: cannot write: No space left on device";
    let reports: [&[&str]; 2] = [
        &["compare", a, b, "--html", "/dev/full"],
        &[
            "check",
            "--index",
            "s.ndx",
            "c.jsonl",
            "--html",
            "/dev/full",
        ],
    ];
    for args in reports {
        let out = neardup(args).dir(root).command().output().unwrap();
        assert_one_line_error(&out, full, &args.join(" "));
    }
    assert_eq!(std::fs::read(root.join("c.jsonl")).unwrap(), corpus);
}

/// A run of `args` in `dir` whose standard output is a pipe closed before it writes.
fn to_closed_pipe(dir: &Path, args: &[&str]) -> Output {
    let mut child = neardup(args)
        .dir(dir)
        .command()
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

/// A reader that stops reading (`| head -1`) ends a command quietly, as success: no message
/// (let alone one per write), exit 0; a dedup run whose `-` output lost its reader still
/// commits its files, which are complete.
#[test]
fn a_broken_pipe_is_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let corpus = corpus_in(root);
    let (a, b) = (
        util::repo_path(util::REPOST),
        util::repo_path(util::ARTICLE),
    );
    let out = to_closed_pipe(root, &["compare", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stderr), "");

    let args = [
        "dedup",
        "c.jsonl",
        "--out-pairs",
        "-",
        "--out-kept",
        "k.jsonl",
    ];
    let out = to_closed_pipe(root, &args);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "the summary alone: {stderr}");
    assert!(stderr.starts_with("read 200, kept "), "{stderr}");
    let kept = std::fs::read_to_string(root.join("k.jsonl")).unwrap();
    let removed: usize = ["duplicates", "derivatives", "built from several"]
        .iter()
        .map(|what| {
            let end = stderr.find(&format!(" {what}")).unwrap();
            let start = stderr[..end].rfind([' ', '(']).unwrap() + 1;
            stderr[start..end].parse::<usize>().unwrap()
        })
        .sum();
    assert_eq!(kept.lines().count() + removed, 200, "{stderr}");
    assert_eq!(names(root), ["c.jsonl", "k.jsonl"]);
    assert_eq!(std::fs::read(root.join("c.jsonl")).unwrap(), corpus);
}

/// Issue 13: the refusal of an output that is the same file as an input covers the HTML reports
/// of `compare` and `check` too (for `check`, the index's files as well), and `synth`'s truth
/// file: refused before any work, naming both, the input intact.
#[test]
fn an_html_report_never_replaces_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    corpus_in(root);
    std::fs::copy(util::repo_path(util::REPOST), root.join("a.txt")).unwrap();
    std::fs::copy(util::repo_path(util::ARTICLE), root.join("b.txt")).unwrap();
    let out = run_in(root, &["index", "build", "--index", "s.ndx", "c.jsonl"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let index_files = |root: &Path| -> Vec<Vec<u8>> {
        names(&root.join("s.ndx"))
            .iter()
            .map(|n| std::fs::read(root.join("s.ndx").join(n)).unwrap())
            .collect()
    };
    let inputs = |root: &Path| {
        let read = |n: &str| std::fs::read(root.join(n)).unwrap();
        (
            read("a.txt"),
            read("b.txt"),
            read("c.jsonl"),
            index_files(root),
        )
    };
    let before = inputs(root);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["compare", "a.txt", "b.txt", "--html", "a.txt"],
            "a.txt: the HTML report would replace the input a.txt, the same file",
        ),
        (
            vec!["compare", "a.txt", "./b.txt", "--html", "../{root}/b.txt"],
            "the HTML report would replace the input ./b.txt, the same file",
        ),
        (
            vec![
                "check",
                "--index",
                "s.ndx",
                "c.jsonl",
                "--html",
                "./c.jsonl",
            ],
            "./c.jsonl: the HTML report would replace the input c.jsonl, the same file",
        ),
        (
            vec![
                "check",
                "--index",
                "s.ndx",
                "c.jsonl",
                "--html",
                "s.ndx/MANIFEST",
            ],
            "s.ndx/MANIFEST: the HTML report would replace the index file s.ndx/MANIFEST",
        ),
        (
            vec![
                "synth",
                "--docs",
                "5",
                "--out",
                "c.jsonl",
                "--truth",
                "./c.jsonl",
            ],
            "./c.jsonl: the truth file would replace the corpus c.jsonl, the same file",
        ),
    ];
    let name = root.file_name().unwrap().to_str().unwrap().to_string();
    for (args, message) in cases {
        let args: Vec<String> = args.iter().map(|a| a.replace("{root}", &name)).collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run_in(root, &args);
        assert_one_line_error(&out, message, &args.join(" "));
        assert!(inputs(root) == before, "{args:?}: an input changed");
    }
    // The index still answers, and a report beside the inputs is written.
    let out = run_in(
        root,
        &["check", "--index", "s.ndx", "c.jsonl", "--html", "r.html"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(root.join("r.html").exists());
    let out = run_in(root, &["compare", "a.txt", "b.txt", "--html", "r.html"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(inputs(root) == before);
}

/// Flips the case of the first ASCII letter after each `"text":"` of a JSON Lines file, or, for
/// a plain text, of its first letter: the same length, the same ids, other bytes.
fn rewritten(bytes: &[u8], jsonl: bool) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let flip = |out: &mut Vec<u8>, from: usize| {
        let at = from
            + out[from..]
                .iter()
                .position(u8::is_ascii_alphabetic)
                .unwrap();
        out[at] ^= 0x20;
    };
    if !jsonl {
        flip(&mut out, 0);
        return out;
    }
    let key = b"\"text\":\"";
    let mut from = 0;
    while let Some(k) = out[from..].windows(key.len()).position(|w| w == key) {
        from += k + key.len();
        flip(&mut out, from);
    }
    out
}

/// Runs `args` in `root`, paused before its outputs (the failpoint `dedup-outputs`) while
/// `meanwhile` runs.
fn paused(root: &Path, args: &[&str], meanwhile: impl FnOnce()) -> Output {
    let mut child = neardup(args)
        .dir(root)
        .env("NEARDUP_FAILPOINT", "dedup-outputs")
        .command()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while stderr.read_line(&mut line).unwrap() > 0 && !line.contains("failpoint dedup-outputs") {
        line.clear();
    }
    assert!(line.contains("failpoint"), "the run never paused");
    meanwhile();
    child.stdin.take().unwrap().write_all(b"\n").unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    let mut out = child.wait_with_output().unwrap();
    out.stderr = rest.into_bytes();
    out
}

/// Issue 13: an input rewritten in place during a run ended up in `--out-kept` with bytes that
/// were never analysed. Each record copied is checked against what the first pass read of it
/// (records read at their places, read again with --lossy, plain files read again): a change is
/// an error naming the file and line, exit 2, and no output is committed.
#[test]
fn an_input_rewritten_during_a_run_never_reaches_the_kept_output() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let corpus = corpus_in(root);
    let docs = generate(&CorpusSpec::default().docs(40).seed(5).derived_fraction(0.3));
    std::fs::create_dir(root.join("d")).unwrap();
    for d in &docs.docs {
        std::fs::write(root.join(format!("d/{}.txt", d.id)), &d.text).unwrap();
    }
    // (input, extra flags)
    let cases: [(&str, &[&str]); 3] = [("c.jsonl", &[]), ("c.jsonl", &["--lossy"]), ("d", &[])];
    for (input, flags) in cases {
        let mut args = vec![
            "dedup",
            input,
            "--out-kept",
            "k.jsonl",
            "--out-pairs",
            "p.jsonl",
        ];
        args.extend(flags);
        let what = args.join(" ");
        // Unchanged, the paused run commits its outputs; the first kept record is the one
        // whose change the other run must name.
        let out = paused(root, &args, || {});
        assert_eq!(out.status.code(), Some(0), "{what}: {}", text(&out.stderr));
        let kept = std::fs::read_to_string(root.join("k.jsonl")).unwrap();
        let first = kept.lines().next().unwrap();
        let (file, place) = if input == "d" {
            // A plain file's id is its path.
            let record: serde_json::Value = serde_json::from_str(first).unwrap();
            let file = record["id"].as_str().unwrap().to_string();
            let place = format!("{file} changed since it was read");
            (file, place)
        } else {
            let line = text(&corpus).lines().position(|l| l == first).unwrap();
            let place = format!("c.jsonl line {} changed since it was read", line + 1);
            ("c.jsonl".to_string(), place)
        };
        let file = file.as_str();
        let original = std::fs::read(root.join(file)).unwrap();
        std::fs::remove_file(root.join("k.jsonl")).unwrap();
        std::fs::remove_file(root.join("p.jsonl")).unwrap();

        let changed = rewritten(&original, file.ends_with(".jsonl"));
        let out = paused(root, &args, || {
            std::fs::write(root.join(file), &changed).unwrap();
        });
        assert_one_line_error(&out, &place, &what);
        let mut left = names(root);
        left.retain(|n| n != "d");
        assert_eq!(left, ["c.jsonl"], "{what}: nothing committed, nothing left");
        assert_eq!(
            std::fs::read(root.join(file)).unwrap(),
            changed,
            "{what}: the input is as rewritten"
        );
        std::fs::write(root.join(file), &original).unwrap();
    }
    assert_eq!(std::fs::read(root.join("c.jsonl")).unwrap(), corpus);
}
