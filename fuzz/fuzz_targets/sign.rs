//! Fuzz target: `PlatformKey::new`, `sign_bytes`, `sign_hex` and `verify_hex` of the core against
//! the hand-written reference HMAC, for any secret bytes (text or raw) and any message. Any
//! disagreement or panic is a finding.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use mtribes_trusted_identity::core::{PlatformKey, SecretKind};
use mtribes_trusted_identity_fuzz::{lower_hex, must_refuse, reference_hmac};

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    text: bool,
    secret: &'a [u8],
    message: &'a [u8],
}

fuzz_target!(|input: Input<'_>| {
    let kind = if input.text { SecretKind::Text } else { SecretKind::Raw };
    let key = match PlatformKey::new(input.secret, kind) {
        Ok(key) => key,
        Err(_) => {
            assert!(must_refuse(input.secret, input.text), "a usable secret was refused ({kind:?})");
            return;
        }
    };
    assert!(!must_refuse(input.secret, input.text), "an unusable secret was accepted ({kind:?})");

    let expected = reference_hmac(input.secret, input.message);
    assert_eq!(key.sign_bytes(input.message), expected, "sign_bytes differs from the reference HMAC");
    let hex = key.sign_hex(input.message);
    assert_eq!(hex.as_slice(), lower_hex(&expected).as_slice(), "sign_hex is not the lowercase hex of the HMAC");

    assert!(key.verify_hex(input.message, &hex), "verify_hex refused its own signature");
    assert!(key.verify_hex(input.message, &hex.to_ascii_uppercase()), "verify_hex refused uppercase hex");
    let mut longer = input.message.to_vec();
    longer.push(0);
    assert!(!key.verify_hex(&longer, &hex), "verify_hex accepted the signature for another message");
    assert!(!key.verify_hex(input.message, &hex[..63]), "verify_hex accepted a 63-digit signature");
});
