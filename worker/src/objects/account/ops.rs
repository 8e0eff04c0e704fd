//! The Account object's operations, one enum both sides share: the Worker (and the Post and
//! Session objects) send an `AccountOp`, the object matches on it, so an operation can't be
//! misspelled or left unhandled. Its parts' operations are their own enums (`ScheduleOp`,
//! `HolderOp`, `UsageOp`, `IndexOp`, `KeyOp`); the test hooks' stay apart, in test builds only.

use crate::objects::account_keys::KeyOp;
use crate::objects::holders::HolderOp;
use crate::objects::post_index::IndexOp;
use crate::objects::schedule::ScheduleOp;
use crate::objects::usage::UsageOp;
use crate::objects::{self, ACCOUNTS};
use serde::{Deserialize, Serialize};
use tiktok_rules::oauth::TokenResponse;
use worker::{Env, Response, Result};

/// What is asked of an account's object (the Worker's routes check the session first).
#[derive(Serialize, Deserialize)]
pub enum AccountOp {
    /// TikTok's token answer → `{"account"}`.
    Connect(Box<TokenResponse>),
    /// → `{"account"}`.
    Get,
    /// → `{"creator_info"}`, fresh from TikTok; `reuse`: a recent one if TikTok stumbles
    /// (creating a post).
    CreatorInfo {
        reuse: bool,
    },
    /// For the Post objects only: the Worker's routes never forward this answer.
    AccessToken(TokenAsk),
    /// A post's publish, for routing its webhooks.
    PublishId(PublishOf),
    /// A verified webhook's fact: acted on here, or handed to the post whose publish it names.
    Webhook(AccountFact),
    /// An account moved over from the old Registry: arm its own upkeep.
    Upkeep,
    /// Revoke at TikTok, forget everything.
    Disconnect,
    Schedule(ScheduleOp),
    Holder(HolderOp),
    Usage(UsageOp),
    Index(IndexOp),
    /// The API keys naming it.
    Key(KeyOp),
    /// Its numbers (issue 33): posts' metrics, stats, best times, a creator's refresh.
    Analytics(crate::objects::account::analytics::AnalyticsOp),
}

impl AccountOp {
    /// This operation, to account `open_id`'s object.
    pub async fn send(&self, env: &Env, open_id: &str) -> Result<Response> {
        objects::send(env, ACCOUNTS, open_id, self).await
    }
}

/// A verified webhook's fact for this account (see `api::webhooks`).
#[derive(serde::Serialize, serde::Deserialize)]
pub enum AccountFact {
    /// `authorization.removed`: TikTok revoked the tokens already.
    Removed {
        reason: u8,
        at_ms: u64,
    },
    Post {
        publish_id: String,
        fact: post_lifecycle::Pushed,
        at_ms: u64,
    },
}

/// A post's publish at TikTok (a post has a new one after each retry that uploads anew).
#[derive(serde::Serialize, serde::Deserialize)]
pub struct PublishOf {
    pub publish_id: String,
    pub id: String,
}

/// What the Post object's `PostOp::Pushed` takes.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct PushedFact {
    pub publish_id: String,
    pub fact: post_lifecycle::Pushed,
    pub at_ms: u64,
}

#[derive(serde::Serialize, serde::Deserialize)]
pub struct TokenAsk {
    /// The access token TikTok refused: refresh unless it was already replaced.
    #[serde(default)]
    pub stale: Option<String>,
}

#[derive(serde::Serialize, serde::Deserialize)]
pub struct TokenAnswer {
    pub access_token: String,
}
