//! Golden SQL for the native CrateDB statements (`sea_cratedb::AlterTable`, `CopyFrom`, …).
//!
//! Every SQL string is also recorded for the CrateDB grammar check.

mod common;

use common::{assert_sql, record_invalid};
use pretty_assertions::assert_eq;
use sea_cratedb::{
    AlterTable, ColumnPolicy, Compression, CopyFrom, CopyFromFormat, CopyTo, CopyToFormat,
    CrateColumnExt, CrateType, CreateBlobTable, CreateTableAs, CreateView, DropTable, DropView,
    Error, InvalidValue, NodeFilters, OptimizeTable, ParamValue, Persistence, Protocol,
    RefreshTable, Replicas, ResetGlobal, Set, ShowCreateTable, StatementError, Unsupported,
    expr::path,
    sea_query::{ColumnDef, Cond, Expr, ExprTrait, Query, SelectStatement, UnionType, Value},
};

fn docs_query() -> SelectStatement {
    Query::select()
        .columns(["id", "title"])
        .from("docs")
        .and_where(Expr::col("lang").eq("en"))
        .to_owned()
}

/// Asserts (and records) the SQL of a statement that must render; an error shows in the diff.
#[track_caller]
fn ok(test: &str, result: Result<String, StatementError>, expected: &str) {
    let sql = result.unwrap_or_else(|error| format!("unexpected error: {error}"));
    assert_sql(test, &sql, expected);
}

// ---- ALTER TABLE ---------------------------------------------------------------------------

#[test]
fn alter_table_add_column_writes_type_and_constraints() {
    ok(
        "alter_table_add_column_writes_type_and_constraints",
        AlterTable::new("docs")
            .add_column(ColumnDef::new("region").text().not_null())
            .try_to_string(),
        r#"ALTER TABLE "docs" ADD COLUMN "region" TEXT NOT NULL"#,
    );
}

#[test]
fn alter_table_add_several_columns_in_one_statement() {
    ok(
        "alter_table_add_several_columns_in_one_statement",
        AlterTable::new(("doc", "docs"))
            .add_column(ColumnDef::new("a").integer())
            .add_column(ColumnDef::new("b").text())
            .try_to_string(),
        r#"ALTER TABLE "doc"."docs" ADD COLUMN "a" INTEGER, ADD COLUMN "b" TEXT"#,
    );
}

#[test]
fn alter_table_add_object_column_with_nested_fields() {
    let object = CrateType::object(ColumnPolicy::Strict)
        .field(ColumnDef::new("level").integer().not_null())
        .field(ColumnDef::new("inner").crate_type(
            CrateType::object(ColumnPolicy::Dynamic).field(ColumnDef::new("src").text()),
        ));
    ok(
        "alter_table_add_object_column_with_nested_fields",
        AlterTable::new("docs")
            .add_column(ColumnDef::new("meta").crate_type(object))
            .try_to_string(),
        r#"ALTER TABLE "docs" ADD COLUMN "meta" OBJECT(STRICT) AS ("level" INTEGER NOT NULL, "inner" OBJECT(DYNAMIC) AS ("src" TEXT))"#,
    );
}

#[test]
fn alter_table_add_object_sub_column_by_path() {
    ok(
        "alter_table_add_object_sub_column_by_path",
        AlterTable::new("docs")
            .add_column(ColumnDef::new(path("meta", ["source", "url"])).text())
            .try_to_string(),
        r#"ALTER TABLE "docs" ADD COLUMN "meta"['source']['url'] TEXT"#,
    );
    // A whole sub-object at once (what the reflection diff adds for a new nested struct).
    ok(
        "alter_table_add_object_sub_column_by_path",
        AlterTable::new("docs")
            .add_column(ColumnDef::new(path("meta", ["origin"])).crate_type(
                CrateType::object(ColumnPolicy::Dynamic).field(ColumnDef::new("url").text()),
            ))
            .try_to_string(),
        r#"ALTER TABLE "docs" ADD COLUMN "meta"['origin'] OBJECT(DYNAMIC) AS ("url" TEXT)"#,
    );
}

