//! The walk over a corpus's inputs: the paths of a [`CorpusSpec`](super::CorpusSpec) in, the files
//! to read out, one at a time and in a fixed order ([`Walk::next`]).
//!
//! An input is standard input (`-`), a regular file, a stream (any other file named as an input:
//! a FIFO, a process substitution's `/dev/fd/N`, a character device; read once, as standard input
//! is, so `<(zcat x.gz)` works) or a directory, walked recursively with each directory's entries in byte order of their names, so
//! that the same run gives the same order. Entries whose name starts with `.` are skipped; links
//! are followed to files only, so a walk never loops; FIFOs, sockets and devices found in a
//! directory are skipped. The walk only finds files: opening and reading them is the reader's
//! business, so that what a file holds and where it was found stay apart. It keeps a stack of
//! what remains rather than recursing, so a deep tree costs a vector, not the call stack.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::error::io_error_kind;
use super::{Origin, ReadError};

/// True for the input `-`, standard input.
pub(super) fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Something still to look at in the current input.
#[derive(Debug)]
enum Pending {
    /// An input as given: a file, a directory or `-`, to be looked at.
    Input(PathBuf),
    /// A directory to walk.
    Dir(PathBuf),
    /// A file to read.
    File(PathBuf),
}

/// A file the walk found, to be read.
pub(super) enum Found {
    /// Standard input (the input `-`).
    Stdin(PathBuf),
    /// A regular file: named as an input, or found in a directory.
    File(PathBuf),
    /// A file named as an input that is not a regular file (a FIFO, `/dev/fd/N`, a device): it
    /// can be read only once, from start to end.
    Stream(PathBuf),
}

