//! Golden SQL for `CREATE TABLE`: sea-query's own statements mapped to CrateDB, and CrateDB's
//! column types, constraints and table clauses.

mod common;

use common::{assert_sql, record_min_version};
use sea_cratedb::{
    CheckedSchema, Codec, ColumnPolicy, CrateColumnExt, CrateDbQueryBuilder, CrateTableExt,
    CrateType, Error, FulltextIndex, GeoIndex, Replicas, TableOptions, Unsupported,
    sea_query::{ColumnDef, ColumnType, Expr, ExprTrait, Index, StringLen, Table},
};

#[test]
fn sea_query_column_types_map_to_cratedb_types() {
    let sql = Table::create()
        .table("all_types")
        .col(ColumnDef::new("c_char").char_len(3))
        .col(ColumnDef::new("c_varchar").string_len(10))
        .col(ColumnDef::new("c_string").string())
        .col(ColumnDef::new("c_text").text())
        .col(ColumnDef::new("c_tiny").tiny_integer())
        .col(ColumnDef::new("c_small").small_integer())
        .col(ColumnDef::new("c_int").integer())
        .col(ColumnDef::new("c_big").big_integer())
        .col(ColumnDef::new("c_unsigned").unsigned())
        .col(ColumnDef::new("c_float").float())
        .col(ColumnDef::new("c_double").double())
        .col(ColumnDef::new("c_decimal").decimal_len(10, 2))
        .col(ColumnDef::new("c_datetime").date_time())
        .col(ColumnDef::new("c_ts").timestamp())
        .col(ColumnDef::new("c_tstz").timestamp_with_time_zone())
        .col(ColumnDef::new("c_bool").boolean())
        .col(ColumnDef::new("c_json").json())
        .col(ColumnDef::new("c_jsonb").json_binary())
        .col(ColumnDef::new("c_uuid").uuid())
        .col(ColumnDef::new("c_inet").inet())
        .col(ColumnDef::new("c_bit").bit(Some(8)))
        .col(ColumnDef::new("c_array").array(ColumnType::String(StringLen::None)))
        .col(ColumnDef::new("c_vector").vector(Some(3)))
        .to_string(CrateDbQueryBuilder);
    assert_sql(
        "sea_query_column_types_map_to_cratedb_types",
        &sql,
        concat!(
            r#"CREATE TABLE "all_types" ( "c_char" CHARACTER(3), "c_varchar" VARCHAR(10), "c_string" TEXT, "#,
            r#""c_text" TEXT, "c_tiny" BYTE, "c_small" SMALLINT, "c_int" INTEGER, "c_big" BIGINT, "#,
            r#""c_unsigned" BIGINT, "c_float" REAL, "c_double" DOUBLE PRECISION, "c_decimal" NUMERIC(10, 2), "#,
            r#""c_datetime" TIMESTAMP WITHOUT TIME ZONE, "c_ts" TIMESTAMP WITHOUT TIME ZONE, "#,
            r#""c_tstz" TIMESTAMP WITH TIME ZONE, "c_bool" BOOLEAN, "c_json" OBJECT(DYNAMIC), "#,
            r#""c_jsonb" OBJECT(DYNAMIC), "c_uuid" TEXT, "c_inet" IP, "c_bit" BIT(8), "#,
            r#""c_array" ARRAY(TEXT), "c_vector" FLOAT_VECTOR(3) )"#
        ),
    );
}

