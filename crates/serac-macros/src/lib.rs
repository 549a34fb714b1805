//! `#[serac::action]`: marks an `async fn` as a server action, or every
//! `pub async fn` of an inline module (the file-level directive).
//! `#[derive(serac::Constraints)]` (in `constraints.rs`): the rules of a
//! form type's fields, read from their `#[garde(…)]` attributes.
//!
//! The macro only reads syntax. The function is left as it is, so Rust code
//! keeps calling it directly. Next to it the macro writes a module of the
//! same name (functions and modules live in different namespaces) with:
//!
//! - `action()`, the `ActionRef` that pages and components use, whose type
//!   lists the action's `Bound` parameters;
//! - a static `ActionDef` with the function's path, name and limits;
//! - an invoker that asks each parameter's type for its value (through
//!   serac's `FromCall`: what a parameter means is decided by its type's
//!   trait implementations, never by its name here);
//! - the registration that makes the layer find it;
//! - with `#[action(typescript)]`, the action's TypeScript signature.
//!
//! Misuse is reported at the offending tokens with a sentence that says what
//! to write instead, every mistake of one function at once;
//! `crates/serac/tests/ui` keeps those messages readable.

mod constraints;

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt as _;
use syn::spanned::Spanned as _;
use syn::{DeriveInput, FnArg, Item, ItemFn, LitInt, LitStr, Pat, Path, ReturnType, Type, parse_macro_input};

/// Settings given as `#[action(max_duration_ms = 1000, body_limit = 4096, name = "…", typescript)]`.
#[derive(Clone)]
struct Settings {
    max_duration_ms: Option<LitInt>,
    body_limit: Option<LitInt>,
    name: Option<LitStr>,
    typescript: bool,
    krate: Path,
    /// `#[query]` rather than `#[action]`.
    query: bool,
    /// A query's `Cache-Control`.
    cache_control: Option<LitStr>,
    /// `#[query(batch)]`: the calls of one batch run together.
    batch: Option<Span>,
    /// `#[query(tags = ["…"])]`: the answers kept on the server under them.
    tags: Option<(Span, Vec<LitStr>)>,
    /// `#[query(keep_secs = …)]`.
    keep_secs: Option<LitInt>,
}

impl Settings {
    fn parse(attr: TokenStream) -> syn::Result<Self> {
        let mut settings = Self {
            max_duration_ms: None,
            body_limit: None,
            name: None,
            typescript: false,
            krate: syn::parse_quote!(::serac),
            query: false,
            cache_control: None,
            batch: None,
            tags: None,
            keep_secs: None,
        };
        let parser = syn::meta::parser(|meta| {
            if meta.path.is_ident("max_duration_ms") {
                settings.max_duration_ms = Some(meta.value()?.parse()?);
            } else if meta.path.is_ident("body_limit") {
                settings.body_limit = Some(meta.value()?.parse()?);
            } else if meta.path.is_ident("name") {
                let name: LitStr = meta.value()?.parse()?;
                let valid = !name.value().is_empty()
                    && name.value().chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && !name.value().starts_with(|c: char| c.is_ascii_digit());
                if !valid {
                    return Err(syn::Error::new(
                        name.span(),
                        "an action's name is a Rust-like identifier: letters, digits and `_`",
                    ));
                }
                settings.name = Some(name);
            } else if meta.path.is_ident("cache_control") {
                let value: LitStr = meta.value()?.parse()?;
                if value.value().is_empty()
                    || !value.value().chars().all(|c| c == ' ' || c.is_ascii_graphic())
                {
                    return Err(syn::Error::new(
                        value.span(),
                        "`cache_control` is a `Cache-Control` header value, such as \"public, max-age=60\"",
                    ));
                }
                settings.cache_control = Some(value);
            } else if meta.path.is_ident("tags") {
                let span = meta.path.span();
                let list: syn::ExprArray = meta.value()?.parse()?;
                let mut tags = Vec::new();
                for elem in list.elems {
                    match elem {
                        syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. })
                            if !s.value().is_empty() =>
                        {
                            tags.push(s);
                        }
                        other => {
                            return Err(syn::Error::new_spanned(
                                other,
                                "`tags` is a list of non-empty string literals: tags = [\"invoices\"]",
                            ));
                        }
                    }
                }
                if tags.is_empty() {
                    return Err(syn::Error::new(
                        span,
                        "`tags` names at least one tag: tags = [\"invoices\"]",
                    ));
                }
                settings.tags = Some((span, tags));
            } else if meta.path.is_ident("keep_secs") {
                settings.keep_secs = Some(meta.value()?.parse()?);
            } else if meta.path.is_ident("batch") {
                settings.batch = Some(meta.path.span());
            } else if meta.path.is_ident("typescript") {
                settings.typescript = true;
            } else if meta.path.is_ident("crate") {
                let path: LitStr = meta.value()?.parse()?;
                settings.krate = path.parse()?;
            } else {
                return Err(meta.error(
                    "unknown setting: #[action] accepts `max_duration_ms = <milliseconds>`, `body_limit = <bytes>`, \
                     `name = \"…\"`, `typescript` and `crate = \"path::to::serac\"` (and #[query] \
                     `cache_control = \"…\"`, `batch`, `tags = [\"…\"]` and `keep_secs = <seconds>`)",
                ));
            }
            Ok(())
        });
        syn::parse::Parser::parse(parser, attr)?;
        Ok(settings)
    }
}

