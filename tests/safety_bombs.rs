//! Bombs under a memory cap: endless zeros on standard input, a gzip and a zstd file that expand to
//! one line far larger than the cap, read by `dedup`, `check` and `index build`, with and without
//! `--skip-bad` (issue 13: each aborted with "memory allocation failed" and a backtrace, exit 134);
//! and a stream of records on standard input larger than the cap, which pass 1 used to hold.
//!
//! In: inputs made on the fly (the compressed bombs as many small members or frames of one
//! compressed megabyte, so that the files stay small and are quick to make). Out: each run's exit
//! code and standard error: exit 2 and one line naming the file and the line, or with `--skip-bad`
//! the line skipped, listed with its size, and the documents after it read.
//!
//! Why it is built this way: the cap (`ulimit -v` in a shell that then becomes the binary) turns
//! "held the whole line" into a failed allocation, so a reader that buffers a line past the limit
//! fails these tests instead of merely using a lot of memory; each bomb's line is larger than the
//! cap. A normal run under the same cap passes, so the cap is honest. Thread and malloc-arena
//! counts are pinned for the capped runs: address space reserved per thread, not used memory,
//! would otherwise make the cap depend on the machine's core count.

mod util;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use util::{lossy, neardup, run_in, Neardup};

/// The address space a capped run may take, in KiB (`ulimit -v`).
const CAP_KIB: u64 = 256 << 10;

/// The length of each bomb's one line: past the cap, so holding it cannot succeed.
const BOMB_BYTES: u64 = 320 << 20;

/// The megabyte each compressed bomb repeats.
const BLOCK: usize = 1 << 20;

/// `run` inside a shell that caps its address space at [`CAP_KIB`] and then becomes it.
fn capped(run: Neardup) -> Command {
    let inner = run.command();
    let mut sh = Command::new("sh");
    sh.arg("-c")
        .arg(format!("ulimit -v {CAP_KIB} && exec \"$@\""))
        .arg("sh")
        .arg(inner.get_program())
        .args(inner.get_args());
    if let Some(dir) = inner.get_current_dir() {
        sh.current_dir(dir);
    }
    for (key, value) in inner.get_envs() {
        match value {
            Some(value) => sh.env(key, value),
            None => sh.env_remove(key),
        };
    }
    sh.env("RAYON_NUM_THREADS", "2")
        .env("MALLOC_ARENA_MAX", "2");
    sh
}

/// A capped run in `dir` of `args`, to its end.
fn capped_in(dir: &Path, args: &[&str]) -> Output {
    capped(neardup(args).dir(dir)).output().unwrap()
}

/// A capped run in `dir` of `args`, fed on standard input by `feed` from another thread, which
/// writes until it is done or the run stops reading.
fn capped_fed(dir: &Path, args: &[&str], feed: impl FnOnce(&mut dyn Write) + Send) -> Output {
    let mut child = capped(neardup(args).dir(dir))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    std::thread::scope(|s| {
        s.spawn(move || feed(&mut input));
        child.wait_with_output().unwrap()
    })
}

/// Writes `n` zero bytes to `w`, a megabyte at a time; stops early if the reader went away.
fn zeros(w: &mut dyn Write, n: u64) -> bool {
    let block = vec![0u8; BLOCK];
    let mut left = n;
    while left > 0 {
        let k = left.min(BLOCK as u64) as usize;
        if w.write_all(&block[..k]).is_err() {
            return false;
        }
        left -= k as u64;
    }
    true
}

/// A corpus of a few small documents, two of them duplicates.
const SMALL: &str =
    "{\"id\":\"s1\",\"text\":\"the quick brown fox jumps over the lazy dog again and again\"}\n\
    {\"id\":\"s2\",\"text\":\"the quick brown fox jumps over the lazy dog again and again\"}\n\
    {\"id\":\"s3\",\"text\":\"an entirely different sentence about something else\"}\n";

/// The record after each bomb's line, read when the bomb is skipped.
const AFTER: &[u8] = b"\n{\"id\":\"after\",\"text\":\"a document after the bomb\"}\n";

