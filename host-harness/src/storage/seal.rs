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
        match Sealer::from_env()? {
            Some(s) => Ok(s),
            None => Sealer::for_key_file(&key_path(db)),
        }
    }

    /// The key for a PostgreSQL database: `WOO_SECRET_KEY` (which every
    /// machine of a fleet must share), or a key file for that server and
    /// database under `$XDG_CONFIG_HOME/woo` (`~/.config/woo`), good for
    /// workers on one machine.
    pub fn for_postgres(url: &str) -> Result<Sealer> {
        if let Some(s) = Sealer::from_env()? {
            return Ok(s);
        }
        let u = url::Url::parse(url).map_err(|_| anyhow!("the PostgreSQL URL does not parse"))?;
        let name: String = format!("postgres-{}-{}-{}.key", u.host_str().unwrap_or("local"), u.port().unwrap_or(5432), u.path().trim_start_matches('/'))
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
            .collect();
        let dir = match std::env::var_os("XDG_CONFIG_HOME") {
            Some(d) if !d.is_empty() => PathBuf::from(d).join("woo"),
            _ => PathBuf::from(std::env::var_os("HOME").ok_or_else(|| anyhow!("set WOO_SECRET_KEY (no HOME for a key file)"))?).join(".config/woo"),
        };
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Sealer::for_key_file(&dir.join(name))
    }

    fn from_env() -> Result<Option<Sealer>> {
        let Ok(v) = std::env::var("WOO_SECRET_KEY") else { return Ok(None) };
        Sealer::from_base64(&v).map(Some)
    }

    /// A key given as `WOO_SECRET_KEY` is: 32 bytes in base64.
    pub fn from_base64(key: &str) -> Result<Sealer> {
        let raw = base64::engine::general_purpose::STANDARD
            .decode(key.trim())
            .map_err(|_| anyhow!("WOO_SECRET_KEY must be 32 bytes in base64 (e.g. `openssl rand -base64 32`)"))?;
        Sealer::from_bytes(&raw, "WOO_SECRET_KEY")
    }

    /// A fresh random key in the form `from_base64` reads (tests, benchmarks).
    pub fn random_base64() -> String {
        base64::engine::general_purpose::STANDARD.encode(rand::random::<[u8; 32]>())
    }

    /// The key in `path`, created owner-only on first use. Processes starting
    /// together agree on one key: the first to create the file wins.
    fn for_key_file(path: &Path) -> Result<Sealer> {
        let raw = match std::fs::read(path) {
            Ok(raw) => raw,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let raw: [u8; 32] = rand::random();
                match write_private(path, &raw) {
                    Ok(()) => raw.to_vec(),
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        // Another process is writing it: wait for its 32 bytes.
                        let mut got = vec![];
                        for _ in 0..50 {
                            got = std::fs::read(path).with_context(|| format!("reading the key file {}", path.display()))?;
                            if got.len() >= 32 {
                                break;
                            }
                            std::thread::sleep(std::time::Duration::from_millis(20));
                        }
                        got
                    }
                    Err(e) => return Err(e).with_context(|| format!("creating the key file {}", path.display())),
                }
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
