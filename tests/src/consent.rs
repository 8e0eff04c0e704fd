//! Driving the emulator's consent page in the browser, as a creator would.

use fantoccini::{Client, Locator};
use std::time::Duration;

/// Wait until the browser is on the consent page, pick `open_id`, and press `button`
/// (`approve` or `deny`).
pub async fn decide(c: &Client, open_id: &str, button: &str) {
    let radio = format!("input[name=open_id][value='{open_id}']");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let poll = crate::poll::Poll::new();
    loop {
        match c.find(Locator::Css(&radio)).await {
            Ok(el) => {
                el.click().await.unwrap();
                break;
            }
            Err(e) => crate::fail_if_the_browser_is_gone(&e, &radio),
        }
        assert!(tokio::time::Instant::now() < deadline, "no consent page for {open_id}; at {:?}", c.current_url().await);
        poll.pause().await;
    }
    c.find(Locator::Id(button)).await.unwrap().click().await.unwrap();
}

/// Click the first button whose text is exactly `label`.
pub async fn click_button(c: &Client, label: &str) {
    let xpath = format!("//button[normalize-space(.)='{label}']");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let poll = crate::poll::Poll::new();
    loop {
        match c.find(Locator::XPath(&xpath)).await {
            Ok(el) => match el.click().await {
                Ok(_) => return,
                Err(e) => crate::fail_if_the_browser_is_gone(&e, &xpath),
            },
            Err(e) => crate::fail_if_the_browser_is_gone(&e, &xpath),
        }
        assert!(tokio::time::Instant::now() < deadline, "no button {label:?}");
        poll.pause().await;
    }
}
