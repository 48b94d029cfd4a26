//! The bytes of an index: the settings block, the manifest, segment headers, and checked page
//! reads. Everything is little-endian and hashed with xxh3-64 (seed 0), so an index written on
//! one machine reads the same on any other.
//!
//! A segment file is a header page, a data region checked page by page, and the table of page
//! checksums:
//!
//! ```text
//! [0, 4096)                 header: magic, version, settings, section table, checksums
//! [4096, data_end)          data: text blocks, block table, ids, document table, bucket
//!                           group table, grouped buckets, replaced sources, signatures; one
//!                           xxh3 per 4 KiB page
//! [data_end, file end)      the page checksums (their own xxh3 is in the header)
//! ```
//!
//! Opening a segment reads the header, the page checksums and the bucket group table (8 bytes a
//! group of 64 buckets, about 2 bytes a source); data pages are read on demand
//! with positioned reads, and each page is verified against its checksum before a byte of it is
//! used, so a flipped bit is an error that names the file and offset, never a wrong answer.
//!
//! The background file ([`StoredBackground`]) is small beside the segments (8 bytes a background
//! key, 16 a background bucket, 24 a source with background) and is read and checked whole by the
//! first query.
//!
//! The module is crate-private: the bytes are the index's business. A caller sees only what it
//! reads or matches on, re-exported from [`crate::index`]: [`Settings`] (what an index was built
//! with), [`IndexError`] and [`FORMAT_VERSION`].

use std::fs::File;
use std::io;
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use xxhash_rust::xxh3::xxh3_64;

use crate::boilerplate::{BackgroundBucket, BoilerplateParams};
use crate::dedup::DedupConfig;
use crate::lsh::LshParams;
use crate::minhash::{MinHashParams, MAX_NUM_PERM, MINHASH_SCHEME_VERSION};
use crate::shingle::{MAX_SHINGLE_SIZE, SHINGLE_HASH_VERSION};
use crate::text::TOKENIZER_VERSION;
use crate::verify::{Reporting, SettingError, Thresholds};

/// Version of the index format; an index of another version is refused with a message that
/// names the command to rebuild it. Version 2 added each source's signature to the segments and
/// the learnt background (the boilerplate of the sources) to the index; version 3 each source's
/// date (8 bytes more a document row).
pub const FORMAT_VERSION: u32 = 3;

/// First bytes of a manifest.
pub(crate) const MANIFEST_MAGIC: &[u8; 8] = b"NDUPMANI";

/// First bytes of a background file.
pub(crate) const BACKGROUND_MAGIC: &[u8; 8] = b"NDUPBACK";

/// First bytes of a segment file.
pub(crate) const SEGMENT_MAGIC: &[u8; 8] = b"NDUPSEGM";

/// Size of a checked page, and of the header page of a segment.
pub(crate) const PAGE: u64 = 4096;

/// What went wrong with an index.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IndexError {
    /// Settings that make no sense, refused before an index is made with them.
    #[error("invalid index settings: {0}")]
    Settings(#[from] SettingError),
    /// Nothing at the path.
    #[error("{}: no index there (make one with `neardup index build`)", path.display())]
    Missing {
        /// The index path.
        path: PathBuf,
    },
    /// Something that is not an index.
    #[error("{}: not a neardup index: {why}", path.display())]
    NotAnIndex {
        /// The path.
        path: PathBuf,
        /// What was found instead.
        why: String,
    },
    /// An index of another format version.
    #[error(
        "{}: index format version {found}, but this neardup reads version {expected}; rebuild the index from its sources with `neardup index build --index {} SOURCES...`",
        path.display(),
        index_dir(path).display()
    )]
    Version {
        /// The file.
        path: PathBuf,
        /// The version in the file.
        found: u32,
        /// The version this build reads.
        expected: u32,
    },
    /// An index whose signatures this build would compute differently.
    #[error("{}: built with {what}; rebuild the index with this neardup", path.display())]
    Incompatible {
        /// The file.
        path: PathBuf,
        /// The setting that differs.
        what: String,
    },
    /// Bytes that fail their checks.
    #[error("{}: corrupt: {what}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        what: String,
    },
    /// An index already exists where a new one was to be built.
    #[error("{}: an index already exists there (add to it with `neardup index add`)", path.display())]
    Exists {
        /// The path.
        path: PathBuf,
    },
    /// A read or write failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// An input document could not be read.
    #[error(transparent)]
    Read(#[from] crate::document::ReadError),
    /// Two documents of one batch have the same id.
    #[error("duplicate id {id:?}: {first} and {second}")]
    DuplicateId {
        /// The id.
        id: String,
        /// Where it first appeared.
        first: String,
        /// Where it appeared again.
        second: String,
    },
    /// More sources than a segment can number.
    #[error("more than {} sources in one add", MAX_SEGMENT_DOCS)]
    TooManySources,
}

