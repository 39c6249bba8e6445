//! `DROP [BLOB] TABLE [IF EXISTS] t`.

use std::fmt;

use sea_query::TableName;

use super::write_table_name;

/// `DROP [BLOB] TABLE [IF EXISTS] t`: one table per statement, as CrateDB requires.
///
/// # Examples
///
/// ```
/// use sea_cratedb::DropTable;
///
/// assert_eq!(
///     DropTable::new(("doc", "metrics")).if_exists().to_string(),
///     r#"DROP TABLE IF EXISTS "doc"."metrics""#
/// );
/// assert_eq!(DropTable::new("images").blob().to_string(), r#"DROP BLOB TABLE "images""#);
/// ```
#[derive(Debug, Clone)]
pub struct DropTable {
    table: TableName,
    if_exists: bool,
    blob: bool,
}

impl DropTable {
    /// Drops `table`: a name, or `(schema, name)`.
    pub fn new(table: impl Into<TableName>) -> Self {
        Self {
            table: table.into(),
            if_exists: false,
            blob: false,
        }
    }

    /// `IF EXISTS`: no error when the table does not exist.
    pub fn if_exists(mut self) -> Self {
        self.if_exists = true;
        self
    }

    /// `DROP BLOB TABLE`: the table is a blob table (schema `blob`; give the bare name).
    pub fn blob(mut self) -> Self {
        self.blob = true;
        self
    }
}

impl fmt::Display for DropTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sql = String::from(if self.blob {
            "DROP BLOB TABLE "
        } else {
            "DROP TABLE "
        });
        if self.if_exists {
            sql.push_str("IF EXISTS ");
        }
        write_table_name(&self.table, &mut sql);
        f.write_str(&sql)
    }
}
