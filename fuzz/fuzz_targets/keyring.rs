//! Fuzz target: any sequence of `Keyring` operations (insert with any platform name and secret,
//! sign and verify by any position) never panics, answers like the reference HMAC, and fails with
//! the documented error kind where it must. (Disposing is dropping: the binding's concern.)
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use mtribes_trusted_identity::core::{ErrorKind, Keyring, SecretKind, Source};
use mtribes_trusted_identity_fuzz::{lower_hex, reference_hmac};

#[derive(Arbitrary, Debug)]
enum Op<'a> {
    Insert { platform: &'a str, secret: &'a [u8], text: bool },
    Sign { position: u16, message: &'a [u8] },
    Verify { position: u16, message: &'a [u8], signature: &'a [u8] },
    Position { platform: &'a str },
}

fuzz_target!(|ops: Vec<Op<'_>>| {
    let mut keyring = Keyring::new();
    // The secrets the keyring accepted, in position order: what the reference signs with.
    let mut secrets: Vec<Vec<u8>> = Vec::new();
    for op in ops.into_iter().take(64) {
        match op {
            Op::Insert { platform, secret, text } => {
                let kind = if text { SecretKind::Text } else { SecretKind::Raw };
                match keyring.insert(platform, secret, kind, Source::Argument) {
                    Ok(position) => {
                        assert_eq!(position, secrets.len());
                        secrets.push(secret.to_vec());
                    }
                    Err(error) => assert_eq!(error.kind(), ErrorKind::InvalidArgValue),
                }
            }
            Op::Sign { position, message } => {
                let position = usize::from(position);
                match keyring.sign_hex(position, message) {
                    Ok(hex) => assert_eq!(hex.as_slice(), lower_hex(&reference_hmac(&secrets[position], message))),
                    Err(error) => {
                        assert_eq!(error.kind(), ErrorKind::UnknownPlatform);
                        assert!(position >= secrets.len());
                    }
                }
            }
            Op::Verify { position, message, signature } => {
                let position = usize::from(position);
                match keyring.verify_hex(position, message, signature) {
                    Ok(valid) => {
                        let good = lower_hex(&reference_hmac(&secrets[position], message));
                        assert_eq!(valid, signature.eq_ignore_ascii_case(&good));
                    }
                    Err(error) => assert!(position >= secrets.len(), "{:?}", error.kind()),
                }
            }
            Op::Position { platform } => {
                let found = keyring.position(platform);
                assert_eq!(found, keyring.platforms().iter().position(|name| name == platform));
            }
        }
        assert_eq!(keyring.platforms().len(), secrets.len());
    }
});
