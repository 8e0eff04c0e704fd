//! Connecting TikTok through the Worker (workerd) and the emulator, over HTTP: sessions,
//! tokens kept server-side, refresh one at a time, reconnect, disconnect, isolation.

use letspost_e2e::api::{Session, VERIFIER, expire, grants, mint_code, new_account, redirect_uri};
use letspost_e2e::{app_url, emulator_url, http};
use serde_json::json;

#[tokio::test]
async fn connecting_sets_a_session_cookie_and_lists_the_account() {
    let open_id = new_account("ana", "creator").await;
    let s = Session::new();
    let r = s.connect(&open_id).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let cookie = r.headers["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("letspost_session="), "{cookie}");
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attr), "{attr} in {cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain http on 127.0.0.1 gets no Secure flag: {cookie}");
    let a = &r.body["account"];
    assert_eq!(a["open_id"], open_id.as_str());
    assert!(a["display_name"].as_str().unwrap().starts_with("ana "), "{a}");
    assert!(a["username"].as_str().unwrap().starts_with("ana."), "{a}");
    assert!(a["avatar_url"].as_str().unwrap().starts_with("https://"), "{a}");
    assert_eq!(a["status"], "connected");
    assert_eq!(a["business_account"], false);
    let until = a["refresh_expires_at"].as_str().unwrap();
    assert!(until.ends_with('Z') && until.len() == 20, "RFC 3339 UTC: {until}");

    let listed = s.account(&open_id).await.expect("listed");
    assert_eq!(&listed, a);
    let info = s.get(&format!("/api/accounts/{open_id}/creator-info")).await;
    assert_eq!(info.status, 200, "{}", info.body);
    assert_eq!(info.body["creator_info"]["privacy_level_options"], json!(["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]));
    assert_eq!(info.body["creator_info"]["max_video_post_duration_sec"], 600);

    // A connection from the same browser issues a new session id, which keeps the first account.
    let first = s.cookie().unwrap();
    let other = new_account("bo", "personal").await;
    let r = s.connect(&other).await;
    assert_eq!(r.status, 200);
    assert!(r.headers.get("set-cookie").is_some());
    assert_ne!(s.cookie().unwrap(), first);
    let ids: Vec<_> = s.get("/api/accounts").await.body["accounts"].as_array().unwrap().iter().map(|a| a["open_id"].clone()).collect();
    assert_eq!(ids, vec![json!(open_id), json!(other)]);
    s.assert_no_secrets(&[&open_id, &other]).await;
}

#[tokio::test]
async fn without_a_session_the_list_is_empty() {
    let s = Session::new();
    let r = s.get("/api/accounts").await;
    assert_eq!((r.status, r.body.clone()), (200, json!({ "accounts": [] })));
    let forged = Session::with_cookie("letspost_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    assert_eq!(forged.get("/api/accounts").await.body, json!({ "accounts": [] }));
    let junk = Session::with_cookie("letspost_session=../../etc/passwd");
    assert_eq!(junk.get("/api/accounts").await.body, json!({ "accounts": [] }));
}

#[tokio::test]
async fn another_session_cannot_list_read_or_delete_an_account() {
    let open_id = new_account("iso", "creator").await;
    let owner = Session::new();
    assert_eq!(owner.connect(&open_id).await.status, 200);
    let stranger = Session::new();
    let mine = new_account("stranger", "creator").await;
    assert_eq!(stranger.connect(&mine).await.status, 200);

    assert!(stranger.account(&open_id).await.is_none());
    let r = stranger.get(&format!("/api/accounts/{open_id}/creator-info")).await;
    assert_eq!((r.status, r.body["error"]["code"].as_str()), (404, Some("not_found")));
    assert!(r.body["error"]["message"].as_str().unwrap().ends_with('.'));
    let r = stranger.delete(&format!("/api/accounts/{open_id}")).await;
    assert_eq!(r.status, 404);
    let r = Session::new().get(&format!("/api/accounts/{open_id}/creator-info")).await;
    assert_eq!(r.status, 404, "no session at all");
    // The owner still has it, connected.
    assert_eq!(owner.account(&open_id).await.unwrap()["status"], "connected");
    stranger.assert_no_secrets(&[&open_id, &mine]).await;
    owner.assert_no_secrets(&[&open_id, &mine]).await;
}

#[tokio::test]
async fn the_same_tiktok_login_in_two_sessions_gives_both_access() {
    let open_id = new_account("shared", "creator").await;
    let (a, b) = (Session::new(), Session::new());
    assert_eq!(a.connect(&open_id).await.status, 200);
    assert_eq!(b.connect(&open_id).await.status, 200);
    assert_eq!(a.get(&format!("/api/accounts/{open_id}/creator-info")).await.status, 200);
    assert_eq!(b.get(&format!("/api/accounts/{open_id}/creator-info")).await.status, 200);
}

#[tokio::test]
async fn a_reused_or_unknown_code_is_refused_in_a_sentence() {
    let open_id = new_account("reuse", "creator").await;
    let s = Session::new();
    let code = mint_code(&open_id).await;
    assert_eq!(s.exchange(&code).await.status, 200);
    let again = s.exchange(&code).await;
    assert_eq!((again.status, again.body["error"]["code"].as_str()), (400, Some("invalid_grant")), "{}", again.body);
    assert!(again.body["error"]["message"].as_str().unwrap().contains("Connect again"), "{}", again.body);
    let bogus = s.exchange("code-never-issued").await;
    assert_eq!(bogus.status, 400);
    // A verifier that does not answer the started challenge is refused before TikTok.
    let code = mint_code(&open_id).await;
    let state = s.start_sign_in().await;
    let wrong = s.post("/api/oauth/token", json!({ "code": code, "code_verifier": "x".repeat(43), "redirect_uri": redirect_uri(), "state": state })).await;
    assert_eq!((wrong.status, wrong.body["error"]["code"].as_str()), (400, Some("invalid_request")), "{}", wrong.body);
    assert_eq!(s.exchange(&code).await.status, 200, "the code never reached TikTok, so it is still good");
    s.assert_no_secrets(&[&open_id]).await;
}

#[tokio::test]
async fn malformed_exchanges_are_400_and_only_our_callback_is_accepted() {
    let s = Session::new();
    let r = s.post("/api/oauth/token", json!({ "code": "c" })).await;
    assert_eq!((r.status, r.body["error"]["code"].as_str()), (400, Some("bad_request")));
    let r = s.post("/api/oauth/token", json!({ "code": "c", "code_verifier": VERIFIER, "redirect_uri": "https://evil.example/oauth/callback" })).await;
    assert_eq!(r.status, 400);
    assert!(r.body["error"]["message"].as_str().unwrap().contains("redirect_uri"));
    let r = s.post("/api/oauth/token", json!({ "code": "c", "code_verifier": "short", "redirect_uri": redirect_uri() })).await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn writes_from_another_origin_are_refused() {
    let open_id = new_account("csrf", "creator").await;
    let s = Session::new();
    assert_eq!(s.connect(&open_id).await.status, 200);
    let code = mint_code(&open_id).await;
    let body = json!({ "code": code, "code_verifier": VERIFIER, "redirect_uri": redirect_uri() });
    let r = s.send(reqwest::Method::POST, "/api/oauth/token", Some(body), Some("https://evil.example")).await;
    assert_eq!((r.status, r.body["error"]["code"].as_str()), (403, Some("forbidden_origin")));
    let r = s.send(reqwest::Method::DELETE, &format!("/api/accounts/{open_id}"), None, Some("http://127.0.0.1:1")).await;
    assert_eq!(r.status, 403);
    assert_eq!(s.account(&open_id).await.unwrap()["status"], "connected", "nothing changed");
    // The code was not spent by the refused request.
    assert_eq!(s.exchange(&code).await.status, 200);
}

#[tokio::test]
async fn an_expired_access_token_is_refreshed_once_even_under_concurrent_requests() {
    let open_id = new_account("refresh", "creator").await;
    let s = Session::new();
    assert_eq!(s.connect(&open_id).await.status, 200);
    assert_eq!(grants(&open_id).await["refreshes"], 0);
    expire(&open_id, "access").await;
    let path = format!("/api/accounts/{open_id}/creator-info");
    let (a, b) = futures::join!(s.get(&path), s.get(&path));
    assert_eq!((a.status, b.status), (200, 200), "{} / {}", a.body, b.body);
    assert_eq!(grants(&open_id).await["refreshes"], 1, "two requests, one refresh");
    // The rotated refresh token was stored: the old one is dead at TikTok, so a second
    // refresh works only with the newest.
    expire(&open_id, "access").await;
    assert_eq!(s.get(&path).await.status, 200);
    let g = grants(&open_id).await;
    assert_eq!(g["refreshes"], 2);
    assert_eq!(g["refresh"].as_array().unwrap().iter().filter(|t| t["live"] == true).count(), 1);
    assert_eq!(s.account(&open_id).await.unwrap()["status"], "connected");
    s.assert_no_secrets(&[&open_id]).await;
}

#[tokio::test]
async fn an_expired_refresh_token_asks_for_reconnect_and_reconnecting_restores_in_place() {
    let open_id = new_account("recon", "creator").await;
    let s = Session::new();
    assert_eq!(s.connect(&open_id).await.status, 200);
    expire(&open_id, "both").await;
    let path = format!("/api/accounts/{open_id}/creator-info");
    let r = s.get(&path).await;
    assert_eq!((r.status, r.body["error"]["code"].as_str()), (401, Some("reconnect_needed")), "{}", r.body);
    assert!(r.body["error"]["message"].as_str().unwrap().contains("Reconnect"), "{}", r.body);
    assert_eq!(s.account(&open_id).await.unwrap()["status"], "reconnect_needed");
    // Still listed, still refused, without asking TikTok again.
    assert_eq!(s.get(&path).await.status, 401);

    let r = s.connect(&open_id).await;
    assert_eq!((r.status, r.body["account"]["status"].as_str()), (200, Some("connected")));
    let listed = s.get("/api/accounts").await.body["accounts"].as_array().unwrap().clone();
    assert_eq!(listed.iter().filter(|a| a["open_id"] == open_id.as_str()).count(), 1, "restored in place, not added twice");
    assert_eq!(s.get(&path).await.status, 200);
    s.assert_no_secrets(&[&open_id]).await;
}

#[tokio::test]
async fn disconnect_revokes_at_tiktok_and_forgets_the_account() {
    let open_id = new_account("bye", "creator").await;
    let s = Session::new();
    assert_eq!(s.connect(&open_id).await.status, 200);
    let live: Vec<String> =
        grants(&open_id).await["access"].as_array().unwrap().iter().filter(|t| t["live"] == true).map(|t| t["token"].as_str().unwrap().to_string()).collect();
    assert_eq!(live.len(), 1);
    let r = s.delete(&format!("/api/accounts/{open_id}")).await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert!(s.account(&open_id).await.is_none());
    assert_eq!(s.get(&format!("/api/accounts/{open_id}/creator-info")).await.status, 404);
    // TikTok refuses the old token now.
    let r = http().get(format!("{}/v2/user/info/?fields=open_id", emulator_url())).bearer_auth(&live[0]).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let g = grants(&open_id).await;
    assert!(g["access"].as_array().unwrap().iter().chain(g["refresh"].as_array().unwrap()).all(|t| t["live"] == false), "{g}");
    assert_eq!(s.delete(&format!("/api/accounts/{open_id}")).await.status, 404, "already gone");
    s.assert_no_secrets(&[&open_id]).await;
}

#[tokio::test]
async fn creator_info_over_tiktoks_rate_limit_is_a_429_with_retry_after() {
    let open_id = new_account("busy", "creator").await;
    let s = Session::new();
    assert_eq!(s.connect(&open_id).await.status, 200);
    let path = format!("/api/accounts/{open_id}/creator-info");
    let mut limited = None;
    for _ in 0..25 {
        let r = s.get(&path).await;
        if r.status != 200 {
            limited = Some(r);
            break;
        }
    }
    let r = limited.expect("TikTok allows 20 creator_info calls a minute per token");
    assert_eq!((r.status, r.body["error"]["code"].as_str()), (429, Some("rate_limited")), "{}", r.body);
    assert_eq!(r.headers["retry-after"], "60");
    assert!(r.body["error"]["message"].as_str().unwrap().contains("minute"));
    assert_eq!(s.account(&open_id).await.unwrap()["status"], "connected", "a rate limit is not a lost connection");
    s.assert_no_secrets(&[&open_id]).await;
}

#[tokio::test]
async fn a_business_account_is_flagged() {
    let open_id = new_account("brand", "business").await;
    let s = Session::new();
    let r = s.connect(&open_id).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["account"]["business_account"], true);
    let info = s.get(&format!("/api/accounts/{open_id}/creator-info")).await;
    assert_eq!((info.status, info.body["error"]["code"].as_str()), (403, Some("unsupported_account_type")));
    assert!(info.body["error"]["message"].as_str().unwrap().contains("personal"));
}

#[tokio::test]
async fn the_browser_gets_what_it_needs_to_start_oauth() {
    let r = Session::new().get("/api/oauth/config").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, json!({ "client_key": "letspost-local", "auth_base": emulator_url(), "pkce": "base64url" }));
    assert!(app_url().starts_with("http://127.0.0.1:"));
    let settings = Session::new().get("/api/settings").await;
    assert_eq!(settings.body, json!({ "preselect_public": true, "analytics": true }), "wrangler.toml's PRESELECT_PUBLIC and ANALYTICS");
}
