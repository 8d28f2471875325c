//! Logs go to stderr only (stdout is the MCP channel in stdio mode).

use tracing_subscriber::EnvFilter;

/// Installs the stderr logger; level from `ATLASSIAN_MCP_LOG` (or `RUST_LOG`), default `info`.
pub fn init() {
    let filter = std::env::var("ATLASSIAN_MCP_LOG")
        .ok()
        .or_else(|| std::env::var("RUST_LOG").ok())
        .and_then(|f| EnvFilter::try_new(f).ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(false)
        .try_init();
}
