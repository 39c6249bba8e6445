//! Unit tests of the URL parser.

use super::*;

#[test]
fn multi_host_url_with_credentials_and_schema() {
    let o =
        parse("crate://crate:s%40cret@h1:4201,h2,[::1]:4300/my%20schema?error_trace=true").unwrap();
    assert_eq!(
        o.hosts,
        vec![
            CrateDbHost::new("h1", 4201),
            CrateDbHost::new("h2", 4200),
            CrateDbHost::new("::1", 4300)
        ]
    );
    assert_eq!(o.username.as_deref(), Some("crate"));
    assert_eq!(o.password.as_deref(), Some("s@cret"));
    assert_eq!(o.schema.as_deref(), Some("my schema"));
    assert!(o.error_trace);
    assert!(!o.tls);
}

#[test]
fn schemes_and_tls_parameters() {
    assert!(parse("https://h").unwrap().tls);
    assert!(parse("crate+https://h").unwrap().tls);
    assert!(!parse("http://h:4200").unwrap().tls);
    let o = parse("crate://h?sslmode=require&sslrootcert=/ca.pem&sslcert=/c.pem&sslkey=/k.pem")
        .unwrap();
    assert!(o.tls);
    assert_eq!(o.root_cert, Some(CrateDbPem::Path("/ca.pem".into())));
    assert!(o.client_cert.is_some());
    assert!(parse("crate://h?sslcert=/c.pem").is_err());
    assert!(parse("ftp://h").is_err());
    assert!(parse("crate://h?sslmode=prefer").is_err());
}

#[test]
fn postgres_schemes_select_the_pgwire_transport() {
    for url in ["postgres://h/doc", "postgresql://h/doc", "crate+pg://h/doc"] {
        let o = parse(url).unwrap();
        assert_eq!(o.protocol, CrateDbProtocol::PgWire, "{url}");
        assert_eq!(o.hosts, vec![CrateDbHost::new("h", 5432)]);
        assert_eq!(o.schema.as_deref(), Some("doc"));
        assert!(!o.tls);
    }
    let o = parse(
        "crate+pgs://u@h1,h2:5433?fetch_size=500&statement_cache_capacity=0\
         &application_name=app&options=-c%20statement_timeout%3D5000",
    )
    .unwrap();
    assert!(o.tls);
    assert_eq!(o.hosts[1], CrateDbHost::new("h2", 5433));
    assert_eq!(o.fetch_size, 500);
    assert_eq!(o.statement_cache_capacity, 0);
    assert_eq!(o.application_name.as_deref(), Some("app"));
    assert_eq!(o.pg_options.as_deref(), Some("-c statement_timeout=5000"));
    assert_eq!(to_url(&o).as_str(), "crate+pgs://u@h1:5432/?hosts=h2:5433");
    let o = parse("postgres://h?sslmode=prefer").unwrap();
    assert!(o.tls && o.tls_fallback);
    assert!(parse("postgres://h?fetch_size=x").is_err());
}

/// Sending a cleartext password without TLS is opt-in (`allow_cleartext_password`).
#[test]
fn cleartext_password_without_tls_is_opt_in() {
    assert!(
        !parse("crate+pg://u:pw@h/doc")
            .unwrap()
            .allow_cleartext_password
    );
    let o = parse("crate+pg://u:pw@h/doc?allow_cleartext_password=true").unwrap();
    assert!(o.allow_cleartext_password);
    assert!(format!("{o:?}").contains("allow_cleartext_password: true"));
    let o = CrateDbConnectOptions::new().allow_cleartext_password(true);
    assert!(o.allow_cleartext_password);
    let err = parse("crate+pg://u:pw@h?allow_cleartext_password=maybe").unwrap_err();
    assert!(
        err.to_string().contains("allow_cleartext_password"),
        "{err}"
    );
}

#[test]
fn timeouts_tokens_hosts_and_bulk_parameters() {
    let o = parse(
        "crate://h1?hosts=h2:1,h3&connect_timeout=500ms&timeout=2m&retry_interval=5\
         &token=abc&bulk_rows=10&bulk_bytes=1000&gzip_min_bytes=0&schema=s",
    )
    .unwrap();
    assert_eq!(o.hosts.len(), 3);
    assert_eq!(o.connect_timeout, Duration::from_millis(500));
    assert_eq!(o.request_timeout, Some(Duration::from_mins(2)));
    assert_eq!(o.retry_interval, Duration::from_secs(5));
    assert_eq!(o.token.as_deref(), Some("abc"));
    assert_eq!((o.bulk_rows, o.bulk_bytes, o.gzip_min_bytes), (10, 1000, 0));
    assert_eq!(o.schema.as_deref(), Some("s"));
}

#[test]
fn bad_urls_are_configuration_errors() {
    for url in [
        "h1:4200",
        "crate://",
        "crate://h:notaport",
        "crate://h?nope=1",
        "crate://h?timeout=5x",
        "crate://h?bulk_rows=0",
        "crate://[::1",
    ] {
        assert!(parse(url).is_err(), "{url}");
    }
}

#[test]
fn debug_and_url_never_show_secrets() {
    let o = parse("crate://u:hunter2@h?token=tok123").unwrap();
    let dbg = format!("{o:?}");
    assert!(!dbg.contains("hunter2") && !dbg.contains("tok123"), "{dbg}");
    assert!(dbg.contains("<redacted>"));
    let url = to_url(&o).to_string();
    assert!(!url.contains("hunter2") && !url.contains("tok123"), "{url}");
    let o = parse("crate://h1,h2:4300/s").unwrap();
    assert_eq!(to_url(&o).as_str(), "crate://h1:4200/s?hosts=h2:4300");
}

