//! Shared helpers: where the specs are.
use std::path::PathBuf;

/// `$ATLASSIAN_SPECS_DIR`, else `../shared/specs` next to the repository.
pub fn specs_dir() -> PathBuf {
    match std::env::var_os("ATLASSIAN_SPECS_DIR") {
        Some(d) => {
            let d = PathBuf::from(d);
            if d.is_absolute() {
                d
            } else {
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(d)
            }
        }
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/specs"),
    }
}

pub fn load(file: &str) -> String {
    let path = specs_dir().join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e} (set ATLASSIAN_SPECS_DIR)",
            path.display()
        )
    })
}
