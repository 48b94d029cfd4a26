//! The ways to derive a copy from a source: light edit, repost, commentary repost, excerpt and
//! digest.
//!
//! In: a source text (for a digest, two to four), an [`Rng`] and the [`Vocab`]. Out: the derived
//! text, with the char spans added to it and dropped from the source where those are scored
//! ([`Derived`]), or for a digest the span taken from each source ([`Digest`]). An exact copy needs no code: it is the source itself. Spans count chars
//! (Unicode scalar values), end-exclusive, because the scorer reads Python string indices.

use super::article::{date_line, footer, publication, title, write_sentence, MIN_SENTENCE};
use super::rng::Rng;
use super::vocab::{Vocab, MONTHS};
use super::CharSpan;

/// A paragraph of a source text with its char span.
pub(super) struct Para<'a> {
    text: &'a str,
    start: usize,
    end: usize,
    words: usize,
}

pub(super) fn paragraphs(text: &str) -> Vec<Para<'_>> {
    let mut pos = 0;
    let mut out = Vec::new();
    for p in text.split("\n\n") {
        let n = p.chars().count();
        out.push(Para {
            text: p,
            start: pos,
            end: pos + n,
            words: count_words(p),
        });
        pos += n + 2;
    }
    out
}

/// Words as this module counts them: whitespace-separated tokens with a letter or digit.
pub(super) fn count_words(text: &str) -> usize {
    text.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

/// Char spans of the runs of paragraphs marked in `dropped`, each run one span.
fn dropped_spans(paras: &[Para<'_>], dropped: &[bool]) -> Vec<CharSpan> {
    let mut spans: Vec<CharSpan> = Vec::new();
    for (i, p) in paras.iter().enumerate() {
        if !dropped[i] {
            continue;
        }
        match spans.last_mut() {
            Some(last) if i > 0 && dropped[i - 1] => last.1 = p.end,
            _ => spans.push((p.start, p.end)),
        }
    }
    spans
}

/// A text being built, with its length in chars.
#[derive(Default)]
struct SpanText {
    text: String,
    chars: usize,
}

impl SpanText {
    fn push(&mut self, s: &str) -> CharSpan {
        let start = self.chars;
        self.text.push_str(s);
        self.chars += s.chars().count();
        (start, self.chars)
    }
}

/// A derived text with its truth spans.
pub(super) struct Derived {
    pub(super) text: String,
    pub(super) added: Vec<CharSpan>,
    pub(super) dropped: Vec<CharSpan>,
}

pub(super) fn straighten_quotes(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '“' | '”' => '"',
            '’' => '\'',
            c => c,
        })
        .collect()
}

/// Splits one random lowercase word of 5+ letters after its first letter ("deals" -> "d eals").
pub(super) fn split_word(rng: &mut Rng, text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut starts = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_lowercase() && (i == 0 || b[i - 1] == b' ') {
            let end = i + b[i..].iter().take_while(|c| c.is_ascii_lowercase()).count();
            if end - i >= 5 {
                starts.push(i);
            }
            i = end;
        } else {
            i += 1;
        }
    }
    if starts.is_empty() {
        return None;
    }
    let at = rng.pick(&starts) + 1;
    Some(format!("{} {}", &text[..at], &text[at..]))
}

/// Drops one random lowercase " the ".
pub(super) fn drop_the(rng: &mut Rng, text: &str) -> Option<String> {
    let hits: Vec<usize> = text.match_indices(" the ").map(|(i, _)| i).collect();
    if hits.is_empty() {
        return None;
    }
    let at = rng.pick(&hits) + 1;
    Some(format!("{}{}", &text[..at], &text[at + 4..]))
}

/// Changes the day of a leading dateline "PLACE, Month D — ".
pub(super) fn change_dateline(rng: &mut Rng, text: &str) -> Option<String> {
    let dash = text.find(" — ").filter(|&d| d < 60)?;
    let head = &text[..dash];
    let comma = head.find(", ")?;
    let mut parts = head[comma + 2..].split(' ');
    let (month, day) = (parts.next()?, parts.next()?);
    if parts.next().is_some() || !MONTHS.contains(&month) {
        return None;
    }
    let old: usize = day.parse().ok()?;
    let new = 1 + (old + rng.range(0, 26)) % 28; // 1..=28, never `old`
    let day_at = dash - day.len();
    Some(format!("{}{}{}", &text[..day_at], new, &text[dash..]))
}

