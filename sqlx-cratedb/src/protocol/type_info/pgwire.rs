//! The type table's PostgreSQL wire protocol column: for each CrateDB type, the OIDs its result
//! columns arrive with ([`CrateDbTypeInfo::from_pg_oid`]), the OID its parameters are declared
//! with ([`CrateDbTypeInfo::pg_param_oid`]), and the shape of its text and binary values
//! ([`CrateDbTypeInfo::wire_text`], [`CrateDbTypeInfo::wire_binary`],
//! [`CrateDbTypeInfo::wire_element`]). The OID numbers are PostgreSQL's (`protocol/pgwire/types.rs`);
//! turning each shape into a cell is `protocol/pgwire/text.rs`'s job, which names no CrateDB type.
//!
//! Results: every OID CrateDB sends maps to the type the HTTP transport reports for the same
//! column, so `Decode` impls see the same types over both transports (objects arrive as `json`
//! 114 and become `Object`; `ip` arrives as `varchar`, so it reads as `Text`).
//!
//! Parameters: only OIDs CrateDB's Parse accepts are ever declared (never bytea 17, jsonb 3802,
//! time 1083, inet 869); where the server's inference is the safer choice (strings), the OID is
//! 0 (unspecified).
//!
//! The matches over types name every variant (no `_` arm): a new variant does not build until
//! each of these decisions is made for it.

use postgres_protocol::Oid;

use super::CrateDbTypeInfo;
use crate::protocol::pgwire::types::{
    BIT, BOOL, BPCHAR, CHAR, DATE, FLOAT4, FLOAT8, INT2, INT4, INT8, INTERVAL, JSON, JSONB, NAME,
    NUMERIC, OID, OIDVECTOR, POINT, RECORD, REGCLASS, REGPROC, REGTYPE, TEXT, TIMESTAMP,
    TIMESTAMPTZ, TIMETZ, UNKNOWN, UNSPECIFIED, UUID, VARBIT, VARCHAR, array_of, element_of,
};

/// How a type's value is written in PostgreSQL's text format, compared with the JSON the HTTP
/// transport delivers for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WireText {
    /// A string: the text is its content.
    String,
    /// Already its JSON (integers, `json`).
    Json,
    /// A number that may be `NaN` / `Infinity` (quoted in JSON, like CrateDB's HTTP output).
    Float,
    /// `t` / `f`; `true` / `false` in JSON.
    Bool,
    /// `YYYY-MM-DD HH:MM:SS[.f][±HH[:MM[:SS]]][ BC]`; epoch milliseconds in JSON.
    Timestamp,
    /// `YYYY-MM-DD[ BC]`; epoch milliseconds of midnight UTC in JSON.
    Date,
    /// `(x,y)`; `[x,y]` in JSON.
    Point,
    /// `HH:MM:SS[.f]±HH[:MM]`; `[micros, offset_seconds]` in JSON.
    TimeTz,
    /// `{…}` of [`CrateDbTypeInfo::wire_element`] values; a JSON array.
    Array,
}

/// How a type's value is written in PostgreSQL's binary format, for the types read in binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WireBinary {
    /// 8-byte big-endian microseconds since 2000-01-01 UTC.
    Timestamp,
    /// A 2-, 4- or 8-byte big-endian integer.
    Int,
    /// A 4-byte IEEE float.
    Float4,
    /// An 8-byte IEEE float.
    Float8,
    /// One byte, 0 or 1.
    Bool,
}

/// `float_vector`'s element type (see [`CrateDbTypeInfo::wire_element`]).
static REAL: CrateDbTypeInfo = CrateDbTypeInfo::Real;

