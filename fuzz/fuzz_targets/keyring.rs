//! Fuzz target: any sequence of `Keyring` operations (insert with any platform name and secret,
//! sign and verify by any position, dispose) never panics, answers like the reference HMAC, and
//! fails with the documented error kind where it must.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use mtribes_trusted_identity::core::{ErrorKind, Keyring, SecretKind};
use mtribes_trusted_identity_fuzz::{lower_hex, reference_hmac};

#[derive(Arbitrary, Debug)]
enum Op<'a> {
    Insert { platform: &'a str, secret: &'a [u8], text: bool },
    Sign { position: u16, message: &'a [u8] },
    Verify { position: u16, message: &'a [u8], signature: &'a [u8] },
    Position { platform: &'a str },
    Dispose,
}

fuzz_target!(|ops: Vec<Op<'_>>| {
    let mut keyring = Keyring::new();
    // The secrets the keyring accepted, in position order: what the reference signs with.
    let mut secrets: Vec<Vec<u8>> = Vec::new();
    let mut disposed = false;
    for op in ops.into_iter().take(64) {
        match op {
            Op::Insert { platform, secret, text } => {
                let kind = if text { SecretKind::Text } else { SecretKind::Raw };
                match keyring.insert(platform, secret, kind) {
                    Ok(position) => {
                        assert!(!disposed, "insert succeeded after dispose");
                        assert_eq!(position, secrets.len());
                        secrets.push(secret.to_vec());
                    }
                    Err(error) => {
                        let expected = if disposed { ErrorKind::Disposed } else { ErrorKind::InvalidArgValue };
                        assert_eq!(error.kind(), expected);
                    }
                }
            }
            Op::Sign { position, message } => {
                let position = usize::from(position);
                match keyring.sign_hex(position, message) {
                    Ok(hex) => assert_eq!(hex.as_slice(), lower_hex(&reference_hmac(&secrets[position], message))),
                    Err(error) => {
                        let expected = if disposed { ErrorKind::Disposed } else { ErrorKind::UnknownPlatform };
                        assert_eq!(error.kind(), expected);
                        assert!(disposed || position >= secrets.len());
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
                    Err(error) => assert!(disposed || position >= secrets.len(), "{:?}", error.kind()),
                }
            }
            Op::Position { platform } => {
                let found = keyring.position(platform);
                assert_eq!(found, keyring.platforms().iter().position(|name| name == platform));
            }
            Op::Dispose => {
                keyring.dispose();
                disposed = true;
                assert!(keyring.is_disposed());
            }
        }
        assert_eq!(keyring.platforms().len(), secrets.len());
    }
});
