//! `cratedb-loader load`: files into a table, the parsing of each file on a blocking thread
//! ahead of the bulk inserts.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx_cratedb::CrateDbPool;
use sqlx_cratedb_arrow::{BulkWriter, WriteMode, WriteOptions, WriteReport};
use tokio::sync::mpsc;

use crate::cli::{Format, LoadArgs};
use crate::error::Error;
use crate::failed::{FailedRows, Failure, LineMap};
use crate::input::{self, Chunk, ReadSettings};
use crate::progress::Progress;

/// What a load did.
#[derive(Debug, Clone, Default)]
pub struct LoadSummary {
    /// The files read.
    pub files: usize,
    /// The rows stored.
    pub rows_loaded: u64,
    /// The rows that failed to parse or to insert.
    pub rows_failed: u64,
    /// The failed-rows file, when one was asked for.
    pub failed_rows: Option<PathBuf>,
    /// How long it took.
    pub elapsed: Duration,
}

/// The files to load: each input file, and the files of known formats in each input
/// directory (and below it) in name order.
///
/// # Errors
/// An input that does not exist or cannot be read, a file of no known format, or no file.
pub fn input_files(
    inputs: &[PathBuf],
    format: Option<Format>,
) -> Result<Vec<(PathBuf, Format)>, Error> {
    let mut files = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input).map_err(|e| Error::io(input, e))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(input, &mut found)?;
            found.sort();
            for path in found {
                if let Some(f) = format.or_else(|| Format::from_path(&path)) {
                    files.push((path, f));
                }
            }
        } else {
            let f = format
                .or_else(|| Format::from_path(input))
                .ok_or_else(|| Error::UnknownFormat(input.clone()))?;
            files.push((input.clone(), f));
        }
    }
    if files.is_empty() {
        return Err(Error::Usage(
            "no input files (directories hold no .csv, .json, .jsonl, .ndjson or .parquet file)"
                .into(),
        ));
    }
    Ok(files)
}

/// The files of a known format in `dir` and below it.
fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), Error> {
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        if path.is_dir() {
            walk(&path, found)?;
        } else if Format::from_path(&path).is_some() {
            found.push(path);
        }
    }
    Ok(())
}

/// Runs a load.
///
/// # Errors
/// A missing input, a file that cannot be read as its format, a failed connection, or a
/// failure every row would share (unknown table, …). Rows that fail alone do not stop it.
pub async fn load(args: &LoadArgs) -> Result<LoadSummary, Error> {
    let files = input_files(&args.inputs, args.format)?;
    let mut total = 0;
    for (path, _) in &files {
        total += std::fs::metadata(path)
            .map_err(|e| Error::io(path, e))?
            .len();
    }
    // The failed-rows file is created before connecting: a bad path fails at once.
    let progress = Progress::bytes(total, args.quiet);
    let mut failed = FailedRows::create(
        args.failed_rows.as_deref(),
        progress.bar().clone(),
        args.quiet,
    )?;
    let result = load_files(args, &files, &progress, &mut failed).await;
    progress.finish();
    failed.finish()?;
    Ok(LoadSummary {
        files: files.len(),
        rows_loaded: result?,
        rows_failed: failed.count(),
        failed_rows: failed.path().map(Path::to_path_buf),
        elapsed: progress.elapsed(),
    })
}

/// Connects and loads `files`; returns the rows stored.
async fn load_files(
    args: &LoadArgs,
    files: &[(PathBuf, Format)],
    progress: &Progress,
    failed: &mut FailedRows,
) -> Result<u64, Error> {
    let concurrency = args.concurrency.max(1);
    let pool = crate::connect::pool(&args.connect.url, concurrency + 1).await?;
    let mut options = WriteOptions::new(&args.table)
        .batch_size(args.batch_size)
        .concurrency(concurrency)
        .create_table(args.create_table)
        .primary_key(args.primary_key.iter().cloned())
        .mode(if args.upsert {
            WriteMode::Upsert
        } else {
            WriteMode::Insert
        });
    if let Some(schema) = &args.schema {
        options = options.schema(schema);
    }
    let settings = ReadSettings {
        chunk_rows: args.batch_size.max(1),
        infer_rows: args.infer_rows,
    };
    let mut run = Run {
        pool,
        options,
        progress,
        failed,
        bytes_before: 0,
        rows_before: 0,
    };
    let mut loaded = 0;
    for (path, format) in files {
        let report = run.file(path, *format, settings).await?;
        loaded += (report.rows_done - report.failed.len()) as u64;
        run.rows_before += report.rows_done as u64;
        run.bytes_before += std::fs::metadata(path).map_or(0, |m| m.len());
    }
    Ok(loaded)
}

