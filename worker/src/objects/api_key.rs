//! The ApiKey Durable Object: one per personal API key, named by the key's id (the SHA-256 of
//! its secret, `letspost_core::api_key::key_id`), so a secret nobody issued finds an empty
//! object and is no key. It keeps the key's name, the accounts it names and its clock; never
//! the secret. Whether the key still reaches an account is the Account object's word
//! (`account_keys.rs`): a disconnect ends it there at once.
//!
//! Internal operations: `POST /create` `KeyRecord` → 204 (409 if the id is taken);
//! `GET /key` → `KeyRecord` (404: no key); `POST /use` → `KeyRecord`, noting the use (at most
//! one write a minute); `POST /revoke` → `KeyRecord`, then nothing is left;
//! `POST /forget` `{open_id}` → 204 (a key left with no account is deleted).

use crate::base::rand::now_ms;
use crate::objects::session::OpenId;
use letspost_core::api_key::KeyRecord;
use worker::{DurableObject, Env, Method, Request, Response, Result, State, durable_object};

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
        match (req.method(), req.path().as_str()) {
            (Method::Post, "/create") => {
                if record.is_some() {
                    return status(409);
                }
                let r: KeyRecord = req.json().await?;
                storage.put(KEY, &r).await?;
                status(204)
            }
            (Method::Get, "/key") => match record {
                Some(r) => Response::from_json(&r),
                None => status(404),
            },
            (Method::Post, "/use") => {
                let Some(mut r) = record else { return status(404) };
                if r.used(now_ms()) {
                    storage.put(KEY, &r).await?;
                }
                Response::from_json(&r)
            }
            (Method::Post, "/revoke") => {
                let Some(r) = record else { return status(404) };
                storage.delete_all().await?;
                Response::from_json(&r)
            }
            (Method::Post, "/forget") => {
                let OpenId { open_id } = req.json().await?;
                let Some(mut r) = record else { return status(204) };
                r.accounts.retain(|a| *a != open_id);
                if r.accounts.is_empty() {
                    storage.delete_all().await?;
                } else {
                    storage.put(KEY, &r).await?;
                }
                status(204)
            }
            _ => status(404),
        }
    }
}
