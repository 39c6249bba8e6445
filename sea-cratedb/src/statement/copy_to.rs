//! `COPY … TO DIRECTORY`: export a table, a partition or filtered rows as JSON files.

use sea_query::{
    Condition, DynIden, Expr, IntoCondition, IntoIden, QueryBuilder, TableName, Value,
};

use super::{
    Params, PartitionSpec, StatementError, checked,
    copy::{Compression, CopyToFormat, Protocol, write_columns},
    partition_spec, write_partition, write_table_name,
};
use crate::{CrateDbQueryBuilder, ParamValue, write::name::write_string_literal};

/// `COPY t [PARTITION (…)] [(cols)] [WHERE …] TO DIRECTORY 'uri' [WITH (…)]`.
///
/// Every shard is written to its own file in the directory, by the node that holds it (so a
/// `file://` directory is on the nodes). The filter is rendered by [`CrateDbQueryBuilder`]
/// with its values inline.
///
/// # Examples
///
/// ```
/// use sea_cratedb::{Compression, CopyTo, CopyToFormat, sea_query::{Expr, ExprTrait}};
///
/// let sql = CopyTo::new("metrics")
///     .partition([("day", "2024-01-01")])
///     .columns(["id", "value"])
///     .filter(Expr::col("value").gt(10))
///     .directory("s3://bucket/export/")
///     .format(CopyToFormat::JsonArray)
///     .compression(Compression::Gzip)
///     .try_to_string()
///     .unwrap();
/// assert_eq!(
///     sql,
///     concat!(
///         r#"COPY "metrics" PARTITION ("day" = '2024-01-01') ("id", "value") WHERE "value" > 10 "#,
///         r#"TO DIRECTORY 's3://bucket/export/' WITH (format = 'json_array', compression = 'gzip')"#
///     )
/// );
/// ```
#[derive(Debug, Clone)]
pub struct CopyTo {
    table: TableName,
    partition: Option<PartitionSpec>,
    columns: Option<Vec<DynIden>>,
    filter: Option<Condition>,
    directory: Option<String>,
    params: Params,
}

impl CopyTo {
    /// Exports `table`: a name, or `(schema, name)`.
    pub fn new(table: impl Into<TableName>) -> Self {
        Self {
            table: table.into(),
            partition: None,
            columns: None,
            filter: None,
            directory: None,
            params: Params::default(),
        }
    }

    /// `(col, …)`: export only these columns (each may be a [`path`](crate::expr::path)).
    pub fn columns<I, C>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = C>,
        C: IntoIden,
    {
        self.columns = Some(columns.into_iter().map(IntoIden::into_iden).collect());
        self
    }

    /// `PARTITION (col = value, …)`: export one partition.
    pub fn partition<I, C, V>(mut self, values: I) -> Self
    where
        I: IntoIterator<Item = (C, V)>,
        C: IntoIden,
        V: Into<Value>,
    {
        self.partition = Some(partition_spec(values));
        self
    }

    /// `WHERE condition`: an [`Expr`] or a [`Condition`]; several calls are joined with `AND`.
    pub fn filter(mut self, condition: impl IntoCondition) -> Self {
        let condition = condition.into_condition();
        self.filter = Some(match self.filter.take() {
            None => condition,
            Some(existing) => Condition::all().add(existing).add(condition),
        });
        self
    }

    /// `TO DIRECTORY 'uri'` (required).
    pub fn directory(mut self, uri: &str) -> Self {
        self.directory = Some(uri.to_owned());
        self
    }

    /// `compression`.
    pub fn compression(self, compression: Compression) -> Self {
        match compression {
            Compression::Gzip => self.param("compression", "gzip"),
        }
    }

    /// `protocol` for S3-compatible endpoints.
    pub fn protocol(self, protocol: Protocol) -> Self {
        self.param("protocol", protocol.as_sql())
    }

    /// `format`.
    pub fn format(self, format: CopyToFormat) -> Self {
        let name = match format {
            CopyToFormat::JsonObject => "json_object",
            CopyToFormat::JsonArray => "json_array",
        };
        self.param("format", name)
    }

    /// `wait_for_completion`: `false` returns at once and exports in the background.
    pub fn wait_for_completion(self, wait: bool) -> Self {
        self.param("wait_for_completion", wait)
    }

    /// `key`: the Azure storage account key.
    pub fn key(self, key: &str) -> Self {
        self.param("key", key)
    }

    /// `sas_token`: an Azure shared access signature.
    pub fn sas_token(self, token: &str) -> Self {
        self.param("sas_token", token)
    }

    /// Any other `WITH` parameter; a name set twice keeps the last value.
    pub fn param(mut self, name: &str, value: impl Into<ParamValue>) -> Self {
        self.params.set(name, value);
        self
    }

    /// Renders the statement.
    ///
    /// # Errors
    ///
    /// [`StatementError::Missing`] without a [`directory`](Self::directory);
    /// [`StatementError::EmptyList`] for an empty column or `PARTITION` list;
    /// [`StatementError::Sql`] when the filter or a partition value uses something CrateDB
    /// rejects.
    pub fn try_to_string(&self) -> Result<String, StatementError> {
        checked(|sql| {
            let Some(directory) = &self.directory else {
                return Err(StatementError::Missing("TO DIRECTORY 'uri'"));
            };
            sql.push_str("COPY ");
            write_table_name(&self.table, sql);
            if let Some(spec) = &self.partition {
                write_partition(spec, sql)?;
            }
            write_columns(self.columns.as_deref(), sql)?;
            if let Some(filter) = &self.filter {
                sql.push_str(" WHERE ");
                CrateDbQueryBuilder.prepare_expr(&Expr::from(filter.clone()), sql);
            }
            sql.push_str(" TO DIRECTORY ");
            write_string_literal(directory, sql);
            self.params.write_with(sql);
            Ok(())
        })
    }
}
