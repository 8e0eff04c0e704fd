//! `/accounts` → "API keys" in Chromium (issue 34): a key is made for the account, its secret
//! shown once (and gone from the page after "Done" or a reload), it works from a script, it is
//! listed, and "Revoke" ends it; axe on each state.

use fantoccini::Locator;
use letspost_e2e::api::{Session, new_account};
use letspost_e2e::axe::assert_accessible;
use letspost_e2e::consent::click_button;
use letspost_e2e::flows::{connect_at, page_state};
use letspost_e2e::{app_url, browser, wait_text};

#[tokio::test]
async fn a_key_is_made_shown_once_used_and_revoked_from_the_accounts_page() {
    let open_id = new_account("uikeys", "creator").await;
    let c = browser().await;
    connect_at(&c, &app_url(), &open_id).await;
    wait_text(&c, "[data-testid=no-keys]", |t| t.contains("No API keys")).await;
    assert_accessible(&c, "/accounts (no API keys)").await;

    let name = c.find(Locator::Css("#key-name")).await.unwrap();
    name.send_keys("Render farm").await.unwrap();
    click_button(&c, "Create key").await;
    wait_text(&c, "[data-testid=new-key]", |t| t.contains("Copy it now")).await;
    let field = c.find(Locator::Css("[data-testid=new-key-secret]")).await.unwrap();
    let secret = field.prop("value").await.unwrap().unwrap_or_default();
    assert!(letspost_core::api_key::valid_secret(&secret), "{secret:?}");
    let listed = wait_text(&c, "[data-testid=api-key]", |t| t.contains("Render farm")).await;
    assert!(listed.contains("never used"), "{listed}");
    assert_accessible(&c, "/accounts (a new API key, shown once)").await;

    // The key works from a script, for this account.
    let script = Session::with_key(&secret);
    let accounts = script.get("/api/accounts").await;
    assert_eq!((accounts.status, accounts.body["accounts"][0]["open_id"].as_str()), (200, Some(open_id.as_str())), "{}", accounts.body);

    // "Done", or a reload: the secret is nowhere the page can read any more.
    click_button(&c, "Done").await;
    assert!(!page_state(&c).await.contains(&secret));
    c.refresh().await.unwrap();
    let listed = wait_text(&c, "[data-testid=api-key]", |t| t.contains("Render farm")).await;
    assert!(listed.contains("last used"), "{listed}");
    assert!(!page_state(&c).await.contains(&secret));
    assert_accessible(&c, "/accounts (an API key listed)").await;

    c.find(Locator::Css("[aria-label='Revoke key Render farm']")).await.unwrap().click().await.unwrap();
    wait_text(&c, "[data-testid=no-keys]", |t| t.contains("No API keys")).await;
    assert_eq!(script.get("/api/accounts").await.status, 401, "revoked: the script is refused");
    c.close().await.unwrap();
}
