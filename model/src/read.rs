//! The one way loaders read a file: regular files only, never more than the budget's
//! bytes, UTF-8, and for the files of an export, never outside the export directory.
//!
//! An export is a directory someone else made. A symbolic link `api/hosts.xml ->
//! /etc/shadow` or `-> /proc/self/environ` must not make stretchdr read (and quote in an
//! error) a file the export's author could not; a FIFO would block forever and
//! `/dev/zero` never ends. Each of these is an error naming the file, not a silent skip.

use std::fs::{File, Metadata};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::budget::Budget;
use crate::error::LoadError;

/// Reads a file the user named on the command line or in a design: a symbolic link is
/// followed (the user chose it), but the target must be a regular file of at most
/// [`Budget::max_file_bytes`]. `what` says what the file is, for messages
/// ("design file", "scenario file").
pub fn read_text(path: &Path, what: &str) -> Result<Arc<str>, LoadError> {
    let budget = Budget::current().map_err(|e| LoadError::file(path, e))?;
    read_bounded(path, what, budget.max_file_bytes)
}

/// Reads a file of the export whose root directory is `root` (canonical, see
/// [`confine_root`]): refused when its real path (after every symbolic link) is outside
/// `root`, or when it is not a regular file.
pub fn read_confined(root: &Path, path: &Path, what: &str) -> Result<Arc<str>, LoadError> {
    check_confined(root, path)?;
    read_text(path, what)
}

/// The canonical form of an export's root directory, for [`read_confined`].
pub fn confine_root(dir: &Path) -> Result<PathBuf, LoadError> {
    dir.canonicalize()
        .map_err(|e| LoadError::file(dir, format!("cannot read export directory: {e}")))
}

/// Refuses `path` when it resolves outside `root`.
pub fn check_confined(root: &Path, path: &Path) -> Result<(), LoadError> {
    let real = path
        .canonicalize()
        .map_err(|e| LoadError::file(path, format!("cannot read: {e}")))?;
    if !real.starts_with(root) {
        return Err(LoadError::file(
            path,
            format!(
                "refused: a symbolic link leading out of the export directory {} \
                 (an export's files must be inside it)",
                root.display()
            ),
        ));
    }
    Ok(())
}

/// Reads at most `max` bytes of the regular file `path` as UTF-8 text.
pub fn read_bounded(path: &Path, what: &str, max: u64) -> Result<Arc<str>, LoadError> {
    let cannot = |e: std::io::Error| LoadError::file(path, format!("cannot read {what}: {e}"));
    // Checked before opening: opening a FIFO waits for a writer.
    regular_file(path, what, &std::fs::metadata(path).map_err(cannot)?)?;
    let file = File::open(path).map_err(cannot)?;
    // And again on what was opened, in case the path changed in between.
    let meta = file.metadata().map_err(cannot)?;
    regular_file(path, what, &meta)?;
    let budget_len = max.saturating_add(1);
    let capacity = usize::try_from(meta.len().min(budget_len)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    file.take(budget_len)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > max {
        let budget = Budget {
            max_file_bytes: max,
            ..Budget::DEFAULT
        };
        return Err(LoadError::file(
            path,
            budget.file_too_large(&format!("the {what}")),
        ));
    }
    utf8(path, bytes)
}

/// `bytes` as text, without a leading byte order mark (legal at the start of a saved
/// file, but not content).
pub fn utf8(path: &Path, bytes: Vec<u8>) -> Result<Arc<str>, LoadError> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.into(),
            None => text.into(),
        }),
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let lossy: Arc<str> = String::from_utf8_lossy(e.as_bytes()).into();
            Err(LoadError::at(
                path,
                &lossy,
                offset..offset + 1,
                "not UTF-8 text (the files stretchdr reads are UTF-8)",
            ))
        }
    }
}

fn regular_file(path: &Path, what: &str, meta: &Metadata) -> Result<(), LoadError> {
    if meta.is_file() {
        return Ok(());
    }
    Err(LoadError::file(
        path,
        format!(
            "the {what} is {}, not a regular file",
            kind_of(meta.file_type())
        ),
    ))
}

/// "a directory", "a FIFO", ... for messages.
fn kind_of(kind: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_char_device() {
            return "a character device";
        }
        if kind.is_block_device() {
            return "a block device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::{confine_root, read_bounded, read_confined};

    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Scratch {
            let path =
                std::env::temp_dir().join(format!("stretchdr-read-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&path);
            std::fs::create_dir_all(&path).unwrap();
            Scratch(path)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn size_is_bounded_and_bom_dropped() {
        let dir = Scratch::new("size");
        let file = dir.0.join("a.toml");
        std::fs::write(&file, "\u{feff}x = 1\n").unwrap();
        assert_eq!(
            &*read_bounded(&file, "design file", 100).unwrap(),
            "x = 1\n"
        );
        let error = read_bounded(&file, "design file", 4).unwrap_err();
        assert!(error.message.contains("larger than the limit"), "{error}");
    }

    #[test]
    fn devices_and_directories_are_errors() {
        let error = read_bounded(Path::new("/dev/zero"), "design file", 100).unwrap_err();
        assert!(error.message.contains("character device"), "{error}");
        let dir = Scratch::new("dir");
        let error = read_bounded(&dir.0, "design file", 100).unwrap_err();
        assert!(error.message.contains("a directory"), "{error}");
    }

    #[cfg(unix)]
    #[test]
    fn links_leaving_the_export_are_refused_and_links_inside_it_followed() {
        let dir = Scratch::new("confine");
        let export = dir.0.join("export");
        std::fs::create_dir_all(export.join("api")).unwrap();
        std::fs::write(dir.0.join("secret"), "OVIRT_PASSWORD=hunter2").unwrap();
        std::fs::write(export.join("api/real.xml"), "<hosts/>").unwrap();
        std::os::unix::fs::symlink(dir.0.join("secret"), export.join("api/hosts.xml")).unwrap();
        std::os::unix::fs::symlink("real.xml", export.join("api/vms.xml")).unwrap();
        let root = confine_root(&export).unwrap();
        let error = read_confined(&root, &export.join("api/hosts.xml"), "response").unwrap_err();
        assert!(error.message.contains("out of the export"), "{error}");
        assert!(!error.to_string().contains("hunter2"));
        let text = read_confined(&root, &export.join("api/vms.xml"), "response").unwrap();
        assert_eq!(&*text, "<hosts/>");
    }
}
