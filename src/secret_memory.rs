//! Binding: secret memory, the one module that handles pages. Keys (and each thread's scratch)
//! live in fixed-size slots of pages that are, by preference:
//! - [`Protection::Secret`]: Linux `memfd_secret(2)`: out of the kernel's own page tables, so no
//!   other process reads it (not root either, through `/proc/<pid>/mem` or `ptrace`); locked in RAM,
//!   left out of core dumps, not inherited by `fork`;
//! - [`Protection::Locked`]: locked in RAM (`mlock`, `VirtualLock`); on Linux also left out of core
//!   dumps (`MADV_DONTDUMP`) and zeroed in a forked child (`MADV_WIPEONFORK`); on macOS not inherited
//!   by `fork` (`minherit`);
//! - [`Protection::NoDump`] (Linux): left out of core dumps, but may be swapped: the lock limit
//!   (`RLIMIT_MEMLOCK`) is reached;
//! - [`Protection::Ordinary`]: plain memory (WebAssembly, or nothing better was granted).
//!
//! Each page sits between two inaccessible guard pages. Many keys share a page (a slab of
//! [`SLOT_BYTES`]-byte slots with a free list per page); a freed slot is wiped at once, and a page
//! whose slots are all free is wiped and returned to the system, so the process locks no more than
//! its keys need. Which level a page got, and why a better one was refused, is recorded.

use std::collections::{BTreeMap, BTreeSet};
use std::marker::PhantomData;
use std::mem::{align_of, size_of};
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;
use std::sync::{Mutex, PoisonError};

use zeroize::Zeroize;

/// Bytes per slot: room for one key's state or one scratch (checked where they are placed).
pub const SLOT_BYTES: usize = 96;
/// Alignment of every slot.
const SLOT_ALIGN: usize = 16;

/// How well a page keeps what is in it, from least to most.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Protection {
    /// Plain memory.
    Ordinary,
    /// Left out of core dumps; may be swapped.
    NoDump,
    /// Locked in RAM (and, where the system allows, left out of core dumps).
    Locked,
    /// Unreadable by other processes, locked, left out of core dumps.
    Secret,
}

impl Protection {
    /// Every level, best first.
    pub const BEST_FIRST: [Self; 4] = [Self::Secret, Self::Locked, Self::NoDump, Self::Ordinary];

    /// The name JavaScript sees.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Ordinary => "ordinary",
            Self::NoDump => "no-dump",
            Self::Locked => "locked",
            Self::Secret => "secret",
        }
    }

    /// The level named `name`, if any.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::BEST_FIRST.into_iter().find(|level| level.name() == name)
    }
}

/// What the system refused on the way to a page, for messages: the OS error numbers of the
/// latest refusals (`None`: not refused, or not tried).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Refusals {
    /// `memfd_secret` (or mapping its page) failed with this `errno`.
    pub secret: Option<i32>,
    /// `memfd_secret` does not exist here (or is disabled): it is not tried again.
    pub secret_unavailable: bool,
    /// Locking a page in RAM failed with this error number.
    pub lock: Option<i32>,
}

/// A slot could not be had at the protection asked for: what was possible, and why not better.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shortfall {
    /// The best level a new page got (`None`: no page at all: the address space or memory ran out).
    pub best: Option<Protection>,
    /// Why better levels were refused.
    pub refusals: Refusals,
}

/// Pages and bytes in use, for tests and benchmarks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    /// Pages in use at each level, in the order of [`Protection::BEST_FIRST`].
    pub pages: [usize; 4],
    /// Slots in use.
    pub slots: usize,
    /// The page size.
    pub page_bytes: usize,
}

/// A `T` kept in a slot of secret memory: it never moves; dropping it drops `T` in place and
/// wipes the slot.
pub struct SecretBox<T> {
    slot: NonNull<T>,
    protection: Protection,
    _owns: PhantomData<T>,
}

// SAFETY: a SecretBox owns its slot exclusively, as a Box owns its allocation, so it can move to
// or be shared with another thread exactly when `T` can; the slab it returns the slot to is
// behind a mutex.
unsafe impl<T: Send> Send for SecretBox<T> {}
// SAFETY: as above: `&SecretBox<T>` gives out only `&T`.
unsafe impl<T: Sync> Sync for SecretBox<T> {}

impl<T> SecretBox<T> {
    const FITS: () = assert!(size_of::<T>() <= SLOT_BYTES && align_of::<T>() <= SLOT_ALIGN, "T must fit a slot");

