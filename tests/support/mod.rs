//! Helpers shared by the integration tests: settings pointing at a mock Atlassian.
#![allow(dead_code)]

pub mod server;

use atlassian_mcp::app::App;
use atlassian_mcp::config::Settings;
use atlassian_mcp::http::RetryPolicy;
use mock_atlassian::Mock;
use std::collections::HashMap;
use std::time::Duration;

/// Settings from pairs, as if they were the environment.
pub fn settings(pairs: &[(&str, String)]) -> Settings {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    Settings::from_lookup(|k| map.get(k).cloned()).expect("valid settings")
}

/// OAuth settings against `mock` (token endpoint and gateway), with extra pairs.
pub fn oauth(mock: &Mock, extra: &[(&str, String)]) -> Settings {
    let mut pairs = vec![
        ("ATLASSIAN_OAUTH_CLIENT_ID", "mock-client".to_string()),
        ("ATLASSIAN_OAUTH_CLIENT_SECRET", "mock-secret".to_string()),
        (
            "ATLASSIAN_OAUTH_TOKEN_URL",
            format!("{}/oauth/token", mock.url()),
        ),
        ("ATLASSIAN_API_BASE_URL", mock.url().to_string()),
        ("ATLASSIAN_TIMEOUT_SECONDS", "5".to_string()),
    ];
    pairs.extend(extra.iter().cloned());
    settings(&pairs)
}

/// Retries fast enough for tests.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(10),
        min_retry_after: Duration::from_millis(20),
        max_retry_after: Duration::from_millis(200),
        wait_budget: Duration::from_secs(5),
    }
}

pub async fn connect(settings: Settings) -> App {
    App::connect(settings, fast_retry())
        .await
        .expect("connects")
}

/// Arguments object from JSON.
pub fn args(v: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
    v.as_object().cloned().expect("object")
}

pub fn tool(name: &str) -> &'static atlassian_mcp::registry::ToolDef {
    atlassian_mcp::registry::find(name).expect("tool exists")
}
