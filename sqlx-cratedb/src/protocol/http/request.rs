//! Request bodies for `POST /_sql`, written straight into bytes (no intermediate JSON tree).

/// The query string every request carries: `types` makes CrateDB send `col_types`.
pub(crate) const SQL_PATH: &str = "/_sql?types";
/// The same with `error_trace=true`.
pub(crate) const SQL_PATH_TRACE: &str = "/_sql?types&error_trace=true";

fn push_stmt(out: &mut Vec<u8>, sql: &str) {
    out.extend_from_slice(b"{\"stmt\":");
    // Serializing a str to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, sql);
}

/// `{"stmt": sql, "args": [...]}`, or without `args` when there are none. `args` is the
/// comma-separated JSON of the parameters.
pub(crate) fn query_body(sql: &str, args: Option<&[u8]>) -> Vec<u8> {
    let args_len = args.map_or(0, <[u8]>::len);
    let mut out = Vec::with_capacity(sql.len() + args_len + 32);
    push_stmt(&mut out, sql);
    if let Some(args) = args.filter(|a| !a.is_empty()) {
        out.extend_from_slice(b",\"args\":[");
        out.extend_from_slice(args);
        out.push(b']');
    }
    out.push(b'}');
    out
}

/// The start of a bulk body: `{"stmt": sql, "bulk_args": [`.
pub(crate) fn bulk_body_start(sql: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 * 1024);
    push_stmt(&mut out, sql);
    out.extend_from_slice(b",\"bulk_args\":[");
    out
}

/// Appends one parameter row (its comma-separated JSON) to a bulk body.
pub(crate) fn bulk_body_push(out: &mut Vec<u8>, row: &[u8], first: bool) {
    if !first {
        out.push(b',');
    }
    out.push(b'[');
    out.extend_from_slice(row);
    out.push(b']');
}

/// Closes a bulk body.
pub(crate) fn bulk_body_finish(out: &mut Vec<u8>) {
    out.extend_from_slice(b"]}");
}

/// `{"stmt": sql, "bulk_args": [[...], ...]}` for `rows`.
#[cfg(test)]
pub(crate) fn bulk_body(sql: &str, rows: &[&[u8]]) -> Vec<u8> {
    let mut out = bulk_body_start(sql);
    for (i, row) in rows.iter().enumerate() {
        bulk_body_push(&mut out, row, i == 0);
    }
    bulk_body_finish(&mut out);
    out
}

/// The size a bulk body grows by for one row (its comma-separated JSON).
pub(crate) fn bulk_row_size(row: &[u8]) -> usize {
    row.len() + 3
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::arguments::CrateDbArguments;

    #[test]
    fn bodies_are_compact_json() {
        let mut args = CrateDbArguments::default();
        args.push(1_i32).unwrap();
        args.push("a\"b").unwrap();
        args.push(Option::<i64>::None).unwrap();
        let body = query_body("SELECT $1, $2, $3", Some(args.json()));
        assert_eq!(
            std::str::from_utf8(&body).unwrap(),
            r#"{"stmt":"SELECT $1, $2, $3","args":[1,"a\"b",null]}"#
        );
        let body = bulk_body("INSERT", &[args.json(), args.json()]);
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["bulk_args"][1][1], "a\"b");
        assert_eq!(query_body("SELECT 1", None), br#"{"stmt":"SELECT 1"}"#);
    }
}
