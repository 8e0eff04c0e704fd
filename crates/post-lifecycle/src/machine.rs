//! The post state machine. State names are pinned by the API.

use crate::pushed::Pushed;
use crate::timing::{
    INBOX_POLL_DEADLINE_MS, LEAD_MARGIN_MS, MAX_ATTEMPTS, MAX_POST_ID_POLLS, RATE_LIMITED_DELAY_MS, inbox_poll_delay_ms, poll_delay_ms,
    pushed_inbox_poll_delay_ms, pushed_poll_delay_ms, retry_delay_ms, upload_lead_ms,
};
use serde::{Deserialize, Serialize};
use tiktok_rules::api::{InboxInitRequest, InitRequest, PostInfo, PublishStatus, StatusResponse, post_url};
use tiktok_rules::chunk::ChunkPlan;
use tiktok_rules::error::{ErrorClass, TikTokError, codes};
use tiktok_rules::privacy::PrivacyLevel;

/// A staging upload unfinished after this long is aborted.
pub const STAGING_TIMEOUT_MS: u64 = 86_400_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum State {
    AwaitingMedia,
    Scheduled,
    Uploading,
    Processing,
    /// A draft in the creator's TikTok inbox: LetsPost's part is done. It still asks TikTok
    /// (until `INBOX_POLL_DEADLINE_MS`) and becomes `published` if the creator posts it.
    SentToInbox,
    Published,
    Failed,
    Cancelled,
}

impl State {
    /// The API's name (as serde writes it), for the account index's `state` column.
    pub fn name(self) -> &'static str {
        match self {
            State::AwaitingMedia => "awaiting_media",
            State::Scheduled => "scheduled",
            State::Uploading => "uploading",
            State::Processing => "processing",
            State::SentToInbox => "sent_to_inbox",
            State::Published => "published",
            State::Failed => "failed",
            State::Cancelled => "cancelled",
        }
    }

    pub fn is_final(self) -> bool {
        matches!(self, State::SentToInbox | State::Published | State::Failed | State::Cancelled)
    }

    /// Still on its way to TikTok: it keeps its time in the posting schedule.
    pub fn holds_its_time(self) -> bool {
        matches!(self, State::AwaitingMedia | State::Scheduled | State::Uploading)
    }
}

/// `direct`: TikTok publishes it with these settings. `draft`: TikTok puts the video in the
/// creator's inbox (scope `video.upload`), and they finish it in the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    #[default]
    Direct,
    Draft,
}

impl Mode {
    /// The choice's words, where a creator picks it (the composer) and reads it (a share link).
    pub fn label(self) -> &'static str {
        match self {
            Mode::Direct => "Post to TikTok",
            Mode::Draft => "Send to TikTok as a draft",
        }
    }
}

/// What to ask TikTok for at init.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Init {
    Direct(InitRequest),
    Inbox(InboxInitRequest),
}

/// What the creator chose, as TikTok's `post_info` will carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Settings {
    /// For a draft, kept for the creator to paste in the app: TikTok does not receive it.
    pub caption: String,
    /// `None` for a draft: the creator picks it in the app.
    pub privacy_level: Option<PrivacyLevel>,
    pub disable_comment: bool,
    pub disable_duet: bool,
    pub disable_stitch: bool,
    pub brand_content_toggle: bool,
    pub brand_organic_toggle: bool,
    pub is_aigc: bool,
    pub video_cover_timestamp_ms: Option<u64>,
}

impl Settings {
    /// TikTok's `post_info` (none for a draft).
    pub fn post_info(&self) -> Option<PostInfo> {
        Some(PostInfo {
            title: self.caption.clone(),
            privacy_level: self.privacy_level?,
            disable_duet: self.disable_duet,
            disable_stitch: self.disable_stitch,
            disable_comment: self.disable_comment,
            video_cover_timestamp_ms: self.video_cover_timestamp_ms,
            brand_content_toggle: self.brand_content_toggle,
            brand_organic_toggle: self.brand_organic_toggle,
            is_aigc: self.is_aigc,
        })
    }

    /// A draft's: only the caption (a note for the creator); the rest is chosen in the app.
    pub fn draft(caption: String) -> Settings {
        Settings {
            caption,
            privacy_level: None,
            disable_comment: false,
            disable_duet: false,
            disable_stitch: false,
            brand_content_toggle: false,
            brand_organic_toggle: false,
            is_aigc: false,
            video_cover_timestamp_ms: None,
        }
    }
}