impl CrateDbTypeInfo {
    /// The CrateDB type of a result column with this OID.
    pub(crate) fn from_pg_oid(oid: Oid) -> Self {
        use CrateDbTypeInfo as T;
        if let Some(element) = element_of(oid) {
            return T::array_of(T::from_pg_oid(element));
        }
        match oid {
            BOOL => T::Boolean,
            // `byte` before CrateDB 6.5 (PostgreSQL's `"char"` reads as text digits there too).
            CHAR => T::Byte,
            INT2 => T::Smallint,
            INT4 => T::Integer,
            INT8 | OID => T::Bigint,
            FLOAT4 => T::Real,
            FLOAT8 => T::Double,
            NUMERIC => T::Numeric,
            // `unknown` (705): CrateDB's type for NULL literals and for parameters it cannot
            // infer (`SELECT $1`); a non-NULL value is text.
            TEXT | VARCHAR | NAME | UNKNOWN => T::Text,
            BPCHAR => T::Character,
            TIMESTAMPTZ => T::Timestamptz,
            TIMESTAMP => T::Timestamp,
            DATE => T::Date,
            TIMETZ => T::TimeTz,
            INTERVAL => T::Interval,
            BIT | VARBIT => T::Bit,
            JSON | JSONB => T::Object,
            POINT => T::GeoPoint,
            UUID => T::Uuid,
            RECORD => T::Record,
            REGPROC => T::Regproc,
            REGCLASS => T::Regclass,
            REGTYPE => T::Regtype,
            OIDVECTOR => T::OidVector,
            other => T::Unknown(i64::from(other)),
        }
    }

    /// The OID to declare in Parse for a parameter of this type: one CrateDB accepts, or 0.
    pub(crate) fn pg_param_oid(&self) -> Oid {
        use CrateDbTypeInfo as T;
        match self {
            T::Boolean => BOOL,
            T::Byte | T::Smallint => INT2,
            T::Integer => INT4,
            T::Bigint => INT8,
            T::Real => FLOAT4,
            T::Double => FLOAT8,
            T::Numeric => NUMERIC,
            T::Timestamptz => TIMESTAMPTZ,
            T::Timestamp => TIMESTAMP,
            T::Date => DATE,
            T::TimeTz => TIMETZ,
            T::Interval => INTERVAL,
            T::Object | T::Json | T::UncheckedObject => JSON,
            T::GeoPoint => POINT,
            // A WKT string ([`CrateDbGeoShape::Wkt`](crate::types::CrateDbGeoShape)): declared
            // text, which CrateDB casts to `geo_shape` by parsing WKT; the server's own inference
            // for a `geo_shape` target is `json`, which refuses WKT. (GeoJSON binds as `Object`.)
            T::GeoShape => TEXT,
            T::FloatVector => 1021,
            // Nested arrays: the server infers the type. CrateDB then reads the value as JSON text
            // (see `param::encode`), and refuses a declared one-dimensional array type
            // (`Cannot convert … integer_array to integer_array_array`).
            T::Array(inner) if matches!(**inner, T::Array(_)) => UNSPECIFIED,
            // Elements of either form: the server's inference (`json[]`) reads GeoJSON.
            T::Array(inner) if **inner == T::GeoShape => UNSPECIFIED,
            T::Array(inner) => array_of(inner.pg_param_oid()).unwrap_or(UNSPECIFIED),
            // Strings (and what travels as strings: ip, uuid, bit, geo_shape as WKT or GeoJSON):
            // the server's inference handles them exactly, whatever the target column.
            T::Null
            | T::NotSupported
            | T::Text
            | T::Ip
            | T::Record
            | T::Regproc
            | T::OidVector
            | T::Regclass
            | T::Bit
            | T::Character
            | T::Uuid
            | T::Regtype
            | T::Unknown(_) => UNSPECIFIED,
        }
    }

    /// The shape of this type's values in the text format.
    pub(crate) fn wire_text(&self) -> WireText {
        use CrateDbTypeInfo as T;
        match self {
            T::Boolean => WireText::Bool,
            T::Byte
            | T::Smallint
            | T::Integer
            | T::Bigint
            | T::Object
            | T::Json
            | T::GeoShape
            | T::UncheckedObject => WireText::Json,
            T::Real | T::Double | T::Numeric => WireText::Float,
            T::Timestamptz | T::Timestamp => WireText::Timestamp,
            T::Date => WireText::Date,
            T::GeoPoint => WireText::Point,
            T::TimeTz => WireText::TimeTz,
            T::Array(_) | T::FloatVector => WireText::Array,
            T::Null
            | T::NotSupported
            | T::Text
            | T::Ip
            | T::Interval
            | T::Record
            | T::Regproc
            | T::OidVector
            | T::Regclass
            | T::Bit
            | T::Character
            | T::Uuid
            | T::Regtype
            | T::Unknown(_) => WireText::String,
        }
    }

