//! `woo worker`: one of any number of stateless workers sharing the
//! connections of one database. A worker claims a due connection with a
//! lease, runs its first import (if it was deferred or cut short) or an
//! incremental sync pass, records when it is next due and releases the lease.
//! While a pass runs the lease is renewed; a pass whose lease is lost stops,
//! and its commits are fenced so it cannot write after losing it. A worker
//! that dies simply stops renewing: after the expiry another worker takes the
//! connection and the component resumes from its checkpoints.

use crate::runtime::Runtime;
use crate::session::{self, HOST_BUCKET};
use crate::storage::{self, Lease, Storage};
use crate::wit::types::Kind;
use crate::wit::{kind_from_name, kind_name, sync};
use anyhow::{Result, anyhow};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Where a deferred (or cut) first import waits for a worker: the kinds, as
/// a comma list.
pub const IMPORT_PENDING_KEY: &str = "import_pending";

/// How a worker runs.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// The database (a PostgreSQL URL for a fleet; a SQLite path works on one machine).
    pub db: String,
    /// This worker's name in leases and the lease log.
    pub name: String,
    /// Stop once no connection that was due at start is left.
    pub once: bool,
    /// Connections synced at the same time.
    pub concurrency: usize,
    /// How long a lease lasts unless renewed.
    pub lease: Duration,
    /// Time between two passes of one connection.
    pub interval: Duration,
    /// How long to wait before looking for due work again when there is none.
    pub idle_poll: Duration,
    /// An extra CA to trust (saved per connection for later runs).
    pub ca_cert: Option<PathBuf>,
}

/// What a worker did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Summary {
    /// Passes (imports included) that completed.
    pub passes: u64,
    /// Of them, first imports.
    pub imports: u64,
    /// Passes that failed.
    pub failed: u64,
    /// Passes stopped because their lease was lost.
    pub lost_leases: u64,
    /// Records handed to the platform.
    pub records: u64,
    /// Requests sent to the stores.
    pub requests: u64,
}

/// A default worker name: host and process id.
pub fn default_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "host".into());
    format!("{host}-{}", std::process::id())
}

/// Leave the first import of `kinds` to the workers and make the connection due.
pub fn defer_import(storage: &mut dyn Storage, connection: &str, kinds: &[Kind]) -> Result<()> {
    let list: Vec<&str> = kinds.iter().map(|k| kind_name(*k)).collect();
    storage.kv_set(connection, HOST_BUCKET, IMPORT_PENDING_KEY, list.join(",").as_bytes())?;
    storage.schedule(connection, true)
}

/// Whether the first import of `connection` is left to a worker.
pub fn import_pending(storage: &mut dyn Storage, connection: &str) -> Result<bool> {
    Ok(storage.kv_get(connection, HOST_BUCKET, IMPORT_PENDING_KEY)?.is_some())
}

/// Run until `stop` turns true (or, with `once`, until nothing is due).
pub async fn run(runtime: Runtime, opts: WorkerOptions, mut stop: watch::Receiver<bool>) -> Result<Summary> {
    let mut control = storage::open(&opts.db)?;
    let cutoff = if opts.once { Some(control.now_ms()?) } else { None };
    let mut summary = Summary::default();
    let mut running: tokio::task::JoinSet<Outcome> = tokio::task::JoinSet::new();
    eprintln!(
        "woo worker {}: started on {} ({} at a time, lease {}s)",
        opts.name,
        storage::display_name(&opts.db),
        opts.concurrency,
        opts.lease.as_secs_f64()
    );
    loop {
        if *stop.borrow() {
            break;
        }
        while running.len() < opts.concurrency.max(1) {
            match control.claim(&opts.name, cutoff, opts.lease)? {
                Some(lease) => {
                    eprintln!("woo worker {}: claimed {}", opts.name, lease.connection);
                    running.spawn(pass(runtime.clone(), opts.clone(), lease, stop.clone()));
                }
                None => break,
            }
        }
        if running.is_empty() && cutoff.is_some_and(|c| control.due_count(c).map(|n| n == 0).unwrap_or(false)) {
            break;
        }
        tokio::select! {
            Some(done) = running.join_next(), if !running.is_empty() => tally(&mut summary, done),
            _ = tokio::time::sleep(opts.idle_poll) => {}
            _ = stop.changed() => {}
        }
    }
    // Stopping: each pass drops its work at the next await (its last page is
    // committed, the rest is redone from the checkpoint) and releases its lease.
    while let Some(done) = running.join_next().await {
        tally(&mut summary, done);
    }
    eprintln!(
        "woo worker {}: stopped after {} passes ({} imports, {} failed, {} leases lost)",
        opts.name, summary.passes, summary.imports, summary.failed, summary.lost_leases
    );
    Ok(summary)
}

