//! `woo`: run the woo-connector component against a WooCommerce store.

use anyhow::{Result, bail};
use clap::{Parser, Subcommand};
use woo_plugin::env::bucket;
use woo_plugin::settings::{CONCURRENCY_KEY, DEFAULT_CONCURRENCY, MAX_CONCURRENCY};
use serde_json::{Value, json};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Instant;
use woo_host::runtime::{Limits, Runtime, Session, wit_connection, wit_sync, wit_types};
use woo_host::sim::{Faults, SeedSpec, SimConfig, Simulator};
use woo_host::storage::Storage;
use woo_host::storage::sqlite::SqliteStorage;
// Every result line goes through `woo_host::output`: a reader that has gone
// (`woo status | head -1`) ends the command quietly with 0 instead of a panic.
use woo_host::outln as println;

#[derive(Parser)]
#[command(name = "woo", version, about = "A WooCommerce connector: a WebAssembly component and its host")]
struct Cli {
    /// Where records and state live: a SQLite file (default woo.db) or a
    /// PostgreSQL URL, postgres://USER:PASS@HOST:PORT/DB (shared by workers).
    #[arg(long, global = true, env = "WOO_DB", hide_env_values = true)]
    db: Option<String>,
    /// Which connection (store) the command acts on: letters, digits, `-`,
    /// `_`, `.`, at most 64 (the names `woo serve` routes).
    #[arg(long, global = true, env = "WOO_CONNECTION", default_value = "default", value_parser = connection_name)]
    connection: String,
    /// Trust this extra CA certificate (PEM) for HTTPS stores.
    #[arg(long, global = true)]
    ca_cert: Option<PathBuf>,
    /// Print results as JSON.
    #[arg(long, global = true)]
    json: bool,
    /// Guest memory cap in MiB.
    #[arg(long, global = true, default_value_t = 512)]
    guest_memory_mib: usize,
    /// Guest compute time allowed per call, in seconds (time spent waiting on
    /// the store does not count).
    #[arg(long, global = true, default_value_t = 60)]
    guest_cpu_seconds: u64,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start a simulated store on loopback, connect, import everything, print a summary.
    Demo {
        #[arg(long, default_value_t = 300)]
        customers: u64,
        #[arg(long, default_value_t = 1500)]
        orders: u64,
        #[arg(long, default_value_t = 150)]
        products: u64,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Run the store simulator until stopped.
    Simulate {
        /// Plain HTTP address; HTTPS listens on the next port.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        #[arg(long, default_value_t = 50)]
        customers: u64,
        #[arg(long, default_value_t = 200)]
        orders: u64,
        #[arg(long, default_value_t = 40)]
        products: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// WooCommerce version to simulate.
        #[arg(long, default_value = woo_host::sim::DEFAULT_VERSION)]
        version: String,
        #[arg(long, default_value_t = 0)]
        latency_ms: u64,
        /// e.g. `429=5,500=7,reset=11,truncate=13,revoked,gone`.
        #[arg(long, default_value = "")]
        faults: String,
    },
    /// Verify and save a store connection, then import the selected kinds.
    Connect {
        #[arg(long, env = "WOO_STORE_URL")]
        store: String,
        #[arg(long, env = "WOO_CONSUMER_KEY", hide_env_values = true)]
        key: String,
        #[arg(long, env = "WOO_CONSUMER_SECRET", hide_env_values = true)]
        secret: String,
        #[arg(long, env = "WOO_OWNER_EMAIL")]
        owner_email: Option<String>,
        /// `all`, `none` or a comma list of contacts,orders,transactions,products,collections.
        #[arg(long, default_value = "all")]
        import: String,
        /// OAuth 1.0a signature method over plain HTTP: hmac-sha256 or hmac-sha1.
        #[arg(long, default_value = "hmac-sha256")]
        signature_method: String,
        /// Ongoing sync: `all`, `none` or a comma list of
        /// contacts,orders,transactions,products,collections,order-submitted,payment-received.
        #[arg(long, default_value = "all")]
        sync: String,
        /// Verify and save the connection but leave its first import to `woo worker`.
        #[arg(long)]
        defer: bool,
    },
    /// The connections in this database, with their state and last sync.
    Connections,
    /// Sync due connections until stopped: claim one with a lease, run its
    /// (first import or incremental) pass, release it. Any number of workers
    /// can share one PostgreSQL database.
    Worker {
        /// Stop once no connection that was due when the worker started is left.
        #[arg(long)]
        once: bool,
        /// Connections synced at the same time by this worker.
        #[arg(long, default_value_t = 1)]
        concurrency: usize,
        /// Seconds a lease lasts unless renewed (a dead worker's connections
        /// are taken over after this).
        #[arg(long, default_value_t = 60)]
        lease_seconds: u64,
        /// Seconds between two passes of one connection.
        #[arg(long, default_value_t = 60)]
        interval: u64,
        /// This worker's name in the lease log (default host-pid).
        #[arg(long)]
        name: Option<String>,
    },
    /// Stores synced per minute by 1, 2 and 4 workers over PostgreSQL (a ratio table).
    BenchFleet {
        #[arg(long, default_value_t = 24)]
        stores: usize,
        #[arg(long, default_value_t = 20)]
        latency_ms: u64,
        /// Worker counts to compare.
        #[arg(long, default_value = "1,2,4")]
        workers: String,
    },
    /// One incremental sync pass over what the settings enable (or a loop with --watch).
    Sync {
        #[arg(long)]
        watch: bool,
        /// Seconds between passes with --watch (products every 5 minutes).
        #[arg(long, default_value_t = 60)]
        interval: u64,
        /// Seconds between product passes with --watch.
        #[arg(long, default_value_t = 300)]
        product_interval: u64,
        /// Stop --watch after this many passes (0 = until stopped).
        #[arg(long, default_value_t = 0, hide = true)]
        passes: u64,
    },
    /// Show or change the ongoing-sync settings.
    Settings {
        #[arg(long)]
        enable: Option<String>,
        #[arg(long)]
        disable: Option<String>,
        /// Pages in flight during import and sync (1 to 16; default 4). A 429 halves it for the rest of a list.
        #[arg(long)]
        concurrency: Option<u64>,
    },
    /// The store's webhooks.
    Webhooks {
        #[command(subcommand)]
        action: WebhooksAction,
    },
    /// Receive webhook deliveries (POST /webhooks) and the wc-auth callback (POST /wc-auth/callback).
    Serve {
        #[arg(long, default_value = "127.0.0.1:8088")]
        listen: std::net::SocketAddr,
        /// A request's headers must arrive within this (it also closes idle keep-alive connections).
        #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
        header_timeout_ms: u64,
        /// A request's body must arrive within this.
        #[arg(long, default_value_t = 30_000, value_parser = clap::value_parser!(u64).range(1..))]
        body_timeout_ms: u64,
        /// Open connections at most (also kept under the open-file limit); at the cap the one idle longest is closed.
        #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u64).range(16..=1_000_000))]
        max_connections: u64,
        /// Request bodies buffered at once, all requests together, in MiB; beyond it a request is answered 503.
        #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(8..=65_536))]
        max_buffered_mib: u64,
        /// On SIGTERM or ctrl-c, how long requests in flight may take to finish.
        #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(0..=600_000))]
        grace_ms: u64,
    },
    /// Print the WooCommerce app-authorisation URL (scope read_write).
    AuthorizeUrl {
        #[arg(long, env = "WOO_STORE_URL")]
        store: String,
        #[arg(long)]
        return_url: String,
        #[arg(long)]
        callback_url: String,
        #[arg(long, default_value = "1")]
        user_id: String,
        #[arg(long, default_value = "woo-connector")]
        app_name: String,
    },
    /// (Re)run the first import of the selected kinds; resumes an interrupted one.
    Import {
        #[arg(long, default_value = "all")]
        kinds: String,
    },
    /// Connection state, store, WooCommerce version and record counts.
    Status,
    /// Print the platform records as JSON Lines, sorted by kind then id.
    Export {
        #[arg(long)]
        kind: Option<String>,
        /// Only products whose SKU (or a variant's) is this, ignoring case.
        #[arg(long)]
        sku: Option<String>,
        /// Only products whose GTIN/UPC/EAN/ISBN (or a variant's) is this.
        #[arg(long)]
        gtin: Option<String>,
    },
    /// Send data back to WooCommerce: stock, shipments, contact changes.
    Push {
        #[command(subcommand)]
        what: PushWhat,
    },
    /// List the tools with their JSON Schemas.
    Tools,
    /// Call one tool; prints its JSON result.
    Tool {
        name: String,
        #[arg(long, default_value = "{}")]
        args: String,
    },
    /// Forget the credentials and cursors; records stay.
    Disconnect,
    /// Serve the tools over the Model Context Protocol on stdio.
    Mcp,
    /// Measure import speed, requests, memory, start-up and the peers; prints a Markdown table.
    Bench {
        #[arg(long, default_value_t = 10_000)]
        customers: u64,
        #[arg(long, default_value_t = 50_000)]
        orders: u64,
        #[arg(long, default_value_t = 2_000)]
        products: u64,
        #[arg(long, default_value_t = 20)]
        latency_ms: u64,
        /// A Python with `woocommerce` and `airbyte-source-woocommerce` installed (bench/run.sh makes one).
        #[arg(long)]
        python: Option<PathBuf>,
        /// Stop a peer still running after this many seconds (its time then counts as at least this).
        #[arg(long, default_value_t = 240)]
        peer_seconds: u64,
    },
}

#[derive(Subcommand)]
enum PushWhat {
    /// Set stock levels by SKU, product id or variation id (one, or a file of many).
    Stock {
        #[arg(long, conflicts_with_all = ["product", "variation", "file"])]
        sku: Option<String>,
        #[arg(long, conflicts_with_all = ["variation", "file"])]
        product: Option<u64>,
        #[arg(long, conflicts_with = "file")]
        variation: Option<u64>,
        #[arg(long, allow_hyphen_values = true, required_unless_present = "file")]
        quantity: Option<i64>,
        /// Lines `TARGET,QUANTITY`: TARGET is a SKU, `product:ID` or `variation:ID`; `#` comments.
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// Add a customer-visible tracking note and complete the order (once per shipment).
    Shipment {
        #[arg(long)]
        order: u64,
        #[arg(long)]
        carrier: String,
        #[arg(long)]
        tracking_number: String,
        #[arg(long)]
        tracking_url: Option<String>,
    },
    /// Update a registered customer: `--set field=value`, repeated.
    Contact {
        /// The contact id, e.g. woo:customer:42.
        #[arg(long)]
        id: String,
        #[arg(long = "set", value_name = "FIELD=VALUE", required = true)]
        set: Vec<String>,
    },
}

/// `--connection`: a name `serve` can route to, or a usage error (exit 2).
fn connection_name(name: &str) -> Result<String, String> {
    if woo_host::wc_auth::is_routable_connection(name) {
        Ok(name.to_string())
    } else {
        Err("a connection name is 1 to 64 letters, digits, `-`, `_` or `.`".into())
    }
}

/// The `push-stock` items of `woo push stock`.
fn stock_items(sku: Option<String>, product: Option<u64>, variation: Option<u64>, quantity: Option<i64>, file: Option<PathBuf>) -> Result<Vec<Value>> {
    let bad = |message: String| ComponentError { code: exit::INVALID_INPUT, message };
    let item = |target: &str, q: i64| -> Result<Value, ComponentError> {
        let target = target.trim();
        Ok(if let Some(id) = target.strip_prefix("product:") {
            json!({"product_id": id.trim().parse::<u64>().map_err(|_| bad(format!("`{target}`: product:ID needs a number")))?, "quantity": q})
        } else if let Some(id) = target.strip_prefix("variation:") {
            json!({"variation_id": id.trim().parse::<u64>().map_err(|_| bad(format!("`{target}`: variation:ID needs a number")))?, "quantity": q})
        } else {
            json!({"sku": target, "quantity": q})
        })
    };
    if let Some(path) = file {
        let text = std::fs::read_to_string(&path).map_err(|e| bad(format!("--file {}: {e}", path.display())))?;
        let mut items = vec![];
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || (n == 0 && line.to_ascii_lowercase().starts_with("sku,")) {
                continue;
            }
            let (target, q) = line.rsplit_once(',').ok_or_else(|| bad(format!("--file line {}: expected TARGET,QUANTITY", n + 1)))?;
            let q: i64 = q.trim().parse().map_err(|_| bad(format!("--file line {}: `{}` is not a whole number", n + 1, q.trim())))?;
            items.push(item(target, q)?);
        }
        if items.is_empty() {
            return Err(bad(format!("--file {}: no stock lines", path.display())).into());
        }
        return Ok(items);
    }
    let q = quantity.ok_or_else(|| bad("--quantity is required".into()))?;
    Ok(vec![match (sku, product, variation) {
        (Some(s), None, None) => json!({"sku": s, "quantity": q}),
        (None, Some(p), None) => json!({"product_id": p, "quantity": q}),
        (None, None, Some(v)) => json!({"variation_id": v, "quantity": q}),
        _ => return Err(bad("give one of --sku, --product, --variation or --file".into()).into()),
    }])
}

/// Whether a product record carries `value` in `field`, itself or in a variant.
fn product_has(record: &Value, field: &str, value: &str) -> bool {
    let hit = |v: &Value| v[field].as_str().is_some_and(|s| !s.is_empty() && s.eq_ignore_ascii_case(value));
    hit(record) || record["variants"].as_array().is_some_and(|vs| vs.iter().any(hit))
}

#[derive(Subcommand)]
enum WebhooksAction {
    /// Create the store's order/customer/product webhooks with a new secret.
    Register {
        #[arg(long)]
        delivery_url: String,
    },
}

/// Exit codes scripts rely on: 0 ok, 2 bad input, 3 the connection needs
/// (re)connecting with working credentials, 4 a record was not found (tools),
/// 1 any other failure.
mod exit {
    pub const FAILURE: i32 = 1;
    pub const INVALID_INPUT: i32 = 2;
    pub const AUTH: i32 = 3;
    pub const NOT_FOUND: i32 = 4;
    pub const REMOTE: i32 = 1;
}

/// An error from the component, with its exit code.
#[derive(Debug)]
struct ComponentError {
    code: i32,
    message: String,
}

impl std::fmt::Display for ComponentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ComponentError {}

/// `--args @FILE`: the file's text, read up to the tool-argument limit and
/// refused beyond it (a device such as /dev/zero never ends).
fn read_args_file(path: &str) -> Result<String, ComponentError> {
    use std::io::Read;
    let limit = woo_plugin::tools::MAX_ARGUMENT_BYTES;
    let bad = |message: String| ComponentError { code: exit::INVALID_INPUT, message: format!("--args @{path}: {message}") };
    let file = std::fs::File::open(path).map_err(|e| bad(e.to_string()))?;
    let mut bytes = Vec::new();
    file.take(limit as u64 + 1).read_to_end(&mut bytes).map_err(|e| bad(e.to_string()))?;
    if bytes.len() > limit {
        return Err(bad(format!("larger than {} MiB, the tool argument limit", limit >> 20)));
    }
    String::from_utf8(bytes).map_err(|_| bad("is not UTF-8 text".into()))
}

fn describe(e: &wit_types::Error) -> ComponentError {
    use wit_types::Error as E;
    let code = match e {
        E::Auth(_) | E::ReconnectRequired(_) => exit::AUTH,
        E::NotFound(_) => exit::NOT_FOUND,
        E::InvalidInput(_) | E::NotConnected => exit::INVALID_INPUT,
        E::Forbidden(_) | E::RateLimited(_) | E::Remote(_) | E::Transport(_) => exit::REMOTE,
    };
    ComponentError { code, message: woo_host::error_message(e) }
}

fn parse_kinds(list: &str, flag: &str) -> Result<Vec<wit_types::Kind>> {
    use wit_types::Kind;
    let all = vec![Kind::Contacts, Kind::Orders, Kind::Transactions, Kind::Products, Kind::Collections];
    match list.trim() {
        "all" => return Ok(all),
        "none" | "" => return Ok(vec![]),
        _ => {}
    }
    let mut out = vec![];
    for item in list.split(',').map(str::trim) {
        let Some(k) = woo_host::worker::kind_from_name(item) else {
            bail!(ComponentError {
                code: exit::INVALID_INPUT,
                message: format!("{flag}: unknown kind `{item}` (use all, none, or contacts,orders,transactions,products,collections)")
            })
        };
        if !out.contains(&k) {
            out.push(k);
        }
    }
    Ok(out)
}

const SETTING_NAMES: [&str; 7] = ["contacts", "orders", "transactions", "products", "collections", "order-submitted", "payment-received"];

fn setting_mut<'a>(s: &'a mut wit_sync::Settings, name: &str) -> Option<&'a mut bool> {
    Some(match name {
        "contacts" => &mut s.contacts,
        "orders" => &mut s.orders,
        "transactions" => &mut s.transactions,
        "products" => &mut s.products,
        "collections" => &mut s.collections,
        "order-submitted" => &mut s.order_submitted,
        "payment-received" => &mut s.payment_received,
        _ => return None,
    })
}

