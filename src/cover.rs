//! Cover: a page's shingles (in text order, with its background) and the exact shingle sets of
//! the documents it shares text with in; out, the fewest of them that together explain the page,
//! the share of the page each explains, and which of the page's passages came from which.
//!
//! A digest ("today in brief") takes half of one article and half of another; a roundup quotes
//! four. No single source holds enough of the page to make a derivative pair, yet together they
//! hold nearly all of it. The cover is found greedily, as genomics answers "which references
//! explain this sample, and how much of it each": take the source that explains the most of the
//! page's still unexplained content shingles, count those as explained, and repeat while the
//! next source explains at least [`CoverParams::floor`] of the page. Ties go to the source
//! listed first, so a caller that lists its candidates in a deterministic order (earlier date,
//! then id) gets a deterministic cover.
//!
//! Shares are of the page's distinct *content* shingles: background (its site's template, stock
//! text, [`crate::boilerplate`]) is never explained by a source and never counts towards a
//! share, so two pages of one site are not each other's cover.
//!
//! Passages. Each shingle position of the page is attributed to the first part (by rank) that
//! holds its shingle, to the page itself when none does, or to the background; runs of one
//! attribution are the page's segments. A short run of the page's own between two runs of one
//! part (a word edited inside a quoted passage) belongs to that part, as an edit inside it.
//!
//! Cost: one pass over the page's shingles per candidate (a merge of two sorted lists) into a bit
//! set of the page's distinct shingles, then a pass of popcounts per candidate and round: linear
//! in the page and the candidates, with at most `1 / floor` rounds.

use std::ops::Range;

use crate::shingle::ShingleSet;
use crate::text::Token;

/// Default [`CoverParams::floor`].
pub const DEFAULT_PART_FLOOR: f64 = 0.15;

/// Below the part floor, by this much, a candidate's estimated containment still has it
/// measured for a cover: about two standard errors of the estimate at a containment of 0.15.
pub const COVER_MARGIN: f64 = 0.06;

/// How a cover is found.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CoverParams {
    /// The least share of the page's content shingles a part must newly explain.
    pub floor: f64,
}

impl Default for CoverParams {
    fn default() -> Self {
        CoverParams {
            floor: DEFAULT_PART_FLOOR,
        }
    }
}

/// One source of a cover.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Part {
    /// The source, as its index among the candidates given.
    pub source: usize,
    /// Its rank in the cover, from 0: the order it was taken in.
    pub rank: usize,
    /// Share of the page's content shingles it explains that no part before it did.
    pub share: f64,
    /// Share of the page's content shingles it holds, whatever the other parts hold: its
    /// containment of the page, as a pair would measure it on the content.
    pub alone: f64,
}

/// Whence one run of a page's shingle positions came.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// From the part of this rank.
    Part(usize),
    /// The page's own text: no part holds it.
    Own,
    /// Background of the page (its template, stock text): neither explained nor its own.
    Background,
}

/// A run of a page's shingle positions with one [`Origin`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Shingle positions of the page (position `i` starts at token `i`).
    pub positions: Range<usize>,
    /// Where they came from.
    pub origin: Origin,
}

/// The cover of a page ([`cover`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cover {
    /// The parts, by rank.
    pub parts: Vec<Part>,
    /// Share of the page's content shingles the parts explain together.
    pub explained: f64,
    /// The page's shingle positions in text order, run by run.
    pub segments: Vec<Segment>,
    /// The page's distinct content shingles.
    pub content: usize,
}

/// What a pair record says of one source of a page's cover ([`crate::compare::Pair::cover`]).
#[derive(Clone, Debug, PartialEq)]
pub struct CoverShare {
    /// Share of the page's content shingles this source explains that no source before it does.
    pub share: f64,
    /// Its rank in the cover, from 1: the source that explains the most first.
    pub rank: usize,
    /// Share of the page's content shingles the whole cover explains.
    pub explained: f64,
    /// Sources in the cover.
    pub sources: usize,
    /// Byte spans of the page attributed to this source, in text order.
    pub spans: Vec<Range<usize>>,
    /// Every part of the cover, by rank (this one among them), for a view of the whole page;
    /// empty when the caller did not name them.
    pub parts: Vec<NamedPart>,
}

