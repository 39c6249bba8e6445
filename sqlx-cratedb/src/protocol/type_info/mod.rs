//! The CrateDB type table: [`CrateDbTypeInfo`], a column's CrateDB type, and every fact the
//! driver keeps per type. Here: its `col_types` code (HTTP, `/_sql?types`), its name and what
//! its JSON looks like; in [`pgwire`]: its PostgreSQL OIDs and the shape of its text and binary
//! values. The transports' converters work from these facts and name no type themselves.

mod pgwire;

use std::fmt::{self, Display, Formatter};

use serde_json::Value as JsonValue;
use sqlx_core::type_info::TypeInfo;

pub(crate) use pgwire::{WireBinary, WireText};

/// The `col_type` code for an array: `[100, <inner>]`.
pub(crate) const ARRAY_CODE: i64 = 100;

/// The type of a CrateDB column or value, as reported by `col_types` over HTTP.
///
/// Scalar types carry the numeric code of CrateDB's type table; arrays nest:
/// `array(array(integer))` is `Array(Array(Integer))`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "macros", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum CrateDbTypeInfo {
    /// `NULL` / undefined (code 0).
    Null,
    /// Internal "not supported" type (code 1).
    NotSupported,
    /// `byte`: 1-byte signed integer (code 2).
    Byte,
    /// `boolean` (code 3).
    Boolean,
    /// `text` / `varchar(n)` (code 4).
    Text,
    /// `ip` (code 5).
    Ip,
    /// `double precision` (code 6).
    Double,
    /// `real` (code 7).
    Real,
    /// `smallint` (code 8).
    Smallint,
    /// `integer` (code 9).
    Integer,
    /// `bigint` (code 10).
    Bigint,
    /// `timestamp with time zone` (code 11): epoch milliseconds on the wire.
    Timestamptz,
    /// `object` (code 12).
    Object,
    /// `geo_point` (code 13): `[lon, lat]` on the wire.
    GeoPoint,
    /// `geo_shape` (code 14): a GeoJSON object on the wire.
    GeoShape,
    /// `timestamp without time zone` (code 15): epoch milliseconds on the wire.
    Timestamp,
    /// Internal "unchecked object" (code 16).
    UncheckedObject,
    /// `interval` (code 17): text like `1 year 2 mons 3 days 04:05:06`.
    Interval,
    /// `record` / row (code 18): an array on the wire.
    Record,
    /// `regproc` (code 19).
    Regproc,
    /// `time with time zone` (code 20): `[micros_since_midnight, offset_seconds]`.
    TimeTz,
    /// `oidvector` (code 21).
    OidVector,
    /// `numeric(p, s)` (code 22): a JSON number.
    Numeric,
    /// `regclass` (code 23).
    Regclass,
    /// `date` (code 24): epoch milliseconds on the wire.
    Date,
    /// `bit(n)` (code 25): `"B'0101'"` on the wire.
    Bit,
    /// `json` (code 26).
    Json,
    /// `character(n)` (code 27).
    Character,
    /// `float_vector(n)` (code 28).
    FloatVector,
    /// `uuid` (code 29).
    Uuid,
    /// `regtype` (code 30).
    Regtype,
    /// `array(T)` (code `[100, T]`).
    Array(Box<CrateDbTypeInfo>),
    /// A code this driver does not know (a newer server). Decodes as JSON or text only.
    Unknown(i64),
}

impl CrateDbTypeInfo {
    /// The type for a scalar `col_type` code.
    pub fn from_code(code: i64) -> Self {
        match code {
            0 => Self::Null,
            1 => Self::NotSupported,
            2 => Self::Byte,
            3 => Self::Boolean,
            4 => Self::Text,
            5 => Self::Ip,
            6 => Self::Double,
            7 => Self::Real,
            8 => Self::Smallint,
            9 => Self::Integer,
            10 => Self::Bigint,
            11 => Self::Timestamptz,
            12 => Self::Object,
            13 => Self::GeoPoint,
            14 => Self::GeoShape,
            15 => Self::Timestamp,
            16 => Self::UncheckedObject,
            17 => Self::Interval,
            18 => Self::Record,
            19 => Self::Regproc,
            20 => Self::TimeTz,
            21 => Self::OidVector,
            22 => Self::Numeric,
            23 => Self::Regclass,
            24 => Self::Date,
            25 => Self::Bit,
            26 => Self::Json,
            27 => Self::Character,
            28 => Self::FloatVector,
            29 => Self::Uuid,
            30 => Self::Regtype,
            other => Self::Unknown(other),
        }
    }

