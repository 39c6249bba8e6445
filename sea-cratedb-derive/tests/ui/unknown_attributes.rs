use sea_cratedb::{CrateModel, CrateObject};

#[derive(CrateModel)]
#[cratedb(tablename = "x")]
struct A {
    #[cratedb(nullable)]
    id: String,
}

#[derive(CrateModel)]
#[cratedb(replicas = "two", column_policy = "ignored")]
struct B {
    #[cratedb(object(policy = "loose"))]
    meta: serde_json::Value,
    #[cratedb(fulltext(language = "english"))]
    body: String,
}

#[derive(CrateObject)]
#[cratedb(table = "x")]
struct C {
    #[cratedb(primary_key)]
    id: String,
    #[cratedb(generated = "1")]
    n: i32,
}

fn main() {}
