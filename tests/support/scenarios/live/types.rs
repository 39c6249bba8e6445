//! Live group `types`: every CrateDB type written through a bind and read back through a
//! decode, over HTTP and over pgwire alike, with NULLs, the limits of each type and its edge
//! cases.
//!
//! Each scenario makes a table `(id INT PRIMARY KEY, <columns>)`, writes each value into a row
//! of its own and reads it back by primary key (a real-time get: no `REFRESH TABLE` needed). What the server
//! changes on the way (CHARACTER(n) padding, NUMERIC rounding to its scale, millisecond
//! timestamps) is asserted as the server returns it. Where CrateDB cannot store a type (DATE,
//! TIME WITH TIME ZONE and INTERVAL columns) or rejects a value (a VARCHAR(n) overflow, a
//! strict object's unknown key), the scenario asserts the server's error and says so.

// Scenario code is test code: it asserts, unwraps and compares round-tripped floats exactly.
#![allow(clippy::unwrap_used, clippy::float_cmp, clippy::missing_panics_doc)]

mod scalars;
mod structured;
mod time;
mod zones;

use std::fmt::Debug;

use sqlx::{AssertSqlSafe, Decode, Encode, Row as _, Type};
use sqlx_cratedb::{CrateDb, CrateDbPool};

use super::scenario;
use crate::scenarios::{Scenario, Target, exec, unique};

use scalars::{
    booleans_round_trip, character_n_pads_with_spaces_and_rejects_longer_values,
    floats_keep_nan_infinities_subnormals_and_limits, integers_of_every_width_at_their_limits,
    numeric_rounds_to_its_scale_and_rejects_too_many_digits, text_of_every_shape_round_trips,
    varchar_n_keeps_short_values_and_rejects_longer_ones,
};
use structured::{
    arrays_of_every_scalar_with_null_elements_and_empty, arrays_of_objects_and_nested_arrays,
    bit_n_round_trips_and_rejects_other_lengths, float_vector_round_trips_and_checks_dimensions,
    geo_points_at_the_limits_and_geo_shapes_as_wkt_and_geojson, ip_v4_and_v6_round_trip,
    objects_strict_dynamic_ignored_nested_and_quoted_keys,
};
use time::{
    dates_timetz_and_intervals_are_cast_only_and_round_trip_as_parameters,
    timestamps_before_1970_far_future_and_sub_millisecond,
};
use zones::zones_are_instants_and_time_with_time_zone_keeps_its_offset;

/// The scenarios of this group.
pub(super) const SCENARIOS: &[Scenario] = &[
    scenario!(integers_of_every_width_at_their_limits),
    scenario!(floats_keep_nan_infinities_subnormals_and_limits),
    scenario!(numeric_rounds_to_its_scale_and_rejects_too_many_digits),
    scenario!(text_of_every_shape_round_trips),
    scenario!(varchar_n_keeps_short_values_and_rejects_longer_ones),
    scenario!(character_n_pads_with_spaces_and_rejects_longer_values),
    scenario!(booleans_round_trip),
    scenario!(timestamps_before_1970_far_future_and_sub_millisecond),
    scenario!(dates_timetz_and_intervals_are_cast_only_and_round_trip_as_parameters),
    scenario!(zones_are_instants_and_time_with_time_zone_keeps_its_offset),
    scenario!(ip_v4_and_v6_round_trip),
    scenario!(bit_n_round_trips_and_rejects_other_lengths),
    scenario!(geo_points_at_the_limits_and_geo_shapes_as_wkt_and_geojson),
    scenario!(float_vector_round_trips_and_checks_dimensions),
    scenario!(objects_strict_dynamic_ignored_nested_and_quoted_keys),
    scenario!(arrays_of_every_scalar_with_null_elements_and_empty),
    scenario!(arrays_of_objects_and_nested_arrays),
];

/// A throwaway table `(id INT PRIMARY KEY, <columns>)`: one row per written value.
struct Table {
    pool: CrateDbPool,
    name: String,
    label: &'static str,
}

impl Table {
    /// Creates the table on `target`.
    async fn new(target: &Target, prefix: &str, columns: &str) -> Self {
        let pool = target.pool().await;
        let name = unique(prefix);
        exec(
            &pool,
            &format!("CREATE TABLE {name} (id INT PRIMARY KEY, {columns})"),
        )
        .await;
        Self {
            pool,
            name,
            label: target.label(),
        }
    }

