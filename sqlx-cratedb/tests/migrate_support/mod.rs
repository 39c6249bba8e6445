//! A stateful `/_sql` peer that models just what the migrator touches: the lock table (with
//! primary-key uniqueness: a second insert fails with CrateDB's `DuplicateKeyException`, code
//! 4091, HTTP 409), the history table (also keyed by `version`), and the user statements, which
//! it logs. A user statement containing `FAIL` fails with a parse error (code 4000).
//!
//! It is not a SQL engine: it matches the exact statement shapes the migrator sends, so a change
//! to those shapes shows up here as an "unexpected statement" failure.

#![allow(dead_code, unreachable_pub, clippy::missing_panics_doc)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::{Peer, Recorded, Reply, error_reply, peer, result_set, row_count};

/// A row of `_sqlx_migrations`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    pub description: String,
    pub success: bool,
    pub checksum: String,
}

/// The row of `_sqlx_migrations_lock`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockRow {
    pub holder: String,
    pub acquired_at: i64,
}

/// The peer's tables.
#[derive(Debug, Default)]
pub struct Db {
    pub lock: Option<LockRow>,
    pub history: BTreeMap<i64, History>,
    /// User statements, in the order they ran.
    pub executed: Vec<String>,
    /// Lock inserts refused because the key existed.
    pub lock_conflicts: usize,
    /// Lease renewals that found the row still theirs.
    pub renewals: usize,
    /// Lease renewals that found the row gone or someone else's.
    pub lost_renewals: usize,
    /// Holder ids that inserted the lock row, in order.
    pub holders: Vec<String>,
    /// Statements the peer did not recognise as the migrator's (and that are not user SQL).
    pub unexpected: Vec<String>,
}

pub type Shared = Arc<Mutex<Db>>;

const TEXT: i64 = 4;
const BIGINT: i64 = 10;

fn duplicate_key() -> Reply {
    error_reply(
        4091,
        "DuplicateKeyException[A document with the same primary key exists already]",
    )
}

