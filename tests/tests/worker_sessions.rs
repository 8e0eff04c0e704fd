//! Sessions that end, and accounts their owner can take back (issue 31), over HTTP against the
//! Worker in workerd: only issued ids are sessions, connecting rotates the id, signing out and
//! expiry end a session on the server (its storage deleted by its alarm), two session cookies
//! are none, the devices holding an account are listed and can be signed out, and a disconnect
//! is for good.

use letspost_e2e::api::{Answer, Session, VERIFIER, grants, mint_code_for, new_account};
use letspost_e2e::own_worker::OwnWorker;
use letspost_e2e::{emulator_url, http};
use serde_json::{Value, json};
use std::time::Duration;

const CHROME_ANDROID: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36";
const FIREFOX_LINUX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const DAY_SECS: u64 = 86_400;

/// A cookie value the server never issued (43 url-safe characters, as issued ones are).
fn planted() -> String {
    let n = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("letspost_session={:0>43}", format!("planted{n}"))[..60].to_string()
}

/// Connect `open_id` from a browser with this `User-Agent`.
async fn connect_as(s: &Session, open_id: &str, user_agent: &str) -> Answer {
    let redirect = format!("{}/oauth/callback", s.base());
    let code = mint_code_for(open_id, &redirect).await;
    let state = s.start_sign_in().await;
    let body = json!({ "code": code, "code_verifier": VERIFIER, "redirect_uri": redirect, "state": state });
    let ua = user_agent.to_string();
    s.send_with(reqwest::Method::POST, "/api/oauth/token", Some(&s.base()), move |r| r.header("User-Agent", ua).json(&body)).await
}

async fn listed(s: &Session) -> Vec<String> {
    let r = s.get("/api/accounts").await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["accounts"].as_array().unwrap().iter().map(|a| a["open_id"].as_str().unwrap().to_string()).collect()
}

