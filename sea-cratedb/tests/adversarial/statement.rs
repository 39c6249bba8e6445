//! Surfaces of sea-cratedb's native statements (`AlterTable`, `CopyFrom`, `Set`, …).

use sea_cratedb::{
    AlterTable, CopyFrom, CopyTo, CreateBlobTable, CreateTableAs, CreateView, DropTable, DropView,
    NodeFilters, OptimizeTable, Persistence, RefreshTable, ResetGlobal, Set, ShowCreateTable,
    expr::path,
    sea_query::{Alias, ColumnDef, Expr, ExprTrait, Query, SelectStatement},
};

use super::{Case, Render, Token};

fn query() -> SelectStatement {
    Query::select().column("c").from("t").to_owned()
}

#[allow(clippy::too_many_lines)] // one table of cases
pub(crate) fn cases() -> Vec<Case> {
    vec![
        ("alter table: table", Token::Identifier, |p| {
            Render::checked(AlterTable::new(Alias::new(p)).open().try_to_string())
        }),
        ("alter table: schema", Token::Identifier, |p| {
            Render::checked(
                AlterTable::new((Alias::new(p), Alias::new("t")))
                    .open()
                    .try_to_string(),
            )
        }),
        ("alter table: add column", Token::Identifier, |p| {
            Render::checked(
                AlterTable::new("t")
                    .add_column(ColumnDef::new(Alias::new(p)).text())
                    .try_to_string(),
            )
        }),
        (
            "alter table: add object sub-column (path key)",
            Token::Literal,
            |p| {
                Render::checked(
                    AlterTable::new("t")
                        .add_column(ColumnDef::new(path("o", [p])).text())
                        .try_to_string(),
                )
            },
        ),
        ("alter table: drop column", Token::Identifier, |p| {
            Render::checked(
                AlterTable::new("t")
                    .drop_column(Alias::new(p))
                    .try_to_string(),
            )
        }),
        (
            "alter table: drop column if exists",
            Token::Identifier,
            |p| {
                Render::checked(
                    AlterTable::new("t")
                        .drop_column_if_exists(Alias::new(p))
                        .try_to_string(),
                )
            },
        ),
        ("alter table: rename column from", Token::Identifier, |p| {
            Render::checked(
                AlterTable::new("t")
                    .rename_column(Alias::new(p), "c")
                    .try_to_string(),
            )
        }),
        ("alter table: rename column to", Token::Identifier, |p| {
            Render::checked(
                AlterTable::new("t")
                    .rename_column("c", Alias::new(p))
                    .try_to_string(),
            )
        }),
        ("alter table: rename to", Token::Identifier, |p| {
            Render::checked(
                AlterTable::new("t")
                    .rename_to(Alias::new(p))
                    .try_to_string(),
            )
        }),
        ("alter table: set name", Token::Setting, |p| {
            Render::checked(AlterTable::new("t").set(p, 1).try_to_string())
        }),
        ("alter table: set value", Token::Literal, |p| {
            Render::checked(AlterTable::new("t").set("codec", p).try_to_string())
        }),
        ("alter table: reset name", Token::Setting, |p| {
            Render::checked(AlterTable::new("t").reset([p]).try_to_string())
        }),
        ("alter table: drop constraint", Token::Identifier, |p| {
            Render::checked(
                AlterTable::new("t")
                    .drop_constraint(Alias::new(p))
                    .try_to_string(),
            )
        }),
        ("alter table: partition column", Token::Identifier, |p| {
            Render::checked(
                AlterTable::new("t")
                    .partition([(Alias::new(p), 1)])
                    .close()
                    .try_to_string(),
            )
        }),
        ("alter table: partition value", Token::Literal, |p| {
            Render::checked(
                AlterTable::new("t")
                    .partition([("d", p)])
                    .close()
                    .try_to_string(),
            )
        }),
        ("copy from: table", Token::Identifier, |p| {
            Render::checked(
                CopyFrom::new(Alias::new(p))
                    .uri("file:///x")
                    .try_to_string(),
            )
        }),
        ("copy from: column", Token::Identifier, |p| {
            Render::checked(
                CopyFrom::new("t")
                    .columns([Alias::new(p)])
                    .uri("file:///x")
                    .try_to_string(),
            )
        }),
        ("copy from: partition value", Token::Literal, |p| {
            Render::checked(
                CopyFrom::new("t")
                    .partition([("d", p)])
                    .uri("file:///x")
                    .try_to_string(),
            )
        }),
        ("copy from: uri", Token::Literal, |p| {
            Render::checked(CopyFrom::new("t").uri(p).try_to_string())
        }),
        ("copy from: uris", Token::Literal, |p| {
            Render::checked(CopyFrom::new("t").uris([p, "file:///y"]).try_to_string())
        }),
        ("copy from: key", Token::Literal, |p| {
            Render::checked(CopyFrom::new("t").uri("s3://b/x").key(p).try_to_string())
        }),
        ("copy from: sas token", Token::Literal, |p| {
            Render::checked(
                CopyFrom::new("t")
                    .uri("az://a/b")
                    .sas_token(p)
                    .try_to_string(),
            )
        }),
        ("copy from: parameter name", Token::Setting, |p| {
            Render::checked(
                CopyFrom::new("t")
                    .uri("file:///x")
                    .param(p, 1)
                    .try_to_string(),
            )
        }),
        ("copy from: parameter value", Token::Literal, |p| {
            Render::checked(
                CopyFrom::new("t")
                    .uri("file:///x")
                    .param("x", p)
                    .try_to_string(),
            )
        }),
        ("copy from: node filter", Token::Literal, |p| {
            Render::checked(
                CopyFrom::new("t")
                    .uri("file:///x")
                    .node_filters(NodeFilters::new().name(p))
                    .try_to_string(),
            )
        }),
        ("copy to: table", Token::Identifier, |p| {
            Render::checked(
                CopyTo::new(Alias::new(p))
                    .directory("file:///x")
                    .try_to_string(),
            )
        }),
        ("copy to: column", Token::Identifier, |p| {
            Render::checked(
                CopyTo::new("t")
                    .columns([Alias::new(p)])
                    .directory("file:///x")
                    .try_to_string(),
            )
        }),
        ("copy to: directory", Token::Literal, |p| {
            Render::checked(CopyTo::new("t").directory(p).try_to_string())
        }),
        ("copy to: filter value", Token::Literal, |p| {
            Render::checked(
                CopyTo::new("t")
                    .filter(Expr::col("c").eq(p))
                    .directory("file:///x")
                    .try_to_string(),
            )
        }),
        ("copy to: key", Token::Literal, |p| {
            Render::checked(
                CopyTo::new("t")
                    .directory("s3://b/x")
                    .key(p)
                    .try_to_string(),
            )
        }),
        ("copy to: sas token", Token::Literal, |p| {
            Render::checked(
                CopyTo::new("t")
                    .directory("az://a/b")
                    .sas_token(p)
                    .try_to_string(),
            )
        }),
        ("copy to: parameter name", Token::Setting, |p| {
            Render::checked(
                CopyTo::new("t")
                    .directory("file:///x")
                    .param(p, 1)
                    .try_to_string(),
            )
        }),
        ("copy to: parameter value", Token::Literal, |p| {
            Render::checked(
                CopyTo::new("t")
                    .directory("file:///x")
                    .param("x", p)
                    .try_to_string(),
            )
        }),
        ("create table as: table", Token::Identifier, |p| {
            Render::checked(CreateTableAs::new(Alias::new(p), query()).try_to_string())
        }),
        ("create blob table: name", Token::Identifier, |p| {
            Render::display(CreateBlobTable::new(Alias::new(p)))
        }),
        ("create blob table: blobs path", Token::Literal, |p| {
            Render::display(CreateBlobTable::new("b").blobs_path(p))
        }),
        ("create blob table: parameter name", Token::Setting, |p| {
            Render::display(CreateBlobTable::new("b").param(p, 1))
        }),
        ("create blob table: parameter value", Token::Literal, |p| {
            Render::display(CreateBlobTable::new("b").param("x", p))
        }),
        ("drop table: table", Token::Identifier, |p| {
            Render::display(DropTable::new(Alias::new(p)))
        }),
        ("drop table: schema", Token::Identifier, |p| {
            Render::display(DropTable::new((Alias::new(p), Alias::new("t"))))
        }),
        ("refresh table: table", Token::Identifier, |p| {
            Render::checked(RefreshTable::new(Alias::new(p)).try_to_string())
        }),
        ("refresh table: partition column", Token::Identifier, |p| {
            Render::checked(
                RefreshTable::new("t")
                    .partition([(Alias::new(p), 1)])
                    .try_to_string(),
            )
        }),
        ("optimize table: table", Token::Identifier, |p| {
            Render::checked(OptimizeTable::new(Alias::new(p)).try_to_string())
        }),
        ("optimize table: parameter name", Token::Setting, |p| {
            Render::checked(OptimizeTable::new("t").param(p, 1).try_to_string())
        }),
        ("set session: name", Token::Setting, |p| {
            Render::checked(Set::session(p, ["v"]).try_to_string())
        }),
        ("set session: value", Token::Literal, |p| {
            Render::checked(Set::session("search_path", [p]).try_to_string())
        }),
        ("set session: second value", Token::Literal, |p| {
            Render::checked(Set::session("search_path", ["doc", p]).try_to_string())
        }),
        ("set session to default: name", Token::Setting, |p| {
            Render::checked(Set::to_default(p).try_to_string())
        }),
        ("set global: name", Token::Setting, |p| {
            Render::checked(Set::global(Persistence::Transient, p, 1).try_to_string())
        }),
        ("set global: value", Token::Literal, |p| {
            Render::checked(Set::global(Persistence::Persistent, "x.y", p).try_to_string())
        }),
        ("reset global: name", Token::Setting, |p| {
            let s = ResetGlobal::new(p);
            Render::both(s.to_string(), s.try_to_string())
        }),
        ("create view: name", Token::Identifier, |p| {
            Render::checked(CreateView::new(Alias::new(p), query()).try_to_string())
        }),
        ("create view: query value", Token::Literal, |p| {
            let q = query().and_where(Expr::col("c").eq(p)).to_owned();
            Render::checked(CreateView::new("v", q).try_to_string())
        }),
        ("drop view: name", Token::Identifier, |p| {
            Render::checked(DropView::new([Alias::new(p)]).try_to_string())
        }),
        ("show create table: table", Token::Identifier, |p| {
            Render::display(ShowCreateTable::new(Alias::new(p)))
        }),
    ]
}
