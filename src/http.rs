//! The HTTP layer under every generated client: attaches credentials, retries what is safe to
//! retry (429 always; 500/502/503/504 and connection errors for idempotent methods), renews a refused
//! OAuth token once, and never follows a redirect with credentials to another host.

use crate::auth::Auth;
use progenitor_client::{Error, OperationInfo};
use rand::Rng;
use reqwest::header::{HeaderMap, AUTHORIZATION, RETRY_AFTER};
use reqwest::{Method, Request, Response, StatusCode};
use std::sync::Arc;
use std::time::Duration;

/// When and how long to retry.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// First back-off for 5xx/connection errors (doubled each time, with jitter).
    pub base_delay: Duration,
    /// `Retry-After` is clamped into this range.
    pub min_retry_after: Duration,
    pub max_retry_after: Duration,
    /// Total time one call may spend waiting between attempts.
    pub wait_budget: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            min_retry_after: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(60),
            wait_budget: Duration::from_secs(90),
        }
    }
}

/// Shared by all generated clients (their `inner`); cheap to clone.
#[derive(Clone, Debug)]
pub struct Transport(Arc<TransportInner>);

#[derive(Debug)]
struct TransportInner {
    auth: Auth,
    retry: RetryPolicy,
}

/// `{"code":401,"message":"Unauthorized; scope does not match"}`: renewing will not help.
pub fn is_scope_mismatch(body: &[u8]) -> bool {
    std::str::from_utf8(body).is_ok_and(|s| s.to_ascii_lowercase().contains("scope does not match"))
}

/// The HTTP client every request goes through: rustls, our timeout, proxies from the environment,
/// and redirects that drop `Authorization` when they leave the host.
pub fn build_client(timeout: Duration) -> reqwest::Result<reqwest::Client> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!("atlassian-mcp/", env!("CARGO_PKG_VERSION")))
        // reqwest removes Authorization (and cookies) when a redirect changes host.
        .redirect(reqwest::redirect::Policy::limited(5))
        .build()
}

impl Transport {
    pub fn new(auth: Auth, retry: RetryPolicy) -> Self {
        Transport(Arc::new(TransportInner { auth, retry }))
    }

    pub fn auth(&self) -> &Auth {
        &self.0.auth
    }

    /// progenitor pre-hook: drop progenitor's `api-version` header and attach credentials.
    pub async fn pre<E>(
        &self,
        request: &mut Request,
        _info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        request.headers_mut().remove("api-version");
        let header = self
            .0
            .auth
            .header()
            .await
            .map_err(|e| Error::Custom(e.to_string()))?;
        request.headers_mut().insert(AUTHORIZATION, header);
        Ok(())
    }

    /// progenitor exec-hook: send, retrying as the policy allows.
    pub async fn exec(
        &self,
        client: &reqwest::Client,
        request: Request,
        info: &OperationInfo,
    ) -> reqwest::Result<Response> {
        let policy = &self.0.retry;
        let idempotent = matches!(
            *request.method(),
            Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE
        );
        let mut waited = Duration::ZERO;
        let mut renewed = false;
        let mut attempt = 0u32;
        let mut request = request;
        loop {
            attempt += 1;
            let Some(copy) = request.try_clone() else {
                // A streaming body cannot be replayed: one attempt only.
                return client.execute(request).await;
            };
            let result = client.execute(copy).await;
            let last = attempt >= policy.max_attempts;
            let delay = match &result {
                Ok(r)
                    if r.status() == StatusCode::UNAUTHORIZED
                        && self.0.auth.renewable()
                        && !renewed =>
                {
                    let response = result?;
                    let (parts, body) = split(response).await?;
                    if is_scope_mismatch(&body) {
                        return Ok(rebuild(parts, body));
                    }
                    renewed = true;
                    if let Some(used) = request.headers().get(AUTHORIZATION) {
                        self.0.auth.invalidate(used);
                    }
                    match self.0.auth.header().await {
                        Ok(h) => {
                            request.headers_mut().insert(AUTHORIZATION, h);
                            tracing::info!(
                                operation = info.operation_id,
                                "token refused; renewed it, retrying once"
                            );
                            attempt -= 1;
                            continue;
                        }
                        Err(e) => {
                            tracing::warn!(operation = info.operation_id, error = %e, "token refused and renewal failed");
                            return Ok(rebuild(parts, body));
                        }
                    }
                }
                Ok(r) if r.status() == StatusCode::TOO_MANY_REQUESTS => {
                    Some(retry_after(r.headers(), policy))
                }
                Ok(r) if idempotent && matches!(r.status().as_u16(), 500 | 502..=504) => {
                    Some(backoff(policy, attempt))
                }
                Err(e) if idempotent && (e.is_connect() || e.is_timeout()) => {
                    Some(backoff(policy, attempt))
                }
                _ => None,
            };
            match delay {
                Some(d) if !last && waited + d <= policy.wait_budget => {
                    let why = match &result {
                        Ok(r) => format!("HTTP {}", r.status().as_u16()),
                        Err(e) => crate::auth::token::describe_reqwest(e),
                    };
                    tracing::info!(operation = info.operation_id, attempt, delay_ms = d.as_millis() as u64, %why, "retrying");
                    waited += d;
                    tokio::time::sleep(d).await;
                }
                _ => return result,
            }
        }
    }
}

