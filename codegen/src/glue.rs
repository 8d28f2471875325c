//! Per-operation glue, generated from the signatures progenitor actually emitted.
//!
//! For each client method we read (from the syn AST) its parameters, the path template and
//! HTTP method it builds, and the query/header names it sends. From that we emit an owned
//! `Args` struct (serde names = the API's parameter names, the body under `$body`) and one
//! `dispatch(client, operation_id, args)` that deserialises `Args` and calls the method.
//! progenitor's type mapping is never re-implemented: the `Args` field types are the method's
//! parameter types with the borrows removed.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::punctuated::Punctuated;
use syn::visit::Visit;
use syn::{
    Expr, ExprLit, FnArg, GenericArgument, ImplItem, Item, Lit, Pat, PathArguments, Token, Type,
};

/// Key under which the request body travels in operation arguments.
pub const BODY_KEY: &str = "$body";

/// One parameter of a generated method.
#[derive(Clone, Debug)]
pub struct MethodParam {
    /// The Rust name progenitor chose.
    pub ident: String,
    /// Where it goes: the API's name for path/query/header parameters; `None` for the body.
    pub api_name: Option<String>,
    pub ty: Type,
}

/// One generated client method, as read back from the AST.
#[derive(Clone, Debug)]
pub struct Method {
    pub ident: String,
    /// HTTP method in lower case.
    pub http_method: String,
    /// Path template with `{}` for each path parameter, e.g. `/rest/api/3/issue/{}`.
    pub path_pattern: String,
    pub params: Vec<MethodParam>,
    /// The method takes a raw body through a generic `B: Into<reqwest::Body>`.
    pub generic_body: bool,
}

/// Reads every client method out of a generated file.
pub fn read_methods(file: &syn::File) -> Result<Vec<Method>, String> {
    let mut out = Vec::new();
    for item in &file.items {
        let Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some()
            || !matches!(&*imp.self_ty, Type::Path(p) if p.path.is_ident("Client"))
        {
            continue;
        }
        for it in &imp.items {
            let ImplItem::Fn(f) = it else { continue };
            if f.sig.asyncness.is_none() || f.sig.ident.to_string().ends_with("_stream") {
                continue;
            }
            out.push(read_method(f)?);
        }
    }
    Ok(out)
}

fn read_method(f: &syn::ImplItemFn) -> Result<Method, String> {
    let ident = f.sig.ident.to_string();
    let mut finder = BodyFinder::default();
    finder.visit_block(&f.block);
    let (pattern, path_args) = finder
        .url
        .ok_or_else(|| format!("{ident}: no url format! found"))?;
    let http_method = finder
        .http_method
        .ok_or_else(|| format!("{ident}: no HTTP method call found"))?;
    let generic_body = f
        .sig
        .generics
        .type_params()
        .any(|t| t == &syn::parse_quote!(B: Into<reqwest::Body>))
        || f.sig.generics.type_params().any(|t| t.ident == "B");
    let mut params = Vec::new();
    for arg in &f.sig.inputs {
        let FnArg::Typed(pt) = arg else { continue };
        let Pat::Ident(pi) = &*pt.pat else { continue };
        let name = pi.ident.to_string();
        let api_name = if let Some(pos) = path_args.iter().position(|a| a == &name) {
            Some(format!("{{{pos}}}"))
        } else if let Some((api, _)) = finder.named.iter().find(|(_, id)| id == &name) {
            Some(api.clone())
        } else if name == "body" {
            None
        } else {
            return Err(format!(
                "{ident}: cannot tell where parameter `{name}` is sent"
            ));
        };
        params.push(MethodParam {
            ident: name,
            api_name,
            ty: (*pt.ty).clone(),
        });
    }
    Ok(Method {
        ident,
        http_method,
        path_pattern: pattern,
        params,
        generic_body,
    })
}

/// Finds, in a method body, the url `format!`, the reqwest method call, and named query/header params.
#[derive(Default)]
struct BodyFinder {
    url: Option<(String, Vec<String>)>,
    http_method: Option<String>,
    named: Vec<(String, String)>,
}