    /// Moves `value` into a slot of a page at least as protected as `minimum` (the best available
    /// first). The caller wipes the stack frames `value` passed through.
    ///
    /// # Errors
    /// [`Shortfall`] when no page at `minimum` or better can be had; `value` is dropped.
    pub fn new(value: T, minimum: Protection) -> Result<Self, Shortfall> {
        let () = Self::FITS;
        let (slot, protection) = lock_slab().allocate(minimum)?;
        let slot = slot.cast::<T>();
        // SAFETY: `slot` is a fresh slot of SLOT_BYTES bytes, aligned to SLOT_ALIGN, in a readable
        // and writable page that nothing else uses until this box frees it; `T` fits (FITS).
        unsafe { slot.as_ptr().write(value) };
        Ok(Self { slot, protection, _owns: PhantomData })
    }

    /// The protection of the page this value is in.
    #[must_use]
    pub const fn protection(&self) -> Protection {
        self.protection
    }
}

impl<T> Deref for SecretBox<T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the slot holds a `T` written in `new` and not dropped before `drop`.
        unsafe { self.slot.as_ref() }
    }
}

impl<T> DerefMut for SecretBox<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`; `&mut self` makes this the only reference.
        unsafe { self.slot.as_mut() }
    }
}

impl<T> Drop for SecretBox<T> {
    fn drop(&mut self) {
        // SAFETY: the slot holds a live `T` (written in `new`), dropped here once; after this no
        // reference to it remains, and the slot's bytes are only wiped and freed below.
        unsafe { self.slot.as_ptr().drop_in_place() };
        lock_slab().free(self.slot.cast::<u8>());
    }
}

/// Pages in use now.
#[must_use]
pub fn usage() -> Usage {
    lock_slab().usage()
}

// ---------------------------------------------------------------------------------------------
// The slab

/// One page: its level and its free slots.
struct Page {
    protection: Protection,
    free: Vec<u16>,
}

struct Slab {
    /// The committed pages by address.
    pages: BTreeMap<usize, Page>,
    /// Pages with a free slot, per level (indexed by the level's position in `BEST_FIRST`).
    partial: [BTreeSet<usize>; 4],
    refusals: Refusals,
    /// A new page was refused the best level and nothing was released since: until a release,
    /// pages with room are used before a new one is tried for (each try is several system calls).
    short: bool,
    page_bytes: usize,
}

static SLAB: Mutex<Slab> = Mutex::new(Slab {
    pages: BTreeMap::new(),
    partial: [BTreeSet::new(), BTreeSet::new(), BTreeSet::new(), BTreeSet::new()],
    refusals: Refusals { secret: None, secret_unavailable: false, lock: None },
    short: false,
    page_bytes: 0,
});

fn lock_slab() -> std::sync::MutexGuard<'static, Slab> {
    // Nothing below panics while holding the lock; if something ever did, the slab's maps are
    // still consistent between operations, so the lock is taken anyway.
    let mut slab = SLAB.lock().unwrap_or_else(PoisonError::into_inner);
    if slab.page_bytes == 0 {
        slab.page_bytes = os::page_bytes();
    }
    slab
}

const fn rank(level: Protection) -> usize {
    match level {
        Protection::Secret => 0,
        Protection::Locked => 1,
        Protection::NoDump => 2,
        Protection::Ordinary => 3,
    }
}

impl Slab {
    fn slots_per_page(&self) -> u16 {
        u16::try_from(self.page_bytes / SLOT_BYTES).unwrap_or(u16::MAX)
    }

    /// A free slot in the best page at `minimum` or better, committing a page if need be.
    fn allocate(&mut self, minimum: Protection) -> Result<(NonNull<u8>, Protection), Shortfall> {
        // A secret page with room; or, while new pages fall short, the best page with room.
        let ready = self.best_with_room(if self.short { minimum } else { Protection::Secret });
        let level = match ready {
            Some(level) => level,
            None => match os::commit_page(self.page_bytes, &mut self.refusals) {
                Some((address, got)) => {
                    self.short = got != Protection::Secret;
                    match self.best_with_room(got.max(minimum)) {
                        // A page as good as the new one (or as required) has room: that one.
                        Some(level) if got != Protection::Secret => {
                            os::release_page(address, self.page_bytes, got);
                            level
                        }
                        _ if got >= minimum => {
                            self.adopt(address, got);
                            got
                        }
                        _ => {
                            os::release_page(address, self.page_bytes, got);
                            return Err(Shortfall { best: Some(got), refusals: self.refusals });
                        }
                    }
                }
                None => self.best_with_room(minimum).ok_or(Shortfall { best: None, refusals: self.refusals })?,
            },
        };
        self.take_slot(level).ok_or(Shortfall { best: None, refusals: self.refusals })
    }

    /// The best level at `at_least` or better that has a page with a free slot.
    fn best_with_room(&self, at_least: Protection) -> Option<Protection> {
        Protection::BEST_FIRST.into_iter().find(|&level| level >= at_least && !self.partial[rank(level)].is_empty())
    }

    /// A slot of a page of `level` that has one.
    fn take_slot(&mut self, level: Protection) -> Option<(NonNull<u8>, Protection)> {
        let partial = &mut self.partial[rank(level)];
        let address = *partial.first()?;
        let page = self.pages.get_mut(&address)?;
        let index = page.free.pop()?;
        if page.free.is_empty() {
            partial.remove(&address);
        }
        let slot = address + usize::from(index) * SLOT_BYTES;
        Some((NonNull::new(slot as *mut u8)?, level))
    }

    /// Takes the page just committed at `address` into the slab, every slot free.
    fn adopt(&mut self, address: usize, level: Protection) {
        let slots = self.slots_per_page();
        // Slots are handed out from the end of the list: the page's first slot first.
        self.pages.insert(address, Page { protection: level, free: (0..slots).rev().collect() });
        self.partial[rank(level)].insert(address);
    }

    /// Wipes the slot at `slot` and returns it to its page; a page with every slot free is wiped
    /// and returned to the system.
    fn free(&mut self, slot: NonNull<u8>) {
        let address = slot.as_ptr() as usize;
        let page_address = address - address % self.page_bytes;
        let slots = self.slots_per_page();
        let Some(page) = self.pages.get_mut(&page_address) else { return };
        // SAFETY: `slot` is a slot of this committed page (its address is in `pages`), no longer
        // in use: SLOT_BYTES writable bytes that no reference points into any more.
        unsafe { std::slice::from_raw_parts_mut(slot.as_ptr(), SLOT_BYTES) }.zeroize();
        let index = u16::try_from((address - page_address) / SLOT_BYTES).unwrap_or(u16::MAX);
        page.free.push(index);
        let level = page.protection;
        if page.free.len() < usize::from(slots) {
            self.partial[rank(level)].insert(page_address);
            return;
        }
        self.partial[rank(level)].remove(&page_address);
        self.pages.remove(&page_address);
        // SAFETY: every slot of the page is free, so nothing refers into it; it is this page's
        // whole committed range.
        unsafe { std::slice::from_raw_parts_mut(page_address as *mut u8, self.page_bytes) }.zeroize();
        os::release_page(page_address, self.page_bytes, level);
        self.short = false;
    }

    fn usage(&self) -> Usage {
        let mut usage = Usage { page_bytes: self.page_bytes, ..Usage::default() };
        for page in self.pages.values() {
            usage.pages[rank(page.protection)] += 1;
            usage.slots += usize::from(self.slots_per_page()) - page.free.len();
        }
        usage
    }
}

// ---------------------------------------------------------------------------------------------
// The system calls, per platform. `commit_page` maps one page between two guard pages (a
// reservation of three pages whose first and last stay inaccessible) and returns the page's
// address and level; `release_page` gives back the whole reservation.

#[cfg(target_os = "linux")]
mod os {
    use super::{Protection, Refusals};
    use std::ptr;

    pub fn page_bytes() -> usize {
        // SAFETY: sysconf has no preconditions.
        let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        usize::try_from(size).unwrap_or(4096).max(4096)
    }

    fn errno() -> i32 {
        std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
    }

    /// Three inaccessible pages; `None` if the address space is exhausted.
    fn reserve(page: usize) -> Option<usize> {
        // SAFETY: a new private anonymous mapping at an address the kernel picks: it replaces
        // nothing.
        let base = unsafe {
            libc::mmap(
                ptr::null_mut(),
                3 * page,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        (base != libc::MAP_FAILED).then_some(base as usize)
    }

    pub fn commit_page(page: usize, refusals: &mut Refusals) -> Option<(usize, Protection)> {
        if !refusals.secret_unavailable {
            let address = reserve(page)? + page;
            match secret_page(address, page) {
                Ok(()) => return Some((address, Protection::Secret)),
                Err(failure) => {
                    if failure.reservation_intact {
                        release_page(address, page, Protection::Ordinary);
                    } else {
                        // SAFETY: the two guard pages of our reservation; its middle page is
                        // someone else's mapping now and is left alone.
                        unsafe {
                            libc::munmap((address - page) as *mut libc::c_void, page);
                            libc::munmap((address + page) as *mut libc::c_void, page);
                        }
                    }
                    // EEXIST: another mapping took the page's place meanwhile: not a refusal.
                    if failure.error != libc::EEXIST {
                        // No such system call, or turned off (secretmem.enable=0): never try again.
                        refusals.secret_unavailable =
                            matches!(failure.error, libc::ENOSYS | libc::EPERM | libc::EINVAL);
                        refusals.secret = Some(failure.error);
                    }
                }
            }
        }
        let address = reserve(page)? + page;
        let target = address as *mut libc::c_void;
        // SAFETY: `address` is the middle page of the reservation just made, which only this
        // function knows of: making it readable and writable affects nothing else.
        if unsafe { libc::mprotect(target, page, libc::PROT_READ | libc::PROT_WRITE) } != 0 {
            release_page(address, page, Protection::Ordinary);
            return None;
        }
        // SAFETY: madvise and mlock on a page of our own mapping change only how the kernel treats
        // it (dump, fork, swap), never its contents or its mapping.
        let (no_dump, locked) = unsafe {
            let no_dump = libc::madvise(target, page, libc::MADV_DONTDUMP) == 0;
            // Zero the page in a forked child (Linux 4.14+); where refused, a child keeps a copy.
            libc::madvise(target, page, libc::MADV_WIPEONFORK);
            (no_dump, libc::mlock(target, page) == 0)
        };
        if !locked {
            refusals.lock = Some(errno());
        }
        let level = match (locked, no_dump) {
            (true, true) => Protection::Locked,
            (_, true) => Protection::NoDump,
            _ => Protection::Ordinary,
        };
        Some((address, level))
    }

    /// Why no `memfd_secret` page could be mapped.
    struct SecretFailure {
        error: i32,
        /// Whether the reservation around the page is still whole (ours to release as one).
        reservation_intact: bool,
    }

    /// Maps a `memfd_secret` page at `address`, the middle page of our own reservation.
    fn secret_page(address: usize, page: usize) -> Result<(), SecretFailure> {
        let failed = |error| SecretFailure { error, reservation_intact: true };
        // SAFETY: memfd_secret takes only flags and returns a new descriptor or -1.
        let fd = unsafe { libc::syscall(libc::SYS_memfd_secret, libc::O_CLOEXEC) };
        let fd = i32::try_from(fd).map_err(|_| failed(libc::EINVAL))?;
        if fd < 0 {
            return Err(failed(errno()));
        }
        let length = libc::off_t::try_from(page).unwrap_or(libc::off_t::MAX);
        // SAFETY: `fd` is the descriptor just made; closed here if it cannot be sized.
        if unsafe { libc::ftruncate(fd, length) } != 0 {
            let error = errno();
            // SAFETY: as above.
            unsafe { libc::close(fd) };
            return Err(failed(error));
        }
        // SAFETY: `address` is the middle page of our own reservation: unmapping it leaves a hole
        // that MAP_FIXED_NOREPLACE fills only if nothing else took it meanwhile (it never replaces a
        // mapping: EEXIST instead). The mapping keeps the file alive, so `fd` is closed after.
        let (result, error) = unsafe {
            libc::munmap(address as *mut libc::c_void, page);
            let result = libc::mmap(
                address as *mut libc::c_void,
                page,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_FIXED_NOREPLACE,
                fd,
                0,
            );
            let error = errno();
            libc::close(fd);
            (result, error)
        };
        if result as usize == address {
            // SAFETY: as for madvise below; DONTFORK leaves the page out of a forked child
            // (WIPEONFORK applies to private mappings only).
            unsafe { libc::madvise(address as *mut libc::c_void, page, libc::MADV_DONTFORK) };
            return Ok(());
        }
        if result != libc::MAP_FAILED {
            // Placed elsewhere (a kernel without MAP_FIXED_NOREPLACE took the address as a hint).
            // SAFETY: the mapping just made, which nothing else knows of.
            unsafe { libc::munmap(result, page) };
        }
        // Fill the hole again, if it is still ours.
        // SAFETY: NOREPLACE maps only where nothing is mapped, so it replaces nothing.
        let refilled = unsafe {
            libc::mmap(
                address as *mut libc::c_void,
                page,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE | libc::MAP_FIXED_NOREPLACE,
                -1,
                0,
            )
        };
        if refilled != libc::MAP_FAILED && refilled as usize != address {
            // SAFETY: a mapping just made elsewhere (NOREPLACE taken as a hint), known to nothing else.
            unsafe { libc::munmap(refilled, page) };
        }
        let error = if error == 0 { libc::EEXIST } else { error };
        Err(SecretFailure { error, reservation_intact: refilled as usize == address })
    }

    pub fn release_page(address: usize, page: usize, _level: Protection) {
        // SAFETY: `address - page .. address + 2 * page` is a reservation `commit_page` made; its
        // middle page is wiped and no longer referred to. munmap also unlocks it.
        unsafe { libc::munmap((address - page) as *mut libc::c_void, 3 * page) };
    }
}

#[cfg(target_os = "macos")]
mod os {
    use super::{Protection, Refusals};
    use std::ptr;

    pub fn page_bytes() -> usize {
        // SAFETY: sysconf has no preconditions.
        let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        usize::try_from(size).unwrap_or(16384).max(4096)
    }

    pub fn commit_page(page: usize, refusals: &mut Refusals) -> Option<(usize, Protection)> {
        // SAFETY: a new private anonymous mapping at an address the kernel picks.
        let base = unsafe {
            libc::mmap(ptr::null_mut(), 3 * page, libc::PROT_NONE, libc::MAP_PRIVATE | libc::MAP_ANON, -1, 0)
        };
        if base == libc::MAP_FAILED {
            return None;
        }
        let address = base as usize + page;
        let target = address as *mut libc::c_void;
        // SAFETY: the middle page of the reservation just made, which nothing else knows of.
        if unsafe { libc::mprotect(target, page, libc::PROT_READ | libc::PROT_WRITE) } != 0 {
            release_page(address, page, Protection::Ordinary);
            return None;
        }
        // SAFETY: minherit and mlock change only how the kernel treats our own page.
        let locked = unsafe {
            libc::minherit(target, page, libc::VM_INHERIT_NONE);
            libc::mlock(target, page) == 0
        };
        refusals.secret_unavailable = true;
        if !locked {
            refusals.lock = Some(std::io::Error::last_os_error().raw_os_error().unwrap_or(0));
        }
        Some((address, if locked { Protection::Locked } else { Protection::Ordinary }))
    }

    pub fn release_page(address: usize, page: usize, _level: Protection) {
        // SAFETY: a reservation `commit_page` made, its middle page wiped and unused.
        unsafe { libc::munmap((address - page) as *mut libc::c_void, 3 * page) };
    }
}

#[cfg(windows)]
mod os {
    use super::{Protection, Refusals};
    use std::ptr;
    use windows_sys::Win32::System::Memory::{
        VirtualAlloc, VirtualFree, VirtualLock, MEM_COMMIT, MEM_RELEASE, MEM_RESERVE, PAGE_NOACCESS, PAGE_READWRITE,
    };
    use windows_sys::Win32::System::SystemInformation::{GetSystemInfo, SYSTEM_INFO};

    pub fn page_bytes() -> usize {
        // SAFETY: GetSystemInfo fills the structure it is given; an all-zero SYSTEM_INFO is valid.
        let info = unsafe {
            let mut info: SYSTEM_INFO = std::mem::zeroed();
            GetSystemInfo(&mut info);
            info
        };
        usize::try_from(info.dwPageSize).unwrap_or(4096).max(4096)
    }

    pub fn commit_page(page: usize, refusals: &mut Refusals) -> Option<(usize, Protection)> {
        // SAFETY: reserves new address space at an address the system picks; commits the middle
        // page of that reservation, which nothing else knows of; VirtualLock affects only it.
        unsafe {
            let base = VirtualAlloc(ptr::null(), 3 * page, MEM_RESERVE, PAGE_NOACCESS);
            if base.is_null() {
                return None;
            }
            let address = base as usize + page;
            if VirtualAlloc(address as *const _, page, MEM_COMMIT, PAGE_READWRITE).is_null() {
                VirtualFree(base, 0, MEM_RELEASE);
                return None;
            }
            refusals.secret_unavailable = true;
            let locked = VirtualLock(address as *const _, page) != 0;
            if !locked {
                refusals.lock = Some(std::io::Error::last_os_error().raw_os_error().unwrap_or(0));
            }
            Some((address, if locked { Protection::Locked } else { Protection::Ordinary }))
        }
    }

    pub fn release_page(address: usize, page: usize, _level: Protection) {
        // SAFETY: the reservation `commit_page` made (its base is one page below), its committed
        // page wiped and unused; releasing it also unlocks it.
        unsafe { VirtualFree((address - page) as *mut _, 0, MEM_RELEASE) };
    }
}

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
mod os {
    //! WebAssembly (the WASI build) and other systems: ordinary memory from the allocator, with no
    //! guard pages: WebAssembly has neither pages to protect nor other processes to keep out.
    use super::{Protection, Refusals};
    use std::alloc::{alloc_zeroed, dealloc, Layout};

    pub fn page_bytes() -> usize {
        4096
    }

    fn layout(page: usize) -> Option<Layout> {
        Layout::from_size_align(page, page).ok()
    }

    pub fn commit_page(page: usize, refusals: &mut Refusals) -> Option<(usize, Protection)> {
        refusals.secret_unavailable = true;
        // SAFETY: the layout has a non-zero size.
        let address = unsafe { alloc_zeroed(layout(page)?) } as usize;
        (address != 0).then_some((address, Protection::Ordinary))
    }

    pub fn release_page(address: usize, page: usize, _level: Protection) {
        if let Some(layout) = layout(page) {
            // SAFETY: `address` came from `alloc_zeroed` with this layout in `commit_page`.
            unsafe { dealloc(address as *mut u8, layout) };
        }
    }
}

/// The slab is shared by every test of the crate: tests that count its pages hold this.
#[cfg(test)]
pub static TEST_SERIAL: Mutex<()> = Mutex::new(());

#[cfg(test)]
mod tests {
    use super::*;

    use TEST_SERIAL as SERIAL;

    #[test]
    fn a_value_is_kept_and_its_slot_reused_after_it_is_dropped() {
        let _serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
        let first = SecretBox::new([7u8; 64], Protection::Ordinary).unwrap();
        assert_eq!(*first, [7u8; 64]);
        let address = &*first as *const [u8; 64] as usize;
        assert_eq!(address % SLOT_ALIGN, 0);
        drop(first);
        let second = SecretBox::new([1u8; 64], Protection::Ordinary).unwrap();
        assert_eq!(&*second as *const [u8; 64] as usize, address, "the freed slot is reused");
        assert_eq!(*second, [1u8; 64]);
    }

    #[test]
    fn many_values_share_pages_and_empty_pages_are_returned() {
        let _serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
        let before = usage();
        let boxes: Vec<SecretBox<u64>> = (0..1000).map(|i| SecretBox::new(i, Protection::Ordinary).unwrap()).collect();
        let during = usage();
        let per_page = during.page_bytes / SLOT_BYTES;
        let pages = |u: &Usage| u.pages.iter().sum::<usize>();
        assert!(pages(&during) - pages(&before) <= 1000 / per_page + 2, "{during:?}");
        assert!(boxes.iter().enumerate().all(|(i, value)| **value == i as u64));
        drop(boxes);
        assert_eq!(pages(&usage()), pages(&before));
    }

    #[test]
    fn a_freed_slot_is_wiped() {
        let _serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
        let page = |value: &SecretBox<[u8; 32]>| (&**value as *const [u8; 32] as usize) / usage().page_bytes;
        // Of three values made one after the other, two share a page (a page has 42 slots), so
        // that page stays when one of them is freed, and its slot can be read again.
        let values: Vec<_> = (0..3).map(|_| SecretBox::new([0xa5u8; 32], Protection::Ordinary).unwrap()).collect();
        let (keep, freed) = if page(&values[0]) == page(&values[1]) { (0, 1) } else { (1, 2) };
        assert_eq!(page(&values[keep]), page(&values[freed]));
        let address = &*values[freed] as *const [u8; 32] as usize;
        let mut values = values;
        drop(values.remove(freed));
        // SAFETY: the slot is in a page `values[keep]` keeps mapped; every test that uses the slab
        // holds SERIAL, so nothing else takes the slot while it is read.
        let bytes = unsafe { std::slice::from_raw_parts(address as *const u8, SLOT_BYTES) };
        assert!(bytes.iter().all(|&b| b == 0), "{bytes:?}");
    }

    #[test]
    fn names_round_trip() {
        for level in Protection::BEST_FIRST {
            assert_eq!(Protection::from_name(level.name()), Some(level));
        }
        assert_eq!(Protection::from_name("SECRET"), None);
        assert!(Protection::Secret > Protection::Locked && Protection::Locked > Protection::NoDump);
    }
}
