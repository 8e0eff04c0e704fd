//! What happened after a post went out (issue 33), in Chromium, Firefox and WebKit: a published
//! post's numbers and charts on `/posts` ("Refresh numbers" and its back-off), the followers
//! chart on `/accounts`, and "Use suggested times" (`letspost_e2e::analytics_ui`). In Chromium
//! the same states pass axe and are photographed at 1280 and 390 px. Test names start with the
//! engine; a flow whose browser exits under it runs once more (`letspost_e2e::crash`).

macro_rules! analytics_flows {
    ($engine:ident, $variant:expr) => {
        mod $engine {
            use letspost_e2e::Engine;
            use letspost_e2e::analytics_ui;
            use letspost_e2e::crash::once_more_if_the_browser_exits;
            const ENGINE: Engine = $variant;

            #[tokio::test]
            async fn numbers_and_charts() {
                once_more_if_the_browser_exits(ENGINE, || analytics_ui::numbers_and_charts(ENGINE)).await;
            }
        }
    };
}

analytics_flows!(chromium, Engine::Chromium);
analytics_flows!(firefox, Engine::Firefox);
analytics_flows!(webkit, Engine::WebKit);
