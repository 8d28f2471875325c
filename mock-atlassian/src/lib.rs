//! A local stand-in for Atlassian Cloud that behaves like the real thing where the server cares:
//! the OAuth token endpoint (client credentials), accessible-resources and tenant_info, the
//! api.atlassian.com gateway (`/ex/jira/{cloudId}`, `/ex/confluence/{cloudId}`) with bearer tokens, the
//! site itself with Basic or PAT auth, realistic Jira/Confluence payloads and error bodies,
//! `nextPageToken` pagination, and injectable faults (429 with Retry-After, 5xx, scope mismatch).
//! Every request is recorded for assertions.

mod data;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use base64::Engine;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The cloudId of the mock site.
pub const CLOUD_ID: &str = "11111111-2222-3333-4444-555555555555";

/// Credentials and behaviour of a mock instance.
#[derive(Clone, Debug)]
pub struct Config {
    pub client_id: String,
    pub client_secret: String,
    /// `expires_in` of issued tokens, seconds.
    pub expires_in: u64,
    /// `scope` field of token responses.
    pub token_scope: Option<String>,
    pub email: String,
    pub api_token: String,
    pub pat: String,
    /// Sites the credential can reach (accessible-resources): (cloudId, url). Empty: the mock itself.
    pub resources: Vec<(String, String)>,
    /// Serve `/_edge/tenant_info`.
    pub tenant_info: bool,
    /// Print one line per request to stderr.
    pub log_requests: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            client_id: "mock-client".into(),
            client_secret: "mock-secret".into(),
            expires_in: 3600,
            token_scope: Some("read:jira-work write:jira-work read:jira-user read:confluence-content.all search:confluence read:page:confluence read:space:confluence".into()),
            email: "agent@example.com".into(),
            api_token: "mock-api-token".into(),
            pat: "mock-pat".into(),
            resources: Vec::new(),
            tenant_info: true,
            log_requests: false,
        }
    }
}

/// How the token endpoint answers.
#[derive(Clone, Debug)]
pub enum TokenMode {
    Normal,
    /// Answer with this status and an RFC 6749 error body.
    Fail(u16),
    /// Answer 200 with a body that is not a token.
    Garbage,
    /// Wait this long before answering normally.
    Delay(Duration),
}

/// A scripted answer for the next request whose path contains a pattern.
#[derive(Clone, Debug)]
pub struct Fault {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Fault {
    /// 429 with `Retry-After`.
    pub fn rate_limited(retry_after: &str) -> Self {
        Fault {
            status: 429,
            headers: vec![
                ("Retry-After".into(), retry_after.into()),
                ("RateLimit-Reason".into(), "jira-burst-based".into()),
            ],
            body: r#"{"errorMessages":["Rate limit exceeded."],"errors":{}}"#.into(),
        }
    }
    /// A bare status with a Jira-style error body.
    pub fn status(status: u16) -> Self {
        Fault {
            status,
            headers: vec![],
            body: format!(r#"{{"errorMessages":["mock failure {status}"],"errors":{{}}}}"#),
        }
    }
}

/// One request the mock received.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    /// Path without the gateway prefix (e.g. `/rest/api/3/issue/PROJ-1`).
    pub path: String,
    pub full_path: String,
    pub query: BTreeMap<String, Vec<String>>,
    pub authorization: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: Value,
}

#[derive(Default)]
struct Inner {
    tokens: HashMap<String, Instant>,
    issued: u64,
    token_requests: u64,
    token_mode: Option<TokenMode>,
    faults: Vec<(String, VecDeque<Fault>)>,
    /// Delay before answering the next request whose path contains the pattern.
    delays: Vec<(String, Duration)>,
    scope_mismatch: bool,
    recorded: Vec<Recorded>,
    jira: data::Jira,
}

struct Shared {
    config: Config,
    url: String,
    inner: Mutex<Inner>,
}

/// A running mock; stops when dropped.
pub struct Mock {
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Mock {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Mock {
    /// Starts on a free loopback port.
    pub async fn start(config: Config) -> std::io::Result<Mock> {
        Self::start_on(0, config).await
    }

    /// Starts on `127.0.0.1:port`.
    pub async fn start_on(port: u16, config: Config) -> std::io::Result<Mock> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let url = format!("http://{}", listener.local_addr()?);
        let shared = Arc::new(Shared {
            config,
            url,
            inner: Mutex::new(Inner {
                jira: data::Jira::seeded(),
                ..Inner::default()
            }),
        });
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Mock { shared, task })
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> &str {
        &self.shared.url
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.shared.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Resets the recorded requests.
    pub fn clear_recorded(&self) {
        self.lock().recorded.clear();
    }

    /// How many token requests arrived.
    pub fn token_requests(&self) -> u64 {
        self.lock().token_requests
    }

    pub fn set_token_mode(&self, mode: TokenMode) {
        self.lock().token_mode = Some(mode);
    }

    /// Makes every issued token invalid (the next API call with one gets 401).
    pub fn revoke_tokens(&self) {
        self.lock().tokens.clear();
    }

    /// Makes API calls answer `401 Unauthorized; scope does not match`.
    pub fn set_scope_mismatch(&self, on: bool) {
        self.lock().scope_mismatch = on;
    }

    /// Queues `fault` as the answer to the next request whose path contains `pattern`.
    pub fn push_fault(&self, pattern: &str, fault: Fault) {
        let mut inner = self.lock();
        match inner.faults.iter_mut().find(|(p, _)| p == pattern) {
            Some((_, q)) => q.push_back(fault),
            None => inner
                .faults
                .push((pattern.to_string(), VecDeque::from([fault]))),
        }
    }

    /// Delays the answer to the next request whose path contains `pattern`.
    pub fn delay_next(&self, pattern: &str, delay: Duration) {
        self.lock().delays.push((pattern.to_string(), delay));
    }

    /// Every API request received (token requests excluded).
    pub fn recorded(&self) -> Vec<Recorded> {
        self.lock().recorded.clone()
    }

    /// API requests whose path contains `pattern`.
    pub fn count(&self, pattern: &str) -> usize {
        self.lock()
            .recorded
            .iter()
            .filter(|r| r.path.contains(pattern))
            .count()
    }
}

fn json_response(status: u16, body: Value) -> Response {
    let mut r = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        axum::Json(body),
    )
        .into_response();
    r.headers_mut()
        .insert("x-arequestid", HeaderValue::from_static("mock"));
    r
}

fn parse_query(q: Option<&str>) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for pair in q.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        out.entry(decode(k)).or_default().push(decode(v));
    }
    out
}

