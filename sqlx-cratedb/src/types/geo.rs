//! `GEO_POINT` ↔ [`CrateDbGeoPoint`] and `GEO_SHAPE` ↔ [`CrateDbGeoShape`] (GeoJSON or WKT).

use sqlx_core::decode::Decode;
use sqlx_core::encode::{Encode, IsNull};
use sqlx_core::error::BoxDynError;

use crate::model::arguments::CrateDbArgumentBuffer;
use crate::model::value::{CrateDbValueRef, ValueFormat};
use crate::types::impl_type;
use crate::{CrateDb, CrateDbTypeInfo};

/// A `GEO_POINT`: longitude first, as CrateDB stores it (`[lon, lat]` on the wire).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CrateDbGeoPoint {
    /// Longitude in degrees.
    pub lon: f64,
    /// Latitude in degrees.
    pub lat: f64,
}

impl CrateDbGeoPoint {
    /// A point from longitude and latitude.
    pub fn new(lon: f64, lat: f64) -> Self {
        Self { lon, lat }
    }
}

impl sqlx_core::types::Type<CrateDb> for CrateDbGeoPoint {
    fn type_info() -> CrateDbTypeInfo {
        CrateDbTypeInfo::GeoPoint
    }

    /// `GEO_POINT`, or an array of doubles (`[lon, lat]`).
    fn compatible(ty: &CrateDbTypeInfo) -> bool {
        match ty {
            CrateDbTypeInfo::GeoPoint | CrateDbTypeInfo::Unknown(_) => true,
            CrateDbTypeInfo::Array(inner) => **inner == CrateDbTypeInfo::Double,
            _ => false,
        }
    }
}

impl Encode<'_, CrateDb> for CrateDbGeoPoint {
    fn encode_by_ref(&self, buf: &mut CrateDbArgumentBuffer) -> Result<IsNull, BoxDynError> {
        buf.push_bytes(b"[");
        buf.push_f64(self.lon);
        buf.push_bytes(b",");
        buf.push_f64(self.lat);
        buf.push_bytes(b"]");
        Ok(IsNull::No)
    }
}

impl Decode<'_, CrateDb> for CrateDbGeoPoint {
    fn decode(value: CrateDbValueRef<'_>) -> Result<Self, BoxDynError> {
        let coords: Vec<f64> = serde_json::from_slice(value.raw)
            .map_err(|e| value.error("CrateDbGeoPoint", e.to_string()))?;
        match coords.as_slice() {
            [lon, lat] => Ok(Self::new(*lon, *lat)),
            _ => Err(value.error("CrateDbGeoPoint", "expected [lon, lat]")),
        }
    }
}

/// A `GEO_SHAPE`: CrateDB answers with GeoJSON; WKT text is accepted when binding.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum CrateDbGeoShape {
    /// A GeoJSON geometry object, e.g. `{"type": "Polygon", "coordinates": [...]}`.
    GeoJson(serde_json::Value),
    /// Well-known text, e.g. `POLYGON ((5 5, 10 5, 10 10, 5 10, 5 5))`.
    Wkt(String),
}

impl_type!(
    CrateDbGeoShape,
    [CrateDbTypeInfo::GeoShape, CrateDbTypeInfo::Object],
    CrateDbTypeInfo::GeoShape
);

impl Encode<'_, CrateDb> for CrateDbGeoShape {
    /// GeoJSON binds as an object (the server's cast reads GeoJSON objects); WKT as
    /// `GeoShape`, which pgwire declares as text (the server's cast reads WKT strings).
    fn produces(&self) -> Option<CrateDbTypeInfo> {
        Some(match self {
            Self::GeoJson(_) => CrateDbTypeInfo::Object,
            Self::Wkt(_) => CrateDbTypeInfo::GeoShape,
        })
    }

    fn encode_by_ref(&self, buf: &mut CrateDbArgumentBuffer) -> Result<IsNull, BoxDynError> {
        match self {
            Self::GeoJson(v) => buf.push_json(v)?,
            Self::Wkt(s) => buf.push_str(s),
        }
        Ok(IsNull::No)
    }
}

impl Decode<'_, CrateDb> for CrateDbGeoShape {
    fn decode(value: CrateDbValueRef<'_>) -> Result<Self, BoxDynError> {
        if value.format == ValueFormat::Text || value.raw.first() == Some(&b'"') {
            return Ok(Self::Wkt(value.text("CrateDbGeoShape")?.into_owned()));
        }
        serde_json::from_slice(value.raw)
            .map(Self::GeoJson)
            .map_err(|e| value.error("CrateDbGeoShape", e.to_string()))
    }
}

super::array::element!(CrateDbGeoPoint, CrateDbGeoShape);
