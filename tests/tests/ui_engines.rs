//! The flows a creator depends on, in Firefox (Gecko) and WebKit (Safari's engine): connect,
//! check a video (ok, refused, rotated), compose and post now, schedule, a share link's round
//! trip, the keyboard walk through the composer, and a draft sent to the TikTok inbox.
//! Chromium runs the same flows in the rest of the UI suite. Test names start with the engine
//! (`firefox::…`, `webkit::…`), so a failure says where.

macro_rules! creator_flows {
    ($engine:ident, $variant:expr) => {
        mod $engine {
            use letspost_e2e::flows;
            use letspost_e2e::Engine;
            const ENGINE: Engine = $variant;

            #[tokio::test]
            async fn connect_a_tiktok_account() {
                flows::connect_through_the_consent_page(ENGINE).await;
            }

            #[tokio::test]
            async fn check_a_good_video() {
                flows::check_a_good_video(ENGINE).await;
            }

            #[tokio::test]
            async fn check_a_refused_file() {
                flows::check_an_image_is_refused(ENGINE).await;
            }

            #[tokio::test]
            async fn check_rotated_and_landscape_videos() {
                flows::check_rotated_and_letterboxed(ENGINE).await;
            }

            #[tokio::test]
            async fn compose_and_post_now() {
                flows::compose_and_post_now(ENGINE).await;
            }

            #[tokio::test]
            async fn schedule_a_minute_ahead() {
                flows::schedule_a_minute_ahead(ENGINE).await;
            }

            #[tokio::test]
            async fn keyboard_reaches_every_control_with_a_focus_ring() {
                flows::keyboard_reaches_every_control_with_a_focus_ring(ENGINE).await;
            }

            #[tokio::test]
            async fn send_a_draft_to_the_inbox() {
                flows::send_a_draft_to_the_inbox(ENGINE).await;
            }

            #[tokio::test]
            async fn a_failure_leaves_evidence() {
                flows::a_failure_leaves_a_screenshot_the_page_text_and_the_console(ENGINE).await;
            }

            #[tokio::test]
            async fn share_link_round_trip() {
                flows::share_link_round_trip(ENGINE).await;
            }
        }
    };
}

creator_flows!(firefox, Engine::Firefox);
creator_flows!(webkit, Engine::WebKit);
