//! The MCP server: a hand-written `ServerHandler` over the generated registry.

pub mod audit;
pub mod filters;
pub mod transport;
pub mod validate;

use crate::app::{App, CallError, CallOutput};
use crate::config::Settings;
use crate::generated::registry::TOOLS;
use crate::http::RetryPolicy;
use crate::registry::ToolDef;
use audit::{Audit, Outcome};
use filters::Filters;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler};
use serde_json::{json, Map, Value};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::OnceCell;

/// Everything the handler shares across sessions.
pub struct ServerState {
    settings: Settings,
    retry: RetryPolicy,
    filters: Filters,
    app: OnceCell<App>,
    /// Scopes reported by the token endpoint, once a token was fetched (used when
    /// ATLASSIAN_OAUTH_SCOPE is not set).
    learned_scopes: std::sync::OnceLock<std::collections::BTreeSet<String>>,
    audit: Audit,
    /// Who calls Atlassian, for the audit trail.
    identity: String,
    /// The tools served (after filters), as `tools/list` returns them.
    listed: Vec<Tool>,
}

impl std::fmt::Debug for ServerState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerState")
            .field("tools", &self.listed.len())
            .finish_non_exhaustive()
    }
}

/// The MCP handler; cheap to clone (one per HTTP request in stateless mode).
#[derive(Clone, Debug)]
pub struct AtlassianServer(Arc<ServerState>);

/// The MCP `Tool` for a registry entry: the same JSON as `generated/tools.json`.
pub fn mcp_tool(t: &ToolDef) -> Tool {
    let mut ann = Map::new();
    if let Some(title) = t.annotations.title {
        ann.insert("title".into(), json!(title));
    }
    ann.insert("readOnlyHint".into(), json!(t.annotations.read_only));
    ann.insert("destructiveHint".into(), json!(t.annotations.destructive));
    ann.insert("idempotentHint".into(), json!(t.annotations.idempotent));
    ann.insert("openWorldHint".into(), json!(t.annotations.open_world));
    let value = json!({
        "name": t.name,
        "description": t.description,
        "inputSchema": crate::app::input_schema(t),
        "annotations": ann,
    });
    serde_json::from_value(value)
        .unwrap_or_else(|_| Tool::new(t.name, t.description, Arc::new(Map::new())))
}

/// The registry's tools that pass `filters`, logging once why others are hidden.
pub fn visible_tools(filters: &Filters) -> Vec<&'static ToolDef> {
    let mut out = Vec::new();
    for t in TOOLS {
        match filters.check(t) {
            Ok(()) => out.push(t),
            Err(why) => tracing::info!(tool = t.name, "tool hidden: {why}"),
        }
    }
    out
}

impl AtlassianServer {
    pub fn new(settings: Settings, filters: Filters, audit: Audit, retry: RetryPolicy) -> Self {
        let listed = visible_tools(&filters).into_iter().map(mcp_tool).collect();
        let identity = settings.auth.identity();
        AtlassianServer(Arc::new(ServerState {
            settings,
            retry,
            filters,
            app: OnceCell::new(),
            learned_scopes: std::sync::OnceLock::new(),
            audit,
            identity,
            listed,
        }))
    }

    /// Tools as served now: the start-up list, less tools the token's scopes cannot call.
    pub fn tools(&self) -> Vec<Tool> {
        match self.0.learned_scopes.get() {
            None => self.0.listed.clone(),
            Some(granted) => self
                .0
                .listed
                .iter()
                .filter(|t| {
                    crate::registry::find(&t.name)
                        .is_none_or(|d| filters::scopes_satisfied(d, granted))
                })
                .cloned()
                .collect(),
        }
    }

    /// The filters in force, including scopes learned from the token response.
    fn check(&self, tool: &ToolDef) -> Result<(), String> {
        self.0.filters.check(tool)?;
        if let Some(granted) = self.0.learned_scopes.get() {
            if !filters::scopes_satisfied(tool, granted) {
                return Err(format!(
                    "`{}` needs OAuth scopes the credential was not granted: {}",
                    tool.name,
                    crate::app::required_scopes(tool)
                ));
            }
        }
        Ok(())
    }

    /// Records the token's scopes the first time they are known, and logs what they hide.
    fn learn_scopes(&self, app: &App) {
        if self.0.filters.granted_scopes.is_some() || self.0.learned_scopes.get().is_some() {
            return;
        }
        let crate::auth::Auth::OAuth(src) = app.transport().auth() else {
            return;
        };
        let Some(scope) = src.granted_scope() else {
            return;
        };
        let granted = filters::parse_scopes(&scope);
        let hidden: Vec<&str> = TOOLS
            .iter()
            .filter(|t| !filters::scopes_satisfied(t, &granted))
            .map(|t| t.name)
            .collect();
        if !hidden.is_empty() {
            tracing::warn!(tools = %hidden.join(", "), "the token's scopes do not cover these tools; hiding them");
        }
        let _ = self.0.learned_scopes.set(granted);
    }

