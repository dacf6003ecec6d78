//! The `platform` import: batches committed to the connection's storage,
//! import progress, and the component's log lines on stderr.

use super::HostState;
use crate::wit::platform::{self, Batch, LogLevel};
use std::time::Instant;

impl crate::wit::types::Host for HostState {}

impl platform::Host for HostState {
    fn commit(&mut self, mut batch: Batch) -> wasmtime::Result<Result<Vec<bool>, String>> {
        // State written as `wasi:keyvalue` stores it (runtime/keyvalue.rs).
        for (bucket, key, _) in &mut batch.state {
            let (b, k) = super::keyvalue::split(bucket, key);
            (*bucket, *key) = (b.to_string(), k.to_string());
        }
        let t = Instant::now();
        let r = self.storage.commit(&self.connection, &batch).map_err(|e| format!("{e:#}"));
        self.commit_time += t.elapsed();
        Ok(r)
    }

    fn progress(&mut self, kind: String, done: u64, total: u64) -> wasmtime::Result<()> {
        if let Some(p) = self.progress.as_mut() {
            p(&kind, done, total);
        }
        Ok(())
    }

    fn log(&mut self, level: LogLevel, message: String) -> wasmtime::Result<()> {
        let level = match level {
            LogLevel::Debug => return Ok(()),
            LogLevel::Info => "info",
            LogLevel::Warn => "warning",
            LogLevel::Error => "error",
        };
        eprintln!("{level}: {}", redact(&message, &self.redact));
        Ok(())
    }
}

/// `text` with every secret of four characters or more replaced by `[redacted]`.
pub fn redact(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_string();
    for s in secrets.iter().filter(|s| s.len() >= 4) {
        out = out.replace(s.as_str(), "[redacted]");
    }
    out
}
