//! A browser that exits under a flow. WebKitGTK 2.50 ends the WebDriver session when a web
//! process dies (WebKit's own fix, PR #72307, is newer than Debian's 2.50.6), and the flow then
//! fails on a dead session, not on LetsPost. Such a flow runs once more in a new browser, after
//! its evidence (with the driver log's last lines) is saved and printed; a second exit, or any
//! other failure, fails the test as before.

use crate::Engine;
use std::future::Future;

/// Whether a panic's message says the browser's session went away, rather than the page.
pub fn says_browser_gone(message: &str) -> bool {
    ["the browser's session ended", "InvalidSessionId", "invalid session id", "Lost(Os"].iter().any(|s| message.contains(s))
}

fn message_of(payload: &(dyn std::any::Any + Send)) -> String {
    payload.downcast_ref::<String>().cloned().or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default()
}

/// Run `flow`; if its browser exits under it, say so and run it once more.
pub async fn once_more_if_the_browser_exits<F, Fut>(engine: Engine, flow: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    // On the test's own current-thread runtime: the task runs on the test's thread, so the
    // evidence hook still files it under the test's name.
    let first = tokio::spawn(flow()).await;
    let Err(e) = first else { return };
    let payload = match e.try_into_panic() {
        Ok(p) => p,
        Err(e) => panic!("the flow was cancelled: {e}"),
    };
    let message = message_of(&*payload);
    if !says_browser_gone(&message) {
        std::panic::resume_unwind(payload);
    }
    let test = crate::evidence::test_name();
    let folder = crate::evidence::folder_of(&test);
    let _ = std::fs::create_dir_all(&folder);
    let note = folder.join("browser-exited.txt");
    let _ = std::fs::write(&note, format!("{} exited under the flow; it ran once more in a new browser.\n{message}\n", engine.name()));
    eprintln!("{test}: {} exited under the flow ({message}); running it once more in a new browser", engine.name());
    flow().await;
}

#[cfg(test)]
mod tests {
    use super::says_browser_gone;

    #[test]
    fn a_dead_session_is_told_from_a_failing_page() {
        assert!(says_browser_gone("the browser's session ended while waiting on [data-testid=account]"));
        assert!(says_browser_gone("called `Result::unwrap()` on an `Err` value: Standard(WebDriver { error: InvalidSessionId, message: \"\" })"));
        assert!(!says_browser_gone("timed out waiting on [data-testid=verdict]; last text: \"<element not found>\""));
        assert!(!says_browser_gone("assertion failed: post_now_enabled(&c).await"));
    }
}
