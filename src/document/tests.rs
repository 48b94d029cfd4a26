//! The stage's tests that span its layers: [`Document`]'s own, then the corpus reader end to
//! end, every layer at once: files written to a temporary directory (plain, gzip, zstd; JSON
//! Lines and plain text; trees), read back through [`CorpusReader`] in both of its modes, and
//! compared with tables of what must come out, documents and errors alike. The helpers are
//! shared with the layers' own tests (`walk`, `stream`).

use std::io::Write;
use std::ops::ControlFlow;
use std::path::Path;

use super::lines::Placed;
use super::*;

#[test]
fn words() {
    assert!(Document::new("x", " \n—…! ").has_no_words());
    assert!(!Document::new("x", "ok").has_no_words());
}

/// How a test file is written.
#[derive(Clone, Copy)]
pub(super) enum Enc {
    Plain,
    Gz,
    Zst,
}

pub(super) fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

pub(super) fn zst(bytes: &[u8]) -> Vec<u8> {
    zstd::encode_all(bytes, 3).unwrap()
}

/// Writes `files` (relative path, encoding, contents) under `dir`.
pub(super) fn write_tree(dir: &Path, files: &[(&str, Enc, &[u8])]) {
    for (rel, enc, contents) in files {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let bytes = match enc {
            Enc::Plain => contents.to_vec(),
            Enc::Gz => gz(contents),
            Enc::Zst => zst(contents),
        };
        std::fs::write(path, bytes).unwrap();
    }
}

pub(super) fn spec_in(dir: &Path, inputs: &[&str]) -> CorpusSpec {
    CorpusSpec::new(inputs.iter().map(|i| dir.join(i)))
}

pub(super) fn collect(spec: &CorpusSpec) -> Result<(Vec<CorpusDoc>, CorpusSummary), ReadError> {
    let mut docs = Vec::new();
    let summary = read_corpus(spec, |doc| {
        docs.push(doc);
        ControlFlow::Continue(())
    })?;
    Ok((docs, summary))
}

/// `{d}` in `pattern` replaced by the directory.
pub(super) fn at(dir: &Path, pattern: &str) -> String {
    pattern.replace("{d}", &dir.to_string_lossy())
}

pub(super) const JSONL: &[u8] = b"{\"id\":\"a\",\"text\":\"Alpha text\"}\n\
    \n\
    {\"text\":\"no id here\"}\n  \t\n\
    {\"id\":123,\"text\":\"numeric\"}\n\
    {\"id\":-7,\"text\":\"\"}\n\
    {\"id\":null,\"text\":\"esc \\\"q\\\" \\u00e9\"}";

