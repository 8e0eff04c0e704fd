//! The old Registry Durable Object (one, named `all`), kept only so that an upgraded
//! deployment can drain it: nothing writes to it any more. The cron takes its entries a batch
//! at a time (`RegistryOp::Take`), moves them to the sharded index and the accounts' own alarms, and
//! deletes them; once it is empty, a later release removes the class (`deleted_classes`).

use crate::objects::{self, REGISTRY};
use serde::{Deserialize, Serialize};
use worker::{DurableObject, Env, ListOptions, Request, Response, Result, State, durable_object};

pub const NAME: &str = "all";

/// What the cron asks of the old Registry.
#[derive(Serialize, Deserialize)]
pub enum RegistryOp {
    /// → `Ids`: a batch of one kind.
    Take(Take),
    /// These ids of one kind are moved over: forget them → 204.
    Forget { kind: String, ids: Vec<String> },
}

impl RegistryOp {
    pub async fn send(&self, env: &Env) -> Result<Response> {
        objects::send(env, REGISTRY, NAME, self).await
    }
}

/// The key prefix of a kind ("posts" or "accounts").
fn prefix_of(kind: &str) -> Option<&'static str> {
    match kind {
        "posts" => Some("p:"),
        "accounts" => Some("a:"),
        _ => None,
    }
}

#[derive(Serialize, Deserialize)]
pub struct Ids {
    pub ids: Vec<String>,
}

/// `Take`: at most `limit` ids of one kind ("posts" or "accounts"), without loading the rest.
#[derive(Serialize, Deserialize)]
pub struct Take {
    pub kind: String,
    pub limit: u32,
}

#[cfg(feature = "test-routes")]
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
        // What an old deployment wrote (`POST /posts` or `/accounts` `{id}`); only the e2e
        // suite's upgrade test writes it now.
        #[cfg(feature = "test-routes")]
        if let Some(prefix) = prefix_of(req.path().trim_start_matches('/')) {
            let One { id } = req.json().await?;
            storage.put(&format!("{prefix}{id}"), true).await?;
            return Ok(Response::empty()?.with_status(204));
        }
        match serde_json::from_str::<RegistryOp>(&req.text().await?)? {
            RegistryOp::Take(Take { kind, limit }) => {
                let Some(prefix) = prefix_of(&kind) else { return Response::error("no such registry kind", 404) };
                Response::from_json(&Ids { ids: self.ids(prefix, limit as usize).await? })
            }
            RegistryOp::Forget { kind, ids } => {
                let Some(prefix) = prefix_of(&kind) else { return Response::error("no such registry kind", 404) };
                storage.delete_multiple(ids.iter().map(|id| format!("{prefix}{id}")).collect()).await?;
                Ok(Response::empty()?.with_status(204))
            }
        }
    }
}
