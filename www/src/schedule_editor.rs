//! `/accounts`' "Posting schedule" for one account: its time zone (a searchable list of the
//! browser's own IANA names), its weekly times as a week grid with a remove button on each, and
//! "Add time". Each change is saved at once (`PUT`); the Worker checks it and answers with the
//! schedule as stored (sorted, no duplicates), which is what is shown. "Use suggested times"
//! (issue 33) puts the hours the creator's own posts did best in
//! (`GET /api/accounts/{open_id}/best-times`) into the week, marked, until the creator saves
//! or discards them.

use crate::api;
use analytics::BestTimesBody;
use leptos::prelude::*;
use leptos::task::spawn_local;
use letspost_core::api::paths;
use posting_schedule::{Schedule, ScheduleBody, Slot};
use wasm_bindgen::JsCast;

const DAYS: [(&str, &str); 7] = [("mon", "Mon"), ("tue", "Tue"), ("wed", "Wed"), ("thu", "Thu"), ("fri", "Fri"), ("sat", "Sat"), ("sun", "Sun")];

/// Every IANA zone the browser knows (`Intl.supportedValuesOf`), for the searchable list.
fn zone_names() -> Vec<String> {
    let intl = js_sys::Reflect::get(&js_sys::global(), &"Intl".into()).unwrap_or_default();
    let Ok(f) = js_sys::Reflect::get(&intl, &"supportedValuesOf".into()).and_then(|f| f.dyn_into::<js_sys::Function>()) else {
        return Vec::new();
    };
    let list = f.call1(&intl, &"timeZone".into()).unwrap_or_default();
    js_sys::Array::from(&list).iter().filter_map(|v| v.as_string()).collect()
}

/// "9:00" for "09:00": how the grid writes a time.
fn short_time(hh_mm: &str) -> String {
    hh_mm.strip_prefix('0').filter(|t| t.len() == 4).unwrap_or(hh_mm).to_string()
}

fn day_label(day: &str) -> &'static str {
    DAYS.iter().find(|(d, _)| *d == day).map_or("", |(_, l)| *l)
}

/// "1.8× your typical views" for a score of 180 (a percentage of the account's typical post).
fn score_text(score: u32) -> String {
    format!("{}× your typical views", tiktok_rules::fmt::ratio_1dp(u64::from(score), 100))
}

