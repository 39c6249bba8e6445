//! Generated TLS material: a CA, a server certificate for 127.0.0.1/localhost and a client
//! certificate for `cert` authentication.

use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

use crate::SupportError;
use crate::process::RunAs;

fn tls_err(context: &str) -> impl FnOnce(rcgen::Error) -> SupportError + '_ {
    move |source| SupportError::Tls {
        context: context.to_owned(),
        source,
    }
}

/// A self-signed CA that signs the server and client certificates. One CA serves a whole
/// cluster, so one client configuration trusts every server of it.
pub(crate) struct Authority {
    issuer: Issuer<'static, KeyPair>,
    pem: String,
}

impl std::fmt::Debug for Authority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authority").finish_non_exhaustive()
    }
}

/// Where the files of one server were written.
#[derive(Debug, Clone)]
pub(crate) struct TlsFiles {
    pub(crate) ca_cert: PathBuf,
    pub(crate) server_cert: PathBuf,
    pub(crate) server_key: PathBuf,
    pub(crate) client_cert: PathBuf,
    pub(crate) client_key: PathBuf,
}

impl Authority {
    pub(crate) fn generate() -> Result<Self, SupportError> {
        let key = KeyPair::generate().map_err(tls_err("CA key"))?;
        let mut params = CertificateParams::new(Vec::<String>::new()).map_err(tls_err("CA"))?;
        params.distinguished_name.push(
            DnType::CommonName,
            format!("cratedb-integration test CA {}", unique_suffix()),
        );
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let cert = params
            .self_signed(&key)
            .map_err(tls_err("CA certificate"))?;
        Ok(Self {
            pem: cert.pem(),
            issuer: Issuer::new(params, key),
        })
    }

    /// Signs a leaf certificate; returns (certificate PEM, key PEM).
    fn leaf(
        &self,
        what: &str,
        sans: Vec<String>,
        common_name: &str,
        usage: ExtendedKeyUsagePurpose,
    ) -> Result<(String, String), SupportError> {
        let key = KeyPair::generate().map_err(tls_err(what))?;
        let mut params = CertificateParams::new(sans).map_err(tls_err(what))?;
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![usage];
        let cert = params
            .signed_by(&key, &self.issuer)
            .map_err(tls_err(what))?;
        Ok((cert.pem(), key.serialize_pem()))
    }

    /// Writes `ca.crt`, `server.{crt,key}` (owned by the server's OS user, key 0600) and
    /// `client.{crt,key}` (for the test process, key 0600, CN = `user`) into `dir`.
    pub(crate) fn write_files(
        &self,
        dir: &Path,
        user: &str,
        run_as: RunAs,
    ) -> Result<TlsFiles, SupportError> {
        fs::create_dir_all(dir)
            .map_err(|e| SupportError::io(format!("creating {}", dir.display()), e))?;
        run_as.chown(dir)?;
        let (server_pem, server_key) = self.leaf(
            "server certificate",
            vec!["localhost".to_owned(), "127.0.0.1".to_owned()],
            "localhost",
            ExtendedKeyUsagePurpose::ServerAuth,
        )?;
        let (client_pem, client_key) = self.leaf(
            "client certificate",
            Vec::new(),
            user,
            ExtendedKeyUsagePurpose::ClientAuth,
        )?;
        let files = TlsFiles {
            ca_cert: dir.join("ca.crt"),
            server_cert: dir.join("server.crt"),
            server_key: dir.join("server.key"),
            client_cert: dir.join("client.crt"),
            client_key: dir.join("client.key"),
        };
        write(&files.ca_cert, &self.pem, 0o644)?;
        write(&files.server_cert, &server_pem, 0o644)?;
        write(&files.server_key, &server_key, 0o600)?;
        write(&files.client_cert, &client_pem, 0o644)?;
        write(&files.client_key, &client_key, 0o600)?;
        for server_file in [&files.ca_cert, &files.server_cert, &files.server_key] {
            run_as.chown(server_file)?;
        }
        Ok(files)
    }
}

/// A distinct issuer name per CA, so a certificate from another test's CA fails as an unknown
/// issuer rather than as a bad signature under the same name.
fn unique_suffix() -> String {
    use std::hash::BuildHasher as _;
    format!(
        "{:016x}",
        std::collections::hash_map::RandomState::new().hash_one(std::process::id())
    )
}

fn write(path: &Path, contents: &str, mode: u32) -> Result<(), SupportError> {
    fs::write(path, contents)
        .and_then(|()| fs::set_permissions(path, fs::Permissions::from_mode(mode)))
        .map_err(|e| SupportError::io(format!("writing {}", path.display()), e))
}
