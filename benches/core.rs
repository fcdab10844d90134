//! `cargo bench --bench core` (`npm run bench:core`): nanoseconds per signature in the pure Rust
//! core, with no Node-API crossing, next to the `hmac` crate used the usual way (prepared `Hmac`
//! cloned per message). A plain timing harness (median of 31 rounds), so benchmarking adds no
//! dependency to the build; `std::hint::black_box` keeps the work from being optimised away.

use std::hint::black_box;
use std::time::Instant;

use hmac::{Hmac, KeyInit, Mac};
use mtribes_trusted_identity::core::batch::sign_utf16_batch;
use mtribes_trusted_identity::core::{PlatformKey, SecretKind};
use sha2::Sha256;

const ROUNDS: usize = 31;
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
    let reference = <Hmac<Sha256> as KeyInit>::new_from_slice(SECRET).expect("any key length");
    println!("core sign, median of {ROUNDS} rounds (ns per signature)");
    for length in [36, 8, 200] {
        let ids = ids(length);
        let sign = median_ns(200_000, |i| {
            black_box(key.sign_hex(black_box(&ids[i & 1023])));
        });
        let signatures: Vec<_> = ids.iter().map(|id| key.sign_hex(id)).collect();
        let verify = median_ns(200_000, |i| {
            black_box(key.verify_hex(black_box(&ids[i & 1023]), &signatures[i & 1023]));
        });
        let hmac_crate = median_ns(200_000, |i| {
            let mut mac = reference.clone();
            mac.update(black_box(&ids[i & 1023]));
            black_box(mac.finalize().into_bytes());
        });
        println!(
            "  {length:>3}-byte id: sign_hex {sign:6.1}  verify_hex {verify:6.1}  \
             (hmac crate, clone + update + finalize, raw bytes: {hmac_crate:6.1})"
        );
    }
    let ids = ids(36);
    let joined: Vec<u16> = ids.iter().flat_map(|id| id.iter().map(|&b| u16::from(b))).collect();
    let lengths = vec![36u32; ids.len()];
    let batch = median_ns(200, |_| {
        black_box(sign_utf16_batch(&key, black_box(&joined), &lengths).expect("a valid batch"));
    }) / ids.len() as f64;
    println!("  batch of 1,024 36-char ids (UTF-16 in, hex out): {batch:.1} per id");
}
