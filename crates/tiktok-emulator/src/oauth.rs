//! Login Kit v2: the consent page, authorization codes, tokens with rotation, revocation.

use crate::reply::{err, oauth_err};
use crate::state::{AuthCode, Emulator, Grant, State, now_ms, random_token};
use axum::Json;
use axum::extract::{Form, Query, State as S};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use std::collections::HashMap;
use std::sync::Arc;
use tiktok_rules::error::codes;
use tiktok_rules::oauth::{TokenResponse, check_redirect_uri};
use tiktok_rules::pkce::{self, ChallengeEncoding};

/// Scopes TikTok knows (LetsPost asks for three of them).
const KNOWN_SCOPES: [&str; 6] = ["user.info.basic", "user.info.profile", "user.info.stats", "video.list", "video.upload", "video.publish"];

type Params = HashMap<String, String>;

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html><head><meta charset=utf-8><title>{title}</title>\
         <style>body{{font-family:system-ui;max-width:30rem;margin:3rem auto;padding:0 1rem}}\
         label{{display:block;padding:.5rem;border:1px solid #ddd;border-radius:8px;margin:.4rem 0}}\
         button{{padding:.6rem 1.2rem;margin-right:.5rem}}</style></head><body>{body}</body></html>"
    );
    (status, Html(html)).into_response()
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn redirect_with(redirect_uri: &str, pairs: &[(&str, &str)]) -> Response {
    let q = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
    Redirect::to(&format!("{redirect_uri}?{q}")).into_response()
}

/// Checks shared by the page and the decision. `Err` is the answer to give instead.
fn validate(emu: &Emulator, p: &Params) -> Result<(String, Vec<String>), Response> {
    let get = |k: &str| p.get(k).map(String::as_str).unwrap_or("");
    if get("client_key") != emu.config.client_key {
        return Err(page(StatusCode::BAD_REQUEST, "Error", "<h1>Something went wrong</h1><p>client_key is not valid.</p>"));
    }
    let redirect_uri = get("redirect_uri").to_string();
    let registered = emu.config.redirect_uris.is_empty() || emu.config.redirect_uris.contains(&redirect_uri);
    if let Err(why) = check_redirect_uri(&redirect_uri) {
        return Err(page(StatusCode::BAD_REQUEST, "Error", &format!("<h1>Something went wrong</h1><p>{why}</p>")));
    }
    if !registered {
        return Err(page(StatusCode::BAD_REQUEST, "Error", "<h1>Something went wrong</h1><p>redirect_uri is not registered for this app.</p>"));
    }
    let state = get("state");
    let fail = |error: &str, desc: &str| Err(redirect_with(&redirect_uri, &[("error", error), ("error_description", desc), ("state", state)]));
    if get("response_type") != "code" {
        return fail(codes::UNSUPPORTED_RESPONSE_TYPE, "response_type must be code");
    }
    let scopes: Vec<String> = get("scope").split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect();
    if scopes.is_empty() || scopes.iter().any(|s| !KNOWN_SCOPES.contains(&s.as_str())) {
        return fail(codes::INVALID_SCOPE, "scope is missing or unknown");
    }
    if state.is_empty() {
        return fail(codes::INVALID_REQUEST, "state is required");
    }
    let challenge = get("code_challenge");
    let well_formed = match emu.config.pkce {
        ChallengeEncoding::Base64url => challenge.len() == 43 && challenge.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        ChallengeEncoding::Hex => challenge.len() == 64 && challenge.bytes().all(|b| b.is_ascii_hexdigit()),
    };
    if get("code_challenge_method") != "S256" || !well_formed {
        return fail(codes::INVALID_REQUEST, "code_challenge (S256) is missing or malformed");
    }
    Ok((redirect_uri, scopes))
}

pub async fn authorize_page(S(emu): S<Arc<Emulator>>, Query(p): Query<Params>) -> Response {
    let (_, scopes) = match validate(&emu, &p) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let accounts = emu.with(|s| s.accounts.values().cloned().collect::<Vec<_>>());
    let hidden: String = ["client_key", "redirect_uri", "scope", "state", "response_type", "code_challenge", "code_challenge_method"]
        .iter()
        .map(|k| format!("<input type=hidden name={k} value=\"{}\">", esc(p.get(*k).map(String::as_str).unwrap_or(""))))
        .collect();
    let choices: String = accounts
        .iter()
        .enumerate()
        .map(|(i, a)| {
            format!(
                "<label><input type=radio name=open_id value=\"{}\"{}> {} <small>@{} · {:?}{}</small></label>",
                esc(&a.open_id),
                if i == 0 { " checked" } else { "" },
                esc(&a.nickname),
                esc(&a.username),
                a.kind,
                if a.private { " · private" } else { "" }
            )
        })
        .collect();
    let scope_list: String = scopes.iter().map(|s| format!("<li>{}</li>", esc(s))).collect();
    page(
        StatusCode::OK,
        "Log in to TikTok (emulator)",
        &format!(
            "<h1>LetsPost wants to access your TikTok account</h1><p>TikTok emulator — no real account is used.</p>\
             <form method=post action=\"/v2/auth/authorize/decision/\">{hidden}<h2>Choose an account</h2>{choices}\
             <h2>It will be able to</h2><ul>{scope_list}</ul>\
             <button name=decision value=approve id=approve>Authorize</button>\
             <button name=decision value=deny id=deny>Cancel</button></form>"
        ),
    )
}

pub async fn decision(S(emu): S<Arc<Emulator>>, Form(p): Form<Params>) -> Response {
    let (redirect_uri, scopes) = match validate(&emu, &p) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let state = p.get("state").cloned().unwrap_or_default();
    if p.get("decision").map(String::as_str) != Some("approve") {
        return redirect_with(&redirect_uri, &[("error", codes::ACCESS_DENIED), ("error_description", "The user denied the request"), ("state", &state)]);
    }
    let open_id = p.get("open_id").cloned().unwrap_or_default();
    if !emu.with(|s| s.accounts.contains_key(&open_id)) {
        return page(StatusCode::BAD_REQUEST, "Error", "<h1>Choose an account</h1>");
    }
    let challenge = p.get("code_challenge").cloned().unwrap_or_default();
    let code = mint_code(&emu, &open_id, scopes.clone(), &redirect_uri, &challenge);
    redirect_with(&redirect_uri, &[("code", &code), ("scopes", &scopes.join(",")), ("state", &state)])
}

/// A fresh single-use authorization code (the consent page's, or a test hook's).
pub fn mint_code(emu: &Emulator, open_id: &str, scopes: Vec<String>, redirect_uri: &str, challenge: &str) -> String {
    let code = random_token("code-");
    let entry = AuthCode {
        client_key: emu.config.client_key.clone(),
        open_id: open_id.to_string(),
        scopes,
        redirect_uri: redirect_uri.to_string(),
        code_challenge: challenge.to_string(),
        expires_at_ms: now_ms() + emu.config.code_ttl_secs * 1000,
        used: false,
    };
    emu.with(|s| s.codes.insert(code.clone(), entry));
    code
}

/// `now`: the caller's, so that `refresh_expires_in` is exactly the lifetime it set (a second
/// clock read here could fall a millisecond later and say 31,535,999 s).
fn issue(emu: &Emulator, s: &mut State, open_id: &str, scopes: &[String], refresh_expires_at_ms: u64, now: u64) -> TokenResponse {
    let access = random_token("act.");
    let refresh = random_token("rft.");
    let ttl = emu.config.access_ttl_secs;
    s.access.insert(access.clone(), Grant { open_id: open_id.into(), scopes: scopes.to_vec(), expires_at_ms: now + ttl * 1000, dead: false });
    s.refresh.insert(refresh.clone(), Grant { open_id: open_id.into(), scopes: scopes.to_vec(), expires_at_ms: refresh_expires_at_ms, dead: false });
    TokenResponse {
        open_id: open_id.into(),
        scope: scopes.join(","),
        access_token: access,
        expires_in: ttl,
        refresh_token: refresh,
        refresh_expires_in: refresh_expires_at_ms.saturating_sub(now) / 1000,
        token_type: "Bearer".into(),
    }
}

fn client_ok(emu: &Emulator, p: &Params) -> bool {
    p.get("client_key") == Some(&emu.config.client_key) && p.get("client_secret") == Some(&emu.config.client_secret)
}

pub async fn token(S(emu): S<Arc<Emulator>>, Form(p): Form<Params>) -> Response {
    let bad = |e: &str, d: &str| oauth_err(StatusCode::BAD_REQUEST, e, d);
    if !client_ok(&emu, &p) {
        return oauth_err(StatusCode::UNAUTHORIZED, codes::INVALID_CLIENT, "client_key or client_secret is wrong");
    }
    let get = |k: &str| p.get(k).map(String::as_str).unwrap_or("");
    let now = now_ms();
    match get("grant_type") {
        "authorization_code" => {
            let (code, redirect_uri, verifier) = (get("code"), get("redirect_uri"), get("code_verifier"));
            emu.with(|s| {
                s.presented_codes.push_back(code.chars().take(64).collect());
                if s.presented_codes.len() > crate::state::CODES_KEPT {
                    s.presented_codes.pop_front();
                }
            });
            if code.is_empty() || redirect_uri.is_empty() || verifier.is_empty() {
                return bad(codes::INVALID_REQUEST, "code, redirect_uri and code_verifier are required");
            }
            if tiktok_rules::oauth::check_code(code).is_err() {
                return bad(codes::INVALID_REQUEST, "code is malformed");
            }
            let answer = emu.with(|s| {
                // Single use: presenting a code spends it, whatever happens next.
                let c = s.codes.get_mut(code).filter(|c| !c.used && c.expires_at_ms > now && c.client_key == emu.config.client_key)?.clone();
                s.codes.get_mut(code).expect("present").used = true;
                if c.redirect_uri != redirect_uri || !pkce::verify(verifier, &c.code_challenge, emu.config.pkce) {
                    return None;
                }
                let ttl = s.accounts.get(&c.open_id).and_then(|a| a.refresh_ttl_secs).unwrap_or(emu.config.refresh_ttl_secs);
                let refresh_until = now + ttl * 1000;
                Some(issue(&emu, s, &c.open_id, &c.scopes, refresh_until, now))
            });
            match answer {
                Some(t) => Json(t).into_response(),
                None => bad(codes::INVALID_GRANT, "authorization code is invalid, expired, used, or does not match redirect_uri / code_verifier"),
            }
        }
        "refresh_token" => {
            let rt = get("refresh_token");
            let answer = emu.with(|s| {
                let g = s.refresh.get_mut(rt).filter(|g| !g.dead && g.expires_at_ms > now)?;
                g.dead = true; // rotation: the old refresh token stops working
                let g = g.clone();
                *s.refreshes.entry(g.open_id.clone()).or_default() += 1;
                Some(issue(&emu, s, &g.open_id, &g.scopes, g.expires_at_ms, now))
            });
            match answer {
                Some(t) => Json(t).into_response(),
                None => bad(codes::INVALID_GRANT, "refresh token is invalid, expired or already used"),
            }
        }
        "" => bad(codes::INVALID_REQUEST, "grant_type is required"),
        _ => bad(codes::UNSUPPORTED_GRANT_TYPE, "grant_type must be authorization_code or refresh_token"),
    }
}

pub async fn revoke(S(emu): S<Arc<Emulator>>, Form(p): Form<Params>) -> Response {
    if !client_ok(&emu, &p) {
        return oauth_err(StatusCode::UNAUTHORIZED, codes::INVALID_CLIENT, "client_key or client_secret is wrong");
    }
    let token = p.get("token").cloned().unwrap_or_default();
    let open_id = emu.with(|s| s.access.get(&token).or_else(|| s.refresh.get(&token)).map(|g| g.open_id.clone()));
    if let Some(open_id) = open_id {
        // The developer revoked: TikTok says so to the app's webhook too (reason 5).
        remove_authorization(&emu, &open_id, 5);
    }
    Json(serde_json::json!({})).into_response()
}

/// The user's authorization of this app is gone: every token of theirs dies, and
/// `authorization.removed` goes out with `reason` (0–5).
pub fn remove_authorization(emu: &Arc<Emulator>, open_id: &str, reason: u8) {
    emu.with(|s| {
        for g in s.access.values_mut().chain(s.refresh.values_mut()).filter(|g| g.open_id == open_id) {
            g.dead = true;
        }
    });
    let e = crate::webhooks::Event {
        name: tiktok_rules::webhook::events::AUTHORIZATION_REMOVED,
        open_id: open_id.to_string(),
        publish_id: None,
        content: serde_json::json!({ "reason": reason }),
        at_ms: now_ms(),
    };
    crate::webhooks::send(emu, e);
}

/// The token of `Authorization: Bearer …` ("" without one).
pub fn bearer_token(headers: &HeaderMap) -> &str {
    headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).map(str::trim).unwrap_or("")
}

/// The caller behind `Authorization: Bearer …`, if the token is live and has `scope`.
pub fn bearer(emu: &Emulator, headers: &HeaderMap, scope: &str) -> Result<(String, String), Response> {
    let token = bearer_token(headers).to_string();
    let now = now_ms();
    let grant = emu.with(|s| s.access.get(&token).cloned());
    match grant {
        Some(g) if !g.dead && g.expires_at_ms > now => {
            if g.scopes.iter().any(|s| s == scope) {
                Ok((token, g.open_id))
            } else {
                Err(err(codes::SCOPE_NOT_AUTHORIZED, format!("the access token lacks the {scope} scope")))
            }
        }
        _ => Err(err(codes::ACCESS_TOKEN_INVALID, "The access token is invalid or not found in the request.")),
    }
}

/// Does this live token carry `scope`? (A call that needs a second scope for some fields.)
pub fn has_scope(emu: &Emulator, token: &str, scope: &str) -> bool {
    emu.with(|s| s.access.get(token).is_some_and(|g| g.scopes.iter().any(|s| s == scope)))
}
