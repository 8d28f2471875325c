//! Authentication: OAuth 2.0 client credentials (service accounts), Basic API tokens, and
//! Data Center personal access tokens, behind one interface.

pub mod cloud_id;
pub mod secret;
pub mod token;

pub use secret::Secret;

use base64::Engine;
use reqwest::header::HeaderValue;
use std::sync::Arc;

/// Why no credentials could be attached.
#[derive(Clone, Debug, thiserror::Error)]
pub enum AuthError {
    /// The token endpoint refused the client credentials (not retried).
    #[error("Atlassian refused the OAuth client credentials (HTTP {status}{}{}); check ATLASSIAN_OAUTH_CLIENT_ID/SECRET and that the credential is active",
        if error.is_empty() { String::new() } else { format!(", {error}") },
        if description.is_empty() { String::new() } else { format!(": {description}") })]
    Rejected {
        status: u16,
        error: String,
        description: String,
    },
    /// The token endpoint could not be reached or failed; the next call tries again.
    #[error("could not get an access token: {0}")]
    Unavailable(String),
    /// The token endpoint answered something that is not a token.
    #[error("could not get an access token: {0}")]
    InvalidResponse(String),
}

/// How requests are authenticated.
#[derive(Clone)]
pub enum Auth {
    /// OAuth 2.0 client credentials; bearer tokens through the api.atlassian.com gateway.
    OAuth(Arc<token::TokenSource>),
    /// `Authorization: Basic base64(email:api_token)`.
    Basic { email: String, header: Secret },
    /// `Authorization: Bearer <personal access token>` (Data Center / Server).
    Pat(Secret),
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::OAuth(t) => write!(f, "OAuth(client_id={})", t.client_id()),
            Auth::Basic { email, .. } => write!(f, "Basic({email})"),
            Auth::Pat(_) => f.write_str("Pat([redacted])"),
        }
    }
}

impl Auth {
    /// Basic auth from an account email and API token.
    pub fn basic(email: &str, token: &Secret) -> Self {
        let raw = format!("{email}:{}", token.expose());
        Auth::Basic {
            email: email.to_string(),
            header: Secret::new(format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(raw)
            )),
        }
    }

    /// The `Authorization` header value to send now.
    pub async fn header(&self) -> Result<HeaderValue, AuthError> {
        let text = match self {
            Auth::OAuth(src) => {
                Secret::new(format!("Bearer {}", src.token().await?.access.expose()))
            }
            Auth::Basic { header, .. } => header.clone(),
            Auth::Pat(pat) => Secret::new(format!("Bearer {}", pat.expose())),
        };
        let mut v = HeaderValue::from_str(text.expose()).map_err(|_| {
            AuthError::InvalidResponse(
                "credential contains characters not allowed in a header".into(),
            )
        })?;
        v.set_sensitive(true);
        Ok(v)
    }

    /// Whether a 401 can be cured by getting a new credential.
    pub fn renewable(&self) -> bool {
        matches!(self, Auth::OAuth(_))
    }

    /// Forgets a refused credential so the next `header()` gets a new one.
    pub fn invalidate(&self, used: &HeaderValue) {
        if let (Auth::OAuth(src), Ok(text)) = (self, used.to_str()) {
            if let Some(token) = text.strip_prefix("Bearer ") {
                src.invalidate(&Secret::new(token));
            }
        }
    }
}
