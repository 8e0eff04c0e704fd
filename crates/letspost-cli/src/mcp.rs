//! `letspost mcp`: LetsPost as tools for an AI assistant, over MCP on stdio (rmcp, the official
//! Rust SDK). It acts with the login `letspost login` kept (or `LETSPOST_URL`/`LETSPOST_KEY`),
//! so an assistant can do what the key may and nothing else. Each tool runs the CLI's own code
//! (the same probe, the same create-upload-follow path); a failure is a tool error carrying
//! LetsPost's sentence, which the model can read out.

use crate::args::{Caption, PostArgs, When};
use crate::client::Client;
use crate::exit::Failure;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock, Implementation, ServerCapabilities, ServerConfig};
use rmcp::{ErrorData, ServerHandler, ServiceExt, schemars, tool, tool_handler, tool_router};
use serde::Deserialize;
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Clone)]
pub struct LetsPost {
    client: Arc<Client>,
    #[allow(dead_code)] // read by `tool_handler`
    tool_router: ToolRouter<LetsPost>,
}

#[derive(Deserialize, schemars::JsonSchema)]
pub struct CheckVideo {
    /// Absolute path of a video file on this computer.
    path: String,
}

#[derive(Deserialize, schemars::JsonSchema)]
pub struct CreatePost {
    /// Absolute path of the video file on this computer (MP4 or MOV).
    path: String,
    /// The account to post to: its @username or open_id, as list_accounts gives them.
    account: String,
    /// The caption, hashtags and @mentions included (TikTok allows 2,200 characters).
    #[serde(default)]
    caption: String,
    /// Who may watch: public, followers, friends or private. Default: public where the account allows it. Not for drafts.
    #[serde(default)]
    privacy: Option<String>,
    /// When to publish: "2026-12-07 09:00" in the account's schedule time zone, or a time with an offset. Leave out (and queue false) to publish now.
    #[serde(default)]
    publish_at: Option<String>,
    /// true: at the account's next free posting-schedule time (see next_free_time), instead of publish_at.
    #[serde(default)]
    queue: bool,
    /// true: send to the creator's TikTok inbox as a draft to finish in the app, instead of publishing.
    #[serde(default)]
    draft: bool,
    #[serde(default)]
    no_comment: bool,
    #[serde(default)]
    no_duet: bool,
    #[serde(default)]
    no_stitch: bool,
    /// true: return only once TikTok published the post (with its link) or refused it. Default false: return once uploaded.
    #[serde(default)]
    wait: bool,
}

#[derive(Deserialize, schemars::JsonSchema)]
pub struct PostRef {
    /// The post's id, as create_post or list_posts gave it.
    id: String,
}

#[derive(Deserialize, schemars::JsonSchema)]
pub struct AccountRef {
    /// The account's @username or open_id.
    account: String,
}

fn answer(outcome: Result<Value, Failure>) -> Result<CallToolResult, ErrorData> {
    Ok(match outcome {
        Ok(v) => CallToolResult::success(vec![ContentBlock::text(serde_json::to_string_pretty(&v).unwrap_or_default())]),
        Err(f) => CallToolResult::error(vec![ContentBlock::text(f.message().to_string())]),
    })
}

impl LetsPost {
    /// Run blocking CLI code off the async runtime.
    async fn blocking(&self, f: impl FnOnce(&Client) -> Result<Value, Failure> + Send + 'static) -> Result<CallToolResult, ErrorData> {
        let c = self.client.clone();
        answer(tokio::task::spawn_blocking(move || f(&c)).await.unwrap_or_else(|e| Err(Failure::Unreachable(e.to_string()))))
    }
}

#[tool_router]
impl LetsPost {
    #[tool(description = "The TikTok accounts this LetsPost key may post to: open_id, @username, display name and status (connected, or reconnect_needed).")]
    async fn list_accounts(&self) -> Result<CallToolResult, ErrorData> {
        self.blocking(|c| crate::session::accounts_of(c).map(Value::from)).await
    }

