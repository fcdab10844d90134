//! Shared by the fuzz targets: a reference HMAC-SHA256 written out by hand (RFC 2104: key hashed
//! when longer than a block, zero-padded, XORed with ipad/opad) on top of `sha2` alone, so the
//! core's answers are checked against code that shares nothing with it but the hash.

use sha2::{Digest, Sha256};

/// SHA-256 block size in bytes.
const BLOCK: usize = 64;

/// HMAC-SHA256 of `message` under `key`, from the definition.
#[must_use]
pub fn reference_hmac(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let ipad: Vec<u8> = block.iter().map(|b| b ^ 0x36).collect();
    let opad: Vec<u8> = block.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::new().chain_update(&ipad).chain_update(message).finalize();
    let outer = Sha256::new().chain_update(&opad).chain_update(inner).finalize();
    let mut out = [0u8; 32];
    out.copy_from_slice(&outer);
    out
}

/// Lowercase hex of `bytes`, written out by hand.
#[must_use]
pub fn lower_hex(bytes: &[u8]) -> Vec<u8> {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bytes.iter().flat_map(|b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 15)]]).collect()
}

/// The bytes `text` stands for if it is exactly 64 hex digits (either case), else `None`.
#[must_use]
pub fn parse_signature(text: &[u8]) -> Option<[u8; 32]> {
    fn digit(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    if text.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in text.chunks_exact(2).enumerate() {
        out[i] = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(out)
}

/// Whether the core must refuse `secret`: an empty secret always; a text secret also when its
/// first or last character (read as UTF-8, where the edge is valid UTF-8) is Unicode white space
/// or a byte order mark. Written independently of the core's own check.
#[must_use]
pub fn must_refuse(secret: &[u8], text: bool) -> bool {
    fn space(c: char) -> bool {
        c.is_whitespace() || c == '\u{feff}'
    }
    if secret.is_empty() {
        return true;
    }
    if !text {
        return false;
    }
    let first = (1..=secret.len().min(4)).find_map(|n| std::str::from_utf8(&secret[..n]).ok()?.chars().next());
    let last = (1..=secret.len().min(4))
        .find_map(|n| std::str::from_utf8(&secret[secret.len() - n..]).ok()?.chars().next_back());
    first.is_some_and(space) || last.is_some_and(space)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231 test cases 1, 2 and 6 (a key longer than a block), so the reference is itself checked.
    #[test]
    fn reference_matches_rfc4231() {
        let cases: [(&[u8], &[u8], &str); 3] = [
            (&[0x0b; 20], b"Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
            (
                b"Jefe",
                b"what do ya want for nothing?",
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
            (
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First",
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            ),
        ];
        for (key, message, expected) in cases {
            assert_eq!(lower_hex(&reference_hmac(key, message)), expected.as_bytes());
            assert_eq!(parse_signature(expected.as_bytes()), Some(reference_hmac(key, message)));
            assert_eq!(parse_signature(expected.to_ascii_uppercase().as_bytes()), Some(reference_hmac(key, message)));
        }
        assert_eq!(parse_signature(b"zz"), None);
        assert_eq!(parse_signature(&[b'g'; 64]), None);
    }
}