/// Set the named settings to `value` (`all`, `none` or a comma list).
fn apply_settings(s: &mut wit_sync::Settings, list: &str, value: bool, flag: &str) -> Result<()> {
    let names: Vec<&str> = match list.trim() {
        "all" => SETTING_NAMES.to_vec(),
        "none" | "" => vec![],
        l => l.split(',').map(str::trim).collect(),
    };
    for n in names {
        match setting_mut(s, n) {
            Some(b) => *b = value,
            None => bail!(ComponentError { code: exit::INVALID_INPUT, message: format!("{flag}: unknown setting `{n}` (use {})", SETTING_NAMES.join(",")) }),
        }
    }
    Ok(())
}

fn settings_json(s: &wit_sync::Settings) -> Value {
    json!({"contacts": s.contacts, "orders": s.orders, "transactions": s.transactions, "products": s.products, "collections": s.collections, "order-submitted": s.order_submitted, "payment-received": s.payment_received})
}

use woo_host::worker::kind_name;

struct App {
    runtime: Runtime,
    db: Option<String>,
    connection: String,
    ca_cert: Option<PathBuf>,
    json: bool,
}

use woo_host::session::HOST_BUCKET;

impl App {
    fn storage(&self) -> Result<Box<dyn Storage>> {
        Ok(match &self.db {
            Some(db) => woo_host::storage::open_checked(db)?,
            None => Box::new(SqliteStorage::memory()?),
        })
    }

