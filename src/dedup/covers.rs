//! The pages of a dedup run built from several of its other documents: the candidate pairs with
//! their exact scores in, the pages worth a cover out ([`possible_pages`]); then each such page's
//! text, its partners' measured content and the [`crate::cover`] of it ([`cover_page`]), and
//! out the pair records that say so ([`cover_pairs`]), in place of what those pairs alone were
//! called.
//!
//! A digest takes half of one article and half of another: neither pair reaches the containment
//! threshold, so no pair is reported, yet the two articles explain the page. A page is looked at
//! when two candidates or more each hold at least the part floor of its content and together
//! could hold the containment threshold; its cover is kept when two parts or more explain at
//! least that threshold ([`crate::cover::Cover::explains`]).
//!
//! Direction. A part is a source of the page. A document dated after the page is none of its
//! parts. A document mostly inside the page may be one (a short source of a digest is: the pair
//! alone calls it derived from the page), but not every part can be: a digest takes only part
//! of its sources, while an article's reposts and excerpts, which may together span it too, are
//! mostly inside it. So a cover is dropped when its parts, weighed by their shares, hold on
//! average [`EXCERPT`] of themselves inside the page or more: the page is then their source.
//! (A roundup of short pieces, each whole, looks the same; their dates tell it apart.) Two
//! documents that would each be a part of the other's cover (an article whose two halves went
//! into two digests, each digest a part of the article's "cover" and the article a part of each
//! digest's; two digests that quote one source) are decided by their dates where both are known and differ, or
//! else by the input order: the later is the page, and the earlier is covered again without it
//! ([`mutual_losers`]); a cover still part of such a pair is dropped.
//!
//! Records. Each part is a `derivative` pair with the page derived, decided by the cover
//! ([`crate::verify::DirectionBy::Cover`]), carrying its [`PartOf`]; its scores are the pair's
//! own. A part that alone holds the containment threshold of the page is its source as any
//! derivative's is; the others are sources only together ([`VerifiedPair::derivation`]), and the
//! decision removes the page when every one of them is kept ([`super::decide`]).

use std::ops::Range;

use ahash::{AHashMap, AHashSet};

use super::{Candidate, Measured, PartOf, VerifiedPair};
use crate::cover::{cover, CoverParams};
use crate::document::Date;
use crate::shingle::{shingle_hashes_into, ShingleSet};
use crate::text::{tokenize_into, Token};
use crate::verify::{Direction, DirectionBy, Relation, TextSigns, Which, COVER_CONFIDENCE};

/// Parts that hold on average (weighed by their shares) at least this share of themselves inside
/// the page are its derivatives, not its sources (module docs).
pub const EXCERPT: f64 = 0.8;

/// The cover of one page of the run.
#[derive(Clone, Debug, PartialEq)]
pub struct PageCover {
    /// The page.
    pub page: u32,
    /// Its parts, by rank.
    pub parts: Vec<CoverPart>,
    /// Share of the page's content the parts explain together.
    pub explained: f64,
}

/// One part of a [`PageCover`].
#[derive(Clone, Debug, PartialEq)]
pub struct CoverPart {
    /// The source.
    pub source: u32,
    /// Share of the page's content it explains that no part before it does.
    pub share: f64,
    /// Share of the page's content it holds alone.
    pub alone: f64,
    /// Byte spans of the page attributed to it, in text order.
    pub spans: Vec<Range<usize>>,
}

impl PageCover {
    /// Whether the page is built from several sources and from no single one.
    pub fn is_composite(&self, threshold: f64) -> bool {
        self.parts.iter().all(|p| p.alone < threshold)
    }
}

/// The pages worth a cover, each with its possible parts (in increasing order, each with the
/// share of itself inside the page): the documents with two candidates or more each holding at
/// least `floor` of its content (`held[k]`: the exact containments of candidate `k`, a in b and
/// b in a), those holding together at least `threshold`, none dated after the page
/// (`later(x, y)`: whether `x` is known to be later than `y`). In increasing order of the page.
pub fn possible_pages(
    candidates: &[Candidate],
    held: &[(f64, f64)],
    (floor, threshold): (f64, f64),
    later: impl Fn(u32, u32) -> bool,
) -> Vec<(u32, Vec<(u32, f64)>)> {
    let mut partners: AHashMap<u32, (Vec<(u32, f64)>, f64)> = AHashMap::new();
    for (c, &(a_in_b, b_in_a)) in candidates.iter().zip(held) {
        for (page, part, share, inside) in [(c.a, c.b, a_in_b, b_in_a), (c.b, c.a, b_in_a, a_in_b)]
        {
            if share >= floor && !later(part, page) {
                let entry = partners.entry(page).or_default();
                entry.0.push((part, inside));
                entry.1 += share;
            }
        }
    }
    let mut pages: Vec<(u32, Vec<(u32, f64)>)> = partners
        .into_iter()
        .filter(|(_, (parts, sum))| parts.len() >= 2 && *sum >= threshold)
        .map(|(page, (mut parts, _))| {
            parts.sort_unstable_by_key(|&(part, _)| part);
            (page, parts)
        })
        .collect();
    pages.sort_unstable_by_key(|(page, _)| *page);
    pages
}

