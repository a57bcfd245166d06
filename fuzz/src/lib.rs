//! What the fuzz targets share: a reader that cuts libFuzzer's bytes into the fields a target
//! needs. Each field is a length byte and that many bytes (fewer at the end of the input), so
//! a seed is easy to write by hand (`cargo xtask fuzz-targets` writes them) and a mutation of
//! one byte changes one field.

/// Cuts an input into fields, front to back.
pub struct Fields<'a> {
    rest: &'a [u8],
}

impl<'a> Fields<'a> {
    /// A reader over `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self { rest: data }
    }

    /// One byte (0 when the input is spent).
    pub fn byte(&mut self) -> u8 {
        match self.rest.split_first() {
            Some((b, rest)) => {
                self.rest = rest;
                *b
            }
            None => 0,
        }
    }

    /// A field: a length byte, then that many bytes (or what is left).
    pub fn field(&mut self) -> &'a [u8] {
        let n = usize::from(self.byte()).min(self.rest.len());
        let (field, rest) = self.rest.split_at(n);
        self.rest = rest;
        field
    }

    /// Eight bytes, little-endian (missing bytes read as 0).
    pub fn u64(&mut self) -> u64 {
        let mut bytes = [0u8; 8];
        for b in &mut bytes {
            *b = self.byte();
        }
        u64::from_le_bytes(bytes)
    }

    /// Everything not yet read.
    pub fn rest(self) -> &'a [u8] {
        self.rest
    }
}

/// A marker that the card target plants in strings: it must never reach the HTML as it is.
pub const MARKER: &str = "<zz";
