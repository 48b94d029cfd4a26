//! neardup: near-duplicate and derivative document detection for news text.
//!
//! The pipeline, one module a stage:
//!
//! - [`document`]: files in, [`Document`]s (id + UTF-8 text) out, with errors that name the file;
//! - [`hash`]: the stable hash (splitmix64) behind everything persisted;
//! - [`text`]: Unicode word tokenizer with an ASCII fast path; tokens keep their byte spans;
//! - [`shingle`]: word k-grams hashed with a stable hash;
//! - [`minhash`]: one-permutation MinHash signatures with estimates of Jaccard and containment;
//! - [`verify`]: exact Jaccard and containments, the relation and its direction;
//! - [`align`]: passages shared, changed, only in a, only in b, with byte spans in both texts;
//! - [`compare`]: the whole pipeline for two documents, giving a [`Pair`];
//! - [`cover`]: a page and the sources it shares text with in; the fewest of them that explain
//!   it together (a digest of several articles), each with its share and its passages;
//! - [`report`]: every command's output, pushed as events (a document begun, a pair, a cluster,
//!   a run's figures, finished) to [`report::Sink`]s: [`report::json`] (JSON Lines, the record
//!   contract), [`report::terminal`] (the human view) and [`report::html`] (a self-contained
//!   HTML report, the texts side by side with their passages aligned; a pair's view, a dedup
//!   run's overview and the page itself, one file each);
//! - [`lsh`], [`dedup`]: corpus deduplication: banded LSH candidates, verified pairs, clusters
//!   and the kept documents, streamed from files;
//! - [`index`]: the persistent, incremental source index that `neardup check` queries;
//! - [`progress`]: how the long runs report their stages ([`progress::Progress`]);
//! - [`synth`] (cargo feature `synth`, which `cli` turns on): generated news-like corpora with known
//!   reposts, for tests and benchmarks.
//!
//! Comparing a repost with its source:
//!
//! ```
//! use neardup::{Comparer, Document, PassageKind, Relation};
//!
//! let article = Document::new("article", "Russian Prime Minister Mikhail Mishustin arrived in \
//!     Beijing on May 24. He held a meeting with President Xi Jinping and signed a series of \
//!     trade deals. Both powers stress a united front against Western domination. So far in \
//!     2023, trade between the two powers has already reached 70 billion dollars, Li said.");
//! let repost = Document::new("repost", "Saturday, July 22, 2023. Russian Prime Minister Mikhail \
//!     Mishustin arrived in Beijing on May 24. He held a meeting with President Xi Jinping and \
//!     signed a series of trade d eals. No comments: Post a Comment");
//!
//! let pair = Comparer::default().compare(&repost, &article);
//! assert_eq!(pair.relation, Relation::Derivative);
//! assert_eq!(pair.derived_id(), Some("repost"));
//! let added: Vec<&str> = pair.passages(PassageKind::AOnly)
//!     .map(|p| &repost.text[p.a.clone().unwrap()])
//!     .collect();
//! assert_eq!(added, ["Saturday, July 22, 2023.", "No comments: Post a Comment"]);
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod align;
pub mod boilerplate;
pub mod compare;
pub mod cover;
pub mod dedup;
pub mod document;
mod fsutil;
pub mod hash;
pub mod index;
pub mod lsh;
pub mod minhash;
pub mod progress;
pub mod report;
pub mod shingle;
// Also in the crate's own unit tests, which generate their corpora with it whatever the features.
#[cfg(any(test, feature = "synth"))]
#[cfg_attr(docsrs, doc(cfg(feature = "synth")))]
pub mod synth;
pub mod text;
pub mod verify;

/// The README's examples, run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

pub use align::{Alignment, Passage, PassageKind};
pub use compare::{Comparer, Pair};
pub use document::Document;
pub use verify::{Relation, Scores, Thresholds};
