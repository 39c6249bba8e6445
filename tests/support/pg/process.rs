//! PostgreSQL-specific process clean-up: shared memory and orphaned server directories.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::sync::Once;

use crate::SupportError;
use crate::process::run;

/// Prefix of each server's temporary directory: `cratedb-pg-<test pid>-<n>`.
pub(crate) const DIR_PREFIX: &str = "cratedb-pg-";

/// Removes the System V shared memory segment a killed server left behind (its id is on line
/// 7 of `postmaster.pid`). A clean shutdown, or a restart, removes it itself.
pub(crate) fn remove_leftover_shm(data_dir: &Path) -> Result<(), SupportError> {
    let pid_file = data_dir.join("postmaster.pid");
    let Ok(text) = fs::read_to_string(&pid_file) else {
        return Ok(());
    };
    let Some(shmid) = text
        .lines()
        .nth(6)
        .and_then(|line| line.split_whitespace().nth(1))
        .filter(|id| id.bytes().all(|b| b.is_ascii_digit()))
    else {
        return Ok(());
    };
    if shm_exists(shmid) {
        run(Command::new("ipcrm").args(["-m", shmid]))?;
    }
    Ok(())
}

/// Whether a System V shared memory segment with this id exists.
pub fn shm_exists(shmid: &str) -> bool {
    fs::read_to_string("/proc/sysvipc/shm").is_ok_and(|table| {
        table
            .lines()
            .skip(1)
            .any(|row| row.split_whitespace().nth(1) == Some(shmid))
    })
}

/// Once per test process: removes servers left behind by test processes that no longer run
/// (killed before their `Drop` could run): kills their processes, removes their shared memory
/// segment and their directory.
pub(crate) fn reap_orphans_once() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        crate::process::reap_orphans(DIR_PREFIX, |dir| remove_leftover_shm(&dir.join("data")));
    });
}
