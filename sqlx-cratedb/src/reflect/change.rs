//! [`UnsupportedChange`]: what `ALTER TABLE … ADD COLUMN` cannot do.

use std::fmt;

use super::data_type::DataType;

/// A change [`diff_table`](super::diff_table) found that CrateDB cannot make with `ALTER TABLE … ADD COLUMN`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnsupportedChange {
    /// The column exists with another type; CrateDB has no `ALTER COLUMN … TYPE`.
    TypeChange {
        /// The column.
        column: String,
        /// The live type.
        live: DataType,
        /// The model's type.
        model: DataType,
    },
    /// The model's primary key differs from the live one; keys cannot change in place (a key
    /// column can only be added while the table is empty).
    PrimaryKeyChange {
        /// The live key columns.
        live: Vec<String>,
        /// The model's key columns.
        model: Vec<String>,
    },
    /// The model has a new column with a `DEFAULT`, which `ADD COLUMN` does not accept.
    AddColumnWithDefault {
        /// The column.
        column: String,
    },
    /// A new generated column: CrateDB adds one only while the table is empty.
    AddGeneratedColumn {
        /// The column.
        column: String,
    },
    /// The column's `NOT NULL` differs; CrateDB cannot add or drop the constraint in place.
    NullabilityChange {
        /// The column.
        column: String,
        /// Whether the live column accepts NULL.
        live_nullable: bool,
        /// Whether the model's column accepts NULL.
        model_nullable: bool,
    },
    /// The live table has a column the model lacks; the diff never drops data.
    RemovedColumn {
        /// The column.
        column: String,
    },
    /// The model's column has no type, so it cannot be compared or added.
    UntypedColumn {
        /// The column.
        column: String,
    },
}

impl fmt::Display for UnsupportedChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TypeChange {
                column,
                live,
                model,
            } => write!(
                f,
                "column `{column}` is {live} but the model says {model} (no ALTER COLUMN TYPE: \
                 recreate the table and copy the data)"
            ),
            Self::PrimaryKeyChange { live, model } => write!(
                f,
                "primary key is ({}) but the model says ({}) (a primary key cannot change in place)",
                live.join(", "),
                model.join(", ")
            ),
            Self::AddColumnWithDefault { column } => write!(
                f,
                "new column `{column}` has a DEFAULT, which ADD COLUMN does not accept"
            ),
            Self::AddGeneratedColumn { column } => write!(
                f,
                "new column `{column}` is generated, which ADD COLUMN accepts only on an empty table"
            ),
            Self::NullabilityChange {
                column,
                live_nullable,
                model_nullable,
            } => {
                let word = |nullable: &bool| if *nullable { "NULL" } else { "NOT NULL" };
                write!(
                    f,
                    "column `{column}` is {} but the model says {} (constraints cannot change in place)",
                    word(live_nullable),
                    word(model_nullable)
                )
            }
            Self::RemovedColumn { column } => write!(
                f,
                "column `{column}` exists but is not in the model (drop it explicitly if meant)"
            ),
            Self::UntypedColumn { column } => {
                write!(f, "the model's column `{column}` has no type")
            }
        }
    }
}
