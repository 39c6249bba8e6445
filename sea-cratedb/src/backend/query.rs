//! `QueryBuilder` for CrateDB: placeholders, values, functions, and guards for the DML
//! constructs CrateDB rejects (reported to the checked entry point, written verbatim otherwise).

use sea_query::{
    BinOper, ConditionHolder, DeleteStatement, ExplainStatement, JoinExpr, JoinType, LockClause,
    OrderExpr, PostgresQueryBuilder, QueryBuilder, QuotedBuilder, ReturningClause, SelectDistinct,
    SelectInto, SelectStatement, SqlWriter, SubQueryStatement, TableRef, TableRefBuilder, TypeRef,
    UnionType, UpdateStatement, Value, WithClause, extension::postgres::PgBinOper,
};

use super::{
    CrateDbQueryBuilder,
    delegate::{OrderWriter, TailProbe},
};
use crate::{Unsupported, report, write::name::write_checked_identifier};

/// Writes `text` to a sea-query writer (writing to it cannot fail).
fn put(sql: &mut impl SqlWriter, text: &str) {
    let _ = sql.write_str(text);
}

/// Renders `render` with the PostgreSQL builder into a scratch string; used to learn whether
/// an opaque clause (whose fields sea-query keeps private) is present at all.
fn probe(render: impl FnOnce(&mut String)) -> bool {
    let mut scratch = String::new();
    render(&mut scratch);
    !scratch.trim().is_empty()
}

impl QueryBuilder for CrateDbQueryBuilder {
    fn placeholder(&self) -> (&'static str, bool) {
        ("$", true)
    }

    fn prepare_query_statement(&self, query: &SubQueryStatement, sql: &mut impl SqlWriter) {
        match query {
            SubQueryStatement::SelectStatement(s) => self.prepare_select_statement(s, sql),
            SubQueryStatement::InsertStatement(s) => self.prepare_insert_statement(s, sql),
            SubQueryStatement::UpdateStatement(s) => self.prepare_update_statement(s, sql),
            SubQueryStatement::DeleteStatement(s) => self.prepare_delete_statement(s, sql),
            SubQueryStatement::WithStatement(s) => self.prepare_with_query(s, sql),
        }
    }

    fn prepare_select_into(&self, into: &SelectInto, sql: &mut impl SqlWriter) {
        report::report(Unsupported::SelectInto);
        PostgresQueryBuilder.prepare_select_into(into, sql);
    }

    fn prepare_explain_statement(&self, _: &ExplainStatement, sql: &mut impl SqlWriter) {
        // sea-query keeps the explained statement private, and PostgreSQL's rendering of it
        // would write PostgreSQL literals: only `EXPLAIN` is written, which CrateDB rejects.
        report::report(Unsupported::Explain);
        put(sql, "EXPLAIN");
    }

    fn prepare_value(&self, value: Value, sql: &mut impl SqlWriter) {
        super::value::check_value(&value);
        sql.push_param(value, self);
    }

    fn prepare_type_ref(&self, type_name: &TypeRef, sql: &mut impl SqlWriter) {
        // CrateDB type names are keywords (`DOUBLE PRECISION`, `ARRAY(TEXT)`, `OBJECT(STRICT)`),
        // not identifiers: write them bare when they are type syntax (type words, integers,
        // balanced parentheses), anything else as one quoted identifier.
        let TypeRef(schema, name) = type_name;
        let text = name.inner();
        if schema.is_none() && super::type_name::is_type_syntax(&text) {
            put(sql, &text);
        } else {
            if let Some(schema) = schema {
                self.prepare_schema_name(schema, sql);
                put(sql, ".");
            }
            self.prepare_iden(name, sql);
        }
    }

