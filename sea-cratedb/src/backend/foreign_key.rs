//! `ForeignKeyBuilder` for CrateDB, which has no foreign keys: every form is reported to the
//! checked entry point and written in PostgreSQL's spelling, which CrateDB rejects.

use sea_query::{
    ForeignKeyBuilder, ForeignKeyCreateStatement, ForeignKeyDropStatement, PostgresQueryBuilder,
    SqlWriter, TableRef, TableRefBuilder, backend::Mode,
};

use super::CrateDbQueryBuilder;
use crate::{Unsupported, check};

impl ForeignKeyBuilder for CrateDbQueryBuilder {
    fn prepare_table_ref_fk_stmt(&self, table_ref: &TableRef, sql: &mut impl SqlWriter) {
        self.prepare_table_ref_iden(table_ref, sql);
    }

    fn prepare_foreign_key_drop_statement_internal(
        &self,
        drop: &ForeignKeyDropStatement,
        sql: &mut impl SqlWriter,
        mode: Mode,
    ) {
        check::report(Unsupported::ForeignKey);
        PostgresQueryBuilder.prepare_foreign_key_drop_statement_internal(drop, sql, mode);
    }

    fn prepare_foreign_key_create_statement_internal(
        &self,
        create: &ForeignKeyCreateStatement,
        sql: &mut impl SqlWriter,
        mode: Mode,
    ) {
        check::report(Unsupported::ForeignKey);
        PostgresQueryBuilder.prepare_foreign_key_create_statement_internal(create, sql, mode);
    }
}
