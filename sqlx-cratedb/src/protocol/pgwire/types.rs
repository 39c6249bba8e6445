//! PostgreSQL's type OIDs, as wire-format data: the scalar OIDs the driver meets and the pairs
//! of array and element OIDs. Which CrateDB type each OID stands for, and which OID each CrateDB
//! type declares for a parameter, are decisions of the type table
//! ([`CrateDbTypeInfo::from_pg_oid`](crate::protocol::type_info::CrateDbTypeInfo::from_pg_oid),
//! `pg_param_oid`).

use postgres_protocol::Oid;

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
pub(crate) fn element_of(oid: Oid) -> Option<Oid> {
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
pub(crate) fn array_of(oid: Oid) -> Option<Oid> {
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

/// OIDs CrateDB's Parse rejects (`Can't map PGType with oid=…`), CrateDB 6.4.
#[cfg(test)]
pub(crate) const REJECTED_BY_CRATEDB: [Oid; 6] = [17, 3802, 3807, 1083, 869, 650];

/// OIDs CrateDB's Parse accepts, CrateDB 6.4.
#[cfg(test)]
pub(crate) const ACCEPTED_BY_CRATEDB: [Oid; 55] = [
    0, 16, 18, 19, 20, 21, 23, 24, 25, 26, 30, 114, 199, 600, 700, 701, 705, 1000, 1002, 1005,
    1007, 1008, 1009, 1014, 1015, 1016, 1017, 1021, 1022, 1042, 1043, 1082, 1114, 1115, 1182, 1184,
    1185, 1186, 1187, 1231, 1266, 1270, 1560, 1561, 1700, 2205, 2206, 2210, 2211, 2249, 2276, 2277,
    2287, 2950, 2951,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_oids_invert_element_oids() {
        for element in 0..4000 {
            if let Some(array) = array_of(element) {
                assert_eq!(element_of(array), Some(element), "{element}");
            }
        }
    }
}
