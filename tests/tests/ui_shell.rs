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
