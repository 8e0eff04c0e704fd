//! The calendar's week view: seven days (the browser's own, Monday first) with each account's
//! free posting-schedule slots and its posts. A scheduled post is dragged (pointer events, so
//! mouse, pen and touch alike) onto a free slot (that exact time) or onto a day (its own time
//! of day, on that day), which reschedules it; "Move" does the same from the keyboard with the
//! date-time field. What moved, or why it could not, is announced (a live region).

use crate::api;
use crate::calendar::{local_day, when};
use leptos::prelude::*;
use leptos::task::spawn_local;
use letspost_core::api::{ApiError, paths};
use post_lifecycle::{PostBody, PostView, State};
use posting_schedule::FreeSlotsBody;
use wasm_bindgen::JsCast;

/// Local midnight starting the Monday of the week `offset` weeks from this one.
fn monday(offset: i32) -> js_sys::Date {
    let now = js_sys::Date::new_0();
    let back = (now.get_day() + 6) % 7;
    js_sys::Date::new_with_year_month_day(now.get_full_year(), now.get_month() as i32, now.get_date() as i32 - back as i32 + offset * 7)
}

fn iso(ms: f64) -> String {
    String::from(js_sys::Date::new(&ms.into()).to_iso_string())
}

fn hh_mm(d: &js_sys::Date) -> String {
    format!("{}:{:02}", d.get_hours(), d.get_minutes())
}

/// The value a `datetime-local` field shows for an instant, in the browser's zone.
fn local_input(ms: f64) -> String {
    let d = js_sys::Date::new(&ms.into());
    format!("{}T{:02}:{:02}", local_day(&d), d.get_hours(), d.get_minutes())
}

fn movable(p: &PostView) -> bool {
    matches!(p.state, State::AwaitingMedia | State::Scheduled) && p.publish_at.is_some()
}

fn caption_start(p: &PostView) -> String {
    let c: String = p.settings.caption.chars().take(28).collect();
    if c.is_empty() { "(no caption)".into() } else { c }
}

/// A drag in progress: which post, where the pointer went down, how far it has gone.
#[derive(Clone, Copy, PartialEq)]
struct Drag {
    index: usize,
    x: i32,
    y: i32,
    dx: i32,
    dy: i32,
}

impl Drag {
    fn moved(&self) -> bool {
        self.dx.abs() + self.dy.abs() > 6
    }
}

/// The drop target under (x, y): a free slot's exact time, else the day's.
enum Target {
    At(String),
    Day(String),
}

fn target_at(x: i32, y: i32) -> Option<Target> {
    let doc = web_sys::window()?.document()?;
    let inside = |sel: &str, attr: &str| -> Option<String> {
        let list = doc.query_selector_all(sel).ok()?;
        (0..list.length()).filter_map(|i| list.item(i)?.dyn_into::<web_sys::Element>().ok()).find_map(|e| {
            let r = e.get_bounding_client_rect();
            let (x, y) = (x as f64, y as f64);
            (x >= r.left() && x <= r.right() && y >= r.top() && y <= r.bottom()).then(|| e.get_attribute(attr)).flatten()
        })
    };
    inside("[data-drop-at]", "data-drop-at").map(Target::At).or_else(|| inside("[data-drop-day]", "data-drop-day").map(Target::Day))
}

/// Where a post dropped on `target` goes: a slot's time, or the post's own time of day on
/// the day (local).
fn new_time(p: &PostView, target: &Target) -> Option<String> {
    match target {
        Target::At(at) => Some(at.clone()),
        Target::Day(day) => {
            let old = js_sys::Date::new(&p.publish_at.clone()?.into());
            let d = js_sys::Date::new(&format!("{day}T{:02}:{:02}", old.get_hours(), old.get_minutes()).into());
            d.get_time().is_finite().then(|| String::from(d.to_iso_string()))
        }
    }
}

