//! The command line against the mock: doctor, scopes, call, tools.
mod support;

use mock_atlassian::{Config, Mock};
use support::server::{command, oauth_env};

async fn run(args: &[&str], env: &[(String, String)]) -> (i32, String, String) {
    let out = command(args, env).output().await.expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_checks_every_step_and_names_the_failure() {
    let mock = Mock::start(Config::default()).await.expect("mock");
    let (code, out, _) = run(&["doctor"], &oauth_env(&mock)).await;
    assert_eq!(code, 0, "{out}");
    for line in [
        "[ ok ] configuration: OAuth 2.0 client credentials (client id mock-client)",
        "[ ok ] credentials: access token obtained",
        "[ ok ] cloudId: ",
        "[ ok ] Jira: read call succeeded",
        "[ ok ] Confluence: read call succeeded",
    ] {
        assert!(out.contains(line), "missing `{line}` in:\n{out}");
    }
    let mut bad = oauth_env(&mock);
    bad.retain(|(k, _)| k != "ATLASSIAN_OAUTH_CLIENT_SECRET");
    bad.push((
        "ATLASSIAN_OAUTH_CLIENT_SECRET".into(),
        "wrong-secret".into(),
    ));
    let (code, out, _) = run(&["doctor"], &bad).await;
    assert_eq!(code, 1);
    assert!(
        out.contains(
            "[FAIL] credentials: Atlassian refused the OAuth client credentials (HTTP 401"
        ),
        "{out}"
    );
    assert!(!out.contains("wrong-secret"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn call_scopes_and_tools() {
    let mock = Mock::start(Config::default()).await.expect("mock");
    let env = oauth_env(&mock);
    let (code, out, err) = run(
        &["call", "jira_get_issue", r#"{"issue_key": "PROJ-2"}"#],
        &env,
    )
    .await;
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON on stdout");
    assert_eq!(v["key"], "PROJ-2");
    assert_eq!(v["summary"], "Add audit log export");

    let (code, _, err) = run(&["call", "jira_get_issue", r#"{"issue_key": 5}"#], &env).await;
    assert_eq!(code, 2);
    assert!(err.contains("issue_key"), "{err}");

    let (code, out, _) = run(&["scopes"], &env).await;
    assert_eq!(code, 0);
    let classic = out
        .lines()
        .find(|l| l.starts_with("classic:"))
        .unwrap_or("");
    assert!(
        classic.contains("read:jira-work") && classic.contains("write:jira-work"),
        "{out}"
    );

    let mut read_only = env.clone();
    read_only.push(("READ_ONLY_MODE".into(), "true".into()));
    let (_, out, _) = run(&["tools"], &read_only).await;
    assert!(
        out.contains("jira_get_issue") && !out.contains("jira_create_issue"),
        "{out}"
    );
    let (_, out, _) = run(&["scopes"], &read_only).await;
    assert!(
        !out.contains("write:jira-work"),
        "read-only mode needs no write scope: {out}"
    );
}
