//! `tools.yaml` version 1: the allowlist of operations offered as tools, and how each is shaped.
//!
//! This module only parses and checks what can be checked without the specs (names, versions,
//! transform names); [`crate::validate`] checks entries against the specs.

use crate::diag::{Diagnostic, Pos};
use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;
use serde_saphyr::Spanned;

/// Transforms that may be applied to a tool argument before it is sent.
pub const INPUT_TRANSFORMS: &[&str] = &["markdown_to_adf", "markdown_to_storage"];
/// Transforms that may be applied to a response field before it is returned.
pub const OUTPUT_TRANSFORMS: &[&str] = &["adf_to_markdown", "storage_to_markdown"];

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolsFile {
    pub version: Spanned<u32>,
    #[serde(default)]
    pub tools: Vec<Spanned<ToolEntry>>,
}

/// One tool: an Atlassian operation and how it is presented to the agent.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolEntry {
    pub name: Spanned<String>,
    pub spec: Spanned<String>,
    pub operation: Spanned<String>,
    /// Our own description; the spec's summary is used only when this is missing.
    #[serde(default)]
    pub description: Option<String>,
    /// Toolset tags, for `ENABLED_TOOLS`/`DISABLED_TOOLS`.
    #[serde(default, deserialize_with = "one_or_many")]
    pub toolset: Vec<String>,
    #[serde(default)]
    pub annotations: AnnotationOverrides,
    /// Parameter rules keyed by the operation's parameter name (as the spec spells it).
    #[serde(default)]
    pub params: IndexMap<String, Spanned<ParamRule>>,
    /// What to do with path/query parameters that `params` does not mention.
    #[serde(default)]
    pub other_params: OtherParams,
    #[serde(default)]
    pub body: Option<Spanned<BodyRule>>,
    /// Response shaping, applied at run time.
    #[serde(default)]
    pub response: ResponseRule,
    /// A read made before the call, whose answer fills parts of the body (e.g. a version number).
    #[serde(default)]
    pub prefetch: Option<Spanned<PrefetchRule>>,
}

/// A GET made before the call; values from its answer fill body fields the agent did not give.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrefetchRule {
    /// operationId in the same spec.
    pub operation: Spanned<String>,
    /// The prefetch operation's parameters (API names) -> the tool argument that supplies each.
    #[serde(default)]
    pub params: IndexMap<String, String>,
    /// Body fields to fill.
    #[serde(default)]
    pub fill: Vec<FillRule>,
}

/// `to` (pointer in the body) <- `from` (pointer in the prefetched answer), plus `add` for numbers.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FillRule {
    pub to: String,
    pub from: String,
    #[serde(default)]
    pub add: Option<i64>,
}

/// Overrides for the MCP tool annotations derived from the HTTP method.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnotationOverrides {
    pub title: Option<String>,
    pub read_only: Option<bool>,
    pub destructive: Option<bool>,
    pub idempotent: Option<bool>,
    pub open_world: Option<bool>,
}

/// Whether parameters not listed under `params` are offered to the agent.
#[derive(Debug, Default, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OtherParams {
    /// Offer them under their API names (the default).
    #[default]
    Expose,
    /// Leave them out: the agent sees only the parameters listed.
    Hide,
}

/// How one path or query parameter is offered.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamRule {
    /// The name the agent uses (defaults to the API name).
    pub rename: Option<Spanned<String>>,
    /// Our description (replaces the spec's).
    pub description: Option<String>,
    /// Make an optional parameter required (a required one cannot be made optional).
    pub required: Option<bool>,
    /// Value sent when the agent leaves the parameter out; shown in the schema.
    pub default: Option<Value>,
    /// Fixed value: always sent, never offered.
    pub value: Option<Value>,
    /// Neither offered nor sent.
    #[serde(default)]
    pub hide: bool,
}

