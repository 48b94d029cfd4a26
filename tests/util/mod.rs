//! What the integration tests share: one way to run the real `neardup` binary, the seeds' paths,
//! reading its output, and the project's scorer.
//!
//! In: a test's arguments, and where it wants them (a working directory, bytes on standard input,
//! environment variables). Out: the [`Output`] of the run, or the configured [`Command`] for a test
//! that spawns and kills the binary itself. Each test file says `mod util;` and uses what it needs.
//!
//! Why it is built this way: every test file used to write its own runner around
//! `Command::new(env!("CARGO_BIN_EXE_neardup"))`, each with its own idea of the working directory
//! and the environment. Here a run is hermetic by default: it starts in the repository root (where
//! `seeds/` is) and without the variables the binary reads (`NO_COLOR`, `NEARDUP_FAILPOINT`), so a
//! test sees the same behaviour whatever the shell that runs `cargo test` has set.

// Each test file is its own crate and uses only a part of this module.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_neardup");

/// The real blog repost of the seed pair, relative to the repository root.
pub const REPOST: &str = "seeds/000_97b1e3636e8cd943.txt";
/// The real article the repost copies, relative to the repository root.
pub const ARTICLE: &str = "seeds/002_41678999f0492237.txt";

/// Environment variables the binary reads; a run starts without them unless a test sets one.
const READ_BY_THE_BINARY: [&str; 2] = ["NO_COLOR", "NEARDUP_FAILPOINT"];

/// One run of the binary: `neardup(args)`, then optionally [`arg`](Neardup::arg),
/// [`dir`](Neardup::dir), [`stdin`](Neardup::stdin), [`env`](Neardup::env), and
/// [`output`](Neardup::output) (or [`command`](Neardup::command)).
pub struct Neardup {
    command: Command,
    stdin: Option<Vec<u8>>,
}

/// A run of `neardup` with `args`, in the repository root, with no input on standard input.
pub fn neardup(args: &[&str]) -> Neardup {
    let mut command = Command::new(BIN);
    command.args(args).current_dir(repo_root());
    for var in READ_BY_THE_BINARY {
        command.env_remove(var);
    }
    Neardup {
        command,
        stdin: None,
    }
}

/// The [`Output`] of `neardup` with `args` run in `dir`: the shorthand for the common case.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    neardup(args).dir(dir).output()
}

impl Neardup {
    /// One more argument, one that is not a `&str` (a path).
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.command.arg(arg);
        self
    }

    /// Runs in `dir` instead of the repository root.
    pub fn dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.command.current_dir(dir);
        self
    }

    /// Gives the run `bytes` on standard input.
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(bytes.into());
        self
    }

    /// Sets an environment variable for the run.
    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Self {
        self.command.env(key, value);
        self
    }

    /// The configured command, for a test that spawns, watches or kills the process itself
    /// (standard input given with [`stdin`](Neardup::stdin) is not part of it).
    pub fn command(self) -> Command {
        self.command
    }

    /// Runs to the end and returns its exit status, standard output and standard error.
    pub fn output(mut self) -> Output {
        let Some(bytes) = self.stdin else {
            return self.command.output().expect("the binary runs");
        };
        let mut child = self
            .command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary runs");
        // Fed from another thread, so that a child writing a full pipe never stalls the feed.
        let mut input = child.stdin.take().unwrap();
        let feed = std::thread::spawn(move || input.write_all(&bytes));
        let out = child.wait_with_output().unwrap();
        feed.join().unwrap().unwrap();
        out
    }
}

/// The repository root: where `Cargo.toml` and `seeds/` are.
pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The absolute, canonical path of `rel`, a path relative to the repository root.
pub fn repo_path(rel: &str) -> PathBuf {
    repo_root().join(rel).canonicalize().unwrap()
}

/// The text of `rel`, a file relative to the repository root.
pub fn read_repo(rel: &str) -> String {
    std::fs::read_to_string(repo_root().join(rel)).unwrap()
}

