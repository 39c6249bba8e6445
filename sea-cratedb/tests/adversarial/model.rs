//! Surfaces of the models: `update_changed` keys and values (from row data) and, compile-time,
//! the derive's attributes, checked through the generated model's SQL and metadata.

#[cfg(not(feature = "macros"))]
pub(crate) fn cases() -> Vec<super::Case> {
    Vec::new()
}

#[cfg(feature = "macros")]
pub(crate) use derived::cases;

#[cfg(feature = "macros")]
mod derived {
    use sea_cratedb::{
        ChangeSet, CheckedSchema, CrateDbQueryBuilder, CrateModel, KeyedModel, Model, ModelColumn,
    };
    use serde_json::json;

    use super::super::{Case, Pairs, Render, Token, check_payload};

    #[derive(CrateModel, Clone)]
    #[cratedb(table = "docs")]
    struct Doc {
        #[cratedb(primary_key)]
        id: String,
        #[cratedb(object)]
        meta: serde_json::Value,
    }

    fn changed(before: serde_json::Value, after: serde_json::Value) -> Render {
        let before = Doc {
            id: "k".into(),
            meta: before,
        };
        let after = Doc {
            meta: after,
            ..before.clone()
        };
        let update = after.update_changed(&before).expect("the object changed");
        Render::query(&update, update.to_string(CrateDbQueryBuilder))
    }

    pub(crate) fn cases() -> Vec<Case> {
        vec![
            ("update_changed: added key", Token::Literal, |p| {
                changed(json!({}), json!({ p: 1 }))
            }),
            ("update_changed: removed key", Token::Literal, |p| {
                changed(json!({ p: 1 }), json!({}))
            }),
            ("update_changed: nested key", Token::Literal, |p| {
                changed(json!({ "a": { p: 1 } }), json!({ "a": { p: 2 } }))
            }),
            ("update_changed: value", Token::Literal, |p| {
                changed(json!({ "a": 1 }), json!({ "a": p }))
            }),
            ("ChangeSet::set_path key", Token::Literal, |p| {
                let changes = ChangeSet::<Doc>::new().set_path(DocColumn::Meta, [p], 1);
                let update = Doc::update_fields("k".into(), changes);
                Render::query(&update, update.to_string(CrateDbQueryBuilder))
            }),
            ("ChangeSet::set value (inline)", Token::Literal, |p| {
                let changes = ChangeSet::<Doc>::new().set(DocColumn::Id, p);
                let update = Doc::update_fields("k".into(), changes);
                Render::query(&update, update.to_string(CrateDbQueryBuilder))
            }),
        ]
    }

