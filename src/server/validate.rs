//! Checking tool arguments against the tool's input schema before anything is sent.

use serde_json::Value;

/// Validates `args` against `schema`; the error lists each problem with its argument path.
pub fn check_arguments(schema: &Value, args: &Value) -> Result<(), String> {
    let validator = jsonschema::validator_for(schema)
        .map_err(|e| format!("the tool's schema is invalid: {e}"))?;
    check_with(&validator, args)
}

/// Validates a tool's arguments with its validator, compiled on the tool's first call.
pub fn check_tool_arguments(tool: &crate::registry::ToolDef, args: &Value) -> Result<(), String> {
    use std::sync::OnceLock;
    type Slot = OnceLock<Result<jsonschema::Validator, String>>;
    static VALIDATORS: OnceLock<Vec<Slot>> = OnceLock::new();
    let slots = VALIDATORS.get_or_init(|| {
        crate::generated::registry::TOOLS
            .iter()
            .map(|_| OnceLock::new())
            .collect()
    });
    let index = crate::generated::registry::TOOLS
        .iter()
        .position(|t| t.name == tool.name);
    let Some(slot) = index.and_then(|i| slots.get(i)) else {
        return check_arguments(crate::app::input_schema(tool), args);
    };
    let compiled = slot.get_or_init(|| {
        jsonschema::validator_for(crate::app::input_schema(tool))
            .map_err(|e| format!("the tool's schema is invalid: {e}"))
    });
    match compiled {
        Ok(v) => check_with(v, args),
        Err(e) => Err(e.clone()),
    }
}

fn check_with(validator: &jsonschema::Validator, args: &Value) -> Result<(), String> {
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
