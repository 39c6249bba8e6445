//! Unit tests of the `/_sql` response parser.

use super::*;

fn run(body: &[u8], chunk: usize) -> (ResponseParser, Vec<Vec<String>>, Vec<BulkItem>) {
    let mut p = ResponseParser::new();
    let mut rows = Vec::new();
    let mut items = Vec::new();
    let mut chunks = body.chunks(chunk);
    loop {
        match p.next_event().unwrap() {
            None => match chunks.next() {
                Some(c) => p.feed(c),
                None => p.finish(),
            },
            Some(Event::Row(r)) => rows.push(
                r.cells
                    .iter()
                    .map(|c| String::from_utf8(r.data[c.start()..c.end()].to_vec()).unwrap())
                    .collect(),
            ),
            Some(Event::BulkItem(i)) => items.push(i),
            Some(Event::End) => break,
        }
    }
    (p, rows, items)
}

#[test]
fn result_set_in_any_chunking() {
    let body = br#"{"cols":["id","tags","ts"],"col_types":[9,[100,4],11],"rows":[[1,["a","b"],1615284000000],[2,null,0],[3,"x\ty",1]],"rowcount":3,"duration":1.23}"#;
    for chunk in [1, 2, 7, 64, 4096] {
        let (p, rows, _) = run(body, chunk);
        assert_eq!(p.cols.as_ref().unwrap().len(), 3);
        assert_eq!(
            p.col_types.as_ref().unwrap()[1],
            CrateDbTypeInfo::array_of(CrateDbTypeInfo::Text)
        );
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0][1], r#"["a","b"]"#);
        assert_eq!(rows[2][1], "x\ty");
        assert_eq!(p.rowcount, Some(3));
    }
}