/// Malformed URLs that carry a password or a token: neither the error's `Display` nor its
/// `Debug` (nor those of the `sqlx::Error` it becomes) shows any part of the secret.
#[test]
fn url_errors_never_show_a_password_or_token() {
    for url in [
        // Unencoded `/`, `?` in the password: part of it lands in the host list.
        "crate://u:S3kr1t/x@h",
        "crate://u:S3kr1t?x=1@h",
        "crate+pg://u:S3kr1t/x@h:5432/doc",
        // Invalid percent-encoding in the password, the user, a query secret.
        "crate://u:S3kr1t%ff@h",
        "crate://u%ffS3kr1t:pw@h",
        "crate://h?password=S3kr1t%ff",
        "crate://h?token=S3kr1t%c3",
        // An unencoded `&` in a query secret: its tail looks like a parameter.
        "crate://h?password=ab&S3kr1t",
        "crate://h?token=ab&S3kr1t=1",
        "crate://h?password=ab&timeout=S3kr1t",
        "crate://h?password=ab&sslmode=S3kr1t",
        // Userinfo before the scheme separator.
        "u:S3kr1t@h://x",
    ] {
        let err = parse(url).expect_err(url);
        for text in [err.to_string(), format!("{err:?}")] {
            assert!(!text.contains("S3kr1t"), "{url}: {text}");
        }
        let err = url.parse::<CrateDbConnectOptions>().expect_err(url);
        for text in [err.to_string(), format!("{err:?}")] {
            assert!(!text.contains("S3kr1t"), "{url}: {text}");
        }
    }
    // Errors still say what is wrong, and name non-secret parameters.
    let err = parse("crate://u:pw@h?timeout=5x").unwrap_err().to_string();
    assert!(err.contains("timeout") && err.contains("5x"), "{err}");
    let err = parse("crate://u:S3kr1t/x@h").unwrap_err().to_string();
    assert!(err.contains("percent-encoded"), "{err}");
    let err = parse("crate://h?tmeout=5").unwrap_err().to_string();
    assert!(err.contains("tmeout"), "{err}");
}

#[test]
fn options_debug_never_shows_secrets() {
    let o = parse("crate+pg://u:S3kr1t@h/doc?token=T0k3n")
        .unwrap()
        .client_cert(
            CrateDbPem::Pem(b"CERT".to_vec()),
            CrateDbPem::Pem(b"PRIVATE-K3Y".to_vec()),
        );
    let dbg = format!("{o:?} {o:#?}");
    for secret in ["S3kr1t", "T0k3n", "PRIVATE-K3Y", "CERT"] {
        assert!(!dbg.contains(secret), "{secret}: {dbg}");
    }
}

#[test]
fn every_wait_is_bounded_by_default_and_huge_timeouts_parse() {
    let o = parse("crate://h").unwrap();
    assert_eq!(
        o.request_timeout,
        Some(super::super::DEFAULT_REQUEST_TIMEOUT)
    );
    assert_eq!(o.connect_timeout, Duration::from_secs(10));
    assert_eq!(
        parse("crate://h?timeout=none").unwrap().request_timeout,
        None
    );
    let o = parse("crate://h?timeout=18446744073709551615m&connect_timeout=18446744073709551615")
        .unwrap();
    assert!(o.request_timeout.unwrap() > Duration::from_secs(u64::MAX / 2));
    // A deadline that far away saturates instead of overflowing `Instant`.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    rt.block_on(async {
        let d = crate::connection::deadline::deadline_after(Duration::MAX);
        assert!(d > tokio::time::Instant::now());
    });
}

#[test]
fn tuning_parameters_and_crate_python_names() {
    let o = parse(
        "crate+https://h?backoff_factor=0.25&keepalive=30s&verify_ssl_cert=false\
         &ca_cert=/ca.pem&cert_file=/c.pem&key_file=/k.pem",
    )
    .unwrap();
    assert_eq!(o.backoff_factor, Duration::from_millis(250));
    assert_eq!(o.tcp_keepalive, Some(Duration::from_secs(30)));
    assert!(!o.verify_cert);
    assert_eq!(o.root_cert, Some(CrateDbPem::Path("/ca.pem".into())));
    assert_eq!(
        o.client_cert,
        Some((
            CrateDbPem::Path("/c.pem".into()),
            CrateDbPem::Path("/k.pem".into())
        ))
    );
    let d = parse("crate://h").unwrap();
    assert_eq!(d.backoff_factor, crate::options::DEFAULT_BACKOFF_FACTOR);
    assert_eq!(d.tcp_keepalive, Some(crate::options::DEFAULT_TCP_KEEPALIVE));
    assert!(d.verify_cert);
    assert_eq!(
        parse("crate://h?keepalive=off").unwrap().tcp_keepalive,
        None
    );
    assert_eq!(
        parse("crate://h?backoff_factor=500ms")
            .unwrap()
            .backoff_factor,
        Duration::from_millis(500)
    );
    for bad in [
        "backoff_factor=-1.0",
        "backoff_factor=x",
        "keepalive=soon",
        "verify_ssl_cert=maybe",
    ] {
        assert!(parse(&format!("crate://h?{bad}")).is_err(), "{bad}");
    }
}
