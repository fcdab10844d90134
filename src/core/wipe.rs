//! Wiping the stack below the caller. Code that touches key material (building a key from a
//! secret, every HMAC computed from a key's prepared states) runs in frames of its own, marked
//! `#[inline(never)]`; when it returns, its caller calls [`stack_below`], whose own frame covers
//! the memory those frames used and overwrites it with zeros. So no copy the compiler or a crate
//! made on the stack (hmac's padded key block, a moved or spilled chaining state) outlives the
//! call, on the JavaScript thread or a worker thread alike.

/// Bytes wiped after building keys: several times the depth that building a key reaches below
/// its caller, with or without SHA instructions (measured: docs/performance.md, "Stack wiped
/// after key work").
const AFTER_KEYS: usize = 8 * 1024;
/// Bytes wiped after computing HMACs: with room above the depth one HMAC reaches (same section).
const AFTER_MACS: usize = 1024;

/// Overwrites `N` bytes of the stack just below the caller's frame with zeros: an ordinary write
/// (a fast `memset`), kept by `zeroize::optimization_barrier`, which observes the bytes so the
/// compiler cannot drop the write as dead (the way `zeroize` itself erases flat data).
#[inline(never)]
fn wipe<const N: usize>() {
    let area = [0u8; N];
    zeroize::optimization_barrier(&area);
}

/// Wipes the stack frames just used to build keys from a secret.
#[inline(always)]
pub(crate) fn after_keys() {
    wipe::<AFTER_KEYS>();
}

/// Wipes the stack frames just used to compute HMACs from a key's prepared states.
#[inline(always)]
pub(crate) fn after_macs() {
    wipe::<AFTER_MACS>();
}
