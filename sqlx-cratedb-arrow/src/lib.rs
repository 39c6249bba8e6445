#![doc = include_str!("lib.md")]

pub mod error;
mod read;
pub mod types;
mod write;

pub use error::Error;
pub use read::{
    DEFAULT_BATCH_SIZE, DEFAULT_PARTITIONS, Partition, PartitionedRead, PartitionedStream,
    RangeValue, ReadOptions, RecordBatchStream, fetch_record_batches,
};
pub use write::{
    BulkWriter, DEFAULT_CONCURRENCY, DEFAULT_WRITE_BATCH, FailedRow, FailureKind, WriteMode,
    WriteOptions, WriteReport, create_table_sql, insert_sql, write_record_batches,
};
