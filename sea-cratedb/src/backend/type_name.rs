//! Whether a type name given to sea-query (`Func::cast_as_quoted`, `Expr::cast_as`) is CrateDB
//! type syntax that may be written bare, such as `DOUBLE PRECISION`, `varchar(10)`,
//! `ARRAY(TEXT)` or `int[]`.

/// The words a CrateDB type name is made of (compared without case).
const TYPE_WORDS: &[&str] = &[
    "ARRAY",
    "BIGINT",
    "BIT",
    "BOOL",
    "BOOLEAN",
    "BYTE",
    "CHAR",
    "CHARACTER",
    "DATE",
    "DECIMAL",
    "DOUBLE",
    "DYNAMIC",
    "FLOAT",
    "FLOAT4",
    "FLOAT8",
    "FLOAT_VECTOR",
    "GEO_POINT",
    "GEO_SHAPE",
    "IGNORED",
    "INT",
    "INT2",
    "INT4",
    "INT8",
    "INTEGER",
    "INTERVAL",
    "IP",
    "JSON",
    "LONG",
    "NUMERIC",
    "OBJECT",
    "OID",
    "PRECISION",
    "REAL",
    "REGCLASS",
    "REGPROC",
    "SHORT",
    "SMALLINT",
    "STRICT",
    "STRING",
    "TEXT",
    "TIME",
    "TIMESTAMP",
    "TIMESTAMPTZ",
    "UUID",
    "VARCHAR",
    "VARYING",
    "WITH",
    "WITHOUT",
    "ZONE",
];

/// Whether `name` is type syntax: type words, integers, balanced parentheses with commas inside
/// them, and `[]` suffixes. Such text cannot end the surrounding `CAST(… AS …)` or start another
/// clause; anything else is written as a quoted identifier.
pub(super) fn is_type_syntax(name: &str) -> bool {
    let bytes = name.as_bytes();
    let mut depth = 0_usize;
    let mut i = 0;
    let mut words = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                let word = &name[start..i];
                if !TYPE_WORDS.iter().any(|w| w.eq_ignore_ascii_case(word)) {
                    return false;
                }
                words += 1;
                continue;
            }
            b' ' => {}
            b'0'..=b'9' | b',' if depth > 0 => {}
            b'(' => depth += 1,
            b')' => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            b'[' if bytes.get(i + 1) == Some(&b']') => i += 1,
            _ => return false,
        }
        i += 1;
    }
    depth == 0 && words > 0
}

#[cfg(test)]
mod tests {
    use super::is_type_syntax;

    #[test]
    fn type_syntax_is_recognised() {
        for ok in [
            "TEXT",
            "double precision",
            "varchar(10)",
            "NUMERIC(10, 2)",
            "ARRAY(ARRAY(TEXT))",
            "int[]",
            "TIMESTAMP WITH TIME ZONE",
            "OBJECT(STRICT)",
        ] {
            assert!(is_type_syntax(ok), "{ok}");
        }
        for bad in [
            "",
            "TEXT) FROM secrets UNION ALL SELECT CAST(1 AS TEXT",
            "TEXT FROM",
            "TEXT(",
            "TEXT)",
            "TEXT;",
            "TEXT --",
            "mytype",
            "1",
            "TEXT[",
        ] {
            assert!(!is_type_syntax(bad), "{bad}");
        }
    }
}
