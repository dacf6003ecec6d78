//! `woo serve` as an attacker and an operator meet it: connections
//! without a signature cost bounded time and memory and never stop valid
//! deliveries; SIGTERM finishes the requests in flight. Each test runs the
//! built `woo serve` as a subprocess against a connected simulator and prints
//! its figures to stderr (`--nocapture`).

use serde_json::Value;
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

mod common;
use common::world::{ALL, World};
use woo_host::bench::storm::signed_order;

/// Our own open-file soft limit raised to the hard one: the attacks below
/// hold thousands of sockets.
fn raise_open_files() {
    let mut r = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit/setrlimit read and write the struct given.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut r) == 0 && r.rlim_cur < r.rlim_max {
            r.rlim_cur = r.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &r);
        }
    }
}

/// A running `woo serve` on loopback.
struct Served {
    child: Child,
    port: u16,
    log: std::path::PathBuf,
}

impl Served {
    /// `woo serve` on `w`'s database under `ulimit -n <open_files>`, with `extra` flags.
    async fn start(w: &World, open_files: u32, extra: &[&str]) -> Served {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let log = w.dir.path().join(format!("serve-{port}.log"));
        let woo = common::woo_command().get_program().to_owned();
        let mut cmd = std::process::Command::new("sh");
        cmd.arg("-c").arg(format!("ulimit -n {open_files} && exec \"$0\" \"$@\"")).arg(woo);
        cmd.args([
            "--db",
            &w.db,
            "--ca-cert",
            w.sim.ca_cert.to_str().unwrap(),
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .args(extra);
        for k in
            ["WOO_DB", "WOO_STORE_URL", "WOO_CONSUMER_KEY", "WOO_CONSUMER_SECRET", "WOO_CONNECTION", "WOO_SECRET_KEY"]
        {
            cmd.env_remove(k);
        }
        let child = cmd.stdout(Stdio::null()).stderr(std::fs::File::create(&log).unwrap()).spawn().unwrap();
        let served = Served { child, port, log };
        for _ in 0..200 {
            if TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return served;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("woo serve did not listen: {}", served.log());
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/webhooks", self.port)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Resident memory now, in KiB.
    fn rss_kib(&self) -> u64 {
        rss_kib(self.child.id())
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// A world whose store delivers to `woo serve` on `port`: the webhooks are
/// registered, and the secret the store signs with is returned.
async fn registered(w: &mut World, port: u16) -> String {
    w.s.begin_call();
    w.s.bindings
        .woo_connector_webhook()
        .call_register(&mut w.s.store, &format!("http://127.0.0.1:{port}/webhooks"))
        .await
        .unwrap()
        .unwrap();
    let d = w.data();
    d.webhooks.iter().find(|h| h["topic"] == "order.created").unwrap()["secret"].as_str().unwrap().to_string()
}

/// POST one delivery the way WooCommerce does (a fresh connection); its
/// status and how long it took.
async fn deliver(url: &str, delivery: (Vec<(String, String)>, Vec<u8>)) -> (u16, Duration) {
    let t = Instant::now();
    let status = tokio::time::timeout(
        Duration::from_secs(15),
        woo_host::sim::post_loopback(url, delivery.0, delivery.1, "application/json"),
    )
    .await;
    (status.ok().and_then(Result::ok).unwrap_or(0), t.elapsed())
}

fn template(w: &World) -> Value {
    w.data().orders.iter().find(|o| o["billing"]["email"].as_str().is_some_and(|e| !e.is_empty())).unwrap().clone()
}

fn percentile(mut v: Vec<Duration>, p: f64) -> Duration {
    v.sort();
    v.get(((v.len() as f64 - 1.0) * p).round() as usize).copied().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_keeps_answering_signed_deliveries_through_idle_slowloris_and_stalled_body_floods_within_256_mib() {
    raise_open_files();
    let mut w = World::new(5, 10, 5).await;
    w.import(&ALL).await.unwrap();
    // The open-file limit of the report (EMFILE at about 1,012 idle connections).
    let served = Served::start(&w, 1024, &["--header-timeout-ms", "2000", "--body-timeout-ms", "3000"]).await;
    let secret = registered(&mut w, served.port).await;
    let order = template(&w);
    let url = served.url();
    let baseline = served.rss_kib();

    // Sample the server's memory throughout.
    let peak = Arc::new(AtomicU64::new(baseline));
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = {
        let (peak, sampling, pid) = (peak.clone(), sampling.clone(), served.child.id());
        std::thread::spawn(move || {
            while sampling.load(Ordering::SeqCst) {
                peak.fetch_max(rss_kib(pid), Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };

    // The attack: 2,000 idle connections, 200 slowloris, 200 stalled 4 MiB bodies.
    let attack = Arc::new(AtomicBool::new(true));
    let mut attackers = tokio::task::JoinSet::new();
    let port = served.port;
    for _ in 0..2000 {
        let attack = attack.clone();
        attackers.spawn(async move {
            let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)).await else { return };
            let mut b = [0u8; 64];
            while attack.load(Ordering::SeqCst) {
                match tokio::time::timeout(Duration::from_millis(200), s.read(&mut b)).await {
                    Ok(Ok(0)) | Ok(Err(_)) => return,
                    _ => {}
                }
            }
        });
    }
    for _ in 0..200 {
        let attack = attack.clone();
        attackers.spawn(async move {
            let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)).await else { return };
            let head = b"POST /webhooks HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: ";
            if s.write_all(head).await.is_err() {
                return;
            }
            while attack.load(Ordering::SeqCst) {
                tokio::time::sleep(Duration::from_millis(300)).await;
                if s.write_all(b"a").await.is_err() {
                    return;
                }
            }
        });
    }
    let four_mib = Arc::new(vec![b' '; 4 * 1024 * 1024 - 1024]);
    for _ in 0..200 {
        let (attack, body) = (attack.clone(), four_mib.clone());
        attackers.spawn(async move {
            let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)).await else { return };
            let head = format!("POST /webhooks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-WC-Webhook-Topic: order.created\r\nX-WC-Webhook-Signature: bm9wZQ==\r\nContent-Length: {}\r\n\r\n", 4 * 1024 * 1024);
            if s.write_all(head.as_bytes()).await.is_err() || s.write_all(&body).await.is_err() {
                return;
            }
            // Stalled: the last KiB never comes.
            while attack.load(Ordering::SeqCst) {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        });
    }

    // Valid deliveries while the attack runs …
    let started = Instant::now();
    let mut during = Vec::new();
    let mut next_id = 9_000_000u64;
    while started.elapsed() < Duration::from_secs(6) {
        next_id += 1;
        during.push(tokio::spawn({
            let (url, d) = (url.clone(), signed_order(&secret, &order, next_id));
            async move { deliver(&url, d).await }
        }));
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    let mut during_results = Vec::new();
    for d in during {
        during_results.push(d.await.unwrap());
    }
    let peak_during = peak.load(Ordering::SeqCst);
    attack.store(false, Ordering::SeqCst);
    attackers.abort_all();
    while attackers.join_next().await.is_some() {}
    // … and after it.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut after_results = Vec::new();
    for _ in 0..10 {
        next_id += 1;
        after_results.push(deliver(&url, signed_order(&secret, &order, next_id)).await);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_after = served.rss_kib();
    sampling.store(false, Ordering::SeqCst);
    sampler.join().unwrap();
    let peak = peak.load(Ordering::SeqCst);

    let ok = |r: &[(u16, Duration)]| r.iter().filter(|(s, _)| *s == 200).count();
    let lat = |r: &[(u16, Duration)]| {
        (percentile(r.iter().map(|x| x.1).collect(), 0.5), percentile(r.iter().map(|x| x.1).collect(), 1.0))
    };
    let (d50, dmax) = lat(&during_results);
    let (a50, amax) = lat(&after_results);
    eprintln!(
        "serve under attack: RSS baseline {} MiB, peak {} MiB (during {} MiB), after {} MiB; deliveries ok during {}/{} (p50 {d50:?}, max {dmax:?}), after {}/{} (p50 {a50:?}, max {amax:?})",
        baseline / 1024,
        peak / 1024,
        peak_during / 1024,
        rss_after / 1024,
        ok(&during_results),
        during_results.len(),
        ok(&after_results),
        after_results.len()
    );
    let log = served.log();
    assert!(log.contains("at most 896 connections"), "the cap was fitted to `ulimit -n 1024`\n{log}");
    assert!(
        ok(&during_results) == during_results.len(),
        "every delivery during the attack answered 200: {during_results:?}\n{log}"
    );
    assert!(
        ok(&after_results) == after_results.len(),
        "every delivery after the attack answered 200: {after_results:?}\n{log}"
    );
    assert!(peak < 256 * 1024, "resident memory stayed under 256 MiB: peak {} MiB", peak / 1024);
    // Without the allocator tuning glibc kept about 110 MiB after the attack.
    assert!(
        rss_after < baseline + 32 * 1024,
        "memory came back after the attack: {} MiB, {} MiB before it",
        rss_after / 1024,
        baseline / 1024
    );
    let mut s = served;
    assert!(s.child.try_wait().unwrap().is_none(), "woo serve is still running\n{log}");
    let stored = w.records("order");
    assert!(
        (9_000_001..=next_id).all(|id| stored.contains_key(&format!("woo:order:{id}"))),
        "every delivery answered 200 was stored"
    );
}

/// Send a request's head and the first half of its body: a delivery in flight.
async fn half_sent(port: u16, (headers, body): (Vec<(String, String)>, Vec<u8>)) -> (TcpStream, Vec<u8>) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let mut head = format!(
        "POST /webhooks HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).await.unwrap();
    let half = body.len() / 2;
    s.write_all(&body[..half]).await.unwrap();
    (s, body[half..].to_vec())
}

/// Send the rest and read the answer's status (0 when the connection was cut).
async fn finish(mut s: TcpStream, rest: Vec<u8>) -> u16 {
    if s.write_all(&rest).await.is_err() {
        return 0;
    }
    let mut answer = Vec::new();
    let mut b = [0u8; 4096];
    loop {
        match tokio::time::timeout(Duration::from_secs(10), s.read(&mut b)).await {
            Ok(Ok(n)) if n > 0 => {
                answer.extend_from_slice(&b[..n]);
                if answer.windows(4).any(|w| w == b"\r\n\r\n") {
                    break;
                }
            }
            _ => break,
        }
    }
    String::from_utf8_lossy(&answer).split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_sigterm_under_load_stops_accepting_finishes_the_deliveries_in_flight_and_exits_0() {
    let mut w = World::new(5, 10, 5).await;
    w.import(&ALL).await.unwrap();
    let mut served = Served::start(&w, 4096, &[]).await;
    let port = served.port;
    let secret = registered(&mut w, port).await;
    let order = template(&w);
    let ids: Vec<u64> = (8_000_001..=8_000_008).collect();
    let mut in_flight = Vec::new();
    for id in &ids {
        in_flight.push(half_sent(port, signed_order(&secret, &order, *id)).await);
    }
    // Load: connections opened and dropped while the signal arrives.
    let load = tokio::spawn(async move {
        loop {
            let _ = TcpStream::connect(("127.0.0.1", port)).await;
            tokio::task::yield_now().await;
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pid = i32::try_from(served.child.id()).unwrap();
    // SAFETY: signals our own child.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let t = Instant::now();
    tokio::time::sleep(Duration::from_millis(300)).await;
    load.abort();
    assert!(TcpStream::connect(("127.0.0.1", port)).await.is_err(), "no new connection is accepted after SIGTERM");
    let mut statuses = Vec::new();
    for (s, rest) in in_flight {
        statuses.push(finish(s, rest).await);
    }
    let exited = loop {
        if let Some(status) = served.child.try_wait().unwrap() {
            break status;
        }
        assert!(t.elapsed() < Duration::from_secs(15), "woo serve exits after SIGTERM\n{}", served.log());
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    eprintln!(
        "SIGTERM: {} deliveries in flight answered {statuses:?}; exit {exited} after {:?}",
        ids.len(),
        t.elapsed()
    );
    assert!(
        statuses.iter().all(|s| *s == 200),
        "every delivery in flight was finished: {statuses:?}\n{}",
        served.log()
    );
    assert_eq!(exited.code(), Some(0), "{}", served.log());
    let stored = w.records("order");
    assert!(ids.iter().all(|id| stored.contains_key(&format!("woo:order:{id}"))), "and stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_kept_instances_verify_with_the_secret_stored_now_not_the_one_they_first_read() {
    let mut w = World::new(5, 10, 5).await;
    w.import(&ALL).await.unwrap();
    let served = Served::start(&w, 4096, &[]).await;
    let old = registered(&mut w, served.port).await;
    let order = template(&w);
    // Warm instances that have verified with the first secret.
    for id in 8_100_001..=8_100_004 {
        assert_eq!(deliver(&served.url(), signed_order(&old, &order, id)).await.0, 200, "{}", served.log());
    }
    // A new secret (the old one forgotten, then registering again gives every
    // webhook a fresh one); the kept instances must use it.
    w.s.storage().kv_delete("default", "credentials", "webhook_secret").unwrap();
    let new = registered(&mut w, served.port).await;
    assert_ne!(old, new, "the store was given a new secret");
    assert_eq!(deliver(&served.url(), signed_order(&old, &order, 8_100_010)).await.0, 401, "{}", served.log());
    assert_eq!(deliver(&served.url(), signed_order(&new, &order, 8_100_011)).await.0, 200, "{}", served.log());
    let stored = w.records("order");
    assert!(!stored.contains_key("woo:order:8100010") && stored.contains_key("woo:order:8100011"));
}
