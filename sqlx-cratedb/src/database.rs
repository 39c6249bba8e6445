//! [`CrateDb`]: the `sqlx::Database` implementation, the driver's table of contents.

use sqlx_core::database::Database;

use crate::connection::CrateDbConnection;
use crate::model::arguments::{CrateDbArgumentBuffer, CrateDbArguments};
use crate::model::column::CrateDbColumn;
use crate::model::query_result::CrateDbQueryResult;
use crate::model::row::CrateDbRow;
use crate::model::statement::CrateDbStatement;
use crate::model::value::{CrateDbValue, CrateDbValueRef};
use crate::protocol::type_info::CrateDbTypeInfo;
use crate::transaction::CrateDbTransactionManager;

/// The CrateDB database driver for sqlx.
#[derive(Debug)]
pub struct CrateDb;

impl Database for CrateDb {
    type Connection = CrateDbConnection;
    type TransactionManager = CrateDbTransactionManager;
    type Row = CrateDbRow;
    type QueryResult = CrateDbQueryResult;
    type Column = CrateDbColumn;
    type TypeInfo = CrateDbTypeInfo;
    type Value = CrateDbValue;
    type ValueRef<'r> = CrateDbValueRef<'r>;
    type Arguments = CrateDbArguments;
    type ArgumentBuffer = CrateDbArgumentBuffer;
    type Statement = CrateDbStatement;

    const NAME: &'static str = "CrateDB";

    /// `crate://` (HTTP, or HTTPS with `?sslmode=require`), `crate+https://`, and for the
    /// PostgreSQL wire protocol `crate+pg://` / `crate+pgs://` (TLS). Plain `http://`,
    /// `https://`, `postgres://` and `postgresql://` URLs are accepted by
    /// `CrateDbConnectOptions` but are not registered with `sqlx::Any`, where they would be
    /// ambiguous.
    const URL_SCHEMES: &'static [&'static str] = &[
        "crate",
        "crate+http",
        "crate+https",
        "crate+pg",
        "crate+pgs",
    ];
}
