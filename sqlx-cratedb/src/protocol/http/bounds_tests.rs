//! Regression tests for bounded resources in the `/_sql` response reader: the work done is
//! linear in the body however it is chunked, buffering is capped by `max_message_size`, and
//! nesting is capped by [`MAX_JSON_DEPTH`]. Work is counted in bytes examined by the scanner
//! (a thread-local counter in test builds), not timed.

use super::response::{Event, ResponseParser};
use crate::protocol::ProtocolError;
use crate::protocol::json::{EXAMINED, MAX_JSON_DEPTH, split_array};

/// Feeds `body` in `chunk`-byte pieces; returns the rows seen or the first error, and the
/// bytes the scanner examined.
fn drive(mut p: ResponseParser, body: &[u8], chunk: usize) -> (Result<usize, ProtocolError>, u64) {
    EXAMINED.with(|c| c.set(0));
    let mut chunks = body.chunks(chunk);
    let mut rows = 0;
    let result = loop {
        match p.next_event() {
            Ok(None) => match chunks.next() {
                Some(c) => p.feed(c),
                None => p.finish(),
            },
            Ok(Some(Event::Row(_))) => rows += 1,
            Ok(Some(Event::End)) => break Ok(rows),
            Ok(Some(Event::BulkItem(_))) => {}
            Err(e) => break Err(e),
        }
    };
    (result, EXAMINED.with(std::cell::Cell::get))
}

fn rows_body(n: usize) -> Vec<u8> {
    let mut body = br#"{"cols":["id","name","tags"],"col_types":[10,4,[100,4]],"rows":["#.to_vec();
    for i in 0..n {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(
            format!(r#"[{i},"name \"{i}\"",["a","b",{{"k":[1,2]}}]]"#).as_bytes(),
        );
    }
    body.extend_from_slice(br#"],"rowcount":1,"duration":1.5}"#);
    body
}

#[test]
fn work_is_linear_in_the_number_of_rows() {
    let small = rows_body(10_000);
    let large = rows_body(100_000);
    let (rows, small_work) = drive(ResponseParser::new(), &small, 7);
    assert_eq!(rows.unwrap(), 10_000);
    let (rows, large_work) = drive(ResponseParser::new(), &large, 7);
    assert_eq!(rows.unwrap(), 100_000);
    // Every byte is examined about once, whatever the chunking.
    assert!(
        large_work <= 2 * large.len() as u64,
        "{large_work} for {}",
        large.len()
    );
    // large_work / small_work within 10% of large.len() / small.len(), in integers.
    let lhs = u128::from(large_work) * small.len() as u128 * 10;
    let rhs = u128::from(small_work) * large.len() as u128;
    assert!(
        (rhs * 9..=rhs * 11).contains(&lhs),
        "work {small_work} → {large_work} for {} → {} bytes",
        small.len(),
        large.len()
    );
}

#[test]
fn one_large_value_fed_in_small_chunks_is_scanned_once() {
    // A 256 KiB string cell, a 256 KiB nested cell and a 256 KiB header value, in 64-byte
    // chunks: rescanning each from its start on every chunk would examine ~1 GB.
    let big = "x\\\"".repeat(256 * 1024 / 3);
    let nested = format!("[{}]", r#"{"a":[1,"]"]},"#.repeat(256 * 1024 / 14) + "0");
    let body = format!(
        r#"{{"cols":["s","o"],"col_types":[4,12],"error_trace":"{big}","rows":[["{big}",{nested}]]}}"#
    );
    let (rows, work) = drive(ResponseParser::new(), body.as_bytes(), 64);
    assert_eq!(rows.unwrap(), 1);
    assert!(
        work <= 2 * body.len() as u64,
        "{work} bytes examined for {}",
        body.len()
    );
}

#[test]
fn a_row_larger_than_max_message_size_is_refused_before_it_is_buffered() {
    let row = format!(r#"{{"cols":["s"],"rows":[["{}"]]}}"#, "y".repeat(100_000));
    let (rows, _) = drive(
        ResponseParser::with_max_message_size(64 * 1024),
        row.as_bytes(),
        1024,
    );
    match rows {
        Err(ProtocolError::MessageTooLarge { size, limit }) => {
            assert_eq!(limit, 64 * 1024);
            assert!(size <= 64 * 1024 + 1024, "buffered {size}");
        }
        other => panic!("expected MessageTooLarge, got {other:?}"),
    }
    // The same body fits a larger cap, and many small rows never add up against it.
    let (rows, _) = drive(
        ResponseParser::with_max_message_size(200_000),
        row.as_bytes(),
        1024,
    );
    assert_eq!(rows.unwrap(), 1);
    let (rows, _) = drive(
        ResponseParser::with_max_message_size(4096),
        &rows_body(5_000),
        512,
    );
    assert_eq!(rows.unwrap(), 5_000);
}

#[test]
fn nesting_deeper_than_the_limit_is_a_typed_error() {
    let depth = MAX_JSON_DEPTH as usize;
    let ok = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let deep = format!("{}{}", "[".repeat(depth + 1), "]".repeat(depth + 1));
    for (cell, fine) in [(&ok, true), (&deep, false)] {
        let body = format!(r#"{{"cols":["a"],"rows":[[{cell}]]}}"#);
        let (rows, _) = drive(ResponseParser::new(), body.as_bytes(), 100);
        assert_eq!(rows.is_ok(), fine, "{rows:?}");
        if !fine {
            assert!(
                matches!(rows, Err(ProtocolError::TooDeep { limit }) if limit == MAX_JSON_DEPTH)
            );
        }
    }
    // Header values and array splitting (cell decoding) stop at the same depth.
    let body = format!(r#"{{"cols":{deep}}}"#);
    assert!(matches!(
        drive(ResponseParser::new(), body.as_bytes(), 3).0,
        Err(ProtocolError::TooDeep { .. })
    ));
    let million = format!("[{}{}]", "{\"a\":".repeat(1_000_000), "}".repeat(1_000_000));
    assert!(matches!(
        split_array(million.as_bytes()),
        Err(ProtocolError::TooDeep { .. })
    ));
}
