//! `#[derive(serac::Constraints)]`: reads the `#[garde(…)]` rules of a
//! form struct's fields at compile time (garde has no reflection) and writes
//! `serac::validate::Constraints`, which gives each input its HTML
//! constraint attributes and its messages.
//!
//! Only syntax is read: the rules that have an HTML equivalent (`required`,
//! `length`, `range`, `email`, `url`, `phone_number`), the
//! input's name from serde (`rename`, `rename_all`, `skip`, `default`), and
//! `#[serac(message = "…")]`. Every other rule is left to garde, which also
//! reports a malformed `#[garde(…)]` itself.

use proc_macro2::TokenStream as TokenStream2;
use quote::{quote, quote_spanned};
use syn::ext::IdentExt as _;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned as _;
use syn::{Attribute, Data, DeriveInput, Expr, Fields, LitStr, Meta, Path, Token, Type};

pub(crate) fn derive(input: DeriveInput) -> syn::Result<TokenStream2> {
    let mut krate: Path = syn::parse_quote!(::serac);
    let mut rename_all = None;
    for attr in &input.attrs {
        if attr.path().is_ident("serac") {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("crate") {
                    let path: LitStr = meta.value()?.parse()?;
                    krate = path.parse()?;
                    Ok(())
                } else {
                    Err(meta.error(
                        "unknown setting: #[serac] on the struct accepts `crate = \"path::to::serac\"`",
                    ))
                }
            })?;
        } else if attr.path().is_ident("serde") {
            for meta in nested(attr) {
                if let Meta::NameValue(nv) = &meta {
                    if nv.path.is_ident("rename_all") {
                        rename_all = string(&nv.value);
                    }
                } else if let Meta::List(list) = &meta {
                    if list.path.is_ident("rename_all") {
                        rename_all = deserialize_name(list);
                    }
                }
            }
        }
    }

    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new(
            input.ident.span(),
            "#[derive(serac::Constraints)] goes on a struct with named fields: each field is one input of the form",
        ));
    };
    let Fields::Named(named) = &data.fields else {
        return Err(syn::Error::new(
            data.fields.span(),
            "#[derive(serac::Constraints)] needs named fields: each field is one input of the form, named after it",
        ));
    };

    let mut fields = Vec::new();
    let mut errors: Option<syn::Error> = None;
    for field in &named.named {
        match one_field(field, rename_all.as_deref(), &krate) {
            Ok(Some(tokens)) => fields.push(tokens),
            Ok(None) => {}
            Err(e) => match &mut errors {
                Some(all) => all.combine(e),
                None => errors = Some(e),
            },
        }
    }
    if let Some(errors) = errors {
        return Err(errors);
    }

    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    Ok(quote! {
        #krate::__private::with_garde! {
            impl #impl_generics #krate::validate::Constraints for #ident #ty_generics #where_clause {
                fn fields() -> ::std::vec::Vec<#krate::validate::FieldConstraints> {
                    ::std::vec![ #(#fields),* ]
                }
            }
        }
    })
}

