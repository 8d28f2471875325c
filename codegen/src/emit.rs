//! Emitting the registry (Rust source referencing the runtime's `crate::registry` types),
//! `mod.rs`, and `tools.json`.

use crate::manifest::{Manifest, Product};
use crate::plan::ToolPlan;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::{json, Value};

fn opt_str(v: &Option<String>) -> TokenStream {
    match v {
        Some(s) => quote!(Some(#s)),
        None => quote!(None),
    }
}

fn opt_json(v: &Option<Value>) -> TokenStream {
    match v {
        Some(j) => {
            let s = j.to_string();
            quote!(Some(#s))
        }
        None => quote!(None),
    }
}

/// The registry source: `SPECS`, `TOOLS`, `Clients` and `dispatch`, for the specs in `used`.
pub fn registry(tools: &[ToolPlan], manifest: &Manifest, used: &[String]) -> TokenStream {
    let specs = used.iter().map(|name| {
        let entry = &manifest.specs[name];
        let product = match entry.product {
            Product::Jira => quote!(Product::Jira),
            Product::Confluence => quote!(Product::Confluence),
        };
        let prefix = &entry.path_prefix;
        quote!(SpecDef { name: #name, product: #product, path_prefix: #prefix })
    });
    let defs = tools.iter().map(tool_def);
    let fields = used.iter().map(|n| {
        let f = format_ident!("{}", n);
        quote!(pub #f: super::#f::Client,)
    });
    let inits = used.iter().map(|n| {
        let f = format_ident!("{}", n);
        quote!(#f: super::#f::Client::new_with_client(&base(#n), http.clone(), transport.clone()),)
    });
    let arms = used.iter().map(|n| {
        let f = format_ident!("{}", n);
        quote! {
            #n => super::#f::glue::dispatch(&clients.#f, operation, args).await.map_err(|e| match e {
                super::#f::glue::DispatchError::Args(e) => OpError::Args(e),
                super::#f::glue::DispatchError::Api(e) => OpError::Api(e),
                super::#f::glue::DispatchError::UnknownOperation(o) => OpError::UnknownOperation(o),
            }),
        }
    });
    quote! {
        #[allow(unused_imports)]
        use crate::registry::{Annotations, BodyDef, BodyFieldDef, FillDef, OpError, ParamDef, PrefetchDef, Product, ResponseShape, SpecDef, ToolDef};

        /// The specs that have at least one tool.
        pub static SPECS: &[SpecDef] = &[#(#specs),*];

        /// Every tool `tools.yaml` declares, in file order.
        pub static TOOLS: &[ToolDef] = &[#(#defs),*];

        /// One generated client per spec in [`SPECS`].
        #[derive(Clone, Debug)]
        pub struct Clients {
            #(#fields)*
        }

        impl Clients {
            /// Builds the clients; `base(spec)` gives each spec's base URL.
            pub fn new(
                http: &reqwest::Client,
                transport: &crate::http::Transport,
                base: impl Fn(&str) -> String,
            ) -> Self {
                Clients { #(#inits)* }
            }
        }

        /// Calls `operation` of `spec` with operation arguments (API parameter names, body under `$body`).
        pub async fn dispatch(
            clients: &Clients,
            spec: &str,
            operation: &str,
            args: ::serde_json::Value,
        ) -> Result<progenitor_client::ResponseValue<progenitor_client::ByteStream>, OpError> {
            match spec {
                #(#arms)*
                other => Err(OpError::UnknownOperation(format!("{other}/{operation}"))),
            }
        }
    }
}

fn tool_def(t: &ToolPlan) -> TokenStream {
    let ToolPlan {
        name,
        spec,
        operation_id,
        description,
        method,
        path,
        ..
    } = t;
    let toolsets = &t.toolsets;
    let schema = t.input_schema.to_string();
    let title = opt_str(&t.annotations.title);
    let (ro, de, id, ow) = (
        t.annotations.read_only,
        t.annotations.destructive,
        t.annotations.idempotent,
        t.annotations.open_world,
    );
    let classic = &t.scopes_classic;
    let granular = &t.scopes_granular;
    let params = t.params.iter().map(|p| {
        let arg = opt_str(&p.arg);
        let api = &p.api;
        let default = opt_json(&p.default);
        let fixed = opt_json(&p.fixed);
        let join = p.join;
        quote!(ParamDef { arg: #arg, api: #api, default: #default, fixed: #fixed, join: #join })
    });
    let present = t.body.present;
    let base = opt_json(&t.body.base);
    let fields = t.body.fields.iter().map(|f| {
        let arg = &f.arg;
        let pointer = &f.pointer;
        let transform = opt_str(&f.transform);
        let merge = f.merge;
        let default = opt_json(&f.default);
        quote!(BodyFieldDef { arg: #arg, pointer: #pointer, transform: #transform, merge: #merge, default: #default })
    });
    let project = &t.response.project;
    let drop = &t.response.drop;
    let tr = t.response.transform.iter().map(|(k, v)| quote!((#k, #v)));
    let deprecated = t.deprecated;
    let items = opt_str(&t.response.items);
    let prefetch = match &t.prefetch {
        None => quote!(None),
        Some(p) => {
            let op = &p.operation_id;
            let params = p.params.iter().map(|(a, b)| quote!((#a, #b)));
            let fill = p.fill.iter().map(|f| {
                let (to, from) = (&f.to, &f.from);
                let add = match f.add {
                    Some(n) => quote!(Some(#n)),
                    None => quote!(None),
                };
                quote!(FillDef { to: #to, from: #from, add: #add })
            });
            quote!(Some(PrefetchDef { operation_id: #op, params: &[#(#params),*], fill: &[#(#fill),*] }))
        }
    };
    quote! {
        ToolDef {
            name: #name,
            description: #description,
            spec: #spec,
            operation_id: #operation_id,
            method: #method,
            path: #path,
            toolsets: &[#(#toolsets),*],
            input_schema: #schema,
            annotations: Annotations { title: #title, read_only: #ro, destructive: #de, idempotent: #id, open_world: #ow },
            scopes_classic: &[#(#classic),*],
            scopes_granular: &[#(#granular),*],
            params: &[#(#params),*],
            body: BodyDef { present: #present, base: #base, fields: &[#(#fields),*] },
            response: ResponseShape { items: #items, project: &[#(#project),*], drop: &[#(#drop),*], transform: &[#(#tr),*] },
            prefetch: #prefetch,
            deprecated: #deprecated,
        }
    }
}

/// `mod.rs`: one module per used spec plus the registry, each `include!`d from `OUT_DIR`.
pub fn mod_rs(used: &[String]) -> TokenStream {
    let mods = used.iter().map(|n| {
        let m = format_ident!("{}", n);
        let file = format!("/{n}.rs");
        quote! {
            #[allow(clippy::all, clippy::pedantic, dead_code, unused_imports, unused_variables, missing_docs)]
            pub mod #m { include!(concat!(env!("OUT_DIR"), #file)); }
        }
    });
    quote! {
        #(#mods)*
        /// The tool registry generated from tools.yaml.
        #[allow(clippy::all)]
        pub mod registry { include!(concat!(env!("OUT_DIR"), "/registry.rs")); }
    }
}

/// The tool list exactly as `tools/list` serves it (before runtime filters).
pub fn tools_json(tools: &[ToolPlan]) -> Value {
    let list: Vec<Value> = tools
        .iter()
        .map(|t| {
            let mut ann = serde_json::Map::new();
            if let Some(title) = &t.annotations.title {
                ann.insert("title".into(), json!(title));
            }
            ann.insert("readOnlyHint".into(), json!(t.annotations.read_only));
            ann.insert("destructiveHint".into(), json!(t.annotations.destructive));
            ann.insert("idempotentHint".into(), json!(t.annotations.idempotent));
            ann.insert("openWorldHint".into(), json!(t.annotations.open_world));
            json!({
                "name": t.name,
                "description": t.description,
                "inputSchema": t.input_schema,
                "annotations": ann,
            })
        })
        .collect();
    json!({ "tools": list })
}
