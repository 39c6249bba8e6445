//! `sqlx::Any` support: register [`DRIVER`] with `sqlx::any::install_drivers`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), sqlx::Error> {
//! // Once per process, together with any other drivers the program uses.
//! sqlx::any::install_drivers(&[sqlx_cratedb::any::DRIVER]).expect("installed once");
//! let pool = sqlx::AnyPool::connect("crate://localhost:4200/doc").await?;
//! # Ok(()) }
//! ```
//!
//! `sqlx::Any` knows only booleans, integers, floats, text and blobs. CrateDB values map as:
//! `BOOLEAN` → bool; `BYTE`/`SMALLINT` → i16; `INTEGER` → i32; `BIGINT` and the timestamp and
//! date types (epoch milliseconds) → i64; `REAL` → f32; `DOUBLE PRECISION` → f64; text-like
//! types and `NUMERIC` (exact digits) → text; objects, arrays, geo types, vectors and records →
//! their JSON text. Multi-host URLs must use the `hosts=` parameter with `Any`, whose URL
//! parser accepts one host.

use std::sync::Arc;

use futures_core::future::BoxFuture;
use futures_core::stream::BoxStream;
use futures_util::{StreamExt, TryStreamExt};
use sqlx_core::any::{
    AnyArguments, AnyColumn, AnyConnectOptions, AnyConnectionBackend, AnyQueryResult, AnyRow,
    AnyStatement, AnyTypeInfo, AnyTypeInfoKind, AnyValue, AnyValueKind,
};
use sqlx_core::column::Column as _;
use sqlx_core::connection::{ConnectOptions, Connection};
use sqlx_core::error::Error;
use sqlx_core::executor::Executor;
use sqlx_core::ext::ustr::UStr;
use sqlx_core::row::Row;
use sqlx_core::sql_str::SqlStr;
use sqlx_core::transaction::TransactionManager;
use sqlx_core::{Either, HashMap};

use crate::model::arguments::CrateDbArguments;
use crate::model::value::ValueFormat;
use crate::{
    CrateDb, CrateDbColumn, CrateDbConnectOptions, CrateDbConnection, CrateDbRow,
    CrateDbTransactionManager, CrateDbTypeInfo,
};

mod driver {
    #![allow(missing_docs)]
    sqlx_core::declare_driver_with_optional_migrate!(DRIVER = crate::CrateDb);
}

/// The CrateDB driver, for `sqlx::any::install_drivers(&[sqlx_cratedb::any::DRIVER, …])`.
/// Its URL schemes are `crate`, `crate+http` and `crate+https`.
pub use driver::DRIVER;

fn kind_of(ty: &CrateDbTypeInfo) -> AnyTypeInfoKind {
    use CrateDbTypeInfo as T;
    match ty {
        T::Null => AnyTypeInfoKind::Null,
        T::Boolean => AnyTypeInfoKind::Bool,
        T::Byte | T::Smallint => AnyTypeInfoKind::SmallInt,
        T::Integer => AnyTypeInfoKind::Integer,
        T::Bigint | T::Timestamp | T::Timestamptz | T::Date | T::Regclass => {
            AnyTypeInfoKind::BigInt
        }
        T::Real => AnyTypeInfoKind::Real,
        T::Double => AnyTypeInfoKind::Double,
        _ => AnyTypeInfoKind::Text,
    }
}

fn decode<'r, T: sqlx_core::decode::Decode<'r, CrateDb>>(
    value: crate::CrateDbValueRef<'r>,
    index: usize,
) -> Result<T, Error> {
    T::decode(value).map_err(|source| Error::ColumnDecode {
        index: index.to_string(),
        source,
    })
}

fn to_any_row(row: &CrateDbRow, names: &Arc<HashMap<UStr, usize>>) -> Result<AnyRow, Error> {
    let mut columns = Vec::with_capacity(row.len());
    let mut values = Vec::with_capacity(row.len());
    for (i, col) in row.columns().iter().enumerate() {
        let kind = kind_of(col.type_info());
        columns.push(AnyColumn::try_from(col)?);
        let value = row.try_get_raw(i)?;
        let any = if value.format == ValueFormat::Null {
            AnyValueKind::Null(kind)
        } else {
            match kind {
                AnyTypeInfoKind::Bool => AnyValueKind::Bool(decode(value, i)?),
                AnyTypeInfoKind::SmallInt => AnyValueKind::SmallInt(decode(value, i)?),
                AnyTypeInfoKind::Integer => AnyValueKind::Integer(decode(value, i)?),
                AnyTypeInfoKind::BigInt => AnyValueKind::BigInt(decode(value, i)?),
                AnyTypeInfoKind::Real => AnyValueKind::Real(decode(value, i)?),
                AnyTypeInfoKind::Double => AnyValueKind::Double(decode(value, i)?),
                _ => {
                    let text = match value.format {
                        ValueFormat::Json if value.raw.first() == Some(&b'"') => {
                            value.text("String").map_err(Error::Decode)?.into_owned()
                        }
                        ValueFormat::Json => String::from_utf8_lossy(value.raw).into_owned(),
                        _ => value.text("String").map_err(Error::Decode)?.into_owned(),
                    };
                    AnyValueKind::Text(Arc::new(text))
                }
            }
        };
        values.push(AnyValue { kind: any });
    }
    Ok(AnyRow {
        column_names: Arc::clone(names),
        columns,
        values,
    })
}

