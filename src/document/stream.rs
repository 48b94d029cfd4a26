//! Byte streams: a file or standard input in, its bytes out, decompressed.
//!
//! What a file is comes from its name ([`format_of`]: JSON Lines or not, gzip, zstd or plain);
//! standard input has no name, so its compression is sniffed from its first bytes
//! ([`open_sniffed`]). A stream named as an input (a FIFO, a process substitution's `/dev/fd/N`)
//! is opened once and never looked at again ([`open_stream`]): its name decides when it has an
//! extension, as it would for a regular file of that name, and a name without one (`/dev/fd/63`)
//! says nothing, so its compression is sniffed, then whether it is JSON Lines: it is when its
//! first byte that is not whitespace (past a byte-order mark) is `{`, and is otherwise one plain
//! document. The bytes looked at are handed on with the rest, so nothing is lost. Either way the result is one [`Stream`], read through a buffer of
//! [`BUFFER`] bytes; decompression is streamed (gzip members one after the other, as `zcat`
//! reads them, zstd frames likewise), never done whole, and in bounded memory: gzip's window is
//! 32 KiB, a zstd frame's at most 128 MiB ([`ZSTD_WINDOW_LOG_MAX`]); the bound on a line's or a
//! document's size is the readers' above. The stream is boxed once per file, so
//! that the line reader above is one type whatever the compression; nothing is boxed per line.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use super::error::io_error_kind;
use super::ReadErrorKind;

/// Size of the read buffers, before and after decompression.
pub(super) const BUFFER: usize = 256 * 1024;

/// The largest zstd window accepted, as a power of two: 128 MiB, `zstd -d`'s own default limit
/// and the window `zstd --long` writes. A frame that asks for more (`--long=28` to `31`, up to
/// 2 GiB) is refused with an error saying so, rather than given the memory a crafted file asks.
const ZSTD_WINDOW_LOG_MAX: u32 = 27;

/// How a file is compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    fn name(self) -> &'static str {
        match self {
            Compression::None => "plain",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }

    /// The compression of a stream from its first bytes.
    fn sniff(head: &[u8]) -> Compression {
        if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else {
            Compression::None
        }
    }

    /// The error kind for an I/O error met while reading `path` through this decompression.
    pub(super) fn read_error(self, path: &Path, e: io::Error) -> ReadErrorKind {
        match self {
            Compression::None => io_error_kind(path, e),
            // zstd's own words for a frame over `window_log_max`, pinned by a test.
            Compression::Zstd if e.to_string() == "Frame requires too much memory for decoding" => {
                ReadErrorKind::Io(io::Error::other(format!(
                    "a zstd frame asks for a window of more than {} MiB (written with --long=28 \
                     or more), refused to bound memory; pipe it in decompressed: \
                     zstd -dc --long=31 FILE | neardup ... -",
                    (1u64 << ZSTD_WINDOW_LOG_MAX) >> 20
                )))
            }
            _ => ReadErrorKind::Decompress {
                format: self.name(),
                source: e,
            },
        }
    }
}

/// Whether a file is JSON Lines, and how it is compressed, from its name.
pub(super) fn format_of(path: &Path) -> (bool, Compression) {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let (stem, compression) = if let Some(stem) = name.strip_suffix(".gz") {
        (stem, Compression::Gzip)
    } else if let Some(stem) = name.strip_suffix(".zst") {
        (stem, Compression::Zstd)
    } else {
        (name.as_str(), Compression::None)
    };
    let jsonl = stem.ends_with(".jsonl") || stem.ends_with(".ndjson");
    (jsonl, compression)
}

/// A byte stream, decompressed.
pub(super) type Stream = Box<dyn BufRead + Send>;

