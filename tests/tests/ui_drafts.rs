//! "Send to TikTok as a draft" in headless Chromium, through workerd and the emulator: the
//! composer hides what TikTok ignores for a draft, the queue shows it "In your TikTok inbox",
//! and "Published" once the creator posts it in the app; the 6th pending draft is refused
//! with a sentence before anything is uploaded.

use letspost_e2e::api::{Session, new_account};
use letspost_e2e::consent::click_button;
use letspost_e2e::flows::{self, choose_draft};
use letspost_e2e::posts::{new_draft, unique_video};
use letspost_e2e::{Engine, wait_text};
use std::time::Duration;

#[tokio::test]
async fn a_draft_goes_to_the_inbox_and_shows_published_once_the_creator_posts_it() {
    flows::send_a_draft_to_the_inbox(Engine::Chromium).await;
}

#[tokio::test]
async fn the_sixth_pending_draft_is_refused_with_a_sentence_before_any_upload() {
    let open_id = new_account("uidraftsix", "creator").await;
    // Five drafts already sent for this creator (from another browser of the team).
    let team = Session::new();
    assert_eq!(team.connect(&open_id).await.status, 200);
    for i in 0..5 {
        let video = unique_video(2_200 + i);
        let (created, staged) = team.post_video(new_draft(&open_id, "", video.len()), &video).await;
        assert_eq!((created.status, staged.status), (201, 201));
    }
    let c = letspost_e2e::browser().await;
    flows::composer_for(&c, &open_id).await;
    flows::pick(&c, &unique_video(2_300), "sixth.mp4").await;
    wait_text(&c, "[data-testid=verdict]", |t| t == "Ready for TikTok").await;
    choose_draft(&c).await;
    click_button(&c, "Send now").await;
    let said = wait_text(&c, "[data-testid=post-error]", |t| !t.is_empty()).await;
    assert_eq!(said, "Your TikTok inbox already has 5 drafts from apps waiting for you. Post or delete one in the TikTok app, then send this draft again.");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let posts = team.get("/api/posts").await.body["posts"].as_array().unwrap().len();
    assert_eq!(posts, 5, "nothing was created, nothing uploaded");
    c.close().await.unwrap();
}
