//! The real binary over streamable HTTP against a mock Atlassian: calls, DNS-rebinding protection,
//! bearer token.
mod support;

use mock_atlassian::{Config, Mock};
use serde_json::{json, Value};
use std::time::Duration;
use support::server::{oauth_env, start_http};

async fn rpc(
    http: &reqwest::Client,
    url: &str,
    body: Value,
    headers: &[(&str, &str)],
) -> (u16, Value) {
    let mut req = http
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2025-11-25");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = req.json(&body).send().await.expect("request");
    let status = r.status().as_u16();
    let text = r.text().await.unwrap_or_default();
    // JSON, or the last `data:` line of an SSE stream.
    let value = serde_json::from_str(&text)
        .ok()
        .or_else(|| {
            text.lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .filter_map(|d| serde_json::from_str(d.trim()).ok())
                .next_back()
        })
        .unwrap_or(Value::Null);
    (status, value)
}

fn init() -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_mcp_over_http_and_refuses_rebinding() {
    let mock = Mock::start(Config::default()).await.expect("mock");
    let server = start_http(&oauth_env(&mock), &[]).await;
    let url = format!("{}/mcp", server.base);
    let http = atlassian_mcp::http::build_client(Duration::from_secs(10)).expect("client");

    let (status, v) = rpc(&http, &url, init(), &[]).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["result"]["protocolVersion"], "2025-11-25");

    let (_, v) = rpc(
        &http,
        &url,
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
        &[],
    )
    .await;
    assert!(
        v["result"]["tools"]
            .as_array()
            .is_some_and(|t| t.len() >= 9),
        "{v}"
    );

    let call = json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "confluence_get_page", "arguments": {"page_id": 98765}}});
    let (_, v) = rpc(&http, &url, call, &[]).await;
    assert_eq!(
        v["result"]["structuredContent"]["title"], "Release notes",
        "{v}"
    );
    let rec = mock.recorded();
    let page = rec
        .iter()
        .find(|r| r.path.contains("/pages/"))
        .expect("page request");
    assert_eq!(
        page.query.get("body-format").map(|v| v.as_slice()),
        Some(&["storage".to_string()][..])
    );

    // DNS rebinding: a foreign Host or Origin is refused before any MCP handling.
    let (status, _) = rpc(&http, &url, init(), &[("host", "evil.example")]).await;
    assert!(
        (400..500).contains(&status),
        "foreign Host answered {status}"
    );
    let (status, _) = rpc(&http, &url, init(), &[("origin", "http://evil.example")]).await;
    assert!(
        (400..500).contains(&status),
        "foreign Origin answered {status}"
    );
    let (status, _) = rpc(&http, &url, init(), &[("origin", "http://localhost:3000")]).await;
    assert_eq!(status, 200, "a local Origin is fine");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bearer_token_guards_the_endpoint_but_not_healthz() {
    let mock = Mock::start(Config::default()).await.expect("mock");
    let mut env = oauth_env(&mock);
    env.push(("MCP_HTTP_BEARER_TOKEN".into(), "let-me-in".into()));
    let server = start_http(&env, &[]).await;
    let url = format!("{}/mcp", server.base);
    let http = atlassian_mcp::http::build_client(Duration::from_secs(10)).expect("client");
    let (status, _) = rpc(&http, &url, init(), &[]).await;
    assert_eq!(status, 401);
    let (status, _) = rpc(&http, &url, init(), &[("authorization", "Bearer wrong")]).await;
    assert_eq!(status, 401);
    let (status, v) = rpc(
        &http,
        &url,
        init(),
        &[("authorization", "Bearer let-me-in")],
    )
    .await;
    assert_eq!(status, 200, "{v}");
}
