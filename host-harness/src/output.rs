//! Results on stdout. Rust ignores SIGPIPE, so `println!` panics (exit 101)
//! when the reader has gone, as in `woo status | head -1`. Here a closed pipe
//! ends the process quietly with 0, as SIGPIPE ends other Unix tools; any
//! other failure to write is reported on stderr and ends it with 1.
//!
//! Restoring SIGPIPE's default action instead would do the same for stdout,
//! but would also kill `serve`, `worker` and `bench` on a peer's closed
//! socket or pipe, where an error is wanted.

use std::io::Write;

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
