//! The app shell: top bar, routes, footer.

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
                    <A href="/">"Compose"</A>
                </nav>
                <WorkerStatus/>
            </header>
            <main id="app">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Home/>
                </Routes>
            </main>
            <footer>"LetsPost — publish and schedule to TikTok."</footer>
        </Router>
    }
}
