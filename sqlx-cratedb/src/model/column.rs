//! [`CrateDbColumn`]: a result column's name, position and CrateDB type.

use sqlx_core::column::Column;
use sqlx_core::ext::ustr::UStr;

use crate::database::CrateDb;
use crate::protocol::type_info::CrateDbTypeInfo;

/// A column of a result set, from the response's `cols` and `col_types`.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "macros", derive(serde::Serialize, serde::Deserialize))]
pub struct CrateDbColumn {
    pub(crate) ordinal: usize,
    pub(crate) name: UStr,
    pub(crate) type_info: CrateDbTypeInfo,
}

impl CrateDbColumn {
    /// A column description (useful to build rows in tests).
    pub fn new(ordinal: usize, name: impl Into<String>, type_info: CrateDbTypeInfo) -> Self {
        Self {
            ordinal,
            name: UStr::from(name.into()),
            type_info,
        }
    }
}

impl AsRef<CrateDbTypeInfo> for CrateDbColumn {
    fn as_ref(&self) -> &CrateDbTypeInfo {
        &self.type_info
    }
}

impl Column for CrateDbColumn {
    type Database = CrateDb;

    fn ordinal(&self) -> usize {
        self.ordinal
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn type_info(&self) -> &CrateDbTypeInfo {
        &self.type_info
    }
}
