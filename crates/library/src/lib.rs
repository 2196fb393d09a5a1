//! The standards crosswalk ships, and user libraries loaded on top of them.
//!
//! The built-in data under `data/` is parsed and checked by `build.rs`; the binary holds
//! the result as two postcard images, the library and its search index, each decoded once
//! on first use (the index only by commands that search).

use std::path::Path;
use std::sync::OnceLock;

use crosswalk_core::library::{Library, LibraryParts};
use crosswalk_core::search::SearchIndex;
use crosswalk_format::{Diagnostic, Loaded};

static IMAGE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/library.postcard"));
static INDEX: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/index.postcard"));
static IDS: &str = include_str!(concat!(env!("OUT_DIR"), "/ids.txt"));

/// Every id, short id and alias of the built-in frameworks, without decoding the library.
pub fn builtin_ids() -> impl Iterator<Item = &'static str> {
    IDS.lines()
}

/// Why a library could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("the built-in library image is corrupt: {0}")]
    Image(String),
    #[error("{} problem(s) in the library:\n{}", .0.len(), render(.0))]
    Invalid(Vec<Diagnostic>),
}

fn render(diags: &[Diagnostic]) -> String {
    diags
        .iter()
        .map(|d| format!("  {d}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A library with its search index, made on first use: decoded from the built-in image
/// for the built-in library, built from the frameworks for a library with user files.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub library: Library,
    index: OnceLock<SearchIndex>,
    builtin: bool,
}

impl Catalog {
    /// The search index over every requirement of the library.
    pub fn index(&self) -> &SearchIndex {
        self.index.get_or_init(|| {
            let decoded = self
                .builtin
                .then(|| postcard::from_bytes::<SearchIndex>(INDEX).ok())
                .flatten();
            // A corrupt built-in index image is rebuilt rather than trusted.
            decoded.unwrap_or_else(|| SearchIndex::build(self.library.frameworks()))
        })
    }
}

fn decode() -> Result<LibraryParts, LoadError> {
    postcard::from_bytes(IMAGE).map_err(|e| LoadError::Image(e.to_string()))
}

/// The built-in library, decoded on first use.
pub fn builtin() -> Result<&'static Catalog, LoadError> {
    static BUILTIN: OnceLock<Result<Catalog, String>> = OnceLock::new();
    BUILTIN
        .get_or_init(|| {
            let parts = decode().map_err(|e| e.to_string())?;
            let library = Library::new(parts).map_err(|issues| {
                issues
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            })?;
            Ok(Catalog {
                library,
                index: OnceLock::new(),
                builtin: true,
            })
        })
        .as_ref()
        .map_err(|e| LoadError::Image(e.clone()))
}

/// The built-in library plus the files under each of `dirs`. User files may add
/// frameworks, profiles and pair notes; they may not redefine built-in ids.
pub fn load(dirs: &[&Path]) -> Result<Catalog, LoadError> {
    if dirs.is_empty() {
        return builtin().cloned();
    }
    let parts = decode()?;
    let mut loaded = Loaded::from_parts(parts, "<built-in library>");
    let mut diags = Vec::new();
    for dir in dirs {
        match crosswalk_format::read_dir(dir, &format!("{}/", dir.display())) {
            Ok(user) => loaded.extend(user),
            Err(d) => diags.extend(d),
        }
    }
    if !diags.is_empty() {
        return Err(LoadError::Invalid(diags));
    }
    let library = loaded.into_library().map_err(LoadError::Invalid)?;
    Ok(Catalog {
        library,
        index: OnceLock::new(),
        builtin: false,
    })
}

/// Checks the library files under `dir` on their own and together with the built-in
/// library. Returns every problem found; empty means valid.
pub fn validate_dir(dir: &Path) -> Result<Vec<Diagnostic>, LoadError> {
    match load(&[dir]) {
        Ok(_) => Ok(Vec::new()),
        Err(LoadError::Invalid(d)) => Ok(d),
        Err(e) => Err(e),
    }
}