async fn devices(s: &Session, open_id: &str) -> Vec<Value> {
    let r = s.get(&format!("/api/accounts/{open_id}/sessions")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["sessions"].as_array().unwrap().clone()
}

/// This session's public id, as the devices list of `open_id` shows it.
async fn my_id(s: &Session, open_id: &str) -> String {
    devices(s, open_id).await.into_iter().find(|d| d["current"] == true).expect("this session is listed")["id"].as_str().unwrap().to_string()
}

async fn stored(s: &Session, id: &str) -> bool {
    let r = s.get(&format!("/api/test/sessions/{id}")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["stored"].as_bool().unwrap()
}

async fn age(s: &Session, created_by_secs: u64, seen_by_secs: u64) {
    let r = s.post("/api/test/session/age", json!({ "created_by_secs": created_by_secs, "seen_by_secs": seen_by_secs })).await;
    assert_eq!(r.status, 204, "{}", r.body);
}

/// A write that needs the account: cancelling nothing, renaming nothing — disconnecting is
/// the one every account has, so use a harmless read-then-write: a schedule PUT.
async fn write_status(s: &Session, open_id: &str) -> u16 {
    let body = json!({ "schedule": { "time_zone": "UTC", "slots": [] } });
    s.send(reqwest::Method::PUT, &format!("/api/accounts/{open_id}/schedule"), Some(body), Some(&s.base())).await.status
}

#[tokio::test]
async fn a_planted_id_is_no_session_and_connecting_replaces_it() {
    let open_id = new_account("planted", "creator").await;
    let cookie = planted();
    let s = Session::with_cookie(&cookie);
    assert!(listed(&s).await.is_empty());
    let create = s.post("/api/posts", json!({ "account": open_id, "mode": "direct", "caption": "x", "privacy_level": "SELF_ONLY", "video_size": 1 })).await;
    assert_eq!((create.status, create.body["error"]["code"].as_str()), (401, Some("no_session")), "{}", create.body);
    assert_eq!(s.delete(&format!("/api/accounts/{open_id}")).await.status, 404);
    // Connecting with the planted cookie issues an id of the server's own.
    let r = s.connect(&open_id).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_ne!(s.cookie().unwrap(), cookie);
    assert_eq!(listed(&s).await, vec![open_id.clone()]);
    let again = Session::with_cookie(&cookie);
    assert!(listed(&again).await.is_empty(), "the planted id holds nothing");
    assert_eq!(write_status(&again, &open_id).await, 404);
}

#[tokio::test]
async fn connecting_rotates_the_id_and_the_old_one_stops_at_once() {
    let (a, b) = (new_account("rota", "creator").await, new_account("rotb", "creator").await);
    let s = Session::new();
    assert_eq!(s.connect(&a).await.status, 200);
    let first = s.cookie().unwrap();
    let copy = Session::with_cookie(&first);
    assert_eq!(listed(&copy).await, vec![a.clone()]);
    let r = s.connect(&b).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let cookie = r.headers["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("letspost_session=") && cookie.contains("HttpOnly") && cookie.contains("Path=/"), "{cookie}");
    assert_ne!(s.cookie().unwrap(), first, "a fresh id");
    assert_eq!(listed(&s).await, vec![a.clone(), b.clone()], "the accounts carried over");
    assert!(listed(&copy).await.is_empty(), "the replaced id holds nothing");
    assert_eq!(write_status(&copy, &a).await, 404);
    assert_eq!(write_status(&s, &a).await, 200);
    s.assert_no_secrets(&[&a, &b]).await;
}

#[tokio::test]
async fn signing_out_ends_the_session_for_every_copy_of_its_cookie() {
    let open_id = new_account("logout", "creator").await;
    let s = Session::new();
    assert_eq!(s.connect(&open_id).await.status, 200);
    let id = my_id(&s, &open_id).await;
    let copy = Session::with_cookie(&s.cookie().unwrap());
    let r = s.post("/api/session/logout", json!({})).await;
    assert_eq!(r.status, 204, "{}", r.body);
    let cleared = r.headers["set-cookie"].to_str().unwrap();
    assert!(cleared.starts_with("letspost_session=;") && cleared.contains("Max-Age=0") && cleared.contains("Path=/"), "{cleared}");
    assert!(listed(&copy).await.is_empty());
    assert_eq!(copy.get(&format!("/api/accounts/{open_id}/sessions")).await.status, 404);
    assert_eq!(write_status(&copy, &open_id).await, 404);
    assert_eq!(copy.delete(&format!("/api/accounts/{open_id}")).await.status, 404);
    assert!(!stored(&copy, &id).await, "an ended session leaves no storage");
    // Signing out again (or without a session) is the same answer.
    assert_eq!(copy.post("/api/session/logout", json!({})).await.status, 204);
    // The account itself is untouched: connecting again finds it.
    let back = Session::new();
    assert_eq!(back.connect(&open_id).await.status, 200);
    assert_eq!(listed(&back).await, vec![open_id]);
}

#[tokio::test]
async fn sessions_expire_when_idle_and_when_old_and_their_storage_goes() {
    let open_id = new_account("expiry", "creator").await;
    let (idle, old, keeper) = (Session::new(), Session::new(), Session::new());
    for s in [&idle, &old, &keeper] {
        assert_eq!(s.connect(&open_id).await.status, 200);
    }
    let (idle_id, old_id) = (my_id(&idle, &open_id).await, my_id(&old, &open_id).await);
    assert_eq!(devices(&keeper, &open_id).await.len(), 3);

    // 29 days idle: still a session, and using it counts as a use.
    age(&idle, 29 * DAY_SECS, 29 * DAY_SECS).await;
    assert_eq!(listed(&idle).await, vec![open_id.clone()]);
    // 30 days idle: over, on the server, cookie or not; the alarm deletes it without a request.
    age(&idle, 0, 30 * DAY_SECS + 60).await;
    // 365 days old though used an hour ago: over too.
    age(&old, 365 * DAY_SECS + 60, 0).await;
    let started = std::time::Instant::now();
    while stored(&keeper, &idle_id).await || stored(&keeper, &old_id).await {
        assert!(started.elapsed() < Duration::from_secs(20), "the expired sessions' alarms did not delete them");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let left: Vec<_> = devices(&keeper, &open_id).await.into_iter().map(|d| d["id"].as_str().unwrap().to_string()).collect();
    assert!(!left.contains(&idle_id) && !left.contains(&old_id) && left.len() == 1, "{left:?}");
    for s in [&idle, &old] {
        assert!(listed(s).await.is_empty());
        assert_eq!(write_status(s, &open_id).await, 404);
    }
    assert_eq!(listed(&keeper).await, vec![open_id]);
}

#[tokio::test]
async fn an_expired_session_asked_before_its_alarm_is_still_no_session() {
    let open_id = new_account("expiry2", "creator").await;
    let s = Session::new();
    assert_eq!(s.connect(&open_id).await.status, 200);
    age(&s, 0, 31 * DAY_SECS).await;
    assert!(listed(&s).await.is_empty());
}

#[tokio::test]
async fn two_session_cookies_are_no_session() {
    let (a, b) = (new_account("twoa", "creator").await, new_account("twob", "creator").await);
    let (sa, sb) = (Session::new(), Session::new());
    assert_eq!(sa.connect(&a).await.status, 200);
    assert_eq!(sb.connect(&b).await.status, 200);
    let (ca, cb) = (sa.cookie().unwrap(), sb.cookie().unwrap());
    for header in [format!("{ca}; {cb}"), format!("{ca}; {ca}"), format!("{ca}; other=1; {}", planted())] {
        let both = Session::with_cookie(&header);
        assert!(listed(&both).await.is_empty(), "{header}");
        assert_eq!(write_status(&both, &a).await, 404, "{header}");
    }
    assert_eq!(listed(&sa).await, vec![a]);
}

#[tokio::test]
async fn the_devices_holding_an_account_are_listed_and_can_be_signed_out() {
    let open_id = new_account("devices", "creator").await;
    let (phone, laptop) = (Session::new(), Session::new());
    assert_eq!(connect_as(&phone, &open_id, CHROME_ANDROID).await.status, 200);
    assert_eq!(connect_as(&laptop, &open_id, FIREFOX_LINUX).await.status, 200);
    let seen = devices(&phone, &open_id).await;
    assert_eq!(seen.len(), 2, "{seen:?}");
    let me = seen.iter().find(|d| d["current"] == true).unwrap();
    let other = seen.iter().find(|d| d["current"] == false).unwrap();
    assert_eq!((me["user_agent"].as_str(), other["user_agent"].as_str()), (Some(CHROME_ANDROID), Some(FIREFOX_LINUX)));
    for d in &seen {
        let id = d["id"].as_str().unwrap();
        assert!(id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
        for cookie in [phone.cookie().unwrap(), laptop.cookie().unwrap()] {
            assert!(!cookie.contains(id), "the public id is not the cookie");
        }
        let mut keys: Vec<_> = d.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        assert_eq!(keys, ["created_at", "current", "id", "last_seen_at", "user_agent"]);
        assert!(d["created_at"].as_str().unwrap().ends_with('Z') && d["last_seen_at"].as_str().unwrap().ends_with('Z'), "{d}");
    }
    // The public id can't be used as a cookie.
    let forged = Session::with_cookie(&format!("letspost_session={}", &other["id"].as_str().unwrap()[..43]));
    assert!(listed(&forged).await.is_empty());

    let other_id = other["id"].as_str().unwrap();
    let r = phone.delete(&format!("/api/accounts/{open_id}/sessions/{other_id}")).await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert!(listed(&laptop).await.is_empty(), "the laptop no longer holds the account");
    assert_eq!(laptop.get(&format!("/api/accounts/{open_id}/sessions")).await.status, 404);
    assert_eq!(write_status(&laptop, &open_id).await, 404);
    assert_eq!(phone.delete(&format!("/api/accounts/{open_id}/sessions/{other_id}")).await.status, 404, "already signed out");
    assert_eq!(devices(&phone, &open_id).await.len(), 1);
    // A stranger can't list or sign out anyone.
    let stranger = Session::new();
    assert_eq!(stranger.get(&format!("/api/accounts/{open_id}/sessions")).await.status, 404);
    let mine = my_id(&phone, &open_id).await;
    assert_eq!(stranger.delete(&format!("/api/accounts/{open_id}/sessions/{mine}")).await.status, 404);
    assert_eq!(listed(&phone).await, vec![open_id.clone()]);
    // Signing out this browser from its own list.
    assert_eq!(phone.delete(&format!("/api/accounts/{open_id}/sessions/{mine}")).await.status, 204);
    assert!(listed(&phone).await.is_empty());
}

#[tokio::test]
async fn an_account_records_at_most_20_sessions_and_evicts_the_least_recently_seen() {
    let open_id = new_account("cap", "creator").await;
    let mut sessions = Vec::new();
    for _ in 0..20 {
        let s = Session::new();
        assert_eq!(s.connect(&open_id).await.status, 200);
        sessions.push(s);
    }
    let newest = Session::new();
    assert_eq!(newest.connect(&open_id).await.status, 200);
    assert_eq!(devices(&newest, &open_id).await.len(), 20);
    assert!(listed(&sessions[0]).await.is_empty(), "the least recently seen was evicted");
    assert_eq!(listed(&sessions[1]).await, vec![open_id.clone()]);
    assert_eq!(listed(&newest).await, vec![open_id]);
}

#[tokio::test]
async fn disconnect_is_for_good_and_a_later_connect_is_held_only_by_its_session() {
    let open_id = new_account("forgood", "creator").await;
    let (owner, aside) = (Session::new(), Session::new());
    assert_eq!(owner.connect(&open_id).await.status, 200);
    assert_eq!(aside.connect(&open_id).await.status, 200);
    let r = owner.delete(&format!("/api/accounts/{open_id}")).await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert!(listed(&aside).await.is_empty());
    assert!(listed(&owner).await.is_empty());
    let later = Session::new();
    assert_eq!(later.connect(&open_id).await.status, 200);
    assert_eq!(listed(&later).await, vec![open_id.clone()]);
    assert!(listed(&aside).await.is_empty(), "the session kept aside does not get the new connection");
    assert!(listed(&owner).await.is_empty());
    assert_eq!(write_status(&aside, &open_id).await, 404);
    assert_eq!(devices(&later, &open_id).await.len(), 1);
}

#[tokio::test]
async fn after_tiktok_removes_the_authorization_a_reconnect_is_held_only_by_its_session() {
    let open_id = new_account("removed", "creator").await;
    let (owner, aside) = (Session::new(), Session::new());
    assert_eq!(owner.connect(&open_id).await.status, 200);
    assert_eq!(aside.connect(&open_id).await.status, 200);
    let r = http().post(format!("{}/__emulator/accounts/{open_id}/deauthorize", emulator_url())).json(&json!({ "reason": 1 })).send().await.unwrap();
    assert_eq!(r.status(), 204);
    let started = std::time::Instant::now();
    while owner.account(&open_id).await.map(|a| a["status"].clone()) != Some(json!("reconnect_needed")) {
        assert!(started.elapsed() < Duration::from_secs(5), "the removal did not arrive");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(owner.connect(&open_id).await.status, 200);
    assert_eq!(listed(&owner).await, vec![open_id.clone()]);
    assert!(listed(&aside).await.is_empty(), "a session from before the removal does not hold the new connection");
    assert_eq!(write_status(&aside, &open_id).await, 404);
}

/// Two more well-formed keys (32 bytes, base64), unlike the suite's.
const OTHER_KEY: &str = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";
const NEXT_KEY: &str = "QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8=";

async fn restart_with(w: &mut OwnWorker, key: &str, previous: Option<&str>) {
    w.kill9();
    w.token_key = key.to_string();
    w.extra_vars = previous.map(|p| vec![("TOKEN_KEY_PREVIOUS".to_string(), p.to_string())]).unwrap_or_default();
    w.restart().await;
}

async fn creator_info(s: &Session, open_id: &str) -> Answer {
    s.get(&format!("/api/accounts/{open_id}/creator-info")).await
}

#[tokio::test]
async fn a_wrong_token_key_answers_503_and_loses_nothing_and_a_rotation_reseals() {
    let mut w = OwnWorker::start("sessions-keys").await;
    let suite_key = w.token_key.clone();
    let open_id = new_account("keys", "creator").await;
    let s = Session::at(&w.url());
    assert_eq!(s.connect(&open_id).await.status, 200);
    assert_eq!(creator_info(&s, &open_id).await.status, 200);

    // A deploy with a wrong but well-formed key: 503, the account still connected, nothing erased.
    restart_with(&mut w, OTHER_KEY, None).await;
    for _ in 0..2 {
        let r = creator_info(&s, &open_id).await;
        assert_eq!((r.status, r.body["error"]["code"].as_str()), (503, Some("tokens_unreadable")), "{}", r.body);
    }
    assert_eq!(s.account(&open_id).await.unwrap()["status"], "connected");
    // The right key back: the same tokens work, no reconnect and no refresh needed.
    restart_with(&mut w, &suite_key, None).await;
    assert_eq!(creator_info(&s, &open_id).await.status, 200);
    assert_eq!(grants(&open_id).await["refreshes"], 0);

    // Rotation: the new key with the old one as TOKEN_KEY_PREVIOUS opens and reseals; after
    // that the new key alone opens them.
    restart_with(&mut w, NEXT_KEY, Some(&suite_key)).await;
    assert_eq!(creator_info(&s, &open_id).await.status, 200);
    restart_with(&mut w, NEXT_KEY, None).await;
    let r = creator_info(&s, &open_id).await;
    assert_eq!(r.status, 200, "resealed with the new key: {}", r.body);
    assert_eq!(s.account(&open_id).await.unwrap()["status"], "connected");
    assert_eq!(grants(&open_id).await["refreshes"], 0);
    s.assert_no_secrets(&[&open_id]).await;
    let seen = s.seen.lock().unwrap().join("\n");
    for key in [OTHER_KEY, NEXT_KEY] {
        assert!(!seen.contains(key), "a key reached the client");
    }
}
