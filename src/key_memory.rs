//! Binding: the core's [`KeyMemory`] in secret pages ([`crate::secret_memory`]). Each key is a
//! [`SecretBox`] of its own slot; each thread (the JavaScript thread, libuv's workers, worker
//! threads) has one scratch slot, made on its first signature and wiped when the thread ends. A
//! keyring may require a least [`Protection`]: a key that cannot be kept that well is refused with
//! `ERR_TRUSTED_IDENTITY_MEMORY_PROTECTION`, naming what the system refused and the limit to raise.

use std::cell::Cell;

use crate::core::{Error, ErrorKind, KeyMemory, PlatformKey, Scratch};
use crate::secret_memory::{Protection, Refusals, SecretBox, Shortfall};

/// Keys in secret pages, each at least as protected as `minimum`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SecretMemory {
    /// The least protection a key may be kept with.
    pub minimum: Protection,
}

thread_local! {
    /// This thread's scratch: `None` before its first use, while in use, or if none could be had.
    static SCRATCH: Cell<Option<SecretBox<Scratch>>> = const { Cell::new(None) };
    /// Whether this thread asked for its scratch slot already (so a refusal is not asked again on
    /// every call, and a nested call does not make a second one).
    static ASKED: Cell<bool> = const { Cell::new(false) };
}

impl KeyMemory for SecretMemory {
    type Kept = SecretBox<PlatformKey>;

    fn keep(&self, key: PlatformKey) -> Result<SecretBox<PlatformKey>, Error> {
        SecretBox::new(key, self.minimum).map_err(|shortfall| refusal(self.minimum, shortfall))
    }

    fn with_scratch<R>(&self, f: impl FnOnce(&mut Scratch) -> R) -> R {
        // The thread's slot, taken out of its cell for the call and put back after; made on the
        // thread's first call. Without one (none could be had, a nested call, or the thread being
        // torn down), the scratch is on this stack, wiped after like the rest of it.
        let mut slot = SCRATCH.try_with(Cell::take).ok().flatten().or_else(|| {
            let first = ASKED.try_with(|asked| !asked.replace(true)).unwrap_or(false);
            first.then(|| SecretBox::new(Scratch::new(), Protection::Ordinary).ok()).flatten()
        });
        let result = match slot.as_deref_mut() {
            Some(scratch) => f(scratch),
            None => f(&mut Scratch::new()),
        };
        if let Some(slot) = slot {
            // If the thread is being torn down meanwhile, the slot is dropped, so wiped, here.
            SCRATCH.try_with(|cell| cell.set(Some(slot))).ok();
        }
        result
    }
}

/// The least protection of `keys`, or `None` if there are none.
pub fn least_protection<'a>(keys: impl IntoIterator<Item = &'a SecretBox<PlatformKey>>) -> Option<Protection> {
    keys.into_iter().map(SecretBox::protection).min()
}

/// The error for a key that cannot be kept at `minimum`: what was possible, what the system
/// refused, and what to change.
fn refusal(minimum: Protection, shortfall: Shortfall) -> Error {
    let got = shortfall.best.map_or_else(
        || "no memory could be had for it at all".to_owned(),
        |best| format!("a key could only be kept in '{}' memory", best.name()),
    );
    Error::new(
        ErrorKind::MemoryProtection,
        format!(
            "the keys must be kept in '{}' memory or better (requireMemoryProtection), but {got}: {}",
            minimum.name(),
            explain(minimum, shortfall.refusals)
        ),
    )
}

