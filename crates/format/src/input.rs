//! Reading an input file a user named: only a regular file, and never more than a limit.
//!
//! Every crate that reads a file it was given (library files, OSCAL documents,
//! spreadsheets, evidence) goes through here, so `/dev/zero`, a named pipe, a directory
//! or a file larger than its limit is refused with the same clear message, before
//! anything is allocated for it and without ever blocking:
//!
//! - the path's metadata is checked before the file is opened, so a device or a pipe is
//!   never opened at all;
//! - the file is then opened without blocking (`O_NONBLOCK` on Unix, so a pipe swapped in
//!   after the check still cannot stall the open) and the *opened* file's metadata is
//!   checked again;
//! - the size is checked against the limit, and the read itself stops one byte past the
//!   limit, so a file that grows while it is read is refused too.

use std::fs::{File, Metadata};
use std::io::Read;
use std::path::{Path, PathBuf};

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;
const GIB: u64 = 1024 * MIB;

/// The most bytes to read from one file, and what kind of file the limit is for (named in
/// the message when a file is over it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub bytes: u64,
    /// Plural noun phrase, e.g. `OSCAL documents`.
    pub what: &'static str,
}

impl Limit {
    pub const fn new(bytes: u64, what: &'static str) -> Self {
        Self { bytes, what }
    }
}

/// A bare byte count, for files of no particular kind.
impl From<u64> for Limit {
    fn from(bytes: u64) -> Self {
        Self {
            bytes,
            what: "input files",
        }
    }
}

/// Library files (TOML): 16 MiB. The largest built-in file is under 1 MiB; parsing keeps
/// a tree several times the size of the text in memory.
pub const LIBRARY_FILE: Limit = Limit::new(16 * MIB, "library files");

/// OSCAL catalogs, profiles and mapping collections (JSON or XML): 256 MiB. NIST's full
/// SP 800-53 catalog is about 10 MiB.
pub const OSCAL_DOCUMENT: Limit = Limit::new(256 * MIB, "OSCAL documents");

/// Spreadsheets (CSV, XLSX): 64 MiB on disk. What an XLSX may expand to is bounded
/// separately by `crosswalk-sheets`.
pub const SPREADSHEET: Limit = Limit::new(64 * MIB, "spreadsheets");

/// Why an input file was refused. Each message names the file.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("`{}` cannot be read: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A directory, device, pipe or socket.
    #[error("`{}` is not a regular file ({kind})", .path.display())]
    NotRegular { path: PathBuf, kind: &'static str },
    /// `size` is `None` when the file grew past the limit while it was read.
    #[error("`{}` {}", .path.display(), too_large(.size, .limit, .what))]
    TooLarge {
        path: PathBuf,
        size: Option<u64>,
        limit: u64,
        what: &'static str,
    },
    #[error("`{}` is not UTF-8 text (invalid byte at line {line}, column {column})", .path.display())]
    NotUtf8 {
        path: PathBuf,
        line: usize,
        column: usize,
    },
}

impl InputError {
    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            Self::Io { path, .. }
            | Self::NotRegular { path, .. }
            | Self::TooLarge { path, .. }
            | Self::NotUtf8 { path, .. } => path,
        }
    }

    /// The message without the file name, for reports that name the file themselves
    /// (such as a located diagnostic).
    pub fn reason(&self) -> String {
        match self {
            Self::Io { source, .. } => format!("cannot read: {source}"),
            Self::NotRegular { kind, .. } => format!("not a regular file ({kind})"),
            Self::TooLarge {
                size, limit, what, ..
            } => format!("the file {}", too_large(size, limit, what)),
            Self::NotUtf8 { line, column, .. } => {
                format!("not UTF-8 text (invalid byte at line {line}, column {column})")
            }
        }
    }
}

