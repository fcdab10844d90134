//! One platform's key: the secret is checked, then absorbed once into the `hmac` crate's
//! block-level state (`HmacCore<Sha256>`: SHA-256 after `key ^ ipad` and after `key ^ opad`), and
//! every signature and verification starts from a copy of that state made in a [`Scratch`]. Where
//! a key is kept, and where the scratch is, is the [`KeyMemory`]'s choice. The state wipes itself
//! when dropped, and the stack frames that held copies of it are wiped after each use
//! ([`super::wipe`]). The secret's bytes themselves are never kept.

use ctutils::CtEq;
use hmac::digest::block_api::{Block, Buffer, FixedOutputCore, UpdateCore};
use hmac::digest::Output;
use hmac::KeyInit;

use super::error::Error;
use super::memory::{Core, KeyMemory, Scratch};
use super::wipe;

// The state and the buffer must wipe themselves when dropped. This fails to compile if the
// `zeroize` features of `sha2` or `hmac` are ever turned off. (`HmacCore` has no `Drop` of its
// own: its two SHA-256 states are what hold the key, and each wipes itself.)
const _: fn() = || {
    fn zeroizes_on_drop<T: zeroize::ZeroizeOnDrop>() {}
    zeroizes_on_drop::<sha2::block_api::Sha256VarCore>();
    zeroizes_on_drop::<Buffer<Core>>();
};

/// Length of a signature in hexadecimal characters (32 bytes of HMAC-SHA256, two digits each).
pub const SIGNATURE_HEX_LEN: usize = 64;

/// Length of a signature in bytes.
pub const SIGNATURE_LEN: usize = 32;

/// What a fingerprint is the HMAC of. It starts with the byte 0xFF, which UTF-8 never contains:
/// every id signed (here or by `node:crypto` from a string) is UTF-8, so no id's signature is
/// ever this MAC. The version says which rule made a fingerprint.
pub const FINGERPRINT_MESSAGE: &[u8] = b"\xffmtribes-trusted-identity key fingerprint v1";

/// The text every fingerprint starts with: `t` and `:` are not hex digits, so a fingerprint is
/// never a signature nor the start of one.
pub const FINGERPRINT_PREFIX: &[u8] = b"ti1:";

/// Bytes of the MAC a fingerprint shows (64 bits: 16 hex digits).
const FINGERPRINT_MAC_BYTES: usize = 8;

/// Length of a fingerprint: `ti1:` and 16 lowercase hex digits.
pub const FINGERPRINT_LEN: usize = FINGERPRINT_PREFIX.len() + 2 * FINGERPRINT_MAC_BYTES;

/// How a secret's bytes were given, which decides the rules they are checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretKind {
    /// The UTF-8 bytes of a text secret (a JavaScript string, an environment variable, a file).
    /// Leading or trailing whitespace is refused: it is the usual copy-paste mistake.
    Text,
    /// Raw bytes (a `Buffer`, `Uint8Array` or `KeyObject`): any non-empty value is accepted.
    Raw,
}

/// Why a secret was refused. Callers add where the secret came from to the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretProblem {
    /// The secret has no bytes: HMAC would accept it, but a signature under it proves nothing.
    Empty,
    /// A text secret starts or ends with whitespace (or a byte order mark).
    SurroundingWhitespace,
    /// The `hmac` crate refused the key. HMAC takes keys of any length, so this does not happen;
    /// it exists so that no `unwrap` stands on the path.
    Refused,
}

impl SecretProblem {
    /// A short description that completes a sentence such as "secrets.ios ...".
    #[must_use]
    pub const fn describe(self) -> &'static str {
        match self {
            Self::Empty => "is empty; copy the platform's secret from the mtribes Space settings",
            Self::SurroundingWhitespace => {
                "starts or ends with whitespace, which mtribes would not sign with; \
                 remove the stray spaces or newline around the copied secret"
            }
            Self::Refused => "could not be used as an HMAC-SHA256 key",
        }
    }
}

/// Checks a secret against the rules for its kind, without keeping or copying it.
///
/// ```
/// use mtribes_trusted_identity::core::key::{check_secret, SecretKind, SecretProblem};
/// assert_eq!(check_secret(b"s3cret", SecretKind::Text), Ok(()));
/// assert_eq!(check_secret(b"s3cret\n", SecretKind::Text), Err(SecretProblem::SurroundingWhitespace));
/// assert_eq!(check_secret(b" raw", SecretKind::Raw), Ok(()));
/// assert_eq!(check_secret(b"", SecretKind::Raw), Err(SecretProblem::Empty));
/// ```
///
/// # Errors
/// The [`SecretProblem`] that makes the secret unusable.
pub fn check_secret(secret: &[u8], kind: SecretKind) -> Result<(), SecretProblem> {
    if secret.is_empty() {
        return Err(SecretProblem::Empty);
    }
    if kind == SecretKind::Text {
        let (first, last) = edge_chars(secret);
        if first.is_some_and(is_space) || last.is_some_and(is_space) {
            return Err(SecretProblem::SurroundingWhitespace);
        }
    }
    Ok(())
}

