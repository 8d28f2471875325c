//! A loaded OpenAPI document kept as JSON, with an index of its operations and `$ref` resolution.

use indexmap::IndexMap;
use serde_json::Value;

/// HTTP methods that can carry an operation in an OpenAPI path item.
pub const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Where an operation lives in the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpLocation {
    pub path: String,
    pub method: String,
}

/// One spec: its JSON and an index operationId -> location.
#[derive(Clone, Debug)]
pub struct Spec {
    pub name: String,
    pub doc: Value,
    pub ops: IndexMap<String, OpLocation>,
}

impl Spec {
    /// Parses a spec from JSON text.
    pub fn parse(name: &str, text: &str) -> Result<Self, String> {
        let doc: Value = serde_json::from_str(text)
            .map_err(|e| format!("spec `{name}` is not valid JSON: {e}"))?;
        Ok(Self::from_value(name, doc))
    }

    /// Wraps an already parsed document.
    pub fn from_value(name: &str, doc: Value) -> Self {
        let mut spec = Spec {
            name: name.to_string(),
            doc,
            ops: IndexMap::new(),
        };
        spec.reindex();
        spec
    }

    /// Rebuilds the operation index after the document changed.
    pub fn reindex(&mut self) {
        self.ops.clear();
        if let Some(paths) = self.doc.get("paths").and_then(Value::as_object) {
            for (path, item) in paths {
                for method in METHODS {
                    if let Some(id) = item
                        .get(*method)
                        .and_then(|op| op.get("operationId"))
                        .and_then(Value::as_str)
                    {
                        self.ops.insert(
                            id.to_string(),
                            OpLocation {
                                path: path.clone(),
                                method: method.to_string(),
                            },
                        );
                    }
                }
            }
        }
    }

    /// The operation object for an operationId.
    pub fn operation(&self, id: &str) -> Option<&Value> {
        let loc = self.ops.get(id)?;
        self.doc.get("paths")?.get(&loc.path)?.get(&loc.method)
    }

    /// Follows `$ref`s (local ones only) until a non-reference value; `None` on a dangling or cyclic ref.
    pub fn resolve<'a>(&'a self, mut v: &'a Value) -> Option<&'a Value> {
        for _ in 0..32 {
            match v.get("$ref").and_then(Value::as_str) {
                Some(r) => v = self.lookup(r)?,
                None => return Some(v),
            }
        }
        None
    }

    /// Looks up a local reference such as `#/components/schemas/Issue`.
    pub fn lookup(&self, reference: &str) -> Option<&Value> {
        let pointer = reference.strip_prefix('#')?;
        self.doc.pointer(pointer)
    }

    /// Parameters of an operation (path-item level ones merged in), resolved.
    pub fn parameters(&self, id: &str) -> Vec<&Value> {
        let Some(loc) = self.ops.get(id) else {
            return Vec::new();
        };
        let Some(item) = self.doc.get("paths").and_then(|p| p.get(&loc.path)) else {
            return Vec::new();
        };
        let mut out: Vec<&Value> = Vec::new();
        let op_params = item
            .get(&loc.method)
            .and_then(|o| o.get("parameters"))
            .and_then(Value::as_array);
        let item_params = item.get("parameters").and_then(Value::as_array);
        for p in op_params.into_iter().flatten() {
            if let Some(p) = self.resolve(p) {
                out.push(p);
            }
        }
        for p in item_params.into_iter().flatten() {
            if let Some(p) = self.resolve(p) {
                let dup = out
                    .iter()
                    .any(|o| o.get("name") == p.get("name") && o.get("in") == p.get("in"));
                if !dup {
                    out.push(p);
                }
            }
        }
        out
    }

    /// The request body's JSON schema (resolved media type schema), if the operation has a body.
    pub fn body_schema(&self, id: &str) -> Option<&Value> {
        let body = self.resolve(self.operation(id)?.get("requestBody")?)?;
        let content = body.get("content")?.as_object()?;
        let (_, media) = content.iter().next()?;
        media.get("schema")
    }

    /// Whether the operation requires a request body.
    pub fn body_required(&self, id: &str) -> bool {
        self.operation(id)
            .and_then(|o| o.get("requestBody"))
            .and_then(|b| self.resolve(b))
            .and_then(|b| b.get("required"))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tiny() -> Spec {
        Spec::from_value(
            "t",
            json!({
                "openapi": "3.0.1",
                "paths": {"/a/{id}": {
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                    "get": {"operationId": "getA", "parameters": [{"$ref": "#/components/parameters/Q"}]}
                }},
                "components": {"parameters": {"Q": {"name": "q", "in": "query", "schema": {"$ref": "#/components/schemas/S"}}},
                               "schemas": {"S": {"type": "string"}, "Loop": {"$ref": "#/components/schemas/Loop"}}}
            }),
        )
    }

    #[test]
    fn indexes_and_merges_path_item_parameters() {
        let s = tiny();
        assert_eq!(s.ops["getA"].path, "/a/{id}");
        let names: Vec<_> = s
            .parameters("getA")
            .iter()
            .map(|p| p["name"].as_str().unwrap_or(""))
            .collect();
        assert_eq!(names, vec!["q", "id"]);
    }

    #[test]
    fn resolve_stops_on_cycles() {
        let s = tiny();
        assert!(s
            .resolve(&json!({"$ref": "#/components/schemas/Loop"}))
            .is_none());
        assert_eq!(
            s.resolve(&json!({"$ref": "#/components/schemas/S"})),
            Some(&json!({"type": "string"}))
        );
    }
}
