//! Partitioned parallel reads: a query split into sub-queries by a column's range or by the
//! partitions of a partitioned table, run on several pooled connections at once, their
//! batches merged into one stream.

mod split;
mod stream;

use arrow_array::RecordBatch;
use chrono::{DateTime, NaiveDateTime, Utc};
use cratedb_quote::quote_identifier;
use futures_util::TryStreamExt as _;
use sqlx_core::column::Column as _;
use sqlx_core::row::Row as _;
use sqlx_core::sql_str::AssertSqlSafe;
use sqlx_core::types::Json;
use sqlx_cratedb::{CrateDbArguments, CrateDbPool};

use crate::error::Error;
use crate::read::ReadOptions;
use split::{Kind, bind, range_partitions, split_points, value_partition};
pub use split::{Partition, RangeValue};
pub use stream::PartitionedStream;

/// The default number of range partitions, and of partitions read at once.
pub const DEFAULT_PARTITIONS: usize = 4;

/// How the query is split.
#[derive(Debug, Clone)]
enum Split {
    Range {
        column: String,
        partitions: usize,
        bounds: Option<(RangeValue, RangeValue)>,
    },
    Table {
        schema: Option<String>,
        table: String,
    },
}

/// A query read as several sub-queries at once (see the crate docs, "Partitioned parallel
/// reads").
///
/// ```no_run
/// # async fn run(pool: &sqlx_cratedb::CrateDbPool) -> Result<(), sqlx_cratedb_arrow::Error> {
/// use sqlx_cratedb_arrow::{PartitionedRead, ReadOptions};
///
/// let batches = PartitionedRead::by_range("SELECT * FROM metrics", "ts")
///     .partitions(8)
///     .concurrency(4)
///     .read_options(ReadOptions::new().batch_size(10_000))
///     .collect(pool)
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct PartitionedRead {
    sql: String,
    arguments: CrateDbArguments,
    split: Split,
    concurrency: usize,
    options: ReadOptions,
}

impl PartitionedRead {
    fn new(sql: String, split: Split) -> Self {
        Self {
            sql,
            arguments: CrateDbArguments::default(),
            split,
            concurrency: DEFAULT_PARTITIONS,
            options: ReadOptions::default(),
        }
    }

    /// Splits `sql` by the range of its numeric or timestamp column `column` into
    /// [`DEFAULT_PARTITIONS`] ranges of equal width between the column's `MIN` and `MAX`
    /// (or [`Self::bounds`]). Rows below the first split point and NULLs go to the first
    /// partition, rows from the last split point on to the last.
    pub fn by_range(sql: impl Into<String>, column: impl Into<String>) -> Self {
        Self::new(
            sql.into(),
            Split::Range {
                column: column.into(),
                partitions: DEFAULT_PARTITIONS,
                bounds: None,
            },
        )
    }

    /// Splits `sql` by the partitions of the partitioned table `table` (in the connection's
    /// schema unless [`Self::table_schema`]): one sub-query per partition, filtered on the
    /// partition's values. `sql` must return the table's partition columns.
    pub fn by_table_partitions(sql: impl Into<String>, table: impl Into<String>) -> Self {
        Self::new(
            sql.into(),
            Split::Table {
                schema: None,
                table: table.into(),
            },
        )
    }

    /// The number of ranges of a range split (at least 1; fewer when the range holds fewer
    /// values).
    pub fn partitions(mut self, count: usize) -> Self {
        if let Split::Range { partitions, .. } = &mut self.split {
            *partitions = count.max(1);
        }
        self
    }

    /// The range to split for a range split, instead of querying the column's `MIN` and
    /// `MAX`. Only the split points depend on it: rows outside it are read too (by the
    /// first and last partition). The bounds' kind (integer, float, timestamp with or without
    /// zone) must be the column's.
    pub fn bounds(mut self, low: impl Into<RangeValue>, high: impl Into<RangeValue>) -> Self {
        if let Split::Range { bounds, .. } = &mut self.split {
            *bounds = Some((low.into(), high.into()));
        }
        self
    }

    /// The schema of the table of a split by table partitions.
    pub fn table_schema(mut self, name: impl Into<String>) -> Self {
        if let Split::Table { schema, .. } = &mut self.split {
            *schema = Some(name.into());
        }
        self
    }

    /// The arguments of the placeholders `$1` … `$n` of the query; the sub-queries number
    /// their own from `$n+1`.
    pub fn arguments(mut self, arguments: CrateDbArguments) -> Self {
        self.arguments = arguments;
        self
    }

    /// Partitions read at once, each on its own pooled connection (at least 1; default
    /// [`DEFAULT_PARTITIONS`]). Memory held is about three batches per partition read at
    /// once: the one being built and up to two waiting for the reader.
    pub fn concurrency(mut self, partitions: usize) -> Self {
        self.concurrency = partitions.max(1);
        self
    }