#[test]
fn corpus_inputs_table() {
    // (name, files, inputs, (id field, text field), wanted (id, text, line, input index))
    type Want = (&'static str, &'static str, Option<usize>, usize);
    let jsonl_want: &[Want] = &[
        ("a", "Alpha text", Some(1), 0),
        ("{d}/c.jsonl:3", "no id here", Some(3), 0),
        ("123", "numeric", Some(5), 0),
        ("-7", "", Some(6), 0),
        ("{d}/c.jsonl:7", "esc \"q\" é", Some(7), 0),
    ];
    let custom: &[u8] =
        b"{\"body\":\"the body\",\"text\":7,\"url\":\"u1\",\"meta\":{\"a\":[1,{}]}}\n\
        {\"url\":2.5,\"body\":\"second\"}\n{\"url\":12345678901234,\"body\":\"third\"}\r\n";
    let cases: &[(&str, &[(&str, Enc, &[u8])], &[&str], (&str, &str), &[Want])] = &[
        (
            "plain file",
            &[("a.txt", Enc::Plain, b"Just text.\nTwo lines.")],
            &["a.txt"],
            ("id", "text"),
            &[("{d}/a.txt", "Just text.\nTwo lines.", None, 0)],
        ),
        (
            "jsonl with/without ids, numeric id, blank lines",
            &[("c.jsonl", Enc::Plain, JSONL)],
            &["c.jsonl"],
            ("id", "text"),
            jsonl_want,
        ),
        (
            "custom field names, other fields skipped whatever their type",
            &[("c.ndjson", Enc::Plain, custom)],
            &["c.ndjson"],
            ("url", "body"),
            &[
                ("u1", "the body", Some(1), 0),
                ("2.5", "second", Some(2), 0),
                ("12345678901234", "third", Some(3), 0),
            ],
        ),
        (
            "jsonl.gz",
            &[(
                "c.jsonl.gz",
                Enc::Gz,
                b"{\"id\":\"g\",\"text\":\"gz text\"}\n",
            )],
            &["c.jsonl.gz"],
            ("id", "text"),
            &[("g", "gz text", Some(1), 0)],
        ),
        (
            "jsonl.zst, no final newline",
            &[(
                "c.JSONL.ZST",
                Enc::Zst,
                b"{\"id\":\"z\",\"text\":\"zst text\"}",
            )],
            &["c.JSONL.ZST"],
            ("id", "text"),
            &[("z", "zst text", Some(1), 0)],
        ),
        (
            "txt.gz and txt.zst are plain documents, decompressed",
            &[
                ("a.txt.gz", Enc::Gz, b"gzipped plain"),
                ("b.txt.zst", Enc::Zst, b"zstd plain"),
            ],
            &["a.txt.gz", "b.txt.zst"],
            ("id", "text"),
            &[
                ("{d}/a.txt.gz", "gzipped plain", None, 0),
                ("{d}/b.txt.zst", "zstd plain", None, 1),
            ],
        ),
        (
            "directory tree: sorted, recursive, hidden skipped, json lines inside",
            &[
                ("t/b.txt", Enc::Plain, b"b"),
                ("t/a/z.txt", Enc::Plain, b"a/z"),
                ("t/a/y/x.md", Enc::Plain, b"a/y/x"),
                ("t/.hidden.txt", Enc::Plain, b"hidden"),
                ("t/.git/config", Enc::Plain, b"hidden dir"),
                ("t/a/.DS_Store", Enc::Plain, b"hidden"),
                (
                    "t/c.jsonl.gz",
                    Enc::Gz,
                    b"{\"id\":\"in-c\",\"text\":\"c\"}\n",
                ),
                ("t/B.txt", Enc::Plain, b"upper case first"),
                ("empty/.keep", Enc::Plain, b""),
            ],
            &["t", "empty", "t/b.txt"],
            ("id", "text"),
            &[
                ("{d}/t/B.txt", "upper case first", None, 0),
                ("{d}/t/a/y/x.md", "a/y/x", None, 0),
                ("{d}/t/a/z.txt", "a/z", None, 0),
                ("{d}/t/b.txt", "b", None, 0),
                ("in-c", "c", Some(1), 0),
                ("{d}/t/b.txt", "b", None, 2),
            ],
        ),
        (
            "an explicitly named hidden file is read",
            &[(".h.jsonl", Enc::Plain, b"{\"id\":1,\"text\":\"t\"}")],
            &[".h.jsonl"],
            ("id", "text"),
            &[("1", "t", Some(1), 0)],
        ),
    ];
    for (name, files, inputs, (id_field, text_field), want) in cases {
        let dir = tempfile::tempdir().unwrap();
        write_tree(dir.path(), files);
        let mut spec = spec_in(dir.path(), inputs);
        spec.id_field = id_field.to_string();
        spec.text_field = text_field.to_string();
        let (docs, summary) = collect(&spec).unwrap_or_else(|e| panic!("{name}: {e}"));
        let got: Vec<(String, String, Option<usize>, usize)> = docs
            .iter()
            .map(|d| (d.id.clone(), d.text.clone(), d.origin.line, d.origin.input))
            .collect();
        let want: Vec<(String, String, Option<usize>, usize)> = want
            .iter()
            .map(|(id, text, line, input)| (at(dir.path(), id), text.to_string(), *line, *input))
            .collect();
        assert_eq!(got, want, "{name}");
        let ordinals: Vec<u64> = docs.iter().map(|d| d.ordinal).collect();
        assert_eq!(
            ordinals,
            (0..docs.len() as u64).collect::<Vec<_>>(),
            "{name}"
        );
        assert_eq!(summary.docs, docs.len() as u64, "{name}");
        assert!(summary.skipped.is_empty(), "{name}");
        for doc in &docs {
            // JSON Lines documents keep their line, plain ones do not.
            assert_eq!(doc.raw.is_some(), doc.origin.line.is_some(), "{name}");
            assert_eq!(
                doc.raw.is_some(),
                doc.origin.byte_offset.is_some(),
                "{name}"
            );
        }
    }
}

