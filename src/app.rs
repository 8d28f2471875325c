//! The connected runtime: generated clients behind the auth/HTTP layer, and one `call` for a tool.

use crate::auth::{cloud_id, token::TokenSource, Auth};
use crate::config::{AuthMode, Settings};
use crate::generated::registry::{self as gen, Clients};
use crate::http::{RetryPolicy, Transport};
use crate::registry::{OpError, Product, ToolDef};
use crate::shape::request::{operation_args, ArgError};
use crate::upstream::{describe_error_body, hint};
use futures::StreamExt;
use serde_json::{Map, Value};
use std::sync::OnceLock;

/// Why a tool call failed, in words an agent can act on.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The arguments do not fit (before anything is sent).
    #[error("invalid arguments: {0}")]
    Arguments(String),
    /// Atlassian answered with an error status.
    #[error("Atlassian answered HTTP {status}: {message}{}", if hint.is_empty() { String::new() } else { format!(" ({hint})") })]
    Upstream {
        status: u16,
        message: String,
        hint: &'static str,
        scopes: Option<String>,
    },
    /// The request could not be made or completed (network, credentials).
    #[error("{0}")]
    Transport(String),
    /// A defect in the generated code (should not happen).
    #[error("internal error: {0}")]
    Internal(String),
}

impl CallError {
    /// The HTTP status, when Atlassian answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            CallError::Upstream { status, .. } => Some(*status),
            _ => None,
        }
    }
}

impl From<ArgError> for CallError {
    fn from(e: ArgError) -> Self {
        CallError::Arguments(e.to_string())
    }
}

/// A successful call: status and the decoded body (`null` for an empty one, text when not JSON).
#[derive(Debug, Clone)]
pub struct CallOutput {
    pub status: u16,
    pub body: Value,
}

/// The connected runtime.
pub struct App {
    clients: Clients,
    transport: Transport,
    settings: Settings,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("auth", self.transport.auth())
            .finish_non_exhaustive()
    }
}

/// Builds the `Auth` for the settings.
pub fn auth_for(settings: &Settings, http: &reqwest::Client) -> Auth {
    match &settings.auth {
        AuthMode::OAuth {
            client_id,
            client_secret,
        } => Auth::OAuth(TokenSource::new(
            http.clone(),
            settings.token_url.clone(),
            client_id.clone(),
            client_secret.clone(),
        )),
        AuthMode::Basic { email, token } => Auth::basic(email, token),
        AuthMode::Pat { token } => Auth::Pat(token.clone()),
    }
}

/// The cloudId for `settings`: configured, or discovered from the configured site.
pub async fn resolve_cloud_id(
    http: &reqwest::Client,
    auth: &Auth,
    settings: &Settings,
) -> Result<String, cloud_id::CloudIdError> {
    let site = settings
        .jira_url
        .as_deref()
        .or(settings.confluence_url.as_deref());
    cloud_id::resolve(
        http,
        auth,
        settings.cloud_id.as_deref(),
        site,
        &settings.api_base,
    )
    .await
}

