//! napi-rs binding of mtribes-trusted-identity: the thin layer between the pure core
//! ([`crate::core`]) and the hand-written JS API (`index.js`). It converts arguments, results and
//! errors and nothing else. Every check users rely on (types, empty ids, lone surrogates, unknown
//! platforms) happens in `index.js` before a call reaches here; the core re-checks what it owns.
//!
//! - `keyringNew`, `keyringInsert`, `keyringInsertFile`, `keyringCopy`, `keyringDispose`,
//!   `keyringCheck`, `keyringProtection`, `keyringReplace`, `keyringFingerprint` (here): build a
//!   keyring (or give its platforms new secrets, or name a key by its fingerprint), named by a wrapped object that only
//!   `index.js` holds ([`keyrings`]); its keys are kept in secret memory ([`key_memory`],
//!   [`secret_memory`]).
//! - `sign`, `verify` ([`fast`]): the per-request calls, on raw Node-API.
//! - `signBatch`, `signBatchAsync` (here): many ids per call, the second on a libuv worker thread.
//!
//! Arguments naming a keyring or a position are read alike on every path ([`args`]); every error
//! leaves through one door ([`errors`]).

/// `TypeName` for a type napi-rs converts to or from JavaScript: the JavaScript type it stands for.
macro_rules! js_type_name {
    ($type:ty, $name:literal, $value_type:ident) => {
        impl napi::bindgen_prelude::TypeName for $type {
            fn type_name() -> &'static str {
                $name
            }

            fn value_type() -> napi::bindgen_prelude::ValueType {
                napi::bindgen_prelude::ValueType::$value_type
            }
        }
    };
}

mod args;
pub mod core;
mod errors;
mod fast;
mod key_memory;
mod keyrings;
mod secret_memory;

use std::path::Path;
use std::sync::Arc;

use napi::bindgen_prelude::{AsyncTask, Object, ToNapiValue, Uint32Array, Uint8Array, Utf16String};
use napi::{sys, Env, JsValue, Task};
use napi_derive::napi;

use crate::args::{KeyringArg, PositionArg};
use crate::core::{Error, ErrorKind, SecretKind, Source};
use crate::errors::{to_js, to_rejection, Result};
use crate::key_memory::least_protection;
use crate::keyrings::{NewKeyring, SecretKeyring};
use crate::secret_memory::Protection;

fn to_u32(position: usize) -> u32 {
    u32::try_from(position).unwrap_or(u32::MAX)
}

/// Adds the raw hot-path functions to the exports.
#[napi(module_exports)]
pub fn exports(exports: Object, env: Env) -> napi::Result<()> {
    // SAFETY: napi-rs passes the live env and exports object of the module being initialised.
    unsafe { fast::export(env.raw(), exports.raw()) }
}

/// A new, empty keyring, as the wrapped object that names it; its keys must be kept in memory at least
/// as protected as `minimum` ('ordinary', 'no-dump', 'locked' or 'secret'; none: 'ordinary').
#[napi(ts_args_type = "minimum?: string", ts_return_type = "object")]
pub fn keyring_new(minimum: Option<String>) -> Result<NewKeyring> {
    let minimum = match minimum.as_deref() {
        None => Protection::Ordinary,
        Some(name) => Protection::from_name(name).ok_or_else(|| {
            to_js(Error::new(ErrorKind::InvalidArgValue, "minimum must be 'ordinary', 'no-dump', 'locked' or 'secret'"))
        })?,
    };
    Ok(NewKeyring::Empty(minimum))
}

/// A new keyring with the platforms of `keyring` and copies of its keys (kept as `keyring` requires).
#[napi(ts_args_type = "keyring: object", ts_return_type = "object")]
pub fn keyring_copy(keyring: KeyringArg) -> Result<NewKeyring> {
    let copy = keyrings::with(keyring.0, |keys| keys.copy_into(*keys.memory())).map_err(to_js)?;
    copy.map(NewKeyring::Copied).map_err(to_js)
}

/// How the keys of `keyring` are kept: the least protection of any of them ('secret', 'locked',
/// 'no-dump' or 'ordinary'; a keyring without keys answers what it requires).
#[napi(ts_args_type = "keyring: object")]
pub fn keyring_protection(keyring: KeyringArg) -> Result<&'static str> {
    let least = keyrings::with(keyring.0, |keys: &SecretKeyring| {
        least_protection(keys.kept_keys()).unwrap_or(keys.memory().minimum)
    });
    least.map(Protection::name).map_err(to_js)
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
    inserted.map_err(to_js)?.map(to_u32).map_err(to_js)
}

/// Adds a platform whose secret is in the file at `path` (named by the variable `variable`),
/// read here in Rust. Returns the platform's position.
#[napi(ts_args_type = "keyring: object, platform: string, variable: string, path: string")]
pub fn keyring_insert_file(keyring: KeyringArg, platform: String, variable: String, path: String) -> Result<u32> {
    let inserted = keyrings::with_mut(keyring.0, |keys| keys.insert_file(&platform, &variable, Path::new(&path)));
    inserted.map_err(to_js)?.map(to_u32).map_err(to_js)
}

/// One platform's new secret for `keyringReplace`: `secret` (read in place; `text` selects the
/// rules for a string secret; `variable` names the environment variable it came from, for
/// messages, none: `secrets.<platform>`), or the file at `path` named by `variable`, read here.
#[napi(object, object_to_js = false)]
pub struct Replacement {
    pub position: u32,
    pub secret: Option<Uint8Array>,
    pub text: Option<bool>,
    pub variable: Option<String>,
    pub path: Option<String>,
}

