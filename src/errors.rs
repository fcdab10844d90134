//! Binding: the one door from Rust errors to JavaScript errors. Every error the binding hands to
//! JavaScript is a core [`Error`] and leaves through [`to_js`], whichever path it takes: returned
//! from a napi-rs function, rejected by the batch signed on a worker thread, or thrown by the raw
//! `sign` and `verify` ([`crate::fast`]). So each leaves with the core's stable `code` and its
//! message, by which `index.js` rebuilds it (`fromNative`), and a misuse has one code everywhere.
//! (Only a failure of Node-API itself, such as a string or keyring object that could not be made, is
//! reported as napi-rs reports it, with a napi status for its code.)

use napi::bindgen_prelude::Unknown;
use napi::{Env, JsError, JsTypeError};

use crate::core::Error;

/// What a napi-rs function returns: its error is thrown as a JavaScript `Error` whose `code` is
/// the core's stable code.
pub type Result<T> = napi::Result<T, &'static str>;

/// A core error (or what becomes one, such as a keyring that cannot be used) as napi-rs's
/// error: the core's code and message.
pub fn to_js(error: impl Into<Error>) -> napi::Error<&'static str> {
    let error = error.into();
    napi::Error::new(error.code(), error.message())
}

/// A core error as a JavaScript error object, for the paths that throw or reject it themselves:
/// a `TypeError` for a misused argument (`ERR_INVALID_ARG_*`, as `index.js` rebuilds those), an
/// `Error` otherwise; `code` and `message` as [`to_js`] gives them.
pub fn to_js_value<'env>(env: Env, error: impl Into<Error>) -> Unknown<'env> {
    let error = error.into();
    let type_error = error.kind().is_invalid_argument();
    let error = to_js(error);
    if type_error {
        JsTypeError::from(error).into_unknown(env)
    } else {
        JsError::from(error).into_unknown(env)
    }
}

/// A core error as the error a napi-rs task rejects its promise with (the batch on a worker
/// thread): the object [`to_js_value`] makes, handed back as it is, so its `code` survives (a
/// task's own errors carry only a napi status).
pub fn to_rejection(env: Env, error: Error) -> napi::Error {
    napi::Error::from_unknown_without_coercion(to_js_value(env, error))
}
