//! Where a secret becomes a key at a position: the configured platforms, in order, each with its
//! [`PlatformKey`]. The JS API keeps the table from platform name to position (`lib/keys.js`) and
//! signs by position, so the hot path does no string work ([`Keyring::position`] answers the same). Each key is kept by the keyring's
//! [`KeyMemory`] (ordinary boxes in [`Heap`]; secret pages in the binding) and never moves, so
//! growing the list copies handles, not keys; signatures start from copies made in that memory's
//! scratch. Dropping the keyring wipes every key.

use std::path::Path;

use super::batch::sign_utf16_batch;
use super::error::{Error, ErrorKind};
use super::key::{PlatformKey, SecretKind, SecretProblem, FINGERPRINT_LEN, SIGNATURE_HEX_LEN};
use super::memory::{Heap, KeyMemory};
use super::secret_file::read_secret_file;

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

/// Where a secret came from, which decides how a refusal is worded and coded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source<'a> {
    /// A value of the `secrets` object given to the constructor (`secrets.<platform>`):
    /// refusals are `ERR_INVALID_ARG_VALUE`.
    Argument,
    /// The value of the environment variable with this name: refusals are
    /// `ERR_TRUSTED_IDENTITY_SECRET_SOURCE`.
    Variable(&'a str),
}

/// The configured platforms and their keys.
///
/// ```
/// use mtribes_trusted_identity::core::{Keyring, SecretKind};
/// use mtribes_trusted_identity::core::keyring::Source;
/// let mut keyring = Keyring::new();
/// keyring.insert("ios", b"s3cret", SecretKind::Text, Source::Argument).unwrap();
/// let ios = keyring.position("ios").unwrap();
/// let signature = keyring.sign_hex(ios, b"user-1").unwrap();
/// assert!(keyring.verify_hex(ios, b"user-1", &signature).unwrap());
/// ```
pub struct Keyring<M: KeyMemory = Heap> {
    memory: M,
    platforms: Vec<String>,
    keys: Vec<M::Kept>,
}

impl Keyring {
    /// An empty keyring in ordinary memory ([`Heap`]).
    #[must_use]
    pub fn new() -> Self {
        Self::in_memory(Heap)
    }
}

impl Default for Keyring {
    fn default() -> Self {
        Self::new()
    }
}

impl<M: KeyMemory> std::fmt::Debug for Keyring<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring").field("platforms", &self.platforms).finish_non_exhaustive()
    }
}

impl<M: KeyMemory> Keyring<M> {
    /// An empty keyring whose keys `memory` keeps.
    #[must_use]
    pub const fn in_memory(memory: M) -> Self {
        Self { memory, platforms: Vec::new(), keys: Vec::new() }
    }

    /// The memory this keyring's keys are kept in.
    #[must_use]
    pub const fn memory(&self) -> &M {
        &self.memory
    }

    /// The kept keys, in the order of [`Keyring::platforms`] (the binding asks each where it is).
    #[must_use]
    pub fn kept_keys(&self) -> &[M::Kept] {
        &self.keys
    }

    /// Adds `platform` with `secret`. The secret's bytes are not kept: only the HMAC state
    /// derived from them. Messages name the platform or the variable, never the secret.
    ///
    /// # Errors
    /// `ERR_INVALID_ARG_VALUE` for an invalid or repeated platform name; for an unusable secret,
    /// `ERR_INVALID_ARG_VALUE` ([`Source::Argument`]) or `ERR_TRUSTED_IDENTITY_SECRET_SOURCE`
    /// ([`Source::Variable`]).
    pub fn insert(
        &mut self,
        platform: &str,
        secret: &[u8],
        kind: SecretKind,
        source: Source<'_>,
    ) -> Result<usize, Error> {
        self.check_new_platform(platform)?;
        let key = self.make_key(platform, secret, kind, source)?;
        Ok(self.push(platform, key))
    }

    /// The key for `secret`, kept in this keyring's memory; refusals worded as [`Keyring::insert`]'s.
    fn make_key(&self, platform: &str, secret: &[u8], kind: SecretKind, source: Source<'_>) -> Result<M::Kept, Error> {
        PlatformKey::kept(&self.memory, secret, kind, |problem: SecretProblem| match source {
            Source::Argument => {
                Error::new(ErrorKind::InvalidArgValue, format!("secrets.{platform} {}", problem.describe()))
            }
            Source::Variable(variable) => {
                Error::new(ErrorKind::SecretSource, format!("{variable} {}", problem.describe()))
            }
        })
    }

