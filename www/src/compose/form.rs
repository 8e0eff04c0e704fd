//! The composer's state, the checks that keep "Post now" disabled, and its smaller pieces.

use leptos::prelude::*;
use letspost_core::api::ApiError;
use post_lifecycle::{CreatePost, Mode, PostView, State};
use tiktok_rules::api::CreatorInfo;
use tiktok_rules::disclosure::Disclosure;
use tiktok_rules::media::Verdict;
use tiktok_rules::privacy::PrivacyLevel;
use video_probe::Report;
use web_sys::File;

/// Every field of the composer, as signals (all `Copy`).
#[derive(Clone, Copy)]
pub struct Form {
    pub account: RwSignal<Option<String>>,
    /// Post it (direct) or send it to the creator's TikTok inbox (draft).
    pub mode: RwSignal<Mode>,
    pub file: StoredValue<Option<File>, LocalStorage>,
    pub report: RwSignal<Option<Result<Report, String>>>,
    pub checking: RwSignal<bool>,
    pub caption: RwSignal<String>,
    pub options: RwSignal<Vec<PrivacyLevel>>,
    pub privacy: RwSignal<Option<PrivacyLevel>>,
    pub allow_comment: RwSignal<bool>,
    pub allow_duet: RwSignal<bool>,
    pub allow_stitch: RwSignal<bool>,
    /// What the creator turned off in TikTok: (comment, duet, stitch).
    pub locked: RwSignal<(bool, bool, bool)>,
    pub disclose: RwSignal<bool>,
    pub your_brand: RwSignal<bool>,
    pub branded: RwSignal<bool>,
    pub aigc: RwSignal<bool>,
    /// `<input type=datetime-local>` value: local wall time, no zone.
    pub when: RwSignal<String>,
    /// The local preview (`blob:` URL of the picked file) and the chosen cover frame.
    pub preview: RwSignal<Option<String>>,
    /// The browser can't play the file (a codec it lacks): no preview, said so.
    pub preview_failed: RwSignal<bool>,
    pub cover_ms: RwSignal<Option<u64>>,
}

impl Form {
    pub fn new() -> Form {
        Form {
            account: RwSignal::new(None),
            mode: RwSignal::new(Mode::Direct),
            file: StoredValue::new_local(None),
            report: RwSignal::new(None),
            checking: RwSignal::new(false),
            caption: RwSignal::new(String::new()),
            options: RwSignal::new(Vec::new()),
            privacy: RwSignal::new(None),
            allow_comment: RwSignal::new(true),
            allow_duet: RwSignal::new(true),
            allow_stitch: RwSignal::new(true),
            locked: RwSignal::new((false, false, false)),
            disclose: RwSignal::new(false),
            your_brand: RwSignal::new(false),
            branded: RwSignal::new(false),
            aigc: RwSignal::new(false),
            when: RwSignal::new(String::new()),
            preview: RwSignal::new(None),
            preview_failed: RwSignal::new(false),
            cover_ms: RwSignal::new(None),
        }
    }

    /// Take a creator's options: privacy from `privacy_level_options` (Public preselected where
    /// allowed, as LetsPost's doc says), switches the creator turned off forced off.
    pub fn adopt(&self, info: &CreatorInfo, preselect_public: bool) {
        self.options.set(info.privacy_level_options.clone());
        let keep = self.privacy.get_untracked().filter(|p| info.privacy_level_options.contains(p));
        let preselect = || preselect_public.then(|| PrivacyLevel::default_choice(PrivacyLevel::PRODUCT_DEFAULT, &info.privacy_level_options)).flatten();
        self.privacy.set(keep.or_else(preselect));
        self.locked.set((info.comment_disabled, info.duet_disabled, info.stitch_disabled));
        for (off, allow) in [(info.comment_disabled, self.allow_comment), (info.duet_disabled, self.allow_duet), (info.stitch_disabled, self.allow_stitch)] {
            if off {
                allow.set(false);
            }
        }
    }

    /// "Send to TikTok as a draft" is chosen (tracked).
    pub fn is_draft(&self) -> bool {
        self.mode.get() == Mode::Draft
    }

    pub fn disclosure(&self) -> Disclosure {
        Disclosure { enabled: self.disclose.get(), your_brand: self.your_brand.get(), branded_content: self.branded.get() }
    }

