//! `BIT(n)` ↔ [`CrateDbBit`]. CrateDB answers `"B'0101'"`; bound values go out as `"0101"`.

use std::fmt::{self, Display, Formatter};

use sqlx_core::decode::Decode;
use sqlx_core::encode::{Encode, IsNull};
use sqlx_core::error::BoxDynError;

use crate::model::arguments::CrateDbArgumentBuffer;
use crate::model::value::CrateDbValueRef;
use crate::types::impl_type;
use crate::{CrateDb, CrateDbTypeInfo};

/// A bit string, most significant (leftmost) bit first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CrateDbBit(pub Vec<bool>);

impl CrateDbBit {
    /// Parses `0101` or `B'0101'`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        let digits = text
            .strip_prefix("B'")
            .or_else(|| text.strip_prefix("b'"))
            .and_then(|t| t.strip_suffix('\''))
            .unwrap_or(text);
        digits
            .chars()
            .map(|c| match c {
                '0' => Some(false),
                '1' => Some(true),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .map(Self)
    }
}

impl Display for CrateDbBit {
    /// Writes the bits as `0101`.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for b in &self.0 {
            f.write_str(if *b { "1" } else { "0" })?;
        }
        Ok(())
    }
}

impl_type!(CrateDbBit, [CrateDbTypeInfo::Bit], CrateDbTypeInfo::Bit);

impl Encode<'_, CrateDb> for CrateDbBit {
    fn encode_by_ref(&self, buf: &mut CrateDbArgumentBuffer) -> Result<IsNull, BoxDynError> {
        buf.push_str(&self.to_string());
        Ok(IsNull::No)
    }
}

impl Decode<'_, CrateDb> for CrateDbBit {
    fn decode(value: CrateDbValueRef<'_>) -> Result<Self, BoxDynError> {
        let text = value.text("CrateDbBit")?;
        Self::parse(&text).ok_or_else(|| value.error("CrateDbBit", "expected B'0101'"))
    }
}

super::array::element!(CrateDbBit);
