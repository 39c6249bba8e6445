//! [`CrateDbTransactionManager`]: CrateDB has no transactions; this only counts depth.
//!
//! `begin` and `commit` are harmless: nothing is sent (CrateDB would accept `BEGIN`/`COMMIT` as
//! no-ops anyway). Every statement commits on its own as soon as it runs. A rollback cannot undo
//! anything, so it logs a warning that says how many statements already took effect.

use sqlx_core::error::Error;
use sqlx_core::sql_str::SqlStr;
use sqlx_core::transaction::TransactionManager;

use crate::connection::CrateDbConnection;
use crate::database::CrateDb;

/// The transaction manager: a depth counter plus a warning on rollback. See the crate docs,
/// "Differences from PostgreSQL".
#[derive(Debug, Clone, Copy, Default)]
pub struct CrateDbTransactionManager;

fn warn_rollback(conn: &mut CrateDbConnection) {
    let applied = conn.tx.statements;
    log::warn!(
        "sqlx-cratedb: ROLLBACK requested, but CrateDB has no transactions; \
         {applied} statement(s) executed since BEGIN already took effect and cannot be undone"
    );
}

impl TransactionManager for CrateDbTransactionManager {
    type Database = CrateDb;

    async fn begin(conn: &mut CrateDbConnection, statement: Option<SqlStr>) -> Result<(), Error> {
        if let Some(sql) = statement {
            if conn.tx.depth > 0 {
                return Err(Error::InvalidSavePointStatement);
            }
            // A custom BEGIN statement is the user's choice: run it (CrateDB treats BEGIN as a
            // no-op).
            conn.execute_simple(sql.as_str()).await?;
        }
        if conn.tx.depth == 0 {
            conn.tx.statements = 0;
        }
        conn.tx.depth += 1;
        Ok(())
    }

    async fn commit(conn: &mut CrateDbConnection) -> Result<(), Error> {
        conn.tx.depth = conn.tx.depth.saturating_sub(1);
        Ok(())
    }

    async fn rollback(conn: &mut CrateDbConnection) -> Result<(), Error> {
        if conn.tx.depth > 0 {
            warn_rollback(conn);
            conn.tx.depth -= 1;
        }
        Ok(())
    }

    fn start_rollback(conn: &mut CrateDbConnection) {
        if conn.tx.depth > 0 {
            warn_rollback(conn);
            conn.tx.depth -= 1;
        }
    }

    fn get_transaction_depth(conn: &CrateDbConnection) -> usize {
        conn.tx.depth
    }
}
