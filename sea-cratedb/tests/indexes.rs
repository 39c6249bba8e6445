//! Golden SQL for CrateDB's index and key clauses, rebuilt from CrateDB's documented tables:
//! named fulltext indexes over object sub-columns, `INDEX USING PLAIN` (column and named
//! forms) and named column-level primary keys.

mod common;

use common::assert_sql;
use sea_cratedb::{
    CheckedSchema, ColumnPolicy, CrateColumnExt, CrateDbQueryBuilder, CrateTableExt, CrateType,
    Error, FulltextIndex, PlainIndex,
    expr::path,
    sea_query::{ColumnDef, Table},
};

#[test]
fn fulltext_index_over_an_object_sub_column() {
    let sql = Table::create()
        .table("books")
        .col(ColumnDef::new("title").text())
        .col(
            ColumnDef::new("author").crate_type(
                CrateType::object(ColumnPolicy::Dynamic)
                    .field(ColumnDef::new("name").text())
                    .field(ColumnDef::new("birthday").timestamp_with_time_zone()),
            ),
        )
        .fulltext_index(
            FulltextIndex::new("ft")
                .column("title")
                .column(path("author", ["name"]))
                .analyzer("english"),
        )
        .try_to_string()
        .expect("valid");
    assert_sql(
        "fulltext_index_over_an_object_sub_column",
        &sql,
        concat!(
            r#"CREATE TABLE "books" ( "title" TEXT, "#,
            r#""author" OBJECT(DYNAMIC) AS ("name" TEXT, "birthday" TIMESTAMP WITH TIME ZONE), "#,
            r#"INDEX "ft" USING FULLTEXT ("title", "author"['name']) WITH (analyzer = 'english') )"#
        ),
    );
}

#[test]
fn index_paths_nest_and_quote_keys_and_names() {
    let object = CrateType::object(ColumnPolicy::Dynamic)
        .field(ColumnDef::new("a").crate_type(
            CrateType::object(ColumnPolicy::Dynamic).field(ColumnDef::new("it's").text()),
        ))
        .field(ColumnDef::new("a'])--").text());
    let sql = Table::create()
        .table("t")
        .col(ColumnDef::new(r#"o"b"#).crate_type(object))
        .fulltext_index(FulltextIndex::new(r#"f"t"#).column(path(r#"o"b"#, ["a", "it's"])))
        .plain_index(PlainIndex::new("p").column(path(r#"o"b"#, ["a'])--"])))
        .try_to_string()
        .expect("valid");
    assert_sql(
        "index_paths_nest_and_quote_keys_and_names",
        &sql,
        concat!(
            r#"CREATE TABLE "t" ( "o""b" OBJECT(DYNAMIC) AS ("a" OBJECT(DYNAMIC) AS ("it's" TEXT), "a'])--" TEXT), "#,
            r#"INDEX "f""t" USING FULLTEXT ("o""b"['a']['it''s']), "#,
            r#"INDEX "p" USING PLAIN ("o""b"['a''])--']) )"#
        ),
    );
}

#[test]
fn plain_index_on_a_column_and_named() {
    let sql = Table::create()
        .table("people")
        .col(ColumnDef::new("first_name").text().index_plain())
        .col(
            ColumnDef::new("last_name")
                .text()
                .not_null()
                .index_plain()
                .columnstore_off(),
        )
        .col(ColumnDef::new("address").crate_type(
            CrateType::object(ColumnPolicy::Strict).field(ColumnDef::new("city").text()),
        ))
        .plain_index(
            PlainIndex::new("names")
                .column("first_name")
                .column("last_name")
                .column(path("address", ["city"])),
        )
        .try_to_string()
        .expect("valid");
    assert_sql(
        "plain_index_on_a_column_and_named",
        &sql,
        concat!(
            r#"CREATE TABLE "people" ( "first_name" TEXT INDEX USING PLAIN, "#,
            r#""last_name" TEXT NOT NULL INDEX USING PLAIN STORAGE WITH (columnstore = false), "#,
            r#""address" OBJECT(STRICT) AS ("city" TEXT), "#,
            r#"INDEX "names" USING PLAIN ("first_name", "last_name", "address"['city']) )"#
        ),
    );
}

#[test]
fn named_column_primary_key() {
    let sql = Table::create()
        .table("t")
        .col(ColumnDef::new("id").integer().primary_key_named("pk_name"))
        .col(ColumnDef::new("v").text())
        .try_to_string()
        .expect("valid");
    assert_sql(
        "named_column_primary_key",
        &sql,
        r#"CREATE TABLE "t" ( "id" INTEGER CONSTRAINT "pk_name" PRIMARY KEY, "v" TEXT )"#,
    );
}

#[test]
fn named_composite_primary_key_repeats_one_name() {
    let sql = Table::create()
        .table("t")
        .col(
            ColumnDef::new("a")
                .integer()
                .not_null()
                .primary_key_named(r#"p"k"#),
        )
        .col(
            ColumnDef::new("b")
                .text()
                .primary_key_named(r#"p"k"#)
                .index_plain(),
        )
        .try_to_string()
        .expect("valid");
    assert_sql(
        "named_composite_primary_key_repeats_one_name",
        &sql,
        concat!(
            r#"CREATE TABLE "t" ( "a" INTEGER NOT NULL CONSTRAINT "p""k" PRIMARY KEY, "#,
            r#""b" TEXT CONSTRAINT "p""k" PRIMARY KEY INDEX USING PLAIN )"#
        ),
    );
}

#[test]
fn rejected_names_in_index_and_constraint_clauses_fail_the_checked_entry_point() {
    let constraint = Table::create()
        .table("t")
        .col(ColumnDef::new("id").integer().primary_key_named("pk\u{7}"))
        .try_to_string();
    assert!(
        matches!(constraint, Err(Error::InvalidName(_))),
        "{constraint:?}"
    );
    let empty = Table::create()
        .table("t")
        .col(ColumnDef::new("id").integer().primary_key_named(""))
        .try_to_string();
    assert!(matches!(empty, Err(Error::InvalidName(_))), "{empty:?}");
    let column = Table::create()
        .table("t")
        .col(ColumnDef::new("o").crate_type(CrateType::object(ColumnPolicy::Dynamic)))
        .plain_index(PlainIndex::new("p").column(path("o\n", ["k"])))
        .try_to_string();
    assert!(matches!(column, Err(Error::InvalidName(_))), "{column:?}");
    let name = Table::create()
        .table("t")
        .col(ColumnDef::new("a").text())
        .plain_index(PlainIndex::new("").column("a"))
        .try_to_string();
    assert!(matches!(name, Err(Error::InvalidName(_))), "{name:?}");
    // Unchecked rendering still writes one quoted name.
    let sql = Table::create()
        .table("t")
        .col(ColumnDef::new("id").integer().primary_key_named("pk\u{7}"))
        .to_string(CrateDbQueryBuilder);
    assert_eq!(
        sql,
        "CREATE TABLE \"t\" ( \"id\" INTEGER CONSTRAINT \"pk\u{7}\" PRIMARY KEY )"
    );
}
