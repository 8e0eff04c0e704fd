//! A 287.6 MB upload through the real binary: its peak memory stays a few MB above idle,
//! because chunks stream to disk and into the hash. Prints the figure (VmHWM).

use serde_json::json;
use std::process::{Command, Stdio};
use tiktok_rules::chunk::ChunkPlan;
use tiktok_rules::pkce::{ChallengeEncoding, challenge};

fn vm_hwm_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

struct Kill(std::process::Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn uploading_287_mb_needs_little_memory() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_tiktok-emulator"))
        .args(["--addr", &format!("127.0.0.1:{port}"), "--test-hooks", "--processing-ms", "0"])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let emu = Kill(child);
    let http = reqwest::Client::new();
    for _ in 0..100 {
        if http.get(format!("{base}/health")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let verifier = "v".repeat(43);
    let redirect = "http://127.0.0.1:9/cb";
    let code: serde_json::Value = http
        .post(format!("{base}/__emulator/authorize"))
        .json(&json!({"open_id": "open-ana", "redirect_uri": redirect, "code_challenge": challenge(&verifier, ChallengeEncoding::Base64url)}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let form = [
        ("client_key", "letspost-local"),
        ("client_secret", "letspost-local-secret"),
        ("code", code["code"].as_str().unwrap()),
        ("grant_type", "authorization_code"),
        ("redirect_uri", redirect),
        ("code_verifier", &verifier),
    ];
    let tok: serde_json::Value = http.post(format!("{base}/v2/oauth/token/")).form(&form).send().await.unwrap().json().await.unwrap();
    let token = tok["access_token"].as_str().unwrap();
    let idle = vm_hwm_kib(emu.0.id());

    let plan = ChunkPlan::for_size(287_600_000).unwrap();
    let init: serde_json::Value = http
        .post(format!("{base}/v2/post/publish/video/init/"))
        .bearer_auth(token)
        .json(&json!({"post_info": {"title": "big", "privacy_level": "SELF_ONLY"}, "source_info": tiktok_rules::api::SourceInfo::from(plan)}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = init["data"]["upload_url"].as_str().unwrap();
    for i in 0..plan.total_chunk_count {
        let r = http
            .put(url)
            .header("content-type", "video/mp4")
            .header("content-range", plan.content_range(i))
            .body(vec![(i % 251) as u8; plan.chunk_len(i) as usize])
            .send()
            .await
            .unwrap();
        assert!(r.status() == 206 || r.status() == 201, "chunk {i}: {}", r.status());
    }
    let peak = vm_hwm_kib(emu.0.id());
    let posts: serde_json::Value = http.get(format!("{base}/__emulator/posts")).send().await.unwrap().json().await.unwrap();
    assert_eq!(posts[0]["bytes_received"], 287_600_000u64);
    println!("emulator peak RSS (VmHWM): idle {:.1} MiB, after a 287.6 MB upload {:.1} MiB", idle as f64 / 1024.0, peak as f64 / 1024.0);
    assert!(peak < 64 * 1024, "peak {peak} KiB");
}
