//! Binding, hot path: `sign(keyring, position, userId)` and `verify(keyring, position, userId,
//! signature)` written directly against Node-API, because they run once per request and napi-rs's
//! argument and `String` conversions cost more than the HMAC itself. Per call: one argument read,
//! the keyring found by its External ([`crate::keyrings`]), the id's UTF-8 read in one call into a
//! stack buffer (the heap only for ids longer than it), the HMAC from prepared states, and the
//! result made as a one-byte (latin1) string. `index.js` checks every argument before calling
//! these; the checks here keep a misuse of the internal binding from doing harm.

use std::ffi::{c_char, CStr, CString};
use std::ptr;

use napi::sys;

use crate::core::{Error, SIGNATURE_HEX_LEN};
use crate::keyrings::{self, Address, Missing};

/// Bytes of UTF-8 read onto the stack. Longer ids (rare: ids are usually UUIDs or database keys)
/// take one more call for their length and a heap buffer.
const STACK_BYTES: usize = 256;

/// Adds `sign` and `verify` to the module's exports.
///
/// # Safety
/// `env` and `exports` must be the live values Node passed to the module's initialisation.
pub unsafe fn export(env: sys::napi_env, exports: sys::napi_value) -> napi::Result<()> {
    let functions: [(&str, unsafe extern "C" fn(sys::napi_env, sys::napi_callback_info) -> sys::napi_value); 2] =
        [("sign", sign), ("verify", verify)];
    for (name, callback) in functions {
        let c_name = CString::new(name).map_err(|_| napi::Error::from_reason("function name"))?;
        let mut function = ptr::null_mut();
        // SAFETY: `env` is live (caller's contract); `c_name` is NUL-terminated and outlives both
        // calls; `function` is written by Node before it is read.
        let status = unsafe {
            let created = sys::napi_create_function(
                env,
                c_name.as_ptr(),
                name.len() as isize,
                Some(callback),
                ptr::null_mut(),
                &mut function,
            );
            if created == sys::Status::napi_ok {
                sys::napi_set_named_property(env, exports, c_name.as_ptr(), function)
            } else {
                created
            }
        };
        if status != sys::Status::napi_ok {
            return Err(napi::Error::from_reason(format!("could not export {name}")));
        }
    }
    Ok(())
}

/// `sign(keyring, position, userId)`: the 64-character hex signature.
unsafe extern "C" fn sign(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    // SAFETY (whole body): Node calls this with a live `env` and `info` on the JavaScript thread;
    // every value passed on comes from `arguments`, which reads them from that `info`.
    unsafe {
        const USAGE: &CStr = c"sign(keyring, position, userId)";
        let Some([keyring, position, user_id]) = arguments::<3>(env, info) else {
            return throw_type_error(env, c"ERR_INVALID_ARG_TYPE", USAGE);
        };
        let (mut stack, mut heap) = ([0u8; STACK_BYTES], Vec::new());
        let call = match read_call(env, [keyring, position, user_id], USAGE, &mut stack, &mut heap) {
            Ok(call) => call,
            Err(thrown) => return thrown,
        };
        let signed = keyrings::with(call.keyring, |keyring| keyring.sign_hex(call.position, call.message));
        answer(env, signed, |hex| latin1(env, &hex))
    }
}

/// `verify(keyring, position, userId, signature)`: whether `signature` is `userId`'s signature.
unsafe extern "C" fn verify(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    // SAFETY (whole body): as in `sign`.
    unsafe {
        const USAGE: &CStr = c"verify(keyring, position, userId, signature)";
        let Some([keyring, position, user_id, signature]) = arguments::<4>(env, info) else {
            return throw_type_error(env, c"ERR_INVALID_ARG_TYPE", USAGE);
        };
        let (mut stack, mut heap) = ([0u8; STACK_BYTES], Vec::new());
        let call = match read_call(env, [keyring, position, user_id], USAGE, &mut stack, &mut heap) {
            Ok(call) => call,
            Err(thrown) => return thrown,
        };
        // A signature is 64 ASCII characters. Read as UTF-16 code units (Node copies exactly
        // min(length, room) units), at most one more than 64 to tell "too long"; any unit that is
        // not ASCII makes it invalid, so no character can stand in for a hex digit.
        let mut units = [0u16; SIGNATURE_HEX_LEN + 2];
        let mut copied = 0usize;
        if sys::napi_get_value_string_utf16(env, signature, units.as_mut_ptr(), units.len(), &mut copied)
            != sys::Status::napi_ok
        {
            return throw_type_error(env, c"ERR_INVALID_ARG_TYPE", c"signature must be a string");
        }
        let mut ascii = [0u8; SIGNATURE_HEX_LEN];
        let well_shaped = copied == SIGNATURE_HEX_LEN
            && units.iter().zip(ascii.iter_mut()).all(|(&unit, byte)| {
                *byte = u8::try_from(unit).unwrap_or(0);
                unit < 0x80
            });
        if !well_shaped {
            return boolean(env, false);
        }
        let valid = keyrings::with(call.keyring, |keyring| keyring.verify_hex(call.position, call.message, &ascii));
        answer(env, valid, |valid| boolean(env, valid))
    }
}