#[component]
pub fn WeekView(
    #[prop(into)] posts: Signal<Vec<PostView>>,
    /// (open_id, how to name it) of each account the session holds.
    #[prop(into)]
    accounts: Signal<Vec<(String, String)>>,
    /// A post moved: the page asks for the posts on their way again.
    on_change: Callback<()>,
    /// The week on screen, `[from, to)` in ms: its posts are asked for whole.
    on_window: Callback<(f64, f64)>,
) -> impl IntoView {
    let offset = RwSignal::new(0i32);
    let said = RwSignal::new(String::new());
    let failed = RwSignal::new(None::<String>);
    let window = move || {
        // To the next Monday's midnight, not 7 × 24 h: a DST week is an hour longer or shorter.
        (monday(offset.get()).get_time(), monday(offset.get() + 1).get_time())
    };
    Effect::new(move |_| on_window.run(window()));
    // Each account's free slots in the week, asked again when posts change (a move frees one).
    let free = LocalResource::new(move || {
        let (from, to) = window();
        let accounts = accounts.get();
        posts.track();
        async move {
            let mut out: Vec<(String, String)> = Vec::new();
            for (open_id, _) in accounts {
                let path = format!("{}/{open_id}/slots?from={}&to={}", paths::ACCOUNTS, iso(from), iso(to));
                if let Ok(b) = api::get::<FreeSlotsBody>(&path).await {
                    out.extend(b.free.into_iter().map(|at| (open_id.clone(), at)));
                }
            }
            out
        }
    });
    let name_of = move |open_id: &str| accounts.with(|a| a.iter().find(|(id, _)| id == open_id).map(|(_, n)| n.clone()).unwrap_or_default());
    let several = move || accounts.with(|a| a.len() > 1);

    let move_post = move |p: PostView, at: String| {
        let label = crate::slot_time::slot_label(&at, None);
        let what = caption_start(&p);
        said.set(format!("Moving “{what}” to {label}…"));
        failed.set(None);
        spawn_local(async move {
            let r: Result<PostBody, ApiError> = api::patch(&format!("{}/{}", paths::POSTS, p.id), &serde_json::json!({ "publish_at": at })).await;
            match r {
                Ok(_) => {
                    said.set(format!("Moved “{what}” to {label}."));
                    on_change.run(());
                }
                Err(e) => {
                    said.set(String::new());
                    failed.set(Some(format!("“{what}” was not moved: {}", e.message)));
                }
            }
        });
    };

    // The week's posts, in order; a drag refers to one by its index here.
    let week_posts = Memo::new(move |_| {
        let (from, to) = window();
        let mut v: Vec<PostView> = posts
            .get()
            .into_iter()
            .filter(|p| {
                let t = when(p).get_time();
                t >= from && t < to
            })
            .collect();
        v.sort_by(|a, b| a.publish_at.cmp(&b.publish_at));
        v
    });
    let drag = RwSignal::new(None::<Drag>);
    // A press anywhere on the post, its Move button included (a finger near it lands on it:
    // browsers snap touches to the nearest control), becomes a drag once it has moved a few
    // pixels, so a press that does not move stays a click. The moves and the release are
    // followed on the window: a fast pointer leaves the post behind.
    let on_down = move |index: usize, ev: web_sys::PointerEvent| {
        if ev.button() == 0 {
            drag.set(Some(Drag { index, x: ev.client_x(), y: ev.client_y(), dx: 0, dy: 0 }));
        }
    };
    let moves = window_event_listener(leptos::ev::pointermove, move |ev| {
        if let Some(mut d) = drag.get_untracked() {
            d.dx = ev.client_x() - d.x;
            d.dy = ev.client_y() - d.y;
            drag.set(Some(d));
        }
    });
    let ups = window_event_listener(leptos::ev::pointerup, move |ev| {
        let Some(d) = drag.get_untracked() else { return };
        drag.set(None);
        if !d.moved() {
            return;
        }
        let Some(p) = week_posts.with_untracked(|v| v.get(d.index).cloned()) else { return };
        let Some(at) = target_at(ev.client_x(), ev.client_y()).and_then(|t| new_time(&p, &t)) else { return };
        if Some(&at) != p.publish_at.as_ref() {
            move_post(p, at);
        }
    });
    let cancels = window_event_listener(leptos::ev::pointercancel, move |_| drag.set(None));
    on_cleanup(move || {
        moves.remove();
        ups.remove();
        cancels.remove();
    });
    let editing = RwSignal::new(None::<String>);
    let edit_value = RwSignal::new(String::new());

    let days = move || {
        let first = monday(offset.get());
        (0..7).map(|i| js_sys::Date::new_with_year_month_day(first.get_full_year(), first.get_month() as i32, first.get_date() as i32 + i)).collect::<Vec<_>>()
    };
    let title = move || {
        let d = days();
        let fmt = |d: &js_sys::Date| crate::slot_time::day_label(d);
        format!("Week of {} – {}", fmt(&d[0]), fmt(&d[6]))
    };

    view! {
        <div class="week-view" data-testid="week-view">
            <div class="card-head">
                <h2>{title}</h2>
                <span class="actions">
                    <button class="button secondary" on:click=move |_| offset.update(|o| *o -= 1)>"Previous week"</button>
                    <button class="button secondary" on:click=move |_| offset.update(|o| *o += 1)>"Next week"</button>
                </span>
            </div>
            <p class="muted">"Drag a scheduled post to a free time or another day, or use Move."</p>
            <p class="moved" role="status" aria-live="polite" data-testid="week-status">{move || said.get()}</p>
            {move || failed.get().map(|e| view! { <p class="issue error" role="alert" data-testid="week-error">{e}</p> })}
            <div class="week-days">
                {move || days().into_iter().map(|d| {
                    let key = local_day(&d);
                    let label = crate::slot_time::day_label(&d);
                    let aria = label.clone();
                    let drop_day = key.clone();
                    let day_free = {
                        let key = key.clone();
                        move || free.get().unwrap_or_default().into_iter().filter(|(_, at)| local_day(&js_sys::Date::new(&at.into())) == key).collect::<Vec<_>>()
                    };
                    let day_posts = {
                        let key = key.clone();
                        move || week_posts.get().into_iter().enumerate().filter(|(_, p)| {
                            local_day(&when(p)) == key
                        }).collect::<Vec<_>>()
                    };
                    view! {
                        <section class="wday" data-drop-day=drop_day aria-label=aria>
                            <h3>{label}</h3>
                            <ul class="free-slots">
                                {move || day_free().into_iter().map(|(open_id, at)| {
                                    let t = hh_mm(&js_sys::Date::new(&at.clone().into()));
                                    let who = if several() { format!(" · {}", name_of(&open_id)) } else { String::new() };
                                    view! { <li class="free" data-drop-at=at data-account=open_id>{format!("Free {t}{who}")}</li> }
                                }).collect_view()}
                            </ul>
                            <ul class="week-posts">
                                {move || day_posts().into_iter().map(|(i, p)| {
                                    let t = when(&p);
                                    let can_move = movable(&p);
                                    let class = match p.state { State::Published => "wpost ok", State::Failed | State::Cancelled => "wpost warn", _ => "wpost" };
                                    let text = format!("{} {}", hh_mm(&t), caption_start(&p));
                                    let id = p.id.clone();
                                    let id_edit = id.clone();
                                    let id_attr = id.clone();
                                    let p_save = p.clone();
                                    let start = local_input(t.get_time());
                                    let dragging = move || drag.get().is_some_and(|d| d.index == i && d.moved());
                                    let shift = move || drag.get().filter(|d| d.index == i && d.moved()).map(|d| format!("translate({}px, {}px)", d.dx, d.dy)).unwrap_or_default();
                                    view! {
                                        <li class=class class:draggable=can_move class:dragging=dragging style:transform=shift
                                            data-post=id_attr data-state=format!("{:?}", p.state)
                                            on:pointerdown=move |ev| if can_move { on_down(i, ev) }>
                                            <span class="wtext" title=p.settings.caption.clone()>{text}</span>
                                            <Show when=move || can_move>
                                                <button class="button secondary small"
                                                    on:click={let id = id.clone(); let start = start.clone(); move |_| { edit_value.set(start.clone()); editing.set(Some(id.clone())); }}>"Move"</button>
                                            </Show>
                                            <Show when={let id = id_edit.clone(); move || editing.get().as_deref() == Some(id.as_str())}>
                                                <span class="move-form" on:pointerdown=|ev| ev.stop_propagation()>
                                                    <input type="datetime-local" aria-label="Move to date and time" prop:value=move || edit_value.get()
                                                        on:input=move |ev| edit_value.set(event_target_value(&ev))/>
                                                    <button class="button small" on:click={let p = p_save.clone(); move |_| {
                                                        let d = js_sys::Date::new(&edit_value.get_untracked().into());
                                                        if d.get_time().is_finite() {
                                                            editing.set(None);
                                                            move_post(p.clone(), String::from(d.to_iso_string()));
                                                        }
                                                    }}>"Save"</button>
                                                    <button class="button secondary small" on:click=move |_| editing.set(None)>"Cancel"</button>
                                                </span>
                                            </Show>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        </section>
                    }
                }).collect_view()}
            </div>
        </div>
    }
}
