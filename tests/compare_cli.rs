//! Drives the real `neardup compare` binary on the seeds and on broken inputs.

mod util;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use util::{neardup, read_repo, text, ARTICLE, BIN, REPOST};

/// The seed pair as a JSON record, with the texts of each passage on each side.
struct SeedPair {
    record: Value,
    repost: String,
    article: String,
}

impl SeedPair {
    fn load() -> SeedPair {
        let out = neardup(&["compare", REPOST, ARTICLE, "--json"]).output();
        assert!(out.status.success(), "{}", text(&out.stderr));
        let text = text(&out.stdout);
        assert_eq!(text.lines().count(), 1, "one record: {text}");
        SeedPair {
            record: serde_json::from_str(&text).unwrap(),
            repost: read_repo(REPOST),
            article: read_repo(ARTICLE),
        }
    }

    fn passages(&self) -> &Vec<Value> {
        self.record["passages"].as_array().unwrap()
    }

    fn span(v: &Value) -> Option<(usize, usize)> {
        v.as_array().map(|s| {
            (
                s[0].as_u64().unwrap() as usize,
                s[1].as_u64().unwrap() as usize,
            )
        })
    }

    /// Texts of the passages of `kind`, on the repost side (`a`) or the article side (`b`).
    fn texts(&self, kind: &str, side_a: bool) -> Vec<&str> {
        self.passages()
            .iter()
            .filter(|p| p["kind"] == kind)
            .filter_map(|p| {
                let (text, span) = if side_a {
                    (&self.repost, Self::span(&p["a"]))
                } else {
                    (&self.article, Self::span(&p["b"]))
                };
                span.map(|(s, e)| &text[s..e])
            })
            .collect()
    }

    /// The kind of the passage that covers byte `at` of the repost (`side_a`) or the article.
    fn kind_at(&self, at: usize, side_a: bool) -> &str {
        let key = if side_a { "a" } else { "b" };
        self.passages()
            .iter()
            .find(|p| Self::span(&p[key]).is_some_and(|(s, e)| s <= at && at < e))
            .and_then(|p| p["kind"].as_str())
            .unwrap_or("uncovered")
    }
}

#[test]
fn seed_repost_is_a_derivative_of_the_article() {
    let pair = SeedPair::load();
    let r = &pair.record;
    assert_eq!(r["a"], REPOST);
    assert_eq!(r["b"], ARTICLE);
    assert_eq!(r["relation"], "derivative");
    assert_eq!(r["derived"], REPOST);
    assert_eq!(r["source"], ARTICLE);
    let j = r["jaccard"].as_f64().unwrap();
    let c_ab = r["containment_a_in_b"].as_f64().unwrap();
    let c_ba = r["containment_b_in_a"].as_f64().unwrap();
    assert!((0.25..0.35).contains(&j), "jaccard {j}");
    assert!((0.75..0.9).contains(&c_ab), "repost in article {c_ab}");
    assert!((0.25..0.4).contains(&c_ba), "article in repost {c_ba}");
}

#[test]
fn seed_added_passages_are_reported_as_added() {
    let pair = SeedPair::load();
    let added = pair.texts("a_only", true).join("\n");
    for phrase in [
        "Saturday, July 22, 2023",
        "China and Russia",
        "No comments:",
        "Post a Comment",
    ] {
        assert!(
            added.contains(phrase),
            "{phrase:?} not in added passages:\n{added}"
        );
    }
    // Nothing the article also has in the same place is called added: the body is shared.
    assert!(
        !added.contains("Beyond maintaining a diplomatic ally"),
        "{added}"
    );
}

#[test]
fn seed_dropped_passages_are_reported_as_dropped() {
    let pair = SeedPair::load();
    let dropped = pair.texts("b_only", false).join("\n");
    for phrase in [
        "As the war it launched against Ukraine drags on",
        "© Reuters",
        "said Steve Tsang",
        "said Ryan Hass",
        "Li Hui, visited Ukraine",
        "Li Hui is also scheduled to visit Russia next Friday.",
        "Dmitry Astakhov",
        "With Reuters, AFP and AP",
    ] {
        assert!(
            dropped.contains(phrase),
            "{phrase:?} not in dropped passages"
        );
    }
    assert!(!dropped.contains("Beyond maintaining a diplomatic ally"));
}

