//! `woo tools` and `woo tool`: list the component's tools with their JSON
//! Schemas, or call one.

use super::app::App;
use super::exit::{Failure, describe, invalid};
use crate::outln as println;
use anyhow::Result;
use serde_json::{Value, json};

/// The most `woo tool --args @FILE` reads, in bytes (1 MiB). The file is read
/// into memory before the component sees it, so a file that never ends
/// (`/dev/zero`) must stop somewhere; the component refuses tool arguments
/// larger than this anyway, so reading more would only spend memory.
const ARGS_FILE_LIMIT: usize = 1 << 20;

#[derive(clap::Args)]
pub(crate) struct CallArgs {
    name: String,
    #[arg(long, default_value = "{}")]
    args: String,
}

pub(crate) async fn list(app: &App) -> Result<()> {
    let mut s = app.session(None).await?;
    let tools = s.bindings.woo_connector_tools().call_list_tools(&mut s.store).await?;
    if app.json {
        let v: Vec<Value> = tools
            .iter()
            .map(|t| {
                let schema = |s: &str| serde_json::from_str::<Value>(s).unwrap_or(Value::Null);
                let a = &t.annotations;
                json!({"name": t.name, "title": t.title, "description": t.description,
                    "annotations": {"read_only": a.read_only, "destructive": a.destructive, "idempotent": a.idempotent, "open_world": a.open_world},
                    "input_schema": schema(&t.input_schema),
                    "output_schema": t.output_schema.as_deref().map(schema)})
            })
            .collect();
        println!("{}", Value::Array(v));
    } else {
        for t in tools {
            println!("{:<18} {}", t.name, t.description.split(". ").next().unwrap_or(""));
        }
    }
    Ok(())
}

pub(crate) async fn call(app: &App, args: CallArgs) -> Result<()> {
    let CallArgs { name, args } = args;
    let args = match args.strip_prefix('@') {
        Some(path) => read_args_file(path)?,
        None => args,
    };
    let mut s = app.session(None).await?;
    s.begin_call();
    let r = s.bindings.woo_connector_tools().call_call_tool(&mut s.store, &name, &args).await?;
    println!("{}", r.map_err(|e| describe(&e))?);
    Ok(())
}

/// `--args @FILE`: the file's text, read up to [`ARGS_FILE_LIMIT`] and
/// refused beyond it.
fn read_args_file(path: &str) -> Result<String, Failure> {
    use std::io::Read;
    let bad = |message: String| invalid(format!("--args @{path}: {message}"));
    let file = std::fs::File::open(path).map_err(|e| bad(e.to_string()))?;
    let mut bytes = Vec::new();
    file.take(ARGS_FILE_LIMIT as u64 + 1).read_to_end(&mut bytes).map_err(|e| bad(e.to_string()))?;
    if bytes.len() > ARGS_FILE_LIMIT {
        return Err(bad(format!("larger than {} MiB, the tool argument limit", ARGS_FILE_LIMIT >> 20)));
    }
    String::from_utf8(bytes).map_err(|_| bad("is not UTF-8 text".into()))
}
