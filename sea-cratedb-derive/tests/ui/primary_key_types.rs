use sea_cratedb::CrateModel;

#[derive(CrateModel)]
struct ObjectKey {
    #[cratedb(primary_key, object)]
    meta: serde_json::Value,
}

#[derive(CrateModel)]
struct ArrayKey {
    #[cratedb(primary_key)]
    tags: Vec<String>,
}

#[derive(CrateModel)]
struct GeoKey {
    #[cratedb(primary_key, column_type = "GEO_POINT")]
    location: Vec<f64>,
}

#[derive(CrateModel)]
struct NullableKey {
    #[cratedb(primary_key)]
    id: Option<String>,
}

fn main() {}
