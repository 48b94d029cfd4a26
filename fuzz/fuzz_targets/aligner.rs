//! Two arbitrary texts (the input split at its first 0xff byte, each read as UTF-8 with
//! repairs) through the aligner: spans on char boundaries, in range, ordered and never
//! overlapping on each side, and, with whitespace, covering every byte of each text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use neardup::align::{align_texts, AlignParams};

fuzz_target!(|data: &[u8]| {
    let cut = data.iter().position(|&b| b == 0xff).unwrap_or(data.len());
    let a = String::from_utf8_lossy(&data[..cut]);
    let b = String::from_utf8_lossy(data.get(cut + 1..).unwrap_or_default());
    let al = align_texts(&a, &b, &AlignParams::default());
    for (text, spans) in [
        (
            &a,
            al.passages
                .iter()
                .filter_map(|p| p.a.clone())
                .collect::<Vec<_>>(),
        ),
        (
            &b,
            al.passages
                .iter()
                .filter_map(|p| p.b.clone())
                .collect::<Vec<_>>(),
        ),
    ] {
        let mut spans = spans;
        spans.sort_by_key(|r| r.start);
        let mut at = 0;
        for r in &spans {
            assert!(r.start <= r.end && r.end <= text.len());
            assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
            assert!(r.start >= at, "overlap at {r:?}");
            assert!(
                text[at..r.start].chars().all(char::is_whitespace),
                "gap {at}..{}",
                r.start
            );
            at = r.end;
        }
        assert!(
            text[at..].chars().all(char::is_whitespace),
            "tail from {at}"
        );
    }
    for p in &al.passages {
        for e in &p.edits {
            for (r, text) in [(&e.a, &a), (&e.b, &b)] {
                if let Some(r) = r {
                    assert!(r.start <= r.end && r.end <= text.len());
                    assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
                }
            }
        }
    }
});
