//! PostgreSQL type OIDs ↔ [`CrateDbTypeInfo`].
//!
//! Results: every OID CrateDB sends maps to the type the HTTP transport reports for the same
//! column, so `Decode` impls see the same types over both transports (objects arrive as `json`
//! 114 and become `Object`; `ip` arrives as `varchar`, so it reads as `Text`).
//!
//! Parameters: only OIDs CrateDB's Parse accepts are ever declared (never bytea 17, jsonb 3802,
//! time 1083, inet 869); where the server's inference is the safer choice (strings), the OID is
//! 0 (unspecified).

use postgres_protocol::Oid;

use crate::protocol::type_info::CrateDbTypeInfo;

/// Unspecified: the server infers the parameter's type.
pub(crate) const UNSPECIFIED: Oid = 0;
pub(crate) const BOOL: Oid = 16;
pub(crate) const CHAR: Oid = 18;
pub(crate) const NAME: Oid = 19;
pub(crate) const INT8: Oid = 20;
pub(crate) const INT2: Oid = 21;
pub(crate) const INT4: Oid = 23;
pub(crate) const REGPROC: Oid = 24;
pub(crate) const TEXT: Oid = 25;
pub(crate) const OID: Oid = 26;
pub(crate) const OIDVECTOR: Oid = 30;
pub(crate) const JSON: Oid = 114;
pub(crate) const JSON_ARRAY: Oid = 199;
pub(crate) const POINT: Oid = 600;
pub(crate) const FLOAT4: Oid = 700;
pub(crate) const FLOAT8: Oid = 701;
pub(crate) const UNKNOWN: Oid = 705;
pub(crate) const BPCHAR: Oid = 1042;
pub(crate) const VARCHAR: Oid = 1043;
pub(crate) const DATE: Oid = 1082;
pub(crate) const TIMESTAMP: Oid = 1114;
pub(crate) const TIMESTAMPTZ: Oid = 1184;
pub(crate) const INTERVAL: Oid = 1186;
pub(crate) const TIMETZ: Oid = 1266;
pub(crate) const BIT: Oid = 1560;
pub(crate) const VARBIT: Oid = 1562;
pub(crate) const NUMERIC: Oid = 1700;
pub(crate) const REGCLASS: Oid = 2205;
pub(crate) const REGTYPE: Oid = 2206;
pub(crate) const RECORD: Oid = 2249;
pub(crate) const UUID: Oid = 2950;
pub(crate) const JSONB: Oid = 3802;

/// The element OID of an array OID, for the array types CrateDB (and PostgreSQL) send.
fn element_of(oid: Oid) -> Option<Oid> {
    Some(match oid {
        1000 => BOOL,
        1002 => CHAR,
        1003 => NAME,
        1005 => INT2,
        1007 => INT4,
        1008 => REGPROC,
        1009 => TEXT,
        1013 => OIDVECTOR,
        1014 => BPCHAR,
        1015 => VARCHAR,
        1016 => INT8,
        1017 => POINT,
        1021 => FLOAT4,
        1022 => FLOAT8,
        1028 => OID,
        1115 => TIMESTAMP,
        1182 => DATE,
        1185 => TIMESTAMPTZ,
        1187 => INTERVAL,
        1231 => NUMERIC,
        1270 => TIMETZ,
        1561 => BIT,
        1563 => VARBIT,
        199 => JSON,
        2210 => REGCLASS,
        2211 => REGTYPE,
        2287 => RECORD,
        2951 => UUID,
        3807 => JSONB,
        _ => return None,
    })
}

/// The array OID for an element OID (the inverse of [`element_of`] for parameter types).
fn array_of(oid: Oid) -> Option<Oid> {
    Some(match oid {
        BOOL => 1000,
        INT2 => 1005,
        INT4 => 1007,
        INT8 => 1016,
        TEXT => 1009,
        VARCHAR => 1015,
        POINT => 1017,
        FLOAT4 => 1021,
        FLOAT8 => 1022,
        TIMESTAMP => 1115,
        DATE => 1182,
        TIMESTAMPTZ => 1185,
        INTERVAL => 1187,
        NUMERIC => 1231,
        TIMETZ => 1270,
        JSON => JSON_ARRAY,
        UUID => 2951,
        _ => return None,
    })
}

