//! The wasmtime embedding: one engine, the component compiled once and cached
//! on disk, pre-instantiated; per run a store with guest limits (memory cap,
//! a compute budget enforced by epochs) and the imports the component needs.

use crate::http_policy::HttpPolicy;
use crate::storage::{CommitBatch, NotificationIn, Storage, StoredRecord, TriggerIn};
use anyhow::Result;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use wasmtime::component::{Component, HasSelf, Linker, Resource, ResourceTable};
use wasmtime::{CallHook, Config, Engine, Store, StoreLimits, StoreLimitsBuilder, UpdateDeadline};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

wasmtime::component::bindgen!({
    path: "../wit",
    world: "woo:connector/connector",
    imports: { default: trappable },
    exports: { default: async },
    with: {
        "wasi:http": wasmtime_wasi_http::p2::bindings::http,
        "wasi:io": wasmtime_wasi::p2::bindings::io,
        "wasi:random": wasmtime_wasi::p2::bindings::random,
        "wasi:clocks": wasmtime_wasi::p2::bindings::clocks,
        "wasi:keyvalue/store.bucket": KvBucket,
    },
});

pub use exports::woo::connector::{connection as wit_connection, direct as wit_direct, sync as wit_sync, tools as wit_tools, webhook as wit_webhook};
pub use woo::connector::types as wit_types;

/// The component this `woo` was built with.
pub const COMPONENT_WASM: &[u8] = include_bytes!(env!("WOO_PLUGIN_WASM"));

/// An open key-value bucket (its name; the data lives in storage).
pub struct KvBucket {
    name: String,
}

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

/// Called with `(kind, done, total)` as an import progresses.
pub type ProgressFn = Box<dyn FnMut(&str, u64, u64) + Send>;

/// Everything a store carries.
pub struct HostState {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    pub policy: HttpPolicy,
    pub storage: Box<dyn Storage>,
    pub connection: String,
    limits: GuestLimits,
    pub progress: Option<ProgressFn>,
    /// Guest compute time of the current call, and when the guest last resumed.
    guest_time: Duration,
    guest_since: Option<Instant>,
    cpu_budget: Duration,
    /// Secrets that must never reach a log line.
    pub redact: Vec<String>,
    /// Time spent committing batches to storage (the benchmark reports it).
    pub commit_time: Duration,
    /// Time spent in the guest's key-value calls, and how many (the benchmark reports them).
    pub kv_time: Duration,
    pub kv_calls: u64,
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl WasiHttpView for HostState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: &mut self.policy }
    }
}

impl woo::connector::types::Host for HostState {}

impl woo::connector::platform::Host for HostState {
    fn commit(&mut self, batch: woo::connector::platform::Batch) -> wasmtime::Result<Result<Vec<bool>, String>> {
        let b = CommitBatch {
            records: batch.records.into_iter().map(|r| StoredRecord { kind: r.kind, id: r.id, body: r.body }).collect(),
            triggers: batch
                .triggers
                .into_iter()
                .map(|t| TriggerIn { name: t.name, order_id: t.order_id, contact_id: t.contact_id, time: t.time })
                .collect(),
            notifications: batch
                .notifications
                .into_iter()
                .map(|n| NotificationIn { topic: n.topic, recipient: n.recipient, subject: n.subject, body: n.body })
                .collect(),
            state: batch.state,
        };
        let t = Instant::now();
        let r = self.storage.commit(&self.connection, &b).map_err(|e| format!("{e:#}"));
        self.commit_time += t.elapsed();
        Ok(r)
    }

    fn progress(&mut self, kind: String, done: u64, total: u64) -> wasmtime::Result<()> {
        if let Some(p) = self.progress.as_mut() {
            p(&kind, done, total);
        }
        Ok(())
    }

    fn log(&mut self, level: woo::connector::platform::LogLevel, message: String) -> wasmtime::Result<()> {
        use woo::connector::platform::LogLevel;
        let level = match level {
            LogLevel::Debug => return Ok(()),
            LogLevel::Info => "info",
            LogLevel::Warn => "warning",
            LogLevel::Error => "error",
        };
        eprintln!("{level}: {}", crate::redact(&message, &self.redact));
        Ok(())
    }
}

impl wasi::keyvalue::store::Host for HostState {
    fn open(&mut self, identifier: String) -> wasmtime::Result<Result<Resource<KvBucket>, wasi::keyvalue::store::Error>> {
        Ok(Ok(self.table.push(KvBucket { name: identifier })?))
    }
}

impl HostState {
    /// One key-value call on this connection's storage, counted and timed
    /// for the benchmark.
    fn timed_kv<R>(&mut self, f: impl FnOnce(&mut dyn Storage, &str) -> Result<R>) -> Result<R, wasi::keyvalue::store::Error> {
        let t = Instant::now();
        let r = f(self.storage.as_mut(), &self.connection).map_err(kv_err);
        self.kv_time += t.elapsed();
        self.kv_calls += 1;
        r
    }
}