#[test]
fn alter_table_add_generated_fulltext_and_checked_columns() {
    ok(
        "alter_table_add_generated_fulltext_and_checked_columns",
        AlterTable::new("docs")
            .add_column(
                ColumnDef::new("total")
                    .integer()
                    .generated(Expr::col("a").add(Expr::col("b")), true),
            )
            .add_column(ColumnDef::new("body").text().fulltext(Some("english")))
            .add_column(
                ColumnDef::new("score")
                    .double()
                    .check(Expr::col("score").gte(0)),
            )
            .try_to_string(),
        concat!(
            r#"ALTER TABLE "docs" ADD COLUMN "total" INTEGER GENERATED ALWAYS AS ("a" + "b"), "#,
            r#"ADD COLUMN "body" TEXT INDEX USING FULLTEXT WITH (analyzer = 'english'), "#,
            r#"ADD COLUMN "score" DOUBLE PRECISION CHECK ("score" >= 0)"#
        ),
    );
}

#[test]
fn alter_table_add_column_with_default_is_an_error() {
    let err = AlterTable::new("docs")
        .add_column(ColumnDef::new("a").integer())
        .add_column(ColumnDef::new("n").integer().default(0))
        .try_to_string()
        .unwrap_err();
    assert_eq!(err, StatementError::DefaultInAddColumn(r#""n""#.into()));
    assert!(
        err.to_string()
            .contains("DEFAULT in ALTER TABLE ... ADD COLUMN")
    );
}

#[test]
fn alter_table_add_column_of_unsupported_type_is_an_error() {
    let err = AlterTable::new("docs")
        .add_column(ColumnDef::new("id").integer().auto_increment())
        .try_to_string()
        .unwrap_err();
    assert_eq!(
        err,
        StatementError::Sql(Error::Unsupported(Unsupported::AutoIncrement))
    );
}

#[test]
fn alter_table_drop_columns_with_and_without_if_exists() {
    ok(
        "alter_table_drop_columns_with_and_without_if_exists",
        AlterTable::new("docs")
            .drop_column("a")
            .drop_column_if_exists("b")
            .drop_column(path("meta", ["level"]))
            .try_to_string(),
        r#"ALTER TABLE "docs" DROP COLUMN "a", DROP COLUMN IF EXISTS "b", DROP COLUMN "meta"['level']"#,
    );
}

#[test]
fn alter_table_rename_column() {
    ok(
        "alter_table_rename_column",
        AlterTable::new("docs")
            .rename_column("title", "headline")
            .try_to_string(),
        r#"ALTER TABLE "docs" RENAME COLUMN "title" TO "headline""#,
    );
}

#[test]
fn alter_table_rename_sub_column_by_path() {
    ok(
        "alter_table_rename_sub_column_by_path",
        AlterTable::new("docs")
            .rename_column(path("meta", ["lvl"]), path("meta", ["level"]))
            .try_to_string(),
        r#"ALTER TABLE "docs" RENAME COLUMN "meta"['lvl'] TO "meta"['level']"#,
    );
}

#[test]
fn alter_table_rename_to_new_table_name() {
    ok(
        "alter_table_rename_to_new_table_name",
        AlterTable::new(("app", "docs"))
            .rename_to("documents")
            .try_to_string(),
        r#"ALTER TABLE "app"."docs" RENAME TO "documents""#,
    );
}

#[test]
fn alter_table_set_quotes_dotted_names_and_escapes_text() {
    ok(
        "alter_table_set_quotes_dotted_names_and_escapes_text",
        AlterTable::new("docs")
            .set("number_of_replicas", Replicas::UpToAll(1))
            .set("refresh_interval", 500)
            .set("blocks.read_only", false)
            .set("codec", "it's")
            .set("Mixed_Case", 1.5)
            .try_to_string(),
        concat!(
            r#"ALTER TABLE "docs" SET (number_of_replicas = '1-all', refresh_interval = 500, "#,
            r#""blocks.read_only" = false, codec = 'it''s', "Mixed_Case" = 1.5)"#
        ),
    );
}

#[test]
fn alter_table_set_same_parameter_twice_keeps_the_last_value() {
    ok(
        "alter_table_set_same_parameter_twice_keeps_the_last_value",
        AlterTable::new("docs")
            .set("number_of_shards", 4)
            .set("refresh_interval", 100)
            .set("number_of_shards", 8)
            .try_to_string(),
        r#"ALTER TABLE "docs" SET (number_of_shards = 8, refresh_interval = 100)"#,
    );
}

#[test]
fn alter_table_reset_parameters() {
    ok(
        "alter_table_reset_parameters",
        AlterTable::new("docs")
            .reset(["refresh_interval"])
            .reset(vec![String::from("blocks.read_only")])
            .try_to_string(),
        r#"ALTER TABLE "docs" RESET (refresh_interval, "blocks.read_only")"#,
    );
}

#[test]
fn alter_table_only_changes_the_partitioned_table_itself() {
    ok(
        "alter_table_only_changes_the_partitioned_table_itself",
        AlterTable::new("metrics")
            .only()
            .set("number_of_replicas", Replicas::Fixed(0))
            .try_to_string(),
        r#"ALTER TABLE ONLY "metrics" SET (number_of_replicas = '0')"#,
    );
}

#[test]
fn alter_table_partition_open_and_close() {
    ok(
        "alter_table_partition_open_and_close",
        AlterTable::new("metrics")
            .partition([("day", Value::from(1_700_000_000_000_i64))])
            .close()
            .try_to_string(),
        r#"ALTER TABLE "metrics" PARTITION ("day" = 1700000000000) CLOSE"#,
    );
    ok(
        "alter_table_partition_open_and_close",
        AlterTable::new("metrics")
            .partition([
                ("tenant", Value::from("o'brien")),
                ("region", Value::String(None)),
            ])
            .open()
            .try_to_string(),
        r#"ALTER TABLE "metrics" PARTITION ("tenant" = 'o''brien', "region" = NULL) OPEN"#,
    );
}

#[test]
fn alter_table_open_and_close_whole_table() {
    ok(
        "alter_table_open_and_close_whole_table",
        AlterTable::new("docs").close().try_to_string(),
        r#"ALTER TABLE "docs" CLOSE"#,
    );
    ok(
        "alter_table_open_and_close_whole_table",
        AlterTable::new("docs").open().try_to_string(),
        r#"ALTER TABLE "docs" OPEN"#,
    );
}

#[test]
fn alter_table_drop_check_constraint() {
    ok(
        "alter_table_drop_check_constraint",
        AlterTable::new("docs")
            .drop_constraint("score_pos")
            .try_to_string(),
        r#"ALTER TABLE "docs" DROP CONSTRAINT "score_pos""#,
    );
}

#[test]
fn alter_table_quotes_names_with_embedded_quotes() {
    ok(
        "alter_table_quotes_names_with_embedded_quotes",
        AlterTable::new(("my\"schema", "we\"ird"))
            .rename_column("a\"b", "c")
            .try_to_string(),
        r#"ALTER TABLE "my""schema"."we""ird" RENAME COLUMN "a""b" TO "c""#,
    );
}

#[test]
fn alter_blob_table_parameters_open_close_and_rename() {
    ok(
        "alter_blob_table_parameters_open_close_and_rename",
        AlterTable::new("images")
            .blob()
            .set("number_of_replicas", Replicas::Range(0, 1))
            .try_to_string(),
        r#"ALTER BLOB TABLE "images" SET (number_of_replicas = '0-1')"#,
    );
    ok(
        "alter_blob_table_parameters_open_close_and_rename",
        AlterTable::new("images")
            .blob()
            .reset(["number_of_replicas"])
            .try_to_string(),
        r#"ALTER BLOB TABLE "images" RESET (number_of_replicas)"#,
    );
    ok(
        "alter_blob_table_parameters_open_close_and_rename",
        AlterTable::new("images").blob().close().try_to_string(),
        r#"ALTER BLOB TABLE "images" CLOSE"#,
    );
    ok(
        "alter_blob_table_parameters_open_close_and_rename",
        AlterTable::new("images")
            .blob()
            .rename_to("pictures")
            .try_to_string(),
        r#"ALTER BLOB TABLE "images" RENAME TO "pictures""#,
    );
}

#[test]
fn alter_blob_table_column_actions_and_partitions_are_conflicts() {
    let err = AlterTable::new("images")
        .blob()
        .add_column(ColumnDef::new("a").integer())
        .try_to_string()
        .unwrap_err();
    assert_eq!(err, StatementError::Conflict("BLOB", "ADD COLUMN"));
    let err = AlterTable::new("images")
        .blob()
        .drop_constraint("c")
        .try_to_string()
        .unwrap_err();
    assert_eq!(err, StatementError::Conflict("BLOB", "DROP CONSTRAINT"));
    let err = AlterTable::new("images")
        .blob()
        .partition([("a", 1)])
        .open()
        .try_to_string()
        .unwrap_err();
    assert_eq!(err, StatementError::Conflict("BLOB", "PARTITION"));
}

#[test]
fn alter_table_without_action_is_an_error() {
    let err = AlterTable::new("docs").only().try_to_string().unwrap_err();
    assert_eq!(err, StatementError::NoAction);
    assert!(err.to_string().starts_with("ALTER TABLE needs an action"));
}

#[test]
fn alter_table_mixing_actions_is_a_conflict() {
    let err = AlterTable::new("docs")
        .add_column(ColumnDef::new("a").integer())
        .drop_column("b")
        .set("refresh_interval", 1)
        .try_to_string()
        .unwrap_err();
    assert_eq!(err, StatementError::Conflict("ADD COLUMN", "DROP COLUMN"));
    assert_eq!(
        err.to_string(),
        "ADD COLUMN cannot be combined with DROP COLUMN in one statement; use two statements"
    );
    let err = AlterTable::new("docs")
        .rename_column("a", "b")
        .rename_column("c", "d")
        .try_to_string()
        .unwrap_err();
    assert_eq!(
        err,
        StatementError::Conflict("RENAME COLUMN", "RENAME COLUMN")
    );
    let err = AlterTable::new("docs")
        .open()
        .rename_to("x")
        .try_to_string()
        .unwrap_err();
    assert_eq!(err, StatementError::Conflict("OPEN", "RENAME TO"));
}

#[test]
fn alter_table_only_with_partition_is_a_conflict() {
    let err = AlterTable::new("metrics")
        .only()
        .partition([("day", 1)])
        .open()
        .try_to_string()
        .unwrap_err();
    assert_eq!(err, StatementError::Conflict("ONLY", "PARTITION"));
}

#[test]
fn alter_table_empty_lists_are_errors() {
    let err = AlterTable::new("docs")
        .reset(Vec::<String>::new())
        .try_to_string()
        .unwrap_err();
    assert_eq!(err, StatementError::EmptyList("RESET"));
    let err = AlterTable::new("docs")
        .partition(Vec::<(&str, i32)>::new())
        .open()
        .try_to_string()
        .unwrap_err();
    assert_eq!(err, StatementError::EmptyList("PARTITION"));
    assert_eq!(
        err.to_string(),
        "the PARTITION list is empty; CrateDB needs at least one entry"
    );
}

#[test]
fn alter_table_partition_value_out_of_range_is_an_error() {
    let err = AlterTable::new("metrics")
        .partition([("n", u64::MAX)])
        .open()
        .try_to_string()
        .unwrap_err();
    assert_eq!(
        err,
        StatementError::Sql(Error::InvalidValue(InvalidValue::UnsignedOutOfRange(
            u64::MAX
        )))
    );
}

// ---- DROP TABLE, SHOW CREATE TABLE, BLOB TABLE -----------------------------------------------

#[test]
fn drop_table_plain_if_exists_and_blob() {
    assert_sql(
        "drop_table_plain_if_exists_and_blob",
        &DropTable::new("docs").to_string(),
        r#"DROP TABLE "docs""#,
    );
    assert_sql(
        "drop_table_plain_if_exists_and_blob",
        &DropTable::new(("doc", "docs")).if_exists().to_string(),
        r#"DROP TABLE IF EXISTS "doc"."docs""#,
    );
    assert_sql(
        "drop_table_plain_if_exists_and_blob",
        &DropTable::new("images").blob().if_exists().to_string(),
        r#"DROP BLOB TABLE IF EXISTS "images""#,
    );
}

#[test]
fn show_create_table_with_schema() {
    assert_sql(
        "show_create_table_with_schema",
        &ShowCreateTable::new(("doc", "docs")).to_string(),
        r#"SHOW CREATE TABLE "doc"."docs""#,
    );
    assert_sql(
        "show_create_table_with_schema",
        &ShowCreateTable::new("docs").to_string(),
        r#"SHOW CREATE TABLE "docs""#,
    );
}

#[test]
fn create_blob_table_with_shards_and_parameters() {
    assert_sql(
        "create_blob_table_with_shards_and_parameters",
        &CreateBlobTable::new("images").to_string(),
        r#"CREATE BLOB TABLE "images""#,
    );
    assert_sql(
        "create_blob_table_with_shards_and_parameters",
        &CreateBlobTable::new("images")
            .shards(3)
            .number_of_replicas(Replicas::Fixed(1))
            .blobs_path("/mnt/o'blobs")
            .param("blocks.read_only", true)
            .to_string(),
        r#"CREATE BLOB TABLE "images" CLUSTERED INTO 3 SHARDS WITH (number_of_replicas = '1', blobs_path = '/mnt/o''blobs', "blocks.read_only" = true)"#,
    );
}

// ---- Views and CREATE TABLE AS ----------------------------------------------------------------

#[test]
fn create_view_renders_query_with_inline_values() {
    ok(
        "create_view_renders_query_with_inline_values",
        CreateView::new("docs_en", docs_query()).try_to_string(),
        r#"CREATE VIEW "docs_en" AS SELECT "id", "title" FROM "docs" WHERE "lang" = 'en'"#,
    );
    ok(
        "create_view_renders_query_with_inline_values",
        CreateView::new(("app", "docs_en"), docs_query())
            .or_replace()
            .try_to_string(),
        r#"CREATE OR REPLACE VIEW "app"."docs_en" AS SELECT "id", "title" FROM "docs" WHERE "lang" = 'en'"#,
    );
}

#[test]
fn create_view_with_unsupported_query_is_an_error() {
    let query = docs_query()
        .union(
            UnionType::Intersect,
            Query::select()
                .columns(["id", "title"])
                .from("old")
                .to_owned(),
        )
        .to_owned();
    let err = CreateView::new("v", query).try_to_string().unwrap_err();
    assert_eq!(
        err,
        StatementError::Sql(Error::Unsupported(Unsupported::Intersect))
    );
    assert!(err.to_string().contains("INTERSECT"));
}

#[test]
fn drop_view_one_or_several() {
    ok(
        "drop_view_one_or_several",
        DropView::new(["docs_en"]).try_to_string(),
        r#"DROP VIEW "docs_en""#,
    );
    ok(
        "drop_view_one_or_several",
        DropView::new([("app", "a"), ("app", "b")])
            .if_exists()
            .try_to_string(),
        r#"DROP VIEW IF EXISTS "app"."a", "app"."b""#,
    );
}

#[test]
fn drop_view_without_names_is_an_error() {
    let err = DropView::new(Vec::<&str>::new())
        .try_to_string()
        .unwrap_err();
    assert_eq!(err, StatementError::EmptyList("DROP VIEW"));
}

#[test]
fn create_table_as_select() {
    ok(
        "create_table_as_select",
        CreateTableAs::new("docs_copy", docs_query()).try_to_string(),
        r#"CREATE TABLE "docs_copy" AS SELECT "id", "title" FROM "docs" WHERE "lang" = 'en'"#,
    );
    ok(
        "create_table_as_select",
        CreateTableAs::new(("archive", "docs"), docs_query())
            .if_not_exists()
            .try_to_string(),
        r#"CREATE TABLE IF NOT EXISTS "archive"."docs" AS SELECT "id", "title" FROM "docs" WHERE "lang" = 'en'"#,
    );
}

#[test]
fn create_table_as_with_unsupported_query_is_an_error() {
    let query = docs_query()
        .union(
            UnionType::Except,
            Query::select()
                .columns(["id", "title"])
                .from("old")
                .to_owned(),
        )
        .to_owned();
    let err = CreateTableAs::new("t", query).try_to_string().unwrap_err();
    assert_eq!(
        err,
        StatementError::Sql(Error::Unsupported(Unsupported::Except))
    );
}

// ---- REFRESH / OPTIMIZE --------------------------------------------------------------------

#[test]
fn refresh_table_single_and_schema_qualified() {
    ok(
        "refresh_table_single_and_schema_qualified",
        RefreshTable::new("docs").try_to_string(),
        r#"REFRESH TABLE "docs""#,
    );
    ok(
        "refresh_table_single_and_schema_qualified",
        RefreshTable::new(("doc", "docs")).try_to_string(),
        r#"REFRESH TABLE "doc"."docs""#,
    );
}

#[test]
fn refresh_several_tables_each_with_optional_partition() {
    ok(
        "refresh_several_tables_each_with_optional_partition",
        RefreshTable::new("metrics")
            .partition([("day", Value::from(1_i64)), ("tenant", Value::from("a"))])
            .table("docs")
            .table(("doc", "events"))
            .partition([("day", 2)])
            .try_to_string(),
        r#"REFRESH TABLE "metrics" PARTITION ("day" = 1, "tenant" = 'a'), "docs", "doc"."events" PARTITION ("day" = 2)"#,
    );
}

#[test]
fn refresh_table_empty_partition_is_an_error() {
    let err = RefreshTable::new("metrics")
        .partition(Vec::<(&str, i32)>::new())
        .try_to_string()
        .unwrap_err();
    assert_eq!(err, StatementError::EmptyList("PARTITION"));
}

#[test]
fn optimize_table_with_typed_and_generic_parameters() {
    ok(
        "optimize_table_with_typed_and_generic_parameters",
        OptimizeTable::new("docs").try_to_string(),
        r#"OPTIMIZE TABLE "docs""#,
    );
    ok(
        "optimize_table_with_typed_and_generic_parameters",
        OptimizeTable::new("docs")
            .max_num_segments(1)
            .flush(false)
            .try_to_string(),
        r#"OPTIMIZE TABLE "docs" WITH (max_num_segments = 1, flush = false)"#,
    );
    ok(
        "optimize_table_with_typed_and_generic_parameters",
        OptimizeTable::new("metrics")
            .partition([("day", 1)])
            .table("docs")
            .only_expunge_deletes(true)
            .param("upgrade_segments", false)
            .try_to_string(),
        r#"OPTIMIZE TABLE "metrics" PARTITION ("day" = 1), "docs" WITH (only_expunge_deletes = true, upgrade_segments = false)"#,
    );
}

#[test]
fn optimize_table_partition_value_out_of_range_is_an_error() {
    let err = OptimizeTable::new("metrics")
        .partition([("n", u64::MAX)])
        .try_to_string()
        .unwrap_err();
    assert!(matches!(err, StatementError::Sql(Error::InvalidValue(_))));
}

// ---- COPY FROM -------------------------------------------------------------------------------

#[test]
fn copy_from_one_uri() {
    ok(
        "copy_from_one_uri",
        CopyFrom::new("docs")
            .uri("file:///data/docs.json")
            .try_to_string(),
        r#"COPY "docs" FROM 'file:///data/docs.json'"#,
    );
}

#[test]
fn copy_from_several_uris_columns_partition_and_summary() {
    ok(
        "copy_from_several_uris_columns_partition_and_summary",
        CopyFrom::new(("doc", "metrics"))
            .partition([("day", "2024-01-01")])
            .columns(["id", "value"])
            .uri("s3://bucket/a/*.json")
            .uris(["s3://bucket/b/*.json"])
            .return_summary()
            .try_to_string(),
        concat!(
            r#"COPY "doc"."metrics" PARTITION ("day" = '2024-01-01') ("id", "value") "#,
            r#"FROM ['s3://bucket/a/*.json', 's3://bucket/b/*.json'] RETURN SUMMARY"#
        ),
    );
}

#[test]
fn copy_from_escapes_uris() {
    ok(
        "copy_from_escapes_uris",
        CopyFrom::new("docs")
            .uri("file:///data/o'brien.json")
            .try_to_string(),
        r#"COPY "docs" FROM 'file:///data/o''brien.json'"#,
    );
}

#[test]
fn copy_from_with_every_typed_option() {
    ok(
        "copy_from_with_every_typed_option",
        CopyFrom::new("docs")
            .uri("https://example.com/docs.csv.gz")
            .bulk_size(1000)
            .fail_fast(true)
            .wait_for_completion(false)
            .shared(true)
            .node_filters(NodeFilters::new().name("data-.*").id("abc"))
            .num_readers(2)
            .compression(Compression::Gzip)
            .protocol(Protocol::Https)
            .overwrite_duplicates(true)
            .empty_string_as_null(true)
            .delimiter(';')
            .format(CopyFromFormat::Csv)
            .header(false)
            .skip(1)
            .key("k'ey")
            .sas_token("tok")
            .param("validation", false)
            .try_to_string(),
        concat!(
            r#"COPY "docs" FROM 'https://example.com/docs.csv.gz' WITH (bulk_size = 1000, "#,
            r#"fail_fast = true, wait_for_completion = false, shared = true, "#,
            r#"node_filters = {name = 'data-.*', id = 'abc'}, num_readers = 2, "#,
            r#"compression = 'gzip', protocol = 'https', overwrite_duplicates = true, "#,
            r#"empty_string_as_null = true, delimiter = ';', format = 'csv', header = false, "#,
            r#"skip = 1, key = 'k''ey', sas_token = 'tok', validation = false)"#
        ),
    );
}

#[test]
fn copy_from_later_option_replaces_earlier_one() {
    ok(
        "copy_from_later_option_replaces_earlier_one",
        CopyFrom::new("docs")
            .uri("file:///a.json")
            .format(CopyFromFormat::Csv)
            .protocol(Protocol::Http)
            .format(CopyFromFormat::Json)
            .node_filters(NodeFilters::new().id("n1"))
            .try_to_string(),
        r#"COPY "docs" FROM 'file:///a.json' WITH (format = 'json', protocol = 'http', node_filters = {id = 'n1'})"#,
    );
}

#[test]
fn copy_from_errors() {
    let err = CopyFrom::new("docs").try_to_string().unwrap_err();
    assert_eq!(err, StatementError::EmptyList("COPY FROM URI"));
    let err = CopyFrom::new("docs")
        .uris(Vec::<String>::new())
        .try_to_string()
        .unwrap_err();
    assert_eq!(err, StatementError::EmptyList("COPY FROM URI"));
    let err = CopyFrom::new("docs")
        .uri("file:///a.json")
        .columns(Vec::<&str>::new())
        .try_to_string()
        .unwrap_err();
    assert_eq!(err, StatementError::EmptyList("COPY column"));
    let err = CopyFrom::new("docs")
        .uri("file:///a.json")
        .partition([("n", u64::MAX)])
        .try_to_string()
        .unwrap_err();
    assert!(matches!(err, StatementError::Sql(Error::InvalidValue(_))));
}

// ---- COPY TO ---------------------------------------------------------------------------------

#[test]
fn copy_to_directory() {
    ok(
        "copy_to_directory",
        CopyTo::new(("doc", "docs"))
            .directory("/tmp/export/")
            .try_to_string(),
        r#"COPY "doc"."docs" TO DIRECTORY '/tmp/export/'"#,
    );
}

#[test]
fn copy_to_with_partition_columns_and_filter() {
    ok(
        "copy_to_with_partition_columns_and_filter",
        CopyTo::new("metrics")
            .partition([("day", 1)])
            .columns(["id", "value"])
            .columns([path("meta", ["level"]), path("tags", [1])])
            .filter(Expr::col("value").gt(10))
            .filter(
                Cond::any()
                    .add(Expr::col("name").eq("o'brien"))
                    .add(Expr::col("name").is_null()),
            )
            .directory("s3://bucket/out/")
            .try_to_string(),
        concat!(
            r#"COPY "metrics" PARTITION ("day" = 1) ("meta"['level'], "tags"[1]) "#,
            r#"WHERE "value" > 10 AND ("name" = 'o''brien' OR "name" IS NULL) "#,
            r#"TO DIRECTORY 's3://bucket/out/'"#
        ),
    );
}

#[test]
fn copy_to_with_every_typed_option() {
    ok(
        "copy_to_with_every_typed_option",
        CopyTo::new("docs")
            .directory("az://acct.blob.core.windows.net/c/out")
            .compression(Compression::Gzip)
            .protocol(Protocol::Http)
            .format(CopyToFormat::JsonObject)
            .wait_for_completion(true)
            .key("key")
            .sas_token("s'as")
            .param("Custom.Option", ParamValue::Int(-1))
            .format(CopyToFormat::JsonArray)
            .try_to_string(),
        concat!(
            r#"COPY "docs" TO DIRECTORY 'az://acct.blob.core.windows.net/c/out' "#,
            r#"WITH (compression = 'gzip', protocol = 'http', format = 'json_array', "#,
            r#"wait_for_completion = true, key = 'key', sas_token = 's''as', "Custom.Option" = -1)"#
        ),
    );
}

#[test]
fn copy_to_errors() {
    let err = CopyTo::new("docs").try_to_string().unwrap_err();
    assert_eq!(err, StatementError::Missing("TO DIRECTORY 'uri'"));
    assert_eq!(err.to_string(), "the statement needs TO DIRECTORY 'uri'");
    let err = CopyTo::new("docs")
        .directory("/tmp")
        .columns(Vec::<&str>::new())
        .try_to_string()
        .unwrap_err();
    assert_eq!(err, StatementError::EmptyList("COPY column"));
    let err = CopyTo::new("docs")
        .directory("/tmp")
        .filter(Expr::col("n").eq(u64::MAX))
        .try_to_string()
        .unwrap_err();
    assert!(matches!(err, StatementError::Sql(Error::InvalidValue(_))));
}

// ---- SET / RESET GLOBAL ----------------------------------------------------------------------

#[test]
fn set_session_text_number_and_boolean_values() {
    ok(
        "set_session_text_number_and_boolean_values",
        Set::session("search_path", ["app", "o'doc"]).try_to_string(),
        "SET search_path TO 'app', 'o''doc'",
    );
    ok(
        "set_session_text_number_and_boolean_values",
        Set::session("statement_timeout", [ParamValue::Int(0)]).try_to_string(),
        "SET statement_timeout TO 0",
    );
    ok(
        "set_session_text_number_and_boolean_values",
        Set::session("enable_hashjoin", [false]).try_to_string(),
        "SET enable_hashjoin TO false",
    );
    ok(
        "set_session_text_number_and_boolean_values",
        Set::session("ratio", [0.25]).try_to_string(),
        "SET ratio TO 0.25",
    );
}

#[test]
fn set_session_writes_negative_numbers_as_text() {
    ok(
        "set_session_writes_negative_numbers_as_text",
        Set::session("x", [ParamValue::Int(-1), ParamValue::Float(-1.5)]).try_to_string(),
        "SET x TO '-1', '-1.5'",
    );
}

#[test]
fn set_session_quotes_names_that_are_not_plain() {
    ok(
        "set_session_quotes_names_that_are_not_plain",
        Set::session("optimizer.Rule", [true]).try_to_string(),
        r#"SET "optimizer.Rule" TO true"#,
    );
}

#[test]
fn set_session_to_default() {
    ok(
        "set_session_to_default",
        Set::to_default("search_path").try_to_string(),
        "SET search_path TO DEFAULT",
    );
}

#[test]
fn set_session_without_values_is_an_error() {
    let err = Set::session("search_path", Vec::<&str>::new())
        .try_to_string()
        .unwrap_err();
    assert_eq!(err, StatementError::EmptyList("SET value"));
}

#[test]
fn set_global_persistent_and_transient() {
    ok(
        "set_global_persistent_and_transient",
        Set::global(Persistence::Persistent, "stats.enabled", true).try_to_string(),
        r#"SET GLOBAL PERSISTENT "stats.enabled" = true"#,
    );
    ok(
        "set_global_persistent_and_transient",
        Set::global(
            Persistence::Transient,
            "cluster.routing.allocation.total_shards_per_node",
            -1,
        )
        .try_to_string(),
        r#"SET GLOBAL TRANSIENT "cluster.routing.allocation.total_shards_per_node" = -1"#,
    );
    ok(
        "set_global_persistent_and_transient",
        Set::global(
            Persistence::Transient,
            "cluster.routing.allocation.enable",
            "new_primaries",
        )
        .try_to_string(),
        r#"SET GLOBAL TRANSIENT "cluster.routing.allocation.enable" = 'new_primaries'"#,
    );
}

#[test]
fn reset_global_setting() {
    assert_sql(
        "reset_global_setting",
        &ResetGlobal::new("stats.enabled").to_string(),
        r#"RESET GLOBAL "stats.enabled""#,
    );
    assert_sql(
        "reset_global_setting",
        &ResetGlobal::new("plain_name").to_string(),
        "RESET GLOBAL plain_name",
    );
}

/// The SQL the builders refuse to write (conflicts, signed `SET … TO` values) is SQL that
/// CrateDB's grammar rejects: recorded as invalid so the grammar check proves it.
#[test]
fn refused_forms_are_rejected_by_the_grammar() {
    for sql in [
        r#"ALTER TABLE "docs" ADD COLUMN "a" INTEGER, DROP COLUMN "b""#,
        r#"ALTER TABLE ONLY "metrics" PARTITION ("day" = 1) OPEN"#,
        r#"ALTER BLOB TABLE "images" ADD COLUMN "a" INTEGER"#,
        r#"ALTER BLOB TABLE "images" DROP CONSTRAINT "c""#,
        r#"ALTER TABLE "docs" RESET ()"#,
        "DROP VIEW ",
        r#"COPY "t" ("a") PARTITION ("d" = 1) FROM 'file:///x.json'"#,
        "SET x TO -1",
        "SET search_path TO ",
    ] {
        record_invalid("refused_forms_are_rejected_by_the_grammar", sql);
    }
}

// ---- Errors ----------------------------------------------------------------------------------

#[test]
fn statement_errors_convert_from_crate_errors_and_display_them() {
    let err = StatementError::from(Error::Unsupported(Unsupported::Intersect));
    assert_eq!(
        err.to_string(),
        Error::Unsupported(Unsupported::Intersect).to_string()
    );
    assert!(
        StatementError::EmptyList("DROP VIEW")
            .to_string()
            .contains("DROP VIEW list is empty")
    );
}
