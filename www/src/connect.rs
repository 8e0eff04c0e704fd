//! The "Connect TikTok" button and the `/oauth/callback` page.

use crate::oauth;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;

/// Starts the OAuth flow; a failure before leaving for TikTok shows under the button. Its label
/// is a signal so that a page changes the words, never the element: a button rebuilt while it
/// is pressed loses the click (mousedown on the old one, mouseup on the new: no `click`).
/// `share`: the share link's code to come back to once connected.
#[component]
pub fn ConnectButton(#[prop(into)] label: Signal<String>, #[prop(optional)] secondary: bool, #[prop(optional, into)] share: Option<String>) -> impl IntoView {
    let (busy, set_busy) = signal(false);
    let (error, set_error) = signal(None::<String>);
    let go = move |_| {
        set_busy.set(true);
        set_error.set(None);
        let share = share.clone();
        spawn_local(async move {
            if let Err(e) = oauth::start(share).await {
                set_error.set(Some(e));
                set_busy.set(false);
            }
        });
    };
    view! {
        <span class="connect">
            <button class=if secondary { "button secondary" } else { "button" } on:click=go disabled=move || busy.get()>
                {move || if busy.get() { "Opening TikTok…".to_string() } else { label.get() }}
            </button>
            {move || error.get().map(|e| view! { <p class="issue error" role="alert">{e}</p> })}
        </span>
    }
}

/// Where TikTok sends the creator back: finish the connection, or say in one sentence what
/// went wrong, with a way to try again. Never a blank page.
#[component]
pub fn OAuthCallback() -> impl IntoView {
    let (failure, set_failure) = signal(None::<String>);
    let navigate = use_navigate();
    let query = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    spawn_local(async move {
        match oauth::finish(&query).await {
            // Back to the shared link, now with an account to fit it to (a full load: the
            // composer reads the link from the address as it opens).
            Ok((_, Some(code))) => {
                if let Some(w) = web_sys::window() {
                    let _ = w.location().replace(&share_link::compose_path(&code));
                }
            }
            Ok((_, None)) => navigate("/accounts", NavigateOptions { replace: true, ..Default::default() }),
            Err(e) => set_failure.set(Some(e.message)),
        }
    });
    view! {
        <section class="card" data-testid="oauth-callback">
            {move || match failure.get() {
                None => view! {
                    <h1>"Connecting your TikTok account…"</h1>
                    <p class="lede">"Just a moment."</p>
                }.into_any(),
                Some(msg) => view! {
                    <h1>"Your TikTok account is not connected"</h1>
                    <p class="issue error" role="alert" data-testid="oauth-error">{msg}</p>
                    <p class="actions">
                        <ConnectButton label="Try again"/>
                        <a class="button secondary" href="/accounts">"Back to accounts"</a>
                    </p>
                }.into_any(),
            }}
        </section>
    }
}
