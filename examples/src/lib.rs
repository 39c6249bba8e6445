//! Examples live beside this crate as `[[example]]` targets; see `examples/Cargo.toml`.
