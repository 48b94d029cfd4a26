//! The corpus layout: which position holds an original or a derived document, and its entry.
//!
//! In: a [`CorpusSpec`] and a position. Out: [`CorpusSpec::entry`] and [`CorpusSpec::page`], the
//! document at that position, its truth records and (on templated sites) its body. Every choice
//! (derived or not, the kind, the source, the length, the text, the edits, the site, the date, the
//! linked headlines) is drawn from a seed of `(corpus seed, position, purpose)`, so an entry is a
//! pure function of the spec and its position and positions can be made in any order, in parallel.
//!
//! With sites ([`CorpusSpec::sites`] > 0) every page is an article body wrapped in its site's
//! template (`site`); the body is the article's headline, a blank line and its text. A derived page
//! (a copy, light edit, repost, excerpt or digest) goes to another site than its source's. Its
//! truth spans are char offsets in the page texts (what the scorer indexes) but cover only the
//! bodies' differences: the two templates are neither added nor dropped text, they are the
//! boilerplate a detector should set aside. With syndication, positions come in blocks of
//! [`WIRE_BLOCK`]: a block may open with a wire story, copied unchanged (the whole body) to the next
//! 2 to 50 positions, each on its own site; the truth holds every pair of the cluster.

use super::copies::{commentary, digest, excerpt, light_edit, repost, straighten_quotes};
use super::rng::{derive_seed, unit, Rng};
use super::site::{PageParts, Site};
use super::vocab::vocab;
use super::{news_text, CharSpan, CorpusSpec, DerivedKind, Entry, SynthDoc, TextStyle, TruthPair};

const SALT_SLOT: u64 = 1;
const SALT_KIND: u64 = 2;
const SALT_SOURCE: u64 = 3;
const SALT_LEN: u64 = 4;
const SALT_TEXT: u64 = 5;
const SALT_EDIT: u64 = 6;
const SALT_HEADLINE: u64 = 7;
const SALT_SITE_OF: u64 = 8;
const SALT_PAGE: u64 = 9;
const SALT_RELATED: u64 = 10;
const SALT_WIRE: u64 = 11;
const SALT_SEED_PAGE: u64 = 12;
const SALT_QUOTES: u64 = 13;
const SALT_DIGEST: u64 = 14;
/// Half of the derived documents copy one of the last this-many documents ("breaking news"),
/// the other half any earlier original.
const RECENT: usize = 200;
/// Syndication works in blocks of this many positions: a block may open with a wire story whose
/// copies fill the positions right after it.
pub(super) const WIRE_BLOCK: usize = 64;
/// The most copies of one syndicated story.
pub(super) const MAX_SYNDICATED: usize = 50;
/// Related stories are picked among the originals this many positions around a page.
const RELATED_WINDOW: usize = 300;
/// Dates run over this many days, in position order, from 2020-01-01.
const DAYS: usize = 1095;
const FIRST_DAY: i64 = 18_262;
const SEED_ARTICLE: &str = "seed-article";
const SEED_BLOG: &str = "seed-blog";

/// The most sources of a digest.
const MAX_DIGEST_SOURCES: usize = 4;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    Original,
    /// Derived from `sources` (one, or 2 to 4 for a digest), the first being `source`.
    Derived {
        kind: DerivedKind,
        source: usize,
        sources: Sources,
    },
    /// Copy number `copy` (1-based) of the wire story at `source`.
    Syndicated {
        source: usize,
        copy: usize,
    },
}

/// The distinct earlier originals a derived document is made from, in the order of its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Sources {
    ids: [usize; MAX_DIGEST_SOURCES],
    len: usize,
}

impl Sources {
    /// Just `source`.
    fn one(source: usize) -> Self {
        Sources {
            ids: [source; MAX_DIGEST_SOURCES],
            len: 1,
        }
    }

    /// Adds `source` (room permitting).
    fn push(&mut self, source: usize) {
        if self.len < MAX_DIGEST_SOURCES {
            self.ids[self.len] = source;
            self.len += 1;
        }
    }

    /// The sources, in order.
    fn all(&self) -> &[usize] {
        &self.ids[..self.len]
    }
}

/// A body with truth spans relative to the source's and the derived body.
struct Content {
    body: String,
    truth: Vec<TruthPair>,
}

