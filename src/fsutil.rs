//! Files written whole or not at all: a temporary file beside the final path, written, made
//! durable where the caller asks, and renamed into place; removed when anything fails, so that a
//! failed run never leaves a file that looks finished (or a half index).
//!
//! In: the final path and how to name the temporary file. Out: an [`AtomicFile`] to write
//! through, whose [`AtomicFile::rename`] puts it in place; for several files committed together
//! (the outputs of a dedup run), a [`Staged`] set, renamed only once every one is complete; or,
//! for one file written in one go, [`write_atomically`]. Errors are plain [`io::Error`]s, each
//! step's apart, so that every caller names the path it always named (the final path, or the
//! temporary one) in its own error type.
//!
//! What is not a regular file is written directly, never replaced: `-` is standard output, and
//! an existing character device or FIFO is opened and written (see [`write_atomically`]). Such an
//! output cannot be taken back: its reader has what was written when a later step fails.

use std::fs::File;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// What makes two paths one file: the device and inode of an existing file (links followed), or,
/// for a file not there yet, its directory's canonical path and its name. Two paths spelled
/// differently (`./a`, `../d/a`, a link) give the same key when they are the same file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum FileKey {
    /// An existing file.
    Inode(u64, u64),
    /// A file to be made: its canonical directory and its name.
    Path(PathBuf),
}

impl FileKey {
    /// The key of `path`; `None` when neither it nor its directory can be looked at (writing to
    /// it then fails with its own error), and for a character device such as `/dev/null`, which
    /// writing never replaces and which any number of outputs may share.
    pub(crate) fn of(path: &Path) -> Option<FileKey> {
        if let Ok(meta) = std::fs::metadata(path) {
            if is_char_device(&meta) {
                return None;
            }
            return Some(FileKey::existing(path, &meta));
        }
        let name = path.file_name()?;
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        Some(FileKey::Path(std::fs::canonicalize(dir).ok()?.join(name)))
    }

    #[cfg(unix)]
    fn existing(_: &Path, meta: &std::fs::Metadata) -> FileKey {
        use std::os::unix::fs::MetadataExt;
        FileKey::Inode(meta.dev(), meta.ino())
    }

    #[cfg(not(unix))]
    fn existing(path: &Path, _: &std::fs::Metadata) -> FileKey {
        FileKey::Path(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
    }
}

#[cfg(unix)]
fn is_char_device(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    meta.file_type().is_char_device()
}

#[cfg(not(unix))]
fn is_char_device(_: &std::fs::Metadata) -> bool {
    false
}

/// The write buffer of an output.
const BUFFER: usize = 1 << 20;

/// How the temporary file beside a path is named (the index's sweep recognises its own).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TempName {
    /// `.{name}.neardup-{pid}.tmp`: the outputs of a run (pairs, clusters, kept, HTML).
    Output,
    /// `.{name}.tmp-{pid}`: the files of an index (segments, the manifest).
    Index,
}

impl TempName {
    /// The temporary path beside `path`.
    pub(crate) fn beside(self, path: &Path) -> PathBuf {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let pid = std::process::id();
        path.with_file_name(match self {
            TempName::Output => format!(".{name}.neardup-{pid}.tmp"),
            TempName::Index => format!(".{name}.tmp-{pid}"),
        })
    }
}

/// A file being written under a temporary name beside its final path. Dropped before
/// [`AtomicFile::rename`] succeeds, it removes the temporary file.
#[derive(Debug)]
pub(crate) struct AtomicFile {
    path: PathBuf,
    tmp: PathBuf,
    out: BufWriter<File>,
    renamed: bool,
}

