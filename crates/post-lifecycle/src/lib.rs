//! One post's life, decided here and nowhere else. The Post Durable Object feeds events in
//! (what TikTok answered, what the creator asked) with the time, persists the [`Post`], and
//! performs the [`Action`] that [`Post::next`] names — nothing more.
//!
//! Exactly once: the last chunk is what makes TikTok publish. Once it may have reached
//! TikTok (`final_sent`), the machine never inits again nor resends it blindly: it asks
//! `status/fetch`, and only TikTok's own byte count can send it back to uploading.

pub mod caps;
pub mod create;
pub mod drafts;
pub mod history;
pub mod machine;
pub mod pushed;
pub mod staging;
pub mod timing;
pub mod view;
pub mod watch;

pub use create::{CreatePost, FieldError};
pub use machine::{Action, Conflict, Event, Init, Mode, Post, PostError, Settings, State};
pub use pushed::Pushed;
pub use view::{CreatedBody, MediaProgress, Metrics, PostBody, PostView, PostsBody, UploadTarget};
