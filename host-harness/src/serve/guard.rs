//! What keeps `woo serve` up against connections that carry no signature:
//! timeouts, a cap on open connections that makes room by closing the one
//! that has waited longest for a request, accept errors that back off
//! instead of ending the server, and (in [`super::body`]) a budget of
//! buffered body bytes shared by all requests. Nothing here knows about
//! webhooks.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

/// The limits `woo serve` holds every connection to.
#[derive(Debug, Clone)]
pub struct Limits {
    /// How long a connection may take to send a request's headers, counted
    /// from when it starts waiting for one. Hyper starts this clock as soon as
    /// a connection is idle, so it is also the idle keep-alive timeout.
    pub header_timeout: Duration,
    /// How long a request's body may take to arrive, in total.
    pub body_timeout: Duration,
    /// Open connections at most; lowered to fit the open-file limit.
    pub max_connections: usize,
    /// Request-body bytes buffered at once, across all requests.
    pub max_buffered_bytes: usize,
    /// How long a shutdown waits for the requests in flight.
    pub grace: Duration,
    /// Component instances (each with its database connection) kept idle per
    /// connection between deliveries, so that a storm does not pay an
    /// instantiation, a database open and a status call per delivery. 0 opens
    /// a fresh one for every delivery (the benchmark's baseline).
    pub kept_instances: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            max_connections: 1024,
            max_buffered_bytes: 64 * 1024 * 1024,
            grace: Duration::from_secs(10),
            kept_instances: 16,
        }
    }
}

/// File descriptors kept free for the database files, the key file and the
/// runtime while connections fill the rest.
const FD_RESERVE: usize = 128;

/// `max` lowered so that open connections never exhaust the process's
/// open-file limit (`ulimit -n`): accepting then fails with EMFILE instead of
/// making room.
pub fn fit_to_open_files(max: usize) -> usize {
    #[cfg(unix)]
    {
        let mut r = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        // SAFETY: getrlimit writes the struct it is given and nothing else.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut r) } == 0 && r.rlim_cur != libc::RLIM_INFINITY {
            let soft = usize::try_from(r.rlim_cur).unwrap_or(usize::MAX);
            return max.min(soft.saturating_sub(FD_RESERVE).max(16));
        }
    }
    max
}

/// Large request bodies are mapped on their own and unmapped when freed, so
/// memory returns to the system after a burst (glibc otherwise raises the
/// threshold after the first free and keeps later bodies in its arenas).
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes the allocator's tunables.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

/// Give freed heap pages back to the system.
pub(super) fn trim_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory.
    unsafe {
        libc::malloc_trim(0);
    }
}

// ---- Connections ----

/// The open connections and their slots.
pub struct Conns {
    slots: Arc<Semaphore>,
    live: Mutex<HashMap<u64, Arc<ConnState>>>,
    next: AtomicU64,
    epoch: Instant,
}

/// One connection as the cap sees it.
pub struct ConnState {
    /// Waiting for a request's headers (new, slow or idle), so closing it
    /// loses no request.
    waiting: AtomicBool,
    /// When it last started waiting, in ms since `Conns::epoch`.
    since_ms: AtomicU64,
    epoch: Instant,
    /// Signalled when the connection is closed to make room.
    pub evicted: Notify,
}

impl ConnState {
    /// A request's headers arrived: from now on the connection is not closed to make room.
    pub fn busy(&self) {
        self.waiting.store(false, Ordering::SeqCst);
    }

    /// The request is answered; the connection waits for the next one.
    pub fn waiting(&self) {
        self.since_ms.store(ms_since(self.epoch), Ordering::SeqCst);
        self.waiting.store(true, Ordering::SeqCst);
    }
}

