//! Alignment: two tokenized texts in, passages out: `shared`, `changed` (the same passage with small
//! edits, listed), `a_only` and `b_only`, each with byte spans in both texts.
//!
//! How (after passim and patience diff): the aligner trims the common head and tail, anchors on
//! n-grams that occur exactly once in each side, keeps the heaviest chain of anchor runs that is
//! increasing in both texts, and recurses into the gaps between chained runs, where n-grams that
//! were repeated in the whole text may now be unique. Gaps small enough (a bounded number of cells)
//! get an exact LCS by dynamic programming, which also matches a word split in two ("d eals" against
//! "deals"). No step is quadratic in the text: anchoring is linear per level, the DP is capped by
//! [`AlignParams::dp_cells`], and a gap with no anchors that is too large for the DP becomes a
//! replacement.
//!
//! The token-level matches then become passages. Runs of at least [`AlignParams::min_solid`] matched
//! words are solid; two solid runs join one passage when the words between them differ only a
//! little: at most [`AlignParams::max_edit`] words added or dropped, at most
//! [`AlignParams::max_replace`] words replaced by others, or a reworded stretch that is still mostly
//! matched, up to [`AlignParams::max_reword`] unmatched words a side. So a split word, a dropped
//! "the", a changed quote style (quotes are not words) or a reworded attribution stays inside one
//! passage, while a dropped paragraph is a passage of its own. Finally, `a_only` and `b_only`
//! passages that share a long run of words are split so that the run is reported as a moved shared
//! passage.
//!
//! Spans snap to word boundaries: a passage starts at the punctuation that leads its first word
//! (an opening quote) and ends after the punctuation that trails its last word, so the passages of a
//! text, together with the whitespace between them, cover every byte of it.

use std::ops::Range;

use ahash::AHashMap;

use crate::shingle::fold_hashes;
use crate::text::{hash_normalized, normalize_word, Token};

/// Knobs of the aligner; the defaults suit news text.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AlignParams {
    /// Anchor n-gram sizes, tried in order; a gap with no unique n-gram of one size tries the next.
    pub anchor_sizes: [usize; 2],
    /// A gap with at most this many cells (words of a times words of b) is aligned by exact DP.
    pub dp_cells: usize,
    /// Matched runs of at least this many words anchor a passage.
    pub min_solid: usize,
    /// Two solid runs stay in one passage when only one side has unmatched words between them, and
    /// no more than this many.
    pub max_edit: usize,
    /// ... or when both sides have unmatched words between them (a replacement), no more than this
    /// many a side.
    pub max_replace: usize,
    /// ... or when the stretch between them is a rewording: neither side has more unmatched words
    /// than the stretch has matched ones, nor more than this many.
    pub max_reword: usize,
    /// `a_only` and `b_only` passages sharing a run of at least this many words report it as moved.
    pub min_moved: usize,
}

impl Default for AlignParams {
    fn default() -> Self {
        AlignParams {
            anchor_sizes: [4, 1],
            dp_cells: 1 << 16,
            min_solid: 4,
            max_edit: 4,
            max_replace: 6,
            max_reword: 12,
            min_moved: 8,
        }
    }
}

/// What a passage is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PassageKind {
    /// The same words in both texts.
    Shared,
    /// The same passage with small edits (see [`Passage::edits`]).
    Changed,
    /// Only in text a.
    AOnly,
    /// Only in text b.
    BOnly,
    /// Background on its side(s): a site's template, boilerplate, stock phrases, learnt from a
    /// corpus ([`crate::boilerplate`]); neither evidence of copying nor added or dropped text.
    Boilerplate,
}

impl PassageKind {
    /// The name used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            PassageKind::Shared => "shared",
            PassageKind::Changed => "changed",
            PassageKind::AOnly => "a_only",
            PassageKind::BOnly => "b_only",
            PassageKind::Boilerplate => "boilerplate",
        }
    }
}

/// A small edit inside a changed passage: the differing words of each side (`None` where a side has
/// none, as for a dropped word).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    /// Byte span in text a.
    pub a: Option<Range<usize>>,
    /// Byte span in text b.
    pub b: Option<Range<usize>>,
    /// Where the edit stands in text a: the start of its span, or where b's words would go.
    pub at_a: usize,
    /// Where the edit stands in text b.
    pub at_b: usize,
}

/// One passage of the alignment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Passage {
    /// What it is.
    pub kind: PassageKind,
    /// Byte span in text a (`None` for `b_only`).
    pub a: Option<Range<usize>>,
    /// Byte span in text b (`None` for `a_only`).
    pub b: Option<Range<usize>>,
    /// Token span in text a.
    pub a_tokens: Option<Range<usize>>,
    /// Token span in text b.
    pub b_tokens: Option<Range<usize>>,
    /// A shared passage found out of order: the texts have it at different places.
    pub moved: bool,
    /// The small edits of a changed passage, in order.
    pub edits: Vec<Edit>,
}

/// The passages of two texts, in the reading order of text a; `b_only` passages stand where they
/// fall between a's passages, moved passages where a has them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Alignment {
    /// The passages.
    pub passages: Vec<Passage>,
}

