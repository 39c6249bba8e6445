//! Parsing of `#[cratedb(...)]` attributes, and of the `rename`/`skip` keys of `#[sqlx(...)]`
//! (models) and `#[serde(...)]` (objects) so that column names match what those derives read
//! and write.

use proc_macro2::Span;
use syn::{
    Attribute, Ident, LitBool, LitFloat, LitInt, LitStr, Token, meta::ParseNestedMeta,
    parenthesized, punctuated::Punctuated, spanned::Spanned,
};

/// Collects errors so that one expansion reports all of them.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(first) => first.combine(error),
            None => self.0 = Some(error),
        }
    }

    pub(crate) fn push_at(&mut self, span: Span, message: impl std::fmt::Display) {
        self.push(syn::Error::new(span, message));
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    pub(crate) fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

/// Which derive reads the attribute (objects have no keys, no generated columns).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Model,
    Object,
}

/// Attribute names CrateDB cannot honour, with the reason and the alternative.
fn rejected(name: &str) -> Option<&'static str> {
    Some(match name {
        "unique" | "unique_key" | "unique_index" => {
            "CrateDB has no UNIQUE constraints: make the column part of the primary key \
             (`#[cratedb(primary_key)]`), the only uniqueness CrateDB enforces"
        }
        "foreign_key" | "references" | "belongs_to" => {
            "CrateDB has no foreign keys: keep the referenced key in a plain column and \
             check it in the application (join on it in queries)"
        }
        "auto_increment" | "autoincrement" | "serial" | "identity" | "sequence" => {
            "CrateDB has no auto-increment, SERIAL, IDENTITY or sequences: use a TEXT primary \
             key with `default = \"gen_random_text_uuid()\"`, or generate keys in the application"
        }
        "index" | "indexes" => {
            "CrateDB indexes every column already and has no secondary indexes (CREATE INDEX): \
             remove it; use `fulltext` for a fulltext index, `index_off` to turn indexing off, \
             or `index = \"plain\"` to spell out the default plain index"
        }
        _ => return None,
    })
}

fn key_name(meta: &ParseNestedMeta<'_>) -> String {
    meta.path
        .get_ident()
        .map_or_else(|| "<path>".to_owned(), ToString::to_string)
}

/// Skips the value of a key we do not read (`k`, `k = v`, `k(...)`).
fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        let value = meta.value()?;
        while !value.is_empty() && !value.peek(Token![,]) {
            value.parse::<proc_macro2::TokenTree>()?;
        }
    } else if meta.input.peek(syn::token::Paren) {
        meta.input.parse::<proc_macro2::Group>()?;
    }
    Ok(())
}

/// `#[cratedb(fulltext_index(...))]`: a named fulltext index; a column given as `"obj.key"` is
/// the object sub-column `"obj"['key']`.
pub(crate) struct FulltextIndexAttr {
    pub(crate) name: LitStr,
    pub(crate) columns: Vec<LitStr>,
    pub(crate) analyzer: Option<LitStr>,
}

fn parse_fulltext_index(meta: &ParseNestedMeta<'_>) -> syn::Result<FulltextIndexAttr> {
    let (mut name, mut columns, mut analyzer) = (None, Vec::new(), None);
    meta.parse_nested_meta(|inner| {
        if inner.path.is_ident("name") {
            name = Some(inner.value()?.parse::<LitStr>()?);
        } else if inner.path.is_ident("columns") {
            let content;
            parenthesized!(content in inner.input);
            columns.extend(Punctuated::<LitStr, Token![,]>::parse_terminated(&content)?);
        } else if inner.path.is_ident("analyzer") {
            analyzer = Some(inner.value()?.parse::<LitStr>()?);
        } else {
            return Err(inner.error(
                "expected `name = \"…\"`, `columns(\"col\", \"object.key\", …)` or `analyzer = \"…\"`",
            ));
        }
        Ok(())
    })?;
    let Some(name) = name else {
        return Err(meta.error("`fulltext_index` needs `name = \"…\"`"));
    };
    if columns.is_empty() {
        return Err(meta.error("`fulltext_index` needs `columns(\"col\", …)`"));
    }
    Ok(FulltextIndexAttr {
        name,
        columns,
        analyzer,
    })
}

/// A literal value of a `with(...)` parameter.
pub(crate) enum ParamLit {
    Int(i64),
    Float(f64),
    Bool(bool),
    Text(String),
}