    /// The shape of this type's values in the binary format, for the types whose binary form is
    /// cheaper for the two sides together than their text: timestamps (no date parsing here, no
    /// date formatting on the server), integers, floats and booleans (the server writes bytes
    /// instead of formatting digits, which is most of its work for a large read). `None` for the
    /// rest, which are read as text.
    pub(crate) fn wire_binary(&self) -> Option<WireBinary> {
        use CrateDbTypeInfo as T;
        match self {
            T::Timestamptz | T::Timestamp => Some(WireBinary::Timestamp),
            T::Smallint | T::Integer | T::Bigint => Some(WireBinary::Int),
            T::Real => Some(WireBinary::Float4),
            T::Double => Some(WireBinary::Float8),
            T::Boolean => Some(WireBinary::Bool),
            T::Null
            | T::NotSupported
            | T::Byte
            | T::Text
            | T::Ip
            | T::Object
            | T::GeoPoint
            | T::GeoShape
            | T::UncheckedObject
            | T::Interval
            | T::Record
            | T::Regproc
            | T::TimeTz
            | T::OidVector
            | T::Numeric
            | T::Regclass
            | T::Date
            | T::Bit
            | T::Json
            | T::Character
            | T::FloatVector
            | T::Uuid
            | T::Regtype
            | T::Array(_)
            | T::Unknown(_) => None,
        }
    }

    /// The element type of this type's array values on the wire ([`WireText::Array`]): an
    /// array's element type, and `real` for `float_vector` (a `real[]`, OID 1021, on the wire).
    pub(crate) fn wire_element(&self) -> Option<&CrateDbTypeInfo> {
        match self {
            Self::Array(inner) => Some(inner),
            Self::FloatVector => Some(&REAL),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::pgwire::types::{ACCEPTED_BY_CRATEDB, JSON_ARRAY, REJECTED_BY_CRATEDB};
    use CrateDbTypeInfo as T;

    #[test]
    fn result_oids_map_to_the_http_types() {
        assert_eq!(T::from_pg_oid(16), T::Boolean);
        assert_eq!(T::from_pg_oid(1043), T::Text);
        assert_eq!(T::from_pg_oid(114), T::Object);
        assert_eq!(T::from_pg_oid(199), T::array_of(T::Object));
        assert_eq!(T::from_pg_oid(1021), T::array_of(T::Real));
        assert_eq!(T::from_pg_oid(600), T::GeoPoint);
        assert_eq!(T::from_pg_oid(1184), T::Timestamptz);
        assert_eq!(T::from_pg_oid(705), T::Text);
        assert_eq!(T::from_pg_oid(123_456), T::Unknown(123_456));
    }

    #[test]
    fn parameter_oids_are_ones_cratedb_accepts() {
        let mut all: Vec<T> = (0..=30).map(T::from_code).collect();
        let arrays: Vec<T> = all.iter().cloned().map(T::array_of).collect();
        all.extend(arrays);
        for ty in &all {
            let oid = ty.pg_param_oid();
            assert!(ACCEPTED_BY_CRATEDB.contains(&oid), "{ty}: {oid}");
            assert!(!REJECTED_BY_CRATEDB.contains(&oid), "{ty}: {oid}");
        }
        assert_eq!(T::Object.pg_param_oid(), JSON);
        assert_eq!(T::array_of(T::Object).pg_param_oid(), JSON_ARRAY);
        assert_eq!(T::Text.pg_param_oid(), UNSPECIFIED);
        assert_eq!(T::GeoShape.pg_param_oid(), TEXT);
        assert_eq!(T::array_of(T::GeoShape).pg_param_oid(), UNSPECIFIED);
        // Nested arrays: inferred by the server (CrateDB refuses a declared 1-D array type).
        let nested = |t: T| T::array_of(T::array_of(t));
        assert_eq!(nested(T::Integer).pg_param_oid(), UNSPECIFIED);
        assert_eq!(nested(T::Text).pg_param_oid(), UNSPECIFIED);
    }

    #[test]
    fn array_values_have_an_element_type() {
        for code in 0..=30 {
            let ty = T::from_code(code);
            for ty in [ty.clone(), T::array_of(ty)] {
                let element = ty.wire_element();
                assert_eq!(ty.wire_text() == WireText::Array, element.is_some(), "{ty}");
            }
        }
        assert_eq!(T::FloatVector.wire_element(), Some(&T::Real));
    }
}
