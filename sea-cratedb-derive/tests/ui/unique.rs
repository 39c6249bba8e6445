use sea_cratedb::CrateModel;

#[derive(CrateModel)]
struct Account {
    #[cratedb(primary_key)]
    id: String,
    #[cratedb(unique)]
    email: String,
}

#[derive(CrateModel)]
#[cratedb(unique("email", "tenant"))]
struct Tenant {
    #[cratedb(primary_key)]
    id: String,
    email: String,
}

fn main() {}
