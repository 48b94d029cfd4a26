//! The `neardup` command: a thin client of the library. It parses arguments ([`cli`]), builds
//! library objects, and prints, one module per command group; exit codes are 0 (done; for
//! `check`, nothing matched), 1 (`check`: a document matched a source), 2 (an error: bad input or
//! arguments). A broken pipe (output piped into `head`) ends the command quietly, as success: the
//! reader has what it wanted, and the first failed write stops the command, so there is one
//! error, not one per line, and it is not printed (for `dedup`, an output on standard output
//! whose reader has gone is given up and the files are still committed). Any other error of
//! standard output (a full disk) is an error like any other: one line, exit 2.

mod check;
mod cli;
mod compare;
mod dedup;
mod index;
mod progress;
mod synth;

use neardup::report::terminal::escape_controls;
use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command, IndexCommand};

fn main() -> ExitCode {
    catch_file_size_limit();
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Compare(args) => compare::compare(args),
        Command::Dedup(args) => dedup::dedup(args),
        Command::Synth(args) => synth::synth(args),
        Command::Index(IndexCommand::Build(args)) => index::build(args),
        Command::Index(IndexCommand::Add(args)) => index::add(args),
        Command::Index(IndexCommand::Stats(args)) => index::stats(args),
        Command::Check(args) => match check::check(args) {
            Ok(true) => return ExitCode::from(1),
            Ok(false) => Ok(()),
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let message = error_chain(&e);
            let _ = writeln!(
                io::stderr(),
                "neardup: error: {}",
                escape_controls(&message)
            );
            ExitCode::from(2)
        }
    }
}

/// An error and its causes, joined by `: `, each cause once: one whose text its parent already
/// ends with (a library error that shows its source as well as returning it) is not repeated.
fn error_chain(e: &anyhow::Error) -> String {
    let mut message = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if message.ends_with(&text) {
            continue;
        }
        if !message.is_empty() {
            message.push_str(": ");
        }
        message.push_str(&text);
    }
    message
}

/// Standard output, buffered, for a command's report: its errors name it (`standard output: No
/// space left on device`), keeping their kind, so that a broken pipe is still known as one. A
/// command flushes it and returns the error; dropping it unflushed would lose one.
pub(crate) struct Stdout(io::BufWriter<io::StdoutLock<'static>>);

impl Stdout {
    pub(crate) fn new() -> Self {
        Stdout(io::BufWriter::new(io::stdout().lock()))
    }
}

/// An error of standard output, named.
fn named(e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("standard output: {e}"))
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf).map_err(named)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.0.write_all(buf).map_err(named)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush().map_err(named)
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Makes a write past the file-size limit (`ulimit -f`, RLIMIT_FSIZE) fail with EFBIG instead of
/// killing the process: the kernel sends SIGXFSZ, whose default action ends the process with no
/// message and leaves the temporary file of an output behind; with the signal caught, the write
/// returns the error, and the command ends as on any write error (one line naming the file, exit
/// 2, no temporary file left). The handler only sets a flag nobody reads: the error is what tells.
#[cfg(unix)]
fn catch_file_size_limit() {
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;
    // Registering fails only for the signals the crate forbids (SIGKILL, SIGSTOP, ...).
    let _ = signal_hook::flag::register(
        signal_hook::consts::SIGXFSZ,
        Arc::new(AtomicBool::new(false)),
    );
}

/// Elsewhere there is no such signal.
#[cfg(not(unix))]
fn catch_file_size_limit() {}
