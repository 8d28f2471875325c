//! Normalisations applied to a whole spec before pruning, so that progenitor can digest it.
//!
//! Each patch is recorded in a [`PatchLog`]; the log is written next to the generated code.
//! Operations that cannot be supported are marked with `x-amcp-unsupported` (the reason) rather
//! than removed, so that asking for one gives a clear error instead of "unknown operation".

use crate::spec::METHODS;
use heck::{ToPascalCase, ToSnakeCase};
use indexmap::IndexMap;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashSet};

/// Marker key: why an operation cannot be generated.
pub const UNSUPPORTED: &str = "x-amcp-unsupported";
/// Marker key on a parameter: an array the API wants comma-separated; holds the original schema.
pub const JOIN_ARRAY: &str = "x-amcp-join-array";

/// What was changed, one line per change (grouped counts where a change is everywhere).
#[derive(Debug, Default)]
pub struct PatchLog {
    pub lines: Vec<String>,
    pub counts: BTreeMap<&'static str, usize>,
}

impl PatchLog {
    fn note(&mut self, at: &str, what: impl AsRef<str>) {
        self.lines.push(format!("{at}: {}", what.as_ref()));
    }
    fn count(&mut self, kind: &'static str) {
        *self.counts.entry(kind).or_default() += 1;
    }
    /// The log as text: grouped counts first, then each change.
    pub fn render(&self, spec: &str) -> String {
        let mut out = format!("# {spec}\n");
        for (kind, n) in &self.counts {
            out.push_str(&format!("{n:>6}  {kind}\n"));
        }
        for l in &self.lines {
            out.push_str(l);
            out.push('\n');
        }
        out
    }
}

/// Applies every normalisation to a full spec document.
pub fn patch_spec(doc: &mut Value) -> PatchLog {
    let mut log = PatchLog::default();
    rename_clashing_schemas(doc, &mut log);
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            if let Some(params) = item.get_mut("parameters").and_then(Value::as_array_mut) {
                for (i, p) in params.iter_mut().enumerate() {
                    patch_parameter(p, &format!("{path}/parameters/{i}"), &mut log);
                }
            }
            for method in METHODS {
                if let Some(op) = item.get_mut(*method) {
                    patch_operation(op, &format!("{method} {path}"), &mut log);
                }
            }
        }
    }
    if let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) {
        if let Some(schemas) = components.get_mut("schemas").and_then(Value::as_object_mut) {
            for (name, s) in schemas.iter_mut() {
                patch_schema(s, &format!("#/components/schemas/{name}"), &mut log);
            }
        }
        if let Some(params) = components
            .get_mut("parameters")
            .and_then(Value::as_object_mut)
        {
            for (name, p) in params.iter_mut() {
                patch_parameter(p, &format!("#/components/parameters/{name}"), &mut log);
            }
        }
        if let Some(bodies) = components
            .get_mut("requestBodies")
            .and_then(Value::as_object_mut)
        {
            for (name, b) in bodies.iter_mut() {
                let at = format!("#/components/requestBodies/{name}");
                if let Err(why) = patch_request_body(b, &at, &mut log) {
                    // Operations using this body are marked when they are patched.
                    b[UNSUPPORTED] = json!(why);
                }
            }
        }
        // Responses are decoded as raw JSON, so their schemas are never needed.
        if components.remove("responses").is_some() {
            log.count("components/responses removed (responses are raw JSON)");
        }
    }
    log
}

fn patch_operation(op: &mut Value, at: &str, log: &mut PatchLog) {
    let Some(obj) = op.as_object_mut() else {
        return;
    };
    // Success and error responses alike: the HTTP layer reads the raw body and decodes errors itself.
    // With no responses declared progenitor returns the raw bytes of any 2xx.
    if obj.insert("responses".into(), json!({})).is_some() {
        log.count("operations: responses replaced by raw 2XX");
    }
    obj.remove("callbacks");
    if let Some(params) = obj.get_mut("parameters").and_then(Value::as_array_mut) {
        for (i, p) in params.iter_mut().enumerate() {
            patch_parameter(p, &format!("{at}/parameters/{i}"), log);
        }
        let cookie = params
            .iter()
            .any(|p| p.get("in").and_then(Value::as_str) == Some("cookie"));
        if cookie {
            obj.insert(
                UNSUPPORTED.into(),
                json!("it takes a cookie parameter, which the generated client cannot send"),
            );
        }
    }
    if let Some(body) = obj.get_mut("requestBody") {
        if body.get("$ref").is_none() {
            if let Err(why) = patch_request_body(body, at, log) {
                obj.insert(UNSUPPORTED.into(), json!(why));
            }
        }
    }
}