    /// The key for the secret in the file at `path`, named by `variable` (see [`read_secret_file`]).
    fn make_file_key(&self, variable: &str, path: &Path) -> Result<M::Kept, Error> {
        let secret = read_secret_file(variable, path)?;
        // The file's text passed its checks already, so this is only the key being made.
        PlatformKey::kept(&self.memory, &secret, SecretKind::Text, |problem: SecretProblem| {
            Error::new(ErrorKind::SecretSource, format!("{variable} {}", problem.describe()))
        })
    }

    /// Gives the platform at `position` the key of `secret` (checked as [`Keyring::insert`] checks
    /// it) in place of its key, which is wiped. A refused secret leaves the key as it was.
    ///
    /// # Errors
    /// As [`Keyring::key`] for the position; as [`Keyring::insert`] for the secret.
    pub fn replace(
        &mut self,
        position: usize,
        secret: &[u8],
        kind: SecretKind,
        source: Source<'_>,
    ) -> Result<(), Error> {
        self.key(position)?;
        let key = self.make_key(&self.platforms[position], secret, kind, source)?;
        // The old key is dropped, so wiped, here.
        self.keys[position] = key;
        Ok(())
    }

    /// As [`Keyring::replace`], with the secret in the file at `path` (named by `variable`), read
    /// as [`Keyring::insert_file`] reads it.
    ///
    /// # Errors
    /// As [`Keyring::key`] for the position; as [`Keyring::insert_file`] for the file.
    pub fn replace_file(&mut self, position: usize, variable: &str, path: &Path) -> Result<(), Error> {
        self.key(position)?;
        let key = self.make_file_key(variable, path)?;
        self.keys[position] = key;
        Ok(())
    }

    /// Adds `platform` with the secret in the file at `path`, named by the variable `variable`
    /// (see [`read_secret_file`] for the rules). The file's bytes are wiped once the key is made.
    ///
    /// # Errors
    /// As [`Keyring::insert`] for the platform name; `ERR_TRUSTED_IDENTITY_SECRET_SOURCE` for the
    /// file.
    pub fn insert_file(&mut self, platform: &str, variable: &str, path: &Path) -> Result<usize, Error> {
        self.check_new_platform(platform)?;
        let key = self.make_file_key(variable, path)?;
        Ok(self.push(platform, key))
    }

    /// A keyring with the same platforms and copies of the same keys, kept in `memory`.
    ///
    /// # Errors
    /// When `memory` cannot keep a key (the copies made so far are wiped).
    pub fn copy_into<N: KeyMemory>(&self, memory: N) -> Result<Keyring<N>, Error> {
        let mut copy = Keyring::in_memory(memory);
        for (platform, key) in self.platforms.iter().zip(&self.keys) {
            let kept = key.kept_copy(&copy.memory)?;
            copy.push(platform, kept);
        }
        Ok(copy)
    }

    /// Appends a platform already checked by `check_new_platform`; returns its position.
    fn push(&mut self, platform: &str, key: M::Kept) -> usize {
        self.platforms.push(platform.to_owned());
        self.keys.push(key);
        self.keys.len() - 1
    }

    fn check_new_platform(&self, platform: &str) -> Result<(), Error> {
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

    /// The key at `position`.
    ///
    /// # Errors
    /// `ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM` for a position with no platform.
    pub fn key(&self, position: usize) -> Result<&PlatformKey, Error> {
        self.keys.get(position).map(|key| &**key).ok_or_else(|| {
            Error::new(
                ErrorKind::UnknownPlatform,
                "platform is not configured; pass one of the platforms this TrustedIdentity has secrets for",
            )
        })
    }

    /// Signs `message` with the key at `position`: 64 lowercase hex ASCII bytes.
    ///
    /// # Errors
    /// As [`Keyring::key`].
    pub fn sign_hex(&self, position: usize, message: &[u8]) -> Result<[u8; SIGNATURE_HEX_LEN], Error> {
        let key = self.key(position)?;
        Ok(self.memory.with_scratch(|scratch| key.sign_hex_with(scratch, message)))
    }

    /// The signatures of a batch of ids under the key at `position` (see [`sign_utf16_batch`]).
    ///
    /// # Errors
    /// As [`Keyring::key`] and [`sign_utf16_batch`].
    pub fn sign_batch(&self, position: usize, joined: &[u16], lengths: &[u32]) -> Result<Vec<u8>, Error> {
        let key = self.key(position)?;
        self.memory.with_scratch(|scratch| sign_utf16_batch(key, scratch, joined, lengths))
    }

    /// The fingerprint of the key at `position` (see [`PlatformKey::fingerprint_with`]).
    ///
    /// # Errors
    /// As [`Keyring::key`].
    pub fn fingerprint(&self, position: usize) -> Result<[u8; FINGERPRINT_LEN], Error> {
        let key = self.key(position)?;
        Ok(self.memory.with_scratch(|scratch| key.fingerprint_with(scratch)))
    }

    /// Whether `signature_hex` is the signature of `message` under the key at `position`
    /// (constant-time; `false` for a malformed signature).
    ///
    /// # Errors
    /// As [`Keyring::key`].
    pub fn verify_hex(&self, position: usize, message: &[u8], signature_hex: &[u8]) -> Result<bool, Error> {
        let key = self.key(position)?;
        Ok(self.memory.with_scratch(|scratch| key.verify_hex_with(scratch, message, signature_hex)))
    }
}

/// The message tail used whenever a platform name is refused.
pub(crate) const PLATFORM_NAME_RULE: &str =
    "platform names are lowercase letters and digits starting with a letter, such as 'ios' or 'android'";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::key::SecretKind::{Raw, Text};
    use Source::{Argument, Variable};

