//! `#[derive(CrateModel)]`.

use heck::ToSnakeCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Data, DeriveInput, LitStr, spanned::Spanned};

use crate::{
    attr::{Errors, ParamLit, StructAttrs, Target, parse_struct_attrs},
    column::{Column, columns},
    ty::Category,
};

pub(crate) fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let mut errors = Errors::default();
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new(
            input.ident.span(),
            "CrateModel can only be derived for a struct with named fields",
        ));
    };
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new(
            input.generics.span(),
            "CrateModel does not support generic structs: a table has one fixed set of column types",
        ));
    }
    let attrs = parse_struct_attrs(&input.attrs, Target::Model, &mut errors);
    for (what, name) in [("table", &attrs.table), ("schema", &attrs.schema)] {
        if let Some(name) = name {
            check_name(what, name, &mut errors);
        }
    }
    let columns = columns(&data.fields, &attrs, Target::Model, &mut errors);
    if columns.is_empty() && errors.is_empty() {
        errors.push_at(
            input.ident.span(),
            "a CrateDB table needs at least one column (every field is skipped)",
        );
    }
    let options = table_options(&attrs, &columns, &mut errors);
    let indexes = fulltext_indexes(&attrs, &columns, &mut errors);
    check_primary_key(&columns, &mut errors);
    errors.finish()?;
    Ok(generate(
        input,
        &attrs,
        &columns,
        options.as_ref(),
        &indexes,
    ))
}

/// Rejects a table or schema name CrateDB cannot hold: empty, or with a control or Unicode
/// bidirectional formatting character (the generated code quotes every name; this catches the
/// mistake at compile time instead of as a runtime error).
fn check_name(what: &str, name: &LitStr, errors: &mut Errors) {
    let value = name.value();
    if value.is_empty() || value.chars().any(crate::column::is_forbidden_char) {
        errors.push_at(
            name.span(),
            format!(
                "invalid CrateDB {what} name {value:?}: names must not be empty or contain \
                 control or bidirectional formatting characters"
            ),
        );
    }
}

/// Checks the primary-key columns (CrateDB's rules, reference §2.1).
fn check_primary_key(columns: &[Column], errors: &mut Errors) {
    for column in columns {
        let Some(span) = column.attrs.primary_key else {
            continue;
        };
        let category = column.sql_type.category;
        if !category.is_primitive() {
            errors.push_at(
                span,
                format!(
                    "column \"{}\" is {} column, which CrateDB cannot use in a primary key \
                     (OBJECT, ARRAY, GEO_POINT and GEO_SHAPE columns cannot be keys): key on a \
                     primitive column, or on a generated column computed from a sub-field",
                    column.name,
                    category.describe()
                ),
            );
        } else if column.sql_type.nullable {
            errors.push_at(
                column.ty.span(),
                "primary-key columns are NOT NULL in CrateDB: use the type without `Option`",
            );
        }
    }
}

/// Resolves a column reference by column name or field name.
fn find<'a>(columns: &'a [Column], reference: &LitStr, errors: &mut Errors) -> Option<&'a Column> {
    let wanted = reference.value();
    let found = columns
        .iter()
        .find(|c| c.name == wanted)
        .or_else(|| columns.iter().find(|c| c.ident == wanted.as_str()));
    if found.is_none() {
        errors.push_at(
            reference.span(),
            format!("no column \"{wanted}\" in this struct (give a column or field name)"),
        );
    }
    found
}

