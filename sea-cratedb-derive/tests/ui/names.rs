use sea_cratedb::CrateModel;

#[derive(CrateModel)]
#[cratedb(table = "docs\u{1}x\u{3}0] FROM secrets --")]
struct ControlInTable {
    id: String,
}

#[derive(CrateModel)]
#[cratedb(table = "docs", schema = "")]
struct EmptySchema {
    id: String,
}

#[derive(CrateModel)]
#[cratedb(table = "docs")]
struct ControlInColumn {
    #[cratedb(rename = "a\u{202e}b")]
    id: String,
}

fn main() {}