    #[tool(
        description = "Check a local video file against TikTok's rules by reading only its headers (nothing is uploaded): verdict ok, warn or error, its facts, and each issue with TikTok's reason."
    )]
    async fn check_video(&self, Parameters(CheckVideo { path }): Parameters<CheckVideo>) -> Result<CallToolResult, ErrorData> {
        self.blocking(move |_| {
            let r = crate::check::probe_file(std::path::Path::new(&path)).map_err(|e| Failure::Usage(format!("cannot read {path}: {e}")))?;
            serde_json::to_value(&r).map_err(|e| Failure::Usage(e.to_string()))
        })
        .await
    }

    #[tool(
        description = "Post a local video to TikTok through LetsPost: checks it first (a video TikTok would refuse is not uploaded; the reason comes back), creates the post, uploads it, and returns the post (id, state, publish_at, post_url once published). Publishes now, at publish_at, at the next free schedule time (queue), or as a draft."
    )]
    async fn create_post(&self, Parameters(p): Parameters<CreatePost>) -> Result<CallToolResult, ErrorData> {
        let privacy = match p.privacy.as_deref().map(|s| (s, crate::args::privacy(s))) {
            Some((s, None)) => return answer(Err(Failure::Usage(format!("privacy {s:?}: use public, followers, friends or private")))),
            Some((_, level)) => level,
            None => None,
        };
        let when = match (p.publish_at, p.queue) {
            (Some(_), true) => return answer(Err(Failure::Usage("give publish_at or queue, not both".into()))),
            (Some(t), false) => When::At(t),
            (None, true) => When::Queue,
            (None, false) => When::Now,
        };
        let args = PostArgs {
            files: vec![PathBuf::from(p.path)],
            account: p.account,
            caption: Caption::Text(p.caption),
            privacy,
            when,
            draft: p.draft,
            no_comment: p.no_comment,
            no_duet: p.no_duet,
            no_stitch: p.no_stitch,
            wait: p.wait,
            json: true,
        };
        self.blocking(move |c| crate::post::publish(c, &args, false).map(|mut posts| posts.pop().unwrap_or_default())).await
    }

    #[tool(
        description = "Every post of the accounts this key may post to, newest first: id, account, state (scheduled, uploading, published, failed…), caption, publish_at, post_url, error."
    )]
    async fn list_posts(&self) -> Result<CallToolResult, ErrorData> {
        self.blocking(|c| crate::session::posts_of(c).map(Value::from)).await
    }

    #[tool(description = "One post by id, as it is now (its state, its TikTok link once published, or why it failed).")]
    async fn get_post(&self, Parameters(PostRef { id }): Parameters<PostRef>) -> Result<CallToolResult, ErrorData> {
        self.blocking(move |c| Ok(c.get(&format!("/api/posts/{id}"))?["post"].clone())).await
    }

    #[tool(description = "Cancel a post that has not started uploading to TikTok yet; returns the cancelled post.")]
    async fn cancel_post(&self, Parameters(PostRef { id }): Parameters<PostRef>) -> Result<CallToolResult, ErrorData> {
        self.blocking(move |c| Ok(c.ok(reqwest::Method::DELETE, &format!("/api/posts/{id}"), None, None)?["post"].clone())).await
    }

    #[tool(
        description = "The time create_post with queue=true would give a post to this account now: its next free posting-schedule time (RFC 3339), or null when the account has no schedule."
    )]
    async fn next_free_time(&self, Parameters(AccountRef { account }): Parameters<AccountRef>) -> Result<CallToolResult, ErrorData> {
        self.blocking(move |c| {
            let a = crate::post::find_account(c, &account)?;
            c.get(&format!("/api/accounts/{}/queue", a["open_id"].as_str().unwrap_or_default()))
        })
        .await
    }
}

#[tool_handler]
impl ServerHandler for LetsPost {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("letspost", env!("CARGO_PKG_VERSION")))
            .with_instructions("LetsPost publishes and schedules videos to TikTok. Use list_accounts first, check_video before create_post, and next_free_time to say when a queued post goes out.")
    }
}

pub fn run() -> Result<(), Failure> {
    let client = Arc::new(Client::new(&crate::config::load().map_err(Failure::Auth)?)?);
    let server = LetsPost { client, tool_router: LetsPost::tool_router() };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| Failure::Unreachable(e.to_string()))?;
    rt.block_on(async move {
        let service = server.serve(rmcp::transport::stdio()).await.map_err(|e| Failure::Unreachable(format!("MCP: {e}")))?;
        service.waiting().await.map_err(|e| Failure::Unreachable(format!("MCP: {e}")))?;
        Ok(())
    })
}
