//! The benchmark's baseline: the component's own code, called natively. The
//! only place the host links the component's Rust crate (feature
//! `native-baseline`); everything else goes through the WIT.

use std::time::{Duration, Instant};

/// The mean time of listing every tool (name, description, schema) natively,
/// over `calls` calls: what `list-tools` costs without wasmtime.
pub fn list_tools_time(calls: u32) -> Duration {
    let t = Instant::now();
    for _ in 0..calls {
        let listed: Vec<(String, String, String)> = woo_plugin::tools::TOOLS
            .iter()
            .map(|t| (t.name.to_string(), t.description.to_string(), (t.schema)().to_string()))
            .collect();
        std::hint::black_box(listed);
    }
    t.elapsed() / calls
}