pub(super) fn light_edit(rng: &mut Rng, source: &str) -> String {
    let mut text = source.to_string();
    let mut edits = 0;
    if text.contains(['“', '”', '’']) && rng.chance(0.6) {
        text = straighten_quotes(&text);
        edits += 1;
    }
    if rng.chance(0.5) {
        if let Some(t) = drop_the(rng, &text) {
            text = t;
            edits += 1;
        }
    }
    if rng.chance(0.7) {
        if let Some(t) = change_dateline(rng, &text) {
            text = t;
            edits += 1;
        }
    }
    if edits == 0 || rng.chance(0.6) {
        if let Some(t) = split_word(rng, &text) {
            text = t;
        }
    }
    text
}

pub(super) fn repost(rng: &mut Rng, v: &Vocab, source: &str) -> Derived {
    let paras = paragraphs(source);
    let n = paras.len();
    let max_drop = (n - 1) / 2; // keep the majority
    let share = 0.2 + 0.2 * rng.unit();
    let mut drop_n = ((n as f64 * share).round() as usize).clamp(max_drop.min(1), max_drop);
    let mut order: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut order);

    let date = date_line(rng);
    let title_words = rng.range(4, 9);
    let title = title(rng, v, title_words);
    let footer = footer(rng);
    let mut extra = rng.chance(0.35).then(|| {
        let mut s = String::new();
        let len = rng.range(MIN_SENTENCE, 18);
        write_sentence(rng, v, &mut s, len);
        s
    });
    let mut splits = rng.range(0, 2);
    let sep = if rng.chance(0.3) { "\n\n \n\n" } else { "\n\n" };
    let straight = rng.chance(0.5);

    // Keep at least ~70% of the copy's word 5-grams from the source (the scorer's must-find line is
    // 60%): every new word, every seam (4 new 5-grams) and split word (6) counts against it. Short
    // sources give up, in this order, the added sentence, the split words, then dropped paragraphs.
    let mut dropped = vec![false; n];
    loop {
        dropped.iter_mut().for_each(|d| *d = false);
        order[..drop_n].iter().for_each(|&i| dropped[i] = true);
        let kept: Vec<usize> = (0..n).filter(|&i| !dropped[i]).collect();
        let kept_words: usize = kept.iter().map(|&i| paras[i].words).sum();
        let seams = kept.windows(2).filter(|w| w[1] != w[0] + 1).count()
            + 2
            + 2 * usize::from(extra.is_some());
        let new_words = count_words(&date)
            + count_words(&title)
            + count_words(&footer)
            + extra.as_deref().map_or(0, count_words);
        let new = new_words + 4 * seams + 6 * splits;
        if kept_words * 3 >= new * 7 {
            break;
        }
        if extra.is_some() {
            extra = None;
        } else if splits > 0 {
            splits -= 1;
        } else if drop_n > 0 {
            drop_n -= 1;
        } else {
            break;
        }
    }
    let kept: Vec<usize> = (0..n).filter(|&i| !dropped[i]).collect();
    let extra_at = extra.as_ref().map(|_| rng.range(1, kept.len()));
    let mut split_at: Vec<usize> = (0..kept.len()).collect();
    rng.shuffle(&mut split_at);
    split_at.truncate(splits);

    let mut out = SpanText::default();
    let mut added = Vec::new();
    let (head_start, _) = out.push(&date);
    out.push(sep);
    let (_, head_end) = out.push(&title);
    added.push((head_start, head_end));
    for (k, &pi) in kept.iter().enumerate() {
        if extra_at == Some(k) {
            out.push(sep);
            added.push(out.push(extra.as_deref().unwrap_or_default()));
        }
        out.push(sep);
        let mut p = if straight {
            straighten_quotes(paras[pi].text)
        } else {
            paras[pi].text.to_string()
        };
        if split_at.contains(&k) {
            if let Some(s) = split_word(rng, &p) {
                p = s;
            }
        }
        out.push(&p);
    }
    if extra_at == Some(kept.len()) {
        out.push(sep);
        added.push(out.push(extra.as_deref().unwrap_or_default()));
    }
    out.push(sep);
    added.push(out.push(&footer));
    Derived {
        text: out.text,
        added,
        dropped: dropped_spans(&paras, &dropped),
    }
}

