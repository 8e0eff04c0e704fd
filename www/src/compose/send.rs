//! After "Post now" / "Schedule": create the post, send the video part by part (resuming
//! from what the Worker stored after a dropped connection), then follow the post until
//! TikTok's answer is final.

use super::form::{Form, Outcome, Timing};
use super::upload::put_part;
use crate::api;
use gloo_timers::future::sleep;
use leptos::prelude::*;
use leptos::task::spawn_local;
use post_lifecycle::{CreatePost, PostBody, PostView};
use serde::Deserialize;
use std::time::Duration;

#[derive(Deserialize)]
pub(super) struct Upload {
    pub url: String,
    pub chunk_size: u64,
}

#[derive(Deserialize)]
pub(super) struct Created {
    pub post: PostView,
    pub upload: Upload,
}

#[derive(Deserialize)]
pub(super) struct Received {
    pub received_bytes: u64,
}

/// Attempts to resume a part after the connection drops, before giving up.
const RESUME_TRIES: u32 = 8;

pub fn start(form: Form, outcome: RwSignal<Option<Outcome>>, timing: Timing) {
    let (Some(account), Some(file)) = (form.account.get_untracked(), form.file.get_value()) else { return };
    let size = file.size() as u64;
    let req = form.request(account, size, timing);
    outcome.set(Some(Outcome::Uploading { sent: 0, total: size, bytes_per_sec: 0.0, note: None }));
    spawn_local(run(Job::Send { req, file }, outcome));
}

/// "Retry" on a failed post: the Worker re-uses the staged video.
pub fn retry(id: String, outcome: RwSignal<Option<Outcome>>) {
    spawn_local(run(Job::Retry { id }, outcome));
}

enum Job {
    Send { req: CreatePost, file: web_sys::File },
    Retry { id: String },
}

/// Create the post and send the video, or retry one; then follow it. Lazy: the uploader and
/// the follower are one wasm chunk fetched on the first "Post now" or "Retry", not part of the
/// composer's load.
#[leptos::lazy]
async fn run(job: Job, outcome: RwSignal<Option<Outcome>>) {
    // One key per press: the create (or retry) is tried again with it, never made twice.
    let key = api::fresh_key();
    let id = match job {
        Job::Send { req, file } => {
            let size = file.size() as u64;
            let created: Created = match api::post_once("/api/posts", &req, &key).await {
                Ok(c) => c,
                Err(e) => return outcome.set(Some(Outcome::Failed(e.message))),
            };
            if let Err(msg) = send_video(&file, &created.upload.url, created.upload.chunk_size, size, 0, show_in(outcome, size)).await {
                return outcome.set(Some(Outcome::Failed(msg)));
            }
            created.post.id
        }
        Job::Retry { id } => match api::post_once::<_, PostBody>(&format!("/api/posts/{id}/retry"), &serde_json::json!({}), &key).await {
            Ok(_) => id,
            Err(e) => return outcome.set(Some(Outcome::Failed(e.message))),
        },
    };
    follow(id, outcome).await
}

/// The single post's progress, shown in its outcome box.
fn show_in(outcome: RwSignal<Option<Outcome>>, total: u64) -> impl Fn(f64, Option<String>) + Copy + 'static {
    let started = js_sys::Date::now();
    move |sent: f64, note: Option<String>| {
        let secs = ((js_sys::Date::now() - started) / 1000.0).max(0.001);
        outcome.set(Some(Outcome::Uploading { sent: sent as u64, total, bytes_per_sec: sent / secs, note }));
    }
}

/// Send `file` to the post's staging `url` part by part from `offset`, `show`ing the bytes
/// sent (and a note while resuming).
pub(super) async fn send_video(
    file: &web_sys::File,
    url: &str,
    chunk: u64,
    total: u64,
    from: u64,
    show: impl Fn(f64, Option<String>) + Copy + 'static,
) -> Result<(), String> {
    let mut offset = from;
    let mut tries = 0u32;
    while offset < total {
        let last = (offset + chunk).min(total) - 1;
        let blob = file.slice_with_f64_and_f64(offset as f64, (last + 1) as f64).map_err(|_| "The browser could not read the file.")?;
        let base = offset as f64;
        let answer = put_part(url, &blob, offset, last, total, move |loaded| show(base + loaded, None)).await;
        // A dropped connection, or a gateway or the Worker giving up on the part (a stall is
        // 408), or too many parts at once (429): resume from what the Worker stored, never
        // from zero, after a pause that grows past the rate limit's minute.
        let interrupted = match &answer {
            Err(_) => Some("The connection dropped."),
            Ok(a) if a.status >= 500 || a.status == 408 => Some("The upload was interrupted."),
            Ok(a) if a.status == 429 => Some("LetsPost is taking parts more slowly."),
            Ok(_) => None,
        };
        if let Some(what) = interrupted {
            if tries >= RESUME_TRIES {
                return Err(format!("{what} LetsPost tried {RESUME_TRIES} times. Check your connection and post again."));
            }
            tries += 1;
            show(offset as f64, Some(format!("{what} Resuming (try {tries} of {RESUME_TRIES})…")));
            sleep(Duration::from_millis(500 * (1 << tries.min(5)))).await;
            if let Ok(r) = api::get::<Received>(url).await {
                offset = r.received_bytes;
            }
            continue;
        }
        let a = answer.expect("interruptions handled above");
        match a.status {
            201 => return Ok(()),
            206 | 416 => {
                offset = serde_json::from_str::<Received>(&a.body).map_err(|_| "LetsPost's server answered oddly.")?.received_bytes;
                tries = 0;
            }
            status => {
                let msg = serde_json::from_str::<letspost_core::api::ErrorBody>(&a.body).map(|b| b.error.message);
                return Err(msg.unwrap_or_else(|_| format!("The upload failed (HTTP {status}).")));
            }
        }
    }
    Ok(())
}

/// Poll the post while it is still changing (on its way, or published without its link yet),
/// showing each step.
async fn follow(id: String, outcome: RwSignal<Option<Outcome>>) {
    loop {
        match api::get::<PostBody>(&format!("/api/posts/{id}")).await {
            Ok(b) => {
                let changing = b.post.still_changing(js_sys::Date::now() as u64);
                outcome.set(Some(Outcome::Following(Box::new(b.post))));
                if !changing {
                    return;
                }
            }
            Err(e) => outcome.set(Some(Outcome::Failed(e.message))),
        }
        sleep(Duration::from_secs(2)).await;
    }
}