/// The index directory of one of its files (the file itself when it has no parent).
fn index_dir(file: &Path) -> &Path {
    match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => file,
    }
}

/// Most documents in one segment: entries keep the document number in 24 bits.
pub(crate) const MAX_SEGMENT_DOCS: usize = 1 << 24;

/// An I/O error as an [`IndexError`] naming `path`.
pub(crate) fn io_error(path: &Path) -> impl Fn(io::Error) -> IndexError + '_ {
    move |source| IndexError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Everything the stored signatures and band keys depend on, and the thresholds the banding was
/// chosen for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settings {
    /// [`TOKENIZER_VERSION`] at build time.
    pub tokenizer_version: u32,
    /// [`SHINGLE_HASH_VERSION`] at build time.
    pub shingle_hash_version: u32,
    /// [`MINHASH_SCHEME_VERSION`] at build time.
    pub minhash_version: u32,
    /// Words per shingle.
    pub shingle_size: u32,
    /// Signature length.
    pub num_perm: u32,
    /// MinHash seed.
    pub seed: u64,
    /// Values per band.
    pub rows: u32,
    /// Bands.
    pub bands: u32,
    /// Colliding bands that make a source a candidate.
    pub min_votes: u32,
    /// Reported when the Jaccard reaches this.
    pub report_jaccard: f64,
    /// Reported when this share of one document is in the other.
    pub report_containment: f64,
    /// Size ratio up to which contained pairs are found.
    pub max_ratio: f64,
    /// Duplicate threshold.
    pub duplicate: f64,
    /// Derivative threshold.
    pub derivative: f64,
    /// Overlap threshold.
    pub overlap: f64,
    /// Fewest sources in a background bucket ([`crate::boilerplate::BoilerplateParams`]); 0 when
    /// the index learns no background (every shared shingle is evidence).
    pub boilerplate_min_docs: u32,
    /// Own share of the background's sources ([`crate::boilerplate::BoilerplateParams`]).
    pub boilerplate_own_share: f64,
    /// Own share of the background's sources in a bucket of many
    /// ([`crate::boilerplate::BoilerplateParams::hot_own_share`]).
    pub boilerplate_hot_own_share: f64,
}

impl Settings {
    /// The settings of an index built with `config` and `lsh` by this build of neardup.
    pub(crate) fn new(config: &DedupConfig, lsh: &LshParams) -> Settings {
        Settings {
            tokenizer_version: TOKENIZER_VERSION,
            shingle_hash_version: SHINGLE_HASH_VERSION,
            minhash_version: MINHASH_SCHEME_VERSION,
            shingle_size: config.shingle_size as u32,
            num_perm: config.minhash.num_perm as u32,
            seed: config.minhash.seed,
            rows: lsh.rows as u32,
            bands: lsh.bands as u32,
            min_votes: lsh.min_votes as u32,
            report_jaccard: config.report.jaccard(),
            report_containment: config.report.containment(),
            max_ratio: config.max_ratio,
            duplicate: config.thresholds.duplicate,
            derivative: config.thresholds.derivative,
            overlap: config.thresholds.overlap,
            boilerplate_min_docs: config
                .boilerplate
                .map_or(0, |b| b.min_docs.clamp(1, u32::MAX as usize) as u32),
            boilerplate_own_share: config.boilerplate.map_or(0.0, |b| b.own_share),
            boilerplate_hot_own_share: config.boilerplate.map_or(0.0, |b| b.hot_own_share),
        }
    }

    /// The dedup configuration these settings describe.
    pub fn config(&self) -> DedupConfig {
        DedupConfig {
            shingle_size: self.shingle_size as usize,
            minhash: MinHashParams::new(self.num_perm as usize).with_seed(self.seed),
            thresholds: self.thresholds(),
            report: self.reporting(),
            max_ratio: self.max_ratio,
            boilerplate: self.boilerplate(),
            ..DedupConfig::default()
        }
    }

    /// How the index tells background from evidence; `None` when it learns no background.
    pub fn boilerplate(&self) -> Option<BoilerplateParams> {
        (self.boilerplate_min_docs > 0).then_some(BoilerplateParams {
            min_docs: self.boilerplate_min_docs as usize,
            own_share: self.boilerplate_own_share,
            hot_own_share: self.boilerplate_hot_own_share,
        })
    }

    /// What the index reports: its Jaccard and containment thresholds.
    pub fn reporting(&self) -> Reporting {
        Reporting::persisted(self.report_jaccard, self.report_containment)
    }

    /// The relation thresholds (duplicate, derivative, overlap) that label reported pairs.
    pub fn thresholds(&self) -> Thresholds {
        Thresholds {
            duplicate: self.duplicate,
            derivative: self.derivative,
            overlap: self.overlap,
        }
    }

