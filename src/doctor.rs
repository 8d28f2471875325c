//! `atlassian-mcp doctor`: checks each step from configuration to a real read call, and says how to fix
//! the first one that fails.

use crate::app::auth_for;
use crate::config::{AuthMode, Settings};
use std::process::ExitCode;

fn line(ok: bool, what: &str, detail: &str) {
    println!(
        "[{}] {what}{}{detail}",
        if ok { " ok " } else { "FAIL" },
        if detail.is_empty() { "" } else { ": " }
    );
}

/// Runs the checks; exit 0 when everything works.
pub async fn run(settings: Settings) -> ExitCode {
    let mode = match &settings.auth {
        AuthMode::OAuth { client_id, .. } => {
            format!("OAuth 2.0 client credentials (client id {client_id})")
        }
        AuthMode::Basic { email, .. } => format!("API token for {email}"),
        AuthMode::Pat { .. } => "personal access token (Data Center)".into(),
    };
    line(true, "configuration", &mode);
    let http = match crate::http::build_client(settings.timeout) {
        Ok(h) => h,
        Err(_) => {
            line(false, "HTTP client", "TLS setup failed");
            return ExitCode::FAILURE;
        }
    };
    let auth = auth_for(&settings, &http);
    let header = match auth.header().await {
        Ok(h) => {
            line(
                true,
                "credentials",
                if auth.renewable() {
                    "access token obtained"
                } else {
                    "header ready"
                },
            );
            h
        }
        Err(e) => {
            line(false, "credentials", &e.to_string());
            return ExitCode::FAILURE;
        }
    };
    if let crate::auth::Auth::OAuth(src) = &auth {
        let scope = src
            .granted_scope()
            .or(settings.oauth_scope.clone())
            .unwrap_or_else(|| "(not reported)".into());
        line(true, "granted scopes", &scope);
    }
    let mut bases: Vec<(&str, String)> = Vec::new();
    if settings.uses_gateway() {
        match crate::app::resolve_cloud_id(&http, &auth, &settings).await {
            Ok(id) => {
                line(true, "cloudId", &id);
                bases.push((
                    "Jira",
                    format!("{}/ex/jira/{id}/rest/api/3/myself", settings.api_base),
                ));
                bases.push((
                    "Confluence",
                    format!(
                        "{}/ex/confluence/{id}/wiki/api/v2/spaces?limit=1",
                        settings.api_base
                    ),
                ));
            }
            Err(e) => {
                line(false, "cloudId", &e.to_string());
                return ExitCode::FAILURE;
            }
        }
    } else {
        if let Some(j) = &settings.jira_url {
            bases.push(("Jira", format!("{j}/rest/api/3/myself")));
        }
        if let Some(c) = &settings.confluence_url {
            bases.push(("Confluence", format!("{c}/wiki/api/v2/spaces?limit=1")));
        }
    }
    let mut all_ok = true;
    for (product, url) in bases {
        match http
            .get(&url)
            .header(reqwest::header::AUTHORIZATION, header.clone())
            .send()
            .await
        {
            Ok(r) if r.status().is_success() => line(true, product, "read call succeeded"),
            Ok(r) => {
                all_ok = false;
                let status = r.status().as_u16();
                let body = r.bytes().await.unwrap_or_default();
                line(
                    false,
                    product,
                    &format!(
                        "HTTP {status}: {} ({})",
                        crate::upstream::describe_error_body(&body),
                        crate::upstream::hint(status)
                    ),
                );
            }
            Err(e) => {
                all_ok = false;
                line(false, product, &crate::auth::token::describe_reqwest(&e));
            }
        }
    }
    if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
