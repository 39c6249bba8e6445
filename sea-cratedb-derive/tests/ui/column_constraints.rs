use sea_cratedb::CrateModel;

#[derive(CrateModel)]
struct Doc {
    #[cratedb(default = "1", generated = "2")]
    both: i32,
    #[cratedb(object, default = "{}")]
    meta: serde_json::Value,
    #[cratedb(fulltext(analyzer = "english"))]
    count: i64,
    #[cratedb(fulltext, index_off)]
    body: String,
    #[cratedb(columnstore_off)]
    flag: bool,
    #[cratedb(object, column_type = "OBJECT")]
    other: serde_json::Value,
}

fn main() {}