    /// The local wall time as RFC 3339 UTC, through the browser's own time zone.
    pub fn publish_at(&self) -> Option<String> {
        let local = self.when.get();
        if local.is_empty() {
            return None;
        }
        let d = js_sys::Date::new(&local.into());
        d.get_time().is_finite().then(|| String::from(d.to_iso_string()))
    }

    /// The request `POST /api/posts` takes (`publish_at` or `queue` per the button pressed).
    pub fn request(&self, account: String, video_size: u64, timing: Timing) -> CreatePost {
        let d = self.disclosure();
        CreatePost {
            account,
            mode: self.mode.get_untracked(),
            caption: self.caption.get_untracked(),
            privacy_level: self.privacy.get_untracked().map(|p| p.as_str().to_string()).unwrap_or_default(),
            disable_comment: !self.allow_comment.get_untracked(),
            disable_duet: !self.allow_duet.get_untracked(),
            disable_stitch: !self.allow_stitch.get_untracked(),
            brand_content_toggle: d.brand_content_toggle(),
            brand_organic_toggle: d.brand_organic_toggle(),
            is_aigc: self.aigc.get_untracked(),
            video_cover_timestamp_ms: self.cover_ms.get_untracked(),
            publish_at: if timing == Timing::At { self.publish_at() } else { None },
            queue: timing == Timing::Queue,
            video_size,
        }
    }

    /// Why the post can't go yet, in one sentence (`None`: it can).
    pub fn blocker(&self, creator: Option<Result<CreatorInfo, ApiError>>) -> Option<String> {
        let info = match creator {
            None => return Some("Choose the TikTok account to post as.".into()),
            Some(Err(e)) => return Some(e.message),
            Some(Ok(info)) => info,
        };
        let size = match self.report.get() {
            None => return Some("Add a video.".into()),
            Some(Err(e)) => return Some(e),
            Some(Ok(r)) if r.verdict == Verdict::Error => return Some("TikTok would refuse this video: see why above.".into()),
            Some(Ok(r)) => r.size_bytes,
        };
        self.settings_blocker(&info, size, &self.caption.get())
    }

    /// The shared settings' check for one video of `size` with `caption` (the server's own).
    pub fn settings_blocker(&self, info: &CreatorInfo, size: u64, caption: &str) -> Option<String> {
        // A draft's privacy and disclosure are chosen in the TikTok app.
        if !self.is_draft() {
            if self.privacy.get().is_none() {
                return Some("Choose who can view this video.".into());
            }
            if let Err(e) = self.disclosure().check(self.privacy.get().unwrap_or(PrivacyLevel::SelfOnly)) {
                return Some(e.to_string());
            }
        }
        // `request` reads untracked (it also serves the click handler): track its inputs here.
        for s in [self.allow_comment, self.allow_duet, self.allow_stitch, self.aigc] {
            s.track();
        }
        self.account.track();
        let now = js_sys::Date::now() as u64;
        let mut req = self.request(self.account.get_untracked().unwrap_or_default(), size, Timing::Now);
        req.caption = caption.to_string();
        req.check(info, now).err().map(|e| e.message)
    }
}

/// Allow Comment / Duet / Stitch: greyed out, with the reason, when the creator turned the
/// feature off in TikTok.
pub fn interaction_switches(form: Form) -> impl IntoView {
    let switch = move |label: &'static str, what: &'static str, allow: RwSignal<bool>, locked: Signal<bool>| {
        view! {
            <label class="switch" class:locked=move || locked.get()>
                <input type="checkbox" aria-label=label prop:checked=move || allow.get() disabled=move || locked.get()
                    on:change=move |ev| allow.set(event_target_checked(&ev))/>
                <span>{label}</span>
                <Show when=move || locked.get()>
                    <small class="why">{format!("{what} is turned off for this account in TikTok.")}</small>
                </Show>
            </label>
        }
    };
    let locked = form.locked;
    view! {
        <fieldset>
            <legend>"Interactions"</legend>
            {switch("Allow Comment", "Commenting", form.allow_comment, Signal::derive(move || locked.get().0))}
            {switch("Allow Duet", "Duet", form.allow_duet, Signal::derive(move || locked.get().1))}
            {switch("Allow Stitch", "Stitch", form.allow_stitch, Signal::derive(move || locked.get().2))}
        </fieldset>
    }
}

