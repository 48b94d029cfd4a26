//! One segment: an immutable file of sources written by one `build` or `add`.
//!
//! In: documents with their sketches ([`SegmentWriter::push_batch`]). Out: a file laid out as
//! [`super::format`] describes, read back by [`Segment`]: the band lookups of a query, and the id
//! and text of a source.
//!
//! The LSH table is a bucketed hash table whose buckets are stored in groups of 64, each group
//! its buckets' offsets followed by their entries, so one read gets a bucket; the small table of
//! where each group starts is loaded when the segment is opened. A band of document `d` with key `k` goes to the bucket
//! chosen by the top bits of `mix64(BAND_DOMAIN ^ band << 32 ^ k)`, as the entry
//! `fingerprint << 24 | d`, where the fingerprint is the hash's low byte: a lookup skips the other
//! keys that share the bucket except one in 256. About 4.5 bytes a band, so 128 one-row bands cost
//! about 600 bytes a source. Texts are stored in zstd blocks of about 64 KiB, so that neighbouring
//! sources share a compression context and one source costs one block to read. Each source's
//! signature is stored too (4 bytes a value and 4 for its shingle count, 516 bytes at 128
//! values), so that a query estimates a candidate's similarity from it before reading any text,
//! and a commit learns the background of all the sources without reading their texts again.

use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64;

use super::format::{
    io_error, signature_row, Dec, IndexError, PagedFile, Section, SegmentEntry, SegmentHeader,
    Settings, BLOCK_ROW, DOC_ROW, GROUP, MAX_SEGMENT_DOCS, PAGE, REPLACED_ROW, SECTIONS,
};
use crate::dedup::Sketch;
use crate::document::Date;
use crate::fsutil::{AtomicFile, TempName};
use crate::hash::mix64;
use crate::lsh::LshParams;

/// Text bytes per compressed block.
const BLOCK_BYTES: usize = 64 << 10;

/// zstd level of the text blocks.
const ZSTD_LEVEL: i32 = 3;

/// Average entries per bucket the table is sized for.
const BUCKET_LOAD: usize = 8;

/// Separates band hashes from other uses of `mix64` (ASCII `"lshband!"`).
const BAND_DOMAIN: u64 = 0x6c73_6862_616e_6421;

/// The bucket hash of band `band` with key `key`.
#[inline]
pub fn band_hash(band: usize, key: u32) -> u64 {
    mix64(BAND_DOMAIN ^ ((band as u64) << 32) ^ u64::from(key))
}

/// A source's row in the document table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DocRow {
    id_offset: u32,
    id_len: u32,
    block: u32,
    in_block: u32,
    text_len: u32,
    /// Distinct shingles of the text.
    pub shingles: u32,
    /// The source's date in seconds since the epoch, [`UNDATED`] for none.
    date: i64,
}

/// The date of a source without one.
const UNDATED: i64 = i64::MIN;

impl DocRow {
    fn decode(b: &[u8]) -> DocRow {
        let mut d = Dec(b);
        let mut u = || d.u32().expect("a whole row");
        let row = DocRow {
            id_offset: u(),
            id_len: u(),
            block: u(),
            in_block: u(),
            text_len: u(),
            shingles: u(),
            date: UNDATED,
        };
        DocRow {
            date: d.u64().expect("a whole row") as i64,
            ..row
        }
    }

    /// The source's date, where it has one (a stored value out of a date's range, which only a
    /// damaged file could hold past its checksums, reads as none).
    pub fn date(&self) -> Option<Date> {
        match self.date {
            UNDATED => None,
            seconds => Date::from_seconds(seconds),
        }
    }

    fn encode(&self, out: &mut Vec<u8>) {
        for v in [
            self.id_offset,
            self.id_len,
            self.block,
            self.in_block,
            self.text_len,
            self.shingles,
        ] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&self.date.to_le_bytes());
    }
}

/// A document going into a segment.
pub struct NewSource<'d> {
    /// Its id.
    pub id: &'d str,
    /// Its text.
    pub text: &'d str,
    /// Its sketch.
    pub sketch: &'d Sketch,
    /// Its date, where known.
    pub date: Option<Date>,
}

/// Writes the data region of a segment, hashing each page as it goes.
struct PageWriter {
    out: AtomicFile,
    page: Vec<u8>,
    sums: Vec<u64>,
    at: u64,
}

