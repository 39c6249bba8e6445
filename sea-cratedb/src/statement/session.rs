//! `SET` (session and cluster settings) and `RESET GLOBAL`.

use std::fmt;

use super::{StatementError, checked};
use crate::{
    ParamValue,
    write::name::{write_setting_name, write_string_literal},
    write::param::write_param_value,
};

/// How long a `SET GLOBAL` change lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Persistence {
    /// `PERSISTENT`: survives a cluster restart.
    Persistent,
    /// `TRANSIENT`: lost when the cluster restarts.
    Transient,
}

impl Persistence {
    fn as_sql(self) -> &'static str {
        match self {
            Self::Persistent => "PERSISTENT",
            Self::Transient => "TRANSIENT",
        }
    }
}

/// A `SET` statement: a session setting, a session setting back to its default, or a cluster
/// setting.
///
/// Setting names are written bare when they are plain lower-case identifiers that are not
/// reserved words (`search_path`) and double-quoted otherwise (`"stats.enabled"`, `"select"`); text values are escaped
/// string literals, numbers and booleans are bare (negative numbers are written as text in
/// `SET … TO`, whose grammar has no sign). CrateDB accepts and ignores unknown session
/// settings; `RESET name` is not CrateDB syntax, use [`Set::to_default`].
///
/// # Examples
///
/// ```
/// use sea_cratedb::{Persistence, Set};
///
/// let sql = Set::session("search_path", ["app", "doc"]).try_to_string().unwrap();
/// assert_eq!(sql, "SET search_path TO 'app', 'doc'");
///
/// let sql = Set::to_default("search_path").try_to_string().unwrap();
/// assert_eq!(sql, "SET search_path TO DEFAULT");
///
/// let sql = Set::global(Persistence::Persistent, "stats.enabled", true).try_to_string().unwrap();
/// assert_eq!(sql, r#"SET GLOBAL PERSISTENT "stats.enabled" = true"#);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Set {
    name: String,
    kind: SetKind,
}

#[derive(Debug, Clone, PartialEq)]
enum SetKind {
    Session(Vec<ParamValue>),
    Default,
    Global(Persistence, ParamValue),
}

impl Set {
    /// `SET name TO v1, v2, …`: a session setting (for this connection only).
    pub fn session<I, V>(name: &str, values: I) -> Self
    where
        I: IntoIterator<Item = V>,
        V: Into<ParamValue>,
    {
        Self {
            name: name.to_owned(),
            kind: SetKind::Session(values.into_iter().map(Into::into).collect()),
        }
    }

    /// `SET name TO DEFAULT`: a session setting back to its default.
    pub fn to_default(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            kind: SetKind::Default,
        }
    }

    /// `SET GLOBAL {PERSISTENT | TRANSIENT} name = value`: a cluster-wide setting; undo it with
    /// [`ResetGlobal`].
    pub fn global(persistence: Persistence, name: &str, value: impl Into<ParamValue>) -> Self {
        Self {
            name: name.to_owned(),
            kind: SetKind::Global(persistence, value.into()),
        }
    }

    /// Renders the statement.
    ///
    /// # Errors
    ///
    /// [`StatementError::EmptyList`] for [`Set::session`] without a value;
    /// [`StatementError::Sql`] with [`Error::InvalidName`](crate::Error::InvalidName) for an
    /// empty setting name or one with a control character.
    pub fn try_to_string(&self) -> Result<String, StatementError> {
        checked(|sql| {
            sql.push_str("SET ");
            match &self.kind {
                SetKind::Session(values) => {
                    if values.is_empty() {
                        return Err(StatementError::EmptyList("SET value"));
                    }
                    write_setting_name(&self.name, sql);
                    sql.push_str(" TO ");
                    for (i, value) in values.iter().enumerate() {
                        if i > 0 {
                            sql.push_str(", ");
                        }
                        write_session_value(value, sql);
                    }
                }
                SetKind::Default => {
                    write_setting_name(&self.name, sql);
                    sql.push_str(" TO DEFAULT");
                }
                SetKind::Global(persistence, value) => {
                    sql.push_str("GLOBAL ");
                    sql.push_str(persistence.as_sql());
                    sql.push(' ');
                    write_setting_name(&self.name, sql);
                    sql.push_str(" = ");
                    write_param_value(value, sql);
                }
            }
            Ok(())
        })
    }
}

/// Writes a `SET … TO` value. The grammar has no signed numbers there, so a negative number
/// is written as text (`'-1'`), which CrateDB converts to the setting's type.
fn write_session_value(value: &ParamValue, sql: &mut String) {
    match value {
        ParamValue::Int(v) if *v < 0 => write_string_literal(&v.to_string(), sql),
        ParamValue::Float(v) if v.is_sign_negative() => {
            write_string_literal(&format!("{v:?}"), sql);
        }
        other => write_param_value(other, sql),
    }
}

/// `RESET GLOBAL name`: a cluster setting back to its default.
///
/// # Examples
///
/// ```
/// use sea_cratedb::ResetGlobal;
///
/// assert_eq!(ResetGlobal::new("stats.enabled").to_string(), r#"RESET GLOBAL "stats.enabled""#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResetGlobal {
    name: String,
}

impl ResetGlobal {
    /// Resets the cluster setting `name` (for example `"stats.enabled"`).
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
        }
    }
}

impl ResetGlobal {
    /// Renders the statement.
    ///
    /// # Errors
    ///
    /// [`StatementError::Sql`] with [`Error::InvalidName`](crate::Error::InvalidName) for an
    /// empty setting name or one with a control character ([`Display`](fmt::Display) writes
    /// such a name as one quoted identifier).
    pub fn try_to_string(&self) -> Result<String, StatementError> {
        checked(|sql| {
            sql.push_str("RESET GLOBAL ");
            write_setting_name(&self.name, sql);
            Ok(())
        })
    }
}

impl fmt::Display for ResetGlobal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sql = String::from("RESET GLOBAL ");
        write_setting_name(&self.name, &mut sql);
        f.write_str(&sql)
    }
}