/// Why a post failed: a code (TikTok's, or LetsPost's) and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostError {
    pub code: String,
    pub message: String,
}

impl PostError {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> PostError {
        PostError { code: code.into(), message: message.into() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    pub id: String,
    /// The TikTok `open_id` it posts as.
    pub account: String,
    /// For the public post URL.
    pub username: String,
    /// A draft's settings have no privacy level (see `mode`).
    pub settings: Settings,
    /// `None`: as soon as the media is staged.
    pub publish_at_ms: Option<u64>,
    pub video_size: u64,
    /// Moved only by `apply`: read it with `state()`.
    pub(crate) state: State,
    pub created_at_ms: u64,
    pub updated_at_ms: u64,
    /// When the last chunk goes to TikTok: `publish_at`, or the moment the media was staged
    /// for "post now".
    pub due_at_ms: Option<u64>,
    pub media_staged: bool,
    /// Cancelled while its video was still arriving: the unfinished upload's parts are in R2
    /// until the object aborts it (at once).
    #[serde(default)]
    pub(crate) staging_left: bool,
    pub publish_id: Option<String>,
    pub upload_url: Option<String>,
    pub(crate) upload_url_expires_at_ms: u64,
    /// TikTok chunks acknowledged.
    pub chunks_done: u64,
    /// The last chunk may have reached TikTok: from now on only status/fetch decides.
    pub final_sent: bool,
    pub uploaded_bytes: u64,
    /// Transient failures in a row, and when to try again.
    pub attempts: u32,
    pub(crate) not_before_ms: u64,
    pub(crate) polls: u32,
    pub post_id: Option<u64>,
    pub post_url: Option<String>,
    pub published_at_ms: Option<u64>,
    pub error: Option<PostError>,
    /// When the last chunk was accepted (for lateness figures).
    pub final_accepted_at_ms: Option<u64>,
    /// When TikTok said the draft is in the creator's inbox.
    #[serde(default)]
    pub sent_to_inbox_at_ms: Option<u64>,
    /// TikTok pushes this post's status (webhooks are on): status/fetch is only the fallback
    /// for a lost webhook, so it is asked rarely (`timing::pushed_poll_delay_ms`).
    #[serde(default)]
    pub pushed: bool,
    /// The time kept before the upload for init, a token refresh and retries, on top of what is
    /// sent ahead (`timing::upload_lead_ms`): `LEAD_MARGIN_MS` unless the deployment set another
    /// (the Worker's `UPLOAD_LEAD_MARGIN_SECS`; the e2e suite's is a few seconds). Set at
    /// create, like `pushed`; a post stored before it existed keeps the default.
    #[serde(default = "default_lead_margin_ms")]
    pub upload_lead_margin_ms: u64,
    /// TikTok said the public post was taken down or made private (the event's time).
    #[serde(default)]
    pub no_longer_public_at_ms: Option<u64>,
    /// The time of the latest visibility fact applied (public / no longer public): an older
    /// one arriving late changes nothing.
    #[serde(default)]
    pub(crate) visibility_at_ms: Option<u64>,
}

fn default_lead_margin_ms() -> u64 {
    LEAD_MARGIN_MS
}

/// What the shell should do now (or when).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Nothing until an event arrives (awaiting media, final).
    Idle,
    /// Nothing before this time: set the alarm for it.
    WakeAt(u64),
    /// Scheduled → uploading: persist that before anything reaches TikTok.
    StartUpload,
    Init,
    SendChunk(u64),
    FetchStatus,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    MediaStaged,
    MediaRefused(PostError),
    StartUpload,
    InitOk {
        publish_id: String,
        upload_url: String,
        expires_at_ms: u64,
    },
    /// About to send chunk `index`; for the last one this is persisted first.
    Sending(u64),
    /// TikTok took chunk `index` (206, or 201 for the last).
    ChunkOk(u64),
    /// 416: TikTok says it holds `received` bytes.
    RangeMismatch {
        received: u64,
    },
    /// 403/404 on a chunk: the upload_url is dead.
    UploadUrlGone,
    Status(StatusResponse),
    Failed(TikTokError),
    Cancel,
    /// Cancelled by LetsPost, with the reason the creator reads (a disconnected account).
    CancelFor(PostError),
    Reschedule(Option<u64>),
    Retry,
    /// Staging never finished within a day: the multipart upload was aborted.
    StagingAbandoned,
    /// The staged video was deleted, or its unfinished upload aborted (cancelled, or kept past
    /// the retention window).
    MediaDeleted,
    /// A webhook about `publish_id`, made by TikTok at `at_ms`.
    Pushed {
        publish_id: String,
        fact: Pushed,
        at_ms: u64,
    },
}

/// A creator's request the post's state no longer allows (409).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conflict(pub &'static str);

impl Post {
    /// The time this post holds in its account's posting schedule: its `publish_at` while it
    /// is on its way (a cancelled, failed or finished post frees it; "post now" holds none).
    pub fn time_held(&self) -> Option<u64> {
        self.publish_at_ms.filter(|_| self.state.holds_its_time())
    }

