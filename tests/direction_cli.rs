//! Which one is the copy, from the text alone (issue 15), through the binary: commentary-heavy
//! reposts of the real seed article, which drop a third of its sentences and add about as much
//! of their own, are called the copy whichever way their quotes changed (straightened, or curled
//! by a publishing system), and two reposts of one article in a dedup are siblings of it, not
//! one the other's source.

mod util;

use serde_json::{json, Value};
use util::{json_lines, read_repo, run_in, ARTICLE};

/// The blogger's own words: a paragraph on another subject, as commentary is.
const COMMENTARY: &str = "I have been writing about energy prices on this blog for years, and \
     the pattern never changes. Every winter the same promises are made about new pipelines, \
     and every spring the contracts turn out to be smaller than announced. Readers who follow \
     the shipping numbers will know what to expect before the officials say a word.";

/// A date line, and a comment box under the text.
const DATE_LINE: &str = "Posted on July 22, 2023 by newsdesk";
const COMMENT_BOX: &str =
    "3 Comments\n\nLeave a Reply\n\nYour email address will not be published.";

/// The article's sentences, in order (a sentence ends at a full stop, with its closing quote).
fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        current.push(c);
        let closing = matches!(chars.get(i + 1), Some('”' | '"'));
        let end = c == '.' && !closing || matches!(c, '”' | '"') && i > 0 && chars[i - 1] == '.';
        if end && chars.get(i + 1).is_none_or(|n| n.is_whitespace()) {
            out.push(current.trim().to_string());
            current.clear();
        }
    }
    if !current.trim().is_empty() {
        out.push(current.trim().to_string());
    }
    out
}

fn straight(text: &str) -> String {
    text.replace(['“', '”'], "\"").replace(['‘', '’'], "'")
}

fn curled(text: &str) -> String {
    let mut out = String::new();
    let mut prev = ' ';
    for c in text.chars() {
        out.push(match c {
            '"' if prev.is_whitespace() || prev == '(' => '“',
            '"' => '”',
            '\'' if prev.is_whitespace() => '‘',
            '\'' => '’',
            c => c,
        });
        prev = c;
    }
    out
}

/// A commentary repost of `source`: one sentence in `every` dropped (starting at `offset`), the
/// commentary on top, a date line and a comment box.
fn commentary_repost(source: &str, every: usize, offset: usize) -> String {
    let kept: Vec<String> = sentences(source)
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !(i + offset).is_multiple_of(every))
        .map(|(_, s)| s)
        .collect();
    format!(
        "{DATE_LINE}\n\n{COMMENTARY}\n\n{}\n\n{COMMENT_BOX}",
        kept.join(" ")
    )
}

/// `compare --json` on two texts written to `dir`; the pair record.
fn compare(dir: &std::path::Path, a: (&str, &str), b: (&str, &str)) -> Value {
    std::fs::write(dir.join(a.0), a.1).unwrap();
    std::fs::write(dir.join(b.0), b.1).unwrap();
    let out = run_in(dir, &["compare", a.0, b.0, "--json", "--no-passages"]);
    assert!(out.status.success(), "{}", util::text(&out.stderr));
    json_lines(&out.stdout).remove(0)
}

#[test]
fn a_commentary_repost_is_the_copy_whichever_way_its_quotes_changed() {
    let dir = tempfile::tempdir().unwrap();
    let article = read_repo(ARTICLE);
    assert!(article.contains('“'), "the seed article has curly quotes");
    // The copy lost the curly quotes; then a straight-quoted original whose copy gained them.
    let cases = [
        (
            "lost",
            article.clone(),
            straight(&commentary_repost(&article, 3, 0)),
        ),
        (
            "gained",
            straight(&article),
            curled(&commentary_repost(&straight(&article), 3, 0)),
        ),
    ];
    for (how, source, copy) in cases {
        assert_ne!(
            copy.contains('“'),
            source.contains('“'),
            "{how}: the quote style changed"
        );
        let p = compare(dir.path(), ("copy.txt", &copy), ("source.txt", &source));
        let case = format!("{how}: {p}");
        assert_eq!(p["relation"], "derivative", "{case}");
        // The copy adds about as much as it drops: the containments alone are close.
        let (c_copy, c_source) = (
            p["containment_a_in_b"].as_f64().unwrap(),
            p["containment_b_in_a"].as_f64().unwrap(),
        );
        assert!((c_copy - c_source).abs() < 0.25, "{case}");
        assert_eq!(p["derived"], "copy.txt", "{case}");
        assert_eq!(p["direction_by"], "text", "{case}");
        // Either argument order gives the same answer.
        let q = compare(dir.path(), ("source.txt", &source), ("copy.txt", &copy));
        assert_eq!(q["derived"], "copy.txt", "{how} reversed: {q}");
    }
}

#[test]
fn two_reposts_of_one_article_are_its_siblings() {
    let dir = tempfile::tempdir().unwrap();
    let article = read_repo(ARTICLE);
    // Two reposts that drop different fifths of the sentences: each is inside the article, and
    // they share three fifths of it, so they match each other too.
    let first = commentary_repost(&article, 5, 0).replace(COMMENTARY, "Worth reading in full.");
    let second = commentary_repost(&article, 5, 2).replace(COMMENTARY, "Via the wire, as posted.");
    let records = [
        json!({"id": "article", "text": article}),
        json!({"id": "first", "text": first}),
        json!({"id": "second", "text": second}),
    ];
    let lines: Vec<String> = records.iter().map(Value::to_string).collect();
    std::fs::write(dir.path().join("c.jsonl"), lines.join("\n") + "\n").unwrap();
    let out = run_in(
        dir.path(),
        &[
            "dedup",
            "c.jsonl",
            "--out-pairs",
            "pairs.jsonl",
            "--out-kept",
            "kept.jsonl",
        ],
    );
    assert!(out.status.success(), "{}", util::text(&out.stderr));
    let pairs = json_lines(&std::fs::read(dir.path().join("pairs.jsonl")).unwrap());
    let pair = |x: &str, y: &str| {
        pairs
            .iter()
            .find(|p| (p["a"] == x && p["b"] == y) || (p["a"] == y && p["b"] == x))
            .unwrap_or_else(|| panic!("no pair {x} {y} in {pairs:?}"))
            .clone()
    };
    for copy in ["first", "second"] {
        let p = pair("article", copy);
        assert_eq!(
            (&p["relation"], &p["source"], &p["derived"]),
            (&json!("derivative"), &json!("article"), &json!(copy)),
            "{p}"
        );
        assert_ne!(p["direction_by"], "siblings", "{p}");
    }
    let s = pair("first", "second");
    assert_eq!(s["relation"], "derivative", "{s}");
    assert_eq!(s["direction_by"], "siblings", "{s}");
    assert_eq!(s["siblings_of"], "article", "{s}");
    assert_eq!(s["direction_confidence"], 0.5, "{s}");
    // Both reposts go, as derivatives of the article; the article stays.
    let kept = json_lines(&std::fs::read(dir.path().join("kept.jsonl")).unwrap());
    let ids: Vec<&Value> = kept.iter().map(|r| &r["id"]).collect();
    assert_eq!(ids, [&json!("article")]);
}