/// `#[cratedb(...)]` on the struct.
#[derive(Default)]
pub(crate) struct StructAttrs {
    pub(crate) table: Option<LitStr>,
    pub(crate) schema: Option<LitStr>,
    pub(crate) shards: Option<LitInt>,
    pub(crate) clustered_by: Option<LitStr>,
    pub(crate) partitioned_by: Vec<LitStr>,
    pub(crate) replicas: Option<(String, Span)>,
    pub(crate) with: Vec<(String, ParamLit)>,
    pub(crate) column_policy: Option<(String, Span)>,
    pub(crate) rename_all: Option<LitStr>,
    /// `fulltext_index(name = "…", columns("col", "obj.key", …), analyzer = "…")`, in order.
    pub(crate) fulltext_indexes: Vec<FulltextIndexAttr>,
    /// `rename_all` of the foreign derive (`sqlx` for models, `serde` for objects).
    pub(crate) foreign_rename_all: Option<LitStr>,
}

pub(crate) fn parse_struct_attrs(
    attrs: &[Attribute],
    target: Target,
    errors: &mut Errors,
) -> StructAttrs {
    let mut out = StructAttrs::default();
    for attr in attrs {
        if attr.path().is_ident("cratedb") {
            let result = attr.parse_nested_meta(|meta| parse_struct_key(&meta, target, &mut out));
            if let Err(error) = result {
                errors.push(error);
            }
        } else if is_foreign(attr, target) {
            // Not ours: read `rename_all` only, and ignore anything we cannot parse.
            let _ = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename_all") {
                    out.foreign_rename_all = Some(meta.value()?.parse()?);
                    Ok(())
                } else {
                    skip_value(&meta)
                }
            });
        }
    }
    out
}

fn is_foreign(attr: &Attribute, target: Target) -> bool {
    match target {
        Target::Model => attr.path().is_ident("sqlx"),
        Target::Object => attr.path().is_ident("serde"),
    }
}

fn parse_struct_key(
    meta: &ParseNestedMeta<'_>,
    target: Target,
    out: &mut StructAttrs,
) -> syn::Result<()> {
    let name = key_name(meta);
    if let Some(reason) = rejected(&name) {
        return Err(meta.error(reason));
    }
    if name == "rename_all" {
        out.rename_all = Some(meta.value()?.parse()?);
        return Ok(());
    }
    if target == Target::Object {
        return Err(meta.error(format!(
            "unknown struct attribute `{name}` for CrateObject: expected `rename_all` \
             (the object's column policy is set on the field: `#[cratedb(object(policy = \"strict\"))]`)"
        )));
    }
    match name.as_str() {
        "table" => out.table = Some(meta.value()?.parse()?),
        "schema" => out.schema = Some(meta.value()?.parse()?),
        "shards" => {
            let shards: LitInt = meta.value()?.parse()?;
            shards.base10_parse::<u32>()?;
            out.shards = Some(shards);
        }
        "clustered_by" => out.clustered_by = Some(meta.value()?.parse()?),
        "partitioned_by" => {
            if meta.input.peek(Token![=]) {
                out.partitioned_by.push(meta.value()?.parse()?);
            } else {
                let content;
                parenthesized!(content in meta.input);
                let columns = Punctuated::<LitStr, Token![,]>::parse_terminated(&content)?;
                out.partitioned_by.extend(columns);
            }
        }
        "replicas" => {
            let value = meta.value()?;
            let (text, span) = if value.peek(LitInt) {
                let lit: LitInt = value.parse()?;
                lit.base10_parse::<u32>()?;
                (lit.base10_digits().to_owned(), lit.span())
            } else {
                let lit: LitStr = value.parse()?;
                (lit.value(), lit.span())
            };
            if !valid_replicas(&text) {
                return Err(syn::Error::new(
                    span,
                    "`replicas` must be a count (`1`, \"1\"), a range (\"0-1\") or a range up to \
                     every node (\"0-all\")",
                ));
            }
            out.replicas = Some((text, span));
        }
        "column_policy" => {
            let lit: LitStr = meta.value()?.parse()?;
            let policy = lit.value().to_ascii_lowercase();
            if policy != "strict" && policy != "dynamic" {
                return Err(syn::Error::new(
                    lit.span(),
                    "a table's `column_policy` is \"strict\" (CrateDB's default) or \"dynamic\"",
                ));
            }
            out.column_policy = Some((policy, lit.span()));
        }
        "fulltext_index" => out.fulltext_indexes.push(parse_fulltext_index(meta)?),
        "with" => {
            let content;
            parenthesized!(content in meta.input);
            while !content.is_empty() {
                let key = if content.peek(LitStr) {
                    content.parse::<LitStr>()?.value()
                } else {
                    content.parse::<Ident>()?.to_string()
                };
                content.parse::<Token![=]>()?;
                let value = parse_param(&content)?;
                out.with.push((key, value));
                if content.is_empty() {
                    break;
                }
                content.parse::<Token![,]>()?;
            }
        }
        _ => {
            return Err(meta.error(format!(
                "unknown struct attribute `{name}`: expected one of `table`, `schema`, `shards`, \
                 `clustered_by`, `partitioned_by`, `replicas`, `column_policy`, `with`, \
                 `fulltext_index`, `rename_all`"
            )));
        }
    }
    Ok(())
}

