use sea_cratedb::{AlterTable, expr::path, sea_query::ColumnDef};
#[test]
fn probe() {
    println!(
        "{:?}",
        AlterTable::new("t")
            .add_column(ColumnDef::new(path("o", ["k"])).text())
            .try_to_string()
    );
    println!(
        "{:?}",
        AlterTable::new("t")
            .drop_column(path("o", ["k"]))
            .try_to_string()
    );
}
