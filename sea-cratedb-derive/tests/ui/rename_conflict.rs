use sea_cratedb::CrateModel;

#[derive(CrateModel, sqlx::FromRow)]
struct User {
    #[cratedb(primary_key, rename = "user_id")]
    #[sqlx(rename = "uid")]
    id: String,
}

fn main() {}
