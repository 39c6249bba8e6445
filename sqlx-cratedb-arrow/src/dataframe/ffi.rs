//! One array at a time between arrow-rs and polars-arrow, through the Arrow C Data Interface:
//! both crates' `ArrowArray` and `ArrowSchema` are the `#[repr(C)]` structs of the
//! interface, so a value exported by one is imported by the other without copying buffers.
#![allow(unsafe_code)]

use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema, from_ffi, to_ffi};
use arrow_array::{ArrayRef, make_array};
use arrow_schema::DataType;
use polars_arrow::array::ArrayRef as PolarsArrayRef;
use polars_arrow::datatypes::Field as PolarsField;
use polars_arrow::ffi::{
    ArrowArray, ArrowSchema, export_array_to_c, export_field_to_c, import_array_from_c,
    import_field_from_c,
};

use crate::error::Error;

/// An [`Error::DataFrame`] for `column`.
pub(super) fn column_error(column: &str, message: &impl ToString) -> Error {
    Error::DataFrame {
        column: column.to_owned(),
        message: message.to_string(),
    }
}

/// Whether polars-core (with this crate's dtype features) reads arrays of `data_type`: every
/// type [`crate::types::arrow_type`] produces. Checked before import because Polars panics
/// on some types it does not support instead of returning an error.
pub(super) fn polars_reads(data_type: &DataType) -> bool {
    match data_type {
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt32
        | DataType::UInt64
        | DataType::Float32
        | DataType::Float64
        | DataType::Boolean
        | DataType::Utf8
        | DataType::LargeUtf8
        | DataType::Utf8View
        | DataType::Date32
        | DataType::Date64
        | DataType::Timestamp(_, None) => true,
        // A zone Polars cannot parse (with its `timezones` feature) makes it panic.
        DataType::Timestamp(_, Some(zone)) => zone.parse::<arrow_array::timezone::Tz>().is_ok(),
        DataType::Decimal128(precision, scale) => *precision <= 38 && *scale >= 0,
        DataType::List(item) | DataType::LargeList(item) | DataType::FixedSizeList(item, _) => {
            polars_reads(item.data_type())
        }
        DataType::Struct(fields) => {
            !fields.is_empty() && fields.iter().all(|f| polars_reads(f.data_type()))
        }
        _ => false,
    }
}

/// Moves arrow-rs's C structs into polars-arrow's.
fn to_polars_c(array: FFI_ArrowArray, schema: FFI_ArrowSchema) -> (ArrowArray, ArrowSchema) {
    // SAFETY: both pairs are the C Data Interface's `struct ArrowArray` / `struct ArrowSchema`,
    // `#[repr(C)]` with the same fields (transmute checks the sizes); the release callback
    // moves with the value, so the importer frees the buffers exactly once.
    unsafe {
        (
            std::mem::transmute::<FFI_ArrowArray, ArrowArray>(array),
            std::mem::transmute::<FFI_ArrowSchema, ArrowSchema>(schema),
        )
    }
}

/// Moves polars-arrow's C structs into arrow-rs's.
fn to_arrow_rs_c(array: ArrowArray, schema: ArrowSchema) -> (FFI_ArrowArray, FFI_ArrowSchema) {
    // SAFETY: as in `to_polars_c`, the other way.
    unsafe {
        (
            std::mem::transmute::<ArrowArray, FFI_ArrowArray>(array),
            std::mem::transmute::<ArrowSchema, FFI_ArrowSchema>(schema),
        )
    }
}

/// The polars-arrow array sharing the buffers of an arrow-rs array of column `column`.
pub(super) fn arrow_to_polars(column: &str, array: &ArrayRef) -> Result<PolarsArrayRef, Error> {
    if !polars_reads(array.data_type()) {
        return Err(column_error(
            column,
            &format!("Arrow type {} has no Polars form", array.data_type()),
        ));
    }
    let (c_array, c_schema) = to_ffi(&array.to_data())?;
    let (c_array, c_schema) = to_polars_c(c_array, c_schema);
    // SAFETY: the structs were just exported by arrow-rs from a valid array.
    let field = unsafe { import_field_from_c(&c_schema) }.map_err(|e| column_error(column, &e))?;
    // SAFETY: as above; the array is of the type its schema describes.
    unsafe { import_array_from_c(c_array, field.dtype) }.map_err(|e| column_error(column, &e))
}

/// The arrow-rs array sharing the buffers of a polars-arrow array described by `field`.
pub(super) fn polars_to_arrow(
    field: &PolarsField,
    array: PolarsArrayRef,
) -> Result<ArrayRef, Error> {
    let c_schema = export_field_to_c(field);
    let c_array = export_array_to_c(array);
    let (c_array, c_schema) = to_arrow_rs_c(c_array, c_schema);
    // SAFETY: the structs were just exported by polars-arrow from a valid array of `field`'s type.
    let data =
        unsafe { from_ffi(c_array, &c_schema) }.map_err(|e| column_error(&field.name, &e))?;
    Ok(make_array(data))
}
