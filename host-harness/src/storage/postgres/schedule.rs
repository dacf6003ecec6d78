//! The workers' schedule on PostgreSQL: leases decided on the database's
//! clock, each claim, renewal and release logged.

use super::PostgresStorage;
use crate::storage::{Lease, LeaseEvent, LeaseScheduler, ScheduleRow, millis, new_token};
use anyhow::Result;
use postgres::Transaction;
use std::time::Duration;

impl LeaseScheduler for PostgresStorage {
    fn connections(&mut self) -> Result<Vec<ScheduleRow>> {
        self.run(|c, _| {
            let rows = c.query(
                "SELECT n.connection, s.next_due_ms, CASE WHEN s.lease_expires_ms > woo_now_ms() THEN s.lease_holder END, s.last_pass_ms, s.last_error
                 FROM (SELECT connection FROM schedule UNION SELECT connection FROM state WHERE bucket = 'connection' AND key = 'info') n
                 LEFT JOIN schedule s ON s.connection = n.connection ORDER BY n.connection COLLATE \"C\"",
                &[],
            )?;
            Ok(rows
                .iter()
                .map(|r| ScheduleRow {
                    connection: r.get(0),
                    next_due_ms: r.get::<_, Option<i64>>(1).unwrap_or(i64::MAX),
                    held_by: r.get(2),
                    last_pass_ms: r.get(3),
                    last_error: r.get(4),
                })
                .collect())
        })
    }

    fn schedule(&mut self, connection: &str, due_now: bool) -> Result<()> {
        let connection = connection.to_string();
        self.run(move |c, _| {
            let sql = if due_now {
                "INSERT INTO schedule (connection, next_due_ms) VALUES ($1, woo_now_ms()) ON CONFLICT (connection) DO UPDATE SET next_due_ms = excluded.next_due_ms"
            } else {
                "INSERT INTO schedule (connection, next_due_ms) VALUES ($1, woo_now_ms()) ON CONFLICT (connection) DO NOTHING"
            };
            c.execute(sql, &[&connection])?;
            Ok(())
        })
    }

    fn unschedule(&mut self, connection: &str) -> Result<()> {
        let connection = connection.to_string();
        self.run(move |c, _| {
            c.execute("DELETE FROM schedule WHERE connection = $1", &[&connection])?;
            Ok(())
        })
    }

    fn now_ms(&mut self) -> Result<i64> {
        self.run(|c, _| Ok(c.query_one("SELECT woo_now_ms()", &[])?.get(0)))
    }

    fn claim(&mut self, worker: &str, cutoff_ms: Option<i64>, lease: Duration) -> Result<Option<Lease>> {
        let worker = worker.to_string();
        self.run(move |c, _| {
            let mut tx = c.transaction()?;
            let token = new_token();
            // SKIP LOCKED: workers claiming at once each take a different row.
            let row = tx.query_opt(
                "UPDATE schedule SET lease_holder = $1, lease_token = $2, lease_expires_ms = woo_now_ms() + $3
                 WHERE connection = (
                     SELECT connection FROM schedule
                     WHERE next_due_ms <= COALESCE($4, woo_now_ms()) AND (lease_expires_ms IS NULL OR lease_expires_ms <= woo_now_ms())
                     ORDER BY next_due_ms, connection LIMIT 1 FOR UPDATE SKIP LOCKED)
                 RETURNING connection, lease_expires_ms, woo_now_ms()",
                &[&worker, &token, &millis(lease), &cutoff_ms],
            )?;
            let Some(row) = row else { return Ok(None) };
            let l = Lease { connection: row.get(0), worker, token };
            log_event(&mut tx, &l, "claim", row.get(2), row.get(1))?;
            tx.commit()?;
            Ok(Some(l))
        })
    }

    fn renew(&mut self, lease: &Lease, duration: Duration) -> Result<bool> {
        let l = lease.clone();
        self.run(move |c, _| {
            let mut tx = c.transaction()?;
            let row = tx.query_opt(
                "UPDATE schedule SET lease_expires_ms = woo_now_ms() + $3
                 WHERE connection = $1 AND lease_token = $2 AND lease_expires_ms > woo_now_ms()
                 RETURNING lease_expires_ms, woo_now_ms()",
                &[&l.connection, &l.token, &millis(duration)],
            )?;
            let held = row.is_some();
            if let Some(row) = row {
                log_event(&mut tx, &l, "renew", row.get(1), row.get(0))?;
            }
            tx.commit()?;
            Ok(held)
        })
    }

    fn release(&mut self, lease: &Lease, next_in: Option<Duration>, error: Option<&str>) -> Result<()> {
        let (l, next, error) = (lease.clone(), next_in.map(millis), error.map(str::to_string));
        self.run(move |c, _| {
            let mut tx = c.transaction()?;
            let row = tx.query_opt(
                "UPDATE schedule SET lease_holder = NULL, lease_token = NULL, lease_expires_ms = NULL,
                 next_due_ms = COALESCE(woo_now_ms() + $3, next_due_ms), last_pass_ms = woo_now_ms(), last_error = $4
                 WHERE connection = $1 AND lease_token = $2 RETURNING woo_now_ms()",
                &[&l.connection, &l.token, &next, &error],
            )?;
            if let Some(row) = row {
                let at: i64 = row.get(0);
                log_event(&mut tx, &l, "release", at, at)?;
            }
            tx.commit()?;
            Ok(())
        })
    }

    fn due_count(&mut self, cutoff_ms: i64) -> Result<u64> {
        self.run(move |c, _| {
            Ok(c.query_one("SELECT COUNT(*) FROM schedule WHERE next_due_ms <= $1", &[&cutoff_ms])?.get::<_, i64>(0)
                as u64)
        })
    }

    fn lease_log(&mut self) -> Result<Vec<LeaseEvent>> {
        self.run(|c, _| {
            let rows =
                c.query("SELECT connection, worker, token, event, at_ms, expires_ms FROM lease_log ORDER BY seq", &[])?;
            Ok(rows
                .iter()
                .map(|r| LeaseEvent {
                    connection: r.get(0),
                    worker: r.get(1),
                    token: r.get(2),
                    event: r.get(3),
                    at_ms: r.get(4),
                    expires_ms: r.get(5),
                })
                .collect())
        })
    }
}

fn log_event(tx: &mut Transaction<'_>, l: &Lease, event: &str, at: i64, expires: i64) -> Result<()> {
    tx.execute(
        "INSERT INTO lease_log (connection, worker, token, event, at_ms, expires_ms) VALUES ($1, $2, $3, $4, $5, $6)",
        &[&l.connection, &l.worker, &l.token, &event, &at, &expires],
    )?;
    Ok(())
}
