//! A published post's numbers on `/posts` (issue 33): a line of views, likes, comments and
//! shares in its row, and a panel with a chart of each and "Refresh numbers". The numbers never
//! say more than LetsPost knows: a post TikTok has not named yet is "Waiting for TikTok", a
//! private post has none, an account whose creator refused the analytics scopes says how to
//! allow them, and a refresh asked for too soon says when it can be asked again.

use crate::api;
use crate::chart::{Chart, in_browser_zone};
use analytics::ReadingsBody;
use analytics::chart::text::grouped;
use analytics::readings::ReadingPoint;
use leptos::prelude::*;
use leptos::task::spawn_local;
use letspost_core::api::{Analytics, paths};
use letspost_core::time_fmt::parse_rfc3339_ms;
use post_lifecycle::{PostBody, PostView, State};
use tiktok_rules::privacy::PrivacyLevel;
use wasm_bindgen::JsCast;

/// What a published post can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// Not published, a draft, or the deployment reads no numbers: nothing.
    Nothing,
    /// Only the creator can see it on TikTok: TikTok gives apps no numbers for it.
    Private,
    /// The creator did not allow LetsPost to read numbers (the analytics scopes).
    NotAllowed,
    /// Published, but TikTok has not given the post's id yet (moderation).
    WaitingForTikTok,
    /// Named by TikTok: its numbers (or none yet), and the panel.
    Numbers,
}

pub fn shown(p: &PostView, analytics: Analytics) -> Shown {
    if p.state != State::Published || analytics == Analytics::Off {
        Shown::Nothing
    } else if p.settings.privacy_level == Some(PrivacyLevel::SelfOnly) {
        Shown::Private
    } else if analytics == Analytics::NotAllowed {
        Shown::NotAllowed
    } else if p.tiktok_post_id.is_none() {
        Shown::WaitingForTikTok
    } else {
        Shown::Numbers
    }
}

/// "3 minutes" / "1 minute": a wait as people say it, rounded up.
fn minutes(secs: u64) -> String {
    match secs.div_ceil(60).max(1) {
        1 => "1 minute".to_string(),
        n => format!("{n} minutes"),
    }
}

/// The row's line: `1,234 views · 56 likes · 7 comments · 3 shares`, or why there is none.
#[component]
pub fn NumbersLine(post: PostView, analytics: Analytics) -> impl IntoView {
    match shown(&post, analytics) {
        Shown::Nothing => ().into_any(),
        Shown::Private => view! {
            <p class="numbers muted" data-testid="numbers" data-numbers="private">"Numbers aren't available for private (Only me) posts: TikTok shares them only for posts others can see."</p>
        }
        .into_any(),
        Shown::NotAllowed => view! {
            <p class="numbers muted" data-testid="numbers" data-numbers="not-allowed">
                "Numbers are off for this account: you didn't allow LetsPost to read them. "
                <a href="/accounts">"Allow analytics on Accounts"</a>
            </p>
        }
        .into_any(),
        Shown::WaitingForTikTok => view! {
            <p class="numbers muted" data-testid="numbers" data-numbers="waiting">"Numbers: Waiting for TikTok (it names the post once it is public)."</p>
        }
        .into_any(),
        Shown::Numbers => match post.metrics {
            None => view! { <p class="numbers muted" data-testid="numbers" data-numbers="none">"No numbers yet: TikTok is asked an hour after publishing."</p> }.into_any(),
            Some(m) => view! {
                <p class="numbers" data-testid="numbers" data-numbers="some">
                    <span><strong>{grouped(m.views.into())}</strong>" views"</span>
                    <span><strong>{grouped(m.likes.into())}</strong>" likes"</span>
                    <span><strong>{grouped(m.comments.into())}</strong>" comments"</span>
                    <span><strong>{grouped(m.shares.into())}</strong>" shares"</span>
                </p>
            }
            .into_any(),
        },
    }
}

/// The readings a chart can draw: the post had none of anything when it was published, then
/// each reading LetsPost keeps (`GET /api/posts/{id}/metrics`, oldest first), and the post's
/// latest numbers if they are newer than those.
fn series(p: &PostView, history: &[ReadingPoint], pick: impl Fn(u64, u64, u64, u64) -> u64) -> Vec<(u64, u64)> {
    let mut points = Vec::new();
    if let Some(at) = p.published_at.as_deref().and_then(parse_rfc3339_ms) {
        points.push((at, 0));
    }
    for r in history {
        if let Some(at) = parse_rfc3339_ms(&r.at) {
            points.push((at, pick(r.views, r.likes, r.comments, r.shares)));
        }
    }
    if let Some(m) = &p.metrics
        && let Some(at) = parse_rfc3339_ms(&m.at)
        && points.iter().all(|(t, _)| *t < at)
    {
        points.push((at, pick(m.views, m.likes, m.comments, m.shares)));
    }
    points
}

