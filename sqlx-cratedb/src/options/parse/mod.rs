//! URL parsing and printing for [`CrateDbConnectOptions`].

use std::path::PathBuf;
use std::time::Duration;

use sqlx_core::percent_encoding::{NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use sqlx_core::url::Url;

use super::{CrateDbConnectOptions, CrateDbHost, CrateDbPem, CrateDbProtocol, DEFAULT_PORT};
use crate::error::ConfigError;

/// Percent-decodes one part of the URL. The error names the part (`what`) but never echoes
/// its text: it may be a password or a token.
fn decode(s: &str, what: &str) -> Result<String, ConfigError> {
    percent_decode_str(s)
        .decode_utf8()
        .map(std::borrow::Cow::into_owned)
        .map_err(|_| ConfigError::Url(format!("invalid percent-encoding (not UTF-8) in {what}")))
}

fn bad(name: &str, value: &str) -> ConfigError {
    ConfigError::Parameter {
        name: name.to_owned(),
        value: value.to_owned(),
    }
}

/// `10` (seconds), `10s`, `500ms`, `2m`.
pub(crate) fn parse_duration(name: &str, value: &str) -> Result<Duration, ConfigError> {
    let v = value.trim();
    let (num, unit) = match v.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => v.split_at(i),
        None => (v, "s"),
    };
    let n: u64 = num.parse().map_err(|_| bad(name, value))?;
    match unit {
        "ms" => Ok(Duration::from_millis(n)),
        "s" => Ok(Duration::from_secs(n)),
        "m" => Ok(Duration::from_secs(n.saturating_mul(60))),
        _ => Err(bad(name, value)),
    }
}

/// A duration as [`parse_duration`] reads it, or seconds with a fraction (`0.1`), as
/// crate-python's `backoff_factor` is given.
fn parse_seconds(name: &str, value: &str) -> Result<Duration, ConfigError> {
    if value.contains('.') {
        return value
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(|s| Duration::try_from_secs_f64(s).ok())
            .ok_or_else(|| bad(name, value));
    }
    parse_duration(name, value)
}

fn parse_bool(name: &str, value: &str) -> Result<bool, ConfigError> {
    match value {
        "true" | "1" | "on" | "yes" => Ok(true),
        "false" | "0" | "off" | "no" => Ok(false),
        _ => Err(bad(name, value)),
    }
}

/// Parses `host[:port]` or `[v6][:port]`. `Err` is the reason, without the text of `spec`:
/// when a password holds an unencoded `/`, `?` or `#`, part of it lands in the host list.
fn parse_host(spec: &str, default_port: u16) -> Result<CrateDbHost, &'static str> {
    let (host, port) = if let Some(rest) = spec.strip_prefix('[') {
        let (h, after) = rest.split_once(']').ok_or("unclosed `[`")?;
        match after.strip_prefix(':') {
            Some(p) => (h, Some(p)),
            None if after.is_empty() => (h, None),
            None => return Err("text after `]`"),
        }
    } else {
        match spec.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (spec, None),
        }
    };
    if host.is_empty() {
        return Err("empty host name");
    }
    let port = match port {
        Some(p) => p.parse().map_err(|_| "invalid port")?,
        None => default_port,
    };
    Ok(CrateDbHost::new(host, port))
}

/// Parses a comma-separated host list. Errors name the host by its position only (`where_`
/// says which list), never by its text.
fn parse_hosts(
    list: &str,
    default_port: u16,
    where_: &str,
    out: &mut Vec<CrateDbHost>,
) -> Result<(), ConfigError> {
    for (i, spec) in list.split(',').filter(|s| !s.is_empty()).enumerate() {
        let host = parse_host(spec, default_port).map_err(|reason| {
            ConfigError::Url(format!(
                "host {} of {where_}: {reason} (a password containing `/`, `?`, `#` or `@` \
                 must be percent-encoded)",
                i + 1
            ))
        })?;
        out.push(host);
    }
    Ok(())
}

/// Parses a connection URL (see the module docs for the grammar).
///
/// No error echoes a password or a token. When the query carries `password=` or `token=`, an
/// unencoded `&` in the secret would make its tail look like another parameter, so the names
/// and values of bad parameters are then not echoed either.
pub(crate) fn parse(url: &str) -> Result<CrateDbConnectOptions, ConfigError> {
    parse_url(url).map_err(|e| {
        let query = url.split_once('?').map_or("", |(_, q)| q);
        let secret_in_query = query.split('&').any(|p| {
            let key = p.split_once('=').map_or(p, |(k, _)| k);
            matches!(key, "password" | "token")
        });
        match e {
            ConfigError::Parameter { name, .. } if secret_in_query => ConfigError::Parameter {
                name: if is_known_parameter(&name) {
                    name
                } else {
                    REDACTED.into()
                },
                value: REDACTED.into(),
            },
            ConfigError::UnknownParameter(name)
                if secret_in_query
                    || !name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"_-".contains(&b)) =>
            {
                ConfigError::UnknownParameter(REDACTED.into())
            }
            other => other,
        }
    })
}

