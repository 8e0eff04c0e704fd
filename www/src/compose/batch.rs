//! Many videos at once: several files picked or dropped are each checked in the browser at
//! once and listed with their verdict, a preview and a caption of their own (the shared one
//! until edited); the shared settings apply to all. "Add all to queue" makes one queued post
//! per accepted video (the Worker gives consecutive free slots), so the queue shows the batch
//! at once, then uploads them one after another. Each create carries a key made once per
//! press, so "Resume" after a dropped connection reaches the same posts and continues their
//! uploads from what the Worker stored: no post is made twice.

use super::form::{Form, Timing};
use super::send::{Created, Received, send_video};
use crate::api;
use crate::probe_blob::probe_file;
use leptos::prelude::*;
use leptos::task::spawn_local;
use tiktok_rules::api::CreatorInfo;
use tiktok_rules::media::Verdict;
use video_probe::{Report, human_bytes};
use web_sys::File;

/// Where one video of the batch stands.
#[derive(Clone, PartialEq, Debug)]
pub enum Line {
    Waiting,
    /// Made, at this slot (RFC 3339).
    Queued(String),
    Uploading(String, u8),
    Done(String),
    Failed(String),
}

#[derive(Clone)]
pub struct Item {
    pub n: u32,
    pub file: File,
    pub name: String,
    pub preview: Option<String>,
    pub report: RwSignal<Option<Result<Report, String>>>,
    /// Its own caption once edited; until then it follows the shared one.
    pub caption: RwSignal<Option<String>>,
    pub line: RwSignal<Line>,
}

impl Item {
    /// Accepted: checked, and TikTok would take it.
    fn size_if_accepted(&self) -> Option<u64> {
        match self.report.get() {
            Some(Ok(r)) if r.verdict != Verdict::Error => Some(r.size_bytes),
            _ => None,
        }
    }

    fn caption_or(&self, shared: &str) -> String {
        self.caption.get().unwrap_or_else(|| shared.to_string())
    }
}

/// The batch: its videos, the key of the last press (kept for "Resume"), the overall bytes.
#[derive(Clone, Copy)]
pub struct Batch {
    pub items: RwSignal<Vec<Item>, LocalStorage>,
    key: StoredValue<Option<String>>,
    pub sent: RwSignal<(u64, u64)>,
    pub running: RwSignal<bool>,
    pub failure: RwSignal<Option<String>>,
}

impl Batch {
    pub fn new() -> Batch {
        Batch {
            items: RwSignal::new_local(Vec::new()),
            key: StoredValue::new(None),
            sent: RwSignal::new((0, 0)),
            running: RwSignal::new(false),
            failure: RwSignal::new(None),
        }
    }

    pub fn active(&self) -> bool {
        self.items.with(|v| !v.is_empty())
    }

    /// Take newly picked files: each listed at once and checked side by side.
    pub fn pick(&self, files: Vec<File>, max_duration_sec: Option<u32>) {
        for old in self.items.get_untracked() {
            if let Some(url) = old.preview {
                let _ = web_sys::Url::revoke_object_url(&url);
            }
        }
        let items: Vec<Item> = files
            .into_iter()
            .enumerate()
            .map(|(n, file)| Item {
                n: n as u32,
                name: file.name(),
                preview: web_sys::Url::create_object_url_with_blob(&file).ok(),
                file,
                report: RwSignal::new(None),
                caption: RwSignal::new(None),
                line: RwSignal::new(Line::Waiting),
            })
            .collect();
        for item in &items {
            let (file, report) = (item.file.clone(), item.report);
            spawn_local(async move { report.set(Some(probe_file(file, max_duration_sec).await)) });
        }
        self.key.set_value(None);
        self.failure.set(None);
        self.sent.set((0, 0));
        self.items.set(items);
    }

