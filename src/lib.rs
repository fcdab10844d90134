//! napi-rs binding of mtribes-trusted-identity: the thin layer between the pure core
//! ([`crate::core`]) and the hand-written JS API (`index.js`). It converts arguments, results and
//! errors and nothing else. Every check users rely on (types, empty ids, lone surrogates, unknown
//! platforms) happens in `index.js` before a call reaches here; the core re-checks what it owns.

pub mod core;

use napi::bindgen_prelude::Uint8Array;
use napi_derive::napi;

use crate::core::env::{keyring_from_process_env, EnvOptions};
use crate::core::{Keyring, SecretKind, SIGNATURE_HEX_LEN};

/// A core error as a JS `Error` whose `code` is the core's stable code.
type Result<T> = napi::Result<T, &'static str>;

fn to_js(error: crate::core::Error) -> napi::Error<&'static str> {
    napi::Error::new(error.code(), error.message())
}

fn hex_string(hex: [u8; SIGNATURE_HEX_LEN]) -> String {
    hex.iter().map(|&b| char::from(b)).collect()
}

fn position(position: u32) -> usize {
    usize::try_from(position).unwrap_or(usize::MAX)
}

/// The native half of `TrustedIdentity`: a keyring JavaScript can sign with but never read.
/// Dropping it (dispose, or garbage collection of its JS object) zeroizes every key.
#[napi]
pub struct NativeKeyring {
    keyring: Keyring,
}

#[napi]
impl NativeKeyring {
    /// An empty keyring; platforms are added with `insert`.
    #[napi(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Self { keyring: Keyring::new() }
    }

    /// A keyring read from `<prefix><PLATFORM>_SECRET[_FILE]`, in Rust.
    #[napi(factory)]
    pub fn from_env(prefix: Option<String>, platforms: Option<Vec<String>>) -> Result<Self> {
        let options = EnvOptions { prefix: prefix.as_deref(), platforms: platforms.as_deref() };
        keyring_from_process_env(options).map(|keyring| Self { keyring }).map_err(to_js)
    }

    /// Adds a platform. `secret` is read in place, not copied; `text` selects the rules for a
    /// string secret. Returns the platform's position.
    #[napi]
    pub fn insert(&mut self, platform: String, secret: Uint8Array, text: bool) -> Result<u32> {
        let kind = if text { SecretKind::Text } else { SecretKind::Raw };
        let position = self.keyring.insert(&platform, &secret, kind).map_err(to_js)?;
        Ok(u32::try_from(position).unwrap_or(u32::MAX))
    }

    /// The platform names, in position order.
    #[napi(getter)]
    pub fn platforms(&self) -> Vec<String> {
        self.keyring.platforms().to_vec()
    }

    /// The hex signature of `user_id` under the platform at `platform`.
    #[napi]
    pub fn sign(&self, platform: u32, user_id: String) -> Result<String> {
        self.keyring.sign_hex(position(platform), user_id.as_bytes()).map(hex_string).map_err(to_js)
    }

    /// The hex signatures of `user_ids` under the platform at `platform`.
    #[napi]
    pub fn sign_many(&self, platform: u32, user_ids: Vec<String>) -> Result<Vec<String>> {
        let key = self.keyring.key(position(platform)).map_err(to_js)?;
        Ok(user_ids.iter().map(|id| hex_string(key.sign_hex(id.as_bytes()))).collect())
    }

    /// Whether `signature` is the signature of `user_id` (constant-time comparison).
    #[napi]
    pub fn verify(&self, platform: u32, user_id: String, signature: String) -> Result<bool> {
        self.keyring.verify_hex(position(platform), user_id.as_bytes(), signature.as_bytes()).map_err(to_js)
    }

    /// Wipes every key now.
    #[napi]
    pub fn dispose(&mut self) {
        self.keyring.dispose();
    }
}