/// Stands in for text that may be part of a secret.
const REDACTED: &str = "<redacted>";

/// The parameter names [`parse_url`] accepts (their names are never secret).
fn is_known_parameter(name: &str) -> bool {
    KNOWN_PARAMETERS.contains(&name)
}

const KNOWN_PARAMETERS: &[&str] = &[
    "schema",
    "user",
    "password",
    "token",
    "hosts",
    "sslmode",
    "ssl-mode",
    "allow_cleartext_password",
    "tls",
    "ssl",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "connect_timeout",
    "timeout",
    "request_timeout",
    "error_trace",
    "retry_interval",
    "bulk_rows",
    "bulk_bytes",
    "gzip_min_bytes",
    "max_message_size",
    "fetch_size",
    "statement_cache_capacity",
    "statement-cache-capacity",
    "application_name",
    "options",
    "bulk_rows/bulk_bytes",
];

#[allow(clippy::too_many_lines)] // one flat match over the URL parameters
fn parse_url(url: &str) -> Result<CrateDbConnectOptions, ConfigError> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| ConfigError::Url("missing `scheme://`".into()))?;
    let (tls, protocol) = match scheme.to_ascii_lowercase().as_str() {
        "crate" | "crate+http" | "http" => (false, CrateDbProtocol::Http),
        "crate+https" | "https" => (true, CrateDbProtocol::Http),
        "postgres" | "postgresql" | "crate+pg" => (false, CrateDbProtocol::PgWire),
        "crate+pgs" => (true, CrateDbProtocol::PgWire),
        // Echoed only when it looks like a scheme (it is never a secret then).
        other
            if other
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b)) =>
        {
            return Err(ConfigError::Url(format!("unsupported scheme `{other}`")));
        }
        _ => return Err(ConfigError::Url("unsupported scheme".into())),
    };
    let default_port = match protocol {
        CrateDbProtocol::Http => DEFAULT_PORT,
        CrateDbProtocol::PgWire => super::DEFAULT_PG_PORT,
    };
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    let (authority, path) = match rest.split_once('/') {
        Some((a, p)) => (a, p),
        None => (rest, ""),
    };
    let (userinfo, hostlist) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };

    let mut opts = CrateDbConnectOptions::new();
    opts.tls = tls;
    opts.protocol = protocol;
    let mut hosts = Vec::new();
    parse_hosts(hostlist, default_port, "the URL", &mut hosts)?;
    if let Some(userinfo) = userinfo {
        let (user, pass) = match userinfo.split_once(':') {
            Some((u, p)) => (u, Some(p)),
            None => (userinfo, None),
        };
        if !user.is_empty() {
            opts.username = Some(decode(user, "the user name")?);
        }
        if let Some(p) = pass {
            opts.password = Some(decode(p, "the password")?);
        }
    }
    let path = path.trim_end_matches('/');
    if !path.is_empty() {
        opts.schema = Some(decode(path, "the path (schema)")?);
    }

    let mut client_cert = None;
    let mut client_key = None;
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, "true"));
        let v = decode(v, &format!("URL parameter `{k}`"))?;
        match k {
            "schema" => opts.schema = Some(v),
            "user" => opts.username = Some(v),
            "password" => opts.password = Some(v),
            "token" => opts.token = Some(v),
            "hosts" => parse_hosts(&v, default_port, "`hosts=`", &mut hosts)?,
            "sslmode" | "ssl-mode" => {
                (opts.tls, opts.tls_fallback) = match v.as_str() {
                    "disable" => (false, false),
                    "require" | "verify-ca" | "verify-full" => (true, false),
                    // pgwire only: try TLS, continue in plain text if the server declines.
                    "prefer" | "allow" if protocol == CrateDbProtocol::PgWire => (true, true),
                    _ => return Err(bad(k, &v)),
                };
            }
            "tls" | "ssl" => opts.tls = parse_bool(k, &v)?,
            "allow_cleartext_password" => opts.allow_cleartext_password = parse_bool(k, &v)?,
            // libpq's names, and crate-python's (`ca_cert`, `cert_file`, `key_file`).
            "sslrootcert" | "ca_cert" => {
                opts.root_cert = Some(CrateDbPem::Path(PathBuf::from(v)));
            }
            "sslcert" | "cert_file" => client_cert = Some(CrateDbPem::Path(PathBuf::from(v))),
            "sslkey" | "key_file" => client_key = Some(CrateDbPem::Path(PathBuf::from(v))),
            "verify_ssl_cert" => opts.verify_cert = parse_bool(k, &v)?,
            "backoff_factor" => opts.backoff_factor = parse_seconds(k, &v)?,
            "keepalive" | "tcp_keepalive" => {
                opts.tcp_keepalive = match v.as_str() {
                    "none" | "off" | "false" => None,
                    _ => Some(parse_duration(k, &v)?),
                };
            }
            "connect_timeout" => opts.connect_timeout = parse_duration(k, &v)?,
            "timeout" | "request_timeout" => {
                opts.request_timeout = match v.as_str() {
                    "none" | "off" => None,
                    _ => Some(parse_duration(k, &v)?),
                };
            }
            "error_trace" => opts.error_trace = parse_bool(k, &v)?,
            "retry_interval" => opts.retry_interval = parse_duration(k, &v)?,
            "bulk_rows" => opts.bulk_rows = v.parse().map_err(|_| bad(k, &v))?,
            "bulk_bytes" => opts.bulk_bytes = v.parse().map_err(|_| bad(k, &v))?,
            "gzip_min_bytes" => opts.gzip_min_bytes = v.parse().map_err(|_| bad(k, &v))?,
            "max_message_size" => match v.parse::<usize>() {
                Ok(n) if n >= 1024 => opts.max_message_size = n,
                _ => return Err(bad(k, &v)),
            },
            "fetch_size" => opts.fetch_size = v.parse().map_err(|_| bad(k, &v))?,
            "statement_cache_capacity" | "statement-cache-capacity" => {
                opts.statement_cache_capacity = v.parse().map_err(|_| bad(k, &v))?;
            }
            "application_name" => opts.application_name = Some(v),
            "binary_results" => opts.binary_results = parse_bool(k, &v)?,
            "refresh_after_writes" | "refresh_after_dml" => {
                opts.refresh_after_writes = parse_bool(k, &v)?;
            }
            "options" => opts.pg_options = Some(v),
            other => return Err(ConfigError::UnknownParameter(other.to_owned())),
        }
    }
    match (client_cert, client_key) {
        (Some(c), Some(k)) => opts.client_cert = Some((c, k)),
        (None, None) => {}
        _ => {
            return Err(ConfigError::Tls(
                "sslcert and sslkey must be given together".into(),
            ));
        }
    }
    if opts.bulk_rows == 0 || opts.bulk_bytes == 0 {
        return Err(ConfigError::Parameter {
            name: "bulk_rows/bulk_bytes".into(),
            value: "0".into(),
        });
    }
    if hosts.is_empty() {
        return Err(ConfigError::NoHosts);
    }
    Ok(opts.hosts(hosts))
}

