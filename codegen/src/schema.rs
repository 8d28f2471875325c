//! Turning OpenAPI 3.0 schemas into compact, MCP-portable JSON Schema (2020-12).
//!
//! No `$ref`/`$defs` (references are inlined up to a depth budget), `nullable` becomes a type
//! array, `readOnly` properties are dropped, unions collapse to their types, every property has
//! a type, nested descriptions are left out and top-level ones trimmed.

use crate::spec::Spec;
use serde_json::{json, Map, Value};

/// How deep references and nested objects are inlined before an object is left open.
pub const MAX_DEPTH: usize = 5;
/// Longest description kept, in characters.
pub const MAX_DESCRIPTION: usize = 200;

/// The type used where a schema allows any JSON value.
pub fn any_type() -> Value {
    json!({"type": ["string", "number", "boolean", "object", "array"]})
}

/// Converts `schema` (from `spec`) to portable JSON Schema. `keep_description`: keep (trimmed) the
/// schema's own description at this level.
pub fn portable(spec: &Spec, schema: &Value, keep_description: bool) -> Value {
    convert(spec, schema, 0, keep_description)
}

fn convert(spec: &Spec, schema: &Value, depth: usize, keep_description: bool) -> Value {
    let outer_desc = schema
        .get("description")
        .and_then(Value::as_str)
        .map(String::from);
    let Some(s) = spec.resolve(schema) else {
        return any_type();
    };
    let Some(obj) = s.as_object() else {
        return any_type();
    };
    let mut out = Map::new();

    // allOf: merge the parts' properties (the common Jira/Confluence use is composition).
    if let Some(parts) = obj.get("allOf").and_then(Value::as_array) {
        let mut merged = obj.clone();
        merged.remove("allOf");
        for part in parts {
            if let Some(p) = spec.resolve(part).and_then(Value::as_object) {
                for (k, v) in p {
                    match (k.as_str(), merged.get_mut(k)) {
                        ("properties", Some(Value::Object(mine))) => {
                            if let Some(theirs) = v.as_object() {
                                for (pk, pv) in theirs {
                                    mine.entry(pk.clone()).or_insert(pv.clone());
                                }
                            }
                        }
                        ("required", Some(Value::Array(mine))) => {
                            mine.extend(v.as_array().cloned().unwrap_or_default());
                        }
                        (_, None) => {
                            merged.insert(k.clone(), v.clone());
                        }
                        _ => {}
                    }
                }
            }
        }
        return convert(spec, &Value::Object(merged), depth, keep_description);
    }

    // Unions: keep the alternatives' types only (MCP clients handle unions poorly).
    for key in ["oneOf", "anyOf"] {
        if let Some(alts) = obj.get(key).and_then(Value::as_array) {
            let converted: Vec<Value> = alts
                .iter()
                .map(|a| convert(spec, a, depth, false))
                .collect();
            let mut types: Vec<Value> = Vec::new();
            for c in &converted {
                match c.get("type") {
                    Some(Value::Array(ts)) => types.extend(ts.iter().cloned()),
                    Some(t) => types.push(t.clone()),
                    None => {}
                }
            }
            types.dedup();
            let mut unique: Vec<Value> = Vec::new();
            for t in types {
                if !unique.contains(&t) {
                    unique.push(t);
                }
            }
            let mut v = match unique.len() {
                0 => any_type(),
                1 => converted
                    .into_iter()
                    .find(|c| c.get("type").is_some())
                    .unwrap_or_else(any_type),
                _ => json!({"type": unique}),
            };
            add_description(
                &mut v,
                desc_of(obj, outer_desc.as_deref()),
                keep_description,
            );
            return v;
        }
    }

    let mut ty = obj.get("type").and_then(Value::as_str).map(String::from);
    if ty.is_none() {
        if obj.contains_key("properties") || obj.contains_key("additionalProperties") {
            ty = Some("object".into());
        } else if obj.contains_key("items") {
            ty = Some("array".into());
        }
    }
    let nullable = obj
        .get("nullable")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    match ty.as_deref() {
        Some(t) if nullable => {
            out.insert("type".into(), json!([t, "null"]));
        }
        Some(t) => {
            out.insert("type".into(), json!(t));
        }
        None => return any_type_with(desc_of(obj, outer_desc.as_deref()), keep_description),
    }
    for key in [
        "enum",
        "default",
        "format",
        "minimum",
        "maximum",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
    ] {
        if let Some(v) = obj.get(key) {
            if key == "format"
                && !matches!(v.as_str(), Some("date-time" | "date" | "uri" | "email"))
            {
                continue;
            }
            out.insert(key.into(), v.clone());
        }
    }
    match ty.as_deref() {
        Some("array") => {
            let items = obj
                .get("items")
                .map(|i| convert(spec, i, depth + 1, false))
                .unwrap_or_else(any_type);
            out.insert("items".into(), items);
        }
        Some("object") => {
            let props = obj.get("properties").and_then(Value::as_object);
            if depth >= MAX_DEPTH {
                // Budget spent: leave the object open rather than describe it partially.
                out.insert("additionalProperties".into(), json!(true));
            } else if let Some(props) = props {
                let mut p_out = Map::new();
                for (name, p) in props {
                    let resolved = spec.resolve(p).unwrap_or(p);
                    if resolved.get("readOnly").and_then(Value::as_bool) == Some(true) {
                        continue;
                    }
                    p_out.insert(name.clone(), convert(spec, p, depth + 1, false));
                }
                out.insert("properties".into(), Value::Object(p_out));
                if let Some(req) = obj.get("required").and_then(Value::as_array) {
                    let req: Vec<Value> = req
                        .iter()
                        .filter(|r| {
                            r.as_str()
                                .is_some_and(|r| out["properties"].get(r).is_some())
                        })
                        .cloned()
                        .collect();
                    if !req.is_empty() {
                        out.insert("required".into(), Value::Array(req));
                    }
                }
            }
            match obj.get("additionalProperties") {
                Some(Value::Bool(true)) => {
                    out.insert("additionalProperties".into(), json!(true));
                }
                Some(ap @ Value::Object(_)) if depth < MAX_DEPTH => {
                    let inner = if ap.as_object().is_some_and(Map::is_empty) {
                        json!(true)
                    } else {
                        convert(spec, ap, depth + 1, false)
                    };
                    out.insert("additionalProperties".into(), inner);
                }
                _ => {
                    if props.is_none() && depth < MAX_DEPTH {
                        // An object with nothing declared is free-form.
                        out.insert("additionalProperties".into(), json!(true));
                    }
                }
            }
        }
        _ => {}
    }
    let mut v = Value::Object(out);
    add_description(
        &mut v,
        desc_of(obj, outer_desc.as_deref()),
        keep_description,
    );
    v
}

