//! The compile-time side of the `query!` macros of `sqlx-cratedb-macros` (feature `macros`):
//! [`DatabaseExt`] (how a macro reaches the server to describe a query) and [`TypeChecking`]
//! (which Rust type stands for each CrateDB type in the generated code).
//!
//! The type paths are written into the user's code, so they name `sqlx_cratedb` (the types of
//! other crates through the hidden re-exports in `sqlx_cratedb::__macros`).

use sqlx_core::config::drivers::Config as DriverConfig;
use sqlx_core::config::macros::{DateTimeCrate, PreferredCrates};
use sqlx_core::describe::Describe;
use sqlx_core::type_checking::{Error, FmtValue, ParamChecking, TypeChecking};
use sqlx_core::value::Value as _;
use sqlx_macros_core::database::{CachingDescribeBlocking, DatabaseExt};

use crate::{CrateDb, CrateDbTypeInfo as T, CrateDbValue};

impl DatabaseExt for CrateDb {
    const DATABASE_PATH: &'static str = "sqlx_cratedb::CrateDb";
    const ROW_PATH: &'static str = "sqlx_cratedb::CrateDbRow";

    /// Describes `query` over a connection to `database_url`, kept open for the next query
    /// (one per URL, for the whole compilation); see [`Executor::describe`]: it needs a
    /// pgwire URL (`crate+pg://`, `crate+pgs://`).
    ///
    /// [`Executor::describe`]: sqlx_core::executor::Executor::describe
    fn describe_blocking(
        query: &str,
        database_url: &str,
        driver_config: &DriverConfig,
    ) -> sqlx_core::Result<Describe<Self>> {
        static CONNECTIONS: CachingDescribeBlocking<CrateDb> = CachingDescribeBlocking::new();
        CONNECTIONS.describe(query, database_url, driver_config)
    }
}

impl TypeChecking for CrateDb {
    /// CrateDB casts a parameter to the type its context needs.
    const PARAM_CHECKING: ParamChecking = ParamChecking::Weak;

    fn param_type_for_id(
        info: &T,
        preferred_crates: &PreferredCrates,
    ) -> Result<&'static str, Error> {
        rust_type(info, preferred_crates).map(|(_, param)| param)
    }

    fn return_type_for_id(
        info: &T,
        preferred_crates: &PreferredCrates,
    ) -> Result<&'static str, Error> {
        rust_type(info, preferred_crates).map(|(result, _)| result)
    }

    fn get_feature_gate(info: &T) -> Option<&'static str> {
        match info {
            T::Timestamptz | T::Timestamp | T::Date => Some("chrono"),
            T::Numeric => Some("rust_decimal"),
            T::Object | T::Json | T::UncheckedObject => Some("json"),
            T::Uuid => Some("uuid"),
            T::Array(inner) => Self::get_feature_gate(inner),
            _ => None,
        }
    }

    fn fmt_value_debug(value: &CrateDbValue) -> FmtValue<'_, Self> {
        match value.type_info().as_ref() {
            T::Boolean => FmtValue::debug::<bool>(value),
            T::Byte | T::Smallint | T::Integer | T::Bigint => FmtValue::debug::<i64>(value),
            T::Real | T::Double => FmtValue::debug::<f64>(value),
            T::Text | T::Character => FmtValue::debug::<String>(value),
            _ => FmtValue::unknown(value),
        }
    }
}

/// The type a column of `info` reads as and the type a parameter of `info` binds, as paths
/// that resolve in the user's crate.
fn rust_type(info: &T, preferred: &PreferredCrates) -> Result<(&'static str, &'static str), Error> {
    if let T::Array(inner) = info {
        return array_type(scalar_type(inner, preferred)?);
    }
    let result = scalar_type(info, preferred)?;
    Ok((result, if result == "String" { "&str" } else { result }))
}

/// The type of a scalar `info` (`array(T)` only as a `float_vector`, whose elements are `f32`).
fn scalar_type(info: &T, preferred: &PreferredCrates) -> Result<&'static str, Error> {
    Ok(match info {
        T::Boolean => "bool",
        T::Byte => "i8",
        T::Smallint => "i16",
        T::Integer => "i32",
        T::Bigint | T::Regclass => "i64",
        T::Real => "f32",
        T::Double => "f64",
        T::Text | T::Character | T::Regproc | T::Regtype => "String",
        T::Ip => "::std::net::IpAddr",
        T::Interval => "sqlx_cratedb::types::CrateDbInterval",
        T::Bit => "sqlx_cratedb::types::CrateDbBit",
        T::GeoPoint => "sqlx_cratedb::types::CrateDbGeoPoint",
        T::GeoShape => "sqlx_cratedb::types::CrateDbGeoShape",
        T::TimeTz => "sqlx_cratedb::types::CrateDbTimeTz",
        T::FloatVector => "Vec<f32>",
        T::Timestamptz | T::Timestamp | T::Date => date_time_type(info, preferred)?,
        T::Numeric if cfg!(feature = "rust_decimal") => "sqlx_cratedb::__macros::Decimal",
        T::Object | T::Json | T::UncheckedObject if cfg!(feature = "json") => {
            "sqlx_cratedb::__macros::JsonValue"
        }
        T::Uuid if cfg!(feature = "uuid") => "sqlx_cratedb::__macros::Uuid",
        T::Numeric
        | T::Object
        | T::Json
        | T::UncheckedObject
        | T::Uuid
        | T::Null
        | T::NotSupported
        | T::Record
        | T::OidVector
        | T::Array(_)
        | T::Unknown(_) => return Err(Error::NoMappingFound),
    })
}

