#![doc = include_str!("lib.md")]

mod attr;
mod column;
mod model;
mod object;
mod ty;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Declares a CrateDB table on a struct with named fields: implements `sea_cratedb::Model`
/// (and `sea_cratedb::KeyedModel` when a field is a `primary_key`) and generates the column
/// enum `<Struct>Column`.
///
/// See the [crate documentation](crate) for the attributes, with an example for each.
#[proc_macro_derive(CrateModel, attributes(cratedb))]
pub fn derive_crate_model(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    model::expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Describes an `OBJECT(…) AS (…)` column type on a struct with named fields: implements
/// `sea_cratedb::CrateObject`, used by `#[cratedb(object)]` fields of a `CrateModel` (or of
/// another `CrateObject`). Values are written with serde, so the struct must also implement
/// `serde::Serialize`.
///
/// See the [crate documentation](crate#objects) for the attributes.
#[proc_macro_derive(CrateObject, attributes(cratedb))]
pub fn derive_crate_object(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    object::expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
