//! Webhook facts (TikTok's pushed status) as the post machine takes them: each can arrive
//! twice, late or out of order, so each only ever moves a post forward, and only for the
//! publish it names.

use crate::machine::{Mode, Post, State};
use serde::{Deserialize, Serialize};
use tiktok_rules::error::codes;
use tiktok_rules::webhook::WebhookEvent;

/// What a TikTok webhook says about a publish: facts that may arrive twice, late or out of
/// order, so each one only ever moves a post forward.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Pushed {
    InboxDelivered,
    Complete,
    Failed(String),
    PubliclyAvailable(Option<u64>),
    NoLongerPublic(Option<u64>),
}

impl Pushed {
    /// The fact a post event states, with the publish it is about (none for account events).
    pub fn from_event(e: &WebhookEvent) -> Option<(String, Pushed)> {
        let fact = match e {
            WebhookEvent::InboxDelivered { .. } => Pushed::InboxDelivered,
            WebhookEvent::Complete { .. } => Pushed::Complete,
            WebhookEvent::Failed { reason, .. } => Pushed::Failed(reason.clone()),
            WebhookEvent::PubliclyAvailable { post_id, .. } => Pushed::PubliclyAvailable(*post_id),
            WebhookEvent::NoLongerPublic { post_id, .. } => Pushed::NoLongerPublic(*post_id),
            _ => return None,
        };
        Some((e.publish_id()?.to_string(), fact))
    }
}

impl Post {
    /// A webhook's fact; whether it changed the post. Facts about another publish_id (an
    /// earlier attempt, another app's) and facts that would move the post back are ignored.
    pub(crate) fn on_pushed(&mut self, publish_id: &str, fact: Pushed, at_ms: u64, now: u64) -> bool {
        use State::*;
        if self.publish_id.as_deref() != Some(publish_id) {
            return false;
        }
        let in_flight = matches!(self.state, Uploading | Processing);
        match fact {
            Pushed::InboxDelivered if in_flight && self.mode() == Mode::Draft => self.move_to_inbox(now),
            Pushed::Failed(reason) if self.state == SentToInbox => {
                self.draft_gone(if reason.is_empty() { codes::PUBLISH_CANCELLED.to_string() } else { reason })
            }
            Pushed::Failed(reason) if in_flight => self.failed_at_tiktok(if reason.is_empty() { codes::INTERNAL.to_string() } else { reason }),
            Pushed::InboxDelivered | Pushed::Failed(_) => return false,
            // Published (or public, or taken down: each says it was published, whatever
            // arrived first).
            Pushed::Complete | Pushed::PubliclyAvailable(_) | Pushed::NoLongerPublic(_) => {
                let publishable = in_flight || self.state == SentToInbox;
                if self.state != Published && !publishable {
                    return false;
                }
                if publishable {
                    self.move_to_published(now);
                }
                let newest = self.visibility_at_ms.is_none_or(|t| at_ms >= t);
                match fact {
                    Pushed::PubliclyAvailable(id) | Pushed::NoLongerPublic(id) => {
                        if let Some(id) = id.filter(|_| self.post_id.is_none()) {
                            self.learn_post_id(id);
                        }
                        if newest {
                            self.visibility_at_ms = Some(at_ms);
                            self.no_longer_public_at_ms = matches!(fact, Pushed::NoLongerPublic(_)).then_some(at_ms);
                        }
                    }
                    _ => {}
                }
            }
        }
        true
    }
}
