//! An installed CrateDB distribution (`CRATEDB_HOME`) and the JVM that runs it.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::SupportError;

/// The variable naming an installed CrateDB distribution (the layout of CrateDB's release
/// tarball: `bin/crate`, `lib/*.jar`, `config/`, and usually a bundled `jdk/`).
pub const HOME_ENV: &str = "CRATEDB_HOME";

/// An installed CrateDB: its directory and the `java` that runs it.
///
/// The JVM is, in this order: `$CRATE_JAVA_HOME/bin/java`, the distribution's bundled
/// `jdk/bin/java`, `$JAVA_HOME/bin/java`, `java` on the `PATH`. CrateDB 6.x needs Java 25.
#[derive(Debug, Clone)]
pub struct CrateDbInstall {
    home: PathBuf,
    java: PathBuf,
}

impl CrateDbInstall {
    /// The installation `CRATEDB_HOME` names, or `None` when the variable is unset or empty.
    ///
    /// # Errors
    /// [`SupportError::CrateDbInstall`] when the directory lacks `lib/` with CrateDB's jars or
    /// `config/`.
    pub fn from_env() -> Result<Option<Self>, SupportError> {
        match std::env::var_os(HOME_ENV) {
            Some(home) if !home.is_empty() => Self::at(Path::new(&home)).map(Some),
            _ => Ok(None),
        }
    }

    /// The installation in `home`.
    ///
    /// # Errors
    /// As [`CrateDbInstall::from_env`].
    pub fn at(home: &Path) -> Result<Self, SupportError> {
        let invalid = |reason: &str| SupportError::CrateDbInstall {
            home: home.display().to_string(),
            reason: reason.to_owned(),
        };
        let home = home
            .canonicalize()
            .map_err(|e| invalid(&format!("not a directory ({e})")))?;
        let has_server_jar = std::fs::read_dir(home.join("lib"))
            .map_err(|e| invalid(&format!("no lib/ directory ({e})")))?
            .flatten()
            .any(|entry| {
                entry.file_name().to_str().is_some_and(|name| {
                    name.starts_with("crate-server")
                        && Path::new(name).extension().is_some_and(|e| e == "jar")
                })
            });
        if !has_server_jar {
            return Err(invalid("lib/ holds no crate-server jar"));
        }
        if !home.join("config").is_dir() {
            return Err(invalid("no config/ directory"));
        }
        let java = java_for(&home);
        Ok(Self { home, java })
    }

    /// The distribution's directory.
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// The `java` that runs the nodes.
    pub fn java(&self) -> &Path {
        &self.java
    }

    /// The command that starts a node with `settings` (`-C<name>=<value>` each) and a heap of
    /// `heap` (e.g. `1g`), as `bin/crate` starts it, but with this installation's JVM and
    /// without GC logging.
    pub(crate) fn node_command(&self, heap: &str, settings: &[(String, String)]) -> Command {
        let mut command = Command::new(&self.java);
        command
            .arg(format!("-Xms{heap}"))
            .arg(format!("-Xmx{heap}"))
            .args([
                "-Djava.awt.headless=true",
                "-XX:+UseG1GC",
                "-Dfile.encoding=UTF-8",
                "-Dlog4j.shutdownHookEnabled=false",
                "-Dlog4j2.disable.jmx=true",
                "-Dlog4j.skipJansi=true",
                "-Dio.netty.recycler.maxCapacityPerThread=0",
                "--sun-misc-unsafe-memory-access=allow",
                "--enable-native-access=ALL-UNNAMED",
                "--add-modules",
                "jdk.incubator.vector",
                "-cp",
            ])
            .arg(self.home.join("lib").join("*"))
            .arg("io.crate.bootstrap.CrateDB")
            .arg(format!("-Cpath.home={}", self.home.display()));
        for (name, value) in settings {
            command.arg(format!("-C{name}={value}"));
        }
        command
    }
}

/// The JVM for a distribution in `home` (see [`CrateDbInstall`]).
fn java_for(home: &Path) -> PathBuf {
    let from_var = |var: &str| {
        std::env::var_os(var)
            .filter(|v| !v.is_empty())
            .map(|dir| PathBuf::from(dir).join("bin").join("java"))
            .filter(|java| java.is_file())
    };
    from_var("CRATE_JAVA_HOME")
        .or_else(|| Some(home.join("jdk").join("bin").join("java")).filter(|j| j.is_file()))
        .or_else(|| from_var("JAVA_HOME"))
        .unwrap_or_else(|| PathBuf::from("java"))
}