/// Unicode `White_Space` (what JavaScript's `trim()` removes, with the byte order mark).
fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

/// The first and last characters of `bytes` read as UTF-8 (`None` where the edge is not valid
/// UTF-8), found without copying the bytes anywhere.
fn edge_chars(bytes: &[u8]) -> (Option<char>, Option<char>) {
    let mut first = None;
    let mut last = None;
    for (index, chunk) in bytes.utf8_chunks().enumerate() {
        if index == 0 {
            first = chunk.valid().chars().next();
        }
        last = if chunk.invalid().is_empty() { chunk.valid().chars().next_back() } else { None };
    }
    (first, last)
}

/// One platform's key, held as keyed HMAC-SHA256 state (inner and outer pads already absorbed).
pub struct PlatformKey {
    core: Core,
}

impl PlatformKey {
    /// Prepares the key for `secret`, after checking it against the rules for `kind`, and wipes
    /// the stack frames that held the padded key. The caller keeps ownership of `secret` and is
    /// responsible for wiping it. The key is returned by value, so wherever it moves is a copy
    /// that nothing wipes: to hold a key, keep it in a [`KeyMemory`] (what a `Keyring` does).
    ///
    /// # Errors
    /// The [`SecretProblem`] that makes the secret unusable.
    pub fn new(secret: &[u8], kind: SecretKind) -> Result<Self, SecretProblem> {
        check_secret(secret, kind)?;
        let key = Self::absorb(secret);
        wipe::after_keys();
        key
    }

    #[inline(never)]
    fn absorb(secret: &[u8]) -> Result<Self, SecretProblem> {
        Core::new_from_slice(secret).map(|core| Self { core }).map_err(|_| SecretProblem::Refused)
    }

    /// The key for `secret` (checked against the rules for `kind`), kept in `memory`; the stack
    /// frames it was built in and passed through are wiped. `refused` words a refusal of the secret.
    pub(crate) fn kept<M: KeyMemory>(
        memory: &M,
        secret: &[u8],
        kind: SecretKind,
        refused: impl Fn(SecretProblem) -> Error,
    ) -> Result<M::Kept, Error> {
        check_secret(secret, kind).map_err(&refused)?;
        let kept = Self::absorb_kept(memory, secret);
        wipe::after_keys();
        kept.map_err(refused)?
    }

    /// A copy of this key, kept in `memory`; the stack frames it passed through are wiped.
    ///
    /// # Errors
    /// When `memory` cannot keep it.
    pub(crate) fn kept_copy<M: KeyMemory>(&self, memory: &M) -> Result<M::Kept, Error> {
        let kept = self.copy_kept(memory);
        wipe::after_keys();
        kept
    }

    /// Builds the key and moves it into `memory`, in frames below the caller's (which wipes them).
    #[inline(never)]
    fn absorb_kept<M: KeyMemory>(memory: &M, secret: &[u8]) -> Result<Result<M::Kept, Error>, SecretProblem> {
        Self::absorb(secret).map(|key| memory.keep(key))
    }

    #[inline(never)]
    fn copy_kept<M: KeyMemory>(&self, memory: &M) -> Result<M::Kept, Error> {
        memory.keep(Self { core: self.core.clone() })
    }

    /// The raw 32-byte HMAC-SHA256 of `message` under this key (working copy on the stack).
    #[must_use]
    pub fn sign_bytes(&self, message: &[u8]) -> [u8; SIGNATURE_LEN] {
        let mut scratch = Scratch::new();
        let mut out = Output::<Core>::default();
        self.mac_into(&mut scratch, message, &mut out);
        wipe::after_macs();
        out.into()
    }

