//! Golden SQL for the index attributes of `#[derive(CrateModel)]`: `index = "plain"` on a
//! column and on an object's sub-field, and a named `fulltext_index` over a column and an
//! object sub-column. Every statement is also recorded for CrateDB's grammar
//! check.

#[path = "../../sea-cratedb/tests/common/mod.rs"]
mod common;

use common::assert_sql;
use sea_cratedb::{CheckedSchema, CrateModel, CrateObject, Model};
use serde::Serialize;

/// An object whose sub-field spells out its plain index.
#[derive(CrateObject, Serialize)]
struct Author {
    #[cratedb(index = "plain")]
    name: String,
}

#[derive(CrateModel)]
#[cratedb(
    table = "books",
    fulltext_index(name = "ft", columns("title", "author.name"), analyzer = "english")
)]
struct Book {
    #[cratedb(primary_key, index = "plain")]
    id: String,
    #[cratedb(fulltext(analyzer = "english"))]
    title: String,
    #[cratedb(index = "plain", columnstore_off)]
    isbn: Option<String>,
    #[cratedb(object(policy = "strict"))]
    author: Author,
}

#[test]
fn index_plain_and_fulltext_index_over_an_object_sub_column() {
    assert_sql(
        "derive_index_plain_and_fulltext_index_over_an_object_sub_column",
        &Book::create_table().try_to_string().unwrap(),
        concat!(
            r#"CREATE TABLE "books" ( "id" TEXT NOT NULL INDEX USING PLAIN, "#,
            r#""title" TEXT NOT NULL INDEX USING FULLTEXT WITH (analyzer = 'english'), "#,
            r#""isbn" TEXT INDEX USING PLAIN STORAGE WITH (columnstore = false), "#,
            r#""author" OBJECT(STRICT) AS ("name" TEXT NOT NULL INDEX USING PLAIN) NOT NULL, "#,
            r#"INDEX "ft" USING FULLTEXT ("title", "author"['name']) WITH (analyzer = 'english'), "#,
            r#"PRIMARY KEY ("id") )"#
        ),
    );
}