impl AtomicFile {
    /// Creates the temporary file for `path`, written through a buffer of 1 MiB.
    pub(crate) fn create(path: &Path, naming: TempName) -> io::Result<Self> {
        let tmp = naming.beside(path);
        let file = File::create(&tmp)?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            tmp,
            out: BufWriter::with_capacity(BUFFER, file),
            renamed: false,
        })
    }

    /// The buffered writer of the temporary file.
    pub(crate) fn writer(&mut self) -> &mut BufWriter<File> {
        &mut self.out
    }

    /// Writes out the buffer and forces the file to disk.
    pub(crate) fn sync(&mut self) -> io::Result<()> {
        self.out.flush()?;
        self.out.get_ref().sync_all()
    }

    /// Writes out the buffer and renames the file into place. The directory entry is made
    /// durable by the caller where it needs that.
    pub(crate) fn rename(&mut self) -> io::Result<()> {
        self.out.flush()?;
        std::fs::rename(&self.tmp, &self.path)?;
        self.renamed = true;
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.out.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

impl Seek for AtomicFile {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.out.seek(pos)
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.renamed {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Files written together and committed together: each regular file under its temporary name
/// ([`AtomicFile`]), each direct output ([`write_atomically`] says which) as it is. Nothing is
/// renamed before [`Staged::commit`], which the caller calls only once every file is complete;
/// dropped before that, the set removes every temporary file, so that a run that fails while
/// writing any of its outputs leaves none of them.
#[derive(Debug)]
pub(crate) struct Staged {
    naming: TempName,
    files: Vec<Target>,
}

/// Where one file of a [`Staged`] set is written.
#[derive(Debug)]
enum Target {
    /// A regular file (or one not there yet), under its temporary name.
    Temp(AtomicFile),
    /// Standard output, a character device or a FIFO, written as it is.
    Direct(BufWriter<File>),
    /// A direct output given up ([`Staged::abandon`]).
    Abandoned,
}

impl Staged {
    /// An empty set, its temporary files named by `naming`.
    pub(crate) fn new(naming: TempName) -> Self {
        Staged {
            naming,
            files: Vec::new(),
        }
    }

    /// Opens `path` for writing: creates its temporary file, or opens it when it is written
    /// directly. Its number in the set. A path that is a directory is refused here, so that the
    /// rename of [`Staged::commit`] cannot fail on it after other files were renamed.
    pub(crate) fn open(&mut self, path: &Path) -> io::Result<usize> {
        let target = match open_direct(path)? {
            Some(direct) => Target::Direct(BufWriter::with_capacity(BUFFER, direct)),
            None => {
                if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
                    return Err(io::ErrorKind::IsADirectory.into());
                }
                Target::Temp(AtomicFile::create(path, self.naming)?)
            }
        };
        self.files.push(target);
        Ok(self.files.len() - 1)
    }

    /// True when file `k` is written directly: what it is given cannot be taken back.
    pub(crate) fn is_direct(&self, k: usize) -> bool {
        !matches!(self.files[k], Target::Temp(_))
    }

    /// Gives up direct output `k` (its reader has gone: a broken pipe): what its buffer still
    /// holds is dropped, never written, and the commit goes on without it.
    pub(crate) fn abandon(&mut self, k: usize) {
        if let Target::Direct(w) = std::mem::replace(&mut self.files[k], Target::Abandoned) {
            let _ = w.into_parts();
        }
    }

    /// The buffered writer of file `k`.
    pub(crate) fn writer(&mut self, k: usize) -> &mut BufWriter<File> {
        match &mut self.files[k] {
            Target::Temp(file) => file.writer(),
            Target::Direct(w) => w,
            Target::Abandoned => panic!("output {k} was given up"),
        }
    }

    /// Writes out the buffer of file `k`: the last write errors (a full disk, a file-size limit)
    /// come out here at the latest.
    pub(crate) fn flush(&mut self, k: usize) -> io::Result<()> {
        self.writer(k).flush()
    }

    /// Renames every temporary file into place, in the order opened; on the first failure, its
    /// number and why, the files after it removed (the ones before it are in place by then: a
    /// rename fails only when the directory changes under the run, the path's being a directory
    /// having been refused by [`Staged::open`]).
    pub(crate) fn commit(self) -> Result<(), (usize, io::Error)> {
        for (k, mut target) in self.files.into_iter().enumerate() {
            let done = match &mut target {
                Target::Temp(file) => file.rename(),
                Target::Direct(w) => w.flush(),
                Target::Abandoned => Ok(()),
            };
            done.map_err(|e| (k, e))?;
        }
        Ok(())
    }
}

/// Writes `path` through an [`AtomicFile`] named by `naming`: `write` fills it, and it is renamed
/// into place only when `write` succeeds. No fsync: the rename already keeps a failed run from
/// leaving a complete-looking file, and forcing gigabytes of output to disk would double a run's
/// time. `fail` turns an error of creating, writing out or renaming the file into the caller's.
///
/// What is not a regular file is written directly, never replaced: `-` is standard output, and
/// an existing character device or FIFO (`/dev/null`, `<(...)`'s other end) is opened and
/// written (Unix). A temporary file and a rename there would put a regular file in place of the
/// device, or leave the reader of the FIFO waiting.
pub(crate) fn write_atomically<E>(
    path: &Path,
    naming: TempName,
    write: impl FnOnce(&mut BufWriter<File>) -> Result<(), E>,
    fail: impl Fn(io::Error) -> E,
) -> Result<(), E> {
    let mut staged = Staged::new(naming);
    let k = staged.open(path).map_err(&fail)?;
    write(staged.writer(k))?;
    staged.flush(k).map_err(&fail)?;
    staged.commit().map_err(|(_, e)| fail(e))
}

/// The file to write `path` directly, when it is not a regular file (see [`write_atomically`]).
#[cfg(unix)]
fn open_direct(path: &Path) -> io::Result<Option<File>> {
    use std::os::fd::AsFd;
    use std::os::unix::fs::FileTypeExt;
    if path.as_os_str() == "-" {
        // A duplicate of standard output, so that it is written like any file.
        return Ok(Some(File::from(io::stdout().as_fd().try_clone_to_owned()?)));
    }
    match std::fs::metadata(path) {
        Ok(m) if is_char_device(&m) || m.file_type().is_fifo() => {
            std::fs::OpenOptions::new().write(true).open(path).map(Some)
        }
        _ => Ok(None),
    }
}

/// Elsewhere every output is a file written beside its path and renamed.
#[cfg(not(unix))]
fn open_direct(_: &Path) -> io::Result<Option<File>> {
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_in_place_only_once_written_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        let write = |text: &'static str, ok: bool| {
            write_atomically(
                &path,
                TempName::Output,
                |w| {
                    w.write_all(text.as_bytes())?;
                    if ok {
                        Ok(())
                    } else {
                        Err(io::Error::other("failed"))
                    }
                },
                |e| e,
            )
        };
        write("first", true).unwrap();
        assert!(write("second", false).is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "first");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "the temporary file is removed");
        let tmp = TempName::Index.beside(&path);
        assert_eq!(
            tmp,
            dir.path()
                .join(format!(".out.jsonl.tmp-{}", std::process::id()))
        );
        let mut f = AtomicFile::create(&path, TempName::Index).unwrap();
        assert!(tmp.exists());
        f.write_all(b"abc").unwrap();
        f.seek(SeekFrom::Start(0)).unwrap();
        f.write_all(b"x").unwrap();
        f.sync().unwrap();
        f.rename().unwrap();
        drop(f);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "xbc");
    }

    #[test]
    fn a_staged_set_is_renamed_together_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::write(&a, "old a").unwrap();
        let entries = || std::fs::read_dir(dir.path()).unwrap().count();
        // Both written, then dropped before the commit: nothing changes, no temporary file.
        let mut staged = Staged::new(TempName::Output);
        for (path, text) in [(&a, "new a"), (&b, "new b")] {
            let k = staged.open(path).unwrap();
            staged.writer(k).write_all(text.as_bytes()).unwrap();
            assert!(!staged.is_direct(k));
        }
        assert_eq!(entries(), 3, "a and the two temporary files");
        drop(staged);
        assert_eq!(entries(), 1);
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "old a");
        // A directory is refused when opened; a missing directory fails there too.
        let mut staged = Staged::new(TempName::Output);
        staged.open(&a).unwrap();
        let err = staged.open(dir.path()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::IsADirectory);
        assert!(staged.open(&dir.path().join("none/c")).is_err());
        drop(staged);
        assert_eq!(entries(), 1);
        // Committed: both in place.
        let mut staged = Staged::new(TempName::Output);
        for (path, text) in [(&a, "new a"), (&b, "new b")] {
            let k = staged.open(path).unwrap();
            staged.writer(k).write_all(text.as_bytes()).unwrap();
        }
        staged.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "new a");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "new b");
        assert_eq!(entries(), 2);
    }
}