/// Writes `name` in `dir`: one line of [`BOMB_BYTES`] zeros, compressed by `compress` a
/// megabyte at a time (gzip members, zstd frames: both read one after the other), then, if
/// `after`, a line end and one more record.
fn bomb(dir: &Path, name: &str, after: bool, compress: impl Fn(&[u8]) -> Vec<u8>) {
    let block = compress(&vec![0u8; BLOCK]);
    let mut file = std::io::BufWriter::new(std::fs::File::create(dir.join(name)).unwrap());
    for _ in 0..BOMB_BYTES / BLOCK as u64 {
        file.write_all(&block).unwrap();
    }
    if after {
        file.write_all(&compress(AFTER)).unwrap();
    }
    file.flush().unwrap();
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn zst(bytes: &[u8]) -> Vec<u8> {
    zstd::encode_all(bytes, 1).unwrap()
}

/// Asserts that `out` stopped with exit 2 and one line of error naming `place` (a file and a
/// line), for a document past the limit, and nothing of a crash.
fn assert_stopped_at(out: &Output, place: &str) {
    let err = lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(&format!("neardup: error: {place}: document of more than ")),
        "{err}"
    );
    assert!(err.contains("(--max-doc-bytes)"), "{err}");
    for crash in ["backtrace", "panicked", "memory allocation"] {
        assert!(!err.contains(crash), "{err}");
    }
}

/// Asserts that `out` succeeded with the bomb at `place` skipped and listed with its size.
fn assert_skipped_at(out: &Output, place: &str) {
    let err = lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains(&format!(
            "neardup: skipped {place}: document of {BOMB_BYTES} bytes, over the limit of"
        )),
        "{err}"
    );
    assert!(!err.contains("memory allocation"), "{err}");
}

/// A directory with the small corpus and an index built of it.
fn with_index() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("small.jsonl"), SMALL).unwrap();
    let out = run_in(
        dir.path(),
        &["index", "build", "--index", "i", "small.jsonl"],
    );
    assert!(out.status.success(), "{}", lossy(&out.stderr));
    dir
}

#[test]
fn normal_runs_pass_under_the_cap() {
    let dir = with_index();
    let d = dir.path();
    let out = capped_in(d, &["dedup", "small.jsonl", "--out-pairs", "p.jsonl"]);
    let err = lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("read 3, kept 2, removed 1"), "{err}");
    let out = capped_in(d, &["check", "--index", "i", "small.jsonl"]);
    let err = lossy(&out.stderr);
    // Exit 1: documents matched a source.
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("checked 3: 3 matched a source"), "{err}");
    let out = capped_in(d, &["index", "build", "--index", "j", "small.jsonl"]);
    assert!(out.status.success(), "{}", lossy(&out.stderr));
    // From standard input too.
    let out = capped_fed(d, &["dedup", "-"], |w| {
        w.write_all(SMALL.as_bytes()).unwrap();
    });
    assert!(out.status.success(), "{}", lossy(&out.stderr));
}

#[test]
fn endless_zeros_on_standard_input_stop_at_the_limit() {
    let dir = with_index();
    let d = dir.path();
    // Endless for the run: far more than it would read if it held the line.
    let endless = |w: &mut dyn Write| {
        zeros(w, 64 << 30);
    };
    let out = capped_fed(d, &["dedup", "-"], endless);
    assert_stopped_at(&out, "-:1");
    let out = capped_fed(d, &["check", "--index", "i", "-"], endless);
    assert_stopped_at(&out, "-:1");
    let out = capped_fed(d, &["index", "build", "--index", "j", "-"], endless);
    assert_stopped_at(&out, "-:1");
    // Stop mode stops even with a small limit and a record before the zeros.
    let out = capped_fed(d, &["dedup", "-", "--max-doc-bytes", "4K"], |w| {
        if w.write_all(SMALL.as_bytes()).is_ok() {
            zeros(w, 64 << 30);
        }
    });
    assert_stopped_at(&out, "-:4");
}