/// Curls the straight quotes of `text`, as a publishing system that "smartens" quotes does: a
/// double quote opens after a space, a dash, an opening bracket or at the start, and closes
/// elsewhere; a single quote is an apostrophe (’) unless it opens a quotation.
pub(super) fn curl_quotes(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut prev: Option<char> = None;
    for c in text.chars() {
        let opens = prev.is_none_or(|p| p.is_whitespace() || matches!(p, '(' | '[' | '—' | '-'));
        out.push(match (c, opens) {
            ('"', true) => '“',
            ('"', false) => '”',
            ('\'', true) => '‘',
            ('\'', false) => '’',
            (c, _) => c,
        });
        prev = Some(c);
    }
    out
}

/// The other quote style: a text with curly quotes straightened, one without curled.
pub(super) fn flip_quotes(text: &str) -> String {
    if text.contains(['“', '”', '‘', '’']) {
        straighten_quotes(text)
    } else {
        curl_quotes(text)
    }
}

/// The sentences of a paragraph, as byte ranges: each ends at a full stop (with its closing
/// quote, if any) that a space or the paragraph's end follows.
fn sentences(p: &str) -> Vec<std::ops::Range<usize>> {
    let b = p.as_bytes();
    let mut out = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < b.len() {
        if b[i] == b'.' {
            let mut end = i + 1;
            if p[end..].starts_with('”') {
                end += '”'.len_utf8();
            }
            if end == b.len() || b[end] == b' ' {
                out.push(start..end);
                start = end + 1;
                i = end + 1;
                continue;
            }
        }
        i += 1;
    }
    if start < b.len() {
        out.push(start..b.len());
    }
    out
}

/// A paragraph of the blogger's own prose: sentences of 8 to 22 words, `words` in all.
fn own_paragraph(rng: &mut Rng, v: &Vocab, words: usize) -> String {
    let mut s = String::new();
    let mut left = words.max(MIN_SENTENCE);
    while left > 0 {
        let len = if left < 2 * MIN_SENTENCE {
            left
        } else {
            rng.range(MIN_SENTENCE, 22.min(left - MIN_SENTENCE))
        };
        if !s.is_empty() {
            s.push(' ');
        }
        write_sentence(rng, v, &mut s, len);
        left -= len;
    }
    s
}

