//! CrateDB column types inferred from Rust types (or given by `column_type` / `object`).

use proc_macro2::TokenStream;
use quote::{ToTokens, quote, quote_spanned};
use syn::{GenericArgument, PathArguments, PathSegment, Type, spanned::Spanned};

use crate::attr::{Errors, FieldAttrs, ObjectAttr};

/// What a column holds, for the CrateDB rules on keys, partitions and indexes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Category {
    Text,
    Boolean,
    Numeric,
    Timestamp,
    Ip,
    /// Another primitive type (a `column_type` such as `VARCHAR(10)` or `BIT(8)`).
    OtherPrimitive,
    Array,
    Object,
    Geo,
    /// `FLOAT_VECTOR(n)` and other non-primitive types.
    OtherComplex,
}

impl Category {
    pub(crate) fn is_primitive(self) -> bool {
        matches!(
            self,
            Self::Text
                | Self::Boolean
                | Self::Numeric
                | Self::Timestamp
                | Self::Ip
                | Self::OtherPrimitive
        )
    }

    pub(crate) fn describe(self) -> &'static str {
        match self {
            Self::Array => "an ARRAY",
            Self::Object => "an OBJECT",
            Self::Geo => "a GEO_POINT/GEO_SHAPE",
            _ => "a non-primitive",
        }
    }
}

/// How a field's value becomes a sea-query `Value`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueKind {
    /// `Into<Value>`.
    Into,
    /// `IpAddr` / `Option<IpAddr>` (as sea-query's `IpNetwork`).
    Ip,
    /// `serde_json` serialization (nested `CrateObject` structs, nested arrays).
    Json,
}

pub(crate) struct ColumnType {
    /// Statements that set the type on `column` (a `ColumnDef`).
    pub(crate) tokens: TokenStream,
    pub(crate) nullable: bool,
    pub(crate) value: ValueKind,
    pub(crate) category: Category,
}