    /// How this deployment runs its posts, fixed at create: TikTok pushes their status
    /// (`pushed`), and the margin kept before an upload (`UPLOAD_LEAD_MARGIN_SECS`).
    pub fn deployed(mut self, pushed: bool, upload_lead_margin_ms: u64) -> Post {
        self.pushed = pushed;
        self.upload_lead_margin_ms = upload_lead_margin_ms;
        self
    }

    /// Where the post is (only `apply` moves it).
    pub fn state(&self) -> State {
        self.state
    }

    /// A new post, awaiting its video.
    pub fn new(id: String, account: String, username: String, settings: Settings, publish_at_ms: Option<u64>, video_size: u64, now: u64) -> Post {
        Post {
            id,
            account,
            username,
            settings,
            publish_at_ms,
            video_size,
            state: State::AwaitingMedia,
            created_at_ms: now,
            updated_at_ms: now,
            due_at_ms: None,
            media_staged: false,
            staging_left: false,
            publish_id: None,
            upload_url: None,
            upload_url_expires_at_ms: 0,
            chunks_done: 0,
            final_sent: false,
            uploaded_bytes: 0,
            attempts: 0,
            not_before_ms: 0,
            polls: 0,
            post_id: None,
            post_url: None,
            published_at_ms: None,
            error: None,
            final_accepted_at_ms: None,
            sent_to_inbox_at_ms: None,
            pushed: false,
            upload_lead_margin_ms: LEAD_MARGIN_MS,
            no_longer_public_at_ms: None,
            visibility_at_ms: None,
        }
    }

    /// A post without a privacy level is a draft: TikTok gets no `post_info` for it.
    pub fn mode(&self) -> Mode {
        if self.settings.privacy_level.is_some() { Mode::Direct } else { Mode::Draft }
    }

    /// The init request for this post's mode.
    pub fn init_request(&self) -> Init {
        let source_info = self.plan().into();
        match self.settings.post_info() {
            Some(post_info) => Init::Direct(InitRequest { post_info, source_info }),
            None => Init::Inbox(InboxInitRequest { source_info }),
        }
    }

    /// A draft in the inbox is still asked about, up to the deadline.
    fn inbox_polling(&self, now: u64) -> bool {
        self.state == State::SentToInbox && self.sent_to_inbox_at_ms.is_some_and(|at| now < at + INBOX_POLL_DEADLINE_MS)
    }

    pub fn plan(&self) -> ChunkPlan {
        ChunkPlan::for_size(self.video_size).expect("video_size was checked at creation")
    }

    fn last_chunk(&self) -> u64 {
        self.plan().total_chunk_count - 1
    }

    /// When the upload to TikTok starts.
    pub fn upload_start_ms(&self) -> Option<u64> {
        self.due_at_ms.map(|due| due.saturating_sub(upload_lead_ms(self.video_size, self.upload_lead_margin_ms)))
    }

    pub fn next(&self, now: u64) -> Action {
        let active = matches!(self.state, State::Uploading | State::Processing) || self.awaits_post_id() || self.inbox_polling(now);
        if active && now < self.not_before_ms {
            return Action::WakeAt(self.not_before_ms);
        }
        match self.state {
            State::AwaitingMedia | State::Failed | State::Cancelled => Action::Idle,
            State::Published if self.awaits_post_id() => Action::FetchStatus,
            State::Published => Action::Idle,
            State::Scheduled => match self.upload_start_ms() {
                Some(start) if now < start => Action::WakeAt(start),
                _ => Action::StartUpload,
            },
            State::Uploading if self.final_sent => Action::FetchStatus,
            State::Uploading if self.publish_id.is_none() || now >= self.upload_url_expires_at_ms => Action::Init,
            State::Uploading if self.chunks_done < self.last_chunk() => Action::SendChunk(self.chunks_done),
            State::Uploading => match self.due_at_ms {
                Some(due) if now < due => Action::WakeAt(due),
                _ => Action::SendChunk(self.last_chunk()),
            },
            State::Processing => Action::FetchStatus,
            State::SentToInbox if self.inbox_polling(now) => Action::FetchStatus,
            State::SentToInbox => Action::Idle,
        }
    }

