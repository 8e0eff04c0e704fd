//! Staging a video as the composer does (`www/src/compose/send.rs`): parts by Content-Range,
//! and after a cut connection, resume from what the Worker says it stored.

use crate::api::{Answer, Session};
use bytes::Bytes;
use serde_json::Value;

/// Create the post and stage its video; with `cut`, one part's connection is cut halfway first.
/// Returns the post's id. Panics on what a browser could not get past either.
pub async fn create_and_stage(s: &Session, body: &Value, video: &[u8], cut: bool) -> String {
    let created = s.post("/api/posts", body.clone()).await;
    assert_eq!(created.status, 201, "create: {}", created.body);
    let id = created.body["post"]["id"].as_str().unwrap().to_string();
    let url = created.body["upload"]["url"].as_str().unwrap().to_string();
    let part = created.body["upload"]["chunk_size"].as_u64().unwrap() as usize;
    let count = created.body["upload"]["total_chunk_count"].as_u64().unwrap() as usize;
    let cut_part = if cut { Some(count / 2) } else { None };
    let mut offset = 0usize;
    let mut cuts_left = usize::from(cut);
    let mut tries = 0;
    while offset < video.len() {
        let index = offset / part;
        let end = if index + 1 == count { video.len() } else { (index + 1) * part };
        let answer = if cuts_left > 0 && Some(index) == cut_part {
            cuts_left -= 1;
            put_cut(s, &url, video, offset, end).await
        } else {
            put(s, &url, video, offset, end).await
        };
        match answer {
            Ok(a) if a.status == 201 => return id,
            Ok(a) if a.status == 206 || a.status == 416 => offset = received(&a),
            other => {
                // Cut, or the Worker gave up on the part: ask what it stored, go on from there.
                tries += 1;
                assert!(tries <= 5, "part at {offset} of post {id} failed 5 times: {}", other.map_or_else(|e| e, |a| format!("{} {}", a.status, a.body)));
                tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                let now = s.get(&url).await;
                assert_eq!(now.status, 200, "upload status: {}", now.body);
                offset = received(&now);
            }
        }
    }
    id
}

fn received(a: &Answer) -> usize {
    a.body["received_bytes"].as_u64().unwrap_or_else(|| panic!("no received_bytes in {}", a.body)) as usize
}

async fn put(s: &Session, url: &str, video: &[u8], first: usize, end: usize) -> Result<Answer, String> {
    let range = format!("bytes {first}-{}/{}", end - 1, video.len());
    let body = video[first..end].to_vec();
    let origin = s.base();
    s.try_send_with(reqwest::Method::PUT, url, Some(&origin), |r| r.header("Content-Range", range).body(body)).await
}

/// The same PUT, its connection cut after half the body (as a phone losing signal).
async fn put_cut(s: &Session, url: &str, video: &[u8], first: usize, end: usize) -> Result<Answer, String> {
    let range = format!("bytes {first}-{}/{}", end - 1, video.len());
    let half = Bytes::copy_from_slice(&video[first..first + (end - first) / 2]);
    let stream = futures::stream::iter(vec![Ok::<Bytes, std::io::Error>(half), Err(std::io::Error::other("connection lost"))]);
    let origin = s.base();
    let len = end - first;
    s.try_send_with(reqwest::Method::PUT, url, Some(&origin), move |r| {
        r.header("Content-Range", range).header("Content-Length", len).body(reqwest::Body::wrap_stream(stream))
    })
    .await
}
