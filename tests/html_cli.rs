//! Drives the real binary's `--html` outputs: `compare` on the seeds, `dedup` on a generated corpus
//! (JSON Lines, standard input) and on the seeds directory (plain files), and a report that cannot
//! be written. The page's data block is parsed back and checked against the inputs.

mod util;

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;
use util::{json_lines, lossy, neardup, read_repo, ARTICLE, REPOST};

/// The JSON data block of a report.
fn data(html: &str) -> Value {
    let open = "<script type=\"application/json\" id=\"neardup-data\">";
    let start = html.find(open).expect("a data block") + open.len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

fn span(v: &Value) -> Option<(usize, usize)> {
    v.as_array().map(|s| {
        (
            s[0].as_u64().unwrap() as usize,
            s[1].as_u64().unwrap() as usize,
        )
    })
}

/// A slice of a text by UTF-16 offsets, as the page's script takes it.
fn utf16_slice(text: &str, (s, e): (usize, usize)) -> String {
    let units: Vec<u16> = text.encode_utf16().collect();
    String::from_utf16(&units[s..e]).unwrap()
}

/// The texts of one pair's passages of `kind` on side `side` ("a" or "b").
fn passage_texts(d: &Value, pair: usize, kind: &str, side: &str) -> Vec<String> {
    let p = &d["pairs"][pair];
    let doc = p[side].as_u64().unwrap() as usize;
    let text = d["docs"][doc]["text"].as_str().unwrap();
    p["passages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["kind"] == kind)
        .filter_map(|x| span(&x[side]))
        .map(|s| utf16_slice(text, s))
        .collect()
}

fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn compare_writes_the_seed_pair_report() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seeds-report.html");
    let out = neardup(&["compare", REPOST, ARTICLE, "--html", path.to_str().unwrap()]).output();
    assert!(out.status.success(), "{}", lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with(&format!("{REPOST} is a derivative of {ARTICLE}")));
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"));
    let d = data(&html);
    assert_eq!(d["docs"][0]["id"], REPOST);
    assert_eq!(d["docs"][0]["text"], read_repo(REPOST));
    assert_eq!(d["docs"][1]["text"], read_repo(ARTICLE));
    let p = &d["pairs"][0];
    assert_eq!(p["relation"], "derivative");
    assert_eq!(p["derived"], "a");
    assert_eq!(
        (&p["a_only"], &p["b_only"]),
        (&"added".into(), &"dropped".into())
    );
    let verdict = p["verdict"].as_str().unwrap();
    assert!(
        verdict.starts_with(
            "000_97b1e3636e8cd943.txt is a derivative of 002_41678999f0492237.txt: 81% of it \
             comes from the source; it drops 68% of the source and adds"
        ),
        "{verdict}"
    );
    let added = flat(&passage_texts(&d, 0, "a_only", "a").join(" | "));
    assert!(added.contains("Saturday, July 22, 2023"), "{added}");
    assert!(added.contains("No comments: Post a Comment"), "{added}");
    let dropped = flat(&passage_texts(&d, 0, "b_only", "b").join(" | "));
    assert!(dropped.contains("said Ryan Hass"), "{dropped}");
    // A changed passage carries its edits, "d eals" against "agreements" among them.
    let edits: Vec<String> = d["pairs"][0]["passages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|x| x["edits"].as_array().cloned().unwrap_or_default())
        .filter_map(|e| span(&e["a"]).map(|s| utf16_slice(&read_repo(REPOST), s)))
        .collect();
    assert!(edits.iter().any(|e| e == "d eals"), "{edits:?}");
}

#[test]
fn compare_without_passages_still_aligns_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.html");
    let out = neardup(&[
        "compare",
        REPOST,
        ARTICLE,
        "--json",
        "--no-passages",
        "--html",
        path.to_str().unwrap(),
    ])
    .output();
    assert!(out.status.success(), "{}", lossy(&out.stderr));
    let record: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(record.get("passages").is_none(), "{record}");
    let d = data(&std::fs::read_to_string(&path).unwrap());
    assert!(!passage_texts(&d, 0, "a_only", "a").is_empty());
}

#[test]
fn an_unwritable_report_is_a_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-such-dir").join("r.html");
    let out = neardup(&["compare", REPOST, ARTICLE, "--html", path.to_str().unwrap()]).output();
    assert_eq!(out.status.code(), Some(2));
    let err = lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(&format!(
            "neardup: error: {}: cannot write: ",
            path.display()
        )),
        "{err}"
    );
    let out = neardup(&["dedup", "seeds", "--html", path.to_str().unwrap()]).output();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        lossy(&out.stderr).contains("cannot write"),
        "{}",
        lossy(&out.stderr)
    );
}

/// A generated corpus of JSON Lines, its texts by id, and its pairs file after a run.
struct Run {
    dir: tempfile::TempDir,
    texts: HashMap<String, String>,
}

