//! Processes, signals and helper commands (Linux: reads `/proc`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Once;
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::SupportError;

/// Prefix of each server's temporary directory: `cratedb-pg-<test pid>-<n>`.
pub(crate) const DIR_PREFIX: &str = "cratedb-pg-";

/// How often state is polled while waiting.
pub(crate) const POLL: Duration = Duration::from_millis(20);

/// A command line for error messages.
pub(crate) fn describe(command: &Command) -> String {
    let mut line = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        line.push(' ');
        line.push_str(&arg.to_string_lossy());
    }
    line
}

/// The last `lines` lines of `text`.
pub(crate) fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// The last lines of a log file, or a note why it could not be read.
pub(crate) fn log_tail(path: &Path) -> String {
    match fs::read(path) {
        Ok(bytes) => tail(&String::from_utf8_lossy(&bytes), 40),
        Err(e) => format!("(could not read {}: {e})", path.display()),
    }
}

/// Runs a command to completion; a failure carries its exit status and output tail.
pub(crate) fn run(command: &mut Command) -> Result<String, SupportError> {
    let line = describe(command);
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| SupportError::io(format!("running `{line}`"), e))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if output.status.success() {
        return Ok(stdout);
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    Err(SupportError::Command {
        command: line,
        status: output.status,
        output: tail(&format!("{stderr}{stdout}"), 30),
    })
}

/// A child's pid as nix wants it.
pub(crate) fn pid_of(child: &Child) -> Result<Pid, SupportError> {
    i32::try_from(child.id()).map(Pid::from_raw).map_err(|_| {
        SupportError::io(
            "child pid out of range",
            std::io::Error::other(child.id().to_string()),
        )
    })
}

/// Sends a signal; a process that is already gone is not an error.
pub(crate) fn signal(pid: Pid, sig: Signal) -> Result<(), SupportError> {
    match kill(pid, sig) {
        Ok(()) | Err(nix::errno::Errno::ESRCH) => Ok(()),
        Err(e) => Err(SupportError::io(
            format!("sending {sig} to {pid}"),
            e.into(),
        )),
    }
}

/// Waits up to `timeout` for a child to exit; `true` when it did (and was reaped).
pub(crate) fn wait_exit(child: &mut Child, timeout: Duration) -> Result<bool, SupportError> {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => return Ok(true),
            Ok(None) if Instant::now() >= deadline => return Ok(false),
            Ok(None) => thread::sleep(POLL),
            Err(e) => return Err(SupportError::io("waiting for the postgres process", e)),
        }
    }
}

/// Pids of all processes whose working directory is `dir` or below it. PostgreSQL's postmaster
/// changes into its data directory and every server process inherits that, so this finds a
/// server's processes, also orphans whose postmaster was killed.
pub fn processes_in(dir: &Path) -> Vec<i32> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let pid = entry.file_name().to_str()?.parse::<i32>().ok()?;
            let cwd = fs::read_link(entry.path().join("cwd")).ok()?;
            cwd.starts_with(dir).then_some(pid)
        })
        .collect()
}

/// SIGKILLs every process working in `dir` and waits (up to 10 s) until none is left.
pub(crate) fn kill_all_in(dir: &Path) -> Result<(), SupportError> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let pids = processes_in(dir);
        if pids.is_empty() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(SupportError::io(
                format!("processes in {} survive SIGKILL", dir.display()),
                std::io::Error::other(format!("{pids:?}")),
            ));
        }
        for pid in pids {
            signal(Pid::from_raw(pid), Signal::SIGKILL)?;
        }
        thread::sleep(POLL);
    }
}

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
/// segment and their directory. Directories of live processes, including other engineers'
/// concurrent test runs, are left alone.
pub(crate) fn reap_orphans_once() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let Ok(entries) = fs::read_dir(std::env::temp_dir()) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(owner) = name
                .to_str()
                .and_then(|n| n.strip_prefix(DIR_PREFIX))
                .and_then(|rest| rest.split('-').next())
                .and_then(|pid| pid.parse::<u32>().ok())
            else {
                continue;
            };
            if Path::new(&format!("/proc/{owner}")).exists() {
                continue;
            }
            let dir: PathBuf = entry.path();
            let cleaned = kill_all_in(&dir)
                .and_then(|()| remove_leftover_shm(&dir.join("data")))
                .and_then(|()| {
                    fs::remove_dir_all(&dir)
                        .map_err(|e| SupportError::io(format!("removing {}", dir.display()), e))
                });
            if let Err(e) = cleaned {
                eprintln!("cratedb-integration: could not reap an orphaned test server: {e}");
            }
        }
    });
}
