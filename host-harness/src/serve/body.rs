//! Request bodies under one budget: each chunk is paid for as it arrives,
//! a body the budget cannot pay for is refused at once (503), one over the
//! maximum before it is read (413), one too slow when its time is up (408).

use super::guard::trim_heap;
use bytes::Bytes;
use http_body_util::BodyExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

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
        Budget(Arc::new(BudgetPools {
            all: Arc::new(Semaphore::new(total)),
            large: Arc::new(Semaphore::new(total - total / 4)),
            total,
            high: AtomicUsize::new(0),
        }))
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
        f.debug_struct("Hold")
            .field("large", &self.large)
            .field("bytes", &self.all.as_ref().map_or(0, |p| p.num_permits()))
            .finish()
    }
}

impl Drop for Hold {
    fn drop(&mut self) {
        drop(self.big.take());
        drop(self.all.take());
        // The last body of a burst is gone: give its pages back.
        if self.pools.all.available_permits() == self.pools.total
            && self.pools.high.load(Ordering::SeqCst) >= TRIM_AFTER
            && self.pools.high.swap(0, Ordering::SeqCst) >= TRIM_AFTER
        {
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
pub async fn read_body<B>(
    body: B,
    declared: Option<u64>,
    max: usize,
    timeout: Duration,
    budget: &Budget,
) -> Result<(Vec<u8>, Hold), BodyRefusal>
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

    type Chunks =
        futures::stream::Iter<std::vec::IntoIter<Result<hyper::body::Frame<Bytes>, std::convert::Infallible>>>;

    fn frames(chunks: Vec<Vec<u8>>) -> StreamBody<Chunks> {
        StreamBody::new(futures::stream::iter(
            chunks.into_iter().map(|c| Ok(hyper::body::Frame::data(Bytes::from(c)))).collect::<Vec<_>>(),
        ))
    }

    #[tokio::test]
    async fn serve_body_budget_refuses_a_body_it_cannot_pay_for_and_keeps_a_quarter_for_small_deliveries() {
        let budget = Budget::new(4 * SMALL_BODY);
        // Large bodies (3 MiB of the 4) are held by stalled senders …
        let (_a, big) =
            read_body(frames(vec![vec![0; 3 * SMALL_BODY]]), None, 8 * SMALL_BODY, Duration::from_secs(1), &budget)
                .await
                .unwrap();
        assert_eq!(budget.held(), 3 * SMALL_BODY);
        let e = read_body(frames(vec![vec![0; 10]]), None, 8 * SMALL_BODY, Duration::from_secs(1), &budget)
            .await
            .unwrap_err();
        assert_eq!(e, BodyRefusal::Busy, "a body of unknown length draws on the large pool, which is spent");
        // … yet a delivery of a declared, ordinary size still gets in.
        let (body, small) = read_body(
            Full::new(Bytes::from_static(b"{\"id\":1}")),
            Some(8),
            8 * SMALL_BODY,
            Duration::from_secs(1),
            &budget,
        )
        .await
        .unwrap();
        assert_eq!(body, b"{\"id\":1}");
        drop((big, small));
        assert_eq!(budget.held(), 0, "every byte returns");
    }

    #[tokio::test]
    async fn serve_body_over_the_maximum_is_refused_before_it_is_read() {
        let budget = Budget::new(4 * SMALL_BODY);
        let e = read_body(frames(vec![vec![0; 10]]), Some(5_000_000), 4_000_000, Duration::from_secs(1), &budget)
            .await
            .unwrap_err();
        assert_eq!((e, e.status()), (BodyRefusal::TooLarge, 413));
        let e = read_body(
            frames(vec![vec![0; 3_000_000], vec![0; 3_000_000]]),
            None,
            4_000_000,
            Duration::from_secs(1),
            &budget,
        )
        .await
        .unwrap_err();
        assert_eq!(e, BodyRefusal::TooLarge);
        assert_eq!(budget.held(), 0);
    }

    #[tokio::test]
    async fn serve_body_that_stalls_times_out() {
        let budget = Budget::new(4 * SMALL_BODY);
        let stalled =
            StreamBody::new(futures::stream::pending::<Result<hyper::body::Frame<Bytes>, std::convert::Infallible>>());
        let e = read_body(stalled, Some(100), 4_000_000, Duration::from_millis(50), &budget).await.unwrap_err();
        assert_eq!((e, e.status()), (BodyRefusal::TimedOut, 408));
    }
}
