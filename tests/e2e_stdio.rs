//! The real binary over stdio, driven by rmcp's MCP client, against a mock Atlassian.
mod support;

use mock_atlassian::{Config, Mock};
use rmcp::model::CallToolRequestParams;
use rmcp::transport::TokioChildProcess;
use rmcp::ServiceExt;
use serde_json::{json, Value};
use support::server::{command, oauth_env};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn client(env: &[(String, String)]) -> rmcp::service::RunningService<rmcp::RoleClient, ()> {
    let transport = TokioChildProcess::new(command(&[], env)).expect("spawn");
    ().serve(transport).await.expect("initialize")
}

/// Calls `name` with JSON `args` through the MCP client.
async fn call(
    c: &rmcp::service::RunningService<rmcp::RoleClient, ()>,
    name: &'static str,
    args: Value,
) -> rmcp::model::CallToolResult {
    let args = args.as_object().cloned().unwrap_or_default();
    c.call_tool(CallToolRequestParams::new(name).with_arguments(args))
        .await
        .expect("call")
}

fn text_of(r: &rmcp::model::CallToolResult) -> String {
    serde_json::to_value(&r.content)
        .map(|v| v.to_string())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn initialize_list_and_call_through_a_real_client() {
    let mock = Mock::start(Config::default()).await.expect("mock");
    let audit_file =
        std::env::temp_dir().join(format!("atlassian-mcp-audit-{}.jsonl", std::process::id()));
    let _ = std::fs::remove_file(&audit_file);
    let mut env = oauth_env(&mock);
    env.retain(|(k, _)| k != "AUDIT_LOG_FILE");
    env.push(("AUDIT_LOG_FILE".into(), audit_file.display().to_string()));
    let c = client(&env).await;
    let info = c.peer_info().expect("server info");
    assert_eq!(
        info.server_info.as_ref().map(|i| i.name.as_str()),
        Some("atlassian-mcp")
    );
    assert!(info.capabilities.tools.is_some());

    let tools = c.list_all_tools().await.expect("tools/list");
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert!(
        names.contains(&"jira_get_issue") && names.contains(&"confluence_search"),
        "{names:?}"
    );
    // tools/list is exactly generated/tools.json.
    let expected: Value =
        serde_json::from_str(include_str!(concat!(env!("OUT_DIR"), "/tools.json")))
            .expect("tools.json");
    assert_eq!(
        serde_json::to_value(&tools).expect("json"),
        expected["tools"]
    );

    let ok = call(&c, "jira_get_issue", json!({"issue_key": "PROJ-1"})).await;
    assert_ne!(ok.is_error, Some(true));
    let structured = ok.structured_content.clone().expect("structuredContent");
    assert_eq!(structured["key"], "PROJ-1");
    assert!(
        text_of(&ok).contains("Login fails with SSO"),
        "text copy of the result"
    );

    let missing = call(&c, "jira_get_issue", json!({"issue_key": "PROJ-404"})).await;
    assert_eq!(missing.is_error, Some(true));
    let t = text_of(&missing);
    assert!(
        t.contains("HTTP 404") && t.contains("Issue does not exist"),
        "{t}"
    );

    let invalid = call(
        &c,
        "jira_search",
        json!({"jql": "project = PROJ", "limit": "ten"}),
    )
    .await;
    assert_eq!(invalid.is_error, Some(true));
    let t = text_of(&invalid);
    assert!(t.contains("limit") && t.contains("integer"), "{t}");
    assert_eq!(
        mock.count("/search/jql"),
        0,
        "invalid arguments are refused before anything is sent"
    );

    let unknown = c
        .call_tool(CallToolRequestParams::new("jira_no_such_tool"))
        .await;
    assert!(unknown.is_err(), "unknown tool is a JSON-RPC error");
    c.cancel().await.expect("shutdown");

    // One audit line per call: outcome and status, a digest instead of the arguments.
    let audit = std::fs::read_to_string(&audit_file).expect("audit file");
    let lines: Vec<Value> = audit
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let outcomes: Vec<(&str, Option<u64>)> = lines
        .iter()
        .map(|l| {
            (
                l["outcome"].as_str().unwrap_or(""),
                l["http_status"].as_u64(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        vec![("ok", Some(200)), ("error", Some(404)), ("refused", None)]
    );
    assert!(lines.iter().all(|l| l["identity"] == "oauth:mock-client"
        && l["args_sha256"].as_str().is_some_and(|d| d.len() == 32)));
    assert!(
        !audit.contains("PROJ-404") && !audit.contains("\"ten\""),
        "argument values stay out of the audit trail: {audit}"
    );
    let _ = std::fs::remove_file(&audit_file);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_mode_hides_and_refuses_write_tools() {
    let mock = Mock::start(Config::default()).await.expect("mock");
    let mut env = oauth_env(&mock);
    env.push(("READ_ONLY_MODE".into(), "true".into()));
    let c = client(&env).await;
    let tools = c.list_all_tools().await.expect("tools/list");
    assert!(tools
        .iter()
        .all(|t| t.name != "jira_create_issue" && t.name != "jira_transition_issue"));
    assert!(tools.iter().any(|t| t.name == "jira_get_issue"));
    let r = call(
        &c,
        "jira_create_issue",
        json!({"project_key": "PROJ", "summary": "x", "issue_type": "Task"}),
    )
    .await;
    assert_eq!(r.is_error, Some(true));
    assert!(text_of(&r).contains("read-only mode"));
    assert_eq!(
        mock.recorded()
            .iter()
            .filter(|r| r.method == "POST")
            .count(),
        0
    );
    c.cancel().await.expect("shutdown");
}

/// Raw stdio: negotiated versions, nothing but JSON-RPC on stdout, exit 0 on stdin EOF.
#[tokio::test]
async fn negotiates_protocol_versions_and_exits_cleanly_on_eof() {
    let mock = Mock::start(Config::default()).await.expect("mock");
    for version in ["2025-06-18", "2025-11-25"] {
        let mut child = command(&[], &oauth_env(&mock))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut stdin = child.stdin.take().expect("stdin");
        let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}});
        let lines = format!(
            "{init}\n{}\n{}\n",
            json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
            json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
        );
        stdin.write_all(lines.as_bytes()).await.expect("write");
        drop(stdin);
        let status = tokio::time::timeout(std::time::Duration::from_secs(20), child.wait())
            .await
            .expect("exits after EOF")
            .expect("status");
        assert!(status.success(), "exit status {status:?}");
        let mut out = String::new();
        child
            .stdout
            .take()
            .expect("stdout")
            .read_to_string(&mut out)
            .await
            .expect("read");
        let messages: Vec<Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("non-JSON on stdout: {l}")))
            .collect();
        assert_eq!(messages.len(), 2, "{out}");
        assert_eq!(messages[0]["result"]["protocolVersion"], version);
        assert!(messages[1]["result"]["tools"]
            .as_array()
            .is_some_and(|t| !t.is_empty()));
    }
}