/// Commercial content disclosure, with TikTok's labels and texts.
pub fn disclosure_switches(form: Form) -> impl IntoView {
    view! {
        <fieldset>
            <legend>"Commercial content"</legend>
            <label class="switch">
                <input type="checkbox" aria-label="Disclose video content" prop:checked=move || form.disclose.get()
                    on:change=move |ev| form.disclose.set(event_target_checked(&ev))/>
                <span>"Disclose video content"</span>
            </label>
            <Show when=move || form.disclose.get()>
                <div class="choices">
                    <label class="switch">
                        <input type="checkbox" aria-label="Your brand" prop:checked=move || form.your_brand.get()
                            on:change=move |ev| form.your_brand.set(event_target_checked(&ev))/>
                        <span>"Your brand"</span>
                    </label>
                    <label class="switch">
                        <input type="checkbox" aria-label="Branded content" prop:checked=move || form.branded.get()
                            disabled=move || form.privacy.get() == Some(PrivacyLevel::SelfOnly)
                            on:change=move |ev| form.branded.set(event_target_checked(&ev))/>
                        <span>"Branded content"</span>
                    </label>
                    {move || form.disclosure().label_notice().map(|n| view! { <p class="muted" data-testid="label-notice">{n}</p> })}
                </div>
            </Show>
        </fieldset>
    }
}

/// The schedule: local date and time, with the browser's zone shown. The zone is read in a task
/// of its own after the composer's first render: the browser's first `Intl.DateTimeFormat`
/// loads its locale data (15 ms here, 60 ms on Lighthouse's phone), which made that render a
/// longer task.
pub fn when_fields(form: Form) -> impl IntoView {
    let zone = RwSignal::new(String::new());
    set_timeout(move || zone.set(crate::api::browser_time_zone().unwrap_or_else(|| "UTC".into())), std::time::Duration::ZERO);
    view! {
        <label class="field">
            <span>{move || format!("Schedule for (your time zone: {})", zone.get())}</span>
            <input type="datetime-local" aria-label="Date and time" prop:value=move || form.when.get()
                on:input=move |ev| form.when.set(event_target_value(&ev))/>
        </label>
    }
}

/// Which button sent the post: "Post now", "Schedule" (the picked time) or "Add to queue"
/// (the account's next free slot, which the Worker picks).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Timing {
    Now,
    At,
    Queue,
}

/// Where a post stands after "Post now" or "Schedule".
#[derive(Clone, Debug)]
pub enum Outcome {
    Uploading { sent: u64, total: u64, bytes_per_sec: f64, note: Option<String> },
    Following(Box<PostView>),
    Failed(String),
}

impl Outcome {
    pub fn busy(&self) -> bool {
        match self {
            Outcome::Uploading { .. } => true,
            Outcome::Following(p) => !p.state.is_final(),
            Outcome::Failed(_) => false,
        }
    }
}

#[component]
pub fn OutcomeView(outcome: Outcome, retry: RwSignal<Option<Outcome>>) -> impl IntoView {
    match outcome {
        Outcome::Uploading { sent, total, bytes_per_sec, note } => {
            let left = if bytes_per_sec > 0.0 { ((total - sent) as f64 / bytes_per_sec).ceil() as u64 } else { 0 };
            view! {
                <div class="progress-box" data-testid="upload-progress">
                    <progress max=total.max(1).to_string() value=sent.to_string() aria-label="Upload progress"></progress>
                    <p class="muted">{format!("{} of {} · {}/s · about {left} s left",
                        video_probe::human_bytes(sent), video_probe::human_bytes(total), video_probe::human_bytes(bytes_per_sec as u64))}</p>
                    {note.map(|n| view! { <p class="issue warn">{n}</p> })}
                </div>
            }
            .into_any()
        }
        Outcome::Following(p) => {
            let state = p.state;
            let id = p.id.clone();
            let url = p.post_url.clone();
            view! {
                <div class="status-box" data-testid="post-status" data-state=format!("{:?}", state)>
                    <p class="state"><strong>{crate::queue::state_label(state)}</strong></p>
                    <Show when=move || !state.is_final()>
                        <p class="muted">"TikTok may take a few minutes to process your video."</p>
                    </Show>
                    <Show when=move || state == State::SentToInbox>
                        <p class="muted" data-testid="inbox-hint">"Open the TikTok app and tap the notification to finish and post it."</p>
                    </Show>
                    {url.map(|u| view! { <p><a href=u.clone() target="_blank" rel="noopener" data-testid="post-link">"View on TikTok"</a></p> })}
                    {p.error.clone().map(|e| view! {
                        <p class="issue error" data-testid="post-error">{e.message}</p>
                        <button class="button secondary" on:click=move |_| crate::compose::send::retry(id.clone(), retry)>"Retry"</button>
                    })}
                </div>
            }
            .into_any()
        }
        Outcome::Failed(msg) => view! { <p class="issue error" role="alert" data-testid="post-error">{msg}</p> }.into_any(),
    }
}

