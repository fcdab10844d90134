//! Errors returned by the core. Each has a stable code (Node conventions) and a message that names
//! what was wrong and how to fix it. Messages never contain secret material.

use std::fmt;

/// What kind of failure an [`Error`] reports; each kind maps to one stable code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// A value was not of the type asked for (not a keyring, a position that is not a number, ...).
    InvalidArgType,
    /// A value had the right type but an unusable value (empty secret, bad platform name, ...).
    InvalidArgValue,
    /// No platform secrets were configured, or required ones were missing.
    NoSecrets,
    /// A platform was asked for that is not configured.
    UnknownPlatform,
    /// An environment variable or secret file could not be used.
    SecretSource,
    /// The keys were wiped by `dispose()`.
    Disposed,
    /// The keys could not be kept with the memory protection that was required.
    MemoryProtection,
}

impl ErrorKind {
    /// The stable code exposed to JavaScript as `error.code`.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::InvalidArgType => "ERR_INVALID_ARG_TYPE",
            Self::InvalidArgValue => "ERR_INVALID_ARG_VALUE",
            Self::NoSecrets => "ERR_TRUSTED_IDENTITY_NO_SECRETS",
            Self::UnknownPlatform => "ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM",
            Self::SecretSource => "ERR_TRUSTED_IDENTITY_SECRET_SOURCE",
            Self::Disposed => "ERR_TRUSTED_IDENTITY_DISPOSED",
            Self::MemoryProtection => "ERR_TRUSTED_IDENTITY_MEMORY_PROTECTION",
        }
    }

    /// Whether this kind reports a misused argument (`ERR_INVALID_ARG_*`), which JavaScript
    /// shows as a `TypeError`.
    #[must_use]
    pub const fn is_invalid_argument(self) -> bool {
        matches!(self, Self::InvalidArgType | Self::InvalidArgValue)
    }
}

/// An error from the core: a kind (with its code) and a human-readable message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

impl Error {
    /// Creates an error of `kind` with `message`. The message must not contain secret material.
    #[must_use]
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into() }
    }

    /// The error's kind.
    #[must_use]
    pub const fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The stable code, such as `ERR_TRUSTED_IDENTITY_DISPOSED`.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The message, without the code.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The error for a keyring that was disposed (its keys wiped).
    #[must_use]
    pub fn disposed() -> Self {
        Self::new(
            ErrorKind::Disposed,
            "this TrustedIdentity was disposed and its keys wiped; create a new one to sign again",
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable() {
        let all = [
            (ErrorKind::InvalidArgType, "ERR_INVALID_ARG_TYPE"),
            (ErrorKind::InvalidArgValue, "ERR_INVALID_ARG_VALUE"),
            (ErrorKind::NoSecrets, "ERR_TRUSTED_IDENTITY_NO_SECRETS"),
            (ErrorKind::UnknownPlatform, "ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM"),
            (ErrorKind::SecretSource, "ERR_TRUSTED_IDENTITY_SECRET_SOURCE"),
            (ErrorKind::Disposed, "ERR_TRUSTED_IDENTITY_DISPOSED"),
            (ErrorKind::MemoryProtection, "ERR_TRUSTED_IDENTITY_MEMORY_PROTECTION"),
        ];
        for (kind, code) in all {
            let error = Error::new(kind, "m");
            assert_eq!(error.code(), code);
            assert_eq!(error.kind(), kind);
            assert_eq!(error.message(), "m");
            assert_eq!(error.to_string(), "m");
            assert_eq!(kind.is_invalid_argument(), code.starts_with("ERR_INVALID_ARG_"));
        }
        assert!(Error::disposed().message().contains("disposed"));
    }
}
