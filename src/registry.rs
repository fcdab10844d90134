//! Binding: where the number a `TrustedIdentity` holds becomes its keyring. The hot-path functions
//! (`src/fast.rs`) are plain functions, not class methods, so they find the keyring by this handle
//! instead of unwrapping a native object. Each JavaScript thread (main thread, each worker) has its
//! own table, so a handle only works on the thread that made it. A handle carries a generation
//! number, so a released slot that is reused never answers to an old handle.

use std::cell::RefCell;
use std::sync::Arc;

use crate::core::Keyring;

/// Generations wrap here, so `index + generation * 2^32` stays an exact integer in an `f64`.
const GENERATIONS: u32 = 1 << 21;
const TWO_POW_32: f64 = 4_294_967_296.0;

/// A keyring's place in this thread's table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Handle {
    index: u32,
    generation: u32,
}

impl Handle {
    /// The handle as a JavaScript number.
    pub fn to_f64(self) -> f64 {
        f64::from(self.generation) * TWO_POW_32 + f64::from(self.index)
    }

    /// The handle a JavaScript number stands for, if it can be one.
    pub fn from_f64(value: f64) -> Option<Self> {
        if !(0.0..TWO_POW_32 * f64::from(GENERATIONS)).contains(&value) || value.fract() != 0.0 {
            return None;
        }
        // In range and integral (checked above), so the conversion is exact.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let bits = value as u64;
        #[allow(clippy::cast_possible_truncation)]
        Some(Self { index: bits as u32, generation: (bits >> 32) as u32 })
    }
}

struct Slot {
    generation: u32,
    keyring: Option<Arc<Keyring>>,
}

struct Table {
    slots: Vec<Slot>,
    free: Vec<u32>,
}

thread_local! {
    static TABLE: RefCell<Table> = const { RefCell::new(Table { slots: Vec::new(), free: Vec::new() }) };
}

/// Puts `keyring` in this thread's table. `None` only if the table is full (2^32 live keyrings).
pub fn register(keyring: Keyring) -> Option<Handle> {
    let keyring = Some(Arc::new(keyring));
    TABLE.with_borrow_mut(|table| {
        if let Some(index) = table.free.pop() {
            let slot = table.slots.get_mut(index as usize)?;
            slot.keyring = keyring;
            return Some(Handle { index, generation: slot.generation });
        }
        let index = u32::try_from(table.slots.len()).ok()?;
        table.slots.push(Slot { generation: 0, keyring });
        Some(Handle { index, generation: 0 })
    })
}

/// Removes the keyring from the table. Its keys are wiped when the last reference drops: now, or
/// when a batch that is signing with it on another thread finishes.
pub fn release(handle: Handle) {
    // `try_with`: a finalizer can run while the thread is being torn down, after the table is gone
    // (its keys were wiped with it).
    let released = TABLE
        .try_with(|table| {
            let mut table = table.borrow_mut();
            let slot =
                table.slots.get_mut(handle.index as usize).filter(|slot| slot.generation == handle.generation)?;
            let keyring = slot.keyring.take()?;
            slot.generation = (slot.generation + 1) % GENERATIONS;
            table.free.push(handle.index);
            Some(keyring)
        })
        .ok()
        .flatten();
    // Dropped here, outside the borrow of the table.
    drop(released);
}

/// Runs `f` on the keyring behind `handle`, or returns `None` if it was released.
pub fn with<R>(handle: Handle, f: impl FnOnce(&Keyring) -> R) -> Option<R> {
    TABLE.with_borrow(|table| {
        let slot = table.slots.get(handle.index as usize).filter(|slot| slot.generation == handle.generation)?;
        slot.keyring.as_deref().map(f)
    })
}

/// Runs `f` on the keyring behind `handle` for a change (adding platforms while it is built).
/// `None` if it was released or is shared with a batch in flight.
pub fn with_mut<R>(handle: Handle, f: impl FnOnce(&mut Keyring) -> R) -> Option<R> {
    TABLE.with_borrow_mut(|table| {
        let slot = table.slots.get_mut(handle.index as usize).filter(|slot| slot.generation == handle.generation)?;
        slot.keyring.as_mut().and_then(Arc::get_mut).map(f)
    })
}

/// A shared reference to the keyring, for a batch signed on another thread.
pub fn shared(handle: Handle) -> Option<Arc<Keyring>> {
    with_table_slot(handle, Arc::clone)
}

fn with_table_slot<R>(handle: Handle, f: impl FnOnce(&Arc<Keyring>) -> R) -> Option<R> {
    TABLE.with_borrow(|table| {
        let slot = table.slots.get(handle.index as usize).filter(|slot| slot.generation == handle.generation)?;
        slot.keyring.as_ref().map(f)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::SecretKind;

    #[test]
    fn handles_round_trip_through_f64_and_refuse_what_they_cannot_be() {
        let handle = Handle { index: 7, generation: GENERATIONS - 1 };
        assert_eq!(Handle::from_f64(handle.to_f64()), Some(handle));
        for bad in [-1.0, 0.5, f64::NAN, f64::INFINITY, TWO_POW_32 * f64::from(GENERATIONS)] {
            assert_eq!(Handle::from_f64(bad), None, "{bad}");
        }
    }

    #[test]
    fn released_handles_stop_working_even_when_the_slot_is_reused() {
        let mut keyring = Keyring::new();
        keyring.insert("ios", b"one", SecretKind::Text).unwrap();
        let first = register(keyring).unwrap();
        assert_eq!(with(first, |k| k.platforms().to_vec()), Some(vec!["ios".to_owned()]));
        assert_eq!(with_mut(first, |k| k.insert("roku", b"two", SecretKind::Text).is_ok()), Some(true));
        let batch = shared(first).unwrap();
        assert_eq!(with_mut(first, |_| ()), None, "no change while a batch holds it");
        release(first);
        assert_eq!(with(first, |_| ()), None);
        assert_eq!(batch.platforms(), ["ios", "roku"], "a batch in flight keeps its keys until it ends");
        drop(batch);
        let second = register(Keyring::new()).unwrap();
        assert_eq!(second.index, first.index);
        assert_ne!(second, first);
        assert_eq!(with(first, |_| ()), None);
        assert!(with(second, |_| ()).is_some());
        release(first);
        assert!(with(second, |_| ()).is_some(), "releasing an old handle again does nothing");
        release(second);
        assert_eq!(shared(second).map(|_| ()), None);
    }
}
