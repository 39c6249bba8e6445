//! Framing of backend messages: the length header is checked against the connection's
//! `max_message_size` before anything is allocated for the body (`postgres-protocol`'s
//! `Message::parse` reserves whatever length the header names, up to 4 GiB).

use crate::protocol::ProtocolError;

/// Checks the header of the message at the front of `buf` (tag byte, then a big-endian
/// length that counts itself but not the tag). Fine when fewer than 5 bytes are buffered.
pub(crate) fn check_header(buf: &[u8], max_message_size: usize) -> Result<(), ProtocolError> {
    let Some(&[_, a, b, c, d]) = buf.get(..5) else {
        return Ok(());
    };
    let size = u64::from(u32::from_be_bytes([a, b, c, d])) + 1;
    if size > max_message_size as u64 {
        return Err(ProtocolError::MessageTooLarge {
            size,
            limit: max_message_size,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use bytes::BytesMut;

    use super::*;
    use crate::protocol::pgwire::backend::Message;

    #[test]
    fn an_oversized_length_is_refused_before_the_body_is_allocated() {
        // A DataRow header announcing 4 GiB, then nothing.
        let header = [b'D', 0xff, 0xff, 0xff, 0xff];
        let err = check_header(&header, 64 * 1024 * 1024).unwrap_err();
        assert!(matches!(
            err,
            ProtocolError::MessageTooLarge {
                size: 0x1_0000_0000,
                limit: 67_108_864
            }
        ));
        // What the check prevents: the parser reserves the whole announced body.
        let mut buf = BytesMut::from(&[b'D', 0, 0x10, 0, 0][..]);
        assert!(Message::parse(&mut buf).unwrap().is_none());
        assert!(buf.capacity() >= 0x10_0000);
        // At the limit and below it, and with a partial header: fine.
        assert!(check_header(&[b'D', 0, 0, 0x03, 0xff], 1024).is_ok());
        assert!(check_header(&[b'D', 0, 0, 0x04, 0x00], 1024).is_err());
        assert!(check_header(&[b'D', 0xff, 0xff], 1024).is_ok());
    }
}