#[test]
fn date_column_needs_cratedb_6_5() {
    let sql = Table::create()
        .table("days")
        .col(ColumnDef::new("d").date())
        .to_string(CrateDbQueryBuilder);
    assert_eq!(sql, r#"CREATE TABLE "days" ( "d" DATE )"#);
    record_min_version("date_column_needs_cratedb_6_5", &sql, "6.5.0");
}

#[test]
fn every_crate_type_renders() {
    let cases = [
        (CrateType::Boolean, "BOOLEAN"),
        (CrateType::Byte, "BYTE"),
        (CrateType::Char, r#""char""#),
        (CrateType::array(CrateType::Char), r#"ARRAY("char")"#),
        (CrateType::SmallInt, "SMALLINT"),
        (CrateType::Integer, "INTEGER"),
        (CrateType::BigInt, "BIGINT"),
        (CrateType::Real, "REAL"),
        (CrateType::DoublePrecision, "DOUBLE PRECISION"),
        (
            CrateType::Numeric {
                precision: 38,
                scale: 4,
            },
            "NUMERIC(38, 4)",
        ),
        (CrateType::Text, "TEXT"),
        (CrateType::Varchar(255), "VARCHAR(255)"),
        (CrateType::Character(2), "CHARACTER(2)"),
        (CrateType::TimestampTz, "TIMESTAMP WITH TIME ZONE"),
        (CrateType::Timestamp, "TIMESTAMP WITHOUT TIME ZONE"),
        (CrateType::Date, "DATE"),
        (CrateType::Ip, "IP"),
        (CrateType::Bit(16), "BIT(16)"),
        (CrateType::Uuid, "UUID"),
        (CrateType::GeoPoint, "GEO_POINT"),
        (CrateType::GeoShape, "GEO_SHAPE"),
        (CrateType::FloatVector(1024), "FLOAT_VECTOR(1024)"),
        (
            CrateType::array(CrateType::array(CrateType::Real)),
            "ARRAY(ARRAY(REAL))",
        ),
        (
            CrateType::object(ColumnPolicy::Ignored).into(),
            "OBJECT(IGNORED)",
        ),
    ];
    for (i, (crate_type, expected)) in cases.into_iter().enumerate() {
        assert_eq!(crate_type.to_string(), expected);
        let is_date = matches!(crate_type, CrateType::Date);
        let sql = Table::create()
            .table("t")
            .col(ColumnDef::new(format!("c{i}")).crate_type(crate_type))
            .to_string(CrateDbQueryBuilder);
        let expected = format!(r#"CREATE TABLE "t" ( "c{i}" {expected} )"#);
        if is_date {
            // A DATE column needs CrateDB 6.5 (6.4 rejects it: no storage for `date`).
            assert_eq!(sql, expected);
            record_min_version("every_crate_type_renders", &sql, "6.5.0");
        } else {
            assert_sql("every_crate_type_renders", &sql, &expected);
        }
    }
}

#[test]
fn object_strict_with_nested_object_and_constraints() {
    let payload = CrateType::object(ColumnPolicy::Strict)
        .field(ColumnDef::new("level").integer().not_null().default(0))
        .field(ColumnDef::new("src").text().index_off())
        .field(
            ColumnDef::new("inner").crate_type(
                CrateType::object(ColumnPolicy::Dynamic)
                    .field(ColumnDef::new("x").crate_type(CrateType::array(CrateType::Text))),
            ),
        );
    let sql = Table::create()
        .table("events")
        .col(ColumnDef::new("payload").crate_type(payload))
        .to_string(CrateDbQueryBuilder);
    assert_sql(
        "object_strict_with_nested_object_and_constraints",
        &sql,
        concat!(
            r#"CREATE TABLE "events" ( "payload" OBJECT(STRICT) AS ("level" INTEGER NOT NULL DEFAULT 0, "#,
            r#""src" TEXT INDEX OFF, "inner" OBJECT(DYNAMIC) AS ("x" ARRAY(TEXT))) )"#
        ),
    );
}

#[test]
fn full_cratedb_table_with_constraints_indexes_and_clauses() {
    let sql = Table::create()
        .table(("doc", "metrics"))
        .if_not_exists()
        .col(ColumnDef::new("id").text())
        .col(ColumnDef::new("tenant").text().not_null())
        .col(ColumnDef::new("title").text())
        .col(ColumnDef::new("ts").timestamp_with_time_zone().not_null())
        .col(
            ColumnDef::new("day")
                .timestamp_with_time_zone()
                .generated(Expr::cust(r#"date_trunc('day', "ts")"#), true),
        )
        .col(ColumnDef::new("body").text().fulltext(Some("english")))
        .col(ColumnDef::new("raw").text().index_off().columnstore_off())
        .col(ColumnDef::new("loc").crate_type(CrateType::GeoPoint))
        .col(
            ColumnDef::new("area")
                .crate_type(CrateType::GeoShape)
                .geo_index(GeoIndex::Quadtree, Some("1m")),
        )
        .col(ColumnDef::new("emb").crate_type(CrateType::FloatVector(3)))
        .col(
            ColumnDef::new("score")
                .float()
                .check(Expr::col("score").gte(0)),
        )
        .col(
            ColumnDef::new("uid")
                .text()
                .default(Expr::cust("gen_random_text_uuid()")),
        )
        .primary_key(Index::create().col("id").col("day"))
        .fulltext_index(
            FulltextIndex::new("title_tenant_ft")
                .column("title")
                .column("tenant")
                .analyzer("standard"),
        )
        .crate_options(
            TableOptions::new()
                .partitioned_by(["day"])
                .clustered_by("id")
                .shards(6)
                .number_of_replicas(Replicas::UpToAll(0))
                .refresh_interval_ms(1000)
                .codec(Codec::BestCompression)
                .column_policy(ColumnPolicy::Strict)
                .number_of_routing_shards(12)
                .param("write.wait_for_active_shards", 1)
                .param("blocks.read_only", false),
        )
        .to_string(CrateDbQueryBuilder);
    assert_sql(
        "full_cratedb_table_with_constraints_indexes_and_clauses",
        &sql,
        concat!(
            r#"CREATE TABLE IF NOT EXISTS "doc"."metrics" ( "id" TEXT, "tenant" TEXT NOT NULL, "title" TEXT, "#,
            r#""ts" TIMESTAMP WITH TIME ZONE NOT NULL, "#,
            r#""day" TIMESTAMP WITH TIME ZONE GENERATED ALWAYS AS (date_trunc('day', "ts")), "#,
            r#""body" TEXT INDEX USING FULLTEXT WITH (analyzer = 'english'), "#,
            r#""raw" TEXT INDEX OFF STORAGE WITH (columnstore = false), "loc" GEO_POINT, "#,
            r#""area" GEO_SHAPE INDEX USING quadtree WITH (precision = '1m'), "emb" FLOAT_VECTOR(3), "#,
            r#""score" REAL CHECK ("score" >= 0), "uid" TEXT DEFAULT gen_random_text_uuid(), "#,
            r#"INDEX "title_tenant_ft" USING FULLTEXT ("title", "tenant") WITH (analyzer = 'standard'), "#,
            r#"PRIMARY KEY ("id", "day") ) PARTITIONED BY ("day") CLUSTERED BY ("id") INTO 6 SHARDS "#,
            r#"WITH (number_of_replicas = '0-all', refresh_interval = 1000, codec = 'best_compression', "#,
            r#"column_policy = 'strict', number_of_routing_shards = 12, "write.wait_for_active_shards" = 1, "#,
            r#""blocks.read_only" = false)"#
        ),
    );
}

#[test]
fn clustered_into_shards_without_routing_column() {
    let sql = Table::create()
        .table("t")
        .col(ColumnDef::new("id").integer().primary_key())
        .crate_options(TableOptions::new().shards(3))
        .to_string(CrateDbQueryBuilder);
    assert_sql(
        "clustered_into_shards_without_routing_column",
        &sql,
        r#"CREATE TABLE "t" ( "id" INTEGER PRIMARY KEY ) CLUSTERED INTO 3 SHARDS"#,
    );
}

#[test]
fn named_check_constraint_and_null_column() {
    let sql = Table::create()
        .table("t")
        .col(ColumnDef::new("a").integer().null())
        .check(("a_positive", Expr::col("a").gt(0)))
        .to_string(CrateDbQueryBuilder);
    assert_sql(
        "named_check_constraint_and_null_column",
        &sql,
        r#"CREATE TABLE "t" ( "a" INTEGER NULL, CONSTRAINT "a_positive" CHECK ("a" > 0) )"#,
    );
}

#[test]
fn option_values_are_escaped() {
    let sql = Table::create()
        .table("t")
        .col(ColumnDef::new("a").text().fulltext(Some("it's")))
        .crate_options(TableOptions::new().param("Odd\"Name", "x'); DROP TABLE t; --"))
        .to_string(CrateDbQueryBuilder);
    assert_sql(
        "option_values_are_escaped",
        &sql,
        r#"CREATE TABLE "t" ( "a" TEXT INDEX USING FULLTEXT WITH (analyzer = 'it''s') ) WITH ("Odd""Name" = 'x''); DROP TABLE t; --')"#,
    );
}

/// sea-query keeps a rename's table names private, so the checked path cannot check them: it
/// points at `AlterTable::rename_to`. The unchecked rendering is PostgreSQL's, valid in CrateDB.
#[test]
fn rename_table_is_unchecked_only() {
    let rename = Table::rename().table("old", "new").to_owned();
    assert_eq!(
        rename.try_to_string(),
        Err(Error::Unsupported(Unsupported::TableRename))
    );
    assert_sql(
        "rename_table_is_unchecked_only",
        &rename.to_string(CrateDbQueryBuilder),
        r#"ALTER TABLE "old" RENAME TO "new""#,
    );
}

#[test]
fn drop_single_table_if_exists() {
    let sql = Table::drop()
        .table("t")
        .if_exists()
        .try_to_string()
        .expect("single-table DROP is supported");
    assert_sql(
        "drop_single_table_if_exists",
        &sql,
        r#"DROP TABLE IF EXISTS "t""#,
    );
}