impl CorpusSpec {
    /// Number of documents in the corpus: [`docs`](Self::docs) plus 2 when there is a seed pair.
    pub fn total_docs(&self) -> usize {
        self.docs + self.seed_offset()
    }

    /// The document at position `pos` (`0..total_docs()`) and the truth records whose derived
    /// document it is (none for an original). A pure function of the spec and `pos`.
    ///
    /// # Panics
    /// If `pos >= total_docs()`.
    pub fn entry(&self, pos: usize) -> (SynthDoc, Vec<TruthPair>) {
        let e = self.page(pos);
        (e.doc, e.truth)
    }

    /// The document at position `pos`, its truth records and, on templated sites, its body (the
    /// article text inside the page). A pure function of the spec and `pos`.
    ///
    /// # Panics
    /// If `pos >= total_docs()`.
    pub fn page(&self, pos: usize) -> Entry {
        let mut e = self.undated_page(pos);
        if self.dates {
            // Only a copy of one source may take that source's date: a digest, or a copy of a
            // syndicated story (the story and each of its pages are its sources), would then
            // come before one of its other sources.
            let source = pos
                .checked_sub(self.seed_offset())
                .filter(|_| !self.all_template && e.truth.len() == 1)
                .and_then(|i| match self.slot(i) {
                    Slot::Original => None,
                    Slot::Derived { source, .. } | Slot::Syndicated { source, .. } => Some(source),
                });
            e.doc.date = self.date_field(pos, source);
        }
        e
    }

    /// [`CorpusSpec::page`] without its date.
    fn undated_page(&self, pos: usize) -> Entry {
        assert!(pos < self.total_docs(), "position {pos} out of range");
        if let Some(seeds) = &self.seed_pair {
            if pos < 2 {
                return self.seed_entry(pos, &seeds.article, &seeds.blog);
            }
        }
        let i = pos - self.seed_offset();
        let id = self.doc_id(i);
        if self.all_template {
            return self.all_template_entry(i, id);
        }
        if self.sites > 0 {
            return self.templated_entry(i, id);
        }
        let (doc, truth) = match self.slot(i) {
            Slot::Original => (doc(id, self.original_text(i)), Vec::new()),
            Slot::Derived { kind, sources, .. } => self.derived_entry(i, id, kind, sources),
            Slot::Syndicated { .. } => unreachable!("syndication needs sites"),
        };
        Entry {
            doc,
            truth,
            body: None,
        }
    }

    fn seed_offset(&self) -> usize {
        if self.seed_pair.is_some() {
            2
        } else {
            0
        }
    }

    pub(super) fn doc_id(&self, i: usize) -> String {
        let digits = self.docs.saturating_sub(1).to_string().len().max(6);
        format!("doc-{i:0digits$}")
    }

    fn word_range(&self) -> (usize, usize) {
        let lo = self.min_words.min(self.max_words).max(1);
        let hi = self.min_words.max(self.max_words).max(1);
        (lo, hi)
    }

    fn fraction(&self) -> f64 {
        if self.derived_fraction > 0.0 {
            self.derived_fraction.min(0.9)
        } else {
            0.0 // also NaN
        }
    }

    fn is_derived(&self, i: usize) -> bool {
        i > 0
            && unit(derive_seed(self.seed, i as u64, SALT_SLOT)) < self.fraction()
            && !(i.is_multiple_of(WIRE_BLOCK) && self.wire_copies(i / WIRE_BLOCK) > 0)
    }

    fn is_original(&self, i: usize) -> bool {
        !self.is_derived(i) && self.syndicated_copy(i).is_none()
    }

    /// The most copies a wire story gets: 50, one site fewer than there are, one block fewer.
    fn max_copies(&self) -> usize {
        MAX_SYNDICATED
            .min(self.sites.saturating_sub(1))
            .min(WIRE_BLOCK - 1)
    }

    /// How many copies the wire story opening block `block` has (0: the block has none).
    fn wire_copies(&self, block: usize) -> usize {
        let max = self.max_copies();
        if self.syndicated.is_nan() || self.syndicated <= 0.0 || max < 2 {
            return 0;
        }
        // Copies: 2 + X * Y / k with X, Y uniform in 0..k, so mostly few, sometimes many.
        let k = max - 1;
        let mean = 2.0 + ((k - 1) as f64 / 2.0) * ((k - 1) as f64 / 2.0) / k as f64;
        let p_block = self.syndicated.min(0.9) * WIRE_BLOCK as f64 / mean;
        let mut rng = Rng::new(derive_seed(self.seed, block as u64, SALT_WIRE));
        if !rng.chance(p_block) {
            return 0;
        }
        2 + rng.below(k) * rng.below(k) / k
    }

