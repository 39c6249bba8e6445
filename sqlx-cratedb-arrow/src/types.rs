//! CrateDB column types ↔ Arrow data types.
//!
//! Reading: [`arrow_type`] maps a result column's [`CrateDbTypeInfo`] (from HTTP `col_types` or
//! a pgwire type OID; the driver turns both into the same type) to the Arrow type of its
//! column. Writing: [`crate_type`] maps an Arrow field to the CrateDB column type that
//! `CREATE TABLE` declares for it.

use std::sync::Arc;

use arrow_schema::{DataType, Field, Fields, TimeUnit};
use sea_cratedb::sea_query::ColumnDef;
use sea_cratedb::{ColumnPolicy, CrateColumnExt, CrateType};
use sqlx_cratedb::CrateDbTypeInfo;

/// The largest precision of an Arrow `Decimal128`.
pub const DECIMAL128_MAX_PRECISION: u8 = 38;

/// The time zone of the Arrow timestamps read from `TIMESTAMP WITH TIME ZONE` columns.
pub const UTC: &str = "UTC";

/// What the first rows of a result tell about types that CrateDB reports without parameters.
///
/// CrateDB's type codes carry no `NUMERIC` scale and no `FLOAT_VECTOR` length; the reader
/// takes them from the values of the first batch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TypeHints {
    /// The scale of a `NUMERIC` column: the most fractional digits of its values; `None` when
    /// a value does not fit a `Decimal128` (the column is then read as text).
    pub numeric_scale: Option<i8>,
    /// The length of a `FLOAT_VECTOR` column's vectors (`None`: a variable-length list).
    pub vector_length: Option<i32>,
    /// The fields of an `OBJECT` column whose schema is known (`None`: JSON text).
    pub object_fields: Option<Fields>,
}

/// The Arrow type of a result column of CrateDB type `ty`.
///
/// | CrateDB | Arrow |
/// |---|---|
/// | `BYTE`, `SMALLINT`, `INTEGER`, `BIGINT` | `Int8`, `Int16`, `Int32`, `Int64` |
/// | `REAL`, `DOUBLE PRECISION` | `Float32`, `Float64` |
/// | `NUMERIC` | `Decimal128(38, scale)` where the values fit, else `Utf8` |
/// | `BOOLEAN` | `Boolean` |
/// | `TEXT`, `VARCHAR`, `CHARACTER`, `IP`, `UUID`, `BIT`, `INTERVAL`, … | `Utf8` |
/// | `TIMESTAMP WITH TIME ZONE` | `Timestamp(Millisecond, "UTC")` |
/// | `TIMESTAMP WITHOUT TIME ZONE` | `Timestamp(Millisecond)` |
/// | `DATE` | `Date32` |
/// | `GEO_POINT` | `FixedSizeList(Float64, 2)` (longitude, latitude) |
/// | `FLOAT_VECTOR(n)` | `FixedSizeList(Float32, n)` (pgwire reports `real[]`: `List(Float32)`) |
/// | `ARRAY(T)` | `List(T)` (JSON text when `T` has no list form) |
/// | `OBJECT` | `Struct` when its fields are known, else JSON text (`Utf8`) |
/// | `GEO_SHAPE`, `JSON`, `TIME WITH TIME ZONE`, other types | JSON text (`Utf8`) |
pub fn arrow_type(ty: &CrateDbTypeInfo, hints: &TypeHints) -> DataType {
    use CrateDbTypeInfo as T;
    match ty {
        T::Numeric => match hints.numeric_scale {
            Some(scale) => DataType::Decimal128(DECIMAL128_MAX_PRECISION, scale),
            None => DataType::Utf8,
        },
        T::FloatVector => match hints.vector_length {
            Some(n) => DataType::FixedSizeList(item(DataType::Float32), n),
            None => DataType::List(item(DataType::Float32)),
        },
        T::Object => match &hints.object_fields {
            Some(fields) => DataType::Struct(fields.clone()),
            None => DataType::Utf8,
        },
        T::Date => DataType::Date32,
        T::Array(inner) => element_type(inner).map_or(DataType::Utf8, |e| DataType::List(item(e))),
        other => element_type(other).unwrap_or(DataType::Utf8),
    }
}