impl Alignment {
    /// Bytes of the text on one side (`a` when `side_a`) covered by passages of the given kind.
    pub fn bytes_of(&self, kind: PassageKind, side_a: bool) -> usize {
        self.passages
            .iter()
            .filter(|p| p.kind == kind)
            .filter_map(|p| if side_a { p.a.as_ref() } else { p.b.as_ref() })
            .map(|r| r.len())
            .sum()
    }

    /// The passages of one kind.
    pub fn of_kind(&self, kind: PassageKind) -> impl Iterator<Item = &Passage> {
        self.passages.iter().filter(move |p| p.kind == kind)
    }
}

/// One side of the alignment: the text and its tokens.
#[derive(Clone, Copy, Debug)]
pub struct Side<'a> {
    /// The original text.
    pub text: &'a str,
    /// Its tokens (see [`crate::text::tokenize`]).
    pub tokens: &'a [Token],
}

/// Aligns two texts. Costs O((n + m) log(n + m)) plus at most `dp_cells` per gap.
pub fn align(a: Side<'_>, b: Side<'_>, params: &AlignParams) -> Alignment {
    align_counted(a, b, params).0
}

/// [`align`], and the work it did: tokens scanned and hashed, and LCS cells filled. The work
/// is what the worst-case tests bound (it grows about linearly with the texts, never with their
/// product), so that a change that makes some input quadratic fails a test instead of a user.
pub fn align_counted(a: Side<'_>, b: Side<'_>, params: &AlignParams) -> (Alignment, u64) {
    let mut work = 0;
    let (all_a, all_b) = (0..a.tokens.len(), 0..b.tokens.len());
    let ops = match_tokens(a, b, all_a.clone(), all_b.clone(), params, &mut work);
    let mut passages = form_passages(&ops, all_a, all_b, params);
    find_moves(&mut passages, a, b, params, &mut work);
    let ext_a = word_extents(a.text, a.tokens);
    let ext_b = word_extents(b.text, b.tokens);
    let mut out = Vec::with_capacity(passages.len() + 1);
    for p in passages {
        out.push(Passage {
            kind: p.kind,
            a: p.a.clone().map(|r| ext_a.span(r)),
            b: p.b.clone().map(|r| ext_b.span(r)),
            a_tokens: p.a,
            b_tokens: p.b,
            moved: p.moved,
            edits: p
                .edits
                .into_iter()
                .map(|(ea, eb)| Edit {
                    at_a: ext_a.at(ea.start),
                    at_b: ext_b.at(eb.start),
                    a: (!ea.is_empty()).then(|| ext_a.span(ea)),
                    b: (!eb.is_empty()).then(|| ext_b.span(eb)),
                })
                .collect(),
        });
    }
    // Text with no words at all but some punctuation still belongs to a passage.
    for (tokens, text, is_a) in [(a.tokens, a.text, true), (b.tokens, b.text, false)] {
        if !tokens.is_empty() {
            continue;
        }
        if let Some(span) = trimmed(text) {
            let (kind, sa, sb) = if is_a {
                (PassageKind::AOnly, Some(span), None)
            } else {
                (PassageKind::BOnly, None, Some(span))
            };
            out.push(Passage {
                kind,
                a: sa,
                b: sb,
                a_tokens: None,
                b_tokens: None,
                moved: false,
                edits: Vec::new(),
            });
        }
    }
    (Alignment { passages: out }, work)
}

/// Tokenizes and aligns two texts: [`align`] for callers that have no tokens at hand.
pub fn align_texts(a: &str, b: &str, params: &AlignParams) -> Alignment {
    let (ta, tb) = (crate::text::tokenize(a), crate::text::tokenize(b));
    align(
        Side {
            text: a,
            tokens: &ta,
        },
        Side {
            text: b,
            tokens: &tb,
        },
        params,
    )
}

fn trimmed(text: &str) -> Option<Range<usize>> {
    let start = text.len() - text.trim_start().len();
    let end = text.trim_end().len();
    (start < end).then_some(start..end)
}

// ---------------------------------------------------------------------------------------------
// Token matching

/// A run of the token-level alignment. `equal` runs match word for word, except for the words
/// listed in `joins`: a word split in two on one side, matched to the whole word on the other.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Op {
    a: Range<usize>,
    b: Range<usize>,
    equal: bool,
    joins: Vec<(Range<usize>, Range<usize>)>,
}

impl Op {
    /// Words of the shorter side: what an equal run matches.
    fn matched(&self) -> usize {
        self.a.len().min(self.b.len())
    }
}

enum Task {
    Diff {
        a: Range<usize>,
        b: Range<usize>,
        level: usize,
    },
    Equal {
        a: usize,
        b: usize,
        len: usize,
    },
}