    /// When the staged video needs looking after while nothing else is due: an unfinished
    /// staging is abandoned after a day; a finished post's video is deleted after `retention`.
    pub fn housekeeping_at(&self, retention_ms: u64) -> Option<u64> {
        match self.state {
            State::AwaitingMedia => Some(self.created_at_ms + STAGING_TIMEOUT_MS),
            State::Cancelled if self.media_staged || self.staging_left => Some(self.updated_at_ms),
            State::Published | State::Failed if self.media_staged => Some(self.updated_at_ms + retention_ms),
            State::SentToInbox if self.media_staged => self.sent_to_inbox_at_ms.map(|at| at + retention_ms),
            _ => None,
        }
    }

    /// When the post's own object may forget it (issue 35): it is finished, its video is gone,
    /// nothing is left to ask TikTok, and a retention window has passed since its last change
    /// (a cancelled post's too, so a late part or a second cancel still meets the post). Its
    /// account's index keeps what the queue shows.
    pub fn shed_at(&self, retention_ms: u64) -> Option<u64> {
        if self.media_staged || self.staging_left || self.awaits_post_id() {
            return None;
        }
        match self.state {
            State::Published | State::Failed | State::Cancelled => Some(self.updated_at_ms + retention_ms),
            // Still asked about until TikTok's deadline: the creator may post it in the app.
            State::SentToInbox => self.sent_to_inbox_at_ms.map(|at| (at + INBOX_POLL_DEADLINE_MS).max(self.updated_at_ms + retention_ms)),
            _ => None,
        }
    }

    /// Published publicly, but TikTok has not said the post's id yet.
    fn awaits_post_id(&self) -> bool {
        self.state == State::Published
            && self.post_id.is_none()
            // A draft's privacy is the creator's pick in the app: ask as for a public post.
            && (self.settings.privacy_level == Some(PrivacyLevel::PublicToEveryone) || self.mode() == Mode::Draft)
            && self.polls < MAX_POST_ID_POLLS
    }

    /// Status polls while TikTok processes (or until the public post id is known).
    pub(crate) fn poll_delay(&self, poll: u32) -> u64 {
        if self.pushed { pushed_poll_delay_ms(poll) } else { poll_delay_ms(poll) }
    }

    pub(crate) fn inbox_poll_delay(&self, poll: u32) -> u64 {
        if self.pushed { pushed_inbox_poll_delay_ms(poll) } else { inbox_poll_delay_ms(poll) }
    }

    fn fail(&mut self, e: PostError) {
        self.state = State::Failed;
        self.error = Some(e);
    }

    /// The TikTok side of a post, forgotten for a fresh attempt (never once the last chunk
    /// may have been sent: see `apply`).
    fn reset_upload(&mut self) {
        self.publish_id = None;
        self.upload_url = None;
        self.upload_url_expires_at_ms = 0;
        self.chunks_done = 0;
        self.final_sent = false;
        self.uploaded_bytes = 0;
    }

    fn transient(&mut self, e: &TikTokError, now: u64) {
        self.attempts += 1;
        if self.attempts >= MAX_ATTEMPTS {
            let message = format!("{} LetsPost tried {MAX_ATTEMPTS} times; retry the post when TikTok is back.", e.user_message());
            self.fail(PostError::new(e.code.clone(), message));
            return;
        }
        let wait = if e.code == codes::RATE_LIMIT_EXCEEDED || e.status == 429 { RATE_LIMITED_DELAY_MS } else { retry_delay_ms(self.attempts) };
        self.not_before_ms = now + wait;
    }

