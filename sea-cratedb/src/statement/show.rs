//! `SHOW CREATE TABLE t`.

use std::fmt;

use sea_query::TableName;

use super::write_table_name;

/// `SHOW CREATE TABLE t`: one row with the table's `CREATE TABLE` statement.
///
/// # Examples
///
/// ```
/// use sea_cratedb::ShowCreateTable;
///
/// assert_eq!(
///     ShowCreateTable::new(("doc", "metrics")).to_string(),
///     r#"SHOW CREATE TABLE "doc"."metrics""#
/// );
/// ```
#[derive(Debug, Clone)]
pub struct ShowCreateTable {
    table: TableName,
}

impl ShowCreateTable {
    /// Shows `table`: a name, or `(schema, name)`.
    pub fn new(table: impl Into<TableName>) -> Self {
        Self {
            table: table.into(),
        }
    }
}

impl fmt::Display for ShowCreateTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sql = String::from("SHOW CREATE TABLE ");
        write_table_name(&self.table, &mut sql);
        f.write_str(&sql)
    }
}
