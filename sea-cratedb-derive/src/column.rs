//! Fields to columns: names, types, constraints and their CrateDB rules (shared by both derives).

use heck::{
    ToKebabCase, ToLowerCamelCase, ToShoutyKebabCase, ToShoutySnakeCase, ToSnakeCase,
    ToUpperCamelCase,
};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::{Field, Fields, Ident, LitStr, Type, spanned::Spanned};

use crate::{
    attr::{Errors, FieldAttrs, StructAttrs, Target, parse_field_attrs},
    ty::{Category, ColumnType, ValueKind, column_type},
};

/// One column (a field that is not skipped).
pub(crate) struct Column {
    pub(crate) ident: Ident,
    pub(crate) ty: Type,
    pub(crate) name: String,
    pub(crate) variant: Ident,
    pub(crate) span: Span,
    pub(crate) attrs: FieldAttrs,
    pub(crate) sql_type: ColumnType,
}

impl Column {
    pub(crate) fn is_generated(&self) -> bool {
        self.attrs.generated.is_some()
    }

    /// The `ColumnDef` for this column, in a block that evaluates to it.
    pub(crate) fn column_def(&self) -> TokenStream {
        let name = &self.name;
        let type_tokens = &self.sql_type.tokens;
        let not_null = (!self.sql_type.nullable).then(|| quote!(column.not_null();));
        let default = self
            .attrs
            .default
            .as_ref()
            .map(|sql| quote!(column.default(::sea_cratedb::sea_query::Expr::cust(#sql));));
        let generated =
            self.attrs.generated.as_ref().map(
                |sql| quote!(column.generated(::sea_cratedb::sea_query::Expr::cust(#sql), true);),
            );
        let check = self
            .attrs
            .check
            .as_ref()
            .map(|sql| quote!(column.check(::sea_cratedb::sea_query::Expr::cust(#sql));));
        let fulltext = self.attrs.fulltext.as_ref().map(|(analyzer, _)| {
            let analyzer = analyzer.as_ref().map_or_else(
                || quote!(::core::option::Option::None),
                |analyzer| quote!(::core::option::Option::Some(#analyzer)),
            );
            quote!(::sea_cratedb::CrateColumnExt::fulltext(&mut column, #analyzer);)
        });
        let index_off = self
            .attrs
            .index_off
            .map(|_| quote!(::sea_cratedb::CrateColumnExt::index_off(&mut column);));
        let index_plain = self
            .attrs
            .index_plain
            .map(|_| quote!(::sea_cratedb::CrateColumnExt::index_plain(&mut column);));
        let columnstore_off = self
            .attrs
            .columnstore_off
            .map(|_| quote!(::sea_cratedb::CrateColumnExt::columnstore_off(&mut column);));
        quote! {{
            let mut column = ::sea_cratedb::sea_query::ColumnDef::new(#name);
            #type_tokens
            #not_null
            #default
            #generated
            #check
            #fulltext
            #index_off
            #index_plain
            #columnstore_off
            column
        }}
    }

    /// An expression converting `value` (an owned field value) into a sea-query `Value`.
    pub(crate) fn owned_value(&self, value: &TokenStream) -> TokenStream {
        match self.sql_type.value {
            ValueKind::Into => {
                quote!(::core::convert::Into::<::sea_cratedb::sea_query::Value>::into(#value))
            }
            ValueKind::Ip => quote!(::sea_cratedb::__private::ip(#value)),
            ValueKind::Json => quote!(::sea_cratedb::__private::json(
                ::sea_cratedb::__private::serde_json::to_value(&#value)
            )),
        }
    }

    /// An expression for this field's value of `self`.
    pub(crate) fn self_value(&self) -> TokenStream {
        let ident = &self.ident;
        match self.sql_type.value {
            ValueKind::Json => quote!(::sea_cratedb::__private::json(
                ::sea_cratedb::__private::serde_json::to_value(&self.#ident)
            )),
            _ => self.owned_value(&quote!(::core::clone::Clone::clone(&self.#ident))),
        }
    }
}

/// The columns of a struct with named fields.
pub(crate) fn columns(
    fields: &Fields,
    struct_attrs: &StructAttrs,
    target: Target,
    errors: &mut Errors,
) -> Vec<Column> {
    let Fields::Named(named) = fields else {
        errors.push_at(
            fields.span(),
            "CrateModel and CrateObject need a struct with named fields",
        );
        return Vec::new();
    };
    let rename_all = rename_all(struct_attrs, errors);
    let mut out: Vec<Column> = Vec::new();
    for field in &named.named {
        let attrs = parse_field_attrs(&field.attrs, target, errors);
        if attrs.skip || attrs.foreign_skip {
            continue;
        }
        let Some(column) = column(field, attrs, rename_all.as_ref(), target, errors) else {
            continue;
        };
        if let Some(other) = out.iter().find(|c| c.name == column.name) {
            errors.push_at(
                column.span,
                format!(
                    "column name \"{}\" is already used by field `{}`",
                    column.name, other.ident
                ),
            );
            continue;
        }
        out.push(column);
    }
    out
}

fn column(
    field: &Field,
    attrs: FieldAttrs,
    rename_all: Option<&LitStr>,
    target: Target,
    errors: &mut Errors,
) -> Option<Column> {
    let ident = field.ident.clone()?;
    let field_name = ident.to_string();
    let field_name = field_name
        .strip_prefix("r#")
        .unwrap_or(&field_name)
        .to_owned();
    let foreign = match target {
        Target::Model => "sqlx",
        Target::Object => "serde",
    };
    let name = match (&attrs.rename, &attrs.foreign_rename) {
        (Some(ours), Some(theirs)) if ours.value() != theirs.value() => {
            errors.push_at(
                ours.span(),
                format!(
                    "`#[cratedb(rename = \"{}\")]` and `#[{foreign}(rename = \"{}\")]` disagree: \
                     the column must have one name; keep `#[{foreign}(rename)]` alone (CrateModel \
                     reads it too)",
                    ours.value(),
                    theirs.value()
                ),
            );
            ours.value()
        }
        (Some(rename), _) | (None, Some(rename)) => rename.value(),
        (None, None) => match rename_all {
            Some(rule) => apply_rename_all(&field_name, &rule.value()),
            None => field_name.clone(),
        },
    };
    let span = attrs
        .rename
        .as_ref()
        .or(attrs.foreign_rename.as_ref())
        .map_or_else(|| ident.span(), LitStr::span);
    if name.is_empty()
        || name.contains('.')
        || name.starts_with('_')
        || name.chars().any(is_forbidden_char)
    {
        errors.push_at(
            span,
            format!(
                "invalid CrateDB column name {name:?}: names must not be empty, contain `.`, \
                 control or bidirectional formatting characters, or start with `_` (reserved \
                 for system columns)"
            ),
        );
        return None;
    }
    let column_type = column_type(&field.ty, &attrs, errors)?;
    let column = Column {
        variant: format_ident!("{}", field_name.to_upper_camel_case(), span = ident.span()),
        ident,
        ty: field.ty.clone(),
        name,
        span,
        attrs,
        sql_type: column_type,
    };
    check_constraints(&column, errors);
    Some(column)
}

/// The CrateDB rules on one column's constraints.
fn check_constraints(column: &Column, errors: &mut Errors) {
    let attrs = &column.attrs;
    let category = column.sql_type.category;
    if let (Some(default), Some(_)) = (&attrs.default, &attrs.generated) {
        errors.push_at(
            default.span(),
            "a column cannot have both `default` and `generated`: a generated column always \
             takes its computed value",
        );
    }
    if let Some(default) = &attrs.default
        && category == Category::Object
    {
        errors.push_at(
            default.span(),
            "CrateDB does not allow DEFAULT on OBJECT columns: put defaults on the sub-fields \
             (`#[cratedb(default = \"…\")]` in the nested CrateObject struct)",
        );
    }
    if let Some((_, span)) = &attrs.fulltext {
        if attrs.index_off.is_some() {
            errors.push_at(
                *span,
                "`fulltext` and `index_off` exclude each other: a column has one index (or none)",
            );
        } else if !matches!(category, Category::Text | Category::Array) {
            errors.push_at(
                *span,
                "only TEXT columns can have a fulltext index (`fulltext`): use a `String` field \
                 (or `column_type = \"TEXT\"`)",
            );
        }
    }
    if let Some(span) = attrs.index_plain
        && (attrs.fulltext.is_some() || attrs.index_off.is_some())
    {
        errors.push_at(
            span,
            "`index = \"plain\"` excludes `fulltext` and `index_off`: a column has one index \
             (or none)",
        );
    }
    if let Some(span) = attrs.index_off
        && category == Category::Object
    {
        errors.push_at(
            span,
            "`index_off` is not allowed on an OBJECT column: put it on the sub-fields (in the \
             nested CrateObject struct)",
        );
    }
    if let Some(span) = attrs.columnstore_off
        && matches!(
            category,
            Category::Object | Category::Array | Category::Geo | Category::Boolean | Category::Ip
        )
    {
        errors.push_at(
            span,
            "`columnstore_off` (STORAGE WITH (columnstore = false)) is allowed on TEXT, numeric \
             and timestamp columns only",
        );
    }
}

/// serde's and sqlx's `rename_all` rules.
const RULES: [&str; 8] = [
    "lowercase",
    "UPPERCASE",
    "PascalCase",
    "camelCase",
    "snake_case",
    "SCREAMING_SNAKE_CASE",
    "kebab-case",
    "SCREAMING-KEBAB-CASE",
];

fn rename_all(attrs: &StructAttrs, errors: &mut Errors) -> Option<LitStr> {
    let rule = match (&attrs.rename_all, &attrs.foreign_rename_all) {
        (Some(ours), Some(theirs)) if ours.value() != theirs.value() => {
            errors.push_at(
                ours.span(),
                "`#[cratedb(rename_all)]` disagrees with the `rename_all` of the other derive: \
                 keep one of them (CrateModel reads `#[sqlx(rename_all)]`, CrateObject \
                 `#[serde(rename_all)]`)",
            );
            return None;
        }
        (Some(rule), _) | (None, Some(rule)) => rule.clone(),
        (None, None) => return None,
    };
    if RULES.contains(&rule.value().as_str()) {
        Some(rule)
    } else {
        errors.push_at(
            rule.span(),
            format!(
                "unknown `rename_all` rule: expected one of {}",
                RULES.join(", ")
            ),
        );
        None
    }
}

/// serde's and sqlx's `rename_all` rules, applied to a `snake_case` field name.
fn apply_rename_all(field: &str, rule: &str) -> String {
    match rule {
        "lowercase" => field.to_lowercase(),
        "UPPERCASE" => field.to_uppercase(),
        "PascalCase" => field.to_upper_camel_case(),
        "camelCase" => field.to_lower_camel_case(),
        "snake_case" => field.to_snake_case(),
        "SCREAMING_SNAKE_CASE" => field.to_shouty_snake_case(),
        "kebab-case" => field.to_kebab_case(),
        "SCREAMING-KEBAB-CASE" => field.to_shouty_kebab_case(),
        _ => field.to_owned(),
    }
}

/// Whether `c` may not appear in a name: control characters and the Unicode bidirectional
/// formatting characters (the same rule as `sea_cratedb::InvalidName`).
pub(crate) fn is_forbidden_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}
