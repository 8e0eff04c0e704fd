//! The test hooks' operations on a post (reached only through `/api/test/*`, compiled in only
//! with `test-routes`): a scheduled post made straight in its object, a lost alarm, and what
//! the object still keeps.

use super::ops::Stall;
use super::{PostObject, WATCH, post_body};
use crate::base::rand::now_ms;
use crate::base::reply;
use crate::objects::due_index::{DueOp, Entry};
use crate::objects::expect_ok;
use post_lifecycle::watch;
use post_lifecycle::{Event, Post};
use worker::{Method, Request, Response, Result};

impl PostObject {
    pub(super) async fn test_op(&self, req: &mut Request) -> Result<Response> {
        match (req.method(), req.path().as_str()) {
            (Method::Post, "/test/scheduled") => {
                let b: serde_json::Value = req.json().await?;
                let now = now_ms();
                let account = b["account"].as_str().unwrap_or_default().to_string();
                let settings = post_lifecycle::Settings::draft(String::new());
                let id = b["id"].as_str().unwrap_or_default().to_string();
                let size = b["video_size"].as_u64().unwrap_or(10_000_000);
                let mut p = Post::new(id, account, String::new(), settings, b["publish_at_ms"].as_u64(), size, now)
                    .deployed(false, crate::base::config::upload_lead_margin_ms(&self.env));
                p.apply(Event::MediaStaged, now).ok();
                self.save(&p).await?;
                self.arm(&p).await?;
                post_body(&p)
            }
            (Method::Post, "/test/stall") => {
                let Stall { overdue_ms } = req.json().await?;
                let Some(p) = self.load().await? else { return reply::not_found("post") };
                self.state.storage().delete_alarm().await?;
                let at = now_ms().saturating_sub(overdue_ms);
                let entry = Entry { id: p.id.clone(), watch_at_ms: at };
                let shard = watch::shard_name(watch::shard_of(&p.id));
                expect_ok(DueOp::Put(entry).send(&self.env, &shard).await?)?;
                self.state.storage().put(WATCH, at).await?;
                Ok(Response::empty()?.with_status(204))
            }
            (Method::Get, "/test/stored") => {
                let stored = self.load().await?.is_some() || self.staging().await?.is_some() || self.state.storage().get_alarm().await?.is_some();
                Response::from_json(&serde_json::json!({ "stored": stored }))
            }
            (Method::Get, "/test/alarm") => Response::from_json(&serde_json::json!({ "alarm_ms": self.state.storage().get_alarm().await? })),
            _ => reply::not_found("operation"),
        }
    }
}
