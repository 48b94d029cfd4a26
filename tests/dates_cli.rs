//! Publication dates (issue 15), through the binary: `--date-field` on `dedup`, `index build`
//! and `check`, the direction the dates decide, and how each pair record says what decided it
//! (`direction_by`, `direction_confidence`, `direction_contradicted`, `source_date`,
//! `derived_date`); an unreadable date is an error naming its file and line, or with
//! `--skip-bad` a listed skipped line; `synth --dates` dates its documents so that the dates
//! always point from the source to the copy.

mod util;

use std::collections::HashMap;
use std::path::Path;

use neardup::synth::news_text;
use serde_json::{json, Value};
use util::{json_lines, run_in, text, ARTICLE, REPOST};

/// One record: an id, a text and, when given, a `date` value.
fn record(id: &str, text: &str, date: Option<Value>) -> String {
    let mut r = json!({"id": id, "text": text});
    if let Some(date) = date {
        r["date"] = date;
    }
    r.to_string()
}

fn write(path: &Path, lines: &[String]) {
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

/// Three texts that make pairs whose text evidence points a known way:
/// - `long` (article A and a tail B) and `repost` (A and another, longer tail C): a derivative
///   where the text calls `long` the copy, by a small margin (75% of it is in `repost`, 66% of
///   `repost` in it);
/// - `excerpt` (A alone) is nearly all inside `long`, which adds B: the text says clearly that
///   `excerpt` is the copy.
struct Texts {
    long: String,
    repost: String,
    excerpt: String,
}

fn texts() -> Texts {
    let (a, b, c) = (news_text(1, 300), news_text(2, 100), news_text(3, 150));
    Texts {
        long: format!("{a}\n\n{b}"),
        repost: format!("{a}\n\n{c}"),
        excerpt: a,
    }
}

/// The one derivative pair record of a dedup run over `lines`, with the date field given or not.
fn dedup_pair(d: &Path, lines: &[String], dates: bool) -> Value {
    write(&d.join("c.jsonl"), lines);
    let mut args = vec!["dedup", "c.jsonl", "--out-pairs", "pairs.jsonl"];
    if dates {
        args.extend(["--date-field", "date"]);
    }
    let out = run_in(d, &args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let pairs = json_lines(&std::fs::read(d.join("pairs.jsonl")).unwrap());
    let derivatives: Vec<Value> = pairs
        .into_iter()
        .filter(|p| p["relation"] == "derivative")
        .collect();
    assert_eq!(derivatives.len(), 1, "{derivatives:?}");
    derivatives.into_iter().next().unwrap()
}

#[test]
fn dates_decide_against_the_text() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let t = texts();
    let lines = [
        record("long", &t.long, Some(json!("2024-03-01T08:00:00Z"))),
        record("repost", &t.repost, Some(json!("2024-03-05"))),
    ];
    // The text alone calls `long` the copy, and says it is not weak.
    let by_text = dedup_pair(d, &lines, false);
    assert_eq!(
        (&by_text["source"], &by_text["derived"]),
        (&json!("repost"), &json!("long"))
    );
    assert_eq!(by_text["direction_by"], "text");
    assert!(by_text.get("source_date").is_none());
    let confidence = by_text["direction_confidence"].as_f64().unwrap();
    assert!((0.7..0.95).contains(&confidence), "{confidence}");
    // The dates say `long` came first: it is the source, and the text does not contradict that
    // strongly.
    let p = dedup_pair(d, &lines, true);
    assert_eq!(
        (&p["source"], &p["derived"]),
        (&json!("long"), &json!("repost"))
    );
    assert_eq!(p["direction_by"], "date");
    assert_eq!(p["direction_confidence"], 0.99);
    assert!(p.get("direction_contradicted").is_none(), "{p}");
    assert_eq!(p["source_date"], "2024-03-01T08:00:00Z");
    assert_eq!(p["derived_date"], "2024-03-05");
    // The scores are the text's, whatever decided the direction.
    assert_eq!(p["direction_score"], by_text["direction_score"]);
    assert_eq!(p["containment_a_in_b"], by_text["containment_a_in_b"]);
}

#[test]
fn a_date_missing_on_one_side_or_equal_dates_leave_it_to_the_text() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let t = texts();
    let cases = [
        // Missing, null, and equal dates written in two forms of one instant.
        (None, Some(json!("2024-03-01"))),
        (Some(json!("2024-03-05")), Some(Value::Null)),
        (
            Some(json!("2024-03-05T12:00:00+02:00")),
            Some(json!(1_709_632_800)),
        ),
    ];
    for (long_date, repost_date) in cases {
        let lines = [
            record("long", &t.long, long_date.clone()),
            record("repost", &t.repost, repost_date.clone()),
        ];
        let p = dedup_pair(d, &lines, true);
        let case = format!("{long_date:?} {repost_date:?}: {p}");
        assert_eq!(
            (&p["source"], &p["derived"]),
            (&json!("repost"), &json!("long")),
            "{case}"
        );
        assert!(
            p["direction_by"] == "text" || p["direction_by"] == "weak",
            "{case}"
        );
        let confidence = p["direction_confidence"].as_f64().unwrap();
        assert!(confidence < 0.95, "{case}");
        // Each known date is recorded, on its side.
        let known = |v: &Option<Value>| v.as_ref().is_some_and(|v| !v.is_null());
        assert_eq!(p.get("derived_date").is_some(), known(&long_date), "{case}");
        assert_eq!(
            p.get("source_date").is_some(),
            known(&repost_date),
            "{case}"
        );
    }
    // Equal dates are written once each, in UTC.
    let p = dedup_pair(
        d,
        &[
            record("long", &t.long, Some(json!("2024-03-05T12:00:00+02:00"))),
            record("repost", &t.repost, Some(json!(1_709_632_800))),
        ],
        true,
    );
    assert_eq!(p["source_date"], "2024-03-05T10:00:00Z");
    assert_eq!(p["derived_date"], "2024-03-05T10:00:00Z");
}