/// A commentary-heavy blog repost: 20–45% of the source's *sentences* dropped (from anywhere in
/// it), one or two paragraphs of the blogger's own prose added, of about as many words as were
/// dropped (0.7 to 1.3 times), so that the two containments are close and point either way; each
/// commentary paragraph goes on top, at the bottom or between two kept paragraphs. A date line
/// opens it and a comment box closes it; the quote style is the other one of the source's
/// (curly quotes straightened, straight ones curled as a publishing system does), and half of
/// the reposts split a word. At least ~70% of the copy's 5-grams stay the source's, as for
/// [`repost`].
pub(super) fn commentary(rng: &mut Rng, v: &Vocab, source: &str) -> Derived {
    let paras = paragraphs(source);
    // Every sentence: its paragraph, its byte range there, its words.
    let sents: Vec<(usize, std::ops::Range<usize>, usize)> = paras
        .iter()
        .enumerate()
        .flat_map(|(pi, p)| {
            sentences(p.text)
                .into_iter()
                .map(move |r| (pi, r.clone(), count_words(&p.text[r])))
        })
        .collect();
    let n = sents.len();
    let share = 0.2 + 0.25 * rng.unit();
    let mut drop_n = ((n as f64 * share).round() as usize).min(n.saturating_sub(1) / 2);
    let mut order: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut order);
    let date = date_line(rng);
    let footer = footer(rng);
    let ratio = 0.7 + 0.6 * rng.unit();
    let splits = usize::from(rng.chance(0.5));
    let mut dropped = vec![false; n];
    let mut own_words;
    loop {
        dropped.iter_mut().for_each(|d| *d = false);
        order[..drop_n].iter().for_each(|&i| dropped[i] = true);
        let kept_words: usize = (0..n).filter(|&i| !dropped[i]).map(|i| sents[i].2).sum();
        let dropped_words: usize = (0..n).filter(|&i| dropped[i]).map(|i| sents[i].2).sum();
        let runs = (0..n)
            .filter(|&i| dropped[i] && (i == 0 || !dropped[i - 1]))
            .count();
        own_words = (dropped_words as f64 * ratio).round() as usize;
        let framing = count_words(&date) + count_words(&footer);
        // Seams: each dropped run, the date line, the comment box, up to two paragraphs.
        let seams = runs + 2 + 2 * 2;
        let budget = (kept_words * 3 / 7).saturating_sub(framing + 4 * seams + 6 * splits);
        own_words = own_words.min(budget);
        if own_words >= 2 * MIN_SENTENCE || drop_n == 0 {
            break;
        }
        drop_n -= 1;
    }
    let own: Vec<String> = match own_words {
        0..=15 => Vec::new(),
        16..=59 => vec![own_paragraph(rng, v, own_words)],
        w => {
            let first = w / 2;
            vec![
                own_paragraph(rng, v, first),
                own_paragraph(rng, v, w - first),
            ]
        }
    };
    // The kept paragraphs, each its kept sentences.
    let kept: Vec<String> = (0..paras.len())
        .filter_map(|pi| {
            let s: Vec<&str> = (0..n)
                .filter(|&i| sents[i].0 == pi && !dropped[i])
                .map(|i| &paras[pi].text[sents[i].1.clone()])
                .collect();
            (!s.is_empty()).then(|| flip_quotes(&s.join(" ")))
        })
        .collect();
    let split_at = (splits > 0).then(|| rng.below(kept.len()));
    // Where each commentary paragraph goes: 0 on top, kept.len() at the bottom, else before
    // that kept paragraph.
    let places: Vec<usize> = own
        .iter()
        .map(|_| match rng.below(5) {
            0 | 1 => 0,
            2 | 3 => kept.len(),
            _ => rng.range(1, kept.len().saturating_sub(1).max(1)),
        })
        .collect();
    let mut out = SpanText::default();
    let mut added = vec![out.push(&date)];
    let put_own = |out: &mut SpanText, at: usize, added: &mut Vec<CharSpan>| {
        for (p, _) in own.iter().zip(&places).filter(|(_, &w)| w == at) {
            out.push("\n\n");
            added.push(out.push(p));
        }
    };
    for (k, p) in kept.iter().enumerate() {
        put_own(&mut out, k, &mut added);
        out.push("\n\n");
        match split_at
            .filter(|&s| s == k)
            .and_then(|_| split_word(rng, p))
        {
            Some(split) => out.push(&split),
            None => out.push(p),
        };
    }
    put_own(&mut out, kept.len(), &mut added);
    out.push("\n\n");
    added.push(out.push(&footer));
    // Dropped sentences, as char spans of the source.
    let chars = |pi: usize, byte: usize| paras[pi].start + paras[pi].text[..byte].chars().count();
    let dropped = (0..n)
        .filter(|&i| dropped[i])
        .map(|i| {
            let (pi, r, _) = &sents[i];
            (chars(*pi, r.start), chars(*pi, r.end))
        })
        .collect();
    Derived {
        text: out.text,
        added,
        dropped,
    }
}

pub(super) fn excerpt(rng: &mut Rng, source: &str) -> Derived {
    let paras = paragraphs(source);
    let n = paras.len();
    let share = 0.4 + 0.3 * rng.unit();
    let k = ((n as f64 * share).round() as usize).clamp(1, (n - 1).max(1));
    let first = rng.below(n - k + 1);
    let mut out = SpanText::default();
    for (j, p) in paras[first..first + k].iter().enumerate() {
        if j > 0 {
            out.push("\n\n");
        }
        out.push(p.text);
    }
    let mut added = Vec::new();
    if rng.chance(0.6) {
        out.push("\n\n");
        added.push(out.push(&format!("Source: {}", publication(rng))));
    }
    let dropped: Vec<bool> = (0..n).map(|i| i < first || i >= first + k).collect();
    Derived {
        text: out.text,
        added,
        dropped: dropped_spans(&paras, &dropped),
    }
}

/// A digest: its text and, for each source in order, the char span of the text taken from it.
pub(super) struct Digest {
    pub(super) text: String,
    pub(super) parts: Vec<CharSpan>,
}