impl HostState {
    /// As `timed_kv`, for reads: an error is returned to end the call.
    fn timed_read<R>(&mut self, f: impl FnOnce(&mut dyn Storage, &str) -> Result<R>) -> wasmtime::Result<R> {
        let t = Instant::now();
        let r = f(self.storage.as_mut(), &self.connection).map_err(wasmtime::Error::from_anyhow);
        self.kv_time += t.elapsed();
        self.kv_calls += 1;
        r
    }
}

fn kv_err(e: anyhow::Error) -> wasi::keyvalue::store::Error {
    wasi::keyvalue::store::Error::Other(format!("{e:#}"))
}

impl wasi::keyvalue::store::HostBucket for HostState {
    // A read that fails (damaged database, credentials the key cannot open)
    // ends the call with the storage's error: the guest reads a failed read
    // as an absent value, which would turn a lost key into "not connected"
    // and a damaged database into a quiet, empty sync.
    fn get(&mut self, b: Resource<KvBucket>, key: String) -> wasmtime::Result<Result<Option<Vec<u8>>, wasi::keyvalue::store::Error>> {
        let name = self.table.get(&b)?.name.clone();
        Ok(Ok(self.timed_read(|s, c| s.kv_get(c, &name, &key))?))
    }
    fn set(&mut self, b: Resource<KvBucket>, key: String, value: Vec<u8>) -> wasmtime::Result<Result<(), wasi::keyvalue::store::Error>> {
        let name = self.table.get(&b)?.name.clone();
        Ok(self.timed_kv(|s, c| s.kv_set(c, &name, &key, &value)))
    }
    fn delete(&mut self, b: Resource<KvBucket>, key: String) -> wasmtime::Result<Result<(), wasi::keyvalue::store::Error>> {
        let name = self.table.get(&b)?.name.clone();
        Ok(self.timed_kv(|s, c| s.kv_delete(c, &name, &key)))
    }
    fn exists(&mut self, b: Resource<KvBucket>, key: String) -> wasmtime::Result<Result<bool, wasi::keyvalue::store::Error>> {
        let name = self.table.get(&b)?.name.clone();
        Ok(Ok(self.timed_read(|s, c| s.kv_get(c, &name, &key).map(|v| v.is_some()))?))
    }
    fn list_keys(
        &mut self,
        b: Resource<KvBucket>,
        _cursor: Option<u64>,
    ) -> wasmtime::Result<Result<wasi::keyvalue::store::KeyResponse, wasi::keyvalue::store::Error>> {
        let name = self.table.get(&b)?.name.clone();
        let keys = self.storage.kv_keys(&self.connection, &name).map_err(wasmtime::Error::from_anyhow)?;
        Ok(Ok(wasi::keyvalue::store::KeyResponse { keys, cursor: None }))
    }
    fn drop(&mut self, b: Resource<KvBucket>) -> wasmtime::Result<()> {
        self.table.delete(b)?;
        Ok(())
    }
}

/// The engine and the pre-instantiated component, shared by every run.
#[derive(Clone)]
pub struct Runtime {
    engine: Engine,
    pre: ConnectorPre<HostState>,
    limits: Limits,
}

/// How long one epoch tick is.
const TICK: Duration = Duration::from_millis(20);

impl Runtime {
    /// Build the engine, load the component (from the compiled cache when
    /// possible) and link every import.
    pub fn new(limits: Limits) -> Result<Runtime> {
        Self::with_component(COMPONENT_WASM, limits)
    }

    pub fn engine_config() -> Config {
        let mut config = Config::new();
        config.epoch_interruption(true);
        config.wasm_component_model(true);
        config
    }

    pub fn with_component(wasm: &[u8], limits: Limits) -> Result<Runtime> {
        let engine = Engine::new(&Self::engine_config())?;
        start_ticker(&engine);
        let component = load_cached(&engine, wasm)?;
        let mut linker: Linker<HostState> = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
        // Our own imports; WASI comes from wasmtime-wasi(-http) above.
        woo::connector::types::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s)?;
        woo::connector::platform::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s)?;
        wasi::keyvalue::store::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s)?;
        let pre = ConnectorPre::new(linker.instantiate_pre(&component)?)?;
        Ok(Runtime { engine, pre, limits })
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// A fresh store and instance over `storage` for `connection`.
    pub async fn session(&self, storage: Box<dyn Storage>, connection: &str, policy: HttpPolicy) -> Result<Session> {
        let mut store = new_store(&self.engine, self.limits, storage, connection, policy);
        let bindings = self.pre.instantiate_async(&mut store).await?;
        Ok(Session { store, bindings })
    }
}

/// The memory cap, and the largest linear memory the guest has asked for
/// (what the benchmark reports as peak guest memory).
pub struct GuestLimits {
    inner: StoreLimits,
    pub peak_memory: usize,
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

impl HostState {
    /// Guest compute time of the current call.
    pub fn guest_time(&self) -> Duration {
        self.guest_time
    }

