//! Failed rows: where each source row came from, and the failed-rows file.

use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};

use indicatif::ProgressBar;

use crate::error::Error;

/// How many failed rows are printed on stderr (all go to the failed-rows file).
const PRINTED: usize = 10;

/// The line (or row) of each source row written to one [`BulkWriter`], kept as the points
/// where the numbering jumps, so that memory grows with skipped lines, not with rows.
///
/// [`BulkWriter`]: sqlx_cratedb_arrow::BulkWriter
#[derive(Debug, Default)]
pub(crate) struct LineMap {
    breaks: Vec<(usize, u64)>,
    next: usize,
}

impl LineMap {
    /// Numbers the next rows: row `i` of `lines` came from line `lines[i]`.
    pub(crate) fn push(&mut self, lines: &[u64]) {
        for &line in lines {
            let follows = self
                .breaks
                .last()
                .is_some_and(|&(index, first)| first + (self.next - index) as u64 == line);
            if !follows {
                self.breaks.push((self.next, line));
            }
            self.next += 1;
        }
    }

    /// The line of the writer's row `index`.
    pub(crate) fn line(&self, index: usize) -> Option<u64> {
        let k = self.breaks.partition_point(|&(i, _)| i <= index);
        let &(first_index, first_line) = self.breaks.get(k.checked_sub(1)?)?;
        Some(first_line + (index - first_index) as u64)
    }
}

/// One failed row.
#[derive(Debug)]
pub(crate) struct Failure<'a> {
    /// The file it came from.
    pub(crate) file: &'a Path,
    /// `line` or `row`.
    pub(crate) unit: &'static str,
    /// Its line or row, from 1.
    pub(crate) line: Option<u64>,
    /// The column, when known.
    pub(crate) column: Option<&'a str>,
    /// `parse` or `insert`.
    pub(crate) stage: &'static str,
    /// Why it failed.
    pub(crate) reason: &'a str,
    /// Its values: the parsed row as an object, or the line's text.
    pub(crate) values: serde_json::Value,
}

/// Where failed rows go: the failed-rows file, and the first few to stderr.
#[derive(Debug)]
pub(crate) struct FailedRows {
    out: Option<(PathBuf, BufWriter<File>)>,
    bar: ProgressBar,
    quiet: bool,
    count: u64,
}

impl FailedRows {
    /// Creates the failed-rows file (if any); messages are printed around `bar`.
    pub(crate) fn create(
        path: Option<&Path>,
        bar: ProgressBar,
        quiet: bool,
    ) -> Result<Self, Error> {
        let out = match path {
            Some(path) => {
                let file = File::create(path).map_err(|e| Error::io(path, e))?;
                Some((path.to_owned(), BufWriter::new(file)))
            }
            None => None,
        };
        Ok(Self {
            out,
            bar,
            quiet,
            count: 0,
        })
    }

    /// The rows recorded.
    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    /// The failed-rows file.
    pub(crate) fn path(&self) -> Option<&Path> {
        self.out.as_ref().map(|(p, _)| p.as_path())
    }

    /// Records one failed row.
    pub(crate) fn record(&mut self, failure: &Failure<'_>) -> Result<(), Error> {
        self.count += 1;
        if !self.quiet && self.count <= PRINTED as u64 {
            let mut at = failure.file.display().to_string();
            if let Some(line) = failure.line {
                at = format!("{at}, {} {line}", failure.unit);
            }
            if let Some(column) = failure.column {
                at = format!("{at}, column {column}");
            }
            let reason = failure.reason;
            self.bar.suspend(|| eprintln!("failed: {at}: {reason}"));
        }
        if let Some((path, out)) = &mut self.out {
            let mut entry = serde_json::Map::new();
            entry.insert("file".into(), failure.file.display().to_string().into());
            entry.insert(failure.unit.into(), failure.line.into());
            entry.insert("column".into(), failure.column.into());
            entry.insert("stage".into(), failure.stage.into());
            entry.insert("reason".into(), failure.reason.into());
            entry.insert("values".into(), failure.values.clone());
            serde_json::to_writer(&mut *out, &entry)
                .map_err(|e| Error::io(path.clone(), e.into()))?;
            out.write_all(b"\n")
                .map_err(|e| Error::io(path.clone(), e))?;
        }
        Ok(())
    }

    /// Flushes the failed-rows file.
    pub(crate) fn finish(&mut self) -> Result<(), Error> {
        if let Some((path, out)) = &mut self.out {
            out.flush().map_err(|e| Error::io(path.clone(), e))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::LineMap;

    #[test]
    fn line_map_follows_skipped_lines_across_batches() {
        let mut map = LineMap::default();
        map.push(&[2, 3, 4, 6, 7]);
        map.push(&[8, 12]);
        let lines: Vec<_> = (0..7).filter_map(|i| map.line(i)).collect();
        assert_eq!(lines, [2, 3, 4, 6, 7, 8, 12]);
        assert_eq!(map.breaks.len(), 3);
    }
}