#[test]
fn a_long_line_on_standard_input_is_skipped_and_reading_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let out = capped_fed(dir.path(), &["dedup", "-", "--skip-bad"], |w| {
        assert!(zeros(w, BOMB_BYTES));
        w.write_all(AFTER).unwrap();
        w.write_all(SMALL.as_bytes()).unwrap();
    });
    assert_skipped_at(&out, "-:1");
    let err = lossy(&out.stderr);
    assert!(
        err.contains("read 4, kept 3, removed 1") && err.contains("skipped 1"),
        "{err}"
    );
}

/// Each command on each compressed bomb, in stop mode: exit 2 at line 1 of the bomb.
#[test]
fn compressed_bombs_stop_at_the_limit() {
    let dir = with_index();
    let d = dir.path();
    bomb(d, "bomb.jsonl.gz", false, gz);
    bomb(d, "bomb.jsonl.zst", false, zst);
    for name in ["bomb.jsonl.gz", "bomb.jsonl.zst"] {
        let place = format!("{name}:1");
        assert_stopped_at(&capped_in(d, &["dedup", name]), &place);
        assert_stopped_at(&capped_in(d, &["check", "--index", "i", name]), &place);
        let build = capped_in(d, &["index", "build", "--index", "j", name]);
        assert_stopped_at(&build, &place);
    }
    // After a good file, and with a small limit, the same.
    let out = capped_in(
        d,
        &[
            "dedup",
            "small.jsonl",
            "bomb.jsonl.gz",
            "--max-doc-bytes",
            "64K",
        ],
    );
    assert_stopped_at(&out, "bomb.jsonl.gz:1");
}

/// Each command on each compressed bomb, with `--skip-bad`: the bomb's line is read through,
/// skipped and listed, and the record after it is read.
#[test]
fn compressed_bombs_are_skipped_with_skip_bad() {
    let dir = with_index();
    let d = dir.path();
    bomb(d, "bomb.jsonl.gz", true, gz);
    bomb(d, "bomb.jsonl.zst", true, zst);
    for name in ["bomb.jsonl.gz", "bomb.jsonl.zst"] {
        let place = format!("{name}:1");
        let out = capped_in(d, &["dedup", "small.jsonl", name, "--skip-bad"]);
        assert_skipped_at(&out, &place);
        let err = lossy(&out.stderr);
        assert!(
            err.contains("read 4, kept 3, removed 1") && err.contains("skipped 1"),
            "{err}"
        );
        let out = capped_in(d, &["check", "--index", "i", name, "--skip-bad"]);
        assert_skipped_at(&out, &place);
        let err = lossy(&out.stderr);
        assert!(
            err.contains("checked 1:") && err.contains("skipped 1"),
            "{err}"
        );
        let index = format!("j-{name}");
        let out = capped_in(
            d,
            &["index", "build", "--index", &index, name, "--skip-bad"],
        );
        assert_skipped_at(&out, &place);
        let err = lossy(&out.stderr);
        assert!(
            err.contains("added 1") && err.contains("skipped 1"),
            "{err}"
        );
    }
}

/// A stream of many large records on standard input, more than the cap in all: pass 1 keeps no
/// record in memory (standard input cannot be read again, so they are spooled to a temporary
/// file), and the kept output repeats each record byte for byte.
#[test]
fn records_from_standard_input_are_not_held_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let pad = "p".repeat(128 << 10);
    let record = |i: usize| {
        format!("{{\"id\":\"d{i}\",\"text\":\"document {i} of the stream\",\"pad\":\"{pad}\"}}\n")
    };
    let docs = 2100;
    assert!((docs * (128 << 10)) as u64 > CAP_KIB << 10);
    let args = ["dedup", "-", "--out-kept", "kept.jsonl"];
    let out = capped_fed(dir.path(), &args, |w| {
        for i in 0..docs {
            w.write_all(record(i).as_bytes()).unwrap();
        }
    });
    let err = lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains(&format!("read {docs}, kept {docs}")), "{err}");
    let kept = std::fs::read_to_string(dir.path().join("kept.jsonl")).unwrap();
    assert_eq!(
        kept.len(),
        (0..docs).map(|i| record(i).len()).sum::<usize>()
    );
    assert!(kept
        .lines()
        .zip(0..docs)
        .all(|(line, i)| line == record(i).trim_end()));
}
