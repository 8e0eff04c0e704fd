//! A verified webhook's fact for this account: `authorization.removed` is acted on here; a
//! post's fact goes to the post whose publish it names.

use super::ops::{AccountFact, PushedFact};
use super::{Account, CREATOR_INFO};
use crate::base::reply;
use crate::objects::post::ops::PostOp;
use worker::{Response, Result};

/// `publish:<publish_id>` → the post's id: how a webhook finds its post. One short key per
/// publish, in the account's own storage (no table spans accounts).
pub(super) const PUBLISH_PREFIX: &str = "publish:";

impl Account {
    /// A webhook's fact: 200 when acted on, 404 when it names nothing LetsPost knows.
    pub(super) async fn webhook(&self, fact: AccountFact) -> Result<Response> {
        match fact {
            AccountFact::Removed { reason, at_ms } => {
                let Some(mut rec) = self.record().await? else { return reply::not_found("account") };
                if !rec.removed(reason, at_ms) {
                    // About an earlier connection: this one was made since.
                    return reply::not_found("connection");
                }
                self.save(&rec).await?;
                self.state.storage().delete(CREATOR_INFO).await?;
                // Its sessions still see it marked; a reconnection is held only by the session
                // that makes it.
                crate::objects::holders::until_reconnect(&self.state.storage()).await?;
                Ok(Response::empty()?.with_status(200))
            }
            AccountFact::Post { publish_id, fact, at_ms } => {
                let key = format!("{PUBLISH_PREFIX}{publish_id}");
                let Some(id) = self.state.storage().get::<String>(&key).await? else { return reply::not_found("publish") };
                let body = PushedFact { publish_id, fact, at_ms };
                let resp = PostOp::Pushed(body).send(&self.env, &id).await?;
                Ok(resp)
            }
        }
    }
}