/// Why better memory was refused, and the fix, from what the system said.
fn explain(minimum: Protection, refusals: Refusals) -> String {
    const LIMIT: &str = "raise the process's locked-memory limit (RLIMIT_MEMLOCK): `ulimit -l`, systemd \
                         `LimitMEMLOCK=`, `docker run --ulimit memlock=<bytes>`, or the container runtime's \
                         memlock ulimit; or grant the process CAP_IPC_LOCK (Kubernetes: the container's \
                         securityContext.capabilities.add: [IPC_LOCK]); or require a lower level";
    let mut reasons = Vec::new();
    if minimum == Protection::Secret && refusals.secret_unavailable {
        reasons.push(if cfg!(target_os = "linux") {
            "memfd_secret is not available here (Linux 5.14 or later is needed, with secretmem enabled: \
             the default since 6.5, secretmem.enable=1 before; a seccomp profile may refuse it); \
             require 'locked' instead"
                .to_owned()
        } else {
            "'secret' memory is Linux's memfd_secret, which this system does not have; require 'locked' at most"
                .to_owned()
        });
    } else if let Some(error) = refusals.secret.filter(|_| minimum == Protection::Secret) {
        reasons.push(format!("memfd_secret memory was refused ({})", os_error(error)));
    }
    if let Some(error) = refusals.lock {
        reasons.push(format!("locking memory was refused ({})", os_error(error)));
    }
    if reasons.is_empty() {
        return "this build (WASI) keeps keys in ordinary WebAssembly memory, which nothing can lock or hide; \
                install the native build for this platform"
            .to_owned();
    }
    // The limit is what to raise when locking (of either kind) was refused, not when the system lacks it.
    let limited = refusals.lock.is_some() || (minimum == Protection::Secret && !refusals.secret_unavailable);
    if limited {
        reasons.push(LIMIT.to_owned());
    }
    reasons.join("; ")
}

/// An OS error number as its text and number, such as "Resource temporarily unavailable (os error 11)".
fn os_error(code: i32) -> String {
    std::io::Error::from_raw_os_error(code).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Keyring, SecretKind, Source};
    use crate::secret_memory::TEST_SERIAL;

    #[test]
    fn keys_in_secret_pages_sign_as_the_core_does() {
        let _serial = TEST_SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut keyring = Keyring::in_memory(SecretMemory { minimum: Protection::Ordinary });
        keyring.insert("ios", b"one", SecretKind::Text, Source::Argument).unwrap();
        keyring.insert("roku", b"two", SecretKind::Text, Source::Argument).unwrap();
        let expected = PlatformKey::new(b"two", SecretKind::Text).unwrap().sign_hex(b"u");
        assert_eq!(keyring.sign_hex(1, b"u").unwrap(), expected);
        assert!(keyring.verify_hex(1, b"u", &expected).unwrap());
        let joined: Vec<u16> = "uu".encode_utf16().collect();
        assert_eq!(&keyring.sign_batch(1, &joined, &[1, 1]).unwrap()[64..], &expected[..]);
        let copy = keyring.copy_into(*keyring.memory()).unwrap();
        assert_eq!(copy.platforms(), keyring.platforms());
        assert_eq!(copy.sign_hex(1, b"u").unwrap(), expected);
        assert!(least_protection(keyring.kept_keys()).is_some());
        // Each thread signs with a scratch of its own.
        let signed = std::thread::scope(|scope| scope.spawn(|| keyring.sign_hex(1, b"u").unwrap()).join().unwrap());
        assert_eq!(signed, expected);
    }

    #[test]
    fn a_refusal_names_the_level_the_cause_and_the_limit() {
        let shortfall = Shortfall {
            best: Some(Protection::NoDump),
            refusals: Refusals { secret: Some(11), secret_unavailable: false, lock: Some(11) },
        };
        let error = refusal(Protection::Locked, shortfall);
        assert_eq!(error.code(), "ERR_TRUSTED_IDENTITY_MEMORY_PROTECTION");
        for part in
            ["'locked' memory or better", "'no-dump'", "locking memory was refused", "RLIMIT_MEMLOCK", "ulimit -l"]
        {
            assert!(error.message().contains(part), "{part}: {}", error.message());
        }
        let unavailable = Refusals { secret: Some(38), secret_unavailable: true, lock: None };
        let error = refusal(Protection::Secret, Shortfall { best: Some(Protection::Locked), refusals: unavailable });
        assert!(error.message().contains("memfd_secret is not available"), "{}", error.message());
    }
}
