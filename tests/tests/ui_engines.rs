//! The flows a creator depends on, in Firefox (Gecko) and WebKit (Safari's engine): connect,
//! check a video (ok, refused, rotated), compose and post now, schedule, a share link's round
//! trip (also to a browser that connects from the link, and in draft mode), the keyboard walk through the composer, a draft sent to the TikTok inbox,
//! and the posting schedule's flows (set one and add to the queue, move in the week view by
//! mouse and keyboard, a batch of three).
//! Chromium runs the same flows in the rest of the UI suite. Test names start with the engine
//! (`firefox::…`, `webkit::…`), so a failure says where. A flow whose browser exits under it
//! (not its page failing) runs once more, saying so (`letspost_e2e::crash`).

macro_rules! creator_flows {
    ($engine:ident, $variant:expr) => {
        mod $engine {
            use letspost_e2e::Engine;
            use letspost_e2e::crash::once_more_if_the_browser_exits;
            use letspost_e2e::flows;
            const ENGINE: Engine = $variant;

            #[tokio::test]
            async fn connect_a_tiktok_account() {
                once_more_if_the_browser_exits(ENGINE, || flows::connect_through_the_consent_page(ENGINE)).await;
            }

            #[tokio::test]
            async fn sign_another_browser_out_then_sign_out() {
                once_more_if_the_browser_exits(ENGINE, || flows::sign_another_browser_out_then_sign_out(ENGINE)).await;
            }

            #[tokio::test]
            async fn check_good_refused_rotated_and_landscape_videos() {
                once_more_if_the_browser_exits(ENGINE, || flows::check_videos(ENGINE)).await;
            }

            #[tokio::test]
            async fn every_page_runs_under_the_csp() {
                once_more_if_the_browser_exits(ENGINE, || flows::every_page_runs_under_the_csp(ENGINE)).await;
            }

            #[tokio::test]
            async fn compose_and_post_now() {
                once_more_if_the_browser_exits(ENGINE, || flows::compose_and_post_now(ENGINE)).await;
            }

            #[tokio::test]
            async fn schedule_a_minute_ahead() {
                once_more_if_the_browser_exits(ENGINE, || flows::schedule_a_minute_ahead(ENGINE)).await;
            }

            #[tokio::test]
            async fn keyboard_reaches_every_control_with_a_focus_ring() {
                once_more_if_the_browser_exits(ENGINE, || flows::keyboard_reaches_every_control_with_a_focus_ring(ENGINE)).await;
            }

            #[tokio::test]
            async fn send_a_draft_to_the_inbox() {
                once_more_if_the_browser_exits(ENGINE, || flows::send_a_draft_to_the_inbox(ENGINE)).await;
            }

            #[tokio::test]
            async fn a_failure_leaves_evidence() {
                once_more_if_the_browser_exits(ENGINE, || flows::a_failure_leaves_a_screenshot_the_page_text_and_the_console(ENGINE)).await;
            }

            #[tokio::test]
            async fn share_link_round_trip() {
                once_more_if_the_browser_exits(ENGINE, || flows::share_link_round_trip(ENGINE)).await;
            }

            #[tokio::test]
            async fn share_link_survives_connecting() {
                once_more_if_the_browser_exits(ENGINE, || flows::share_link_survives_connecting(ENGINE)).await;
            }

            #[tokio::test]
            async fn share_link_in_draft_mode() {
                once_more_if_the_browser_exits(ENGINE, || flows::share_link_in_draft_mode(ENGINE)).await;
            }

            #[tokio::test]
            async fn schedule_and_add_to_queue() {
                once_more_if_the_browser_exits(ENGINE, || letspost_e2e::schedule::schedule_and_add_to_queue(ENGINE)).await;
            }

            #[tokio::test]
            async fn move_in_the_week_view() {
                once_more_if_the_browser_exits(ENGINE, || letspost_e2e::schedule::move_in_the_week_view(ENGINE, false)).await;
            }

            #[tokio::test]
            async fn batch_add_all_to_queue() {
                once_more_if_the_browser_exits(ENGINE, || letspost_e2e::schedule::batch_add_all_to_queue(ENGINE)).await;
            }
        }
    };
}

creator_flows!(firefox, Engine::Firefox);
creator_flows!(webkit, Engine::WebKit);

/// The retry itself: a WebKit browser killed under a flow is told apart from a failing page,
/// and the flow runs once more in a new browser.
#[tokio::test]
async fn a_browser_that_exits_under_a_flow_runs_it_once_more() {
    use letspost_e2e::{Engine, browser_in, crash::once_more_if_the_browser_exits, wait_text};
    use std::sync::atomic::{AtomicU32, Ordering};
    static ATTEMPTS: AtomicU32 = AtomicU32::new(0);
    once_more_if_the_browser_exits(Engine::WebKit, || async {
        let first = ATTEMPTS.fetch_add(1, Ordering::SeqCst) == 0;
        let c = browser_in(Engine::WebKit).await;
        c.goto(&letspost_e2e::app_url()).await.unwrap();
        if first {
            c.kill_the_browser();
        }
        // The app's own header: the shell's (painted before the wasm) is hidden once it renders.
        wait_text(&c, "body > header.topbar:not(.shell)", |t| t.contains("LetsPost")).await;
    })
    .await;
    assert_eq!(ATTEMPTS.load(Ordering::SeqCst), 2);
    let note = letspost_e2e::evidence::folder_of("a_browser_that_exits_under_a_flow_runs_it_once_more").join("browser-exited.txt");
    assert!(std::fs::read_to_string(&note).unwrap().contains("WebKit exited under the flow"));
}
