//! The command line: `cratedb-loader load …` and `cratedb-loader export …`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Loads CSV, JSON lines and Parquet files into a CrateDB table, and exports a query's result
/// to the same formats.
///
/// Exit status: 0 when every row was loaded, 2 when some rows failed (they are reported,
/// the others are stored), 1 on a fatal error (missing file, connection, unknown table, …).
#[derive(Debug, Parser)]
#[command(name = "cratedb-loader", version, about, long_about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load files into a table.
    Load(LoadArgs),
    /// Write a query's result to a file.
    Export(ExportArgs),
}

/// A file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Comma-separated values with a header line.
    Csv,
    /// JSON lines: one JSON object per line.
    #[value(alias = "jsonl", alias = "ndjson")]
    Json,
    /// Apache Parquet.
    Parquet,
}

impl Format {
    /// The format a file name's extension names (`.csv`, `.json`, `.jsonl`, `.ndjson`,
    /// `.parquet`, `.pq`), if any.
    pub fn from_path(path: &std::path::Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(Self::Csv),
            "json" | "jsonl" | "ndjson" => Some(Self::Json),
            "parquet" | "pq" => Some(Self::Parquet),
            _ => None,
        }
    }
}

/// Where the database is.
#[derive(Debug, Clone, Args)]
pub struct ConnectArgs {
    /// The CrateDB URL: `crate://host:4200` (HTTP) or `postgres://user@host:5432/schema`
    /// (PostgreSQL wire protocol).
    #[arg(long, env = "CRATEDB_URL", default_value = "crate://localhost:4200")]
    pub url: String,
}

/// `cratedb-loader load`.
#[derive(Debug, Clone, Args)]
pub struct LoadArgs {
    /// The database.
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// The table to load into.
    #[arg(long)]
    pub table: String,
    /// The table's schema (default: the connection's, `doc`).
    #[arg(long)]
    pub schema: Option<String>,
    /// The files to load; a directory stands for the .csv, .json, .jsonl, .ndjson and
    /// .parquet files in it (and below it), in name order.
    #[arg(required = true, value_name = "FILE_OR_DIR")]
    pub inputs: Vec<PathBuf>,
    /// The format of every file (default: from each file's extension).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Rows read to infer the column types of a CSV or JSON file (a later value of another
    /// type fails its row).
    #[arg(long, default_value_t = 1000, value_name = "ROWS")]
    pub infer_rows: usize,
    /// Rows per bulk insert request (and per parsed chunk).
    #[arg(long, default_value_t = 5000, value_name = "ROWS")]
    pub batch_size: usize,
    /// Bulk insert requests in flight at once, each on its own connection.
    #[arg(long, default_value_t = 4, value_name = "REQUESTS")]
    pub concurrency: usize,
    /// Create the table from the inferred columns first (`CREATE TABLE IF NOT EXISTS`).
    #[arg(long)]
    pub create_table: bool,
    /// Primary key columns (comma-separated), for `--create-table` and `--upsert`.
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    pub primary_key: Vec<String>,
    /// Update rows whose primary key exists instead of failing them (needs `--primary-key`).
    #[arg(long, requires = "primary_key")]
    pub upsert: bool,
    /// Write the rows that failed to this file, one JSON object a line: file, line (or row
    /// for Parquet), column when known, stage (parse or insert), reason and values.
    #[arg(long, value_name = "PATH")]
    pub failed_rows: Option<PathBuf>,
    /// No progress bar and no line per failed row (the summary is still printed).
    #[arg(long, short)]
    pub quiet: bool,
}

/// `cratedb-loader export`.
#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// The database.
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// The query whose result is written.
    #[arg(long)]
    pub query: String,
    /// The file to write (replaced if it exists).
    #[arg(long, short, value_name = "PATH")]
    pub output: PathBuf,
    /// The output format (default: from the output's extension).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Rows per batch read from the server and written at once: memory stays about one
    /// batch (plus one Parquet row group).
    #[arg(long, default_value_t = 16_384, value_name = "ROWS")]
    pub batch_size: usize,
    /// Rows per Parquet row group.
    #[arg(long, default_value_t = 131_072, value_name = "ROWS")]
    pub row_group_size: usize,
    /// No progress display (the summary is still printed).
    #[arg(long, short)]
    pub quiet: bool,
}