fn parse_param(input: syn::parse::ParseStream<'_>) -> syn::Result<ParamLit> {
    let negative = input.peek(Token![-]);
    if negative {
        input.parse::<Token![-]>()?;
    }
    let sign = if negative { -1.0 } else { 1.0 };
    if input.peek(LitInt) {
        let lit: LitInt = input.parse()?;
        let value: i64 = lit.base10_parse()?;
        return Ok(ParamLit::Int(if negative { -value } else { value }));
    }
    if input.peek(LitFloat) {
        let lit: LitFloat = input.parse()?;
        return Ok(ParamLit::Float(sign * lit.base10_parse::<f64>()?));
    }
    if negative {
        return Err(input.error("expected a number after `-`"));
    }
    if input.peek(LitBool) {
        return Ok(ParamLit::Bool(input.parse::<LitBool>()?.value));
    }
    if input.peek(LitStr) {
        return Ok(ParamLit::Text(input.parse::<LitStr>()?.value()));
    }
    Err(input.error("expected an integer, float, boolean or string literal"))
}

fn valid_replicas(text: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match text.split_once('-') {
        None => digits(text),
        Some((min, max)) => digits(min) && (digits(max) || max == "all"),
    }
}

/// `#[cratedb(object(...))]`.
pub(crate) struct ObjectAttr {
    pub(crate) policy: Option<(String, Span)>,
    pub(crate) span: Span,
}

/// `#[cratedb(...)]` on a field.
#[derive(Default)]
pub(crate) struct FieldAttrs {
    pub(crate) primary_key: Option<Span>,
    pub(crate) rename: Option<LitStr>,
    pub(crate) column_type: Option<LitStr>,
    pub(crate) default: Option<LitStr>,
    pub(crate) generated: Option<LitStr>,
    pub(crate) check: Option<LitStr>,
    /// `fulltext` (analyzer `None`) or `fulltext(analyzer = "…")`.
    pub(crate) fulltext: Option<(Option<LitStr>, Span)>,
    pub(crate) index_off: Option<Span>,
    /// `index = "plain"`: `INDEX USING PLAIN`.
    pub(crate) index_plain: Option<Span>,
    pub(crate) columnstore_off: Option<Span>,
    pub(crate) object: Option<ObjectAttr>,
    pub(crate) skip: bool,
    /// `rename` of the foreign derive (`sqlx` / `serde`).
    pub(crate) foreign_rename: Option<LitStr>,
    /// `skip` of the foreign derive.
    pub(crate) foreign_skip: bool,
}

pub(crate) fn parse_field_attrs(
    attrs: &[Attribute],
    target: Target,
    errors: &mut Errors,
) -> FieldAttrs {
    let mut out = FieldAttrs::default();
    for attr in attrs {
        if attr.path().is_ident("cratedb") {
            let result = attr.parse_nested_meta(|meta| parse_field_key(&meta, target, &mut out));
            if let Err(error) = result {
                errors.push(error);
            }
        } else if is_foreign(attr, target) {
            let _ = attr.parse_nested_meta(|meta| parse_foreign_field_key(&meta, &mut out));
        }
    }
    out
}

