//! Reports: what a command found, pushed as events, written as text. Every output format is a
//! [`Sink`] of the same events, as ripgrep's printers are sinks of its searcher's matches: the
//! command (or the library loop behind it, such as [`crate::index::Index::check_corpus`]) pushes,
//! the sink writes. `compare`, `check` and `dedup` push to these sinks: a dedup run pushes its
//! pair records to a [`JsonLines`] over its pairs file, its clusters to one over its clusters
//! file, and the pairs it explains (with their texts), its clusters and its figures to its HTML
//! report.
//!
//! The events, in the order a producer pushes them:
//! - [`Sink::begin_document`]: a checked document begins, its matches follow (`check`);
//! - [`Sink::pair`]: one pair with the texts of its two documents (`compare`, `check`, and the
//!   pairs a dedup report explains), or [`Sink::record`]: a pair whose texts are not at hand (the
//!   verified pairs of a dedup run, written as records), or [`Sink::records`]: several of those
//!   at once, which a sink may format in parallel;
//! - [`Sink::cluster`]: a group a dedup run decided on, duplicates or a source with its
//!   derivatives ([`Cluster`]);
//! - [`Sink::summary`]: the figures of a dedup run ([`RunFigures`]);
//! - [`Sink::finish`]: nothing follows; a sink flushes or writes its file.
//!
//! Every event but [`Sink::pair`] has a default that does nothing, so a sink implements only what
//! it shows. A producer may push a subset to a sink (a dedup run gives its pairs file every
//! record, its HTML report only the pairs it re-read), but never the same pair twice.
//!
//! The sinks, one module each:
//! - [`json`]: [`JsonLines`], one record per line: the pair record shared by `compare`, `dedup`
//!   and `check` ([`PairRecord`]), and the cluster records of a dedup run ([`ClusterRecord`]);
//! - [`terminal`]: [`Terminal`], the human view: a verdict and a diff-like list of passages, in
//!   colour when asked;
//! - [`html`]: [`html::HtmlReport`], one self-contained HTML page with the texts side by side, and
//!   [`html::HtmlFile`], the same page written to a file when finished.

use std::io;

use serde::Serialize;

use crate::compare::Pair;
use crate::document::Document;
use crate::verify::{DirectionBy, Which};

pub mod html;
pub mod json;
pub mod terminal;

pub use json::{ClusterRecord, EditRecord, JsonLines, PairRecord, PassageRecord};
pub use terminal::Terminal;

/// Something that consumes what a command found, pushed to it event by event (see the module
/// docs for their order).
pub trait Sink {
    /// A checked document begins; its `matches` pairs follow. Most sinks ignore it (the default);
    /// [`Terminal`] prints a heading.
    fn begin_document(&mut self, doc: &Document, matches: usize) -> io::Result<()> {
        let _ = (doc, matches);
        Ok(())
    }

    /// One pair, with the texts of its two documents (`a` is the document of `pair.a`).
    fn pair(&mut self, pair: &Pair, a: &Document, b: &Document) -> io::Result<()>;

    /// One pair whose texts the producer does not hold (a dedup run's verified pairs). Sinks that
    /// write records write it as they write [`Sink::pair`]; views that draw the texts ignore it
    /// (the default).
    fn record(&mut self, pair: &Pair) -> io::Result<()> {
        let _ = pair;
        Ok(())
    }

    /// Several pairs whose texts the producer does not hold, in order: the same as one
    /// [`Sink::record`] each (the default pushes them so). A sink that can do better with a
    /// batch overrides it: [`JsonLines`] formats the records in parallel and writes them in order.
    /// The producer bounds the batch (a dedup run pushes a few thousand at a time).
    fn records(&mut self, pairs: &[Pair]) -> io::Result<()> {
        pairs.iter().try_for_each(|pair| self.record(pair))
    }

    /// A group a dedup run decided on. The default ignores it.
    fn cluster(&mut self, cluster: &Cluster<'_>) -> io::Result<()> {
        let _ = cluster;
        Ok(())
    }

    /// The figures of a dedup run, after its pairs and clusters. The default ignores them.
    fn summary(&mut self, figures: &RunFigures) -> io::Result<()> {
        let _ = figures;
        Ok(())
    }

    /// Nothing follows: a sink writing to a stream flushes it, one writing a file writes it.
    fn finish(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A group of documents a dedup run decided on, as the [`Sink::cluster`] event carries it.
#[derive(Clone, Copy, Debug)]
pub enum Cluster<'a> {
    /// Two or more duplicates of each other, of which one is kept. Pushed largest first.
    Duplicates {
        /// The cluster's number in the run, 0 for the first pushed.
        number: usize,
        /// The member kept for the cluster.
        representative: &'a str,
        /// Whether the representative is kept (it may itself be removed as a derivative).
        representative_kept: bool,
        /// Every member, the representative included (its `via` is `None`), in the run's order.
        members: &'a [Linked<'a>],
    },
    /// A source and the documents derived from it. Pushed in the order of the sources' input.
    Derivatives {
        /// The source's id.
        source: &'a str,
        /// Whether the source is kept.
        source_kept: bool,
        /// The derived documents, in input order; each `via` is the source.
        derived: &'a [Linked<'a>],
    },
    /// A page built from several sources ([`crate::cover`]) and those sources. Pushed after the
    /// derivatives, in the order of the pages' input.
    BuiltFrom {
        /// The page's id.
        page: &'a str,
        /// Whether the page is kept (it goes when every source is kept).
        page_kept: bool,
        /// Its sources, by rank (the one that explains the most first); each `via` is the page.
        sources: &'a [Linked<'a>],
    },
}