/// Token-level alignment as a list of ops covering both token sequences in order.
fn match_tokens(
    a: Side<'_>,
    b: Side<'_>,
    ra: Range<usize>,
    rb: Range<usize>,
    params: &AlignParams,
    work: &mut u64,
) -> Vec<Op> {
    let (ta, tb) = (a.tokens, b.tokens);
    let mut ops: Vec<Op> = Vec::new();
    let mut stack = vec![Task::Diff {
        a: ra,
        b: rb,
        level: 0,
    }];
    while let Some(task) = stack.pop() {
        let (mut ra, mut rb, level) = match task {
            Task::Equal { a, b, len } => {
                push_op(&mut ops, a..a + len, b..b + len, true);
                continue;
            }
            Task::Diff { a, b, level } => (a, b, level),
        };
        *work += (ra.len() + rb.len()) as u64;
        // Common head and tail.
        let head = common_len(
            ta[ra.clone()].iter().map(|t| t.hash),
            tb[rb.clone()].iter().map(|t| t.hash),
        );
        if head > 0 {
            push_op(
                &mut ops,
                ra.start..ra.start + head,
                rb.start..rb.start + head,
                true,
            );
            ra.start += head;
            rb.start += head;
        }
        let tail = common_len(
            ta[ra.clone()].iter().rev().map(|t| t.hash),
            tb[rb.clone()].iter().rev().map(|t| t.hash),
        );
        if tail > 0 {
            stack.push(Task::Equal {
                a: ra.end - tail,
                b: rb.end - tail,
                len: tail,
            });
            ra.end -= tail;
            rb.end -= tail;
        }
        if ra.is_empty() || rb.is_empty() {
            push_op(&mut ops, ra, rb, false);
            continue;
        }
        if ra.len().saturating_mul(rb.len()) <= params.dp_cells {
            *work += (ra.len() * rb.len()) as u64;
            for (step_a, step_b, step) in lcs(a, b, ra, rb) {
                match step {
                    Step::Join => push_join(&mut ops, step_a, step_b),
                    _ => push_op(&mut ops, step_a, step_b, step == Step::Equal),
                }
            }
            continue;
        }
        let mut level = level;
        let segments = loop {
            let Some(&n) = params.anchor_sizes.get(level) else {
                break Vec::new();
            };
            *work += (ra.len() + rb.len()) as u64;
            let s = anchor_chain(ta, tb, ra.clone(), rb.clone(), n);
            if !s.is_empty() {
                break s;
            }
            level += 1;
        };
        if segments.is_empty() {
            push_op(&mut ops, ra, rb, false);
            continue;
        }
        // Push in reverse so that the stack pops them in text order.
        let mut tasks = Vec::with_capacity(segments.len() * 2 + 1);
        let (mut pa, mut pb) = (ra.start, rb.start);
        for &(sa, sb, len) in &segments {
            tasks.push(Task::Diff {
                a: pa..sa,
                b: pb..sb,
                level,
            });
            tasks.push(Task::Equal { a: sa, b: sb, len });
            pa = sa + len;
            pb = sb + len;
        }
        tasks.push(Task::Diff {
            a: pa..ra.end,
            b: pb..rb.end,
            level,
        });
        stack.extend(tasks.into_iter().rev());
    }
    ops
}

fn common_len(a: impl Iterator<Item = u64>, b: impl Iterator<Item = u64>) -> usize {
    a.zip(b).take_while(|(x, y)| x == y).count()
}

/// Appends an op, merging it with the previous one when they are of the same type.
fn push_op(ops: &mut Vec<Op>, a: Range<usize>, b: Range<usize>, equal: bool) {
    if a.is_empty() && b.is_empty() {
        return;
    }
    if let Some(last) = ops.last_mut() {
        if last.equal == equal && last.a.end == a.start && last.b.end == b.start {
            last.a.end = a.end;
            last.b.end = b.end;
            return;
        }
    }
    ops.push(Op {
        a,
        b,
        equal,
        joins: Vec::new(),
    });
}

/// Appends a joined-word match: part of an equal run, remembered as an edit.
fn push_join(ops: &mut Vec<Op>, a: Range<usize>, b: Range<usize>) {
    push_op(ops, a.clone(), b.clone(), true);
    if let Some(last) = ops.last_mut() {
        last.joins.push((a, b));
    }
}

/// Matched segments `(a_start, b_start, len)` from the heaviest increasing chain of runs of
/// n-grams unique in both ranges; empty when there is no such n-gram.
fn anchor_chain(
    ta: &[Token],
    tb: &[Token],
    ra: Range<usize>,
    rb: Range<usize>,
    n: usize,
) -> Vec<(usize, usize, usize)> {
    if ra.len() < n || rb.len() < n {
        return Vec::new();
    }
    // hash -> (position in a or usize::MAX when repeated, position in b or MAX when repeated/absent)
    const REPEATED: usize = usize::MAX;
    const ABSENT: usize = usize::MAX - 1;
    let gram = |t: &[Token], i: usize| fold_hashes(t[i..i + n].iter().map(|t| t.hash));
    let mut seen: AHashMap<u64, (usize, usize)> = AHashMap::with_capacity(ra.len());
    for i in ra.start..=ra.end - n {
        seen.entry(gram(ta, i))
            .and_modify(|e| e.0 = REPEATED)
            .or_insert((i, ABSENT));
    }
    for j in rb.start..=rb.end - n {
        if let Some(e) = seen.get_mut(&gram(tb, j)) {
            e.1 = if e.1 == ABSENT { j } else { REPEATED };
        }
    }
    let mut anchors: Vec<(usize, usize)> = seen
        .into_values()
        .filter(|&(i, j)| i < ABSENT && j < ABSENT)
        .collect();
    if anchors.is_empty() {
        return Vec::new();
    }
    anchors.sort_unstable();
    // Runs of consecutive anchors on one diagonal.
    let mut runs: Vec<(usize, usize, usize)> = Vec::new();
    for (i, j) in anchors {
        match runs.last_mut() {
            Some(r) if r.0 + r.2 == i && r.1 + r.2 == j => r.2 += 1,
            _ => runs.push((i, j, 1)),
        }
    }
    let chain = heaviest_chain(&runs, n);
    // Token segments: a run of `len` anchors covers `len + n - 1` tokens; trim overlaps.
    let mut segments: Vec<(usize, usize, usize)> = Vec::with_capacity(chain.len());
    let (mut end_a, mut end_b) = (ra.start, rb.start);
    for (i, j, len) in chain {
        let mut cover = len + n - 1;
        let skip = end_a.saturating_sub(i).max(end_b.saturating_sub(j));
        if skip >= cover {
            continue;
        }
        cover -= skip;
        let (i, j) = (i + skip, j + skip);
        segments.push((i, j, cover));
        end_a = i + cover;
        end_b = j + cover;
    }
    segments
}

