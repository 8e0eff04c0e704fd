//! The Session Durable Object: which TikTok accounts a browser session holds. The session id
//! is the cookie's random value; nothing else identifies a person.

use serde::{Deserialize, Serialize};
use worker::{DurableObject, Env, Method, Request, Response, Result, State, durable_object};

#[derive(Serialize, Deserialize)]
pub struct OpenId {
    pub open_id: String,
}

#[durable_object]
pub struct Session {
    state: State,
}

const KEY: &str = "accounts";

impl DurableObject for Session {
    fn new(state: State, _env: Env) -> Self {
        Session { state }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let storage = self.state.storage();
        let mut held: Vec<String> = storage.get(KEY).await?.unwrap_or_default();
        match (req.method(), req.path().as_str()) {
            (Method::Get, "/accounts") => Response::from_json(&held),
            (Method::Post, "/add") => {
                let OpenId { open_id } = req.json().await?;
                if !held.contains(&open_id) {
                    held.push(open_id);
                    storage.put(KEY, &held).await?;
                }
                Response::from_json(&held)
            }
            (Method::Post, "/remove") => {
                let OpenId { open_id } = req.json().await?;
                held.retain(|o| *o != open_id);
                storage.put(KEY, &held).await?;
                Response::from_json(&held)
            }
            _ => Response::error("no such session operation", 404),
        }
    }
}
