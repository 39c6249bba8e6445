//! The connection URL parser: any string parses or fails with a configuration error, and the
//! options' `Debug` never shows a password given in the URL.
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
            assert!(!debug.contains("fuzz-secret-pw"), "password in Debug: {debug}");
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
