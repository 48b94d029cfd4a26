//! The decision of a dedup: the sketches and the verified pairs in, the [`Decision`] out: clusters
//! of duplicates (connected components, by union-find), a representative kept for each by the
//! [`KeepPolicy`], and which documents are removed, with the reason.
//!
//! It reads only the sketches' figures and the pairs, so it runs after pass 2 without any text.
//! Before it, [`mark_siblings`] finds the derivatives of one source that match each other.

use ahash::{AHashMap, AHashSet};

use crate::lsh::pair_key;
use rayon::prelude::*;

use super::{SketchTable, VerifiedPair};
use crate::verify::{
    Direction, DirectionBy, Relation, SIBLINGS_CONFIDENCE, SIBLINGS_MARGIN, SIBLINGS_SURE,
};

/// Which member of a duplicate cluster represents it (and is kept).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeepPolicy {
    /// The fullest text: the most shingles, then the most bytes, then the first.
    Longest,
    /// The first in input order.
    First,
}
/// Why a document was removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Removal {
    /// A duplicate of the kept representative of its cluster.
    DuplicateOf(u32),
    /// A derivative of a kept document.
    DerivativeOf(u32),
    /// A page built from several kept documents ([`super::PageCover`]), which explain it together;
    /// the first of them (the one that explains the most).
    BuiltFrom(u32),
}

/// The least share of a derivative that is inside its source for `--out-kept` to remove it: a
/// copy that added more text of its own than it took (a long commentary on a short story it
/// quotes whole) keeps what it added.
pub const REMOVED_SHARE: f64 = 0.5;

/// A cluster: a connected component of duplicate pairs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cluster {
    /// The kept member.
    pub representative: u32,
    /// All members, in input order.
    pub members: Vec<u32>,
}

/// The outcome of a run over `n` documents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Clusters of two or more duplicates, largest first.
    pub clusters: Vec<Cluster>,
    /// For each document, `None` when kept, or why it was removed.
    pub removed: Vec<Option<Removal>>,
}

impl Decision {
    /// Number of kept documents.
    pub fn kept(&self) -> usize {
        self.removed.iter().filter(|r| r.is_none()).count()
    }
}

/// Marks the siblings among `pairs`: two derivatives of one source (each a direction of
/// confidence [`SIBLINGS_SURE`] at least) that also match each other are
/// copies of that source, neither the other's, unless one of them has more than
/// [`SIBLINGS_MARGIN`] of its shingles more inside the other than inside the source (then it took
/// from the other: an excerpt of a repost that kept the repost's additions). Such a pair keeps
/// its `source` and `derived` (the contract) but says [`DirectionBy::Siblings`], names the source
/// (`siblings_of`: of several, the one that explains the two best, then the first) and is no
/// derivation for the decision. The work is a merge of the two documents' sorted source lists
/// per derivative pair.
pub fn mark_siblings(pairs: &mut [VerifiedPair]) {
    // Derived -> its sure sources, with its containment in each, sorted by source.
    let mut sources: AHashMap<u32, Vec<(u32, f64)>> = AHashMap::new();
    // A page's cover says where it came from; siblings are found among the plain derivatives.
    let sure = |p: &VerifiedPair| {
        p.cover.is_none() && p.direction.is_some_and(|d| d.confidence >= SIBLINGS_SURE)
    };
    for p in pairs.iter().filter(|p| sure(p)) {
        if let Some((d, s, inside)) = p.derivation_share() {
            sources.entry(d).or_default().push((s, inside));
        }
    }
    for list in sources.values_mut() {
        list.sort_unstable_by_key(|&(s, _)| s);
    }
    let marks: Vec<(usize, u32)> = pairs
        .par_iter()
        .enumerate()
        .filter_map(|(k, p)| {
            p.derivation()?;
            let (of_a, of_b) = (sources.get(&p.a)?, sources.get(&p.b)?);
            let (a_in_b, b_in_a) = (p.scores.containment_a_in_b, p.scores.containment_b_in_a);
            let mut best: Option<(f64, u32)> = None;
            let (mut i, mut j) = (0, 0);
            while i < of_a.len() && j < of_b.len() {
                let ((s, a_in_s), (t, b_in_s)) = (of_a[i], of_b[j]);
                if s < t {
                    i += 1;
                    continue;
                }
                if t < s {
                    j += 1;
                    continue;
                }
                let explained =
                    a_in_b <= a_in_s + SIBLINGS_MARGIN && b_in_a <= b_in_s + SIBLINGS_MARGIN;
                if explained && best.is_none_or(|(b, _)| a_in_s + b_in_s > b) {
                    best = Some((a_in_s + b_in_s, s));
                }
                i += 1;
                j += 1;
            }
            best.map(|(_, s)| (k, s))
        })
        .collect();
    for (k, source) in marks {
        let p = &mut pairs[k];
        p.siblings_of = Some(source);
        p.direction = p.direction.map(|d| Direction {
            by: DirectionBy::Siblings,
            confidence: SIBLINGS_CONFIDENCE,
            contradicted: false,
            ..d
        });
    }
}

