//! Compile-fail tests: misuse of `#[action]` and of `Secret` must give a
//! readable error, saved next to each case as `.stderr` (S30, B9).
//!
//! Regenerate the saved errors after a deliberate change with
//! `TRYBUILD=overwrite cargo test -p serac --test ui`.

#[test]
fn misuse_is_a_readable_compile_error() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