    /// Why "Add all to queue" can't go yet (`None`: it can).
    pub fn blocker(&self, form: Form, creator: Option<Result<CreatorInfo, letspost_core::api::ApiError>>) -> Option<String> {
        let info = match creator {
            None => return Some("Choose the TikTok account to post as.".into()),
            Some(Err(e)) => return Some(e.message),
            Some(Ok(info)) => info,
        };
        let items = self.items.get();
        if items.iter().any(|i| i.report.get().is_none()) {
            return Some("Checking the videos…".into());
        }
        let shared = form.caption.get();
        let mut any = false;
        for item in &items {
            if let Some(size) = item.size_if_accepted() {
                any = true;
                if let Some(why) = form.settings_blocker(&info, size, &item.caption_or(&shared)) {
                    return Some(format!("{}: {why}", item.name));
                }
            }
        }
        (!any).then(|| "TikTok would refuse every one of these videos: see why above.".into())
    }

    /// "Add all to queue", or "Resume" with the same key after a failure.
    pub fn start(&self, form: Form) {
        let Some(account) = form.account.get_untracked() else { return };
        let key = self.key.get_value().unwrap_or_else(api::fresh_key);
        self.key.set_value(Some(key.clone()));
        let shared = form.caption.get_untracked();
        let base = form.request(account, 0, Timing::Queue);
        let jobs: Vec<Job> = self
            .items
            .get_untracked()
            .into_iter()
            .filter_map(|i| {
                let size = i.report.get_untracked().and_then(Result::ok).filter(|r| r.verdict != Verdict::Error)?.size_bytes;
                let mut req = base.clone();
                req.caption = i.caption.get_untracked().unwrap_or_else(|| shared.clone());
                req.video_size = size;
                Some(Job { req, file: i.file.clone(), key: format!("{key}-{}", i.n), line: i.line })
            })
            .collect();
        self.failure.set(None);
        self.running.set(true);
        spawn_local(run(jobs, *self));
    }
}

struct Job {
    req: post_lifecycle::CreatePost,
    file: File,
    key: String,
    line: RwSignal<Line>,
}

/// Make every post first (the queue shows the whole batch at once, in consecutive slots), then
/// upload them one after another. Lazy: fetched on the first "Add all to queue".
#[leptos::lazy]
async fn run(jobs: Vec<Job>, batch: Batch) {
    let mut made: Vec<(Job, Created)> = Vec::new();
    for job in jobs {
        match api::post_once::<_, Created>("/api/posts", &job.req, &job.key).await {
            Ok(c) => {
                job.line.set(Line::Queued(c.post.publish_at.clone().unwrap_or_default()));
                made.push((job, c));
            }
            Err(e) => job.line.set(Line::Failed(e.message)),
        }
    }
    let total: u64 = made.iter().map(|(j, _)| j.req.video_size).sum();
    let mut done = 0u64;
    batch.sent.set((0, total));
    for (job, created) in made {
        let size = job.req.video_size;
        let at = created.post.publish_at.clone().unwrap_or_default();
        // A resumed batch continues each upload from what the Worker already has.
        let from = api::get::<Received>(&created.upload.url).await.map_or(0, |r| r.received_bytes);
        if from < size {
            let (line, slot) = (job.line, StoredValue::new(at.clone()));
            let show = move |sent: f64, _note: Option<String>| {
                line.set(Line::Uploading(slot.get_value(), (sent * 100.0 / size.max(1) as f64) as u8));
                batch.sent.set((done + sent as u64, total));
            };
            if let Err(msg) = send_video(&job.file, &created.upload.url, created.upload.chunk_size, size, from, show).await {
                job.line.set(Line::Failed(msg));
                batch.failure.set(Some("The upload stopped. Resume to continue: the posts already made are kept, none is made twice.".into()));
                batch.running.set(false);
                return;
            }
        }
        done += size;
        batch.sent.set((done, total));
        job.line.set(Line::Done(at));
    }
    batch.running.set(false);
}