/// Sources, unrelated to each other, that a derived text's content must be inside for that
/// content to be common text ([`mark_common_text`]).
pub const COMMON_SOURCES: usize = 3;

/// Marks the common text among `pairs`: a derived document whose content is inside
/// [`COMMON_SOURCES`] documents or more that are unrelated to each other (no pair between any two
/// of them, so none is a copy of another) took nothing from any one of them. What it shares with
/// them is text that many unrelated documents hold (a standard licence quoted by hundreds of
/// files in wordings too many to learn as a template, a stock disclaimer), so its derivative
/// pairs become overlaps ([`VerifiedPair::common_text`]) and it is not removed for them. A
/// repost's sources are its original and the original's copies, which are pairs of each other:
/// it stays a derivative. Pages built from several sources are judged by their covers, not here.
/// Returns the number of documents found. The work is one set of the pairs, and per derived
/// document a pass over its sources against the (at most [`COMMON_SOURCES`]) unrelated ones
/// chosen so far.
pub fn mark_common_text(pairs: &mut [VerifiedPair]) -> usize {
    let related: AHashSet<u64> = pairs.iter().map(|p| pair_key(p.a, p.b)).collect();
    let mut sources: AHashMap<u32, Vec<u32>> = AHashMap::new();
    for p in pairs.iter().filter(|p| p.cover.is_none()) {
        if let Some((d, s)) = p.derivation() {
            sources.entry(d).or_default().push(s);
        }
    }
    let related = |x: &u32, y: &u32| related.contains(&pair_key(*x.min(y), *x.max(y)));
    let common: AHashSet<u32> = sources
        .into_iter()
        .filter_map(|(d, mut list)| {
            // In id order, so that the answer does not depend on the pairs' order.
            list.sort_unstable();
            has_unrelated(&list, related).then_some(d)
        })
        .collect();
    for p in pairs.iter_mut() {
        if p.cover.is_none() && p.derivation().is_some_and(|(d, _)| common.contains(&d)) {
            p.relation = Relation::Overlap;
            p.derived = None;
            p.direction = None;
            p.common_text = true;
        }
    }
    common.len()
}

/// Whether [`COMMON_SOURCES`] of `sources` are unrelated to each other (`related` is false for
/// every two of them), chosen greedily in their order: each one that is unrelated to those
/// chosen so far is chosen. At most [`COMMON_SOURCES`] `related` calls a source.
pub(crate) fn has_unrelated<T>(sources: &[T], related: impl Fn(&T, &T) -> bool) -> bool {
    let mut chosen: Vec<&T> = Vec::with_capacity(COMMON_SOURCES);
    for s in sources {
        if chosen.iter().all(|c| !related(c, s)) {
            chosen.push(s);
            if chosen.len() == COMMON_SOURCES {
                return true;
            }
        }
    }
    false
}

