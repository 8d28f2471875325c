//! Configuration from the environment (mcp-atlassian's variable names accepted too).

use crate::auth::Secret;
use std::time::Duration;

/// Default OAuth token endpoint.
pub const DEFAULT_TOKEN_URL: &str = "https://auth.atlassian.com/oauth/token";
/// Default API gateway.
pub const DEFAULT_API_BASE: &str = "https://api.atlassian.com";

/// Which credential is used.
#[derive(Clone, Debug)]
pub enum AuthMode {
    /// OAuth 2.0 client credentials (service account).
    OAuth {
        client_id: String,
        client_secret: Secret,
    },
    /// Cloud API token with Basic auth (to the site, or to the gateway for scoped tokens).
    Basic { email: String, token: Secret },
    /// Data Center / Server personal access token.
    Pat { token: Secret },
}

impl AuthMode {
    /// Who calls Atlassian, for logs and the audit trail (never a secret).
    pub fn identity(&self) -> String {
        match self {
            AuthMode::OAuth { client_id, .. } => format!("oauth:{client_id}"),
            AuthMode::Basic { email, .. } => format!("basic:{email}"),
            AuthMode::Pat { .. } => "pat".to_string(),
        }
    }
}

/// Everything the server needs to reach Atlassian.
#[derive(Clone, Debug)]
pub struct Settings {
    pub auth: AuthMode,
    /// `https://acme.atlassian.net` (Cloud) or the instance URL (Data Center).
    pub jira_url: Option<String>,
    pub confluence_url: Option<String>,
    pub cloud_id: Option<String>,
    pub token_url: String,
    pub api_base: String,
    /// Scopes the OAuth credential was created with (not sent; used to explain and filter).
    pub oauth_scope: Option<String>,
    pub timeout: Duration,
}

/// A configuration problem, listing what to set.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(pub String);

