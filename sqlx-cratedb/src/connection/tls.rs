//! rustls client configuration: web PKI roots plus an optional CA, an optional client
//! certificate, certificate verification on unless the options turn it off explicitly
//! (`verify_ssl_cert=false`). Uses the `ring` provider.

use std::sync::Arc;

use rustls::ClientConfig;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::{DigitallySignedStruct, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};

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
    let versions = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| ConfigError::Tls(e.to_string()))?;
    let builder = if options.verify_cert {
        versions.with_root_certificates(roots)
    } else {
        log::warn!(
            "sqlx-cratedb: TLS certificate verification is OFF (verify_ssl_cert=false): the \
             connection is encrypted but the server is not authenticated"
        );
        versions
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider)))
    };
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

/// The verifier of `verify_ssl_cert=false`: any certificate and name is accepted; the
/// handshake signatures are still checked, so the session key is the one the peer holds.
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