/// `TIMESTAMP WITH TIME ZONE`, `TIMESTAMP` and `DATE` in the date-time crate sqlx.toml's
/// `macros.preferred-crates.date-time` names, or else chrono if enabled, or else time.
fn date_time_type(info: &T, preferred: &PreferredCrates) -> Result<&'static str, Error> {
    let chrono = match preferred.date_time {
        DateTimeCrate::Chrono if !cfg!(feature = "chrono") => {
            return Err(Error::DateTimeCrateFeatureNotEnabled);
        }
        DateTimeCrate::Time if !cfg!(feature = "time") => {
            return Err(Error::DateTimeCrateFeatureNotEnabled);
        }
        DateTimeCrate::Chrono => true,
        DateTimeCrate::Time => false,
        DateTimeCrate::Inferred if cfg!(feature = "chrono") => true,
        DateTimeCrate::Inferred if cfg!(feature = "time") => false,
        DateTimeCrate::Inferred => return Err(Error::NoMappingFound),
    };
    Ok(match (info, chrono) {
        (T::Timestamptz, true) => {
            "sqlx_cratedb::__macros::chrono::DateTime<sqlx_cratedb::__macros::chrono::Utc>"
        }
        (T::Timestamp, true) => "sqlx_cratedb::__macros::chrono::NaiveDateTime",
        (T::Date, true) => "sqlx_cratedb::__macros::chrono::NaiveDate",
        (T::Timestamptz, false) => "sqlx_cratedb::__macros::time::OffsetDateTime",
        (T::Timestamp, false) => "sqlx_cratedb::__macros::time::PrimitiveDateTime",
        (T::Date, false) => "sqlx_cratedb::__macros::time::Date",
        _ => return Err(Error::NoMappingFound),
    })
}

/// `Vec<T>` to read and `&[T]` to bind an array of the element type `element`.
fn array_type(element: &str) -> Result<(&'static str, &'static str), Error> {
    macro_rules! arrays {
        ($($t:literal),* $(,)?) => {
            match element {
                $($t => Ok((concat!("Vec<", $t, ">"), concat!("&[", $t, "]"))),)*
                _ => Err(Error::NoMappingFound),
            }
        };
    }
    arrays!(
        "bool",
        "i8",
        "i16",
        "i32",
        "i64",
        "f32",
        "f64",
        "String",
        "::std::net::IpAddr",
        "sqlx_cratedb::types::CrateDbInterval",
        "sqlx_cratedb::types::CrateDbBit",
        "sqlx_cratedb::types::CrateDbGeoPoint",
        "sqlx_cratedb::types::CrateDbGeoShape",
        "sqlx_cratedb::types::CrateDbTimeTz",
        "sqlx_cratedb::__macros::chrono::DateTime<sqlx_cratedb::__macros::chrono::Utc>",
        "sqlx_cratedb::__macros::chrono::NaiveDateTime",
        "sqlx_cratedb::__macros::chrono::NaiveDate",
        "sqlx_cratedb::__macros::time::OffsetDateTime",
        "sqlx_cratedb::__macros::time::PrimitiveDateTime",
        "sqlx_cratedb::__macros::time::Date",
        "sqlx_cratedb::__macros::Decimal",
        "sqlx_cratedb::__macros::JsonValue",
        "sqlx_cratedb::__macros::Uuid",
    )
}

#[cfg(test)]
mod tests {
    use sqlx_core::types::Type;

    use super::{Error, PreferredCrates, T, rust_type};
    use crate::CrateDb;

    /// `info` maps to `path` (and `param` for parameters), and `R`, the type `path` names,
    /// reads `info`.
    fn maps<R: Type<CrateDb>>(info: &T, path: &str, param: &str) {
        let got = rust_type(info, &PreferredCrates::default()).expect(path);
        assert_eq!(got, (path, param), "{info:?}");
        assert!(R::compatible(info), "{path} reads {info:?}");
    }

    #[test]
    fn every_mapped_type_reads_its_column_type() {
        maps::<bool>(&T::Boolean, "bool", "bool");
        maps::<i8>(&T::Byte, "i8", "i8");
        maps::<i16>(&T::Smallint, "i16", "i16");
        maps::<i32>(&T::Integer, "i32", "i32");
        maps::<i64>(&T::Bigint, "i64", "i64");
        maps::<i64>(&T::Regclass, "i64", "i64");
        maps::<f32>(&T::Real, "f32", "f32");
        maps::<f64>(&T::Double, "f64", "f64");
        for text in [T::Text, T::Character, T::Regproc, T::Regtype] {
            maps::<String>(&text, "String", "&str");
        }
        maps::<std::net::IpAddr>(&T::Ip, "::std::net::IpAddr", "::std::net::IpAddr");
        maps::<Vec<f32>>(&T::FloatVector, "Vec<f32>", "Vec<f32>");
        let point = "sqlx_cratedb::types::CrateDbGeoPoint";
        maps::<crate::types::CrateDbGeoPoint>(&T::GeoPoint, point, point);
        maps::<Vec<String>>(&T::array_of(T::Text), "Vec<String>", "&[String]");
        maps::<Vec<i64>>(&T::array_of(T::Bigint), "Vec<i64>", "&[i64]");
        let dt = "sqlx_cratedb::__macros::chrono::DateTime<sqlx_cratedb::__macros::chrono::Utc>";
        maps::<chrono::DateTime<chrono::Utc>>(&T::Timestamptz, dt, dt);
        let json = "sqlx_cratedb::__macros::JsonValue";
        maps::<serde_json::Value>(&T::Object, json, json);
    }

    #[test]
    fn types_without_a_rust_type_are_refused() {
        for info in [T::Null, T::Record, T::Unknown(99), T::array_of(T::Record)] {
            let got = rust_type(&info, &PreferredCrates::default());
            assert!(matches!(got, Err(Error::NoMappingFound)), "{info:?}");
        }
    }
}