/// The chain of runs, increasing in both coordinates, with the most covered tokens:
/// O(R log R) with a Fenwick tree of best chain weights keyed by where a run ends in b.
fn heaviest_chain(runs: &[(usize, usize, usize)], n: usize) -> Vec<(usize, usize, usize)> {
    let weight = |r: &(usize, usize, usize)| (r.2 + n - 1) as u64;
    // Coordinates in b: run starts and ends, compressed.
    let mut keys: Vec<usize> = runs.iter().flat_map(|r| [r.1, r.1 + r.2]).collect();
    keys.sort_unstable();
    keys.dedup();
    let key = |x: usize| keys.partition_point(|&k| k < x);
    let mut tree = Fenwick::new(keys.len());
    let mut best: Vec<(u64, usize)> = vec![(0, usize::MAX); runs.len()];
    // Runs become available to later runs once a has passed their end: sweep by a.
    let mut by_end: Vec<usize> = (0..runs.len()).collect();
    by_end.sort_unstable_by_key(|&k| runs[k].0 + runs[k].2);
    let mut next_end = 0;
    for (idx, r) in runs.iter().enumerate() {
        while next_end < by_end.len() {
            let k = by_end[next_end];
            let rk = &runs[k];
            if rk.0 + rk.2 > r.0 {
                break;
            }
            tree.update(key(rk.1 + rk.2), (best[k].0, k));
            next_end += 1;
        }
        // Best chain ending in b at or before this run's start.
        let (w, prev) = tree.query(key(r.1));
        best[idx] = (w + weight(r), if w == 0 { usize::MAX } else { prev });
    }
    let Some(mut at) = (0..runs.len()).max_by_key(|&k| best[k].0) else {
        return Vec::new();
    };
    let mut chain = Vec::new();
    loop {
        chain.push(runs[at]);
        match best[at].1 {
            usize::MAX => break,
            p => at = p,
        }
    }
    chain.reverse();
    chain
}

/// Prefix-maximum Fenwick tree over `(weight, index)`.
struct Fenwick {
    tree: Vec<(u64, usize)>,
}

impl Fenwick {
    fn new(n: usize) -> Self {
        Fenwick {
            tree: vec![(0, usize::MAX); n + 1],
        }
    }

    /// Raises position `pos` (0-based) to at least `value`.
    fn update(&mut self, pos: usize, value: (u64, usize)) {
        let mut i = pos + 1;
        while i < self.tree.len() {
            if value.0 > self.tree[i].0 {
                self.tree[i] = value;
            }
            i += i & i.wrapping_neg();
        }
    }

    /// The maximum over positions `0..=pos`.
    fn query(&self, pos: usize) -> (u64, usize) {
        let mut i = (pos + 1).min(self.tree.len() - 1);
        let mut best = (0, usize::MAX);
        while i > 0 {
            if self.tree[i].0 > best.0 {
                best = self.tree[i];
            }
            i &= i - 1;
        }
        best
    }
}