/// What `sign` and `verify` both take: which keyring and platform, and the user id's UTF-8 bytes.
struct Call<'a> {
    keyring: Address,
    position: usize,
    message: &'a [u8],
}

/// Reads the keyring, position and user id arguments (the id into `stack`, or `heap` when long).
/// `Err` holds the value to return after throwing a `TypeError`.
///
/// # Safety
/// As [`arguments`]; the values must come from the running callback.
unsafe fn read_call<'a>(
    env: sys::napi_env,
    [keyring, position, user_id]: [sys::napi_value; 3],
    usage: &CStr,
    stack: &'a mut [u8; STACK_BYTES],
    heap: &'a mut Vec<u8>,
) -> Result<Call<'a>, sys::napi_value> {
    // SAFETY: the caller's contract covers every value passed on.
    unsafe {
        let Some((keyring, position)) = keyring_address(env, keyring, position) else {
            return Err(throw_type_error(env, c"ERR_INVALID_ARG_TYPE", usage));
        };
        let Some(message) = read_utf8(env, user_id, stack, heap) else {
            return Err(throw_type_error(env, c"ERR_INVALID_ARG_TYPE", c"userId must be a string"));
        };
        Ok(Call { keyring, position, message })
    }
}

/// The JavaScript answer for a keyring lookup: `ok` of the value, the core's error, or
/// the error for a keyring that was disposed or a value that names none.
///
/// # Safety
/// `env` must be live, on its thread.
unsafe fn answer<T>(
    env: sys::napi_env,
    result: Result<Result<T, Error>, Missing>,
    ok: impl FnOnce(T) -> sys::napi_value,
) -> sys::napi_value {
    // SAFETY: `env` is live (caller's contract).
    unsafe {
        match result {
            Ok(Ok(value)) => ok(value),
            Ok(Err(error)) => throw(env, &error),
            Err(missing) => throw(env, &missing.into_error()),
        }
    }
}

/// The first `N` arguments, or `None` if fewer were passed.
///
/// # Safety
/// `env` and `info` must be the live values Node passed to the running callback.
unsafe fn arguments<const N: usize>(env: sys::napi_env, info: sys::napi_callback_info) -> Option<[sys::napi_value; N]> {
    let mut argv = [ptr::null_mut(); N];
    let mut argc = N;
    // SAFETY: `argv` has room for `argc` values; Node writes at most that many and sets `argc` to
    // the number actually passed.
    let status =
        unsafe { sys::napi_get_cb_info(env, info, &mut argc, argv.as_mut_ptr(), ptr::null_mut(), ptr::null_mut()) };
    (status == sys::Status::napi_ok && argc >= N).then_some(argv)
}

/// The keyring (its External's address) and platform position arguments.
///
/// # Safety
/// As [`arguments`]; the values must come from the running callback.
unsafe fn keyring_address(
    env: sys::napi_env,
    keyring: sys::napi_value,
    position: sys::napi_value,
) -> Option<(Address, usize)> {
    let mut position_number = 0u32;
    // SAFETY: `env` and the values come from the running callback (caller's contract); the
    // out-pointer is a valid local; Node checks the value is a number.
    unsafe {
        let address = keyrings::address(env, keyring)?;
        if sys::napi_get_value_uint32(env, position, &mut position_number) != sys::Status::napi_ok {
            return None;
        }
        Some((address, usize::try_from(position_number).ok()?))
    }
}

