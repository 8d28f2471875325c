//! Every default tool, through the real handler, against the mock: each `tests/tools/<case>.json`
//! gives the arguments and a realistic upstream answer (written by us, shaped like Jira/Confluence
//! Cloud's); its `expect` holds the requests sent (method, path, query, body — ADF as structure) and
//! the shaped result. `UPDATE_GOLDEN=1 cargo test --test tools_golden` rewrites `expect`.
mod support;

use atlassian_mcp::generated::registry::TOOLS;
use atlassian_mcp::server::audit::Audit;
use atlassian_mcp::server::filters::Filters;
use atlassian_mcp::server::AtlassianServer;
use mock_atlassian::{Config, Fault, Mock, CLOUD_ID};
use serde_json::{json, Value};
use std::path::PathBuf;
use support::*;

fn respond(mock: &Mock, answer: &Value) {
    let status = answer[0].as_u64().unwrap_or(200) as u16;
    let body = if answer[1].is_null() {
        String::new()
    } else {
        answer[1].to_string()
    };
    mock.push_fault(
        "",
        Fault {
            status,
            headers: vec![],
            body,
        },
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_default_tool_sends_the_right_request_and_shapes_the_answer() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/tools");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("cases")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    let mut covered = std::collections::BTreeSet::new();
    let mut failures = Vec::new();
    for file in files {
        let mut case: Value = serde_json::from_str(&std::fs::read_to_string(&file).expect("read"))
            .expect("case is JSON");
        let tool = case["tool"].as_str().expect("tool").to_string();
        covered.insert(tool.clone());
        // A fresh mock and server per case keep requests and tokens apart.
        let mock = Mock::start(Config::default()).await.expect("mock");
        let settings = oauth(
            &mock,
            &[
                ("ATLASSIAN_CLOUD_ID", CLOUD_ID.to_string()),
                (
                    "ATLASSIAN_SITE_URL",
                    "https://acme.atlassian.net".to_string(),
                ),
            ],
        );
        let server = AtlassianServer::new(
            settings,
            Filters::default(),
            Audit::to_writer(Box::new(std::io::sink())),
            fast_retry(),
        );
        if let Some(pre) = case.get("prefetch") {
            respond(&mock, pre);
        }
        respond(&mock, &case["respond"]);
        let args = case["args"].as_object().cloned().unwrap_or_default();
        let result = server
            .run(&tool, args, tokio_util::sync::CancellationToken::new())
            .await
            .expect("a tool result");
        let requests: Vec<Value> = mock
            .recorded()
            .iter()
            .map(|r| json!({"method": r.method, "path": r.path, "query": r.query, "body": r.body}))
            .collect();
        let actual = json!({
            "requests": requests,
            "is_error": result.is_error.unwrap_or(false),
            "result": result.structured_content,
        });
        if update {
            case["expect"] = actual;
            std::fs::write(
                &file,
                serde_json::to_string_pretty(&case).expect("json") + "\n",
            )
            .expect("write");
        } else if case["expect"] != actual {
            failures.push(format!(
                "{}:\n--- expected\n{}\n--- actual\n{}",
                file.display(),
                serde_json::to_string_pretty(&case["expect"]).unwrap_or_default(),
                serde_json::to_string_pretty(&actual).unwrap_or_default()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    let missing: Vec<&str> = TOOLS
        .iter()
        .map(|t| t.name)
        .filter(|n| !covered.contains(*n))
        .collect();
    assert!(
        missing.is_empty(),
        "tools without a golden case: {missing:?}"
    );
}
