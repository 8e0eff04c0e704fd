//! The Display API: video/query, video/list and user/info's counts, with TikTok's shapes,
//! scopes, limits and errors; counts that grow, and the hooks that set them.

mod common;
use common::*;
use serde_json::{Value, json};

const QUERY: &str = "/v2/video/query/";
const LIST: &str = "/v2/video/list/";
const ALL_SCOPES: [&str; 5] = ["user.info.basic", "video.upload", "video.publish", "video.list", "user.info.stats"];
const DAY_S: u64 = 86_400;

fn now_s() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

async fn analytics_token(e: &Emu, open_id: &str) -> String {
    let code = e.code_for(open_id, Some(&ALL_SCOPES)).await;
    let (status, t) = e.exchange(&code, VERIFIER, REDIRECT).await;
    assert_eq!(status, 200, "{t}");
    t["access_token"].as_str().unwrap().to_string()
}

/// A past video of `open_id`; its post id (a string).
async fn seed(e: &Emu, open_id: &str, body: Value) -> String {
    let r = e.http.post(e.url(&format!("/__emulator/accounts/{open_id}/videos"))).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["post_id"].as_str().unwrap().to_string()
}

async fn query(e: &Emu, token: &str, fields: &str, ids: &[&str]) -> (u16, Value) {
    e.api(token, &format!("{QUERY}?fields={fields}"), json!({ "filters": { "video_ids": ids } })).await
}

async fn list(e: &Emu, token: &str, fields: &str, body: Value) -> (u16, Value) {
    e.api(token, &format!("{LIST}?fields={fields}"), body).await
}

async fn user_info(e: &Emu, token: &str, fields: &str) -> (u16, Value) {
    Emu::json(e.http.get(e.url(&format!("/v2/user/info/?fields={fields}"))).bearer_auth(token).send().await.unwrap()).await
}

async fn patch(e: &Emu, path: &str, body: Value) -> (u16, Value) {
    Emu::json(e.http.patch(e.url(&format!("/__emulator{path}"))).json(&body).send().await.unwrap()).await
}

/// Upload a fixture as `privacy`; the publish_id once final.
async fn publish(e: &Emu, token: &str, privacy: &str) -> String {
    let bytes = Emu::fixture("vertical_15s_faststart.mp4");
    let n = bytes.len() as u64;
    let (s, b) = e.init(token, "my caption", privacy, n, n, 1).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(e.put(b["data"]["upload_url"].as_str().unwrap(), (0, n - 1, n), bytes).await.status(), 201);
    let id = b["data"]["publish_id"].as_str().unwrap().to_string();
    assert_eq!(e.final_status(token, &id).await["status"], "PUBLISH_COMPLETE");
    id
}

/// The public post id of a publish, once moderation gave it.
async fn public_id(e: &Emu, token: &str, publish_id: &str) -> String {
    for _ in 0..40 {
        let ids = e.status(token, publish_id).await.1["data"]["publicaly_available_post_id"].clone();
        if let Some(id) = ids.as_array().and_then(|a| a.first()).and_then(Value::as_u64) {
            return id.to_string();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no public id for {publish_id}");
}

#[tokio::test]
async fn a_public_post_is_found_by_its_id_as_a_string_and_private_ones_are_not() {
    let e = start(|_| {}).await;
    let t = analytics_token(&e, "open-ana").await;
    let public = publish(&e, &t, "PUBLIC_TO_EVERYONE").await;
    publish(&e, &t, "SELF_ONLY").await;
    let id = public_id(&e, &t, &public).await;
    assert_eq!(id.len(), 19);
    let hidden = seed(&e, "open-ana", json!({ "privacy_level": "SELF_ONLY", "create_time": now_s() - DAY_S })).await;
    let theirs = seed(&e, "open-pat", json!({})).await;

    let url = e.url(&format!("{QUERY}?fields=id,create_time,view_count,share_url,title"));
    let body = json!({ "filters": { "video_ids": [id, hidden, theirs, id] } });
    let r = e.http.post(url).bearer_auth(&t).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    assert!(text.contains(&format!("\"id\":\"{id}\"")), "the id is a JSON string: {text}");
    let b: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(b["error"]["code"], "ok");
    let videos = b["data"]["videos"].as_array().unwrap();
    assert_eq!(videos.len(), 1, "private, someone else's and repeated ids are left out: {b}");
    let v = videos[0].as_object().unwrap();
    let mut keys: Vec<&str> = v.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["create_time", "id", "share_url", "title", "view_count"], "only the fields asked for");
    assert_eq!(v["share_url"], format!("https://www.tiktok.com/@ana.creates/video/{id}"));
    assert_eq!(v["title"], "my caption");
    assert!(v["create_time"].as_u64().unwrap() + 60 >= now_s());

    let (s, b) = list(&e, &t, "id", json!({})).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["data"]["videos"], json!([{ "id": id }]), "SELF_ONLY posts are not listed");
    assert_eq!(b["data"]["has_more"], false);
}

