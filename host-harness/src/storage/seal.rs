//! Sealing of the credential store: consumer keys, secrets and webhook
//! secrets are kept in the database only as ChaCha20-Poly1305 ciphertext, so
//! the database file, its backups and its WAL never hold them in the clear.
//!
//! The 32-byte key comes from `WOO_SECRET_KEY` (base64), or from a key file
//! beside the database (`<db>.key`, created owner-only on first use), or, for
//! an in-memory database, is random for the process.
//!
//! A lost or wrong key is never papered over: a key file is only created
//! while the database holds no sealed value, a key file other users can read
//! is refused, and a database whose sealed values the key cannot open fails
//! to open with a [`KeyError`] that names the key and what to do.

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use std::path::{Path, PathBuf};

const NONCE_LEN: usize = 12;
/// Marks a sealed value (and its format version).
const MAGIC: &[u8] = b"woo-sealed-1:";

/// Seals and opens credentials with the database's key (ChaCha20-Poly1305,
/// bound to their row).
pub struct Sealer {
    /// `None`: no usable key (see [`Sealer::without_key`]).
    cipher: Option<ChaCha20Poly1305>,
    /// Where the key came from, for error messages (never the key).
    origin: String,
}

/// The credential key is missing, wrong or exposed: sealed credentials
/// cannot be used until the operator restores the key or connects again.
/// `woo` exits with 3 (reconnect needed) on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyError(pub String);

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for KeyError {}

/// What to do when the sealed credentials cannot be opened with `origin`.
fn remedy(origin: &str) -> String {
    let restore = if origin == "WOO_SECRET_KEY" {
        "set WOO_SECRET_KEY to the key they were sealed with".to_string()
    } else {
        format!("restore the key they were sealed with ({origin}, or set WOO_SECRET_KEY to it)")
    };
    format!(
        "{restore}, or forget them and connect again: `woo --connection NAME disconnect` for each connection \
         (`woo connections` lists them), then `woo connect`"
    )
}

impl Sealer {
    /// The key for the database at `db`. `sealed_data_exists`: the database
    /// already holds sealed values, so a missing key file is an error, not
    /// a reason to make a new key.
    pub fn for_database(db: &Path, sealed_data_exists: bool) -> Result<Sealer> {
        match Sealer::from_env()? {
            Some(s) => Ok(s),
            None => Sealer::for_key_file(&key_path(db), !sealed_data_exists),
        }
    }