/// Keeps one request media type the client can send, or says why none is usable.
fn patch_request_body(body: &mut Value, at: &str, log: &mut PatchLog) -> Result<(), String> {
    let Some(content) = body.get_mut("content").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    let types: Vec<String> = content.keys().cloned().collect();
    let is_json = |t: &str| {
        let t = t.split(';').next().unwrap_or(t).trim();
        t == "application/json"
            || (t.starts_with("application/") && t.ends_with("+json") && !t.contains("json-patch"))
    };
    // Preference order: JSON, a +json type, raw bytes, then form or text.
    let pick = |pred: &dyn Fn(&str) -> bool| types.iter().find(|t| pred(t)).cloned();
    let keep = pick(&|t| t == "application/json")
        .map(|t| (t, "application/json"))
        .or_else(|| pick(&|t| is_json(t)).map(|t| (t, "application/json")))
        .or_else(|| {
            pick(&|t| t == "*/*" || t == "application/octet-stream")
                .map(|t| (t, "application/octet-stream"))
        })
        .or_else(|| {
            pick(&|t| t == "application/x-www-form-urlencoded")
                .map(|t| (t, "application/x-www-form-urlencoded"))
        })
        .or_else(|| pick(&|t| t == "text/plain").map(|t| (t, "text/plain")));
    let Some((from, to)) = keep else {
        return Err(format!(
            "its request body is {} only, which is not supported yet (multipart uploads and JSON Patch need hand-written tools)",
            types.join(", ")
        ));
    };
    if types.len() > 1 || from != to {
        log.note(
            at,
            format!("request media types [{}] -> {to}", types.join(", ")),
        );
    }
    let mut media = content.get(&from).cloned().unwrap_or_else(|| json!({}));
    if to == "application/octet-stream" {
        media = json!({"schema": {"type": "string", "format": "binary"}});
    } else if let Some(obj) = media.as_object_mut() {
        obj.remove("encoding");
        obj.remove("examples");
        obj.remove("example");
        if let Some(s) = obj.get_mut("schema") {
            patch_schema(s, &format!("{at}/requestBody"), log);
        } else {
            obj.insert("schema".into(), json!({}));
        }
    }
    content.clear();
    content.insert(to.to_string(), media);
    Ok(())
}

fn patch_parameter(p: &mut Value, at: &str, log: &mut PatchLog) {
    let Some(obj) = p.as_object_mut() else { return };
    if obj.contains_key("$ref") {
        return;
    }
    obj.remove("examples");
    obj.remove("example");
    let location = obj
        .get("in")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if obj.get("schema").is_none() {
        // `content`-style parameters: progenitor needs a schema; the value travels as a string.
        obj.remove("content");
        obj.insert("schema".into(), json!({"type": "string"}));
        log.note(at, "parameter without schema -> string");
    }
    let explode_false = obj.get("explode").and_then(Value::as_bool) == Some(false);
    let Some(schema) = obj.get_mut("schema") else {
        return;
    };
    patch_schema(schema, at, log);
    let ty = schema
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    // Query values are text: arrays of objects (Jira Software's `fields`) carry names.
    let object_items = schema.pointer("/items/type").and_then(Value::as_str) == Some("object");
    if location == "query" && ty == "array" && object_items {
        schema["items"] = json!({"type": "string"});
        log.note(at, "query array of objects -> array of strings");
    }
    if location == "query" && ty == "object" {
        *schema = json!({"type": "string"});
        log.note(at, "query parameter typed object -> string");
    } else if location == "query" && ty == "array" && explode_false {
        let original = schema.clone();
        *schema = json!({"type": "string"});
        obj.insert(JOIN_ARRAY.into(), original);
        log.note(at, "array with explode: false -> comma-separated string");
    }
}

