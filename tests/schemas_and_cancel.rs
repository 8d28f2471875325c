//! Input schemas are portable (what MCP Inspector's --strict check demands), and a cancelled call
//! stops waiting for Atlassian.
mod support;

use atlassian_mcp::generated::registry::TOOLS;
use atlassian_mcp::server::audit::Audit;
use atlassian_mcp::server::filters::Filters;
use atlassian_mcp::server::AtlassianServer;
use mock_atlassian::{Config, Mock, CLOUD_ID};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::*;

fn check(path: &str, schema: &Value, problems: &mut Vec<String>) {
    let Some(obj) = schema.as_object() else {
        problems.push(format!("{path}: not an object"));
        return;
    };
    for banned in [
        "$ref",
        "$defs",
        "definitions",
        "anyOf",
        "oneOf",
        "allOf",
        "nullable",
    ] {
        if obj.contains_key(banned) {
            problems.push(format!("{path}: has `{banned}`"));
        }
    }
    if !obj.contains_key("type") {
        problems.push(format!("{path}: no type"));
    }
    if let Some(props) = obj.get("properties").and_then(Value::as_object) {
        for (name, p) in props {
            if name.len() > 64 {
                problems.push(format!("{path}.{name}: name longer than 64"));
            }
            check(&format!("{path}.{name}"), p, problems);
        }
    }
    if let Some(items) = obj.get("items") {
        check(&format!("{path}[]"), items, problems);
    }
    if let Some(ap @ Value::Object(_)) = obj.get("additionalProperties") {
        check(&format!("{path}{{}}"), ap, problems);
    }
}

#[test]
fn every_input_schema_is_portable() {
    let mut problems = Vec::new();
    for t in TOOLS {
        let schema = atlassian_mcp::app::input_schema(t);
        assert_eq!(schema["type"], "object", "{}", t.name);
        assert!(t.name.len() <= 64);
        check(t.name, schema, &mut problems);
        for r in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let r = r.as_str().unwrap_or("");
            if schema["properties"].get(r).is_none() {
                problems.push(format!("{}: required `{r}` is not a property", t.name));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn tools_list_stays_within_the_size_budget() {
    let list: Vec<Value> = TOOLS
        .iter()
        .map(|t| serde_json::to_value(atlassian_mcp::server::mcp_tool(t)).expect("json"))
        .collect();
    let bytes = serde_json::to_string(&list).expect("json").len();
    let per_tool = bytes / list.len();
    assert!(
        per_tool <= 650,
        "tools/list averages {per_tool} bytes per tool (budget 650)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_call_stops_waiting_for_atlassian() {
    let mock = Mock::start(Config::default()).await.expect("mock");
    let settings = oauth(&mock, &[("ATLASSIAN_CLOUD_ID", CLOUD_ID.to_string())]);
    let server = AtlassianServer::new(
        settings,
        Filters::default(),
        Audit::to_writer(Box::new(std::io::sink())),
        fast_retry(),
    );
    mock.delay_next("/issue/PROJ-1", Duration::from_secs(4));
    let cancel = tokio_util::sync::CancellationToken::new();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        trigger.cancel();
    });
    let started = Instant::now();
    let args = json!({"issue_key": "PROJ-1"})
        .as_object()
        .cloned()
        .unwrap_or_default();
    let result = server.run("jira_get_issue", args, cancel).await;
    assert!(result.is_err(), "a cancelled request gets no tool result");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "returned after {:?}",
        started.elapsed()
    );
    assert_eq!(
        mock.count("/issue/PROJ-1"),
        1,
        "the request had been sent and was abandoned"
    );
}
