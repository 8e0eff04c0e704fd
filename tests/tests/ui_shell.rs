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

/// Opened directly, a page paints its shell before any wasm is requested, and its route's
/// chunks come from the page's own list (preloads boot.js adds beside the main module), not
/// from the main module asking for them one round trip and a compile later.
#[tokio::test]
async fn the_shell_paints_before_the_wasm_is_fetched_and_the_routes_chunks_are_preloaded() {
    let c = browser().await;
    c.goto(&format!("{}/compose", app_url())).await.unwrap();
    wait_text(&c, "main h1", |t| t == "New TikTok post").await;
    let v = c
        .execute(
            "const fcp = performance.getEntriesByName('first-contentful-paint')[0];
             return { fcp: fcp ? fcp.startTime : null,
                      wasm: performance.getEntriesByType('resource').filter(e => e.name.endsWith('.wasm'))
                          .map(e => ({ name: e.name.split('/').pop(), start: e.startTime, by: e.initiatorType })) };",
            vec![],
        )
        .await
        .unwrap();
    let fcp = v["fcp"].as_f64().expect("a first-contentful-paint entry");
    let wasm = v["wasm"].as_array().unwrap();
    assert!(wasm.len() > 2, "{v}");
    for w in wasm {
        assert!(w["start"].as_f64().unwrap() >= fcp, "requested before the first paint ({fcp} ms): {w}");
    }
    let route = wasm.iter().find(|w| w["name"].as_str().unwrap().starts_with("split___compose_view_")).expect("the composer's chunk");
    assert_eq!(route["by"], "link", "the composer's chunk was not preloaded: {v}");
    assert!(wasm.iter().filter(|w| w["name"].as_str().unwrap().starts_with("chunk_")).all(|w| w["by"] == "link"), "a shared chunk the page did not list: {v}");
    c.close().await.unwrap();
}

#[tokio::test]
async fn a_failure_leaves_a_screenshot_the_page_text_and_the_console() {
    letspost_e2e::flows::a_failure_leaves_a_screenshot_the_page_text_and_the_console(letspost_e2e::Engine::Chromium).await;
}