#[test]
fn the_text_contradicting_the_dates_is_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let t = texts();
    // The excerpt is nearly all inside `long`, which adds to it: by its text it is the copy,
    // but its date says it came first.
    let lines = [
        record("excerpt", &t.excerpt, Some(json!("2024-03-01"))),
        record("long", &t.long, Some(json!("2024-03-02"))),
    ];
    let by_text = dedup_pair(d, &lines, false);
    assert_eq!(by_text["derived"], "excerpt");
    assert!(by_text.get("direction_contradicted").is_none());
    let p = dedup_pair(d, &lines, true);
    assert_eq!(
        (&p["source"], &p["derived"]),
        (&json!("excerpt"), &json!("long"))
    );
    assert_eq!(p["direction_by"], "date");
    assert_eq!(p["direction_contradicted"], true);
    assert_eq!(p["direction_confidence"], 0.6);
    // With the dates the other way round, the two agree: no flag.
    let agreeing = [
        record("excerpt", &t.excerpt, Some(json!("2024-03-03"))),
        record("long", &t.long, Some(json!("2024-03-02"))),
    ];
    let p = dedup_pair(d, &agreeing, true);
    assert_eq!(p["derived"], "excerpt");
    assert_eq!(p["direction_by"], "date");
    assert!(p.get("direction_contradicted").is_none(), "{p}");
}

