//! Opening the connection pool.

use sqlx_core::connection::Connection as _;
use sqlx_cratedb::{CrateDbConnectOptions, CrateDbConnection, CrateDbPool, CrateDbPoolOptions};

use crate::error::Error;

/// A pool of up to `connections` connections to `url`. One connection is opened first, on its
/// own: its error says why connecting fails (refused, authentication, TLS), where the pool
/// would only report a timeout after half a minute.
pub(crate) async fn pool(url: &str, connections: usize) -> Result<CrateDbPool, Error> {
    let options: CrateDbConnectOptions = url
        .parse()
        .map_err(|e| Error::database("reading the URL", e))?;
    let first = CrateDbConnection::connect_with(&options)
        .await
        .map_err(|e| Error::database("connecting", e))?;
    // The probe has done its work; an error closing it changes nothing.
    let _ = first.close().await;
    CrateDbPoolOptions::new()
        .max_connections(u32::try_from(connections.max(1)).unwrap_or(u32::MAX))
        .connect_with(options)
        .await
        .map_err(|e| Error::database("connecting", e))
}