/// How the request body is offered: whole (or one sub-object) as one parameter, or as flat parameters
/// mapped to JSON pointers inside it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BodyRule {
    /// Offer the body (or the object at `pointer`) as one parameter with this name.
    pub param: Option<Spanned<String>>,
    /// With `param`: the sub-object offered (a JSON pointer into the body; default the whole body).
    pub pointer: Option<Spanned<String>>,
    /// With `param`: our description of it.
    pub description: Option<String>,
    /// With `param`: whether the agent must give it (default: whether the operation requires a body).
    pub required: Option<bool>,
    /// Flat tool parameters, each written to a JSON pointer inside the body.
    #[serde(default)]
    pub map: IndexMap<String, Spanned<BodyField>>,
    /// A fixed JSON value the body starts from, before parameters are written into it.
    pub value: Option<Value>,
}

/// One flat tool parameter written into the body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BodyField {
    /// Where in the body the value goes (RFC 6901 JSON pointer, e.g. `/fields/summary`).
    pub pointer: Spanned<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub required: bool,
    pub default: Option<Value>,
    /// Input transform applied before sending (see [`INPUT_TRANSFORMS`]).
    pub transform: Option<Spanned<String>>,
    /// Our JSON Schema for the parameter; needed where the pointer lands in a free-form object.
    pub schema: Option<Value>,
    /// The value (an object) is merged into the object at `pointer` instead of replacing it.
    #[serde(default)]
    pub merge: bool,
}

/// Response shaping, applied at run time to the raw JSON.
#[derive(Clone, Debug, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseRule {
    /// The array of records in the answer (e.g. `issues`); projection and transforms apply to
    /// each. Without it the whole answer is one record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<String>,
    /// Keep only these fields (dotted paths; `key`/`id` are always kept).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub project: Vec<String>,
    /// Drop these keys wherever they occur.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drop: Vec<String>,
    /// Output transforms by dotted path (see [`OUTPUT_TRANSFORMS`]).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub transform: IndexMap<String, String>,
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

/// Position of a spanned value, if the parser knew it.
pub fn pos<T>(s: &Spanned<T>) -> Option<Pos> {
    let p = Pos::from_saphyr(s.referenced);
    (p.line > 0).then_some(p)
}

/// Parses `tools.yaml` text and runs the checks that need no spec.
pub fn parse(text: &str, file: &str, spec_names: &[&str]) -> Result<ToolsFile, Vec<Diagnostic>> {
    let parsed: ToolsFile = serde_saphyr::from_str(text).map_err(|e| {
        let pos = e.location().map(Pos::from_saphyr).filter(|p| p.line > 0);
        vec![Diagnostic::at(file, pos, first_line(&e.to_string()))
            .help("see docs/tools-yaml.md for the format")]
    })?;
    let mut errors = Vec::new();
    if parsed.version.value != 1 {
        errors.push(
            Diagnostic::at(
                file,
                pos(&parsed.version),
                format!("unsupported tools.yaml version {}", parsed.version.value),
            )
            .help("this build reads `version: 1`"),
        );
    }
    let mut seen: IndexMap<&str, Option<Pos>> = IndexMap::new();
    for tool in &parsed.tools {
        let t = &tool.value;
        let name = t.name.value.as_str();
        if !valid_tool_name(name) {
            errors.push(
                Diagnostic::at(file, pos(&t.name), format!("invalid tool name `{name}`"))
                    .help("tool names are 1-64 characters: a lowercase letter, then lowercase letters, digits or `_` (e.g. `jira_get_issue`)"),
            );
        }
        if let Some(first) = seen.get(name) {
            let at = first
                .map(|p| format!(" (first defined at line {})", p.line))
                .unwrap_or_default();
            errors.push(
                Diagnostic::at(
                    file,
                    pos(&t.name),
                    format!("duplicate tool name `{name}`{at}"),
                )
                .help("every tool needs its own name; rename or remove one of them"),
            );
        } else {
            seen.insert(name, pos(&t.name));
        }
        if !spec_names.contains(&t.spec.value.as_str()) {
            errors.push(
                Diagnostic::at(
                    file,
                    pos(&t.spec),
                    format!("unknown spec `{}`", t.spec.value),
                )
                .help(format!("use one of: {}", spec_names.join(", "))),
            );
        }
        if let Some(desc) = &t.description {
            if desc.trim().is_empty() {
                errors.push(
                    Diagnostic::at(file, pos(&t.name), format!("tool `{name}` has an empty description"))
                        .help("write one line on when to use the tool, or remove the key to use the spec's summary"),
                );
            }
        }
        check_transforms(file, t, &mut errors);
    }
    if errors.is_empty() {
        Ok(parsed)
    } else {
        Err(errors)
    }
}

