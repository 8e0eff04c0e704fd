//! What a link carries, in the words the composer uses: shown read-only to a recipient who has
//! not connected an account yet, so they see what they are about to post before connecting.

use crate::Shared;
use post_lifecycle::Mode;

/// (label, value) lines. A draft shows only what TikTok takes for a draft (the caption stays
/// with the post in LetsPost); `local_time` writes a Unix-ms time in the reader's zone.
pub fn summary(s: &Shared, local_time: impl Fn(u64) -> String) -> Vec<(&'static str, String)> {
    let mut lines = vec![("How it goes to TikTok", s.mode.label().to_string())];
    lines.push(("Caption", if s.caption.is_empty() { "(none)".to_string() } else { s.caption.clone() }));
    if s.mode == Mode::Direct {
        lines.push(("Who can view this video", s.privacy.map_or("Not chosen yet".to_string(), |p| p.label().to_string())));
        let switch = |name: &str, off: bool| format!("{name} {}", if off { "off" } else { "on" });
        lines.push(("Interactions", [switch("Comment", s.disable_comment), switch("Duet", s.disable_duet), switch("Stitch", s.disable_stitch)].join(" · ")));
        let d = &s.disclosure;
        lines.push((
            "Commercial content",
            match (d.enabled, d.your_brand, d.branded_content) {
                (false, _, _) => "Not disclosed",
                (true, true, true) => "Your brand and branded content",
                (true, true, false) => "Your brand",
                (true, false, true) => "Branded content",
                (true, false, false) => "Disclosed, no choice made yet",
            }
            .to_string(),
        ));
        lines.push(("AI-generated content", if s.is_aigc { "Yes" } else { "No" }.to_string()));
    }
    lines.push(("When", s.publish_at_ms.map_or("Now, when you post".to_string(), local_time)));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use tiktok_rules::disclosure::Disclosure;
    use tiktok_rules::privacy::PrivacyLevel;

    fn at(ms: u64) -> String {
        format!("t{ms}")
    }

    #[test]
    fn a_post_shows_every_setting() {
        let s = Shared {
            caption: "Launch day".into(),
            privacy: Some(PrivacyLevel::PublicToEveryone),
            disable_duet: true,
            disclosure: Disclosure { enabled: true, your_brand: true, branded_content: false },
            is_aigc: true,
            publish_at_ms: Some(60_000),
            ..Shared::default()
        };
        assert_eq!(
            summary(&s, at),
            vec![
                ("How it goes to TikTok", "Post to TikTok".to_string()),
                ("Caption", "Launch day".to_string()),
                ("Who can view this video", "Public".to_string()),
                ("Interactions", "Comment on · Duet off · Stitch on".to_string()),
                ("Commercial content", "Your brand".to_string()),
                ("AI-generated content", "Yes".to_string()),
                ("When", "t60000".to_string()),
            ]
        );
    }

    #[test]
    fn a_draft_shows_what_a_draft_takes() {
        let s = Shared { mode: Mode::Draft, privacy: Some(PrivacyLevel::SelfOnly), ..Shared::default() };
        let lines = summary(&s, at);
        let labels: Vec<&str> = lines.iter().map(|(l, _)| *l).collect();
        assert_eq!(labels, ["How it goes to TikTok", "Caption", "When"]);
        assert_eq!(lines[0].1, "Send to TikTok as a draft");
        assert_eq!(lines[1].1, "(none)");
        assert_eq!(lines[2].1, "Now, when you post");
    }
}
