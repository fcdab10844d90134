//! The pure Rust core of mtribes-trusted-identity: no napi types, fully exercised by `cargo test`.
//!
//! - [`batch`]: many ids signed in one call (joined UTF-16 in, one run of hex out).
//! - [`hmac`]: HMAC-SHA256 on a key's prepared pad states, straight on `sha2`'s compression function.
//! - [`key`]: one platform's secret as prepared HMAC-SHA256 state; signing and constant-time verifying.
//! - [`keyring`]: platform names and their keys; the one place a platform name becomes a key.
//! - [`env`]: loading secrets from `MTRIBES_<PLATFORM>_SECRET[_FILE]` without them touching JavaScript.
//! - [`utf16`]: UTF-16 code units to the UTF-8 bytes that are signed.
//! - [`error`]: the error values the core returns, each with a stable Node-style code.

pub mod batch;
pub mod env;
pub mod error;
pub mod hmac;
pub mod key;
pub mod keyring;
pub mod utf16;

pub use error::{Error, ErrorKind};
pub use key::{PlatformKey, SecretKind, SIGNATURE_HEX_LEN};
pub use keyring::{is_valid_platform_name, Keyring};
