use sea_cratedb::CrateModel;

#[derive(CrateModel)]
struct Comment {
    #[cratedb(primary_key)]
    id: String,
    #[cratedb(foreign_key = "posts.id")]
    post_id: String,
    #[cratedb(references = "users")]
    author_id: String,
}

fn main() {}
