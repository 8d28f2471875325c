//! Golden tests: every tools.yaml mistake gives the same, precise message (file:line:column and a fix).
//! Each `golden/<case>.yaml` is run through the generator against the real specs; its output must
//! equal `golden/<case>.txt`. `UPDATE_GOLDEN=1 cargo test -p atlassian-mcp-codegen` rewrites them.
mod common;

use atlassian_mcp_codegen::{generate, manifest::Manifest, Request};
use std::path::PathBuf;

fn manifest() -> Manifest {
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../specs/manifest.yaml"),
    )
    .expect("manifest");
    Manifest::parse(&text, "specs/manifest.yaml").expect("manifest parses")
}

fn run(yaml: &str) -> String {
    let m = manifest();
    let load = |name: &str| -> Result<String, String> {
        let file = &m.specs.get(name).ok_or("no such spec")?.file;
        Ok(common::load(file))
    };
    let req = Request {
        tools_yaml: yaml,
        tools_file: "tools.yaml",
        manifest: &m,
        load_spec: &load,
        inner_type: None,
    };
    match generate(&req) {
        Ok(out) => format!(
            "ok: {} tools; warnings: {:?}\n",
            out.tools.len(),
            out.warnings
        ),
        Err(d) => d.to_string(),
    }
}

#[test]
fn golden_error_messages() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("golden dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 12,
        "expected the full set of golden cases, found {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in cases {
        let yaml = std::fs::read_to_string(&case).expect("case");
        let got = run(&yaml);
        let expected_path = case.with_extension("txt");
        if update {
            std::fs::write(&expected_path, &got).expect("write golden");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if got != expected {
            failures.push(format!(
                "{}:\n--- expected\n{expected}--- got\n{got}",
                case.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