    /// A session allowed to reach `store_url` (or the saved store).
    async fn session(&self, store_url: Option<&str>) -> Result<Session> {
        self.session_on(self.storage()?, store_url).await
    }

    /// As `session`, on the given storage.
    async fn session_on(&self, storage: Box<dyn Storage>, store_url: Option<&str>) -> Result<Session> {
        let mut session = woo_host::session::open(&self.runtime, storage, &self.connection, store_url, self.ca_cert.as_deref()).await?;
        let show = std::io::stderr().is_terminal();
        session.store.data_mut().progress = Some(Box::new(move |kind, done, total| {
            if show {
                let bar = if total > 0 {
                    let filled = (done.min(total) * 30 / total) as usize;
                    format!("[{}{}] {done}/{total}", "#".repeat(filled), " ".repeat(30 - filled))
                } else {
                    format!("{done}")
                };
                eprint!("\r\x1b[2Kimporting {kind:<12} {bar}");
                let _ = std::io::stderr().flush();
            }
        }));
        Ok(session)
    }

    async fn connect(&self, store: &str, key: &str, secret: &str, owner: Option<String>, sig: &str) -> Result<(Session, wit_connection::StoreInfo)> {
        let signature_method = match sig {
            "hmac-sha256" => wit_connection::SignatureMethod::HmacSha256,
            "hmac-sha1" => wit_connection::SignatureMethod::HmacSha1,
            other => bail!(ComponentError { code: exit::INVALID_INPUT, message: format!("--signature-method: `{other}` is not hmac-sha256 or hmac-sha1") }),
        };
        // Before any request: a store name that resolves to a link-local
        // address (cloud metadata) is bad input (the host refuses it anyway).
        if let Some((_, authority)) = woo_host::http_policy::scheme_authority(store.trim())
            && let Err(woo_host::http_policy::Unreachable::LinkLocal(ip)) = woo_host::http_policy::store_addresses(&authority).await
        {
            bail!(ComponentError { code: exit::INVALID_INPUT, message: format!("invalid store_url: its host is or resolves to the link-local address {ip}, where cloud metadata services answer, never a store") });
        }
        let mut s = self.session(Some(store)).await?;
        s.store.data_mut().redact = vec![key.to_string(), secret.to_string()];
        let cfg = wit_connection::ConnectConfig {
            store_url: store.to_string(),
            consumer_key: key.to_string(),
            consumer_secret: secret.to_string(),
            signature_method: Some(signature_method),
            owner_email: owner,
        };
        s.begin_call();
        let info = s.bindings.woo_connector_connection().call_connect(&mut s.store, &cfg).await?;
        let info = info.map_err(|e| describe(&e))?;
        for w in &info.warnings {
            eprintln!("warning: {w}");
        }
        Ok((s, info))
    }

