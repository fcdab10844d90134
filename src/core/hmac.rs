//! HMAC-SHA256 (RFC 2104) with the key's pad blocks absorbed once: a key is kept as two SHA-256
//! chaining states (after `key ^ ipad` and after `key ^ opad`), and each signature drives `sha2`'s
//! compression function from those states directly, with the final padding built on the stack. A
//! 36-byte id costs exactly two compressions and no allocation. The states wipe themselves when
//! dropped. The tests check this against the `hmac` crate on generated keys and messages.

use sha2::block_api::compress256;
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

/// SHA-256 block size in bytes.
const BLOCK: usize = 64;
/// SHA-256 digest size in bytes.
pub(crate) const DIGEST: usize = 32;
/// SHA-256 initial hash value (FIPS 180-4, section 5.3.3).
const IV: [u32; 8] =
    [0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19];

/// One key as its inner and outer HMAC-SHA256 chaining states.
pub(crate) struct PadStates {
    inner: [u32; 8],
    outer: [u32; 8],
}

impl PadStates {
    /// Absorbs `key` (hashed first when longer than a block, as RFC 2104 says) into both pads.
    /// Every temporary holding key bytes is wiped before this returns.
    pub(crate) fn new(key: &[u8]) -> Self {
        let mut block = Zeroizing::new([0u8; BLOCK]);
        if key.len() > BLOCK {
            let mut digest = Sha256::digest(key);
            block[..DIGEST].copy_from_slice(&digest);
            digest.as_mut_slice().zeroize();
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        let mut pad = Zeroizing::new([[0u8; BLOCK]]);
        let mut absorb = |byte: u8| {
            for (out, key_byte) in pad[0].iter_mut().zip(block.iter()) {
                *out = key_byte ^ byte;
            }
            let mut state = IV;
            compress256(&mut state, &pad[..]);
            state
        };
        Self { inner: absorb(0x36), outer: absorb(0x5c) }
    }

    /// The 32-byte HMAC of `message`.
    pub(crate) fn mac(&self, message: &[u8]) -> [u8; DIGEST] {
        // `state` starts as a copy of the inner state and is overwritten in place by the first
        // compression, so no copy of the key state outlives this call.
        let mut state = self.inner;
        let (blocks, rest) = message.as_chunks::<BLOCK>();
        compress256(&mut state, blocks);

        // The last partial block, the 0x80 marker and the length in bits of pad block + message.
        let mut tail = [[0u8; BLOCK]; 2];
        let used = if rest.len() < BLOCK - 8 { 1 } else { 2 };
        let flat = tail.as_flattened_mut();
        flat[..rest.len()].copy_from_slice(rest);
        flat[rest.len()] = 0x80;
        let bits = (message.len() as u64).wrapping_add(BLOCK as u64).wrapping_mul(8);
        flat[used * BLOCK - 8..used * BLOCK].copy_from_slice(&bits.to_be_bytes());
        compress256(&mut state, &tail[..used]);

        // Outer hash: the outer state over one block holding the inner digest and its padding.
        let mut outer_block = [[0u8; BLOCK]];
        write_be(&mut outer_block[0][..DIGEST], &state);
        outer_block[0][DIGEST] = 0x80;
        outer_block[0][BLOCK - 8..].copy_from_slice(&(((BLOCK + DIGEST) * 8) as u64).to_be_bytes());
        let mut outer = self.outer;
        compress256(&mut outer, &outer_block);

        let mut out = [0u8; DIGEST];
        write_be(&mut out, &outer);
        out
    }
}

/// Writes the eight state words big-endian into `out` (32 bytes).
fn write_be(out: &mut [u8], state: &[u32; 8]) {
    for (chunk, word) in out.chunks_exact_mut(4).zip(state) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
}

impl Drop for PadStates {
    fn drop(&mut self) {
        self.inner.zeroize();
        self.outer.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{Hmac, KeyInit, Mac};

    fn reference(key: &[u8], message: &[u8]) -> [u8; DIGEST] {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap();
        mac.update(message);
        mac.finalize().into_bytes().into()
    }

    /// A small deterministic generator, so failures are reproducible.
    fn bytes(seed: &mut u64, len: usize) -> Vec<u8> {
        (0..len)
            .map(|_| {
                *seed ^= *seed << 13;
                *seed ^= *seed >> 7;
                *seed ^= *seed << 17;
                (*seed >> 24) as u8
            })
            .collect()
    }

    #[test]
    fn iv_is_sha256_of_nothing() {
        // Padding of the empty message alone, compressed from IV, is SHA-256("").
        let mut block = [[0u8; BLOCK]];
        block[0][0] = 0x80;
        let mut state = IV;
        compress256(&mut state, &block);
        let mut out = [0u8; DIGEST];
        write_be(&mut out, &state);
        assert_eq!(out[..], Sha256::digest(b"")[..]);
    }

    #[test]
    fn equals_the_hmac_crate_at_every_padding_boundary() {
        let mut seed = 0x5eed_2024_u64;
        // Message lengths around one, two and three blocks, where the padding changes shape.
        let lengths = (0..=200).chain([255, 256, 1000, 4096, 65_537]);
        for key_len in [1, 2, 31, 32, 33, 63, 64, 65, 100, 128, 200, 1000] {
            let key = bytes(&mut seed, key_len);
            let states = PadStates::new(&key);
            for len in lengths.clone() {
                let message = bytes(&mut seed, len);
                assert_eq!(states.mac(&message), reference(&key, &message), "key {key_len} bytes, message {len} bytes");
            }
        }
    }
}