/// One part of a page's cover, named: for a view that shows the page once, each passage
/// marked with its source.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedPart {
    /// The source's id.
    pub source: String,
    /// Its share of the page ([`CoverShare::share`]).
    pub share: f64,
    /// Its byte spans of the page ([`CoverShare::spans`]).
    pub spans: Vec<Range<usize>>,
}

impl Cover {
    /// The [`CoverShare`] of the part of rank `rank` (from 0), its spans in bytes of the page
    /// whose tokens are `tokens` and shingles `k` words: a run of the part's positions covers
    /// their tokens, and the `k - 1` after the last when no other part's run follows.
    pub fn share_of(&self, rank: usize, tokens: &[Token], k: usize) -> CoverShare {
        let mut spans: Vec<Range<usize>> = Vec::new();
        for (i, s) in self.segments.iter().enumerate() {
            if s.origin != Origin::Part(rank) {
                continue;
            }
            let next_is_part = self
                .segments
                .get(i + 1)
                .is_some_and(|n| matches!(n.origin, Origin::Part(_)));
            let end = match next_is_part {
                true => s.positions.end,
                false => s.positions.end + k.saturating_sub(1),
            }
            .min(tokens.len());
            if s.positions.start >= end {
                continue;
            }
            let bytes = tokens[s.positions.start].start as usize..tokens[end - 1].end as usize;
            match spans.last_mut() {
                Some(last) if last.end >= bytes.start => last.end = last.end.max(bytes.end),
                _ => spans.push(bytes),
            }
        }
        CoverShare {
            share: self.parts[rank].share,
            rank: rank + 1,
            explained: self.explained,
            sources: self.parts.len(),
            spans,
            parts: Vec::new(),
        }
    }

    /// Whether the page is made of several sources: two parts or more explain at least
    /// `threshold` of it (a containment threshold). Each part is then one of its sources, the
    /// one that holds most of it too.
    pub fn explains(&self, threshold: f64) -> bool {
        self.parts.len() >= 2 && self.explained >= threshold
    }

    /// Whether the page is built from several sources and from no single one: the cover
    /// [`Cover::explains`] it, and no part alone holds `threshold` of it (a digest, where a
    /// page that holds most of one source and a little of another is that source's derivative
    /// first).
    pub fn is_composite(&self, threshold: f64) -> bool {
        self.explains(threshold) && self.parts.iter().all(|p| p.alone < threshold)
    }
}

/// Runs of the page's own text between two runs of one part that are this many shingle positions
/// or fewer are an edit inside the part: a changed word changes the 5 shingles over it.
pub const EDIT_POSITIONS: usize = 6;

