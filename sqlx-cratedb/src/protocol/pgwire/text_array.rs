//! PostgreSQL array literals (`{1,2}`, `{{"a","b"}}`, `[0:1]={…}`) → JSON arrays, nested at
//! most [`MAX_ARRAY_DEPTH`] levels.

use super::error::bad;
use crate::protocol::ProtocolError;
use crate::protocol::type_info::CrateDbTypeInfo;

/// How deep a PostgreSQL array literal may nest (PostgreSQL itself allows 6 dimensions;
/// CrateDB sends nested arrays as JSON). The parser recurses once per level.
pub(crate) const MAX_ARRAY_DEPTH: u32 = 64;

/// Appends one element's text (unquoted, unescaped), converted by the element type.
pub(crate) type PushElement =
    fn(&CrateDbTypeInfo, &[u8], &mut Vec<u8>) -> Result<(), ProtocolError>;

/// A PostgreSQL array literal, read element by element.
pub(crate) struct ArrayParser<'a> {
    raw: &'a [u8],
    pos: usize,
    depth: u32,
}

impl<'a> ArrayParser<'a> {
    /// A parser at the start of `raw`, after an explicit-bounds prefix such as `[0:2]=`.
    pub(crate) fn new(raw: &'a [u8]) -> Self {
        let mut p = Self {
            raw,
            pos: 0,
            depth: 0,
        };
        p.skip_dimensions();
        p
    }

    /// Converts the whole literal to a JSON array; each element's text goes through
    /// `push_element` with the element type.
    pub(crate) fn convert(
        mut self,
        element: &CrateDbTypeInfo,
        out: &mut Vec<u8>,
        push_element: PushElement,
    ) -> Result<(), ProtocolError> {
        self.array(element, out, push_element)?;
        if self.pos == self.raw.len() {
            Ok(())
        } else {
            Err(self.bad())
        }
    }

    fn bad(&self) -> ProtocolError {
        bad("array", self.raw).into()
    }

    /// Skips an explicit-bounds prefix such as `[0:2]=`.
    fn skip_dimensions(&mut self) {
        if self.raw.first() == Some(&b'[')
            && let Some(eq) = self.raw.iter().position(|&b| b == b'=')
        {
            self.pos = eq + 1;
        }
    }

    fn array(
        &mut self,
        element: &CrateDbTypeInfo,
        out: &mut Vec<u8>,
        push_element: PushElement,
    ) -> Result<(), ProtocolError> {
        if self.raw.get(self.pos) != Some(&b'{') {
            return Err(self.bad());
        }
        self.depth += 1;
        if self.depth > MAX_ARRAY_DEPTH {
            return Err(ProtocolError::TooDeep {
                limit: MAX_ARRAY_DEPTH,
            });
        }
        self.pos += 1;
        out.push(b'[');
        if self.raw.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            self.depth -= 1;
            out.push(b']');
            return Ok(());
        }
        loop {
            match self.raw.get(self.pos).ok_or_else(|| self.bad())? {
                b'{' => {
                    let inner = match element {
                        CrateDbTypeInfo::Array(inner) => inner.as_ref(),
                        other => other,
                    };
                    self.array(inner, out, push_element)?;
                }
                b'"' => {
                    let text = self.quoted().ok_or_else(|| self.bad())?;
                    push_element(element, &text, out)?;
                }
                _ => {
                    let start = self.pos;
                    while !matches!(self.raw.get(self.pos), Some(b',' | b'}') | None) {
                        self.pos += 1;
                    }
                    let text = &self.raw[start..self.pos];
                    if text.eq_ignore_ascii_case(b"NULL") {
                        out.extend_from_slice(b"null");
                    } else {
                        push_element(element, text, out)?;
                    }
                }
            }
            match self.raw.get(self.pos).ok_or_else(|| self.bad())? {
                b',' => {
                    self.pos += 1;
                    out.push(b',');
                }
                b'}' => {
                    self.pos += 1;
                    self.depth -= 1;
                    out.push(b']');
                    return Ok(());
                }
                _ => return Err(self.bad()),
            }
        }
    }

    fn quoted(&mut self) -> Option<Vec<u8>> {
        self.pos += 1;
        let mut text = Vec::new();
        loop {
            match *self.raw.get(self.pos)? {
                b'\\' => {
                    text.push(*self.raw.get(self.pos + 1)?);
                    self.pos += 2;
                }
                b'"' => {
                    self.pos += 1;
                    return Some(text);
                }
                b => {
                    text.push(b);
                    self.pos += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn array_of_ints(raw: &str) -> Result<String, ProtocolError> {
        let mut out = Vec::new();
        ArrayParser::new(raw.as_bytes()).convert(
            &CrateDbTypeInfo::Integer,
            &mut out,
            |_, text, out| {
                out.extend_from_slice(text);
                Ok(())
            },
        )?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    #[test]
    fn nesting_is_limited_with_a_typed_error() {
        let depth = MAX_ARRAY_DEPTH as usize;
        let ok = format!("{}1{}", "{".repeat(depth), "}".repeat(depth));
        assert_eq!(
            array_of_ints(&ok).unwrap(),
            format!("{}1{}", "[".repeat(depth), "]".repeat(depth))
        );
        let deep = format!("{}1{}", "{".repeat(depth + 1), "}".repeat(depth + 1));
        assert!(matches!(
            array_of_ints(&deep),
            Err(ProtocolError::TooDeep {
                limit: MAX_ARRAY_DEPTH
            })
        ));
        // A million levels used to recurse once per level and overflow the stack.
        let million = "{".repeat(1_000_000);
        assert!(matches!(
            array_of_ints(&million),
            Err(ProtocolError::TooDeep { .. })
        ));
        // Siblings do not add up: depth is per path, not per literal.
        let wide = format!("{{{}{{1}}}}", "{1},".repeat(1000));
        assert!(array_of_ints(&wide).is_ok());
    }
}
