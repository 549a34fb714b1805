//! `#[serac::action]`: marks an `async fn` as a server action, or every
//! `pub async fn` of an inline module (the file-level directive of S1).
//!
//! The function is left as it is, so Rust code keeps calling it directly
//! (S11). Next to it the macro writes a module of the same name (functions
//! and modules live in different namespaces) with:
//!
//! - `action()`, the [`ActionRef`] that pages and components use;
//! - a static `ActionDef` with the function's path and limits;
//! - an invoker that decodes each parameter from the call, by the parameter
//!   type's name: `Cx`, `Form<T>`, `FormData`, `PrevState<T>`, `Auth<U>`, or
//!   else a positional serde argument;
//! - the registration that makes the layer find it;
//! - with `#[action(typescript)]`, the action's TypeScript signature, for
//!   `serac::typescript::module()` (B6).
//!
//! Misuse is reported at the offending tokens with a sentence that says what
//! to write instead; `crates/serac/tests/ui` keeps those messages readable.
//!
//! [`ActionRef`]: ../serac/struct.ActionRef.html

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned as _;
use syn::{FnArg, Item, ItemFn, LitInt, Pat, ReturnType, Type, parse_macro_input};

/// Settings given as `#[action(max_duration_ms = 1000, body_limit = 4096, typescript)]`.
#[derive(Default, Clone)]
struct Limits {
    max_duration_ms: Option<LitInt>,
    body_limit: Option<LitInt>,
    typescript: bool,
}

impl Limits {
    fn parse(attr: TokenStream) -> syn::Result<Self> {
        let mut limits = Self::default();
        let parser = syn::meta::parser(|meta| {
            if meta.path.is_ident("max_duration_ms") {
                limits.max_duration_ms = Some(meta.value()?.parse()?);
                Ok(())
            } else if meta.path.is_ident("body_limit") {
                limits.body_limit = Some(meta.value()?.parse()?);
                Ok(())
            } else if meta.path.is_ident("typescript") {
                limits.typescript = true;
                Ok(())
            } else {
                Err(meta.error(
                    "unknown setting: #[action] accepts `max_duration_ms = <milliseconds>`, `body_limit = <bytes>` and `typescript`",
                ))
            }
        });
        syn::parse::Parser::parse(parser, attr)?;
        Ok(limits)
    }
}

