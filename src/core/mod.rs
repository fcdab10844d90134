//! The pure Rust core of mtribes-trusted-identity: no napi types, fully exercised by `cargo test`.
//!
//! - [`key`]: one platform's secret as prepared HMAC-SHA256 state; signing and constant-time verifying.
//! - [`keyring`]: platform names and their keys; the one place a platform name becomes a key.
//! - [`env`]: loading secrets from `MTRIBES_<PLATFORM>_SECRET[_FILE]` without them touching JavaScript.
//! - [`error`]: the error values the core returns, each with a stable Node-style code.

pub mod env;
pub mod error;
pub mod key;
pub mod keyring;

pub use error::{Error, ErrorKind};
pub use key::{PlatformKey, SecretKind, SIGNATURE_HEX_LEN};
pub use keyring::{is_valid_platform_name, Keyring};
