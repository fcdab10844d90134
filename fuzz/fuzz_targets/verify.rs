//! Fuzz target: `PlatformKey::verify_hex` for any signature text, compared with the reference
//! (true exactly when the text is 64 hex digits, either case, of the reference HMAC). Signatures
//! are either raw fuzzer bytes or the right signature with one edit (a changed byte, a case
//! change, a cut, an extra byte), so both sides of the answer are reached.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use mtribes_trusted_identity::core::{PlatformKey, SecretKind};
use mtribes_trusted_identity_fuzz::{lower_hex, parse_signature, reference_hmac};

#[derive(Arbitrary, Debug)]
enum Signature<'a> {
    Raw(&'a [u8]),
    SetByte { index: u8, byte: u8 },
    Uppercase { from: u8, to: u8 },
    Truncate { len: u8 },
    Append { byte: u8 },
}

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    text: bool,
    secret: &'a [u8],
    message: &'a [u8],
    signature: Signature<'a>,
}

fuzz_target!(|input: Input<'_>| {
    let kind = if input.text { SecretKind::Text } else { SecretKind::Raw };
    let Ok(key) = PlatformKey::new(input.secret, kind) else { return };
    let expected = reference_hmac(input.secret, input.message);
    let good = lower_hex(&expected);

    let signature: Vec<u8> = match input.signature {
        Signature::Raw(bytes) => bytes.to_vec(),
        Signature::SetByte { index, byte } => {
            let mut s = good.clone();
            let at = usize::from(index) % s.len();
            s[at] = byte;
            s
        }
        Signature::Uppercase { from, to } => {
            let (from, to) = (usize::from(from) % 65, usize::from(to) % 65);
            let (a, b) = (from.min(to), from.max(to));
            let mut s = good.clone();
            s[a..b].make_ascii_uppercase();
            s
        }
        Signature::Truncate { len } => good[..usize::from(len) % good.len()].to_vec(),
        Signature::Append { byte } => [good.as_slice(), &[byte]].concat(),
    };

    let should_pass = parse_signature(&signature) == Some(expected);
    assert_eq!(key.verify_hex(input.message, &signature), should_pass, "verify_hex disagrees with the reference");
});