    #[test]
    fn fingerprints_name_the_secret_not_the_platform() {
        let mut keyring = Keyring::new();
        keyring.insert("ios", b"one", Text, Argument).unwrap();
        keyring.insert("android", b"one", Raw, Argument).unwrap();
        keyring.insert("roku", b"two", Text, Argument).unwrap();
        let ios = keyring.fingerprint(0).unwrap();
        assert_eq!(keyring.fingerprint(1).unwrap(), ios);
        assert_ne!(keyring.fingerprint(2).unwrap(), ios);
        keyring.replace(0, b"two", Text, Argument).unwrap();
        assert_eq!(keyring.fingerprint(0).unwrap(), keyring.fingerprint(2).unwrap());
        assert!(keyring.fingerprint(3).is_err());
    }

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
        assert_eq!(keyring.insert("ios", b"one", Text, Argument), Ok(0));
        assert_eq!(keyring.insert("android", &[0, 1, 2], Raw, Argument), Ok(1));
        assert_eq!(keyring.platforms(), ["ios", "android"]);
        assert_eq!(keyring.position("android"), Some(1));
        assert_eq!(keyring.position("roku"), None);
        let direct = PlatformKey::new(b"one", Text).unwrap().sign_hex(b"u");
        assert_eq!(keyring.sign_hex(0, b"u").unwrap(), direct);
        assert_ne!(keyring.sign_hex(1, b"u").unwrap(), direct);
        assert!(keyring.verify_hex(0, b"u", &direct).unwrap());
        assert!(!keyring.verify_hex(1, b"u", &direct).unwrap());
    }

    #[test]
    fn many_platforms_each_sign_with_their_own_key() {
        let mut keyring = Keyring::new();
        let names: Vec<String> = (0..40).map(|i| format!("p{i}")).collect();
        for name in &names {
            keyring.insert(name, name.as_bytes(), Text, Argument).unwrap();
        }
        for (position, name) in names.iter().enumerate() {
            let direct = PlatformKey::new(name.as_bytes(), Text).unwrap().sign_hex(b"u");
            assert_eq!(keyring.sign_hex(position, b"u").unwrap(), direct, "{name}");
        }
    }

    #[test]
    fn insert_refusals_name_the_platform_or_variable_not_the_secret() {
        let mut keyring = Keyring::new();
        let err = keyring.insert("IOS", b"hunter2", Text, Argument).unwrap_err();
        assert_eq!(err.code(), "ERR_INVALID_ARG_VALUE");
        assert!(err.message().contains("not a valid platform name"));
        let err = keyring.insert("ios", b"", Raw, Argument).unwrap_err();
        assert_eq!(err.code(), "ERR_INVALID_ARG_VALUE");
        assert!(err.message().starts_with("secrets.ios is empty"));
        let err = keyring.insert("ios", b" hunter2", Text, Argument).unwrap_err();
        assert!(err.message().contains("whitespace"));
        assert!(!err.message().contains("hunter2"));
        let err = keyring.insert("ios", b" hunter2", Text, Variable("MTRIBES_IOS_SECRET")).unwrap_err();
        assert_eq!(err.code(), "ERR_TRUSTED_IDENTITY_SECRET_SOURCE");
        assert!(err.message().starts_with("MTRIBES_IOS_SECRET starts or ends with whitespace"), "{}", err.message());
        keyring.insert("ios", b"hunter2", Text, Argument).unwrap();
        let err = keyring.insert("ios", b"other", Text, Argument).unwrap_err();
        assert!(err.message().contains("twice"));
        assert_eq!(keyring.platforms(), ["ios"]);
    }

    #[test]
    fn insert_file_reads_the_secret_in_rust() {
        let path = std::env::temp_dir().join(format!("mti-keyring-{}", std::process::id()));
        std::fs::write(&path, "from-a-file\n").unwrap();
        let mut keyring = Keyring::new();
        assert_eq!(keyring.insert_file("roku", "MTRIBES_ROKU_SECRET_FILE", &path), Ok(0));
        let expected = PlatformKey::new(b"from-a-file", Text).unwrap().sign_hex(b"u");
        assert_eq!(keyring.sign_hex(0, b"u").unwrap(), expected);
        let err = keyring.insert_file("ios", "MTRIBES_IOS_SECRET_FILE", Path::new("/nonexistent/s")).unwrap_err();
        assert_eq!(err.code(), "ERR_TRUSTED_IDENTITY_SECRET_SOURCE");
        assert_eq!(keyring.platforms(), ["roku"]);
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn replace_swaps_one_key_and_a_refusal_changes_nothing() {
        let mut keyring = Keyring::new();
        keyring.insert("ios", b"old", Text, Argument).unwrap();
        keyring.insert("android", b"other", Text, Argument).unwrap();
        let sign_with = |secret: &[u8]| PlatformKey::new(secret, Text).unwrap().sign_hex(b"u");
        keyring.replace(0, b"new", Text, Argument).unwrap();
        assert_eq!(keyring.sign_hex(0, b"u").unwrap(), sign_with(b"new"));
        assert_eq!(keyring.sign_hex(1, b"u").unwrap(), sign_with(b"other"));
        let err = keyring.replace(0, b" spaced", Text, Argument).unwrap_err();
        assert_eq!(err.code(), "ERR_INVALID_ARG_VALUE");
        assert!(err.message().starts_with("secrets.ios starts or ends with whitespace"), "{}", err.message());
        let err = keyring.replace(1, b"", Text, Variable("MTRIBES_ANDROID_SECRET")).unwrap_err();
        assert_eq!(err.code(), "ERR_TRUSTED_IDENTITY_SECRET_SOURCE");
        assert_eq!(
            keyring.replace(2, b"k", Text, Argument).unwrap_err().code(),
            "ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM"
        );
        assert_eq!(keyring.sign_hex(0, b"u").unwrap(), sign_with(b"new"));
        assert_eq!(keyring.sign_hex(1, b"u").unwrap(), sign_with(b"other"));
        assert_eq!(keyring.platforms(), ["ios", "android"]);
    }

    #[test]
    fn replace_file_reads_the_new_file_and_keeps_the_key_when_it_is_refused() {
        let path = std::env::temp_dir().join(format!("mti-keyring-replace-{}", std::process::id()));
        std::fs::write(&path, "first\n").unwrap();
        let mut keyring = Keyring::new();
        keyring.insert_file("ios", "MTRIBES_IOS_SECRET_FILE", &path).unwrap();
        std::fs::write(&path, "second\n").unwrap();
        keyring.replace_file(0, "MTRIBES_IOS_SECRET_FILE", &path).unwrap();
        let second = PlatformKey::new(b"second", Text).unwrap().sign_hex(b"u");
        assert_eq!(keyring.sign_hex(0, b"u").unwrap(), second);
        std::fs::write(&path, "").unwrap();
        let err = keyring.replace_file(0, "MTRIBES_IOS_SECRET_FILE", &path).unwrap_err();
        assert_eq!(err.code(), "ERR_TRUSTED_IDENTITY_SECRET_SOURCE");
        std::fs::remove_file(&path).unwrap();
        let err = keyring.replace_file(0, "MTRIBES_IOS_SECRET_FILE", &path).unwrap_err();
        assert_eq!(err.code(), "ERR_TRUSTED_IDENTITY_SECRET_SOURCE");
        assert!(err.message().starts_with("MTRIBES_IOS_SECRET_FILE"), "{}", err.message());
        assert_eq!(keyring.sign_hex(0, b"u").unwrap(), second);
    }

    #[test]
    fn unknown_position() {
        let mut keyring = Keyring::new();
        keyring.insert("ios", b"k", Text, Argument).unwrap();
        let err = keyring.sign_hex(5, b"u").unwrap_err();
        assert_eq!(err.code(), "ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM");
        assert!(keyring.verify_hex(5, b"u", b"").is_err());
    }
}