fn decode(s: &str) -> String {
    let s = s.replace('+', " ");
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let method = req.method().clone();
    let uri = req.uri().clone();
    let headers = req.headers().clone();
    let bytes = to_bytes(req.into_body(), 10 << 20)
        .await
        .unwrap_or_default();
    let path = uri.path().to_string();
    let query = parse_query(uri.query());
    if shared.config.log_requests {
        eprintln!("{method} {uri}");
    }

    if path == "/oauth/token" && method == Method::POST {
        return token(&shared, &bytes).await;
    }
    if path == "/_edge/tenant_info" {
        return if shared.config.tenant_info {
            json_response(200, json!({"cloudId": CLOUD_ID}))
        } else {
            json_response(404, json!({}))
        };
    }
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    if path == "/oauth/token/accessible-resources" {
        if !bearer_ok(&shared, auth.as_deref()) {
            return json_response(401, json!({"code": 401, "message": "Unauthorized"}));
        }
        let resources: Vec<Value> = if shared.config.resources.is_empty() {
            vec![
                json!({"id": CLOUD_ID, "url": shared.url, "name": "mock", "scopes": [], "avatarUrl": ""}),
            ]
        } else {
            shared
                .config
                .resources
                .iter()
                .map(|(id, url)| json!({"id": id, "url": url, "name": id, "scopes": []}))
                .collect()
        };
        return json_response(200, Value::Array(resources));
    }

    // Gateway or site?
    let (api_path, gateway) = match strip_gateway(&path) {
        Some(Ok(p)) => (p, true),
        Some(Err(())) => {
            return json_response(404, json!({"code": 404, "message": "Site not found"}))
        }
        None => (path.clone(), false),
    };
    let body: Value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    let recorded = Recorded {
        method: method.to_string(),
        path: api_path.clone(),
        full_path: path.clone(),
        query: query.clone(),
        authorization: auth.clone(),
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect(),
        body: body.clone(),
    };
    let (fault, delay) = {
        let mut inner = shared.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.recorded.push(recorded);
        let delay = inner
            .delays
            .iter()
            .position(|(p, _)| api_path.contains(p.as_str()))
            .map(|i| inner.delays.remove(i).1);
        let fault = inner
            .faults
            .iter_mut()
            .find(|(p, q)| api_path.contains(p.as_str()) && !q.is_empty())
            .and_then(|(_, q)| q.pop_front());
        (fault, delay)
    };
    if let Some(d) = delay {
        tokio::time::sleep(d).await;
    }

    let authorised = if gateway {
        bearer_ok(&shared, auth.as_deref()) || basic_ok(&shared, auth.as_deref())
    } else {
        basic_ok(&shared, auth.as_deref()) || pat_ok(&shared, auth.as_deref())
    };
    if !authorised {
        return json_response(401, json!({"code": 401, "message": "Unauthorized"}));
    }
    if shared
        .inner
        .lock()
        .map(|i| i.scope_mismatch)
        .unwrap_or(false)
    {
        return json_response(
            401,
            json!({"code": 401, "message": "Unauthorized; scope does not match"}),
        );
    }
    if let Some(f) = fault {
        let mut r = Response::new(Body::from(f.body));
        *r.status_mut() =
            StatusCode::from_u16(f.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        r.headers_mut()
            .insert("content-type", HeaderValue::from_static("application/json"));
        for (k, v) in f.headers {
            if let (Ok(k), Ok(v)) = (
                axum::http::HeaderName::from_bytes(k.as_bytes()),
                HeaderValue::from_str(&v),
            ) {
                r.headers_mut().insert(k, v);
            }
        }
        return r;
    }
    let base = shared.url.clone();
    let mut inner = shared.inner.lock().unwrap_or_else(|p| p.into_inner());
    let (status, value) = data::route(&mut inner.jira, &base, &method, &api_path, &query, &body);
    drop(inner);
    if status == 204 {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NO_CONTENT;
        return r;
    }
    json_response(status, value)
}

/// `/ex/jira/{cloudId}/rest/...` -> `/rest/...`; `/ex/confluence/{cloudId}/wiki/...` -> `/wiki/...`.
fn strip_gateway(path: &str) -> Option<Result<String, ()>> {
    let rest = path
        .strip_prefix("/ex/jira/")
        .or_else(|| path.strip_prefix("/ex/confluence/"))?;
    let (cloud, tail) = rest.split_once('/').unwrap_or((rest, ""));
    if cloud != CLOUD_ID {
        return Some(Err(()));
    }
    Some(Ok(format!("/{tail}")))
}

fn bearer_ok(shared: &Shared, auth: Option<&str>) -> bool {
    let Some(token) = auth.and_then(|a| a.strip_prefix("Bearer ")) else {
        return false;
    };
    let inner = shared.inner.lock().unwrap_or_else(|p| p.into_inner());
    inner
        .tokens
        .get(token)
        .is_some_and(|exp| Instant::now() < *exp)
}

fn basic_ok(shared: &Shared, auth: Option<&str>) -> bool {
    let expected = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        shared.config.email, shared.config.api_token
    ));
    auth.and_then(|a| a.strip_prefix("Basic ")) == Some(expected.as_str())
}