/// Exact LCS of two token ranges; a word split in two on one side matches the joined word on the
/// other (weight 2). Returns the steps in order: token spans in a and b, and what they are.
fn lcs(
    a: Side<'_>,
    b: Side<'_>,
    ra: Range<usize>,
    rb: Range<usize>,
) -> Vec<(Range<usize>, Range<usize>, Step)> {
    let (m, n) = (ra.len(), rb.len());
    let ha: Vec<u64> = a.tokens[ra.clone()].iter().map(|t| t.hash).collect();
    let hb: Vec<u64> = b.tokens[rb.clone()].iter().map(|t| t.hash).collect();
    let ja = joined_hashes(a, ra.clone());
    let jb = joined_hashes(b, rb.clone());
    let w = n + 1;
    let mut score = vec![0u32; (m + 1) * w];
    for i in 1..=m {
        for j in 1..=n {
            let mut s = score[(i - 1) * w + j].max(score[i * w + j - 1]);
            if ha[i - 1] == hb[j - 1] {
                s = s.max(score[(i - 1) * w + j - 1] + 1);
            }
            if i >= 2 && ja[i - 2] == hb[j - 1] {
                s = s.max(score[(i - 2) * w + j - 1] + 2);
            }
            if j >= 2 && jb[j - 2] == ha[i - 1] {
                s = s.max(score[(i - 1) * w + j - 2] + 2);
            }
            score[i * w + j] = s;
        }
    }
    // Backtrack from the end, collecting steps in reverse. The score table of (b, a) is this
    // one transposed, so that a tie-break which does not depend on which text is `a` gives the
    // same path for both: when both sides could step, the side with more tokens left before
    // the cell steps (the path keeps to the diagonal), and on a draw the one whose token has the
    // larger hash. compare(a, b) and compare(b, a) then find the same passages.
    let mut steps = Vec::with_capacity(m.max(n));
    let (mut i, mut j) = (m, n);
    while i > 0 || j > 0 {
        let s = score[i * w + j];
        let a_first = match i.cmp(&j) {
            std::cmp::Ordering::Greater => true,
            std::cmp::Ordering::Less => false,
            std::cmp::Ordering::Equal => ha[i - 1] >= hb[j - 1],
        };
        let join_a =
            i >= 2 && j > 0 && ja[i - 2] == hb[j - 1] && s == score[(i - 2) * w + j - 1] + 2;
        let join_b =
            j >= 2 && i > 0 && jb[j - 2] == ha[i - 1] && s == score[(i - 1) * w + j - 2] + 2;
        let skip_a = i > 0 && (j == 0 || s == score[(i - 1) * w + j]);
        let skip_b = j > 0 && (i == 0 || s == score[i * w + j - 1]);
        let (di, dj, step) =
            if i > 0 && j > 0 && ha[i - 1] == hb[j - 1] && s == score[(i - 1) * w + j - 1] + 1 {
                (1, 1, Step::Equal)
            } else if join_a && (!join_b || a_first) {
                (2, 1, Step::Join)
            } else if join_b {
                (1, 2, Step::Join)
            } else if skip_a && (!skip_b || a_first) {
                (1, 0, Step::Differ)
            } else {
                (0, 1, Step::Differ)
            };
        steps.push((
            ra.start + i - di..ra.start + i,
            rb.start + j - dj..rb.start + j,
            step,
        ));
        i -= di;
        j -= dj;
    }
    steps.reverse();
    steps
}

/// One step of the LCS path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Equal,
    Join,
    Differ,
}