    /// The signature of `message` as 64 lowercase hexadecimal ASCII bytes: the same bytes as
    /// `crypto.createHmac('sha256', secret).update(message).digest('hex')` in Node. The working
    /// copy of the key is made on the stack; [`PlatformKey::sign_hex_with`] takes a scratch.
    ///
    /// ```
    /// use mtribes_trusted_identity::core::{PlatformKey, SecretKind};
    /// let key = PlatformKey::new(b"key", SecretKind::Text).unwrap();
    /// let hex = key.sign_hex(b"The quick brown fox jumps over the lazy dog");
    /// assert_eq!(&hex[..], b"f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
    /// ```
    #[must_use]
    pub fn sign_hex(&self, message: &[u8]) -> [u8; SIGNATURE_HEX_LEN] {
        self.sign_hex_with(&mut Scratch::new(), message)
    }

    /// As [`PlatformKey::sign_hex`], with the working copy made in `scratch` (left cleared).
    #[must_use]
    pub fn sign_hex_with(&self, scratch: &mut Scratch, message: &[u8]) -> [u8; SIGNATURE_HEX_LEN] {
        let hex = self.sign_hex_unwiped(scratch, message);
        wipe::after_macs();
        hex
    }

    /// As [`PlatformKey::sign_hex_with`], leaving the wipe to the caller (batches wipe once at the end).
    pub(crate) fn sign_hex_unwiped(&self, scratch: &mut Scratch, message: &[u8]) -> [u8; SIGNATURE_HEX_LEN] {
        let mut out = Output::<Core>::default();
        self.mac_into(scratch, message, &mut out);
        let mut hex = [0u8; SIGNATURE_HEX_LEN];
        // 32 bytes always fill exactly 64 hex digits, so this cannot fail.
        let _ = hex::encode_to_slice(out, &mut hex);
        hex
    }

    /// A name for this key that can be shown and compared: `ti1:` and the first 16 hex digits of
    /// the HMAC of [`FINGERPRINT_MESSAGE`] under the key. The same secret gives the same
    /// fingerprint in every process (it depends on nothing else, not even the platform); two
    /// secrets give the same one with chance 2^-64. It tells no more about the secret than any
    /// signature does (HMAC is a pseudorandom function of its key), and it is never a signature:
    /// no id is that message, and the prefix is not hex.
    ///
    /// ```
    /// use mtribes_trusted_identity::core::{PlatformKey, Scratch, SecretKind};
    /// let key = PlatformKey::new(b"key", SecretKind::Text).unwrap();
    /// let fingerprint = key.fingerprint_with(&mut Scratch::new());
    /// assert!(fingerprint.starts_with(b"ti1:"));
    /// assert_eq!(fingerprint.len(), 20);
    /// ```
    #[must_use]
    pub fn fingerprint_with(&self, scratch: &mut Scratch) -> [u8; FINGERPRINT_LEN] {
        let mut out = Output::<Core>::default();
        self.mac_into(scratch, FINGERPRINT_MESSAGE, &mut out);
        wipe::after_macs();
        let mut fingerprint = [0u8; FINGERPRINT_LEN];
        let (prefix, digits) = fingerprint.split_at_mut(FINGERPRINT_PREFIX.len());
        prefix.copy_from_slice(FINGERPRINT_PREFIX);
        // 8 bytes always fill exactly 16 hex digits, so this cannot fail.
        let _ = hex::encode_to_slice(&out[..FINGERPRINT_MAC_BYTES], digits);
        fingerprint
    }

    /// Whether `signature_hex` (64 hex digits, either case) is the signature of `message`. The
    /// signatures are compared as lowercase hex in constant time by `ctutils::CtEq`, the
    /// comparison the `hmac` crate's own `Mac::verify_slice` uses (through `digest::CtOutput`):
    /// the same as decoding and comparing bytes, since a non-hex character can never equal a hex
    /// digit, without a data-dependent branch on either side. A signature of the wrong length is
    /// simply not valid: `false` (its shape is not secret).
    ///
    /// ```
    /// use mtribes_trusted_identity::core::{PlatformKey, SecretKind};
    /// let key = PlatformKey::new(b"key", SecretKind::Text).unwrap();
    /// let hex = key.sign_hex(b"user-1");
    /// assert!(key.verify_hex(b"user-1", &hex));
    /// assert!(key.verify_hex(b"user-1", hex.to_ascii_uppercase().as_slice()));
    /// assert!(!key.verify_hex(b"user-2", &hex));
    /// assert!(!key.verify_hex(b"user-1", b"not hex"));
    /// ```
    #[must_use]
    pub fn verify_hex(&self, message: &[u8], signature_hex: &[u8]) -> bool {
        self.verify_hex_with(&mut Scratch::new(), message, signature_hex)
    }

