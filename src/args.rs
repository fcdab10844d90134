//! Binding: the keyring and position arguments, read alike by the napi-rs functions and by the raw
//! `sign` and `verify` ([`crate::fast`]), so that a misuse of either gets one code and message on
//! every path. Neither read fails: a value that is not a keyring names none (the lookup refuses it,
//! [`Unusable::NotAKeyring`](crate::keyrings::Unusable)), and a position that is not a number is
//! refused where it is used ([`PositionArg::get`]).

use napi::bindgen_prelude::FromNapiValue;
use napi::sys;

use crate::core::{Error, ErrorKind};
use crate::keyrings::{self, Address};

/// A keyring argument: the address its object is wrapped with (see [`keyrings::address`]).
pub struct KeyringArg(pub Address);

js_type_name!(KeyringArg, "Object", Object);

impl FromNapiValue for KeyringArg {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
        // SAFETY: napi-rs passes the live env and a value of the running call.
        Ok(Self(unsafe { keyrings::address(env, value) }))
    }
}

/// A position argument (an index into the keyring's platforms), or `None` if it was no number.
#[derive(Clone, Copy)]
pub struct PositionArg(Option<usize>);

js_type_name!(PositionArg, "number", Number);

impl PositionArg {
    /// Reads `value` as a position (any number, as `napi_get_value_uint32` converts it).
    ///
    /// # Safety
    /// `env` must be live, on its thread; `value` a value of the running call.
    pub unsafe fn read(env: sys::napi_env, value: sys::napi_value) -> Self {
        let mut number = 0u32;
        // SAFETY: live env, value of the running call (caller's contract); the out-pointer is a
        // valid local; Node checks that the value is a number.
        let status = unsafe { sys::napi_get_value_uint32(env, value, &mut number) };
        Self((status == sys::Status::napi_ok).then(|| usize::try_from(number).unwrap_or(usize::MAX)))
    }

    /// The position.
    ///
    /// # Errors
    /// `ERR_INVALID_ARG_TYPE` if the argument was not a number.
    pub fn get(self) -> Result<usize, Error> {
        self.0.ok_or_else(|| Error::new(ErrorKind::InvalidArgType, "position must be a platform's position"))
    }
}

impl FromNapiValue for PositionArg {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
        // SAFETY: napi-rs passes the live env and a value of the running call.
        Ok(unsafe { Self::read(env, value) })
    }
}
