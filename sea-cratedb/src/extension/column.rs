//! [`CrateColumnExt`]: CrateDB column types and constraints on sea-query's [`ColumnDef`].

use std::fmt::Write as _;

use sea_query::ColumnDef;

use crate::{
    CrateType, seal,
    write::name::{write_checked_identifier, write_string_literal},
};

/// A spatial index for `GEO_SHAPE` columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GeoIndex {
    /// `geohash` (the default).
    Geohash,
    /// `quadtree`.
    Quadtree,
    /// `bkdtree`.
    Bkdtree,
}

impl GeoIndex {
    fn as_sql(self) -> &'static str {
        match self {
            Self::Geohash => "geohash",
            Self::Quadtree => "quadtree",
            Self::Bkdtree => "bkdtree",
        }
    }
}

/// CrateDB column features for [`ColumnDef`].
///
/// Each method appends one constraint; they combine in any order.
///
/// # Examples
///
/// ```
/// use sea_cratedb::{CrateColumnExt, CrateDbQueryBuilder, CrateType, sea_query::{ColumnDef, Table}};
///
/// let sql = Table::create()
///     .table("docs")
///     .col(ColumnDef::new("body").text().fulltext(Some("english")))
///     .col(ColumnDef::new("raw").text().index_off().columnstore_off())
///     .col(ColumnDef::new("loc").crate_type(CrateType::GeoPoint))
///     .col(ColumnDef::new("embedding").crate_type(CrateType::FloatVector(3)))
///     .to_string(CrateDbQueryBuilder);
/// assert_eq!(
///     sql,
///     concat!(
///         r#"CREATE TABLE "docs" ( "body" TEXT INDEX USING FULLTEXT WITH (analyzer = 'english'), "#,
///         r#""raw" TEXT INDEX OFF STORAGE WITH (columnstore = false), "#,
///         r#""loc" GEO_POINT, "embedding" FLOAT_VECTOR(3) )"#
///     )
/// );
/// ```
pub trait CrateColumnExt {
    /// Sets the column type to a CrateDB type (objects, arrays, geo types, vectors, …).
    fn crate_type(&mut self, column_type: impl Into<CrateType>) -> &mut Self;

    /// `INDEX USING FULLTEXT [WITH (analyzer = '…')]`; without an analyzer CrateDB uses
    /// `standard`. Only unbounded `TEXT` columns can be fulltext-indexed.
    fn fulltext(&mut self, analyzer: Option<&str>) -> &mut Self;

    /// `INDEX OFF`: the column is stored but cannot be filtered on efficiently.
    fn index_off(&mut self) -> &mut Self;

    /// `INDEX USING PLAIN`: the default index, spelled out (e.g. to document that a text column
    /// is matched exactly rather than fulltext-analyzed).
    fn index_plain(&mut self) -> &mut Self;

    /// `CONSTRAINT "name" PRIMARY KEY`: a primary key column with a named constraint (use it
    /// instead of sea-query's `primary_key()`, not with it).
    ///
    /// Every column of a composite key declared this way must give the same name (CrateDB
    /// rejects two names for one primary key). A rejected name (empty, or with a control
    /// character) makes the checked entry point return
    /// [`Error::InvalidName`](crate::Error::InvalidName); it is kept in the column's comment,
    /// which CrateDB rendering does not write, so set no comment afterwards.
    fn primary_key_named(&mut self, constraint: &str) -> &mut Self;

    /// `STORAGE WITH (columnstore = false)`: no column store (no sorting/grouping; lifts the
    /// 32766-byte limit for text together with [`index_off`](Self::index_off)).
    fn columnstore_off(&mut self) -> &mut Self;

    /// `INDEX USING <geo index> [WITH (precision = '…')]` for `GEO_SHAPE` columns.
    fn geo_index(&mut self, index: GeoIndex, precision: Option<&str>) -> &mut Self;
}

impl CrateColumnExt for ColumnDef {
    fn crate_type(&mut self, column_type: impl Into<CrateType>) -> &mut Self {
        let column_type = column_type.into();
        let (text, rejected) = seal::render_collecting(|text| {
            let _ = write!(text, "{column_type}");
        });
        if let Some(token) = rejected {
            // A rejected object field name travels in the comment slot (never written).
            self.comment(token);
        }
        self.custom(text)
    }

    fn fulltext(&mut self, analyzer: Option<&str>) -> &mut Self {
        let mut clause = String::from("INDEX USING FULLTEXT");
        if let Some(analyzer) = analyzer {
            clause.push_str(" WITH (analyzer = ");
            write_string_literal(analyzer, &mut clause);
            clause.push(')');
        }
        append_extra(self, &clause)
    }

    fn index_off(&mut self) -> &mut Self {
        append_extra(self, "INDEX OFF")
    }

    fn index_plain(&mut self) -> &mut Self {
        append_extra(self, "INDEX USING PLAIN")
    }

    fn primary_key_named(&mut self, constraint: &str) -> &mut Self {
        let (clause, rejected) = seal::render_collecting(|clause| {
            clause.push_str("CONSTRAINT ");
            write_checked_identifier(constraint, clause);
            clause.push_str(" PRIMARY KEY");
        });
        if let Some(token) = rejected {
            // The rejected name travels in the comment slot (never written).
            self.comment(token);
        }
        append_extra(self, &clause)
    }

    fn columnstore_off(&mut self) -> &mut Self {
        append_extra(self, "STORAGE WITH (columnstore = false)")
    }

    fn geo_index(&mut self, index: GeoIndex, precision: Option<&str>) -> &mut Self {
        let mut clause = format!("INDEX USING {}", index.as_sql());
        if let Some(precision) = precision {
            clause.push_str(" WITH (precision = ");
            write_string_literal(precision, &mut clause);
            clause.push(')');
        }
        append_extra(self, &clause)
    }
}

/// Appends a clause to the column's `extra` text (sea-query writes it after the constraints).
fn append_extra<'a>(column: &'a mut ColumnDef, clause: &str) -> &'a mut ColumnDef {
    let extra = match &column.get_column_spec().extra {
        Some(existing) => format!("{existing} {clause}"),
        None => clause.to_owned(),
    };
    column.extra(extra)
}
