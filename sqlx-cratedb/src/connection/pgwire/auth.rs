//! pgwire authentication: trust, cleartext password, MD5 and SCRAM-SHA-256.
//!
//! Two rules protect the password (crate docs, "Security"):
//!
//! * A cleartext password is sent only over TLS, unless the user opted in with
//!   `allow_cleartext_password`. MD5 is not held to that rule: what it sends is a salted
//!   hash, not the password (see [`Channel`]).
//! * After SCRAM-SHA-256, `AuthenticationOk` is accepted only once the server's signature in
//!   `AuthenticationSASLFinal` was verified: a server that skips it never proved it knows the
//!   password, and may be an impostor that simply says "ok".

use postgres_protocol::authentication::md5_hash;
use postgres_protocol::authentication::sasl::{ChannelBinding, SCRAM_SHA_256, ScramSha256};
use sqlx_core::error::Error;

use super::socket::{Backend, Socket};
use crate::error::ConfigError;
use crate::error::CrateDbDatabaseError;
use crate::options::CrateDbConnectOptions;
use crate::protocol::ProtocolError;
use crate::protocol::pgwire::backend::{AuthenticationSaslBody, Message};
use crate::protocol::pgwire::error::{parse_fields, unexpected};
use crate::protocol::pgwire::frontend;

/// How the connection that authenticates is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Channel {
    /// TLS, the server's certificate verified.
    Tls,
    /// Plain TCP: TLS was not asked for.
    Plain,
    /// Plain TCP because the server declined TLS under `sslmode=prefer` / `allow`.
    FellBack,
}

/// Where the SCRAM exchange stands.
enum Scram {
    /// Not started (no `AuthenticationSASL` yet).
    None,
    /// Started; the server has not proved itself yet.
    Running(Box<ScramSha256>),
    /// `AuthenticationSASLFinal` carried a valid server signature.
    Verified,
}

fn scram_error(what: &str) -> Error {
    ProtocolError::PgMessage(format!("SCRAM-SHA-256: {what}")).into()
}

/// Fails unless the server offers SCRAM-SHA-256.
fn offers_scram(body: &AuthenticationSaslBody) -> Result<(), Error> {
    let mut mechanisms = body.mechanisms();
    while let Some(m) = fallible_iterator::FallibleIterator::next(&mut mechanisms)? {
        if m == SCRAM_SHA_256 {
            return Ok(());
        }
    }
    Err(
        ProtocolError::PgMessage("the server offers no SASL mechanism this driver supports".into())
            .into(),
    )
}

/// The cleartext rule: without TLS, a password is sent in cleartext only with
/// `allow_cleartext_password`. With no password there is nothing to protect.
fn may_send_cleartext(
    options: &CrateDbConnectOptions,
    host: usize,
    password: &str,
    channel: Channel,
) -> Result<(), Error> {
    if channel == Channel::Tls || password.is_empty() || options.allow_cleartext_password {
        return Ok(());
    }
    Err(ConfigError::CleartextPasswordRefused {
        host: options.hosts[host].to_string(),
        fell_back: channel == Channel::FellBack,
    }
    .into())
}

/// Answers the server's authentication requests on `socket` until `AuthenticationOk`, as
/// `user` of `options` (connected to `options.hosts[host]` over `channel`).
pub(super) async fn authenticate(
    socket: &mut Socket,
    options: &CrateDbConnectOptions,
    host: usize,
    user: &str,
    channel: Channel,
) -> Result<(), Error> {
    // A JWT from the token provider is CrateDB's password for a JWT user.
    let password = match &options.token_provider {
        Some(provider) => provider.token()?,
        None => options.password.clone().unwrap_or_default(),
    };
    let mut scram = Scram::None;
    loop {
        let message = match socket.recv().await? {
            Backend::Message(m) => m,
            Backend::NegotiateProtocolVersion { minor, unsupported } => {
                log::debug!(
                    "sqlx-cratedb: server speaks protocol 3.{minor}; ignored: {unsupported:?}"
                );
                continue;
            }
        };
        match message {
            Message::AuthenticationOk => {
                return match scram {
                    Scram::Running(_) => Err(scram_error(
                        "the server sent AuthenticationOk without AuthenticationSASLFinal, \
                         so it never proved that it knows the password (its signature was \
                         not verified); connection refused",
                    )),
                    Scram::None | Scram::Verified => Ok(()),
                };
            }
            // CrateDB's only password method.
            Message::AuthenticationCleartextPassword => {
                if !matches!(scram, Scram::None) {
                    return Err(scram_error("the server asked for a cleartext password"));
                }
                may_send_cleartext(options, host, &password, channel)?;
                frontend::password_message(password.as_bytes(), socket.wbuf())?;
            }
            // A salted hash, not the password: allowed without TLS (documented).
            Message::AuthenticationMd5Password(body) => {
                if !matches!(scram, Scram::None) {
                    return Err(scram_error("the server asked for an MD5 password"));
                }
                let hash = md5_hash(user.as_bytes(), password.as_bytes(), body.salt());
                frontend::password_message(hash.as_bytes(), socket.wbuf())?;
            }
            Message::AuthenticationSasl(body) => {
                offers_scram(&body)?;
                let s = ScramSha256::new(password.as_bytes(), ChannelBinding::unsupported());
                frontend::sasl_initial_response(SCRAM_SHA_256, s.message(), socket.wbuf())?;
                scram = Scram::Running(Box::new(s));
            }
            Message::AuthenticationSaslContinue(body) => {
                let Scram::Running(s) = &mut scram else {
                    return Err(scram_error("SASL continue outside a SASL exchange"));
                };
                s.update(body.data())
                    .map_err(|e| scram_error(&e.to_string()))?;
                frontend::sasl_response(s.message(), socket.wbuf())?;
            }
            Message::AuthenticationSaslFinal(body) => {
                let Scram::Running(s) = &mut scram else {
                    return Err(scram_error("SASL final outside a SASL exchange"));
                };
                s.finish(body.data()).map_err(|e| {
                    scram_error(&format!("the server's signature is not valid: {e}"))
                })?;
                scram = Scram::Verified;
                continue;
            }
            Message::ErrorResponse(body) => {
                return Err(Error::Database(Box::new(CrateDbDatabaseError::from(
                    parse_fields(body.fields()),
                ))));
            }
            Message::NoticeResponse(_) => continue,
            Message::AuthenticationGss
            | Message::AuthenticationKerberosV5
            | Message::AuthenticationScmCredential
            | Message::AuthenticationSspi
            | Message::AuthenticationGssContinue(_) => {
                return Err(ProtocolError::PgMessage(
                    "the server asks for an authentication method this driver does not \
                     support (GSS/SSPI/Kerberos)"
                        .into(),
                )
                .into());
            }
            other => return Err(unexpected(&other, "authentication").into()),
        }
        socket.flush().await?;
    }
}
