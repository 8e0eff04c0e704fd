//! The composer's video check: the drop zone with its file input, and how a probe report reads
//! (verdict, facts, issues, and how little of the file was read).

use leptos::prelude::*;
use tiktok_rules::media::Verdict;
use tiktok_rules::{Issue, Severity};
use video_probe::{Report, human_bytes};
use wasm_bindgen::JsCast;
use web_sys::{File, HtmlInputElement};

fn files_of(list: Option<web_sys::FileList>) -> Vec<File> {
    list.map(|l| (0..l.length()).filter_map(|i| l.get(i)).collect()).unwrap_or_default()
}

/// A file input (labelled "Video") inside a zone that also takes dropped files: one or several.
#[component]
pub fn VideoDrop(#[prop(into)] hint: String, on_files: impl Fn(Vec<File>) + Copy + 'static) -> impl IntoView {
    let on_change = move |ev: leptos::ev::Event| {
        let input: HtmlInputElement = ev.target().expect("input").unchecked_into();
        let files = files_of(input.files());
        if !files.is_empty() {
            on_files(files);
        }
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        let files = files_of(ev.data_transfer().and_then(|d| d.files()));
        if !files.is_empty() {
            on_files(files);
        }
    };
    view! {
        <label class="drop" on:dragover=|ev: leptos::ev::DragEvent| ev.prevent_default() on:drop=on_drop>
            <input type="file" multiple aria-label="Video" accept="video/mp4,video/quicktime,.mp4,.mov" data-testid="video-input" on:change=on_change/>
            <span>{hint}</span>
        </label>
    }
}

/// The verdict in words, and its CSS class.
pub fn verdict_text(v: Verdict) -> (&'static str, &'static str) {
    match v {
        Verdict::Ok => ("Ready for TikTok", "verdict ok"),
        Verdict::Warn => ("Postable, with a warning", "verdict warn"),
        Verdict::Error => ("TikTok will refuse this video", "verdict error"),
    }
}

/// The report's issues, errors and warnings told apart.
pub fn issue_list(issues: &[Issue]) -> impl IntoView + use<> {
    let items = issues
        .iter()
        .map(|i| {
            let cls = if i.severity == Severity::Error { "issue error" } else { "issue warn" };
            view! { <li class=cls data-code=i.code.as_str()>{i.message.clone()}</li> }
        })
        .collect_view();
    view! { <ul class="issues" data-testid="issues">{items}</ul> }
}

/// Milliseconds since the page opened (for how long a check took).
pub fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// A probe report: verdict, facts, issues, and how much of the file the check read.
pub fn report_view(r: Report, millis: f64) -> impl IntoView {
    let (label, class) = verdict_text(r.verdict);
    let ms = tiktok_rules::fmt::tenths((millis * 10.0).round() as u64);
    let timing = format!("Checked in {ms} ms, reading {} of {}.", human_bytes(r.bytes_read), human_bytes(r.size_bytes));
    let facts = std::iter::once(r.file.clone().unwrap_or_default()).chain(r.fact_list()).collect::<Vec<_>>().join(" · ");
    view! {
        <div class="result" data-testid="check-result" data-bytes-read=r.bytes_read.to_string() data-millis=ms>
            <p class=class data-testid="verdict">{label}</p>
            <p class="facts" data-testid="facts">{facts}</p>
            {issue_list(&r.issues)}
            <p class="muted" data-testid="timing">{timing}</p>
        </div>
    }
}