fn desc_of<'a>(obj: &'a Map<String, Value>, outer: Option<&'a str>) -> Option<&'a str> {
    outer.or_else(|| obj.get("description").and_then(Value::as_str))
}

fn any_type_with(desc: Option<&str>, keep: bool) -> Value {
    let mut v = any_type();
    add_description(&mut v, desc, keep);
    v
}

fn add_description(v: &mut Value, desc: Option<&str>, keep: bool) {
    if !keep {
        return;
    }
    if let (Some(d), Some(obj)) = (
        desc.map(trim_description).filter(|d| !d.is_empty()),
        v.as_object_mut(),
    ) {
        obj.insert("description".into(), json!(d));
    }
}

/// First sentence or paragraph of a (spec) description, without Markdown links, at most
/// [`MAX_DESCRIPTION`] characters.
pub fn trim_description(text: &str) -> String {
    let para = text
        .trim()
        .split("\n\n")
        .next()
        .unwrap_or("")
        .replace('\n', " ");
    let mut plain = String::new();
    // [label](target) -> label
    let mut rest = para.as_str();
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find("](") else {
            break;
        };
        let Some(end) = rest[open + close..].find(')') else {
            break;
        };
        plain.push_str(&rest[..open]);
        plain.push_str(&rest[open + 1..open + close]);
        rest = &rest[open + close + end + 1..];
    }
    plain.push_str(rest);
    let sentence = match plain.find(". ") {
        Some(i) => &plain[..=i],
        None => plain.as_str(),
    };
    let sentence = sentence.trim();
    if sentence.chars().count() <= MAX_DESCRIPTION {
        sentence.to_string()
    } else {
        let cut: String = sentence.chars().take(MAX_DESCRIPTION - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

/// Where a JSON pointer into a body schema lands.
#[derive(Debug, PartialEq)]
pub enum PointerTarget {
    /// A declared property (its schema).
    Declared(Value),
    /// Inside an object declared free-form (`fields: {additionalProperties: {}}`): any key goes.
    FreeForm,
    /// An undeclared key of an object that accepts extra keys: `at` is the first undeclared
    /// segment, `known` the declared names there.
    Undeclared { at: String, known: Vec<String> },
    /// A key a closed object does not have.
    Missing { at: String, known: Vec<String> },
}

/// Walks a JSON pointer through a body schema (refs resolved, `allOf` merged).
pub fn schema_at(spec: &Spec, body: &Value, pointer: &str) -> PointerTarget {
    let mut current = body.clone();
    if pointer.is_empty() {
        return PointerTarget::Declared(current);
    }
    let mut walked = String::new();
    for raw in pointer.trim_start_matches('/').split('/') {
        let seg = raw.replace("~1", "/").replace("~0", "~");
        let merged = flatten_all_of(spec, &current);
        let props = merged
            .get("properties")
            .and_then(Value::as_object)
            .filter(|p| !p.is_empty());
        walked.push('/');
        walked.push_str(raw);
        if let Some(next) = props.and_then(|p| p.get(&seg)) {
            current = next.clone();
            continue;
        }
        let known: Vec<String> = props
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        return match (merged.get("additionalProperties"), props) {
            (Some(Value::Bool(false)), _) => PointerTarget::Missing { at: walked, known },
            (_, None) => PointerTarget::FreeForm,
            (_, Some(_)) => PointerTarget::Undeclared { at: walked, known },
        };
    }
    PointerTarget::Declared(current)
}

/// A schema with its refs resolved and `allOf` parts' properties merged in (one level).
fn flatten_all_of(spec: &Spec, schema: &Value) -> Value {
    let Some(s) = spec.resolve(schema) else {
        return json!({});
    };
    let Some(parts) = s.get("allOf").and_then(Value::as_array) else {
        return s.clone();
    };
    let mut props = Map::new();
    let mut merged = s.as_object().cloned().unwrap_or_default();
    merged.remove("allOf");
    for part in parts {
        let p = flatten_all_of(spec, part);
        if let Some(pp) = p.get("properties").and_then(Value::as_object) {
            props.extend(pp.clone());
        }
        if let Some(ap) = p.get("additionalProperties") {
            merged.entry("additionalProperties").or_insert(ap.clone());
        }
    }
    if let Some(own) = s.get("properties").and_then(Value::as_object) {
        props.extend(own.clone());
    }
    merged.insert("properties".into(), Value::Object(props));
    Value::Object(merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Spec {
        Spec::from_value(
            "t",
            json!({"components": {"schemas": {
                "User": {"type": "object", "properties": {
                    "accountId": {"type": "string", "description": "The account ID. More text here."},
                    "self": {"type": "string", "readOnly": true},
                    "manager": {"$ref": "#/components/schemas/User"}
                }},
                "Details": {"type": "object", "properties": {
                    "fields": {"type": "object", "additionalProperties": {}},
                    "closed": {"type": "object", "additionalProperties": false, "properties": {"a": {"type": "string"}}}
                }}
            }}}),
        )
    }

    #[test]
    fn refs_are_inlined_with_a_depth_budget_and_read_only_dropped() {
        let s = spec();
        let out = portable(&s, &json!({"$ref": "#/components/schemas/User"}), false);
        let text = out.to_string();
        assert!(!text.contains("$ref"));
        assert!(out["properties"].get("self").is_none());
        assert_eq!(out["properties"]["accountId"]["type"], "string");
        // Recursion stops: somewhere down the chain the object is left open.
        let mut cur = &out;
        let mut depth = 0;
        while let Some(next) = cur.get("properties").and_then(|p| p.get("manager")) {
            cur = next;
            depth += 1;
        }
        assert_eq!(depth, MAX_DEPTH);
        assert_eq!(cur["additionalProperties"], json!(true));
    }

    #[test]
    fn nullable_unions_and_untyped() {
        let s = spec();
        assert_eq!(
            portable(&s, &json!({"type": "string", "nullable": true}), false)["type"],
            json!(["string", "null"])
        );
        assert_eq!(
            portable(
                &s,
                &json!({"oneOf": [{"type": "string"}, {"type": "integer"}]}),
                false
            )["type"],
            json!(["string", "integer"])
        );
        assert_eq!(portable(&s, &json!({}), false), any_type());
    }

    #[test]
    fn description_is_trimmed_to_first_sentence_without_links() {
        assert_eq!(
            trim_description("Use [JQL](#jql) here. Then more."),
            "Use JQL here."
        );
        let long = "x".repeat(500);
        assert_eq!(trim_description(&long).chars().count(), MAX_DESCRIPTION);
    }

    #[test]
    fn pointers_walk_declared_and_free_form_objects() {
        let s = spec();
        let body = json!({"$ref": "#/components/schemas/Details"});
        assert_eq!(
            schema_at(&s, &body, "/fields/summary"),
            PointerTarget::FreeForm
        );
        assert_eq!(
            schema_at(&s, &body, "/closed/a"),
            PointerTarget::Declared(json!({"type": "string"}))
        );
        assert_eq!(
            schema_at(&s, &body, "/closed/b"),
            PointerTarget::Missing {
                at: "/closed/b".into(),
                known: vec!["a".into()]
            }
        );
        assert_eq!(
            schema_at(&s, &body, "/nope"),
            PointerTarget::Undeclared {
                at: "/nope".into(),
                known: vec!["fields".into(), "closed".into()]
            }
        );
    }
}
