//! Calls to the Worker's API. Failures arrive as the API's `{"error": {"code", "message"}}`;
//! a failure to reach the Worker at all becomes one of the same shape.

use gloo_net::http::{Request, Response};
use letspost_core::api::{ApiError, ErrorBody};
use serde::de::DeserializeOwned;
use serde::Serialize;

fn unreachable(e: impl std::fmt::Display) -> ApiError {
    ApiError::new("network", format!("LetsPost's server could not be reached ({e}). Check your connection and try again."))
}

async fn answer<T: DeserializeOwned>(resp: Response) -> Result<T, ApiError> {
    if resp.ok() {
        return resp.json::<T>().await.map_err(unreachable);
    }
    let status = resp.status();
    Err(resp.json::<ErrorBody>().await.map(|b| b.error).unwrap_or_else(|_| ApiError::new("http", format!("LetsPost's server answered {status}. Try again."))))
}

pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    answer(Request::get(path).send().await.map_err(unreachable)?).await
}

pub async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    let req = Request::post(path).json(body).map_err(unreachable)?;
    answer(req.send().await.map_err(unreachable)?).await
}

/// `DELETE`: success has no body.
pub async fn delete(path: &str) -> Result<(), ApiError> {
    let resp = Request::delete(path).send().await.map_err(unreachable)?;
    if resp.ok() {
        return Ok(());
    }
    answer::<serde_json::Value>(resp).await.map(|_| ())
}

/// `PATCH` with a JSON body.
pub async fn patch<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    let req = Request::patch(path).json(body).map_err(unreachable)?;
    answer(req.send().await.map_err(unreachable)?).await
}

/// `DELETE` whose success has a JSON body (cancelling a post answers with the post).
pub async fn delete_json<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    answer(Request::delete(path).send().await.map_err(unreachable)?).await
}
