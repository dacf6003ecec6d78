//! The peers: the PyPI `woocommerce` client and Airbyte's WooCommerce source,
//! run on the same simulated store in the same run, each stopped at a cap.

use super::{Options, Row, row};
use crate::sim::Simulator;
use anyhow::{Context, Result, anyhow};
use std::path::Path;
use std::time::{Duration, Instant};

/// How a peer's run ended.
enum PeerRun {
    /// Its wall time and its last stdout line.
    Finished(Duration, String),
    /// Stopped at the cap: it would have taken longer.
    Capped(Duration),
}

/// Run a peer to its end, or stop it at `cap`.
fn run_peer(mut cmd: std::process::Command, cap: Duration, work: &std::path::Path, name: &str) -> Result<PeerRun> {
    let out_path = work.join(format!("{name}.out"));
    let err_path = work.join(format!("{name}.err"));
    cmd.stdout(std::fs::File::create(&out_path)?).stderr(std::fs::File::create(&err_path)?);
    let t = Instant::now();
    let mut child = cmd.spawn().context("starting a peer")?;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if t.elapsed() >= cap {
            let _ = child.kill();
            let _ = child.wait();
            return Ok(PeerRun::Capped(cap));
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let wall = t.elapsed();
    if !status.success() {
        let err = std::fs::read_to_string(&err_path).unwrap_or_default();
        let tail: String =
            err.lines().rev().take(8).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n");
        return Err(anyhow!("peer failed ({status}): {tail}"));
    }
    let stdout = std::fs::read_to_string(&out_path).unwrap_or_default();
    Ok(PeerRun::Finished(wall, stdout.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").to_string()))
}

/// Run the peers side by side on `sim` and add their rows, compared with
/// `ours` (our import's wall time, in seconds).
pub(super) fn compare(rows: &mut Vec<Row>, o: &Options, sim: &Simulator, dir: &Path, ours: f64) -> Result<()> {
    match &o.python {
        None => row(rows, "peers", "skipped", "run bench/run.sh (it installs them) or pass --python"),
        Some(py) => {
            let env = |c: &mut std::process::Command| {
                c.env("WOO_URL", &sim.https_url)
                    .env("WOO_KEY", &sim.consumer_key)
                    .env("WOO_SECRET", &sim.consumer_secret)
                    .env("WOO_CA", &sim.ca_cert)
                    .env("REQUESTS_CA_BUNDLE", &sim.ca_cert)
                    .env("SSL_CERT_FILE", &sim.ca_cert)
                    .env("WOO_WORK", dir);
            };
            // Both at once: each is one request after another, so neither
            // waits on the other (it keeps the whole run under 15 minutes).
            eprintln!("bench: the peers, side by side");
            let scripts = [
                ("PyPI `woocommerce` client, page by page", "wc_client.py"),
                ("PyPI `airbyte-source-woocommerce` read", "airbyte_read.py"),
            ];
            let handles: Vec<_> = scripts
                .iter()
                .map(|(name, script)| {
                    let mut cmd = std::process::Command::new(py);
                    cmd.arg(o.peers_dir.join(script));
                    env(&mut cmd);
                    let (cap, work, stem) = (o.peer_cap, dir.to_path_buf(), script.trim_end_matches(".py").to_string());
                    (*name, std::thread::spawn(move || run_peer(cmd, cap, &work, &stem)))
                })
                .collect();
            // (name, seconds, stopped at the cap)
            let mut peers: Vec<(&str, f64, bool)> = vec![];
            for (name, h) in handles {
                match h.join().map_err(|_| anyhow!("peer thread panicked"))? {
                    Ok(PeerRun::Finished(wall, summary)) => {
                        peers.push((name, wall.as_secs_f64(), false));
                        row(
                            rows,
                            format!("peer: {name}"),
                            format!("{:.2} s", wall.as_secs_f64()),
                            format!("{:.1}× our time; {summary}", wall.as_secs_f64() / ours),
                        );
                    }
                    Ok(PeerRun::Capped(cap)) => {
                        peers.push((name, cap.as_secs_f64(), true));
                        row(
                            rows,
                            format!("peer: {name}"),
                            format!("≥ {:.0} s", cap.as_secs_f64()),
                            format!(
                                "≥ {:.1}× our time; stopped at the {:.0} s cap, unfinished",
                                cap.as_secs_f64() / ours,
                                cap.as_secs_f64()
                            ),
                        );
                    }
                    Err(e) => row(rows, format!("peer: {name}"), "failed", e.to_string().replace('\n', " ")),
                }
            }
            if let Some((name, fastest, capped)) = peers.iter().cloned().min_by(|a, b| a.1.total_cmp(&b.1)) {
                row(
                    rows,
                    "fastest peer / ours",
                    format!("{}{:.1}×", if capped { "≥ " } else { "" }, fastest / ours),
                    name.to_string(),
                );
            }
        }
    }

    Ok(())
}
