//! Issue 13, inputs: streams are read once, names that are not UTF-8 keep ids of their own, and a
//! number id keeps its text. Each test drives the binary on files it writes in a temporary
//! directory and compares what a stream gives with what the same regular file gives.
//!
//! A run that reads a stream is guarded by a timeout ([`run_bounded`]): the bug was a FIFO
//! opened a second time after it was read to its end, which waits for a writer that never
//! comes, so a hang must fail the test instead of blocking it.

mod util;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use util::{neardup, read_repo, run_in, text, ARTICLE, BIN, REPOST};

/// How long a run over a stream may take before it counts as hung (a run here takes well under
/// a second; a debug build on a busy machine, a few).
const HANG: Duration = Duration::from_secs(120);

/// Writes `in.jsonl` in `root`: the seed article, its repost and an unrelated record; gives its
/// bytes.
fn corpus_in(root: &Path) -> Vec<u8> {
    let corpus = format!(
        "{}\n{}\n{}\n",
        serde_json::json!({"id": "article", "text": read_repo(ARTICLE)}),
        serde_json::json!({"id": "repost", "text": read_repo(REPOST)}),
        serde_json::json!({"id": "other", "text": "a few words of their own, shared with nobody else"}),
    );
    std::fs::write(root.join("in.jsonl"), &corpus).unwrap();
    corpus.into_bytes()
}

/// Runs `command` to its end, or kills it and fails once it has run for [`HANG`].
fn run_bounded(mut command: Command) -> Output {
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the command runs");
    let pid = child.id();
    let (done, wait) = mpsc::channel();
    thread::spawn(move || done.send(child.wait_with_output()));
    match wait.recv_timeout(HANG) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            panic!("the run did not finish in {HANG:?}: a stream was opened again");
        }
    }
}

/// A FIFO at `path`, or `None` (the test is then skipped, saying so) where `mkfifo` is missing.
fn fifo(path: &Path) -> Option<()> {
    let made = Command::new("mkfifo").arg(path).status();
    if made.is_ok_and(|s| s.success()) {
        Some(())
    } else {
        eprintln!("SKIPPED: mkfifo is not available");
        None
    }
}

/// Writes `bytes` into the FIFO `path` from another thread, once a reader opens it; the thread
/// gives back whether the bytes were all taken.
fn feed(path: &Path, bytes: Vec<u8>) -> thread::JoinHandle<bool> {
    let path = path.to_path_buf();
    thread::spawn(move || {
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, &bytes))
            .is_ok()
    })
}