    fn prepare_select_distinct(&self, distinct: &SelectDistinct, sql: &mut impl SqlWriter) {
        match distinct {
            SelectDistinct::All => put(sql, "ALL"),
            SelectDistinct::Distinct => put(sql, "DISTINCT"),
            other => {
                report::report(Unsupported::DistinctOn);
                PostgresQueryBuilder.prepare_select_distinct(other, sql);
            }
        }
    }

    fn prepare_order(&self, order_expr: &OrderExpr, sql: &mut impl SqlWriter) {
        // sea-query's common direction / `Order::Field` rendering, values written by CrateDB.
        OrderWriter.prepare_order(order_expr, sql);
        // sea-query's common SQL drops NULLS FIRST/LAST and `OrderExpr` is opaque: learn the
        // null ordering from PostgreSQL's rendering, whose tail is exactly that clause.
        let mut probe = TailWriter::default();
        PostgresQueryBuilder.prepare_order_expr(order_expr, &mut probe);
        for clause in [" NULLS LAST", " NULLS FIRST"] {
            if probe.ends_with(clause) {
                put(sql, clause);
            }
        }
    }

    fn prepare_select_lock(&self, lock: &LockClause, sql: &mut impl SqlWriter) {
        report::report(Unsupported::RowLock);
        PostgresQueryBuilder.prepare_select_lock(lock, sql);
    }

    fn prepare_table_sample(&self, select: &SelectStatement, sql: &mut impl SqlWriter) {
        if report::listening() && probe(|s| PostgresQueryBuilder.prepare_table_sample(select, s)) {
            report::report(Unsupported::TableSample);
        }
        PostgresQueryBuilder.prepare_table_sample(select, sql);
    }

    fn prepare_join_type(&self, join_type: &JoinType, sql: &mut impl SqlWriter) {
        if matches!(join_type, JoinType::StraightJoin) {
            report::report(Unsupported::Operator("STRAIGHT_JOIN"));
        }
        self.prepare_join_type_common(join_type, sql);
    }

    fn prepare_join_table_ref(&self, join: &JoinExpr, sql: &mut impl SqlWriter) {
        if join.lateral {
            report::report(Unsupported::Lateral);
            put(sql, "LATERAL ");
        }
        self.prepare_table_ref(&join.table, sql);
    }

    fn prepare_union_statement(
        &self,
        union_type: UnionType,
        select: &SelectStatement,
        sql: &mut impl SqlWriter,
    ) {
        put(
            sql,
            match union_type {
                UnionType::Distinct => " UNION ",
                UnionType::All => " UNION ALL ",
                UnionType::Intersect => {
                    report::report(Unsupported::Intersect);
                    " INTERSECT "
                }
                UnionType::Except => {
                    report::report(Unsupported::Except);
                    " EXCEPT "
                }
                _ => {
                    report::report(Unsupported::Operator("an unknown set operation"));
                    " UNION "
                }
            },
        );
        // CrateDB's grammar takes no parentheses around a set operand, so an operand with its
        // own ORDER BY / LIMIT / OFFSET / set operation becomes a derived table.
        if TailProbe::has_tail(select) {
            put(sql, "SELECT * FROM (");
            self.prepare_select_statement(select, sql);
            put(sql, ") AS \"union_operand\"");
        } else {
            self.prepare_select_statement(select, sql);
        }
    }

    fn prepare_with_clause_start(&self, with: &WithClause, sql: &mut impl SqlWriter) {
        put(sql, "WITH ");
        // `recursive` is private to sea-query: learn it from PostgreSQL's rendering.
        let mut start = String::new();
        PostgresQueryBuilder.prepare_with_clause_start(with, &mut start);
        if start.contains("RECURSIVE") {
            report::report(Unsupported::RecursiveCte);
            put(sql, "RECURSIVE ");
        }
    }

    fn prepare_with_query_clause_materialization(
        &self,
        cte: &sea_query::CommonTableExpression,
        sql: &mut impl SqlWriter,
    ) {
        let mut hint = String::new();
        PostgresQueryBuilder.prepare_with_query_clause_materialization(cte, &mut hint);
        if !hint.is_empty() {
            report::report(Unsupported::CteMaterialization);
            put(sql, &hint);
        }
    }

