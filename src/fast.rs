//! Binding, hot path: `sign(keyring, position, userId)` and `verify(keyring, position, userId,
//! signature)` written directly against Node-API, because they run once per request and napi-rs's
//! argument and `String` conversions cost more than the HMAC itself (the figures, with and without
//! this path: docs/performance.md, "The raw Node-API path"). Per call: one argument read,
//! the keyring found by its object ([`crate::keyrings`]), the id's UTF-8 read in one call into a
//! stack buffer (the heap only for ids longer than it), the HMAC from prepared states, and the
//! result made as a one-byte (latin1) string. `index.js` checks every argument before calling
//! these; the checks here keep a misuse of the internal binding from doing harm, and refuse it
//! with the same code and message as the napi-rs functions ([`crate::args`], [`crate::errors`]).
//!
//! The raw calls are gathered in [`Callback`]: made once per call from what Node passed (the one
//! `unsafe` step of each callback), it hands out the call's arguments as [`Value`]s, which only it
//! can make, so every Node-API call below gets a live env and values of the running call.

use std::ffi::{c_char, CStr};
use std::marker::PhantomData;
use std::ptr;

use napi::{sys, Env, JsValue};

use crate::args::PositionArg;
use crate::core::{Error, ErrorKind, SIGNATURE_HEX_LEN};
use crate::errors::to_js_value;
use crate::keyrings::{self, Address, Unusable};

/// Bytes of UTF-8 read onto the stack. Longer ids (rare: ids are usually UUIDs or database keys)
/// take one more call for their length and a heap buffer.
const STACK_BYTES: usize = 256;

/// Adds `sign` and `verify` to the module's exports.
///
/// # Safety
/// `env` and `exports` must be the live values Node passed to the module's initialisation.
pub unsafe fn export(env: sys::napi_env, exports: sys::napi_value) -> napi::Result<()> {
    let functions: [(&CStr, unsafe extern "C" fn(sys::napi_env, sys::napi_callback_info) -> sys::napi_value); 2] =
        [(c"sign", sign), (c"verify", verify)];
    for (name, callback) in functions {
        let mut function = ptr::null_mut();
        // SAFETY: `env` and `exports` are live (caller's contract); `name` is a NUL-terminated
        // static; `function` is written by Node before it is read.
        let status = unsafe {
            let created = sys::napi_create_function(
                env,
                name.as_ptr(),
                name.count_bytes() as isize,
                Some(callback),
                ptr::null_mut(),
                &mut function,
            );
            if created == sys::Status::napi_ok {
                sys::napi_set_named_property(env, exports, name.as_ptr(), function)
            } else {
                created
            }
        };
        if status != sys::Status::napi_ok {
            return Err(napi::Error::from_reason(format!("could not export {}", name.to_string_lossy())));
        }
    }
    Ok(())
}

/// `sign(keyring, position, userId)`: the 64-character hex signature.
unsafe extern "C" fn sign(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    // SAFETY: Node calls this function as a callback, with the live env and info of this call,
    // on the JavaScript thread.
    let call = unsafe { Callback::new(env, info) };
    let Some([keyring, position, user_id]) = call.arguments::<3>() else {
        return call.throw_type_error("sign(keyring, position, userId)");
    };
    let (mut stack, mut heap) = ([0u8; STACK_BYTES], Vec::new());
    let target = match call.target(keyring, position, user_id, &mut stack, &mut heap) {
        Ok(target) => target,
        Err(thrown) => return thrown,
    };
    let signed = keyrings::with(target.keyring, |keys| keys.sign_hex(target.position, target.message));
    call.answer(signed, |hex| call.latin1(&hex))
}

/// `verify(keyring, position, userId, signature)`: whether `signature` is `userId`'s signature.
unsafe extern "C" fn verify(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    // SAFETY: as in `sign`.
    let call = unsafe { Callback::new(env, info) };
    let Some([keyring, position, user_id, signature]) = call.arguments::<4>() else {
        return call.throw_type_error("verify(keyring, position, userId, signature)");
    };
    let (mut stack, mut heap) = ([0u8; STACK_BYTES], Vec::new());
    let target = match call.target(keyring, position, user_id, &mut stack, &mut heap) {
        Ok(target) => target,
        Err(thrown) => return thrown,
    };
    let Some(ascii) = call.signature(signature) else {
        return call.throw_type_error("signature must be a string");
    };
    let Some(ascii) = ascii else {
        return call.boolean(false);
    };
    let valid = keyrings::with(target.keyring, |keys| keys.verify_hex(target.position, target.message, &ascii));
    call.answer(valid, |valid| call.boolean(valid))
}

