//! The queue's calendar: the same posts, on the local day they go out, by month or by week
//! (`week.rs`: free posting-schedule slots, drag to move).

use leptos::prelude::*;
use post_lifecycle::{PostView, State};

/// `YYYY-MM-DD` of a time in the browser's zone.
pub(crate) fn local_day(d: &js_sys::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.get_full_year(), d.get_month() + 1, d.get_date())
}

/// When a post goes (or went) out: its schedule, or when it was made for "post now".
pub(crate) fn when(p: &PostView) -> js_sys::Date {
    js_sys::Date::new(&p.publish_at.clone().unwrap_or_else(|| p.created_at.clone()).into())
}

const MONTHS: [&str; 12] = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

#[component]
pub fn Calendar(
    #[prop(into)] posts: Signal<Vec<PostView>>,
    /// (open_id, name) of the session's accounts, for the week view's free slots.
    #[prop(into)]
    accounts: Signal<Vec<(String, String)>>,
    on_change: Callback<()>,
    /// The month or week on screen, `[from, to)` in ms: its posts are asked for whole.
    on_window: Callback<(f64, f64)>,
) -> impl IntoView {
    let by_week = RwSignal::new(false);
    let offset = RwSignal::new(0i32);
    let month = move || {
        let now = js_sys::Date::new_0();
        let total = now.get_full_year() as i32 * 12 + now.get_month() as i32 + offset.get();
        (total.div_euclid(12) as u32, total.rem_euclid(12) as u32)
    };
    Effect::new(move |_| {
        if !by_week.get() {
            let (y, m) = month();
            let from = js_sys::Date::new_with_year_month_day(y, m as i32, 1).get_time();
            on_window.run((from, js_sys::Date::new_with_year_month_day(y, m as i32 + 1, 1).get_time()));
        }
    });
    let cells = move || {
        let (y, m) = month();
        let first = js_sys::Date::new_with_year_month_day(y, m as i32, 1);
        // Monday first: blanks before the 1st.
        let lead = (first.get_day() + 6) % 7;
        let days = js_sys::Date::new_with_year_month_day(y, m as i32 + 1, 0).get_date();
        let all = posts.get();
        let mut out: Vec<Option<(String, u32, Vec<PostView>)>> = (0..lead).map(|_| None).collect();
        for day in 1..=days {
            let key = format!("{y:04}-{:02}-{day:02}", m + 1);
            let mut on: Vec<PostView> = all.iter().filter(|p| local_day(&when(p)) == key).cloned().collect();
            on.sort_by(|a, b| when(a).get_time().total_cmp(&when(b).get_time()));
            out.push(Some((key, day, on)));
        }
        out
    };
    let toggle = view! {
        <div class="view-toggle" role="group" aria-label="Calendar view">
            <button class="button secondary" aria-pressed=move || (!by_week.get()).to_string() on:click=move |_| by_week.set(false)>"Month"</button>
            <button class="button secondary" aria-pressed=move || by_week.get().to_string() on:click=move |_| by_week.set(true)>"Week"</button>
        </div>
    };
    view! {
        <section class="calendar" data-testid="calendar" aria-label="Calendar">
            {toggle}
            <Show when=move || by_week.get()>
                <crate::week::WeekView posts=posts accounts=accounts on_change=on_change on_window=on_window/>
            </Show>
            <Show when=move || !by_week.get()>
            <div class="card-head">
                <h2>{move || { let (y, m) = month(); format!("{} {y}", MONTHS[m as usize]) }}</h2>
                <span class="actions">
                    <button class="button secondary" on:click=move |_| offset.update(|o| *o -= 1)>"Previous month"</button>
                    <button class="button secondary" on:click=move |_| offset.update(|o| *o += 1)>"Next month"</button>
                </span>
            </div>
            <div class="grid">
                {["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].map(|d| view! { <div class="dow">{d}</div> }).collect_view()}
                {move || cells().into_iter().map(|c| match c {
                    None => view! { <div class="day blank"></div> }.into_any(),
                    Some((key, day, on)) => view! {
                        <div class="day" data-day=key>
                            <span class="num">{day}</span>
                            {on.into_iter().map(|p| {
                                let t = when(&p);
                                let class = match p.state { State::Published => "chip ok", State::Failed | State::Cancelled => "chip warn", _ => "chip" };
                                let text: String = p.settings.caption.chars().take(24).collect();
                                view! { <span class=class title=p.settings.caption.clone()>{format!("{:02}:{:02} {text}", t.get_hours(), t.get_minutes())}</span> }
                            }).collect_view()}
                        </div>
                    }.into_any(),
                }).collect_view()}
            </div>
            </Show>
        </section>
    }
}
