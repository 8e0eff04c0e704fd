//! `cargo xtask bench` helper: probe each file given on the command line in one browser engine
//! (`--engine chromium|firefox|webkit`), 7 times, and print the median milliseconds the page
//! measured (performance.now() around the Blob.slice reads), one line per file.

use fantoccini::Locator;
use letspost_e2e::{Engine, app_url, browser_in, wait_text};

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1).peekable();
    let engine = match (args.next().as_deref(), args.next().as_deref()) {
        (Some("--engine"), Some("chromium")) => Engine::Chromium,
        (Some("--engine"), Some("firefox")) => Engine::Firefox,
        (Some("--engine"), Some("webkit")) => Engine::WebKit,
        _ => panic!("usage: browser-bench --engine chromium|firefox|webkit FILE..."),
    };
    let c = browser_in(engine).await;
    for file in args {
        let path = std::fs::canonicalize(&file).unwrap().display().to_string();
        let mut times = Vec::new();
        for _ in 0..7 {
            c.goto(&format!("{}/compose", app_url())).await.unwrap();
            let input = c.wait().for_element(Locator::Css("[data-testid=video-input]")).await.unwrap();
            input.send_keys(&path).await.unwrap();
            wait_text(&c, "[data-testid=verdict]", |t| !t.is_empty()).await;
            let result = c.find(Locator::Css("[data-testid=check-result]")).await.unwrap();
            let ms: f64 = result.attr("data-millis").await.unwrap().unwrap().parse().unwrap();
            times.push(ms);
        }
        times.sort_by(f64::total_cmp);
        println!("{}", times[times.len() / 2]);
    }
    c.close().await.unwrap();
}