/// `suggestions`: the account's numbers are read, so it may have best times.
#[component]
pub fn PostingSchedule(open_id: String, who: String, #[prop(optional)] suggestions: bool) -> impl IntoView {
    let path = StoredValue::new(format!("{}/{open_id}/schedule", paths::ACCOUNTS));
    let best_path = StoredValue::new(format!("{}/{open_id}/best-times", paths::ACCOUNTS));
    let schedule = RwSignal::new(None::<Schedule>);
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(String::new());
    spawn_local(async move {
        match api::get::<ScheduleBody>(&path.get_value()).await {
            Ok(b) => schedule.set(Some(b.schedule)),
            Err(e) => error.set(Some(e.message)),
        }
    });
    // Save a changed schedule; what the Worker stored replaces it (or its refusal is shown and
    // the last stored one stays).
    let save = move |next: Schedule, done: String| {
        error.set(None);
        saved.set(String::new());
        spawn_local(async move {
            match api::put::<_, ScheduleBody>(&path.get_value(), &ScheduleBody { schedule: next }).await {
                Ok(b) => {
                    schedule.set(Some(b.schedule));
                    saved.set(done);
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let uid = open_id.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>();
    let heading = format!("schedule-{uid}");
    let zones_id = format!("zones-{uid}");
    let zones = StoredValue::new(Vec::<String>::new());
    let zone_input = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(s) = schedule.get() {
            zone_input.set(s.time_zone);
        }
    });
    let pick_zone = move |name: String| {
        let Some(mut s) = schedule.get_untracked() else { return };
        if name == s.time_zone {
            return;
        }
        s.time_zone = name.clone();
        save(s, format!("Time zone set to {name}."));
    };
    let new_day = RwSignal::new("mon".to_string());
    let new_time = RwSignal::new("09:00".to_string());
    let add = move |_| {
        let Some(mut s) = schedule.get_untracked() else { return };
        let (day, time) = (new_day.get_untracked(), new_time.get_untracked());
        if time.is_empty() {
            error.set(Some("Pick a time to add.".into()));
            return;
        }
        let done = format!("Added {} {}.", day_label(&day), short_time(&time));
        s.slots.push(Slot { day, time });
        save(s, done);
    };
    // Suggested times not in the schedule yet, shown in the week until saved or discarded.
    let proposal = RwSignal::new(None::<Vec<(Slot, u32)>>);
    let suggestion_note = RwSignal::new(String::new());
    let asking = RwSignal::new(false);
    let suggest = move |_| {
        asking.set(true);
        suggestion_note.set(String::new());
        error.set(None);
        spawn_local(async move {
            let answer = api::get::<BestTimesBody>(&best_path.get_value()).await;
            asking.set(false);
            let b = match answer {
                Ok(b) => b,
                Err(e) => return error.set(Some(e.message)),
            };
            if b.slots.is_empty() {
                proposal.set(None);
                let why = b.message.unwrap_or_else(|| "Your posts don't point to better times yet.".into());
                return suggestion_note.set(why);
            }
            let have = schedule.get_untracked().map(|s| s.slots).unwrap_or_default();
            let new: Vec<(Slot, u32)> =
                b.slots.iter().map(|x| (Slot { day: x.day.clone(), time: x.time.clone() }, x.score)).filter(|(slot, _)| !have.contains(slot)).collect();
            let zone = schedule.get_untracked().map(|s| s.time_zone).unwrap_or_default();
            let in_zone = if b.time_zone == zone { String::new() } else { format!(" (in {})", b.time_zone) };
            let listed: Vec<String> = b.slots.iter().map(|x| format!("{} {}, {}", day_label(&x.day), short_time(&x.time), score_text(x.score))).collect();
            let from = format!("From your {} posts, your best times{in_zone}: {}.", b.based_on, listed.join("; "));
            if new.is_empty() {
                proposal.set(None);
                suggestion_note.set(format!("{from} Your schedule has them all already."));
            } else {
                suggestion_note.set(format!("{from} The new ones are marked in the week: save them to use them."));
                proposal.set(Some(new));
            }
        });
    };
    let save_proposal = move |_| {
        let (Some(mut s), Some(new)) = (schedule.get_untracked(), proposal.get_untracked()) else { return };
        let n = new.len();
        s.slots.extend(new.into_iter().map(|(slot, _)| slot));
        proposal.set(None);
        suggestion_note.set(String::new());
        save(s, format!("Added {n} suggested time{}.", if n == 1 { "" } else { "s" }));
    };
    let discard = move |_| {
        proposal.set(None);
        suggestion_note.set("Suggested times discarded.".into());
    };
    let remove = move |slot: Slot| {
        let Some(mut s) = schedule.get_untracked() else { return };
        s.slots.retain(|x| *x != slot);
        save(s, format!("Removed {} {}.", day_label(&slot.day), short_time(&slot.time)));
    };

    view! {
        <section class="posting-schedule" aria-label=format!("Posting schedule for {who}") data-testid="posting-schedule">
            <h2 id=heading>"Posting schedule"</h2>
            <p class="muted">"“Add to queue” posts at the next of these times that is free."</p>
            <label class="field zone">
                <span>"Time zone"</span>
                <input type="text" list=zones_id.clone() aria-label="Time zone" autocomplete="off" spellcheck="false"
                    prop:value=move || zone_input.get()
                    on:focus=move |_| if zones.with_value(Vec::is_empty) { zones.set_value(zone_names()) }
                    on:input=move |ev| zone_input.set(event_target_value(&ev))
                    on:change=move |ev| pick_zone(event_target_value(&ev))/>
            </label>
            <datalist id=zones_id>
                {move || {
                    // Filled on first focus: four hundred options are not built for every visit.
                    zone_input.track();
                    zones.with_value(|z| z.iter().map(|n| view! { <option value=n.clone()></option> }).collect_view())
                }}
            </datalist>
            <ul class="week" aria-label="Times each week">
                {DAYS.map(|(day, label)| view! {
                    <li class="weekday" data-day=day>
                        <span class="dow">{label}</span>
                        <ul class="times">
                            {move || schedule.get().map(|s| s.slots.into_iter().filter(|x| x.day == day).map(|slot| {
                                let text = short_time(&slot.time);
                                let name = format!("Remove {label} {text}");
                                let time = slot.time.clone();
                                view! {
                                    <li class="slot" data-time=time>
                                        <span>{text}</span>
                                        <button class="remove" aria-label=name.clone() title=name on:click=move |_| remove(slot.clone())>"×"</button>
                                    </li>
                                }
                            }).collect_view())}
                            {move || proposal.get().map(|p| p.into_iter().filter(|(x, _)| x.day == day).map(|(slot, score)| {
                                let text = short_time(&slot.time);
                                let why = format!(" (suggested: {})", score_text(score));
                                view! {
                                    <li class="slot suggested" data-time=slot.time.clone() data-suggested="true">
                                        <span>{text}<span class="visually-hidden">{why}</span><span aria-hidden="true">" ★"</span></span>
                                    </li>
                                }
                            }).collect_view())}
                        </ul>
                    </li>
                }).collect_view()}
            </ul>
            <div class="add-time">
                <label class="field">
                    <span>"Day"</span>
                    <select aria-label="Day" on:change=move |ev| new_day.set(event_target_value(&ev))>
                        {DAYS.map(|(day, label)| view! { <option value=day selected=move || new_day.get() == day>{label}</option> }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span>"Time"</span>
                    <input type="time" aria-label="Time" prop:value=move || new_time.get() on:input=move |ev| new_time.set(event_target_value(&ev))/>
                </label>
                <button class="button secondary" on:click=add disabled=move || schedule.with(Option::is_none)>"Add time"</button>
                <Show when=move || suggestions>
                    <button class="button secondary" data-testid="suggest-times" on:click=suggest disabled=move || asking.get() || schedule.with(Option::is_none)>
                        {move || if asking.get() { "Looking at your posts…" } else { "Use suggested times" }}
                    </button>
                </Show>
            </div>
            <div class="suggestions" data-testid="suggestions">
                <p role="status" data-testid="suggestion-note">{move || suggestion_note.get()}</p>
                <Show when=move || proposal.with(Option::is_some)>
                    <p class="actions">
                        <button class="button" data-testid="save-suggested" on:click=save_proposal>"Save suggested times"</button>
                        <button class="button secondary" on:click=discard>"Discard"</button>
                    </p>
                </Show>
            </div>
            <p class="muted saved" role="status" data-testid="schedule-status">{move || saved.get()}</p>
            {move || error.get().map(|e| view! { <p class="issue error" role="alert" data-testid="schedule-error">{e}</p> })}
        </section>
    }
}
