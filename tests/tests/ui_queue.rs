//! `/posts`, the queue, in headless Chromium: what each post is doing, and cancel,
//! reschedule and retry from there.

use fantoccini::{Client, Locator};
use letspost_e2e::api::{Session, emulator_patch_account, new_account};
use letspost_e2e::consent::{click_button, decide};
use letspost_e2e::posts::{caption, fixture, in_secs, new_post, unique_video};
use letspost_e2e::{app_url, browser, wait_text};
use serde_json::json;
use std::time::Duration;

async fn connected(c: &Client, open_id: &str) -> Session {
    c.goto(&format!("{}/accounts", app_url())).await.unwrap();
    click_button(c, "Connect TikTok").await;
    decide(c, open_id, "approve").await;
    wait_text(c, &format!("[data-testid=account][data-open-id='{open_id}']"), |t| !t.is_empty()).await;
    let cookie = c.get_named_cookie("letspost_session").await.unwrap();
    Session::with_cookie(&format!("letspost_session={}", cookie.value()))
}

async fn row_text(c: &Client, id: &str, pred: impl Fn(&str) -> bool) -> String {
    let css = format!("[data-testid=post][data-id='{id}']");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    let poll = letspost_e2e::poll::Poll::new();
    loop {
        if let Ok(el) = c.find(Locator::Css(&css)).await
            && let Ok(t) = el.text().await
            && pred(&t)
        {
            return t;
        }
        assert!(tokio::time::Instant::now() < deadline, "row {id} never matched");
        poll.pause().await;
    }
}

async fn click_in_row(c: &Client, id: &str, label: &str) {
    let row = c.find(Locator::Css(&format!("[data-testid=post][data-id='{id}']"))).await.unwrap();
    row.find(Locator::XPath(&format!(".//button[normalize-space(.)='{label}']"))).await.unwrap().click().await.unwrap();
}

#[tokio::test]
async fn the_queue_shows_each_post_and_cancels_reschedules_and_retries() {
    let open_id = new_account("uiqueue", "creator").await;
    let c = browser().await;
    let s = connected(&c, &open_id).await;
    // A post an hour ahead, one refused for its file, one that TikTok will refuse at first.
    let later = caption("later");
    let mut body = new_post(&open_id, &later, 0);
    let video = unique_video(300);
    body["video_size"] = json!(video.len());
    body["publish_at"] = json!(in_secs(3_600));
    let (a, _) = s.post_video(body, &video).await;
    let a = a.body["post"]["id"].as_str().unwrap().to_string();
    let png = fixture("image.png");
    let (b, _) = s.post_video(new_post(&open_id, "a photo", png.len()), &png).await;
    let b = b.body["post"]["id"].as_str().unwrap().to_string();
    let soon = unique_video(400);
    let mut body = new_post(&open_id, &caption("retry from the queue"), soon.len());
    body["publish_at"] = json!(in_secs(3));
    let created = s.post("/api/posts", body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    // TikTok refuses this creator from now on, until the test lets it post again.
    emulator_patch_account(&open_id, json!({ "cannot_post": "reached_active_user_cap" })).await;
    assert_eq!(s.stage(&created.body, &soon).await.status, 201);
    let r = created.body["post"]["id"].as_str().unwrap().to_string();

    c.goto(&format!("{}/posts", app_url())).await.unwrap();
    let row = row_text(&c, &a, |t| t.contains("Scheduled")).await;
    assert!(row.contains("later"), "{row}");
    let row = row_text(&c, &b, |t| t.contains("Failed")).await;
    assert!(row.contains("a photo"), "{row}");
    // Reschedule, then cancel.
    let row_el = c.find(Locator::Css(&format!("[data-testid=post][data-id='{a}'] [aria-label='New date and time']"))).await.unwrap();
    let js = "arguments[0].value = '2099-01-01T10:30'; arguments[0].dispatchEvent(new Event('input', {bubbles: true}))";
    c.execute(js, vec![serde_json::to_value(&row_el).unwrap()]).await.unwrap();
    // 2099 is over 30 days ahead: refused with the server's sentence, nothing changes.
    click_in_row(&c, &a, "Reschedule").await;
    wait_text(&c, "[role=alert]", |t| t.contains("30 days")).await;
    click_in_row(&c, &a, "Cancel post").await;
    row_text(&c, &a, |t| t.contains("Cancelled")).await;
    assert_eq!(s.get(&format!("/api/posts/{a}")).await.body["post"]["state"], "cancelled");
    // The refused post fails, then Retry (once TikTok allows it again) publishes it.
    row_text(&c, &r, |t| t.contains("Failed")).await;
    emulator_patch_account(&open_id, json!({ "cannot_post": null })).await;
    click_in_row(&c, &r, "Retry").await;
    // "Published" shows once TikTok says so; its link once moderation gives the post its id.
    row_text(&c, &r, |t| t.contains("Published") && t.contains("View on TikTok")).await;
    // The month calendar puts the same posts on their (local) day: the retried post's own day,
    // which is not today's if midnight passed meanwhile, nor in this month's page at a month's end.
    let at = s.get(&format!("/api/posts/{r}")).await.body["post"]["publish_at"].clone();
    let js = "const d = new Date(arguments[0]), n = new Date(); const p = x => String(x).padStart(2, '0'); \
              return [`${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`, (n.getFullYear() - d.getFullYear()) * 12 + n.getMonth() - d.getMonth()];";
    let v = c.execute(js, vec![at]).await.unwrap();
    let today = v[0].clone();
    for _ in 0..v[1].as_u64().unwrap() {
        click_button(&c, "Previous month").await;
    }
    let day = wait_text(&c, &format!("[data-testid=calendar] [data-day='{}']", today.as_str().unwrap()), |t| t.contains("retry from")).await;
    assert!(day.contains("a photo"), "{day}");
    c.close().await.unwrap();
}
