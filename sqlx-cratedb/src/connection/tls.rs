//! rustls client configuration: web PKI roots plus an optional CA, an optional client
//! certificate, certificate verification always on. Uses the `ring` provider.

use std::sync::Arc;

use rustls::ClientConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::error::ConfigError;
use crate::options::{CrateDbConnectOptions, CrateDbPem};

fn read(pem: &CrateDbPem) -> Result<Vec<u8>, ConfigError> {
    match pem {
        CrateDbPem::Pem(bytes) => Ok(bytes.clone()),
        CrateDbPem::Path(path) => std::fs::read(path).map_err(|e| ConfigError::TlsFile {
            path: path.display().to_string(),
            reason: e.to_string(),
        }),
    }
}

fn certs(pem: &CrateDbPem) -> Result<Vec<CertificateDer<'static>>, ConfigError> {
    let bytes = read(pem)?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ConfigError::Tls(format!("invalid PEM certificate: {e}")))?;
    if certs.is_empty() {
        return Err(ConfigError::Tls("no certificate found in PEM".into()));
    }
    Ok(certs)
}

/// Builds the rustls configuration for `options`.
pub(crate) fn client_config(
    options: &CrateDbConnectOptions,
) -> Result<Arc<ClientConfig>, ConfigError> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(ca) = &options.root_cert {
        for cert in certs(ca)? {
            roots
                .add(cert)
                .map_err(|e| ConfigError::Tls(format!("invalid CA certificate: {e}")))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ConfigError::Tls(e.to_string()))?
        .with_root_certificates(roots);
    let config = match &options.client_cert {
        Some((cert, key)) => {
            let chain = certs(cert)?;
            let key = PrivateKeyDer::from_pem_slice(&read(key)?)
                .map_err(|e| ConfigError::Tls(format!("invalid PEM private key: {e}")))?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| ConfigError::Tls(e.to_string()))?
        }
        None => builder.with_no_client_auth(),
    };
    Ok(Arc::new(config))
}
