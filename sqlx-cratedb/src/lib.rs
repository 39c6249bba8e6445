#![doc = include_str!("lib.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "any")]
pub mod any;
pub mod blob;
pub mod bulk;
pub mod connection;
mod database;
pub mod error;
#[doc(hidden)]
pub mod fuzz;
#[cfg(feature = "macros")]
mod macros;
#[cfg(feature = "migrate")]
pub mod migrate;
mod model;
pub mod options;
mod protocol;
#[cfg(feature = "json")]
pub mod reflect;
#[cfg(feature = "sea-query")]
pub mod sea_query;
mod transaction;
pub mod types;

pub use connection::CrateDbConnection;
pub use database::CrateDb;
pub use error::{CrateDbDatabaseError, CrateDbWriteOutcome};
pub use model::arguments::{CrateDbArgumentBuffer, CrateDbArguments};
pub use model::bulk_result::{CrateDbBulkResult, CrateDbBulkRow};
pub use model::column::CrateDbColumn;
pub use model::query_result::CrateDbQueryResult;
pub use model::row::CrateDbRow;
pub use model::statement::CrateDbStatement;
pub use model::value::{CrateDbValue, CrateDbValueRef};
pub use options::{
    CrateDbConnectOptions, CrateDbHost, CrateDbPem, CrateDbProtocol, CrateDbTokenProvider,
};
pub use protocol::type_info::CrateDbTypeInfo;
pub use transaction::CrateDbTransactionManager;

/// Decoder entry points for the fuzz targets (`fuzz/`) and the corpus replay test. Not API:
/// hidden, exempt from semver, may change with any release.
#[doc(hidden)]
pub use fuzz as __fuzz;

/// The crates whose types the `query!` macros of `sqlx-cratedb-macros` name in generated
/// code, re-exported so that the code resolves with `sqlx_cratedb` alone. Not API: hidden,
/// exempt from semver.
#[doc(hidden)]
pub mod __macros {
    #[cfg(feature = "chrono")]
    pub use chrono;
    #[cfg(feature = "rust_decimal")]
    pub use rust_decimal::Decimal;
    #[cfg(feature = "json")]
    pub use serde_json::Value as JsonValue;
    #[cfg(feature = "time")]
    pub use time;
    #[cfg(feature = "uuid")]
    pub use uuid::Uuid;
}

/// A pool of CrateDB connections.
pub type CrateDbPool = sqlx_core::pool::Pool<CrateDb>;
/// Pool options for CrateDB.
pub type CrateDbPoolOptions = sqlx_core::pool::PoolOptions<CrateDb>;
/// A CrateDB "transaction" (a depth counter: CrateDB has no transactions, see the crate docs).
pub type CrateDbTransaction<'c> = sqlx_core::transaction::Transaction<'c, CrateDb>;

/// An alias for [`Executor<'_, Database = CrateDb>`](sqlx_core::executor::Executor).
pub trait CrateDbExecutor<'c>: sqlx_core::executor::Executor<'c, Database = CrateDb> {}
impl<'c, T: sqlx_core::executor::Executor<'c, Database = CrateDb>> CrateDbExecutor<'c> for T {}

// The sqlx glue every driver provides.
sqlx_core::impl_into_arguments_for_arguments!(CrateDbArguments);
sqlx_core::impl_acquire!(CrateDb, CrateDbConnection);
sqlx_core::impl_encode_for_option!(CrateDb);
