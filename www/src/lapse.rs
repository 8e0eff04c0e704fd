//! A connection that will lapse: TikTok's refresh token ends at `refresh_expires_at`, after
//! which LetsPost can't post for the account until the creator reconnects. The rules are
//! `letspost_core::account`'s; this only reads the dates in the browser and words them.

use letspost_core::account::{lapse_notice, lapses_before, reconnect_before_sentence};
use letspost_core::api::{Account, AccountStatus};

/// RFC 3339 → Unix ms, through the browser's Date.
pub fn ms(rfc3339: &str) -> Option<u64> {
    let t = js_sys::Date::new(&rfc3339.into()).get_time();
    t.is_finite().then_some(t as u64)
}

/// A date as the creator reads it (their locale), e.g. "12 May 2027".
pub fn day(ms: u64) -> String {
    let d = js_sys::Date::new(&(ms as f64).into());
    let opts = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&opts, &"dateStyle".into(), &"medium".into());
    String::from(d.to_locale_date_string("default", &opts))
}

/// The date `/accounts` shows from 14 days before the connection lapses.
pub fn notice(account: &Account) -> Option<String> {
    let at = ms(&account.refresh_expires_at)?;
    lapse_notice(at, js_sys::Date::now() as u64).then(|| day(at))
}

/// The sentence a post due at or after the lapse carries (composer, `/posts`); every pending
/// post of an account TikTok already cut off (its time, or today for "post now").
pub fn post_warning(account: &Account, publish_at: Option<&str>) -> Option<String> {
    if account.status == AccountStatus::ReconnectNeeded {
        let due = publish_at.and_then(ms).unwrap_or(js_sys::Date::now() as u64);
        return Some(reconnect_before_sentence(&day(due)));
    }
    let at = ms(&account.refresh_expires_at)?;
    lapses_before(at, publish_at.and_then(ms)).then(|| reconnect_before_sentence(&day(at)))
}