    pub fn apply(&mut self, event: Event, now: u64) -> Result<(), Conflict> {
        use State::*;
        if let Event::Pushed { publish_id, fact, at_ms } = event {
            if self.on_pushed(&publish_id, fact, at_ms, now) {
                self.updated_at_ms = now;
            }
            return Ok(());
        }
        match (self.state, event) {
            (AwaitingMedia, Event::MediaStaged) => {
                self.media_staged = true;
                self.state = Scheduled;
                self.due_at_ms = Some(self.publish_at_ms.unwrap_or(now).max(now));
            }
            (AwaitingMedia, Event::MediaRefused(e)) => self.fail(e),
            (Scheduled, Event::StartUpload) => {
                self.state = Uploading;
                self.attempts = 0;
                self.not_before_ms = 0;
            }
            (Uploading, Event::InitOk { publish_id, upload_url, expires_at_ms }) if !self.final_sent => {
                self.reset_upload();
                self.publish_id = Some(publish_id);
                self.upload_url = Some(upload_url);
                self.upload_url_expires_at_ms = expires_at_ms;
                self.attempts = 0;
            }
            (Uploading, Event::Sending(i)) => {
                if i == self.last_chunk() {
                    self.final_sent = true;
                }
            }
            (Uploading, Event::ChunkOk(i)) => {
                self.attempts = 0;
                self.chunks_done = self.chunks_done.max(i + 1);
                self.uploaded_bytes = self.plan().chunk_range(i).1 + 1;
                if i == self.last_chunk() {
                    self.state = Processing;
                    self.final_accepted_at_ms = Some(now);
                    self.polls = 0;
                    self.not_before_ms = now + self.poll_delay(0);
                }
            }
            (Uploading, Event::RangeMismatch { received }) => {
                // TikTok's count is the truth: continue from the chunk it expects next.
                self.uploaded_bytes = received;
                if received >= self.video_size {
                    self.state = Processing;
                    self.final_accepted_at_ms.get_or_insert(now);
                } else if let Some(i) = self.plan().chunk_starting_at(received) {
                    if i <= self.chunks_done {
                        // No progress (TikTok is still busy with an earlier try): back off.
                        self.attempts += 1;
                        self.not_before_ms = now + retry_delay_ms(self.attempts);
                    } else {
                        self.attempts = 0;
                    }
                    self.chunks_done = i;
                    self.final_sent = false;
                } else {
                    self.fail(PostError::new("upload_out_of_step", "TikTok and LetsPost disagree about the upload. Retry the post."));
                }
            }
            (Uploading, Event::UploadUrlGone) => {
                if self.final_sent {
                    // It may be complete: let status/fetch tell.
                    self.not_before_ms = now;
                } else {
                    self.reset_upload();
                }
            }
            (Uploading | Processing | SentToInbox | Published, Event::Status(s)) => self.on_status(s, now),
            (Uploading | Processing | SentToInbox | Published, Event::Failed(e)) => self.on_failure(e, now),
            (AwaitingMedia | Scheduled, cancel @ (Event::Cancel | Event::CancelFor(_))) => {
                self.staging_left = self.state == AwaitingMedia;
                self.state = Cancelled;
                self.error = Some(match cancel {
                    Event::CancelFor(reason) => reason,
                    _ => PostError::new(codes::PUBLISH_CANCELLED, "The post was cancelled."),
                });
            }
            (AwaitingMedia | Scheduled, Event::Reschedule(at)) => {
                self.publish_at_ms = at;
                if self.state == Scheduled {
                    self.due_at_ms = Some(at.unwrap_or(now).max(now));
                }
            }
            (Failed, Event::Retry) if self.media_staged && self.final_sent => {
                // The last chunk may be at TikTok: never upload again; ask where it stands.
                self.state = Uploading;
                self.error = None;
                self.attempts = 0;
                self.not_before_ms = 0;
            }
            (Failed, Event::Retry) if self.media_staged => {
                self.reset_upload();
                self.state = Scheduled;
                self.error = None;
                self.attempts = 0;
                self.not_before_ms = 0;
                self.polls = 0;
                self.due_at_ms = Some(self.publish_at_ms.unwrap_or(now).max(now));
            }
            (AwaitingMedia, Event::StagingAbandoned) => {
                self.fail(PostError::new("staging_abandoned", "The video upload never finished, so LetsPost let it go. Create the post again."));
            }
            (Cancelled | SentToInbox | Published | Failed, Event::MediaDeleted) => {
                self.media_staged = false;
                self.staging_left = false;
            }
            (_, Event::Cancel | Event::CancelFor(_)) => return Err(Conflict("The upload to TikTok has started, so the post can no longer be cancelled.")),
            (_, Event::Reschedule(_)) => return Err(Conflict("The upload to TikTok has started, so the time can no longer change.")),
            (_, Event::Retry) => return Err(Conflict("Only a failed post whose video is stored can be retried.")),
            // Anything else is a stale or repeated step (alarms are at-least-once): ignore it.
            _ => return Ok(()),
        }
        self.updated_at_ms = now;
        Ok(())
    }