fn pat_ok(shared: &Shared, auth: Option<&str>) -> bool {
    auth.and_then(|a| a.strip_prefix("Bearer ")) == Some(shared.config.pat.as_str())
}

async fn token(shared: &Shared, body: &[u8]) -> Response {
    let mode = {
        let mut inner = shared.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.token_requests += 1;
        inner.token_mode.clone().unwrap_or(TokenMode::Normal)
    };
    match mode {
        TokenMode::Fail(status) => {
            return json_response(
                status,
                json!({"error": if status == 401 { "access_denied" } else { "server_error" }, "error_description": "Unauthorized"}),
            );
        }
        TokenMode::Garbage => return json_response(200, json!({"hello": "world"})),
        TokenMode::Delay(d) => tokio::time::sleep(d).await,
        TokenMode::Normal => {}
    }
    let form: HashMap<String, String> = String::from_utf8_lossy(body)
        .split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect();
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return json_response(
            400,
            json!({"error": "unsupported_grant_type", "error_description": "grant_type must be client_credentials"}),
        );
    }
    if form.contains_key("scope") {
        return json_response(
            403,
            json!({"error": "invalid_scope", "error_description": "scope is fixed for client credentials"}),
        );
    }
    if form.get("client_id") != Some(&shared.config.client_id)
        || form.get("client_secret") != Some(&shared.config.client_secret)
    {
        return json_response(
            401,
            json!({"error": "access_denied", "error_description": "Unauthorized"}),
        );
    }
    let mut inner = shared.inner.lock().unwrap_or_else(|p| p.into_inner());
    inner.issued += 1;
    let token = format!("mock-access-token-{}", inner.issued);
    inner.tokens.insert(
        token.clone(),
        Instant::now() + Duration::from_secs(shared.config.expires_in),
    );
    let mut body = json!({"access_token": token, "expires_in": shared.config.expires_in, "token_type": "Bearer"});
    if let Some(scope) = &shared.config.token_scope {
        body["scope"] = json!(scope);
    }
    json_response(200, body)
}
