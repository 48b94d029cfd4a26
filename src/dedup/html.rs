//! The HTML report of a dedup run: the decided run ([`Decided`]) in, one HTML file out (written
//! to the writer the run's commit of its outputs gives, `output::commit_all`), made by an
//! [`HtmlReport`] sink (see [`crate::report::html`]) that the run pushes its chosen pairs
//! (with their texts), its clusters and its figures to; the report builds its overview (the
//! histogram, the largest clusters and sources, their limits) from those events.
//!
//! What stays here is the run's own decision of which pairs to embed. A run of 100,000 documents
//! can verify tens of thousands of pairs, so the report embeds a bounded number of them, chosen
//! to explain the decision first ([`Explained::choose`]): the pairs that put each member in the
//! largest clusters (a few per cluster, then the rest), then the pairs that removed a derivative,
//! then every other pair, up to [`HtmlOutput::max_pairs`]. Only the documents of the chosen pairs
//! are read again and aligned; the report embeds each of their texts once.

use ahash::AHashMap;
use rayon::prelude::*;

use super::outcome::{RunError, Summary};
use super::output::{Decided, Explained};
use super::HtmlOutput;
use std::ops::Range;

use super::{Deduper, Scratch};
use crate::align::align_texts;
use crate::boilerplate::{mark_background, Background};
use crate::compare::Pair;
use crate::document::{CorpusSpec, Document};
use crate::progress::Silent;
use crate::report::html::HtmlReport;
use crate::report::{RunFigures, Sink};

/// Member pairs of each cluster taken before any derivative pair.
const FIRST_ROUND: usize = 10;

/// Writes the report of a run: the chosen pairs, aligned on their texts read again, then the
/// run's clusters and figures, pushed to an [`HtmlReport`] (which builds the overview from them).
pub(super) fn write_report(
    out: &HtmlOutput,
    w: &mut impl std::io::Write,
    spec: &CorpusSpec,
    decided: &Decided<'_>,
    summary: &Summary,
    deduper: &Deduper,
    background: &Background,
) -> Result<(), RunError> {
    let pairs = decided.pairs;
    let chosen = decided.explained.choose(pairs.len(), out.max_pairs);
    let mut wanted: Vec<u32> = chosen
        .iter()
        .flat_map(|&k| [pairs[k].a, pairs[k].b])
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let docs = load_docs(spec, decided, &wanted)?;
    // Each document's background token ranges, for the boilerplate passages.
    let backgrounds: AHashMap<u32, Vec<Range<usize>>> = if background.is_empty() {
        AHashMap::new()
    } else {
        wanted
            .par_iter()
            .map_init(Scratch::default, |s, &i| {
                let of = decided.catalog.sketches.background_of(background, i);
                let measured = deduper.measure(&docs[&i].text, s, of);
                (i, measured.background)
            })
            .collect::<Vec<_>>()
            .into_iter()
            .collect()
    };
    let none = Vec::new();
    let background_of = |i: u32| backgrounds.get(&i).unwrap_or(&none).as_slice();
    let aligned: Vec<Pair> = chosen
        .par_iter()
        .map(|&k| {
            let p = &pairs[k];
            let (a, b) = (&docs[&p.a], &docs[&p.b]);
            Pair {
                a: a.id.clone(),
                b: b.id.clone(),
                scores: p.scores,
                relation: p.relation,
                derived: p.derived,
                direction_score: p.direction_score,
                direction: p.direction,
                dates: decided.catalog.dates.pair(p.a, p.b),
                alignment: Some({
                    let mut al = align_texts(&a.text, &b.text, &deduper.config().align);
                    mark_background(
                        &mut al,
                        (&a.text, background_of(p.a)),
                        (&b.text, background_of(p.b)),
                    );
                    al
                }),
                raw: p.raw,
                siblings_of: p
                    .siblings_of
                    .map(|s| decided.catalog.ids[s as usize].clone()),
                cover: decided.covers.share(p),
                common_text: p.common_text,
            }
        })
        .collect();
    // The report is held in memory and written when complete, as `path: cannot write: why` like
    // every output of the run.
    let mut report = HtmlReport::new(out.title.clone());
    let pushed = (|| {
        for (&k, pair) in chosen.iter().zip(&aligned) {
            report.pair(pair, &docs[&pairs[k].a], &docs[&pairs[k].b])?;
        }
        decided.push_clusters(&mut report)?;
        report.summary(&figures(summary))?;
        report.finish()?;
        report.write_to(w)
    })();
    pushed.map_err(super::output::write_error(&out.path))
}

/// The figures of a run, as the report's [`Sink::summary`] event carries them.
fn figures(summary: &Summary) -> RunFigures {
    RunFigures {
        read: summary.read,
        kept: summary.kept,
        removed_duplicates: summary.removed_duplicates,
        removed_derivatives: summary.removed_derivatives,
        removed_built: summary.removed_built,
        built: summary.built,
        pairs: summary.pairs,
        duplicate_pairs: summary.duplicate_pairs,
        derivative_pairs: summary.derivative_pairs,
        clusters: summary.clusters,
    }
}

/// The choice of the pairs the report embeds.
impl Explained {
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

/// The given documents (in increasing order), their texts read again.
fn load_docs(
    spec: &CorpusSpec,
    decided: &Decided<'_>,
    wanted: &[u32],
) -> Result<AHashMap<u32, Document>, RunError> {
    let catalog = decided.catalog;
    let texts = catalog.store.map_texts(
        spec,
        &catalog.ids,
        wanted,
        || (),
        |(), _, text| text.into_owned(),
        &Silent,
    )?;
    Ok(texts
        .into_iter()
        .map(|(i, text)| (i, Document::new(decided.id(i), text)))
        .collect())
}

#[cfg(test)]
mod tests {
    use crate::dedup::output::tests::run;
    use crate::dedup::output::Explained;

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
