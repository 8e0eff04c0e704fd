//! `POST /api/webhooks/tiktok`: TikTok's pushed status. Nothing in a delivery is read before
//! its size and its signature over the raw bytes are checked (`tiktok_rules::webhook`); then
//! the account's object routes a post event to its post (it maps the account's publish_ids)
//! and acts on `authorization.removed` itself. No table spans accounts.
//!
//! Answers: 200 for every verified delivery, acted on or ignored (unknown event, publish_id or
//! account, `tiktok.ping`); 401, 413 or 400 for a refused one, which changes nothing; 500 when
//! LetsPost could not record it, so TikTok delivers it again.

use crate::base::config::{CLIENT_SECRET, secret, webhook_tolerance_secs};
use crate::base::rand::now_ms;
use crate::base::reply;
use crate::objects::account::AccountFact;
use crate::objects::account::AccountOp;
use post_lifecycle::Pushed;
use tiktok_rules::webhook::{self, MAX_BODY_BYTES, Refusal, WebhookEvent};
use worker::{Env, Request, Response, Result};

fn refused(r: Refusal) -> Result<Response> {
    let (code, message) = r.code_and_message();
    reply::error(r.status(), code, &message)
}

fn received(acted: bool) -> Result<Response> {
    Response::from_json(&serde_json::json!({ "received": true, "acted": acted }))
}

pub async fn receive(mut req: Request, env: Env) -> Result<Response> {
    // Read only up to the limit: a declared or streamed excess is refused unread.
    let body = match crate::api::body::bounded(&mut req, MAX_BODY_BYTES).await? {
        Ok(b) => b,
        Err(r) => return reply::refused(r),
    };
    let Some(client_secret) = secret(&env, CLIENT_SECRET) else {
        return reply::error(503, "not_configured", "LetsPost has no TikTok client secret to verify webhooks with.");
    };
    let header = req.headers().get(webhook::SIGNATURE_HEADER)?;
    if let Err(r) = webhook::verify(&client_secret, header.as_deref(), &body, now_ms() / 1000, webhook_tolerance_secs(&env)) {
        return refused(r);
    }
    let hook = match webhook::parse(&body) {
        Ok(h) => h,
        Err(r) => return refused(r),
    };
    let at_ms = hook.create_time.saturating_mul(1000);
    let fact = match &hook.event {
        WebhookEvent::AuthorizationRemoved { reason } => AccountFact::Removed { reason: *reason, at_ms },
        e => match Pushed::from_event(e) {
            Some((publish_id, fact)) => AccountFact::Post { publish_id, fact, at_ms },
            // tiktok.ping and events LetsPost has no use for.
            None => return received(false),
        },
    };
    if hook.user_openid.is_empty() {
        return received(false);
    }
    let resp = AccountOp::Webhook(fact).send(&env, &hook.user_openid).await?;
    match resp.status_code() {
        200 => received(true),
        // An account or post LetsPost doesn't know (another app's, or deleted).
        404 => received(false),
        s => {
            crate::base::log::error(
                "webhook_not_recorded",
                &[("account", &hook.user_openid), ("publish_id", hook.event.publish_id().unwrap_or_default()), ("status", &s.to_string())],
            );
            reply::internal()
        }
    }
}
