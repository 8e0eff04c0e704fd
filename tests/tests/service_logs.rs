//! Runs after every other end-to-end binary (xtask orders it last): what the Worker (wrangler
//! dev and workerd), the TikTok emulator and ChromeDriver printed during the whole suite holds
//! no token the emulator ever issued, no client secret, no token key and no API key's secret; every line LetsPost's
//! Worker logged is one JSON object with its level and event; and no page reported a CSP
//! violation but the suite's own guards.

use letspost_e2e::csp::GUARD_HOST;
use letspost_e2e::{emulator_url, http};
use serde_json::Value;

fn logs() -> Vec<(String, String)> {
    let dir = std::env::var("LETSPOST_SERVICE_LOGS").expect("LETSPOST_SERVICE_LOGS is not set: run the end-to-end tests with `cargo xtask test`");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .filter_map(|e| e.ok())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), String::from_utf8_lossy(&std::fs::read(e.path()).unwrap()).into_owned()))
        .collect();
    out.sort();
    out
}

/// The JSON object a line of LetsPost's Worker carries: wrangler wraps what workerd prints in
/// its own markers (`▲ [WARNING] … ESC[0m`), so it is what lies between the first `{` and the
/// last `}` of a line that names an event.
fn worker_line(line: &str) -> Option<&str> {
    let start = line.find("{\"level\":")?;
    let end = line.rfind('}')?;
    Some(&line[start..=end])
}

#[tokio::test]
async fn the_services_logs_hold_no_secret_and_the_workers_lines_are_json() {
    let logs = logs();
    let worker = logs.iter().find(|(name, _)| name == "wrangler-dev.log").map(|(_, text)| text.as_str()).expect("the Worker's log");
    assert!(logs.iter().any(|(name, _)| name == "tiktok-emulator.log"), "the emulator's log: {:?}", logs.iter().map(|l| &l.0).collect::<Vec<_>>());

    let tokens: Value = http().get(format!("{}/__emulator/grants", emulator_url())).send().await.unwrap().json().await.unwrap();
    let mut secrets: Vec<String> = tokens["tokens"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_string()).collect();
    assert!(!secrets.is_empty(), "the suite connected accounts, so the emulator issued tokens");
    secrets.push("letspost-local-secret".into());
    secrets.push(std::env::var("LETSPOST_TOKEN_KEY").expect("the run's token key"));
    for (name, text) in &logs {
        for s in &secrets {
            assert!(!text.contains(s.as_str()), "{name} holds a token or secret: {}…", &s[..s.len().min(8)]);
        }
        // Every API key's secret has one shape, whichever test made it.
        let keys = letspost_e2e::api::key_secrets_in(text);
        assert!(keys.is_empty(), "{name} holds an API key's secret: {}…", &keys[0][..8]);
    }

    let lines: Vec<&str> = worker.lines().filter_map(worker_line).collect();
    assert!(!lines.is_empty(), "the Worker logged nothing (the CSP guards alone log a line each)");
    let mut violations = Vec::new();
    for line in &lines {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("not one JSON object ({e}): {line}"));
        assert!(["error", "warn", "info"].contains(&v["level"].as_str().unwrap_or_default()), "{line}");
        assert!(v["event"].as_str().is_some_and(|e| !e.is_empty()), "{line}");
        if v["event"] == "csp_violation" && !v["blocked"].as_str().unwrap_or_default().starts_with(GUARD_HOST) {
            violations.push(v);
        }
    }
    assert!(violations.is_empty(), "pages broke their CSP during the suite: {violations:#?}");
    assert!(lines.iter().any(|l| l.contains(GUARD_HOST)), "no guard's report was logged: is the CSP report logged?");
}