/// Recursively normalises one schema object and the schemas inside it.
pub fn patch_schema(s: &mut Value, at: &str, log: &mut PatchLog) {
    let Some(obj) = s.as_object_mut() else { return };
    if obj.contains_key("$ref") {
        // Siblings of $ref are ignored by OpenAPI 3.0; keep description only.
        obj.retain(|k, _| k == "$ref" || k == "description");
        return;
    }
    obj.remove("example");
    obj.remove("examples");
    infer_type_from_format(obj, at, log);
    move_array_enum_to_items(obj, at, log);
    drop_colliding_enum(obj, at, log);
    drop_mismatched_default(obj, at, log);
    if obj.contains_key("oneOf") && obj.contains_key("anyOf") {
        obj.remove("oneOf");
        log.note(at, "oneOf beside anyOf: kept anyOf");
    }
    for key in ["properties", "patternProperties"] {
        if let Some(props) = obj.get_mut(key).and_then(Value::as_object_mut) {
            for (name, p) in props.iter_mut() {
                patch_schema(p, &format!("{at}/{name}"), log);
            }
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(inner) = obj.get_mut(key) {
            if inner.is_object() {
                patch_schema(inner, &format!("{at}/{key}"), log);
            }
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(list) = obj.get_mut(key).and_then(Value::as_array_mut) {
            for (i, inner) in list.iter_mut().enumerate() {
                patch_schema(inner, &format!("{at}/{key}/{i}"), log);
            }
        }
    }
}

fn infer_type_from_format(obj: &mut Map<String, Value>, at: &str, log: &mut PatchLog) {
    if obj.contains_key("type") {
        return;
    }
    let Some(format) = obj.get("format").and_then(Value::as_str).map(String::from) else {
        return;
    };
    let ty = match format.as_str() {
        "int32" | "int64" => "integer",
        "float" | "double" => "number",
        _ => "string",
    };
    obj.insert("type".into(), json!(ty));
    log.note(at, format!("format `{format}` without type -> type {ty}"));
}

fn move_array_enum_to_items(obj: &mut Map<String, Value>, at: &str, log: &mut PatchLog) {
    if obj.get("type").and_then(Value::as_str) != Some("array") {
        return;
    }
    if let Some(values) = obj.remove("enum") {
        let item_values: Vec<Value> = values
            .as_array()
            .map(|v| v.iter().filter(|x| !x.is_array()).cloned().collect())
            .unwrap_or_default();
        if let Some(items) = obj.get_mut("items").and_then(Value::as_object_mut) {
            if !items.contains_key("$ref") && !item_values.is_empty() {
                items.insert("enum".into(), Value::Array(item_values));
            }
        }
        log.note(at, "enum on an array -> moved to items");
    }
}

/// The Rust identifier typify derives from an enum value (see typify's `sanitize`).
fn variant_ident(value: &str) -> String {
    let cleaned: String = value
        .replace('\'', "")
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let out = match value {
        "+1" => "plus1".to_string(),
        "-1" => "minus1".to_string(),
        _ => cleaned.to_pascal_case(),
    };
    match out.chars().next() {
        None => "X".to_string(),
        Some(c) if c.is_alphabetic() || c == '_' => out,
        Some(_) => format!("X{out}"),
    }
}

fn drop_colliding_enum(obj: &mut Map<String, Value>, at: &str, log: &mut PatchLog) {
    let Some(values) = obj.get("enum").and_then(Value::as_array) else {
        return;
    };
    let strings: Vec<String> = values
        .iter()
        .filter_map(Value::as_str)
        .map(String::from)
        .collect();
    if strings.len() != values.len() {
        // Mixed or non-string enums (numbers, null): typify copes; leave them.
        return;
    }
    let mut seen = HashSet::new();
    let collides = strings.iter().any(|v| !seen.insert(variant_ident(v)));
    let original = values.clone();
    if !collides {
        return;
    }
    let listed = strings
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let desc = obj
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_string();
    let desc = if desc.is_empty() {
        format!("One of: {listed}.")
    } else {
        format!("{desc} One of: {listed}.")
    };
    obj.remove("enum");
    obj.insert("description".into(), json!(desc));
    obj.entry("type").or_insert(json!("string"));
    obj.insert("x-amcp-enum".into(), Value::Array(original));
    log.note(
        at,
        format!("enum values {listed} collide as Rust names -> free string"),
    );
}

fn fits(value: &Value, obj: &Map<String, Value>) -> bool {
    if let Some(allowed) = obj.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            return false;
        }
    }
    match obj.get("type").and_then(Value::as_str) {
        Some("string") => value.is_string(),
        Some("integer") => value.is_i64() || value.is_u64(),
        Some("number") => value.is_number(),
        Some("boolean") => value.is_boolean(),
        Some("array") => value.is_array(),
        Some("object") => value.is_object(),
        _ => true,
    }
}