#[tokio::test]
async fn incomplete_configuration_is_a_clear_startup_error() {
    let out = command(&[], &[("ATLASSIAN_OAUTH_CLIENT_ID".into(), "x".into())])
        .output()
        .await
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("ATLASSIAN_OAUTH_CLIENT_SECRET is missing"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scopes_from_the_token_response_hide_tools_they_cannot_call() {
    let mock = Mock::start(Config {
        token_scope: Some("read:jira-work".into()),
        ..Config::default()
    })
    .await
    .expect("mock");
    let c = client(&oauth_env(&mock)).await;
    let before = c.list_all_tools().await.expect("tools/list");
    assert!(
        before.iter().any(|t| t.name == "jira_create_issue"),
        "scopes unknown before the first token"
    );
    let ok = call(&c, "jira_get_issue", json!({"issue_key": "PROJ-1"})).await;
    assert_ne!(ok.is_error, Some(true));
    let after = c.list_all_tools().await.expect("tools/list");
    assert!(
        after.iter().all(|t| t.name != "jira_create_issue"),
        "write tool hidden once the token says read-only"
    );
    let refused = call(
        &c,
        "jira_create_issue",
        json!({"project_key": "PROJ", "summary": "x", "issue_type": "Task"}),
    )
    .await;
    assert_eq!(refused.is_error, Some(true));
    assert!(
        text_of(&refused).contains("write:jira-work"),
        "{}",
        text_of(&refused)
    );
    c.cancel().await.expect("shutdown");
}
