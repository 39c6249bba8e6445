//! Every kind of statement the sea-cratedb builders write, run on a real CrateDB.

use std::fmt::Write as _;

use sea_cratedb::expr::path;
use sea_cratedb::sea_query::{
    ColumnDef, ColumnType, Cond, Expr, ExprTrait as _, Index, Query, SelectStatement, StringLen,
    Table,
};
use sea_cratedb::{
    AlterTable, Codec, ColumnPolicy, CopyFrom, CopyFromFormat, CopyTo, CopyToFormat,
    CrateColumnExt as _, CrateDbQueryBuilder, CrateTableExt as _, CrateType, CreateBlobTable,
    CreateTableAs, CreateView, DropTable, DropView, FulltextIndex, GeoIndex, OptimizeTable,
    ParamValue, Persistence, RefreshTable, Replicas, ResetGlobal, Set, ShowCreateTable,
    StatementError, TableOptions,
};
use sqlx::{AssertSqlSafe, Connection as _};
use sqlx_cratedb::CrateDbConnection;

use crate::scenarios::{Target, unique};

/// One statement of the run: its SQL and, when it needs a newer CrateDB, that version.
struct Step {
    sql: String,
    min_version: Option<(u32, u32)>,
}

fn step(sql: impl Into<String>) -> Step {
    Step {
        sql: sql.into(),
        min_version: None,
    }
}

/// The SQL of a builder that must render.
fn built(result: Result<String, StatementError>) -> String {
    result.unwrap_or_else(|e| panic!("the builder refused: {e}"))
}

