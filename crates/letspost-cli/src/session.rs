//! `login`, `accounts`, `posts`: the key, and what it may see.

use crate::client::Client;
use crate::config::{self, Login};
use crate::exit::Failure;
use serde_json::Value;
use std::io::Read;

/// `letspost login --url URL`: the key from `LETSPOST_KEY` or stdin (never an argument, which
/// other users could read in the process list), checked against LetsPost, then kept.
pub fn login(url: &str, json: bool) -> Result<(), Failure> {
    let key = match std::env::var("LETSPOST_KEY").ok().filter(|k| !k.trim().is_empty()) {
        Some(k) => k,
        None => {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s).map_err(|e| Failure::Usage(format!("reading the key from stdin: {e}")))?;
            s
        }
    };
    let key = key.trim().to_string();
    if !letspost_core::api_key::valid_secret(&key) {
        return Err(Failure::Usage("that is not a LetsPost API key (lp_…): make one on the Accounts page and paste it on stdin".into()));
    }
    let login = Login { url: url.to_string(), key };
    let accounts = accounts_of(&Client::new(&login)?)?;
    let path = config::save(&login).map_err(Failure::Usage)?;
    if json {
        println!("{}", serde_json::json!({ "url": url, "config": path.display().to_string(), "accounts": accounts }));
    } else {
        println!("Logged in to {url}; the key may post to {} account(s). Kept in {}.", accounts.len(), path.display());
    }
    Ok(())
}

pub fn accounts_of(c: &Client) -> Result<Vec<Value>, Failure> {
    Ok(c.get("/api/accounts")?["accounts"].as_array().cloned().unwrap_or_default())
}

pub fn accounts(json: bool) -> Result<(), Failure> {
    let list = accounts_of(&Client::new(&config::load().map_err(Failure::Auth)?)?)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&list).unwrap_or_default());
    } else {
        for a in &list {
            println!(
                "@{}\t{}\t{}\t{}",
                a["username"].as_str().unwrap_or(""),
                a["display_name"].as_str().unwrap_or(""),
                a["open_id"].as_str().unwrap_or(""),
                a["status"].as_str().unwrap_or("")
            );
        }
    }
    Ok(())
}

/// Every post the key can see: the first page when the Worker pages (`next_cursor`), followed
/// to the end.
pub fn posts_of(c: &Client) -> Result<Vec<Value>, Failure> {
    let mut out = Vec::new();
    let mut path = "/api/posts".to_string();
    loop {
        let page = c.get(&path)?;
        out.extend(page["posts"].as_array().cloned().unwrap_or_default());
        match page["next_cursor"].as_str() {
            Some(cursor) if !cursor.is_empty() && out.len() < 10_000 => {
                let q: String = form_encode(cursor);
                path = format!("/api/posts?cursor={q}");
            }
            _ => return Ok(out),
        }
    }
}

fn form_encode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

pub fn posts(json: bool) -> Result<(), Failure> {
    let list = posts_of(&Client::new(&config::load().map_err(Failure::Auth)?)?)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&list).unwrap_or_default());
    } else {
        for p in &list {
            println!("{}", crate::post::line(p));
        }
    }
    Ok(())
}
