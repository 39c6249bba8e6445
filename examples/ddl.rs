//! CrateDB DDL and queries built with sea-cratedb, printed as SQL. Needs no server:
//!
//! ```text
//! cargo run -p cratedb-examples --example ddl
//! ```

#![allow(clippy::print_stdout)]

use sea_cratedb::{
    CheckedQuery, CheckedSchema, ColumnPolicy, CopyFrom, CrateColumnExt, CrateTableExt, CrateType,
    FulltextIndex, RefreshTable, Replicas, TableOptions,
    expr::{ArrayComparison, any, knn_match, match_, path},
    sea_query::{ColumnDef, Expr, ExprTrait, Index, Order, Query, Table},
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let create = Table::create()
        .table("articles")
        .if_not_exists()
        .col(
            ColumnDef::new("id")
                .text()
                .default(Expr::cust("gen_random_text_uuid()")),
        )
        .col(
            ColumnDef::new("month")
                .timestamp_with_time_zone()
                .not_null(),
        )
        .col(ColumnDef::new("title").text().not_null())
        .col(ColumnDef::new("body").text().fulltext(Some("english")))
        .col(ColumnDef::new("tags").crate_type(CrateType::array(CrateType::Text)))
        .col(
            ColumnDef::new("meta").crate_type(
                CrateType::object(ColumnPolicy::Strict)
                    .field(ColumnDef::new("author").text())
                    .field(ColumnDef::new("words").integer()),
            ),
        )
        .col(ColumnDef::new("embedding").crate_type(CrateType::FloatVector(3)))
        .primary_key(Index::create().col("id").col("month"))
        .fulltext_index(
            FulltextIndex::new("title_body")
                .column("title")
                .column("body"),
        )
        .crate_options(
            TableOptions::new()
                .partitioned_by(["month"])
                .clustered_by("id")
                .shards(4)
                .number_of_replicas(Replicas::Range(0, 1)),
        )
        .try_to_string()?;
    println!("{create};\n");

    let (search, values) = Query::select()
        .columns(["id", "title"])
        .column(path("meta", ["author"]))
        .from("articles")
        .and_where(match_("title_body").query("distributed sql").into())
        .and_where(any(
            Expr::val("rust"),
            ArrayComparison::Eq,
            Expr::col("tags"),
        ))
        .order_by("_score", Order::Desc)
        .limit(10)
        .try_build()?;
    println!("{search};\n-- values: {values:?}\n");

    let similar = Query::select()
        .column("id")
        .from("articles")
        .and_where(knn_match("embedding", &[0.1, 0.2, 0.3], 5))
        .try_to_string()?;
    println!("{similar};\n");

    let import = CopyFrom::new("articles")
        .uri("s3://bucket/articles/*.json")
        .return_summary()
        .try_to_string()?;
    println!("{import};\n");
    println!("{};", RefreshTable::new("articles").try_to_string()?);

    // What CrateDB cannot do is an error that names the alternative.
    let locked = Query::select()
        .column("id")
        .from("articles")
        .and_where(Expr::col("id").eq("a1"))
        .lock(sea_cratedb::sea_query::LockType::Update)
        .try_build();
    if let Err(err) = locked {
        println!("\n-- {err}");
    }
    Ok(())
}
