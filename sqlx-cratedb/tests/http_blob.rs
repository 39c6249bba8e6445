//! BLOB tables against in-process `/_blobs` peers that behave as CrateDB's blob handler does:
//! 201 / 409 on upload, the server checking the digest (400 on a mismatch), 404 with an empty
//! body for a missing blob and with a message for a missing table, 204 on delete, 307 to the
//! node holding a blob, 503 from a node that cannot serve.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures_util::StreamExt as _;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use sha1::{Digest as _, Sha1};
use sqlx_cratedb::blob::{BlobDigest, CrateDbBlobError, CrateDbBlobs};
use tokio::net::TcpListener;
use tokio::task::JoinSet;

/// What a peer does besides storing blobs.
#[derive(Clone, Default)]
struct Behaviour {
    /// Answer every request with 503.
    unavailable: bool,
    /// Send GET and HEAD to this base URL with a 307.
    redirect_to: Option<String>,
}

/// One request as the peer saw it.
#[derive(Clone, Debug)]
struct Seen {
    method: Method,
    path: String,
    content_length: Option<String>,
    body_len: usize,
}

#[derive(Clone, Default)]
struct State {
    blobs: Arc<Mutex<HashMap<String, Vec<u8>>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
    behaviour: Arc<Mutex<Behaviour>>,
}

struct BlobPeer {
    addr: SocketAddr,
    state: State,
    _tasks: JoinSet<()>,
}

