//! "Add to queue": the time it will take, asked of the Worker (which alone picks the slot when
//! the post is made, so two browsers never get the same one), shown in the schedule's zone.

use crate::api;
use leptos::prelude::*;
use letspost_core::api::paths;
use posting_schedule::NextFreeBody;

/// The account's next free time, asked again whenever `made` changes (a post was made).
pub fn next_free(account: RwSignal<Option<String>>, made: Signal<Option<String>>) -> LocalResource<Option<Result<NextFreeBody, String>>> {
    LocalResource::new(move || {
        let account = account.get();
        made.track();
        async move {
            let a = account?;
            Some(api::get::<NextFreeBody>(&format!("{}/{a}/queue", paths::ACCOUNTS)).await.map_err(|e| e.message))
        }
    })
}

/// The line beside "Add to queue": the time, or why there is none (with where to fix it).
pub fn next_free_line(next: LocalResource<Option<Result<NextFreeBody, String>>>) -> impl IntoView {
    move || {
        next.get().flatten().map(|r| match r {
            Ok(NextFreeBody { next_free_at: Some(at), time_zone, .. }) => {
                let mut text = format!("Next free time: {}", crate::slot_time::slot_label(&at, Some(&time_zone)));
                if crate::api::browser_time_zone().as_deref() != Some(time_zone.as_str()) {
                    text.push_str(&format!(" ({time_zone})"));
                }
                view! { <p class="muted next-free" data-testid="next-free" data-at=at>{text}</p> }.into_any()
            }
            Ok(b) => view! {
                <p class="muted next-free" data-testid="next-free">
                    {b.message.unwrap_or_default()} " " <a href="/accounts">"Set your posting schedule"</a>
                </p>
            }
            .into_any(),
            Err(e) => view! { <p class="muted next-free" data-testid="next-free">{e}</p> }.into_any(),
        })
    }
}

/// Whether "Add to queue" has a time to give.
pub fn has_free(next: LocalResource<Option<Result<NextFreeBody, String>>>) -> bool {
    matches!(next.get().flatten(), Some(Ok(NextFreeBody { next_free_at: Some(_), .. })))
}
