//! `letspost post FILE... --account NAME …`: every file checked by the probe first (one
//! refused file: its reason is printed and nothing is uploaded); then per file a create with
//! an `Idempotency-Key` of its own, the parts the Worker asked for with a progress bar, resumed
//! from what the Worker stored after a dropped connection; with `--wait`, followed to
//! published (its link) or failed (its reason, exit 1).
//!
//! The key is derived from the file (path, size, modified time) and the request's body: the
//! same command run again, after a crash or a cut, reaches the same post and only resumes.

use crate::args::{Caption, PostArgs, When};
use crate::client::Client;
use crate::config;
use crate::exit::Failure;
use indicatif::{ProgressBar, ProgressStyle};
use post_lifecycle::{CreatePost, Mode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::time::Duration;
use tiktok_rules::api::CreatorInfo;
use tiktok_rules::media::Verdict;
use tiktok_rules::privacy::PrivacyLevel;

/// Tries in a row without a byte more stored before the upload gives up (exit 4).
const TRIES: u32 = 8;

/// One post for people: state, time, account, caption, link or reason.
pub fn line(p: &Value) -> String {
    let s = |k: &str| p[k].as_str().unwrap_or("");
    let when = p["published_at"].as_str().or(p["publish_at"].as_str()).unwrap_or("now");
    let mut out = format!("{}\t{}\t{}\t{}\t{}", s("id"), s("state"), when, s("account"), s("caption"));
    if let Some(url) = p["post_url"].as_str() {
        out.push_str(&format!("\t{url}"));
    }
    if let Some(m) = p["error"]["message"].as_str() {
        out.push_str(&format!("\t{m}"));
    }
    out
}

pub fn find_account(c: &Client, name: &str) -> Result<Value, Failure> {
    let accounts = crate::session::accounts_of(c)?;
    let wanted = name.trim_start_matches('@');
    accounts.into_iter().find(|a| a["open_id"] == name || a["username"] == wanted).ok_or_else(|| {
        Failure::Refused(format!("this key can't post to {name:?}: `letspost accounts` lists the accounts it may post to (by @username or open_id)"))
    })
}

/// A key for this file and this request: same file, same body → the same post.
pub fn idempotency_key(path: &Path, body: &[u8]) -> String {
    let meta = std::fs::metadata(path).ok();
    let modified = meta.as_ref().and_then(|m| m.modified().ok()).and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos());
    let full = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let mut h = Sha256::new();
    h.update(full.to_string_lossy().as_bytes());
    h.update(meta.map_or(0, |m| m.len()).to_be_bytes());
    h.update(modified.to_be_bytes());
    h.update(body);
    let hex: String = h.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("letspost-cli-{hex}")
}

pub fn run(a: &PostArgs) -> Result<(), Failure> {
    let c = Client::new(&config::load().map_err(Failure::Auth)?)?;
    let done = publish(&c, a, !a.json)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&json!({ "posts": done })).unwrap_or_default());
    }
    let failed: Vec<String> = done
        .iter()
        .filter(|p| matches!(p["state"].as_str(), Some("failed" | "cancelled")))
        .filter_map(|p| p["error"]["message"].as_str().map(str::to_string))
        .collect();
    if a.wait && done.iter().any(|p| matches!(p["state"].as_str(), Some("failed" | "cancelled"))) {
        return Err(Failure::Refused(format!("TikTok did not publish: {}", failed.join("; "))));
    }
    Ok(())
}