/// Union-find over document indices, by size with path halving.
struct DisjointSets {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl DisjointSets {
    fn new(n: usize) -> Self {
        DisjointSets {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }

    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = self.parent[x as usize];
        }
        x
    }

    fn union(&mut self, a: u32, b: u32) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a as usize] < self.size[b as usize] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b as usize] = a;
        self.size[a as usize] += self.size[b as usize];
    }
}

/// Clusters duplicates, picks representatives and decides what is kept.
///
/// Duplicates (relation `duplicate`) are joined into connected components; each component keeps
/// its representative (by `keep`) and removes the rest. Then, visiting the remaining documents from
/// the fullest down, a derivative is removed when one of its sources (through its cluster's
/// representative) is kept. Last, a page built from several sources (its pairs' [`PartOf`]) that
/// no single source took away is removed when each of its sources (through its cluster's
/// representative) is kept, the fullest pages first. Everything else is kept.
///
/// [`PartOf`]: super::PartOf
pub fn decide(sketches: &SketchTable, pairs: &[VerifiedPair], keep: KeepPolicy) -> Decision {
    let n = sketches.len();
    let mut sets = DisjointSets::new(n);
    for p in pairs.iter().filter(|p| p.relation == Relation::Duplicate) {
        sets.union(p.a, p.b);
    }
    let fuller = |x: u32, y: u32| -> bool {
        let (sx, sy) = (sketches.figures(x as usize), sketches.figures(y as usize));
        (sx.shingles, sx.bytes, std::cmp::Reverse(x))
            > (sy.shingles, sy.bytes, std::cmp::Reverse(y))
    };
    let mut members: AHashMap<u32, Vec<u32>> = AHashMap::new();
    for i in 0..n as u32 {
        let root = sets.find(i);
        if sets.size[root as usize] > 1 {
            members.entry(root).or_default().push(i);
        }
    }
    let mut removed: Vec<Option<Removal>> = vec![None; n];
    let mut rep_of: Vec<u32> = (0..n as u32).collect();
    let mut clusters: Vec<Cluster> = members
        .into_values()
        .map(|m| {
            let representative = match keep {
                KeepPolicy::First => m[0],
                KeepPolicy::Longest => m
                    .iter()
                    .copied()
                    .reduce(|best, x| if fuller(x, best) { x } else { best })
                    .expect("clusters are not empty"),
            };
            for &x in &m {
                rep_of[x as usize] = representative;
                if x != representative {
                    removed[x as usize] = Some(Removal::DuplicateOf(representative));
                }
            }
            Cluster {
                representative,
                members: m,
            }
        })
        .collect();
    clusters.sort_by(|x, y| {
        y.members
            .len()
            .cmp(&x.members.len())
            .then(x.members[0].cmp(&y.members[0]))
    });
    // Pages built from several sources: page -> its sources, by rank.
    let mut parts: AHashMap<u32, Vec<(usize, u32)>> = AHashMap::new();
    for (page, source, part) in pairs.iter().filter_map(VerifiedPair::cover_part) {
        parts.entry(page).or_default().push((part.rank, source));
    }
    // A source of a page (through representatives) is not derived from the page, whatever a
    // pair of the page with a duplicate of that source says.
    let part_of: ahash::AHashSet<(u32, u32)> = parts
        .iter()
        .flat_map(|(&page, sources)| {
            let rep_of = &rep_of;
            sources
                .iter()
                .map(move |&(_, s)| (rep_of[page as usize], rep_of[s as usize]))
        })
        .collect();
    // Derivative links between representatives: derived -> sources, where at least
    // REMOVED_SHARE of the derived document is inside its source.
    let mut sources: AHashMap<u32, Vec<u32>> = AHashMap::new();
    let mostly_taken = pairs
        .iter()
        .filter_map(VerifiedPair::derivation_share)
        .filter(|&(_, _, inside)| inside >= REMOVED_SHARE);
    for (d, s, _) in mostly_taken {
        let (d, s) = (rep_of[d as usize], rep_of[s as usize]);
        if d != s && !part_of.contains(&(s, d)) {
            sources.entry(d).or_default().push(s);
        }
    }
    // Fullest first, so a source is decided before what derives from it.
    let mut order: Vec<u32> = sources.keys().copied().collect();
    order.extend(sources.values().flatten().copied());
    order.sort_unstable();
    order.dedup();
    let fullest_first = |&x: &u32, &y: &u32| match fuller(x, y) {
        true => std::cmp::Ordering::Less,
        false => std::cmp::Ordering::Greater,
    };
    order.sort_by(fullest_first);
    for d in order {
        if removed[d as usize].is_some() {
            continue;
        }
        if let Some(srcs) = sources.get(&d) {
            if let Some(&s) = srcs.iter().find(|&&s| removed[s as usize].is_none()) {
                removed[d as usize] = Some(Removal::DerivativeOf(s));
            }
        }
    }
    let mut pages: Vec<u32> = parts.keys().copied().collect();
    pages.sort_by(fullest_first);
    for page in pages {
        let mut sources = parts.remove(&page).expect("a page listed");
        sources.sort_unstable();
        let reps: Vec<u32> = sources.iter().map(|&(_, s)| rep_of[s as usize]).collect();
        let all_kept = reps
            .iter()
            .all(|&s| s != page && removed[s as usize].is_none());
        if removed[page as usize].is_none() && all_kept {
            removed[page as usize] = Some(Removal::BuiltFrom(reps[0]));
        }
    }
    Decision { clusters, removed }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedup::steps::tests::{sketches, words};
    use crate::dedup::{PartOf, Sketch};
    use crate::minhash::Signature;
    use crate::verify::{Scores, Which};

    #[test]
    fn keep_policy_picks_the_representative() {
        let base = words(3, 300);
        let longer = format!("{base} and a few more words at the end");
        let (d, sk) = sketches(&[&base, &longer]);
        let pair = VerifiedPair {
            a: 0,
            b: 1,
            scores: Scores::from_counts(296, 304, 296),
            relation: Relation::Duplicate,
            derived: None,
            direction_score: 0.0,
            direction: None,
            raw: None,
            siblings_of: None,
            common_text: false,
            cover: None,
        };
        let _ = d;
        assert_eq!(
            decide(&sk, &[pair], KeepPolicy::Longest).clusters[0].representative,
            1
        );
        assert_eq!(
            decide(&sk, &[pair], KeepPolicy::First).clusters[0].representative,
            0
        );
    }

    #[test]
    fn a_derivative_of_a_removed_source_is_kept() {
        // c derives from b, b is a duplicate of a and a is kept: c goes (its source is a's cluster).
        // e derives from d only, and d is itself removed as a derivative of a: e stays.
        let sk: SketchTable = (0..5)
            .map(|i| Sketch {
                signature: Signature::from_parts(vec![i; 4], 100 - i),
                tokens: 10,
                bytes: 10,
            })
            .collect();
        let v = |a, b, relation, derived| VerifiedPair {
            a,
            b,
            scores: Scores::from_counts(10, 10, 9),
            relation,
            derived,
            direction_score: 0.0,
            direction: None,
            raw: None,
            siblings_of: None,
            common_text: false,
            cover: None,
        };
        let pairs = [
            v(0, 1, Relation::Duplicate, None),
            v(1, 2, Relation::Derivative, Some(Which::B)),
            v(0, 3, Relation::Derivative, Some(Which::B)),
            v(3, 4, Relation::Derivative, Some(Which::B)),
        ];
        let d = decide(&sk, &pairs, KeepPolicy::Longest);
        assert_eq!(d.removed[1], Some(Removal::DuplicateOf(0)));
        assert_eq!(d.removed[2], Some(Removal::DerivativeOf(0)));
        assert_eq!(d.removed[3], Some(Removal::DerivativeOf(0)));
        assert_eq!(d.removed[4], None);
    }

    #[test]
    fn a_derivative_mostly_of_its_own_text_is_kept() {
        // 1 quotes all of 0 (40 shingles) under 60 of its own: 0.4 of it is 0's, and it stays.
        // 2 quotes it under 10 of its own: 0.8 of it is 0's, and it goes.
        let sk: SketchTable = (0..3)
            .map(|i| Sketch {
                signature: Signature::from_parts(vec![i; 4], 100),
                tokens: 10,
                bytes: 10,
            })
            .collect();
        let quoting = |b: u32, own: usize| VerifiedPair {
            scores: Scores::from_counts(40, 40 + own, 40),
            ..derivation(b, 0)
        };
        let pairs = [quoting(1, 60), quoting(2, 10)];
        assert!(pairs[0].scores.containment_b_in_a < REMOVED_SHARE);
        let d = decide(&sk, &pairs, KeepPolicy::Longest);
        assert_eq!(d.removed[1], None);
        assert_eq!(d.removed[2], Some(Removal::DerivativeOf(0)));
        assert_eq!(d.removed[0], None);
    }

    /// A derivative pair of one derived document: `derived` takes from `source`.
    fn derivation(derived: u32, source: u32) -> VerifiedPair {
        let (a, b) = (derived.min(source), derived.max(source));
        VerifiedPair {
            a,
            b,
            scores: Scores::from_counts(10, 40, 8),
            relation: Relation::Derivative,
            derived: Some(if derived == a { Which::A } else { Which::B }),
            direction_score: 0.5,
            direction: None,
            raw: None,
            siblings_of: None,
            common_text: false,
            cover: None,
        }
    }

    fn overlap(a: u32, b: u32) -> VerifiedPair {
        VerifiedPair {
            relation: Relation::Overlap,
            derived: None,
            ..derivation(a, b)
        }
    }

    #[test]
    fn text_inside_three_unrelated_documents_is_common_text() {
        // 0 (a licence's usual wording with a header) is inside 1, 2 and 3, which share nothing
        // with each other: common text. 10 (a repost) is inside its original 11 and the
        // original's copies 12 and 13, which are pairs of each other: a derivative.
        let mut pairs = vec![derivation(0, 1), derivation(0, 2), derivation(0, 3)];
        pairs.extend([derivation(10, 11), derivation(10, 12), derivation(10, 13)]);
        pairs.extend([overlap(11, 12), overlap(11, 13), overlap(12, 13)]);
        assert_eq!(mark_common_text(&mut pairs), 1);
        for p in &pairs[..3] {
            assert_eq!(
                (p.relation, p.derived, p.common_text),
                (Relation::Overlap, None, true)
            );
            assert_eq!(p.derivation(), None);
        }
        for p in &pairs[3..6] {
            assert_eq!(p.relation, Relation::Derivative);
            assert!(!p.common_text);
            assert_eq!(p.derivation().map(|(d, _)| d), Some(10));
        }
    }

    #[test]
    fn two_unrelated_sources_or_a_cover_are_not_common_text() {
        // 0 is inside 1, 2 and 3, but 1 and 2 are a pair: two unrelated sources, not three.
        let mut pairs = vec![derivation(0, 1), derivation(0, 2), derivation(0, 3)];
        pairs.push(overlap(1, 2));
        // 5 is built from 6, 7 and 8 (its cover): judged by its cover.
        for s in [6, 7, 8] {
            let mut p = derivation(5, s);
            p.cover = Some(PartOf {
                rank: s as usize - 5,
                share: 0.3,
                alone: 0.3,
                explained: 0.9,
                sources: 3,
                sole: false,
            });
            pairs.push(p);
        }
        let before = pairs.clone();
        assert_eq!(mark_common_text(&mut pairs), 0);
        assert_eq!(pairs, before);
    }
}