/// The options as a URL, without password or token.
pub(crate) fn to_url(opts: &CrateDbConnectOptions) -> Url {
    let scheme = match (opts.protocol, opts.tls) {
        (CrateDbProtocol::Http, false) => "crate",
        (CrateDbProtocol::Http, true) => "crate+https",
        (CrateDbProtocol::PgWire, false) => "crate+pg",
        (CrateDbProtocol::PgWire, true) => "crate+pgs",
    };
    let first = opts.hosts.first().map_or_else(
        || format!("localhost:{DEFAULT_PORT}"),
        CrateDbHost::authority,
    );
    let user = opts.username.as_deref().map_or(String::new(), |u| {
        format!("{}@", utf8_percent_encode(u, NON_ALPHANUMERIC))
    });
    let path = opts.schema.as_deref().map_or(String::new(), |s| {
        utf8_percent_encode(s, NON_ALPHANUMERIC).to_string()
    });
    let mut s = format!("{scheme}://{user}{first}/{path}");
    if opts.hosts.len() > 1 {
        let rest: Vec<String> = opts.hosts[1..].iter().map(CrateDbHost::authority).collect();
        s.push_str("?hosts=");
        s.push_str(&rest.join(","));
    }
    Url::parse(&s).unwrap_or_else(|_| {
        Url::parse(&format!("{scheme}://localhost:{DEFAULT_PORT}/")).expect("static URL parses")
    })
}

#[cfg(test)]
mod tests;
