//! The `woo` command line: the global flags and one file per command. Each
//! command gets an `App` (runtime, database, connection, flags),
//! prints its results through [`crate::output`], and fails with an exit
//! code from [`exit`].

mod app;
mod authorize_url;
mod bench;
mod connect;
mod connections;
mod demo;
mod disconnect;
pub mod exit;
mod export;
mod import;
mod push;
mod serve;
mod settings;
mod simulate;
mod status;
mod sync;
mod tools;
mod webhooks;
mod worker;

use anyhow::Result;
use app::App;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

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
    Demo(demo::Args),
    /// Run the store simulator until stopped.
    Simulate(simulate::Args),
    /// Verify and save a store connection, then import the selected kinds.
    Connect(connect::Args),
    /// The connections in this database, with their state and last sync.
    Connections,
    /// Sync due connections until stopped: claim one with a lease, run its
    /// (first import or incremental) pass, release it. Any number of workers
    /// can share one PostgreSQL database.
    Worker(worker::Args),
    /// Stores synced per minute by 1, 2 and 4 workers over PostgreSQL (a ratio table).
    BenchFleet(bench::FleetArgs),
    /// One incremental sync pass over what the settings enable (or a loop with --watch).
    Sync(sync::Args),
    /// Show or change the ongoing-sync settings.
    Settings(settings::Args),
    /// The store's webhooks.
    Webhooks {
        #[command(subcommand)]
        action: webhooks::Action,
    },
    /// Receive webhook deliveries (POST /webhooks) and the wc-auth callback (POST /wc-auth/callback).
    Serve(serve::Args),
    /// Print the WooCommerce app-authorisation URL (scope read_write).
    AuthorizeUrl(authorize_url::Args),
    /// (Re)run the first import of the selected kinds; resumes an interrupted one.
    Import(import::Args),
    /// Connection state, store, WooCommerce version and record counts.
    Status,
    /// Print the platform records as JSON Lines, sorted by kind then id.
    Export(export::Args),
    /// Send data back to WooCommerce: stock, shipments, contact changes.
    Push {
        #[command(subcommand)]
        what: push::What,
    },
    /// List the tools with their JSON Schemas.
    Tools,
    /// Call one tool; prints its JSON result.
    Tool(tools::CallArgs),
    /// Forget the credentials and cursors; records stay.
    Disconnect,
    /// Serve the tools over the Model Context Protocol on stdio.
    Mcp,
    /// Measure import speed, requests, memory, start-up and the peers; prints a Markdown table.
    Bench(bench::BenchArgs),
}

/// `--connection`: a name `serve` can route to, or a usage error (exit 2).
fn connection_name(name: &str) -> Result<String, String> {
    if crate::wc_auth::is_routable_connection(name) {
        Ok(name.to_string())
    } else {
        Err("a connection name is 1 to 64 letters, digits, `-`, `_` or `.`".into())
    }
}

/// Run `woo` with the process's arguments, and exit with the command's code.
pub fn main() {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(exit::FAILURE);
        }
    };
    if let Err(e) = rt.block_on(run(cli)) {
        eprintln!("error: {e:#}");
        std::process::exit(exit::code_of(&e));
    }
}

async fn run(cli: Cli) -> Result<()> {
    let command = match cli.command {
        // The simulator needs no component.
        Command::Simulate(args) => return simulate::run(args).await,
        other => other,
    };
    let limits = crate::runtime::Limits {
        memory_bytes: cli.guest_memory_mib << 20,
        guest_cpu: std::time::Duration::from_secs(cli.guest_cpu_seconds),
    };
    // The demo keeps its records in memory unless told where.
    let db = match (&command, cli.db) {
        (_, Some(db)) => Some(db),
        (Command::Demo(_), None) => None,
        (_, None) => Some(app::DEFAULT_DB.to_string()),
    };
    let app = App {
        runtime: crate::runtime::Runtime::new(limits)?,
        db,
        connection: cli.connection,
        ca_cert: cli.ca_cert,
        json: cli.json,
    };
    match command {
        Command::Simulate(_) => unreachable!("run above"),
        Command::Demo(args) => demo::run(app, args).await,
        Command::Connect(args) => connect::run(&app, args).await,
        Command::Connections => connections::run(&app).await,
        Command::Worker(args) => worker::run(&app, args).await,
        Command::BenchFleet(args) => bench::fleet(&app, args).await,
        Command::Sync(args) => sync::run(&app, args).await,
        Command::Settings(args) => settings::run(&app, args).await,
        Command::Webhooks { action } => webhooks::run(&app, action).await,
        Command::Serve(args) => serve::run(&app, args).await,
        Command::AuthorizeUrl(args) => authorize_url::run(&app, args).await,
        Command::Import(args) => import::run(&app, args).await,
        Command::Status => status::run(&app).await,
        Command::Export(args) => export::run(&app, args),
        Command::Push { what } => push::run(&app, what).await,
        Command::Tools => tools::list(&app).await,
        Command::Tool(args) => tools::call(&app, args).await,
        Command::Disconnect => disconnect::run(&app).await,
        Command::Mcp => crate::mcp::run(app.runtime.clone(), app.db_path(), app.connection.clone()).await,
        Command::Bench(args) => bench::bench(&app, args).await,
    }
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
