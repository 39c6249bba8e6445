//! `CREATE BLOB TABLE`.

use std::fmt::{self, Write as _};

use sea_query::{DynIden, IntoIden};

use super::Params;
use crate::{ParamValue, Replicas, write::path::write_dyn_iden};

/// `CREATE BLOB TABLE name [CLUSTERED INTO n SHARDS] [WITH (…)]`: a table of binary objects,
/// addressed by their SHA-1 digest over HTTP (`/_blobs/name/digest`). It lands in the schema
/// `blob`, so the name is not schema-qualified.
///
/// # Examples
///
/// ```
/// use sea_cratedb::{CreateBlobTable, Replicas};
///
/// let sql = CreateBlobTable::new("images")
///     .shards(3)
///     .number_of_replicas(Replicas::Range(0, 1))
///     .blobs_path("/data/blobs")
///     .to_string();
/// assert_eq!(
///     sql,
///     r#"CREATE BLOB TABLE "images" CLUSTERED INTO 3 SHARDS WITH (number_of_replicas = '0-1', blobs_path = '/data/blobs')"#
/// );
/// ```
#[derive(Debug, Clone)]
pub struct CreateBlobTable {
    name: DynIden,
    shards: Option<u32>,
    params: Params,
}

impl CreateBlobTable {
    /// Creates the blob table `name`.
    pub fn new(name: impl IntoIden) -> Self {
        Self {
            name: name.into_iden(),
            shards: None,
            params: Params::default(),
        }
    }

    /// `CLUSTERED INTO n SHARDS`.
    pub fn shards(mut self, shards: u32) -> Self {
        self.shards = Some(shards);
        self
    }

    /// `number_of_replicas`.
    pub fn number_of_replicas(self, replicas: Replicas) -> Self {
        self.param("number_of_replicas", replicas)
    }

    /// `blobs_path`: where the node stores this table's blobs (absolute, or relative to
    /// `CRATE_HOME`).
    pub fn blobs_path(self, path: &str) -> Self {
        self.param("blobs_path", path)
    }

    /// Any other `WITH` parameter; a name set twice keeps the last value.
    pub fn param(mut self, name: &str, value: impl Into<ParamValue>) -> Self {
        self.params.set(name, value);
        self
    }
}

impl fmt::Display for CreateBlobTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sql = String::from("CREATE BLOB TABLE ");
        write_dyn_iden(&self.name, &mut sql);
        if let Some(shards) = self.shards {
            let _ = write!(sql, " CLUSTERED INTO {shards} SHARDS");
        }
        self.params.write_with(&mut sql);
        f.write_str(&sql)
    }
}