    /// The banding chosen when the index was built, which its band keys were written with.
    pub fn lsh(&self) -> LshParams {
        LshParams {
            rows: self.rows as usize,
            bands: self.bands as usize,
            min_votes: self.min_votes as usize,
            max_bucket: usize::MAX,
        }
    }

    /// Refuses settings this build would hash differently.
    pub(crate) fn check_compatible(&self, path: &Path) -> Result<(), IndexError> {
        let mismatch = [
            (
                "tokenizer version",
                self.tokenizer_version,
                TOKENIZER_VERSION,
            ),
            (
                "shingle hash version",
                self.shingle_hash_version,
                SHINGLE_HASH_VERSION,
            ),
            (
                "MinHash scheme version",
                self.minhash_version,
                MINHASH_SCHEME_VERSION,
            ),
        ]
        .into_iter()
        .find(|(_, found, ours)| found != ours);
        if let Some((what, found, ours)) = mismatch {
            return Err(IndexError::Incompatible {
                path: path.to_path_buf(),
                what: format!("{what} {found} (this neardup has {ours})"),
            });
        }
        let sane = (1..=MAX_SHINGLE_SIZE as u32).contains(&self.shingle_size)
            && (1..=MAX_NUM_PERM as u32).contains(&self.num_perm)
            && self.rows >= 1
            && self.bands >= 1
            && u64::from(self.rows) * u64::from(self.bands) <= u64::from(self.num_perm)
            && self.min_votes >= 1
            && self.min_votes <= self.bands;
        if !sane {
            return Err(IndexError::Corrupt {
                path: path.to_path_buf(),
                what: "impossible settings in the header".into(),
            });
        }
        Ok(())
    }

    fn encode(&self, e: &mut Enc) {
        for v in [
            self.tokenizer_version,
            self.shingle_hash_version,
            self.minhash_version,
            self.shingle_size,
            self.num_perm,
        ] {
            e.u32(v);
        }
        e.u64(self.seed);
        for v in [self.rows, self.bands, self.min_votes] {
            e.u32(v);
        }
        for v in [
            self.report_jaccard,
            self.report_containment,
            self.max_ratio,
            self.duplicate,
            self.derivative,
            self.overlap,
        ] {
            e.u64(v.to_bits());
        }
        e.u32(self.boilerplate_min_docs);
        e.u64(self.boilerplate_own_share.to_bits());
        e.u64(self.boilerplate_hot_own_share.to_bits());
    }

    fn decode(d: &mut Dec<'_>) -> Option<Settings> {
        Some(Settings {
            tokenizer_version: d.u32()?,
            shingle_hash_version: d.u32()?,
            minhash_version: d.u32()?,
            shingle_size: d.u32()?,
            num_perm: d.u32()?,
            seed: d.u64()?,
            rows: d.u32()?,
            bands: d.u32()?,
            min_votes: d.u32()?,
            report_jaccard: f64::from_bits(d.u64()?),
            report_containment: f64::from_bits(d.u64()?),
            max_ratio: f64::from_bits(d.u64()?),
            duplicate: f64::from_bits(d.u64()?),
            derivative: f64::from_bits(d.u64()?),
            overlap: f64::from_bits(d.u64()?),
            boilerplate_min_docs: d.u32()?,
            boilerplate_own_share: f64::from_bits(d.u64()?),
            boilerplate_hot_own_share: f64::from_bits(d.u64()?),
        })
    }
}

/// A little-endian encoder.
#[derive(Default)]
pub(crate) struct Enc(pub Vec<u8>);

impl Enc {
    /// Appends a `u32`.
    pub fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    /// Appends a `u64`.
    pub fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    /// Appends bytes.
    pub fn bytes(&mut self, v: &[u8]) {
        self.0.extend_from_slice(v);
    }
    /// Appends the xxh3 of everything so far.
    pub fn seal(&mut self) {
        let h = xxh3_64(&self.0);
        self.u64(h);
    }
}

/// A little-endian decoder; `None` when the bytes run out.
pub(crate) struct Dec<'b>(pub &'b [u8]);

impl<'b> Dec<'b> {
    /// Takes `n` bytes.
    pub fn take(&mut self, n: usize) -> Option<&'b [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }
    /// Takes a `u32`.
    pub fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    /// Takes a `u64`.
    pub fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
}

/// Checks the trailing xxh3 of `bytes` and returns what it covers.
fn unseal<'b>(bytes: &'b [u8], path: &Path, what: &str) -> Result<&'b [u8], IndexError> {
    let corrupt = |why: &str| IndexError::Corrupt {
        path: path.to_path_buf(),
        what: format!("{what}: {why}"),
    };
    if bytes.len() < 8 {
        return Err(corrupt("truncated"));
    }
    let (body, sum) = bytes.split_at(bytes.len() - 8);
    let sum = u64::from_le_bytes(sum.try_into().expect("8 bytes"));
    if xxh3_64(body) != sum {
        return Err(corrupt("checksum mismatch"));
    }
    Ok(body)
}

