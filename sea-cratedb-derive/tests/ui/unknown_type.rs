use sea_cratedb::CrateModel;

struct Point(f64, f64);

#[derive(CrateModel)]
struct Place {
    location: Point,
    raw: Vec<u8>,
    nested: Option<Option<i32>>,
}

fn main() {}
