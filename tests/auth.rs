//! The auth and HTTP layer against a mock Atlassian: token single-flight, renewal, retries, cloudId
//! resolution, Basic/PAT modes, and no secrets in logs.
mod support;

use atlassian_mcp::app::{App, CallError};
use atlassian_mcp::http::RetryPolicy;
use mock_atlassian::{Config, Fault, Mock, TokenMode, CLOUD_ID};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::*;

async fn start() -> Mock {
    Mock::start(Config::default()).await.expect("mock starts")
}

fn cloud() -> (&'static str, String) {
    ("ATLASSIAN_CLOUD_ID", CLOUD_ID.to_string())
}

async fn get_issue(app: &App) -> Result<serde_json::Value, CallError> {
    app.call(
        tool("jira_get_issue"),
        &args(json!({"issue_key": "PROJ-1"})),
    )
    .await
    .map(|o| o.body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_concurrent_calls_on_a_cold_cache_fetch_one_token() {
    let mock = start().await;
    let app = Arc::new(connect(oauth(&mock, &[cloud()])).await);
    let mut tasks = Vec::new();
    for _ in 0..100 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            get_issue(&app).await.map(|v| v["key"].clone())
        }));
    }
    for t in tasks {
        assert_eq!(t.await.expect("task").expect("call"), json!("PROJ-1"));
    }
    assert_eq!(mock.token_requests(), 1);
    assert_eq!(mock.count("/rest/api/3/issue/PROJ-1"), 100);
    // Calls went through the gateway with a bearer token.
    let r = &mock.recorded()[0];
    assert_eq!(
        r.full_path,
        format!("/ex/jira/{CLOUD_ID}/rest/api/3/issue/PROJ-1")
    );
    assert!(r
        .authorization
        .as_deref()
        .is_some_and(|a| a.starts_with("Bearer mock-access-token-")));
    assert!(
        !r.headers.iter().any(|(k, _)| k == "api-version"),
        "progenitor's api-version header is dropped"
    );
}

#[tokio::test]
async fn token_is_renewed_before_it_expires() {
    let mock = Mock::start(Config {
        expires_in: 2,
        ..Config::default()
    })
    .await
    .expect("mock");
    let app = connect(oauth(&mock, &[cloud()])).await;
    get_issue(&app).await.expect("first call");
    get_issue(&app).await.expect("second call, cached token");
    assert_eq!(mock.token_requests(), 1);
    // Renewal margin for a 2 s token is 200 ms: after 1.9 s the token is renewed, not used to expiry.
    tokio::time::sleep(Duration::from_millis(1900)).await;
    get_issue(&app).await.expect("after renewal");
    assert_eq!(mock.token_requests(), 2);
}

#[tokio::test]
async fn refused_token_is_renewed_and_the_call_retried_once() {
    let mock = start().await;
    let app = connect(oauth(&mock, &[cloud()])).await;
    get_issue(&app).await.expect("first call");
    mock.revoke_tokens();
    let v = get_issue(&app).await.expect("renewed and retried");
    assert_eq!(v["key"], "PROJ-1");
    assert_eq!(mock.token_requests(), 2);
    assert_eq!(
        mock.count("/rest/api/3/issue/PROJ-1"),
        3,
        "first call, refused attempt, retry"
    );
}

#[tokio::test]
async fn scope_mismatch_is_not_retried_and_names_the_scopes() {
    let mock = start().await;
    let app = connect(oauth(&mock, &[cloud()])).await;
    mock.set_scope_mismatch(true);
    let err = get_issue(&app).await.expect_err("refused");
    assert_eq!(err.status(), Some(401));
    let text = err.to_string();
    assert!(text.contains("scope does not match"), "{text}");
    assert!(text.contains("read:jira-work"), "{text}");
    assert_eq!(mock.token_requests(), 1);
    assert_eq!(mock.count("/rest/api/3/issue/PROJ-1"), 1);
}