/// What follows the magic and version of a whole sealed file of `kind` (the manifest, the
/// background), once both and its checksum are checked, to be decoded.
fn sealed_body<'b>(
    bytes: &'b [u8],
    magic: &[u8; 8],
    path: &Path,
    kind: &str,
) -> Result<Dec<'b>, IndexError> {
    check_magic(bytes, magic, path, kind)?;
    let body = unseal(bytes, path, kind)?;
    body.get(12..).map(Dec).ok_or_else(|| malformed(path, kind))
}

/// A file of `kind` whose bytes do not decode.
fn malformed(path: &Path, kind: &str) -> IndexError {
    IndexError::Corrupt {
        path: path.to_path_buf(),
        what: format!("{kind}: malformed"),
    }
}

/// Checks magic and version at the head of a file.
fn check_magic(bytes: &[u8], magic: &[u8; 8], path: &Path, kind: &str) -> Result<(), IndexError> {
    if bytes.len() < 12 || &bytes[..8] != magic {
        return Err(IndexError::NotAnIndex {
            path: path.to_path_buf(),
            why: format!("no {kind} header"),
        });
    }
    let found = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
    if found != FORMAT_VERSION {
        return Err(IndexError::Version {
            path: path.to_path_buf(),
            found,
            expected: FORMAT_VERSION,
        });
    }
    Ok(())
}

/// One segment as the manifest lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SegmentEntry {
    /// Its generation: unique in the index, and its file name `seg-<generation>.nds`.
    pub generation: u64,
    /// Its file length.
    pub length: u64,
    /// The xxh3 of its header, so that a swapped file is caught.
    pub header_sum: u64,
    /// Documents in it.
    pub docs: u32,
}

impl SegmentEntry {
    /// The file name of segment `generation`.
    pub fn file_name(generation: u64) -> String {
        format!("seg-{generation:010}.nds")
    }
}

/// The current state of an index: its settings and segments. Replaced atomically by renaming.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Manifest {
    /// Increases with every commit.
    pub generation: u64,
    /// The settings of every segment.
    pub settings: Settings,
    /// The segments, oldest first.
    pub segments: Vec<SegmentEntry>,
    /// The background learnt from every source at the last commit, when there is one.
    pub background: Option<BackgroundEntry>,
}

/// The background file as the manifest lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BackgroundEntry {
    /// The commit that wrote it, and its file name `bg-<generation>.ndb`.
    pub generation: u64,
    /// Its file length.
    pub length: u64,
    /// The xxh3 of the whole file.
    pub sum: u64,
}

impl BackgroundEntry {
    /// The file name of the background of commit `generation`.
    pub fn file_name(generation: u64) -> String {
        format!("bg-{generation:010}.ndb")
    }
}

impl Manifest {
    /// The manifest's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut e = Enc::default();
        e.bytes(MANIFEST_MAGIC);
        e.u32(FORMAT_VERSION);
        e.u64(self.generation);
        self.settings.encode(&mut e);
        e.u32(self.segments.len() as u32);
        for s in &self.segments {
            e.u64(s.generation);
            e.u64(s.length);
            e.u64(s.header_sum);
            e.u32(s.docs);
        }
        match &self.background {
            None => e.u32(0),
            Some(b) => {
                e.u32(1);
                e.u64(b.generation);
                e.u64(b.length);
                e.u64(b.sum);
            }
        }
        e.seal();
        e.0
    }

    /// Reads a manifest's bytes.
    pub fn decode(bytes: &[u8], path: &Path) -> Result<Manifest, IndexError> {
        let mut d = sealed_body(bytes, MANIFEST_MAGIC, path, "manifest")?;
        let corrupt = || malformed(path, "manifest");
        let generation = d.u64().ok_or_else(corrupt)?;
        let settings = Settings::decode(&mut d).ok_or_else(corrupt)?;
        let n = d.u32().ok_or_else(corrupt)?;
        let mut segments = Vec::new();
        for _ in 0..n {
            segments.push(SegmentEntry {
                generation: d.u64().ok_or_else(corrupt)?,
                length: d.u64().ok_or_else(corrupt)?,
                header_sum: d.u64().ok_or_else(corrupt)?,
                docs: d.u32().ok_or_else(corrupt)?,
            });
        }
        let background = match d.u32().ok_or_else(corrupt)? {
            0 => None,
            1 => Some(BackgroundEntry {
                generation: d.u64().ok_or_else(corrupt)?,
                length: d.u64().ok_or_else(corrupt)?,
                sum: d.u64().ok_or_else(corrupt)?,
            }),
            _ => return Err(corrupt()),
        };
        if !d.0.is_empty() {
            return Err(corrupt());
        }
        Ok(Manifest {
            generation,
            settings,
            segments,
            background,
        })
    }
}