async fn counts(e: &Emu, t: String, id: String) -> Value {
    let (_, b) = query(e, &t, "id,view_count,like_count,comment_count,share_count", &[&id]).await;
    b["data"]["videos"][0].clone()
}

#[tokio::test]
async fn counts_grow_from_the_seed_and_the_hook_sets_them() {
    let month_ago = now_s() - 30 * DAY_S;
    let a = start(|c| c.seed = 42).await;
    let b = start(|c| c.seed = 42).await;
    let other = start(|c| c.seed = 43).await;
    let (ta, tb, to) = (analytics_token(&a, "open-ana").await, analytics_token(&b, "open-ana").await, analytics_token(&other, "open-ana").await);
    let (ia, ib, io) = (
        seed(&a, "open-ana", json!({ "create_time": month_ago })).await,
        seed(&b, "open-ana", json!({ "create_time": month_ago })).await,
        seed(&other, "open-ana", json!({ "create_time": month_ago })).await,
    );
    assert_eq!(ia, ib);
    let (ca, cb, co) = (counts(&a, ta.clone(), ia.clone()).await, counts(&b, tb, ib).await, counts(&other, to, io).await);
    assert_eq!(ca, cb, "one seed, one curve");
    assert_ne!(ca["view_count"], co["view_count"], "another seed, other numbers");
    assert!(ca["view_count"].as_u64().unwrap() >= 299, "a month in, a post has its reach: {ca}");
    assert!(ca["like_count"].as_u64().unwrap() <= ca["view_count"].as_u64().unwrap());

    // A fresh post starts near zero and grows.
    let fresh = seed(&a, "open-ana", json!({ "create_time": now_s() - 3_600 })).await;
    let hour = counts(&a, ta.clone(), fresh.clone()).await["view_count"].as_u64().unwrap();
    let older = seed(&a, "open-ana", json!({ "create_time": now_s() - 3 * DAY_S })).await;
    assert!(counts(&a, ta.clone(), older).await["view_count"].as_u64().unwrap() > 0);

    let (s, v) = patch(&a, &format!("/videos/{fresh}"), json!({ "view_count": 9_223_372_036_854_775_807u64, "like_count": 7 })).await;
    assert_eq!(s, 200, "{v}");
    let set = counts(&a, ta.clone(), fresh.clone()).await;
    assert_eq!(set["view_count"].as_u64(), Some(i64::MAX as u64), "an int64 count, exactly");
    assert_eq!(set["like_count"], 7);
    let (_, v) = patch(&a, &format!("/videos/{fresh}"), json!({ "view_count": null, "like_count": null })).await;
    assert_eq!(v["set"], json!({}));
    assert!(counts(&a, ta, fresh).await["view_count"].as_u64().unwrap() >= hour, "back on its curve");
}

