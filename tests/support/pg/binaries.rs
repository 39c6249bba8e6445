//! Finding PostgreSQL's server binaries and the OS user that runs them.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::SupportError;

/// Where Debian installs each major version's server binaries.
const DEBIAN_LIB_DIR: &str = "/usr/lib/postgresql";

/// Environment variable naming the bin directory to use instead of searching (a custom build,
/// another version). When set, no other place is searched.
pub const BINDIR_ENV: &str = "CRATEDB_TEST_PG_BINDIR";

/// The located PostgreSQL server binaries.
#[derive(Debug, Clone)]
pub struct PgBinaries {
    bindir: PathBuf,
}

impl PgBinaries {
    /// Finds the directory holding `initdb`, `postgres` and `psql`: the one named by
    /// [`BINDIR_ENV`] if set, else `pg_config --bindir`, else the highest version under
    /// `/usr/lib/postgresql/*/bin`.
    ///
    /// # Errors
    ///
    /// [`SupportError::BinariesNotFound`] when no directory has all three.
    pub fn locate() -> Result<Self, SupportError> {
        if let Some(dir) = std::env::var_os(BINDIR_ENV) {
            let dir = PathBuf::from(dir);
            if has_server_binaries(&dir) {
                return Ok(Self { bindir: dir });
            }
            return Err(SupportError::BinariesNotFound {
                searched: format!("{} (from {BINDIR_ENV})", dir.display()),
            });
        }
        let mut searched = Vec::new();
        let from_pg_config = Command::new("pg_config")
            .arg("--bindir")
            .output()
            .ok()
            .filter(|out| out.status.success())
            .map(|out| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
        if let Some(dir) = from_pg_config {
            if has_server_binaries(&dir) {
                return Ok(Self { bindir: dir });
            }
            searched.push(dir);
        }
        let mut versioned: Vec<(u32, PathBuf)> = std::fs::read_dir(DEBIAN_LIB_DIR)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|entry| {
                let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
                Some((version, entry.path().join("bin")))
            })
            .collect();
        versioned.sort_by_key(|(version, _)| std::cmp::Reverse(*version));
        for (_, dir) in versioned {
            if has_server_binaries(&dir) {
                return Ok(Self { bindir: dir });
            }
            searched.push(dir);
        }
        if searched.is_empty() {
            searched.push(PathBuf::from(format!("{DEBIAN_LIB_DIR}/*/bin")));
        }
        Err(SupportError::BinariesNotFound {
            searched: searched
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        })
    }

    /// [`PgBinaries::locate`], done once per test process.
    pub(crate) fn cached() -> Result<Self, SupportError> {
        static CACHE: OnceLock<Result<PgBinaries, String>> = OnceLock::new();
        CACHE
            .get_or_init(|| {
                Self::locate().map_err(|e| match e {
                    SupportError::BinariesNotFound { searched } => searched,
                    other => other.to_string(),
                })
            })
            .clone()
            .map_err(|searched| SupportError::BinariesNotFound { searched })
    }

    /// The directory with the binaries, e.g. `/usr/lib/postgresql/15/bin`.
    pub fn bindir(&self) -> &Path {
        &self.bindir
    }

    /// The path of one binary in [`PgBinaries::bindir`].
    pub fn binary(&self, name: &str) -> PathBuf {
        self.bindir.join(name)
    }
}

fn has_server_binaries(dir: &Path) -> bool {
    ["initdb", "postgres", "psql"]
        .iter()
        .all(|name| dir.join(name).is_file())
}