/// `SELECT version['number'] FROM sys.nodes LIMIT 1` as (major, minor).
pub(super) async fn server_version(conn: &mut CrateDbConnection) -> (u32, u32) {
    let raw: String = sqlx::query_scalar("SELECT version['number'] FROM sys.nodes LIMIT 1")
        .fetch_one(conn)
        .await
        .unwrap();
    let mut parts = raw.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

/// sea-query's own column types, mapped to CrateDB's.
fn all_types(s: &str) -> String {
    Table::create()
        .table((s.to_owned(), "all_types"))
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
        .to_string(CrateDbQueryBuilder)
}

/// The `CREATE TABLE` statements: sea-query's column types, every `CrateType`, nested objects,
/// the full table of the golden tests (constraints, indexes, generated and default columns,
/// `PARTITIONED BY`, `CLUSTERED BY … INTO n SHARDS`, `WITH`), named checks.
fn create_tables(s: &str, steps: &mut Vec<Step>) {
    steps.push(step(all_types(s)));
    let types = [
        CrateType::Boolean,
        CrateType::Byte,
        CrateType::SmallInt,
        CrateType::Integer,
        CrateType::BigInt,
        CrateType::Real,
        CrateType::DoublePrecision,
        CrateType::Numeric {
            precision: 38,
            scale: 4,
        },
        CrateType::Text,
        CrateType::Varchar(255),
        CrateType::Character(2),
        CrateType::TimestampTz,
        CrateType::Timestamp,
        CrateType::Ip,
        CrateType::Bit(16),
        CrateType::Uuid,
        CrateType::GeoPoint,
        CrateType::GeoShape,
        CrateType::FloatVector(1024),
        CrateType::array(CrateType::array(CrateType::Real)),
        CrateType::object(ColumnPolicy::Ignored).into(),
    ];
    for (i, crate_type) in types.into_iter().enumerate() {
        let uuid = matches!(crate_type, CrateType::Uuid);
        let sql = Table::create()
            .table((s.to_owned(), format!("crate_type_{i}")))
            .col(ColumnDef::new("c").crate_type(crate_type))
            .to_string(CrateDbQueryBuilder);
        // A UUID column needs CrateDB 6.2 (see sea-cratedb's type table).
        steps.push(Step {
            sql,
            min_version: uuid.then_some((6, 2)),
        });
    }
    steps.push(Step {
        sql: Table::create()
            .table((s.to_owned(), "days"))
            .col(ColumnDef::new("d").crate_type(CrateType::Date))
            .to_string(CrateDbQueryBuilder),
        min_version: Some((6, 5)),
    });
    let payload = CrateType::object(ColumnPolicy::Strict)
        .field(ColumnDef::new("level").integer().not_null().default(0))
        .field(ColumnDef::new("src").text().index_off())
        .field(
            ColumnDef::new("inner").crate_type(
                CrateType::object(ColumnPolicy::Dynamic)
                    .field(ColumnDef::new("x").crate_type(CrateType::array(CrateType::Text))),
            ),
        );
    steps.push(step(
        Table::create()
            .table((s.to_owned(), "events"))
            .col(ColumnDef::new("day").integer())
            .col(ColumnDef::new("payload").crate_type(payload))
            .to_string(CrateDbQueryBuilder),
    ));
    steps.push(step(full_table(s)));
    steps.push(step(
        Table::create()
            .table((s.to_owned(), "sharded"))
            .col(ColumnDef::new("id").integer().primary_key())
            .crate_options(TableOptions::new().shards(3))
            .to_string(CrateDbQueryBuilder),
    ));
    steps.push(step(
        Table::create()
            .table((s.to_owned(), "checked"))
            .col(ColumnDef::new("a").integer().null())
            .check(("a_positive", Expr::col("a").gt(0)))
            .to_string(CrateDbQueryBuilder),
    ));
    steps.push(step(
        Table::create()
            .table((s.to_owned(), "docs"))
            .col(ColumnDef::new("id").integer().primary_key())
            .col(ColumnDef::new("title").text())
            .col(ColumnDef::new("lang").text())
            .col(ColumnDef::new("a").integer())
            .col(ColumnDef::new("b").integer())
            .col(ColumnDef::new("a\"b").integer())
            .to_string(CrateDbQueryBuilder),
    ));
}

/// The golden tests' table with every clause (`full_cratedb_table_with_constraints_…`).
pub(super) fn full_table_statement(s: &str) -> sea_cratedb::sea_query::TableCreateStatement {
    Table::create()
        .table((s.to_owned(), "metrics"))
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
        .to_owned()
}

fn full_table(s: &str) -> String {
    full_table_statement(s).to_string(CrateDbQueryBuilder)
}

/// The partition of the row [`rows`] writes into `metrics` (`date_trunc('day', ts)`, in ms).
const DAY: i64 = 1_699_920_000_000;

/// Rows for `docs` and `metrics` (DML, written by hand: not what this group checks).
fn rows(s: &str, steps: &mut Vec<Step>) {
    steps.push(step(format!(
        r#"INSERT INTO "{s}"."docs" (id, title, lang, a, b, region) VALUES (1, 't1', 'en', 1, 2, 'eu'), (2, 't2', 'de', 3, 4, 'us')"#
    )));
    steps.push(step(format!(
        r#"INSERT INTO "{s}"."metrics" (id, tenant, ts) VALUES ('m1', 'acme', 1700000000000)"#
    )));
    steps.push(step(built(
        RefreshTable::new((s.to_owned(), "docs")).try_to_string(),
    )));
    steps.push(step(built(
        RefreshTable::new((s.to_owned(), "metrics"))
            .partition([("day", DAY)])
            .table((s.to_owned(), "docs"))
            .table((s.to_owned(), "events"))
            .try_to_string(),
    )));
}

/// `ALTER TABLE` in every form the builder writes, on tables that have what each form needs.
fn alter_tables(s: &str, steps: &mut Vec<Step>) {
    let docs = || AlterTable::new((s.to_owned(), "docs"));
    let object = CrateType::object(ColumnPolicy::Strict)
        .field(ColumnDef::new("level").integer().not_null())
        .field(ColumnDef::new("inner").crate_type(
            CrateType::object(ColumnPolicy::Dynamic).field(ColumnDef::new("src").text()),
        ));
    for alter in [
        docs().add_column(ColumnDef::new("region").text().not_null()),
        docs()
            .add_column(ColumnDef::new("c1").integer())
            .add_column(ColumnDef::new("c2").text()),
        docs().add_column(ColumnDef::new("meta").crate_type(object)),
        docs().add_column(ColumnDef::new(path("meta", ["source", "url"])).text()),
        docs().add_column(ColumnDef::new(path("meta", ["origin"])).crate_type(
            CrateType::object(ColumnPolicy::Dynamic).field(ColumnDef::new("url").text()),
        )),
        docs()
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
            ),
        docs()
            .drop_column("c1")
            .drop_column_if_exists("c_missing")
            .drop_column(path("meta", ["origin"])),
        docs().rename_column("c2", "c3"),
        docs().rename_column("a\"b", "ab"),
        docs().rename_column(path("meta", ["level"]), path("meta", ["lvl"])),
        docs()
            .set("number_of_replicas", Replicas::UpToAll(1))
            .set("refresh_interval", 500)
            .set("blocks.read_only", false),
        docs()
            .set("refresh_interval", 100)
            .set("refresh_interval", 200),
        docs().reset(["refresh_interval", "blocks.read_only", "number_of_replicas"]),
        AlterTable::new((s.to_owned(), "checked")).drop_constraint("a_positive"),
        AlterTable::new((s.to_owned(), "sharded")).rename_to("sharded_renamed"),
    ] {
        steps.push(step(built(alter.try_to_string())));
    }
}