/// `rename = "x"`, `rename(serialize = "x")` and `skip` / `skip_serializing` of sqlx / serde.
fn parse_foreign_field_key(meta: &ParseNestedMeta<'_>, out: &mut FieldAttrs) -> syn::Result<()> {
    if meta.path.is_ident("rename") {
        if meta.input.peek(Token![=]) {
            out.foreign_rename = Some(meta.value()?.parse()?);
        } else {
            meta.parse_nested_meta(|inner| {
                if inner.path.is_ident("serialize") {
                    out.foreign_rename = Some(inner.value()?.parse()?);
                    Ok(())
                } else {
                    skip_value(&inner)
                }
            })?;
        }
        Ok(())
    } else if meta.path.is_ident("skip") || meta.path.is_ident("skip_serializing") {
        out.foreign_skip = true;
        Ok(())
    } else {
        skip_value(meta)
    }
}

fn set_flag(slot: &mut Option<Span>, meta: &ParseNestedMeta<'_>) {
    *slot = Some(meta.path.span());
}

fn parse_field_key(
    meta: &ParseNestedMeta<'_>,
    target: Target,
    out: &mut FieldAttrs,
) -> syn::Result<()> {
    let name = key_name(meta);
    if name == "index" && meta.input.peek(Token![=]) {
        let lit: LitStr = meta.value()?.parse()?;
        if lit.value() != "plain" {
            return Err(syn::Error::new(
                lit.span(),
                "`index` takes \"plain\" (INDEX USING PLAIN): use `fulltext` for a fulltext \
                 index or `index_off` to turn indexing off",
            ));
        }
        out.index_plain = Some(lit.span());
        return Ok(());
    }
    if let Some(reason) = rejected(&name) {
        return Err(meta.error(reason));
    }
    match (name.as_str(), target) {
        ("primary_key", Target::Model) => set_flag(&mut out.primary_key, meta),
        ("generated", Target::Model) => out.generated = Some(meta.value()?.parse()?),
        ("check", Target::Model) => out.check = Some(meta.value()?.parse()?),
        ("primary_key" | "generated" | "check", Target::Object) => {
            return Err(meta.error(format!(
                "`{name}` is not supported on a sub-field of an OBJECT (CrateObject): declare \
                 it on a column of the table (CrateModel)"
            )));
        }
        ("rename", _) => out.rename = Some(meta.value()?.parse()?),
        ("column_type", _) => out.column_type = Some(meta.value()?.parse()?),
        ("default", _) => out.default = Some(meta.value()?.parse()?),
        ("fulltext", _) => {
            let mut analyzer = None;
            if meta.input.peek(syn::token::Paren) {
                meta.parse_nested_meta(|inner| {
                    if inner.path.is_ident("analyzer") {
                        analyzer = Some(inner.value()?.parse::<LitStr>()?);
                        Ok(())
                    } else {
                        Err(inner.error("expected `analyzer = \"…\"`"))
                    }
                })?;
            }
            out.fulltext = Some((analyzer, meta.path.span()));
        }
        ("index_off", _) => set_flag(&mut out.index_off, meta),
        ("columnstore_off", _) => set_flag(&mut out.columnstore_off, meta),
        ("object", _) => {
            let mut policy = None;
            if meta.input.peek(syn::token::Paren) {
                meta.parse_nested_meta(|inner| {
                    if inner.path.is_ident("policy") {
                        let lit: LitStr = inner.value()?.parse()?;
                        let value = lit.value().to_ascii_lowercase();
                        if !matches!(value.as_str(), "strict" | "dynamic" | "ignored") {
                            return Err(syn::Error::new(
                                lit.span(),
                                "an object's `policy` is \"strict\", \"dynamic\" (CrateDB's default) or \"ignored\"",
                            ));
                        }
                        policy = Some((value, lit.span()));
                        Ok(())
                    } else {
                        Err(inner.error("expected `policy = \"strict\" | \"dynamic\" | \"ignored\"`"))
                    }
                })?;
            }
            out.object = Some(ObjectAttr {
                policy,
                span: meta.path.span(),
            });
        }
        ("skip", _) => out.skip = true,
        _ => {
            let expected = match target {
                Target::Model => {
                    "`primary_key`, `rename`, `column_type`, `default`, `generated`, `check`, \
                     `fulltext`, `index_off`, `index = \"plain\"`, `columnstore_off`, `object`, \
                     `skip`"
                }
                Target::Object => {
                    "`rename`, `column_type`, `default`, `fulltext`, `index_off`, \
                     `index = \"plain\"`, `columnstore_off`, `object`, `skip`"
                }
            };
            return Err(meta.error(format!(
                "unknown field attribute `{name}`: expected one of {expected}"
            )));
        }
    }
    Ok(())
}
