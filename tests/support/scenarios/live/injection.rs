//! Live group `injection`: adversarial names and values, rendered by sea-cratedb's checked
//! entry points (values written inline as string literals, not bound), run on a real CrateDB.
//! Each name must create one column of that exact name, each value must be stored and compared
//! as one string: an `x' OR '1'='1` in a WHERE matches one row, not all. The grammar-level proof
//! over every builder surface is `sea-cratedb/tests/adversarial` with
//! `scripts/grammar/check_tokens.py`; this checks a sample against the server itself.

use sea_cratedb::CheckedQuery as _;
use sea_cratedb::CheckedSchema as _;
use sea_cratedb::expr::{path, subscript};
use sea_cratedb::sea_query::{Alias, ColumnDef, Expr, ExprTrait as _, Query, Table};
use sqlx::{AssertSqlSafe, Row as _};
use sqlx_cratedb::CrateDbPool;

use super::scenario;
use crate::scenarios::{Scenario, Target, exec, unique};

/// The scenarios of this group.
pub(super) const SCENARIOS: &[Scenario] = &[
    scenario!(adversarial_names_are_one_column_each),
    scenario!(adversarial_values_are_one_string_each),
];

/// Column names CrateDB accepts (it rejects `[`, `.` and a leading `_` in column names).
const NAMES: &[&str] = &[
    "x\"; DROP TABLE t; --",
    "it's",
    "a]b",
    "$1",
    "?",
    "/*",
    "--",
    "\\",
    "x\\",
    "a b",
    "na\u{ef}ve \u{1f600}",
    "select",
    "'",
    "E'x'",
];

/// String values: quotes, comment starts, placeholders, backslashes (also trailing), a bidi
/// control, other control characters, the old in-band path encoding and a 16,000-character
/// text (CrateDB caps a statement at 262,144 characters, `statement_max_length`, and the INSERT
/// writes it into every column; the grammar-level test renders 100k characters).
fn values() -> Vec<String> {
    let mut values: Vec<String> = [
        "'",
        "x' OR '1'='1",
        "\\",
        "x\\",
        "\\'",
        "--",
        "/* x",
        "*/",
        "$1",
        "?",
        "; DROP TABLE t; --",
        "\"",
        "a\u{202e}b",
        "tab\tnewline\nreturn\r",
        "\u{1}c\u{3}0] FROM secrets --",
        "",
    ]
    .map(str::to_owned)
    .to_vec();
    values.push(format!("X{}", "y".repeat(16_000)));
    values
}

/// Whether CrateDB takes `value` as an object key: a key becomes a sub-column name, which must
/// not be empty, hold whitespace control characters or be very long.
fn is_key(value: &str) -> bool {
    !value.is_empty() && value.len() < 200 && !value.chars().any(char::is_control)
}

/// A table `(id INT PRIMARY KEY, <each name> TEXT, o OBJECT(DYNAMIC))` made with
/// `Table::create()`; refreshed after `insert`.
async fn adversarial_table(pool: &CrateDbPool) -> String {
    let t = unique("injection");
    let mut create = Table::create();
    create
        .table(Alias::new(&t))
        .col(ColumnDef::new("id").integer().primary_key());
    for name in NAMES {
        create.col(ColumnDef::new(Alias::new(*name)).text());
    }
    create.col(ColumnDef::new("o").json());
    exec(pool, &create.try_to_string().expect("checked CREATE TABLE")).await;
    t
}

/// Every name is one column of exactly that name (`information_schema.columns`, read with the
/// table name bound).
pub(super) async fn adversarial_names_are_one_column_each(target: &Target) {
    let pool = target.pool().await;
    let t = adversarial_table(&pool).await;
    let rows = sqlx::query(
        "SELECT column_name FROM information_schema.columns WHERE table_name = $1 \
         ORDER BY ordinal_position",
    )
    .bind(&t)
    .fetch_all(&pool)
    .await
    .unwrap();
    let columns: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    let mut expected = vec!["id".to_owned()];
    expected.extend(NAMES.iter().map(|n| (*n).to_owned()));
    expected.push("o".to_owned());
    assert_eq!(columns, expected);
    exec(&pool, &format!("DROP TABLE \"{t}\"")).await;
}

/// Every value, written inline into every column and as an object key, reads back unchanged;
/// a WHERE with the value as an inline literal matches exactly its own row.
pub(super) async fn adversarial_values_are_one_string_each(target: &Target) {
    let pool = target.pool().await;
    let t = adversarial_table(&pool).await;
    let values = values();
    for (id, value) in values.iter().enumerate() {
        let mut insert = Query::insert();
        insert.into_table(Alias::new(&t)).columns(
            std::iter::once("id")
                .chain(NAMES.iter().copied())
                .map(Alias::new),
        );
        let row = std::iter::once(Expr::val(i32::try_from(id).unwrap()))
            .chain(NAMES.iter().map(|_| Expr::val(value.as_str())));
        insert.values_panic(row);
        exec(&pool, &insert.try_to_string().expect("checked INSERT")).await;
    }
    for (id, key) in values.iter().enumerate().filter(|(_, v)| is_key(v)) {
        // An object key from data: `"o"['<key>'] = <id>`.
        let update = Query::update()
            .table(Alias::new(&t))
            .value(path("o", [key.as_str()]), i32::try_from(id).unwrap())
            .and_where(Expr::col("id").eq(i32::try_from(id).unwrap()))
            .to_owned();
        exec(&pool, &update.try_to_string().expect("checked UPDATE")).await;
    }
    target.refresh(&pool, &format!("\"{t}\"")).await;
    for (id, value) in values.iter().enumerate() {
        let mut select = Query::select()
            .column("id")
            .columns(NAMES.iter().map(|n| Alias::new(*n)))
            .from(Alias::new(&t))
            .and_where(Expr::col(Alias::new(NAMES[0])).eq(value.as_str()))
            .to_owned();
        if is_key(value) {
            select.expr(subscript(Expr::col("o"), [value.as_str()]));
        }
        let sql = select.try_to_string().expect("checked SELECT");
        let rows = sqlx::query(AssertSqlSafe(sql.clone()))
            .fetch_all(&pool)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", &sql[..sql.len().min(300)]));
        assert_eq!(rows.len(), 1, "value {id} matches its row only");
        let row = &rows[0];
        assert_eq!(row.get::<i32, _>(0), i32::try_from(id).unwrap());
        for column in 1..=NAMES.len() {
            assert_eq!(&row.get::<String, _>(column), value, "value {id}");
        }
        if is_key(value) {
            // A dynamic object's new integer sub-column is a BIGINT.
            let key: i64 = row.get(NAMES.len() + 1);
            assert_eq!(key, i64::try_from(id).unwrap(), "object key {id}");
        }
    }
    exec(&pool, &format!("DROP TABLE \"{t}\"")).await;
}
