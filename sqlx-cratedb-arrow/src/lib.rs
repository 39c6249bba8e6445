#![doc = include_str!("lib.md")]
#![cfg_attr(feature = "polars", doc = include_str!("polars.md"))]

#[cfg(feature = "polars")]
mod dataframe;
pub mod error;
mod read;
pub mod types;
mod write;

#[cfg(feature = "polars")]
pub use dataframe::{
    dataframe_to_record_batches, fetch_dataframe, record_batches_to_dataframe, write_dataframe,
};
pub use error::Error;
pub use read::{
    DEFAULT_BATCH_SIZE, DEFAULT_PARTITIONS, Partition, PartitionedRead, PartitionedStream,
    RangeValue, ReadOptions, RecordBatchStream, fetch_record_batches,
};
pub use write::{
    BulkWriter, DEFAULT_CONCURRENCY, DEFAULT_WRITE_BATCH, FailedRow, FailureKind, WriteMode,
    WriteOptions, WriteReport, create_table_sql, insert_sql, write_record_batches,
};
/// The Polars crates the `DataFrame` functions work with (feature `polars`).
#[cfg(feature = "polars")]
pub use {polars_arrow, polars_core};
