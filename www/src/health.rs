//! Whether the Worker answers: shown in the top bar so a broken deploy is obvious at once.

use gloo_net::http::Request;
use leptos::prelude::*;
use serde::Deserialize;

#[derive(Clone, Debug, Deserialize)]
pub struct Health {
    pub status: String,
    pub version: String,
}

async fn fetch_health() -> Result<Health, String> {
    let resp = Request::get("/api/health").send().await.map_err(|e| e.to_string())?;
    if !resp.ok() {
        return Err(format!("HTTP {}", resp.status()));
    }
    resp.json::<Health>().await.map_err(|e| e.to_string())
}

#[component]
pub fn WorkerStatus() -> impl IntoView {
    let health = LocalResource::new(fetch_health);
    view! {
        <Suspense fallback=|| view! { <span class="status">"Connecting…"</span> }>
            {move || health.get().map(|h| match h {
                Ok(h) if h.status == "ok" => view! {
                    <span class="status ok" data-testid="worker-status">{format!("Online · v{}", h.version)}</span>
                }.into_any(),
                Ok(h) => view! {
                    <span class="status down" data-testid="worker-status">{format!("Server says: {}", h.status)}</span>
                }.into_any(),
                Err(e) => view! {
                    <span class="status down" data-testid="worker-status" title=e>"Server unreachable"</span>
                }.into_any(),
            })}
        </Suspense>
    }
}
