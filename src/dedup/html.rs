//! The HTML report of a dedup run: the verified pairs and the decision in, one HTML file out
//! (see [`crate::report::html`]).
//!
//! A run of 100,000 documents can verify tens of thousands of pairs, so the report embeds a bounded
//! number of them, chosen to explain the decision first: the pairs that put each member in the
//! largest clusters (a few per cluster, then the rest), then the pairs that removed a derivative,
//! then every other pair, up to [`HtmlOutput::max_pairs`]. Only the documents of the chosen pairs
//! are read again and aligned; the report embeds each of their texts once.

use ahash::AHashMap;
use rayon::prelude::*;

use super::outcome::{RunError, Summary};
use super::store::Catalog;
use super::HtmlOutput;
use crate::align::{align_texts, AlignParams};
use crate::compare::Pair;
use crate::dedup::{Decision, Removal, VerifiedPair};
use crate::document::CorpusSpec;
use crate::progress::Silent;
use crate::report::html::{DedupOverview, Group, HtmlReport, Member, PairView, RunFigures};
use crate::verify::Relation;

/// Clusters and sources listed on the first page.
const GROUPS: usize = 100;
/// Members listed under each.
const MEMBERS: usize = 50;
/// Member pairs of each cluster taken before any derivative pair.
const FIRST_ROUND: usize = 10;

/// Writes the report of a run.
pub(super) fn write_report(
    out: &HtmlOutput,
    spec: &CorpusSpec,
    catalog: &Catalog,
    pairs: &[VerifiedPair],
    decision: &Decision,
    summary: &Summary,
    align: &AlignParams,
) -> Result<(), RunError> {
    let explained = Explained::new(pairs, decision);
    let chosen = explained.choose(pairs.len(), out.max_pairs);
    let mut docs: Vec<u32> = chosen
        .iter()
        .flat_map(|&k| [pairs[k].a, pairs[k].b])
        .collect();
    docs.sort_unstable();
    docs.dedup();
    let texts = load_texts(spec, catalog, &docs)?;
    let id = |i: u32| catalog.ids[i as usize].as_str();
    let aligned: Vec<Pair> = chosen
        .par_iter()
        .map(|&k| {
            let p = &pairs[k];
            Pair {
                a: id(p.a).to_string(),
                b: id(p.b).to_string(),
                scores: p.scores,
                relation: p.relation,
                derived: p.derived,
                direction_score: p.direction_score,
                alignment: Some(align_texts(&texts[&p.a], &texts[&p.b], align)),
            }
        })
        .collect();
    let mut report = HtmlReport::new(out.title.clone());
    let mut view_of: AHashMap<usize, usize> = AHashMap::with_capacity(chosen.len());
    for (&k, pair) in chosen.iter().zip(&aligned) {
        let (ta, tb) = (&texts[&pairs[k].a], &texts[&pairs[k].b]);
        view_of.insert(k, report.add(&PairView::new(pair, ta, tb)));
    }
    let member = |doc: u32, pair: Option<usize>| Member {
        id: id(doc).to_string(),
        view: pair.and_then(|k| view_of.get(&k).copied()),
    };
    let kept = |doc: u32| decision.removed[doc as usize].is_none();
    let clusters = decision
        .clusters
        .iter()
        .zip(&explained.members)
        .take(GROUPS)
        .map(|(c, why)| Group {
            head: id(c.representative).to_string(),
            head_kept: kept(c.representative),
            size: why.len(),
            members: why
                .iter()
                .take(MEMBERS)
                .map(|&(m, k)| member(m, k))
                .collect(),
        })
        .collect();
    let mut by_source: AHashMap<u32, Vec<(u32, usize)>> = AHashMap::new();
    for (k, p) in pairs.iter().enumerate() {
        if let Some((d, s)) = p.derivation() {
            by_source.entry(s).or_default().push((d, k));
        }
    }
    let mut sources: Vec<(u32, Vec<(u32, usize)>)> = by_source.into_iter().collect();
    sources.sort_unstable_by(|x, y| y.1.len().cmp(&x.1.len()).then(x.0.cmp(&y.0)));
    let sources = sources
        .into_iter()
        .take(GROUPS)
        .map(|(s, mut derived)| {
            derived.sort_unstable();
            Group {
                head: id(s).to_string(),
                head_kept: kept(s),
                size: derived.len(),
                members: derived
                    .iter()
                    .take(MEMBERS)
                    .map(|&(d, k)| member(d, Some(k)))
                    .collect(),
            }
        })
        .collect();
    report.dedup(DedupOverview {
        figures: RunFigures {
            read: summary.read,
            kept: summary.kept,
            removed_duplicates: summary.removed_duplicates,
            removed_derivatives: summary.removed_derivatives,
            pairs: summary.pairs,
            duplicate_pairs: summary.duplicate_pairs,
            derivative_pairs: summary.derivative_pairs,
            clusters: summary.clusters,
        },
        cluster_sizes: decision.clusters.iter().map(|c| c.members.len()).collect(),
        clusters,
        sources,
    });
    super::output::write_atomically(&out.path, |w| {
        report
            .write_to(w)
            .map_err(super::output::write_error(&out.path))
    })
}

/// The pairs that explain the decision.
struct Explained {
    /// Per cluster (largest first), its members other than the representative, each with the pair
    /// that puts it in the cluster: with the representative where there is one.
    members: Vec<Vec<(u32, Option<usize>)>>,
    /// The pair behind each derivative removal, in input order.
    removals: Vec<usize>,
}

