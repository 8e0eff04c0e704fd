//! The caption (TikTok calls it `title`): at most 2,200 UTF-16 code units, as TikTok counts.

/// TikTok's caption limit, in UTF-16 code units (an emoji outside the BMP counts 2).
pub const CAPTION_MAX_UTF16: usize = 2_200;

/// Length as TikTok counts it: UTF-16 code units, not bytes, not chars, not graphemes.
pub fn utf16_len(caption: &str) -> usize {
    caption.encode_utf16().count()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaptionError {
    TooLong { len: usize },
}

impl std::fmt::Display for CaptionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CaptionError::TooLong { len } => write!(
                f,
                "The caption is {len} characters long; TikTok allows {CAPTION_MAX_UTF16}. \
                 Shorten it by {} (emoji count as 2).",
                len - CAPTION_MAX_UTF16
            ),
        }
    }
}

impl std::error::Error for CaptionError {}

pub fn check(caption: &str) -> Result<(), CaptionError> {
    let len = utf16_len(caption);
    if len > CAPTION_MAX_UTF16 { Err(CaptionError::TooLong { len }) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_the_limit_in_ascii_passes_and_one_more_fails() {
        assert!(check(&"a".repeat(2_200)).is_ok());
        assert_eq!(check(&"a".repeat(2_201)), Err(CaptionError::TooLong { len: 2_201 }));
    }

    #[test]
    fn emoji_count_as_two_code_units() {
        // 1,100 emoji = 2,200 code units: allowed, though only 1,100 chars.
        let at_limit = "😀".repeat(1_100);
        assert_eq!(utf16_len(&at_limit), 2_200);
        assert!(check(&at_limit).is_ok());
        let over = format!("{at_limit}a");
        assert_eq!(check(&over), Err(CaptionError::TooLong { len: 2_201 }));
    }

    #[test]
    fn bmp_non_ascii_counts_one_each_despite_multibyte_utf8() {
        let s = "é".repeat(2_200); // 4,400 bytes of UTF-8
        assert!(check(&s).is_ok());
    }

    #[test]
    fn message_says_how_much_to_cut() {
        let e = check(&"a".repeat(2_205)).unwrap_err();
        assert!(e.to_string().contains("by 5"), "{e}");
    }
}
