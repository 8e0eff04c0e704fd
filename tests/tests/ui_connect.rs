//! "Connect TikTok" in headless Chromium: PKCE in the page, the emulator's consent page, the
//! callback, the accounts list, reconnect and disconnect.

use fantoccini::{Client, Locator};
use letspost_e2e::api::{Session, VERIFIER, assert_no_secrets_in, expire, fresh_state, mint_code, new_account, redirect_uri};
use letspost_e2e::consent::{click_button, decide};
use letspost_e2e::flows::{self, page_state, session_of};
use letspost_e2e::{Engine, app_url, browser, wait_text};
use tiktok_rules::pkce::{ChallengeEncoding, challenge};

/// Open /accounts and press the connect button (`label`).
async fn start_connect(c: &Client, label: &str) {
    c.goto(&format!("{}/accounts", app_url())).await.unwrap();
    click_button(c, label).await;
}

async fn account_card(c: &Client, open_id: &str) -> String {
    wait_text(c, &format!("[data-testid=account][data-open-id='{open_id}']"), |t| !t.is_empty()).await
}

#[tokio::test]
async fn connect_through_the_consent_page_and_see_the_account() {
    flows::connect_through_the_consent_page(Engine::Chromium).await;
}

#[tokio::test]
async fn sign_another_browser_out_then_sign_out() {
    flows::sign_another_browser_out_then_sign_out(Engine::Chromium).await;
}

#[tokio::test]
async fn refused_consent_says_so_and_offers_to_try_again() {
    let open_id = new_account("uideny", "creator").await;
    let c = browser().await;
    start_connect(&c, "Connect TikTok").await;
    decide(&c, &open_id, "deny").await;
    let msg = wait_text(&c, "[data-testid=oauth-error]", |t| !t.is_empty()).await;
    assert_eq!(msg, "You declined the TikTok connection. Connect again when you are ready.");
    // "Try again" starts a new connection: back on the consent page.
    click_button(&c, "Try again").await;
    decide(&c, &open_id, "approve").await;
    account_card(&c, &open_id).await;
    c.close().await.unwrap();
}

#[tokio::test]
async fn a_tampered_state_is_refused() {
    let open_id = new_account("uistate", "creator").await;
    let c = browser().await;
    start_connect(&c, "Connect TikTok").await;
    let radio = format!("input[name=open_id][value='{open_id}']");
    wait_text(&c, "h1", |t| t.contains("LetsPost wants")).await;
    c.find(Locator::Css(&radio)).await.unwrap().click().await.unwrap();
    c.execute("document.querySelector('input[name=state]').value = 'forged-state'", vec![]).await.unwrap();
    c.find(Locator::Id("approve")).await.unwrap().click().await.unwrap();
    let msg = wait_text(&c, "[data-testid=oauth-error]", |t| !t.is_empty()).await;
    assert!(msg.contains("not the one LetsPost started"), "{msg}");
    assert!(c.find(Locator::XPath("//button[normalize-space(.)='Try again']")).await.is_ok());
    c.goto(&format!("{}/api/accounts", app_url())).await.unwrap();
    assert!(!c.source().await.unwrap().contains(&open_id), "nothing was connected");
    c.close().await.unwrap();
}

#[tokio::test]
async fn a_used_code_on_the_callback_is_explained() {
    let open_id = new_account("uireuse", "creator").await;
    let code = mint_code(&open_id).await;
    assert_eq!(Session::new().exchange(&code).await.status, 200, "spent once elsewhere");
    let c = browser().await;
    c.goto(&format!("{}/", app_url())).await.unwrap();
    // The tab that started this sign-in stored its state and verifier, and told the Worker
    // (which keeps the state and the challenge under this browser's start cookie).
    let state = fresh_state();
    let pending = serde_json::json!({ "state": state, "verifier": VERIFIER, "redirect_uri": redirect_uri() }).to_string();
    c.execute("sessionStorage.setItem('letspost.oauth.pending', arguments[0])", vec![pending.into()]).await.unwrap();
    let start = serde_json::json!({ "state": state, "code_challenge": challenge(VERIFIER, ChallengeEncoding::Base64url) }).to_string();
    let js = "const done = arguments[arguments.length - 1]; \
              fetch('/api/oauth/start', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: arguments[0]}).then(r => done(r.status), e => done(String(e)));";
    assert_eq!(c.execute_async(js, vec![start.into()]).await.unwrap(), serde_json::json!(204));
    c.goto(&format!("{}/oauth/callback?code={code}&scopes=user.info.basic&state={state}", app_url())).await.unwrap();
    let msg = wait_text(&c, "[data-testid=oauth-error]", |t| !t.is_empty()).await;
    assert_eq!(msg, "This TikTok sign-in has expired or was already used. Connect again.");
    c.close().await.unwrap();
}

#[tokio::test]
async fn reconnect_banner_then_disconnect_asked_once() {
    let open_id = new_account("uirecon", "creator").await;
    let c = browser().await;
    start_connect(&c, "Connect TikTok").await;
    decide(&c, &open_id, "approve").await;
    account_card(&c, &open_id).await;
    let s = session_of(&c).await;

    // TikTok stops honouring the tokens; the next use finds out.
    expire(&open_id, "both").await;
    assert_eq!(s.get(&format!("/api/accounts/{open_id}/creator-info")).await.status, 401);
    c.refresh().await.unwrap();
    let banner = wait_text(&c, "[data-testid=reconnect-banner]", |t| !t.is_empty()).await;
    assert!(banner.contains("sign in again"), "{banner}");
    click_button(&c, "Reconnect").await;
    decide(&c, &open_id, "approve").await;
    let card = account_card(&c, &open_id).await;
    assert!(card.contains("Connected") && !card.contains("Reconnect"), "{card}");
    // Connecting again issued this browser a new session id (the old one ended).
    let old = s;
    let s = session_of(&c).await;
    assert!(old.account(&open_id).await.is_none());
    assert_eq!(s.account(&open_id).await.unwrap()["status"], "connected");

    // Disconnect asks once.
    let card_css = format!("[data-testid=account][data-open-id='{open_id}']");
    c.find(Locator::Css(&card_css)).await.unwrap().find(Locator::XPath(".//button[normalize-space(.)='Disconnect']")).await.unwrap().click().await.unwrap();
    let ask = wait_text(&c, "[data-testid=confirm-disconnect]", |t| !t.is_empty()).await;
    assert!(ask.contains("Disconnect @uirecon."), "{ask}");
    click_button(&c, "Keep it").await;
    assert!(c.find(Locator::Css("[data-testid=confirm-disconnect]")).await.is_err());
    c.find(Locator::Css(&card_css)).await.unwrap().find(Locator::XPath(".//button[normalize-space(.)='Disconnect']")).await.unwrap().click().await.unwrap();
    click_button(&c, "Yes, disconnect").await;
    wait_text(&c, "[data-testid=no-accounts]", |t| t.contains("No TikTok account")).await;
    assert!(s.account(&open_id).await.is_none());
    assert_no_secrets_in(&page_state(&c).await, &[&open_id]).await;
    c.close().await.unwrap();
}

#[tokio::test]
async fn a_business_account_is_warned() {
    let open_id = new_account("uibrand", "business").await;
    let c = browser().await;
    start_connect(&c, "Connect TikTok").await;
    decide(&c, &open_id, "approve").await;
    account_card(&c, &open_id).await;
    let warning = wait_text(&c, "[data-testid=business-warning]", |t| !t.is_empty()).await;
    assert!(warning.contains("personal and creator accounts"), "{warning}");
    c.close().await.unwrap();
}