/// Marks an `async fn` as a server action; on an inline `mod`, marks every
/// `pub async fn` in it. See the `serac` crate documentation.
#[proc_macro_attribute]
pub fn action(attr: TokenStream, item: TokenStream) -> TokenStream {
    let limits = match Limits::parse(attr) {
        Ok(l) => l,
        Err(e) => return e.to_compile_error().into(),
    };
    let item = parse_macro_input!(item as Item);
    let expanded = match item {
        Item::Fn(f) => expand_fn(f, &limits),
        Item::Mod(mut m) => match m.content.take() {
            Some((brace, items)) => {
                let mut out = Vec::with_capacity(items.len());
                let mut extra = TokenStream2::new();
                for item in items {
                    match item {
                        Item::Fn(f)
                            if matches!(f.vis, syn::Visibility::Public(_)) && f.sig.asyncness.is_some() =>
                        {
                            extra.extend(expand_fn(f, &limits));
                        }
                        other => out.push(other),
                    }
                }
                let attrs = &m.attrs;
                let vis = &m.vis;
                let ident = &m.ident;
                let _ = brace;
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

/// What a parameter is decoded from.
enum Kind {
    Cx,
    Form,
    FormData,
    PrevState,
    Auth,
    Positional,
}

fn kind_of(ty: &Type) -> syn::Result<Kind> {
    match ty {
        Type::Path(p) => {
            let last = p.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
            Ok(match last.as_str() {
                "Cx" => Kind::Cx,
                "Form" => Kind::Form,
                "FormData" => Kind::FormData,
                "PrevState" => Kind::PrevState,
                "Auth" => Kind::Auth,
                _ => Kind::Positional,
            })
        }
        Type::Reference(_) => Err(syn::Error::new(
            ty.span(),
            "action parameters are taken by value (`cx: Cx`, `form: Form<T>`); a reference cannot outlive the request",
        )),
        Type::ImplTrait(_) => Err(syn::Error::new(
            ty.span(),
            "action parameters need a concrete type: the server decodes them from the request",
        )),
        _ => Ok(Kind::Positional),
    }
}

fn expand_fn(f: ItemFn, limits: &Limits) -> TokenStream2 {
    match try_expand_fn(&f, limits) {
        Ok(tokens) => tokens,
        Err(e) => {
            let err = e.to_compile_error();
            quote! { #f #err }
        }
    }
}

fn try_expand_fn(f: &ItemFn, limits: &Limits) -> syn::Result<TokenStream2> {
    let sig = &f.sig;
    if sig.asyncness.is_none() {
        return Err(syn::Error::new(sig.fn_token.span(), "a server action must be an `async fn`"));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        return Err(syn::Error::new(
            sig.generics.span(),
            "a server action cannot be generic: the server must know the concrete types it decodes",
        ));
    }
    if let ReturnType::Default = sig.output {
        return Err(syn::Error::new(
            sig.paren_token.span.close(),
            "a server action must return `Result<T, ActionError>` (use `Result<(), ActionError>` when there is no result)",
        ));
    }

    let name = &sig.ident;
    let vis = &f.vis;
    let mut decode = Vec::new();
    let mut args = Vec::new();
    // For `typescript`: the JSON arguments, and the form parameter if any.
    let mut ts_params = Vec::new();
    let mut ts_form: Option<(Type, bool)> = None;
    for (i, input) in sig.inputs.iter().enumerate() {
        let FnArg::Typed(pt) = input else {
            return Err(syn::Error::new(
                input.span(),
                "a server action is a free function; it cannot take `self`",
            ));
        };
        let ty = &*pt.ty;
        let var = format_ident!("__serac_arg{}", i);
        let label = match &*pt.pat {
            Pat::Ident(p) => p.ident.to_string(),
            _ => format!("argument {}", i + 1),
        };
        let span = ty.span();
        let kind = kind_of(ty)?;
        if limits.typescript {
            match kind {
                Kind::Positional => ts_params.push((label.clone(), ty.clone())),
                Kind::Form => ts_form = Some((ty.clone(), true)),
                Kind::FormData => ts_form = Some((ty.clone(), false)),
                Kind::PrevState => {
                    return Err(syn::Error::new(
                        ty.span(),
                        "an action exported to TypeScript cannot take `PrevState`: a client keeps its own state \
                         (React's `useActionState`); return the next state from the action instead",
                    ));
                }
                Kind::Cx | Kind::Auth => {}
            }
        }
        let get = match kind {
            Kind::Cx => quote_spanned! {span=> call.cx() },
            Kind::Form => quote_spanned! {span=> call.form()? },
            Kind::FormData => quote_spanned! {span=> call.form_data() },
            Kind::PrevState => quote_spanned! {span=> call.prev_state()? },
            Kind::Auth => quote_spanned! {span=> ::serac::__private::auth(&call).await? },
            Kind::Positional => quote_spanned! {span=> call.next_arg(#label)? },
        };
        decode.push(quote! { let #var: #ty = #get; });
        args.push(var);
    }

    let duration = match &limits.max_duration_ms {
        Some(ms) => quote! { ::core::option::Option::Some(::core::time::Duration::from_millis(#ms)) },
        None => quote! { ::core::option::Option::None },
    };
    let body_limit = match &limits.body_limit {
        Some(bytes) => quote! { ::core::option::Option::Some(#bytes) },
        None => quote! { ::core::option::Option::None },
    };
    let output_span = match &sig.output {
        ReturnType::Type(_, ty) => ty.span(),
        ReturnType::Default => Span::call_site(),
    };
    let into_result = quote_spanned! {output_span=>
        ::serac::__private::IntoActionResult::into_action_result(__serac_out)
    };
    let typescript = if limits.typescript {
        typescript_signature(f, &ts_params, ts_form.as_ref())?
    } else {
        TokenStream2::new()
    };
    let doc = format!(
        "The server action [`{name}()`](fn@{name}): `{name}::action()` is its reference for forms, buttons and components."
    );

    Ok(quote! {
        #f

        #[doc = #doc]
        #vis mod #name {
            #[allow(unused_imports)]
            use super::*;

            /// A reference to this action, for forms, buttons and components.
            #[must_use]
            pub fn action() -> ::serac::ActionRef {
                ::serac::ActionRef::new(&DEFINITION)
            }

            static DEFINITION: ::serac::__private::ActionDef = ::serac::__private::ActionDef {
                path: ::core::module_path!(),
                invoke,
                max_duration: #duration,
                body_limit: #body_limit,
            };

            #[allow(unused_mut)]
            fn invoke(mut call: ::serac::__private::Call) -> ::serac::__private::ActionFuture {
                ::std::boxed::Box::pin(async move {
                    #(#decode)*
                    call.finish()?;
                    drop(call);
                    let __serac_out = super::#name(#(#args),*).await;
                    #into_result
                })
            }

            ::serac::__private::inventory::submit! {
                ::serac::__private::Registration(&DEFINITION)
            }

            #typescript
        }
    })
}

/// The `typescript` part: a call to `serac::__private::typescript_action!`,
/// which registers the signature when serac's `typescript` feature is on and
/// is a compile error saying to turn it on otherwise.
fn typescript_signature(
    f: &ItemFn,
    params: &[(String, Type)],
    form: Option<&(Type, bool)>,
) -> syn::Result<TokenStream2> {
    if let (Some((form_ty, _)), Some((_, first))) = (form, params.first()) {
        return Err(syn::Error::new(
            first.span().join(form_ty.span()).unwrap_or_else(|| first.span()),
            "an action exported to TypeScript takes either a form (`Form<T>` or `FormData`) or JSON \
             arguments, not both: a browser sends one body",
        ));
    }
    let ReturnType::Type(_, output) = &f.sig.output else {
        return Ok(TokenStream2::new());
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
    let form = match form {
        Some((ty, true)) => {
            let inner = form_inner(ty);
            quote! { typed(#inner) }
        }
        Some((_, false)) => quote! { form_data },
        None => quote! { no_form },
    };
    Ok(quote! {
        ::serac::__private::typescript_action! {
            definition = DEFINITION,
            docs = #docs,
            params = [ #( (#labels, #types) ),* ],
            form = #form,
            output = #output
        }
    })
}

/// `T` of `Form<T>`.
fn form_inner(ty: &Type) -> TokenStream2 {
    if let Type::Path(p) = ty {
        if let Some(syn::PathArguments::AngleBracketed(args)) = p.path.segments.last().map(|s| &s.arguments) {
            if let Some(syn::GenericArgument::Type(inner)) = args.args.first() {
                return quote! { #inner };
            }
        }
    }
    quote_spanned! {ty.span()=> ::core::compile_error!("write the form parameter as `Form<T>`") }
}