fn ms_since(epoch: Instant) -> u64 {
    u64::try_from(epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// A connection's slot, given back when it ends.
pub struct ConnGuard {
    conns: Arc<Conns>,
    id: u64,
    /// The connection's state, shared with its request handler.
    pub state: Arc<ConnState>,
    _slot: OwnedSemaphorePermit,
}

impl Drop for ConnGuard {
    fn drop(&mut self) {
        if let Ok(mut live) = self.conns.live.lock() {
            live.remove(&self.id);
        }
    }
}

impl Conns {
    /// Room for `max` connections.
    pub fn new(max: usize) -> Arc<Conns> {
        Arc::new(Conns {
            slots: Arc::new(Semaphore::new(max.max(1))),
            live: Mutex::new(HashMap::new()),
            next: AtomicU64::new(0),
            epoch: Instant::now(),
        })
    }

    /// A slot for the next connection. At the cap, the connection that has
    /// waited longest for a request is closed to make room, so a sender that
    /// sends its request at once is served however many idle or slow
    /// connections are open; when every connection is busy, this waits.
    pub async fn admit(self: &Arc<Self>) -> ConnGuard {
        let slot = match self.slots.clone().try_acquire_owned() {
            Ok(s) => s,
            Err(_) => {
                self.evict_longest_waiting();
                match self.slots.clone().acquire_owned().await {
                    Ok(s) => s,
                    // The semaphore is never closed.
                    Err(_) => std::future::pending().await,
                }
            }
        };
        let id = self.next.fetch_add(1, Ordering::SeqCst);
        let state = Arc::new(ConnState {
            waiting: AtomicBool::new(true),
            since_ms: AtomicU64::new(ms_since(self.epoch)),
            epoch: self.epoch,
            evicted: Notify::new(),
        });
        if let Ok(mut live) = self.live.lock() {
            live.insert(id, state.clone());
        }
        ConnGuard { conns: self.clone(), id, state, _slot: slot }
    }

    /// Close the connection that has waited longest for a request; `false`
    /// when none is waiting.
    pub fn evict_longest_waiting(&self) -> bool {
        let Ok(mut live) = self.live.lock() else { return false };
        let oldest = live
            .iter()
            .filter(|(_, c)| c.waiting.load(Ordering::SeqCst))
            .min_by_key(|(_, c)| c.since_ms.load(Ordering::SeqCst))
            .map(|(id, _)| *id);
        match oldest.and_then(|id| live.remove(&id)) {
            Some(c) => {
                c.evicted.notify_one();
                true
            }
            None => false,
        }
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.live.lock().map(|l| l.len()).unwrap_or(0)
    }
}

// ---- Accept errors ----

/// Accept errors back off and are logged once per burst; they never end the server.
#[derive(Default)]
pub struct AcceptErrors {
    delay: Duration,
    logged: Option<Instant>,
    unlogged: u64,
}

impl AcceptErrors {
    /// How long to pause after `e`. Out of descriptors or memory, the
    /// connection that has waited longest for a request is closed too.
    pub fn failed(&mut self, e: &std::io::Error, conns: &Conns) -> Duration {
        let resource = matches!(e.raw_os_error(), Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM));
        if self.logged.is_none_or(|t| t.elapsed() >= Duration::from_secs(10)) {
            let more = if self.unlogged > 0 {
                format!(" ({} more since the last message)", self.unlogged)
            } else {
                String::new()
            };
            eprintln!(
                "woo serve: accepting a connection failed: {e}{more}; backing off ({} connections open)",
                conns.open()
            );
            self.logged = Some(Instant::now());
            self.unlogged = 0;
        } else {
            self.unlogged += 1;
        }
        if resource {
            conns.evict_longest_waiting();
        } else if matches!(
            e.raw_os_error(),
            Some(libc::ECONNABORTED | libc::ECONNRESET | libc::EPROTO | libc::EPERM | libc::EINTR)
        ) {
            // The peer's problem, not ours: take the next one at once.
            return Duration::ZERO;
        }
        self.delay = (self.delay * 2).clamp(Duration::from_millis(10), Duration::from_secs(1));
        self.delay
    }

    /// A connection was accepted: the burst is over.
    pub fn accepted(&mut self) {
        self.delay = Duration::ZERO;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn serve_connection_cap_closes_the_connection_that_waited_longest_for_a_request() {
        let conns = Conns::new(2);
        let a = conns.admit().await;
        tokio::time::sleep(Duration::from_millis(5)).await;
        let b = conns.admit().await;
        b.state.busy();
        let admitted = tokio::spawn({
            let conns = conns.clone();
            async move { conns.admit().await }
        });
        // `a` (waiting for a request) is told to close; busy `b` is not.
        tokio::time::timeout(Duration::from_secs(1), a.state.evicted.notified()).await.unwrap();
        drop(a);
        let c = tokio::time::timeout(Duration::from_secs(1), admitted).await.unwrap().unwrap();
        assert_eq!(conns.open(), 2);
        drop((b, c));
        assert_eq!(conns.open(), 0);
    }
}
