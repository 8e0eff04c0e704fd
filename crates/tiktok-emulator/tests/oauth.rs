//! Login Kit: consent page, codes, PKCE, tokens, rotation, revocation.

mod common;
use common::*;
use serde_json::json;
use tiktok_rules::pkce::{ChallengeEncoding, challenge};

fn authorize_query(e: &Emu, overrides: &[(&str, &str)]) -> String {
    let ch = challenge(VERIFIER, ChallengeEncoding::Base64url);
    let mut pairs: Vec<(String, String)> = [
        ("client_key", e.config.client_key.as_str()),
        ("scope", "user.info.basic,video.upload,video.publish"),
        ("redirect_uri", REDIRECT),
        ("state", "st-1"),
        ("response_type", "code"),
        ("code_challenge", ch.as_str()),
        ("code_challenge_method", "S256"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in overrides {
        pairs.retain(|(pk, _)| pk != k);
        pairs.push((k.to_string(), v.to_string()));
    }
    form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

fn location(r: &reqwest::Response) -> url_lite::Query {
    url_lite::Query::of(r.headers()["location"].to_str().unwrap())
}

mod url_lite {
    pub struct Query(pub String, pub Vec<(String, String)>);
    impl Query {
        pub fn of(location: &str) -> Query {
            let (base, q) = location.split_once('?').unwrap_or((location, ""));
            Query(base.to_string(), form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        }
        pub fn get(&self, k: &str) -> Option<&str> {
            self.1.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str())
        }
    }
}

#[tokio::test]
async fn consent_page_approve_gives_a_code_that_exchanges_once() {
    let e = start(|_| {}).await;
    let q = authorize_query(&e, &[]);
    let page = e.http.get(e.url(&format!("/v2/auth/authorize/?{q}"))).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Ana Creates") && html.contains("brandco") && html.contains("private"), "{html}");

    let mut form: Vec<(String, String)> = form_urlencoded::parse(q.as_bytes()).into_owned().collect();
    form.push(("open_id".into(), "open-pat".into()));
    form.push(("decision".into(), "approve".into()));
    let r = e.http.post(e.url("/v2/auth/authorize/decision/")).form(&form).send().await.unwrap();
    assert!(r.status().is_redirection());
    let loc = location(&r);
    assert_eq!(loc.0, REDIRECT);
    assert_eq!(loc.get("state"), Some("st-1"));
    assert_eq!(loc.get("scopes"), Some("user.info.basic,video.upload,video.publish"));
    let code = loc.get("code").unwrap().to_string();

    let (status, t) = e.exchange(&code, VERIFIER, REDIRECT).await;
    assert_eq!(status, 200, "{t}");
    assert_eq!(t["open_id"], "open-pat");
    assert_eq!(t["token_type"], "Bearer");
    assert_eq!(t["expires_in"], 7_200, "TikTok's 2026 lifetimes");
    assert_eq!(t["refresh_expires_in"], 15_552_000);
    assert!(t.get("data").is_none(), "token answers are flat");

    let (status, again) = e.exchange(&code, VERIFIER, REDIRECT).await;
    assert_eq!((status, again["error"].as_str()), (400, Some("invalid_grant")), "a reused code is refused");
}

#[tokio::test]
async fn deny_redirects_with_access_denied_and_the_state() {
    let e = start(|_| {}).await;
    let mut form: Vec<(String, String)> = form_urlencoded::parse(authorize_query(&e, &[]).as_bytes()).into_owned().collect();
    form.push(("decision".into(), "deny".into()));
    let r = e.http.post(e.url("/v2/auth/authorize/decision/")).form(&form).send().await.unwrap();
    let loc = location(&r);
    assert_eq!((loc.get("error"), loc.get("state")), (Some("access_denied"), Some("st-1")));
    assert!(loc.get("code").is_none());
}

#[tokio::test]
async fn authorize_validates_every_parameter() {
    let e = start(|c| c.redirect_uris = vec![REDIRECT.into()]).await;
    let get = |q: String| e.http.get(e.url(&format!("/v2/auth/authorize/?{q}"))).send();
    // Errors that can't be sent to the redirect URI are shown on the page.
    assert_eq!(get(authorize_query(&e, &[("client_key", "nope")])).await.unwrap().status(), 400);
    assert_eq!(get(authorize_query(&e, &[("redirect_uri", "http://127.0.0.1:9/other")])).await.unwrap().status(), 400);
    assert_eq!(get(authorize_query(&e, &[("redirect_uri", "https://evil.example/cb?x=1")])).await.unwrap().status(), 400);
    // The rest go back to the app.
    for (k, v, error) in [
        ("scope", "video.publish,wat", "invalid_scope"),
        ("scope", "", "invalid_scope"),
        ("response_type", "token", "unsupported_response_type"),
        ("state", "", "invalid_request"),
        ("code_challenge", "short", "invalid_request"),
        ("code_challenge_method", "plain", "invalid_request"),
    ] {
        let r = get(authorize_query(&e, &[(k, v)])).await.unwrap();
        assert!(r.status().is_redirection(), "{k}={v}: {}", r.status());
        assert_eq!(location(&r).get("error"), Some(error), "{k}={v}");
    }
}

#[tokio::test]
async fn token_exchange_checks_secret_redirect_and_verifier() {
    let e = start(|_| {}).await;
    let code = e.code_for("open-ana", None).await;
    let (s, b) = e.exchange(&code, &"x".repeat(43), REDIRECT).await;
    assert_eq!((s, b["error"].as_str()), (400, Some("invalid_grant")), "wrong verifier");
    let code = e.code_for("open-ana", None).await;
    let (s, b) = e.exchange(&code, VERIFIER, "http://127.0.0.1:9/elsewhere").await;
    assert_eq!((s, b["error"].as_str()), (400, Some("invalid_grant")), "redirect_uri must match exactly");
    let code = e.code_for("open-ana", None).await;
    let form = [
        ("client_key", "letspost-local"),
        ("client_secret", "wrong"),
        ("code", code.as_str()),
        ("grant_type", "authorization_code"),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    let (s, b) = Emu::json(e.http.post(e.url("/v2/oauth/token/")).form(&form).send().await.unwrap()).await;
    assert_eq!((s, b["error"].as_str()), (401, Some("invalid_client")));
    assert!(b["log_id"].as_str().is_some());
    let form = [("client_key", "letspost-local"), ("client_secret", "letspost-local-secret"), ("grant_type", "password")];
    let (s, b) = Emu::json(e.http.post(e.url("/v2/oauth/token/")).form(&form).send().await.unwrap()).await;
    assert_eq!((s, b["error"].as_str()), (400, Some("unsupported_grant_type")));
}

#[tokio::test]
async fn hex_pkce_mode_takes_hex_challenges_only() {
    let e = start(|c| c.pkce = ChallengeEncoding::Hex).await;
    let b64 = challenge(VERIFIER, ChallengeEncoding::Base64url);
    let bad = e.http.get(e.url(&format!("/v2/auth/authorize/?{}", authorize_query(&e, &[("code_challenge", &b64)])))).send().await.unwrap();
    assert_eq!(location(&bad).get("error"), Some("invalid_request"));
    let hex = Emu::hex_challenge();
    let good = e.http.get(e.url(&format!("/v2/auth/authorize/?{}", authorize_query(&e, &[("code_challenge", &hex)])))).send().await.unwrap();
    assert_eq!(good.status(), 200);
    let code = e.code_for("open-ana", None).await;
    assert_eq!(e.exchange(&code, VERIFIER, REDIRECT).await.0, 200);
}

#[tokio::test]
async fn refresh_tokens_rotate_and_expire() {
    let e = start(|c| c.access_ttl_secs = 7_200).await;
    let code = e.code_for("open-ana", None).await;
    let (_, t1) = e.exchange(&code, VERIFIER, REDIRECT).await;
    assert_eq!(t1["expires_in"], 7_200);
    let r1 = t1["refresh_token"].as_str().unwrap();
    let (s, t2) = e.refresh(r1).await;
    assert_eq!(s, 200, "{t2}");
    let r2 = t2["refresh_token"].as_str().unwrap();
    assert_ne!(r1, r2);
    assert_ne!(t1["access_token"], t2["access_token"]);
    let (s, b) = e.refresh(r1).await;
    assert_eq!((s, b["error"].as_str()), (400, Some("invalid_grant")), "the rotated-out refresh token is refused");
    e.hook("/expire", json!({ "token": r2 })).await;
    let (s, b) = e.refresh(r2).await;
    assert_eq!((s, b["error"].as_str()), (400, Some("invalid_grant")), "an expired refresh token is refused");
}

#[tokio::test]
async fn expired_and_revoked_access_tokens_are_401_access_token_invalid() {
    let e = start(|_| {}).await;
    let t = e.token("open-ana").await;
    let (s, _) = e.api(&t, "/v2/post/publish/creator_info/query/", json!({})).await;
    assert_eq!(s, 200);
    e.hook("/expire", json!({ "token": t })).await;
    let (s, b) = e.api(&t, "/v2/post/publish/creator_info/query/", json!({})).await;
    assert_eq!((s, b["error"]["code"].as_str()), (401, Some("access_token_invalid")));

    let t = e.token("open-ana").await;
    let form = [("client_key", "letspost-local"), ("client_secret", "letspost-local-secret"), ("token", t.as_str())];
    let r = e.http.post(e.url("/v2/oauth/revoke/")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<serde_json::Value>().await.unwrap(), json!({}));
    let (s, b) = e.api(&t, "/v2/post/publish/creator_info/query/", json!({})).await;
    assert_eq!((s, b["error"]["code"].as_str()), (401, Some("access_token_invalid")));
}

#[tokio::test]
async fn a_missing_scope_is_scope_not_authorized() {
    let e = start(|_| {}).await;
    let code = e.code_for("open-ana", Some(&["user.info.basic"])).await;
    let (_, t) = e.exchange(&code, VERIFIER, REDIRECT).await;
    let token = t["access_token"].as_str().unwrap();
    let (s, b) = e.api(token, "/v2/post/publish/creator_info/query/", json!({})).await;
    assert_eq!((s, b["error"]["code"].as_str()), (401, Some("scope_not_authorized")));
    let r = e.http.get(e.url("/v2/user/info/?fields=open_id,display_name")).bearer_auth(token).send().await.unwrap();
    let (s, b) = Emu::json(r).await;
    assert_eq!(s, 200);
    assert_eq!(b["error"]["code"], "ok");
    assert_eq!(b["data"]["user"], json!({ "open_id": "open-ana", "display_name": "Ana Creates" }));
}

#[tokio::test]
async fn tests_expire_an_accounts_tokens_by_open_id_and_read_its_grants() {
    let e = start(|_| {}).await;
    let code = e.code_for("open-ana", None).await;
    let (_, t) = e.exchange(&code, VERIFIER, REDIRECT).await;
    let (access, refresh) = (t["access_token"].as_str().unwrap(), t["refresh_token"].as_str().unwrap());
    e.hook("/expire", json!({ "open_id": "open-ana" })).await;
    let (s, _) = e.api(access, "/v2/post/publish/creator_info/query/", json!({})).await;
    assert_eq!(s, 401, "the access token expired");
    let (s, t2) = e.refresh(refresh).await;
    assert_eq!(s, 200, "the refresh token still works: {t2}");
    let r = e.http.get(e.url("/__emulator/grants/open-ana")).send().await.unwrap();
    let g: serde_json::Value = r.json().await.unwrap();
    assert_eq!(g["refreshes"], 1);
    assert_eq!(g["access"].as_array().unwrap().len(), 2);
    let live: Vec<_> = g["refresh"].as_array().unwrap().iter().filter(|x| x["live"] == true).map(|x| x["token"].clone()).collect();
    assert_eq!(live, vec![t2["refresh_token"].clone()], "only the newest refresh token lives");
    e.hook("/expire", json!({ "open_id": "open-ana", "kind": "both" })).await;
    let (s, b) = e.refresh(t2["refresh_token"].as_str().unwrap()).await;
    assert_eq!((s, b["error"].as_str()), (400, Some("invalid_grant")));
    let r = e.http.post(e.url("/__emulator/expire")).json(&json!({ "open_id": "open-ana", "kind": "sideways" })).send().await.unwrap();
    assert_eq!(r.status(), 400);
}