/// `ALTER TABLE ONLY` on the partitioned table, once it has a partition.
fn alter_with_rows(s: &str, steps: &mut Vec<Step>) {
    let only = AlterTable::new((s.to_owned(), "metrics"))
        .only()
        .set("number_of_replicas", Replicas::Fixed(0));
    steps.push(step(built(only.try_to_string())));
}

/// Close and open a partition and a whole table: last before the drops, as a reopened table's
/// shards take a moment to become available again.
fn close_and_open(s: &str, steps: &mut Vec<Step>) {
    let metrics = || AlterTable::new((s.to_owned(), "metrics"));
    let docs = || AlterTable::new((s.to_owned(), "docs"));
    for alter in [
        metrics().partition([("day", DAY)]).close(),
        metrics().partition([("day", DAY)]).open(),
        docs().close(),
        docs().open(),
    ] {
        steps.push(step(built(alter.try_to_string())));
    }
}

fn docs_query(s: &str) -> SelectStatement {
    Query::select()
        .columns(["id", "title"])
        .from((s.to_owned(), "docs"))
        .and_where(Expr::col("lang").eq("en"))
        .to_owned()
}

/// Views, `CREATE TABLE AS`, `OPTIMIZE`, `SHOW CREATE TABLE`, blob tables, `SET` / `RESET`.
fn other_statements(s: &str, blob: &str, steps: &mut Vec<Step>) {
    let view = (s.to_owned(), "docs_en");
    steps.push(step(built(
        CreateView::new(view.clone(), docs_query(s)).try_to_string(),
    )));
    steps.push(step(built(
        CreateView::new(view.clone(), docs_query(s))
            .or_replace()
            .try_to_string(),
    )));
    steps.push(step(built(
        CreateTableAs::new((s.to_owned(), "docs_copy"), docs_query(s)).try_to_string(),
    )));
    steps.push(step(built(
        CreateTableAs::new((s.to_owned(), "docs_copy"), docs_query(s))
            .if_not_exists()
            .try_to_string(),
    )));
    for optimize in [
        OptimizeTable::new((s.to_owned(), "docs")),
        OptimizeTable::new((s.to_owned(), "docs"))
            .max_num_segments(1)
            .flush(false),
        OptimizeTable::new((s.to_owned(), "metrics"))
            .partition([("day", DAY)])
            .table((s.to_owned(), "docs"))
            .only_expunge_deletes(true)
            .param("upgrade_segments", false),
    ] {
        steps.push(step(built(optimize.try_to_string())));
    }
    steps.push(step(
        ShowCreateTable::new((s.to_owned(), "metrics")).to_string(),
    ));
    steps.push(step(
        CreateBlobTable::new(format!("{blob}_plain")).to_string(),
    ));
    steps.push(step(
        CreateBlobTable::new(blob.to_owned())
            .shards(3)
            .number_of_replicas(Replicas::Fixed(0))
            .to_string(),
    ));
    for alter in [
        AlterTable::new(blob.to_owned())
            .blob()
            .set("number_of_replicas", Replicas::Range(0, 1)),
        AlterTable::new(blob.to_owned())
            .blob()
            .reset(["number_of_replicas"]),
    ] {
        steps.push(step(built(alter.try_to_string())));
    }
    for set in [
        Set::session("search_path", [s, "doc"]),
        Set::session("statement_timeout", [ParamValue::Int(0)]),
        Set::session("enable_hashjoin", [false]),
        Set::to_default("search_path"),
        Set::global(
            Persistence::Transient,
            "cluster.routing.allocation.total_shards_per_node",
            -1,
        ),
        Set::global(Persistence::Persistent, "stats.enabled", true),
    ] {
        steps.push(step(built(set.try_to_string())));
    }
    for reset in [
        ResetGlobal::new("cluster.routing.allocation.total_shards_per_node"),
        ResetGlobal::new("stats.enabled"),
    ] {
        steps.push(step(reset.to_string()));
    }
}

