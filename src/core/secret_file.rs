//! Reading a platform secret from the file a `<PREFIX><PLATFORM>_SECRET_FILE` variable names, so
//! that a file secret never becomes a JavaScript value. Only a regular file of at most 64 KiB is
//! read (a FIFO, device or directory is refused without waiting on it); its bytes go into one
//! buffer of fixed size that is wiped when dropped. The text must be UTF-8 without NUL (a file
//! saved as UTF-16 is refused, not misread). Messages name the variable and the OS error, never
//! the path (it may be a secret pasted into the wrong variable) and never the content.

use std::fs::{File, Metadata, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

use zeroize::Zeroizing;

use super::error::{Error, ErrorKind};
use super::key::{check_secret, SecretKind, SecretProblem};

/// The largest secret file read. A platform secret is a short line of text.
pub const MAX_SECRET_FILE_BYTES: usize = 64 * 1024;

/// The secret in the file at `path`, named by the variable `variable` (for messages), with one
/// trailing `\n` or `\r\n` removed, checked as a text secret.
///
/// # Errors
/// `ERR_TRUSTED_IDENTITY_SECRET_SOURCE` when the path is empty, cannot be opened or read, is not
/// a regular file, holds more than 64 KiB, is not UTF-8, holds a NUL byte (UTF-16), or the secret
/// is empty or has surrounding whitespace.
pub fn read_secret_file(variable: &str, path: &Path) -> Result<Zeroizing<Vec<u8>>, Error> {
    if path.as_os_str().is_empty() {
        return Err(problem(variable, "is empty; set it to the path of the file holding the secret"));
    }
    // Looked at before opening: opening a FIFO for reading would wait for a writer.
    let metadata = std::fs::metadata(path).map_err(|error| unreadable(variable, &error))?;
    check_metadata(variable, &metadata)?;
    let mut file = open(path).map_err(|error| unreadable(variable, &error))?;
    // And again on what was opened, in case the path changed in between.
    check_metadata(variable, &file.metadata().map_err(|error| unreadable(variable, &error))?)?;

    let mut content = Zeroizing::new(vec![0u8; MAX_SECRET_FILE_BYTES + 1]);
    let length = read_up_to(&mut file, &mut content).map_err(|error| unreadable(variable, &error))?;
    if length > MAX_SECRET_FILE_BYTES {
        return Err(too_large(variable));
    }
    // Shortening keeps the buffer where it is: nothing is copied, and the whole of it is wiped.
    content.truncate(length);
    let newline = if content.ends_with(b"\r\n") { 2 } else { usize::from(content.ends_with(b"\n")) };
    content.truncate(length - newline);
    check_text(variable, &content)?;
    Ok(content)
}

/// Opens `path` for reading, without blocking where the platform allows it.
fn open(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Reads of a regular file ignore O_NONBLOCK; a FIFO swapped in after the check above
        // opens at once instead of waiting for a writer (and is then refused).
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// Fills `buffer` from `file` until the end of the file or of the buffer; returns the bytes read.
fn read_up_to(file: &mut File, buffer: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match file.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(read) => filled += read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(filled)
}

fn check_metadata(variable: &str, metadata: &Metadata) -> Result<(), Error> {
    if !metadata.is_file() {
        return Err(problem(
            variable,
            "names something that is not a regular file (a directory, pipe or device); \
             point it at the file holding the secret",
        ));
    }
    if metadata.len() > MAX_SECRET_FILE_BYTES as u64 {
        return Err(too_large(variable));
    }
    Ok(())
}

/// The rules for a file's text, each with the fix in its message.
fn check_text(variable: &str, content: &[u8]) -> Result<(), Error> {
    if content.starts_with(&[0xff, 0xfe]) || content.starts_with(&[0xfe, 0xff]) || content.contains(&0) {
        return Err(problem(
            variable,
            "names a file that is not UTF-8 text: it holds NUL bytes or a UTF-16 byte order mark, as files \
             saved as UTF-16 do (Windows PowerShell's > writes UTF-16); save the file as UTF-8",
        ));
    }
    if std::str::from_utf8(content).is_err() {
        return Err(problem(variable, "names a file that is not UTF-8 text; save the file as UTF-8"));
    }
    if content.starts_with("\u{feff}".as_bytes()) {
        return Err(problem(
            variable,
            "names a file that starts with a byte order mark; save the file as UTF-8 without BOM",
        ));
    }
    check_secret(content, SecretKind::Text).map_err(|problem_found| match problem_found {
        SecretProblem::Empty => problem(variable, "names an empty file; put the platform's secret in it"),
        other => problem(variable, &format!("names a file whose secret {}", other.describe())),
    })
}

fn problem(variable: &str, what: &str) -> Error {
    Error::new(ErrorKind::SecretSource, format!("{variable} {what}"))
}

fn unreadable(variable: &str, error: &io::Error) -> Error {
    // The OS error's text ("No such file or directory (os error 2)") names no path.
    problem(variable, &format!("names a file that could not be read ({error}); its path is not shown"))
}

fn too_large(variable: &str) -> Error {
    problem(
        variable,
        &format!(
            "names a file larger than {} KiB, which cannot be a platform secret; check the path",
            MAX_SECRET_FILE_BYTES / 1024
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// A folder of its own for each test, removed when dropped.
    struct Dir(PathBuf);

    impl Dir {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir().join(format!("mti-secret-file-{}-{name}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Self(dir)
        }

        fn file(&self, name: &str, content: &[u8]) -> PathBuf {
            let path = self.0.join(name);
            std::fs::write(&path, content).unwrap();
            path
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    const VAR: &str = "MTRIBES_IOS_SECRET_FILE";

    fn refusal(path: &Path) -> String {
        let error = read_secret_file(VAR, path).unwrap_err();
        assert_eq!(error.code(), "ERR_TRUSTED_IDENTITY_SECRET_SOURCE");
        assert!(error.message().starts_with(VAR), "{}", error.message());
        let shown = path.to_str().is_some_and(|path| !path.is_empty() && error.message().contains(path));
        assert!(!shown, "the path is shown: {}", error.message());
        error.message().to_owned()
    }

    #[test]
    fn reads_the_secret_without_one_trailing_newline() {
        let dir = Dir::new("ok");
        for (content, secret) in [
            (&b"file-secret"[..], &b"file-secret"[..]),
            (b"file-secret\n", b"file-secret"),
            (b"file-secret\r\n", b"file-secret"),
            ("s\u{e9}cret".as_bytes(), "s\u{e9}cret".as_bytes()),
        ] {
            let path = dir.file("secret", content);
            assert_eq!(&read_secret_file(VAR, &path).unwrap()[..], secret);
        }
        let exactly_64_kib = dir.file("big", &vec![b'k'; MAX_SECRET_FILE_BYTES]);
        assert_eq!(read_secret_file(VAR, &exactly_64_kib).unwrap().len(), MAX_SECRET_FILE_BYTES);
    }

    #[test]
    fn refuses_files_that_are_not_utf8_text() {
        let dir = Dir::new("text");
        let utf16 = |text: &str, bom: Option<[u8; 2]>| {
            let mut bytes = bom.map(Vec::from).unwrap_or_default();
            bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
            bytes
        };
        for (name, content, says) in [
            ("utf16le-bom", utf16("s3cret\r\n", Some([0xff, 0xfe])), "save the file as UTF-8"),
            ("utf16le", utf16("s3cret", None), "save the file as UTF-8"),
            ("utf16be-bom", vec![0xfe, 0xff, 0, b's', 0, b'3'], "UTF-16"),
            ("nul", b"s3\0cret".to_vec(), "NUL"),
            ("latin1", vec![b's', 0xe9, b'c'], "not UTF-8 text"),
            ("utf8-bom", b"\xef\xbb\xbfs3cret".to_vec(), "without BOM"),
            ("empty", Vec::new(), "empty file"),
            ("newline-only", b"\n".to_vec(), "empty file"),
            ("two-newlines", b"s3cret\n\n".to_vec(), "whitespace"),
            ("leading-space", b" s3cret".to_vec(), "whitespace"),
        ] {
            let message = refusal(&dir.file(name, &content));
            assert!(message.contains(says), "{name}: {message}");
            assert!(!message.contains("s3cret"), "{name}: the content is shown: {message}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_small_regular_file_without_reading_it() {
        let dir = Dir::new("kinds");
        let large = dir.file("large", &vec![b'k'; MAX_SECRET_FILE_BYTES + 1]);
        assert!(refusal(&large).contains("larger than 64 KiB"));
        assert!(refusal(&dir.0).contains("not a regular file"));
        assert!(refusal(&dir.0.join("missing")).contains("could not be read"));
        assert!(refusal(Path::new("")).contains("is empty"));
        #[cfg(unix)]
        {
            // A device that never ends and one that is empty: refused before any read.
            assert!(refusal(Path::new("/dev/zero")).contains("not a regular file"));
            assert!(refusal(Path::new("/dev/null")).contains("not a regular file"));
            // A FIFO with no writer: refused at once, where opening it would wait forever.
            let fifo = dir.0.join("fifo");
            assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
            assert!(refusal(&fifo).contains("not a regular file"));
            // A symbolic link to a regular file is read.
            let target = dir.file("target", b"linked-secret\n");
            let link = dir.0.join("link");
            std::os::unix::fs::symlink(&target, &link).unwrap();
            assert_eq!(&read_secret_file(VAR, &link).unwrap()[..], b"linked-secret");
        }
    }

    #[test]
    fn a_value_that_is_not_a_path_is_never_shown() {
        // A secret pasted into the _FILE variable by mistake, with a '/' as base64 often has.
        let pasted = Path::new("c2VjcmV0/c2VjcmV0+dGV4dA==");
        let message = refusal(pasted);
        assert!(!message.contains("c2VjcmV0"), "{message}");
        assert!(message.contains("No such file"), "{message}");
    }
}
