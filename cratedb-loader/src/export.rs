//! `cratedb-loader export`: a query's result streamed into a CSV, JSON lines or Parquet
//! file, a batch at a time; the file appears under its name only when complete.

use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use arrow_array::RecordBatch;
use arrow_schema::Schema;
use futures_util::TryStreamExt as _;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use sqlx_core::sql_str::AssertSqlSafe;
use sqlx_cratedb_arrow::{ReadOptions, fetch_record_batches};

use crate::cli::{ExportArgs, Format};
use crate::error::Error;
use crate::progress::Progress;

/// What an export did.
#[derive(Debug, Clone)]
pub struct ExportSummary {
    /// The rows written.
    pub rows: u64,
    /// The file's size.
    pub bytes: u64,
    /// How long it took.
    pub elapsed: Duration,
}

/// An output file being written.
enum Sink {
    Csv(arrow_csv::Writer<BufWriter<File>>),
    Json(arrow_json::LineDelimitedWriter<BufWriter<File>>),
    Parquet(ArrowWriter<BufWriter<File>>),
}

impl Sink {
    fn new(
        format: Format,
        out: BufWriter<File>,
        schema: Arc<Schema>,
        row_group: usize,
    ) -> Result<Self, String> {
        Ok(match format {
            Format::Csv => Self::Csv(arrow_csv::WriterBuilder::new().with_header(true).build(out)),
            Format::Json => Self::Json(arrow_json::LineDelimitedWriter::new(out)),
            Format::Parquet => {
                let props = WriterProperties::builder()
                    .set_compression(Compression::SNAPPY)
                    .set_max_row_group_row_count(Some(row_group.max(1)))
                    .build();
                Self::Parquet(
                    ArrowWriter::try_new(out, schema, Some(props)).map_err(|e| e.to_string())?,
                )
            }
        })
    }

    fn write(&mut self, batch: &RecordBatch) -> Result<(), String> {
        match self {
            Self::Csv(w) => w.write(batch).map_err(|e| e.to_string()),
            Self::Json(w) => w.write(batch).map_err(|e| e.to_string()),
            Self::Parquet(w) => w.write(batch).map_err(|e| e.to_string()),
        }
    }

    fn finish(self) -> Result<(), String> {
        let mut out = match self {
            Self::Csv(w) => w.into_inner(),
            Self::Json(mut w) => {
                w.finish().map_err(|e| e.to_string())?;
                w.into_inner()
            }
            Self::Parquet(w) => w.into_inner().map_err(|e| e.to_string())?,
        };
        out.flush().map_err(|e| e.to_string())
    }
}

/// Runs an export.
///
/// # Errors
/// A format not known from the output's name, a file that cannot be written, a failed
/// connection or query, or a column the format cannot hold.
pub async fn export(args: &ExportArgs) -> Result<ExportSummary, Error> {
    let output = &args.output;
    let format = args
        .format
        .or_else(|| Format::from_path(output))
        .ok_or_else(|| Error::UnknownFormat(output.clone()))?;
    let partial = partial_name(output);
    let result = write(args, format, &partial).await;
    match result {
        Ok(rows_and_time) => {
            std::fs::rename(&partial, output).map_err(|e| Error::io(output, e))?;
            let bytes = std::fs::metadata(output).map_or(0, |m| m.len());
            Ok(ExportSummary {
                rows: rows_and_time.0,
                bytes,
                elapsed: rows_and_time.1,
            })
        }
        Err(e) => {
            // The incomplete file is not left behind; failing to remove it changes nothing.
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

/// Writes the result into `path`; returns the rows and the time taken.
async fn write(args: &ExportArgs, format: Format, path: &Path) -> Result<(u64, Duration), Error> {
    let mut out = Some(BufWriter::with_capacity(
        1 << 20,
        File::create(path).map_err(|e| Error::io(&args.output, e))?,
    ));
    let pool = crate::connect::pool(&args.connect.url, 1).await?;
    let progress = Progress::rows(args.quiet);
    let query = sqlx_core::query::query(AssertSqlSafe(args.query.clone()));
    let mut batches =
        fetch_record_batches(&pool, query, ReadOptions::new().batch_size(args.batch_size));
    let failed = |e: String| Error::format(&args.output, e);
    let mut sink: Option<Sink> = None;
    let mut rows = 0;
    let result = async {
        while let Some(batch) = batches
            .try_next()
            .await
            .map_err(|e| Error::database("running the query", e))?
        {
            let sink = match (&mut sink, out.take()) {
                (Some(sink), _) => sink,
                (None, Some(out)) => sink.insert(
                    Sink::new(format, out, batch.schema(), args.row_group_size).map_err(failed)?,
                ),
                (None, None) => return Err(failed("the output was closed".into())),
            };
            sink.write(&batch).map_err(failed)?;
            rows += batch.num_rows() as u64;
            progress.update(None, rows);
        }
        match (sink, out) {
            (Some(sink), _) => sink.finish().map_err(failed),
            // No rows: an empty CSV or JSON lines file, a Parquet file of no columns.
            (None, Some(out)) => Sink::new(format, out, Arc::new(Schema::empty()), 1)
                .and_then(Sink::finish)
                .map_err(failed),
            (None, None) => Ok(()),
        }
    }
    .await;
    progress.finish();
    result.map(|()| (rows, progress.elapsed()))
}

/// `out.parquet` → `out.parquet.partial`.
fn partial_name(output: &Path) -> PathBuf {
    let mut name = output.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}
