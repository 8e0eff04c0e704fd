//! "Share": the composer's settings as a link (`/compose#c=…`, see the `share-link` crate),
//! and opening such a link. The fragment never reaches a server; no account, token or video
//! goes into it.

use super::form::Form;
use crate::connect::ConnectButton;
use leptos::prelude::*;
use share_link::{LinkError, Shared, code_in_fragment, decode, encode, fit_to};
use tiktok_rules::api::CreatorInfo;
use tiktok_rules::disclosure::Disclosure;

impl Form {
    pub fn shared(&self) -> Shared {
        let at = self.publish_at().map(|iso| js_sys::Date::new(&iso.into()).get_time() as u64);
        Shared {
            mode: self.mode.get_untracked(),
            caption: self.caption.get_untracked(),
            privacy: self.privacy.get_untracked(),
            disable_comment: !self.allow_comment.get_untracked(),
            disable_duet: !self.allow_duet.get_untracked(),
            disable_stitch: !self.allow_stitch.get_untracked(),
            disclosure: Disclosure {
                enabled: self.disclose.get_untracked(),
                your_brand: self.your_brand.get_untracked(),
                branded_content: self.branded.get_untracked(),
            },
            is_aigc: self.aigc.get_untracked(),
            publish_at_ms: at,
        }
    }

    /// Fill the composer from a link, fitted to this creator; the notes say what was reset.
    pub fn apply(&self, s: Shared, creator: &CreatorInfo) -> Vec<String> {
        let (s, notes) = fit_to(s, creator, js_sys::Date::now() as u64);
        self.mode.set(s.mode);
        self.caption.set(s.caption);
        self.privacy.set(s.privacy);
        self.allow_comment.set(!s.disable_comment);
        self.allow_duet.set(!s.disable_duet);
        self.allow_stitch.set(!s.disable_stitch);
        self.disclose.set(s.disclosure.enabled);
        self.your_brand.set(s.disclosure.your_brand);
        self.branded.set(s.disclosure.branded_content);
        self.aigc.set(s.is_aigc);
        self.when.set(s.publish_at_ms.map(local_input_value).unwrap_or_default());
        notes
    }
}

/// Unix ms → `YYYY-MM-DDTHH:MM` in the browser's zone (what datetime-local shows).
fn local_input_value(ms: u64) -> String {
    let d = js_sys::Date::new(&(ms as f64).into());
    format!("{:04}-{:02}-{:02}T{:02}:{:02}", d.get_full_year(), d.get_month() + 1, d.get_date(), d.get_hours(), d.get_minutes())
}

/// The link in this page's address, if any: the settings, or why they can't be used.
pub fn from_location() -> Option<Result<Shared, LinkError>> {
    let hash = web_sys::window()?.location().hash().ok()?;
    code_in_fragment(&hash).map(decode)
}

/// Once its settings are in the composer, the link leaves the address bar: a reload must not
/// apply it over what the creator has changed since (`replaceState`: no new history entry).
pub fn drop_from_address() {
    let Some(w) = web_sys::window() else { return };
    let path = w.location().pathname().unwrap_or_default();
    if let Ok(h) = w.history() {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
    }
}

/// The read-only view of a link, for a recipient with no connected account: what they would
/// post, and the way to connect that brings them back here with it.
pub fn summary_view(shared: Shared) -> impl IntoView {
    let code = encode(&shared);
    let lines = share_link::summary(&shared, |ms| {
        let d = js_sys::Date::new(&(ms as f64).into());
        String::from(d.to_locale_string("default", &js_sys::Object::new()))
    });
    view! {
        <div class="shared-summary" data-testid="shared-summary">
            <p class="lede">"Someone shared these post settings with you. Connect your TikTok account to post with them."</p>
            <dl>
                {lines.into_iter().map(|(label, value)| view! { <dt>{label}</dt><dd>{value}</dd> }).collect_view()}
            </dl>
            <ConnectButton label="Connect TikTok to post this" share=code/>
        </div>
    }
}

/// The "Share" button and the "Share link" field.
pub fn share_controls(form: Form) -> impl IntoView {
    let link = RwSignal::new(None::<String>);
    let share = move |_| {
        let Some(w) = web_sys::window() else { return };
        let origin = w.location().origin().unwrap_or_default();
        let url = format!("{origin}{}", share_link::compose_path(&encode(&form.shared())));
        // Copy too; a browser that refuses still shows the link to copy by hand.
        let _ = w.navigator().clipboard().write_text(&url);
        link.set(Some(url));
    };
    view! {
        <p class="actions">
            <button class="button secondary" on:click=share>"Share"</button>
        </p>
        {move || link.get().map(|url| view! {
            <label class="field">
                <span>"Share link (copied): settings only, no account or video"</span>
                <input type="text" readonly aria-label="Share link" prop:value=url/>
            </label>
        })}
    }
}
