//! `letspost` the CLI (issue 34) against the emulator and the Worker in workerd, with a
//! personal API key: login keeps the key 0600; a good file goes `--wait` to published with
//! its very bytes at TikTok; a refused file exits 1 with TikTok's reason and creates nothing;
//! a connection cut mid-upload resumes without a second post; `--queue` takes the next free time.

use letspost_e2e::api::{Session, connected_creator};
use letspost_e2e::posts::{caption, fixture, now_ms, sha256_hex, tiktok_posts, unique_video};
use letspost_e2e::schedule::slot_json;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn cli() -> PathBuf {
    PathBuf::from(std::env::var("LETSPOST_CLI").expect("LETSPOST_CLI is not set: run the end-to-end tests with `cargo xtask test`"))
}

/// A folder of this test's own (its config and its videos).
fn folder(label: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("letspost-cli-{label}-{}-{}", std::process::id(), now_ms()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A connected creator, a key for it, and the folder the CLI keeps its login in.
async fn creator_with_key(label: &str) -> (Session, String, String, String) {
    let (s, open_id) = connected_creator(label).await;
    let made = s.post("/api/keys", json!({ "name": format!("cli {label}"), "accounts": [open_id] })).await;
    assert_eq!(made.status, 201, "{}", made.body);
    let username = s.account(&open_id).await.unwrap()["username"].as_str().unwrap().to_string();
    (s, open_id, username, made.body["secret"].as_str().unwrap().to_string())
}

/// Run `letspost ARGS` (blocking, off the runtime) against `url` with `key` in the environment.
async fn run(url: &str, key: &str, config: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(cli());
    cmd.args(args).env("LETSPOST_URL", url).env("LETSPOST_KEY", key).env("LETSPOST_CONFIG_DIR", config).stdin(Stdio::null());
    tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap()
}

fn text(o: &Output) -> String {
    format!("exit {:?}\nstdout: {}\nstderr: {}", o.status.code(), String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn json_out(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(o)))
}

#[tokio::test]
async fn login_keeps_the_key_private_and_a_good_file_is_published_with_its_bytes() {
    let (s, open_id, username, key) = creator_with_key("cligood").await;
    let dir = folder("good");
    // login: the key on stdin, kept 0600; then no key in the environment is needed.
    let mut login = Command::new(cli());
    login.args(["login", "--url", &s.base()]).env("LETSPOST_CONFIG_DIR", &dir).env_remove("LETSPOST_KEY").stdin(Stdio::piped()).stdout(Stdio::piped());
    let k = key.clone();
    let out = tokio::task::spawn_blocking(move || {
        let mut child = login.spawn().unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), format!("{k}\n").as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let kept = dir.join("login.json");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&kept).unwrap().permissions().mode() & 0o777, 0o600);
    let accounts = {
        let mut c = Command::new(cli());
        c.args(["accounts", "--json"]).env("LETSPOST_CONFIG_DIR", &dir).env_remove("LETSPOST_KEY").env_remove("LETSPOST_URL");
        tokio::task::spawn_blocking(move || c.output().unwrap()).await.unwrap()
    };
    assert!(accounts.status.success(), "{}", text(&accounts));
    assert_eq!(json_out(&accounts)[0]["open_id"], json!(open_id));

    let video = unique_video(300_000);
    let file = dir.join("clip.mp4");
    std::fs::write(&file, &video).unwrap();
    let cap = caption("cli good");
    let out = run(&s.base(), &key, &dir, &["post", file.to_str().unwrap(), "--account", &format!("@{username}"), "--caption", &cap, "--wait", "--json"]).await;
    assert!(out.status.success(), "{}", text(&out));
    let post = &json_out(&out)["posts"][0];
    assert_eq!(post["state"], "published", "{post}");
    assert!(post["post_url"].is_string(), "{post}");
    let at_tiktok = tiktok_posts(&cap).await;
    assert_eq!(at_tiktok.len(), 1, "{at_tiktok:?}");
    assert_eq!(at_tiktok[0]["sha256"], sha256_hex(&video), "byte-identical media at TikTok");
    // `posts` lists it; the same command again makes no second post.
    let listed = run(&s.base(), &key, &dir, &["posts", "--json"]).await;
    assert!(json_out(&listed).as_array().unwrap().iter().any(|p| p["id"] == post["id"]), "{}", text(&listed));
    let again = run(&s.base(), &key, &dir, &["post", file.to_str().unwrap(), "--account", &open_id, "--caption", &cap, "--json"]).await;
    assert!(again.status.success(), "{}", text(&again));
    assert_eq!(json_out(&again)["posts"][0]["id"], post["id"]);
    assert_eq!(tiktok_posts(&cap).await.len(), 1);
    // The key never reaches what the CLI prints.
    assert!(![&out, &listed, &again, &accounts].iter().any(|o| text(o).contains(&key)));
}

#[tokio::test]
async fn a_refused_file_exits_1_with_tiktoks_reason_and_nothing_is_created() {
    let (s, open_id, _, key) = creator_with_key("clirefused").await;
    let dir = folder("refused");
    let good = dir.join("good.mp4");
    std::fs::write(&good, unique_video(2_000)).unwrap();
    let short = dir.join("short.mp4");
    std::fs::write(&short, fixture("too_short.mp4")).unwrap();
    let cap = caption("cli refused");
    let out = run(&s.base(), &key, &dir, &["post", good.to_str().unwrap(), short.to_str().unwrap(), "--account", &open_id, "--caption", &cap]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("short.mp4") && err.contains("too_short") && err.contains("nothing was uploaded"), "{err}");
    let posts = s.get("/api/posts").await;
    assert!(posts.body["posts"].as_array().unwrap().iter().all(|p| p["caption"] != json!(cap)), "{}", posts.body);
    // A usage error is 2, a key that is not one 3.
    assert_eq!(run(&s.base(), &key, &dir, &["post", good.to_str().unwrap()]).await.status.code(), Some(2));
    let bad = run(&s.base(), &format!("lp_{}", "Z".repeat(43)), &dir, &["accounts"]).await;
    assert_eq!(bad.status.code(), Some(3), "{}", text(&bad));
}

/// A TCP proxy to the Worker that cuts the first connection once `cut_after` bytes went up it.
async fn cutting_proxy(upstream: String, cut_after: usize) -> (String, Arc<AtomicBool>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let cut = Arc::new(AtomicBool::new(false));
    let did = cut.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut client, _)) = listener.accept().await else { return };
            let upstream = upstream.clone();
            let cut = did.clone();
            tokio::spawn(async move {
                let Ok(mut server) = tokio::net::TcpStream::connect(&upstream).await else { return };
                let (mut cr, mut cw) = client.split();
                let (mut sr, mut sw) = server.split();
                let up = async {
                    let mut buf = vec![0u8; 16 * 1024];
                    let mut sent = 0;
                    loop {
                        let n = cr.read(&mut buf).await.unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        sent += n;
                        if sent > cut_after && !cut.swap(true, Ordering::SeqCst) {
                            return; // the cut: both directions dropped mid-request
                        }
                        if sw.write_all(&buf[..n]).await.is_err() {
                            return;
                        }
                    }
                };
                let down = tokio::io::copy(&mut sr, &mut cw);
                tokio::select! { _ = up => {}, _ = down => {} }
            });
        }
    });
    (format!("http://{addr}"), cut)
}