/// What `sign` and `verify` both take: which keyring, the platform's position in it, and the user
/// id's UTF-8 bytes.
struct Target<'a> {
    keyring: Address,
    position: usize,
    message: &'a [u8],
}

/// One argument of the running call. Only [`Callback::arguments`] makes these.
#[derive(Clone, Copy)]
struct Value<'call>(sys::napi_value, PhantomData<&'call ()>);

/// The running call: its env is live and on this thread for as long as this value lives, which is
/// no longer than the callback (it is neither `Send` nor returned).
#[derive(Clone, Copy)]
struct Callback<'call> {
    env: sys::napi_env,
    info: sys::napi_callback_info,
    _call: PhantomData<&'call ()>,
}

impl<'call> Callback<'call> {
    /// # Safety
    /// `env` and `info` must be what Node passed to the running callback, on its thread.
    unsafe fn new(env: sys::napi_env, info: sys::napi_callback_info) -> Self {
        Self { env, info, _call: PhantomData }
    }

    /// The first `N` arguments, or `None` if fewer were passed.
    fn arguments<const N: usize>(self) -> Option<[Value<'call>; N]> {
        let mut argv = [ptr::null_mut(); N];
        let mut argc = N;
        // SAFETY: `env` and `info` are the running call's (`new`'s contract); `argv` has room for
        // `argc` values, Node writes at most that many and sets `argc` to the number passed.
        let status = unsafe {
            sys::napi_get_cb_info(self.env, self.info, &mut argc, argv.as_mut_ptr(), ptr::null_mut(), ptr::null_mut())
        };
        (status == sys::Status::napi_ok && argc >= N).then(|| argv.map(|value| Value(value, PhantomData)))
    }