    /// Parses one entry of a `col_types` array: a number, or `[100, inner]` for arrays.
    /// Returns `None` for anything else.
    pub fn from_json(value: &JsonValue) -> Option<Self> {
        match value {
            JsonValue::Number(n) => n.as_i64().map(Self::from_code),
            JsonValue::Array(items) => match items.as_slice() {
                [code, inner] if code.as_i64() == Some(ARRAY_CODE) => {
                    Self::from_json(inner).map(|t| Self::Array(Box::new(t)))
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// An array of `inner`.
    pub fn array_of(inner: CrateDbTypeInfo) -> Self {
        Self::Array(Box::new(inner))
    }

    /// The element type if this is an array.
    pub fn element(&self) -> Option<&CrateDbTypeInfo> {
        match self {
            Self::Array(inner) => Some(inner),
            _ => None,
        }
    }

    /// True for the integer types (`byte`, `smallint`, `integer`, `bigint`).
    pub fn is_integer(&self) -> bool {
        matches!(
            self,
            Self::Byte | Self::Smallint | Self::Integer | Self::Bigint
        )
    }

    /// True for types whose wire value is a JSON string.
    #[inline]
    pub fn is_textual(&self) -> bool {
        matches!(
            self,
            Self::Text
                | Self::Character
                | Self::Ip
                | Self::Uuid
                | Self::Interval
                | Self::Bit
                | Self::Regproc
                | Self::Regtype
        )
    }
}

impl TypeInfo for CrateDbTypeInfo {
    fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    fn name(&self) -> &str {
        match self {
            Self::Null => "NULL",
            Self::NotSupported => "NOT SUPPORTED",
            Self::Byte => "BYTE",
            Self::Boolean => "BOOLEAN",
            Self::Text => "TEXT",
            Self::Ip => "IP",
            Self::Double => "DOUBLE PRECISION",
            Self::Real => "REAL",
            Self::Smallint => "SMALLINT",
            Self::Integer => "INTEGER",
            Self::Bigint => "BIGINT",
            Self::Timestamptz => "TIMESTAMP WITH TIME ZONE",
            Self::Object => "OBJECT",
            Self::GeoPoint => "GEO_POINT",
            Self::GeoShape => "GEO_SHAPE",
            Self::Timestamp => "TIMESTAMP WITHOUT TIME ZONE",
            Self::UncheckedObject => "UNCHECKED OBJECT",
            Self::Interval => "INTERVAL",
            Self::Record => "RECORD",
            Self::Regproc => "REGPROC",
            Self::TimeTz => "TIME WITH TIME ZONE",
            Self::OidVector => "OIDVECTOR",
            Self::Numeric => "NUMERIC",
            Self::Regclass => "REGCLASS",
            Self::Date => "DATE",
            Self::Bit => "BIT",
            Self::Json => "JSON",
            Self::Character => "CHARACTER",
            Self::FloatVector => "FLOAT_VECTOR",
            Self::Uuid => "UUID",
            Self::Regtype => "REGTYPE",
            Self::Array(inner) => array_name(inner),
            Self::Unknown(_) => "UNKNOWN",
        }
    }
}

/// `TypeInfo::name` returns `&str`, so array names are spelled out for one level of nesting.
fn array_name(inner: &CrateDbTypeInfo) -> &'static str {
    match inner {
        CrateDbTypeInfo::Null => "ARRAY(NULL)",
        CrateDbTypeInfo::NotSupported => "ARRAY(NOT SUPPORTED)",
        CrateDbTypeInfo::Byte => "ARRAY(BYTE)",
        CrateDbTypeInfo::Boolean => "ARRAY(BOOLEAN)",
        CrateDbTypeInfo::Text => "ARRAY(TEXT)",
        CrateDbTypeInfo::Ip => "ARRAY(IP)",
        CrateDbTypeInfo::Double => "ARRAY(DOUBLE PRECISION)",
        CrateDbTypeInfo::Real => "ARRAY(REAL)",
        CrateDbTypeInfo::Smallint => "ARRAY(SMALLINT)",
        CrateDbTypeInfo::Integer => "ARRAY(INTEGER)",
        CrateDbTypeInfo::Bigint => "ARRAY(BIGINT)",
        CrateDbTypeInfo::Timestamptz => "ARRAY(TIMESTAMP WITH TIME ZONE)",
        CrateDbTypeInfo::Object => "ARRAY(OBJECT)",
        CrateDbTypeInfo::GeoPoint => "ARRAY(GEO_POINT)",
        CrateDbTypeInfo::GeoShape => "ARRAY(GEO_SHAPE)",
        CrateDbTypeInfo::Timestamp => "ARRAY(TIMESTAMP WITHOUT TIME ZONE)",
        CrateDbTypeInfo::UncheckedObject => "ARRAY(UNCHECKED OBJECT)",
        CrateDbTypeInfo::Interval => "ARRAY(INTERVAL)",
        CrateDbTypeInfo::Record => "ARRAY(RECORD)",
        CrateDbTypeInfo::Regproc => "ARRAY(REGPROC)",
        CrateDbTypeInfo::TimeTz => "ARRAY(TIME WITH TIME ZONE)",
        CrateDbTypeInfo::OidVector => "ARRAY(OIDVECTOR)",
        CrateDbTypeInfo::Numeric => "ARRAY(NUMERIC)",
        CrateDbTypeInfo::Regclass => "ARRAY(REGCLASS)",
        CrateDbTypeInfo::Date => "ARRAY(DATE)",
        CrateDbTypeInfo::Bit => "ARRAY(BIT)",
        CrateDbTypeInfo::Json => "ARRAY(JSON)",
        CrateDbTypeInfo::Character => "ARRAY(CHARACTER)",
        CrateDbTypeInfo::FloatVector => "ARRAY(FLOAT_VECTOR)",
        CrateDbTypeInfo::Uuid => "ARRAY(UUID)",
        CrateDbTypeInfo::Regtype => "ARRAY(REGTYPE)",
        CrateDbTypeInfo::Array(_) => "ARRAY(ARRAY)",
        CrateDbTypeInfo::Unknown(_) => "ARRAY(UNKNOWN)",
    }
}

impl Display for CrateDbTypeInfo {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Self::Array(inner) => write!(f, "ARRAY({inner})"),
            Self::Unknown(code) => write!(f, "UNKNOWN({code})"),
            other => f.write_str(other.name()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn col_types_parse_scalars_and_nested_arrays() {
        assert_eq!(
            CrateDbTypeInfo::from_json(&json!(9)),
            Some(CrateDbTypeInfo::Integer)
        );
        assert_eq!(
            CrateDbTypeInfo::from_json(&json!([100, [100, 9]])),
            Some(CrateDbTypeInfo::array_of(CrateDbTypeInfo::array_of(
                CrateDbTypeInfo::Integer
            )))
        );
        assert_eq!(CrateDbTypeInfo::from_json(&json!("x")), None);
        assert_eq!(CrateDbTypeInfo::from_json(&json!([101, 9])), None);
    }

    #[test]
    fn every_documented_code_has_a_name() {
        for code in 0..=30 {
            let ty = CrateDbTypeInfo::from_code(code);
            assert!(!matches!(ty, CrateDbTypeInfo::Unknown(_)), "code {code}");
            assert_ne!(ty.name(), "UNKNOWN");
        }
        assert_eq!(
            CrateDbTypeInfo::array_of(CrateDbTypeInfo::Text).to_string(),
            "ARRAY(TEXT)"
        );
    }
}
