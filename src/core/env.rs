//! Loading platform secrets from the environment, entirely in Rust so that a secret never becomes
//! a JavaScript value: `<PREFIX><PLATFORM>_SECRET` holds the secret itself, or
//! `<PREFIX><PLATFORM>_SECRET_FILE` names a file holding it (one trailing `\n` or `\r\n` removed).
//! The default prefix is `MTRIBES_`. Every copy of a secret's bytes made here is zeroized on drop.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::error::{Error, ErrorKind};
use super::key::{check_secret, PlatformKey, SecretKind};
use super::keyring::{is_valid_platform_name, Keyring, PLATFORM_NAME_RULE};

/// The prefix used when none is given.
pub const DEFAULT_PREFIX: &str = "MTRIBES_";

/// Which variables to read.
#[derive(Clone, Copy, Debug, Default)]
pub struct EnvOptions<'a> {
    /// Replaces `MTRIBES_` in the variable names; `None` means [`DEFAULT_PREFIX`].
    pub prefix: Option<&'a str>,
    /// The platforms that must be present (and the only ones loaded); `None` loads every
    /// platform whose variable is set.
    pub platforms: Option<&'a [String]>,
}

/// Builds a [`Keyring`] from the process environment and the file system.
///
/// # Errors
/// As [`keyring_from_vars`].
pub fn keyring_from_process_env(options: EnvOptions<'_>) -> Result<Keyring, Error> {
    keyring_from_vars(std::env::vars_os(), options, |path| std::fs::read(path))
}

/// What was found for one platform.
#[derive(Default)]
struct Found {
    secret: Option<Zeroizing<Vec<u8>>>,
    file: Option<OsString>,
}

/// Builds a [`Keyring`] from `vars` (name and value pairs, as `std::env::vars_os` gives) and
/// `read_file`. Values of variables that are not ours are dropped untouched; ours are moved,
/// not copied, into zeroizing buffers.
///
/// ```
/// use mtribes_trusted_identity::core::env::{keyring_from_vars, EnvOptions};
/// let vars = [("MTRIBES_IOS_SECRET".into(), "s3cret".into()), ("HOME".into(), "/root".into())];
/// let keyring = keyring_from_vars(vars, EnvOptions::default(), |_| unreachable!()).unwrap();
/// assert_eq!(keyring.platforms(), ["ios"]);
/// ```
///
/// # Errors
/// - `ERR_INVALID_ARG_VALUE`: an invalid prefix or platform name in `options`.
/// - `ERR_TRUSTED_IDENTITY_NO_SECRETS`: no variable found, or required platforms missing
///   (the message names the variables to set).
/// - `ERR_TRUSTED_IDENTITY_SECRET_SOURCE`: both variables set for a platform, an unreadable or
///   empty file, an empty secret, one with surrounding whitespace, or one that is not UTF-8 text.
///   The message names the variable and path, never the content.
pub fn keyring_from_vars<I, R>(vars: I, options: EnvOptions<'_>, read_file: R) -> Result<Keyring, Error>
where
    I: IntoIterator<Item = (OsString, OsString)>,
    R: Fn(&Path) -> io::Result<Vec<u8>>,
{
    let prefix = options.prefix.unwrap_or(DEFAULT_PREFIX);
    check_prefix(prefix)?;
    if let Some(platforms) = options.platforms {
        if platforms.is_empty() {
            return Err(Error::new(
                ErrorKind::NoSecrets,
                "options.platforms is empty; name the platforms whose secrets must be set, such as ['ios']",
            ));
        }
        if !platforms.iter().all(|name| is_valid_platform_name(name)) {
            return Err(Error::new(
                ErrorKind::InvalidArgValue,
                format!("options.platforms holds an invalid platform name: {PLATFORM_NAME_RULE}"),
            ));
        }
    }

    let mut found: BTreeMap<String, Found> = BTreeMap::new();
    for (name, value) in vars {
        let Some((platform, is_file)) = name.to_str().and_then(|name| parse_var_name(name, prefix)) else {
            continue;
        };
        let entry = found.entry(platform).or_default();
        if is_file {
            entry.file = Some(value);
        } else {
            entry.secret = Some(Zeroizing::new(into_bytes(value)));
        }
    }

    let selected: Vec<String> = match options.platforms {
        Some(platforms) => {
            let missing: Vec<String> = platforms
                .iter()
                .filter(|platform| !found.contains_key(*platform))
                .map(|platform| {
                    let var = var_name(prefix, platform);
                    format!("{var} (or {var}_FILE)")
                })
                .collect();
            if !missing.is_empty() {
                return Err(Error::new(ErrorKind::NoSecrets, format!("missing secrets: set {}", missing.join(", "))));
            }
            platforms.to_vec()
        }
        None => found.keys().cloned().collect(),
    };
    if selected.is_empty() {
        return Err(Error::new(
            ErrorKind::NoSecrets,
            format!(
                "no secrets found: set {prefix}<PLATFORM>_SECRET or {prefix}<PLATFORM>_SECRET_FILE \
                 (for example {prefix}IOS_SECRET) to the platform's secret from the mtribes Space settings"
            ),
        ));
    }

    let mut keyring = Keyring::new();
    for platform in &selected {
        let Some(entry) = found.remove(platform) else { continue };
        let var = var_name(prefix, platform);
        let key = match entry {
            Found { secret: Some(_), file: Some(_) } => {
                return Err(source_error(format!("both {var} and {var}_FILE are set; set only one of them")));
            }
            Found { secret: Some(secret), file: None } => key_from_var(&var, &secret)?,
            Found { secret: None, file: Some(path) } => key_from_file(&var, path, &read_file)?,
            Found { secret: None, file: None } => continue,
        };
        keyring.insert_key(platform, key)?;
    }
    Ok(keyring)
}

/// `<prefix><PLATFORM>_SECRET` for `platform`.
fn var_name(prefix: &str, platform: &str) -> String {
    format!("{prefix}{}_SECRET", platform.to_ascii_uppercase())
}

/// The platform a variable is for, and whether it is the `_FILE` form; `None` if it is not ours.
fn parse_var_name(name: &str, prefix: &str) -> Option<(String, bool)> {
    let rest = name.strip_prefix(prefix)?;
    let (upper, is_file) = match rest.strip_suffix("_SECRET_FILE") {
        Some(upper) => (upper, true),
        None => (rest.strip_suffix("_SECRET")?, false),
    };
    let platform = upper.to_ascii_lowercase();
    (upper.bytes().all(|b| !b.is_ascii_lowercase()) && is_valid_platform_name(&platform)).then_some((platform, is_file))
}

fn check_prefix(prefix: &str) -> Result<(), Error> {
    let mut bytes = prefix.bytes();
    let valid = bytes.next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if valid {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::InvalidArgValue,
            "options.prefix must be letters, digits and underscores, not starting with a digit, such as 'MTRIBES_'",
        ))
    }
}