#[test]
fn raw_is_the_line_and_offsets_point_at_it() {
    let lines: [&[u8]; 4] = [
        b"\xef\xbb\xbf{\"id\":\"bom\",\"text\":\"x\"}",
        b"  { \"extra\" : [1, 2.50, {\"k\": null}],\t\"text\" :\"caf\\u00e9\",\"id\":\"s\"  }  ",
        b"{\"text\":\"crlf\",\"id\":\"c\"}\r",
        "{\"text\":\"é “q”\"}".as_bytes(),
    ];
    let mut file = lines.join(&b"\n"[..]);
    file.extend_from_slice(b"\n\n");
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            ("r.jsonl", Enc::Plain, &file),
            ("r.jsonl.zst", Enc::Zst, &file),
        ],
    );
    let (docs, summary) = collect(&spec_in(dir.path(), &["r.jsonl", "r.jsonl.zst"])).unwrap();
    assert_eq!(docs.len(), 8);
    assert_eq!(summary.bytes, 2 * file.len() as u64);
    assert_eq!(summary.files, 2);
    for (i, doc) in docs.iter().enumerate() {
        let raw = doc.raw.as_deref().unwrap();
        let start = doc.origin.byte_offset.unwrap() as usize;
        assert_eq!(&file[start..start + raw.len()], raw, "doc {i}");
        let line = lines[i % 4];
        let want = if i % 4 == 0 { &line[3..] } else { line };
        assert_eq!(raw, want, "doc {i}");
        assert_eq!(doc.origin.line, Some(i % 4 + 1));
    }
    assert_eq!(docs[0].origin.byte_offset, Some(3));
    assert_eq!(docs[1].text, "café");
    assert_eq!(docs[2].text, "crlf");
    assert_eq!(docs[3].text, "é “q”");
}

/// Runs a one-file corpus in stop mode and returns the error.
fn error_of(name: &str, bytes: &[u8], fields: (&str, &str)) -> (ReadError, Vec<CorpusDoc>) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), bytes).unwrap();
    let mut spec = spec_in(dir.path(), &[name]);
    spec.id_field = fields.0.to_owned();
    spec.text_field = fields.1.to_owned();
    let mut docs = Vec::new();
    let mut reader = CorpusReader::new(&spec);
    let error = loop {
        match reader.next() {
            Some(Ok(doc)) => docs.push(doc),
            Some(Err(e)) => break e,
            None => panic!("{name}: no error"),
        }
    };
    assert!(
        reader.next().is_none(),
        "{name}: the reader ends after an error"
    );
    (error, docs)
}

