//! Signing a batch of ids in one go: the ids arrive as one UTF-16 string (JavaScript joins them)
//! with each id's length in UTF-16 code units, and the signatures leave as one run of hex digits,
//! 64 per id, in order. One crossing each way instead of one per id; the same function runs on
//! the calling thread (`signMany`) and on a worker thread (`signManyAsync`). The stack frames
//! that held copies of the key's state are wiped once, when the batch is done.

use super::error::{Error, ErrorKind};
use super::key::{PlatformKey, SIGNATURE_HEX_LEN};
use super::memory::Scratch;
use super::utf16::append_utf8;
use super::wipe;

/// The signatures of the ids in `joined`, split by `lengths`, as `64 * lengths.len()` hex bytes;
/// each id's working copy of the key is made in `scratch`.
///
/// ```
/// use mtribes_trusted_identity::core::{batch::sign_utf16_batch, PlatformKey, Scratch, SecretKind};
/// let key = PlatformKey::new(b"s3cret", SecretKind::Text).unwrap();
/// let joined: Vec<u16> = "user-1é".encode_utf16().collect();
/// let hex = sign_utf16_batch(&key, &mut Scratch::new(), &joined, &[6, 1]).unwrap();
/// assert_eq!(&hex[..64], &key.sign_hex(b"user-1")[..]);
/// assert_eq!(&hex[64..], &key.sign_hex("é".as_bytes())[..]);
/// ```
///
/// # Errors
/// `ERR_INVALID_ARG_VALUE` when the lengths do not add up to `joined` or an id holds a lone
/// surrogate (the message gives the id's index, never the id).
pub fn sign_utf16_batch(
    key: &PlatformKey,
    scratch: &mut Scratch,
    joined: &[u16],
    lengths: &[u32],
) -> Result<Vec<u8>, Error> {
    let signed = sign_unwiped(key, scratch, joined, lengths);
    // Once per batch rather than once per id: the frames below held copies of the key's state.
    wipe::after_macs();
    signed
}

#[inline(never)]
fn sign_unwiped(key: &PlatformKey, scratch: &mut Scratch, joined: &[u16], lengths: &[u32]) -> Result<Vec<u8>, Error> {
    let mut out = vec![0u8; lengths.len() * SIGNATURE_HEX_LEN];
    let mut utf8 = Vec::new();
    let mut rest = joined;
    for (index, (&length, hex)) in lengths.iter().zip(out.chunks_exact_mut(SIGNATURE_HEX_LEN)).enumerate() {
        let (id, tail) =
            usize::try_from(length).ok().and_then(|length| rest.split_at_checked(length)).ok_or_else(mismatch)?;
        rest = tail;
        utf8.clear();
        append_utf8(id, &mut utf8).map_err(|_| {
            Error::new(
                ErrorKind::InvalidArgValue,
                format!("userIds[{index}] is not well-formed Unicode (it has a lone surrogate); sign the id as stored"),
            )
        })?;
        hex.copy_from_slice(&key.sign_hex_unwiped(scratch, &utf8));
    }
    if rest.is_empty() {
        Ok(out)
    } else {
        Err(mismatch())
    }
}

fn mismatch() -> Error {
    Error::new(ErrorKind::InvalidArgValue, "the id lengths do not match the joined ids".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::SecretKind;

    #[test]
    fn signs_each_id_in_order_and_refuses_bad_batches() {
        let key = PlatformKey::new(b"k", SecretKind::Raw).unwrap();
        let ids = ["a", "", "user-1", "日本", "😀x", &"z".repeat(300)];
        let joined: Vec<u16> = ids.concat().encode_utf16().collect();
        let lengths: Vec<u32> = ids.iter().map(|id| id.encode_utf16().count() as u32).collect();
        let scratch = &mut Scratch::new();
        let hex = sign_utf16_batch(&key, scratch, &joined, &lengths).unwrap();
        assert!(scratch.is_clear());
        for (id, hex) in ids.iter().zip(hex.chunks(SIGNATURE_HEX_LEN)) {
            assert_eq!(hex, key.sign_hex(id.as_bytes()), "{id}");
        }
        assert_eq!(sign_utf16_batch(&key, scratch, &[], &[]).unwrap(), b"");
        for (joined, lengths) in [(&joined[..], &lengths[1..]), (&joined[..2], &lengths[..]), (&[], &[u32::MAX][..])] {
            let err = sign_utf16_batch(&key, scratch, joined, lengths).unwrap_err();
            assert_eq!(err.code(), "ERR_INVALID_ARG_VALUE");
        }
        let err = sign_utf16_batch(&key, scratch, &[0x61, 0xd800], &[1, 1]).unwrap_err();
        assert!(err.message().starts_with("userIds[1] "), "{}", err.message());
    }
}
