//! What keeps `woo serve` up against connections that carry no signature:
//! timeouts, a cap on open connections that makes room by closing the one
//! that has waited longest for a request, a budget of buffered body bytes
//! shared by all requests, and accept errors that back off instead of ending
//! the server. Nothing here knows about webhooks.

use bytes::Bytes;
use http_body_util::BodyExt;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
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
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            max_connections: 1024,
            max_buffered_bytes: 64 * 1024 * 1024,
            grace: Duration::from_secs(10),
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
fn trim_heap() {
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
        Arc::new(Conns { slots: Arc::new(Semaphore::new(max.max(1))), live: Mutex::new(HashMap::new()), next: AtomicU64::new(0), epoch: Instant::now() })
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
        let state = Arc::new(ConnState { waiting: AtomicBool::new(true), since_ms: AtomicU64::new(ms_since(self.epoch)), epoch: self.epoch, evicted: Notify::new() });
        if let Ok(mut live) = self.live.lock() {
            live.insert(id, state.clone());
        }
        ConnGuard { conns: self.clone(), id, state, _slot: slot }
    }

    /// Close the connection that has waited longest for a request; `false`
    /// when none is waiting.
    pub fn evict_longest_waiting(&self) -> bool {
        let Ok(mut live) = self.live.lock() else { return false };
        let oldest = live.iter().filter(|(_, c)| c.waiting.load(Ordering::SeqCst)).min_by_key(|(_, c)| c.since_ms.load(Ordering::SeqCst)).map(|(id, _)| *id);
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
            let more = if self.unlogged > 0 { format!(" ({} more since the last message)", self.unlogged) } else { String::new() };
            eprintln!("woo serve: accepting a connection failed: {e}{more}; backing off ({} connections open)", conns.open());
            self.logged = Some(Instant::now());
            self.unlogged = 0;
        } else {
            self.unlogged += 1;
        }
        if resource {
            conns.evict_longest_waiting();
        } else if matches!(e.raw_os_error(), Some(libc::ECONNABORTED | libc::ECONNRESET | libc::EPROTO | libc::EPERM | libc::EINTR)) {
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

// ---- Buffered bodies ----

/// Bodies larger than this (or of unknown length) draw on the large pool,
/// which leaves a quarter of the budget to ordinary deliveries.
const SMALL_BODY: usize = 1024 * 1024;

/// After bodies of at least this many bytes in total were buffered at once,
/// the heap is trimmed when the last of them is freed.
const TRIM_AFTER: usize = 8 * 1024 * 1024;

/// The bytes of request bodies that may be buffered at once, shared by all requests.
#[derive(Clone)]
pub struct Budget(Arc<BudgetPools>);

struct BudgetPools {
    all: Arc<Semaphore>,
    large: Arc<Semaphore>,
    total: usize,
    high: AtomicUsize,
}

impl Budget {
    /// A budget of `total` bytes.
    pub fn new(total: usize) -> Budget {
        let total = total.clamp(2 * SMALL_BODY, Semaphore::MAX_PERMITS);
        Budget(Arc::new(BudgetPools { all: Arc::new(Semaphore::new(total)), large: Arc::new(Semaphore::new(total - total / 4)), total, high: AtomicUsize::new(0) }))
    }

    /// Bytes held now.
    #[cfg(test)]
    pub fn held(&self) -> usize {
        self.0.total - self.0.all.available_permits()
    }
}

/// A request's share of the budget, returned when dropped.
pub struct Hold {
    pools: Arc<BudgetPools>,
    large: bool,
    all: Option<OwnedSemaphorePermit>,
    big: Option<OwnedSemaphorePermit>,
}

impl Hold {
    /// Take `n` more bytes; `false` when the budget has none left.
    fn grow(&mut self, n: usize) -> bool {
        let Ok(k) = u32::try_from(n) else { return false };
        if k == 0 {
            return true;
        }
        if self.large {
            let Ok(p) = self.pools.large.clone().try_acquire_many_owned(k) else { return false };
            merge(&mut self.big, p);
        }
        let Ok(p) = self.pools.all.clone().try_acquire_many_owned(k) else { return false };
        merge(&mut self.all, p);
        let held = self.pools.total - self.pools.all.available_permits();
        self.pools.high.fetch_max(held, Ordering::SeqCst);
        true
    }
}

fn merge(slot: &mut Option<OwnedSemaphorePermit>, p: OwnedSemaphorePermit) {
    match slot {
        Some(s) => s.merge(p),
        None => *slot = Some(p),
    }
}

impl std::fmt::Debug for Hold {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hold").field("large", &self.large).field("bytes", &self.all.as_ref().map_or(0, |p| p.num_permits())).finish()
    }
}

impl Drop for Hold {
    fn drop(&mut self) {
        drop(self.big.take());
        drop(self.all.take());
        // The last body of a burst is gone: give its pages back.
        if self.pools.all.available_permits() == self.pools.total && self.pools.high.load(Ordering::SeqCst) >= TRIM_AFTER && self.pools.high.swap(0, Ordering::SeqCst) >= TRIM_AFTER {
            trim_heap();
        }
    }
}

/// Why a body was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyRefusal {
    /// Over the per-request maximum.
    TooLarge,
    /// The shared budget is spent (other requests hold it): try again later.
    Busy,
    /// It did not arrive within the body timeout.
    TimedOut,
    /// The connection broke off.
    Cut,
}

