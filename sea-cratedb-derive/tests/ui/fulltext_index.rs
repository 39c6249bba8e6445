use sea_cratedb::CrateModel;

#[derive(CrateModel)]
#[cratedb(fulltext_index(name = "ft", columns("missing", "title.key", "meta..k")))]
struct Doc {
    title: String,
    #[cratedb(object)]
    meta: serde_json::Value,
}

#[derive(CrateModel)]
#[cratedb(fulltext_index(columns("title")))]
struct Unnamed {
    title: String,
}

fn main() {}