impl PageWriter {
    fn write(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        self.at += bytes.len() as u64;
        while !bytes.is_empty() {
            let room = PAGE as usize - self.page.len();
            let (head, rest) = bytes.split_at(room.min(bytes.len()));
            self.page.extend_from_slice(head);
            bytes = rest;
            if self.page.len() == PAGE as usize {
                self.flush_page()?;
            }
        }
        Ok(())
    }

    fn flush_page(&mut self) -> io::Result<()> {
        if !self.page.is_empty() {
            self.sums.push(xxh3_64(&self.page));
            self.out.write_all(&self.page)?;
            self.page.clear();
        }
        Ok(())
    }
}

/// Builds one segment in a temporary file; [`SegmentWriter::finish`] puts it in place.
pub struct SegmentWriter {
    /// The temporary file's path, for errors.
    tmp: PathBuf,
    out: PageWriter,
    settings: Settings,
    lsh: LshParams,
    generation: u64,
    blocks: Vec<u8>,
    ids: Vec<u8>,
    docs: Vec<u8>,
    n_docs: usize,
    n_blocks: u32,
    /// The signature values of every document end to end, `num_perm` a document (`u32::MAX`s
    /// for a document without shingles): the `Signatures` section, and the band keys' source.
    values: Vec<u32>,
    /// Distinct shingles of every document.
    shingles: Vec<u32>,
    replaced: Vec<(u64, u32)>,
}

impl SegmentWriter {
    /// Starts segment `generation` in `dir`.
    pub fn create(dir: &Path, generation: u64, settings: Settings) -> Result<Self, IndexError> {
        let name = SegmentEntry::file_name(generation);
        let path = dir.join(&name);
        let tmp = TempName::Index.beside(&path);
        let mut out = AtomicFile::create(&path, TempName::Index).map_err(io_error(&tmp))?;
        // The header page, written for real once the sections are known.
        out.write_all(&[0; PAGE as usize]).map_err(io_error(&tmp))?;
        Ok(SegmentWriter {
            tmp,
            out: PageWriter {
                out,
                page: Vec::with_capacity(PAGE as usize),
                sums: Vec::new(),
                at: PAGE,
            },
            lsh: settings.lsh(),
            settings,
            generation,
            blocks: Vec::new(),
            ids: Vec::new(),
            docs: Vec::new(),
            n_docs: 0,
            n_blocks: 0,
            values: Vec::new(),
            shingles: Vec::new(),
            replaced: Vec::new(),
        })
    }

    /// Whether no document was written.
    pub fn is_empty(&self) -> bool {
        self.n_docs == 0
    }

    /// Records that this segment replaces document `doc` of segment `generation`.
    pub fn replace(&mut self, generation: u64, doc: u32) {
        self.replaced.push((generation, doc));
    }

    /// Documents written so far.
    pub fn docs(&self) -> usize {
        self.n_docs
    }

    /// The replaced sources recorded so far.
    pub fn replaced(&self) -> &[(u64, u32)] {
        &self.replaced
    }

    /// Sets the replaced sources.
    pub fn set_replaced(&mut self, replaced: Vec<(u64, u32)>) {
        self.replaced = replaced;
    }

