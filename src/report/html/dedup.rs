//! The overview of a dedup report: a run's figures, clusters and sources in, what the page's first
//! screen shows out (the figures, a histogram of cluster sizes, the largest clusters and the
//! sources with the most derivatives, each member linked to its pair's view when the report holds
//! it).
//!
//! An overview is either given whole ([`super::HtmlReport::dedup`]) or gathered from the
//! [`Sink::cluster`](crate::report::Sink::cluster) and
//! [`Sink::summary`](crate::report::Sink::summary) events by `Gathered`: every cluster's size
//! goes into the histogram, the first 100 clusters and sources are listed (sources by
//! their number of derivatives, most first), each with its first 50 members.

use std::collections::HashMap;

use serde::Serialize;

use crate::report::{Cluster, Linked, RunFigures};

/// Clusters and sources listed on the first page.
const GROUPS: usize = 100;
/// Members listed under each.
const MEMBERS: usize = 50;

/// A document listed in a cluster or under a source, with the pair that links it, when that pair
/// is in the report.
#[derive(Clone, Debug, Serialize)]
pub struct Member {
    /// The document's id.
    pub id: String,
    /// Index of its pair view, as returned by [`super::HtmlReport::add`].
    pub view: Option<usize>,
}

/// A group of documents the report lists: a cluster of duplicates (the head is the kept
/// representative) or a source with its derivatives (the head is the source).
#[derive(Clone, Debug, Serialize)]
pub struct Group {
    /// The representative or the source.
    pub head: String,
    /// Whether the head is kept.
    pub head_kept: bool,
    /// Documents in the group besides the head.
    pub size: usize,
    /// The first of them, each with its pair view when there is one.
    pub members: Vec<Member>,
}

/// What a dedup report shows besides its pairs.
#[derive(Clone, Debug, Default)]
pub struct DedupOverview {
    /// The run's figures.
    pub figures: RunFigures,
    /// The size of every cluster of duplicates, for the histogram.
    pub cluster_sizes: Vec<usize>,
    /// The largest clusters, largest first.
    pub clusters: Vec<Group>,
    /// The sources with the most derivatives, most first.
    pub sources: Vec<Group>,
    /// The first pages built from several sources, in input order, each with its sources.
    pub built: Vec<Group>,
}

#[derive(Serialize)]
pub(super) struct DedupData {
    figures: RunFigures,
    /// Verified pairs not embedded.
    left_out: u64,
    histogram: Vec<Bucket>,
    clusters: Vec<Group>,
    sources: Vec<Group>,
    built: Vec<Group>,
}

impl DedupData {
    /// The data of `overview` for a report holding `views` pair views: the figures' pair count
    /// beyond them says how many pairs were left out.
    pub(super) fn new(overview: DedupOverview, views: usize) -> Self {
        let left_out = overview.figures.pairs.saturating_sub(views as u64);
        DedupData {
            histogram: histogram(&overview.cluster_sizes),
            figures: overview.figures,
            left_out,
            clusters: overview.clusters,
            sources: overview.sources,
            built: overview.built,
        }
    }
}

#[derive(Serialize)]
pub(super) struct Bucket {
    label: String,
    clusters: usize,
    documents: usize,
}

/// Cluster sizes in buckets 2, 3, 4, 5-8, 9-16, ...: (label, clusters, documents in them).
fn histogram(sizes: &[usize]) -> Vec<Bucket> {
    let bucket = |s: usize| match s {
        0..=4 => s,
        _ => 4 + (usize::BITS - (s - 1).leading_zeros()) as usize - 2,
    };
    let mut out: Vec<Bucket> = Vec::new();
    let mut counts: Vec<(usize, usize)> = Vec::new();
    for &s in sizes.iter().filter(|&&s| s >= 2) {
        let k = bucket(s);
        if counts.len() <= k {
            counts.resize(k + 1, (0, 0));
        }
        counts[k].0 += 1;
        counts[k].1 += s;
    }
    for (k, &(clusters, documents)) in counts.iter().enumerate().skip(2) {
        let label = if k <= 4 {
            k.to_string()
        } else {
            let hi = 1usize << (k - 2);
            format!("{}–{hi}", hi / 2 + 1)
        };
        out.push(Bucket {
            label,
            clusters,
            documents,
        });
    }
    out
}

/// An overview being gathered from cluster events, until the summary completes it.
pub(super) struct Gathered {
    /// The view of each pair of the report, by its documents' indices.
    views: HashMap<(usize, usize), usize>,
    cluster_sizes: Vec<usize>,
    clusters: Vec<Group>,
    /// Every source, in the order pushed (input order).
    sources: Vec<Group>,
    /// The first pages built from several sources, in the order pushed (input order).
    built: Vec<Group>,
}

impl Gathered {
    /// Gathering for a report whose pair views are `views`: ((document a, document b), view).
    pub(super) fn new(views: impl IntoIterator<Item = ((usize, usize), usize)>) -> Self {
        Gathered {
            views: views.into_iter().collect(),
            cluster_sizes: Vec::new(),
            clusters: Vec::new(),
            sources: Vec::new(),
            built: Vec::new(),
        }
    }

