//! Commercial content disclosure, as TikTok's audit requires the composer to present it.

use crate::privacy::PrivacyLevel;
use serde::{Deserialize, Serialize};

/// The disclosure switch and its two choices. Off by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Disclosure {
    /// "Disclose video content" switch.
    pub enabled: bool,
    /// "Your brand": the creator promotes their own business (`brand_organic_toggle`).
    pub your_brand: bool,
    /// "Branded content": a paid partnership with a third party (`brand_content_toggle`).
    pub branded_content: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisclosureError {
    /// The switch is on but neither choice is ticked.
    NeedsChoice,
    /// Branded content may not be posted as Only me.
    BrandedContentPrivate,
}

impl std::fmt::Display for DisclosureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DisclosureError::NeedsChoice => "You need to indicate if your content promotes yourself, a third party, or both.",
            DisclosureError::BrandedContentPrivate => "Branded content visibility cannot be set to private.",
        })
    }
}

impl std::error::Error for DisclosureError {}

impl Disclosure {
    /// What TikTok receives as `brand_organic_toggle` (only when the switch is on).
    pub fn brand_organic_toggle(self) -> bool {
        self.enabled && self.your_brand
    }

    /// What TikTok receives as `brand_content_toggle` (only when the switch is on).
    pub fn brand_content_toggle(self) -> bool {
        self.enabled && self.branded_content
    }

    pub fn check(self, privacy: PrivacyLevel) -> Result<(), DisclosureError> {
        check_toggles(self.enabled, self.brand_organic_toggle(), self.brand_content_toggle(), privacy)
    }

    /// The label TikTok will put on the video, if any.
    pub fn label_notice(self) -> Option<&'static str> {
        if self.brand_content_toggle() {
            Some("Your video will be labeled as 'Paid partnership'.")
        } else if self.brand_organic_toggle() {
            Some("Your video will be labeled as 'Promotional content'.")
        } else {
            None
        }
    }

    /// The declaration shown above the post button.
    pub fn declaration(self) -> &'static str {
        if self.brand_content_toggle() {
            "By posting, you agree to TikTok's Branded Content Policy and Music Usage Confirmation."
        } else {
            "By posting, you agree to TikTok's Music Usage Confirmation."
        }
    }

    /// Whether "Only me" must be disabled in the privacy picker (with the reason shown).
    pub fn forbids(self, privacy: PrivacyLevel) -> Option<DisclosureError> {
        (self.brand_content_toggle() && privacy == PrivacyLevel::SelfOnly).then_some(DisclosureError::BrandedContentPrivate)
    }
}

/// The server-side form of the rule, over the toggles as they arrive in `post_info`
/// (`switch_on` is unknown there, so pass `false`: only the private rule applies).
pub fn check_toggles(switch_on: bool, organic: bool, branded: bool, privacy: PrivacyLevel) -> Result<(), DisclosureError> {
    if switch_on && !organic && !branded {
        return Err(DisclosureError::NeedsChoice);
    }
    if branded && privacy == PrivacyLevel::SelfOnly {
        return Err(DisclosureError::BrandedContentPrivate);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use PrivacyLevel::*;

    const OFF: Disclosure = Disclosure { enabled: false, your_brand: false, branded_content: false };

    #[test]
    fn off_by_default_and_nothing_to_say() {
        assert_eq!(Disclosure::default(), OFF);
        assert_eq!(OFF.check(SelfOnly), Ok(()));
        assert_eq!(OFF.label_notice(), None);
        assert_eq!(OFF.declaration(), "By posting, you agree to TikTok's Music Usage Confirmation.");
    }

    #[test]
    fn switch_on_without_a_choice_blocks_publishing() {
        let d = Disclosure { enabled: true, ..OFF };
        assert_eq!(d.check(PublicToEveryone), Err(DisclosureError::NeedsChoice));
    }

    #[test]
    fn your_brand_is_promotional_content() {
        let d = Disclosure { enabled: true, your_brand: true, ..OFF };
        assert_eq!(d.check(SelfOnly), Ok(()));
        assert_eq!(d.label_notice(), Some("Your video will be labeled as 'Promotional content'."));
        assert!(!d.brand_content_toggle() && d.brand_organic_toggle());
    }

    #[test]
    fn branded_content_alone_or_with_your_brand_is_paid_partnership_and_never_private() {
        for your_brand in [false, true] {
            let d = Disclosure { enabled: true, your_brand, branded_content: true };
            assert_eq!(d.label_notice(), Some("Your video will be labeled as 'Paid partnership'."));
            assert!(d.declaration().contains("Branded Content Policy"));
            assert_eq!(d.check(SelfOnly), Err(DisclosureError::BrandedContentPrivate));
            assert_eq!(d.forbids(SelfOnly), Some(DisclosureError::BrandedContentPrivate));
            assert_eq!(d.check(FollowerOfCreator), Ok(()));
        }
    }

    #[test]
    fn ticks_under_a_switched_off_disclosure_are_not_sent() {
        let d = Disclosure { enabled: false, your_brand: true, branded_content: true };
        assert!(!d.brand_content_toggle() && !d.brand_organic_toggle());
        assert_eq!(d.check(SelfOnly), Ok(()));
    }

    #[test]
    fn server_side_rule_refuses_private_branded_posts() {
        assert_eq!(check_toggles(false, false, true, SelfOnly), Err(DisclosureError::BrandedContentPrivate));
        assert_eq!(check_toggles(false, true, false, SelfOnly), Ok(()));
    }
}
