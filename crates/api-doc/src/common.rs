//! What every route shares, added to each operation after utoipa has made the document: the
//! credentials it takes (a key only where `letspost_core::api_key::key_may` lets one), the
//! key's 401 and rate limit, the Origin check's 403, and TikTok's failures where a route asks
//! TikTok. Derived from the same rules the Worker runs, so the two can't disagree.

use letspost_core::api_key::key_may;
use serde_json::{Value, json};

/// Reached before the key and Origin checks: they prove themselves otherwise (a signature, or
/// nothing at all for CSP reports).
const OWN_CHECKS: [&str; 2] = ["/api/webhooks/tiktok", "/api/csp-report"];
/// Routes whose answer comes from a call to TikTok with the account's tokens.
const ASKS_TIKTOK: [&str; 4] = ["oauth_token", "creator_info", "create_post", "refresh_metrics"];
/// Routes anyone may call: a key is not needed (but, when sent, must be valid).
const PUBLIC: [&str; 5] = ["health", "openapi_json", "settings", "oauth_config", "oauth_start"];

pub fn apply(doc: &mut Value) {
    doc["components"]["securitySchemes"] = json!({
        "bearer": {
            "type": "http", "scheme": "bearer", "bearerFormat": "lp_…",
            "description": "A personal API key (`lp_` + 43 base64url characters), made on /accounts → API keys. It acts for exactly its accounts, is exempt from the Origin check, and a cookie sent beside it is not read.",
        },
        "session": {
            "type": "apiKey", "in": "cookie", "name": "__Host-letspost_session",
            "description": "The browser session (HttpOnly, SameSite=Lax; `letspost_session` without Secure on localhost and 127.0.0.1), issued by `POST /api/oauth/token`.",
        },
    });
    let error = json!({ "application/json": { "schema": { "$ref": "#/components/schemas/ErrorBody" } } });
    let paths = doc["paths"].as_object_mut().expect("paths");
    for (path, item) in paths.iter_mut() {
        let segments: Vec<&str> = path.trim_start_matches("/api/").split('/').collect();
        for (method, op) in item.as_object_mut().expect("a path item").iter_mut() {
            let id = op["operationId"].as_str().unwrap_or_default().to_string();
            let responses = op["responses"].as_object_mut().expect("responses");
            let mut add = |status: &str, words: &str, headers: Value| {
                let r = responses.entry(status).or_insert_with(|| json!({ "description": "", "content": error }));
                let before = r["description"].as_str().unwrap_or_default();
                r["description"] = json!(if before.is_empty() { words.to_string() } else { format!("{before} {words}") });
                if let Some(h) = headers.as_object() {
                    for (name, header) in h {
                        r["headers"][name] = header.clone();
                    }
                }
            };
            if OWN_CHECKS.contains(&path.as_str()) {
                if path.ends_with("csp-report") {
                    add("429", "`rate_limited`: over 30 reports a minute from this address.", retry_after());
                }
                continue;
            }
            let method_upper = method.to_uppercase();
            let key_allowed = key_may(&method_upper, &segments);
            add("401", "`invalid_key`: an `Authorization` header that is not a key LetsPost issued and keeps (whatever the route).", www_authenticate());
            add(
                "429",
                "`rate_limited`: over a limit (a key's 600 requests a minute, a session's or key's writes or parts, an address's sign-ins).",
                retry_after(),
            );
            if !key_allowed {
                add("403", "`key_not_allowed`: an API key can't use this route.", json!(null));
            }
            if method_upper != "GET" {
                add("403", "`forbidden_origin`: a write from another site (not checked for a key).", json!(null));
                if !PUBLIC.contains(&id.as_str()) && id != "logout" {
                    add("401", "`no_session`: a write without a session the server knows.", json!(null));
                }
            }
            if ASKS_TIKTOK.contains(&id.as_str()) {
                add("401", "`reconnect_needed`: TikTok refused the account's tokens.", json!(null));
                add("403", "TikTok's own code, for something the creator must do in TikTok.", json!(null));
                add("502", "TikTok's own code: TikTok refused for good.", json!(null));
                add(
                    "503",
                    "`tiktok_unavailable` (TikTok failed; try again) or `tokens_unreadable` (the deployed `TOKEN_KEY` can't open the account's tokens).",
                    retry_after(),
                );
            }
            op["security"] = if PUBLIC.contains(&id.as_str()) {
                json!([{}])
            } else if key_allowed {
                json!([{ "bearer": [] }, { "session": [] }])
            } else {
                json!([{ "session": [] }])
            };
        }
    }
}

fn retry_after() -> Value {
    json!({
        "Retry-After": { "description": "Seconds to wait (a whole window: the limiter says only \"over\").", "schema": { "type": "integer", "minimum": 0 } },
        "X-RateLimit-Limit": { "description": "The limit met, where it is LetsPost's.", "schema": { "type": "integer", "minimum": 0 } },
    })
}

fn www_authenticate() -> Value {
    json!({ "WWW-Authenticate": { "description": "`Bearer`.", "schema": { "type": "string" } } })
}