/// The bytes of `root/name`.
fn read(root: &Path, name: &str) -> Vec<u8> {
    std::fs::read(root.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The dedup outputs of the regular file `in.jsonl` in `root` (pairs with passages, clusters,
/// kept), written as `reg.*`.
fn regular_outputs(root: &Path) -> [Vec<u8>; 3] {
    let out = run_in(
        root,
        &[
            "dedup",
            "in.jsonl",
            "--passages",
            "--out-pairs",
            "reg.pairs",
            "--out-clusters",
            "reg.clusters",
            "--out-kept",
            "reg.kept",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let outputs = [
        read(root, "reg.pairs"),
        read(root, "reg.clusters"),
        read(root, "reg.kept"),
    ];
    assert_eq!(
        util::json_lines(&outputs[0]).len(),
        1,
        "the seed pair is found"
    );
    outputs
}

/// The outputs flags of a stream's run, written as `stream.*`.
const STREAM_OUTPUTS: [&str; 7] = [
    "--passages",
    "--out-pairs",
    "stream.pairs",
    "--out-clusters",
    "stream.clusters",
    "--out-kept",
    "stream.kept",
];

fn stream_outputs(root: &Path) -> [Vec<u8>; 3] {
    [
        read(root, "stream.pairs"),
        read(root, "stream.clusters"),
        read(root, "stream.kept"),
    ]
}

/// Issue 13: a FIFO named `x.jsonl` hung for ever: pass 2 opened the path again, after pass 1 had
/// read it to its end, to read the candidates' records at their places. It is read once, as
/// JSON Lines (its name says so), and gives what the regular file gives, byte for byte: the
/// pairs with their passages and the kept records, which the run held as it read them.
#[test]
fn a_fifo_named_jsonl_is_read_once_and_gives_what_the_file_gives() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let corpus = corpus_in(root);
    let want = regular_outputs(root);
    let x = root.join("x.jsonl");
    let Some(()) = fifo(&x) else { return };

    let writer = feed(&x, corpus.clone());
    let mut args = vec!["dedup", "x.jsonl"];
    args.extend(STREAM_OUTPUTS);
    let out = run_bounded(neardup(&args).dir(root).command());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(writer.join().unwrap(), "the run took every byte");
    assert_eq!(stream_outputs(root), want);
    assert!(text(&out.stderr).contains("read 3, kept 2, removed 1"));

    // `index build` and `check` read a FIFO once too, and find the same pair.
    let writer = feed(&x, corpus.clone());
    let out = run_bounded(
        neardup(&["index", "build", "--index", "fifo.ndx", "x.jsonl"])
            .dir(root)
            .command(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(writer.join().unwrap());
    let out = run_in(root, &["index", "build", "--index", "reg.ndx", "in.jsonl"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let writer = feed(&x, corpus.clone());
    let from_fifo = run_bounded(
        neardup(&["check", "--index", "reg.ndx", "x.jsonl", "--json"])
            .dir(root)
            .command(),
    );
    assert!(writer.join().unwrap());
    let from_file = run_in(
        root,
        &["check", "--index", "fifo.ndx", "in.jsonl", "--json"],
    );
    // 1: some document matched a source.
    assert_eq!(
        from_fifo.status.code(),
        Some(1),
        "{}",
        text(&from_fifo.stderr)
    );
    assert_eq!(
        from_file.status.code(),
        Some(1),
        "{}",
        text(&from_file.stderr)
    );
    assert_eq!(text(&from_fifo.stdout), text(&from_file.stdout));
    let matches = util::json_lines(&from_fifo.stdout);
    assert!(
        matches
            .iter()
            .any(|m| m["a"] == "repost" && m["b"] == "article"),
        "{matches:?}"
    );
}

/// `bash -c 'neardup ARGS'`, run in `root` with the binary as `$0`; `None` (the test skipped,
/// saying so) where bash is missing.
fn bash(root: &Path, script: &str) -> Option<Output> {
    if !Command::new("bash")
        .arg("-c")
        .arg("true")
        .status()
        .is_ok_and(|s| s.success())
    {
        eprintln!("SKIPPED: bash is not available");
        return None;
    }
    let mut command = Command::new("bash");
    command.arg("-c").arg(script).arg(BIN).current_dir(root);
    command
        .env_remove("NO_COLOR")
        .env_remove("NEARDUP_FAILPOINT");
    Some(run_bounded(command))
}

/// Issue 13: `dedup <(cat x.jsonl)` read the whole stream as one plain document (`/dev/fd/63` has
/// no extension). A nameless stream's format is sniffed from its first bytes: compression by its
/// magic, then JSON Lines when it starts with `{`, else one plain document.
#[test]
fn a_process_substitution_is_sniffed_and_gives_what_the_file_gives() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    corpus_in(root);
    let want = regular_outputs(root);
    let outputs = STREAM_OUTPUTS.join(" ");

    let script = format!(r#""$0" dedup <(cat in.jsonl) {outputs}"#);
    let Some(out) = bash(root, &script) else {
        return;
    };
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(stream_outputs(root), want);

    // Compressed, or with blank lines first: still JSON Lines, the same records.
    let script = format!(r#""$0" dedup <(gzip -c in.jsonl) {outputs}"#);
    let out = bash(root, &script).unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(stream_outputs(root), want);
    let script = format!(r#""$0" dedup <(printf '\n  \n'; cat in.jsonl) {outputs}"#);
    let out = bash(root, &script).unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(stream_outputs(root), want);

    // A stream that does not start with `{` is one plain document, named by its path: the
    // article, through a pipe, is the source of the repost read from a file.
    std::fs::write(root.join("repost.txt"), read_repo(REPOST)).unwrap();
    let script = format!(
        r#""$0" dedup <(cat {}) repost.txt --out-pairs plain.pairs"#,
        util::repo_path(ARTICLE).display()
    );
    let out = bash(root, &script).unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let pairs = util::json_lines(&read(root, "plain.pairs"));
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    assert_eq!(pairs[0]["derived"], "repost.txt");
    let source = pairs[0]["source"].as_str().unwrap();
    assert!(source.starts_with("/dev/fd/"), "{source}");
}

/// A name with its invalid bytes, under `root`.
fn raw_name(root: &Path, bytes: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    root.join(std::ffi::OsStr::from_bytes(bytes))
}

/// Issue 13: two file names differing only in bytes that are not UTF-8 both became `d/a�.txt`, and
/// the run failed with `duplicate id "d/a�.txt": d/a�.txt and d/a�.txt`, even with
/// `--skip-bad`. Each bad byte is now written `\xHH` and a literal backslash doubled, so the
/// three names below keep three ids, and a message names the file the same way.
#[test]
fn names_that_differ_only_in_bad_bytes_keep_ids_of_their_own() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir(root.join("d")).unwrap();
    let article = read_repo(ARTICLE);
    for name in [&b"d/a\xff.txt"[..], b"d/a\xfe.txt", b"d/a\\xFF.txt"] {
        std::fs::write(raw_name(root, name), &article).unwrap();
    }
    for skip in [false, true] {
        let mut args = vec![
            "dedup",
            "d",
            "--out-pairs",
            "pairs.jsonl",
            "--out-kept",
            "kept.jsonl",
        ];
        if skip {
            args.push("--skip-bad");
        }
        let out = run_in(root, &args);
        assert_eq!(out.status.code(), Some(0), "{}", util::lossy(&out.stderr));
        assert!(text(&out.stderr).contains("read 3, kept 1, removed 2"));
        let mut ids: Vec<String> = util::json_lines(&read(root, "pairs.jsonl"))
            .iter()
            .flat_map(|p| {
                [
                    p["a"].as_str().unwrap().to_owned(),
                    p["b"].as_str().unwrap().to_owned(),
                ]
            })
            .collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids, [r"d/a\\xFF.txt", r"d/a\xFE.txt", r"d/a\xFF.txt"]);
    }

    // A file that cannot be read is named in its message as in its id.
    std::fs::write(raw_name(root, b"d/b\xff.txt"), b"bin\0ary").unwrap();
    let out = run_in(root, &["dedup", "d"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains(r"d/b\xFF.txt: binary file"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

/// Issue 13: integer ids beyond 2^64 were rounded to one float, and two different ids collided
/// (`duplicate id "1.2345678901234568e+29"`). A number id is its text as written: both ids stay
/// apart, the pair names them exactly, and the kept record is the line as it was.
#[test]
fn number_ids_keep_their_text() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let article = serde_json::to_string(&read_repo(ARTICLE)).unwrap();
    let lines = [
        format!(r#"{{"id":123456789012345678901234567890,"text":{article}}}"#),
        format!(r#"{{"id":123456789012345678901234567891,"text":{article}}}"#),
        r#"{"id":1e3,"text":"a record of a few words all its own"}"#.to_owned(),
        r#"{"id":1000.0,"text":"another record of its own, with other words"}"#.to_owned(),
    ];
    std::fs::write(root.join("big.jsonl"), lines.join("\n") + "\n").unwrap();
    let out = run_in(
        root,
        &[
            "dedup",
            "big.jsonl",
            "--out-pairs",
            "pairs.jsonl",
            "--out-kept",
            "kept.jsonl",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let pairs = util::json_lines(&read(root, "pairs.jsonl"));
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    assert_eq!(pairs[0]["a"], "123456789012345678901234567890");
    assert_eq!(pairs[0]["b"], "123456789012345678901234567891");
    let kept = text(&read(root, "kept.jsonl"));
    let kept: Vec<&str> = kept.lines().collect();
    assert_eq!(kept, [&lines[0], &lines[2], &lines[3]]);

    // The index keeps them apart too, and `check` names them as written.
    let out = run_in(root, &["index", "build", "--index", "big.ndx", "big.jsonl"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    std::fs::write(root.join("q.jsonl"), format!("{}\n", lines[0])).unwrap();
    let out = run_in(root, &["check", "--index", "big.ndx", "q.jsonl", "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let mut sources: Vec<String> = util::json_lines(&out.stdout)
        .iter()
        .map(|m| m["b"].as_str().unwrap().to_owned())
        .collect();
    sources.sort();
    assert_eq!(
        sources,
        [
            "123456789012345678901234567890",
            "123456789012345678901234567891"
        ]
    );
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(r#""a":"123456789012345678901234567890""#),
        "{stdout}"
    );
}
