//! Starting the real `atlassian-mcp` binary against a mock Atlassian.
#![allow(dead_code)]

use mock_atlassian::Mock;
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_atlassian-mcp");

/// Environment that points the binary at `mock` with OAuth client credentials.
pub fn oauth_env(mock: &Mock) -> Vec<(String, String)> {
    [
        ("ATLASSIAN_OAUTH_CLIENT_ID", "mock-client".to_string()),
        ("ATLASSIAN_OAUTH_CLIENT_SECRET", "mock-secret".to_string()),
        (
            "ATLASSIAN_OAUTH_TOKEN_URL",
            format!("{}/oauth/token", mock.url()),
        ),
        ("ATLASSIAN_API_BASE_URL", mock.url().to_string()),
        ("ATLASSIAN_SITE_URL", mock.url().to_string()),
        ("ATLASSIAN_MCP_LOG", "error".to_string()),
        ("AUDIT_LOG_FILE", "/dev/null".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// A `tokio::process::Command` for the binary with a clean environment plus `env`.
pub fn command(args: &[&str], env: &[(String, String)]) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(BIN);
    cmd.args(args)
        .env_clear()
        .envs(env.iter().cloned())
        .kill_on_drop(true);
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    cmd
}

/// A free loopback port (bound and released; good enough for tests).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// An HTTP server child and its base URL, stopped on drop.
pub struct HttpServer {
    pub child: tokio::process::Child,
    pub base: String,
}

/// Starts `serve --transport http` and waits until `/healthz` answers.
pub async fn start_http(env: &[(String, String)], extra: &[&str]) -> HttpServer {
    let port = free_port();
    let port_s = port.to_string();
    let mut args = vec!["serve", "--transport", "http", "--port", port_s.as_str()];
    args.extend_from_slice(extra);
    let child = command(&args, env)
        .stdin(std::process::Stdio::null())
        .spawn()
        .expect("spawn server");
    let base = format!("http://127.0.0.1:{port}");
    let http = atlassian_mcp::http::build_client(Duration::from_secs(10)).expect("client");
    for _ in 0..200 {
        if let Ok(r) = http.get(format!("{base}/healthz")).send().await {
            if r.status().is_success() {
                return HttpServer { child, base };
            }
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("HTTP server did not come up on {base}");
}
