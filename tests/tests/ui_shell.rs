//! The front end in real headless Chromium, served by the Worker.

use fantoccini::Locator;
use letspost_e2e::{app_url, browser, wait_text};

#[tokio::test]
async fn the_app_shell_renders_and_reaches_the_worker() {
    let c = browser().await;
    c.goto(&format!("{}/", app_url())).await.unwrap();
    let status = wait_text(&c, "[data-testid=worker-status]", |t| t.starts_with("Online")).await;
    assert_eq!(status, "Online · v0.1.0");
    let h1 = c.find(Locator::Css("main h1")).await.unwrap().text().await.unwrap();
    assert_eq!(h1, "Post to TikTok, now or later");
    let rules = c.find(Locator::Css("[data-testid=rules]")).await.unwrap().text().await.unwrap();
    assert!(rules.contains("Up to 287.6 MB"), "{rules}");
    assert!(rules.contains("Captions up to 2,200 characters"), "{rules}");
    assert!(rules.contains("Privacy: Public, Friends only, Only me"), "{rules}");
    assert_eq!(c.title().await.unwrap(), "LetsPost — publish and schedule to TikTok");
    c.close().await.unwrap();
}

#[tokio::test]
async fn unknown_pages_show_not_found_inside_the_shell() {
    let c = browser().await;
    c.goto(&format!("{}/no/such/page", app_url())).await.unwrap();
    wait_text(&c, "main h1", |t| t == "Page not found").await;
    assert!(c.find(Locator::Css("header.topbar .brand")).await.is_ok());
    c.close().await.unwrap();
}

/// Names of the files the page fetched so far.
async fn fetched(c: &fantoccini::Client) -> Vec<String> {
    let v = c.execute("return performance.getEntriesByType('resource').map(e => e.name)", vec![]).await.unwrap();
    v.as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn the_composer_is_a_chunk_fetched_when_first_opened() {
    let c = browser().await;
    c.goto(&format!("{}/", app_url())).await.unwrap();
    wait_text(&c, "[data-testid=worker-status]", |t| t.starts_with("Online")).await;
    let first = fetched(&c).await;
    assert!(first.iter().any(|n| n.ends_with("/letspost_bg.wasm")), "{first:?}");
    assert!(!first.iter().any(|n| n.contains("compose")), "the home page loaded the composer: {first:?}");
    c.find(Locator::LinkText("Compose")).await.unwrap().click().await.unwrap();
    wait_text(&c, "main h1", |t| t == "New TikTok post").await;
    let after = fetched(&c).await;
    assert!(after.iter().any(|n| n.contains("/split___compose_view_") && n.ends_with(".wasm")), "{after:?}");
    c.close().await.unwrap();
}

#[tokio::test]
async fn a_failure_leaves_a_screenshot_the_page_text_and_the_console() {
    letspost_e2e::flows::a_failure_leaves_a_screenshot_the_page_text_and_the_console(letspost_e2e::Engine::Chromium).await;
}