/// The Arrow type of a value of `ty` inside an array (decoded from JSON), or `None` when it
/// has no typed form there and the whole array is read as JSON text.
fn element_type(ty: &CrateDbTypeInfo) -> Option<DataType> {
    use CrateDbTypeInfo as T;
    Some(match ty {
        T::Byte => DataType::Int8,
        T::Smallint => DataType::Int16,
        T::Integer => DataType::Int32,
        T::Bigint => DataType::Int64,
        T::Real => DataType::Float32,
        T::Double => DataType::Float64,
        T::Boolean => DataType::Boolean,
        T::Timestamptz => DataType::Timestamp(TimeUnit::Millisecond, Some(UTC.into())),
        T::Timestamp => DataType::Timestamp(TimeUnit::Millisecond, None),
        // Epoch milliseconds inside arrays: Date64 is milliseconds.
        T::Date => DataType::Date64,
        T::GeoPoint => DataType::FixedSizeList(item(DataType::Float64), 2),
        T::Array(inner) => DataType::List(item(element_type(inner)?)),
        t if t.is_textual() || matches!(t, T::Regclass | T::Numeric) => DataType::Utf8,
        _ => return None,
    })
}

/// A nullable list item field named `item`, as arrow-rs names them.
pub(crate) fn item(data_type: DataType) -> Arc<Field> {
    Arc::new(Field::new("item", data_type, true))
}

/// Why an Arrow type has no CrateDB column type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column \"{column}\": Arrow type {data_type} has no CrateDB column type")]
pub struct UnsupportedType {
    /// The field's name.
    pub column: String,
    /// The Arrow type, as Arrow prints it.
    pub data_type: String,
}

