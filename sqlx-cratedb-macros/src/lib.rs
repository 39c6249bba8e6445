#![doc = include_str!("../README.md")]

use proc_macro::TokenStream;
use proc_macro2::TokenStream as TokenStream2;
use quote::quote;
use sqlx_cratedb::CrateDb;
use sqlx_macros_core::query::{QueryDriver, QueryMacroInput, expand_input};
use syn::parse::{Parse, ParseStream};
use syn::{Expr, LitStr, Token, Type};

/// The one driver these macros know: a `DATABASE_URL` with a `CrateDb` scheme, or `.sqlx`
/// data recorded for `"CrateDB"`.
const DRIVERS: &[QueryDriver] = &[QueryDriver::new::<CrateDb>()];

/// A macro's input in the user's syntax: `[Record,] "SQL", args...`.
struct Input {
    record: Option<Type>,
    sql: LitStr,
    args: Vec<Expr>,
}

impl Input {
    fn parse(input: ParseStream<'_>, with_record: bool) -> syn::Result<Self> {
        let record = if with_record {
            let record = input.parse()?;
            input.parse::<Token![,]>()?;
            Some(record)
        } else {
            None
        };
        let sql = input.parse()?;
        let mut args = Vec::new();
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            args.push(input.parse()?);
        }
        Ok(Self { record, sql, args })
    }
}

/// `Input` of `query!` / `query_scalar!` (no record type).
struct Plain(Input);
impl Parse for Plain {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        Input::parse(input, false).map(Self)
    }
}

/// `Input` of `query_as!` (a record type first).
struct WithRecord(Input);
impl Parse for WithRecord {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        Input::parse(input, true).map(Self)
    }
}

/// What a macro asks of `sqlx-macros-core`.
#[derive(Clone, Copy)]
enum Output {
    Record,
    Scalar,
}

/// Rewrites `input` into `sqlx-macros-core`'s key syntax and expands it for [`DRIVERS`].
fn expand(input: &Input, output: Output, checked: bool) -> TokenStream {
    let Input { record, sql, args } = input;
    let record = match (record, output) {
        (Some(ty), _) => quote!(, record = #ty),
        (None, Output::Scalar) => quote!(, scalar = _),
        (None, Output::Record) => TokenStream2::new(),
    };
    let tokens = quote!(source = #sql, args = [#(#args),*] #record, checked = #checked);
    let result = syn::parse2::<QueryMacroInput>(tokens)
        .map_err(|e| -> sqlx_macros_core::Error { Box::new(e) })
        .and_then(|input| expand_input(input, DRIVERS));
    match result {
        Ok(ts) => ts.into(),
        Err(e) => {
            if let Some(parse_err) = e.downcast_ref::<syn::Error>() {
                return parse_err.to_compile_error().into();
            }
            let msg = e.to_string();
            quote!(::std::compile_error!(#msg)).into()
        }
    }
}

/// A statement checked against CrateDB at compile time, its rows as an anonymous record
/// with one field per column: `query!("SELECT ... WHERE id = $1", id)`. See the crate docs.
#[proc_macro]
pub fn query(input: TokenStream) -> TokenStream {
    let Plain(input) = syn::parse_macro_input!(input as Plain);
    expand(&input, Output::Record, true)
}

/// [`query!`] without the check of the arguments' types (their number is still checked).
#[proc_macro]
pub fn query_unchecked(input: TokenStream) -> TokenStream {
    let Plain(input) = syn::parse_macro_input!(input as Plain);
    expand(&input, Output::Record, false)
}

/// [`query!`] into a named struct: `query_as!(Summit, "SELECT mountain, height FROM ...")`;
/// each column is assigned to the field of its name, which must have the column's type.
#[proc_macro]
pub fn query_as(input: TokenStream) -> TokenStream {
    let WithRecord(input) = syn::parse_macro_input!(input as WithRecord);
    expand(&input, Output::Record, true)
}

/// [`query_as!`] without the check of the arguments' types.
#[proc_macro]
pub fn query_as_unchecked(input: TokenStream) -> TokenStream {
    let WithRecord(input) = syn::parse_macro_input!(input as WithRecord);
    expand(&input, Output::Record, false)
}

/// [`query!`] for a statement with one result column, read as its value.
#[proc_macro]
pub fn query_scalar(input: TokenStream) -> TokenStream {
    let Plain(input) = syn::parse_macro_input!(input as Plain);
    expand(&input, Output::Scalar, true)
}

/// [`query_scalar!`] without the check of the arguments' types.
#[proc_macro]
pub fn query_scalar_unchecked(input: TokenStream) -> TokenStream {
    let Plain(input) = syn::parse_macro_input!(input as Plain);
    expand(&input, Output::Scalar, false)
}
