//! Compiles the built-in library (`data/`) into a binary image at build time, so the
//! binary parses no TOML at run time. Any problem in the data fails the build with the
//! same located diagnostics that `crosswalk library validate` prints.

use std::path::Path;

use crosswalk_core::search::SearchIndex;

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let data = Path::new(&manifest).join("data");
    println!("cargo::rerun-if-changed=data");
    let library = crosswalk_format::read_dir(&data, "data/").and_then(|l| {
        let parts = l.parts.clone();
        l.into_library().map(|_| parts)
    });
    let parts = match library {
        Ok(parts) => parts,
        Err(diags) => {
            for d in diags {
                println!("cargo::error={d}");
            }
            return;
        }
    };
    // Every id a framework answers to, for checks that need no decoded library.
    let mut ids: Vec<String> = Vec::new();
    for f in &parts.frameworks {
        ids.push(f.id().to_string());
        ids.push(f.meta.family.to_string());
        ids.extend(f.meta.aliases.iter().map(ToString::to_string));
    }
    ids.sort();
    ids.dedup();
    let out = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into());
    if let Err(e) = std::fs::write(Path::new(&out).join("ids.txt"), ids.join("\n")) {
        println!("cargo::error=cannot write the built-in id list: {e}");
    }
    // Two images: the library, decoded by every command, and its search index, decoded
    // only by the commands that search.
    let index = SearchIndex::build(&parts.frameworks);
    for (file, image) in [
        ("library.postcard", postcard::to_allocvec(&parts)),
        ("index.postcard", postcard::to_allocvec(&index)),
    ] {
        let image = match image {
            Ok(bytes) => bytes,
            Err(e) => {
                println!("cargo::error=cannot encode the built-in library ({file}): {e}");
                return;
            }
        };
        if let Err(e) = std::fs::write(Path::new(&out).join(file), image) {
            println!("cargo::error=cannot write the built-in library image {file}: {e}");
        }
    }
}
