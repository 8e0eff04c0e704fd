//! `/api/keys`: personal API keys, made, listed and revoked by a browser session (a key can't
//! reach these routes: `bearer.rs`). A key names accounts its maker holds; it is listed to
//! every session holding one of them (with only the accounts that session holds), and any of
//! them may revoke it. Its secret is in the 201 that makes it and nowhere else, ever.

use crate::api::limits;
use crate::api::session::{current, held, no_session};
use crate::base::rand::{bytes, now_ms};
use crate::base::{log, reply};
use crate::objects;
use crate::objects::account::AccountOp;
use crate::objects::account_keys::{KeyId, KeyOp};
use crate::objects::api_key::ApiKeyOp;
use letspost_core::api::ErrorBody;
use letspost_core::api_key::{self, KeyCreated, KeyRecord, KeysBody, NewKey, SECRET_BYTES};
use letspost_core::limits::{Client, WRITES};
use worker::{Env, Request, Response, Result};

async fn drop_from(env: &Env, accounts: &[String], id: &str) -> Result<()> {
    for open_id in accounts {
        AccountOp::Key(KeyOp::Drop(KeyId { id: id.to_string() })).send(env, open_id).await?;
    }
    Ok(())
}

/// `POST /api/keys` `{"name", "accounts"}` → 201 `{"key", "secret"}`.
pub async fn create(mut req: Request, env: Env) -> Result<Response> {
    let Some(me) = current(&env, &req).await? else { return no_session() };
    if let Some(refused) = limits::check(&env, &WRITES, "write", &Client::Session(&me.id)).await? {
        return Ok(refused);
    }
    let asked: NewKey = match crate::api::body::json(&mut req, "JSON with name and accounts (open_ids)").await? {
        Ok(b) => b,
        Err(refused) => return Ok(refused),
    };
    let new = match asked.check() {
        Ok(k) => k,
        Err(error) => return reply::json(422, &ErrorBody { error }),
    };
    let mine = held(&env, &req).await?;
    if new.accounts.iter().any(|a| !mine.contains(a)) {
        return reply::not_found("account");
    }
    let secret = api_key::new_secret(&bytes::<SECRET_BYTES>()?);
    let id = api_key::key_id(&secret);
    // The accounts first: a key whose object was never written finds nothing and reaches
    // nothing, and listing drops such ids; the reverse would leave an object no list names.
    let mut added: Vec<String> = Vec::new();
    for open_id in &new.accounts {
        let answer = AccountOp::Key(KeyOp::Add(KeyId { id: id.clone() })).send(&env, open_id).await?;
        if answer.status_code() != 204 {
            drop_from(&env, &added, &id).await?;
            return if answer.status_code() == 409 { Ok(answer) } else { reply::not_found("account") };
        }
        added.push(open_id.clone());
    }
    let record = KeyRecord { id: id.clone(), name: new.name, accounts: new.accounts, created_ms: now_ms(), last_used_ms: None };
    objects::expect_ok(ApiKeyOp::Create(record.clone()).send(&env, &id).await?)?;
    log::info("api_key_created", &[("key", &id), ("accounts", &record.accounts.len().to_string())]);
    reply::json(201, &KeyCreated { key: record.view(&mine), secret })
}

/// `GET /api/keys`: the keys naming any account the session holds, newest first.
pub async fn list(req: Request, env: Env) -> Result<Response> {
    let mine = held(&env, &req).await?;
    let mut keys: Vec<KeyRecord> = Vec::new();
    for open_id in &mine {
        for id in naming(&env, open_id).await? {
            if keys.iter().any(|k| k.id == id) {
                continue;
            }
            let mut found = ApiKeyOp::Get.send(&env, &id).await?;
            if found.status_code() == 200 {
                keys.push(found.json().await?);
            } else {
                // Named, never made (a create that stopped half way): tidy the account's list.
                drop_from(&env, std::slice::from_ref(open_id), &id).await?;
            }
        }
    }
    keys.sort_by(|a, b| b.created_ms.cmp(&a.created_ms).then(a.id.cmp(&b.id)));
    Response::from_json(&KeysBody { keys: keys.iter().map(|k| k.view(&mine)).collect() })
}

/// `DELETE /api/keys/{id}` → 204: the key stops at once, for every account it named.
pub async fn revoke(req: Request, env: Env, id: &str) -> Result<Response> {
    let Some(me) = current(&env, &req).await? else { return reply::not_found("key") };
    if let Some(refused) = limits::check(&env, &WRITES, "write", &Client::Session(&me.id)).await? {
        return Ok(refused);
    }
    if !api_key::valid_id(id) {
        return reply::not_found("key");
    }
    let mut found = ApiKeyOp::Get.send(&env, id).await?;
    if found.status_code() != 200 {
        return reply::not_found("key");
    }
    let record: KeyRecord = found.json().await?;
    let mine = held(&env, &req).await?;
    if !record.accounts.iter().any(|a| mine.contains(a)) {
        return reply::not_found("key");
    }
    // The key's object first: from here on, no request finds the key.
    ApiKeyOp::Revoke.send(&env, id).await?;
    drop_from(&env, &record.accounts, id).await?;
    log::info("api_key_revoked", &[("key", id)]);
    Ok(Response::empty()?.with_status(204))
}

/// The ids of the keys naming `open_id`, as its Account object lists them.
pub async fn naming(env: &Env, open_id: &str) -> Result<Vec<String>> {
    Ok(AccountOp::Key(KeyOp::List).send(env, open_id).await?.json().await.unwrap_or_default())
}

/// An account was disconnected: its keys (`ids`, listed before) forget it, and a key left
/// with none is deleted.
pub async fn forget_account(env: &Env, open_id: &str, ids: &[String]) -> Result<()> {
    for id in ids {
        ApiKeyOp::Forget(crate::objects::session::OpenId { open_id: open_id.to_string() }).send(env, id).await?;
    }
    Ok(())
}
