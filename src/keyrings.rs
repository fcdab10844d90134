//! Binding: where the object a `TrustedIdentity` holds becomes its keyring. A keyring is named by
//! an ordinary, empty JavaScript object that native code has wrapped (`napi_wrap`) with the address
//! of an allocation made for it; this thread's table maps that address to the keyring. JavaScript
//! cannot wrap an object, cannot read the address, and cannot guess one into a number, so only code
//! holding the object (kept in a `TrustedIdentity`'s private field) can sign with the keyring: it
//! is a capability. Lookups compare addresses and never dereference one, so an object wrapped by
//! another addon is simply not found. Each JavaScript thread (main thread, each worker) has its own
//! table; an object cannot cross threads.
//!
//! Not an External (`napi_create_external`), as it was: V8 13.6 and later (Node 24 and 26) crash
//! with SIGSEGV when JavaScript makes an External the prototype of an object
//! (`Object.setPrototypeOf({}, external)`, `Object.create(external)`), so any module holding one
//! of its own could take the process down. A wrapped object is an ordinary object. (The WASI
//! build's glue, emnapi, keeps wrapped objects in a JavaScript `WeakMap`: SECURITY.md says what that
//! means there.)
//!
//! A keyring's keys are kept in secret memory ([`SecretMemory`]). A keyring is wiped (its keys
//! dropped) on `dispose`, or when its object is garbage-collected, or, if a batch is signing with
//! it on a worker thread, as soon as that batch ends.

use std::cell::RefCell;
use std::ffi::c_void;
use std::ptr;
use std::sync::Arc;

use napi::bindgen_prelude::ToNapiValue;
use napi::{sys, Status};
use rustc_hash::FxHashMap;

use crate::core::{Error, ErrorKind, Keyring};
use crate::key_memory::SecretMemory;
use crate::secret_memory::Protection;

/// A keyring whose keys are in secret memory.
pub type SecretKeyring = Keyring<SecretMemory>;

/// What a keyring's object is wrapped with: one byte, allocated so that its address is unique for
/// as long as the object lives. Nothing ever reads it.
struct Token(#[allow(dead_code)] u8);

/// What the table holds for an address: the keyring, or the mark that it was disposed.
enum Entry {
    Live(Arc<SecretKeyring>),
    Disposed,
}

thread_local! {
    static TABLE: RefCell<FxHashMap<usize, Entry>> = RefCell::new(FxHashMap::default());
}

/// Why the keyring named by an address cannot be used for what was asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unusable {
    /// The keyring was disposed: its keys are wiped.
    Disposed,
    /// The value does not name a keyring of this module on this thread.
    NotAKeyring,
    /// A batch is signing with the keyring, so it cannot change now.
    SigningBatch,
}

impl From<Unusable> for Error {
    /// The error for JavaScript: `ERR_TRUSTED_IDENTITY_DISPOSED`, or a `TypeError`'s code
    /// (`ERR_INVALID_ARG_TYPE` for a value that is not a keyring, on every path).
    fn from(unusable: Unusable) -> Self {
        match unusable {
            Unusable::Disposed => Self::disposed(),
            Unusable::NotAKeyring => {
                Self::new(ErrorKind::InvalidArgType, "keyring must be a keyring made by this module on this thread")
            }
            Unusable::SigningBatch => Self::new(
                ErrorKind::InvalidArgValue,
                "keyring is signing a batch; add its platforms before signing with it",
            ),
        }
    }
}

/// The address a keyring's object is wrapped with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Address(usize);

/// Puts `keyring` in this thread's table and returns the object naming it.
///
/// # Safety
/// `env` must be live, on its thread.
pub unsafe fn create(env: sys::napi_env, keyring: SecretKeyring) -> napi::Result<sys::napi_value> {
    let mut object = ptr::null_mut();
    // SAFETY: `env` is live (caller's contract); `object` is a valid out-pointer written by Node.
    if unsafe { sys::napi_create_object(env, &mut object) } != sys::Status::napi_ok {
        return Err(napi::Error::new(Status::GenericFailure, "could not create a keyring"));
    }
    let token = Box::into_raw(Box::new(Token(0)));
    let address = token as usize;
    TABLE.with_borrow_mut(|table| table.insert(address, Entry::Live(Arc::new(keyring))));
    // SAFETY: `env` is live and `object` a new object of this call, wrapped by nothing yet;
    // `token` is a live allocation that `finalize` frees exactly once, when the object is
    // collected; no reference is asked for (the result pointer is null), so the wrap is weak.
    let status = unsafe {
        sys::napi_wrap(env, object, token.cast::<c_void>(), Some(finalize), ptr::null_mut(), ptr::null_mut())
    };
    if status != sys::Status::napi_ok {
        forget(address);
        // SAFETY: the object was not wrapped, so nothing else holds `token`; it came from
        // `Box::into_raw` above and is freed once, here.
        drop(unsafe { Box::from_raw(token) });
        return Err(napi::Error::new(Status::GenericFailure, "could not create a keyring"));
    }
    Ok(object)
}