    /// Appends a batch of documents: texts compressed in parallel, in blocks.
    pub fn push_batch(&mut self, batch: &[NewSource<'_>]) -> Result<(), IndexError> {
        if self.n_docs + batch.len() > MAX_SEGMENT_DOCS {
            return Err(IndexError::TooManySources);
        }
        // Cut the batch into blocks of about BLOCK_BYTES of text.
        let mut cuts = vec![0];
        let mut bytes = 0;
        for (i, d) in batch.iter().enumerate() {
            bytes += d.text.len();
            if bytes >= BLOCK_BYTES {
                cuts.push(i + 1);
                bytes = 0;
            }
        }
        if *cuts.last().expect("not empty") != batch.len() {
            cuts.push(batch.len());
        }
        let compressed: Vec<(Vec<u8>, usize)> = cuts
            .par_windows(2)
            .map(|w| {
                let raw: Vec<u8> = batch[w[0]..w[1]]
                    .iter()
                    .flat_map(|d| d.text.as_bytes())
                    .copied()
                    .collect();
                let z = zstd::bulk::compress(&raw, ZSTD_LEVEL).expect("compressing to memory");
                (z, raw.len())
            })
            .collect();
        let fail = io_error(&self.tmp);
        for (w, (z, raw_len)) in cuts.windows(2).zip(compressed) {
            let block = self.n_blocks;
            self.blocks.extend_from_slice(&self.out.at.to_le_bytes());
            self.blocks
                .extend_from_slice(&(z.len() as u32).to_le_bytes());
            self.blocks
                .extend_from_slice(&(raw_len as u32).to_le_bytes());
            self.out.write(&z).map_err(&fail)?;
            self.n_blocks += 1;
            let mut in_block = 0u32;
            for d in &batch[w[0]..w[1]] {
                DocRow {
                    id_offset: self.ids.len() as u32,
                    id_len: d.id.len() as u32,
                    block,
                    in_block,
                    text_len: d.text.len() as u32,
                    shingles: d.sketch.shingles(),
                    date: d.date.map_or(UNDATED, Date::seconds),
                }
                .encode(&mut self.docs);
                self.ids.extend_from_slice(d.id.as_bytes());
                in_block += d.text.len() as u32;
                let sig = &d.sketch.signature;
                let width = self.settings.num_perm as usize;
                if sig.is_empty() || sig.values().len() != width {
                    self.values.extend(std::iter::repeat_n(u32::MAX, width));
                    self.shingles.push(0);
                } else {
                    self.values.extend_from_slice(sig.values());
                    self.shingles.push(sig.n_shingles());
                }
                self.n_docs += 1;
            }
        }
        Ok(())
    }

    /// Writes the tables, the page checksums and the header, makes the file durable and renames
    /// it into place. Returns the manifest's entry for it. When this fails, the temporary file is
    /// removed (as when the writer is dropped unfinished).
    pub fn finish(mut self) -> Result<SegmentEntry, IndexError> {
        self.write_rest()
    }

    fn write_rest(&mut self) -> Result<SegmentEntry, IndexError> {
        let fail = io_error(&self.tmp);
        let mut sections: [std::ops::Range<u64>; SECTIONS] = Default::default();
        sections[Section::Texts as usize] = PAGE..self.out.at;
        let (groups, buckets, bucket_bits) = self.table();
        let parts: [(Section, &[u8]); 7] = [
            (Section::Blocks, &self.blocks),
            (Section::Ids, &self.ids),
            (Section::Docs, &self.docs),
            (Section::Groups, &groups),
            (Section::Buckets, &buckets),
            (Section::Replaced, &replaced_bytes(&self.replaced)),
            (Section::Signatures, &self.signature_bytes()),
        ];
        for (section, bytes) in parts {
            let start = self.out.at;
            self.out.write(bytes).map_err(&fail)?;
            sections[section as usize] = start..self.out.at;
        }
        self.out.flush_page().map_err(&fail)?;
        let data_end = self.out.at;
        let sums: Vec<u8> = self.out.sums.iter().flat_map(|s| s.to_le_bytes()).collect();
        self.out.out.write_all(&sums).map_err(&fail)?;
        let header = SegmentHeader {
            settings: self.settings,
            generation: self.generation,
            docs: self.n_docs as u32,
            blocks: self.n_blocks,
            bucket_bits,
            replaced: self.replaced.len() as u32,
            sections,
            data_end,
            pages_sum: xxh3_64(&sums),
        };
        let head = header.encode();
        let out = &mut self.out.out;
        out.seek(SeekFrom::Start(0)).map_err(&fail)?;
        out.write_all(&head).map_err(&fail)?;
        out.sync().map_err(&fail)?;
        super::failpoint("segment-written");
        out.rename().map_err(&fail)?;
        Ok(SegmentEntry {
            generation: self.generation,
            length: data_end + sums.len() as u64,
            header_sum: xxh3_64(&head),
            docs: self.n_docs as u32,
        })
    }

    /// The `Signatures` section: per document its shingle count, then its values.
    fn signature_bytes(&self) -> Vec<u8> {
        let width = self.settings.num_perm as usize;
        let mut out = Vec::with_capacity(self.shingles.len() * (width + 1) * 4);
        for (i, &n) in self.shingles.iter().enumerate() {
            out.extend_from_slice(&n.to_le_bytes());
            for v in &self.values[i * width..(i + 1) * width] {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        out
    }

    /// The signature values of the documents with shingles, with their document numbers.
    fn signed(&self) -> impl Iterator<Item = (usize, &[u32])> + '_ {
        let width = self.settings.num_perm as usize;
        self.shingles
            .iter()
            .enumerate()
            .filter(|&(_, &n)| n > 0)
            .map(move |(doc, _)| (doc, &self.values[doc * width..(doc + 1) * width]))
    }

    /// The group table and the grouped buckets (as bytes, see [`Section::Groups`]) and the log2
    /// of the bucket count: a counting sort of every band of every document by bucket, documents
    /// in order within a bucket.
    fn table(&self) -> (Vec<u8>, Vec<u8>, u32) {
        let bands = self.lsh.bands;
        let total: usize = self.signed().count() * bands;
        let buckets = (total / BUCKET_LOAD).next_power_of_two().max(1024);
        let bits = buckets.trailing_zeros();
        let slot = |band: usize, key: u32| {
            let h = band_hash(band, key);
            ((h >> (64 - bits)) as usize, ((h & 0xff) as u32) << 24)
        };
        let mut starts = vec![0u32; buckets + 1];
        for (_, values) in self.signed() {
            for band in 0..bands {
                starts[slot(band, self.lsh.band_key(values, band)).0 + 1] += 1;
            }
        }
        for b in 0..buckets {
            starts[b + 1] += starts[b];
        }
        let mut fill = starts.clone();
        let mut entries = vec![0u32; total];
        for (doc, values) in self.signed() {
            for band in 0..bands {
                let (b, fp) = slot(band, self.lsh.band_key(values, band));
                entries[fill[b] as usize] = fp | doc as u32;
                fill[b] += 1;
            }
        }
        let group = GROUP as usize;
        let mut groups = Vec::with_capacity((buckets / group + 1) * 8);
        let mut out = Vec::with_capacity((total + buckets / group * (group + 1)) * 4);
        for g in 0..buckets / group {
            groups.extend_from_slice(&(out.len() as u64).to_le_bytes());
            let first = starts[g * group];
            for start in &starts[g * group..=(g + 1) * group] {
                out.extend_from_slice(&(start - first).to_le_bytes());
            }
            for e in &entries[first as usize..starts[(g + 1) * group] as usize] {
                out.extend_from_slice(&e.to_le_bytes());
            }
        }
        groups.extend_from_slice(&(out.len() as u64).to_le_bytes());
        (groups, out, bits)
    }
}

/// A `Signatures` row: the shingle count, and the values into `values` (cleared first).
fn decode_signature(row: &[u8], values: &mut Vec<u32>) -> u32 {
    let mut words = row
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")));
    let shingles = words.next().unwrap_or(0);
    values.clear();
    values.extend(words);
    shingles
}

fn replaced_bytes(replaced: &[(u64, u32)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(replaced.len() * REPLACED_ROW as usize);
    for &(g, d) in replaced {
        out.extend_from_slice(&g.to_le_bytes());
        out.extend_from_slice(&d.to_le_bytes());
    }
    out
}

/// A segment opened for queries.
#[derive(Debug)]
pub struct Segment {
    file: PagedFile,
    header: SegmentHeader,
    /// Where each group of buckets starts in the `Buckets` section, and the end of the last.
    groups: Vec<u64>,
}

impl Segment {
    /// Opens the segment the manifest lists as `entry`.
    pub fn open(dir: &Path, entry: &SegmentEntry) -> Result<Segment, IndexError> {
        let path = dir.join(SegmentEntry::file_name(entry.generation));
        let (file, header) = PagedFile::open(&path, entry)?;
        let groups = file
            .read(header.sections[Section::Groups as usize].clone())?
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect();
        Ok(Segment {
            file,
            header,
            groups,
        })
    }

    /// Its header.
    pub fn header(&self) -> &SegmentHeader {
        &self.header
    }

    /// Its file.
    pub fn path(&self) -> &Path {
        self.file.path()
    }

    fn section(&self, s: Section) -> std::ops::Range<u64> {
        self.header.sections[s as usize].clone()
    }

    fn corrupt(&self, what: impl Into<String>) -> IndexError {
        IndexError::Corrupt {
            path: self.file.path().to_path_buf(),
            what: what.into(),
        }
    }

    /// Documents whose bands collide with `hashes` (the [`band_hash`] of each band of a query, in
    /// band order) at least `min_votes` times, each with its vote count, in document order.
    pub fn candidates(
        &self,
        hashes: &[u64],
        min_votes: usize,
        buf: &mut Vec<u8>,
        hits: &mut Vec<u32>,
    ) -> Result<Vec<(u32, u32)>, IndexError> {
        hits.clear();
        let bits = self.header.bucket_bits;
        let section = self.section(Section::Buckets);
        let group_of = |h: u64| ((h >> (64 - bits)) / GROUP) as usize;
        for &h in hashes {
            let g = group_of(h);
            if let (Some(&from), Some(&to)) = (self.groups.get(g), self.groups.get(g + 1)) {
                self.file
                    .prefetch(section.start + from..section.start + to.max(from));
            }
        }
        for &h in hashes {
            let bucket = h >> (64 - bits);
            let fp = ((h & 0xff) as u32) << 24;
            let (g, j) = ((bucket / GROUP) as usize, (bucket % GROUP) as usize);
            let (from, to) = (self.groups[g], self.groups[g + 1]);
            if from > to || section.start + to > section.end {
                return Err(self.corrupt(format!("group {g} points outside the buckets")));
            }
            self.file
                .read_into(section.start + from..section.start + to, buf)?;
            let head = (GROUP as usize + 1) * 4;
            let rel = |i: usize| {
                buf.get(i * 4..i * 4 + 4)
                    .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize)
            };
            let range = match (rel(j), rel(j + 1)) {
                (Some(a), Some(b)) if a <= b && head + b * 4 <= buf.len() => {
                    head + a * 4..head + b * 4
                }
                _ => return Err(self.corrupt(format!("bucket {bucket} is malformed"))),
            };
            for e in buf[range].chunks_exact(4) {
                let e = u32::from_le_bytes(e.try_into().expect("4 bytes"));
                if e & 0xff00_0000 == fp {
                    hits.push(e & 0x00ff_ffff);
                }
            }
        }
        hits.sort_unstable();
        let mut out = Vec::new();
        for run in hits.chunk_by(|a, b| a == b) {
            if run.len() >= min_votes {
                if run[0] >= self.header.docs {
                    return Err(self.corrupt("an entry names a document past the table"));
                }
                out.push((run[0], run.len() as u32));
            }
        }
        Ok(out)
    }

    /// The table row of document `doc`.
    pub fn row(&self, doc: u32) -> Result<DocRow, IndexError> {
        if doc >= self.header.docs {
            return Err(self.corrupt(format!("no document {doc}")));
        }
        let at = self.section(Section::Docs).start + u64::from(doc) * DOC_ROW;
        Ok(DocRow::decode(&self.file.read(at..at + DOC_ROW)?))
    }

    /// Every table row, in order.
    pub fn rows(&self) -> Result<Vec<DocRow>, IndexError> {
        let bytes = self.file.read(self.section(Section::Docs))?;
        Ok(bytes
            .chunks_exact(DOC_ROW as usize)
            .map(DocRow::decode)
            .collect())
    }

    /// The id of a document.
    pub fn id(&self, row: &DocRow) -> Result<String, IndexError> {
        let ids = self.section(Section::Ids);
        let at = ids.start + u64::from(row.id_offset);
        let end = at + u64::from(row.id_len);
        if end > ids.end {
            return Err(self.corrupt("an id points outside the ids"));
        }
        String::from_utf8(self.file.read(at..end)?).map_err(|_| self.corrupt("an id is not UTF-8"))
    }

    /// Every id, in document order.
    pub fn ids(&self, rows: &[DocRow]) -> Result<Vec<String>, IndexError> {
        let ids = self.section(Section::Ids);
        let all = self.file.read(ids.clone())?;
        rows.iter()
            .map(|r| {
                let at = r.id_offset as usize;
                all.get(at..at + r.id_len as usize)
                    .and_then(|b| std::str::from_utf8(b).ok())
                    .map(str::to_owned)
                    .ok_or_else(|| self.corrupt("an id points outside the ids or is not UTF-8"))
            })
            .collect()
    }

    /// Compressed and raw sizes of the text blocks.
    pub fn block_sizes(&self) -> Result<(u64, u64), IndexError> {
        let bytes = self.file.read(self.section(Section::Blocks))?;
        let mut sizes = (0, 0);
        for row in bytes.chunks_exact(BLOCK_ROW as usize) {
            let mut d = Dec(&row[8..]);
            sizes.0 += u64::from(d.u32().expect("a whole row"));
            sizes.1 += u64::from(d.u32().expect("a whole row"));
        }
        Ok(sizes)
    }

    /// The text of block `block`, decompressed: the texts of its documents end to end.
    fn block(&self, block: u32) -> Result<String, IndexError> {
        if block >= self.header.blocks {
            return Err(self.corrupt("a document names a block past the table"));
        }
        let at = self.section(Section::Blocks).start + u64::from(block) * BLOCK_ROW;
        let b = self.file.read(at..at + BLOCK_ROW)?;
        let mut d = Dec(&b);
        let (offset, z_len, raw_len) = (
            d.u64().expect("a whole row"),
            u64::from(d.u32().expect("a whole row")),
            d.u32().expect("a whole row") as usize,
        );
        let texts = self.section(Section::Texts);
        if offset < texts.start || offset + z_len > texts.end {
            return Err(self.corrupt("a block points outside the texts"));
        }
        let z = self.file.read(offset..offset + z_len)?;
        let raw = zstd::bulk::decompress(&z, raw_len)
            .map_err(|e| self.corrupt(format!("a text block does not decompress: {e}")))?;
        String::from_utf8(raw).map_err(|_| self.corrupt("a text block is not UTF-8"))
    }

    /// The id, text and date of every document for which `keep` holds, in order; each block is
    /// decompressed once.
    pub fn documents(
        &self,
        keep: impl Fn(u32) -> bool,
    ) -> Result<Vec<(String, String, Option<Date>)>, IndexError> {
        let rows = self.rows()?;
        let ids = self.ids(&rows)?;
        let mut out = Vec::new();
        let mut block = None;
        for (doc, (row, id)) in rows.iter().zip(ids).enumerate() {
            if keep(doc as u32) {
                out.push((id, self.text_cached(row, &mut block)?, row.date()));
            }
        }
        Ok(out)
    }

    /// The text of a document, through `block`, a cache of the last block read: documents read
    /// in order decompress each block once.
    pub fn text_cached(
        &self,
        row: &DocRow,
        block: &mut Option<(u32, String)>,
    ) -> Result<String, IndexError> {
        if block.as_ref().is_none_or(|b| b.0 != row.block) {
            *block = Some((row.block, self.block(row.block)?));
        }
        let text = &block.as_ref().expect("just read").1;
        let from = row.in_block as usize;
        text.get(from..from + row.text_len as usize)
            .map(str::to_owned)
            .ok_or_else(|| self.corrupt("a text points outside its block or splits a character"))
    }

    /// The signature of document `doc` (its values into `values`, which is cleared first), as
    /// its distinct shingles; read through `buf`.
    pub fn signature_into(
        &self,
        doc: u32,
        buf: &mut Vec<u8>,
        values: &mut Vec<u32>,
    ) -> Result<u32, IndexError> {
        if doc >= self.header.docs {
            return Err(self.corrupt(format!("no document {doc}")));
        }
        let row = signature_row(&self.header.settings);
        let at = self.section(Section::Signatures).start + u64::from(doc) * row;
        self.file.read_into(at..at + row, buf)?;
        Ok(decode_signature(buf, values))
    }

    /// Every document's signature: the values end to end (`num_perm` a document) and the
    /// shingle counts.
    pub fn signatures(&self) -> Result<(Vec<u32>, Vec<u32>), IndexError> {
        let bytes = self.file.read(self.section(Section::Signatures))?;
        let row = signature_row(&self.header.settings) as usize;
        let width = self.header.settings.num_perm as usize;
        let mut values = Vec::with_capacity(self.header.docs as usize * width);
        let mut shingles = Vec::with_capacity(self.header.docs as usize);
        let mut one = Vec::with_capacity(width);
        for r in bytes.chunks_exact(row) {
            shingles.push(decode_signature(r, &mut one));
            values.extend_from_slice(&one);
        }
        Ok((values, shingles))
    }

    /// The sources this segment replaces, as (generation, document).
    pub fn replaced(&self) -> Result<Vec<(u64, u32)>, IndexError> {
        let bytes = self.file.read(self.section(Section::Replaced))?;
        Ok(bytes
            .chunks_exact(REPLACED_ROW as usize)
            .map(|r| {
                let mut d = Dec(r);
                (d.u64().expect("a row"), d.u32().expect("a row"))
            })
            .collect())
    }
}
