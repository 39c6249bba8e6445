//! The per-thread error sink the builder reports to while it renders.
//!
//! sea-query's builder hooks cannot return errors, so [`CrateDbQueryBuilder`](crate::CrateDbQueryBuilder)
//! reports unsupported constructs here. Outside a checked call nothing listens, and the
//! construct is written verbatim so that CrateDB rejects the statement loudly rather than
//! running something else. Inside [`checked`] (the entry points of `check.rs`), the first
//! report becomes the returned error.

use std::cell::{Cell, RefCell};

use crate::Error;

thread_local! {
    static SINK: RefCell<Option<Vec<Error>>> = const { RefCell::new(None) };
    static IN_DELETE: Cell<bool> = const { Cell::new(false) };
    static TABLE_REFS: Cell<usize> = const { Cell::new(0) };
}

/// Counts a table named in a DDL statement (to reject multi-table `DROP TABLE`).
pub(crate) fn count_table_ref() {
    TABLE_REFS.with(|count| count.set(count.get() + 1));
}

/// Renders with a fresh table count; returns the output and how many tables it named.
pub(crate) fn counting_tables<T>(render: impl FnOnce() -> T) -> (T, usize) {
    TABLE_REFS.with(|count| count.set(0));
    let output = render();
    (output, TABLE_REFS.with(Cell::get))
}

/// Records a problem if a checked render is listening on this thread.
pub(crate) fn report(error: impl Into<Error>) {
    SINK.with(|sink| {
        if let Some(errors) = sink.borrow_mut().as_mut() {
            errors.push(error.into());
        }
    });
}

/// Whether a checked render is listening (lets hooks skip probe work otherwise).
pub(crate) fn listening() -> bool {
    SINK.with(|sink| sink.borrow().is_some())
}

/// Marks that the next `RETURNING` clause belongs to a `DELETE`.
pub(crate) fn enter_delete_tail() {
    IN_DELETE.with(|flag| flag.set(true));
}

/// Takes (and clears) the "`RETURNING` belongs to a `DELETE`" mark.
pub(crate) fn take_delete_tail() -> bool {
    IN_DELETE.with(|flag| flag.replace(false))
}

/// Runs `render` with the sink listening; returns its output or the first reported error.
pub(crate) fn checked<T>(render: impl FnOnce() -> T) -> Result<T, Error> {
    struct Restore(Option<Vec<Error>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            SINK.with(|sink| *sink.borrow_mut() = self.0.take());
            IN_DELETE.with(|flag| flag.set(false));
        }
    }
    // A checked render may nest (e.g. a user calls it from a custom iden); keep the outer sink.
    let outer = SINK.with(|sink| sink.borrow_mut().replace(Vec::new()));
    let guard = Restore(outer);
    let output = render();
    let errors = SINK
        .with(|sink| sink.borrow_mut().take())
        .unwrap_or_default();
    drop(guard);
    match errors.into_iter().next() {
        Some(error) => Err(error),
        None => Ok(output),
    }
}
