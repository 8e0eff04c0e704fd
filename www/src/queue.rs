//! `/posts`: the queue. Every post of the session's accounts with its account, caption,
//! time and state; cancel and reschedule while allowed, retry when failed, the link once
//! published. Refreshes itself while anything is still on its way.

use crate::api;
use crate::calendar::Calendar;
use gloo_timers::future::sleep;
use leptos::prelude::*;
use leptos::task::spawn_local;
use letspost_core::api::{AccountsBody, ApiError, paths};
use post_lifecycle::{Mode, PostBody, PostView, PostsBody, State};
use std::time::Duration;

/// A post's state for people (the composer's status box says the same).
pub fn state_label(s: State) -> &'static str {
    match s {
        State::AwaitingMedia => "Waiting for the video",
        State::Scheduled => "Scheduled",
        State::Uploading => "Sending to TikTok",
        State::Processing => "TikTok is processing",
        State::SentToInbox => "In your TikTok inbox",
        State::Published => "Published",
        State::Failed => "Failed",
        State::Cancelled => "Cancelled",
    }
}

/// RFC 3339 → the browser's local date and time.
fn local_time(rfc3339: &str) -> String {
    let d = js_sys::Date::new(&rfc3339.into());
    String::from(d.to_locale_string("default", &js_sys::Object::new()))
}

fn caption_start(c: &str) -> String {
    let start: String = c.chars().take(60).collect();
    if start.len() < c.len() {
        format!("{start}…")
    } else if start.is_empty() {
        "(no caption)".into()
    } else {
        start
    }
}