impl Run {
    fn corpus(docs: usize) -> Run {
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("c.jsonl");
        let out = neardup(&[
            "synth",
            "--docs",
            &docs.to_string(),
            "--seed",
            "7",
            "--derived",
            "0.3",
            "--out",
            corpus.to_str().unwrap(),
        ])
        .output();
        assert!(out.status.success(), "{}", lossy(&out.stderr));
        let texts = std::fs::read_to_string(&corpus)
            .unwrap()
            .lines()
            .map(|l| {
                let v: Value = serde_json::from_str(l).unwrap();
                (
                    v["id"].as_str().unwrap().to_string(),
                    v["text"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        Run { dir, texts }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_str().unwrap().to_string()
    }

    /// Runs dedup with `args` after the inputs; returns the report's data and the pairs file's
    /// (a, b) ids.
    fn dedup(&self, inputs: &[&str], args: &[&str], stdin: Option<&[u8]>) -> (Value, Vec<Value>) {
        let (pairs, html) = (self.path("p.jsonl"), self.path("r.html"));
        let mut all: Vec<&str> = vec!["dedup"];
        all.extend(inputs);
        all.extend(["--out-pairs", &pairs, "--html", &html]);
        all.extend(args);
        let mut run = neardup(&all);
        if let Some(bytes) = stdin {
            run = run.stdin(bytes);
        }
        let out = run.output();
        assert!(out.status.success(), "{}", lossy(&out.stderr));
        let records = json_lines(&std::fs::read(&pairs).unwrap());
        (data(&std::fs::read_to_string(&html).unwrap()), records)
    }
}

fn id_pair(d: &Value, p: &Value) -> (String, String) {
    let id = |k: &str| {
        d["docs"][p[k].as_u64().unwrap() as usize]["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    (id("a"), id("b"))
}

#[test]
fn dedup_report_embeds_every_pair_with_its_texts() {
    let run = Run::corpus(400);
    let corpus = run.path("c.jsonl");
    let (d, records) = run.dedup(&[&corpus], &[], None);
    assert!(
        records.len() >= 10,
        "a corpus with copies: {}",
        records.len()
    );
    let dedup = &d["dedup"];
    assert_eq!(dedup["left_out"], 0);
    assert_eq!(dedup["figures"]["read"], 400);
    assert_eq!(dedup["figures"]["pairs"], records.len());
    let embedded: BTreeSet<(String, String)> = d["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| id_pair(&d, p))
        .collect();
    let listed: BTreeSet<(String, String)> = records
        .iter()
        .map(|r| {
            (
                r["a"].as_str().unwrap().into(),
                r["b"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(embedded, listed);
    // Each text is embedded once, and it is the document's text.
    let docs = d["docs"].as_array().unwrap();
    let ids: BTreeSet<&str> = docs.iter().map(|x| x["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), docs.len());
    for x in docs {
        assert_eq!(
            x["text"].as_str().unwrap(),
            run.texts[x["id"].as_str().unwrap()]
        );
    }
    // Every pair is aligned, its passages covering words on both sides.
    for (k, p) in d["pairs"].as_array().unwrap().iter().enumerate() {
        let kinds: Vec<&str> = p["passages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["kind"].as_str().unwrap())
            .collect();
        assert!(
            kinds.iter().any(|k| *k == "shared" || *k == "changed"),
            "pair {k}: {kinds:?}"
        );
    }
    // Cluster members link to views of pairs that contain them.
    let mut linked = 0;
    for g in dedup["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .chain(dedup["sources"].as_array().unwrap())
    {
        for m in g["members"].as_array().unwrap() {
            if let Some(v) = m["view"].as_u64() {
                let (a, b) = id_pair(&d, &d["pairs"][v as usize]);
                assert!(a == m["id"] || b == m["id"], "{m} in {a}, {b}");
                linked += 1;
            }
        }
    }
    assert!(linked > 0);
}

#[test]
fn dedup_report_keeps_its_bound_and_says_what_it_left_out() {
    let run = Run::corpus(400);
    let corpus = std::fs::read(run.path("c.jsonl")).unwrap();
    // From standard input: the run holds the texts instead of reading the file again.
    let (d, records) = run.dedup(&["-"], &["--html-max-pairs", "7"], Some(&corpus));
    let views = d["pairs"].as_array().unwrap();
    assert_eq!(views.len(), 7);
    assert_eq!(d["dedup"]["left_out"], records.len() - 7);
    // The bound holds the pairs that explain removals: the first cluster's first member's.
    let first = &d["dedup"]["clusters"][0];
    if !first.is_null() {
        assert_eq!(first["members"][0]["view"], 0, "{first}");
    }
    for x in d["docs"].as_array().unwrap() {
        assert_eq!(
            x["text"].as_str().unwrap(),
            run.texts[x["id"].as_str().unwrap()]
        );
    }
    let (d, _) = run.dedup(&["-"], &["--html-max-pairs", "0"], Some(&corpus));
    assert!(d["pairs"].as_array().unwrap().is_empty());
    assert!(d["docs"].as_array().unwrap().is_empty());
}

#[test]
fn dedup_report_of_plain_files() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("d.html");
    let out = neardup(&["dedup", "seeds", "--html", html.to_str().unwrap()]).output();
    assert!(out.status.success(), "{}", lossy(&out.stderr));
    let d = data(&std::fs::read_to_string(&html).unwrap());
    assert_eq!(d["pairs"].as_array().unwrap().len(), 1);
    let (a, b) = id_pair(&d, &d["pairs"][0]);
    assert_eq!((a.as_str(), b.as_str()), (REPOST, ARTICLE));
    assert_eq!(d["docs"][0]["text"], read_repo(REPOST));
    let sources = d["dedup"]["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 1);
    assert_eq!(sources[0]["head"], ARTICLE);
    assert_eq!(sources[0]["members"][0]["id"], REPOST);
    assert_eq!(sources[0]["members"][0]["view"], 0);
    assert_eq!(d["dedup"]["figures"]["removed_derivatives"], 1);
}
