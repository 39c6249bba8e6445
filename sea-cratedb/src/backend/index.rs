//! `IndexBuilder` for CrateDB: only primary keys. CrateDB indexes every column by default and
//! declares fulltext indexes inside `CREATE TABLE`; there is no `CREATE INDEX`.

use sea_query::{
    IndexBuilder, IndexCreateStatement, IndexDropStatement, SqlWriter, TableRef, TableRefBuilder,
};

use super::CrateDbQueryBuilder;
use crate::{Unsupported, report, write::name::write_checked_identifier, write::path::write_name};

impl IndexBuilder for CrateDbQueryBuilder {
    fn prepare_index_create_statement(
        &self,
        create: &IndexCreateStatement,
        sql: &mut impl SqlWriter,
    ) {
        // CrateDB has no CREATE INDEX; only the head is written, which CrateDB rejects.
        report::report(Unsupported::SecondaryIndex);
        let _ = sql.write_str("CREATE INDEX ");
        write_checked_identifier(create.get_index_spec().get_name().unwrap_or_default(), sql);
    }

    /// A table-level key inside `CREATE TABLE`: `CONSTRAINT "name" PRIMARY KEY ("a", "b")`, the
    /// name quoted like every identifier (sea-query's default writes it without escaping).
    fn prepare_table_index_expression(
        &self,
        create: &IndexCreateStatement,
        sql: &mut impl SqlWriter,
    ) {
        if let Some(name) = create.get_index_spec().get_name() {
            let _ = sql.write_str("CONSTRAINT ");
            write_checked_identifier(name, sql);
            let _ = sql.write_str(" ");
        }
        self.prepare_index_prefix(create, sql);
        // CrateDB keys are plain columns (no expressions, prefixes or orders).
        let _ = sql.write_str("(");
        for (i, column) in create
            .get_index_spec()
            .get_column_names()
            .iter()
            .enumerate()
        {
            if i > 0 {
                let _ = sql.write_str(", ");
            }
            write_name(column, sql);
        }
        let _ = sql.write_str(")");
    }

    fn prepare_table_ref_index_stmt(&self, table_ref: &TableRef, sql: &mut impl SqlWriter) {
        self.prepare_table_ref_iden(table_ref, sql);
    }

    fn prepare_index_drop_statement(&self, _: &IndexDropStatement, sql: &mut impl SqlWriter) {
        report::report(Unsupported::SecondaryIndex);
        let _ = sql.write_str("DROP INDEX");
    }

    fn prepare_index_prefix(&self, create: &IndexCreateStatement, sql: &mut impl SqlWriter) {
        if create.is_primary_key() {
            let _ = sql.write_str("PRIMARY KEY ");
        } else if create.is_unique_key() {
            report::report(Unsupported::Unique);
            let _ = sql.write_str("UNIQUE ");
        } else {
            report::report(Unsupported::SecondaryIndex);
            let _ = sql.write_str("INDEX ");
        }
    }
}