#[tokio::test]
async fn token_endpoint_failures_are_clear_and_the_next_call_recovers() {
    let mock = start().await;
    for (mode, expect) in [
        (
            TokenMode::Fail(401),
            "refused the OAuth client credentials (HTTP 401, access_denied",
        ),
        (TokenMode::Fail(500), "token endpoint answered HTTP 500"),
        (TokenMode::Garbage, "without a usable JSON token"),
    ] {
        // A fresh runtime: its token cache is cold.
        let app = connect(oauth(&mock, &[cloud()])).await;
        mock.set_token_mode(mode);
        let before = mock.token_requests();
        let err = get_issue(&app).await.expect_err("token failure");
        assert!(err.to_string().contains(expect), "{err}");
        assert_eq!(
            mock.token_requests(),
            before + 1,
            "a refused token request is not retried"
        );
        mock.set_token_mode(TokenMode::Normal);
        assert_eq!(
            get_issue(&app).await.expect("recovers on the next call")["key"],
            "PROJ-1"
        );
    }
}

#[tokio::test]
async fn token_endpoint_timeout_is_an_error_not_a_hang() {
    let mock = start().await;
    let settings = oauth(&mock, &[cloud(), ("ATLASSIAN_TIMEOUT_SECONDS", "1".into())]);
    let app = connect(settings).await;
    mock.set_token_mode(TokenMode::Delay(Duration::from_secs(3)));
    let started = Instant::now();
    let err = get_issue(&app).await.expect_err("times out");
    assert!(err.to_string().contains("timed out"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn rate_limits_are_retried_with_clamped_waits() {
    let mock = start().await;
    let app = connect(oauth(&mock, &[cloud()])).await;
    mock.push_fault("/issue/PROJ-1", Fault::rate_limited("0"));
    mock.push_fault("/issue/PROJ-1", Fault::rate_limited("86400000"));
    let started = Instant::now();
    let v = get_issue(&app).await.expect("retried past two 429s");
    assert_eq!(v["key"], "PROJ-1");
    assert_eq!(mock.count("/issue/PROJ-1"), 3);
    // 0 s is raised to the 20 ms minimum, a day is cut to the 200 ms maximum.
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(220) && took < Duration::from_secs(3),
        "{took:?}"
    );
}

#[tokio::test]
async fn server_errors_are_retried_for_get_only() {
    let mock = start().await;
    let app = connect(oauth(&mock, &[cloud()])).await;
    mock.push_fault("/issue/PROJ-1", Fault::status(500));
    mock.push_fault("/issue/PROJ-1", Fault::status(503));
    assert_eq!(get_issue(&app).await.expect("GET retried")["key"], "PROJ-1");
    assert_eq!(mock.count("/issue/PROJ-1"), 3);

    mock.push_fault("/rest/api/3/issue", Fault::status(500));
    let create = json!({"project_key": "PROJ", "summary": "x", "issue_type": "Task"});
    let err = app
        .call(tool("jira_create_issue"), &args(create))
        .await
        .expect_err("POST not retried");
    assert_eq!(err.status(), Some(500));
    assert_eq!(
        mock.recorded()
            .iter()
            .filter(|r| r.method == "POST")
            .count(),
        1
    );
}

#[tokio::test]
async fn retries_stop_after_max_attempts() {
    let mock = start().await;
    let app = connect(oauth(&mock, &[cloud()])).await;
    for _ in 0..6 {
        mock.push_fault("/issue/PROJ-1", Fault::status(503));
    }
    let err = get_issue(&app).await.expect_err("gives up");
    assert_eq!(err.status(), Some(503));
    assert_eq!(mock.count("/issue/PROJ-1"), 4);
}

#[tokio::test]
async fn cloud_id_comes_from_tenant_info() {
    let mock = start().await;
    let app = connect(oauth(
        &mock,
        &[("ATLASSIAN_SITE_URL", mock.url().to_string())],
    ))
    .await;
    get_issue(&app)
        .await
        .expect("call through the resolved gateway path");
    assert!(mock
        .recorded()
        .iter()
        .all(|r| r.full_path.starts_with(&format!("/ex/jira/{CLOUD_ID}/"))));
}

#[tokio::test]
async fn cloud_id_from_accessible_resources_matches_the_site() {
    let other = (
        "99999999-0000-0000-0000-000000000000".to_string(),
        "https://other.atlassian.net".to_string(),
    );
    let config = |url: &str| Config {
        tenant_info: false,
        resources: vec![other.clone(), (CLOUD_ID.to_string(), url.to_string())],
        ..Config::default()
    };
    // Bind first to learn the URL, then restart with resources naming it.
    let probe = Mock::start(Config::default()).await.expect("mock");
    let port = probe
        .url()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse::<u16>().ok())
        .expect("port");
    let url = probe.url().to_string();
    drop(probe);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mock = Mock::start_on(port, config(&url))
        .await
        .expect("mock on the same port");

    let app = connect(oauth(&mock, &[("ATLASSIAN_SITE_URL", format!("{url}/"))])).await;
    get_issue(&app).await.expect("chose the matching site");

    let err = App::connect(oauth(&mock, &[]), RetryPolicy::default())
        .await
        .expect_err("two sites, none chosen");
    assert!(
        err.contains("several sites") && err.contains("ATLASSIAN_SITE_URL"),
        "{err}"
    );

    let err = App::connect(
        oauth(
            &mock,
            &[("ATLASSIAN_SITE_URL", "https://missing.atlassian.net".into())],
        ),
        RetryPolicy::default(),
    )
    .await
    .expect_err("site not reachable");
    assert!(
        err.contains("cannot reach https://missing.atlassian.net"),
        "{err}"
    );
}

#[tokio::test]
async fn basic_and_pat_modes_send_their_header_to_the_site() {
    let mock = start().await;
    let basic = settings(&[
        ("ATLASSIAN_SITE_URL", mock.url().to_string()),
        ("ATLASSIAN_EMAIL", "agent@example.com".into()),
        ("ATLASSIAN_API_TOKEN", "mock-api-token".into()),
    ]);
    let app = connect(basic).await;
    get_issue(&app).await.expect("basic call");
    let r = mock.recorded().pop().expect("recorded");
    assert_eq!(r.full_path, "/rest/api/3/issue/PROJ-1");
    assert_eq!(
        r.authorization.as_deref(),
        Some("Basic YWdlbnRAZXhhbXBsZS5jb206bW9jay1hcGktdG9rZW4=")
    );

    let pat = settings(&[
        ("JIRA_URL", mock.url().to_string()),
        ("CONFLUENCE_URL", format!("{}/wiki", mock.url())),
        ("JIRA_PERSONAL_TOKEN", "mock-pat".into()),
    ]);
    let app = connect(pat).await;
    get_issue(&app).await.expect("pat call");
    let page = app
        .call(
            tool("confluence_get_page"),
            &args(json!({"page_id": 98765})),
        )
        .await
        .expect("confluence with pat");
    assert_eq!(page.body["title"], "Release notes");
    let rec = mock.recorded();
    let r = rec
        .iter()
        .rev()
        .find(|r| r.path.contains("/issue/"))
        .expect("recorded");
    assert_eq!(r.authorization.as_deref(), Some("Bearer mock-pat"));
    let c = rec.last().expect("recorded");
    assert_eq!(c.full_path, "/wiki/api/v2/pages/98765");
    assert_eq!(mock.token_requests(), 0);
}

#[tokio::test]
async fn scoped_api_token_goes_through_the_gateway() {
    let mock = start().await;
    let s = settings(&[
        ("ATLASSIAN_EMAIL", "agent@example.com".into()),
        ("ATLASSIAN_API_TOKEN", "mock-api-token".into()),
        ("ATLASSIAN_CLOUD_ID", CLOUD_ID.into()),
        ("ATLASSIAN_API_BASE_URL", mock.url().to_string()),
    ]);
    let app = connect(s).await;
    get_issue(&app).await.expect("scoped token call");
    let r = mock.recorded().pop().expect("recorded");
    assert!(r.full_path.starts_with("/ex/jira/"));
    assert!(r
        .authorization
        .as_deref()
        .is_some_and(|a| a.starts_with("Basic ")));
}

#[tokio::test]
async fn redirects_to_another_host_do_not_carry_credentials() {
    let mock = start().await;
    let elsewhere = start().await;
    let app = connect(oauth(&mock, &[cloud()])).await;
    let target = format!("{}/rest/api/3/issue/PROJ-1", elsewhere.url());
    mock.push_fault(
        "/issue/PROJ-1",
        Fault {
            status: 302,
            headers: vec![("Location".into(), target)],
            body: String::new(),
        },
    );
    // The other host sees no credentials and answers 401; the transport then renews its token and
    // retries the original request once, which the mock answers normally.
    let v = get_issue(&app)
        .await
        .expect("renewed and retried at the original host");
    assert_eq!(v["key"], "PROJ-1");
    let seen = elsewhere.recorded();
    assert_eq!(seen.len(), 1);
    let r = &seen[0];
    assert_eq!(r.authorization, None);
}