/// Node calls this once, when the object is collected (or its environment torn down).
unsafe extern "C" fn finalize(_env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
    forget(data as usize);
    // SAFETY: `data` is the `token` that `create` passed to `napi_wrap`: a pointer from
    // `Box::into_raw`, freed nowhere else, and Node calls this finalizer once.
    drop(unsafe { Box::from_raw(data.cast::<Token>()) });
}

/// Removes `address` from this thread's table, dropping (wiping) its keyring unless a batch in
/// flight still holds it.
fn forget(address: usize) {
    // `try_with`: a finalizer can run while the thread is torn down, after the table is gone (its
    // keyrings were dropped, so wiped, with it).
    let removed = TABLE.try_with(|table| table.borrow_mut().remove(&address)).ok().flatten();
    // Dropped here, outside the borrow of the table.
    drop(removed);
}

/// The address `value` is wrapped with if it is a wrapped object (of any addon: lookups decide if
/// it is ours; a wrap is an object's own, so an object whose prototype is a keyring is none). Any
/// other value carries the null address, which no keyring has (each has an allocation's), so a
/// value that is not a keyring is found to be none by the lookup, whatever kind of value it is.
///
/// # Safety
/// `env` must be live, on its thread; `value` a value of the running call.
pub unsafe fn address(env: sys::napi_env, value: sys::napi_value) -> Address {
    let mut data = ptr::null_mut();
    // SAFETY: `data` is a valid out-pointer; Node checks that `value` is an object wrapped by
    // Node-API and otherwise leaves `data` null.
    let status = unsafe { sys::napi_unwrap(env, value, &mut data) };
    Address(if status == sys::Status::napi_ok { data as usize } else { 0 })
}

/// Runs `f` on the shared handle of the live keyring named by `address`.
fn live<R>(address: Address, f: impl FnOnce(&Arc<SecretKeyring>) -> R) -> Result<R, Unusable> {
    TABLE.with_borrow(|table| match table.get(&address.0) {
        Some(Entry::Live(keyring)) => Ok(f(keyring)),
        Some(Entry::Disposed) => Err(Unusable::Disposed),
        None => Err(Unusable::NotAKeyring),
    })
}

/// Runs `f` on the keyring named by `address`.
///
/// # Errors
/// [`Unusable`] when the keyring was disposed or `address` names none.
pub fn with<R>(address: Address, f: impl FnOnce(&SecretKeyring) -> R) -> Result<R, Unusable> {
    live(address, |keyring| f(keyring))
}

/// Runs `f` on the keyring for a change (adding platforms while it is built).
///
/// # Errors
/// [`Unusable`] when the keyring was disposed, is shared with a batch in flight ([`Unusable::SigningBatch`],
/// which a keyring being built never is), or `address` names none.
pub fn with_mut<R>(address: Address, f: impl FnOnce(&mut SecretKeyring) -> R) -> Result<R, Unusable> {
    TABLE.with_borrow_mut(|table| match table.get_mut(&address.0) {
        Some(Entry::Live(keyring)) => Arc::get_mut(keyring).map(f).ok_or(Unusable::SigningBatch),
        Some(Entry::Disposed) => Err(Unusable::Disposed),
        None => Err(Unusable::NotAKeyring),
    })
}

/// A shared reference to the keyring, for a batch signed on a worker thread.
///
/// # Errors
/// [`Unusable`] when the keyring was disposed or `address` names none.
pub fn shared(address: Address) -> Result<Arc<SecretKeyring>, Unusable> {
    live(address, Arc::clone)
}

/// Wipes the keyring now (or, if a batch is signing with it on a worker thread, when that batch
/// ends); every later use is [`Unusable::Disposed`]. Calling it again does nothing.
///
/// # Errors
/// [`Unusable::NotAKeyring`] when `address` names no keyring.
pub fn dispose(address: Address) -> Result<(), Unusable> {
    let released = TABLE.with_borrow_mut(|table| match table.get_mut(&address.0) {
        Some(entry) => Ok(std::mem::replace(entry, Entry::Disposed)),
        None => Err(Unusable::NotAKeyring),
    })?;
    // Dropped here, outside the borrow of the table.
    drop(released);
    Ok(())
}

/// Replaces the keyring with a copy of it changed by `change`, all at once: sync calls after this
/// sign with the copy; a batch in flight keeps the keyring it started with, which is wiped (its
/// keys dropped) as soon as no batch holds it. If `change` fails, nothing changes (the copy is wiped).
///
/// # Errors
/// [`Unusable`] (as an [`Error`]) when the keyring was disposed or `address` names none; what
/// `change` or the copy returns.
pub fn replace(address: Address, change: impl FnOnce(&mut SecretKeyring) -> Result<(), Error>) -> Result<(), Error> {
    let mut copy = with(address, |keys| keys.copy_into(*keys.memory()))??;
    change(&mut copy)?;
    let released = TABLE.with_borrow_mut(|table| match table.get_mut(&address.0) {
        Some(Entry::Live(keyring)) => Ok(std::mem::replace(keyring, Arc::new(copy))),
        Some(Entry::Disposed) => Err(Unusable::Disposed),
        None => Err(Unusable::NotAKeyring),
    })?;
    // Dropped (wiped unless a batch still holds it) here, outside the borrow of the table.
    drop(released);
    Ok(())
}

