//! Exit codes scripts rely on: 0 ok, 2 bad input, 3 the connection needs
//! (re)connecting with working credentials (or the credential key cannot be
//! used), 4 a record was not found (tools), 1 any other failure.

use crate::wit::types::Error;

/// Any other failure.
pub const FAILURE: i32 = 1;
/// Bad input: flags, arguments, files.
pub const INVALID_INPUT: i32 = 2;
/// The connection needs (re)connecting with working credentials.
pub const AUTH: i32 = 3;
/// A record was not found.
pub const NOT_FOUND: i32 = 4;
/// The store answered with an error, or could not be reached.
pub const REMOTE: i32 = 1;

/// A failure with its exit code, and the message printed for it.
#[derive(Debug)]
pub struct Failure {
    /// The process's exit code.
    pub code: i32,
    /// One line for stderr.
    pub message: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// Bad input, described by `message` (exit 2).
pub fn invalid(message: impl Into<String>) -> Failure {
    Failure { code: INVALID_INPUT, message: message.into() }
}

/// A component error, with the exit code its case means.
pub fn describe(e: &Error) -> Failure {
    let code = match e {
        Error::Auth(_) | Error::ReconnectRequired(_) => AUTH,
        Error::NotFound(_) => NOT_FOUND,
        Error::InvalidInput(_) | Error::NotConnected => INVALID_INPUT,
        Error::Forbidden(_) | Error::RateLimited(_) | Error::Remote(_) | Error::Transport(_) => REMOTE,
        Error::Storage(_) => FAILURE,
    };
    Failure { code, message: crate::wit::error_message(e) }
}

/// The exit code of a command that failed with `e`: its own for a
/// [`Failure`]; a credential key that cannot be used means reconnecting (or
/// restoring the key).
pub fn code_of(e: &anyhow::Error) -> i32 {
    match e.downcast_ref::<Failure>() {
        Some(f) => f.code,
        None if crate::storage::is_key_error(e) => AUTH,
        None => FAILURE,
    }
}