// One flat table of statement shapes reads better than helpers split across the file.
#[allow(clippy::too_many_lines)]
fn answer(db: &Shared, rec: &Recorded, user_delay: Duration) -> Reply {
    let s = rec.stmt();
    let args = rec.args().as_array().cloned().unwrap_or_default();
    let int = |i: usize| args.get(i).and_then(Value::as_i64).unwrap_or(i64::MIN);
    let text = |i: usize| {
        args.get(i)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let mut db = db.lock().unwrap();
    if s.starts_with("CREATE TABLE IF NOT EXISTS _sqlx_migrations")
        || s.starts_with("REFRESH TABLE _sqlx_migrations")
    {
        return Reply::Json(200, row_count(1));
    }
    if s == "INSERT INTO _sqlx_migrations_lock (id, holder, acquired_at) VALUES ($1, $2, $3)" {
        assert_eq!(int(0), 1, "the lock's fixed key");
        if db.lock.is_some() {
            db.lock_conflicts += 1;
            return duplicate_key();
        }
        db.lock = Some(LockRow {
            holder: text(1),
            acquired_at: int(2),
        });
        db.holders.push(text(1));
        return Reply::Json(200, row_count(1));
    }
    if s == "UPDATE _sqlx_migrations_lock SET acquired_at = $1 WHERE id = $2 AND holder = $3" {
        assert_eq!(int(1), 1, "the lock's fixed key");
        let hit = match db.lock.as_mut() {
            Some(l) if l.holder == text(2) => {
                l.acquired_at = int(0);
                true
            }
            _ => false,
        };
        if hit {
            db.renewals += 1;
        } else {
            db.lost_renewals += 1;
        }
        return Reply::Json(200, row_count(i64::from(hit)));
    }
    if s == "SELECT holder, acquired_at FROM _sqlx_migrations_lock WHERE id = $1" {
        let rows = db
            .lock
            .as_ref()
            .map_or(json!([]), |l| json!([[l.holder, l.acquired_at]]));
        return Reply::Json(
            200,
            result_set(&["holder", "acquired_at"], json!([TEXT, BIGINT]), rows),
        );
    }
    if s == "DELETE FROM _sqlx_migrations_lock WHERE id = $1 AND holder = $2 AND acquired_at = $3" {
        let hit = db
            .lock
            .as_ref()
            .is_some_and(|l| l.holder == text(1) && l.acquired_at == int(2));
        if hit {
            db.lock = None;
        }
        return Reply::Json(200, row_count(i64::from(hit)));
    }
    if s == "DELETE FROM _sqlx_migrations_lock WHERE id = $1 AND holder = $2" {
        let hit = db.lock.as_ref().is_some_and(|l| l.holder == text(1));
        if hit {
            db.lock = None;
        }
        return Reply::Json(200, row_count(i64::from(hit)));
    }
    if s.starts_with("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES ($1, $2, false, $3, -1)") {
        if db.history.contains_key(&int(0)) {
            return duplicate_key();
        }
        db.history.insert(
            int(0),
            History {
                description: text(1),
                success: false,
                checksum: text(2),
            },
        );
        return Reply::Json(200, row_count(1));
    }
    if s.starts_with("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES ($1, $2, true, $3, -1)") {
        if db.history.contains_key(&int(0)) {
            return duplicate_key();
        }
        db.history.insert(
            int(0),
            History {
                description: text(1),
                success: true,
                checksum: text(2),
            },
        );
        return Reply::Json(200, row_count(1));
    }
    if s.starts_with("SELECT version FROM _sqlx_migrations WHERE success = false") {
        let first = db.history.iter().find(|(_, h)| !h.success).map(|(v, _)| *v);
        let rows = first.map_or(json!([]), |v| json!([[v]]));
        return Reply::Json(200, result_set(&["version"], json!([BIGINT]), rows));
    }
    if s.starts_with("SELECT success, checksum FROM _sqlx_migrations WHERE version = $1") {
        let rows = db
            .history
            .get(&int(0))
            .map_or(json!([]), |h| json!([[h.success, h.checksum]]));
        return Reply::Json(
            200,
            result_set(&["success", "checksum"], json!([3, TEXT]), rows),
        );
    }
    if s.starts_with("SELECT version, checksum FROM _sqlx_migrations") {
        let rows: Vec<Value> = db
            .history
            .iter()
            .map(|(v, h)| json!([v, h.checksum]))
            .collect();
        return Reply::Json(
            200,
            result_set(&["version", "checksum"], json!([BIGINT, TEXT]), json!(rows)),
        );
    }
    if s.starts_with(
        "UPDATE _sqlx_migrations SET success = true, execution_time = $1 WHERE version = $2",
    ) {
        let v = int(1);
        let hit = db.history.get_mut(&v).map(|h| h.success = true).is_some();
        return Reply::Json(200, row_count(i64::from(hit)));
    }
    if s.starts_with("UPDATE _sqlx_migrations SET success = false WHERE version = $1") {
        let v = int(0);
        let hit = db.history.get_mut(&v).map(|h| h.success = false).is_some();
        return Reply::Json(200, row_count(i64::from(hit)));
    }
    if s.starts_with("DELETE FROM _sqlx_migrations WHERE version = $1") {
        let hit = db.history.remove(&int(0)).is_some();
        return Reply::Json(200, row_count(i64::from(hit)));
    }
    if s.contains("_sqlx_migrations") {
        db.unexpected.push(s.to_owned());
        return error_reply(
            4000,
            &format!("SQLParseException[unexpected statement: {s}]"),
        );
    }
    if s.contains("FAIL") {
        return error_reply(4000, "SQLParseException[line 1:8: mismatched input 'FAIL']");
    }
    db.executed.push(s.to_owned());
    Reply::Slow(user_delay, Box::new(Reply::Json(200, row_count(1))))
}

/// A peer over `db`; user statements answer after `user_delay` (to make migrators overlap).
pub async fn migrate_peer(db: Shared, user_delay: Duration) -> Peer {
    peer(move |rec| answer(&db, rec, user_delay)).await
}

/// A temporary migrations folder with `files` (name, SQL).
pub struct Dir(pub std::path::PathBuf);

impl Dir {
    pub fn new(tag: &str, files: &[(&str, &str)]) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "sqlx-cratedb-{tag}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        for (name, sql) in files {
            std::fs::write(dir.join(name), sql).unwrap();
        }
        Self(dir)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