/// A document in a [`Cluster`], with the document through whose pair it joined the group, so
/// that a view holding that pair can link to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Linked<'a> {
    /// The document's id.
    pub id: &'a str,
    /// The other document of the pair that puts it in the group, when there is one.
    pub via: Option<&'a str>,
}

/// The figures of a dedup run, as the [`Sink::summary`] event carries them.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RunFigures {
    /// Documents read.
    pub read: u64,
    /// Documents kept.
    pub kept: u64,
    /// Documents removed as duplicates.
    pub removed_duplicates: u64,
    /// Documents removed as derivatives.
    pub removed_derivatives: u64,
    /// Pages removed as built from several kept documents.
    pub removed_built: u64,
    /// Pages built from several sources and from no single one.
    pub built: u64,
    /// Verified pairs.
    pub pairs: u64,
    /// Of which duplicates.
    pub duplicate_pairs: u64,
    /// Of which derivatives.
    pub derivative_pairs: u64,
    /// Clusters of duplicates.
    pub clusters: u64,
}

/// A short display name for a document id (a path's file name).
pub(crate) fn short(id: &str) -> &str {
    id.rsplit(['/', '\\']).next().unwrap_or(id)
}

pub(crate) fn percent(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// How a derivative's direction was decided, in words, its documents named by `name` (their
/// ids, or a shorter form of them): "the dates say b came first (2024-03-01, a 2024-03-05);
/// confidence 0.99", "from the text alone: 81% of a is in b, 32% of b is in a; b has 5 passages
/// of its own inside the text they share, a has 1; confidence 0.98", "siblings: both are copies
/// of s, neither the other's source; ...". `None` for a pair without a direction.
pub(crate) fn direction_words(pair: &Pair, name: fn(&str) -> &str) -> Option<String> {
    let d = pair.direction?;
    let (derived, source) = (d.derived, d.derived.other());
    let (dn, sn) = (name(pair.id(derived)), name(pair.id(source)));
    let containment = |w: Which| match w {
        Which::A => pair.scores.containment_a_in_b,
        Which::B => pair.scores.containment_b_in_a,
    };
    let mut text = format!(
        "{} of {dn} is in {sn}, {} of {sn} is in {dn}",
        percent(containment(derived)),
        percent(containment(source))
    );
    let own = |w: Which| d.signs.passages[w as usize];
    if own(derived) + own(source) > 0 {
        let passages = |n: u32| match n {
            1 => "1 passage".to_string(),
            n => format!("{n} passages"),
        };
        text.push_str(&format!(
            "; {sn} has {} of its own inside the text they share, {dn} {}",
            passages(own(source)),
            own(derived)
        ));
    }
    let dated = |w: Which| pair.date(w).map(|date| date.to_string());
    let mut words = match d.by {
        DirectionBy::Date => {
            let mut w = format!("the dates say {sn} came first");
            if let (Some(s), Some(dd)) = (dated(source), dated(derived)) {
                w.push_str(&format!(" ({s}; {dn} {dd})"));
            }
            if d.contradicted {
                w.push_str(&format!(
                    ", though the text says clearly the other way: {} of {sn} is in {dn}, \
                     which adds to it",
                    percent(containment(source))
                ));
            }
            w
        }
        DirectionBy::Text | DirectionBy::Weak => {
            let why = match (dated(derived), dated(source)) {
                (Some(a), Some(b)) if a == b => "the dates are the same; ",
                _ => "",
            };
            let conflict = match d.signs.conflicting {
                true => ", though the containments alone point the other way",
                false => "",
            };
            let weak = match d.by {
                DirectionBy::Weak => ", too close to tell: a guess",
                _ => "",
            };
            format!("{why}from the text alone: {text}{conflict}{weak}")
        }
        DirectionBy::Siblings => {
            let of = pair.siblings_of.as_deref().map_or("one source", name);
            format!("siblings: both are copies of {of}, neither is the other's source ({text})")
        }
        DirectionBy::Cover => match &pair.cover {
            Some(c) => format!(
                "{dn} is built from {} sources, which together explain {} of it; {sn} is \
                 source {} and explains {} ({text})",
                c.sources,
                percent(c.explained),
                c.rank,
                percent(c.share)
            ),
            None => format!("{dn} is built from several sources, {sn} among them ({text})"),
        },
    };
    words.push_str(&format!("; confidence {:.2}", d.confidence));
    Some(words)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::Linked;

    /// The members of one duplicate cluster, d2 its representative, for the sinks' tests.
    pub(crate) fn three_duplicates() -> [Linked<'static>; 3] {
        let via = |id, via| Linked { id, via };
        [
            via("d1", Some("d2")),
            via("d2", None),
            via("d3", Some("d2")),
        ]
    }
}