/// Buffers reused from page to page.
#[derive(Debug, Default)]
pub struct CoverScratch {
    tokens: Vec<Token>,
    positions: Vec<u64>,
}

/// One possible part of a page's cover, for [`cover_page`].
#[derive(Clone, Copy, Debug)]
pub struct Candidacy<'a> {
    /// The document.
    pub doc: u32,
    /// What [`super::Deduper::measure`] found of it.
    pub measured: &'a Measured,
    /// Its date, where known, and its id: ties are broken by the earlier date, then the
    /// lesser id.
    pub date: Option<Date>,
    /// Its id.
    pub id: &'a str,
    /// The share of itself inside the page.
    pub inside: f64,
}

/// The cover of page `page` of text `text`, measured as `measured`, among its possible parts
/// `parts`; `None` unless two parts or more explain `threshold` of it, and they are not mostly
/// inside it ([`EXCERPT`], module docs).
pub fn cover_page(
    (page, text, measured): (u32, &str, &Measured),
    parts: &mut [Candidacy<'_>],
    params: &CoverParams,
    (k, threshold): (usize, f64),
    scratch: &mut CoverScratch,
) -> Option<PageCover> {
    parts.sort_by(|x, y| (x.date.is_none(), x.date, x.id).cmp(&(y.date.is_none(), y.date, y.id)));
    tokenize_into(text, &mut scratch.tokens);
    shingle_hashes_into(&scratch.tokens, k, &mut scratch.positions);
    let sets: Vec<&ShingleSet> = parts.iter().map(|p| &p.measured.content).collect();
    let background = measured.layout.background_runs();
    let found = cover(&scratch.positions, &background, &sets, params);
    if !found.explains(threshold) {
        return None;
    }
    let inside: f64 = found
        .parts
        .iter()
        .map(|p| p.share * parts[p.source].inside)
        .sum::<f64>()
        / found.explained.max(f64::MIN_POSITIVE);
    if inside >= EXCERPT {
        return None;
    }
    let parts = found
        .parts
        .iter()
        .map(|p| CoverPart {
            source: parts[p.source].doc,
            share: p.share,
            alone: p.alone,
            spans: found.share_of(p.rank, &scratch.tokens, k).spans,
        })
        .collect();
    Some(PageCover {
        page,
        parts,
        explained: found.explained,
    })
}

/// The pages that are a part of another page's cover which has them as a part, when they are
/// the earlier of the two (`later(x, y)`: whether `x` is the later of two documents), each with
/// the later ones: in increasing order of the page.
pub fn mutual_losers(
    covers: &[PageCover],
    later: impl Fn(u32, u32) -> bool,
) -> Vec<(u32, Vec<u32>)> {
    let parts: AHashSet<(u32, u32)> = covers
        .iter()
        .flat_map(|c| c.parts.iter().map(move |p| (c.page, p.source)))
        .collect();
    let mut out: Vec<(u32, Vec<u32>)> = covers
        .iter()
        .filter_map(|c| {
            let later: Vec<u32> = c
                .parts
                .iter()
                .map(|p| p.source)
                .filter(|&s| parts.contains(&(s, c.page)) && later(s, c.page))
                .collect();
            (!later.is_empty()).then_some((c.page, later))
        })
        .collect();
    out.sort_unstable_by_key(|(page, _)| *page);
    out
}

/// Drops the cover of each page that is a part of another page's cover which has it as a part,
/// when it is the earlier of the two (`later(x, y)`: whether `x` is the later of two documents).
pub fn drop_mutual(covers: &mut Vec<PageCover>, later: impl Fn(u32, u32) -> bool) {
    let parts: AHashSet<(u32, u32)> = covers
        .iter()
        .flat_map(|c| c.parts.iter().map(move |p| (c.page, p.source)))
        .collect();
    covers.retain(|c| {
        !c.parts
            .iter()
            .any(|p| parts.contains(&(p.source, c.page)) && later(p.source, c.page))
    });
}

/// The pair records of the covers: for each part, the pair of the page and its source with
/// relation `derivative`, the page derived, by the cover; `scores(x, y)` gives the exact scores
/// (and whole-text figures) of documents `x < y`.
pub fn cover_pairs(
    covers: &[PageCover],
    threshold: f64,
    scores: impl Fn(u32, u32) -> (crate::verify::Scores, Option<crate::verify::RawFigures>),
) -> Vec<VerifiedPair> {
    let mut out = Vec::new();
    for c in covers {
        for (rank, part) in c.parts.iter().enumerate() {
            let (a, b) = (c.page.min(part.source), c.page.max(part.source));
            let derived = if a == c.page { Which::A } else { Which::B };
            let (scores, raw) = scores(a, b);
            out.push(VerifiedPair {
                a,
                b,
                scores,
                relation: Relation::Derivative,
                derived: Some(derived),
                direction_score: 0.0,
                direction: Some(Direction {
                    derived,
                    by: DirectionBy::Cover,
                    confidence: COVER_CONFIDENCE,
                    contradicted: false,
                    signs: TextSigns::default(),
                }),
                raw,
                siblings_of: None,
                common_text: false,
                cover: Some(PartOf {
                    rank: rank + 1,
                    share: part.share,
                    alone: part.alone,
                    explained: c.explained,
                    sources: c.parts.len(),
                    sole: part.alone >= threshold,
                }),
            });
        }
    }
    out
}

/// `pairs` with the cover pairs `covered` in place of the verified pairs of the same two
/// documents, the others appended, in the order of `covered`.
pub fn merge_pairs(pairs: &mut Vec<VerifiedPair>, covered: Vec<VerifiedPair>) {
    let replaced: AHashMap<(u32, u32), usize> = covered
        .iter()
        .enumerate()
        .map(|(i, p)| ((p.a, p.b), i))
        .collect();
    let mut covered: Vec<Option<VerifiedPair>> = covered.into_iter().map(Some).collect();
    for p in pairs.iter_mut() {
        if let Some(&i) = replaced.get(&(p.a, p.b)) {
            if let Some(c) = covered[i].take() {
                *p = c;
            }
        }
    }
    pairs.extend(covered.into_iter().flatten());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(a: u32, b: u32) -> Candidate {
        Candidate {
            a,
            b,
            votes: 1,
            jaccard: 0.0,
            containment: 0.5,
        }
    }

    #[test]
    fn a_page_needs_two_parts_that_could_explain_it_and_none_later() {
        // 2 holds half of itself in 0 and half in 1: a page. 3 holds 0.4 in 0 and 0.3 in 1: too
        // little together. 0 holds half of itself in 2 and in 4 (which is nearly all in 0).
        let candidates = [
            candidate(0, 2),
            candidate(1, 2),
            candidate(0, 3),
            candidate(1, 3),
            candidate(0, 4),
        ];
        let held = [(0.5, 0.5), (0.1, 0.5), (0.1, 0.4), (0.1, 0.3), (0.5, 0.9)];
        let never = |_, _| false;
        let pages = possible_pages(&candidates, &held, (0.15, 0.8), never);
        assert_eq!(
            pages,
            vec![(0, vec![(2, 0.5), (4, 0.9)]), (2, vec![(0, 0.5), (1, 0.1)])]
        );
        // A part dated after the page is none of its parts.
        let later = |x, y| (x, y) == (4, 0);
        let pages = possible_pages(&candidates, &held, (0.15, 0.8), later);
        assert_eq!(pages, vec![(2, vec![(0, 0.5), (1, 0.1)])]);
    }

    #[test]
    fn of_two_pages_part_of_each_other_the_later_keeps_its_cover() {
        let of = |page, parts: &[u32]| PageCover {
            page,
            parts: parts
                .iter()
                .map(|&source| CoverPart {
                    source,
                    share: 0.5,
                    alone: 0.5,
                    spans: Vec::new(),
                })
                .collect(),
            explained: 1.0,
        };
        let mut covers = vec![of(1, &[3, 7]), of(3, &[1, 5]), of(8, &[2, 4])];
        assert_eq!(mutual_losers(&covers, |x, y| x > y), vec![(1, vec![3])]);
        drop_mutual(&mut covers, |x, y| x > y);
        let pages: Vec<u32> = covers.iter().map(|c| c.page).collect();
        assert_eq!(pages, vec![3, 8]);
    }
}