impl BlobPeer {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = State::default();
        let mut tasks = JoinSet::new();
        let shared = state.clone();
        tasks.spawn(async move {
            let mut conns = JoinSet::new();
            while let Ok((stream, _)) = listener.accept().await {
                let state = shared.clone();
                conns.spawn(async move {
                    let svc = service_fn(move |req| handle(req, state.clone()));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
        Self {
            addr,
            state,
            _tasks: tasks,
        }
    }

    fn host(&self) -> String {
        self.addr.to_string()
    }

    fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().unwrap().clone()
    }

    fn stored(&self, table: &str, digest: &BlobDigest) -> Option<Vec<u8>> {
        self.state
            .blobs
            .lock()
            .unwrap()
            .get(&format!("{table}/{digest}"))
            .cloned()
    }

    fn set(&self, behaviour: Behaviour) {
        *self.state.behaviour.lock().unwrap() = behaviour;
    }
}

fn reply(status: StatusCode, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response
}

async fn handle(req: Request<Incoming>, state: State) -> Result<Response<Full<Bytes>>, Infallible> {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let content_length = req
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .map(|v| v.to_str().unwrap().to_owned());
    let body = req.into_body().collect().await.unwrap().to_bytes();
    state.seen.lock().unwrap().push(Seen {
        method: method.clone(),
        path: path.clone(),
        content_length,
        body_len: body.len(),
    });
    let behaviour = state.behaviour.lock().unwrap().clone();
    if behaviour.unavailable {
        return Ok(reply(StatusCode::SERVICE_UNAVAILABLE, ""));
    }
    let Some(rest) = path.strip_prefix("/_blobs/") else {
        return Ok(reply(StatusCode::NOT_FOUND, ""));
    };
    let Some((table, digest)) = rest.split_once('/') else {
        return Ok(reply(StatusCode::NOT_FOUND, ""));
    };
    if table == "missing" {
        let message = format!("Relation 'blob.{table}' unknown");
        // A HEAD answer goes out with the message's length and without the body, as CrateDB's.
        let len = message.len();
        let mut response = reply(StatusCode::NOT_FOUND, message);
        response
            .headers_mut()
            .insert(http::header::CONTENT_LENGTH, len.into());
        return Ok(response);
    }
    if let Some(target) = &behaviour.redirect_to
        && matches!(method, Method::GET | Method::HEAD)
    {
        let mut response = reply(StatusCode::TEMPORARY_REDIRECT, "");
        let location = format!("{target}{path}");
        response
            .headers_mut()
            .insert(http::header::LOCATION, location.parse().unwrap());
        return Ok(response);
    }
    let key = format!("{table}/{digest}");
    let mut blobs = state.blobs.lock().unwrap();
    Ok(match method {
        Method::PUT => {
            let actual = BlobDigest::from_hex(digest)
                .is_ok_and(|d| d.as_bytes()[..] == Sha1::digest(&body)[..]);
            if !actual {
                reply(
                    StatusCode::BAD_REQUEST,
                    "Invalid request sent: digest mismatch",
                )
            } else if let std::collections::hash_map::Entry::Vacant(slot) = blobs.entry(key) {
                slot.insert(body.to_vec());
                reply(StatusCode::CREATED, "")
            } else {
                reply(StatusCode::CONFLICT, "")
            }
        }
        Method::GET => match blobs.get(&key) {
            Some(content) => reply(StatusCode::OK, content.clone()),
            None => reply(StatusCode::NOT_FOUND, ""),
        },
        Method::HEAD => match blobs.get(&key) {
            Some(_) => reply(StatusCode::OK, ""),
            None => reply(StatusCode::NOT_FOUND, ""),
        },
        Method::DELETE => match blobs.remove(&key) {
            Some(_) => reply(StatusCode::NO_CONTENT, ""),
            None => reply(StatusCode::NOT_FOUND, ""),
        },
        _ => reply(StatusCode::METHOD_NOT_ALLOWED, ""),
    })
}

fn client(peers: &[&BlobPeer], params: &str) -> CrateDbBlobs {
    let hosts: Vec<String> = peers.iter().map(|p| p.host()).collect();
    CrateDbBlobs::connect(&format!("crate://{}?{params}", hosts.join(","))).unwrap()
}

#[tokio::test]
async fn put_get_exists_delete_round_trip() {
    let peer = BlobPeer::start().await;
    let blobs = client(&[&peer], "");
    let content = b"hello blob".to_vec();

    let put = blobs.put("images", content.clone()).await.unwrap();
    assert!(put.created);
    assert_eq!(put.digest, BlobDigest::of(&content));
    assert_eq!(
        peer.stored("images", &put.digest).as_deref(),
        Some(&content[..])
    );
    let upload = &peer.seen()[0];
    assert_eq!(upload.method, Method::PUT);
    assert_eq!(upload.path, format!("/_blobs/images/{}", put.digest));
    assert_eq!(upload.content_length.as_deref(), Some("10"));

    // Content-addressed: the same content again is not an error.
    let again = blobs.put("images", content.clone()).await.unwrap();
    assert!(!again.created);
    assert_eq!(again.digest, put.digest);

    assert!(blobs.exists("images", &put.digest).await.unwrap());
    let reader = blobs.get("images", &put.digest).await.unwrap().unwrap();
    assert_eq!(reader.len(), Some(10));
    assert_eq!(&reader.bytes(1024).await.unwrap()[..], &content[..]);

    assert!(blobs.delete("images", &put.digest).await.unwrap());
    assert!(!blobs.delete("images", &put.digest).await.unwrap());
    assert!(!blobs.exists("images", &put.digest).await.unwrap());
    assert!(blobs.get("images", &put.digest).await.unwrap().is_none());
}

#[tokio::test]
async fn large_uploads_from_files_readers_and_streams_arrive_whole() {
    let peer = BlobPeer::start().await;
    let blobs = client(&[&peer], "");
    let content: Vec<u8> = (0..3_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let digest = BlobDigest::of(&content);

    let dir = std::env::temp_dir().join(format!("http-blob-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("content.bin");
    std::fs::write(&file, &content).unwrap();
    let put = blobs.put_file("files", &file).await.unwrap();
    assert_eq!(put.digest, digest);
    assert_eq!(peer.stored("files", &digest).unwrap(), content);
    std::fs::remove_dir_all(&dir).unwrap();

    let put = blobs.put_reader("readers", &content[..]).await.unwrap();
    assert_eq!((put.digest, put.created), (digest, true));
    assert_eq!(peer.stored("readers", &digest).unwrap(), content);

    let chunks: Vec<Result<Bytes, std::io::Error>> = content
        .chunks(100_000)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    let put = blobs
        .put_stream("streams", futures_util::stream::iter(chunks))
        .await
        .unwrap();
    assert_eq!(put.digest, digest);
    assert_eq!(peer.stored("streams", &digest).unwrap(), content);
    for upload in peer.seen() {
        assert_eq!(upload.content_length.as_deref(), Some("3000000"));
        assert_eq!(upload.body_len, 3_000_000);
    }

    // Downloads stream: chunk by chunk, and bounded when collected.
    let mut reader = blobs.get("streams", &digest).await.unwrap().unwrap();
    let mut received = Vec::new();
    while let Some(chunk) = reader.next().await {
        received.extend_from_slice(&chunk.unwrap());
    }
    assert_eq!(received, content);
    let reader = blobs.get("streams", &digest).await.unwrap().unwrap();
    assert!(matches!(
        reader.bytes(1_000_000).await,
        Err(CrateDbBlobError::TooLarge {
            limit: 1_000_000,
            len: Some(3_000_000)
        })
    ));
    let mut copy = Vec::new();
    let reader = blobs.get("streams", &digest).await.unwrap().unwrap();
    assert_eq!(reader.copy_to(&mut copy).await.unwrap(), 3_000_000);
    assert_eq!(copy, content);
}

#[tokio::test]
async fn a_known_digest_streams_in_one_pass_and_the_server_checks_it() {
    let peer = BlobPeer::start().await;
    let blobs = client(&[&peer], "");
    let chunks = || {
        futures_util::stream::iter([
            Ok(Bytes::from_static(b"one ")),
            Ok(Bytes::from_static(b"pass")),
        ])
    };
    let digest = BlobDigest::of(b"one pass");
    let put = blobs
        .put_with_digest("t", digest, Some(8), chunks())
        .await
        .unwrap();
    assert_eq!(put.digest, digest);
    assert_eq!(peer.stored("t", &digest).unwrap(), b"one pass");

    let wrong = BlobDigest::of(b"something else");
    let err = blobs
        .put_with_digest("t", wrong, None, chunks())
        .await
        .unwrap_err();
    assert!(
        matches!(err, CrateDbBlobError::DigestMismatch(d) if d == wrong),
        "{err}"
    );
    assert!(peer.stored("t", &wrong).is_none());
}

#[tokio::test]
async fn a_missing_table_is_an_error_and_a_missing_blob_is_not() {
    let peer = BlobPeer::start().await;
    let blobs = client(&[&peer], "");
    let digest = BlobDigest::of(b"x");
    assert!(blobs.get("images", &digest).await.unwrap().is_none());
    for err in [
        blobs.get("missing", &digest).await.map(|_| ()).unwrap_err(),
        blobs
            .put("missing", b"x".to_vec())
            .await
            .map(|_| ())
            .unwrap_err(),
        blobs
            .delete("missing", &digest)
            .await
            .map(|_| ())
            .unwrap_err(),
        blobs
            .exists("missing", &digest)
            .await
            .map(|_| ())
            .unwrap_err(),
    ] {
        match err {
            CrateDbBlobError::TableNotFound { table, message } => {
                assert_eq!(table, "missing");
                assert!(message.contains("unknown"), "{message}");
            }
            other => panic!("{other}"),
        }
    }
}

#[tokio::test]
async fn a_redirect_to_the_node_holding_the_blob_is_followed() {
    let holder = BlobPeer::start().await;
    let asked = BlobPeer::start().await;
    let direct = client(&[&holder], "");
    let put = direct.put("images", b"far away".to_vec()).await.unwrap();
    asked.set(Behaviour {
        redirect_to: Some(holder.base()),
        ..Behaviour::default()
    });

    let blobs = client(&[&asked], "");
    let content = blobs
        .get("images", &put.digest)
        .await
        .unwrap()
        .unwrap()
        .bytes(64)
        .await
        .unwrap();
    assert_eq!(&content[..], b"far away");
    assert!(blobs.exists("images", &put.digest).await.unwrap());
    assert_eq!(asked.seen().len(), 2);
    assert_eq!(
        holder
            .seen()
            .iter()
            .filter(|s| s.method == Method::GET)
            .count(),
        1
    );

    // A redirect loop ends with an error instead of going on for ever.
    asked.set(Behaviour {
        redirect_to: Some(asked.base()),
        ..Behaviour::default()
    });
    let err = blobs.get("images", &put.digest).await.unwrap_err();
    assert!(err.to_string().contains("redirects"), "{err}");
}

#[tokio::test]
async fn a_node_that_cannot_serve_is_set_aside_and_the_next_one_asked() {
    let down = BlobPeer::start().await;
    let up = BlobPeer::start().await;
    down.set(Behaviour {
        unavailable: true,
        ..Behaviour::default()
    });
    let blobs = client(&[&down, &up], "retry_interval=60s");
    for i in 0..4u8 {
        let put = blobs.put("images", vec![i; 100]).await.unwrap();
        assert!(put.created);
        assert!(up.stored("images", &put.digest).is_some());
    }
    // Set aside after its first 503: asked once, then last.
    assert_eq!(down.seen().len(), 1);

    // A host that refuses connections: the upload goes to the other one.
    let gone = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    let url = format!("crate://{gone},{}", up.host());
    let blobs = CrateDbBlobs::connect(&url).unwrap();
    let put = blobs.put("images", b"elsewhere".to_vec()).await.unwrap();
    assert!(up.stored("images", &put.digest).is_some());
}

#[tokio::test]
async fn bad_names_digests_and_options_are_refused_before_any_request() {
    let peer = BlobPeer::start().await;
    let blobs = client(&[&peer], "");
    for table in ["", "_sql", "../_sql", "a/b", "a?x=1", "a%2F"] {
        let err = blobs.put(table, b"x".to_vec()).await.unwrap_err();
        assert!(
            matches!(err, CrateDbBlobError::InvalidTable(_)),
            "{table}: {err}"
        );
    }
    let bad = "xyz".parse::<BlobDigest>().unwrap_err();
    assert_eq!(bad.0, "xyz");
    assert!(matches!(
        CrateDbBlobError::from(bad),
        CrateDbBlobError::InvalidDigest(_)
    ));
    assert!(peer.seen().is_empty());

    let pg = CrateDbBlobs::connect("postgres://localhost:5432").unwrap_err();
    assert!(matches!(pg, CrateDbBlobError::NeedsHttp), "{pg}");
    let cleartext =
        CrateDbBlobs::connect(&format!("crate://u:secret@{}", peer.host())).unwrap_err();
    assert!(cleartext.to_string().contains("plain HTTP"), "{cleartext}");
    assert!(!cleartext.to_string().contains("secret"), "{cleartext}");
}
