//! The checked entry points reject what CrateDB cannot run, naming the construct and the
//! alternative; the unchecked builder writes the construct verbatim, and CrateDB's grammar
//! rejects that text (recorded as `invalid`, which also proves the grammar check can fail).

mod common;

use common::record_invalid;
use pretty_assertions::assert_eq;
use sea_cratedb::{
    CheckedQuery, CheckedSchema, CrateDbQueryBuilder, Error, Unsupported,
    sea_query::{
        ColumnDef, CommonTableExpression, Expr, ExprTrait, ForeignKey, Index, LockType, OnConflict,
        Query, SelectStatement, Table, UnionType, WithClause,
    },
};

#[allow(clippy::panic)] // a test helper: the panic is the assertion
fn unsupported(err: Error) -> Unsupported {
    match err {
        Error::Unsupported(u) => u,
        other => panic!("expected Unsupported, got {other:?}"),
    }
}

fn docs() -> SelectStatement {
    Query::select().column("id").from("docs").to_owned()
}

#[test]
fn delete_returning_is_rejected_and_grammar_rejects_the_text() {
    let stmt = Query::delete()
        .from_table("docs")
        .and_where(Expr::col("id").eq(1))
        .returning_all()
        .to_owned();
    let err = stmt.try_build().unwrap_err();
    assert_eq!(unsupported(err.clone()), Unsupported::DeleteReturning);
    assert_eq!(
        err.to_string(),
        "CrateDB does not support DELETE ... RETURNING; use SELECT the rows before the DELETE instead"
    );
    record_invalid("delete_returning", &stmt.to_string(CrateDbQueryBuilder));
}

#[test]
fn update_returning_is_allowed() {
    let stmt = Query::update()
        .table("docs")
        .value("a", 1)
        .returning_all()
        .to_owned();
    assert!(stmt.try_build().is_ok());
}

#[test]
fn for_update_is_rejected() {
    let stmt = docs().lock(LockType::Update).to_owned();
    assert_eq!(
        unsupported(stmt.try_build().unwrap_err()),
        Unsupported::RowLock
    );
    record_invalid("for_update", &stmt.to_string(CrateDbQueryBuilder));
}

#[test]
fn intersect_and_except_are_rejected() {
    let stmt = docs().union(UnionType::Intersect, docs()).to_owned();
    assert_eq!(
        unsupported(stmt.try_build().unwrap_err()),
        Unsupported::Intersect
    );
    let stmt = docs().union(UnionType::Except, docs()).to_owned();
    assert_eq!(
        unsupported(stmt.try_build().unwrap_err()),
        Unsupported::Except
    );
}

#[test]
fn recursive_cte_is_rejected() {
    let cte = CommonTableExpression::new()
        .query(docs())
        .table_name("c")
        .to_owned();
    let with = WithClause::new().recursive(true).cte(cte).to_owned();
    let stmt = Query::select().column("id").from("c").to_owned().with(with);
    assert_eq!(
        unsupported(stmt.try_build().unwrap_err()),
        Unsupported::RecursiveCte
    );
    record_invalid("recursive_cte", &stmt.to_string(CrateDbQueryBuilder));
}

#[test]
fn on_conflict_on_constraint_and_where_are_rejected() {
    let insert = |conflict: OnConflict| {
        Query::insert()
            .into_table("t")
            .columns(["id"])
            .values_panic([1.into()])
            .on_conflict(conflict)
            .to_owned()
    };
    let stmt = insert(OnConflict::constraint("t_pkey").do_nothing().to_owned());
    assert_eq!(
        unsupported(stmt.try_build().unwrap_err()),
        Unsupported::OnConflictOnConstraint
    );
    let stmt = insert(
        OnConflict::column("id")
            .update_column("id")
            .action_and_where(Expr::col("id").gt(0))
            .to_owned(),
    );
    assert_eq!(
        unsupported(stmt.try_build().unwrap_err()),
        Unsupported::OnConflictWhere
    );
}

#[test]
fn update_order_by_limit_and_from_are_rejected() {
    let stmt = Query::update().table("t").value("a", 1).limit(1).to_owned();
    assert_eq!(
        unsupported(stmt.try_build().unwrap_err()),
        Unsupported::DmlOrderByLimit
    );
    let stmt = Query::update()
        .table("t")
        .value("a", 1)
        .from("u")
        .to_owned();
    assert_eq!(
        unsupported(stmt.try_build().unwrap_err()),
        Unsupported::UpdateFrom
    );
    let stmt = Query::delete().from_table("t").limit(1).to_owned();
    assert_eq!(
        unsupported(stmt.try_build().unwrap_err()),
        Unsupported::DmlOrderByLimit
    );
}

