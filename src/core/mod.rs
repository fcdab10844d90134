//! The pure Rust core of mtribes-trusted-identity: no napi types, no `unsafe`, fully exercised by
//! `cargo test`.
//!
//! - [`key`]: one platform's secret as the `hmac` crate's prepared HMAC-SHA256 state; signing and
//!   constant-time verifying; a key's fingerprint.
//! - [`keyring`]: platform names and their keys; the one place a platform name becomes a key.
//! - [`memory`]: where keys are kept and each signature's working copy is made ([`KeyMemory`]:
//!   ordinary memory here, secret pages in the binding).
//! - [`secret_file`]: reading a secret from the file a `_SECRET_FILE` variable names, in Rust, so
//!   it never becomes a JavaScript value.
//! - [`batch`]: many ids signed in one call (joined UTF-16 in, one run of hex out).
//! - [`utf16`]: UTF-16 code units to the UTF-8 bytes that are signed.
//! - [`error`]: the error values the core returns, each with a stable Node-style code.
//! - `wipe`: zeroing the stack frames that held key material, after each use.
#![forbid(unsafe_code)]

pub mod batch;
pub mod error;
pub mod key;
pub mod keyring;
pub mod memory;
pub mod secret_file;
pub mod utf16;
mod wipe;

pub use error::{Error, ErrorKind};
pub use key::{PlatformKey, SecretKind, FINGERPRINT_LEN, SIGNATURE_HEX_LEN};
pub use keyring::{is_valid_platform_name, Keyring, Source};
pub use memory::{Heap, KeyMemory, Scratch};
