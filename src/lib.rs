//! napi-rs binding of mtribes-trusted-identity: the thin layer between the pure core
//! ([`crate::core`]) and the hand-written JS API (`index.js`). It converts arguments, results and
//! errors and nothing else. Every check users rely on (types, empty ids, lone surrogates, unknown
//! platforms) happens in `index.js` before a call reaches here; the core re-checks what it owns.
//!
//! - `keyringNew`, `keyringInsert`, `keyringInsertFile`, `keyringDispose`, `keyringCheck`
//!   (here): build a keyring, named by an External that only `index.js` holds ([`keyrings`]).
//! - `sign`, `verify` ([`fast`]): the per-request calls, on raw Node-API.
//! - `signBatch`, `signBatchAsync` (here): many ids per call, the second on a libuv worker thread.

pub mod core;
mod fast;
mod keyrings;

use std::path::Path;
use std::sync::Arc;

use napi::bindgen_prelude::{
    AsyncTask, Object, ToNapiValue, TypeName, Uint32Array, Uint8Array, Utf16String, ValueType,
};
use napi::{sys, Env, JsValue, Task};
use napi_derive::napi;

use crate::core::batch::sign_utf16_batch;
use crate::core::{Error, Keyring, SecretKind, Source};
use crate::keyrings::{KeyringArg, Missing, NewKeyring};

/// A core error as a JS `Error` whose `code` is the core's stable code.
type Result<T> = napi::Result<T, &'static str>;

fn to_js(error: Error) -> napi::Error<&'static str> {
    napi::Error::new(error.code(), error.message())
}

fn missing(missing: Missing) -> napi::Error<&'static str> {
    to_js(missing.into_error())
}

fn position(position: u32) -> usize {
    usize::try_from(position).unwrap_or(usize::MAX)
}

fn to_u32(position: usize) -> u32 {
    u32::try_from(position).unwrap_or(u32::MAX)
}

/// Adds the raw hot-path functions to the exports.
#[napi(module_exports)]
pub fn exports(exports: Object, env: Env) -> napi::Result<()> {
    // SAFETY: napi-rs passes the live env and exports object of the module being initialised.
    unsafe { fast::export(env.raw(), exports.raw()) }
}

/// A new, empty keyring, as the External that names it.
#[napi(ts_return_type = "object")]
pub fn keyring_new() -> NewKeyring {
    NewKeyring
}

/// Adds a platform. `secret` is read in place, not copied; `text` selects the rules for a
/// string secret; `variable` names the environment variable it came from, for messages (none:
/// `secrets.<platform>`). Returns the platform's position.
#[napi(ts_args_type = "keyring: object, platform: string, secret: Uint8Array, text: boolean, variable?: string")]
pub fn keyring_insert(
    keyring: KeyringArg,
    platform: String,
    secret: Uint8Array,
    text: bool,
    variable: Option<String>,
) -> Result<u32> {
    let kind = if text { SecretKind::Text } else { SecretKind::Raw };
    let source = variable.as_deref().map_or(Source::Argument, Source::Variable);
    let inserted = keyrings::with_mut(keyring.0, |keys| keys.insert(&platform, &secret, kind, source));
    inserted.map_err(missing)?.map(to_u32).map_err(to_js)
}

/// Adds a platform whose secret is in the file at `path` (named by the variable `variable`),
/// read here in Rust. Returns the platform's position.
#[napi(ts_args_type = "keyring: object, platform: string, variable: string, path: string")]
pub fn keyring_insert_file(keyring: KeyringArg, platform: String, variable: String, path: String) -> Result<u32> {
    let inserted = keyrings::with_mut(keyring.0, |keys| keys.insert_file(&platform, &variable, Path::new(&path)));
    inserted.map_err(missing)?.map(to_u32).map_err(to_js)
}

/// Wipes every key now (or, if a batch is signing on another thread, as soon as it ends).
#[napi(ts_args_type = "keyring: object")]
pub fn keyring_dispose(keyring: KeyringArg) -> Result<()> {
    keyrings::dispose(keyring.0).map_err(missing)
}

/// Throws `ERR_TRUSTED_IDENTITY_DISPOSED` if the keyring was disposed (the one place that knows).
#[napi(ts_args_type = "keyring: object")]
pub fn keyring_check(keyring: KeyringArg) -> Result<()> {
    keyrings::with(keyring.0, |_| ()).map_err(missing)
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
#[napi(ts_args_type = "keyring: object, position: number, joined: string, lengths: Uint32Array")]
pub fn sign_batch(keyring: KeyringArg, platform: u32, joined: Utf16String, lengths: Uint32Array) -> Result<HexString> {
    let signed = keyrings::with(keyring.0, |keys| {
        keys.key(position(platform)).and_then(|key| sign_utf16_batch(key, &joined, &lengths))
    });
    signed.map_err(missing)?.map(HexString).map_err(to_js)
}

/// As `signBatch`, computed on a libuv worker thread. It resolves to `null` if the keyring was
/// disposed while it ran (its result is then not handed out).
pub struct SignBatchTask {
    address: keyrings::Address,
    keyring: Arc<Keyring>,
    position: usize,
    joined: Utf16String,
    lengths: Vec<u32>,
}

impl Task for SignBatchTask {
    type Output = Vec<u8>;
    type JsValue = Option<HexString>;

    fn compute(&mut self) -> napi::Result<Vec<u8>> {
        let key = self.keyring.key(self.position).map_err(|error| napi::Error::from_reason(error.message()))?;
        sign_utf16_batch(key, &self.joined, &self.lengths).map_err(|error| napi::Error::from_reason(error.message()))
    }

    fn resolve(&mut self, _env: Env, output: Vec<u8>) -> napi::Result<Option<HexString>> {
        Ok((keyrings::is_disposed(self.address) == Ok(false)).then_some(HexString(output)))
    }
}

/// `signBatch` off the JavaScript thread: the ids are read here, signed on a worker thread.
#[napi(
    ts_args_type = "keyring: object, position: number, joined: string, lengths: Uint32Array",
    ts_return_type = "Promise<string | null>"
)]
pub fn sign_batch_async(
    keyring: KeyringArg,
    platform: u32,
    joined: Utf16String,
    lengths: Uint32Array,
) -> Result<AsyncTask<SignBatchTask>> {
    let shared = keyrings::shared(keyring.0).map_err(missing)?;
    Ok(AsyncTask::new(SignBatchTask {
        address: keyring.0,
        keyring: shared,
        position: position(platform),
        joined,
        lengths: lengths.to_vec(),
    }))
}
