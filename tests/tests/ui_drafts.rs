//! "Send to TikTok as a draft" in headless Chromium, through workerd and the emulator: the
//! composer hides what TikTok ignores for a draft, the queue shows it "In your TikTok inbox",
//! and "Published" once the creator posts it in the app; the 6th pending draft is refused
//! with a sentence before anything is uploaded.

use fantoccini::Locator;
use letspost_e2e::api::{new_account, Session};
use letspost_e2e::consent::click_button;
use letspost_e2e::flows::{composer_with, control, session_of, wait_text_long};
use letspost_e2e::posts::{creator_finishes, new_draft, unique_video};
use letspost_e2e::{app_url, wait_text, Engine};
use std::time::Duration;

async fn choose_draft(c: &fantoccini::Client) {
    control(c, "Send to TikTok as a draft").await.click().await.unwrap();
    wait_text(c, "[data-testid=draft-note]", |t| t.contains("TikTok inbox")).await;
}

#[tokio::test]
async fn a_draft_goes_to_the_inbox_and_shows_published_once_the_creator_posts_it() {
    let c = composer_with(Engine::Chromium, "uidraft", &unique_video(2_100)).await;
    assert_eq!(control(&c, "Post to TikTok").await.prop("checked").await.unwrap().as_deref(), Some("true"), "direct by default");
    choose_draft(&c).await;
    // What TikTok ignores for a draft is not offered.
    for gone in ["Who can view this video", "Cover frame", "Allow Comment", "Disclose video content"] {
        assert!(c.find(Locator::Css(&format!("[aria-label='{gone}']"))).await.is_err(), "{gone} is still shown for a draft");
    }
    assert!(c.find(Locator::Css("details.advanced")).await.is_err());
    assert!(c.find(Locator::Css("[data-testid=declaration]")).await.is_err());
    wait_text(&c, "[data-testid=draft-caption-note]", |t| t.contains("doesn't receive")).await;
    click_button(&c, "Send now").await;
    let status = wait_text_long(&c, "[data-testid=post-status]", |t| t.contains("In your TikTok inbox")).await;
    assert!(!status.contains("Failed"), "{status}");
    wait_text(&c, "[data-testid=inbox-hint]", |t| t.contains("TikTok app")).await;

    // The queue says where it is.
    let s = session_of(&c).await;
    let post = s.get("/api/posts").await.body["posts"][0].clone();
    assert_eq!((post["mode"].as_str(), post["state"].as_str()), (Some("draft"), Some("sent_to_inbox")), "{post}");
    let id = post["id"].as_str().unwrap().to_string();
    c.goto(&format!("{}/posts", app_url())).await.unwrap();
    let row = format!("[data-testid=post][data-id='{id}']");
    let text = wait_text(&c, &row, |t| t.contains("In your TikTok inbox")).await;
    assert!(text.contains("Draft"), "{text}");

    // The creator finishes it in the TikTok app: the queue shows it published, with its link.
    creator_finishes(post["publish_id"].as_str().unwrap(), serde_json::json!({ "action": "post", "caption": "with a sound" })).await;
    wait_text_long(&c, &row, |t| t.contains("Published") && t.contains("View on TikTok")).await;
    c.close().await.unwrap();
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
    letspost_e2e::flows::composer_for(&c, &open_id).await;
    letspost_e2e::flows::pick(&c, &unique_video(2_300), "sixth.mp4").await;
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
