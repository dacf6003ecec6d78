//! `woo serve`: receive webhook deliveries and the wc-auth callback (see
//! [`crate::serve`]).

use super::app::App;
use anyhow::Result;
use std::time::Duration;

#[derive(clap::Args)]
pub(crate) struct Args {
    #[arg(long, default_value = "127.0.0.1:8088")]
    listen: std::net::SocketAddr,
    /// A request's headers must arrive within this (it also closes idle keep-alive connections).
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    header_timeout_ms: u64,
    /// A request's body must arrive within this.
    #[arg(long, default_value_t = 30_000, value_parser = clap::value_parser!(u64).range(1..))]
    body_timeout_ms: u64,
    /// Open connections at most (also kept under the open-file limit); at the cap the one idle longest is closed.
    #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u64).range(16..=1_000_000))]
    max_connections: u64,
    /// Request bodies buffered at once, all requests together, in MiB; beyond it a request is answered 503.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(8..=65_536))]
    max_buffered_mib: u64,
    /// On SIGTERM or ctrl-c, how long requests in flight may take to finish.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(0..=600_000))]
    grace_ms: u64,
}

pub(crate) async fn run(app: &App, args: Args) -> Result<()> {
    // Refuse to start on a damaged database or an unusable credential key.
    drop(app.storage()?);
    let ms = Duration::from_millis;
    let limits = crate::serve::Limits {
        header_timeout: ms(args.header_timeout_ms),
        body_timeout: ms(args.body_timeout_ms),
        max_connections: usize::try_from(args.max_connections).unwrap_or(usize::MAX),
        max_buffered_bytes: usize::try_from(args.max_buffered_mib * 1024 * 1024).unwrap_or(usize::MAX),
        grace: ms(args.grace_ms),
        ..crate::serve::Limits::default()
    };
    crate::serve::run(app.runtime.clone(), app.db_path(), args.listen, app.ca_cert.clone(), limits).await
}