/// Marks an `async fn` as a server query: a read, called with `GET` and its
/// arguments in the URL. See `serac::query`.
#[proc_macro_attribute]
pub fn query(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut settings = match Settings::parse(attr) {
        Ok(s) => s,
        Err(e) => return e.to_compile_error().into(),
    };
    settings.query = true;
    let f = parse_macro_input!(item as ItemFn);
    if settings.body_limit.is_some() {
        return syn::Error::new(
            f.sig.ident.span(),
            "#[query] takes `max_duration_ms`, `cache_control`, `batch`, `tags`, `keep_secs`, `typescript`, `name` and `crate`: a query has no body",
        )
        .to_compile_error()
        .into();
    }
    expand_fn(f, &settings).into()
}

/// Marks an `async fn` as a server action; on an inline `mod`, marks every
/// `pub async fn` in it. See the `serac` crate documentation.
#[proc_macro_attribute]
pub fn action(attr: TokenStream, item: TokenStream) -> TokenStream {
    let settings = match Settings::parse(attr) {
        Ok(s) => s,
        Err(e) => return e.to_compile_error().into(),
    };
    let item = parse_macro_input!(item as Item);
    let expanded = match item {
        Item::Fn(f) => expand_fn(f, &settings),
        Item::Mod(mut m) => match m.content.take() {
            Some((_, items)) => {
                if settings.name.is_some() {
                    return syn::Error::new(
                        m.ident.span(),
                        "`name = \"…\"` names one action: put it on a function, not on a module",
                    )
                    .to_compile_error()
                    .into();
                }
                let mut out = Vec::with_capacity(items.len());
                let mut extra = TokenStream2::new();
                for item in items {
                    match item {
                        Item::Fn(f)
                            if matches!(f.vis, syn::Visibility::Public(_)) && f.sig.asyncness.is_some() =>
                        {
                            extra.extend(expand_fn(f, &settings));
                        }
                        other => out.push(other),
                    }
                }
                let attrs = &m.attrs;
                let vis = &m.vis;
                let ident = &m.ident;
                quote! {
                    #(#attrs)*
                    #vis mod #ident {
                        #(#out)*
                        #extra
                    }
                }
            }
            None => syn::Error::new(
                m.span(),
                "#[serac::action] on a module needs the module's items inline (`mod name { ... }`); \
                 for a module in its own file, put `#[serac::action]` on each function",
            )
            .to_compile_error(),
        },
        other => syn::Error::new(
            other.span(),
            "#[serac::action] goes on an `async fn` or on an inline `mod` whose `pub async fn`s are actions",
        )
        .to_compile_error(),
    };
    expanded.into()
}

