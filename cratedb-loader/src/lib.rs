#![doc = include_str!("lib.md")]

pub mod cli;
mod connect;
pub mod error;
pub mod export;
mod failed;
mod input;
pub mod load;
mod progress;

use std::fmt::Write as _;
use std::io::Write as _;

pub use error::Error;

use cli::{Cli, Command};
use progress::{rate, thousands};

/// The exit status when some rows failed and the others were loaded.
pub const EXIT_ROWS_FAILED: u8 = 2;

/// Runs a command and prints its summary line on stdout; returns the exit status (0, or
/// [`EXIT_ROWS_FAILED`]).
///
/// # Errors
/// As [`load::load`] and [`export::export`].
pub async fn run(cli: Cli) -> Result<u8, Error> {
    let line = match cli.command {
        Command::Load(args) => {
            let summary = load::load(&args).await?;
            let mut line = format!(
                "loaded {} rows from {} file{} into {} in {:.1} s ({} rows/s)",
                thousands(summary.rows_loaded),
                summary.files,
                if summary.files == 1 { "" } else { "s" },
                args.schema
                    .as_ref()
                    .map_or(args.table.clone(), |s| format!("{s}.{}", args.table)),
                summary.elapsed.as_secs_f64(),
                thousands(rate(summary.rows_loaded, summary.elapsed)),
            );
            if summary.rows_failed > 0 {
                let n = summary.rows_failed;
                let _ = write!(
                    line,
                    "; {} row{} failed",
                    thousands(n),
                    if n == 1 { "" } else { "s" }
                );
                if let Some(path) = &summary.failed_rows {
                    let _ = write!(line, " (see {})", path.display());
                }
            }
            let status = if summary.rows_failed > 0 {
                EXIT_ROWS_FAILED
            } else {
                0
            };
            (line, status)
        }
        Command::Export(args) => {
            let summary = export::export(&args).await?;
            let line = format!(
                "exported {} rows to {} ({} bytes) in {:.1} s ({} rows/s)",
                thousands(summary.rows),
                args.output.display(),
                thousands(summary.bytes),
                summary.elapsed.as_secs_f64(),
                thousands(rate(summary.rows, summary.elapsed)),
            );
            (line, 0)
        }
    };
    // A closed stdout does not make the load fail.
    let _ = writeln!(std::io::stdout(), "{}", line.0);
    Ok(line.1)
}
