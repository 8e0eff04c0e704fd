//! A creator's history (issue 35): `GET /api/posts` pages through each account's post index,
//! one call per account whatever the history holds; a window for the calendar; the rows follow
//! their posts; finished posts past retention still list; an old account's id list moves over.

use letspost_e2e::api::{Answer, Session, connected_creator, emulator_patch_account, new_account};
use letspost_e2e::cron::{test_hook, timing};
use letspost_e2e::posts::{caption, in_secs, new_post, unique_video};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::time::Duration;

const DAY_MS: u64 = 86_400_000;

fn object_calls(a: &Answer) -> u32 {
    a.headers.get("X-LetsPost-Object-Calls").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok()).expect("a test build counts object calls")
}

/// Scheduled posts made straight in their objects (no staging), `publish_in_ms` ahead.
async fn make_posts(account: &str, count: usize, publish_in_ms: u64) -> Vec<String> {
    let mut ids = Vec::new();
    while ids.len() < count {
        let n = (count - ids.len()).min(100);
        let made = test_hook("posts", json!({ "account": account, "count": n, "publish_in_ms": publish_in_ms })).await;
        ids.extend(made["ids"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()));
    }
    ids
}

fn ids_of(body: &Value) -> Vec<String> {
    body["posts"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn paging_through_250_posts_of_two_accounts_lists_each_once_newest_first() {
    let (s, a) = connected_creator("pages").await;
    let b = new_account("pages-b", "creator").await;
    assert_eq!(s.connect(&b).await.status, 200);
    let mut made: HashSet<String> = make_posts(&a, 130, 3 * DAY_MS).await.into_iter().collect();
    made.extend(make_posts(&b, 120, 40 * DAY_MS).await);
    let (mut seen, mut cursor, mut pages) = (Vec::<Value>::new(), None::<String>, 0);
    loop {
        let path = match &cursor {
            None => "/api/posts?limit=50".to_string(),
            Some(c) => format!("/api/posts?limit=50&cursor={c}"),
        };
        let page = s.get(&path).await;
        assert_eq!(page.status, 200, "{}", page.body);
        // The session, then each account's index once (the holding checked there): never a post each.
        assert_eq!(object_calls(&page), 3, "page {pages}");
        pages += 1;
        let posts = page.body["posts"].as_array().unwrap();
        assert!(posts.len() <= 50);
        seen.extend(posts.iter().cloned());
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(pages, 5);
    let ids: Vec<String> = seen.iter().map(|p| p["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids.iter().cloned().collect::<HashSet<_>>(), made, "each post listed");
    assert_eq!(ids.len(), 250, "and only once");
    let keys: Vec<(String, String)> = seen.iter().map(|p| (p["created_at"].as_str().unwrap().to_string(), p["id"].as_str().unwrap().to_string())).collect();
    assert!(keys.windows(2).all(|w| w[0] > w[1]), "newest first");
    // Without a limit: the first 50.
    let default = s.get("/api/posts").await;
    assert_eq!(ids_of(&default.body), ids[..50]);
    // Bad input: a sentence, and nothing else happens.
    for bad in ["limit=0", "limit=201", "limit=x", "cursor=nonsense", "from=2026-01-01T00:00:00Z", "from=a&to=b"] {
        let r = s.get(&format!("/api/posts?{bad}")).await;
        assert_eq!((r.status, r.body["error"]["code"].as_str()), (400, Some("bad_request")), "{bad}: {}", r.body);
        assert!(r.body["error"]["message"].as_str().unwrap().ends_with('.'), "{}", r.body);
    }
    // Another session sees none of them.
    let other = Session::new();
    assert_eq!(other.get("/api/posts").await.body["posts"], json!([]));
}

#[tokio::test]
async fn a_window_answers_the_posts_whose_time_falls_in_it() {
    let (s, a) = connected_creator("window").await;
    let b = new_account("window-b", "creator").await;
    assert_eq!(s.connect(&b).await.status, 200);
    let soon: HashSet<String> = make_posts(&a, 7, 2 * DAY_MS).await.into_iter().collect();
    let later = make_posts(&b, 5, 40 * DAY_MS).await;
    let window = format!("/api/posts?from={}&to={}", in_secs(86_400), in_secs(3 * 86_400));
    let w = s.get(&window.replace('+', "%2B")).await;
    assert_eq!(w.status, 200, "{}", w.body);
    assert_eq!(ids_of(&w.body).into_iter().collect::<HashSet<_>>(), soon);
    assert_eq!(w.body["next_cursor"], Value::Null);
    assert_eq!(object_calls(&w), 3);
    let far = s.get(&format!("/api/posts?from={}&to={}", in_secs(39 * 86_400), in_secs(41 * 86_400))).await;
    assert_eq!(ids_of(&far.body).into_iter().collect::<HashSet<_>>(), later.into_iter().collect());
    let wide = s.get(&format!("/api/posts?from={}&to={}", in_secs(0), in_secs(90 * 86_400))).await;
    assert_eq!(wide.status, 400, "{}", wide.body);
    assert!(wide.body["error"]["message"].as_str().unwrap().contains("62 days"));
    // The refresh of the posts on their way: by id, one call per account too.
    let two: Vec<String> = soon.iter().take(2).cloned().collect();
    let some = s.get(&format!("/api/posts?ids={}", two.join(","))).await;
    assert_eq!(ids_of(&some.body).into_iter().collect::<HashSet<_>>(), two.into_iter().collect());
    assert_eq!(object_calls(&some), 3);
}

/// The post as its account's index lists it.
async fn listed(s: &Session, id: &str) -> Value {
    let r = s.get(&format!("/api/posts?ids={id}")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["posts"][0].clone()
}

#[tokio::test]
async fn a_row_follows_its_post_to_published_and_to_failed() {
    let (s, account) = connected_creator("rows").await;
    let video = unique_video(1_200);
    let (created, staged) = s.post_video(new_post(&account, &caption("row published"), video.len()), &video).await;
    assert_eq!(staged.status, 201, "{}", staged.body);
    let id = created.body["post"]["id"].as_str().unwrap().to_string();
    let post = s.wait_linked(&id, Duration::from_secs(60)).await;
    let row = wait_listed(&s, &id, |p| p["post_url"].is_string()).await;
    assert_eq!(row["state"], "published");
    assert_eq!(row["post_url"], post["post_url"]);
    assert_eq!(row["published_at"], post["published_at"]);

    let refused = s.post("/api/posts", new_post(&account, &caption("row failed"), video.len())).await;
    assert_eq!(refused.status, 201, "{}", refused.body);
    let id = refused.body["post"]["id"].as_str().unwrap().to_string();
    assert_eq!(listed(&s, &id).await["state"], "awaiting_media");
    emulator_patch_account(&account, json!({ "cannot_post": "reached_active_user_cap" })).await;
    assert_eq!(s.stage(&refused.body, &video).await.status, 201);
    s.wait_state(&id, &["failed"], Duration::from_secs(60)).await;
    emulator_patch_account(&account, json!({ "cannot_post": null })).await;
    let row = wait_listed(&s, &id, |p| p["state"] == "failed").await;
    assert_eq!(row["error"]["code"], "reached_active_user_cap", "{row}");
}

async fn wait_listed(s: &Session, id: &str, done: impl Fn(&Value) -> bool) -> Value {
    let mut last = Value::Null;
    for _ in 0..120 {
        last = listed(s, id).await;
        if done(&last) {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("{id}'s row never got there: {last}");
}

#[tokio::test]
async fn a_finished_post_past_its_retention_still_lists_and_answers() {
    let (s, account) = connected_creator("retained").await;
    let video = unique_video(1_300);
    let (created, _) = s.post_video(new_post(&account, &caption("kept in the list"), video.len()), &video).await;
    let id = created.body["post"]["id"].as_str().unwrap().to_string();
    let post = s.wait_linked(&id, Duration::from_secs(60)).await;
    // Past the run's retention the video goes, and with it the post's own object.
    let retention = timing().await.media_retention_ms;
    tokio::time::sleep(Duration::from_millis(retention + 3_000)).await;
    let mut shed = false;
    for _ in 0..60 {
        let v = letspost_e2e::cron::test_get(&format!("posts/{id}/stored")).await;
        if v["stored"] == false {
            shed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(shed, "the post's object kept its storage past retention");
    let one = s.get(&format!("/api/posts/{id}")).await;
    assert_eq!(one.status, 200, "{}", one.body);
    assert_eq!(one.body["post"]["state"], "published");
    assert_eq!(one.body["post"]["post_url"], post["post_url"]);
    assert_eq!(listed(&s, &id).await["id"], id.as_str());
    assert!(ids_of(&s.get("/api/posts").await.body).contains(&id));
    let check = s.get(&format!("/api/posts/{id}/check")).await;
    assert_eq!(check.status, 404, "{}", check.body);
    assert!(check.body["error"]["message"].as_str().unwrap().contains("video"), "{}", check.body);
    // Nothing to cancel or retry any more: a sentence, not an error page.
    let cancel = s.delete(&format!("/api/posts/{id}")).await;
    assert_eq!(cancel.status, 409, "{}", cancel.body);
    // Another session still can't see it.
    assert_eq!(Session::new().get(&format!("/api/posts/{id}")).await.status, 404);
}

#[tokio::test]
async fn an_old_accounts_id_list_moves_into_the_index_then_goes() {
    let (s, account) = connected_creator("legacy").await;
    let ids = make_posts(&account, 12, 3 * DAY_MS).await;
    // As before the index: the list of every id in one value, and no rows.
    test_hook("legacy-post-ids", json!({ "account": account, "ids": ids })).await;
    let legacy = letspost_e2e::cron::test_get(&format!("accounts/{account}/legacy-post-ids")).await;
    assert_eq!(legacy["ids"].as_array().map(Vec::len), Some(12));
    // First use moves it over: the queue lists every post, and the old value is gone.
    let page = s.get("/api/posts?limit=200").await;
    assert_eq!(ids_of(&page.body).into_iter().collect::<HashSet<_>>(), ids.into_iter().collect());
    let legacy = letspost_e2e::cron::test_get(&format!("accounts/{account}/legacy-post-ids")).await;
    assert_eq!(legacy["ids"], Value::Null);
}