    /// As [`PlatformKey::verify_hex`], with the working copy made in `scratch` (left cleared).
    #[must_use]
    pub fn verify_hex_with(&self, scratch: &mut Scratch, message: &[u8], signature_hex: &[u8]) -> bool {
        let Ok(candidate) = <&[u8; SIGNATURE_HEX_LEN]>::try_from(signature_hex) else {
            return false;
        };
        let expected = self.sign_hex_unwiped(scratch, message);
        wipe::after_macs();
        expected.ct_eq(&candidate.map(|byte| byte.to_ascii_lowercase())).to_bool()
    }

    /// HMAC-SHA256 of `message` into `out`, from a copy of the prepared state made in `scratch`
    /// and finished there: the message's whole blocks go straight to the compression function,
    /// the rest through `hmac`'s own finalization; `scratch` is cleared after. Its own frame, so
    /// that the caller's wipe covers whatever the copy passed through.
    #[inline(never)]
    fn mac_into(&self, scratch: &mut Scratch, message: &[u8], out: &mut Output<Core>) {
        let core = scratch.load(self.core.clone());
        let (blocks, rest) = Block::<Core>::slice_as_chunks(message);
        core.update_blocks(blocks);
        let mut buffer = Buffer::<Core>::default();
        buffer.digest_blocks(rest, |blocks| core.update_blocks(blocks));
        core.finalize_fixed_core(&mut buffer, out);
        scratch.clear();
    }
}

