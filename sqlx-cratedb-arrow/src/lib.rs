#![doc = include_str!("lib.md")]

pub mod error;
mod read;
pub mod types;

pub use error::Error;
pub use read::{DEFAULT_BATCH_SIZE, ReadOptions, RecordBatchStream, fetch_record_batches};
