//! Column types as `information_schema.columns.data_type` and DDL spell them.

use std::fmt;

/// A column type, parsed from `information_schema.columns.data_type` (`text`, `bigint`,
/// `timestamp with time zone`, `text_array`, `character varying` …) or from DDL
/// (`TEXT`, `VARCHAR(10)`, `ARRAY(TEXT)`, `OBJECT(DYNAMIC) AS (…)` …), so the two compare equal.
///
/// Parameters that `information_schema` does not report in `data_type` (numeric precision,
/// vector dimensions, object sub-columns) are not part of the type: compare those separately.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DataType {
    /// `BOOLEAN`.
    Boolean,
    /// `BYTE` (`"char"`).
    Byte,
    /// `SMALLINT`.
    SmallInt,
    /// `INTEGER`.
    Integer,
    /// `BIGINT`.
    BigInt,
    /// `REAL`.
    Real,
    /// `DOUBLE PRECISION`.
    Double,
    /// `NUMERIC` (precision and scale are in `numeric_precision`/`numeric_scale`).
    Numeric,
    /// `TEXT`, or `VARCHAR(n)` when `max_length` is set.
    Text {
        /// `character_maximum_length`, the `n` of `VARCHAR(n)`.
        max_length: Option<i32>,
    },
    /// `CHARACTER(n)`.
    Character {
        /// The declared length.
        length: Option<i32>,
    },
    /// `TIMESTAMP WITH TIME ZONE`.
    TimestampTz,
    /// `TIMESTAMP WITHOUT TIME ZONE`.
    Timestamp,
    /// `DATE`.
    Date,
    /// `TIME WITH TIME ZONE`.
    TimeTz,
    /// `INTERVAL`.
    Interval,
    /// `IP`.
    Ip,
    /// `BIT(n)`.
    Bit,
    /// `UUID`.
    Uuid,
    /// `GEO_POINT`.
    GeoPoint,
    /// `GEO_SHAPE`.
    GeoShape,
    /// `OBJECT` (its sub-columns are columns of their own, with a longer path).
    Object,
    /// `FLOAT_VECTOR(n)`.
    FloatVector,
    /// `ARRAY(inner)`, which `information_schema` spells `<inner>_array`.
    Array(Box<DataType>),
    /// Any other type name, lower-cased.
    Other(String),
}

impl DataType {
    /// Parses a type name; `max_length` is `character_maximum_length`, when known.
    #[must_use]
    pub fn parse(name: &str, max_length: Option<i32>) -> Self {
        let t = name.trim().to_ascii_lowercase();
        if let Some(inner) = t.strip_suffix("_array") {
            return Self::Array(Box::new(Self::parse(inner, max_length)));
        }
        if let Some(inner) = t.strip_suffix("[]") {
            return Self::Array(Box::new(Self::parse(inner, max_length)));
        }
        if let Some(inner) = t.strip_prefix("array(").and_then(|r| r.strip_suffix(')')) {
            return Self::Array(Box::new(Self::parse(inner, max_length)));
        }
        // `OBJECT(DYNAMIC) AS (…)`, `VARCHAR(10)`, `FLOAT_VECTOR(3)`: base name and first number.
        let (base, arg) = match t.find('(') {
            Some(open) => {
                let close = t[open..].find(')').map_or(t.len(), |c| open + c);
                let arg = t[open + 1..close].split(',').next().unwrap_or("").trim();
                (t[..open].trim(), arg.parse::<i32>().ok())
            }
            None => (t.as_str(), None),
        };
        let base = base.strip_suffix(" as").unwrap_or(base).trim();
        match base {
            "boolean" | "bool" => Self::Boolean,
            "byte" | "\"char\"" => Self::Byte,
            "smallint" | "short" | "int2" => Self::SmallInt,
            "integer" | "int" | "int4" => Self::Integer,
            "bigint" | "long" | "int8" => Self::BigInt,
            "real" | "float" | "float4" => Self::Real,
            "double precision" | "double" | "float8" => Self::Double,
            "numeric" | "decimal" => Self::Numeric,
            "text" | "string" | "varchar" | "character varying" => Self::Text {
                max_length: arg.or(max_length),
            },
            "character" | "char" | "bpchar" => Self::Character {
                length: arg.or(max_length),
            },
            "timestamp with time zone" | "timestamptz" => Self::TimestampTz,
            "timestamp without time zone" | "timestamp" => Self::Timestamp,
            "date" => Self::Date,
            "time with time zone" | "timetz" => Self::TimeTz,
            "interval" => Self::Interval,
            "ip" => Self::Ip,
            "bit" => Self::Bit,
            "uuid" => Self::Uuid,
            "geo_point" => Self::GeoPoint,
            "geo_shape" => Self::GeoShape,
            "object" => Self::Object,
            "float_vector" => Self::FloatVector,
            other => Self::Other(other.to_owned()),
        }
    }

