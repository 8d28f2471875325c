//! Everything logged (at trace level) during token fetches, renewals, failures and calls, plus the
//! Debug output of the runtime, must not contain the client secret, API token or any access token.
mod support;

use atlassian_mcp::app::App;
use mock_atlassian::{Config, Mock, TokenMode, CLOUD_ID};
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex};
use support::*;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn get(app: &App) -> Result<atlassian_mcp::app::CallOutput, atlassian_mcp::app::CallError> {
    app.call(
        tool("jira_get_issue"),
        &args(json!({"issue_key": "PROJ-1"})),
    )
    .await
}

#[tokio::test]
async fn secrets_never_reach_the_logs() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let mock = Mock::start(Config::default()).await.expect("mock");
    let app = connect(oauth(
        &mock,
        &[("ATLASSIAN_CLOUD_ID", CLOUD_ID.to_string())],
    ))
    .await;
    get(&app).await.expect("call");
    mock.revoke_tokens();
    get(&app).await.expect("renewed");
    mock.set_token_mode(TokenMode::Fail(401));
    mock.revoke_tokens();
    let err = get(&app).await.expect_err("credentials refused");
    mock.set_scope_mismatch(true);
    mock.set_token_mode(TokenMode::Normal);
    let err2 = get(&app).await.expect_err("scope mismatch");
    let basic = settings(&[
        ("ATLASSIAN_SITE_URL", mock.url().to_string()),
        ("ATLASSIAN_EMAIL", "agent@example.com".into()),
        ("ATLASSIAN_API_TOKEN", "mock-api-token".into()),
    ]);
    let basic_app = connect(basic.clone()).await;
    let _ = get(&basic_app).await;

    let mut text = String::from_utf8_lossy(&capture.0.lock().expect("lock")).into_owned();
    text.push_str(&format!(
        "{err} {err:?} {err2} {err2:?} {app:?} {basic_app:?} {basic:?} {:?}",
        app.settings()
    ));
    assert!(
        text.contains("access token obtained"),
        "logging was captured: {text}"
    );
    for secret in [
        "mock-secret",
        "mock-api-token",
        "mock-access-token",
        "YWdlbnRAZXhhbXBsZS5jb206",
    ] {
        assert!(!text.contains(secret), "`{secret}` leaked:\n{text}");
    }
}