/// The list: each video with its preview, verdict, caption and line. (Measured as a lazy chunk
/// of its own: `/compose`'s first load grew, so it stays in the composer's.)
pub fn list(form: Form, batch: Batch) -> impl IntoView {
    move || {
        let items = batch.items.get();
        (!items.is_empty()).then(|| {
            let count = items.len();
            view! {
                <section class="batch" aria-label="Videos" data-testid="batch">
                    <h2>{format!("{count} videos")}</h2>
                    <ul>
                        {items.into_iter().map(|item| {
                            let name = item.name.clone();
                            let label = format!("Caption for {name}");
                            let caption = item.caption;
                            let report = item.report;
                            let line = item.line;
                            // A refused file gets neither a preview nor a caption: it is not posted.
                            let refused = move || matches!(report.get(), Some(Err(_))) || matches!(report.get(), Some(Ok(ref r)) if r.verdict == Verdict::Error);
                            let src = item.preview.clone().unwrap_or_default();
                            view! {
                                <li class="batch-item" data-testid="batch-item" data-name=name.clone()>
                                    <div class="thumb-slot">
                                        <Show when=move || !refused()>
                                            <video class="thumb" src=src.clone() muted=true preload="metadata" aria-hidden="true"></video>
                                        </Show>
                                    </div>
                                    <div class="batch-body">
                                        <strong class="name">{name.clone()}</strong>
                                        {move || match report.get() {
                                            None => view! { <p class="muted">"Checking…"</p> }.into_any(),
                                            Some(Err(e)) => view! { <p class="issue error" data-testid="batch-verdict" data-verdict="error">{format!("Skipped: {e}")}</p> }.into_any(),
                                            Some(Ok(r)) if r.verdict == Verdict::Error => {
                                                let why = r.issues.iter().find(|i| i.severity == tiktok_rules::Severity::Error).map(|i| i.message.clone()).unwrap_or_default();
                                                view! { <p class="issue error" data-testid="batch-verdict" data-verdict="error">{format!("Skipped: {why}")}</p> }.into_any()
                                            }
                                            Some(Ok(r)) => {
                                                let (text, class) = crate::video_drop::verdict_text(r.verdict);
                                                view! { <p class=class data-testid="batch-verdict" data-verdict="ok">{format!("{text} · {}", human_bytes(r.size_bytes))}</p> }.into_any()
                                            }
                                        }}
                                        <Show when=move || !refused()>
                                            <textarea aria-label=label.clone() rows="2" prop:value=move || caption.get().unwrap_or_else(|| form.caption.get())
                                                on:input=move |ev| caption.set(Some(event_target_value(&ev)))></textarea>
                                        </Show>
                                        <p class="batch-line" data-testid="batch-line">{move || match line.get() {
                                            Line::Waiting => String::new(),
                                            Line::Queued(at) => format!("Queued for {}", crate::slot_time::slot_label(&at, None)),
                                            Line::Uploading(at, pct) => format!("Uploading {pct}% · for {}", crate::slot_time::slot_label(&at, None)),
                                            Line::Done(at) => format!("Scheduled for {}", crate::slot_time::slot_label(&at, None)),
                                            Line::Failed(e) => format!("Not queued: {e}"),
                                        }}</p>
                                    </div>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </section>
            }
        })
    }
}

/// The overall progress bar and what went wrong, under "Add all to queue".
pub fn progress(batch: Batch) -> impl IntoView {
    move || {
        let (sent, total) = batch.sent.get();
        let bar = (total > 0).then(|| {
            view! {
                <div class="progress-box" data-testid="batch-progress">
                    <progress max=total.to_string() value=sent.to_string() aria-label="Batch upload progress"></progress>
                    <p class="muted">{format!("{} of {}", human_bytes(sent), human_bytes(total))}</p>
                </div>
            }
        });
        let failure = batch.failure.get().map(|f| view! { <p class="issue error" role="alert" data-testid="batch-failure">{f}</p> });
        (bar, failure)
    }
}
