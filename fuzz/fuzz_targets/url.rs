//! The connection URL parser: any string parses or fails with a configuration error, and the
//! options' `Debug` shows a password or token only as `<redacted>`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sqlx_cratedb::CrateDbConnectOptions;

fuzz_target!(|data: &[u8]| {
    let Ok(url) = std::str::from_utf8(data) else {
        return;
    };
    match url.parse::<CrateDbConnectOptions>() {
        Ok(options) => {
            let debug = format!("{options:?}");
            for field in [", password: ", ", token: "] {
                let at = debug.find(field).expect("the field is in Debug") + field.len();
                let shown = &debug[at..];
                assert!(
                    shown.starts_with("None,") || shown.starts_with("Some(\"<redacted>\"),"),
                    "{field}shown in Debug: {debug}"
                );
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
