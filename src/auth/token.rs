//! OAuth 2.0 client-credentials tokens: fetched on demand, cached until shortly before expiry,
//! renewed by repeating the grant, and fetched at most once at a time (single flight).

use super::{AuthError, Secret};
use futures::future::{BoxFuture, FutureExt, Shared};
use serde::Deserialize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A cached access token.
#[derive(Clone)]
pub struct Token {
    pub access: Secret,
    pub expires_at: Instant,
    /// Renew once this instant has passed.
    pub renew_at: Instant,
    /// Space-separated scopes the token response granted, if it said.
    pub scope: Option<String>,
}

type Pending = Shared<BoxFuture<'static, Result<Token, AuthError>>>;

#[derive(Default)]
struct State {
    token: Option<Token>,
    pending: Option<Pending>,
}

/// Gets client-credentials tokens from a token endpoint.
pub struct TokenSource {
    http: reqwest::Client,
    token_url: String,
    client_id: String,
    client_secret: Secret,
    state: Mutex<State>,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    scope: Option<String>,
}

#[derive(Deserialize)]
struct OAuthError {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// Renew when less than min(5 min, 10 % of the lifetime) is left.
pub fn renew_margin(lifetime: Duration) -> Duration {
    std::cmp::min(Duration::from_secs(300), lifetime / 10)
}

impl TokenSource {
    pub fn new(
        http: reqwest::Client,
        token_url: String,
        client_id: String,
        client_secret: Secret,
    ) -> Arc<Self> {
        Arc::new(TokenSource {
            http,
            token_url,
            client_id,
            client_secret,
            state: Mutex::new(State::default()),
        })
    }

    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The scopes granted by the last token response, if it said.
    pub fn granted_scope(&self) -> Option<String> {
        self.lock().token.as_ref().and_then(|t| t.scope.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A valid token: the cached one, or one fetched now. Concurrent callers share one fetch, and
    /// share its failure; the next call after a failure tries again.
    pub async fn token(self: &Arc<Self>) -> Result<Token, AuthError> {
        let pending = {
            let mut st = self.lock();
            if let Some(t) = &st.token {
                if Instant::now() < t.renew_at {
                    return Ok(t.clone());
                }
            }
            match &st.pending {
                Some(p) => p.clone(),
                None => {
                    let me = Arc::clone(self);
                    let p = async move { me.fetch().await }.boxed().shared();
                    st.pending = Some(p.clone());
                    p
                }
            }
        };
        let result = pending.clone().await;
        let mut st = self.lock();
        if st.pending.as_ref().is_some_and(|p| p.ptr_eq(&pending)) {
            st.pending = None;
            if let Ok(t) = &result {
                st.token = Some(t.clone());
            }
        }
        result
    }

    /// Drops the cached token if it is still `used` (after the API refused it).
    pub fn invalidate(&self, used: &Secret) {
        let mut st = self.lock();
        if st.token.as_ref().is_some_and(|t| &t.access == used) {
            st.token = None;
        }
    }

    async fn fetch(&self) -> Result<Token, AuthError> {
        tracing::debug!(client_id = %self.client_id, "requesting an access token");
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.expose()),
        ];
        let started = Instant::now();
        let response = self
            .http
            .post(&self.token_url)
            .form(&form)
            .send()
            .await
            .map_err(|e| {
                AuthError::Unavailable(format!(
                    "token endpoint unreachable: {}",
                    describe_reqwest(&e)
                ))
            })?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| {
            AuthError::Unavailable(format!(
                "token endpoint response unreadable: {}",
                describe_reqwest(&e)
            ))
        })?;
        if !status.is_success() {
            let parsed: Option<OAuthError> = serde_json::from_slice(&body).ok();
            let (error, description) = match parsed {
                Some(e) => (e.error, e.error_description.unwrap_or_default()),
                None => (String::new(), String::new()),
            };
            return Err(if matches!(status.as_u16(), 400 | 401 | 403) {
                AuthError::Rejected {
                    status: status.as_u16(),
                    error,
                    description,
                }
            } else {
                AuthError::Unavailable(format!(
                    "token endpoint answered HTTP {}{}",
                    status.as_u16(),
                    if error.is_empty() {
                        String::new()
                    } else {
                        format!(" ({error})")
                    }
                ))
            });
        }
        let parsed: TokenResponse = serde_json::from_slice(&body).map_err(|_| {
            AuthError::InvalidResponse(
                "token endpoint answered 2xx without a usable JSON token".into(),
            )
        })?;
        if parsed.access_token.is_empty() {
            return Err(AuthError::InvalidResponse(
                "token endpoint returned an empty access_token".into(),
            ));
        }
        let lifetime = Duration::from_secs(parsed.expires_in.unwrap_or(3600));
        let expires_at = started + lifetime;
        tracing::info!(client_id = %self.client_id, expires_in = lifetime.as_secs(), "access token obtained");
        Ok(Token {
            access: Secret::new(parsed.access_token),
            expires_at,
            renew_at: expires_at - renew_margin(lifetime),
            scope: parsed.scope,
        })
    }
}

/// A reqwest error described without its URL (which could carry a query secret).
pub fn describe_reqwest(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_decode() {
        "could not decode the response"
    } else if e.is_body() {
        "body error"
    } else {
        "request failed"
    };
    kind.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margin_is_the_smaller_of_five_minutes_and_a_tenth() {
        assert_eq!(
            renew_margin(Duration::from_secs(3600)),
            Duration::from_secs(300)
        );
        assert_eq!(
            renew_margin(Duration::from_secs(600)),
            Duration::from_secs(60)
        );
        assert_eq!(
            renew_margin(Duration::from_secs(2)),
            Duration::from_millis(200)
        );
    }
}