/// The background of an index as its file holds it: what a check needs to tell a source's and
/// a checked document's boilerplate from their content ([`crate::boilerplate`]).
///
/// ```text
/// magic "NDUPBACK", version (u32)
/// positions (u64)          source positions learnt from: the segments' documents end to end,
///                          in manifest order (a replaced source is a position without text)
/// keys (u64), keys         the background (bin, value) keys, `bin << 32 | value`, ascending
/// buckets (u32), buckets   band, key, documents, first position (u32s each)
/// words (u32), touched (u64)
/// touched positions        ascending, the sources with a background bin (u64s)
/// masks                    `words` u64s per touched source: its background bins, a bit each
/// xxh3 of all the above
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct StoredBackground {
    /// Source positions learnt from.
    pub positions: u64,
    /// The background keys, ascending.
    pub keys: Vec<u64>,
    /// The background buckets.
    pub buckets: Vec<BackgroundBucket>,
    /// Mask words per source.
    pub words: u32,
    /// Positions of the sources with a background bin, ascending.
    pub touched: Vec<u64>,
    /// Their masks, `words` each.
    pub masks: Vec<u64>,
}

impl StoredBackground {
    /// The file's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut e = Enc::default();
        e.bytes(BACKGROUND_MAGIC);
        e.u32(FORMAT_VERSION);
        e.u64(self.positions);
        e.u64(self.keys.len() as u64);
        for &k in &self.keys {
            e.u64(k);
        }
        e.u32(self.buckets.len() as u32);
        for b in &self.buckets {
            for v in [b.band, b.key, b.docs, b.first] {
                e.u32(v);
            }
        }
        e.u32(self.words);
        e.u64(self.touched.len() as u64);
        for &t in &self.touched {
            e.u64(t);
        }
        for &m in &self.masks {
            e.u64(m);
        }
        e.seal();
        e.0
    }

    /// Reads a background file's bytes.
    pub fn decode(bytes: &[u8], path: &Path) -> Result<StoredBackground, IndexError> {
        let mut d = sealed_body(bytes, BACKGROUND_MAGIC, path, "background")?;
        let corrupt = || malformed(path, "background");
        // A count is believed only as far as the bytes left can hold it.
        let count = |d: &mut Dec<'_>, n: u64, size: u64| {
            (n.checked_mul(size)? <= d.0.len() as u64).then_some(n as usize)
        };
        let positions = d.u64().ok_or_else(corrupt)?;
        let n = d.u64().ok_or_else(corrupt)?;
        let n = count(&mut d, n, 8).ok_or_else(corrupt)?;
        let keys: Vec<u64> = (0..n).map(|_| d.u64().expect("counted")).collect();
        let n = u64::from(d.u32().ok_or_else(corrupt)?);
        let n = count(&mut d, n, 16).ok_or_else(corrupt)?;
        let buckets = (0..n)
            .map(|_| {
                let mut u = || d.u32().expect("counted");
                BackgroundBucket {
                    band: u(),
                    key: u(),
                    docs: u(),
                    first: u(),
                }
            })
            .collect();
        let words = d.u32().ok_or_else(corrupt)?;
        let n = d.u64().ok_or_else(corrupt)?;
        let n = count(&mut d, n, 8 * (1 + u64::from(words))).ok_or_else(corrupt)?;
        let touched: Vec<u64> = (0..n).map(|_| d.u64().expect("counted")).collect();
        let masks: Vec<u64> = (0..n * words as usize)
            .map(|_| d.u64().expect("counted"))
            .collect();
        let ascending = |v: &[u64]| v.windows(2).all(|w| w[0] < w[1]);
        let sane = d.0.is_empty()
            && ascending(&keys)
            && ascending(&touched)
            && touched.last().is_none_or(|&t| t < positions)
            && words as usize <= MAX_NUM_PERM.div_ceil(64);
        if !sane {
            return Err(corrupt());
        }
        Ok(StoredBackground {
            positions,
            keys,
            buckets,
            words,
            touched,
            masks,
        })
    }

    /// The background bins of the source at `position`, a bit each (empty for a source with none).
    pub fn mask(&self, position: u64) -> &[u64] {
        let w = self.words as usize;
        match self.touched.binary_search(&position) {
            Ok(i) => &self.masks[i * w..(i + 1) * w],
            Err(_) => &[],
        }
    }
}