#[test]
fn corpus_errors_table() {
    let good = "{\"id\":\"ok\",\"text\":\"fine\"}\n".repeat(2);
    let big: String = (0..5000)
        .map(|i| format!("{{\"id\":{i},\"text\":\"document number {i} with some words\"}}\n"))
        .collect();
    let truncated_gz = {
        let z = gz(big.as_bytes());
        z[..z.len() / 2].to_vec()
    };
    let truncated_zst = {
        let z = zst(big.as_bytes());
        z[..z.len() / 2].to_vec()
    };
    let mut bad_utf8 = good.clone().into_bytes();
    bad_utf8.extend_from_slice(b"{\"text\":\"ab\xffcd\"}\n");
    let fields = ("id", "text");
    // (file name, contents, fields, good docs before, message after "path:")
    let cases: Vec<(&str, Vec<u8>, (&str, &str), usize, &str)> = vec![
        (
            "m.jsonl",
            format!("{good}\n{{\"id\":\"x\",\"text\":\"y\" \"z\"}}\n").into_bytes(),
            fields,
            2,
            ":4: malformed JSON at column 22: expected `,` or `}`",
        ),
        (
            "t.jsonl",
            format!("{good}{{\"id\":1,\"text\":\"y\"}} x\n").into_bytes(),
            fields,
            2,
            ":3: malformed JSON at column 21: trailing characters",
        ),
        (
            "n.jsonl",
            b"[1,2]\n".to_vec(),
            fields,
            0,
            ":1: expected a JSON object, found an array",
        ),
        (
            "s.jsonl",
            b"\"str\"".to_vec(),
            fields,
            0,
            ":1: expected a JSON object, found a string",
        ),
        (
            "u.jsonl",
            b"nope".to_vec(),
            fields,
            0,
            ":1: malformed JSON at column 2: expected ident",
        ),
        (
            "f.jsonl",
            b"{\"id\":\"a\"}".to_vec(),
            fields,
            0,
            ":1: no `text` field",
        ),
        (
            "g.jsonl",
            b"{\"id\":\"a\",\"text\":\"x\"}\n{\"id\":\"b\",\"text\":\"x\"}".to_vec(),
            ("id", "body"),
            0,
            ":1: no `body` field",
        ),
        (
            "w.jsonl",
            b"{\"text\":5}".to_vec(),
            fields,
            0,
            ":1: field `text` is a number, expected a string",
        ),
        (
            "x.jsonl",
            b"{\"text\":null}".to_vec(),
            fields,
            0,
            ":1: field `text` is null, expected a string",
        ),
        (
            "i.jsonl",
            b"{\"text\":\"t\",\"id\":true}".to_vec(),
            fields,
            0,
            ":1: field `id` is a boolean, expected a string or a number",
        ),
        (
            "o.jsonl",
            b"{\"text\":\"t\",\"id\":{\"a\":1}}".to_vec(),
            fields,
            0,
            ":1: field `id` is an object, expected a string or a number",
        ),
        (
            "d.jsonl",
            b"{\"text\":\"t\",\"text\":\"u\"}".to_vec(),
            fields,
            0,
            ":1: field `text` appears more than once",
        ),
        (
            "b.jsonl",
            bad_utf8,
            fields,
            2,
            ":3: invalid UTF-8 at line 3, column 12 (byte 63)",
        ),
        (
            "c.jsonl.gz",
            truncated_gz,
            fields,
            0,
            "corrupt or truncated gzip stream",
        ),
        (
            "c.jsonl.zst",
            truncated_zst,
            fields,
            0,
            "corrupt or truncated zstd stream",
        ),
        (
            "p.txt.gz",
            b"not gzip at all".to_vec(),
            fields,
            0,
            ": corrupt or truncated gzip stream",
        ),
        (
            "bin.txt",
            b"\x89PNG\0".to_vec(),
            fields,
            0,
            ": binary file (NUL byte at line 1, column 5 (byte 4))",
        ),
        (
            "l.txt",
            b"ok\n\xc3(".to_vec(),
            fields,
            0,
            ": invalid UTF-8 at line 2, column 1 (byte 3)",
        ),
    ];
    for (name, bytes, fields, before, want) in &cases {
        let (error, docs) = error_of(name, bytes, *fields);
        let message = error.to_string();
        // Truncated streams stop at a line that depends on the compressor: their `want` has no
        // line, and the line is checked below.
        let whole = format!("{name}{want}");
        let found = if want.starts_with(':') {
            message.contains(&whole)
        } else {
            message.contains(*name) && message.contains(*want)
        };
        assert!(found, "{name}: {message:?} lacks {want:?}");
        if want.starts_with(':') {
            assert_eq!(docs.len(), *before, "{name}: documents before the error");
        }
    }
    // A truncated stream names the line it reached, well into the file.
    let (error, docs) = error_of("c.jsonl.gz", &cases[13].1, fields);
    assert!(matches!(
        error.kind,
        ReadErrorKind::Decompress { format: "gzip", .. }
    ));
    assert_eq!(error.line, Some(docs.len() + 1), "{error}");
    assert!(docs.len() > 100, "{}", docs.len());
    let (error, docs) = error_of("c.jsonl.zst", &cases[14].1, fields);
    assert!(matches!(
        error.kind,
        ReadErrorKind::Decompress { format: "zstd", .. }
    ));
    assert_eq!(error.line, Some(docs.len() + 1), "{error}");
}

