//! The `tools` world's configuration and host. There is no `connect`: each
//! call reads the store URL and its REST key from the environment
//! (`wasi:cli/environment`, which every WASI host can set) and checks them as
//! `connect` does, without the extra request. What the core stores while a
//! tool runs (the contact a `update-contact` just wrote, its seen-version) is
//! kept in memory for that call: there is no platform to hand records to and
//! no key-value store to keep state in.

use super::transport::WasiTransport;
use crate::client::{Client, Error, SignatureMethod, Transport};
use crate::connection::{self, ConnectConfig};
use crate::port::{self, Batch, Level, StorageError};
use std::collections::BTreeMap;

/// The store's home URL.
const STORE_URL: &str = "WOO_STORE_URL";
/// The REST key's `ck_…`.
const CONSUMER_KEY: &str = "WOO_CONSUMER_KEY";
/// The REST key's `cs_…`.
const CONSUMER_SECRET: &str = "WOO_CONSUMER_SECRET";
/// `HMAC-SHA256` (default) or `HMAC-SHA1`: how plain-HTTP requests are signed.
const SIGNATURE_METHOD: &str = "WOO_SIGNATURE_METHOD";

/// One setting: set and not blank, or an `invalid-input` naming the variable.
fn setting(name: &str) -> Result<String, Error> {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => Ok(v.trim().to_string()),
        _ => Err(Error::invalid(
            name,
            format!(
                "is not set: the tools component reads the store and its REST key from the environment \
                 ({STORE_URL}, {CONSUMER_KEY}, {CONSUMER_SECRET})"
            ),
        )),
    }
}

/// The store and key of this call, from the environment.
fn config() -> Result<ConnectConfig, Error> {
    let signature_method = match std::env::var(SIGNATURE_METHOD).ok().as_deref().map(str::trim) {
        None | Some("") => SignatureMethod::HmacSha256,
        Some(m) if m.eq_ignore_ascii_case("HMAC-SHA256") => SignatureMethod::HmacSha256,
        Some(m) if m.eq_ignore_ascii_case("HMAC-SHA1") => SignatureMethod::HmacSha1,
        Some(_) => return Err(Error::invalid(SIGNATURE_METHOD, "is neither HMAC-SHA256 nor HMAC-SHA1")),
    };
    Ok(ConnectConfig {
        store_url: setting(STORE_URL)?,
        consumer_key: setting(CONSUMER_KEY)?,
        consumer_secret: setting(CONSUMER_SECRET)?,
        signature_method,
        owner_email: None,
    })
}

/// A client for the configured store; a refused setting names its variable.
pub fn client() -> Result<Client<WasiTransport>, Error> {
    connection::client_for(&config()?, WasiTransport).map_err(|e| match e {
        Error::InvalidInput { field, message } => {
            let variable = match field.as_str() {
                "store_url" => STORE_URL,
                "consumer_key" => CONSUMER_KEY,
                "consumer_secret" => CONSUMER_SECRET,
                _ => return Error::InvalidInput { field, message },
            };
            Error::invalid(variable, message)
        }
        other => other,
    })
}

/// The core's host for one call: state in memory, records dropped (this
/// world has no platform), warnings and errors on stderr.
#[derive(Default)]
pub struct CallHost {
    kv: BTreeMap<(String, String), Vec<u8>>,
}

impl port::Host for CallHost {
    fn commit(&mut self, batch: Batch) -> Result<Vec<bool>, StorageError> {
        for (b, k, v) in batch.state {
            self.kv.insert((b, k), v);
        }
        Ok(vec![true; batch.records.len()])
    }
    fn progress(&mut self, _: &str, _: u64, _: u64) {}
    fn log(&mut self, level: Level, message: &str) {
        match level {
            Level::Warn => eprintln!("woo: warning: {message}"),
            Level::Error => eprintln!("woo: error: {message}"),
            Level::Debug | Level::Info => {}
        }
    }
    fn get(&mut self, bucket: &str, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(self.kv.get(&(bucket.to_string(), key.to_string())).cloned())
    }
    fn set(&mut self, bucket: &str, key: &str, value: &[u8]) -> Result<(), StorageError> {
        self.kv.insert((bucket.to_string(), key.to_string()), value.to_vec());
        Ok(())
    }
    fn delete(&mut self, bucket: &str, key: &str) -> Result<(), StorageError> {
        self.kv.remove(&(bucket.to_string(), key.to_string()));
        Ok(())
    }
    fn keys(&mut self, bucket: &str) -> Result<Vec<String>, StorageError> {
        Ok(self.kv.keys().filter(|(b, _)| b == bucket).map(|(_, k)| k.clone()).collect())
    }
    fn now_rfc3339(&self) -> String {
        crate::time::rfc3339(WasiTransport.now_unix())
    }
}
