use sea_cratedb::CrateModel;

#[derive(CrateModel)]
struct Doc {
    #[cratedb(primary_key)]
    id: String,
    #[cratedb(index)]
    title: String,
}

fn main() {}
