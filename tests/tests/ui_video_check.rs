//! The probe's browser shell (Blob.slice) in real headless Chromium: the composer checks a
//! video the moment it is picked, before any account or upload. Firefox and WebKit run the
//! same flows (ui_engines).

use letspost_e2e::{Engine, flows};

#[tokio::test]
async fn a_good_video_is_ready_and_read_only_in_part() {
    flows::check_a_good_video(Engine::Chromium).await;
}

#[tokio::test]
async fn rotated_phone_footage_and_letterboxing_in_the_browser() {
    flows::check_rotated_and_letterboxed(Engine::Chromium).await;
}

#[tokio::test]
async fn an_image_is_refused_before_anything_is_uploaded() {
    flows::check_an_image_is_refused(Engine::Chromium).await;
}