/// The column type of a field, or `None` after reporting why it has none.
pub(crate) fn column_type(
    ty: &Type,
    attrs: &FieldAttrs,
    errors: &mut Errors,
) -> Option<ColumnType> {
    let (inner, nullable) = match strip_generic(ty, "Option") {
        Some(inner) => (inner, true),
        None => (ty, false),
    };
    if strip_generic(inner, "Option").is_some() {
        errors.push_at(
            ty.span(),
            "`Option<Option<T>>` has no CrateDB column type: use `Option<T>`",
        );
        return None;
    }
    let value_of = |ty: &Type| {
        if is_ip(ty) {
            ValueKind::Ip
        } else {
            ValueKind::Into
        }
    };

    if let Some(column_type) = &attrs.column_type {
        if let Some(object) = &attrs.object {
            errors.push_at(
                object.span,
                "`object` and `column_type` exclude each other: `object` already sets the type",
            );
            return None;
        }
        let text = column_type.value();
        let text = text.trim();
        if text.is_empty() {
            errors.push_at(column_type.span(), "`column_type` must not be empty");
            return None;
        }
        return Some(ColumnType {
            tokens: quote_spanned!(column_type.span()=> column.custom(#text);),
            nullable,
            value: value_of(inner),
            category: categorize_sql(text),
        });
    }

    if let Some(object) = &attrs.object {
        return Some(object_column_type(inner, nullable, object));
    }

    // sea-query's `Value` has no nested arrays: those are written as JSON arrays.
    let nested_array =
        strip_generic(inner, "Vec").is_some_and(|e| strip_generic(e, "Vec").is_some());
    match infer(inner) {
        Ok((crate_type, category)) => Some(ColumnType {
            tokens: quote! {
                ::sea_cratedb::CrateColumnExt::crate_type(&mut column, #crate_type);
            },
            nullable,
            value: if nested_array {
                ValueKind::Json
            } else {
                value_of(inner)
            },
            category,
        }),
        Err(error) => {
            errors.push(error);
            None
        }
    }
}

/// The type of an `object` field: `OBJECT(policy)` for JSON values, `OBJECT(policy) AS (…)`
/// from a `CrateObject` struct (an `ARRAY` of them for `Vec<S>`).
fn object_column_type(inner: &Type, nullable: bool, object: &ObjectAttr) -> ColumnType {
    let policy = match object.policy.as_ref().map(|(p, _)| p.as_str()) {
        Some("strict") => quote!(::sea_cratedb::ColumnPolicy::Strict),
        Some("ignored") => quote!(::sea_cratedb::ColumnPolicy::Ignored),
        _ => quote!(::sea_cratedb::ColumnPolicy::Dynamic),
    };
    if is_json(inner) {
        return ColumnType {
            tokens: quote! {
                ::sea_cratedb::CrateColumnExt::crate_type(
                    &mut column,
                    ::sea_cratedb::CrateType::object(#policy),
                );
            },
            nullable,
            value: ValueKind::Into,
            category: Category::Object,
        };
    }
    let (nested, array) = match strip_generic(inner, "Vec") {
        Some(element) => (element, true),
        None => (inner, false),
    };
    let nested = nested.to_token_stream();
    let object_type = quote_spanned! {nested.span()=>
        ::sea_cratedb::CrateType::from(
            <#nested as ::sea_cratedb::CrateObject>::object_type(#policy)
        )
    };
    let crate_type = if array {
        quote!(::sea_cratedb::CrateType::array(#object_type))
    } else {
        object_type
    };
    ColumnType {
        tokens: quote! {
            ::sea_cratedb::CrateColumnExt::crate_type(&mut column, #crate_type);
        },
        nullable,
        value: ValueKind::Json,
        category: if array {
            Category::Array
        } else {
            Category::Object
        },
    }
}

/// A `CrateType` expression and the category, from the Rust type alone.
fn infer(ty: &Type) -> syn::Result<(TokenStream, Category)> {
    if let Some(element) = strip_generic(ty, "Vec") {
        if last_segment(element).is_some_and(|s| s.ident == "u8") {
            return Err(syn::Error::new(
                ty.span(),
                "CrateDB has no binary column type (BYTEA/BLOB): store the bytes as base64 text \
                 in a `String` field, or in a BLOB table",
            ));
        }
        let element = strip_generic(element, "Option").unwrap_or(element);
        let (inner, _) = infer(element)?;
        return Ok((
            quote!(::sea_cratedb::CrateType::array(#inner)),
            Category::Array,
        ));
    }
    if is_json(ty) {
        return Ok((
            quote!(::sea_cratedb::CrateType::object(
                ::sea_cratedb::ColumnPolicy::Dynamic
            )),
            Category::Object,
        ));
    }
    let scalar = last_segment(ty).and_then(|segment| {
        let bare = matches!(segment.arguments, PathArguments::None);
        let name = segment.ident.to_string();
        let (variant, category) = match name.as_str() {
            "bool" if bare => ("Boolean", Category::Boolean),
            "i8" if bare => ("Byte", Category::Numeric),
            "i16" | "u8" if bare => ("SmallInt", Category::Numeric),
            "i32" | "u16" if bare => ("Integer", Category::Numeric),
            "i64" | "u32" | "u64" if bare => ("BigInt", Category::Numeric),
            "f32" if bare => ("Real", Category::Numeric),
            "f64" if bare => ("DoublePrecision", Category::Numeric),
            "String" | "Uuid" if bare => ("Text", Category::Text),
            "DateTime" => ("TimestampTz", Category::Timestamp),
            "NaiveDateTime" if bare => ("Timestamp", Category::Timestamp),
            "NaiveDate" if bare => ("Date", Category::Timestamp),
            "IpAddr" if bare => ("Ip", Category::Ip),
            _ => return None,
        };
        let variant = syn::Ident::new(variant, segment.ident.span());
        Some((quote!(::sea_cratedb::CrateType::#variant), category))
    });
    scalar.ok_or_else(|| {
        let name = ty.to_token_stream().to_string().replace(' ', "");
        syn::Error::new(
            ty.span(),
            format!(
                "cannot infer a CrateDB column type for `{name}`: add \
                 `#[cratedb(column_type = \"…\")]` (e.g. \"GEO_POINT\", \"NUMERIC(10, 2)\"), or \
                 `#[cratedb(object)]` if it is a struct deriving `CrateObject`"
            ),
        )
    })
}

/// The category of a type given as SQL text.
fn categorize_sql(text: &str) -> Category {
    let upper = text.to_ascii_uppercase();
    if upper.starts_with("ARRAY") || upper.ends_with("[]") {
        Category::Array
    } else if upper.starts_with("OBJECT") {
        Category::Object
    } else if upper.starts_with("GEO_") {
        Category::Geo
    } else if upper.starts_with("FLOAT_VECTOR") {
        Category::OtherComplex
    } else if matches!(upper.as_str(), "TEXT" | "STRING") {
        Category::Text
    } else {
        Category::OtherPrimitive
    }
}

fn last_segment(ty: &Type) -> Option<&PathSegment> {
    match ty {
        Type::Path(path) if path.qself.is_none() => path.path.segments.last(),
        Type::Group(group) => last_segment(&group.elem),
        Type::Paren(paren) => last_segment(&paren.elem),
        _ => None,
    }
}

/// `T` of `name<T>` (`Option`, `Vec`), by the last path segment.
pub(crate) fn strip_generic<'a>(ty: &'a Type, name: &str) -> Option<&'a Type> {
    let segment = last_segment(ty)?;
    if segment.ident != name {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &segment.arguments else {
        return None;
    };
    match args.args.first() {
        Some(GenericArgument::Type(inner)) if args.args.len() == 1 => Some(inner),
        _ => None,
    }
}

/// `serde_json::Value`, `Value` or `JsonValue`.
fn is_json(ty: &Type) -> bool {
    let Type::Path(path) = ty else {
        return false;
    };
    let segments: Vec<String> = path
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    match segments.as_slice() {
        [only] => only == "Value" || only == "JsonValue",
        [.., module, last] => last == "Value" && module == "serde_json",
        [] => false,
    }
}

fn is_ip(ty: &Type) -> bool {
    last_segment(ty).is_some_and(|s| s.ident == "IpAddr")
}
