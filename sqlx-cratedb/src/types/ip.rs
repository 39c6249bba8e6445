//! `IpAddr` ↔ `IP` (text on the wire).

use std::net::IpAddr;

use sqlx_core::decode::Decode;
use sqlx_core::encode::{Encode, IsNull};
use sqlx_core::error::BoxDynError;

use crate::model::arguments::CrateDbArgumentBuffer;
use crate::model::value::CrateDbValueRef;
use crate::types::impl_type;
use crate::{CrateDb, CrateDbTypeInfo};

impl_type!(
    IpAddr,
    [CrateDbTypeInfo::Ip, CrateDbTypeInfo::Text],
    CrateDbTypeInfo::Ip
);

impl Encode<'_, CrateDb> for IpAddr {
    fn encode_by_ref(&self, buf: &mut CrateDbArgumentBuffer) -> Result<IsNull, BoxDynError> {
        buf.push_str(&self.to_string());
        Ok(IsNull::No)
    }
}

impl Decode<'_, CrateDb> for IpAddr {
    fn decode(value: CrateDbValueRef<'_>) -> Result<Self, BoxDynError> {
        value
            .text("IpAddr")?
            .parse()
            .map_err(|e: std::net::AddrParseError| value.error("IpAddr", e.to_string()))
    }
}

super::array::element!(IpAddr);
