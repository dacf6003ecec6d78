//! `woo import`: (re)run the first import of the selected kinds; resumes an
//! interrupted one.

use super::app::{App, parse_kinds};
use anyhow::Result;
use serde_json::json;
use std::time::Instant;

#[derive(clap::Args)]
pub(crate) struct Args {
    #[arg(long, default_value = "all")]
    kinds: String,
}

pub(crate) async fn run(app: &App, args: Args) -> Result<()> {
    let kinds = parse_kinds(&args.kinds, "--kinds")?;
    let mut s = app.session(None).await?;
    let t = Instant::now();
    let report = app.import(&mut s, &kinds).await?;
    app.print_report(&report, t.elapsed().as_secs_f64(), json!({}));
    Ok(())
}