    /// The largest guest linear memory so far, in bytes.
    pub fn peak_guest_memory(&self) -> usize {
        self.limits.peak_memory
    }
}

/// A store whose guest limits (memory, compute) are in force.
pub fn new_store(engine: &Engine, limits: Limits, storage: Box<dyn Storage>, connection: &str, policy: HttpPolicy) -> Store<HostState> {
    let state = HostState {
        wasi: WasiCtx::builder().inherit_stderr().build(),
        http: WasiHttpCtx::new(),
        table: ResourceTable::new(),
        policy,
        storage,
        connection: connection.to_string(),
        limits: GuestLimits { inner: StoreLimitsBuilder::new().memory_size(limits.memory_bytes).instances(4).build(), peak_memory: 0 },
        progress: None,
        guest_time: Duration::ZERO,
        guest_since: None,
        cpu_budget: limits.guest_cpu,
        redact: vec![],
        commit_time: Duration::ZERO,
        kv_time: Duration::ZERO,
        kv_calls: 0,
    };
    let mut store = Store::new(engine, state);
    store.limiter(|s| &mut s.limits);
    // Count only the time the guest itself runs: waiting on HTTP or storage
    // happens in the host and is not the guest's to spend.
    store.call_hook(|mut ctx, hook| {
        let s = ctx.data_mut();
        match hook {
            CallHook::CallingWasm | CallHook::ReturningFromHost => s.guest_since = Some(Instant::now()),
            CallHook::CallingHost | CallHook::ReturningFromWasm => {
                if let Some(t) = s.guest_since.take() {
                    s.guest_time += t.elapsed();
                }
            }
        }
        Ok(())
    });
    store.set_epoch_deadline(1);
    store.epoch_deadline_callback(|ctx| {
        let s = ctx.data();
        let running = s.guest_time + s.guest_since.map(|t| t.elapsed()).unwrap_or_default();
        if running > s.cpu_budget {
            wasmtime::bail!(
                "the component exceeded its compute limit ({:?} of guest time in one call) and was stopped",
                s.cpu_budget
            );
        }
        Ok(UpdateDeadline::Continue(1))
    });
    store
}

/// A running instance of the component.
pub struct Session {
    pub store: Store<HostState>,
    pub bindings: Connector,
}

impl Session {
    /// Reset the compute budget before each export call.
    pub fn begin_call(&mut self) {
        let s = self.store.data_mut();
        s.guest_time = Duration::ZERO;
        s.guest_since = None;
    }
}

static TICKER: AtomicBool = AtomicBool::new(false);

fn start_ticker(engine: &Engine) {
    let _ = TICKER.swap(true, Ordering::SeqCst);
    let weak = engine.weak();
    std::thread::spawn(move || {
        while let Some(engine) = weak.upgrade() {
            engine.increment_epoch();
            drop(engine);
            std::thread::sleep(TICK);
        }
    });
}

/// Where compiled components are cached.
fn cache_dir() -> PathBuf {
    if let Ok(d) = std::env::var("WOO_CACHE_DIR") {
        return PathBuf::from(d);
    }
    if let Ok(d) = std::env::var("XDG_CACHE_HOME") {
        return PathBuf::from(d).join("woo");
    }
    if let Ok(h) = std::env::var("HOME") {
        return PathBuf::from(h).join(".cache").join("woo");
    }
    std::env::temp_dir().join("woo-cache")
}

/// Compile `wasm`, or load the compiled artifact cached for these exact bytes
/// and this engine configuration.
pub fn load_cached(engine: &Engine, wasm: &[u8]) -> Result<Component> {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(wasm);
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    let mut hasher = std::hash::DefaultHasher::new();
    std::hash::Hash::hash(&engine.precompile_compatibility_hash(), &mut hasher);
    h.update(std::hash::Hasher::finish(&hasher).to_le_bytes());
    let key: String = h.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect();
    let dir = cache_dir();
    let path = dir.join(format!("woo-plugin-{key}.cwasm"));
    if path.exists() {
        // SAFETY: the file was written by `Component::serialize` of this same
        // engine configuration (its name carries the compatibility hash) in a
        // directory of ours; wasmtime also checks the header before use.
        if let Ok(c) = unsafe { Component::deserialize_file(engine, &path) } {
            return Ok(c);
        }
    }
    let component = Component::new(engine, wasm).map_err(|e| anyhow::Error::from(e).context("compiling the component"))?;
    if std::fs::create_dir_all(&dir).is_ok()
        && let Ok(bytes) = component.serialize()
    {
        let tmp = dir.join(format!(".{key}.{}.tmp", std::process::id()));
        if std::fs::write(&tmp, bytes).is_ok() {
            let _ = std::fs::rename(&tmp, &path);
        }
    }
    Ok(component)
}

/// Arc'd so tests can share one compiled runtime.
pub type SharedRuntime = Arc<Runtime>;
