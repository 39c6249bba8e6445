//! Support for the code `#[derive(CrateModel)]` / `#[derive(CrateObject)]` generate. Not a
//! public API: no stability guarantee.

use std::net::IpAddr;

use sea_query::Value;
use sea_query::value::prelude::IpNetwork;

pub use serde_json;

/// An `IP` column value (`IpAddr` or `Option<IpAddr>`).
pub fn ip(value: impl Into<Option<IpAddr>>) -> Value {
    Value::IpNetwork(value.into().map(IpNetwork::from))
}

/// An `OBJECT` column value serialized by serde: JSON `null` is SQL `NULL`. A serialization
/// error becomes a text value naming the error, which CrateDB rejects for an object column
/// (loudly, instead of writing something else).
pub fn json(value: Result<serde_json::Value, serde_json::Error>) -> Value {
    match value {
        Ok(serde_json::Value::Null) => Value::Json(None),
        Ok(json) => Value::Json(Some(Box::new(json))),
        Err(error) => Value::String(Some(format!("serialization to JSON failed: {error}"))),
    }
}
