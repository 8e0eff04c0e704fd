//! `/posts`: the queue. The session's posts, newest first, a page at a time ("Load more"), with
//! account, caption, time and state; cancel and reschedule while allowed, retry when failed,
//! the link once published. The calendar asks for its month or week; every few seconds the
//! page asks again for the posts still on their way, and only those.

use crate::api;
use crate::calendar::Calendar;
use crate::post_numbers::{Note, NumbersLine, NumbersPanel, Shown, shown};
use gloo_timers::future::sleep;
use leptos::prelude::*;
use leptos::task::spawn_local;
use letspost_core::api::{AccountsBody, Analytics, ApiError, paths};
use post_lifecycle::{Mode, PostBody, PostView, PostsBody, State};
use std::collections::BTreeSet;
use std::time::Duration;
use wasm_bindgen::JsCast;

/// Posts a page of the list holds (the API's default).
const PAGE: u32 = 50;
/// Ids one refresh asks for at most (the API's bound).
const IDS_PER_ASK: usize = 200;

/// What the page has learned (list pages, calendar windows, refreshes): each post once, the
/// newest answer winning.
fn learn(known: RwSignal<Vec<PostView>>, posts: Vec<PostView>) {
    known.update(|all| {
        for p in posts {
            match all.iter_mut().find(|o| o.id == p.id) {
                Some(o) => *o = p,
                None => all.push(p),
            }
        }
    });
}

/// Ask again for these posts, as they are now.
async fn refresh(known: RwSignal<Vec<PostView>>, ids: Vec<String>) {
    for some in ids.chunks(IDS_PER_ASK) {
        if let Ok(b) = api::get::<PostsBody>(&format!("{}?ids={}", paths::POSTS, some.join(","))).await {
            learn(known, b.posts);
        }
    }
}