/// The cover of a page: `page` holds its shingle hashes in text order (as
/// [`crate::shingle::shingle_hashes_into`] gives them), `background` the positions that are
/// background, and `sources` the exact shingle sets of its candidate sources, in the order ties
/// are broken in.
pub fn cover(
    page: &[u64],
    background: &[Range<usize>],
    sources: &[&ShingleSet],
    params: &CoverParams,
) -> Cover {
    let n = page.len();
    let mut is_background = vec![false; n];
    for r in background {
        is_background[r.start.min(n)..r.end.min(n)].fill(true);
    }
    // The distinct content shingles, sorted; each position's index among them.
    let content: Vec<u64> = {
        let mut v: Vec<u64> = page
            .iter()
            .zip(&is_background)
            .filter(|&(_, &b)| !b)
            .map(|(&h, _)| h)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let d = content.len();
    let words = d.div_ceil(64);
    // Which distinct content shingles each source holds, one bit each.
    let held: Vec<Vec<u64>> = sources
        .iter()
        .map(|s| {
            let mut bits = vec![0u64; words];
            let other = s.hashes();
            let mut j = 0;
            for (i, &h) in content.iter().enumerate() {
                while j < other.len() && other[j] < h {
                    j += 1;
                }
                if other.get(j) == Some(&h) {
                    bits[i / 64] |= 1 << (i % 64);
                }
            }
            bits
        })
        .collect();
    let count = |bits: &[u64]| bits.iter().map(|w| w.count_ones() as usize).sum::<usize>();
    let share = |c: usize| if d == 0 { 0.0 } else { c as f64 / d as f64 };
    let mut unexplained = vec![u64::MAX; words];
    if !d.is_multiple_of(64) {
        if let Some(last) = unexplained.last_mut() {
            *last = (1u64 << (d % 64)) - 1;
        }
    }
    let mut parts: Vec<Part> = Vec::new();
    let mut taken = vec![false; sources.len()];
    loop {
        let best = held
            .iter()
            .enumerate()
            .filter(|&(s, _)| !taken[s])
            .map(|(s, bits)| {
                let new: usize = bits
                    .iter()
                    .zip(&unexplained)
                    .map(|(b, u)| (b & u).count_ones() as usize)
                    .sum();
                (s, new)
            })
            // The most new shingles; the first listed among equals.
            .fold(None, |best: Option<(usize, usize)>, (s, new)| match best {
                Some((_, most)) if most >= new => best,
                _ => Some((s, new)),
            });
        let Some((s, new)) = best else { break };
        if new == 0 || share(new) < params.floor {
            break;
        }
        taken[s] = true;
        for (u, b) in unexplained.iter_mut().zip(&held[s]) {
            *u &= !b;
        }
        parts.push(Part {
            source: s,
            rank: parts.len(),
            share: share(new),
            alone: share(count(&held[s])),
        });
    }
    let explained = parts.iter().map(|p| p.share).sum::<f64>().min(1.0);
    let origin_of = |p: usize| -> Origin {
        if is_background[p] {
            return Origin::Background;
        }
        let i = content
            .binary_search(&page[p])
            .expect("a content shingle is in the content set");
        parts
            .iter()
            .find(|part| held[part.source][i / 64] >> (i % 64) & 1 == 1)
            .map_or(Origin::Own, |part| Origin::Part(part.rank))
    };
    let mut segments: Vec<Segment> = Vec::new();
    for p in 0..n {
        let origin = origin_of(p);
        match segments.last_mut() {
            Some(last) if last.origin == origin => last.positions.end = p + 1,
            _ => segments.push(Segment {
                positions: p..p + 1,
                origin,
            }),
        }
    }
    Cover {
        parts,
        explained,
        segments: absorb_edits(segments),
        content: d,
    }
}

/// Short runs of the page's own text between two runs of one part become that part's, and the
/// three runs one.
fn absorb_edits(segments: Vec<Segment>) -> Vec<Segment> {
    let mut out: Vec<Segment> = Vec::with_capacity(segments.len());
    let mut i = 0;
    while i < segments.len() {
        let s = segments[i].clone();
        let edit = |own: &Segment, next: Option<&Segment>| {
            own.origin == Origin::Own
                && own.positions.len() <= EDIT_POSITIONS
                && next.is_some_and(|n| Some(n.origin) == out.last().map(|l| l.origin))
        };
        if let (Origin::Part(_), true) = (
            out.last().map_or(Origin::Own, |l| l.origin),
            edit(&s, segments.get(i + 1)),
        ) {
            let next = &segments[i + 1];
            out.last_mut().expect("a part before").positions.end = next.positions.end;
            i += 2;
            continue;
        }
        out.push(s);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::mix64;

    /// A page of shingles `0..n` ids, each a distinct hash; a source holding the given ids.
    fn hashes(ids: Range<u64>) -> Vec<u64> {
        ids.map(mix64).collect()
    }

    /// The set of the ids in the given (from, to) ranges.
    fn set(ids: &[(u64, u64)]) -> ShingleSet {
        ShingleSet::from_hashes(ids.iter().flat_map(|&(f, t)| hashes(f..t)).collect())
    }

    fn near(x: f64, want: f64) -> bool {
        (x - want).abs() < 1e-9
    }

    /// (sources as id ranges, want: (source, share) by rank, explained)
    #[test]
    fn pages_of_two_three_and_four_sources() {
        type Case = (Vec<Vec<(u64, u64)>>, Vec<(usize, f64)>, f64);
        let page = hashes(0..100);
        let cases: Vec<Case> = vec![
            // Two halves, each with text of its own beyond the page.
            (
                vec![vec![(0, 50), (500, 600)], vec![(50, 100), (700, 760)]],
                vec![(0, 0.5), (1, 0.5)],
                1.0,
            ),
            // Three parts, the largest first whatever the order given.
            (
                vec![vec![(0, 30)], vec![(30, 70)], vec![(70, 100)]],
                vec![(1, 0.4), (0, 0.3), (2, 0.3)],
                1.0,
            ),
            // Four quarters, and a fifth document that shares too little to be a part.
            (
                vec![
                    vec![(0, 25)],
                    vec![(25, 50)],
                    vec![(50, 75)],
                    vec![(75, 100)],
                    vec![(0, 5), (900, 1000)],
                ],
                vec![(0, 0.25), (1, 0.25), (2, 0.25), (3, 0.25)],
                1.0,
            ),
            // Sources that overlap: the second repeats half of the first, so it explains only
            // what the first does not.
            (
                vec![vec![(0, 60)], vec![(30, 90)]],
                vec![(0, 0.6), (1, 0.3)],
                0.9,
            ),
            // Half one source and half the page's own.
            (vec![vec![(0, 50)]], vec![(0, 0.5)], 0.5),
            // A tie goes to the source listed first.
            (
                vec![vec![(50, 100)], vec![(0, 50)]],
                vec![(0, 0.5), (1, 0.5)],
                1.0,
            ),
            // Under the floor: no part.
            (vec![vec![(0, 10)], vec![(40, 54)]], vec![], 0.0),
        ];
        for (sources, want, explained) in cases {
            let sets: Vec<ShingleSet> = sources.iter().map(|s| set(s)).collect();
            let refs: Vec<&ShingleSet> = sets.iter().collect();
            let c = cover(&page, &[], &refs, &CoverParams::default());
            let got: Vec<(usize, f64)> = c.parts.iter().map(|p| (p.source, p.share)).collect();
            assert_eq!(got.len(), want.len(), "{sources:?}: {got:?}");
            for ((s, share), (ws, wshare)) in got.iter().zip(&want) {
                assert!(s == ws && near(*share, *wshare), "{sources:?}: {got:?}");
            }
            assert!(near(c.explained, explained), "{sources:?}: {}", c.explained);
            assert!(c.parts.iter().enumerate().all(|(r, p)| p.rank == r));
        }
    }

    #[test]
    fn composite_only_when_no_part_alone_is_enough() {
        let page = hashes(0..100);
        let (a, b) = (set(&[(0, 50)]), set(&[(50, 100)]));
        let c = cover(&page, &[], &[&a, &b], &CoverParams::default());
        assert!(c.is_composite(0.6));
        assert!(near(c.parts[0].alone, 0.5));
        assert!(c.explains(0.6));
        // One source holds 70% of the page and another the rest: made of the two, but a
        // derivative of the first before anything.
        let (big, rest) = (set(&[(0, 70)]), set(&[(70, 100)]));
        let c = cover(&page, &[], &[&big, &rest], &CoverParams::default());
        assert_eq!(c.parts.len(), 2);
        assert!(c.explains(0.6) && !c.is_composite(0.6));
        // Half of one source: too little of the page is explained.
        let c = cover(&page, &[], &[&a], &CoverParams::default());
        assert!(!c.is_composite(0.6) && !c.explains(0.6));
        // Two parts that explain too little together.
        let (p, q) = (set(&[(0, 25)]), set(&[(50, 75)]));
        let c = cover(&page, &[], &[&p, &q], &CoverParams::default());
        assert!(c.parts.len() == 2 && !c.explains(0.6));
    }

    #[test]
    fn background_is_never_explained() {
        // The page: a template (0..20) that every source carries too, then two halves.
        let page = hashes(0..100);
        let template = std::slice::from_ref(&(0..20));
        let (a, b) = (set(&[(0, 20), (20, 60)]), set(&[(0, 20), (60, 100)]));
        let c = cover(&page, template, &[&a, &b], &CoverParams::default());
        assert_eq!(c.content, 80);
        let shares: Vec<f64> = c.parts.iter().map(|p| p.share).collect();
        assert!(near(shares[0], 0.5) && near(shares[1], 0.5), "{shares:?}");
        // A document that shares only the template is no part.
        let other = set(&[(0, 20), (300, 400)]);
        let c = cover(&page, template, &[&other], &CoverParams::default());
        assert!(c.parts.is_empty());
        assert_eq!(c.segments[0].origin, Origin::Background);
    }

    #[test]
    fn segments_say_where_each_passage_came_from() {
        // Page: 0..40 from a, 40..44 the page's own (between a and b: its own, however short),
        // 44..80 from b with 60..63 edited (an edit inside b's passage), 80..100 its own.
        let page = hashes(0..100);
        let (a, b) = (set(&[(0, 40)]), set(&[(44, 60), (63, 80)]));
        let c = cover(&page, &[], &[&a, &b], &CoverParams::default());
        let got: Vec<(Range<usize>, Origin)> = c
            .segments
            .iter()
            .map(|s| (s.positions.clone(), s.origin))
            .collect();
        assert_eq!(
            got,
            vec![
                (0..40, Origin::Part(0)),
                (40..44, Origin::Own),
                (44..80, Origin::Part(1)),
                (80..100, Origin::Own),
            ]
        );
        // Every position is in one segment, in order.
        let mut at = 0;
        for s in &c.segments {
            assert_eq!(s.positions.start, at);
            at = s.positions.end;
        }
        assert_eq!(at, page.len());
    }

    #[test]
    fn each_part_has_the_bytes_of_its_passages() {
        // A digest of two texts of 20 words each: "a0 ... a19" then "b0 ... b19".
        let first: Vec<String> = (0..20).map(|i| format!("a{i}")).collect();
        let second: Vec<String> = (0..20).map(|i| format!("b{i}")).collect();
        let (first, second) = (first.join(" "), second.join(" "));
        let page = format!("{first}\n\n{second}");
        let tokens = crate::text::tokenize(&page);
        let positions = |text: &str| {
            let mut out = Vec::new();
            crate::shingle::shingle_hashes_into(&crate::text::tokenize(text), 5, &mut out);
            out
        };
        let set = |text: &str| ShingleSet::from_hashes(positions(text));
        let (a, b) = (set(&first), set(&second));
        let c = cover(&positions(&page), &[], &[&a, &b], &CoverParams::default());
        assert_eq!(c.parts.len(), 2);
        let spans: Vec<Vec<Range<usize>>> =
            (0..2).map(|r| c.share_of(r, &tokens, 5).spans).collect();
        let text_of = |r: &Range<usize>| &page[r.clone()];
        // The seam's shingles are the page's own; each part's bytes are its text whole.
        assert_eq!(
            spans[0].iter().map(text_of).collect::<Vec<_>>(),
            [first.as_str()]
        );
        assert_eq!(
            spans[1].iter().map(text_of).collect::<Vec<_>>(),
            [second.as_str()]
        );
        let share = c.share_of(1, &tokens, 5);
        assert_eq!((share.rank, share.sources), (2, 2));
        assert!(near(share.explained, 32.0 / 36.0), "{}", share.explained);
    }

    #[test]
    fn an_empty_page_or_no_source_has_an_empty_cover() {
        let c = cover(&[], &[], &[], &CoverParams::default());
        assert!(c.parts.is_empty() && c.segments.is_empty() && c.explained == 0.0);
        let page = hashes(0..10);
        let c = cover(&page, &[], &[], &CoverParams::default());
        assert!(c.parts.is_empty());
        assert_eq!(
            c.segments,
            vec![Segment {
                positions: 0..10,
                origin: Origin::Own
            }]
        );
    }
}
