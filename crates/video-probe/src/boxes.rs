//! Top-level box headers: 32-bit size, 64-bit size (`size == 1`), and "to the end of the
//! file" (`size == 0`).

/// The longest header we need: 4 size + 4 type + 8 large size.
pub const MAX_HEADER: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoxHeader {
    pub kind: [u8; 4],
    /// Header length: 8 or 16.
    pub header_len: u64,
    /// Whole box, header included.
    pub size: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderError {
    /// Fewer bytes than a header needs before the end of the file.
    Truncated,
    /// A size smaller than its own header.
    BadSize,
}

/// Parse the box header at `offset` of a file of `file_size` bytes from `bytes`, which start
/// at `offset` and hold at least `min(16, file_size - offset)` bytes.
pub fn parse(bytes: &[u8], offset: u64, file_size: u64) -> Result<BoxHeader, HeaderError> {
    if bytes.len() < 8 {
        return Err(HeaderError::Truncated);
    }
    let size32 = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    let kind = [bytes[4], bytes[5], bytes[6], bytes[7]];
    let (header_len, size) = match size32 {
        0 => (8, file_size - offset),
        1 => {
            let large = bytes.get(8..16).ok_or(HeaderError::Truncated)?;
            (16, u64::from_be_bytes(large.try_into().expect("8 bytes")))
        }
        n => (8, u64::from(n)),
    };
    if size < header_len {
        return Err(HeaderError::BadSize);
    }
    Ok(BoxHeader { kind, header_len, size })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_large_and_to_the_end_sizes() {
        assert_eq!(parse(b"\0\0\0\x10moovxxxxxxxx", 0, 100), Ok(BoxHeader { kind: *b"moov", header_len: 8, size: 16 }));
        let mut large = b"\0\0\0\x01mdat".to_vec();
        large.extend_from_slice(&5_000_000_000u64.to_be_bytes());
        assert_eq!(parse(&large, 0, 6_000_000_000).unwrap().size, 5_000_000_000);
        assert_eq!(parse(b"\0\0\0\0mdat", 40, 100).unwrap().size, 60);
    }

    #[test]
    fn impossible_sizes() {
        assert_eq!(parse(b"\0\0\0\x07moov", 0, 100), Err(HeaderError::BadSize));
        assert_eq!(parse(b"\0\0\0\x01mdat\0\0\0\0\0\0\0\x08", 0, 100), Err(HeaderError::BadSize));
        assert_eq!(parse(b"\0\0\0\x01mdat", 0, 100), Err(HeaderError::Truncated));
        assert_eq!(parse(b"\0\0", 0, 100), Err(HeaderError::Truncated));
    }
}
