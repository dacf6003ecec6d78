//! The guest's limits: a memory cap, and a compute budget per call enforced
//! by epochs that counts only the time the guest itself runs (waiting on the
//! store or on storage happens in the host and is not the guest's to spend).

use super::HostState;
use std::time::{Duration, Instant};
use wasmtime::{CallHook, Engine, Store, StoreLimits, StoreLimitsBuilder, UpdateDeadline};

/// Guest limits.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest linear memory, bytes.
    pub memory_bytes: usize,
    /// Guest compute time allowed per call, not counting time the guest
    /// waits on the host (HTTP, storage).
    pub guest_cpu: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { memory_bytes: 512 << 20, guest_cpu: Duration::from_secs(60) }
    }
}

/// The memory cap, and the largest linear memory the guest has asked for
/// (what the benchmark reports as peak guest memory).
pub struct GuestLimits {
    inner: StoreLimits,
    /// The largest linear memory granted so far, in bytes.
    pub peak_memory: usize,
}

impl GuestLimits {
    /// A memory cap of `memory_bytes`.
    pub fn new(memory_bytes: usize) -> GuestLimits {
        GuestLimits { inner: StoreLimitsBuilder::new().memory_size(memory_bytes).instances(4).build(), peak_memory: 0 }
    }
}

impl wasmtime::ResourceLimiter for GuestLimits {
    fn memory_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        let allowed = self.inner.memory_growing(current, desired, maximum)?;
        if allowed {
            self.peak_memory = self.peak_memory.max(desired);
        }
        Ok(allowed)
    }

    fn table_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        self.inner.table_growing(current, desired, maximum)
    }

    fn instances(&self) -> usize {
        self.inner.instances()
    }

    fn tables(&self) -> usize {
        self.inner.tables()
    }

    fn memories(&self) -> usize {
        self.inner.memories()
    }
}

/// The guest's compute time in the current call.
#[derive(Debug, Default)]
pub struct GuestClock {
    /// Compute time of the current call so far, not counting the running stretch.
    spent: Duration,
    /// When the guest last resumed, while it runs.
    since: Option<Instant>,
}

impl GuestClock {
    /// Compute time of the current call, the running stretch included.
    pub fn elapsed(&self) -> Duration {
        self.spent + self.since.map(|t| t.elapsed()).unwrap_or_default()
    }

    /// Start a new call at zero.
    pub fn reset(&mut self) {
        *self = GuestClock::default();
    }
}

/// Put the memory cap and the compute budget of `store` in force.
pub fn enforce(store: &mut Store<HostState>) {
    store.limiter(|s| &mut s.limits);
    store.call_hook(|mut ctx, hook| {
        let clock = &mut ctx.data_mut().guest_clock;
        match hook {
            CallHook::CallingWasm | CallHook::ReturningFromHost => clock.since = Some(Instant::now()),
            CallHook::CallingHost | CallHook::ReturningFromWasm => {
                if let Some(t) = clock.since.take() {
                    clock.spent += t.elapsed();
                }
            }
        }
        Ok(())
    });
    store.set_epoch_deadline(1);
    store.epoch_deadline_callback(|ctx| {
        let s = ctx.data();
        if s.guest_clock.elapsed() > s.cpu_budget {
            wasmtime::bail!(
                "the component exceeded its compute limit ({:?} of guest time in one call) and was stopped",
                s.cpu_budget
            );
        }
        Ok(UpdateDeadline::Continue(1))
    });
}

/// How long one epoch tick is: how late, at most, an overrun is noticed.
const TICK: Duration = Duration::from_millis(20);

/// Tick `engine`'s epoch until the engine is dropped.
pub fn start_ticker(engine: &Engine) {
    let weak = engine.weak();
    std::thread::spawn(move || {
        while let Some(engine) = weak.upgrade() {
            engine.increment_epoch();
            drop(engine);
            std::thread::sleep(TICK);
        }
    });
}
