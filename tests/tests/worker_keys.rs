//! Personal API keys (issue 34), over HTTP against the Worker in workerd: made, listed, used
//! and revoked; a key reaches exactly its accounts, can't make or list keys, connect accounts
//! or manage sessions, stops at once on revoke and on disconnect, is counted by its own rate
//! limit, and its secret is in no answer but the one that made it.

use futures::StreamExt;
use letspost_e2e::api::{Answer, Session, connected_creator, key_secrets_in, new_account};
use letspost_e2e::posts::{caption, new_post, unique_video};
use serde_json::{Value, json};
use std::time::Duration;

/// `POST /api/keys` from the session's page; the 201's body.
async fn make_key(s: &Session, name: &str, accounts: &[&str]) -> Value {
    let r = s.post("/api/keys", json!({ "name": name, "accounts": accounts })).await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body
}

async fn keys(s: &Session) -> Vec<Value> {
    let r = s.get("/api/keys").await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["keys"].as_array().unwrap().clone()
}

fn code(a: &Answer) -> (u16, &str) {
    (a.status, a.body["error"]["code"].as_str().unwrap_or_default())
}

/// Everything `s` received after its first `from` answers.
fn seen_since(s: &Session, from: usize) -> String {
    s.seen.lock().unwrap()[from..].join("\n")
}

