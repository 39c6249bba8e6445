//! `TableBuilder` for CrateDB: column types and constraints, and guards for sea-query table
//! features CrateDB lacks.

use sea_query::{
    ColumnDef, ColumnSpec, ColumnType, Expr, PartitionBy, PartitionValues, PostgresQueryBuilder,
    QueryBuilder, SqlWriter, StringLen, TableAlterStatement, TableBuilder, TableCreateStatement,
    TableDropOpt, TableRef, TableRefBuilder, TableRenameStatement,
};

use super::CrateDbQueryBuilder;
use crate::{
    Unsupported, report, seal,
    write::{index_marker::named_index_method, name::write_checked_identifier, path::write_name},
};

fn put(sql: &mut impl SqlWriter, text: &str) {
    let _ = sql.write_str(text);
}

impl TableBuilder for CrateDbQueryBuilder {
    fn prepare_column_def(&self, column_def: &ColumnDef, sql: &mut impl SqlWriter) {
        let name = column_def.get_column_name();
        let spec = column_def.get_column_spec();
        // A name rejected when a clause of this column was built (see `seal::render_collecting`).
        seal::report_rejected(spec.comment.as_ref());
        if let Some(ColumnType::Custom(marker)) = column_def.get_column_type()
            && let Some(method) = named_index_method(&marker.inner())
        {
            // A named index (`FulltextIndex`, `PlainIndex`): `INDEX "name" USING <method> (…)`.
            put(sql, "INDEX ");
            write_checked_identifier(&name, sql);
            put(sql, " USING ");
            put(sql, method);
            if let Some(extra) = &spec.extra {
                put(sql, " ");
                put(sql, extra);
            }
            return;
        }
        // A `Path` names an object sub-column (`ALTER TABLE … ADD COLUMN "o"['k'] …`).
        write_name(&name, sql);
        if let Some(column_type) = column_def.get_column_type() {
            put(sql, " ");
            self.prepare_column_type(column_type, sql);
        }
        self.prepare_column_spec(spec, sql);
    }

