//! Rust ↔ CrateDB type mappings. See the crate docs for the full table.
//!
//! Every `Decode` reads the value's raw JSON according to its `col_types` code; a value of an
//! incompatible column type is rejected by `Type::compatible` before decoding, with an error
//! that names the column and both types.

mod array;
mod bit;
mod bool;
#[cfg(feature = "chrono")]
mod chrono;
#[cfg(feature = "rust_decimal")]
mod decimal;
mod float;
mod geo;
mod int;
mod interval;
mod ip;
#[cfg(feature = "json")]
mod json;
mod str;
mod support;
#[cfg(feature = "time")]
mod time;
mod timetz;
#[cfg(feature = "uuid")]
mod uuid;

pub use self::bit::CrateDbBit;
pub use self::geo::{CrateDbGeoPoint, CrateDbGeoShape};
pub use self::interval::CrateDbInterval;
pub use self::timetz::CrateDbTimeTz;

#[cfg(test)]
pub(crate) use self::support::test_values;
pub(crate) use self::support::{compatible_with, impl_type, parse_f64, parse_i64};
