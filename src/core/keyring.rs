//! Where a platform name becomes a key: the configured platforms, in order, each with its
//! [`PlatformKey`]. Callers resolve a name to its position once (see [`Keyring::position`]) and
//! sign by position, so the hot path does no string work. `dispose` wipes every key at once.

use super::error::{Error, ErrorKind};
use super::key::{PlatformKey, SecretKind, SIGNATURE_HEX_LEN};

/// Whether `name` is a valid platform name: `^[a-z][a-z0-9]*$` (`browser`, `ios`, `android`,
/// `roku`, or any other such name).
///
/// ```
/// use mtribes_trusted_identity::core::is_valid_platform_name;
/// assert!(is_valid_platform_name("ios"));
/// assert!(is_valid_platform_name("tv2"));
/// assert!(!is_valid_platform_name("IOS"));
/// assert!(!is_valid_platform_name("__proto__"));
/// assert!(!is_valid_platform_name(""));
/// ```
#[must_use]
pub fn is_valid_platform_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_lowercase()) && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// The message tail used whenever a platform name is refused.
pub(crate) const PLATFORM_NAME_RULE: &str =
    "platform names are lowercase letters and digits starting with a letter, such as 'ios' or 'android'";

/// The configured platforms and their keys.
///
/// ```
/// use mtribes_trusted_identity::core::{Keyring, SecretKind};
/// let mut keyring = Keyring::new();
/// keyring.insert("ios", b"s3cret", SecretKind::Text).unwrap();
/// let ios = keyring.position("ios").unwrap();
/// let signature = keyring.sign_hex(ios, b"user-1").unwrap();
/// assert!(keyring.verify_hex(ios, b"user-1", &signature).unwrap());
/// keyring.dispose();
/// assert_eq!(keyring.sign_hex(ios, b"user-1").unwrap_err().code(), "ERR_TRUSTED_IDENTITY_DISPOSED");
/// ```
#[derive(Debug, Default)]
pub struct Keyring {
    platforms: Vec<String>,
    keys: Vec<PlatformKey>,
    disposed: bool,
}

impl Keyring {
    /// An empty keyring.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `platform` with `secret`. The secret's bytes are not kept: only the HMAC state
    /// derived from them. Messages name the platform (as `secrets.<platform>`), never the secret.
    ///
    /// # Errors
    /// `ERR_INVALID_ARG_VALUE` for an invalid or repeated platform name or an unusable secret;
    /// `ERR_TRUSTED_IDENTITY_DISPOSED` after [`Keyring::dispose`].
    pub fn insert(&mut self, platform: &str, secret: &[u8], kind: SecretKind) -> Result<usize, Error> {
        self.check_new_platform(platform)?;
        let key = PlatformKey::new(secret, kind).map_err(|problem| {
            Error::new(ErrorKind::InvalidArgValue, format!("secrets.{platform} {}", problem.describe()))
        })?;
        Ok(self.push(platform, key))
    }

    /// Adds `platform` with a key prepared by the caller (used by [`crate::core::env`], which
    /// words its own errors about variables and files).
    ///
    /// # Errors
    /// As [`Keyring::insert`], for the platform name.
    pub fn insert_key(&mut self, platform: &str, key: PlatformKey) -> Result<usize, Error> {
        self.check_new_platform(platform)?;
        Ok(self.push(platform, key))
    }

    /// Appends a platform already checked by `check_new_platform`; returns its position.
    fn push(&mut self, platform: &str, key: PlatformKey) -> usize {
        self.platforms.push(platform.to_owned());
        self.keys.push(key);
        self.keys.len() - 1
    }

    fn check_new_platform(&self, platform: &str) -> Result<(), Error> {
        if self.disposed {
            return Err(Error::disposed());
        }
        if !is_valid_platform_name(platform) {
            return Err(Error::new(
                ErrorKind::InvalidArgValue,
                format!("a key of secrets is not a valid platform name: {PLATFORM_NAME_RULE}"),
            ));
        }
        if self.position(platform).is_some() {
            return Err(Error::new(
                ErrorKind::InvalidArgValue,
                format!("secrets.{platform} is given twice; give each platform once"),
            ));
        }
        Ok(())
    }

    /// The configured platform names, in the order they were added.
    #[must_use]
    pub fn platforms(&self) -> &[String] {
        &self.platforms
    }

    /// The position of `platform`, to pass to [`Keyring::sign_hex`] and [`Keyring::verify_hex`].
    #[must_use]
    pub fn position(&self, platform: &str) -> Option<usize> {
        self.platforms.iter().position(|name| name == platform)
    }

    /// Whether [`Keyring::dispose`] has been called.
    #[must_use]
    pub const fn is_disposed(&self) -> bool {
        self.disposed
    }