/// Output bytes as text; they must be UTF-8.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

/// Output bytes as text, invalid UTF-8 replaced.
pub fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// JSON Lines bytes (a pairs file, `--json` output) as values, one a line.
pub fn json_lines(bytes: &[u8]) -> Vec<Value> {
    text(bytes)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The project's scorer, `tools/score_pairs.py` in the shared folder beside the repository.
pub struct Scorer(PathBuf);

impl Scorer {
    /// The scorer, if it and `python3` are there; otherwise says on standard error that `what`
    /// did not run.
    pub fn find(what: &str) -> Option<Scorer> {
        let scorer = repo_root().join("../shared/tools/score_pairs.py");
        if !scorer.exists() || Command::new("python3").arg("--version").output().is_err() {
            eprintln!("SKIPPED {what}: no python3 or no {scorer:?}");
            return None;
        }
        Some(Scorer(scorer))
    }

    /// Scores `corpus.jsonl`, `truth.json` and `pairs.jsonl` in `dir`: the scorer's JSON verdict.
    pub fn score(&self, dir: &Path) -> Value {
        let out = Command::new("python3")
            .arg(&self.0)
            .args(["corpus.jsonl", "truth.json", "pairs.jsonl", "--json"])
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", lossy(&out.stderr));
        let score: Value = serde_json::from_slice(&out.stdout).unwrap();
        eprintln!("scorer: {score}");
        score
    }
}

/// The product's quality bar on a scorer's verdict: no pair below the scorer's floor, the pairs
/// that must be found are, with their relation and direction, and the passages' spans are right.
pub fn assert_meets_the_bar(score: &Value) {
    let f = |k: &str| score[k].as_f64().unwrap();
    assert_eq!(
        score["false_pos"], 0,
        "no pair below the scorer's floor: {score}"
    );
    assert!(f("recall_must") >= 0.99, "{score}");
    assert!(f("relation_acc") >= 0.95, "{score}");
    assert!(f("direction_acc") >= 0.95, "{score}");
    assert!(f("added_f1") >= 0.9, "{score}");
    assert!(f("dropped_f1") >= 0.9, "{score}");
}

/// `count` words of a vocabulary of 5,000 made-up words, from a little xorshift stream seeded by
/// `seed`: texts that share no shingle unless they were given one.
pub fn made_up_words(seed: u64, count: usize) -> String {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..count)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            format!("w{}", x % 5000)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Three documents that share nothing but a standard notice (a licence's usual wording),
/// `notice` (a short header of its own and the notice), an article with two copies, and
/// `repost` (a line of its own over the article's first 200 words): `(id, text)`.
pub fn notice_and_repost() -> Vec<(&'static str, String)> {
    // A standard notice (a licence's usual wording): three documents that share nothing else
    // quote it, each a third of it (enough that an index of them does not learn it as its
    // background, too little for a pair), and a short file is its own header and the notice.
    let notice = made_up_words(1, 60);
    let quoting = |seed| {
        format!(
            "{}\n\n{notice}\n\n{}",
            made_up_words(seed, 60),
            made_up_words(seed + 100, 60)
        )
    };
    let short = format!("{}\n\n{notice}", made_up_words(7, 10));
    // A repost: a line of its own over the first 200 words of an article that two sites
    // carry unchanged.
    let article = made_up_words(20, 300);
    let lead: Vec<&str> = article.split(' ').take(200).collect();
    let repost = format!("{}\n\n{}", made_up_words(21, 12), lead.join(" "));
    vec![
        ("quoting-1", quoting(2)),
        ("quoting-2", quoting(3)),
        ("quoting-3", quoting(4)),
        ("notice", short),
        ("article", article.clone()),
        ("article-copy-1", article.clone()),
        ("article-copy-2", article),
        ("repost", repost),
    ]
}
