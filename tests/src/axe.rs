//! axe-core, the accessibility engine nobody here wrote, run on a page as it stands: the
//! pinned npm `axe-core` (package.json) is injected through WebDriver and any violation, of
//! any impact, fails the test with the rule, its help text and the offending elements.

use fantoccini::Client;
use serde_json::Value;
use std::sync::OnceLock;

/// `axe.min.js` from the project's node_modules (`cargo xtask` runs `npm ci` before the suite).
fn source() -> &'static str {
    static SOURCE: OnceLock<String> = OnceLock::new();
    SOURCE.get_or_init(|| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../node_modules/axe-core/axe.min.js");
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e} (run the suite with `cargo xtask test`, which installs it)", path.display()))
    })
}

/// The violations axe finds on the page now, one line each (empty: none).
pub async fn violations(c: &Client) -> Vec<String> {
    let loaded = c.execute("return typeof window.axe === 'object'", vec![]).await.unwrap();
    if loaded != Value::Bool(true) {
        c.execute(&format!("{};\nreturn true;", source()), vec![]).await.expect("axe-core injected");
    }
    // Every rule axe runs by default (WCAG 2 A/AA and its best practices), whole document.
    let js = r#"
        const done = arguments[arguments.length - 1];
        axe.run(document, { resultTypes: ['violations'] })
          .then(r => done({ passed: r.passes.length, violations: r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.map(n => ({ target: n.target.join(' '), html: n.html.slice(0, 160), why: n.failureSummary })) })) }))
          .catch(e => done({ error: String(e) }));
    "#;
    let found = c.execute_async(js, vec![]).await.expect("axe.run answered");
    if let Some(e) = found.get("error") {
        panic!("axe.run failed: {e}");
    }
    // A page that rendered nothing passes every rule vacuously: it must have passed many.
    let passed = found["passed"].as_u64().unwrap_or(0);
    assert!(passed >= 10, "axe-core passed only {passed} rules: the page has not rendered");
    found["violations"]
        .as_array()
        .expect("a list of violations")
        .iter()
        .map(|v| {
            let nodes: Vec<String> = v["nodes"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|n| {
                    format!(
                        "    {} — {} — {}",
                        n["target"].as_str().unwrap_or(""),
                        n["html"].as_str().unwrap_or(""),
                        n["why"].as_str().unwrap_or("").replace('\n', " ")
                    )
                })
                .collect();
            format!("{} ({}): {}\n{}", v["id"].as_str().unwrap_or("?"), v["impact"].as_str().unwrap_or("?"), v["help"].as_str().unwrap_or(""), nodes.join("\n"))
        })
        .collect()
}

/// Fail unless axe finds nothing on the page in the state `what` names.
pub async fn assert_accessible(c: &Client, what: &str) {
    let found = violations(c).await;
    assert!(found.is_empty(), "axe-core: {} violation(s) on {what}:\n{}", found.len(), found.join("\n"));
}

/// Chromium's own network throttling (ChromeDriver's `network_conditions`): a slow phone
/// link, so that a state that lasts a moment on loopback (an upload) stays on screen.
#[derive(Debug)]
pub struct Throttle(pub Option<u64>);

impl fantoccini::wd::WebDriverCompatibleCommand for Throttle {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/chromium/network_conditions", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        match self.0 {
            None => (http::Method::DELETE, None),
            Some(bytes_per_sec) => {
                let body = serde_json::json!({ "network_conditions": {
                    "offline": false, "latency": 0, "download_throughput": bytes_per_sec, "upload_throughput": bytes_per_sec } });
                (http::Method::POST, Some(body.to_string()))
            }
        }
    }
}

/// Throttle Chromium's network to `bytes_per_sec` (`None`: full speed again).
pub async fn throttle(c: &Client, bytes_per_sec: Option<u64>) {
    c.issue_cmd(Throttle(bytes_per_sec)).await.expect("ChromeDriver's network conditions");
}