/// The constraints of one field, or `None` for a field serde never reads.
fn one_field(
    field: &syn::Field,
    rename_all: Option<&str>,
    krate: &Path,
) -> syn::Result<Option<TokenStream2>> {
    let Some(ident) = &field.ident else { return Ok(None) };
    let rust_name = ident.unraw().to_string();
    let mut name = rename_all.map_or_else(|| rust_name.clone(), |rule| renamed(&rust_name, rule));
    // garde reports a field under its Rust name, as written (its `rename`
    // is parsed but not used by garde 0.22).
    let path = ident.to_string();
    let mut message: Option<LitStr> = None;
    let mut has_default = false;
    let mut rules = Vec::new();
    let (kind, optional) = kind_of(&field.ty);

    for attr in &field.attrs {
        if attr.path().is_ident("serac") {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("message") {
                    let text: LitStr = meta.value()?.parse()?;
                    if text.value().trim().is_empty() {
                        return Err(syn::Error::new(text.span(), "a message for people cannot be empty"));
                    }
                    message = Some(text);
                    Ok(())
                } else {
                    Err(meta.error(
                        "unknown setting: #[serac] on a field accepts `message = \"…\"`, the message people see \
                         when a rule of the field fails",
                    ))
                }
            })?;
        } else if attr.path().is_ident("serde") {
            for meta in nested(attr) {
                match &meta {
                    Meta::Path(p)
                        if p.is_ident("skip")
                            || p.is_ident("skip_deserializing")
                            || p.is_ident("flatten") =>
                    {
                        return Ok(None);
                    }
                    Meta::Path(p) if p.is_ident("default") => has_default = true,
                    Meta::NameValue(nv) if nv.path.is_ident("default") => has_default = true,
                    Meta::NameValue(nv) if nv.path.is_ident("rename") => {
                        if let Some(n) = string(&nv.value) {
                            name = n;
                        }
                    }
                    Meta::List(list) if list.path.is_ident("rename") => {
                        if let Some(n) = deserialize_name(list) {
                            name = n;
                        }
                    }
                    _ => {}
                }
            }
        } else if attr.path().is_ident("garde") {
            for meta in nested(attr) {
                let span = meta.span();
                match &meta {
                    Meta::Path(p) if p.is_ident("required") => {
                        rules.push(quote_spanned! {span=> .__required() });
                    }
                    Meta::Path(p) if p.is_ident("email") => {
                        rules.push(quote_spanned! {span=> .__input_type("email") });
                    }
                    Meta::Path(p) if p.is_ident("url") => {
                        rules.push(quote_spanned! {span=> .__input_type("url") });
                    }
                    Meta::Path(p) if p.is_ident("phone_number") => {
                        rules.push(quote_spanned! {span=> .__input_type("tel") });
                    }
                    Meta::List(list) if list.path.is_ident("length") => {
                        let (min, max) = bounds(list);
                        let min = option(min.map(|e| quote! { #e }));
                        let max = option(max.map(|e| quote! { #e }));
                        rules.push(quote_spanned! {span=> .__length(#min, #max) });
                    }
                    Meta::List(list) if list.path.is_ident("range") => {
                        let (min, max) = bounds(list);
                        let text = |e: Expr| quote! { ::std::string::ToString::to_string(&(#e)) };
                        let min = option(min.map(text));
                        let max = option(max.map(text));
                        rules.push(quote_spanned! {span=> .__range(#min, #max) });
                    }
                    _ => {}
                }
            }
        }
    }

    // A number that is not optional must be typed in: empty does not parse.
    if !optional && !has_default && matches!(kind, Kind::Integer | Kind::Decimal) {
        rules.insert(0, quote! { .__required() });
    }
    let message = message.map(|m| quote! { .__message(#m) });
    let kind = match kind {
        Kind::Text => quote! { Text },
        Kind::Items => quote! { Items },
        Kind::Integer => quote! { Integer },
        Kind::Decimal => quote! { Decimal },
        Kind::Flag => quote! { Flag },
    };
    Ok(Some(quote! {
        #krate::validate::FieldConstraints::__new(#name, #path, #krate::validate::FieldKind::#kind)
            #(#rules)* #message
    }))
}

/// The comma-separated items of `#[name(…)]`, or none when they do not
/// parse (the attribute's own derive reports that).
fn nested(attr: &Attribute) -> Vec<Meta> {
    attr.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
        .map(|items| items.into_iter().collect())
        .unwrap_or_default()
}

/// `min` and `max` of `length(…)` or `range(…)`; `equal = n` is both.
fn bounds(list: &syn::MetaList) -> (Option<Expr>, Option<Expr>) {
    let (mut min, mut max) = (None, None);
    let items = list.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated).unwrap_or_default();
    for item in items {
        if let Meta::NameValue(nv) = item {
            if nv.path.is_ident("min") {
                min = Some(nv.value);
            } else if nv.path.is_ident("max") {
                max = Some(nv.value);
            } else if nv.path.is_ident("equal") {
                min = Some(nv.value.clone());
                max = Some(nv.value);
            }
        }
    }
    (min, max)
}

fn option(value: Option<TokenStream2>) -> TokenStream2 {
    match value {
        Some(v) => quote! { ::core::option::Option::Some(#v) },
        None => quote! { ::core::option::Option::None },
    }
}

fn string(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value()),
        _ => None,
    }
}

/// `rename(deserialize = "…")`: the name serde reads.
fn deserialize_name(list: &syn::MetaList) -> Option<String> {
    let items = list.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated).ok()?;
    items.into_iter().find_map(|item| match item {
        Meta::NameValue(nv) if nv.path.is_ident("deserialize") => string(&nv.value),
        _ => None,
    })
}

/// A snake_case field name under serde's `rename_all` rule.
fn renamed(field: &str, rule: &str) -> String {
    let words: Vec<&str> = field.split('_').filter(|w| !w.is_empty()).collect();
    let capitalised = |w: &str| {
        let mut c = w.chars();
        c.next().map(|f| f.to_uppercase().chain(c).collect::<String>()).unwrap_or_default()
    };
    match rule {
        "lowercase" => field.to_lowercase(),
        "UPPERCASE" => field.to_uppercase(),
        "PascalCase" => words.iter().map(|w| capitalised(w)).collect(),
        "camelCase" => words
            .iter()
            .enumerate()
            .map(|(i, w)| if i == 0 { (*w).to_string() } else { capitalised(w) })
            .collect(),
        "SCREAMING_SNAKE_CASE" => field.to_uppercase(),
        "kebab-case" => field.replace('_', "-"),
        "SCREAMING-KEBAB-CASE" => field.replace('_', "-").to_uppercase(),
        _ => field.to_string(),
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Text,
    Items,
    Integer,
    Decimal,
    Flag,
}

/// What the field's type holds, under an `Option`, and whether it is one.
fn kind_of(ty: &Type) -> (Kind, bool) {
    let Some((name, inner)) = last_segment(ty) else { return (Kind::Text, false) };
    if name == "Option" {
        return (inner.map_or(Kind::Text, |t| kind_of(t).0), true);
    }
    let kind = match name.as_str() {
        "Vec" | "VecDeque" | "HashSet" | "BTreeSet" | "IndexSet" | "SmallVec" => Kind::Items,
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" | "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => {
            Kind::Integer
        }
        "f32" | "f64" => Kind::Decimal,
        "bool" => Kind::Flag,
        _ => Kind::Text,
    };
    (kind, false)
}

/// The last segment's name of a path type, and its first type argument.
fn last_segment(ty: &Type) -> Option<(String, Option<&Type>)> {
    let Type::Path(path) = ty else { return None };
    let segment = path.path.segments.last()?;
    let inner = match &segment.arguments {
        syn::PathArguments::AngleBracketed(args) => args.args.iter().find_map(|a| match a {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        }),
        _ => None,
    };
    Some((segment.ident.to_string(), inner))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_rename_rules_apply_to_snake_case_fields() {
        assert_eq!(renamed("due_date", "camelCase"), "dueDate");
        assert_eq!(renamed("due_date", "PascalCase"), "DueDate");
        assert_eq!(renamed("due_date", "kebab-case"), "due-date");
        assert_eq!(renamed("due_date", "SCREAMING_SNAKE_CASE"), "DUE_DATE");
        assert_eq!(renamed("due_date", "SCREAMING-KEBAB-CASE"), "DUE-DATE");
        assert_eq!(renamed("due_date", "lowercase"), "due_date");
    }

    #[test]
    fn kinds_are_read_through_options() {
        let kind = |ty: &str| {
            let (k, optional) = kind_of(&syn::parse_str(ty).expect("type"));
            (k as u8, optional)
        };
        assert_eq!(kind("String"), (Kind::Text as u8, false));
        assert_eq!(kind("Option<u32>"), (Kind::Integer as u8, true));
        assert_eq!(kind("std::vec::Vec<String>"), (Kind::Items as u8, false));
        assert_eq!(kind("f64"), (Kind::Decimal as u8, false));
        assert_eq!(kind("bool"), (Kind::Flag as u8, false));
    }
}
