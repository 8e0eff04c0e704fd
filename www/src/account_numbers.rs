//! `/accounts`' numbers for one account (issue 33): its followers over time as a chart (the
//! daily snapshots of `GET /api/accounts/{open_id}/stats`) with its latest counts as text, or,
//! when the creator did not allow LetsPost to read numbers, "Allow analytics": the normal
//! connect flow again, which asks TikTok for those scopes.

use crate::api;
use crate::chart::{Chart, in_browser_zone};
use crate::connect::ConnectButton;
use analytics::chart::text::grouped;
use leptos::prelude::*;
use letspost_core::api::{Analytics, paths};
use letspost_core::time_fmt::parse_rfc3339_ms;

/// The account's numbers, as its analytics allow.
#[component]
pub fn AccountNumbers(open_id: String, who: String, analytics: Analytics) -> impl IntoView {
    match analytics {
        Analytics::Off => ().into_any(),
        Analytics::NotAllowed => view! {
            <div class="banner info" role="status" data-testid="allow-analytics">
                <span>{format!("LetsPost can't show {who}'s numbers (views, likes, followers): they weren't allowed when it connected. Posting works either way. To see them, connect again and leave “video list” and “stats” ticked on TikTok's page.")}</span>
                <ConnectButton label="Allow analytics" secondary=true/>
            </div>
        }
        .into_any(),
        Analytics::On => view! { <Followers open_id=open_id who=who/> }.into_any(),
    }
}

#[component]
fn Followers(open_id: String, who: String) -> impl IntoView {
    let path = format!("{}/{open_id}/stats", paths::ACCOUNTS);
    let stats = LocalResource::new(move || {
        let p = path.clone();
        async move { api::get::<analytics::StatsBody>(&p).await }
    });
    let key: String = open_id.chars().filter(char::is_ascii_alphanumeric).collect();
    let chart_id = format!("followers-chart-{key}");
    let title = format!("Followers of {who}");
    let name = title.clone();
    view! {
        <section class="account-numbers" aria-label=name data-testid="account-numbers">
            <h2>"On TikTok"</h2>
            <Suspense fallback=|| view! { <div class="numbers-room" aria-busy="true"><p class="numbers muted">"Loading numbers…"</p><div class="chart-room"></div></div> }>
                {move || stats.get().map(|r| match r {
                    Err(e) => view! { <p class="issue error" role="alert">{e.message}</p> }.into_any(),
                    Ok(b) if b.stats.is_empty() => view! {
                        <p class="muted" data-testid="no-stats">"No numbers yet: LetsPost reads them from TikTok once a day."</p>
                    }.into_any(),
                    Ok(b) => {
                        let points: Vec<(u64, u64)> = b.stats.iter().filter_map(|s| Some((parse_rfc3339_ms(&s.at)?, s.followers))).collect();
                        let latest = b.stats.last().cloned();
                        view! {
                            {latest.map(|s| view! {
                                <p class="numbers" data-testid="account-counts">
                                    <span><strong>{grouped(s.followers.into())}</strong>" followers"</span>
                                    <span><strong>{grouped(s.following.into())}</strong>" following"</span>
                                    <span><strong>{grouped(s.likes.into())}</strong>" likes"</span>
                                    <span><strong>{grouped(s.videos.into())}</strong>" videos"</span>
                                </p>
                            })}
                            <Chart title=title.clone() id=chart_id.clone() chart=in_browser_zone("Followers", &points)/>
                        }.into_any()
                    }
                })}
            </Suspense>
        </section>
    }
}