#[test]
fn dml_bulk_and_error_bodies() {
    let (p, rows, _) = run(br#"{"cols":[],"rows":[[]],"rowcount":3,"duration":0.9}"#, 5);
    assert_eq!(rows, vec![Vec::<String>::new()]);
    assert_eq!(p.rowcount, Some(3));
    let (p, _, items) = run(
        br#"{"cols":[],"duration":2.1,"results":[{"rowcount":1},{"rowcount":-2,"error":{"code":4091,"message":"DuplicateKeyException[x]"}}]}"#,
        3,
    );
    assert!(p.saw_results);
    assert_eq!(items[1].rowcount, -2);
    assert_eq!(items[1].error.as_ref().unwrap().code, Some(4091));
    let (p, _, _) = run(
        br#"{"error":{"message":"SchemaUnknownException[Schema 'foo' unknown]","code":4045},"error_trace":"at x"}"#,
        10,
    );
    assert_eq!(p.error.unwrap().code, Some(4045));
    assert_eq!(p.error_trace.as_deref(), Some("at x"));
}

#[test]
fn truncated_and_malformed_bodies_are_errors() {
    let body = br#"{"cols":["a"],"col_types":[9],"rows":[[1],[2"#;
    let mut p = ResponseParser::new();
    p.feed(body);
    p.finish();
    let mut result = Ok(None);
    for _ in 0..10 {
        result = p.next_event();
        if result.is_err() {
            break;
        }
    }
    assert!(matches!(result, Err(ProtocolError::Truncated)));
    let mut p = ResponseParser::new();
    p.feed(b"<html>");
    assert!(p.next_event().is_err());
    let mut p = ResponseParser::new();
    p.feed(br#"{"col_types":["x"]}"#);
    assert!(p.next_event().is_err());
    for bad in [
        &b"{cols:[]}"[..],
        br#"{"rows":[[1]] "x"}"#,
        br#"{"rows":[[1],}"#,
        b"{}{}",
    ] {
        let mut p = ResponseParser::new();
        p.feed(bad);
        p.finish();
        let mut r = Ok(None);
        for _ in 0..10 {
            r = p.next_event();
            if r.is_err() || matches!(r, Ok(Some(Event::End))) {
                break;
            }
        }
        assert!(r.is_err(), "{}", String::from_utf8_lossy(bad));
    }
}

/// Decodes every cell of a row as several Rust types, under several column types.
fn decode_every_way(raw: &RawRow) {
    use crate::model::value::{CrateDbValueRef, ValueFormat};
    use sqlx_core::decode::Decode;
    let types = [
        CrateDbTypeInfo::Integer,
        CrateDbTypeInfo::Text,
        CrateDbTypeInfo::array_of(CrateDbTypeInfo::Object),
        CrateDbTypeInfo::array_of(CrateDbTypeInfo::array_of(CrateDbTypeInfo::Text)),
        CrateDbTypeInfo::GeoPoint,
        CrateDbTypeInfo::Unknown(-1),
    ];
    for cell in &raw.cells {
        let bytes = &raw.data[cell.start()..cell.end()];
        for ty in &types {
            let v = CrateDbValueRef::new(ty, bytes, ValueFormat::from(cell.kind()));
            let _ = <i64 as Decode<crate::CrateDb>>::decode(v);
            let _ = <f64 as Decode<crate::CrateDb>>::decode(v);
            let _ = <String as Decode<crate::CrateDb>>::decode(v);
            let _ = <&str as Decode<crate::CrateDb>>::decode(v);
            let _ = <bool as Decode<crate::CrateDb>>::decode(v);
            let _ = <Vec<String> as Decode<crate::CrateDb>>::decode(v);
            let _ = <Vec<Vec<i64>> as Decode<crate::CrateDb>>::decode(v);
            let _ = <crate::types::CrateDbGeoPoint as Decode<crate::CrateDb>>::decode(v);
            let _ = <crate::types::CrateDbInterval as Decode<crate::CrateDb>>::decode(v);
            let _ = <crate::types::CrateDbBit as Decode<crate::CrateDb>>::decode(v);
            let _ = <crate::types::CrateDbTimeTz as Decode<crate::CrateDb>>::decode(v);
            let _ = <std::net::IpAddr as Decode<crate::CrateDb>>::decode(v);
            #[cfg(feature = "json")]
            let _ =
                <sqlx_core::types::Json<serde_json::Value> as Decode<crate::CrateDb>>::decode(v);
            #[cfg(feature = "chrono")]
            let _ = <chrono::DateTime<chrono::Utc> as Decode<crate::CrateDb>>::decode(v);
        }
    }
}

/// Every prefix and many single-byte corruptions of a body end in events or an error,
/// never a panic or an endless loop.
#[test]
fn damaged_bodies_never_panic() {
    let body = br#"{"cols":["a","s","o"],"col_types":[9,4,[100,12]],"rows":[[1,"x\"y\u00e9",[{"k":[1,2]}]],[null,"",[]]],"rowcount":2,"results":[{"rowcount":-2,"error":{"code":4091,"message":"m"}}],"duration":1}"#;
    let drive = |bytes: &[u8], chunk: usize| {
        let mut p = ResponseParser::new();
        let mut chunks = bytes.chunks(chunk.max(1));
        for _ in 0..10_000 {
            match p.next_event() {
                Ok(None) => match chunks.next() {
                    Some(c) => p.feed(c),
                    None => p.finish(),
                },
                Ok(Some(Event::End)) | Err(_) => return,
                Ok(Some(Event::Row(r))) => decode_every_way(&r),
                Ok(Some(_)) => {}
            }
        }
        panic!("parser did not terminate");
    };
    for cut in 0..body.len() {
        drive(&body[..cut], 7);
    }
    for at in 0..body.len() {
        for b in [b'"', b'\\', b'[', b']', b'{', b'}', b',', b':', b'x', 0xff] {
            let mut damaged = body.to_vec();
            damaged[at] = b;
            drive(&damaged, 5);
        }
    }
}