/// Whether the keyring was disposed (`Err` when `address` names none).
///
/// # Errors
/// [`Unusable::NotAKeyring`] when `address` names no keyring.
pub fn is_disposed(address: Address) -> Result<bool, Unusable> {
    match with(address, |_| ()) {
        Ok(()) => Ok(false),
        Err(Unusable::Disposed) => Ok(true),
        Err(other) => Err(other),
    }
}

/// A keyring to hand to JavaScript as a new object: an empty one whose keys must be kept at
/// least this well, or a copy of another.
pub enum NewKeyring {
    /// Empty, for keys kept at least as well as this.
    Empty(Protection),
    /// A copy of another keyring, made already.
    Copied(SecretKeyring),
}

js_type_name!(NewKeyring, "Object", Object);

impl ToNapiValue for NewKeyring {
    unsafe fn to_napi_value(env: sys::napi_env, value: Self) -> napi::Result<sys::napi_value> {
        let keyring = match value {
            Self::Empty(minimum) => Keyring::in_memory(SecretMemory { minimum }),
            Self::Copied(keyring) => keyring,
        };
        // SAFETY: napi-rs calls this on the JavaScript thread with its live env.
        unsafe { create(env, keyring) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{SecretKind, Source};

    /// A table entry made as `create` makes one, without an object (no Node in `cargo test`).
    fn register() -> (Address, Box<Token>) {
        let token = Box::new(Token(0));
        let address = &*token as *const Token as usize;
        let keyring = Keyring::in_memory(SecretMemory { minimum: Protection::Ordinary });
        TABLE.with_borrow_mut(|table| table.insert(address, Entry::Live(Arc::new(keyring))));
        (Address(address), token)
    }

    #[test]
    fn a_keyring_is_found_by_its_address_only_until_disposed_or_forgotten() {
        let _serial = crate::secret_memory::TEST_SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (address, token) = register();
        assert_eq!(
            with_mut(address, |k| k.insert("ios", b"one", SecretKind::Text, Source::Argument).is_ok()),
            Ok(true)
        );
        assert_eq!(with(address, |k| k.platforms().to_vec()), Ok(vec!["ios".to_owned()]));
        assert_eq!(with(Address(address.0 + 1), |_| ()), Err(Unusable::NotAKeyring));
        assert_eq!(with(Address(0), |_| ()), Err(Unusable::NotAKeyring), "what a non-keyring value carries");
        let batch = shared(address).unwrap();
        assert_eq!(with_mut(address, |_| ()), Err(Unusable::SigningBatch), "no change while a batch holds it");
        assert_eq!(is_disposed(address), Ok(false));
        dispose(address).unwrap();
        dispose(address).unwrap();
        assert_eq!(is_disposed(address), Ok(true));
        assert_eq!(with(address, |_| ()), Err(Unusable::Disposed));
        assert_eq!(shared(address).map(|_| ()), Err(Unusable::Disposed));
        assert_eq!(batch.platforms(), ["ios"], "a batch in flight keeps its keys until it ends");
        drop(batch);
        forget(address.0);
        assert_eq!(with(address, |_| ()), Err(Unusable::NotAKeyring));
        assert_eq!(dispose(address), Err(Unusable::NotAKeyring));
        drop(token);
    }

    #[test]
    fn replace_swaps_the_keyring_and_a_batch_keeps_the_old_one() {
        let _serial = crate::secret_memory::TEST_SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (address, token) = register();
        with_mut(address, |k| k.insert("ios", b"old", SecretKind::Text, Source::Argument)).unwrap().unwrap();
        let old = with(address, |k| k.sign_hex(0, b"u").unwrap()).unwrap();
        let batch = shared(address).unwrap();
        replace(address, |k| k.replace(0, b"new", SecretKind::Text, Source::Argument)).unwrap();
        let new = with(address, |k| k.sign_hex(0, b"u").unwrap()).unwrap();
        assert_ne!(old, new);
        assert_eq!(batch.sign_hex(0, b"u").unwrap(), old, "a batch in flight signs on with the key it started with");
        drop(batch);
        let refused = replace(address, |k| k.replace(0, b"", SecretKind::Text, Source::Argument));
        assert_eq!(refused.unwrap_err().code(), "ERR_INVALID_ARG_VALUE");
        assert_eq!(with(address, |k| k.sign_hex(0, b"u").unwrap()), Ok(new), "a refused change changes nothing");
        dispose(address).unwrap();
        let disposed = replace(address, |_| Ok(())).unwrap_err();
        assert_eq!(disposed.code(), "ERR_TRUSTED_IDENTITY_DISPOSED");
        forget(address.0);
        drop(token);
    }

    #[test]
    fn tables_are_per_thread() {
        let _serial = crate::secret_memory::TEST_SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (address, token) = register();
        let elsewhere = std::thread::spawn(move || with(address, |_| ())).join().unwrap();
        assert_eq!(elsewhere, Err(Unusable::NotAKeyring));
        forget(address.0);
        drop(token);
    }
}
