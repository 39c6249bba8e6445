//! Byte builders for scripted pgwire peers: the framing every backend message shares.

/// A backend message: its tag, its length (body plus the 4 length bytes), its body.
///
/// # Panics
/// When the body is longer than a pgwire message can be (test support).
pub fn message(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = u32::try_from(body.len() + 4).expect("a pgwire message fits in u32");
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(body);
    out
}

/// Appends `s` as a NUL-terminated string.
pub fn cstr(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(s.as_bytes());
    out.push(0);
}