#[test]
fn missing_path_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let spec = spec_in(dir.path(), &["nope.jsonl"]);
    let error = collect(&spec).unwrap_err();
    assert!(matches!(error.kind, ReadErrorKind::NotFound));
    assert_eq!(error.line, None);
    assert_eq!(
        error.to_string(),
        format!("{}/nope.jsonl: no such file", dir.path().display())
    );
}

/// What chunk mode gives, turned into what the iterator gives: documents (ordinals counted
/// here) and skipped entries, in reading order.
fn collect_chunked(
    spec: &CorpusSpec,
    max: usize,
) -> Result<(Vec<CorpusDoc>, Vec<Skipped>), ReadError> {
    let mut reader = CorpusReader::new(spec);
    let (mut docs, mut skipped, mut seen) = (Vec::new(), Vec::new(), 0);
    loop {
        let unit = reader.next_chunk(max);
        skipped.extend_from_slice(&reader.skipped()[seen..]);
        seen = reader.skipped().len();
        match unit {
            None => break,
            Some(Err(e)) => return Err(e),
            Some(Ok(Unit::Doc(doc))) => docs.push(CorpusDoc {
                ordinal: docs.len() as u64,
                ..doc
            }),
            Some(Ok(Unit::Lines(chunk))) => {
                for (line, start, bytes) in chunk.lines() {
                    // A spare buffer holding stale text, as one handed back does.
                    let mut spare = String::from("stale text");
                    let at = chunk.at(line);
                    let parsed = LineChunk::parse(spec, line, start, bytes, &mut spare);
                    match parsed.place(at, true) {
                        Placed::Blank => {}
                        Placed::Record {
                            id,
                            text,
                            date,
                            start,
                            length,
                        } => docs.push(CorpusDoc {
                            ordinal: docs.len() as u64,
                            id,
                            text,
                            date,
                            origin: at.origin(start, Some(length)),
                            raw: spec
                                .keep_raw
                                .then(|| bytes[bytes.len() - length as usize..].to_vec()),
                        }),
                        Placed::Bad { error, origin } => {
                            spec.on_error.decide(error, origin, &mut skipped)?;
                        }
                    }
                }
                // Handed back scribbled over, so that a chunk reading stale bytes of the
                // buffer it fills would show.
                let mut used = chunk.data;
                used.fill(b'#');
                reader.recycle(used);
            }
        }
    }
    Ok((docs, skipped))
}

#[test]
fn chunk_mode_reads_exactly_what_the_iterator_reads() {
    let dir = tempfile::tempdir().unwrap();
    let big: String = (0..3000)
        .map(|i| match i % 50 {
            7 => "\n".to_owned(),
            9 => "{broken\r\n".to_owned(),
            _ => format!("{{\"id\":\"z{i}\",\"text\":\"t\\n{i} \\u00e9\"}}\r\n"),
        })
        .collect();
    let z = gz(big.as_bytes());
    let mut bom = "\u{feff}".as_bytes().to_vec();
    bom.extend_from_slice(JSONL);
    write_tree(
        dir.path(),
        &[
            ("a.jsonl", Enc::Plain, &bom),
            ("b.jsonl", Enc::Plain, big.as_bytes()),
            ("cut.jsonl.gz", Enc::Plain, &z[..z.len() / 2]),
            ("d/bin.txt", Enc::Plain, b"\0"),
            ("d/ok.txt", Enc::Plain, b"plain ok"),
            (
                "d/p.jsonl.zst",
                Enc::Zst,
                b"{\"text\":\"last, no line end\"}",
            ),
        ],
    );
    let inputs = [
        "a.jsonl",
        "missing.txt",
        "b.jsonl",
        "cut.jsonl.gz",
        "d",
        "a.jsonl",
    ];
    let mut spec = spec_in(dir.path(), &inputs);
    spec.on_error = OnError::Skip;
    for keep_raw in [true, false] {
        spec.keep_raw = keep_raw;
        let (want, summary) = collect(&spec).unwrap();
        assert!(want.len() > 3000, "{}", want.len());
        for max in [1, 7, 100, 4096, 1 << 20] {
            let (docs, skipped) = collect_chunked(&spec, max).unwrap();
            assert_eq!(docs, want, "max {max}");
            assert_eq!(skipped, summary.skipped, "max {max}");
        }
    }
    // Stop mode: the same first error.
    spec.on_error = OnError::Stop;
    let want = collect(&spec).unwrap_err().to_string();
    for max in [1, 100, 1 << 20] {
        let got = collect_chunked(&spec, max).unwrap_err().to_string();
        assert_eq!(got, want, "max {max}");
    }
}