    /// `Some((source, copy))` when position `i` is copy `copy` of the wire story at `source`.
    fn syndicated_copy(&self, i: usize) -> Option<(usize, usize)> {
        let (block, copy) = (i / WIRE_BLOCK, i % WIRE_BLOCK);
        (copy >= 1 && copy <= self.wire_copies(block)).then_some((block * WIRE_BLOCK, copy))
    }

    /// The pages that publish the original at `i`: itself, then its syndicated copies.
    fn publications(&self, i: usize) -> impl Iterator<Item = usize> {
        let copies = if i.is_multiple_of(WIRE_BLOCK) {
            self.wire_copies(i / WIRE_BLOCK)
        } else {
            0
        };
        i..(i + 1 + copies).min(self.docs)
    }

    /// A random earlier original: a recent one or any, then down to the nearest original
    /// (position 0 always is one).
    fn pick_source(&self, i: usize, rng: &mut Rng) -> usize {
        let mut j = if rng.chance(0.5) {
            i - 1 - rng.below(i.min(RECENT))
        } else {
            rng.below(i)
        };
        while !self.is_original(j) {
            j -= 1;
        }
        j
    }

    fn slot(&self, i: usize) -> Slot {
        if let Some((source, copy)) = self.syndicated_copy(i) {
            return Slot::Syndicated { source, copy };
        }
        if !self.is_derived(i) {
            return Slot::Original;
        }
        let mut kind = self
            .mix
            .pick(unit(derive_seed(self.seed, i as u64, SALT_KIND)));
        let mut rng = Rng::new(derive_seed(self.seed, i as u64, SALT_SOURCE));
        let source = self.pick_source(i, &mut rng);
        let mut sources = Sources::one(source);
        if kind == DerivedKind::Digest {
            // Each further source a new one, 8 tries each; with too few originals before i, fewer.
            for _ in 1..self.digest_count(i) {
                match (0..8)
                    .map(|_| self.pick_source(i, &mut rng))
                    .find(|s| !sources.all().contains(s))
                {
                    Some(s) => sources.push(s),
                    None => break,
                }
            }
            if sources.len == 1 {
                kind = DerivedKind::Excerpt; // only one original before i
            }
        }
        Slot::Derived {
            kind,
            source,
            sources,
        }
    }

    /// `(fewest, most)` sources of a digest: [`CorpusSpec::digest_sources`] in order, each
    /// clamped to 2..=4.
    pub(super) fn digest_range(&self) -> (usize, usize) {
        let (a, b) = self.digest_sources;
        let clamp = |n: usize| n.clamp(2, MAX_DIGEST_SOURCES);
        (clamp(a.min(b)), clamp(a.max(b)))
    }

    /// How many sources the digest at `i` asks for.
    fn digest_count(&self, i: usize) -> usize {
        match self.digest_range() {
            (lo, hi) if lo < hi => {
                Rng::new(derive_seed(self.seed, i as u64, SALT_DIGEST)).range(lo, hi)
            }
            (lo, _) => lo,
        }
    }

    fn original_text(&self, i: usize) -> String {
        let (lo, hi) = self.word_range();
        let words = Rng::new(derive_seed(self.seed, i as u64, SALT_LEN)).range(lo, hi);
        let seed = derive_seed(self.seed, i as u64, SALT_TEXT);
        let text = match self.style {
            TextStyle::News => news_text(seed, words),
            TextStyle::Phrases => super::phrase_text(seed, words, self.phrase_pool),
        };
        let straight = self.straight_quotes > 0.0
            && unit(derive_seed(self.seed, i as u64, SALT_QUOTES)) < self.straight_quotes;
        match straight {
            true => straighten_quotes(&text),
            false => text,
        }
    }

