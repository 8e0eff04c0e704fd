//! `/accounts`: the TikTok accounts this browser connected, with what each needs (reconnect,
//! a business-account warning), its posting schedule (`schedule_editor.rs`), and disconnecting
//! (asked once), its followers over time or "Allow analytics" (`account_numbers.rs`), and the
//! personal API keys for them (`api_keys.rs`).

use crate::account_numbers::AccountNumbers;
use crate::api;
use crate::api_keys::ApiKeys;
use crate::connect::ConnectButton;
use crate::schedule_editor::PostingSchedule;
use leptos::prelude::*;
use leptos::task::spawn_local;
use letspost_core::api::{Account, AccountStatus, AccountsBody, ApiError, DeviceSession, SessionsBody, paths};

#[component]
pub fn AccountsPage() -> impl IntoView {
    let accounts = LocalResource::new(|| api::get::<AccountsBody>(paths::ACCOUNTS));
    let reload = move || accounts.refetch();
    // Back from the TikTok app (where the creator may have removed LetsPost): ask again, so a
    // removal pushed by TikTok shows without a reload.
    let back = window_event_listener(leptos::ev::focus, move |_| accounts.refetch());
    on_cleanup(move || back.remove());
    view! {
        <section class="card" data-testid="accounts">
            <div class="card-head">
                <h1>"TikTok accounts"</h1>
                <ConnectButton label=Signal::derive(move || {
                    let any = matches!(accounts.get(), Some(Ok(ref b)) if !b.accounts.is_empty());
                    if any { "Connect another account" } else { "Connect TikTok" }.to_string()
                })/>
            </div>
            <p class="lede">"LetsPost posts for the accounts you connect here. Personal and creator accounts work; TikTok may refuse business accounts."</p>
            <Suspense fallback=|| view! { <p class="muted">"Loading your accounts…"</p> }>
                {move || accounts.get().map(|r| match r {
                    Err(e) => view! {
                        <p class="issue error" role="alert">{e.message}</p>
                        <button class="button secondary" on:click=move |_| reload()>"Try again"</button>
                    }.into_any(),
                    Ok(b) if b.accounts.is_empty() => view! {
                        <p class="empty" data-testid="no-accounts">"No TikTok account is connected yet."</p>
                    }.into_any(),
                    Ok(b) => view! {
                        <ul class="accounts">
                            {b.accounts.clone().into_iter().map(|a| view! { <AccountCard account=a on_change=reload/> }).collect_view()}
                        </ul>
                        <ApiKeys accounts=b.accounts/>
                    }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Avatar(url: String, name: String) -> impl IntoView {
    let (broken, set_broken) = signal(url.is_empty());
    let initial = name.chars().next().map(|c| c.to_string()).unwrap_or_default();
    view! {
        <span class="avatar" aria-hidden="true">
            <span class="initial">{initial}</span>
            <Show when=move || !broken.get()>
                <img src=url.clone() alt="" on:error=move |_| set_broken.set(true)/>
            </Show>
        </span>
    }
}

#[component]
fn AccountCard(account: Account, on_change: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let (confirming, set_confirming) = signal(false);
    let (busy, set_busy) = signal(false);
    let (error, set_error) = signal(None::<ApiError>);
    let handle = if account.username.is_empty() { String::new() } else { format!("@{}", account.username) };
    let who = if handle.is_empty() { account.display_name.clone() } else { handle.clone() };
    let open_id = StoredValue::new(account.open_id.clone());
    let disconnect = move |_| {
        let path = format!("{}/{}", paths::ACCOUNTS, open_id.get_value());
        set_busy.set(true);
        spawn_local(async move {
            match api::delete(&path).await {
                Ok(()) => on_change(),
                Err(e) => {
                    set_error.set(Some(e));
                    set_busy.set(false);
                }
            }
        });
    };
    let reconnect = account.status == AccountStatus::ReconnectNeeded;
    let who_confirm = who.clone();
    let who_banner = who.clone();
    // TikTok's own reason, when it took the access away (a webhook); else the expiry sentence.
    let reason = account.reconnect_reason.clone();
    // From 14 days before TikTok's sign-in ends: say when, while it still works.
    let lapse = if reconnect { None } else { crate::lapse::notice(&account) };
    let who_lapse = who.clone();
    let who = who.clone();
    view! {
        <li class="account" data-testid="account" data-open-id=account.open_id.clone()
            data-status=if reconnect { "reconnect_needed" } else { "connected" }>
            <div class="account-row">
                <Avatar url=account.avatar_url.clone() name=account.display_name.clone()/>
                <div class="who">
                    <strong class="nickname">{account.display_name.clone()}</strong>
                    <span class="handle">{handle}</span>
                </div>
                <span class=if reconnect || account.business_account { "badge warn" } else { "badge ok" }>
                    {match (reconnect, account.business_account) {
                        (true, _) => "Reconnect needed",
                        (false, true) => "Business account",
                        (false, false) => "Connected",
                    }}
                </span>
                <Show when=move || !confirming.get()>
                    <button class="button secondary" on:click=move |_| set_confirming.set(true)>"Disconnect"</button>
                </Show>
            </div>
            <Show when=move || reconnect>
                <div class="banner warn" role="status" data-testid="reconnect-banner">
                    <span>{reason.clone().unwrap_or_else(|| format!("TikTok needs you to sign in again for {who_banner}. Until you do, LetsPost can't post for it."))}</span>
                    <ConnectButton label="Reconnect"/>
                </div>
            </Show>
            {lapse.map(|date| view! {
                <div class="banner warn" role="status" data-testid="lapse-notice">
                    <span>{format!("Reconnect TikTok before {date}: TikTok's sign-in for {who_lapse} ends then, and LetsPost can't post for it after.")}</span>
                    <ConnectButton label="Reconnect"/>
                </div>
            })}
            <Show when=move || account.business_account>
                <div class="banner warn" role="status" data-testid="business-warning">
                    "This is a TikTok business account. TikTok lets apps post only to personal and creator accounts, so it may refuse posts from LetsPost. Switch it to a personal or creator account in the TikTok app, or connect another account."
                </div>
            </Show>
            <Show when=move || confirming.get()>
                <div class="banner confirm" role="alertdialog" aria-label="Disconnect account" data-testid="confirm-disconnect">
                    <span>{format!("Disconnect {who_confirm}? LetsPost will forget it and TikTok will revoke its access.")}</span>
                    <span class="actions">
                        <button class="button danger" on:click=disconnect disabled=move || busy.get()>"Yes, disconnect"</button>
                        <button class="button secondary" on:click=move |_| set_confirming.set(false)>"Keep it"</button>
                    </span>
                </div>
            </Show>
            {move || error.get().map(|e| view! { <p class="issue error" role="alert">{e.message}</p> })}
            <AccountNumbers open_id=account.open_id.clone() who=who.clone() analytics=account.analytics/>
            <PostingSchedule open_id=account.open_id.clone() who=who.clone() suggestions={account.analytics == letspost_core::api::Analytics::On}/>
            <Devices open_id=account.open_id.clone() who=who.clone() on_change=on_change/>
        </li>
    }
}

/// The browsers signed in to this account (`GET /api/accounts/{open_id}/sessions`), this one
/// first as "This browser", each with "Sign out" (`DELETE …/sessions/{id}`).
#[component]
fn Devices(open_id: String, who: String, on_change: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let path = format!("{}/{open_id}/sessions", paths::ACCOUNTS);
    let list_path = path.clone();
    let sessions = LocalResource::new(move || {
        let p = list_path.clone();
        async move { api::get::<SessionsBody>(&p).await }
    });
    let (error, set_error) = signal(None::<ApiError>);
    let path = StoredValue::new(path);
    let sign_out = move |d: DeviceSession| {
        let target = format!("{}/{}", path.get_value(), d.id);
        spawn_local(async move {
            match api::delete(&target).await {
                // This browser let go of the account: it leaves the page.
                Ok(()) if d.current => on_change(),
                Ok(()) => sessions.refetch(),
                Err(e) => set_error.set(Some(e)),
            }
        });
    };
    let heading = format!("Browsers signed in to {who}");
    view! {
        <section class="devices" data-testid="devices" aria-label=heading.clone()>
            <h2 class="devices-title">"Signed in on"</h2>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || sessions.get().map(|r| match r {
                    Err(e) => view! { <p class="issue error" role="alert">{e.message}</p> }.into_any(),
                    Ok(b) => {
                        let now = js_sys::Date::now() as u64;
                        let mut list = b.sessions;
                        list.sort_by_key(|d| !d.current);
                        view! {
                            <ul class="device-list">
                                {list.into_iter().map(|d| {
                                    // The browser's own date parser: the `time` crate's would add ~16 KiB here.
                                    let parsed = js_sys::Date::parse(&d.last_seen_at);
                                    let seen = if parsed.is_finite() { parsed as u64 } else { now };
                                    let text = if d.current { "This browser".to_string() } else { letspost_core::device::line(&d.user_agent, now, seen) };
                                    let label = format!("Sign out {}", if d.current { "this browser".to_string() } else { letspost_core::device::summary(&d.user_agent) });
                                    let current = d.current;
                                    let id = d.id.clone();
                                    view! {
                                        <li class="device" data-testid="device" data-current=if current { "true" } else { "false" } data-id=id>
                                            <span class="device-name">{text}</span>
                                            <button class="button secondary" aria-label=label on:click=move |_| sign_out(d.clone())>"Sign out"</button>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }
                })}
            </Suspense>
            {move || error.get().map(|e| view! { <p class="issue error" role="alert">{e.message}</p> })}
        </section>
    }
}