    async fn import(&self, s: &mut Session, kinds: &[wit_types::Kind]) -> Result<wit_sync::Report> {
        s.begin_call();
        let r = s.bindings.woo_connector_sync().call_import(&mut s.store, kinds).await;
        if std::io::stderr().is_terminal() {
            eprintln!();
        }
        Ok(r?.map_err(|e| describe(&e))?)
    }

    async fn settings(&self, s: &mut Session) -> Result<wit_sync::Settings> {
        Ok(s.bindings.woo_connector_sync().call_get_settings(&mut s.store).await?)
    }

    async fn set_settings(&self, s: &mut Session, settings: &wit_sync::Settings) -> Result<()> {
        s.bindings.woo_connector_sync().call_set_settings(&mut s.store, *settings).await?.map_err(|e| describe(&e))?;
        Ok(())
    }

    async fn sync_pass(&self, s: &mut Session, kinds: Option<&[wit_types::Kind]>) -> Result<wit_sync::Report> {
        s.begin_call();
        let kinds: Option<Vec<wit_types::Kind>> = kinds.map(|k| k.to_vec());
        let r = s.bindings.woo_connector_sync().call_sync_pass(&mut s.store, kinds.as_deref()).await?;
        Ok(r.map_err(|e| describe(&e))?)
    }