/// The posts of `a`, made (and followed with `--wait`); `talk`: a progress bar and a line per
/// file for people (the MCP server and `--json` stay quiet).
pub fn publish(c: &Client, a: &PostArgs, talk: bool) -> Result<Vec<Value>, Failure> {
    let account = find_account(c, &a.account)?;
    let open_id = account["open_id"].as_str().unwrap_or_default().to_string();
    let info: CreatorInfo = serde_json::from_value(c.get(&format!("/api/accounts/{open_id}/creator-info"))?["creator_info"].clone())
        .map_err(|e| Failure::Unreachable(format!("LetsPost's creator_info was not understood: {e}")))?;

    // Every file first: one TikTok would refuse stops the whole run before a byte is sent.
    let mut refused = Vec::new();
    for f in &a.files {
        if f.is_dir() {
            return Err(Failure::Usage(format!("{} is a folder, not a video file", f.display())));
        }
        let r =
            crate::check::probe_file(f).map_err(|e| Failure::Usage(format!("cannot read {}: {e}", f.display())))?.for_creator(info.max_video_post_duration_sec);
        if r.verdict == Verdict::Error {
            refused.push(r.line());
        }
    }
    if !refused.is_empty() {
        return Err(Failure::Refused(format!("TikTok would refuse {} file(s); nothing was uploaded:\n{}", refused.len(), refused.join("\n"))));
    }

    let caption = match &a.caption {
        Caption::Text(t) => t.clone(),
        Caption::File(p) => std::fs::read_to_string(p).map_err(|e| Failure::Usage(format!("--caption-file {}: {e}", p.display())))?.trim_end().to_string(),
    };
    let privacy = match (a.draft, a.privacy) {
        (true, _) => None,
        (false, Some(p)) if info.privacy_level_options.contains(&p) => Some(p),
        (false, Some(p)) => {
            let offered: Vec<&str> = info.privacy_level_options.iter().map(|o| o.as_str()).collect();
            return Err(Failure::Refused(format!("@{} can't post as {}: TikTok offers {}", info.creator_username, p.as_str(), offered.join(", "))));
        }
        // As the composer does: public where the account allows it.
        (false, None) => PrivacyLevel::default_choice(PrivacyLevel::PublicToEveryone, &info.privacy_level_options),
    };
    let publish_at = match &a.when {
        When::At(t) => {
            let zone = c.get(&format!("/api/accounts/{open_id}/schedule"))?["schedule"]["time_zone"].as_str().unwrap_or("UTC").to_string();
            let ms = crate::when::parse_at(t, &zone).map_err(Failure::Usage)?;
            Some(letspost_core::time_fmt::rfc3339_utc(ms.max(0) as u64))
        }
        _ => None,
    };

    let mut done = Vec::new();
    for f in &a.files {
        let size = std::fs::metadata(f).map_err(|e| Failure::Usage(format!("{}: {e}", f.display())))?.len();
        let body = CreatePost {
            account: open_id.clone(),
            mode: if a.draft { Mode::Draft } else { Mode::Direct },
            caption: caption.clone(),
            privacy_level: privacy.map(|p| p.as_str().to_string()).unwrap_or_default(),
            disable_comment: a.no_comment || info.comment_disabled,
            disable_duet: a.no_duet || info.duet_disabled,
            disable_stitch: a.no_stitch || info.stitch_disabled,
            brand_content_toggle: false,
            brand_organic_toggle: false,
            is_aigc: false,
            video_cover_timestamp_ms: None,
            publish_at: publish_at.clone(),
            queue: a.when == When::Queue,
            video_size: size,
        };
        let body = serde_json::to_value(&body).map_err(|e| Failure::Usage(e.to_string()))?;
        let key = idempotency_key(f, body.to_string().as_bytes());
        let created = c.ok(reqwest::Method::POST, "/api/posts", Some(&body), Some(&key))?;
        let id = created["post"]["id"].as_str().unwrap_or_default().to_string();
        if created["post"]["state"] == "awaiting_media" {
            upload(c, f, &created, !talk)?;
        }
        let mut post = c.get(&format!("/api/posts/{id}"))?["post"].clone();
        if a.wait {
            post = wait(c, &id)?;
        }
        if talk {
            println!("{}: {}", f.display(), line(&post));
        }
        done.push(post);
    }
    Ok(done)
}

/// The parts, from what the Worker has (all of them the first time), resumed after a failure.
fn upload(c: &Client, path: &Path, created: &Value, quiet: bool) -> Result<(), Failure> {
    let url = created["upload"]["url"].as_str().unwrap_or_default().to_string();
    let part = created["upload"]["chunk_size"].as_u64().unwrap_or(1).max(1);
    let total = created["post"]["video_size"].as_u64().unwrap_or(0);
    let bar = if quiet { ProgressBar::hidden() } else { ProgressBar::new(total) };
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}, {eta} left")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
    let mut received = c.get(&url).ok().and_then(|v| v["received_bytes"].as_u64()).unwrap_or(0);
    let mut tries = 0;
    while received < total {
        bar.set_position(received);
        let first = received;
        let last = (first + part).min(total) - 1;
        let mut file = std::fs::File::open(path).map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
        file.seek(SeekFrom::Start(first)).map_err(|e| Failure::Usage(e.to_string()))?;
        let reader = bar.wrap_read(file.take(last - first + 1));
        let outcome = c.put_part(&url, first, last, total, reader);
        match outcome {
            Ok((200..=299, answer)) => {
                received = answer["received_bytes"].as_u64().unwrap_or(last + 1);
                tries = 0;
                continue;
            }
            Ok((416, answer)) => {
                received = answer["received_bytes"].as_u64().unwrap_or(received);
                continue;
            }
            Ok((status @ (408 | 429 | 500..), _)) | Ok((status @ 0, _)) => tries_left(&mut tries, &format!("LetsPost answered {status}"))?,
            Ok((status, answer)) => return Err(Failure::from_answer(status, &answer)),
            Err(e) => tries_left(&mut tries, e.message())?,
        }
        // Cut or refused on the way: ask what was stored, and go on from there.
        std::thread::sleep(Duration::from_millis(500 * 2u64.pow(tries.min(5))));
        if let Ok(v) = c.get(&url) {
            let stored = v["received_bytes"].as_u64().unwrap_or(received);
            if stored > received {
                tries = 0;
            }
            received = stored;
        }
    }
    bar.finish_and_clear();
    Ok(())
}

fn tries_left(tries: &mut u32, why: &str) -> Result<(), Failure> {
    *tries += 1;
    if *tries > TRIES {
        return Err(Failure::Unreachable(format!("the upload stopped ({why}); run the same command again to resume")));
    }
    eprintln!("letspost: the upload was interrupted ({why}); resuming");
    Ok(())
}

/// Follow the post until TikTok has it public with its link, or it failed.
fn wait(c: &Client, id: &str) -> Result<Value, Failure> {
    let mut published_polls = 0;
    loop {
        let post = c.get(&format!("/api/posts/{id}"))?["post"].clone();
        match post["state"].as_str().unwrap_or_default() {
            "failed" | "cancelled" | "sent_to_inbox" => return Ok(post),
            // TikTok names the public post after moderation; a private one may have no link.
            "published" if post["post_url"].is_string() || published_polls > 30 => return Ok(post),
            "published" => published_polls += 1,
            _ => {}
        }
        std::thread::sleep(Duration::from_secs(2));
    }
}