/// Reads the `#[garde(…)]` rules of a form struct's fields and implements
/// `serac::validate::Constraints`: each input's HTML constraint attributes
/// and messages. A field's `#[serac(message = "…")]` is the message people
/// see when one of its rules fails. See `serac::validate`.
#[proc_macro_derive(Constraints, attributes(serac))]
pub fn derive_constraints(item: TokenStream) -> TokenStream {
    let input = parse_macro_input!(item as DeriveInput);
    constraints::derive(input).unwrap_or_else(syn::Error::into_compile_error).into()
}

fn expand_fn(f: ItemFn, settings: &Settings) -> TokenStream2 {
    if let (false, Some(value)) = (settings.query, &settings.cache_control) {
        return syn::Error::new(
            value.span(),
            "`cache_control` is for queries: an action's answer is never cached",
        )
        .to_compile_error();
    }
    if let (false, Some((span, _))) = (settings.query, &settings.tags) {
        return syn::Error::new(
            *span,
            "`tags` is for queries (#[serac::query(tags = [\"…\"])]): an action revalidates tags with `cx.revalidate_tag`",
        )
        .to_compile_error();
    }
    if let (Some(value), None) = (&settings.keep_secs, &settings.tags) {
        return syn::Error::new(
            value.span(),
            "`keep_secs` says how long a query with `tags` keeps its answers: add `tags`",
        )
        .to_compile_error();
    }
    if let (false, Some(span)) = (settings.query, settings.batch) {
        return syn::Error::new(
            span,
            "`batch` is for queries (#[serac::query(batch)]): actions run one by one",
        )
        .to_compile_error();
    }
    if let (true, Some(span)) = (settings.query, settings.batch) {
        let last_is_vec = f.sig.inputs.last().is_some_and(|input| match input {
            FnArg::Typed(pt) => match &*pt.ty {
                Type::Path(p) => p.path.segments.last().is_some_and(|s| s.ident == "Vec"),
                _ => false,
            },
            FnArg::Receiver(_) => false,
        });
        if !last_is_vec {
            let at = f.sig.inputs.last().map_or(span, |input| input.span());
            return syn::Error::new(
                at,
                "a batch query takes its items as its last parameter, a `Vec<T>`, and returns one result per item: \
                 each read from a browser is one item",
            )
            .to_compile_error();
        }
    }
    match try_expand_fn(&f, settings) {
        Ok(tokens) => tokens,
        Err(e) => {
            let err = e.to_compile_error();
            quote! { #f #err }
        }
    }
}

/// Adds `error` to the errors found so far.
fn collect(errors: &mut Option<syn::Error>, error: syn::Error) {
    match errors {
        Some(all) => all.combine(error),
        None => *errors = Some(error),
    }
}

/// Every problem of the signature, reported together.
fn check_signature(f: &ItemFn) -> syn::Result<()> {
    let sig = &f.sig;
    let mut errors = None;
    if sig.asyncness.is_none() {
        collect(&mut errors, syn::Error::new_spanned(sig.fn_token, "a server action must be an `async fn`"));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        collect(
            &mut errors,
            syn::Error::new_spanned(
                &sig.generics,
                "a server action cannot be generic: the server must know the concrete types it decodes",
            ),
        );
    }
    if let ReturnType::Default = sig.output {
        collect(
            &mut errors,
            syn::Error::new(
                sig.paren_token.span.close(),
                "a server action must return `Result<T, ActionError>` (use `Result<(), ActionError>` when there is no result)",
            ),
        );
    }
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(r) => collect(
                &mut errors,
                syn::Error::new_spanned(r, "a server action is a free function; it cannot take `self`"),
            ),
            FnArg::Typed(pt) => match &*pt.ty {
                Type::Reference(r) => collect(
                    &mut errors,
                    syn::Error::new_spanned(
                        r,
                        "action parameters are taken by value (`cx: Cx`, `form: Form<T>`); a reference cannot outlive the request",
                    ),
                ),
                Type::ImplTrait(t) => collect(
                    &mut errors,
                    syn::Error::new_spanned(
                        t,
                        "action parameters need a concrete type: the server decodes them from the request",
                    ),
                ),
                _ => {}
            },
        }
    }
    errors.map_or(Ok(()), Err)
}