    fn print_report(&self, r: &wit_sync::Report, elapsed: f64, extra: Value) {
        if self.json {
            let kinds: Vec<Value> = r.kinds.iter().map(|k| json!({"kind": kind_name(k.kind), "records": k.records, "created": k.created, "updated": k.updated, "skipped": k.skipped, "malformed": k.malformed})).collect();
            let mut v = json!({"kinds": kinds, "requests": r.requests, "triggers": r.triggers, "seconds": elapsed});
            if let (Value::Object(m), Value::Object(e)) = (&mut v, extra) {
                m.extend(e);
            }
            println!("{v}");
            return;
        }
        println!("{:<14} {:>9} {:>9} {:>9} {:>9} {:>9}", "kind", "records", "created", "updated", "skipped", "malformed");
        for k in &r.kinds {
            println!("{:<14} {:>9} {:>9} {:>9} {:>9} {:>9}", kind_name(k.kind), k.records, k.created, k.updated, k.skipped, k.malformed);
        }
        let total: u64 = r.kinds.iter().map(|k| k.records).sum();
        println!("{total} records, {} triggers, {} requests in {elapsed:.2}s ({:.0} records/s)", r.triggers, r.requests, total as f64 / elapsed.max(1e-9));
    }
}

async fn run(cli: Cli) -> Result<()> {
    let limits = Limits { memory_bytes: cli.guest_memory_mib << 20, guest_cpu: std::time::Duration::from_secs(cli.guest_cpu_seconds) };
    let demo = matches!(cli.command, Command::Demo { .. });
    let db = match (&cli.db, demo) {
        (Some(p), _) => Some(p.clone()),
        (None, true) => None,
        (None, false) => Some("woo.db".to_string()),
    };
    if let Command::Simulate { listen, customers, orders, products, seed, version, latency_ms, faults } = cli.command {
        let mut f = Faults::parse(&faults)?;
        if latency_ms > 0 {
            f.latency_ms = latency_ms;
        }
        let https = std::net::SocketAddr::new(listen.ip(), if listen.port() == 0 { 0 } else { listen.port() + 1 });
        let sim = Simulator::start(SimConfig { seed: SeedSpec { customers, orders, products, seed }, version, faults: f, listen, https_listen: Some(https) }).await?;
        println!("http: {}", sim.http_url);
        println!("https: {}", sim.https_url);
        println!("ca_cert: {}", sim.ca_cert.display());
        println!("consumer_key: {}", sim.consumer_key);
        println!("consumer_secret: {}", sim.consumer_secret);
        woo_host::output::checked(std::io::stdout().flush());
        tokio::signal::ctrl_c().await?;
        return Ok(());
    }
    let app = App { runtime: Runtime::new(limits)?, db, connection: cli.connection.clone(), ca_cert: cli.ca_cert.clone(), json: cli.json };
    match cli.command {
        Command::Simulate { .. } => unreachable!("handled above"),
        Command::Demo { customers, orders, products, seed } => {
            let started = Instant::now();
            let sim = Simulator::start(SimConfig { seed: SeedSpec { customers, orders, products, seed }, ..Default::default() }).await?;
            eprintln!("simulated store at {} (WooCommerce {})", sim.https_url, woo_host::sim::DEFAULT_VERSION);
            let app = App { ca_cert: Some(sim.ca_cert.clone()), ..app };
            let (mut s, info) = app.connect(&sim.https_url, &sim.consumer_key, &sim.consumer_secret, Some("owner@example.test".into()), "hmac-sha256").await?;
            eprintln!("connected ({}, WooCommerce {})", info.auth_method, info.woocommerce_version.clone().unwrap_or_default());
            let t = Instant::now();
            let report = app.import(&mut s, &parse_kinds("all", "--import")?).await?;
            let elapsed = t.elapsed().as_secs_f64();
            if !app.json {
                println!("woo demo: simulated store with {customers} customers, {orders} orders, {products} products");
            }
            if app.json {
                app.print_report(&report, elapsed, json!({"phase": "import", "store": {"customers": customers, "orders": orders, "products": products}, "total_seconds": started.elapsed().as_secs_f64()}));
            } else {
                app.print_report(&report, elapsed, json!({}));
            }
            // A change set in the store, then the incremental sync that follows.
            let st = sim.state.clone();
            let (unpaid, product, buyer) = {
                let d = st.data.write().map_err(|_| anyhow::anyhow!("simulator state poisoned"))?;
                let unpaid = d.orders.iter().find(|o| o["status"] == "on-hold" && o["date_paid_gmt"].is_null()).and_then(|o| o["id"].as_u64());
                let product = d.products.iter().find(|p| p["type"] == "simple" && p["status"] == "publish" && p["price"].as_str().is_some_and(|x| !x.is_empty() && x != "0")).and_then(|p| p["id"].as_u64());
                let buyer = d.customers.iter().find(|c| c["role"] == "customer").map(|c| (c["id"].as_u64().unwrap_or(0), c["email"].as_str().unwrap_or("").to_string()));
                (unpaid, product, buyer)
            };
            let (buyer_id, buyer_email) = buyer.unwrap_or((0, "shopper@example.test".into()));
            st.place_order(buyer_id, &buyer_email, true);
            st.place_order(0, "walk.in.guest@example.test", false);
            if let Some(id) = unpaid {
                st.update_order(id, json!({"status": "processing"}));
            }
            if let Some(id) = product {
                st.update_product(id, json!({"status": "draft"}));
            }
            if !app.json {
                println!();
                println!("store changes: 2 new orders (1 paid), order {} paid, product {} unpublished", unpaid.unwrap_or(0), product.unwrap_or(0));
            }
            let t = Instant::now();
            let report = app.sync_pass(&mut s, None).await?;
            let fired: Vec<Value> = s
                .store
                .data_mut()
                .storage
                .records(&app.connection, Some("trigger"))?
                .into_iter()
                .filter_map(|r| serde_json::from_str::<Value>(&r.body).ok())
                .map(|v| json!({"trigger": v["trigger"], "order_id": v["order_id"]}))
                .collect();
            if app.json {
                app.print_report(&report, t.elapsed().as_secs_f64(), json!({"phase": "sync", "fired": fired}));
            } else {
                println!("incremental sync:");
                app.print_report(&report, t.elapsed().as_secs_f64(), json!({}));
                for f in &fired {
                    println!("trigger {} for {}", f["trigger"].as_str().unwrap_or(""), f["order_id"].as_str().unwrap_or(""));
                }
            }
        }
        Command::Connect { store, key, secret, owner_email, import, signature_method, sync, defer } => {
            let kinds = parse_kinds(&import, "--import")?;
            let mut wanted = wit_sync::Settings { contacts: false, orders: false, transactions: false, products: false, collections: false, order_submitted: false, payment_received: false };
            apply_settings(&mut wanted, &sync, true, "--sync")?;
            let (mut s, info) = app.connect(&store, &key, &secret, owner_email, &signature_method).await?;
            app.set_settings(&mut s, &wanted).await?;
            eprintln!("connected to {} (WooCommerce {}, {})", info.store_url, info.woocommerce_version.clone().unwrap_or_else(|| "?".into()), info.auth_method);
            let storage = &mut s.store.data_mut().storage;
            if defer && !kinds.is_empty() {
                woo_host::worker::defer_import(storage.as_mut(), &app.connection, &kinds)?;
                eprintln!("the first import is left to `woo worker`");
                if app.json {
                    println!("{}", json!({"state": "connected", "store_url": info.store_url, "woocommerce_version": info.woocommerce_version, "import": "deferred"}));
                }
                return Ok(());
            }
            storage.kv_delete(&app.connection, HOST_BUCKET, woo_host::worker::IMPORT_PENDING_KEY)?;
            storage.schedule(&app.connection, true)?;
            if kinds.is_empty() {
                if app.json {
                    println!("{}", json!({"state": "connected", "store_url": info.store_url, "woocommerce_version": info.woocommerce_version}));
                }
                return Ok(());
            }
            let t = Instant::now();
            let report = app.import(&mut s, &kinds).await?;
            app.print_report(&report, t.elapsed().as_secs_f64(), json!({"store_url": info.store_url, "woocommerce_version": info.woocommerce_version}));
        }
        Command::Import { kinds } => {
            let kinds = parse_kinds(&kinds, "--kinds")?;
            let mut s = app.session(None).await?;
            let t = Instant::now();
            let report = app.import(&mut s, &kinds).await?;
            app.print_report(&report, t.elapsed().as_secs_f64(), json!({}));
        }
        Command::Sync { watch, interval, product_interval, passes } => {
            let mut s = app.session(None).await?;
            let mut last_products: Option<Instant> = None;
            let mut n = 0u64;
            loop {
                let products_due = !watch || last_products.is_none_or(|t| t.elapsed().as_secs() >= product_interval);
                let kinds: Option<Vec<wit_types::Kind>> = if products_due {
                    None
                } else {
                    Some(vec![wit_types::Kind::Contacts, wit_types::Kind::Orders, wit_types::Kind::Transactions])
                };
                let t = Instant::now();
                let report = app.sync_pass(&mut s, kinds.as_deref()).await?;
                if products_due {
                    last_products = Some(t);
                }
                app.print_report(&report, t.elapsed().as_secs_f64(), json!({}));
                n += 1;
                if !watch || (passes > 0 && n >= passes) {
                    break;
                }
                tokio::select! {
                    _ = tokio::time::sleep(std::time::Duration::from_secs(interval)) => {}
                    _ = tokio::signal::ctrl_c() => break,
                }
            }
        }
        Command::Settings { enable, disable, concurrency } => {
            let mut s = app.session(None).await?;
            if let Some(n) = concurrency {
                if !(1..=MAX_CONCURRENCY as u64).contains(&n) {
                    return Err(ComponentError { code: exit::INVALID_INPUT, message: format!("--concurrency must be 1 to {MAX_CONCURRENCY}, not {n}") }.into());
                }
                let connection = app.connection.clone();
                s.store.data_mut().storage.kv_set(&connection, bucket::CONNECTION, CONCURRENCY_KEY, n.to_string().as_bytes())?;
            }
            let mut settings = app.settings(&mut s).await?;
            if enable.is_some() || disable.is_some() {
                if let Some(l) = &enable {
                    apply_settings(&mut settings, l, true, "--enable")?;
                }
                if let Some(l) = &disable {
                    apply_settings(&mut settings, l, false, "--disable")?;
                }
                app.set_settings(&mut s, &settings).await?;
            }
            let v = settings_json(&settings);
            let connection = app.connection.clone();
            let saved = s.store.data_mut().storage.kv_get(&connection, bucket::CONNECTION, CONCURRENCY_KEY)?;
            let pages = saved.and_then(|b| String::from_utf8(b).ok()).and_then(|t| t.parse::<usize>().ok()).unwrap_or(DEFAULT_CONCURRENCY);
            if app.json {
                println!("{v}");
            } else {
                for n in SETTING_NAMES {
                    println!("{n}: {}", if v[n] == true { "on" } else { "off" });
                }
            }
            eprintln!("pages in flight: {pages}");
        }
        Command::Webhooks { action: WebhooksAction::Register { delivery_url } } => {
            let mut s = app.session(None).await?;
            s.begin_call();
            let ids = s.bindings.woo_connector_webhook().call_register(&mut s.store, &delivery_url).await?.map_err(|e| describe(&e))?;
            if app.json {
                println!("{}", json!({"webhook_ids": ids}));
            } else {
                println!("registered {} webhooks: {ids:?}", ids.len());
            }
        }
        Command::Serve { listen, header_timeout_ms, body_timeout_ms, max_connections, max_buffered_mib, grace_ms } => {
            // Refuse to start on a damaged database or an unusable credential key.
            drop(app.storage()?);
            let ms = std::time::Duration::from_millis;
            let limits = woo_host::serve::Limits {
                header_timeout: ms(header_timeout_ms),
                body_timeout: ms(body_timeout_ms),
                max_connections: usize::try_from(max_connections).unwrap_or(usize::MAX),
                max_buffered_bytes: usize::try_from(max_buffered_mib * 1024 * 1024).unwrap_or(usize::MAX),
                grace: ms(grace_ms),
            };
            woo_host::serve::run(app.runtime.clone(), app.db.clone().unwrap_or_else(|| "woo.db".into()), listen, app.ca_cert.clone(), limits).await?;
        }
        Command::AuthorizeUrl { store, return_url, callback_url, user_id, app_name } => {
            // The callback is bound to this authorisation: its connection in
            // the path, a fresh state in the query (see `woo_host::wc_auth`).
            let state = woo_host::wc_auth::new_state();
            let callback_url = woo_host::wc_auth::callback_url_for(&callback_url, &app.connection, &state)
                .map_err(|message| ComponentError { code: exit::INVALID_INPUT, message })?;
            let mut s = app.session(None).await?;
            let url = s
                .bindings
                .woo_connector_connection()
                .call_authorize_url(&mut s.store, &store, &app_name, &user_id, &return_url, &callback_url)
                .await?
                .map_err(|e| describe(&e))?;
            // One pending authorisation per connection: this one replaces any earlier.
            woo_host::wc_auth::save_pending(s.store.data_mut().storage.as_mut(), &app.connection, &state, &user_id, &store)?;
            eprintln!("the callback is accepted once, for user id {}, within {} minutes", user_id.trim(), woo_host::wc_auth::PENDING_LIFETIME.as_secs() / 60);
            println!("{url}");
        }
        Command::Status => {
            let mut s = app.session(None).await?;
            s.begin_call();
            let info = s.bindings.woo_connector_connection().call_status(&mut s.store).await?;
            let counts = s.store.data_mut().storage.counts(&app.connection)?;
            let state = match info.state {
                wit_connection::ConnectionState::Connected => "connected",
                wit_connection::ConnectionState::ReconnectRequired => "reconnect_required",
                wit_connection::ConnectionState::Disconnected => "disconnected",
            };
            let storage = &mut s.store.data_mut().storage;
            let last: serde_json::Map<String, Value> = woo_host::session::last_syncs(storage.as_mut(), &app.connection)?.into_iter().map(|(k, at)| (k, json!(at))).collect();
            let counts_v: serde_json::Map<String, Value> = counts.iter().map(|(k, n)| (k.clone(), json!(n))).collect();
            if app.json {
                println!("{}", json!({"state": state, "store_url": info.store_url, "woocommerce_version": info.woocommerce_version, "auth_method": info.auth_method, "last_sync": last, "counts": counts_v}));
            } else {
                println!("state: {state}");
                println!("store: {}", if info.store_url.is_empty() { "-" } else { &info.store_url });
                println!("woocommerce: {}", info.woocommerce_version.unwrap_or_else(|| "-".into()));
                for (k, v) in &last {
                    println!("last sync {k}: {}", v.as_str().unwrap_or(""));
                }
                for (k, n) in counts {
                    println!("{k}: {n}");
                }
            }
        }
        Command::Export { kind, sku, gtin } => {
            if (sku.is_some() || gtin.is_some()) && kind.as_deref().is_some_and(|k| k != "product") {
                return Err(ComponentError { code: exit::INVALID_INPUT, message: "--sku and --gtin match products: use them with --kind product (or no --kind)".into() }.into());
            }
            let kind = if sku.is_some() || gtin.is_some() { Some("product".to_string()) } else { kind };
            let mut storage = app.storage()?;
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            for r in storage.records(&app.connection, kind.as_deref())? {
                if sku.is_some() || gtin.is_some() {
                    let v: Value = serde_json::from_str(&r.body).unwrap_or(Value::Null);
                    if sku.as_deref().is_some_and(|s| !product_has(&v, "sku", s)) || gtin.as_deref().is_some_and(|g| !product_has(&v, "gtin", g)) {
                        continue;
                    }
                }
                woo_host::output::checked(writeln!(out, "{}", r.body));
            }
            woo_host::output::checked(out.flush());
        }
        Command::Push { what } => {
            let (tool, args) = match what {
                PushWhat::Stock { sku, product, variation, quantity, file } => ("push-stock", json!({"items": stock_items(sku, product, variation, quantity, file)?})),
                PushWhat::Shipment { order, carrier, tracking_number, tracking_url } => (
                    "push-shipment",
                    json!({"order_id": order, "carrier": carrier, "tracking_number": tracking_number, "tracking_url": tracking_url}),
                ),
                PushWhat::Contact { id, set } => {
                    let mut fields = serde_json::Map::new();
                    for pair in set {
                        let (k, v) = pair.split_once('=').ok_or_else(|| ComponentError { code: exit::INVALID_INPUT, message: format!("--set `{pair}`: expected FIELD=VALUE") })?;
                        fields.insert(k.trim().to_string(), Value::String(v.to_string()));
                    }
                    ("push-contact", json!({"contact_id": id, "set": fields}))
                }
            };
            let args = match args {
                Value::Object(mut m) => {
                    m.retain(|_, v| !v.is_null());
                    Value::Object(m)
                }
                other => other,
            };
            let mut s = app.session(None).await?;
            s.begin_call();
            let r = s.bindings.woo_connector_tools().call_call_tool(&mut s.store, tool, &args.to_string()).await?;
            println!("{}", r.map_err(|e| describe(&e))?);
        }
        Command::Tools => {
            let mut s = app.session(None).await?;
            let tools = s.bindings.woo_connector_tools().call_list_tools(&mut s.store).await?;
            if app.json {
                let v: Vec<Value> = tools
                    .iter()
                    .map(|t| json!({"name": t.name, "description": t.description, "input_schema": serde_json::from_str::<Value>(&t.input_schema).unwrap_or(Value::Null)}))
                    .collect();
                println!("{}", Value::Array(v));
            } else {
                for t in tools {
                    println!("{:<18} {}", t.name, t.description.split(". ").next().unwrap_or(""));
                }
            }
        }
        Command::Tool { name, args } => {
            let args = match args.strip_prefix('@') {
                Some(path) => read_args_file(path)?,
                None => args,
            };
            let mut s = app.session(None).await?;
            s.begin_call();
            let r = s.bindings.woo_connector_tools().call_call_tool(&mut s.store, &name, &args).await?;
            println!("{}", r.map_err(|e| describe(&e))?);
        }
        Command::Bench { customers, orders, products, latency_ms, python, peer_seconds } => {
            let opts = woo_host::bench::Options {
                customers,
                orders,
                products,
                latency_ms,
                concurrency: 4,
                python,
                peers_dir: woo_host::bench::default_peers_dir(),
                peer_cap: std::time::Duration::from_secs(peer_seconds),
            };
            woo_host::bench::run(&app.runtime, &opts).await?;
        }
        Command::Connections => {
            let mut storage = app.storage()?;
            let rows = woo_host::worker::connections(storage.as_mut())?;
            if app.json {
                println!("{}", Value::Array(rows));
            } else {
                println!("{:<20} {:<19} {:<25} {:<24} {}", "connection", "state", "last sync", "next due", "store");
                for r in rows {
                    let text = |k: &str| r[k].as_str().unwrap_or("-").to_string();
                    println!("{:<20} {:<19} {:<25} {:<24} {}", text("name"), text("state"), text("last_sync"), text("next_due"), text("store_url"));
                }
            }
        }
        Command::Worker { once, concurrency, lease_seconds, interval, name } => {
            if !(1..=64).contains(&concurrency) {
                return Err(ComponentError { code: exit::INVALID_INPUT, message: format!("--concurrency must be 1 to 64, not {concurrency}") }.into());
            }
            if lease_seconds < 3 {
                return Err(ComponentError { code: exit::INVALID_INPUT, message: "--lease-seconds must be at least 3".into() }.into());
            }
            let opts = woo_host::worker::WorkerOptions {
                db: app.db.clone().unwrap_or_else(|| "woo.db".into()),
                name: name.unwrap_or_else(woo_host::worker::default_name),
                once,
                concurrency,
                lease: std::time::Duration::from_secs(lease_seconds),
                interval: std::time::Duration::from_secs(interval),
                idle_poll: std::time::Duration::from_millis(if once { 250 } else { 1000 }),
                ca_cert: app.ca_cert.clone(),
            };
            let (stop_tx, stop) = tokio::sync::watch::channel(false);
            tokio::spawn(async move {
                shutdown_signal().await;
                eprintln!("woo worker: stopping: passes keep their last committed page and release their leases");
                let _ = stop_tx.send(true);
            });
            let summary = woo_host::worker::run(app.runtime.clone(), opts, stop).await?;
            if app.json {
                println!("{}", serde_json::to_string(&summary)?);
            }
            if summary.failed > 0 && once {
                std::process::exit(exit::FAILURE);
            }
        }
        Command::BenchFleet { stores, latency_ms, workers } => {
            let counts: Vec<usize> = workers.split(',').map(|w| w.trim().parse::<usize>()).collect::<Result<_, _>>().map_err(|_| ComponentError { code: exit::INVALID_INPUT, message: format!("--workers `{workers}`: a comma list of numbers") })?;
            let db = app.db.clone().filter(|d| woo_host::storage::postgres::is_url(d)).ok_or_else(|| ComponentError { code: exit::INVALID_INPUT, message: "bench-fleet needs --db postgres://… (scripts/postgres.sh start prints one)".into() })?;
            woo_host::fleet_bench::run(&db, stores, latency_ms, &counts).await?;
        }
        Command::Mcp => {
            woo_host::mcp::run(app.runtime.clone(), app.db.clone().unwrap_or_else(|| "woo.db".into()), app.connection.clone()).await?;
        }
        Command::Disconnect => {
            // Forgetting credentials must work when the key to open them is lost.
            let storage = match &app.db {
                Some(db) => woo_host::storage::open_to_forget_credentials(db)?,
                None => app.storage()?,
            };
            let mut s = app.session_on(storage, None).await?;
            s.bindings.woo_connector_connection().call_disconnect(&mut s.store).await?.map_err(|e| describe(&e))?;
            let storage = &mut s.store.data_mut().storage;
            storage.kv_delete(&app.connection, HOST_BUCKET, "ca_cert")?;
            storage.kv_delete(&app.connection, HOST_BUCKET, woo_host::worker::IMPORT_PENDING_KEY)?;
            storage.unschedule(&app.connection)?;
            eprintln!("disconnected; records are kept");
        }
    }
    Ok(())
}

/// SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        if let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

fn main() {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(exit::FAILURE);
        }
    };
    if let Err(e) = rt.block_on(run(cli)) {
        // A credential key that cannot be used means reconnecting (or restoring the key).
        let code = match e.downcast_ref::<ComponentError>() {
            Some(c) => c.code,
            None if woo_host::storage::is_key_error(&e) => exit::AUTH,
            None => exit::FAILURE,
        };
        eprintln!("error: {e:#}");
        std::process::exit(code);
    }
}
