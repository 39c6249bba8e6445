//! Subscript paths (`"col"['key'][1]`) as a type of their own: [`Path`].
//!
//! A path is rendered from its structure: the column as one quoted identifier, each key as one
//! string literal, each index as an integer. Where sea-query only takes a name (the left-hand
//! side of `UPDATE … SET`, a `ColumnDef`), a path converts to a [`DynIden`] holding a sealed
//! token (see `seal.rs`) that only this process can make; a plain string can never be read as a
//! path.

use std::fmt::Write;

use sea_query::{DynIden, Expr};

use crate::{
    seal::{self, Kind},
    write::name::{write_checked_identifier, write_string_literal},
};

/// One step of a subscript path: an object key or a 1-based array index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Subscript {
    /// `['key']`.
    Key(String),
    /// `[n]` (1-based; past the end gives NULL).
    Index(i32),
}

impl From<&str> for Subscript {
    fn from(value: &str) -> Self {
        Self::Key(value.to_owned())
    }
}

impl From<String> for Subscript {
    fn from(value: String) -> Self {
        Self::Key(value)
    }
}

impl From<i32> for Subscript {
    fn from(value: i32) -> Self {
        Self::Index(value)
    }
}

/// A column with a subscript path: `"col"['key'][1]`.
///
/// Make one with [`path`]. It converts to an [`Expr`] and to a sea-query [`DynIden`], so it is
/// usable anywhere sea-query takes a column name, including the left-hand side of
/// `UPDATE … SET` and a [`ColumnDef`](sea_query::ColumnDef) name in
/// [`AlterTable`](crate::AlterTable). Only [`CrateDbQueryBuilder`](crate::CrateDbQueryBuilder)
/// renders it as a path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Path {
    column: String,
    segments: Vec<Subscript>,
}

impl Path {
    /// The column the path starts at.
    pub fn column(&self) -> &str {
        &self.column
    }

    /// The subscripts, in order.
    pub fn segments(&self) -> &[Subscript] {
        &self.segments
    }

    /// Writes `"col"['k'][1]`: the column checked and quoted, keys as string literals.
    pub(crate) fn write(&self, sql: &mut impl Write) {
        write_checked_identifier(&self.column, sql);
        for segment in &self.segments {
            let _ = sql.write_char('[');
            match segment {
                Subscript::Key(key) => write_string_literal(key, sql),
                Subscript::Index(index) => {
                    let _ = write!(sql, "{index}");
                }
            }
            let _ = sql.write_char(']');
        }
    }

    /// The payload of the sealed token: each part as `<len>:<text>` (keys prefixed `k`),
    /// indexes as `i<n>;`, so no content can be read as a separator.
    fn encode(&self) -> String {
        let mut payload = String::with_capacity(self.column.len() + 16);
        let _ = write!(payload, "{}:{}", self.column.len(), self.column);
        for segment in &self.segments {
            match segment {
                Subscript::Key(key) => {
                    let _ = write!(payload, "k{}:{key}", key.len());
                }
                Subscript::Index(index) => {
                    let _ = write!(payload, "i{index};");
                }
            }
        }
        payload
    }

    fn decode(mut payload: &str) -> Option<Self> {
        fn counted(text: &str) -> Option<(&str, &str)> {
            let (len, rest) = text.split_once(':')?;
            let len = len.parse::<usize>().ok()?;
            Some((rest.get(..len)?, rest.get(len..)?))
        }
        let (column, rest) = counted(payload)?;
        payload = rest;
        let mut segments = Vec::new();
        while !payload.is_empty() {
            if let Some(rest) = payload.strip_prefix('k') {
                let (key, rest) = counted(rest)?;
                segments.push(Subscript::Key(key.to_owned()));
                payload = rest;
            } else {
                let (index, rest) = payload.strip_prefix('i')?.split_once(';')?;
                segments.push(Subscript::Index(index.parse().ok()?));
                payload = rest;
            }
        }
        Some(Self {
            column: column.to_owned(),
            segments,
        })
    }

    /// The path a sealed name stands for, or `None` for a plain name.
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        if !seal::maybe_token(name) {
            return None;
        }
        Self::decode(seal::open(Kind::Path, name)?)
    }
}

impl From<Path> for DynIden {
    fn from(path: Path) -> Self {
        DynIden::from(seal::seal(Kind::Path, &path.encode()))
    }
}

impl From<Path> for Expr {
    fn from(path: Path) -> Self {
        Expr::col(DynIden::from(path))
    }
}

/// A column with a subscript path, usable anywhere sea-query takes a column name, including
/// the left-hand side of `UPDATE … SET`.
///
/// Keys are written as string literals and indexes as integers, whatever they contain.
///
/// # Examples
///
/// ```
/// use sea_cratedb::{CrateDbQueryBuilder, expr::path, sea_query::{Expr, ExprTrait, Query}};
///
/// let sql = Query::update()
///     .table("docs")
///     .value(path("payload", ["meta", "level"]), 3)
///     .and_where(Expr::col(path("tags", [1])).eq("x"))
///     .to_string(CrateDbQueryBuilder);
/// assert_eq!(sql, r#"UPDATE "docs" SET "payload"['meta']['level'] = 3 WHERE "tags"[1] = 'x'"#);
/// ```
pub fn path<I, S>(column: &str, segments: I) -> Path
where
    I: IntoIterator<Item = S>,
    S: Into<Subscript>,
{
    Path {
        column: column.to_owned(),
        segments: segments.into_iter().map(Into::into).collect(),
    }
}

/// Writes a name from a sea-query slot: a sealed [`Path`] by its structure, anything else as one
/// quoted identifier (reported to the checked entry point when empty or with a control
/// character).
pub(crate) fn write_name(name: &str, sql: &mut impl Write) {
    match Path::from_name(name) {
        Some(path) => path.write(sql),
        None => write_checked_identifier(name, sql),
    }
}

/// Writes a sea-query identifier (see [`write_name`]); the common plain name takes a fast path.
pub(crate) fn write_dyn_iden(iden: &DynIden, sql: &mut impl Write) {
    // `inner()` clones a `Cow`: free for `&'static str` names, one copy for owned ones.
    let name = iden.inner();
    if !name.is_empty() && name.bytes().all(|b| b != b'"' && (0x20..0x7f).contains(&b)) {
        let _ = sql.write_char('"');
        let _ = sql.write_str(&name);
        let _ = sql.write_char('"');
    } else {
        write_name(&name, sql);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_round_trip_through_their_token() {
        let original = path(
            "a:1",
            [Subscript::from("k3:x"), Subscript::Index(-2), "".into()],
        );
        let iden = DynIden::from(original.clone());
        assert_eq!(Path::from_name(&iden.inner()), Some(original));
        assert_eq!(Path::from_name("\u{1}1:ak1:b"), None);
    }
}
