//! Where keys are kept, and where each signature's working copy of a key is made. The core is
//! written against [`KeyMemory`] so that it needs no `unsafe`: [`Heap`] keeps keys in ordinary
//! boxes and makes each working copy in a [`Scratch`] on the stack (wiped after use, see `wipe`);
//! the binding keeps them in secret pages (`src/secret_memory.rs`), with a scratch per thread there.

use std::ops::Deref;

use hmac::block_api::HmacCore;
use sha2::Sha256;

use super::error::Error;
use super::key::PlatformKey;

/// HMAC-SHA256 at the block level: the state a key is kept as, and each signature's working copy.
pub(crate) type Core = HmacCore<Sha256>;

/// Memory for keys: where a [`PlatformKey`] is kept for its whole life, and the scratch each
/// signature's working copy of it is made in.
pub trait KeyMemory {
    /// A key kept in this memory: it never moves, and dropping it wipes it.
    type Kept: Deref<Target = PlatformKey>;

    /// Moves `key` into this memory. (The caller wipes the stack frames `key` was built in and
    /// passed through: the `hmac` crate builds a key in locals of its own, which no memory can hold.)
    ///
    /// # Errors
    /// When this memory cannot keep it as it promised; the message names what to change.
    fn keep(&self, key: PlatformKey) -> Result<Self::Kept, Error>;

    /// Runs `f` with this thread's scratch. `f` leaves it cleared.
    fn with_scratch<R>(&self, f: impl FnOnce(&mut Scratch) -> R) -> R;
}

/// Room for one working copy of a key's state: a signature starts from a copy of the key made
/// here and finishes in place. Cleared (wiped) after each use.
#[derive(Default)]
pub struct Scratch {
    state: Option<Core>,
}

impl Scratch {
    /// An empty scratch.
    #[must_use]
    pub const fn new() -> Self {
        Self { state: None }
    }

    /// Puts `state` here, dropping (so wiping) what was here, and returns it for use in place.
    pub(crate) fn load(&mut self, state: Core) -> &mut Core {
        self.state.insert(state)
    }

    /// Wipes what is here: the state's parts zero themselves as they are dropped.
    pub(crate) fn clear(&mut self) {
        self.state = None;
    }

    /// Whether nothing is held (for tests).
    #[must_use]
    pub fn is_clear(&self) -> bool {
        self.state.is_none()
    }
}

/// Ordinary memory: each key in a `Box` of its own, each working copy on the stack of the call.
#[derive(Clone, Copy, Debug, Default)]
pub struct Heap;

impl KeyMemory for Heap {
    type Kept = Box<PlatformKey>;

    fn keep(&self, key: PlatformKey) -> Result<Box<PlatformKey>, Error> {
        Ok(Box::new(key))
    }

    fn with_scratch<R>(&self, f: impl FnOnce(&mut Scratch) -> R) -> R {
        f(&mut Scratch::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::SecretKind;

    #[test]
    fn a_scratch_is_cleared_after_every_use() {
        let key = PlatformKey::new(b"k", SecretKind::Raw).unwrap();
        let mut scratch = Scratch::new();
        assert!(scratch.is_clear());
        let signed = key.sign_hex_with(&mut scratch, b"id");
        assert!(scratch.is_clear());
        assert_eq!(signed, key.sign_hex(b"id"));
        assert!(key.verify_hex_with(&mut scratch, b"id", &signed));
        assert!(scratch.is_clear());
    }

    #[test]
    fn heap_keeps_a_key_as_it_was() {
        let key = Heap.keep(PlatformKey::new(b"k", SecretKind::Raw).unwrap()).unwrap();
        assert_eq!(key.sign_hex(b"id"), PlatformKey::new(b"k", SecretKind::Raw).unwrap().sign_hex(b"id"));
    }
}