    fn prepare_insert(&self, replace: bool, sql: &mut impl SqlWriter) {
        if replace {
            report::report(Unsupported::Replace);
            put(sql, "REPLACE");
        } else {
            put(sql, "INSERT");
        }
    }

    fn insert_default_values(&self, num_rows: u32, sql: &mut impl SqlWriter) {
        report::report(Unsupported::DefaultValues);
        PostgresQueryBuilder.insert_default_values(num_rows, sql);
    }

    fn prepare_update_from(&self, from: &[TableRef], sql: &mut impl SqlWriter) {
        for (i, table) in from.iter().enumerate() {
            report::report(Unsupported::UpdateFrom);
            put(sql, if i == 0 { " FROM " } else { ", " });
            self.prepare_table_ref(table, sql);
        }
    }

    fn prepare_update_order_by(&self, update: &UpdateStatement, sql: &mut impl SqlWriter) {
        if probe(|s| PostgresQueryBuilder.prepare_update_order_by(update, s)) {
            report::report(Unsupported::DmlOrderByLimit);
            PostgresQueryBuilder.prepare_update_order_by(update, sql);
        }
    }

    fn prepare_update_limit(&self, update: &UpdateStatement, sql: &mut impl SqlWriter) {
        if probe(|s| PostgresQueryBuilder.prepare_update_limit(update, s)) {
            report::report(Unsupported::DmlOrderByLimit);
            PostgresQueryBuilder.prepare_update_limit(update, sql);
        }
    }

    fn prepare_delete_order_by(&self, delete: &DeleteStatement, sql: &mut impl SqlWriter) {
        if probe(|s| PostgresQueryBuilder.prepare_delete_order_by(delete, s)) {
            report::report(Unsupported::DmlOrderByLimit);
            PostgresQueryBuilder.prepare_delete_order_by(delete, sql);
        }
    }

    fn prepare_delete_limit(&self, delete: &DeleteStatement, sql: &mut impl SqlWriter) {
        if probe(|s| PostgresQueryBuilder.prepare_delete_limit(delete, s)) {
            report::report(Unsupported::DmlOrderByLimit);
            PostgresQueryBuilder.prepare_delete_limit(delete, sql);
        }
        // sea-query calls `prepare_returning` right after this hook in a DELETE.
        report::enter_delete_tail();
    }

    fn prepare_returning(&self, returning: &Option<ReturningClause>, sql: &mut impl SqlWriter) {
        let in_delete = report::take_delete_tail();
        let Some(returning) = returning else { return };
        if in_delete {
            report::report(Unsupported::DeleteReturning);
        }
        put(sql, " RETURNING ");
        match returning {
            ReturningClause::All => put(sql, "*"),
            ReturningClause::Columns(columns) => {
                for (i, column) in columns.iter().enumerate() {
                    if i > 0 {
                        put(sql, ", ");
                    }
                    self.prepare_column_ref(column, sql);
                }
            }
            ReturningClause::Exprs(exprs) => {
                for (i, expr) in exprs.iter().enumerate() {
                    if i > 0 {
                        put(sql, ", ");
                    }
                    self.prepare_expr(expr, sql);
                }
            }
        }
    }

    fn prepare_on_conflict_target_constraint(&self, constraint: &str, sql: &mut impl SqlWriter) {
        report::report(Unsupported::OnConflictOnConstraint);
        put(sql, " ON CONSTRAINT ");
        write_checked_identifier(constraint, sql);
    }

    fn prepare_on_conflict_condition(&self, condition: &ConditionHolder, sql: &mut impl SqlWriter) {
        if !condition.is_empty() {
            report::report(Unsupported::OnConflictWhere);
        }
        self.prepare_condition(condition, "WHERE", sql);
    }