/// `Retry-After` seconds (Atlassian has sent `0` and absurd values), clamped.
pub fn retry_after(headers: &HeaderMap, policy: &RetryPolicy) -> Duration {
    let secs = headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.trim().parse::<f64>().ok());
    let d = secs
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| Duration::from_secs_f64(s.min(86_400.0)))
        .unwrap_or(policy.min_retry_after);
    d.clamp(policy.min_retry_after, policy.max_retry_after)
}

/// Exponential back-off with full jitter: random in [base*2^(n-1)/2, base*2^(n-1)].
pub fn backoff(policy: &RetryPolicy, attempt: u32) -> Duration {
    let ceiling = policy
        .base_delay
        .saturating_mul(1u32 << attempt.saturating_sub(1).min(10));
    let half = ceiling / 2;
    let jitter = rand::rng().random_range(0..=half.as_millis().max(1) as u64);
    half + Duration::from_millis(jitter)
}

async fn split(response: Response) -> reqwest::Result<(http_parts::Parts, bytes::Bytes)> {
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await?;
    Ok((http_parts::Parts { status, headers }, body))
}

fn rebuild(parts: http_parts::Parts, body: bytes::Bytes) -> Response {
    let mut builder = http_parts::builder().status(parts.status);
    if let Some(h) = builder.headers_mut() {
        *h = parts.headers;
    }
    match builder.body(body) {
        Ok(r) => Response::from(r),
        Err(_) => Response::from(http_parts::Response::new(bytes::Bytes::new())),
    }
}

/// The few `http` crate items used to rebuild a response after reading its body.
mod http_parts {
    pub use reqwest::StatusCode;
    pub type Response = ::http::Response<bytes::Bytes>;
    pub struct Parts {
        pub status: StatusCode,
        pub headers: reqwest::header::HeaderMap,
    }
    pub fn builder() -> ::http::response::Builder {
        ::http::Response::builder()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_clamped() {
        let p = RetryPolicy::default();
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, "0".parse().expect("header"));
        assert_eq!(retry_after(&h, &p), Duration::from_secs(1));
        h.insert(RETRY_AFTER, "99999999".parse().expect("header"));
        assert_eq!(retry_after(&h, &p), Duration::from_secs(60));
        h.insert(RETRY_AFTER, "7".parse().expect("header"));
        assert_eq!(retry_after(&h, &p), Duration::from_secs(7));
        h.insert(RETRY_AFTER, "soon".parse().expect("header"));
        assert_eq!(retry_after(&h, &p), Duration::from_secs(1));
    }

    #[test]
    fn backoff_grows_and_stays_within_its_window() {
        let p = RetryPolicy {
            base_delay: Duration::from_millis(100),
            ..RetryPolicy::default()
        };
        for attempt in 1..5u32 {
            let ceiling = Duration::from_millis(100 * (1 << (attempt - 1)));
            let d = backoff(&p, attempt);
            assert!(
                d >= ceiling / 2 && d <= ceiling + Duration::from_millis(1),
                "{attempt}: {d:?}"
            );
        }
    }

    #[test]
    fn scope_mismatch_is_recognised() {
        assert!(is_scope_mismatch(
            br#"{"code":401,"message":"Unauthorized; scope does not match"}"#
        ));
        assert!(!is_scope_mismatch(
            br#"{"code":401,"message":"Unauthorized"}"#
        ));
    }
}
