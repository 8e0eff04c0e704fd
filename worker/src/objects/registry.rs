//! The Registry Durable Object (one, named `all`): the posts and accounts the cron sweep
//! looks after. Posts leave it once final with their video deleted; accounts on disconnect.

use serde::{Deserialize, Serialize};
use worker::{durable_object, DurableObject, Env, ListOptions, Method, Request, Response, Result, State};

pub const NAME: &str = "all";

#[derive(Serialize, Deserialize)]
pub struct Ids {
    pub ids: Vec<String>,
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
    async fn ids(&self, prefix: &str) -> Result<Vec<String>> {
        let map = self.state.storage().list_with_options(ListOptions::new().prefix(prefix)).await?;
        Ok(map.keys().into_iter().filter_map(|k| k.ok()?.as_string()).map(|k| k[prefix.len()..].to_string()).collect())
    }
}

impl DurableObject for Registry {
    fn new(state: State, _env: Env) -> Self {
        Registry { state }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let storage = self.state.storage();
        let path = req.path();
        let prefix = match path.trim_start_matches('/') {
            "posts" => "p:",
            "accounts" => "a:",
            _ => return Response::error("no such registry operation", 404),
        };
        match req.method() {
            Method::Get => Response::from_json(&Ids { ids: self.ids(prefix).await? }),
            Method::Post => {
                let One { id } = req.json().await?;
                storage.put(&format!("{prefix}{id}"), true).await?;
                Ok(Response::empty()?.with_status(204))
            }
            Method::Delete => {
                let Ids { ids } = req.json().await?;
                for id in ids {
                    storage.delete(&format!("{prefix}{id}")).await?;
                }
                Ok(Response::empty()?.with_status(204))
            }
            _ => Response::error("no such registry operation", 404),
        }
    }
}