/// A digest of `sources` (2 to 4 texts): a lead of each, its first paragraphs (whole), in order,
/// joined by blank lines; each lead's span in the digest is that source's part.
///
/// Of two sources, the first half (by words) of each; then the larger part loses its last
/// paragraphs while it has over 1.5 times the words of the other (but not below the other), so
/// each source stays above the scorer's 0.3 "may find" containment. Of more, each lead starts as
/// the fewest paragraphs with half the words of the shortest source and gains or loses a paragraph
/// while that evens the parts ([`leads`]): each about 1/n of the digest's words.
pub(super) fn digest(sources: &[&str]) -> Digest {
    let paras: Vec<Vec<Para<'_>>> = sources.iter().map(|s| paragraphs(s)).collect();
    let leads = match paras.as_slice() {
        [a, b] => halves(a, b),
        _ => leads(&paras),
    };
    let mut out = SpanText::default();
    let mut parts = Vec::with_capacity(paras.len());
    for (j, (p, k)) in paras.iter().zip(leads).enumerate() {
        if j > 0 {
            out.push("\n\n");
        }
        let start = out.chars;
        for (m, para) in p[..k].iter().enumerate() {
            if m > 0 {
                out.push("\n\n");
            }
            out.push(para.text);
        }
        parts.push((start, out.chars));
    }
    Digest {
        text: out.text,
        parts,
    }
}

/// The paragraphs a digest of two sources takes from each (see [`digest`]).
fn halves(a: &[Para<'_>], b: &[Para<'_>]) -> Vec<usize> {
    /// The fewest paragraphs with half the words (at least one), and their words.
    fn half(paras: &[Para<'_>]) -> (usize, usize) {
        let total: usize = paras.iter().map(|p| p.words).sum();
        let mut words = 0;
        let mut k = 0;
        while k < paras.len() && 2 * words < total {
            words += paras[k].words;
            k += 1;
        }
        (k.max(1), words)
    }
    /// Drops last paragraphs while the part has over 1.5 times `other`'s words, not below them.
    fn trim(paras: &[Para<'_>], k: &mut usize, words: &mut usize, other: usize) {
        while *k > 1 && 2 * *words > 3 * other && *words - paras[*k - 1].words >= other {
            *words -= paras[*k - 1].words;
            *k -= 1;
        }
    }
    let ((mut ka, mut wa), (mut kb, mut wb)) = (half(a), half(b));
    trim(a, &mut ka, &mut wa, wb);
    trim(b, &mut kb, &mut wb, wa);
    vec![ka, kb]
}

/// The paragraphs a digest of three or more sources takes from each: first the fewest with half
/// the words of the shortest source (at least one), then, while that evens the parts (raises the
/// smallest part's share of the words), one paragraph more or fewer for one of them.
fn leads(paras: &[Vec<Para<'_>>]) -> Vec<usize> {
    let prefix = |p: &[Para<'_>], k: usize| p[..k].iter().map(|q| q.words).sum::<usize>();
    let target = paras.iter().map(|p| prefix(p, p.len())).min().unwrap_or(0) / 2;
    let mut k: Vec<usize> = paras
        .iter()
        .map(|p| {
            let mut k = 1;
            while k < p.len() && prefix(p, k) < target {
                k += 1;
            }
            k
        })
        .collect();
    // (smallest part, all parts) in words; a share a/b beats c/d when a*d > c*b.
    let balance = |k: &[usize]| {
        let words: Vec<usize> = paras.iter().zip(k).map(|(p, &k)| prefix(p, k)).collect();
        (
            words.iter().copied().min().unwrap_or(0),
            words.iter().sum::<usize>(),
        )
    };
    loop {
        let (least, all) = balance(&k);
        let mut best = None;
        let (mut best_least, mut best_all) = (least, all.max(1));
        for j in 0..paras.len() {
            for step in [k[j] + 1, k[j] - 1] {
                if step == 0 || step > paras[j].len() {
                    continue;
                }
                let mut trial = k.clone();
                trial[j] = step;
                let (l, a) = balance(&trial);
                if l * best_all > best_least * a.max(1) {
                    (best, best_least, best_all) = (Some(trial), l, a.max(1));
                }
            }
        }
        match best {
            Some(better) => k = better,
            None => return k,
        }
    }
}
