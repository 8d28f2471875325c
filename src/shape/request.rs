//! From a tool call's arguments to an operation's arguments (API parameter names, body under `$body`),
//! following the mapping the generator resolved from tools.yaml.

use crate::registry::ToolDef;
use serde_json::{Map, Value};

/// Key of the request body in operation arguments (matches the generated glue).
pub const BODY_KEY: &str = "$body";

/// A tool argument that cannot be used, with the argument's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("argument `{arg}`: {message}")]
pub struct ArgError {
    pub arg: String,
    pub message: String,
}

fn parse_static(text: &str) -> Value {
    // Generated from serde_json output, so it always parses; Null keeps a bad build from panicking.
    serde_json::from_str(text).unwrap_or(Value::Null)
}

/// Builds the operation arguments for `tool` from the agent's `args` (a JSON object).
pub fn operation_args(tool: &ToolDef, args: &Map<String, Value>) -> Result<Value, ArgError> {
    let mut out = Map::new();
    for p in tool.params {
        let value = match (p.fixed, p.arg) {
            (Some(fixed), _) => Some(parse_static(fixed)),
            (None, Some(arg)) => args
                .get(arg)
                .filter(|v| !v.is_null())
                .cloned()
                .or_else(|| p.default.map(parse_static)),
            (None, None) => None,
        };
        let Some(mut value) = value else { continue };
        if p.join {
            value = join_array(value);
        }
        out.insert(p.api.to_string(), value);
    }
    if tool.body.present {
        let mut body = tool.body.base.map(parse_static).unwrap_or(Value::Null);
        for f in tool.body.fields {
            let Some(value) = args
                .get(f.arg)
                .filter(|v| !v.is_null())
                .cloned()
                .or_else(|| f.default.map(parse_static))
            else {
                continue;
            };
            let value = match f.transform {
                Some(t) => transform_input(t, value).map_err(|message| ArgError {
                    arg: f.arg.to_string(),
                    message,
                })?,
                None => value,
            };
            write_pointer(&mut body, f.pointer, value, f.merge).map_err(|message| ArgError {
                arg: f.arg.to_string(),
                message,
            })?;
        }
        if !body.is_null() {
            out.insert(BODY_KEY.to_string(), body);
        }
    }
    Ok(Value::Object(out))
}

/// Applies an input transform: Markdown text to ADF (an ADF document passes unchanged) or to
/// Confluence storage format.
pub fn transform_input(transform: &str, value: Value) -> Result<Value, String> {
    match (transform, value) {
        ("markdown_to_adf", Value::String(md)) => Ok(super::adf::markdown_to_adf(&md)),
        ("markdown_to_adf", v) if super::adf::is_adf(&v) => Ok(v),
        ("markdown_to_adf", _) => Err("expected Markdown text (or an ADF document)".into()),
        ("markdown_to_storage", Value::String(md)) => {
            Ok(Value::String(super::storage::markdown_to_storage(&md)))
        }
        ("markdown_to_storage", _) => Err("expected Markdown text".into()),
        (other, _) => Err(format!("unknown input transform `{other}`")),
    }
}

