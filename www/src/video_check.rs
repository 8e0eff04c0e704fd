//! "Check a video": pick or drop a file, see at once whether TikTok will take it.

use crate::probe_blob::probe_file;
use crate::video_drop::{issue_list, verdict_text, VideoDrop};
use leptos::prelude::*;
use leptos::task::spawn_local;
use video_probe::{human_bytes, Report};
use web_sys::File;

#[derive(Clone)]
struct Checked {
    report: Report,
    millis: f64,
}

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

#[component]
pub fn VideoCheck() -> impl IntoView {
    let (result, set_result) = signal::<Option<Result<Checked, String>>>(None);
    let (busy, set_busy) = signal(false);

    let check = move |file: File| {
        set_busy.set(true);
        spawn_local(async move {
            let start = now_ms();
            let out = probe_file(&file).await.map(|report| Checked { report, millis: now_ms() - start });
            set_result.set(Some(out));
            set_busy.set(false);
        });
    };
    view! {
        <section class="card" data-testid="video-check">
            <h2>"Check a video"</h2>
            <p class="lede">"LetsPost reads only the file's headers, in your browser: nothing is uploaded."</p>
            <VideoDrop hint="Choose or drop an MP4 or MOV file" on_file=check/>
            <Show when=move || busy.get()>
                <p class="muted">"Checking…"</p>
            </Show>
            {move || result.get().map(|r| match r {
                Ok(c) => view! { <CheckResult checked=c/> }.into_any(),
                Err(e) => view! { <p class="issue error" data-testid="check-error">{e}</p> }.into_any(),
            })}
        </section>
    }
}

#[component]
fn CheckResult(checked: Checked) -> impl IntoView {
    let r = checked.report;
    let (label, class) = verdict_text(r.verdict);
    let facts = r.fact_list();
    let timing = format!(
        "Checked in {:.1} ms, reading {} of {}.",
        checked.millis,
        human_bytes(r.bytes_read),
        human_bytes(r.size_bytes)
    );
    let issues = issue_list(&r.issues);
    view! {
        <div class="result" data-testid="check-result" data-verdict=format!("{:?}", r.verdict).to_lowercase()
             data-millis=checked.millis.to_string() data-bytes-read=r.bytes_read.to_string()>
            <p class=class data-testid="verdict">{label}</p>
            <p class="facts" data-testid="facts">{r.file.unwrap_or_default()}" · "{facts.join(" · ")}</p>
            {issues}
            <p class="muted" data-testid="timing">{timing}</p>
        </div>
    }
}