/// `inner` decompressed as `compression` says.
fn decompress<R: BufRead + Send + 'static>(
    inner: R,
    compression: Compression,
) -> io::Result<Stream> {
    Ok(match compression {
        Compression::None => Box::new(inner),
        Compression::Gzip => Box::new(BufReader::with_capacity(
            BUFFER,
            flate2::bufread::MultiGzDecoder::new(inner),
        )),
        Compression::Zstd => {
            let mut decoder = zstd::stream::read::Decoder::with_buffer(inner)?;
            // A frame's window is memory the decoder takes, and a frame says how large it is, up
            // to 2 GiB with `zstd --long=31`: bounded as `zstd -d` bounds it by default.
            decoder.window_log_max(ZSTD_WINDOW_LOG_MAX)?;
            Box::new(BufReader::with_capacity(BUFFER, decoder))
        }
    })
}

/// Standard input, decompressed if its first bytes say it is gzip or zstd.
pub(super) fn open_sniffed<R: Read + Send + 'static>(
    inner: R,
) -> io::Result<(Stream, Compression)> {
    let mut reader = BufReader::with_capacity(BUFFER, inner);
    // An error here comes back on the first read of the stream.
    let compression = reader
        .fill_buf()
        .map_or(Compression::None, Compression::sniff);
    Ok((decompress(reader, compression)?, compression))
}

/// How many bytes of whitespace a nameless stream may start with before it is taken for a plain
/// document without looking further.
const SNIFF_MAX: usize = BUFFER;

/// The stream `path` (not a regular file, see the module's doc), opened once: its bytes,
/// decompressed, whether it is JSON Lines and how it is compressed, from its name when it has an
/// extension, else from its first bytes.
pub(super) fn open_stream(path: &Path) -> Result<(Stream, bool, Compression), ReadErrorKind> {
    if path.extension().is_some() {
        let (jsonl, compression) = format_of(path);
        return Ok((open_file(path, compression)?, jsonl, compression));
    }
    let file = File::open(path).map_err(|e| io_error_kind(path, e))?;
    let (stream, compression) =
        open_sniffed(file).map_err(|e| Compression::None.read_error(path, e))?;
    let (stream, jsonl) = sniff_jsonl(stream).map_err(|e| compression.read_error(path, e))?;
    Ok((stream, jsonl, compression))
}

/// Whether `stream` holds JSON Lines: its first byte that is not JSON whitespace, past a UTF-8
/// byte-order mark, is `{` (a stream of nothing but whitespace, or of more than [`SNIFF_MAX`]
/// bytes of it, is not). The stream is handed back whole, the bytes looked at first.
fn sniff_jsonl(mut stream: Stream) -> io::Result<(Stream, bool)> {
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    let mut head = Vec::new();
    // Bytes of a byte-order mark at the very start (a slow pipe may give them one at a time).
    let mut bom = 0;
    let jsonl = loop {
        let buf = stream.fill_buf()?;
        if buf.is_empty() || head.len() >= SNIFF_MAX {
            break false;
        }
        let mut first = None;
        for (i, &b) in buf.iter().enumerate() {
            let at = head.len() + i;
            if at < BOM.len() && bom == at && b == BOM[at] {
                bom += 1;
            } else if bom > 0 && bom < BOM.len() {
                // A mark begun and broken: the stream starts with a byte that is not `{`.
                first = Some(BOM[0]);
                break;
            } else if !matches!(b, b' ' | b'\t' | b'\r' | b'\n') {
                first = Some(b);
                break;
            }
        }
        if let Some(first) = first {
            break first == b'{';
        }
        head.extend_from_slice(buf);
        let n = buf.len();
        stream.consume(n);
    };
    if head.is_empty() {
        return Ok((stream, jsonl));
    }
    Ok((Box::new(io::Cursor::new(head).chain(stream)), jsonl))
}

