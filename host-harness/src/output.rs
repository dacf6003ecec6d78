//! Results on stdout, in one place: every line goes through [`outln!`](crate::outln), and
//! a pass's report and an import's progress bar are drawn here.
//!
//! Rust ignores SIGPIPE, so `println!` panics (exit 101)
//! when the reader has gone, as in `woo status | head -1`. Here a closed pipe
//! ends the process quietly with 0, as SIGPIPE ends other Unix tools; any
//! other failure to write is reported on stderr and ends it with 1.
//!
//! Restoring SIGPIPE's default action instead would do the same for stdout,
//! but would also kill `serve`, `worker` and `bench` on a peer's closed
//! socket or pipe, where an error is wanted.

use crate::runtime::ProgressFn;
use crate::wit::kind_name;
use crate::wit::sync::Report;
use serde_json::Value;
use std::io::{IsTerminal, Write};

/// Print one line of results on stdout, as `println!` does.
#[macro_export]
macro_rules! outln {
    () => {
        $crate::output::line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::output::line(format_args!($($arg)*))
    };
}

/// Write `args` and a newline to stdout.
pub fn line(args: std::fmt::Arguments<'_>) {
    let written = {
        let mut out = std::io::stdout().lock();
        out.write_fmt(args).and_then(|()| out.write_all(b"\n"))
    };
    checked(written);
}

/// The result of a write to stdout: a closed pipe ends the process with 0,
/// another error with 1.
pub fn checked<T>(written: std::io::Result<T>) -> T {
    match written {
        Ok(v) => v,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => {
            eprintln!("error: writing the results to stdout: {e}");
            std::process::exit(1)
        }
    }
}

/// A pass's report on stdout: one JSON object with `json` (`extra`'s fields
/// added), else a table per kind and a summary line.
pub fn print_report(r: &Report, elapsed: f64, json: bool, extra: Value) {
    if json {
        let kinds: Vec<Value> = r
            .kinds
            .iter()
            .map(|k| serde_json::json!({"kind": kind_name(k.kind), "records": k.records, "created": k.created, "updated": k.updated, "skipped": k.skipped, "malformed": k.malformed}))
            .collect();
        let mut v =
            serde_json::json!({"kinds": kinds, "requests": r.requests, "triggers": r.triggers, "seconds": elapsed});
        if let (Value::Object(m), Value::Object(e)) = (&mut v, extra) {
            m.extend(e);
        }
        crate::outln!("{v}");
        return;
    }
    crate::outln!(
        "{:<14} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "kind",
        "records",
        "created",
        "updated",
        "skipped",
        "malformed"
    );
    for k in &r.kinds {
        crate::outln!(
            "{:<14} {:>9} {:>9} {:>9} {:>9} {:>9}",
            kind_name(k.kind),
            k.records,
            k.created,
            k.updated,
            k.skipped,
            k.malformed
        );
    }
    let total: u64 = r.kinds.iter().map(|k| k.records).sum();
    crate::outln!(
        "{total} records, {} triggers, {} requests in {elapsed:.2}s ({:.0} records/s)",
        r.triggers,
        r.requests,
        total as f64 / elapsed.max(1e-9)
    );
}

/// An import's progress as a bar on stderr, redrawn in place, when stderr is
/// a terminal (nothing otherwise).
pub fn progress_bar() -> ProgressFn {
    let show = std::io::stderr().is_terminal();
    Box::new(move |kind, done, total| {
        if show {
            let bar = match (done.min(total) * 30).checked_div(total) {
                Some(filled) => {
                    let filled = filled as usize;
                    format!("[{}{}] {done}/{total}", "#".repeat(filled), " ".repeat(30 - filled))
                }
                None => format!("{done}"),
            };
            eprint!("\r\x1b[2Kimporting {kind:<12} {bar}");
            let _ = std::io::stderr().flush();
        }
    })
}

/// End the progress bar's line, if one was drawn.
pub fn end_progress() {
    if std::io::stderr().is_terminal() {
        eprintln!();
    }
}
