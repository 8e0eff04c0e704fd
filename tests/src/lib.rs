//! Helpers for the end-to-end suite. `cargo xtask test` starts the Worker (wrangler dev),
//! ChromeDriver and a display for WebKit, and passes them in the environment; run alone, these tests fail
//! with a message that says so rather than pass without testing anything.

pub use engines::{Browser, Engine, browser_in};
use fantoccini::Client;
use std::time::Duration;

pub(crate) fn required(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| panic!("{var} is not set: run the end-to-end tests with `cargo xtask test`"))
}

/// The Worker's base URL, e.g. `http://127.0.0.1:8787`.
pub fn app_url() -> String {
    required("LETSPOST_URL")
}

/// The TikTok emulator the Worker talks to (started with test hooks).
pub fn emulator_url() -> String {
    required("EMULATOR_URL")
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("http client")
}

/// A failed request as the whole chain of causes, after how long: reqwest's own message
/// ("error sending request") does not say whether the answer timed out or the connection
/// closed.
pub fn why_it_failed(e: &reqwest::Error, started: std::time::Instant) -> String {
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        text.push_str(&format!(": {c}"));
        cause = c.source();
    }
    format!("{text} (after {:.1} s)", started.elapsed().as_secs_f64())
}

/// A fresh headless Chromium session (new profile each time, so tests share no state).
pub async fn browser() -> Browser {
    browser_in(Engine::Chromium).await
}

/// Wait for an element's text to satisfy `pred`, returning it; panics with the last text seen.
pub async fn wait_text(c: &Client, css: &str, pred: impl Fn(&str) -> bool) -> String {
    wait_text_within(c, css, pred, Duration::from_secs(20)).await
}

/// `wait_text` with its own patience. A session that is gone (the browser exited) fails at
/// once and says so: polling a dead browser for 20 s and reporting "not found" hid it.
pub async fn wait_text_within(c: &Client, css: &str, pred: impl Fn(&str) -> bool, within: Duration) -> String {
    let deadline = tokio::time::Instant::now() + within;
    let poll = poll::Poll::new();
    let mut last;
    loop {
        match c.find(fantoccini::Locator::Css(css)).await {
            Ok(el) => match el.text().await {
                Ok(t) if pred(&t) => return t,
                Ok(t) => last = t,
                Err(e) => last = format!("<{e}>"),
            },
            Err(e) if e.is_no_such_element() => last = String::from("<element not found>"),
            Err(e) => {
                fail_if_the_browser_is_gone(&e, css);
                last = format!("<{e}>");
            }
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting on {css}; last text: {last:?}");
        poll.pause().await;
    }
}

/// `act` done again while the driver reports an element it found stale: a view that draws
/// itself again when its data arrives (the week view, after a fetch) replaces the element
/// between finding and using it. `act` finds its elements anew each time; 5 tries, 300 ms
/// apart; any other error is returned.
pub async fn again_if_stale<T, F: std::future::Future<Output = Result<T, fantoccini::error::CmdError>>>(
    mut act: impl FnMut() -> F,
) -> Result<T, fantoccini::error::CmdError> {
    let mut tries = 1;
    loop {
        match act().await {
            Err(fantoccini::error::CmdError::Standard(e)) if e.error == fantoccini::error::ErrorStatus::StaleElementReference && tries < 5 => {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            done => return done,
        }
    }
}

/// For every polling loop: a session that is gone (its browser exited) ends the wait at once,
/// in words `crash::says_browser_gone` knows, instead of passing for "not there yet".
pub fn fail_if_the_browser_is_gone(e: &fantoccini::error::CmdError, waiting_on: &str) {
    if e.is_invalid_session_id() || matches!(e, fantoccini::error::CmdError::Lost(_)) {
        panic!("the browser's session ended while waiting on {waiting_on} (its browser exited: see the driver log in the evidence): {e}")
    }
}

pub mod analytics_api;
pub mod analytics_ui;
pub mod api;
pub mod axe;
pub mod consent;
pub mod crash;
pub mod cron;
pub mod csp;
pub mod engines;
pub mod evidence;
pub mod flows;
pub mod local_r2;
pub mod own_worker;
pub mod poll;
pub mod posts;
pub mod schedule;
pub mod soak;