    fn derived_entry(
        &self,
        i: usize,
        id: String,
        kind: DerivedKind,
        sources: Sources,
    ) -> (SynthDoc, Vec<TruthPair>) {
        let source = sources.all()[0];
        let src = self.original_text(source);
        let mut rng = Rng::new(derive_seed(self.seed, i as u64, SALT_EDIT));
        let v = vocab();
        let record = |source: usize, added, dropped| TruthPair {
            source: self.doc_id(source),
            derived: id.clone(),
            relation: kind.relation(),
            kind: kind.as_str(),
            added,
            dropped,
            parts: None,
        };
        let (text, truth) = match kind {
            DerivedKind::Exact => (src, vec![record(source, Some(vec![]), Some(vec![]))]),
            DerivedKind::LightEdit => {
                (light_edit(&mut rng, &src), vec![record(source, None, None)])
            }
            DerivedKind::Repost => {
                let d = repost(&mut rng, v, &src);
                (d.text, vec![record(source, Some(d.added), Some(d.dropped))])
            }
            DerivedKind::Commentary => {
                let d = commentary(&mut rng, v, &src);
                (d.text, vec![record(source, Some(d.added), Some(d.dropped))])
            }
            DerivedKind::Excerpt => {
                let d = excerpt(&mut rng, &src);
                (d.text, vec![record(source, Some(d.added), Some(d.dropped))])
            }
            DerivedKind::Digest => {
                let mut texts = vec![src];
                texts.extend(sources.all()[1..].iter().map(|&s| self.original_text(s)));
                let d = digest(&texts.iter().map(String::as_str).collect::<Vec<_>>());
                let truth = sources
                    .all()
                    .iter()
                    .zip(d.parts)
                    .map(|(&s, part)| TruthPair {
                        parts: Some(vec![part]),
                        ..record(s, None, None)
                    })
                    .collect();
                (d.text, truth)
            }
        };
        (doc(id.clone(), text), truth)
    }

    // --- templated sites -------------------------------------------------------------------

    /// The headline of the original at `i`: 6 to 12 words in title case.
    pub(super) fn headline(&self, i: usize) -> String {
        let mut rng = Rng::new(derive_seed(self.seed, i as u64, SALT_HEADLINE));
        let words = rng.range(6, 12);
        super::article::title(&mut rng, vocab(), words)
    }

    /// The body of the original at `i`: its headline, a blank line, its text.
    fn original_body(&self, i: usize) -> (String, usize) {
        let headline = self.headline(i);
        let skip = headline.chars().count() + 2;
        (format!("{headline}\n\n{}", self.original_text(i)), skip)
    }

    /// The site of the page at `i` (`sites > 0`).
    fn site_of(&self, i: usize) -> usize {
        let n = self.sites;
        let h = derive_seed(self.seed, i as u64, SALT_SITE_OF);
        match self.slot(i) {
            Slot::Original => (h % n as u64) as usize,
            Slot::Syndicated { source, copy } => (self.site_of(source) + copy) % n,
            Slot::Derived { source, .. } => {
                let own = (h % n as u64) as usize;
                let theirs = self.site_of(source);
                if own == theirs && n > 1 {
                    (own + 1 + ((h >> 32) % (n as u64 - 1)) as usize) % n
                } else {
                    own
                }
            }
        }
    }

    fn day_of(&self, i: usize) -> i64 {
        if let Some((source, copy)) = self.syndicated_copy(i) {
            return self.day_of(source) + (copy % 2) as i64;
        }
        let jitter = derive_seed(self.seed, i as u64, SALT_PAGE) % 3;
        FIRST_DAY + (i * DAYS / self.docs.max(1)) as i64 + jitter as i64
    }

    /// The headlines of `count` originals around `center` (not `exclude`), of site `site` where
    /// the window has them.
    fn related(
        &self,
        center: usize,
        key: u64,
        site: usize,
        count: usize,
        exclude: &[usize],
    ) -> Vec<String> {
        let lo = center.saturating_sub(RELATED_WINDOW);
        let hi = (center + RELATED_WINDOW).min(self.docs);
        let mut chosen: Vec<usize> = Vec::with_capacity(count);
        if hi <= lo {
            return Vec::new();
        }
        let mut rng = Rng::new(key);
        let tries = count * 12;
        for attempt in 0..tries {
            if chosen.len() == count {
                break;
            }
            let j = lo + rng.below(hi - lo);
            if exclude.contains(&j) || chosen.contains(&j) || !self.is_original(j) {
                continue;
            }
            if attempt < count * 8 && self.site_of(j) != site {
                continue;
            }
            chosen.push(j);
        }
        chosen.into_iter().map(|j| self.headline(j)).collect()
    }

