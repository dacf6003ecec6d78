//! Compiled components cached on disk: compiling takes about a second,
//! loading the cached artifact a few milliseconds.

use anyhow::Result;
use std::path::PathBuf;
use wasmtime::Engine;
use wasmtime::component::Component;

/// Where compiled components are cached: `WOO_CACHE_DIR`, else the user's
/// cache folder.
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
    let component =
        Component::new(engine, wasm).map_err(|e| anyhow::Error::from(e).context("compiling the component"))?;
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
