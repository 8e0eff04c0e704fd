//! The old Registry Durable Object (one, named `all`), kept only so that an upgraded
//! deployment can drain it: nothing writes to it any more. The cron takes its entries a batch
//! at a time (`POST /take`), moves them to the sharded index and the accounts' own alarms, and
//! deletes them; once it is empty, a later release removes the class (`deleted_classes`).

use serde::{Deserialize, Serialize};
use worker::{DurableObject, Env, ListOptions, Method, Request, Response, Result, State, durable_object};

pub const NAME: &str = "all";

#[derive(Serialize, Deserialize)]
pub struct Ids {
    pub ids: Vec<String>,
}

/// `POST /take`: at most `limit` ids of one kind ("posts" or "accounts"), without loading the rest.
#[derive(Serialize, Deserialize)]
pub struct Take {
    pub kind: String,
    pub limit: u32,
}

#[derive(Deserialize)]
struct One {
    id: String,
}

#[durable_object]
pub struct Registry {
    state: State,
}

impl Registry {
    async fn ids(&self, prefix: &str, limit: usize) -> Result<Vec<String>> {
        let map = self.state.storage().list_with_options(ListOptions::new().prefix(prefix).limit(limit)).await?;
        Ok(map.keys().into_iter().filter_map(|k| k.ok()?.as_string()).map(|k| k[prefix.len()..].to_string()).collect())
    }
}

impl DurableObject for Registry {
    fn new(state: State, _env: Env) -> Self {
        Registry { state }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let storage = self.state.storage();
        let prefix_of = |kind: &str| match kind {
            "posts" => Some("p:"),
            "accounts" => Some("a:"),
            _ => None,
        };
        let path = req.path();
        let op = path.trim_start_matches('/');
        match (req.method(), op) {
            (Method::Post, "take") => {
                let Take { kind, limit } = req.json().await?;
                let Some(prefix) = prefix_of(&kind) else { return Response::error("no such registry kind", 404) };
                Response::from_json(&Ids { ids: self.ids(prefix, limit as usize).await? })
            }
            // What an old deployment wrote; only the e2e suite's upgrade test writes it now.
            (Method::Post, kind) if prefix_of(kind).is_some() => {
                let One { id } = req.json().await?;
                storage.put(&format!("{}{id}", prefix_of(kind).unwrap_or_default()), true).await?;
                Ok(Response::empty()?.with_status(204))
            }
            (Method::Delete, kind) if prefix_of(kind).is_some() => {
                let Ids { ids } = req.json().await?;
                let keys: Vec<String> = ids.iter().map(|id| format!("{}{id}", prefix_of(kind).unwrap_or_default())).collect();
                storage.delete_multiple(keys).await?;
                Ok(Response::empty()?.with_status(204))
            }
            _ => Response::error("no such registry operation", 404),
        }
    }
}
