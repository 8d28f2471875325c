//! Thin build script: reads tools.yaml and the specs, calls the generator, writes to OUT_DIR and
//! mirrors the output into generated/ for reading. All logic lives in `codegen/`.

use atlassian_mcp_codegen::{generate, manifest::Manifest, Request};
use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    );
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo:rerun-if-changed=tools.yaml");
    println!("cargo:rerun-if-changed=specs/manifest.yaml");
    println!("cargo:rerun-if-env-changed=ATLASSIAN_SPECS_DIR");

    let manifest_text = read(&root.join("specs/manifest.yaml"));
    let manifest = Manifest::parse(&manifest_text, "specs/manifest.yaml")
        .unwrap_or_else(|d| fail(&d.to_string()));
    let specs_dir = match std::env::var_os("ATLASSIAN_SPECS_DIR") {
        Some(d) => root.join(d),
        None => root.join("specs"),
    };
    let load_spec = |name: &str| -> Result<String, String> {
        let path = manifest
            .path_of(name, &specs_dir)
            .ok_or_else(|| format!("spec `{name}` is not in specs/manifest.yaml"))?;
        println!("cargo:rerun-if-changed={}", path.display());
        std::fs::read_to_string(&path).map_err(|e| {
            format!(
                "cannot read spec `{name}` at {}: {e}\n  help: run `scripts/fetch-specs` (downloads into specs/), or set ATLASSIAN_SPECS_DIR to a folder holding {}",
                path.display(),
                path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default()
            )
        })
    };
    let tools_yaml = read(&root.join("tools.yaml"));
    let request = Request {
        tools_yaml: &tools_yaml,
        tools_file: "tools.yaml",
        manifest: &manifest,
        load_spec: &load_spec,
        inner_type: Some(quote_inner()),
    };
    let output = generate(&request).unwrap_or_else(|d| fail(&d.to_string()));
    for w in &output.warnings {
        println!("cargo:warning={w}");
    }
    let mirror = root.join("generated");
    for (name, text) in &output.files {
        std::fs::write(out.join(name), text)
            .unwrap_or_else(|e| fail(&format!("cannot write {name}: {e}")));
        // The mirror is for reading only; a read-only checkout must still build.
        let _ = std::fs::write(mirror.join(name), text);
    }
}

fn quote_inner() -> atlassian_mcp_codegen::TokenStream {
    "crate::http::Transport"
        .parse()
        .unwrap_or_else(|_| fail("inner type does not parse"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", path.display())))
}

fn fail(message: &str) -> ! {
    eprintln!("{message}");
    std::process::exit(1);
}