#[test]
fn distinct_on_is_rejected() {
    let stmt = Query::select()
        .distinct_on(["a"])
        .column("a")
        .from("t")
        .to_owned();
    assert_eq!(
        unsupported(stmt.try_build().unwrap_err()),
        Unsupported::DistinctOn
    );
}

#[test]
fn unique_and_foreign_keys_and_auto_increment_are_rejected() {
    let stmt = Table::create()
        .table("t")
        .col(ColumnDef::new("a").text().unique_key())
        .to_owned();
    assert_eq!(
        unsupported(stmt.try_to_string().unwrap_err()),
        Unsupported::Unique
    );
    record_invalid("unique_column", &stmt.to_string(CrateDbQueryBuilder));

    let stmt = Table::create()
        .table("t")
        .col(ColumnDef::new("a").text())
        .index(Index::create().unique().col("a"))
        .to_owned();
    assert_eq!(
        unsupported(stmt.try_to_string().unwrap_err()),
        Unsupported::Unique
    );

    let stmt = Table::create()
        .table("t")
        .col(ColumnDef::new("a").integer())
        .foreign_key(ForeignKey::create().from("t", "a").to("u", "id"))
        .to_owned();
    assert_eq!(
        unsupported(stmt.try_to_string().unwrap_err()),
        Unsupported::ForeignKey
    );

    let stmt = Table::create()
        .table("t")
        .col(
            ColumnDef::new("id")
                .integer()
                .auto_increment()
                .primary_key(),
        )
        .to_owned();
    let err = stmt.try_to_string().unwrap_err();
    assert_eq!(unsupported(err.clone()), Unsupported::AutoIncrement);
    assert!(err.to_string().contains("gen_random_text_uuid()"));
}

#[test]
fn secondary_indexes_and_truncate_and_alter_point_at_alternatives() {
    let err = Index::create()
        .name("i")
        .table("t")
        .col("a")
        .try_to_string()
        .unwrap_err();
    assert_eq!(unsupported(err), Unsupported::SecondaryIndex);
    let err = Index::drop()
        .name("i")
        .table("t")
        .try_to_string()
        .unwrap_err();
    assert_eq!(unsupported(err), Unsupported::SecondaryIndex);
    let err = Table::truncate().table("t").try_to_string().unwrap_err();
    assert!(err.to_string().contains("DELETE FROM"));
    let err = Table::alter()
        .table("t")
        .add_column(ColumnDef::new("a").integer())
        .try_to_string()
        .unwrap_err();
    assert!(err.to_string().contains("sea_cratedb::AlterTable"));
}

#[test]
fn types_cratedb_lacks_are_rejected() {
    for column in [
        ColumnDef::new("a").time().to_owned(),
        ColumnDef::new("a").year().to_owned(),
        ColumnDef::new("a").blob().to_owned(),
        ColumnDef::new("a").money().to_owned(),
        ColumnDef::new("a").decimal().to_owned(),
        ColumnDef::new("a").vector(None).to_owned(),
        ColumnDef::new("a").mac_address().to_owned(),
    ] {
        let stmt = Table::create().table("t").col(column).to_owned();
        let err = stmt.try_to_string().unwrap_err();
        assert!(
            matches!(unsupported(err), Unsupported::ColumnType(_)),
            "{}",
            stmt.to_string(CrateDbQueryBuilder)
        );
    }
}

#[test]
fn multi_table_drop_and_temporary_tables_are_rejected() {
    let err = Table::drop()
        .table("a")
        .table("b")
        .try_to_string()
        .unwrap_err();
    assert_eq!(unsupported(err), Unsupported::DropTableOptions);
    let err = Table::drop()
        .table("a")
        .cascade()
        .try_to_string()
        .unwrap_err();
    assert_eq!(unsupported(err), Unsupported::DropTableOptions);
    let err = Table::create()
        .table("t")
        .temporary()
        .col(ColumnDef::new("a").integer())
        .try_to_string()
        .unwrap_err();
    assert_eq!(unsupported(err), Unsupported::TemporaryTable);
}

#[test]
fn checked_render_does_not_leak_errors_into_the_next_statement() {
    assert!(docs().lock(LockType::Share).try_build().is_err());
    assert!(docs().try_build().is_ok());
    // The unchecked builder never fails and never panics.
    let _ = docs().lock(LockType::Share).to_string(CrateDbQueryBuilder);
    assert!(docs().try_build().is_ok());
}
