//! The workers' schedule on SQLite: one file is one machine, so leases are
//! decided on the host's clock; each claim, renewal and release is logged.

use super::{SqliteStorage, clock_ms};
use crate::storage::{Lease, LeaseEvent, LeaseScheduler, ScheduleRow, millis, new_token};
use anyhow::Result;
use rusqlite::{Connection, OptionalExtension, params};
use std::time::Duration;

impl LeaseScheduler for SqliteStorage {
    fn connections(&mut self) -> Result<Vec<ScheduleRow>> {
        let now = clock_ms();
        let mut st = self.db.prepare(
            "SELECT c.connection, s.next_due_ms, CASE WHEN s.lease_expires_ms > ?1 THEN s.lease_holder END, s.last_pass_ms, s.last_error
             FROM (SELECT connection FROM schedule UNION SELECT connection FROM state WHERE bucket = 'connection' AND key = 'info') c
             LEFT JOIN schedule s ON s.connection = c.connection ORDER BY c.connection",
        )?;
        let rows = st.query_map(params![now], |r| {
            Ok(ScheduleRow {
                connection: r.get(0)?,
                next_due_ms: r.get::<_, Option<i64>>(1)?.unwrap_or(i64::MAX),
                held_by: r.get(2)?,
                last_pass_ms: r.get(3)?,
                last_error: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn schedule(&mut self, connection: &str, due_now: bool) -> Result<()> {
        let sql = if due_now {
            "INSERT INTO schedule (connection, next_due_ms) VALUES (?1, ?2) ON CONFLICT (connection) DO UPDATE SET next_due_ms = excluded.next_due_ms"
        } else {
            "INSERT INTO schedule (connection, next_due_ms) VALUES (?1, ?2) ON CONFLICT (connection) DO NOTHING"
        };
        self.db.execute(sql, params![connection, clock_ms()])?;
        Ok(())
    }

    fn unschedule(&mut self, connection: &str) -> Result<()> {
        self.db.execute("DELETE FROM schedule WHERE connection = ?1", params![connection])?;
        Ok(())
    }

    fn now_ms(&mut self) -> Result<i64> {
        Ok(clock_ms())
    }

    fn claim(&mut self, worker: &str, cutoff_ms: Option<i64>, lease: Duration) -> Result<Option<Lease>> {
        let tx = self.db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let now = clock_ms();
        let found: Option<String> = tx
            .query_row(
                "SELECT connection FROM schedule WHERE next_due_ms <= ?1 AND (lease_expires_ms IS NULL OR lease_expires_ms <= ?2)
                 ORDER BY next_due_ms, connection LIMIT 1",
                params![cutoff_ms.unwrap_or(now), now],
                |r| r.get(0),
            )
            .optional()?;
        let Some(connection) = found else { return Ok(None) };
        let token = new_token();
        let expires = now.saturating_add(millis(lease));
        tx.execute(
            "UPDATE schedule SET lease_holder = ?2, lease_token = ?3, lease_expires_ms = ?4 WHERE connection = ?1",
            params![connection, worker, token, expires],
        )?;
        log_event(&tx, &connection, worker, &token, "claim", now, expires)?;
        tx.commit()?;
        Ok(Some(Lease { connection, worker: worker.to_string(), token }))
    }

    fn renew(&mut self, lease: &Lease, duration: Duration) -> Result<bool> {
        let tx = self.db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let now = clock_ms();
        let expires = now.saturating_add(millis(duration));
        let n = tx.execute(
            "UPDATE schedule SET lease_expires_ms = ?3 WHERE connection = ?1 AND lease_token = ?2 AND lease_expires_ms > ?4",
            params![lease.connection, lease.token, expires, now],
        )?;
        if n == 1 {
            log_event(&tx, &lease.connection, &lease.worker, &lease.token, "renew", now, expires)?;
        }
        tx.commit()?;
        Ok(n == 1)
    }

    fn release(&mut self, lease: &Lease, next_in: Option<Duration>, error: Option<&str>) -> Result<()> {
        let tx = self.db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let now = clock_ms();
        let next = next_in.map(|d| now.saturating_add(millis(d)));
        let n = tx.execute(
            "UPDATE schedule SET lease_holder = NULL, lease_token = NULL, lease_expires_ms = NULL,
             next_due_ms = COALESCE(?3, next_due_ms), last_pass_ms = ?4, last_error = ?5
             WHERE connection = ?1 AND lease_token = ?2",
            params![lease.connection, lease.token, next, now, error],
        )?;
        if n == 1 {
            log_event(&tx, &lease.connection, &lease.worker, &lease.token, "release", now, now)?;
        }
        tx.commit()?;
        Ok(())
    }

    fn due_count(&mut self, cutoff_ms: i64) -> Result<u64> {
        let n: i64 =
            self.db
                .query_row("SELECT COUNT(*) FROM schedule WHERE next_due_ms <= ?1", params![cutoff_ms], |r| r.get(0))?;
        Ok(n as u64)
    }

    fn lease_log(&mut self) -> Result<Vec<LeaseEvent>> {
        let mut st = self
            .db
            .prepare("SELECT connection, worker, token, event, at_ms, expires_ms FROM lease_log ORDER BY seq")?;
        let rows = st.query_map([], |r| {
            Ok(LeaseEvent {
                connection: r.get(0)?,
                worker: r.get(1)?,
                token: r.get(2)?,
                event: r.get(3)?,
                at_ms: r.get(4)?,
                expires_ms: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

fn log_event(
    db: &Connection,
    connection: &str,
    worker: &str,
    token: &str,
    event: &str,
    at: i64,
    expires: i64,
) -> Result<()> {
    db.execute(
        "INSERT INTO lease_log (connection, worker, token, event, at_ms, expires_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![connection, worker, token, event, at, expires],
    )?;
    Ok(())
}