/// The CrateDB type of a result column with this OID.
pub(crate) fn type_info(oid: Oid) -> CrateDbTypeInfo {
    use CrateDbTypeInfo as T;
    if let Some(element) = element_of(oid) {
        return T::array_of(type_info(element));
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
        // `unknown` (705): CrateDB's type for NULL literals and for parameters it cannot infer
        // (`SELECT $1`); a non-NULL value is text.
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
pub(crate) fn param_oid(ty: &CrateDbTypeInfo) -> Oid {
    use CrateDbTypeInfo as T;
    match ty {
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
        T::Array(inner) => array_of(param_oid(inner)).unwrap_or(UNSPECIFIED),
        // Strings (and what travels as strings: ip, uuid, bit, geo_shape as WKT or GeoJSON):
        // the server's inference handles them exactly, whatever the target column.
        _ => UNSPECIFIED,
    }
}

/// OIDs CrateDB's Parse rejects (`Can't map PGType with oid=…`), CrateDB 6.4.
#[cfg(test)]
const REJECTED_BY_CRATEDB: [Oid; 6] = [17, 3802, 3807, 1083, 869, 650];

#[cfg(test)]
mod tests {
    use super::*;
    use CrateDbTypeInfo as T;

    #[test]
    fn result_oids_map_to_the_http_types() {
        assert_eq!(type_info(16), T::Boolean);
        assert_eq!(type_info(1043), T::Text);
        assert_eq!(type_info(114), T::Object);
        assert_eq!(type_info(199), T::array_of(T::Object));
        assert_eq!(type_info(1021), T::array_of(T::Real));
        assert_eq!(type_info(600), T::GeoPoint);
        assert_eq!(type_info(1184), T::Timestamptz);
        assert_eq!(type_info(705), T::Text);
        assert_eq!(type_info(123_456), T::Unknown(123_456));
    }

    #[test]
    fn parameter_oids_are_ones_cratedb_accepts() {
        // What CrateDB 6.4's Parse accepts.
        let accepted: [Oid; 55] = [
            0, 16, 18, 19, 20, 21, 23, 24, 25, 26, 30, 114, 199, 600, 700, 701, 705, 1000, 1002,
            1005, 1007, 1008, 1009, 1014, 1015, 1016, 1017, 1021, 1022, 1042, 1043, 1082, 1114,
            1115, 1182, 1184, 1185, 1186, 1187, 1231, 1266, 1270, 1560, 1561, 1700, 2205, 2206,
            2210, 2211, 2249, 2276, 2277, 2287, 2950, 2951,
        ];
        let mut all: Vec<T> = (0..=30).map(T::from_code).collect();
        let arrays: Vec<T> = all.iter().cloned().map(T::array_of).collect();
        all.extend(arrays);
        for ty in &all {
            let oid = param_oid(ty);
            assert!(accepted.contains(&oid), "{ty}: {oid}");
            assert!(!REJECTED_BY_CRATEDB.contains(&oid), "{ty}: {oid}");
        }
        assert_eq!(param_oid(&T::Object), JSON);
        assert_eq!(param_oid(&T::array_of(T::Object)), JSON_ARRAY);
        assert_eq!(param_oid(&T::Text), UNSPECIFIED);
        assert_eq!(param_oid(&T::GeoShape), TEXT);
        assert_eq!(param_oid(&T::array_of(T::GeoShape)), UNSPECIFIED);
        // Nested arrays: inferred by the server (CrateDB refuses a declared 1-D array type).
        let nested = |t: T| T::array_of(T::array_of(t));
        assert_eq!(param_oid(&nested(T::Integer)), UNSPECIFIED);
        assert_eq!(param_oid(&nested(T::Text)), UNSPECIFIED);
    }
}
