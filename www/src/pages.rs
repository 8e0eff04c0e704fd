//! Pages of the shell: home (what LetsPost does and what TikTok takes, with the numbers straight
//! from the rules crate) and "not found". Both live in the main wasm module, so they stay light:
//! checking a video is the composer's job.

use crate::connect::ConnectButton;
use leptos::prelude::*;
use tiktok_rules::CAPTION_MAX_UTF16;
use tiktok_rules::chunk::MB;
use tiktok_rules::media::{MAX_DURATION_MS, MAX_FPS, MAX_SIDE_PX, MAX_SIZE_BYTES, MIN_DURATION_MS, MIN_FPS, MIN_SIDE_PX};
use tiktok_rules::privacy::PrivacyLevel;

#[component]
pub fn Home() -> impl IntoView {
    let privacy = PrivacyLevel::PUBLIC_ACCOUNT_OPTIONS.iter().map(|p| p.label()).collect::<Vec<_>>().join(", ");
    view! {
        <section class="card">
            <h1>"Post to TikTok, now or later"</h1>
            <p class="lede">"Connect your TikTok account, drop in a video, write a caption and pick who sees it."</p>
            <ol class="steps">
                <li>"Connect TikTok"</li>
                <li>"Drop in a video"</li>
                <li>"Caption and settings"</li>
                <li>"Post now or schedule"</li>
            </ol>
            <p class="actions">
                <ConnectButton label="Connect TikTok"/>
                <a class="button secondary" href="/accounts">"Your accounts"</a>
            </p>
        </section>
        <section class="card" data-testid="rules">
            <h2>"What TikTok accepts"</h2>
            <ul class="rules">
                <li>"MP4 or MOV, H.264 or H.265"</li>
                <li>{format!("{} seconds to {} minutes long", MIN_DURATION_MS / 1000, MAX_DURATION_MS / 60_000)}</li>
                <li>{format!("Up to {} MB", tiktok_rules::fmt::ratio_1dp(MAX_SIZE_BYTES, MB))}</li>
                <li>{format!("{MIN_FPS}–{MAX_FPS} frames per second, {MIN_SIDE_PX}–{MAX_SIDE_PX} pixels per side")}</li>
                <li>"9:16 (vertical) looks best; other shapes are shown letterboxed"</li>
                <li>{format!("Captions up to {},{:03} characters (emoji count as 2)", CAPTION_MAX_UTF16 / 1000, CAPTION_MAX_UTF16 % 1000)}</li>
                <li>{format!("Privacy: {privacy}")}</li>
            </ul>
        </section>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="card">
            <h1>"Page not found"</h1>
            <p class="lede"><a href="/">"Back to LetsPost"</a></p>
        </section>
    }
}