#[test]
fn small_edits_stay_inside_one_passage() {
    let pair = SeedPair::load();
    // The split word "d eals" is an edit inside a passage shared with the article.
    let at = pair.repost.find("d eals").unwrap();
    assert_eq!(pair.kind_at(at, true), "changed");
    assert_eq!(pair.kind_at(at + 2, true), "changed");
    // Straight quotes in the repost against curly ones in the article: one passage, no drop or add.
    for phrase in [
        "\"pressure of illegitimate sanctions\"",
        "\"new level.\"",
        "Moscow's international isolation deepens",
    ] {
        let at = pair.repost.find(phrase).unwrap();
        let kind = pair.kind_at(at, true);
        assert!(
            kind == "shared" || kind == "changed",
            "{phrase:?} is {kind}"
        );
    }
    let curly = pair
        .article
        .find("“pressure of illegitimate sanctions”")
        .unwrap();
    assert!(matches!(pair.kind_at(curly, false), "shared" | "changed"));
    // The reworded attribution ("according to the Russian Prime Minister") is a changed passage.
    let at = pair
        .repost
        .find("according to the Russian Prime Minister")
        .unwrap();
    assert_eq!(pair.kind_at(at, true), "changed");
}

#[test]
fn every_non_space_byte_is_in_exactly_one_passage() {
    let pair = SeedPair::load();
    for (text, key) in [(&pair.repost, "a"), (&pair.article, "b")] {
        let mut spans: Vec<(usize, usize)> = pair
            .passages()
            .iter()
            .filter_map(|p| SeedPair::span(&p[key]))
            .collect();
        spans.sort();
        for w in spans.windows(2) {
            assert!(w[0].1 <= w[1].0, "overlap {w:?}");
        }
        for (i, c) in text.char_indices() {
            if !c.is_whitespace() {
                assert!(
                    spans.iter().any(|&(s, e)| s <= i && i < e),
                    "byte {i} uncovered"
                );
            }
        }
    }
}

#[test]
fn terminal_view_shows_verdict_and_highlights() {
    let out = neardup(&["compare", REPOST, ARTICLE, "--color", "always"]).output();
    assert!(out.status.success());
    let text = text(&out.stdout);
    assert!(
        text.starts_with(&format!("\x1b[1m{REPOST} is a derivative of {ARTICLE}")),
        "{text}"
    );
    assert!(
        text.contains("\x1b[32m+ added in 000_97b1e3636e8cd943.txt"),
        "green additions"
    );
    assert!(
        text.contains("\x1b[31m- dropped from 002_41678999f0492237.txt"),
        "red drops"
    );
    assert!(
        text.contains("[-d eals-]"),
        "the split word shown as an edit"
    );
    // Not a terminal, so auto means no colour.
    let plain = neardup(&["compare", REPOST, ARTICLE]).output();
    assert!(!util::text(&plain.stdout).contains('\x1b'));
}

/// On a terminal, `auto` colours unless NO_COLOR is set. Needs util-linux `script` for a pty.
#[test]
fn no_color_is_honoured_on_a_terminal() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("SKIPPED no_color_is_honoured_on_a_terminal: no `script` command for a pty");
        return;
    }
    let cmd = format!("{BIN} compare {REPOST} {ARTICLE}");
    let run = |no_color: Option<&str>| {
        let mut c = Command::new("script");
        c.args(["-qec", &cmd, "/dev/null"])
            .current_dir(util::repo_root());
        match no_color {
            Some(v) => c.env("NO_COLOR", v),
            None => c.env_remove("NO_COLOR"),
        };
        text(&c.output().unwrap().stdout)
    };
    assert!(run(None).contains('\x1b'), "a terminal gets colour");
    assert!(!run(Some("1")).contains('\x1b'), "NO_COLOR=1 turns it off");
}