#[tokio::test]
async fn a_key_is_made_listed_used_to_publish_and_revoked() {
    let (s, open_id) = connected_creator("keyuse").await;
    let made = make_key(&s, "  render farm ", &[&open_id]).await;
    let after_create = s.seen.lock().unwrap().len();
    let secret = made["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("lp_") && secret.len() == 46, "{secret}");
    let key = &made["key"];
    let id = key["id"].as_str().unwrap().to_string();
    assert_eq!(key["name"], "render farm");
    assert_eq!(key["accounts"], json!([open_id]));
    assert!(key["created_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(key["last_used_at"], Value::Null);

    let listed = keys(&s).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["id"], json!(id));
    assert!(listed[0].get("secret").is_none(), "{}", listed[0]);

    // The script: its accounts, a schedule, a keyed create, the parts, the post published.
    let k = Session::with_key(&secret);
    let accounts = k.get("/api/accounts").await;
    assert_eq!(accounts.status, 200, "{}", accounts.body);
    assert_eq!(accounts.body["accounts"].as_array().unwrap().len(), 1);
    assert_eq!(accounts.body["accounts"][0]["open_id"], json!(open_id));
    assert_eq!(k.get(&format!("/api/accounts/{open_id}/schedule")).await.status, 200);
    let video = unique_video(2_000);
    let body = new_post(&open_id, &caption("by key"), video.len());
    let create = |b: Value| {
        let k = k.clone();
        async move { k.send_with(reqwest::Method::POST, "/api/posts", None, |r| r.header("Idempotency-Key", "clip-0001.mp4").json(&b)).await }
    };
    let created = create(body.clone()).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let post_id = created.body["post"]["id"].as_str().unwrap().to_string();
    let again = create(body).await;
    assert_eq!((again.status, again.body["post"]["id"].as_str()), (201, Some(post_id.as_str())), "the same key and Idempotency-Key: the same post");
    k.stage(&created.body, &video).await;
    let published = k.wait_linked(&post_id, Duration::from_secs(60)).await;
    assert_eq!(published["account"], json!(open_id));
    // The browser sees what the script made.
    let mine = s.get("/api/posts").await;
    assert!(mine.body["posts"].as_array().unwrap().iter().any(|p| p["id"] == json!(post_id)), "{}", mine.body);
    // And the script lists it too (its accounts' indexes know the key).
    let scripted = k.get("/api/posts").await;
    assert!(scripted.body["posts"].as_array().unwrap().iter().any(|p| p["id"] == json!(post_id)), "{}", scripted.body);
    assert!(keys(&s).await[0]["last_used_at"].is_string(), "the key's use is noted");

    // Revoked: the next request is refused, whatever it asks.
    assert_eq!(s.delete(&format!("/api/keys/{id}")).await.status, 204);
    let after = k.get("/api/accounts").await;
    assert_eq!(code(&after), (401, "invalid_key"), "{}", after.body);
    assert!(after.headers.get("www-authenticate").is_some());
    assert_eq!(code(&k.get(&format!("/api/posts/{post_id}")).await), (401, "invalid_key"));
    assert!(keys(&s).await.is_empty());
    assert_eq!(s.delete(&format!("/api/keys/{id}")).await.status, 404, "revoked once");

    // The secret was in the 201 that made the key, and in no answer since, to either client.
    for (who, text) in [("the session", seen_since(&s, after_create)), ("the script", seen_since(&k, 0))] {
        assert!(!text.contains(&secret), "{who} received the key's secret again");
        assert!(key_secrets_in(&text).is_empty(), "{who} received a key's secret");
    }
    s.assert_no_secrets(&[&open_id]).await;
    k.assert_no_secrets(&[&open_id]).await;
}

#[tokio::test]
async fn a_key_reaches_only_its_accounts_and_none_of_the_browsers_routes() {
    let (s, a) = connected_creator("keyscope").await;
    let b = new_account("keyscope-b", "creator").await;
    assert_eq!(s.connect(&b).await.status, 200);
    let secret = make_key(&s, "only a", &[&a]).await["secret"].as_str().unwrap().to_string();
    let k = Session::with_key(&secret);

    let listed = k.get("/api/accounts").await;
    let ids: Vec<&str> = listed.body["accounts"].as_array().unwrap().iter().map(|x| x["open_id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![a.as_str()]);
    for path in ["schedule", "queue", "creator-info"] {
        assert_eq!(k.get(&format!("/api/accounts/{b}/{path}")).await.status, 404, "{path} of an account the key was not given");
    }
    let not_given = k.post("/api/posts", new_post(&b, &caption("not given"), 1_000)).await;
    assert_eq!(not_given.status, 404, "{}", not_given.body);

    // What stays with a person in a browser.
    let refused = [
        k.post("/api/keys", json!({ "name": "more", "accounts": [a] })).await,
        k.get("/api/keys").await,
        k.delete("/api/keys/0000000000000000000000000000000000000000000000000000000000000000").await,
        k.post("/api/oauth/start", json!({ "state": "x", "code_challenge": "y" })).await,
        k.post("/api/oauth/token", json!({})).await,
        k.delete(&format!("/api/accounts/{a}")).await,
        k.get(&format!("/api/accounts/{a}/sessions")).await,
        k.post("/api/session/logout", json!({})).await,
    ];
    for r in &refused {
        assert_eq!(code(r), (403, "key_not_allowed"), "{}", r.body);
    }
    assert!(s.account(&a).await.is_some(), "the refused disconnect changed nothing");

    // A cookie beside the key is not read: the key's accounts, not the session's.
    let both = s.and_key(&secret).get("/api/accounts").await;
    assert_eq!(both.body["accounts"].as_array().unwrap().len(), 1, "{}", both.body);
    // A script sends no Origin, or any: the key is the credential, not the page.
    let foreign = k
        .send(
            reqwest::Method::PUT,
            &format!("/api/accounts/{a}/schedule"),
            Some(json!({ "schedule": { "time_zone": "UTC", "slots": [] } })),
            Some("https://evil.example"),
        )
        .await;
    assert_eq!(foreign.status, 200, "{}", foreign.body);

    // Something that is not a key is refused, not read as "no session".
    for header in ["Bearer lp_short", "Basic dXNlcjpwYXNz", "lp_0000000000000000000000000000000000000000000"] {
        let h = header.to_string();
        let r = Session::new().send_with(reqwest::Method::GET, "/api/accounts", None, move |r| r.header("Authorization", h)).await;
        assert_eq!(code(&r), (401, "invalid_key"), "{header}: {}", r.body);
    }
    let unknown = Session::with_key(&format!("lp_{}", "A".repeat(43))).get("/api/accounts").await;
    assert_eq!(code(&unknown), (401, "invalid_key"));
}

#[tokio::test]
async fn only_the_sessions_holding_an_account_see_its_keys_and_may_revoke_them() {
    let (s, a) = connected_creator("keyholders").await;
    let (other, c) = connected_creator("keyholders-c").await;
    let b = new_account("keyholders-b", "creator").await;
    assert_eq!(s.connect(&b).await.status, 200);
    let key = make_key(&s, "both", &[&a, &b]).await["key"].clone();
    let id = key["id"].as_str().unwrap();

    // A second browser holding only `a` sees the key, with only the account it holds.
    let second = Session::new();
    assert_eq!(second.connect(&a).await.status, 200);
    let seen = keys(&second).await;
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0]["accounts"], json!([a]));
    // A browser holding neither sees nothing and can do nothing with it.
    assert!(keys(&other).await.is_empty());
    assert_eq!(other.delete(&format!("/api/keys/{id}")).await.status, 404);
    let foreign = other.post("/api/keys", json!({ "name": "theirs", "accounts": [a] })).await;
    assert_eq!(foreign.status, 404, "a key for an account the session does not hold: {}", foreign.body);
    let mixed = other.post("/api/keys", json!({ "name": "mixed", "accounts": [c, a] })).await;
    assert_eq!(mixed.status, 404, "{}", mixed.body);
    assert!(keys(&other).await.is_empty(), "the refused key was not made for `c` either");
    // Signed out, nothing.
    let r = Session::new().get("/api/keys").await;
    assert_eq!((r.status, r.body["keys"].as_array().map(Vec::len)), (200, Some(0)));
    assert_eq!(Session::new().post("/api/keys", json!({ "name": "x", "accounts": [a] })).await.status, 401);
    // The checks on what a key may be.
    let unnamed = s.post("/api/keys", json!({ "name": " ", "accounts": [a] })).await;
    assert_eq!((unnamed.status, unnamed.body["error"]["field"].as_str()), (422, Some("name")));
    let none = s.post("/api/keys", json!({ "name": "none", "accounts": [] })).await;
    assert_eq!((none.status, none.body["error"]["field"].as_str()), (422, Some("accounts")));
    // The second browser may revoke it: it stops for both accounts.
    assert_eq!(second.delete(&format!("/api/keys/{id}")).await.status, 204);
    assert!(keys(&s).await.is_empty());
}

#[tokio::test]
async fn disconnecting_ends_the_key_at_once_and_for_good() {
    let (s, a) = connected_creator("keydisc").await;
    let b = new_account("keydisc-b", "creator").await;
    assert_eq!(s.connect(&b).await.status, 200);
    let only_a = make_key(&s, "a", &[&a]).await["secret"].as_str().unwrap().to_string();
    let both = make_key(&s, "a and b", &[&a, &b]).await["secret"].as_str().unwrap().to_string();
    let (k1, k2) = (Session::with_key(&only_a), Session::with_key(&both));
    assert_eq!(k1.get(&format!("/api/accounts/{a}/schedule")).await.status, 200);

    assert_eq!(s.delete(&format!("/api/accounts/{a}")).await.status, 204);
    // The key that named only `a` is gone; the other no longer reaches `a`, still `b`.
    assert_eq!(code(&k1.get("/api/accounts").await), (401, "invalid_key"));
    assert_eq!(k2.get(&format!("/api/accounts/{a}/schedule")).await.status, 404);
    assert_eq!(k2.get(&format!("/api/accounts/{b}/schedule")).await.status, 200);
    // Connected again, `a` is reached by no earlier key.
    assert_eq!(s.connect(&a).await.status, 200);
    assert_eq!(k2.get(&format!("/api/accounts/{a}/schedule")).await.status, 404);
    let listed = k2.get("/api/accounts").await;
    assert_eq!(listed.body["accounts"].as_array().unwrap().len(), 1, "{}", listed.body);
    let seen = keys(&s).await;
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0]["accounts"], json!([b]));
}

