//! `sqlx_cratedb::__fuzz::pgwire_messages`: see that function for the input layout and invariants.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(violation) = sqlx_cratedb::__fuzz::pgwire_messages(data) {
        panic!("{violation}");
    }
});
