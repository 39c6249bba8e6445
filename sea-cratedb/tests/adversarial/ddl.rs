//! Surfaces of sea-query's schema statements rendered by the CrateDB backend, with the
//! `CrateTableExt` / `CrateColumnExt` extensions.

use sea_cratedb::{
    CheckedSchema, ColumnPolicy, CrateColumnExt, CrateDbQueryBuilder, CrateTableExt, CrateType,
    FulltextIndex, GeoIndex, PlainIndex, TableOptions,
    sea_query::{Alias, ColumnDef, Index, Table, TableCreateStatement},
};

use super::{Case, Render, Token};

fn create(s: &TableCreateStatement) -> Render {
    Render::schema(s.to_string(CrateDbQueryBuilder), s.try_to_string())
}

fn table() -> TableCreateStatement {
    Table::create()
        .table("t")
        .col(ColumnDef::new("c").text())
        .to_owned()
}

#[allow(clippy::too_many_lines)] // one table of cases
pub(crate) fn cases() -> Vec<Case> {
    vec![
        ("create table: column", Token::Identifier, |p| {
            create(
                &Table::create()
                    .table("t")
                    .col(ColumnDef::new(Alias::new(p)).text())
                    .to_owned(),
            )
        }),
        ("create table: table", Token::Identifier, |p| {
            create(
                &Table::create()
                    .table(Alias::new(p))
                    .col(ColumnDef::new("c").text())
                    .to_owned(),
            )
        }),
        ("create table: schema", Token::Identifier, |p| {
            create(
                &Table::create()
                    .table((Alias::new(p), Alias::new("t")))
                    .col(ColumnDef::new("c").text())
                    .to_owned(),
            )
        }),
        ("create table: column default value", Token::Literal, |p| {
            create(
                &Table::create()
                    .table("t")
                    .col(ColumnDef::new("c").text().default(p))
                    .to_owned(),
            )
        }),
        ("create table: object field", Token::Identifier, |p| {
            let object =
                CrateType::object(ColumnPolicy::Strict).field(ColumnDef::new(Alias::new(p)).text());
            create(
                &Table::create()
                    .table("t")
                    .col(ColumnDef::new("o").crate_type(object))
                    .to_owned(),
            )
        }),
        ("create table: fulltext analyzer", Token::Literal, |p| {
            create(
                &Table::create()
                    .table("t")
                    .col(ColumnDef::new("c").text().fulltext(Some(p)))
                    .to_owned(),
            )
        }),
        ("create table: geo index precision", Token::Literal, |p| {
            create(
                &Table::create()
                    .table("t")
                    .col(
                        ColumnDef::new("g")
                            .crate_type(CrateType::GeoShape)
                            .geo_index(GeoIndex::Geohash, Some(p)),
                    )
                    .to_owned(),
            )
        }),
        (
            "create table: named primary key column",
            Token::Identifier,
            |p| {
                create(
                    &Table::create()
                        .table("t")
                        .col(ColumnDef::new("c").text().primary_key_named(p))
                        .to_owned(),
                )
            },
        ),
        (
            "create table: primary key constraint",
            Token::Identifier,
            |p| {
                create(
                    &table()
                        .primary_key(Index::create().name(p).col("c"))
                        .to_owned(),
                )
            },
        ),
        ("create table: primary key column", Token::Identifier, |p| {
            create(
                &Table::create()
                    .table("t")
                    .col(ColumnDef::new(Alias::new(p)).text())
                    .primary_key(Index::create().col(Alias::new(p)))
                    .to_owned(),
            )
        }),
        (
            "create table: fulltext index name",
            Token::Identifier,
            |p| {
                create(
                    &table()
                        .fulltext_index(FulltextIndex::new(Alias::new(p)).column("c"))
                        .to_owned(),
                )
            },
        ),
        (
            "create table: fulltext index column",
            Token::Identifier,
            |p| {
                create(
                    &table()
                        .fulltext_index(FulltextIndex::new("ft").column(Alias::new(p)))
                        .to_owned(),
                )
            },
        ),
        (
            "create table: fulltext index analyzer",
            Token::Literal,
            |p| {
                create(
                    &table()
                        .fulltext_index(FulltextIndex::new("ft").column("c").analyzer(p))
                        .to_owned(),
                )
            },
        ),
        ("create table: plain index name", Token::Identifier, |p| {
            create(
                &table()
                    .plain_index(PlainIndex::new(Alias::new(p)).column("c"))
                    .to_owned(),
            )
        }),
        ("create table: plain index column", Token::Identifier, |p| {
            create(
                &table()
                    .plain_index(PlainIndex::new("ix").column(Alias::new(p)))
                    .to_owned(),
            )
        }),
        ("create table: partitioned by", Token::Identifier, |p| {
            create(
                &table()
                    .crate_options(TableOptions::new().partitioned_by([Alias::new(p)]))
                    .to_owned(),
            )
        }),
        ("create table: clustered by", Token::Identifier, |p| {
            create(
                &table()
                    .crate_options(TableOptions::new().clustered_by(Alias::new(p)))
                    .to_owned(),
            )
        }),
        ("create table: parameter name", Token::Setting, |p| {
            create(
                &table()
                    .crate_options(TableOptions::new().param(p, 1))
                    .to_owned(),
            )
        }),
        ("create table: parameter value", Token::Literal, |p| {
            create(
                &table()
                    .crate_options(TableOptions::new().param("codec", p))
                    .to_owned(),
            )
        }),
        ("drop table (sea-query)", Token::Identifier, |p| {
            let s = Table::drop().table(Alias::new(p)).to_owned();
            Render::schema(s.to_string(CrateDbQueryBuilder), s.try_to_string())
        }),
        // The checked path refuses sea-query's rename (its names are private): unchecked only.
        (
            "rename table (sea-query), unchecked: from",
            Token::Identifier,
            |p| {
                let s = Table::rename().table(Alias::new(p), "t").to_owned();
                Render::display(s.to_string(CrateDbQueryBuilder))
            },
        ),
        (
            "rename table (sea-query), unchecked: to",
            Token::Identifier,
            |p| {
                let s = Table::rename().table("t", Alias::new(p)).to_owned();
                Render::display(s.to_string(CrateDbQueryBuilder))
            },
        ),
    ]
}