    /// Reads the keyring, position and user id arguments (the id into `stack`, or `heap` when
    /// long). `Err` holds the value to return after throwing a `TypeError`. A keyring argument
    /// that names no keyring is refused by the lookup after, as on every path.
    fn target<'buffer>(
        self,
        keyring: Value<'call>,
        position: Value<'call>,
        user_id: Value<'call>,
        stack: &'buffer mut [u8; STACK_BYTES],
        heap: &'buffer mut Vec<u8>,
    ) -> Result<Target<'buffer>, sys::napi_value> {
        // SAFETY: `env` is live and both values are of the running call (the invariants of
        // `Callback` and `Value`).
        let (keyring, position) =
            unsafe { (keyrings::address(self.env, keyring.0), PositionArg::read(self.env, position.0)) };
        let position = position.get().map_err(|error| self.throw(error))?;
        let Some(message) = self.utf8(user_id, stack, heap) else {
            return Err(self.throw_type_error("userId must be a string"));
        };
        Ok(Target { keyring, position, message })
    }

    /// The UTF-8 bytes of the string `value`: in `stack` when they fit, else in `heap`. `None` if
    /// `value` is not a string. (A lone surrogate would become U+FFFD here; `index.js` refuses such
    /// ids before they get this far.)
    fn utf8<'buffer>(
        self,
        value: Value<'call>,
        stack: &'buffer mut [u8; STACK_BYTES],
        heap: &'buffer mut Vec<u8>,
    ) -> Option<&'buffer [u8]> {
        let mut copied = 0usize;
        // SAFETY: live env, value of the running call; `stack` is writable for its whole length,
        // Node writes at most `len - 1` bytes and a NUL and reports the bytes before the NUL.
        let status = unsafe {
            sys::napi_get_value_string_utf8(
                self.env,
                value.0,
                stack.as_mut_ptr().cast::<c_char>(),
                STACK_BYTES,
                &mut copied,
            )
        };
        if status != sys::Status::napi_ok {
            return None;
        }
        // V8 writes whole characters only (at most 4 bytes each), so when 4 or more bytes of room
        // are left the string ended: it was read whole.
        if copied + 4 < STACK_BYTES {
            return stack.get(..copied);
        }
        let mut full = 0usize;
        // SAFETY: as above; a null buffer asks only for the length in UTF-8 bytes.
        let status = unsafe { sys::napi_get_value_string_utf8(self.env, value.0, ptr::null_mut(), 0, &mut full) };
        if status != sys::Status::napi_ok {
            return None;
        }
        if full == copied {
            return stack.get(..copied);
        }
        heap.resize(full.checked_add(1)?, 0);
        // SAFETY: as above; `heap` is writable for `full + 1` bytes: the whole string and the NUL.
        let status = unsafe {
            sys::napi_get_value_string_utf8(
                self.env,
                value.0,
                heap.as_mut_ptr().cast::<c_char>(),
                heap.len(),
                &mut copied,
            )
        };
        (status == sys::Status::napi_ok).then_some(())?;
        heap.get(..copied)
    }

    /// A signature argument: `None` if it is not a string; `Some(None)` if it cannot be a
    /// signature (not exactly 64 ASCII characters); else its 64 ASCII bytes. Read as UTF-16 code
    /// units (Node copies exactly min(length, room) units), at most one more than 64 to tell "too
    /// long"; any unit that is not ASCII makes it invalid, so no character can stand in for a hex
    /// digit.
    fn signature(self, value: Value<'call>) -> Option<Option<[u8; SIGNATURE_HEX_LEN]>> {
        let mut units = [0u16; SIGNATURE_HEX_LEN + 2];
        let mut copied = 0usize;
        // SAFETY: live env, value of the running call; `units` is writable for its length.
        let status = unsafe {
            sys::napi_get_value_string_utf16(self.env, value.0, units.as_mut_ptr(), units.len(), &mut copied)
        };
        if status != sys::Status::napi_ok {
            return None;
        }
        let mut ascii = [0u8; SIGNATURE_HEX_LEN];
        let well_shaped = copied == SIGNATURE_HEX_LEN
            && units.iter().zip(ascii.iter_mut()).all(|(&unit, byte)| {
                *byte = u8::try_from(unit).unwrap_or(0);
                unit < 0x80
            });
        Some(well_shaped.then_some(ascii))
    }

    /// The JavaScript answer for a keyring lookup: `ok` of the value, the core's error, or the
    /// error for a keyring that was disposed or a value that names none.
    fn answer<T>(
        self,
        result: Result<Result<T, Error>, Unusable>,
        ok: impl FnOnce(T) -> sys::napi_value,
    ) -> sys::napi_value {
        match result {
            Ok(Ok(value)) => ok(value),
            Ok(Err(error)) => self.throw(error),
            Err(unusable) => self.throw(unusable),
        }
    }

    /// A one-byte JavaScript string of `bytes` (hex digits are ASCII, so latin1 is exact).
    fn latin1(self, bytes: &[u8]) -> sys::napi_value {
        let mut result = ptr::null_mut();
        // SAFETY: live env; `bytes` is valid for its length (64 here); `result` is written by
        // Node, or stays null with an exception pending, which is then what to return.
        unsafe {
            sys::napi_create_string_latin1(
                self.env,
                bytes.as_ptr().cast::<c_char>(),
                bytes.len() as isize,
                &mut result,
            );
        }
        result
    }

    /// A JavaScript boolean.
    fn boolean(self, value: bool) -> sys::napi_value {
        let mut result = ptr::null_mut();
        // SAFETY: live env; `result` is written by Node (or stays null with an exception pending).
        unsafe {
            sys::napi_get_boolean(self.env, value, &mut result);
        }
        result
    }

    /// Throws `error` as [`to_js_value`] makes it (the one door); returns "no value".
    #[cold]
    fn throw(self, error: impl Into<Error>) -> sys::napi_value {
        let value = to_js_value(Env::from_raw(self.env), error);
        // SAFETY: live env; `value` is an error object just made in it. If it could not be made
        // (the env is tearing down), Node refuses to throw it and nothing is left to tell.
        unsafe {
            sys::napi_throw(self.env, value.raw());
        }
        ptr::null_mut()
    }

    /// Throws a `TypeError` with code `ERR_INVALID_ARG_TYPE`; returns "no value".
    #[cold]
    fn throw_type_error(self, message: &'static str) -> sys::napi_value {
        self.throw(Error::new(ErrorKind::InvalidArgType, message))
    }
}