impl std::fmt::Debug for PlatformKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PlatformKey { .. }")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::memory::Heap;

    fn hex_of(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    /// RFC 4231, section 4: HMAC-SHA256 test cases 1 to 7 (case 5 is truncated output, checked
    /// as a prefix). Keys are raw bytes.
    #[test]
    fn rfc4231_vectors() {
        let cases: [(Vec<u8>, Vec<u8>, &str); 7] = [
            (
                vec![0x0b; 20],
                b"Hi There".to_vec(),
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            ),
            (
                b"Jefe".to_vec(),
                b"what do ya want for nothing?".to_vec(),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
            (
                vec![0xaa; 20],
                vec![0xdd; 50],
                "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
            ),
            (
                hex_of("0102030405060708090a0b0c0d0e0f10111213141516171819"),
                vec![0xcd; 50],
                "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
            ),
            (vec![0x0c; 20], b"Test With Truncation".to_vec(), "a3b6167473100ee06e0c796c2955552b"),
            (
                vec![0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            ),
            (
                vec![0xaa; 131],
                b"This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".to_vec(),
                "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
            ),
        ];
        for (key, data, expected) in cases {
            let key = PlatformKey::new(&key, SecretKind::Raw).unwrap();
            let hex = key.sign_hex(&data);
            let hex = std::str::from_utf8(&hex).unwrap();
            assert!(hex.starts_with(expected), "{hex} != {expected}");
            if expected.len() == SIGNATURE_HEX_LEN {
                assert!(key.verify_hex(&data, expected.as_bytes()));
                assert_eq!(key.sign_bytes(&data).to_vec(), hex_of(expected));
            }
        }
    }

    #[test]
    fn sign_hex_is_lowercase_and_64_long() {
        let key = PlatformKey::new(b"k", SecretKind::Text).unwrap();
        for message in [&b"a"[..], b"", &[0u8; 1000], "é😀".as_bytes()] {
            let hex = key.sign_hex(message);
            assert_eq!(hex.len(), SIGNATURE_HEX_LEN);
            assert!(hex.iter().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b)));
        }
    }

    #[test]
    fn verify_rejects_every_wrong_shape() {
        let key = PlatformKey::new(b"k", SecretKind::Text).unwrap();
        let good = key.sign_hex(b"id");
        assert!(key.verify_hex(b"id", &good));
        assert!(!key.verify_hex(b"id", &good[..63]));
        assert!(!key.verify_hex(b"id", &[&good[..], b"0"].concat()));
        assert!(!key.verify_hex(b"id", b""));
        let mut non_hex = good;
        non_hex[10] = b'g';
        assert!(!key.verify_hex(b"id", &non_hex));
        // Every single-digit change is refused.
        for i in 0..SIGNATURE_HEX_LEN {
            let mut changed = good;
            changed[i] = if changed[i] == b'0' { b'1' } else { b'0' };
            assert!(!key.verify_hex(b"id", &changed), "digit {i}");
        }
        let other = PlatformKey::new(b"other", SecretKind::Text).unwrap();
        assert!(!other.verify_hex(b"id", &good));
    }

    #[test]
    fn secret_rules() {
        use SecretKind::{Raw, Text};
        assert_eq!(check_secret(b"", Text), Err(SecretProblem::Empty));
        assert_eq!(check_secret(b"", Raw), Err(SecretProblem::Empty));
        for bad in [
            &b" s"[..],
            b"s ",
            b"s\n",
            b"s\r\n",
            b"\ts",
            b" ",
            "s\u{a0}".as_bytes(),
            "\u{2003}s".as_bytes(),
            "\u{feff}s".as_bytes(),
        ] {
            assert_eq!(check_secret(bad, Text), Err(SecretProblem::SurroundingWhitespace), "{bad:?}");
            assert_eq!(check_secret(bad, Raw), Ok(()));
        }
        for good in [&b"s"[..], b"a b", "é".as_bytes(), &[0xff, b' ', 0xfe], &[0xff], b"\0"] {
            assert_eq!(check_secret(good, Text), Ok(()), "{good:?}");
        }
        assert!(PlatformKey::new(b" s", Text).is_err());
        assert!(PlatformKey::new(b" s", Raw).is_ok());
        assert!(SecretProblem::Empty.describe().contains("empty"));
        assert!(SecretProblem::SurroundingWhitespace.describe().contains("whitespace"));
    }

    /// HMAC-SHA256 from its definition (RFC 2104) on `sha2` alone, independent of `hmac`.
    fn reference(key: &[u8], message: &[u8]) -> [u8; SIGNATURE_LEN] {
        use sha2::{Digest, Sha256};
        let mut block = [0u8; 64];
        if key.len() > 64 {
            block[..32].copy_from_slice(&Sha256::digest(key));
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        let pad = |byte: u8| block.map(|b| b ^ byte);
        let inner = Sha256::new().chain_update(pad(0x36)).chain_update(message).finalize();
        Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize().into()
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
    fn equals_the_definition_at_every_padding_boundary() {
        let mut seed = 0x5eed_2024_u64;
        // Message lengths around one, two and three blocks, where the padding changes shape.
        let lengths = (0..=200).chain([255, 256, 1000, 4096, 65_537]);
        for key_len in [1, 2, 31, 32, 33, 63, 64, 65, 100, 128, 200, 1000] {
            let secret = bytes(&mut seed, key_len);
            let key = PlatformKey::new(&secret, SecretKind::Raw).unwrap();
            let kept = PlatformKey::kept(&Heap, &secret, SecretKind::Raw, |_| unreachable!()).unwrap();
            let mut scratch = Scratch::new();
            for len in lengths.clone() {
                let message = bytes(&mut seed, len);
                let expected = reference(&secret, &message);
                assert_eq!(key.sign_bytes(&message), expected, "key {key_len} bytes, message {len} bytes");
                assert_eq!(kept.sign_hex(&message), key.sign_hex(&message));
                assert_eq!(key.sign_hex_unwiped(&mut scratch, &message), key.sign_hex(&message));
                assert!(scratch.is_clear());
            }
        }
    }

    #[test]
    fn fingerprints_are_the_truncated_mac_of_a_message_no_id_is() {
        assert!(std::str::from_utf8(std::hint::black_box(FINGERPRINT_MESSAGE)).is_err(), "not UTF-8");
        let mut scratch = Scratch::new();
        let one = PlatformKey::new(b"secret-one", SecretKind::Text).unwrap();
        let fingerprint = one.fingerprint_with(&mut scratch);
        assert!(scratch.is_clear());
        let expected = hex::encode(&reference(b"secret-one", FINGERPRINT_MESSAGE)[..8]);
        assert_eq!(fingerprint[..], [b"ti1:".as_slice(), expected.as_bytes()].concat()[..]);
        // The same secret, built again or as raw bytes: the same fingerprint; another: another.
        let again = PlatformKey::new(b"secret-one", SecretKind::Raw).unwrap();
        assert_eq!(again.fingerprint_with(&mut scratch), fingerprint);
        let two = PlatformKey::new(b"secret-two", SecretKind::Text).unwrap();
        assert_ne!(two.fingerprint_with(&mut scratch), fingerprint);
        // Never a signature nor the start of one: signatures are hex only.
        assert!(!fingerprint.iter().all(u8::is_ascii_hexdigit));
        let signature = one.sign_hex(b"ti1:");
        assert!(!signature.starts_with(&fingerprint[..4]));
    }

    #[test]
    fn debug_hides_the_key() {
        let key = PlatformKey::new(b"super-secret", SecretKind::Text).unwrap();
        assert_eq!(format!("{key:?}"), "PlatformKey { .. }");
    }
}