fn try_expand_fn(f: &ItemFn, settings: &Settings) -> syn::Result<TokenStream2> {
    check_signature(f)?;
    let sig = &f.sig;
    let krate = &settings.krate;
    let name = &sig.ident;
    let vis = &f.vis;
    // `fn r#type` is the action `type`.
    let public_name = settings.name.as_ref().map_or_else(|| name.unraw().to_string(), LitStr::value);

    let mut decode = Vec::new();
    let mut args = Vec::new();
    let mut params = Vec::new();
    for (i, input) in sig.inputs.iter().enumerate() {
        let FnArg::Typed(pt) = input else { continue };
        let ty = &*pt.ty;
        let var = format_ident!("__serac_arg{}", i);
        let label = match &*pt.pat {
            Pat::Ident(p) => p.ident.unraw().to_string(),
            _ => format!("argument {}", i + 1),
        };
        // At the type's tokens, so that a type that is no parameter is
        // reported there (and once: the list below asks the same question).
        let at = respan(quote! { #krate::__private }, ty.span());
        decode.push(quote_spanned! {ty.span()=>
            let #var: #ty = #at::extract::<#ty>(&mut call, #label).await?;
        });
        args.push(var);
        params.push((label, ty.clone()));
    }
    // The types of the `Bound` parameters, as a type-level list: each
    // parameter's own list (`Nil`, or one type for `Bound<T>`), appended in
    // order.
    let bound_list = params.iter().rev().fold(quote! { #krate::action::Nil }, |rest, (_, ty)| {
        let at = respan(quote! { #krate::__private }, ty.span());
        quote_spanned! {ty.span()=> <<#ty as #at::Param>::Bound as #at::Append<#rest>>::Out }
    });

    // The list's own errors belong to the parameter list, not the attribute.
    let at_params = sig.paren_token.span.join();
    let list_len = respan(quote! { <#bound_list as #krate::__private::List>::LEN }, at_params);
    let spools = params.iter().map(|(_, ty)| {
        let at = respan(quote! { #krate::__private }, ty.span());
        quote_spanned! {ty.span()=> <#ty as #at::Param>::SPOOLS_UPLOADS }
    });
    let spools = quote! { false #(|| #spools)* };
    let is_query = settings.query;
    let is_batch = settings.batch.is_some();
    let tags = settings.tags.as_ref().map(|(_, t)| t.clone()).unwrap_or_default();
    let keep_for = match &settings.keep_secs {
        Some(secs) => quote! { ::core::option::Option::Some(::core::time::Duration::from_secs(#secs)) },
        None => quote! { ::core::option::Option::None },
    };
    // A query with tags answers every caller alike: each parameter must be
    // one that cannot read the caller.
    let shared = if settings.tags.is_some() {
        let checks = params.iter().map(|(_, ty)| quote_spanned! {ty.span()=> __serac_shared::<#ty>(); });
        let bound = respan(quote! { #krate::query::SharedParam }, Span::call_site());
        quote! {
            const _: fn() = || {
                fn __serac_shared<T: #bound>() {}
                #(#checks)*
            };
        }
    } else {
        TokenStream2::new()
    };
    let action_ref = respan(quote! { #krate::ActionRef<#bound_list> }, at_params);
    let reference = if settings.query {
        // A query's arguments come from the URL: it has no bound values.
        let refused = respan(
            quote! {
                const _: () = ::core::assert!(
                    #list_len == 0,
                    "a query cannot take `Bound` parameters: its arguments come from the URL"
                );
            },
            at_params,
        );
        quote! {
            #refused
            /// A reference to this query, for `page.query_url(..)`.
            #[must_use]
            pub fn query() -> #krate::query::QueryRef {
                #krate::query::QueryRef::new(&DEFINITION)
            }
        }
    } else {
        quote! {
            /// A reference to this action, for forms, buttons and components.
            #[must_use]
            pub fn action() -> #action_ref {
                #krate::ActionRef::new(&DEFINITION)
            }
        }
    };
    let duration = match &settings.max_duration_ms {
        Some(ms) => quote! { ::core::option::Option::Some(::core::time::Duration::from_millis(#ms)) },
        None => quote! { ::core::option::Option::None },
    };
    let cache_control = match &settings.cache_control {
        Some(value) => quote! { ::core::option::Option::Some(#value) },
        None => quote! { ::core::option::Option::None },
    };
    let body_limit = match &settings.body_limit {
        Some(bytes) => quote! { ::core::option::Option::Some(#bytes) },
        None => quote! { ::core::option::Option::None },
    };
    let output_span = match &sig.output {
        ReturnType::Type(_, ty) => ty.span(),
        ReturnType::Default => Span::call_site(),
    };
    let into_result = quote_spanned! {output_span=>
        #krate::__private::IntoActionResult::into_action_result(__serac_out)
    };
    let typescript =
        if settings.typescript { typescript_signature(f, krate, &params) } else { TokenStream2::new() };
    let doc = if settings.query {
        format!("The server query [`{name}()`](fn@{name}): `{name}::query()` is its reference for URLs.")
    } else {
        format!(
            "The server action [`{name}()`](fn@{name}): `{name}::action()` is its reference for forms, buttons and components."
        )
    };

    Ok(quote! {
        #f

        #[doc = #doc]
        // The type of `action()` spells out the list of bound types.
        #[allow(clippy::type_complexity)]
        #vis mod #name {
            #[allow(unused_imports)]
            use super::*;

            #reference

            static DEFINITION: #krate::__private::ActionDef = #krate::__private::ActionDef::new(
                ::core::module_path!(),
                #public_name,
                invoke,
                #duration,
                #body_limit,
                #list_len,
                #spools,
                #is_query,
                #is_batch,
                #cache_control,
                &[#(#tags),*],
                #keep_for,
            );

            #shared

            fn invoke(mut call: #krate::__private::Call) -> #krate::__private::ActionFuture {
                ::std::boxed::Box::pin(async move {
                    #(#decode)*
                    call.finish()?;
                    drop(call);
                    let __serac_out = super::#name(#(#args),*).await;
                    #into_result
                })
            }

            #krate::__private::inventory::submit! {
                #krate::__private::Registration(&DEFINITION)
            }

            #typescript
        }
    })
}

/// `tokens` with every span set to `span`, for generated paths whose errors
/// belong to the user's tokens.
fn respan(tokens: TokenStream2, span: Span) -> TokenStream2 {
    tokens
        .into_iter()
        .map(|mut tree| {
            if let proc_macro2::TokenTree::Group(g) = &tree {
                let mut group = proc_macro2::Group::new(g.delimiter(), respan(g.stream(), span));
                group.set_span(span);
                tree = proc_macro2::TokenTree::Group(group);
            } else {
                tree.set_span(span);
            }
            tree
        })
        .collect()
}

/// The `typescript` part: a call to `serac::__private::typescript_action!`,
/// which registers the signature when serac's `typescript` feature is on and
/// is a compile error saying to turn it on otherwise. What each parameter
/// becomes in TypeScript is again up to its type (`TsParam`).
fn typescript_signature(f: &ItemFn, krate: &Path, params: &[(String, Type)]) -> TokenStream2 {
    let ReturnType::Type(_, output) = &f.sig.output else {
        return TokenStream2::new();
    };
    // The function's doc comment becomes the TypeScript function's JSDoc.
    let docs = f
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .map(|line| line.strip_prefix(' ').map(str::to_string).unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n");
    let labels = params.iter().map(|(l, _)| l);
    let types = params.iter().map(|(_, t)| t);
    quote! {
        #krate::__private::typescript_action! {
            definition = DEFINITION,
            docs = #docs,
            params = [ #( (#labels, #types) ),* ],
            output = #output
        }
    }
}