    /// Writes `value` into `column` of row `id` (made if it does not exist).
    async fn try_put<'q, T>(&self, column: &str, id: i32, value: T) -> Result<(), sqlx::Error>
    where
        T: Encode<'q, CrateDb> + Type<CrateDb> + Send + 'q,
    {
        let sql = format!(
            "INSERT INTO {} (id, {column}) VALUES ($1, $2) \
             ON CONFLICT (id) DO UPDATE SET {column} = excluded.{column}",
            self.name
        );
        let done = sqlx::query(AssertSqlSafe(sql))
            .bind(id)
            .bind(value)
            .execute(&self.pool)
            .await?;
        assert_eq!(done.rows_affected(), 1, "{}: {column} row {id}", self.label);
        Ok(())
    }

    /// [`Table::try_put`], which must succeed.
    async fn put<'q, T>(&self, column: &str, id: i32, value: T)
    where
        T: Encode<'q, CrateDb> + Type<CrateDb> + Send + 'q,
    {
        self.try_put(column, id, value)
            .await
            .unwrap_or_else(|e| panic!("{}: writing {column} row {id}: {e}", self.label));
    }

    /// The server's message for a write of `value` that must fail.
    async fn put_error<'q, T>(&self, column: &str, id: i32, value: T) -> String
    where
        T: Encode<'q, CrateDb> + Type<CrateDb> + Send + 'q,
    {
        match self.try_put(column, id, value).await {
            Ok(()) => panic!("{}: writing {column} row {id} succeeded", self.label),
            Err(e) => message(&e),
        }
    }

    /// Reads `column` of row `id`, decoded as `T`.
    async fn get<T>(&self, column: &str, id: i32) -> T
    where
        T: for<'r> Decode<'r, CrateDb> + Type<CrateDb>,
    {
        let sql = format!("SELECT {column} FROM {} WHERE id = $1", self.name);
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id)
            .fetch_one(&self.pool)
            .await
            .unwrap_or_else(|e| panic!("{}: reading {column} row {id}: {e}", self.label));
        row.try_get::<T, _>(0)
            .unwrap_or_else(|e| panic!("{}: decoding {column} row {id}: {e}", self.label))
    }

    /// Writes `value` and reads it back: it must come back equal.
    async fn round_trip<T>(&self, column: &str, id: i32, value: T)
    where
        T: for<'q> Encode<'q, CrateDb>
            + for<'r> Decode<'r, CrateDb>
            + Type<CrateDb>
            + Clone
            + Debug
            + PartialEq
            + Send,
    {
        self.put(column, id, value.clone()).await;
        let back: T = self.get(column, id).await;
        assert_eq!(back, value, "{}: {column} row {id}", self.label);
    }

    /// Writes a typed NULL and reads it back as `None`.
    async fn null_round_trips<T>(&self, column: &str, id: i32)
    where
        T: for<'q> Encode<'q, CrateDb> + for<'r> Decode<'r, CrateDb> + Type<CrateDb> + Debug + Send,
    {
        self.put(column, id, None::<T>).await;
        let back: Option<T> = self.get(column, id).await;
        assert!(
            back.is_none(),
            "{}: {column} row {id}: {back:?}",
            self.label
        );
    }

    /// Drops the table.
    async fn drop(self) {
        exec(&self.pool, &format!("DROP TABLE {}", self.name)).await;
    }
}

/// The server's message of a database error (the whole error otherwise).
fn message(e: &sqlx::Error) -> String {
    e.as_database_error()
        .map_or_else(|| e.to_string(), |d| d.message().to_owned())
}

/// Asserts that `message` contains `expected`.
fn assert_mentions(message: &str, expected: &str) {
    assert!(
        message.contains(expected),
        "expected an error mentioning {expected:?}, got {message:?}"
    );
}

/// One value through a parameterised SELECT (for types CrateDB has in casts only).
async fn select<'q, T, R>(target: &Target, sql: &'static str, value: T) -> R
where
    T: Encode<'q, CrateDb> + Type<CrateDb> + Send + 'q,
    R: for<'r> Decode<'r, CrateDb> + Type<CrateDb>,
{
    let pool = target.pool().await;
    let row = sqlx::query(sql)
        .bind(value)
        .fetch_one(&pool)
        .await
        .unwrap_or_else(|e| panic!("{}: {sql}: {e}", target.label()));
    row.try_get::<R, _>(0)
        .unwrap_or_else(|e| panic!("{}: {sql}: decoding: {e}", target.label()))
}
