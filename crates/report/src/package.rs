//! The evidence package: a zip of the stored evidence files (`files/<sha256>`) and
//! `manifest.json` listing every item with its SHA-256, and its verification.
//!
//! Entry names are built only from checked 64-hex digests, so no entry can name a path
//! outside the package. Reading a package bounds what it inflates: each entry's declared
//! size, its compression ratio and the bytes actually read are all limited, so a zip
//! bomb is refused instead of filling memory.

use std::io::{Read, Seek, Write};

use crosswalk_core::evidence::Sha256;
use serde::{Deserialize, Serialize};
use sha2::Digest;

use crate::ReportError;

/// Largest file the package holds or verification inflates (512 MiB).
pub const MAX_ENTRY_BYTES: u64 = 512 << 20;
/// Largest `manifest.json` read (64 MiB).
pub const MAX_MANIFEST_BYTES: u64 = 64 << 20;
/// Entries above 1 MiB may not inflate more than this many times their stored size.
pub const MAX_RATIO: u64 = 500;

/// One entry of `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestEntry {
    pub id: String,
    pub title: String,
    pub collected: String,
    pub valid_until: Option<String>,
    pub controls: Vec<String>,
    /// `sha256:<hex>` files are in the package at `path`; links are listed as they are.
    pub location: String,
    pub path: Option<String>,
    pub sha256: Option<String>,
}

/// `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub organization: String,
    pub created: String,
    pub evidence: Vec<ManifestEntry>,
}

/// Writes the package: `manifest` as given, with each entry whose `sha256` is set stored
/// at `files/<sha256>` from `fetch(sha256)`. Returns how many files it holds.
///
/// # Errors
/// A digest that is not 64 hex digits, a file `fetch` cannot give, or a write failure.
pub fn write<W: Write + Seek>(
    out: W,
    manifest: &Manifest,
    fetch: &mut dyn FnMut(&str) -> Result<Vec<u8>, String>,
) -> Result<usize, ReportError> {
    let mut zip = zip::ZipWriter::new(out);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut files = 0;
    let mut written = std::collections::HashSet::new();
    for e in &manifest.evidence {
        let Some(hex) = &e.sha256 else { continue };
        if Sha256::parse(hex).is_err() {
            return Err(ReportError::Invalid(format!(
                "evidence {}: `{hex}` is not a SHA-256 digest",
                e.id
            )));
        }
        files += 1;
        if !written.insert(hex.as_str()) {
            continue;
        }
        let bytes =
            fetch(hex).map_err(|m| ReportError::Invalid(format!("evidence {}: {m}", e.id)))?;
        zip.start_file(format!("files/{hex}"), opts)?;
        zip.write_all(&bytes)?;
    }
    // The manifest can list hundreds of thousands of items: the fastest deflate level
    // keeps writing it well under a second.
    zip.start_file("manifest.json", opts.compression_level(Some(1)))?;
    let mut w = std::io::BufWriter::new(&mut zip);
    serde_json::to_writer_pretty(&mut w, manifest)
        .map_err(|e| ReportError::Invalid(format!("manifest: {e}")))?;
    w.flush()?;
    drop(w);
    zip.finish()?;
    Ok(files)
}

/// What checking a package found.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    /// Items in the manifest.
    pub items: usize,
    /// Files whose content matches their SHA-256.
    pub checked: usize,
    /// Each file missing, altered or refused, with its item.
    pub problems: Vec<String>,
}

fn read_entry<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    name: &str,
    limit: u64,
) -> Result<Vec<u8>, String> {
    let f = zip
        .by_name(name)
        .map_err(|_| format!("{name} is missing"))?;
    let (size, stored) = (f.size(), f.compressed_size().max(1));
    if size > limit {
        return Err(format!(
            "{name} declares {size} bytes, over the {limit}-byte limit"
        ));
    }
    if size > (1 << 20) && size / stored > MAX_RATIO {
        return Err(format!(
            "{name} would inflate {}-fold, more than the {MAX_RATIO}-fold a real file does (a zip bomb?)",
            size / stored
        ));
    }
    let mut bytes = Vec::new();
    f.take(size.min(limit) + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{name}: {e}"))?;
    if bytes.len() as u64 != size {
        return Err(format!(
            "{name} holds more or less than its declared {size} bytes"
        ));
    }
    Ok(bytes)
}

/// Checks every file of a package against its manifest's SHA-256.
///
/// # Errors
/// When the input is not a zip archive or has no readable `manifest.json`.
pub fn verify<R: Read + Seek>(input: R) -> Result<Verification, ReportError> {
    let mut zip = zip::ZipArchive::new(input)
        .map_err(|e| ReportError::Invalid(format!("not a zip archive: {e}")))?;
    let text = read_entry(&mut zip, "manifest.json", MAX_MANIFEST_BYTES)
        .map_err(|m| ReportError::Invalid(format!("no readable manifest.json: {m}")))?;
    let manifest: Manifest = serde_json::from_slice(&text)
        .map_err(|e| ReportError::Invalid(format!("manifest.json: {e}")))?;
    let mut problems = Vec::new();
    let mut checked = 0;
    for e in &manifest.evidence {
        let (Some(path), Some(want)) = (&e.path, &e.sha256) else {
            continue;
        };
        if Sha256::parse(want).is_err() || path != &format!("files/{want}") {
            problems.push(format!(
                "{}: entry `{}` is not a package file name (files/<sha256>)",
                e.id,
                path.escape_debug()
            ));
            continue;
        }
        match read_entry(&mut zip, path, MAX_ENTRY_BYTES) {
            Ok(bytes) => {
                let got = format!("{:x}", sha2::Sha256::digest(&bytes));
                if &got == want {
                    checked += 1;
                } else {
                    problems.push(format!(
                        "{}: {path} does not match its SHA-256 (altered)",
                        e.id
                    ));
                }
            }
            Err(m) => problems.push(format!("{}: {m}", e.id)),
        }
    }
    Ok(Verification {
        items: manifest.evidence.len(),
        checked,
        problems,
    })
}