    async fn app(&self) -> Result<&App, String> {
        self.0
            .app
            .get_or_try_init(|| App::connect(self.0.settings.clone(), self.0.retry.clone()))
            .await
    }

    /// Runs one tool call; every outcome but an unknown tool is a tool result.
    pub async fn run(
        &self,
        name: &str,
        args: Map<String, Value>,
        cancel: tokio_util::sync::CancellationToken,
    ) -> Result<CallToolResult, McpError> {
        let started = Instant::now();
        let Some(tool) = crate::registry::find(name) else {
            return Err(McpError::invalid_params(
                format!("unknown tool `{name}`"),
                None,
            ));
        };
        let digest = audit::digest(&args);
        let finish = |outcome: Outcome, status: Option<u16>| {
            self.0.audit.record(
                name,
                &digest,
                outcome,
                status,
                started.elapsed().as_millis(),
                &self.0.identity,
            );
        };
        if let Err(why) = self.check(tool) {
            finish(Outcome::Refused, None);
            return Ok(error_result(format!("refused: {why}")));
        }
        let args_value = Value::Object(args);
        if let Err(problems) = validate::check_tool_arguments(tool, &args_value) {
            finish(Outcome::Refused, None);
            return Ok(error_result(format!(
                "invalid arguments for `{name}`: {problems}"
            )));
        }
        let Value::Object(args) = args_value else {
            return Err(McpError::internal_error("arguments vanished", None));
        };
        let app = match self.app().await {
            Ok(a) => a,
            Err(e) => {
                finish(Outcome::Error, None);
                return Ok(error_result(format!("cannot reach Atlassian: {e}")));
            }
        };
        self.learn_scopes(app);
        if let Err(why) = self.check(tool) {
            finish(Outcome::Refused, None);
            return Ok(error_result(format!("refused: {why}")));
        }
        let result = tokio::select! {
            r = app.call(tool, &args) => r,
            _ = cancel.cancelled() => {
                finish(Outcome::Cancelled, None);
                return Err(McpError::internal_error("request cancelled", None));
            }
        };
        // The first token may have arrived with this call.
        self.learn_scopes(app);
        match result {
            Ok(out) => {
                finish(Outcome::Ok, Some(out.status));
                let shaped =
                    crate::shape::response::shape(tool, out.status, out.body, &args, &app.site());
                Ok(success_result(CallOutput {
                    status: out.status,
                    body: shaped,
                }))
            }
            Err(e) => {
                finish(Outcome::Error, e.status());
                Ok(call_error_result(&e))
            }
        }
    }
}

fn error_result(text: String) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(text)])
}

fn call_error_result(e: &CallError) -> CallToolResult {
    let mut r = error_result(e.to_string());
    if let Some(status) = e.status() {
        r.structured_content = Some(json!({"error": e.to_string(), "status": status}));
    }
    r
}

/// `structuredContent` (an object: non-objects are wrapped as `{"result": …}`) plus a text copy.
fn success_result(out: CallOutput) -> CallToolResult {
    let structured = match out.body {
        Value::Object(o) => Value::Object(o),
        Value::Null => json!({"ok": true, "status": out.status}),
        other => json!({"result": other}),
    };
    let text = serde_json::to_string(&structured).unwrap_or_default();
    let mut r = CallToolResult::success(vec![ContentBlock::text(text)]);
    r.structured_content = Some(structured);
    r
}

impl ServerHandler for AtlassianServer {
    fn get_info(&self) -> ServerConfig {
        let mut info = ServerConfig::new(ServerCapabilities::builder().enable_tools().build());
        info.server_info =
            rmcp::model::Implementation::new("atlassian-mcp", env!("CARGO_PKG_VERSION"));
        info.instructions = Some("Jira and Confluence Cloud tools. Issue keys look like PROJ-123; Confluence pages are addressed by numeric id.".into());
        info
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        Ok(ListToolsResult::with_all_items(self.tools()))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        let tool = crate::registry::find(name)?;
        self.check(tool).ok()?;
        self.0.listed.iter().find(|t| t.name == name).cloned()
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let args = request.arguments.unwrap_or_default();
        self.run(&request.name, args, context.ct.clone())
            .await
            .map(CallToolResponse::from)
    }
}