impl BodyRefusal {
    /// The HTTP status that says so.
    pub fn status(self) -> u16 {
        match self {
            BodyRefusal::TooLarge => 413,
            BodyRefusal::Busy => 503,
            BodyRefusal::TimedOut => 408,
            BodyRefusal::Cut => 400,
        }
    }

    /// The message that says so.
    pub fn message(self) -> &'static str {
        match self {
            BodyRefusal::TooLarge => "body too large",
            BodyRefusal::Busy => "too many request bodies in flight: try again later",
            BodyRefusal::TimedOut => "the body did not arrive in time",
            BodyRefusal::Cut => "the body was cut off",
        }
    }
}

/// Read a request body of at most `max` bytes (`declared` by its
/// Content-Length, if any) within `timeout`, each chunk paid for from
/// `budget` as it arrives: a body the budget cannot pay for is refused at
/// once, never buffered. The buffer grows with what arrived; the hold goes
/// with it.
pub async fn read_body<B>(body: B, declared: Option<u64>, max: usize, timeout: Duration, budget: &Budget) -> Result<(Vec<u8>, Hold), BodyRefusal>
where
    B: hyper::body::Body<Data = Bytes>,
{
    if declared.is_some_and(|n| n > max as u64) {
        return Err(BodyRefusal::TooLarge);
    }
    let large = declared.is_none_or(|n| n > SMALL_BODY as u64);
    let mut hold = Hold { pools: budget.0.clone(), large, all: None, big: None };
    let mut buf = Vec::new();
    let read = async {
        let mut body = std::pin::pin!(body);
        while let Some(frame) = body.frame().await {
            let Ok(frame) = frame else { return Err(BodyRefusal::Cut) };
            if let Ok(data) = frame.into_data() {
                if buf.len() + data.len() > max {
                    return Err(BodyRefusal::TooLarge);
                }
                if !hold.grow(data.len()) {
                    return Err(BodyRefusal::Busy);
                }
                if buf.is_empty() {
                    // One allocation of the announced size (pages are only
                    // resident once written).
                    buf.reserve_exact(declared.map_or(data.len(), |n| usize::try_from(n).unwrap_or(max).min(max)));
                }
                buf.extend_from_slice(&data);
            }
        }
        Ok(())
    };
    match tokio::time::timeout(timeout, read).await {
        Err(_) => Err(BodyRefusal::TimedOut),
        Ok(Err(e)) => Err(e),
        Ok(Ok(())) => Ok((buf, hold)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::{Full, StreamBody};

    type Chunks = futures::stream::Iter<std::vec::IntoIter<Result<hyper::body::Frame<Bytes>, std::convert::Infallible>>>;

    fn frames(chunks: Vec<Vec<u8>>) -> StreamBody<Chunks> {
        StreamBody::new(futures::stream::iter(chunks.into_iter().map(|c| Ok(hyper::body::Frame::data(Bytes::from(c)))).collect::<Vec<_>>()))
    }

    #[tokio::test]
    async fn serve_body_budget_refuses_a_body_it_cannot_pay_for_and_keeps_a_quarter_for_small_deliveries() {
        let budget = Budget::new(4 * SMALL_BODY);
        // Large bodies (3 MiB of the 4) are held by stalled senders …
        let (_a, big) = read_body(frames(vec![vec![0; 3 * SMALL_BODY]]), None, 8 * SMALL_BODY, Duration::from_secs(1), &budget).await.unwrap();
        assert_eq!(budget.held(), 3 * SMALL_BODY);
        let e = read_body(frames(vec![vec![0; 10]]), None, 8 * SMALL_BODY, Duration::from_secs(1), &budget).await.unwrap_err();
        assert_eq!(e, BodyRefusal::Busy, "a body of unknown length draws on the large pool, which is spent");
        // … yet a delivery of a declared, ordinary size still gets in.
        let (body, small) = read_body(Full::new(Bytes::from_static(b"{\"id\":1}")), Some(8), 8 * SMALL_BODY, Duration::from_secs(1), &budget).await.unwrap();
        assert_eq!(body, b"{\"id\":1}");
        drop((big, small));
        assert_eq!(budget.held(), 0, "every byte returns");
    }

    #[tokio::test]
    async fn serve_body_over_the_maximum_is_refused_before_it_is_read() {
        let budget = Budget::new(4 * SMALL_BODY);
        let e = read_body(frames(vec![vec![0; 10]]), Some(5_000_000), 4_000_000, Duration::from_secs(1), &budget).await.unwrap_err();
        assert_eq!((e, e.status()), (BodyRefusal::TooLarge, 413));
        let e = read_body(frames(vec![vec![0; 3_000_000], vec![0; 3_000_000]]), None, 4_000_000, Duration::from_secs(1), &budget).await.unwrap_err();
        assert_eq!(e, BodyRefusal::TooLarge);
        assert_eq!(budget.held(), 0);
    }

    #[tokio::test]
    async fn serve_body_that_stalls_times_out() {
        let budget = Budget::new(4 * SMALL_BODY);
        let stalled = StreamBody::new(futures::stream::pending::<Result<hyper::body::Frame<Bytes>, std::convert::Infallible>>());
        let e = read_body(stalled, Some(100), 4_000_000, Duration::from_millis(50), &budget).await.unwrap_err();
        assert_eq!((e, e.status()), (BodyRefusal::TimedOut, 408));
    }

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
