//! Compile-fail tests: every attribute CrateDB cannot honour and every CrateDB rule the derives
//! check is a compile error with a message that says why and what to do instead
//! (`tests/ui/*.stderr` hold the expected messages; regenerate with `TRYBUILD=overwrite`).

#[test]
fn rejected_attributes_and_rules_are_compile_errors() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
