//! The app shell: top bar, routes, footer.

use crate::health::WorkerStatus;
use crate::pages::{Home, NotFound};
use crate::routes;
use leptos::prelude::*;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::{Lazy, path};

#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <header class="topbar">
                <a class="brand" href="/">"Lets"<span>"Post"</span></a>
                <nav>
                    <A href="/compose">"Compose"</A>
                    <A href="/posts">"Posts"</A>
                    <A href="/accounts">"Accounts"</A>
                </nav>
                <WorkerStatus/>
                <SignOut/>
            </header>
            <main id="app">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Home/>
                    <Route path=path!("/compose") view={Lazy::<routes::Compose>::new()}/>
                    <Route path=path!("/posts") view={Lazy::<routes::Posts>::new()}/>
                    <Route path=path!("/accounts") view={Lazy::<routes::Accounts>::new()}/>
                    <Route path=path!("/oauth/callback") view={Lazy::<routes::Callback>::new()}/>
                </Routes>
            </main>
            <footer>"LetsPost — publish and schedule to TikTok."</footer>
        </Router>
    }
}

/// "Sign out": ends this browser's session on the server (every account it holds is let go
/// here, and stays connected for other browsers), then opens `/accounts`, signed out.
#[component]
fn SignOut() -> impl IntoView {
    let (busy, set_busy) = signal(false);
    let (failed, set_failed) = signal(None::<String>);
    let sign_out = move |_| {
        set_busy.set(true);
        leptos::task::spawn_local(async move {
            match crate::api::post_empty(letspost_core::api::paths::LOGOUT).await {
                // A whole new page: nothing of the session stays in memory.
                Ok(()) => {
                    let _ = window().location().assign("/accounts");
                }
                Err(e) => {
                    set_failed.set(Some(e.message));
                    set_busy.set(false);
                }
            }
        });
    };
    view! {
        <button class="button secondary sign-out" data-testid="sign-out" on:click=sign_out disabled=move || busy.get()>"Sign out"</button>
        {move || failed.get().map(|m| view! { <p class="issue error" role="alert">{m}</p> })}
    }
}