enum Outcome {
    Done { import: bool, records: u64, requests: u64 },
    Failed,
    Lost,
    Stopped,
}

fn tally(summary: &mut Summary, done: std::result::Result<Outcome, tokio::task::JoinError>) {
    match done {
        Ok(Outcome::Done { import, records, requests }) => {
            summary.passes += 1;
            summary.imports += u64::from(import);
            summary.records += records;
            summary.requests += requests;
        }
        Ok(Outcome::Failed) | Err(_) => summary.failed += 1,
        Ok(Outcome::Lost) => summary.lost_leases += 1,
        Ok(Outcome::Stopped) => {}
    }
}

/// One connection's pass under `lease`, with the lease renewed every third
/// of its length.
async fn pass(runtime: Runtime, opts: WorkerOptions, lease: Lease, mut stop: watch::Receiver<bool>) -> Outcome {
    let who = format!("woo worker {}: {}", opts.name, lease.connection);
    let mut beat = match storage::open(&opts.db) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{who}: {e:#}");
            return Outcome::Failed;
        }
    };
    let started = Instant::now();
    let work = work(&runtime, &opts, &lease);
    tokio::pin!(work);
    let mut tick = tokio::time::interval(opts.lease / 3);
    tick.tick().await;
    let result = loop {
        tokio::select! {
            r = &mut work => break Some(r),
            _ = tick.tick() => match beat.renew(&lease, opts.lease) {
                Ok(true) => {}
                Ok(false) => {
                    eprintln!("{who}: lease lost; stopping this pass");
                    return Outcome::Lost;
                }
                Err(e) => eprintln!("{who}: renewing the lease failed: {e:#}"),
            },
            _ = stop.changed() => break None,
        }
    };
    let (next, error, outcome) = match result {
        Some(Ok((import, report))) => {
            let records: u64 = report.kinds.iter().map(|k| k.records).sum();
            eprintln!(
                "{who}: {} {records} records, {} requests, {} triggers in {:.2}s",
                if import { "imported" } else { "synced" },
                report.requests,
                report.triggers,
                started.elapsed().as_secs_f64()
            );
            (Some(opts.interval), None, Outcome::Done { import, records, requests: report.requests })
        }
        Some(Err(e)) if format!("{e:#}").contains(storage::LEASE_LOST) => {
            eprintln!("{who}: lease lost; its commits were refused");
            return Outcome::Lost;
        }
        Some(Err(e)) => {
            let message = format!("{e:#}");
            eprintln!("{who}: pass failed: {message}");
            (Some(opts.interval), Some(message), Outcome::Failed)
        }
        None => {
            eprintln!("{who}: stopped mid-pass; the next worker resumes from the last checkpoint");
            (None, Some("stopped mid-pass".to_string()), Outcome::Stopped)
        }
    };
    if let Err(e) = beat.release(&lease, next, error.as_deref()) {
        eprintln!("{who}: releasing the lease failed (it expires by itself): {e:#}");
    }
    outcome
}

/// The deferred first import if one is pending, else an incremental pass.
async fn work(runtime: &Runtime, opts: &WorkerOptions, lease: &Lease) -> Result<(bool, sync::Report)> {
    let mut storage = storage::open(&opts.db)?;
    storage.fence(Some(lease.clone()));
    let pending = storage.kv_get(&lease.connection, HOST_BUCKET, IMPORT_PENDING_KEY)?;
    let mut s = session::open(runtime, storage, &lease.connection, None, opts.ca_cert.as_deref()).await?;
    s.begin_call();
    let (import, r) = match pending {
        Some(list) => {
            let kinds: Vec<Kind> =
                String::from_utf8_lossy(&list).split(',').filter_map(|k| kind_from_name(k.trim())).collect();
            (true, s.bindings.woo_connector_sync().call_import(&mut s.store, &kinds).await?)
        }
        None => (false, s.bindings.woo_connector_sync().call_sync_pass(&mut s.store, None).await?),
    };
    let report = r.map_err(|e| anyhow!("{}", crate::wit::error_message(&e)))?;
    if import {
        s.store.data_mut().storage.kv_delete(&lease.connection, HOST_BUCKET, IMPORT_PENDING_KEY)?;
    }
    Ok((import, report))
}
