//! `cargo bench --bench core` (`npm run bench:core`): nanoseconds per signature in the pure Rust
//! core, with no Node-API crossing, and the ways the `hmac` crate (0.13) offers to sign many
//! messages under one key, measured side by side: the keyed `Hmac<Sha256>` cloned per message, the
//! block-level `HmacCore` cloned per message (what the core uses), and `HmacReset` reset after each
//! message; plus what the core adds to the bare HMAC (hex, the stack wipe). A plain timing harness
//! (median of 31 rounds), so benchmarking adds no dependency to the build;
//! `std::hint::black_box` keeps the work from being optimised away.

use std::hint::black_box;
use std::time::Instant;

use hmac::block_api::HmacCore;
use hmac::digest::block_api::{Block, Buffer, FixedOutputCore, UpdateCore};
use hmac::digest::{FixedOutputReset, Output};
use hmac::{Hmac, HmacReset, KeyInit, Mac};
use mtribes_trusted_identity::core::batch::sign_utf16_batch;
use mtribes_trusted_identity::core::{PlatformKey, Scratch, SecretKind};
use sha2::Sha256;

const ROUNDS: usize = 31;
const CALLS: usize = 200_000;
const SECRET: &[u8] = b"benchmark-secret-0123456789abcdef";

/// Median nanoseconds per call of `f`, over ROUNDS rounds of `calls` calls.
fn median_ns(calls: usize, mut f: impl FnMut(usize)) -> f64 {
    for i in 0..calls {
        f(i);
    }
    let mut rounds: Vec<f64> = (0..ROUNDS)
        .map(|_| {
            let start = Instant::now();
            for i in 0..calls {
                f(i);
            }
            start.elapsed().as_nanos() as f64 / calls as f64
        })
        .collect();
    rounds.sort_by(f64::total_cmp);
    rounds[ROUNDS / 2]
}

fn ids(length: usize) -> Vec<Vec<u8>> {
    (0..1024).map(|i| format!("{i:08x}-{}", "0123456789abcdef".repeat(16)).into_bytes()[..length].to_vec()).collect()
}

fn main() {
    let key = PlatformKey::new(SECRET, SecretKind::Text).expect("a valid secret");
    let keyed = <Hmac<Sha256> as KeyInit>::new_from_slice(SECRET).expect("any key length");
    let core = <HmacCore<Sha256> as KeyInit>::new_from_slice(SECRET).expect("any key length");
    let mut reset = <HmacReset<Sha256> as KeyInit>::new_from_slice(SECRET).expect("any key length");
    println!("core, median of {ROUNDS} rounds of {CALLS} calls (ns per call)");
    for length in [36, 8, 200] {
        let ids = ids(length);
        let id = |i: usize| black_box(&ids[i & 1023][..]);
        let hmac_clone = median_ns(CALLS, |i| {
            let mut mac = keyed.clone();
            mac.update(id(i));
            black_box(mac.finalize().into_bytes());
        });
        let hmac_core = median_ns(CALLS, |i| {
            let mut state = core.clone();
            let (blocks, rest) = Block::<HmacCore<Sha256>>::slice_as_chunks(id(i));
            state.update_blocks(blocks);
            let mut buffer = Buffer::<HmacCore<Sha256>>::default();
            buffer.digest_blocks(rest, |blocks| state.update_blocks(blocks));
            let mut out = Output::<HmacCore<Sha256>>::default();
            state.finalize_fixed_core(&mut buffer, &mut out);
            black_box(out);
        });
        let hmac_reset = median_ns(CALLS, |i| {
            reset.update(id(i));
            black_box(reset.finalize_fixed_reset());
        });
        let sign_bytes = median_ns(CALLS, |i| {
            black_box(key.sign_bytes(id(i)));
        });
        let sign_hex = median_ns(CALLS, |i| {
            black_box(key.sign_hex(id(i)));
        });
        let signatures: Vec<_> = ids.iter().map(|id| key.sign_hex(id)).collect();
        let verify = median_ns(CALLS, |i| {
            black_box(key.verify_hex(id(i), &signatures[i & 1023]));
        });
        println!("  {length:>3}-byte id:");
        println!("    hmac crate, raw 32 bytes: Hmac clone {hmac_clone:6.1}  HmacCore clone {hmac_core:6.1}  HmacReset {hmac_reset:6.1}");
        println!("    core: sign_bytes {sign_bytes:6.1}  sign_hex {sign_hex:6.1}  verify_hex {verify:6.1}  (each with its stack wipe)");
    }
    let ids = ids(36);
    let joined: Vec<u16> = ids.iter().flat_map(|id| id.iter().map(|&b| u16::from(b))).collect();
    let lengths = vec![36u32; ids.len()];
    let mut scratch = Scratch::new();
    let batch = median_ns(200, |_| {
        black_box(sign_utf16_batch(&key, &mut scratch, black_box(&joined), &lengths).expect("a valid batch"));
    }) / ids.len() as f64;
    println!("  batch of 1,024 36-char ids (UTF-16 in, hex out, one wipe): {batch:.1} per id");
}
