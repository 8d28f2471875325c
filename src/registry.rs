//! Types of the generated tool registry (`generated/registry.rs` builds static values of these).

/// Which gateway a spec's operations are served under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Product {
    Jira,
    Confluence,
}

/// A spec that has tools.
#[derive(Debug)]
pub struct SpecDef {
    pub name: &'static str,
    pub product: Product,
    /// Prefix the spec's paths are relative to (Confluence v2: `/wiki/api/v2`).
    pub path_prefix: &'static str,
}

/// MCP tool annotations.
#[derive(Debug, Clone, Copy)]
pub struct Annotations {
    pub title: Option<&'static str>,
    pub read_only: bool,
    pub destructive: bool,
    pub idempotent: bool,
    pub open_world: bool,
}

/// Where one operation parameter's value comes from.
#[derive(Debug)]
pub struct ParamDef {
    /// The tool argument; `None` when the value is fixed.
    pub arg: Option<&'static str>,
    /// The API's parameter name.
    pub api: &'static str,
    /// JSON text sent when the argument is left out.
    pub default: Option<&'static str>,
    /// JSON text always sent.
    pub fixed: Option<&'static str>,
    /// Send an array argument comma-separated.
    pub join: bool,
}

/// One argument written into the request body.
#[derive(Debug)]
pub struct BodyFieldDef {
    pub arg: &'static str,
    /// JSON pointer inside the body; `""` is the whole body.
    pub pointer: &'static str,
    pub transform: Option<&'static str>,
    /// Merge an object argument into the object at `pointer` instead of replacing it.
    pub merge: bool,
    pub default: Option<&'static str>,
}

/// How the request body is assembled.
#[derive(Debug)]
pub struct BodyDef {
    pub present: bool,
    /// JSON text the body starts from.
    pub base: Option<&'static str>,
    pub fields: &'static [BodyFieldDef],
}

/// Response shaping declared in tools.yaml.
#[derive(Debug)]
pub struct ResponseShape {
    /// The array of records in the answer, if any.
    pub items: Option<&'static str>,
    pub project: &'static [&'static str],
    pub drop: &'static [&'static str],
    pub transform: &'static [(&'static str, &'static str)],
}

/// A body field filled from a read made before the call.
#[derive(Debug)]
pub struct FillDef {
    pub to: &'static str,
    pub from: &'static str,
    pub add: Option<i64>,
}

/// A read made before the call (same spec).
#[derive(Debug)]
pub struct PrefetchDef {
    pub operation_id: &'static str,
    /// (API parameter, tool argument)
    pub params: &'static [(&'static str, &'static str)],
    pub fill: &'static [FillDef],
}

/// One tool.
#[derive(Debug)]
pub struct ToolDef {
    pub name: &'static str,
    pub description: &'static str,
    pub spec: &'static str,
    pub operation_id: &'static str,
    pub method: &'static str,
    pub path: &'static str,
    pub toolsets: &'static [&'static str],
    /// JSON Schema text of the tool's input.
    pub input_schema: &'static str,
    pub annotations: Annotations,
    pub scopes_classic: &'static [&'static str],
    pub scopes_granular: &'static [&'static str],
    pub params: &'static [ParamDef],
    pub body: BodyDef,
    pub response: ResponseShape,
    pub prefetch: Option<PrefetchDef>,
    pub deprecated: bool,
}

/// Why a dispatched operation failed.
#[derive(Debug)]
pub enum OpError {
    /// The operation arguments do not fit the generated types.
    Args(serde_path_to_error::Error<serde_json::Error>),
    /// The request failed, or Atlassian answered non-2xx.
    Api(progenitor_client::Error<()>),
    /// The registry and the clients disagree (a generator bug).
    UnknownOperation(String),
}

/// The tool with this name.
pub fn find(name: &str) -> Option<&'static ToolDef> {
    crate::generated::registry::TOOLS
        .iter()
        .find(|t| t.name == name)
}

/// The spec definition for a tool's spec.
pub fn spec_def(name: &str) -> Option<&'static SpecDef> {
    crate::generated::registry::SPECS
        .iter()
        .find(|s| s.name == name)
}

/// A minimal tool for unit tests: GET, read-only, no parameters, body, scopes or shaping.
#[cfg(test)]
pub(crate) const fn test_tool(name: &'static str) -> ToolDef {
    ToolDef {
        name,
        description: "",
        spec: "jira",
        operation_id: "x",
        method: "GET",
        path: "/x",
        toolsets: &[],
        input_schema: "{}",
        annotations: Annotations {
            title: None,
            read_only: true,
            destructive: false,
            idempotent: true,
            open_world: true,
        },
        scopes_classic: &[],
        scopes_granular: &[],
        params: &[],
        body: BodyDef {
            present: false,
            base: None,
            fields: &[],
        },
        response: ResponseShape {
            items: None,
            project: &[],
            drop: &[],
            transform: &[],
        },
        prefetch: None,
        deprecated: false,
    }
}
