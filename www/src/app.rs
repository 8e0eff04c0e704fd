//! The app shell: top bar, routes, footer.

use crate::accounts::AccountsPage;
use crate::compose::ComposePage;
use crate::queue::QueuePage;
use crate::connect::OAuthCallback;
use crate::health::WorkerStatus;
use crate::pages::{Home, NotFound};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::path;

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
            </header>
            <main id="app">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Home/>
                    <Route path=path!("/compose") view=ComposePage/>
                    <Route path=path!("/posts") view=QueuePage/>
                    <Route path=path!("/accounts") view=AccountsPage/>
                    <Route path=path!("/oauth/callback") view=OAuthCallback/>
                </Routes>
            </main>
            <footer>"LetsPost — publish and schedule to TikTok."</footer>
        </Router>
    }
}
