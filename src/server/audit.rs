//! The audit trail: one JSON line per tool call (tool, a digest of the arguments — never their
//! values —, outcome, HTTP status, latency, identity) to stderr or `AUDIT_LOG_FILE`.

use sha2::{Digest, Sha256};
use std::io::Write;
use std::sync::Mutex;

/// Where audit lines go.
pub struct Audit {
    sink: Mutex<Box<dyn Write + Send>>,
}

impl std::fmt::Debug for Audit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Audit")
    }
}

/// One call's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Error,
    Refused,
    Cancelled,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Error => "error",
            Outcome::Refused => "refused",
            Outcome::Cancelled => "cancelled",
        }
    }
}

/// SHA-256 of the canonical (key-sorted) JSON of the arguments, hex, first 16 bytes.
pub fn digest(args: &serde_json::Map<String, serde_json::Value>) -> String {
    let sorted: std::collections::BTreeMap<_, _> = args.iter().collect();
    let text = serde_json::to_string(&sorted).unwrap_or_default();
    let hash = Sha256::digest(text.as_bytes());
    hash.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

impl Audit {
    /// To `AUDIT_LOG_FILE` (appended) when set, else stderr.
    pub fn from_env() -> std::io::Result<Self> {
        match std::env::var_os("AUDIT_LOG_FILE") {
            Some(path) => {
                let f = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)?;
                Ok(Audit {
                    sink: Mutex::new(Box::new(f)),
                })
            }
            None => Ok(Audit {
                sink: Mutex::new(Box::new(std::io::stderr())),
            }),
        }
    }

    /// Writes to any sink (tests).
    pub fn to_writer(w: Box<dyn Write + Send>) -> Self {
        Audit {
            sink: Mutex::new(w),
        }
    }

    /// Records one call.
    #[allow(clippy::too_many_arguments)]
    pub fn record(
        &self,
        tool: &str,
        args_digest: &str,
        outcome: Outcome,
        status: Option<u16>,
        latency_ms: u128,
        identity: &str,
    ) {
        let line = serde_json::json!({
            "audit": "tool_call",
            "ts": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "tool": tool,
            "args_sha256": args_digest,
            "outcome": outcome.as_str(),
            "http_status": status,
            "latency_ms": latency_ms as u64,
            "identity": identity,
        });
        if let Ok(mut sink) = self.sink.lock() {
            let _ = writeln!(sink, "{line}");
            let _ = sink.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn digest_ignores_key_order_and_hides_values() {
        let a = json!({"b": 1, "a": "secret-value"});
        let b = json!({"a": "secret-value", "b": 1});
        let da = digest(a.as_object().expect("object"));
        assert_eq!(da, digest(b.as_object().expect("object")));
        assert_eq!(da.len(), 32);
        assert!(!da.contains("secret"));
        assert_ne!(
            da,
            digest(json!({"a": "other", "b": 1}).as_object().expect("object"))
        );
    }
}
