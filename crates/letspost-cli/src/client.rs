//! LetsPost's HTTP API with a personal key (`Authorization: Bearer lp_…`).

use crate::config::Login;
use crate::exit::Failure;
use serde_json::Value;
use std::time::Duration;

pub struct Client {
    base: String,
    key: String,
    http: reqwest::blocking::Client,
}

fn unreachable(base: &str, e: reqwest::Error) -> Failure {
    Failure::Unreachable(format!("could not reach LetsPost at {base}: {e}"))
}

impl Client {
    pub fn new(login: &Login) -> Result<Client, Failure> {
        // No overall timeout: a 20 MB part on a slow line takes minutes. Connecting may not.
        let http = reqwest::blocking::Client::builder()
            .connect_timeout(Duration::from_secs(20))
            .timeout(None)
            .user_agent(concat!("letspost-cli/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Failure::Unreachable(e.to_string()))?;
        Ok(Client { base: login.url.clone(), key: login.key.clone(), http })
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::blocking::RequestBuilder {
        self.http.request(method, format!("{}{path}", self.base)).bearer_auth(&self.key)
    }

    /// Status and JSON body (null when not JSON); a connection that fails is `Unreachable`.
    pub fn call(&self, method: reqwest::Method, path: &str, body: Option<&Value>, idempotency_key: Option<&str>) -> Result<(u16, Value), Failure> {
        let mut req = self.request(method, path);
        if let Some(b) = body {
            req = req.json(b);
        }
        if let Some(k) = idempotency_key {
            req = req.header("Idempotency-Key", k);
        }
        let resp = req.send().map_err(|e| unreachable(&self.base, e))?;
        let status = resp.status().as_u16();
        let text = resp.text().map_err(|e| unreachable(&self.base, e))?;
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
    }

    /// A 2xx's body, or the failure the answer means.
    pub fn ok(&self, method: reqwest::Method, path: &str, body: Option<&Value>, idempotency_key: Option<&str>) -> Result<Value, Failure> {
        let (status, answer) = self.call(method, path, body, idempotency_key)?;
        if (200..300).contains(&status) { Ok(answer) } else { Err(Failure::from_answer(status, &answer)) }
    }

    pub fn get(&self, path: &str) -> Result<Value, Failure> {
        self.ok(reqwest::Method::GET, path, None, None)
    }

    /// PUT one part (`first..=last` of `total`) from `body`; status and JSON body.
    pub fn put_part(&self, path: &str, first: u64, last: u64, total: u64, body: impl std::io::Read + Send + 'static) -> Result<(u16, Value), Failure> {
        let resp = self
            .request(reqwest::Method::PUT, path)
            .header("Content-Range", format!("bytes {first}-{last}/{total}"))
            .body(reqwest::blocking::Body::sized(body, last - first + 1))
            .send()
            .map_err(|e| unreachable(&self.base, e))?;
        let status = resp.status().as_u16();
        let text = resp.text().map_err(|e| unreachable(&self.base, e))?;
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
    }
}