#[component]
pub fn QueuePage() -> impl IntoView {
    let posts = LocalResource::new(|| api::get::<PostsBody>(paths::POSTS));
    let accounts = LocalResource::new(|| api::get::<AccountsBody>(paths::ACCOUNTS));
    let error = RwSignal::new(None::<ApiError>);
    // While a post is on its way, look again every few seconds; while a draft waits in the
    // TikTok inbox (the creator may post it any time), every half minute.
    spawn_local(async move {
        let mut waited = 0;
        loop {
            sleep(Duration::from_secs(4)).await;
            waited += 4;
            // The page is gone once the resource is disposed: stop.
            let Some(current) = posts.try_get_untracked() else { break };
            let (moving, in_inbox) = current
                .and_then(Result::ok)
                .map_or((false, false), |b| (b.posts.iter().any(|p| !p.state.is_final()), b.posts.iter().any(|p| p.state == State::SentToInbox)));
            if moving || (in_inbox && waited >= 30) {
                waited = 0;
                posts.refetch();
            }
        }
    });
    let act = move |req: Request| {
        spawn_local(async move {
            match req.await {
                Ok(_) => {
                    error.set(None);
                    posts.refetch();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let name_of = move |open_id: &str| {
        accounts
            .get()
            .and_then(Result::ok)
            .and_then(|b| b.accounts.into_iter().find(|a| a.open_id == open_id))
            .map_or_else(|| open_id.to_string(), |a| if a.username.is_empty() { a.display_name } else { format!("@{}", a.username) })
    };
    let all_posts = Memo::new(move |_| posts.get().and_then(Result::ok).map(|b| b.posts).unwrap_or_default());
    let account_names = Signal::derive(move || {
        accounts
            .get()
            .and_then(Result::ok)
            .map(|b| {
                b.accounts
                    .into_iter()
                    .map(|a| {
                        let name = if a.username.is_empty() { a.display_name.clone() } else { format!("@{}", a.username) };
                        (a.open_id, name)
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    });
    // A post due after its account's sign-in with TikTok ends says so while it can be helped.
    let warning_of = move |p: &PostView| {
        let pending = matches!(p.state, State::AwaitingMedia | State::Scheduled);
        let account = accounts.get().and_then(Result::ok)?.accounts.into_iter().find(|a| a.open_id == p.account)?;
        pending.then(|| crate::lapse::post_warning(&account, p.publish_at.as_deref())).flatten()
    };
    view! {
        <section class="card" data-testid="queue">
            <div class="card-head">
                <h1>"Your posts"</h1>
                <a class="button" href="/compose">"New post"</a>
            </div>
            {move || error.get().map(|e| view! { <p class="issue error" role="alert">{e.message}</p> })}
            <Suspense fallback=|| view! { <p class="muted">"Loading your posts…"</p> }>
                {move || posts.get().map(|r| match r {
                    Err(e) => view! { <p class="issue error" role="alert">{e.message}</p> }.into_any(),
                    Ok(b) if b.posts.is_empty() => view! { <p class="empty" data-testid="no-posts">"No posts yet."</p> }.into_any(),
                    Ok(b) => view! {
                        <ul class="posts">
                            {b.posts.into_iter().map(|p| view! { <PostRow post=p.clone() who=name_of(&p.account) warning=warning_of(&p) act=act/> }).collect_view()}
                        </ul>
                    }.into_any(),
                })}
            </Suspense>
            // Outside the list's Suspense: the refresh every few seconds updates the calendar's
            // posts but keeps its month or week, and a drag under way.
            <Show when=move || !all_posts.with(Vec::is_empty)>
                <Calendar posts=all_posts accounts=account_names on_change=Callback::new(move |_| posts.refetch())/>
            </Show>
        </section>
    }
}

/// A request from a row's button; the page shows its error or refreshes the list.
type Request = std::pin::Pin<Box<dyn std::future::Future<Output = Result<PostBody, ApiError>>>>;

#[component]
fn PostRow(post: PostView, who: String, warning: Option<String>, act: impl Fn(Request) + Copy + Send + Sync + 'static) -> impl IntoView {
    let id = StoredValue::new(post.id.clone());
    let when = post.publish_at.clone().map_or_else(|| format!("Posted now · created {}", local_time(&post.created_at)), |t| local_time(&t));
    let movable = matches!(post.state, State::AwaitingMedia | State::Scheduled);
    let new_time = RwSignal::new(String::new());
    let cancel = move |_| act(Box::pin(async move { api::delete_json::<PostBody>(&format!("{}/{}", paths::POSTS, id.get_value())).await }));
    // One key per press: a retry whose answer is lost is repeated, never carried out twice.
    let retry = move |_| {
        act(Box::pin(async move { api::post_once(&format!("{}/{}/retry", paths::POSTS, id.get_value()), &serde_json::json!({}), &api::fresh_key()).await }))
    };
    let reschedule = move |_| {
        let local = new_time.get_untracked();
        let d = js_sys::Date::new(&local.into());
        if !d.get_time().is_finite() {
            return;
        }
        let at = String::from(d.to_iso_string());
        act(Box::pin(async move { api::patch(&format!("{}/{}", paths::POSTS, id.get_value()), &serde_json::json!({ "publish_at": at })).await }))
    };
    view! {
        <li class="post" data-testid="post" data-id=post.id.clone() data-state=format!("{:?}", post.state)>
            <div class="post-row">
                <div class="who">
                    <strong>{caption_start(&post.settings.caption)}</strong>
                    {(post.mode == Mode::Draft).then(|| view! { <span class="tag" data-testid="draft-tag">"Draft"</span> })}
                    <span class="handle">{who}" · "{when}</span>
                </div>
                <span class=match post.state { State::Published | State::SentToInbox => "badge ok", State::Failed | State::Cancelled => "badge warn", _ => "badge" }>{state_label(post.state)}</span>
            </div>
            {post.error.clone().filter(|_| post.state == State::Failed).map(|e| view! { <p class="issue error">{e.message}</p> })}
            {warning.map(|w| view! { <p class="issue warn" data-testid="lapse-warning">{w}</p> })}
            {post.post_url.clone().map(|u| view! { <p><a href=u target="_blank" rel="noopener">"View on TikTok"</a></p> })}
            {post.no_longer_public_at.is_some().then(|| view! { <p class="issue warn" data-testid="no-longer-public">"No longer public on TikTok"</p> })}
            <p class="actions" class:hidden=move || !movable && post.state != State::Failed>
                <Show when=move || movable>
                    <input type="datetime-local" aria-label="New date and time" prop:value=move || new_time.get()
                        on:input=move |ev| new_time.set(event_target_value(&ev))/>
                    <button class="button secondary" on:click=reschedule disabled=move || new_time.get().is_empty()>"Reschedule"</button>
                    <button class="button secondary" on:click=cancel>"Cancel post"</button>
                </Show>
                <Show when=move || post.state == State::Failed>
                    <button class="button" on:click=retry>"Retry"</button>
                </Show>
            </p>
        </li>
    }
}