#[test]
fn keep_raw_off_drops_raw_but_not_where_it_lies() {
    let dir = tempfile::tempdir().unwrap();
    let file = b"{\"text\":\"a\"}\n\n  {\"text\": \"bb\"}\r\n";
    write_tree(dir.path(), &[("k.jsonl", Enc::Plain, file)]);
    let mut spec = spec_in(dir.path(), &["k.jsonl"]);
    spec.keep_raw = false;
    let (docs, _) = collect(&spec).unwrap();
    let got: Vec<_> = docs
        .iter()
        .map(|d| {
            (
                d.text.as_str(),
                d.raw.is_none(),
                d.origin.byte_offset,
                d.origin.length,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("a", true, Some(0), Some(12)),
            ("bb", true, Some(14), Some(17))
        ]
    );
}

#[test]
fn lossy_repairs_lines_but_raw_keeps_the_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let line: &[u8] = b"{\"text\":\"ab\xffcd\"}";
    write_tree(dir.path(), &[("b.jsonl", Enc::Plain, line)]);
    let mut spec = spec_in(dir.path(), &["b.jsonl"]);
    assert!(matches!(
        collect(&spec).unwrap_err().kind,
        ReadErrorKind::InvalidUtf8(_)
    ));
    spec.lossy = true;
    let (docs, _) = collect(&spec).unwrap();
    assert_eq!(docs[0].text, "ab\u{fffd}cd");
    assert_eq!(docs[0].raw.as_deref(), Some(line));
}

#[test]
fn skip_mode_records_bad_lines_and_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let lines = "{\"id\":\"g1\",\"text\":\"one\"}\n\
        {\"id\":\"b1\",\"text\":\n\
        {\"id\":\"g2\",\"text\":\"two\"}\n\
        \n\
        {\"id\":\"b2\"}\n\
        {\"id\":\"g3\",\"text\":\"\"}\n";
    let big: String = (0..5000)
        .map(|i| format!("{{\"id\":\"z{i}\",\"text\":\"t{i}\"}}\n"))
        .collect();
    let z = gz(big.as_bytes());
    write_tree(
        dir.path(),
        &[
            ("a.jsonl", Enc::Plain, lines.as_bytes()),
            ("cut.jsonl.gz", Enc::Plain, &z[..z.len() / 2]),
            ("d/bin.txt", Enc::Plain, b"\0"),
            ("d/ok.txt", Enc::Plain, b"plain ok"),
        ],
    );
    let mut spec = spec_in(dir.path(), &["a.jsonl", "missing.txt", "cut.jsonl.gz", "d"]);
    spec.on_error = OnError::Skip;
    let (docs, summary) = collect(&spec).unwrap();
    let ids: Vec<&str> = docs
        .iter()
        .map(|d| d.id.as_str())
        .filter(|id| !id.starts_with('z'))
        .collect();
    let ok = at(dir.path(), "{d}/d/ok.txt");
    assert_eq!(ids, ["g1", "g2", "g3", ok.as_str()]);
    let from_cut = docs.iter().filter(|d| d.id.starts_with('z')).count();
    assert!(from_cut > 100 && from_cut < 5000, "{from_cut}");
    assert_eq!(summary.docs, docs.len() as u64);
    let reasons: Vec<String> = summary
        .skipped
        .iter()
        .map(|s| s.to_string().replace(&*dir.path().to_string_lossy(), "{d}"))
        .collect();
    assert_eq!(reasons.len(), 5, "{reasons:#?}");
    assert_eq!(
        reasons[0],
        "{d}/a.jsonl:2: malformed JSON at column 18: EOF while parsing a value"
    );
    assert_eq!(reasons[1], "{d}/a.jsonl:5: no `text` field");
    assert_eq!(reasons[2], "{d}/missing.txt: no such file");
    assert!(
        reasons[3].starts_with(&format!(
            "{{d}}/cut.jsonl.gz:{}: corrupt or truncated gzip stream",
            from_cut + 1
        )),
        "{}",
        reasons[3]
    );
    assert_eq!(
        reasons[4],
        "{d}/d/bin.txt: binary file (NUL byte at line 1, column 1 (byte 0))"
    );
    assert_eq!(summary.skipped[0].origin.input, 0);
    assert_eq!(summary.skipped[3].origin.input, 2);
    assert_eq!(summary.skipped[4].origin.line, None);
    // The same corpus in stop mode stops at the first bad line.
    spec.on_error = OnError::Stop;
    let error = collect(&spec).unwrap_err();
    assert_eq!(error.line, Some(2));
}

