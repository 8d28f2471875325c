//! Checking tool arguments against the tool's input schema before anything is sent.

use serde_json::Value;

/// Validates `args` against `schema`; the error lists each problem with its argument path.
pub fn check_arguments(schema: &Value, args: &Value) -> Result<(), String> {
    let validator = jsonschema::validator_for(schema)
        .map_err(|e| format!("the tool's schema is invalid: {e}"))?;
    let problems: Vec<String> = validator
        .iter_errors(args)
        .take(10)
        .map(|e| {
            let path = e.instance_path().to_string();
            let path = if path.is_empty() || path == "/" {
                "arguments".to_string()
            } else {
                path.trim_start_matches('/').replace('/', ".")
            };
            format!("{path}: {e}")
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_the_argument_and_what_was_expected() {
        let schema = json!({"type": "object", "properties": {"limit": {"type": "integer"}, "issue_key": {"type": "string"}}, "required": ["issue_key"]});
        let err = check_arguments(&schema, &json!({"limit": "ten"}))
            .err()
            .unwrap_or_default();
        assert!(
            err.contains("limit: \"ten\" is not of type \"integer\""),
            "{err}"
        );
        assert!(
            err.contains("\"issue_key\" is a required property"),
            "{err}"
        );
        assert!(check_arguments(&schema, &json!({"issue_key": "A-1", "limit": 5})).is_ok());
    }
}