impl<'ast> Visit<'ast> for BodyFinder {
    fn visit_local(&mut self, local: &'ast syn::Local) {
        if let (Pat::Ident(pi), Some(init)) = (&local.pat, &local.init) {
            if pi.ident == "url" {
                if let Expr::Macro(m) = &*init.expr {
                    if m.mac.path.is_ident("format") {
                        if let Ok(args) = m
                            .mac
                            .parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)
                        {
                            let mut it = args.iter();
                            if let Some(Expr::Lit(ExprLit {
                                lit: Lit::Str(s), ..
                            })) = it.next()
                            {
                                let pattern = s.value().trim_start_matches("{}").to_string();
                                let idents = it.skip(1).map(first_ident).collect();
                                self.url = Some((pattern, idents));
                            }
                        }
                    }
                }
            }
        }
        syn::visit::visit_local(self, local);
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        let m = call.method.to_string();
        if [
            "get", "put", "post", "delete", "patch", "head", "options", "trace",
        ]
        .contains(&m.as_str())
        {
            if let Some(Expr::Path(p)) = call.args.first() {
                if p.path.is_ident("url") {
                    self.http_method = Some(m.clone());
                }
            }
        }
        if m == "append" && call.args.len() == 2 {
            if let (
                Some(Expr::Lit(ExprLit {
                    lit: Lit::Str(s), ..
                })),
                Some(v),
            ) = (call.args.first(), call.args.iter().nth(1))
            {
                self.named.push((s.value(), first_ident(v)));
            }
        }
        syn::visit::visit_expr_method_call(self, call);
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if let Expr::Path(p) = &*call.func {
            let segs: Vec<String> = p
                .path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect();
            if segs.ends_with(&["QueryParam".to_string(), "new".to_string()])
                && call.args.len() == 2
            {
                if let (
                    Some(Expr::Lit(ExprLit {
                        lit: Lit::Str(s), ..
                    })),
                    Some(v),
                ) = (call.args.first(), call.args.iter().nth(1))
                {
                    self.named.push((s.value(), first_ident(v)));
                }
            }
        }
        syn::visit::visit_expr_call(self, call);
    }
}

/// The first plain identifier inside an expression (`encode_path(&x.to_string())` -> `x`).
fn first_ident(e: &Expr) -> String {
    struct First(Option<String>);
    impl<'ast> Visit<'ast> for First {
        fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
            if self.0.is_none()
                && p.path.segments.len() == 1
                && p.path.segments[0].ident != "encode_path"
            {
                self.0 = Some(p.path.segments[0].ident.to_string());
            }
        }
    }
    let mut f = First(None);
    f.visit_expr(e);
    f.0.unwrap_or_default()
}

/// How an owned `Args` field is passed back to the borrowing method.
enum Pass {
    /// `&args.x`
    Ref,
    /// `args.x.as_deref()`
    OptDeref,
    /// `args.x.as_ref()`
    OptRef,
    /// `args.x`
    Value,
    /// Raw body: `args.x.to_string()` (JSON text)
    RawJson,
}

