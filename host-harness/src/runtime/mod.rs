//! The wasmtime embedding: one engine, the component compiled once and cached
//! on disk (`cache.rs`), pre-instantiated; per run a store with the guest's
//! limits ([`limits`]) and the imports the component needs: `platform`
//! (`platform.rs`), `wasi:keyvalue` (`keyvalue.rs`), and `wasi:http` through
//! the host's [`HttpPolicy`].

mod cache;
mod keyvalue;
pub mod limits;
mod platform;

pub use cache::load_cached;
pub use limits::Limits;
pub use platform::redact;

use crate::http_policy::HttpPolicy;
use crate::http_pool::StorePool;
use crate::storage::Storage;
use crate::wit::{Connector, ConnectorPre};
use anyhow::Result;
use limits::{GuestClock, GuestLimits};
use std::sync::Arc;
use std::time::Duration;
use wasmtime::component::{HasSelf, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

/// The component this `woo` was built with.
pub const COMPONENT_WASM: &[u8] = include_bytes!(env!("WOO_PLUGIN_WASM"));

/// Called with `(kind, done, total)` as an import progresses.
pub type ProgressFn = Box<dyn FnMut(&str, u64, u64) + Send>;

/// Everything a store carries: the connection's storage, the outbound
/// policy, the guest's limits and what the benchmark measures.
pub struct HostState {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    /// Where the guest may send requests; changeable between calls.
    pub policy: HttpPolicy,
    /// The connection's records and the component's state.
    pub storage: Box<dyn Storage>,
    /// The connection this instance acts for.
    pub connection: String,
    limits: GuestLimits,
    /// Told how an import progresses, if anyone listens.
    pub progress: Option<ProgressFn>,
    guest_clock: GuestClock,
    cpu_budget: Duration,
    /// Secrets that must never reach a log line.
    pub redact: Vec<String>,
    /// Time spent committing batches to storage (the benchmark reports it).
    pub commit_time: Duration,
    /// Time spent in the guest's key-value calls (the benchmark reports it).
    pub kv_time: Duration,
    /// How many key-value calls the guest made (the benchmark reports it).
    pub kv_calls: u64,
}

impl HostState {
    /// Guest compute time of the current call.
    pub fn guest_time(&self) -> Duration {
        self.guest_clock.elapsed()
    }

    /// The largest guest linear memory so far, in bytes.
    pub fn peak_guest_memory(&self) -> usize {
        self.limits.peak_memory
    }
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

/// The engine and the pre-instantiated component, shared by every run.
#[derive(Clone)]
pub struct Runtime {
    engine: Engine,
    pre: ConnectorPre<HostState>,
    limits: Limits,
    pool: Arc<StorePool>,
}

impl Runtime {
    /// Build the engine, load the component (from the compiled cache when
    /// possible) and link every import.
    pub fn new(limits: Limits) -> Result<Runtime> {
        Self::with_component(COMPONENT_WASM, limits)
    }

    /// The engine configuration every run uses (and the compiled cache is keyed on).
    pub fn engine_config() -> Config {
        let mut config = Config::new();
        config.epoch_interruption(true);
        config.wasm_component_model(true);
        config
    }

    /// As [`Runtime::new`], for the component `wasm`.
    pub fn with_component(wasm: &[u8], limits: Limits) -> Result<Runtime> {
        let engine = Engine::new(&Self::engine_config())?;
        limits::start_ticker(&engine);
        let component = load_cached(&engine, wasm)?;
        let mut linker: Linker<HostState> = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
        // Our own imports; WASI comes from wasmtime-wasi(-http) above.
        crate::wit::types::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s)?;
        crate::wit::platform::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s)?;
        crate::wit::keyvalue::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s)?;
        crate::wit::keyvalue_batch::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s)?;
        let pre = ConnectorPre::new(linker.instantiate_pre(&component)?)?;
        Ok(Runtime { engine, pre, limits, pool: StorePool::new() })
    }

    /// The engine (the benchmark compiles with it).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The loaded component (its exports can be listed from its type).
    pub fn component(&self) -> &wasmtime::component::Component {
        self.pre.instance_pre().component()
    }

    /// The connections kept to stores, shared by every session of this runtime.
    pub fn pool(&self) -> &Arc<StorePool> {
        &self.pool
    }

    /// A fresh store and instance over `storage` for `connection`; its
    /// requests go out on this runtime's kept connections.
    pub async fn session(
        &self,
        storage: Box<dyn Storage>,
        connection: &str,
        mut policy: HttpPolicy,
    ) -> Result<Session> {
        policy.pool = self.pool.clone();
        let mut store = new_store(&self.engine, self.limits, storage, connection, policy);
        let bindings = self.pre.instantiate_async(&mut store).await?;
        Ok(Session { store, bindings })
    }
}

/// A store whose guest limits (memory, compute) are in force.
pub fn new_store(
    engine: &Engine,
    limits: Limits,
    storage: Box<dyn Storage>,
    connection: &str,
    policy: HttpPolicy,
) -> Store<HostState> {
    let state = HostState {
        wasi: WasiCtx::builder().inherit_stderr().build(),
        http: WasiHttpCtx::new(),
        table: ResourceTable::new(),
        policy,
        storage,
        connection: connection.to_string(),
        limits: GuestLimits::new(limits.memory_bytes),
        progress: None,
        guest_clock: GuestClock::default(),
        cpu_budget: limits.guest_cpu,
        redact: vec![],
        commit_time: Duration::ZERO,
        kv_time: Duration::ZERO,
        kv_calls: 0,
    };
    let mut store = Store::new(engine, state);
    limits::enforce(&mut store);
    store
}

/// A running instance of the component.
pub struct Session {
    /// The store: the host's state for this instance.
    pub store: Store<HostState>,
    /// The component's exports.
    pub bindings: Connector,
}

impl Session {
    /// Reset the compute budget before each export call.
    pub fn begin_call(&mut self) {
        self.store.data_mut().guest_clock.reset();
    }

    /// The host's state for this instance.
    pub fn state(&mut self) -> &mut HostState {
        self.store.data_mut()
    }

    /// The instance's storage, for the host's own reads and writes.
    pub fn storage(&mut self) -> &mut dyn Storage {
        self.store.data_mut().storage.as_mut()
    }

    /// The component's state of this connection: the store it is connected
    /// to, the connection state, the WooCommerce version. Sends no request.
    pub async fn connection_status(&mut self) -> Result<crate::wit::connection::StoreInfo> {
        self.begin_call();
        self.bindings
            .woo_connector_connection()
            .call_status(&mut self.store)
            .await?
            .map_err(|e| anyhow::anyhow!(crate::wit::error_message(&e)))
    }

    /// When each kind last synced, as the component keeps it. Sends no request.
    pub async fn sync_status(&mut self) -> Result<crate::wit::sync::SyncStatus> {
        self.begin_call();
        self.bindings
            .woo_connector_sync()
            .call_status(&mut self.store)
            .await?
            .map_err(|e| anyhow::anyhow!(crate::wit::error_message(&e)))
    }

    /// The instance's storage back, the instance dropped.
    pub fn into_storage(self) -> Box<dyn Storage> {
        self.store.into_data().storage
    }
}