    /// The key at `position`.
    ///
    /// # Errors
    /// `ERR_TRUSTED_IDENTITY_DISPOSED` after [`Keyring::dispose`];
    /// `ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM` for a position with no platform.
    pub fn key(&self, position: usize) -> Result<&PlatformKey, Error> {
        if self.disposed {
            return Err(Error::disposed());
        }
        self.keys.get(position).ok_or_else(|| {
            Error::new(
                ErrorKind::UnknownPlatform,
                format!("platform is not configured; configured platforms: {}", self.platforms.join(", ")),
            )
        })
    }

    /// Signs `message` with the key at `position`: 64 lowercase hex ASCII bytes.
    ///
    /// # Errors
    /// As [`Keyring::key`].
    pub fn sign_hex(&self, position: usize, message: &[u8]) -> Result<[u8; SIGNATURE_HEX_LEN], Error> {
        Ok(self.key(position)?.sign_hex(message))
    }

    /// Whether `signature_hex` is the signature of `message` under the key at `position`
    /// (constant-time; `false` for a malformed signature).
    ///
    /// # Errors
    /// As [`Keyring::key`].
    pub fn verify_hex(&self, position: usize, message: &[u8], signature_hex: &[u8]) -> Result<bool, Error> {
        Ok(self.key(position)?.verify_hex(message, signature_hex))
    }

    /// Wipes every key now (their HMAC states are zeroized as they drop). The platform names are
    /// kept so the object can still describe itself; every later use fails with
    /// `ERR_TRUSTED_IDENTITY_DISPOSED`. Calling it again does nothing.
    pub fn dispose(&mut self) {
        self.keys.clear();
        self.keys.shrink_to_fit();
        self.disposed = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::key::SecretKind::{Raw, Text};

    #[test]
    fn platform_names() {
        for good in ["browser", "ios", "android", "roku", "a", "tv2", "x0y1"] {
            assert!(is_valid_platform_name(good), "{good}");
        }
        for bad in ["", "IOS", "Ios", "2tv", "__proto__", "constructor ", "my-tv", "my_tv", "ïos", " ios"] {
            assert!(!is_valid_platform_name(bad), "{bad}");
        }
    }

    #[test]
    fn insert_and_sign() {
        let mut keyring = Keyring::new();
        assert_eq!(keyring.insert("ios", b"one", Text), Ok(0));
        assert_eq!(keyring.insert("android", &[0, 1, 2], Raw), Ok(1));
        assert_eq!(keyring.platforms(), ["ios", "android"]);
        assert_eq!(keyring.position("android"), Some(1));
        assert_eq!(keyring.position("roku"), None);
        let direct = PlatformKey::new(b"one", Text).unwrap().sign_hex(b"u");
        assert_eq!(keyring.sign_hex(0, b"u").unwrap(), direct);
        assert_ne!(keyring.sign_hex(1, b"u").unwrap(), direct);
        assert!(keyring.verify_hex(0, b"u", &direct).unwrap());
        assert!(!keyring.verify_hex(1, b"u", &direct).unwrap());
        assert!(!keyring.is_disposed());
    }

    #[test]
    fn insert_refusals_name_the_platform_not_the_secret() {
        let mut keyring = Keyring::new();
        let err = keyring.insert("IOS", b"hunter2", Text).unwrap_err();
        assert_eq!(err.code(), "ERR_INVALID_ARG_VALUE");
        assert!(err.message().contains("not a valid platform name"));
        let err = keyring.insert("ios", b"", Raw).unwrap_err();
        assert_eq!(err.code(), "ERR_INVALID_ARG_VALUE");
        assert!(err.message().starts_with("secrets.ios is empty"));
        let err = keyring.insert("ios", b" hunter2", Text).unwrap_err();
        assert!(err.message().contains("whitespace"));
        assert!(!err.message().contains("hunter2"));
        keyring.insert("ios", b"hunter2", Text).unwrap();
        let err = keyring.insert("ios", b"other", Text).unwrap_err();
        assert!(err.message().contains("twice"));
        assert_eq!(keyring.platforms(), ["ios"]);
    }

    #[test]
    fn unknown_position() {
        let mut keyring = Keyring::new();
        keyring.insert("ios", b"k", Text).unwrap();
        let err = keyring.sign_hex(5, b"u").unwrap_err();
        assert_eq!(err.code(), "ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM");
        assert!(err.message().contains("ios"));
        assert!(keyring.verify_hex(5, b"u", b"").is_err());
    }

    #[test]
    fn dispose_wipes_and_refuses_everything() {
        let mut keyring = Keyring::new();
        keyring.insert("ios", b"k", Text).unwrap();
        let signature = keyring.sign_hex(0, b"u").unwrap();
        keyring.dispose();
        keyring.dispose();
        assert!(keyring.is_disposed());
        assert_eq!(keyring.platforms(), ["ios"]);
        for err in [
            keyring.sign_hex(0, b"u").unwrap_err(),
            keyring.verify_hex(0, b"u", &signature).unwrap_err(),
            keyring.insert("android", b"k", Text).unwrap_err(),
        ] {
            assert_eq!(err.code(), "ERR_TRUSTED_IDENTITY_DISPOSED");
        }
    }
}
