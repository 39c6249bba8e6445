//! `WITH (…)` parameter values: [`ParamValue`] and how one is written.

use std::fmt::Write as _;

use super::name::write_string_literal;

/// A value of a `WITH (…)` parameter.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ParamValue {
    /// An integer, written bare.
    Int(i64),
    /// A float, written bare.
    Float(f64),
    /// A boolean, written `true` / `false`.
    Bool(bool),
    /// Text, written as an escaped string literal.
    Text(String),
}

impl From<i64> for ParamValue {
    fn from(value: i64) -> Self {
        Self::Int(value)
    }
}

impl From<i32> for ParamValue {
    fn from(value: i32) -> Self {
        Self::Int(value.into())
    }
}

impl From<u32> for ParamValue {
    fn from(value: u32) -> Self {
        Self::Int(value.into())
    }
}

impl From<f64> for ParamValue {
    fn from(value: f64) -> Self {
        Self::Float(value)
    }
}

impl From<bool> for ParamValue {
    fn from(value: bool) -> Self {
        Self::Bool(value)
    }
}

impl From<&str> for ParamValue {
    fn from(value: &str) -> Self {
        Self::Text(value.to_owned())
    }
}

impl From<String> for ParamValue {
    fn from(value: String) -> Self {
        Self::Text(value)
    }
}

/// Writes a `WITH` parameter value: numbers and booleans bare, text as a string literal.
pub(crate) fn write_param_value(value: &ParamValue, sql: &mut String) {
    match value {
        ParamValue::Int(v) => {
            let _ = write!(sql, "{v}");
        }
        // NaN and infinity have no bare literal: they go as text, which CrateDB casts.
        ParamValue::Float(v) if !v.is_finite() => {
            write_string_literal(&format!("{v}").replace("inf", "Infinity"), sql);
        }
        ParamValue::Float(v) => {
            let _ = write!(sql, "{v:?}");
        }
        ParamValue::Bool(v) => sql.push_str(if *v { "true" } else { "false" }),
        ParamValue::Text(v) => write_string_literal(v, sql),
    }
}
