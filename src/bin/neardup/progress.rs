//! Progress on standard error for the long commands: an indicatif bar fed by the library's
//! `Progress` stages and counts, and with `--timings` the time of each stage (wall and CPU).

/// Progress on standard error: an indicatif bar, and the time of each stage.
pub(crate) struct Bar {
    bar: Option<indicatif::ProgressBar>,
    timings: Option<std::sync::Mutex<Lap>>,
}

/// A stage under way: its name, and when it started on the wall clock and in CPU time.
struct Lap {
    stage: String,
    wall: std::time::Instant,
    cpu: f64,
}

impl Lap {
    fn start(stage: String) -> Lap {
        Lap {
            stage,
            wall: std::time::Instant::now(),
            cpu: process_cpu_seconds(),
        }
    }
}

/// The CPU time of the whole process so far (every thread, user and system), in seconds: with
/// the wall time, how well a stage uses the cores.
fn process_cpu_seconds() -> f64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
}

impl Bar {
    /// A bar when `show`, stage times when `timings`.
    pub(crate) fn new(show: bool, timings: bool) -> Self {
        let target = indicatif::ProgressDrawTarget::stderr;
        Bar {
            bar: show.then(|| indicatif::ProgressBar::with_draw_target(None, target())),
            timings: timings.then(|| std::sync::Mutex::new(Lap::start(String::new()))),
        }
    }

    /// Ends the stage under way (printing its time) and starts `next`.
    fn lap(&self, next: &str) {
        let Some(t) = &self.timings else {
            return;
        };
        let mut t = t.lock().expect("not poisoned");
        if !t.stage.is_empty() {
            let line = format!(
                "{:>28}: {:.3} s ({:.3} s CPU)",
                t.stage,
                t.wall.elapsed().as_secs_f64(),
                process_cpu_seconds() - t.cpu
            );
            match &self.bar {
                Some(bar) => bar.println(line),
                None => eprintln!("{line}"),
            }
        }
        *t = Lap::start(next.to_string());
    }

    /// Ends the last stage and clears the bar.
    pub(crate) fn finish(&self) {
        self.lap("");
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl neardup::progress::Progress for Bar {
    fn stage(&self, name: &str, total: Option<u64>) {
        self.lap(name);
        let Some(bar) = &self.bar else {
            return;
        };
        let style = match total {
            Some(total) => {
                bar.set_length(total);
                indicatif::ProgressStyle::with_template(
                    "{msg:>28} [{bar:30}] {pos}/{len} ({per_sec}, {eta})",
                )
            }
            None => {
                bar.unset_length();
                indicatif::ProgressStyle::with_template("{msg:>28} {spinner} {pos} ({per_sec})")
            }
        };
        bar.set_style(style.expect("a valid template").progress_chars("=> "));
        bar.set_position(0);
        bar.set_message(name.to_string());
    }

    fn advance(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }
}
