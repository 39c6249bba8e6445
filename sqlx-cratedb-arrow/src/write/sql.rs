//! The `CREATE TABLE` and `INSERT` statements of a write, built with sea-cratedb (names quoted
//! by its one quoting function).

use arrow_schema::Schema;
use sea_cratedb::sea_query::{ColumnDef, Expr, Index, OnConflict, Query, Table, TableRef};
use sea_cratedb::{CheckedQuery as _, CheckedSchema as _, CrateColumnExt as _};

use super::{WriteMode, WriteOptions};
use crate::error::Error;
use crate::types::crate_type;

fn table_ref(options: &WriteOptions) -> TableRef {
    match &options.schema {
        Some(schema) => (schema.clone(), options.table.clone()).into(),
        None => options.table.clone().into(),
    }
}

fn check_key(schema: &Schema, options: &WriteOptions) -> Result<(), Error> {
    if let Some(missing) = options
        .primary_key
        .iter()
        .find(|k| schema.field_with_name(k).is_err())
    {
        return Err(Error::Invalid(format!(
            "primary key column \"{missing}\" is not a column of the data"
        )));
    }
    Ok(())
}

/// `CREATE TABLE IF NOT EXISTS` for `schema`, with the primary key of `options`.
///
/// # Errors
/// A field type CrateDB cannot store, a key column not in the schema, or a name the SQL
/// builder refuses.
pub fn create_table_sql(schema: &Schema, options: &WriteOptions) -> Result<String, Error> {
    check_key(schema, options)?;
    let mut create = Table::create();
    create.table(table_ref(options)).if_not_exists();
    for field in schema.fields() {
        let mut column = ColumnDef::new(field.name().clone());
        column.crate_type(crate_type(field)?);
        create.col(column);
    }
    if !options.primary_key.is_empty() {
        let mut key = Index::create();
        for column in &options.primary_key {
            key.col(column.clone());
        }
        create.primary_key(&mut key);
    }
    Ok(create.try_to_string()?)
}

/// The `INSERT` of one row of `schema` with `$n` placeholders, with `ON CONFLICT` for
/// [`WriteMode::Upsert`] and [`WriteMode::Ignore`].
///
/// # Errors
/// Upsert without a primary key, a key column not in the schema, or a name the SQL builder
/// refuses.
pub fn insert_sql(schema: &Schema, options: &WriteOptions) -> Result<String, Error> {
    check_key(schema, options)?;
    let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let mut insert = Query::insert();
    insert
        .into_table(table_ref(options))
        .columns(names.clone())
        .values(names.iter().map(|_| Expr::val(0)))
        .map_err(|e| Error::Invalid(e.to_string()))?;
    match options.mode {
        WriteMode::Insert => {}
        WriteMode::Upsert => {
            if options.primary_key.is_empty() {
                return Err(Error::Invalid(
                    "upsert needs the primary key columns (WriteOptions::primary_key)".into(),
                ));
            }
            let others = names
                .iter()
                .filter(|n| !options.primary_key.contains(n))
                .cloned();
            let mut conflict = OnConflict::columns(options.primary_key.clone());
            let others: Vec<String> = others.collect();
            if others.is_empty() {
                conflict.do_nothing();
            } else {
                conflict.update_columns(others);
            }
            insert.on_conflict(conflict);
        }
        WriteMode::Ignore => {
            insert.on_conflict(OnConflict::new().do_nothing().to_owned());
        }
    }
    let (sql, _placeholder_values) = insert.try_build()?;
    Ok(sql)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::write::sample_schema as schema;

    #[test]
    fn create_table_declares_crate_types_and_the_key() {
        let options = WriteOptions::new("t").schema("s").primary_key(["id"]);
        assert_eq!(
            create_table_sql(&schema(), &options).unwrap(),
            r#"CREATE TABLE IF NOT EXISTS "s"."t" ( "id" BIGINT, "na""me" TEXT, "at" TIMESTAMP WITH TIME ZONE, PRIMARY KEY ("id") )"#
        );
    }

    #[test]
    fn insert_upsert_and_ignore() {
        let options = WriteOptions::new("t");
        assert_eq!(
            insert_sql(&schema(), &options).unwrap(),
            r#"INSERT INTO "t" ("id", "na""me", "at") VALUES ($1, $2, $3)"#
        );
        let upsert = options.clone().primary_key(["id"]).mode(WriteMode::Upsert);
        assert_eq!(
            insert_sql(&schema(), &upsert).unwrap(),
            r#"INSERT INTO "t" ("id", "na""me", "at") VALUES ($1, $2, $3) ON CONFLICT ("id") DO UPDATE SET "na""me" = "excluded"."na""me", "at" = "excluded"."at""#
        );
        let ignore = options.clone().mode(WriteMode::Ignore);
        let sql = insert_sql(&schema(), &ignore).unwrap();
        assert!(
            sql.ends_with("($1, $2, $3) ON CONFLICT  DO NOTHING"),
            "{sql}"
        );
        let err = insert_sql(&schema(), &options.clone().mode(WriteMode::Upsert)).unwrap_err();
        assert!(
            err.to_string().starts_with("upsert needs the primary key"),
            "{err}"
        );
        let err = insert_sql(&schema(), &options.primary_key(["nope"])).unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"primary key column "nope" is not a column of the data"#
        );
    }
}
