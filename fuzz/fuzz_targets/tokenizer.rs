//! Arbitrary bytes, read as UTF-8 with repairs, through the tokenizer, the shingler and the
//! sketch: token spans are ordered, on char boundaries and inside the text; shingles are as many
//! as the tokens allow; the sketch agrees with itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use neardup::dedup::{DedupConfig, Deduper, Scratch};
use neardup::shingle::{shingle_hashes_into, ShingleSet};
use neardup::text::tokenize;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let tokens = tokenize(&text);
    let mut at = 0;
    for t in &tokens {
        let (s, e) = (t.start as usize, t.end as usize);
        assert!(at <= s && s < e && e <= text.len(), "{s}..{e} after {at}");
        assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
        at = e;
    }
    let mut hashes = Vec::new();
    shingle_hashes_into(&tokens, 5, &mut hashes);
    assert_eq!(
        hashes.len(),
        tokens
            .len()
            .saturating_sub(4)
            .max(usize::from(!tokens.is_empty()))
    );
    let set = ShingleSet::from_hashes(hashes);
    static DEDUPER: std::sync::OnceLock<Deduper> = std::sync::OnceLock::new();
    let deduper = DEDUPER.get_or_init(|| Deduper::new(DedupConfig::default()));
    let sketch = deduper.sketch(&text, &mut Scratch::default());
    assert_eq!(sketch.shingles() as usize, set.len());
    assert_eq!(sketch.tokens as usize, tokens.len());
});
