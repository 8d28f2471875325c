//! Generates clients for every operation of two whole specs so that `cargo test` proves they compile.
use atlassian_mcp_codegen::{load_patched, plan::unsupported_reason, spec_module};
use std::path::PathBuf;

fn main() {
    let dir = std::env::var_os("ATLASSIAN_SPECS_DIR")
        .map(PathBuf::from)
        .map(|d| {
            if d.is_absolute() {
                d
            } else {
                PathBuf::from("..").join(d)
            }
        })
        .unwrap_or_else(|| PathBuf::from("../../shared/specs"));
    println!("cargo:rerun-if-env-changed=ATLASSIAN_SPECS_DIR");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for (name, file) in [
        ("confluence", "confluence-v2.v3.json"),
        ("jira_agile", "jira-software.v3.json"),
    ] {
        let path = dir.join(file);
        println!("cargo:rerun-if-changed={}", path.display());
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let (spec, _) = load_patched(name, &text).unwrap_or_else(|e| panic!("{e}"));
        let ops: Vec<&str> = spec
            .ops
            .keys()
            .map(String::as_str)
            .filter(|id| {
                spec.operation(id)
                    .is_some_and(|op| unsupported_reason(&spec, op).is_none())
            })
            .collect();
        let code = spec_module(&spec, &ops, None).unwrap_or_else(|e| panic!("{name}: {e}"));
        std::fs::write(out.join(format!("{name}.rs")), code).unwrap_or_else(|e| panic!("{e}"));
    }
}
