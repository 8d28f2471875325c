//! Turning Atlassian error responses into one short message for the agent, keeping field errors.

use serde_json::Value;

const MAX_TEXT: usize = 300;

/// A readable summary of an error body: Jira `{errorMessages, errors}`, Confluence v2
/// `{errors: [{status, code, title, detail}]}`, gateway `{code, message}`, or text/HTML (truncated).
pub fn describe_error_body(body: &[u8]) -> String {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return plain_text(&String::from_utf8_lossy(body));
    };
    let mut parts: Vec<String> = Vec::new();
    if let Some(msgs) = v.get("errorMessages").and_then(Value::as_array) {
        parts.extend(msgs.iter().filter_map(Value::as_str).map(String::from));
    }
    match v.get("errors") {
        Some(Value::Object(fields)) => {
            for (field, msg) in fields {
                parts.push(format!(
                    "{field}: {}",
                    msg.as_str()
                        .map(String::from)
                        .unwrap_or_else(|| msg.to_string())
                ));
            }
        }
        Some(Value::Array(list)) => {
            for e in list {
                let title = e.get("title").and_then(Value::as_str).unwrap_or("");
                let detail = e.get("detail").and_then(Value::as_str).unwrap_or("");
                let code = e.get("code").and_then(Value::as_str).unwrap_or("");
                let text = [title, detail]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(": ");
                parts.push(if text.is_empty() {
                    code.to_string()
                } else {
                    text
                });
            }
        }
        _ => {}
    }
    for key in ["message", "error_description", "error"] {
        if parts.is_empty() {
            if let Some(m) = v.get(key).and_then(Value::as_str) {
                parts.push(m.to_string());
            }
        }
    }
    let joined = parts
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    if joined.is_empty() {
        truncate(&v.to_string())
    } else {
        truncate(&joined)
    }
}

fn plain_text(text: &str) -> String {
    // Strip tags from HTML error pages, collapse whitespace.
    let mut out = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    truncate(&out.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn truncate(s: &str) -> String {
    if s.chars().count() <= MAX_TEXT {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(MAX_TEXT).collect::<String>())
    }
}

/// What an agent can do about a status.
pub fn hint(status: u16) -> &'static str {
    match status {
        400 => "check the arguments against the tool's schema",
        401 => "the credential was refused; check the server's configuration",
        403 => "the service account lacks permission for this (project/space permission or OAuth scope)",
        404 => "it does not exist or the service account cannot see it; check the key or id",
        409 => "it conflicts with the current state (e.g. a stale version number); read it again and retry",
        410 => "this API is gone; the tool needs a newer operation",
        413 => "the request is too large",
        429 => "Atlassian is rate limiting; wait and retry later",
        500..=599 => "Atlassian failed; retry later",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jira_errors_keep_field_messages() {
        let body = br#"{"errorMessages":["Issue does not exist"],"errors":{"summary":"You must specify a summary of the issue."}}"#;
        assert_eq!(
            describe_error_body(body),
            "Issue does not exist; summary: You must specify a summary of the issue."
        );
    }

    #[test]
    fn confluence_v2_and_gateway_errors() {
        let v2 = br#"{"errors":[{"status":404,"code":"NOT_FOUND","title":"Not Found","detail":"Page 42 not found"}]}"#;
        assert_eq!(describe_error_body(v2), "Not Found: Page 42 not found");
        let gw = br#"{"code":401,"message":"Unauthorized; scope does not match"}"#;
        assert_eq!(
            describe_error_body(gw),
            "Unauthorized; scope does not match"
        );
    }

    #[test]
    fn html_is_stripped_and_truncated() {
        let html = format!(
            "<html><body><h1>Oops</h1><p>{}</p></body></html>",
            "x ".repeat(400)
        );
        let out = describe_error_body(html.as_bytes());
        assert!(out.starts_with("Oops x x"));
        assert!(out.chars().count() <= MAX_TEXT + 1);
    }
}