/// Turns a parameter type into (owned field type, how to pass it).
fn owned(ty: &Type, generic_body: bool) -> (TokenStream, Pass) {
    if generic_body && matches!(ty, Type::Path(p) if p.path.is_ident("B")) {
        return (quote!(::serde_json::Value), Pass::RawJson);
    }
    match ty {
        Type::Reference(r) => (deref_str(&r.elem), Pass::Ref),
        Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Option") => {
            let inner = p.path.segments.last().and_then(|s| match &s.arguments {
                PathArguments::AngleBracketed(a) => a.args.first().and_then(|g| match g {
                    GenericArgument::Type(t) => Some(t.clone()),
                    _ => None,
                }),
                _ => None,
            });
            match inner {
                Some(Type::Reference(r)) => {
                    let is_str = matches!(&*r.elem, Type::Path(p) if p.path.is_ident("str"));
                    let t = deref_str(&r.elem);
                    (
                        quote!(Option<#t>),
                        if is_str { Pass::OptDeref } else { Pass::OptRef },
                    )
                }
                _ => (quote!(#ty), Pass::Value),
            }
        }
        _ => (quote!(#ty), Pass::Value),
    }
}

fn deref_str(t: &Type) -> TokenStream {
    if matches!(t, Type::Path(p) if p.path.is_ident("str")) {
        quote!(::std::string::String)
    } else {
        quote!(#t)
    }
}

/// Emits the `Args` structs, the error type and `dispatch` for one spec module.
/// `op_ids[i]` is the operationId of `methods[i]`; `path_names[i]` the spec's path parameter names in order.
pub fn emit_glue(methods: &[Method], op_ids: &[String], path_names: &[Vec<String>]) -> TokenStream {
    let mut structs = Vec::new();
    let mut arms = Vec::new();
    for ((m, op_id), names) in methods.iter().zip(op_ids).zip(path_names) {
        let args_ident = format_ident!("{}Args", heck::AsPascalCase(&m.ident).to_string());
        let method_ident = syn::Ident::new(&m.ident, Span::call_site());
        let mut fields = Vec::new();
        let mut call_args = Vec::new();
        for p in &m.params {
            let field = syn::Ident::new(&p.ident, Span::call_site());
            let wire = match &p.api_name {
                None => BODY_KEY.to_string(),
                Some(n) if n.starts_with('{') => {
                    let pos: usize = n
                        .trim_matches(|c| c == '{' || c == '}')
                        .parse()
                        .unwrap_or(0);
                    names.get(pos).cloned().unwrap_or_else(|| p.ident.clone())
                }
                Some(n) => n.clone(),
            };
            let (ty, pass) = owned(&p.ty, m.generic_body);
            fields.push(quote! {
                #[serde(rename = #wire)]
                pub #field: #ty,
            });
            call_args.push(match pass {
                Pass::Ref => quote!(&a.#field),
                Pass::OptDeref => quote!(a.#field.as_deref()),
                Pass::OptRef => quote!(a.#field.as_ref()),
                Pass::Value => quote!(a.#field),
                Pass::RawJson => quote!(a.#field.to_string()),
            });
        }
        structs.push(quote! {
            #[doc = concat!("Arguments of `", #op_id, "`, keyed by the API's parameter names (body: `$body`).")]
            #[derive(Debug, ::serde::Deserialize)]
            #[serde(deny_unknown_fields)]
            pub struct #args_ident {
                #(#fields)*
            }
        });
        // Operations without parameters still check that no argument was given.
        let binding = if call_args.is_empty() {
            quote!(_)
        } else {
            quote!(a)
        };
        arms.push(quote! {
            #op_id => {
                let #binding: #args_ident = ::serde_path_to_error::deserialize(args).map_err(DispatchError::Args)?;
                client.#method_ident(#(#call_args),*).await.map_err(DispatchError::Api)
            }
        });
    }
    let ids = op_ids.iter();
    quote! {
        /// Typed arguments and dispatch for each generated operation.
        pub mod glue {
            #[allow(unused_imports)]
            use super::types;
            use super::{ByteStream, Client, Error, ResponseValue};

            /// Why a dispatched call failed before or while calling Atlassian.
            #[derive(Debug)]
            pub enum DispatchError {
                /// The arguments do not fit the operation's parameter types (with the JSON path).
                Args(::serde_path_to_error::Error<::serde_json::Error>),
                /// The request failed or Atlassian answered with a non-2xx status.
                Api(Error<()>),
                /// No such operation in this client.
                UnknownOperation(String),
            }

            /// The operationIds this module can dispatch.
            pub const OPERATIONS: &[&str] = &[#(#ids),*];

            #(#structs)*

            /// Calls `operation` with `args` (an object keyed by API parameter names).
            pub async fn dispatch(
                client: &Client,
                operation: &str,
                args: ::serde_json::Value,
            ) -> Result<ResponseValue<ByteStream>, DispatchError> {
                match operation {
                    #(#arms)*
                    other => Err(DispatchError::UnknownOperation(other.to_string())),
                }
            }
        }
    }
}

/// Emits the hooks impl that routes every request of `Client` through the runtime transport.
pub fn emit_hooks(inner_type: &TokenStream) -> TokenStream {
    quote! {
        impl ClientHooks<#inner_type> for Client {
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                info: &OperationInfo,
            ) -> ::std::result::Result<(), Error<E>> {
                self.inner.pre(request, info).await
            }

            async fn exec(
                &self,
                request: reqwest::Request,
                info: &OperationInfo,
            ) -> reqwest::Result<reqwest::Response> {
                self.inner.exec(&self.client, request, info).await
            }
        }
    }
}

/// Converts a spec path template (`/issue/{issueIdOrKey}`) to the `{}` pattern and its parameter names.
pub fn path_pattern(path: &str) -> (String, Vec<String>) {
    let mut pattern = String::new();
    let mut names = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        pattern.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        names.push(rest[start + 1..start + end].to_string());
        pattern.push_str("{}");
        rest = &rest[start + end + 1..];
    }
    pattern.push_str(rest);
    (pattern, names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_patterns() {
        assert_eq!(
            path_pattern("/a/{x}/b/{y}"),
            (
                "/a/{}/b/{}".to_string(),
                vec!["x".to_string(), "y".to_string()]
            )
        );
        assert_eq!(path_pattern("/plain"), ("/plain".to_string(), vec![]));
    }

    #[test]
    fn reads_a_progenitor_style_method() {
        let file: syn::File = syn::parse_quote! {
            impl Client {
                pub async fn get_thing<'a>(&'a self, thing_id: &'a str, expand: Option<&'a str>, limit: Option<i32>, tags: Option<&'a ::std::vec::Vec<::std::string::String>>, body: &'a types::Thing) -> Result<ResponseValue<ByteStream>, Error<()>> {
                    let url = format!("{}/things/{}", self.baseurl, encode_path(&thing_id.to_string()),);
                    let mut request = self.client.post(url).json(&body)
                        .query(&progenitor_client::QueryParam::new("expand", &expand))
                        .query(&progenitor_client::QueryParam::new("limit", &limit))
                        .query(&progenitor_client::QueryParam::new("tags", &tags))
                        .build()?;
                    todo!()
                }
            }
        };
        let methods = read_methods(&file).expect("reads");
        let m = &methods[0];
        assert_eq!(m.http_method, "post");
        assert_eq!(m.path_pattern, "/things/{}");
        let names: Vec<_> = m.params.iter().map(|p| p.api_name.clone()).collect();
        assert_eq!(
            names,
            vec![
                Some("{0}".into()),
                Some("expand".into()),
                Some("limit".into()),
                Some("tags".into()),
                None
            ]
        );
        let glue = emit_glue(&methods, &["getThing".into()], &[vec!["thingId".into()]]).to_string();
        assert!(glue.contains("rename = \"thingId\""), "{glue}");
        assert!(glue.contains("rename = \"$body\""));
        assert!(glue.contains("a . expand . as_deref ()"));
        assert!(glue.contains("a . tags . as_ref ()"));
        assert!(glue.contains("a . limit"));
    }
}