    /// The view of the pair of documents `x` and `y`, either way round; `docs` gives the indices
    /// of the documents with an id.
    fn view(&self, x: &str, y: &str, docs: &HashMap<String, Vec<usize>>) -> Option<usize> {
        let (xs, ys) = (docs.get(x)?, docs.get(y)?);
        xs.iter().find_map(|&dx| {
            ys.iter().find_map(|&dy| {
                self.views
                    .get(&(dx, dy))
                    .or_else(|| self.views.get(&(dy, dx)))
                    .copied()
            })
        })
    }

    /// Takes one cluster event; `docs` gives the indices of the report's documents with an id.
    pub(super) fn cluster(&mut self, cluster: &Cluster<'_>, docs: &HashMap<String, Vec<usize>>) {
        let member = |m: &Linked<'_>| Member {
            id: m.id.to_string(),
            view: m.via.and_then(|v| self.view(m.id, v, docs)),
        };
        match *cluster {
            Cluster::Duplicates {
                representative,
                representative_kept,
                members,
                ..
            } => {
                let group = (self.clusters.len() < GROUPS).then(|| {
                    let others = members.iter().filter(|m| m.id != representative);
                    Group {
                        head: representative.to_string(),
                        head_kept: representative_kept,
                        size: others.clone().count(),
                        members: others.take(MEMBERS).map(member).collect(),
                    }
                });
                self.cluster_sizes.push(members.len());
                self.clusters.extend(group);
            }
            Cluster::Derivatives {
                source,
                source_kept,
                derived,
            } => {
                let group = Group {
                    head: source.to_string(),
                    head_kept: source_kept,
                    size: derived.len(),
                    members: derived.iter().take(MEMBERS).map(member).collect(),
                };
                self.sources.push(group);
            }
            Cluster::BuiltFrom {
                page,
                page_kept,
                sources,
            } => {
                let group = Group {
                    head: page.to_string(),
                    head_kept: page_kept,
                    size: sources.len(),
                    members: sources.iter().take(MEMBERS).map(member).collect(),
                };
                if self.built.len() < GROUPS {
                    self.built.push(group);
                }
            }
        }
    }

    /// The overview, with the run's figures.
    pub(super) fn overview(self, figures: &RunFigures) -> DedupOverview {
        let mut sources = self.sources;
        // Stable: sources with as many derivatives stay in input order.
        sources.sort_by_key(|s| std::cmp::Reverse(s.size));
        sources.truncate(GROUPS);
        DedupOverview {
            figures: figures.clone(),
            cluster_sizes: self.cluster_sizes,
            clusters: self.clusters,
            sources,
            built: self.built,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets() {
        let h = histogram(&[2, 2, 3, 5, 8, 9, 40, 1]);
        let rows: Vec<(&str, usize, usize)> = h
            .iter()
            .map(|b| (b.label.as_str(), b.clusters, b.documents))
            .collect();
        assert_eq!(
            rows,
            [
                ("2", 2, 4),
                ("3", 1, 3),
                ("4", 0, 0),
                ("5–8", 2, 13),
                ("9–16", 1, 9),
                ("17–32", 0, 0),
                ("33–64", 1, 40)
            ]
        );
    }

    #[test]
    fn gathered_overview_lists_groups_with_their_views() {
        let docs: HashMap<String, Vec<usize>> = ["d1", "d2", "d4", "d5"]
            .iter()
            .enumerate()
            .map(|(i, id)| (id.to_string(), vec![i]))
            .collect();

        let mut g = Gathered::new([((0, 1), 0), ((2, 3), 1)]);
        let dups = crate::report::tests::three_duplicates();
        g.cluster(
            &Cluster::Duplicates {
                number: 0,
                representative: "d2",
                representative_kept: true,
                members: &dups,
            },
            &docs,
        );
        let one = [Linked {
            id: "d6",
            via: Some("d7"),
        }];
        let two = [
            Linked {
                id: "d5",
                via: Some("d4"),
            },
            Linked {
                id: "d8",
                via: Some("d4"),
            },
        ];
        for (source, derived) in [("d7", &one[..]), ("d4", &two[..])] {
            g.cluster(
                &Cluster::Derivatives {
                    source,
                    source_kept: false,
                    derived,
                },
                &docs,
            );
        }
        let o = g.overview(&RunFigures {
            read: 8,
            ..RunFigures::default()
        });
        assert_eq!(o.figures.read, 8);
        assert_eq!(o.cluster_sizes, [3]);
        let c = &o.clusters[0];
        assert_eq!((c.head.as_str(), c.head_kept, c.size), ("d2", true, 2));
        let members: Vec<(&str, Option<usize>)> =
            c.members.iter().map(|m| (m.id.as_str(), m.view)).collect();
        assert_eq!(members, [("d1", Some(0)), ("d3", None)]);
        let heads: Vec<(&str, usize)> = o
            .sources
            .iter()
            .map(|s| (s.head.as_str(), s.size))
            .collect();
        assert_eq!(heads, [("d4", 2), ("d7", 1)], "most derivatives first");
        assert_eq!(
            o.sources[0].members[0].view,
            Some(1),
            "found either way round"
        );
    }
}