#[test]
fn an_unreadable_date_names_its_file_line_and_value() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let t = texts();
    let cases = [
        (
            r#""2024-13-01""#,
            "field `date` holds \"2024-13-01\", which is not a date (ISO 8601 such as \
             2024-03-05 or 2024-03-05T10:20:30Z, or epoch seconds as a number)",
        ),
        (
            r#""March 5, 2024""#,
            "field `date` holds \"March 5, 2024\", which is not a date (ISO 8601 such as \
             2024-03-05 or 2024-03-05T10:20:30Z, or epoch seconds as a number)",
        ),
        (
            // A number as written in the record.
            "1e300",
            "field `date` holds \"1e300\", which is not a date (ISO 8601 such as 2024-03-05 \
             or 2024-03-05T10:20:30Z, or epoch seconds as a number)",
        ),
        (
            "true",
            "field `date` is a boolean, expected a date string or epoch seconds",
        ),
    ];
    for (bad, why) in cases {
        let lines = [
            record("long", &t.long, Some(json!("2024-03-01"))),
            format!(r#"{{"id":"bad","text":"a text","date":{bad}}}"#),
            record("repost", &t.repost, Some(json!("2024-03-05"))),
        ];
        write(&d.join("c.jsonl"), &lines);
        for command in [
            &[
                "dedup",
                "c.jsonl",
                "--date-field",
                "date",
                "--out-pairs",
                "p.jsonl",
            ][..],
            &[
                "index",
                "build",
                "--index",
                "x.ndx",
                "c.jsonl",
                "--date-field",
                "date",
            ],
        ] {
            let out = run_in(d, command);
            assert_eq!(out.status.code(), Some(2), "{bad}: {command:?}");
            assert_eq!(
                text(&out.stderr),
                format!("neardup: error: c.jsonl:2: {why}\n"),
                "{command:?}"
            );
            assert!(!d.join("p.jsonl").exists());
            let _ = std::fs::remove_dir_all(d.join("x.ndx"));
        }
        // Without --date-field the field is not read: no error.
        let out = run_in(d, &["dedup", "c.jsonl"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        // With --skip-bad the line is skipped, listed and counted; the rest is dated.
        let out = run_in(
            d,
            &[
                "dedup",
                "c.jsonl",
                "--date-field",
                "date",
                "--skip-bad",
                "--out-pairs",
                "p.jsonl",
            ],
        );
        let err = text(&out.stderr);
        assert!(out.status.success(), "{err}");
        assert!(err.contains(&format!("skipped c.jsonl:2: {why}")), "{err}");
        let summary = err.lines().last().unwrap();
        assert!(
            summary.starts_with("read 2, kept 1, removed 1") && summary.contains("skipped 1"),
            "{summary}"
        );
        let pairs = json_lines(&std::fs::read(d.join("p.jsonl")).unwrap());
        assert_eq!(pairs[0]["direction_by"], "date", "{}", pairs[0]);
        std::fs::remove_file(d.join("p.jsonl")).unwrap();
    }
}

#[test]
fn the_index_keeps_each_sources_date_for_check() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let t = texts();
    write(
        &d.join("sources.jsonl"),
        &[record("long", &t.long, Some(json!("2024-03-01T08:00:00Z")))],
    );
    let out = run_in(
        d,
        &[
            "index",
            "build",
            "--index",
            "s.ndx",
            "sources.jsonl",
            "--date-field",
            "date",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    // An add merges the first segment into its own: the source's date goes with it.
    write(
        &d.join("more.jsonl"),
        &[record(
            "other",
            &news_text(9, 300),
            Some(json!(1_700_000_000)),
        )],
    );
    let out = run_in(
        d,
        &[
            "index",
            "add",
            "--index",
            "s.ndx",
            "more.jsonl",
            "--date-field",
            "date",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stats = run_in(d, &["index", "stats", "--index", "s.ndx", "--json"]);
    let stats: Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(
        (&stats["sources"], &stats["segments"]),
        (&json!(2), &json!(1))
    );
    let check = |date: Option<Value>, dated: bool| -> Value {
        write(&d.join("q.jsonl"), &[record("repost", &t.repost, date)]);
        let mut args = vec!["check", "--index", "s.ndx", "q.jsonl", "--json"];
        if dated {
            args.extend(["--date-field", "date"]);
        }
        let out = run_in(d, &args);
        // 1: a source matched.
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        let pairs = json_lines(&out.stdout);
        assert_eq!(pairs.len(), 1, "{pairs:?}");
        pairs.into_iter().next().unwrap()
    };
    // The checked repost is later than the indexed source: the source stays the source, against
    // the text.
    let p = check(Some(json!("2024-03-05")), true);
    assert_eq!(
        (&p["source"], &p["derived"], &p["direction_by"]),
        (&json!("long"), &json!("repost"), &json!("date"))
    );
    assert_eq!(p["source_date"], "2024-03-01T08:00:00Z");
    assert_eq!(p["derived_date"], "2024-03-05");
    // Earlier than the source: the checked document is the source.
    let p = check(Some(json!("2024-02-01")), true);
    assert_eq!(
        (&p["source"], &p["derived"], &p["direction_by"]),
        (&json!("repost"), &json!("long"), &json!("date"))
    );
    // Undated, or dates not read from the checked documents: the text decides, and the source's
    // date is still said.
    for p in [check(None, true), check(Some(json!("2024-03-05")), false)] {
        assert_eq!(p["derived"], "long", "{p}");
        assert_ne!(p["direction_by"], "date", "{p}");
        assert_eq!(p["derived_date"], "2024-03-01T08:00:00Z", "{p}");
        assert!(p.get("source_date").is_none(), "{p}");
    }
    // The terminal view says it in words.
    write(
        &d.join("q.jsonl"),
        &[record("repost", &t.repost, Some(json!("2024-03-05")))],
    );
    let out = run_in(
        d,
        &[
            "check",
            "--index",
            "s.ndx",
            "q.jsonl",
            "--date-field",
            "date",
            "--color",
            "never",
        ],
    );
    let view = text(&out.stdout);
    assert!(
        view.contains(
            "direction: the dates say long came first (2024-03-01T08:00:00Z; repost 2024-03-05)"
        ),
        "{view}"
    );
}

#[test]
fn the_seeds_keep_the_blog_as_the_copy_with_and_without_dates() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (article, blog) = (util::read_repo(ARTICLE), util::read_repo(REPOST));
    // The real dates: the article on July 21, 2023, the blog ("Saturday, July 22, 2023") after.
    let lines = [
        record("blog", &blog, Some(json!("2023-07-22"))),
        record(
            "article",
            &article,
            Some(json!("2023-07-21T09:30:00-04:00")),
        ),
    ];
    for dates in [false, true] {
        let p = dedup_pair(d, &lines, dates);
        assert_eq!(
            (&p["source"], &p["derived"]),
            (&json!("article"), &json!("blog"))
        );
        let by = if dates { "date" } else { "text" };
        assert_eq!(p["direction_by"], by, "{p}");
    }
    // The seeds as plain files (undated) in a directory, as they are in the repository.
    let out = util::neardup(&["dedup", "seeds", "--out-pairs"])
        .arg(d.join("seeds.jsonl"))
        .output();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let pairs = json_lines(&std::fs::read(d.join("seeds.jsonl")).unwrap());
    let p = pairs
        .iter()
        .find(|p| p["relation"] == "derivative")
        .expect("the seeds are a derivative pair");
    assert_eq!(p["derived"], REPOST);
    assert_eq!(p["source"], ARTICLE);
    assert_eq!(p["direction_by"], "text");
}

#[test]
fn compare_says_how_sure_it_is_from_the_text() {
    let out = util::neardup(&["compare", REPOST, ARTICLE, "--json", "--no-passages"]).output();
    assert!(out.status.success());
    let p = &json_lines(&out.stdout)[0];
    assert_eq!(p["derived"], REPOST);
    assert_eq!(p["direction_by"], "text");
    let confidence = p["direction_confidence"].as_f64().unwrap();
    assert!((0.9..=0.95).contains(&confidence), "{confidence}");
    assert!(p.get("source_date").is_none() && p.get("derived_date").is_none());
    let out = util::neardup(&["compare", REPOST, ARTICLE, "--color", "never"]).output();
    let view = text(&out.stdout);
    assert!(
        view.contains(
            "direction: from the text alone: 81% of 000_97b1e3636e8cd943.txt is in \
             002_41678999f0492237.txt, 32% of 002_41678999f0492237.txt is in \
             000_97b1e3636e8cd943.txt; 002_41678999f0492237.txt has 7 passages of its own \
             inside the text they share, 000_97b1e3636e8cd943.txt 2; confidence 0.95"
        ),
        "{view}"
    );
}

#[test]
fn synth_dates_point_from_every_source_to_its_copies() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let synth = |dates: bool, name: &str| {
        let corpus = format!("{name}.jsonl");
        let truth = format!("{name}.truth");
        let mut args = vec![
            "synth", "--docs", "3000", "--seed", "5", "--out", &corpus, "--truth", &truth,
        ];
        if dates {
            args.push("--dates");
        }
        let out = run_in(d, &args);
        assert!(out.status.success(), "{}", text(&out.stderr));
    };
    synth(true, "dated");
    synth(false, "plain");
    // The truth is the same, and so are the texts and ids: the dates come on top.
    let read = |name: &str| std::fs::read_to_string(d.join(name)).unwrap();
    assert_eq!(read("dated.truth"), read("plain.truth"));
    let dated: Vec<Value> = json_lines(read("dated.jsonl").as_bytes());
    let plain: Vec<Value> = json_lines(read("plain.jsonl").as_bytes());
    let undated = dated.iter().filter(|r| r.get("date").is_none()).count();
    assert!((150..330).contains(&undated), "{undated}");
    for (a, b) in dated.iter().zip(&plain) {
        assert_eq!((&a["id"], &a["text"]), (&b["id"], &b["text"]));
        assert!(b.get("date").is_none());
    }
    // Every derivative pair whose two dates are known and differ is directed as the truth says.
    let out = run_in(
        d,
        &[
            "dedup",
            "dated.jsonl",
            "--date-field",
            "date",
            "--out-pairs",
            "pairs.jsonl",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let truth: Value = serde_json::from_str(&read("dated.truth")).unwrap();
    let sources: HashMap<(String, String), String> = truth["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let (s, dd) = (
                p["source"].as_str().unwrap(),
                p["derived"].as_str().unwrap(),
            );
            let key = (s.min(dd).to_owned(), s.max(dd).to_owned());
            (key, s.to_owned())
        })
        .collect();
    let (mut by_date, mut same_date) = (0, 0);
    for p in json_lines(read("pairs.jsonl").as_bytes()) {
        if p["relation"] != "derivative" {
            continue;
        }
        let (a, b) = (p["a"].as_str().unwrap(), p["b"].as_str().unwrap());
        let Some(source) = sources.get(&(a.min(b).to_owned(), a.max(b).to_owned())) else {
            continue;
        };
        if p["direction_by"] == "date" {
            by_date += 1;
            assert_eq!(&p["source"], source, "{p}");
            assert!(
                p["source_date"].as_str() < p["derived_date"].as_str(),
                "{p}"
            );
        } else if p.get("source_date").is_some() && p["source_date"] == p["derived_date"] {
            same_date += 1;
        }
    }
    assert!(by_date > 100, "{by_date}");
    assert!(same_date > 0, "{same_date}");
}