fn check_transforms(file: &str, t: &ToolEntry, errors: &mut Vec<Diagnostic>) {
    if let Some(body) = &t.body {
        for field in body.value.map.values() {
            if let Some(tr) = &field.value.transform {
                if !INPUT_TRANSFORMS.contains(&tr.value.as_str()) {
                    errors.push(
                        Diagnostic::at(
                            file,
                            pos(tr),
                            format!("unknown input transform `{}`", tr.value),
                        )
                        .help(format!("use one of: {}", INPUT_TRANSFORMS.join(", "))),
                    );
                }
            }
        }
    }
    for (path, tr) in &t.response.transform {
        if !OUTPUT_TRANSFORMS.contains(&tr.as_str()) {
            errors.push(
                Diagnostic::at(
                    file,
                    pos(&t.name),
                    format!(
                        "tool `{}`: unknown response transform `{tr}` for `{path}`",
                        t.name.value
                    ),
                )
                .help(format!("use one of: {}", OUTPUT_TRANSFORMS.join(", "))),
            );
        }
    }
}

/// `^[a-z][a-z0-9_]{0,63}$`
pub fn valid_tool_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some('a'..='z'))
        && name.len() <= 64
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
}

/// The parser's message without its own `error:` and `line N column M:` prefixes (we print the position).
fn first_line(s: &str) -> String {
    let mut line = s.lines().next().unwrap_or(s).trim();
    line = line.strip_prefix("error:").unwrap_or(line).trim_start();
    if line.starts_with("line ") {
        if let Some(i) = line.find(": ") {
            line = &line[i + 2..];
        }
    }
    line.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_names() {
        assert!(valid_tool_name("jira_get_issue"));
        assert!(valid_tool_name("a"));
        assert!(!valid_tool_name("Jira"));
        assert!(!valid_tool_name("1abc"));
        assert!(!valid_tool_name("a-b"));
        assert!(!valid_tool_name(""));
        assert!(valid_tool_name(&"a".repeat(64)));
        assert!(!valid_tool_name(&"a".repeat(65)));
    }

    #[test]
    fn parses_a_full_entry_with_positions() {
        let text = "version: 1\ntools:\n  - name: jira_get_issue\n    spec: jira\n    operation: getIssue\n    toolset: [jira, read]\n    params:\n      issueIdOrKey: {rename: issue_key, required: true}\n      fields: {default: [summary, status]}\n    response:\n      project: [key, fields.summary]\n";
        let f = parse(text, "tools.yaml", &["jira"]).expect("parses");
        let t = &f.tools[0].value;
        assert_eq!(t.operation.value, "getIssue");
        assert_eq!(pos(&t.operation).map(|p| p.line), Some(5));
        assert_eq!(t.toolset, vec!["jira", "read"]);
        let rule = &t.params["issueIdOrKey"].value;
        assert_eq!(
            rule.rename.as_ref().map(|r| r.value.as_str()),
            Some("issue_key")
        );
        assert_eq!(
            t.params["fields"].value.default,
            Some(serde_json::json!(["summary", "status"]))
        );
        assert_eq!(t.response.project, vec!["key", "fields.summary"]);
    }

    #[test]
    fn single_toolset_string_is_accepted() {
        let text = "version: 1\ntools:\n  - {name: a, spec: jira, operation: x, toolset: jira}\n";
        let f = parse(text, "t.yaml", &["jira"]).expect("parses");
        assert_eq!(f.tools[0].value.toolset, vec!["jira"]);
    }
}