    /// `body` in the template of `site`: the page text and the char offset of the body in it.
    fn wrap(
        &self,
        site: usize,
        day: i64,
        key: u64,
        exclude: &[usize],
        body: &str,
    ) -> (String, usize) {
        let template = Site::new(self.seed, site, vocab(), self.inline_related);
        let center = exclude.first().copied().unwrap_or(0);
        let related = self.related(
            center,
            key ^ SALT_RELATED,
            site,
            template.related_count,
            exclude,
        );
        let parts = PageParts {
            day,
            pick: key,
            related: &related,
        };
        let header = template.header(&parts);
        let trailer = template.trailer(&parts);
        let offset = header.chars().count() + 2;
        (format!("{header}\n\n{body}\n\n{trailer}"), offset)
    }

    /// The char offset of the body in the page at `i` (the header's length and a blank line).
    fn body_offset(&self, i: usize) -> usize {
        let template = Site::new(self.seed, self.site_of(i), vocab(), self.inline_related);
        let parts = PageParts {
            day: self.day_of(i),
            pick: self.page_key(i),
            related: &[],
        };
        template.header(&parts).chars().count() + 2
    }

    fn page_key(&self, i: usize) -> u64 {
        derive_seed(self.seed, i as u64, SALT_PAGE)
    }

    fn templated_entry(&self, i: usize, id: String) -> Entry {
        let slot = self.slot(i);
        let (content, sources) = match slot {
            Slot::Original => (
                Content {
                    body: self.original_body(i).0,
                    truth: Vec::new(),
                },
                vec![i],
            ),
            Slot::Syndicated { source, copy } => {
                let mut truth = Vec::with_capacity(copy);
                // Every earlier page of the cluster: the first publication, then the copies.
                for earlier in std::iter::once(source).chain(source + 1..i) {
                    truth.push(TruthPair {
                        source: self.doc_id(earlier),
                        derived: id.clone(),
                        relation: "duplicate",
                        kind: "syndicated",
                        added: Some(Vec::new()),
                        dropped: Some(Vec::new()),
                        parts: None,
                    });
                }
                let content = Content {
                    body: self.original_body(source).0,
                    truth,
                };
                (content, vec![i, source])
            }
            Slot::Derived { kind, sources, .. } => (
                self.templated_derived(i, &id, kind, sources),
                std::iter::once(i)
                    .chain(sources.all().iter().copied())
                    .collect(),
            ),
        };
        let (text, offset) = self.wrap(
            self.site_of(i),
            self.day_of(i),
            self.page_key(i),
            &sources,
            &content.body,
        );
        let mut truth = content.truth;
        if let Slot::Derived { sources, .. } = slot {
            // One record per source (a digest has one per source, in this order). A syndicated
            // source was published on several pages, and the derived page derives from each: one
            // record per publication. Spans move from the bodies to the pages: the derived page's
            // body offset (added, and a digest's parts), each publication's (dropped).
            let mut all = Vec::with_capacity(truth.len());
            for (record, &from) in truth.into_iter().zip(sources.all()) {
                for page in self.publications(from) {
                    let mut t = record.clone();
                    t.source = self.doc_id(page);
                    if t.added.is_some() {
                        shift(&mut t.added, offset);
                        shift(&mut t.dropped, self.body_offset(page));
                    }
                    shift(&mut t.parts, offset);
                    all.push(t);
                }
            }
            truth = all;
        }
        Entry {
            doc: doc(id, text),
            truth,
            body: Some(content.body),
        }
    }

