//! Named indexes in `CREATE TABLE`'s column list: [`FulltextIndex`]
//! (`INDEX name USING FULLTEXT (…)`) and [`PlainIndex`] (`INDEX name USING PLAIN (…)`).
//!
//! Their columns are sea-query names, so a [`Path`](crate::expr::Path) made with
//! [`expr::path`](crate::expr::path) indexes an object sub-column (`"author"['name']`).

use sea_query::{ColumnDef, DynIden, IntoIden};

use crate::{
    seal,
    write::{
        index_marker::{FULLTEXT_INDEX_MARKER, PLAIN_INDEX_MARKER},
        name::write_string_literal,
        path::write_dyn_iden,
    },
};

/// A named fulltext index over one or more columns:
/// `INDEX name USING FULLTEXT (cols) [WITH (analyzer = '…')]`.
///
/// A column may be an object sub-column: pass a [`Path`](crate::expr::Path).
///
/// # Examples
///
/// ```
/// use sea_cratedb::{
///     ColumnPolicy, CrateColumnExt, CrateDbQueryBuilder, CrateTableExt, CrateType, FulltextIndex,
///     expr::path,
///     sea_query::{ColumnDef, Table},
/// };
///
/// let sql = Table::create()
///     .table("books")
///     .col(ColumnDef::new("title").text())
///     .col(ColumnDef::new("author").crate_type(
///         CrateType::object(ColumnPolicy::Dynamic).field(ColumnDef::new("name").text()),
///     ))
///     .fulltext_index(
///         FulltextIndex::new("ft")
///             .column("title")
///             .column(path("author", ["name"]))
///             .analyzer("english"),
///     )
///     .to_string(CrateDbQueryBuilder);
/// assert_eq!(
///     sql,
///     concat!(
///         r#"CREATE TABLE "books" ( "title" TEXT, "author" OBJECT(DYNAMIC) AS ("name" TEXT), "#,
///         r#"INDEX "ft" USING FULLTEXT ("title", "author"['name']) WITH (analyzer = 'english') )"#
///     )
/// );
/// ```
#[derive(Debug, Clone)]
pub struct FulltextIndex {
    name: DynIden,
    columns: Vec<DynIden>,
    analyzer: Option<String>,
}

impl FulltextIndex {
    /// An index with this name; query it with `MATCH(name, …)`.
    pub fn new(name: impl IntoIden) -> Self {
        Self {
            name: name.into_iden(),
            columns: Vec::new(),
            analyzer: None,
        }
    }

    /// Adds a column (or, as a [`Path`](crate::expr::Path), an object sub-column) to the index.
    pub fn column(mut self, column: impl IntoIden) -> Self {
        self.columns.push(column.into_iden());
        self
    }

    /// The analyzer (`standard` when not set).
    pub fn analyzer(mut self, analyzer: &str) -> Self {
        self.analyzer = Some(analyzer.to_owned());
        self
    }
}

impl From<FulltextIndex> for ColumnDef {
    /// The index as an element of `CREATE TABLE`'s column list (rendered by
    /// [`CrateDbQueryBuilder`](crate::CrateDbQueryBuilder) only).
    fn from(index: FulltextIndex) -> Self {
        index_column(
            index.name,
            FULLTEXT_INDEX_MARKER,
            &index.columns,
            index.analyzer.as_deref(),
        )
    }
}

/// A named plain index over one or more columns: `INDEX name USING PLAIN (cols)`.
///
/// CrateDB indexes every column with a plain index already; a named one indexes the columns'
/// values together under one name (like a fulltext index without an analyzer), e.g. to filter
/// with `name = 'value'` on any of them. A column may be an object sub-column: pass a
/// [`Path`](crate::expr::Path).
///
/// # Examples
///
/// ```
/// use sea_cratedb::{CrateDbQueryBuilder, CrateTableExt, PlainIndex, sea_query::{ColumnDef, Table}};
///
/// let sql = Table::create()
///     .table("people")
///     .col(ColumnDef::new("first_name").text())
///     .col(ColumnDef::new("last_name").text())
///     .plain_index(PlainIndex::new("names").column("first_name").column("last_name"))
///     .to_string(CrateDbQueryBuilder);
/// assert_eq!(
///     sql,
///     r#"CREATE TABLE "people" ( "first_name" TEXT, "last_name" TEXT, INDEX "names" USING PLAIN ("first_name", "last_name") )"#
/// );
/// ```
#[derive(Debug, Clone)]
pub struct PlainIndex {
    name: DynIden,
    columns: Vec<DynIden>,
}

impl PlainIndex {
    /// An index with this name.
    pub fn new(name: impl IntoIden) -> Self {
        Self {
            name: name.into_iden(),
            columns: Vec::new(),
        }
    }

    /// Adds a column (or, as a [`Path`](crate::expr::Path), an object sub-column) to the index.
    pub fn column(mut self, column: impl IntoIden) -> Self {
        self.columns.push(column.into_iden());
        self
    }
}

impl From<PlainIndex> for ColumnDef {
    /// The index as an element of `CREATE TABLE`'s column list (rendered by
    /// [`CrateDbQueryBuilder`](crate::CrateDbQueryBuilder) only).
    fn from(index: PlainIndex) -> Self {
        index_column(index.name, PLAIN_INDEX_MARKER, &index.columns, None)
    }
}

/// A named index as a `ColumnDef`: the marker as its custom type, `(cols) [WITH (…)]` as its
/// extra text (each column one quoted name or a path), a rejected name in its comment slot.
fn index_column(
    name: DynIden,
    marker: &'static str,
    columns: &[DynIden],
    analyzer: Option<&str>,
) -> ColumnDef {
    let (tail, rejected) = seal::render_collecting(|tail| {
        tail.push('(');
        for (i, column) in columns.iter().enumerate() {
            if i > 0 {
                tail.push_str(", ");
            }
            write_dyn_iden(column, tail);
        }
        tail.push(')');
        if let Some(analyzer) = analyzer {
            tail.push_str(" WITH (analyzer = ");
            write_string_literal(analyzer, tail);
            tail.push(')');
        }
    });
    let mut column = ColumnDef::new(name);
    column.custom(marker).extra(tail);
    if let Some(token) = rejected {
        column.comment(token);
    }
    column
}