fn names_of(row: &CrateDbRow) -> Arc<HashMap<UStr, usize>> {
    Arc::new(
        row.columns()
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name.clone(), i))
            .collect(),
    )
}

fn convert_arguments(args: Option<AnyArguments>) -> Result<Option<CrateDbArguments>, Error> {
    args.map(AnyArguments::convert_into::<CrateDbArguments>)
        .transpose()
        .map_err(Error::Encode)
}

impl AnyConnectionBackend for CrateDbConnection {
    fn name(&self) -> &str {
        <CrateDb as sqlx_core::database::Database>::NAME
    }

    fn close(self: Box<Self>) -> BoxFuture<'static, Result<(), Error>> {
        Connection::close(*self).boxed_static()
    }

    fn close_hard(self: Box<Self>) -> BoxFuture<'static, Result<(), Error>> {
        Connection::close_hard(*self).boxed_static()
    }

    fn ping(&mut self) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(Connection::ping(self))
    }

    fn begin(&mut self, statement: Option<SqlStr>) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(CrateDbTransactionManager::begin(self, statement))
    }

    fn commit(&mut self) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(CrateDbTransactionManager::commit(self))
    }

    fn rollback(&mut self) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(CrateDbTransactionManager::rollback(self))
    }

    fn start_rollback(&mut self) {
        CrateDbTransactionManager::start_rollback(self);
    }

    fn get_transaction_depth(&self) -> usize {
        CrateDbTransactionManager::get_transaction_depth(self)
    }

    fn shrink_buffers(&mut self) {
        Connection::shrink_buffers(self);
    }

    fn flush(&mut self) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(Connection::flush(self))
    }

    fn should_flush(&self) -> bool {
        Connection::should_flush(self)
    }

    #[cfg(feature = "migrate")]
    fn as_migrate(
        &mut self,
    ) -> Result<&mut (dyn sqlx_core::migrate::Migrate + Send + 'static), Error> {
        Ok(self)
    }

    fn fetch_many(
        &mut self,
        query: SqlStr,
        _persistent: bool,
        arguments: Option<AnyArguments>,
    ) -> BoxStream<'_, Result<Either<AnyQueryResult, AnyRow>, Error>> {
        let arguments = match convert_arguments(arguments) {
            Ok(a) => a,
            Err(e) => return futures_util::stream::once(async move { Err(e) }).boxed(),
        };
        let mut names: Option<Arc<HashMap<UStr, usize>>> = None;
        Executor::fetch_many(self, (query, arguments))
            .map_ok(move |item| match item {
                Either::Left(r) => Ok(Either::Left(r.into())),
                Either::Right(row) => {
                    let names = names.get_or_insert_with(|| names_of(&row));
                    to_any_row(&row, names).map(Either::Right)
                }
            })
            .and_then(std::future::ready)
            .boxed()
    }

    fn fetch_optional(
        &mut self,
        query: SqlStr,
        _persistent: bool,
        arguments: Option<AnyArguments>,
    ) -> BoxFuture<'_, Result<Option<AnyRow>, Error>> {
        Box::pin(async move {
            let arguments = convert_arguments(arguments)?;
            let row = Executor::fetch_optional(self, (query, arguments)).await?;
            row.map(|r| to_any_row(&r, &names_of(&r))).transpose()
        })
    }

    fn prepare_with<'c, 'q: 'c>(
        &'c mut self,
        sql: SqlStr,
        _parameters: &[AnyTypeInfo],
    ) -> BoxFuture<'c, Result<AnyStatement, Error>> {
        Box::pin(async move {
            Ok(AnyStatement {
                sql,
                parameters: None,
                column_names: Arc::default(),
                columns: Vec::new(),
            })
        })
    }

    fn describe(
        &mut self,
        sql: SqlStr,
    ) -> BoxFuture<'_, Result<sqlx_core::describe::Describe<sqlx_core::any::Any>, Error>> {
        Box::pin(async move {
            let described = Executor::describe(self, sql).await?;
            described.try_into_any()
        })
    }
}

impl TryFrom<&AnyConnectOptions> for CrateDbConnectOptions {
    type Error = Error;

    fn try_from(any: &AnyConnectOptions) -> Result<Self, Error> {
        let mut opts = CrateDbConnectOptions::from_url(&any.database_url)?;
        opts.log_settings = any.log_settings.clone();
        Ok(opts)
    }
}

impl TryFrom<&CrateDbTypeInfo> for AnyTypeInfo {
    type Error = Error;

    fn try_from(ty: &CrateDbTypeInfo) -> Result<Self, Error> {
        Ok(AnyTypeInfo { kind: kind_of(ty) })
    }
}

impl TryFrom<&CrateDbColumn> for AnyColumn {
    type Error = Error;

    fn try_from(col: &CrateDbColumn) -> Result<Self, Error> {
        Ok(AnyColumn {
            ordinal: col.ordinal,
            name: col.name.clone(),
            type_info: AnyTypeInfo::try_from(&col.type_info)?,
        })
    }
}

/// `BoxFuture` for a `'static` future.
trait BoxedStatic: Future + Send + Sized + 'static {
    fn boxed_static(self) -> BoxFuture<'static, Self::Output> {
        Box::pin(self)
    }
}

impl<F: Future + Send + 'static> BoxedStatic for F {}
