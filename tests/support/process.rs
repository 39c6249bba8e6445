//! Processes, signals and helper commands shared by the PostgreSQL and CrateDB test servers
//! (Linux: reads `/proc`).

use std::fs;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::{Gid, Pid, Uid, User};

use crate::SupportError;

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
            Err(e) => return Err(SupportError::io("waiting for a server process", e)),
        }
    }
}

/// Pids of all processes whose working directory is `dir` or below it. PostgreSQL's postmaster
/// changes into its data directory and every server process inherits that, and CrateDB nodes
/// are started in their own directory, so this finds a server's processes, also orphans whose
/// parent was killed.
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

/// A port that was free on 127.0.0.1 a moment ago.
pub(crate) fn free_port() -> Result<u16, SupportError> {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|e| SupportError::io("finding a free port on 127.0.0.1", e))
}

/// Removes the directories `$TMPDIR/<prefix><pid>-<n>` of test processes that no longer run
/// (killed before their `Drop` could run): kills the processes working in them, runs `cleanup`
/// on each, and removes it. Directories of live processes, including other engineers'
/// concurrent test runs, are left alone.
pub(crate) fn reap_orphans(prefix: &str, cleanup: fn(&Path) -> Result<(), SupportError>) {
    let Ok(entries) = fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(owner) = name
            .to_str()
            .and_then(|n| n.strip_prefix(prefix))
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
            .and_then(|()| cleanup(&dir))
            .and_then(|()| {
                fs::remove_dir_all(&dir)
                    .map_err(|e| SupportError::io(format!("removing {}", dir.display()), e))
            });
        if let Err(e) = cleaned {
            eprintln!("cratedb-integration: could not reap an orphaned test server: {e}");
        }
    }
}

/// The OS identity the server processes run as.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RunAs {
    /// `Some` when running as root: the uid/gid of the unprivileged user to switch to.
    pub(crate) switch_to: Option<(u32, u32)>,
}

impl RunAs {
    /// The current user, or when the tests run as root the first of `users` that exists;
    /// `missing` says why none of them exists.
    pub(crate) fn detect(users: &[&str], missing: &str) -> Result<Self, SupportError> {
        if !Uid::effective().is_root() {
            return Ok(Self { switch_to: None });
        }
        let mut found = None;
        for name in users {
            found = User::from_name(name).map_err(|e| {
                SupportError::io(format!("looking up the `{name}` OS user"), e.into())
            })?;
            if found.is_some() {
                break;
            }
        }
        let user = found.ok_or_else(|| SupportError::Config(missing.to_owned()))?;
        Ok(Self {
            switch_to: Some((user.uid.as_raw(), Gid::as_raw(user.gid))),
        })
    }

    /// Applies the identity to a command that must not run as root.
    pub(crate) fn apply(self, command: &mut Command) {
        use std::os::unix::process::CommandExt as _;
        if let Some((uid, gid)) = self.switch_to {
            // std drops the supplementary groups when root switches uid.
            command.uid(uid).gid(gid);
        }
    }

    /// Makes `path` owned by the server's OS user (a no-op when not running as root).
    pub(crate) fn chown(self, path: &Path) -> Result<(), SupportError> {
        if let Some((uid, gid)) = self.switch_to {
            std::os::unix::fs::chown(path, Some(uid), Some(gid))
                .map_err(|e| SupportError::io(format!("chown {}", path.display()), e))?;
        }
        Ok(())
    }
}

/// Creates `$TMPDIR/<prefix><test pid>-<n>` (the first free `n`), mode 0700, owned by the
/// server's OS user; removed again if it cannot be prepared.
pub(crate) fn create_root(prefix: &str, run_as: RunAs) -> Result<PathBuf, SupportError> {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let base = std::env::temp_dir();
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = base.join(format!("{prefix}{}-{n}", std::process::id()));
        match fs::create_dir(&dir) {
            Ok(()) => {
                let prepared = fs::set_permissions(&dir, fs::Permissions::from_mode(0o700))
                    .map_err(|e| SupportError::io(format!("chmod {}", dir.display()), e))
                    .and_then(|()| run_as.chown(&dir));
                if let Err(e) = prepared {
                    let _ = fs::remove_dir_all(&dir);
                    return Err(e);
                }
                return Ok(dir);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(SupportError::io(format!("creating {}", dir.display()), e)),
        }
    }
}