fn source_error(message: String) -> Error {
    Error::new(ErrorKind::SecretSource, message)
}

/// Whether a `_FILE` value has a directory separator, so that showing it in a message cannot
/// reveal a secret pasted into the wrong variable.
fn looks_like_a_path(path: &Path) -> bool {
    path.components().count() > 1 || path.to_string_lossy().contains(['/', '\\'])
}

#[cfg(unix)]
fn into_bytes(value: OsString) -> Vec<u8> {
    use std::os::unix::ffi::OsStringExt;
    value.into_vec()
}

#[cfg(not(unix))]
fn into_bytes(value: OsString) -> Vec<u8> {
    // Not Unicode: keep no bytes, which `key_from_var` reports as not UTF-8 text below.
    value.into_string().map(String::into_bytes).unwrap_or_else(|_| vec![0xff])
}

fn key_from_var(var: &str, secret: &[u8]) -> Result<PlatformKey, Error> {
    if std::str::from_utf8(secret).is_err() {
        return Err(source_error(format!(
            "{var} is not valid UTF-8 text; set it to the secret as shown in the mtribes Space settings"
        )));
    }
    PlatformKey::new(secret, SecretKind::Text).map_err(|problem| source_error(format!("{var} {}", problem.describe())))
}

fn key_from_file<R>(var: &str, path: OsString, read_file: &R) -> Result<PlatformKey, Error>
where
    R: Fn(&Path) -> io::Result<Vec<u8>>,
{
    if path.is_empty() {
        return Err(source_error(format!("{var}_FILE is empty; set it to the path of the file holding the secret")));
    }
    let path = PathBuf::from(path);
    let mut content = Zeroizing::new(read_file(&path).map_err(|error| {
        if looks_like_a_path(&path) {
            source_error(format!("{var}_FILE names {}, which could not be read: {error}", path.display()))
        } else {
            // Not shown: a value with no separator that cannot be opened is often the secret itself.
            source_error(format!(
                "{var}_FILE names a file that could not be read ({error}); its value has no '/' so it is not \
                 shown: if it is the secret itself, set {var} instead"
            ))
        }
    })?);
    let newline = if content.ends_with(b"\r\n") { 2 } else { usize::from(content.ends_with(b"\n")) };
    let len = content.len() - newline;
    content.truncate(len);
    check_secret(&content, SecretKind::Text).map_err(|problem| {
        source_error(format!("the file {} named by {var}_FILE {}", path.display(), problem.describe()))
    })?;
    PlatformKey::new(&content, SecretKind::Text)
        .map_err(|problem| source_error(format!("{var}_FILE {}", problem.describe())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::key::SecretKind::Text;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(OsString, OsString)> {
        pairs.iter().map(|(k, v)| (OsString::from(k), OsString::from(v))).collect()
    }

    fn no_files(_: &Path) -> io::Result<Vec<u8>> {
        Err(io::Error::new(io::ErrorKind::NotFound, "No such file or directory"))
    }

    fn files(path: &Path) -> io::Result<Vec<u8>> {
        match path.to_str() {
            Some("/s/ios") => Ok(b"file-secret\n".to_vec()),
            Some("/s/crlf") => Ok(b"file-secret\r\n".to_vec()),
            Some("/s/two") => Ok(b"file-secret\n\n".to_vec()),
            Some("/s/empty") => Ok(b"\n".to_vec()),
            Some("/s/binary") => Ok(vec![0xff, 0x00, 0x01]),
            _ => no_files(path),
        }
    }

    fn sign(keyring: &Keyring, platform: &str) -> [u8; 64] {
        keyring.sign_hex(keyring.position(platform).unwrap(), b"user").unwrap()
    }

    fn expected(secret: &[u8]) -> [u8; 64] {
        PlatformKey::new(secret, SecretKind::Raw).unwrap().sign_hex(b"user")
    }

    fn err(pairs: &[(&str, &str)], options: EnvOptions<'_>) -> Error {
        keyring_from_vars(vars(pairs), options, files).unwrap_err()
    }

    #[test]
    fn scans_every_platform_in_name_order() {
        let keyring = keyring_from_vars(
            vars(&[
                ("MTRIBES_ROKU_SECRET", "r"),
                ("MTRIBES_IOS_SECRET_FILE", "/s/ios"),
                ("MTRIBES_ANDROID_SECRET", "a"),
                ("MTRIBES_TV2_SECRET", "t"),
                ("MTRIBES_ios_SECRET", "ignored: lowercase"),
                ("MTRIBES_MY_TV_SECRET", "ignored: underscore"),
                ("MTRIBES_SECRET", "ignored: no platform"),
                ("MTRIBES_IOS_SECRETS", "ignored: suffix"),
                ("OTHER_IOS_SECRET", "ignored: prefix"),
            ]),
            EnvOptions::default(),
            files,
        )
        .unwrap();
        assert_eq!(keyring.platforms(), ["android", "ios", "roku", "tv2"]);
        assert_eq!(sign(&keyring, "ios"), expected(b"file-secret"));
        assert_eq!(sign(&keyring, "roku"), expected(b"r"));
    }

    #[test]
    fn required_platforms_only_and_in_order() {
        let platforms = ["roku".to_owned(), "ios".to_owned()];
        let options = EnvOptions { prefix: None, platforms: Some(&platforms) };
        let keyring = keyring_from_vars(
            vars(&[("MTRIBES_IOS_SECRET", "i"), ("MTRIBES_ROKU_SECRET", "r"), ("MTRIBES_WEB_SECRET", "w")]),
            options,
            no_files,
        )
        .unwrap();
        assert_eq!(keyring.platforms(), ["roku", "ios"]);

        let error = err(&[("MTRIBES_IOS_SECRET", "i")], options);
        assert_eq!(error.code(), "ERR_TRUSTED_IDENTITY_NO_SECRETS");
        assert_eq!(error.message(), "missing secrets: set MTRIBES_ROKU_SECRET (or MTRIBES_ROKU_SECRET_FILE)");
    }

    #[test]
    fn prefix_replaces_mtribes() {
        let options = EnvOptions { prefix: Some("APP_MT_"), platforms: None };
        let keyring =
            keyring_from_vars(vars(&[("APP_MT_IOS_SECRET", "x"), ("MTRIBES_ROKU_SECRET", "r")]), options, no_files)
                .unwrap();
        assert_eq!(keyring.platforms(), ["ios"]);
        let error = err(&[], options);
        assert!(error.message().contains("APP_MT_<PLATFORM>_SECRET"), "{}", error.message());
        for bad in ["", "1X_", "MT-", "MT "] {
            let error = err(&[], EnvOptions { prefix: Some(bad), platforms: None });
            assert_eq!(error.code(), "ERR_INVALID_ARG_VALUE", "{bad}");
        }
    }

    #[test]
    fn nothing_set() {
        let error = err(&[("HOME", "/root")], EnvOptions::default());
        assert_eq!(error.code(), "ERR_TRUSTED_IDENTITY_NO_SECRETS");
        assert!(error.message().contains("MTRIBES_<PLATFORM>_SECRET"));
        let empty: [String; 0] = [];
        let error = err(&[("MTRIBES_IOS_SECRET", "x")], EnvOptions { prefix: None, platforms: Some(&empty) });
        assert_eq!(error.code(), "ERR_TRUSTED_IDENTITY_NO_SECRETS");
        let invalid = ["IOS".to_owned()];
        let error = err(&[("MTRIBES_IOS_SECRET", "x")], EnvOptions { prefix: None, platforms: Some(&invalid) });
        assert_eq!(error.code(), "ERR_INVALID_ARG_VALUE");
    }

    #[test]
    fn file_contents_lose_one_trailing_newline() {
        for path in ["/s/ios", "/s/crlf"] {
            let keyring =
                keyring_from_vars(vars(&[("MTRIBES_IOS_SECRET_FILE", path)]), EnvOptions::default(), files).unwrap();
            assert_eq!(sign(&keyring, "ios"), expected(b"file-secret"), "{path}");
        }
        let keyring =
            keyring_from_vars(vars(&[("MTRIBES_IOS_SECRET_FILE", "/s/binary")]), EnvOptions::default(), files).unwrap();
        assert_eq!(sign(&keyring, "ios"), expected(&[0xff, 0x00, 0x01]));
    }

    #[test]
    fn source_errors_name_variable_and_path_never_content() {
        let cases: [(&[(&str, &str)], &str); 7] = [
            (
                &[("MTRIBES_IOS_SECRET", "hunter2"), ("MTRIBES_IOS_SECRET_FILE", "/s/ios")],
                "both MTRIBES_IOS_SECRET and MTRIBES_IOS_SECRET_FILE are set",
            ),
            (
                &[("MTRIBES_IOS_SECRET_FILE", "/s/missing")],
                "MTRIBES_IOS_SECRET_FILE names /s/missing, which could not be read: No such file",
            ),
            (&[("MTRIBES_IOS_SECRET_FILE", "/s/empty")], "the file /s/empty named by MTRIBES_IOS_SECRET_FILE is empty"),
            (
                &[("MTRIBES_IOS_SECRET_FILE", "/s/two")],
                "the file /s/two named by MTRIBES_IOS_SECRET_FILE starts or ends with whitespace",
            ),
            (&[("MTRIBES_IOS_SECRET_FILE", "")], "MTRIBES_IOS_SECRET_FILE is empty"),
            (&[("MTRIBES_IOS_SECRET", "")], "MTRIBES_IOS_SECRET is empty"),
            (&[("MTRIBES_IOS_SECRET", " hunter2")], "MTRIBES_IOS_SECRET starts or ends with whitespace"),
        ];
        for (pairs, start) in cases {
            let error = err(pairs, EnvOptions::default());
            assert_eq!(error.code(), "ERR_TRUSTED_IDENTITY_SECRET_SOURCE", "{start}");
            assert!(error.message().starts_with(start), "{} / {start}", error.message());
            assert!(!error.message().contains("hunter2"));
            assert!(!error.message().contains("file-secret"));
        }
    }

    #[test]
    fn a_secret_pasted_into_the_file_variable_is_not_shown() {
        let error = err(&[("MTRIBES_IOS_SECRET_FILE", "hunter2-secret")], EnvOptions::default());
        assert_eq!(error.code(), "ERR_TRUSTED_IDENTITY_SECRET_SOURCE");
        assert!(!error.message().contains("hunter2"), "{}", error.message());
        assert!(error.message().contains("set MTRIBES_IOS_SECRET instead"), "{}", error.message());
        assert!(error.message().contains("No such file"), "{}", error.message());
        assert!(looks_like_a_path(Path::new("./secret")));
        assert!(looks_like_a_path(Path::new("/run/secrets/ios")));
        assert!(!looks_like_a_path(Path::new("secret.txt")));
    }

    #[cfg(unix)]
    #[test]
    fn variable_must_be_utf8() {
        use std::os::unix::ffi::OsStringExt;
        let pairs = vec![(OsString::from("MTRIBES_IOS_SECRET"), OsString::from_vec(vec![b'a', 0xff]))];
        let error = keyring_from_vars(pairs, EnvOptions::default(), no_files).unwrap_err();
        assert_eq!(error.code(), "ERR_TRUSTED_IDENTITY_SECRET_SOURCE");
        assert!(error.message().contains("not valid UTF-8"));
    }

    #[test]
    fn process_env_and_real_files() {
        let dir = std::env::temp_dir().join(format!("mti-core-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("secret");
        std::fs::write(&file, "from-a-file\n").unwrap();
        let prefix = format!("MTI_CORE_TEST_{}_", std::process::id());
        // SAFETY-free: the variables are unique to this test's process and prefix.
        unsafe {
            std::env::set_var(format!("{prefix}ROKU_SECRET_FILE"), &file);
        }
        let keyring = keyring_from_process_env(EnvOptions { prefix: Some(&prefix), platforms: None }).unwrap();
        assert_eq!(keyring.platforms(), ["roku"]);
        assert_eq!(sign(&keyring, "roku"), expected(b"from-a-file"));
        std::fs::remove_dir_all(&dir).unwrap();
        let _ = Text;
    }
}