    fn prepare_bin_oper(&self, bin_oper: &BinOper, sql: &mut impl SqlWriter) {
        match bin_oper {
            BinOper::PgOperator(op) => {
                let text = match op {
                    PgBinOper::ILike => "ILIKE",
                    PgBinOper::NotILike => "NOT ILIKE",
                    PgBinOper::Concatenate => "||",
                    PgBinOper::Overlap => "&&",
                    PgBinOper::Regex => "~",
                    PgBinOper::RegexCaseInsensitive => "~*",
                    other => {
                        let mut text = String::new();
                        PostgresQueryBuilder
                            .prepare_bin_oper(&BinOper::PgOperator(*other), &mut text);
                        report::report(Unsupported::Operator(pg_operator_name(*other)));
                        put(sql, &text);
                        return;
                    }
                };
                put(sql, text);
            }
            _ => self.prepare_bin_oper_common(bin_oper, sql),
        }
    }

    fn if_null_function(&self) -> &'static str {
        "COALESCE"
    }

    fn random_function(&self) -> &'static str {
        "RANDOM"
    }

    fn write_value(&self, buf: &mut impl std::fmt::Write, value: &Value) -> std::fmt::Result {
        super::value::write_value(*self, buf, value)
    }

    fn write_string_quoted(&self, string: &str, buffer: &mut impl std::fmt::Write) {
        crate::write::name::write_string_literal(string, buffer);
    }

    fn write_bytes(&self, bytes: &[u8], buffer: &mut impl std::fmt::Write) {
        report::report(Unsupported::Bytes);
        let _ = super::value::write_hex_text(bytes, buffer);
    }
}

/// The SQL spelling of a PostgreSQL-only operator, for error messages.
fn pg_operator_name(op: PgBinOper) -> &'static str {
    match op {
        PgBinOper::Matches => "@@ (use sea_cratedb::expr::match_)",
        PgBinOper::Contains => "@>",
        PgBinOper::Contained => "<@",
        PgBinOper::GetJsonField => "-> (use sea_cratedb::expr::subscript)",
        PgBinOper::CastJsonField => "->> (use sea_cratedb::expr::subscript)",
        PgBinOper::Similarity
        | PgBinOper::WordSimilarity
        | PgBinOper::StrictWordSimilarity
        | PgBinOper::SimilarityDistance
        | PgBinOper::WordSimilarityDistance
        | PgBinOper::StrictWordSimilarityDistance => "pg_trgm similarity operators",
        _ => "pgvector distance operators (use sea_cratedb::expr::knn_match)",
    }
}

/// A writer that keeps only the last bytes written: enough to read a clause's tail without
/// allocating the whole rendering.
#[derive(Default)]
struct TailWriter {
    tail: [u8; 16],
    len: usize,
}

impl TailWriter {
    fn ends_with(&self, suffix: &str) -> bool {
        self.tail[..self.len].ends_with(suffix.as_bytes())
    }
}

impl std::fmt::Write for TailWriter {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let bytes = s.as_bytes();
        let cap = self.tail.len();
        if bytes.len() >= cap {
            self.tail.copy_from_slice(&bytes[bytes.len() - cap..]);
            self.len = cap;
        } else {
            let keep = (cap - bytes.len()).min(self.len);
            self.tail.copy_within(self.len - keep..self.len, 0);
            self.tail[keep..keep + bytes.len()].copy_from_slice(bytes);
            self.len = keep + bytes.len();
        }
        Ok(())
    }
}

impl std::fmt::Display for TailWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.tail[..self.len]))
    }
}

impl SqlWriter for TailWriter {
    fn push_param<T: QueryBuilder>(&mut self, _: Value, _: &T) {
        // A placeholder, as far as the tail is concerned.
        let _ = std::fmt::Write::write_str(self, "$");
    }

    fn as_writer(&mut self) -> &mut dyn std::fmt::Write {
        self as _
    }
}
