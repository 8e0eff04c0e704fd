//! The probe's browser shell (Blob.slice) in real headless Chromium: the composer checks a
//! video the moment it is picked, before any account or upload: a good one read only in part,
//! rotated phone footage, letterboxing, and an image refused. Firefox and WebKit run the same
//! flow (ui_engines).

use letspost_e2e::{Engine, flows};

#[tokio::test]
async fn good_rotated_letterboxed_and_refused_files_are_checked_before_any_upload() {
    flows::check_videos(Engine::Chromium).await;
}
