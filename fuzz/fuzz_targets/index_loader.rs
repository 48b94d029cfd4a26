//! Arbitrary bytes against the index loader, two ways: as the whole MANIFEST of an index
//! directory, and as damage to a real small index (each 4 input bytes XOR one byte of the
//! manifest or the segment at a chosen offset, or cut the segment short). Opening, checking and
//! statistics must give an answer or an error, never a panic or a hang; a damaged index that still
//! opens must still find an untouched source as its own duplicate or report corruption.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use neardup::dedup::DedupConfig;
use neardup::document::{CorpusDoc, Document};
use neardup::index::{Index, IndexWriter};

/// A small pristine index (its MANIFEST and segment bytes) and one of its texts.
fn pristine() -> &'static (Vec<u8>, Vec<u8>, String, String) {
    static CELL: OnceLock<(Vec<u8>, Vec<u8>, String, String)> = OnceLock::new();
    CELL.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("i.ndx");
        let docs: Vec<CorpusDoc> = (0..40)
            .map(|i| CorpusDoc::new(i, format!("d{i}"), neardup::synth::news_text(i, 150), "t"))
            .collect();
        let mut w = IndexWriter::create(&path, &DedupConfig::default()).unwrap();
        w.add_batch(&docs, false).unwrap();
        w.commit().unwrap();
        let seg = std::fs::read_dir(&path)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == "nds"))
            .unwrap();
        let name = seg.file_name().unwrap().to_string_lossy().into_owned();
        (
            std::fs::read(path.join("MANIFEST")).unwrap(),
            std::fs::read(&seg).unwrap(),
            name,
            docs[7].text.clone(),
        )
    })
}

fuzz_target!(|data: &[u8]| {
    let (manifest, segment, name, text) = pristine();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("i.ndx");
    std::fs::create_dir(&path).unwrap();
    let (mut m, mut s) = (manifest.clone(), segment.clone());
    match data.first() {
        Some(0) => m = data[1..].to_vec(),
        _ => {
            for op in data.chunks_exact(4) {
                let at = u32::from_le_bytes([op[0], op[1], op[2], 0]) as usize;
                match op[3] {
                    0 => s.truncate(at % (s.len() + 1)),
                    x if x & 1 == 1 && !m.is_empty() => {
                        let i = at % m.len();
                        m[i] ^= x;
                    }
                    x if !s.is_empty() => {
                        let i = at % s.len();
                        s[i] ^= x;
                    }
                    _ => {}
                }
            }
        }
    }
    std::fs::write(path.join("MANIFEST"), &m).unwrap();
    std::fs::write(path.join(name), &s).unwrap();
    let Ok(index) = Index::open(&path) else {
        return;
    };
    let _ = index.stats();
    if let Ok(found) = index.check(&Document::new("q", text.clone()), true) {
        let untouched = m == *manifest && s == *segment;
        if untouched {
            assert!(found.iter().any(|f| f.source.id == "d7"));
        }
        // A verified answer is never about text the index does not hold.
        for f in &found {
            assert!(!f.source.text.is_empty());
        }
    }
});