fn non_empty(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn site(url: String) -> String {
    let url = url.trim_end_matches('/');
    url.strip_suffix("/wiki").unwrap_or(url).to_string()
}

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads settings through `get` (the environment, or a map in tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let v = |k: &str| non_empty(get(k));
        let first = |keys: &[&str]| keys.iter().find_map(|k| v(k));
        let site_url = v("ATLASSIAN_SITE_URL").map(site);
        let jira_url = first(&["JIRA_URL"]).map(site).or(site_url.clone());
        let confluence_url = first(&["CONFLUENCE_URL"]).map(site).or(site_url.clone());
        let client_id = v("ATLASSIAN_OAUTH_CLIENT_ID");
        let client_secret = v("ATLASSIAN_OAUTH_CLIENT_SECRET");
        let email = first(&["ATLASSIAN_EMAIL", "JIRA_USERNAME", "CONFLUENCE_USERNAME"]);
        let api_token = first(&[
            "ATLASSIAN_API_TOKEN",
            "JIRA_API_TOKEN",
            "CONFLUENCE_API_TOKEN",
        ]);
        let pat = first(&["JIRA_PERSONAL_TOKEN", "CONFLUENCE_PERSONAL_TOKEN"]);
        let cloud_id = v("ATLASSIAN_CLOUD_ID");

        let oauth = client_id.is_some() || client_secret.is_some();
        let basic = email.is_some() || api_token.is_some();
        let chosen = [oauth, basic, pat.is_some()].iter().filter(|b| **b).count();
        if chosen > 1 {
            return Err(ConfigError(
                "more than one kind of credential is set (OAuth client credentials, API token, personal access token); unset all but one".into(),
            ));
        }
        let auth = if oauth {
            match (client_id, client_secret) {
                (Some(id), Some(secret)) => AuthMode::OAuth {
                    client_id: id,
                    client_secret: Secret::new(secret),
                },
                (None, _) => return Err(ConfigError(
                    "ATLASSIAN_OAUTH_CLIENT_SECRET is set but ATLASSIAN_OAUTH_CLIENT_ID is missing"
                        .into(),
                )),
                (_, None) => return Err(ConfigError(
                    "ATLASSIAN_OAUTH_CLIENT_ID is set but ATLASSIAN_OAUTH_CLIENT_SECRET is missing"
                        .into(),
                )),
            }
        } else if basic {
            match (email, api_token) {
                (Some(email), Some(token)) => AuthMode::Basic { email, token: Secret::new(token) },
                (None, _) => return Err(ConfigError("an API token is set but no account email: set ATLASSIAN_EMAIL (or JIRA_USERNAME)".into())),
                (_, None) => return Err(ConfigError("an account email is set but no API token: set ATLASSIAN_API_TOKEN (or JIRA_API_TOKEN)".into())),
            }
        } else if let Some(token) = pat {
            AuthMode::Pat {
                token: Secret::new(token),
            }
        } else {
            return Err(ConfigError(
                "no credentials: set ATLASSIAN_OAUTH_CLIENT_ID and ATLASSIAN_OAUTH_CLIENT_SECRET (service account), or ATLASSIAN_EMAIL + ATLASSIAN_API_TOKEN + ATLASSIAN_SITE_URL, or JIRA_PERSONAL_TOKEN + JIRA_URL (Data Center)".into(),
            ));
        };
        match &auth {
            AuthMode::OAuth { .. }
                if cloud_id.is_none() && site_url.is_none() && jira_url.is_none() =>
            {
                tracing::debug!("no site or cloudId configured: the cloudId comes from accessible-resources (must be exactly one site)");
            }
            AuthMode::Basic { .. }
                if jira_url.is_none() && confluence_url.is_none() && cloud_id.is_none() =>
            {
                return Err(ConfigError("API token auth needs ATLASSIAN_SITE_URL (e.g. https://acme.atlassian.net), or ATLASSIAN_CLOUD_ID for a scoped token".into()));
            }
            AuthMode::Pat { .. } if jira_url.is_none() && confluence_url.is_none() => {
                return Err(ConfigError("a personal access token needs JIRA_URL and/or CONFLUENCE_URL (the Data Center instance)".into()));
            }
            _ => {}
        }
        let timeout = match v("ATLASSIAN_TIMEOUT_SECONDS") {
            Some(t) => {
                Duration::from_secs(t.parse::<u64>().ok().filter(|n| *n > 0).ok_or_else(|| {
                    ConfigError(format!(
                        "ATLASSIAN_TIMEOUT_SECONDS must be a positive whole number, not `{t}`"
                    ))
                })?)
            }
            None => Duration::from_secs(30),
        };
        Ok(Settings {
            auth,
            jira_url,
            confluence_url,
            cloud_id,
            token_url: v("ATLASSIAN_OAUTH_TOKEN_URL").unwrap_or_else(|| DEFAULT_TOKEN_URL.into()),
            api_base: v("ATLASSIAN_API_BASE_URL")
                .map(|s| s.trim_end_matches('/').to_string())
                .unwrap_or_else(|| DEFAULT_API_BASE.into()),
            oauth_scope: v("ATLASSIAN_OAUTH_SCOPE"),
            timeout,
        })
    }

    /// Whether calls go through the api.atlassian.com gateway (and so need a cloudId).
    pub fn uses_gateway(&self) -> bool {
        match &self.auth {
            AuthMode::OAuth { .. } => true,
            AuthMode::Basic { .. } => self.jira_url.is_none() && self.confluence_url.is_none(),
            AuthMode::Pat { .. } => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn oauth_needs_both_halves_and_never_prints_the_secret() {
        let err = settings(&[("ATLASSIAN_OAUTH_CLIENT_ID", "id")])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("ATLASSIAN_OAUTH_CLIENT_SECRET is missing"),
            "{err}"
        );
        let s = settings(&[
            ("ATLASSIAN_OAUTH_CLIENT_ID", "id"),
            ("ATLASSIAN_OAUTH_CLIENT_SECRET", "s3cr3t-value"),
        ])
        .expect("valid");
        assert!(!format!("{s:?}").contains("s3cr3t-value"));
        assert!(s.uses_gateway());
    }

    #[test]
    fn conflicting_and_missing_credentials_are_clear() {
        let err = settings(&[
            ("ATLASSIAN_OAUTH_CLIENT_ID", "id"),
            ("ATLASSIAN_OAUTH_CLIENT_SECRET", "s"),
            ("JIRA_PERSONAL_TOKEN", "p"),
        ])
        .err();
        assert!(err.is_some_and(|e| e.to_string().contains("more than one kind")));
        let err = settings(&[])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("no credentials"), "{err}");
    }

    #[test]
    fn mcp_atlassian_names_are_accepted() {
        let s = settings(&[
            ("JIRA_URL", "https://acme.atlassian.net/"),
            ("JIRA_USERNAME", "a@b.c"),
            ("JIRA_API_TOKEN", "t"),
            ("CONFLUENCE_URL", "https://acme.atlassian.net/wiki"),
        ])
        .expect("valid");
        assert!(matches!(s.auth, AuthMode::Basic { .. }));
        assert_eq!(s.jira_url.as_deref(), Some("https://acme.atlassian.net"));
        assert_eq!(
            s.confluence_url.as_deref(),
            Some("https://acme.atlassian.net")
        );
        assert!(!s.uses_gateway());
    }

    #[test]
    fn bad_timeout_is_an_error() {
        let err = settings(&[
            ("JIRA_PERSONAL_TOKEN", "p"),
            ("JIRA_URL", "https://jira.local"),
            ("ATLASSIAN_TIMEOUT_SECONDS", "soon"),
        ])
        .err();
        assert!(err.is_some_and(|e| e.to_string().contains("ATLASSIAN_TIMEOUT_SECONDS")));
    }
}