/// The sections of a segment's data region, in file order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Section {
    /// Compressed text blocks (zstd frames).
    Texts = 0,
    /// Per block: file offset (u64), compressed length (u32), text length (u32).
    Blocks = 1,
    /// Ids, concatenated.
    Ids = 2,
    /// Per document: id offset, id length, block, offset in block, text length, shingles (u32s).
    Docs = 3,
    /// Per group of [`GROUP`] buckets, where the group starts in the `Buckets` section (u64), and
    /// the end of the last; loaded when the segment is opened.
    Groups = 4,
    /// Per group of buckets: the starts of its buckets and the end of the last, in entries from
    /// the group's first entry ([`GROUP`] + 1 u32s), then the entries of its buckets in order,
    /// each a fingerprint (8 bits) and a document (24 bits). One read gets a bucket.
    Buckets = 5,
    /// Sources this segment replaces: generation (u64) and document (u32).
    Replaced = 6,
    /// Per document, [`SIGNATURE_ROW`] bytes: its distinct shingles (u32), then its MinHash
    /// signature (`num_perm` u32s; for a document without shingles, `u32::MAX`s). A query reads
    /// its candidates' signatures for their estimates, and a commit reads them all to learn the
    /// background.
    Signatures = 7,
}

/// Number of sections.
pub(crate) const SECTIONS: usize = 8;

/// Bytes of a document's row in the `Signatures` section of a segment of `settings`.
pub(crate) fn signature_row(settings: &Settings) -> u64 {
    4 * (1 + u64::from(settings.num_perm))
}

/// Buckets in a group of the LSH table.
pub(crate) const GROUP: u64 = 64;

/// Bytes of a block table row.
pub(crate) const BLOCK_ROW: u64 = 16;

/// Bytes of a document table row.
pub(crate) const DOC_ROW: u64 = 32;

/// Bytes of a replaced-source row.
pub(crate) const REPLACED_ROW: u64 = 12;

/// A segment's header.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SegmentHeader {
    /// The settings (equal to the manifest's).
    pub settings: Settings,
    /// This segment's generation.
    pub generation: u64,
    /// Documents.
    pub docs: u32,
    /// Text blocks.
    pub blocks: u32,
    /// log2 of the number of buckets.
    pub bucket_bits: u32,
    /// Replaced sources.
    pub replaced: u32,
    /// Byte ranges of the sections, in the data region.
    pub sections: [Range<u64>; SECTIONS],
    /// End of the data region (start of the page checksums).
    pub data_end: u64,
    /// The xxh3 of the page checksum table.
    pub pages_sum: u64,
}

impl SegmentHeader {
    /// The header's bytes (at most one page).
    pub fn encode(&self) -> Vec<u8> {
        let mut e = Enc::default();
        e.bytes(SEGMENT_MAGIC);
        e.u32(FORMAT_VERSION);
        self.settings.encode(&mut e);
        e.u64(self.generation);
        for v in [self.docs, self.blocks, self.bucket_bits, self.replaced] {
            e.u32(v);
        }
        for r in &self.sections {
            e.u64(r.start);
            e.u64(r.end);
        }
        e.u64(self.data_end);
        e.u64(self.pages_sum);
        e.seal();
        debug_assert!(e.0.len() as u64 <= PAGE);
        e.0
    }

    /// Reads a header from the first page of a segment file.
    pub fn decode(page: &[u8], path: &Path) -> Result<SegmentHeader, IndexError> {
        check_magic(page, SEGMENT_MAGIC, path, "segment")?;
        let corrupt = |what: &str| IndexError::Corrupt {
            path: path.to_path_buf(),
            what: format!("segment header: {what}"),
        };
        // The header's length is fixed by the format version.
        let len = Self::LEN;
        if page.len() < len {
            return Err(corrupt("truncated"));
        }
        let body = unseal(&page[..len], path, "segment header")?;
        let mut d = Dec(&body[12..]);
        let malformed = || corrupt("malformed");
        let settings = Settings::decode(&mut d).ok_or_else(malformed)?;
        let generation = d.u64().ok_or_else(malformed)?;
        let mut u = || d.u32().ok_or_else(malformed);
        let (docs, blocks, bucket_bits, replaced) = (u()?, u()?, u()?, u()?);
        let mut sections: [Range<u64>; SECTIONS] = Default::default();
        for s in &mut sections {
            *s = d.u64().ok_or_else(malformed)?..d.u64().ok_or_else(malformed)?;
        }
        let data_end = d.u64().ok_or_else(malformed)?;
        let pages_sum = d.u64().ok_or_else(malformed)?;
        let header = SegmentHeader {
            settings,
            generation,
            docs,
            blocks,
            bucket_bits,
            replaced,
            sections,
            data_end,
            pages_sum,
        };
        header.check_layout().map_err(|w| corrupt(&w))?;
        Ok(header)
    }

    /// Bytes of an encoded header.
    pub const LEN: usize = 8 + 4 + SETTINGS_LEN + 8 + 16 + 16 * SECTIONS + 16 + 8;

