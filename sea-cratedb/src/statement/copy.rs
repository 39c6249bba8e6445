//! `COPY … FROM` (import files into a table) and the options shared with `COPY … TO`
//! (`copy_to.rs`).

use sea_query::{DynIden, IntoIden, TableName, Value};

use super::{
    Params, PartitionSpec, StatementError, checked, partition_spec, write_iden_list,
    write_partition, write_table_name,
};
use crate::{ParamValue, write::name::write_string_literal};

/// Compression of the files read or written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Compression {
    /// `gzip`.
    Gzip,
}

/// Protocol for S3-compatible endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Protocol {
    /// `http`.
    Http,
    /// `https` (CrateDB's default).
    Https,
}

impl Protocol {
    pub(super) fn as_sql(self) -> &'static str {
        match self {
            Self::Http => "http",
            Self::Https => "https",
        }
    }
}

/// The format of the files `COPY FROM` reads (by default guessed from the file extension,
/// else JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CopyFromFormat {
    /// `csv`: a header line, then one row per line.
    Csv,
    /// `json`: one JSON object per line.
    Json,
}

/// The format of the files `COPY TO` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CopyToFormat {
    /// `json_object`: one JSON object per line (the default).
    JsonObject,
    /// `json_array`: one JSON array of the column values per line.
    JsonArray,
}

/// `node_filters`: which nodes read the files, as regular expressions on node names and ids.
///
/// # Examples
///
/// ```
/// use sea_cratedb::{CopyFrom, NodeFilters};
///
/// let sql = CopyFrom::new("t")
///     .uri("file:///data/t.json")
///     .node_filters(NodeFilters::new().name("data-.*"))
///     .try_to_string()
///     .unwrap();
/// assert_eq!(sql, r#"COPY "t" FROM 'file:///data/t.json' WITH (node_filters = {name = 'data-.*'})"#);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct NodeFilters {
    name: Option<String>,
    id: Option<String>,
}

impl NodeFilters {
    /// No filter yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Nodes whose name matches `regex`.
    pub fn name(mut self, regex: &str) -> Self {
        self.name = Some(regex.to_owned());
        self
    }

    /// Nodes whose id matches `regex`.
    pub fn id(mut self, regex: &str) -> Self {
        self.id = Some(regex.to_owned());
        self
    }

    /// The object literal `{name = '…', id = '…'}`.
    fn into_sql(self) -> String {
        let mut sql = String::from("{");
        for (key, value) in [("name", self.name), ("id", self.id)] {
            if let Some(value) = value {
                if sql.len() > 1 {
                    sql.push_str(", ");
                }
                sql.push_str(key);
                sql.push_str(" = ");
                write_string_literal(&value, &mut sql);
            }
        }
        sql.push('}');
        sql
    }
}

/// `COPY t [PARTITION (…)] [(cols)] FROM 'uri' | ['uri', …] [WITH (…)] [RETURN SUMMARY]`.
///
/// The files are read by the CrateDB nodes, not by the client: `file://` paths are on the
/// nodes; `s3://`, `az://`, `http(s)://` and globs (`*`) work too. Rows that fail are skipped
/// (see [`return_summary`](Self::return_summary) and [`fail_fast`](Self::fail_fast)).
///
/// # Examples
///
/// ```
/// use sea_cratedb::{Compression, CopyFrom, CopyFromFormat};
///
/// let sql = CopyFrom::new(("doc", "metrics"))
///     .columns(["id", "value"])
///     .uris(["s3://bucket/a/*.csv.gz", "s3://bucket/b/*.csv.gz"])
///     .format(CopyFromFormat::Csv)
///     .compression(Compression::Gzip)
///     .bulk_size(5000)
///     .return_summary()
///     .try_to_string()
///     .unwrap();
/// assert_eq!(
///     sql,
///     concat!(
///         r#"COPY "doc"."metrics" ("id", "value") FROM ['s3://bucket/a/*.csv.gz', 's3://bucket/b/*.csv.gz'] "#,
///         r#"WITH (format = 'csv', compression = 'gzip', bulk_size = 5000) RETURN SUMMARY"#
///     )
/// );
/// ```
#[derive(Debug, Clone)]
pub struct CopyFrom {
    table: TableName,
    partition: Option<PartitionSpec>,
    columns: Option<Vec<DynIden>>,
    uris: Vec<String>,
    params: Params,
    return_summary: bool,
}

impl CopyFrom {
    /// Imports into `table`: a name, or `(schema, name)`.
    pub fn new(table: impl Into<TableName>) -> Self {
        Self {
            table: table.into(),
            partition: None,
            columns: None,
            uris: Vec::new(),
            params: Params::default(),
            return_summary: false,
        }
    }

    /// `(col, …)`: the columns the files provide (CSV: in this order).
    pub fn columns<I, C>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = C>,
        C: IntoIden,
    {
        self.columns = Some(columns.into_iter().map(IntoIden::into_iden).collect());
        self
    }