    /// Declares a model in module `$m` whose table, schema, partition column (also renamed
    /// primary-key column), `WITH` parameter name and value are the given literals.
    macro_rules! model {
        ($m:ident, $table:tt, $schema:tt, $column:tt, $key:tt, $value:tt) => {
            mod $m {
                use sea_cratedb::CrateModel;

                #[derive(CrateModel, Clone)]
                #[cratedb(
                                                                    table = $table,
                                                                    schema = $schema,
                                                                    partitioned_by($column),
                                                                    with($key = $value)
                                                                )]
                pub(super) struct Row {
                    #[cratedb(primary_key)]
                    pub(super) id: String,
                    #[cratedb(primary_key, rename = $column)]
                    pub(super) part: String,
                    pub(super) body: Option<String>,
                }
            }
        };
    }

    model!(
        benign,
        "benign_table",
        "benign_schema",
        "benign_column",
        "benign.key",
        "benign_value"
    );
    model!(
        table1,
        "x\"; DROP TABLE t; --",
        "benign_schema",
        "benign_column",
        "benign.key",
        "benign_value"
    );
    model!(
        table2,
        "a' OR '1'='1 /* $1 ?",
        "benign_schema",
        "benign_column",
        "benign.key",
        "benign_value"
    );
    model!(
        schema1,
        "benign_table",
        "x\"; DROP TABLE t; --",
        "benign_column",
        "benign.key",
        "benign_value"
    );
    model!(
        schema2,
        "benign_table",
        "[\\] $1 -- ?",
        "benign_column",
        "benign.key",
        "benign_value"
    );
    model!(
        column1,
        "benign_table",
        "benign_schema",
        "x\"] = 1 --",
        "benign.key",
        "benign_value"
    );
    model!(
        column2,
        "benign_table",
        "benign_schema",
        "it's /* $1 \\",
        "benign.key",
        "benign_value"
    );
    model!(
        key1,
        "benign_table",
        "benign_schema",
        "benign_column",
        "select",
        "benign_value"
    );
    model!(
        key2,
        "benign_table",
        "benign_schema",
        "benign_column",
        "x\" = 1) --",
        "benign_value"
    );
    model!(
        value1,
        "benign_table",
        "benign_schema",
        "benign_column",
        "benign.key",
        "x' ; DROP TABLE t; --"
    );
    model!(
        value2,
        "benign_table",
        "benign_schema",
        "benign_column",
        "benign.key",
        "\\"
    );
    model!(
        value3,
        "benign_table",
        "benign_schema",
        "benign_column",
        "benign.key",
        "a\u{202e}b\u{0}c"
    );

    /// Every statement a model generates, each through both renders.
    macro_rules! renders {
        ($m:ident) => {{
            use $m::Row;
            let row = Row {
                id: "i".into(),
                part: "p".into(),
                body: Some("b".into()),
            };
            let create = Row::create_table();
            vec![
                Render::schema(
                    create.to_string(CrateDbQueryBuilder),
                    create.try_to_string(),
                ),
                Render::query(&row.insert(), row.insert().to_string(CrateDbQueryBuilder)),
                Render::query(&row.upsert(), row.upsert().to_string(CrateDbQueryBuilder)),
                Render::query(&row.update(), row.update().to_string(CrateDbQueryBuilder)),
                Render::query(&row.delete(), row.delete().to_string(CrateDbQueryBuilder)),
                Render::query(&Row::select(), Row::select().to_string(CrateDbQueryBuilder)),
            ]
        }};
    }

    /// The name or value of the model's second column (the renamed one).
    fn column<C: ModelColumn>(columns: &[C]) -> &'static str {
        columns[1].name()
    }

    /// One model per attribute and payload, each with the statements it generates.
    #[allow(clippy::too_many_lines)] // one table of cases
    fn derive_cases() -> Vec<(&'static str, Token, &'static str, &'static str, Vec<Render>)> {
        let (ident, setting, literal) = (Token::Identifier, Token::Setting, Token::Literal);
        let schema = |s: Option<&'static str>| s.expect("a schema");
        // The generated metadata must be the attribute, and render as one token.
        vec![
            (
                "derive: table",
                ident,
                "benign_table",
                table1::Row::TABLE,
                renders!(table1),
            ),
            (
                "derive: table",
                ident,
                "benign_table",
                table2::Row::TABLE,
                renders!(table2),
            ),
            (
                "derive: schema",
                ident,
                "benign_schema",
                schema(schema1::Row::SCHEMA),
                renders!(schema1),
            ),
            (
                "derive: schema",
                ident,
                "benign_schema",
                schema(schema2::Row::SCHEMA),
                renders!(schema2),
            ),
            (
                "derive: column (rename, partitioned_by)",
                ident,
                "benign_column",
                column(column1::Row::COLUMNS),
                renders!(column1),
            ),
            (
                "derive: column (rename, partitioned_by)",
                ident,
                "benign_column",
                column(column2::Row::COLUMNS),
                renders!(column2),
            ),
            (
                "derive: with parameter name",
                setting,
                "benign.key",
                "select",
                renders!(key1),
            ),
            (
                "derive: with parameter name",
                setting,
                "benign.key",
                "x\" = 1) --",
                renders!(key2),
            ),
            (
                "derive: with parameter value",
                literal,
                "benign_value",
                "x' ; DROP TABLE t; --",
                renders!(value1),
            ),
            (
                "derive: with parameter value",
                literal,
                "benign_value",
                "\\",
                renders!(value2),
            ),
            (
                "derive: with parameter value",
                literal,
                "benign_value",
                "a\u{202e}b\u{0}c",
                renders!(value3),
            ),
        ]
    }

    #[test]
    fn derive_attributes_are_one_token_each() {
        let benign = renders!(benign);
        let mut pairs = Pairs::open();
        let mut check = |surface: &'static str,
                         token: Token,
                         benign_payload: &str,
                         payload: &str,
                         made: Vec<Render>| {
            for (benign, render) in benign.iter().zip(made) {
                let benign_sql = benign.unchecked.clone().expect("an unchecked render");
                if !benign_sql.contains(&token.render(benign_payload)) {
                    // The attribute does not appear in this statement (WITH is DDL only).
                    assert_eq!(render.unchecked.as_ref(), Some(&benign_sql), "{surface}");
                    continue;
                }
                check_payload(
                    &mut pairs,
                    (surface, token, benign_payload),
                    payload,
                    &benign_sql,
                    render,
                );
            }
        };
        let table = derive_cases();
        assert_eq!(table1::Row::TABLE, "x\"; DROP TABLE t; --");
        assert_eq!(column(column2::Row::COLUMNS), "it's /* $1 \\");
        for (surface, token, benign_payload, payload, made) in table {
            check(surface, token, benign_payload, payload, made);
        }
        pairs.finish();
    }
}