fn drop_mismatched_default(obj: &mut Map<String, Value>, at: &str, log: &mut PatchLog) {
    let Some(default) = obj.get("default") else {
        return;
    };
    if default.is_null() || !fits(default, obj) {
        log.note(
            at,
            format!("default {default} does not fit the schema -> dropped"),
        );
        obj.remove("default");
    }
}

/// Component schemas whose names become the same Rust type name (`Foo_bar` / `FooBar`) are renamed,
/// with every `$ref` to them updated.
fn rename_clashing_schemas(doc: &mut Value, log: &mut PatchLog) {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return;
    };
    let mut by_ident: IndexMap<String, Vec<String>> = IndexMap::new();
    for name in schemas.keys() {
        by_ident
            .entry(variant_ident(name))
            .or_default()
            .push(name.clone());
    }
    let mut renames: BTreeMap<String, String> = BTreeMap::new();
    let taken: HashSet<String> = schemas.keys().map(|k| variant_ident(k)).collect();
    for names in by_ident.values().filter(|n| n.len() > 1) {
        for (i, name) in names.iter().enumerate().skip(1) {
            let mut candidate = format!("{}{}", name.to_snake_case().to_pascal_case(), i + 1);
            while taken.contains(&variant_ident(&candidate))
                || renames.values().any(|v| v == &candidate)
            {
                candidate.push('X');
            }
            renames.insert(name.clone(), candidate);
        }
    }
    if renames.is_empty() {
        return;
    }
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (old, new) in &renames {
            if let Some(v) = schemas.shift_remove(old) {
                schemas.insert(new.clone(), v);
            }
            log.note(
                "#/components/schemas",
                format!("`{old}` clashes with another schema's Rust name -> `{new}`"),
            );
        }
    }
    let map: BTreeMap<String, String> = renames
        .iter()
        .map(|(o, n)| {
            (
                format!("#/components/schemas/{o}"),
                format!("#/components/schemas/{n}"),
            )
        })
        .collect();
    rewrite_refs(doc, &map);
}

