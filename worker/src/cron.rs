//! The cron trigger's sweep: re-arm posts whose alarm went missing (workerd may drop alarms
//! that fell due while it was down), let each post do its housekeeping, and keep accounts
//! connected as their refresh tokens near their end.

use crate::objects::{self, ACCOUNTS, POSTS, REGISTRY};
use crate::objects::registry::{Ids, NAME};
use serde::Deserialize;
use worker::{Env, Method, Result};

#[derive(Deserialize)]
struct Swept {
    done: bool,
}

pub async fn run(env: &Env) -> Result<()> {
    let posts: Ids = objects::get(env, REGISTRY, NAME, "posts").await?.json().await?;
    let mut finished = Vec::new();
    for id in posts.ids {
        let mut resp = objects::call::<()>(env, POSTS, &id, Method::Post, "sweep", None).await?;
        if resp.status_code() == 200 && resp.json::<Swept>().await.is_ok_and(|s| s.done) {
            finished.push(id);
        }
    }
    if !finished.is_empty() {
        objects::call(env, REGISTRY, NAME, Method::Delete, "posts", Some(&Ids { ids: finished })).await?;
    }
    let accounts: Ids = objects::get(env, REGISTRY, NAME, "accounts").await?.json().await?;
    let mut gone = Vec::new();
    for id in accounts.ids {
        let resp = objects::call::<()>(env, ACCOUNTS, &id, Method::Post, "keep-alive", None).await?;
        if resp.status_code() == 404 {
            gone.push(id);
        }
    }
    if !gone.is_empty() {
        objects::call(env, REGISTRY, NAME, Method::Delete, "accounts", Some(&Ids { ids: gone })).await?;
    }
    Ok(())
}
