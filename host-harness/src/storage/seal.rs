//! Sealing of the credential store: consumer keys, secrets and webhook
//! secrets are kept in the database only as ChaCha20-Poly1305 ciphertext, so
//! the database file, its backups and its WAL never hold them in the clear.
//!
//! The 32-byte key comes from `WOO_SECRET_KEY` (base64), or from a key file
//! beside the database (`<db>.key`, created owner-only on first use), or, for
//! an in-memory database, is random for the process.

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use std::path::{Path, PathBuf};

const NONCE_LEN: usize = 12;
/// Marks a sealed value (and its format version).
const MAGIC: &[u8] = b"woo-sealed-1:";

pub struct Sealer {
    cipher: ChaCha20Poly1305,
    /// Where the key came from, for error messages (never the key).
    origin: String,
}

impl Sealer {
    /// The key for the database at `db`.
    pub fn for_database(db: &Path) -> Result<Sealer> {
        if let Ok(v) = std::env::var("WOO_SECRET_KEY") {
            let raw = base64::engine::general_purpose::STANDARD
                .decode(v.trim())
                .map_err(|_| anyhow!("WOO_SECRET_KEY must be 32 bytes in base64 (e.g. `openssl rand -base64 32`)"))?;
            return Sealer::from_bytes(&raw, "WOO_SECRET_KEY");
        }
        let path = key_path(db);
        let raw = match std::fs::read(&path) {
            Ok(raw) => raw,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let raw: [u8; 32] = rand::random();
                write_private(&path, &raw).with_context(|| format!("creating the key file {}", path.display()))?;
                raw.to_vec()
            }
            Err(e) => return Err(e).with_context(|| format!("reading the key file {}", path.display())),
        };
        Sealer::from_bytes(&raw, &path.display().to_string())
    }

    /// A key for this process only (in-memory databases).
    pub fn ephemeral() -> Sealer {
        let raw: [u8; 32] = rand::random();
        Sealer { cipher: ChaCha20Poly1305::new(Key::from_slice(&raw)), origin: "an in-memory key".into() }
    }

    fn from_bytes(raw: &[u8], origin: &str) -> Result<Sealer> {
        if raw.len() != 32 {
            bail!("the credential key from {origin} must be exactly 32 bytes, it has {}", raw.len());
        }
        Ok(Sealer { cipher: ChaCha20Poly1305::new(Key::from_slice(raw)), origin: origin.into() })
    }

    /// `MAGIC || nonce || ciphertext+tag`; `aad` binds the value to its row.
    pub fn seal(&self, aad: &str, plain: &[u8]) -> Result<Vec<u8>> {
        let nonce: [u8; NONCE_LEN] = rand::random();
        let payload = chacha20poly1305::aead::Payload { msg: plain, aad: aad.as_bytes() };
        let ct = self.cipher.encrypt(Nonce::from_slice(&nonce), payload).map_err(|_| anyhow!("sealing a credential failed"))?;
        Ok([MAGIC, &nonce, &ct].concat())
    }

    pub fn open(&self, aad: &str, sealed: &[u8]) -> Result<Vec<u8>> {
        let rest = sealed.strip_prefix(MAGIC).ok_or_else(|| anyhow!("a stored credential is not sealed; connect again"))?;
        if rest.len() < NONCE_LEN {
            bail!("a stored credential is cut short; connect again");
        }
        let (nonce, ct) = rest.split_at(NONCE_LEN);
        let payload = chacha20poly1305::aead::Payload { msg: ct, aad: aad.as_bytes() };
        self.cipher.decrypt(Nonce::from_slice(nonce), payload).map_err(|_| {
            anyhow!("the stored credentials cannot be opened with the key from {}: it is not the key they were saved with; connect again", self.origin)
        })
    }
}

/// `<db>.key` beside the database.
pub fn key_path(db: &Path) -> PathBuf {
    let mut name = db.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".key");
    db.with_file_name(name)
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_credentials_round_trip_and_hide_the_plain_text() {
        let s = Sealer::ephemeral();
        let sealed = s.seal("default/store", b"cs_verysecret").unwrap();
        assert!(!sealed.windows(13).any(|w| w == b"cs_verysecret"));
        assert_eq!(s.open("default/store", &sealed).unwrap(), b"cs_verysecret");
    }

    #[test]
    fn sealed_value_moved_to_another_row_or_opened_with_another_key_is_refused() {
        let s = Sealer::ephemeral();
        let sealed = s.seal("default/store", b"x").unwrap();
        assert!(s.open("other/store", &sealed).is_err());
        let e = Sealer::ephemeral().open("default/store", &sealed).unwrap_err();
        assert!(e.to_string().contains("connect again"), "{e}");
    }

    #[test]
    fn key_file_is_created_owner_only_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("w.db");
        let a = Sealer::for_database(&db).unwrap();
        let sealed = a.seal("c/k", b"v").unwrap();
        let b = Sealer::for_database(&db).unwrap();
        assert_eq!(b.open("c/k", &sealed).unwrap(), b"v");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(key_path(&db)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
