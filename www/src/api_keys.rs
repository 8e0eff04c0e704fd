//! `/accounts` → "API keys": personal keys for scripts, the `letspost` CLI and AI assistants
//! (`GET/POST /api/keys`, `DELETE /api/keys/{id}`). A new key's secret is shown once, in a
//! read-only field to copy, and forgotten when the creator presses "Done".

use crate::api;
use leptos::prelude::*;
use leptos::task::spawn_local;
use letspost_core::api::{Account, ApiError};
use letspost_core::api_key::{ApiKey, KeyCreated, KeysBody, NewKey};

const KEYS: &str = "/api/keys";

#[component]
pub fn ApiKeys(accounts: Vec<Account>) -> impl IntoView {
    let keys = LocalResource::new(|| api::get::<KeysBody>(KEYS));
    let (error, set_error) = signal(None::<ApiError>);
    let (secret, set_secret) = signal(None::<String>);
    let (name, set_name) = signal(String::new());
    let (busy, set_busy) = signal(false);
    // Every account is chosen at first: most creators make a key for all of theirs.
    let chosen = RwSignal::new(accounts.iter().map(|a| a.open_id.clone()).collect::<Vec<_>>());
    let names = StoredValue::new(accounts.iter().map(|a| (a.open_id.clone(), handle(a))).collect::<Vec<_>>());
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = NewKey { name: name.get_untracked(), accounts: chosen.get_untracked() };
        set_busy.set(true);
        spawn_local(async move {
            match api::post::<_, KeyCreated>(KEYS, &body).await {
                Ok(made) => {
                    set_error.set(None);
                    set_name.set(String::new());
                    set_secret.set(Some(made.secret));
                    keys.refetch();
                }
                Err(e) => set_error.set(Some(e)),
            }
            set_busy.set(false);
        });
    };
    let revoke = move |k: ApiKey| {
        spawn_local(async move {
            match api::delete(&format!("{KEYS}/{}", k.id)).await {
                Ok(()) => keys.refetch(),
                Err(e) => set_error.set(Some(e)),
            }
        });
    };
    let shown = move |ids: &[String]| -> String {
        let names = names.get_value();
        ids.iter().map(|id| names.iter().find(|(o, _)| o == id).map_or(id.clone(), |(_, h)| h.clone())).collect::<Vec<_>>().join(", ")
    };
    view! {
        <section class="api-keys" data-testid="api-keys" aria-labelledby="api-keys-title">
            <h2 id="api-keys-title">"API keys"</h2>
            <p class="muted">"A key lets a script, the letspost command or an AI assistant post for the accounts you choose. It can't make keys or connect accounts. Revoke it here at any time."</p>
            {move || secret.get().map(|s| view! {
                <div class="banner confirm new-key" role="status" data-testid="new-key">
                    <label for="new-key-secret">"Your new key. Copy it now: LetsPost keeps only its fingerprint and can't show it again."</label>
                    <input id="new-key-secret" class="secret" readonly value=s data-testid="new-key-secret"/>
                    <button class="button secondary" on:click=move |_| set_secret.set(None)>"Done"</button>
                </div>
            })}
            <Suspense fallback=|| view! { <p class="muted">"Loading keys…"</p> }>
                {move || keys.get().map(|r| match r {
                    Err(e) => view! { <p class="issue error" role="alert">{e.message}</p> }.into_any(),
                    Ok(b) if b.keys.is_empty() => view! { <p class="empty" data-testid="no-keys">"No API keys yet."</p> }.into_any(),
                    Ok(b) => view! {
                        <ul class="key-list">
                            {b.keys.into_iter().map(|k| {
                                let used = k.last_used_at.as_deref().map_or("never used".to_string(), |t| format!("last used {}", day(t)));
                                let detail = format!("{} · made {} · {used}", shown(&k.accounts), day(&k.created_at));
                                let label = format!("Revoke key {}", k.name);
                                let id = k.id.clone();
                                view! {
                                    <li class="key" data-testid="api-key" data-id=id>
                                        <span class="key-name"><strong>{k.name.clone()}</strong><span class="muted">{detail}</span></span>
                                        <button class="button secondary" aria-label=label on:click=move |_| revoke(k.clone())>"Revoke"</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                })}
            </Suspense>
            <form class="new-key-form" on:submit=create data-testid="new-key-form">
                <label class="field" for="key-name">
                    <span>"Name"</span>
                    <input id="key-name" type="text" maxlength="64" required placeholder="Render farm"
                        prop:value=move || name.get() on:input=move |ev| set_name.set(event_target_value(&ev))/>
                </label>
                <fieldset>
                    <legend>"Accounts it may post to"</legend>
                    {names.get_value().into_iter().map(|(open_id, h)| {
                        let id = open_id.clone();
                        let checked = open_id.clone();
                        view! {
                            <label class="check">
                                <input type="checkbox" data-open-id=open_id.clone()
                                    prop:checked=move || chosen.get().contains(&checked)
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        chosen.update(|c| { c.retain(|x| *x != id); if on { c.push(id.clone()); } });
                                    }/>
                                {h}
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
                <button class="button" type="submit" disabled=move || busy.get() || chosen.get().is_empty()>"Create key"</button>
            </form>
            {move || error.get().map(|e| view! { <p class="issue error" role="alert">{e.message}</p> })}
        </section>
    }
}

fn handle(a: &Account) -> String {
    if a.username.is_empty() { a.display_name.clone() } else { format!("@{}", a.username) }
}

/// `2026-12-07T09:00:00Z` → `2026-12-07`: the day is what matters here.
fn day(rfc3339: &str) -> String {
    rfc3339.get(..10).unwrap_or(rfc3339).to_string()
}
