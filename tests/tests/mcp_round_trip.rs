//! `letspost mcp` driven by a real MCP client, the official Python SDK (pinned in
//! tests/python/requirements.txt, installed by `cargo xtask test`): it lists the tools, checks a
//! video, creates a post from a file and sees it published with its bytes at TikTok, and a
//! refused file comes back as a tool error with TikTok's reason.

use letspost_e2e::api::connected_creator;
use letspost_e2e::posts::{caption, fixture, sha256_hex, tiktok_posts, unique_video};
use serde_json::{Value, json};

#[tokio::test]
async fn an_mcp_client_lists_the_tools_and_publishes_a_file() {
    let python = std::env::var("LETSPOST_PYTHON").expect("LETSPOST_PYTHON is not set: run the end-to-end tests with `cargo xtask test`");
    let cli = std::env::var("LETSPOST_CLI").expect("LETSPOST_CLI");
    let (s, open_id) = connected_creator("mcp").await;
    let made = s.post("/api/keys", json!({ "name": "assistant", "accounts": [open_id] })).await;
    assert_eq!(made.status, 201, "{}", made.body);
    let key = made.body["secret"].as_str().unwrap().to_string();
    let dir = std::env::temp_dir().join(format!("letspost-mcp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let video = unique_video(50_000);
    let (good, refused) = (dir.join("good.mp4"), dir.join("short.mp4"));
    std::fs::write(&good, &video).unwrap();
    std::fs::write(&refused, fixture("too_short.mp4")).unwrap();
    let cap = caption("mcp round trip");
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("python/mcp_round_trip.py");
    let mut cmd = std::process::Command::new(python);
    cmd.arg(script).args([&cli, &open_id]).arg(&good).arg(&refused).arg(&cap).env("LETSPOST_URL", s.base()).env("LETSPOST_KEY", &key);
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let seen: Value = serde_json::from_str(stdout.lines().last().unwrap_or_default()).unwrap_or_else(|e| panic!("{e}: {stdout}"));

    assert_eq!(seen["server"], "letspost");
    let tools: Vec<&str> = seen["tools"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    assert_eq!(tools, ["cancel_post", "check_video", "create_post", "get_post", "list_accounts", "list_posts", "next_free_time"]);
    assert_eq!(seen["schemas_described"], true);
    assert_eq!(seen["accounts"][0]["open_id"], json!(open_id), "{seen}");
    assert_eq!(seen["check"], "ok");
    assert_eq!((seen["create_error"].as_bool(), seen["post"]["state"].as_str()), (Some(false), Some("published")), "{seen}");
    assert!(seen["post"]["post_url"].is_string(), "{seen}");
    assert_eq!((seen["get_post_state"].as_str(), seen["listed"].as_bool()), (Some("published"), Some(true)));
    assert_eq!(seen["refused_is_error"], true);
    assert!(seen["refused_says"].as_str().unwrap().contains("too_short"), "{seen}");
    assert_eq!(seen["unknown_account_is_error"], true);
    let at_tiktok = tiktok_posts(&cap).await;
    assert_eq!(at_tiktok.len(), 1, "{at_tiktok:?}");
    assert_eq!(at_tiktok[0]["sha256"], sha256_hex(&video));
    assert!(!stdout.contains(&key), "the key reached the client's output");
}