/// True when `path` is an input that can be read only once: standard input, or a file that is
/// neither a regular file nor a directory (links followed). A missing path is not.
fn is_stream(path: &Path) -> bool {
    is_stdin(path) || fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// True when some of `inputs` can be read only once (standard input, a FIFO, a process
/// substitution): a run must then keep what it needs of their documents as it reads them, and
/// [`reread`](super::reread) refuses them. Looks only: nothing is opened.
pub(crate) fn reads_once(inputs: &[PathBuf]) -> bool {
    inputs.iter().any(|p| is_stream(p))
}

/// The first of `inputs` that can be read only once, if any (see [`reads_once`]).
pub(super) fn first_stream(inputs: &[PathBuf]) -> Option<&PathBuf> {
    inputs.iter().find(|p| is_stream(p))
}

/// A walk over the inputs of a spec, in order.
#[derive(Debug, Default)]
pub(super) struct Walk {
    /// The next input to start.
    next_input: usize,
    /// The input being walked.
    input: usize,
    /// What remains of the current input, the next item last.
    pending: Vec<Pending>,
}

/// A directory or input that cannot be looked at, and where it is.
type Failed = (ReadError, Origin);

impl Walk {
    /// The index, in the spec's inputs, of the input being walked.
    pub(super) fn input(&self) -> usize {
        self.input
    }

    /// The next file to read, in order: the next of `inputs` (the spec's, the same on every call)
    /// or the next file found in it; or an input or directory that cannot be looked at, after
    /// which the walk can go on; or `None` when every input has been walked.
    #[allow(clippy::result_large_err)] // errors are rare: a cold path
    pub(super) fn next(&mut self, inputs: &[PathBuf]) -> Option<Result<Found, Failed>> {
        loop {
            let item = match self.pending.pop() {
                Some(item) => item,
                None if self.next_input < inputs.len() => {
                    self.input = self.next_input;
                    self.next_input += 1;
                    Pending::Input(inputs[self.input].clone())
                }
                None => return None,
            };
            let looked = match item {
                Pending::Input(path) => self.look_at(path),
                Pending::Dir(path) => self.list(path).map(|()| None),
                Pending::File(path) => Ok(Some(Found::File(path))),
            };
            match looked {
                Ok(Some(found)) => return Some(Ok(found)),
                Ok(None) => {}
                Err(failed) => return Some(Err(failed)),
            }
        }
    }

    /// Forgets what remains of the current input (the run has stopped).
    pub(super) fn stop(&mut self) {
        self.pending.clear();
    }

    /// An input as given: standard input, a regular file or a stream, found; a directory, queued
    /// to be listed.
    #[allow(clippy::result_large_err)] // errors are rare: a cold path
    fn look_at(&mut self, path: PathBuf) -> Result<Option<Found>, Failed> {
        if is_stdin(&path) {
            return Ok(Some(Found::Stdin(path)));
        }
        match fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => {
                self.pending.push(Pending::Dir(path));
                Ok(None)
            }
            Ok(meta) if meta.is_file() => Ok(Some(Found::File(path))),
            Ok(_) => Ok(Some(Found::Stream(path))),
            Err(e) => {
                let error = ReadError::new(&path, io_error_kind(&path, e));
                Err((error, Origin::file(self.input, &path)))
            }
        }
    }

    /// Queues the entries of a directory, in order, skipping hidden ones, links to directories and
    /// special files.
    #[allow(clippy::result_large_err)] // errors are rare: a cold path
    fn list(&mut self, dir: PathBuf) -> Result<(), Failed> {
        let fail = |e: io::Error| {
            let error = ReadError::new(&dir, io_error_kind(&dir, e));
            (error, Origin::file(self.input, &dir))
        };
        let mut entries = Vec::new();
        for entry in fs::read_dir(&dir).map_err(fail)? {
            let entry = entry.map_err(fail)?;
            let name = entry.file_name();
            if name.as_encoded_bytes().starts_with(b".") {
                continue;
            }
            let path = entry.path();
            let file_type = entry.file_type().map_err(fail)?;
            let item = if file_type.is_dir() {
                Pending::Dir(path)
            } else if file_type.is_file() {
                Pending::File(path)
            } else if file_type.is_symlink() {
                match fs::metadata(&path) {
                    Ok(meta) if meta.is_file() => Pending::File(path),
                    Ok(_) => continue,
                    // Broken: reported when it is opened.
                    Err(_) => Pending::File(path),
                }
            } else {
                continue;
            };
            entries.push((name, item));
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        self.pending
            .extend(entries.into_iter().rev().map(|(_, item)| item));
        Ok(())
    }
}

/// The files the inputs name or hold, in reading order (streams too: a FIFO can be an output),
/// standard input left out; inputs and
/// directories that cannot be looked at are left out too (reading them reports them). Only
/// looks: nothing is opened. For a run to refuse, before it starts, an output that would replace
/// one of its inputs.
pub(crate) fn input_files(inputs: &[PathBuf]) -> Vec<PathBuf> {
    let mut walk = Walk::default();
    let mut files = Vec::new();
    while let Some(found) = walk.next(inputs) {
        if let Ok(Found::File(path) | Found::Stream(path)) = found {
            files.push(path);
        }
    }
    files
}

#[cfg(test)]
mod tests {
    use super::super::tests::{at, collect, spec_in, write_tree, Enc};
    use super::*;

    #[cfg(unix)]
    #[test]
    fn streams_are_told_from_files_without_opening_them() {
        let dir = tempfile::tempdir().unwrap();
        write_tree(dir.path(), &[("a.jsonl", Enc::Plain, b"{}")]);
        let file = dir.path().join("a.jsonl");
        let dev = PathBuf::from("/dev/null");
        // (inputs, read once)
        let cases: &[(&[&Path], bool)] = &[
            (&[&file, dir.path()], false),
            (&[Path::new("-")], true),
            (&[&file, &dev], true),
            (&[Path::new("/no/such/file")], false),
        ];
        for &(inputs, once) in cases {
            let inputs: Vec<PathBuf> = inputs.iter().map(|p| p.to_path_buf()).collect();
            assert_eq!(reads_once(&inputs), once, "{inputs:?}");
        }
        let mut walk = Walk::default();
        let found = walk.next(&[dev.clone(), file.clone()]);
        assert!(matches!(found, Some(Ok(Found::Stream(p))) if p == dev));
        let found = walk.next(&[dev.clone(), file.clone()]);
        assert!(matches!(found, Some(Ok(Found::File(p))) if p == file));
        // Read once: reading again is refused, not silently empty.
        let spec = crate::document::CorpusSpec {
            inputs: vec![file, dev],
            ..Default::default()
        };
        let err = crate::document::reread(&spec, &[0], |_| {}).unwrap_err();
        assert!(matches!(err.kind, crate::document::ReadErrorKind::ReadOnce));
        assert!(err.to_string().starts_with("/dev/null: a stream"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_to_files_are_followed_to_directories_not() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        write_tree(
            dir.path(),
            &[
                ("t/a.txt", Enc::Plain, b"a"),
                ("elsewhere.txt", Enc::Plain, b"e"),
            ],
        );
        symlink(dir.path().join("t"), dir.path().join("t/loop")).unwrap();
        symlink(
            dir.path().join("elsewhere.txt"),
            dir.path().join("t/link.txt"),
        )
        .unwrap();
        let (docs, _) = collect(&spec_in(dir.path(), &["t"])).unwrap();
        let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
        assert_eq!(texts, ["a", "e"]);
        assert_eq!(docs[1].id, at(dir.path(), "{d}/t/link.txt"));
    }
}
