//! `ForeignKeyBuilder` for CrateDB, which has no foreign keys: every form is reported to the
//! checked entry point, and only the words `FOREIGN KEY` are written, which CrateDB rejects.

use sea_query::{
    ForeignKeyBuilder, ForeignKeyCreateStatement, ForeignKeyDropStatement, SqlWriter, TableRef,
    TableRefBuilder, backend::Mode,
};

use super::CrateDbQueryBuilder;
use crate::{Unsupported, report};

impl ForeignKeyBuilder for CrateDbQueryBuilder {
    fn prepare_table_ref_fk_stmt(&self, table_ref: &TableRef, sql: &mut impl SqlWriter) {
        self.prepare_table_ref_iden(table_ref, sql);
    }

    fn prepare_foreign_key_drop_statement_internal(
        &self,
        _: &ForeignKeyDropStatement,
        sql: &mut impl SqlWriter,
        _: Mode,
    ) {
        report::report(Unsupported::ForeignKey);
        let _ = sql.write_str("DROP FOREIGN KEY");
    }

    fn prepare_foreign_key_create_statement_internal(
        &self,
        _: &ForeignKeyCreateStatement,
        sql: &mut impl SqlWriter,
        _: Mode,
    ) {
        report::report(Unsupported::ForeignKey);
        let _ = sql.write_str("FOREIGN KEY");
    }
}