/// The `TableOptions` expression (or `None` without options), after checking the
/// `PARTITIONED BY` / `CLUSTERED BY` rules.
fn table_options(
    attrs: &StructAttrs,
    columns: &[Column],
    errors: &mut Errors,
) -> Option<TokenStream> {
    let has_key = columns.iter().any(|c| c.attrs.primary_key.is_some());
    let mut calls = Vec::new();

    let clustered = attrs
        .clustered_by
        .as_ref()
        .and_then(|r| find(columns, r, errors));
    let mut partitions = Vec::new();
    for reference in &attrs.partitioned_by {
        let Some(column) = find(columns, reference, errors) else {
            continue;
        };
        let name = &column.name;
        if has_key && column.attrs.primary_key.is_none() {
            errors.push_at(
                reference.span(),
                format!(
                    "partition column \"{name}\" must be part of the primary key (CrateDB requires \
                     every PARTITIONED BY column in the primary key): add \
                     `#[cratedb(primary_key)]` to field `{}`",
                    column.ident
                ),
            );
        }
        if !column.sql_type.category.is_primitive() {
            errors.push_at(
                reference.span(),
                format!(
                    "partition column \"{name}\" is {} column: CrateDB partitions by primitive \
                     columns only",
                    column.sql_type.category.describe()
                ),
            );
        }
        if column.attrs.index_off.is_some() || column.attrs.fulltext.is_some() {
            errors.push_at(
                reference.span(),
                format!(
                    "partition column \"{name}\" must keep its plain index (no `index_off`, no \
                     `fulltext`)"
                ),
            );
        }
        if clustered.is_some_and(|c| c.name == column.name) {
            errors.push_at(
                reference.span(),
                format!(
                    "column \"{name}\" cannot be both the CLUSTERED BY and a PARTITIONED BY column"
                ),
            );
        }
        partitions.push(column.name.clone());
    }
    if !partitions.is_empty() {
        calls.push(quote!(.partitioned_by([#(#partitions),*])));
    }
    if let (Some(column), Some(reference)) = (clustered, &attrs.clustered_by) {
        if has_key && column.attrs.primary_key.is_none() {
            errors.push_at(
                reference.span(),
                format!(
                    "CLUSTERED BY column \"{}\" must be part of the primary key: add \
                     `#[cratedb(primary_key)]` to field `{}`",
                    column.name, column.ident
                ),
            );
        }
        let name = &column.name;
        calls.push(quote!(.clustered_by(#name)));
    }
    if let Some(shards) = &attrs.shards {
        calls.push(quote!(.shards(#shards)));
    }
    if let Some((replicas, _)) = &attrs.replicas {
        calls.push(quote!(.param("number_of_replicas", #replicas)));
    }
    if let Some((policy, _)) = &attrs.column_policy {
        calls.push(quote!(.param("column_policy", #policy)));
    }
    for (name, value) in &attrs.with {
        let value = match value {
            ParamLit::Int(v) => quote!(::sea_cratedb::ParamValue::Int(#v)),
            ParamLit::Float(v) => quote!(::sea_cratedb::ParamValue::Float(#v)),
            ParamLit::Bool(v) => quote!(::sea_cratedb::ParamValue::Bool(#v)),
            ParamLit::Text(v) => {
                quote!(::sea_cratedb::ParamValue::Text(::std::string::String::from(#v)))
            }
        };
        calls.push(quote!(.param(#name, #value)));
    }
    (!calls.is_empty()).then(|| quote!(::sea_cratedb::TableOptions::new() #(#calls)*))
}

/// The `FulltextIndex` expressions of `fulltext_index(...)`: each column resolved by column or
/// field name; `"obj.key.sub"` becomes the sub-column path `"obj"['key']['sub']` of an OBJECT
/// column (names cannot contain `.`, so the split is unambiguous).
fn fulltext_indexes(
    attrs: &StructAttrs,
    columns: &[Column],
    errors: &mut Errors,
) -> Vec<TokenStream> {
    let mut indexes = Vec::new();
    for index in &attrs.fulltext_indexes {
        check_name("index", &index.name, errors);
        let mut calls = Vec::new();
        for reference in &index.columns {
            let text = reference.value();
            let mut parts = text.split('.');
            let head = LitStr::new(parts.next().unwrap_or_default(), reference.span());
            let keys: Vec<&str> = parts.collect();
            let Some(column) = find(columns, &head, errors) else {
                continue;
            };
            let name = &column.name;
            if keys.is_empty() {
                calls.push(quote!(.column(#name)));
            } else if column.sql_type.category != Category::Object {
                errors.push_at(
                    reference.span(),
                    format!(
                        "\"{text}\" names a sub-column, but \"{name}\" is not an OBJECT column"
                    ),
                );
            } else if keys.iter().any(|key| key.is_empty()) {
                errors.push_at(reference.span(), format!("empty key in \"{text}\""));
            } else {
                calls.push(quote!(.column(::sea_cratedb::expr::path(#name, [#(#keys),*]))));
            }
        }
        if let Some(analyzer) = &index.analyzer {
            calls.push(quote!(.analyzer(#analyzer)));
        }
        let name = &index.name;
        indexes.push(quote!(::sea_cratedb::FulltextIndex::new(#name) #(#calls)*));
    }
    indexes
}

fn generate(
    input: &DeriveInput,
    attrs: &StructAttrs,
    columns: &[Column],
    options: Option<&TokenStream>,
    indexes: &[TokenStream],
) -> TokenStream {
    let ident = &input.ident;
    let vis = &input.vis;
    let enum_ident = format_ident!("{}Column", ident);
    let table = attrs
        .table
        .as_ref()
        .map_or_else(|| ident.to_string().to_snake_case(), LitStr::value);
    let schema = attrs.schema.as_ref().map_or_else(
        || quote!(::core::option::Option::None),
        |schema| quote!(::core::option::Option::Some(#schema)),
    );

    let variants: Vec<_> = columns.iter().map(|c| &c.variant).collect();
    let variant_docs = columns.iter().map(|c| format!("Column `\"{}\"`.", c.name));
    let names = columns.iter().map(|c| &c.name);
    let insert_variants = columns
        .iter()
        .filter(|c| !c.is_generated())
        .map(|c| &c.variant);
    let insert_values = columns
        .iter()
        .filter(|c| !c.is_generated())
        .map(Column::self_value);
    // Generated columns cannot have a DEFAULT (a compile error), so these are insert columns.
    let defaults = columns.iter().filter_map(|c| {
        let variant = &c.variant;
        c.attrs
            .default
            .as_ref()
            .map(|sql| quote!((#enum_ident::#variant, #sql)))
    });
    let column_defs = columns.iter().map(Column::column_def);
    let key: Vec<&Column> = columns
        .iter()
        .filter(|c| c.attrs.primary_key.is_some())
        .collect();
    let primary_key = (!key.is_empty()).then(|| {
        let key_variants = key.iter().map(|c| &c.variant);
        quote! {
            table.primary_key(
                ::sea_cratedb::sea_query::Index::create()
                    #(.col(#enum_ident::#key_variants))*
            );
        }
    });
    let options = options
        .map(|options| quote!(::sea_cratedb::CrateTableExt::crate_options(&mut table, #options);));
    let keyed = keyed_impl(ident, &enum_ident, &key);
    let enum_doc = format!("The columns of [`{ident}`] (generated by `CrateModel`).");

    quote! {
        #[doc = #enum_doc]
        #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::marker::Copy,
                 ::core::cmp::PartialEq, ::core::cmp::Eq, ::core::hash::Hash)]
        #vis enum #enum_ident {
            #(#[doc = #variant_docs] #variants,)*
        }

        impl ::sea_cratedb::ModelColumn for #enum_ident {
            fn name(self) -> &'static str {
                match self {
                    #(Self::#variants => #names,)*
                }
            }
        }

        impl ::sea_cratedb::sea_query::Iden for #enum_ident {
            fn quoted(&self) -> ::std::borrow::Cow<'static, str> {
                ::sea_cratedb::sea_query::Iden::quoted(&::sea_cratedb::ModelColumn::name(*self))
            }

            fn unquoted(&self) -> &str {
                ::sea_cratedb::ModelColumn::name(*self)
            }
        }

        impl ::sea_cratedb::Model for #ident {
            type Column = #enum_ident;
            const TABLE: &'static str = #table;
            const SCHEMA: ::core::option::Option<&'static str> = #schema;
            const COLUMNS: &'static [#enum_ident] = &[#(#enum_ident::#variants),*];
            const INSERT_COLUMNS: &'static [#enum_ident] = &[#(#enum_ident::#insert_variants),*];
            const COLUMN_DEFAULTS: &'static [(#enum_ident, &'static str)] = &[#(#defaults),*];

            fn create_table() -> ::sea_cratedb::sea_query::TableCreateStatement {
                let mut table = ::sea_cratedb::sea_query::Table::create();
                table.table(<Self as ::sea_cratedb::Model>::table_ref());
                #(table.col(#column_defs);)*
                #(::sea_cratedb::CrateTableExt::fulltext_index(&mut table, #indexes);)*
                #primary_key
                #options
                table
            }

            fn values(&self) -> ::std::vec::Vec<::sea_cratedb::sea_query::Value> {
                ::std::vec![#(#insert_values),*]
            }
        }

        #keyed
    }
}

fn keyed_impl(ident: &syn::Ident, enum_ident: &syn::Ident, key: &[&Column]) -> Option<TokenStream> {
    if key.is_empty() {
        return None;
    }
    let variants = key.iter().map(|c| &c.variant);
    let types = key.iter().map(|c| &c.ty);
    let fields = key.iter().map(|c| &c.ident);
    let bindings: Vec<_> = (0..key.len()).map(|i| format_ident!("key_{}", i)).collect();
    let values = key
        .iter()
        .zip(&bindings)
        .map(|(c, binding)| c.owned_value(&quote!(#binding)));
    let (key_type, clone, destructure) = if key.len() == 1 {
        let ty = &key[0].ty;
        let field = &key[0].ident;
        let binding = &bindings[0];
        (
            quote!(#ty),
            quote!(::core::clone::Clone::clone(&self.#field)),
            quote!(let #binding = key;),
        )
    } else {
        (
            quote!((#(#types),*)),
            quote!((#(::core::clone::Clone::clone(&self.#fields)),*)),
            quote!(let (#(#bindings),*) = key;),
        )
    };
    Some(quote! {
        impl ::sea_cratedb::KeyedModel for #ident {
            type PrimaryKey = #key_type;
            const PRIMARY_KEY: &'static [#enum_ident] = &[#(#enum_ident::#variants),*];

            fn primary_key(&self) -> Self::PrimaryKey {
                #clone
            }

            fn primary_key_values(
                key: Self::PrimaryKey,
            ) -> ::std::vec::Vec<::sea_cratedb::sea_query::Value> {
                #destructure
                ::std::vec![#(#values),*]
            }
        }
    })
}