    /// Whether the sections fit together as the format says.
    fn check_layout(&self) -> Result<(), String> {
        let mut at = PAGE;
        for (i, s) in self.sections.iter().enumerate() {
            if s.start != at || s.end < s.start {
                return Err(format!("section {i} out of place"));
            }
            at = s.end;
        }
        if at != self.data_end || self.bucket_bits > 40 {
            return Err("sections do not fill the data region".into());
        }
        let len = |s: Section| self.sections[s as usize].end - self.sections[s as usize].start;
        let buckets = 1u64 << self.bucket_bits;
        let fits = len(Section::Blocks) == u64::from(self.blocks) * BLOCK_ROW
            && len(Section::Docs) == u64::from(self.docs) * DOC_ROW
            && buckets >= GROUP
            && len(Section::Groups) == (buckets / GROUP + 1) * 8
            && len(Section::Buckets) % 4 == 0
            && len(Section::Replaced) == u64::from(self.replaced) * REPLACED_ROW
            && len(Section::Signatures) == u64::from(self.docs) * signature_row(&self.settings)
            && (self.docs as usize) <= MAX_SEGMENT_DOCS;
        if !fits {
            return Err("section sizes disagree with the counts".into());
        }
        Ok(())
    }

    /// Number of data pages.
    pub fn pages(&self) -> u64 {
        (self.data_end - PAGE).div_ceil(PAGE)
    }
}

const SETTINGS_LEN: usize = 5 * 4 + 8 + 3 * 4 + 6 * 8 + 4 + 8 + 8;

/// A segment file opened for checked reads.
#[derive(Debug)]
pub(crate) struct PagedFile {
    file: File,
    path: PathBuf,
    data_end: u64,
    sums: Vec<u64>,
}

impl PagedFile {
    /// Opens a segment file, checks its length and header against the manifest's entry, and
    /// loads its page checksums.
    pub fn open(
        path: &Path,
        entry: &SegmentEntry,
    ) -> Result<(PagedFile, SegmentHeader), IndexError> {
        let file = File::open(path).map_err(io_error(path))?;
        let len = file.metadata().map_err(io_error(path))?.len();
        let corrupt = |what: String| IndexError::Corrupt {
            path: path.to_path_buf(),
            what,
        };
        if len != entry.length {
            return Err(corrupt(format!(
                "{len} bytes, but the manifest says {}",
                entry.length
            )));
        }
        let mut page = vec![0u8; PAGE.min(len) as usize];
        file.read_exact_at(&mut page, 0).map_err(io_error(path))?;
        let header = SegmentHeader::decode(&page, path)?;
        if xxh3_64(&page[..SegmentHeader::LEN]) != entry.header_sum {
            return Err(corrupt(
                "header differs from the one the manifest recorded".into(),
            ));
        }
        if header.generation != entry.generation || header.docs != entry.docs {
            return Err(corrupt("header disagrees with the manifest".into()));
        }
        let pages = header.pages();
        if len != header.data_end + pages * 8 {
            return Err(corrupt(format!("truncated or extended: {len} bytes")));
        }
        let mut raw = vec![0u8; (pages * 8) as usize];
        file.read_exact_at(&mut raw, header.data_end)
            .map_err(io_error(path))?;
        if xxh3_64(&raw) != header.pages_sum {
            return Err(corrupt("page checksum table: checksum mismatch".into()));
        }
        let sums = raw
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect();
        Ok((
            PagedFile {
                file,
                path: path.to_path_buf(),
                data_end: header.data_end,
                sums,
            },
            header,
        ))
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads `range` of the data region into `out` (cleared first), verifying every page it
    /// touches.
    pub fn read_into(&self, range: Range<u64>, out: &mut Vec<u8>) -> Result<(), IndexError> {
        out.clear();
        if range.start >= range.end {
            return Ok(());
        }
        if range.start < PAGE || range.end > self.data_end {
            return Err(IndexError::Corrupt {
                path: self.path.clone(),
                what: format!("a reference points outside the data ({range:?})"),
            });
        }
        let first = (range.start - PAGE) / PAGE;
        let last = (range.end - 1 - PAGE) / PAGE;
        let from = PAGE + first * PAGE;
        let to = (PAGE + (last + 1) * PAGE).min(self.data_end);
        out.resize((to - from) as usize, 0);
        self.file
            .read_exact_at(out, from)
            .map_err(io_error(&self.path))?;
        for (i, page) in out.chunks(PAGE as usize).enumerate() {
            let n = first + i as u64;
            if xxh3_64(page) != self.sums[n as usize] {
                return Err(IndexError::Corrupt {
                    path: self.path.clone(),
                    what: format!("checksum mismatch in the page at byte {}", PAGE + n * PAGE),
                });
            }
        }
        let skip = (range.start - from) as usize;
        out.drain(..skip);
        out.truncate((range.end - range.start) as usize);
        Ok(())
    }

    /// Asks the kernel to start reading the pages of `range` into its cache, without waiting:
    /// a query announces every bucket it will read, so that their disk reads overlap instead of
    /// queueing one after the other when the index is not in the page cache. Only a hint.
    pub fn prefetch(&self, range: Range<u64>) {
        let len = std::num::NonZeroU64::new(range.end.saturating_sub(range.start));
        let _ = rustix::fs::fadvise(&self.file, range.start, len, rustix::fs::Advice::WillNeed);
    }

    /// Reads `range` of the data region, verified.
    pub fn read(&self, range: Range<u64>) -> Result<Vec<u8>, IndexError> {
        let mut out = Vec::new();
        self.read_into(range, &mut out)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        let config = DedupConfig::default();
        let lsh = crate::dedup::Deduper::new(config.clone())
            .lsh_params()
            .to_owned();
        Settings::new(&config, &lsh)
    }

    #[test]
    fn manifest_round_trips_and_catches_a_flipped_bit() {
        let m = Manifest {
            generation: 7,
            settings: settings(),
            segments: vec![SegmentEntry {
                generation: 3,
                length: 9000,
                header_sum: 42,
                docs: 12,
            }],
            background: Some(BackgroundEntry {
                generation: 7,
                length: 300,
                sum: 99,
            }),
        };
        let path = Path::new("x/MANIFEST");
        let bytes = m.encode();
        assert_eq!(Manifest::decode(&bytes, path).unwrap(), m);
        for i in 12..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x10;
            assert!(
                matches!(
                    Manifest::decode(&bad, path),
                    Err(IndexError::Corrupt { .. })
                ),
                "flip at {i} not caught"
            );
        }
    }