    fn on_status(&mut self, s: StatusResponse, now: u64) {
        self.attempts = 0;
        match s.status {
            PublishStatus::SendToUserInbox if self.mode() == Mode::Draft => {
                if self.state == State::SentToInbox {
                    self.polls += 1;
                    self.not_before_ms = now + self.inbox_poll_delay(self.polls);
                } else {
                    self.move_to_inbox(now);
                }
            }
            PublishStatus::Failed if self.state == State::SentToInbox => {
                self.draft_gone(s.fail_reason.unwrap_or_else(|| codes::PUBLISH_CANCELLED.to_string()));
            }
            PublishStatus::PublishComplete => {
                if self.state != State::Published {
                    self.move_to_published(now);
                } else {
                    self.polls += 1;
                    self.not_before_ms = now + self.poll_delay(self.polls);
                }
                if let Some(id) = s.publicaly_available_post_id.first() {
                    self.learn_post_id(*id);
                }
            }
            PublishStatus::Failed => self.failed_at_tiktok(s.fail_reason.unwrap_or_else(|| codes::INTERNAL.to_string())),
            _ if self.state == State::Uploading => {
                // We asked because the last chunk's answer was lost: TikTok's byte count says
                // whether it arrived.
                self.uploaded_bytes = s.uploaded_bytes;
                if s.uploaded_bytes >= self.video_size {
                    self.state = State::Processing;
                    self.final_accepted_at_ms.get_or_insert(now);
                    self.not_before_ms = now + self.poll_delay(0);
                } else {
                    self.final_sent = false;
                    self.chunks_done = self.plan().chunk_starting_at(s.uploaded_bytes).unwrap_or(self.last_chunk());
                }
            }
            _ => {
                self.polls += 1;
                self.not_before_ms = now + self.poll_delay(self.polls);
            }
        }
    }

    /// TikTok has every byte of a draft and put it in the creator's inbox (it may say so
    /// before LetsPost heard the last chunk's 201).
    pub(crate) fn move_to_inbox(&mut self, now: u64) {
        self.state = State::SentToInbox;
        self.sent_to_inbox_at_ms = Some(now);
        self.uploaded_bytes = self.video_size;
        self.final_accepted_at_ms.get_or_insert(now);
        self.polls = 0;
        self.not_before_ms = now + self.inbox_poll_delay(0);
    }

    pub(crate) fn move_to_published(&mut self, now: u64) {
        self.state = State::Published;
        self.published_at_ms = Some(now);
        self.uploaded_bytes = self.video_size;
        self.final_accepted_at_ms.get_or_insert(now);
        self.polls = 0;
        self.not_before_ms = now + self.poll_delay(0);
    }

    pub(crate) fn learn_post_id(&mut self, id: u64) {
        self.post_id = Some(id);
        self.post_url = Some(post_url(&self.username, id));
    }

    /// The creator deleted the draft in the app (or TikTok dropped it): not posted, and
    /// nothing for LetsPost to retry.
    pub(crate) fn draft_gone(&mut self, reason: String) {
        self.state = State::Cancelled;
        let message = if reason == codes::PUBLISH_CANCELLED {
            "The draft was deleted in the TikTok app, so it was not posted."
        } else {
            tiktok_rules::error::user_message(&reason)
        };
        self.error = Some(PostError::new(reason, message));
    }

    /// TikTok's verdict is final for this publish_id: a retry may upload anew.
    pub(crate) fn failed_at_tiktok(&mut self, reason: String) {
        self.final_sent = false;
        let message = tiktok_rules::error::user_message(&reason);
        self.fail(PostError::new(reason, message));
    }

    fn on_failure(&mut self, e: TikTokError, now: u64) {
        if self.state == State::Published {
            // Only the post id was missing: stop asking after a few failures.
            self.polls += 1;
            self.not_before_ms = now + self.poll_delay(self.polls);
            return;
        }
        if self.state == State::SentToInbox {
            // LetsPost's part is done; a failed question is asked again later.
            self.polls += 1;
            self.not_before_ms = now + self.inbox_poll_delay(self.polls);
            return;
        }
        match e.class() {
            ErrorClass::Retryable => self.transient(&e, now),
            ErrorClass::Reconnect => self.fail(PostError::new(
                letspost_core::api::codes::RECONNECT_NEEDED,
                "Your TikTok connection has expired. Reconnect the account, then retry the post.",
            )),
            _ => self.fail(PostError::new(e.code.clone(), e.user_message())),
        }
    }
}