    /// A derived body and its truth with spans relative to the bodies.
    fn templated_derived(
        &self,
        i: usize,
        id: &str,
        kind: DerivedKind,
        sources: Sources,
    ) -> Content {
        let source = sources.all()[0];
        let headline = self.headline(source);
        let skip = headline.chars().count() + 2;
        let article = self.original_text(source);
        let mut rng = Rng::new(derive_seed(self.seed, i as u64, SALT_EDIT));
        let v = vocab();
        let record = |source: usize, added, dropped| TruthPair {
            source: self.doc_id(source),
            derived: id.to_string(),
            relation: kind.relation(),
            kind: kind.as_str(),
            added,
            dropped,
            parts: None,
        };
        let moved = |spans: Vec<CharSpan>| -> Vec<CharSpan> {
            spans
                .into_iter()
                .map(|(s, e)| (s + skip, e + skip))
                .collect()
        };
        let (body, truth) = match kind {
            DerivedKind::Exact => (
                format!("{headline}\n\n{article}"),
                vec![record(source, Some(vec![]), Some(vec![]))],
            ),
            DerivedKind::LightEdit => (
                format!("{headline}\n\n{}", light_edit(&mut rng, &article)),
                vec![record(source, None, None)],
            ),
            DerivedKind::Repost | DerivedKind::Commentary => {
                // A repost has its own date line (and title): the source's headline is dropped.
                let d = match kind {
                    DerivedKind::Repost => repost(&mut rng, v, &article),
                    _ => commentary(&mut rng, v, &article),
                };
                let mut dropped = vec![(0, skip - 2)];
                dropped.extend(moved(d.dropped));
                (d.text, vec![record(source, Some(d.added), Some(dropped))])
            }
            DerivedKind::Excerpt => {
                let d = excerpt(&mut rng, &article);
                let body = format!("{headline}\n\n{}", d.text);
                (
                    body,
                    vec![record(source, Some(moved(d.added)), Some(moved(d.dropped)))],
                )
            }
            DerivedKind::Digest => {
                // The first source's headline on top: with its lead, one run of its body.
                let mut texts = vec![article];
                texts.extend(sources.all()[1..].iter().map(|&s| self.original_text(s)));
                let d = digest(&texts.iter().map(String::as_str).collect::<Vec<_>>());
                let body = format!("{headline}\n\n{}", d.text);
                let truth = sources
                    .all()
                    .iter()
                    .zip(d.parts)
                    .enumerate()
                    .map(|(j, (&s, (start, end)))| {
                        let start = if j == 0 { 0 } else { start + skip };
                        TruthPair {
                            parts: Some(vec![(start, end + skip)]),
                            ..record(s, None, None)
                        }
                    })
                    .collect();
                (body, truth)
            }
        };
        Content { body, truth }
    }

    fn seed_entry(&self, pos: usize, article: &str, blog: &str) -> Entry {
        let (id, text) = if pos == 0 {
            (SEED_ARTICLE, article)
        } else {
            (SEED_BLOG, blog)
        };
        let truth = (pos == 1)
            .then(|| TruthPair {
                source: SEED_ARTICLE.into(),
                derived: SEED_BLOG.into(),
                relation: "derivative",
                kind: "seed",
                added: None,
                dropped: None,
                parts: None,
            })
            .into_iter()
            .collect();
        if self.sites == 0 {
            return Entry {
                doc: doc(id.into(), text.to_string()),
                truth,
                body: None,
            };
        }
        // The article on one site, the blog on another; both link to stories at the corpus head.
        let key = derive_seed(self.seed, pos as u64, SALT_SEED_PAGE);
        let first = (derive_seed(self.seed, 0, SALT_SEED_PAGE) % self.sites as u64) as usize;
        let site = (first + pos) % self.sites;
        let (page, _) = self.wrap(site, FIRST_DAY + pos as i64, key, &[], text);
        Entry {
            doc: doc(id.into(), page),
            truth,
            body: Some(text.to_string()),
        }
    }

    /// Every page the template of site 0 around no article, the same linked headlines, the same
    /// author: the pages differ only in their date. Each is a duplicate of the first.
    fn all_template_entry(&self, i: usize, id: String) -> Entry {
        let template = Site::new(self.seed, 0, vocab(), self.inline_related);
        let related: Vec<String> = (1..=template.related_count)
            .map(|j| self.headline(j))
            .collect();
        let parts = PageParts {
            day: FIRST_DAY + i as i64,
            pick: self.seed,
            related: &related,
        };
        let text = format!(
            "{}\n\n{}",
            template.header(&parts),
            template.trailer(&parts)
        );
        let truth = (i > 0)
            .then(|| TruthPair {
                source: self.doc_id(0),
                derived: id.clone(),
                relation: "duplicate",
                kind: "date_only",
                added: None,
                dropped: None,
                parts: None,
            })
            .into_iter()
            .collect();
        Entry {
            doc: doc(id, text),
            truth,
            body: None,
        }
    }
}

fn shift(spans: &mut Option<Vec<CharSpan>>, by: usize) {
    if let Some(spans) = spans {
        for s in spans.iter_mut() {
            *s = (s.0 + by, s.1 + by);
        }
    }
}

fn doc(id: String, text: String) -> SynthDoc {
    SynthDoc {
        id,
        text,
        date: None,
    }
}