#[test]
fn reread_returns_exactly_the_wanted_documents() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl: String = (0..50)
        .map(|i| match i % 10 {
            3 => "{broken\n".to_owned(),
            7 => "\n".to_owned(),
            _ => format!("{{\"x\": {i}, \"id\":\"j{i}\",\"text\":\"text {i}\"}}\n"),
        })
        .collect();
    write_tree(
        dir.path(),
        &[
            ("a.jsonl.gz", Enc::Gz, jsonl.as_bytes()),
            ("p/1.txt", Enc::Plain, b"plain one"),
            ("p/2.txt.zst", Enc::Zst, b"plain two"),
            ("b.jsonl", Enc::Plain, jsonl.as_bytes()),
        ],
    );
    let mut spec = spec_in(dir.path(), &["a.jsonl.gz", "p", "b.jsonl"]);
    spec.on_error = OnError::Skip;
    let (all, summary) = collect(&spec).unwrap();
    assert_eq!(all.len(), 40 + 2 + 40);
    assert_eq!(summary.skipped.len(), 10);
    let cases: &[&[u64]] = &[
        &[],
        &[0],
        &[81],
        &[40, 41],
        &[5, 3, 5, 60, 42, 0],
        &[79, 80, 81, 1000],
    ];
    for wanted in cases {
        let mut got = Vec::new();
        let handed = reread(&spec, wanted, |doc| got.push(doc)).unwrap();
        let mut want: Vec<u64> = wanted
            .iter()
            .copied()
            .filter(|&o| o < all.len() as u64)
            .collect();
        want.sort_unstable();
        want.dedup();
        let want: Vec<&CorpusDoc> = want.iter().map(|&o| &all[o as usize]).collect();
        assert_eq!(handed, want.len() as u64, "{wanted:?}");
        assert_eq!(got.iter().collect::<Vec<_>>(), want, "{wanted:?}");
    }
    let stdin = CorpusSpec::new(["-"]);
    let error = reread(&stdin, &[0], |_| ()).unwrap_err();
    assert!(matches!(error.kind, ReadErrorKind::NotRereadable));
    assert_eq!(
        error.to_string(),
        "-: standard input cannot be read a second time"
    );
}

#[test]
fn break_stops_reading() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[("a.jsonl", Enc::Plain, JSONL), ("b.txt", Enc::Plain, b"b")],
    );
    let mut seen = 0;
    let summary = read_corpus(&spec_in(dir.path(), &["a.jsonl", "b.txt"]), |_| {
        seen += 1;
        if seen == 2 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .unwrap();
    assert_eq!((seen, summary.docs, summary.files), (2, 2, 1));
}

#[test]
fn corpus_types_are_send() {
    fn send<T: Send>() {}
    fn send_sync<T: Send + Sync>() {}
    send::<CorpusReader>();
    send_sync::<CorpusDoc>();
    send_sync::<CorpusSpec>();
    send_sync::<CorpusSummary>();
    send_sync::<ReadError>();
}
