use sea_cratedb::{CrateModel, CrateObject};

#[derive(CrateModel)]
struct Tuple(String);

#[derive(CrateModel)]
enum NotAStruct {
    A,
}

#[derive(CrateModel)]
struct Generic<T> {
    value: T,
}

#[derive(CrateModel)]
struct AllSkipped {
    #[cratedb(skip)]
    value: String,
}

#[derive(CrateModel)]
struct Names {
    #[cratedb(rename = "a")]
    first: String,
    #[cratedb(rename = "a")]
    second: String,
    #[cratedb(rename = "_id")]
    system: String,
}

#[derive(CrateObject)]
struct TupleObject(i32);

fn main() {}
