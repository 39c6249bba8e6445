//! The parameters of a `Bind`: each argument encoded in binary where its type allows
//! (`protocol::pgwire::binary_param`), else as text, and the `Bind` message itself.
//!
//! A text array's OID is left to the server's inference (see `pg_param_oid`), so its first
//! execution sends it as text; once the statement is cached, the server's description says
//! the parameter is a `text[]` or `varchar[]`, and from then on it goes in binary too.

use std::ops::Range;

use postgres_protocol::{IsNull, Oid};
use sqlx_core::error::Error;

use crate::model::arguments::CrateDbArguments;
use crate::protocol::pgwire::types::{UNSPECIFIED, element_of};
use crate::protocol::pgwire::{binary_param, frontend, param};
use crate::protocol::type_info::CrateDbTypeInfo;

/// Encoded parameters: OIDs, and each value (`None` = NULL) in one buffer with its format.
#[derive(Debug, Default)]
pub(crate) struct Params {
    /// The peer is CrateDB (some values are sent in its own form, see `param::encode`).
    pub(crate) cratedb: bool,
    pub(crate) oids: Vec<Oid>,
    pub(crate) values: Vec<u8>,
    pub(crate) ranges: Vec<Option<Range<usize>>>,
    /// The format code of each value: 0 text, 1 binary (`binary_param`).
    pub(crate) formats: Vec<i16>,
}

impl Params {
    pub(crate) fn encode(
        arguments: Option<&CrateDbArguments>,
        cratedb: bool,
    ) -> Result<Self, Error> {
        Self::encode_described(arguments, cratedb, &[])
    }

    /// The OIDs the arguments declare, and whether one is a text array whose type is left to
    /// the server (see [`Self::encode_described`]).
    pub(crate) fn declared(arguments: Option<&CrateDbArguments>) -> (Vec<Oid>, bool) {
        let mut text_array = false;
        let oids = arguments
            .into_iter()
            .flat_map(CrateDbArguments::values)
            .map(|(ty, json)| {
                let oid = param::oid(ty);
                text_array |= inferred_text_array(ty, oid) && json != b"null";
                oid
            })
            .collect();
        (oids, text_array)
    }

    /// As [`encode`](Self::encode), with the parameter types the server described for the
    /// statement (`described`, empty when unknown): a text array whose type the server reported
    /// as `text[]` or `varchar[]` goes in binary with that element type.
    pub(crate) fn encode_described(
        arguments: Option<&CrateDbArguments>,
        cratedb: bool,
        described: &[Oid],
    ) -> Result<Self, Error> {
        let mut p = Self {
            cratedb,
            ..Self::default()
        };
        if let Some(arguments) = arguments {
            p.push(arguments, true, described)?;
        }
        Ok(p)
    }

    /// Appends one row's values (and, with `with_oids`, its OIDs).
    pub(crate) fn push_row(
        &mut self,
        arguments: &CrateDbArguments,
        with_oids: bool,
    ) -> Result<(), Error> {
        self.push(arguments, with_oids, &[])
    }

    fn push(
        &mut self,
        arguments: &CrateDbArguments,
        with_oids: bool,
        described: &[Oid],
    ) -> Result<(), Error> {
        for (i, (ty, json)) in arguments.values().enumerate() {
            let oid = param::oid(ty);
            if with_oids {
                self.oids.push(oid);
            }
            let start = self.values.len();
            let present = json != b"null";
            let text_array = present && inferred_text_array(ty, oid);
            let element = described
                .get(i)
                .and_then(|&d| element_of(d))
                .filter(|_| text_array);
            let binary = present
                && match element {
                    Some(element) => {
                        binary_param::encode_text_array(element, json, &mut self.values)
                    }
                    None => binary_param::encode(ty, json, &mut self.values),
                };
            let present = binary
                || param::encode(ty, json, self.cratedb, &mut self.values)
                    .map_err(|e| Error::Encode(Box::new(e)))?;
            self.ranges
                .push(present.then_some(start..self.values.len()));
            self.formats.push(i16::from(binary));
        }
        Ok(())
    }
}

/// A one-dimensional array of strings declared as `oid` 0: its type is left to the server's
/// inference, so it goes in binary only with the type the server described.
fn inferred_text_array(ty: &CrateDbTypeInfo, oid: Oid) -> bool {
    oid == UNSPECIFIED
        && matches!(ty, CrateDbTypeInfo::Array(inner) if **inner == CrateDbTypeInfo::Text)
}

/// Writes `Bind` for the unnamed portal with parameters in the format of `formats` (one code
/// per value; all text when every code is 0); results in text, or in the format per column of
/// `result_formats` (0 text, 1 binary) when it is not empty.
pub(crate) fn write_bind(
    buf: &mut bytes::BytesMut,
    statement: &str,
    values: &[u8],
    ranges: &[Option<Range<usize>>],
    formats: &[i16],
    result_formats: &[i16],
) -> Result<(), Error> {
    let formats = if formats.iter().all(|&f| f == 0) {
        &[]
    } else {
        formats
    };
    frontend::bind(
        "",
        statement,
        formats.iter().copied(),
        ranges.iter(),
        |range, out| match range {
            Some(r) => {
                out.extend_from_slice(&values[r.clone()]);
                Ok(IsNull::No)
            }
            None => Ok(IsNull::Yes),
        },
        result_formats.iter().copied(),
        buf,
    )
    .map_err(|e| match e {
        frontend::BindError::Conversion(e) => Error::Encode(e),
        frontend::BindError::Serialization(e) => Error::Io(e),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::pgwire::types::{TEXT, VARCHAR};

    fn args() -> CrateDbArguments {
        let mut args = CrateDbArguments::default();
        args.push(vec![Some("a\"b"), None]).unwrap();
        args.push(vec![1_i64, 2]).unwrap();
        args.push(Option::<Vec<String>>::None).unwrap();
        args
    }

    #[test]
    fn text_arrays_go_binary_once_the_server_described_them() {
        assert_eq!(
            Params::declared(Some(&args())),
            (vec![UNSPECIFIED, 1016, UNSPECIFIED], true),
            "the NULL text array needs no type"
        );
        let p = Params::encode(Some(&args()), true).unwrap();
        assert_eq!(p.formats, [0, 1, 0]);
        assert_eq!(&p.values[p.ranges[0].clone().unwrap()], br#"{"a\"b",NULL}"#);

        let described = [1015, 1016, 1009];
        let p = Params::encode_described(Some(&args()), true, &described).unwrap();
        assert_eq!(p.formats, [1, 1, 0], "a NULL stays NULL");
        assert_eq!(p.oids[0], UNSPECIFIED, "the declared type is unchanged");
        let array = &p.values[p.ranges[0].clone().unwrap()];
        assert_eq!(
            &array[8..12],
            &VARCHAR.to_be_bytes(),
            "element type as described"
        );
        assert_eq!(
            &array[array.len() - 4..],
            &(-1_i32).to_be_bytes(),
            "NULL element"
        );
        assert!(array.windows(3).any(|w| w == b"a\"b"));

        // A described type that is not a text array leaves the value as text.
        let p = Params::encode_described(Some(&args()), true, &[199, 1016, TEXT]).unwrap();
        assert_eq!(p.formats, [0, 1, 0]);
    }
}
