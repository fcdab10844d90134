//! napi-rs binding of mtribes-trusted-identity: the thin layer between the pure core
//! ([`crate::core`]) and the hand-written JS API (`index.js`). It converts arguments, results and
//! errors and nothing else. Every check users rely on (types, empty ids, lone surrogates, unknown
//! platforms) happens in `index.js` before a call reaches here; the core re-checks what it owns.
//!
//! - `NativeKeyring` (here): builds a keyring, names its platforms, disposes it. It lives in this
//!   thread's table ([`registry`]) and JavaScript keeps its `handle`.
//! - `sign`, `verify` ([`fast`]): the per-request calls, on raw Node-API, by handle.
//! - `signBatch`, `signBatchAsync` (here): many ids per call, the second on a libuv worker thread.

pub mod core;
mod fast;
mod registry;

use std::sync::Arc;

use napi::bindgen_prelude::{
    AsyncTask, Object, ToNapiValue, TypeName, Uint32Array, Uint8Array, Utf16String, ValueType,
};
use napi::{sys, Env, JsValue, Task};
use napi_derive::napi;

use crate::core::batch::sign_utf16_batch;
use crate::core::env::{keyring_from_process_env, EnvOptions};
use crate::core::{Error, Keyring, SecretKind};
use crate::registry::Handle;

/// A core error as a JS `Error` whose `code` is the core's stable code.
type Result<T> = napi::Result<T, &'static str>;

fn to_js(error: Error) -> napi::Error<&'static str> {
    napi::Error::new(error.code(), error.message())
}

fn position(position: u32) -> usize {
    usize::try_from(position).unwrap_or(usize::MAX)
}

fn handle(number: f64) -> Result<Handle> {
    Handle::from_f64(number).ok_or_else(|| to_js(Error::disposed()))
}

/// Adds the raw hot-path functions to the exports.
#[napi(module_exports)]
pub fn exports(exports: Object, env: Env) -> napi::Result<()> {
    // SAFETY: napi-rs passes the live env and exports object of the module being initialised.
    unsafe { fast::export(env.raw(), exports.raw()) }
}

/// The native half of `TrustedIdentity`: a keyring JavaScript can sign with but never read.
/// Dropping it (garbage collection of its JS object) or `dispose` wipes every key.
#[napi]
pub struct NativeKeyring {
    handle: Handle,
}

impl NativeKeyring {
    fn register(keyring: Keyring) -> Result<Self> {
        let handle = registry::register(keyring).ok_or_else(|| {
            napi::Error::new("ERR_TRUSTED_IDENTITY_LIMIT", "too many TrustedIdentity objects on this thread")
        })?;
        Ok(Self { handle })
    }
}

#[napi]
impl NativeKeyring {
    /// An empty keyring; platforms are added with `insert`.
    #[napi(constructor)]
    pub fn new() -> Result<Self> {
        Self::register(Keyring::new())
    }

    /// A keyring read from `<prefix><PLATFORM>_SECRET[_FILE]`, in Rust.
    #[napi(factory)]
    pub fn from_env(prefix: Option<String>, platforms: Option<Vec<String>>) -> Result<Self> {
        let options = EnvOptions { prefix: prefix.as_deref(), platforms: platforms.as_deref() };
        Self::register(keyring_from_process_env(options).map_err(to_js)?)
    }

    /// Adds a platform. `secret` is read in place, not copied; `text` selects the rules for a
    /// string secret. Returns the platform's position.
    #[napi]
    pub fn insert(&self, platform: String, secret: Uint8Array, text: bool) -> Result<u32> {
        let kind = if text { SecretKind::Text } else { SecretKind::Raw };
        let inserted = registry::with_mut(self.handle, |keyring| keyring.insert(&platform, &secret, kind));
        let position = inserted.unwrap_or_else(|| Err(Error::disposed())).map_err(to_js)?;
        Ok(u32::try_from(position).unwrap_or(u32::MAX))
    }

    /// The number `sign`, `verify` and `signBatch` find this keyring by.
    #[napi(getter)]
    pub fn handle(&self) -> f64 {
        self.handle.to_f64()
    }

    /// The platform names, in position order.
    #[napi(getter)]
    pub fn platforms(&self) -> Vec<String> {
        registry::with(self.handle, |keyring| keyring.platforms().to_vec()).unwrap_or_default()
    }

    /// Wipes every key now (or, if a batch is signing on another thread, as soon as it ends).
    #[napi]
    pub fn dispose(&self) {
        registry::release(self.handle);
    }
}

impl Drop for NativeKeyring {
    fn drop(&mut self) {
        registry::release(self.handle);
    }
}

/// Hex digits as a one-byte JavaScript string (latin1 is exact for ASCII, and cheaper than UTF-8).
pub struct HexString(Vec<u8>);

impl TypeName for HexString {
    fn type_name() -> &'static str {
        "string"
    }

    fn value_type() -> ValueType {
        ValueType::String
    }
}

impl ToNapiValue for HexString {
    unsafe fn to_napi_value(env: sys::napi_env, value: Self) -> napi::Result<sys::napi_value> {
        let mut result = std::ptr::null_mut();
        let length = isize::try_from(value.0.len()).map_err(|_| napi::Error::from_reason("batch too large"))?;
        // SAFETY: `env` is live (napi-rs calls this on the JS thread); the bytes are valid for `length`.
        let status = unsafe { sys::napi_create_string_latin1(env, value.0.as_ptr().cast(), length, &mut result) };
        napi::check_status!(status, "could not create the signatures string")?;
        Ok(result)
    }
}

/// The signatures of a batch of ids (joined, with their UTF-16 lengths), 64 hex digits each.
#[napi]
pub fn sign_batch(handle: f64, platform: u32, joined: Utf16String, lengths: Uint32Array) -> Result<HexString> {
    let signed = registry::with(self::handle(handle)?, |keyring| {
        keyring.key(position(platform)).and_then(|key| sign_utf16_batch(key, &joined, &lengths))
    });
    signed.unwrap_or_else(|| Err(Error::disposed())).map(HexString).map_err(to_js)
}

/// As `signBatch`, computed on a libuv worker thread.
pub struct SignBatchTask {
    keyring: Arc<Keyring>,
    position: usize,
    joined: Utf16String,
    lengths: Vec<u32>,
}

impl Task for SignBatchTask {
    type Output = Vec<u8>;
    type JsValue = HexString;

    fn compute(&mut self) -> napi::Result<Vec<u8>> {
        let key = self.keyring.key(self.position).map_err(|error| napi::Error::from_reason(error.message()))?;
        sign_utf16_batch(key, &self.joined, &self.lengths).map_err(|error| napi::Error::from_reason(error.message()))
    }

    fn resolve(&mut self, _env: Env, output: Vec<u8>) -> napi::Result<HexString> {
        Ok(HexString(output))
    }
}

/// `signBatch` off the JavaScript thread: the ids are read here, signed on a worker thread.
#[napi(ts_return_type = "Promise<string>")]
pub fn sign_batch_async(
    handle: f64,
    platform: u32,
    joined: Utf16String,
    lengths: Uint32Array,
) -> Result<AsyncTask<SignBatchTask>> {
    let keyring = registry::shared(self::handle(handle)?).ok_or_else(|| to_js(Error::disposed()))?;
    Ok(AsyncTask::new(SignBatchTask { keyring, position: position(platform), joined, lengths: lengths.to_vec() }))
}