/// The UTF-8 bytes of the string `value`: in `stack` when they fit, else in `heap`. `None` if
/// `value` is not a string. (A lone surrogate would become U+FFFD here; `index.js` refuses such ids
/// before they get this far.)
///
/// # Safety
/// As [`arguments`]; `value` must come from the running callback.
unsafe fn read_utf8<'a>(
    env: sys::napi_env,
    value: sys::napi_value,
    stack: &'a mut [u8; STACK_BYTES],
    heap: &'a mut Vec<u8>,
) -> Option<&'a [u8]> {
    let mut copied = 0usize;
    // SAFETY: `stack` is writable for its whole length; Node writes at most `len - 1` bytes and a
    // NUL, and reports how many bytes it wrote before the NUL.
    let status = unsafe {
        sys::napi_get_value_string_utf8(env, value, stack.as_mut_ptr().cast::<c_char>(), STACK_BYTES, &mut copied)
    };
    if status != sys::Status::napi_ok {
        return None;
    }
    // V8 writes whole characters only (at most 4 bytes each), so when 4 or more bytes of room are
    // left the string ended: it was read whole.
    if copied + 4 < STACK_BYTES {
        return stack.get(..copied);
    }
    let mut full = 0usize;
    // SAFETY: a null buffer asks only for the length in UTF-8 bytes, written to `full`.
    if unsafe { sys::napi_get_value_string_utf8(env, value, ptr::null_mut(), 0, &mut full) } != sys::Status::napi_ok {
        return None;
    }
    if full == copied {
        return stack.get(..copied);
    }
    heap.resize(full.checked_add(1)?, 0);
    // SAFETY: `heap` is writable for `full + 1` bytes, room for the whole string and the NUL.
    let status = unsafe {
        sys::napi_get_value_string_utf8(env, value, heap.as_mut_ptr().cast::<c_char>(), heap.len(), &mut copied)
    };
    if status != sys::Status::napi_ok {
        return None;
    }
    heap.get(..copied)
}

/// A one-byte JavaScript string of `bytes` (hex digits are ASCII, so latin1 is exact).
///
/// # Safety
/// `env` must be live, on its thread.
unsafe fn latin1(env: sys::napi_env, bytes: &[u8]) -> sys::napi_value {
    let mut result = ptr::null_mut();
    // SAFETY: `bytes` is valid for its length (at most 64 here); `result` is written by Node.
    // On failure Node has a pending exception and `result` stays null, which is what to return.
    unsafe {
        sys::napi_create_string_latin1(env, bytes.as_ptr().cast::<c_char>(), bytes.len() as isize, &mut result);
    }
    result
}

/// A JavaScript boolean.
///
/// # Safety
/// `env` must be live, on its thread.
unsafe fn boolean(env: sys::napi_env, value: bool) -> sys::napi_value {
    let mut result = ptr::null_mut();
    // SAFETY: `result` is written by Node (or stays null with an exception pending).
    unsafe {
        sys::napi_get_boolean(env, value, &mut result);
    }
    result
}

/// Throws `error` as a JavaScript `Error` whose `code` is the core's code; returns "no value".
///
/// # Safety
/// `env` must be live, on its thread.
unsafe fn throw(env: sys::napi_env, error: &Error) -> sys::napi_value {
    // Codes and messages are ours and hold no NUL; if one ever did, a fixed text is thrown instead.
    let code = CString::new(error.code()).unwrap_or_default();
    let message = CString::new(error.message()).unwrap_or_else(|_| c"signing failed".to_owned());
    // SAFETY: both strings are NUL-terminated and live across the call.
    unsafe {
        sys::napi_throw_error(env, code.as_ptr(), message.as_ptr());
    }
    ptr::null_mut()
}

/// Throws a `TypeError` with `code`; returns "no value".
///
/// # Safety
/// `env` must be live, on its thread.
unsafe fn throw_type_error(env: sys::napi_env, code: &CStr, message: &CStr) -> sys::napi_value {
    // SAFETY: both strings are NUL-terminated statics.
    unsafe {
        sys::napi_throw_type_error(env, code.as_ptr(), message.as_ptr());
    }
    ptr::null_mut()
}