    /// `PARTITION (col = value, …)`: import into one partition (the files lack its columns).
    pub fn partition<I, C, V>(mut self, values: I) -> Self
    where
        I: IntoIterator<Item = (C, V)>,
        C: IntoIden,
        V: Into<Value>,
    {
        self.partition = Some(partition_spec(values));
        self
    }

    /// Adds a URI to read (globs allowed). One URI is written as `'uri'`, several as
    /// `['uri', …]`.
    pub fn uri(mut self, uri: &str) -> Self {
        self.uris.push(uri.to_owned());
        self
    }

    /// Adds several URIs to read.
    pub fn uris<I, S>(mut self, uris: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.uris
            .extend(uris.into_iter().map(|uri| uri.as_ref().to_owned()));
        self
    }

    /// `bulk_size`: rows per internal insert request (default 10000).
    pub fn bulk_size(self, rows: u32) -> Self {
        self.param("bulk_size", rows)
    }

    /// `fail_fast`: stop at the first failed row (default `false`).
    pub fn fail_fast(self, fail_fast: bool) -> Self {
        self.param("fail_fast", fail_fast)
    }

    /// `wait_for_completion`: `false` returns at once and imports in the background.
    pub fn wait_for_completion(self, wait: bool) -> Self {
        self.param("wait_for_completion", wait)
    }

    /// `shared`: whether every node sees the same files (default: `true` except for
    /// `file://`).
    pub fn shared(self, shared: bool) -> Self {
        self.param("shared", shared)
    }

    /// `node_filters`: which nodes read the files.
    pub fn node_filters(mut self, filters: NodeFilters) -> Self {
        self.params.set_sql("node_filters", filters.into_sql());
        self
    }

    /// `num_readers`: how many nodes read the files.
    pub fn num_readers(self, readers: u32) -> Self {
        self.param("num_readers", readers)
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

    /// `overwrite_duplicates`: replace rows with the same primary key (default `false`).
    pub fn overwrite_duplicates(self, overwrite: bool) -> Self {
        self.param("overwrite_duplicates", overwrite)
    }

    /// `empty_string_as_null` (CSV): read empty fields as `NULL`.
    pub fn empty_string_as_null(self, as_null: bool) -> Self {
        self.param("empty_string_as_null", as_null)
    }

    /// `delimiter` (CSV; default `,`).
    pub fn delimiter(self, delimiter: char) -> Self {
        self.param("delimiter", String::from(delimiter))
    }

    /// `format`.
    pub fn format(self, format: CopyFromFormat) -> Self {
        let name = match format {
            CopyFromFormat::Csv => "csv",
            CopyFromFormat::Json => "json",
        };
        self.param("format", name)
    }

    /// `header` (CSV): whether the first line names the columns (default `true`).
    pub fn header(self, header: bool) -> Self {
        self.param("header", header)
    }

    /// `skip`: lines to skip at the start of each file.
    pub fn skip(self, lines: u32) -> Self {
        self.param("skip", lines)
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

    /// `RETURN SUMMARY`: one row per node and URI with success and error counts.
    pub fn return_summary(mut self) -> Self {
        self.return_summary = true;
        self
    }

    /// Renders the statement.
    ///
    /// # Errors
    ///
    /// [`StatementError::EmptyList`] without a URI, or for an empty column or `PARTITION`
    /// list; [`StatementError::Sql`] for a partition value CrateDB cannot hold.
    pub fn try_to_string(&self) -> Result<String, StatementError> {
        checked(|sql| {
            if self.uris.is_empty() {
                return Err(StatementError::EmptyList("COPY FROM URI"));
            }
            sql.push_str("COPY ");
            write_table_name(&self.table, sql);
            if let Some(spec) = &self.partition {
                write_partition(spec, sql)?;
            }
            write_columns(self.columns.as_deref(), sql)?;
            sql.push_str(" FROM ");
            if let [uri] = self.uris.as_slice() {
                write_string_literal(uri, sql);
            } else {
                sql.push('[');
                for (i, uri) in self.uris.iter().enumerate() {
                    if i > 0 {
                        sql.push_str(", ");
                    }
                    write_string_literal(uri, sql);
                }
                sql.push(']');
            }
            self.params.write_with(sql);
            if self.return_summary {
                sql.push_str(" RETURN SUMMARY");
            }
            Ok(())
        })
    }
}

/// Writes ` ("a", "b")`, nothing for `None`.
pub(super) fn write_columns(
    columns: Option<&[DynIden]>,
    sql: &mut String,
) -> Result<(), StatementError> {
    match columns {
        None => Ok(()),
        Some([]) => Err(StatementError::EmptyList("COPY column")),
        Some(columns) => {
            sql.push_str(" (");
            write_iden_list(columns, sql);
            sql.push(')');
            Ok(())
        }
    }
}