    /// Whether this is `ARRAY(…)`.
    #[must_use]
    pub fn is_array(&self) -> bool {
        matches!(self, Self::Array(_))
    }
}

impl fmt::Display for DataType {
    /// The DDL spelling (`TEXT`, `VARCHAR(10)`, `ARRAY(BIGINT)` …).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Self::Boolean => "BOOLEAN",
            Self::Byte => "BYTE",
            Self::SmallInt => "SMALLINT",
            Self::Integer => "INTEGER",
            Self::BigInt => "BIGINT",
            Self::Real => "REAL",
            Self::Double => "DOUBLE PRECISION",
            Self::Numeric => "NUMERIC",
            Self::Text { max_length: None } => "TEXT",
            Self::Text {
                max_length: Some(n),
            } => return write!(f, "VARCHAR({n})"),
            Self::Character { length: None } => "CHARACTER",
            Self::Character { length: Some(n) } => return write!(f, "CHARACTER({n})"),
            Self::TimestampTz => "TIMESTAMP WITH TIME ZONE",
            Self::Timestamp => "TIMESTAMP WITHOUT TIME ZONE",
            Self::Date => "DATE",
            Self::TimeTz => "TIME WITH TIME ZONE",
            Self::Interval => "INTERVAL",
            Self::Ip => "IP",
            Self::Bit => "BIT",
            Self::Uuid => "UUID",
            Self::GeoPoint => "GEO_POINT",
            Self::GeoShape => "GEO_SHAPE",
            Self::Object => "OBJECT",
            Self::FloatVector => "FLOAT_VECTOR",
            Self::Array(inner) => return write!(f, "ARRAY({inner})"),
            Self::Other(name) => return f.write_str(&name.to_ascii_uppercase()),
        };
        f.write_str(s)
    }
}

/// Splits an `information_schema` column name such as `payload['level']['x']` into its path
/// (`["payload", "level", "x"]`). A `''` inside a subscript is a quote.
#[must_use]
pub fn column_path(name: &str) -> Vec<String> {
    let Some(open) = name.find("['") else {
        return vec![name.to_owned()];
    };
    let mut path = vec![name[..open].to_owned()];
    let mut rest = &name[open..];
    while let Some(body) = rest.strip_prefix("['") {
        let mut seg = String::new();
        let mut chars = body.char_indices().peekable();
        let mut end = body.len();
        while let Some((i, c)) = chars.next() {
            if c == '\'' {
                if chars.peek().is_some_and(|&(_, n)| n == '\'') {
                    seg.push('\'');
                    chars.next();
                    continue;
                }
                end = i;
                break;
            }
            seg.push(c);
        }
        path.push(seg);
        rest = body
            .get(end..)
            .and_then(|r| r.strip_prefix("']"))
            .unwrap_or("");
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn information_schema_and_ddl_names_agree() {
        let cases: &[(&str, Option<i32>, &str, Option<i32>)] = &[
            ("text", None, "TEXT", None),
            ("text", Some(10), "VARCHAR(10)", None),
            ("character varying", Some(10), "varchar(10)", None),
            ("bigint", None, "BIGINT", None),
            ("double precision", None, "DOUBLE PRECISION", None),
            (
                "timestamp with time zone",
                None,
                "TIMESTAMP WITH TIME ZONE",
                None,
            ),
            ("text_array", None, "ARRAY(TEXT)", None),
            (
                "object_array",
                None,
                "ARRAY(OBJECT(DYNAMIC) AS (a TEXT))",
                None,
            ),
            ("object", None, "OBJECT(STRICT) AS (\"level\" TEXT)", None),
            ("float_vector", None, "FLOAT_VECTOR(3)", None),
            ("numeric", None, "NUMERIC(10, 2)", None),
            ("geo_point", None, "GEO_POINT", None),
            ("bigint_array_array", None, "ARRAY(ARRAY(BIGINT))", None),
        ];
        for (info, len, ddl, ddl_len) in cases {
            assert_eq!(
                DataType::parse(info, *len),
                DataType::parse(ddl, *ddl_len),
                "{info} vs {ddl}"
            );
        }
        assert_ne!(
            DataType::parse("text", None),
            DataType::parse("bigint", None)
        );
        assert_eq!(
            DataType::parse("text_array", None).to_string(),
            "ARRAY(TEXT)"
        );
        assert_eq!(DataType::parse("text", Some(5)).to_string(), "VARCHAR(5)");
        assert_eq!(
            DataType::parse("weird thing", None),
            DataType::Other("weird thing".into())
        );
    }

    #[test]
    fn column_paths() {
        assert_eq!(column_path("id"), ["id"]);
        assert_eq!(column_path("payload['level']"), ["payload", "level"]);
        assert_eq!(column_path("a['b']['c''d']"), ["a", "b", "c'd"]);
    }
}
