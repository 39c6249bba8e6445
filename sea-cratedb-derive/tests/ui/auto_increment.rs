use sea_cratedb::CrateModel;

#[derive(CrateModel)]
struct A {
    #[cratedb(primary_key, auto_increment)]
    id: i64,
}

#[derive(CrateModel)]
struct B {
    #[cratedb(primary_key, autoincrement)]
    id: i64,
}

#[derive(CrateModel)]
struct C {
    #[cratedb(primary_key, serial)]
    id: i64,
}

fn main() {}
