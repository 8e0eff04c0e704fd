//! TikTok's rules, as LetsPost applies them, in one place.
//!
//! Everything here is pure: no clocks, no randomness, no network. Callers pass in the bytes
//! and times they have, so the browser (wasm), the Worker (wasm), the emulator and the CLI
//! (native) all decide the same way. The facts come from `shared/tiktok-api.md`.

pub mod api;
pub mod caption;
pub mod chunk;
pub mod disclosure;
pub mod display;
pub mod error;
pub mod fmt;
pub mod media;
pub mod oauth;
pub mod pkce;
pub mod privacy;
pub mod webhook;

pub use caption::{CAPTION_MAX_UTF16, CaptionError};
pub use chunk::{ChunkError, ChunkPlan};
pub use disclosure::{Disclosure, DisclosureError};
pub use display::PostId;
pub use error::{ErrorClass, TikTokError};
pub use media::{Container, Issue, IssueCode, MediaFacts, Severity, VideoCodec};
pub use privacy::{Interactions, PrivacyLevel};
