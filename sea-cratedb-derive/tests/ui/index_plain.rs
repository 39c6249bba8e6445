use sea_cratedb::CrateModel;

#[derive(CrateModel)]
struct Doc {
    #[cratedb(index = "plain", fulltext)]
    title: String,
    #[cratedb(index = "plain", index_off)]
    raw: String,
    #[cratedb(index = "fulltext")]
    body: String,
}

fn main() {}
