//! The statement cache of a pgwire connection: prepared statements by SQL text and parameter
//! OIDs, with their result columns and how each column's text becomes a cell.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use postgres_protocol::Oid;

use crate::model::column::CrateDbColumn;
use crate::protocol::pgwire::text::{self, Conv};
use crate::protocol::type_info::CrateDbTypeInfo;

/// A prepared statement: its server-side name and result columns.
#[derive(Debug)]
pub(crate) struct CachedStatement {
    pub(crate) name: String,
    /// The parameter types the server described (its inference for parameters declared 0).
    pub(crate) param_types: Arc<[Oid]>,
    pub(crate) columns: Arc<[CrateDbColumn]>,
    pub(crate) convs: Arc<[Conv]>,
    /// Every column's text is used as it is (no per-row rewriting).
    pub(crate) in_place: bool,
    /// The result format code per column when results are asked for in binary where that
    /// decodes faster (`text::binary_conv_for`); empty when no column gains from it.
    pub(crate) binary_formats: Arc<[i16]>,
    /// The conversions that go with `binary_formats`.
    pub(crate) binary_convs: Arc<[Conv]>,
}

impl CachedStatement {
    pub(crate) fn new(name: String, param_types: Vec<Oid>, fields: Vec<(String, Oid)>) -> Self {
        let columns: Arc<[CrateDbColumn]> = fields
            .into_iter()
            .enumerate()
            .map(|(i, (n, oid))| CrateDbColumn::new(i, n, CrateDbTypeInfo::from_pg_oid(oid)))
            .collect();
        let convs: Arc<[Conv]> = columns
            .iter()
            .map(|c| text::conv_for(&c.type_info))
            .collect();
        let in_place = convs.iter().all(|c| text::in_place(*c));
        let binary: Vec<Option<Conv>> = columns
            .iter()
            .map(|c| text::binary_conv_for(&c.type_info))
            .collect();
        let (binary_formats, binary_convs) = if binary.iter().any(Option::is_some) {
            (
                binary.iter().map(|b| i16::from(b.is_some())).collect(),
                binary
                    .iter()
                    .zip(convs.iter())
                    .map(|(b, text)| b.unwrap_or(*text))
                    .collect(),
            )
        } else {
            (Arc::from([]), Arc::from([]))
        };
        Self {
            name,
            param_types: param_types.into(),
            columns,
            convs,
            in_place,
            binary_formats,
            binary_convs,
        }
    }
}

/// A cached statement and the parameter OIDs it was prepared with.
type Entry = (Vec<Oid>, Arc<CachedStatement>);

/// Prepared statements by SQL text and parameter OIDs, evicted oldest first.
#[derive(Debug, Default)]
pub(crate) struct StatementCache {
    map: HashMap<String, Vec<Entry>>,
    order: VecDeque<(String, Vec<Oid>)>,
}

impl StatementCache {
    pub(crate) fn get(&self, sql: &str, oids: &[Oid]) -> Option<Arc<CachedStatement>> {
        self.map
            .get(sql)?
            .iter()
            .find(|(o, _)| o == oids)
            .map(|(_, s)| Arc::clone(s))
    }

    /// Forgets a statement; returns its name.
    pub(crate) fn remove(&mut self, sql: &str, oids: &[Oid]) -> Option<String> {
        let list = self.map.get_mut(sql)?;
        let i = list.iter().position(|(o, _)| o == oids)?;
        let (_, statement) = list.swap_remove(i);
        if list.is_empty() {
            self.map.remove(sql);
        }
        self.order.retain(|(s, o)| !(s == sql && o == oids));
        Some(statement.name.clone())
    }

    /// Inserts; returns the names of statements evicted to stay within `capacity`.
    pub(crate) fn insert(
        &mut self,
        sql: String,
        oids: Vec<Oid>,
        statement: Arc<CachedStatement>,
        capacity: usize,
    ) -> Vec<String> {
        let mut evicted = Vec::new();
        while self.order.len() >= capacity.max(1) {
            let Some((old_sql, old_oids)) = self.order.pop_front() else {
                break;
            };
            if let Some(list) = self.map.get_mut(&old_sql) {
                if let Some(i) = list.iter().position(|(o, _)| *o == old_oids) {
                    evicted.push(list.swap_remove(i).1.name.clone());
                }
                if list.is_empty() {
                    self.map.remove(&old_sql);
                }
            }
        }
        self.order.push_back((sql.clone(), oids.clone()));
        self.map.entry(sql).or_default().push((oids, statement));
        evicted
    }
}
