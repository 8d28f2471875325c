//! The build-time generator of atlassian-mcp.
//!
//! `tools.yaml` + Atlassian OpenAPI specs -> patched and pruned specs -> progenitor clients ->
//! per-operation glue (typed `Args` + `dispatch`) -> tool registry and `tools.json`.
//! `build.rs` only calls [`generate`]; everything here is an ordinary, unit-tested library.

pub mod client;
pub mod config;
pub mod diag;
pub mod emit;
pub mod glue;
pub mod manifest;
pub mod patch;
pub mod plan;
pub mod prune;
pub mod schema;
pub mod spec;

use diag::{Diagnostic, Diagnostics};
use manifest::Manifest;
pub use proc_macro2::TokenStream;
use spec::Spec;
use std::collections::HashSet;

/// What [`generate`] needs.
pub struct Request<'a> {
    /// `tools.yaml` text, and the name to use for it in messages.
    pub tools_yaml: &'a str,
    pub tools_file: &'a str,
    pub manifest: &'a Manifest,
    /// Loads the text of the spec with this manifest name (errors are shown as they are).
    pub load_spec: &'a dyn Fn(&str) -> Result<String, String>,
    /// Type kept inside each generated `Client` and used by its hooks (e.g. `crate::http::Transport`).
    pub inner_type: Option<TokenStream>,
}

/// Everything generated: files (relative name -> text), warnings, and the resolved tools.
pub struct Output {
    pub files: Vec<(String, String)>,
    pub warnings: Vec<String>,
    pub tools: Vec<plan::ToolPlan>,
}

/// Loads and patches one spec.
pub fn load_patched(name: &str, text: &str) -> Result<(Spec, patch::PatchLog), String> {
    let mut spec = Spec::parse(name, text)?;
    let log = patch::patch_spec(&mut spec.doc);
    spec.reindex();
    Ok((spec, log))
}

/// Runs the whole pipeline.
pub fn generate(req: &Request) -> Result<Output, Diagnostics> {
    let names: Vec<&str> = req.manifest.specs.keys().map(String::as_str).collect();
    let file = config::parse(req.tools_yaml, req.tools_file, &names).map_err(Diagnostics)?;
    let mut used: Vec<String> = Vec::new();
    for n in &names {
        if file.tools.iter().any(|t| t.value.spec.value == *n) {
            used.push(n.to_string());
        }
    }
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut plans: Vec<Option<plan::ToolPlan>> = (0..file.tools.len()).map(|_| None).collect();
    let mut specs = Vec::new();
    let mut patch_log = String::new();
    for name in &used {
        let text = (req.load_spec)(name)
            .map_err(|e| Diagnostics(vec![Diagnostic::at(req.tools_file, None, e)]))?;
        let (spec, log) = load_patched(name, &text)
            .map_err(|e| Diagnostics(vec![Diagnostic::at(req.tools_file, None, e)]))?;
        patch_log.push_str(&log.render(name));
        for (i, t) in file.tools.iter().enumerate() {
            if &t.value.spec.value == name {
                match plan::plan_tool(&t.value, &spec, req.tools_file, &mut warnings) {
                    Ok(p) => plans[i] = Some(p),
                    Err(mut e) => errors.append(&mut e),
                }
            }
        }
        specs.push(spec);
    }
    if !errors.is_empty() {
        return Err(Diagnostics(errors));
    }
    let tools: Vec<plan::ToolPlan> = plans.into_iter().flatten().collect();
    let mut files = Vec::new();
    for spec in &specs {
        let ops: Vec<&str> = tools
            .iter()
            .filter(|t| t.spec == spec.name)
            .map(|t| t.operation_id.as_str())
            .collect();
        let text = spec_module(spec, &ops, req.inner_type.as_ref())
            .map_err(|e| Diagnostics(vec![Diagnostic::at(req.tools_file, None, format!("spec `{}`: {e}", spec.name))
                .help("this is a generator limitation; please report it with the tools.yaml entries involved")]))?;
        files.push((format!("{}.rs", spec.name), text));
    }
    files.push((
        "registry.rs".into(),
        pretty(emit::registry(&tools, req.manifest, &used))?,
    ));
    files.push(("mod.rs".into(), pretty(emit::mod_rs(&used))?));
    let json = serde_json::to_string_pretty(&emit::tools_json(&tools)).unwrap_or_default();
    files.push(("tools.json".into(), json));
    files.push(("patches.log".into(), patch_log));
    Ok(Output {
        files,
        warnings,
        tools,
    })
}

fn pretty(tokens: TokenStream) -> Result<String, Diagnostics> {
    syn::parse2::<syn::File>(tokens)
        .map(|f| prettyplease::unparse(&f))
        .map_err(|e| {
            Diagnostics(vec![Diagnostic::at(
                "generated",
                None,
                format!("generated code does not parse: {e}"),
            )])
        })
}

/// Generates the client module of one (patched) spec for the given operations: progenitor's
/// client, the glue, and (with an inner type) the hooks impl. Returns formatted Rust source.
pub fn spec_module(
    spec: &Spec,
    ops: &[&str],
    inner_type: Option<&TokenStream>,
) -> Result<String, String> {
    let keep: HashSet<&str> = ops.iter().copied().collect();
    let pruned = prune::prune(&spec.doc, &keep);
    let opts = client::ClientOptions {
        inner_type: inner_type.cloned(),
    };
    let tokens = client::generate_client(&pruned, &opts)?;
    let mut file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("progenitor's output does not parse: {e}"))?;
    let methods = glue::read_methods(&file)?;
    let mut op_ids = Vec::new();
    let mut path_names = Vec::new();
    for m in &methods {
        let found = ops.iter().find(|id| {
            spec.ops.get(**id).is_some_and(|loc| {
                loc.method == m.http_method && glue::path_pattern(&loc.path).0 == m.path_pattern
            })
        });
        let id = found.ok_or_else(|| {
            format!(
                "generated method `{}` matches no requested operation",
                m.ident
            )
        })?;
        op_ids.push(id.to_string());
        path_names.push(glue::path_pattern(&spec.ops[*id].path).1);
    }
    let glue = glue::emit_glue(&methods, &op_ids, &path_names);
    file.items
        .push(syn::parse2(glue).map_err(|e| format!("glue does not parse: {e}"))?);
    if let Some(inner) = inner_type {
        file.items.push(
            syn::parse2(glue::emit_hooks(inner)).map_err(|e| format!("hooks do not parse: {e}"))?,
        );
    }
    Ok(prettyplease::unparse(&file))
}