/// The file `path` opened and decompressed as `compression` says.
pub(super) fn open_file(path: &Path, compression: Compression) -> Result<Stream, ReadErrorKind> {
    let file = File::open(path).map_err(|e| io_error_kind(path, e))?;
    decompress(BufReader::with_capacity(BUFFER, file), compression)
        .map_err(|e| compression.read_error(path, e))
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::super::tests::{gz, zst};
    use super::*;

    #[test]
    fn stdin_compression_is_sniffed() {
        let text = b"{\"text\":\"t\"}\n";
        for (bytes, compression) in [
            (text.to_vec(), Compression::None),
            (gz(text), Compression::Gzip),
            (zst(text), Compression::Zstd),
        ] {
            let (mut stream, found) = open_sniffed(io::Cursor::new(bytes)).unwrap();
            assert_eq!(found, compression);
            let mut out = Vec::new();
            stream.read_to_end(&mut out).unwrap();
            assert_eq!(out, text);
        }
    }

    #[test]
    fn a_nameless_stream_is_json_lines_when_it_starts_with_a_brace() {
        // (bytes, JSON Lines); each read whole and one byte a read (a slow pipe), and the bytes
        // looked at come out with the rest.
        let cases: &[(&[u8], bool)] = &[
            (b"{\"text\":\"t\"}\n", true),
            (b" \r\n\n\t{\"text\":\"t\"}", true),
            (b"\xEF\xBB\xBF{\"text\":\"t\"}", true),
            (b"\xEF\xBB{\"text\":\"t\"}", false),
            (b"\xEF {}", false),
            (b"plain text {not json}", false),
            (b"\n\n  plain", false),
            (b"[1]", false),
            (b"   \n", false),
            (b"", false),
        ];
        for &(bytes, jsonl) in cases {
            for capacity in [BUFFER, 1] {
                let inner = BufReader::with_capacity(capacity, io::Cursor::new(bytes.to_vec()));
                let (mut stream, found) = sniff_jsonl(Box::new(inner)).unwrap();
                assert_eq!(found, jsonl, "{bytes:?}");
                let mut out = Vec::new();
                stream.read_to_end(&mut out).unwrap();
                assert_eq!(out, bytes);
            }
        }
        let spaces = vec![b' '; SNIFF_MAX + 10];
        let (_, found) = sniff_jsonl(Box::new(io::Cursor::new(spaces))).unwrap();
        assert!(!found, "a stream of blanks is not looked at without end");
    }

    #[cfg(unix)]
    #[test]
    fn a_stream_takes_its_format_from_its_name_else_from_its_bytes() {
        // A device stands for a FIFO here: neither can be sought, both are read once.
        let dir = tempfile::tempdir().unwrap();
        let named = dir.path().join("x.jsonl.gz");
        std::fs::write(&named, gz(b"plain")).unwrap();
        let (_, jsonl, compression) = open_stream(&named).unwrap();
        assert_eq!((jsonl, compression), (true, Compression::Gzip));
        let nameless = dir.path().join("x");
        std::fs::write(&nameless, gz(b"{\"text\":\"t\"}\n")).unwrap();
        let (mut stream, jsonl, compression) = open_stream(&nameless).unwrap();
        assert_eq!((jsonl, compression), (true, Compression::Gzip));
        let mut out = String::new();
        stream.read_to_string(&mut out).unwrap();
        assert_eq!(out, "{\"text\":\"t\"}\n");
        let (_, jsonl, _) = open_stream(Path::new("/dev/null")).unwrap();
        assert!(!jsonl);
    }

    /// A frame written with a window of 2^`log` bytes (`zstd --long=log`).
    fn zst_window(bytes: &[u8], log: u32) -> Vec<u8> {
        let mut e = zstd::stream::write::Encoder::new(Vec::new(), 3).unwrap();
        e.window_log(log).unwrap();
        e.long_distance_matching(true).unwrap();
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn a_zstd_window_past_128_mib_is_refused_by_name() {
        let text = b"{\"text\":\"t\"}\n";
        let read = |bytes: Vec<u8>| {
            let (mut stream, _) = open_sniffed(io::Cursor::new(bytes)).unwrap();
            let mut out = Vec::new();
            stream.read_to_end(&mut out).map(|_| out)
        };
        assert_eq!(read(zst_window(text, 27)).unwrap(), text);
        let e = read(zst_window(text, 28)).unwrap_err();
        let kind = Compression::Zstd.read_error(Path::new("x.jsonl.zst"), e);
        assert_eq!(
            kind.to_string(),
            "cannot read: a zstd frame asks for a window of more than 128 MiB (written with \
             --long=28 or more), refused to bound memory; pipe it in decompressed: zstd -dc \
             --long=31 FILE | neardup ... -"
        );
    }
}