    /// How each partition is read into batches.
    pub fn read_options(mut self, options: ReadOptions) -> Self {
        self.options = options;
        self
    }

    /// The sub-queries: for a range split after querying `MIN` and `MAX` (unless bounds were
    /// given), for a table split after listing the table's partitions.
    ///
    /// # Errors
    /// The range column is not a number or timestamp ([`Error::PartitionColumn`]), a query
    /// failed, or a partition value cannot be bound.
    pub async fn plan(&self, pool: &CrateDbPool) -> Result<Vec<Partition>, Error> {
        match &self.split {
            Split::Range {
                column,
                partitions,
                bounds,
            } => {
                let range = match bounds {
                    Some((low, high)) => Some((Kind::of_value(*low), *low, *high)),
                    None => self.min_max(pool, column).await?,
                };
                let points = range.map_or_else(Vec::new, |(kind, low, high)| {
                    split_points(kind, low, high, *partitions)
                });
                range_partitions(&self.sql, &self.arguments, column, &points)
            }
            Split::Table { schema, table } => table_partitions(pool, schema.as_deref(), table)
                .await?
                .iter()
                .map(|values| value_partition(&self.sql, &self.arguments, values))
                .collect(),
        }
    }

    /// Plans the sub-queries and starts reading them.
    ///
    /// # Errors
    /// As [`Self::plan`]; the errors of the sub-queries arrive in the stream.
    pub async fn stream(&self, pool: &CrateDbPool) -> Result<PartitionedStream, Error> {
        let partitions = self.plan(pool).await?;
        Ok(PartitionedStream::start(
            pool,
            partitions,
            self.concurrency,
            &self.options,
        ))
    }

    /// Reads every partition into a list of batches of one schema.
    ///
    /// # Errors
    /// As [`Self::plan`], or the first error of a sub-query.
    pub async fn collect(&self, pool: &CrateDbPool) -> Result<Vec<RecordBatch>, Error> {
        self.stream(pool).await?.try_collect().await
    }

    /// The kind of `column` and its `MIN` and `MAX` in the query's result (`None` when the
    /// result has no non-NULL value).
    async fn min_max(
        &self,
        pool: &CrateDbPool,
        column: &str,
    ) -> Result<Option<(Kind, RangeValue, RangeValue)>, Error> {
        let col = quote_identifier(column);
        let sql = format!("SELECT MIN({col}), MAX({col}) FROM ({}) AS t", self.sql);
        let row = sqlx_core::query::query_with(AssertSqlSafe(sql), self.arguments.clone())
            .fetch_one(pool)
            .await?;
        let kind = match row.columns().first() {
            Some(c) => Kind::of(column, c.type_info())?,
            None => return Err(Error::Invalid("MIN/MAX returned no column".to_owned())),
        };
        let get = |index: usize| -> Result<Option<RangeValue>, sqlx_core::Error> {
            Ok(match kind {
                Kind::Int => row.try_get::<Option<i64>, _>(index)?.map(RangeValue::Int),
                Kind::Float => row.try_get::<Option<f64>, _>(index)?.map(RangeValue::Float),
                Kind::Timestamp => row
                    .try_get::<Option<DateTime<Utc>>, _>(index)?
                    .map(RangeValue::Timestamp),
                Kind::NaiveTimestamp => row
                    .try_get::<Option<NaiveDateTime>, _>(index)?
                    .map(RangeValue::NaiveTimestamp),
            })
        };
        Ok(match (get(0)?, get(1)?) {
            (Some(low), Some(high)) => Some((kind, low, high)),
            _ => None,
        })
    }
}

/// The partition values of `table`, one object per partition.
async fn table_partitions(
    pool: &CrateDbPool,
    schema: Option<&str>,
    table: &str,
) -> Result<Vec<serde_json::Map<String, serde_json::Value>>, Error> {
    let mut arguments = CrateDbArguments::default();
    let schema_test = match schema {
        Some(schema) => {
            bind(&mut arguments, schema.to_owned())?;
            "table_schema = $1"
        }
        None => "table_schema = CURRENT_SCHEMA",
    };
    bind(&mut arguments, table.to_owned())?;
    let sql = format!(
        "SELECT \"values\" FROM information_schema.table_partitions \
         WHERE {schema_test} AND table_name = ${} ORDER BY partition_ident",
        sqlx_core::arguments::Arguments::len(&arguments)
    );
    let rows: Vec<Json<serde_json::Map<String, serde_json::Value>>> =
        sqlx_core::query_scalar::query_scalar_with(AssertSqlSafe(sql), arguments)
            .fetch_all(pool)
            .await?;
    Ok(rows.into_iter().map(|Json(values)| values).collect())
}
