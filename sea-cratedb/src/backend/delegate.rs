//! Two helper builders that reuse a sea-query default hook body which
//! [`CrateDbQueryBuilder`] overrides or cannot reach (sea-query keeps the statement fields
//! private): [`OrderWriter`] writes `ASC` / `DESC` / `Order::Field`, and [`TailProbe`] learns
//! the shape of one `SELECT` without rendering it.

use std::cell::Cell;

use sea_query::{
    BinOper, ConditionHolder, EscapeBuilder, ExplainStatement, Expr, JoinExpr, LockClause,
    OperLeftAssocDecider, OrderExpr, PostgresQueryBuilder, PrecedenceDecider, QueryBuilder, Quote,
    QuotedBuilder, SelectDistinct, SelectExpr, SelectInto, SelectStatement, SqlWriter,
    SubQueryStatement, TableRef, TableRefBuilder, UnionType, Value, Values, WindowStatement,
    WithClause, backend::Oper,
};

use super::CrateDbQueryBuilder;

/// Implements the traits sea-query requires of every query builder, delegating to CrateDB.
macro_rules! builder_basics {
    ($ty:ty) => {
        impl QuotedBuilder for $ty {
            fn quote(&self) -> Quote {
                CrateDbQueryBuilder.quote()
            }
        }

        impl EscapeBuilder for $ty {}

        impl TableRefBuilder for $ty {}

        impl OperLeftAssocDecider for $ty {
            fn well_known_left_associative(&self, op: &BinOper) -> bool {
                CrateDbQueryBuilder.well_known_left_associative(op)
            }
        }

        impl PrecedenceDecider for $ty {
            fn inner_expr_well_known_greater_precedence(
                &self,
                inner: &Expr,
                outer_oper: &Oper,
            ) -> bool {
                CrateDbQueryBuilder.inner_expr_well_known_greater_precedence(inner, outer_oper)
            }
        }
    };
}

/// sea-query's common `prepare_order` (` ASC`, ` DESC`, or the `CASE … END` of
/// `Order::Field`), with the `Order::Field` expression and values written by CrateDB: values as
/// CrateDB literals, never PostgreSQL's `E'…'` strings.
#[derive(Debug, Clone, Copy)]
pub(super) struct OrderWriter;

builder_basics!(OrderWriter);

impl QueryBuilder for OrderWriter {
    fn prepare_query_statement(&self, query: &SubQueryStatement, sql: &mut impl SqlWriter) {
        CrateDbQueryBuilder.prepare_query_statement(query, sql);
    }

    fn prepare_field_order(
        &self,
        order_expr: &OrderExpr,
        values: &Values,
        sql: &mut impl SqlWriter,
    ) {
        CrateDbQueryBuilder.prepare_field_order(order_expr, values, sql);
    }

    fn prepare_value(&self, value: Value, sql: &mut impl SqlWriter) {
        CrateDbQueryBuilder.prepare_value(value, sql);
    }

    fn prepare_select_into(&self, into: &SelectInto, sql: &mut impl SqlWriter) {
        CrateDbQueryBuilder.prepare_select_into(into, sql);
    }

    fn prepare_explain_statement(&self, explain: &ExplainStatement, sql: &mut impl SqlWriter) {
        CrateDbQueryBuilder.prepare_explain_statement(explain, sql);
    }
}

/// Walks one `SELECT`'s own clauses, skipping every expression, table reference, join and CTE
/// (so no subquery is entered), to learn whether the statement itself has a set operation,
/// `ORDER BY`, `LIMIT` or `OFFSET`: such a UNION operand must become a derived table.
#[derive(Debug, Default)]
pub(super) struct TailProbe {
    tail: Cell<bool>,
}

impl TailProbe {
    /// Whether `select` has a set operation, `ORDER BY`, `LIMIT` or `OFFSET` of its own.
    pub(super) fn has_tail(select: &SelectStatement) -> bool {
        let probe = Self::default();
        probe.prepare_select_statement(select, &mut String::new());
        probe.tail.get()
    }
}

builder_basics!(TailProbe);

impl QueryBuilder for TailProbe {
    fn prepare_union_statement(&self, _: UnionType, _: &SelectStatement, _: &mut impl SqlWriter) {
        self.tail.set(true);
    }

    fn prepare_order_expr(&self, _: &OrderExpr, _: &mut impl SqlWriter) {
        self.tail.set(true);
    }

    fn prepare_select_limit_offset(&self, select: &SelectStatement, _: &mut impl SqlWriter) {
        // The default body writes ` LIMIT ` / ` OFFSET ` and the value: any output means one of
        // them is set.
        let mut clause = String::new();
        PostgresQueryBuilder.prepare_select_limit_offset(select, &mut clause);
        if !clause.is_empty() {
            self.tail.set(true);
        }
    }

    fn prepare_expr(&self, _: &Expr, _: &mut impl SqlWriter) {}

    fn prepare_query_statement(&self, _: &SubQueryStatement, _: &mut impl SqlWriter) {}

    fn prepare_with_clause(&self, _: &WithClause, _: &mut impl SqlWriter) {}

    fn prepare_select_distinct(&self, _: &SelectDistinct, _: &mut impl SqlWriter) {}

    fn prepare_select_expr(&self, _: &SelectExpr, _: &mut impl SqlWriter) {}

    fn prepare_table_ref(&self, _: &TableRef, _: &mut impl SqlWriter) {}

    fn prepare_join_expr(&self, _: &JoinExpr, _: &mut impl SqlWriter) {}

    fn prepare_condition(&self, _: &ConditionHolder, _: &str, _: &mut impl SqlWriter) {}

    fn prepare_select_lock(&self, _: &LockClause, _: &mut impl SqlWriter) {}

    fn prepare_window_statement(&self, _: &WindowStatement, _: &mut impl SqlWriter) {}

    fn prepare_value(&self, _: Value, _: &mut impl SqlWriter) {}

    fn prepare_select_into(&self, _: &SelectInto, _: &mut impl SqlWriter) {}

    fn prepare_explain_statement(&self, _: &ExplainStatement, _: &mut impl SqlWriter) {}
}
