//! CrateDB column types, typed: [`CrateType`] renders the exact CrateDB type syntax.

use std::fmt::{self, Write as _};

use sea_query::{ColumnDef, TableBuilder};

use crate::CrateDbQueryBuilder;

/// How an `OBJECT` column treats keys that its definition does not list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ColumnPolicy {
    /// New keys are added to the schema with the type of their first value (the default).
    #[default]
    Dynamic,
    /// New keys are rejected.
    Strict,
    /// New keys are stored but neither typed nor indexed.
    Ignored,
}

impl ColumnPolicy {
    /// The SQL keyword: `DYNAMIC`, `STRICT` or `IGNORED`.
    pub fn as_sql(self) -> &'static str {
        match self {
            Self::Dynamic => "DYNAMIC",
            Self::Strict => "STRICT",
            Self::Ignored => "IGNORED",
        }
    }
}

/// A CrateDB column type (`cratedb-reference.md` §1).
///
/// Use it with [`CrateColumnExt::crate_type`](crate::CrateColumnExt::crate_type), or render it
/// with [`Display`](fmt::Display).
///
/// # Examples
///
/// ```
/// use sea_cratedb::{ColumnPolicy, CrateType, sea_query::ColumnDef};
///
/// let payload = CrateType::object(ColumnPolicy::Strict)
///     .field(ColumnDef::new("level").integer().not_null())
///     .field(ColumnDef::new("tags").custom(CrateType::array(CrateType::Text).to_string()));
/// assert_eq!(
///     payload.to_string(),
///     r#"OBJECT(STRICT) AS ("level" INTEGER NOT NULL, "tags" ARRAY(TEXT))"#
/// );
/// assert_eq!(CrateType::FloatVector(384).to_string(), "FLOAT_VECTOR(384)");
/// assert_eq!(
///     CrateType::array(CrateType::array(CrateType::DoublePrecision)).to_string(),
///     "ARRAY(ARRAY(DOUBLE PRECISION))"
/// );
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum CrateType {
    /// `BOOLEAN`.
    Boolean,
    /// `BYTE` (8-bit signed integer).
    Byte,
    /// `"char"`: CrateDB's single-byte type, written with its double quotes (PostgreSQL's
    /// `"char"`). CrateDB stores it as a `BYTE` (`SHOW CREATE TABLE` reports `BYTE`), so values
    /// are small integers; a one-letter text does not convert.
    Char,
    /// `SMALLINT`.
    SmallInt,
    /// `INTEGER`.
    Integer,
    /// `BIGINT`.
    BigInt,
    /// `REAL` (32-bit float).
    Real,
    /// `DOUBLE PRECISION`.
    DoublePrecision,
    /// `NUMERIC(precision, scale)`; storable since CrateDB 5.9, precision at most 38.
    Numeric {
        /// Total number of digits.
        precision: u32,
        /// Digits after the decimal point.
        scale: u32,
    },
    /// `TEXT`.
    Text,
    /// `VARCHAR(n)`.
    Varchar(u32),
    /// `CHARACTER(n)`, blank-padded.
    Character(u32),
    /// `TIMESTAMP WITH TIME ZONE` (stored as UTC milliseconds).
    TimestampTz,
    /// `TIMESTAMP WITHOUT TIME ZONE`.
    Timestamp,
    /// `DATE` (a column type since CrateDB 6.5).
    Date,
    /// `IP` (IPv4 or IPv6 address).
    Ip,
    /// `BIT(n)`.
    Bit(u32),
    /// `UUID` (a column type since CrateDB 6.2).
    Uuid,
    /// `GEO_POINT` (`[lon, lat]`).
    GeoPoint,
    /// `GEO_SHAPE` (GeoJSON or WKT).
    GeoShape,
    /// `FLOAT_VECTOR(n)`, n at most 2048.
    FloatVector(u32),
    /// `ARRAY(T)`; arrays nest.
    Array(Box<CrateType>),
    /// `OBJECT(policy) [AS (fields)]`.
    Object(ObjectType),
}

/// An `OBJECT` type: its column policy and its declared fields (which may nest objects).
#[derive(Debug, Clone, Default)]
pub struct ObjectType {
    policy: ColumnPolicy,
    fields: Vec<ColumnDef>,
}

impl ObjectType {
    /// Declares a field; it renders like a column, with its type and constraints.
    pub fn field(mut self, column: impl Into<ColumnDef>) -> Self {
        self.fields.push(column.into());
        self
    }
}

impl From<ObjectType> for CrateType {
    fn from(value: ObjectType) -> Self {
        Self::Object(value)
    }
}

impl CrateType {
    /// An `OBJECT` type with the given policy; add fields with [`ObjectType::field`].
    pub fn object(policy: ColumnPolicy) -> ObjectType {
        ObjectType {
            policy,
            fields: Vec::new(),
        }
    }

    /// `ARRAY(inner)`.
    pub fn array(inner: impl Into<CrateType>) -> Self {
        Self::Array(Box::new(inner.into()))
    }
}

impl fmt::Display for CrateType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Boolean => f.write_str("BOOLEAN"),
            Self::Byte => f.write_str("BYTE"),
            Self::Char => f.write_str("\"char\""),
            Self::SmallInt => f.write_str("SMALLINT"),
            Self::Integer => f.write_str("INTEGER"),
            Self::BigInt => f.write_str("BIGINT"),
            Self::Real => f.write_str("REAL"),
            Self::DoublePrecision => f.write_str("DOUBLE PRECISION"),
            Self::Numeric { precision, scale } => write!(f, "NUMERIC({precision}, {scale})"),
            Self::Text => f.write_str("TEXT"),
            Self::Varchar(n) => write!(f, "VARCHAR({n})"),
            Self::Character(n) => write!(f, "CHARACTER({n})"),
            Self::TimestampTz => f.write_str("TIMESTAMP WITH TIME ZONE"),
            Self::Timestamp => f.write_str("TIMESTAMP WITHOUT TIME ZONE"),
            Self::Date => f.write_str("DATE"),
            Self::Ip => f.write_str("IP"),
            Self::Bit(n) => write!(f, "BIT({n})"),
            Self::Uuid => f.write_str("UUID"),
            Self::GeoPoint => f.write_str("GEO_POINT"),
            Self::GeoShape => f.write_str("GEO_SHAPE"),
            Self::FloatVector(n) => write!(f, "FLOAT_VECTOR({n})"),
            Self::Array(inner) => write!(f, "ARRAY({inner})"),
            Self::Object(object) => fmt::Display::fmt(object, f),
        }
    }
}

impl fmt::Display for ObjectType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OBJECT({})", self.policy.as_sql())?;
        if self.fields.is_empty() {
            return Ok(());
        }
        let mut fields = String::new();
        for (i, field) in self.fields.iter().enumerate() {
            if i > 0 {
                fields.push_str(", ");
            }
            CrateDbQueryBuilder.prepare_column_def(field, &mut fields);
        }
        f.write_str(" AS (")?;
        f.write_str(&fields)?;
        f.write_char(')')
    }
}