    #[test]
    fn other_versions_and_other_files_are_named_as_such() {
        let m = Manifest {
            generation: 1,
            settings: settings(),
            segments: vec![],
            background: None,
        };
        let mut bytes = m.encode();
        bytes[8] = 9;
        let path = Path::new("MANIFEST");
        assert!(matches!(
            Manifest::decode(&bytes, path),
            Err(IndexError::Version { found: 9, .. })
        ));
        assert!(matches!(
            Manifest::decode(b"{\"id\": 1}\n", path),
            Err(IndexError::NotAnIndex { .. })
        ));
    }

    #[test]
    fn a_background_round_trips_and_catches_a_flipped_bit_or_a_lie() {
        let b = StoredBackground {
            positions: 10,
            keys: vec![3, 1 << 32 | 7, 5 << 32 | 1],
            buckets: vec![BackgroundBucket {
                band: 1,
                key: 7,
                docs: 6,
                first: 2,
            }],
            words: 2,
            touched: vec![2, 9],
            masks: vec![1, 0, 0, 1 << 63],
        };
        let path = Path::new("x/bg-0000000001.ndb");
        let bytes = b.encode();
        let back = StoredBackground::decode(&bytes, path).unwrap();
        assert_eq!(back, b);
        assert_eq!(back.mask(9), &[0, 1 << 63]);
        assert!(back.mask(3).is_empty());
        for i in 12..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x04;
            assert!(
                matches!(
                    StoredBackground::decode(&bad, path),
                    Err(IndexError::Corrupt { .. })
                ),
                "flip at {i} not caught"
            );
        }
        // Counts larger than the bytes, or keys out of order, under a valid checksum.
        for lie in [
            StoredBackground {
                keys: vec![5, 3],
                ..b.clone()
            },
            StoredBackground {
                touched: vec![2, 10],
                ..b.clone()
            },
        ] {
            assert!(StoredBackground::decode(&lie.encode(), path).is_err());
        }
        let mut huge = b.encode();
        huge[20..28].copy_from_slice(&u64::MAX.to_le_bytes());
        let body = huge.len() - 8;
        let sum = xxh3_64(&huge[..body]);
        huge[body..].copy_from_slice(&sum.to_le_bytes());
        assert!(StoredBackground::decode(&huge, path).is_err());
    }

    #[test]
    fn an_old_version_is_refused_with_the_command_that_rebuilds_it() {
        let m = Manifest {
            generation: 1,
            settings: settings(),
            segments: vec![],
            background: None,
        };
        let mut bytes = m.encode();
        bytes[8..12].copy_from_slice(&1u32.to_le_bytes());
        let err = Manifest::decode(&bytes, Path::new("crawl/s.ndx/MANIFEST")).unwrap_err();
        assert!(matches!(err, IndexError::Version { found: 1, .. }));
        assert!(
            err.to_string()
                .contains("`neardup index build --index crawl/s.ndx SOURCES...`"),
            "{err}"
        );
    }

    #[test]
    fn header_length_is_what_encode_writes() {
        let h = SegmentHeader {
            settings: settings(),
            generation: 1,
            docs: 0,
            blocks: 0,
            bucket_bits: 0,
            replaced: 0,
            sections: Default::default(),
            data_end: PAGE,
            pages_sum: 0,
        };
        assert_eq!(h.encode().len(), SegmentHeader::LEN);
    }
}
