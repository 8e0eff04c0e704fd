//! Whether the Worker answers: shown in the top bar so a broken deploy is obvious at once.
//!
//! Why the browser's own JSON parser and not serde: this is the only call the first page makes,
//! and keeping serde_json out of the main wasm module keeps it out of the first load.

use gloo_net::http::Request;
use js_sys::{JSON, Reflect};
use leptos::prelude::*;

#[derive(Clone, Debug)]
pub struct Health {
    pub status: String,
    pub version: String,
}

async fn fetch_health() -> Result<Health, String> {
    let resp = Request::get("/api/health").send().await.map_err(|e| e.to_string())?;
    if !resp.ok() {
        return Err(format!("HTTP {}", resp.status()));
    }
    let body = JSON::parse(&resp.text().await.map_err(|e| e.to_string())?).map_err(|_| "not JSON".to_string())?;
    let field = |name: &str| Reflect::get(&body, &name.into()).ok().and_then(|v| v.as_string()).ok_or(format!("no {name}"));
    Ok(Health { status: field("status")?, version: field("version")? })
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