#[tokio::test]
async fn a_connection_cut_mid_upload_resumes_without_a_second_post() {
    let (s, open_id, _, key) = creator_with_key("clicut").await;
    let dir = folder("cut");
    let video = unique_video(1_500_000);
    let file = dir.join("long.mp4");
    std::fs::write(&file, &video).unwrap();
    let upstream = s.base().trim_start_matches("http://").to_string();
    let (proxy, cut) = cutting_proxy(upstream, 600_000).await;
    let cap = caption("cli cut");
    let out = run(&proxy, &key, &dir, &["post", file.to_str().unwrap(), "--account", &open_id, "--caption", &cap, "--wait", "--json"]).await;
    assert!(cut.load(Ordering::SeqCst), "the proxy never cut the upload");
    assert!(out.status.success(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("resuming"), "{}", text(&out));
    assert_eq!(json_out(&out)["posts"][0]["state"], "published");
    let at_tiktok = tiktok_posts(&cap).await;
    assert_eq!(at_tiktok.len(), 1, "one post, not two: {at_tiktok:?}");
    assert_eq!(at_tiktok[0]["sha256"], sha256_hex(&video));
    let mine: Vec<Value> = s.get("/api/posts").await.body["posts"].as_array().unwrap().iter().filter(|p| p["caption"] == json!(cap)).cloned().collect();
    assert_eq!(mine.len(), 1, "{mine:?}");
}

#[tokio::test]
async fn queue_takes_the_accounts_next_free_time() {
    let (s, open_id, _, key) = creator_with_key("cliqueue").await;
    let (slot, at_ms) = slot_json(now_ms() + 3 * 3_600_000);
    let put = s
        .send(
            reqwest::Method::PUT,
            &format!("/api/accounts/{open_id}/schedule"),
            Some(json!({ "schedule": { "time_zone": "UTC", "slots": [slot] } })),
            Some(&s.base()),
        )
        .await;
    assert_eq!(put.status, 200, "{}", put.body);
    let next = s.get(&format!("/api/accounts/{open_id}/queue")).await.body["next_free_at"].clone();
    assert_eq!(next, json!(letspost_core::time_fmt::rfc3339_utc(at_ms)));
    let dir = folder("queue");
    let file = dir.join("q.mp4");
    std::fs::write(&file, unique_video(2_000)).unwrap();
    let out =
        run(&s.base(), &key, &dir, &["post", file.to_str().unwrap(), "--account", &open_id, "--caption", &caption("cli queue"), "--queue", "--json"]).await;
    assert!(out.status.success(), "{}", text(&out));
    let post = &json_out(&out)["posts"][0];
    assert_eq!((post["state"].as_str(), &post["publish_at"]), (Some("scheduled"), &next), "{post}");
    // `--at` in the account's zone: a wall-clock time, read in UTC here.
    let later = letspost_core::time_fmt::rfc3339_utc(at_ms + 3_600_000);
    let wall = later[..16].replace('T', " ");
    let file2 = dir.join("at.mp4");
    std::fs::write(&file2, unique_video(2_000)).unwrap();
    let out = run(&s.base(), &key, &dir, &["post", file2.to_str().unwrap(), "--account", &open_id, "--at", &wall, "--json"]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(json_out(&out)["posts"][0]["publish_at"], json!(later));
}