/// `DROP VIEW`, `DROP TABLE` (plain, `IF EXISTS`, blob): everything the run created.
fn drops(s: &str, blob: &str, steps: &mut Vec<Step>) {
    steps.push(step(built(
        DropView::new([(s.to_owned(), "docs_en")]).try_to_string(),
    )));
    steps.push(step(built(
        DropView::new([(s.to_owned(), "docs_en"), (s.to_owned(), "gone")])
            .if_exists()
            .try_to_string(),
    )));
    steps.push(step(
        DropTable::new((s.to_owned(), "docs_copy")).to_string(),
    ));
    for table in [
        "all_types",
        "days",
        "events",
        "metrics",
        "sharded_renamed",
        "checked",
        "docs",
    ]
    .into_iter()
    .map(str::to_owned)
    .chain((0..21).map(|i| format!("crate_type_{i}")))
    {
        steps.push(step(
            DropTable::new((s.to_owned(), table))
                .if_exists()
                .to_string(),
        ));
    }
    for name in [blob.to_owned(), format!("{blob}_plain")] {
        steps.push(step(DropTable::new(name).blob().if_exists().to_string()));
    }
}

/// `COPY TO` and `COPY FROM` through a directory on the node's file system: only when the node
/// runs on this machine (a loopback host), else `None` with the reason.
fn copy_steps(target: &Target, s: &str, dir: &std::path::Path) -> Result<Vec<Step>, String> {
    let host = target.options().get_hosts()[0].to_string();
    if !(host.contains("127.0.0.1") || host.contains("localhost") || host.contains("[::1]")) {
        return Err(format!(
            "COPY needs a directory the node ({host}) can write and this test can read"
        ));
    }
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        // The node may run as another OS user than the test.
        let open = std::fs::Permissions::from_mode(0o777);
        std::fs::set_permissions(dir, open).map_err(|e| e.to_string())?;
    }
    let d = dir.display();
    let docs = (s.to_owned(), "docs");
    Ok(vec![
        step(built(
            CopyTo::new(docs.clone())
                .directory(&d.to_string())
                .try_to_string(),
        )),
        step(built(
            CopyTo::new((s.to_owned(), "metrics"))
                .partition([("day", DAY)])
                .columns(["id", "tenant"])
                .filter(Expr::col("tenant").eq("acme"))
                .filter(
                    Cond::any()
                        .add(Expr::col("id").eq("m1"))
                        .add(Expr::col("id").is_null()),
                )
                .directory(&format!("file://{d}"))
                .format(CopyToFormat::JsonArray)
                .wait_for_completion(true)
                .try_to_string(),
        )),
        step(built(
            CopyFrom::new(docs.clone())
                .uri(&format!("file://{d}/docs_*"))
                .overwrite_duplicates(true)
                .bulk_size(100)
                .fail_fast(false)
                .num_readers(1)
                .format(CopyFromFormat::Json)
                .return_summary()
                .try_to_string(),
        )),
        step(built(
            CopyFrom::new(docs)
                .columns(["id", "title", "lang", "a", "b", "region"])
                .uris([format!("file://{d}/docs_*")])
                .overwrite_duplicates(true)
                .try_to_string(),
        )),
    ])
}

/// Builds each kind of statement through the public builders and runs it in a scratch schema,
/// in an order where every statement finds what it needs; reports every statement CrateDB
/// rejects (with its SQL and the error) and skips, with the reason, what needs a newer CrateDB.
pub(crate) async fn every_builder_statement_runs(target: &Target) {
    let mut conn = CrateDbConnection::connect_with(target.options())
        .await
        .unwrap();
    let version = server_version(&mut conn).await;
    let s = unique("ddl");
    let blob = unique("ddl_blob");
    let dir = std::env::temp_dir().join(unique("ddl_copy"));
    let mut steps = Vec::new();
    create_tables(&s, &mut steps);
    alter_tables(&s, &mut steps);
    rows(&s, &mut steps);
    alter_with_rows(&s, &mut steps);
    match copy_steps(target, &s, &dir) {
        Ok(copy) => steps.extend(copy),
        Err(reason) => eprintln!("{}: COPY not run: {reason}", target.label()),
    }
    other_statements(&s, &blob, &mut steps);
    close_and_open(&s, &mut steps);
    drops(&s, &blob, &mut steps);

    let (mut ran, mut failures) = (0, String::new());
    for Step { sql, min_version } in steps {
        if let Some(min) = min_version.filter(|min| version < *min) {
            eprintln!(
                "{}: needs CrateDB {}.{} (server {}.{}), not run: {sql}",
                target.label(),
                min.0,
                min.1,
                version.0,
                version.1
            );
            continue;
        }
        ran += 1;
        if let Err(e) = sqlx::query(AssertSqlSafe(sql.clone()))
            .execute(&mut conn)
            .await
        {
            writeln!(failures, "\n  {sql}\n    -> {e}").unwrap();
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    conn.close().await.unwrap();
    eprintln!("{}: {ran} builder statements ran", target.label());
    assert!(failures.is_empty(), "CrateDB rejected:{failures}");
}
