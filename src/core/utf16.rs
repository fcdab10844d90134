//! UTF-16 to UTF-8 for ids that arrive as JavaScript's UTF-16 code units (the batch path reads a
//! whole batch of ids as one UTF-16 string). HMAC is over UTF-8 bytes, as `node:crypto` hashes a
//! string; an unpaired surrogate has no UTF-8 form and is refused, never replaced.

/// An unpaired UTF-16 surrogate: the id is not well-formed Unicode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoneSurrogate;

/// Appends the UTF-8 encoding of `units` to `out` (ASCII is copied byte for byte).
///
/// ```
/// use mtribes_trusted_identity::core::utf16::{append_utf8, LoneSurrogate};
/// let mut out = Vec::new();
/// append_utf8(&"id-é😀".encode_utf16().collect::<Vec<_>>(), &mut out).unwrap();
/// assert_eq!(out, "id-é😀".as_bytes());
/// assert_eq!(append_utf8(&[0x61, 0xd800], &mut out), Err(LoneSurrogate));
/// ```
///
/// # Errors
/// [`LoneSurrogate`] when `units` holds an unpaired surrogate; `out` then holds a partial result.
pub fn append_utf8(units: &[u16], out: &mut Vec<u8>) -> Result<(), LoneSurrogate> {
    out.reserve(units.len());
    if units.iter().all(|&unit| unit < 0x80) {
        // Each unit is below 0x80, so it fits a byte and is its own UTF-8 encoding.
        out.extend(units.iter().map(|&unit| unit as u8));
        return Ok(());
    }
    let mut utf8 = [0u8; 4];
    for decoded in char::decode_utf16(units.iter().copied()) {
        let c = decoded.map_err(|_| LoneSurrogate)?;
        out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_rust_strings_and_refuses_lone_surrogates() {
        for text in
            ["", "a", "user-1", "é", "ü\u{0}x", "日本語", "😀", "a😀b\u{10ffff}", "\u{7f}\u{80}\u{7ff}\u{800}\u{ffff}"]
        {
            let mut out = vec![b'>'];
            append_utf8(&text.encode_utf16().collect::<Vec<_>>(), &mut out).unwrap();
            assert_eq!(&out[1..], text.as_bytes(), "{text:?}");
        }
        for bad in [&[0xd800][..], &[0xdc00], &[0x61, 0xdbff], &[0xdc00, 0xd800], &[0xd83d, 0x61]] {
            assert_eq!(append_utf8(bad, &mut Vec::new()), Err(LoneSurrogate), "{bad:x?}");
        }
    }
}
