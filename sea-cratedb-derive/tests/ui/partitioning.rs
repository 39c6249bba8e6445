use sea_cratedb::CrateModel;

#[derive(CrateModel)]
#[cratedb(partitioned_by("day"))]
struct PartitionNotInKey {
    #[cratedb(primary_key)]
    id: String,
    day: i64,
}

#[derive(CrateModel)]
#[cratedb(clustered_by = "tenant")]
struct ClusteredNotInKey {
    #[cratedb(primary_key)]
    id: String,
    tenant: String,
}

#[derive(CrateModel)]
#[cratedb(partitioned_by("meta", "nope"))]
struct PartitionByObject {
    #[cratedb(object)]
    meta: serde_json::Value,
}

#[derive(CrateModel)]
#[cratedb(partitioned_by("id"), clustered_by = "id")]
struct PartitionIsRouting {
    #[cratedb(primary_key, index_off)]
    id: String,
}

fn main() {}
