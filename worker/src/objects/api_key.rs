//! The ApiKey Durable Object: one per personal API key, named by the key's id (the SHA-256 of
//! its secret, `letspost_core::api_key::key_id`), so a secret nobody issued finds an empty
//! object and is no key. It keeps the key's name, the accounts it names and its clock; never
//! the secret. Whether the key still reaches an account is the Account object's word
//! (`account_keys.rs`): a disconnect ends it there at once.
//!
//! Operations (`ApiKeyOp`): `Create` → 204 (409 if the id is taken); `Get` → `KeyRecord` (404:
//! no key); `Use` → `KeyRecord`, noting the use (at most one write a minute); `Revoke` →
//! `KeyRecord`, then nothing is left; `Forget` → 204 (a key left with no account is deleted).

use crate::base::rand::now_ms;
use crate::objects::session::OpenId;
use crate::objects::{self, API_KEYS};
use letspost_core::api_key::KeyRecord;
use serde::{Deserialize, Serialize};
use worker::{DurableObject, Env, Request, Response, Result, State, durable_object};

/// What is asked of a key's object.
#[derive(Serialize, Deserialize)]
pub enum ApiKeyOp {
    Create(KeyRecord),
    Get,
    Use,
    Revoke,
    Forget(OpenId),
}

impl ApiKeyOp {
    /// This operation, to key `id`'s object.
    pub async fn send(&self, env: &Env, id: &str) -> Result<Response> {
        objects::send(env, API_KEYS, id, self).await
    }
}

const KEY: &str = "key";

#[durable_object]
pub struct ApiKey {
    state: State,
    #[allow(dead_code)]
    env: Env,
}

fn status(code: u16) -> Result<Response> {
    Ok(Response::empty()?.with_status(code))
}

impl DurableObject for ApiKey {
    fn new(state: State, env: Env) -> Self {
        ApiKey { state, env }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let storage = self.state.storage();
        let record: Option<KeyRecord> = storage.get(KEY).await?;
        match req.json::<ApiKeyOp>().await? {
            ApiKeyOp::Create(r) => {
                if record.is_some() {
                    return status(409);
                }
                storage.put(KEY, &r).await?;
                status(204)
            }
            ApiKeyOp::Get => match record {
                Some(r) => Response::from_json(&r),
                None => status(404),
            },
            ApiKeyOp::Use => {
                let Some(mut r) = record else { return status(404) };
                if r.used(now_ms()) {
                    storage.put(KEY, &r).await?;
                }
                Response::from_json(&r)
            }
            ApiKeyOp::Revoke => {
                let Some(r) = record else { return status(404) };
                storage.delete_all().await?;
                Response::from_json(&r)
            }
            ApiKeyOp::Forget(OpenId { open_id }) => {
                let Some(mut r) = record else { return status(204) };
                r.accounts.retain(|a| *a != open_id);
                if r.accounts.is_empty() {
                    storage.delete_all().await?;
                } else {
                    storage.put(KEY, &r).await?;
                }
                status(204)
            }
        }
    }
}