#[tokio::test]
async fn an_account_has_at_most_20_keys() {
    let (s, a) = connected_creator("keymax").await;
    for i in 0..20 {
        make_key(&s, &format!("key {i}"), &[&a]).await;
    }
    let over = s.post("/api/keys", json!({ "name": "one more", "accounts": [a] })).await;
    assert_eq!(code(&over), (409, "too_many_keys"), "{}", over.body);
    assert_eq!(keys(&s).await.len(), 20);
}

#[tokio::test]
async fn a_key_is_rate_limited_on_its_own_before_any_object_is_asked() {
    // A well-formed key nobody issued: every answer is 401 until the key's limit, then 429,
    // and no request reached a Durable Object before the limiter said no.
    let limit = letspost_core::limits::KEYS.limit as usize;
    let k = Session::with_key(&format!("lp_{}", "B".repeat(43))).unrecorded();
    let answers: Vec<Answer> = futures::stream::iter((0..2 * limit + 1).map(|_| k.get("/api/health"))).buffer_unordered(32).collect().await;
    let limited: Vec<&Answer> = answers.iter().filter(|a| a.status == 429).collect();
    assert!(!limited.is_empty(), "no 429 in {} requests with one key", answers.len());
    assert!(answers.iter().all(|a| a.status == 401 || a.status == 429), "{:?}", answers.iter().map(|a| a.status).collect::<Vec<_>>());
    let refused = limited[0];
    assert_eq!(refused.headers.get("retry-after").and_then(|v| v.to_str().ok()), Some("60"));
    assert!(refused.body["error"]["message"].as_str().unwrap().contains("this API key"), "{}", refused.body);
    assert_eq!(refused.headers.get("x-letspost-object-calls").and_then(|v| v.to_str().ok()), Some("0"));
    // Another key has its own budget.
    let fresh = Session::with_key(&format!("lp_{}", "C".repeat(43))).get("/api/health").await;
    assert_eq!(fresh.status, 401);
}