/// The CrateDB column type for an Arrow field, for `CREATE TABLE`.
///
/// Integers widen where CrateDB has no unsigned type (`UInt32` → `BIGINT`; `UInt64` →
/// `NUMERIC(20)`), timestamps of any unit are stored in milliseconds, a timestamp with a time
/// zone becomes `TIMESTAMP WITH TIME ZONE`, dates `TIMESTAMP WITHOUT TIME ZONE` (midnight;
/// `DATE` columns need CrateDB 6.5), lists become `ARRAY`s, structs dynamic `OBJECT`s
/// with their fields declared, `FixedSizeList(Float32, n)` becomes `FLOAT_VECTOR(n)` and
/// `FixedSizeList(Float64, 2)` `GEO_POINT`.
///
/// # Errors
/// A type without a CrateDB counterpart (binary, intervals, durations, times, maps, unions).
pub fn crate_type(field: &Field) -> Result<CrateType, UnsupportedType> {
    let unsupported = || UnsupportedType {
        column: field.name().clone(),
        data_type: field.data_type().to_string(),
    };
    Ok(match field.data_type() {
        DataType::Boolean => CrateType::Boolean,
        DataType::Int8 => CrateType::Byte,
        DataType::Int16 | DataType::UInt8 => CrateType::SmallInt,
        DataType::Int32 | DataType::UInt16 => CrateType::Integer,
        DataType::Int64 | DataType::UInt32 => CrateType::BigInt,
        DataType::UInt64 => CrateType::Numeric {
            precision: 20,
            scale: 0,
        },
        DataType::Float16 | DataType::Float32 => CrateType::Real,
        DataType::Float64 => CrateType::DoublePrecision,
        DataType::Decimal32(p, s)
        | DataType::Decimal64(p, s)
        | DataType::Decimal128(p, s)
        | DataType::Decimal256(p, s) => {
            let scale = u32::try_from(*s).map_err(|_| unsupported())?;
            CrateType::Numeric {
                precision: u32::from(*p),
                scale,
            }
        }
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => CrateType::Text,
        DataType::Timestamp(_, Some(_)) => CrateType::TimestampTz,
        // `DATE` is a column type only since CrateDB 6.5: dates are midnight timestamps.
        DataType::Timestamp(_, None) | DataType::Date32 | DataType::Date64 => CrateType::Timestamp,
        DataType::FixedSizeList(inner, 2) if *inner.data_type() == DataType::Float64 => {
            CrateType::GeoPoint
        }
        DataType::FixedSizeList(inner, n) if *inner.data_type() == DataType::Float32 => {
            CrateType::FloatVector(u32::try_from(*n).map_err(|_| unsupported())?)
        }
        DataType::List(inner)
        | DataType::LargeList(inner)
        | DataType::ListView(inner)
        | DataType::LargeListView(inner)
        | DataType::FixedSizeList(inner, _) => CrateType::array(crate_type(inner)?),
        DataType::Struct(fields) => {
            let mut object = CrateType::object(ColumnPolicy::Dynamic);
            for f in fields {
                object = object.field(
                    ColumnDef::new(f.name().clone())
                        .crate_type(crate_type(f)?)
                        .to_owned(),
                );
            }
            CrateType::Object(object)
        }
        DataType::Dictionary(_, value) => {
            crate_type(&Field::new(field.name(), (**value).clone(), true))?
        }
        _ => return Err(unsupported()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(clippy::needless_pass_by_value)]
    fn read(ty: CrateDbTypeInfo) -> DataType {
        arrow_type(&ty, &TypeHints::default())
    }

    #[test]
    fn scalars_map_to_their_arrow_types() {
        use CrateDbTypeInfo as T;
        assert_eq!(read(T::Byte), DataType::Int8);
        assert_eq!(read(T::Smallint), DataType::Int16);
        assert_eq!(read(T::Integer), DataType::Int32);
        assert_eq!(read(T::Bigint), DataType::Int64);
        assert_eq!(read(T::Real), DataType::Float32);
        assert_eq!(read(T::Double), DataType::Float64);
        assert_eq!(read(T::Boolean), DataType::Boolean);
        assert_eq!(read(T::Text), DataType::Utf8);
        assert_eq!(read(T::Ip), DataType::Utf8);
        assert_eq!(read(T::Uuid), DataType::Utf8);
        assert_eq!(
            read(T::Timestamptz),
            DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()))
        );
        assert_eq!(
            read(T::Timestamp),
            DataType::Timestamp(TimeUnit::Millisecond, None)
        );
        assert_eq!(read(T::Date), DataType::Date32);
        assert_eq!(
            read(T::GeoPoint),
            DataType::FixedSizeList(item(DataType::Float64), 2)
        );
        // Without hints: NUMERIC as text, vectors as variable lists, objects as JSON text.
        assert_eq!(read(T::Numeric), DataType::Utf8);
        assert_eq!(
            read(T::FloatVector),
            DataType::List(item(DataType::Float32))
        );
        assert_eq!(read(T::Object), DataType::Utf8);
        assert_eq!(read(T::GeoShape), DataType::Utf8);
        assert_eq!(read(T::TimeTz), DataType::Utf8);
        assert_eq!(read(T::Unknown(99)), DataType::Utf8);
    }

    #[test]
    fn hints_give_decimal_vector_length_and_struct() {
        let fields = Fields::from(vec![Field::new("a", DataType::Int32, true)]);
        let hints = TypeHints {
            numeric_scale: Some(3),
            vector_length: Some(4),
            object_fields: Some(fields.clone()),
        };
        assert_eq!(
            arrow_type(&CrateDbTypeInfo::Numeric, &hints),
            DataType::Decimal128(38, 3)
        );
        assert_eq!(
            arrow_type(&CrateDbTypeInfo::FloatVector, &hints),
            DataType::FixedSizeList(item(DataType::Float32), 4)
        );
        assert_eq!(
            arrow_type(&CrateDbTypeInfo::Object, &hints),
            DataType::Struct(fields)
        );
    }

    #[test]
    fn arrays_are_lists_unless_their_elements_have_no_list_form() {
        use CrateDbTypeInfo as T;
        let ints = T::array_of(T::Integer);
        assert_eq!(read(ints.clone()), DataType::List(item(DataType::Int32)));
        assert_eq!(
            read(T::array_of(ints)),
            DataType::List(item(DataType::List(item(DataType::Int32))))
        );
        assert_eq!(
            read(T::array_of(T::Date)),
            DataType::List(item(DataType::Date64))
        );
        assert_eq!(read(T::array_of(T::Object)), DataType::Utf8);
        assert_eq!(read(T::array_of(T::array_of(T::GeoShape))), DataType::Utf8);
    }

    #[test]
    fn arrow_fields_map_to_crate_types() {
        let ty = |dt: DataType| crate_type(&Field::new("c", dt, true)).map(|t| t.to_string());
        let ok = |s: &str| Ok(s.to_owned());
        assert_eq!(ty(DataType::Int64), ok("BIGINT"));
        assert_eq!(ty(DataType::UInt32), ok("BIGINT"));
        assert_eq!(ty(DataType::Utf8View), ok("TEXT"));
        assert_eq!(
            ty(DataType::Timestamp(
                TimeUnit::Microsecond,
                Some("+02:00".into())
            )),
            ok("TIMESTAMP WITH TIME ZONE")
        );
        assert_eq!(ty(DataType::Date32), ok("TIMESTAMP WITHOUT TIME ZONE"));
        assert_eq!(ty(DataType::Decimal128(10, 2)), ok("NUMERIC(10, 2)"));
        assert_eq!(
            ty(DataType::FixedSizeList(item(DataType::Float32), 3)),
            ok("FLOAT_VECTOR(3)")
        );
        assert_eq!(
            ty(DataType::FixedSizeList(item(DataType::Float64), 2)),
            ok("GEO_POINT")
        );
        assert_eq!(ty(DataType::List(item(DataType::Utf8))), ok("ARRAY(TEXT)"));
        let err = ty(DataType::Binary).unwrap_err();
        assert_eq!(
            err.to_string(),
            "column \"c\": Arrow type Binary has no CrateDB column type"
        );
    }
}