/// `is 300 MiB, over the 256 MiB limit for OSCAL documents`.
fn too_large(size: &Option<u64>, limit: &u64, what: &str) -> String {
    match size {
        Some(size) => format!(
            "is {}, over the {} limit for {what}",
            human(*size),
            human(*limit)
        ),
        None => format!(
            "grew past the {} limit for {what} while it was being read",
            human(*limit)
        ),
    }
}

/// A byte count for people: `256 MiB`, `1.5 GiB`, `900 bytes`.
pub fn human(bytes: u64) -> String {
    for (unit, name) in [(GIB, "GiB"), (MIB, "MiB"), (KIB, "KiB")] {
        if bytes >= unit {
            return if bytes.is_multiple_of(unit) {
                format!("{} {name}", bytes / unit)
            } else {
                #[allow(clippy::cast_precision_loss)]
                let v = bytes as f64 / unit as f64;
                format!("{v:.1} {name}")
            };
        }
    }
    format!("{bytes} bytes")
}

fn kind(ft: std::fs::FileType) -> &'static str {
    if ft.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a named pipe";
        }
        if ft.is_char_device() {
            return "a character device";
        }
        if ft.is_block_device() {
            return "a block device";
        }
        if ft.is_socket() {
            return "a socket";
        }
    }
    "not a file"
}

fn check(path: &Path, meta: &Metadata, limit: Limit) -> Result<(), InputError> {
    if !meta.file_type().is_file() {
        return Err(InputError::NotRegular {
            path: path.to_owned(),
            kind: kind(meta.file_type()),
        });
    }
    if meta.len() > limit.bytes {
        return Err(InputError::TooLarge {
            path: path.to_owned(),
            size: Some(meta.len()),
            limit: limit.bytes,
            what: limit.what,
        });
    }
    Ok(())
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

/// Opens a regular file no larger than `limit` for reading, and returns it with its size.
/// For callers that stream a file (hashing, copying) instead of holding it: read it
/// through `file.take(limit.bytes + 1)` and refuse it if more than `limit.bytes` come.
///
/// # Errors
/// The file is missing or unreadable, not a regular file, or over the limit.
pub fn open(path: &Path, limit: impl Into<Limit>) -> Result<(File, u64), InputError> {
    let limit = limit.into();
    let io = |source| InputError::Io {
        path: path.to_owned(),
        source,
    };
    // Checked before opening: opening a pipe or a device can block or have effects.
    check(path, &std::fs::metadata(path).map_err(io)?, limit)?;
    let file = open_nonblocking(path).map_err(io)?;
    // And on what was opened, in case the path changed in between.
    let meta = file.metadata().map_err(io)?;
    check(path, &meta, limit)?;
    Ok((file, meta.len()))
}

/// Reads a whole regular file of at most `limit` bytes.
///
/// # Errors
/// The file is missing or unreadable, not a regular file (a directory, device, pipe or
/// socket), over the limit, or grew past it while being read.
pub fn read_bytes(path: &Path, limit: impl Into<Limit>) -> Result<Vec<u8>, InputError> {
    let limit = limit.into();
    let (file, len) = open(path, limit)?;
    let mut buf = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.take(limit.bytes.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(|source| InputError::Io {
            path: path.to_owned(),
            source,
        })?;
    if buf.len() as u64 > limit.bytes {
        return Err(InputError::TooLarge {
            path: path.to_owned(),
            size: None,
            limit: limit.bytes,
            what: limit.what,
        });
    }
    Ok(buf)
}

/// Reads a whole regular file of at most `limit` bytes as UTF-8 text.
///
/// # Errors
/// As [`read_bytes`], or the file is not UTF-8 (the error gives the line and column of
/// the first bad byte).
pub fn read_text(path: &Path, limit: impl Into<Limit>) -> Result<String, InputError> {
    let bytes = read_bytes(path, limit)?;
    String::from_utf8(bytes).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = good.iter().filter(|b| **b == b'\n').count() + 1;
        let start = good.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&good[start..]).chars().count() + 1;
        InputError::NotUtf8 {
            path: path.to_owned(),
            line,
            column,
        }
    })
}
