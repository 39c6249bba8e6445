#![doc = include_str!("lib.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod backend;
mod check;
mod error;
mod extension;
mod model;
mod report;
mod seal;
mod statement;
mod types;
mod write;

pub use sea_query;

pub use backend::CrateDbQueryBuilder;
pub use check::{CheckedQuery, CheckedSchema};
pub use error::{Error, InvalidName, InvalidValue, Unsupported};
pub use extension::column::{CrateColumnExt, GeoIndex};
pub use extension::expr;
pub use extension::index::{FulltextIndex, PlainIndex};
pub use extension::table::{Codec, CrateTableExt, Replicas, TableOptions, WithParams};
pub use model::{__private, ChangeSet, CrateObject, KeyedModel, Model, ModelColumn, RowVersion};
#[cfg(feature = "macros")]
pub use sea_cratedb_derive::{CrateModel, CrateObject};
pub use statement::*;
pub use types::{ColumnPolicy, CrateType, ObjectType};
pub use write::name::quote_identifier;
pub use write::param::ParamValue;