/// For each token `i` in the range but the last, the hash of tokens `i` and `i + 1` written as one
/// word (their normalized forms concatenated).
fn joined_hashes(side: Side<'_>, r: Range<usize>) -> Vec<u64> {
    let mut out = Vec::with_capacity(r.len());
    let (mut x, mut y) = (String::new(), String::new());
    for i in r.start..r.end.saturating_sub(1) {
        normalize_word(&side.text[side.tokens[i].span()], &mut x);
        normalize_word(&side.text[side.tokens[i + 1].span()], &mut y);
        x.push_str(&y);
        out.push(hash_normalized(x.as_bytes()));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Passages

/// A passage in token coordinates.
#[derive(Clone, Debug)]
struct TokenPassage {
    kind: PassageKind,
    a: Option<Range<usize>>,
    b: Option<Range<usize>>,
    moved: bool,
    edits: Vec<(Range<usize>, Range<usize>)>,
}

impl TokenPassage {
    fn only(kind: PassageKind, r: Range<usize>) -> Self {
        let (a, b) = match kind {
            PassageKind::AOnly => (Some(r), None),
            _ => (None, Some(r)),
        };
        TokenPassage {
            kind,
            a,
            b,
            moved: false,
            edits: Vec::new(),
        }
    }
}

/// Passages of the token ranges `ra` and `rb` from the ops that align them.
fn form_passages(
    ops: &[Op],
    ra: Range<usize>,
    rb: Range<usize>,
    params: &AlignParams,
) -> Vec<TokenPassage> {
    let short_side = ra.len().min(rb.len()).max(1);
    let solid = |op: &Op| op.equal && op.matched() >= params.min_solid.min(short_side);
    let mut out: Vec<TokenPassage> = Vec::new();
    let mut current: Option<TokenPassage> = None;
    // The gap not yet placed: where it starts in both texts and in the ops.
    let (mut gap_a, mut gap_b, mut gap_op) = (ra.start, rb.start, 0usize);
    for (k, op) in ops.iter().enumerate() {
        if !solid(op) {
            continue;
        }
        let gap = Gap::new(&ops[gap_op..k], gap_a..op.a.start, gap_b..op.b.start);
        match current.as_mut() {
            Some(p) if gap.is_small(params, false) => gap.absorb(p),
            _ => {
                out.extend(current.take());
                let mut p = TokenPassage {
                    kind: PassageKind::Shared,
                    a: Some(gap.a.start..op.a.start),
                    b: Some(gap.b.start..op.b.start),
                    moved: false,
                    edits: Vec::new(),
                };
                if out.is_empty() && gap.is_small(params, true) {
                    // A reworded opening belongs to the first passage.
                    gap.absorb(&mut p);
                } else {
                    gap.emit(&mut out);
                    p.a = Some(op.a.start..op.a.start);
                    p.b = Some(op.b.start..op.b.start);
                }
                current = Some(p);
            }
        }
        let p = current.as_mut().expect("a passage is open");
        p.edits.extend(op.joins.iter().cloned());
        p.a.as_mut().expect("shared passages have both sides").end = op.a.end;
        p.b.as_mut().expect("shared passages have both sides").end = op.b.end;
        (gap_a, gap_b, gap_op) = (op.a.end, op.b.end, k + 1);
    }
    let tail = Gap::new(&ops[gap_op..], gap_a..ra.end, gap_b..rb.end);
    match current.as_mut() {
        Some(p) if tail.is_small(params, true) => {
            tail.absorb(p);
            out.extend(current.take());
        }
        _ => {
            out.extend(current.take());
            tail.emit(&mut out);
        }
    }
    for p in &mut out {
        if p.kind == PassageKind::Shared && !p.edits.is_empty() {
            p.kind = PassageKind::Changed;
        }
    }
    out
}

/// The words between two solid runs (or before the first, after the last).
struct Gap<'o> {
    ops: &'o [Op],
    a: Range<usize>,
    b: Range<usize>,
    /// Words of a and of b matched inside the gap (by runs too short to be solid).
    matched_a: usize,
    matched_b: usize,
}

impl<'o> Gap<'o> {
    fn new(ops: &'o [Op], a: Range<usize>, b: Range<usize>) -> Self {
        let equal = || ops.iter().filter(|o| o.equal);
        let matched_a = equal().map(|o| o.a.len()).sum();
        let matched_b = equal().map(|o| o.b.len()).sum();
        Gap {
            ops,
            a,
            b,
            matched_a,
            matched_b,
        }
    }

    /// Whether the gap is a small edit inside a passage rather than passages of its own. At the
    /// edge of a text (`edge`), only a rewording counts: words merely added or dropped there are a
    /// header or a footer, and stand apart.
    fn is_small(&self, params: &AlignParams, edge: bool) -> bool {
        let (ua, ub) = (self.a.len() - self.matched_a, self.b.len() - self.matched_b);
        let matched = self.matched_a.min(self.matched_b);
        if ua == 0 && ub == 0 {
            return true;
        }
        if edge && matched == 0 {
            return false;
        }
        let limit = if ua == 0 || ub == 0 {
            params.max_edit
        } else {
            params.max_replace
        };
        ua.max(ub) <= limit.max(matched.min(params.max_reword))
    }

    /// Makes the gap part of passage `p`: its differences become edits, its span joins p's.
    fn absorb(&self, p: &mut TokenPassage) {
        for o in self.ops {
            if o.equal {
                p.edits.extend(o.joins.iter().cloned());
            } else {
                p.edits.push((o.a.clone(), o.b.clone()));
            }
        }
        if let (Some(a), Some(b)) = (p.a.as_mut(), p.b.as_mut()) {
            (a.start, a.end) = (a.start.min(self.a.start), a.end.max(self.a.end));
            (b.start, b.end) = (b.start.min(self.b.start), b.end.max(self.b.end));
        }
    }

    /// Emits the gap as passages only in a and only in b.
    fn emit(&self, out: &mut Vec<TokenPassage>) {
        if !self.a.is_empty() {
            out.push(TokenPassage::only(PassageKind::AOnly, self.a.clone()));
        }
        if !self.b.is_empty() {
            out.push(TokenPassage::only(PassageKind::BOnly, self.b.clone()));
        }
    }
}

/// Aligns `a_only` and `b_only` passages with each other where they share a run of at least
/// `min_moved` words: the passages found there are moved ones, and stand at a's position; what is
/// left of the two regions stays `a_only` and `b_only`.
fn find_moves(
    passages: &mut Vec<TokenPassage>,
    a: Side<'_>,
    b: Side<'_>,
    params: &AlignParams,
    work: &mut u64,
) {
    let n = params.min_moved.max(1);
    let regions = |kind: PassageKind| -> Vec<(usize, Range<usize>)> {
        passages
            .iter()
            .enumerate()
            .filter(|(_, p)| p.kind == kind)
            .filter_map(|(k, p)| match kind {
                PassageKind::AOnly => p.a.clone().map(|r| (k, r)),
                _ => p.b.clone().map(|r| (k, r)),
            })
            .filter(|(_, r)| r.len() >= n)
            .collect()
    };
    let (a_regions, b_regions) = (regions(PassageKind::AOnly), regions(PassageKind::BOnly));
    if a_regions.is_empty() || b_regions.is_empty() {
        return;
    }
    // n-grams of the a regions, then, for each b region, the longest exact run it shares with each
    // a region.
    let gram = |t: &[Token], i: usize| fold_hashes(t[i..i + n].iter().map(|t| t.hash));
    let mut grams: AHashMap<u64, (usize, usize)> = AHashMap::new();
    for (ka, (_, r)) in a_regions.iter().enumerate() {
        *work += r.len() as u64;
        for i in r.start..=r.end - n {
            grams.entry(gram(a.tokens, i)).or_insert((ka, i));
        }
    }
    let mut links: Vec<(usize, usize, usize)> = Vec::new(); // (run length, a region, b region)
    for (kb, (_, r)) in b_regions.iter().enumerate() {
        *work += r.len() as u64;
        let mut j = r.start;
        while j + n <= r.end {
            let Some(&(ka, i)) = grams.get(&gram(b.tokens, j)) else {
                j += 1;
                continue;
            };
            let ra = &a_regions[ka].1;
            let mut len = n;
            while i + len < ra.end
                && j + len < r.end
                && a.tokens[i + len].hash == b.tokens[j + len].hash
            {
                len += 1;
            }
            links.push((len, ka, kb));
            j += len;
        }
    }
    if links.is_empty() {
        return;
    }
    // Pair regions one to one, longest shared run first.
    links.sort_unstable_by(|x, y| y.cmp(x));
    let (mut a_used, mut b_used) = (vec![false; a_regions.len()], vec![false; b_regions.len()]);
    // For each passage index: what replaces it.
    let mut replace: AHashMap<usize, Vec<TokenPassage>> = AHashMap::new();
    for (_, ka, kb) in links {
        if a_used[ka] || b_used[kb] {
            continue;
        }
        a_used[ka] = true;
        b_used[kb] = true;
        let ((pa, ra), (pb, rb)) = (a_regions[ka].clone(), b_regions[kb].clone());
        let ops = match_tokens(a, b, ra.clone(), rb.clone(), params, work);
        let sub = form_passages(&ops, ra, rb, params);
        let (mut at_a, mut at_b) = (Vec::new(), Vec::new());
        for mut p in sub {
            match p.kind {
                PassageKind::BOnly => at_b.push(p),
                PassageKind::AOnly => at_a.push(p),
                _ => {
                    p.moved = true;
                    at_a.push(p);
                }
            }
        }
        replace.insert(pa, at_a);
        replace.insert(pb, at_b);
    }
    let old = std::mem::take(passages);
    for (k, p) in old.into_iter().enumerate() {
        match replace.remove(&k) {
            Some(with) => passages.extend(with),
            None => passages.push(p),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Spans

/// For each token, the byte extent it claims: its word plus the punctuation that leads or trails it
/// up to whitespace. Punctuation between two words with no whitespace goes to the first word.
struct WordExtents {
    start: Vec<usize>,
    end: Vec<usize>,
}

impl WordExtents {
    fn span(&self, tokens: Range<usize>) -> Range<usize> {
        self.start[tokens.start]..self.end[tokens.end - 1]
    }

    /// The byte position of token `i`, or the end of the last token when `i` is past it.
    fn at(&self, i: usize) -> usize {
        match self.start.get(i) {
            Some(&s) => s,
            None => self.end.last().copied().unwrap_or(0),
        }
    }
}

fn word_extents(text: &str, tokens: &[Token]) -> WordExtents {
    let mut start: Vec<usize> = tokens.iter().map(|t| t.start as usize).collect();
    let mut end: Vec<usize> = tokens.iter().map(|t| t.end as usize).collect();
    if tokens.is_empty() {
        return WordExtents { start, end };
    }
    // Leading text before the first word belongs to it, trailing text after the last to it.
    start[0] = text.len() - text.trim_start().len();
    let last = tokens.len() - 1;
    end[last] = end[last].max(text.trim_end().len());
    for k in 0..last {
        let gap = &text[tokens[k].end as usize..tokens[k + 1].start as usize];
        let Some(ws_first) = gap.find(char::is_whitespace) else {
            end[k] = tokens[k + 1].start as usize;
            continue;
        };
        let last_ws = gap.rfind(char::is_whitespace).unwrap_or(ws_first);
        let ws_len = gap[last_ws..].chars().next().map_or(1, char::len_utf8);
        // Lead of the next word: after the last whitespace.
        start[k + 1] = tokens[k].end as usize + last_ws + ws_len;
        // Trail of this word: up to the last non-whitespace char before that whitespace.
        let trail = gap[..last_ws].trim_end().len();
        end[k] = tokens[k].end as usize + trail;
    }
    WordExtents { start, end }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Aligned {
        a: String,
        b: String,
        al: Alignment,
    }

    fn run(a: &str, b: &str) -> Aligned {
        let al = align_texts(a, b, &AlignParams::default());
        check_invariants(a, b, &al);
        Aligned {
            a: a.to_string(),
            b: b.to_string(),
            al,
        }
    }

    impl Aligned {
        fn texts(&self, kind: PassageKind) -> Vec<String> {
            self.al
                .of_kind(kind)
                .map(|p| match kind {
                    PassageKind::BOnly => self.b[p.b.clone().unwrap()].to_string(),
                    _ => self.a[p.a.clone().unwrap()].to_string(),
                })
                .collect()
        }
        fn kinds(&self) -> Vec<PassageKind> {
            self.al.passages.iter().map(|p| p.kind).collect()
        }
    }

    /// Spans on char boundaries, in range, non-overlapping, and covering every non-whitespace byte.
    fn check_invariants(a: &str, b: &str, al: &Alignment) {
        for (text, is_a) in [(a, true), (b, false)] {
            let mut spans: Vec<Range<usize>> = al
                .passages
                .iter()
                .filter_map(|p| if is_a { p.a.clone() } else { p.b.clone() })
                .collect();
            spans.sort_by_key(|r| r.start);
            let mut covered = vec![false; text.len()];
            let mut last_end = 0;
            for r in &spans {
                assert!(
                    r.start < r.end && r.end <= text.len(),
                    "span {r:?} of {text:?}"
                );
                assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
                assert!(r.start >= last_end, "overlap at {r:?} in {text:?}");
                last_end = r.end;
                covered[r.clone()].iter_mut().for_each(|c| *c = true);
            }
            for (i, ch) in text.char_indices() {
                assert!(
                    ch.is_whitespace() || covered[i],
                    "byte {i} ({ch:?}) uncovered in {text:?}"
                );
            }
        }
    }

    #[test]
    fn identical_texts_are_one_shared_passage() {
        let t = "One two three four five. Six seven, “eight” nine!";
        let r = run(t, t);
        assert_eq!(r.kinds(), vec![PassageKind::Shared]);
        assert_eq!(r.al.passages[0].a, Some(0..t.len()));
    }

    #[test]
    fn table_of_edits() {
        use PassageKind::*;
        let base = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike \
                    november oscar papa quebec romeo sierra tango";
        // (name, b, expected kinds in order, expected b_only text, expected a_only text)
        let cases: &[(&str, &str, &[PassageKind], &[&str], &[&str])] = &[
            (
                "inserted passage",
                "alpha bravo charlie delta echo foxtrot golf hotel india juliet one more thing \
                 was said here by someone new kilo lima mike november oscar papa quebec romeo \
                 sierra tango",
                &[Shared, BOnly, Shared],
                &["one more thing was said here by someone new"],
                &[],
            ),
            (
                "deleted passage",
                "alpha bravo charlie delta echo papa quebec romeo sierra tango",
                &[Shared, AOnly, Shared],
                &[],
                &["foxtrot golf hotel india juliet kilo lima mike november oscar"],
            ),
            (
                "edited word",
                "alpha bravo charlie delta echo foxtrot golf hotel INDIGO juliet kilo lima mike \
                 november oscar papa quebec romeo sierra tango",
                &[Changed],
                &[],
                &[],
            ),
            (
                "split word",
                "alpha bravo charlie delta echo fox trot golf hotel india juliet kilo lima mike \
                 november oscar papa quebec romeo sierra tango",
                &[Changed],
                &[],
                &[],
            ),
            (
                "header and footer",
                "Saturday, July 22, 2023. alpha bravo charlie delta echo foxtrot golf hotel \
                 india juliet kilo lima mike november oscar papa quebec romeo sierra tango \
                 No comments: Post a Comment",
                &[BOnly, Shared, BOnly],
                &["Saturday, July 22, 2023.", "No comments: Post a Comment"],
                &[],
            ),
        ];
        for (name, b, kinds, b_only, a_only) in cases {
            let r = run(base, b);
            assert_eq!(&r.kinds(), kinds, "{name}: {:?}", r.al.passages);
            assert_eq!(&r.texts(BOnly), b_only, "{name}");
            assert_eq!(&r.texts(AOnly), a_only, "{name}");
        }
    }

    #[test]
    fn moved_passage_is_shared_and_marked() {
        let a = "w1 w2 w3 w4 w5 w6 w7 w8 w9 w10. m1 m2 m3 m4 m5 m6 m7 m8 m9 m10. \
                 z1 z2 z3 z4 z5 z6 z7 z8 z9 z10.";
        let b = "z1 z2 z3 z4 z5 z6 z7 z8 z9 z10. w1 w2 w3 w4 w5 w6 w7 w8 w9 w10. \
                 m1 m2 m3 m4 m5 m6 m7 m8 m9 m10.";
        let r = run(a, b);
        let moved: Vec<&Passage> = r.al.passages.iter().filter(|p| p.moved).collect();
        assert_eq!(moved.len(), 1, "{:?}", r.al.passages);
        assert_eq!(
            &a[moved[0].a.clone().unwrap()],
            "z1 z2 z3 z4 z5 z6 z7 z8 z9 z10."
        );
        assert_eq!(
            &b[moved[0].b.clone().unwrap()],
            "z1 z2 z3 z4 z5 z6 z7 z8 z9 z10."
        );
        assert_eq!(r.texts(PassageKind::AOnly).len(), 0);
        assert_eq!(r.texts(PassageKind::BOnly).len(), 0);
    }

    #[test]
    fn reworded_attribution_stays_one_passage() {
        let a = "Moscow and Beijing strengthen their ties despite everything. Today, relations \
                 between Russia and China are at an unprecedented high level according to the \
                 Russian Prime Minister Mikhail Mishustin after signing a series of economic pacts.";
        let b =
            "Moscow and Beijing strengthen their ties despite everything. “Today, Russia-China \
                 relations are at an unprecedentedly high level,” the Russian prime minister said. \
                 Mikhail Mishustin after signing a series of economic pacts.";
        let r = run(a, b);
        assert_eq!(r.kinds(), vec![PassageKind::Changed], "{:?}", r.al.passages);
    }

    #[test]
    fn empty_and_punctuation_only_sides() {
        let r = run("", "some words here");
        assert_eq!(r.kinds(), vec![PassageKind::BOnly]);
        let r = run("!!! ---", "some words here");
        assert_eq!(r.kinds(), vec![PassageKind::BOnly, PassageKind::AOnly]);
        let r = run("", "");
        assert!(r.al.passages.is_empty());
    }

    #[test]
    fn large_texts_use_anchors() {
        // Far more cells than the DP budget: anchors must carry it.
        let words: Vec<String> = (0..5000).map(|i| format!("w{i}")).collect();
        let a = words.join(" ");
        let mut bw = words.clone();
        bw.drain(2000..2100);
        bw.insert(4000, "brand new words inserted right here now".to_string());
        let b = bw.join(" ");
        let r = run(&a, &b);
        assert_eq!(
            r.texts(PassageKind::AOnly),
            vec![words[2000..2100].join(" ")]
        );
        assert_eq!(
            r.texts(PassageKind::BOnly),
            vec!["brand new words inserted right here now".to_string()]
        );
    }
}
