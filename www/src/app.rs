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
