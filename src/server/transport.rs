//! Serving the handler over stdio (the default) or streamable HTTP.

use super::AtlassianServer;
use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::ServiceExt;
use std::sync::Arc;

/// Serves MCP on stdin/stdout until stdin closes.
pub async fn serve_stdio(server: AtlassianServer) -> Result<(), String> {
    let running = server
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| format!("MCP handshake failed: {e}"))?;
    running
        .waiting()
        .await
        .map_err(|e| format!("MCP session ended with an error: {e}"))?;
    Ok(())
}

/// Options of the HTTP transport.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    pub host: String,
    pub port: u16,
    pub path: String,
    /// `Host` values accepted (hostnames or host:port); DNS-rebinding protection.
    pub allowed_hosts: Vec<String>,
    /// `Origin` values accepted (scheme://host[:port|:*]); requests without Origin pass.
    pub allowed_origins: Vec<String>,
    /// Bearer token required on the MCP endpoint, if set.
    pub bearer_token: Option<crate::auth::Secret>,
}

impl HttpOptions {
    /// Loopback names plus the bound host, unless a list was given.
    pub fn effective_hosts(&self) -> Vec<String> {
        if !self.allowed_hosts.is_empty() {
            return self.allowed_hosts.clone();
        }
        let mut hosts = vec![
            "localhost".to_string(),
            "127.0.0.1".to_string(),
            "::1".to_string(),
        ];
        if !hosts.contains(&self.host) && self.host != "0.0.0.0" && self.host != "::" {
            hosts.push(self.host.clone());
        }
        hosts
    }

    /// Local origins unless a list was given.
    pub fn effective_origins(&self) -> Vec<String> {
        if !self.allowed_origins.is_empty() {
            return self.allowed_origins.clone();
        }
        vec![
            "http://localhost:*".into(),
            "http://127.0.0.1:*".into(),
            "http://[::1]:*".into(),
        ]
    }
}

async fn require_bearer(token: Arc<crate::auth::Secret>, req: Request, next: Next) -> Response {
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let ok = given.is_some_and(|g| constant_time_eq(g.as_bytes(), token.expose().as_bytes()));
    if ok {
        next.run(req).await
    } else {
        (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "missing or wrong bearer token\n",
        )
            .into_response()
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The axum app: `GET /healthz` and the MCP endpoint (stateless streamable HTTP).
pub fn router(server: AtlassianServer, opts: &HttpOptions) -> axum::Router {
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_allowed_hosts(opts.effective_hosts())
        .with_allowed_origins(opts.effective_origins())
        .with_sse_keep_alive(None);
    let service = StreamableHttpService::new(
        move || Ok(server.clone()),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    let mut mcp = axum::Router::new().fallback_service(service);
    if let Some(token) = &opts.bearer_token {
        let token = Arc::new(token.clone());
        mcp = mcp.layer(axum::middleware::from_fn(
            move |req: Request, next: Next| require_bearer(token.clone(), req, next),
        ));
    }
    axum::Router::new()
        .route("/healthz", axum::routing::get(|| async { "ok\n" }))
        .nest(&opts.path, mcp)
}

/// Serves MCP over streamable HTTP until Ctrl-C.
pub async fn serve_http(server: AtlassianServer, opts: HttpOptions) -> Result<(), String> {
    let app = router(server, &opts);
    let listener = tokio::net::TcpListener::bind((opts.host.as_str(), opts.port))
        .await
        .map_err(|e| format!("cannot listen on {}:{}: {e}", opts.host, opts.port))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(%addr, path = %opts.path, "serving MCP over streamable HTTP");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn constant_time_compare() {
        assert!(super::constant_time_eq(b"abc", b"abc"));
        assert!(!super::constant_time_eq(b"abc", b"abd"));
        assert!(!super::constant_time_eq(b"abc", b"abcd"));
    }
}