#[tokio::test]
async fn the_video_hook_refuses_what_tiktok_could_not_say() {
    let e = start(|_| {}).await;
    let id = seed(&e, "open-ana", json!({})).await;
    assert_eq!(patch(&e, "/videos/7300000000000099999", json!({ "view_count": 1 })).await.0, 404);
    assert_eq!(patch(&e, "/videos/not-a-number", json!({ "view_count": 1 })).await.0, 400);
    assert_eq!(patch(&e, &format!("/videos/{id}"), json!({ "like_count": 2_147_483_648u64 })).await.0, 400, "int32");
    assert_eq!(patch(&e, &format!("/videos/{id}"), json!({ "view_count": 9_223_372_036_854_775_808u64 })).await.0, 400, "int64");
    assert_eq!(patch(&e, &format!("/videos/{id}"), json!({ "save_count": 1 })).await.0, 400);
    assert_eq!(patch(&e, &format!("/videos/{id}"), json!({ "view_count": -1 })).await.0, 400);
    let r = e.http.post(e.url("/__emulator/accounts/open-ana/videos")).json(&json!({ "create_time": now_s() + 3_600 })).send().await.unwrap();
    assert_eq!(r.status(), 400, "no videos from the future");
    let v: Value = e.http.get(e.url(&format!("/__emulator/videos/{id}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!((v["post_id"].as_str(), v["public"].as_bool(), v["open_id"].as_str()), (Some(id.as_str()), Some(true), Some("open-ana")));
}

#[tokio::test]
async fn scopes_are_checked_as_tiktok_does() {
    let e = start(|_| {}).await;
    let basic = e.token("open-ana").await;
    for path in [QUERY, LIST] {
        let (s, b) = e.api(&basic, &format!("{path}?fields=id"), json!({ "filters": { "video_ids": ["1"] } })).await;
        assert_eq!((s, b["error"]["code"].as_str()), (401, Some("scope_not_authorized")), "{path}");
    }
    let (s, b) = user_info(&e, &basic, "open_id,follower_count").await;
    assert_eq!((s, b["error"]["code"].as_str()), (401, Some("scope_not_authorized")), "stats without user.info.stats fail the call");
    let (s, b) = user_info(&e, &basic, "open_id,display_name").await;
    assert_eq!((s, b["data"]["user"]["display_name"].as_str()), (200, Some("Ana Creates")));
    assert_eq!(query(&e, "act.nope", "id", &["1"]).await.1["error"]["code"], "access_token_invalid");
}

#[tokio::test]
async fn account_stats_follow_the_videos_and_the_account_hook() {
    let e = start(|_| {}).await;
    let t = analytics_token(&e, "open-ana").await;
    let (s, before) = user_info(&e, &t, "open_id,follower_count,following_count,likes_count,video_count").await;
    assert_eq!(s, 200, "{before}");
    let user = before["data"]["user"].clone();
    assert_eq!(user["open_id"], "open-ana");
    assert_eq!(user["video_count"], 0);
    seed(&e, "open-ana", json!({ "view_count": 4_000, "like_count": 300 })).await;
    seed(&e, "open-ana", json!({ "privacy_level": "SELF_ONLY", "view_count": 4_000_000 })).await;
    let after = user_info(&e, &t, "follower_count,likes_count,video_count").await.1["data"]["user"].clone();
    assert_eq!(after["follower_count"].as_u64().unwrap(), user["follower_count"].as_u64().unwrap() + 100, "a follower per 40 views");
    assert_eq!(after["likes_count"].as_u64().unwrap(), user["likes_count"].as_u64().unwrap() + 300);
    assert_eq!(after["video_count"], 1, "public videos only");
    assert!(after.get("following_count").is_none(), "only the fields asked for");
    assert_eq!(patch(&e, "/accounts/open-ana", json!({ "follower_count": 12_345 })).await.0, 200);
    assert_eq!(user_info(&e, &t, "follower_count").await.1["data"]["user"]["follower_count"], 12_345);
}

#[tokio::test]
async fn requests_tiktok_refuses_are_invalid_params() {
    let e = start(|_| {}).await;
    let t = analytics_token(&e, "open-ana").await;
    let ids: Vec<String> = (0..21).map(|i| format!("73000000000000{i:05}")).collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    assert_eq!(query(&e, &t, "id", &ids[..20]).await.0, 200);
    for (what, (s, b)) in [
        ("21 ids", query(&e, &t, "id", &ids).await),
        ("no ids", query(&e, &t, "id", &[]).await),
        ("unknown field", query(&e, &t, "id,favourites_count", &ids[..1]).await),
        ("no fields", e.api(&t, QUERY, json!({ "filters": { "video_ids": ["1"] } })).await),
        ("no filters", e.api(&t, &format!("{QUERY}?fields=id"), json!({})).await),
        ("max_count 21", list(&e, &t, "id", json!({ "max_count": 21 })).await),
        ("max_count 0", list(&e, &t, "id", json!({ "max_count": 0 })).await),
        ("negative cursor", list(&e, &t, "id", json!({ "cursor": -5 })).await),
    ] {
        assert_eq!((s, b["error"]["code"].as_str()), (400, Some("invalid_params")), "{what}: {b}");
    }
}

#[tokio::test]
async fn six_hundred_a_minute_per_token_and_endpoint_then_429() {
    let e = start(|_| {}).await;
    let t = analytics_token(&e, "open-ana").await;
    for i in 0..600 {
        assert_eq!(list(&e, &t, "id", json!({})).await.0, 200, "call {i}");
    }
    let (s, b) = list(&e, &t, "id", json!({})).await;
    assert_eq!((s, b["error"]["code"].as_str()), (429, Some("rate_limit_exceeded")));
    assert_eq!(query(&e, &t, "id", &["1"]).await.0, 200, "video/query has its own 600");
    let other = analytics_token(&e, "open-ana").await;
    assert_eq!(list(&e, &other, "id", json!({})).await.0, 200, "per token");
}

#[tokio::test]
async fn the_list_pages_newest_first_by_its_ms_cursor() {
    let e = start(|_| {}).await;
    let t = analytics_token(&e, "open-ana").await;
    let start_s = now_s() - 40 * DAY_S;
    let mut seeded = Vec::new();
    for i in 0..25 {
        seeded.push(seed(&e, "open-ana", json!({ "create_time": start_s + i * 3_600 })).await);
        if i % 10 == 0 {
            seed(&e, "open-ana", json!({ "create_time": start_s + i * 3_600 + 1, "privacy_level": "SELF_ONLY" })).await;
        }
    }
    seeded.reverse();
    let (s, first) = list(&e, &t, "id,create_time", json!({ "max_count": 20 })).await;
    assert_eq!(s, 200, "{first}");
    let page: Vec<&str> = first["data"]["videos"].as_array().unwrap().iter().map(|v| v["id"].as_str().unwrap()).collect();
    assert_eq!(page, seeded[..20], "newest first");
    assert_eq!(first["data"]["has_more"], true);
    let cursor = first["data"]["cursor"].as_i64().unwrap();
    assert_eq!(cursor, first["data"]["videos"][19]["create_time"].as_i64().unwrap() * 1000, "the cursor is in ms");
    let (_, rest) = list(&e, &t, "id", json!({ "max_count": 20, "cursor": cursor })).await;
    let page: Vec<&str> = rest["data"]["videos"].as_array().unwrap().iter().map(|v| v["id"].as_str().unwrap()).collect();
    assert_eq!(page, seeded[20..]);
    assert_eq!(rest["data"]["has_more"], false);
    let (_, default) = list(&e, &t, "id", json!({})).await;
    assert_eq!(default["data"]["videos"].as_array().unwrap().len(), 10, "max_count defaults to 10");
}

#[tokio::test]
async fn a_page_may_be_short_while_has_more() {
    let e = start(|_| {}).await;
    let t = analytics_token(&e, "open-ana").await;
    let at = now_s() - DAY_S;
    let newest = seed(&e, "open-ana", json!({ "create_time": at + 60 })).await;
    for _ in 0..3 {
        seed(&e, "open-ana", json!({ "create_time": at })).await;
    }
    let (_, first) = list(&e, &t, "id", json!({ "max_count": 2 })).await;
    assert_eq!(first["data"]["videos"], json!([{ "id": newest }]), "the same millisecond is never split: {first}");
    assert_eq!(first["data"]["has_more"], true);
    let (_, rest) = list(&e, &t, "id", json!({ "max_count": 3, "cursor": first["data"]["cursor"] })).await;
    assert_eq!(rest["data"]["videos"].as_array().unwrap().len(), 3);
    assert_eq!(rest["data"]["has_more"], false);
}

#[tokio::test]
async fn faults_reach_the_display_endpoints_for_their_account_only() {
    let e = start(|_| {}).await;
    let (ana, pat) = (analytics_token(&e, "open-ana").await, analytics_token(&e, "open-pat").await);
    e.hook("/faults", json!({ "endpoint": "video_query", "kind": "status", "status": 503, "open_id": "open-pat", "count": 1 })).await;
    e.hook("/faults", json!({ "endpoint": "video_list", "kind": "rate_limit", "open_id": "open-pat", "count": 1 })).await;
    assert_eq!(query(&e, &ana, "id", &["1"]).await.0, 200);
    assert_eq!(list(&e, &ana, "id", json!({})).await.0, 200);
    let (s, b) = query(&e, &pat, "id", &["1"]).await;
    assert_eq!((s, b["error"]["code"].as_str()), (503, Some("internal_error")));
    let (s, b) = list(&e, &pat, "id", json!({})).await;
    assert_eq!((s, b["error"]["code"].as_str()), (429, Some("rate_limit_exceeded")));
    assert_eq!(query(&e, &pat, "id", &["1"]).await.0, 200, "a counted fault leaves once spent");
    let calls: Value = e.http.get(e.url("/__emulator/calls")).send().await.unwrap().json().await.unwrap();
    assert_eq!((calls["video_query"].as_u64(), calls["video_list"].as_u64()), (Some(3), Some(2)));
}
