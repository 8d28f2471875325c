//! Pruning a spec to the allowlisted operations and everything they reference.

use crate::spec::METHODS;
use serde_json::{json, Map, Value};
use std::collections::{BTreeSet, HashSet};

/// Returns a copy of `doc` with only the operations in `keep` (by operationId) and the transitive
/// closure of the `$ref`s (and discriminator mappings) they use. Everything else is dropped:
/// tags, security schemes, servers' variables, unused components.
pub fn prune(doc: &Value, keep: &HashSet<&str>) -> Value {
    let mut paths = Map::new();
    if let Some(all) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in all {
            let Some(item) = item.as_object() else {
                continue;
            };
            let mut kept = Map::new();
            for method in METHODS {
                let Some(op) = item.get(*method) else {
                    continue;
                };
                let id = op.get("operationId").and_then(Value::as_str).unwrap_or("");
                if keep.contains(id) {
                    kept.insert(method.to_string(), op.clone());
                }
            }
            if kept.is_empty() {
                continue;
            }
            if let Some(p) = item.get("parameters") {
                kept.insert("parameters".into(), p.clone());
            }
            paths.insert(path.clone(), Value::Object(kept));
        }
    }
    let paths = Value::Object(paths);

    // Walk refs to a fixed point.
    let mut wanted: BTreeSet<String> = BTreeSet::new();
    let mut queue: Vec<String> = Vec::new();
    collect_refs(&paths, &mut queue);
    while let Some(r) = queue.pop() {
        if !wanted.insert(r.clone()) {
            continue;
        }
        if let Some(target) = r.strip_prefix('#').and_then(|p| doc.pointer(p)) {
            collect_refs(target, &mut queue);
        }
    }

    let mut components = Map::new();
    for r in &wanted {
        // "#/components/<kind>/<name>"; names with `/` are escaped as `~1` in pointers.
        let mut parts = r.trim_start_matches("#/components/").splitn(2, '/');
        let (Some(kind), Some(name)) = (parts.next(), parts.next()) else {
            continue;
        };
        let Some(value) = r.strip_prefix('#').and_then(|p| doc.pointer(p)) else {
            continue;
        };
        let name = name.replace("~1", "/").replace("~0", "~");
        let section = components
            .entry(kind.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(section) = section.as_object_mut() {
            section.insert(name, value.clone());
        }
    }

    let mut out = Map::new();
    for key in ["openapi", "info"] {
        if let Some(v) = doc.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    out.insert("paths".into(), paths);
    out.insert("components".into(), Value::Object(components));
    if !out.contains_key("info") {
        out.insert("info".into(), json!({"title": "spec", "version": "0"}));
    }
    Value::Object(out)
}

/// Collects every `$ref` target and discriminator mapping target under `v`.
fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(obj) => {
            for (k, inner) in obj {
                match (k.as_str(), inner) {
                    ("$ref", Value::String(s)) => out.push(s.clone()),
                    ("mapping", Value::Object(m)) => {
                        out.extend(
                            m.values()
                                .filter_map(Value::as_str)
                                .filter(|s| s.starts_with('#'))
                                .map(String::from),
                        );
                    }
                    _ => collect_refs(inner, out),
                }
            }
        }
        Value::Array(list) => list.iter().for_each(|x| collect_refs(x, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_reachable_components() {
        let doc = json!({
            "openapi": "3.0.1", "info": {"title": "t", "version": "1"},
            "paths": {
                "/a": {"get": {"operationId": "a", "parameters": [{"$ref": "#/components/parameters/P"}]}},
                "/b": {"post": {"operationId": "b", "requestBody": {"$ref": "#/components/requestBodies/B"}}}
            },
            "components": {
                "parameters": {"P": {"name": "p", "in": "query", "schema": {"$ref": "#/components/schemas/S1"}}},
                "requestBodies": {"B": {"content": {}}},
                "schemas": {
                    "S1": {"type": "object", "properties": {"x": {"$ref": "#/components/schemas/S2"}}},
                    "S2": {"oneOf": [{"$ref": "#/components/schemas/S3"}], "discriminator": {"propertyName": "k", "mapping": {"k": "#/components/schemas/S4"}}},
                    "S3": {"type": "string"},
                    "S4": {"type": "string"},
                    "Unused": {"type": "string"}
                }
            }
        });
        let out = prune(&doc, &HashSet::from(["a"]));
        assert!(out["paths"].get("/b").is_none());
        let schemas: Vec<_> = out["components"]["schemas"]
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        assert_eq!(schemas, vec!["S1", "S2", "S3", "S4"]);
        assert!(out["components"].get("requestBodies").is_none());
        assert!(out["components"]["parameters"].get("P").is_some());
    }
}
