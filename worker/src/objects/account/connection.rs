//! Connecting (a new connection, or one restored in place: who the account is, from
//! `user/info` and `creator_info`) and disconnecting (revoke at TikTok, forget everything).

use super::Account;
use super::tokens::Failure;
use crate::base::rand::now_ms;
use crate::tiktok::TikTok;
use letspost_core::account::{Profile, Record, is_business_refusal};
use letspost_core::api::AccountBody;
use tiktok_rules::oauth::{TokenResponse, Tokens};

impl Account {
    /// Store a new connection (or restore one in place) and learn who the account is.
    pub(super) async fn store_connection(&self, answer: TokenResponse) -> std::result::Result<AccountBody, Failure> {
        let now = now_ms();
        // What this connection granted decides what its numbers may read (before `save` arms
        // the alarm for them).
        super::analytics::connecting(&self.state.storage(), &answer.scope).await?;
        let tokens = Tokens::from_response(answer, now);
        let previous = self.record().await?;
        let tiktok = TikTok::new(&self.env);
        let mut profile = previous.as_ref().map(|r| r.profile.clone()).unwrap_or_else(|| Profile {
            open_id: tokens.open_id.clone(),
            display_name: "TikTok account".into(),
            ..Profile::default()
        });
        // Who it is: user/info (user.info.basic) has the name and avatar, creator_info the
        // @username. Either may fail without failing the connection: the tokens are good.
        if let Ok(user) = tiktok.user_info(&tokens.access_token).await {
            profile.display_name = user.display_name;
            profile.avatar_url = user.avatar_url;
        }
        let mut business = previous.as_ref().is_some_and(|r| r.business_account);
        match tiktok.creator_info(&tokens.access_token).await {
            Ok(info) => {
                profile.username = info.creator_username;
                business = false;
            }
            Err(e) if is_business_refusal(&e) => business = true,
            Err(_) => {}
        }
        let mut rec = Record::connected(profile, &tokens, self.seal(&tokens)?, now);
        rec.business_account = business;
        self.save(&rec).await?;
        // The first snapshot of its counts, now (then daily, by the alarm).
        if let Err(e) = self.snapshot(Some(&tokens.access_token)).await {
            crate::base::log::error("stats_snapshot_failed", &[("error", &e.to_string())]);
        }
        self.arm_upkeep(&rec, false).await?;
        Ok(AccountBody { account: self.view(&rec).await? })
    }

    /// Revoke at TikTok, then forget everything about the account.
    pub(super) async fn disconnect(&self) -> std::result::Result<(), Failure> {
        match self.with_token(|t| async move { TikTok::new(&self.env).revoke(&t).await }).await {
            // Already unusable: nothing left at TikTok to revoke.
            Ok(_) | Err(Failure::Reconnect(_)) => {}
            Err(other) => return Err(other),
        }
        self.state.storage().delete_all().await?;
        // delete_all leaves the alarm.
        self.state.storage().delete_alarm().await?;
        Ok(())
    }
}