impl App {
    /// Connects: builds the HTTP client and auth, resolves the cloudId when the gateway is used.
    pub async fn connect(settings: Settings, retry: RetryPolicy) -> Result<App, String> {
        let http = crate::http::build_client(settings.timeout)
            .map_err(|_| "cannot build the HTTP client (TLS setup failed)".to_string())?;
        let auth = auth_for(&settings, &http);
        let cloud = if settings.uses_gateway() {
            Some(
                resolve_cloud_id(&http, &auth, &settings)
                    .await
                    .map_err(|e| e.to_string())?,
            )
        } else {
            None
        };
        let transport = Transport::new(auth, retry);
        let base = |spec: &str| -> String {
            let def = crate::registry::spec_def(spec);
            let product = def.map(|d| d.product).unwrap_or(Product::Jira);
            let prefix = def.map(|d| d.path_prefix).unwrap_or("");
            let root = match (&cloud, product) {
                (Some(id), Product::Jira) => format!("{}/ex/jira/{id}", settings.api_base),
                (Some(id), Product::Confluence) => {
                    format!("{}/ex/confluence/{id}", settings.api_base)
                }
                (None, Product::Jira) => settings.jira_url.clone().unwrap_or_default(),
                (None, Product::Confluence) => settings.confluence_url.clone().unwrap_or_default(),
            };
            format!("{root}{prefix}")
        };
        let clients = Clients::new(&http, &transport, base);
        Ok(App {
            clients,
            transport,
            settings,
        })
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// Calls a tool with the agent's arguments and returns Atlassian's decoded answer.
    pub async fn call(
        &self,
        tool: &ToolDef,
        args: &Map<String, Value>,
    ) -> Result<CallOutput, CallError> {
        let mut op_args = operation_args(tool, args)?;
        if let Some(pre) = &tool.prefetch {
            self.prefetch(tool, pre, args, &mut op_args).await?;
        }
        self.dispatch(tool, tool.operation_id, op_args).await
    }

    async fn dispatch(
        &self,
        tool: &ToolDef,
        operation: &str,
        op_args: Value,
    ) -> Result<CallOutput, CallError> {
        match gen::dispatch(&self.clients, tool.spec, operation, op_args).await {
            Ok(rv) => {
                let status = rv.status().as_u16();
                let mut stream = rv.into_inner().into_inner();
                let mut bytes = Vec::new();
                while let Some(chunk) = stream.next().await {
                    let chunk = chunk.map_err(|e| {
                        CallError::Transport(format!(
                            "reading the response failed: {}",
                            crate::auth::token::describe_reqwest(&e)
                        ))
                    })?;
                    bytes.extend_from_slice(&chunk);
                }
                Ok(CallOutput {
                    status,
                    body: decode_body(&bytes),
                })
            }
            Err(e) => Err(self.describe(tool, e).await),
        }
    }

    /// Runs the tool's prefetch read and fills the body fields the agent left out.
    async fn prefetch(
        &self,
        tool: &ToolDef,
        pre: &crate::registry::PrefetchDef,
        args: &Map<String, Value>,
        op_args: &mut Value,
    ) -> Result<(), CallError> {
        let mut pre_args = Map::new();
        for (api, arg) in pre.params {
            if let Some(v) = args.get(*arg) {
                pre_args.insert(api.to_string(), v.clone());
            }
        }
        let fetched = self
            .dispatch(tool, pre.operation_id, Value::Object(pre_args))
            .await?
            .body;
        let Value::Object(obj) = op_args else {
            return Ok(());
        };
        let body = obj
            .entry(crate::shape::request::BODY_KEY.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        for f in pre.fill {
            if body.pointer(f.to).is_some_and(|v| !v.is_null()) {
                continue;
            }
            let Some(mut v) = fetched.pointer(f.from).cloned() else {
                return Err(CallError::Internal(format!(
                    "the answer of {} has no `{}` to fill `{}`",
                    pre.operation_id, f.from, f.to
                )));
            };
            if let Some(n) = f.add {
                v = Value::from(v.as_i64().unwrap_or(0) + n);
            }
            crate::shape::request::write_pointer(body, f.to, v, false)
                .map_err(CallError::Arguments)?;
        }
        Ok(())
    }

    /// Where browser links point, and the result size cap.
    pub fn site(&self) -> crate::shape::response::Site {
        crate::shape::response::Site {
            jira: self.settings.jira_url.clone(),
            confluence: self.settings.confluence_url.clone(),
            cap: crate::shape::response::DEFAULT_CAP,
        }
    }

    async fn describe(&self, tool: &ToolDef, e: OpError) -> CallError {
        use progenitor_client::Error as PE;
        match e {
            OpError::Args(e) => {
                let path = e.path().to_string();
                let path = path.replace("$body.", "").replace("$body", "body");
                CallError::Arguments(format!("{path}: {}", e.inner()))
            }
            OpError::UnknownOperation(o) => {
                CallError::Internal(format!("no generated operation {o}"))
            }
            OpError::Api(PE::UnexpectedResponse(r)) => {
                let status = r.status().as_u16();
                let body = r.bytes().await.unwrap_or_default();
                let message = describe_error_body(&body);
                let scope_problem =
                    status == 401 && crate::http::is_scope_mismatch(&body) || status == 403;
                let scopes = scope_problem.then(|| required_scopes(tool));
                let mut err = CallError::Upstream {
                    status,
                    message,
                    hint: hint(status),
                    scopes: scopes.clone(),
                };
                if let (Some(s), CallError::Upstream { message, .. }) = (scopes, &mut err) {
                    message.push_str(&format!("; this tool needs the OAuth scopes {s}"));
                }
                err
            }
            OpError::Api(PE::Custom(msg)) => CallError::Transport(msg),
            OpError::Api(PE::CommunicationError(e)) => CallError::Transport(format!(
                "could not reach Atlassian: {}",
                crate::auth::token::describe_reqwest(&e)
            )),
            OpError::Api(PE::InvalidRequest(m)) => CallError::Arguments(m),
            OpError::Api(other) => CallError::Internal(format!("{:?}", other.status())),
        }
    }
}

/// "classic: a b | granular: c d", for scope errors.
pub fn required_scopes(tool: &ToolDef) -> String {
    let mut parts = Vec::new();
    if !tool.scopes_classic.is_empty() {
        parts.push(format!("(classic) {}", tool.scopes_classic.join(" ")));
    }
    if !tool.scopes_granular.is_empty() {
        parts.push(format!("(granular) {}", tool.scopes_granular.join(" ")));
    }
    if parts.is_empty() {
        "listed in Atlassian's documentation for this operation".into()
    } else {
        parts.join(" or ")
    }
}

/// JSON when it parses, `null` when empty, else the text.
pub fn decode_body(bytes: &[u8]) -> Value {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Value::Null;
    }
    serde_json::from_slice(bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
}

/// A tool's input schema, parsed once for all tools.
pub fn input_schema(tool: &ToolDef) -> &'static Value {
    static SCHEMAS: OnceLock<Vec<Value>> = OnceLock::new();
    static EMPTY: OnceLock<Value> = OnceLock::new();
    let all = SCHEMAS.get_or_init(|| {
        gen::TOOLS
            .iter()
            .map(|t| serde_json::from_str(t.input_schema).unwrap_or(Value::Null))
            .collect()
    });
    match gen::TOOLS
        .iter()
        .position(|t| t.name == tool.name)
        .and_then(|i| all.get(i))
    {
        Some(v) => v,
        None => EMPTY.get_or_init(|| serde_json::json!({"type": "object"})),
    }
}
