//! [`CrateDbStatement`]: a statement's SQL (CrateDB's HTTP endpoint has no server-side prepare).

use std::sync::Arc;

use sqlx_core::Either;
use sqlx_core::column::ColumnIndex;
use sqlx_core::error::Error;
use sqlx_core::sql_str::SqlStr;
use sqlx_core::statement::Statement;

use crate::database::CrateDb;
use crate::model::arguments::CrateDbArguments;
use crate::model::column::CrateDbColumn;
use crate::protocol::type_info::CrateDbTypeInfo;

/// A "prepared" statement. The HTTP endpoint parses every request anew, so preparing only
/// records the SQL: columns and parameter types are not known before execution.
#[derive(Debug, Clone)]
pub struct CrateDbStatement {
    pub(crate) sql: SqlStr,
    pub(crate) columns: Arc<[CrateDbColumn]>,
}

impl Statement for CrateDbStatement {
    type Database = CrateDb;

    fn into_sql(self) -> SqlStr {
        self.sql
    }

    fn sql(&self) -> &SqlStr {
        &self.sql
    }

    fn parameters(&self) -> Option<Either<&[CrateDbTypeInfo], usize>> {
        None
    }

    fn columns(&self) -> &[CrateDbColumn] {
        &self.columns
    }

    sqlx_core::impl_statement_query!(CrateDbArguments);
}

impl ColumnIndex<CrateDbStatement> for &'_ str {
    fn index(&self, statement: &CrateDbStatement) -> Result<usize, Error> {
        statement
            .columns
            .iter()
            .position(|c| &*c.name == *self)
            .ok_or_else(|| Error::ColumnNotFound((*self).into()))
    }
}

impl ColumnIndex<CrateDbStatement> for usize {
    fn index(&self, statement: &CrateDbStatement) -> Result<usize, Error> {
        let len = statement.columns.len();
        if *self >= len {
            return Err(Error::ColumnIndexOutOfBounds { len, index: *self });
        }
        Ok(*self)
    }
}