    // One arm per sea-query type family, each with its own reason, even where texts repeat.
    #[allow(clippy::match_same_arms)]
    fn prepare_column_type(&self, column_type: &ColumnType, sql: &mut impl SqlWriter) {
        let text: std::borrow::Cow<'_, str> = match column_type {
            ColumnType::Char(Some(n)) => format!("CHARACTER({n})").into(),
            ColumnType::Char(None) => "CHARACTER".into(),
            ColumnType::String(StringLen::N(n)) => format!("VARCHAR({n})").into(),
            ColumnType::String(_) | ColumnType::Text => "TEXT".into(),
            ColumnType::TinyInteger => "BYTE".into(),
            ColumnType::SmallInteger | ColumnType::TinyUnsigned => "SMALLINT".into(),
            ColumnType::Integer | ColumnType::SmallUnsigned => "INTEGER".into(),
            // Values above i64::MAX are rejected when bound (`InvalidValue`).
            ColumnType::BigInteger | ColumnType::Unsigned | ColumnType::BigUnsigned => {
                "BIGINT".into()
            }
            ColumnType::Float => "REAL".into(),
            ColumnType::Double => "DOUBLE PRECISION".into(),
            ColumnType::Decimal(Some((p, s))) => format!("NUMERIC({p}, {s})").into(),
            ColumnType::Decimal(None) => {
                report::report(Unsupported::ColumnType(
                    "NUMERIC without precision (CrateDB stores NUMERIC(p, s) only)".into(),
                ));
                "NUMERIC".into()
            }
            ColumnType::DateTime | ColumnType::Timestamp => "TIMESTAMP WITHOUT TIME ZONE".into(),
            ColumnType::TimestampWithTimeZone => "TIMESTAMP WITH TIME ZONE".into(),
            ColumnType::Date => "DATE".into(),
            ColumnType::Boolean => "BOOLEAN".into(),
            ColumnType::Bit(Some(n)) => format!("BIT({n})").into(),
            ColumnType::Bit(None) => "BIT".into(),
            ColumnType::Json | ColumnType::JsonBinary => "OBJECT(DYNAMIC)".into(),
            // Text holds a UUID on every CrateDB version (the UUID type needs 6.2).
            ColumnType::Uuid => "TEXT".into(),
            // CrateDB has no enum types: the label is stored as text.
            ColumnType::Enum { .. } => "TEXT".into(),
            ColumnType::Inet | ColumnType::Cidr => "IP".into(),
            ColumnType::Vector(Some(n)) => format!("FLOAT_VECTOR({n})").into(),
            ColumnType::Custom(iden) => iden.inner(),
            ColumnType::Array(inner) => {
                put(sql, "ARRAY(");
                self.prepare_column_type(inner, sql);
                put(sql, ")");
                return;
            }
            other => {
                let name = unsupported_type_name(other);
                report::report(Unsupported::ColumnType(name.to_owned()));
                name.into()
            }
        };
        put(sql, &text);
    }

    fn prepare_column_spec(&self, spec: &ColumnSpec, sql: &mut impl SqlWriter) {
        if let Some(nullable) = spec.nullable {
            put(sql, if nullable { " NULL" } else { " NOT NULL" });
        }
        if let Some(default) = &spec.default {
            put(sql, " DEFAULT ");
            self.prepare_expr(default, sql);
        }
        if let Some(generated) = &spec.generated {
            self.prepare_generated_column(&generated.expr, generated.stored, sql);
        }
        if spec.primary_key {
            put(sql, " PRIMARY KEY");
        }
        if spec.auto_increment {
            report::report(Unsupported::AutoIncrement);
            put(sql, self.column_spec_auto_increment_keyword());
        }
        if spec.unique {
            report::report(Unsupported::Unique);
            put(sql, " UNIQUE");
        }
        if let Some(check) = &spec.check {
            put(sql, " ");
            self.prepare_check_constraint(check, sql);
        }
        if let Some(extra) = &spec.extra {
            put(sql, " ");
            put(sql, extra);
        }
        // Column comments have no CrateDB form; they are documentation only and not written.
    }

    /// Written only for the unchecked path (the checked one reports `AutoIncrement`), in
    /// PostgreSQL's spelling so that CrateDB rejects the statement.
    fn column_spec_auto_increment_keyword(&self) -> &'static str {
        " GENERATED BY DEFAULT AS IDENTITY"
    }

    fn prepare_generated_column(&self, expr: &Expr, _stored: bool, sql: &mut impl SqlWriter) {
        // CrateDB computes generated columns on write and has no STORED / VIRTUAL keyword.
        put(sql, " GENERATED ALWAYS AS (");
        self.prepare_expr(expr, sql);
        put(sql, ")");
    }

    fn prepare_create_temporary_table(
        &self,
        create: &TableCreateStatement,
        sql: &mut impl SqlWriter,
    ) {
        let mut word = String::new();
        PostgresQueryBuilder.prepare_create_temporary_table(create, &mut word);
        if !word.is_empty() {
            report::report(Unsupported::TemporaryTable);
            put(sql, &word);
        }
    }

    fn prepare_table_ref_table_stmt(&self, table_ref: &TableRef, sql: &mut impl SqlWriter) {
        match table_ref {
            TableRef::Table(name, alias) => {
                report::count_table_ref();
                if alias.is_some() {
                    report::report(Unsupported::TableRefInDdl);
                }
                self.prepare_table_name(name, sql);
            }
            other => {
                report::report(Unsupported::TableRefInDdl);
                self.prepare_table_ref(other, sql);
            }
        }
    }

    /// Reported; nothing more is written, so CrateDB rejects the dangling `PARTITION BY`.
    fn prepare_partition_by(&self, _: &PartitionBy, _: &mut impl SqlWriter) {
        report::report(Unsupported::PostgresPartitioning);
    }

    fn prepare_partition_values(&self, _: &PartitionValues, _: &mut impl SqlWriter) {
        report::report(Unsupported::PostgresPartitioning);
    }

    fn prepare_table_opt(&self, create: &TableCreateStatement, sql: &mut impl SqlWriter) {
        // A name rejected when `crate_options` rendered the CrateDB clauses.
        seal::report_rejected(create.get_comment());
        let mut options = String::new();
        PostgresQueryBuilder.prepare_table_opt(create, &mut options);
        if !options.is_empty() {
            report::report(Unsupported::TableOption);
            put(sql, &options);
        }
    }

    fn prepare_table_drop_opt(&self, drop_opt: &TableDropOpt, sql: &mut impl SqlWriter) {
        report::report(Unsupported::DropTableOptions);
        PostgresQueryBuilder.prepare_table_drop_opt(drop_opt, sql);
    }

    /// sea-query keeps the alterations private (and PostgreSQL's rendering would use
    /// PostgreSQL types), so only `ALTER TABLE` is written, which CrateDB rejects; the checked
    /// path points at [`AlterTable`](crate::AlterTable).
    fn prepare_table_alter_statement(&self, _: &TableAlterStatement, sql: &mut impl SqlWriter) {
        report::report(Unsupported::TableAlter);
        put(sql, "ALTER TABLE");
    }

    fn prepare_table_rename_statement(
        &self,
        rename: &TableRenameStatement,
        sql: &mut impl SqlWriter,
    ) {
        // `ALTER TABLE "a" RENAME TO "b"` is the same in CrateDB and PostgreSQL, but sea-query
        // keeps both names private, so the checked path cannot check them and points at
        // `AlterTable::rename_to`, which can.
        report::report(Unsupported::TableRename);
        PostgresQueryBuilder.prepare_table_rename_statement(rename, sql);
    }
}

/// The SQL name of a sea-query column type CrateDB lacks (written verbatim when unchecked).
fn unsupported_type_name(column_type: &ColumnType) -> &'static str {
    match column_type {
        ColumnType::Blob => "BLOB",
        ColumnType::Binary(_) => "BINARY",
        ColumnType::VarBinary(_) => "VARBINARY",
        ColumnType::VarBit(_) => "VARBIT",
        ColumnType::Time => "TIME",
        ColumnType::Year => "YEAR",
        ColumnType::Interval(..) => "INTERVAL",
        ColumnType::Money(_) => "MONEY",
        ColumnType::MacAddr => "MACADDR",
        ColumnType::LTree => "LTREE",
        ColumnType::Vector(None) => "VECTOR (FLOAT_VECTOR needs a dimension)",
        _ => "an unknown sea-query type",
    }
}