/// `["a","b"]` -> `"a,b"`; anything else unchanged.
fn join_array(v: Value) -> Value {
    match v {
        Value::Array(items) => Value::String(
            items
                .iter()
                .map(|i| match i {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(","),
        ),
        other => other,
    }
}

/// Writes `value` at `pointer` inside `root`, creating objects (or arrays, for numeric segments)
/// on the way (`""` replaces the root).
pub fn write_pointer(
    root: &mut Value,
    pointer: &str,
    value: Value,
    merge: bool,
) -> Result<(), String> {
    let mut cur = root;
    if !pointer.is_empty() {
        for raw in pointer.trim_start_matches('/').split('/') {
            let seg = raw.replace("~1", "/").replace("~0", "~");
            let index = seg.parse::<usize>().ok();
            if cur.is_null() {
                *cur = if index.is_some() {
                    Value::Array(Vec::new())
                } else {
                    Value::Object(Map::new())
                };
            }
            cur = match (cur, index) {
                (Value::Object(obj), _) => obj.entry(seg).or_insert(Value::Null),
                (Value::Array(list), Some(i)) if i <= list.len() => {
                    if i == list.len() {
                        list.push(Value::Null);
                    }
                    &mut list[i]
                }
                _ => {
                    return Err(format!(
                        "cannot write `{pointer}`: a value on the way is not an object"
                    ))
                }
            };
        }
    }
    match (merge, &mut *cur, value) {
        (true, Value::Object(target), Value::Object(extra)) => {
            for (k, v) in extra {
                target.entry(k).or_insert(v);
            }
        }
        (true, Value::Null, v @ Value::Object(_)) => *cur = v,
        (true, _, _) => return Err("expected an object to merge".into()),
        (false, slot, v) => *slot = v,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::*;
    use serde_json::json;

    static FIELDS: &[BodyFieldDef] = &[
        BodyFieldDef {
            arg: "summary",
            pointer: "/fields/summary",
            transform: None,
            merge: false,
            default: None,
        },
        BodyFieldDef {
            arg: "project_key",
            pointer: "/fields/project/key",
            transform: None,
            merge: false,
            default: None,
        },
        BodyFieldDef {
            arg: "issue_type",
            pointer: "/fields/issuetype/name",
            transform: None,
            merge: false,
            default: Some("\"Task\""),
        },
        BodyFieldDef {
            arg: "additional_fields",
            pointer: "/fields",
            transform: None,
            merge: true,
            default: None,
        },
    ];
    static PARAMS: &[ParamDef] = &[
        ParamDef {
            arg: Some("issue_key"),
            api: "issueIdOrKey",
            default: None,
            fixed: None,
            join: false,
        },
        ParamDef {
            arg: Some("fields"),
            api: "fields",
            default: Some("\"summary\""),
            fixed: None,
            join: true,
        },
        ParamDef {
            arg: None,
            api: "expand",
            default: None,
            fixed: Some("\"names\""),
            join: false,
        },
    ];
    static TOOL: ToolDef = ToolDef {
        method: "POST",
        annotations: Annotations {
            title: None,
            read_only: false,
            destructive: false,
            idempotent: false,
            open_world: true,
        },
        params: PARAMS,
        body: BodyDef {
            present: true,
            base: Some("{\"update\":{}}"),
            fields: FIELDS,
        },
        ..test_tool("t")
    };

    #[test]
    fn maps_params_defaults_fixed_values_and_body_pointers() {
        let args = json!({"issue_key": "PROJ-1", "fields": ["summary", "status"], "summary": "Hi", "project_key": "PROJ",
                          "additional_fields": {"labels": ["a"], "summary": "ignored: explicit argument wins"}});
        let out = operation_args(&TOOL, args.as_object().expect("object")).expect("maps");
        assert_eq!(
            out,
            json!({
                "issueIdOrKey": "PROJ-1",
                "fields": "summary,status",
                "expand": "names",
                "$body": {"update": {}, "fields": {"summary": "Hi", "project": {"key": "PROJ"}, "issuetype": {"name": "Task"}, "labels": ["a"]}}
            })
        );
    }

    #[test]
    fn defaults_apply_when_left_out_or_null() {
        let args = json!({"issue_key": "A-1", "fields": null});
        let out = operation_args(&TOOL, args.as_object().expect("object")).expect("maps");
        assert_eq!(out["fields"], "summary");
        assert_eq!(out["$body"]["fields"]["issuetype"]["name"], "Task");
    }

    #[test]
    fn transforms_and_array_pointers() {
        let adf = transform_input("markdown_to_adf", json!("**hi**")).expect("adf");
        assert_eq!(
            adf["content"][0]["content"][0]["marks"][0]["type"],
            "strong"
        );
        assert_eq!(
            transform_input("markdown_to_adf", adf.clone()).expect("passes"),
            adf
        );
        assert!(transform_input("markdown_to_adf", json!(5)).is_err());
        assert_eq!(
            transform_input("markdown_to_storage", json!("*x*")).expect("storage"),
            json!("<p><em>x</em></p>")
        );
        let mut root = json!([{"prefix": "global"}]);
        write_pointer(&mut root, "/0/name", json!("release"), false).expect("array index");
        assert_eq!(root, json!([{"prefix": "global", "name": "release"}]));
    }

    #[test]
    fn merge_into_non_object_is_an_argument_error() {
        let mut root = json!({"fields": "text"});
        assert!(write_pointer(&mut root, "/fields", json!({"a": 1}), true).is_err());
        assert!(write_pointer(&mut root, "/fields/x", json!(1), false).is_err());
        let mut root = json!(null);
        write_pointer(&mut root, "", json!({"whole": true}), false).expect("root write");
        assert_eq!(root, json!({"whole": true}));
    }
}