/// Gives the platforms at the positions of `replacements` their new secrets, all at once: every
/// new key is made before any is used, and a refused one leaves every key as it was. The old keys
/// are wiped now, or, if a batch is signing with them, as soon as it ends.
#[napi(
    ts_args_type = "keyring: object, replacements: Array<{ position: number, secret?: Uint8Array, text?: boolean, variable?: string, path?: string }>"
)]
pub fn keyring_replace(keyring: KeyringArg, replacements: Vec<Replacement>) -> Result<()> {
    let replaced = keyrings::replace(keyring.0, |keys| {
        for item in &replacements {
            let position = usize::try_from(item.position).unwrap_or(usize::MAX);
            match (&item.path, &item.secret) {
                (Some(path), _) => {
                    keys.replace_file(position, item.variable.as_deref().unwrap_or(""), Path::new(path))?
                }
                (None, Some(secret)) => {
                    let kind = if item.text == Some(true) { SecretKind::Text } else { SecretKind::Raw };
                    let source = item.variable.as_deref().map_or(Source::Argument, Source::Variable);
                    keys.replace(position, secret, kind, source)?;
                }
                (None, None) => {
                    return Err(Error::new(ErrorKind::InvalidArgValue, "a replacement needs a secret or a path"))
                }
            }
        }
        Ok(())
    });
    replaced.map_err(to_js)
}

/// The fingerprint of the key at `position` (`ti1:` and 16 hex digits, see
/// [`core::PlatformKey::fingerprint_with`]): safe to show, never a signature.
#[napi(ts_args_type = "keyring: object, position: number")]
pub fn keyring_fingerprint(keyring: KeyringArg, position: PositionArg) -> Result<HexString> {
    let position = position.get().map_err(to_js)?;
    let fingerprint = keyrings::with(keyring.0, |keys| keys.fingerprint(position)).map_err(to_js)?;
    fingerprint.map(|bytes| HexString(bytes.to_vec())).map_err(to_js)
}

/// Wipes every key now (or, if a batch is signing on another thread, as soon as it ends).
#[napi(ts_args_type = "keyring: object")]
pub fn keyring_dispose(keyring: KeyringArg) -> Result<()> {
    keyrings::dispose(keyring.0).map_err(to_js)
}

/// Throws `ERR_TRUSTED_IDENTITY_DISPOSED` if the keyring was disposed (the one place that knows).
#[napi(ts_args_type = "keyring: object")]
pub fn keyring_check(keyring: KeyringArg) -> Result<()> {
    keyrings::with(keyring.0, |_| ()).map_err(to_js)
}

/// Pages of secret memory in use in this process (for tests and benchmarks: counts, no addresses).
#[napi(object)]
pub struct SecretMemoryUsage {
    /// Pages at each level: 'secret', 'locked', 'no-dump', 'ordinary'.
    pub secret: u32,
    pub locked: u32,
    pub no_dump: u32,
    pub ordinary: u32,
    /// Slots (keys and per-thread scratches) in use.
    pub slots: u32,
    /// Bytes per page.
    pub page_bytes: u32,
}

/// The pages of secret memory this process uses now.
#[napi]
pub fn secret_memory_usage() -> SecretMemoryUsage {
    let usage = secret_memory::usage();
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let [secret, locked, no_dump, ordinary] = usage.pages.map(count);
    SecretMemoryUsage {
        secret,
        locked,
        no_dump,
        ordinary,
        slots: count(usage.slots),
        page_bytes: count(usage.page_bytes),
    }
}

/// Hex digits (or a fingerprint) as a one-byte JavaScript string (latin1 is exact for ASCII, and cheaper than UTF-8).
pub struct HexString(Vec<u8>);

js_type_name!(HexString, "string", String);

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
pub fn sign_batch(
    keyring: KeyringArg,
    position: PositionArg,
    joined: Utf16String,
    lengths: Uint32Array,
) -> Result<HexString> {
    let position = position.get().map_err(to_js)?;
    let signed = keyrings::with(keyring.0, |keys| keys.sign_batch(position, &joined, &lengths));
    signed.map_err(to_js)?.map(HexString).map_err(to_js)
}

/// As `signBatch`, computed on a libuv worker thread. It resolves to `null` if the keyring was
/// disposed while it ran (its result is then not handed out).
pub struct SignBatchTask {
    address: keyrings::Address,
    keyring: Arc<SecretKeyring>,
    position: usize,
    joined: Utf16String,
    lengths: Vec<u32>,
}

impl Task for SignBatchTask {
    /// The core's answer, carried to the JavaScript thread whole, so that an error leaves through
    /// the same door as everywhere else ([`to_rejection`]) with its code.
    type Output = std::result::Result<Vec<u8>, Error>;
    type JsValue = Option<HexString>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(self.keyring.sign_batch(self.position, &self.joined, &self.lengths))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Option<HexString>> {
        let signed = output.map_err(|error| to_rejection(env, error))?;
        Ok((keyrings::is_disposed(self.address) == Ok(false)).then_some(HexString(signed)))
    }
}

/// `signBatch` off the JavaScript thread: the ids are read here, signed on a worker thread.
#[napi(
    ts_args_type = "keyring: object, position: number, joined: string, lengths: Uint32Array",
    ts_return_type = "Promise<string | null>"
)]
pub fn sign_batch_async(
    keyring: KeyringArg,
    position: PositionArg,
    joined: Utf16String,
    lengths: Uint32Array,
) -> Result<AsyncTask<SignBatchTask>> {
    let position = position.get().map_err(to_js)?;
    let shared = keyrings::shared(keyring.0).map_err(to_js)?;
    Ok(AsyncTask::new(SignBatchTask {
        address: keyring.0,
        keyring: shared,
        position,
        joined,
        lengths: lengths.to_vec(),
    }))
}
