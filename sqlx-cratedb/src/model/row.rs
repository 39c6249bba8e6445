//! [`CrateDbRow`]: one row of a result set, kept as the raw JSON of the row.

use std::sync::Arc;

use bytes::Bytes;
use sqlx_core::column::ColumnIndex;
use sqlx_core::decode::Decode;
use sqlx_core::error::{Error, mismatched_types};
use sqlx_core::row::Row;
use sqlx_core::types::Type;
use sqlx_core::value::ValueRef;

use crate::database::CrateDb;
use crate::model::column::CrateDbColumn;
use crate::model::value::CrateDbValueRef;
use crate::protocol::json::Cells;

/// A row of a result set.
///
/// It holds the row's bytes as CrateDB sent them plus the position of each value; values are
/// decoded by their column's CrateDB type when read.
#[derive(Debug, Clone)]
pub struct CrateDbRow {
    data: Bytes,
    cells: Cells,
    columns: Arc<[CrateDbColumn]>,
}

impl CrateDbRow {
    pub(crate) fn new(data: Bytes, cells: Cells, columns: Arc<[CrateDbColumn]>) -> Self {
        Self {
            data,
            cells,
            columns,
        }
    }

    fn label(&self, i: usize) -> String {
        match self.columns.get(i) {
            Some(c) => format!("\"{}\" (#{i})", c.name),
            None => format!("#{i}"),
        }
    }
}

impl Row for CrateDbRow {
    type Database = CrateDb;

    #[inline]
    fn columns(&self) -> &[CrateDbColumn] {
        &self.columns
    }

    #[inline]
    fn try_get_raw<I>(&self, index: I) -> Result<CrateDbValueRef<'_>, Error>
    where
        I: ColumnIndex<Self>,
    {
        let i = index.index(self)?;
        let cell = self.cells[i];
        Ok(CrateDbValueRef::new(
            &self.columns[i].type_info,
            &self.data[cell.start()..cell.end()],
            cell.kind().into(),
        ))
    }

    /// Like sqlx's default, but errors name the column and both types.
    #[inline]
    fn try_get<'r, T, I>(&'r self, index: I) -> Result<T, Error>
    where
        I: ColumnIndex<Self>,
        T: Decode<'r, CrateDb> + Type<CrateDb>,
    {
        let i = index.index(self)?;
        let value = self.try_get_raw(i)?;
        if !value.is_null() && !T::compatible(value.type_info) {
            return Err(Error::ColumnDecode {
                index: self.label(i),
                source: mismatched_types::<CrateDb, T>(value.type_info),
            });
        }
        T::decode(value).map_err(|source| Error::ColumnDecode {
            index: self.label(i),
            source,
        })
    }
}

impl ColumnIndex<CrateDbRow> for &'_ str {
    #[inline]
    fn index(&self, row: &CrateDbRow) -> Result<usize, Error> {
        row.columns
            .iter()
            .position(|c| &*c.name == *self)
            .ok_or_else(|| Error::ColumnNotFound((*self).into()))
    }
}

impl ColumnIndex<CrateDbRow> for usize {
    #[inline]
    fn index(&self, row: &CrateDbRow) -> Result<usize, Error> {
        let len = row.cells.len();
        if *self >= len {
            return Err(Error::ColumnIndexOutOfBounds { len, index: *self });
        }
        Ok(*self)
    }
}
