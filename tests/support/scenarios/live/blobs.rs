//! Live group `blobs`: BLOB tables through `/_blobs` (sqlx-cratedb's `blob` module) on a real
//! CrateDB, listed through SQL (`blob.<table>`) over the target's transport.

use sqlx_cratedb::blob::{self, BlobDigest, CrateDbBlobError, CrateDbBlobs};

use super::scenario;
use crate::scenarios::{Scenario, Target, exec, unique};

/// The scenarios of this group.
pub(super) const SCENARIOS: &[Scenario] = &[
    scenario!(blobs_are_stored_read_listed_and_deleted),
    scenario!(blob_errors_are_typed),
];

fn client(target: &Target) -> CrateDbBlobs {
    let http = target.http_options().expect(
        "the blob scenarios need the CrateDB's HTTP endpoint (CRATEDB_URL or CRATEDB_HOME)",
    );
    CrateDbBlobs::new(http).unwrap()
}

/// Upload from memory and from a reader (spooled), the same content again, a streamed
/// download, `HEAD`, the listing through SQL, and deletes.
pub(super) async fn blobs_are_stored_read_listed_and_deleted(target: &Target) {
    let pool = target.pool().await;
    let blobs = client(target);
    let t = unique("blobs");
    exec(
        &pool,
        &format!("CREATE BLOB TABLE {t} CLUSTERED INTO 2 SHARDS WITH (number_of_replicas = 0)"),
    )
    .await;

    let small = b"a small blob".to_vec();
    let put = blobs.put(&t, small.clone()).await.unwrap();
    assert!(put.created, "first upload creates");
    assert_eq!(put.digest, BlobDigest::of(&small));
    let again = blobs.put(&t, small.clone()).await.unwrap();
    assert!(
        !again.created,
        "the same content again is reported as existing"
    );

    let large: Vec<u8> = (0..5_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let big = blobs.put_reader(&t, &large[..]).await.unwrap();
    assert_eq!(big.digest, BlobDigest::of(&large));

    let reader = blobs.get(&t, &big.digest).await.unwrap().expect("stored");
    assert_eq!(reader.len(), Some(5_000_000));
    let mut copy = Vec::new();
    assert_eq!(reader.copy_to(&mut copy).await.unwrap(), 5_000_000);
    assert!(copy == large, "the download equals the upload");
    let content = blobs
        .get(&t, &put.digest)
        .await
        .unwrap()
        .unwrap()
        .bytes(1024)
        .await
        .unwrap();
    assert_eq!(&content[..], &small[..]);

    assert!(blobs.exists(&t, &put.digest).await.unwrap());
    let mut expected = vec![put.digest, big.digest];
    expected.sort();
    assert_eq!(blob::digests(&pool, &t).await.unwrap(), expected);

    assert!(blobs.delete(&t, &put.digest).await.unwrap());
    assert!(
        !blobs.delete(&t, &put.digest).await.unwrap(),
        "already gone"
    );
    assert!(!blobs.exists(&t, &put.digest).await.unwrap());
    assert!(blobs.get(&t, &put.digest).await.unwrap().is_none());
    assert_eq!(blob::digests(&pool, &t).await.unwrap(), vec![big.digest]);
    exec(&pool, &format!("DROP BLOB TABLE {t}")).await;
}

/// A wrong digest is refused by the server, a missing table is an error for every request
/// (`HEAD` included), a missing blob is not.
pub(super) async fn blob_errors_are_typed(target: &Target) {
    let pool = target.pool().await;
    let blobs = client(target);
    let t = unique("blob_errors");
    exec(
        &pool,
        &format!("CREATE BLOB TABLE {t} WITH (number_of_replicas = 0)"),
    )
    .await;

    let wrong = BlobDigest::of(b"other content");
    let chunks = futures_util::stream::iter([Ok(bytes::Bytes::from_static(b"content"))]);
    let err = blobs
        .put_with_digest(&t, wrong, Some(7), chunks)
        .await
        .unwrap_err();
    assert!(
        matches!(err, CrateDbBlobError::DigestMismatch(d) if d == wrong),
        "{err}"
    );
    assert!(!blobs.exists(&t, &wrong).await.unwrap());
    assert!(blobs.get(&t, &wrong).await.unwrap().is_none());

    let missing = unique("no_such_blobs");
    let errors = [
        blobs
            .put(&missing, b"x".to_vec())
            .await
            .map(|_| ())
            .unwrap_err(),
        blobs.get(&missing, &wrong).await.map(|_| ()).unwrap_err(),
        blobs
            .exists(&missing, &wrong)
            .await
            .map(|_| ())
            .unwrap_err(),
        blobs
            .delete(&missing, &wrong)
            .await
            .map(|_| ())
            .unwrap_err(),
    ];
    for err in errors {
        assert!(
            matches!(err, CrateDbBlobError::TableNotFound { .. }),
            "{err}"
        );
    }
    assert!(
        blob::digests(&pool, &missing).await.is_err(),
        "listing a missing table"
    );
    exec(&pool, &format!("DROP BLOB TABLE {t}")).await;
}