/// The state of a load across its files.
struct Run<'a> {
    pool: CrateDbPool,
    options: WriteOptions,
    progress: &'a Progress,
    failed: &'a mut FailedRows,
    bytes_before: u64,
    rows_before: u64,
}

impl Run<'_> {
    /// Loads one file; its rows are read on a blocking thread, a few chunks ahead.
    async fn file(
        &mut self,
        path: &Path,
        format: Format,
        settings: ReadSettings,
    ) -> Result<WriteReport, Error> {
        let owned = path.to_owned();
        let mut source = tokio::task::spawn_blocking(move || input::open(&owned, format, settings))
            .await
            .map_err(|e| Error::format(path, format!("the reader stopped: {e}")))??;
        let (schema, unit) = (source.schema(), source.unit());
        let (tx, mut rx) = mpsc::channel::<Result<Chunk, Error>>(2);
        let reader = tokio::task::spawn_blocking(move || {
            loop {
                let next = source.next_chunk().transpose();
                let Some(next) = next else { break };
                let stop = next.is_err();
                if tx.blocking_send(next).is_err() || stop {
                    break;
                }
            }
        });
        let context = || format!("loading {}", path.display());
        let mut writer: Option<BulkWriter> = None;
        let mut lines = LineMap::default();
        let mut seen = 0;
        while let Some(chunk) = rx.recv().await {
            let chunk = chunk?;
            for bad in &chunk.bad {
                self.failed.record(&Failure {
                    file: path,
                    unit,
                    line: Some(bad.line),
                    column: bad.column.as_deref(),
                    stage: "parse",
                    reason: &bad.reason,
                    values: bad.text.clone().into(),
                })?;
            }
            if let Some(batch) = &chunk.batch {
                let w = match &mut writer {
                    Some(w) => w,
                    None => writer.insert(
                        BulkWriter::new(self.pool.clone(), schema.clone(), self.options.clone())
                            .await
                            .map_err(|e| Error::database(context(), e))?,
                    ),
                };
                lines.push(&chunk.lines);
                w.write(batch)
                    .await
                    .map_err(|e| Error::database(context(), e))?;
                self.report(path, unit, &lines, w.report(), &mut seen)?;
            }
            let done = writer.as_ref().map_or(0, |w| w.report().rows_done as u64);
            self.progress.update(
                Some(self.bytes_before + chunk.position),
                self.rows_before + done,
            );
        }
        reader
            .await
            .map_err(|e| Error::format(path, format!("the reader stopped: {e}")))?;
        let Some(writer) = writer else {
            return Ok(WriteReport::default());
        };
        let report = writer
            .finish()
            .await
            .map_err(|e| Error::database(context(), e))?;
        self.report(path, unit, &lines, &report, &mut seen)?;
        Ok(report)
    }

    /// Records the rows of `report` that failed since the first `seen`.
    fn report(
        &mut self,
        path: &Path,
        unit: &'static str,
        lines: &LineMap,
        report: &WriteReport,
        seen: &mut usize,
    ) -> Result<(), Error> {
        for row in report.failed.iter().skip(*seen) {
            let values = serde_json::from_str(&row.values)
                .unwrap_or_else(|_| serde_json::Value::String(row.values.clone()));
            self.failed.record(&Failure {
                file: path,
                unit,
                line: lines.line(row.index),
                column: None,
                stage: "insert",
                reason: server_reason(&row.reason),
                values,
            })?;
        }
        *seen = report.failed.len();
        Ok(())
    }
}

/// The server's reason without what means nothing next to a line number: sqlx's prefix and
/// the row's place in its bulk request.
fn server_reason(reason: &str) -> &str {
    let reason = reason
        .strip_prefix("error returned from database: ")
        .unwrap_or(reason);
    match reason.rsplit_once(" (bulk row ") {
        Some((head, tail)) if tail.ends_with(')') => head,
        _ => reason,
    }
}

#[cfg(test)]
mod tests {
    use super::server_reason;

    #[test]
    fn server_reasons_lose_the_bulk_row_and_the_prefix() {
        assert_eq!(
            server_reason("[XX000] Cannot cast value `40000` to type `smallint` (bulk row 0)"),
            "[XX000] Cannot cast value `40000` to type `smallint`"
        );
        assert_eq!(
            server_reason("error returned from database: [4000] SQLParseException[x]"),
            "[4000] SQLParseException[x]"
        );
        assert_eq!(server_reason("plain (note)"), "plain (note)");
    }
}