/// The ids of the known posts still changing (on their way, or published without their link
/// yet) and, with `inbox`, of drafts in the inbox.
fn on_their_way(known: &[PostView], inbox: bool) -> Vec<String> {
    let now = js_sys::Date::now() as u64;
    known.iter().filter(|p| p.still_changing(now) || (inbox && p.state == State::SentToInbox)).map(|p| p.id.clone()).collect()
}

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
pub(crate) fn local_time(rfc3339: &str) -> String {
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
    let accounts = LocalResource::new(|| api::get::<AccountsBody>(paths::ACCOUNTS));
    let error = RwSignal::new(None::<ApiError>);
    let known = RwSignal::new(Vec::<PostView>::new());
    // The list: the ids of the pages loaded so far, and where the next page starts.
    let listed = RwSignal::new(BTreeSet::<String>::new());
    let next = RwSignal::new(None::<String>);
    // None while the first page loads; then its outcome.
    let loaded = RwSignal::new(None::<Result<(), ApiError>>);
    let loading_more = RwSignal::new(false);
    let load_page = move |cursor: Option<String>| async move {
        let path = match cursor {
            None => format!("{}?limit={PAGE}", paths::POSTS),
            Some(c) => format!("{}?limit={PAGE}&cursor={c}", paths::POSTS),
        };
        let page = api::get::<PostsBody>(&path).await?;
        listed.update(|l| l.extend(page.posts.iter().map(|p| p.id.clone())));
        next.set(page.next_cursor);
        learn(known, page.posts);
        Ok::<(), ApiError>(())
    };
    spawn_local(async move { loaded.set(Some(load_page(None).await)) });
    let load_more = move |_| {
        loading_more.set(true);
        spawn_local(async move {
            let r = load_page(next.get_untracked()).await;
            loading_more.set(false);
            error.set(r.err());
        });
    };
    // While a post is on its way, ask for it again every few seconds; while a draft waits in
    // the TikTok inbox (the creator may post it any time), every half minute.
    spawn_local(async move {
        let mut since_inbox = 0;
        loop {
            sleep(Duration::from_secs(4)).await;
            since_inbox += 4;
            // The page is gone once its signals are disposed: stop.
            let Some(all) = known.try_get_untracked() else { break };
            let inbox = since_inbox >= 30;
            let ask = on_their_way(&all, inbox);
            if ask.is_empty() {
                continue;
            }
            if inbox {
                since_inbox = 0;
            }
            refresh(known, ask).await;
        }
    });
    // A row's button: the post as the answer has it.
    let act = move |req: Request| {
        spawn_local(async move {
            match req.await {
                Ok(b) => {
                    error.set(None);
                    learn(known, vec![b.post]);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    // The calendar's month or week: asked for whole, whatever the list has loaded.
    let on_window = Callback::new(move |(from, to): (f64, f64)| {
        let iso = |ms: f64| String::from(js_sys::Date::new(&ms.into()).to_iso_string());
        let path = format!("{}?from={}&to={}", paths::POSTS, iso(from), iso(to));
        spawn_local(async move {
            if let Ok(b) = api::get::<PostsBody>(&path).await {
                learn(known, b.posts);
            }
        });
    });
    // A post moved on the calendar: ask again for those still on their way (it is one).
    let on_change = Callback::new(move |_| spawn_local(async move { refresh(known, on_their_way(&known.get_untracked(), false)).await }));
    // A post's numbers: which panel is open, and a refresh under way or its outcome.
    let numbers = Numbers {
        open: RwSignal::new(None),
        note: RwSignal::new(None),
        busy: RwSignal::new(None),
        learn: Callback::new(move |p: PostView| learn(known, vec![p])),
    };
    let analytics_of = move |open_id: &str| {
        accounts.get().and_then(Result::ok).and_then(|b| b.accounts.into_iter().find(|a| a.open_id == open_id)).map_or(Analytics::Off, |a| a.analytics)
    };
    let name_of = move |open_id: &str| {
        accounts
            .get()
            .and_then(Result::ok)
            .and_then(|b| b.accounts.into_iter().find(|a| a.open_id == open_id))
            .map_or_else(|| open_id.to_string(), |a| if a.username.is_empty() { a.display_name } else { format!("@{}", a.username) })
    };
    let all_posts = Memo::new(move |_| known.get());
    // The list's posts, newest first (as the API pages them).
    let list = Memo::new(move |_| {
        let ids = listed.get();
        let mut v: Vec<PostView> = known.get().into_iter().filter(|p| ids.contains(&p.id)).collect();
        v.sort_by(|a, b| (&b.created_at, &b.id).cmp(&(&a.created_at, &a.id)));
        v
    });
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
            // The same sentence as the page's shell (index.html), painted before the wasm.
            <p class="lede">
                "Every post of your accounts, newest first, with its state and time; once TikTok has published one, its views, likes, comments and shares. Open its numbers for a chart."
            </p>
            {move || error.get().map(|e| view! { <p class="issue error" role="alert">{e.message}</p> })}
            {move || match loaded.get() {
                None => view! { <p class="muted">"Loading your posts…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="issue error" role="alert">{e.message}</p> }.into_any(),
                Some(Ok(())) if list.with(Vec::is_empty) => view! { <p class="empty" data-testid="no-posts">"No posts yet."</p> }.into_any(),
                Some(Ok(())) => view! {
                    <ul class="posts">
                        {move || list.get().into_iter().map(|p| view! {
                            <PostRow post=p.clone() who=name_of(&p.account) warning=warning_of(&p) act=act analytics=analytics_of(&p.account) numbers=numbers/>
                        }).collect_view()}
                    </ul>
                    <Show when=move || next.with(Option::is_some)>
                        <p class="actions">
                            <button class="button secondary" data-testid="load-more" on:click=load_more disabled=move || loading_more.get()>
                                {move || if loading_more.get() { "Loading…" } else { "Load more" }}
                            </button>
                        </p>
                    </Show>
                }.into_any(),
            }}
            // Outside the list: the refresh every few seconds updates the calendar's posts but
            // keeps its month or week, and a drag under way.
            <Show when=move || !all_posts.with(Vec::is_empty)>
                <Calendar posts=all_posts accounts=account_names on_change=on_change on_window=on_window/>
            </Show>
        </section>
    }
}

/// A request from a row's button; the page shows its error or refreshes the list.
type Request = std::pin::Pin<Box<dyn std::future::Future<Output = Result<PostBody, ApiError>>>>;

/// The page's hold on posts' numbers: rows are drawn again whenever a post changes, so an
/// open panel and a refresh's outcome live here.
#[derive(Clone, Copy)]
struct Numbers {
    open: RwSignal<Option<String>>,
    note: RwSignal<Option<Note>>,
    busy: RwSignal<Option<String>>,
    learn: Callback<PostView>,
}

#[component]
fn PostRow(
    post: PostView,
    who: String,
    warning: Option<String>,
    act: impl Fn(Request) + Copy + Send + Sync + 'static,
    analytics: Analytics,
    numbers: Numbers,
) -> impl IntoView {
    let id = StoredValue::new(post.id.clone());
    let has_numbers = shown(&post, analytics) == Shown::Numbers;
    let key: String = post.id.chars().filter(char::is_ascii_alphanumeric).collect();
    let panel_id = format!("panel-{key}");
    let is_open = move || numbers.open.with(|o| o.as_deref() == Some(id.get_value().as_str()));
    let toggle = move |_| numbers.open.set(if is_open() { None } else { Some(id.get_value()) });
    // Closing gives the focus back to the button that opened it.
    let toggle_id = format!("open-{key}");
    let close = Callback::new({
        let toggle_id = toggle_id.clone();
        move |()| {
            numbers.open.set(None);
            if let Some(b) = document().get_element_by_id(&toggle_id) {
                let _ = b.unchecked_into::<web_sys::HtmlElement>().focus();
            }
        }
    });
    let panel_post = post.clone();
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
            <NumbersLine post=post.clone() analytics=analytics/>
            {has_numbers.then(|| view! {
                <p class="actions">
                    <button class="button secondary" id=toggle_id data-testid="open-numbers" aria-expanded=move || if is_open() { "true" } else { "false" }
                        aria-controls=panel_id on:click=toggle>
                        {move || if is_open() { "Hide numbers" } else { "Numbers and chart" }}
                    </button>
                </p>
            })}
            <Show when=is_open>
                <NumbersPanel post=panel_post.clone() note=numbers.note busy=numbers.busy learn=numbers.learn close=close/>
            </Show>
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
