//! Every operation of each spec, generated one at a time: which generate, and that every failure is a
//! clear error (a refused operation or a reported progenitor failure), never a panic escaping.
mod common;

use atlassian_mcp_codegen::{load_patched, plan::unsupported_reason, spec_module};

struct Report {
    total: usize,
    generated: usize,
    refused: Vec<(String, String)>,
    failed: Vec<(String, String)>,
}

fn run(name: &str, file: &str) -> Report {
    let (spec, _) = load_patched(name, &common::load(file)).expect("spec parses");
    let mut r = Report {
        total: spec.ops.len(),
        generated: 0,
        refused: vec![],
        failed: vec![],
    };
    for id in spec.ops.keys() {
        let op = spec.operation(id).expect("indexed");
        if let Some(why) = unsupported_reason(&spec, op) {
            r.refused.push((id.clone(), why));
            continue;
        }
        match spec_module(&spec, &[id.as_str()], None) {
            Ok(_) => r.generated += 1,
            Err(e) => r.failed.push((id.clone(), e)),
        }
    }
    eprintln!(
        "{name}: {} of {} generated, {} refused, {} failed",
        r.generated,
        r.total,
        r.refused.len(),
        r.failed.len()
    );
    for (id, why) in r.refused.iter().chain(&r.failed) {
        eprintln!("  {id}: {why}");
    }
    r
}

#[test]
fn jira_platform_generates_at_least_600_of_616() {
    let r = run("jira", "jira-platform.v3.json");
    assert_eq!(r.total, 616);
    assert!(r.generated >= 600, "only {} generated", r.generated);
    for (_, why) in r.refused.iter().chain(&r.failed) {
        assert!(!why.is_empty());
    }
}

#[test]
fn jira_software_generates_every_operation() {
    let r = run("jira_agile", "jira-software.v3.json");
    assert_eq!(r.generated + r.refused.len(), r.total);
    assert!(r.failed.is_empty());
}

#[test]
fn confluence_v2_generates_every_operation() {
    let r = run("confluence", "confluence-v2.v3.json");
    assert_eq!(r.generated + r.refused.len(), r.total);
    assert!(r.failed.is_empty());
}

#[test]
fn confluence_v1_generates_every_supported_operation() {
    let r = run("confluence_v1", "confluence-v1.v3.json");
    assert!(r.failed.is_empty());
}