/// The picked video in a 9:16 frame, as TikTok shows it (other shapes letterboxed), with the
/// handle and caption laid over it where TikTok puts them (bottom left, clear of the buttons
/// down the right edge, two lines then cut), and a scrubber to choose the cover frame. Before a
/// video is picked the frame says what it is for. Nothing leaves the browser.
pub fn preview(form: Form, handle: Signal<Option<String>>) -> impl IntoView {
    let video = NodeRef::<leptos::html::Video>::new();
    let duration_ms = move || form.report.get().and_then(Result::ok).and_then(|r| r.duration_ms).unwrap_or(0);
    let scrub = move |ev: leptos::ev::Event| {
        let ms: u64 = event_target_value(&ev).parse().unwrap_or(0);
        form.cover_ms.set(Some(ms));
        if let Some(v) = video.get() {
            v.set_current_time(ms as f64 / 1000.0);
        }
    };
    let picked = move || form.preview.get().is_some();
    view! {
        <div class="preview">
            <div class="frame916" data-testid="preview">
                <Show when=picked fallback=|| view! { <p class="no-preview">"Your video shows here, as TikTok will show it."</p> }>
                    // A still of the cover frame, moved by the slider: not a stop for Tab
                    // (Firefox puts a <video> without controls in the tab order, unlabelled).
                    <video node_ref=video src=move || form.preview.get().unwrap_or_default() muted=true playsinline=true preload="metadata" tabindex="-1"
                        on:error=move |_| form.preview_failed.set(true)></video>
                </Show>
                // E.g. H.265 in a browser without that decoder, or WebKitGTK without
                // GStreamer's H.264: black and silent otherwise.
                <Show when=move || picked() && form.preview_failed.get()>
                    <p class="no-preview" data-testid="no-preview">"This browser can't play this video, so there is no preview. TikTok can: your post is not affected."</p>
                </Show>
                // A draft's caption is written in the TikTok app: nothing to lay over it.
                <Show when=move || picked() && !form.is_draft()>
                    <div class="overlay" data-testid="preview-caption" aria-hidden="true">
                        <p class="overlay-handle">{move || handle.get().map(|h| format!("@{h}")).unwrap_or_default()}</p>
                        <p class="overlay-caption">{move || form.caption.get()}</p>
                    </div>
                </Show>
            </div>
            // A draft's cover is picked in the TikTok app.
            <Show when=move || picked() && !form.is_draft()>
                <label class="field">
                    <span>{move || format!("Cover frame: {} s", tiktok_rules::fmt::ratio_1dp(form.cover_ms.get().unwrap_or(0), 1_000))}</span>
                    <input type="range" aria-label="Cover frame" min="0" max=move || duration_ms().to_string() step="100"
                        prop:value=move || form.cover_ms.get().unwrap_or(0).to_string() on:input=scrub/>
                </label>
            </Show>
        </div>
    }
}

/// "Post to TikTok" or "Send to TikTok as a draft", and what a draft means for the creator.
pub fn mode_choice(form: Form) -> impl IntoView {
    let choice = move |mode: Mode| {
        let label = mode.label();
        view! {
            <label class="choice">
                <input type="radio" name="mode" aria-label=label prop:checked=move || form.mode.get() == mode
                    on:change=move |_| form.mode.set(mode)/>
                <span>{label}</span>
            </label>
        }
    };
    view! {
        <fieldset class="mode">
            <legend>"How it goes to TikTok"</legend>
            {choice(Mode::Direct)}
            {choice(Mode::Draft)}
            <Show when=move || form.is_draft()>
                <p class="muted" data-testid="draft-note">
                    "TikTok puts the video in your TikTok inbox. Open the TikTok app, tap the notification, add \
                     sounds and effects, write the caption, choose who can view it, and post. TikTok holds up \
                     to 5 drafts from apps at a time."
                </p>
            </Show>
        </fieldset>
    }
}