fn rewrite_refs(v: &mut Value, map: &BTreeMap<String, String>) {
    match v {
        Value::Object(obj) => {
            for (k, inner) in obj.iter_mut() {
                if k == "$ref" || k == "mapping" {
                    if let Value::String(s) = inner {
                        if let Some(n) = map.get(s.as_str()) {
                            *s = n.clone();
                        }
                        continue;
                    }
                }
                rewrite_refs(inner, map);
            }
        }
        Value::Array(list) => list.iter_mut().for_each(|x| rewrite_refs(x, map)),
        Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colliding_enum_becomes_free_string() {
        let mut s = json!({"type": "string", "enum": ["+name", "-name", "name"]});
        let mut log = PatchLog::default();
        patch_schema(&mut s, "x", &mut log);
        assert!(s.get("enum").is_none());
        assert_eq!(s["type"], "string");
        assert!(s["description"].as_str().unwrap_or("").contains("`+name`"));
        assert_eq!(log.lines.len(), 1);
    }

    #[test]
    fn distinct_enum_is_kept() {
        let mut s = json!({"type": "string", "enum": ["asc", "desc"]});
        patch_schema(&mut s, "x", &mut PatchLog::default());
        assert_eq!(s["enum"], json!(["asc", "desc"]));
    }

    #[test]
    fn operators_collide_as_empty_names() {
        let mut s = json!({"enum": ["=", "!="]});
        patch_schema(&mut s, "x", &mut PatchLog::default());
        assert!(s.get("enum").is_none());
    }

    #[test]
    fn defaults_that_do_not_fit_are_dropped() {
        let mut s = json!({"type": "object", "properties": {
            "a": {"type": "integer", "default": "10"},
            "b": {"type": "string", "enum": ["x", "y"], "default": "z"},
            "c": {"type": "boolean", "default": false}
        }});
        patch_schema(&mut s, "x", &mut PatchLog::default());
        assert!(s["properties"]["a"].get("default").is_none());
        assert!(s["properties"]["b"].get("default").is_none());
        assert_eq!(s["properties"]["c"]["default"], json!(false));
    }

    #[test]
    fn array_enum_moves_to_items_and_format_gets_a_type() {
        let mut s = json!({"type": "array", "enum": ["a", "b"], "items": {"format": "int64"}});
        patch_schema(&mut s, "x", &mut PatchLog::default());
        assert!(s.get("enum").is_none());
        assert_eq!(s["items"]["enum"], json!(["a", "b"]));
        assert_eq!(s["items"]["type"], "integer");
    }

    #[test]
    fn one_of_beside_any_of_keeps_any_of() {
        let mut s = json!({"oneOf": [{"type": "string"}], "anyOf": [{"type": "integer"}]});
        patch_schema(&mut s, "x", &mut PatchLog::default());
        assert!(s.get("oneOf").is_none());
        assert!(s.get("anyOf").is_some());
    }

    #[test]
    fn operations_lose_responses_and_extra_media_types() {
        let mut doc = json!({"paths": {"/x": {"post": {
            "operationId": "x",
            "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}, "text/plain": {}}},
            "responses": {"200": {"description": "ok"}, "400": {"description": "bad"}}
        }}}});
        patch_spec(&mut doc);
        assert_eq!(doc["paths"]["/x"]["post"]["responses"], json!({}));
        let content = doc["paths"]["/x"]["post"]["requestBody"]["content"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        assert_eq!(content.keys().collect::<Vec<_>>(), vec!["application/json"]);
    }

    #[test]
    fn multipart_only_operation_is_marked_unsupported() {
        let mut doc = json!({"paths": {"/x": {"post": {
            "operationId": "x",
            "requestBody": {"content": {"multipart/form-data": {"schema": {"type": "object"}}}},
            "responses": {}
        }}}});
        patch_spec(&mut doc);
        let why = doc["paths"]["/x"]["post"][UNSUPPORTED]
            .as_str()
            .unwrap_or("");
        assert!(why.contains("multipart/form-data"), "{why}");
    }

    #[test]
    fn explode_false_array_becomes_joined_string() {
        let mut doc = json!({"paths": {"/x": {"get": {
            "operationId": "x",
            "parameters": [{"name": "ids", "in": "query", "explode": false, "schema": {"type": "array", "items": {"type": "integer"}}},
                           {"name": "filter", "in": "query", "schema": {"type": "object"}}]
        }}}});
        patch_spec(&mut doc);
        let params = &doc["paths"]["/x"]["get"]["parameters"];
        assert_eq!(params[0]["schema"], json!({"type": "string"}));
        assert_eq!(params[0][JOIN_ARRAY]["type"], "array");
        assert_eq!(params[1]["schema"], json!({"type": "string"}));
    }

    #[test]
    fn query_arrays_of_objects_become_arrays_of_strings() {
        let mut doc = json!({"paths": {"/x": {"get": {"operationId": "x", "parameters": [
            {"name": "fields", "in": "query", "schema": {"type": "array", "items": {"type": "object", "additionalProperties": false}}}
        ]}}}});
        patch_spec(&mut doc);
        assert_eq!(
            doc["paths"]["/x"]["get"]["parameters"][0]["schema"],
            json!({"type": "array", "items": {"type": "string"}})
        );
    }

    #[test]
    fn clashing_schema_names_are_renamed_with_refs() {
        let mut doc = json!({
            "paths": {"/x": {"get": {"operationId": "x", "parameters": [{"name": "a", "in": "query", "schema": {"$ref": "#/components/schemas/Foo_bar"}}]}}},
            "components": {"schemas": {"FooBar": {"type": "string"}, "Foo_bar": {"type": "integer"}}}
        });
        let log = patch_spec(&mut doc);
        let schemas = doc["components"]["schemas"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        assert!(schemas.contains_key("FooBar"));
        assert!(!schemas.contains_key("Foo_bar"));
        let r = doc["paths"]["/x"]["get"]["parameters"][0]["schema"]["$ref"]
            .as_str()
            .unwrap_or("");
        assert!(
            schemas.contains_key(r.trim_start_matches("#/components/schemas/")),
            "{r}"
        );
        assert!(log.lines.iter().any(|l| l.contains("Foo_bar")));
    }
}
