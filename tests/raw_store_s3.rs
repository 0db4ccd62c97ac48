//! The raw store on a real S3 server (SeaweedFS from scripts/setup): a payload is kept once
//! under its content address and reads back, and a store that is down fails naming the bucket
//! and the key.

use bytes::Bytes;
use nbaprops::services::SeaweedS3;
use nbaprops_activities::storage::RawStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payload_is_kept_once_in_the_bucket_and_a_store_that_is_down_is_named() {
    let mut s3 = SeaweedS3::start().await.unwrap();
    let url = s3.raw_store_url("raw");
    let store = RawStore::open(&url, &s3.client_options()).unwrap();
    assert_eq!(store.location(), "s3://nbaprops/raw");

    let body = Bytes::from_static(br#"{"games":[1,2,3]}"#);
    let first = store
        .put("nbac_schedule", "2025-01-13", "all", body.clone())
        .await
        .unwrap();
    assert!(first.newly_written);
    // The second put of the same bytes is refused by the server (If-None-Match: *) and
    // reported as already there.
    let again = store
        .put("nbac_schedule", "2025-01-13", "all", body.clone())
        .await
        .unwrap();
    assert!(!again.newly_written);
    assert_eq!(again.key, first.key);
    assert_eq!(store.get(&first.key).await.unwrap(), body);

    // A second store over the same URL (another worker) reads what the first wrote.
    let other = RawStore::open(&url, &s3.client_options()).unwrap();
    assert_eq!(other.get(&first.key).await.unwrap(), body);

    // A missing key is an error naming the bucket, the prefix and the key.
    let missing = "nbac_schedule/2025-01-14/all/0000.json";
    let err = store.get(missing).await.unwrap_err().to_string();
    assert!(
        err.contains(&format!("s3://nbaprops/raw/{missing}")),
        "{err}"
    );

    // The server down: the put fails (after object_store's own retries) naming where.
    s3.stop().await.unwrap();
    let err = store
        .put(
            "nbac_schedule",
            "2025-01-15",
            "all",
            Bytes::from_static(b"{}"),
        )
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("s3://nbaprops/raw/nbac_schedule/2025-01-15/all/"),
        "{message}"
    );
    assert!(err.error_type().retryable(), "{message}");
}

#[test]
fn a_raw_store_url_of_another_kind_is_refused() {
    let err = RawStore::open("gopher://x", &[]).unwrap_err().to_string();
    assert!(err.contains("file://PATH or s3://BUCKET"), "{err}");
    let err = RawStore::open("s3://", &[]).unwrap_err().to_string();
    assert!(err.contains("no bucket"), "{err}");
}
