//! [`CrateDbArguments`]: bound parameters, kept as the JSON text of the request's `args`.

use std::error::Error as StdError;
use std::fmt::{self, Write};
use std::sync::Arc;

use serde::Serialize;
use sqlx_core::arguments::Arguments;
use sqlx_core::encode::{Encode, IsNull};
use sqlx_core::error::BoxDynError;
use sqlx_core::types::Type;

use crate::database::CrateDb;
use crate::error::EncodeError;
use crate::protocol::type_info::CrateDbTypeInfo;

/// The JSON text of the arguments written so far, comma separated, without the brackets.
///
/// This is `CrateDb::ArgumentBuffer`: every `Encode` impl appends exactly one JSON value. A custom
/// `Encode<CrateDb>` impl can use [`push_json`](Self::push_json) or
/// [`push_raw_json`](Self::push_raw_json).
#[derive(Debug, Default, Clone)]
pub struct CrateDbArgumentBuffer {
    json: Vec<u8>,
}

impl CrateDbArgumentBuffer {
    /// Appends a value serialized with serde.
    ///
    /// # Errors
    /// When serde cannot serialize the value (e.g. a map with non-string keys).
    pub fn push_json<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), BoxDynError> {
        serde_json::to_writer(&mut self.json, value).map_err(EncodeError::Json)?;
        Ok(())
    }

    /// Appends JSON text as it is. The caller guarantees it is one valid JSON value.
    pub fn push_raw_json(&mut self, json: &str) {
        self.json.extend_from_slice(json.as_bytes());
    }

    pub(crate) fn push_bytes(&mut self, json: &[u8]) {
        self.json.extend_from_slice(json);
    }

    pub(crate) fn push_i64(&mut self, v: i64) {
        let mut b = itoa::Buffer::new();
        self.json.extend_from_slice(b.format(v).as_bytes());
    }

    /// Appends a float; NaN and the infinities go out as the strings CrateDB accepts.
    pub(crate) fn push_f64(&mut self, v: f64) {
        if v.is_nan() {
            self.push_bytes(b"\"NaN\"");
        } else if v.is_infinite() {
            self.push_bytes(if v > 0.0 {
                b"\"Infinity\""
            } else {
                b"\"-Infinity\""
            });
        } else {
            // serde_json writes the shortest representation that round-trips.
            let _ = serde_json::to_writer(&mut self.json, &v);
        }
    }

    pub(crate) fn push_f32(&mut self, v: f32) {
        if v.is_finite() {
            let _ = serde_json::to_writer(&mut self.json, &v);
        } else {
            self.push_f64(f64::from(v));
        }
    }

    pub(crate) fn push_str(&mut self, s: &str) {
        // Serializing a str to a Vec cannot fail.
        let _ = serde_json::to_writer(&mut self.json, s);
    }

    pub(crate) fn len(&self) -> usize {
        self.json.len()
    }

    pub(crate) fn truncate(&mut self, len: usize) {
        self.json.truncate(len);
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.json
    }
}

/// The arguments of one statement execution, bound with `.bind(…)`.
///
/// For [bulk execution](crate::bulk) build one per row:
/// `CrateDbArguments::default().bind(1).bind("one")`.
#[derive(Debug, Default, Clone)]
pub struct CrateDbArguments {
    buffer: CrateDbArgumentBuffer,
    count: usize,
    deferred: Option<Arc<dyn StdError + Send + Sync>>,
    /// Per argument: its type and the byte range of its JSON in `buffer` (the pgwire transport
    /// sends each as a typed text parameter).
    meta: Vec<(CrateDbTypeInfo, u32, u32)>,
}

impl CrateDbArguments {
    /// Adds a value and returns `self`, for chaining. An encoding error is kept and reported
    /// when the arguments are used (as `sqlx::query(..).bind(..)` does).
    #[must_use]
    pub fn bind<'q, T>(mut self, value: T) -> Self
    where
        T: Encode<'q, CrateDb> + Type<CrateDb>,
    {
        if let Err(e) = self.push(value) {
            self.deferred.get_or_insert_with(|| Arc::from(e));
        }
        self
    }

    /// The first encoding error of [`bind`](Self::bind), if any.
    pub fn deferred_error(&self) -> Option<&(dyn StdError + Send + Sync)> {
        self.deferred.as_deref()
    }

    /// The JSON text of the arguments, without the surrounding brackets.
    pub(crate) fn json(&self) -> &[u8] {
        self.buffer.as_bytes()
    }

    /// Each argument's type and JSON text.
    pub(crate) fn values(&self) -> impl ExactSizeIterator<Item = (&CrateDbTypeInfo, &[u8])> {
        let json = self.buffer.as_bytes();
        self.meta
            .iter()
            .map(move |(ty, s, e)| (ty, &json[*s as usize..*e as usize]))
    }

    /// Adds a value, like [`Arguments::add`]; kept inherent so callers need no trait import.
    ///
    /// # Errors
    /// When the value cannot be encoded.
    pub fn push<'q, T>(&mut self, value: T) -> Result<(), BoxDynError>
    where
        T: Encode<'q, CrateDb> + Type<CrateDb>,
    {
        let before = self.buffer.len();
        if self.count > 0 {
            self.buffer.push_bytes(b",");
        }
        let mark = self.buffer.len();
        let ty = value.produces().unwrap_or_else(T::type_info);
        match value.encode(&mut self.buffer) {
            Ok(IsNull::No) => {
                if self.buffer.len() == mark {
                    // An Encode impl that wrote nothing would corrupt the request.
                    self.buffer.push_bytes(b"null");
                }
            }
            Ok(IsNull::Yes) => {
                self.buffer.truncate(mark);
                self.buffer.push_bytes(b"null");
            }
            Err(e) => {
                self.buffer.truncate(before);
                return Err(e);
            }
        }
        {
            let span = u32::try_from(mark).and_then(|s| Ok((s, u32::try_from(self.buffer.len())?)));
            let Ok((start, end)) = span else {
                self.buffer.truncate(before);
                return Err("arguments larger than 4 GiB".into());
            };
            self.meta.push((ty, start, end));
        }
        self.count += 1;
        Ok(())
    }
}

impl Arguments for CrateDbArguments {
    type Database = CrateDb;

    fn reserve(&mut self, additional: usize, size: usize) {
        self.buffer.json.reserve(size + additional);
    }

    fn add<'t, T>(&mut self, value: T) -> Result<(), BoxDynError>
    where
        T: Encode<'t, Self::Database> + Type<Self::Database>,
    {
        self.push(value)
    }

    fn len(&self) -> usize {
        self.count
    }

    fn format_placeholder<W: Write>(&self, writer: &mut W) -> fmt::Result {
        write!(writer, "${}", self.count)
    }
}