impl Explained {
    fn new(pairs: &[VerifiedPair], decision: &Decision) -> Self {
        let mut at: AHashMap<(u32, u32), usize> = AHashMap::with_capacity(pairs.len());
        let mut of_doc: AHashMap<u32, Vec<usize>> = AHashMap::new();
        for (k, p) in pairs.iter().enumerate() {
            at.insert((p.a, p.b), k);
            of_doc.entry(p.a).or_default().push(k);
            of_doc.entry(p.b).or_default().push(k);
        }
        let link = |x: u32, y: u32| at.get(&(x.min(y), x.max(y))).copied();
        let any = |d: u32, fits: &dyn Fn(&VerifiedPair) -> bool| {
            of_doc
                .get(&d)
                .and_then(|ks| ks.iter().copied().find(|&k| fits(&pairs[k])))
        };
        let members = decision
            .clusters
            .iter()
            .map(|c| {
                c.members
                    .iter()
                    .filter(|&&m| m != c.representative)
                    .map(|&m| {
                        let k = link(m, c.representative).or_else(|| {
                            any(m, &|p: &VerifiedPair| p.relation == Relation::Duplicate)
                        });
                        (m, k)
                    })
                    .collect()
            })
            .collect();
        let removals = decision
            .removed
            .iter()
            .enumerate()
            .filter_map(|(d, r)| match r {
                Some(Removal::DerivativeOf(s)) => {
                    let d = d as u32;
                    link(d, *s).or_else(|| {
                        any(d, &|p: &VerifiedPair| {
                            p.derivation().is_some_and(|(x, _)| x == d)
                        })
                    })
                }
                _ => None,
            })
            .collect();
        Explained { members, removals }
    }

    /// Up to `max` of `n` pairs, most telling first.
    fn choose(&self, n: usize, max: usize) -> Vec<usize> {
        let firsts = self
            .members
            .iter()
            .flat_map(|m| m.iter().take(FIRST_ROUND).filter_map(|x| x.1));
        let rests = self
            .members
            .iter()
            .flat_map(|m| m.iter().skip(FIRST_ROUND).filter_map(|x| x.1));
        let order = firsts
            .chain(self.removals.iter().copied())
            .chain(rests)
            .chain(0..n);
        let mut taken = vec![false; n];
        let mut chosen = Vec::with_capacity(max.min(n));
        for k in order {
            if chosen.len() >= max {
                break;
            }
            if !std::mem::replace(&mut taken[k], true) {
                chosen.push(k);
            }
        }
        chosen
    }
}

/// The texts of the given documents (in increasing order), read again.
fn load_texts(
    spec: &CorpusSpec,
    catalog: &Catalog,
    docs: &[u32],
) -> Result<AHashMap<u32, String>, RunError> {
    let texts = catalog.store.map_texts(
        spec,
        &catalog.ids,
        docs,
        || (),
        |(), text| text.into_owned(),
        &Silent,
    )?;
    Ok(texts.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedup::Cluster;
    use crate::verify::{Scores, Which};

    fn pair(a: u32, b: u32, relation: Relation, derived: Option<Which>) -> VerifiedPair {
        let scores = Scores {
            a_shingles: 10,
            b_shingles: 10,
            shared: 9,
            jaccard: 0.8,
            containment_a_in_b: 0.9,
            containment_b_in_a: 0.9,
        };
        VerifiedPair {
            a,
            b,
            scores,
            relation,
            derived,
            direction_score: 0.0,
        }
    }

    /// Documents 0-3 are one cluster kept as 0 (3 joins through 2); 5 derives from 4; 6 and 7
    /// overlap.
    fn run() -> (Vec<VerifiedPair>, Decision) {
        let dup = Relation::Duplicate;
        let pairs = vec![
            pair(0, 1, dup, None),
            pair(0, 2, dup, None),
            pair(2, 3, dup, None),
            pair(4, 5, Relation::Derivative, Some(Which::B)),
            pair(6, 7, Relation::Overlap, None),
        ];
        let mut removed = vec![None; 8];
        for m in [1, 2, 3] {
            removed[m] = Some(Removal::DuplicateOf(0));
        }
        removed[5] = Some(Removal::DerivativeOf(4));
        let decision = Decision {
            clusters: vec![Cluster {
                representative: 0,
                members: vec![0, 1, 2, 3],
            }],
            removed,
        };
        (pairs, decision)
    }

    #[test]
    fn cluster_members_are_explained_through_the_representative_or_a_neighbour() {
        let (pairs, decision) = run();
        let e = Explained::new(&pairs, &decision);
        assert_eq!(e.members, [vec![(1, Some(0)), (2, Some(1)), (3, Some(2))]]);
        assert_eq!(e.removals, [3]);
    }

    #[test]
    fn choice_puts_explanations_first_and_keeps_the_bound() {
        let (pairs, decision) = run();
        let e = Explained::new(&pairs, &decision);
        // (bound, chosen)
        let table: &[(usize, &[usize])] = &[
            (0, &[]),
            (2, &[0, 1]),
            (4, &[0, 1, 2, 3]),
            (10, &[0, 1, 2, 3, 4]),
        ];
        for &(max, want) in table {
            assert_eq!(e.choose(pairs.len(), max), want, "max {max}");
        }
    }
}
