//! The pause between two looks in a polling loop: quick at first, then slower the longer the
//! wait. Each look at a page is a WebDriver find and a text read, about 16 ms of the browser's
//! and driver's CPU (measured in Chromium); at a steady 100 ms a browser waiting two minutes on
//! a schedule spent a sixth of a core looking, on a machine where the browsers are the bound.
//! What a test measures comes from timestamps, never from when a look happened to see it.

use std::time::{Duration, Instant};

pub struct Poll {
    started: Instant,
}

impl Poll {
    pub fn new() -> Poll {
        Poll { started: Instant::now() }
    }

    /// 100 ms for the first 2 s, 250 ms to 5 s, 500 ms to 15 s, then 1 s.
    pub fn interval(waited: Duration) -> Duration {
        let ms = match waited.as_secs() {
            0..2 => 100,
            2..5 => 250,
            5..15 => 500,
            _ => 1_000,
        };
        Duration::from_millis(ms)
    }

    pub async fn pause(&self) {
        tokio::time::sleep(Self::interval(self.started.elapsed())).await;
    }
}

impl Default for Poll {
    fn default() -> Poll {
        Poll::new()
    }
}

#[cfg(test)]
mod tests {
    use super::Poll;
    use std::time::Duration;

    #[test]
    fn quick_at_first_then_at_most_a_second() {
        assert_eq!(Poll::interval(Duration::ZERO), Duration::from_millis(100));
        assert_eq!(Poll::interval(Duration::from_millis(4_900)), Duration::from_millis(250));
        assert_eq!(Poll::interval(Duration::from_secs(10)), Duration::from_millis(500));
        assert_eq!(Poll::interval(Duration::from_secs(600)), Duration::from_secs(1));
    }
}