fn temp_file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn bad_inputs_are_one_line_errors_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let good = temp_file(d, "good.txt", b"some words to compare here");
    let cases: Vec<(PathBuf, &str)> = vec![
        (d.join("missing.txt"), "missing.txt: no such file"),
        (d.to_path_buf(), "is a directory"),
        (temp_file(d, "empty.txt", b""), "empty.txt: empty document"),
        (
            temp_file(d, "blank.txt", b"  \n\t\n"),
            "blank.txt: empty document",
        ),
        (
            temp_file(d, "dots.txt", b"... --- !!!"),
            "dots.txt: no words",
        ),
        (
            temp_file(d, "latin1.txt", b"caf\xe9 au lait\nna\xefve"),
            "latin1.txt: invalid UTF-8 at line 1, column 4 (byte 3)",
        ),
        (
            temp_file(d, "image.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            "image.png: binary file",
        ),
    ];
    for (path, want) in cases {
        let out = neardup(&["compare", path.to_str().unwrap(), good.to_str().unwrap()]).output();
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{path:?}: {err}");
        assert!(err.contains(want), "{path:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
        assert!(
            !err.contains("panicked") && !err.contains("backtrace"),
            "{err}"
        );
        assert!(text(&out.stdout).is_empty());
    }
}

#[test]
fn lossy_mode_reads_invalid_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let a = temp_file(dir.path(), "a.txt", b"caf\xe9 au lait and other words here");
    let out = neardup(&[
        "compare",
        "--lossy",
        a.to_str().unwrap(),
        a.to_str().unwrap(),
        "--json",
    ])
    .output();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    assert_eq!(v["relation"], "duplicate");
}

#[test]
fn bad_arguments_exit_2_and_help_teaches() {
    let out = neardup(&["compare", REPOST]).output();
    assert_eq!(out.status.code(), Some(2));
    let out = neardup(&["compare", REPOST, ARTICLE, "--derivative", "1.5"]).output();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("not between 0 and 1"));
    let out = neardup(&["compare", "--help"]).output();
    assert!(out.status.success());
    let help = text(&out.stdout);
    for word in [
        "--json",
        "--color",
        "--lossy",
        "--containment",
        "containment",
    ] {
        assert!(help.contains(word), "help lacks {word}");
    }
    // `--containment`'s former name still works, out of the help.
    assert!(!help.contains("--derivative"));
    let out = neardup(&["compare", REPOST, ARTICLE, "--containment", "1.5"]).output();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("not between 0 and 1"));
}

#[test]
fn thresholds_change_the_verdict() {
    let out = neardup(&[
        "compare",
        REPOST,
        ARTICLE,
        "--json",
        "--derivative",
        "0.9",
        "--no-passages",
    ])
    .output();
    let v: Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    assert_eq!(v["relation"], "overlap");
    assert!(v.get("derived").is_none() && v.get("passages").is_none());
    // The same threshold under its name shared with `dedup` and `index build`.
    let renamed = neardup(&[
        "compare",
        REPOST,
        ARTICLE,
        "--json",
        "--containment",
        "0.9",
        "--no-passages",
    ])
    .output();
    assert_eq!(text(&renamed.stdout), text(&out.stdout));
}

/// Issue 13: a file name holding `ESC ] 0 ; ... BEL` or a newline reached the terminal raw from
/// `compare`, even with `--color never`: it set the window title or forged a verdict line.
#[cfg(unix)]
#[test]
fn a_file_name_cannot_drive_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let name = "a\x1b]0;pwned\x07\nX and Y are duplicates.txt";
    let repost = temp_file(dir.path(), name, read_repo(REPOST).as_bytes());
    let out = neardup(&["compare", "--color", "never"])
        .arg(&repost)
        .arg(util::repo_path(ARTICLE))
        .output();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        !stdout.chars().any(|c| c.is_control() && c != '\n'),
        "{stdout:?}"
    );
    assert!(
        stdout.contains("a\\u{1b}]0;pwned\\u{7}\\u{a}X and Y"),
        "{stdout:?}"
    );
    assert!(
        !stdout.lines().any(|l| l.starts_with("X and Y")),
        "{stdout:?}"
    );
    // The JSON record keeps the id exact.
    let out = neardup(&["compare", "--json"])
        .arg(&repost)
        .arg(util::repo_path(ARTICLE))
        .output();
    let record: Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    assert!(record["a"].as_str().unwrap().ends_with(name));
}