    /// The key for a PostgreSQL database: `WOO_SECRET_KEY` (which every
    /// machine of a fleet must share), or a key file for that server and
    /// database under `$XDG_CONFIG_HOME/woo` (`~/.config/woo`), good for
    /// workers on one machine.
    pub fn for_postgres(url: &str, sealed_data_exists: bool) -> Result<Sealer> {
        if let Some(s) = Sealer::from_env()? {
            return Ok(s);
        }
        let u = url::Url::parse(url).map_err(|_| anyhow!("the PostgreSQL URL does not parse"))?;
        let name: String = format!(
            "postgres-{}-{}-{}.key",
            u.host_str().unwrap_or("local"),
            u.port().unwrap_or(5432),
            u.path().trim_start_matches('/')
        )
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .collect();
        let dir = match std::env::var_os("XDG_CONFIG_HOME") {
            Some(d) if !d.is_empty() => PathBuf::from(d).join("woo"),
            _ => PathBuf::from(
                std::env::var_os("HOME").ok_or_else(|| anyhow!("set WOO_SECRET_KEY (no HOME for a key file)"))?,
            )
            .join(".config/woo"),
        };
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Sealer::for_key_file(&dir.join(name), !sealed_data_exists)
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

    /// The key in `path`, created owner-only on first use (only if
    /// `may_create`). Processes starting together agree on one key: the
    /// first to create the file wins. A key file that users other than its
    /// owner can read is refused.
    fn for_key_file(path: &Path, may_create: bool) -> Result<Sealer> {
        let raw = match std::fs::read(path) {
            Ok(raw) => {
                refuse_exposed(path)?;
                raw
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !may_create => {
                return Err(KeyError(format!(
                    "the credential key file {} is missing, but the database holds credentials sealed with it \
                     (no new key is made while sealed credentials exist): {}",
                    path.display(),
                    remedy(&format!("the key file {}", path.display()))
                ))
                .into());
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let raw: [u8; 32] = rand::random();
                match write_private(path, &raw) {
                    Ok(()) => raw.to_vec(),
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        // Another process is writing it: wait for its 32 bytes.
                        let mut got = vec![];
                        for _ in 0..50 {
                            got = std::fs::read(path)
                                .with_context(|| format!("reading the key file {}", path.display()))?;
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
        Sealer::from_bytes(&raw, &format!("the key file {}", path.display()))
    }

    /// A key for this process only (in-memory databases).
    pub fn ephemeral() -> Sealer {
        let raw: [u8; 32] = rand::random();
        Sealer { cipher: Some(ChaCha20Poly1305::new(Key::from_slice(&raw))), origin: "an in-memory key".into() }
    }

    /// No key: seals and opens nothing, so the only thing to do with the
    /// credentials is forget them (`woo disconnect` after a lost key).
    /// `why` is the [`KeyError`] that made the key unusable.
    pub fn without_key(why: &KeyError) -> Sealer {
        Sealer { cipher: None, origin: why.0.clone() }
    }

    fn from_bytes(raw: &[u8], origin: &str) -> Result<Sealer> {
        if raw.len() != 32 {
            return Err(KeyError(format!(
                "the credential key from {origin} must be exactly 32 bytes, it has {}",
                raw.len()
            ))
            .into());
        }
        Ok(Sealer { cipher: Some(ChaCha20Poly1305::new(Key::from_slice(raw))), origin: origin.into() })
    }

    fn cipher(&self) -> Result<&ChaCha20Poly1305> {
        self.cipher.as_ref().ok_or_else(|| KeyError(self.origin.clone()).into())
    }

    /// Check that this key opens `sealed`, the value of the row `aad`
    /// (databases check one sealed value when they open).
    pub fn verify(&self, aad: &str, sealed: &[u8]) -> Result<()> {
        self.open(aad, sealed).map(|_| ())
    }

    /// `MAGIC || nonce || ciphertext+tag`; `aad` binds the value to its row.
    pub fn seal(&self, aad: &str, plain: &[u8]) -> Result<Vec<u8>> {
        let nonce: [u8; NONCE_LEN] = rand::random();
        let payload = chacha20poly1305::aead::Payload { msg: plain, aad: aad.as_bytes() };
        let ct = self
            .cipher()?
            .encrypt(Nonce::from_slice(&nonce), payload)
            .map_err(|_| anyhow!("sealing a credential failed"))?;
        Ok([MAGIC, &nonce, &ct].concat())
    }

    /// The plain value of a sealed one, bound to `aad` (see [`Sealer::seal`]).
    pub fn open(&self, aad: &str, sealed: &[u8]) -> Result<Vec<u8>> {
        let cipher = self.cipher()?;
        let rest =
            sealed.strip_prefix(MAGIC).ok_or_else(|| anyhow!("a stored credential is not sealed; connect again"))?;
        if rest.len() < NONCE_LEN {
            bail!("a stored credential is cut short; connect again");
        }
        let (nonce, ct) = rest.split_at(NONCE_LEN);
        let payload = chacha20poly1305::aead::Payload { msg: ct, aad: aad.as_bytes() };
        cipher.decrypt(Nonce::from_slice(nonce), payload).map_err(|_| {
            KeyError(format!(
                "the stored credentials cannot be opened with the key from {}: it is not the key they were sealed with; {}",
                self.origin,
                remedy(&self.origin)
            ))
            .into()
        })
    }
}

/// `<db>.key` beside the database.
pub fn key_path(db: &Path) -> PathBuf {
    let mut name = db.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".key");
    db.with_file_name(name)
}

/// Refuse a key file that users other than its owner may read or write.
#[cfg(unix)]
fn refuse_exposed(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .with_context(|| format!("reading the key file {}", path.display()))?
        .permissions()
        .mode()
        & 0o777;
    if mode & 0o077 != 0 {
        return Err(KeyError(format!(
            "the credential key file {} can be read or changed by other users (mode {mode:03o}); it is refused: run `chmod 600 {}`",
            path.display(),
            path.display()
        ))
        .into());
    }
    Ok(())
}

#[cfg(not(unix))]
fn refuse_exposed(_path: &Path) -> Result<()> {
    Ok(())
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
        let a = Sealer::for_database(&db, false).unwrap();
        let sealed = a.seal("c/k", b"v").unwrap();
        let b = Sealer::for_database(&db, true).unwrap();
        assert_eq!(b.open("c/k", &sealed).unwrap(), b"v");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(key_path(&db)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    fn key_error(e: &anyhow::Error) -> &KeyError {
        e.downcast_ref::<KeyError>().unwrap_or_else(|| panic!("not a KeyError: {e:#}"))
    }

    #[test]
    fn lost_key_file_is_not_replaced_while_sealed_data_exists() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("w.db");
        let e = Sealer::for_database(&db, true).err().unwrap();
        let m = &key_error(&e).0;
        assert!(
            m.contains(&key_path(&db).display().to_string())
                && m.contains("disconnect")
                && m.contains("WOO_SECRET_KEY"),
            "{m}"
        );
        assert!(!key_path(&db).exists(), "no key was made");
    }

    #[test]
    fn wrong_key_names_where_it_came_from_and_what_to_do() {
        let sealed = Sealer::ephemeral().seal("c/k", b"v").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("w.db");
        let e = Sealer::for_database(&db, false).unwrap().open("c/k", &sealed).unwrap_err();
        let m = &key_error(&e).0;
        assert!(m.contains(&key_path(&db).display().to_string()) && m.contains("disconnect"), "{m}");
        let none = Sealer::without_key(&KeyError("lost".into()));
        assert!(none.open("c/k", &sealed).unwrap_err().downcast_ref::<KeyError>().is_some());
        assert!(none.seal("c/k", b"v").unwrap_err().downcast_ref::<KeyError>().is_some());
    }

    #[cfg(unix)]
    #[test]
    fn key_file_readable_by_others_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("w.db");
        Sealer::for_database(&db, false).unwrap();
        for mode in [0o644, 0o640, 0o604, 0o660] {
            std::fs::set_permissions(key_path(&db), std::fs::Permissions::from_mode(mode)).unwrap();
            let e = Sealer::for_database(&db, true).err().unwrap();
            assert!(key_error(&e).0.contains("chmod 600"), "{e}");
        }
        std::fs::set_permissions(key_path(&db), std::fs::Permissions::from_mode(0o400)).unwrap();
        assert!(Sealer::for_database(&db, true).is_ok());
    }
}