/// A refresh's outcome, kept by the page (rows are drawn again when a post changes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub post: String,
    pub text: String,
    pub problem: bool,
}

/// The post's panel: when the numbers were read, a chart of each, and "Refresh numbers".
/// `note` and `busy` live in the page, so a row drawn again keeps them; `learn` takes the
/// refreshed post.
#[component]
pub fn NumbersPanel(
    post: PostView,
    note: RwSignal<Option<Note>>,
    busy: RwSignal<Option<String>>,
    learn: Callback<PostView>,
    close: Callback<()>,
) -> impl IntoView {
    let id = post.id.clone();
    let key: String = id.chars().filter(char::is_ascii_alphanumeric).collect();
    let heading = format!("numbers-{key}");
    let labelled_by = heading.clone();
    let read_at = post.metrics.as_ref().map(|m| crate::queue::local_time(&m.at));
    let readings_path = format!("{}/{}/metrics", paths::POSTS, post.id);
    let readings = LocalResource::new(move || {
        let p = readings_path.clone();
        async move { api::get::<ReadingsBody>(&p).await }
    });
    let shown_post = StoredValue::new(post.clone());
    let chart_key = key.clone();
    let charts = move || {
        // Until the readings arrive (or if they can't be had), what the post itself carries.
        let history = readings.get().and_then(Result::ok).map(|b| b.readings).unwrap_or_default();
        let post = shown_post.get_value();
        [("Views", "views"), ("Likes", "likes"), ("Comments", "comments"), ("Shares", "shares")]
            .map(|(title, what)| {
                let points = series(&post, &history, |v, l, c, s| match what {
                    "views" => v,
                    "likes" => l,
                    "comments" => c,
                    _ => s,
                });
                view! { <Chart title=title.to_string() id=format!("{what}-{chart_key}") chart=in_browser_zone(title, &points)/> }
            })
            .collect_view()
    };
    let refresh_id = StoredValue::new(id.clone());
    let refresh = move |_| {
        let id = refresh_id.get_value();
        busy.set(Some(id.clone()));
        note.set(None);
        spawn_local(async move {
            let path = format!("{}/{id}/metrics/refresh", paths::POSTS);
            let outcome = api::post_for::<PostBody>(&path).await;
            busy.set(None);
            match outcome {
                Ok(b) => {
                    note.set(Some(Note { post: id.clone(), text: "Numbers refreshed from TikTok just now.".into(), problem: false }));
                    learn.run(b.post);
                    // The row is drawn again with the new numbers: the focus goes back to its
                    // button rather than to the top of the page.
                    let button = format!("refresh-{}", id.chars().filter(char::is_ascii_alphanumeric).collect::<String>());
                    request_animation_frame(move || {
                        if let Some(b) = document().get_element_by_id(&button) {
                            let _ = b.unchecked_into::<web_sys::HtmlElement>().focus();
                        }
                    });
                }
                Err(r) if r.status == 429 => {
                    let wait = r.retry_after_secs.map_or_else(|| "a few minutes".to_string(), minutes);
                    note.set(Some(Note { post: id, text: format!("TikTok was asked a moment ago: try again in {wait}."), problem: true }));
                }
                Err(r) if r.status == 409 => {
                    note.set(Some(Note {
                        post: id,
                        text: "Waiting for TikTok: it hasn't named this post yet, so there are no numbers to read.".into(),
                        problem: true,
                    }));
                }
                Err(r) => note.set(Some(Note { post: id, text: r.error.message, problem: true })),
            }
        });
    };
    let this = StoredValue::new(id.clone());
    let own_note = move || note.get().filter(|n| this.with_value(|t| n.post == *t));
    let is_busy = move || this.with_value(|t| busy.with(|b| b.as_deref() == Some(t.as_str())));
    view! {
        <section class="numbers-panel" aria-labelledby=labelled_by data-testid="numbers-panel" id=format!("panel-{key}")>
            <div class="card-head">
                <h2 id=heading>"Numbers over time"</h2>
                <button class="button secondary" on:click=move |_| close.run(())>"Close"</button>
            </div>
            <p class="muted" data-testid="numbers-read-at">
                {match read_at {
                    Some(t) => format!("Read from TikTok {t}. Each line runs from publishing (no views yet) through every reading LetsPost keeps."),
                    None => "TikTok hasn't been asked for this post's numbers yet.".to_string(),
                }}
            </p>
            <div class="charts">
                {charts}
            </div>
            <p class="actions">
                <button class="button" id=format!("refresh-{key}") data-testid="refresh-numbers" on:click=refresh disabled=is_busy>
                    {move || if is_busy() { "Asking TikTok…" } else { "Refresh numbers" }}
                </button>
            </p>
            <p role="status" data-testid="refresh-note" class=move || if own_note().is_some_and(|n| n.problem) { "issue warn" } else { "muted" }>
                {move || own_note().map(|n| n.text)}
            </p>
        </section>
    }
}
