//! Arbitrary bytes as a corpus file: the first byte picks plain JSON Lines, a gzip stream or a
//! zstd stream (of the rest, compressed here, and then cut or flipped as the second byte says,
//! so that broken streams are read too) and whether to skip bad lines. Reading must give
//! documents or errors naming the file, never a panic; in skip mode every line is a document or
//! a skipped line.
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;
use neardup::document::{CorpusReader, CorpusSpec, OnError};

fuzz_target!(|data: &[u8]| {
    let (Some(&mode), Some(&damage)) = (data.first(), data.get(1)) else {
        return;
    };
    let body = &data[2..];
    let dir = tempfile::tempdir().unwrap();
    let (name, mut bytes) = match mode % 3 {
        0 => ("c.jsonl", body.to_vec()),
        1 => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(body).unwrap();
            ("c.jsonl.gz", e.finish().unwrap())
        }
        _ => ("c.jsonl.zst", zstd::encode_all(body, 1).unwrap()),
    };
    if mode % 3 != 0 && damage % 4 == 1 {
        bytes.truncate(bytes.len() * usize::from(damage) / 256);
    } else if mode % 3 != 0 && damage % 4 == 2 && !bytes.is_empty() {
        let at = usize::from(damage) * bytes.len() / 256;
        bytes[at] ^= 0x20;
    }
    let path = dir.path().join(name);
    std::fs::write(&path, &bytes).unwrap();
    let mut spec = CorpusSpec::new([&path]);
    spec.lossy = mode & 0x10 != 0;
    spec.on_error = if mode & 0x20 != 0 {
        OnError::Skip
    } else {
        OnError::Stop
    };
    let mut reader = CorpusReader::new(&spec);
    let mut docs = 0usize;
    for doc in reader.by_ref() {
        match doc {
            Ok(d) => {
                docs += 1;
                assert!(d.origin.line.is_some());
            }
            Err(e) => {
                assert!(e.to_string().contains("c.jsonl"), "{e}");
                break;
            }
        }
    }
    let summary = reader.into_summary();
    if spec.on_error == OnError::Skip && mode % 3 == 0 {
        // Every line that is not blank is a document or a skipped line.
        let body = body.strip_prefix(b"\xef\xbb\xbf").unwrap_or(body);
        let lines = body
            .split(|&b| b == b'\n')
            .filter(|l| !l.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r')))
            .count();
        assert_eq!(docs + summary.skipped.len(), lines, "{docs} documents");
    }
});
